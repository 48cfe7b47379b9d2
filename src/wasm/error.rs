//! `Error` → the package's `ODataError` (a JS class extending `Error`, defined in
//! `classes.js`), with `code`, `position`/`end` (UTF-16 code units) and `path` set when they
//! apply. The class is imported from the same module the package entries re-export, so
//! `err instanceof ODataError` holds for the class users import.

use js_sys::{Object, Reflect};
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
        // Through JSON text: plain objects, and numbers as JSON.parse reads them.
        if let Ok(value) = js_sys::JSON::parse(&details.to_string()) {
            set(&props, "details", &value);
        }
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

fn set(target: &Object, key: &str, value: &JsValue) {
    // Defining a data property on a fresh plain object cannot fail; ignore the Result rather
    // than panic across the boundary.
    let _ = Reflect::set(target, &JsValue::from_str(key), value);
}
