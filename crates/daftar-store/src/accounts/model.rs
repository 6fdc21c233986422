//! The records the store reads and writes, in domain types.

use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::otp::CodeRequestRefusal;
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::sign_in_limits::CodeLimits;
use jiff::Timestamp;

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Office {
    pub code: OfficeCode,
    pub name_fa: String,
    pub name_en: String,
    pub district: i64,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct StaffId(pub i64);

#[derive(Debug, Clone)]
pub struct NewStaff {
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    /// Where notices for the staff member go (an overdue file in their unit).
    pub mobile: Option<Mobile>,
    /// Roles granted with the account, in the same transaction.
    pub roles: Vec<(OfficeCode, Role)>,
}

/// A staff account with the roles it holds, office by office.
#[derive(Clone)]
pub struct StaffAccount {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
    pub password_hash: String,
    /// The base32 secret of the account's second factor (TOTP), when it has one.
    pub totp_secret: Option<String>,
    pub active: bool,
    pub roles: Vec<(OfficeCode, Role)>,
}

impl std::fmt::Debug for StaffAccount {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StaffAccount")
            .field("id", &self.id)
            .field("username", &self.username)
            .field("password_hash", &"[redacted]")
            .field("active", &self.active)
            .field("roles", &self.roles)
            .finish_non_exhaustive()
    }
}

impl StaffAccount {
    pub fn has_role(&self, role: Role) -> bool {
        self.roles.iter().any(|(_, held)| *held == role)
    }

    /// The offices in which the account holds `role`.
    pub fn offices_for(&self, role: Role) -> impl Iterator<Item = &OfficeCode> {
        self.roles
            .iter()
            .filter(move |(_, held)| *held == role)
            .map(|(office, _)| office)
    }
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct StaffSummary {
    pub id: StaffId,
    pub username: String,
    pub display_name: String,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Citizen {
    pub national_id: NationalId,
    pub mobile: Mobile,
    pub display_name: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub struct LegalEntity {
    pub legal_id: LegalId,
    pub name: String,
}

/// A citizen's request for a one-time code, with what decides whether one is sent.
#[derive(Debug, Clone)]
pub struct CodeRequest {
    pub national_id: NationalId,
    pub mobile: Mobile,
    /// The national mobile-ownership inquiry confirmed that `mobile` is the citizen's.
    pub mobile_verified: bool,
    /// The keys the client's address and the mobile are counted under: hashes, so the
    /// counters hold neither in the clear.
    pub address_key: String,
    pub mobile_key: String,
    pub code_hash: String,
    pub limits: CodeLimits,
    pub now: Timestamp,
}

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum CodeRequestOutcome {
    /// A code was recorded: send it to this mobile. `sent_today` counts it.
    Send {
        to: Mobile,
        sent_today: u32,
    },
    /// The national ID is registered with another mobile whose owner is confirmed (or,
    /// with no ownership inquiry, was first); nothing is sent, and the caller answers as
    /// if it were, so the answer does not reveal whose number is whose.
    MobileMismatch,
    /// The mobile, the address or the day has had its share of codes; nothing is sent.
    Limited,
    Refused(CodeRequestRefusal),
}

/// What presenting a code did: the verdict, and on signing in whether the mobile it
/// went to is the confirmed owner's.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct CodePresented {
    pub verdict: daftar_core::otp::Verdict,
    pub mobile_verified: bool,
}

/// Who a session belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Subject {
    Citizen {
        national_id: NationalId,
        /// The legal entity the citizen represents in this session, if any.
        acting_for: Option<LegalId>,
        /// Signed in from a mobile the ownership inquiry confirmed; when not, the
        /// citizen's cases carry a mark for formation to check their identity.
        verified: bool,
    },
    Staff(StaffId),
}

#[derive(Debug, Clone)]
pub struct NewSession {
    pub token_hash: String,
    pub subject: Subject,
    pub csrf_token: String,
    pub created_at: Timestamp,
    pub expires_at: Timestamp,
}

#[derive(Debug, Clone)]
pub struct Session {
    pub subject: Subject,
    pub csrf_token: String,
    pub expires_at: Timestamp,
}
