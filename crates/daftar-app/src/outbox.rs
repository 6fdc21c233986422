//! Delivering the outbox's notifications through the [`Notifier`], and the background
//! worker that does it (and runs the SLA sweep of [`Cases`]).
//!
//! Notifications are written in the same transaction as the change they announce; this
//! module only delivers them afterwards, so a change is never announced without having
//! happened. Delivery is at least once: a worker claims the messages it sends for a lease
//! (so two workers, on one instance or several, never send one message at once), and a
//! message whose sending failed is tried again on the next round, up to
//! [`MAX_ATTEMPTS`](daftar_store::outbox::MAX_ATTEMPTS) times.

use std::sync::Arc;
use std::time::Duration;

use daftar_store::{AccountStore, OutboxStore, PendingNotification, Recipient};
use jiff::{SignedDuration, Timestamp};

use crate::cases::Cases;
use crate::notify::Notifier;

/// Messages claimed per round.
const BATCH: i64 = 100;
/// How long a claim keeps a message from other workers: longer than a round of sending
/// takes (each send gives up after 10 s), so a live worker finishes before it runs out,
/// and a worker that died mid-round holds its messages no longer than this.
const LEASE: SignedDuration = SignedDuration::from_mins(5);

/// The delivery of notifications, over the outbox, the accounts (whose mobile a
/// recipient has) and the notifier.
#[derive(Debug, Clone)]
pub struct Outbox {
    outbox: Arc<dyn OutboxStore>,
    accounts: Arc<dyn AccountStore>,
    notifier: Arc<dyn Notifier>,
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
        }
    }

    /// Claims what is pending and sends it; returns how many messages were handled.
    pub async fn deliver_pending(&self) -> anyhow::Result<usize> {
        let claimed = self
            .outbox
            .claim_notifications(BATCH, Timestamp::now(), LEASE)
            .await?;
        for notification in &claimed {
            let sent = self.deliver(notification).await;
            self.outbox
                .mark_notification(notification.id, sent, Timestamp::now())
                .await?;
        }
        Ok(claimed.len())
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
            if let Err(error) = self.notifier.send(mobile, &notification.text).await {
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

/// Delivers notifications every few seconds and sweeps for overdue tasks every minute.
/// Safe on several instances: each message is claimed by one worker at a time, and the
/// sweep marks each task once, whoever runs it.
pub fn spawn_worker(outbox: Outbox, cases: Cases) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        let mut rounds: u64 = 0;
        loop {
            tick.tick().await;
            if rounds.is_multiple_of(12) {
                match cases.sweep_overdue(Timestamp::now()).await {
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
}
