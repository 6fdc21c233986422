//! A case's documents: storing uploads (checked, named by their hash), opening one for
//! someone who may see it (the view recorded), and approving one.

use daftar_core::cases::check_upload;
use daftar_core::catalog::{AnswerError, Service};
use daftar_core::ir::NationalId;
use daftar_store::{CaseId, DocumentRecord, NewDocument};
use jiff::Timestamp;

use super::{CaseError, CaseView, Cases, Standing, Upload};
use crate::accounts::Principal;

/// How long the files a refused request wrote are kept before they are removed (when no
/// document names them by then): far longer than any request that may have found the
/// same bytes stored takes to commit.
pub const REFUSED_FILES_GRACE: std::time::Duration = std::time::Duration::from_secs(600);

/// The files refused requests wrote, each request's with when they were set aside.
pub(super) type SetAside = Vec<(std::time::Instant, Vec<String>)>;

/// Files stored for a request: the records to write, and the keys of the files it
/// wrote itself (to remove if its transaction does not commit).
#[derive(Debug, Default)]
pub(super) struct Stored {
    pub(super) documents: Vec<NewDocument>,
    pub(super) created: Vec<String>,
}

/// Every problem with uploads, in their order: a kind the form does not ask for, or a
/// file that is empty, too large, or not a PDF, JPEG or PNG. Named by the document kind.
pub(super) fn upload_problems(service: &Service, uploads: &[Upload]) -> Vec<AnswerError> {
    uploads
        .iter()
        .filter_map(|upload| {
            let code = if !service.form.documents.iter().any(|d| d.id == upload.kind) {
                "document.kind"
            } else {
                check_upload(upload.content.size(), upload.content.head())
                    .err()?
                    .code()
            };
            Some(AnswerError {
                field: upload.kind.clone(),
                code,
            })
        })
        .collect()
}

impl Cases {
    /// Checks every upload, then stores their files; the records are written by the
    /// caller's transaction. Nothing is written unless every upload passes, and the
    /// caller discards [`Stored::created`] when its transaction does not commit.
    pub(super) async fn store_uploads(
        &self,
        service: &Service,
        uploads: &[Upload],
        uploaded_by: &str,
    ) -> Result<Stored, CaseError> {
        if let Some(problem) = upload_problems(service, uploads).into_iter().next() {
            return Err(CaseError::InvalidField {
                code: problem.code,
                field: problem.field,
            });
        }
        let mut checked = Vec::with_capacity(uploads.len());
        for upload in uploads {
            let kind = check_upload(upload.content.size(), upload.content.head())
                .map_err(|error| anyhow::anyhow!("an upload checked twice changed: {error}"))?;
            checked.push((upload, kind));
        }
        let mut stored = Stored::default();
        for (upload, kind) in checked {
            let file = match self.files.keep(&upload.content).await {
                Ok(file) => file,
                Err(error) => {
                    self.discard_later(&stored.created);
                    return Err(error.into());
                }
            };
            if file.created {
                stored.created.push(file.storage_key.clone());
            }
            let file_name: String = upload
                .file_name
                .chars()
                .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
                .take(200)
                .collect();
            stored.documents.push(NewDocument {
                kind: upload.kind.clone(),
                file_name: if file_name.is_empty() {
                    format!("{}.{}", upload.kind, kind.extension())
                } else {
                    file_name
                },
                content_type: kind.content_type().to_owned(),
                size_bytes: upload.content.size() as u64,
                sha256: file.sha256,
                storage_key: file.storage_key,
                uploaded_by: uploaded_by.to_owned(),
            });
        }
        Ok(stored)
    }

    fn set_aside(&self) -> std::sync::MutexGuard<'_, SetAside> {
        self.refused_files
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }

    /// Sets the files a refused request wrote aside, to be removed after
    /// [`REFUSED_FILES_GRACE`] unless a document names one by then
    /// ([`Cases::discard_refused_uploads`]). Not at once: another request may have found
    /// the same bytes stored, and be about to commit the row that names them.
    pub(super) fn discard_later(&self, created: &[String]) {
        if !created.is_empty() {
            self.set_aside()
                .push((std::time::Instant::now(), created.to_vec()));
        }
    }

    /// Removes the files refused requests set aside at least `grace` ago that no document
    /// names; a server does it every few minutes. What is set aside when the process stops
    /// stays on disk, as an orphan: it costs disk, never a document.
    ///
    /// One window is left: a request (of any instance) that finds such a file stored in
    /// the moment between this check of the database and the removal, and commits the row
    /// naming it after the check. It needs the same bytes sent again exactly as the
    /// grace ends; closing it would take the check and the removal under one lock that
    /// every instance's commits honour.
    pub async fn discard_refused_uploads(&self, grace: std::time::Duration) {
        let due: Vec<String> = {
            let mut refused = self.set_aside();
            let (due, waiting) = std::mem::take(&mut *refused)
                .into_iter()
                .partition::<Vec<_>, _>(|(at, _)| at.elapsed() >= grace);
            *refused = waiting;
            due.into_iter().flat_map(|(_, keys)| keys).collect()
        };
        if due.is_empty() {
            return;
        }
        let unused: Vec<String> = match self.store.storage_keys_in_use(&due).await {
            Ok(in_use) => due
                .into_iter()
                .filter(|key| !in_use.contains(key))
                .collect(),
            // Unsure: keep them for the next sweep; an orphan costs disk, a removed
            // document costs a file.
            Err(error) => {
                tracing::warn!(error = %error, "Could not check the files of refused uploads; they are kept for the next sweep.");
                let now = std::time::Instant::now();
                self.set_aside()
                    .push((now.checked_sub(grace).unwrap_or(now), due));
                return;
            }
        };
        self.files.discard(&unused).await;
    }

    /// Refuses documents beyond the limits: on one case, and an applicant's in a day.
    pub(super) async fn check_document_limits(
        &self,
        case: Option<CaseId>,
        applicant: Option<&NationalId>,
        adding: usize,
    ) -> Result<(), CaseError> {
        if adding == 0 {
            return Ok(());
        }
        let held = match case {
            Some(case) => self.store.documents_of_case(case).await?.len(),
            None => 0,
        };
        if held + adding > self.limits.documents_per_case {
            return Err(CaseError::Invalid("document.too_many_for_case"));
        }
        if let Some(applicant) = applicant {
            let since = Timestamp::now() - jiff::SignedDuration::from_hours(24);
            let today = self
                .store
                .documents_uploaded_by_applicant_since(applicant, since)
                .await?;
            if today as usize + adding > self.limits.documents_per_applicant_per_day {
                return Err(CaseError::Invalid("document.too_many_today"));
            }
        }
        Ok(())
    }

    /// A document and its case as `who` sees it, when `who` may see the case's documents;
    /// with `of_case`, only a document of that case (one of another is not found there).
    async fn visible_document(
        &self,
        who: &Principal,
        document_id: i64,
        of_case: Option<CaseId>,
    ) -> Result<(DocumentRecord, CaseView), CaseError> {
        let document = self
            .store
            .document(document_id)
            .await?
            .filter(|document| of_case.is_none_or(|case| document.case == case))
            .ok_or(CaseError::NotFound)?;
        let seen = self.seen_by(who, document.case, false).await?;
        if !seen.documents.iter().any(|d| d.id == document.id) {
            return Err(CaseError::NotAllowed("auth.forbidden"));
        }
        Ok((document, seen))
    }

    /// A document's bytes, for someone who may see the case's documents; the view is
    /// recorded.
    pub async fn open_document(
        &self,
        who: &Principal,
        document_id: i64,
    ) -> Result<(DocumentRecord, Vec<u8>), CaseError> {
        let (document, _) = self.visible_document(who, document_id, None).await?;
        let bytes = self.files.get(&document.storage_key).await?;
        let now = Timestamp::now();
        self.store
            .record_document_view(document.id, &viewer_name(who), now)
            .await?;
        if let Principal::Staff(account) = who {
            self.store
                .record_staff_read(document.case, account.id, Some(document.id), now)
                .await?;
        }
        Ok((document, bytes))
    }

    /// Approves a document reached through its case's page: one of another case is not
    /// found there.
    pub async fn approve_document_of(
        &self,
        who: &Principal,
        case: CaseId,
        document_id: i64,
    ) -> Result<(), CaseError> {
        self.approve(who, document_id, Some(case)).await
    }

    /// Records that staff who may see a case's documents approved one.
    pub async fn approve_document(
        &self,
        who: &Principal,
        document_id: i64,
    ) -> Result<(), CaseError> {
        self.approve(who, document_id, None).await
    }

    async fn approve(
        &self,
        who: &Principal,
        document_id: i64,
        of_case: Option<CaseId>,
    ) -> Result<(), CaseError> {
        let (document, seen) = self.visible_document(who, document_id, of_case).await?;
        if !matches!(seen.standing, Standing::Staff(_)) {
            return Err(CaseError::NotAllowed("auth.forbidden"));
        }
        self.store
            .approve_document(document.id, &viewer_name(who), Timestamp::now())
            .await?;
        Ok(())
    }
}

fn viewer_name(who: &Principal) -> String {
    match who {
        Principal::Staff(account) => format!("staff:{}", account.username),
        Principal::Citizen { .. } => "applicant".to_owned(),
    }
}
