//! The accounts' store: offices, staff and their roles, citizens and the entities they
//! represent, sign-in codes and sessions: [`AccountStore`], written once for both backends
//! in `store.rs`.

pub(crate) mod model;
pub(crate) mod sql;
mod store;

use async_trait::async_trait;
use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::sign_in_limits::TryLimits;
use jiff::Timestamp;

use crate::*;

/// Offices, staff, citizens and the entities they represent, sign-in codes and sessions.
/// One method is one transaction.
#[async_trait]
pub trait AccountStore: Send + Sync + std::fmt::Debug {
    async fn upsert_office(&self, office: &Office) -> Result<()>;
    async fn offices(&self) -> Result<Vec<Office>>;

    /// Creates a staff account with its roles; a taken username is a
    /// [`StoreError::Conflict`], an unknown office [`StoreError::NotFound`], and either
    /// leaves nothing behind.
    async fn create_staff(&self, staff: &NewStaff, now: Timestamp) -> Result<StaffId>;
    /// Sets the password hash of an existing account (`daftar user add` on a taken name
    /// with `--update`, and the demo loader).
    async fn set_staff_password(&self, username: &str, password_hash: &str) -> Result<()>;
    async fn grant_role(&self, staff: StaffId, office: &OfficeCode, role: Role) -> Result<()>;
    async fn staff_by_username(&self, username: &str) -> Result<Option<StaffAccount>>;
    async fn staff_by_id(&self, id: StaffId) -> Result<Option<StaffAccount>>;
    /// The active staff who hold `role` in `office`.
    async fn staff_in_role(&self, office: &OfficeCode, role: Role) -> Result<Vec<StaffSummary>>;

    async fn upsert_citizen(&self, citizen: &Citizen, now: Timestamp) -> Result<()>;
    async fn citizen(&self, national_id: &NationalId) -> Result<Option<Citizen>>;
    async fn upsert_legal_entity(
        &self,
        entity: &LegalEntity,
        representatives: &[NationalId],
        now: Timestamp,
    ) -> Result<()>;
    /// The legal entity, when `national_id` is one of its representatives.
    async fn represented_entity(
        &self,
        national_id: &NationalId,
        legal_id: &LegalId,
    ) -> Result<Option<LegalEntity>>;
    async fn entities_represented_by(&self, national_id: &NationalId) -> Result<Vec<LegalEntity>>;

    /// Records a new one-time code when the rules allow one now: the national ID's own
    /// (not locked, a minute since the last) and the limits per address, per mobile and
    /// per day, each counted here. A citizen registered with another mobile gets no
    /// code, unless this one is confirmed as the owner's and that one is not.
    async fn request_sign_in_code(&self, request: &CodeRequest) -> Result<CodeRequestOutcome>;
    /// Takes back a code that could not be sent: it no longer signs anyone in, and the
    /// next request need not wait the minute between codes. A newer code is left alone.
    async fn withdraw_sign_in_code(&self, national_id: &NationalId, code_hash: &str) -> Result<()>;
    /// Checks a presented code and counts it, for any national ID. On
    /// [`Verdict::SignedIn`] the citizen exists afterwards, registered with the mobile
    /// the code went to when they were new, or when that mobile is the confirmed owner's
    /// (whose sign-in then ends every other session of the national ID).
    async fn present_sign_in_code(
        &self,
        national_id: &NationalId,
        code_hash: &str,
        now: Timestamp,
    ) -> Result<CodePresented>;

    async fn create_session(&self, session: &NewSession) -> Result<()>;
    /// The live session with this token hash.
    async fn session(&self, token_hash: &str, now: Timestamp) -> Result<Option<Session>>;
    async fn delete_session(&self, token_hash: &str) -> Result<()>;
    /// Removes expired sessions; returns how many.
    async fn delete_expired_sessions(&self, now: Timestamp) -> Result<u64>;
    /// Sets or clears the mobile a staff member receives notices on.
    async fn set_staff_mobile(&self, staff: StaffId, mobile: Option<&Mobile>) -> Result<()>;
    /// Sets or clears a staff account's TOTP secret.
    async fn set_staff_totp(&self, username: &str, secret: Option<&str>) -> Result<()>;
    /// Counts one attempt under `key` within `limit`; when the limit is reached, counts
    /// nothing and returns when its window ends.
    async fn count_sign_in_attempt(
        &self,
        key: &str,
        limit: daftar_core::sign_in_limits::SendLimit,
        now: Timestamp,
    ) -> Result<Option<Timestamp>>;
    /// Counts a password try under each key (an account's, an address's), before the
    /// password is checked, in one transaction; returns until when the caller must
    /// refuse it, if it came too soon or the key is locked.
    async fn try_staff_password(
        &self,
        keys: &[(String, TryLimits)],
        now: Timestamp,
    ) -> Result<Option<Timestamp>>;
    /// After a right password: forgets the account's tries, and takes back the one
    /// this try counted against its address (whose other tries stand).
    async fn forgive_staff_password_try(&self, account_key: &str, address_key: &str) -> Result<()>;
    /// Removes counts older than a day; returns how many.
    async fn sweep_sign_in_counters(&self, now: Timestamp) -> Result<u64>;
    /// The mobiles of the active staff who hold `role` in `office`.
    async fn staff_mobiles(&self, office: &OfficeCode, role: Role) -> Result<Vec<Mobile>>;
}
