//! A per-address limit on the public look-ups (bill tracking, clearance verification):
//! each client address may make `per_minute` requests in any sliding minute, counted
//! in memory by this instance.
//!
//! Why in memory: the limit protects the database from one client's flood, and a count
//! kept in the database would cost the very write it guards against. With several
//! instances behind a balancer, each enforces the limit on its own share.

use std::collections::HashMap;
use std::net::{IpAddr, SocketAddr};
use std::sync::Mutex;
use std::time::{Duration, Instant};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use jiff::Timestamp;

use crate::app::AppState;
use crate::error::AppError;

const WINDOW: Duration = Duration::from_secs(60);
/// When the table holds this many addresses, the ones idle for a window are dropped.
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
pub struct RateLimiter {
    per_minute: u32,
    trust_forwarded_for: bool,
    clients: Mutex<HashMap<IpAddr, Window>>,
}

/// A fixed window per client, weighted with the previous window's count so the limit
/// holds over any sliding minute without storing every request's time.
#[derive(Debug, Clone, Copy)]
struct Window {
    started: Instant,
    count: u32,
    previous: u32,
}

impl RateLimiter {
    /// `per_minute = 0` turns the limit off (for benchmarks and trusted networks).
    pub fn new(per_minute: u32, trust_forwarded_for: bool) -> RateLimiter {
        RateLimiter {
            per_minute,
            trust_forwarded_for,
            clients: Mutex::new(HashMap::new()),
        }
    }

    /// Counts a request from the client of `parts`; too many in the last minute is a 429.
    pub fn check(&self, parts: &Parts) -> Result<(), AppError> {
        if self.per_minute == 0 {
            return Ok(());
        }
        self.check_address(
            client_address(parts, self.trust_forwarded_for),
            Instant::now(),
        )
    }

    fn check_address(&self, address: IpAddr, now: Instant) -> Result<(), AppError> {
        let mut clients = self
            .clients
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        if clients.len() >= SWEEP_AT {
            clients.retain(|_, window| now.duration_since(window.started) < 2 * WINDOW);
        }
        let window = clients.entry(address).or_insert(Window {
            started: now,
            count: 0,
            previous: 0,
        });
        let elapsed = now.duration_since(window.started);
        if elapsed >= 2 * WINDOW {
            *window = Window {
                started: now,
                count: 0,
                previous: 0,
            };
        } else if elapsed >= WINDOW {
            *window = Window {
                started: window.started + WINDOW,
                count: 0,
                previous: window.count,
            };
        }
        let into_window = now.duration_since(window.started).as_secs_f64() / WINDOW.as_secs_f64();
        let estimate = f64::from(window.previous) * (1.0 - into_window) + f64::from(window.count);
        if estimate + 1.0 > f64::from(self.per_minute) {
            let wait = WINDOW.saturating_sub(now.duration_since(window.started));
            let retry_after = Timestamp::now()
                .checked_add(jiff::SignedDuration::from_secs(wait.as_secs().max(1) as i64))
                .unwrap_or_else(|_| Timestamp::now());
            return Err(AppError::TooManyTries {
                code: "rate_limited",
                retry_after,
            });
        }
        window.count += 1;
        Ok(())
    }
}

/// The address a client is counted under: its IPv4 address, or the /64 of its IPv6
/// address (one subscriber's share, which a client changes at will within).
pub fn one_client(address: IpAddr) -> IpAddr {
    match address {
        IpAddr::V4(_) => address,
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(std::net::Ipv6Addr::from(
                v6.to_bits() & !((1u128 << 64) - 1),
            )),
        },
    }
}

/// The peer's address, or the last hop of `X-Forwarded-For` when Daftar is told it sits
/// behind a proxy that writes it, as [`one_client`] counts it. Without either
/// (in-process tests), one shared bucket.
fn client_address(parts: &Parts, trust_forwarded_for: bool) -> IpAddr {
    one_client(peer_address(parts, trust_forwarded_for))
}

fn peer_address(parts: &Parts, trust_forwarded_for: bool) -> IpAddr {
    if trust_forwarded_for {
        let forwarded = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.rsplit(',').next())
            .and_then(|last| last.trim().parse::<IpAddr>().ok());
        if let Some(address) = forwarded {
            return address;
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|ConnectInfo(peer)| peer.ip())
        .unwrap_or(IpAddr::from([0, 0, 0, 0]))
}

/// The client's address, as the limits count it (see [`client_address`]).
#[derive(Debug, Clone, Copy)]
pub struct ClientAddress(pub IpAddr);

impl FromRequestParts<AppState> for ClientAddress {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        Ok(ClientAddress(client_address(
            parts,
            state.config.trust_forwarded_for,
        )))
    }
}

/// An extractor that counts the request against the public look-up limit: a handler
/// that takes it answers 429 to a client over the limit, before any work.
#[derive(Debug, Clone, Copy)]
pub struct PublicLookup;

impl FromRequestParts<AppState> for PublicLookup {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        state.lookup_limit.check(parts)?;
        Ok(PublicLookup)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));
    const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 2));

    #[test]
    fn the_request_after_the_limit_is_refused_and_others_still_pass() {
        let limiter = RateLimiter::new(3, false);
        let now = Instant::now();
        for _ in 0..3 {
            assert!(limiter.check_address(A, now).is_ok());
        }
        let refused = limiter.check_address(A, now).unwrap_err();
        assert_eq!(refused.status(), axum::http::StatusCode::TOO_MANY_REQUESTS);
        assert!(limiter.check_address(B, now).is_ok(), "B has its own count");
    }

    #[test]
    fn the_limit_clears_after_two_quiet_minutes() {
        let limiter = RateLimiter::new(2, false);
        let start = Instant::now();
        limiter.check_address(A, start).unwrap();
        limiter.check_address(A, start).unwrap();
        assert!(limiter.check_address(A, start).is_err());
        assert!(limiter.check_address(A, start + 2 * WINDOW).is_ok());
    }

    #[test]
    fn a_burst_at_the_end_of_a_minute_still_counts_early_in_the_next() {
        let limiter = RateLimiter::new(10, false);
        let start = Instant::now();
        for _ in 0..10 {
            limiter
                .check_address(A, start + Duration::from_secs(59))
                .unwrap();
        }
        // One second into the next window, the previous ten still weigh almost fully.
        assert!(
            limiter
                .check_address(A, start + Duration::from_secs(61))
                .is_err()
        );
    }

    #[test]
    fn an_ipv6_client_is_counted_by_its_64() {
        let one: IpAddr = "2001:db8:1:2:aaaa::1".parse().unwrap();
        let same: IpAddr = "2001:db8:1:2:ffff::9".parse().unwrap();
        let other: IpAddr = "2001:db8:1:3::1".parse().unwrap();
        assert_eq!(one_client(one), one_client(same));
        assert_ne!(one_client(one), one_client(other));
        assert_eq!(one_client(A), A);
    }

    #[test]
    fn forwarded_for_is_read_only_when_trusted() {
        let request = axum::http::Request::builder()
            .header("x-forwarded-for", "203.0.113.9, 10.0.0.1")
            .body(())
            .unwrap();
        let (parts, _) = request.into_parts();
        assert_eq!(client_address(&parts, true), A);
        assert_eq!(client_address(&parts, false), IpAddr::from([0, 0, 0, 0]));
    }
}
