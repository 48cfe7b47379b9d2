//! Writes against a fake Partner API that keeps one referral and applies JSON Patches to it,
//! with faults injected per attempt (a network failure *after* the patch was applied, a
//! time-out, 429/503/504 without applying). Asserts what the server ends up holding and what
//! was sent: headers, bodies, counts. No network, no real sleeping.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

mod common;
use common::block_on;

use std::cell::{Cell, RefCell};
use std::collections::VecDeque;
use std::time::Duration;

use partner_referrals::client::{
    Client, ClientOptions, Decoder, Entropy, HttpRequest, HttpResponse, RequestOptions,
    TokenSource, Transport, TransportFailure,
};
use partner_referrals::patch::{build_patch, Current, Patch};
use partner_referrals::{Error, ErrorCode, Result};
use serde_json::{json, Value};

const ID: &str = "8f1c2d3e-0000-4000-8000-000000000001";
const URL: &str =
    "https://api.partner.microsoft.com/v1.0/engagements/referrals/8f1c2d3e-0000-4000-8000-000000000001";

/// What the server does with one attempt.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Fault {
    /// Answers normally.
    None,
    /// Applies the patch, then the connection drops: the client sees a network failure.
    ApplyThenDrop,
    /// Applies the patch, then the attempt times out.
    ApplyThenTimeout,
    /// Applies the patch, someone else sets `details/dealValue` to 5, then the connection drops.
    ApplyThenOtherEditThenDrop,
    /// Answers with this status without applying anything.
    Status(u16),
    /// Someone else changes the referral first (its eTag moves), then the attempt is handled.
    ConcurrentEdit,
    /// Answers 204 No Content (as without `Prefer: return=representation`) after applying.
    NoContent,
}

#[derive(Debug)]
struct FakeApi {
    referral: RefCell<Value>,
    version: Cell<u32>,
    faults: RefCell<VecDeque<Fault>>,
    requests: RefCell<Vec<HttpRequest>>,
    sleeps: RefCell<Vec<Duration>>,
}

impl FakeApi {
    fn new(faults: &[Fault]) -> Self {
        let api = FakeApi {
            referral: RefCell::new(json!({
                "id": ID,
                "status": "New",
                "substatus": "Pending",
                "details": { "dealValue": 100, "notes": "first" },
                "team": [{ "firstName": "Grace" }],
            })),
            version: Cell::new(1),
            faults: RefCell::new(faults.iter().copied().collect()),
            requests: RefCell::new(Vec::new()),
            sleeps: RefCell::new(Vec::new()),
        };
        api.stamp();
        api
    }

    fn etag(&self) -> String {
        format!("\"v{}\"", self.version.get())
    }

    fn stamp(&self) {
        let tag = self.etag();
        self.referral.borrow_mut()["eTag"] = json!(tag);
    }

    fn bump(&self) {
        self.version.set(self.version.get() + 1);
        self.stamp();
    }

    fn team_size(&self) -> usize {
        self.referral.borrow()["team"].as_array().map_or(0, Vec::len)
    }

    fn sent(&self) -> Vec<(String, String)> {
        self.requests.borrow().iter().map(|r| (r.method.to_string(), r.url.clone())).collect()
    }

    fn apply(&self, body: &str) {
        let ops: Vec<Value> = serde_json::from_str(body).unwrap();
        let mut referral = self.referral.borrow_mut();
        for op in ops {
            let path = op["path"].as_str().unwrap();
            let (parent, last) = path.rsplit_once('/').unwrap();
            let target = referral.pointer_mut(parent).unwrap();
            match (op["op"].as_str().unwrap(), target) {
                ("add", Value::Array(items)) if last == "-" => items.push(op["value"].clone()),
                (_, Value::Object(map)) => {
                    map.insert(last.to_string(), op["value"].clone());
                }
                other => panic!("fake cannot apply {other:?}"),
            }
        }
        drop(referral);
        self.bump();
    }

    fn answer(&self, status: u16) -> HttpResponse {
        HttpResponse {
            status,
            headers: vec![("request-id".into(), "srv-1".into())],
            body: if status == 204 { String::new() } else { self.referral.borrow().to_string() },
        }
    }
}

impl Transport for FakeApi {
    async fn send(
        &self,
        request: &HttpRequest,
    ) -> std::result::Result<HttpResponse, TransportFailure> {
        self.requests.borrow_mut().push(request.clone());
        if request.method == "GET" {
            return Ok(self.answer(200));
        }
        let fault = self.faults.borrow_mut().pop_front().unwrap_or(Fault::None);
        match fault {
            Fault::Status(status) => {
                return Ok(HttpResponse { status, headers: vec![], body: String::new() })
            }
            Fault::ConcurrentEdit => self.bump(),
            _ => {}
        }
        if let Some(tag) = request.header("If-Match") {
            if tag != self.etag() {
                return Ok(HttpResponse {
                    status: 412,
                    headers: vec![("request-id".into(), "srv-412".into())],
                    body: r#"{"error":{"code":"preconditionFailed","message":"eTag mismatch"}}"#
                        .into(),
                });
            }
        }
        self.apply(request.body.as_deref().unwrap_or("[]"));
        match fault {
            Fault::ApplyThenDrop => Err(TransportFailure::Network("connection reset".into())),
            Fault::ApplyThenOtherEditThenDrop => {
                self.apply(r#"[{"op":"replace","path":"/details/dealValue","value":5}]"#);
                Err(TransportFailure::Network("connection reset".into()))
            }
            Fault::ApplyThenTimeout => Err(TransportFailure::Timeout),
            Fault::NoContent => Ok(self.answer(204)),
            _ => Ok(self.answer(200)),
        }
    }
    async fn sleep(&self, duration: Duration) {
        self.sleeps.borrow_mut().push(duration);
    }
    fn now_unix_millis(&self) -> i64 {
        1_700_000_000_000
    }
}

#[derive(Debug, Default)]
struct Tokens {
    calls: RefCell<Vec<bool>>,
}
impl TokenSource for Tokens {
    async fn token(&self, force_refresh: bool) -> std::result::Result<String, String> {
        self.calls.borrow_mut().push(force_refresh);
        Ok(if force_refresh { "fresh-token" } else { "token" }.into())
    }
}

#[derive(Debug)]
struct Counter(Cell<u64>);
impl Entropy for Counter {
    fn next_u64(&self) -> u64 {
        self.0.set(self.0.get().wrapping_add(0x9E37_79B9_7F4A_7C15));
        self.0.get()
    }
}

#[derive(Debug)]
struct Items;
impl Decoder for Items {
    type Page = Value;
    type Item = Value;
    fn decode_page(&self, body: &str) -> Result<Value> {
        self.decode_item(body)
    }
    fn decode_item(&self, body: &str) -> Result<Value> {
        serde_json::from_str(body)
            .map_err(|e| Error::Decode { path: String::new(), message: e.to_string() })
    }
    fn next_link<'p>(&self, _: &'p Value) -> Option<&'p str> {
        None
    }
    fn item_id(&self, item: &Value) -> Option<String> {
        item.get("id")?.as_str().map(str::to_string)
    }
}

type TestClient = Client<FakeApi, Tokens, Counter, Items>;

fn client(faults: &[Fault]) -> TestClient {
    let options = ClientOptions { locale: Some("de-DE".into()), ..ClientOptions::default() };
    Client::new(options, FakeApi::new(faults), Tokens::default(), Counter(Cell::new(7)), Items)
        .unwrap()
}

fn patch(changes: Value) -> Patch {
    build_patch(changes, Some(&Current { status: Some("New"), substatus: Some("Pending") }))
        .unwrap()
}

fn add_member() -> Patch {
    patch(json!([{ "op": "add", "path": "/team/-", "value": { "firstName": "Ada" } }]))
}

fn set_deal() -> Patch {
    patch(json!({ "details": { "dealValue": 10000, "notes": "call back" } }))
}

fn update(c: &TestClient, patch: Patch, if_match: Option<&str>) -> Result<Value> {
    block_on(c.update(ID, patch, if_match, &RequestOptions::default()))
}

#[test]
fn a_write_is_a_patch_with_the_read_headers_and_the_write_headers() {
    let c = client(&[]);
    let opts = RequestOptions { correlation_id: Some("corr-1".into()) };
    let tag = c.transport().etag();
    let updated = block_on(c.update(ID, set_deal(), Some(&tag), &opts)).unwrap();
    assert_eq!(updated["details"], json!({ "dealValue": 10000, "notes": "call back" }));
    assert_eq!(updated["eTag"], json!("\"v2\""));
    let requests = c.transport().requests.borrow();
    let r = &requests[0];
    assert_eq!((r.method, r.url.as_str()), ("PATCH", URL));
    let names: Vec<&str> = r.headers.iter().map(|(k, _)| k.as_str()).collect();
    assert_eq!(
        names,
        [
            "Authorization",
            "Accept",
            "client-request-id",
            "MS-RequestId",
            "MS-CorrelationId",
            "X-Locale",
            "Content-Type",
            "Prefer",
            "If-Match",
        ]
    );
    assert_eq!(r.header("authorization"), Some("Bearer token"));
    assert_eq!(r.header("client-request-id"), r.header("MS-RequestId"));
    assert_eq!(r.header("MS-CorrelationId"), Some("corr-1"));
    assert_eq!(r.header("Content-Type"), Some("application/json"));
    assert_eq!(r.header("Prefer"), Some("return=representation"));
    assert_eq!(r.header("If-Match"), Some("\"v1\""));
    assert_eq!(
        r.body.as_deref(),
        Some(
            r#"[{"op":"replace","path":"/details/dealValue","value":10000},{"op":"replace","path":"/details/notes","value":"call back"}]"#
        )
    );
}

#[test]
fn without_if_match_no_if_match_header_is_sent() {
    let c = client(&[]);
    update(&c, set_deal(), None).unwrap();
    assert_eq!(c.transport().requests.borrow()[0].header("If-Match"), None);
}

#[test]
fn an_add_is_not_resent_after_a_network_failure_that_followed_its_application() {
    let c = client(&[Fault::ApplyThenDrop]);
    let err = update(&c, add_member(), None).unwrap_err();
    assert_eq!(err.code(), ErrorCode::NetworkError);
    assert_eq!(c.transport().sent().len(), 1, "an add must not be resent");
    assert_eq!(c.transport().team_size(), 2, "applied exactly once");
    assert!(c.transport().sleeps.borrow().is_empty());
}

#[test]
fn an_add_is_not_resent_after_a_time_out_or_a_504() {
    for fault in [Fault::ApplyThenTimeout, Fault::Status(504)] {
        let c = client(&[fault]);
        let err = update(&c, add_member(), None).unwrap_err();
        let expected =
            if fault == Fault::Status(504) { ErrorCode::HttpError } else { ErrorCode::Timeout };
        assert_eq!(err.code(), expected, "{fault:?}");
        assert_eq!(c.transport().sent().len(), 1, "{fault:?}");
    }
}

#[test]
fn an_add_is_resent_after_429_and_503_which_apply_nothing() {
    let c = client(&[Fault::Status(429), Fault::Status(503)]);
    let updated = update(&c, add_member(), None).unwrap();
    assert_eq!(c.transport().sent().len(), 3);
    assert_eq!(c.transport().sleeps.borrow().len(), 2);
    assert_eq!(updated["team"].as_array().unwrap().len(), 2, "added once");
    assert_eq!(c.transport().team_size(), 2);
    // The same request id on every attempt.
    let requests = c.transport().requests.borrow();
    let ids: Vec<_> = requests.iter().map(|r| r.header("client-request-id")).collect();
    assert!(ids.iter().all(|id| *id == ids[0]));
}

#[test]
fn an_add_is_resent_after_a_401_and_a_token_refresh() {
    let c = client(&[Fault::Status(401)]);
    update(&c, add_member(), None).unwrap();
    assert_eq!(*c.token_source().calls.borrow(), [false, true]);
    assert_eq!(c.transport().sent().len(), 2);
    assert_eq!(
        c.transport().requests.borrow()[1].header("Authorization"),
        Some("Bearer fresh-token")
    );
    assert_eq!(c.transport().team_size(), 2);
}

#[test]
fn replaces_are_resent_after_a_network_failure_and_end_in_the_right_state() {
    let c = client(&[Fault::ApplyThenDrop, Fault::ApplyThenTimeout]);
    let updated = update(&c, set_deal(), None).unwrap();
    assert_eq!(c.transport().sent().len(), 3);
    assert_eq!(updated["details"], json!({ "dealValue": 10000, "notes": "call back" }));
    assert_eq!(c.transport().referral.borrow()["details"], updated["details"]);
}

#[test]
fn a_412_on_the_resend_of_an_applied_replace_is_recognised_by_a_re_read() {
    // The first attempt was applied (the eTag moved) but its answer was lost; the resend's
    // If-Match no longer matches. The client reads the referral: it holds every value sent.
    let c = client(&[Fault::ApplyThenDrop]);
    let tag = c.transport().etag();
    let updated = update(&c, set_deal(), Some(&tag)).unwrap();
    assert_eq!(
        c.transport().sent(),
        [("PATCH".into(), URL.into()), ("PATCH".into(), URL.into()), ("GET".into(), URL.into())]
    );
    assert_eq!(updated["details"]["dealValue"], json!(10000));
    assert_eq!(updated["eTag"], json!("\"v2\""));
}

#[test]
fn a_412_after_someone_elses_change_is_precondition_failed_with_the_server_body() {
    let c = client(&[Fault::ConcurrentEdit]);
    let tag = c.transport().etag();
    let err = update(&c, set_deal(), Some(&tag)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PreconditionFailed);
    assert_eq!(err.status(), Some(412));
    assert_eq!(err.server_code(), Some("preconditionFailed"));
    assert_eq!(err.request_id(), Some("srv-412"));
    assert_eq!(err.details().unwrap()["error"]["message"], json!("eTag mismatch"));
    assert_eq!(c.transport().sent().len(), 1, "a 412 is final");
    assert_eq!(c.transport().referral.borrow()["details"]["dealValue"], json!(100));
}

#[test]
fn a_412_after_a_lost_answer_when_someone_else_also_wrote_stands() {
    // Applied, answer lost, then another edit overwrote the deal value before the resend: the
    // re-read does not hold what was sent, so the 412 is the caller's to handle.
    let c = client(&[Fault::ApplyThenOtherEditThenDrop]);
    let tag = c.transport().etag();
    let err = update(&c, set_deal(), Some(&tag)).unwrap_err();
    assert_eq!(err.code(), ErrorCode::PreconditionFailed);
    assert_eq!(
        c.transport().sent(),
        [("PATCH".into(), URL.into()), ("PATCH".into(), URL.into()), ("GET".into(), URL.into())]
    );
    assert_eq!(c.transport().referral.borrow()["details"]["dealValue"], json!(5));
}

#[test]
fn a_204_is_followed_by_a_read_of_the_referral() {
    let c = client(&[Fault::NoContent]);
    let updated = update(&c, add_member(), None).unwrap();
    assert_eq!(c.transport().sent(), [("PATCH".into(), URL.into()), ("GET".into(), URL.into())]);
    assert_eq!(updated["team"].as_array().unwrap().len(), 2);
    let requests = c.transport().requests.borrow();
    assert_eq!(requests[1].header("MS-CorrelationId"), requests[0].header("MS-CorrelationId"));
    assert_eq!(requests[1].body, None);
    assert_eq!(requests[1].header("Content-Type"), None);
}

#[test]
fn an_answer_that_is_another_referral_is_an_invalid_response() {
    let c = client(&[]);
    c.transport().referral.borrow_mut()["id"] = json!("00000000-0000-4000-8000-00000000beef");
    let err = update(&c, set_deal(), None).unwrap_err();
    assert_eq!((err.code(), err.path()), (ErrorCode::InvalidResponse, Some("/id")));
}

#[test]
fn an_if_match_that_cannot_be_a_header_is_refused_before_sending() {
    let c = client(&[]);
    let err = update(&c, set_deal(), Some("\"v1\"\r\nX-Evil: 1")).unwrap_err();
    assert_eq!((err.code(), err.path()), (ErrorCode::InvalidUpdate, Some("/eTag")));
    let err = update(&c, set_deal(), Some("")).unwrap_err();
    assert_eq!(err.code(), ErrorCode::InvalidUpdate);
    assert!(c.transport().sent().is_empty());
}

#[test]
fn an_id_that_is_a_path_is_refused_before_sending() {
    let c = client(&[]);
    let err = block_on(c.update("../x", set_deal(), None, &RequestOptions::default())).unwrap_err();
    assert!(matches!(err, Error::InvalidId { .. }), "{err:?}");
    assert!(c.transport().sent().is_empty());
}
