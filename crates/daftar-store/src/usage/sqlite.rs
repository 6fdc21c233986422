//! SQLite's read of a period's staff actions for the usage report, through rusqlite on a
//! blocking thread, with each action's predecessor worked out here rather than by `LAG`.
//!
//! A month is some 800,000 history rows. The time index hands them over in about 0.15 s,
//! but sorting them by case for a window took ten times as long, and sqlx's hand-over of
//! each row from its connection's thread as long again (docs/PERFORMANCE.md, "The usage
//! report"). Here the rows are read in the index's order and sorted by case in memory;
//! each case with a staff action is looked up once by its key, with the office's filter,
//! and only then, for its first row in the period, the row before it; all in one read
//! transaction.

use std::collections::HashMap;
use std::sync::Arc;

use daftar_core::roles::OfficeCode;
use rusqlite::{Connection, OptionalExtension};

use super::StaffActionRow;
use crate::billing::lookup::{LookupPool, failed};
use crate::{Result, StoreError};

/// A history row of the period, as the predecessors need it.
struct Step {
    case_id: i64,
    id: i64,
    at: i64,
    /// What a staff member did, when one did.
    action: Option<Action>,
}

/// A staff action of the period, its words as indices into [`Words`].
struct Action {
    staff_id: i64,
    action: u32,
    from_state: Option<u32>,
    to_state: u32,
}

/// The few distinct actions and states a period's rows name, each kept once rather than
/// allocated a row.
#[derive(Default)]
struct Words {
    index: HashMap<String, u32>,
    words: Vec<String>,
}

impl Words {
    fn of(&mut self, word: &str) -> u32 {
        if let Some(&index) = self.index.get(word) {
            return index;
        }
        let index = u32::try_from(self.words.len()).unwrap_or(u32::MAX);
        self.words.push(word.to_owned());
        self.index.insert(word.to_owned(), index);
        index
    }

    fn word(&self, index: u32) -> String {
        self.words.get(index as usize).cloned().unwrap_or_default()
    }
}

/// What the report reads of a case.
struct CaseFacts {
    service_id: String,
    workflow_id: String,
    workflow_version: i64,
}

/// The staff actions on the office's cases from `from` (included) to `to` (not), in no
/// order, each with the time of its case's history row before it.
pub(crate) async fn staff_actions_by_rusqlite(
    lookups: Arc<LookupPool>,
    office: &OfficeCode,
    from: i64,
    to: i64,
) -> Result<Vec<StaffActionRow>> {
    let office = office.as_str().to_owned();
    tokio::task::spawn_blocking(move || {
        lookups.read(|connection| {
            // One snapshot for every read below.
            let snapshot = connection.unchecked_transaction().map_err(failed)?;
            staff_actions(&snapshot, &office, from, to)
        })
    })
    .await
    .map_err(|e| StoreError::TaskStopped(format!("the usage report's read: {e}")))?
}

fn staff_actions(
    connection: &Connection,
    office: &str,
    from: i64,
    to: i64,
) -> Result<Vec<StaffActionRow>> {
    let (mut steps, words) = period_rows(connection, from, to)?;
    // A case's rows together, in the order of their ids: LAG(at) OVER (PARTITION BY
    // case_id ORDER BY id), but for a case's first row in the period, the row before it.
    steps.sort_unstable_by_key(|step| (step.case_id, step.id));
    let mut case_of = connection
        .prepare(
            "SELECT service_id, workflow_id, workflow_version FROM cases
             WHERE id = ?1 AND office_code = ?2",
        )
        .map_err(failed)?;
    let mut before = connection
        .prepare(
            "SELECT at FROM case_history WHERE case_id = ?1 AND id < ?2
             ORDER BY id DESC LIMIT 1",
        )
        .map_err(failed)?;
    let mut name_of = connection
        .prepare("SELECT display_name FROM staff_users WHERE id = ?1")
        .map_err(failed)?;
    let mut names: HashMap<i64, Option<String>> = HashMap::new();
    let mut rows = Vec::new();
    for case in steps.chunk_by(|a, b| a.case_id == b.case_id) {
        if case.iter().all(|step| step.action.is_none()) {
            continue;
        }
        let first = &case[0];
        let facts = case_of
            .query_row(rusqlite::params![first.case_id, office], |row| {
                Ok(CaseFacts {
                    service_id: row.get(0)?,
                    workflow_id: row.get(1)?,
                    workflow_version: row.get(2)?,
                })
            })
            .optional()
            .map_err(failed)?;
        // Another office's case.
        let Some(facts) = facts else { continue };
        for (position, step) in case.iter().enumerate() {
            let Some(action) = &step.action else { continue };
            let reached_at = match position.checked_sub(1) {
                Some(previous) => Some(case[previous].at),
                None => before
                    .query_row([step.case_id, step.id], |row| row.get(0))
                    .optional()
                    .map_err(failed)?,
            };
            let name = match names.get(&action.staff_id) {
                Some(name) => name,
                None => {
                    let name = name_of
                        .query_row([action.staff_id], |row| row.get(0))
                        .optional()
                        .map_err(failed)?;
                    names.entry(action.staff_id).or_insert(name)
                }
            };
            let Some(name) = name else { continue };
            rows.push(StaffActionRow {
                staff_id: action.staff_id,
                actor_name: name.clone(),
                service_id: facts.service_id.clone(),
                workflow_id: facts.workflow_id.clone(),
                workflow_version: facts.workflow_version,
                action: words.word(action.action),
                from_state: action.from_state.map(|state| words.word(state)),
                to_state: words.word(action.to_state),
                at: step.at,
                reached_at,
            });
        }
    }
    Ok(rows)
}

/// Every history row of the period from the time index alone, and the words its staff
/// actions name.
fn period_rows(connection: &Connection, from: i64, to: i64) -> Result<(Vec<Step>, Words)> {
    let mut statement = connection
        .prepare(
            "SELECT case_id, id, at, actor_staff_id, action, from_state, to_state
             FROM case_history INDEXED BY case_history_by_time
             WHERE at >= ?1 AND at < ?2",
        )
        .map_err(failed)?;
    let mut rows = statement.query([from, to]).map_err(failed)?;
    let (mut steps, mut words) = (Vec::new(), Words::default());
    while let Some(row) = rows.next().map_err(failed)? {
        let staff: Option<i64> = row.get(3).map_err(failed)?;
        let action = match staff {
            Some(staff_id) => Some(Action {
                staff_id,
                action: words.of(text(row, 4)?.unwrap_or_default()),
                from_state: text(row, 5)?.map(|state| words.of(state)),
                to_state: words.of(text(row, 6)?.unwrap_or_default()),
            }),
            None => None,
        };
        steps.push(Step {
            case_id: row.get(0).map_err(failed)?,
            id: row.get(1).map_err(failed)?,
            at: row.get(2).map_err(failed)?,
            action,
        });
    }
    Ok((steps, words))
}

/// A text column borrowed from the row, not copied.
fn text<'r>(row: &'r rusqlite::Row<'_>, column: usize) -> Result<Option<&'r str>> {
    row.get_ref(column)
        .map_err(failed)?
        .as_str_or_null()
        .map_err(|error| {
            failed(rusqlite::Error::FromSqlConversionFailure(
                column,
                rusqlite::types::Type::Text,
                Box::new(error),
            ))
        })
}
