//! The usage report's reads on SQLite and PostgreSQL: a period's staff actions, each with
//! when its case reached the state it was taken in. SQLite works the predecessors out in
//! the program and PostgreSQL with a window; both must give the same rows.

mod support;

use daftar_core::calendar::JalaliDate;
use daftar_core::ir::NationalId;
use daftar_core::roles::{OfficeCode, Role};
use daftar_store::{
    Actor, CaseId, NewCase, NewHistory, NewStaff, NewTask, Office, StaffActionRow, StaffId, Store,
    Transition,
};
use jiff::Timestamp;

on_both_databases!(
    a_period_holds_the_office_staff_actions_each_with_when_its_case_reached_the_state,
);

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

fn office(code: &str) -> OfficeCode {
    OfficeCode::parse(code).unwrap()
}

async fn staff(store: &dyn Store, username: &str, name: &str) -> StaffId {
    store
        .create_staff(
            &NewStaff {
                username: username.into(),
                display_name: name.into(),
                password_hash: "x".into(),
                mobile: None,
                roles: vec![(office("0101"), Role::Formation)],
            },
            t(0),
        )
        .await
        .unwrap()
}

fn history(actor: Actor, action: &str, from: Option<&str>, to: &str) -> NewHistory {
    NewHistory {
        actor,
        action: action.into(),
        from_state: from.map(str::to_owned),
        to_state: to.into(),
        comment: None,
        changes: None,
    }
}

/// A case of `office` opened by its applicant at `at`.
async fn open(store: &dyn Store, code: &str, office_code: &str, service: &str, at: i64) -> CaseId {
    let due = JalaliDate::parse("1405-03-10").unwrap();
    store
        .open_case(
            &NewCase {
                complaint: None,
                tracking_code: code.into(),
                service_id: service.into(),
                workflow_id: "single_review".into(),
                workflow_version: 1,
                applicant: Some(NationalId::parse("0499370899").unwrap()),
                applicant_verified: true,
                acting_for: None,
                office: office(office_code),
                district: Some(1),
                renewal_code: None,
                state: "review".into(),
                position_json: "{}".into(),
                fields_json: "{}".into(),
                sla_due: Some(due),
            },
            &[NewTask {
                role: Role::Formation,
                state: "review".into(),
                sla_due: due,
                assignee: None,
            }],
            &history(Actor::Applicant, "apply", None, "review"),
            &[],
            &[],
            t(at),
        )
        .await
        .unwrap()
}

/// `who` takes `action` on the case at `at`, from `review` to `to`.
async fn act(
    store: &dyn Store,
    case: CaseId,
    version: i64,
    who: (StaffId, &str),
    action: &str,
    to: &str,
    at: i64,
) {
    let transition = Transition {
        case,
        expected_version: version,
        state: to.into(),
        position_json: "{}".into(),
        fields_json: None,
        sla_due: None,
        closed: to == "done",
        tasks: Vec::new(),
        history: history(
            Actor::Staff {
                id: who.0,
                name: format!("{} (as named then)", who.1),
            },
            action,
            Some("review"),
            to,
        ),
        previous_history_hash: None,
        notifications: Vec::new(),
        documents: Vec::new(),
        bills: Vec::new(),
        cancel_unpaid_bills: false,
        cancel_any_unpaid_bills: false,
        issued: Vec::new(),
    };
    store.apply_transition(&transition, t(at)).await.unwrap();
}

async fn a_period_holds_the_office_staff_actions_each_with_when_its_case_reached_the_state(
    store: &dyn Store,
) {
    for (code, name) in [("0101", "دفتر ۰۱۰۱"), ("0102", "دفتر ۰۱۰۲")] {
        store
            .upsert_office(&Office {
                code: office(code),
                name_fa: name.into(),
                name_en: code.into(),
                district: 1,
            })
            .await
            .unwrap();
    }
    let ali = (staff(store, "ali", "علی").await, "علی");
    let sara = (staff(store, "sara", "سارا").await, "سارا");
    // The period is [1000, 2000). The two cases' rows are written in turn, so that their
    // ids interleave.
    let first = open(store, "100000000017", "0101", "s1", 10).await;
    act(store, first, 1, ali, "assign", "review", 1000).await;
    let second = open(store, "100000000025", "0101", "s2", 1200).await;
    act(store, second, 1, sara, "return", "returned", 1300).await;
    act(store, first, 2, sara, "complete", "done", 1500).await;
    act(store, second, 2, ali, "assign", "review", 2000).await;
    let elsewhere = open(store, "100000000033", "0102", "s1", 900).await;
    act(store, elsewhere, 1, ali, "assign", "review", 1400).await;
    open(store, "100000000041", "0101", "s1", 1600).await;

    let mut rows = store
        .staff_actions(&office("0101"), t(1000), t(2000))
        .await
        .unwrap();
    rows.sort_by_key(|row| row.at);
    let row =
        |who: (StaffId, &str), service: &str, action: &str, to: &str, at, reached| StaffActionRow {
            staff_id: who.0.0,
            actor_name: who.1.into(),
            service_id: service.into(),
            workflow_id: "single_review".into(),
            workflow_version: 1,
            action: action.into(),
            from_state: Some("review".into()),
            to_state: to.into(),
            at: t(at).as_second(),
            reached_at: Some(t(reached).as_second()),
        };
    assert_eq!(
        rows,
        vec![
            // The case's first row in the period: its state was reached before it.
            row(ali, "s1", "assign", "review", 1000, 10),
            row(sara, "s2", "return", "returned", 1300, 1200),
            row(sara, "s1", "complete", "done", 1500, 1000),
        ],
        "the staff actions from the period's first second to before its end, on the office's \
         cases only, none of the applicants', named as the staff are named now"
    );
    assert!(
        store
            .staff_actions(&office("0101"), t(3000), t(4000))
            .await
            .unwrap()
            .is_empty()
    );
}
