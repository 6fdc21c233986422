//! Limits on signing in that protect people other than the one signing in: how many
//! one-time codes go to one mobile and from one client address (so the SMS gateway
//! cannot be turned on a stranger's phone, nor the office's SMS budget spent), and how
//! many wrong passwords a staff account takes (so a password cannot be guessed).
//!
//! Each limit is a count in a fixed window ([`SendLimit`], [`Counter`]); staff password
//! failures grow a delay and then lock ([`PasswordTries`]). The store keeps the counts
//! and applies these decisions in the transaction that reads them.

use jiff::{SignedDuration, Timestamp};

/// At most `max` in any window of `window` starting from the first counted.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SendLimit {
    pub max: u32,
    pub window: SignedDuration,
}

/// A count in its window, as the store keeps it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Counter {
    pub window_start: Timestamp,
    pub count: u32,
}

impl SendLimit {
    /// Counts one more at `now`: the counter to store, or `None` when the limit is
    /// reached (nothing is counted then). A window that has ended starts a new one.
    pub fn count(&self, counter: Option<Counter>, now: Timestamp) -> Option<Counter> {
        let current = counter.filter(|c| c.window_start + self.window > now);
        match current {
            Some(c) if c.count >= self.max => None,
            Some(c) => Some(Counter {
                window_start: c.window_start,
                count: c.count + 1,
            }),
            None => Some(Counter {
                window_start: now,
                count: 1,
            }),
        }
    }
}

/// The limits on sending one-time codes, as configured.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodeLimits {
    /// Codes sent to one mobile, whatever national ID asked.
    pub per_mobile: SendLimit,
    /// Code requests from one client address, sent or not.
    pub per_address: SendLimit,
    /// Codes the instance sends in a day, in all.
    pub daily_budget: u32,
    /// Codes presented from one client address: wrong codes lock a national ID, so
    /// without this one client could keep anyone out.
    pub verifications_per_address: SendLimit,
}

impl Default for CodeLimits {
    fn default() -> CodeLimits {
        CodeLimits {
            per_mobile: SendLimit {
                max: 3,
                window: SignedDuration::from_mins(10),
            },
            per_address: SendLimit {
                max: 20,
                window: SignedDuration::from_hours(1),
            },
            daily_budget: 10_000,
            verifications_per_address: SendLimit {
                max: 30,
                window: SignedDuration::from_hours(1),
            },
        }
    }
}

impl CodeLimits {
    pub fn daily(&self) -> SendLimit {
        SendLimit {
            max: self.daily_budget,
            window: SignedDuration::from_hours(24),
        }
    }

    /// Whether `sent` codes today is the moment to warn that the budget nears its end:
    /// once, at nine tenths.
    pub fn budget_nearly_spent(&self, sent: u32) -> bool {
        sent == self.daily_budget - self.daily_budget / 10
    }
}

/// Wrong passwords tried under one key: an account's name, or a client address.
///
/// The first [`TryLimits::free`] cost nothing; after that each try must wait a delay
/// that doubles with each failure (one second, two, four, … at most 64), and at
/// [`TryLimits::lock_after`] failures the key is locked for [`PASSWORD_LOCK`]. A right
/// password clears an account's count.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct PasswordTries {
    pub failures: u32,
    pub last_failed_at: Option<Timestamp>,
    pub locked_until: Option<Timestamp>,
}

/// How many wrong passwords a key takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TryLimits {
    pub free: u32,
    pub lock_after: u32,
}

/// One account: a few typos, then a growing delay, and a lock at ten.
pub const PER_ACCOUNT: TryLimits = TryLimits {
    free: 3,
    lock_after: 10,
};
/// One address: an office behind one address has many staff, so more; still a lock
/// for a client guessing across accounts.
pub const PER_ADDRESS: TryLimits = TryLimits {
    free: 20,
    lock_after: 50,
};
pub const PASSWORD_LOCK: SignedDuration = SignedDuration::from_mins(15);

impl PasswordTries {
    /// When the next try may be made under `limits`, if not now.
    pub fn wait_until(&self, limits: TryLimits, now: Timestamp) -> Option<Timestamp> {
        if let Some(until) = self.locked_until.filter(|until| *until > now) {
            return Some(until);
        }
        if self.locked_until.is_some() {
            // The lock has ended; the count starts again.
            return None;
        }
        let last = self.last_failed_at?;
        let over = self.failures.checked_sub(limits.free)?;
        let delay = SignedDuration::from_secs(1i64 << over.min(6));
        Some(last + delay).filter(|at| *at > now)
    }

    /// The state after a wrong password at `now`.
    pub fn failed(&self, limits: TryLimits, now: Timestamp) -> PasswordTries {
        let lock_ended = self.locked_until.is_some_and(|until| until <= now);
        let failures = if lock_ended { 1 } else { self.failures + 1 };
        PasswordTries {
            failures,
            last_failed_at: Some(now),
            locked_until: (failures >= limits.lock_after).then_some(now + PASSWORD_LOCK),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    #[test]
    fn a_limit_counts_to_its_max_then_refuses_until_the_window_ends() {
        let limit = SendLimit {
            max: 3,
            window: SignedDuration::from_mins(10),
        };
        let mut counter = None;
        for _ in 0..3 {
            counter = limit.count(counter, t(0));
            assert!(counter.is_some());
        }
        assert_eq!(limit.count(counter, t(599)), None);
        assert_eq!(
            limit.count(counter, t(600)),
            Some(Counter {
                window_start: t(600),
                count: 1
            })
        );
    }

    #[test]
    fn the_budget_warns_once_at_nine_tenths() {
        let limits = CodeLimits {
            daily_budget: 100,
            ..CodeLimits::default()
        };
        let warned: Vec<u32> = (1..=100)
            .filter(|&n| limits.budget_nearly_spent(n))
            .collect();
        assert_eq!(warned, [90]);
    }

    #[test]
    fn wrong_passwords_grow_a_delay_then_lock_for_fifteen_minutes() {
        let limits = PER_ACCOUNT;
        let mut tries = PasswordTries::default();
        let mut now = t(0);
        for _ in 0..limits.free {
            assert_eq!(tries.wait_until(limits, now), None);
            tries = tries.failed(limits, now);
        }
        assert_eq!(
            tries.wait_until(limits, now),
            Some(now + SignedDuration::from_secs(1))
        );
        let mut delays = Vec::new();
        while tries.locked_until.is_none() {
            let until = tries.wait_until(limits, now).unwrap_or(now);
            delays.push(until.as_second() - now.as_second());
            now = until;
            tries = tries.failed(limits, now);
        }
        assert_eq!(delays, [1, 2, 4, 8, 16, 32, 64]);
        assert_eq!(tries.failures, limits.lock_after);
        assert_eq!(tries.wait_until(limits, now), Some(now + PASSWORD_LOCK));
        // After the lock, the count starts again.
        let later = now + PASSWORD_LOCK;
        assert_eq!(tries.wait_until(limits, later), None);
        assert_eq!(tries.failed(limits, later).failures, 1);
    }
}
