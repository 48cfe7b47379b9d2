//! Offline evaluation against the documented page and hand-made records.

// The same tests run natively and, through wasm-bindgen-test-runner, in Node and headless
// Chromium (`make test-wasm-node`, `make test-wasm-browser`): plain `#[test]` is skipped there.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::query::Filter;
use serde_json::{json, Value};

fn seed_referral() -> Value {
    let page: Value =
        serde_json::from_str(include_str!("fixtures/seed-page.json")).expect("fixture is JSON");
    page["value"][0].clone()
}

fn now() -> DateTimeOffset {
    DateTimeOffset::parse("2020-11-05T12:00:00Z").unwrap()
}

#[track_caller]
fn eval(filter: &str, record: &Value) -> bool {
    // wasm-bindgen-test runs no start function: install the JS hooks the package starts with.
    #[cfg(target_arch = "wasm32")]
    partner_referrals::wasm::install_platform();
    Filter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}")).matches(record, now())
}

#[test]
fn seed_referral_matches_what_it_should() {
    let r = seed_referral();
    let matching = [
        "engagementId eq '65edc0b5-3485-41b7-a17e-dfa9ef4706e2'",
        "engagementId eq 65EDC0B5-3485-41B7-A17E-DFA9EF4706E2",
        "status eq 'New' and qualification eq 'Direct'",
        "customerProfile/address/country eq 'US' and direction eq 'Incoming'",
        "direction eq 'Incoming' and substatus eq 'Pending'",
        "status in ('New','Active')",
        "details/dealValue ge 10000 and details/dealValue lt 10000.01",
        // `dealValue` is an Edm.Decimal: `div` is a real division (integer only for integers).
        "details/dealValue mul 2 eq 20000 and details/dealValue div 4 eq 2500",
        "details/dealValue div 3 gt 3333.33 and details/dealValue div 3 lt 3333.34",
        "7 div 2 eq 3 and 7.0 div 2 eq 3.5 and -7 div 2 eq -3 and 7 divby 2 eq 3.5",
        "length(customerProfile/name) div 2 mul 2 le length(customerProfile/name)",
        "details/dealValue divby 4 eq 2500 and details/dealValue mod 3 eq 1",
        "createdDateTime eq 2020-10-30T21:03:00Z",
        "createdDateTime eq 2020-10-30T22:03:00+01:00",
        "createdDateTime gt 2020-10-30 and createdDateTime lt 2020-10-31",
        "date(createdDateTime) eq 2020-10-30",
        "year(createdDateTime) eq 2020 and month(createdDateTime) eq 10 and day(createdDateTime) eq 30",
        "hour(createdDateTime) eq 21 and minute(createdDateTime) eq 3 and second(createdDateTime) eq 0",
        "updatedDateTime ge createdDateTime",
        "createdDateTime gt now() sub duration'P7D'",
        "createdDateTime add duration'P14D' gt now()",
        "now() sub createdDateTime lt duration'P6D'",
        "details/closingDateTime eq 2020-12-01",
        "contains(customerProfile/name,'Fabrikam')",
        "startswith(tolower(customerProfile/name),'fabrikam') and endswith(customerProfile/name,'Inc')",
        "toupper(customerProfile/address/city) eq 'REDMOND'",
        "length(customerProfile/address/state) eq 2",
        "indexof(customerProfile/name,'Customer') eq 9",
        "substring(customerProfile/name,0,8) eq 'Fabrikam'",
        "concat(customerProfile/address/city,customerProfile/address/state) eq 'RedmondWA'",
        "trim(customerProfile/address/addressLine2) eq ''",
        "details/requirements/industries/any(i:i/id eq 'Education')",
        "details/requirements/solutions/all(s:startswith(s/id,'SOL-'))",
        "team/all(t:t/email eq 'nobody')",
        "not team/any()",
        "externalReferenceId eq null and expirationDateTime eq null",
        "statusReason ne 'x'",
        "links/self/method eq 'GET'",
        "organizationName gt 'A' and organizationName lt 'D'",
        // Ordering with null is false (not null), so its negation is true.
        "not (expirationDateTime lt now())",
    ];
    for f in matching {
        assert!(eval(f, &r), "should match: {f}");
    }
    let not_matching = [
        "status eq 'Active'",
        "status ne 'New'",
        "engagementId eq '00000000-0000-0000-0000-000000000000'",
        "details/dealValue gt 10000",
        "createdDateTime lt 2020-10-30",
        "contains(customerProfile/name,'fabrikam')",
        "team/any(t:t/email eq 'r2d2@contoso.com')",
        "team/any()",
        "details/requirements/solutions/any(s:s/type eq 'Name')",
        "externalReferenceId ne null",
        "statusReason eq 'x'",
        "expirationDateTime lt now()",
        "expirationDateTime ge now()",
        "consent/consentToContact eq true",
        "not (consent/consentToContact eq true) and status eq 'Closed'",
    ];
    for f in not_matching {
        assert!(!eval(f, &r), "should not match: {f}");
    }
}

#[test]
fn missing_properties_are_null_and_nulls_propagate_three_valued() {
    let r = json!({ "status": "New" });
    assert!(eval("name eq null", &r));
    assert!(!eval("name ne null", &r));
    assert!(!eval("name eq 'x'", &r));
    assert!(eval("name ne 'x'", &r));
    assert!(!eval("name gt 'a'", &r));
    assert!(!eval("name lt 'a'", &r));
    // `consentToContact` is missing: null. `not null` is null, which does not match.
    assert!(!eval("consent/consentToContact", &r));
    assert!(!eval("not consent/consentToContact", &r));
    // null or true = true; null and false = false; null and true = null (no match).
    assert!(eval("consent/consentToContact or status eq 'New'", &r));
    assert!(!eval("consent/consentToContact and status eq 'New'", &r));
    assert!(eval("not (consent/consentToContact and status eq 'Active')", &r));
    // Functions of null are null.
    assert!(!eval("contains(name,'x')", &r));
    assert!(!eval("not contains(name,'x')", &r));
    assert!(!eval("length(name) eq 0", &r));
}

#[test]
fn lambdas_over_empty_null_and_mixed_collections() {
    let empty = json!({ "team": [] });
    let missing = json!({});
    let team = json!({ "team": [
        { "email": "a@contoso.com", "firstName": "Ada" },
        { "email": "b@fabrikam.com" },
    ]});
    assert!(!eval("team/any()", &empty));
    assert!(!eval("team/any(t:t/email eq 'x')", &empty));
    assert!(eval("team/all(t:t/email eq 'x')", &empty));
    assert!(!eval("team/any(t:t/email eq 'x')", &missing));
    assert!(eval("team/all(t:t/email eq 'x')", &missing));
    assert!(eval("team/any()", &team));
    assert!(eval("team/any(t:endswith(t/email,'@fabrikam.com'))", &team));
    assert!(!eval("team/all(t:endswith(t/email,'@contoso.com'))", &team));
    assert!(eval("team/all(t:contains(t/email,'@'))", &team));
    // The second member has no firstName: null; `all` of (true, null) is null.
    assert!(!eval("team/all(t:startswith(t/firstName,'A'))", &team));
    assert!(eval("team/any(t:startswith(t/firstName,'A'))", &team));
    assert!(eval("team/any(t:t/firstName eq null)", &team));
    let nested =
        json!({ "team": [{ "email": "x" }], "customerProfile": { "team": [{ "email": "x" }] } });
    assert!(eval("team/any(t:customerProfile/team/any(c:c/email eq t/email))", &nested));
}

#[test]
fn strings_compare_case_sensitively_in_utf16_order_and_count_utf16_units() {
    let r = json!({ "name": "a💝b", "customerProfile": { "name": "Zeta" } });
    assert!(eval("length(name) eq 4", &r));
    assert!(eval("indexof(name,'b') eq 3", &r));
    assert!(eval("substring(name,1,2) eq '💝'", &r));
    assert!(eval("substring(name,3) eq 'b'", &r));
    assert!(eval("customerProfile/name lt 'a'", &r), "uppercase sorts before lowercase");
    assert!(!eval("customerProfile/name eq 'zeta'", &r));
    assert!(eval("tolower(customerProfile/name) eq 'zeta'", &r));
    assert!(eval("name gt '\u{ff61}' eq false", &r), "astral chars sort below U+FF61 as in JS");
}

#[test]
fn tolower_and_toupper_use_unicode_case_mapping() {
    let r =
        json!({ "name": "ÉCOLE Straße ΣΊΣΥΦΟΣ ǅ 💝", "customerProfile": { "name": "ASCII Only" } });
    assert!(eval("tolower(name) eq 'école straße σίσυφος ǆ 💝'", &r), "final sigma too");
    assert!(eval("toupper(name) eq 'ÉCOLE STRASSE ΣΊΣΥΦΟΣ Ǆ 💝'", &r));
    assert!(eval("tolower(customerProfile/name) eq 'ascii only'", &r));
    assert!(eval("toupper(customerProfile/name) eq 'ASCII ONLY'", &r));
}

#[test]
fn long_and_far_out_decimals_round_like_rust() {
    // Each string is more than one exact float operation away from its value (more digits than
    // 2^53, or beyond 10^22), the literal is not: both must land on the same f64.
    for (text, literal) in [
        ("9007199254740993", "9007199254740992"),
        ("0.30000000000000000001", "0.3"),
        ("1e23", "99999999999999991611392"),
        ("1.7976931348623157e308", "17976931348623157e292"),
        ("4.9406564584124654e-324", "5e-324"),
        ("2500.500000000000000000001", "2500.5"),
    ] {
        let r = json!({ "details": { "dealValue": text } });
        assert!(eval(&format!("details/dealValue eq {literal}"), &r), "{text} = {literal}");
        assert!(!eval(&format!("details/dealValue ne {literal}"), &r), "{text} = {literal}");
    }
    let r = json!({ "details": { "dealValue": "1e400" } });
    assert!(eval("details/dealValue eq INF", &r));
    assert!(eval("details/dealValue gt 1.7976931348623157e308", &r));
}

#[test]
fn decimal_values_may_be_numbers_or_strings() {
    for value in [json!(1500.5), json!("1500.50"), json!(" 1500.5 ")] {
        let r = json!({ "details": { "dealValue": value } });
        assert!(eval("details/dealValue eq 1500.5", &r), "{value}");
        assert!(eval("details/dealValue gt 1500 and details/dealValue lt 1501", &r), "{value}");
        assert!(eval("round(details/dealValue) eq 1501 and floor(details/dealValue) eq 1500", &r));
    }
    let bad = json!({ "details": { "dealValue": "lots" } });
    assert!(eval("details/dealValue eq null", &bad), "an unreadable decimal is null");
    let zero = json!({ "details": { "dealValue": 0 } });
    assert!(!eval("10 div details/dealValue eq 0", &zero), "division by zero is null");
}

#[test]
fn enum_values_are_compared_as_strings_including_unknown_ones() {
    let r = json!({ "status": "Archived", "type": "Shared" });
    assert!(!eval("status eq 'New'", &r));
    assert!(eval("status ne 'New'", &r));
    assert!(!eval("status in ('New','Active','Closed','None')", &r));
    assert!(eval("type has 'Shared'", &r));
}

#[test]
fn dates_compare_by_instant_whatever_the_offset_or_precision() {
    let r = json!({
        "createdDateTime": "2020-10-30T21:03:00.1234567Z",
        "updatedDateTime": "2020-10-30T23:03:00.1+02:00",
        "expirationDateTime": "not a date"
    });
    assert!(eval("createdDateTime gt 2020-10-30T21:03:00Z", &r));
    assert!(eval("createdDateTime lt 2020-10-30T21:03:00.2Z", &r));
    assert!(eval("updatedDateTime lt createdDateTime", &r));
    assert!(eval("hour(updatedDateTime) eq 23", &r), "hour() is in the value's own offset");
    assert!(eval("expirationDateTime eq null", &r), "an unreadable date is null");
}

#[test]
fn now_comes_from_the_caller() {
    let r = json!({ "expirationDateTime": "2020-11-10T00:00:00Z" });
    let f = Filter::parse("expirationDateTime gt now()").unwrap();
    assert!(f.matches(&r, DateTimeOffset::parse("2020-11-09T00:00:00Z").unwrap()));
    assert!(!f.matches(&r, DateTimeOffset::parse("2020-11-11T00:00:00Z").unwrap()));
}

#[test]
fn ten_thousand_or_terms_evaluate() {
    let src = (0..10_000).map(|i| format!("name eq 'n{i}'")).collect::<Vec<_>>().join(" or ");
    let f = Filter::parse(&src).unwrap();
    assert!(f.matches(&json!({ "name": "n9999" }), now()));
    assert!(!f.matches(&json!({ "name": "n10000" }), now()));
    let ands = (0..10_000).map(|i| format!("name ne 'n{i}'")).collect::<Vec<_>>().join(" and ");
    let f = Filter::parse(&ands).unwrap();
    assert!(f.matches(&json!({ "name": "zzz" }), now()));
    assert!(!f.matches(&json!({ "name": "n5000" }), now()));
}

#[test]
fn non_object_records_match_nothing_but_null_tests() {
    for r in [json!(null), json!([]), json!("x"), json!(1)] {
        assert!(!eval("status eq 'New'", &r));
        assert!(eval("status eq null", &r));
    }
}

#[test]
fn date_and_time_arithmetic_is_exact() {
    let r = json!({
        "createdDateTime": "2026-11-01T00:00:00Z",
        "updatedDateTime": "2026-11-01T00:00:00.000000000001Z",
    });
    // Date − Duration is a Date (the time part of the shifted midnight is dropped).
    assert!(eval("createdDateTime ge 2026-11-15 sub duration'P14D'", &r));
    assert!(eval("createdDateTime ge 2026-11-15 sub duration'P13DT23H'", &r));
    assert!(!eval("createdDateTime ge 2026-11-15 sub duration'P13D'", &r));
    assert!(eval("createdDateTime lt 2026-11-15 sub duration'PT1S' sub duration'P12D'", &r));
    assert!(eval("2026-11-15 sub duration'PT1H' eq 2026-11-14", &r));
    assert!(eval("2026-11-15 add duration'PT23H59M59.999999999999S' eq 2026-11-15", &r));
    assert!(eval("2026-11-15 sub 2026-11-01 eq duration'P14D'", &r));
    // DateTimeOffset ± Duration and − DateTimeOffset to the picosecond.
    assert!(eval("updatedDateTime sub createdDateTime eq duration'PT0.000000000001S'", &r));
    assert!(eval("createdDateTime add duration'PT0.000000000001S' eq updatedDateTime", &r));
    assert!(eval("updatedDateTime gt createdDateTime", &r));
    assert!(eval("updatedDateTime sub duration'P1000000D' lt createdDateTime", &r));
    // Durations scale by numbers.
    assert!(eval("duration'PT1H' mul 1.5 eq duration'PT1H30M'", &r));
    assert!(eval("duration'P1D' div 3 eq duration'PT8H'", &r));
    assert!(eval("-duration'PT1H' add duration'PT2H' eq duration'PT1H'", &r));
}

#[test]
fn twelve_fractional_digits_compare_exactly() {
    let r = json!({ "createdDateTime": "2020-10-30T21:03:00.1234567Z" });
    assert!(eval("createdDateTime lt 2020-10-30T21:03:00.123456700001Z", &r));
    assert!(eval("createdDateTime gt 2020-10-30T21:03:00.123456699999Z", &r));
    assert!(eval("createdDateTime eq 2020-10-30T21:03:00.123456700000Z", &r));
}

#[test]
fn the_grammar_as_the_standard_reads_it() {
    let r = json!({
        "status": "Closed",
        "team": [{ "email": "a@b.c" }, { "email": "x@y.z" }],
        "consent": { "consentToContact": true },
        "customerProfile": { "name": "Contoso" },
    });
    // A lambda variable named like its collection; outside, `team` is the property again.
    assert!(eval("team/any(team:team/email eq 'a@b.c')", &r));
    assert!(!eval("team/all(team:team/email eq 'a@b.c')", &r));
    assert!(eval("team/any(team:team/email eq 'x@y.z') and team/any()", &r));
    // `in` and `has` bind tighter than `not`.
    assert!(eval("not status in ('New','Active')", &r));
    assert!(!eval("not status in ('Closed')", &r));
    assert!(eval("not status has 'New'", &r));
    // An empty list holds nothing.
    assert!(!eval("status in ()", &r));
    assert!(eval("not (status in ())", &r));
    // `null` with an ordering operator is false; Booleans order `false` before `true`.
    assert!(!eval("customerProfile/name gt null", &r));
    assert!(!eval("customerProfile/name le null", &r));
    assert!(eval("consent/consentToContact gt false", &r));
    assert!(!eval("consent/consentToContact lt false", &r));
}

/// Identifiers (here lambda variables) start with a letter and go on with letters and digits
/// of any script, as `char::is_alphabetic` and `char::is_alphanumeric` say: natively the
/// library asks std, in wasm the JS engine's `\p{Alphabetic}` and `\p{N}` (std answers in the
/// test itself, so both runs check the library against std's tables).
#[test]
fn identifiers_take_letters_and_digits_of_every_script() {
    #[cfg(target_arch = "wasm32")]
    partner_referrals::wasm::install_platform();
    let chars = [
        'é', 'ß', 'Ω', 'ж', 'ש', 'ع', 'क', 'ก', '中', 'ア', '한', 'ǅ', 'ʰ', 'Ⅻ', 'ⅰ', '٣', '५',
        '½', '²', '\u{0301}', '\u{0903}', '\u{200D}', '‿', '·', '€', '→', '😀', '、',
    ];
    for c in chars {
        let start = format!("customerProfile/team/any({c}x: {c}x/email eq 'a')");
        assert_eq!(Filter::parse(&start).is_ok(), c.is_alphabetic(), "{c:?} first: {start}");
        let inside = format!("customerProfile/team/any(x{c}: x{c}/email eq 'a')");
        assert_eq!(Filter::parse(&inside).is_ok(), c.is_alphanumeric(), "{c:?} inside: {inside}");
    }
}
