//! Issuing the office's documents and answering for them: each gets a serial with a check
//! digit and the office's Ed25519 signature over its canonical record; anyone can look a
//! serial up (valid, revoked or superseded), and the keys that signed are published.
//! The office's key lives in the data directory (`keys/office-ed25519.key`, created at
//! first start, readable by the program's user only) or a file the configuration names.

pub mod pdf;
mod print;
pub mod typeset;

pub use print::{IssuedPdf, Printing, Purpose};

use std::collections::{BTreeMap, HashMap};
use std::path::Path;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex, RwLock};

use base64::Engine;
use base64::engine::general_purpose::STANDARD;
use daftar_core::calendar::JalaliDate;
use daftar_core::issued::{
    Compact, DocumentKind, IssuedRecord, OfficeKey, PublicKey, Serial, Subject, verify,
};
use daftar_core::roles::Role;
use daftar_store::{CaseId, NewIssued, NewKey, NewRevocation, StaffId, Store, StoreError};
use jiff::Timestamp;
use tokio::sync::OnceCell;

use crate::accounts::Principal;
use crate::cases::CaseError;

/// Where the office's key is kept in the data directory.
pub const KEY_FILE: &str = "keys/office-ed25519.key";

/// The office's key: the file `configured` names, else the data directory's, created
/// with a fresh secret when there is none. The file holds the secret in hex.
pub fn office_key(data_dir: &Path, configured: Option<&Path>) -> anyhow::Result<OfficeKey> {
    let path = configured.map_or_else(|| data_dir.join(KEY_FILE), Path::to_path_buf);
    match std::fs::read_to_string(&path) {
        Ok(text) => {
            let bytes = hex::decode(text.trim())
                .ok()
                .and_then(|bytes| <[u8; 32]>::try_from(bytes).ok())
                .ok_or_else(|| {
                    anyhow::anyhow!("{} does not hold a 32-byte key in hex", path.display())
                })?;
            Ok(OfficeKey::from_secret(&bytes))
        }
        Err(error) if error.kind() == std::io::ErrorKind::NotFound && configured.is_none() => {
            let key = OfficeKey::from_secret(&rand::random::<[u8; 32]>());
            if let Some(dir) = path.parent() {
                std::fs::create_dir_all(dir)?;
            }
            // Written whole under another name, then linked into place: a crash leaves no
            // half-written key, and of two processes starting at once the second reads
            // the first's.
            let partial = path.with_extension(format!("partial-{:016x}", rand::random::<u64>()));
            {
                use std::io::Write;
                use std::os::unix::fs::OpenOptionsExt;
                let mut file = std::fs::OpenOptions::new()
                    .write(true)
                    .create_new(true)
                    .mode(0o600)
                    .open(&partial)?;
                file.write_all(hex::encode(key.secret()).as_bytes())?;
                file.sync_all()?;
            }
            let linked = std::fs::hard_link(&partial, &path);
            let _ = std::fs::remove_file(&partial);
            match linked {
                Ok(()) => {
                    tracing::info!(key = key.id().as_str(), "Created the office's signing key.");
                    Ok(key)
                }
                Err(error) if error.kind() == std::io::ErrorKind::AlreadyExists => {
                    office_key(data_dir, configured)
                }
                Err(error) => Err(error.into()),
            }
        }
        Err(error) => Err(anyhow::anyhow!(
            "{} cannot be read: {error}",
            path.display()
        )),
    }
}

#[derive(Debug, Clone)]
pub struct Issuing {
    store: Arc<dyn Store>,
    key: Arc<OfficeKey>,
    published: Arc<OnceCell<()>>,
    /// The published keys, decoded. Keys are only ever added (an ended key still verifies
    /// what it signed), so the list is read again only when a record names a key not in it.
    known_keys: Arc<RwLock<Vec<PublicKey>>>,
    /// Stored records whose signatures were checked, by serial. A record does not change
    /// once signed (its status does, and is read on every look-up), so a look-up that finds
    /// the same record and signature as last time skips the parse and the signature check;
    /// one that finds them changed checks again.
    checked: Arc<Mutex<HashMap<String, Arc<Checked>>>>,
    /// Where the public verification reads a document's row.
    reads: crate::replica::PublicReads,
    /// Revocations and re-issues made through this process: a page kept from before one
    /// is stale at once (see [`Issuing::changes`]).
    changes: Arc<AtomicU64>,
}

/// A stored record whose signature held, as a look-up answers it.
#[derive(Debug)]
struct Checked {
    /// SHA-256 of the stored record and signature, which a later look-up's must equal.
    stored: [u8; 32],
    record: IssuedRecord,
    compact: String,
}

/// How many checked records a process keeps before it starts over (a few kilobytes
/// each).
const CHECKED_KEPT: usize = 10_000;

/// What identifies a stored record and its signature: both, hashed.
fn stored_digest(record: &str, signature: &str) -> [u8; 32] {
    use sha2::{Digest, Sha256};
    let mut hasher = Sha256::new();
    hasher.update(record.len().to_le_bytes());
    hasher.update(record.as_bytes());
    hasher.update(signature.as_bytes());
    hasher.finalize().into()
}

/// A document to issue.
#[derive(Debug, Clone)]
pub struct NewDocument {
    pub kind: DocumentKind,
    pub subject: Subject,
    pub facts: BTreeMap<String, String>,
    pub valid_until: Option<JalaliDate>,
    pub case: Option<CaseId>,
    pub issued_by: Option<(StaffId, Role)>,
    /// The office it is issued in (the case's): its holders of the issuing role revoke it.
    pub office: Option<String>,
    /// A serial drawn by the caller (a clearance's code is its serial); else one is drawn.
    pub serial: Option<Serial>,
    /// The document this one replaces.
    pub supersedes: Option<Serial>,
}

/// What a serial's look-up answers.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub record: IssuedRecord,
    pub status: Status,
    /// The record and its signature, as the QR code carries them.
    pub compact: String,
    pub issued_at: Timestamp,
    pub case: Option<CaseId>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Status {
    Valid,
    Revoked { at: Timestamp, reason: String },
    Superseded { by: String },
}

impl Status {
    /// `valid`, `revoked` or `superseded`, as the API and the templates name it.
    pub fn slug(&self) -> &'static str {
        match self {
            Status::Valid => "valid",
            Status::Revoked { .. } => "revoked",
            Status::Superseded { .. } => "superseded",
        }
    }
}

/// How a document is issued again; either way the new one supersedes it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Reissue {
    /// The same facts and term under a new serial: a lost or damaged paper replaced.
    Copy,
    /// A building permit's term extended, as its own terms allow
    /// ([`daftar_core::issued::extension`]).
    Extension,
}

/// A document issued for a case, as the case's page lists it.
#[derive(Debug, Clone, PartialEq)]
pub struct CaseDocument {
    pub record: IssuedRecord,
    pub status: Status,
    /// Whether the one looking may re-issue, extend or revoke it.
    pub manageable: bool,
}

/// The fact a re-issued document names the one it replaces by.
pub const REPLACES: &str = "replaces";

/// The longest revocation reason kept.
const MAX_REASON_CHARS: usize = 1000;

impl Issuing {
    pub fn new(store: Arc<dyn Store>, key: OfficeKey) -> Issuing {
        Issuing {
            reads: crate::replica::PublicReads::primary_only(store.clone()),
            store,
            key: Arc::new(key),
            published: Arc::new(OnceCell::new()),
            known_keys: Arc::default(),
            checked: Arc::default(),
            changes: Arc::default(),
        }
    }

    /// Lets the public verification read a replica (see [`crate::replica`]).
    pub fn with_public_reads(mut self, reads: &crate::replica::PublicReads) -> Issuing {
        self.reads = reads.clone();
        self
    }

    /// Lists this process's key among the published ones, once. A key a newer one has
    /// ended still signs, but says so in the log: every instance of an office is to sign
    /// with the same key (`--signing-key`).
    async fn publish(&self) -> Result<(), CaseError> {
        self.published
            .get_or_try_init(|| async {
                let id = self.key.id().as_str().to_owned();
                self.store
                    .publish_key(&NewKey {
                        id: id.clone(),
                        public_key: STANDARD.encode(self.key.public().as_bytes()),
                        from: Timestamp::now(),
                    })
                    .await?;
                let keys = self.store.keys().await?;
                if keys.iter().any(|key| key.id == id && key.until.is_some()) {
                    tracing::error!(
                        key = id.as_str(),
                        "This instance signs with a key a newer one replaced: give every instance the office's key with --signing-key."
                    );
                }
                Ok::<_, StoreError>(())
            })
            .await?;
        Ok(())
    }

    /// How many documents this process has revoked or superseded so far. Something kept
    /// of a look-up (a rendered page) is still what a look-up would show while this count
    /// is unchanged, as far as this process knows; another instance's revocation it learns
    /// only by looking up again.
    pub fn changes(&self) -> u64 {
        self.changes.load(Ordering::Acquire)
    }

    /// Every key that signed or signs, for `/.well-known/daftar-keys.json`.
    pub async fn keys(&self) -> Result<Vec<daftar_store::StoredKey>, CaseError> {
        self.publish().await?;
        Ok(self.store.keys().await?)
    }

    /// Signs and keeps a document on its own; returns its record as signed.
    pub async fn issue(&self, document: NewDocument) -> Result<IssuedRecord, CaseError> {
        for _ in 0..crate::codes::CODE_DRAWS {
            let (record, row) = self.prepare(&document).await?;
            let saved = self.store.save_issued(&row).await;
            // Counted whatever the answer: a commit whose answer was lost may have been made.
            if document.supersedes.is_some() {
                self.changes.fetch_add(1, Ordering::AcqRel);
            }
            match saved {
                Ok(()) => return Ok(record),
                Err(StoreError::Conflict("serial")) if document.serial.is_none() => continue,
                Err(StoreError::Conflict("superseded")) => return Err(CaseError::Changed),
                Err(error) => return Err(error.into()),
            }
        }
        Err(anyhow::anyhow!("serials drawn in a row were taken").into())
    }

    /// A document signed and ready to keep, under a serial drawn now (unless the caller
    /// gave one): kept on its own ([`Issuing::issue`]) or in the transaction of the action
    /// that issues it. One that supersedes another is kept through [`Issuing::issue`],
    /// which counts the change ([`Issuing::changes`]).
    pub async fn prepare(
        &self,
        document: &NewDocument,
    ) -> Result<(IssuedRecord, NewIssued), CaseError> {
        self.publish().await?;
        let today = JalaliDate::from_timestamp(Timestamp::now());
        let serial = document
            .serial
            .clone()
            .unwrap_or_else(|| Serial::from_random(rand::random()));
        let record = IssuedRecord::new(
            document.kind,
            &serial,
            document.subject.clone(),
            document.facts.clone(),
            today,
            document.valid_until,
            &self.key.id(),
        )
        .map_err(|e| anyhow::anyhow!("an issued record was refused: {e}"))?;
        let signature = self.key.sign(&record);
        let property = match &document.subject {
            Subject::Property {
                district,
                renewal_code,
            } => Some((*district, renewal_code.clone())),
            Subject::Case { .. } => None,
        };
        let row = NewIssued {
            serial: serial.as_str().to_owned(),
            kind: document.kind.slug().to_owned(),
            record: String::from_utf8(record.canonical_bytes()).map_err(anyhow::Error::from)?,
            signature: STANDARD.encode(signature),
            case: document.case,
            property,
            issued_at: Timestamp::now(),
            issued_by: document.issued_by.map(|(id, _)| id),
            issued_role: document.issued_by.map(|(_, role)| role.slug().to_owned()),
            office: document.office.clone(),
            supersedes: document.supersedes.as_ref().map(|s| s.as_str().to_owned()),
        };
        Ok((record, row))
    }

    /// The documents issued for a case, oldest first, as `who` sees them on its page.
    pub async fn of_case(
        &self,
        case: CaseId,
        who: &Principal,
    ) -> Result<Vec<CaseDocument>, CaseError> {
        self.store
            .issued_of_case(case)
            .await?
            .into_iter()
            .map(|stored| {
                let record =
                    IssuedRecord::from_canonical(stored.record.as_bytes()).map_err(|e| {
                        CaseError::Internal(anyhow::anyhow!("document {}: {e}", stored.serial))
                    })?;
                let manageable = match who {
                    Principal::Staff(account) => managing_role(account, &stored).is_some(),
                    _ => false,
                };
                Ok(CaseDocument {
                    record,
                    status: status_of(&stored),
                    manageable,
                })
            })
            .collect()
    }

    /// Records that a document was handed out as a PDF.
    pub async fn record_delivery(
        &self,
        delivery: &daftar_store::NewDelivery,
    ) -> Result<(), CaseError> {
        Ok(self.store.record_delivery(delivery).await?)
    }

    /// Each time a case's documents were handed out as PDFs.
    pub async fn deliveries_of_case(
        &self,
        case: CaseId,
    ) -> Result<Vec<daftar_store::StoredDelivery>, CaseError> {
        Ok(self.store.deliveries_of_case(case).await?)
    }

    /// What a serial's document states, and whether it still holds. Its signature is
    /// checked against the published keys: a stored record that fails is an internal
    /// error, never shown as valid.
    pub async fn look_up(
        &self,
        serial: &Serial,
        from: crate::replica::ReadFrom,
    ) -> Result<Option<Found>, CaseError> {
        let stored = self
            .reads
            .read(
                from,
                |store| async move { store.issued(serial.as_str()).await },
            )
            .await?;
        let Some(stored) = stored else {
            return Ok(None);
        };
        let checked = self
            .checked(serial, &stored.record, &stored.signature)
            .await?;
        if checked.record.kind.slug() != stored.kind {
            return Err(anyhow::anyhow!("document {serial}: its record is another kind").into());
        }
        let status = status_of(&stored);
        Ok(Some(Found {
            record: checked.record.clone(),
            status,
            compact: checked.compact.clone(),
            issued_at: stored.issued_at,
            case: stored.case,
        }))
    }

    /// A stored record, parsed and its signature checked against the published keys (once
    /// for the same record and signature).
    async fn checked(
        &self,
        serial: &Serial,
        stored_record: &str,
        stored_signature: &str,
    ) -> Result<Arc<Checked>, CaseError> {
        let stored = stored_digest(stored_record, stored_signature);
        let seen = self.checked_cache().get(serial.as_str()).cloned();
        if let Some(seen) = seen
            && seen.stored == stored
        {
            return Ok(seen);
        }
        let record = IssuedRecord::from_canonical(stored_record.as_bytes())
            .map_err(|e| anyhow::anyhow!("document {serial}: {e}"))?;
        // A signed record under another row's serial is not this document.
        if record.serial != serial.as_str() {
            return Err(anyhow::anyhow!("document {serial}: its record is another's").into());
        }
        let signature: [u8; 64] = STANDARD
            .decode(stored_signature)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| anyhow::anyhow!("document {serial}: the signature is unreadable"))?;
        let mut keys = self
            .known_keys
            .read()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone();
        if !keys.iter().any(|key| key.id().as_str() == record.key) {
            keys = self.published_keys().await?;
            *self
                .known_keys
                .write()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = keys.clone();
        }
        verify(&record, &signature, &keys)
            .map_err(|e| anyhow::anyhow!("document {serial} fails its signature: {e}"))?;
        let compact = Compact {
            record: record.clone(),
            signature,
        }
        .encode();
        let checked = Arc::new(Checked {
            stored,
            record,
            compact,
        });
        let mut cache = self.checked_cache();
        if cache.len() >= CHECKED_KEPT {
            cache.clear();
        }
        cache.insert(serial.as_str().to_owned(), Arc::clone(&checked));
        Ok(checked)
    }

    fn checked_cache(&self) -> std::sync::MutexGuard<'_, HashMap<String, Arc<Checked>>> {
        // A panic while the lock was held leaves nothing half-done in a map of finished
        // entries, so a poisoned lock is taken as it is.
        self.checked
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// The published keys, as a verifier reads them.
    pub async fn published_keys(&self) -> Result<Vec<PublicKey>, CaseError> {
        Ok(self
            .keys()
            .await?
            .iter()
            .filter_map(|key| {
                STANDARD
                    .decode(&key.public_key)
                    .ok()
                    .and_then(|bytes| PublicKey::from_bytes(&bytes))
            })
            .collect())
    }

    /// Revokes a document, with a reason: a staff member holding the role it was issued
    /// in, or the system admin.
    pub async fn revoke(
        &self,
        who: &Principal,
        serial: &Serial,
        reason: &str,
    ) -> Result<(), CaseError> {
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotAllowed("issued.revoke_not_allowed"));
        };
        let stored = self
            .store
            .issued(serial.as_str())
            .await?
            .ok_or(CaseError::NotFound)?;
        if managing_role(account, &stored).is_none() {
            return Err(CaseError::NotAllowed("issued.revoke_not_allowed"));
        }
        let reason = reason.trim();
        if reason.is_empty() || reason.chars().count() > MAX_REASON_CHARS {
            return Err(CaseError::InvalidField {
                code: "issued.reason",
                field: "reason".into(),
            });
        }
        let revoked = self
            .store
            .revoke_issued(&NewRevocation {
                serial: serial.as_str().to_owned(),
                by: account.id,
                reason: reason.to_owned(),
                at: Timestamp::now(),
            })
            .await;
        // Counted whatever the answer: a commit whose answer was lost may have been made.
        self.changes.fetch_add(1, Ordering::AcqRel);
        if !revoked? {
            return Err(CaseError::Invalid("issued.already_revoked"));
        }
        Ok(())
    }

    /// Issues a document again under a new serial, superseding it: a copy of the same
    /// facts and term, or a building permit extended. For the staff who may revoke it; a
    /// revoked or superseded document is not issued again.
    pub async fn reissue(
        &self,
        who: &Principal,
        serial: &Serial,
        how: Reissue,
    ) -> Result<IssuedRecord, CaseError> {
        let Principal::Staff(account) = who else {
            return Err(CaseError::NotAllowed("issued.reissue_not_allowed"));
        };
        let stored = self
            .store
            .issued(serial.as_str())
            .await?
            .ok_or(CaseError::NotFound)?;
        let managing = managing_role(account, &stored)
            .ok_or(CaseError::NotAllowed("issued.reissue_not_allowed"))?;
        // Issued in the old one's role, so that the same unit answers for the new one
        // (and not only the system admin, when the admin issued it again).
        let role = stored
            .issued_role
            .as_deref()
            .and_then(Role::from_slug)
            .unwrap_or(managing);
        if status_of(&stored) != Status::Valid {
            return Err(CaseError::Invalid("issued.not_current"));
        }
        if !DocumentKind::from_slug(&stored.kind).is_some_and(DocumentKind::reissuable) {
            return Err(CaseError::Invalid("issued.not_reissuable"));
        }
        let old = &self
            .checked(serial, &stored.record, &stored.signature)
            .await?
            .record;
        let today = JalaliDate::from_timestamp(Timestamp::now());
        let (mut facts, valid_until) = match how {
            Reissue::Copy => {
                if old.valid_until().is_some_and(|until| until < today) {
                    return Err(CaseError::Invalid("issued.lapsed"));
                }
                (old.facts.clone(), old.valid_until())
            }
            Reissue::Extension => {
                let (facts, until) = daftar_core::issued::extension::extended(old, today)
                    .map_err(|refused| CaseError::Invalid(refused.code()))?;
                (facts, Some(until))
            }
        };
        facts.insert(REPLACES.into(), serial.as_str().to_owned());
        self.issue(NewDocument {
            kind: old.kind,
            subject: old.subject.clone(),
            facts,
            valid_until,
            case: stored.case,
            issued_by: Some((account.id, role)),
            office: stored.office.clone(),
            serial: None,
            supersedes: Some(serial.clone()),
        })
        .await
    }
}

/// Whether a stored document still holds.
fn status_of(stored: &daftar_store::StoredIssued) -> Status {
    match (&stored.revoked, &stored.superseded_by) {
        (Some((at, reason)), _) => Status::Revoked {
            at: *at,
            reason: reason.clone(),
        },
        (None, Some(by)) => Status::Superseded { by: by.clone() },
        (None, None) => Status::Valid,
    }
}

/// The role in which `account` may revoke or re-issue a document: the role that issued
/// it, held in the office it was issued in (any office when none is kept), or the system
/// admin's.
fn managing_role(
    account: &daftar_store::StaffAccount,
    stored: &daftar_store::StoredIssued,
) -> Option<Role> {
    if account.has_role(Role::SystemAdmin) {
        return Some(Role::SystemAdmin);
    }
    let role = stored.issued_role.as_deref().and_then(Role::from_slug)?;
    let holds = match &stored.office {
        Some(office) => account
            .roles
            .iter()
            .any(|(held_in, held)| held_in.as_str() == office && *held == role),
        None => account.has_role(role),
    };
    holds.then_some(role)
}
