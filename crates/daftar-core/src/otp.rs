//! The rules of citizen sign-in by one-time code.
//!
//! A citizen asks for a code, receives it by SMS and types it back. The code has
//! [`CODE_LENGTH`] digits and lives [`CODE_LIFETIME`]. Wrong codes are counted per
//! account, across codes, so asking for a new code does not buy more guesses (a code
//! presented when none is live counts too, so every national ID locks alike): after
//! [`MAX_WRONG_CODES`] the account is locked for [`LOCK_DURATION`], and while it is locked
//! every code, the right one too, is refused and no new code is sent.
//!
//! The store keeps a [`SignInState`] per account; the functions here decide what a
//! request does to it. They take `now` and whether the presented code matched, so they
//! are pure and the store applies their result in one transaction.

use jiff::{SignedDuration, Timestamp};

pub const CODE_LENGTH: usize = 6;
pub const CODE_LIFETIME: SignedDuration = SignedDuration::from_secs(120);
pub const MAX_WRONG_CODES: u32 = 5;
pub const LOCK_DURATION: SignedDuration = SignedDuration::from_secs(15 * 60);
/// A new code is sent at most this often, so the SMS gateway cannot be used to flood a phone.
pub const RESEND_INTERVAL: SignedDuration = SignedDuration::from_secs(60);

/// What the store remembers of one account's sign-in attempts.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SignInState {
    /// The hash of the code last sent, until it is used.
    pub code_hash: Option<String>,
    pub code_sent_at: Option<Timestamp>,
    pub code_expires_at: Option<Timestamp>,
    /// Wrong codes since the last sign-in or the end of the last lock.
    pub wrong_codes: u32,
    pub locked_until: Option<Timestamp>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRequestRefusal {
    Locked { until: Timestamp },
    TooSoon { retry_after: Timestamp },
}

impl SignInState {
    fn locked_at(&self, now: Timestamp) -> Option<Timestamp> {
        self.locked_until.filter(|until| *until > now)
    }

    /// Decides whether a new code may be sent now; on yes, returns the state to store.
    pub fn request_code(
        &self,
        code_hash: String,
        now: Timestamp,
    ) -> Result<SignInState, CodeRequestRefusal> {
        if let Some(until) = self.locked_at(now) {
            return Err(CodeRequestRefusal::Locked { until });
        }
        if let Some(sent_at) = self.code_sent_at {
            let retry_after = sent_at + RESEND_INTERVAL;
            if self.code_hash.is_some() && retry_after > now {
                return Err(CodeRequestRefusal::TooSoon { retry_after });
            }
        }
        let lock_ended = self.locked_until.is_some_and(|until| until <= now);
        Ok(SignInState {
            code_hash: Some(code_hash),
            code_sent_at: Some(now),
            code_expires_at: Some(now + CODE_LIFETIME),
            wrong_codes: if lock_ended { 0 } else { self.wrong_codes },
            locked_until: if lock_ended { None } else { self.locked_until },
        })
    }

    /// Decides what presenting a code does. `matches` says whether the presented code's
    /// hash equals [`SignInState::code_hash`]; the caller compares in constant time.
    pub fn present_code(&self, matches: bool, now: Timestamp) -> (Verdict, SignInState) {
        if let Some(until) = self.locked_at(now) {
            return (Verdict::Locked { until }, self.clone());
        }
        let mut next = self.clone();
        if next.locked_until.is_some() {
            // The lock has ended: the count starts again.
            next.locked_until = None;
            next.wrong_codes = 0;
        }
        let live = next.code_hash.is_some() && next.code_expires_at.is_some_and(|at| at > now);
        if live && matches {
            next.code_hash = None;
            next.code_expires_at = None;
            next.wrong_codes = 0;
            return (Verdict::SignedIn, next);
        }
        // A code presented when none is live counts as a wrong one: otherwise locks would
        // happen only to national IDs that were sent a code, and tell who they are.
        next.wrong_codes += 1;
        if next.wrong_codes >= MAX_WRONG_CODES {
            let until = now + LOCK_DURATION;
            next.locked_until = Some(until);
            next.code_hash = None;
            next.code_expires_at = None;
            return (Verdict::WrongAndNowLocked { until }, next);
        }
        if !live {
            return (Verdict::NoLiveCode, next);
        }
        let remaining = MAX_WRONG_CODES - next.wrong_codes;
        (Verdict::Wrong { remaining }, next)
    }
}

/// The outcome of presenting a code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    SignedIn,
    Wrong {
        remaining: u32,
    },
    WrongAndNowLocked {
        until: Timestamp,
    },
    Locked {
        until: Timestamp,
    },
    /// No code was sent, it was used, or it expired.
    NoLiveCode,
}

/// Whether a string is shaped like a code (after digit normalisation).
pub fn is_code_shaped(code: &str) -> bool {
    code.len() == CODE_LENGTH && code.bytes().all(|b| b.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn t(seconds: i64) -> Timestamp {
        Timestamp::from_second(1_800_000_000 + seconds).unwrap()
    }

    fn sent_at(seconds: i64) -> SignInState {
        SignInState::default()
            .request_code("hash".into(), t(seconds))
            .unwrap()
    }

    #[test]
    fn the_right_code_signs_in_once() {
        let (verdict, state) = sent_at(0).present_code(true, t(10));
        assert_eq!(verdict, Verdict::SignedIn);
        let (again, _) = state.present_code(true, t(11));
        assert_eq!(again, Verdict::NoLiveCode);
    }

    #[test]
    fn a_code_expires_after_two_minutes() {
        let state = sent_at(0);
        assert_eq!(state.present_code(true, t(119)).0, Verdict::SignedIn);
        assert_eq!(state.present_code(true, t(120)).0, Verdict::NoLiveCode);
    }

    #[test]
    fn five_wrong_codes_lock_and_the_right_code_is_refused_until_the_lock_ends() {
        let mut state = sent_at(0);
        for attempt in 1..=4 {
            let (verdict, next) = state.present_code(false, t(attempt));
            assert_eq!(
                verdict,
                Verdict::Wrong {
                    remaining: 5 - attempt as u32
                }
            );
            state = next;
        }
        let (verdict, locked) = state.present_code(false, t(5));
        assert_eq!(
            verdict,
            Verdict::WrongAndNowLocked {
                until: t(5) + LOCK_DURATION
            }
        );
        let until = t(5) + LOCK_DURATION;
        assert_eq!(
            locked.present_code(false, t(6)).0,
            Verdict::Locked { until }
        );
        assert_eq!(locked.present_code(true, t(7)).0, Verdict::Locked { until });
        assert_eq!(
            locked.request_code("new".into(), t(8)),
            Err(CodeRequestRefusal::Locked { until })
        );
        let after = until + SignedDuration::from_secs(1);
        let fresh = locked.request_code("new".into(), after).unwrap();
        assert_eq!(fresh.wrong_codes, 0);
        assert_eq!(fresh.present_code(true, after).0, Verdict::SignedIn);
    }

    #[test]
    fn a_new_code_does_not_reset_the_count_of_wrong_codes() {
        let (_, state) = sent_at(0).present_code(false, t(1));
        let state = state.request_code("again".into(), t(61)).unwrap();
        assert_eq!(
            state.present_code(false, t(62)).0,
            Verdict::Wrong { remaining: 3 }
        );
    }

    #[test]
    fn a_new_code_is_not_sent_within_a_minute_of_the_last() {
        let state = sent_at(0);
        assert_eq!(
            state.request_code("again".into(), t(30)),
            Err(CodeRequestRefusal::TooSoon { retry_after: t(60) })
        );
        assert!(state.request_code("again".into(), t(60)).is_ok());
    }

    #[test]
    fn codes_presented_with_none_live_count_toward_the_lock() {
        let mut state = SignInState::default();
        for attempt in 1..=4 {
            let (verdict, next) = state.present_code(false, t(attempt));
            assert_eq!(verdict, Verdict::NoLiveCode);
            state = next;
        }
        assert_eq!(
            state.present_code(false, t(5)).0,
            Verdict::WrongAndNowLocked {
                until: t(5) + LOCK_DURATION
            }
        );
    }

    #[test]
    fn codes_are_six_ascii_digits() {
        assert!(is_code_shaped("012345"));
        assert!(!is_code_shaped("12345"));
        assert!(!is_code_shaped("12345a"));
    }
}
