//! The JS side of writes: reading `update`'s target and `changes` into what the core's
//! [`crate::patch::build_patch`] takes, the `buildPatch` export (the patch `update` would
//! send, for dry runs), and the types of `ReferralChanges` and `WriteOptions`.
//!
//! `changes` crosses the boundary as the text `JSON.stringify` makes of it (so `undefined`
//! properties are left out and a `Date` becomes its ISO string, as in any JSON body) and is
//! read by the crate's JSON reader; the patch goes back as its JSON text.

use js_sys::{Array, JsString, Reflect, JSON};
use wasm_bindgen::prelude::*;

use super::convert::get;
use super::error::{to_js, type_error};
use super::page::json_parse;
use crate::patch::{build_patch, Current, Patch};

#[wasm_bindgen(typescript_custom_section)]
const TS_WRITES: &str = r#"
/** One JSON Patch (RFC 6902) operation of the two the API supports. */
export interface PatchOperation {
  /** `replace` sets an existing value (harmless to repeat); `add` appends (`/team/-`) or inserts. */
  op: "replace" | "add";
  /** A JSON pointer into the referral: `/details/dealValue`, `/team/-`, `/team/0/email` (`~1` for `/`, `~0` for `~`). */
  path: string;
  /** The value, checked against the schema like a partial referral's. */
  value: unknown;
}

/** Properties the server assigns or that only a create sets: an update that names one is refused. */
export type ReadOnlyReferralProperty =
  | "id" | "engagementId" | "organizationId" | "organizationName" | "businessProfileId"
  | "createdDateTime" | "updatedDateTime" | "expirationDateTime" | "acceptedDateTime"
  | "direction" | "eTag" | "links" | "attributes" | "partnerRole" | "solutionArea"
  | "solutionPlay" | "lastModifiedVia" | "lastRunId";

type KnownKey<K, Except = never> = K extends Except ? never : string extends K ? never : number extends K ? never : K;
type PartialChange<V> = V extends readonly unknown[] ? V : V extends object ? ObjectChanges<V> : V;
type ObjectChanges<T> = { [K in keyof T as KnownKey<K>]?: PartialChange<T[K]> };

/**
 * A partial referral: every property optional, nested objects partial again, arrays replaced
 * whole. Each value given becomes one `replace` of its path
 * (`{ details: { dealValue: 10000 } }` → `replace /details/dealValue`).
 */
export type ReferralUpdate = { [K in keyof Referral as KnownKey<K, ReadOnlyReferralProperty>]?: PartialChange<Referral[K]> };

/**
 * What `update` changes: a partial referral (`ReferralUpdate`), or JSON Patch operations for
 * what a partial referral cannot say (appending a team member: `{ op: "add", path: "/team/-",
 * value: member }`). Every path and value is checked against the schema before anything is
 * sent (`ODataError{code:"InvalidUpdate", path}`).
 */
export type ReferralChanges = ReferralUpdate | readonly PatchOperation[];

/** Options of `update`, `accept` and `decline`. */
export interface WriteOptions extends RequestOptions {
  /**
   * The `If-Match` value. Default: the referral's `eTag` (none when `update` is given an id).
   * `false`: send no `If-Match`, so the write applies whatever changed meanwhile.
   */
  ifMatch?: string | false;
}
"#;

/// What a write is about: the referral's id, its `eTag`, and its status and substatus (for
/// the transition check), all `None` but the id when the target is a bare id.
#[derive(Debug)]
pub struct Target {
    pub id: String,
    pub etag: Option<String>,
    status: Option<String>,
    substatus: Option<String>,
}

impl Target {
    /// Reads `update`'s target: a referral's id string, or a referral (an object with a
    /// string `id`).
    ///
    /// # Errors
    /// `TypeError` for anything else, and for an id with a lone surrogate.
    pub fn from_js(value: &JsValue, what: &str) -> Result<Target, JsValue> {
        let id_of = |id: &JsValue| {
            let text = id.as_string()?;
            id.unchecked_ref::<JsString>().is_valid_utf16().then_some(text)
        };
        if value.is_string() {
            let id = id_of(value)
                .ok_or_else(|| type_error(&format!("{what}: the id is not well-formed UTF-16")))?;
            return Ok(Target { id, etag: None, status: None, substatus: None });
        }
        if !value.is_object() || Array::is_array(value) {
            return Err(type_error(&format!("{what}: target must be a Referral or its id")));
        }
        let id = get(value, "id")?
            .as_ref()
            .and_then(id_of)
            .ok_or_else(|| type_error(&format!("{what}: the referral has no string `id`")))?;
        let text = |key: &str| -> Result<Option<String>, JsValue> {
            Ok(get(value, key)?.and_then(|v| v.as_string()))
        };
        Ok(Target {
            id,
            etag: text("eTag")?,
            status: text("status")?,
            substatus: text("substatus")?,
        })
    }

    fn current(&self) -> Option<Current<'_>> {
        (self.status.is_some() || self.substatus.is_some()).then_some(Current {
            status: self.status.as_deref(),
            substatus: self.substatus.as_deref(),
        })
    }

    /// The patch of `changes` for this target.
    ///
    /// # Errors
    /// `TypeError` for changes that are not an object or an array or cannot be read as JSON;
    /// the core's `InvalidUpdate` as an `ODataError`.
    pub fn patch(&self, changes: &JsValue, what: &str) -> Result<Patch, JsValue> {
        let value = changes_json(changes, what)?;
        build_patch(value, self.current().as_ref()).map_err(|e| to_js(&e))
    }
}

/// `changes` as the JSON `JSON.stringify` makes of it.
fn changes_json(changes: &JsValue, what: &str) -> Result<serde_json::Value, JsValue> {
    if !changes.is_object() || changes.is_function() {
        return Err(type_error(&format!(
            "{what}: changes must be an object (a partial referral) or an array of JSON Patch operations"
        )));
    }
    let unreadable = |e: &JsValue| {
        let why = e
            .dyn_ref::<js_sys::Error>()
            .map(|e| String::from(e.message()))
            .unwrap_or_else(|| "not JSON".into());
        type_error(&format!("{what}: changes cannot be read as JSON: {why}"))
    };
    let text = JSON::stringify(changes).map_err(|e| unreadable(&e))?;
    let text = text.as_string().ok_or_else(|| unreadable(&JsValue::UNDEFINED))?;
    crate::json::from_str(&text).map_err(|_| unreadable(&JsValue::UNDEFINED))
}

/// `buildPatch(changes, referral?)`: the JSON Patch operations `update(referral, changes)`
/// would send (for a dry run or a log), checked the same way; nothing is sent.
///
/// # Errors
/// `ODataError{code:"InvalidUpdate", path}` as `update`; `TypeError` for arguments of the
/// wrong type.
#[wasm_bindgen(js_name = buildPatch, unchecked_return_type = "PatchOperation[]")]
pub fn build_patch_js(
    #[wasm_bindgen(unchecked_param_type = "ReferralChanges")] changes: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "Referral")] referral: JsValue,
) -> Result<JsValue, JsValue> {
    let target = if referral.is_null_or_undefined() {
        Target { id: String::new(), etag: None, status: None, substatus: None }
    } else {
        Target::from_js(&referral, "buildPatch")?
    };
    let patch = target.patch(&changes, "buildPatch")?;
    json_parse(&JsValue::from_str(&patch.to_json()))
}

/// `opts.ifMatch` of a write: `Some(Some(tag))` a value to send, `Some(None)` (`false`) none
/// at all, `None` not given (the target's `eTag` then).
pub fn if_match_option(opts: &JsValue) -> Result<Option<Option<String>>, JsValue> {
    if opts.is_null_or_undefined() || !opts.is_object() {
        return Ok(None);
    }
    let Some(value) =
        Reflect::get(opts, &JsValue::from_str("ifMatch")).ok().filter(|v| !v.is_undefined())
    else {
        return Ok(None);
    };
    if value.as_bool() == Some(false) {
        return Ok(Some(None));
    }
    value
        .as_string()
        .map(|tag| Some(Some(tag)))
        .ok_or_else(|| type_error("opts.ifMatch must be a string or false"))
}
