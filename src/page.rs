//! Decoding referral pages: JSON text → checked JSON → typed [`ReferralPage`] / [`Referral`].
//!
//! One job: accept what the server sends, lose none of it, and reject a body whose *known*
//! properties have the wrong JSON type with an [`Error::Decode`] whose `path` is a JSON pointer
//! (RFC 6901) such as `/value/3/createdDateTime`. Imports `schema`, `model`, `datetime` and
//! `error`; nothing about filters or JavaScript.
//!
//! # Two steps, two entry points
//! 1. **Validate** ([`validate_referral_page`], [`validate_referral`]): parse into a
//!    `serde_json::Value` (`crate::json`, serde_json's reader, recursion limit of 128), then
//!    walk it against
//!    the schema tables ([`crate::schema::REFERRAL`] and its nested types). The walk only
//!    descends into *known* complex properties and collections, so its depth is bounded by the
//!    static schema (and checked against [`MAX_SCHEMA_DEPTH`] anyway); unknown properties and
//!    `Kind::Json` values are never walked.
//!
//!    [`validate_referral_page`] and [`validate_referral`] first try a single streaming pass
//!    (a byte scanner driven by the same schema tables, building no `Value`, see `fast.rs`)
//!    that only says yes or no; it never accepts what the walk rejects. Only when it says no does
//!    the `Value` walk run, to accept after all or to produce the exact error (path, message,
//!    first-error order): accepted pages cost one pass and no tree.
//! 2. **Type** ([`decode_referral_page`], [`decode_referral`]): validate, then move the checked
//!    `Value` into the serde model.
//!
//! The JavaScript `decodeReferralPage` should use step 1 only and build its result with
//! `JSON.parse` on the same text, renaming `@odata.count`/`@odata.nextLink`/`@odata.context` to
//! `count`/`nextLink`/`context` (dropping them when `null`): nothing can be lost by
//! construction (key order and `null`s included), and no Rust → JS object conversion runs. The
//! typed decode is for Rust callers (the client, offline evaluation).
//!
//! # What is checked
//! Every known property must have its schema's JSON type or be `null`:
//! String/Guid/Enum → string (any enum value is accepted and kept), Boolean → bool,
//! DateTimeOffset → a string that [`DateTimeOffset::parse`] accepts (a malformed date would
//! otherwise break sorting and date filters silently), Decimal → a number or a decimal string
//! (`"10000"`, kept as sent), Complex → object, Collection → array of non-null elements,
//! Json → anything. Envelope: `value` is required and an array of objects; `@odata.count` is
//! `null` or a non-negative integer no larger than 2^53 - 1 (so it is exact as a JavaScript
//! number); `@odata.nextLink` and `@odata.context` are `null` or strings; anything else is kept.
//! The first error wins: array elements in order, object keys in code-point order (the `Value`
//! map is sorted).

use serde_json::{Map, Value};

mod fast;

use crate::datetime::{Date, DateTimeOffset};
use crate::error::{Error, Result};
use crate::model::{Referral, ReferralPage};
use crate::schema::{ComplexType, Kind, REFERRAL};

/// How deep the schema walk may nest (objects and arrays of known properties). The referral
/// schema needs 6 (`/value/0/details/requirements/solutions/0`); the limit only guards against
/// a future recursive schema table.
pub const MAX_SCHEMA_DEPTH: usize = 32;

/// The largest integer JavaScript represents exactly (`Number.MAX_SAFE_INTEGER`).
const MAX_SAFE_INTEGER: u64 = (1 << 53) - 1;

const COUNT: &str = "@odata.count";
const NEXT_LINK: &str = "@odata.nextLink";
const CONTEXT: &str = "@odata.context";

/// Decodes a page of `GET /v1.0/engagements/referrals` into typed records, keeping every
/// property (unknown ones in `extra`, unknown enum values as `Other`).
///
/// ```
/// use partner_referrals::page::decode_referral_page;
/// let page = decode_referral_page(
///     r#"{"@odata.count": 1, "value": [{"id": "x", "status": "Archived"}], "@odata.nextLink": "https://n"}"#,
/// ).unwrap();
/// assert_eq!(page.count, Some(1));
/// assert_eq!(page.next_link.as_deref(), Some("https://n"));
/// assert_eq!(page.value[0].status.as_ref().map(|s| s.as_str()), Some("Archived"));
/// ```
///
/// # Errors
/// [`Error::Decode`] (code `InvalidResponse`): the text is not JSON (path `""`, the message
/// gives line, column and the UTF-16 offset), the root is not an object, `value` is missing or
/// not an array of objects, or a known property has the wrong JSON type (path to it).
pub fn decode_referral_page(json: &str) -> Result<ReferralPage> {
    let root = parse(json)?;
    check_page(&root)?;
    let Value::Object(mut map) = root else {
        // invariant: check_page accepted only an object.
        return Err(decode("", "expected a JSON object"));
    };
    let value = match map.remove("value") {
        Some(Value::Array(items)) => items,
        // invariant: check_page requires an array here.
        _ => return Err(decode("/value", "expected an array")),
    };
    let mut referrals = Vec::with_capacity(value.len());
    for (index, item) in value.into_iter().enumerate() {
        referrals.push(typed(item, || format!("/value/{index}"))?);
    }
    let count = map.remove(COUNT).and_then(|v| v.as_u64());
    let next_link = take_string(&mut map, NEXT_LINK);
    let context = take_string(&mut map, CONTEXT);
    Ok(ReferralPage { value: referrals, count, next_link, context, extra: map })
}

/// Decodes the body of `GET /v1.0/engagements/referrals/{id}`: one referral (its
/// `@odata.context`, if any, is kept in `extra`).
///
/// # Errors
/// [`Error::Decode`] as for [`decode_referral_page`], with paths relative to the referral
/// (`/createdDateTime`).
pub fn decode_referral(json: &str) -> Result<Referral> {
    let root = parse(json)?;
    check_referral_body(&root)?;
    typed(root, String::new)
}

/// Checks a page without building typed records: the fast path for JavaScript, which then
/// `JSON.parse`s the same text itself (see the module docs).
///
/// # Errors
/// As [`decode_referral_page`].
pub fn validate_referral_page(json: &str) -> Result<()> {
    if fast::page_ok(&fast::utf16_units(json)) {
        return Ok(());
    }
    check_page(&parse(json)?)
}

/// [`validate_referral_page`], and the page's `@odata.nextLink` as the server meant it
/// (escapes read; `None` when absent or `null`; the last one when the key repeats, as
/// `JSON.parse` keeps it): what a client needs to request the next page before it builds
/// this one.
///
/// ```
/// use partner_referrals::page::validate_referral_page_next_link;
/// let link = validate_referral_page_next_link(
///     r#"{"value": [], "@odata.nextLink": "https:\/\/n?$skiptoken=2"}"#,
/// ).unwrap();
/// assert_eq!(link.as_deref(), Some("https://n?$skiptoken=2"));
/// ```
///
/// # Errors
/// As [`validate_referral_page`].
pub fn validate_referral_page_next_link(json: &str) -> Result<Option<String>> {
    let units = fast::utf16_units(json);
    if let Some(span) = fast::page_next_link(&units) {
        let Some((start, end)) = span else { return Ok(None) };
        // The string literal, quotes included (the scanner accepted it, so it is whole text).
        let raw: String = fast::utf16_chars(units.get(start..end).unwrap_or_default()).collect();
        match raw.get(1..raw.len().saturating_sub(1)) {
            Some(plain) if !plain.contains('\\') => return Ok(Some(plain.to_string())),
            // The string literal read on its own (escapes decoded as in the `Value` path).
            _ => {
                if let Ok(Value::String(link)) = crate::json::from_str(&raw) {
                    return Ok(Some(link));
                }
            }
        }
    }
    // The `Value` path: exact errors, and the link as it reads it.
    let root = parse(json)?;
    check_page(&root)?;
    Ok(root.get(NEXT_LINK).and_then(Value::as_str).map(str::to_owned))
}

/// [`validate_referral_page`] of a text given as UTF-16 code units, each as its two
/// little-endian bytes (a JS string copied into wasm memory as it is): the same answer and the
/// same errors as for its UTF-8 conversion (lone surrogates read as U+FFFD), which is made
/// only when the fast path says no.
///
/// # Errors
/// As [`validate_referral_page`].
// Only `decodeReferralPage` (wasm32) and the tests call it.
#[cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]
pub(crate) fn validate_referral_page_utf16(json: &[[u8; 2]]) -> Result<()> {
    if fast::page_ok(json) {
        return Ok(());
    }
    check_page(&parse(&fast::utf16_chars(json).collect::<String>())?)
}

/// Checks a GET-by-id body without building a typed record.
///
/// # Errors
/// As [`decode_referral`].
pub fn validate_referral(json: &str) -> Result<()> {
    if fast::referral_ok(&fast::utf16_units(json)) {
        return Ok(());
    }
    check_referral_body(&parse(json)?)
}

/// Checks an already parsed page (for callers that hold a `Value`).
///
/// # Errors
/// As [`decode_referral_page`], except for the not-JSON case.
pub fn check_page(root: &Value) -> Result<()> {
    let Some(map) = root.as_object() else {
        return Err(decode(
            "",
            format!(
                "expected a JSON object (a referral page), found {}",
                crate::json::kind_name(root)
            ),
        ));
    };
    match map.get("value") {
        None => return Err(decode("/value", "missing; expected an array of referrals")),
        Some(Value::Array(items)) => {
            let mut walker = Walker { path: vec![Seg::Key("value")] };
            for (index, item) in items.iter().enumerate() {
                walker.path.push(Seg::Index(index));
                walker.referral(item)?;
                walker.path.pop();
            }
        }
        Some(other) => {
            return Err(decode(
                "/value",
                format!("expected an array of referrals, found {}", crate::json::kind_name(other)),
            ));
        }
    }
    match map.get(COUNT) {
        None | Some(Value::Null) => {}
        Some(Value::Number(n)) if n.as_u64().is_some_and(|c| c <= MAX_SAFE_INTEGER) => {}
        Some(other) => {
            let path = pointer(&[Seg::Key(COUNT)]);
            return Err(decode(
                path,
                format!("expected a non-negative integer, found {}", crate::json::kind_name(other)),
            ));
        }
    }
    for key in [NEXT_LINK, CONTEXT] {
        check_optional_string(map, key)?;
    }
    Ok(())
}

/// Checks an already parsed referral (a GET-by-id body, or one element of `value`); paths are
/// relative to it.
///
/// # Errors
/// As [`decode_referral`], except for the not-JSON case.
pub fn check_referral(referral: &Value) -> Result<()> {
    Walker { path: Vec::new() }.referral(referral)
}

fn check_referral_body(root: &Value) -> Result<()> {
    check_referral(root)?;
    if let Some(map) = root.as_object() {
        check_optional_string(map, CONTEXT)?;
    }
    Ok(())
}

fn check_optional_string(map: &Map<String, Value>, key: &str) -> Result<()> {
    match map.get(key) {
        None | Some(Value::Null | Value::String(_)) => Ok(()),
        Some(other) => Err(decode(
            pointer(&[Seg::Key(key)]),
            format!("expected a string, found {}", crate::json::kind_name(other)),
        )),
    }
}

fn take_string(map: &mut Map<String, Value>, key: &str) -> Option<String> {
    match map.remove(key) {
        Some(Value::String(s)) => Some(s),
        _ => None,
    }
}

/// Moves a checked value into the serde model. After validation this cannot fail for the
/// current model; if the model and the schema ever disagree, the error says where.
fn typed<T: serde::de::DeserializeOwned>(value: Value, path: impl FnOnce() -> String) -> Result<T> {
    serde_json::from_value(value).map_err(|e| decode(path(), format!("cannot decode: {e}")))
}

#[cold]
fn decode(path: impl Into<String>, message: impl Into<String>) -> Error {
    Error::Decode { path: path.into(), message: message.into() }
}

// ---- JSON text ----------------------------------------------------------------------------

/// Parses the text with [`crate::json`] (serde_json, recursion limit 128), mapping errors to a [`Error::Decode`] at path `""`: serde_json's message, then the
/// line, the column and the offset of the offending character, the column and offset counted
/// in UTF-16 code units (what JavaScript's `text.slice(offset)` starts at; end-of-input errors
/// point past the end).
///
/// A lone UTF-16 surrogate escape (`"\ud83d"` without its pair, as a server that cuts a string
/// in the middle of an emoji sends) is valid JSON that a Rust string cannot hold: it is read
/// as U+FFFD instead of failing the whole page (JavaScript's `JSON.parse` of the same text
/// keeps it as sent).
fn parse(json: &str) -> Result<Value> {
    if json.trim().is_empty() {
        return Err(decode("", "empty response body; expected a JSON object"));
    }
    let json = &*replace_lone_surrogates(json);
    crate::json::from_str(json).map_err(|e| {
        let (line, column, offset) = position(json, &e);
        // serde_json's message is "<reason> at line L column C"; ours counts UTF-16.
        let full = e.to_string();
        let suffix = format!(" at line {} column {}", e.line(), e.column());
        let reason = match full.len().checked_sub(suffix.len()) {
            Some(end) if full.ends_with(&suffix) => full.get(..end).unwrap_or(&full),
            _ => &full,
        };
        decode(
            "",
            format!("invalid JSON: {reason} at line {line} column {column} (offset {offset})"),
        )
    })
}

/// `json` with every lone surrogate escape in a string (`\uD800`–`\uDFFF` that is not a high
/// surrogate directly followed by a low one) replaced by `\uFFFD`. Same length, so error
/// positions do not move; borrowed when there is nothing to replace.
fn replace_lone_surrogates(json: &str) -> std::borrow::Cow<'_, str> {
    let bytes = json.as_bytes();
    let hex4 = |at: usize| -> Option<u32> {
        let digits = std::str::from_utf8(bytes.get(at..at + 4)?).ok()?;
        u32::from_str_radix(digits, 16)
            .ok()
            .filter(|_| digits.bytes().all(|b| b.is_ascii_hexdigit()))
    };
    let is_high = |unit: u32| (0xD800..0xDC00).contains(&unit);
    let is_low = |unit: u32| (0xDC00..0xE000).contains(&unit);
    let mut out: Option<Vec<u8>> = None;
    let mut in_string = false;
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'"' => {
                in_string = !in_string;
                i += 1;
            }
            b'\\' if in_string => {
                let unit = if bytes.get(i + 1) == Some(&b'u') { hex4(i + 2) } else { None };
                match unit {
                    Some(high) if is_high(high) => {
                        let paired = bytes.get(i + 6..i + 8) == Some(b"\\u".as_slice())
                            && hex4(i + 8).is_some_and(is_low);
                        if paired {
                            i += 12;
                        } else {
                            out.get_or_insert_with(|| bytes.to_vec())[i + 2..i + 6]
                                .copy_from_slice(b"FFFD");
                            i += 6;
                        }
                    }
                    Some(low) if is_low(low) => {
                        out.get_or_insert_with(|| bytes.to_vec())[i + 2..i + 6]
                            .copy_from_slice(b"FFFD");
                        i += 6;
                    }
                    Some(_) => i += 6,
                    // Any other escape: skip the escaped character (`\"` and `\\` included).
                    None => i += 2,
                }
            }
            _ => i += 1,
        }
    }
    match out.map(String::from_utf8) {
        // Only ASCII hex digits were replaced by ASCII, so the text is still UTF-8.
        Some(Ok(text)) => std::borrow::Cow::Owned(text),
        _ => std::borrow::Cow::Borrowed(json),
    }
}

/// `(line, column, offset)` of a JSON error: line 1-based, column 1-based and offset 0-based,
/// both in UTF-16 code units, at the offending character: the one whose last byte serde_json's
/// column (bytes, 1-based) names — or, at its column 0 (the start of a line), the line's first
/// character. EOF errors are placed at the end of the text.
fn position(json: &str, error: &serde_json::Error) -> (usize, usize, usize) {
    let line = error.line().max(1);
    let line_start: usize = json.split_inclusive('\n').take(line - 1).map(str::len).sum();
    let mut byte = if error.is_eof() {
        json.len()
    } else {
        (line_start + error.column().saturating_sub(1)).min(json.len())
    };
    while !json.is_char_boundary(byte) {
        byte -= 1;
    }
    let offset = json[..byte].encode_utf16().count();
    let column = json.get(line_start..byte).map_or(0, |l| l.encode_utf16().count()) + 1;
    (line, column, offset)
}

// ---- schema walk --------------------------------------------------------------------------

/// One step of a JSON pointer, rendered only when an error is reported.
#[derive(Clone, Copy)]
enum Seg<'a> {
    Key(&'a str),
    Index(usize),
}

/// Renders a JSON pointer (RFC 6901): `~` → `~0`, `/` → `~1`.
fn pointer(path: &[Seg<'_>]) -> String {
    let mut out = String::new();
    for seg in path {
        out.push('/');
        match seg {
            Seg::Key(key) => {
                for c in key.chars() {
                    match c {
                        '~' => out.push_str("~0"),
                        '/' => out.push_str("~1"),
                        c => out.push(c),
                    }
                }
            }
            Seg::Index(index) => out.push_str(&index.to_string()),
        }
    }
    out
}

/// At most this many characters of an offending string are quoted in a message.
const QUOTE_MAX: usize = 40;

fn quote(text: &str) -> String {
    match text.char_indices().nth(QUOTE_MAX) {
        Some((cut, _)) => format!("`{}…`", &text[..cut]),
        None => format!("`{text}`"),
    }
}

/// Whether `text` is a decimal number: `[+-]digits[.digits][(e|E)[+-]digits]`, also `.5`/`5.`.
fn is_decimal(text: &str) -> bool {
    let bytes = text.as_bytes();
    let mut at = usize::from(matches!(bytes.first(), Some(b'+' | b'-')));
    let digits = |at: &mut usize| {
        let start = *at;
        while bytes.get(*at).is_some_and(u8::is_ascii_digit) {
            *at += 1;
        }
        *at - start
    };
    let mut mantissa = digits(&mut at);
    if bytes.get(at) == Some(&b'.') {
        at += 1;
        mantissa += digits(&mut at);
    }
    if mantissa == 0 {
        return false;
    }
    if matches!(bytes.get(at), Some(b'e' | b'E')) {
        at += 1;
        if matches!(bytes.get(at), Some(b'+' | b'-')) {
            at += 1;
        }
        if digits(&mut at) == 0 {
            return false;
        }
    }
    at == bytes.len()
}

struct Walker<'a> {
    path: Vec<Seg<'a>>,
}

impl<'a> Walker<'a> {
    #[cold]
    fn error(&self, message: String) -> Error {
        decode(pointer(&self.path), message)
    }

    #[cold]
    fn expected(&self, what: &str, found: &Value) -> Error {
        self.error(format!("expected {what}, found {}", crate::json::kind_name(found)))
    }

    /// A referral: an object (not `null`) checked against [`REFERRAL`].
    fn referral(&mut self, value: &'a Value) -> Result<()> {
        match value {
            Value::Object(map) => self.object(map, &REFERRAL),
            other => Err(self.expected("a referral object", other)),
        }
    }

    fn object(&mut self, map: &'a Map<String, Value>, ty: &'static ComplexType) -> Result<()> {
        if self.path.len() > MAX_SCHEMA_DEPTH {
            return Err(self.error(format!("nested deeper than {MAX_SCHEMA_DEPTH} levels")));
        }
        for (key, value) in map {
            if let Some(property) = ty.property(key) {
                if !value.is_null() {
                    self.path.push(Seg::Key(key));
                    self.value(value, &property.kind)?;
                    self.path.pop();
                }
            }
        }
        Ok(())
    }

    /// A non-null value of a known property, or a collection element (where `null` is an
    /// error: the typed model has no place for it).
    fn value(&mut self, value: &'a Value, kind: &'static Kind) -> Result<()> {
        match (kind, value) {
            (Kind::Json, _) => Ok(()),
            (Kind::String | Kind::Guid | Kind::Enum(_), Value::String(_)) => Ok(()),
            (Kind::Boolean, Value::Bool(_)) => Ok(()),
            (Kind::DateTimeOffset, Value::String(text)) => match DateTimeOffset::parse(text) {
                Ok(_) => Ok(()),
                Err(reason) => Err(self.error(format!(
                    "expected an ISO 8601 date-time, found {}: {reason}",
                    quote(text)
                ))),
            },
            (Kind::Date, Value::String(text)) => match Date::parse(text) {
                Ok(_) => Ok(()),
                Err(reason) => Err(self
                    .error(format!("expected an ISO 8601 date, found {}: {reason}", quote(text)))),
            },
            (Kind::Decimal, Value::Number(_)) => Ok(()),
            (Kind::Decimal, Value::String(text)) if is_decimal(text) => Ok(()),
            (Kind::Decimal, Value::String(text)) => {
                Err(self
                    .error(format!("expected a number or a decimal string, found {}", quote(text))))
            }
            (Kind::Complex(ty), Value::Object(map)) => self.object(map, ty),
            (Kind::Collection(element), Value::Array(items)) => {
                if self.path.len() > MAX_SCHEMA_DEPTH {
                    return Err(self.error(format!("nested deeper than {MAX_SCHEMA_DEPTH} levels")));
                }
                for (index, item) in items.iter().enumerate() {
                    self.path.push(Seg::Index(index));
                    self.value(item, element)?;
                    self.path.pop();
                }
                Ok(())
            }
            (Kind::String | Kind::Guid | Kind::Enum(_), other) => {
                Err(self.expected("a string", other))
            }
            (Kind::DateTimeOffset, other) => {
                Err(self.expected("an ISO 8601 date-time string", other))
            }
            (Kind::Date, other) => Err(self.expected("an ISO 8601 date string", other)),
            (Kind::Boolean, other) => Err(self.expected("a boolean", other)),
            (Kind::Decimal, other) => Err(self.expected("a number or a decimal string", other)),
            (Kind::Complex(ty), other) => {
                let article =
                    if ty.name.starts_with(['A', 'E', 'I', 'O', 'U']) { "an" } else { "a" };
                Err(self.expected(&format!("{article} {} object", ty.name), other))
            }
            (Kind::Collection(_), other) => Err(self.expected("an array", other)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pointer_escapes_tilde_and_slash() {
        let path = [Seg::Key("value"), Seg::Index(3), Seg::Key("a/b~c"), Seg::Key("~1")];
        assert_eq!(pointer(&path), "/value/3/a~1b~0c/~01");
        assert_eq!(pointer(&[]), "");
        assert_eq!(pointer(&[Seg::Key("")]), "/");
    }

    #[test]
    fn nested_paths_name_every_step() {
        let err = check_page(&serde_json::json!({"value": [{"details": {"dealValue": "x"}}]}))
            .unwrap_err();
        assert_eq!(err.path(), Some("/value/0/details/dealValue"));
    }

    #[test]
    fn decimal_strings() {
        for ok in ["0", "10000", "-3", "+3", "2500.50", ".5", "5.", "1e3", "1.5E-2"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "-", ".", "1e", "1e+", "ten", "1,000", " 1", "1 ", "0x10", "NaN", "1.2.3"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn json_error_offsets_count_utf16() {
        let offset = |text: &str| {
            let e = crate::json::from_str(text).unwrap_err();
            position(text, &e).2
        };
        assert_eq!(offset("x"), 0);
        assert_eq!(offset(r#"{"a": x}"#), 6);
        // 💝 is 4 bytes and 2 UTF-16 code units.
        assert_eq!(offset("{\"💝\": x}"), 7);
        assert_eq!(offset("{\n  \"a\": x}"), 9);
        assert_eq!(offset("{"), 1);
    }

    #[test]
    fn not_json_messages_give_serde_json_reason_and_utf16_position() {
        let message = |text: &str| match parse(text) {
            Err(Error::Decode { path, message }) if path.is_empty() => message,
            other => panic!("{text}: {other:?}"),
        };
        assert_eq!(
            message(r#"{"a": x}"#),
            "invalid JSON: expected value at line 1 column 7 (offset 6)"
        );
        assert_eq!(
            message("{\"💝\": 01}"),
            "invalid JSON: invalid number at line 1 column 9 (offset 8)"
        );
        assert_eq!(
            message("{\n  \"a\": [1,]}"),
            "invalid JSON: trailing comma at line 2 column 11 (offset 12)"
        );
        assert_eq!(
            message(r#"{"value": ["#),
            "invalid JSON: EOF while parsing a list at line 1 column 12 (offset 11)"
        );
        assert_eq!(
            message("{\"a\":\n}"),
            "invalid JSON: expected value at line 2 column 1 (offset 6)"
        );
        assert_eq!(
            message(&format!("{}1{}", "[".repeat(200), "]".repeat(200))),
            "invalid JSON: recursion limit exceeded at line 1 column 128 (offset 127)"
        );
    }

    #[test]
    fn every_broken_seed_page_fails_with_a_position_inside_the_text() {
        let seed = include_str!("../tests/fixtures/seed-page.json");
        let mut checked = 0;
        for (at, _) in seed.char_indices().step_by(7) {
            for insert in ["x", ",", "\u{1}", "💝", "\n}", "\\q", "01", "\"\\ud800"] {
                let text = format!("{}{insert}{}", &seed[..at], &seed[at..]);
                let Err(e) = crate::json::from_str(&replace_lone_surrogates(&text)) else {
                    continue;
                };
                let replaced = replace_lone_surrogates(&text);
                let (line, column, offset) = position(&replaced, &e);
                let utf16 = replaced.encode_utf16().count();
                assert!(offset <= utf16 && column >= 1 && line == e.line().max(1), "{text}");
                checked += 1;
            }
        }
        assert!(checked > 1_000, "{checked}");
    }

    #[test]
    fn long_strings_are_cut_in_messages() {
        let long = "y".repeat(100);
        assert_eq!(quote(&long).chars().count(), QUOTE_MAX + 3);
        assert_eq!(quote("short"), "`short`");
    }
}
