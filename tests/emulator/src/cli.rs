//! Command-line options of the `partner-referrals-emulator` binary.

use partner_referrals::datetime::DateTimeOffset;

use crate::faults::FaultPlan;
use crate::server::Config;

/// The `--help` text.
pub const USAGE: &str = "\
partner-referrals-emulator: a local Partner Center referrals API (GET /v1.0/engagements/referrals,
GET and PATCH /v1.0/engagements/referrals/{id})

USAGE:
    partner-referrals-emulator [OPTIONS]

OPTIONS:
    --port <P>            TCP port on 127.0.0.1 (0 = any free port)            [default: 0]
    --count <N>           referrals to generate (the documented example is one) [default: 500]
    --seed <S>            seed of the generated data                             [default: 1]
    --now <ISO-8601>      fixed \"now\" (data dates, now() in filters)           [default: the clock]
    --page-size <N>       default and maximum page size ($top is capped)         [default: 100]
    --faults <SPEC>       fault plan, e.g. 429:0.2,503:0.1,504:0.05,slow:0.05,drop:0.05,malformed:0.05
                          (kinds: 429 503 504 500 slow drop drop-after malformed) [default: none]
    --fault-seed <S>      seed of the fault draws                                [default: 7]
    --slow-ms <MS>        delay of a `slow` fault                                [default: 3000]
    --retry-after <S>     Retry-After seconds of injected 429/503                [default: 1]
    --quiet               do not log requests to stderr
    -h, --help            print this help

Prints `emulator listening on http://127.0.0.1:<port>/v1.0/` on stdout when ready.
Per-request faults: header `X-Emulator-Fault: <kind>` or query `_fault=<kind>` with kind one of
429 429-no-retry-after 429-date 503 503-retry-after 504 500 401 403 slow drop drop-after malformed
none. `drop` closes the connection before the request is served, `drop-after` after it was served
(a PATCH is then applied but unanswered). `POST /_emulator/faults` with
{\"fault\": \"drop-after\", \"method\": \"PATCH\", \"times\": 1} arms a fault for the next
matching requests (`DELETE /_emulator/faults` disarms).
";

/// The largest `--count` accepted (about 4 GB of JSON in memory would be a mistake).
pub const MAX_COUNT: usize = 1_000_000;

/// What the command line asks for.
#[derive(Debug)]
pub enum Command {
    /// Run with this configuration.
    Run(Config),
    /// Print [`USAGE`].
    Help,
}

/// Parses the arguments (without the program name).
///
/// # Errors
/// A message naming the bad option or value.
pub fn parse_args<I: IntoIterator<Item = String>>(args: I) -> Result<Command, String> {
    let mut config = Config { log: true, ..Config::default() };
    let mut args = args.into_iter();
    while let Some(arg) = args.next() {
        let (name, inline) = match arg.split_once('=') {
            Some((n, v)) if n.starts_with("--") => (n.to_string(), Some(v.to_string())),
            _ => (arg.clone(), None),
        };
        let mut value = || {
            inline.clone().or_else(|| args.next()).ok_or_else(|| format!("`{name}` needs a value"))
        };
        fn number<T: std::str::FromStr>(name: &str, text: &str) -> Result<T, String> {
            text.trim().parse().map_err(|_| format!("`{name}`: `{text}` is not a valid number"))
        }
        match name.as_str() {
            "-h" | "--help" => return Ok(Command::Help),
            "--quiet" | "-q" => config.log = false,
            "--port" => config.port = number(&name, &value()?)?,
            "--count" => {
                config.count = number(&name, &value()?)?;
                if config.count > MAX_COUNT {
                    return Err(format!("`--count` is at most {MAX_COUNT}"));
                }
            }
            "--seed" => config.seed = number(&name, &value()?)?,
            "--fault-seed" => config.fault_seed = number(&name, &value()?)?,
            "--slow-ms" => config.slow_ms = number(&name, &value()?)?,
            "--retry-after" => config.retry_after_seconds = number(&name, &value()?)?,
            "--page-size" => {
                config.page_size = number(&name, &value()?)?;
                if config.page_size == 0 {
                    return Err("`--page-size` must be at least 1".into());
                }
            }
            "--now" => {
                let text = value()?;
                let now = DateTimeOffset::parse(text.trim())
                    .map_err(|e| format!("`--now`: `{text}` is not an ISO 8601 date-time ({e})"))?;
                config.now = Some(now);
            }
            "--faults" => config.faults = FaultPlan::parse(&value()?)?,
            other => return Err(format!("unknown option `{other}` (see --help)")),
        }
    }
    Ok(Command::Run(config))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(args: &[&str]) -> Result<Config, String> {
        match parse_args(args.iter().map(|s| s.to_string()))? {
            Command::Run(c) => Ok(c),
            Command::Help => Err("help".into()),
        }
    }

    #[test]
    fn parses_every_option() {
        let c = run(&[
            "--port",
            "8787",
            "--count=20",
            "--seed",
            "3",
            "--now",
            "2026-11-28T00:00:00Z",
            "--faults",
            "429:0.2,drop:0.1",
            "--fault-seed",
            "9",
            "--slow-ms",
            "50",
            "--retry-after",
            "2",
            "--page-size",
            "10",
            "--quiet",
        ])
        .unwrap();
        assert_eq!((c.port, c.count, c.seed, c.fault_seed, c.slow_ms), (8787, 20, 3, 9, 50));
        assert_eq!((c.retry_after_seconds, c.page_size, c.log), (2, 10, false));
        assert_eq!(c.now.unwrap().to_string(), "2026-11-28T00:00:00Z");
        assert_eq!(c.faults.rates.len(), 2);
        let d = run(&[]).unwrap();
        assert_eq!((d.port, d.count, d.page_size, d.log), (0, 500, 100, true));
        assert!(d.faults.is_empty() && d.now.is_none());
        assert_eq!(run(&["-h"]).unwrap_err(), "help");
        assert!(run(&["--port"]).unwrap_err().contains("needs a value"));
        assert!(run(&["--port", "x"]).unwrap_err().contains("not a valid number"));
        assert!(run(&["--now", "yesterday"]).is_err());
        assert!(run(&["--faults", "418:1"]).is_err());
        assert!(run(&["--page-size", "0"]).is_err());
        assert!(run(&["--count", "1000001"]).unwrap_err().contains("at most"));
        assert!(run(&["--bogus"]).unwrap_err().contains("unknown option"));
    }
}
