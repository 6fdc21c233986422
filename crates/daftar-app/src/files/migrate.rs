//! Moving an office's documents to another place (`daftar documents migrate --to`): every
//! file copied and checked against its hash, the ones already there skipped, so that a
//! migration cut off is resumed by running it again.

use futures_util::StreamExt;
use sha2::{Digest, Sha256};

use super::FileStore;

/// Files copied at once: an object store answers each in tens of milliseconds.
const AT_ONCE: usize = 8;

/// What a migration did.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Migration {
    /// Files copied now.
    pub copied: usize,
    /// Files found at the destination already (an earlier run's).
    pub present: usize,
    /// Files whose bytes do not have the hash they are named by: not copied.
    pub damaged: Vec<String>,
}

/// Copies every file of `from` that `to` lacks; `progress` hears how many of how many are
/// done after each. Stops at the first file that cannot be read or written (run again to
/// resume), reporting damaged files rather than stopping for them.
pub async fn migrate(
    from: &FileStore,
    to: &FileStore,
    mut progress: impl FnMut(usize, usize),
) -> anyhow::Result<Migration> {
    let keys = from.keys().await?;
    let total = keys.len();
    let mut migration = Migration::default();
    let mut copies = futures_util::stream::iter(keys)
        .map(|key| async move {
            if to.has(&key).await? {
                return Ok::<_, anyhow::Error>((key, Copy::Present));
            }
            let bytes = from.get(&key).await?;
            if hex::encode(Sha256::digest(&bytes)) != key[3..] {
                return Ok((key, Copy::Damaged));
            }
            to.put_checked(&key, bytes).await?;
            Ok((key, Copy::Copied))
        })
        .buffer_unordered(AT_ONCE);
    let mut done = 0;
    while let Some(copy) = copies.next().await {
        match copy? {
            (_, Copy::Copied) => migration.copied += 1,
            (_, Copy::Present) => migration.present += 1,
            (key, Copy::Damaged) => migration.damaged.push(key),
        }
        done += 1;
        progress(done, total);
    }
    migration.damaged.sort();
    Ok(migration)
}

enum Copy {
    Copied,
    Present,
    Damaged,
}
