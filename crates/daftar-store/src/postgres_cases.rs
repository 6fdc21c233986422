//! A case's transition on PostgreSQL in one statement.
//!
//! Written as a transaction of its own, a transition is seven round trips to the server
//! (BEGIN, the compare-and-set UPDATE, the tasks' DELETE and INSERT, the history, the outbox,
//! COMMIT), each a wake-up of the server process. A statement is atomic by itself, so the
//! same writes go as one: data-modifying WITH clauses that all hang on the UPDATE's result,
//! so that when the compare-and-set matches nothing, nothing at all is written. The
//! clauses run on one snapshot, so the DELETE does not see the tasks the INSERT adds.

use crate::postgres::PgStore;
use std::sync::LazyLock;

use crate::shared_cases::{MOVE_CASE, actor_columns, bind_move, recipient_columns};
use crate::{Result, StoreError, Transition, to_db_time};

/// [`MOVE_CASE`] with the rest of the transition hanging on what it returns: `$1` to `$8`
/// are its parameters, the rest the tasks, history and notices.
static TRANSITION: LazyLock<String> = LazyLock::new(|| {
    format!(
        "WITH moved AS ({MOVE_CASE}), cleared AS (
    DELETE FROM case_tasks WHERE case_id IN (SELECT id FROM moved)
), tasks AS (
    INSERT INTO case_tasks (case_id, role, state, office_code, service_id, district,
        sla_due, assignee, created_at)
    SELECT moved.id, t.role, t.state, moved.office_code, moved.service_id, moved.district,
        t.sla_due, t.assignee, $6
    FROM moved, UNNEST($9::TEXT[], $10::TEXT[], $11::TEXT[], $12::BIGINT[])
        AS t (role, state, sla_due, assignee)
), history AS (
    INSERT INTO case_history (case_id, at, actor_kind, actor_staff_id, actor_name, action,
        from_state, to_state, comment)
    SELECT moved.id, $6, $13, $14, $15, $16, $17, $18, $19 FROM moved
), notices AS (
    INSERT INTO outbox (case_id, recipient_kind, recipient, text, created_at)
    SELECT moved.id, n.kind, n.recipient, n.text, $6
    FROM moved, UNNEST($20::TEXT[], $21::TEXT[], $22::TEXT[]) AS n (kind, recipient, text)
)
SELECT version FROM moved"
    )
});

impl PgStore {
    /// The transition in one statement; `None` when it carries documents, whose versions
    /// are numbered by the transaction that [`crate::CaseStore::apply_transition`] opens.
    pub(crate) async fn transition_without_documents(
        &self,
        transition: &Transition,
        now: jiff::Timestamp,
    ) -> Option<Result<i64>> {
        if !transition.documents.is_empty() {
            return None;
        }
        let now = to_db_time(now);
        let tasks = &transition.tasks;
        let (actor_kind, actor_staff, actor_name) = actor_columns(&transition.history.actor);
        let (recipient_kinds, recipients): (Vec<&str>, Vec<String>) = transition
            .notifications
            .iter()
            .map(|n| recipient_columns(&n.to))
            .unzip();
        let history = &transition.history;
        let moved: std::result::Result<Option<(i64,)>, sqlx::Error> =
            bind_move(sqlx::query_as(TRANSITION.as_str()), transition, now)
                .bind(tasks.iter().map(|t| t.role.slug()).collect::<Vec<_>>())
                .bind(tasks.iter().map(|t| t.state.as_str()).collect::<Vec<_>>())
                .bind(
                    tasks
                        .iter()
                        .map(|t| t.sla_due.iso_jalali())
                        .collect::<Vec<_>>(),
                )
                .bind(
                    tasks
                        .iter()
                        .map(|t| t.assignee.map(|a| a.0))
                        .collect::<Vec<_>>(),
                )
                .bind(actor_kind)
                .bind(actor_staff)
                .bind(actor_name)
                .bind(&history.action)
                .bind(&history.from_state)
                .bind(&history.to_state)
                .bind(&history.comment)
                .bind(recipient_kinds)
                .bind(recipients)
                .bind(
                    transition
                        .notifications
                        .iter()
                        .map(|n| n.text.as_str())
                        .collect::<Vec<_>>(),
                )
                .fetch_optional(&self.writer)
                .await;
        Some(match moved {
            Ok(Some((version,))) => Ok(version),
            Ok(None) => Err(StoreError::Conflict("case version")),
            Err(e) => Err(e.into()),
        })
    }
}
