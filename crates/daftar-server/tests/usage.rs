//! The operator-usage report, on SQLite and PostgreSQL: a seeded day of sign-ins and
//! actions gives each staff member's, each unit's and the office's figures, on the office
//! head's page and in its CSV and XLSX (read back with calamine); an action counts for
//! the unit whose queue the case was in even after its actor changed roles; only the
//! office head and manager read it.

mod support;

use std::io::Cursor;

use axum::http::StatusCode;
use calamine::{Data, Reader, Xlsx};
use daftar_core::roles::{OfficeCode, Role};
use serde_json::json;
use support::TestApp;

on_both_databases!(
    a_seeded_day_adds_up_per_staff_member_unit_and_office_in_the_page_csv_and_xlsx,
    only_the_office_head_and_manager_read_the_report_and_a_bad_period_is_refused,
);

const FORMATION_SERVICE: &str = "10010101001th01";
const CONSULTING_SERVICE: &str = "10010101024th01";

fn today() -> String {
    daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now()).iso_jalali()
}

fn cell(sheet: &calamine::Range<Data>, row: usize, column: usize) -> String {
    sheet
        .get((row, column))
        .map(|data| data.to_string())
        .unwrap_or_default()
}

async fn a_seeded_day_adds_up_per_staff_member_unit_and_office_in_the_page_csv_and_xlsx(
    app: TestApp,
) {
    let citizen = app.citizen_token("0499370899", "09120000001").await;
    let formation = app.staff_token("formation").await;
    let head = app.staff_token("office_head").await;
    // Formation completes one of its own cases and returns another.
    let first = support::applied(&app, &citizen, FORMATION_SERVICE).await;
    let second = support::applied(&app, &citizen, FORMATION_SERVICE).await;
    app.acted(&formation, &first, json!({"action": "complete"}))
        .await;
    app.acted(
        &formation,
        &second,
        json!({"action": "return_for_deficiency", "comment": "سند مالکیت خوانا نیست"}),
    )
    .await;
    // Then the same member is given consulting's role, and completes a consulting case:
    // counted there for that one, and in formation for the first two.
    let account = app
        .store
        .staff_by_username("formation")
        .await
        .unwrap()
        .unwrap();
    app.store
        .grant_role(
            account.id,
            &OfficeCode::parse("0101").unwrap(),
            Role::Consulting,
        )
        .await
        .unwrap();
    // A new role is read at the next sign-in.
    let formation = app.staff_token("formation").await;
    let third = support::applied(&app, &citizen, CONSULTING_SERVICE).await;
    app.acted(&formation, &third, json!({"action": "complete"}))
        .await;

    let cookie = format!("daftar_session={head}");
    let page = app.get_page("/staff/reports/usage", &cookie).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert_eq!(
        page.headers.get("cache-control").unwrap(),
        "no-store",
        "staff names and their work"
    );
    assert!(page.body.contains("id=\"usage-staff\""));
    assert!(page.body.contains("id=\"usage-units\""));

    // The CSV: a row per figure.
    let csv = app
        .get_page(
            &format!("/staff/reports/usage.csv?from={0}&to={0}", today()),
            &cookie,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK, "{}", csv.body);
    let figure = |scope: &str, key: &str, measure: &str| -> String {
        csv.body
            .lines()
            .map(|line| line.split(',').collect::<Vec<_>>())
            .find(|cols| cols[2] == scope && cols[3] == key && cols[5] == measure)
            .map(|cols| cols[6].to_owned())
            .unwrap_or_else(|| panic!("no {scope} {key} {measure} in\n{}", csv.body))
    };
    let member = account.id.0.to_string();
    assert_eq!(figure("staff", &member, "actions"), "3");
    assert_eq!(figure("staff", &member, "cases_closed"), "2");
    assert_eq!(figure("staff", &member, "actions_by_kind:complete"), "2");
    assert_eq!(
        figure("staff", &member, "actions_by_kind:return_for_deficiency"),
        "1"
    );
    assert_eq!(
        figure(
            "staff",
            &member,
            &format!("actions_by_service:{FORMATION_SERVICE}")
        ),
        "2"
    );
    assert_eq!(figure("staff", &member, "sign_ins"), "2");
    assert_ne!(figure("staff", &member, "median_wait_minutes"), "");
    assert_eq!(figure("unit", "formation", "actions"), "2");
    assert_eq!(figure("unit", "formation", "cases_closed"), "1");
    assert_eq!(figure("unit", "consulting", "actions"), "1");
    assert_eq!(figure("unit", "consulting", "staff"), "1");
    assert_eq!(figure("office", "", "actions"), "3");
    assert_eq!(figure("office", "", "cases_closed"), "2");
    // The office head signed in and took no action: listed with their sign-in.
    let head_account = app
        .store
        .staff_by_username("office_head")
        .await
        .unwrap()
        .unwrap();
    assert_eq!(
        figure("staff", &head_account.id.0.to_string(), "sign_ins"),
        "1"
    );
    assert_eq!(
        figure("staff", &head_account.id.0.to_string(), "actions"),
        "0"
    );

    // The XLSX: right-to-left sheets with Persian names, the same figures.
    let xlsx = app.get_page("/staff/reports/usage.xlsx", &cookie).await;
    assert_eq!(xlsx.status, StatusCode::OK);
    let mut workbook: Xlsx<_> = calamine::open_workbook_from_rs(Cursor::new(xlsx.bytes)).unwrap();
    assert_eq!(
        workbook.sheet_names(),
        daftar_app::usage::files::SHEETS.map(str::to_owned)
    );
    let staff = workbook.worksheet_range("کارکنان").unwrap();
    assert_eq!(cell(&staff, 0, 0), "نام");
    let row = (1..staff.height())
        .find(|row| cell(&staff, *row, 0) == account.display_name)
        .expect("the member's row");
    assert_eq!(cell(&staff, row, 1), "واحد تشکیل، واحد مشاوره");
    assert_eq!(cell(&staff, row, 2), "2", "sign-ins");
    assert_eq!(cell(&staff, row, 4), "3", "actions");
    assert_eq!(cell(&staff, row, 5), "2", "cases closed");
    let units = workbook.worksheet_range("واحدها").unwrap();
    assert_eq!(units.height(), 3, "the header and two units");
    let office = workbook.worksheet_range("دفتر").unwrap();
    assert_eq!(cell(&office, 1, 4), "3");
    let kinds = workbook.worksheet_range("اقدام‌ها به تفکیک نوع").unwrap();
    assert!(
        (1..kinds.height())
            .any(|row| cell(&kinds, row, 1) == "complete" && cell(&kinds, row, 2) == "2")
    );

    // A day with nothing: no staff, no figures.
    let empty = app
        .get_page(
            "/staff/reports/usage?from=1404-01-01&to=1404-01-01",
            &cookie,
        )
        .await;
    assert!(empty.body.contains("id=\"usage-none\""), "{}", empty.body);
}

async fn only_the_office_head_and_manager_read_the_report_and_a_bad_period_is_refused(
    app: TestApp,
) {
    for (username, status) in [
        ("office_head", StatusCode::OK),
        ("office_manager", StatusCode::OK),
        ("formation", StatusCode::FORBIDDEN),
        ("internal_inspection", StatusCode::FORBIDDEN),
    ] {
        let cookie = format!("daftar_session={}", app.staff_token(username).await);
        let page = app.get_page("/staff/reports/usage", &cookie).await;
        assert_eq!(page.status, status, "{username}");
        let csv = app.get_page("/staff/reports/usage.csv", &cookie).await;
        assert_eq!(csv.status, status, "{username}");
        let home = app.get_page("/staff", &cookie).await;
        assert_eq!(
            home.body.contains("id=\"usage-link\""),
            status == StatusCode::OK,
            "{username}"
        );
    }
    let citizen = app.citizen_token("0499370899", "09120000001").await;
    let refused = app
        .get_page("/staff/reports/usage", &format!("daftar_session={citizen}"))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    let anonymous = app.get_page("/staff/reports/usage", "").await;
    assert_eq!(anonymous.status, StatusCode::SEE_OTHER);

    let cookie = format!("daftar_session={}", app.staff_token("office_head").await);
    for (query, message) in [
        ("from=1405-09-10&to=1405-09-01", "پایان دوره باید"),
        ("from=1404-01-01&to=1405-09-01", "حداکثر یک سال"),
        ("from=1405-13-01&to=1405-09-01", "روزها را مانند"),
    ] {
        let page = app
            .get_page(&format!("/staff/reports/usage?{query}"), &cookie)
            .await;
        assert_eq!(page.status, StatusCode::UNPROCESSABLE_ENTITY, "{query}");
        assert!(page.body.contains(message), "{query}: {}", page.body);
    }
    // Persian digits are days too.
    let persian = app
        .get_page(
            "/staff/reports/usage?from=%DB%B1%DB%B4%DB%B0%DB%B5-%DB%B0%DB%B9-%DB%B0%DB%B1&to=1405-09-02",
            &cookie,
        )
        .await;
    assert_eq!(persian.status, StatusCode::OK);
}
