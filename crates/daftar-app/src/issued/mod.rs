//! Issuing the office's documents and answering for them: each gets a serial with a check
//! digit and the office's Ed25519 signature over its canonical record; anyone can look a
//! serial up (valid, revoked or superseded), and the keys that signed are published.
//! The office's key lives in the data directory (`keys/office-ed25519.key`, created at
//! first start, readable by the program's user only) or a file the configuration names.

pub mod pdf;
mod print;
pub mod typeset;

pub use print::{IssuedPdf, Printing, Purpose};

use std::collections::BTreeMap;
use std::path::Path;
use std::sync::Arc;

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

/// The longest revocation reason kept.
const MAX_REASON_CHARS: usize = 1000;

impl Issuing {
    pub fn new(store: Arc<dyn Store>, key: OfficeKey) -> Issuing {
        Issuing {
            store,
            key: Arc::new(key),
            published: Arc::new(OnceCell::new()),
        }
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

    /// Every key that signed or signs, for `/.well-known/daftar-keys.json`.
    pub async fn keys(&self) -> Result<Vec<daftar_store::StoredKey>, CaseError> {
        self.publish().await?;
        Ok(self.store.keys().await?)
    }

    /// Signs and keeps a document on its own; returns its record as signed.
    pub async fn issue(&self, document: NewDocument) -> Result<IssuedRecord, CaseError> {
        for _ in 0..crate::codes::CODE_DRAWS {
            let (record, row) = self.prepare(&document).await?;
            match self.store.save_issued(&row).await {
                Ok(()) => return Ok(record),
                Err(StoreError::Conflict(_)) if document.serial.is_none() => continue,
                Err(error) => return Err(error.into()),
            }
        }
        Err(anyhow::anyhow!("serials drawn in a row were taken").into())
    }

    /// A document signed and ready to keep, under a serial drawn now (unless the caller
    /// gave one): kept on its own ([`Issuing::issue`]) or in the transaction of the action
    /// that issues it.
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

    /// The documents issued for a case, as the case page lists them.
    pub async fn of_case(&self, case: CaseId) -> Result<Vec<IssuedRecord>, CaseError> {
        self.store
            .issued_of_case(case)
            .await?
            .iter()
            .map(|stored| {
                IssuedRecord::from_canonical(stored.record.as_bytes()).map_err(|e| {
                    CaseError::Internal(anyhow::anyhow!("document {}: {e}", stored.serial))
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
    pub async fn look_up(&self, serial: &Serial) -> Result<Option<Found>, CaseError> {
        let Some(stored) = self.store.issued(serial.as_str()).await? else {
            return Ok(None);
        };
        let record = IssuedRecord::from_canonical(stored.record.as_bytes())
            .map_err(|e| anyhow::anyhow!("document {serial}: {e}"))?;
        // A signed record under another row's serial is not this document.
        if record.serial != serial.as_str() || record.kind.slug() != stored.kind {
            return Err(anyhow::anyhow!("document {serial}: its record is another's").into());
        }
        let signature: [u8; 64] = STANDARD
            .decode(&stored.signature)
            .ok()
            .and_then(|bytes| bytes.try_into().ok())
            .ok_or_else(|| anyhow::anyhow!("document {serial}: the signature is unreadable"))?;
        let keys = self.published_keys().await?;
        verify(&record, &signature, &keys)
            .map_err(|e| anyhow::anyhow!("document {serial} fails its signature: {e}"))?;
        let status = match (stored.revoked, stored.superseded_by) {
            (Some((at, reason)), _) => Status::Revoked { at, reason },
            (None, Some(by)) => Status::Superseded { by },
            (None, None) => Status::Valid,
        };
        let compact = Compact {
            record: record.clone(),
            signature,
        }
        .encode();
        Ok(Some(Found {
            record,
            status,
            compact,
            issued_at: stored.issued_at,
            case: stored.case,
        }))
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
        let issuer_role = stored.issued_role.as_deref().and_then(Role::from_slug);
        // The issuing role in the office it was issued in (any office when none is kept).
        let holds = |role: Role| match &stored.office {
            Some(office) => account
                .roles
                .iter()
                .any(|(held_in, held)| held_in.as_str() == office && *held == role),
            None => account.has_role(role),
        };
        let may = account.has_role(Role::SystemAdmin) || issuer_role.is_some_and(holds);
        if !may {
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
            .await?;
        if !revoked {
            return Err(CaseError::Invalid("issued.already_revoked"));
        }
        Ok(())
    }
}
