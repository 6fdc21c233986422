//! A case's documents: storing uploads (checked, named by their hash), opening one for
//! someone who may see it (the view recorded), and approving one.

use daftar_core::cases::check_upload;
use daftar_core::catalog::Service;
use daftar_store::{CaseId, DocumentRecord, NewDocument};
use jiff::Timestamp;

use super::{CaseError, CaseView, Cases, Standing, Upload};
use crate::accounts::Principal;

impl Cases {
    /// Checks uploads and stores their files; the records are written by the caller's
    /// transaction.
    pub(super) async fn store_uploads(
        &self,
        service: &Service,
        uploads: &[Upload],
        uploaded_by: &str,
    ) -> Result<Vec<NewDocument>, CaseError> {
        let mut documents = Vec::new();
        for upload in uploads {
            if !service.form.documents.iter().any(|d| d.id == upload.kind) {
                return Err(CaseError::InvalidField {
                    code: "document.kind",
                    field: upload.kind.clone(),
                });
            }
            let kind = check_upload(&upload.bytes).map_err(|error| CaseError::InvalidField {
                code: error.code(),
                field: upload.kind.clone(),
            })?;
            let stored = self.files.put(&upload.bytes).await?;
            let file_name: String = upload
                .file_name
                .chars()
                .filter(|c| !c.is_control() && !matches!(c, '/' | '\\'))
                .take(200)
                .collect();
            documents.push(NewDocument {
                kind: upload.kind.clone(),
                file_name: if file_name.is_empty() {
                    format!("{}.{}", upload.kind, kind.extension())
                } else {
                    file_name
                },
                content_type: kind.content_type().to_owned(),
                size_bytes: upload.bytes.len() as u64,
                sha256: stored.sha256,
                storage_key: stored.storage_key,
                uploaded_by: uploaded_by.to_owned(),
            });
        }
        Ok(documents)
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
        let seen = self.view(who, document.case).await?;
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
        self.store
            .record_document_view(document.id, &viewer_name(who), Timestamp::now())
            .await?;
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
