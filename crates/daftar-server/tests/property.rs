//! The property file, the inquiry about a property, the inquiry recorded on a case with
//! its map order, and inspection visits, through the API on SQLite and PostgreSQL, over
//! the demo's register, plots and zoning map.

mod support;

use axum::http::StatusCode;
use daftar_server::auth::SESSION_COOKIE;
use serde_json::{Value, json};
use support::TestApp;

on_both_databases!(
    staff_and_the_owner_read_the_property_file_and_no_one_else,
    a_malformed_renewal_code_is_refused_naming_the_part,
    the_inquiry_about_a_plot_across_two_zones_gives_both_with_their_shares,
    formation_records_the_inquiry_on_a_case_and_the_map_order_follows_it,
    a_visit_is_booked_once_per_slot_moved_with_a_reason_and_the_applicant_told,
    the_property_page_shows_the_file_to_staff_and_the_owner_only,
    the_case_page_books_a_visit_keeps_a_refused_choice_and_the_day_lists_it,
    the_inspector_marks_the_property_on_a_map_of_its_plot_and_zones,
    the_non_eligibility_notice_is_issued_only_on_a_plot_that_cannot_be_built_on,
    the_inquiry_page_asks_about_a_property_by_its_renewal_code,
);

const OWNER: (&str, &str) = ("0499370899", "09120000001");
const OTHER_OWNER: (&str, &str) = ("0790419904", "09120000002");

async fn new_permit_case(app: &TestApp) -> Value {
    support::apply_for_permit(app).await
}

async fn staff_and_the_owner_read_the_property_file_and_no_one_else(app: TestApp) {
    let case = new_permit_case(&app).await;
    let path = "/api/v1/properties/1/01-101-12-0";
    let clerk = app.staff_token("formation").await;
    let file = app.get(path, Some(&clerk)).await;
    assert_eq!(file.status, StatusCode::OK, "{}", file.body);
    let json = file.json();
    assert_eq!(json["plot"]["registration_plate"], "4512/73");
    assert_eq!(json["plot"]["deed_area_m2"], 180.0);
    assert_eq!(json["plot"]["outline"]["type"], "MultiPolygon");
    assert_eq!(json["registered"]["owners"][0]["share"], 100.0);
    assert_eq!(json["cases"][0]["tracking_code"], case["tracking_code"]);
    assert_eq!(json["reads"].as_array().unwrap().len(), 1);
    // Every staff read is kept.
    let again = app.get(path, Some(&clerk)).await.json();
    assert_eq!(again["reads"].as_array().unwrap().len(), 2);

    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let own = app.get(path, Some(&owner)).await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    assert_eq!(
        own.json()["reads"],
        json!([]),
        "staff reads are not the owner's"
    );

    let stranger = app.citizen_token(OTHER_OWNER.0, OTHER_OWNER.1).await;
    let refused = app.get(path, Some(&stranger)).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let inquiry = app
        .get(
            "/api/v1/zoning/inquiry?district=1&renewal_code=01-101-12-0",
            Some(&stranger),
        )
        .await;
    assert_eq!(inquiry.status, StatusCode::NOT_FOUND);
    assert_eq!(app.get(path, None).await.status, StatusCode::UNAUTHORIZED);
    let unknown = app
        .get("/api/v1/properties/1/01-999-99-9", Some(&clerk))
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

async fn a_malformed_renewal_code_is_refused_naming_the_part(app: TestApp) {
    let clerk = app.staff_token("formation").await;
    let answer = app
        .get("/api/v1/properties/1/01-101-12345-0", Some(&clerk))
        .await;
    assert_eq!(answer.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(answer.error_code(), "renewal_code.block");
    let short = app.get("/api/v1/properties/1/01-101", Some(&clerk)).await;
    assert_eq!(short.error_code(), "renewal_code.invalid");
}

async fn the_inquiry_about_a_plot_across_two_zones_gives_both_with_their_shares(app: TestApp) {
    let clerk = app.staff_token("formation").await;
    let answer = app
        .get(
            "/api/v1/zoning/inquiry?district=1&renewal_code=01-102-07-0",
            Some(&clerk),
        )
        .await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let json = answer.json();
    let zones = json["zones"].as_array().unwrap();
    let codes: Vec<&str> = zones.iter().map(|z| z["code"].as_str().unwrap()).collect();
    assert_eq!(codes.len(), 2, "{json}");
    assert!(
        codes.contains(&"R111") && codes.contains(&"R121"),
        "{codes:?}"
    );
    let shares: f64 = zones.iter().map(|z| z["share"].as_f64().unwrap()).sum();
    assert!((shares - 1.0).abs() < 0.005, "{shares}");
    for zone in zones {
        let share = zone["share"].as_f64().unwrap();
        assert!((share - 0.5).abs() < 0.05, "{zone}");
    }
    assert_eq!(json["map_order"]["deed_area_m2"], 90.0);

    // The owner may ask about their own property; green space cannot be built on.
    let owner = app.citizen_token(OTHER_OWNER.0, OTHER_OWNER.1).await;
    let own = app
        .get(
            "/api/v1/zoning/inquiry?district=1&renewal_code=01-102-07-0",
            Some(&owner),
        )
        .await;
    assert_eq!(own.status, StatusCode::OK, "{}", own.body);
    let green = app
        .get(
            "/api/v1/zoning/inquiry?district=1&renewal_code=01-205-03-0",
            Some(&clerk),
        )
        .await
        .json();
    assert_eq!(green["zones"][0]["code"], "G111");
    assert_eq!(green["map_order"]["buildable"], false);
    let neither = app.get("/api/v1/zoning/inquiry", Some(&clerk)).await;
    assert_eq!(neither.error_code(), "zoning.query");
}

async fn formation_records_the_inquiry_on_a_case_and_the_map_order_follows_it(app: TestApp) {
    let case = new_permit_case(&app).await;
    let id = &case["id"];
    let owner = app.citizen_token(OWNER.0, OWNER.1).await;
    let none_yet = app
        .get(&format!("/api/v1/cases/{id}/map-order"), Some(&owner))
        .await;
    assert_eq!(none_yet.status, StatusCode::NOT_FOUND);

    let inspector = app.staff_token("inspection").await;
    let path = format!("/api/v1/cases/{id}/inquiry");
    let refused = app
        .post_json(&path, json!({"version": case["version"]}), Some(&inspector))
        .await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN, "{}", refused.body);

    let clerk = app.staff_token("formation").await;
    let recorded = app
        .post_json(&path, json!({"version": case["version"]}), Some(&clerk))
        .await;
    assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
    let recorded = recorded.json();
    assert_eq!(recorded["inquiry_version"], 1);
    assert_eq!(recorded["answer"]["zones"][0]["code"], "R111");
    assert_eq!(recorded["answer"]["flags"], json!(["worn_out_fabric"]));
    assert_eq!(recorded["answer"]["setbacks"][0]["side"], "north");
    // 180 m² less 1.5 m × 12 m to the street.
    assert_eq!(recorded["answer"]["map_order"]["remaining_area_m2"], 162.0);

    // A second recording at the old version changes nothing.
    let stale = app
        .post_json(&path, json!({"version": case["version"]}), Some(&clerk))
        .await;
    assert_eq!(stale.status, StatusCode::CONFLICT);

    let order = app
        .get(&format!("/api/v1/cases/{id}/map-order"), Some(&owner))
        .await;
    assert_eq!(order.status, StatusCode::OK, "{}", order.body);
    assert_eq!(
        order.json()["answer"]["map_order"],
        recorded["answer"]["map_order"]
    );
    let stranger = app.citizen_token(OTHER_OWNER.0, OTHER_OWNER.1).await;
    let hidden = app
        .get(&format!("/api/v1/cases/{id}/map-order"), Some(&stranger))
        .await;
    assert_eq!(hidden.status, StatusCode::NOT_FOUND);
}

async fn a_visit_is_booked_once_per_slot_moved_with_a_reason_and_the_applicant_told(app: TestApp) {
    let first = new_permit_case(&app).await;
    let second = new_permit_case(&app).await;
    let clerk = app.staff_token("formation").await;
    let inspector_id = app
        .store
        .staff_by_username("inspection")
        .await
        .unwrap()
        .unwrap()
        .id
        .0;
    let days = app.state.services.cases.upcoming_working_days(3);
    let day = days[0].iso_jalali();
    let book = |case: &Value, day: &str, slot: &str, reason: Option<&str>| {
        json!({"version": case["version"], "inspector_id": inspector_id, "day": day,
               "slot": slot, "reason": reason})
    };
    let sent_before = app.messages().len();
    let booked = app
        .post_json(
            &format!("/api/v1/cases/{}/visit", first["id"]),
            book(&first, &day, "09:00", None),
            Some(&clerk),
        )
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
    let booked = booked.json();
    assert_eq!(booked["day"], day);

    // The same inspector at the same time, for another case: refused, nothing kept.
    let taken = app
        .post_json(
            &format!("/api/v1/cases/{}/visit", second["id"]),
            book(&second, &day, "۰۹:۰۰", None),
            Some(&clerk),
        )
        .await;
    assert_eq!(taken.error_code(), "visit.slot_taken", "{}", taken.body);
    for (bad_day, slot, code) in [
        ("1400-01-01", "09:00", "visit.day"),
        (day.as_str(), "08:15", "visit.slot"),
        ("tomorrow", "09:00", "visit.day"),
    ] {
        let refused = app
            .post_json(
                &format!("/api/v1/cases/{}/visit", second["id"]),
                book(&second, bad_day, slot, None),
                Some(&clerk),
            )
            .await;
        assert_eq!(refused.error_code(), code, "{bad_day} {slot}");
    }

    // Moving the visit needs a reason; the old one is kept, cancelled.
    let moved_case = json!({"version": booked["case_version"]});
    let no_reason = app
        .post_json(
            &format!("/api/v1/cases/{}/visit", first["id"]),
            book(&moved_case, &days[1].iso_jalali(), "10:30", None),
            Some(&clerk),
        )
        .await;
    assert_eq!(no_reason.error_code(), "visit.reason");
    let moved = app
        .post_json(
            &format!("/api/v1/cases/{}/visit", first["id"]),
            book(
                &moved_case,
                &days[1].iso_jalali(),
                "10:30",
                Some("مالک در سفر است"),
            ),
            Some(&clerk),
        )
        .await;
    assert_eq!(moved.status, StatusCode::CREATED, "{}", moved.body);
    let visits = app
        .get(
            &format!("/api/v1/cases/{}/visits", first["id"]),
            Some(&clerk),
        )
        .await
        .json();
    let visits = visits.as_array().unwrap();
    assert_eq!(visits.len(), 2);
    assert_eq!(visits[0]["cancelled_at"], Value::Null);
    assert_eq!(visits[0]["slot"], "10:30");
    assert_eq!(visits[1]["cancel_reason"], "مالک در سفر است");

    // The applicant was told each time, with the Jalali day in Persian.
    app.state.services.outbox.deliver_pending().await.unwrap();
    let messages = app.messages_at_least(sent_before + 2).await;
    let texts: Vec<&str> = messages[sent_before..]
        .iter()
        .filter_map(|m| m["text"].as_str())
        .filter(|text| text.contains("بازدید"))
        .collect();
    assert_eq!(texts.len(), 2, "{messages:?}");
    assert!(texts[0].contains(&days[0].format_fa()), "{}", texts[0]);
    assert!(texts[1].contains("تغییر"), "{}", texts[1]);
}

async fn the_property_page_shows_the_file_to_staff_and_the_owner_only(app: TestApp) {
    let case = new_permit_case(&app).await;
    let path = "/properties/1/01-101-12-0";
    let clerk = format!("{SESSION_COOKIE}={}", app.staff_token("formation").await);
    let page = app.get_page(path, &clerk).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(
        page.body.contains("۴۵۱۲/۷۳"),
        "the plate, in Persian digits"
    );
    assert!(page.body.contains(case["tracking_code"].as_str().unwrap()));
    assert!(page.body.contains("id=\"property-reads\""));
    // The case page links to it.
    let case_page = app
        .get_page(&format!("/cases/{}", case["id"]), &clerk)
        .await;
    assert!(case_page.body.contains(&format!("href=\"{path}\"")));

    let owner = format!(
        "{SESSION_COOKIE}={}",
        app.citizen_token(OWNER.0, OWNER.1).await
    );
    let own = app.get_page(path, &owner).await;
    assert_eq!(own.status, StatusCode::OK);
    assert!(
        !own.body.contains("id=\"property-reads\""),
        "reads are for staff"
    );
    let stranger = format!(
        "{SESSION_COOKIE}={}",
        app.citizen_token(OTHER_OWNER.0, OTHER_OWNER.1).await
    );
    assert_eq!(
        app.get_page(path, &stranger).await.status,
        StatusCode::NOT_FOUND
    );
    let bad = app.get_page("/properties/1/01-x-12-0", &clerk).await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("ناحیه"), "the wrong part is named");
}

async fn the_case_page_books_a_visit_keeps_a_refused_choice_and_the_day_lists_it(app: TestApp) {
    let first = new_permit_case(&app).await;
    let second = new_permit_case(&app).await;
    let clerk = format!("{SESSION_COOKIE}={}", app.staff_token("formation").await);
    let day = app.state.services.cases.upcoming_working_days(1)[0].iso_jalali();
    let inspector = app
        .store
        .staff_by_username("inspection")
        .await
        .unwrap()
        .unwrap()
        .id
        .0
        .to_string();
    let book = |case: &Value| {
        let app = &app;
        let clerk = clerk.clone();
        let day = day.clone();
        let inspector = inspector.clone();
        let path = format!("/cases/{}", case["id"]);
        async move {
            let page = app.get_page(&path, &clerk).await;
            assert!(page.body.contains("id=\"book-visit\""), "{}", page.body);
            app.post_form(
                &format!("{path}/visit"),
                &[
                    ("csrf", &page.hidden("csrf")),
                    ("version", &page.hidden("version")),
                    ("inspector", &inspector),
                    ("day", &day),
                    ("slot", "10:30"),
                ],
                &clerk,
            )
            .await
        }
    };
    let booked = book(&first).await;
    assert_eq!(booked.status, StatusCode::SEE_OTHER, "{}", booked.body);
    // The inspector's name is isolated in the line, for the English page's sake.
    let shown = app
        .get_page(&format!("/cases/{}", first["id"]), &clerk)
        .await;
    assert!(
        shown.body.contains("\u{2068}کارشناس واحد بازدید\u{2069}"),
        "{}",
        shown.body
    );
    let refused = book(&second).await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(
        refused.body.contains("id=\"visit-error\""),
        "{}",
        refused.body
    );
    assert!(
        refused
            .body
            .contains(&format!("<option value=\"{day}\" selected")),
        "the day chosen is kept"
    );

    let listed = app
        .get_page(&format!("/staff/visits?day={day}"), &clerk)
        .await;
    assert_eq!(listed.status, StatusCode::OK);
    assert!(
        listed
            .body
            .contains(first["tracking_code"].as_str().unwrap())
    );
    assert!(
        !listed
            .body
            .contains(second["tracking_code"].as_str().unwrap())
    );
    assert!(listed.body.contains("۱۰:۳۰"));
    let citizen = format!(
        "{SESSION_COOKIE}={}",
        app.citizen_token(OWNER.0, OWNER.1).await
    );
    let refused = app.get_page("/staff/visits", &citizen).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
}

/// A permit case at inspection, and the inspector's session cookie.
async fn at_inspection(app: &TestApp) -> (Value, String) {
    let case = support::ready_for_inspection(app, &new_permit_case(app).await).await;
    let formation = app.staff_token("formation").await;
    let referred = app
        .post_json(
            &format!("/api/v1/cases/{}/actions", case["id"]),
            json!({"action": "book_inspection", "version": case["version"]}),
            Some(&formation),
        )
        .await;
    assert_eq!(referred.status, StatusCode::OK, "{}", referred.body);
    let inspector = format!("{SESSION_COOKIE}={}", app.staff_token("inspection").await);
    (referred.json(), inspector)
}

async fn the_inspector_marks_the_property_on_a_map_of_its_plot_and_zones(app: TestApp) {
    let (case, inspector) = at_inspection(&app).await;
    let page = app
        .get_page(&format!("/cases/{}", case["id"]), &inspector)
        .await;
    assert_eq!(page.status, StatusCode::OK);
    assert!(page.body.contains("id=\"sketch-map\""), "{}", page.body);
    assert!(page.body.contains("/static/leaflet/leaflet.js"));
    // The plot and the zones around it, drawn without tiles (none configured).
    assert!(page.body.contains("&#34;kind&#34;:&#34;plot&#34;"));
    assert!(page.body.contains("&#34;code&#34;:&#34;R111&#34;"));
    assert!(page.body.contains("data-tiles=\"\""));
    // The plot's outline under the drawing board, in metres from its south-west corner.
    assert!(
        page.body.contains("data-outline=\"0.00,0.00 "),
        "{}",
        page.body
    );
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(policy.contains("img-src 'self' data:;"), "{policy}");
    let leaflet = app.get_page("/static/leaflet/leaflet.js", "").await;
    assert_eq!(leaflet.status, StatusCode::OK);
    assert!(leaflet.body.contains("Leaflet 1.9.4"));
}

#[tokio::test]
async fn the_map_loads_the_configured_tiles_and_the_page_allows_their_origin() {
    let app = TestApp::spawn_with(support::Db::Sqlite, |config| {
        config.map_tiles_url = Some("https://tiles.example.ir/{z}/{x}/{y}.png".into());
    })
    .await;
    let (case, inspector) = at_inspection(&app).await;
    let page = app
        .get_page(&format!("/cases/{}", case["id"]), &inspector)
        .await;
    assert!(
        page.body
            .contains("data-tiles=\"https://tiles.example.ir/{z}/{x}/{y}.png\"")
    );
    let policy = page.headers["content-security-policy"].to_str().unwrap();
    assert!(
        policy.contains("img-src 'self' data: https://tiles.example.ir;"),
        "{policy}"
    );
    // Pages without the map keep the strict policy.
    let home = app.get_page("/", "").await;
    let policy = home.headers["content-security-policy"].to_str().unwrap();
    assert!(!policy.contains("tiles.example.ir"), "{policy}");
}

/// The non-eligibility notice (اعلام عدم قابلیت) rests on the inquiry: refused before it,
/// refused on a plot that may be built on, issued on one that may not (green space).
async fn the_non_eligibility_notice_is_issued_only_on_a_plot_that_cannot_be_built_on(app: TestApp) {
    const NOTICE: &str = "10010101006th01";
    let citizen = app.citizen_token(OWNER.0, OWNER.1).await;
    let clerk = app.staff_token("formation").await;
    let apply = |renewal_code: &'static str| {
        let app = &app;
        let citizen = citizen.clone();
        async move {
            let mut form = support::application_with_a_pdf_of(app, NOTICE, 64);
            form["answers"]["renewal_code"] = json!(renewal_code);
            let applied = app.post_json("/api/v1/cases", form, Some(&citizen)).await;
            assert_eq!(applied.status, StatusCode::CREATED, "{}", applied.body);
            applied.json()
        }
    };
    let act = |case: Value| {
        let app = &app;
        let clerk = clerk.clone();
        async move {
            let path = format!("/api/v1/cases/{}", case["id"]);
            let now = app.get(&path, Some(&clerk)).await.json();
            app.post_json(
                &format!("{path}/actions"),
                json!({"action": "issue_notice", "version": now["version"]}),
                Some(&clerk),
            )
            .await
        }
    };
    let record = |case: &Value| {
        let app = &app;
        let clerk = clerk.clone();
        let path = format!("/api/v1/cases/{}/inquiry", case["id"]);
        let version = case["version"].clone();
        async move {
            let recorded = app
                .post_json(&path, json!({"version": version}), Some(&clerk))
                .await;
            assert_eq!(recorded.status, StatusCode::CREATED, "{}", recorded.body);
        }
    };
    let buildable = apply("01-101-12-0").await;
    assert_eq!(
        act(buildable.clone()).await.error_code(),
        "case.needs_inquiry"
    );
    record(&buildable).await;
    assert_eq!(
        act(buildable).await.error_code(),
        "case.needs_not_buildable"
    );
    let green = apply("01-205-03-0").await;
    record(&green).await;
    let issued = act(green).await;
    assert_eq!(issued.status, StatusCode::OK, "{}", issued.body);
    assert_eq!(issued.json()["state"], "done");
}

async fn the_inquiry_page_asks_about_a_property_by_its_renewal_code(app: TestApp) {
    let clerk = format!("{SESSION_COOKIE}={}", app.staff_token("formation").await);
    let page = app
        .get_page("/staff/zoning?district=1&renewal_code=01-102-07-0", &clerk)
        .await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
    assert!(page.body.contains("R111") && page.body.contains("R121"));
    assert!(
        page.body.contains("id=\"map-order\""),
        "the property's map order"
    );
    let bad = app
        .get_page(
            "/staff/zoning?district=1&renewal_code=01-101-12345-0",
            &clerk,
        )
        .await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(bad.body.contains("بلوک"), "the wrong part is named");
    let unknown = app
        .get_page("/staff/zoning?district=1&renewal_code=01-999-99-9", &clerk)
        .await;
    assert_eq!(unknown.status, StatusCode::NOT_FOUND);
}

#[tokio::test]
async fn an_office_with_slots_of_its_own_books_at_those_times_only() {
    let app = TestApp::spawn_with(support::Db::Sqlite, |config| {
        config.office_visit_slots = vec![format!("{}=08:30,11:00", daftar_app::demo::DEMO_OFFICE)];
    })
    .await;
    let case = new_permit_case(&app).await;
    let clerk = app.staff_token("formation").await;
    let path = format!("/api/v1/cases/{}", case["id"]);
    let choices = app
        .get(&format!("{path}/visit-choices"), Some(&clerk))
        .await
        .json();
    assert_eq!(choices["slots"], json!(["08:30", "11:00"]));
    let book = |slot: &str| {
        json!({"version": case["version"], "inspector_id": choices["inspectors"][0]["id"],
               "day": choices["days"][0], "slot": slot})
    };
    let refused = app
        .post_json(&format!("{path}/visit"), book("09:00"), Some(&clerk))
        .await;
    assert_eq!(refused.error_code(), "visit.slot");
    let booked = app
        .post_json(&format!("{path}/visit"), book("08:30"), Some(&clerk))
        .await;
    assert_eq!(booked.status, StatusCode::CREATED, "{}", booked.body);
}
