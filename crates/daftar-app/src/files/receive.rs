//! Receiving an upload: written piece by piece into the working directory's `.incoming/`
//! as it arrives, hashed on the way, and synced, so that an upload is never held whole in
//! memory and a refused one leaves nothing behind.

use anyhow::Context;
use daftar_core::cases::{MAX_UPLOAD_BYTES, UPLOAD_HEAD_BYTES};
use sha2::{Digest, Sha256};
use tempfile::TempPath;
use tokio::io::AsyncWriteExt;

use super::synced;

/// Why a file could not be received.
#[derive(Debug, thiserror::Error)]
pub enum ReceiveError {
    /// Past [`MAX_UPLOAD_BYTES`]: the rest is not read, and what was is removed.
    #[error("the file is larger than the limit")]
    TooLarge,
    #[error(transparent)]
    Io(#[from] anyhow::Error),
}

/// A file being received, written to `documents/.incoming/` piece by piece as it arrives
/// and hashed on the way, so that an upload is never held whole in memory. Dropped before
/// [`Receiving::finish`], its file is removed.
#[derive(Debug)]
pub struct Receiving {
    pub(super) file: tokio::fs::File,
    pub(super) path: TempPath,
    pub(super) hasher: Sha256,
    pub(super) size: usize,
    pub(super) head: Vec<u8>,
}

/// A file received whole, synced, and waiting in `documents/.incoming/` for its request
/// to be accepted ([`super::FileStore::keep`] stores it). Dropped, it is removed from
/// there: a refused request leaves nothing on disk.
#[derive(Debug)]
pub struct Received {
    pub(super) path: TempPath,
    pub(super) sha256: String,
    pub(super) size: usize,
    pub(super) head: Vec<u8>,
}

impl Received {
    pub fn size(&self) -> usize {
        self.size
    }

    /// Its first bytes, up to [`UPLOAD_HEAD_BYTES`]: enough to tell its type.
    pub fn head(&self) -> &[u8] {
        &self.head
    }
}

impl Receiving {
    /// Appends a piece; refuses the file once it passes [`MAX_UPLOAD_BYTES`].
    pub async fn write(&mut self, piece: &[u8]) -> Result<(), ReceiveError> {
        self.size += piece.len();
        if self.size > MAX_UPLOAD_BYTES {
            return Err(ReceiveError::TooLarge);
        }
        if self.head.len() < UPLOAD_HEAD_BYTES {
            let wanted = (UPLOAD_HEAD_BYTES - self.head.len()).min(piece.len());
            self.head.extend_from_slice(&piece[..wanted]);
        }
        self.hasher.update(piece);
        self.file
            .write_all(piece)
            .await
            .with_context(|| format!("could not write {}", self.path.display()))?;
        Ok(())
    }

    /// Syncs the file, so that keeping it is only a link.
    pub async fn finish(mut self) -> Result<Received, ReceiveError> {
        self.file
            .flush()
            .await
            .with_context(|| format!("could not write {}", self.path.display()))?;
        synced(self.file.sync_all().await)
            .with_context(|| format!("could not sync {}", self.path.display()))?;
        Ok(Received {
            path: self.path,
            sha256: hex::encode(self.hasher.finalize()),
            size: self.size,
            head: self.head,
        })
    }
}
