//! Delivering the outbox without the router: every message once, however many workers
//! run, and messages given up never keep the others from being sent.

mod support;

use std::collections::BTreeSet;
use std::sync::Arc;

use daftar_store::Store;

use support::{Recorder, case_with_notices, outbox_with};

with_both_databases!(
    two_workers_at_once_send_each_message_once,
    messages_given_up_do_not_keep_the_others_from_being_sent,
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
    // More messages than a worker claims in a round, all failing until given up.
    case_with_notices(store.as_ref(), 101).await;
    let recorder = Recorder::failing();
    let outbox = outbox_with(&store, recorder.clone());
    // Ten tries each, a hundred a round: the last message's tenth try is in round 20.
    let mut rounds = 0;
    while outbox.deliver_pending().await.unwrap() > 0 {
        rounds += 1;
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
                },
                notifications: vec![new],
                documents: Vec::new(),
            },
            jiff::Timestamp::now(),
        )
        .await
        .unwrap();
    assert_eq!(outbox.deliver_pending().await.unwrap(), 1);
    assert_eq!(recorder.texts(), vec!["after the outage".to_owned()]);
}
