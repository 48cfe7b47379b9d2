//! The HTTP client's policy against a scripted, counting fake transport (Azure's
//! `StatusResponder` style): headers, retries and waits, token refresh, error mapping, nextLink
//! rules and paging. No network, no real sleeping, no clock: sleeps are recorded, `now` is fixed.

// The same tests run natively and, through wasm-bindgen-test-runner, in Node and headless
// Chromium (`make test-wasm-node`, `make test-wasm-browser`): plain `#[test]` is skipped there.
#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::{block_on, noop_waker};

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::future::Future;
use std::pin::pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use partner_referrals::client::{
    Client, ClientOptions, Decoder, Entropy, Fetched, HttpRequest, HttpResponse, PageRequest,
    ReadAhead, RequestOptions, RetryPolicy, TokenSource, Transport, TransportFailure,
};
use partner_referrals::{Error, ErrorCode, Result};
use serde_json::{json, Value};

// ---- driving futures ---------------------------------------------------------------------

/// Returns `Pending` once, then `Ready`: a transport that takes a moment.
struct YieldOnce(bool);
impl Future for YieldOnce {
    type Output = ();
    fn poll(mut self: std::pin::Pin<&mut Self>, _: &mut Context<'_>) -> Poll<()> {
        if self.0 {
            Poll::Ready(())
        } else {
            self.0 = true;
            Poll::Pending
        }
    }
}

// ---- fakes -------------------------------------------------------------------------------

const TOKEN: &str = "eyJ0eXAi.SECRET-TOKEN-1";
const FRESH_TOKEN: &str = "eyJ0eXAi.SECRET-TOKEN-2";
const NOW: i64 = 1_700_000_000_000;

type Reply = std::result::Result<HttpResponse, TransportFailure>;

#[derive(Debug, Default)]
struct FakeTransport {
    script: RefCell<VecDeque<Reply>>,
    requests: RefCell<Vec<HttpRequest>>,
    sleeps: RefCell<Vec<Duration>>,
    slow: Cell<bool>,
}

impl Transport for FakeTransport {
    async fn send(&self, request: &HttpRequest) -> Reply {
        self.requests.borrow_mut().push(request.clone());
        if self.slow.get() {
            YieldOnce(false).await;
        }
        self.script.borrow_mut().pop_front().expect("the script ran out of responses")
    }
    async fn sleep(&self, duration: Duration) {
        self.sleeps.borrow_mut().push(duration);
    }
    fn now_unix_millis(&self) -> i64 {
        NOW
    }
}

impl FakeTransport {
    fn urls(&self) -> Vec<String> {
        self.requests.borrow().iter().map(|r| r.url.clone()).collect()
    }
    fn header(&self, index: usize, name: &str) -> Option<String> {
        self.requests.borrow()[index].header(name).map(str::to_string)
    }
    fn sent(&self) -> usize {
        self.requests.borrow().len()
    }
    fn sleeps(&self) -> Vec<Duration> {
        self.sleeps.borrow().clone()
    }
}

/// Hands out [`TOKEN`], or [`FRESH_TOKEN`] when asked to refresh; records every call.
#[derive(Debug, Default)]
struct FakeTokens {
    calls: RefCell<Vec<bool>>,
    fail: Cell<bool>,
    fail_on_refresh: Cell<bool>,
    empty: Cell<bool>,
    /// Never answers (a `getToken` promise that never settles).
    hang: Cell<bool>,
}

impl TokenSource for FakeTokens {
    async fn token(&self, force_refresh: bool) -> std::result::Result<String, String> {
        self.calls.borrow_mut().push(force_refresh);
        if self.hang.get() {
            std::future::pending::<()>().await;
        }
        if self.fail.get() || (force_refresh && self.fail_on_refresh.get()) {
            return Err("interaction_required: sign in again".into());
        }
        if self.empty.get() {
            return Ok("  ".into());
        }
        Ok(if force_refresh { FRESH_TOKEN } else { TOKEN }.to_string())
    }
}

/// splitmix64 from a fixed seed, or a fixed jitter value.
#[derive(Debug)]
struct FakeEntropy {
    state: Cell<u64>,
    fixed: Option<u64>,
}

impl Entropy for FakeEntropy {
    fn next_u64(&self) -> u64 {
        if let Some(v) = self.fixed {
            return v;
        }
        let s = self.state.get().wrapping_add(0x9E37_79B9_7F4A_7C15);
        self.state.set(s);
        let mut z = s;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
}

/// Reads only `value` and `@odata.nextLink`, like the real page decoder will; its error
/// messages quote the body (as a careless decoder might).
#[derive(Debug)]
struct JsonDecoder;

#[derive(Debug, PartialEq)]
struct Page {
    value: Vec<Value>,
    next_link: Option<String>,
}

impl Decoder for JsonDecoder {
    type Page = Page;
    type Item = Value;
    fn decode_page(&self, body: &str) -> Result<Page> {
        let json: Value = serde_json::from_str(body).map_err(|e| Error::Decode {
            path: String::new(),
            message: format!("{e} in `{}`", body.chars().take(80).collect::<String>()),
        })?;
        let Some(Value::Array(value)) = json.get("value") else {
            return Err(Error::Decode {
                path: "/value".into(),
                message: "expected an array".into(),
            });
        };
        let next_link = json.get("@odata.nextLink").and_then(Value::as_str).map(str::to_string);
        Ok(Page { value: value.clone(), next_link })
    }
    fn decode_item(&self, body: &str) -> Result<Value> {
        serde_json::from_str(body)
            .map_err(|e| Error::Decode { path: String::new(), message: e.to_string() })
    }
    fn next_link<'p>(&self, page: &'p Page) -> Option<&'p str> {
        page.next_link.as_deref()
    }
    fn item_id(&self, item: &Value) -> Option<String> {
        item.get("id").and_then(Value::as_str).map(str::to_string)
    }
}

type TestClient = Client<FakeTransport, FakeTokens, FakeEntropy, JsonDecoder>;

fn client_with(options: ClientOptions, script: Vec<Reply>) -> TestClient {
    client_with_entropy(options, script, None)
}

fn client_with_entropy(
    options: ClientOptions,
    script: Vec<Reply>,
    fixed: Option<u64>,
) -> TestClient {
    let transport = FakeTransport { script: RefCell::new(script.into()), ..Default::default() };
    let entropy = FakeEntropy { state: Cell::new(42), fixed };
    Client::new(options, transport, FakeTokens::default(), entropy, JsonDecoder).unwrap()
}

fn client(script: Vec<Reply>) -> TestClient {
    client_with(ClientOptions::default(), script)
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    Ok(HttpResponse {
        status,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: body.to_string(),
    })
}

fn page(ids: &[&str], next: Option<&str>) -> Reply {
    let value: Vec<Value> = ids.iter().map(|id| json!({ "id": id })).collect();
    let mut body = json!({ "@odata.context": "x", "value": value });
    if let Some(next) = next {
        body["@odata.nextLink"] = json!(next);
    }
    response(200, &[("request-id", "srv-ok")], &body.to_string())
}

fn status(code: u16) -> Reply {
    response(code, &[], "")
}

fn ids(page: &Page) -> Vec<String> {
    page.value.iter().map(|v| v["id"].as_str().unwrap().to_string()).collect()
}

fn no_opts() -> RequestOptions {
    RequestOptions::default()
}

const LIST: &str = "https://api.partner.microsoft.com/v1.0/engagements/referrals";
const HOST: &str = "https://api.partner.microsoft.com";

fn is_guid(s: &str) -> bool {
    s.len() == 36
        && s.split('-').map(str::len).eq([8, 4, 4, 4, 12])
        && s.bytes().all(|b| b == b'-' || b.is_ascii_hexdigit())
}

// ---- headers -----------------------------------------------------------------------------

#[test]
fn list_sends_the_partner_rest_headers() {
    let c = client(vec![page(&["a"], None)]);
    let p = block_on(c.list("$top=10&$filter=status%20eq%20'New'", &no_opts())).unwrap();
    assert_eq!(ids(&p), ["a"]);
    let t = c.transport();
    assert_eq!(t.urls(), [format!("{LIST}?$top=10&$filter=status%20eq%20'New'")]);
    assert_eq!(t.requests.borrow()[0].method, "GET");
    assert_eq!(t.header(0, "authorization").unwrap(), format!("Bearer {TOKEN}"));
    assert_eq!(t.header(0, "accept").unwrap(), "application/json");
    let request_id = t.header(0, "client-request-id").unwrap();
    assert!(is_guid(&request_id), "{request_id}");
    assert_eq!(t.header(0, "MS-RequestId").unwrap(), request_id);
    let correlation_id = t.header(0, "MS-CorrelationId").unwrap();
    assert!(is_guid(&correlation_id));
    assert_ne!(correlation_id, request_id);
    assert_eq!(t.header(0, "X-Locale"), None);
    assert_eq!(t.requests.borrow()[0].headers.len(), 5);
    assert_eq!(*c.token_source().calls.borrow(), [false]);
}

#[test]
fn locale_is_sent_as_x_locale() {
    let options = ClientOptions { locale: Some("de-DE".into()), ..Default::default() };
    let c = client_with(options, vec![page(&[], None)]);
    block_on(c.list("", &no_opts())).unwrap();
    assert_eq!(c.transport().header(0, "X-Locale").as_deref(), Some("de-DE"));
    assert_eq!(c.transport().urls(), [LIST]);
}

#[test]
fn a_locale_that_is_no_header_value_is_refused() {
    let options = ClientOptions { locale: Some("en\r\nX-Evil: 1".into()), ..Default::default() };
    let transport = FakeTransport::default();
    let entropy = FakeEntropy { state: Cell::new(1), fixed: None };
    let err =
        Client::new(options, transport, FakeTokens::default(), entropy, JsonDecoder).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
}

#[test]
fn retries_reuse_the_request_id_and_each_request_gets_a_fresh_one() {
    let c = client(vec![status(503), status(504), page(&[], None), page(&[], None)]);
    block_on(c.list("", &no_opts())).unwrap();
    block_on(c.list("", &no_opts())).unwrap();
    let t = c.transport();
    assert_eq!(t.sent(), 4);
    let rid: Vec<String> = (0..4).map(|i| t.header(i, "client-request-id").unwrap()).collect();
    let ms: Vec<String> = (0..4).map(|i| t.header(i, "MS-RequestId").unwrap()).collect();
    assert_eq!(rid, ms);
    assert_eq!(rid[0], rid[1]);
    assert_eq!(rid[1], rid[2]);
    assert_ne!(rid[2], rid[3]);
    let corr: Vec<String> = (0..4).map(|i| t.header(i, "MS-CorrelationId").unwrap()).collect();
    assert_eq!(corr[0], corr[2], "one correlation id for the retries of one call");
    assert_ne!(corr[0], corr[3], "separate calls get separate correlation ids");
    assert_eq!(*c.token_source().calls.borrow(), [false, false, false, false]);
}

#[test]
fn the_callers_correlation_id_is_used() {
    let c = client(vec![page(&[], None), page(&[], None)]);
    let opts = RequestOptions { correlation_id: Some("my-trace-1".into()) };
    block_on(c.list("", &opts)).unwrap();
    block_on(c.list("", &opts)).unwrap();
    assert_eq!(c.transport().header(0, "MS-CorrelationId").as_deref(), Some("my-trace-1"));
    assert_eq!(c.transport().header(1, "MS-CorrelationId").as_deref(), Some("my-trace-1"));

    for bad in ["a\nb", "a\r\nX-Evil: 1", "", " x", "t\u{0}", "é", &"x".repeat(257)] {
        let opts = RequestOptions { correlation_id: Some(bad.to_string()) };
        for err in [
            block_on(c.list("", &opts)).unwrap_err(),
            block_on(c.get("a", &opts)).unwrap_err(),
            c.pages("", &opts).unwrap_err(),
        ] {
            assert_eq!(err.code(), ErrorCode::InvalidArgument, "{bad:?}");
            assert_eq!(err.status(), None);
            assert!(err.to_string().starts_with("invalid `correlationId`"), "{err}");
        }
    }
    assert_eq!(c.transport().sent(), 2, "nothing sent for a bad correlation id");
    assert_eq!(c.token_source().calls.borrow().len(), 2, "no token asked for either");
}

// ---- retries -----------------------------------------------------------------------------

#[test]
fn retryable_statuses_are_sent_max_retries_plus_one_times() {
    for max_retries in [0u32, 1, 3, 5] {
        let options = ClientOptions {
            retry: RetryPolicy::default().with_max_retries(max_retries),
            ..Default::default()
        };
        let script = (0..=max_retries).map(|_| status(503)).collect();
        let c = client_with(options, script);
        let err = block_on(c.list("", &no_opts())).unwrap_err();
        assert_eq!(err.code(), ErrorCode::HttpError);
        assert_eq!(err.status(), Some(503));
        assert_eq!(c.transport().sent(), max_retries as usize + 1);
        assert_eq!(c.transport().sleeps().len(), max_retries as usize);
        assert_eq!(err.http_context().unwrap().attempts, max_retries + 1);
        assert!(err.to_string().contains("status 503"), "{err}");
    }
}

#[test]
fn throttling_waits_what_retry_after_says_then_gives_up_as_throttled() {
    let throttled = || {
        response(
            429,
            &[("Retry-After", "57"), ("Request-ID", "srv-429")],
            r#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}"#,
        )
    };
    let patient = RetryPolicy { max_total_wait: Duration::from_secs(600), ..Default::default() };
    let options = ClientOptions { retry: patient, ..Default::default() };
    let c = client_with(options, vec![throttled(), throttled(), throttled(), throttled()]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(c.transport().sent(), 4);
    assert_eq!(c.transport().sleeps(), [Duration::from_secs(57); 3]);
    assert_eq!(err.code(), ErrorCode::Throttled);
    assert_eq!(err.status(), Some(429));
    assert_eq!(err.retry_after_ms(), Some(57_000));
    assert_eq!(err.request_id(), Some("srv-429"));
    assert_eq!(err.details().unwrap()["statusCode"], 429);
    assert_eq!(err.server_code(), None);
}

#[test]
fn retry_waits_stop_at_their_total_budget_with_the_error_they_would_have_waited_for() {
    let after = |seconds: &str| response(503, &[("Retry-After", seconds)], "");
    // Default budget 60 s: 57 s is waited, a second 57 s is not; 10 retries allowed.
    let options =
        ClientOptions { retry: RetryPolicy::default().with_max_retries(10), ..Default::default() };
    let c = client_with(options.clone(), vec![after("57"), after("57")]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(c.transport().sent(), 2);
    assert_eq!(c.transport().sleeps(), [Duration::from_secs(57)]);
    assert_eq!(
        (err.code(), err.status(), err.retry_after_ms()),
        (ErrorCode::HttpError, Some(503), Some(57_000))
    );
    // Retry-After: 120 is past the budget: no wait at all.
    let c = client_with(options, vec![response(429, &[("Retry-After", "120")], "")]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(c.transport().sent(), 1);
    assert!(c.transport().sleeps().is_empty());
    assert_eq!((err.code(), err.retry_after_ms()), (ErrorCode::Throttled, Some(120_000)));
    // Back-off waits count too: a 2.5 s budget takes the 0.5–1 s and 1–2 s waits at most.
    let retry =
        RetryPolicy { max_total_wait: Duration::from_millis(2_500), ..RetryPolicy::default() };
    let net = || Err(TransportFailure::Network("offline".into()));
    let c = client_with(
        ClientOptions { retry, ..Default::default() },
        vec![net(), net(), net(), net()],
    );
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NetworkError);
    let waited: Duration = c.transport().sleeps().iter().sum();
    assert!(waited <= retry.max_total_wait, "{waited:?}");
    assert!(c.transport().sent() < 4, "{} sends", c.transport().sent());
}

#[test]
fn a_token_that_never_comes_times_out_like_an_attempt() {
    let options = ClientOptions {
        timeout: Some(Duration::from_secs(30)),
        retry: RetryPolicy::default().with_max_retries(1),
        ..Default::default()
    };
    let c = client_with(options, vec![]);
    c.token_source().hang.set(true);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout);
    assert_eq!(c.transport().sent(), 0, "nothing was sent without a token");
    assert_eq!(c.token_source().calls.borrow().len(), 2, "retried once, like a timed-out request");
    let sleeps = c.transport().sleeps();
    // Each attempt's time-out (30 s), and the back-off wait between the two attempts.
    assert_eq!(sleeps.iter().filter(|d| **d == Duration::from_secs(30)).count(), 2, "{sleeps:?}");
    assert_eq!(err.http_context().unwrap().attempts, 2);
}

#[test]
fn a_slow_exchange_times_out_and_a_quick_one_does_not_wait_for_the_timer() {
    let options = ClientOptions {
        timeout: Some(Duration::from_secs(30)),
        retry: RetryPolicy::default().with_max_retries(0),
        ..Default::default()
    };
    let c = client_with(options.clone(), vec![page(&["a"], None)]);
    assert_eq!(block_on(c.list("", &no_opts())).unwrap().value.len(), 1);
    assert!(c.transport().sleeps().is_empty(), "the timer is not started for a ready answer");
    // A transport that takes a moment meets a timer that has already run out.
    let c = client_with(options, vec![page(&["a"], None)]);
    c.transport().slow.set(true);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout);
    assert_eq!(c.transport().sleeps(), [Duration::from_secs(30)]);
}

#[test]
fn an_oversized_body_fails_at_once_as_invalid_response_and_is_not_retried() {
    for status in [200, 503] {
        let too_large = Err(TransportFailure::TooLarge {
            status,
            headers: vec![("request-id".into(), "srv-big".into())],
            limit: 65_536,
        });
        let c = client(vec![too_large, page(&["a"], None)]);
        let err = block_on(c.list("", &no_opts())).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidResponse);
        assert_eq!(err.status(), Some(status));
        assert_eq!(err.request_id(), Some("srv-big"));
        assert_eq!(c.transport().sent(), 1, "not retried");
        assert!(c.transport().sleeps().is_empty());
        assert!(err.to_string().contains("65536 bytes"), "{err}");
    }
}

#[test]
fn retry_after_as_an_http_date_is_measured_from_the_injected_now() {
    // NOW is 2023-11-14T22:13:20Z; the server asks for 22:13:50.
    let later = response(503, &[("retry-after", "Tue, 14 Nov 2023 22:13:50 GMT")], "");
    let past = response(503, &[("Retry-After", "Tue, 14 Nov 2023 22:00:00 GMT")], "");
    let c = client(vec![later, past, page(&["x"], None)]);
    block_on(c.list("", &no_opts())).unwrap();
    assert_eq!(c.transport().sleeps(), [Duration::from_secs(30), Duration::ZERO]);
}

#[test]
fn without_retry_after_the_waits_are_jittered_exponential_back_off() {
    for fixed in [0u64, u64::MAX, 0x8000_0000_0000_0000] {
        let script = vec![status(503), status(504), status(429), page(&[], None)];
        let c = client_with_entropy(ClientOptions::default(), script, Some(fixed));
        block_on(c.list("", &no_opts())).unwrap();
        let sleeps = c.transport().sleeps();
        assert_eq!(sleeps.len(), 3);
        for (i, wait) in sleeps.iter().enumerate() {
            let ceiling = Duration::from_secs(1 << i);
            assert!(ceiling / 2 <= *wait && *wait <= ceiling, "retry {i}: {wait:?}");
        }
        if fixed == 0 {
            assert_eq!(sleeps, [500, 1000, 2000].map(Duration::from_millis));
        }
    }
}

#[test]
fn a_retry_after_beyond_the_cap_stops_at_once_with_retry_after_ms() {
    let c = client(vec![response(429, &[("Retry-After", "3600")], "")]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(c.transport().sent(), 1);
    assert!(c.transport().sleeps().is_empty());
    assert_eq!(err.code(), ErrorCode::Throttled);
    assert_eq!(err.retry_after_ms(), Some(3_600_000));

    let c = client(vec![response(503, &[("Retry-After", "99999999999999999999999")], "")]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.retry_after_ms(), Some((1 << 53) - 1), "an exact JS number");
    assert_eq!(c.transport().sent(), 1);
}

#[test]
fn network_failures_and_time_outs_are_retried() {
    let net = || Err(TransportFailure::Network("connection reset".into()));
    let c = client(vec![net(), Err(TransportFailure::Timeout), page(&["a"], None)]);
    let p = block_on(c.list("", &no_opts())).unwrap();
    assert_eq!(ids(&p), ["a"]);
    assert_eq!(c.transport().sent(), 3);

    let c = client(vec![net(), net(), net(), net()]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NetworkError);
    assert_eq!(err.status(), None);
    assert!(err.to_string().contains("connection reset"));
    assert_eq!(c.transport().sent(), 4);

    let timeout = || Err(TransportFailure::Timeout);
    let c = client(vec![timeout(), timeout(), timeout(), timeout()]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Timeout);
    assert!(is_guid(err.correlation_id().unwrap()));
    assert_eq!(c.transport().sent(), 4);
}

// ---- tokens and statuses -----------------------------------------------------------------

#[test]
fn a_401_refreshes_the_token_once_and_retries_once() {
    let c = client(vec![status(401), page(&["a"], None)]);
    let p = block_on(c.list("", &no_opts())).unwrap();
    assert_eq!(ids(&p), ["a"]);
    let t = c.transport();
    assert_eq!(t.sent(), 2);
    assert!(t.sleeps().is_empty(), "no wait before the refreshed retry");
    assert_eq!(*c.token_source().calls.borrow(), [false, true]);
    assert_eq!(t.header(0, "Authorization").unwrap(), format!("Bearer {TOKEN}"));
    assert_eq!(t.header(1, "Authorization").unwrap(), format!("Bearer {FRESH_TOKEN}"));
    assert_eq!(t.header(0, "client-request-id"), t.header(1, "client-request-id"));
}

#[test]
fn a_second_401_is_unauthorized() {
    let body = r#"{"error":{"code":"unAuthorized","message":"Token expired"}}"#;
    let c = client(vec![status(401), response(401, &[("request-id", "srv-401")], body)]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unauthorized);
    assert_eq!(err.status(), Some(401));
    assert_eq!(err.server_code(), Some("unAuthorized"));
    assert_eq!(err.request_id(), Some("srv-401"));
    assert_eq!(c.transport().sent(), 2);
    assert_eq!(*c.token_source().calls.borrow(), [false, true]);
}

#[test]
fn a_401_after_a_retry_still_gets_its_one_refresh() {
    let c = client(vec![status(503), status(401), status(401)]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Unauthorized);
    assert_eq!(c.transport().sent(), 3);
    assert_eq!(*c.token_source().calls.borrow(), [false, false, true]);
}

#[test]
fn final_statuses_map_to_their_codes_without_retry() {
    let cases = [
        (403, ErrorCode::Forbidden),
        (404, ErrorCode::NotFound),
        (400, ErrorCode::HttpError),
        (500, ErrorCode::HttpError),
        (502, ErrorCode::HttpError),
        (509, ErrorCode::HttpError),
        (302, ErrorCode::HttpError),
    ];
    for (code, expected) in cases {
        let c = client(vec![response(code, &[("Retry-After", "1")], "")]);
        let err = block_on(c.list("", &no_opts())).unwrap_err();
        assert_eq!(err.code(), expected, "{code}");
        assert_eq!(err.status(), Some(code));
        assert_eq!(c.transport().sent(), 1, "{code} is not retried");
        assert_eq!(err.details(), None);
    }
}

#[test]
fn error_bodies_of_both_shapes_become_details_and_server_code() {
    let nested = r#"{"error":{"code":"itemNotFound","message":"Referral not found","target":"referral","innerError":{"code":"x"}}}"#;
    let c = client(vec![response(404, &[("Request-ID", "srv-1")], nested)]);
    let err = block_on(c.get("c5fbb3b6-be74-4795-9fb5-4324c73fed37", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NotFound);
    assert_eq!(err.server_code(), Some("itemNotFound"));
    assert_eq!(err.request_id(), Some("srv-1"));
    assert_eq!(err.details().unwrap()["error"]["target"], "referral");
    assert!(err.to_string().contains("`itemNotFound`: Referral not found"), "{err}");

    let flat = r#"{"code":"600","description":"Invalid input","data":[],"source":"PartnerFD"}"#;
    let c = client(vec![response(400, &[], flat)]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::HttpError);
    assert_eq!(err.server_code(), Some("600"));
    assert_eq!(err.details().unwrap()["source"], "PartnerFD");
    assert_eq!(err.request_id(), None);

    let c = client(vec![response(403, &[], "<html>denied</html>")]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::Forbidden);
    assert_eq!(err.details(), Some(&json!("<html>denied</html>")));
}

#[test]
fn token_source_failures_are_token_errors_and_nothing_is_sent() {
    let c = client(vec![]);
    c.token_source().fail.set(true);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenError);
    assert!(err.to_string().contains("interaction_required"));
    assert_eq!(c.transport().sent(), 0);

    let c = client(vec![]);
    c.token_source().empty.set(true);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenError);
    assert_eq!(c.transport().sent(), 0);

    let c = client(vec![status(401)]);
    c.token_source().fail_on_refresh.set(true);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::TokenError);
    assert_eq!(c.transport().sent(), 1);
}

#[test]
fn the_token_never_appears_in_an_error() {
    let echo = format!(r#"{{"error":{{"code":"{TOKEN}","message":"bad token {TOKEN}"}}}}"#);
    let scripts: Vec<Vec<Reply>> = vec![
        vec![status(401), response(401, &[("request-id", FRESH_TOKEN)], &echo)],
        vec![response(403, &[("request-id", TOKEN)], &echo)],
        vec![response(400, &[], &format!("Authorization: Bearer {TOKEN}"))],
        (0..4).map(|_| Err(TransportFailure::Network(format!("failed with {TOKEN}")))).collect(),
        (0..4).map(|_| Err(TransportFailure::Timeout)).collect(),
        vec![response(200, &[("request-id", TOKEN)], &format!("not json {TOKEN}"))],
    ];
    let mut errors: Vec<Error> = Vec::new();
    for script in scripts {
        let c = client(script);
        errors.push(block_on(c.list("", &no_opts())).unwrap_err());
    }
    let c = client(vec![]);
    c.token_source().empty.set(true);
    errors.push(block_on(c.list("", &no_opts())).unwrap_err());
    assert_eq!(errors.len(), 7);
    for err in &errors {
        for shown in [err.to_string(), format!("{err:?}"), format!("{:?}", err.details())] {
            assert!(!shown.contains("SECRET-TOKEN"), "{shown}");
        }
    }
    // The redaction is visible where the server echoed it.
    assert_eq!(errors[1].server_code(), Some("[redacted]"));
    assert_eq!(errors[1].request_id(), Some("[redacted]"));
}

#[test]
fn a_token_the_decoder_quotes_cut_short_is_redacted_too() {
    // The referral decoder quotes at most 40 characters of a bad value and ends the quote
    // with `…`: a token a server put there is cut, so the whole-token replace misses it.
    for pad in [0, 10, 20, 31, 32] {
        let date = format!("{}{TOKEN}", "x".repeat(pad));
        let body = json!({ "value": [{ "id": "a", "createdDateTime": date }] }).to_string();
        let transport = FakeTransport {
            script: RefCell::new(vec![response(200, &[], &body)].into()),
            ..Default::default()
        };
        let entropy = FakeEntropy { state: Cell::new(42), fixed: None };
        let c = Client::new(
            ClientOptions::default(),
            transport,
            FakeTokens::default(),
            entropy,
            partner_referrals::client::ReferralDecoder,
        )
        .unwrap();
        let err = block_on(c.list("", &no_opts())).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidResponse);
        let shown = err.to_string();
        assert!(!shown.contains(&TOKEN[..8]), "pad {pad}: {shown}");
        assert!(shown.contains("[redacted]"), "pad {pad}: {shown}");
        assert!(shown.contains("/value/0/createdDateTime"), "{shown}");
    }
}

#[test]
fn a_next_link_carrying_the_token_is_redacted_in_the_traversal_error() {
    let looping = format!("{LIST}?t={TOKEN}");
    let links = [
        format!("https://evil.com/next?access_token={TOKEN}"),
        format!("https://evil.com/{TOKEN}/{}", "x".repeat(300)), // quoted cut at 256 characters
        looping.clone(),                                         // the first page again
    ];
    for link in links {
        let c = client(vec![page(&["1"], Some(&link))]);
        let mut cursor = c.resume(&looping, &no_opts()).unwrap();
        block_on(cursor.next_page(&c)).unwrap().unwrap();
        let err = block_on(cursor.next_page(&c)).unwrap_err();
        assert!(matches!(err, Error::UnsafeNextLink { .. } | Error::PagingLoop { .. }), "{err:?}");
        for shown in [err.to_string(), format!("{err:?}")] {
            assert!(!shown.contains(&TOKEN[..8]), "{shown}");
            assert!(shown.contains("[redacted]"), "{shown}");
        }
    }
    // Past the page limit: the link to go on is scrubbed as well.
    let options = ClientOptions { max_pages: 1, ..ClientOptions::default() };
    let c = client_with(options, vec![page(&["1"], Some(&format!("{LIST}?p=2&t={TOKEN}")))]);
    let mut cursor = c.pages("", &no_opts()).unwrap();
    block_on(cursor.next_page(&c)).unwrap().unwrap();
    let err = block_on(cursor.next_page(&c)).unwrap_err();
    assert!(matches!(err, Error::TooManyPages { .. }), "{err:?}");
    assert!(!err.to_string().contains(&TOKEN[..8]), "{err}");
}

#[test]
fn a_body_the_decoder_refuses_is_an_invalid_response_with_request_ids() {
    let c = client(vec![response(200, &[("request-id", "srv-9")], r#"{"value":3}"#)]);
    let err = block_on(c.list("", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    assert_eq!(err.path(), Some("/value"));
    assert_eq!(err.status(), Some(200));
    assert_eq!(err.request_id(), Some("srv-9"));
    assert_eq!(err.to_string(), "expected an array at `/value` in a response with status 200");
}

// ---- get ---------------------------------------------------------------------------------

#[test]
fn get_requests_the_referral_by_its_encoded_id() {
    let c = client(vec![response(200, &[], r#"{"id":"a b","status":"New"}"#)]);
    let item = block_on(c.get("a b", &no_opts())).unwrap();
    assert_eq!(item["status"], "New");
    assert_eq!(c.transport().urls(), [format!("{LIST}/a%20b")]);
}

#[test]
fn get_refuses_ids_that_are_paths_before_sending() {
    let c = client(vec![]);
    for id in ["", "../x", "a/b", "a%2Fb", "a?b", "a#b", "a\\b", "a\r\nb", "\u{1b}[0m"] {
        let err = block_on(c.get(id, &no_opts())).unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument, "{id:?}");
        assert_eq!(err.status(), None);
    }
    assert_eq!(c.transport().sent(), 0);
    assert!(c.token_source().calls.borrow().is_empty(), "no token asked for either");
}

#[test]
fn get_refuses_an_answer_about_another_referral() {
    let guid = "c5fbb3b6-be74-4795-9fb5-4324c73fed37";
    let other = r#"{"id":"0b7e3c52-5f0a-4d0e-9a51-3f6e1f2b8c11","status":"New"}"#;
    let c = client(vec![response(200, &[("request-id", "srv-3")], other)]);
    let err = block_on(c.get(guid, &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    assert_eq!(
        (err.status(), err.path(), err.request_id()),
        (Some(200), Some("/id"), Some("srv-3"))
    );
    assert_eq!(
        err.to_string(),
        format!(
            "the response is the referral `0b7e3c52-5f0a-4d0e-9a51-3f6e1f2b8c11`, not `{guid}` \
             at `/id` in a response with status 200"
        )
    );
    // The same GUID in other hex case is the same referral; an answer without an id is taken.
    let c = client(vec![
        response(200, &[], &json!({ "id": guid.to_uppercase() }).to_string()),
        response(200, &[], r#"{"status":"New"}"#),
        response(200, &[], r#"{"id":"abc","status":"New"}"#),
    ]);
    assert_eq!(block_on(c.get(guid, &no_opts())).unwrap()["id"], guid.to_uppercase());
    assert_eq!(block_on(c.get(guid, &no_opts())).unwrap()["status"], "New");
    let err = block_on(c.get("abd", &no_opts())).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
}

// ---- nextLink and paging -----------------------------------------------------------------

#[test]
fn next_follows_the_documented_http_next_link_over_https() {
    let documented =
        "http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k181pEdP0ykypkieJfcxX";
    let c = client(vec![page(&["a"], Some(documented)), page(&["b"], None)]);
    let first = block_on(c.list("", &no_opts())).unwrap();
    let second = block_on(c.next(&first, &no_opts())).unwrap().unwrap();
    assert_eq!(ids(&second), ["b"]);
    assert_eq!(block_on(c.next(&second, &no_opts())).unwrap(), None);
    assert_eq!(
        c.transport().urls()[1],
        "https://api.partner.microsoft.com/v1.0/referrals?$skiptoken=k181pEdP0ykypkieJfcxX"
    );
    assert_eq!(c.transport().sent(), 2);
}

#[test]
fn next_links_to_other_hosts_are_refused_before_anything_is_sent() {
    for link in [
        "https://evil.com/v1.0/engagements/referrals?$skiptoken=1",
        "https://api.partner.microsoft.com@evil.com/v1.0/referrals",
        "//evil.com/x",
        "https://api.partner.microsoft.com.evil.com/",
        "ftp://api.partner.microsoft.com/x",
        // The base URL's host, outside its path.
        "https://api.partner.microsoft.com/admin/anything",
        "/admin/anything",
        "/v1.0/../admin",
        "/v1.0/%2e%2e/admin",
        "http://api.partner.microsoft.com/v1.0x/referrals",
    ] {
        let c = client(vec![page(&["a"], Some(link))]);
        let first = block_on(c.list("", &no_opts())).unwrap();
        let err = block_on(c.next(&first, &no_opts())).unwrap_err();
        assert_eq!(err.code(), ErrorCode::UnsafeNextLink, "{link}");
        assert_eq!(c.transport().sent(), 1, "{link}");
        assert_eq!(c.token_source().calls.borrow().len(), 1, "no token for {link}");
    }
}

fn chain(n: usize) -> Vec<Reply> {
    (0..n)
        .map(|i| {
            let next = (i + 1 < n).then(|| format!("{HOST}/v1.0/referrals?$skiptoken=p{}", i + 1));
            page(&[&format!("r{i}a"), &format!("r{i}b")], next.as_deref())
        })
        .collect()
}

fn drain(c: &TestClient, cursor: &mut partner_referrals::client::PageCursor) -> Vec<String> {
    let mut out = Vec::new();
    while let Some(p) = block_on(cursor.next_page(c)).unwrap() {
        out.extend(ids(&p));
    }
    out
}

#[test]
fn a_traversal_yields_every_referral_exactly_once_in_order() {
    let c = client(chain(5));
    let mut cursor = c.pages("$top=2", &no_opts()).unwrap();
    assert_eq!(c.transport().sent(), 0, "creating a cursor sends nothing");
    let got = drain(&c, &mut cursor);
    let expected: Vec<String> = (0..5).flat_map(|i| [format!("r{i}a"), format!("r{i}b")]).collect();
    assert_eq!(got, expected);
    assert!(cursor.is_done());
    assert_eq!(cursor.pages_fetched(), 5);
    assert_eq!(block_on(cursor.next_page(&c)).unwrap(), None);
    let t = c.transport();
    assert_eq!(t.sent(), 5, "each page is fetched once");
    let urls = t.urls();
    assert_eq!(urls[0], format!("{LIST}?$top=2"));
    assert_eq!(urls[4], format!("{HOST}/v1.0/referrals?$skiptoken=p4"));
    let corr: Vec<String> = (0..5).map(|i| t.header(i, "MS-CorrelationId").unwrap()).collect();
    assert!(corr.iter().all(|c| c == &corr[0]), "one correlation id per traversal");
    assert_eq!(cursor.correlation_id(), corr[0]);
    let mut rids: Vec<String> = (0..5).map(|i| t.header(i, "client-request-id").unwrap()).collect();
    rids.dedup();
    assert_eq!(rids.len(), 5, "a fresh request id per page");
}

#[test]
fn the_loop_guard_stops_a_repeating_next_link() {
    let a = format!("{HOST}/v1.0/referrals?$skiptoken=A");
    let b = format!("{HOST}/v1.0/referrals?$skiptoken=B");
    // Same link twice in a row.
    let c = client(vec![page(&["1"], Some(&a)), page(&["2"], Some(&a))]);
    let mut cursor = c.pages("", &no_opts()).unwrap();
    assert_eq!(ids(&block_on(cursor.next_page(&c)).unwrap().unwrap()), ["1"]);
    assert_eq!(ids(&block_on(cursor.next_page(&c)).unwrap().unwrap()), ["2"]);
    let err = block_on(cursor.next_page(&c)).unwrap_err();
    assert!(matches!(err, Error::PagingLoop { .. }), "{err:?}");
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    assert_eq!(block_on(cursor.next_page(&c)).unwrap(), None);
    assert_eq!(c.transport().sent(), 2);

    // A → B → A, and a link back to the first page.
    let c = client(vec![page(&["1"], Some(&a)), page(&["2"], Some(&b)), page(&["3"], Some(&a))]);
    let mut cursor = c.pages("", &no_opts()).unwrap();
    for _ in 0..3 {
        block_on(cursor.next_page(&c)).unwrap().unwrap();
    }
    assert_eq!(block_on(cursor.next_page(&c)).unwrap_err().code(), ErrorCode::InvalidResponse);
    assert_eq!(c.transport().sent(), 3);

    let c = client(vec![page(&["1"], Some(LIST))]);
    let mut cursor = c.pages("", &no_opts()).unwrap();
    block_on(cursor.next_page(&c)).unwrap().unwrap();
    assert!(matches!(block_on(cursor.next_page(&c)), Err(Error::PagingLoop { .. })));
}

#[test]
fn an_unsafe_link_mid_traversal_ends_it_after_the_good_page() {
    let c = client(vec![page(&["1"], Some("https://evil.com/next"))]);
    let mut cursor = c.pages("", &no_opts()).unwrap();
    assert_eq!(ids(&block_on(cursor.next_page(&c)).unwrap().unwrap()), ["1"]);
    assert_eq!(cursor.continuation_token(), None);
    let err = block_on(cursor.next_page(&c)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::UnsafeNextLink);
    assert_eq!(block_on(cursor.next_page(&c)).unwrap(), None);
    assert_eq!(c.transport().urls(), [LIST]);
}

#[test]
fn a_traversal_resumes_from_a_continuation_token() {
    let c = client(chain(3));
    let mut cursor = c.pages("", &no_opts()).unwrap();
    block_on(cursor.next_page(&c)).unwrap().unwrap();
    let token = cursor.continuation_token().unwrap().to_string();
    assert_eq!(token, format!("{HOST}/v1.0/referrals?$skiptoken=p1"));
    drop(cursor);

    // The server's own (http) nextLink works as a token too.
    let opts = RequestOptions { correlation_id: Some("resumed".into()) };
    let mut resumed =
        c.resume("http://api.partner.microsoft.com/v1.0/referrals?$skiptoken=p1", &opts).unwrap();
    assert_eq!(resumed.continuation_token(), Some(token.as_str()));
    assert_eq!(drain(&c, &mut resumed), ["r1a", "r1b", "r2a", "r2b"]);
    assert_eq!(c.transport().urls()[1], token);
    assert_eq!(c.transport().header(1, "MS-CorrelationId").as_deref(), Some("resumed"));
    assert_eq!(c.transport().sent(), 3);

    for bad in ["https://evil.com/v1.0/referrals?$skiptoken=p1", "p1", ""] {
        assert_eq!(c.resume(bad, &no_opts()).unwrap_err().code(), ErrorCode::UnsafeNextLink);
    }
    assert_eq!(c.transport().sent(), 3);
}

#[test]
fn a_traversal_stops_at_the_page_limit_with_a_link_to_go_on() {
    let options = ClientOptions { max_pages: 3, ..Default::default() };
    let c = client_with(options, chain(5));
    let mut cursor = c.pages("", &no_opts()).unwrap();
    for _ in 0..3 {
        block_on(cursor.next_page(&c)).unwrap().unwrap();
    }
    let err = block_on(cursor.next_page(&c)).unwrap_err();
    let Error::TooManyPages { max: 3, next_link } = &err else { panic!("{err:?}") };
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    assert_eq!(c.transport().sent(), 3);
    let mut rest = c.resume(next_link, &no_opts()).unwrap();
    assert_eq!(drain(&c, &mut rest), ["r3a", "r3b", "r4a", "r4b"]);
}

#[test]
fn a_failed_page_leaves_the_cursor_in_place() {
    let net = || Err(TransportFailure::Network("offline".into()));
    let mut script = vec![net(), net(), net(), net()];
    script.extend(chain(2));
    let c = client(script);
    let mut cursor = c.pages("", &no_opts()).unwrap();
    assert_eq!(block_on(cursor.next_page(&c)).unwrap_err().code(), ErrorCode::NetworkError);
    assert_eq!(cursor.continuation_token(), Some(LIST));
    assert_eq!(drain(&c, &mut cursor), ["r0a", "r0b", "r1a", "r1b"]);
}

#[test]
fn dropping_a_page_future_mid_request_leaves_the_cursor_unchanged() {
    let c = client(chain(2));
    c.transport().slow.set(true);
    let mut cursor = c.pages("", &no_opts()).unwrap();
    {
        let mut fut = pin!(cursor.next_page(&c));
        let waker = noop_waker();
        let mut cx = Context::from_waker(&waker);
        assert!(fut.as_mut().poll(&mut cx).is_pending());
        // Aborted: the future is dropped while the request is in flight.
    }
    assert_eq!(c.transport().sent(), 1);
    assert_eq!(cursor.continuation_token(), Some(LIST));
    assert_eq!(cursor.pages_fetched(), 0);
    // The abandoned request never got its response; the cursor asks for the first page again.
    assert_eq!(drain(&c, &mut cursor), ["r0a", "r0b", "r1a", "r1b"]);
    assert_eq!(c.transport().urls(), [LIST, LIST, &format!("{HOST}/v1.0/referrals?$skiptoken=p1")]);
}

#[test]
fn base_url_options_are_honoured() {
    let options =
        ClientOptions { base_url: Some("http://localhost:8080/v1.0".into()), ..Default::default() };
    let c = client_with(
        options,
        vec![page(&["a"], Some("http://localhost:8080/v1.0/referrals?s=2")), page(&[], None)],
    );
    let first = block_on(c.list("", &no_opts())).unwrap();
    block_on(c.next(&first, &no_opts())).unwrap().unwrap();
    assert_eq!(
        c.transport().urls(),
        [
            "http://localhost:8080/v1.0/engagements/referrals",
            "http://localhost:8080/v1.0/referrals?s=2"
        ]
    );

    let options =
        ClientOptions { base_url: Some("https://u:p@host/".into()), ..Default::default() };
    let transport = FakeTransport::default();
    let entropy = FakeEntropy { state: Cell::new(1), fixed: None };
    let err =
        Client::new(options, transport, FakeTokens::default(), entropy, JsonDecoder).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidArgument);
}

// ---- reading one page ahead ----------------------------------------------------------------

type AheadFuture<'c> = std::pin::Pin<Box<dyn Future<Output = Result<Fetched<Page>>> + 'c>>;

/// Starts a read-ahead as a plain future over `c.fetch` (the JS client spawns it instead).
fn start<'c>(c: &'c TestClient) -> impl FnOnce(PageRequest) -> AheadFuture<'c> {
    move |request| Box::pin(c.fetch(request))
}

fn read_ahead<'c>(c: &'c TestClient, query: &str, enabled: bool) -> ReadAhead<AheadFuture<'c>> {
    ReadAhead::new(c.pages(query, &no_opts()).unwrap(), enabled)
}

#[test]
fn reading_ahead_sends_the_next_request_before_the_page_is_handed_out() {
    let c = client(chain(3));
    let mut pages = read_ahead(&c, "$top=2", true);
    assert_eq!(c.transport().sent(), 0, "nothing sent before the first call");
    let first = block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
    assert_eq!(ids(&first), ["r0a", "r0b"]);
    assert_eq!(c.transport().sent(), 2, "page 2 requested before page 1 was handed out");
    assert!(pages.is_reading_ahead());
    // The page read ahead is not consumed yet: the continuation token still points at it.
    let token = format!("{HOST}/v1.0/referrals?$skiptoken=p1");
    assert_eq!(pages.cursor().continuation_token(), Some(token.as_str()));
    assert_eq!(pages.cursor().pages_fetched(), 1);
    let second = block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
    assert_eq!(ids(&second), ["r1a", "r1b"]);
    assert_eq!(c.transport().sent(), 3, "at most one request beyond the page handed out");
    let third = block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
    assert_eq!(ids(&third), ["r2a", "r2b"]);
    assert!(!pages.is_reading_ahead(), "the last page has no nextLink: nothing to read");
    assert_eq!(block_on(pages.next_page(&c, start(&c))).unwrap(), None);
    assert!(pages.cursor().is_done());
    let t = c.transport();
    assert_eq!(t.sent(), 3, "each page once");
    let corr: Vec<String> = (0..3).map(|i| t.header(i, "MS-CorrelationId").unwrap()).collect();
    assert!(corr.iter().all(|id| id == &corr[0]), "one correlation id per traversal");
}

#[test]
fn without_reading_ahead_one_page_is_requested_per_page_asked_for() {
    let c = client(chain(3));
    let mut pages = read_ahead(&c, "", false);
    for (n, expected) in [(1, "r0a"), (2, "r1a"), (3, "r2a")] {
        let page = block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
        assert_eq!(ids(&page)[0], expected);
        assert_eq!(c.transport().sent(), n);
        assert!(!pages.is_reading_ahead());
    }
    assert_eq!(block_on(pages.next_page(&c, start(&c))).unwrap(), None);
}

#[test]
fn no_request_follows_an_invalid_page_or_an_unfollowable_link() {
    // Page 2 is refused by the decoder: its error is the second call's, and page 3 is never
    // requested, although page 2's body names it.
    let p2 = format!("{HOST}/v1.0/referrals?$skiptoken=p1");
    let bad = response(
        200,
        &[],
        r#"{"value": 5, "@odata.nextLink": "https://api.partner.microsoft.com/v1.0/x"}"#,
    );
    let c = client(vec![page(&["1"], Some(&p2)), bad]);
    let mut pages = read_ahead(&c, "", true);
    assert_eq!(ids(&block_on(pages.next_page(&c, start(&c))).unwrap().unwrap()), ["1"]);
    assert_eq!(c.transport().sent(), 2);
    let err = block_on(pages.next_page(&c, start(&c))).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidResponse);
    assert!(!pages.is_reading_ahead());
    assert_eq!(c.transport().sent(), 2, "nothing requested after an invalid page");
    // As without read-ahead, the failed page is where the traversal stands.
    assert_eq!(pages.cursor().continuation_token(), Some(p2.as_str()));

    // An unsafe link, a loop and the page limit stop the read-ahead before anything is sent.
    let c = client(vec![page(&["1"], Some("https://evil.com/next"))]);
    let mut pages = read_ahead(&c, "", true);
    block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
    assert!(!pages.is_reading_ahead());
    assert_eq!(
        block_on(pages.next_page(&c, start(&c))).unwrap_err().code(),
        ErrorCode::UnsafeNextLink
    );
    assert_eq!(block_on(pages.next_page(&c, start(&c))).unwrap(), None);
    assert_eq!(c.transport().sent(), 1);
    assert_eq!(c.token_source().calls.borrow().len(), 1, "no token asked for the refused link");

    let c = client(vec![page(&["1"], Some(LIST))]);
    let mut pages = read_ahead(&c, "", true);
    block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
    assert!(matches!(block_on(pages.next_page(&c, start(&c))), Err(Error::PagingLoop { .. })));
    assert_eq!(c.transport().sent(), 1);

    let c = client_with(ClientOptions { max_pages: 2, ..Default::default() }, chain(5));
    let mut pages = read_ahead(&c, "", true);
    block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
    block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
    assert_eq!(c.transport().sent(), 2, "no read-ahead past the page limit");
    let err = block_on(pages.next_page(&c, start(&c))).unwrap_err();
    assert!(matches!(err, Error::TooManyPages { max: 2, .. }), "{err:?}");
}

#[test]
fn a_failure_of_the_page_read_ahead_is_the_call_that_asks_for_it() {
    let net = || Err(TransportFailure::Network("offline".into()));
    let p2 = format!("{HOST}/v1.0/referrals?$skiptoken=p1");
    // Page 2 fails four times (maxRetries 3: its retries run as for any request), then works.
    let c = client(vec![page(&["1"], Some(&p2)), net(), net(), net(), net(), page(&["2"], None)]);
    let mut pages = read_ahead(&c, "", true);
    let first = block_on(pages.next_page(&c, start(&c)));
    assert_eq!(ids(&first.unwrap().unwrap()), ["1"], "page 1 is handed out whatever page 2 does");
    assert_eq!(c.transport().sent(), 5, "page 2 and its three retries");
    assert_eq!(c.transport().sleeps().len(), 3, "with their back-off waits");
    let err = block_on(pages.next_page(&c, start(&c))).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NetworkError);
    assert!(!pages.is_reading_ahead());
    // The next call asks for page 2 again, as without read-ahead.
    assert_eq!(ids(&block_on(pages.next_page(&c, start(&c))).unwrap().unwrap()), ["2"]);
    assert_eq!(block_on(pages.next_page(&c, start(&c))).unwrap(), None);
    assert_eq!(c.transport().urls()[5], p2);
}

#[test]
fn dropping_the_traversal_drops_the_request_read_ahead() {
    struct Guard(Rc<Cell<bool>>);
    impl Drop for Guard {
        fn drop(&mut self) {
            self.0.set(true);
        }
    }
    let c = client(chain(3));
    c.transport().slow.set(true);
    let dropped = Rc::new(Cell::new(false));
    let mut pages = read_ahead(&c, "", true);
    let tracked = |request| -> AheadFuture<'_> {
        let guard = Guard(Rc::clone(&dropped));
        let c = &c;
        Box::pin(async move {
            let _guard = guard;
            c.fetch(request).await
        })
    };
    let first = block_on(pages.next_page(&c, tracked)).unwrap().unwrap();
    assert_eq!(ids(&first), ["r0a", "r0b"]);
    assert_eq!(c.transport().sent(), 2, "page 2 sent");
    assert!(pages.is_reading_ahead());
    assert!(!dropped.get(), "page 2's request is still waiting for its response");
    drop(pages);
    assert!(dropped.get(), "the request read ahead is dropped with the traversal");
    assert_eq!(c.transport().sent(), 2);
}

#[test]
fn a_traversal_read_ahead_resumes_from_the_page_after_the_last_handed_out() {
    // The fake answers in order: page 3 is answered twice (read ahead, then resumed).
    let mut script = chain(4);
    script.insert(3, chain(4).remove(2));
    let c = client(script);
    let mut pages = read_ahead(&c, "", true);
    block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
    block_on(pages.next_page(&c, start(&c))).unwrap().unwrap();
    // A consumer that stops after two pages keeps the token of the third (read ahead, unused).
    let token = pages.cursor().continuation_token().unwrap().to_string();
    drop(pages);
    assert_eq!(c.transport().sent(), 3);
    let mut resumed = ReadAhead::new(c.resume(&token, &no_opts()).unwrap(), true);
    let mut got = Vec::new();
    while let Some(page) = block_on(resumed.next_page(&c, start(&c))).unwrap() {
        got.extend(ids(&page));
    }
    assert_eq!(got, ["r2a", "r2b", "r3a", "r3b"]);
    assert_eq!(c.transport().urls()[3], token, "page 3 again, from the token");
}
