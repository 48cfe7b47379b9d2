//! The JS side of writes: `changes` into the core's [`crate::patch::build_patch`], the
//! export behind `buildPatch` (the patch `update` would send, for dry runs), and the types of
//! `ReferralChanges` and `WriteOptions`.
//!
//! `pkg-template/api.js` reads the target (`id`, `eTag`, `status`, `substatus`) and
//! `opts.ifMatch`, and passes `changes` as the text `JSON.stringify` makes of it (so
//! `undefined` properties are left out and a `Date` becomes its ISO string, as in any JSON
//! body): plain strings cross the boundary, and the crate's JSON reader reads the text.

use wasm_bindgen::prelude::*;

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
  | "solutionPlay" | "lastModifiedVia" | "lastRunId" | "registrationStatus" | "closedDateTime";

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

/// The checked patch of `changes`, the text `JSON.stringify` made of the caller's changes
/// (`pkg-template/api.js`), against the referral's `status` and `substatus` when known.
///
/// # Errors
/// `TypeError` for a text the JSON reader refuses (a lone surrogate, too deep); the core's
/// `InvalidUpdate` as an `ODataError`.
pub fn patch_of(
    changes: &str,
    status: Option<&str>,
    substatus: Option<&str>,
) -> Result<Patch, JsValue> {
    let value = crate::json::from_str(changes).map_err(|_| {
        // What JSON.stringify writes and the reader refuses: an escaped lone surrogate,
        // or nesting past the reader's limit.
        type_error("changes cannot be read as JSON: a lone surrogate, or nested too deep")
    })?;
    let current =
        (status.is_some() || substatus.is_some()).then_some(Current { status, substatus });
    build_patch(value, current.as_ref()).map_err(|e| to_js(&e))
}

/// `buildPatchOf(changes, status?, substatus?)`: the JSON Patch operations of `changes` (the
/// package's `buildPatch` passes `JSON.stringify(changes)` and the referral's state).
///
/// # Errors
/// As [`patch_of`].
#[wasm_bindgen(js_name = buildPatchOf, skip_typescript)]
pub fn build_patch_of(
    changes: &str,
    status: Option<String>,
    substatus: Option<String>,
) -> Result<JsValue, JsValue> {
    let patch = patch_of(changes, status.as_deref(), substatus.as_deref())?;
    json_parse(&JsValue::from_str(&patch.to_json()))
}
