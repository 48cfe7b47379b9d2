//! Boundary tests: run in Node (`cargo test --target wasm32-unknown-unknown`) and in headless
//! Chromium (same command with `WASM_BINDGEN_USE_BROWSER=1`), see the Makefile.
#![cfg(target_arch = "wasm32")]

use partner_referrals::wasm::{error::to_js, ODataError};
use partner_referrals::{Error, Span};
use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_test::wasm_bindgen_test;

fn as_odata(value: JsValue) -> ODataError {
    assert!(value.is_instance_of::<js_sys::Error>(), "not an Error: {value:?}");
    value.dyn_into::<ODataError>().expect("an ODataError")
}

#[wasm_bindgen_test]
fn filter_error_reaches_js_as_odata_error_with_position() {
    let err = Error::UnknownProperty {
        span: Span::new(13, 19),
        name: "stauts".into(),
        on_type: "Referral",
        suggestion: Some("status".into()),
    };
    let js = as_odata(to_js(&err));
    assert_eq!(js.code(), "InvalidFilter");
    assert_eq!(js.position(), Some(13.0));
    assert_eq!(js.end(), Some(19.0));
    assert_eq!(js.path(), None);
    let js_err: &js_sys::Error = js.unchecked_ref();
    assert_eq!(String::from(js_err.name()), "ODataError");
    assert_eq!(String::from(js_err.message()), err.to_string());
}

#[wasm_bindgen_test]
fn decode_error_reaches_js_with_path_and_no_position() {
    let err = Error::Decode {
        path: "/value/3/createdDateTime".into(),
        message: "expected a string".into(),
    };
    let js = as_odata(to_js(&err));
    assert_eq!(js.code(), "InvalidResponse");
    assert_eq!(js.path().as_deref(), Some("/value/3/createdDateTime"));
    assert_eq!(js.position(), None);
}

#[wasm_bindgen_test]
fn http_error_reaches_js_with_status_ids_and_server_details() {
    let context = partner_referrals::HttpContext {
        url: "https://api.partner.microsoft.com/v1.0/engagements/referrals".into(),
        request_id: Some("req-1".into()),
        client_request_id: "6f1c0c3e-0000-4000-8000-000000000001".into(),
        correlation_id: "6f1c0c3e-0000-4000-8000-000000000002".into(),
        retry_after_ms: Some(1500),
        details: Some(serde_json::json!({"error": {"code": "TooManyRequests", "n": 1}})),
        server_code: Some("TooManyRequests".into()),
        server_message: None,
        attempts: 4,
    };
    let err = Error::HttpStatus { status: 429, context: Box::new(context) };
    let js = as_odata(to_js(&err));
    assert_eq!(js.code(), "Throttled");
    assert_eq!(js.position(), None);
    let get = |key: &str| js_sys::Reflect::get(&js, &JsValue::from_str(key)).unwrap();
    assert_eq!(get("status").as_f64(), Some(429.0));
    assert_eq!(get("requestId").as_string().as_deref(), Some("req-1"));
    assert_eq!(
        get("correlationId").as_string().as_deref(),
        Some("6f1c0c3e-0000-4000-8000-000000000002")
    );
    assert_eq!(get("retryAfterMs").as_f64(), Some(1500.0));
    assert_eq!(get("serverCode").as_string().as_deref(), Some("TooManyRequests"));
    let details = js_sys::JSON::stringify(&get("details")).unwrap();
    assert_eq!(String::from(details), r#"{"error":{"code":"TooManyRequests","n":1}}"#);
}

// ---- the exports, called as JS would call them ------------------------------------------------

use js_sys::{Array, Object, Reflect};
use partner_referrals::wasm::{page, query};

fn obj(pairs: &[(&str, JsValue)]) -> JsValue {
    let o = Object::new();
    for (k, v) in pairs {
        Reflect::set(&o, &JsValue::from_str(k), v).unwrap();
    }
    o.into()
}

fn prop(value: &JsValue, key: &str) -> JsValue {
    Reflect::get(value, &JsValue::from_str(key)).unwrap()
}

#[wasm_bindgen_test]
fn validate_filter_error_has_utf16_position() {
    let text = "customerProfile/name eq '💝' and stauts eq 'New'";
    let err = query::validate_filter(text.into(), JsValue::UNDEFINED).unwrap_err();
    let err = as_odata(err);
    assert_eq!(err.code(), "InvalidFilter");
    assert_eq!(err.position(), Some(33.0), "💝 is two UTF-16 code units");
    assert_eq!(err.end(), Some(39.0));
}

#[wasm_bindgen_test]
fn validate_filter_returns_a_plain_object() {
    let info = query::validate_filter("status  eq 'New'".into(), JsValue::UNDEFINED).unwrap();
    assert_eq!(prop(&info, "canonical").as_string().as_deref(), Some("status eq 'New'"));
    let fields: Array = prop(&info, "fields").dyn_into().unwrap();
    assert_eq!(fields.get(0).as_string().as_deref(), Some("status"));
    let opts = obj(&[("schema", JsValue::FALSE)]);
    assert!(query::validate_filter("stauts eq 1".into(), opts).is_ok());
}

#[wasm_bindgen_test]
fn wrong_argument_types_are_type_errors() {
    let err = query::validate_filter(JsValue::from(1), JsValue::UNDEFINED).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
    let err = page::decode_referral_page(JsValue::NULL).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
}

#[wasm_bindgen_test]
fn template_objects_are_rejected_as_invalid_filter() {
    let strings: Array = ["status eq ", ""].iter().map(|s| JsValue::from_str(s)).collect();
    let values: Array = [JsValue::from(Object::new())].into_iter().collect();
    let err = as_odata(query::filter_template(strings.clone().into(), values.into()).unwrap_err());
    assert_eq!(err.code(), "InvalidFilter");
    let values: Array = [JsValue::from_str("O'Brien")].into_iter().collect();
    let strings: Array =
        ["customerProfile/name eq ", ""].iter().map(|s| JsValue::from_str(s)).collect();
    let filter = query::filter_template(strings.into(), values.into()).unwrap();
    let text = String::from(filter.unchecked_ref::<Object>().to_string());
    assert_eq!(text, "customerProfile/name eq 'O''Brien'");
}

#[wasm_bindgen_test]
fn build_query_errors_carry_their_codes() {
    let cases = [
        ("top", JsValue::from(1.5), "InvalidTop"),
        ("orderBy", JsValue::from_str("name desc"), "InvalidOrderBy"),
        ("select", JsValue::from_str("id"), "InvalidSelect"),
        ("filter", JsValue::from_str("stauts eq 1"), "InvalidFilter"),
    ];
    for (key, value, code) in cases {
        let err = query::build_query(obj(&[(key, value)])).unwrap_err();
        assert_eq!(as_odata(err).code(), code, "{key}");
    }
    let ok = query::build_query(obj(&[("top", JsValue::from(10))])).unwrap();
    assert_eq!(ok, "$top=10");
}

#[wasm_bindgen_test]
fn decode_error_has_a_json_pointer() {
    let json = r#"{"value":[{"id":"a"},{"createdDateTime":5}]}"#;
    let err = as_odata(page::decode_referral_page(json.into()).unwrap_err());
    assert_eq!(err.code(), "InvalidResponse");
    assert_eq!(err.path().as_deref(), Some("/value/1/createdDateTime"));
}

#[wasm_bindgen_test]
fn decoded_seed_page_matches_and_has_a_deadline() {
    let page = page::decode_referral_page(include_str!("fixtures/seed-page.json").into()).unwrap();
    assert_eq!(prop(&page, "count").as_f64(), Some(1.0));
    assert!(prop(&page, "@odata.count").is_undefined());
    let referral = Array::from(&prop(&page, "value")).get(0);
    let matched = query::matches_filter("status eq 'New'".into(), referral.clone()).unwrap();
    assert!(matched);
    let deadline = page::respond_by(referral, JsValue::UNDEFINED).unwrap();
    assert_eq!(deadline.as_deref(), Some("2020-11-13T21:03:00.000Z"));
}
