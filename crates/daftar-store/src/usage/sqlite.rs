//! SQLite's read of a period's staff actions for the usage report, through rusqlite on a
//! blocking thread, with each action's predecessor worked out here rather than by `LAG`.
//!
//! A month is some 800,000 history rows. The time index hands them over in about 0.15 s,
//! but sorting them by case for a window took ten times as long, and sqlx's hand-over of
//! each row from its connection's thread as long again (docs/PERFORMANCE.md, "The usage
//! report"). Here the rows are read in the index's order, sorted by case in memory, and
//! each case (and, for a case's first row in the period, the row before it) is looked up
//! once by its key, all in one read transaction.

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
    /// The index of its staff action, when a staff member took it.
    action: Option<usize>,
}

/// A staff action of the period, before its case and predecessor are known.
struct Action {
    staff_id: i64,
    action: String,
    from_state: Option<String>,
    to_state: String,
    at: i64,
    reached_at: Option<i64>,
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
    let (mut steps, mut actions) = period_rows(connection, from, to)?;
    // LAG(at) OVER (PARTITION BY case_id ORDER BY id), but for a case's first row in the
    // period, the row before the period.
    steps.sort_unstable_by_key(|step| (step.case_id, step.id));
    let mut before = connection
        .prepare(
            "SELECT at FROM case_history WHERE case_id = ?1 AND id < ?2
             ORDER BY id DESC LIMIT 1",
        )
        .map_err(failed)?;
    let mut previous: Option<&Step> = None;
    for step in &steps {
        let same_case = previous.filter(|p| p.case_id == step.case_id);
        if let Some(index) = step.action {
            actions[index].reached_at = match same_case {
                Some(p) => Some(p.at),
                None => before
                    .query_row([step.case_id, step.id], |row| row.get(0))
                    .optional()
                    .map_err(failed)?,
            };
        }
        previous = Some(step);
    }

    let mut case_of = connection
        .prepare(
            "SELECT service_id, workflow_id, workflow_version FROM cases
             WHERE id = ?1 AND office_code = ?2",
        )
        .map_err(failed)?;
    let mut name_of = connection
        .prepare("SELECT display_name FROM staff_users WHERE id = ?1")
        .map_err(failed)?;
    let mut names: HashMap<i64, Option<String>> = HashMap::new();
    let mut rows = Vec::with_capacity(actions.len());
    let mut case: Option<(i64, Option<CaseFacts>)> = None;
    for step in &steps {
        let Some(index) = step.action else { continue };
        if case.as_ref().is_none_or(|(id, _)| *id != step.case_id) {
            let facts = case_of
                .query_row(rusqlite::params![step.case_id, office], |row| {
                    Ok(CaseFacts {
                        service_id: row.get(0)?,
                        workflow_id: row.get(1)?,
                        workflow_version: row.get(2)?,
                    })
                })
                .optional()
                .map_err(failed)?;
            case = Some((step.case_id, facts));
        }
        // Another office's case.
        let Some((_, Some(facts))) = &case else {
            continue;
        };
        let action = &mut actions[index];
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
            action: std::mem::take(&mut action.action),
            from_state: action.from_state.take(),
            to_state: std::mem::take(&mut action.to_state),
            at: action.at,
            reached_at: action.reached_at,
        });
    }
    Ok(rows)
}

/// Every history row of the period from the time index alone, and its staff actions.
fn period_rows(connection: &Connection, from: i64, to: i64) -> Result<(Vec<Step>, Vec<Action>)> {
    let mut statement = connection
        .prepare(
            "SELECT case_id, id, at, actor_staff_id, action, from_state, to_state
             FROM case_history INDEXED BY case_history_by_time
             WHERE at >= ?1 AND at < ?2",
        )
        .map_err(failed)?;
    let mut rows = statement.query([from, to]).map_err(failed)?;
    let (mut steps, mut actions) = (Vec::new(), Vec::new());
    while let Some(row) = rows.next().map_err(failed)? {
        let staff: Option<i64> = row.get(3).map_err(failed)?;
        let action = match staff {
            Some(staff_id) => {
                actions.push(Action {
                    staff_id,
                    action: row.get(4).map_err(failed)?,
                    from_state: row.get(5).map_err(failed)?,
                    to_state: row.get(6).map_err(failed)?,
                    at: row.get(2).map_err(failed)?,
                    reached_at: None,
                });
                Some(actions.len() - 1)
            }
            None => None,
        };
        steps.push(Step {
            case_id: row.get(0).map_err(failed)?,
            id: row.get(1).map_err(failed)?,
            at: row.get(2).map_err(failed)?,
            action,
        });
    }
    Ok((steps, actions))
}
