//! Reading stored values back into domain types. A value that no longer parses is a
//! decode error: the database holds something the code never wrote.

use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::roles::{OfficeCode, Role};

use crate::StoreError;

/// Turns a stored value that no longer parses into a decode error: the database holds
/// something the code never wrote.
pub(crate) fn corrupt(what: &'static str) -> StoreError {
    StoreError::Database(sqlx::Error::Decode(
        format!("stored {what} does not parse").into(),
    ))
}

pub(crate) fn national_id(raw: &str) -> Result<NationalId, StoreError> {
    NationalId::parse(raw).map_err(|_| corrupt("national ID"))
}

pub(crate) fn legal_id(raw: &str) -> Result<LegalId, StoreError> {
    LegalId::parse(raw).map_err(|_| corrupt("legal ID"))
}

pub(crate) fn mobile(raw: &str) -> Result<Mobile, StoreError> {
    Mobile::parse(raw).map_err(|_| corrupt("mobile"))
}

pub(crate) fn office_code(raw: &str) -> Result<OfficeCode, StoreError> {
    OfficeCode::parse(raw).map_err(|_| corrupt("office code"))
}

pub(crate) fn role(raw: &str) -> Result<Role, StoreError> {
    Role::from_slug(raw).ok_or_else(|| corrupt("role"))
}
