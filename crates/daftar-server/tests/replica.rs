//! A read replica for the public (`--database-read-url`), against a real PostgreSQL
//! streaming replica made by the test with `pg_basebackup`: anonymous look-ups read it,
//! signed-in ones read the primary, and when it falls behind its bound, stops replaying
//! or goes down, the look-ups read the primary and say so in the counts. PostgreSQL only:
//! SQLite has no replicas, and `serve` refuses the flag over it (tests in `daftar`).

mod pg_replica;
mod support;

use std::time::{Duration, Instant};

use axum::http::StatusCode;
use daftar_app::replica::{PublicReads, ReplicaReport};
use daftar_server::AppState;
use daftar_store::ReadReplica;
use pg_replica::PgCluster;
use serde_json::Value;
use support::{TestApp, applied};

const PERMIT: &str = "10010101018th01";
const CITIZEN: (&str, &str) = ("0499370899", "09120000001");

/// The office of `primary`, its public look-ups reading `reads`.
fn public_over(primary: &TestApp, reads: PublicReads) -> TestApp {
    TestApp {
        state: AppState::with_reads(primary.state.config.clone(), primary.store.clone(), reads)
            .unwrap(),
        store: primary.store.clone(),
        data_dir: tempfile::tempdir().unwrap(),
    }
}

/// The replica of `primary`'s database, trusted while at most `max_lag` behind.
async fn reads_of(primary: &TestApp, replica: &PgCluster, max_lag: Duration) -> PublicReads {
    let database = primary.state.config.database_url();
    let name = database.rsplit('/').next().unwrap();
    let link = ReadReplica::open(&format!("{}/{name}", replica.server), &database)
        .await
        .unwrap();
    PublicReads::with_replica(primary.store.clone(), link, max_lag)
}

fn report(reads: &PublicReads) -> ReplicaReport {
    reads.report().expect("a replica is configured")
}

/// Asks the replica until it holds the case with `code` (it replays within a second).
async fn replicated(replica: &PgCluster, database: &str, code: &str) {
    let pool = sqlx::PgPool::connect(&format!("{}/{database}", replica.server))
        .await
        .unwrap();
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let (found,): (bool,) =
            sqlx::query_as("SELECT EXISTS (SELECT 1 FROM cases WHERE tracking_code = $1)")
                .bind(code)
                .fetch_one(&pool)
                .await
                .unwrap();
        if found {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "the replica did not replay {code}"
        );
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    pool.close().await;
}

async fn replay(replica: &PgCluster, database: &str, paused: bool) {
    let pool = sqlx::PgPool::connect(&format!("{}/{database}", replica.server))
        .await
        .unwrap();
    let call = if paused {
        "SELECT pg_wal_replay_pause()::text"
    } else {
        "SELECT pg_wal_replay_resume()::text"
    };
    sqlx::query(call).execute(&pool).await.unwrap();
    pool.close().await;
}

/// Checks until the replica is fit: its lag known (it has replayed a position noted
/// since it was first asked) and within the bound. Other tests write to the same server
/// meanwhile, so it may take a check or two.
async fn until_usable(reads: &PublicReads) {
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        reads.check_replica().await;
        if report(reads).usable {
            return;
        }
        assert!(Instant::now() < deadline, "{:?}", report(reads));
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

fn code_of(case: &Value) -> String {
    case["tracking_code"].as_str().unwrap().to_owned()
}

#[tokio::test]
async fn postgres_public_look_ups_read_the_replica_until_it_falls_behind_or_goes_down() {
    let server = PgCluster::primary();
    let primary = TestApp::spawn_at(
        format!("{}/daftar", server.server),
        tempfile::tempdir().unwrap(),
        |_| {},
    )
    .await;
    let database = primary
        .state
        .config
        .database_url()
        .rsplit('/')
        .next()
        .unwrap()
        .to_owned();
    let replica = PgCluster::replica_of(&server);
    let citizen = primary.citizen_token(CITIZEN.0, CITIZEN.1).await;

    // A replica that keeps up answers the anonymous look-up.
    let patient = reads_of(&primary, &replica, Duration::from_secs(600)).await;
    let public = public_over(&primary, patient.clone());
    assert!(
        !report(&patient).usable,
        "not used before it is first checked"
    );
    let strict = reads_of(&primary, &replica, Duration::from_secs(1)).await;
    let strict_public = public_over(&primary, strict.clone());
    let first_case = applied(&primary, &citizen, PERMIT).await;
    let first = code_of(&first_case);
    replicated(&replica, &database, &first).await;
    until_usable(&patient).await;
    until_usable(&strict).await;
    let track = |code: &str| format!("/api/v1/cases/track/{code}");
    let answer = public.get(&track(&first), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(report(&patient).from_replica, 1);
    assert_eq!(report(&patient).to_primary_instead, 0);

    // Replay paused, the citizen withdraws the first case on the primary. The anonymous
    // look-up reads the replica (the bound is ten minutes), which still has it open:
    // proof of where it reads. The citizen, signed in, reads the primary: withdrawn.
    replay(&replica, &database, true).await;
    let withdrawn = primary
        .act(
            &citizen,
            &first_case,
            serde_json::json!({"action": "withdraw", "version": first_case["version"]}),
        )
        .await;
    assert_eq!(withdrawn.status, StatusCode::OK, "{}", withdrawn.body);
    let second = code_of(&applied(&primary, &citizen, PERMIT).await);
    strict.check_replica().await;
    let answer = public.get(&track(&first), None).await;
    assert_eq!(
        answer.json()["closed"],
        false,
        "the replica's copy: {}",
        answer.body
    );
    assert_eq!(report(&patient).from_replica, 2);
    let answer = public.get(&track(&first), Some(&citizen)).await;
    assert_eq!(
        answer.json()["closed"],
        true,
        "the primary's: {}",
        answer.body
    );
    assert_eq!(
        report(&patient).from_replica,
        2,
        "the signed-in look-up read the primary"
    );
    // A case the replica does not have yet is asked of the primary: its applicant, not
    // signed in on this device, finds the case they have just filed.
    let answer = public.get(&track(&second), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(report(&patient).from_replica, 2);
    assert_eq!(report(&patient).to_primary_instead, 1);

    // With a bound of one second, the paused replica is left once it is more than a
    // second behind, and the look-up reads the primary.
    tokio::time::sleep(Duration::from_millis(1_300)).await;
    strict.check_replica().await;
    let behind = report(&strict);
    assert!(!behind.usable, "{behind:?}");
    assert!(behind.lag_seconds.unwrap() > 1.0, "{behind:?}");
    let answer = strict_public.get(&track(&second), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(report(&strict).to_primary_instead, 1);
    assert_eq!(report(&strict).from_replica, 0);

    // Replay resumed: caught up, it answers again.
    replay(&replica, &database, false).await;
    replicated(&replica, &database, &second).await;
    until_usable(&strict).await;
    assert!(report(&strict).lag_seconds.unwrap() <= 1.0);
    let answer = strict_public.get(&track(&second), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(report(&strict).from_replica, 1);

    // The replica is killed. The look-up it fails is made on the primary at once, and
    // the replica is left until it answers again.
    replica.kill();
    let answer = public.get(&track(&first), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    let down = report(&patient);
    assert!(!down.usable, "{down:?}");
    assert_eq!(down.to_primary_instead, 2);
    patient.check_replica().await;
    let down = report(&patient);
    assert!(!down.usable && down.lag_seconds.is_none(), "{down:?}");
    let answer = public.get(&track(&first), None).await;
    assert_eq!(answer.status, StatusCode::OK, "{}", answer.body);
    assert_eq!(report(&patient).to_primary_instead, 3);
}
