//! The accounts' statements and rows that more than one method shares.

use daftar_core::otp::SignInState;
use daftar_core::sign_in_limits::PasswordTries;

use crate::decode::office_code;
use crate::{Office, StoreError, from_db_time};

pub(crate) fn office(
    (code, name_fa, name_en, district): (String, String, String, i64),
) -> Result<Office, StoreError> {
    Ok(Office {
        code: office_code(&code)?,
        name_fa,
        name_en,
        district,
    })
}

/// A citizen's sign-in state as `sign_in_states` holds it, by [`SIGN_IN_STATE`].
#[derive(Debug, sqlx::FromRow)]
pub(crate) struct SignInRow {
    /// The mobile the last code went to: the one a first sign-in registers.
    pub(crate) mobile: Option<String>,
    code_hash: Option<String>,
    code_sent_at: Option<i64>,
    code_expires_at: Option<i64>,
    wrong_codes: i64,
    locked_until: Option<i64>,
    /// The mobile the last code went to is its owner's, by the ownership inquiry.
    pub(crate) code_mobile_verified: bool,
}

/// A citizen's sign-in state (`$1` the national ID), for a decision the same
/// transaction then writes: the backend's row lock is appended.
pub(crate) const SIGN_IN_STATE: &str =
    "SELECT mobile, code_hash, code_sent_at, code_expires_at, wrong_codes, locked_until,
         code_mobile_verified
     FROM sign_in_states WHERE national_id = $1";

pub(crate) fn sign_in_state(row: &SignInRow) -> SignInState {
    SignInState {
        code_hash: row.code_hash.clone(),
        code_sent_at: row.code_sent_at.map(from_db_time),
        code_expires_at: row.code_expires_at.map(from_db_time),
        wrong_codes: u32::try_from(row.wrong_codes).unwrap_or(u32::MAX),
        locked_until: row.locked_until.map(from_db_time),
    }
}

pub(crate) const INSERT_ROLE: &str = "INSERT INTO staff_roles (user_id, office_code, role)
     VALUES ($1, $2, $3) ON CONFLICT DO NOTHING";

/// The outcome of [`INSERT_ROLE`]: an unknown office or user is [`StoreError::NotFound`].
pub(crate) fn role_granted<T>(result: Result<T, sqlx::Error>) -> Result<(), StoreError> {
    match result {
        Ok(_) => Ok(()),
        Err(sqlx::Error::Database(e)) if e.is_foreign_key_violation() => {
            Err(StoreError::NotFound("office or staff user"))
        }
        Err(e) => Err(e.into()),
    }
}

pub(crate) const SUBJECT_CITIZEN: &str = "citizen";
pub(crate) const SUBJECT_STAFF: &str = "staff";

/// Wrong staff passwords under a key (`$1`).
pub(crate) const PASSWORD_TRIES: &str =
    "SELECT failures, last_failed_at, locked_until FROM staff_password_tries WHERE key = $1";

pub(crate) fn password_tries(row: Option<(i64, Option<i64>, Option<i64>)>) -> PasswordTries {
    row.map(|(failures, last_failed_at, locked_until)| PasswordTries {
        failures: u32::try_from(failures).unwrap_or(u32::MAX),
        last_failed_at: last_failed_at.map(from_db_time),
        locked_until: locked_until.map(from_db_time),
    })
    .unwrap_or_default()
}
