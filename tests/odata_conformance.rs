//! OData conformance: other projects' published test expressions run through the syntax-only
//! mode, `validate_filter(text, false)` (or its expression-of-any-type variant).
//!
//! - The `$filter`-related cases of the OASIS OData ABNF test suite
//!   (`tests/fixtures/odata-abnf/filter-cases.json`, made by `extract.py` beside it).
//! - The expressions of Apache Olingo's `ExpressionParserTest`
//!   (`tests/fixtures/olingo-odata4/expression-cases.json`), with their verdicts.
//! - The expressions of godata's `expression_parser_test.go` (`tests/fixtures/godata/`), with
//!   their verdicts.
//!
//! Every case must come out exactly as its suite expects (accept, or reject at the suite's
//! `FailAt` where it gives one), except the deliberate differences listed in [`DIFFERENCES`] /
//! [`OLINGO_DIFFERENCES`] (and explained in the `DIFFERENCES.md` beside each fixture), which must
//! come out exactly as listed there. A change in either direction (a fixed difference, or a new
//! one) fails the test.

// Runs natively and under wasm-bindgen-test in Node and Chromium (see tests/page.rs).
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::query::{self, check};
use serde::Deserialize;

const FIXTURE: &str = include_str!("fixtures/odata-abnf/filter-cases.json");
const DIFFERENCES_MD: &str = include_str!("fixtures/odata-abnf/DIFFERENCES.md");
const OLINGO_FIXTURE: &str = include_str!("fixtures/olingo-odata4/expression-cases.json");
const OLINGO_DIFFERENCES_MD: &str = include_str!("fixtures/olingo-odata4/DIFFERENCES.md");
const GODATA_FIXTURE: &str = include_str!("fixtures/godata/expression-cases.json");
const GODATA_DIFFERENCES_MD: &str = include_str!("fixtures/godata/DIFFERENCES.md");

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
    /// Refused as valid OData outside the supported subset (`Error::Unsupported`), with the
    /// construct's position.
    Unsupported(u32),
    /// A suite's expectation without a position: rejected anywhere (never unsupported, which
    /// would call the input valid OData).
    RejectAnywhere,
}

impl Outcome {
    /// Whether `actual` is what this expectation asks for.
    fn admits(self, actual: Outcome) -> bool {
        self == actual || (self == RejectAnywhere && matches!(actual, Reject(_)))
    }
}

use Outcome::{Accept, Reject, RejectAnywhere, Unsupported};

impl Case {
    fn expected(&self) -> Outcome {
        match (self.expected.as_str(), self.fail_at) {
            ("accept", None) => Accept,
            ("reject", Some(at)) => Reject(at),
            ("reject", None) => RejectAnywhere,
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
            Err(e) => {
                let at = e.span().map_or(u32::MAX, |s| s.start);
                match e {
                    partner_referrals::Error::Unsupported { .. } => Unsupported(at),
                    _ => Reject(at),
                }
            }
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
    ("Functions in commonExpr [2]", Unsupported(0)),
    // Years outside 0000-9999 and leap seconds
    ("Date: negative", Unsupported(0)),
    ("DateTimeOffset: leap second", Unsupported(0)),
    ("DateTimeOffset: negative", Unsupported(0)),
    // TimeOfDay literals
    ("TimeOfDay - percent-encoded colon", Unsupported(0)),
    // Empty `in` list
    // Functions outside the library's table
    ("5.1.1.7.1 matchesPattern ^A.*e$", Unsupported(0)),
    ("5.1.1.8.3", Unsupported(0)),
    ("5.1.1.8.5", Unsupported(0)),
    ("5.1.1.8.5 - non-canonical percent-encoding", Unsupported(0)),
    ("5.1.1.8.6", Unsupported(0)),
    ("5.1.1.8.6 - non-canonical percent-encoding", Unsupported(0)),
    ("5.1.1.8.11", Unsupported(0)),
    ("5.1.1.8.12 - totaloffsetminutes", Unsupported(0)),
    ("5.1.1.8.13", Unsupported(0)),
    // JSON arrays and objects
    ("5.1.1.1.1 comparing complex types", Unsupported(11)),
    ("5.1.1.1.12 Logical Operator Examples [8]", Unsupported(8)),
    ("5.1.1.5.2 contains [2]", Unsupported(15)),
    ("5.1.1.5.3 endswith [2]", Unsupported(9)),
    ("5.1.1.5.4 indexof", Unsupported(8)),
    ("5.1.1.5.5 length [2]", Unsupported(7)),
    ("5.1.1.5.6 startswith [3]", Unsupported(11)),
    ("5.1.1.6.1 hassubset", Unsupported(0)),
    ("5.1.1.6.1 hassubset [2]", Unsupported(0)),
    ("5.1.1.6.2 hassubsequence", Unsupported(0)),
    ("5.1.1.14.2 simple array", Unsupported(13)),
    ("5.1.1.14.2 array with single-quoted OData strings", Unsupported(13)),
    ("5.1.1.14.2 empty array", Unsupported(13)),
    ("5.1.1.14.2 array in array of arrays", Unsupported(0)),
    ("5.1.1.14.2 array of properties in array of arrays", Unsupported(0)),
    ("5.1.1.14.2 comparing arrays", Unsupported(0)),
    ("5.1.1.14.2 mixed array", Unsupported(0)),
    ("5.1.1.14.2 array of property names", Unsupported(0)),
    ("5.1.1.14.2 empty object", Unsupported(0)),
    ("5.1.1.14.2 object with concrete values", Unsupported(0)),
    ("5.1.1.14.2 object with expression values", Unsupported(0)),
    ("5.1.1.14.2 array with 'untyped' values", Unsupported(0)),
    ("Functions in commonExpr - collection parameter in JSON", Unsupported(9)),
    ("Functions in commonExpr - collection parameter in JSON with whitespace", Unsupported(9)),
    ("Functions in commonExpr - collection parameter in JSON with whitespace [2]", Unsupported(9)),
    ("Functions in commonExpr - complex JSON parameter", Unsupported(0)),
    ("Functions in commonExpr - complex JSON parameter with whitespace", Unsupported(0)),
    ("Functions in commonExpr - complex JSON parameter with whitespace [2]", Unsupported(0)),
    // `$it`, `$root`, `$this`
    ("5.1.1.13 Lambda Operators [2]", Unsupported(15)),
    ("5.1.1.13.1 any() [4]", Unsupported(20)),
    ("5.1.1.14.4 $it", Unsupported(0)),
    ("5.1.1.14.4 $it [2]", Unsupported(9)),
    ("5.1.1.14.5 $root", Unsupported(12)),
    ("5.1.1.14.5 $root with function import", Unsupported(8)),
    ("5.1.1.14.5 $root with entity set", Unsupported(0)),
    ("$root with bound function call", Unsupported(0)),
    ("$root with unbound function call", Unsupported(0)),
    ("5.1.1.14.6 $this", Unsupported(0)),
    ("5.1.1.14.6 $this [2]", Unsupported(9)),
    // `$count` and `$filter(...)` path segments
    ("4.8 Addressing the Count - in $filter with navigation", Unsupported(9)),
    ("4.8 Addressing the Count - in $filter with complex collection", Unsupported(10)),
    ("4.8 Addressing the Count - in $filter with primitive collection", Unsupported(6)),
    ("4.8 Addressing the Count - in $filter with filtered collection", Unsupported(9)),
    ("4.12 Filter Path Segment followed by key predicate", Unsupported(9)),
    ("4.12 Filter expression in query", Unsupported(9)),
    ("4.12 Filter expression in query [2]", Unsupported(10)),
    ("5.1.1 Filter - member expressions - collection navigation - count", Unsupported(9)),
    ("Functions in commonExpr - collectionPath", Unsupported(6)),
    ("Functions in commonExpr - collectionPath [3]", Unsupported(6)),
    // Qualified names, bound functions, type casts and key access
    ("4.11 Inheritance - expressions: complex type", Unsupported(8)),
    ("4.11 Inheritance - expressions: complex type with path", Unsupported(8)),
    ("4.11 Inheritance - expressions: collection of complex type", Unsupported(10)),
    ("5.1.1 Filter - member expressions - stream [3]", Unsupported(10)),
    ("5.1.1.1.1 Equals - property path argument [2]", Unsupported(8)),
    ("5.1.1.13.1 any() - collection with type cast", Unsupported(14)),
    ("5.1.1.15 Path expressions - key access after set navigation", Reject(0)),
    ("Functions in commonExpr", Unsupported(0)),
    ("Functions in commonExpr - directly call function", Unsupported(0)),
    ("Functions in commonExpr - after collection navigation", Unsupported(9)),
    ("Functions in commonExpr - composed functions", Unsupported(9)),
    ("Functions in commonExpr - composed functions, no namespace", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation [2]", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation [3]", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation [4]", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation [5]", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation [6]", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation [7]", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation [8]", Unsupported(9)),
    ("Functions in commonExpr - stream property", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation with any", Unsupported(9)),
    ("Functions in commonExpr - singleNavigation with all", Unsupported(9)),
    ("Functions in commonExpr - collectionNavigation", Unsupported(9)),
    ("Functions in commonExpr - collectionNavigation [2]", Unsupported(9)),
    ("Functions in commonExpr - collectionNavigation with all", Unsupported(9)),
    ("Functions in commonExpr - complexPath", Unsupported(6)),
    ("Functions in commonExpr - complexPath [2]", Unsupported(6)),
    ("Functions in commonExpr - complexPath [3]", Unsupported(6)),
    ("Functions in commonExpr - collectionPath [2]", Unsupported(6)),
    ("Functions in commonExpr - collectionPath [4]", Unsupported(6)),
    ("Functions in commonExpr - collectionPath, no namespace", Unsupported(6)),
    ("Functions in commonExpr - singlePath", Unsupported(6)),
    ("Functions in commonExpr - singlePath, no namespace", Unsupported(6)),
    ("Functions in commonExpr - property as parameter", Unsupported(0)),
    // Qualified enum literals
    ("5.1.1.1.12 Logical Operator Examples [6]", Unsupported(10)),
    ("Enumeration literal in URI", Unsupported(0)),
    ("Enumeration literal in URI - multiple flag values", Unsupported(0)),
    ("Enumeration literal in URI - multiple flag values [2]", Unsupported(0)),
    ("Enumeration literal - in filter", Unsupported(9)),
    ("Enumeration literal - in filter with has", Unsupported(10)),
    ("Enumeration literal - undefined value as numeric constant", Unsupported(10)),
    ("Enumeration literal - undefined value as numeric constant [2]", Unsupported(9)),
    // `cast` and `isof`
    ("5.1.1.10.1 cast(1)", Unsupported(0)),
    ("5.1.1.10.1 cast(1), no nanmespace", Unsupported(0)),
    ("5.1.1.10.1 cast(2)", Unsupported(0)),
    ("5.1.1.10.1 cast(2), no namespace", Unsupported(0)),
    ("5.1.1.10.1 cast(3)", Unsupported(0)),
    ("5.1.1.10.2 isof(1)", Unsupported(0)),
    ("5.1.1.10.2 isof(1), no namespace", Unsupported(0)),
    ("5.1.1.10.2 isof(2)", Unsupported(0)),
    ("5.1.1.10.2 isof(2), no namespace", Unsupported(0)),
    ("5.1.1.10.2 isof(2) [2]", Unsupported(0)),
    ("Enumeration literal - undefined value as numeric constant [3]", Unsupported(9)),
    // Geography and geometry
    ("5.1.1.11.1 geo.distance", Unsupported(0)),
    ("5.1.1.11.3 geo.intersects", Unsupported(0)),
    ("5.1.1.11.3 geo.length", Unsupported(0)),
    ("5.1.1.11.3 geo.length [2]", Unsupported(0)),
    ("$filter with geometry", Unsupported(0)),
    // Parameter aliases and annotations
    ("5.1.1.16 Annotation Values", Unsupported(6)),
    ("5.1.1.16 Annotation Values, no namespace", Unsupported(6)),
    ("5.1.1.16 Annotation Values with qualifier, no namespace", Unsupported(6)),
    ("5.1.1.16 Annotation Values [2]", Unsupported(0)),
    ("5.1.1.16 Annotation Values [3]", Unsupported(0)),
    ("Functions in commonExpr - collectionNavigation [3]", Unsupported(9)),
];

/// The deliberate differences from Olingo's `ExpressionParserTest`, grouped as in
/// `tests/fixtures/olingo-odata4/DIFFERENCES.md`.
const OLINGO_DIFFERENCES: &[(&str, Outcome)] = &[
    // Canonical functions outside the library's table
    ("noParameterMethods: maxdatetime()", Unsupported(0)),
    ("noParameterMethods: mindatetime()", Unsupported(0)),
    ("oneParameterMethods: totalseconds(duration'PT1H')", Unsupported(0)),
    // TimeOfDay literals
    ("additive: 11:12:13 sub 2000-02-29T11:12:13Z", Unsupported(0)),
];

/// The deliberate differences from godata's expression parser tests, grouped as in
/// `tests/fixtures/godata/DIFFERENCES.md`.
const GODATA_DIFFERENCES: &[(&str, Outcome)] = &[
    // v2/v3 functions
    ("TestValidBooleanExpressionSyntax: substringof('Alfreds', CompanyName) eq true", Reject(0)),
    // Valid OData outside the supported subset
    ("TestValidBooleanExpressionSyntax: TimeOfDayValue eq 07:59:59.999", Unsupported(18)),
    ("TestValidBooleanExpressionSyntax: totaloffsetminutes(StartTime) eq 0", Unsupported(0)),
    ("TestValidBooleanExpressionSyntax: fractionalseconds(StartTime) lt 0.123456", Unsupported(0)),
    ("TestValidBooleanExpressionSyntax: totaloffsetminutes(StartTime) eq 60", Unsupported(0)),
    ("TestValidBooleanExpressionSyntax: StartTime eq mindatetime()", Unsupported(13)),
    ("TestValidBooleanExpressionSyntax: EndTime eq maxdatetime()", Unsupported(11)),
    ("TestValidBooleanExpressionSyntax: time(StartTime) le StartOfDay", Unsupported(0)),
    (
        "TestValidBooleanExpressionSyntax: time('2015-10-14T23:30:00.104+02:00') lt now()",
        Unsupported(0),
    ),
    (
        "TestValidBooleanExpressionSyntax: time(2015-10-14T23:30:00.104+02:00) lt now()",
        Unsupported(0),
    ),
    ("TestValidBooleanExpressionSyntax: isof(ShipCountry,Edm.String)", Unsupported(0)),
    ("TestValidBooleanExpressionSyntax: isof(NorthwindModel.BigOrder)", Unsupported(0)),
    ("TestValidBooleanExpressionSyntax: cast(ShipCountry,Edm.String)", Unsupported(0)),
    ("TestValidBooleanExpressionSyntax: Region eq @p1", Unsupported(10)),
    (
        "TestValidBooleanExpressionSyntax: geo.distance(CurrentPosition,TargetPosition)",
        Unsupported(0),
    ),
    ("TestValidBooleanExpressionSyntax: geo.length(DirectRoute)", Unsupported(0)),
    ("TestValidBooleanExpressionSyntax: geo.intersects(Position,TargetArea)", Unsupported(0)),
    ("TestValidBooleanExpressionSyntax: GEO.INTERSECTS(Position,TargetArea)", Unsupported(0)),
    // Keyword literals in upper case
    ("TestInvalidBooleanExpressionSyntax: (TRUE)", Accept),
    ("TestInvalidBooleanExpressionSyntax: TRUE", Accept),
    ("TestInvalidBooleanExpressionSyntax: FALSE", Accept),
    // A bare name is a property of unknown type
    ("TestInvalidBooleanExpressionSyntax: (City)", Accept),
    ("TestInvalidBooleanExpressionSyntax: yes", Accept),
    ("TestInvalidBooleanExpressionSyntax: no", Accept),
    ("TestInvalidBooleanExpressionSyntax: City", Accept),
    ("TestInvalidExpressionSyntax: contains", Accept),
    // JSON arrays are refused where they start
    ("TestInvalidExpressionSyntax: not [City eq 'Dallas']", Unsupported(4)),
];

fn parse_fixture(text: &str) -> Fixture {
    serde_json::from_str(text).expect("fixture parses")
}

/// Runs every case of `fixture` and returns the disagreements not listed in `differences`
/// (and the listed ones that no longer come out as listed).
fn disagreements(label: &str, fixture: &Fixture, differences: &[(&str, Outcome)]) -> Vec<String> {
    let mut agree = [0usize; 2];
    let mut report = Vec::new();
    let mut seen = Vec::new();
    for case in &fixture.cases {
        let (expected, actual) = (case.expected(), case.run());
        let listed = differences.iter().find(|(name, _)| *name == case.name);
        if let Some(&(name, outcome)) = listed {
            seen.push(name);
            if actual != outcome || expected.admits(actual) {
                report.push(format!(
                    "{:?} ({}): listed as {outcome:?}, got {actual:?}, suite expects {expected:?}",
                    case.name, case.rule
                ));
            }
        } else if !expected.admits(actual) {
            report.push(format!(
                "{:?} ({}) {:?}: got {actual:?}, suite expects {expected:?}",
                case.name, case.rule, case.input
            ));
        }
        if expected.admits(actual) {
            agree[usize::from(expected != Accept)] += 1;
        }
    }
    for (name, _) in differences {
        assert!(seen.contains(name), "difference {name:?} names no case");
    }
    let accepts = fixture.cases.iter().filter(|c| c.expected() == Accept).count();
    eprintln!(
        "{label} {}: {} of {} cases agree ({} of {accepts} accepts, {} of {} rejects)",
        &fixture.commit[..8],
        agree[0] + agree[1],
        fixture.cases.len(),
        agree[0],
        agree[1],
        fixture.cases.len() - accepts,
    );
    report
}

#[test]
fn oasis_filter_cases_agree_except_the_listed_differences() {
    let report = disagreements("OASIS odata-abnf", &parse_fixture(FIXTURE), DIFFERENCES);
    assert!(report.is_empty(), "{} disagreements:\n{}", report.len(), report.join("\n"));
}

#[test]
fn olingo_expression_cases_agree_except_the_listed_differences() {
    let fixture = parse_fixture(OLINGO_FIXTURE);
    let report = disagreements("Apache Olingo ExpressionParserTest", &fixture, OLINGO_DIFFERENCES);
    assert!(report.is_empty(), "{} disagreements:\n{}", report.len(), report.join("\n"));
}

#[test]
fn godata_expression_cases_agree_except_the_listed_differences() {
    let fixture = parse_fixture(GODATA_FIXTURE);
    let report = disagreements("godata expression_parser_test", &fixture, GODATA_DIFFERENCES);
    assert!(report.is_empty(), "{} disagreements:\n{}", report.len(), report.join("\n"));
}

#[test]
fn every_listed_difference_is_explained_in_differences_md() {
    for (list, md) in [
        (DIFFERENCES, DIFFERENCES_MD),
        (OLINGO_DIFFERENCES, OLINGO_DIFFERENCES_MD),
        (GODATA_DIFFERENCES, GODATA_DIFFERENCES_MD),
    ] {
        for (name, _) in list {
            assert!(md.contains(&format!("`{name}`")), "{name:?} is not in its DIFFERENCES.md");
        }
    }
}

#[test]
fn fixture_names_are_unique() {
    for text in [FIXTURE, OLINGO_FIXTURE, GODATA_FIXTURE] {
        let fixture = parse_fixture(text);
        let mut names: Vec<&str> = fixture.cases.iter().map(|c| c.name.as_str()).collect();
        names.sort_unstable();
        let before = names.len();
        names.dedup();
        assert_eq!(names.len(), before);
    }
}
