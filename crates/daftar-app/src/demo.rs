//! The demo: office 0101 of District 1, one staff member per role, a few citizens, a
//! company, their properties and this year's bills. Loading is idempotent, so
//! `daftar serve --demo` can run again and again.
//! The credentials are printed at start and written in the README.

use daftar_core::billing::Tariff;
use daftar_core::calendar::JalaliDate;
use daftar_core::ir::{LegalId, Mobile, NationalId};
use daftar_core::roles::{OfficeCode, Role};
use daftar_store::{Citizen, LegalEntity, NewStaff, Office, Store, StoreError};
use jiff::Timestamp;

use crate::billing::{self, IssueOptions};

/// Every demo staff account has this password; it is public, so the demo is never
/// to be loaded into a production database.
pub const DEMO_PASSWORD: &str = "daftar-demo";
pub const DEMO_OFFICE: &str = "0101";
/// A staff account that holds no role, to show what such a user may not see.
pub const DEMO_NO_ROLE_USER: &str = "trainee";

/// National ID, mobile and name of each demo citizen.
pub const DEMO_CITIZENS: [(&str, &str, &str); 3] = [
    ("0499370899", "09120000001", "مریم احمدی"),
    ("0790419904", "09120000002", "علی رضایی"),
    ("1583250689", "09120000003", "زهرا کریمی"),
];

/// A company represented by the first demo citizen.
pub const DEMO_COMPANY: (&str, &str) = ("10380284790", "شرکت ساختمانی نمونه");

pub async fn load(store: &dyn Store) -> anyhow::Result<()> {
    let now = Timestamp::now();
    let office = OfficeCode::parse(DEMO_OFFICE)?;
    store
        .upsert_office(&Office {
            code: office.clone(),
            name_fa: "دفتر خدمات الکترونیک شهر کد ۰۱۰۱ منطقه ۱".into(),
            name_en: "City e-services office 0101, District 1".into(),
            district: 1,
        })
        .await?;
    let password_hash = crate::accounts::hash_password(DEMO_PASSWORD)?;
    let mut accounts: Vec<(String, String, Option<Role>)> = Role::ALL
        .into_iter()
        .map(|role| {
            (
                role.slug().to_owned(),
                format!("کارشناس {}", role.name().fa),
                Some(role),
            )
        })
        .collect();
    accounts.push((DEMO_NO_ROLE_USER.into(), "کارآموز بدون نقش".into(), None));
    for (username, display_name, role) in accounts {
        let roles: Vec<(OfficeCode, Role)> = role
            .map(|role| (office.clone(), role))
            .into_iter()
            .collect();
        // The office head receives the overdue notices: the demo gives them a mobile.
        let mobile = (role == Some(Role::OfficeHead))
            .then(|| Mobile::parse(DEMO_OFFICE_HEAD_MOBILE))
            .transpose()?;
        let staff = NewStaff {
            username: username.clone(),
            display_name,
            password_hash: password_hash.clone(),
            mobile,
            roles: roles.clone(),
        };
        match store.create_staff(&staff, now).await {
            Ok(_) => {}
            // Loaded before: reset the password and make sure the role is still held.
            Err(StoreError::Conflict(_)) => {
                store.set_staff_password(&username, &password_hash).await?;
                let account = store
                    .staff_by_username(&username)
                    .await?
                    .ok_or_else(|| anyhow::anyhow!("demo user {username} vanished"))?;
                for (office, role) in &roles {
                    store.grant_role(account.id, office, *role).await?;
                }
            }
            Err(e) => return Err(e.into()),
        }
    }
    // A system administrator signs in with a second factor; the demo's secret is public.
    store
        .set_staff_totp(Role::SystemAdmin.slug(), Some(DEMO_TOTP_SECRET))
        .await?;
    for (national_id, mobile, name) in DEMO_CITIZENS {
        let citizen = Citizen {
            national_id: NationalId::parse(national_id)?,
            mobile: Mobile::parse(mobile)?,
            display_name: Some(name.into()),
        };
        store.upsert_citizen(&citizen, now).await?;
    }
    let (legal_id, name) = DEMO_COMPANY;
    store
        .upsert_legal_entity(
            &LegalEntity {
                legal_id: LegalId::parse(legal_id)?,
                name: name.into(),
            },
            &[NationalId::parse(DEMO_CITIZENS[0].0)?],
            now,
        )
        .await?;
    load_properties_and_bills(store).await?;
    load_zoning(store).await
}

/// The demo's zoning map (part of District 1, made up for the demo and marked so).
pub const DEMO_ZONING_MAP: &str = include_str!("../../../zoning/demo-district-1.geojson");

/// The demo's zone rules and map, the map only once: a later import by hand is kept.
async fn load_zoning(store: &dyn Store) -> anyhow::Result<()> {
    // The demo's rules file edited without a new version (a comment, say) is kept as first
    // loaded: a version is never rewritten, and the demo still starts.
    match crate::zoning::save_rules(store, daftar_core::zoning::rules::DEMO_RULES).await {
        Ok(_) | Err(crate::zoning::ZoningError::Store(StoreError::Conflict(_))) => {}
        Err(error) => return Err(error.into()),
    }
    if store.latest_zoning_map().await?.is_none() {
        crate::zoning::save_map(store, DEMO_ZONING_MAP).await?;
    }
    if store.plot(1, "01-101-12-0").await?.is_none() {
        crate::property::import_plots(store, DEMO_PLOTS).await?;
    }
    load_permit(store).await
}

/// The permit of the demo's 01-101-12-0 (made up for the demo): a parking ground floor
/// and two residential floors of 114 m², and five parking spaces. A sketch of the
/// building with a third floor shows the extra floor, and its four spaces the shortfall.
async fn load_permit(store: &dyn Store) -> anyhow::Result<()> {
    use daftar_core::sketch::PartUse;
    use daftar_core::violation::{PermitAllowance, PermitFloor};
    if store.permit(1, "01-101-12-0").await?.is_some() {
        return Ok(());
    }
    let floor = |level, floor_use| PermitFloor {
        level,
        area_centi_m2: 11_400,
        floor_use,
    };
    let permit = PermitAllowance::new(
        "1398-0101-4512",
        vec![
            floor(0, PartUse::Parking),
            floor(1, PartUse::Residential),
            floor(2, PartUse::Residential),
        ],
        5,
    )?;
    let drafting = store
        .staff_by_username(Role::PermitDrafting.slug())
        .await?
        .ok_or_else(|| anyhow::anyhow!("the demo's permit drafting account is missing"))?;
    store
        .save_permit(&daftar_store::NewPermit {
            district: 1,
            renewal_code: "01-101-12-0".into(),
            permit_json: serde_json::to_string(&permit)?,
            recorded_by: drafting.id,
            recorded_at: jiff::Timestamp::now(),
        })
        .await?;
    Ok(())
}

/// The plots of the demo's District 1 properties (made up for the demo and marked so).
pub const DEMO_PLOTS: &str = include_str!("../../../zoning/demo-district-1.plots.geojson");

/// The demo's property register, in the import's CSV format.
pub const DEMO_PROPERTIES_CSV: &str = "\
renewal_code,district,address,postal_code,land_area_m2,built_area_m2,use,owner_national_id,owner_name,owner_mobile,owner_share
01-101-12-0,1,تهران، خیابان ولیعصر، کوچه نسترن، پلاک ۱۲,1619735744,180,150,residential,0499370899,مریم احمدی,09120000001,100
01-102-07-0,1,تهران، خیابان شریعتی، پلاک ۷,1416932790,90,90,commercial,0790419904,علی رضایی,09120000002,50
01-102-07-0,1,تهران، خیابان شریعتی، پلاک ۷,1416932790,90,90,commercial,1583250689,زهرا کریمی,09120000003,50
01-205-03-0,1,تهران، بزرگراه چمران، قطعه ۳,,400,0,vacant_land,1583250689,زهرا کریمی,09120000003,100
02-310-44-0,2,تهران، خیابان آزادی، پلاک ۴۴، واحد ۸,5174643119,120,200,residential,0499370899,مریم احمدی,09120000001,100
";

/// Where the demo office head's notices go (in `messages.log`).
pub const DEMO_OFFICE_HEAD_MOBILE: &str = "09121110000";

/// The year the demo bills, and when they fall due: the year's end, so they can be paid.
pub const DEMO_YEAR: i32 = 1405;

async fn load_properties_and_bills(store: &dyn Store) -> anyhow::Result<()> {
    let import = billing::import_properties(store, DEMO_PROPERTIES_CSV).await?;
    anyhow::ensure!(
        import.rejected.is_empty(),
        "the demo register has bad rows: {:?}",
        import.rejected
    );
    let tariff = Tariff::built_in(DEMO_YEAR)
        .ok_or_else(|| anyhow::anyhow!("no built-in tariff for {DEMO_YEAR}"))??;
    let options = IssueOptions {
        year: DEMO_YEAR,
        district: None,
        due_date: JalaliDate::new(DEMO_YEAR, 12, 29)?,
        company_code: 101,
    };
    billing::issue_bills(store, &tariff, &options, &|_| {}).await?;
    Ok(())
}

/// The credentials to print when the demo starts.
/// The demo system administrator's TOTP secret (base32): public, like the password.
pub const DEMO_TOTP_SECRET: &str = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP";

pub fn credentials() -> String {
    let mut text =
        String::from("Demo sign-ins (never load the demo into a real office's database):\n");
    text.push_str(&format!(
        "  staff: username = a role (formation, inspection, ..., office_head, office_manager, system_admin), password = {DEMO_PASSWORD}\n"
    ));
    text.push_str(&format!(
        "  system_admin also gives the code of an authenticator app set up with the secret {DEMO_TOTP_SECRET}\n"
    ));
    text.push_str(&format!(
        "  staff without a role: {DEMO_NO_ROLE_USER} / {DEMO_PASSWORD}\n"
    ));
    for (national_id, mobile, _) in DEMO_CITIZENS {
        text.push_str(&format!(
            "  citizen: national ID {national_id}, mobile {mobile}\n"
        ));
    }
    text.push_str(&format!(
        "  company {} is represented by citizen {}\n",
        DEMO_COMPANY.0, DEMO_CITIZENS[0].0
    ));
    text.push_str("  one-time codes are written to DATA_DIR/messages.log\n");
    text.push_str(&format!(
        "  properties 01-101-12-0, 01-102-07-0, 01-205-03-0 (district 1) and 02-310-44-0 (district 2) have {DEMO_YEAR} bills\n"
    ));
    text
}
