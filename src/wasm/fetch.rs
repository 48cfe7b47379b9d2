//! The platform's side of the client: [`FetchTransport`] (the one place that calls `fetch`),
//! [`Timer`] over `setTimeout`, the clock (`Date.now()`) and [`CryptoEntropy`]
//! (`crypto.getRandomValues`).
//!
//! Every JS global is bound directly, gloo style (`#[wasm_bindgen(js_name = fetch, catch)]`),
//! never through `window`: the same code runs in browsers, dedicated workers, extension
//! service workers and Node ≥ 20. Every JS resource is released by `Drop`: a dropped request
//! aborts its `fetch`, a dropped [`Timer`] clears its timeout, so dropping the client's
//! future (an aborted signal, see `signal.rs`) leaves nothing running.

use std::cell::{Cell, RefCell};
use std::future::Future;
use std::pin::Pin;
use std::rc::Rc;
use std::task::{Context, Poll};
use std::time::Duration;

use js_sys::futures::JsFuture;
use js_sys::{Array, Function, Object, Promise, Reflect, Uint8Array};
use wasm_bindgen::prelude::*;

use super::signal::{race, Signal};
use super::wake::WakeFlag;
use crate::client::{body_limit, Entropy, HttpRequest, HttpResponse, Transport, TransportFailure};

#[wasm_bindgen(module = "/src/wasm/body.js")]
extern "C" {
    /// The body as text, or the bytes counted when it is over `limit` (see `body.js`).
    #[wasm_bindgen(js_name = readBody, catch)]
    fn read_body(response: &JsValue, limit: f64, signal: &JsValue) -> Result<Promise, JsValue>;
}

#[wasm_bindgen]
extern "C" {
    /// The global `fetch(url, init)`.
    #[wasm_bindgen(js_name = fetch, catch)]
    fn global_fetch(url: &str, init: &Object) -> Result<JsValue, JsValue>;

    /// The global `setTimeout` (in Node it returns an object, in browsers a number).
    #[wasm_bindgen(js_name = setTimeout, catch)]
    fn set_timeout(handler: &Function, ms: i32) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_name = clearTimeout, catch)]
    fn clear_timeout(handle: &JsValue) -> Result<(), JsValue>;

    #[wasm_bindgen(js_namespace = crypto, js_name = getRandomValues, catch)]
    fn get_random_values(array: &Uint8Array) -> Result<JsValue, JsValue>;

    #[wasm_bindgen(js_namespace = Promise, js_name = resolve)]
    fn promise_resolve(value: &JsValue) -> Promise;

    type AbortController;

    #[wasm_bindgen(constructor, catch)]
    fn new() -> Result<AbortController, JsValue>;

    #[wasm_bindgen(method, getter)]
    fn signal(this: &AbortController) -> JsValue;

    #[wasm_bindgen(method, catch)]
    fn abort(this: &AbortController, reason: &JsValue) -> Result<(), JsValue>;

    type DomException;

    #[wasm_bindgen(constructor, js_class = DOMException, catch)]
    fn new(message: &str, name: &str) -> Result<DomException, JsValue>;
}

/// Whether a global `fetch` function exists (checked when a client without `options.fetch`
/// is made, so that a missing `fetch` is a constructor error, not a network error later).
pub fn has_global_fetch() -> bool {
    Reflect::get(&js_sys::global(), &JsValue::from_str("fetch")).is_ok_and(|f| f.is_function())
}

/// Sends requests with `fetch`, one `AbortController` per attempt.
///
/// The attempt's controller is aborted when the attempt is dropped before it finished (the
/// caller's signal aborted: with the signal's reason) or when the per-attempt time-out fires
/// (with a `TimeoutError` `DOMException`), so neither the request nor its body read keeps
/// running.
#[derive(Debug, Clone)]
pub struct FetchTransport {
    /// The injected `fetch`; `None` = the global one (looked up on every send, so a `fetch`
    /// patched after the client was made, e.g. by a test library, is used).
    pub fetch: Option<Function>,
    /// A time-out of the exchange alone (the client's `timeoutMs` covers the token too and
    /// is enforced by the core); `None` = none.
    pub timeout_ms: Option<u32>,
    /// The limit of a 2xx body (`maxResponseBytes`); error bodies get
    /// [`crate::client::MAX_ERROR_BODY_BYTES`] ([`body_limit`]).
    pub max_response_bytes: u64,
    /// The caller's signal, whose reason the attempt's controller is aborted with.
    pub signal: Option<Signal>,
    /// Where the last response's body is kept as the JS string `body.js` made of it.
    pub body: BodySlot,
    /// Set by the client when its time-out ends the running attempt
    /// ([`Transport::attempt_timed_out`]): the attempt is then aborted with a `TimeoutError`.
    pub timed_out: Rc<Cell<bool>>,
}

/// The JS string of the body of the last response a [`FetchTransport`] read (cleared when
/// it sends the next request), shared with the client's decoder: it hands out
/// `JSON.parse` of that very string, so the text is not copied back out of wasm memory and
/// decoded a second time. The core, which knows nothing of JS, still gets the body as text.
#[derive(Debug, Clone, Default)]
pub struct BodySlot(Rc<RefCell<Option<JsValue>>>);

impl BodySlot {
    /// The body of the last response, taken out of the slot.
    pub fn take(&self) -> Option<JsValue> {
        self.0.try_borrow_mut().ok()?.take()
    }

    fn put(&self, body: Option<JsValue>) {
        if let Ok(mut slot) = self.0.try_borrow_mut() {
            *slot = body;
        }
    }
}

impl Transport for FetchTransport {
    async fn send(&self, request: &HttpRequest) -> Result<HttpResponse, TransportFailure> {
        self.body.put(None);
        self.timed_out.set(false);
        let mut attempt = Attempt::new(self.signal.clone(), Rc::clone(&self.timed_out));
        let init = request_init(request, attempt.controller.as_ref());
        let called = match &self.fetch {
            Some(fetch) => fetch.call2(&js_sys::global(), &JsValue::from_str(&request.url), &init),
            None => global_fetch(&request.url, &init),
        };
        let promise = match called {
            Ok(value) => promise_resolve(&value),
            Err(error) => {
                attempt.finished();
                return Err(TransportFailure::Network(describe_failure(&error)));
            }
        };
        let signal = attempt.controller.as_ref().map_or(JsValue::UNDEFINED, |c| c.signal());
        let exchange = async {
            let response = JsFuture::from(promise)
                .await
                .map_err(|e| TransportFailure::Network(describe_failure(&e)))?;
            read_response(response, self.max_response_bytes, &signal, &self.body).await
        };
        let result = match self.timeout_ms {
            None => exchange.await,
            Some(ms) => {
                let timer = Timer::new(Duration::from_millis(ms.into()));
                race(exchange, async {
                    timer.await;
                    Err(TransportFailure::Timeout)
                })
                .await
            }
        };
        match result {
            Err(TransportFailure::Timeout) => attempt.timed_out(),
            // Left running: dropping the attempt aborts it, so the connection of a body that
            // was cut off is closed rather than drained.
            Err(TransportFailure::TooLarge { .. }) => {}
            _ => attempt.finished(),
        }
        result
    }

    async fn sleep(&self, duration: Duration) {
        Timer::new(duration).await
    }

    fn now_unix_millis(&self) -> i64 {
        js_sys::Date::now() as i64
    }

    fn attempt_timed_out(&self) {
        self.timed_out.set(true);
    }
}

/// The `init` of `fetch(url, init)`: method, headers as a plain object (in the order the
/// core gives them), the body of a write, `redirect: "manual"` (the core treats any 3xx, and
/// the opaque redirect a browser reports as status 0, as final: a redirect never carries the
/// token elsewhere), and the attempt's signal.
fn request_init(request: &HttpRequest, controller: Option<&AbortController>) -> Object {
    let init = Object::new();
    let headers = Object::new();
    for (name, value) in &request.headers {
        set(&headers, name, &JsValue::from_str(value));
    }
    set(&init, "method", &JsValue::from_str(request.method));
    set(&init, "headers", &headers);
    if let Some(body) = &request.body {
        set(&init, "body", &JsValue::from_str(body));
    }
    set(&init, "redirect", &JsValue::from_str("manual"));
    if let Some(controller) = controller {
        set(&init, "signal", &controller.signal());
    }
    init
}

/// A response as the core sees it: `status`, the headers (an iterable of `[name, value]`, as
/// `Headers` is), and the body read within its limit ([`body_limit`] of the status, `body.js`;
/// its JS string also kept in `slot`). Anything else than a `Response`-like object is a
/// network failure (a broken injected `fetch`).
///
/// Every body a request gets is read here, whatever the method: the one place of the limits.
async fn read_response(
    response: JsValue,
    max_response_bytes: u64,
    signal: &JsValue,
    slot: &BodySlot,
) -> Result<HttpResponse, TransportFailure> {
    let not_a_response = || {
        TransportFailure::Network(format!(
            "`fetch` resolved to {}, not a Response",
            describe_type(&response)
        ))
    };
    if !response.is_object() {
        return Err(not_a_response());
    }
    let status = Reflect::get(&response, &JsValue::from_str("status"))
        .ok()
        .and_then(|s| s.as_f64())
        .filter(|s| s.fract() == 0.0 && (0.0..=999.0).contains(s))
        .ok_or_else(not_a_response)?;
    let headers = read_headers(&response);
    let has_text =
        Reflect::get(&response, &JsValue::from_str("text")).is_ok_and(|f| f.is_function());
    let has_body = Reflect::get(&response, &JsValue::from_str("body")).is_ok_and(|b| b.is_object());
    if !has_text && !has_body {
        return Err(not_a_response());
    }
    let status = status as u16;
    let limit = body_limit(status, max_response_bytes);
    let reading = read_body(&response, limit as f64, signal)
        .map_err(|e| TransportFailure::Network(describe_failure(&e)))?;
    let body = JsFuture::from(reading)
        .await
        .map_err(|e| TransportFailure::Network(describe_failure(&e)))?;
    if body.as_f64().is_some() {
        return Err(TransportFailure::TooLarge { status, headers, limit });
    }
    let text = body
        .as_string()
        .ok_or_else(|| TransportFailure::Network("the response body is not text".to_string()))?;
    slot.put(Some(body));
    let body = text;
    Ok(HttpResponse { status, headers, body })
}

fn read_headers(response: &JsValue) -> Vec<(String, String)> {
    let mut out = Vec::new();
    let Ok(headers) = Reflect::get(response, &JsValue::from_str("headers")) else {
        return out;
    };
    let Ok(Some(entries)) = js_sys::try_iter(&headers) else {
        return out;
    };
    for entry in entries.flatten() {
        if !Array::is_array(&entry) {
            continue;
        }
        let pair: &Array = entry.unchecked_ref();
        if let (Some(name), Some(value)) = (pair.get(0).as_string(), pair.get(1).as_string()) {
            out.push((name, value));
        }
    }
    out
}

/// One attempt's `AbortController`, aborted on drop unless the attempt finished.
struct Attempt {
    controller: Option<AbortController>,
    caller: Option<Signal>,
    state: AttemptState,
    /// The client's time-out ended the attempt ([`FetchTransport::timed_out`]).
    client_timed_out: Rc<Cell<bool>>,
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum AttemptState {
    Running,
    Finished,
    TimedOut,
}

impl Attempt {
    fn new(caller: Option<Signal>, client_timed_out: Rc<Cell<bool>>) -> Attempt {
        // No AbortController (a very old runtime): requests cannot be aborted, but the client
        // still stops waiting for them.
        let controller = AbortController::new().ok();
        Attempt { controller, caller, state: AttemptState::Running, client_timed_out }
    }

    fn finished(&mut self) {
        self.state = AttemptState::Finished;
    }

    fn timed_out(&mut self) {
        self.state = AttemptState::TimedOut;
    }
}

impl Drop for Attempt {
    fn drop(&mut self) {
        let Some(controller) = &self.controller else { return };
        let reason = match self.state {
            AttemptState::Finished => return,
            AttemptState::TimedOut => dom_exception("the attempt timed out", "TimeoutError"),
            AttemptState::Running => match &self.caller {
                Some(signal) if signal.aborted() => signal.reason(),
                _ if self.client_timed_out.get() => {
                    dom_exception("the attempt timed out", "TimeoutError")
                }
                _ => dom_exception("the request was cancelled", "AbortError"),
            },
        };
        let _ = controller.abort(&reason);
    }
}

fn dom_exception(message: &str, name: &str) -> JsValue {
    DomException::new(message, name).map(JsValue::from).unwrap_or(JsValue::UNDEFINED)
}

/// What a rejected `fetch` (or a throwing `text()`) says, for `NetworkError`'s message:
/// `name: message`, plus the `cause`'s message when there is one (Node's `fetch failed` hides
/// the reason, e.g. `connect ECONNREFUSED`, in its cause). At most 512 characters.
fn describe_failure(error: &JsValue) -> String {
    let text = if let Some(text) = error.as_string() {
        text
    } else if let Some(error) = error.dyn_ref::<js_sys::Error>() {
        let mut text = format!("{}: {}", String::from(error.name()), String::from(error.message()));
        let cause = error.cause();
        if let Some(cause) = cause.dyn_ref::<js_sys::Error>() {
            text.push_str(&format!(" ({})", String::from(cause.message())));
        }
        text
    } else {
        format!("`fetch` failed with {}", describe_type(error))
    };
    text.chars().take(512).collect()
}

fn describe_type(value: &JsValue) -> String {
    if value.is_null() {
        "null".into()
    } else if Array::is_array(value) {
        "an array".into()
    } else {
        match value.js_typeof().as_string().as_deref() {
            Some("object") => "an object".into(),
            Some("undefined") => "undefined".into(),
            Some(other) => format!("a {other}"),
            None => "a value".into(),
        }
    }
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Setting a data property on a fresh plain object cannot fail.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}

/// A `setTimeout` as a future: ready once the time has passed; cleared when dropped early.
#[must_use = "a timer is cleared when dropped: await it"]
#[derive(Debug)]
pub struct Timer {
    fired: WakeFlag,
    handle: Option<JsValue>,
    /// Kept alive while the timeout is pending; dropped after `clearTimeout`.
    callback: Option<Closure<dyn FnMut()>>,
}

impl Timer {
    /// The longest delay `setTimeout` honours (2^31 − 1 ms, about 24.8 days); longer delays
    /// fire at once in browsers and Node, so they are capped to this.
    pub const MAX_MS: u32 = i32::MAX as u32;

    /// Starts a timer of `duration` (whole milliseconds, capped at [`Timer::MAX_MS`]).
    pub fn new(duration: Duration) -> Timer {
        let fired = WakeFlag::default();
        let callback = fired.callback();
        let ms = duration.as_millis().min(u128::from(Timer::MAX_MS)) as i32;
        let handle = set_timeout(callback.as_ref().unchecked_ref(), ms).ok();
        if handle.is_none() {
            // No setTimeout: the wait is over at once (retries stay bounded by maxRetries).
            fired.set();
        }
        Timer { fired, handle, callback: Some(callback) }
    }
}

impl Future for Timer {
    type Output = ();

    fn poll(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<()> {
        match self.fired.poll_set(cx.waker()) {
            Some(true) => Poll::Ready(()),
            Some(false) => Poll::Pending,
            None => {
                cx.waker().wake_by_ref();
                Poll::Pending
            }
        }
    }
}

impl Drop for Timer {
    fn drop(&mut self) {
        let Some(callback) = self.callback.take() else { return };
        if let (false, Some(handle)) = (self.fired.is_set(), &self.handle) {
            if clear_timeout(handle).is_err() {
                // It may still fire: leave the (small) closure to JS rather than free it.
                callback.forget();
            }
        }
    }
}

/// Randomness from `crypto.getRandomValues` (Node ≥ 20, browsers, workers), or `Math.random`
/// where there is no `crypto` (ids need not be secret, only unlikely to collide).
#[derive(Debug, Clone, Copy, Default)]
pub struct CryptoEntropy;

impl Entropy for CryptoEntropy {
    fn next_u64(&self) -> u64 {
        let array = Uint8Array::new_with_length(8);
        if get_random_values(&array).is_ok() {
            let mut bytes = [0u8; 8];
            array.copy_to(&mut bytes);
            return u64::from_le_bytes(bytes);
        }
        let half = || (js_sys::Math::random() * 4_294_967_296.0) as u64 & 0xFFFF_FFFF;
        (half() << 32) | half()
    }
}
