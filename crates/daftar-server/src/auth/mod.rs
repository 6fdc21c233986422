//! Who is asking: passwords, one-time codes, sessions, bearer tokens and CSRF.
//!
//! A session is a random token given to the client, as the `daftar_session` cookie on
//! pages (HttpOnly, SameSite=Lax) or as a bearer token in the API; the database keeps
//! only its SHA-256, so sessions survive restarts and are shared by every instance.
//! Forms carry a CSRF token: the session's own once signed in, before that the value of
//! a `daftar_csrf` cookie (double submit, SameSite=Strict).
//!
//! The use cases of signing in live in [`sign_in`], so pages and API share them.

use argon2::Argon2;
use argon2::password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString};
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use daftar_core::ir::{LegalId, NationalId};
use daftar_store::{Session, StaffAccount, Subject};
use jiff::Timestamp;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::app::AppState;
use crate::error::AppError;

pub const SESSION_COOKIE: &str = "daftar_session";
pub const CSRF_COOKIE: &str = "daftar_csrf";

/// The value of cookie `name`, if the request sent it.
pub fn cookie<'a>(headers: &'a HeaderMap, name: &str) -> Option<&'a str> {
    headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|value| value.to_str().ok())
        .flat_map(|value| value.split(';'))
        .filter_map(|pair| pair.trim().split_once('='))
        .find(|(key, _)| *key == name)
        .map(|(_, value)| value)
}

pub fn hash_password(password: &str) -> anyhow::Result<String> {
    let salt = SaltString::generate(&mut argon2::password_hash::rand_core::OsRng);
    Argon2::default()
        .hash_password(password.as_bytes(), &salt)
        .map(|hash| hash.to_string())
        .map_err(|e| anyhow::anyhow!("could not hash a password: {e}"))
}

pub(crate) fn verify_password(hash: &str, password: &str) -> bool {
    PasswordHash::new(hash).is_ok_and(|parsed| {
        Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok()
    })
}

/// A fresh random token: 32 bytes as hex.
pub fn new_token() -> String {
    hex::encode(rand::rng().random::<[u8; 32]>())
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

/// The signed-in user of a request, from its bearer token or its session cookie.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub token_hash: String,
    pub session: Session,
    pub principal: Principal,
}

#[derive(Debug, Clone)]
pub enum Principal {
    Citizen {
        national_id: NationalId,
        acting_for: Option<LegalId>,
    },
    Staff(StaffAccount),
}

fn presented_token(headers: &HeaderMap) -> Option<&str> {
    let bearer = headers
        .get(header::AUTHORIZATION)
        .and_then(|value| value.to_str().ok())
        .and_then(|value| value.strip_prefix("Bearer "))
        .map(str::trim);
    bearer.or_else(|| cookie(headers, SESSION_COOKIE))
}

impl CurrentUser {
    pub async fn of(
        state: &AppState,
        headers: &HeaderMap,
    ) -> Result<Option<CurrentUser>, AppError> {
        let Some(token) = presented_token(headers) else {
            return Ok(None);
        };
        let token_hash = token_hash(token);
        let Some(session) = state.store.session(&token_hash, Timestamp::now()).await? else {
            return Ok(None);
        };
        let principal = match &session.subject {
            Subject::Citizen {
                national_id,
                acting_for,
            } => Principal::Citizen {
                national_id: national_id.clone(),
                acting_for: acting_for.clone(),
            },
            Subject::Staff(id) => match state.store.staff_by_id(*id).await? {
                Some(account) if account.active => Principal::Staff(account),
                _ => return Ok(None),
            },
        };
        Ok(Some(CurrentUser {
            token_hash,
            session,
            principal,
        }))
    }

    pub fn staff(&self) -> Option<&StaffAccount> {
        match &self.principal {
            Principal::Staff(account) => Some(account),
            Principal::Citizen { .. } => None,
        }
    }
}

/// The signed-in user, when there is one.
#[derive(Debug, Clone)]
pub struct MaybeUser(pub Option<CurrentUser>);

impl FromRequestParts<AppState> for MaybeUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        if let Some(user) = parts.extensions.get::<MaybeUser>() {
            return Ok(user.clone());
        }
        let user = MaybeUser(CurrentUser::of(state, &parts.headers).await?);
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// A signed-in user; 401 otherwise.
#[derive(Debug, Clone)]
pub struct SignedInUser(pub CurrentUser);

impl FromRequestParts<AppState> for SignedInUser {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        match MaybeUser::from_request_parts(parts, state).await?.0 {
            Some(user) => Ok(SignedInUser(user)),
            None => Err(AppError::Unauthorized("auth.required")),
        }
    }
}

/// A signed-in staff member; 401 when nobody is signed in, 403 for a citizen.
#[derive(Debug, Clone)]
pub struct Staff(pub StaffAccount);

impl FromRequestParts<AppState> for Staff {
    type Rejection = AppError;

    async fn from_request_parts(parts: &mut Parts, state: &AppState) -> Result<Self, AppError> {
        let SignedInUser(user) = SignedInUser::from_request_parts(parts, state).await?;
        match user.principal {
            Principal::Staff(account) => Ok(Staff(account)),
            Principal::Citizen { .. } => Err(AppError::Forbidden("auth.staff_only")),
        }
    }
}

impl Staff {
    /// The account, when it holds `role` in some office; 403 otherwise.
    pub fn require(&self, role: daftar_core::roles::Role) -> Result<&StaffAccount, AppError> {
        if self.0.has_role(role) {
            Ok(&self.0)
        } else {
            Err(AppError::Forbidden("auth.forbidden"))
        }
    }
}

/// The CSRF token a form must carry: the session's, or the pre-session cookie's.
/// `fresh` is set when the pre-session cookie has to be sent with the response.
#[derive(Debug, Clone)]
pub struct Csrf {
    pub token: String,
    pub fresh: bool,
}

impl Csrf {
    pub fn of(user: Option<&CurrentUser>, headers: &HeaderMap) -> Csrf {
        if let Some(user) = user {
            return Csrf {
                token: user.session.csrf_token.clone(),
                fresh: false,
            };
        }
        match cookie(headers, CSRF_COOKIE).filter(|value| value.len() == 64) {
            Some(value) => Csrf {
                token: value.to_owned(),
                fresh: false,
            },
            None => Csrf {
                token: new_token(),
                fresh: true,
            },
        }
    }

    /// Refuses a form whose token is not this one (403).
    pub fn verify(&self, submitted: &str) -> Result<(), AppError> {
        let expected = self.token.as_bytes();
        let submitted = submitted.as_bytes();
        // Constant-time: the comparison must not reveal how much of a guess was right.
        let same = expected.len() == submitted.len()
            && expected
                .iter()
                .zip(submitted)
                .fold(0u8, |acc, (a, b)| acc | (a ^ b))
                == 0;
        if same && !self.fresh {
            Ok(())
        } else {
            Err(AppError::Forbidden("auth.csrf"))
        }
    }
}

mod sign_in;
pub use sign_in::{SignedIn, request_code, staff_sign_in, verify_code};

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_password_verifies_against_its_own_hash_only() {
        let hash = hash_password("correct horse").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password(&hash, "correct horse"));
        assert!(!verify_password(&hash, "wrong horse"));
        assert!(!verify_password("not a hash", "correct horse"));
    }

    #[test]
    fn cookies_are_found_by_name_among_several() {
        let mut headers = HeaderMap::new();
        headers.insert(
            header::COOKIE,
            "a=1; daftar_session=abc; lang=en".parse().unwrap(),
        );
        assert_eq!(cookie(&headers, SESSION_COOKIE), Some("abc"));
        assert_eq!(cookie(&headers, "lang"), Some("en"));
        assert_eq!(cookie(&headers, "missing"), None);
    }

    #[test]
    fn a_form_without_the_right_csrf_token_is_refused() {
        let csrf = Csrf {
            token: "a".repeat(64),
            fresh: false,
        };
        assert!(csrf.verify(&"a".repeat(64)).is_ok());
        assert!(csrf.verify(&"b".repeat(64)).is_err());
        assert!(csrf.verify("").is_err());
        let fresh = Csrf {
            token: "a".repeat(64),
            fresh: true,
        };
        assert!(fresh.verify(&"a".repeat(64)).is_err());
    }
}
