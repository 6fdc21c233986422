//! The accounts' statements and rows that more than one method shares.

use daftar_core::otp::SignInState;

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

pub(crate) type SignInRow = (
    Option<String>,
    Option<String>,
    Option<i64>,
    Option<i64>,
    i64,
    Option<i64>,
);

pub(crate) fn sign_in_state(row: &SignInRow) -> SignInState {
    let (_, code_hash, sent_at, expires_at, wrong_codes, locked_until) = row;
    SignInState {
        code_hash: code_hash.clone(),
        code_sent_at: sent_at.map(from_db_time),
        code_expires_at: expires_at.map(from_db_time),
        wrong_codes: u32::try_from(*wrong_codes).unwrap_or(u32::MAX),
        locked_until: locked_until.map(from_db_time),
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
