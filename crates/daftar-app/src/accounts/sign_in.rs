//! The use cases of signing in: a citizen's one-time code, a staff member's password
//! (and second factor), and the session either opens.
//!
//! A code request is answered the same way, at the same moment, whatever happens: a
//! code sent, a mobile that is not the registered one, a lock, a limit reached. The work
//! is done, the SMS handed to the gateway, and the answer held until
//! [`SignInSettings::code_answer_after`](super::SignInSettings) has passed since the
//! request arrived. A code the gateway surely did not take is withdrawn, so asking again
//! is not held up by the minute between codes.

use std::net::IpAddr;

use daftar_core::fa;
use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::otp::{self, CodeRequestRefusal, Verdict};
use daftar_core::roles::Role;
use daftar_core::sign_in_limits::{PER_ACCOUNT, PER_ADDRESS, TryLimits};
use daftar_store::{CodeRequest, CodeRequestOutcome, NewSession, Subject};
use jiff::{SignedDuration, Timestamp};
use rand::Rng;
use sha2::{Digest, Sha256};

use super::ownership::Ownership;
use super::password::{hash_password, verify_password};
use super::{AccountError, Accounts, new_token, second_factor, token_hash};
use crate::notify::SendError;

fn code_hash(national_id: &NationalId, code: &str) -> String {
    hex::encode(Sha256::digest(
        format!("{}:{code}", national_id.as_str()).as_bytes(),
    ))
}

/// The key a counter keeps a mobile, an address or a username under: a hash, so the
/// counters hold none of them in the clear.
fn counter_key(kind: &str, value: &str) -> String {
    format!(
        "{kind}:{}",
        hex::encode(Sha256::digest(format!("{kind}:{value}").as_bytes()))
    )
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
    /// Whatever is registered, whatever the limits and the gateway say, the answer is
    /// `Ok(())`, given [`SignInSettings::code_answer_after`](super::SignInSettings)
    /// after the request arrived; only input that is not a national ID or a mobile is
    /// refused. So neither the answer nor its timing tells a stranger whose number is
    /// whose.
    pub async fn request_code(
        &self,
        national_id: &str,
        mobile: &str,
        client: IpAddr,
    ) -> Result<(), AccountError> {
        let answer_at = tokio::time::Instant::now() + self.settings.code_answer_after;
        let national_id = NationalId::parse(national_id)?;
        let mobile = Mobile::parse(mobile)?;
        let sending = self
            .record_code(national_id, mobile, client, answer_at)
            .await?;
        if let Some(sending) = sending {
            // A gateway slower than the answer finishes in the background.
            let _ = tokio::time::timeout_at(answer_at, sending).await;
        }
        tokio::time::sleep_until(answer_at).await;
        Ok(())
    }

    /// Decides and records a code request; when a code is to go out, the task sending it.
    async fn record_code(
        &self,
        national_id: NationalId,
        mobile: Mobile,
        client: IpAddr,
        answer_at: tokio::time::Instant,
    ) -> Result<Option<tokio::task::JoinHandle<()>>, AccountError> {
        let address_key = counter_key("address", &client.to_string());
        let limits = self.settings.code_limits;
        // The inquiry gets what is left of the answer's time, less a margin for the
        // database: a slower one confirms nothing, and the answer still comes on time.
        let inquiry_until = answer_at
            .checked_sub(std::time::Duration::from_millis(50))
            .unwrap_or(answer_at);
        let mobile_verified = match &self.ownership {
            None => false,
            Some(inquiry) => {
                match tokio::time::timeout_at(inquiry_until, inquiry.inquire(&national_id, &mobile))
                    .await
                    .unwrap_or_else(|_| Err(anyhow::anyhow!("no answer in time")))
                {
                    Ok(Ownership::Owner) => true,
                    Ok(Ownership::NotOwner) => {
                        // Counted against the address all the same: the inquiry is no free
                        // oracle.
                        self.store
                            .count_sign_in_attempt(
                                &address_key,
                                limits.per_address,
                                Timestamp::now(),
                            )
                            .await?;
                        tracing::info!("Sent no sign-in code: the mobile is not the citizen's.");
                        return Ok(None);
                    }
                    Err(error) => {
                        // Nothing is confirmed: the request goes on as with no inquiry.
                        tracing::warn!(
                            error = format!("{error:#}"),
                            "The mobile ownership inquiry did not answer."
                        );
                        false
                    }
                }
            }
        };
        let code = new_code();
        let request = CodeRequest {
            code_hash: code_hash(&national_id, &code),
            address_key,
            mobile_key: counter_key("mobile", &mobile.e164()),
            national_id,
            mobile,
            mobile_verified,
            limits,
            now: Timestamp::now(),
        };
        let to = match self.store.request_sign_in_code(&request).await? {
            CodeRequestOutcome::Send { to, sent_today } => {
                if limits.budget_nearly_spent(sent_today) {
                    tracing::warn!(
                        sms.sent_today = sent_today,
                        sms.daily_budget = limits.daily_budget,
                        "Nine tenths of the day's sign-in SMS budget is spent."
                    );
                }
                to
            }
            CodeRequestOutcome::MobileMismatch => {
                tracing::info!("Sent no sign-in code: the mobile is not the one registered.");
                return Ok(None);
            }
            CodeRequestOutcome::Limited => {
                tracing::info!("Sent no sign-in code: a limit on codes was reached.");
                return Ok(None);
            }
            CodeRequestOutcome::Refused(CodeRequestRefusal::Locked { .. }) => {
                tracing::info!("Sent no sign-in code: sign-in is locked after wrong codes.");
                return Ok(None);
            }
            CodeRequestOutcome::Refused(CodeRequestRefusal::TooSoon { .. }) => {
                tracing::debug!("Sent no sign-in code: the last went out less than a minute ago.");
                return Ok(None);
            }
        };
        let accounts = self.clone();
        let national_id = request.national_id;
        let hash = request.code_hash;
        Ok(Some(tokio::spawn(async move {
            accounts.send_code(&national_id, &to, &code, &hash).await;
        })))
    }

    async fn send_code(&self, national_id: &NationalId, to: &Mobile, code: &str, hash: &str) {
        let sent = self.notifier.send(to, &code_message(code)).await;
        let outcome = match &sent {
            Ok(()) => "sent",
            Err(SendError::NotSent(_)) => "failed",
            Err(SendError::Unknown(_)) => "unknown",
        };
        metrics::counter!("daftar_sms_total", "kind" => "sign_in_code", "outcome" => outcome)
            .increment(1);
        match sent {
            Ok(()) => tracing::info!("Sent a sign-in code."),
            // Nothing went out: the code is taken back, so the citizen may ask again at
            // once without a phone being flooded (no SMS was sent).
            Err(SendError::NotSent(error)) => {
                tracing::warn!(
                    error = format!("{error:#}"),
                    "A sign-in code could not be sent; it was withdrawn."
                );
                if let Err(error) = self.store.withdraw_sign_in_code(national_id, hash).await {
                    tracing::error!(error = %error, "A sign-in code that was not sent could not be withdrawn.");
                }
            }
            // The gateway may have taken it: the code stands, and the minute between
            // codes with it, rather than risk a second SMS.
            Err(SendError::Unknown(error)) => tracing::warn!(
                error = format!("{error:#}"),
                "A sign-in code may not have been sent; it stands."
            ),
        }
    }

    /// Checks a citizen's one-time code and opens a session, acting for `legal_id` when the
    /// citizen is one of its representatives.
    ///
    /// A wrong code and no code at all get the same answer (`auth.wrong_code`): whether a
    /// code was sent is not a stranger's business.
    pub async fn verify_code(
        &self,
        national_id: &str,
        code: &str,
        legal_id: Option<&str>,
        client: IpAddr,
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
        let limit = self.settings.code_limits.verifications_per_address;
        let key = counter_key("verify-address", &client.to_string());
        if let Some(until) = self.store.count_sign_in_attempt(&key, limit, now).await? {
            return Err(AccountError::Wait {
                code: "rate_limited",
                until,
            });
        }
        let presented = self
            .store
            .present_sign_in_code(&national_id, &code_hash(&national_id, &code), now)
            .await?;
        match presented.verdict {
            Verdict::SignedIn => {}
            Verdict::Wrong { .. } | Verdict::NoLiveCode => {
                return Err(AccountError::NotSignedIn("auth.wrong_code"));
            }
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
        }
        if presented.mobile_verified {
            // A confirmed owner may have just signed out whoever held the ID before them.
            self.sessions.forget_citizen(&national_id);
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
                verified: presented.mobile_verified,
            },
            now,
        )
        .await
    }

    /// Checks a staff member's username, password and (when the account has one) second
    /// factor, and opens a session.
    ///
    /// Wrong tries are counted per username (whether or not it exists) and per client
    /// address: after a few, each try waits longer (a try within the wait counts as
    /// wrong), then the key is locked for fifteen minutes, with the same answer for
    /// every username.
    pub async fn staff_sign_in(
        &self,
        username: &str,
        password: &str,
        second_factor_code: Option<&str>,
        client: IpAddr,
    ) -> Result<SignedIn, AccountError> {
        let username = username.trim();
        if username.is_empty() {
            return Err(AccountError::Invalid("username.required"));
        }
        if password.is_empty() {
            return Err(AccountError::Invalid("password.required"));
        }
        let now = Timestamp::now();
        let account_key: (String, TryLimits) =
            (counter_key("staff", &username.to_lowercase()), PER_ACCOUNT);
        let keys = [
            account_key.clone(),
            (
                counter_key("staff-address", &client.to_string()),
                PER_ADDRESS,
            ),
        ];
        // Every try is counted before the password is checked (a right one is forgiven
        // after), so tries sent at once cannot outrun the count; a try made while told
        // to wait counts too, and locks the account sooner, not later.
        if let Some(until) = self.store.try_staff_password(&keys, now).await? {
            return Err(AccountError::Wait {
                code: "auth.wait",
                until,
            });
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
        let unix_now = u64::try_from(now.as_second()).unwrap_or_default();
        let signed_in = match account {
            Some(account) if valid && account.active => {
                let second_factor_ok = match &account.totp_secret {
                    Some(secret) => second_factor_code.is_some_and(|code| {
                        second_factor::verify(secret, &account.username, code, unix_now)
                    }),
                    None => true,
                };
                second_factor_ok.then_some(account)
            }
            _ => None,
        };
        let Some(account) = signed_in else {
            return Err(AccountError::NotSignedIn("auth.wrong_password"));
        };
        self.store
            .forgive_staff_password_try(&keys[0].0, &keys[1].0)
            .await?;
        if account.totp_secret.is_none() && account.has_role(Role::SystemAdmin) {
            return Err(AccountError::SecondFactorRequired);
        }
        self.open_session(Subject::Staff(account.id), now).await
    }

    async fn open_session(
        &self,
        subject: Subject,
        now: Timestamp,
    ) -> Result<SignedIn, AccountError> {
        let token = new_token();
        let expires_at = now + SignedDuration::from_hours(i64::from(self.settings.session_hours));
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
