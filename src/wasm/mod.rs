//! The JavaScript skin: `#[wasm_bindgen]` exports that convert JS values in, call the core and
//! convert values and errors out. This is the only room that knows JavaScript exists, and it is
//! compiled only for `wasm32`.
//!
//! Rules of the room: every JS input is checked here (a panic is a trap for the caller, so
//! nothing here unwraps); a wrong JS *type* of argument throws `TypeError`, wrong *content*
//! throws the package's `ODataError`. Values go out without a generic serializer: pages as
//! `JSON.parse` of the text the core validated, `FilterInfo` and `Filter` through small JS
//! helpers (`filter_info.js`, `classes.js`); records come in as `JSON.parse(JSON.stringify(r))`
//! and are read in place through `record::JsonNode`.
//! The package entries (`pkg-template/`) add `ready` and the variadic `filter` tag on top of
//! the glue that `wasm-bindgen --target web` generates from this module.

pub mod client;
mod convert;
pub mod error;
mod extra;
pub mod fetch;
pub mod page;
mod platform;
pub mod query;
mod scrub;
pub mod signal;
pub mod sync;
mod task;
pub mod token;
mod wake;
pub mod write;

pub use error::ODataError;
pub use platform::install_platform;

use wasm_bindgen::prelude::*;

/// The allocator of the wasm: talc instead of std's dlmalloc. It is smaller (1.7 KiB gzip off
/// the package) and faster: validateFilter, whose time was a sixth malloc and free, measured
/// 0.13x @odata/parser with it against 0.19x with dlmalloc, in the same `make bench` run.
#[global_allocator]
static TALC: talc::wasm::WasmDynamicTalc = talc::wasm::new_wasm_dynamic_allocator();

#[wasm_bindgen(typescript_custom_section)]
const TS_CLASSES: &str = r#"
/** The stable, machine-readable kind of an `ODataError`. Codes are API: branch on them. */
export type ErrorCode =
  | "InvalidFilter"
  | "InvalidSelect"
  | "InvalidOrderBy"
  | "InvalidTop"
  | "InvalidUpdate"
  | "InvalidExtraFields"
  | "InvalidResponse"
  | "UnsafeNextLink"
  | "Unauthorized"
  | "Forbidden"
  | "PreconditionFailed"
  | "NotFound"
  | "Throttled"
  | "HttpError"
  | "NetworkError"
  | "Timeout"
  | "TokenError"
  | "InvalidArgument";

/** Properties an `ODataError` carries when they apply. */
export interface ODataErrorProps {
  /** First offending character of the filter text, 0-based, in UTF-16 code units (`string.slice`). */
  position?: number;
  /** One past the last offending character, in UTF-16 code units. */
  end?: number;
  /** JSON pointer of the offending value of a response (`/value/3/createdDateTime`) or of a refused change (`/details/dealValue`). */
  path?: string;
  /** HTTP status of the failed response. */
  status?: number;
  /** The server's `request-id` response header. */
  requestId?: string;
  /** The `MS-CorrelationId` the request was sent with. */
  correlationId?: string;
  /** The request id the client sent (`client-request-id` = `MS-RequestId`), for support tickets. */
  clientRequestId?: string;
  /** How long the server asked to wait (`Retry-After`), in milliseconds. */
  retryAfterMs?: number;
  /** The server's error body, parsed. */
  details?: unknown;
  /** The `code` of the server's error body. */
  serverCode?: string;
}

/** The one error class of partner-referrals: branch on `code`, show `message`. */
export declare class ODataError extends Error {
  constructor(code: ErrorCode, message: string, props?: ODataErrorProps);
  name: "ODataError";
  code: ErrorCode;
}
/** Declaration merging: an `ODataError` has every `ODataErrorProps` property, said once. */
export interface ODataError extends ODataErrorProps {}

/** Options of `validateFilter`. */
export interface ValidateFilterOptions {
  /** `false`: check the syntax only, not property names, types and enum values. Default `true`. */
  schema?: boolean;
  /** Fields this version does not know, with their types: the filter may name them too. */
  extraFields?: ExtraFields;
}

/** Options of `matchesFilter`. */
export interface MatchesFilterOptions {
  /** For a string filter: fields it may name, read with these types. A `Filter` keeps its own. */
  extraFields?: ExtraFields;
}

/** A primitive type of a declared field (`"number"`: any `Edm` number; `"guid"`: compared case-insensitively). */
export type ExtraFieldPrimitive = "string" | "boolean" | "number" | "dateTimeOffset" | "date" | "guid";

/** A declared enum: a string with these members (open on the wire, closed in filters). */
export interface ExtraFieldEnum {
  readonly enum: readonly string[];
}

/** The type of a declared field: a primitive, an enum, or a collection of either (for `any`/`all`). */
export type ExtraFieldType =
  | ExtraFieldPrimitive
  | ExtraFieldEnum
  | { readonly collection: ExtraFieldPrimitive | ExtraFieldEnum };

/**
 * Fields this version of the schema does not know, by path, with their types:
 * `{ isSpam: "boolean", "details/incentiveLevel": { enum: ["Low", "High"] } }`. A path may go
 * into a documented object, into the elements of a documented collection (`"team/title"`) or
 * into a new object (`"trackingInfo/microsoftMsxId"`). A documented field may be declared only
 * with its own type; anything else is `ODataError{code:"InvalidExtraFields"}`.
 */
export type ExtraFields = { readonly [path: string]: ExtraFieldType };

/** The top-level names of declared fields, which `select` accepts: `"trackingInfo/id"` gives `"trackingInfo"`. */
export type ExtraFieldName<E> = {
  [K in keyof E & string]: K extends `${infer Head}/${string}` ? Head : K;
}[keyof E & string];

/**
 * The query options `buildQuery` (and the client) turn into a query string. `E` are the
 * query's `extraFields`, `Base` a client's: `select` accepts the known names and theirs.
 */
export interface ReferralQuery<E extends ExtraFields = {}, Base extends ExtraFields = {}> {
  /** `$filter`: a string is validated like `validateFilter`; a `Filter` is already valid. */
  filter?: string | Filter;
  /** `$select`: top-level property names of `Referral` or of declared fields (a misspelt name does not compile). */
  select?: readonly (ReferralField | ExtraFieldName<NoInfer<E>> | ExtraFieldName<NoInfer<Base>>)[];
  /** `$orderby`: `"createdDateTime desc"`, or the same as an object. */
  orderBy?: OrderByText | OrderBy;
  /** `$top`: a positive integer. */
  top?: number;
  /** `$count=true`: ask for the total count (`ReferralPage.count`). */
  count?: boolean;
  /** Fields this version does not know, for this query (merged over a client's; this one wins for a path in both). */
  extraFields?: E;
}

/** `$orderby` as an object: only `createdDateTime` and `updatedDateTime` are orderable. */
export interface OrderBy {
  field: OrderableField;
  direction?: "asc" | "desc";
}

/** One `$orderby` item as text: an orderable field and an optional direction. */
export type OrderByItem = OrderableField | `${OrderableField} ${"asc" | "desc"}`;

/** `$orderby` as text: one item, or two separated by a comma (`"updatedDateTime desc,createdDateTime"`). */
export type OrderByText = OrderByItem | `${OrderByItem},${OrderByItem}` | `${OrderByItem}, ${OrderByItem}`;

/** What `validateFilter` returns. */
export interface FilterInfo {
  /** The normalised filter: `validateFilter(canonical).canonical === canonical`. */
  canonical: string;
  /** Property paths used, e.g. `"customerProfile/address/country"`. */
  fields: string[];
}

/** A validated filter, made by the `filter` template tag. `toString()` is its canonical text. */
export declare class Filter {
  private constructor();
  /** Property paths used, e.g. `"customerProfile/address/country"`. */
  readonly fields: readonly string[];
  /** The canonical filter text. */
  toString(): string;
  /** The canonical filter text (so `JSON.stringify` shows it). */
  toJSON(): string;
}
"#;

#[wasm_bindgen(module = "/src/wasm/classes.js")]
extern "C" {
    /// The package's `Filter` class: a validated filter, `toString()` is its canonical text.
    #[wasm_bindgen(js_name = Filter)]
    #[derive(Debug, Clone)]
    pub type JsFilter;

    /// A `Filter` of checked canonical text and its fields (an array, frozen by this call
    /// when not already): the only way to make one (the class's constructor wants a token
    /// that never leaves `classes.js`). `schema` is the number of the referral type it was
    /// checked against (see `extra_fields.rs`).
    #[wasm_bindgen(js_name = newFilter)]
    pub(crate) fn new_filter(canonical: &str, fields: &JsValue, schema: u32) -> JsFilter;

    /// The canonical text of a `Filter` of this module, `None` for anything else.
    #[wasm_bindgen(static_method_of = JsFilter, js_class = Filter, js_name = canonicalOf)]
    pub(crate) fn canonical_of(value: &JsValue) -> Option<String>;

    /// The number of the referral type a `Filter` of this module was checked against, `None`
    /// for anything else.
    #[wasm_bindgen(static_method_of = JsFilter, js_class = Filter, js_name = schemaOf)]
    pub(crate) fn schema_of(value: &JsValue) -> Option<u32>;
}

/// The open enum unions (`"New" | "Active" | … | (string & {})`) that tsify cannot express,
/// rendered from `schema::ENUMS` by the model room's test.
#[wasm_bindgen(typescript_custom_section)]
const TS_ENUMS: &str = include_str!("enums.d.ts");
