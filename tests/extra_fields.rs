//! Fields the schema does not know, declared by the caller with their types: usable in
//! filters (checked and evaluated), tagged templates and `$select`, without giving up any
//! other check.

// The same tests run natively and, through wasm-bindgen-test-runner, in Node and headless
// Chromium (`make test-wasm-node`, `make test-wasm-browser`): plain `#[test]` is skipped there.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::extra_fields::{ExtraFields, FieldType};
use partner_referrals::query::encode::build_query_in;
use partner_referrals::query::{
    filter_from_template_in, validate_filter, validate_filter_in, Filter, ReferralQuery,
    TemplateValue,
};
use partner_referrals::schema::ComplexType;
use partner_referrals::ErrorCode;
use serde_json::json;

fn enumeration(members: &[&str]) -> FieldType {
    FieldType::Enum(members.iter().map(|m| m.to_string()).collect())
}

/// The fields real payloads carry beyond the documented schema, declared with their types.
fn declared() -> ExtraFields {
    let mut extra = ExtraFields::new();
    for (path, ty) in [
        ("isSpam", FieldType::Boolean),
        ("quality", FieldType::Number),
        ("closedDateTime", FieldType::DateTimeOffset),
        ("registrationDate", FieldType::Date),
        ("mpnGuid", FieldType::Guid),
        ("createdVia", FieldType::String),
        ("dealSensitivity", enumeration(&["None", "Low", "High"])),
        ("tags", FieldType::Collection(Box::new(FieldType::String))),
        ("details/incentiveLevel", enumeration(&["Standard", "Premium"])),
        ("customerProfile/isMatchingComplete", FieldType::Boolean),
        ("team/title", FieldType::String),
        ("trackingInfo/microsoftMsxId", FieldType::String),
    ] {
        extra.declare(path, ty).unwrap_or_else(|e| panic!("{path}: {e}"));
    }
    extra
}

fn schema() -> &'static ComplexType {
    declared().schema().unwrap()
}

fn now() -> DateTimeOffset {
    DateTimeOffset::parse("2026-12-01T00:00:00Z").unwrap()
}

#[track_caller]
fn refused_in(filter: &str) -> String {
    let err = validate_filter_in(filter, schema()).expect_err(filter);
    assert_eq!(err.code(), ErrorCode::InvalidFilter, "{filter}");
    err.to_string()
}

#[test]
fn a_declared_field_is_accepted_and_a_typo_beside_it_is_still_refused() {
    let info = validate_filter_in("isSpam eq false and status eq 'New'", schema()).unwrap();
    assert_eq!(info.fields, ["isSpam", "status"]);
    assert_eq!(
        refused_in("isSpam eq false and stauts eq 'New'"),
        "unknown property `stauts` on Referral (did you mean `status`?) at position 20"
    );
    assert_eq!(
        refused_in("isSpan eq false"),
        "unknown property `isSpan` on Referral (did you mean `isSpam`?) at position 0"
    );
    // The default stays strict: without the declaration the field is unknown.
    let err = validate_filter("isSpam eq false", true).unwrap_err();
    assert_eq!(err.to_string(), "unknown property `isSpam` on Referral at position 0");
}

#[test]
fn declared_fields_of_every_type_validate_and_are_type_checked() {
    for filter in [
        "isSpam eq false",
        "not isSpam",
        "quality ge 2.5 and quality mul 2 lt 10",
        "closedDateTime gt 2026-11-15T00:00:00Z and closedDateTime lt now()",
        "year(closedDateTime) eq 2026",
        "registrationDate ge 2026-01-01 and year(registrationDate) eq 2026",
        "mpnGuid eq 65edc0b5-3485-41b7-a17e-dfa9ef4706e2",
        "mpnGuid eq '65edc0b5-3485-41b7-a17e-dfa9ef4706e2'",
        "startswith(createdVia,'Partner')",
        "dealSensitivity in ('Low','High')",
        "tags/any(t:t eq 'iot')",
        "details/incentiveLevel eq 'Premium' and details/dealValue gt 0",
        "customerProfile/isMatchingComplete and customerProfile/name ne null",
        "team/any(m:m/title eq 'CTO' and m/email ne null)",
        "trackingInfo/microsoftMsxId ne null",
    ] {
        let info = validate_filter_in(filter, schema()).unwrap_or_else(|e| panic!("{filter}: {e}"));
        assert_eq!(info.canonical, filter);
    }
    let table = [
        ("isSpam eq 'no'", "cannot compare a Boolean with a String using `eq` at position 10"),
        ("quality eq 'high'", "cannot compare a number with a String using `eq` at position 11"),
        ("closedDateTime gt '2026-01-01'", "`closedDateTime` is a DateTimeOffset: write the value without quotes, e.g. `2020-10-30T21:03:00Z` or `2020-12-01` at position 18"),
        ("mpnGuid eq 'abc'", "invalid GUID literal: `mpnGuid` is a Guid and `'abc'` is not 8-4-4-4-12 hex digits at position 11"),
        ("dealSensitivity eq 'high'", "`'high'` is not a dealSensitivity value (did you mean `'High'`?) at position 19"),
        ("dealSensitivity gt 'Low'", "dealSensitivity values can only be compared with `eq`, `ne` and `in` at position 19"),
        ("details/incentiveLevel eq 'Gold'", "`'Gold'` is not a details/incentiveLevel value at position 26"),
        ("tags eq 'iot'", "comparing `tags` (a Collection(String)) as a whole is valid OData, but this library (like the referrals API) does not support it at position 0"),
        ("trackingInfo eq 'x'", "comparing `trackingInfo` (a trackingInfo) as a whole is valid OData, but this library (like the referrals API) does not support it at position 0"),
        ("trackingInfo/msxId eq 'x'", "unknown property `msxId` on trackingInfo at position 13"),
        ("team/title eq 'CTO'", "`team` is a collection: use a lambda such as `team/any(x:x/title)`, not `team/title` at position 5"),
        ("customerProfile/team/any(m:m/title eq 'CTO')", "unknown property `title` on Member at position 29"),
        ("isSpam/value eq true", "`isSpam` is a Boolean and has no property `value` at position 7"),
    ];
    for (filter, message) in table {
        assert_eq!(refused_in(filter), message, "{filter}");
    }
}

#[test]
fn declared_fields_evaluate_over_the_kept_unknown_properties() {
    let referral = json!({
        "status": "New",
        "isSpam": false,
        "quality": "3.5",
        "closedDateTime": "2026-11-20T10:00:00.0000000Z",
        "registrationDate": "2026-02-03",
        "mpnGuid": "65EDC0B5-3485-41B7-A17E-DFA9EF4706E2",
        "dealSensitivity": "High",
        "tags": ["iot", "ai"],
        "details": { "dealValue": 10, "incentiveLevel": "Premium" },
        "customerProfile": { "isMatchingComplete": true },
        "team": [{ "title": "CTO" }, { "title": "CFO" }],
        "trackingInfo": { "microsoftMsxId": "MSX-1" },
    });
    let schema = schema();
    let matches = |filter: &str| {
        #[cfg(target_arch = "wasm32")]
        partner_referrals::wasm::install_platform();
        Filter::parse_in(filter, schema)
            .unwrap_or_else(|e| panic!("{filter}: {e}"))
            .matches(&referral, now())
    };
    for filter in [
        "isSpam eq false and status eq 'New'",
        "quality gt 3 and quality lt 4",
        "closedDateTime gt 2026-11-15 and closedDateTime lt now()",
        "closedDateTime eq 2026-11-20T11:00:00+01:00",
        "registrationDate eq 2026-02-03 and month(registrationDate) eq 2",
        "mpnGuid eq 65edc0b5-3485-41b7-a17e-dfa9ef4706e2",
        "dealSensitivity eq 'High'",
        "tags/any(t:t eq 'ai') and not tags/all(t:t eq 'ai')",
        "details/incentiveLevel eq 'Premium' and details/dealValue eq 10",
        "customerProfile/isMatchingComplete",
        "team/any(m:m/title eq 'CFO')",
        "trackingInfo/microsoftMsxId eq 'MSX-1'",
    ] {
        assert!(matches(filter), "should match: {filter}");
    }
    for filter in [
        "isSpam",
        "quality gt 4",
        "closedDateTime lt 2026-11-20",
        "registrationDate gt 2026-02-03",
        "dealSensitivity eq 'Low'",
        "tags/any(t:t eq 'crm')",
        "team/all(m:m/title eq 'CTO')",
        "trackingInfo/microsoftMsxId eq null",
    ] {
        assert!(!matches(filter), "should not match: {filter}");
    }
}

#[test]
fn declared_top_level_names_are_selectable() {
    let schema = schema();
    let query = ReferralQuery {
        filter: Some("isSpam eq false".into()),
        select: Some(vec!["id".into(), "isSpam".into(), "trackingInfo".into(), "details".into()]),
        ..ReferralQuery::default()
    };
    assert_eq!(
        build_query_in(&query, schema).unwrap(),
        "$filter=isSpam%20eq%20false&$select=id,isSpam,trackingInfo,details"
    );
    for (name, message) in [
        (
            "isSpan",
            "`isSpan` is not a Referral property and cannot be selected (did you mean `isSpam`?)",
        ),
        (
            "details/incentiveLevel",
            "`details/incentiveLevel` is not a Referral property and cannot be selected",
        ),
    ] {
        let query = ReferralQuery { select: Some(vec![name.into()]), ..ReferralQuery::default() };
        let err = build_query_in(&query, schema).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidSelect);
        assert_eq!(err.to_string(), message);
    }
}

#[test]
fn a_template_checks_its_values_against_the_declared_types() {
    let schema = schema();
    let f = filter_from_template_in(
        &["isSpam eq ", " and dealSensitivity eq ", ""],
        &[TemplateValue::Bool(false), TemplateValue::String("High".into())],
        schema,
    )
    .unwrap();
    assert_eq!(f.canonical(), "isSpam eq false and dealSensitivity eq 'High'");
    assert!(std::ptr::eq(f.schema(), schema));
    let err = filter_from_template_in(
        &["dealSensitivity eq ", ""],
        &[TemplateValue::String("Secret".into())],
        schema,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "`'Secret'` is not a dealSensitivity value at position 19");
}

#[test]
fn a_declaration_cannot_change_a_documented_field() {
    let mut extra = ExtraFields::new();
    for (path, ty, message) in [
        ("status", FieldType::Boolean, "invalid extra field `status`: `status` is a documented ReferralStatus property and cannot be declared as Boolean"),
        ("details/dealValue", FieldType::String, "invalid extra field `details/dealValue`: `details/dealValue` is a documented Decimal property and cannot be declared as String"),
        ("team", FieldType::Collection(Box::new(FieldType::String)), "invalid extra field `team`: `team` is a documented Collection(Member) property and cannot be declared as Collection(String)"),
        ("createdDateTime/year", FieldType::Number, "invalid extra field `createdDateTime/year`: `createdDateTime` is a documented DateTimeOffset and has no properties"),
    ] {
        let err = extra.declare(path, ty).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidExtraFields);
        assert_eq!(err.to_string(), message);
    }
    assert!(extra.is_empty(), "a refused declaration leaves nothing behind");
    // The documented type itself is fine (code written for an older version keeps working).
    extra.declare("favorite", FieldType::Boolean).unwrap();
    extra.declare("details/dealValue", FieldType::Number).unwrap();
    assert!(extra.is_empty());
}

#[test]
fn a_call_merges_its_declarations_over_a_clients() {
    let mut client = ExtraFields::new();
    client.declare("isSpam", FieldType::Boolean).unwrap();
    client.declare("quality", FieldType::String).unwrap();
    let mut call = ExtraFields::new();
    call.declare("quality", FieldType::Number).unwrap();
    let schema = client.merged(&call).unwrap().schema().unwrap();
    assert!(validate_filter_in("isSpam and quality gt 2", schema).is_ok());
    let client_only = client.schema().unwrap();
    assert_eq!(
        validate_filter_in("quality gt 2", client_only).unwrap_err().to_string(),
        "cannot compare a String with a number using `gt` at position 11"
    );
}

#[test]
fn an_incremental_sync_filter_may_name_declared_fields() {
    use partner_referrals::sync::SyncState;
    let schema = schema();
    let mut state = SyncState::new_in(Some("(isSpam eq false)"), schema).unwrap();
    assert_eq!(state.filter(), Some("isSpam eq false"));
    state.observe(Some("a"), Some("2026-11-01T10:00:00Z"));
    let token = state.to_token();
    assert_eq!(SyncState::from_token_in(&token, Some("isSpam eq false"), schema).unwrap(), state);
    // Without the declaration the filter is refused, as everywhere.
    assert_eq!(
        SyncState::new(Some("isSpam eq false")).unwrap_err().code(),
        ErrorCode::InvalidFilter
    );
    assert!(SyncState::from_token(&token, Some("isSpam eq false")).is_err());
}
