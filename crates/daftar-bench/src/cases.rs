//! `daftar-bench cases`: durable case transitions per second against the database's raw
//! single-row commit rate, and listing a work queue over a million open cases.
//!
//! Transitions are measured as the server makes them: the workflow engine decides, then
//! one store transaction writes the case's state and version, replaces its tasks, appends
//! a history row and an outbox row. Each commits on its own (synchronous=FULL on SQLite),
//! one after the other, as one clerk's clicks would. The baseline, in the same run on the
//! same database: one-row INSERTs, each in its own transaction.

use std::time::{Duration, Instant};

use anyhow::Context;
use daftar_core::calendar::{HolidayCalendar, JalaliDate};
use daftar_core::ir::NationalId;
use daftar_core::roles::{OfficeCode, Role};
use daftar_core::workflow::{Attempt, Definition, Position, WorkflowActor};
use daftar_store::{
    Actor, CaseId, NewCase, NewHistory, NewNotification, NewTask, Office, QueueOrder, QueueQuery,
    Recipient, Store, Transition,
};
use rand::{Rng, SeedableRng};

use crate::database::Scratch;
use crate::raw::Raw;

#[derive(Debug, clap::Args)]
pub struct Args {
    /// Cases to move through three transitions each.
    #[arg(long, default_value_t = 1000)]
    cases: u64,
    /// Open cases to list queues over; 0 skips the queue benchmark.
    #[arg(long, default_value_t = 1_000_000)]
    queue_cases: u64,
    /// Clerks acting at once in the concurrent runs of transitions, one run per number.
    #[arg(long, value_delimiter = ',', default_value = "64,256")]
    clerks: Vec<u64>,
    /// Queue listings to time.
    #[arg(long, default_value_t = 2000)]
    queries: usize,
    /// sqlite://PATH (a new file), postgres://USER@HOST:PORT (a new scratch database),
    /// or nothing: SQLite in a temporary directory.
    #[arg(long)]
    database_url: Option<String>,
}

fn office() -> OfficeCode {
    OfficeCode::parse("0101").expect("a valid office code")
}

pub async fn run(args: Args) -> anyhow::Result<()> {
    let scratch = Scratch::new(args.database_url.as_deref()).await?;
    let result = measure(&args, scratch.url()).await;
    scratch.remove().await?;
    result
}

async fn measure(args: &Args, url: &str) -> anyhow::Result<()> {
    let store = daftar_store::open(url).await?;
    store
        .upsert_office(&Office {
            code: office(),
            name_fa: "دفتر ۰۱۰۱".into(),
            name_en: "Office 0101".into(),
            district: 1,
        })
        .await?;
    let raw = Raw::open(url).await?;
    println!("# Case benchmark on {}\n", raw.version().await?);
    println!(
        "2 cores; load average before: {}.\n",
        std::fs::read_to_string("/proc/loadavg")
            .unwrap_or_default()
            .trim()
    );

    let commits = args.cases * 3;
    let baseline = raw_commits(&raw, commits).await?;
    raw.close().await;
    let office = NoViolationCases::new()?;
    let one_clerk = transitions(store.as_ref(), &office, 0, args.cases, 1).await?;
    let mut at_once = Vec::new();
    for (run, &clerks) in (1..).zip(&args.clerks) {
        let first = run * args.cases;
        at_once.push((
            clerks,
            transitions(store.as_ref(), &office, first, args.cases, clerks).await?,
        ));
    }
    let rate = |n: u64, d: Duration| n as f64 / d.as_secs_f64();
    println!("| step | count | seconds | per second |");
    println!("|---|---:|---:|---:|");
    println!(
        "| baseline: one-row INSERT, one transaction each | {commits} | {:.2} | {:.0} |",
        baseline.as_secs_f64(),
        rate(commits, baseline)
    );
    println!(
        "| case transitions, one clerk (engine + state, tasks, history, outbox; each durable before the next) | {commits} | {:.2} | {:.0} |",
        one_clerk.as_secs_f64(),
        rate(commits, one_clerk)
    );
    for (clerks, took) in &at_once {
        println!(
            "| case transitions, {clerks} clerks at once (each clerk's cases in turn) | {commits} | {:.2} | {:.0} |",
            took.as_secs_f64(),
            rate(commits, *took)
        );
    }
    println!(
        "\nOne clerk's transitions run at {:.0}% of the raw commit rate (target ≥ 50%).",
        100.0 * rate(commits, one_clerk) / rate(commits, baseline),
    );
    if args.queue_cases > 0 {
        queues(store.as_ref(), url, args.queue_cases, args.queries).await?;
    }
    store.close().await;
    Ok(())
}

async fn raw_commits(raw: &Raw, n: u64) -> anyhow::Result<Duration> {
    macro_rules! commits {
        ($pool:expr) => {{
            sqlx::query("CREATE TABLE bench_commit (id BIGINT PRIMARY KEY, payload TEXT NOT NULL)")
                .execute($pool)
                .await?;
            let started = Instant::now();
            for id in 0..n as i64 {
                let mut tx = $pool.begin().await?;
                sqlx::query("INSERT INTO bench_commit (id, payload) VALUES ($1, $2)")
                    .bind(id)
                    .bind("a case transition's worth of text")
                    .execute(&mut *tx)
                    .await?;
                tx.commit().await?;
            }
            let elapsed = started.elapsed();
            sqlx::query("DROP TABLE bench_commit")
                .execute($pool)
                .await?;
            elapsed
        }};
    }
    Ok(match raw {
        Raw::Sqlite(pool) => commits!(pool),
        Raw::Postgres(pool) => commits!(pool),
    })
}

/// The no-violation certificate cases the benchmark opens and moves: their workflow, the
/// holiday calendar, today and their applicant.
struct NoViolationCases {
    definition: Definition,
    calendar: HolidayCalendar,
    today: JalaliDate,
    applicant: NationalId,
}

const OWNER: Role = Role::CertificateDrafting;

impl NoViolationCases {
    fn new() -> anyhow::Result<NoViolationCases> {
        let registry = daftar_core::workflow::built_in().map_err(|e| anyhow::anyhow!("{e:?}"))?;
        Ok(NoViolationCases {
            definition: registry
                .latest("no_violation_certificate")
                .context("the no-violation workflow is built in")?
                .clone(),
            calendar: HolidayCalendar::built_in(),
            today: JalaliDate::from_timestamp(jiff::Timestamp::now()),
            applicant: NationalId::parse("0499370899")?,
        })
    }

    /// Opens `n` cases of the no-violation certificate (set-up, not measured).
    async fn open_cases(
        &self,
        store: &dyn Store,
        first: u64,
        n: u64,
    ) -> anyhow::Result<Vec<(CaseId, Position)>> {
        let definition = &self.definition;
        let mut cases = Vec::new();
        for i in first..first + n {
            let position = definition.start_position();
            let due = definition
                .due_date(&position, self.today, &self.calendar)
                .unwrap_or(self.today);
            let id = store
                .open_case(
                    &NewCase {
                        complaint: None,
                        tracking_code: daftar_core::cases::TrackingCode::from_random(i).to_string(),
                        service_id: "10010101015th01".into(),
                        workflow_id: definition.id.clone(),
                        workflow_version: definition.version,
                        applicant: Some(self.applicant.clone()),
                        applicant_verified: true,
                        acting_for: None,
                        office: office(),
                        district: Some(1),
                        renewal_code: None,
                        state: position.state.clone(),
                        position_json: serde_json::to_string(&position)?,
                        fields_json: "{}".into(),
                        sla_due: Some(due),
                    },
                    &self.tasks(&position, due),
                    &NewHistory {
                        actor: Actor::Applicant,
                        action: "apply".into(),
                        from_state: None,
                        to_state: position.state.clone(),
                        comment: None,
                        changes: None,
                    },
                    &[],
                    &[],
                    jiff::Timestamp::now(),
                )
                .await?;
            cases.push((id, position));
        }
        Ok(cases)
    }

    fn tasks(&self, position: &Position, due: JalaliDate) -> Vec<NewTask> {
        self.definition
            .tasks(OWNER, position)
            .into_iter()
            .map(|t| NewTask {
                role: t.role,
                state: position.state.clone(),
                sla_due: due,
                assignee: None,
            })
            .collect()
    }

    /// Takes one case through three actions, as the server does each: the engine
    /// decides, one store call writes. Book the inspection, record it, the head approves.
    async fn move_case(
        &self,
        store: &dyn Store,
        id: CaseId,
        start: Position,
    ) -> anyhow::Result<()> {
        let steps: [(&[Role], &str); 3] = [
            (&[Role::CertificateDrafting], "book_inspection"),
            (&[Role::Inspection], "record_inspection"),
            (&[Role::OfficeHead], "head_approves"),
        ];
        let mut position = start;
        for (version, (roles, action)) in (1_i64..).zip(steps) {
            let step = self
                .definition
                .decide(
                    OWNER,
                    &position,
                    WorkflowActor::Staff(roles),
                    &Attempt {
                        action,
                        fields: vec!["inspection_date", "built_area_m2"],
                        documents: vec![],
                        comment: None,
                        decision: None,
                        work: Vec::new(),
                    },
                )
                .map_err(|e| anyhow::anyhow!("{action}: {e}"))?;
            let due = self
                .definition
                .due_date(&step.position, self.today, &self.calendar)
                .unwrap_or(self.today);
            store
                .apply_transition(
                    &Transition {
                        case: id,
                        expected_version: version,
                        state: step.position.state.clone(),
                        position_json: serde_json::to_string(&step.position)?,
                        fields_json: None,
                        sla_due: Some(due),
                        closed: step.outcome.is_some(),
                        tasks: self.tasks(&step.position, due),
                        history: NewHistory {
                            actor: Actor::System,
                            action: (*action).into(),
                            from_state: Some(step.from.clone()),
                            to_state: step.position.state.clone(),
                            comment: None,
                            changes: None,
                        },
                        previous_history_hash: None,
                        notifications: vec![NewNotification {
                            to: Recipient::Citizen(self.applicant.clone()),
                            text: format!("status: {}", step.position.state),
                        }],
                        documents: vec![],
                        bills: vec![],
                        cancel_unpaid_bills: false,
                        cancel_any_unpaid_bills: false,
                        issued: Vec::new(),
                    },
                    jiff::Timestamp::now(),
                )
                .await?;
            position = step.position;
        }
        Ok(())
    }
}

/// Opens `n` cases (not timed), then times `clerks` clerks moving them, each taking
/// their share of the cases one after the other.
async fn transitions(
    store: &dyn Store,
    office: &NoViolationCases,
    first: u64,
    n: u64,
    clerks: u64,
) -> anyhow::Result<Duration> {
    let cases = office.open_cases(store, first, n).await?;
    let clerks = clerks.max(1);
    let mut shares: Vec<Vec<(CaseId, Position)>> = (0..clerks).map(|_| Vec::new()).collect();
    for (i, case) in cases.into_iter().enumerate() {
        shares[i % clerks as usize].push(case);
    }
    let started = Instant::now();
    futures_util::future::try_join_all(shares.into_iter().map(|share| async move {
        for (id, start) in share {
            office.move_case(store, id, start).await?;
        }
        anyhow::Ok(())
    }))
    .await?;
    Ok(started.elapsed())
}

const ROLES: [Role; 8] = [
    Role::Formation,
    Role::Inspection,
    Role::ViolationReview,
    Role::PlanApproval,
    Role::CertificateDrafting,
    Role::PermitDrafting,
    Role::OfficeHead,
    Role::OfficeManager,
];

/// Writes `n` open cases with one task each straight into the tables (set-up, not
/// measured), then times `queries` queue listings: a random role's first page, with no
/// filter, a service, a district, or overdue only.
async fn queues(store: &dyn Store, url: &str, n: u64, queries: usize) -> anyhow::Result<()> {
    let raw = Raw::open(url).await?;
    let setup = Instant::now();
    macro_rules! fill {
        ($pool:expr, $db:ty) => {{
            let mut rng = rand::rngs::StdRng::seed_from_u64(1405);
            let first: i64 = sqlx::query_scalar("SELECT COALESCE(MAX(id), 0) + 1 FROM cases")
                .fetch_one($pool)
                .await?;
            let chunk = 2000_u64;
            let mut done = 0_u64;
            while done < n {
                let count = chunk.min(n - done);
                let mut tx = $pool.begin().await?;
                let mut cases = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO cases (id, tracking_code, service_id, workflow_id, workflow_version,
                     applicant_national_id, office_code, district, state, position, fields, version,
                     sla_due, created_at, updated_at) ",
                );
                let rows: Vec<(i64, String, u16, Role, String)> = (0..count)
                    .map(|i| {
                        let id = first + (done + i) as i64;
                        let service = format!("100101010{:02}th01", rng.random_range(1..31));
                        let district = rng.random_range(1..23_u16);
                        let role = ROLES[rng.random_range(0..ROLES.len())];
                        let due = format!("1405-{:02}-{:02}", rng.random_range(1..13), rng.random_range(1..30));
                        (id, service, district, role, due)
                    })
                    .collect();
                cases.push_values(&rows, |mut row, (id, service, district, _, due)| {
                    row.push_bind(*id)
                        .push_bind(format!("9{id:011}"))
                        .push_bind(service.clone())
                        .push_bind("single_review")
                        .push_bind(1_i64)
                        .push_bind("0499370899")
                        .push_bind("0101")
                        .push_bind(i64::from(*district))
                        .push_bind("review")
                        .push_bind("{\"state\":\"review\"}")
                        .push_bind("{}")
                        .push_bind(1_i64)
                        .push_bind(due.clone())
                        .push_bind(0_i64)
                        .push_bind(0_i64);
                });
                cases.build().execute(&mut *tx).await?;
                let mut tasks = sqlx::QueryBuilder::<$db>::new(
                    "INSERT INTO case_tasks (case_id, role, state, office_code, service_id, district,
                     sla_due, created_at) ",
                );
                tasks.push_values(&rows, |mut row, (id, service, district, role, due)| {
                    row.push_bind(*id)
                        .push_bind(role.slug())
                        .push_bind("review")
                        .push_bind("0101")
                        .push_bind(service.clone())
                        .push_bind(i64::from(*district))
                        .push_bind(due.clone())
                        .push_bind(0_i64);
                });
                tasks.build().execute(&mut *tx).await?;
                tx.commit().await?;
                done += count;
            }
        }};
    }
    // The steady state of a working office: statistics gathered, and on PostgreSQL the
    // visibility map set (as autovacuum does), so counts read the index alone.
    match &raw {
        Raw::Sqlite(pool) => {
            fill!(pool, sqlx::Sqlite);
            sqlx::query("ANALYZE").execute(pool).await?;
        }
        Raw::Postgres(pool) => {
            fill!(pool, sqlx::Postgres);
            sqlx::query("VACUUM ANALYZE").execute(pool).await?;
        }
    }
    raw.close().await;
    eprintln!(
        "Wrote {n} open cases in {:.1} s.",
        setup.elapsed().as_secs_f64()
    );

    let today = JalaliDate::new(1405, 6, 15)?;
    let mut rng = rand::rngs::StdRng::seed_from_u64(7);
    let mut times = Vec::with_capacity(queries);
    let mut listed = 0_u64;
    for i in 0..queries {
        let mut query = QueueQuery {
            viewer: None,
            role: Some(ROLES[rng.random_range(0..ROLES.len())]),
            offices: vec![office()],
            assignee: None,
            service_id: None,
            district: None,
            overdue_only: false,
            search: None,
            order: QueueOrder::Due,
            descending: false,
            limit: 50,
            offset: 0,
        };
        match i % 4 {
            1 => query.service_id = Some(format!("100101010{:02}th01", rng.random_range(1..31))),
            2 => query.district = Some(rng.random_range(1..23)),
            3 => query.overdue_only = true,
            _ => {}
        }
        let started = Instant::now();
        let page = store.queue(&query, today).await?;
        times.push(started.elapsed());
        listed += page.items.len() as u64;
    }
    times.sort();
    let at = |q: f64| times[((times.len() as f64 * q) as usize).min(times.len() - 1)];
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    println!("\n| queue listing over {n} open cases | p50 ms | p90 ms | p99 ms | max ms |");
    println!("|---|---:|---:|---:|---:|");
    println!(
        "| {queries} listings (a role's first page of 50 with its counts; by turns no filter, a service, a district, overdue only) | {:.2} | {:.2} | {:.2} | {:.2} |",
        ms(at(0.5)),
        ms(at(0.9)),
        ms(at(0.99)),
        ms(*times.last().unwrap_or(&Duration::ZERO))
    );
    println!("\n{listed} rows listed; target p99 ≤ 20 ms.");
    Ok(())
}
