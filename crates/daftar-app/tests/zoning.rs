//! The detailed plan's use cases on SQLite and PostgreSQL: the demo's plan loaded and in
//! force, a map put in force by its import, and the demo starting again whatever rules
//! were kept under its version.

mod support;

use std::sync::Arc;

use daftar_app::{Zoning, ZoningError, demo};
use daftar_store::Store;
use jiff::Timestamp;

with_both_databases!(
    the_demo_plan_is_in_force_after_loading,
    an_import_puts_the_new_map_in_force,
    the_demo_starts_again_with_rules_kept_under_its_version,
);

async fn the_demo_plan_is_in_force_after_loading(store: Arc<dyn Store>) {
    let zoning = Zoning::new(store.clone(), daftar_app::Properties::new(store.clone()));
    assert!(matches!(
        zoning.at_point(51.425, 35.805).await,
        Err(ZoningError::NoMap)
    ));
    demo::load(store.as_ref()).await.unwrap();
    // A service made before the map: the first inquiry finds it.
    let answer = zoning.at_point(51.425, 35.805).await.unwrap();
    assert_eq!(answer.zones[0].zone.code.as_str(), "R111");
    assert!(answer.made_for_demo);
    // Loading the demo again imports nothing more.
    demo::load(store.as_ref()).await.unwrap();
    assert_eq!(store.latest_zoning_map().await.unwrap().unwrap().version, 1);
}

async fn an_import_puts_the_new_map_in_force(store: Arc<dyn Store>) {
    demo::load(store.as_ref()).await.unwrap();
    let zoning = Zoning::new(store.clone(), daftar_app::Properties::new(store.clone()));
    assert_eq!(
        zoning.at_point(51.425, 35.805).await.unwrap().zones[0]
            .zone
            .code
            .as_str(),
        "R111"
    );
    // The same map with the R111 square made M111.
    let changed = demo::DEMO_ZONING_MAP.replacen("\"code\": \"R111\"", "\"code\": \"M111\"", 1);
    let imported = zoning.import_map(&changed).await.unwrap();
    assert_eq!(imported.version, 2);
    let answer = zoning.at_point(51.425, 35.805).await.unwrap();
    assert_eq!(answer.zoning_version, 2);
    assert_eq!(answer.zones[0].zone.code.as_str(), "M111");
}

async fn the_demo_starts_again_with_rules_kept_under_its_version(store: Arc<dyn Store>) {
    // Someone edited the demo's rules file without a new version: what was kept stays.
    let edited = daftar_core::zoning::rules::DEMO_RULES
        .replace("MADE UP FOR THE DEMO", "MADE UP FOR THE DEMO (edited)");
    assert!(
        store
            .save_zone_rules("demo-1", &edited, Timestamp::now())
            .await
            .unwrap()
    );
    demo::load(store.as_ref()).await.unwrap();
    assert!(store.latest_zoning_map().await.unwrap().is_some());
}
