//! The public look-up limit (bill tracking, clearance and document verification, a case's
//! status by code): each client address may make `per_minute` look-ups in any sliding
//! minute, however a load balancer spreads its requests over the instances.
//!
//! The counts are in the database, but not a statement a request: an instance claims a
//! lease of a tenth of the limit at once (per client and minute) and spends it in memory.
//! A client costs about ten statements a minute at most (a claim a lease, and a giving
//! back of what did not fit when it reaches the limit), a citizen looking once one. The
//! price is what leases left unspent on other instances hold back: with three instances
//! and the limit at 60, a client whose requests are spread over all three may be refused
//! after 45 (never allowed more than 60). A minute's total weighs into the next as the
//! part of that minute not yet gone, so the limit holds over any sliding minute without a
//! burst at the turn of one.

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

use daftar_store::LookupLimitStore;
use jiff::Timestamp;
use sha2::{Digest, Sha256};

/// When this many clients are held in memory, those of minutes gone are dropped.
const SWEEP_AT: usize = 10_000;

#[derive(Debug)]
pub struct LookupLimit {
    per_minute: u32,
    store: Arc<dyn LookupLimitStore>,
    /// The salt addresses are digested with (shared through the database).
    salt: tokio::sync::OnceCell<String>,
    leases: Mutex<HashMap<IpAddr, Lease>>,
}

/// What this instance holds of a client's minute.
#[derive(Debug, Clone, Copy)]
struct Lease {
    window: i64,
    left: u32,
    /// A claim found nothing left: refused until then (when the minute before has weighed
    /// off enough), without asking the database again.
    refused_until: Option<Timestamp>,
}

/// A look-up's verdict.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    Allowed,
    /// Over the limit: try again at `retry_after`.
    Refused {
        retry_after: Timestamp,
    },
}

impl LookupLimit {
    /// `per_minute = 0` turns the limit off (for benchmarks and trusted networks).
    pub fn new(per_minute: u32, store: Arc<dyn LookupLimitStore>) -> LookupLimit {
        LookupLimit {
            per_minute,
            store,
            salt: tokio::sync::OnceCell::new(),
            leases: Mutex::new(HashMap::new()),
        }
    }

    /// How many look-ups one claim takes.
    pub fn lease_size(&self) -> u32 {
        (self.per_minute / 10).max(1)
    }

    /// Counts a look-up by `client` (an address as the limit counts it) at `now`.
    pub async fn check(&self, client: IpAddr, now: Timestamp) -> Verdict {
        if self.per_minute == 0 {
            return Verdict::Allowed;
        }
        let window = now.as_second().div_euclid(60);
        {
            let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
            if leases.len() >= SWEEP_AT {
                leases.retain(|_, lease| lease.window >= window);
            }
            if let Some(lease) = leases.get_mut(&client)
                && lease.window == window
            {
                if lease.left > 0 {
                    lease.left -= 1;
                    return Verdict::Allowed;
                }
                if let Some(until) = lease.refused_until
                    && now < until
                {
                    return Verdict::Refused { retry_after: until };
                }
            }
        }
        let lease_size = self.lease_size();
        let salt = self
            .salt
            .get_or_try_init(|| async {
                let candidate = format!("{:032x}", rand::random::<u128>());
                self.store.lookup_key_salt(&candidate).await
            })
            .await;
        let key = match salt {
            Ok(salt) => client_key(salt, client),
            Err(error) => {
                tracing::warn!(error = %error, "Could not count a look-up; it is let through.");
                return Verdict::Allowed;
            }
        };
        let claimed = self
            .store
            .claim_lookups(&key, window, i64::from(lease_size))
            .await;
        let (total, before) = match claimed {
            Ok(claimed) => claimed,
            Err(error) => {
                // The look-up itself needs the database, and will say so if it is gone.
                tracing::warn!(error = %error, "Could not count a look-up; it is let through.");
                return Verdict::Allowed;
            }
        };
        let into_minute = now.as_second().rem_euclid(60) as f64 / 60.0;
        let granted = granted(self.per_minute, lease_size, total, before, into_minute);
        if granted < lease_size {
            // What did not fit is given back, so that the count is of look-ups let through
            // (and leases held), not of refusals.
            let unused = i64::from(lease_size - granted);
            if let Err(error) = self.store.claim_lookups(&key, window, -unused).await {
                tracing::warn!(error = %error, "Could not give back an unused look-up lease.");
            }
        }
        // Short of a whole lease, the look-ups after the granted ones wait, in memory, until
        // a whole lease fits again (or the next minute): a client at the limit costs a
        // claim a lease, as any other, not a claim (and a giving back) a look-up.
        let refused_until = (granted < lease_size).then(|| {
            let next_free = total - i64::from(lease_size) + i64::from(granted);
            free_at(
                self.per_minute,
                next_free + i64::from(lease_size) - 1,
                before,
                window,
            )
        });
        let mut leases = self.leases.lock().unwrap_or_else(|p| p.into_inner());
        let lease = leases.entry(client).or_insert(Lease {
            window,
            left: 0,
            refused_until: None,
        });
        if lease.window != window {
            *lease = Lease {
                window,
                left: 0,
                refused_until: None,
            };
        }
        lease.refused_until = refused_until;
        if granted == 0 {
            let until = refused_until.unwrap_or(now);
            return Verdict::Refused { retry_after: until };
        }
        lease.left += granted - 1;
        Verdict::Allowed
    }

    /// Forgets the counts of minutes before the one before `now` (the hourly sweep).
    pub async fn forget_old_counts(&self, now: Timestamp) -> daftar_store::Result<u64> {
        self.store
            .forget_lookup_counts(now.as_second().div_euclid(60) - 1)
            .await
    }
}

/// How many of a claim's `lease` look-ups (the last `lease` of the minute's `total`) fit
/// under `per_minute`, the minute before's `before` weighing as much as is left of it.
///
/// The look-up at position `p` (0 for the minute's first) fits when
/// `before × (1 − into_minute) + p + 1 ≤ per_minute`.
fn granted(per_minute: u32, lease: u32, total: i64, before: i64, into_minute: f64) -> u32 {
    let room = (f64::from(per_minute) - before as f64 * (1.0 - into_minute)).floor() as i64;
    let first = total - i64::from(lease);
    (room - first).clamp(0, i64::from(lease)) as u32
}

/// When the look-up at `position` of minute `window` fits: as soon as the minute before's
/// `before` has weighed off enough, or when the next minute begins.
fn free_at(per_minute: u32, position: i64, before: i64, window: i64) -> Timestamp {
    let next_minute = (window + 1) * 60;
    let room = i64::from(per_minute) - position - 1;
    let second = if room < 0 || before <= 0 {
        next_minute
    } else {
        let into = 1.0 - room as f64 / before as f64;
        window * 60 + (into * 60.0).ceil().clamp(0.0, 60.0) as i64
    };
    Timestamp::from_second(second.min(next_minute)).unwrap_or(Timestamp::UNIX_EPOCH)
}

/// The key a client is counted under in the database: a digest of its address with the
/// office's salt, so that the table holds no address, nor one a list of every address
/// would give back.
fn client_key(salt: &str, client: IpAddr) -> String {
    let mut digest = Sha256::new();
    digest.update(salt.as_bytes());
    digest.update(client.to_string().as_bytes());
    hex::encode(&digest.finalize()[..16])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_claim_is_granted_what_fits_under_the_limit() {
        // Limit 60, leases of 6, nothing the minute before.
        assert_eq!(granted(60, 6, 6, 0, 0.5), 6, "the first lease, whole");
        assert_eq!(granted(60, 6, 60, 0, 0.5), 6, "the tenth, whole");
        assert_eq!(granted(60, 6, 66, 0, 0.5), 0, "the eleventh, nothing");
        assert_eq!(
            granted(60, 3, 62, 0, 0.5),
            1,
            "a lease across the limit, its part"
        );
        // 60 the minute before, a quarter into this one: 45 of them still count.
        assert_eq!(granted(60, 6, 18, 60, 0.25), 3);
        assert_eq!(
            granted(60, 6, 18, 60, 0.75),
            6,
            "15 of them count at three quarters"
        );
        assert_eq!(
            granted(10, 1, 1, 10, 1.0 / 60.0),
            0,
            "9.83 of 10 leave no whole room"
        );
    }

    #[test]
    fn a_refusal_lasts_until_the_minute_before_has_weighed_off_enough() {
        // 10 the minute before, none yet in this one, limit 10: the first look-up fits
        // once those 10 weigh 9, a tenth into the minute.
        assert_eq!(
            free_at(10, 0, 10, 100),
            Timestamp::from_second(6006).unwrap()
        );
        // The minute itself full: only the next one.
        assert_eq!(
            free_at(10, 10, 0, 100),
            Timestamp::from_second(6060).unwrap()
        );
    }
}
