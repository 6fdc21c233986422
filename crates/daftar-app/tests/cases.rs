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
    a_refused_request_files_go_after_a_grace_unless_a_document_names_them,
    a_draft_names_its_owner_by_a_secret_digest_every_instance_shares,
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

/// The documents directory's files (not uploads being received, not drafts).
fn stored_files(files: &tempfile::TempDir) -> Vec<String> {
    let mut stored = Vec::new();
    for shard in std::fs::read_dir(files.path().join("documents")).unwrap() {
        let shard = shard.unwrap();
        if shard.file_name().len() == 2 {
            for file in std::fs::read_dir(shard.path()).unwrap() {
                stored.push(file.unwrap().file_name().to_string_lossy().into_owned());
            }
        }
    }
    stored.sort();
    stored
}

/// A PDF of its own bytes, one for each `n`.
fn pdf(n: u32) -> Vec<u8> {
    format!("%PDF-1.7\n1 0 obj\n<<>>\nendobj\n% {n}\n%%EOF\n").into_bytes()
}

/// A request refused after its files were stored (here: every tracking code drawn was
/// taken) leaves them for a grace: another request may have found the same bytes stored
/// and be about to commit the row naming them. After the grace, what no document names
/// is removed and what one names stays.
async fn a_refused_request_files_go_after_a_grace_unless_a_document_names_them(
    store: Arc<dyn Store>,
) {
    set_up_office(store.as_ref()).await;
    let files = tempfile::tempdir().unwrap();
    let cases = cases_with(&store, built_in(), draws(4_242, 1, 9_000), &files);
    cases
        .apply(&citizen(), &application(&cases, support::SERVICE).await)
        .await
        .unwrap();
    let before = stored_files(&files);
    // Code 4242 is taken now, and the stuck office draws nothing else.
    let stuck = cases_with(&store, built_in(), draws(4_242, usize::MAX, 0), &files);
    let mut refused = application(&stuck, support::SERVICE).await;
    assert!(
        refused.uploads.len() >= 2,
        "the service asks for two documents"
    );
    for (n, upload) in (1..).zip(refused.uploads.iter_mut()) {
        upload.content = stuck.receive_bytes(&pdf(n)).await.unwrap();
    }
    stuck.apply(&citizen(), &refused).await.unwrap_err();
    let set_aside = stored_files(&files);
    assert_eq!(
        set_aside.len(),
        before.len() + refused.uploads.len(),
        "a refused request's files stay until their grace has passed"
    );
    // Another application names the first refused file's bytes.
    let mut accepted = application(&cases, support::SERVICE).await;
    accepted.uploads[0].content = cases.receive_bytes(&pdf(1)).await.unwrap();
    cases.apply(&citizen(), &accepted).await.unwrap();

    stuck
        .discard_refused_uploads(std::time::Duration::from_secs(600))
        .await;
    assert_eq!(
        stored_files(&files),
        set_aside,
        "nothing goes before its grace"
    );
    stuck
        .discard_refused_uploads(std::time::Duration::ZERO)
        .await;
    assert_eq!(
        stored_files(&files).len(),
        before.len() + 1,
        "the refused files no document names are removed, the one named stays"
    );
    for case in cases.my_cases(&citizen()).await.unwrap() {
        for document in store.documents_of_case(case.id).await.unwrap() {
            assert!(
                files
                    .path()
                    .join("documents")
                    .join(&document.storage_key)
                    .exists(),
                "{} is named and gone",
                document.storage_key
            );
        }
    }
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

/// A draft's description says whose it is by a digest keyed with a secret kept in the
/// database: not the national ID, and not its plain digest, which trying the billion
/// national IDs would reverse. Another instance (another `Cases` on the same database and
/// folder) gives the draft back to its owner, and to no one else.
async fn a_draft_names_its_owner_by_a_secret_digest_every_instance_shares(store: Arc<dyn Store>) {
    use sha2::{Digest, Sha256};
    let files = tempfile::tempdir().unwrap();
    let one = cases_with(&store, built_in(), RandomCodes::default(), &files);
    let received = one.receive_bytes(&pdf(1)).await.unwrap();
    let token = one
        .keep_draft(&citizen(), &received, "plan.pdf")
        .await
        .unwrap();

    let about = std::fs::read_to_string(
        files
            .path()
            .join("documents/.drafts")
            .join(format!("{token}.json")),
    )
    .unwrap();
    let about: serde_json::Value = serde_json::from_str(&about).unwrap();
    let owner = about["owner"].as_str().unwrap();
    assert!(!about.to_string().contains(support::CITIZEN.0));
    // The key is the one the database holds (the first instance made it), and the owner
    // is digested with it.
    let key = store.draft_owner_key("a candidate").await.unwrap();
    assert_ne!(key, "a candidate", "the first instance's key stays");
    let keyed = hex::encode(Sha256::digest(
        format!("{key}citizen:{}", support::CITIZEN.0).as_bytes(),
    ));
    assert_eq!(owner, hex::encode(Sha256::digest(keyed.as_bytes())));
    for plain in [
        format!("citizen:{}", support::CITIZEN.0),
        support::CITIZEN.0.to_owned(),
    ] {
        let plain_digest = hex::encode(Sha256::digest(plain.as_bytes()));
        assert_ne!(owner, plain_digest, "the owner is digested with a secret");
        let twice = hex::encode(Sha256::digest(plain_digest.as_bytes()));
        assert_ne!(owner, twice, "the owner is digested with a secret");
    }

    let other = cases_with(&store, built_in(), RandomCodes::default(), &files);
    let (back, file_name) = other
        .draft(&citizen(), &token)
        .await
        .unwrap()
        .expect("another instance gives the draft back to its owner");
    assert_eq!(
        (back.size(), file_name.as_str()),
        (received.size(), "plan.pdf")
    );
    let stranger = daftar_app::accounts::Principal::Citizen {
        national_id: daftar_core::ir::NationalId::parse("0790419904").unwrap(),
        acting_for: None,
        verified: true,
    };
    assert!(other.draft(&stranger, &token).await.unwrap().is_none());
}
