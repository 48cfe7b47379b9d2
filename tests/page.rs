//! Public-API tests of page decoding (`page.rs`) and the response deadline (`model.rs`).

// The same tests run natively and, through wasm-bindgen-test-runner, in Node and headless
// Chromium (`make test-wasm-node`, `make test-wasm-browser`): plain `#[test]` is skipped there.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::to_wire;
use partner_referrals::model::*;
use partner_referrals::page::*;
use partner_referrals::{ErrorCode, Referral, ReferralPage};
use serde_json::{json, Value};

const SEED: &str = include_str!("fixtures/seed-page.json");
const UNKNOWN: &str = include_str!("fixtures/unknown-fields-page.json");

#[track_caller]
fn decode_err(json: &str) -> (String, String) {
    let validated = validate_referral_page(json).expect_err("validate should fail");
    let err = decode_referral_page(json).expect_err("decode should fail");
    assert_eq!(validated, err, "validate and decode agree");
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    (err.path().unwrap().to_owned(), err.to_string())
}

// ---- the documented page ------------------------------------------------------------------

#[test]
fn seed_page_decodes() {
    let page = decode_referral_page(SEED).unwrap();
    assert_eq!(page.count, Some(1));
    assert_eq!(
        page.next_link.as_deref(),
        Some("http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k181pEdP0ykypkieJfcxX")
    );
    assert_eq!(
        page.context.as_deref(),
        Some("http://api.partner.microsoft.com/v1.0/$metadata#Referrals")
    );
    assert!(page.extra.is_empty());
    assert_eq!(page.value.len(), 1);
    let r = &page.value[0];
    assert_eq!(r.id.as_deref(), Some("c5fbb3b6-be74-4795-9fb5-4324c73fed37"));
    assert_eq!(r.status, Some(ReferralStatus::New));
    assert_eq!(r.substatus, Some(ReferralSubstatus::Pending));
    assert_eq!(r.qualification, Some(ReferralQualification::Direct));
    assert_eq!(r.referral_type, Some(ReferralType::Independent));
    assert_eq!(r.direction, Some(ReferralDirection::Incoming));
    let profile = r.customer_profile.as_ref().unwrap();
    assert_eq!(profile.address.as_ref().unwrap().country.as_deref(), Some("US"));
    let details = r.details.as_ref().unwrap();
    assert_eq!(details.deal_value, Some(DealValue::Number(10000.into())));
    let solutions = details.requirements.as_ref().unwrap().solutions.as_ref().unwrap();
    assert_eq!(solutions[0].id.as_deref(), Some("SOL-Microsoft365"));
    assert_eq!(solutions[0].solution_type, None);
    let links = r.links.as_ref().unwrap();
    assert_eq!(links.self_link.as_ref().unwrap().method.as_deref(), Some("GET"));
    assert!(r.extra.is_empty());
}

#[test]
fn seed_page_survives_decode_and_serialize() {
    let page = decode_referral_page(SEED).unwrap();
    let original: Value = serde_json::from_str(SEED).unwrap();
    assert_eq!(to_wire(&page), original);
}

#[test]
fn seed_page_serializes_with_the_javascript_names() {
    let page = decode_referral_page(SEED).unwrap();
    let js = serde_json::to_value(&page).unwrap();
    let keys: Vec<&str> = js.as_object().unwrap().keys().map(String::as_str).collect();
    assert_eq!(keys, ["context", "count", "nextLink", "value"]);
    // And reads back (a page handed to JavaScript and passed back to `next`).
    let back: ReferralPage = serde_json::from_value(js).unwrap();
    assert_eq!(back, page);
}

#[test]
fn every_proper_prefix_of_the_seed_page_is_an_error_not_a_panic() {
    for (end, _) in SEED.trim_end().char_indices().skip(1) {
        let err = decode_referral_page(&SEED[..end]).unwrap_err();
        assert_eq!(err.path(), Some(""), "prefix {end}: {err}");
    }
}

// ---- unknown fields and values --------------------------------------------------------------

#[test]
fn unknown_fields_and_enum_values_survive() {
    let page = decode_referral_page(UNKNOWN).unwrap();
    assert_eq!(page.count, Some(2));
    assert_eq!(page.next_link, None, "a null nextLink is no nextLink");
    assert!(page.extra.contains_key("@odata.deltaLink"));
    assert_eq!(page.extra["serverTime"], json!("2025-01-01T00:00:00Z"));

    let r = &page.value[0];
    assert_eq!(r.status, Some(ReferralStatus::Other("Archived".into())));
    assert_eq!(r.substatus, Some(ReferralSubstatus::Other("AwaitingPartner".into())));
    assert_eq!(r.referral_type, Some(ReferralType::Other("Marketplace".into())));
    assert_eq!(r.direction, Some(ReferralDirection::Other("Sideways".into())));
    assert_eq!(r.extra["nothing"], Value::Null);
    assert_eq!(r.extra["bigInteger"], json!(u64::MAX));
    let profile = r.customer_profile.as_ref().unwrap();
    assert_eq!(profile.size, Some(CustomerSize::Other("Morethan50000employees".into())));
    assert_eq!(profile.extra["isMatchingComplete"], json!(true));
    assert_eq!(profile.team.as_ref().unwrap()[0].extra["title"], json!("CTO"));
    let target = &r.target.as_ref().unwrap()[0];
    assert_eq!(target.target_type, Some(ReferralTargetType::Other("MicrosoftSeller".into())));

    let mut original: Value = serde_json::from_str(UNKNOWN).unwrap();
    // Documented: a known property sent as `null` decodes to `None` and is not written back
    // (an unknown one keeps its null); so is a null envelope property.
    let first = &mut original["value"][0];
    assert_eq!(first.as_object_mut().unwrap().remove("expirationDateTime"), Some(Value::Null));
    let address = first["customerProfile"]["address"].as_object_mut().unwrap();
    assert_eq!(address.remove("addressLine2"), Some(Value::Null));
    assert_eq!(original.as_object_mut().unwrap().remove("@odata.nextLink"), Some(Value::Null));
    assert_eq!(to_wire(&page), original);
}

#[test]
fn lone_surrogate_escapes_are_read_as_replacement_characters_not_refused() {
    // A server that cuts a string in the middle of an emoji sends valid JSON that no Rust
    // string can hold. The page is decoded (U+FFFD in place of the lone half); refusing it
    // would make every referral from this page on unreachable, resume or not.
    let text = r#"{"value":[{"id":"a","customerProfile":{"name":"Contoso \ud83d"},
        "notes":"\udc00 and \ud83d\ude00 and \\ud800 and \ud83d\ud83d\ude00","x\ud800":1}]}"#;
    validate_referral_page(text).unwrap();
    let page = decode_referral_page(text).unwrap();
    let referral = &page.value[0];
    let name = referral.customer_profile.as_ref().unwrap().name.as_deref();
    assert_eq!(name, Some("Contoso \u{fffd}"));
    let notes = referral.extra["notes"].as_str().unwrap();
    assert_eq!(notes, "\u{fffd} and \u{1f600} and \\ud800 and \u{fffd}\u{1f600}");
    assert!(referral.extra.contains_key("x\u{fffd}"));
    decode_referral(r#"{"id":"a","status":"New\udfff"}"#).unwrap();
    // Error positions are those of the text as sent.
    let (path, message) = decode_err(r#"{"value":[{"id":"\ud800"}], x}"#);
    assert_eq!(path, "");
    assert!(message.contains("offset 28"), "{message}");
}

#[test]
fn customer_profile_ids_may_be_an_object_or_an_array() {
    let page = decode_referral_page(UNKNOWN).unwrap();
    let ids = |i: usize| page.value[i].customer_profile.as_ref().unwrap().ids.clone().unwrap();
    assert_eq!(ids(0)[0], json!({ "profileType": "Duns", "id": "123456789" }));
    assert_eq!(ids(1), json!({ "duns": "123456789" }));
    for ids in ["{}", "[]", "\"text\"", "7"] {
        let json = format!(r#"{{"value": [{{"customerProfile": {{"ids": {ids}}}}}]}}"#);
        let page = decode_referral_page(&json).unwrap();
        let expected: Value = serde_json::from_str(ids).unwrap();
        assert_eq!(page.value[0].customer_profile.as_ref().unwrap().ids, Some(expected));
    }
}

#[test]
fn deal_value_may_be_a_number_or_a_decimal_string() {
    let page = decode_referral_page(UNKNOWN).unwrap();
    let deal = |i: usize| page.value[i].details.as_ref().unwrap().deal_value.clone().unwrap();
    assert_eq!(deal(0), DealValue::String("10000.50".into()));
    assert_eq!(deal(1).to_f64(), Some(2500.25));
    for (text, expected) in
        [("10000", json!(10000)), ("\"10000\"", json!("10000")), ("1.5e3", json!(1500.0))]
    {
        let json = format!(r#"{{"value": [{{"details": {{"dealValue": {text}}}}}]}}"#);
        let page = decode_referral_page(&json).unwrap();
        let back = serde_json::to_value(&page.value[0]).unwrap();
        assert_eq!(back["details"]["dealValue"], expected, "{text}");
    }
}

// ---- bad pages ----------------------------------------------------------------------------

/// The seed referral repeated `n` times, for index paths.
fn seed_times(n: usize) -> Value {
    let mut page: Value = serde_json::from_str(SEED).unwrap();
    let referral = page["value"][0].clone();
    page["value"] = Value::Array(vec![referral; n]);
    page
}

#[test]
fn a_malformed_date_in_the_fourth_referral_is_reported_with_its_path() {
    let mut page = seed_times(5);
    page["value"][3]["createdDateTime"] = json!("2020-13-01T00:00:00Z");
    let (path, message) = decode_err(&page.to_string());
    assert_eq!(path, "/value/3/createdDateTime");
    assert_eq!(
        message,
        "expected an ISO 8601 date-time, found `2020-13-01T00:00:00Z`: month must be 01-12 \
         at `/value/3/createdDateTime`"
    );
    page["value"][3]["createdDateTime"] = json!(20201030);
    let (path, message) = decode_err(&page.to_string());
    assert_eq!(path, "/value/3/createdDateTime");
    assert!(
        message.starts_with("expected an ISO 8601 date-time string, found a number"),
        "{message}"
    );
}

#[test]
fn wrong_types_are_reported_with_a_pointer_and_a_message() {
    let table: &[(&str, &str, &str)] = &[
        (r#"[]"#, "", "expected a JSON object (a referral page), found an array"),
        (r#""page""#, "", "expected a JSON object (a referral page), found a string"),
        (r#"null"#, "", "expected a JSON object (a referral page), found null"),
        (r#"{}"#, "/value", "missing; expected an array of referrals"),
        (r#"{"value": null}"#, "/value", "expected an array of referrals, found null"),
        (r#"{"value": {}}"#, "/value", "expected an array of referrals, found an object"),
        (r#"{"value": [null]}"#, "/value/0", "expected a referral object, found null"),
        (r#"{"value": [{}, 1]}"#, "/value/1", "expected a referral object, found a number"),
        (r#"{"value": [], "@odata.count": -1}"#, "/@odata.count", "expected a non-negative integer, found a number"),
        (r#"{"value": [], "@odata.count": 1.5}"#, "/@odata.count", "expected a non-negative integer, found a number"),
        (r#"{"value": [], "@odata.count": 9007199254740992}"#, "/@odata.count", "expected a non-negative integer, found a number"),
        (r#"{"value": [], "@odata.count": "1"}"#, "/@odata.count", "expected a non-negative integer, found a string"),
        (r#"{"value": [], "@odata.nextLink": 1}"#, "/@odata.nextLink", "expected a string, found a number"),
        (r#"{"value": [], "@odata.context": {}}"#, "/@odata.context", "expected a string, found an object"),
        (r#"{"value": [{"id": 7}]}"#, "/value/0/id", "expected a string, found a number"),
        (r#"{"value": [{"status": 1}]}"#, "/value/0/status", "expected a string, found a number"),
        (r#"{"value": [{"status": ["New"]}]}"#, "/value/0/status", "expected a string, found an array"),
        (r#"{"value": [{"updatedDateTime": "yesterday"}]}"#, "/value/0/updatedDateTime", "expected an ISO 8601 date-time, found `yesterday`: expected YYYY-MM-DD"),
        (r#"{"value": [{"createdDateTime": "2020-10-30T21:03:00"}]}"#, "/value/0/createdDateTime", "expected an ISO 8601 date-time, found `2020-10-30T21:03:00`: expected `Z` or an offset ±hh:mm"),
        (r#"{"value": [{"customerProfile": "Fabrikam"}]}"#, "/value/0/customerProfile", "expected a CustomerProfile object, found a string"),
        (r#"{"value": [{"customerProfile": {"address": []}}]}"#, "/value/0/customerProfile/address", "expected an Address object, found an array"),
        (r#"{"value": [{"customerProfile": {"team": {}}}]}"#, "/value/0/customerProfile/team", "expected an array, found an object"),
        (r#"{"value": [{"customerProfile": {"team": [{}, null]}}]}"#, "/value/0/customerProfile/team/1", "expected a Member object, found null"),
        (r#"{"value": [{"team": [{"contactPreference": {"disableNotifications": "no"}}]}]}"#, "/value/0/team/0/contactPreference/disableNotifications", "expected a boolean, found a string"),
        (r#"{"value": [{"consent": {"consentToContact": 1}}]}"#, "/value/0/consent/consentToContact", "expected a boolean, found a number"),
        (r#"{"value": [{"details": {"dealValue": true}}]}"#, "/value/0/details/dealValue", "expected a number or a decimal string, found a boolean"),
        (r#"{"value": [{"details": {"dealValue": "ten"}}]}"#, "/value/0/details/dealValue", "expected a number or a decimal string, found `ten`"),
        (r#"{"value": [{"details": {"closingDateTime": "2020-02-30T00:00:00Z"}}]}"#, "/value/0/details/closingDateTime", "expected an ISO 8601 date-time, found `2020-02-30T00:00:00Z`: day is out of range for the month"),
        (r#"{"value": [{"details": {"requirements": {"solutions": [{"type": 2}]}}}]}"#, "/value/0/details/requirements/solutions/0/type", "expected a string, found a number"),
        (r#"{"value": [{"target": [{"type": null}, {"id": false}]}]}"#, "/value/0/target/1/id", "expected a string, found a boolean"),
        (r#"{"value": [{"links": {"self": {"uri": 1}}}]}"#, "/value/0/links/self/uri", "expected a string, found a number"),
        (r#"{"value": [{"inviteContext": {"invitedBy": []}}]}"#, "/value/0/inviteContext/invitedBy", "expected an InvitedBy object, found an array"),
    ];
    for (json, path, message) in table {
        let (actual_path, actual_message) = decode_err(json);
        assert_eq!(actual_path, *path, "{json}");
        let expected =
            if path.is_empty() { message.to_string() } else { format!("{message} at `{path}`") };
        assert_eq!(actual_message, expected, "{json}");
    }
}

#[test]
fn nulls_are_accepted_for_every_known_property() {
    let json = r#"{"value": [{"id": null, "status": null, "createdDateTime": null, "customerProfile":
        {"address": null, "team": null, "ids": null}, "details": {"dealValue": null},
        "consent": null, "team": null}], "@odata.count": null, "@odata.context": null}"#;
    let page = decode_referral_page(json).unwrap();
    assert_eq!(page.count, None);
    assert_eq!(page.value[0].status, None);
    assert_eq!(page.value[0].customer_profile.as_ref().unwrap().ids, None);
}

#[test]
fn text_that_is_not_json_is_reported_with_line_column_and_offset() {
    let table: &[(&str, &str)] = &[
        ("", "empty response body; expected a JSON object"),
        ("  \n ", "empty response body; expected a JSON object"),
        ("<html>", "invalid JSON: expected value at line 1 column 1 (offset 0)"),
        ("{\"value\": [}", "invalid JSON: expected value at line 1 column 12 (offset 11)"),
        ("{\"💝\": x}", "invalid JSON: expected value at line 1 column 8 (offset 7)"),
        (
            "{\"value\": []",
            "invalid JSON: EOF while parsing an object at line 1 column 13 (offset 12)",
        ),
        ("{\"value\": []} x", "invalid JSON: trailing characters at line 1 column 15 (offset 14)"),
        (
            "{\n  \"value\": [],\n  oops\n}",
            "invalid JSON: key must be a string at line 3 column 3 (offset 19)",
        ),
    ];
    for (json, message) in table {
        let (path, actual) = decode_err(json);
        assert_eq!(path, "", "{json:?}");
        assert_eq!(actual, *message, "{json:?}");
    }
}

#[test]
fn a_ten_thousand_deep_array_is_an_error_not_a_crash() {
    for json in [
        "[".repeat(10_000),
        format!("{}{}", "[".repeat(10_000), "]".repeat(10_000)),
        format!(r#"{{"value": {}"#, "[".repeat(10_000)),
        format!(r#"{{"value": [{{"x": {}}}]}}"#, "{\"a\":".repeat(10_000)),
    ] {
        let (path, message) = decode_err(&json);
        assert_eq!(path, "");
        assert!(message.starts_with("invalid JSON: recursion limit exceeded"), "{message}");
    }
}

#[test]
fn deep_unknown_properties_within_the_json_limit_are_kept() {
    let deep = format!("{}1{}", "[".repeat(120), "]".repeat(120));
    let json = format!(r#"{{"value": [{{"deep": {deep}}}]}}"#);
    let page = decode_referral_page(&json).unwrap();
    let expected: Value = serde_json::from_str(&deep).unwrap();
    assert_eq!(page.value[0].extra["deep"], expected);
}

#[test]
fn a_large_page_decodes() {
    let page = seed_times(5_000);
    let decoded = decode_referral_page(&page.to_string()).unwrap();
    assert_eq!(decoded.value.len(), 5_000);
    assert_eq!(to_wire(&decoded), page);
}

// ---- GET by id ----------------------------------------------------------------------------

#[test]
fn a_single_referral_keeps_its_odata_context() {
    let mut body: Value = serde_json::from_str(SEED).unwrap();
    let mut referral = body["value"][0].take();
    referral["@odata.context"] =
        json!("https://api.partner.microsoft.com/v1.0/$metadata#Referrals/$entity");
    let text = referral.to_string();
    validate_referral(&text).unwrap();
    let decoded: Referral = decode_referral(&text).unwrap();
    assert_eq!(decoded.extra["@odata.context"], referral["@odata.context"]);
    assert_eq!(serde_json::to_value(&decoded).unwrap(), referral);
}

#[test]
fn a_single_referral_reports_paths_relative_to_itself() {
    for (json, path) in [
        (r#"{"createdDateTime": "x"}"#, "/createdDateTime"),
        (r#"{"@odata.context": 1}"#, "/@odata.context"),
        (r#"[]"#, ""),
        (r#"{"#, ""),
    ] {
        let err = decode_referral(json).unwrap_err();
        assert_eq!(err.path(), Some(path), "{json}");
        assert_eq!(validate_referral(json).unwrap_err(), err);
    }
}

// ---- respond_by ---------------------------------------------------------------------------

#[test]
fn respond_by_table() {
    let created = "2020-10-30T21:03:00.0000000Z";
    // (direction, substatus, expirationDateTime, createdDateTime, days, expected)
    type Row<'a> =
        (Option<&'a str>, Option<&'a str>, Option<&'a str>, Option<&'a str>, u32, Option<&'a str>);
    let table: &[Row] = &[
        (
            Some("Incoming"),
            Some("Pending"),
            None,
            Some(created),
            14,
            Some("2020-11-13T21:03:00.000Z"),
        ),
        (
            Some("Incoming"),
            Some("Pending"),
            Some("2020-11-05T10:00:00Z"),
            Some(created),
            14,
            Some("2020-11-05T10:00:00.000Z"),
        ),
        // expirationDateTime is normalised to UTC milliseconds, like toISOString.
        (
            Some("Incoming"),
            Some("Pending"),
            Some("2020-11-05T12:00:00.1234567+02:00"),
            Some(created),
            14,
            Some("2020-11-05T10:00:00.123Z"),
        ),
        // An expirationDateTime that does not parse is as if not sent.
        (
            Some("Incoming"),
            Some("Pending"),
            Some("soon"),
            Some(created),
            14,
            Some("2020-11-13T21:03:00.000Z"),
        ),
        (
            Some("Incoming"),
            Some("Pending"),
            None,
            Some(created),
            30,
            Some("2020-11-29T21:03:00.000Z"),
        ),
        (
            Some("Incoming"),
            Some("Pending"),
            None,
            Some(created),
            0,
            Some("2020-10-30T21:03:00.000Z"),
        ),
        (
            Some("Incoming"),
            Some("Pending"),
            None,
            Some("2020-02-20T23:30:00-01:00"),
            14,
            Some("2020-03-06T00:30:00.000Z"),
        ),
        (Some("Outgoing"), Some("Pending"), None, Some(created), 14, None),
        (Some("Incoming"), Some("Accepted"), Some("2020-11-05T10:00:00Z"), Some(created), 14, None),
        (Some("Incoming"), Some("Received"), None, Some(created), 14, None),
        (None, Some("Pending"), None, Some(created), 14, None),
        (Some("Incoming"), None, None, Some(created), 14, None),
        (Some("incoming"), Some("pending"), None, Some(created), 14, None),
        (Some("Incoming"), Some("Pending"), None, None, 14, None),
        (Some("Incoming"), Some("Pending"), None, Some("2020-10-30"), 14, None),
        (Some("Incoming"), Some("Pending"), None, Some("9999-12-31T00:00:00Z"), 14, None),
    ];
    for &(direction, substatus, expiration, created, days, expected) in table {
        let referral = Referral {
            direction: direction.map(ReferralDirection::from),
            substatus: substatus.map(ReferralSubstatus::from),
            expiration_date_time: expiration.map(str::to_owned),
            created_date_time: created.map(str::to_owned),
            ..Referral::default()
        };
        let row = format!("{direction:?} {substatus:?} {expiration:?} {created:?} {days}");
        assert_eq!(respond_by(&referral, days).as_deref(), expected, "{row}");
        // The plain-object variant agrees.
        let value = serde_json::to_value(&referral).unwrap();
        assert_eq!(respond_by_value(&value, days).as_deref(), expected, "value: {row}");
    }
}

#[test]
fn respond_by_value_ignores_properties_of_the_wrong_type() {
    let value = json!({ "direction": "Incoming", "substatus": "Pending",
                        "createdDateTime": "2020-10-30T21:03:00Z", "expirationDateTime": 5 });
    assert_eq!(respond_by_value(&value, 14).as_deref(), Some("2020-11-13T21:03:00.000Z"));
    assert_eq!(respond_by_value(&json!([]), 14), None);
    assert_eq!(respond_by_value(&json!({ "direction": 1, "substatus": "Pending" }), 14), None);
}

#[test]
fn respond_by_on_the_seed_referral_is_fourteen_days_after_creation() {
    let page = decode_referral_page(SEED).unwrap();
    assert_eq!(
        respond_by(&page.value[0], DEFAULT_RESPONSE_DAYS).as_deref(),
        Some("2020-11-13T21:03:00.000Z")
    );
}

// ---- validation that also reads the nextLink (the client's read-ahead) ----------------------

#[test]
fn the_next_link_comes_with_validation_as_decoding_reads_it() {
    for text in [SEED, UNKNOWN] {
        let decoded = decode_referral_page(text).unwrap().next_link;
        assert_eq!(validate_referral_page_next_link(text).unwrap(), decoded);
    }
    let link = |text: &str| validate_referral_page_next_link(text).unwrap();
    assert_eq!(link(r#"{"value":[]}"#), None);
    assert_eq!(link(r#"{"value":[],"@odata.nextLink":null}"#), None);
    assert_eq!(
        link(r#"{"@odata.nextLink" : "https://a/?x=1" ,"value":[]}"#).as_deref(),
        Some("https://a/?x=1")
    );
    // Escapes are read; the last of repeated keys counts, as JSON.parse keeps it.
    assert_eq!(
        link(r#"{"value":[],"@odata.nextLink":"https:\/\/a\/b?q=\u0041\"x"}"#).as_deref(),
        Some("https://a/b?q=A\"x")
    );
    assert_eq!(
        link(r#"{"@odata.nextLink":"https://1","value":[],"@odata.nextLink":"https://2"}"#)
            .as_deref(),
        Some("https://2")
    );
    assert_eq!(link(r#"{"@odata.nextLink":"https://1","value":[],"@odata.nextLink":null}"#), None);
    // Only the page's own key: one inside a referral or an unknown property is not the link.
    let nested = r#"{"value":[{"id":"a","extra":{"@odata.nextLink":"https://evil"},"@odata.nextLink":"https://evil"}],"x":{"@odata.nextLink":"https://evil"}}"#;
    assert_eq!(link(nested), None);
    // A key written with escapes is the same key.
    assert_eq!(
        link(r#"{"value":[],"@odata.next\u004cink":"https://e"}"#).as_deref(),
        Some("https://e")
    );
    // A lone surrogate (the `Value` path) reads as U+FFFD, as decoding does.
    let lone = r#"{"value":[],"@odata.nextLink":"https://a/\ud800"}"#;
    assert_eq!(link(lone), decode_referral_page(lone).unwrap().next_link);
    // Errors are validate_referral_page's, exactly.
    for bad in [
        r#"{"value":[],"@odata.nextLink":1}"#,
        r#"{"value":[{"id":5}]}"#,
        "[",
        r#"{"@odata.nextLink":"x"}"#,
    ] {
        assert_eq!(
            validate_referral_page_next_link(bad).unwrap_err(),
            validate_referral_page(bad).unwrap_err(),
            "{bad}"
        );
    }
}
