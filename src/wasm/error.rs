//! `Error` → the package's `ODataError` (a JS class extending `Error`, defined in
//! `classes.js`), with `code`, `position`/`end` (UTF-16 code units) and `path` set when they
//! apply. The class is imported from the same module the package entries re-export, so
//! `err instanceof ODataError` holds for the class users import.

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::error::{Error, ErrorCode};

#[wasm_bindgen(module = "/src/wasm/classes.js")]
extern "C" {
    /// The package's `ODataError` class (`extends Error`).
    #[wasm_bindgen(extends = js_sys::Error)]
    #[derive(Debug, Clone)]
    pub type ODataError;

    #[wasm_bindgen(constructor)]
    fn new(code: &str, message: &str, props: &Object) -> ODataError;

    /// The stable code, e.g. `"InvalidFilter"`.
    #[wasm_bindgen(method, getter)]
    pub fn code(this: &ODataError) -> String;

    /// First offending UTF-16 code unit of the filter text, for filter errors.
    #[wasm_bindgen(method, getter)]
    pub fn position(this: &ODataError) -> Option<f64>;

    /// One past the last offending UTF-16 code unit, for filter errors.
    #[wasm_bindgen(method, getter)]
    pub fn end(this: &ODataError) -> Option<f64>;

    /// JSON pointer of the offending value, for decode errors.
    #[wasm_bindgen(method, getter)]
    pub fn path(this: &ODataError) -> Option<String>;
}

/// Builds the JS `ODataError` for a core [`Error`]: `code`, `message`, and each of
/// `position`/`end` (filters), `path` (decoding), `status`, `requestId`, `correlationId`,
/// `clientRequestId`, `retryAfterMs`, `details`, `serverCode` (HTTP) that applies.
pub fn to_js(err: &Error) -> JsValue {
    let props = Object::new();
    if let Some(span) = err.span() {
        set(&props, "position", &JsValue::from(span.start));
        set(&props, "end", &JsValue::from(span.end));
    }
    if let Some(path) = err.path() {
        set(&props, "path", &JsValue::from_str(path));
    }
    if let Some(status) = err.status() {
        set(&props, "status", &JsValue::from(status));
    }
    if let Some(id) = err.request_id() {
        set(&props, "requestId", &JsValue::from_str(id));
    }
    if let Some(id) = err.correlation_id() {
        set(&props, "correlationId", &JsValue::from_str(id));
    }
    if let Some(context) = err.http_context().filter(|c| !c.client_request_id.is_empty()) {
        set(&props, "clientRequestId", &JsValue::from_str(&context.client_request_id));
    }
    if let Some(ms) = err.retry_after_ms() {
        // The core caps it at 2^53 - 1, so the f64 is exact.
        set(&props, "retryAfterMs", &JsValue::from(ms as f64));
    }
    if let Some(details) = err.details() {
        set(&props, "details", &json_to_js(details, 0));
    }
    if let Some(code) = err.server_code() {
        set(&props, "serverCode", &JsValue::from_str(code));
    }
    ODataError::new(err.code().as_str(), &err.to_string(), &props).into()
}

/// An `ODataError` made at the boundary itself (a JS value that the core never sees), e.g. an
/// object interpolated into a filter template.
pub fn boundary(code: ErrorCode, message: &str) -> JsValue {
    ODataError::new(code.as_str(), message, &Object::new()).into()
}

/// A `TypeError` for an argument of the wrong JavaScript type (the JS convention for misuse,
/// as opposed to invalid content, which is an `ODataError`).
pub fn type_error(message: &str) -> JsValue {
    js_sys::TypeError::new(message).into()
}

/// How deep [`json_to_js`] goes; deeper values become `null`. Details come from the crate's
/// JSON reader (`crate::json`, serde_json's limits), which stops at 128 levels, so this is
/// never reached.
const MAX_JSON_DEPTH: usize = 256;

/// What `JSON.parse` makes of the JSON text of `value`, built directly (no text, so the wasm
/// needs no JSON serialiser): plain objects and arrays, keys in the same (sorted) order, every
/// key an own data property (`__proto__` too, through `Object.fromEntries`), numbers as the
/// nearest `f64` (as `JSON.parse` rounds integer text beyond 2^53).
fn json_to_js(value: &serde_json::Value, depth: usize) -> JsValue {
    use serde_json::Value;
    if depth > MAX_JSON_DEPTH {
        return JsValue::NULL;
    }
    match value {
        Value::Null => JsValue::NULL,
        Value::Bool(b) => JsValue::from_bool(*b),
        Value::Number(n) => n.as_f64().map_or(JsValue::NULL, JsValue::from_f64),
        Value::String(s) => JsValue::from_str(s),
        Value::Array(items) => {
            items.iter().map(|item| json_to_js(item, depth + 1)).collect::<Array>().into()
        }
        Value::Object(map) => {
            let entries: Array = map
                .iter()
                .map(|(k, v)| Array::of2(&JsValue::from_str(k), &json_to_js(v, depth + 1)))
                .collect();
            Object::from_entries(&entries).map_or(JsValue::NULL, JsValue::from)
        }
    }
}

fn set(target: &Object, key: &str, value: &JsValue) {
    // Defining a data property on a fresh plain object cannot fail; ignore the Result rather
    // than panic across the boundary.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
