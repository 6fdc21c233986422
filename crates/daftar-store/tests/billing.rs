//! The billing contract: the register, bills, payments and clearances, on SQLite and
//! PostgreSQL.

mod support;

use daftar_core::billing::{Area, BillNumbers, PaymentOutcome, PropertyUse, RenewalCode, Share};
use daftar_core::calendar::JalaliDate;
use daftar_core::ir::{Barcode, NationalId, PostalCode};
use daftar_store::{
    BillView, ClearanceOutcome, IncomingPayment, NewBill, Owner, PropertyRecord, Store,
};
use jiff::Timestamp;

on_both_databases!(
    importing_a_property_again_updates_it_and_replaces_its_owners,
    bills_are_issued_once_per_property_and_year,
    earlier_years_unpaid_bills_are_arrears,
    bills_are_paged_by_year_and_district,
    payments_pay_bills_and_report_everything_else,
    a_payment_file_replayed_changes_nothing,
    a_trace_number_counts_where_the_file_first_has_it,
    two_payments_of_one_bill_at_once_pay_it_once,
    a_look_up_sees_what_was_written_before_it,
    a_clearance_is_refused_while_anything_is_owed_and_verifiable_after,
    owners_see_their_properties,
    a_write_after_an_abandoned_payment_file_waits_for_it_and_succeeds,
);

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

fn property(code: &str, district: u16, built: &str) -> PropertyRecord {
    PropertyRecord {
        renewal_code: RenewalCode::parse(code).unwrap(),
        district,
        address: format!("خیابان آزادی، پلاک {code}"),
        postal_code: Some(PostalCode::parse("1619735744").unwrap()),
        land_area: Area::parse_m2("200").unwrap(),
        built_area: Area::parse_m2(built).unwrap(),
        property_use: PropertyUse::Residential,
        owners: vec![Owner {
            national_id: NationalId::parse("0499370899").unwrap(),
            name: "مریم احمدی".into(),
            mobile: None,
            share: Share::parse_percent("100").unwrap(),
        }],
    }
}

/// Registers properties and returns their billing ids, in renewal-code order.
async fn register(store: &dyn Store, records: &[PropertyRecord]) -> Vec<i64> {
    store.upsert_properties(records, t(0)).await.unwrap();
    let page = store.billing_properties(1405, None, 0, 1000).await.unwrap();
    page.iter().map(|p| p.id).collect()
}

fn bill(property_id: i64, year: i32, amount: u64) -> NewBill {
    let numbers = BillNumbers::new(property_id as u64, 101, amount, year, 1).unwrap();
    NewBill {
        property_id,
        year,
        period: 1,
        numbers,
        amount_rials: amount,
        lines_json: "[]".into(),
        due_date: JalaliDate::new(year, 3, 31).unwrap(),
    }
}

/// A bill as the public tracking look-up finds it.
async fn tracked(store: &dyn Store, bill: &NewBill) -> BillView {
    store
        .bill_by_barcode(bill.numbers.barcode.as_str())
        .await
        .unwrap()
        .expect("the bill is found by its barcode")
}

fn payment(bill: &NewBill, amount: u64, trace: &str) -> IncomingPayment {
    IncomingPayment {
        barcode: bill.numbers.barcode.clone(),
        amount_rials: amount,
        paid_at: t(100),
        trace_number: trace.into(),
    }
}

async fn importing_a_property_again_updates_it_and_replaces_its_owners(store: &dyn Store) {
    let first = store
        .upsert_properties(&[property("01-1-1-1", 1, "100")], t(0))
        .await
        .unwrap();
    assert_eq!((first.inserted, first.updated), (1, 0));
    let mut changed = property("01-1-1-1", 1, "150");
    changed.owners[0].national_id = NationalId::parse("0790419904").unwrap();
    let second = store
        .upsert_properties(&[changed, property("01-1-1-2", 1, "90")], t(1))
        .await
        .unwrap();
    assert_eq!((second.inserted, second.updated), (1, 1));
    let page = store.billing_properties(1405, None, 0, 10).await.unwrap();
    assert_eq!(page.len(), 2, "no duplicate property");
    assert_eq!(page[0].built_area, Area::parse_m2("150").unwrap());
    let old_owner = NationalId::parse("0499370899").unwrap();
    let owned = store.properties_owned_by(&old_owner).await.unwrap();
    assert_eq!(owned.len(), 1, "the first owner now owns only 01-2");
    assert_eq!(owned[0].renewal_code, "01-1-1-2");
}

async fn bills_are_issued_once_per_property_and_year(store: &dyn Store) {
    let ids = register(
        store,
        &[
            property("01-1-1-1", 1, "100"),
            property("01-1-1-2", 1, "100"),
        ],
    )
    .await;
    let bills: Vec<NewBill> = ids.iter().map(|id| bill(*id, 1405, 2_500_000)).collect();
    assert_eq!(store.insert_bills(bills.clone(), t(0)).await.unwrap(), 2);
    assert_eq!(
        store.insert_bills(bills.clone(), t(1)).await.unwrap(),
        0,
        "idempotent"
    );
    let tracked = tracked(store, &bills[0]).await;
    assert_eq!(tracked.amount_rials, 2_500_000);
    assert_eq!(tracked.renewal_code, "01-1-1-1");
    assert_eq!(tracked.due_date, JalaliDate::new(1405, 3, 31).unwrap());
    assert_eq!(tracked.paid_at, None);
    assert!(
        store
            .bill_by_barcode("0".repeat(26).as_str())
            .await
            .unwrap()
            .is_none()
    );
}

async fn earlier_years_unpaid_bills_are_arrears(store: &dyn Store) {
    let ids = register(
        store,
        &[
            property("01-1-1-1", 1, "100"),
            property("02-1-1-1", 2, "100"),
        ],
    )
    .await;
    let old = bill(ids[0], 1404, 3_000_000);
    store
        .insert_bills(vec![old.clone(), bill(ids[1], 1404, 1_000_000)], t(0))
        .await
        .unwrap();
    store
        .record_payments(
            vec![payment(&bill(ids[1], 1404, 1_000_000), 1_000_000, "T1")],
            "test",
            t(1),
        )
        .await
        .unwrap();
    let page = store.billing_properties(1405, None, 0, 10).await.unwrap();
    assert_eq!(page[0].arrears_rials, 3_000_000);
    assert_eq!(page[1].arrears_rials, 0, "a paid bill is no arrears");
    let district_two = store
        .billing_properties(1405, Some(2), 0, 10)
        .await
        .unwrap();
    assert_eq!(
        district_two.iter().map(|p| p.id).collect::<Vec<_>>(),
        vec![ids[1]]
    );
}

async fn bills_are_paged_by_year_and_district(store: &dyn Store) {
    let records: Vec<PropertyRecord> = (1..=5)
        .map(|n| property(&format!("0{}-1-1-{n}", 1 + n % 2), 1 + (n % 2) as u16, "80"))
        .collect();
    let ids = register(store, &records).await;
    let bills: Vec<NewBill> = ids.iter().map(|id| bill(*id, 1405, 1_000_000)).collect();
    store.insert_bills(bills.to_vec(), t(0)).await.unwrap();
    store
        .insert_bills(vec![bill(ids[0], 1404, 1_000_000)], t(0))
        .await
        .unwrap();
    let first = store.bills_page(1405, None, 0, 3).await.unwrap();
    let rest = store
        .bills_page(1405, None, first.last().unwrap().0, 3)
        .await
        .unwrap();
    assert_eq!((first.len(), rest.len()), (3, 2));
    let district_one = store.bills_page(1405, Some(1), 0, 10).await.unwrap();
    assert!(
        district_one
            .iter()
            .all(|(_, b)| b.district == 1 && b.year == 1405)
    );
    assert_eq!(district_one.len(), 2);
    let by_code = store
        .bills_of_property(records[0].district, records[0].renewal_code.as_str())
        .await
        .unwrap();
    assert_eq!(
        by_code.iter().map(|b| b.year).collect::<Vec<_>>(),
        vec![1405, 1404],
        "newest first"
    );
}

async fn payments_pay_bills_and_report_everything_else(store: &dyn Store) {
    let ids = register(
        store,
        &[
            property("01-1-1-1", 1, "100"),
            property("01-1-1-2", 1, "100"),
            property("01-1-1-3", 1, "100"),
        ],
    )
    .await;
    let bills: Vec<NewBill> = ids.iter().map(|id| bill(*id, 1405, 2_000_000)).collect();
    store.insert_bills(bills.to_vec(), t(0)).await.unwrap();
    let unknown = IncomingPayment {
        barcode: Barcode::new(
            &bill(999, 1405, 1000).numbers.bill_id,
            &bill(999, 1405, 1000).numbers.payment_id,
        )
        .unwrap(),
        amount_rials: 1000,
        paid_at: t(5),
        trace_number: "T9".into(),
    };
    let report = store
        .record_payments(
            vec![
                payment(&bills[0], 2_000_000, "T1"),
                payment(&bills[1], 1_500_000, "T2"),
                payment(&bills[0], 2_000_000, "T1"),
                payment(&bills[0], 2_000_000, "T3"),
                unknown,
            ],
            "bank.csv",
            t(10),
        )
        .await
        .unwrap();
    assert_eq!(
        report.outcomes,
        vec![
            PaymentOutcome::Applied,
            PaymentOutcome::AmountMismatch,
            PaymentOutcome::Duplicate,
            PaymentOutcome::AlreadyPaid,
            PaymentOutcome::Unmatched,
        ]
    );
    let paid = tracked(store, &bills[0]).await;
    assert_eq!(paid.paid_at, Some(t(100)));
    assert_eq!(paid.trace_number.as_deref(), Some("T1"));
    let mismatched = tracked(store, &bills[1]).await;
    assert_eq!(mismatched.paid_at, None, "a wrong amount pays nothing");
}

async fn a_payment_file_replayed_changes_nothing(store: &dyn Store) {
    let ids = register(store, &[property("01-1-1-1", 1, "100")]).await;
    let issued = bill(ids[0], 1405, 2_000_000);
    store
        .insert_bills(vec![issued.clone()], t(0))
        .await
        .unwrap();
    let file = [payment(&issued, 2_000_000, "T1")];
    store
        .record_payments(file.to_vec(), "bank.csv", t(1))
        .await
        .unwrap();
    let again = store
        .record_payments(file.to_vec(), "bank.csv", t(2))
        .await
        .unwrap();
    assert_eq!(again.outcomes, vec![PaymentOutcome::Duplicate]);
    let tracked = tracked(store, &issued).await;
    assert_eq!(tracked.trace_number.as_deref(), Some("T1"));
}

/// The store visits a file's rows in barcode order, but judges them in the file's order:
/// the first row with a trace number is the payment, whichever bill sorts first.
async fn a_trace_number_counts_where_the_file_first_has_it(store: &dyn Store) {
    let ids = register(
        store,
        &[
            property("01-1-1-1", 1, "100"),
            property("01-1-1-2", 1, "100"),
        ],
    )
    .await;
    let bills: Vec<NewBill> = ids.iter().map(|id| bill(*id, 1405, 2_000_000)).collect();
    assert!(bills[0].numbers.barcode.as_str() < bills[1].numbers.barcode.as_str());
    store.insert_bills(bills.clone(), t(0)).await.unwrap();
    let report = store
        .record_payments(
            vec![
                payment(&bills[1], 2_000_000, "T1"),
                payment(&bills[0], 2_000_000, "T1"),
                payment(&bills[1], 2_000_000, "T2"),
            ],
            "bank.csv",
            t(1),
        )
        .await
        .unwrap();
    assert_eq!(
        report.outcomes,
        vec![
            PaymentOutcome::Applied,
            PaymentOutcome::Duplicate,
            PaymentOutcome::AlreadyPaid,
        ]
    );
    let first = tracked(store, &bills[0]).await;
    assert_eq!(
        first.paid_at, None,
        "the repeated trace number paid nothing"
    );
    let second = tracked(store, &bills[1]).await;
    assert_eq!(second.trace_number.as_deref(), Some("T1"));
}

/// Two gateways' callbacks for one bill arrive together: one pays it, the other finds it
/// paid, whichever backend and whatever the timing.
async fn two_payments_of_one_bill_at_once_pay_it_once(store: &dyn Store) {
    let ids = register(store, &[property("01-1-1-1", 1, "100")]).await;
    let issued = bill(ids[0], 1405, 2_000_000);
    store
        .insert_bills(vec![issued.clone()], t(0))
        .await
        .unwrap();
    for round in 0..20 {
        let (a, b) = (format!("A{round}"), format!("B{round}"));
        let (first, second) = tokio::join!(
            store.record_payments(vec![payment(&issued, 2_000_000, &a)], "gateway", t(1)),
            store.record_payments(vec![payment(&issued, 2_000_000, &b)], "gateway", t(1)),
        );
        let mut outcomes = [first.unwrap().outcomes[0], second.unwrap().outcomes[0]];
        outcomes.sort();
        let expected = if round == 0 {
            [PaymentOutcome::Applied, PaymentOutcome::AlreadyPaid]
        } else {
            [PaymentOutcome::AlreadyPaid, PaymentOutcome::AlreadyPaid]
        };
        assert_eq!(outcomes, expected, "round {round}");
    }
}

/// The look-up may keep its read snapshot from one request to the next (SQLite): what
/// the store wrote since, a bill, a payment or a property's new district, still shows at
/// once.
async fn a_look_up_sees_what_was_written_before_it(store: &dyn Store) {
    let ids = register(
        store,
        &[
            property("01-1-1-1", 1, "100"),
            property("01-1-1-2", 1, "100"),
        ],
    )
    .await;
    let first = bill(ids[0], 1405, 2_000_000);
    store.insert_bills(vec![first.clone()], t(0)).await.unwrap();
    assert_eq!(tracked(store, &first).await.paid_at, None);

    let second = bill(ids[1], 1405, 2_000_000);
    store
        .insert_bills(vec![second.clone()], t(1))
        .await
        .unwrap();
    assert_eq!(tracked(store, &second).await.amount_rials, 2_000_000);

    store
        .record_payments(vec![payment(&first, 2_000_000, "T1")], "gateway", t(2))
        .await
        .unwrap();
    assert_eq!(
        tracked(store, &first).await.trace_number.as_deref(),
        Some("T1")
    );

    store
        .upsert_properties(&[property("01-1-1-1", 7, "100")], t(3))
        .await
        .unwrap();
    assert_eq!(tracked(store, &first).await.district, 7);
}

async fn a_clearance_is_refused_while_anything_is_owed_and_verifiable_after(store: &dyn Store) {
    let ids = register(store, &[property("01-1-1-1", 1, "100")]).await;
    let bills = [bill(ids[0], 1404, 1_000_000), bill(ids[0], 1405, 2_000_000)];
    store.insert_bills(bills.to_vec(), t(0)).await.unwrap();
    let refused = store
        .issue_clearance(1, "01-1-1-1", "123456789012", "citizen", t(1), t(0))
        .await
        .unwrap();
    let ClearanceOutcome::Owes(owed) = refused else {
        panic!("expected a refusal, got {refused:?}")
    };
    assert_eq!(
        owed.iter().map(|b| b.year).collect::<Vec<_>>(),
        vec![1404, 1405]
    );
    assert!(
        store.clearance("123456789012").await.unwrap().is_none(),
        "nothing was issued"
    );
    let payments = [
        payment(&bills[0], 1_000_000, "T1"),
        payment(&bills[1], 2_000_000, "T2"),
    ];
    store
        .record_payments(payments.to_vec(), "bank.csv", t(2))
        .await
        .unwrap();
    let issued = store
        .issue_clearance(1, "01-1-1-1", "123456789012", "citizen", t(3), t(0))
        .await
        .unwrap();
    assert!(matches!(issued, ClearanceOutcome::Issued(_)), "{issued:?}");
    // Asked again while it holds, the same one comes back; asked after, a new one.
    let again = store
        .issue_clearance(1, "01-1-1-1", "123456789014", "citizen", t(4), t(0))
        .await
        .unwrap();
    assert_eq!(again, issued, "not minted twice");
    assert!(store.clearance("123456789014").await.unwrap().is_none());
    let next_year = store
        .issue_clearance(1, "01-1-1-1", "123456789015", "citizen", t(5), t(4))
        .await
        .unwrap();
    let ClearanceOutcome::Issued(fresh) = next_year else {
        panic!("a new one once the old no longer holds: {next_year:?}")
    };
    assert_eq!(fresh.code, "123456789015");
    // The owner lists both, newest first; someone else none.
    let owner = daftar_core::ir::NationalId::parse("0499370899").unwrap();
    let mine: Vec<String> = store
        .clearances_of_owner(&owner)
        .await
        .unwrap()
        .into_iter()
        .map(|c| c.code)
        .collect();
    assert_eq!(mine, ["123456789015", "123456789012"]);
    let stranger = daftar_core::ir::NationalId::parse("0790419904").unwrap();
    assert!(
        store
            .clearances_of_owner(&stranger)
            .await
            .unwrap()
            .is_empty()
    );
    let found = store.clearance("123456789012").await.unwrap().unwrap();
    assert_eq!(
        (found.renewal_code.as_str(), found.district, found.issued_at),
        ("01-1-1-1", 1, t(3))
    );
    let unknown = store
        .issue_clearance(1, "09-1-1-9", "123456789013", "citizen", t(3), t(0))
        .await
        .unwrap();
    assert_eq!(unknown, ClearanceOutcome::UnknownProperty);
}

async fn owners_see_their_properties(store: &dyn Store) {
    register(
        store,
        &[
            property("01-1-1-2", 1, "100"),
            property("01-1-1-1", 1, "100"),
        ],
    )
    .await;
    let owner = NationalId::parse("0499370899").unwrap();
    let owned = store.properties_owned_by(&owner).await.unwrap();
    assert_eq!(
        owned
            .iter()
            .map(|p| p.renewal_code.as_str())
            .collect::<Vec<_>>(),
        vec!["01-1-1-1", "01-1-1-2"]
    );
    let stranger = NationalId::parse("1583250689").unwrap();
    assert!(
        store
            .properties_owned_by(&stranger)
            .await
            .unwrap()
            .is_empty()
    );
}

/// A caller that stops waiting for a large file (a dropped request, a timeout) must not
/// leave the next write to meet a locked database.
async fn a_write_after_an_abandoned_payment_file_waits_for_it_and_succeeds(store: &dyn Store) {
    let ids = register(store, &[property("01-1-1-1", 1, "100")]).await;
    let paid = bill(ids[0], 1405, 1_000_000);
    store.insert_bills(vec![paid.clone()], t(0)).await.unwrap();
    // Most rows match no bill: each is still kept, by its trace number.
    let file: Vec<IncomingPayment> = (0..200_000)
        .map(|n| payment(&paid, 1_000 + n, &format!("T{n}")))
        .collect();
    let abandoned = tokio::time::timeout(
        std::time::Duration::from_millis(20),
        store.record_payments(file, "bank.csv", t(1)),
    )
    .await;
    assert!(
        abandoned.is_err(),
        "the file takes longer than the caller waits"
    );
    let started = std::time::Instant::now();
    store
        .upsert_properties(&[property("01-1-1-2", 1, "90")], t(2))
        .await
        .expect("the next write succeeds");
    assert!(
        started.elapsed() < std::time::Duration::from_secs(8),
        "the next write waited {:?}",
        started.elapsed()
    );
}
