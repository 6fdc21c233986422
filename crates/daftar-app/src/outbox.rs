//! Delivering the outbox's notifications through the [`Notifier`], and the background
//! worker that does it (and runs the SLA sweep of [`Cases`]).
//!
//! Notifications are written in the same transaction as the change they announce; this
//! module only delivers them afterwards, so a change is never announced without having
//! happened. Delivery is at least once: a worker claims the messages it sends for a lease
//! (so two workers, on one instance or several, never send one message at once), stops
//! sending before the lease runs out, and a message whose sending failed is tried again
//! later, each time twice as late ([`retry_delay`]), up to
//! [`MAX_ATTEMPTS`](daftar_store::outbox::MAX_ATTEMPTS) times: about four hours in all, so
//! that a gateway's outage of minutes or an hour loses nothing.

use std::sync::Arc;
use std::time::Duration;

use daftar_store::{AccountStore, Attempt, OutboxStore, PendingNotification, Recipient};
use jiff::{SignedDuration, Timestamp};

use crate::cases::Cases;
use crate::notify::Notifier;

/// Messages claimed per round.
const BATCH: i64 = 100;
/// How long a claim keeps a message from other workers, unless configured
/// (`--outbox-lease-secs`); a worker that died mid-round holds its messages no longer
/// than this.
pub const LEASE: SignedDuration = SignedDuration::from_mins(5);
/// A worker sends nothing once its lease has less than this left, the longest one send
/// to a gateway takes (its client gives up after 10 s), with room to mark it: what is
/// left is claimed again, by whoever comes first, when the lease runs out.
const LAST_SEND: SignedDuration = SignedDuration::from_secs(30);
/// The shortest lease allowed: twice [`LAST_SEND`], so that a round has time to send.
pub const SHORTEST_LEASE: SignedDuration = SignedDuration::from_secs(60);

/// How long a message waits after its `attempts`-th failed try: 30 s, doubling, at most
/// an hour.
pub fn retry_delay(attempts: u32) -> SignedDuration {
    let seconds = 30_i64.saturating_mul(1_i64 << attempts.min(20));
    SignedDuration::from_secs(seconds.min(3600))
}

/// The delivery of notifications, over the outbox, the accounts (whose mobile a
/// recipient has) and the notifier.
#[derive(Debug, Clone)]
pub struct Outbox {
    outbox: Arc<dyn OutboxStore>,
    accounts: Arc<dyn AccountStore>,
    notifier: Arc<dyn Notifier>,
    lease: SignedDuration,
}

impl Outbox {
    pub fn new(
        outbox: Arc<dyn OutboxStore>,
        accounts: Arc<dyn AccountStore>,
        notifier: Arc<dyn Notifier>,
    ) -> Outbox {
        Outbox {
            outbox,
            accounts,
            notifier,
            lease: LEASE,
        }
    }

    /// Claims messages for `lease` rather than [`LEASE`]; at least [`SHORTEST_LEASE`].
    pub fn with_lease(mut self, lease: SignedDuration) -> anyhow::Result<Outbox> {
        anyhow::ensure!(
            lease >= SHORTEST_LEASE,
            "the outbox lease must be at least {} seconds",
            SHORTEST_LEASE.as_secs()
        );
        self.lease = lease;
        Ok(self)
    }

    /// Claims what is due and sends it; returns how many messages were tried.
    pub async fn deliver_pending(&self) -> anyhow::Result<usize> {
        self.deliver_due(Timestamp::now()).await
    }

    /// Claims what is due at `now` and sends it, stopping before the claim runs out;
    /// returns how many messages were tried.
    pub async fn deliver_due(&self, now: Timestamp) -> anyhow::Result<usize> {
        let claimed = self
            .outbox
            .claim_notifications(BATCH, now, self.lease)
            .await?;
        let started = Timestamp::now();
        let mut tried = 0;
        for notification in &claimed {
            if Timestamp::now().duration_since(started) >= self.lease - LAST_SEND {
                break;
            }
            let attempt = if self.deliver(notification).await {
                Attempt::Sent
            } else {
                Attempt::Failed {
                    retry_at: now + retry_delay(notification.attempts),
                }
            };
            if !self
                .outbox
                .mark_notification(notification, attempt, now)
                .await?
            {
                tracing::warn!(
                    notification = notification.id,
                    "A notification's claim ran out while it was sent."
                );
            }
            tried += 1;
        }
        Ok(tried)
    }

    /// Sends one notification to everyone it names; false if any send failed.
    async fn deliver(&self, notification: &PendingNotification) -> bool {
        let mobiles = match &notification.to {
            Recipient::Citizen(national_id) => match self.accounts.citizen(national_id).await {
                Ok(citizen) => citizen.map(|c| c.mobile).into_iter().collect(),
                Err(error) => {
                    tracing::warn!(error = %error, "Could not look up a notification's recipient.");
                    return false;
                }
            },
            Recipient::Role(office, role) => {
                match self.accounts.staff_mobiles(office, *role).await {
                    Ok(mobiles) => mobiles,
                    Err(error) => {
                        tracing::warn!(error = %error, "Could not look up a unit's mobiles.");
                        return false;
                    }
                }
            }
        };
        // Nobody to send to (a unit whose staff left no mobile) is done, not failed: trying
        // again would not find anyone either.
        let mut all_sent = true;
        for mobile in &mobiles {
            let sent = self.notifier.send(mobile, &notification.text).await;
            let outcome = if sent.is_ok() { "sent" } else { "failed" };
            metrics::counter!("daftar_sms_total", "kind" => "notice", "outcome" => outcome)
                .increment(1);
            if let Err(error) = sent {
                tracing::warn!(
                    notification = notification.id,
                    error = %error,
                    "A notification could not be sent; it will be tried again."
                );
                all_sent = false;
            }
        }
        all_sent
    }
}

/// The worker [`spawn_worker`] started: stopped, it finishes the round under way (the
/// notices it claimed are sent, not left to wait out their lease) and claims no more.
#[derive(Debug)]
pub struct Worker {
    stop: tokio::sync::watch::Sender<bool>,
    task: tokio::task::JoinHandle<()>,
}

impl Worker {
    /// Stops the worker after its round under way; waits for that round (30 s at most).
    pub async fn stop(self) {
        let _ = self.stop.send(true);
        if tokio::time::timeout(Duration::from_secs(30), self.task)
            .await
            .is_err()
        {
            tracing::warn!("The outbox worker's last round outlasted 30 seconds.");
        }
    }
}

/// Delivers notifications every few seconds and sweeps for overdue tasks every minute.
/// Safe on several instances: each message is claimed by one worker at a time, and the
/// sweep marks each task once, whoever runs it.
pub fn spawn_worker(outbox: Outbox, cases: Cases) -> Worker {
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let task = tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        let mut rounds: u64 = 0;
        loop {
            tokio::select! {
                _ = tick.tick() => {}
                // Only a stop asked for: a dropped handle leaves the worker running.
                Ok(()) = stopped.changed() => break,
            }
            if rounds.is_multiple_of(12) {
                let swept = cases.sweep_overdue(Timestamp::now()).await;
                let outcome = if swept.is_ok() { "done" } else { "failed" };
                metrics::counter!("daftar_sla_sweeps_total", "outcome" => outcome).increment(1);
                if let Ok(marked) = &swept {
                    metrics::counter!("daftar_tasks_marked_overdue_total")
                        .increment(marked.len() as u64);
                }
                match swept {
                    Ok(marked) if !marked.is_empty() => {
                        tracing::info!(tasks = marked.len(), "Marked tasks overdue.");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(error = %error, "The SLA sweep failed."),
                }
            }
            rounds = rounds.wrapping_add(1);
            if let Err(error) = outbox.deliver_pending().await {
                tracing::warn!(error = %error, "Could not deliver notifications.");
            }
        }
    });
    Worker { stop, task }
}
