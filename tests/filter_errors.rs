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
        Error::Unsupported { .. } => "Unsupported",
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
        // OData allows 12 fractional second digits; a 13th is an error, never cut off.
        ("createdDateTime gt 2020-10-30T21:03:00.1234567890123Z", "InvalidLiteral", 19),
        ("createdDateTime gt now() sub duration'PT0.1234567890123S'", "InvalidLiteral", 29),
        ("name eq 12:30:00.1234567890123", "InvalidLiteral", 8),
        ("name eq 24:00", "InvalidLiteral", 8),
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
        ("status in null", "Expected", 10),
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
        ("name add 1 gt 2", "TypeMismatch", 5),
        ("createdDateTime add createdDateTime gt now()", "TypeMismatch", 16),
        ("length(name)", "TypeMismatch", 0),
        ("not name", "TypeMismatch", 4),
        ("name eq 'x' and 1", "TypeMismatch", 16),
        ("team eq null", "Unsupported", 0),
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
        // An error names the operator the user wrote.
        ("status in ('New',1)", "cannot compare a ReferralStatus with a number using `in` at position 17"),
        ("not status in ('New','Actve')", "`'Actve'` is not a ReferralStatus value (did you mean `'Active'`?) at position 21"),
        (
            "createdDateTime add createdDateTime gt now()",
            "`add` is not defined for a DateTimeOffset and a DateTimeOffset at position 16",
        ),
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

/// Valid OData 4.01 outside the supported subset: refused in both modes, at the construct, with
/// a message that says so (never "unexpected character").
#[test]
fn unsupported_odata_is_refused_truthfully() {
    let table: &[(&str, u32, &str)] = &[
        ("Model.Available eq true", 0, "the qualified name `Model.Available`"),
        ("status has Microsoft.Partner.Status'New'", 11, "the qualified enum literal"),
        ("team/Model.Member/any(t:t/email eq 'x')", 5, "the qualified name `Model.Member`"),
        ("geo.distance(a,b) lt 1", 0, "the function `geo.distance`"),
        ("Model.Best(x=1) eq true", 0, "the function `Model.Best`"),
        ("$it/name eq 'x'", 0, "`$it`"),
        ("name eq $root/Referrals('x')/name", 8, "`$root`"),
        ("$this eq 1", 0, "`$this`"),
        ("team/$count gt 1", 5, "the `$count` path segment"),
        ("name eq @p", 8, "the parameter alias `@p`"),
        ("@Core.Description eq 'x'", 0, "the annotation `@Core.Description`"),
        ("name in ['a','b']", 8, "a JSON array"),
        ("{\"a\":1} eq name", 0, "a JSON object"),
        ("name eq binary'AAE='", 8, "a binary literal"),
        ("name eq geography'SRID=0;Point(1 2)'", 8, "a geography literal"),
        ("name eq 12:30:00.123456789012", 8, "the TimeOfDay literal `12:30:00.123456789012`"),
        ("createdDateTime gt -0001-12-31", 19, "the date `-0001-12-31` (a year outside 0000-9999)"),
        ("createdDateTime gt 10000-01-01", 19, "the date `10000-01-01` (a year outside 0000-9999)"),
        (
            "createdDateTime gt 2016-12-31T23:59:60Z",
            19,
            "the leap second in `2016-12-31T23:59:60Z`",
        ),
        ("cast(name,Edm.String) eq 'a'", 0, "the function `cast`"),
        ("ISOF(name,Model.T)", 0, "the function `isof`"),
        ("matchesPattern(name,'^A.*e$')", 0, "the function `matchesPattern`"),
        ("totalseconds(duration'P1D') gt 1", 0, "the function `totalseconds`"),
        ("case(name eq 'a':1,true:0) eq 1", 0, "the function `case`"),
        ("hassubset(team,team)", 0, "the function `hassubset`"),
        ("time(createdDateTime) eq 12:00", 0, "the function `time`"),
        ("createdDateTime gt now() sub 'P14D'", 29, "a duration without its `duration` prefix"),
        ("duration'P1D' lt 'PT36H'", 17, "a duration without its `duration` prefix"),
        ("name in team", 8, "`in` over a collection-valued expression"),
    ];
    for (src, at, construct) in table {
        for schema in [true, false] {
            let err = validate_filter(src, schema).expect_err(src);
            assert_eq!(err.code(), ErrorCode::InvalidFilter, "{src}");
            assert_eq!(
                (variant(&err), err.span().map(|s| s.start)),
                ("Unsupported", Some(*at)),
                "{src} (schema {schema}): {err}"
            );
            let message = err.to_string();
            assert!(message.starts_with(construct), "{src}: {message}");
            assert!(
                message.contains(
                    "is valid OData, but this library (like the referrals API) does not support it"
                ),
                "{src}: {message}"
            );
        }
    }
    // With the schema, what only types reveal.
    for (src, at, construct) in [
        ("length(team) gt 1", 0, "the collection form of `length`"),
        (
            "customerProfile eq null",
            0,
            "comparing `customerProfile` (a CustomerProfile) as a whole",
        ),
    ] {
        let err = validate_filter(src, true).expect_err(src);
        assert_eq!(
            (variant(&err), err.span().map(|s| s.start)),
            ("Unsupported", Some(at)),
            "{src}"
        );
        assert!(err.to_string().starts_with(construct), "{err}");
    }
}

/// The standard's grammar where it used to be read wrongly: lambda variables named like
/// properties, `in`/`has` binding tighter than `not`, an empty `in` list, `null` with every
/// comparison, Booleans ordered.
#[test]
fn valid_odata_that_used_to_be_refused() {
    for src in [
        "team/any(team:team/email eq 'a@b.c')",
        "team/any(team:team/email eq 'a@b.c') and team/all(t:t/lastName ne null)",
        "not status in ('New','Active')",
        "not status has 'New'",
        "status in ()",
        "name gt null",
        "consent/consentToContact gt false",
        "createdDateTime ge 2026-11-15 sub duration'P14D'",
        "updatedDateTime sub createdDateTime le duration'PT0.000000000001S'",
        "createdDateTime lt 2020-10-30T21:03:00.123456789012Z",
    ] {
        for schema in [true, false] {
            assert!(
                validate_filter(src, schema).is_ok(),
                "{src} (schema {schema}): {:?}",
                validate_filter(src, schema)
            );
        }
    }
}
