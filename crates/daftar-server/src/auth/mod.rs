//! Who is asking: the session a request presents (a bearer token or a cookie), and CSRF.
//!
//! A session is a random token given to the client, as the `daftar_session` cookie on
//! pages (HttpOnly, SameSite=Lax) or as a bearer token in the API (which reads nothing
//! else: see [`presented_token`]); the database keeps
//! only its SHA-256, so sessions survive restarts and are shared by every instance.
//! Forms carry a CSRF token: the session's own once signed in, before that the value of
//! a `daftar_csrf` cookie (double submit, SameSite=Strict).
//!
//! Signing in and out are use cases of [`daftar_app::Accounts`]; this module only finds
//! the token in a request and asks whose it is.

use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::{HeaderMap, header};
use daftar_store::StaffAccount;

use crate::app::AppState;
use crate::error::AppError;

pub use daftar_app::accounts::new_token;
pub use daftar_app::{CurrentUser, Principal};

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

/// The session token a request presents: the API reads only the bearer header, pages
/// only the session cookie. A browser sends the cookie along with any request, a
/// foreign site's too, so on the API, which carries no CSRF token, a cookie must not
/// count as signing in.
pub(crate) fn presented_token<'h>(headers: &'h HeaderMap, path: &str) -> Option<&'h str> {
    if path.starts_with("/api/") {
        headers
            .get(header::AUTHORIZATION)
            .and_then(|value| value.to_str().ok())
            .and_then(|value| value.strip_prefix("Bearer "))
            .map(str::trim)
    } else {
        cookie(headers, SESSION_COOKIE)
    }
}

/// The signed-in user of a request, by the token it presents.
async fn current_user(
    state: &AppState,
    headers: &HeaderMap,
    path: &str,
) -> Result<Option<CurrentUser>, AppError> {
    let Some(token) = presented_token(headers, path) else {
        return Ok(None);
    };
    Ok(state.services.accounts.current_user(token).await?)
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
        let user = MaybeUser(current_user(state, &parts.headers, parts.uri.path()).await?);
        parts.extensions.insert(user.clone());
        Ok(user)
    }
}

/// Where a public look-up reads ([`daftar_app::replica`]): the replica for a visitor who
/// presents no session, the primary for one who does, who may have just written. The
/// session is not checked: a made-up one only sends its own request to the primary.
#[derive(Debug, Clone, Copy)]
pub struct ReadsFrom(pub daftar_app::replica::ReadFrom);

impl FromRequestParts<AppState> for ReadsFrom {
    type Rejection = std::convert::Infallible;

    async fn from_request_parts(
        parts: &mut Parts,
        _: &AppState,
    ) -> Result<Self, std::convert::Infallible> {
        Ok(ReadsFrom(
            if presented_token(&parts.headers, parts.uri.path()).is_some() {
                daftar_app::replica::ReadFrom::Primary
            } else {
                daftar_app::replica::ReadFrom::Replica
            },
        ))
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

#[cfg(test)]
mod tests {
    use super::*;

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
