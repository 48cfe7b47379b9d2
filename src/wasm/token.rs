//! The JS `getToken({ forceRefresh })` as the core's `TokenSource`.
//!
//! `getToken` may return a string or a promise (any thenable) of one. What it throws or
//! rejects with never goes into a message: a `TokenError` says only what kind of thing went
//! wrong ("`getToken` threw an InteractionRequiredAuthError"), and a thrown object (an
//! `Error`) becomes the error's non-enumerable `cause` (MSAL users branch on it), so neither
//! `String(err)`, `err.stack` nor `JSON.stringify(err)` can carry a token from it. A thrown
//! primitive (a string might be a token) is dropped.

use std::cell::RefCell;

use js_sys::futures::JsFuture;
use js_sys::{Function, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::client::TokenSource;

#[wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_namespace = Promise, js_name = resolve)]
    fn promise_resolve(value: &JsValue) -> js_sys::Promise;
}

/// Calls the JS `getToken` and remembers the last value it threw, for the error's `cause`.
#[derive(Debug)]
pub struct JsTokenSource {
    get_token: Function,
    thrown: RefCell<Option<JsValue>>,
}

impl JsTokenSource {
    /// A token source over `getToken`.
    pub fn new(get_token: Function) -> JsTokenSource {
        JsTokenSource { get_token, thrown: RefCell::new(None) }
    }

    /// What `getToken` last threw or rejected with, taken out.
    pub fn take_thrown(&self) -> Option<JsValue> {
        self.thrown.try_borrow_mut().ok().and_then(|mut slot| slot.take())
    }

    /// The message for a throw or rejection. An object (an `Error`) is kept for the `cause`;
    /// a primitive is dropped: a thrown string might be a token, and has nothing to branch on.
    fn failed(&self, thrown: JsValue, verb: &str) -> String {
        let kind = kind_of(&thrown);
        if !(thrown.is_object() || thrown.is_function()) {
            return format!("`getToken` {verb} {kind}");
        }
        if let Ok(mut slot) = self.thrown.try_borrow_mut() {
            *slot = Some(thrown);
        }
        format!("`getToken` {verb} {kind}; see the error's `cause`")
    }
}

impl TokenSource for JsTokenSource {
    async fn token(&self, force_refresh: bool) -> Result<String, String> {
        let request = Object::new();
        let _ = Reflect::set(
            &request,
            &JsValue::from_str("forceRefresh"),
            &JsValue::from_bool(force_refresh),
        );
        let returned = self
            .get_token
            .call1(&JsValue::UNDEFINED, &request)
            .map_err(|thrown| self.failed(thrown, "threw"))?;
        let value = if is_thenable(&returned) {
            JsFuture::from(promise_resolve(&returned))
                .await
                .map_err(|thrown| self.failed(thrown, "rejected with"))?
        } else {
            returned
        };
        value.as_string().ok_or_else(|| not_a_string(&value))
    }
}

fn is_thenable(value: &JsValue) -> bool {
    (value.is_object() || value.is_function())
        && Reflect::get(value, &JsValue::from_str("then")).is_ok_and(|then| then.is_function())
}

/// "`getToken` returned …, not a string", with a hint for the most likely mistake: returning
/// MSAL's `AuthenticationResult` instead of its `accessToken`. Never shows the value.
fn not_a_string(value: &JsValue) -> String {
    let has_access_token = value.is_object()
        && Reflect::get(value, &JsValue::from_str("accessToken")).is_ok_and(|t| t.is_string());
    if has_access_token {
        return "`getToken` returned an object; return its `accessToken` string".to_string();
    }
    let kind = if value.is_null() {
        "null".to_string()
    } else if value.is_undefined() {
        "undefined".to_string()
    } else {
        match value.js_typeof().as_string().as_deref() {
            Some("object") => "an object".to_string(),
            Some(other) => format!("a {other}"),
            None => "a value".to_string(),
        }
    };
    format!("`getToken` returned {kind}, not a string")
}

/// "an InteractionRequiredAuthError", "a string", "undefined": the kind of a thrown value.
/// An error's `name` is shown only when it reads like a class name (an identifier of at
/// most 64 characters ending in `Error` or `Exception`), so no token-like text gets through.
fn kind_of(thrown: &JsValue) -> String {
    if thrown.is_object() {
        let name =
            Reflect::get(thrown, &JsValue::from_str("name")).ok().and_then(|n| n.as_string());
        if let Some(name) = name.filter(|n| is_error_name(n)) {
            let article = if name.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
            return format!("{article} {name}");
        }
        return "an object".to_string();
    }
    if thrown.is_null() {
        return "null".to_string();
    }
    if thrown.is_undefined() {
        return "undefined".to_string();
    }
    match thrown.js_typeof().as_string().as_deref() {
        Some(kind) => format!("a {kind}"),
        None => "a value".to_string(),
    }
}

fn is_error_name(name: &str) -> bool {
    let b = name.as_bytes();
    !b.is_empty()
        && b.len() <= 64
        && b[0].is_ascii_alphabetic()
        && b.iter().all(|c| c.is_ascii_alphanumeric() || *c == b'_')
        && (name.ends_with("Error") || name.ends_with("Exception"))
}
