//! Drafts: a file of a form sent back for correction, kept so that the applicant need not
//! send it again. In the directory's `.drafts/`, or the bucket's `drafts/` (so that the
//! corrected form may reach any instance).

use anyhow::Context;
use sha2::{Digest, Sha256};
use tempfile::TempPath;

use super::{FileStore, ReceiveError, Received};

/// The bucket folder drafts live in (document keys are two-hex-digit shards, never this).
pub(super) const BUCKET_FOLDER: &str = "drafts";

fn well_formed(token: &str) -> bool {
    token.len() == 32 && token.bytes().all(|b| b.is_ascii_hexdigit())
}

impl FileStore {
    /// Keeps a received file for a form being corrected, so that the applicant need not
    /// send it again: under a random token, which only their page is given, and for its
    /// `owner` only (a key of theirs, stored hashed). Kept a day.
    pub async fn keep_draft(
        &self,
        received: &Received,
        file_name: &str,
        owner: &str,
    ) -> Result<String, ReceiveError> {
        let token = format!("{:032x}", rand::random::<u128>());
        let about = serde_json::json!({
            "owner": hex::encode(Sha256::digest(owner.as_bytes())),
            "file_name": file_name,
            "sha256": received.sha256,
            "size": received.size,
            "head": hex::encode(&received.head),
        })
        .to_string();
        if let Some(bucket) = &self.bucket {
            let bytes = tokio::fs::read(&received.path)
                .await
                .context("could not read a received upload")?;
            bucket
                .put(&format!("{BUCKET_FOLDER}/{token}"), bytes)
                .await?;
            bucket
                .put(&format!("{BUCKET_FOLDER}/{token}.json"), about.into_bytes())
                .await?;
            return Ok(token);
        }
        let drafts = self.drafts();
        tokio::fs::create_dir_all(&drafts)
            .await
            .with_context(|| format!("could not create {}", drafts.display()))?;
        tokio::fs::write(drafts.join(format!("{token}.json")), about)
            .await
            .context("could not write a draft's description")?;
        tokio::fs::hard_link(&received.path, drafts.join(&token))
            .await
            .context("could not keep a draft")?;
        Ok(token)
    }

    /// A draft kept by [`FileStore::keep_draft`] for `owner`, received again (the draft
    /// itself stays until [`FileStore::discard_draft`]), with its file name; `None` for a
    /// token that is not one, whose draft is gone, or that is someone else's.
    pub async fn draft(
        &self,
        token: &str,
        owner: &str,
    ) -> Result<Option<(Received, String)>, ReceiveError> {
        if !well_formed(token) {
            return Ok(None);
        }
        let about = match &self.bucket {
            Some(bucket) => bucket
                .get(&format!("{BUCKET_FOLDER}/{token}.json"))
                .await?
                .and_then(|bytes| String::from_utf8(bytes).ok()),
            None => tokio::fs::read_to_string(self.drafts().join(format!("{token}.json")))
                .await
                .ok(),
        };
        let Some(about) = about else {
            return Ok(None);
        };
        let about: serde_json::Value =
            serde_json::from_str(&about).context("a draft's description is not JSON")?;
        let owned = about["owner"].as_str() == Some(&hex::encode(Sha256::digest(owner.as_bytes())));
        let (true, Some(file_name), Some(sha256), Some(size), Some(head)) = (
            owned,
            about["file_name"].as_str(),
            about["sha256"]
                .as_str()
                .filter(|h| h.len() == 64 && h.bytes().all(|b| b.is_ascii_hexdigit())),
            about["size"].as_u64(),
            about["head"].as_str().and_then(|h| hex::decode(h).ok()),
        ) else {
            return Ok(None);
        };
        if let Some(bucket) = &self.bucket {
            let Some(bytes) = bucket.get(&format!("{BUCKET_FOLDER}/{token}")).await? else {
                return Ok(None);
            };
            let received = self.receive_bytes(&bytes).await?;
            // Received again, it is hashed again: a draft that changed is no draft.
            return Ok((received.sha256 == sha256).then(|| (received, file_name.to_owned())));
        }
        let incoming = self.incoming();
        tokio::fs::create_dir_all(&incoming)
            .await
            .with_context(|| format!("could not create {}", incoming.display()))?;
        let path = incoming.join(format!("draft-{:032x}", rand::random::<u128>()));
        if tokio::fs::hard_link(self.drafts().join(token), &path)
            .await
            .is_err()
        {
            return Ok(None);
        }
        Ok(Some((
            Received {
                path: TempPath::try_from_path(path).context("a draft's path")?,
                sha256: sha256.to_owned(),
                size: usize::try_from(size).map_err(|_| anyhow::anyhow!("a draft's size"))?,
                head,
            },
            file_name.to_owned(),
        )))
    }

    /// Removes a draft once its application is accepted.
    pub async fn discard_draft(&self, token: &str) {
        if !well_formed(token) {
            return;
        }
        for name in [token.to_owned(), format!("{token}.json")] {
            match &self.bucket {
                Some(bucket) => {
                    if let Err(error) = bucket.delete(&format!("{BUCKET_FOLDER}/{name}")).await {
                        tracing::warn!(error = %format!("{error:#}"), "Could not remove a draft.");
                    }
                }
                None => {
                    let _ = tokio::fs::remove_file(self.drafts().join(name)).await;
                }
            }
        }
    }
}
