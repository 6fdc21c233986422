//! The use cases over a fresh database, with no router and no demo data: an office, a
//! staff member per role a test needs, and the services built as `serve` builds them.

#![allow(dead_code)]

use std::collections::BTreeMap;
use std::sync::Arc;

use daftar_app::accounts::{MobileOwnership, Principal, SignInSettings};
use daftar_app::cases::{Application, Upload};
use daftar_app::codes::RandomCodes;
use daftar_app::files::FileStore;
use daftar_app::notify::{Notifier, SendError};
use daftar_app::{Accounts, Billing, Cases, Outbox};
use daftar_core::calendar::HolidayCalendar;
use daftar_core::catalog::FieldKind;
use daftar_core::ir::{Mobile, NationalId};
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::workflow::Registry;
use daftar_store::{NewStaff, Office, StaffAccount, Store};
use jiff::Timestamp;

#[path = "../../../daftar-store/tests/support.rs"]
mod databases;
pub use databases::TestDb;

/// Runs each named async test function, given a fresh store, on SQLite and on PostgreSQL.
#[macro_export]
macro_rules! with_both_databases {
    ($($name:ident),* $(,)?) => {
        mod sqlite {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::support::TestDb::sqlite().await;
                    super::$name(db.store.clone()).await;
                }
            )*
        }
        mod postgres {
            $(
                #[tokio::test]
                async fn $name() {
                    let db = $crate::support::TestDb::postgres().await;
                    super::$name(db.store.clone()).await;
                }
            )*
        }
    };
}

pub const OFFICE: &str = "0101";
/// A citizen and their mobile (valid check digits).
pub const CITIZEN: (&str, &str) = ("0499370899", "09120000001");
/// A service of the built-in catalog that follows `single_review`, owned by formation.
pub const SERVICE: &str = "10010101001th01";
const PDF: &[u8] = b"%PDF-1.7\n1 0 obj\n<<>>\nendobj\n%%EOF\n";

pub fn office() -> OfficeCode {
    OfficeCode::parse(OFFICE).unwrap()
}

pub fn citizen() -> Principal {
    Principal::Citizen {
        national_id: NationalId::parse(CITIZEN.0).unwrap(),
        acting_for: None,
        verified: true,
    }
}

/// The office, in district 1.
pub async fn set_up_office(store: &dyn Store) {
    store
        .upsert_office(&Office {
            code: office(),
            name_fa: "دفتر ۰۱۰۱".into(),
            name_en: "Office 0101".into(),
            district: 1,
        })
        .await
        .unwrap();
}

/// A staff member holding `role` in the office.
pub async fn staff(store: &dyn Store, role: Role) -> Principal {
    let username = format!("{}-clerk", role.slug());
    store
        .create_staff(
            &NewStaff {
                username: username.clone(),
                display_name: format!("Clerk of {}", role.slug()),
                password_hash: "not used".into(),
                mobile: None,
                roles: vec![(office(), role)],
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    let account: StaffAccount = store.staff_by_username(&username).await.unwrap().unwrap();
    Principal::Staff(account)
}

/// The case service as `serve` builds it, over `workflows`, drawing codes from `codes`.
pub fn cases_with(
    store: &Arc<dyn Store>,
    workflows: Registry,
    codes: RandomCodes,
    files: &tempfile::TempDir,
) -> Cases {
    Cases::new(
        store.clone(),
        store.clone(),
        Arc::new(daftar_core::catalog::built_in().unwrap()),
        Arc::new(workflows),
        Arc::new(HolidayCalendar::built_in()),
        FileStore::new(files.path()),
    )
    .with_codes(codes)
}

pub fn billing_with(store: &Arc<dyn Store>, codes: RandomCodes) -> Billing {
    Billing::with_codes(store.clone(), codes)
}

pub fn accounts_with(store: &Arc<dyn Store>, notifier: Arc<dyn Notifier>) -> Accounts {
    accounts_configured(store, notifier, None, quick_sign_in())
}

/// Sign-in settings for tests: the defaults, answered after 20 ms rather than 400.
pub fn quick_sign_in() -> SignInSettings {
    SignInSettings {
        code_answer_after: std::time::Duration::from_millis(20),
        ..SignInSettings::default()
    }
}

pub fn accounts_configured(
    store: &Arc<dyn Store>,
    notifier: Arc<dyn Notifier>,
    ownership: Option<Arc<dyn MobileOwnership>>,
    settings: SignInSettings,
) -> Accounts {
    Accounts::new(store.clone(), notifier, ownership, settings)
}

pub fn outbox_with(store: &Arc<dyn Store>, notifier: Arc<dyn Notifier>) -> Outbox {
    Outbox::new(store.clone(), store.clone(), notifier)
}

/// A complete application for `service`: an answer of the right kind for every required
/// field and a PDF for every required document, received by `cases`.
pub async fn application(cases: &Cases, service: &str) -> Application {
    let service = cases.catalog().get(service).unwrap();
    let mut answers = BTreeMap::new();
    for field in service.form.fields.iter().filter(|f| f.required) {
        let value = match &field.kind {
            FieldKind::NationalId => CITIZEN.0.to_owned(),
            FieldKind::Mobile => CITIZEN.1.to_owned(),
            FieldKind::RenewalCode => "01-101-12-0".to_owned(),
            FieldKind::District => "1".to_owned(),
            FieldKind::PostalCode => "1619735744".to_owned(),
            FieldKind::AreaM2 => "180".to_owned(),
            FieldKind::Number => "3".to_owned(),
            FieldKind::Date => "1405-03-01".to_owned(),
            FieldKind::Select { options } => options[0].value.clone(),
            _ => "پاسخ".to_owned(),
        };
        answers.insert(field.name.clone(), value);
    }
    let mut uploads = Vec::new();
    for document in service.form.documents.iter().filter(|d| d.required) {
        uploads.push(Upload {
            kind: document.id.clone(),
            file_name: format!("{}.pdf", document.id),
            content: cases.receive_bytes(PDF).await.unwrap(),
        });
    }
    Application {
        service_id: service.identifier.clone(),
        answers,
        uploads,
    }
}

pub fn mobile() -> Mobile {
    Mobile::parse(CITIZEN.1).unwrap()
}

/// A notifier that keeps what it sends, failing while `failing` says so.
#[derive(Debug, Default)]
pub struct Recorder {
    pub sent: std::sync::Mutex<Vec<(String, String)>>,
    pub failing: std::sync::atomic::AtomicBool,
}

impl Recorder {
    pub fn failing() -> Arc<Recorder> {
        let recorder = Recorder::default();
        recorder
            .failing
            .store(true, std::sync::atomic::Ordering::SeqCst);
        Arc::new(recorder)
    }

    pub fn set_failing(&self, failing: bool) {
        self.failing
            .store(failing, std::sync::atomic::Ordering::SeqCst);
    }

    pub fn texts(&self) -> Vec<String> {
        let sent = self.sent.lock().unwrap();
        sent.iter().map(|(_, text)| text.clone()).collect()
    }
}

#[async_trait::async_trait]
impl Notifier for Recorder {
    async fn send(&self, to: &Mobile, text: &str) -> Result<(), SendError> {
        // A gateway takes a moment to answer: long enough for another worker to run.
        tokio::task::yield_now().await;
        if self.failing.load(std::sync::atomic::Ordering::SeqCst) {
            return Err(SendError::NotSent(anyhow::anyhow!("the gateway is down")));
        }
        self.sent.lock().unwrap().push((to.e164(), text.to_owned()));
        Ok(())
    }
}

/// A registered citizen and one case of theirs whose opening wrote `notices`
/// notifications to them, each with its own text.
pub async fn case_with_notices(store: &dyn Store, notices: usize) {
    set_up_office(store).await;
    let national_id = NationalId::parse(CITIZEN.0).unwrap();
    store
        .upsert_citizen(
            &daftar_store::Citizen {
                national_id: national_id.clone(),
                mobile: mobile(),
                display_name: None,
            },
            Timestamp::now(),
        )
        .await
        .unwrap();
    let notifications: Vec<daftar_store::NewNotification> = (0..notices)
        .map(|n| daftar_store::NewNotification {
            to: daftar_store::Recipient::Citizen(national_id.clone()),
            text: format!("notice {n}"),
        })
        .collect();
    store
        .open_case(
            &daftar_store::NewCase {
                complaint: None,
                tracking_code: "100000000017".into(),
                service_id: SERVICE.into(),
                workflow_id: "single_review".into(),
                workflow_version: 1,
                applicant: Some(national_id),
                applicant_verified: true,
                acting_for: None,
                office: office(),
                district: Some(1),
                renewal_code: None,
                state: "review".into(),
                position_json: r#"{"state":"review"}"#.into(),
                fields_json: "{}".into(),
                sla_due: None,
            },
            &[],
            &daftar_store::NewHistory {
                actor: daftar_store::Actor::Applicant,
                action: "apply".into(),
                from_state: None,
                to_state: "review".into(),
                comment: None,
                changes: None,
            },
            &notifications,
            &[],
            Timestamp::now(),
        )
        .await
        .unwrap();
}
