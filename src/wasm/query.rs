//! Query exports: `validateFilter`, the `filter` tag (`filterTemplate`), `buildQuery`,
//! `matchesFilter`.

use std::cell::RefCell;

use js_sys::{Array, Object};
use wasm_bindgen::prelude::*;

use super::convert::{get, js_err, json_value, options_object, string_arg};
use super::error::{boundary, type_error};
use super::JsFilter;
use crate::datetime::DateTimeOffset;
use crate::error::ErrorCode;
use crate::query::lexer::len_utf16;
use crate::query::{self, OrderBy, ReferralQuery, TemplateValue};

/// The range of instants a DateTimeOffset literal can spell: years 0000 to 9999, in ms since
/// the Unix epoch (what `Date.prototype.getTime` returns).
const MIN_MILLIS: f64 = -62_167_219_200_000.0;
const MAX_MILLIS: f64 = 253_402_300_799_999.0;

/// `validateFilter(text, options?)`: parses and checks a `$filter`, returns
/// `{ canonical, fields }`; `{ schema: false }` checks the syntax only.
#[wasm_bindgen(js_name = validateFilter, unchecked_return_type = "FilterInfo")]
pub fn validate_filter(
    #[wasm_bindgen(unchecked_param_type = "string")] text: JsValue,
    // `Option`: the glue maps `undefined`/`null` to `None` without calling into JS.
    #[wasm_bindgen(unchecked_optional_param_type = "ValidateFilterOptions")] options: Option<
        Object,
    >,
) -> Result<JsValue, JsValue> {
    let source = string_arg(&text, "validateFilter: text")?;
    let mut schema = true;
    if let Some(options) = options {
        if let Some(options) = options_object(&options, "validateFilter options", &["schema"])? {
            if let Some(value) = get(&options, "schema")? {
                schema = value.as_bool().ok_or_else(|| {
                    type_error("validateFilter: options.schema must be a boolean")
                })?;
            }
        }
    }
    let info = query::validate_filter(&source, schema).map_err(js_err)?;
    Ok(filter_info(&text, &source, &info.canonical, &info.fields))
}

/// The `filter` template tag, minus the rest parameter (the entries' `filter(strings,
/// ...values)` calls this with `values` as an array).
#[wasm_bindgen(js_name = filterTemplate, skip_typescript)]
pub fn filter_template(strings: JsValue, values: JsValue) -> Result<JsFilter, JsValue> {
    let strings = template_strings(&strings)?;
    if !Array::is_array(&values) {
        return Err(type_error("filter is a template tag: use it as filter`...`"));
    }
    let values: &Array = values.unchecked_ref();
    if values.length() as usize + 1 != strings.len() {
        return Err(type_error("filter is a template tag: use it as filter`...`"));
    }
    let values = values
        .iter()
        .enumerate()
        .map(|(i, v)| template_value(&v, i))
        .collect::<Result<Vec<_>, _>>()?;
    let parts: Vec<&str> = strings.iter().map(String::as_str).collect();
    let filter = query::filter_from_template(&parts, &values).map_err(js_err)?;
    Ok(JsFilter::new(filter.canonical(), filter.fields().to_vec()))
}

/// `buildQuery(query)`: the query string `$filter=…&$select=…&$orderby=…&$top=…&$count=true`
/// (no leading `?`), every value percent-encoded.
#[wasm_bindgen(js_name = buildQuery)]
pub fn build_query(
    #[wasm_bindgen(unchecked_param_type = "ReferralQuery")] query: JsValue,
) -> Result<String, JsValue> {
    let query = referral_query(&query, "buildQuery query")?;
    query::build_query(&query).map_err(js_err)
}

/// `matchesFilter(f, referral)`: evaluates a filter over one referral in memory; `now()` is
/// `Date.now()`.
#[wasm_bindgen(js_name = matchesFilter)]
pub fn matches_filter(
    #[wasm_bindgen(unchecked_param_type = "string | Filter")] f: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Referral")] referral: JsValue,
) -> Result<bool, JsValue> {
    let text = match f.as_string() {
        Some(text) => text,
        None => JsFilter::canonical_of(&f)
            .ok_or_else(|| type_error("matchesFilter: f must be a string or a Filter"))?,
    };
    // Read the referral first: JSON.stringify may run user code (toJSON), which must not find
    // the cache borrowed.
    let record = json_value(&referral, "matchesFilter: referral")?;
    let now = DateTimeOffset::from_unix_millis(js_sys::Date::now() as i64);
    with_cached_filter(&text, |filter| filter.matches(&record, now))
}

thread_local! {
    /// The last filter `matchesFilter` parsed: a loop over many referrals parses it once.
    static LAST_FILTER: RefCell<Option<(String, query::Filter)>> = const { RefCell::new(None) };
}

fn with_cached_filter<T>(text: &str, f: impl FnOnce(&query::Filter) -> T) -> Result<T, JsValue> {
    LAST_FILTER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            if !matches!(&*slot, Some((cached, _)) if cached == text) {
                *slot = Some((text.to_owned(), query::Filter::parse(text).map_err(js_err)?));
            }
            match &*slot {
                Some((_, filter)) => Ok(f(filter)),
                None => query::Filter::parse(text).map(|filter| f(&filter)).map_err(js_err),
            }
        }
        Err(_) => query::Filter::parse(text).map(|filter| f(&filter)).map_err(js_err),
    })
}

/// A JS `ReferralQuery` → the core's, checking every property's JS type: a wrong `select`,
/// `orderBy` or `top` is the `ODataError` of that option; an unknown property or a non-boolean
/// `count` is a `TypeError`.
pub(crate) fn referral_query(value: &JsValue, what: &str) -> Result<ReferralQuery, JsValue> {
    const KNOWN: &[&str] = &["filter", "select", "orderBy", "top", "count"];
    let mut out = ReferralQuery::default();
    let Some(query) = options_object(value, what, KNOWN)? else {
        return Ok(out);
    };
    if let Some(filter) = get(&query, "filter")? {
        out.filter = Some(match filter.as_string() {
            Some(text) => text,
            None => JsFilter::canonical_of(&filter).ok_or_else(|| {
                boundary(ErrorCode::InvalidFilter, "query.filter must be a string or a Filter")
            })?,
        });
    }
    if let Some(select) = get(&query, "select")? {
        let invalid = || {
            boundary(ErrorCode::InvalidSelect, "query.select must be an array of property names")
        };
        if !Array::is_array(&select) {
            return Err(invalid());
        }
        let names = select.unchecked_ref::<Array>().iter().map(|v| v.as_string());
        out.select = Some(names.collect::<Option<Vec<_>>>().ok_or_else(invalid)?);
    }
    if let Some(order_by) = get(&query, "orderBy")? {
        out.order_by = Some(order_by_value(&order_by)?);
    }
    if let Some(top) = get(&query, "top")? {
        let top = top.as_f64().ok_or_else(|| {
            boundary(ErrorCode::InvalidTop, "query.top must be a positive integer")
        })?;
        out.top = Some(top);
    }
    if let Some(count) = get(&query, "count")? {
        out.count =
            Some(count.as_bool().ok_or_else(|| type_error("query.count must be a boolean"))?);
    }
    Ok(out)
}

fn order_by_value(value: &JsValue) -> Result<OrderBy, JsValue> {
    let invalid = |message: &str| boundary(ErrorCode::InvalidOrderBy, message);
    if let Some(text) = value.as_string() {
        return Ok(OrderBy::Text(text));
    }
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return Err(invalid("query.orderBy must be a string or { field, direction }"));
    }
    for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
        let key = key.as_string().unwrap_or_default();
        if key != "field" && key != "direction" {
            return Err(invalid(&format!(
                "unknown query.orderBy property `{key}`; known: field, direction"
            )));
        }
    }
    let field = get(value, "field")?
        .and_then(|f| f.as_string())
        .ok_or_else(|| invalid("query.orderBy.field must be a string"))?;
    let direction = match get(value, "direction")? {
        None => None,
        Some(d) => Some(
            d.as_string()
                .ok_or_else(|| invalid("query.orderBy.direction must be \"asc\" or \"desc\""))?,
        ),
    };
    Ok(OrderBy::Field { field, direction })
}

#[wasm_bindgen(module = "/src/wasm/filter_info.js")]
extern "C" {
    /// `{ canonical, fields }` from the input, the text to send and the spans (see the file).
    #[wasm_bindgen(js_name = filterInfo)]
    fn filter_info_js(text: &JsValue, sent: &str, spans: &[u32]) -> JsValue;
    /// The same when nothing is sent (no empty string to decode).
    #[wasm_bindgen(js_name = filterInfoOfInput)]
    fn filter_info_of_input(text: &JsValue, spans: &[u32]) -> JsValue;
}

thread_local! {
    /// `filter_info`'s buffers, reused from call to call.
    static INFO_BUFFERS: RefCell<(String, Vec<u32>)> = const { RefCell::new((String::new(), Vec::new())) };
}

/// Marks a span of `filterInfo`'s `sent` text (otherwise a span is in the canonical text).
const IN_SENT: u32 = 0x8000_0000;

/// `{ canonical, fields }` as a plain object, in one call to JS, with as little text crossing
/// the boundary as possible (each Rust → JS string is a UTF-8 decode in JS, the dominant cost
/// of a call): when the canonical form is the input (most filters are written canonically),
/// the input's own JS string is used; every field found in the canonical text is a `slice` of
/// it; only the rest (paths under a lambda variable) is sent as text.
fn filter_info(text_js: &JsValue, text: &str, canonical: &str, fields: &[String]) -> JsValue {
    INFO_BUFFERS.with(|buffers| {
        let Ok(mut buffers) = buffers.try_borrow_mut() else {
            // `filterInfo` never calls back into Rust, so this is not reached; fresh buffers
            // would still be correct.
            return filter_info_into(text_js, text, canonical, fields, &mut Default::default());
        };
        filter_info_into(text_js, text, canonical, fields, &mut buffers)
    })
}

fn filter_info_into(
    text_js: &JsValue,
    text: &str,
    canonical: &str,
    fields: &[String],
    (sent, spans): &mut (String, Vec<u32>),
) -> JsValue {
    sent.clear();
    spans.clear();
    // Without U+FFFD in `text`, the JS input had no lone surrogate (`as_string` replaces each
    // with U+FFFD), so it is exactly `text`.
    if canonical == text && !text.contains('\u{FFFD}') {
        spans.push(u32::MAX);
    } else {
        sent.push_str(canonical);
        spans.push(len_utf16(canonical));
    }
    let mut sent_utf16 = if spans[0] == u32::MAX { 0 } else { spans[0] };
    for field in fields {
        match canonical.find(field.as_str()) {
            Some(at) => {
                // invariant: `find` returns a character boundary.
                let start = len_utf16(canonical.get(..at).unwrap_or(""));
                spans.extend([start, start + len_utf16(field)]);
            }
            None => {
                let len = len_utf16(field);
                spans.extend([IN_SENT | sent_utf16, sent_utf16 + len]);
                sent.push_str(field);
                sent_utf16 += len;
            }
        }
    }
    if sent.is_empty() {
        filter_info_of_input(text_js, spans)
    } else {
        filter_info_js(text_js, sent, spans)
    }
}

/// The strings of a tagged template (`TemplateStringsArray`), cooked.
fn template_strings(strings: &JsValue) -> Result<Vec<String>, JsValue> {
    if !Array::is_array(strings) {
        return Err(type_error("filter is a template tag: use it as filter`...`"));
    }
    let array: &Array = strings.unchecked_ref();
    let mut out = Vec::with_capacity(array.length() as usize);
    for (i, part) in array.iter().enumerate() {
        match part.as_string() {
            Some(s) => out.push(s),
            // A tagged template's cooked string is `undefined` after an invalid escape such as
            // `\u` or `\x`; the raw text is in `strings.raw`.
            None if part.is_undefined() => {
                return Err(boundary(
                    ErrorCode::InvalidFilter,
                    &format!("invalid escape sequence in part {} of the filter template", i + 1),
                ))
            }
            None => return Err(type_error("filter is a template tag: use it as filter`...`")),
        }
    }
    Ok(out)
}

/// One interpolated value of a `filter` template as a literal.
///
/// Strings, finite numbers, booleans, `null`, valid `Date`s (years 0000-9999), `BigInt`s that
/// are exact as numbers, and arrays of those (a list for `in`). Everything else (objects,
/// functions, symbols, `undefined`, `NaN`, nested arrays, `Filter`s) is an
/// `ODataError{code:"InvalidFilter"}` naming the value's place (1-based).
fn template_value(value: &JsValue, index: usize) -> Result<TemplateValue, JsValue> {
    if Array::is_array(value) {
        let array: &Array = value.unchecked_ref();
        let mut items = Vec::with_capacity(array.length() as usize);
        for item in array.iter() {
            if Array::is_array(&item) {
                return Err(not_a_literal(index, "a nested array"));
            }
            items.push(scalar(&item, index)?);
        }
        return Ok(TemplateValue::List(items));
    }
    scalar(value, index)
}

fn scalar(value: &JsValue, index: usize) -> Result<TemplateValue, JsValue> {
    if let Some(s) = value.as_string() {
        // `as_string` turns a lone surrogate into U+FFFD: the literal would not be the value.
        if !value.unchecked_ref::<js_sys::JsString>().is_valid_utf16() {
            return Err(not_a_literal(index, "a string with a lone surrogate (not sendable)"));
        }
        return Ok(TemplateValue::String(s));
    }
    if let Some(b) = value.as_bool() {
        return Ok(TemplateValue::Bool(b));
    }
    if value.is_null() {
        return Ok(TemplateValue::Null);
    }
    if let Some(n) = value.as_f64() {
        if !n.is_finite() {
            return Err(not_a_literal(index, &format!("`{}`", crate::platform::display_f64(n))));
        }
        return Ok(TemplateValue::Number(n));
    }
    if value.is_bigint() {
        let digits = value
            .dyn_ref::<js_sys::BigInt>()
            .and_then(|b| b.to_string(10).ok())
            .map(String::from)
            .unwrap_or_default();
        return match digits.parse::<i64>() {
            Ok(n) if n.unsigned_abs() <= (1 << 53) => Ok(TemplateValue::Number(n as f64)),
            _ => Err(not_a_literal(index, "a BigInt beyond Number.MAX_SAFE_INTEGER")),
        };
    }
    if let Some(date) = value.dyn_ref::<js_sys::Date>() {
        let millis = date.get_time();
        if millis.is_nan() {
            return Err(not_a_literal(index, "an invalid Date"));
        }
        if !(MIN_MILLIS..=MAX_MILLIS).contains(&millis) {
            return Err(not_a_literal(index, "a Date outside the years 0000-9999"));
        }
        return Ok(TemplateValue::DateTime(DateTimeOffset::from_unix_millis(millis as i64)));
    }
    let kind = if value.is_undefined() {
        "`undefined` (use `null` for null)".to_string()
    } else if JsFilter::canonical_of(value).is_some() {
        "a Filter (values are literals, never syntax)".to_string()
    } else if value.is_function() {
        "a function".to_string()
    } else if value.is_symbol() {
        "a symbol".to_string()
    } else {
        "an object".to_string()
    };
    Err(not_a_literal(index, &kind))
}

fn not_a_literal(index: usize, what: &str) -> JsValue {
    boundary(
        ErrorCode::InvalidFilter,
        &format!(
            "value {} of the filter template is {what}: only strings, numbers, booleans, null, \
             Dates and arrays of those can be interpolated",
            index + 1
        ),
    )
}
