//! Where the public look-ups read: a streaming replica when one is configured, answering
//! and close enough behind, else the primary.
//!
//! Only look-ups made without signing in may go to the replica (bill tracking, clearance
//! and document verification, case status by code, survey results): whoever is signed in
//! may just have written, and reads what they wrote from the primary. [`PublicReads::watch`]
//! asks the replica every second how far behind it is; a replica that does not answer,
//! is no longer replaying, or lags past the configured bound is left until it catches up,
//! and a look-up it fails is asked of the primary at once.

use std::collections::VecDeque;
use std::future::Future;
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

use daftar_store::{ReadReplica, Store, StoreError};

/// Where a look-up would rather read.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ReadFrom {
    /// What the reader may have just written: the primary, always.
    Primary,
    /// The replica, when it is fit to answer.
    Replica,
}

/// How often the replica's lag is read.
pub const WATCH_EVERY: Duration = Duration::from_secs(1);
/// How long a look-up or a check waits on the replica before the primary is asked: a
/// connection half open after a network fault would otherwise hold every look-up.
const REPLICA_TIMEOUT: Duration = Duration::from_secs(2);

/// Whether a look-up's answer found something. A replica behind the primary may not have
/// what a visitor has just made (an anonymous complaint, a clearance just issued), so
/// what it does not find is asked of the primary too; not finding is rare, and limited.
pub trait Found {
    fn found(&self) -> bool;
}

impl<T> Found for Option<T> {
    fn found(&self) -> bool {
        self.is_some()
    }
}

impl<T> Found for Vec<T> {
    fn found(&self) -> bool {
        !self.is_empty()
    }
}

/// Results of a whole month (the survey's): always an answer.
impl<A, B, C> Found for (A, B, C) {
    fn found(&self) -> bool {
        true
    }
}

/// The stores public look-ups read from, seen as `S` (the whole [`Store`], or the one
/// capability a service holds).
pub struct PublicReads<S: ?Sized = dyn Store> {
    primary: Arc<S>,
    replica: Option<(Arc<S>, Arc<Replica>)>,
}

/// The replica's connections and what is known of it, shared by every service's view.
struct Replica {
    link: ReadReplica,
    max_lag: Duration,
    /// Whether look-ups go there now: set by the watch, cleared by a failed look-up.
    usable: AtomicBool,
    lag: Mutex<LagClock>,
    /// The last lag measured, in milliseconds (`u64::MAX` before the first, or while
    /// the replica does not answer).
    lag_ms: AtomicU64,
    from_replica: AtomicU64,
    to_primary_instead: AtomicU64,
}

impl<S: ?Sized> Clone for PublicReads<S> {
    fn clone(&self) -> Self {
        PublicReads {
            primary: self.primary.clone(),
            replica: self.replica.clone(),
        }
    }
}

impl<S: ?Sized> std::fmt::Debug for PublicReads<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("PublicReads")
            .field("replica", &self.replica.is_some())
            .finish_non_exhaustive()
    }
}

/// What the metrics report about the replica.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct ReplicaReport {
    /// Whether public look-ups go to the replica now.
    pub usable: bool,
    /// How far behind the primary it was when last asked, in seconds; `None` when it
    /// did not answer or is not replaying.
    pub lag_seconds: Option<f64>,
    /// Look-ups the replica answered.
    pub from_replica: u64,
    /// Look-ups that would have gone to the replica and went to the primary instead.
    pub to_primary_instead: u64,
}

impl PublicReads {
    /// Look-ups may read `replica` while it lags at most `max_lag`. It is not used until
    /// [`Self::watch`] has found it fit.
    pub fn with_replica(
        primary: Arc<dyn Store>,
        replica: ReadReplica,
        max_lag: Duration,
    ) -> PublicReads {
        PublicReads {
            primary,
            replica: Some((
                replica.store(),
                Arc::new(Replica {
                    link: replica,
                    max_lag,
                    usable: AtomicBool::new(false),
                    lag: Mutex::new(LagClock::default()),
                    lag_ms: AtomicU64::new(u64::MAX),
                    from_replica: AtomicU64::new(0),
                    to_primary_instead: AtomicU64::new(0),
                }),
            )),
        }
    }

    /// The same stores, seen as the capability a service holds
    /// (`|store| store as Arc<dyn CaseStore>`).
    pub fn narrow<T: ?Sized>(&self, narrow: impl Fn(Arc<dyn Store>) -> Arc<T>) -> PublicReads<T> {
        PublicReads {
            primary: narrow(self.primary.clone()),
            replica: self
                .replica
                .as_ref()
                .map(|(store, replica)| (narrow(store.clone()), replica.clone())),
        }
    }

    /// Asks the replica how far behind it is, once now and then every [`WATCH_EVERY`],
    /// for as long as the process runs (without a replica, returns at once).
    pub async fn watch(self) {
        let Some((_, replica)) = self.replica else {
            return;
        };
        let mut ticks = tokio::time::interval(WATCH_EVERY);
        ticks.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
        loop {
            ticks.tick().await;
            replica.check().await;
        }
    }
}

impl<S: ?Sized> PublicReads<S> {
    /// Every look-up reads the primary.
    pub fn primary_only(primary: Arc<S>) -> PublicReads<S> {
        PublicReads {
            primary,
            replica: None,
        }
    }

    /// Reads with `read` from the store `from` asks for when it is fit, else from the
    /// primary. A replica that fails the read is left until the watch finds it fit again,
    /// and the read is made on the primary.
    ///
    /// The store is lent, not cloned: every public look-up of both cores would otherwise
    /// count up and down the one shared `Arc`, whose cache line they pass between them.
    pub async fn read<'s, T, F, Fut>(&'s self, from: ReadFrom, read: F) -> Result<T, StoreError>
    where
        T: Found,
        F: Fn(&'s S) -> Fut,
        Fut: Future<Output = Result<T, StoreError>>,
    {
        let Some((store, replica)) = self.replica.as_ref().filter(|_| from == ReadFrom::Replica)
        else {
            return read(&self.primary).await;
        };
        if replica.usable.load(Ordering::Relaxed) {
            match tokio::time::timeout(REPLICA_TIMEOUT, read(store)).await {
                Ok(Ok(answer)) if answer.found() => {
                    replica.from_replica.fetch_add(1, Ordering::Relaxed);
                    return Ok(answer);
                }
                // Not there: perhaps not there yet. The primary says.
                Ok(Ok(_)) => {}
                Ok(Err(error)) => replica.leave(&error.to_string()),
                Err(_) => replica.leave("no answer within two seconds"),
            }
        }
        replica.to_primary_instead.fetch_add(1, Ordering::Relaxed);
        read(&self.primary).await
    }

    /// The replica's state for the metrics, when there is a replica.
    pub fn report(&self) -> Option<ReplicaReport> {
        let (_, replica) = self.replica.as_ref()?;
        let lag_ms = replica.lag_ms.load(Ordering::Relaxed);
        Some(ReplicaReport {
            usable: replica.usable.load(Ordering::Relaxed),
            lag_seconds: (lag_ms != u64::MAX).then(|| lag_ms as f64 / 1000.0),
            from_replica: replica.from_replica.load(Ordering::Relaxed),
            to_primary_instead: replica.to_primary_instead.load(Ordering::Relaxed),
        })
    }

    /// Reads the replica's lag once; for the watch and for tests.
    pub async fn check_replica(&self) {
        if let Some((_, replica)) = &self.replica {
            replica.check().await;
        }
    }
}

/// What a check found of the replica.
enum Measured {
    /// Replaying, this far behind.
    Behind(Duration),
    /// Replaying, but not yet past a position noted since it was first asked: how far
    /// behind it is cannot be told yet.
    Unknown,
    /// Answering, but not replaying: promoted, or never a replica.
    NotReplaying,
    /// Not answering (or the primary not answering), and why.
    Failed(String),
}

impl Replica {
    /// Leaves the replica until the next check finds it fit.
    fn leave(&self, why: &str) {
        if self.usable.swap(false, Ordering::Relaxed) {
            tracing::warn!(
                error = why,
                "The read replica failed a look-up; reading the primary until it answers again."
            );
        }
    }

    async fn measure(&self) -> Measured {
        // The primary's position first, and noted even when the replica then does not
        // answer: a replica back from an outage is measured from what it missed.
        let primary =
            match tokio::time::timeout(REPLICA_TIMEOUT, self.link.primary_position()).await {
                Ok(Ok(position)) => position,
                Ok(Err(error)) => return Measured::Failed(format!("the primary: {error}")),
                Err(_) => return Measured::Failed("the primary did not answer".into()),
            };
        self.lag
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .note(Instant::now(), primary);
        let replayed = match tokio::time::timeout(REPLICA_TIMEOUT, self.link.replayed()).await {
            Ok(Ok(Some(replayed))) => replayed,
            Ok(Ok(None)) => return Measured::NotReplaying,
            Ok(Err(error)) => return Measured::Failed(error.to_string()),
            Err(_) => return Measured::Failed("no answer within two seconds".into()),
        };
        match self
            .lag
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .observe(Instant::now(), replayed)
        {
            Some(lag) => Measured::Behind(lag),
            None => Measured::Unknown,
        }
    }

    async fn check(&self) {
        let measured = self.measure().await;
        let (lag, fit) = match &measured {
            Measured::Behind(lag) => (Some(*lag), *lag <= self.max_lag),
            _ => (None, false),
        };
        self.lag_ms.store(
            lag.map_or(u64::MAX, |lag| lag.as_millis() as u64),
            Ordering::Relaxed,
        );
        let was = self.usable.swap(fit, Ordering::Relaxed);
        if was != fit {
            match (fit, &measured) {
                (true, _) => tracing::info!(
                    "The read replica answers and is close behind; public look-ups read it."
                ),
                (false, Measured::Behind(lag)) => tracing::warn!(
                    lag_seconds = lag.as_secs_f64(),
                    "The read replica lags past its bound; public look-ups read the primary."
                ),
                (false, Measured::Unknown) => {}
                (false, Measured::NotReplaying) => tracing::warn!(
                    "The read replica is not replaying the primary (promoted, or not a replica); public look-ups read the primary."
                ),
                (false, Measured::Failed(error)) => {
                    tracing::warn!(
                        error,
                        "The read replica does not answer; public look-ups read the primary."
                    )
                }
            }
        }
    }
}

/// How long ago the replica last had everything the primary had, measured from the
/// primary's WAL positions as they were seen: each check notes the primary's position,
/// and the lag is the age of the oldest noted position the replica has not yet replayed
/// (none: it is caught up). An idle primary makes no lag, however long ago the last write
/// was, which a replay timestamp alone would count. Until the replica has passed one
/// noted position its lag is unknown: it may be hours behind the first one noted.
#[derive(Debug, Default)]
struct LagClock {
    noted: VecDeque<(Instant, u64)>,
    known: bool,
}

/// A replica that stays behind is measured by its oldest noted position; the ones noted
/// after it only matter once it has passed it, so past this many only the newest is kept.
const NOTED_AT_MOST: usize = 4096;

impl LagClock {
    /// Notes the primary's position at `now`.
    fn note(&mut self, now: Instant, primary: u64) {
        if self.noted.back().is_none_or(|&(_, last)| last < primary) {
            if self.noted.len() >= NOTED_AT_MOST {
                self.noted.remove(1);
            }
            self.noted.push_back((now, primary));
        }
    }

    /// The lag of a replica that has replayed up to `replayed`, if it can be told.
    fn observe(&mut self, now: Instant, replayed: u64) -> Option<Duration> {
        while self
            .noted
            .front()
            .is_some_and(|&(_, position)| position <= replayed)
        {
            self.noted.pop_front();
            self.known = true;
        }
        self.known.then(|| {
            self.noted
                .front()
                .map_or(Duration::ZERO, |&(at, _)| now.duration_since(at))
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(clock: &mut LagClock, at: Instant, primary: u64, replayed: u64) -> Option<Duration> {
        clock.note(at, primary);
        clock.observe(at, replayed)
    }

    #[test]
    fn a_replica_that_has_replayed_what_the_primary_had_lags_nothing() {
        let start = Instant::now();
        let mut clock = LagClock::default();
        assert_eq!(seen(&mut clock, start, 100, 100), Some(Duration::ZERO));
        // The primary idle for a minute: still nothing, though the last write is old.
        let later = start + Duration::from_secs(60);
        assert_eq!(seen(&mut clock, later, 100, 100), Some(Duration::ZERO));
    }

    #[test]
    fn a_replica_first_found_behind_has_no_known_lag_until_it_passes_a_noted_position() {
        let start = Instant::now();
        let mut clock = LagClock::default();
        // It may be hours behind 100: nothing says how far.
        assert_eq!(seen(&mut clock, start, 100, 90), None);
        let second = start + Duration::from_secs(1);
        assert_eq!(seen(&mut clock, second, 200, 95), None);
        // Past 100, not 200: counted from when 200 was seen.
        let third = start + Duration::from_secs(3);
        assert_eq!(
            seen(&mut clock, third, 300, 150),
            Some(Duration::from_secs(2))
        );
        let fourth = start + Duration::from_secs(4);
        assert_eq!(seen(&mut clock, fourth, 300, 300), Some(Duration::ZERO));
    }

    #[test]
    fn positions_noted_while_the_replica_was_down_measure_it_when_it_is_back() {
        let start = Instant::now();
        let mut clock = LagClock::default();
        assert_eq!(seen(&mut clock, start, 100, 100), Some(Duration::ZERO));
        // Down for ten seconds: only the primary's positions are noted.
        for second in 1..=10 {
            clock.note(start + Duration::from_secs(second), 100 + second * 10);
        }
        // Back, but replayed only to where it was when it went down.
        let back = start + Duration::from_secs(11);
        assert_eq!(clock.observe(back, 100), Some(Duration::from_secs(10)));
    }

    #[test]
    fn a_replica_stuck_for_long_keeps_its_oldest_position() {
        let start = Instant::now();
        let mut clock = LagClock::default();
        assert_eq!(seen(&mut clock, start, 5, 5), Some(Duration::ZERO));
        for second in 0..(NOTED_AT_MOST as u64 * 2) {
            clock.note(start + Duration::from_secs(second), 10 + second);
        }
        let now = start + Duration::from_secs(NOTED_AT_MOST as u64 * 2);
        assert_eq!(clock.observe(now, 5), Some(now.duration_since(start)));
        assert!(clock.noted.len() <= NOTED_AT_MOST);
    }
}
