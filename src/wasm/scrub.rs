//! The one redaction the core cannot do: what `getToken` threw, kept as a `TokenError`'s
//! `cause`. The core removes tokens from everything it builds (`client::redact`); a thrown
//! `Error` is a JS object the core never sees, and its `message`, `stack` or any other
//! string may quote a token the client used before (MSAL's errors carry the request's
//! details). Such a cause is replaced by a copy with the same prototype (so `instanceof` and
//! the error's class still work) whose strings are scrubbed with the client's tokens; a cause
//! without a token is kept as it is (the same object).

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use crate::client::UsedTokens;

/// How deep nested objects of a cause are looked into.
const MAX_DEPTH: usize = 4;

/// `value` without the tokens of `used`: itself when it has none, else a scrubbed copy.
pub fn scrub(value: JsValue, used: &UsedTokens) -> JsValue {
    let tokens = used.snapshot();
    if tokens.is_empty() {
        return value;
    }
    scrubbed(&value, &tokens, 0).unwrap_or(value)
}

/// `Some(copy)` when `value` (a string, or an object's own strings down to [`MAX_DEPTH`])
/// held a token; `None` when it is clean or cannot be read (a proxy that throws keeps its
/// secrets from `String(err)` as well).
fn scrubbed(value: &JsValue, tokens: &[String], depth: usize) -> Option<JsValue> {
    if let Some(text) = value.as_string() {
        return match crate::client::redact_text(&text, tokens) {
            std::borrow::Cow::Borrowed(_) => None,
            std::borrow::Cow::Owned(clean) => Some(JsValue::from_str(&clean)),
        };
    }
    if !value.is_object() || depth >= MAX_DEPTH {
        return None;
    }
    let object: &Object = value.unchecked_ref();
    let keys: Array = Reflect::own_keys(value).ok()?;
    let mut changed: Vec<(JsValue, Object)> = Vec::new();
    for key in keys.iter() {
        let descriptor = Reflect::get_own_property_descriptor(object, &key).ok()?;
        if descriptor.is_undefined() {
            continue;
        }
        let has = |name: &str| Reflect::has(&descriptor, &JsValue::from_str(name)).unwrap_or(false);
        // V8 gives errors an own `stack` accessor: read it through the object.
        let current = if has("value") {
            Reflect::get(&descriptor, &JsValue::from_str("value")).ok()?
        } else if key.as_string().as_deref() == Some("stack") {
            Reflect::get(value, &key).ok()?
        } else {
            continue;
        };
        if let Some(clean) = scrubbed(&current, tokens, depth + 1) {
            let enumerable = Reflect::get(&descriptor, &JsValue::from_str("enumerable")).ok()?;
            let data = Object::new();
            for (name, v) in [
                ("value", clean),
                ("writable", JsValue::TRUE),
                ("configurable", JsValue::TRUE),
                ("enumerable", JsValue::from_bool(enumerable.is_truthy())),
            ] {
                Reflect::set(&data, &JsValue::from_str(name), &v).ok()?;
            }
            changed.push((key, data));
        }
    }
    if changed.is_empty() {
        return None;
    }
    let copy = || -> Option<JsValue> {
        let prototype = Reflect::get_prototype_of(value).ok()?;
        let copy = Object::create(&prototype);
        for key in keys.iter() {
            let descriptor = match changed.iter().find(|(k, _)| Object::is(k, &key)) {
                Some((_, data)) => data.clone(),
                None => Reflect::get_own_property_descriptor(object, &key).ok()?.dyn_into().ok()?,
            };
            Reflect::define_property(&copy, &key, &descriptor).ok()?;
        }
        Some(copy.into())
    };
    // It held a token: if it cannot be copied, nothing of it is kept.
    Some(copy().unwrap_or_else(|| js_sys::Error::new(crate::client::REDACTED).into()))
}
