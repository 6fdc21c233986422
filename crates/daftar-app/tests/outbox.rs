//! Delivering the outbox without the router: every message once, however many workers
//! run, and messages given up never keep the others from being sent.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use daftar_store::Store;
use jiff::{SignedDuration, Timestamp};

use support::{Recorder, case_with_notices, outbox_with};

with_both_databases!(
    two_workers_at_once_send_each_message_once,
    messages_given_up_do_not_keep_the_others_from_being_sent,
    a_message_that_failed_waits_and_is_sent_after_an_outage,
);

async fn two_workers_at_once_send_each_message_once(store: Arc<dyn Store>) {
    case_with_notices(store.as_ref(), 60).await;
    let recorder = Arc::new(Recorder::default());
    // Two instances' workers, each claiming a round at the same moment.
    let first = outbox_with(&store, recorder.clone());
    let second = outbox_with(&store, recorder.clone());
    loop {
        let (a, b) = tokio::join!(first.deliver_pending(), second.deliver_pending());
        if a.unwrap() + b.unwrap() == 0 {
            break;
        }
    }
    let texts = recorder.texts();
    let distinct: BTreeSet<&String> = texts.iter().collect();
    assert_eq!(
        texts.len(),
        60,
        "each message sent once, not {}",
        texts.len()
    );
    assert_eq!(distinct.len(), 60);
    assert!(store.pending_notifications(100).await.unwrap().is_empty());
}

async fn messages_given_up_do_not_keep_the_others_from_being_sent(store: Arc<dyn Store>) {
    // More messages than a worker claims in a round, all failing until given up, each
    // round two hours after the last (past the longest wait between tries).
    case_with_notices(store.as_ref(), 101).await;
    let recorder = Recorder::failing();
    let outbox = outbox_with(&store, recorder.clone());
    let mut now = Timestamp::now();
    let mut rounds = 0;
    while outbox.deliver_due(now).await.unwrap() > 0 {
        rounds += 1;
        now += SignedDuration::from_hours(2);
        assert!(
            rounds <= 20,
            "given-up messages are claimed again and again"
        );
    }
    assert_eq!(store.pending_notifications(200).await.unwrap().len(), 101);
    // The gateway is back, and a new message is written behind the given-up ones.
    recorder.set_failing(false);
    let id = store
        .case_by_tracking_code("100000000017")
        .await
        .unwrap()
        .unwrap()
        .id;
    let new = daftar_store::NewNotification {
        to: daftar_store::Recipient::Citizen(
            daftar_core::ir::NationalId::parse(support::CITIZEN.0).unwrap(),
        ),
        text: "after the outage".into(),
    };
    let case = store.case(id).await.unwrap().unwrap();
    store
        .apply_transition(
            &daftar_store::Transition {
                case: id,
                expected_version: case.version,
                state: case.state.clone(),
                position_json: case.position_json.clone(),
                fields_json: None,
                sla_due: case.sla_due,
                closed: false,
                tasks: Vec::new(),
                history: daftar_store::NewHistory {
                    actor: daftar_store::Actor::Applicant,
                    action: "note".into(),
                    from_state: Some(case.state.clone()),
                    to_state: case.state.clone(),
                    comment: None,
                    changes: None,
                },
                previous_history_hash: None,
                notifications: vec![new],
                documents: Vec::new(),
                bills: Vec::new(),
                cancel_unpaid_bills: false,
                cancel_any_unpaid_bills: false,
                issued: Vec::new(),
            },
            now,
        )
        .await
        .unwrap();
    assert_eq!(outbox.deliver_due(now).await.unwrap(), 1);
    assert_eq!(recorder.texts(), vec!["after the outage".to_owned()]);
}

/// A gateway down for a few minutes: each message waits longer after each failed try,
/// so it is still there, and sent, when the gateway is back.
async fn a_message_that_failed_waits_and_is_sent_after_an_outage(store: Arc<dyn Store>) {
    case_with_notices(store.as_ref(), 1).await;
    let recorder = Recorder::failing();
    let outbox = outbox_with(&store, recorder.clone());
    let start = Timestamp::now();
    assert_eq!(outbox.deliver_due(start).await.unwrap(), 1);
    // Not due again at once, nor 29 seconds later: the first wait is 30 seconds.
    assert_eq!(outbox.deliver_due(start).await.unwrap(), 0);
    let soon = start + SignedDuration::from_secs(29);
    assert_eq!(outbox.deliver_due(soon).await.unwrap(), 0);
    let later = start + SignedDuration::from_secs(30);
    assert_eq!(outbox.deliver_due(later).await.unwrap(), 1);
    // Four minutes of outage cost three tries of ten; then the gateway is back.
    let back = later + SignedDuration::from_mins(4);
    assert_eq!(outbox.deliver_due(back).await.unwrap(), 1);
    recorder.set_failing(false);
    let after = back + SignedDuration::from_mins(2);
    assert_eq!(outbox.deliver_due(after).await.unwrap(), 1);
    assert_eq!(recorder.texts(), vec!["notice 0".to_owned()]);
    assert!(store.pending_notifications(10).await.unwrap().is_empty());
}
