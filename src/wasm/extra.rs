//! `extraFields` at the boundary: a plain object `{ path: type }` → the core's
//! [`ExtraFields`], and the small numbers the package's JS uses to name the referral type a
//! `Filter` or a `filter.withExtraFields(...)` tag was made with.

use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::convert::js_err;
use super::error::{boundary, type_error};
use crate::error::ErrorCode;
use crate::extra_fields::{ExtraFields, FieldType, MAX_FIELDS};
use crate::schema::{ComplexType, REFERRAL};

thread_local! {
    /// The referral types handed to JS, by number (0: the documented one). Bounded: every
    /// entry is an interned schema, and the core interns at most `MAX_DECLARATION_SETS`.
    static SCHEMAS: RefCell<Vec<&'static ComplexType>> = RefCell::new(vec![&REFERRAL]);
}

/// The number JS keeps for `schema`.
pub(crate) fn schema_id(schema: &'static ComplexType) -> u32 {
    SCHEMAS.with(|cell| {
        let Ok(mut schemas) = cell.try_borrow_mut() else { return 0 };
        match schemas.iter().position(|s| std::ptr::eq(*s, schema)) {
            Some(at) => at as u32,
            None => {
                schemas.push(schema);
                (schemas.len() - 1) as u32
            }
        }
    })
}

/// The referral type numbered `id` (the documented one for a number never handed out).
pub(crate) fn schema_of(id: u32) -> &'static ComplexType {
    SCHEMAS.with(|cell| {
        cell.try_borrow().ok().and_then(|s| s.get(id as usize).copied()).unwrap_or(&REFERRAL)
    })
}

/// `compileExtraFields(extraFields)`: checks a declaration and gives the number of its
/// referral type (what `filter.withExtraFields` keeps).
///
/// # Errors
/// As [`extra_fields`].
#[wasm_bindgen(js_name = compileExtraFields, skip_typescript)]
pub fn compile_extra_fields(value: JsValue) -> Result<u32, JsValue> {
    let extra = extra_fields(&value, "extraFields")?;
    Ok(schema_id(extra.schema().map_err(js_err)?))
}

fn invalid(path: &str, message: &str) -> JsValue {
    boundary(ErrorCode::InvalidExtraFields, &format!("invalid extra field `{path}`: {message}"))
}

/// `extraFields` (`undefined`/`null`: none) as the core's declarations.
///
/// # Errors
/// `TypeError` when `value` is not a plain object; `ODataError{code:"InvalidExtraFields"}` for
/// a type that is not `"string"`, `"boolean"`, `"number"`, `"dateTimeOffset"`, `"date"`,
/// `"guid"`, `{ enum: string[] }` or `{ collection: <one of those but a collection> }`, and for
/// everything [`ExtraFields::declare`] refuses.
pub(crate) fn extra_fields(value: &JsValue, what: &str) -> Result<ExtraFields, JsValue> {
    let mut out = ExtraFields::new();
    if value.is_null_or_undefined() {
        return Ok(out);
    }
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return Err(type_error(&format!(
            "{what} must be an object of field paths and types, e.g. {{ isSpam: \"boolean\" }}"
        )));
    }
    let keys = Object::keys(value.unchecked_ref::<Object>());
    if keys.length() as usize > MAX_FIELDS {
        return Err(boundary(
            ErrorCode::InvalidExtraFields,
            &format!("invalid extra fields: more than {MAX_FIELDS} fields declared"),
        ));
    }
    for key in keys.iter() {
        let path = key.as_string().unwrap_or_default();
        let ty = field_type(&path, &Reflect::get(value, &key)?, false)?;
        out.declare(&path, ty).map_err(js_err)?;
    }
    Ok(out)
}

fn field_type(path: &str, value: &JsValue, in_collection: bool) -> Result<FieldType, JsValue> {
    if let Some(name) = value.as_string() {
        return FieldType::primitive(path, &name).map_err(js_err);
    }
    let shape = "must be a type name (\"string\", \"boolean\", \"number\", \"dateTimeOffset\", \"date\", \"guid\"), { enum: [...] } or { collection: ... }";
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return Err(invalid(path, shape));
    }
    let keys = Object::keys(value.unchecked_ref::<Object>());
    let key = match (keys.length(), keys.get(0).as_string()) {
        (1, Some(key)) => key,
        _ => return Err(invalid(path, shape)),
    };
    let inner = Reflect::get(value, &JsValue::from_str(&key))?;
    match key.as_str() {
        "enum" => {
            let members = Array::is_array(&inner)
                .then(|| {
                    let members = inner.unchecked_ref::<Array>().iter().map(|m| m.as_string());
                    members.collect::<Option<Vec<String>>>()
                })
                .flatten()
                .ok_or_else(|| invalid(path, "`enum` must be an array of strings"))?;
            Ok(FieldType::Enum(members))
        }
        "collection" if !in_collection => {
            Ok(FieldType::Collection(Box::new(field_type(path, &inner, true)?)))
        }
        "collection" => Err(invalid(path, "a collection of collections cannot be filtered on")),
        _ => Err(invalid(path, shape)),
    }
}
