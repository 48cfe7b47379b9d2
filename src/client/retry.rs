//! Retry policy as pure arithmetic: which outcomes are retried, how long to wait, when to stop.
//!
//! Deciding is separated from doing (tower's `Policy`): [`RetryPolicy::decide`] returns a
//! [`Decision`] and the client's request loop sleeps and resends. No clock and no randomness
//! inside: the caller passes `now` to [`parse_retry_after`] and `jitter` to `decide`.
//! Imports only `datetime` (for HTTP dates).

use std::time::Duration;

use crate::datetime::{civil_from_days, days_from_civil};

/// Statuses that are retried: 429 Too Many Requests, 503 Service Unavailable, 504 Gateway
/// Timeout (docs/contract.md, "HTTP"). Everything else non-2xx is final.
pub const RETRYABLE_STATUSES: &[u16] = &[429, 503, 504];

/// The largest `max_retries` a client accepts; larger values are clamped to it, so that a
/// typo such as `maxRetries: 1e9` cannot keep a request alive for hours.
pub const MAX_RETRIES_LIMIT: u32 = 10;

/// How often and how long to retry a request.
///
/// Waits are whole milliseconds. Without `Retry-After` the wait before retry `n` (0-based) is
/// "equal jitter" over an exponential ceiling: with `c = min(max_delay, base_delay * 2^n)`,
/// the wait is `c/2 + jitter * c/2`, so it is always at least half the ceiling (never an
/// immediate retry) and never more than `max_delay`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RetryPolicy {
    /// Retries after the first attempt (so at most `max_retries + 1` sends). Default 3.
    pub max_retries: u32,
    /// The back-off ceiling of the first retry. Default 1 s.
    pub base_delay: Duration,
    /// The largest back-off wait. Default 30 s.
    pub max_delay: Duration,
    /// The longest `Retry-After` the client waits out. A server asking for more stops the
    /// request at once with the error's `retryAfterMs` set, so that the caller (not a hidden
    /// sleep inside `list()`) decides when to come back. Default 120 s.
    pub max_retry_after: Duration,
    /// The most a request waits between its attempts, all waits together
    /// (`maxRetryWaitMs`). A wait that would take the total past it is not made: the
    /// request stops with the error of its last attempt (with `retryAfterMs` when the server
    /// sent one). Default 60 s.
    pub max_total_wait: Duration,
}

impl Default for RetryPolicy {
    fn default() -> Self {
        RetryPolicy {
            max_retries: 3,
            base_delay: Duration::from_secs(1),
            max_delay: Duration::from_secs(30),
            max_retry_after: Duration::from_secs(120),
            max_total_wait: Duration::from_secs(60),
        }
    }
}

/// What happened to one attempt, as far as retrying is concerned.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Outcome {
    /// A response arrived.
    Status {
        /// Its status.
        status: u16,
        /// Its `Retry-After`, already resolved to a duration ([`parse_retry_after`]).
        retry_after: Option<Duration>,
    },
    /// No response: the network failed.
    Network,
    /// No response within the per-attempt time-out. Retried like a network failure: the
    /// client only sends `GET`s, which are idempotent, and the API documents reusing the
    /// request id "on a timeout retry".
    Timeout,
}

/// What to do after an attempt.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Decision {
    /// Wait `after`, then send the same request again (same request id).
    Retry {
        /// How long to wait.
        after: Duration,
    },
    /// Do not retry; the outcome is final.
    Stop(StopReason),
}

/// Why [`RetryPolicy::decide`] said stop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum StopReason {
    /// The outcome is not retryable (a success, or a status outside [`RETRYABLE_STATUSES`]).
    NotRetryable,
    /// `max_retries` retries have been made already.
    RetriesExhausted,
    /// The server's `Retry-After` is longer than `max_retry_after`.
    RetryAfterTooLong,
    /// The wait would take the request's waits past `max_total_wait`.
    WaitBudgetSpent,
}

impl RetryPolicy {
    /// This policy with `max_retries` set to `n`, clamped to [`MAX_RETRIES_LIMIT`].
    pub fn with_max_retries(mut self, n: u32) -> Self {
        self.max_retries = n.min(MAX_RETRIES_LIMIT);
        self
    }

    /// Decides what follows an attempt. Pure: same inputs, same answer.
    ///
    /// `attempt` is the number of retries already made for this request (0 after the first
    /// send) and `waited` the time it has spent in retry waits so far; `jitter` is a number in
    /// `[0, 1)` supplied by the caller (out-of-range values and NaN are clamped into it). A
    /// `Retry-After` is honoured as sent when present (up to `max_retry_after`); otherwise the
    /// wait is [`RetryPolicy::backoff`]. A wait that would take `waited` past
    /// `max_total_wait` is not made: the request stops at once instead of sleeping.
    ///
    /// ```
    /// # use partner_referrals::client::{Decision, Outcome, RetryPolicy, StopReason};
    /// # use std::time::Duration;
    /// let policy = RetryPolicy::default();
    /// let none = Duration::ZERO;
    /// let throttled = Outcome::Status { status: 429, retry_after: Some(Duration::from_secs(57)) };
    /// assert_eq!(policy.decide(0, none, &throttled, 0.5), Decision::Retry { after: Duration::from_secs(57) });
    /// assert_eq!(policy.decide(3, none, &throttled, 0.5), Decision::Stop(StopReason::RetriesExhausted));
    /// // 57 s more would be 67 s of waits, past the 60 s budget.
    /// let spent = Duration::from_secs(10);
    /// assert_eq!(policy.decide(1, spent, &throttled, 0.5), Decision::Stop(StopReason::WaitBudgetSpent));
    /// let not_found = Outcome::Status { status: 404, retry_after: None };
    /// assert_eq!(policy.decide(0, none, &not_found, 0.5), Decision::Stop(StopReason::NotRetryable));
    /// ```
    pub fn decide(
        &self,
        attempt: u32,
        waited: Duration,
        outcome: &Outcome,
        jitter: f64,
    ) -> Decision {
        let retry_after = match outcome {
            Outcome::Status { status, retry_after } if is_retryable_status(*status) => *retry_after,
            Outcome::Status { .. } => return Decision::Stop(StopReason::NotRetryable),
            Outcome::Network | Outcome::Timeout => None,
        };
        if attempt >= self.max_retries {
            return Decision::Stop(StopReason::RetriesExhausted);
        }
        let after = match retry_after {
            Some(after) if after > self.max_retry_after => {
                return Decision::Stop(StopReason::RetryAfterTooLong)
            }
            Some(after) => after,
            None => self.backoff(attempt, jitter),
        };
        if waited.saturating_add(after) > self.max_total_wait {
            return Decision::Stop(StopReason::WaitBudgetSpent);
        }
        Decision::Retry { after }
    }

    /// The back-off wait before retry number `attempt` (0-based), in whole milliseconds:
    /// `c/2 + jitter * c/2` with `c = min(max_delay, base_delay * 2^attempt)`.
    ///
    /// Always `ceil(min(base_delay, max_delay) / 2) <= wait <= max_delay`.
    pub fn backoff(&self, attempt: u32, jitter: f64) -> Duration {
        let base = self.base_delay.as_millis();
        let max = self.max_delay.as_millis();
        let ceiling = 1u128
            .checked_shl(attempt)
            .and_then(|factor| base.checked_mul(factor))
            .map_or(max, |c| c.min(max));
        let half = ceiling / 2;
        // `as` saturates: NaN and negatives become 0, anything >= 1 is capped by `min`.
        let extra = ((half as f64) * jitter).floor() as u128;
        let wait = ceiling - half + extra.min(half);
        Duration::from_millis(u64::try_from(wait).unwrap_or(u64::MAX))
    }
}

/// Whether a status is retried (429, 503, 504).
pub fn is_retryable_status(status: u16) -> bool {
    RETRYABLE_STATUSES.contains(&status)
}

/// Statuses that say the server did not apply the request: a write is resent after them
/// whatever it contains (429 Too Many Requests, 503 Service Unavailable).
pub const REFUSED_STATUSES: &[u16] = &[429, 503];

/// Whether a request whose attempt ended in `outcome` may be sent again, before the policy
/// decides when: always when sending it twice is harmless (`replay_safe`: a `GET`, a patch of
/// `replace`s only); otherwise only after an answer that says nothing was applied
/// ([`REFUSED_STATUSES`]). A network failure, a time-out or a 504 may come after the server
/// applied the request, and a resent `add` would then add twice.
///
/// ```
/// # use partner_referrals::client::{may_resend, Outcome};
/// assert!(may_resend(&Outcome::Network, true));
/// assert!(!may_resend(&Outcome::Network, false));
/// assert!(may_resend(&Outcome::Status { status: 503, retry_after: None }, false));
/// assert!(!may_resend(&Outcome::Status { status: 504, retry_after: None }, false));
/// ```
pub fn may_resend(outcome: &Outcome, replay_safe: bool) -> bool {
    replay_safe
        || matches!(outcome, Outcome::Status { status, .. } if REFUSED_STATUSES.contains(status))
}

/// Whether an attempt that ended in `outcome` may have been applied by the server although
/// no success arrived: no answer at all, or a 504 (a gateway gave up waiting).
pub fn may_have_applied(outcome: &Outcome) -> bool {
    matches!(outcome, Outcome::Network | Outcome::Timeout | Outcome::Status { status: 504, .. })
}

/// Parses a `Retry-After` header value: delta-seconds (`57`) or an HTTP date in IMF-fixdate
/// form (`Sun, 06 Nov 1994 08:49:37 GMT`), relative to `now_unix_millis`.
///
/// A date in the past gives zero. Delta-seconds too large for `u64` saturate (the policy's
/// `max_retry_after` then stops the request). Anything else (the obsolete RFC 850 and asctime
/// date forms, fractions, negative numbers) gives `None`, and the client falls back to
/// exponential back-off.
///
/// ```
/// # use partner_referrals::client::parse_retry_after;
/// # use std::time::Duration;
/// assert_eq!(parse_retry_after(" 57 ", 0), Some(Duration::from_secs(57)));
/// // 784111777 is Sun, 06 Nov 1994 08:49:37 GMT.
/// let now = 784_111_777_000 - 2_500;
/// assert_eq!(parse_retry_after("Sun, 06 Nov 1994 08:49:37 GMT", now), Some(Duration::from_millis(2_500)));
/// assert_eq!(parse_retry_after("soon", now), None);
/// ```
pub fn parse_retry_after(value: &str, now_unix_millis: i64) -> Option<Duration> {
    let value = value.trim();
    if !value.is_empty() && value.bytes().all(|b| b.is_ascii_digit()) {
        let seconds = value.parse::<u64>().unwrap_or(u64::MAX);
        return Some(Duration::from_secs(seconds));
    }
    let at = parse_imf_fixdate(value)?;
    let delta = at.saturating_mul(1000).saturating_sub(now_unix_millis);
    Some(Duration::from_millis(u64::try_from(delta).unwrap_or(0)))
}

const MONTHS: [&str; 12] =
    ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
const WEEKDAYS: [&str; 7] = ["Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun"];

/// Seconds since the Unix epoch of an IMF-fixdate, `Sun, 06 Nov 1994 08:49:37 GMT`.
fn parse_imf_fixdate(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 29 || &b[3..5] != b", " || &b[25..] != b" GMT" {
        return None;
    }
    let sep_ok = b[7] == b' ' && b[11] == b' ' && b[16] == b' ' && b[19] == b':' && b[22] == b':';
    if !sep_ok || !WEEKDAYS.iter().any(|d| d.as_bytes() == &b[..3]) {
        return None;
    }
    let num = |range: std::ops::Range<usize>| -> Option<u32> {
        let digits = &b[range];
        if !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        Some(digits.iter().fold(0u32, |n, d| n * 10 + u32::from(d - b'0')))
    };
    let day = num(5..7)?;
    let month = MONTHS.iter().position(|m| m.as_bytes() == &b[8..11])? as u32 + 1;
    let year = num(12..16)?;
    let (hour, minute, second) = (num(17..19)?, num(20..22)?, num(23..25)?);
    if hour > 23 || minute > 59 || second > 60 || day == 0 {
        return None;
    }
    let days = days_from_civil(i64::from(year), month, day);
    if civil_from_days(days) != (i64::from(year), month, day) {
        return None; // 31 Feb and friends
    }
    Some(days * 86_400 + i64::from(hour * 3600 + minute * 60 + second))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn imf_fixdate(unix_seconds: i64) -> String {
        let days = unix_seconds.div_euclid(86_400);
        let secs = unix_seconds.rem_euclid(86_400);
        let (y, m, d) = civil_from_days(days);
        // 1970-01-01 was a Thursday (index 3 from Monday).
        let weekday = WEEKDAYS[(days + 3).rem_euclid(7) as usize];
        format!(
            "{weekday}, {d:02} {} {y:04} {:02}:{:02}:{:02} GMT",
            MONTHS[m as usize - 1],
            secs / 3600,
            secs / 60 % 60,
            secs % 60
        )
    }

    #[test]
    fn writes_that_may_not_be_replayed_are_resent_only_after_a_refusal() {
        let status = |status| Outcome::Status { status, retry_after: None };
        for outcome in [Outcome::Network, Outcome::Timeout, status(504)] {
            assert!(!may_resend(&outcome, false), "{outcome:?}");
            assert!(may_resend(&outcome, true), "{outcome:?}");
            assert!(may_have_applied(&outcome), "{outcome:?}");
        }
        for code in [429, 503] {
            assert!(may_resend(&status(code), false));
            assert!(!may_have_applied(&status(code)));
        }
    }

    #[test]
    fn retry_after_seconds_and_dates() {
        assert_eq!(parse_retry_after("0", 5), Some(Duration::ZERO));
        assert_eq!(parse_retry_after("120", 5), Some(Duration::from_secs(120)));
        assert_eq!(
            parse_retry_after("99999999999999999999999", 0),
            Some(Duration::from_secs(u64::MAX))
        );
        assert_eq!(parse_retry_after("-1", 0), None);
        assert_eq!(parse_retry_after("1.5", 0), None);
        assert_eq!(parse_retry_after("", 0), None);
        let at = 784_111_777;
        assert_eq!(imf_fixdate(at), "Sun, 06 Nov 1994 08:49:37 GMT");
        let date = imf_fixdate(at);
        assert_eq!(parse_retry_after(&date, at * 1000 - 30_000), Some(Duration::from_secs(30)));
        // A date in the past means "now".
        assert_eq!(parse_retry_after(&date, at * 1000 + 1), Some(Duration::ZERO));
        // Malformed dates fall back to back-off.
        for bad in [
            "Sun, 31 Feb 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 24:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 UTC",
            "Sunday, 06-Nov-94 08:49:37 GMT",
            "Sun Nov  6 08:49:37 1994",
            "Xyz, 06 Nov 1994 08:49:37 GMT",
            "Sun, 06 Nov 1994 08:49:37 GMT ",
        ] {
            assert_eq!(parse_imf_fixdate(bad), None, "{bad}");
        }
    }

    #[test]
    fn decide_retries_only_retryable_outcomes() {
        let p = RetryPolicy::default();
        for status in [200, 400, 401, 403, 404, 500, 502, 509] {
            let o = Outcome::Status { status, retry_after: Some(Duration::from_secs(1)) };
            assert_eq!(
                p.decide(0, Duration::ZERO, &o, 0.0),
                Decision::Stop(StopReason::NotRetryable),
                "{status}"
            );
        }
        for o in [
            Outcome::Status { status: 429, retry_after: None },
            Outcome::Status { status: 503, retry_after: None },
            Outcome::Status { status: 504, retry_after: None },
            Outcome::Network,
            Outcome::Timeout,
        ] {
            assert!(
                matches!(p.decide(2, Duration::ZERO, &o, 0.0), Decision::Retry { .. }),
                "{o:?}"
            );
            assert_eq!(
                p.decide(3, Duration::ZERO, &o, 0.0),
                Decision::Stop(StopReason::RetriesExhausted)
            );
        }
    }

    #[test]
    fn long_retry_after_stops_instead_of_sleeping() {
        let p = RetryPolicy { max_total_wait: Duration::MAX, ..RetryPolicy::default() };
        let at_cap = Outcome::Status { status: 429, retry_after: Some(p.max_retry_after) };
        assert_eq!(
            p.decide(0, Duration::ZERO, &at_cap, 0.0),
            Decision::Retry { after: p.max_retry_after }
        );
        let beyond = Outcome::Status {
            status: 503,
            retry_after: Some(p.max_retry_after + Duration::from_millis(1)),
        };
        assert_eq!(
            p.decide(0, Duration::ZERO, &beyond, 0.0),
            Decision::Stop(StopReason::RetryAfterTooLong)
        );
    }

    #[test]
    fn waits_stop_at_the_total_budget() {
        let p = RetryPolicy::default().with_max_retries(10);
        let after = |s| Outcome::Status { status: 503, retry_after: Some(Duration::from_secs(s)) };
        // Exactly up to the budget is waited; a millisecond more is not.
        assert_eq!(
            p.decide(0, Duration::from_secs(59), &after(1), 0.0),
            Decision::Retry { after: Duration::from_secs(1) }
        );
        let almost = Duration::from_secs(59) + Duration::from_millis(1);
        assert_eq!(
            p.decide(0, almost, &after(1), 0.0),
            Decision::Stop(StopReason::WaitBudgetSpent)
        );
        // Retry-After: 120 with a 60 s budget stops at once, before any wait.
        assert_eq!(
            p.decide(0, Duration::ZERO, &after(120), 0.0),
            Decision::Stop(StopReason::WaitBudgetSpent)
        );
        // Back-off counts too: 15 s (attempt 10's ceiling 30 s, jitter 0) past 50 s spent.
        let p = RetryPolicy { max_retries: 20, ..p };
        assert_eq!(
            p.decide(10, Duration::from_secs(50), &Outcome::Network, 0.0),
            Decision::Stop(StopReason::WaitBudgetSpent)
        );
        assert_eq!(
            p.decide(10, Duration::from_secs(45), &Outcome::Network, 0.0),
            Decision::Retry { after: Duration::from_secs(15) }
        );
        // A zero budget allows only waits of zero.
        let p = RetryPolicy { max_total_wait: Duration::ZERO, ..p };
        assert_eq!(
            p.decide(0, Duration::ZERO, &after(0), 0.0),
            Decision::Retry { after: Duration::ZERO }
        );
        assert_eq!(
            p.decide(0, Duration::ZERO, &Outcome::Timeout, 0.5),
            Decision::Stop(StopReason::WaitBudgetSpent)
        );
    }

    #[test]
    fn backoff_is_equal_jitter_over_a_doubling_ceiling() {
        let p = RetryPolicy::default();
        assert_eq!(p.backoff(0, 0.0), Duration::from_millis(500));
        assert_eq!(p.backoff(0, 0.999_999_9), Duration::from_millis(999));
        assert_eq!(p.backoff(1, 0.0), Duration::from_millis(1000));
        assert_eq!(p.backoff(2, 0.5), Duration::from_millis(3000));
        assert_eq!(p.backoff(10, 0.0), Duration::from_secs(15));
        assert_eq!(p.backoff(200, 0.0), Duration::from_secs(15));
        assert_eq!(p.backoff(0, f64::NAN), Duration::from_millis(500));
        assert_eq!(p.backoff(0, 7.0), Duration::from_millis(1000));
        assert_eq!(p.backoff(0, -7.0), Duration::from_millis(500));
    }

    #[test]
    fn max_retries_is_clamped() {
        assert_eq!(RetryPolicy::default().with_max_retries(1_000_000).max_retries, 10);
        assert_eq!(RetryPolicy::default().with_max_retries(0).max_retries, 0);
    }

    #[cfg(not(target_arch = "wasm32"))]
    mod properties {
        use super::*;
        use proptest::prelude::*;

        proptest! {
            #[test]
            fn backoff_stays_within_bounds(
                attempt in 0u32..300,
                jitter in proptest::num::f64::ANY,
                base_ms in 0u64..1_000_000,
                max_ms in 0u64..100_000_000,
            ) {
                let p = RetryPolicy {
                    base_delay: Duration::from_millis(base_ms),
                    max_delay: Duration::from_millis(max_ms),
                    ..RetryPolicy::default()
                };
                let wait = p.backoff(attempt, jitter);
                let floor = Duration::from_millis(base_ms.min(max_ms).div_ceil(2));
                prop_assert!(floor <= wait, "{wait:?} < {floor:?}");
                prop_assert!(wait <= p.max_delay, "{wait:?} > {:?}", p.max_delay);
            }

            #[test]
            fn backoff_never_shrinks_as_attempts_grow(attempt in 0u32..80, jitter in 0.0f64..1.0) {
                let p = RetryPolicy::default();
                prop_assert!(p.backoff(attempt, 0.0) <= p.backoff(attempt + 1, 0.0));
                prop_assert!(p.backoff(attempt, jitter) <= p.backoff(attempt + 1, 1.0 - f64::EPSILON));
            }

            #[test]
            fn every_retry_wait_is_bounded(
                attempt in 0u32..20,
                status in prop_oneof![Just(429u16), Just(503), Just(504)],
                retry_after_ms in proptest::option::of(0u64..1_000_000),
                jitter in 0.0f64..1.0,
            ) {
                let p = RetryPolicy { max_total_wait: Duration::MAX, ..RetryPolicy::default() };
                let o = Outcome::Status { status, retry_after: retry_after_ms.map(Duration::from_millis) };
                match p.decide(attempt, Duration::ZERO, &o, jitter) {
                    Decision::Retry { after } => {
                        prop_assert!(attempt < p.max_retries);
                        prop_assert!(after <= p.max_delay.max(p.max_retry_after));
                    }
                    Decision::Stop(_) => {
                        prop_assert!(attempt >= p.max_retries
                            || retry_after_ms.is_some_and(|ms| ms > 120_000));
                    }
                }
            }

            /// Whatever the outcomes, following the decisions never waits more than
            /// `max_total_wait` in total nor sends more than `max_retries + 1` times, and a
            /// wait is refused only when it would not fit in what is left.
            #[test]
            fn total_waits_stay_within_the_budget(
                budget_ms in 0u64..200_000,
                max_retries in 0u32..=MAX_RETRIES_LIMIT,
                outcomes in proptest::collection::vec(
                    prop_oneof![
                        (prop_oneof![Just(429u16), Just(503), Just(504)],
                         proptest::option::of(0u64..200_000))
                            .prop_map(|(status, ms)| Outcome::Status {
                                status,
                                retry_after: ms.map(Duration::from_millis),
                            }),
                        Just(Outcome::Network),
                        Just(Outcome::Timeout),
                    ],
                    1..16,
                ),
                jitter in 0.0f64..1.0,
            ) {
                let p = RetryPolicy {
                    max_total_wait: Duration::from_millis(budget_ms),
                    ..RetryPolicy::default().with_max_retries(max_retries)
                };
                let mut waited = Duration::ZERO;
                let mut retries = 0u32;
                for outcome in &outcomes {
                    match p.decide(retries, waited, outcome, jitter) {
                        Decision::Retry { after } => {
                            waited += after;
                            retries += 1;
                            prop_assert!(waited <= p.max_total_wait, "{waited:?}");
                            prop_assert!(retries <= p.max_retries);
                        }
                        Decision::Stop(StopReason::WaitBudgetSpent) => {
                            let wanted = match outcome {
                                Outcome::Status { retry_after: Some(after), .. } => *after,
                                _ => p.backoff(retries, jitter),
                            };
                            prop_assert!(waited + wanted > p.max_total_wait);
                            break;
                        }
                        Decision::Stop(_) => break,
                    }
                }
            }

            #[test]
            fn http_dates_round_trip(at in -2_208_988_800i64..253_402_300_799) {
                // 1900-01-01 .. 9999-12-31
                let text = imf_fixdate(at);
                prop_assert_eq!(parse_imf_fixdate(&text), Some(at), "{}", text);
            }
        }
    }
}
