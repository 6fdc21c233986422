//! The engine's rules, each proved on a small definition or on the built-in ones.

use super::*;
use crate::calendar::{HolidayCalendar, JalaliDate};
use crate::roles::Role;

const SMALL: &str = r#"
id = "small"
version = 1
name_fa = "کوچک"
name_en = "Small"
start = "check"

[states.check]
name_fa = "بررسی"
name_en = "Check"
role = "formation"
sla_days = 3
documents = ["deed"]

[states.fix]
name_fa = "رفع نقص"
name_en = "Fix"
applicant = true
sla_days = 10

[states.review]
name_fa = "استعلام"
name_en = "Review"
sla_days = 5

[states.review.branches.green]
name_fa = "فضای سبز"
name_en = "Green"
role = "municipal_liaison"

[states.review.branches.fire]
name_fa = "آتش‌نشانی"
name_en = "Fire"
role = "technical_manager"

[states.review.join]
approved = "done"
approved_with_conditions = "done"
revision_required = "check"
rejected = "refused"

[states.done]
name_fa = "پایان"
name_en = "Done"
outcome = "completed"

[states.refused]
name_fa = "رد"
name_en = "Refused"
outcome = "rejected"

[[actions]]
id = "accept"
name_fa = "پذیرش"
name_en = "Accept"
from = ["check"]
by = ["formation"]
to = "review"
fields = ["area"]

[[actions]]
id = "return"
name_fa = "بازگشت"
name_en = "Return"
kind = "return"
from = ["check"]
by = ["formation"]
to = "fix"
comment = true

[[actions]]
id = "resubmit"
name_fa = "ارسال دوباره"
name_en = "Resubmit"
kind = "resubmit"
from = ["fix"]
by = ["applicant"]

[[actions]]
id = "decide"
name_fa = "نظر"
name_en = "Decide"
kind = "decide"
from = ["review"]
"#;

fn small() -> Definition {
    Definition::load("small.toml", SMALL).unwrap()
}

fn changed(from: &str, to: &str) -> String {
    assert!(SMALL.contains(from), "{from}");
    SMALL.replacen(from, to, 1)
}

fn refusal(text: &str) -> String {
    Definition::load("bad.toml", text).unwrap_err().to_string()
}

const FORMATION: &[Role] = &[Role::Formation];
const GREEN: &[Role] = &[Role::MunicipalLiaison];
const FIRE: &[Role] = &[Role::TechnicalManager];

fn attempt<'a>(action: &'a str) -> Attempt<'a> {
    Attempt {
        action,
        fields: vec!["area"],
        documents: vec!["deed"],
        comment: Some("ok"),
        decision: None,
        work: Vec::new(),
    }
}

fn at(state: &str) -> Position {
    Position {
        state: state.into(),
        ..Position::default()
    }
}

#[test]
fn an_unknown_field_names_the_file_and_the_field() {
    let error = refusal(&changed("version = 1", "version = 1\ncolour = \"red\""));
    assert!(error.starts_with("bad.toml:"), "{error}");
    assert!(error.contains("colour"), "{error}");
}

#[test]
fn an_unreachable_state_is_refused() {
    let error = refusal(&format!(
        "{SMALL}\n[states.island]\nname_fa = \"جزیره\"\nname_en = \"Island\"\nrole = \"formation\"\nsla_days = 1\n"
    ));
    assert!(error.contains("\"island\" cannot be reached"), "{error}");
}

#[test]
fn an_unknown_role_is_refused() {
    let error = refusal(&changed("role = \"formation\"", "role = \"mayor\""));
    assert!(error.contains("unknown role \"mayor\""), "{error}");
}

#[test]
fn a_state_from_which_no_end_can_be_reached_is_refused() {
    // Without the decision, the review is a dead end.
    let error = refusal(&SMALL.replace(
        "[[actions]]\nid = \"decide\"\nname_fa = \"نظر\"\nname_en = \"Decide\"\nkind = \"decide\"\nfrom = [\"review\"]\n",
        "",
    ));
    assert!(error.contains("no decide action"), "{error}");
    let loop_only = changed("to = \"review\"", "to = \"check\"");
    let error = refusal(&loop_only);
    assert!(
        error.contains("cannot be reached") || error.contains("no terminal"),
        "{error}"
    );
}

#[test]
fn a_join_must_cover_every_decision() {
    let error = refusal(&changed("rejected = \"refused\"\n", ""));
    assert!(
        error.contains("join has no target for \"rejected\""),
        "{error}"
    );
}

#[test]
fn a_role_not_allowed_is_refused() {
    let def = small();
    let refused = def.decide(
        Role::Formation,
        &at("check"),
        WorkflowActor::Staff(FIRE),
        &attempt("accept"),
    );
    assert_eq!(refused, Err(Refusal::NotYours));
    let applicant = def.decide(
        Role::Formation,
        &at("check"),
        WorkflowActor::Applicant,
        &attempt("accept"),
    );
    assert_eq!(applicant, Err(Refusal::NotYours));
}

#[test]
fn an_action_needing_work_not_done_is_refused_and_unknown_work_does_not_load() {
    let text = changed(
        "fields = [\"area\"]\n",
        "fields = [\"area\"]\nneeds = [\"sketch\"]\n",
    );
    let def = Definition::load("needs.toml", &text).unwrap();
    let mut without = attempt("accept");
    without.work.clear();
    assert_eq!(
        def.decide(
            Role::Formation,
            &at("check"),
            WorkflowActor::Staff(FORMATION),
            &without
        ),
        Err(Refusal::MissingWork(crate::workflow::Work::Sketch))
    );
    assert_eq!(
        Refusal::MissingWork(crate::workflow::Work::Sketch).code(),
        "case.needs_sketch"
    );
    let mut with = attempt("accept");
    with.work = vec![crate::workflow::Work::Sketch];
    assert!(
        def.decide(
            Role::Formation,
            &at("check"),
            WorkflowActor::Staff(FORMATION),
            &with
        )
        .is_ok()
    );
    let error = refusal(&changed(
        "fields = [\"area\"]\n",
        "fields = [\"area\"]\nneeds = [\"survey\"]\n",
    ));
    assert!(error.contains("unknown work \"survey\""), "{error}");
}

#[test]
fn a_missing_field_or_document_is_refused() {
    let def = small();
    let mut no_field = attempt("accept");
    no_field.fields.clear();
    assert_eq!(
        def.decide(
            Role::Formation,
            &at("check"),
            WorkflowActor::Staff(FORMATION),
            &no_field
        ),
        Err(Refusal::MissingField("area".into()))
    );
    let mut no_deed = attempt("accept");
    no_deed.documents.clear();
    assert_eq!(
        def.decide(
            Role::Formation,
            &at("check"),
            WorkflowActor::Staff(FORMATION),
            &no_deed
        ),
        Err(Refusal::MissingDocument("deed".into()))
    );
}

#[test]
fn a_return_needs_a_comment_and_the_resubmission_comes_back_to_the_same_state() {
    let def = small();
    let mut silent = attempt("return");
    silent.comment = Some("  ");
    silent.documents.clear();
    assert_eq!(
        def.decide(
            Role::Formation,
            &at("check"),
            WorkflowActor::Staff(FORMATION),
            &silent
        ),
        Err(Refusal::CommentRequired)
    );
    let mut returned = attempt("return");
    returned.documents.clear();
    let step = def
        .decide(
            Role::Formation,
            &at("check"),
            WorkflowActor::Staff(FORMATION),
            &returned,
        )
        .unwrap();
    assert_eq!(step.position.state, "fix");
    assert_eq!(step.position.return_to.as_deref(), Some("check"));
    assert!(
        def.tasks(Role::Formation, &step.position).is_empty(),
        "the applicant's turn"
    );
    let back = def
        .decide(
            Role::Formation,
            &step.position,
            WorkflowActor::Applicant,
            &attempt("resubmit"),
        )
        .unwrap();
    assert_eq!(back.position, at("check"));
}

#[test]
fn a_parallel_review_waits_for_every_branch_and_the_most_severe_decision_wins() {
    let def = small();
    let review = at("review");
    let tasks = def.tasks(Role::Formation, &review);
    assert_eq!(tasks.len(), 2);
    let mut approve = attempt("decide");
    approve.decision = Some(Decision::Approved);
    let green = def
        .decide(
            Role::Formation,
            &review,
            WorkflowActor::Staff(GREEN),
            &approve,
        )
        .unwrap();
    assert_eq!(
        green.position.state, "review",
        "waits for the fire department"
    );
    assert_eq!(green.branch.as_deref(), Some("green"));
    assert_eq!(def.tasks(Role::Formation, &green.position).len(), 1);
    assert_eq!(
        def.decide(
            Role::Formation,
            &green.position,
            WorkflowActor::Staff(GREEN),
            &approve
        ),
        Err(Refusal::AlreadyDecided)
    );
    let mut revise = attempt("decide");
    revise.decision = Some(Decision::RevisionRequired);
    let joined = def
        .decide(
            Role::Formation,
            &green.position,
            WorkflowActor::Staff(FIRE),
            &revise,
        )
        .unwrap();
    assert_eq!(
        joined.position,
        at("check"),
        "revision required beats approved"
    );
    for (first, second, end) in [
        (Decision::Approved, Decision::ApprovedWithConditions, "done"),
        (Decision::Rejected, Decision::Approved, "refused"),
        (Decision::RevisionRequired, Decision::Rejected, "refused"),
    ] {
        let mut one = attempt("decide");
        one.decision = Some(first);
        let mut two = attempt("decide");
        two.decision = Some(second);
        let half = def
            .decide(Role::Formation, &review, WorkflowActor::Staff(FIRE), &one)
            .unwrap();
        let full = def
            .decide(
                Role::Formation,
                &half.position,
                WorkflowActor::Staff(GREEN),
                &two,
            )
            .unwrap();
        assert_eq!(full.position.state, end, "{first:?} and {second:?}");
    }
    let mut undecided = attempt("decide");
    undecided.decision = None;
    assert_eq!(
        def.decide(
            Role::Formation,
            &review,
            WorkflowActor::Staff(FIRE),
            &undecided
        ),
        Err(Refusal::DecisionRequired)
    );
}

#[test]
fn only_the_actions_this_actor_may_take_now_are_offered() {
    let def = small();
    let offered: Vec<&str> = def
        .available(
            Role::Formation,
            &at("check"),
            WorkflowActor::Staff(FORMATION),
        )
        .iter()
        .map(|a| a.id.as_str())
        .collect();
    assert_eq!(offered, vec!["accept", "return"]);
    assert!(
        def.available(Role::Formation, &at("check"), WorkflowActor::Applicant)
            .is_empty()
    );
    assert!(
        def.available(
            Role::Formation,
            &at("done"),
            WorkflowActor::Staff(FORMATION)
        )
        .is_empty()
    );
}

#[test]
fn a_closed_case_takes_no_action() {
    let def = small();
    assert_eq!(
        def.decide(
            Role::Formation,
            &at("done"),
            WorkflowActor::Staff(FORMATION),
            &attempt("accept")
        ),
        Err(Refusal::Closed)
    );
}

#[test]
fn a_case_keeps_its_version_when_a_new_one_is_loaded() {
    // Version 2 asks for the plot number as well.
    let second = changed("version = 1", "version = 2")
        .replace("fields = [\"area\"]", "fields = [\"area\", \"plot\"]");
    let registry = Registry::load(&[
        ("small-1.toml".into(), SMALL.into()),
        ("small-2.toml".into(), second),
    ])
    .unwrap();
    assert_eq!(registry.latest("small").unwrap().version, 2);
    let old = registry.get("small", 1).unwrap();
    let step = old.decide(
        Role::Formation,
        &at("check"),
        WorkflowActor::Staff(FORMATION),
        &attempt("accept"),
    );
    assert!(
        step.is_ok(),
        "a case on version 1 follows version 1's rules"
    );
    let new = registry.latest("small").unwrap();
    assert_eq!(
        new.decide(
            Role::Formation,
            &at("check"),
            WorkflowActor::Staff(FORMATION),
            &attempt("accept")
        ),
        Err(Refusal::MissingField("plot".into()))
    );
    let twice = Registry::load(&[
        ("a.toml".into(), SMALL.into()),
        ("b.toml".into(), SMALL.into()),
    ])
    .unwrap_err();
    assert!(twice[0].to_string().contains("defined twice"), "{twice:?}");
}

#[test]
fn the_due_date_counts_working_days() {
    let def = small();
    let calendar = HolidayCalendar::built_in();
    let today = JalaliDate::new(1405, 2, 1).unwrap();
    let due = def.due_date(&at("check"), today, &calendar).unwrap();
    assert_eq!(due, calendar.add_working_days(today, 3));
    assert!(today.days_until(due) >= 3);
    assert_eq!(def.due_date(&at("done"), today, &calendar), None);
}

#[test]
fn every_catalog_workflow_is_built_in() {
    let registry = built_in().unwrap();
    let catalog = crate::catalog::built_in().unwrap();
    for service in catalog.services() {
        if let Some(workflow) = &service.workflow {
            assert!(
                registry.latest(workflow).is_some(),
                "{workflow} for {}",
                service.identifier
            );
        }
    }
}

/// Walks the building permit from the application to the district, with a return for a
/// deficiency and the parallel green-space and fire review.
#[test]
fn the_building_permit_goes_from_application_to_the_district() {
    let registry = built_in().unwrap();
    let def = registry.latest("building_permit").unwrap();
    let owner = Role::Formation;
    let mut position = def.start_position();
    let steps: [(&[Role], &str, Option<Decision>); 12] = [
        (&[Role::Formation], "return_for_deficiency", None),
        (&[], "resubmit", None),
        (&[Role::Formation], "book_inspection", None),
        (&[Role::Inspection], "record_inspection", None),
        (&[Role::OfficeHead], "head_approves", None),
        (&[Role::OfficeManager], "manager_approves", None),
        (&[Role::PlanApproval], "approve_plans", None),
        (
            &[Role::MunicipalLiaison],
            "decide",
            Some(Decision::ApprovedWithConditions),
        ),
        (
            &[Role::TechnicalManager],
            "decide",
            Some(Decision::Approved),
        ),
        (&[Role::PermitDrafting], "issue_permit", None),
        (&[Role::OfficeHead], "send_to_district", None),
        (&[Role::OfficeHead], "head_approves", None),
    ];
    for (roles, action, decision) in &steps[..11] {
        let actor = if roles.is_empty() {
            WorkflowActor::Applicant
        } else {
            WorkflowActor::Staff(roles)
        };
        let step = def
            .decide(
                owner,
                &position,
                actor,
                &Attempt {
                    action,
                    fields: vec![
                        "inspection_date",
                        "built_area_m2",
                        "permit_number",
                        "supervisor_name",
                        "supervisor_code",
                    ],
                    documents: vec![],
                    comment: Some("ok"),
                    decision: *decision,
                    // Every work an action may need, done.
                    work: crate::workflow::Work::ALL.to_vec(),
                },
            )
            .unwrap_or_else(|e| panic!("{action} in {}: {e}", position.state));
        if *action == "issue_permit" {
            // Not while an item of permit drafting's checklist is open.
            let open = def.decide(
                owner,
                &position,
                WorkflowActor::Staff(roles),
                &Attempt {
                    action,
                    fields: vec!["permit_number", "supervisor_name", "supervisor_code"],
                    work: vec![crate::workflow::Work::Sketch],
                    ..Attempt::default()
                },
            );
            assert_eq!(
                open.unwrap_err(),
                Refusal::MissingWork(crate::workflow::Work::ChecklistDone)
            );
        }
        position = step.position;
    }
    assert_eq!(position.state, "sent_to_district");
    let (roles, action, _) = steps[11];
    assert_eq!(
        def.decide(
            owner,
            &position,
            WorkflowActor::Staff(roles),
            &attempt(action)
        ),
        Err(Refusal::Closed)
    );
}

#[test]
fn the_permit_checklist_is_permit_draftings_with_the_fees_settled_by_payment() {
    use crate::workflow::checklist::{ChecklistProgress, open_items};
    let registry = built_in().unwrap();
    let def = registry.latest("building_permit").unwrap();
    let ids = |items: Vec<&crate::workflow::checklist::ChecklistItem>| {
        items.iter().map(|item| item.id.clone()).collect::<Vec<_>>()
    };
    let all = ids(open_items(
        &def.checklist,
        "permit_drafting",
        ChecklistProgress {
            ticked: &[],
            fees_paid: false,
        },
    ));
    assert_eq!(
        all,
        [
            "electrical_sheets",
            "mechanical_sheets",
            "structural_sheets",
            "commitments",
            "technical_id_card",
            "architecture_sheets",
            "permit_fees"
        ]
    );
    // Ticking the fee item does nothing: only the payment settles it.
    let ticked = [
        "electrical_sheets",
        "mechanical_sheets",
        "structural_sheets",
        "commitments",
        "technical_id_card",
        "architecture_sheets",
        "permit_fees",
    ];
    let progress = |fees_paid| ChecklistProgress {
        ticked: &ticked,
        fees_paid,
    };
    assert_eq!(
        ids(open_items(
            &def.checklist,
            "permit_drafting",
            progress(false)
        )),
        ["permit_fees"]
    );
    assert!(open_items(&def.checklist, "permit_drafting", progress(true)).is_empty());
    assert!(open_items(&def.checklist, "dispatch", progress(false)).is_empty());
}

#[test]
fn a_checklist_item_of_no_state_or_settled_by_anything_else_is_refused() {
    let item =
        "\n[[checklist]]\nid = \"x\"\nstate = \"nowhere\"\nname_fa = \"x\"\nname_en = \"x\"\n";
    let error = Definition::load("small.toml", &format!("{SMALL}{item}")).unwrap_err();
    assert!(error.problem.contains("no state \"nowhere\""), "{error}");
    let settled = format!(
        "{SMALL}{}settled_by = \"magic\"\n",
        item.replace("nowhere", "review")
    );
    let error = Definition::load("small.toml", &settled).unwrap_err();
    assert!(error.problem.contains("settled_by"), "{error}");
}

#[test]
fn a_complaint_is_reopened_once_and_only_within_seven_days_of_its_answer() {
    let registry = super::builtin::built_in().unwrap();
    let definition = registry.latest("complaint").unwrap();
    let reopen = definition.action("reopen").unwrap();
    assert_eq!(reopen.limit_refusal(0, 0), None);
    assert_eq!(reopen.limit_refusal(0, 6), None);
    assert_eq!(reopen.limit_refusal(0, 7), Some("case.action_lapsed"));
    assert_eq!(reopen.limit_refusal(1, 0), Some("case.action_spent"));
    let answer = definition.action("answer").unwrap();
    assert_eq!(answer.limit_refusal(5, 400), None);
}
