//! OData ABNF conformance: the `$filter`-related cases of the OASIS test suite
//! (`tests/fixtures/odata-abnf/filter-cases.json`, made by `extract.py` beside it) run through
//! the syntax-only mode, `validate_filter(text, false)`.
//!
//! Every case must come out exactly as the suite expects (accept, or reject at the suite's
//! `FailAt`), except the deliberate differences listed in [`DIFFERENCES`] (and explained in
//! `tests/fixtures/odata-abnf/DIFFERENCES.md`), which must come out exactly as listed there. A
//! change in either direction (a fixed difference, or a new one) fails the test.

// Runs natively and under wasm-bindgen-test in Node and Chromium (see tests/page.rs).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::query::{self, check};
use serde::Deserialize;

const FIXTURE: &str = include_str!("fixtures/odata-abnf/filter-cases.json");
const DIFFERENCES_MD: &str = include_str!("fixtures/odata-abnf/DIFFERENCES.md");

#[derive(Debug, Deserialize)]
struct Fixture {
    commit: String,
    cases: Vec<Case>,
}

#[derive(Debug, Deserialize)]
struct Case {
    name: String,
    rule: String,
    /// `filter`: a whole filter; `value`: an expression of any type.
    context: String,
    input: String,
    expected: String,
    fail_at: Option<u32>,
}

/// What the library does with a case.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Outcome {
    Accept,
    /// Rejected, with the error's position (UTF-16 code units).
    Reject(u32),
}

use Outcome::{Accept, Reject};

impl Case {
    fn expected(&self) -> Outcome {
        match (self.expected.as_str(), self.fail_at) {
            ("accept", None) => Accept,
            ("reject", Some(at)) => Reject(at),
            other => panic!("{}: bad expectation {other:?}", self.name),
        }
    }

    fn run(&self) -> Outcome {
        let result = match self.context.as_str() {
            "filter" => query::validate_filter(&self.input, false).map(|info| info.canonical),
            "value" => validate_value(&self.input),
            other => panic!("{}: unknown context {other}", self.name),
        };
        match result {
            Ok(canonical) => {
                // Whatever is accepted has a canonical form that is accepted as itself.
                let again = match self.context.as_str() {
                    "filter" => query::validate_filter(&canonical, false).map(|i| i.canonical),
                    _ => validate_value(&canonical),
                };
                assert_eq!(again.as_deref(), Ok(canonical.as_str()), "{}", self.name);
                Accept
            }
            Err(e) => Reject(e.span().map_or(u32::MAX, |s| s.start)),
        }
    }
}

/// The syntax-only check of an expression of any type (the `commonExpr`-like rules).
fn validate_value(src: &str) -> partner_referrals::Result<String> {
    let expr = query::parse(src)?;
    match check::check_value(&expr, None).errors.into_iter().next() {
        Some(e) => Err(e),
        None => Ok(expr.to_string()),
    }
}

/// The deliberate differences: case name and what the library does instead. Grouped as in
/// `tests/fixtures/odata-abnf/DIFFERENCES.md`.
const DIFFERENCES: &[(&str, Outcome)] = &[
    // Rule context
    ("Date: negative Infinity", Accept),
    ("Date: positive Infinity", Accept),
    ("DateTimeOffset: negative infinity", Accept),
    ("DateTimeOffset: positive infinity", Accept),
    ("5.1.1.1.1 boolean - only true and false", Accept),
    ("5.1.1.1.1 boolean - only true and false [2]", Accept),
    // Leading whitespace
    ("5.1.1 Filter: no spaces", Accept),
    // Error positions inside literals and paths
    ("DateTimeOffset: Midnight this day", Reject(0)),
    ("DateTimeOffset: Midnight this day with seconds", Reject(0)),
    ("DateTimeOffset: 24:00", Reject(0)),
    ("DateTimeOffset: no percent-encoding in payloads", Reject(0)),
    ("DateTimeOffset: no percent-encoding in payloads [2]", Reject(0)),
    ("Duration in body - no years allowed", Reject(0)),
    ("Duration in body - no months allowed", Reject(0)),
    ("Decimal - trailing dot", Reject(0)),
    ("Double with at most one exponent", Reject(0)),
    ("Guid with wrong character", Reject(0)),
    ("Guid with less than 32 digits", Reject(8)),
    ("5.1.1.13.2 all() - must contain a lambda expression", Reject(13)),
    ("Functions in commonExpr [2]", Reject(5)),
    // Years outside 0000-9999 and leap seconds
    ("Date: negative", Reject(6)),
    ("DateTimeOffset: leap second", Reject(0)),
    ("DateTimeOffset: negative", Reject(6)),
    // TimeOfDay literals
    ("TimeOfDay - percent-encoded colon", Reject(2)),
    // Empty `in` list
    ("in operator with empty literal list", Reject(14)),
    // Functions outside the library's table
    ("5.1.1.7.1 matchesPattern ^A.*e$", Reject(0)),
    ("5.1.1.8.3", Reject(0)),
    ("5.1.1.8.5", Reject(0)),
    ("5.1.1.8.5 - non-canonical percent-encoding", Reject(0)),
    ("5.1.1.8.6", Reject(0)),
    ("5.1.1.8.6 - non-canonical percent-encoding", Reject(0)),
    ("5.1.1.8.11", Reject(0)),
    ("5.1.1.8.12 - totaloffsetminutes", Reject(0)),
    ("5.1.1.8.13", Reject(0)),
    // JSON arrays and objects
    ("5.1.1.1.1 comparing complex types", Reject(11)),
    ("5.1.1.1.12 Logical Operator Examples [8]", Reject(8)),
    ("5.1.1.5.2 contains [2]", Reject(15)),
    ("5.1.1.5.3 endswith [2]", Reject(9)),
    ("5.1.1.5.4 indexof", Reject(8)),
    ("5.1.1.5.5 length [2]", Reject(7)),
    ("5.1.1.5.6 startswith [3]", Reject(11)),
    ("5.1.1.6.1 hassubset", Reject(16)),
    ("5.1.1.6.1 hassubset [2]", Reject(10)),
    ("5.1.1.6.2 hassubsequence", Reject(15)),
    ("5.1.1.14.2 simple array", Reject(13)),
    ("5.1.1.14.2 array with single-quoted OData strings", Reject(13)),
    ("5.1.1.14.2 empty array", Reject(13)),
    ("5.1.1.14.2 array in array of arrays", Reject(0)),
    ("5.1.1.14.2 array of properties in array of arrays", Reject(0)),
    ("5.1.1.14.2 comparing arrays", Reject(0)),
    ("5.1.1.14.2 mixed array", Reject(0)),
    ("5.1.1.14.2 array of property names", Reject(0)),
    ("5.1.1.14.2 empty object", Reject(0)),
    ("5.1.1.14.2 object with concrete values", Reject(0)),
    ("5.1.1.14.2 object with expression values", Reject(0)),
    ("5.1.1.14.2 array with 'untyped' values", Reject(0)),
    ("Functions in commonExpr - collection parameter in JSON", Reject(14)),
    ("Functions in commonExpr - collection parameter in JSON with whitespace", Reject(14)),
    ("Functions in commonExpr - collection parameter in JSON with whitespace [2]", Reject(14)),
    ("Functions in commonExpr - complex JSON parameter", Reject(5)),
    ("Functions in commonExpr - complex JSON parameter with whitespace", Reject(5)),
    ("Functions in commonExpr - complex JSON parameter with whitespace [2]", Reject(5)),
    // `$it`, `$root`, `$this`
    ("5.1.1.13 Lambda Operators [2]", Reject(15)),
    ("5.1.1.13.1 any() [4]", Reject(20)),
    ("5.1.1.14.4 $it", Reject(0)),
    ("5.1.1.14.4 $it [2]", Reject(9)),
    ("5.1.1.14.5 $root", Reject(12)),
    ("5.1.1.14.5 $root with function import", Reject(8)),
    ("5.1.1.14.5 $root with entity set", Reject(0)),
    ("$root with bound function call", Reject(0)),
    ("$root with unbound function call", Reject(7)),
    ("5.1.1.14.6 $this", Reject(0)),
    ("5.1.1.14.6 $this [2]", Reject(9)),
    // `$count` and `$filter(...)` path segments
    ("4.8 Addressing the Count - in $filter with navigation", Reject(9)),
    ("4.8 Addressing the Count - in $filter with complex collection", Reject(10)),
    ("4.8 Addressing the Count - in $filter with primitive collection", Reject(6)),
    ("4.8 Addressing the Count - in $filter with filtered collection", Reject(9)),
    ("4.12 Filter Path Segment followed by key predicate", Reject(9)),
    ("4.12 Filter expression in query", Reject(9)),
    ("4.12 Filter expression in query [2]", Reject(10)),
    ("5.1.1 Filter - member expressions - collection navigation - count", Reject(9)),
    ("Functions in commonExpr - collectionPath", Reject(11)),
    ("Functions in commonExpr - collectionPath [3]", Reject(11)),
    // Qualified names, bound functions, type casts and key access
    ("4.11 Inheritance - expressions: complex type", Reject(13)),
    ("4.11 Inheritance - expressions: complex type with path", Reject(13)),
    ("4.11 Inheritance - expressions: collection of complex type", Reject(15)),
    ("5.1.1 Filter - member expressions - stream [3]", Reject(15)),
    ("5.1.1.1.1 Equals - property path argument [2]", Reject(13)),
    ("5.1.1.13.1 any() - collection with type cast", Reject(19)),
    ("5.1.1.15 Path expressions - key access after set navigation", Reject(0)),
    ("Functions in commonExpr", Reject(5)),
    ("Functions in commonExpr - directly call function", Reject(5)),
    ("Functions in commonExpr - after collection navigation", Reject(14)),
    ("Functions in commonExpr - composed functions", Reject(14)),
    ("Functions in commonExpr - composed functions, no namespace", Reject(20)),
    ("Functions in commonExpr - singleNavigation", Reject(14)),
    ("Functions in commonExpr - singleNavigation [2]", Reject(14)),
    ("Functions in commonExpr - singleNavigation [3]", Reject(14)),
    ("Functions in commonExpr - singleNavigation [4]", Reject(14)),
    ("Functions in commonExpr - singleNavigation [5]", Reject(14)),
    ("Functions in commonExpr - singleNavigation [6]", Reject(14)),
    ("Functions in commonExpr - singleNavigation [7]", Reject(14)),
    ("Functions in commonExpr - singleNavigation [8]", Reject(14)),
    ("Functions in commonExpr - stream property", Reject(14)),
    ("Functions in commonExpr - singleNavigation with any", Reject(14)),
    ("Functions in commonExpr - singleNavigation with all", Reject(14)),
    ("Functions in commonExpr - collectionNavigation", Reject(14)),
    ("Functions in commonExpr - collectionNavigation [2]", Reject(14)),
    ("Functions in commonExpr - collectionNavigation with all", Reject(14)),
    ("Functions in commonExpr - complexPath", Reject(11)),
    ("Functions in commonExpr - complexPath [2]", Reject(11)),
    ("Functions in commonExpr - complexPath [3]", Reject(11)),
    ("Functions in commonExpr - collectionPath [2]", Reject(11)),
    ("Functions in commonExpr - collectionPath [4]", Reject(11)),
    ("Functions in commonExpr - collectionPath, no namespace", Reject(22)),
    ("Functions in commonExpr - singlePath", Reject(11)),
    ("Functions in commonExpr - singlePath, no namespace", Reject(21)),
    ("Functions in commonExpr - property as parameter", Reject(5)),
    // Qualified enum literals
    ("5.1.1.1.12 Logical Operator Examples [6]", Reject(15)),
    ("Enumeration literal in URI", Reject(5)),
    ("Enumeration literal in URI - multiple flag values", Reject(5)),
    ("Enumeration literal in URI - multiple flag values [2]", Reject(5)),
    ("Enumeration literal - in filter", Reject(14)),
    ("Enumeration literal - in filter with has", Reject(15)),
    ("Enumeration literal - undefined value as numeric constant", Reject(15)),
    ("Enumeration literal - undefined value as numeric constant [2]", Reject(14)),
    // `cast` and `isof`
    ("5.1.1.10.1 cast(1)", Reject(10)),
    ("5.1.1.10.1 cast(1), no nanmespace", Reject(0)),
    ("5.1.1.10.1 cast(2)", Reject(19)),
    ("5.1.1.10.1 cast(2), no namespace", Reject(0)),
    ("5.1.1.10.1 cast(3)", Reject(17)),
    ("5.1.1.10.2 isof(1)", Reject(10)),
    ("5.1.1.10.2 isof(1), no namespace", Reject(0)),
    ("5.1.1.10.2 isof(2)", Reject(19)),
    ("5.1.1.10.2 isof(2), no namespace", Reject(0)),
    ("5.1.1.10.2 isof(2) [2]", Reject(17)),
    ("Enumeration literal - undefined value as numeric constant [3]", Reject(28)),
    // Geography and geometry
    ("5.1.1.11.1 geo.distance", Reject(3)),
    ("5.1.1.11.3 geo.intersects", Reject(3)),
    ("5.1.1.11.3 geo.length", Reject(3)),
    ("5.1.1.11.3 geo.length [2]", Reject(3)),
    ("$filter with geometry", Reject(3)),
    // Parameter aliases and annotations
    ("5.1.1.16 Annotation Values", Reject(6)),
    ("5.1.1.16 Annotation Values, no namespace", Reject(6)),
    ("5.1.1.16 Annotation Values with qualifier, no namespace", Reject(6)),
    ("5.1.1.16 Annotation Values [2]", Reject(0)),
    ("5.1.1.16 Annotation Values [3]", Reject(0)),
    ("Functions in commonExpr - collectionNavigation [3]", Reject(14)),
];

fn fixture() -> Fixture {
    serde_json::from_str(FIXTURE).expect("fixture parses")
}

#[test]
fn oasis_filter_cases_agree_except_the_listed_differences() {
    let fixture = fixture();
    let mut agree = [0usize; 2];
    let mut report = Vec::new();
    let mut seen = Vec::new();
    for case in &fixture.cases {
        let (expected, actual) = (case.expected(), case.run());
        let listed = DIFFERENCES.iter().find(|(name, _)| *name == case.name);
        if let Some(&(name, outcome)) = listed {
            seen.push(name);
            if actual != outcome || actual == expected {
                report.push(format!(
                    "{:?} ({}): listed as {outcome:?}, got {actual:?}, suite expects {expected:?}",
                    case.name, case.rule
                ));
            }
        } else if actual != expected {
            report.push(format!(
                "{:?} ({}) {:?}: got {actual:?}, suite expects {expected:?}",
                case.name, case.rule, case.input
            ));
        }
        if actual == expected {
            agree[usize::from(matches!(expected, Reject(_)))] += 1;
        }
    }
    for (name, _) in DIFFERENCES {
        assert!(seen.contains(name), "difference {name:?} names no case");
    }
    let accepts = fixture.cases.iter().filter(|c| c.expected() == Accept).count();
    eprintln!(
        "OASIS odata-abnf {}: {} of {} cases agree ({} of {accepts} accepts, {} of {} rejects)",
        &fixture.commit[..8],
        agree[0] + agree[1],
        fixture.cases.len(),
        agree[0],
        agree[1],
        fixture.cases.len() - accepts,
    );
    assert!(report.is_empty(), "{} disagreements:\n{}", report.len(), report.join("\n"));
}

#[test]
fn every_listed_difference_is_explained_in_differences_md() {
    for (name, _) in DIFFERENCES {
        assert!(DIFFERENCES_MD.contains(&format!("`{name}`")), "{name:?} is not in DIFFERENCES.md");
    }
}

#[test]
fn fixture_names_are_unique() {
    let fixture = fixture();
    let mut names: Vec<&str> = fixture.cases.iter().map(|c| c.name.as_str()).collect();
    names.sort_unstable();
    let before = names.len();
    names.dedup();
    assert_eq!(names.len(), before);
}
