//! # partner-referrals-bench
//!
//! The inputs of `make bench`, shared by the criterion benchmarks (`benches/core.rs`) and the
//! JS harness (`bench/js/`, through the `bench-data` binary): one seeded data set, so every
//! figure in `bench/RESULTS.md` describes the same referrals and filters.
//!
//! - Referrals come from the emulator's generator ([`partner_referrals_emulator::data`]) with
//!   [`SEED`] and a fixed [`NOW`]; a page is built by the emulator's own paging code, so the
//!   text is byte for byte what `GET /v1.0/engagements/referrals` on the emulator sends.
//! - Filters: the documented ones (`tests/fixtures/sample-requests.txt`) and 50 realistic ones
//!   (`bench/data/filters.txt`), plus a generated N-term `or` filter.
#![forbid(unsafe_code)]
#![deny(missing_docs)]

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::query::percent_decode;
use partner_referrals_emulator::data;
use partner_referrals_emulator::odata::{self, ListOptions, Record};
use serde_json::Value;

/// Seed of every generated data set.
pub const SEED: u64 = 20_240_607;

/// The fixed "now" of the generated data (dates are relative to it).
pub const NOW: &str = "2025-06-01T12:00:00Z";

/// The origin the page's `@odata.context` and `@odata.nextLink` name.
pub const ORIGIN: &str = "http://127.0.0.1:8080";

/// The documented request lines (`tests/fixtures/sample-requests.txt`).
const SAMPLE_REQUESTS: &str = include_str!("../../tests/fixtures/sample-requests.txt");

/// The 50 realistic filters.
const REALISTIC_FILTERS: &str = include_str!("../data/filters.txt");

/// The typical filter of the criterion groups: the documented request with a lambda.
pub const TYPICAL_FILTER: &str = "status eq 'Active' and direction eq 'Outgoing' and type eq 'Shared' and team/any(t:t/email eq 'r2d2@contoso.com')";

/// [`NOW`] parsed.
pub fn now() -> DateTimeOffset {
    // invariant: NOW is a valid ISO 8601 date-time (checked by this crate's test).
    DateTimeOffset::parse(NOW).unwrap_or(DateTimeOffset::from_unix_millis(0))
}

/// `count` generated referrals (the documented example among them), in generation order.
pub fn referrals(count: usize) -> Vec<Value> {
    data::generate(count, SEED, now())
}

/// The first page (`$top` = `count`, default order) of a data set of `total` referrals, as
/// the emulator serialises it: compact JSON, keys sorted, `@odata.count` = `total`, and an
/// `@odata.nextLink` when `total > count`.
pub fn page_text(count: usize, total: usize) -> String {
    let records: Vec<Record> = referrals(total.max(count)).into_iter().map(Record::new).collect();
    // invariant: no query options parse (`ListOptions::parse(&[])` cannot fail).
    let options = match ListOptions::parse(&[("$top".to_string(), count.to_string())]) {
        Ok((options, _)) => options,
        Err(_) => return String::new(),
    };
    odata::page(&records, &options, 0, count.max(1), now(), ORIGIN).body.to_string()
}

/// The `$filter` values of the documented request lines, decoded, in file order.
pub fn documented_filters() -> Vec<String> {
    SAMPLE_REQUESTS
        .lines()
        .filter(|line| !line.starts_with('#'))
        .filter_map(|line| line.split_once('?'))
        .flat_map(|(_, query)| query.split('&'))
        .filter_map(|pair| pair.strip_prefix("$filter="))
        .map(percent_decode)
        .collect()
}

/// The 50 realistic filters (`bench/data/filters.txt`), in file order.
pub fn realistic_filters() -> Vec<String> {
    REALISTIC_FILTERS
        .lines()
        .map(str::trim)
        .filter(|line| !line.is_empty() && !line.starts_with('#'))
        .map(str::to_string)
        .collect()
}

/// The documented filters, then the realistic ones: the input of the `validateFilter` row.
pub fn filter_corpus() -> Vec<String> {
    let mut all = documented_filters();
    all.extend(realistic_filters());
    all
}

/// A generated `or` of `terms` comparisons on different fields and values (sqlparser's
/// 1000-term `OR` benchmark, in OData).
pub fn or_filter(terms: usize) -> String {
    const SHAPES: &[&str] = &[
        "customerProfile/address/country eq 'C{}'",
        "details/dealValue gt {}",
        "customerProfile/name eq 'Customer {}'",
        "team/any(t:t/email eq 'member{}@contoso.com')",
    ];
    (0..terms)
        .map(|i| SHAPES[i % SHAPES.len()].replace("{}", &i.to_string()))
        .collect::<Vec<_>>()
        .join(" or ")
}

#[cfg(test)]
mod tests {
    use super::*;
    use partner_referrals::page::decode_referral_page;
    use partner_referrals::query::{validate_filter, Filter};

    #[test]
    fn now_parses() {
        assert!(DateTimeOffset::parse(NOW).is_ok());
    }

    #[test]
    fn corpus_is_the_six_documented_filters_and_fifty_realistic_ones() {
        assert_eq!(documented_filters().len(), 6);
        assert_eq!(
            documented_filters()[0],
            "engagementId eq '65edc0b5-3485-41b7-a17e-dfa9ef4706e2'"
        );
        assert_eq!(realistic_filters().len(), 50);
        for f in filter_corpus() {
            validate_filter(&f, true).unwrap_or_else(|e| panic!("{f}: {e}"));
        }
        Filter::parse(TYPICAL_FILTER).unwrap();
    }

    #[test]
    fn realistic_filters_match_some_generated_referrals() {
        let records = referrals(2000);
        let matched = realistic_filters()
            .iter()
            .filter(|f| {
                let filter = Filter::parse(f).unwrap();
                records.iter().any(|r| filter.matches(r, now()))
            })
            .count();
        // Realistic means most of them select something in a realistic data set.
        assert!(matched >= 40, "only {matched} of 50 filters match any referral");
    }

    #[test]
    fn or_filter_has_the_asked_number_of_terms_and_checks() {
        let text = or_filter(1000);
        assert_eq!(text.matches(" or ").count(), 999);
        Filter::parse(&text).unwrap();
    }

    #[test]
    fn page_is_a_full_realistic_page_that_decodes() {
        let text = page_text(100, 5000);
        let page = decode_referral_page(&text).unwrap();
        assert_eq!(page.value.len(), 100);
        assert_eq!(page.count, Some(5000));
        assert!(page.next_link.is_some());
        // The generator writes ~2.4 KB per referral (the documented example is 1.3 KB).
        assert!((100_000..400_000).contains(&text.len()), "page is {} bytes", text.len());
        assert_eq!(page_text(100, 5000), text, "deterministic");
    }
}
