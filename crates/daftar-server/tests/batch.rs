//! The batch work on both databases: the register import, issuing and exporting bills,
//! and the bank's payment file.

mod support;

use daftar_app::billing::{self as batch, IssueOptions};
use daftar_app::demo::{DEMO_PROPERTIES_CSV, DEMO_YEAR};
use daftar_core::billing::{PaymentOutcome, Tariff};
use daftar_core::calendar::JalaliDate;
use support::TestApp;

on_both_databases!(
    bad_register_rows_are_reported_by_line_and_the_good_ones_kept,
    a_register_with_the_wrong_header_is_refused_whole,
    issuing_twice_issues_nothing_twice_and_exports_what_the_bank_needs,
    a_district_is_issued_on_its_own,
    a_payment_file_pays_bills_and_reports_the_rest_by_line,
    a_payment_file_with_a_bad_row_applies_nothing,
    a_long_file_is_decided_as_one,
    the_demo_has_bills_that_can_be_tracked,
);

const HEADER: &str = "renewal_code,district,address,postal_code,land_area_m2,built_area_m2,use,owner_national_id,owner_name,owner_mobile,owner_share";

fn options(year: i32, district: Option<u16>) -> IssueOptions {
    IssueOptions {
        year,
        district,
        due_date: JalaliDate::new(year, 12, 29).unwrap(),
        company_code: 101,
    }
}

fn tariff() -> Tariff {
    Tariff::built_in(1405).unwrap().unwrap()
}

async fn bad_register_rows_are_reported_by_line_and_the_good_ones_kept(app: TestApp) {
    let file = format!(
        "{HEADER}\n\
         05-1-1-1,5,Address one,,100,80,residential,0499370899,Owner One,,100\n\
         05-1-1-2,5,Address two,,100,80,castle,0499370899,Owner One,,100\n\
         05-1-1-3,5,Address three,,100,80,residential,1234567890,Owner,,100\n\
         05-1-1-4,5,Address four,,abc,80,residential,0790419904,Owner Two,,100\n\
         05-1-1-5,5,Address five,,100,80,commercial,0790419904,Owner Two,09121234567,60\n\
         05-1-1-5,5,Address five,,100,80,commercial,1583250689,Owner Three,,40\n"
    );
    let import = batch::import_properties(app.store.as_ref(), &file)
        .await
        .unwrap();
    let lines: Vec<u64> = import.rejected.iter().map(|row| row.line).collect();
    assert_eq!(lines, vec![3, 4, 5]);
    assert!(import.rejected[0].reason.contains("use"));
    assert!(import.rejected[1].reason.contains("national ID"));
    assert!(import.rejected[2].reason.contains("land_area_m2"));
    assert_eq!((import.counts.inserted, import.counts.updated), (2, 0));
    let again = batch::import_properties(app.store.as_ref(), &file)
        .await
        .unwrap();
    assert_eq!(
        (again.counts.inserted, again.counts.updated),
        (0, 2),
        "importing again updates"
    );
    let owners_of_five = app
        .store
        .properties_owned_by(&"1583250689".parse().unwrap())
        .await
        .unwrap();
    assert!(
        owners_of_five.iter().any(|p| p.renewal_code == "05-1-1-5"),
        "both owner rows are kept"
    );
}

async fn a_register_with_the_wrong_header_is_refused_whole(app: TestApp) {
    let file = "code,district\n05-1,5\n";
    let error = batch::import_properties(app.store.as_ref(), file)
        .await
        .unwrap_err();
    assert!(
        error
            .to_string()
            .contains("the header must be renewal_code,district"),
        "{error}"
    );
}

async fn issuing_twice_issues_nothing_twice_and_exports_what_the_bank_needs(app: TestApp) {
    let year = 1405;
    let first = batch::issue_bills(app.store.as_ref(), &tariff(), &options(year, None), &|_| {})
        .await
        .unwrap();
    // The demo loaded its register and issued its bills already.
    assert_eq!(first.issued, 0);
    assert_eq!(first.already_issued, 4);
    let mut out = Vec::new();
    let written = batch::export_bills(app.store.as_ref(), year, None, &mut out)
        .await
        .unwrap();
    assert_eq!(written, 4);
    let csv = String::from_utf8(out).unwrap();
    let mut lines = csv.lines();
    assert_eq!(lines.next(), Some(batch::EXPORT_HEADER));
    for line in lines {
        let fields: Vec<&str> = line.split(',').collect();
        assert_eq!(fields.len(), 8, "{line}");
        let barcode = daftar_core::ir::Barcode::parse(fields[2]).unwrap();
        assert_eq!(barcode.bill().as_str(), fields[0]);
        assert_eq!(barcode.payment().as_str(), fields[1]);
        assert_eq!(barcode.payment().amount_rials().to_string(), fields[6]);
        assert_eq!(fields[5], "1405");
        assert_eq!(fields[7], "1405-12-29", "the due date is Jalali");
    }
}

async fn a_district_is_issued_on_its_own(app: TestApp) {
    let year = 1404;
    let tariff = Tariff::built_in(year).unwrap().unwrap();
    let two = batch::issue_bills(
        app.store.as_ref(),
        &tariff,
        &options(year, Some(2)),
        &|_| {},
    )
    .await
    .unwrap();
    assert_eq!((two.properties, two.issued), (1, 1));
    let all = batch::issue_bills(app.store.as_ref(), &tariff, &options(year, None), &|_| {})
        .await
        .unwrap();
    assert_eq!((all.properties, all.issued, all.already_issued), (4, 3, 1));
}

/// The export turned into a settlement file, as the bank would send it back.
async fn settlement_for(app: &TestApp, paid_at: &str) -> Vec<String> {
    let mut out = Vec::new();
    batch::export_bills(app.store.as_ref(), DEMO_YEAR, None, &mut out)
        .await
        .unwrap();
    String::from_utf8(out)
        .unwrap()
        .lines()
        .skip(1)
        .enumerate()
        .map(|(n, line)| {
            let f: Vec<&str> = line.split(',').collect();
            format!("{},{},{},{paid_at},TRACE{n}", f[0], f[1], f[6])
        })
        .collect()
}

/// The bill a settlement row (`bill_id,payment_id,…`) names, as tracking finds it.
async fn bill_of_row(app: &TestApp, row: &str) -> daftar_store::BillView {
    let f: Vec<&str> = row.split(',').collect();
    let barcode =
        daftar_core::ir::Barcode::new(&f[0].parse().unwrap(), &f[1].parse().unwrap()).unwrap();
    app.store
        .bill_by_barcode(barcode.as_str())
        .await
        .unwrap()
        .expect("the row's bill is stored")
}

async fn a_payment_file_pays_bills_and_reports_the_rest_by_line(app: TestApp) {
    let rows = settlement_for(&app, "1405-02-10 14:30").await;
    let mismatched = {
        let f: Vec<&str> = rows[1].split(',').collect();
        format!("{},{},1000,2026-05-01T10:30:00Z,TRACE-X", f[0], f[1])
    };
    let file = format!(
        "bill_id,payment_id,amount_rials,paid_at,trace_number\n{}\n{mismatched}\n{}\n",
        rows[0], rows[0]
    );
    let import = batch::import_payments(app.store.as_ref(), &file, "bank.csv")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(import.lines_with(PaymentOutcome::Applied), vec![2]);
    assert_eq!(import.lines_with(PaymentOutcome::AmountMismatch), vec![3]);
    assert_eq!(import.lines_with(PaymentOutcome::Duplicate), vec![4]);
    let again = batch::import_payments(app.store.as_ref(), &file, "bank.csv")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        again.lines_with(PaymentOutcome::Duplicate),
        vec![2, 3, 4],
        "idempotent on the trace number"
    );
    let paid = bill_of_row(&app, &rows[0]).await;
    assert_eq!(paid.trace_number.as_deref(), Some("TRACE0"));
    assert_eq!(
        paid.paid_at.unwrap().to_string(),
        "2026-04-30T11:00:00Z",
        "Jalali paid_at is Tehran time"
    );
}

async fn a_payment_file_with_a_bad_row_applies_nothing(app: TestApp) {
    let rows = settlement_for(&app, "2026-05-01T10:30:00Z").await;
    let file = format!(
        "bill_id,payment_id,amount_rials,paid_at,trace_number\n{}\n2234322344613,1770160,17000,2026-05-01T10:30:00Z,T9\n",
        rows[0]
    );
    let refused = batch::import_payments(app.store.as_ref(), &file, "bank.csv")
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.line, 3);
    assert!(refused.reason.contains("bill_id"), "{refused}");
    let bill = bill_of_row(&app, &rows[0]).await;
    assert_eq!(
        bill.paid_at, None,
        "the good first row was not applied either"
    );
    // A large file is parsed in parts at once; the refusal still names the first bad line.
    let good = rows[0].rsplit_once(',').unwrap().0;
    let mut large = String::from("bill_id,payment_id,amount_rials,paid_at,trace_number\n");
    for index in 0..2000 {
        match index + 2 {
            900 => large.push_str("2234322344613,1770160,17000,2026-05-01T10:30:00Z,T\n"),
            1700 => large.push_str(&format!("{good},\n")),
            _ => large.push_str(&format!("{good},LARGE{index}\n")),
        }
    }
    let refused = batch::import_payments(app.store.as_ref(), &large, "bank.csv")
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.line, 900, "{refused}");
    assert!(refused.reason.contains("bill_id"), "{refused}");
    let wrong_header = batch::import_payments(app.store.as_ref(), "a,b\n1,2\n", "x.csv")
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(wrong_header.line, 1);
}

/// A settlement file of `rows` payments of one bill: the first with trace number `first`,
/// the others `{prefix}{n}`, and line `repeated` with `first` again.
fn one_bill_file(row: &str, first: &str, prefix: &str, rows: u64, repeated: u64) -> String {
    let pair = row.rsplit_once(',').unwrap().0;
    let mut file = String::from("bill_id,payment_id,amount_rials,paid_at,trace_number\n");
    for line in 2..rows + 2 {
        let trace = if line == 2 || line == repeated {
            first.to_owned()
        } else {
            format!("{prefix}{line}")
        };
        file.push_str(&format!("{pair},{trace}\n"));
    }
    file
}

/// A long file is decided as one, whatever the store does to go fast: its order decides
/// duplicates far apart, and a bad row near the end leaves the rows before it unapplied.
async fn a_long_file_is_decided_as_one(app: TestApp) {
    let rows = settlement_for(&app, "2026-05-01T10:30:00Z").await;
    // Line 60,000 repeats line 2's trace number.
    let file = one_bill_file(&rows[0], "FIRST", "AGAIN", 60_000, 60_000);
    let import = batch::import_payments(app.store.as_ref(), &file, "bank.csv")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(import.lines_with(PaymentOutcome::Applied), vec![2]);
    assert_eq!(import.lines_with(PaymentOutcome::Duplicate), vec![60_000]);
    assert_eq!(import.report.count(PaymentOutcome::AlreadyPaid), 59_998);
    // A bad row at the end: the payment of another bill on line 2 is not applied.
    let mut refused_file = one_bill_file(&rows[1], "OTHER", "LATER", 55_000, 0);
    refused_file.push_str("2234322344613,1770160,17000,2026-05-01T10:30:00Z,BAD\n");
    let refused = batch::import_payments(app.store.as_ref(), &refused_file, "bank.csv")
        .await
        .unwrap()
        .unwrap_err();
    assert_eq!(refused.line, 55_002, "{refused}");
    let other = bill_of_row(&app, &rows[1]).await;
    assert_eq!(other.paid_at, None, "line 2 was not applied");
}

async fn the_demo_has_bills_that_can_be_tracked(app: TestApp) {
    assert!(DEMO_PROPERTIES_CSV.lines().count() > 4);
    let bills = app.store.bills_of_property(1, "01-101-12-0").await.unwrap();
    assert_eq!(bills.len(), 1);
    assert_eq!(bills[0].year, DEMO_YEAR);
    assert!(bills[0].amount_rials > 0 && bills[0].amount_rials % 1000 == 0);
}
