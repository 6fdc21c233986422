//! The case use cases without the router: codes drawn again when taken, and queues that
//! name a state in the workflow version its case follows.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use daftar_app::cases::QueueFilter;
use daftar_app::codes::RandomCodes;
use daftar_core::roles::Role;
use daftar_core::workflow::Registry;
use daftar_store::Store;

use support::{application, cases_with, citizen, set_up_office, staff};

with_both_databases!(
    a_taken_tracking_code_is_drawn_again,
    a_queue_names_a_state_in_the_version_its_case_follows,
    an_application_to_an_office_not_set_up_is_refused_saying_so,
);

const SINGLE_REVIEW: &str = include_str!("../../../workflows/single_review.toml");

fn built_in() -> Registry {
    daftar_core::workflow::built_in().unwrap()
}

/// Draws `first` for the first `repeat` draws, then counts up from `then`.
fn draws(first: u64, repeat: usize, then: u64) -> RandomCodes {
    let drawn = AtomicUsize::new(0);
    RandomCodes::from_fn(move || {
        let n = drawn.fetch_add(1, Ordering::SeqCst);
        if n < repeat { first } else { then + n as u64 }
    })
}

async fn a_taken_tracking_code_is_drawn_again(store: Arc<dyn Store>) {
    set_up_office(store.as_ref()).await;
    let files = tempfile::tempdir().unwrap();
    // The first two draws are the same number: the second application meets a taken code.
    let cases = cases_with(&store, built_in(), draws(4_242, 2, 9_000), &files);
    let form = application(&cases, support::SERVICE).await;
    let first = cases.apply(&citizen(), &form).await.unwrap();
    let second = cases.apply(&citizen(), &form).await.unwrap();
    assert_ne!(first.tracking_code, second.tracking_code);
    assert!(
        store
            .case_by_tracking_code(&second.tracking_code)
            .await
            .unwrap()
            .is_some()
    );
    // Four taken codes in a row are not chance: the application fails and opens nothing.
    let stuck = cases_with(&store, built_in(), draws(4_242, usize::MAX, 0), &files);
    let error = stuck.apply(&citizen(), &form).await.unwrap_err();
    assert!(
        matches!(error, daftar_app::CaseError::Internal(_)),
        "{error:?}"
    );
    let mine = cases.my_cases(&citizen()).await.unwrap();
    assert_eq!(mine.len(), 2);
}

/// Before `daftar office add`, an application is refused as "no office" (a 503 with its
/// code at the edge, not a 500), and nothing is opened or kept.
async fn an_application_to_an_office_not_set_up_is_refused_saying_so(store: Arc<dyn Store>) {
    let files = tempfile::tempdir().unwrap();
    let cases = cases_with(&store, built_in(), RandomCodes::default(), &files);
    let form = application(&cases, support::SERVICE).await;
    let error = cases.apply(&citizen(), &form).await.unwrap_err();
    assert!(
        matches!(error, daftar_app::CaseError::NoOffice),
        "{error:?}"
    );
    assert!(cases.my_cases(&citizen()).await.unwrap().is_empty());
    set_up_office(store.as_ref()).await;
    let form = application(&cases, support::SERVICE).await;
    cases.apply(&citizen(), &form).await.unwrap();
    assert_eq!(cases.my_cases(&citizen()).await.unwrap().len(), 1);
}

async fn a_queue_names_a_state_in_the_version_its_case_follows(store: Arc<dyn Store>) {
    set_up_office(store.as_ref()).await;
    let clerk = staff(store.as_ref(), Role::Formation).await;
    let files = tempfile::tempdir().unwrap();
    let before = cases_with(&store, built_in(), RandomCodes::default(), &files);
    let form = application(&before, support::SERVICE).await;
    before.apply(&citizen(), &form).await.unwrap();

    // A second version renames the state the case waits in; the case keeps version 1.
    let renamed = SINGLE_REVIEW
        .replacen("version = 1", "version = 2", 1)
        .replacen(
            "name_en = \"Review by the responsible unit\"\nrole",
            "name_en = \"Renamed in version 2\"\nrole",
            1,
        );
    assert_ne!(renamed, SINGLE_REVIEW);
    let mut files_of_registry: Vec<(String, String)> = daftar_core::workflow::built_in_files();
    files_of_registry.push(("single_review_v2.toml".into(), renamed));
    let after = cases_with(
        &store,
        Registry::load(&files_of_registry).unwrap(),
        RandomCodes::default(),
        &files,
    );
    let Some(account) = clerk.staff() else {
        unreachable!("staff() gives a staff principal")
    };
    let queue = after
        .queue(account, Role::Formation, &QueueFilter::default())
        .await
        .unwrap();
    assert_eq!(queue.items.len(), 1);
    assert_eq!(
        queue.items[0].state_name.en,
        "Review by the responsible unit"
    );
    // A case opened now follows version 2 and is named by it.
    after.apply(&citizen(), &form).await.unwrap();
    let queue = after
        .queue(account, Role::Formation, &QueueFilter::default())
        .await
        .unwrap();
    let names: Vec<&str> = queue
        .items
        .iter()
        .map(|e| e.state_name.en.as_str())
        .collect();
    assert_eq!(names.len(), 2);
    assert!(names.contains(&"Renamed in version 2"), "{names:?}");
}
