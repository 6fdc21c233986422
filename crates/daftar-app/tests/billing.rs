//! The billing use cases without the router: a clearance code drawn again when taken.

mod support;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};

use daftar_app::billing::{self, ClearanceResult};
use daftar_app::codes::RandomCodes;
use daftar_store::Store;

use support::{billing_with, citizen};

with_both_databases!(a_taken_clearance_code_is_drawn_again);

const REGISTER: &str = "renewal_code,district,address,postal_code,land_area_m2,built_area_m2,use,owner_national_id,owner_name,owner_mobile,owner_share
01-101-12-0,1,خیابان آزادی,1619735744,200,180,residential,0499370899,مریم احمدی,09120000001,100
01-102-07-0,1,خیابان انقلاب,1619735744,150,120,residential,0499370899,مریم احمدی,09120000001,100
";

async fn a_taken_clearance_code_is_drawn_again(store: Arc<dyn Store>) {
    let imported = billing::import_properties(store.as_ref(), REGISTER)
        .await
        .unwrap();
    assert!(imported.rejected.is_empty(), "{:?}", imported.rejected);
    // The first two draws are the same number; the property owes nothing (no bills).
    let drawn = AtomicUsize::new(0);
    let codes = RandomCodes::from_fn(move || match drawn.fetch_add(1, Ordering::SeqCst) {
        0 | 1 => 777_777,
        n => 1_000 + n as u64,
    });
    let billing = billing_with(&store, codes);
    let owner = citizen();
    let issue = |code| billing.issue_clearance(&owner, "1", code);
    let ClearanceResult::Issued(first) = issue("01-101-12-0").await.unwrap() else {
        panic!("a property that owes nothing gets a clearance")
    };
    // The second property's first draw is the code just taken: it is drawn again.
    let ClearanceResult::Issued(second) = issue("01-102-07-0").await.unwrap() else {
        panic!("a second property gets a clearance too")
    };
    assert_ne!(first.code, second.code);
    // The first property, asked again this year, gets its own clearance back.
    let ClearanceResult::Issued(again) = issue("01-101-12-0").await.unwrap() else {
        panic!("asked again, it owes nothing still")
    };
    assert_eq!(again.code, first.code);
    let mine = billing.my_clearances(&owner).await.unwrap();
    assert_eq!(mine.len(), 2, "two clearances, one per property");
    for code in [&first.code, &second.code] {
        assert!(
            billing
                .verify_clearance(code, daftar_app::replica::ReadFrom::Primary)
                .await
                .is_ok(),
            "{code} verifies"
        );
    }
}
