//! The cases contract on SQLite and PostgreSQL: opening a case, one transaction per
//! action with exactly one winner when two act at once, queues, the SLA sweep, the
//! outbox and documents.

mod support;

use daftar_core::calendar::JalaliDate;
use daftar_core::ir::{LegalId, NationalId};
use daftar_core::roles::{OfficeCode, Role};
use daftar_store::{
    Actor, Attempt, CaseId, NewCase, NewDocument, NewHistory, NewNotification, NewSketch, NewStaff,
    NewTask, NewVisit, Office, QueueOrder, QueueQuery, QueueSearch, Recipient, StaffId, Store,
    StoreError, Transition,
};
use jiff::{SignedDuration, Timestamp};

on_both_databases!(
    a_count_alone_reads_no_rows,
    visits_take_one_slot_each_are_moved_with_history_and_fall_overdue,
    sketches_are_kept_as_versions_with_who_drew_them,
    a_queue_finds_a_case_by_code_or_applicant_and_sorts_by_its_columns,
    a_case_opens_with_its_tasks_history_and_notification,
    a_tracking_code_is_never_given_twice,
    an_action_moves_the_case_and_writes_history_and_outbox_together,
    of_two_actions_on_the_same_version_exactly_one_wins,
    many_actions_at_once_each_commit_whole_or_not_at_all,
    actions_written_together_keep_their_own_tasks_history_and_notices,
    a_closed_case_takes_no_more_actions,
    the_queue_lists_a_role_tasks_by_due_date_with_counts_and_filters,
    the_sla_sweep_marks_each_overdue_task_once_and_notifies,
    two_sweeps_at_once_mark_each_task_once,
    the_outbox_hands_out_pending_notifications_until_sent,
    a_claimed_notification_is_handed_to_nobody_else_until_marked_or_its_lease_ends,
    a_claim_passes_over_notifications_given_up,
    an_applicant_cases_are_listed_by_who_they_acted_for_before_the_limit,
    every_document_version_is_kept_with_views_and_approval,
    staff_mobiles_are_found_by_office_and_role,
    documents_come_with_the_application_and_with_an_action_or_not_at_all,
);

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

fn day(text: &str) -> JalaliDate {
    JalaliDate::parse(text).unwrap()
}

fn office() -> OfficeCode {
    OfficeCode::parse("0101").unwrap()
}

fn citizen() -> NationalId {
    NationalId::parse("0499370899").unwrap()
}

async fn setup(store: &dyn Store) -> StaffId {
    store
        .upsert_office(&Office {
            code: office(),
            name_fa: "دفتر ۰۱۰۱".into(),
            name_en: "Office 0101".into(),
            district: 1,
        })
        .await
        .unwrap();
    store
        .create_staff(
            &NewStaff {
                username: "inspector".into(),
                display_name: "Inspector".into(),
                password_hash: "x".into(),
                mobile: None,
                roles: vec![(office(), Role::Inspection)],
            },
            t(0),
        )
        .await
        .unwrap()
}

fn new_case(code: &str, service: &str, district: u16) -> NewCase {
    NewCase {
        complaint: None,
        tracking_code: code.into(),
        service_id: service.into(),
        workflow_id: "building_permit".into(),
        workflow_version: 1,
        applicant: Some(citizen()),
        applicant_verified: true,
        acting_for: None,
        office: office(),
        district: Some(district),
        renewal_code: None,
        state: "file_opening".into(),
        position_json: "{}".into(),
        fields_json: r#"{"plot":"12"}"#.into(),
        sla_due: Some(day("1405-03-10")),
    }
}

fn task(role: Role, state: &str, due: &str) -> NewTask {
    NewTask {
        role,
        state: state.into(),
        sla_due: day(due),
        assignee: None,
    }
}

fn history(action: &str, from: Option<&str>, to: &str) -> NewHistory {
    NewHistory {
        actor: Actor::Applicant,
        action: action.into(),
        from_state: from.map(str::to_owned),
        to_state: to.into(),
        comment: None,
        changes: None,
    }
}

fn told_applicant(text: &str) -> Vec<NewNotification> {
    vec![NewNotification {
        to: Recipient::Citizen(citizen()),
        text: text.into(),
    }]
}

async fn open(store: &dyn Store, code: &str, service: &str, district: u16, due: &str) -> CaseId {
    store
        .open_case(
            &new_case(code, service, district),
            &[task(Role::Formation, "file_opening", due)],
            &history("apply", None, "file_opening"),
            &told_applicant("received"),
            &[],
            t(1),
        )
        .await
        .unwrap()
}

fn inspection(case: CaseId, expected_version: i64) -> Transition {
    Transition {
        case,
        expected_version,
        state: "inspection".into(),
        position_json: r#"{"from":"file_opening"}"#.into(),
        fields_json: None,
        sla_due: Some(day("1405-03-20")),
        closed: false,
        tasks: vec![task(Role::Inspection, "inspection", "1405-03-20")],
        history: NewHistory {
            actor: Actor::Staff {
                id: StaffId(1),
                name: "Formation clerk".into(),
            },
            action: "book_inspection".into(),
            from_state: Some("file_opening".into()),
            to_state: "inspection".into(),
            comment: Some("documents complete".into()),
            changes: None,
        },
        previous_history_hash: None,
        notifications: told_applicant("inspection booked"),
        documents: Vec::new(),
        bills: Vec::new(),
        cancel_unpaid_bills: false,
        cancel_any_unpaid_bills: false,
        issued: Vec::new(),
    }
}

async fn a_case_opens_with_its_tasks_history_and_notification(store: &dyn Store) {
    setup(store).await;
    let id = open(store, "100000000017", "s1", 1, "1405-03-10").await;
    let case = store.case(id).await.unwrap().unwrap();
    assert_eq!(case.state, "file_opening");
    assert_eq!(case.version, 1);
    assert_eq!(case.fields_json, r#"{"plot":"12"}"#);
    assert_eq!(case.sla_due, Some(day("1405-03-10")));
    let by_code = store.case_by_tracking_code("100000000017").await.unwrap();
    assert_eq!(by_code.map(|c| c.id), Some(id));
    let tasks = store.case_tasks(id).await.unwrap();
    assert_eq!(tasks.len(), 1);
    assert_eq!(tasks[0].role, Role::Formation);
    assert_eq!(store.case_history(id).await.unwrap().len(), 1);
    let pending = store.pending_notifications(10).await.unwrap();
    assert_eq!(pending.len(), 1);
    assert_eq!(pending[0].to, Recipient::Citizen(citizen()));
    let mine = store
        .cases_of_applicant(&citizen(), None, 10)
        .await
        .unwrap();
    assert_eq!(mine.len(), 1);
}

async fn a_tracking_code_is_never_given_twice(store: &dyn Store) {
    setup(store).await;
    open(store, "100000000017", "s1", 1, "1405-03-10").await;
    let again = store
        .open_case(
            &new_case("100000000017", "s1", 1),
            &[task(Role::Formation, "file_opening", "1405-03-10")],
            &history("apply", None, "file_opening"),
            &told_applicant("received"),
            &[],
            t(2),
        )
        .await;
    assert!(matches!(again, Err(StoreError::Conflict(_))));
    assert_eq!(store.pending_notifications(10).await.unwrap().len(), 1);
}

async fn an_action_moves_the_case_and_writes_history_and_outbox_together(store: &dyn Store) {
    setup(store).await;
    let id = open(store, "100000000017", "s1", 1, "1405-03-10").await;
    let version = store
        .apply_transition(&inspection(id, 1), t(5))
        .await
        .unwrap();
    assert_eq!(version, 2);
    let case = store.case(id).await.unwrap().unwrap();
    assert_eq!((case.state.as_str(), case.version), ("inspection", 2));
    assert_eq!(case.position_json, r#"{"from":"file_opening"}"#);
    assert_eq!(
        case.fields_json, r#"{"plot":"12"}"#,
        "fields kept when not given"
    );
    let tasks = store.case_tasks(id).await.unwrap();
    assert_eq!(tasks.len(), 1, "the old task is replaced");
    assert_eq!(tasks[0].role, Role::Inspection);
    let history = store.case_history(id).await.unwrap();
    assert_eq!(history.len(), 2);
    assert_eq!(history[1].action, "book_inspection");
    assert_eq!(history[1].comment.as_deref(), Some("documents complete"));
    assert!(matches!(history[1].actor, Actor::Staff { .. }));
    assert_eq!(store.pending_notifications(10).await.unwrap().len(), 2);
}

async fn of_two_actions_on_the_same_version_exactly_one_wins(store: &dyn Store) {
    setup(store).await;
    let id = open(store, "100000000017", "s1", 1, "1405-03-10").await;
    let mut other = inspection(id, 1);
    other.state = "returned".into();
    other.history.action = "return".into();
    let first = inspection(id, 1);
    let (a, b) = tokio::join!(
        store.apply_transition(&first, t(5)),
        store.apply_transition(&other, t(5))
    );
    let wins = [&a, &b].iter().filter(|r| r.is_ok()).count();
    assert_eq!(wins, 1, "{a:?} {b:?}");
    let loser = if a.is_ok() { b } else { a };
    assert!(matches!(loser, Err(StoreError::Conflict(_))));
    let history = store.case_history(id).await.unwrap();
    assert_eq!(history.len(), 2, "only the winner wrote history");
    assert_eq!(store.case_tasks(id).await.unwrap().len(), 1);
    assert_eq!(store.pending_notifications(10).await.unwrap().len(), 2);
    assert_eq!(store.case(id).await.unwrap().unwrap().version, 2);
}

/// Actions arriving together share a commit (both backends group them): each must still
/// succeed or fail on its own, and a failure must leave no part of itself behind.
async fn many_actions_at_once_each_commit_whole_or_not_at_all(store: &dyn Store) {
    setup(store).await;
    let mut cases = Vec::new();
    for i in 0..24 {
        let code = daftar_core::cases::TrackingCode::from_random(i).to_string();
        cases.push(open(store, &code, "s1", 1, "1405-03-10").await);
    }
    let mut actions: Vec<Transition> = cases.iter().map(|&id| inspection(id, 1)).collect();
    // A second action on the first case's same version, and on the second case a task
    // for a colleague who does not exist, which the database refuses mid-transition.
    let mut stale = inspection(cases[0], 1);
    stale.history.action = "return".into();
    actions.push(stale);
    actions[1].tasks[0].assignee = Some(StaffId(424_242));
    let outcomes = futures_util::future::join_all(
        actions
            .iter()
            .map(|action| store.apply_transition(action, t(5))),
    )
    .await;
    assert!(matches!(outcomes[0], Ok(2)), "{:?}", outcomes[0]);
    assert!(matches!(outcomes[24], Err(StoreError::Conflict(_))));
    assert!(
        matches!(
            outcomes[1],
            Err(StoreError::Database(_) | StoreError::Refused(_))
        ),
        "{:?}",
        outcomes[1]
    );
    for outcome in &outcomes[2..24] {
        assert!(matches!(outcome, Ok(2)), "{outcome:?}");
    }
    let refused = store.case(cases[1]).await.unwrap().unwrap();
    assert_eq!(
        (refused.state.as_str(), refused.version),
        ("file_opening", 1)
    );
    assert_eq!(store.case_history(cases[1]).await.unwrap().len(), 1);
    assert_eq!(
        store.case_tasks(cases[1]).await.unwrap()[0].role,
        Role::Formation
    );
    for &id in [cases[0]].iter().chain(&cases[2..]) {
        assert_eq!(store.case(id).await.unwrap().unwrap().state, "inspection");
        assert_eq!(store.case_history(id).await.unwrap().len(), 2);
    }
    // One notice per opened case and one per action that committed.
    assert_eq!(
        store.pending_notifications(100).await.unwrap().len(),
        24 + 23
    );
}

/// Written in one commit, each action keeps its own tasks, history and notices: the
/// first closes its case with none, the second opens one task, the third two at once
/// (as parallel reviews do) and tells two people.
async fn actions_written_together_keep_their_own_tasks_history_and_notices(store: &dyn Store) {
    setup(store).await;
    let mut actions = Vec::new();
    for i in 0..6 {
        let code = daftar_core::cases::TrackingCode::from_random(i).to_string();
        let mut action = inspection(open(store, &code, "s1", 1, "1405-03-10").await, 1);
        action.history.comment = Some(format!("action {i}"));
        action.notifications[0].text = format!("notice {i}");
        match i % 3 {
            0 => {
                action.tasks.clear();
                action.closed = true;
            }
            1 => {}
            _ => {
                let mut review = action.tasks[0].clone();
                review.role = Role::PlanApproval;
                action.tasks.push(review);
                let mut notice = action.notifications[0].clone();
                notice.text = format!("second notice {i}");
                action.notifications.push(notice);
            }
        }
        actions.push(action);
    }
    let outcomes = futures_util::future::join_all(
        actions
            .iter()
            .map(|action| store.apply_transition(action, t(5))),
    )
    .await;
    let notices: Vec<String> = store
        .pending_notifications(100)
        .await
        .unwrap()
        .into_iter()
        .map(|n| n.text)
        .collect();
    for (i, (action, outcome)) in actions.iter().zip(outcomes).enumerate() {
        assert!(matches!(outcome, Ok(2)), "{i}: {outcome:?}");
        let case = store.case(action.case).await.unwrap().unwrap();
        assert_eq!(case.closed_at.is_some(), i % 3 == 0, "{i}");
        let roles: Vec<Role> = store
            .case_tasks(action.case)
            .await
            .unwrap()
            .iter()
            .map(|task| task.role)
            .collect();
        let expected: Vec<Role> = action.tasks.iter().map(|task| task.role).collect();
        assert_eq!(roles, expected, "{i}");
        let history = store.case_history(action.case).await.unwrap();
        assert_eq!(history[1].comment, action.history.comment, "{i}");
        for notice in &action.notifications {
            let sent = notices.iter().filter(|text| **text == notice.text).count();
            assert_eq!(sent, 1, "{i}: {}", notice.text);
        }
    }
    assert_eq!(notices.len(), 6 + 6 + 2);
}

async fn a_closed_case_takes_no_more_actions(store: &dyn Store) {
    setup(store).await;
    let id = open(store, "100000000017", "s1", 1, "1405-03-10").await;
    let mut close = inspection(id, 1);
    close.state = "withdrawn".into();
    close.closed = true;
    close.tasks.clear();
    store.apply_transition(&close, t(5)).await.unwrap();
    let case = store.case(id).await.unwrap().unwrap();
    assert!(case.closed_at.is_some());
    let after = store.apply_transition(&inspection(id, 2), t(6)).await;
    assert!(matches!(after, Err(StoreError::Conflict(_))));
    assert!(store.case_tasks(id).await.unwrap().is_empty());
}

fn queue(role: Option<Role>) -> QueueQuery {
    QueueQuery {
        viewer: None,
        role,
        offices: vec![office()],
        assignee: None,
        service_id: None,
        district: None,
        overdue_only: false,
        search: None,
        order: QueueOrder::Due,
        descending: false,
        limit: 10,
        offset: 0,
    }
}

async fn the_queue_lists_a_role_tasks_by_due_date_with_counts_and_filters(store: &dyn Store) {
    let inspector = setup(store).await;
    let late = open(store, "100000000017", "permit", 1, "1405-03-01").await;
    let soon = open(store, "100000000025", "permit", 2, "1405-03-09").await;
    let later = open(store, "100000000033", "water", 1, "1405-03-30").await;
    let today = day("1405-03-05");

    let page = store
        .queue(&queue(Some(Role::Formation)), today)
        .await
        .unwrap();
    let order: Vec<CaseId> = page.items.iter().map(|i| i.case).collect();
    assert_eq!(order, vec![late, soon, later], "sorted by SLA due date");
    assert_eq!((page.total, page.overdue), (3, 1));
    assert!(page.items[0].overdue && !page.items[1].overdue);
    assert_eq!(page.items[0].tracking_code, "100000000017");

    let mut by_service = queue(Some(Role::Formation));
    by_service.service_id = Some("water".into());
    assert_eq!(store.queue(&by_service, today).await.unwrap().total, 1);
    let mut by_district = queue(Some(Role::Formation));
    by_district.district = Some(1);
    assert_eq!(store.queue(&by_district, today).await.unwrap().total, 2);
    let mut overdue = queue(Some(Role::Formation));
    overdue.overdue_only = true;
    let overdue = store.queue(&overdue, today).await.unwrap();
    assert_eq!(overdue.items.len(), 1);
    assert_eq!(overdue.items[0].case, late);
    assert!(
        store
            .queue(&queue(Some(Role::Inspection)), today)
            .await
            .unwrap()
            .items
            .is_empty()
    );
    let mut elsewhere = queue(Some(Role::Formation));
    elsewhere.offices = vec![OfficeCode::parse("0202").unwrap()];
    assert_eq!(store.queue(&elsewhere, today).await.unwrap().total, 0);

    // Assigning is an action too: the task is marked to the inspector.
    let mut assign = inspection(soon, 1);
    assign.tasks[0].assignee = Some(inspector);
    store.apply_transition(&assign, t(9)).await.unwrap();
    let mut mine = queue(Some(Role::Inspection));
    mine.assignee = Some(inspector);
    let mine = store.queue(&mine, today).await.unwrap();
    assert_eq!(mine.items.len(), 1);
    assert_eq!(mine.items[0].assignee, Some(inspector));
}

async fn a_queue_finds_a_case_by_code_or_applicant_and_sorts_by_its_columns(store: &dyn Store) {
    let inspector = setup(store).await;
    let first = open(store, "100000000017", "permit", 1, "1405-03-09").await;
    let second = open(store, "100000000025", "permit", 2, "1405-03-01").await;
    let today = day("1405-03-05");
    let ids = |page: &daftar_store::QueuePage| -> Vec<CaseId> {
        page.items.iter().map(|i| i.case).collect()
    };

    let mut by_code = queue(Some(Role::Formation));
    by_code.search = Some(QueueSearch::TrackingCode("100000000025".into()));
    let found = store.queue(&by_code, today).await.unwrap();
    assert_eq!(
        (ids(&found), found.total, found.overdue),
        (vec![second], 1, 1)
    );
    let item = &found.items[0];
    assert_eq!(item.applicant, citizen().as_str());
    assert_eq!(item.received_at, t(1));
    assert_eq!(item.assignee_name, None);

    let mut by_applicant = queue(Some(Role::Formation));
    by_applicant.search = Some(QueueSearch::Applicant(citizen().as_str().into()));
    assert_eq!(store.queue(&by_applicant, today).await.unwrap().total, 2);
    by_applicant.search = Some(QueueSearch::Applicant("0790419904".into()));
    let nobody = store.queue(&by_applicant, today).await.unwrap();
    assert_eq!((nobody.items.len(), nobody.total), (0, 0));

    let mut sorted = queue(Some(Role::Formation));
    assert_eq!(
        ids(&store.queue(&sorted, today).await.unwrap()),
        vec![second, first]
    );
    sorted.order = QueueOrder::TrackingCode;
    assert_eq!(
        ids(&store.queue(&sorted, today).await.unwrap()),
        vec![first, second]
    );
    sorted.descending = true;
    assert_eq!(
        ids(&store.queue(&sorted, today).await.unwrap()),
        vec![second, first]
    );
    sorted.order = QueueOrder::Received;
    assert_eq!(
        ids(&store.queue(&sorted, today).await.unwrap()),
        vec![second, first]
    );

    // Marked to a colleague: the queue names them.
    let mut assign = inspection(first, 1);
    assign.state = "file_opening".into();
    assign.tasks = vec![task(Role::Formation, "file_opening", "1405-03-09")];
    assign.tasks[0].assignee = Some(inspector);
    store.apply_transition(&assign, t(9)).await.unwrap();
    let mut marked = queue(Some(Role::Formation));
    marked.search = Some(QueueSearch::TrackingCode("100000000017".into()));
    let marked = store.queue(&marked, today).await.unwrap();
    assert_eq!(marked.items[0].assignee_name.as_deref(), Some("Inspector"));
}

fn notify_head(task: &daftar_store::OverdueTask) -> Vec<NewNotification> {
    vec![NewNotification {
        to: Recipient::Role(task.office.clone(), Role::OfficeHead),
        text: format!("{} is overdue", task.tracking_code),
    }]
}

async fn the_sla_sweep_marks_each_overdue_task_once_and_notifies(store: &dyn Store) {
    setup(store).await;
    let late = open(store, "100000000017", "permit", 1, "1405-03-01").await;
    open(store, "100000000025", "permit", 1, "1405-03-30").await;
    let before = store.pending_notifications(100).await.unwrap().len();
    let swept = store
        .sweep_overdue(day("1405-03-05"), t(50), &notify_head)
        .await
        .unwrap();
    assert_eq!(swept.len(), 1);
    assert_eq!(swept[0].case, late);
    assert_eq!(swept[0].role, Role::Formation);
    let case = store.case(late).await.unwrap().unwrap();
    assert_eq!(case.overdue_at, Some(t(50)));
    let pending = store.pending_notifications(100).await.unwrap();
    assert_eq!(pending.len(), before + 1);
    assert_eq!(
        pending.last().unwrap().to,
        Recipient::Role(office(), Role::OfficeHead)
    );
    let again = store
        .sweep_overdue(day("1405-03-05"), t(60), &notify_head)
        .await
        .unwrap();
    assert!(again.is_empty(), "idempotent");
    assert_eq!(
        store.pending_notifications(100).await.unwrap().len(),
        before + 1
    );
}

async fn two_sweeps_at_once_mark_each_task_once(store: &dyn Store) {
    setup(store).await;
    for n in 0..20 {
        let code = format!("2000000{n:05}");
        open(store, &code, "permit", 1, "1405-03-01").await;
    }
    let today = day("1405-03-05");
    let (a, b) = tokio::join!(
        store.sweep_overdue(today, t(50), &notify_head),
        store.sweep_overdue(today, t(50), &notify_head)
    );
    assert_eq!(a.unwrap().len() + b.unwrap().len(), 20);
    let head_notices = store
        .pending_notifications(100)
        .await
        .unwrap()
        .into_iter()
        .filter(|n| matches!(n.to, Recipient::Role(..)))
        .count();
    assert_eq!(head_notices, 20);
}

async fn the_outbox_hands_out_pending_notifications_until_sent(store: &dyn Store) {
    setup(store).await;
    let id = open(store, "100000000017", "s1", 1, "1405-03-10").await;
    store
        .apply_transition(&inspection(id, 1), t(5))
        .await
        .unwrap();
    let pending = store.pending_notifications(10).await.unwrap();
    assert_eq!(pending.len(), 2);
    let retry = Attempt::Failed { retry_at: t(6) };
    assert!(
        store
            .mark_notification(&pending[0], retry, t(6))
            .await
            .unwrap()
    );
    assert!(
        store
            .mark_notification(&pending[1], Attempt::Sent, t(6))
            .await
            .unwrap()
    );
    let left = store.pending_notifications(10).await.unwrap();
    assert_eq!(left.len(), 1);
    assert_eq!((left[0].id, left[0].attempts), (pending[0].id, 1));
}

async fn a_claimed_notification_is_handed_to_nobody_else_until_marked_or_its_lease_ends(
    store: &dyn Store,
) {
    setup(store).await;
    let id = open(store, "100000000017", "s1", 1, "1405-03-10").await;
    store
        .apply_transition(&inspection(id, 1), t(5))
        .await
        .unwrap();
    let lease = SignedDuration::from_mins(5);
    let first = store.claim_notifications(1, t(10), lease).await.unwrap();
    assert_eq!(first.len(), 1);
    // Claimed at the same moment by another worker: only the other one is free.
    let second = store.claim_notifications(10, t(11), lease).await.unwrap();
    assert_eq!(second.len(), 1);
    assert_ne!(first[0].id, second[0].id);
    assert!(
        store
            .claim_notifications(10, t(12), lease)
            .await
            .unwrap()
            .is_empty()
    );
    // A failed send waits until its retry time, then is claimed again.
    let retry = Attempt::Failed { retry_at: t(20) };
    assert!(
        store
            .mark_notification(&first[0], retry, t(13))
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_notifications(10, t(14), lease)
            .await
            .unwrap()
            .is_empty()
    );
    let again = store.claim_notifications(10, t(20), lease).await.unwrap();
    assert_eq!(
        again.iter().map(|n| (n.id, n.attempts)).collect::<Vec<_>>(),
        vec![(first[0].id, 1)]
    );
    // A worker that died holds its claim no longer than the lease.
    let after_lease = t(20) + lease + SignedDuration::from_secs(1);
    let taken_over = store
        .claim_notifications(10, after_lease, lease)
        .await
        .unwrap();
    let ids: Vec<i64> = taken_over.iter().map(|n| n.id).collect();
    assert_eq!(
        ids,
        vec![first[0].id.min(second[0].id), first[0].id.max(second[0].id)]
    );
    // The worker whose lease ran out cannot change what the new holder has claimed.
    let stale = Attempt::Failed {
        retry_at: after_lease,
    };
    assert!(
        !store
            .mark_notification(&again[0], stale, after_lease)
            .await
            .unwrap()
    );
    assert!(
        store
            .claim_notifications(10, after_lease, lease)
            .await
            .unwrap()
            .is_empty(),
        "still the new holder's"
    );
    // A sent one is never handed out again.
    for notification in &taken_over {
        store
            .mark_notification(notification, Attempt::Sent, after_lease)
            .await
            .unwrap();
    }
    let much_later = after_lease + lease + lease;
    assert!(
        store
            .claim_notifications(10, much_later, lease)
            .await
            .unwrap()
            .is_empty()
    );
}

async fn a_claim_passes_over_notifications_given_up(store: &dyn Store) {
    setup(store).await;
    let id = open(store, "100000000017", "s1", 1, "1405-03-10").await;
    let mut action = inspection(id, 1);
    action.notifications = (0..4)
        .map(|n| NewNotification {
            to: Recipient::Citizen(citizen()),
            text: format!("notice {n}"),
        })
        .collect();
    store.apply_transition(&action, t(5)).await.unwrap();
    // The three oldest fail until given up; a claim of three still finds the rest.
    let lease = SignedDuration::from_mins(5);
    for round in 0..daftar_store::outbox::MAX_ATTEMPTS {
        let claimed = store.claim_notifications(3, t(10), lease).await.unwrap();
        assert_eq!(claimed.len(), 3, "round {round}");
        for notification in &claimed {
            let retry = Attempt::Failed { retry_at: t(10) };
            store
                .mark_notification(notification, retry, t(10))
                .await
                .unwrap();
        }
    }
    let left = store.claim_notifications(3, t(20), lease).await.unwrap();
    let texts: Vec<&str> = left.iter().map(|n| n.text.as_str()).collect();
    assert_eq!(texts, vec!["notice 2", "notice 3"]);
    assert_eq!(
        store.pending_notifications(10).await.unwrap().len(),
        5,
        "given up, not gone"
    );
}

async fn an_applicant_cases_are_listed_by_who_they_acted_for_before_the_limit(store: &dyn Store) {
    setup(store).await;
    let company = LegalId::parse("10380284790").unwrap();
    let mut for_company = new_case("100000000017", "s1", 1);
    for_company.acting_for = Some(company.clone());
    store
        .open_case(
            &for_company,
            &[],
            &history("apply", None, "file_opening"),
            &[],
            &[],
            t(1),
        )
        .await
        .unwrap();
    // Newer cases of the same citizen for themself.
    for code in ["100000000025", "100000000033", "100000000041"] {
        open(store, code, "s1", 1, "1405-03-10").await;
    }
    let as_company = store
        .cases_of_applicant(&citizen(), Some(&company), 2)
        .await
        .unwrap();
    assert_eq!(
        as_company
            .iter()
            .map(|c| c.tracking_code.as_str())
            .collect::<Vec<_>>(),
        vec!["100000000017"]
    );
    let as_themself = store.cases_of_applicant(&citizen(), None, 2).await.unwrap();
    assert_eq!(
        as_themself
            .iter()
            .map(|c| c.tracking_code.as_str())
            .collect::<Vec<_>>(),
        vec!["100000000041", "100000000033"]
    );
}

async fn every_document_version_is_kept_with_views_and_approval(store: &dyn Store) {
    setup(store).await;
    let id = open(store, "100000000017", "s1", 1, "1405-03-10").await;
    let upload = |name: &str, hash: &str| NewDocument {
        kind: "deed".into(),
        file_name: name.into(),
        content_type: "application/pdf".into(),
        size_bytes: 1234,
        sha256: hash.into(),
        storage_key: format!("cases/{hash}"),
        uploaded_by: "applicant".into(),
    };
    let first = store
        .add_document(id, &upload("deed.pdf", "aa"), t(1))
        .await
        .unwrap();
    let second = store
        .add_document(id, &upload("deed-2.pdf", "bb"), t(2))
        .await
        .unwrap();
    assert_eq!((first.version, second.version), (1, 2));
    let all = store.documents_of_case(id).await.unwrap();
    assert_eq!(all.len(), 2, "the first version is kept");
    store
        .record_document_view(second.id, "staff:inspector", t(3))
        .await
        .unwrap();
    let views = store.document_views(second.id).await.unwrap();
    assert_eq!(views, vec![("staff:inspector".to_owned(), t(3))]);
    store
        .approve_document(second.id, "staff:formation", t(4))
        .await
        .unwrap();
    let approved = store.document(second.id).await.unwrap().unwrap();
    assert_eq!(approved.approved_by.as_deref(), Some("staff:formation"));
    assert_eq!(approved.sha256, "bb");
    let missing = store.approve_document(999_999, "x", t(5)).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
    let orphan = store
        .add_document(CaseId(999_999), &upload("x.pdf", "cc"), t(6))
        .await;
    assert!(matches!(orphan, Err(StoreError::NotFound(_))));
}

async fn staff_mobiles_are_found_by_office_and_role(store: &dyn Store) {
    let inspector = setup(store).await;
    let mobile = daftar_core::ir::Mobile::parse("09121112233").unwrap();
    assert!(
        store
            .staff_mobiles(&office(), Role::Inspection)
            .await
            .unwrap()
            .is_empty()
    );
    store
        .set_staff_mobile(inspector, Some(&mobile))
        .await
        .unwrap();
    let found = store
        .staff_mobiles(&office(), Role::Inspection)
        .await
        .unwrap();
    assert_eq!(found, vec![mobile]);
    assert!(
        store
            .staff_mobiles(&office(), Role::Formation)
            .await
            .unwrap()
            .is_empty()
    );
    let missing = store.set_staff_mobile(StaffId(999_999), None).await;
    assert!(matches!(missing, Err(StoreError::NotFound(_))));
}

fn deed(hash: &str) -> NewDocument {
    NewDocument {
        kind: "deed".into(),
        file_name: "deed.pdf".into(),
        content_type: "application/pdf".into(),
        size_bytes: 10,
        sha256: hash.into(),
        storage_key: format!("{}/{hash}", &hash[..2]),
        uploaded_by: "applicant".into(),
    }
}

async fn documents_come_with_the_application_and_with_an_action_or_not_at_all(store: &dyn Store) {
    setup(store).await;
    let id = store
        .open_case(
            &new_case("100000000017", "s1", 1),
            &[task(Role::Formation, "file_opening", "1405-03-10")],
            &history("apply", None, "file_opening"),
            &[],
            &[deed("aa")],
            t(1),
        )
        .await
        .unwrap();
    let mut with_new_deed = inspection(id, 1);
    with_new_deed.documents = vec![deed("bb")];
    store.apply_transition(&with_new_deed, t(2)).await.unwrap();
    let versions: Vec<u32> = store
        .documents_of_case(id)
        .await
        .unwrap()
        .iter()
        .map(|d| d.version)
        .collect();
    assert_eq!(versions, vec![1, 2]);
    // A stale action writes neither its state nor its documents.
    let mut stale = inspection(id, 1);
    stale.documents = vec![deed("cc")];
    assert!(store.apply_transition(&stale, t(3)).await.is_err());
    assert_eq!(store.documents_of_case(id).await.unwrap().len(), 2);
}

async fn sketches_are_kept_as_versions_with_who_drew_them(store: &dyn Store) {
    let inspector = setup(store).await;
    // At inspection: the inspection unit holds the case's open task.
    let case = store
        .open_case(
            &new_case("100000000001", "10010101018th01", 1),
            &[task(Role::Inspection, "inspection", "1405-03-10")],
            &history("apply", None, "inspection"),
            &told_applicant("received"),
            &[],
            t(1),
        )
        .await
        .unwrap();
    assert!(store.sketches_of_case(case).await.unwrap().is_empty());
    assert!(!store.has_sketch(case).await.unwrap());
    let sketch = |total: i64, location| NewSketch {
        case,
        sketch_json: format!(r#"{{"total_centi_m2":{total}}}"#),
        total_centi_m2: total,
        location_e7: location,
        drawn_by: inspector,
        drawn_at: t(10 + total),
        violations: None,
    };
    assert_eq!(
        store.save_sketch(&sketch(11_600, None), 1).await.unwrap(),
        (1, 2)
    );
    // The same version again (a second inspector, a form sent twice) keeps nothing.
    assert!(matches!(
        store.save_sketch(&sketch(11_700, None), 1).await,
        Err(StoreError::Conflict(_))
    ));
    let marked = Some((358_050_000, 514_250_000));
    assert_eq!(
        store.save_sketch(&sketch(12_000, marked), 2).await.unwrap(),
        (2, 3)
    );
    let kept = store.sketches_of_case(case).await.unwrap();
    assert_eq!(
        kept.len(),
        2,
        "the first version is kept, the stale one is not"
    );
    assert_eq!(
        (kept[0].version, kept[0].total_centi_m2),
        (2, 12_000),
        "newest first"
    );
    assert_eq!(kept[0].location_e7, marked);
    assert_eq!(kept[0].drawn_by_name, "Inspector");
    assert_eq!(kept[1].sketch_json, r#"{"total_centi_m2":11600}"#);
    assert_eq!(kept[1].location_e7, None);
    assert!(store.has_sketch(case).await.unwrap());
    assert_eq!(store.case(case).await.unwrap().unwrap().version, 3);

    // A case not at inspection takes no sketch.
    let elsewhere = open(store, "100000000002", "10010101018th01", 1, "1405-03-10").await;
    let other = NewSketch {
        case: elsewhere,
        ..sketch(100, None)
    };
    assert!(matches!(
        store.save_sketch(&other, 1).await,
        Err(StoreError::Conflict(_))
    ));
    assert!(!store.has_sketch(elsewhere).await.unwrap());
}

async fn a_count_alone_reads_no_rows(store: &dyn Store) {
    setup(store).await;
    for n in 1..=3 {
        open(
            store,
            &format!("10000000000{n}"),
            "10010101018th01",
            1,
            "1300-01-01",
        )
        .await;
    }
    let counted = store
        .queue(
            &QueueQuery {
                viewer: None,
                limit: 0,
                ..queue(Some(Role::Formation))
            },
            day("1405-03-01"),
        )
        .await
        .unwrap();
    assert!(counted.items.is_empty());
    assert_eq!(counted.total, 3);
    assert_eq!(counted.overdue, 0, "not counted for a count alone");
    let page = store
        .queue(&queue(Some(Role::Formation)), day("1405-03-01"))
        .await
        .unwrap();
    assert_eq!((page.items.len(), page.total, page.overdue), (3, 3, 3));
}

async fn visits_take_one_slot_each_are_moved_with_history_and_fall_overdue(store: &dyn Store) {
    let inspector = setup(store).await;
    let at_formation = |code: &'static str| {
        let case = new_case(code, "10010101018th01", 1);
        async move {
            store
                .open_case(
                    &case,
                    &[task(Role::Formation, "file_opening", "1405-03-10")],
                    &history("apply", None, "file_opening"),
                    &told_applicant("received"),
                    &[],
                    t(1),
                )
                .await
                .unwrap()
        }
    };
    let first = at_formation("100000000011").await;
    let second = at_formation("100000000012").await;
    let visit = |case, day: &str, slot: &str, at: i64| NewVisit {
        case,
        office: office().as_str().to_owned(),
        inspector,
        day: day.into(),
        slot: slot.into(),
        booked_by: inspector,
        booked_at: t(at),
        reason: None,
    };
    let sms = told_applicant("visit")[0].clone();
    let (booked, version) = store
        .book_visit(&visit(first, "1405-03-10", "09:00", 10), 1, &sms)
        .await
        .unwrap();
    assert_eq!(version, 2);
    assert_eq!(store.live_visit(first).await.unwrap().unwrap().id, booked);
    // The inspector's slot is taken: the other case keeps nothing, not even its version.
    assert!(matches!(
        store
            .book_visit(&visit(second, "1405-03-10", "09:00", 11), 1, &sms)
            .await,
        Err(StoreError::Conflict("inspector's slot"))
    ));
    assert!(store.live_visit(second).await.unwrap().is_none());
    assert_eq!(store.case(second).await.unwrap().unwrap().version, 1);
    store
        .book_visit(&visit(second, "1405-03-10", "10:30", 12), 1, &sms)
        .await
        .unwrap();
    // A stale version books nothing.
    assert!(matches!(
        store
            .book_visit(&visit(first, "1405-03-11", "09:00", 13), 1, &sms)
            .await,
        Err(StoreError::Conflict("case version"))
    ));
    // Moved: the first booking is kept, cancelled, with the reason.
    let moved = NewVisit {
        reason: Some("owner away".into()),
        ..visit(first, "1405-03-12", "09:00", 14)
    };
    store.book_visit(&moved, 2, &sms).await.unwrap();
    let all = store.visits_of_case(first).await.unwrap();
    assert_eq!(all.len(), 2);
    assert_eq!(
        (all[0].day.as_str(), all[0].cancelled_at),
        ("1405-03-12", None)
    );
    assert_eq!(all[1].cancel_reason.as_deref(), Some("owner away"));
    assert_eq!(all[1].cancelled_at, Some(t(14)));

    let day = store
        .visits_on_day(office().as_str(), "1405-03-10")
        .await
        .unwrap();
    let on_day: Vec<(&str, CaseId)> = day.iter().map(|v| (v.slot.as_str(), v.case)).collect();
    assert_eq!(
        on_day,
        vec![("10:30", second)],
        "the moved visit is not on the day"
    );
    assert_eq!(day[0].tracking_code, "100000000012");

    // Past their day with no sketch drawn, both visits are overdue; a sketch clears one.
    let overdue = store
        .overdue_visits(office().as_str(), "1405-03-13")
        .await
        .unwrap();
    assert_eq!(overdue.len(), 2);
    assert_eq!(overdue[0].case, second, "oldest day first");
    assert!(
        store
            .overdue_visits(office().as_str(), "1405-03-10")
            .await
            .unwrap()
            .is_empty(),
        "not before the day has ended"
    );
    store
        .apply_transition(&inspection(second, 2), t(20))
        .await
        .unwrap();
    store
        .save_sketch(
            &NewSketch {
                case: second,
                sketch_json: "{}".into(),
                total_centi_m2: 100,
                location_e7: None,
                drawn_by: inspector,
                drawn_at: t(30),
                violations: None,
            },
            3,
        )
        .await
        .unwrap();
    let overdue = store
        .overdue_visits(office().as_str(), "1405-03-13")
        .await
        .unwrap();
    assert_eq!(overdue.len(), 1);
    assert_eq!(overdue[0].case, first);
}
