//! The fast path of [`super::validate_referral_page`] and [`super::validate_referral`]: one
//! pass over the code units of the text, driven by the schema tables, building no tree and
//! allocating nothing on the way (a string with escapes that must be read, a key or a
//! date-time, is unescaped into one reused buffer).
//!
//! It answers only *whether* the text is accepted, and never accepts a text that the `Value`
//! path (serde_json through `crate::json`, then the schema walk) rejects: the grammar is JSON's (RFC 8259,
//! as serde_json reads it: no trailing commas, no leading zeros, control characters only
//! escaped, escapes checked), and each known property is checked as the `Value` walk checks
//! it. Where matching serde_json exactly would take work that valid pages never need, it
//! rejects instead, and the caller re-runs the `Value` path, which produces the exact error
//! (and accepts if it should), so errors keep their documented path, message and order:
//! - nesting deeper than [`MAX_NESTING`] (serde_json's limit is 128);
//! - a number whose magnitude is near or past the range of `f64` (serde_json refuses
//!   out-of-range numbers; exactly where that starts depends on rounding);
//! - a lone surrogate escape (read as U+FFFD by the `Value` path only);
//! - a bad first occurrence of a duplicate key (the `Value` keeps the last).
//!
//! The small helpers are `inline(always)` in optimised builds, for the decode guard of
//! `make bench` (decodeReferralPage ≤ 1.5× JSON.parse): left to the compiler at opt-level "z",
//! decode measured 2.6× JSON.parse. Debug builds leave them to the compiler: inlining them all
//! there makes each level of the `value`/`object` recursion big enough to overflow the wasm stack
//! at [`MAX_NESTING`] levels.
//!
//! Strings are skipped four units (one eight-byte word) at a time: a word is only looked at
//! unit by unit when it holds a `"`, a `\` or a control character.
//!
//! The scanner reads UTF-16 code units, each as its two little-endian bytes: a JS string
//! copied into wasm memory as it is (in Node one copy, an order of magnitude cheaper than
//! encoding it to UTF-8), or a Rust text transcoded first ([`utf16_units`]). One scanner
//! instead of one per encoding keeps about 5 KiB gzip out of the package. A lone surrogate
//! reads as U+FFFD where the scanner reads text (keys, date-times, decimals), as the UTF-8
//! conversion of the string does.

mod keys;
mod scan;
mod seed;
mod strings;
mod units;

use crate::schema::REFERRAL;
use scan::Scan;
use seed::Mode;
pub(super) use units::{utf16_chars, utf16_units};

/// The deepest nesting of arrays and objects this path reads; deeper texts go to the `Value`
/// path (serde_json's recursion limit is 128). Also bounds this path's own recursion.
const MAX_NESTING: usize = 100;

/// Numbers whose decimal magnitude (integer digits + exponent) is within ±this are well
/// inside the range of `f64` (about 1.8e308; subnormals reach 4.9e-324), so serde_json
/// reads them; anything else goes to the `Value` path.
const MAX_MAGNITUDE: i64 = 305;

/// Whether [`super::check_page`] would accept the parsed text (given as UTF-16 code units,
/// each as its two little-endian bytes; lone surrogates read as U+FFFD).
pub(super) fn page_ok(json: &[[u8; 2]]) -> bool {
    Scan::new(json).root(Mode::Page).is_some()
}

/// Whether [`super::check_page`] would accept the parsed text, and if so where the page's
/// `@odata.nextLink` string is, in units (its quotes included; `None` when absent or `null`;
/// the last one when the key repeats, as the `Value` and `JSON.parse` keep the last).
pub(super) fn page_next_link(json: &[[u8; 2]]) -> Option<Option<(usize, usize)>> {
    let mut scan = Scan::new(json);
    scan.root(Mode::Page)?;
    Some(scan.next_link)
}

/// Whether `check_referral_body` would accept the parsed text.
pub(super) fn referral_ok(json: &[[u8; 2]]) -> bool {
    Scan::new(json).root(Mode::Object { ty: &REFERRAL, context: true }).is_some()
}

#[cfg(test)]
mod tests;
