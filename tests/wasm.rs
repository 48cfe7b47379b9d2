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
    assert_eq!(
        get("clientRequestId").as_string().as_deref(),
        Some("6f1c0c3e-0000-4000-8000-000000000001")
    );
    assert_eq!(get("retryAfterMs").as_f64(), Some(1500.0));
    assert_eq!(get("serverCode").as_string().as_deref(), Some("TooManyRequests"));
    let details = js_sys::JSON::stringify(&get("details")).unwrap();
    assert_eq!(String::from(details), r#"{"error":{"code":"TooManyRequests","n":1}}"#);
}

/// `err.details` is what `JSON.parse` makes of the server's body as parsed: built without JSON
/// text now, so it is compared with `JSON.parse` of serde_json's text for awkward bodies.
#[wasm_bindgen_test]
fn http_error_details_are_what_json_parse_makes_of_the_body() {
    let bodies = [
        r#"{"error":{"code":"x","innerError":{"b":[1,2.5,-0.0,null,true,"é💝\n\"q\""],"a":{}}}}"#,
        r#"{"__proto__":{"polluted":1},"constructor":"c","10":"ten","2":"two","b":1,"a":2}"#,
        r#"{"big":18446744073709551615,"neg":-9223372036854775808,"exp":1e300,"tiny":5e-324,"f":0.1}"#,
        r#"{"n":12345678901234567890123,"m":-0,"k":[[[[]]]],"s":"\u0000\u001f\ud83d\udc9d"}"#,
        r#"[1,{"x":[]},"a"]"#,
        r#""gateway timeout""#,
        "42",
        "null",
    ];
    for body in bodies {
        let details: serde_json::Value = serde_json::from_str(body).unwrap();
        let expected = js_sys::JSON::parse(&details.to_string()).unwrap();
        let context = partner_referrals::HttpContext {
            url: "https://api.partner.microsoft.com/v1.0/engagements/referrals".into(),
            request_id: None,
            client_request_id: String::new(),
            correlation_id: String::new(),
            retry_after_ms: None,
            details: Some(details),
            server_code: None,
            server_message: None,
            attempts: 1,
        };
        let err = Error::HttpStatus { status: 500, context: Box::new(context) };
        let details = js_sys::Reflect::get(&to_js(&err), &JsValue::from_str("details")).unwrap();
        let text = |v: &JsValue| String::from(js_sys::JSON::stringify(v).unwrap());
        assert_eq!(text(&details), text(&expected), "{body}");
        // Own keys in the same order, the same prototype (`__proto__` is a data property).
        if details.is_object() && !js_sys::Array::is_array(&details) {
            let keys = |v: &JsValue| text(&js_sys::Reflect::own_keys(v).unwrap().into());
            assert_eq!(keys(&details), keys(&expected), "{body}");
            assert_eq!(
                js_sys::Object::get_prototype_of(&details),
                js_sys::Object::get_prototype_of(&expected)
            );
        }
        // -0 survives as -0, like JSON.parse.
        if let Some(m) = js_sys::Reflect::get(&details, &"m".into()).ok().and_then(|m| m.as_f64()) {
            assert!(m == 0.0 && m.is_sign_negative(), "{body}");
        }
    }
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
    let err = query::validate_filter(text.into(), None).unwrap_err();
    let err = as_odata(err);
    assert_eq!(err.code(), "InvalidFilter");
    assert_eq!(err.position(), Some(33.0), "💝 is two UTF-16 code units");
    assert_eq!(err.end(), Some(39.0));
}

#[wasm_bindgen_test]
fn validate_filter_returns_a_plain_object() {
    let info = query::validate_filter("status  eq 'New'".into(), None).unwrap();
    assert_eq!(prop(&info, "canonical").as_string().as_deref(), Some("status eq 'New'"));
    let fields: Array = prop(&info, "fields").dyn_into().unwrap();
    assert_eq!(fields.get(0).as_string().as_deref(), Some("status"));
    let opts = obj(&[("schema", JsValue::FALSE)]);
    assert!(query::validate_filter("stauts eq 1".into(), Some(opts.unchecked_into())).is_ok());
}

#[wasm_bindgen_test]
fn validate_filter_result_keeps_every_character_and_field() {
    let text = "(customerProfile/name eq 'a\"b\\c,\u{1}d 💝 é''') and team/any(t:t/email eq 'x') \
                and customerProfile/address/country ne null";
    let info = query::validate_filter(text.into(), None).unwrap();
    let core = partner_referrals::query::validate_filter(text, true).unwrap();
    assert_eq!(prop(&info, "canonical").as_string(), Some(core.canonical));
    let fields: Array = prop(&info, "fields").dyn_into().unwrap();
    let fields: Vec<String> = fields.iter().map(|f| f.as_string().unwrap()).collect();
    assert_eq!(fields, core.fields);
    assert_eq!(fields.len(), 4);
    let keys = Object::keys(info.unchecked_ref::<Object>());
    let keys: Vec<String> = keys.iter().map(|k| k.as_string().unwrap()).collect();
    assert_eq!(keys, ["canonical", "fields"]);
    let info = query::validate_filter("true".into(), None).unwrap();
    let fields: Array = prop(&info, "fields").dyn_into().unwrap();
    assert_eq!(fields.length(), 0);
    // Already canonical (the input string comes back), with fields under a lambda variable.
    let text = "details/notes eq '💝' and team/all(m:m/email ne null and m/lastName eq 'é')";
    let info = query::validate_filter(text.into(), None).unwrap();
    assert_eq!(prop(&info, "canonical").as_string().as_deref(), Some(text));
    let fields: Array = prop(&info, "fields").dyn_into().unwrap();
    let fields: Vec<String> = fields.iter().map(|f| f.as_string().unwrap()).collect();
    assert_eq!(fields, ["details/notes", "team", "team/email", "team/lastName"]);
    // Every list length (the result is built with `Array.of` up to five items).
    let names = ["status", "type", "direction", "name", "substatus", "qualification", "id"];
    for n in 1..=names.len() {
        let text: Vec<String> = names[..n].iter().map(|p| format!("{p} ne null")).collect();
        let text = text.join(" and ");
        let info = query::validate_filter(text.as_str().into(), None).unwrap();
        let fields: Array = prop(&info, "fields").dyn_into().unwrap();
        let fields: Vec<String> = fields.iter().map(|f| f.as_string().unwrap()).collect();
        assert_eq!(fields, names[..n], "{text}");
    }
    // A lone surrogate reaches the core as U+FFFD, and so does the canonical text.
    let units: Vec<u16> = "name eq 'x'".encode_utf16().collect();
    let mut lone = units.clone();
    lone.insert(10, 0xD800);
    let text = js_sys::JsString::from_char_code(&lone);
    let info = query::validate_filter(text.into(), None).unwrap();
    let canonical: js_sys::JsString = prop(&info, "canonical").dyn_into().unwrap();
    assert!(canonical.is_valid_utf16(), "the lone surrogate must not come back");
    assert_eq!(String::from(canonical), "name eq 'x\u{FFFD}'");
}

#[wasm_bindgen_test]
fn wrong_argument_types_are_type_errors() {
    let err = query::validate_filter(JsValue::from(1), None).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
    let err = page::decode_referral_page(JsValue::NULL).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
}

#[wasm_bindgen_test]
fn template_objects_are_rejected_as_invalid_filter() {
    let strings: Array = ["status eq ", ""].iter().map(|s| JsValue::from_str(s)).collect();
    let values: Array = [JsValue::from(Object::new())].into_iter().collect();
    let err =
        as_odata(query::filter_template(strings.clone().into(), values.into(), None).unwrap_err());
    assert_eq!(err.code(), "InvalidFilter");
    let values: Array = [JsValue::from_str("O'Brien")].into_iter().collect();
    let strings: Array =
        ["customerProfile/name eq ", ""].iter().map(|s| JsValue::from_str(s)).collect();
    let filter = query::filter_template(strings.into(), values.into(), None).unwrap();
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

/// A raw lone surrogate (which only a JS string holds) is kept by `JSON.parse` where any
/// string is accepted, and read as U+FFFD where text is checked (a date-time): in Node the
/// page is validated as UTF-16, in browsers as UTF-8; the answers and errors are the same.
#[wasm_bindgen_test]
fn decode_reads_a_raw_lone_surrogate_as_the_utf8_conversion_does() {
    let lone = js_sys::JsString::from_char_code1(0xD83D);
    let page_with = |before: &str, after: &str| -> JsValue {
        js_sys::JsString::from(before).concat(&lone).concat(&after.into()).into()
    };
    let page = page::decode_referral_page(page_with(r#"{"value":[{"id":"a"#, r#""}]}"#)).unwrap();
    let id = prop(&Array::from(&prop(&page, "value")).get(0), "id");
    assert_eq!(id.as_string(), Some("a\u{FFFD}".to_string()));
    assert_eq!(js_sys::JsString::from(id).char_code_at(1), 0xD83D as f64);
    let bad =
        page_with(r#"{"value":[{"id":"a"},{"createdDateTime":"2025-01-01T00:00:00Z"#, r#""}]}"#);
    let err = as_odata(page::decode_referral_page(bad).unwrap_err());
    assert_eq!(err.code(), "InvalidResponse");
    assert_eq!(err.path().as_deref(), Some("/value/1/createdDateTime"));
}

#[wasm_bindgen_test]
fn decoded_seed_page_matches_and_has_a_deadline() {
    let page = page::decode_referral_page(include_str!("fixtures/seed-page.json").into()).unwrap();
    assert_eq!(prop(&page, "count").as_f64(), Some(1.0));
    assert!(prop(&page, "@odata.count").is_undefined());
    let referral = Array::from(&prop(&page, "value")).get(0);
    let matched = query::matches_filter("status eq 'New'".into(), referral.clone(), None).unwrap();
    assert!(matched);
    let deadline = page::respond_by(referral, JsValue::UNDEFINED).unwrap();
    assert_eq!(deadline.as_deref(), Some("2020-11-13T21:03:00.000Z"));
}

// ---- the client's platform side: fetch, timers, signals, getToken ---------------------------

use std::cell::Cell;
use std::rc::Rc;
use std::time::Duration;

use js_sys::futures::JsFuture;
use js_sys::Function;
use partner_referrals::client::{new_guid, HttpRequest, Transport, TransportFailure};
use partner_referrals::wasm::client::create_client;
use partner_referrals::wasm::fetch::{CryptoEntropy, FetchTransport, Timer};
use partner_referrals::wasm::signal::{with_signal, Signal};

/// A JS function from source (test scaffolding: scripted `fetch`es and `getToken`s).
fn js_fn(args: &str, body: &str) -> Function {
    Function::new_with_args(args, body)
}

fn global(key: &str) -> JsValue {
    prop(&js_sys::global(), key)
}

fn request() -> HttpRequest {
    HttpRequest {
        method: "GET",
        url: "https://api.partner.microsoft.com/v1.0/engagements/referrals?$top=1".into(),
        headers: vec![
            ("Authorization".into(), "Bearer t0k".into()),
            ("Accept".into(), "application/json".into()),
        ],
        body: None,
    }
}

fn transport(fetch: Function, timeout_ms: Option<u32>) -> FetchTransport {
    FetchTransport {
        fetch: Some(fetch),
        timeout_ms,
        max_response_bytes: partner_referrals::client::DEFAULT_MAX_RESPONSE_BYTES,
        signal: None,
        body: Default::default(),
        timed_out: Default::default(),
    }
}

/// An `AbortController` and its signal.
fn abort_controller() -> (JsValue, Signal) {
    let controller = js_fn("", "return new AbortController()").call0(&JsValue::NULL).unwrap();
    let signal = Signal::from_js(&prop(&controller, "signal")).expect("an AbortSignal");
    (controller, signal)
}

/// Sets `flag` when dropped: shows that an aborted future was dropped.
struct DropFlag(Rc<Cell<bool>>);
impl Drop for DropFlag {
    fn drop(&mut self) {
        self.0.set(true);
    }
}

#[wasm_bindgen_test]
async fn fetch_transport_sends_the_request_and_reads_the_response() {
    let fetch = js_fn(
        "url, init",
        "globalThis.__seen = { url, init };
         return new Response('{\"value\":[]}', { status: 207, headers: { 'Request-ID': 'srv-1' } });",
    );
    let response = transport(fetch, Some(60_000)).send(&request()).await.unwrap();
    assert_eq!(response.status, 207);
    assert_eq!(response.body, r#"{"value":[]}"#);
    assert_eq!(response.header("request-id"), Some("srv-1"));
    let seen = global("__seen");
    assert_eq!(prop(&seen, "url").as_string(), Some(request().url));
    let init = prop(&seen, "init");
    assert_eq!(prop(&init, "method").as_string().as_deref(), Some("GET"));
    assert_eq!(prop(&init, "redirect").as_string().as_deref(), Some("manual"));
    let headers = prop(&init, "headers");
    assert_eq!(prop(&headers, "Authorization").as_string().as_deref(), Some("Bearer t0k"));
    assert_eq!(prop(&headers, "Accept").as_string().as_deref(), Some("application/json"));
    let signal = prop(&init, "signal");
    assert_eq!(
        prop(&signal, "aborted").as_bool(),
        Some(false),
        "a finished attempt is not aborted"
    );
}

#[wasm_bindgen_test]
async fn fetch_transport_reports_failures_as_network_errors() {
    let offline = js_fn("", "return Promise.reject(new TypeError('offline'))");
    match transport(offline, None).send(&request()).await {
        Err(TransportFailure::Network(message)) => {
            assert!(message.contains("offline"), "{message}")
        }
        other => panic!("{other:?}"),
    }
    let throws = js_fn("", "throw new TypeError('bad init')");
    assert!(matches!(
        transport(throws, None).send(&request()).await,
        Err(TransportFailure::Network(m)) if m.contains("bad init")
    ));
    let not_a_response = js_fn("", "return 42");
    assert!(matches!(
        transport(not_a_response, None).send(&request()).await,
        Err(TransportFailure::Network(m)) if m.contains("not a Response")
    ));
}

/// A `fetch` whose response body is an endless stream of 16 KiB chunks (counted in
/// `globalThis.__pulled`), with `status` and extra `headers`.
fn endless_fetch(status: u16, headers: &str) -> Function {
    js_fn(
        "",
        &format!(
            "globalThis.__pulled = 0;
             const chunk = new Uint8Array(16384).fill(32);
             const body = new ReadableStream({{ pull(c) {{ globalThis.__pulled += 1; c.enqueue(chunk); }} }});
             return new Response(body, {{ status: {status}, headers: {headers} }});"
        ),
    )
}

#[wasm_bindgen_test]
async fn fetch_transport_stops_reading_a_body_at_its_limit() {
    let limited = |fetch, max| FetchTransport { max_response_bytes: max, ..transport(fetch, None) };
    // A 2xx body: maxResponseBytes; the stream is pulled only a little past the limit.
    let result =
        limited(endless_fetch(200, "{ 'Request-ID': 'srv-big' }"), 100_000).send(&request()).await;
    match result {
        Err(TransportFailure::TooLarge { status: 200, limit: 100_000, headers }) => {
            assert!(headers.iter().any(|(k, v)| k == "request-id" && v == "srv-big"));
        }
        other => panic!("{other:?}"),
    }
    let pulled = global("__pulled").as_f64().unwrap();
    assert!(pulled < 20.0, "{pulled} chunks pulled for a 100 000-byte limit");
    // An error body: 64 KiB, whatever maxResponseBytes says.
    let result = limited(endless_fetch(500, "{}"), 100_000_000).send(&request()).await;
    assert!(
        matches!(result, Err(TransportFailure::TooLarge { status: 500, limit: 65_536, .. })),
        "{result:?}"
    );
    // Content-Length over the limit: nothing is read.
    let declared = js_fn(
        "",
        "globalThis.__pulled = 0;
         const body = new ReadableStream({ pull(c) { globalThis.__pulled += 1; c.enqueue(new Uint8Array(10)); } });
         return new Response(body, { headers: { 'Content-Length': '1000' } });",
    );
    let result = limited(declared, 999).send(&request()).await;
    assert!(matches!(result, Err(TransportFailure::TooLarge { limit: 999, .. })), "{result:?}");
    assert!(global("__pulled").as_f64().unwrap() <= 1.0, "the body was read");
    // Exactly the limit is read, multi-byte characters split across chunks included.
    let split = js_fn(
        "",
        "const bytes = new TextEncoder().encode('{\"value\":[\"☕🚀\"]}');
         let at = 0;
         const body = new ReadableStream({ pull(c) { if (at >= bytes.length) c.close(); else c.enqueue(bytes.slice(at, ++at)); } });
         return new Response(body);",
    );
    let exact = "{\"value\":[\"☕🚀\"]}";
    let response = limited(split, exact.len() as u64).send(&request()).await.unwrap();
    assert_eq!(response.body, exact);
    // A hand-made response without a body stream is measured after its text().
    let hand_made =
        js_fn("", "return { status: 200, headers: [], text: async () => 'x'.repeat(2000) };");
    let result = limited(hand_made, 1999).send(&request()).await;
    assert!(matches!(result, Err(TransportFailure::TooLarge { limit: 1999, .. })), "{result:?}");
}

#[wasm_bindgen_test]
async fn fetch_transport_times_out_and_aborts_the_attempt() {
    let fetch =
        js_fn("url, init", "globalThis.__signal = init.signal; return new Promise(() => {});");
    let result = transport(fetch, Some(5)).send(&request()).await;
    assert_eq!(result, Err(TransportFailure::Timeout));
    let signal = global("__signal");
    assert_eq!(prop(&signal, "aborted").as_bool(), Some(true));
    let reason = prop(&signal, "reason");
    assert_eq!(prop(&reason, "name").as_string().as_deref(), Some("TimeoutError"));
}

#[wasm_bindgen_test]
async fn a_timer_fires_and_a_dropped_timer_never_does() {
    Timer::new(Duration::from_millis(1)).await;
    drop(Timer::new(Duration::from_millis(0)));
    Timer::new(Duration::from_millis(5)).await;
}

#[wasm_bindgen_test]
async fn with_signal_rejects_with_the_reason_as_is_and_drops_the_work() {
    let (controller, signal) = abort_controller();
    let dropped = Rc::new(Cell::new(false));
    let flag = DropFlag(Rc::clone(&dropped));
    let work = async move {
        let _flag = flag;
        Timer::new(Duration::from_secs(3600)).await;
        Ok::<u32, JsValue>(1)
    };
    let abort_soon = js_fn("c", "setTimeout(() => c.abort('a plain string'), 0)");
    abort_soon.call1(&JsValue::NULL, &controller).unwrap();
    let reason = with_signal(Some(&signal), work).await.unwrap_err();
    assert_eq!(reason.as_string().as_deref(), Some("a plain string"));
    assert!(dropped.get(), "the aborted work was dropped");
}

#[wasm_bindgen_test]
async fn with_signal_does_not_start_work_on_an_aborted_signal() {
    let (controller, signal) = abort_controller();
    let reason = js_sys::Error::new("before");
    js_fn("c, r", "c.abort(r)").call2(&JsValue::NULL, &controller, &reason).unwrap();
    let started = Rc::new(Cell::new(false));
    let s = Rc::clone(&started);
    let err = with_signal(Some(&signal), async move {
        s.set(true);
        Ok::<(), JsValue>(())
    })
    .await
    .unwrap_err();
    assert!(!started.get());
    assert!(JsValue::from(reason) == err, "the reason object itself");
    // Without an abort, the work's result comes through.
    let (_controller, signal) = abort_controller();
    assert_eq!(with_signal(Some(&signal), async { Ok::<u8, JsValue>(7) }).await.unwrap(), 7);
}

#[wasm_bindgen_test]
fn crypto_entropy_makes_distinct_version_4_guids() {
    let a = new_guid(&CryptoEntropy);
    let b = new_guid(&CryptoEntropy);
    assert_ne!(a, b);
    assert_eq!(a.as_bytes()[14], b'4');
}

#[wasm_bindgen_test]
fn create_client_refuses_bad_options_with_type_errors() {
    let get_token: JsValue = js_fn("", "return 't'").into();
    let bad = [
        JsValue::UNDEFINED,
        obj(&[]),
        obj(&[("getToken", JsValue::from_str("t"))]),
        obj(&[("getToken", get_token.clone()), ("baseUrl", JsValue::from_str("ftp://x/"))]),
        obj(&[("getToken", get_token.clone()), ("maxRetries", JsValue::from(-1))]),
        obj(&[("getToken", get_token.clone()), ("timeoutMs", JsValue::from(0))]),
        obj(&[("getToken", get_token.clone()), ("locale", JsValue::from_str("a\nb"))]),
        obj(&[("getToken", get_token.clone()), ("fetchh", get_token.clone())]),
    ];
    for options in bad {
        let err = create_client(options.clone()).unwrap_err();
        assert!(err.is_instance_of::<js_sys::TypeError>(), "{options:?}: {err:?}");
    }
    assert!(create_client(obj(&[("getToken", get_token)])).is_ok());
}

#[wasm_bindgen_test]
async fn a_client_lists_through_an_injected_fetch_and_hands_out_decoded_pages() {
    let fetch = js_fn(
        "url, init",
        "globalThis.__auth = init.headers.Authorization;
         return new Response(JSON.stringify({ '@odata.count': 1, value: [{ id: 'a', x: null }],
           '@odata.nextLink': 'http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2' }));",
    );
    let get_token = js_fn("request", "return Promise.resolve('tok-' + request.forceRefresh)");
    let client =
        create_client(obj(&[("getToken", get_token.into()), ("fetch", fetch.into())])).unwrap();
    let page = JsFuture::from(client.list(JsValue::UNDEFINED, JsValue::UNDEFINED)).await.unwrap();
    assert_eq!(global("__auth").as_string().as_deref(), Some("Bearer tok-false"));
    assert_eq!(prop(&page, "count").as_f64(), Some(1.0));
    assert!(prop(&page, "@odata.nextLink").is_undefined());
    let first = Array::from(&prop(&page, "value")).get(0);
    assert!(prop(&first, "x").is_null(), "nothing lost: a null stays null");
    let err = JsFuture::from(client.get(JsValue::from_str("../x"), JsValue::UNDEFINED))
        .await
        .unwrap_err();
    assert_eq!(as_odata(err).code(), "InvalidArgument");
}

#[wasm_bindgen_test]
async fn a_traversal_reads_the_next_page_ahead_and_drops_it_when_freed() {
    // Page 1 names page 2; page 2 never answers and records its signal.
    let fetch = js_fn(
        "url, init",
        "(globalThis.__urls ??= []).push(url);
         if (url.endsWith('$skiptoken=2')) {
           globalThis.__signal = init.signal;
           return new Promise((_, reject) => init.signal.addEventListener('abort', () => reject(init.signal.reason)));
         }
         return new Response(JSON.stringify({ value: [{ id: 'a' }],
           '@odata.nextLink': 'https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2' }));",
    );
    let get_token = js_fn("", "return 'tok'");
    let client =
        create_client(obj(&[("getToken", get_token.into()), ("fetch", fetch.into())])).unwrap();
    let urls = || Array::from(&global("__urls")).length();

    // readAhead: false: one request per page.
    let off = obj(&[("readAhead", JsValue::FALSE)]);
    let cursor = client.open_cursor(JsValue::UNDEFINED, off, JsValue::UNDEFINED).unwrap();
    let page = JsFuture::from(cursor.next()).await.unwrap();
    assert_eq!(Array::from(&prop(&page, "value")).length(), 1);
    assert_eq!(urls(), 1);
    drop(cursor);

    // Read-ahead (the default): page 2 is requested by the time page 1 is handed out.
    let cursor = client.open_cursor(JsValue::UNDEFINED, JsValue::UNDEFINED, JsValue::UNDEFINED);
    let cursor = cursor.unwrap();
    let page = JsFuture::from(cursor.next()).await.unwrap();
    assert_eq!(
        prop(&page, "nextLink").as_string().as_deref(),
        Some("https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=2")
    );
    assert_eq!(urls(), 3);
    let signal = global("__signal");
    assert_eq!(prop(&signal, "aborted").as_bool(), Some(false));
    // Freeing the traversal (what return()/break does) aborts page 2's fetch.
    drop(cursor);
    assert_eq!(prop(&signal, "aborted").as_bool(), Some(true));

    let bad = obj(&[("readAhead", JsValue::from_str("yes"))]);
    let err = client.open_cursor(JsValue::UNDEFINED, bad, JsValue::UNDEFINED).unwrap_err();
    assert!(err.is_instance_of::<js_sys::TypeError>());
}
