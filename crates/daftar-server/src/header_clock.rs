//! The clock hyper's header timeout (`--header-timeout-secs`) runs on: one per connection, with
//! one Tokio timer that is moved only when it must be.
//!
//! hyper arms its header timeout for every request head: on a kept-alive connection it
//! asks the [`Timer`] for a new sleep after each head, polls it while waiting for the next
//! one, and drops it when the head has arrived. With hyper-util's `TokioTimer`, each of
//! those sleeps is a Tokio timer entry of its own, inserted into the runtime's timer wheel
//! and taken out again under the wheel's lock: on the public look-up that was most of the
//! edge's cost (docs/PERFORMANCE.md, runs F and K).
//!
//! Here the sleeps hyper gets are only deadlines. The connection's one Tokio timer (its
//! *alarm*) is left where it is as long as it rings no later than the deadline being
//! waited for: when it rings early, the deadline is checked and the alarm set again. So a
//! busy connection moves its alarm about once per timeout, not once per request, and a
//! half-sent head still ends on time: the alarm never rings after the deadline. The
//! timeout itself stays hyper's (`header_read_timeout`), as does every decision about it;
//! only the waiting is done differently.

use std::future::Future;
use std::pin::Pin;
use std::sync::{Arc, Mutex, PoisonError};
use std::task::{Context, Poll, Waker};
use std::time::{Duration, Instant};

use hyper::rt::{Sleep, Timer};

/// A connection's clock; give each connection its own ([`HeaderClock::new`]): its one
/// alarm wakes one connection's task.
#[derive(Default)]
pub struct HeaderClock {
    alarm: Arc<Mutex<Alarm>>,
}

impl HeaderClock {
    pub fn new() -> HeaderClock {
        HeaderClock::default()
    }
}

/// The connection's Tokio timer, made when a head first has to wait, and the task it
/// wakes.
#[derive(Default)]
struct Alarm {
    sleep: Option<Pin<Box<tokio::time::Sleep>>>,
    wakes: Option<Waker>,
}

impl Timer for HeaderClock {
    fn sleep(&self, duration: Duration) -> Pin<Box<dyn Sleep>> {
        self.sleep_until(Instant::now() + duration)
    }

    fn sleep_until(&self, deadline: Instant) -> Pin<Box<dyn Sleep>> {
        Box::pin(Deadline {
            at: deadline,
            alarm: self.alarm.clone(),
        })
    }

    fn reset(&self, sleep: &mut Pin<Box<dyn Sleep>>, new_deadline: Instant) {
        match sleep.as_mut().downcast_mut_pin::<Deadline>() {
            Some(deadline) => deadline.get_mut().at = new_deadline,
            None => *sleep = self.sleep_until(new_deadline),
        }
    }
}

/// What hyper waits on: ready once `at` has passed.
struct Deadline {
    at: Instant,
    alarm: Arc<Mutex<Alarm>>,
}

impl Sleep for Deadline {}

impl Future for Deadline {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        let wanted = tokio::time::Instant::from_std(self.at);
        let mut alarm = self.alarm.lock().unwrap_or_else(PoisonError::into_inner);
        let Alarm { sleep, wakes } = &mut *alarm;
        // The common case, a kept-alive connection waiting for its next head: the alarm is
        // set no later than this deadline, has not rung, and wakes this task. Nothing to do.
        if let (Some(sleep), Some(wakes)) = (sleep.as_ref(), wakes.as_ref())
            && !sleep.is_elapsed()
            && sleep.deadline() <= wanted
            && wakes.will_wake(cx.waker())
        {
            return Poll::Pending;
        }
        if Instant::now() >= self.at {
            return Poll::Ready(());
        }
        let sleep = sleep.get_or_insert_with(|| Box::pin(tokio::time::sleep_until(wanted)));
        // An alarm set for later than this deadline would ring too late: bring it forward.
        if sleep.deadline() > wanted {
            sleep.as_mut().reset(wanted);
        }
        let polled = match sleep.as_mut().poll(cx) {
            Poll::Pending => Poll::Pending,
            // It rang for this deadline.
            Poll::Ready(()) if sleep.deadline() >= wanted => Poll::Ready(()),
            // It rang for an earlier head's deadline, which this one has replaced.
            Poll::Ready(()) => {
                sleep.as_mut().reset(wanted);
                sleep.as_mut().poll(cx)
            }
        };
        // Out of the task's budget, Tokio answers Pending without setting the alarm (its
        // budget is then spent): the next poll must not take the alarm for set.
        if polled.is_pending() && tokio::task::coop::has_budget_remaining() {
            if !wakes.as_ref().is_some_and(|w| w.will_wake(cx.waker())) {
                *wakes = Some(cx.waker().clone());
            }
        } else {
            *wakes = None;
        }
        polled
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Waits for `deadline` on `clock`; a wait that never ends fails the test.
    async fn wait(clock: &HeaderClock, deadline: Instant) -> Instant {
        tokio::time::timeout(Duration::from_secs(5), clock.sleep_until(deadline))
            .await
            .expect("the deadline ended the wait");
        Instant::now()
    }

    #[tokio::test]
    async fn a_deadline_is_kept_when_the_alarm_was_set_for_a_later_one() {
        let clock = HeaderClock::new();
        let start = Instant::now();
        // Waited on once, far off, so the alarm is set for then.
        let far = clock.sleep_until(start + Duration::from_secs(60));
        let polled = tokio::time::timeout(Duration::from_millis(10), far).await;
        assert!(
            polled.is_err(),
            "a deadline a minute away is not ready at once"
        );
        let ended = wait(&clock, start + Duration::from_millis(150)).await;
        let waited = ended - start;
        assert!(
            waited >= Duration::from_millis(150) && waited < Duration::from_millis(1_000),
            "the nearer deadline ended the wait on time: {waited:?}"
        );
    }

    #[tokio::test]
    async fn an_alarm_that_rings_for_an_earlier_deadline_does_not_end_a_later_one() {
        let clock = HeaderClock::new();
        let start = Instant::now();
        // The first head waited with a near deadline, then arrived.
        let near = clock.sleep_until(start + Duration::from_millis(50));
        let polled = tokio::time::timeout(Duration::from_millis(5), near).await;
        assert!(polled.is_err());
        // The next head's deadline is later; the alarm still rings at the first's.
        let ended = wait(&clock, start + Duration::from_millis(300)).await;
        let waited = ended - start;
        assert!(
            waited >= Duration::from_millis(300) && waited < Duration::from_millis(1_500),
            "the later deadline ended the wait on time, not at the alarm's: {waited:?}"
        );
    }

    #[tokio::test]
    async fn a_reset_deadline_counts_and_a_past_one_is_ready() {
        let clock = HeaderClock::new();
        let mut sleep = clock.sleep_until(Instant::now() + Duration::from_secs(60));
        clock.reset(&mut sleep, Instant::now() + Duration::from_millis(100));
        let start = Instant::now();
        tokio::time::timeout(Duration::from_secs(5), sleep)
            .await
            .expect("the reset deadline ended the wait");
        assert!(start.elapsed() >= Duration::from_millis(90));
        let past = clock.sleep_until(Instant::now() - Duration::from_millis(1));
        assert!(
            tokio::time::timeout(Duration::from_millis(1), past)
                .await
                .is_ok()
        );
    }
}
