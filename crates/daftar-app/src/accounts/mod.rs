//! Accounts: who is asking. A citizen signs in with a one-time code sent to their mobile,
//! a staff member with a password; either opens a session, whose random token the client
//! keeps and whose SHA-256 the store keeps, so sessions survive restarts and are shared
//! by every instance. The offices staff are granted roles in are set up here too.
//!
//! [`Accounts`] is the service; [`Principal`] is who a use case acts for, and
//! [`CurrentUser`] the session a request presented.

mod ownership;
mod password;
pub mod second_factor;
mod session_cache;
mod sign_in;

use std::sync::Arc;
use std::time::Duration;

use daftar_core::ir::{IdError, LegalId, NationalId};
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::sign_in_limits::CodeLimits;
use daftar_store::{
    AccountStore, Office, Session, StaffAccount, StaffSummary, StoreError, Subject,
};
use jiff::Timestamp;
use rand::Rng;
use sha2::{Digest, Sha256};

use crate::notify::Notifier;

pub use ownership::{HttpMobileOwnership, MobileOwnership, Ownership};
pub use password::{MIN_PASSWORD_CHARS, hash_password, weakness};
pub use sign_in::SignedIn;

/// The longest office name taken, in characters: what a page's heading can hold.
pub const OFFICE_NAME_MAX_CHARS: usize = 120;

/// Sets up an office, or renames one: the operator's first step, before any staff member
/// is granted a role in it. Its district is its code's first two digits (01 to 99), so
/// applications about that district's properties go to it.
pub async fn set_up_office(
    store: &dyn AccountStore,
    code: OfficeCode,
    name_fa: &str,
    name_en: &str,
) -> Result<Office, AccountError> {
    if code.district() == 0 {
        return Err(AccountError::Invalid("office.district"));
    }
    let name = |name: &str| {
        let name = name.trim();
        if name.is_empty() || name.chars().count() > OFFICE_NAME_MAX_CHARS {
            return Err(AccountError::Invalid("office.name"));
        }
        Ok(name.to_owned())
    };
    let office = Office {
        district: i64::from(code.district()),
        code,
        name_fa: name(name_fa)?,
        name_en: name(name_en)?,
    };
    store.upsert_office(&office).await?;
    Ok(office)
}

/// The sign-in and session use cases, over the account store, the notifier the codes
/// go out through and, when configured, the mobile-ownership inquiry.
#[derive(Debug, Clone)]
pub struct Accounts {
    store: Arc<dyn AccountStore>,
    notifier: Arc<dyn Notifier>,
    ownership: Option<Arc<dyn MobileOwnership>>,
    settings: SignInSettings,
    sessions: Arc<session_cache::SessionCache>,
}

/// How signing in is limited, as configured.
#[derive(Debug, Clone, Copy)]
pub struct SignInSettings {
    pub session_hours: u32,
    pub code_limits: CodeLimits,
    /// Every code request is answered this long after it arrived, whatever was done,
    /// so that its timing does not tell whether a code went out.
    pub code_answer_after: Duration,
}

impl Default for SignInSettings {
    fn default() -> SignInSettings {
        SignInSettings {
            session_hours: 12,
            code_limits: CodeLimits::default(),
            code_answer_after: Duration::from_millis(400),
        }
    }
}

impl Accounts {
    pub fn new(
        store: Arc<dyn AccountStore>,
        notifier: Arc<dyn Notifier>,
        ownership: Option<Arc<dyn MobileOwnership>>,
        settings: SignInSettings,
    ) -> Accounts {
        Accounts {
            store,
            notifier,
            ownership,
            settings,
            sessions: Arc::default(),
        }
    }
}

/// Who a use case acts for.
#[derive(Debug, Clone)]
pub enum Principal {
    /// A citizen, acting for themself or for a legal entity they represent.
    Citizen {
        national_id: NationalId,
        acting_for: Option<LegalId>,
        /// Signed in from a mobile the ownership inquiry confirmed as theirs.
        verified: bool,
    },
    Staff(StaffAccount),
}

impl Principal {
    pub fn staff(&self) -> Option<&StaffAccount> {
        match self {
            Principal::Staff(account) => Some(account),
            Principal::Citizen { .. } => None,
        }
    }
}

/// The signed-in user of a request: the session its token opened, and who that is.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub token_hash: String,
    pub session: Session,
    pub principal: Principal,
}

impl CurrentUser {
    pub fn staff(&self) -> Option<&StaffAccount> {
        self.principal.staff()
    }
}

/// Why signing in (or out) did not happen.
#[derive(Debug, thiserror::Error)]
pub enum AccountError {
    /// The input breaks a rule before anything is looked up; the code names it
    /// (`national_id.invalid`, `code.format`, `username.required`, …).
    #[error("invalid input: {0}")]
    Invalid(&'static str),
    /// The code, or the username and password, did not match; the code says which
    /// (`auth.wrong_code`, `auth.wrong_password`).
    #[error("not signed in: {0}")]
    NotSignedIn(&'static str),
    /// The citizen does not represent the legal entity they asked to act for.
    #[error("not a representative")]
    NotRepresentative,
    /// No more tries until `until`; the code says why (`auth.locked`, `auth.now_locked`,
    /// `auth.too_soon`).
    #[error("wait until {until}: {code}")]
    Wait {
        code: &'static str,
        until: Timestamp,
    },
    /// A system administrator's account has no second factor set up, and may not sign in
    /// until it has (`daftar user totp`).
    #[error("a second factor is required")]
    SecondFactorRequired,
    #[error(transparent)]
    Store(#[from] StoreError),
    #[error(transparent)]
    Internal(#[from] anyhow::Error),
}

impl From<IdError> for AccountError {
    fn from(error: IdError) -> AccountError {
        AccountError::Invalid(error.code())
    }
}

/// A fresh random token: 32 bytes as hex.
pub fn new_token() -> String {
    hex::encode(rand::rng().random::<[u8; 32]>())
}

pub fn token_hash(token: &str) -> String {
    hex::encode(Sha256::digest(token.as_bytes()))
}

impl Accounts {
    /// The user a session token belongs to, while the session lives and (for staff) the
    /// account is active.
    pub async fn current_user(&self, token: &str) -> Result<Option<CurrentUser>, AccountError> {
        let token_hash = token_hash(token);
        let now = Timestamp::now();
        if let Some(user) = self.sessions.get(&token_hash, now) {
            return Ok(Some(user));
        }
        let Some(session) = self.store.session(&token_hash, now).await? else {
            return Ok(None);
        };
        let principal = match &session.subject {
            Subject::Citizen {
                national_id,
                acting_for,
                verified,
            } => Principal::Citizen {
                national_id: national_id.clone(),
                acting_for: acting_for.clone(),
                verified: *verified,
            },
            Subject::Staff(id) => match self.store.staff_by_id(*id).await? {
                Some(account) if account.active => Principal::Staff(account),
                _ => return Ok(None),
            },
        };
        let user = CurrentUser {
            token_hash,
            session,
            principal,
        };
        self.sessions.put(&user);
        Ok(Some(user))
    }

    /// Ends the session.
    pub async fn sign_out(&self, user: &CurrentUser) -> Result<(), AccountError> {
        self.sessions.forget(&user.token_hash);
        self.store.delete_session(&user.token_hash).await?;
        // Forgotten again: a request in flight may have put it back while it was deleted.
        self.sessions.forget(&user.token_hash);
        Ok(())
    }

    /// Removes expired sessions; returns how many.
    pub async fn sweep_sessions(&self, now: Timestamp) -> Result<u64, AccountError> {
        Ok(self.store.delete_expired_sessions(now).await?)
    }

    /// Removes sign-in counts (codes, password tries) older than a day; returns how many.
    pub async fn sweep_sign_in_counts(&self, now: Timestamp) -> Result<u64, AccountError> {
        Ok(self.store.sweep_sign_in_counters(now).await?)
    }

    /// Who staffs a unit in each office where `account` holds its role.
    pub async fn unit_members(
        &self,
        account: &StaffAccount,
        role: Role,
    ) -> Result<Vec<(OfficeCode, Vec<StaffSummary>)>, AccountError> {
        let mut offices = Vec::new();
        for office in account.offices_for(role) {
            let members = self.store.staff_in_role(office, role).await?;
            offices.push((office.clone(), members));
        }
        Ok(offices)
    }

    /// A citizen's name, for the greeting, and the name of the entity they act for.
    /// The mobile a citizen signed in with, to fill in their forms.
    pub async fn mobile_of(
        &self,
        national_id: &NationalId,
    ) -> Result<Option<String>, AccountError> {
        Ok(self
            .store
            .citizen(national_id)
            .await?
            .map(|citizen| citizen.mobile.local()))
    }

    pub async fn names(
        &self,
        national_id: &NationalId,
        acting_for: Option<&LegalId>,
    ) -> Result<(Option<String>, Option<String>), AccountError> {
        let name = self
            .store
            .citizen(national_id)
            .await?
            .and_then(|citizen| citizen.display_name);
        let entity = match acting_for {
            Some(legal_id) => self
                .store
                .represented_entity(national_id, legal_id)
                .await?
                .map(|entity| entity.name),
            None => None,
        };
        Ok((name, entity))
    }
}
