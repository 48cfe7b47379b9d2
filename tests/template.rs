//! Tagged templates: interpolated values are literals, never syntax.

// The same tests run natively and, through wasm-bindgen-test-runner, in Node and headless
// Chromium (`make test-wasm-node`, `make test-wasm-browser`): plain `#[test]` is skipped there.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::query::encode::check_top;
use partner_referrals::query::template::number_literal;
use partner_referrals::query::{filter_from_template, parse, ExprKind, Literal, TemplateValue};
use partner_referrals::{Error, ErrorCode};

fn s(x: &str) -> TemplateValue {
    TemplateValue::String(x.into())
}

/// The literal on the right of `name eq <value>` after parsing the canonical form back.
fn right_literal(canonical: &str) -> Literal {
    let e = parse(canonical).unwrap();
    match e.kind {
        ExprKind::Binary { operands, .. } => {
            let [_, right] = *operands;
            match right.kind {
                ExprKind::Literal(l) => l,
                other => panic!("not a literal: {other:?}"),
            }
        }
        other => panic!("not a comparison: {other:?}"),
    }
}

#[test]
fn the_spec_example() {
    let f =
        filter_from_template(&["customerProfile/name eq ", ""], &[s("O'Brien & Co #1+2")]).unwrap();
    assert_eq!(f.canonical(), "customerProfile/name eq 'O''Brien & Co #1+2'");
    assert_eq!(f.to_string(), f.canonical());
}

#[test]
fn injection_attempts_come_back_as_the_literal_value() {
    let attacks = [
        "' or status eq 'New",
        "x') or (1 eq 1",
        "'' or true or ''",
        "a' and not status eq 'Closed",
        "& $top=1000 #",
        "+%27 or 1 eq 1",
        "%' or '1' eq '1",
        "💝🎉 ünïcödé",
        "\u{0}\u{1}\n\r\t\u{7f}\u{2028}",
        "'",
        "''",
        "",
        "\\' or 1 eq 1 --",
        ") or team/any(t:true",
    ];
    for attack in attacks {
        let f = filter_from_template(&["name eq ", ""], &[s(attack)])
            .unwrap_or_else(|e| panic!("{attack:?}: {e}"));
        assert_eq!(right_literal(f.canonical()), Literal::String(attack.into()), "{attack:?}");
        // Still one comparison: nothing leaked into the syntax.
        assert!(matches!(parse(f.canonical()).unwrap().kind, ExprKind::Binary { .. }));
        assert_eq!(f.fields(), ["name"]);
    }
}

#[test]
fn every_value_kind_renders_as_its_literal() {
    let t = DateTimeOffset::from_unix_millis(1_604_091_780_123);
    let f = filter_from_template(
        &[
            "createdDateTime gt ",
            " and details/dealValue ge ",
            " and externalReferenceId eq ",
            " and consent/consentToContact eq ",
            " and status in ",
            "",
        ],
        &[
            TemplateValue::DateTime(t),
            TemplateValue::Number(1500.5),
            TemplateValue::Null,
            TemplateValue::Bool(true),
            TemplateValue::List(vec![s("New"), s("Active")]),
        ],
    )
    .unwrap();
    assert_eq!(
        f.canonical(),
        "createdDateTime gt 2020-10-30T21:03:00.123Z and details/dealValue ge 1500.5 and externalReferenceId eq null and consent/consentToContact eq true and status in ('New','Active')"
    );
}

#[test]
fn numbers_come_back_as_the_same_f64() {
    for n in [0.0, -3.0, 0.1, 1e-9, 123_456_789.125, 1e21, -2.5e300, 9_007_199_254_740_993.0] {
        let f = filter_from_template(&["details/dealValue eq ", ""], &[TemplateValue::Number(n)])
            .unwrap();
        let Literal::Number(text) = right_literal(f.canonical()) else { panic!() };
        assert_eq!(text.parse::<f64>().unwrap(), n, "{text}");
    }
}

/// What Rust's `{}`/`{:e}` print, spelled out: the canonical number text of a template, pinned
/// here natively and (through the JS engine's digits) in Node and Chromium.
const NUMBER_TEXTS: &[(f64, &str)] = &[
    (0.0, "0"),
    (-0.0, "0"),
    (1.0, "1"),
    (-3.0, "-3"),
    (0.1, "0.1"),
    (0.30000000000000004, "0.30000000000000004"),
    (1500.5, "1500.5"),
    (123456.789, "123456.789"),
    (1e-6, "0.000001"),
    (0.000001234, "0.000001234"),
    (1e-7, "0.0000001"),
    (9.999999999999998e-8, "9.999999999999998e-8"),
    (1.5e-8, "1.5e-8"),
    (1e-9, "1e-9"),
    (1e20, "100000000000000000000"),
    (1.2345678901234568e20, "123456789012345680000"),
    (1e21, "1e21"),
    (1.5e21, "1.5e21"),
    (-2.5e300, "-2.5e300"),
    (9007199254740992.0, "9007199254740992"),
    (9007199254740994.0, "9007199254740994"),
    (2147483647.0, "2147483647"),
    (f64::MAX, "1.7976931348623157e308"),
    (f64::MIN_POSITIVE, "2.2250738585072014e-308"),
    (5e-324, "5e-324"),
];

fn install_platform() {
    // wasm-bindgen-test runs no start function: install the JS hooks the package starts with.
    #[cfg(target_arch = "wasm32")]
    partner_referrals::wasm::install_platform();
}

#[test]
fn numbers_print_exactly_as_rust_prints_them() {
    install_platform();
    for &(n, text) in NUMBER_TEXTS {
        assert_eq!(number_literal(n).as_deref(), Some(text), "{n:e}");
        let f = filter_from_template(&["details/dealValue eq ", ""], &[TemplateValue::Number(n)])
            .unwrap();
        assert_eq!(f.canonical(), format!("details/dealValue eq {text}"));
    }
    // Sweeps against std's formatting (compiled into this test on every target; the library
    // itself prints through the platform): random bit patterns, and 53-bit integers scaled by
    // small powers of two, whose short exact decimals make ties between two shortest digit
    // strings common (std prints the larger, JS engines the even one).
    let mut x = 0x9e37_79b9_7f4a_7c15_u64;
    for i in 0..60_000 {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        let n = if i % 2 == 0 {
            f64::from_bits(x)
        } else {
            (x >> 11) as f64 / f64::from(1u32 << (x % 16))
        };
        let expected = if !n.is_finite() {
            None
        } else if n == 0.0 {
            Some("0".to_string())
        } else if (1e-7..1e21).contains(&n.abs()) {
            Some(format!("{n}"))
        } else {
            Some(format!("{n:e}"))
        };
        assert_eq!(number_literal(n), expected, "{n:e}");
    }
}

#[test]
fn messages_print_numbers_as_rust_does() {
    install_platform();
    for (top, text) in
        [(1.5, "1.5"), (1e21, "1000000000000000000000"), (-0.0, "-0"), (f64::NAN, "NaN")]
    {
        let err = check_top(top).unwrap_err();
        assert_eq!(
            err.to_string(),
            format!("`$top` must be a positive integer up to 2147483647, found `{text}`")
        );
    }
    let err = check_top(f64::NEG_INFINITY).unwrap_err();
    assert!(err.to_string().ends_with("found `-inf`"), "{err}");
    let err = filter_from_template(
        &["details/dealValue eq ", ""],
        &[TemplateValue::Number(f64::INFINITY)],
    )
    .unwrap_err();
    assert!(err.to_string().contains("`inf` cannot be sent as a filter value"), "{err}");
}

#[test]
fn values_are_validated_like_string_filters() {
    let err = filter_from_template(&["status eq ", ""], &[s("new")]).unwrap_err();
    assert!(matches!(err, Error::UnknownEnumValue { .. }));
    assert_eq!(err.span().unwrap().start, 10, "position in the rendered text");
    let err = filter_from_template(
        &["status in ", ""],
        &[TemplateValue::List(vec![s("New"), s("Bogus")])],
    )
    .unwrap_err();
    assert_eq!(err.span().unwrap().start, 17);
    let err =
        filter_from_template(&["details/dealValue eq ", ""], &[TemplateValue::Number(f64::NAN)])
            .unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidFilter);
    assert_eq!(err.span().unwrap().start, 21);
    let err = filter_from_template(&["name eq '", "'"], &[s("x")]).unwrap_err();
    assert!(err.to_string().contains("do not put quotes"), "{err}");
    let err =
        filter_from_template(&["status in ", ""], &[TemplateValue::List(vec![])]).unwrap_err();
    assert!(err.to_string().contains("empty array"), "{err}");
}

#[test]
fn values_cannot_glue_onto_neighbouring_tokens() {
    // Without separation `name eq${"x"}or` would still lex, but `eq${5}` must not become `eq5`.
    let f = filter_from_template(
        &["details/dealValue eq", "or name eq", ""],
        &[TemplateValue::Number(5.0), s("x")],
    )
    .unwrap();
    assert_eq!(f.canonical(), "details/dealValue eq 5 or name eq 'x'");
}

/// Deterministic pseudo-random strings (xorshift) over a hostile alphabet: each must come back
/// unchanged as the literal's value.
#[test]
fn random_strings_round_trip_through_templates() {
    let alphabet: Vec<char> =
        "'\"&#+%=?/\\() ,:;$@!*~`^|{}[]<>\n\t\r\u{0}aZ9 💝é\u{ffff}\u{2028}".chars().collect();
    let mut state = 0x2545_F491_4F6C_DD1Du64;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    for _ in 0..2000 {
        let len = (next() % 12) as usize;
        let value: String =
            (0..len).map(|_| alphabet[(next() % alphabet.len() as u64) as usize]).collect();
        let f = filter_from_template(&["name eq ", ""], &[s(&value)]).unwrap();
        assert_eq!(right_literal(f.canonical()), Literal::String(value.clone()), "{value:?}");
    }
}

/// A compiled [`Template`] gives exactly what `filter_from_template` gives (canonical text,
/// fields, error message and position) for every call, whatever calls came before: first calls
/// of a shape, later calls that take the spliced path, and values whose checks fail.
#[test]
fn compiled_templates_build_exactly_what_the_slow_way_builds() {
    use partner_referrals::query::template::Template;
    use TemplateValue::{Bool, DateTime, List, Null, Number};
    let t0 = DateTimeOffset::from_unix_millis(1_604_091_780_123);
    let t1 = DateTimeOffset::from_unix_millis(1_604_091_780_000);
    let min = DateTimeOffset::from_unix_millis(-62_167_219_200_000);
    let max = DateTimeOffset::from_unix_millis(253_402_300_799_999);
    let guid = "65edc0b5-3485-41b7-a17e-dfa9ef4706e2";
    let long = "x".repeat(3000);
    let strings = [
        s("Contoso"),
        s("O'Brien & Co #1+2"),
        s(""),
        s("'"),
        s("New"),
        s("new"),
        s("Active"),
        s(guid),
        s("not a guid"),
        s(&long),
        s("💝 ünï\u{e000}0\u{e001}"),
        s("' or 1 eq 1 or '"),
    ];
    let numbers = [0.0, -0.0, 5.0, -3.0, 1500.5, -0.25, 1e21, 1.5e-8, -2e-9, 1e300, f64::NAN];
    let mut scalars: Vec<TemplateValue> = strings.to_vec();
    scalars.extend(numbers.iter().map(|n| Number(*n)));
    scalars.extend([Null, Bool(true), Bool(false), DateTime(t0), DateTime(t1), DateTime(min)]);
    scalars.push(DateTime(max));
    let mut lists = vec![
        List(vec![]),
        List(vec![s("New"), s("Active")]),
        List(vec![s("New"), s("bogus")]),
        List(vec![s("Active"), s("Closed")]),
        List(vec![s("New")]),
        List(vec![Number(1.0), Number(2.5)]),
        List(vec![List(vec![s("New")])]),
        List(vec![s("a"), Null]),
    ];
    lists.extend(scalars.iter().cloned());
    let templates: &[&[&str]] = &[
        &[
            "customerProfile/name eq ",
            " and customerProfile/address/country eq ",
            " and createdDateTime ge ",
            "",
        ],
        &["name eq ", ""],
        &["status eq ", ""],
        &["status in ", ""],
        &["status has ", ""],
        &["engagementId eq ", ""],
        &["details/dealValue ge ", " or details/dealValue lt ", ""],
        &["consent/consentToContact eq ", ""],
        &["contains(name,", ") and startswith(name,", ")"],
        &["", " eq name"],
        &["team/any(t:t/email eq ", ")"],
        &["name eq ", "", ""],
        &["name eq '", "'"],
        &["name eq 'a ", " b'"],
        &["details/dealValue eq -", ""],
        &["name eq", "or name eq", ""],
        &["createdDateTime gt ", " sub duration'P1D'"],
        &["stauts eq ", ""],
        &["name in ", " and status eq 'New'"],
    ];
    let mut compiled = 0;
    for parts in templates {
        let mut template = Template::new(parts.iter().map(|p| p.to_string()).collect());
        let arity = parts.len() - 1;
        let pool = if parts[0].ends_with(" in ") { &lists } else { &scalars };
        // Every value in every hole, twice over (the second round finds the plans made).
        for round in 0..2 {
            for (k, value) in pool.iter().enumerate() {
                let values: Vec<TemplateValue> = (0..arity)
                    .map(|j| {
                        if j == 0 {
                            value.clone()
                        } else {
                            pool[(k + j + round) % pool.len()].clone()
                        }
                    })
                    .collect();
                let slow = filter_from_template(parts, &values);
                let fast = template.build(&values);
                match (slow, fast) {
                    (Ok(slow), Ok(fast)) => {
                        assert_eq!(fast.canonical, slow.canonical(), "{parts:?} {values:?}");
                        let encoded = partner_referrals::query::percent_encode(slow.canonical());
                        assert_eq!(fast.encoded, encoded, "{parts:?} {values:?}");
                        assert_eq!(template.fields(&fast), slow.fields(), "{parts:?} {values:?}");
                        compiled += usize::from(fast.fields.is_ok());
                    }
                    (Err(slow), Err(fast)) => {
                        assert_eq!(fast, slow, "{parts:?} {values:?}");
                        assert_eq!(fast.to_string(), slow.to_string());
                    }
                    (slow, fast) => panic!("{parts:?} {values:?}: {slow:?} vs {fast:?}"),
                }
            }
        }
    }
    assert!(compiled > 100, "the plans were used: {compiled}");
}
