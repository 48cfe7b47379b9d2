//! Query options → URL query text, and back.
//!
//! One job: validate `$select`/`$orderby`/`$top`/`$count`, put them with the canonical filter
//! into `$filter=…&$select=…&$orderby=…&$top=…&$count=true` with every value percent-encoded
//! so that JS `new URLSearchParams(result).get(key)` returns exactly the value; and the
//! reverse, [`parse_query_string`], for documented request targets and the local emulator.
//! Pure: no I/O. Imports `error`, `schema` and the filter API of this module's parent.

use serde::{Deserialize, Serialize};

use crate::error::{Error, Result};
use crate::schema::{suggest, ComplexType, ORDERABLE, REFERRAL};

use super::Filter;

/// The largest `$top` accepted: `Edm.Int32`'s maximum (the API documents no cap; the server
/// pages large results with `@odata.nextLink`).
pub const MAX_TOP: u32 = i32::MAX as u32;

/// The query options of `GET /v1.0/engagements/referrals` (docs/contract.md, "Queries").
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "camelCase")]
pub struct ReferralQuery {
    /// `$filter`, validated against the schema and sent in canonical form.
    pub filter: Option<String>,
    /// `$select`: top-level Referral property names (duplicates are dropped, order kept).
    pub select: Option<Vec<String>>,
    /// `$orderby`: `createdDateTime` or `updatedDateTime`, optionally `asc`/`desc`.
    pub order_by: Option<OrderBy>,
    /// `$top`: a positive integer up to [`MAX_TOP`].
    pub top: Option<f64>,
    /// `$count=true` when `Some(true)`; `false` is the server default and is not sent.
    pub count: Option<bool>,
}

/// `$orderby` as text (`"createdDateTime desc"`, or a comma list of both fields) or as a field
/// with an optional direction.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(untagged)]
pub enum OrderBy {
    /// `"createdDateTime desc"`, `"updatedDateTime"`, `"createdDateTime asc,updatedDateTime desc"`.
    Text(String),
    /// `{ field: "createdDateTime", direction: "desc" }`.
    Field {
        /// `createdDateTime` or `updatedDateTime` (exact case).
        field: String,
        /// `asc` or `desc` (any case); `None` leaves the server default (ascending).
        #[serde(default)]
        direction: Option<String>,
    },
}

/// Characters kept literal: unreserved plus `$ , / ' ( ) :`, all of which `URLSearchParams`
/// gives back unchanged and which keep filters readable in logs.
const fn keep_byte(b: u8) -> bool {
    b.is_ascii_alphanumeric()
        || matches!(b, b'-' | b'.' | b'_' | b'~' | b'$' | b',' | b'/' | b'\'' | b'(' | b')' | b':')
}

/// [`keep_byte`] of every byte, looked up rather than computed (the per-byte test of the
/// encoder).
static KEEP: [bool; 256] = {
    let mut table = [false; 256];
    let mut i = 0;
    while i < 256 {
        table[i] = keep_byte(i as u8);
        i += 1;
    }
    table
};

const HEX: &[u8; 16] = b"0123456789ABCDEF";

fn keep(b: u8) -> bool {
    KEEP[usize::from(b)]
}

/// Percent-encodes `value` (UTF-8 bytes; space as `%20`, never `+`).
pub fn percent_encode(value: &str) -> String {
    let mut out = String::with_capacity(value.len());
    percent_encode_into(&mut out, value);
    out
}

/// `%00%01…%FF`: the escape of byte `b` is `ESCAPES[3 * b..3 * b + 3]`.
const ESCAPES: &str = {
    const BYTES: [u8; 768] = {
        let mut table = [0u8; 768];
        let mut i = 0;
        while i < 256 {
            table[3 * i] = b'%';
            table[3 * i + 1] = HEX[i >> 4];
            table[3 * i + 2] = HEX[i & 15];
            i += 1;
        }
        table
    };
    match std::str::from_utf8(&BYTES) {
        Ok(text) => text,
        Err(_) => panic!("the escapes are ASCII"),
    }
};

/// [`percent_encode`], appending to `out`: each run of kept bytes is copied at once, each
/// other byte is its `%XX` from a table (no per-byte pushes).
pub fn percent_encode_into(out: &mut String, value: &str) {
    out.reserve(value.len());
    let mut start = 0;
    for (i, &b) in value.as_bytes().iter().enumerate() {
        if keep(b) {
            continue;
        }
        // invariant: kept bytes are ASCII, so `start` (0 or just after an escaped byte) and
        // `i` (just after a kept byte, or `start`) are character boundaries; escapes are
        // ASCII slices of the table.
        out.push_str(value.get(start..i).unwrap_or_default());
        let at = 3 * usize::from(b);
        out.push_str(ESCAPES.get(at..at + 3).unwrap_or_default());
        start = i + 1;
    }
    out.push_str(value.get(start..).unwrap_or_default());
}

/// Decodes like `URLSearchParams`: `+` is a space, `%XX` a byte, a stray `%` stays, and the
/// bytes are read as UTF-8 (invalid sequences become U+FFFD).
pub fn percent_decode(value: &str) -> String {
    let bytes = value.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        let hex = |b: u8| char::from(b).to_digit(16);
        match bytes[i] {
            b'+' => out.push(b' '),
            b'%' => match (
                bytes.get(i + 1).and_then(|b| hex(*b)),
                bytes.get(i + 2).and_then(|b| hex(*b)),
            ) {
                (Some(hi), Some(lo)) => {
                    out.push((hi * 16 + lo) as u8);
                    i += 2;
                }
                _ => out.push(b'%'),
            },
            b => out.push(b),
        }
        i += 1;
    }
    String::from_utf8_lossy(&out).into_owned()
}

/// The decoded `key=value` pairs of a query string (a leading `?` is skipped), in order, as
/// `URLSearchParams` would list them.
pub fn query_pairs(query: &str) -> Vec<(String, String)> {
    let query = query.strip_prefix('?').unwrap_or(query);
    query
        .split('&')
        .filter(|piece| !piece.is_empty())
        .map(|piece| {
            let (k, v) = piece.split_once('=').unwrap_or((piece, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

/// Validates a `$select` list: exact top-level Referral property names, at least one;
/// duplicates are dropped (first occurrence kept).
///
/// # Errors
/// [`Error::InvalidSelect`] with a "did you mean" suggestion (an empty name for an empty list).
pub fn canonical_select(names: &[String]) -> Result<Vec<String>> {
    canonical_select_in(names, &REFERRAL)
}

/// [`canonical_select`] against `schema` (the referral type with a caller's extra fields,
/// whose top-level names may be selected).
///
/// # Errors
/// As [`canonical_select`].
pub fn canonical_select_in(names: &[String], schema: &'static ComplexType) -> Result<Vec<String>> {
    if names.is_empty() {
        return Err(Error::InvalidSelect { name: String::new(), suggestion: None });
    }
    let mut out: Vec<String> = Vec::with_capacity(names.len());
    for name in names {
        if schema.property(name).is_none() {
            return Err(Error::InvalidSelect {
                name: name.clone(),
                suggestion: schema.suggest(name.trim()).map(str::to_string),
            });
        }
        if !out.contains(name) {
            out.push(name.clone());
        }
    }
    Ok(out)
}

fn order_error(message: String) -> Error {
    Error::InvalidOrderBy { message }
}

/// One `field [asc|desc]` item: `(field, Some("asc"|"desc"))`.
fn order_item(field: &str, direction: Option<&str>) -> Result<(String, Option<String>)> {
    if !ORDERABLE.contains(&field) {
        // Only two candidates, so a prefix (`created`, `updatedDate`) is a good enough hint.
        let lower = field.to_ascii_lowercase();
        let hint = suggest(field, ORDERABLE.iter().copied())
            .or_else(|| {
                let prefix =
                    |c: &&str| !lower.is_empty() && c.to_ascii_lowercase().starts_with(&lower);
                ORDERABLE.iter().copied().find(prefix)
            })
            .map(|s| format!(" (did you mean `{s}`?)"))
            .unwrap_or_default();
        return Err(order_error(format!(
            "`{field}` cannot be used in `$orderby`{hint}: only `createdDateTime` and `updatedDateTime` can"
        )));
    }
    let direction = match direction.map(str::to_ascii_lowercase) {
        None => None,
        Some(d) if d == "asc" || d == "desc" => Some(d),
        Some(_) => {
            return Err(order_error(format!(
                "`$orderby` direction must be `asc` or `desc`, found `{}`",
                direction.unwrap_or_default()
            )))
        }
    };
    Ok((field.to_string(), direction))
}

/// Validates `$orderby` and returns its canonical items (`asc`/`desc` lower-cased).
///
/// # Errors
/// [`Error::InvalidOrderBy`].
pub fn order_items(order: &OrderBy) -> Result<Vec<(String, Option<String>)>> {
    let items = match order {
        OrderBy::Field { field, direction } => vec![order_item(field, direction.as_deref())?],
        OrderBy::Text(text) => {
            let mut items: Vec<(String, Option<String>)> = Vec::new();
            for part in text.split(',') {
                let words: Vec<&str> = part.split_whitespace().collect();
                let item = match words.as_slice() {
                    [field] => order_item(field, None)?,
                    [field, direction] => order_item(field, Some(direction))?,
                    [] => return Err(order_error("`$orderby` has an empty item".into())),
                    _ => {
                        return Err(order_error(format!(
                            "`$orderby` item `{}` must be a field and an optional `asc`/`desc`",
                            part.trim()
                        )))
                    }
                };
                if items.iter().any(|(f, _)| *f == item.0) {
                    return Err(order_error(format!("`{}` appears twice in `$orderby`", item.0)));
                }
                items.push(item);
            }
            items
        }
    };
    Ok(items)
}

fn order_text(items: &[(String, Option<String>)]) -> String {
    let parts: Vec<String> = items
        .iter()
        .map(|(f, d)| match d {
            Some(d) => format!("{f} {d}"),
            None => f.clone(),
        })
        .collect();
    parts.join(",")
}

/// Validates `$top`: an integer from 1 to [`MAX_TOP`].
///
/// # Errors
/// [`Error::InvalidTop`] for NaN, infinities, fractions, zero, negatives and values over the cap.
pub fn check_top(top: f64) -> Result<u32> {
    if top.is_finite() && top.fract() == 0.0 && top >= 1.0 && top <= f64::from(MAX_TOP) {
        return Ok(top as u32);
    }
    Err(Error::InvalidTop {
        message: format!(
            "`$top` must be a positive integer up to {MAX_TOP}, found `{}`",
            crate::platform::display_f64(top)
        ),
    })
}

/// Builds the query string for `query`: `$filter=…&$select=…&$orderby=…&$top=…&$count=true`,
/// in that order, absent parts omitted, no leading `?`. The filter is validated against the
/// schema and sent in canonical form; every value is percent-encoded so that
/// `new URLSearchParams(result).get("$filter")` is exactly that canonical filter.
///
/// ```
/// use partner_referrals::query::{build_query, OrderBy, ReferralQuery};
/// let q = ReferralQuery {
///     filter: Some("customerProfile/name eq 'O''Brien & Co #1+2'".into()),
///     order_by: Some(OrderBy::Text("createdDateTime DESC".into())),
///     top: Some(10.0),
///     ..Default::default()
/// };
/// assert_eq!(
///     build_query(&q).unwrap(),
///     "$filter=customerProfile/name%20eq%20'O''Brien%20%26%20Co%20%231%2B2'\
///      &$orderby=createdDateTime%20desc&$top=10"
/// );
/// ```
///
/// # Errors
/// `InvalidFilter` (any filter error), `InvalidSelect`, `InvalidOrderBy`, `InvalidTop`.
pub fn build_query(query: &ReferralQuery) -> Result<String> {
    build(query, false, &REFERRAL)
}

/// [`build_query`] against `schema`: the referral type with a caller's extra fields
/// ([`crate::extra_fields::ExtraFields::schema`]), which the filter and `$select` may name.
///
/// # Errors
/// As [`build_query`].
pub fn build_query_in(query: &ReferralQuery, schema: &'static ComplexType) -> Result<String> {
    build(query, false, schema)
}

/// [`build_query`] for a query whose filter is already canonical: the text of a [`Filter`]
/// this crate made (`Filter::parse(..).canonical()`, a template's canonical text). The filter
/// is sent as it is, without parsing and checking it again; the other options are checked as
/// by [`build_query`].
///
/// ```
/// use partner_referrals::query::{build_query, encode::build_query_canonical, Filter, ReferralQuery};
/// let f = Filter::parse("(status eq 'New')").unwrap();
/// let q = ReferralQuery { filter: Some(f.canonical().into()), top: Some(5.0), ..Default::default() };
/// assert_eq!(build_query_canonical(&q).unwrap(), build_query(&q).unwrap());
/// ```
///
/// # Errors
/// `InvalidSelect`, `InvalidOrderBy`, `InvalidTop`.
pub fn build_query_canonical(query: &ReferralQuery) -> Result<String> {
    build(query, true, &REFERRAL)
}

/// [`build_query_canonical`] with `$select` checked against `schema` (see [`build_query_in`]).
///
/// # Errors
/// As [`build_query_canonical`].
pub fn build_query_canonical_in(
    query: &ReferralQuery,
    schema: &'static ComplexType,
) -> Result<String> {
    build(query, true, schema)
}

fn build(query: &ReferralQuery, canonical: bool, schema: &'static ComplexType) -> Result<String> {
    let mut out = String::with_capacity(query.filter.as_ref().map_or(0, |f| f.len() * 5 / 4) + 64);
    let sep = separate;
    if let Some(filter) = &query.filter {
        sep(&mut out, "$filter=");
        if canonical {
            percent_encode_into(&mut out, filter);
        } else {
            percent_encode_into(&mut out, Filter::parse_in(filter, schema)?.canonical());
        }
    }
    if let Some(select) = &query.select {
        let names = canonical_select_in(select, schema)?;
        sep(&mut out, "$select=");
        for (i, name) in names.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            percent_encode_into(&mut out, name);
        }
    }
    if let Some(order) = &query.order_by {
        if let OrderBy::Field { field, direction } = order {
            // The usual case, without the item list: what `order_items` accepts and makes.
            let direction = match direction.as_deref() {
                None => Some(None),
                Some(d) if d.eq_ignore_ascii_case("asc") => Some(Some("asc")),
                Some(d) if d.eq_ignore_ascii_case("desc") => Some(Some("desc")),
                Some(_) => None,
            };
            if let (true, Some(direction)) = (ORDERABLE.contains(&field.as_str()), direction) {
                sep(&mut out, "$orderby=");
                out.push_str(field);
                if let Some(direction) = direction {
                    out.push_str("%20");
                    out.push_str(direction);
                }
                return finish(out, query);
            }
        }
        let items = order_items(order)?;
        sep(&mut out, "$orderby=");
        for (i, (field, direction)) in items.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            percent_encode_into(&mut out, field);
            if let Some(direction) = direction {
                out.push_str("%20");
                percent_encode_into(&mut out, direction);
            }
        }
    }
    finish(out, query)
}

/// `$top` and `$count` after the rest of [`build`].
fn finish(mut out: String, query: &ReferralQuery) -> Result<String> {
    if let Some(top) = query.top {
        let top = check_top(top)?;
        separate(&mut out, "$top=");
        push_decimal(&mut out, top);
    }
    if query.count == Some(true) {
        separate(&mut out, "$count=true");
    }
    Ok(out)
}

/// Appends `n` in decimal (what `{n}` writes, without the formatting machinery).
fn push_decimal(out: &mut String, mut n: u32) {
    let mut digits = [0u8; 10];
    let mut at = digits.len();
    loop {
        at -= 1;
        // invariant: `at` stays in bounds: a u32 has at most 10 digits.
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    // invariant: ASCII digits are UTF-8.
    out.push_str(std::str::from_utf8(digits.get(at..).unwrap_or_default()).unwrap_or_default());
}

/// Appends `&` (unless first) and `key`.
fn separate(out: &mut String, key: &str) {
    if !out.is_empty() {
        out.push('&');
    }
    out.push_str(key);
}

/// Reads a request target (`/v1.0/engagements/referrals?$top=10&$filter=…`), a query with a
/// leading `?`, or a bare query (`$top=10&…`) into a validated [`ReferralQuery`].
///
/// Values are decoded like `URLSearchParams` (`+` is a space), so documented targets with raw
/// spaces work. System options are matched case-insensitively (`$Filter`); the first of a
/// repeated option wins (like `URLSearchParams.get`); other parameters (`$skiptoken`, custom
/// ones) are ignored here, see [`query_pairs`]. The filter comes back canonical, a single
/// `$orderby` item as [`OrderBy::Field`] (several as canonical [`OrderBy::Text`]), `$count`
/// as `true`/`false` (other values are ignored).
///
/// ```
/// use partner_referrals::query::{parse_query_string, OrderBy};
/// let q = parse_query_string("/v1.0/engagements/referrals?$top=10&$filter=(type eq 'Shared')&$orderby=createdDateTime desc").unwrap();
/// assert_eq!(q.filter.as_deref(), Some("type eq 'Shared'"));
/// assert_eq!(q.top, Some(10.0));
/// assert_eq!(q.order_by, Some(OrderBy::Field { field: "createdDateTime".into(), direction: Some("desc".into()) }));
/// ```
///
/// # Errors
/// The same as [`build_query`] for the options present; a `$top` that is not digits is
/// `InvalidTop`.
pub fn parse_query_string(target: &str) -> Result<ReferralQuery> {
    let query = if target.starts_with('/') || target.contains("://") {
        target.split_once('?').map_or("", |(_, q)| q)
    } else {
        target
    };
    let mut out = ReferralQuery::default();
    let mut seen: Vec<String> = Vec::new();
    for (key, value) in query_pairs(query) {
        let key = key.to_ascii_lowercase();
        if seen.contains(&key) {
            continue;
        }
        seen.push(key.clone());
        match key.as_str() {
            "$filter" => out.filter = Some(Filter::parse(&value)?.canonical().to_string()),
            "$select" => {
                let names: Vec<String> = value.split(',').map(str::to_string).collect();
                out.select = Some(canonical_select(&names)?);
            }
            "$orderby" => {
                let items = order_items(&OrderBy::Text(value))?;
                out.order_by = Some(match items.as_slice() {
                    [(field, direction)] => {
                        OrderBy::Field { field: field.clone(), direction: direction.clone() }
                    }
                    _ => OrderBy::Text(order_text(&items)),
                });
            }
            "$top" => {
                if value.is_empty() || !value.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(Error::InvalidTop {
                        message: format!("`$top` must be a positive integer, found `{value}`"),
                    });
                }
                let top = crate::platform::parse_f64(&value).unwrap_or(f64::INFINITY);
                out.top = Some(f64::from(check_top(top)?));
            }
            "$count" => {
                out.count = match value.to_ascii_lowercase().as_str() {
                    "true" => Some(true),
                    "false" => Some(false),
                    _ => None,
                }
            }
            _ => {}
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn encoding_keeps_only_safe_characters() {
        assert_eq!(
            percent_encode("a b&c=d+e#f%g'h(i),j:k/l$m?n\"o\u{e9}💝\n"),
            "a%20b%26c%3Dd%2Be%23f%25g'h(i),j:k/l$m%3Fn%22o%C3%A9%F0%9F%92%9D%0A"
        );
    }

    #[test]
    fn decimals_are_written_as_display_writes_them() {
        for n in [0, 1, 9, 10, 99, 100, 12_345, 999_999_999, 1_000_000_000, MAX_TOP, u32::MAX] {
            let mut out = String::from("x");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }

    #[test]
    fn encoding_matches_a_byte_by_byte_reference() {
        let reference = |s: &str| -> String {
            s.bytes()
                .map(|b| if keep_byte(b) { char::from(b).to_string() } else { format!("%{b:02X}") })
                .collect()
        };
        let ascii: String = (0..128u8).map(char::from).collect();
        for s in [
            ascii.as_str(),
            "",
            "x",
            "%",
            "東京 Trading",
            "a\u{7f}\u{80}b\u{10ffff}",
            "O'Brien & Co",
        ] {
            assert_eq!(percent_encode(s), reference(s), "{s:?}");
            assert_eq!(percent_decode(&percent_encode(s)), s);
            let mut out = String::from("$filter=");
            percent_encode_into(&mut out, s);
            assert_eq!(out, format!("$filter={}", reference(s)));
        }
    }

    #[test]
    fn decoding_mimics_url_search_params() {
        assert_eq!(percent_decode("a+b%20c%2Bd%zz%4"), "a b c+d%zz%4");
        assert_eq!(percent_decode("%C3%A9%FF"), "\u{e9}\u{fffd}");
        assert_eq!(
            query_pairs("?a=1&&b=x=y&c"),
            [("a".into(), "1".into()), ("b".into(), "x=y".into()), ("c".into(), String::new())]
        );
    }

    #[test]
    fn top_must_be_a_positive_integer_within_the_cap() {
        assert_eq!(check_top(10.0).unwrap(), 10);
        assert_eq!(check_top(f64::from(MAX_TOP)).unwrap(), MAX_TOP);
        for bad in [0.0, -1.0, 1.5, f64::NAN, f64::INFINITY, f64::from(MAX_TOP) + 1.0] {
            assert!(matches!(check_top(bad), Err(Error::InvalidTop { .. })), "{bad}");
        }
    }

    #[test]
    fn order_by_accepts_two_fields_and_directions() {
        let items =
            order_items(&OrderBy::Text("createdDateTime DESC, updatedDateTime".into())).unwrap();
        assert_eq!(order_text(&items), "createdDateTime desc,updatedDateTime");
        for bad in [
            "name",
            "createdDateTime down",
            "createdDateTime desc,createdDateTime",
            "",
            "createdDateTime desc x",
        ] {
            assert!(
                matches!(
                    order_items(&OrderBy::Text(bad.into())),
                    Err(Error::InvalidOrderBy { .. })
                ),
                "{bad}"
            );
        }
        let err = order_items(&OrderBy::Field { field: "createdDate".into(), direction: None })
            .unwrap_err();
        assert_eq!(
            err.to_string(),
            "`createdDate` cannot be used in `$orderby` (did you mean `createdDateTime`?): only `createdDateTime` and `updatedDateTime` can"
        );
    }

    #[test]
    fn select_validates_names_and_drops_duplicates() {
        let names = |xs: &[&str]| xs.iter().map(|s| s.to_string()).collect::<Vec<_>>();
        assert_eq!(canonical_select(&names(&["id", "status", "id"])).unwrap(), ["id", "status"]);
        assert_eq!(
            canonical_select(&names(&["id", "stauts"])).unwrap_err(),
            Error::InvalidSelect { name: "stauts".into(), suggestion: Some("status".into()) }
        );
        assert!(canonical_select(&names(&["customerProfile/name"])).is_err());
        assert!(canonical_select(&[]).is_err());
    }
}
