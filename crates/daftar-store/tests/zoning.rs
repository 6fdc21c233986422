//! The detailed plan's storage on SQLite and PostgreSQL: zone rules kept by version, and
//! each import of the zoning map a new version, read back whole and in order.

mod support;

use daftar_store::{NewZoneFeature, Store, StoreError};
use jiff::Timestamp;

on_both_databases!(
    rules_are_kept_by_version_and_never_rewritten,
    each_import_is_a_new_version_read_back_in_order,
    a_map_needs_its_rules,
);

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

fn feature(code: &str, flags: &[&str]) -> NewZoneFeature {
    NewZoneFeature {
        code: code.into(),
        geometry: format!(
            r#"{{"type":"Polygon","coordinates":[[[51.4,35.8],[51.5,35.8],[51.5,35.9],[51.4,35.8]]],"code":"{code}"}}"#
        ),
        flags: flags.iter().map(|flag| (*flag).to_owned()).collect(),
    }
}

async fn rules_are_kept_by_version_and_never_rewritten(store: &dyn Store) {
    assert!(store.zone_rules(None).await.unwrap().is_none());
    assert!(store.save_zone_rules("v1", "body one", t(0)).await.unwrap());
    assert!(
        !store.save_zone_rules("v1", "body one", t(5)).await.unwrap(),
        "the same again changes nothing"
    );
    assert!(matches!(
        store.save_zone_rules("v1", "other body", t(6)).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(
        store
            .save_zone_rules("v2", "body two", t(10))
            .await
            .unwrap()
    );
    assert_eq!(
        store.zone_rules(None).await.unwrap().unwrap().version,
        "v2",
        "the latest"
    );
    let first = store.zone_rules(Some("v1")).await.unwrap().unwrap();
    assert_eq!((first.body.as_str(), first.loaded_at), ("body one", t(0)));
    assert!(store.zone_rules(Some("v3")).await.unwrap().is_none());
}

async fn each_import_is_a_new_version_read_back_in_order(store: &dyn Store) {
    store.save_zone_rules("v1", "rules", t(0)).await.unwrap();
    assert!(store.latest_zoning_map().await.unwrap().is_none());
    let first = vec![
        feature("R121", &["worn_out_fabric", "heritage"]),
        feature("G111", &[]),
    ];
    assert_eq!(store.save_zoning_map("v1", &first, t(1)).await.unwrap(), 1);
    let second = vec![
        feature("M111", &[]),
        feature("R111", &[]),
        feature("R121", &[]),
    ];
    assert_eq!(store.save_zoning_map("v1", &second, t(2)).await.unwrap(), 2);
    let latest = store.latest_zoning_map().await.unwrap().unwrap();
    assert_eq!(latest.version, 2);
    assert_eq!(latest.rules_version, "v1");
    assert_eq!(latest.imported_at, t(2));
    assert_eq!(latest.features, second);
    // The first version is untouched by the second (its flags come back as they went in).
    store.save_zoning_map("v1", &first, t(3)).await.unwrap();
    assert_eq!(
        store.latest_zoning_map().await.unwrap().unwrap().features,
        first
    );
}

async fn a_map_needs_its_rules(store: &dyn Store) {
    let refused = store
        .save_zoning_map("nowhere", &[feature("R121", &[])], t(0))
        .await;
    assert!(matches!(refused, Err(StoreError::NotFound(_))));
    assert!(
        store.latest_zoning_map().await.unwrap().is_none(),
        "nothing half-written"
    );
}
