//! The client exports: `createClient(options)` → a `RawClient` with `list`/`next`/`get`/`update` and
//! `openCursor` → a `RawCursor` with `next`. Hidden from the typings: the package's
//! `ReferralsClient` (`pkg-template/api.js`) wraps them, waits for `ready` in the browser
//! entry and adds the async-iterator protocol of `all()`/`byPage()`.
//!
//! Every call converts its JS arguments first (a wrong JS type is a `TypeError`, an invalid
//! query the query's `ODataError`, both as rejections), then builds a core `Client` over
//! [`FetchTransport`], [`JsTokenSource`], [`CryptoEntropy`] and [`JsDecoder`] for that call
//! (a few string copies; it keeps each call's `getToken` failure apart from the others) and
//! races it against the call's `AbortSignal` ([`with_signal`]).
//!
//! Pages reach JS exactly as `decodeReferralPage` makes them (the core validates the body,
//! `JSON.parse` builds the object, `@odata.*` are renamed): nothing the server sent is lost.

use std::cell::RefCell;
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::time::Duration;

use js_sys::futures::future_to_promise;
use js_sys::{Function, Object, Promise, Reflect};
use wasm_bindgen::prelude::*;

use super::convert::{get, js_err, options_object};
use super::error::{to_js, type_error};
use super::extra::extra_fields;
use super::fetch::{has_global_fetch, BodySlot, CryptoEntropy, FetchTransport, Timer};
use super::page::{json_parse, page_object};
use super::scrub::scrub;
use super::signal::{with_signal, Signal};
use super::task::{yield_to_event_loop, Task};
use super::token::JsTokenSource;
use crate::client::{
    Client, ClientOptions, Decoder, Fetched, ReadAhead, RequestOptions, RetryPolicy, UsedTokens,
    DEFAULT_BASE_URL, DEFAULT_MAX_RESPONSE_BYTES, MAX_RESPONSE_BYTES_LIMIT,
};
use crate::error::{Error, ErrorCode, Result as CoreResult};
use crate::extra_fields::ExtraFields;
use crate::page::{validate_referral, validate_referral_page_next_link};
use crate::patch::Patch;

#[wasm_bindgen(typescript_custom_section)]
const TS_CLIENT: &str = r#"
/**
 * Options of `new ReferralsClient(options)`. A wrong option throws a `TypeError` (an unusable
 * `extraFields` declaration an `ODataError{code:"InvalidExtraFields"}`).
 */
export interface ClientOptions<E extends ExtraFields = {}> {
  /**
   * A bearer token for the Partner API (e.g. MSAL's `acquireTokenSilent(...).accessToken`, scope
   * `https://api.partner.microsoft.com/.default`). Called before every attempt (caching is the
   * token library's job) and with `forceRefresh: true` once after a 401. A throw, a rejection or
   * a non-string becomes `ODataError{code:"TokenError"}` (what was thrown is its `cause`).
   */
  getToken: (request: { forceRefresh: boolean }) => string | Promise<string>;
  /** Default `"https://api.partner.microsoft.com/v1.0/"`. `http:`/`https:` only; the token goes only to its origin. */
  baseUrl?: string;
  /** Used instead of the global `fetch` (tests, proxies, Node agents), called as `fetch(url, init)`. */
  fetch?: typeof fetch;
  /** Retries of 429/503/504, network failures and time-outs: a non-negative integer, default 3, at most 10. */
  maxRetries?: number;
  /**
   * Time-out of each attempt in milliseconds (positive, at most 2^31 - 1); default 30 000. It
   * covers `getToken`, the request and reading the body. An attempt that exceeds it is
   * aborted and retried; the last one fails with `Timeout`.
   *
   * No call runs longer than `(maxRetries + 2) × timeoutMs + maxRetryWaitMs` (one attempt
   * more than `maxRetries` for the token refresh after a 401); with the defaults 210 s. Each
   * page of `all()` is such a call. Aborting the signal still rejects at once.
   */
  timeoutMs?: number;
  /**
   * The most a call waits between its attempts, all waits together, in milliseconds
   * (non-negative, at most 2^31 - 1); default 60 000. When the next wait (a `Retry-After` or
   * the back-off) would go past it, the call stops at once with the error of the last attempt
   * (`Throttled`, `HttpError`, … with `retryAfterMs`) instead of sleeping.
   */
  maxRetryWaitMs?: number;
  /**
   * The largest response body read, in bytes, counted after decompression (positive, at most
   * 1 GiB); default 33 554 432 (32 MiB). Error bodies (any status outside 2xx) have their own
   * limit of 64 KiB. A larger body is not read further and the call fails with
   * `InvalidResponse` (not retried); a `Content-Length` over the limit fails before reading.
   */
  maxResponseBytes?: number;
  /** Sent as `X-Locale`, e.g. `"en-US"`. */
  locale?: string;
  /** Fields this version does not know, with their types, for every query of this client. */
  extraFields?: E;
}

/** Options of every request. */
export interface RequestOptions {
  /** Aborting rejects the call at once with the signal's `reason`, as is, and stops the request, its retries and its waits. */
  signal?: AbortSignal;
  /** The `MS-CorrelationId` to send (default: a fresh GUID per call; one per `all()` traversal). */
  correlationId?: string;
}

/** Options of `all()` (and of its `byPage()`). */
export interface AllOptions extends RequestOptions {
  /**
   * Default `true`: as soon as a page has arrived and passed validation, the next page is
   * requested (once its `nextLink` is known to be safe), so the server prepares it while this
   * one is parsed and consumed. At most one page beyond the one being consumed is requested or
   * held; its failure is thrown by the `next()` that asks for it; `return()`/`break` and aborts
   * cancel it. `false`: exactly one page is requested per page consumed.
   */
  readAhead?: boolean;
}
"#;

/// The options of a client, checked once by [`create_client`].
#[derive(Debug)]
struct Config {
    base_url: String,
    locale: Option<String>,
    retry: RetryPolicy,
    get_token: Function,
    fetch: Option<Function>,
    timeout_ms: u32,
    max_response_bytes: u64,
    /// Fields the caller declared for every query of this client (see `extra_fields.rs`).
    extra: ExtraFields,
    /// The tokens every call of this client has sent: each call's errors are scrubbed of all.
    used: UsedTokens,
}

/// The default `timeoutMs`: 30 s per attempt. Far above a normal exchange (a page of at most
/// 100 referrals, a token from MSAL's cache or a refresh), and half the 60 s idle time-out
/// that common proxies default to (nginx's `proxy_read_timeout`, AWS ALB's idle timeout),
/// past which an answer would be cut off anyway; a retry after 30 s still fits in front of a
/// user.
const DEFAULT_TIMEOUT_MS: u32 = 30_000;

type Core = Client<FetchTransport, JsTokenSource, CryptoEntropy, JsDecoder>;

impl Config {
    /// A core client for one call (or one traversal), whose attempts follow `signal`.
    fn core(&self, signal: Option<Signal>) -> CoreResult<Core> {
        let body = BodySlot::default();
        Client::new(
            ClientOptions {
                base_url: Some(self.base_url.clone()),
                locale: self.locale.clone(),
                retry: self.retry,
                timeout: Some(Duration::from_millis(self.timeout_ms.into())),
                ..ClientOptions::default()
            },
            FetchTransport {
                fetch: self.fetch.clone(),
                // The core enforces `timeoutMs` around the token and the exchange together.
                timeout_ms: None,
                max_response_bytes: self.max_response_bytes,
                signal,
                body: body.clone(),
                timed_out: Rc::default(),
            },
            JsTokenSource::new(self.get_token.clone()),
            CryptoEntropy,
            JsDecoder { body },
        )
        .map(|core| core.with_used_tokens(self.used.clone()))
    }
}

/// A client as the package's `ReferralsClient` uses it (not exported to users).
#[wasm_bindgen(skip_typescript)]
#[derive(Debug)]
pub struct RawClient {
    config: Rc<Config>,
}

/// `createClient(options)`: checks `ClientOptions` and makes a [`RawClient`].
///
/// # Errors
/// `TypeError` for anything wrong with the options: not an object, an unknown property (with
/// a "did you mean"), `getToken` not a function, `baseUrl` not a string or not a usable base
/// URL, `fetch` not a function (or no global `fetch` when none is given), `maxRetries` not a
/// non-negative integer, `timeoutMs` not a positive number of at most 2^31 − 1,
/// `maxRetryWaitMs` not a non-negative number of at most 2^31 − 1, `maxResponseBytes` not a
/// positive integer of at most 1 GiB, `locale` not 1 to 256 visible ASCII characters.
#[wasm_bindgen(js_name = createClient, skip_typescript)]
pub fn create_client(options: JsValue) -> Result<RawClient, JsValue> {
    const KNOWN: &[&str] = &[
        "getToken",
        "baseUrl",
        "fetch",
        "maxRetries",
        "timeoutMs",
        "maxRetryWaitMs",
        "maxResponseBytes",
        "locale",
        "extraFields",
    ];
    let bad = |message: &str| type_error(&format!("ReferralsClient: {message}"));
    let Some(options) = options_object(&options, "ReferralsClient options", KNOWN)? else {
        return Err(bad("options with a getToken function are required"));
    };
    let get_token = get(&options, "getToken")?
        .and_then(|f| f.dyn_into::<Function>().ok())
        .ok_or_else(|| bad("options.getToken must be a function"))?;
    let base_url = match get(&options, "baseUrl")? {
        None => DEFAULT_BASE_URL.to_string(),
        Some(url) => url.as_string().ok_or_else(|| bad("options.baseUrl must be a string"))?,
    };
    let fetch = match get(&options, "fetch")? {
        Some(f) => {
            Some(f.dyn_into::<Function>().map_err(|_| bad("options.fetch must be a function"))?)
        }
        None if has_global_fetch() => None,
        None => return Err(bad("there is no global fetch here; pass options.fetch")),
    };
    let mut retry = RetryPolicy::default();
    if let Some(n) = get(&options, "maxRetries")? {
        let n = n
            .as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= 0.0)
            .ok_or_else(|| bad("options.maxRetries must be a non-negative integer"))?;
        retry = retry.with_max_retries(n.min(f64::from(u32::MAX)) as u32);
    }
    let timeout_ms = match get(&options, "timeoutMs")? {
        None => DEFAULT_TIMEOUT_MS,
        Some(ms) => ms
            .as_f64()
            .filter(|ms| *ms > 0.0 && *ms <= f64::from(Timer::MAX_MS))
            .map(|ms| ms.ceil() as u32)
            .ok_or_else(|| {
                bad("options.timeoutMs must be a positive number of milliseconds (at most 2^31 - 1)")
            })?,
    };
    if let Some(ms) = get(&options, "maxRetryWaitMs")? {
        let ms = ms.as_f64().filter(|ms| *ms >= 0.0 && *ms <= f64::from(Timer::MAX_MS)).ok_or_else(
            || bad("options.maxRetryWaitMs must be a non-negative number of milliseconds (at most 2^31 - 1)"),
        )?;
        retry.max_total_wait = Duration::from_millis(ms.ceil() as u64);
    }
    let max_response_bytes = match get(&options, "maxResponseBytes")? {
        None => DEFAULT_MAX_RESPONSE_BYTES,
        Some(n) => n
            .as_f64()
            .filter(|n| n.fract() == 0.0 && *n >= 1.0 && *n <= MAX_RESPONSE_BYTES_LIMIT as f64)
            .map(|n| n as u64)
            .ok_or_else(|| {
                bad("options.maxResponseBytes must be a positive integer of at most 1 GiB (1073741824)")
            })?,
    };
    let locale = match get(&options, "locale")? {
        None => None,
        Some(locale) => {
            Some(locale.as_string().ok_or_else(|| bad("options.locale must be a string"))?)
        }
    };
    let extra = match get(&options, "extraFields")? {
        None => ExtraFields::new(),
        Some(value) => {
            let extra = extra_fields(&value, "ReferralsClient: options.extraFields")?;
            // Interned now, so that a declaration problem is the constructor's.
            extra.schema().map_err(js_err)?;
            extra
        }
    };
    let used = UsedTokens::new();
    let config = Config {
        base_url,
        locale,
        retry,
        get_token,
        fetch,
        timeout_ms,
        max_response_bytes,
        extra,
        used,
    };
    // The core checks the base URL and the locale; its refusal is the constructor's TypeError.
    config.core(None).map_err(|e| bad(&e.to_string()))?;
    Ok(RawClient { config: Rc::new(config) })
}

#[wasm_bindgen]
impl RawClient {
    /// The number of this client's referral type (with its extra fields), for `openSync`.
    #[wasm_bindgen(js_name = schemaId)]
    pub fn schema_id(&self) -> u32 {
        // invariant: the constructor interned the declaration, so this is a lookup.
        self.config.extra.schema().map_or(0, super::extra::schema_id)
    }

    /// `list(query?, opts?)` → `Promise<ReferralPage>`: the first page.
    pub fn list(&self, query: JsValue, opts: JsValue) -> Promise {
        let query = query_string(&query, "list query", &self.config.extra);
        self.call(query.map(|query| (Target::List(query), opts)))
    }

    /// `next(page, opts?)` → `Promise<ReferralPage | undefined>`: the page after `page`,
    /// `undefined` when it has no `nextLink`.
    pub fn next(&self, page: JsValue, opts: JsValue) -> Promise {
        self.call(next_link_of(&page).map(|link| (Target::Next(link), opts)))
    }

    /// `get(id, opts?)` → `Promise<Referral>`.
    pub fn get(&self, id: JsValue, opts: JsValue) -> Promise {
        let Some(text) = id.as_string() else {
            return Promise::reject(&type_error("get: id must be a string"));
        };
        // `as_string` turns a lone surrogate into U+FFFD: another id than the one asked for.
        let well_formed = id.unchecked_ref::<js_sys::JsString>().is_valid_utf16();
        self.call(Ok((Target::Get { id: text, well_formed }, opts)))
    }

    /// `update(id, changes, ifMatch, status, substatus, opts)` → `Promise<Referral>`: the
    /// patch of `changes` (`JSON.stringify`'d by the package's `update`, which also reads the
    /// referral's `id`, `status`, `substatus` and the `If-Match` to send), checked before the
    /// promise starts.
    pub fn update(
        &self,
        id: String,
        changes: String,
        if_match: Option<String>,
        status: Option<String>,
        substatus: Option<String>,
        opts: JsValue,
    ) -> Promise {
        let read = || -> Result<(Target, CallOptions), JsValue> {
            let patch = super::write::patch_of(&changes, status.as_deref(), substatus.as_deref())?;
            let call = CallOptions::from_js_known(&opts, &["signal", "correlationId", "ifMatch"])?;
            Ok((Target::Update { id, patch, if_match }, call))
        };
        match read() {
            Ok((target, call)) => promise(Box::pin(run(Rc::clone(&self.config), call, target))),
            Err(error) => Promise::reject(&error),
        }
    }

    /// `openCursor(query?, opts?, settings?)`: a traversal of `query`'s pages, or of the
    /// pages from `settings.continuationToken` on (a page's `nextLink`; the query is then
    /// only validated). Nothing is sent until [`RawCursor::next`].
    ///
    /// # Errors
    /// As `buildQuery` for the query; `TypeError` for wrong options or settings;
    /// `UnsafeNextLink` for a continuation token that leaves the base URL's origin.
    #[wasm_bindgen(js_name = openCursor)]
    pub fn open_cursor(
        &self,
        query: JsValue,
        opts: JsValue,
        settings: JsValue,
    ) -> Result<RawCursor, JsValue> {
        let query = query_string(&query, "all query", &self.config.extra)?;
        let call = CallOptions::from_js_known(&opts, &["signal", "correlationId", "readAhead"])?;
        let mut token = None;
        if let Some(settings) =
            options_object(&settings, "byPage settings", &["continuationToken"])?
        {
            if let Some(value) = get(&settings, "continuationToken")? {
                token = Some(value.as_string().ok_or_else(|| {
                    type_error("byPage: settings.continuationToken must be a string")
                })?);
            }
        }
        let core = self.config.core(call.signal.clone()).map_err(js_err)?;
        let cursor = match &token {
            Some(token) => core.resume(token, &call.request),
            None => core.pages(&query, &call.request),
        }
        .map_err(js_err)?;
        let traversal = ReadAhead::new(cursor, call.read_ahead);
        let shared = CursorShared {
            core: Rc::new(core),
            signal: call.signal,
            cursor: RefCell::new(Some(traversal)),
        };
        Ok(RawCursor { shared: Rc::new(shared) })
    }
}

/// What a `list`, `next` or `get` call asks for, its JS arguments read.
enum Target {
    /// `list(query)`: the query string.
    List(String),
    /// `next(page)`: the page's `nextLink`, `None` after the last page.
    Next(Option<String>),
    /// `get(id)`: the id, and whether its JS string was well-formed UTF-16.
    Get { id: String, well_formed: bool },
    /// `update(target, changes)`: the id, the checked patch and the `If-Match` to send.
    Update { id: String, patch: Patch, if_match: Option<String> },
}

/// What a call got: a page (built by [`JsPage::into_object`]), a referral, or nothing.
enum Outcome {
    Page(JsPage),
    Item(JsValue),
    Nothing,
}

impl RawClient {
    /// The promise of a `list`, `next` or `get` call, rejected at once with the error of
    /// reading its arguments: one future for the three (and for the traversals' pages, via
    /// [`Client::fetch`]) instead of one per method.
    fn call(&self, read: Result<(Target, JsValue), JsValue>) -> Promise {
        match read.and_then(|(target, opts)| Ok((target, CallOptions::from_js(&opts)?))) {
            Ok((target, call)) => promise(Box::pin(run(Rc::clone(&self.config), call, target))),
            Err(error) => Promise::reject(&error),
        }
    }
}

/// Runs a call: its request is prepared (ids, links and the correlation id checked) and sent
/// once the signal has been seen not to be aborted, all raced against the signal.
async fn run(config: Rc<Config>, call: CallOptions, target: Target) -> Result<JsValue, JsValue> {
    let core = config.core(call.signal.clone()).map_err(js_err)?;
    let outcome = with_signal(call.signal.as_ref(), async {
        let work = async {
            let request = match target {
                Target::List(query) => core.list_request(&query, &call.request)?,
                Target::Next(None) => return Ok(Outcome::Nothing),
                Target::Next(Some(link)) => core.link_request(&link, &call.request)?,
                Target::Get { id, well_formed: false } => {
                    let reason = "it contains a lone surrogate, which cannot be sent";
                    return Err(Error::InvalidId { id: id.chars().take(256).collect(), reason });
                }
                Target::Get { id, well_formed: true } => {
                    let request = core.item_request(&id, &call.request)?;
                    return core.fetch_item(request, &id).await.map(Outcome::Item);
                }
                Target::Update { id, patch, if_match } => {
                    let request =
                        core.update_request(&id, patch, if_match.as_deref(), &call.request)?;
                    return core.send_update(request).await.map(Outcome::Item);
                }
            };
            core.fetch(request).await.map(|fetched| Outcome::Page(fetched.into_page()))
        };
        work.await.map_err(|e| client_error(e, &core))
    })
    .await?;
    match outcome {
        Outcome::Page(page) => page.into_object(),
        Outcome::Item(item) => Ok(item),
        Outcome::Nothing => Ok(JsValue::UNDEFINED),
    }
}

/// One traversal (`all()`/`byPage()`): one correlation id, one page per `next()`, and the
/// next page read ahead (unless `readAhead: false`) by a [`Task`] that is dropped with the
/// cursor (`free()`, after `return()`/`break`) or ends when the signal aborts.
#[wasm_bindgen(skip_typescript)]
#[derive(Debug)]
pub struct RawCursor {
    shared: Rc<CursorShared>,
}

/// The read-ahead of a traversal: the page's request and its check, run apart from `next()`;
/// `None` when the signal aborted (the handle then never completes: every later `next()`
/// rejects with the signal's reason before it looks).
type Ahead = Task<CoreResult<Fetched<JsPage>>>;

#[derive(Debug)]
struct CursorShared {
    core: Rc<Core>,
    signal: Option<Signal>,
    /// `None` while a `next()` is running (see [`Lease`]).
    cursor: RefCell<Option<ReadAhead<Ahead>>>,
}

#[wasm_bindgen]
impl RawCursor {
    /// `next()` → `Promise<ReferralPage | undefined>`: the traversal's next page, `undefined`
    /// after the last. A failed or aborted call leaves the cursor where it was. The page is
    /// built (`JSON.parse`) after the next page's request has been sent.
    pub fn next(&self) -> Promise {
        let shared = Rc::clone(&self.shared);
        promise(Box::pin(async move {
            let mut lease = Lease::take(&shared).ok_or_else(|| {
                JsValue::from(js_sys::Error::new(
                    "a page of this traversal is already being fetched; await it first",
                ))
            })?;
            let start = |request| {
                let core = Rc::clone(&shared.core);
                let signal = shared.signal.clone();
                Task::spawn(async move {
                    with_signal(signal.as_ref(), async { Ok(core.fetch(request).await) }).await.ok()
                })
            };
            let page = with_signal(shared.signal.as_ref(), async {
                match lease.cursor.as_mut() {
                    Some(traversal) => traversal
                        .next_page(&shared.core, start)
                        .await
                        .map_err(|e| client_error(e, &shared.core)),
                    None => Ok(None),
                }
            })
            .await?;
            let reading_ahead = lease.cursor.as_ref().is_some_and(ReadAhead::is_reading_ahead);
            drop(lease);
            if reading_ahead {
                // The next page's request leaves before this page is built (see the function).
                // Raced like every other wait: an abort now rejects instead of delivering.
                with_signal(shared.signal.as_ref(), async {
                    yield_to_event_loop().await;
                    Ok(())
                })
                .await?;
            }
            page.map_or(Ok(JsValue::UNDEFINED), JsPage::into_object)
        }))
    }
}

/// The traversal taken out of its slot for one `next()`; put back on drop, also when the
/// call is aborted (the core changes a traversal only after its last await, so an aborted
/// call puts it back unchanged).
struct Lease {
    shared: Rc<CursorShared>,
    cursor: Option<ReadAhead<Ahead>>,
}

impl Lease {
    fn take(shared: &Rc<CursorShared>) -> Option<Lease> {
        let cursor = shared.cursor.try_borrow_mut().ok()?.take()?;
        Some(Lease { shared: Rc::clone(shared), cursor: Some(cursor) })
    }
}

impl Drop for Lease {
    fn drop(&mut self) {
        if let (Some(cursor), Ok(mut slot)) =
            (self.cursor.take(), self.shared.cursor.try_borrow_mut())
        {
            *slot = Some(cursor);
        }
    }
}

/// `signal` and `correlationId` of a call (and `readAhead` of `all()`).
#[derive(Debug)]
struct CallOptions {
    signal: Option<Signal>,
    request: RequestOptions,
    read_ahead: bool,
}

impl CallOptions {
    fn from_js(opts: &JsValue) -> Result<CallOptions, JsValue> {
        Self::from_js_known(opts, &["signal", "correlationId"])
    }

    /// The options of a call that accepts the `known` ones.
    fn from_js_known(opts: &JsValue, known: &[&str]) -> Result<CallOptions, JsValue> {
        let mut out =
            CallOptions { signal: None, request: RequestOptions::default(), read_ahead: true };
        let Some(opts) = options_object(opts, "request options", known)? else {
            return Ok(out);
        };
        if known.contains(&"readAhead") {
            if let Some(read_ahead) = get(&opts, "readAhead")? {
                out.read_ahead = read_ahead
                    .as_bool()
                    .ok_or_else(|| type_error("all: opts.readAhead must be a boolean"))?;
            }
        }
        if let Some(signal) = get(&opts, "signal")? {
            out.signal = Some(
                Signal::from_js(&signal)
                    .ok_or_else(|| type_error("opts.signal must be an AbortSignal"))?,
            );
        }
        if let Some(id) = get(&opts, "correlationId")? {
            out.request.correlation_id = Some(
                id.as_string().ok_or_else(|| type_error("opts.correlationId must be a string"))?,
            );
        }
        Ok(out)
    }
}

/// The query string of a `ReferralQuery` (`undefined` = all referrals), its `extraFields`
/// merged over the client's.
fn query_string(query: &JsValue, what: &str, extra: &ExtraFields) -> Result<String, JsValue> {
    super::query::query_string(query, what, extra)
}

/// `page.nextLink` of a page handed back to `next()`.
fn next_link_of(page: &JsValue) -> Result<Option<String>, JsValue> {
    if !page.is_object() {
        return Err(type_error("next: page must be a ReferralPage (what list or next returned)"));
    }
    let link = Reflect::get(page, &JsValue::from_str("nextLink"))?;
    if link.is_null_or_undefined() {
        return Ok(None);
    }
    link.as_string().map(Some).ok_or_else(|| type_error("next: page.nextLink must be a string"))
}

/// `future_to_promise` of a boxed future: one copy of js_sys's promise glue for every call
/// instead of one per future type (about 1 KiB of wasm each).
fn promise(work: Pin<Box<dyn Future<Output = Result<JsValue, JsValue>>>>) -> Promise {
    future_to_promise(work)
}

/// The JS error of a failed call: the `ODataError`, and for a `TokenError` whose `getToken`
/// threw, what it threw as the non-enumerable `cause` (as `new Error(message, { cause })`
/// sets it: `JSON.stringify` leaves it out), scrubbed of the tokens this client has used.
fn client_error(error: Error, core: &Core) -> JsValue {
    let js = to_js(&error);
    if error.code() == ErrorCode::TokenError {
        if let Some(cause) = core.token_source().take_thrown() {
            let cause = scrub(cause, core.used_tokens());
            let descriptor = Object::new();
            for (key, value) in [
                ("value", cause),
                ("writable", JsValue::TRUE),
                ("configurable", JsValue::TRUE),
                ("enumerable", JsValue::FALSE),
            ] {
                let _ = Reflect::set(&descriptor, &JsValue::from_str(key), &value);
            }
            let target: &Object = js.unchecked_ref();
            let _ = Reflect::define_property(target, &JsValue::from_str("cause"), &descriptor);
        }
    }
    js
}

/// The decoder of the JS client: the core validates, `JSON.parse` builds (see module docs),
/// from the JS string that the transport read (its [`BodySlot`]) when it has it.
#[derive(Debug, Clone, Default)]
pub struct JsDecoder {
    body: BodySlot,
}

impl JsDecoder {
    /// The body as a JS string: the transport's own when it kept it (the core decodes the
    /// response the transport read last), else a copy of `body`.
    fn js_body(&self, body: &str) -> JsValue {
        self.body.take().unwrap_or_else(|| JsValue::from_str(body))
    }
}

/// A page that passed validation, as the JS string it arrived as (built by
/// [`JsPage::into_object`] when it is handed out: after the next page's request was sent),
/// with its `nextLink` for the core.
#[derive(Debug)]
pub struct JsPage {
    body: JsValue,
    next_link: Option<String>,
}

impl JsPage {
    /// The page as JS gets it: `JSON.parse` of the body, `@odata.*` renamed (see
    /// `page_object`). Cannot fail for a body the validator accepted.
    fn into_object(self) -> Result<JsValue, JsValue> {
        page_object(&self.body)
    }
}

impl Decoder for JsDecoder {
    type Page = JsPage;
    type Item = JsValue;

    fn decode_page(&self, body: &str) -> CoreResult<JsPage> {
        let js = self.js_body(body);
        let next_link = validate_referral_page_next_link(body)?;
        Ok(JsPage { body: js, next_link })
    }

    fn decode_item(&self, body: &str) -> CoreResult<JsValue> {
        let js = self.js_body(body);
        validate_referral(body)?;
        json_parse(&js).map_err(|_| not_json())
    }

    fn next_link<'p>(&self, page: &'p JsPage) -> Option<&'p str> {
        page.next_link.as_deref()
    }

    fn item_id(&self, item: &JsValue) -> Option<String> {
        Reflect::get(item, &JsValue::from_str("id")).ok()?.as_string()
    }
}

fn not_json() -> Error {
    Error::Decode { path: String::new(), message: "the response is not JSON".into() }
}
