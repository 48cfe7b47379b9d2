//! Query exports: `validateFilter`, the `filter` tag (`filterTemplate`), `buildQuery`,
//! `matchesFilter`.

use std::borrow::Cow;
use std::cell::RefCell;

use js_sys::{Array, Object, Reflect};
use wasm_bindgen::prelude::*;

use super::convert::{get, js_err, json_value, options_object, string_arg};
use super::error::{boundary, type_error};
use super::extra::{extra_fields, schema_of};
use super::JsFilter;
use crate::datetime::DateTimeOffset;
use crate::error::ErrorCode;
use crate::extra_fields::ExtraFields;
use crate::query::lexer::len_utf16;
use crate::query::template::Template;
use crate::query::{self, OrderBy, ReferralQuery, TemplateValue};
use crate::schema::ComplexType;

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
    let mut extra = ExtraFields::new();
    if let Some(options) = options {
        let known = &["schema", "extraFields"];
        if let Some(options) = options_object(&options, "validateFilter options", known)? {
            if let Some(value) = get(&options, "schema")? {
                schema = value.as_bool().ok_or_else(|| {
                    type_error("validateFilter: options.schema must be a boolean")
                })?;
            }
            if let Some(value) = get(&options, "extraFields")? {
                extra = extra_fields(&value, "validateFilter: options.extraFields")?;
            }
        }
    }
    let schema = if schema { Some(extra.schema().map_err(js_err)?) } else { None };
    INFO_BUFFERS
        .with(|buffers| {
            let mut fresh = InfoBuffers::default();
            let mut reused = buffers.try_borrow_mut();
            // `filterInfo` never calls back into Rust, so the buffers are never in use here;
            // fresh ones would still be correct.
            let InfoBuffers { canonical, sent, spans } = match &mut reused {
                Ok(reused) => &mut **reused,
                Err(_) => &mut fresh,
            };
            let mut tree = None;
            let fields = query::validate_into(&source, schema, &mut tree, canonical)?;
            Ok(filter_info(&text, &source, canonical, &fields, sent, spans))
        })
        .map_err(js_err)
}

/// The `filter` template tag, minus the rest parameter (the package's `filter(strings,
/// ...values)` calls this with `values` as an array when `strings` cannot be kept).
#[wasm_bindgen(js_name = filterTemplate, skip_typescript)]
pub fn filter_template(
    strings: JsValue,
    values: JsValue,
    schema: Option<u32>,
) -> Result<JsFilter, JsValue> {
    compile_filter_template(strings, schema)?.build(values)
}

/// One call site of the `filter` tag, compiled: the package's `filter` keeps one per
/// `strings` array (the same frozen array at every evaluation of a tagged template) and calls
/// `build(values)` with the values of each evaluation. See `query::template::Template`.
#[wasm_bindgen(skip_typescript)]
#[derive(Debug)]
pub struct FilterTemplate {
    template: RefCell<Template>,
    /// The number of the referral type it checks against (see `extra.rs`).
    schema: u32,
    /// The frozen `fields` array of each of the template's plans, made on first use and
    /// shared by every `Filter` built from that plan.
    fields: RefCell<Vec<Option<JsValue>>>,
}

/// `compileFilterTemplate(strings, schema?)`: checks a tagged template's strings (the errors
/// `filter` gives for them) and compiles them against the referral type numbered `schema`
/// (the documented one when absent; a `filter.withExtraFields` tag passes its own).
#[wasm_bindgen(js_name = compileFilterTemplate, skip_typescript)]
pub fn compile_filter_template(
    strings: JsValue,
    schema: Option<u32>,
) -> Result<FilterTemplate, JsValue> {
    let strings = template_strings(&strings)?;
    let schema = schema.unwrap_or(0);
    Ok(FilterTemplate {
        template: RefCell::new(Template::new_in(strings, schema_of(schema))),
        schema,
        fields: RefCell::new(Vec::new()),
    })
}

#[wasm_bindgen]
impl FilterTemplate {
    /// The `Filter` for one evaluation's values (an array, one fewer than the strings).
    pub fn build(&self, values: JsValue) -> Result<JsFilter, JsValue> {
        let parts = self.template.try_borrow().map(|t| t.parts()).unwrap_or(0);
        if !Array::is_array(&values) {
            return Err(type_error("filter is a template tag: use it as filter`...`"));
        }
        let values: &Array = values.unchecked_ref();
        let count = values.length() as usize;
        if count + 1 != parts {
            return Err(type_error("filter is a template tag: use it as filter`...`"));
        }
        // Read every value (which may run user code, e.g. a Date subclass's `getTime`) before
        // borrowing the template.
        let mut converted = Vec::with_capacity(count);
        for i in 0..count {
            converted.push(template_value(&values.get(i as u32), i)?);
        }
        let (Ok(mut template), Ok(mut cache)) =
            (self.template.try_borrow_mut(), self.fields.try_borrow_mut())
        else {
            return Err(type_error("filter: template in use"));
        };
        let built = template.build(&converted).map_err(js_err)?;
        let fields = match built.fields {
            Ok(plan) => {
                if cache.len() <= plan {
                    cache.resize(plan + 1, None);
                }
                match cache.get_mut(plan) {
                    Some(Some(fields)) => fields.clone(),
                    Some(slot) => {
                        let fields = js_strings(template.plan_fields(plan));
                        *slot = Some(fields.clone());
                        fields
                    }
                    None => js_strings(template.plan_fields(plan)),
                }
            }
            Err(own) => js_strings(&own),
        };
        Ok(super::new_filter(&built.canonical, &fields, self.schema))
    }
}

fn js_strings(items: &[String]) -> JsValue {
    items.iter().map(|f| JsValue::from_str(f)).collect::<Array>().into()
}

/// `buildQuery(query)`: the query string `$filter=…&$select=…&$orderby=…&$top=…&$count=true`
/// (no leading `?`), every value percent-encoded.
#[wasm_bindgen(js_name = buildQuery)]
pub fn build_query(
    #[wasm_bindgen(unchecked_param_type = "ReferralQuery")] query: JsValue,
) -> Result<String, JsValue> {
    query_string(&query, "buildQuery query", &ExtraFields::new())
}

/// `matchesFilter(f, referral, options?)`: evaluates a filter over one referral in memory;
/// `now()` is `Date.now()`. A string filter may name `options.extraFields`; a `Filter` uses
/// the fields it was made with.
#[wasm_bindgen(js_name = matchesFilter)]
pub fn matches_filter(
    #[wasm_bindgen(unchecked_param_type = "string | Filter")] f: JsValue,
    #[wasm_bindgen(unchecked_param_type = "Referral")] referral: JsValue,
    #[wasm_bindgen(unchecked_optional_param_type = "MatchesFilterOptions")] options: Option<Object>,
) -> Result<bool, JsValue> {
    let (text, schema) = match f.as_string() {
        Some(text) => (text, None),
        None => {
            let text = JsFilter::canonical_of(&f)
                .ok_or_else(|| type_error("matchesFilter: f must be a string or a Filter"))?;
            (text, Some(schema_of(JsFilter::schema_of(&f).unwrap_or(0))))
        }
    };
    let mut extra = ExtraFields::new();
    if let Some(options) = options {
        if let Some(options) = options_object(&options, "matchesFilter options", &["extraFields"])?
        {
            if let Some(value) = get(&options, "extraFields")? {
                extra = extra_fields(&value, "matchesFilter: options.extraFields")?;
            }
        }
    }
    let schema = match schema {
        Some(schema) => schema,
        None => extra.schema().map_err(js_err)?,
    };
    // Read the referral first: JSON.stringify may run user code (toJSON), which must not find
    // the cache borrowed.
    let record = json_value(&referral, "matchesFilter: referral")?;
    let now = DateTimeOffset::from_unix_millis(js_sys::Date::now() as i64);
    with_cached_filter(&text, schema, |filter| filter.matches(&record, now))
}

/// The last filter `matchesFilter` parsed and the referral type it was checked against.
type CachedFilter = (String, &'static ComplexType, query::Filter);

thread_local! {
    /// The last filter `matchesFilter` parsed: a loop over many referrals parses it once.
    static LAST_FILTER: RefCell<Option<CachedFilter>> = const { RefCell::new(None) };
}

fn with_cached_filter<T>(
    text: &str,
    schema: &'static ComplexType,
    f: impl FnOnce(&query::Filter) -> T,
) -> Result<T, JsValue> {
    let parse = || query::Filter::parse_in(text, schema).map_err(js_err);
    LAST_FILTER.with(|cell| match cell.try_borrow_mut() {
        Ok(mut slot) => {
            let hit = matches!(&*slot, Some((cached, s, _)) if cached == text && std::ptr::eq(*s, schema));
            if !hit {
                *slot = Some((text.to_owned(), schema, parse()?));
            }
            match &*slot {
                Some((_, _, filter)) => Ok(f(filter)),
                None => parse().map(|filter| f(&filter)),
            }
        }
        Err(_) => parse().map(|filter| f(&filter)),
    })
}

/// The query string of a JS `ReferralQuery` (`buildQuery`, the client's `list` and `all`):
/// a genuine `Filter` is sent as its canonical text without being parsed again. The query's
/// `extraFields` are merged over `base` (a client's), and the filter and `select` may name
/// them.
pub(crate) fn query_string(
    value: &JsValue,
    what: &str,
    base: &ExtraFields,
) -> Result<String, JsValue> {
    let (query, canonical, extra) = read_query(value, what)?;
    let schema = match extra {
        Some(extra) => base.merged(&extra).and_then(|merged| merged.schema()),
        None => base.schema(),
    }
    .map_err(js_err)?;
    let built = if canonical {
        query::encode::build_query_canonical_in(&query, schema)
    } else {
        query::encode::build_query_in(&query, schema)
    };
    built.map_err(js_err)
}

/// A JS `ReferralQuery` → the core's, checking every property's JS type: a wrong `select`,
/// `orderBy` or `top` is the `ODataError` of that option; an unknown property or a non-boolean
/// `count` is a `TypeError`. Also says whether the filter is a `Filter`'s canonical text, and
/// gives the query's `extraFields`.
fn read_query(
    value: &JsValue,
    what: &str,
) -> Result<(ReferralQuery, bool, Option<ExtraFields>), JsValue> {
    const KNOWN: &[&str] = &["filter", "select", "orderBy", "top", "count", "extraFields"];
    let mut out = ReferralQuery::default();
    let mut canonical = false;
    let mut extra = None;
    if value.is_null_or_undefined() {
        return Ok((out, canonical, extra));
    }
    KEYS.with(|keys| {
        let query = value;
        let known = [
            &keys.filter,
            &keys.select,
            &keys.order_by,
            &keys.top,
            &keys.count,
            &keys.extra_fields,
        ];
        if !only_keys(query, &known) {
            // Not an object, or an unknown property: the checker that words the error.
            options_object(query, what, KNOWN)?;
        }
        if let Some(filter) = get_key(query, &keys.filter)? {
            out.filter = Some(match filter.as_string() {
                Some(text) => text,
                None => {
                    canonical = true;
                    JsFilter::canonical_of(&filter).ok_or_else(|| {
                        boundary(
                            ErrorCode::InvalidFilter,
                            "query.filter must be a string or a Filter",
                        )
                    })?
                }
            });
        }
        if let Some(select) = get_key(query, &keys.select)? {
            let invalid = || {
                boundary(
                    ErrorCode::InvalidSelect,
                    "query.select must be an array of property names",
                )
            };
            if !Array::is_array(&select) {
                return Err(invalid());
            }
            let names = select.unchecked_ref::<Array>().iter().map(|v| v.as_string());
            out.select = Some(names.collect::<Option<Vec<_>>>().ok_or_else(invalid)?);
        }
        if let Some(order_by) = get_key(query, &keys.order_by)? {
            out.order_by = Some(order_by_value(&order_by, keys)?);
        }
        if let Some(top) = get_key(query, &keys.top)? {
            let top = top.as_f64().ok_or_else(|| {
                boundary(ErrorCode::InvalidTop, "query.top must be a positive integer")
            })?;
            out.top = Some(top);
        }
        if let Some(count) = get_key(query, &keys.count)? {
            out.count =
                Some(count.as_bool().ok_or_else(|| type_error("query.count must be a boolean"))?);
        }
        if let Some(value) = get_key(query, &keys.extra_fields)? {
            extra = Some(extra_fields(&value, "query.extraFields")?);
        }
        Ok((out, canonical, extra))
    })
}

/// The property names `buildQuery` reads, made into JS strings once (each `JsValue::from_str`
/// is a UTF-8 decode on the JS side).
struct Keys {
    filter: JsValue,
    select: JsValue,
    order_by: JsValue,
    top: JsValue,
    count: JsValue,
    extra_fields: JsValue,
    field: JsValue,
    direction: JsValue,
    /// The usual values of `orderBy.field` / `orderBy.direction`, recognised without copying.
    values: [(JsValue, &'static str); 4],
}

thread_local! {
    static KEYS: Keys = Keys {
        filter: JsValue::from_str("filter"),
        select: JsValue::from_str("select"),
        order_by: JsValue::from_str("orderBy"),
        top: JsValue::from_str("top"),
        count: JsValue::from_str("count"),
        extra_fields: JsValue::from_str("extraFields"),
        field: JsValue::from_str("field"),
        direction: JsValue::from_str("direction"),
        values: ["createdDateTime", "updatedDateTime", "asc", "desc"]
            .map(|v| (JsValue::from_str(v), v)),
    };
}

/// Whether `value` is a plain object (not a function or array) whose own enumerable keys are
/// all in `known`: the case `options_object` lets through, tested without copying key text.
fn only_keys(value: &JsValue, known: &[&JsValue]) -> bool {
    value.is_object()
        && !Array::is_array(value)
        && Object::keys(value.unchecked_ref::<Object>())
            .iter()
            .all(|key| known.iter().any(|k| **k == key))
}

/// Property `key` of `object`, `None` when absent or `undefined`.
fn get_key(object: &JsValue, key: &JsValue) -> Result<Option<JsValue>, JsValue> {
    let value = Reflect::get(object, key)?;
    Ok(if value.is_undefined() { None } else { Some(value) })
}

fn order_by_value(value: &JsValue, keys: &Keys) -> Result<OrderBy, JsValue> {
    let invalid = |message: &str| boundary(ErrorCode::InvalidOrderBy, message);
    if let Some(text) = value.as_string() {
        return Ok(OrderBy::Text(text));
    }
    if !value.is_object() || value.is_function() || Array::is_array(value) {
        return Err(invalid("query.orderBy must be a string or { field, direction }"));
    }
    if !only_keys(value, &[&keys.field, &keys.direction]) {
        for key in Object::keys(value.unchecked_ref::<Object>()).iter() {
            let key = key.as_string().unwrap_or_default();
            if key != "field" && key != "direction" {
                return Err(invalid(&format!(
                    "unknown query.orderBy property `{key}`; known: field, direction"
                )));
            }
        }
    }
    // The usual values are compared in JS (`===`) rather than copied into Rust.
    let text = |v: &JsValue| match keys.values.iter().find(|(known, _)| known == v) {
        Some((_, name)) => Some((*name).to_string()),
        None => v.as_string(),
    };
    let field = get_key(value, &keys.field)?
        .and_then(|f| text(&f))
        .ok_or_else(|| invalid("query.orderBy.field must be a string"))?;
    let direction = match get_key(value, &keys.direction)? {
        None => None,
        Some(d) => Some(
            text(&d)
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

/// validateFilter's buffers, reused from call to call: the canonical text, and what
/// `filter_info` sends to JS.
#[derive(Default)]
struct InfoBuffers {
    canonical: String,
    sent: String,
    spans: Vec<u32>,
}

thread_local! {
    static INFO_BUFFERS: RefCell<InfoBuffers> = const {
        RefCell::new(InfoBuffers { canonical: String::new(), sent: String::new(), spans: Vec::new() })
    };
}

/// Marks a span of `filterInfo`'s `sent` text (otherwise a span is in the canonical text).
const IN_SENT: u32 = 0x8000_0000;

/// `{ canonical, fields }` as a plain object, in one call to JS, with as little text crossing
/// the boundary as possible (each Rust → JS string is a UTF-8 decode in JS, the dominant cost
/// of a call): when the canonical form is the input (most filters are written canonically),
/// the input's own JS string is used; every field found in the canonical text is a `slice` of
/// it; only the rest (paths under a lambda variable) is sent as text.
fn filter_info(
    text_js: &JsValue,
    text: &str,
    canonical: &str,
    fields: &[Cow<'_, str>],
    sent: &mut String,
    spans: &mut Vec<u32>,
) -> JsValue {
    sent.clear();
    spans.clear();
    // In ASCII text (most filters) a byte offset is a UTF-16 offset: nothing to count.
    let ascii = canonical.is_ascii();
    let utf16 =
        |s: &str| if ascii { u32::try_from(s.len()).unwrap_or(u32::MAX) } else { len_utf16(s) };
    // Without U+FFFD in `text`, the JS input had no lone surrogate (`as_string` replaces each
    // with U+FFFD), so it is exactly `text`.
    if canonical == text && (ascii || !text.contains('\u{FFFD}')) {
        spans.push(u32::MAX);
    } else {
        sent.push_str(canonical);
        spans.push(utf16(canonical));
    }
    let mut sent_utf16 = if spans[0] == u32::MAX { 0 } else { spans[0] };
    for field in fields {
        match find(canonical, field) {
            Some(at) => {
                // invariant: `find` returns a character boundary; a field found in ASCII
                // text is ASCII.
                let start = utf16(canonical.get(..at).unwrap_or(""));
                spans.extend([start, start + utf16(field)]);
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

/// Where `needle` first occurs in `haystack` (as `str::find`): a plain scan, cheaper than
/// `find`'s two-way searcher (whose set-up costs more than the search for a field name in a
/// filter), and a `while` loop: an iterator's closure would be a call per byte at opt-level
/// z. A match starts at a character boundary because `needle` is valid UTF-8 and so does not
/// start with a continuation byte.
fn find(haystack: &str, needle: &str) -> Option<usize> {
    let (hay, needle) = (haystack.as_bytes(), needle.as_bytes());
    let Some((&first, _)) = needle.split_first() else {
        return Some(0);
    };
    let last = hay.len().checked_sub(needle.len())?;
    let mut at = 0;
    // invariant: `at <= last < hay.len()`.
    while at <= last {
        if hay[at] == first && hay[at..].starts_with(needle) {
            return Some(at);
        }
        at += 1;
    }
    None
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
    // The kinds are disjoint, so testing the commonest first changes no outcome.
    if let Some(s) = value.as_string() {
        return string_value(value, s, index);
    }
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
        return string_value(value, s, index);
    }
    if value.is_object() {
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
    } else {
        if let Some(n) = value.as_f64() {
            if !n.is_finite() {
                return Err(not_a_literal(
                    index,
                    &format!("`{}`", crate::platform::display_f64(n)),
                ));
            }
            return Ok(TemplateValue::Number(n));
        }
        if let Some(b) = value.as_bool() {
            return Ok(TemplateValue::Bool(b));
        }
        if value.is_null() {
            return Ok(TemplateValue::Null);
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

/// A string value (`s` is `value` as read by `as_string`).
fn string_value(value: &JsValue, s: String, index: usize) -> Result<TemplateValue, JsValue> {
    // `as_string` turns a lone surrogate into U+FFFD: the literal would not be the value.
    // (Only a string with a U+FFFD can have had one: look closer only then.)
    if s.contains('\u{fffd}') && !value.unchecked_ref::<js_sys::JsString>().is_valid_utf16() {
        return Err(not_a_literal(index, "a string with a lone surrogate (not sendable)"));
    }
    Ok(TemplateValue::String(s))
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
