//! PostgreSQL's case transitions: a group of them in one statement.
//!
//! Written as a transaction of its own, a transition is seven round trips to the server
//! (BEGIN, the compare-and-set UPDATE, the tasks' DELETE and INSERT, the history, the
//! outbox, COMMIT), and each concurrent clerk's is a statement, a plan and a commit of its
//! own on the same cores. Here a group ([`crate::cases::group_commit`]) goes as one statement:
//! the transitions travel as arrays, one element per transition (tasks and notices carry
//! the number of the transition they belong to), and data-modifying WITH clauses all hang
//! on what the compare-and-set UPDATE returns, so a transition whose version is stale
//! writes nothing at all. The clauses run on one snapshot, so the DELETE does not see the
//! tasks the INSERT adds. A statement the database refuses (a colleague who does not
//! exist, say) writes nothing; its transitions are then written one by one, so that only
//! the one at fault fails.

use sqlx::PgPool;

use crate::cases::group_commit::{GroupWriter, Timed};
use crate::cases::sql::{actor_columns, move_values, recipient_columns};
use crate::{Result, StoreError};

/// `$1`–`$15`, `$25` and `$26` (the history's changes and hash, added last): one element per transition
/// (numbered from 1 by ORDINALITY); `$16`–`$20` the tasks, `$21`–`$24` the notices, each
/// naming its transition's number.
const TRANSITIONS: &str = "WITH t AS (
    SELECT * FROM UNNEST($1::BIGINT[], $2::BIGINT[], $3::TEXT[], $4::TEXT[], $5::TEXT[],
        $6::TEXT[], $7::BIGINT[], $8::BIGINT[], $9::TEXT[], $10::BIGINT[], $11::TEXT[],
        $12::TEXT[], $13::TEXT[], $14::TEXT[], $15::TEXT[], $25::TEXT[], $26::TEXT[])
    WITH ORDINALITY AS t (case_id, expected, state, position, fields, sla_due, closed_at, now,
        actor_kind, actor_staff_id, actor_name, action, from_state, to_state, comment, changes,
        hash, n)
), moved AS (
    UPDATE cases SET state = t.state, position = t.position,
        fields = COALESCE(t.fields, cases.fields), sla_due = t.sla_due,
        closed_at = t.closed_at, updated_at = t.now, version = cases.version + 1,
        history_hash = t.hash
    FROM t
    WHERE cases.id = t.case_id AND cases.version = t.expected AND cases.closed_at IS NULL
    RETURNING t.*, cases.office_code, cases.service_id, cases.district,
        cases.version AS new_version
), cleared AS (
    DELETE FROM case_tasks WHERE case_id IN (SELECT case_id FROM moved)
), tasks AS (
    INSERT INTO case_tasks (case_id, role, state, office_code, service_id, district,
        sla_due, assignee, created_at)
    SELECT moved.case_id, k.role, k.state, moved.office_code, moved.service_id,
        moved.district, k.sla_due, k.assignee, moved.now
    FROM UNNEST($16::BIGINT[], $17::TEXT[], $18::TEXT[], $19::TEXT[], $20::BIGINT[])
        AS k (n, role, state, sla_due, assignee)
    JOIN moved ON moved.n = k.n
), history AS (
    INSERT INTO case_history (case_id, at, actor_kind, actor_staff_id, actor_name, action,
        from_state, to_state, comment, changes, hash)
    SELECT case_id, now, actor_kind, actor_staff_id, actor_name, action, from_state,
        to_state, comment, changes, hash
    FROM moved
), notices AS (
    INSERT INTO outbox (case_id, recipient_kind, recipient, text, created_at)
    SELECT moved.case_id, o.kind, o.recipient, o.text, moved.now
    FROM UNNEST($21::BIGINT[], $22::TEXT[], $23::TEXT[], $24::TEXT[])
        AS o (n, kind, recipient, text)
    JOIN moved ON moved.n = o.n
)
SELECT n, new_version FROM moved";

/// Writes groups of transitions through the store's pool.
pub(crate) struct PgGroups {
    pub(crate) writer: PgPool,
}

impl GroupWriter for PgGroups {
    async fn write(&self, group: Vec<Timed>) -> Result<Vec<Result<i64>>> {
        match write_together(&self.writer, &group).await {
            Err(_) if group.len() > 1 => {
                let mut outcomes = Vec::with_capacity(group.len());
                for one in group.chunks(1) {
                    outcomes.push(match write_together(&self.writer, one).await {
                        Ok(mut outcome) => outcome.swap_remove(0),
                        Err(e) => Err(e),
                    });
                }
                Ok(outcomes)
            }
            Err(e) => Ok(vec![Err(e)]),
            Ok(outcomes) => Ok(outcomes),
        }
    }
}

/// The group in one statement: each transition's new version, or a conflict when its
/// version was stale. The error is the statement's, which wrote nothing.
async fn write_together(pool: &PgPool, group: &[Timed]) -> Result<Vec<Result<i64>>> {
    let mut t = Columns::default();
    for (n, (transition, now)) in (1_i64..).zip(group) {
        let history = &transition.history;
        let (actor_kind, actor_staff_id, actor_name) = actor_columns(&history.actor);
        let (state, position, fields, sla_due, closed_at, now, hash, case, expected) =
            move_values(transition, *now);
        t.case_id.push(case);
        t.expected.push(expected);
        t.state.push(state);
        t.position.push(position);
        t.fields.push(fields);
        t.sla_due.push(sla_due);
        t.closed_at.push(closed_at);
        t.now.push(now);
        t.actor_kind.push(actor_kind);
        t.actor_staff_id.push(actor_staff_id);
        t.actor_name.push(actor_name);
        t.action.push(history.action.as_str());
        t.from_state.push(history.from_state.as_deref());
        t.to_state.push(history.to_state.as_str());
        t.comment.push(history.comment.as_deref());
        t.changes.push(history.changes.as_deref());
        t.hash.push(hash);
        for task in &transition.tasks {
            t.task_n.push(n);
            t.task_role.push(task.role.slug());
            t.task_state.push(task.state.as_str());
            t.task_sla_due.push(task.sla_due.iso_jalali());
            t.task_assignee.push(task.assignee.map(|a| a.0));
        }
        for notice in &transition.notifications {
            let (kind, recipient) = recipient_columns(&notice.to);
            t.notice_n.push(n);
            t.notice_kind.push(kind);
            t.notice_recipient.push(recipient);
            t.notice_text.push(notice.text.as_str());
        }
    }
    let moved: Vec<(i64, i64)> = sqlx::query_as(TRANSITIONS)
        .bind(t.case_id)
        .bind(t.expected)
        .bind(t.state)
        .bind(t.position)
        .bind(t.fields)
        .bind(t.sla_due)
        .bind(t.closed_at)
        .bind(t.now)
        .bind(t.actor_kind)
        .bind(t.actor_staff_id)
        .bind(t.actor_name)
        .bind(t.action)
        .bind(t.from_state)
        .bind(t.to_state)
        .bind(t.comment)
        .bind(t.task_n)
        .bind(t.task_role)
        .bind(t.task_state)
        .bind(t.task_sla_due)
        .bind(t.task_assignee)
        .bind(t.notice_n)
        .bind(t.notice_kind)
        .bind(t.notice_recipient)
        .bind(t.notice_text)
        .bind(t.changes)
        .bind(t.hash)
        .fetch_all(pool)
        .await?;
    let mut outcomes: Vec<Result<i64>> = (0..group.len())
        .map(|_| Err(StoreError::Conflict("case version")))
        .collect();
    for (n, version) in moved {
        if let Some(outcome) = usize::try_from(n - 1)
            .ok()
            .and_then(|i| outcomes.get_mut(i))
        {
            *outcome = Ok(version);
        }
    }
    Ok(outcomes)
}

/// The statement's arrays, one field per parameter in order.
#[derive(Default)]
struct Columns<'a> {
    case_id: Vec<i64>,
    expected: Vec<i64>,
    state: Vec<&'a str>,
    position: Vec<&'a str>,
    fields: Vec<Option<&'a str>>,
    sla_due: Vec<Option<String>>,
    closed_at: Vec<Option<i64>>,
    now: Vec<i64>,
    actor_kind: Vec<&'static str>,
    actor_staff_id: Vec<Option<i64>>,
    actor_name: Vec<&'a str>,
    action: Vec<&'a str>,
    from_state: Vec<Option<&'a str>>,
    to_state: Vec<&'a str>,
    comment: Vec<Option<&'a str>>,
    changes: Vec<Option<&'a str>>,
    hash: Vec<String>,
    task_n: Vec<i64>,
    task_role: Vec<&'static str>,
    task_state: Vec<&'a str>,
    task_sla_due: Vec<String>,
    task_assignee: Vec<Option<i64>>,
    notice_n: Vec<i64>,
    notice_kind: Vec<&'static str>,
    notice_recipient: Vec<String>,
    notice_text: Vec<&'a str>,
}
