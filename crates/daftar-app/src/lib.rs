//! Daftar's use cases: what a citizen, a clerk or a script can do, with no HTTP in sight.
//! The server's pages and API and the command line call the same functions.
//!
//! One service per capability, each holding only what it needs (its store trait, the
//! definitions, the calendar, the file store) and each with its own error enum in the
//! domain's words, which the server maps to HTTP statuses once:
//! - [`accounts`]: signing in with a one-time code or a password, sessions ([`Accounts`]);
//! - [`billing`]: tracking a bill, the gateway's payment, clearances, and the batch work
//!   of the register, a year's bills and the bank's file ([`Billing`]);
//! - [`cases`]: applying, acting on a case, following it, the work queues ([`Cases`]);
//! - [`outbox`]: delivering the notifications, and the SLA sweep ([`Outbox`]);
//! - [`payments`]: paying a bill online through a payment gateway ([`Payments`]);
//! - [`sketch`]: the inspector's sketch of a case ([`Sketches`]);
//! - [`survey`]: a closed case's satisfaction survey and the published results
//!   ([`survey::Surveys`]);
//! - [`usage`]: the operator-usage report of an office's staff ([`usage::Usage`]);
//! - [`zoning`]: the detailed plan's rules and map, and the inquiry ([`Zoning`]).
//!
//! Beside them: [`config`], the one typed configuration; [`catalog`], loading the service
//! catalog; [`files`], uploaded documents on disk; [`notify`], sending SMS; [`codes`],
//! where tracking and clearance codes are drawn; [`demo`], the demo office.

pub mod accounts;
pub mod backup;
pub mod billing;
pub mod branding;
pub mod cases;
pub mod catalog;
pub mod codes;
pub mod complaint;
pub mod config;
pub mod demo;
pub mod files;
pub mod inspection;
pub mod issued;
pub mod lookup_limit;
pub mod notify;
pub mod outage;
pub mod outbox;
pub mod payments;
pub mod property;
pub mod replica;
pub mod sketch;
pub mod survey;
pub mod usage;
pub mod violation;
pub mod zoning;

use std::sync::Arc;

use daftar_core::calendar::HolidayCalendar;
use daftar_store::Store;

pub use accounts::{AccountError, Accounts, CurrentUser, Principal};
pub use billing::{Billing, BillingError};
pub use branding::Branding;
pub use cases::{CaseError, Cases};
pub use complaint::Complaints;
pub use config::Config;
pub use inspection::Inspection;
pub use outbox::Outbox;
pub use payments::{PaymentError, Payments};
pub use property::{Properties, PropertyError};
pub use sketch::Sketches;
pub use violation::Violations;
pub use zoning::{Zoning, ZoningError};

/// Every service, built once from the configuration over one opened store.
#[derive(Debug, Clone)]
pub struct Services {
    pub accounts: Accounts,
    pub billing: Billing,
    pub cases: Cases,
    pub complaints: Complaints,
    pub inspection: Inspection,
    pub issuing: issued::Issuing,
    /// Issued documents as PDFs, to those who may have them.
    pub printing: issued::Printing,
    pub outbox: Outbox,
    pub outages: outage::Outages,
    pub payments: Payments,
    pub properties: Properties,
    pub sketches: Sketches,
    pub surveys: survey::Surveys,
    pub usage: usage::Usage,
    pub violations: Violations,
    pub zoning: Zoning,
    /// The service catalog: built in, or read from `--catalog-dir` at start.
    pub catalog: Arc<daftar_core::catalog::Catalog>,
    /// Where the public look-ups read: the primary, or a replica while it keeps up.
    pub reads: replica::PublicReads,
}

impl Services {
    /// Builds the services the configuration describes: the notifier it names, the
    /// catalog, the workflows and the documents' directory.
    pub fn new(config: &Config, store: Arc<dyn Store>) -> anyhow::Result<Services> {
        Services::with_reads(
            config,
            store.clone(),
            replica::PublicReads::primary_only(store),
        )
    }

    /// Builds the services as [`Services::new`] does, the public look-ups reading where
    /// `reads` says.
    pub fn with_reads(
        config: &Config,
        store: Arc<dyn Store>,
        reads: replica::PublicReads,
    ) -> anyhow::Result<Services> {
        let notifier = notify::from_config(config)?;
        let ownership = match &config.mobile_ownership_url {
            Some(url) => Some(Arc::new(accounts::HttpMobileOwnership::new(
                url.clone(),
                config.mobile_ownership_token.clone(),
            )?) as Arc<dyn accounts::MobileOwnership>),
            None => None,
        };
        let catalog = Arc::new(catalog::load(config.catalog_dir.as_deref())?);
        let workflows = Arc::new(daftar_core::workflow::built_in().map_err(|errors| {
            let lines: Vec<String> = errors.iter().map(ToString::to_string).collect();
            anyhow::anyhow!("the built-in workflows do not load:\n{}", lines.join("\n"))
        })?);
        let issuing = issued::Issuing::new(
            store.clone(),
            issued::office_key(&config.data_dir, config.signing_key.as_deref())?,
        )
        .with_public_reads(&reads);
        let fine_schedule = Arc::new(match &config.fine_schedule {
            Some(path) => violation::schedule_from_file(path)?,
            None => violation::built_in_schedule(),
        });
        let cases = Cases::new(
            store.clone(),
            store.clone(),
            catalog.clone(),
            workflows,
            Arc::new(HolidayCalendar::built_in()),
            files::FileStore::open(
                &config.data_dir,
                config.documents_url.as_deref(),
                &config.object_store,
            )?,
        )
        .with_work(store.clone())
        .with_fines(fine_schedule.clone(), config.company_code)
        .with_issuing(issuing.clone())
        .with_public_reads(&reads)
        .with_document_limits(cases::DocumentLimits {
            documents_per_case: config.documents_per_case,
            documents_per_applicant_per_day: config.documents_per_applicant_per_day,
        });
        let payments = match (&config.zarinpal_merchant_id, config.dev_payment_gateway) {
            (Some(merchant), _) => Payments::new(
                store.clone(),
                store.clone(),
                Some(Arc::new(payments::zarinpal::Zarinpal::new(
                    &config.zarinpal_url,
                    merchant,
                )?)),
            ),
            (None, true) => Payments::with_dev_gateway(
                store.clone(),
                store.clone(),
                Arc::new(payments::dev::DevGateway::default()),
            ),
            (None, false) => Payments::new(store.clone(), store.clone(), None),
        };
        let typesetter = issued::typeset::Typesetter::from_config(config)?;
        let properties = Properties::new(store.clone());
        let printing = issued::Printing::new(
            store.clone(),
            issuing.clone(),
            cases.clone(),
            properties.clone(),
            typesetter,
        );
        Ok(Services {
            printing,
            payments,
            accounts: Accounts::new(store.clone(), notifier.clone(), ownership, config.sign_in()),
            billing: Billing::new(store.clone())
                .with_issuing(issuing.clone())
                .with_public_reads(&reads),
            zoning: Zoning::new(store.clone(), Properties::new(store.clone())),
            properties,
            sketches: Sketches::new(
                cases.clone(),
                store.clone(),
                Violations::new(cases.clone(), store.clone(), fine_schedule.clone()),
            ),
            violations: Violations::new(cases.clone(), store.clone(), fine_schedule),
            inspection: Inspection::new(
                cases.clone(),
                store.clone(),
                &config.visit_slots,
                &config.office_visit_slots,
            )
            .map_err(|problem| anyhow::anyhow!("the visit slots: {problem}"))?,
            issuing,
            outages: outage::Outages::new(
                store.clone(),
                jiff::SignedDuration::from_hours(i64::from(config.outage_lead_hours)),
            ),
            surveys: survey::Surveys::new(
                store.clone(),
                cases.clone(),
                catalog.clone(),
                Arc::new(daftar_core::survey::SurveyForm::built_in()),
            )
            .with_public_reads(&reads),
            usage: usage::Usage::new(store.clone(), cases.clone()),
            complaints: Complaints::new(
                store.clone(),
                cases.clone(),
                Arc::new(daftar_core::complaint::ComplaintKinds::built_in()),
            ),
            outbox: Outbox::new(store.clone(), store, notifier).with_lease(
                jiff::SignedDuration::from_secs(
                    i64::try_from(config.outbox_lease_secs.min(86_400)).unwrap_or(86_400),
                ),
            )?,
            cases,
            catalog,
            reads,
        })
    }
}
