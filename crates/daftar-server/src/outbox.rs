//! Background work on cases: sending the outbox's notifications through the
//! [`Notifier`](crate::notify::Notifier), and the SLA sweep.
//!
//! Notifications are written in the same transaction as the change they announce; this
//! module only delivers them afterwards, so a change is never announced without having
//! happened. Delivery is at least once: a message whose sending failed is tried again on
//! the next round.

use std::time::Duration;

use daftar_core::calendar::JalaliDate;
use daftar_core::roles::Role;
use daftar_store::{NewNotification, OverdueTask, PendingNotification, Recipient};
use jiff::Timestamp;

use crate::app::AppState;

/// Messages sent per round.
const BATCH: i64 = 100;
/// A message that failed this many times is given up (and stays in the table).
const MAX_ATTEMPTS: u32 = 10;

/// Sends what is pending; returns how many messages were handled.
pub async fn deliver_pending(state: &AppState) -> anyhow::Result<usize> {
    let pending = state.store.pending_notifications(BATCH).await?;
    let mut handled = 0;
    for notification in pending
        .iter()
        .filter(|notification| notification.attempts < MAX_ATTEMPTS)
    {
        let sent = deliver(state, notification).await;
        state
            .store
            .mark_notification(notification.id, sent, Timestamp::now())
            .await?;
        handled += 1;
    }
    Ok(handled)
}

/// Sends one notification to everyone it names; false if any send failed.
async fn deliver(state: &AppState, notification: &PendingNotification) -> bool {
    let mobiles = match &notification.to {
        Recipient::Citizen(national_id) => match state.store.citizen(national_id).await {
            Ok(citizen) => citizen.map(|c| c.mobile).into_iter().collect(),
            Err(error) => {
                tracing::warn!(error = %error, "Could not look up a notification's recipient.");
                return false;
            }
        },
        Recipient::Role(office, role) => match state.store.staff_mobiles(office, *role).await {
            Ok(mobiles) => mobiles,
            Err(error) => {
                tracing::warn!(error = %error, "Could not look up a unit's mobiles.");
                return false;
            }
        },
    };
    // Nobody to send to (a unit whose staff left no mobile) is done, not failed: trying
    // again would not find anyone either.
    let mut all_sent = true;
    for mobile in &mobiles {
        if let Err(error) = state.notifier.send(mobile, &notification.text).await {
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

/// The notice the office head gets when a file in some unit's queue passes its due date.
fn overdue_notice(task: &OverdueTask) -> Vec<NewNotification> {
    let text = daftar_core::fa::to_persian_digits(&format!(
        "دفتر خدمات الکترونیک شهر: پرونده {} در کارتابل «{}» از مهلت رسیدگی گذشته است.",
        task.tracking_code,
        task.role.name_fa()
    ));
    vec![NewNotification {
        to: Recipient::Role(task.office.clone(), Role::OfficeHead),
        text,
    }]
}

/// Marks the tasks past their due date overdue and notifies the office head, once each.
pub async fn sweep_overdue(state: &AppState, now: Timestamp) -> anyhow::Result<Vec<OverdueTask>> {
    let today = JalaliDate::from_timestamp(now);
    Ok(state
        .store
        .sweep_overdue(today, now, &overdue_notice)
        .await?)
}

/// Delivers notifications every few seconds and sweeps for overdue tasks every minute.
/// Safe on several instances: the sweep marks each task once, whoever runs it.
pub fn spawn_case_worker(state: AppState) {
    tokio::spawn(async move {
        let mut tick = tokio::time::interval(Duration::from_secs(5));
        let mut rounds: u64 = 0;
        loop {
            tick.tick().await;
            if rounds.is_multiple_of(12) {
                match sweep_overdue(&state, Timestamp::now()).await {
                    Ok(marked) if !marked.is_empty() => {
                        tracing::info!(tasks = marked.len(), "Marked tasks overdue.");
                    }
                    Ok(_) => {}
                    Err(error) => tracing::warn!(error = %error, "The SLA sweep failed."),
                }
            }
            rounds = rounds.wrapping_add(1);
            if let Err(error) = deliver_pending(&state).await {
                tracing::warn!(error = %error, "Could not deliver notifications.");
            }
        }
    });
}
