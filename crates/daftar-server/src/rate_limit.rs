//! Who a client is, for the limits: its address (or the balancer's `X-Forwarded-For`
//! when trusted), and the extractor that counts a public look-up against the limit kept
//! in the database (`daftar_app::lookup_limit`), shared by every instance.

use std::net::{IpAddr, SocketAddr};

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use daftar_app::lookup_limit::Verdict;
use jiff::Timestamp;

use crate::app::AppState;
use crate::error::AppError;

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
        // With the limit off there is no client to tell apart.
        if state.config.lookup_rate_limit == 0 {
            return Ok(PublicLookup);
        }
        let client = client_address(parts, state.config.trust_forwarded_for);
        match state.lookup_limit.check(client, Timestamp::now()).await {
            Verdict::Allowed => Ok(PublicLookup),
            Verdict::Refused { retry_after } => Err(AppError::TooManyTries {
                code: "rate_limited",
                retry_after,
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(10, 0, 0, 1));

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
