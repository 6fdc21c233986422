//! The sessions read in the last two seconds, kept in memory: a busy client (a clerk's
//! page and its requests, an integration calling the API) is not looked up in the
//! database three times a request. A signed-out session is forgotten here at once (a
//! request already under way may keep it for [`FRESH_FOR`]); on another instance, and for
//! a deactivated account or changed roles, the change takes effect within [`FRESH_FOR`].

use std::collections::HashMap;
use std::sync::Mutex;
use std::time::{Duration, Instant};

use jiff::Timestamp;

use super::CurrentUser;

/// How long a session read from the database is trusted without reading it again.
pub const FRESH_FOR: Duration = Duration::from_secs(2);

/// At most this many sessions are kept; past it, the stale ones go, and all if none is.
const MOST_KEPT: usize = 10_000;

#[derive(Debug, Default)]
pub(super) struct SessionCache {
    entries: Mutex<HashMap<String, (CurrentUser, Instant)>>,
}

impl SessionCache {
    /// The user of `token_hash`, read less than [`FRESH_FOR`] ago and not expired.
    pub(super) fn get(&self, token_hash: &str, now: Timestamp) -> Option<CurrentUser> {
        let entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        let (user, read_at) = entries.get(token_hash)?;
        (read_at.elapsed() < FRESH_FOR && user.session.expires_at > now).then(|| user.clone())
    }

    pub(super) fn put(&self, user: &CurrentUser) {
        let mut entries = self.entries.lock().unwrap_or_else(|p| p.into_inner());
        if entries.len() >= MOST_KEPT {
            entries.retain(|_, (_, read_at)| read_at.elapsed() < FRESH_FOR);
            if entries.len() >= MOST_KEPT {
                entries.clear();
            }
        }
        entries.insert(user.token_hash.clone(), (user.clone(), Instant::now()));
    }

    /// Forgets every session of a citizen: their confirmed owner signed in, and the
    /// sessions of whoever held the national ID before are gone from the database.
    pub(super) fn forget_citizen(&self, national_id: &daftar_core::ir::NationalId) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .retain(|_, (user, _)| {
                !matches!(&user.principal,
                    super::Principal::Citizen { national_id: held, .. } if held == national_id)
            });
    }

    pub(super) fn forget(&self, token_hash: &str) {
        self.entries
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .remove(token_hash);
    }
}

#[cfg(test)]
mod tests {
    use daftar_core::ir::NationalId;
    use daftar_store::{Session, Subject};
    use jiff::{SignedDuration, Timestamp};

    use super::*;
    use crate::accounts::Principal;

    fn citizen(token_hash: &str, national_id: &str, expires_at: Timestamp) -> CurrentUser {
        let national_id = NationalId::parse(national_id).unwrap();
        CurrentUser {
            token_hash: token_hash.into(),
            session: Session {
                subject: Subject::Citizen {
                    national_id: national_id.clone(),
                    acting_for: None,
                    verified: false,
                },
                csrf_token: "csrf".into(),
                expires_at,
            },
            principal: Principal::Citizen {
                national_id,
                acting_for: None,
                verified: false,
            },
        }
    }

    #[test]
    fn a_session_is_kept_until_forgotten_or_expired() {
        let now = Timestamp::now();
        let later = now + SignedDuration::from_hours(1);
        let cache = SessionCache::default();
        cache.put(&citizen("a", "0499370899", later));
        cache.put(&citizen("b", "0790419904", later));
        cache.put(&citizen("c", "1583250689", now));
        assert!(cache.get("a", now).is_some());
        assert!(
            cache.get("c", now).is_none(),
            "an expired session is not served"
        );
        cache.forget("a");
        assert!(cache.get("a", now).is_none());
        cache.put(&citizen("a", "0499370899", later));
        cache.forget_citizen(&NationalId::parse("0499370899").unwrap());
        assert!(
            cache.get("a", now).is_none(),
            "the citizen's sessions are gone"
        );
        assert!(cache.get("b", now).is_some(), "another citizen's stays");
    }
}
