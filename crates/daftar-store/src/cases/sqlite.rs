//! SQLite's case transitions, committed in groups.
//!
//! SQLite writes one transaction at a time, so without groups staff acting at the same
//! moment would each wait for the commits of everyone ahead of them ([`crate::cases::group_commit`]).
//! The statements are the ones the shared transaction runs through sqlx
//! ([`crate::cases::sql`]), run here through rusqlite on a blocking thread: for
//! statements this small, sqlx's hand-offs between threads cost more than SQLite's work.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sqlx::SqlitePool;

use crate::billing::lookup::failed;
use crate::billing::sqlite::BatchWriter;
use crate::cases::group_commit::{GroupWriter, Timed, refusal};
use crate::cases::sql::{
    CLEAR_TASKS, INSERT_HISTORY, INSERT_NOTIFICATION, INSERT_TASK, MOVE_CASE, MovedCase,
    actor_columns, move_values, recipient_columns,
};
use crate::{Result, StoreError, Transition};

/// Writes a group through the bulk writer's rusqlite connection.
pub(crate) struct SqliteGroups {
    pub(crate) writer: SqlitePool,
    pub(crate) batch_writer: BatchWriter,
}

impl GroupWriter for SqliteGroups {
    async fn write(&self, group: Vec<Timed>) -> Result<Vec<Result<i64>>> {
        // The sqlx writer is held so that the store's other writes wait their turn.
        let writer = self.writer.acquire().await?;
        self.batch_writer
            .run(writer, move |connection| write_group(connection, &group))
            .await
    }
}

/// One transaction for the group. A transition that the database refuses may have written
/// part of itself, so the transaction is rolled back and the group written again without
/// it; refusals are rare, and savepoints around every transition would cost more than
/// half again as much (measured). A stale version is no refusal: it writes nothing.
/// The outer error is the commit's, which fails them all.
fn write_group(connection: &mut Connection, group: &[Timed]) -> Result<Vec<Result<i64>>> {
    let mut refused: Vec<Option<String>> = vec![None; group.len()];
    'attempt: loop {
        let tx = connection
            .transaction_with_behavior(TransactionBehavior::Immediate)
            .map_err(failed)?;
        let mut outcomes = Vec::with_capacity(group.len());
        for (i, (transition, now)) in group.iter().enumerate() {
            if let Some(reason) = &refused[i] {
                outcomes.push(Err(refusal(reason.clone())));
                continue;
            }
            match write_one(&tx, transition, *now) {
                Err(error @ (StoreError::Database(_) | StoreError::Sqlite(_))) => {
                    refused[i] = Some(error.to_string());
                    // Dropping the transaction rolls it back.
                    continue 'attempt;
                }
                outcome => outcomes.push(outcome),
            }
        }
        tx.commit().map_err(failed)?;
        return Ok(outcomes);
    }
}

fn write_one(connection: &Connection, transition: &Transition, now: i64) -> Result<i64> {
    let case = transition.case.0;
    let values = move_values(transition, now);
    let hash = values.6.clone();
    let moved = connection
        .prepare_cached(MOVE_CASE)
        .and_then(|mut statement| {
            statement
                .query_row(values, |row| MovedCase::try_from(row))
                .optional()
        })
        .map_err(failed)?;
    let Some((_, office, service_id, district, version)) = moved else {
        return Err(StoreError::Conflict("case version"));
    };
    let written = || -> rusqlite::Result<()> {
        connection.prepare_cached(CLEAR_TASKS)?.execute([case])?;
        let mut insert_task = connection.prepare_cached(INSERT_TASK)?;
        for task in &transition.tasks {
            insert_task.execute(params![
                case,
                task.role.slug(),
                task.state,
                office,
                service_id,
                district,
                task.sla_due.iso_jalali(),
                task.assignee.map(|a| a.0),
                now,
            ])?;
        }
        let history = &transition.history;
        let (kind, staff_id, name) = actor_columns(&history.actor);
        connection.prepare_cached(INSERT_HISTORY)?.execute(params![
            case,
            now,
            kind,
            staff_id,
            name,
            history.action,
            history.from_state,
            history.to_state,
            history.comment,
            history.changes,
            hash,
        ])?;
        let mut insert_notification = connection.prepare_cached(INSERT_NOTIFICATION)?;
        for notification in &transition.notifications {
            let (kind, address) = recipient_columns(&notification.to);
            insert_notification.execute(params![case, kind, address, notification.text, now])?;
        }
        Ok(())
    };
    written().map_err(failed)?;
    Ok(version)
}
