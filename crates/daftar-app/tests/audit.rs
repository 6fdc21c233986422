//! The history as a hash chain, on both databases: every row written by applying,
//! acting (alone and in a group commit) and returning holds; a row edited in the database
//! behind the program's back, removed, or stripped of its hash is named by
//! `verify_history`, and so is a case whose every row was removed.

mod support;

use std::collections::BTreeMap;
use std::sync::Arc;

use daftar_app::cases::ActionRequest;
use daftar_app::codes::RandomCodes;
use daftar_core::roles::Role;
use daftar_core::workflow::built_in;
use daftar_store::Store;

use support::{TestDb, application, cases_with, citizen, set_up_office, staff};

/// Runs `edit` as SQL against the test database, behind the store's back.
async fn tamper(db: &TestDb, edit: &str) {
    if db.url.starts_with("sqlite:") {
        let pool = sqlx::SqlitePool::connect(&db.url).await.unwrap();
        sqlx::query(edit).execute(&pool).await.unwrap();
        pool.close().await;
    } else {
        let pool = sqlx::PgPool::connect(&db.url).await.unwrap();
        sqlx::query(edit).execute(&pool).await.unwrap();
        pool.close().await;
    }
}

async fn an_edited_or_removed_history_row_breaks_the_chain(db: TestDb) {
    let store: Arc<dyn Store> = db.store.clone();
    set_up_office(store.as_ref()).await;
    let clerk = staff(store.as_ref(), Role::Formation).await;
    let files = tempfile::tempdir().unwrap();
    let cases = cases_with(&store, built_in().unwrap(), RandomCodes::default(), &files);
    let form = application(&cases, support::SERVICE).await;
    let mut opened = Vec::new();
    for _ in 0..3 {
        let case = cases.apply(&citizen(), &form).await.unwrap();
        let claimed = cases
            .mark_to(&clerk, case.id, case.version, "formation-clerk")
            .await
            .unwrap();
        let returned = cases
            .act(
                &clerk,
                case.id,
                &ActionRequest {
                    action: "return_for_deficiency".into(),
                    expected_version: claimed.version,
                    fields: BTreeMap::new(),
                    comment: Some("سند خوانا نیست".into()),
                    decision: None,
                    assignee: None,
                    uploads: vec![],
                },
            )
            .await
            .unwrap();
        opened.push(returned.id.0);
    }
    let report = cases.verify_history().await.unwrap();
    assert_eq!(report.broken, None);
    assert_eq!((report.cases, report.rows), (3, 9));
    assert_eq!(report.heads_digest.len(), 64);

    // A comment rewritten in the database.
    let case = opened[2];
    tamper(
        &db,
        &format!(
            "UPDATE case_history SET comment = 'خوانا است' WHERE id = \
             (SELECT MAX(id) FROM case_history WHERE case_id = {case})"
        ),
    )
    .await;
    let report = cases.verify_history().await.unwrap();
    let broken = report.broken.expect("the edit is found");
    assert_eq!(broken.case_id, case);

    // Put back, the chain holds again; the last row removed, the case's record of its
    // last hash no longer matches.
    tamper(
        &db,
        &format!(
            "UPDATE case_history SET comment = 'سند خوانا نیست' WHERE id = \
             (SELECT MAX(id) FROM case_history WHERE case_id = {case})"
        ),
    )
    .await;
    assert_eq!(cases.verify_history().await.unwrap().broken, None);
    tamper(
        &db,
        &format!(
            "DELETE FROM case_history WHERE id = \
             (SELECT MAX(id) FROM case_history WHERE case_id = {case})"
        ),
    )
    .await;
    let broken = cases.verify_history().await.unwrap().broken;
    assert_eq!(broken.map(|b| b.case_id), Some(case));

    // A hole: a row's hash taken away, as if written before the chain existed.
    tamper(
        &db,
        &format!("DELETE FROM case_history WHERE case_id = {case}"),
    )
    .await;
    let broken = cases.verify_history().await.unwrap().broken;
    assert_eq!(
        broken.map(|b| b.case_id),
        Some(case),
        "every row of a case removed"
    );
    tamper(&db, &format!("DELETE FROM cases WHERE id = {case}")).await;
    assert_eq!(cases.verify_history().await.unwrap().broken, None);
    let holed = opened[0];
    tamper(
        &db,
        &format!(
            "UPDATE case_history SET hash = NULL WHERE id = \
             (SELECT MAX(id) FROM case_history WHERE case_id = {holed})"
        ),
    )
    .await;
    let broken = cases.verify_history().await.unwrap().broken;
    assert_eq!(broken.map(|b| b.case_id), Some(holed));
}

#[tokio::test]
async fn an_edited_or_removed_history_row_breaks_the_chain_on_sqlite() {
    an_edited_or_removed_history_row_breaks_the_chain(TestDb::sqlite().await).await;
}

#[tokio::test]
async fn an_edited_or_removed_history_row_breaks_the_chain_on_postgres() {
    an_edited_or_removed_history_row_breaks_the_chain(TestDb::postgres().await).await;
}
