//! JS values → core inputs, checked: every function here returns an error instead of trusting
//! the caller's types (a panic would be a trap).

use std::borrow::Cow;

use js_sys::{Array, JsString, Object, Reflect, JSON};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use super::error::{to_js, type_error};
use crate::error::Error;
use crate::record::{JsonNode, Record, Scalar};

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

#[wasm_bindgen]
extern "C" {
    /// `JSON.parse` of a JS string, without copying the text through wasm memory.
    #[wasm_bindgen(js_namespace = JSON, js_name = parse, catch)]
    fn parse_js_string(text: &JsString) -> Result<JsValue, JsValue>;
}

/// A plain JS object (a referral) as JSON, the way `JSON.stringify` sees it (a `Date` becomes
/// its ISO string, `toJSON` is called, `undefined` and functions are left out, `NaN` is
/// `null`): `JSON.parse(JSON.stringify(value))`, done by the engine, then read by path through
/// [`JsonValue`] (so the wasm needs no JSON parser, and only the properties a filter or
/// deadline names cross the boundary). Cycles, `BigInt`s and nesting deeper than the engine's
/// stack are `JSON.stringify`'s errors, as a `TypeError`, never a trap.
pub fn json_value(value: &JsValue, what: &str) -> Result<JsonValue, JsValue> {
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return Err(type_error(&format!("{what} must be an object")));
    }
    let text: JsString = JSON::stringify(value).map_err(|e| {
        type_error(&format!("{what} cannot be read as JSON: {}", describe_error(&e)))
    })?;
    let tree = parse_js_string(&text).map_err(|e| {
        type_error(&format!("{what} cannot be read as JSON: {}", describe_error(&e)))
    })?;
    Ok(JsonValue(tree))
}

/// A value of a tree that `JSON.parse` made: `null`, a boolean, a number, a string, an array
/// or a plain object whose properties are all own data properties. Read through
/// [`crate::record::JsonNode`]; `Clone` copies the reference, not the value.
#[derive(Debug, Clone)]
pub struct JsonValue(JsValue);

impl Record for JsonValue {
    type Node<'n> = JsonValue;

    fn root(&self) -> JsonValue {
        self.clone()
    }
}

impl<'a> JsonNode<'a> for JsonValue {
    fn member(&self, key: &str) -> Option<Self> {
        // Own properties only (as JSON.stringify wrote them): `toString`, `constructor` and
        // the other `Object.prototype` names are not members. A `__proto__` key is an own
        // data property of a `JSON.parse` object, so `Reflect.get` reads it.
        if !self.0.is_object() || Array::is_array(&self.0) {
            return None;
        }
        let object = self.0.unchecked_ref::<Object>();
        let key = JsValue::from_str(key);
        if !Object::has_own(object, &key) {
            return None;
        }
        Reflect::get(object, &key).ok().map(JsonValue)
    }

    fn elements(&self) -> Vec<Self> {
        if !Array::is_array(&self.0) {
            return Vec::new();
        }
        self.0.unchecked_ref::<Array>().iter().map(JsonValue).collect()
    }

    fn scalar(&self) -> Scalar<'a> {
        let v = &self.0;
        if let Some(s) = v.as_string() {
            Scalar::String(Cow::Owned(s))
        } else if let Some(n) = v.as_f64() {
            Scalar::Number(n)
        } else if let Some(b) = v.as_bool() {
            Scalar::Bool(b)
        } else if v.is_object() {
            Scalar::Composite
        } else {
            Scalar::Null
        }
    }
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
