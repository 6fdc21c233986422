//! A case's history as a hash chain: each row's hash covers its own columns and the hash
//! of the row before it, so that a row edited, removed or slipped in afterwards breaks
//! every link from there on. `daftar audit verify` walks the chains.
//!
//! The bytes hashed are each column in a fixed order, written as its length and its
//! text (`-` for a missing value), so no two different rows can hash the same input.

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
        let mut put = |value: Option<&str>| match value {
            Some(text) => hasher.update(format!("{}:{text};", text.len())),
            None => hasher.update("-;"),
        };
        put(Some("daftar-history-v1"));
        put(Some(previous));
        put(Some(&self.case_id.to_string()));
        put(Some(&self.at.to_string()));
        put(Some(self.actor_kind));
        put(self.actor_staff_id.map(|id| id.to_string()).as_deref());
        put(Some(self.actor_name));
        put(Some(self.action));
        put(self.from_state);
        put(Some(self.to_state));
        put(self.comment);
        put(self.changes);
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
