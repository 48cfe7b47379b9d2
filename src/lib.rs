//! # partner-referrals
//!
//! Read Microsoft Partner Center referrals safely: validated OData `$filter`/`$select`/
//! `$orderby`/`$top` queries, lossless decoding of referral pages, and (in the npm package) an
//! HTTP client on the platform's own `fetch`; updates checked before they are sent
//! ([`patch`]).
//!
//! This crate root only declares rooms and re-exports the public API. The core is pure Rust and
//! tests natively with `cargo test`; `src/wasm/` is the only module that knows JavaScript exists
//! and is compiled only for `wasm32`.
#![forbid(unsafe_code)]
#![deny(missing_docs, missing_debug_implementations)]

pub mod client;
pub mod datetime;
mod error;
pub mod extra_fields;
pub(crate) mod json;
pub mod model;
pub mod page;
pub mod patch;
mod platform;
pub mod query;
mod record;
pub mod schema;
mod string_set;
pub mod sync;

pub use error::{Error, ErrorCode, HttpContext, Result, Span};
pub use model::{respond_by, respond_by_value, Referral, ReferralPage};
pub use page::{decode_referral, decode_referral_page, validate_referral, validate_referral_page};
pub use query::{
    build_query, filter_from_template, parse_query_string, validate_filter, Filter, FilterInfo,
    OrderBy, ReferralQuery, TemplateValue,
};

/// The JavaScript boundary (wasm32 only). Public only so that `tests/wasm.rs` can reach it;
/// not part of the Rust API.
#[cfg(target_arch = "wasm32")]
#[doc(hidden)]
pub mod wasm;
