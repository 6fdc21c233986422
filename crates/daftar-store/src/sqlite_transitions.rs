//! SQLite's case transitions, committed in groups.
//!
//! A transition is durable: its commit waits for the disk, and SQLite writes one
//! transaction at a time, so staff acting at the same moment would each wait for the
//! commits of everyone ahead of them. Transitions that arrive while a commit is under way
//! are instead written together by the next one (group commit). Each still succeeds or
//! fails on its own: one that loses its compare-and-set writes nothing, one the database
//! refuses is taken out and the rest written again, and no caller hears "done" before the
//! commit that holds its transition is on disk. PostgreSQL does the same by itself for
//! concurrent clients.
//!
//! The statements are the ones the shared transaction runs through sqlx
//! ([`crate::shared_cases`]), run here through rusqlite on a blocking thread: for
//! statements this small, sqlx's hand-offs between threads cost more than SQLite's work.

use rusqlite::{Connection, OptionalExtension, TransactionBehavior, params};
use sqlx::SqlitePool;
use tokio::sync::{mpsc, oneshot};

use crate::shared_cases::{
    CLEAR_TASKS, INSERT_HISTORY, INSERT_NOTIFICATION, INSERT_TASK, MOVE_CASE, MovedCase,
    actor_columns, move_values, recipient_columns,
};
use crate::sqlite_bulk::BatchWriter;
use crate::sqlite_lookup::failed;
use crate::{Result, StoreError, Transition, to_db_time};

/// The most transitions one commit carries; more wait for the next.
const GROUP: usize = 256;

/// Where transitions queue for the committing task.
#[derive(Debug, Clone)]
pub(crate) struct TransitionQueue {
    arrivals: mpsc::UnboundedSender<Pending>,
}

#[derive(Debug)]
struct Pending {
    transition: Transition,
    now: i64,
    done: oneshot::Sender<Result<i64>>,
}

fn stopped() -> StoreError {
    StoreError::Database(sqlx::Error::PoolClosed)
}

impl TransitionQueue {
    /// Starts the task that commits the queue's transitions; it ends with the last
    /// clone of the queue.
    pub(crate) fn start(writer: SqlitePool, batch_writer: BatchWriter) -> TransitionQueue {
        let (arrivals, queue) = mpsc::unbounded_channel();
        tokio::spawn(commit_in_groups(queue, writer, batch_writer));
        TransitionQueue { arrivals }
    }

    /// Writes the transition with whatever else is waiting; answers once it is committed.
    pub(crate) async fn apply(&self, transition: &Transition, now: jiff::Timestamp) -> Result<i64> {
        let (done, outcome) = oneshot::channel();
        self.arrivals
            .send(Pending {
                transition: transition.clone(),
                now: to_db_time(now),
                done,
            })
            .map_err(|_| stopped())?;
        outcome.await.map_err(|_| stopped())?
    }
}

async fn commit_in_groups(
    mut queue: mpsc::UnboundedReceiver<Pending>,
    writer: SqlitePool,
    batch_writer: BatchWriter,
) {
    let mut group = Vec::with_capacity(GROUP);
    while queue.recv_many(&mut group, GROUP).await > 0 {
        let (work, answers): (Vec<_>, Vec<_>) = group
            .drain(..)
            .map(|pending| ((pending.transition, pending.now), pending.done))
            .unzip();
        // The sqlx writer is held so that the store's other writes wait their turn.
        let outcomes = match writer.acquire().await {
            Ok(_writer) => {
                batch_writer
                    .run(move |connection| write_group(connection, &work))
                    .await
            }
            Err(e) => Err(e.into()),
        };
        match outcomes {
            Ok(outcomes) => {
                for (done, outcome) in answers.into_iter().zip(outcomes) {
                    // A caller that stopped waiting has nothing to hear.
                    let _ = done.send(outcome);
                }
            }
            Err(e) => {
                tracing::error!(error = %e, "a group of case transitions was not committed");
                let message = e.to_string();
                for done in answers {
                    let _ = done.send(Err(refusal(message.clone())));
                }
            }
        }
    }
}

/// One transaction for the group. A transition that the database refuses may have written
/// part of itself, so the transaction is rolled back and the group written again without
/// it; refusals are rare, and savepoints around every transition would cost more than
/// half again as much (measured). A stale version is no refusal: it writes nothing.
/// The outer error is the commit's, which fails them all.
fn write_group(
    connection: &mut Connection,
    group: &[(Transition, i64)],
) -> Result<Vec<Result<i64>>> {
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
                Err(StoreError::Database(error)) => {
                    refused[i] = Some(match error {
                        sqlx::Error::Protocol(reason) => reason,
                        other => other.to_string(),
                    });
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

fn refusal(reason: String) -> StoreError {
    StoreError::Database(sqlx::Error::Protocol(reason))
}

fn write_one(connection: &Connection, transition: &Transition, now: i64) -> Result<i64> {
    let case = transition.case.0;
    let moved = connection
        .prepare_cached(MOVE_CASE)
        .and_then(|mut statement| {
            statement
                .query_row(move_values(transition, now), |row| MovedCase::try_from(row))
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
