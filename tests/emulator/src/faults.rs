//! Fault injection: what can go wrong, how a process-wide plan (`--faults 429:0.2,drop:0.05`)
//! draws faults reproducibly from a seed, and how one request asks for a fault
//! (`X-Emulator-Fault: 429` or `?_fault=429`).

use crate::rng::SplitMix64;

/// How a throttling/unavailable response says when to come back.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum RetryAfter {
    /// No `Retry-After` header.
    Absent,
    /// `Retry-After: <seconds>`.
    Seconds(u64),
    /// `Retry-After: <HTTP-date>` that many seconds from the real clock.
    Date(u64),
}

/// One injected fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// 429 Too Many Requests.
    Throttled(RetryAfter),
    /// 503 Service Unavailable.
    Unavailable(RetryAfter),
    /// 504 Gateway Timeout.
    GatewayTimeout,
    /// Answer normally, after `--slow-ms` milliseconds.
    Slow,
    /// Read the request, then close the connection without a response (nothing is applied).
    Drop,
    /// Serve the request (a write is applied), then close the connection without a response:
    /// the client cannot tell whether its write happened.
    DropAfter,
    /// Answer 200 with a truncated (invalid) JSON body.
    Malformed,
    /// Per-request only: 401, 403 or 500 with the documented error body.
    Status(u16),
}

/// The fault kinds a process-wide plan can draw.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum FaultKind {
    /// `429`
    Throttled,
    /// `503`
    Unavailable,
    /// `504`
    GatewayTimeout,
    /// `slow`
    Slow,
    /// `drop`
    Drop,
    /// `drop-after`
    DropAfter,
    /// `malformed`
    Malformed,
    /// `500`
    Internal,
}

impl FaultKind {
    fn parse(name: &str) -> Option<FaultKind> {
        Some(match name.trim().to_ascii_lowercase().as_str() {
            "429" => FaultKind::Throttled,
            "503" => FaultKind::Unavailable,
            "504" => FaultKind::GatewayTimeout,
            "slow" => FaultKind::Slow,
            "drop" => FaultKind::Drop,
            "drop-after" => FaultKind::DropAfter,
            "malformed" => FaultKind::Malformed,
            "500" => FaultKind::Internal,
            _ => return None,
        })
    }
}

/// A process-wide fault plan: each kind with the probability that a request gets it.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct FaultPlan {
    /// `(kind, rate)` pairs; rates are in `[0, 1]` and sum to at most 1.
    pub rates: Vec<(FaultKind, f64)>,
}

impl FaultPlan {
    /// Parses `429:0.2,503:0.1,504:0.05,slow:0.05,drop:0.05,malformed:0.05` (the empty string is
    /// the empty plan).
    ///
    /// # Errors
    /// A message naming the offending item: unknown kind, rate not in `[0, 1]`, rates summing
    /// past 1.
    pub fn parse(text: &str) -> Result<FaultPlan, String> {
        let mut rates = Vec::new();
        let mut total = 0.0;
        for item in text.split(',').map(str::trim).filter(|s| !s.is_empty()) {
            let (name, rate) = item
                .split_once(':')
                .ok_or_else(|| format!("fault `{item}`: expected `kind:rate`, e.g. `429:0.2`"))?;
            let kind = FaultKind::parse(name).ok_or_else(|| {
                format!(
                    "unknown fault kind `{name}` (use 429, 503, 504, 500, slow, drop, drop-after, \
                     malformed)"
                )
            })?;
            let rate: f64 =
                rate.trim().parse().ok().filter(|r: &f64| (0.0..=1.0).contains(r)).ok_or_else(
                    || format!("fault `{item}`: the rate must be a number in [0, 1]"),
                )?;
            total += rate;
            rates.push((kind, rate));
        }
        if total > 1.0 + 1e-9 {
            return Err(format!("fault rates add up to {total}, more than 1"));
        }
        Ok(FaultPlan { rates })
    }

    /// Whether any fault can be drawn.
    pub fn is_empty(&self) -> bool {
        self.rates.iter().all(|(_, r)| *r <= 0.0)
    }
}

/// Draws faults from a plan with a seeded generator: the same seed and the same sequence of
/// requests give the same faults.
#[derive(Debug, Clone)]
pub struct FaultDice {
    plan: FaultPlan,
    rng: SplitMix64,
    retry_after_seconds: u64,
}

impl FaultDice {
    /// Dice for `plan`, seeded with `seed`; drawn `Retry-After`s are `retry_after_seconds`.
    pub fn new(plan: FaultPlan, seed: u64, retry_after_seconds: u64) -> FaultDice {
        FaultDice { plan, rng: SplitMix64::new(seed), retry_after_seconds }
    }

    /// The fault for the next request, if any. Consumes exactly two draws per call (when the
    /// plan is not empty), so the sequence does not depend on which faults came out.
    pub fn draw(&mut self) -> Option<Fault> {
        if self.plan.is_empty() {
            return None;
        }
        let roll = self.rng.next_f64();
        let second = self.rng.next_f64();
        let mut at = 0.0;
        let kind = self.plan.rates.iter().find_map(|&(kind, rate)| {
            at += rate;
            (roll < at).then_some(kind)
        })?;
        let seconds = self.retry_after_seconds;
        Some(match kind {
            // 429: Retry-After three times in four; 503: every other time (so both answers are exercised).
            FaultKind::Throttled => Fault::Throttled(if second < 0.75 {
                RetryAfter::Seconds(seconds)
            } else {
                RetryAfter::Absent
            }),
            FaultKind::Unavailable => Fault::Unavailable(if second < 0.5 {
                RetryAfter::Seconds(seconds)
            } else {
                RetryAfter::Absent
            }),
            FaultKind::GatewayTimeout => Fault::GatewayTimeout,
            FaultKind::Slow => Fault::Slow,
            FaultKind::Drop => Fault::Drop,
            FaultKind::DropAfter => Fault::DropAfter,
            FaultKind::Malformed => Fault::Malformed,
            FaultKind::Internal => Fault::Status(500),
        })
    }
}

/// Parses a per-request fault (`X-Emulator-Fault` header or `_fault` query parameter):
/// `429` (with `Retry-After: <seconds>`), `429-no-retry-after`, `429-date` (an HTTP-date
/// `Retry-After`), `503` (no `Retry-After`), `503-retry-after`, `504`, `slow`, `drop`,
/// `drop-after` (served, then closed unanswered), `malformed`, `401`, `403`, `500`; `none` (or empty) asks for no fault, even when the process
/// plan would draw one.
///
/// # Errors
/// The unknown name.
pub fn parse_request_fault(text: &str, retry_after_seconds: u64) -> Result<Option<Fault>, String> {
    let seconds = retry_after_seconds;
    Ok(Some(match text.trim().to_ascii_lowercase().as_str() {
        "" | "none" => return Ok(None),
        "429" => Fault::Throttled(RetryAfter::Seconds(seconds)),
        "429-no-retry-after" => Fault::Throttled(RetryAfter::Absent),
        "429-date" => Fault::Throttled(RetryAfter::Date(seconds)),
        "503" => Fault::Unavailable(RetryAfter::Absent),
        "503-retry-after" => Fault::Unavailable(RetryAfter::Seconds(seconds)),
        "504" => Fault::GatewayTimeout,
        "slow" => Fault::Slow,
        "drop" => Fault::Drop,
        "drop-after" => Fault::DropAfter,
        "malformed" => Fault::Malformed,
        "401" => Fault::Status(401),
        "403" => Fault::Status(403),
        "500" => Fault::Status(500),
        other => return Err(format!("unknown fault `{other}`")),
    }))
}

/// An IMF-fixdate (`Sun, 06 Nov 1994 08:49:37 GMT`) for `unix_seconds`.
pub fn http_date(unix_seconds: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] =
        ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];
    let days = unix_seconds.div_euclid(86_400);
    let secs = unix_seconds.rem_euclid(86_400);
    let (y, m, d) = partner_referrals::datetime::civil_from_days(days);
    let weekday = DAYS[(days + 4).rem_euclid(7) as usize];
    let month = MONTHS[(m as usize).saturating_sub(1) % 12];
    format!(
        "{weekday}, {d:02} {month} {y:04} {:02}:{:02}:{:02} GMT",
        secs / 3600,
        secs / 60 % 60,
        secs % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plan_parsing() {
        let plan = FaultPlan::parse("429:0.2, 503:0.1,drop:0.05").unwrap();
        assert_eq!(plan.rates.len(), 3);
        assert_eq!(plan.rates[0], (FaultKind::Throttled, 0.2));
        assert!(FaultPlan::parse("").unwrap().is_empty());
        assert!(FaultPlan::parse("418:0.1").unwrap_err().contains("unknown fault kind `418`"));
        assert!(FaultPlan::parse("429:1.5").is_err());
        assert!(FaultPlan::parse("429").is_err());
        assert!(FaultPlan::parse("429:0.6,503:0.6").unwrap_err().contains("more than 1"));
    }

    #[test]
    fn dice_follow_the_rates_and_the_seed() {
        let plan = FaultPlan::parse("429:0.5,drop:0.25").unwrap();
        let draws = |seed| {
            let mut dice = FaultDice::new(plan.clone(), seed, 1);
            (0..2000).map(|_| dice.draw()).collect::<Vec<_>>()
        };
        let a = draws(7);
        assert_eq!(a, draws(7));
        assert_ne!(a, draws(8));
        let throttled = a.iter().filter(|f| matches!(f, Some(Fault::Throttled(_)))).count();
        let dropped = a.iter().filter(|f| matches!(f, Some(Fault::Drop))).count();
        let clean = a.iter().filter(|f| f.is_none()).count();
        assert!((900..1100).contains(&throttled), "{throttled}");
        assert!((420..580).contains(&dropped), "{dropped}");
        assert!((420..580).contains(&clean), "{clean}");
        assert!(a.contains(&Some(Fault::Throttled(RetryAfter::Absent))));
        assert!(a.contains(&Some(Fault::Throttled(RetryAfter::Seconds(1)))));
        assert_eq!(FaultDice::new(FaultPlan::default(), 7, 1).draw(), None);
    }

    #[test]
    fn request_faults_and_dates() {
        assert_eq!(
            parse_request_fault("429", 2).unwrap(),
            Some(Fault::Throttled(RetryAfter::Seconds(2)))
        );
        assert_eq!(parse_request_fault(" none ", 2).unwrap(), None);
        assert_eq!(parse_request_fault("Drop-After", 2).unwrap(), Some(Fault::DropAfter));
        assert_eq!(FaultPlan::parse("drop-after:1").unwrap().rates[0].0, FaultKind::DropAfter);
        assert!(parse_request_fault("teapot", 2).is_err());
        assert_eq!(http_date(784111777), "Sun, 06 Nov 1994 08:49:37 GMT");
        assert_eq!(http_date(0), "Thu, 01 Jan 1970 00:00:00 GMT");
    }
}
