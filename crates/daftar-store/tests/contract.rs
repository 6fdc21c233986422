//! The storage contract: every behaviour of the `Store`, run on SQLite and PostgreSQL.

mod support;

use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::otp::{CodeRequestRefusal, LOCK_DURATION, Verdict};
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::sign_in_limits::CodeLimits;
use daftar_store::{
    Backend, Citizen, CodeRequest, CodeRequestOutcome, LegalEntity, NewSession, NewStaff, Office,
    StaffId, Store, StoreError, Subject,
};
use jiff::{SignedDuration, Timestamp};

on_both_databases!(
    the_database_answers_a_ping,
    offices_are_updated_in_place_and_listed_by_code,
    usernames_are_unique,
    roles_are_held_per_office,
    a_role_in_an_unknown_office_is_not_granted,
    a_sign_in_code_signs_in_once_and_registers_the_citizen,
    a_registered_citizen_gets_no_code_on_another_mobile,
    five_wrong_codes_lock_the_account_until_the_lock_ends,
    a_new_code_waits_a_minute_after_the_last,
    a_code_for_an_unknown_national_id_is_no_live_code,
    sessions_live_until_they_expire_or_are_deleted,
    representatives_act_for_their_legal_entity_only,
);

fn t(seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 + seconds).unwrap()
}

fn office_0101() -> Office {
    Office {
        code: OfficeCode::parse("0101").unwrap(),
        name_fa: "دفتر ۰۱۰۱".into(),
        name_en: "Office 0101".into(),
        district: 1,
    }
}

fn staff(username: &str) -> NewStaff {
    NewStaff {
        username: username.into(),
        display_name: format!("{username} name"),
        password_hash: "$argon2id$not-checked-here".into(),
        mobile: None,
        roles: vec![],
    }
}

fn maryam() -> (NationalId, Mobile) {
    (
        NationalId::parse("0499370899").unwrap(),
        Mobile::parse("09120000001").unwrap(),
    )
}

async fn the_database_answers_a_ping(store: &dyn Store) {
    store.ping().await.unwrap();
    assert!(matches!(
        store.backend(),
        Backend::Sqlite | Backend::Postgres
    ));
}

async fn offices_are_updated_in_place_and_listed_by_code(store: &dyn Store) {
    let mut office = office_0101();
    store.upsert_office(&office).await.unwrap();
    office.name_en = "Office 0101, renamed".into();
    store.upsert_office(&office).await.unwrap();
    let mut second = office_0101();
    second.code = OfficeCode::parse("0201").unwrap();
    second.district = 2;
    store.upsert_office(&second).await.unwrap();
    assert_eq!(store.offices().await.unwrap(), vec![office, second]);
}

async fn usernames_are_unique(store: &dyn Store) {
    store.create_staff(&staff("sara"), t(0)).await.unwrap();
    let again = store.create_staff(&staff("sara"), t(1)).await;
    assert!(
        matches!(again, Err(StoreError::Conflict("username"))),
        "{again:?}"
    );
}

async fn roles_are_held_per_office(store: &dyn Store) {
    store.upsert_office(&office_0101()).await.unwrap();
    let office = office_0101().code;
    let sara = store.create_staff(&staff("sara"), t(0)).await.unwrap();
    let mut reza = staff("reza");
    reza.roles = vec![(office.clone(), Role::Inspection)];
    let reza = store.create_staff(&reza, t(0)).await.unwrap();
    store
        .grant_role(sara, &office, Role::Formation)
        .await
        .unwrap();
    store
        .grant_role(sara, &office, Role::Formation)
        .await
        .unwrap();
    store
        .grant_role(sara, &office, Role::OfficeHead)
        .await
        .unwrap();
    let account = store.staff_by_username("sara").await.unwrap().unwrap();
    assert_eq!(account.id, sara);
    assert_eq!(
        account.roles,
        vec![
            (office.clone(), Role::Formation),
            (office.clone(), Role::OfficeHead)
        ]
    );
    assert!(account.has_role(Role::Formation));
    assert!(!account.has_role(Role::Inspection));
    let formation = store.staff_in_role(&office, Role::Formation).await.unwrap();
    assert_eq!(
        formation.iter().map(|s| s.id).collect::<Vec<_>>(),
        vec![sara]
    );
    let reza_account = store.staff_by_id(reza).await.unwrap().unwrap();
    assert_eq!(reza_account.roles, vec![(office.clone(), Role::Inspection)]);
    assert!(store.staff_by_id(StaffId(999_999)).await.unwrap().is_none());
    assert!(store.staff_by_username("nobody").await.unwrap().is_none());
}

async fn a_role_in_an_unknown_office_is_not_granted(store: &dyn Store) {
    let mut with_unknown_office = staff("reza");
    with_unknown_office.roles = vec![(OfficeCode::parse("9999").unwrap(), Role::Formation)];
    let created = store.create_staff(&with_unknown_office, t(0)).await;
    assert!(
        matches!(created, Err(StoreError::NotFound(_))),
        "{created:?}"
    );
    assert!(
        store.staff_by_username("reza").await.unwrap().is_none(),
        "nothing was left behind"
    );
    let sara = store.create_staff(&staff("sara"), t(0)).await.unwrap();
    let unknown = OfficeCode::parse("9999").unwrap();
    let granted = store.grant_role(sara, &unknown, Role::Formation).await;
    assert!(
        matches!(granted, Err(StoreError::NotFound(_))),
        "{granted:?}"
    );
    assert!(
        store
            .staff_by_id(sara)
            .await
            .unwrap()
            .unwrap()
            .roles
            .is_empty()
    );
}

/// Asks for a code as the sign-in use case does, under the default limits.
async fn ask(
    store: &dyn Store,
    national_id: &NationalId,
    mobile: &Mobile,
    code_hash: &str,
    now: Timestamp,
) -> CodeRequestOutcome {
    store
        .request_sign_in_code(&CodeRequest {
            national_id: national_id.clone(),
            mobile: mobile.clone(),
            mobile_verified: false,
            address_key: "address:test".into(),
            mobile_key: format!("mobile:{}", mobile.e164()),
            code_hash: code_hash.into(),
            limits: CodeLimits::default(),
            now,
        })
        .await
        .unwrap()
}

async fn a_sign_in_code_signs_in_once_and_registers_the_citizen(store: &dyn Store) {
    let (national_id, mobile) = maryam();
    let outcome = ask(store, &national_id, &mobile, "h1", t(0)).await;
    assert_eq!(
        outcome,
        CodeRequestOutcome::Send {
            to: mobile.clone(),
            sent_today: 1
        }
    );
    assert!(store.citizen(&national_id).await.unwrap().is_none());
    let verdict = store
        .present_sign_in_code(&national_id, "h1", t(30))
        .await
        .unwrap()
        .verdict;
    assert_eq!(verdict, Verdict::SignedIn);
    let citizen = store.citizen(&national_id).await.unwrap().unwrap();
    assert_eq!(citizen.mobile, mobile);
    let reused = store
        .present_sign_in_code(&national_id, "h1", t(31))
        .await
        .unwrap()
        .verdict;
    assert_eq!(reused, Verdict::NoLiveCode);
}

async fn a_registered_citizen_gets_no_code_on_another_mobile(store: &dyn Store) {
    let (national_id, mobile) = maryam();
    let citizen = Citizen {
        national_id: national_id.clone(),
        mobile,
        display_name: None,
    };
    store.upsert_citizen(&citizen, t(0)).await.unwrap();
    let stranger = Mobile::parse("09350000000").unwrap();
    let outcome = ask(store, &national_id, &stranger, "h1", t(0)).await;
    assert_eq!(outcome, CodeRequestOutcome::MobileMismatch);
    let verdict = store
        .present_sign_in_code(&national_id, "h1", t(1))
        .await
        .unwrap()
        .verdict;
    assert_eq!(verdict, Verdict::NoLiveCode);
}

async fn five_wrong_codes_lock_the_account_until_the_lock_ends(store: &dyn Store) {
    let (national_id, mobile) = maryam();
    ask(store, &national_id, &mobile, "right", t(0)).await;
    for attempt in 1..=4u32 {
        let verdict = store
            .present_sign_in_code(&national_id, "wrong", t(attempt.into()))
            .await;
        assert_eq!(
            verdict.unwrap().verdict,
            Verdict::Wrong {
                remaining: 5 - attempt
            }
        );
    }
    let until = t(5) + LOCK_DURATION;
    let fifth = store
        .present_sign_in_code(&national_id, "wrong", t(5))
        .await
        .unwrap()
        .verdict;
    assert_eq!(fifth, Verdict::WrongAndNowLocked { until });
    let sixth = store
        .present_sign_in_code(&national_id, "wrong", t(6))
        .await
        .unwrap()
        .verdict;
    assert_eq!(sixth, Verdict::Locked { until });
    let right = store
        .present_sign_in_code(&national_id, "right", t(7))
        .await
        .unwrap()
        .verdict;
    assert_eq!(right, Verdict::Locked { until });
    let new_code = ask(store, &national_id, &mobile, "next", t(100)).await;
    assert_eq!(
        new_code,
        CodeRequestOutcome::Refused(CodeRequestRefusal::Locked { until })
    );
    assert!(store.citizen(&national_id).await.unwrap().is_none());

    let after = until + SignedDuration::from_secs(1);
    let new_code = ask(store, &national_id, &mobile, "next", after).await;
    assert_eq!(
        new_code,
        CodeRequestOutcome::Send {
            to: mobile,
            sent_today: 2
        }
    );
    let verdict = store
        .present_sign_in_code(&national_id, "next", after)
        .await
        .unwrap()
        .verdict;
    assert_eq!(verdict, Verdict::SignedIn);
}

async fn a_new_code_waits_a_minute_after_the_last(store: &dyn Store) {
    let (national_id, mobile) = maryam();
    ask(store, &national_id, &mobile, "h1", t(0)).await;
    let soon = ask(store, &national_id, &mobile, "h2", t(30)).await;
    assert_eq!(
        soon,
        CodeRequestOutcome::Refused(CodeRequestRefusal::TooSoon { retry_after: t(60) })
    );
    // The refused request left the first code in force.
    let verdict = store
        .present_sign_in_code(&national_id, "h1", t(31))
        .await
        .unwrap()
        .verdict;
    assert_eq!(verdict, Verdict::SignedIn);
}

async fn a_code_for_an_unknown_national_id_is_no_live_code(store: &dyn Store) {
    let (national_id, _) = maryam();
    let verdict = store
        .present_sign_in_code(&national_id, "h1", t(0))
        .await
        .unwrap()
        .verdict;
    assert_eq!(verdict, Verdict::NoLiveCode);
}

async fn sessions_live_until_they_expire_or_are_deleted(store: &dyn Store) {
    let (national_id, _) = maryam();
    let subject = Subject::Citizen {
        national_id,
        acting_for: None,
        verified: false,
    };
    let session = |token: &str, expires: i64| NewSession {
        token_hash: token.into(),
        subject: subject.clone(),
        csrf_token: format!("csrf-{token}"),
        created_at: t(0),
        expires_at: t(expires),
    };
    store.create_session(&session("a", 100)).await.unwrap();
    store.create_session(&session("b", 50)).await.unwrap();
    let found = store.session("a", t(10)).await.unwrap().unwrap();
    assert_eq!(found.subject, subject);
    assert_eq!(found.csrf_token, "csrf-a");
    assert_eq!(found.expires_at, t(100));
    assert!(
        store.session("b", t(50)).await.unwrap().is_none(),
        "expired at its expiry"
    );
    assert!(store.session("missing", t(10)).await.unwrap().is_none());
    assert_eq!(store.delete_expired_sessions(t(60)).await.unwrap(), 1);
    store.delete_session("a").await.unwrap();
    assert!(store.session("a", t(10)).await.unwrap().is_none());

    let staff_id = store.create_staff(&staff("sara"), t(0)).await.unwrap();
    let mut staff_session = session("c", 100);
    staff_session.subject = Subject::Staff(staff_id);
    store.create_session(&staff_session).await.unwrap();
    assert_eq!(
        store.session("c", t(1)).await.unwrap().unwrap().subject,
        Subject::Staff(staff_id)
    );
}

async fn representatives_act_for_their_legal_entity_only(store: &dyn Store) {
    let (national_id, mobile) = maryam();
    let citizen = Citizen {
        national_id: national_id.clone(),
        mobile,
        display_name: None,
    };
    store.upsert_citizen(&citizen, t(0)).await.unwrap();
    let company = LegalEntity {
        legal_id: LegalId::parse("10380284790").unwrap(),
        name: "Nemooneh".into(),
    };
    store
        .upsert_legal_entity(&company, std::slice::from_ref(&national_id), t(0))
        .await
        .unwrap();
    let found = store
        .represented_entity(&national_id, &company.legal_id)
        .await
        .unwrap();
    assert_eq!(found, Some(company.clone()));
    assert_eq!(
        store.entities_represented_by(&national_id).await.unwrap(),
        vec![company.clone()]
    );
    let other = NationalId::parse("0790419904").unwrap();
    assert!(
        store
            .represented_entity(&other, &company.legal_id)
            .await
            .unwrap()
            .is_none()
    );
    let unregistered = store.upsert_legal_entity(&company, &[other], t(0)).await;
    assert!(
        matches!(unregistered, Err(StoreError::NotFound(_))),
        "{unregistered:?}"
    );
    // The failed update changed nothing: the first representative still stands.
    let still = store
        .represented_entity(&national_id, &company.legal_id)
        .await
        .unwrap();
    assert_eq!(still, Some(company));
}

#[tokio::test]
async fn an_in_memory_sqlite_database_is_refused_with_a_reason() {
    for url in ["sqlite::memory:", "sqlite://file?mode=memory"] {
        let refused = daftar_store::open(url).await.expect_err(url);
        assert!(
            refused.to_string().contains("file, not in memory"),
            "{url}: {refused}"
        );
    }
}
