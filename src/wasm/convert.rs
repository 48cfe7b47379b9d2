//! JS values → core inputs, checked: every function here returns an error instead of trusting
//! the caller's types (a panic would be a trap).

use js_sys::{Array, JsString, Object, Reflect, JSON};
use serde_json::Value;
use wasm_bindgen::{JsCast, JsValue};

use super::error::{to_js, type_error};
use crate::error::Error;

/// A required string argument, else `TypeError`.
pub fn string_arg(value: &JsValue, what: &str) -> Result<String, JsValue> {
    value.as_string().ok_or_else(|| type_error(&format!("{what} must be a string")))
}

/// Property `key` of `object`, `None` when absent or `undefined`.
pub fn get(object: &JsValue, key: &str) -> Result<Option<JsValue>, JsValue> {
    let value = Reflect::get(object, &JsValue::from_str(key))?;
    Ok(if value.is_undefined() { None } else { Some(value) })
}

/// An options object: `undefined`/`null` means "no options"; anything else must be an object
/// whose own enumerable keys are all in `known`, so a misspelt option is an error, not a no-op.
pub fn options_object(
    value: &JsValue,
    what: &str,
    known: &[&str],
) -> Result<Option<JsValue>, JsValue> {
    if value.is_null_or_undefined() {
        return Ok(None);
    }
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return Err(type_error(&format!("{what} must be an object")));
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            let hint = crate::schema::suggest(&key, known.iter().copied())
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(type_error(&format!(
                "unknown {what} property `{key}`{hint}; known: {}",
                known.join(", ")
            )));
        }
    }
    Ok(Some(value.clone()))
}

/// A plain JS object (a referral) as JSON, the way `JSON.stringify` sees it (a `Date` becomes
/// its ISO string, `undefined` and functions are left out). Cycles, `BigInt`s and nesting
/// deeper than serde_json's limit of 128 are errors, never a stack overflow.
pub fn json_value(value: &JsValue, what: &str) -> Result<Value, JsValue> {
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return Err(type_error(&format!("{what} must be an object")));
    }
    let text: JsString = JSON::stringify(value).map_err(|e| {
        type_error(&format!("{what} cannot be read as JSON: {}", describe_error(&e)))
    })?;
    let text = String::from(text);
    serde_json::from_str(&text)
        .map_err(|e| type_error(&format!("{what} cannot be read as JSON: {e}")))
}

fn describe_error(e: &JsValue) -> String {
    e.dyn_ref::<js_sys::Error>()
        .map(|e| String::from(e.message()))
        .unwrap_or_else(|| "not JSON".into())
}

/// A core error as the JS exception.
pub fn js_err(err: Error) -> JsValue {
    to_js(&err)
}
