//! Parse → print → parse: the canonical form is stable and structurally faithful.

// The same tests run natively and, through wasm-bindgen-test-runner, in Node and headless
// Chromium (`make test-wasm-node`, `make test-wasm-browser`): plain `#[test]` is skipped there.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;

use partner_referrals::query::{parse, validate_filter, Expr, ExprKind, MAX_FILTER_LEN};
use partner_referrals::{Error, ErrorCode};

#[track_caller]
fn verified(src: &str) -> Expr {
    parses_to(src, src)
}

#[track_caller]
fn parses_to(src: &str, canonical: &str) -> Expr {
    let short: String = src.chars().take(200).collect();
    let ast = parse(src).unwrap_or_else(|e| panic!("{short:?}: {e}"));
    assert!(ast.to_string() == canonical, "printing {short:?} gave {:?}", ast.to_string());
    let again = parse(canonical).unwrap_or_else(|e| panic!("canonical of {short:?}: {e}"));
    assert!(again.to_string() == canonical, "not idempotent: {short:?}");
    assert!(again == ast, "parse(canonical) != parse(original) for {short:?}");
    ast
}

#[test]
fn documented_filters_are_canonical_and_schema_valid() {
    for src in common::DOCUMENTED {
        verified(src);
        let info = validate_filter(src, true).unwrap_or_else(|e| panic!("{src}: {e}"));
        assert_eq!(info.canonical, *src);
    }
    parses_to(
        "(type eq 'Shared' and direction eq 'Incoming')",
        "type eq 'Shared' and direction eq 'Incoming'",
    );
}

#[test]
fn corpus_filters_are_canonical_and_schema_valid() {
    for src in common::CORPUS {
        verified(src);
        let info = validate_filter(src, true).unwrap_or_else(|e| panic!("{src}: {e}"));
        assert_eq!(info.canonical, *src);
        assert!(!info.fields.is_empty(), "{src}");
    }
}

#[test]
fn normalisation_cases() {
    let cases = [
        ("  status   EQ  'New'  ", "status eq 'New'"),
        ("((status eq 'New'))", "status eq 'New'"),
        ("(a eq 1) and ((b eq 2) and (c eq 3))", "a eq 1 and b eq 2 and c eq 3"),
        ("a eq 1 or (b eq 2 or c eq 3)", "a eq 1 or b eq 2 or c eq 3"),
        ("(a eq 1 or b eq 2) and c eq 3", "(a eq 1 or b eq 2) and c eq 3"),
        ("a eq 1 and (b eq 2 or c eq 3)", "a eq 1 and (b eq 2 or c eq 3)"),
        ("(a add b) add c eq 1", "a add b add c eq 1"),
        ("a add (b add c) eq 1", "a add (b add c) eq 1"),
        ("a sub (b sub c) eq 1", "a sub (b sub c) eq 1"),
        ("(a mul b) add c eq 1", "a mul b add c eq 1"),
        ("NOT(a)", "not a"),
        // `in` and `has` bind tighter than `not` and `-`; parentheses only where needed.
        ("not (status in ('New','Active'))", "not status in ('New','Active')"),
        ("not status in ('New','Active')", "not status in ('New','Active')"),
        ("(not a) in (true)", "(not a) in (true)"),
        ("- (1 in (1))", "- 1 in (1)"),
        ("a eq (b in (1))", "a eq b in (1)"),
        ("(a eq b) in (true)", "(a eq b) in (true)"),
        ("x in ( )", "x in ()"),
        ("team/any(team:team/email eq 'a')", "team/any(team:team/email eq 'a')"),
        // Every fractional digit OData allows (12) is kept; trailing zeros carry no value.
        ("d eq 2020-10-30T21:03:00.123456789012Z", "d eq 2020-10-30T21:03:00.123456789012Z"),
        (
            "d eq 2020-10-30T21:03:00.000000000001+01:00",
            "d eq 2020-10-30T21:03:00.000000000001+01:00",
        ),
        ("d eq 2020-10-30T21:03:00.1234567000Z", "d eq 2020-10-30T21:03:00.1234567Z"),
        ("d eq duration'pt0.123456789012s'", "d eq duration'PT0.123456789012S'"),
        ("d ge 2026-11-15 SUB duration'P14D'", "d ge 2026-11-15 sub duration'P14D'"),
        ("not (not a)", "not not a"),
        ("- (3)", "-3"),
        ("a eq -(-3)", "a eq 3"),
        ("Contains( name , 'x' )", "contains(name,'x')"),
        ("team/ANY( t : t/email eq 'x' )", "team/any(t:t/email eq 'x')"),
        ("x In ( 1 , 2 )", "x in (1,2)"),
        ("x eq 1E5", "x eq 1e5"),
        (
            "x eq +42 or x eq +0.314E+1 or x add +1 eq -1",
            "x eq 42 or x eq 0.314e+1 or x add 1 eq -1",
        ),
        ("x in ( 'a' , -1 , null , true )", "x in ('a',-1,null,true)"),
        ("x eq TRUE or x eq False or x eq NULL", "x eq true or x eq false or x eq null"),
        ("x eq 65EDC0B5-3485-41B7-A17E-DFA9EF4706E2", "x eq 65edc0b5-3485-41b7-a17e-dfa9ef4706e2"),
        ("x eq 2020-10-30T21:03:00.0000000Z", "x eq 2020-10-30T21:03:00Z"),
        ("x eq 2020-10-30t21:03z", "x eq 2020-10-30T21:03:00Z"),
        ("x eq Duration'p1d'", "x eq duration'P1D'"),
        ("x eq 'it''s' and y eq ''''", "x eq 'it''s' and y eq ''''"),
        ("x eq\t'a'\nand\r\ny eq 1", "x eq 'a' and y eq 1"),
    ];
    for (src, canonical) in cases {
        parses_to(src, canonical);
    }
}

/// A small deterministic generator (xorshift) standing in for proptest: random filters built
/// from a grammar must print canonically and re-parse to the same tree.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }
    fn pick<'a>(&mut self, xs: &[&'a str]) -> &'a str {
        xs[(self.next() % xs.len() as u64) as usize]
    }
}

fn random_expr(rng: &mut Rng, depth: u32) -> String {
    let leaf = |rng: &mut Rng| {
        let lits = ["1", "-2.5", "'a''b'", "null", "true", "2020-12-01", "x", "y/z", "1e3"];
        rng.pick(&lits).to_string()
    };
    if depth == 0 {
        return leaf(rng);
    }
    let ops = ["and", "or", "eq", "ne", "lt", "add", "sub", "mul", "div", "mod", "has"];
    match rng.next() % 7 {
        0 => format!("not {}", random_expr(rng, depth - 1)),
        1 => format!("({})", random_expr(rng, depth - 1)),
        2 => format!("- {}", random_expr(rng, depth - 1)),
        3 => format!("f({},{})", random_expr(rng, depth - 1), random_expr(rng, depth - 1)),
        4 => format!("c/any(v:{})", random_expr(rng, depth - 1)),
        5 => {
            // Lists of two or more items hold literals only (OData's `listExpr`).
            let lits = ["1", "-2.5", "'a''b'", "null", "true", "2020-12-01", "1e3"];
            let (a, b) = (rng.pick(&lits), rng.pick(&lits));
            format!("{} in ({a},{b})", random_expr(rng, depth - 1))
        }
        _ => {
            let op = rng.pick(&ops);
            format!("{} {op} {}", random_expr(rng, depth - 1), random_expr(rng, depth - 1))
        }
    }
}

#[test]
fn random_filters_print_idempotently() {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    for _ in 0..3000 {
        let depth = (rng.next() % 6) as u32;
        let src = random_expr(&mut rng, depth);
        let ast = parse(&src).unwrap_or_else(|e| panic!("{src:?}: {e}"));
        let canonical = ast.to_string();
        let again = parse(&canonical).unwrap_or_else(|e| panic!("{canonical:?} from {src:?}: {e}"));
        assert_eq!(again, ast, "{src:?} -> {canonical:?}");
        assert_eq!(again.to_string(), canonical);
    }
}

#[test]
fn every_proper_prefix_of_a_valid_filter_is_an_error() {
    for src in common::DOCUMENTED.iter().chain(common::CORPUS) {
        for (end, _) in src.char_indices().skip(1) {
            let prefix = &src[..end];
            let schema_result = validate_filter(prefix, true);
            let syntax_result = validate_filter(prefix, false);
            // Some prefixes are complete filters by themselves (`status eq 'New'` of a chain);
            // every other prefix must be an error, and none may panic.
            if syntax_result.is_ok() {
                continue;
            }
            let err = schema_result.unwrap_err();
            assert_eq!(err.code(), ErrorCode::InvalidFilter, "{prefix:?}");
            let len = prefix.encode_utf16().count() as u32;
            let at = err.span().map(|s| s.start).unwrap_or(u32::MAX);
            assert!(at <= len, "{prefix:?}: {err} points past the end");
        }
    }
}

#[test]
fn empty_and_blank_input_is_an_error_at_the_end() {
    for (src, at) in [("", 0), ("   ", 3), ("💝", 0)] {
        let err = parse(src).unwrap_err();
        assert_eq!(err.span().unwrap().start, at, "{src:?}");
    }
}

#[test]
fn ten_thousand_nested_parens_hit_the_depth_limit_with_a_position() {
    let src = format!("{}a eq 1{}", "(".repeat(10_000), ")".repeat(10_000));
    match parse(&src) {
        Err(Error::TooDeep { span, max }) => {
            assert_eq!(max, 64);
            // 64 levels are in use (the whole filter plus 63 parentheses) at the 65th token.
            assert_eq!(span.start, 64);
        }
        other => panic!("{other:?}"),
    }
    let open_only = "(".repeat(10_000);
    assert!(matches!(parse(&open_only), Err(Error::TooDeep { .. })));
}

#[test]
fn thousand_nots_and_thousand_adds_hit_the_depth_limit() {
    let nots = format!("{}a", "not ".repeat(1000));
    let err = parse(&nots).unwrap_err();
    assert!(matches!(err, Error::TooDeep { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::InvalidFilter);
    assert_eq!(err.span().unwrap().start, 64 * 4);

    let adds = format!("a{} eq 1", " add a".repeat(1000));
    let err = parse(&adds).unwrap_err();
    assert!(matches!(err, Error::TooDeep { .. }), "{err:?}");
    assert!(err.span().unwrap().start > 0);

    let negs = format!("{}a eq 1", "-".repeat(1000));
    assert!(matches!(parse(&negs), Err(Error::TooDeep { .. })));
    let lambdas = format!("{}true{}", "c/any(v:".repeat(500), ")".repeat(500));
    assert!(matches!(parse(&lambdas), Err(Error::TooDeep { .. })));
    let calls = format!("{}x{}", "f(".repeat(500), ")".repeat(500));
    assert!(matches!(parse(&calls), Err(Error::TooDeep { .. })));
}

#[test]
fn ten_thousand_or_terms_parse_print_and_check() {
    let src = (0..10_000).map(|i| format!("name eq 'n{i}'")).collect::<Vec<_>>().join(" or ");
    let ast = parses_to(&src, &src);
    let ExprKind::Or(items) = &ast.kind else { panic!("not an or chain") };
    assert_eq!(items.len(), 10_000);
    let info = validate_filter(&src, true).unwrap();
    assert_eq!(info.fields, ["name"]);
    let ands = (0..10_000).map(|i| format!("x ne {i}")).collect::<Vec<_>>().join(" and ");
    assert!(validate_filter(&ands, false).is_ok());
}

#[test]
fn overlong_input_is_rejected_up_front() {
    let src = format!("name eq '{}'", "x".repeat(1_000_000));
    let err = parse(&src).unwrap_err();
    assert!(matches!(err, Error::TooLong { len: 1_000_010, max: MAX_FILTER_LEN }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::InvalidFilter);
    assert_eq!(err.span().unwrap().start, MAX_FILTER_LEN as u32);
    let astral = "💝".repeat(MAX_FILTER_LEN / 2 + 1);
    assert!(matches!(parse(&astral), Err(Error::TooLong { .. })));
    let fits = format!("name eq '{}'", "x".repeat(MAX_FILTER_LEN - 10));
    assert!(validate_filter(&fits, true).is_ok());
}
