//! The one typed configuration. Every setting is a flag and an environment variable;
//! the doc comments become `--help`.

use std::net::SocketAddr;
use std::path::PathBuf;

#[derive(Clone, clap::Args)]
pub struct Config {
    /// Database URL: sqlite://PATH or postgres://USER@HOST/DB. Default: an SQLite file
    /// in the data directory.
    #[arg(long, env = "DAFTAR_DATABASE_URL")]
    pub database_url: Option<String>,

    /// A PostgreSQL streaming replica of the database (postgres://USER@HOST/DB) for the
    /// public look-ups made without signing in: bill tracking, clearance and document
    /// verification, case status by code, survey results. While it does not answer or
    /// lags past --replica-max-lag-secs, they read the primary.
    #[arg(long, env = "DAFTAR_DATABASE_READ_URL", hide_env_values = true)]
    pub database_read_url: Option<String>,

    /// How far behind the primary the read replica may be, in seconds, and still answer
    /// the public look-ups.
    #[arg(long, env = "DAFTAR_REPLICA_MAX_LAG_SECS", default_value_t = 5)]
    pub replica_max_lag_secs: u64,

    /// Directory for the SQLite database, uploaded files and the message log.
    #[arg(long, env = "DAFTAR_DATA_DIR", default_value = "./daftar-data")]
    pub data_dir: PathBuf,

    /// Where uploaded documents live: file:///DIR, or s3://BUCKET/PREFIX in an
    /// S3-compatible object store that every instance shares (with the --s3-* flags).
    /// Default: DATA_DIR/documents. `daftar documents migrate --to URL` moves them.
    #[arg(long, env = "DAFTAR_DOCUMENTS_URL")]
    pub documents_url: Option<String>,

    #[command(flatten)]
    pub object_store: crate::files::ObjectStoreSettings,

    /// Address to listen on.
    #[arg(long, env = "DAFTAR_ADDR", default_value = "127.0.0.1:8080")]
    pub addr: SocketAddr,

    /// An address for operators: Prometheus metrics at /metrics (not on --addr, which
    /// the public reaches). Without it nothing is counted.
    #[arg(long, env = "DAFTAR_ADMIN_ADDR")]
    pub admin_addr: Option<SocketAddr>,

    /// URL of an HTTP SMS gateway. Without one, messages are appended to
    /// DATA_DIR/messages.log.
    #[arg(long, env = "DAFTAR_SMS_GATEWAY_URL")]
    pub sms_gateway_url: Option<String>,

    /// Bearer token sent to the SMS gateway.
    #[arg(long, env = "DAFTAR_SMS_GATEWAY_TOKEN", hide_env_values = true)]
    pub sms_gateway_token: Option<String>,

    /// Mark cookies Secure (set this when Daftar is served over HTTPS).
    #[arg(long, env = "DAFTAR_SECURE_COOKIES")]
    pub secure_cookies: bool,

    /// A directory of service files to use instead of the built-in catalog.
    #[arg(long, env = "DAFTAR_CATALOG_DIR")]
    pub catalog_dir: Option<PathBuf>,

    /// A directory of document templates (`letterhead.typ` and a `<kind>.typ` per kind
    /// of document) to use instead of the built-in `documents/`: a municipality's own
    /// letterhead, without rebuilding (`daftar documents check DIR` first).
    #[arg(long, env = "DAFTAR_DOCUMENTS_DIR")]
    pub documents_dir: Option<PathBuf>,

    /// The office's Ed25519 signing key (a file holding the 32-byte secret in hex) to use
    /// instead of the one created in the data directory (`keys/office-ed25519.key`):
    /// every instance of one office signs with the same key.
    #[arg(long, env = "DAFTAR_SIGNING_KEY")]
    pub signing_key: Option<PathBuf>,

    /// A fine schedule of building violations (transaction values by district and block,
    /// each note's rule) to use instead of the built-in `fines/1405.toml`.
    #[arg(long, env = "DAFTAR_FINE_SCHEDULE")]
    pub fine_schedule: Option<PathBuf>,

    /// The municipality's three-digit company code in bill IDs.
    #[arg(long, env = "DAFTAR_COMPANY_CODE", default_value_t = 101)]
    pub company_code: u16,

    /// Public look-ups (bill tracking, clearance verification) allowed per client address
    /// per minute; 0 turns the limit off.
    #[arg(long, env = "DAFTAR_LOOKUP_RATE_LIMIT", default_value_t = 60)]
    pub lookup_rate_limit: u32,

    /// How long an instance's claim on SMS notices keeps them from the other instances,
    /// in seconds (at least 60): the notices a lost instance had claimed go out this much
    /// later, from another.
    #[arg(
        long,
        env = "DAFTAR_OUTBOX_LEASE_SECS",
        default_value_t = 300,
        value_parser = clap::value_parser!(u64).range(60..=86_400)
    )]
    pub outbox_lease_secs: u64,

    /// PostgreSQL: the connections this instance holds for requests (the group commit of
    /// case actions holds two more). Instances sharing a machine's cores share them: three
    /// on two cores serve best at about a third each (docs/PERFORMANCE.md).
    #[arg(
        long,
        env = "DAFTAR_DATABASE_CONNECTIONS",
        default_value_t = daftar_store::DEFAULT_CONNECTIONS,
        value_parser = clap::value_parser!(u32).range(1..=1000)
    )]
    pub database_connections: u32,

    /// On SIGTERM, how many seconds to go on serving while `/readyz` answers 503, before
    /// closing: long enough for a load balancer's checks to take the instance out, so
    /// that no request is sent to it as it closes (HAProxy's `inter 500ms fall 2` needs
    /// 2). 0, for a single instance, closes at once.
    #[arg(
        long,
        env = "DAFTAR_DRAIN_SECS",
        default_value_t = 0,
        value_parser = clap::value_parser!(u64).range(0..=300)
    )]
    pub drain_secs: u64,

    /// How many hours before a planned outage every page shows its banner.
    #[arg(long, env = "DAFTAR_OUTAGE_LEAD_HOURS", default_value_t = 48)]
    pub outage_lead_hours: u16,

    /// Take the client's address from the last X-Forwarded-For entry (set this only
    /// behind a reverse proxy that writes it).
    #[arg(long, env = "DAFTAR_TRUST_FORWARDED_FOR")]
    pub trust_forwarded_for: bool,

    /// How long a sign-in lasts, in hours.
    #[arg(long, env = "DAFTAR_SESSION_HOURS", default_value_t = 12)]
    pub session_hours: u32,

    /// One-time codes sent to one mobile in `--sms-per-mobile-minutes`, whatever national
    /// ID asks.
    #[arg(long, env = "DAFTAR_SMS_PER_MOBILE", default_value_t = 3)]
    pub sms_per_mobile: u32,

    #[arg(long, env = "DAFTAR_SMS_PER_MOBILE_MINUTES", default_value_t = 10)]
    pub sms_per_mobile_minutes: u32,

    /// Code requests one client address may make in an hour.
    #[arg(long, env = "DAFTAR_CODE_REQUESTS_PER_ADDRESS", default_value_t = 20)]
    pub code_requests_per_address: u32,

    /// Codes one client address may present in an hour (wrong codes lock a national ID,
    /// so one client must not be able to keep anyone out).
    #[arg(long, env = "DAFTAR_CODE_CHECKS_PER_ADDRESS", default_value_t = 30)]
    pub code_checks_per_address: u32,

    /// Sign-in SMS the instance sends in a day; a warning is logged at nine tenths.
    #[arg(long, env = "DAFTAR_SMS_DAILY_BUDGET", default_value_t = 10_000)]
    pub sms_daily_budget: u32,

    /// Milliseconds after which every code request is answered, whatever happened, so
    /// that timing does not tell whether a code went out.
    #[arg(long, env = "DAFTAR_CODE_ANSWER_MS", default_value_t = 400)]
    pub code_answer_ms: u64,

    /// URL of the mobile ownership inquiry (Shahkar) through a provider. Without one,
    /// first sign-ins are marked unverified for formation to check.
    #[arg(long, env = "DAFTAR_MOBILE_OWNERSHIP_URL")]
    pub mobile_ownership_url: Option<String>,

    /// Bearer token sent to the ownership inquiry.
    #[arg(long, env = "DAFTAR_MOBILE_OWNERSHIP_TOKEN", hide_env_values = true)]
    pub mobile_ownership_token: Option<String>,

    /// Documents one case may hold.
    #[arg(long, env = "DAFTAR_DOCUMENTS_PER_CASE", default_value_t = 50)]
    pub documents_per_case: usize,

    /// Documents one applicant may upload in 24 hours, across their cases.
    #[arg(
        long,
        env = "DAFTAR_DOCUMENTS_PER_APPLICANT_PER_DAY",
        default_value_t = 100
    )]
    pub documents_per_applicant_per_day: usize,

    /// The municipality's aerial imagery for the inspector's map, as a tile URL with
    /// `{z}`, `{x}` and `{y}` (`https://gis.example.ir/tiles/{z}/{x}/{y}.png`). Without
    /// it the map draws the imported plot outlines and zones only, and works offline.
    #[arg(long, env = "DAFTAR_MAP_TILES_URL")]
    pub map_tiles_url: Option<String>,

    /// The times of day an inspector may be booked for a visit, the same in every
    /// office: one visit per inspector per slot.
    #[arg(
        long,
        env = "DAFTAR_VISIT_SLOTS",
        value_delimiter = ',',
        default_value = "09:00,10:30,12:00,13:30"
    )]
    pub visit_slots: Vec<String>,

    /// An office's own visit slots, instead of `--visit-slots`: `0101=08:30,10:00,11:30`;
    /// the flag repeated, or `;` between offices in the variable.
    #[arg(long, env = "DAFTAR_OFFICE_VISIT_SLOTS", value_delimiter = ';')]
    pub office_visit_slots: Vec<String>,

    /// Seconds a client has to send a request's headers, and how long a kept-alive
    /// connection may sit idle before the next request.
    #[arg(long, env = "DAFTAR_HEADER_TIMEOUT", default_value_t = 10)]
    pub header_timeout_secs: u64,

    /// Seconds a request's body may go without sending anything before it is dropped.
    #[arg(long, env = "DAFTAR_BODY_TIMEOUT", default_value_t = 30)]
    pub body_timeout_secs: u64,

    /// Connections held open at once; beyond it a new connection is closed at once.
    #[arg(long, env = "DAFTAR_MAX_CONNECTIONS", default_value_t = 8192)]
    pub max_connections: usize,

    /// Connections one client address may hold open at once; 0 turns the limit off
    /// (behind a reverse proxy, which is one address, limit there instead).
    #[arg(
        long,
        env = "DAFTAR_MAX_CONNECTIONS_PER_ADDRESS",
        default_value_t = 256
    )]
    pub max_connections_per_address: usize,

    /// The municipality's name in Persian, on every page's header and printout.
    #[arg(long, env = "DAFTAR_MUNICIPALITY_FA", default_value = "شهرداری")]
    pub municipality_fa: String,

    /// The municipality's name in English.
    #[arg(long, env = "DAFTAR_MUNICIPALITY_EN", default_value = "Municipality")]
    pub municipality_en: String,

    /// The municipality's emblem for the header, an SVG or PNG file (default: Daftar's).
    #[arg(long, env = "DAFTAR_EMBLEM")]
    pub emblem: Option<PathBuf>,

    /// The address citizens reach Daftar at, such as https://daftar.example.ir: a payment
    /// gateway sends the citizen back to it. Default: the address of the request.
    #[arg(long, env = "DAFTAR_PUBLIC_URL")]
    pub public_url: Option<String>,

    /// Zarinpal merchant ID: bills are paid online through Zarinpal's gateway.
    #[arg(long, env = "DAFTAR_ZARINPAL_MERCHANT_ID", hide_env_values = true)]
    pub zarinpal_merchant_id: Option<String>,

    /// Zarinpal's server (its sandbox for trials).
    #[arg(
        long,
        env = "DAFTAR_ZARINPAL_URL",
        default_value = "https://payment.zarinpal.com"
    )]
    pub zarinpal_url: String,

    /// A payment gateway that is a page of Daftar itself, for trials: no money moves, and
    /// every page says so. Refused unless given explicitly (`--demo` gives it).
    #[arg(long, env = "DAFTAR_DEV_PAYMENT_GATEWAY")]
    pub dev_payment_gateway: bool,
}

impl Config {
    /// How signing in is limited, from the flags.
    pub fn sign_in(&self) -> crate::accounts::SignInSettings {
        use daftar_core::sign_in_limits::{CodeLimits, SendLimit};
        use jiff::SignedDuration;
        crate::accounts::SignInSettings {
            session_hours: self.session_hours,
            code_limits: CodeLimits {
                per_mobile: SendLimit {
                    max: self.sms_per_mobile,
                    window: SignedDuration::from_mins(i64::from(self.sms_per_mobile_minutes)),
                },
                per_address: SendLimit {
                    max: self.code_requests_per_address,
                    window: SignedDuration::from_hours(1),
                },
                daily_budget: self.sms_daily_budget,
                verifications_per_address: SendLimit {
                    max: self.code_checks_per_address,
                    window: SignedDuration::from_hours(1),
                },
            },
            code_answer_after: std::time::Duration::from_millis(self.code_answer_ms),
        }
    }

    /// The database URL in force: the configured one, or SQLite in the data directory.
    pub fn database_url(&self) -> String {
        match &self.database_url {
            Some(url) => url.clone(),
            None => format!("sqlite://{}", self.data_dir.join("daftar.db").display()),
        }
    }
}

impl std::fmt::Debug for Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Config")
            .field("database_url", &self.database_url.as_ref().map(|_| "[set]"))
            .field(
                "database_read_url",
                &self.database_read_url.as_ref().map(|_| "[set]"),
            )
            .field("replica_max_lag_secs", &self.replica_max_lag_secs)
            .field("data_dir", &self.data_dir)
            .field("documents_url", &self.documents_url)
            .field("object_store", &self.object_store)
            .field("addr", &self.addr)
            .field("admin_addr", &self.admin_addr)
            .field("sms_gateway_url", &self.sms_gateway_url)
            .field(
                "sms_gateway_token",
                &self.sms_gateway_token.as_ref().map(|_| "[redacted]"),
            )
            .field("secure_cookies", &self.secure_cookies)
            .field("catalog_dir", &self.catalog_dir)
            .field("fine_schedule", &self.fine_schedule)
            .field("signing_key", &self.signing_key)
            .field("company_code", &self.company_code)
            .field("lookup_rate_limit", &self.lookup_rate_limit)
            .field("outbox_lease_secs", &self.outbox_lease_secs)
            .field("drain_secs", &self.drain_secs)
            .field("database_connections", &self.database_connections)
            .field("outage_lead_hours", &self.outage_lead_hours)
            .field("trust_forwarded_for", &self.trust_forwarded_for)
            .field("session_hours", &self.session_hours)
            .field("sms_per_mobile", &self.sms_per_mobile)
            .field("sms_per_mobile_minutes", &self.sms_per_mobile_minutes)
            .field("code_requests_per_address", &self.code_requests_per_address)
            .field("code_checks_per_address", &self.code_checks_per_address)
            .field("sms_daily_budget", &self.sms_daily_budget)
            .field("code_answer_ms", &self.code_answer_ms)
            .field("mobile_ownership_url", &self.mobile_ownership_url)
            .field(
                "mobile_ownership_token",
                &self.mobile_ownership_token.as_ref().map(|_| "[redacted]"),
            )
            .field("documents_per_case", &self.documents_per_case)
            .field("visit_slots", &self.visit_slots)
            .field("office_visit_slots", &self.office_visit_slots)
            .field("map_tiles_url", &self.map_tiles_url)
            .field(
                "documents_per_applicant_per_day",
                &self.documents_per_applicant_per_day,
            )
            .field("header_timeout_secs", &self.header_timeout_secs)
            .field("body_timeout_secs", &self.body_timeout_secs)
            .field("max_connections", &self.max_connections)
            .field(
                "max_connections_per_address",
                &self.max_connections_per_address,
            )
            .finish()
    }
}
