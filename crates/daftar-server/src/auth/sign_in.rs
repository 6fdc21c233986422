//! The use cases of signing in: a citizen's one-time code, a staff member's password,
//! and the session either opens.

use daftar_core::fa;
use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::otp::{self, CodeRequestRefusal, Verdict};
use daftar_store::{CodeRequestOutcome, NewSession, Subject};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::{hash_password, new_token, token_hash, verify_password};
use crate::app::AppState;
use crate::error::AppError;

fn code_hash(national_id: &NationalId, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{}:{code}", national_id.as_str()).as_bytes(),
    ))
}

fn new_code() -> String {
    format!(
        "{:0width$}",
        rand::rng().random_range(0..1_000_000u32),
        width = otp::CODE_LENGTH
    )
}

/// Sends a citizen a one-time code, when the rules allow one now.
///
/// The answer is the same whether or not the national ID is registered with this mobile,
/// so it does not tell a stranger whose number is whose.
pub async fn request_code(
    state: &AppState,
    national_id: &str,
    mobile: &str,
) -> Result<(), AppError> {
    let national_id = NationalId::parse(national_id)?;
    let mobile = Mobile::parse(mobile)?;
    let code = new_code();
    let now = Timestamp::now();
    let outcome = state
        .store
        .request_sign_in_code(&national_id, &mobile, &code_hash(&national_id, &code), now)
        .await?;
    match outcome {
        CodeRequestOutcome::Send { to } => {
            let text =
                crate::i18n::message(crate::i18n::Lang::Fa, "sms-sign-in-code", &[("code", code)]);
            state.notifier.send(&to, &text).await?;
            tracing::info!("Sent a sign-in code.");
            Ok(())
        }
        CodeRequestOutcome::MobileMismatch => {
            tracing::info!("Sent no sign-in code: the mobile is not the one registered.");
            Ok(())
        }
        CodeRequestOutcome::Refused(CodeRequestRefusal::Locked { until }) => {
            Err(AppError::TooManyTries {
                code: "auth.locked",
                retry_after: until,
            })
        }
        CodeRequestOutcome::Refused(CodeRequestRefusal::TooSoon { retry_after }) => {
            Err(AppError::TooManyTries {
                code: "auth.too_soon",
                retry_after,
            })
        }
    }
}

/// A session just opened: the token to hand to the client.
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub expires_at: Timestamp,
}

/// Checks a citizen's one-time code and opens a session, acting for `legal_id` when the
/// citizen is one of its representatives.
pub async fn verify_code(
    state: &AppState,
    national_id: &str,
    code: &str,
    legal_id: Option<&str>,
) -> Result<SignedIn, AppError> {
    let national_id = NationalId::parse(national_id)?;
    let legal_id = match legal_id.map(str::trim).filter(|id| !id.is_empty()) {
        Some(raw) => Some(LegalId::parse(raw)?),
        None => None,
    };
    let code = fa::normalize_digits(code.trim());
    if !otp::is_code_shaped(&code) {
        return Err(AppError::Invalid("code.format"));
    }
    let now = Timestamp::now();
    let verdict = state
        .store
        .present_sign_in_code(&national_id, &code_hash(&national_id, &code), now)
        .await?;
    match verdict {
        Verdict::SignedIn => {}
        Verdict::Wrong { .. } => return Err(AppError::Unauthorized("auth.wrong_code")),
        Verdict::WrongAndNowLocked { until } => {
            return Err(AppError::TooManyTries {
                code: "auth.now_locked",
                retry_after: until,
            });
        }
        Verdict::Locked { until } => {
            return Err(AppError::TooManyTries {
                code: "auth.locked",
                retry_after: until,
            });
        }
        Verdict::NoLiveCode => return Err(AppError::Unauthorized("auth.no_live_code")),
    }
    if let Some(legal_id) = &legal_id
        && state
            .store
            .represented_entity(&national_id, legal_id)
            .await?
            .is_none()
    {
        return Err(AppError::Forbidden("auth.not_representative"));
    }
    open_session(
        state,
        Subject::Citizen {
            national_id,
            acting_for: legal_id,
        },
        now,
    )
    .await
}

/// Checks a staff member's username and password and opens a session.
pub async fn staff_sign_in(
    state: &AppState,
    username: &str,
    password: &str,
) -> Result<SignedIn, AppError> {
    let username = username.trim();
    if username.is_empty() {
        return Err(AppError::Invalid("username.required"));
    }
    if password.is_empty() {
        return Err(AppError::Invalid("password.required"));
    }
    let account = state.store.staff_by_username(username).await?;
    // Hashing happens on every path, so the time taken does not tell which usernames exist.
    let password = password.to_owned();
    let hash = account.as_ref().map(|a| a.password_hash.clone());
    let valid = tokio::task::spawn_blocking(move || match hash {
        Some(hash) => verify_password(&hash, &password),
        None => {
            let _ = hash_password(&password);
            false
        }
    })
    .await
    .map_err(|e| anyhow::anyhow!("password check failed: {e}"))?;
    match account {
        Some(account) if valid && account.active => {
            open_session(state, Subject::Staff(account.id), Timestamp::now()).await
        }
        _ => Err(AppError::Unauthorized("auth.wrong_password")),
    }
}

async fn open_session(
    state: &AppState,
    subject: Subject,
    now: Timestamp,
) -> Result<SignedIn, AppError> {
    let token = new_token();
    let expires_at = now + SignedDuration::from_hours(i64::from(state.config.session_hours));
    state
        .store
        .create_session(&NewSession {
            token_hash: token_hash(&token),
            subject,
            csrf_token: new_token(),
            created_at: now,
            expires_at,
        })
        .await?;
    Ok(SignedIn { token, expires_at })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn codes_have_six_digits() {
        for _ in 0..100 {
            assert!(otp::is_code_shaped(&new_code()));
        }
    }
}
