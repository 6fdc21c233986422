//! The public look-up limit, counted in the database: it holds however a client's
//! look-ups are spread over instances, over any sliding minute.

mod support;

use std::net::IpAddr;
use std::sync::Arc;

use daftar_app::lookup_limit::{LookupLimit, Verdict};
use daftar_store::Store;
use jiff::{SignedDuration, Timestamp};

with_both_databases!(
    the_look_up_after_the_limit_is_refused_and_others_still_pass,
    a_client_spread_over_instances_gets_the_limit_once_not_per_instance,
    a_burst_at_the_end_of_a_minute_still_counts_early_in_the_next,
    the_limit_clears_after_two_quiet_minutes_and_old_counts_are_forgotten,
);

const A: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 1));
const B: IpAddr = IpAddr::V4(std::net::Ipv4Addr::new(203, 0, 113, 2));

/// A moment `seconds` into a minute.
fn at(minute: i64, seconds: i64) -> Timestamp {
    Timestamp::from_second(1_800_000_000 / 60 * 60 + minute * 60 + seconds).unwrap()
}

async fn allowed(limit: &LookupLimit, client: IpAddr, now: Timestamp, times: usize) -> usize {
    let mut allowed = 0;
    for _ in 0..times {
        if limit.check(client, now).await == Verdict::Allowed {
            allowed += 1;
        }
    }
    allowed
}

async fn the_look_up_after_the_limit_is_refused_and_others_still_pass(store: Arc<dyn Store>) {
    let limit = LookupLimit::new(3, store);
    let now = at(0, 10);
    assert_eq!(allowed(&limit, A, now, 3).await, 3);
    assert_eq!(
        limit.check(A, now).await,
        Verdict::Refused {
            retry_after: at(1, 0)
        },
        "refused until the minute turns"
    );
    assert_eq!(allowed(&limit, B, now, 3).await, 3, "B has its own count");
}

async fn a_client_spread_over_instances_gets_the_limit_once_not_per_instance(
    store: Arc<dyn Store>,
) {
    // Three instances, their own memory, one database; limit 60 (leases of 6).
    let instances: Vec<LookupLimit> = (0..3)
        .map(|_| LookupLimit::new(60, store.clone()))
        .collect();
    let now = at(0, 30);
    let mut let_through = 0;
    for round in 0..100 {
        if instances[round % 3].check(A, now).await == Verdict::Allowed {
            let_through += 1;
        }
    }
    // The limit once, not once per instance: taking turns, each instance spends the
    // leases it claimed before the limit is reached, so none is left holding any back.
    assert_eq!(let_through, 60, "{let_through} look-ups let through");
    // One instance alone spends the whole limit.
    let alone = LookupLimit::new(60, store);
    assert_eq!(allowed(&alone, B, now, 100).await, 60);
}

async fn a_burst_at_the_end_of_a_minute_still_counts_early_in_the_next(store: Arc<dyn Store>) {
    let limit = LookupLimit::new(10, store);
    assert_eq!(allowed(&limit, A, at(0, 59), 10).await, 10);
    // One second into the next minute, the ten still weigh almost fully.
    assert_eq!(allowed(&limit, A, at(1, 1), 5).await, 0);
    // Half-way through it, half of them do.
    assert_eq!(allowed(&limit, A, at(1, 30), 10).await, 5);
}

async fn the_limit_clears_after_two_quiet_minutes_and_old_counts_are_forgotten(
    store: Arc<dyn Store>,
) {
    let limit = LookupLimit::new(2, store.clone());
    assert_eq!(allowed(&limit, A, at(0, 0), 3).await, 2);
    assert_eq!(allowed(&limit, A, at(2, 0), 2).await, 2);
    let forgotten = limit.forget_old_counts(at(2, 0)).await.unwrap();
    assert_eq!(forgotten, 1, "minute 0 goes; minute 2 stays");
    let again = LookupLimit::new(2, store);
    assert_eq!(
        allowed(&again, A, at(2, 0) + SignedDuration::from_secs(1), 1).await,
        0,
        "the count of this minute is kept, for every instance"
    );
}
