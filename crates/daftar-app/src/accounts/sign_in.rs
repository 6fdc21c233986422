//! The use cases of signing in: a citizen's one-time code, a staff member's password,
//! and the session either opens.
//!
//! A code is sent inline, while the citizen waits: it is useless a few minutes later, and
//! the answer tells them whether it went. When the gateway does not take it, the code is
//! withdrawn, so what the citizen hears ("not sent, try again") and the rule of a minute
//! between codes agree.

use daftar_core::fa;
use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::otp::{self, CodeRequestRefusal, Verdict};
use daftar_store::{CodeRequestOutcome, NewSession, Subject};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::password::{hash_password, verify_password};
use super::{AccountError, Accounts, new_token, token_hash};
use crate::notify::SendError;

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

/// The text of the SMS that carries a code.
fn code_message(code: &str) -> String {
    format!("کد ورود شما به دفتر: {code} — این کد را به کسی ندهید.")
}

/// A session just opened: the token to hand to the client.
#[derive(Debug)]
pub struct SignedIn {
    pub token: String,
    pub expires_at: Timestamp,
}

impl Accounts {
    /// Sends a citizen a one-time code, when the rules allow one now.
    ///
    /// The answer is the same whether or not the national ID is registered with this mobile,
    /// so it does not tell a stranger whose number is whose.
    pub async fn request_code(&self, national_id: &str, mobile: &str) -> Result<(), AccountError> {
        let national_id = NationalId::parse(national_id)?;
        let mobile = Mobile::parse(mobile)?;
        let code = new_code();
        let now = Timestamp::now();
        let hash = code_hash(&national_id, &code);
        let outcome = self
            .store
            .request_sign_in_code(&national_id, &mobile, &hash, now)
            .await?;
        match outcome {
            CodeRequestOutcome::Send { to } => {
                match self.notifier.send(&to, &code_message(&code)).await {
                    Ok(()) => {
                        tracing::info!("Sent a sign-in code.");
                        Ok(())
                    }
                    // Nothing went out: the code is taken back, so the citizen may ask again at
                    // once without a phone being flooded (no SMS was sent).
                    Err(SendError::NotSent(error)) => {
                        tracing::warn!(
                            error = format!("{error:#}"),
                            "A sign-in code could not be sent; it was withdrawn."
                        );
                        if let Err(error) =
                            self.store.withdraw_sign_in_code(&national_id, &hash).await
                        {
                            tracing::error!(error = %error, "A sign-in code that was not sent could not be withdrawn.");
                        }
                        Err(AccountError::CodeNotSent)
                    }
                    // The gateway may have taken it: the code stands, and the minute between
                    // codes with it, rather than risk a second SMS.
                    Err(SendError::Unknown(error)) => {
                        tracing::warn!(
                            error = format!("{error:#}"),
                            "A sign-in code may not have been sent; it stands."
                        );
                        Ok(())
                    }
                }
            }
            CodeRequestOutcome::MobileMismatch => {
                tracing::info!("Sent no sign-in code: the mobile is not the one registered.");
                Ok(())
            }
            CodeRequestOutcome::Refused(CodeRequestRefusal::Locked { until }) => {
                Err(AccountError::Wait {
                    code: "auth.locked",
                    until,
                })
            }
            CodeRequestOutcome::Refused(CodeRequestRefusal::TooSoon { retry_after }) => {
                Err(AccountError::Wait {
                    code: "auth.too_soon",
                    until: retry_after,
                })
            }
        }
    }

    /// Checks a citizen's one-time code and opens a session, acting for `legal_id` when the
    /// citizen is one of its representatives.
    pub async fn verify_code(
        &self,
        national_id: &str,
        code: &str,
        legal_id: Option<&str>,
    ) -> Result<SignedIn, AccountError> {
        let national_id = NationalId::parse(national_id)?;
        let legal_id = match legal_id.map(str::trim).filter(|id| !id.is_empty()) {
            Some(raw) => Some(LegalId::parse(raw)?),
            None => None,
        };
        let code = fa::normalize_digits(code.trim());
        if !otp::is_code_shaped(&code) {
            return Err(AccountError::Invalid("code.format"));
        }
        let now = Timestamp::now();
        let verdict = self
            .store
            .present_sign_in_code(&national_id, &code_hash(&national_id, &code), now)
            .await?;
        match verdict {
            Verdict::SignedIn => {}
            Verdict::Wrong { .. } => return Err(AccountError::NotSignedIn("auth.wrong_code")),
            Verdict::WrongAndNowLocked { until } => {
                return Err(AccountError::Wait {
                    code: "auth.now_locked",
                    until,
                });
            }
            Verdict::Locked { until } => {
                return Err(AccountError::Wait {
                    code: "auth.locked",
                    until,
                });
            }
            Verdict::NoLiveCode => return Err(AccountError::NotSignedIn("auth.no_live_code")),
        }
        if let Some(legal_id) = &legal_id
            && self
                .store
                .represented_entity(&national_id, legal_id)
                .await?
                .is_none()
        {
            return Err(AccountError::NotRepresentative);
        }
        self.open_session(
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
        &self,
        username: &str,
        password: &str,
    ) -> Result<SignedIn, AccountError> {
        let username = username.trim();
        if username.is_empty() {
            return Err(AccountError::Invalid("username.required"));
        }
        if password.is_empty() {
            return Err(AccountError::Invalid("password.required"));
        }
        let account = self.store.staff_by_username(username).await?;
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
                self.open_session(Subject::Staff(account.id), Timestamp::now())
                    .await
            }
            _ => Err(AccountError::NotSignedIn("auth.wrong_password")),
        }
    }

    async fn open_session(
        &self,
        subject: Subject,
        now: Timestamp,
    ) -> Result<SignedIn, AccountError> {
        let token = new_token();
        let expires_at = now + SignedDuration::from_hours(i64::from(self.session_hours));
        self.store
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
