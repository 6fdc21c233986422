//! A case's history as a hash chain: each row's hash covers its own columns and the hash
//! of the row before it, so that a row edited, removed or slipped in afterwards breaks
//! every link from there on. `daftar audit verify` walks the chains.
//!
//! The bytes hashed are each column in a fixed order: a text as its length and its
//! bytes, a number as its eight bytes, so no two different rows can hash the same input.

use sha2::{Digest, Sha256};

/// One history row, as its columns hold it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HistoryLink<'a> {
    pub case_id: i64,
    /// Seconds since the Unix epoch (UTC).
    pub at: i64,
    pub actor_kind: &'a str,
    pub actor_staff_id: Option<i64>,
    pub actor_name: &'a str,
    pub action: &'a str,
    pub from_state: Option<&'a str>,
    pub to_state: &'a str,
    pub comment: Option<&'a str>,
    pub changes: Option<&'a str>,
}

/// The hash of the case's first row's predecessor.
pub const GENESIS: &str = "";

impl HistoryLink<'_> {
    /// This row's hash, chained to `previous` (the hash of the case's row before it, or
    /// [`GENESIS`]): lowercase hex SHA-256.
    pub fn hash(&self, previous: &str) -> String {
        let mut hasher = Sha256::new();
        // Each text as its length (eight bytes) then its bytes, a missing one as a length
        // no text has; each number as its eight bytes. No allocation: the grouped
        // transitions hash one row each on the writer's thread.
        let mut text = |value: Option<&str>| match value {
            Some(text) => {
                hasher.update((text.len() as u64).to_le_bytes());
                hasher.update(text.as_bytes());
            }
            None => hasher.update(u64::MAX.to_le_bytes()),
        };
        text(Some("daftar-history-v1"));
        text(Some(previous));
        let numbers = [
            self.case_id,
            self.at,
            self.actor_staff_id.unwrap_or(i64::MIN),
        ];
        text(Some(self.actor_kind));
        text(Some(self.actor_name));
        text(Some(self.action));
        text(self.from_state);
        text(Some(self.to_state));
        text(self.comment);
        text(self.changes);
        for number in numbers {
            hasher.update(number.to_le_bytes());
        }
        hasher.update([u8::from(self.actor_staff_id.is_some())]);
        hex::encode(hasher.finalize())
    }
}

/// The first row of a chain that does not hold: its case and its position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BrokenLink {
    pub case_id: i64,
    pub history_id: i64,
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row() -> HistoryLink<'static> {
        HistoryLink {
            case_id: 7,
            at: 1_800_000_000,
            actor_kind: "staff",
            actor_staff_id: Some(3),
            actor_name: "Clerk",
            action: "approve",
            from_state: Some("review"),
            to_state: "done",
            comment: None,
            changes: None,
        }
    }

    #[test]
    fn any_column_or_the_previous_hash_changes_the_hash() {
        let base = row().hash(GENESIS);
        assert_eq!(base.len(), 64);
        assert_eq!(base, row().hash(GENESIS), "the same row hashes the same");
        let changed = [
            HistoryLink {
                at: 1_800_000_001,
                ..row()
            },
            HistoryLink {
                actor_staff_id: None,
                ..row()
            },
            HistoryLink {
                comment: Some(""),
                ..row()
            },
            HistoryLink {
                from_state: None,
                ..row()
            },
            HistoryLink {
                action: "approv",
                actor_name: "eClerk",
                ..row()
            },
        ];
        for other in changed {
            assert_ne!(other.hash(GENESIS), base, "{other:?}");
        }
        assert_ne!(row().hash(&base), base, "chained to another predecessor");
    }
}
