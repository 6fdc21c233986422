//! Satisfaction surveys, on SQLite and PostgreSQL: a closed case's applicant is invited
//! (the closing SMS, their case page, their list of cases), answers once, every item from
//! 1 to 5; nobody else may; the results are published per unit and per service for the
//! month the case closed, a service from five responses and in steps of five, a unit as
//! the sum of its published services, never a remark, through the API, `/surveys` with
//! its charts, and CSV.

mod support;

use axum::http::StatusCode;
use serde_json::{Value, json};
use support::TestApp;

on_both_databases!(
    a_closed_cases_applicant_answers_once_and_a_group_is_published_from_five_responses,
    bad_answers_and_the_wrong_people_are_refused_and_change_nothing,
    the_pages_invite_take_the_answer_and_draw_the_published_chart,
);

/// Two single-review services of formation, and one of consulting.
const FORMATION_SERVICE: &str = "10010101003th01";
const SECOND_FORMATION_SERVICE: &str = "10010101001th01";
const CONSULTING_SERVICE: &str = "10010101024th01";
const CITIZEN: (&str, &str) = ("0499370899", "09120000001");
const OTHER: (&str, &str) = ("0790419904", "09120000002");

/// A case of `service` filed and withdrawn by its applicant: closed.
async fn closed_case(app: &TestApp, token: &str, service: &str) -> Value {
    let case = support::applied(app, token, service).await;
    let closed = app.acted(token, &case, json!({"action": "withdraw"})).await;
    assert_eq!(closed["closed"], true, "{closed}");
    closed
}

fn scores(score: u8) -> Value {
    json!({"informed": score, "on_time": score, "no_rework": score, "conduct": score, "overall": score})
}

async fn answer(app: &TestApp, token: &str, case: &Value, body: Value) -> support::TestResponse {
    app.post_json(
        &format!("/api/v1/cases/{}/survey", case["id"]),
        body,
        Some(token),
    )
    .await
}

async fn results(app: &TestApp) -> Value {
    let answer = app.get("/api/v1/surveys/results", None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    answer.json()
}

fn group<'a>(results: &'a Value, scope: &str, key: &str) -> &'a Value {
    results[scope]
        .as_array()
        .unwrap()
        .iter()
        .find(|group| group["key"] == key)
        .unwrap_or_else(|| panic!("no {scope} {key} in {results}"))
}

async fn a_closed_cases_applicant_answers_once_and_a_group_is_published_from_five_responses(
    app: TestApp,
) {
    let token = app.citizen_token(CITIZEN.0, CITIZEN.1).await;
    // An open case has no survey yet.
    let open = support::applied(&app, &token, FORMATION_SERVICE).await;
    let standing = app
        .get(
            &format!("/api/v1/cases/{}/survey", open["id"]),
            Some(&token),
        )
        .await;
    assert_eq!(standing.json()["status"], "not_closed", "{}", standing.body);
    let early = answer(&app, &token, &open, json!({"scores": scores(5)})).await;
    assert_eq!(early.status, StatusCode::CONFLICT);
    assert_eq!(early.error_code(), "survey.not_closed");

    // Closing invites the applicant in the closing SMS.
    let mut cases = Vec::new();
    for _ in 0..5 {
        cases.push(closed_case(&app, &token, FORMATION_SERVICE).await);
    }
    app.state.services.outbox.deliver_pending().await.unwrap();
    let last_sms = app.messages().last().cloned().unwrap();
    let text = last_sms["text"].as_str().unwrap();
    assert!(text.contains("انصراف متقاضی"), "the closing notice: {text}");
    assert!(text.contains("نظرسنجی"), "{text}");
    let standing = app
        .get(
            &format!("/api/v1/cases/{}/survey", cases[0]["id"]),
            Some(&token),
        )
        .await
        .json();
    assert_eq!(standing["status"], "open");
    assert!(standing["open_until"].as_str().unwrap().starts_with("14"));

    // Four responses: nothing is published, not even the month.
    for (case, score) in cases.iter().zip([5, 4, 4, 2]) {
        let mut body = json!({"scores": scores(score), "remark": "کارمند باجهٔ ۳ بسیار کمک کرد"});
        body["scores"]["conduct"] = json!(5);
        let kept = answer(&app, &token, case, body).await;
        assert_eq!(kept.status, StatusCode::NO_CONTENT, "{}", kept.body);
    }
    let four = results(&app).await;
    assert_eq!(four["services"], json!([]), "{four}");
    assert_eq!(four["units"], json!([]));
    assert_eq!(four["months"], json!([]));
    let csv = app.get("/api/v1/surveys/results.csv", None).await;
    assert_eq!(
        csv.body.lines().count(),
        1,
        "the header alone: {}",
        csv.body
    );

    // The fifth: published, with each item's mean and counts, in the form's order.
    let kept = answer(&app, &token, &cases[4], json!({"scores": scores(1)})).await;
    assert_eq!(kept.status, StatusCode::NO_CONTENT, "{}", kept.body);
    let five = results(&app).await;
    let today = daftar_core::calendar::JalaliDate::from_timestamp(jiff::Timestamp::now());
    assert_eq!(
        five["month"],
        daftar_core::survey::SurveyMonth::of(today).iso()
    );
    assert_eq!(five["published_from"], 5);
    let service = group(&five, "services", FORMATION_SERVICE);
    assert_eq!(service["responses"], 5);
    let items: Vec<&str> = service["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|item| item["item"].as_str().unwrap())
        .collect();
    assert_eq!(
        items,
        ["informed", "on_time", "no_rework", "conduct", "overall"]
    );
    let informed = &service["items"][0];
    assert_eq!(informed["counts"], json!([1, 1, 0, 2, 1]));
    assert_eq!(informed["mean"], 3.2, "(5 + 4 + 4 + 2 + 1) / 5");
    let conduct = &service["items"][3];
    assert_eq!(conduct["counts"], json!([1, 0, 0, 0, 4]));
    assert_eq!(group(&five, "units", "formation")["responses"], 5);
    assert!(
        !five.to_string().contains("باجه"),
        "remarks are never published"
    );

    // Once per case: a second answer is refused and counts nothing.
    let again = answer(&app, &token, &cases[0], json!({"scores": scores(1)})).await;
    assert_eq!(again.status, StatusCode::CONFLICT);
    assert_eq!(again.error_code(), "survey.answered");
    assert_eq!(results(&app).await, five);
    let standing = app
        .get(
            &format!("/api/v1/cases/{}/survey", cases[0]["id"]),
            Some(&token),
        )
        .await
        .json();
    assert_eq!(standing["status"], "answered");

    // A sixth response is not published on its own: results move in steps of five.
    let sixth = closed_case(&app, &token, FORMATION_SERVICE).await;
    answer(&app, &token, &sixth, json!({"scores": scores(5)})).await;
    assert_eq!(
        results(&app).await,
        five,
        "one more answer changes nothing shown"
    );

    // A unit sums its published services: a second formation service's five responses
    // join the first's; a consulting service with one response is not shown, nor counted.
    for score in [1, 2, 3, 4, 5] {
        let case = closed_case(&app, &token, SECOND_FORMATION_SERVICE).await;
        answer(&app, &token, &case, json!({"scores": scores(score)})).await;
    }
    let other = closed_case(&app, &token, CONSULTING_SERVICE).await;
    answer(&app, &token, &other, json!({"scores": scores(3)})).await;
    let mixed = results(&app).await;
    let unit = group(&mixed, "units", "formation");
    assert_eq!(unit["responses"], 10);
    assert_eq!(
        unit["items"][0]["counts"],
        json!([2, 2, 1, 3, 2]),
        "informed: 5, 4, 4, 2, 1 and 1, 2, 3, 4, 5"
    );
    assert_eq!(
        group(&mixed, "services", SECOND_FORMATION_SERVICE)["responses"],
        5
    );
    assert!(
        !mixed["units"]
            .as_array()
            .unwrap()
            .iter()
            .any(|g| g["key"] == "consulting"),
        "{mixed}"
    );

    // The CSV: a row per published group and item, no remark.
    let csv = app
        .get(
            &format!(
                "/api/v1/surveys/results.csv?month={}",
                five["month"].as_str().unwrap()
            ),
            None,
        )
        .await;
    assert_eq!(csv.status, StatusCode::OK);
    let rows: Vec<&str> = csv.body.lines().collect();
    assert_eq!(
        rows.len(),
        1 + 3 * 5,
        "a unit and two services: {}",
        csv.body
    );
    assert!(rows[0].starts_with("month,scope,key,name_fa,name_en,item,responses,mean,score_1"));
    assert!(
        rows.iter()
            .any(|row| row.contains(",service,10010101003th01,")
                && row.contains(",informed,5,3.20,1,1,0,2,1")),
        "{}",
        csv.body
    );
    assert!(!csv.body.contains("باجه"));

    // The form is public.
    let form = app.get("/api/v1/surveys", None).await.json();
    assert_eq!(form["items"].as_array().unwrap().len(), 5);
    assert_eq!(form["scale"][0]["fa"], "خیلی کم");
}

async fn bad_answers_and_the_wrong_people_are_refused_and_change_nothing(app: TestApp) {
    let token = app.citizen_token(CITIZEN.0, CITIZEN.1).await;
    let case = closed_case(&app, &token, FORMATION_SERVICE).await;
    let mut missing = scores(4);
    missing.as_object_mut().unwrap().remove("overall");
    let mut unknown = scores(4);
    unknown["age"] = json!(3);
    let refusals = [
        (json!({"scores": missing}), "survey.missing"),
        (json!({"scores": scores(0)}), "survey.score"),
        (json!({"scores": scores(6)}), "survey.score"),
        (json!({"scores": unknown}), "survey.unknown_item"),
        (
            json!({"scores": scores(4), "remark": "ا".repeat(1001)}),
            "survey.remark_too_long",
        ),
    ];
    for (body, code) in refusals {
        let refused = answer(&app, &token, &case, body).await;
        assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY, "{code}");
        assert_eq!(refused.error_code(), code);
    }
    let not_a_number = answer(&app, &token, &case, json!({"scores": {"informed": "خوب"}})).await;
    assert_eq!(not_a_number.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Another citizen is told there is no such case; staff that the survey is not theirs.
    let other = app.citizen_token(OTHER.0, OTHER.1).await;
    let refused = answer(&app, &other, &case, json!({"scores": scores(4)})).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let head = app.staff_token("office_head").await;
    let refused = answer(&app, &head, &case, json!({"scores": scores(4)})).await;
    assert_eq!(refused.status, StatusCode::FORBIDDEN);
    assert_eq!(refused.error_code(), "case.applicants_only");
    // Staff whose units have no part in the case are told, as on the case page, that
    // there is no such case.
    let inspector = app.staff_token("inspection").await;
    let refused = answer(&app, &inspector, &case, json!({"scores": scores(4)})).await;
    assert_eq!(refused.status, StatusCode::NOT_FOUND);
    let unsigned = answer(&app, "", &case, json!({"scores": scores(4)})).await;
    assert_eq!(unsigned.status, StatusCode::UNAUTHORIZED);

    // None of it was kept: the applicant may still answer, and the month has nothing.
    let standing = app
        .get(
            &format!("/api/v1/cases/{}/survey", case["id"]),
            Some(&token),
        )
        .await
        .json();
    assert_eq!(standing["status"], "open");
    let months = results(&app).await["months"].clone();
    assert_eq!(months, json!([]));
    let bad_month = app.get("/api/v1/surveys/results?month=1405-13", None).await;
    assert_eq!(bad_month.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert_eq!(bad_month.error_code(), "survey.month");
}

async fn the_pages_invite_take_the_answer_and_draw_the_published_chart(app: TestApp) {
    let token = app.citizen_token(CITIZEN.0, CITIZEN.1).await;
    let cookie = format!("daftar_session={token}");
    let mut cases = Vec::new();
    for _ in 0..5 {
        cases.push(closed_case(&app, &token, FORMATION_SERVICE).await);
    }
    for case in &cases[..4] {
        answer(&app, &token, case, json!({"scores": scores(4)})).await;
    }
    let before = app.get_page("/surveys", "").await;
    assert_eq!(before.status, StatusCode::OK);
    assert!(
        before.body.contains("id=\"surveys-none\""),
        "{}",
        before.body
    );
    assert!(!before.body.contains("<rect x="), "no chart below five");

    // The case page and the list of cases invite; the survey page asks every item.
    let id = cases[4]["id"].as_i64().unwrap();
    let case_page = app.get_page(&format!("/cases/{id}"), &cookie).await;
    assert!(case_page.body.contains("id=\"survey-invitation\""));
    let answered_page = app
        .get_page(&format!("/cases/{}", cases[0]["id"]), &cookie)
        .await;
    assert!(!answered_page.body.contains("id=\"survey-invitation\""));
    let list = app.get_page("/cases", &cookie).await;
    assert_eq!(
        list.body.matches("class=\"survey-link\"").count(),
        1,
        "only the unanswered case"
    );
    let form = app.get_page(&format!("/cases/{id}/survey"), &cookie).await;
    assert_eq!(form.status, StatusCode::OK);
    assert_eq!(form.body.matches("type=\"radio\"").count(), 25);
    assert!(form.body.contains("خیلی زیاد"));
    let csrf = form.hidden("csrf");

    // One item left out: refused, what was chosen kept.
    let mut typed: Vec<(String, String)> = ["informed", "on_time", "no_rework", "conduct"]
        .iter()
        .map(|item| (format!("score_{item}"), "۵".to_owned()))
        .collect();
    typed.push(("csrf".into(), csrf.clone()));
    typed.push(("remark".into(), "سپاس".into()));
    let fields: Vec<(&str, &str)> = typed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let refused = app
        .post_form(&format!("/cases/{id}/survey"), &fields, &cookie)
        .await;
    assert_eq!(refused.status, StatusCode::UNPROCESSABLE_ENTITY);
    assert!(refused.body.contains("id=\"survey-error\""));
    assert!(
        refused.body.contains("value=\"5\" required checked"),
        "{}",
        refused.body
    );
    assert!(refused.body.contains(">سپاس</textarea>"));

    typed.push(("score_overall".into(), "3".into()));
    let fields: Vec<(&str, &str)> = typed
        .iter()
        .map(|(k, v)| (k.as_str(), v.as_str()))
        .collect();
    let forged = app
        .post_form(
            &format!("/cases/{id}/survey"),
            &fields
                .iter()
                .map(|(k, v)| {
                    if *k == "csrf" {
                        (*k, "forged")
                    } else {
                        (*k, *v)
                    }
                })
                .collect::<Vec<_>>(),
            &cookie,
        )
        .await;
    assert_eq!(forged.status, StatusCode::FORBIDDEN);
    let sent = app
        .post_form(&format!("/cases/{id}/survey"), &fields, &cookie)
        .await;
    assert_eq!(sent.status, StatusCode::SEE_OTHER, "{}", sent.body);
    let thanked = app
        .get_page(&format!("/cases/{id}?survey=thanks"), &cookie)
        .await;
    assert!(thanked.body.contains("سپاسگزاریم"));
    assert!(!thanked.body.contains("id=\"survey-invitation\""));
    let done = app.get_page(&format!("/cases/{id}/survey"), &cookie).await;
    assert!(done.body.contains("data-status=\"answered\""));

    // Five responses: the chart, the mean in Persian digits, no remark.
    let after = app.get_page("/surveys", "").await;
    assert!(after.body.contains("id=\"service-10010101003th01\""));
    assert!(after.body.contains("<svg class=\"bar\""));
    assert!(after.body.contains("<rect x="));
    assert!(after.body.contains("۴٫۲"), "four fours and a five");
    assert!(after.body.contains("۳٫۸"), "four fours and a three");
    assert!(!after.body.contains("سپاس<"), "remarks are never published");
    let english = app.get_page("/surveys", "lang=en").await;
    assert!(english.body.contains("Survey results"));
    assert!(english.body.contains("5 responses"));
    let csv = app.get_page("/surveys.csv", "").await;
    assert_eq!(csv.status, StatusCode::OK);
    assert!(csv.body.starts_with("month,scope,key"));
    let bad = app.get_page("/surveys?month=x", "").await;
    assert_eq!(bad.status, StatusCode::UNPROCESSABLE_ENTITY);

    // Someone else's survey page: no such case.
    let other = app.citizen_token(OTHER.0, OTHER.1).await;
    let theirs = app
        .get_page(
            &format!("/cases/{id}/survey"),
            &format!("daftar_session={other}"),
        )
        .await;
    assert_eq!(theirs.status, StatusCode::NOT_FOUND);
}
