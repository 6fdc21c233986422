//! Online payments' storage on SQLite and PostgreSQL: a hand-over recorded, read back by
//! its reference, and ended once.

mod support;

use daftar_store::{NewOnlinePayment, OnlinePaymentEnding, OnlinePaymentStatus, Store, StoreError};
use jiff::Timestamp;

on_both_databases!(
    a_hand_over_is_read_back_by_its_reference,
    a_hand_over_ends_once,
    a_reference_or_a_gateway_token_is_never_taken_twice,
);

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

fn hand_over(reference: &str, authority: &str) -> NewOnlinePayment {
    NewOnlinePayment {
        reference: reference.into(),
        gateway: "zarinpal".into(),
        authority: authority.into(),
        bill_id: "1101670000385".into(),
        payment_id: "5017500".into(),
        amount_rials: 3_850_000,
        started_at: t(0),
    }
}

async fn a_hand_over_is_read_back_by_its_reference(store: &dyn Store) {
    store
        .start_online_payment(&hand_over("ref-1", "A0001"))
        .await
        .unwrap();
    let read = store.online_payment("ref-1").await.unwrap().unwrap();
    assert_eq!(read.status, OnlinePaymentStatus::Started);
    assert_eq!(read.authority, "A0001");
    assert_eq!(read.amount_rials, 3_850_000);
    assert_eq!(read.bill_id, "1101670000385");
    assert_eq!(read.started_at, t(0));
    assert_eq!(read.finished_at, None);
    assert!(store.online_payment("ref-2").await.unwrap().is_none());
}

async fn a_hand_over_ends_once(store: &dyn Store) {
    store
        .start_online_payment(&hand_over("ref-1", "A0001"))
        .await
        .unwrap();
    let paid = OnlinePaymentEnding::Paid {
        ref_id: "201".into(),
        card_pan: Some("502229******5995".into()),
    };
    assert!(
        store
            .finish_online_payment("ref-1", &paid, t(60))
            .await
            .unwrap()
    );
    // A replay, paid or failed, changes nothing.
    assert!(
        !store
            .finish_online_payment("ref-1", &paid, t(90))
            .await
            .unwrap()
    );
    assert!(
        !store
            .finish_online_payment("ref-1", &OnlinePaymentEnding::Failed, t(90))
            .await
            .unwrap()
    );
    let read = store.online_payment("ref-1").await.unwrap().unwrap();
    assert_eq!(read.status, OnlinePaymentStatus::Paid);
    assert_eq!(read.ref_id.as_deref(), Some("201"));
    assert_eq!(read.card_pan.as_deref(), Some("502229******5995"));
    assert_eq!(read.finished_at, Some(t(60)));
    // An unknown reference ends nothing.
    assert!(
        !store
            .finish_online_payment("ref-9", &OnlinePaymentEnding::Failed, t(90))
            .await
            .unwrap()
    );
}

async fn a_reference_or_a_gateway_token_is_never_taken_twice(store: &dyn Store) {
    store
        .start_online_payment(&hand_over("ref-1", "A0001"))
        .await
        .unwrap();
    for again in [hand_over("ref-1", "A0002"), hand_over("ref-2", "A0001")] {
        assert!(matches!(
            store.start_online_payment(&again).await,
            Err(StoreError::Conflict("online payment"))
        ));
    }
    assert!(store.online_payment("ref-2").await.unwrap().is_none());
}
