//! The fields Microsoft's connector definition documents (partner-api.md 1.1a): `campaignId`,
//! `favorite`, `lastModifiedVia`, `lastRunId`, `salesStage`,
//! `inviteContext/assistanceRequestCode`, `details/customerAction` and
//! `details/customerRequestedContact` are known everywhere a field lives: filters (checked and
//! evaluated), `$select`, the typed model and the page decoder's type checks.

// The same tests run natively and, through wasm-bindgen-test-runner, in Node and headless
// Chromium (`make test-wasm-node`, `make test-wasm-browser`): plain `#[test]` is skipped there.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::model::{AssistanceRequestCode, SalesStage};
use partner_referrals::query::{build_query, validate_filter, Filter, ReferralQuery};
use partner_referrals::{decode_referral_page, ErrorCode};
use serde_json::json;

fn now() -> DateTimeOffset {
    DateTimeOffset::parse("2026-12-01T00:00:00Z").unwrap()
}

#[track_caller]
fn matches(filter: &str, record: &serde_json::Value) -> bool {
    #[cfg(target_arch = "wasm32")]
    partner_referrals::wasm::install_platform();
    Filter::parse(filter).unwrap_or_else(|e| panic!("{filter}: {e}")).matches(record, now())
}

#[track_caller]
fn refused(filter: &str) -> String {
    let err = validate_filter(filter, true).expect_err(filter);
    assert_eq!(err.code(), ErrorCode::InvalidFilter, "{filter}");
    err.to_string()
}

#[test]
fn the_connector_fields_validate_in_filters() {
    for filter in [
        "salesStage eq 'Develop'",
        "salesStage in ('Qualify','Propose')",
        "favorite eq true",
        "favorite",
        "not favorite",
        "campaignId eq 'CMP-7'",
        "startswith(lastModifiedVia,'Partner')",
        "lastRunId ne null",
        "inviteContext/assistanceRequestCode eq 'ProofOfConceptOrDemo'",
        "details/customerAction eq 'RequestedContact'",
        "details/customerRequestedContact eq false",
    ] {
        let info = validate_filter(filter, true).unwrap_or_else(|e| panic!("{filter}: {e}"));
        assert_eq!(info.canonical, filter);
    }
    let info = validate_filter(
        "salesStage eq 'Close' and inviteContext/assistanceRequestCode ne null",
        true,
    )
    .unwrap();
    assert_eq!(info.fields, ["salesStage", "inviteContext/assistanceRequestCode"]);
}

#[test]
fn the_connector_enums_are_closed_in_filters_with_suggestions() {
    assert_eq!(
        refused("salesStage eq 'develop'"),
        "`'develop'` is not a SalesStage value (did you mean `'Develop'`?) at position 14"
    );
    assert_eq!(
        refused("inviteContext/assistanceRequestCode eq 'ProofOfConcept'"),
        "`'ProofOfConcept'` is not a AssistanceRequestCode value at position 39"
    );
    assert_eq!(
        refused("salesStage gt 'Develop'"),
        "SalesStage values can only be compared with `eq`, `ne` and `in` at position 14"
    );
    assert_eq!(
        refused("favorite eq 'yes'"),
        "cannot compare a Boolean with a String using `eq` at position 12"
    );
    assert_eq!(
        refused("salesStge eq 'Develop'"),
        "unknown property `salesStge` on Referral (did you mean `salesStage`?) at position 0"
    );
    assert_eq!(
        refused("details/customerRequestedContacts eq true"),
        "unknown property `customerRequestedContacts` on ReferralDetails (did you mean `customerRequestedContact`?) at position 8"
    );
}

#[test]
fn the_connector_fields_evaluate() {
    let referral = json!({
        "salesStage": "Develop",
        "favorite": true,
        "campaignId": "CMP-7",
        "lastModifiedVia": "PartnerCenter",
        "inviteContext": { "assistanceRequestCode": "QuotesOrLicensing" },
        "details": { "customerAction": "RequestedContact", "customerRequestedContact": true },
    });
    for filter in [
        "salesStage eq 'Develop'",
        "favorite eq true",
        "favorite and campaignId eq 'CMP-7'",
        "startswith(lastModifiedVia,'Partner')",
        "lastRunId eq null",
        "inviteContext/assistanceRequestCode in ('QuotesOrLicensing','Unknown')",
        "details/customerRequestedContact and details/customerAction eq 'RequestedContact'",
    ] {
        assert!(matches(filter, &referral), "should match: {filter}");
    }
    for filter in [
        "salesStage eq 'Close'",
        "favorite eq false",
        "not favorite",
        "inviteContext/assistanceRequestCode eq 'Unknown'",
        "details/customerRequestedContact eq false",
    ] {
        assert!(!matches(filter, &referral), "should not match: {filter}");
    }
}

#[test]
fn the_connector_fields_are_selectable() {
    let query = ReferralQuery {
        select: Some(vec![
            "id".into(),
            "salesStage".into(),
            "favorite".into(),
            "campaignId".into(),
        ]),
        ..ReferralQuery::default()
    };
    assert_eq!(build_query(&query).unwrap(), "$select=id,salesStage,favorite,campaignId");
    let typo = ReferralQuery { select: Some(vec!["favourite".into()]), ..ReferralQuery::default() };
    let err = build_query(&typo).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidSelect);
    assert!(err.to_string().contains("did you mean `favorite`?"), "{err}");
}

#[test]
fn the_connector_fields_decode_into_typed_fields() {
    let page = decode_referral_page(
        r#"{"value": [{"salesStage": "Propose", "favorite": false, "campaignId": "CMP-7",
            "lastModifiedVia": "API", "lastRunId": "run-9",
            "inviteContext": {"assistanceRequestCode": "PostSalesCustomerSuccess"},
            "details": {"customerAction": "Call", "customerRequestedContact": true}},
            {"salesStage": "Negotiate"}]}"#,
    )
    .unwrap();
    let referral = &page.value[0];
    assert_eq!(referral.sales_stage, Some(SalesStage::Propose));
    assert_eq!(referral.favorite, Some(false));
    assert_eq!(referral.campaign_id.as_deref(), Some("CMP-7"));
    assert_eq!(referral.last_modified_via.as_deref(), Some("API"));
    assert_eq!(referral.last_run_id.as_deref(), Some("run-9"));
    assert!(referral.extra.is_empty(), "{:?}", referral.extra);
    let invite = referral.invite_context.as_ref().unwrap();
    assert_eq!(
        invite.assistance_request_code,
        Some(AssistanceRequestCode::PostSalesCustomerSuccess)
    );
    let details = referral.details.as_ref().unwrap();
    assert_eq!(details.customer_action.as_deref(), Some("Call"));
    assert_eq!(details.customer_requested_contact, Some(true));
    // Open on the wire: a stage this version does not know is kept as sent.
    assert_eq!(page.value[1].sales_stage, Some(SalesStage::Other("Negotiate".into())));
}

#[test]
fn a_connector_field_of_the_wrong_json_type_is_an_invalid_response_with_its_path() {
    let table = [
        (
            r#"{"value": [{"favorite": "yes"}]}"#,
            "/value/0/favorite",
            "expected a boolean, found a string",
        ),
        (
            r#"{"value": [{}, {"salesStage": 2}]}"#,
            "/value/1/salesStage",
            "expected a string, found a number",
        ),
        (
            r#"{"value": [{"campaignId": {}}]}"#,
            "/value/0/campaignId",
            "expected a string, found an object",
        ),
        (
            r#"{"value": [{"lastRunId": true}]}"#,
            "/value/0/lastRunId",
            "expected a string, found a boolean",
        ),
        (
            r#"{"value": [{"lastModifiedVia": []}]}"#,
            "/value/0/lastModifiedVia",
            "expected a string, found an array",
        ),
        (
            r#"{"value": [{"inviteContext": {"assistanceRequestCode": 1}}]}"#,
            "/value/0/inviteContext/assistanceRequestCode",
            "expected a string, found a number",
        ),
        (
            r#"{"value": [{"details": {"customerRequestedContact": "true"}}]}"#,
            "/value/0/details/customerRequestedContact",
            "expected a boolean, found a string",
        ),
        (
            r#"{"value": [{"details": {"customerAction": 0}}]}"#,
            "/value/0/details/customerAction",
            "expected a string, found a number",
        ),
    ];
    for (json, path, message) in table {
        let err = decode_referral_page(json).expect_err(json);
        assert_eq!(err.code(), ErrorCode::InvalidResponse, "{json}");
        assert_eq!(err.path(), Some(path), "{json}");
        assert_eq!(err.to_string(), format!("{message} at `{path}`"), "{json}");
    }
}
