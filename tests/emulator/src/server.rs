//! The server: configuration, shared state, routing, auth, CORS, correlation headers, fault
//! injection, writes (`PATCH`, with [`crate::patch`]), and the accept loop (one thread per
//! connection, HTTP/1.1 keep-alive).

use std::io::{self, BufReader, Write};
use std::net::{Shutdown, SocketAddr, TcpListener, TcpStream};
use std::sync::atomic::{AtomicBool, Ordering as AtomicOrdering};
use std::sync::{Arc, Mutex, MutexGuard, RwLock};
use std::thread::{self, JoinHandle};
use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::page::check_referral;
use partner_referrals::query::{percent_decode, query_pairs};
use serde_json::{json, Value};

use crate::data::{self, format_datetime};
use crate::faults::{http_date, parse_request_fault, Fault, FaultDice, FaultPlan, RetryAfter};
use crate::http::{read_request, write_response, ReadError, Request, Response};
use crate::odata::{self, compare, project, ApiError, ListOptions, Record, SkipToken};
use crate::patch;
use crate::rng::SplitMix64;

/// How long an idle kept-alive connection stays open.
pub const IDLE_TIMEOUT: Duration = Duration::from_secs(30);

/// Request headers a browser page may send (the CORS preflight answer).
pub const ALLOW_HEADERS: &str = "authorization, accept, client-request-id, ms-requestid, \
     ms-correlationid, x-locale, content-type, if-match, prefer, x-emulator-fault";
/// Response headers a browser page may read.
pub const EXPOSE_HEADERS: &str = "Request-ID, Retry-After, MS-CorrelationId, client-request-id, \
     MS-RequestId, ETag, Preference-Applied";

/// Everything the emulator can be told on start.
#[derive(Debug, Clone)]
pub struct Config {
    /// TCP port on 127.0.0.1; 0 = any free port.
    pub port: u16,
    /// How many referrals to generate (the documented example counts as one).
    pub count: usize,
    /// Seed of the generated data.
    pub seed: u64,
    /// A fixed "now" (data dates, `now()` in filters, admin timestamps); `None` = the real
    /// clock (data is generated relative to the start time).
    pub now: Option<DateTimeOffset>,
    /// Process-wide fault plan (empty = no faults).
    pub faults: FaultPlan,
    /// Seed of the fault draws.
    pub fault_seed: u64,
    /// Delay of a `slow` fault.
    pub slow_ms: u64,
    /// The `Retry-After` seconds of injected 429/503 responses.
    pub retry_after_seconds: u64,
    /// Default and maximum page size.
    pub page_size: usize,
    /// Log one line per request to stderr.
    pub log: bool,
}

impl Default for Config {
    fn default() -> Config {
        Config {
            port: 0,
            count: 500,
            seed: 1,
            now: None,
            faults: FaultPlan::default(),
            fault_seed: 7,
            slow_ms: 3000,
            retry_after_seconds: 1,
            page_size: odata::DEFAULT_PAGE_SIZE,
            log: false,
        }
    }
}

/// The current time from the system clock.
pub fn system_now() -> DateTimeOffset {
    let millis = SystemTime::now().duration_since(UNIX_EPOCH).map_or(0, |d| d.as_millis());
    DateTimeOffset::from_unix_millis(i64::try_from(millis).unwrap_or(i64::MAX))
}

/// What answering one request amounts to.
#[derive(Debug)]
pub struct Outcome {
    /// The response; `None` = close the connection without answering.
    pub response: Option<Response>,
    /// Wait this long before answering.
    pub delay: Duration,
}

impl Outcome {
    fn reply(response: Response) -> Outcome {
        Outcome { response: Some(response), delay: Duration::ZERO }
    }
}

/// A fault armed through `POST /_emulator/faults` for the next matching requests.
#[derive(Debug, Clone)]
struct Armed {
    fault: Fault,
    /// Only requests with this method (any when `None`).
    method: Option<String>,
    /// How many more requests get it.
    times: u32,
}

/// The shared state of a running emulator.
#[derive(Debug)]
pub struct State {
    config: Config,
    port: u16,
    records: RwLock<Vec<Record>>,
    dice: Mutex<FaultDice>,
    armed: Mutex<Vec<Armed>>,
    ids: Mutex<SplitMix64>,
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

impl State {
    /// Generates the data and prepares the fault dice; `port` is the bound port (for links).
    pub fn new(config: Config, port: u16) -> State {
        let now = config.now.unwrap_or_else(system_now);
        let mut records: Vec<Record> =
            data::generate(config.count, config.seed, now).into_iter().map(Record::new).collect();
        records.sort_by(|a, b| compare(a, b, &[]));
        let dice =
            FaultDice::new(config.faults.clone(), config.fault_seed, config.retry_after_seconds);
        let clock_seed = system_now().unix_seconds as u64 ^ u64::from(std::process::id()) << 32;
        State {
            port,
            records: RwLock::new(records),
            dice: Mutex::new(dice),
            armed: Mutex::new(Vec::new()),
            ids: Mutex::new(SplitMix64::new(clock_seed ^ config.seed)),
            config,
        }
    }

    /// "Now": the configured instant or the real clock.
    pub fn now(&self) -> DateTimeOffset {
        self.config.now.unwrap_or_else(system_now)
    }

    fn fresh_guid(&self) -> String {
        lock(&self.ids).guid()
    }

    /// `http://host:port` as the client addressed us (the `Host` header when it is a plain
    /// host[:port]), else `http://127.0.0.1:<port>`. Links use `http` like the documented
    /// nextLink, whatever scheme the client used.
    fn origin(&self, request: &Request) -> String {
        match request.header("host") {
            Some(host)
                if !host.is_empty()
                    && host.bytes().all(|b| b.is_ascii_alphanumeric() || b".:-[]".contains(&b)) =>
            {
                format!("http://{host}")
            }
            _ => format!("http://127.0.0.1:{}", self.port),
        }
    }

    /// Answers one request (pure apart from the fault dice, the id generator and the store).
    pub fn handle(&self, request: &Request) -> Outcome {
        let mut outcome = self.route(request);
        if let Some(response) = outcome.response.as_mut() {
            self.decorate(request, response);
        }
        outcome
    }

    fn route(&self, request: &Request) -> Outcome {
        let path = request.path();
        let path = if path.len() > 1 { path.trim_end_matches('/') } else { path };
        if request.method == "OPTIONS" {
            return Outcome::reply(preflight(request));
        }
        if let Some(rest) = path.strip_prefix("/_emulator") {
            return Outcome::reply(self.admin(request, rest));
        }
        let api = api_route(path);
        if matches!(api, Route::NotFound) {
            return Outcome::reply(error(&ApiError {
                status: 404,
                code: "itemNotFound",
                message: format!("no resource at `{path}`"),
                target: "path".into(),
            }));
        }
        // Faults come first (like a gateway in front of the service), then auth.
        let fault = match self.fault_for(request) {
            Ok(fault) => fault,
            Err(message) => {
                return Outcome::reply(error(&ApiError::invalid("X-Emulator-Fault", message)))
            }
        };
        let serve = || {
            let allow = match api {
                Route::Get(_) => "GET, PATCH, OPTIONS",
                _ => "GET, OPTIONS",
            };
            let known =
                matches!((request.method.as_str(), &api), ("GET", _) | ("PATCH", Route::Get(_)));
            if !known {
                let mut r = error(&ApiError {
                    status: 405,
                    code: "invalidRequest",
                    message: format!("method `{}` is not allowed here", request.method),
                    target: "method".into(),
                });
                r.set_header("Allow", allow);
                return r;
            }
            if let Err(response) = authenticate(request) {
                return *response;
            }
            match (&api, request.method.as_str()) {
                (Route::List, _) => self.list(request),
                (Route::Get(id), "PATCH") => self.patch(request, id),
                (Route::Get(id), _) => self.get(request, id),
                (Route::NotFound, _) => Response::new(404),
            }
        };
        match fault {
            None => Outcome::reply(serve()),
            Some(Fault::Slow) => Outcome {
                response: Some(serve()),
                delay: Duration::from_millis(self.config.slow_ms),
            },
            Some(Fault::Drop) => Outcome { response: None, delay: Duration::ZERO },
            Some(Fault::DropAfter) => {
                let _served = serve();
                Outcome { response: None, delay: Duration::ZERO }
            }
            Some(Fault::Malformed) => {
                let mut response = serve();
                let keep = response.body.len() / 2;
                response.body.truncate(keep);
                Outcome::reply(response)
            }
            Some(Fault::Throttled(after)) => {
                let mut r = Response::json(
                    429,
                    &json!({ "statusCode": 429, "message": match after {
                        RetryAfter::Seconds(s) | RetryAfter::Date(s) =>
                            format!("Rate limit is exceeded. Try again in {s} seconds."),
                        RetryAfter::Absent => "Rate limit is exceeded. Try again later.".into(),
                    }}),
                );
                set_retry_after(&mut r, after);
                Outcome::reply(r)
            }
            Some(Fault::Unavailable(after)) => {
                let mut r = error(&ApiError {
                    status: 503,
                    code: "serviceNotAvailable",
                    message: "the service is temporarily unavailable; retry after a delay".into(),
                    target: "referral".into(),
                });
                set_retry_after(&mut r, after);
                Outcome::reply(r)
            }
            Some(Fault::GatewayTimeout) => Outcome::reply(error(&ApiError {
                status: 504,
                code: "generalException",
                message: "the gateway timed out waiting for the service".into(),
                target: "referral".into(),
            })),
            Some(Fault::Status(status)) => Outcome::reply(fault_status(status)),
        }
    }

    /// The fault for this request: the request's own (`X-Emulator-Fault` or `_fault`) if it
    /// names one, else an armed one (`POST /_emulator/faults`) for its method, else a draw from
    /// the process plan.
    fn fault_for(&self, request: &Request) -> Result<Option<Fault>, String> {
        let asked = request.header("x-emulator-fault").map(str::to_string).or_else(|| {
            query_pairs(request.query()).into_iter().find(|(k, _)| k == "_fault").map(|(_, v)| v)
        });
        if let Some(text) = asked {
            return parse_request_fault(&text, self.config.retry_after_seconds);
        }
        let mut armed = lock(&self.armed);
        let method = request.method.as_str();
        if let Some(at) = armed
            .iter()
            .position(|a| a.method.as_deref().map_or(true, |m| m.eq_ignore_ascii_case(method)))
        {
            let fault = armed[at].fault;
            armed[at].times -= 1;
            if armed[at].times == 0 {
                armed.remove(at);
            }
            return Ok(Some(fault));
        }
        drop(armed);
        Ok(lock(&self.dice).draw())
    }

    /// `POST /_emulator/faults` `{"fault": "drop-after", "method": "PATCH", "times": 1}`: the
    /// next `times` requests with that method (any method when absent) get the fault.
    fn arm(&self, body: &[u8]) -> Response {
        let value: Value = match serde_json::from_slice(body) {
            Ok(v) => v,
            Err(e) => return error(&ApiError::invalid("body", format!("invalid JSON: {e}"))),
        };
        let fault = match value.get("fault").and_then(Value::as_str) {
            Some(text) => parse_request_fault(text, self.config.retry_after_seconds),
            None => Err("`fault` (a string) is required".into()),
        };
        let fault = match fault {
            Ok(Some(fault)) => fault,
            Ok(None) => return error(&ApiError::invalid("fault", "`none` cannot be armed")),
            Err(message) => return error(&ApiError::invalid("fault", message)),
        };
        let times = match value.get("times") {
            None => 1,
            Some(t) => match t.as_u64().and_then(|t| u32::try_from(t).ok()).filter(|t| *t > 0) {
                Some(t) => t,
                None => return error(&ApiError::invalid("times", "`times` is a positive integer")),
            },
        };
        let method = match value.get("method") {
            None | Some(Value::Null) => None,
            Some(Value::String(m)) => Some(m.to_ascii_uppercase()),
            Some(_) => return error(&ApiError::invalid("method", "`method` is a string")),
        };
        lock(&self.armed).push(Armed { fault, method, times });
        Response::new(204)
    }

    fn list(&self, request: &Request) -> Response {
        let pairs: Vec<(String, String)> =
            query_pairs(request.query()).into_iter().filter(|(k, _)| k != "_fault").collect();
        let parsed = ListOptions::parse(&pairs).and_then(|(options, token)| match token {
            None => Ok((options, 0)),
            Some(token) => {
                let token = SkipToken::decode(&token)?;
                Ok((token.options()?, token.offset))
            }
        });
        let (options, offset) = match parsed {
            Ok(x) => x,
            Err(e) => return error(&e),
        };
        let records = self.records.read().unwrap_or_else(|p| p.into_inner());
        let page = odata::page(
            &records,
            &options,
            offset,
            self.config.page_size.max(1),
            self.now(),
            &self.origin(request),
        );
        Response::json(200, &page.body)
    }

    fn get(&self, request: &Request, id: &str) -> Response {
        let mut select = None;
        for (key, value) in query_pairs(request.query()) {
            let lower = key.to_ascii_lowercase();
            if lower == "$select" {
                match ListOptions::parse(&[(key, value)]) {
                    Ok((options, _)) => select = options.select,
                    Err(e) => return error(&e),
                }
            } else if lower.starts_with('$') {
                return error(&ApiError::invalid(
                    &key,
                    format!("query option `{key}` is not supported on a single referral"),
                ));
            }
        }
        let records = self.records.read().unwrap_or_else(|p| p.into_inner());
        let Some(record) = records.iter().find(|r| r.id.eq_ignore_ascii_case(id)) else {
            return error(&ApiError {
                status: 404,
                code: "itemNotFound",
                message: format!("referral `{id}` was not found"),
                target: "id".into(),
            });
        };
        let mut body = project(&record.value, select.as_deref());
        if let Some(map) = body.as_object_mut() {
            map.insert(
                "@odata.context".into(),
                json!(format!("{}/v1.0/$metadata#Referrals/$entity", self.origin(request))),
            );
        }
        let mut response = Response::json(200, &body);
        if let Some(etag) = record.value.get("eTag").and_then(Value::as_str) {
            response.set_header("ETag", etag);
        }
        response
    }

    /// `/_emulator/...`: unauthenticated test hooks (`rest` is the path after `/_emulator`).
    fn admin(&self, request: &Request, rest: &str) -> Response {
        match (request.method.as_str(), rest) {
            ("GET", "/referrals") => {
                let records = self.records.read().unwrap_or_else(|p| p.into_inner());
                let value: Vec<Value> = records.iter().map(|r| r.value.clone()).collect();
                Response::json(
                    200,
                    &json!({
                        "now": format_datetime(self.now()),
                        "count": value.len(),
                        "seed": self.config.seed,
                        "value": value,
                    }),
                )
            }
            ("POST", "/referrals") => self.upsert(&request.body),
            ("POST", "/faults") => self.arm(&request.body),
            ("DELETE", "/faults") => {
                lock(&self.armed).clear();
                Response::new(204)
            }
            ("DELETE", id) if id.starts_with("/referrals/") => {
                let id = percent_decode(&id["/referrals/".len()..]);
                let mut records = self.records.write().unwrap_or_else(|p| p.into_inner());
                let before = records.len();
                records.retain(|r| !r.id.eq_ignore_ascii_case(&id));
                if records.len() == before {
                    error(&ApiError {
                        status: 404,
                        code: "itemNotFound",
                        message: format!("referral `{id}` was not found"),
                        target: "id".into(),
                    })
                } else {
                    Response::new(204)
                }
            }
            _ => error(&ApiError {
                status: 404,
                code: "itemNotFound",
                message: format!("no emulator hook `{} /_emulator{rest}`", request.method),
                target: "path".into(),
            }),
        }
    }

    /// `PATCH /v1.0/engagements/referrals/{id}`: a JSON Patch (see [`crate::patch`]) applied
    /// atomically under the store's write lock. `If-Match` (when sent) must name the current
    /// eTag, else 412. A successful write gets a fresh eTag, an `updatedDateTime` later than
    /// every other referral's (so an incremental sync on `updatedDateTime ge <watermark>` sees
    /// it even with a fixed `--now`), and `acceptedDateTime` when it becomes Active. The answer
    /// is the referral with `Prefer: return=representation`, else 204 with no body.
    fn patch(&self, request: &Request, id: &str) -> Response {
        let content_type = request.header("content-type").unwrap_or("").to_ascii_lowercase();
        let media = content_type.split(';').next().unwrap_or("").trim();
        if media != "application/json" && media != "application/json-patch+json" {
            return error(&ApiError {
                status: 415,
                code: "invalidRequest",
                message: format!(
                    "send the JSON Patch with `Content-Type: application/json`, not `{media}`"
                ),
                target: "Content-Type".into(),
            });
        }
        let operations = match patch::parse(&request.body) {
            Ok(operations) => operations,
            Err(e) => return error(&e),
        };
        let mut records = self.records.write().unwrap_or_else(|p| p.into_inner());
        let Some(at) = records.iter().position(|r| r.id.eq_ignore_ascii_case(id)) else {
            return error(&ApiError {
                status: 404,
                code: "itemNotFound",
                message: format!("referral `{id}` was not found"),
                target: "id".into(),
            });
        };
        let current = &records[at].value;
        let current_etag = current.get("eTag").and_then(Value::as_str);
        if let Some(expected) = request.header("if-match") {
            if !patch::if_match(expected, current_etag) {
                return error(&ApiError {
                    status: 412,
                    code: "preconditionFailed",
                    message: format!(
                        "the referral was changed since eTag {expected}: read it again and retry"
                    ),
                    target: "If-Match".into(),
                });
            }
        }
        let mut next = match patch::apply(current, &operations) {
            Ok(next) => next,
            Err(e) => return error(&e),
        };
        let latest = records.iter().filter_map(|r| r.updated).max();
        let now = self.now();
        let updated = match latest {
            Some(latest) if latest >= now => next_tick(latest),
            _ => now,
        };
        let became_active = current.get("status").and_then(Value::as_str) != Some("Active")
            && next.get("status").and_then(Value::as_str) == Some("Active");
        let etag = data::etag(&mut lock(&self.ids));
        if let Some(map) = next.as_object_mut() {
            map.insert("updatedDateTime".into(), json!(format_datetime(updated)));
            map.insert("eTag".into(), json!(etag));
            if became_active && map.get("acceptedDateTime").is_none_or_null() {
                map.insert("acceptedDateTime".into(), json!(format_datetime(updated)));
            }
        }
        records[at] = Record::new(next.clone());
        records.sort_by(|a, b| compare(a, b, &[]));
        drop(records);
        let mut response = if patch::wants_representation(request.header("prefer")) {
            if let Some(map) = next.as_object_mut() {
                map.insert(
                    "@odata.context".into(),
                    json!(format!("{}/v1.0/$metadata#Referrals/$entity", self.origin(request))),
                );
            }
            let mut r = Response::json(200, &next);
            r.set_header("Preference-Applied", "return=representation");
            r
        } else {
            Response::new(204)
        };
        response.set_header("ETag", etag);
        response
    }

    /// Adds or replaces a referral: fills `id`, `engagementId`, `createdDateTime` when missing,
    /// `updatedDateTime` when missing (now), a fresh `eTag`, and `links` when missing; the result
    /// must pass the library's referral check so that every page served still decodes.
    fn upsert(&self, body: &[u8]) -> Response {
        let mut value: Value = match serde_json::from_slice(body) {
            Ok(v @ Value::Object(_)) => v,
            Ok(_) => return error(&ApiError::invalid("body", "expected a JSON object")),
            Err(e) => return error(&ApiError::invalid("body", format!("invalid JSON: {e}"))),
        };
        let now = format_datetime(self.now());
        let etag = data::etag(&mut lock(&self.ids));
        let Some(map) = value.as_object_mut() else {
            // invariant: matched as an object above.
            return error(&ApiError::invalid("body", "expected a JSON object"));
        };
        let mut fill = |name: &str, make: &dyn Fn() -> Value| {
            if map.get(name).is_none_or_null() {
                map.insert(name.to_string(), make());
            }
        };
        fill("id", &|| json!(self.fresh_guid()));
        fill("engagementId", &|| json!(self.fresh_guid()));
        fill("createdDateTime", &|| json!(now));
        fill("updatedDateTime", &|| json!(now));
        map.insert("eTag".into(), json!(etag));
        let id = map.get("id").and_then(Value::as_str).unwrap_or("").to_string();
        let engagement = map.get("engagementId").and_then(Value::as_str).unwrap_or("").to_string();
        if map.get("links").is_none_or_null() {
            map.insert("links".into(), data::links(&id, &engagement));
        }
        if let Err(e) = check_referral(&value) {
            return error(&ApiError::invalid("body", e.to_string()));
        }
        let record = Record::new(value.clone());
        let mut records = self.records.write().unwrap_or_else(|p| p.into_inner());
        let status = match records.iter_mut().find(|r| r.id.eq_ignore_ascii_case(&record.id)) {
            Some(existing) => {
                *existing = record;
                200
            }
            None => {
                records.push(record);
                201
            }
        };
        records.sort_by(|a, b| compare(a, b, &[]));
        Response::json(status, &value)
    }

    /// Adds the headers every response carries: a fresh `Request-ID`, echoes of
    /// `client-request-id`, `MS-RequestId` and `MS-CorrelationId`, CORS, no caching.
    fn decorate(&self, request: &Request, response: &mut Response) {
        response.set_header("Request-ID", self.fresh_guid());
        for name in ["client-request-id", "MS-RequestId", "MS-CorrelationId"] {
            if let Some(value) = request.header(name) {
                response.set_header(name, value);
            }
        }
        match request.header("origin") {
            Some(origin) => {
                response.set_header("Access-Control-Allow-Origin", origin);
                response.set_header("Vary", "Origin");
            }
            None => response.set_header("Access-Control-Allow-Origin", "*"),
        }
        response.set_header("Access-Control-Expose-Headers", EXPOSE_HEADERS);
        response.set_header("Cache-Control", "no-store");
        if response.header("content-type").is_some() {
            response.set_header("OData-Version", "4.0");
        }
    }
}

/// The instant one tick (100 ns, the API's resolution) after `t`.
fn next_tick(t: DateTimeOffset) -> DateTimeOffset {
    if t.nanos + 100 >= 1_000_000_000 {
        DateTimeOffset { unix_seconds: t.unix_seconds + 1, nanos: 0, ..t }
    } else {
        DateTimeOffset { nanos: t.nanos + 100, ..t }
    }
}

trait NullOrMissing {
    fn is_none_or_null(&self) -> bool;
}

impl NullOrMissing for Option<&Value> {
    fn is_none_or_null(&self) -> bool {
        self.map_or(true, Value::is_null)
    }
}

#[derive(Debug)]
enum Route {
    List,
    Get(String),
    NotFound,
}

/// `/v1.0/engagements/referrals[/{id}]`, and the same under `/v1.0/referrals` (the documented
/// nextLink's path).
fn api_route(path: &str) -> Route {
    let rest = path
        .strip_prefix("/v1.0/engagements/referrals")
        .or_else(|| path.strip_prefix("/v1.0/referrals"));
    match rest {
        Some("") => Route::List,
        Some(id) => match id.strip_prefix('/') {
            Some(id) if !id.is_empty() && !id.contains('/') => Route::Get(percent_decode(id)),
            _ => Route::NotFound,
        },
        None => Route::NotFound,
    }
}

fn error(e: &ApiError) -> Response {
    Response::json(e.status, &e.body())
}

fn set_retry_after(response: &mut Response, after: RetryAfter) {
    match after {
        RetryAfter::Absent => {}
        RetryAfter::Seconds(s) => response.set_header("Retry-After", s.to_string()),
        RetryAfter::Date(s) => response.set_header(
            "Retry-After",
            http_date(system_now().unix_seconds.saturating_add(i64::try_from(s).unwrap_or(0))),
        ),
    }
}

fn fault_status(status: u16) -> Response {
    match status {
        401 => unauthenticated("the access token has expired (injected fault)"),
        403 => error(&ApiError {
            status: 403,
            code: "accessDenied",
            message: "the signed-in user has no referrals role (injected fault)".into(),
            target: "referral".into(),
        }),
        _ => error(&ApiError {
            status,
            code: "generalException",
            message: "an unexpected error occurred (injected fault)".into(),
            target: "referral".into(),
        }),
    }
}

fn unauthenticated(message: &str) -> Response {
    let mut r = error(&ApiError {
        status: 401,
        code: "unauthenticated",
        message: message.into(),
        target: "Authorization".into(),
    });
    r.set_header(
        "WWW-Authenticate",
        "Bearer realm=\"api.partner.microsoft.com\", error=\"invalid_token\"",
    );
    r
}

/// `Authorization: Bearer <non-empty>`; a token starting with `expired` is rejected as expired
/// (lets client tests exercise the refresh-once path).
fn authenticate(request: &Request) -> Result<(), Box<Response>> {
    let header = request.header("authorization").unwrap_or("").trim();
    let token = match header.split_once(' ') {
        Some((scheme, token)) if scheme.eq_ignore_ascii_case("bearer") => token.trim(),
        _ => "",
    };
    if token.is_empty() {
        return Err(Box::new(unauthenticated(
            "an `Authorization: Bearer <token>` header is required",
        )));
    }
    if token.starts_with("expired") {
        return Err(Box::new(unauthenticated("the access token has expired")));
    }
    Ok(())
}

fn preflight(request: &Request) -> Response {
    let mut r = Response::new(204);
    r.set_header("Access-Control-Allow-Methods", "GET, PATCH, POST, DELETE, OPTIONS");
    r.set_header("Access-Control-Allow-Headers", ALLOW_HEADERS);
    r.set_header("Access-Control-Max-Age", "600");
    if request.header("access-control-request-private-network").is_some() {
        r.set_header("Access-Control-Allow-Private-Network", "true");
    }
    r
}

/// A running emulator.
#[derive(Debug)]
pub struct Emulator {
    addr: SocketAddr,
    state: Arc<State>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
}

impl Emulator {
    /// Generates the data, binds 127.0.0.1:`config.port` and starts accepting on a thread.
    ///
    /// # Errors
    /// The port cannot be bound.
    pub fn start(config: Config) -> io::Result<Emulator> {
        let listener = TcpListener::bind(("127.0.0.1", config.port))?;
        let addr = listener.local_addr()?;
        let state = Arc::new(State::new(config, addr.port()));
        let stop = Arc::new(AtomicBool::new(false));
        let thread = {
            let (state, stop) = (Arc::clone(&state), Arc::clone(&stop));
            thread::Builder::new()
                .name("emulator-accept".into())
                .spawn(move || accept_loop(&listener, &state, &stop))?
        };
        Ok(Emulator { addr, state, stop, thread: Some(thread) })
    }

    /// The bound address.
    pub fn addr(&self) -> SocketAddr {
        self.addr
    }

    /// `http://127.0.0.1:<port>/v1.0/`: the client's `baseUrl`.
    pub fn base_url(&self) -> String {
        format!("http://127.0.0.1:{}/v1.0/", self.addr.port())
    }

    /// The shared state (for in-process tests).
    pub fn state(&self) -> &State {
        &self.state
    }

    /// Blocks until the accept loop ends (it ends only through [`Emulator::stop`]).
    pub fn wait(mut self) {
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }

    /// Stops accepting and waits for the accept loop (open connections finish on their own).
    pub fn stop(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.stop.store(true, AtomicOrdering::SeqCst);
        // Wake the blocking accept.
        let _ = TcpStream::connect_timeout(&self.addr, Duration::from_secs(1));
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

impl Drop for Emulator {
    fn drop(&mut self) {
        if self.thread.is_some() {
            self.shutdown();
        }
    }
}

fn accept_loop(listener: &TcpListener, state: &Arc<State>, stop: &AtomicBool) {
    for stream in listener.incoming() {
        if stop.load(AtomicOrdering::SeqCst) {
            return;
        }
        let Ok(stream) = stream else { continue };
        let state = Arc::clone(state);
        let spawned = thread::Builder::new()
            .name("emulator-conn".into())
            .spawn(move || serve_connection(&state, stream));
        if spawned.is_err() {
            // Out of threads: the stream was moved into the failed closure and is dropped
            // (closed); the client sees a reset and may retry.
            continue;
        }
    }
}

fn serve_connection(state: &State, stream: TcpStream) {
    let _ = stream.set_read_timeout(Some(IDLE_TIMEOUT));
    let _ = stream.set_nodelay(true);
    let Ok(read_half) = stream.try_clone() else { return };
    let mut reader = BufReader::new(read_half);
    let mut writer = stream;
    loop {
        let request = match read_request(&mut reader) {
            Ok(request) => request,
            Err(ReadError::Closed | ReadError::Io(_)) => return,
            Err(ReadError::Bad(status, message)) => {
                let body = ApiError {
                    status,
                    code: "invalidRequest",
                    message: message.into(),
                    target: "request".into(),
                };
                let _ = write_response(&mut writer, &error(&body), false);
                return;
            }
        };
        let started = Instant::now();
        let outcome = state.handle(&request);
        if !outcome.delay.is_zero() {
            thread::sleep(outcome.delay);
        }
        let keep_alive = request.keep_alive();
        let status = match &outcome.response {
            None => {
                let _ = writer.flush();
                let _ = writer.shutdown(Shutdown::Both);
                log(state, &request, "dropped", started);
                return;
            }
            Some(response) => {
                if write_response(&mut writer, response, keep_alive).is_err() {
                    return;
                }
                response.status.to_string()
            }
        };
        log(state, &request, &status, started);
        if !keep_alive {
            let _ = writer.shutdown(Shutdown::Write);
            return;
        }
    }
}

fn log(state: &State, request: &Request, status: &str, started: Instant) {
    if state.config.log {
        eprintln!(
            "{} {} -> {status} ({} ms)",
            request.method,
            request.target,
            started.elapsed().as_millis()
        );
    }
}
