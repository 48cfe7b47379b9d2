//! Error table: (input, variant, position in UTF-16 code units), serde_json style.

// The same tests run natively and, through wasm-bindgen-test-runner, in Node and headless
// Chromium (`make test-wasm-node`, `make test-wasm-browser`): plain `#[test]` is skipped there.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::query::validate_filter;
use partner_referrals::{Error, ErrorCode};

fn variant(e: &Error) -> &'static str {
    match e {
        Error::UnexpectedChar { .. } => "UnexpectedChar",
        Error::UnterminatedString { .. } => "UnterminatedString",
        Error::InvalidLiteral { .. } => "InvalidLiteral",
        Error::Expected { .. } => "Expected",
        Error::TooDeep { .. } => "TooDeep",
        Error::TooLong { .. } => "TooLong",
        Error::UnknownProperty { .. } => "UnknownProperty",
        Error::UnknownEnumValue { .. } => "UnknownEnumValue",
        Error::UnknownFunction { .. } => "UnknownFunction",
        Error::TypeMismatch { .. } => "TypeMismatch",
        Error::UnboundVariable { .. } => "UnboundVariable",
        _ => "other",
    }
}

#[test]
fn error_table() {
    let table: &[(&str, &str, u32)] = &[
        // lexer
        ("name eq '💝' and x eq #", "UnexpectedChar", 22),
        ("name eq '💝", "UnterminatedString", 8),
        ("name eq 'it''s", "UnterminatedString", 8),
        ("createdDateTime gt 2020-02-30", "InvalidLiteral", 19),
        ("createdDateTime gt 2020-10-30T25:00:00Z", "InvalidLiteral", 19),
        ("details/dealValue gt 10k", "InvalidLiteral", 21),
        ("details/dealValue gt 1.", "InvalidLiteral", 21),
        ("createdDateTime gt now() sub duration'P1W'", "InvalidLiteral", 29),
        // parser
        ("", "Expected", 0),
        ("status eq", "Expected", 9),
        ("status eq 'New' and", "Expected", 19),
        ("status 'New'", "Expected", 7),
        ("status eq eq 'New'", "Expected", 10),
        ("(status eq 'New'", "Expected", 16),
        ("status eq 'New')", "Expected", 15),
        ("contains(name 'x')", "Expected", 14),
        ("contains(name,)", "Expected", 14),
        ("team/any(t t/email eq 'x')", "Expected", 11),
        ("team/all()", "Expected", 9),
        ("team/any(t:)", "Expected", 11),
        ("status in 'New'", "Expected", 10),
        ("status in ()", "Expected", 11),
        ("customerProfile/ eq 'x'", "Expected", 17),
        ("'💝' eq name name", "Expected", 13),
        // checker
        ("stauts eq 'New'", "UnknownProperty", 0),
        ("customerProfile/adress/country eq 'US'", "UnknownProperty", 16),
        ("customerProfile/address/contry eq 'US'", "UnknownProperty", 24),
        ("status eq 'new'", "UnknownEnumValue", 10),
        ("status in ('New','active')", "UnknownEnumValue", 17),
        ("'Bogus' eq substatus", "UnknownEnumValue", 0),
        ("startwith(name,'a')", "UnknownFunction", 0),
        ("status eq 1", "TypeMismatch", 10),
        ("details/dealValue gt 'big'", "TypeMismatch", 21),
        ("name add 1 gt 2", "TypeMismatch", 0),
        ("length(name)", "TypeMismatch", 0),
        ("not name", "TypeMismatch", 4),
        ("name eq 'x' and 1", "TypeMismatch", 16),
        ("team eq null", "TypeMismatch", 0),
        ("team/email eq 'x'", "TypeMismatch", 5),
        ("customerProfile/ids eq null", "TypeMismatch", 16),
        ("createdDateTime gt '2020-10-30T21:03:00Z'", "TypeMismatch", 19),
        ("engagementId eq 'not-a-guid'", "InvalidLiteral", 16),
        ("team/any(t:t/email eq 'x') or t/email eq 'y'", "UnboundVariable", 30),
        ("team/any(t:team/any(u:t/email eq u/email)) and u/email eq 'x'", "UnboundVariable", 47),
    ];
    for (src, want, at) in table {
        let err = validate_filter(src, true).expect_err(src);
        assert_eq!(err.code(), ErrorCode::InvalidFilter, "{src}");
        assert_eq!(
            (variant(&err), err.span().map(|s| s.start)),
            (*want, Some(*at)),
            "{src}: {err}"
        );
    }
}

#[test]
fn did_you_mean_messages() {
    let cases = [
        ("stauts eq 'New'", "unknown property `stauts` on Referral (did you mean `status`?) at position 0"),
        (
            "customerProfile/adress/country eq 'US'",
            "unknown property `adress` on CustomerProfile (did you mean `address`?) at position 16",
        ),
        ("Status eq 'New'", "unknown property `Status` on Referral (did you mean `status`?) at position 0"),
        ("status eq 'new'", "`'new'` is not a ReferralStatus value (did you mean `'New'`?) at position 10"),
        (
            "qualification eq 'SalesQualifed'",
            "`'SalesQualifed'` is not a ReferralQualification value (did you mean `'SalesQualified'`?) at position 17",
        ),
        ("tolowr(name) eq 'x'", "unknown function `tolowr` (did you mean `tolower`?) at position 0"),
        ("xyzzy eq 1", "unknown property `xyzzy` on Referral at position 0"),
        ("status eq", "expected an expression, found end of input at position 9"),
        ("status 'New'", "expected an operator or the end of the filter, found `'New'` at position 7"),
        ("(a eq 1", "expected an operator or `)`, found end of input at position 7"),
        ("a eq 1 #", "unexpected character `#` at position 7"),
    ];
    for (src, message) in cases {
        assert_eq!(validate_filter(src, true).unwrap_err().to_string(), message, "{src}");
    }
}

#[test]
fn the_first_error_by_position_is_reported() {
    let err = validate_filter("type eq 'shared' and stauts eq 'New'", true).unwrap_err();
    assert_eq!(err.span().unwrap().start, 8);
    let err = validate_filter("foo(1) eq 1 and status eq 'x'", true).unwrap_err();
    assert!(matches!(err, Error::UnknownFunction { .. }));
}

#[test]
fn schemaless_mode_accepts_any_property_but_not_bad_syntax_or_literals() {
    assert!(validate_filter("anything/goes eq 'x' and x/any(v:v/y gt 1)", false).is_ok());
    assert!(validate_filter("status eq 'new'", false).is_ok());
    let err = validate_filter("status eq", false).unwrap_err();
    assert_eq!(err.span().unwrap().start, 9);
    assert!(matches!(validate_filter("1 eq 'a'", false), Err(Error::TypeMismatch { .. })));
    assert!(matches!(
        validate_filter("contians(a,'b')", false),
        Err(Error::UnknownFunction { .. })
    ));
}
