//! Case transitions committed in groups, on either database.
//!
//! A transition is durable: its commit waits for the disk. Staff acting at the same moment
//! would each wait for their own commit behind everyone else's; instead, transitions that
//! arrive while a group is being written queue here and are written together by the next
//! one, with one commit (group commit). Each still succeeds or fails on its own: one that
//! loses its compare-and-set writes nothing, one the database refuses fails alone, and no
//! caller hears "done" before the commit that holds its transition is on disk. How a group
//! is written belongs to each backend ([`GroupWriter`]).

use std::collections::HashSet;
use std::future::Future;
use std::sync::{Arc, Mutex, PoisonError};

use tokio::sync::{Notify, mpsc, oneshot};

use crate::{Result, StoreError, Transition, to_db_time};

/// The most transitions one commit carries; more wait for the next.
const GROUP: usize = 256;

/// A transition and the moment it was asked for, in the database's time.
pub(crate) type Timed = (Transition, i64);

/// Writes a group of transitions in one transaction: each one's new version, or why it
/// failed, in the group's order. The outer error is the commit's, which fails them all.
pub(crate) trait GroupWriter: Send + Sync + 'static {
    fn write(&self, group: Vec<Timed>) -> impl Future<Output = Result<Vec<Result<i64>>>> + Send;
}

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

/// A refusal told to every transition it concerns; the database's own error is not `Clone`.
pub(crate) fn refusal(reason: String) -> StoreError {
    StoreError::Refused(reason)
}

impl TransitionQueue {
    /// Starts `committers` tasks that write the queue's groups, each its own group at
    /// once; they end with the last clone of the queue. While one waits for its commit
    /// the next gathers and writes the transitions that arrived meanwhile.
    pub(crate) fn start(writer: impl GroupWriter, committers: usize) -> TransitionQueue {
        let (arrivals, queue) = mpsc::unbounded_channel();
        let shared = Arc::new(Committers {
            queue: tokio::sync::Mutex::new(queue),
            in_flight: Mutex::new(HashSet::new()),
            released: Notify::new(),
            writer,
        });
        for _ in 0..committers.max(1) {
            tokio::spawn(Arc::clone(&shared).commit_in_groups());
        }
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

/// What the committing tasks share: the queue they take turns to read, and the cases in
/// the groups being written.
struct Committers<W> {
    queue: tokio::sync::Mutex<mpsc::UnboundedReceiver<Pending>>,
    in_flight: Mutex<HashSet<i64>>,
    /// Told whenever a group's cases are released.
    released: Notify,
    writer: W,
}

impl<W: GroupWriter> Committers<W> {
    async fn commit_in_groups(self: Arc<Self>) {
        let mut group = Vec::with_capacity(GROUP);
        let mut held = Vec::new();
        loop {
            group.append(&mut held);
            if group.is_empty() {
                if self.queue.lock().await.recv_many(&mut group, GROUP).await == 0 {
                    return;
                }
            } else if let Ok(mut queue) = self.queue.try_lock() {
                // Held actions go now; another committer waiting on the queue must
                // not keep them waiting for new arrivals.
                while group.len() < GROUP {
                    match queue.try_recv() {
                        Ok(pending) => group.push(pending),
                        Err(_) => break,
                    }
                }
            }
            let released = self.released.notified();
            tokio::pin!(released);
            released.as_mut().enable();
            let claim = self.claim(&mut group, &mut held);
            if group.is_empty() {
                // Everything gathered waits for a group in flight.
                released.await;
                continue;
            }
            metrics::histogram!("daftar_group_commit_size").record(group.len() as f64);
            let (work, answers): (Vec<_>, Vec<_>) = group
                .drain(..)
                .map(|pending| ((pending.transition, pending.now), pending.done))
                .unzip();
            let outcomes = self.writer.write(work).await;
            drop(claim);
            match outcomes {
                Ok(outcomes) => {
                    for (done, outcome) in answers.into_iter().zip(outcomes) {
                        // A caller that stopped waiting has nothing to hear.
                        let _ = done.send(outcome);
                    }
                }
                Err(e) => {
                    tracing::error!(error = %e, "A group of case transitions was not committed.");
                    let message = e.to_string();
                    for done in answers {
                        let _ = done.send(Err(refusal(message.clone())));
                    }
                }
            }
        }
    }

    /// Claims the group's cases for the write. Two actions on one case must not be
    /// checked against the same version in one group, nor wait on each other's row lock
    /// in two: an action on a case already claimed is held for a later group, where it
    /// meets the first one's result exactly as if it had come a moment later.
    fn claim(&self, group: &mut Vec<Pending>, held: &mut Vec<Pending>) -> Claim<'_, W> {
        let mut in_flight = self
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        let mut cases = Vec::with_capacity(group.len());
        let mut i = 0;
        while i < group.len() {
            let case = group[i].transition.case.0;
            if in_flight.insert(case) {
                cases.push(case);
                i += 1;
            } else {
                held.push(group.swap_remove(i));
            }
        }
        Claim {
            committers: self,
            cases,
        }
    }
}

/// A group's cases while it is written; released when dropped, however the write ends.
struct Claim<'a, W> {
    committers: &'a Committers<W>,
    cases: Vec<i64>,
}

impl<W> Drop for Claim<'_, W> {
    fn drop(&mut self) {
        if self.cases.is_empty() {
            return;
        }
        let mut in_flight = self
            .committers
            .in_flight
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        for case in &self.cases {
            in_flight.remove(case);
        }
        self.committers.released.notify_waiters();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Actor, CaseId, NewHistory};

    /// Records the cases of every group it is given; the first group waits at a gate
    /// until the test opens it, so that the test sees what happens meanwhile.
    struct Recorder {
        groups: mpsc::UnboundedSender<Vec<i64>>,
        gate: Mutex<Option<oneshot::Receiver<()>>>,
    }

    impl GroupWriter for Recorder {
        async fn write(&self, group: Vec<Timed>) -> Result<Vec<Result<i64>>> {
            let _ = self
                .groups
                .send(group.iter().map(|(t, _)| t.case.0).collect());
            let gate = self.gate.lock().expect("not poisoned").take();
            if let Some(gate) = gate {
                let _ = gate.await;
            }
            Ok(group
                .iter()
                .map(|(t, _)| Ok(t.expected_version + 1))
                .collect())
        }
    }

    fn action(case: i64) -> Transition {
        Transition {
            case: CaseId(case),
            expected_version: 1,
            state: "next".into(),
            position_json: "{}".into(),
            fields_json: None,
            sla_due: None,
            closed: false,
            tasks: Vec::new(),
            history: NewHistory {
                actor: Actor::System,
                action: "act".into(),
                from_state: None,
                to_state: "next".into(),
                comment: None,
                changes: None,
            },
            previous_history_hash: None,
            notifications: Vec::new(),
            documents: Vec::new(),
            bills: Vec::new(),
            cancel_unpaid_bills: false,
            cancel_any_unpaid_bills: false,
            issued: Vec::new(),
        }
    }

    fn recorder(
        committers: usize,
    ) -> (
        TransitionQueue,
        mpsc::UnboundedReceiver<Vec<i64>>,
        oneshot::Sender<()>,
    ) {
        let (groups, seen) = mpsc::unbounded_channel();
        let (open, gate) = oneshot::channel();
        let writer = Recorder {
            groups,
            gate: Mutex::new(Some(gate)),
        };
        (TransitionQueue::start(writer, committers), seen, open)
    }

    fn apply(queue: &TransitionQueue, case: i64) -> tokio::task::JoinHandle<Result<i64>> {
        let queue = queue.clone();
        tokio::spawn(async move {
            queue
                .apply(&action(case), jiff::Timestamp::UNIX_EPOCH)
                .await
        })
    }

    #[tokio::test]
    async fn an_action_on_a_case_in_flight_waits_while_other_cases_go_on() {
        let (queue, mut seen, open) = recorder(2);
        let first = apply(&queue, 1);
        assert_eq!(
            seen.recv().await,
            Some(vec![1]),
            "the first group is in flight"
        );
        let again = apply(&queue, 1);
        let other = apply(&queue, 2);
        assert_eq!(
            seen.recv().await,
            Some(vec![2]),
            "the second committer writes case 2 and holds case 1 back"
        );
        assert!(!again.is_finished());
        open.send(()).expect("the first group waits at the gate");
        assert_eq!(
            seen.recv().await,
            Some(vec![1]),
            "then case 1's second action"
        );
        for handle in [first, again, other] {
            assert!(matches!(handle.await.expect("no panic"), Ok(2)));
        }
    }

    #[tokio::test]
    async fn two_actions_on_one_case_never_share_a_group() {
        let (queue, mut seen, open) = recorder(1);
        drop(open);
        let actions = [apply(&queue, 7), apply(&queue, 8), apply(&queue, 7)];
        assert_eq!(seen.recv().await, Some(vec![7, 8]));
        assert_eq!(seen.recv().await, Some(vec![7]));
        for handle in actions {
            assert!(matches!(handle.await.expect("no panic"), Ok(2)));
        }
    }
}
