//! The OData side of `GET /v1.0/engagements/referrals`: query options (validated with the
//! library's own parser, checker and evaluator, so the emulator and the library agree by
//! construction), ordering, `$select` projection, server-driven paging with an opaque
//! `$skiptoken`, and the Partner API error body.

use std::cmp::Ordering;

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::extra_fields::{ExtraFields, FieldType};
use partner_referrals::query::{
    encode::{canonical_select_in, check_top, order_items},
    percent_encode, query_pairs, Filter, OrderBy,
};
use partner_referrals::schema::{ComplexType, REFERRAL};
use serde_json::{json, Map, Value};

/// The fields the emulator serves beyond the library's schema, as the real service does
/// (`isSpam`, seen in real payloads): a client reaches them only by declaring them
/// (`extraFields`).
pub const SERVED_EXTRA_FIELDS: &[(&str, FieldType)] = &[("isSpam", FieldType::Boolean)];

/// The referral type the emulator checks `$filter` and `$select` against: the library's,
/// with [`SERVED_EXTRA_FIELDS`].
pub fn served_schema() -> &'static ComplexType {
    let mut extra = ExtraFields::new();
    for (path, ty) in SERVED_EXTRA_FIELDS {
        // invariant: the declarations are valid and one set (tested); fall back to the
        // documented schema rather than panic.
        if extra.declare(path, ty.clone()).is_err() {
            return &REFERRAL;
        }
    }
    extra.schema().unwrap_or(&REFERRAL)
}

/// Page size when the request has no `$top`, and the largest page served (a larger `$top` is
/// capped): the 2018-2019 documentation's maximum of 100.
pub const DEFAULT_PAGE_SIZE: usize = 100;

/// An error answer in the documented Partner API shape
/// `{"error":{"code","message","target"}}`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ApiError {
    /// HTTP status.
    pub status: u16,
    /// `error.code` (`invalidRequest`, `itemNotFound`, `unauthenticated`, …).
    pub code: &'static str,
    /// `error.message`.
    pub message: String,
    /// `error.target`.
    pub target: String,
}

impl ApiError {
    /// A 400 `invalidRequest` about query option `target`.
    pub fn invalid(target: &str, message: impl Into<String>) -> ApiError {
        ApiError {
            status: 400,
            code: "invalidRequest",
            message: message.into(),
            target: target.into(),
        }
    }

    /// The JSON body.
    pub fn body(&self) -> Value {
        json!({ "error": { "code": self.code, "message": self.message, "target": self.target } })
    }
}

/// One `$orderby` key.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SortField {
    /// `createdDateTime`
    Created,
    /// `updatedDateTime`
    Updated,
}

impl SortField {
    fn name(self) -> &'static str {
        match self {
            SortField::Created => "createdDateTime",
            SortField::Updated => "updatedDateTime",
        }
    }
}

/// The validated options of one list request.
#[derive(Debug, Clone, Default)]
pub struct ListOptions {
    /// `$filter`, parsed and checked against the schema.
    pub filter: Option<Filter>,
    /// `$select`: top-level property names (validated, duplicates dropped).
    pub select: Option<Vec<String>>,
    /// `$orderby` keys with `true` for descending; empty = the default order
    /// (`createdDateTime desc`).
    pub order: Vec<(SortField, bool)>,
    /// `$top`: the page size asked for (capped when serving).
    pub top: Option<u32>,
    /// `$count` as sent (`@odata.count` is sent either way).
    pub count: Option<bool>,
}

/// Query options the emulator rejects because the API does not document them.
const UNSUPPORTED: &[&str] = &[
    "$skip",
    "$expand",
    "$search",
    "$apply",
    "$compute",
    "$format",
    "$levels",
    "$index",
    "$schemaversion",
    "$deltatoken",
];

impl ListOptions {
    /// Parses decoded query pairs. System options (`$…`) are matched case-insensitively and
    /// may appear once; other parameters are ignored (OData custom options). `$skiptoken` is
    /// returned separately.
    ///
    /// # Errors
    /// 400 `invalidRequest` with `target` the offending option.
    pub fn parse(pairs: &[(String, String)]) -> Result<(ListOptions, Option<String>), ApiError> {
        let mut options = ListOptions::default();
        let mut skiptoken = None;
        let mut seen: Vec<String> = Vec::new();
        for (key, value) in pairs {
            let name = key.trim().to_ascii_lowercase();
            if !name.starts_with('$') {
                continue;
            }
            if seen.contains(&name) {
                return Err(ApiError::invalid(
                    key,
                    format!("query option `{key}` is specified more than once"),
                ));
            }
            seen.push(name.clone());
            match name.as_str() {
                "$filter" => {
                    let filter = Filter::parse_in(value, served_schema())
                        .map_err(|e| ApiError::invalid("$filter", e.to_string()))?;
                    options.filter = Some(filter);
                }
                "$select" => {
                    let names: Vec<String> =
                        value.split(',').map(|s| s.trim().to_string()).collect();
                    let select = if names == ["*"] {
                        None
                    } else {
                        Some(
                            canonical_select_in(&names, served_schema())
                                .map_err(|e| ApiError::invalid("$select", e.to_string()))?,
                        )
                    };
                    options.select = select;
                }
                "$orderby" => {
                    let items = order_items(&OrderBy::Text(value.clone()))
                        .map_err(|e| ApiError::invalid("$orderby", e.to_string()))?;
                    options.order = items
                        .iter()
                        .map(|(field, direction)| {
                            let field = if field == "updatedDateTime" {
                                SortField::Updated
                            } else {
                                SortField::Created
                            };
                            let desc = direction
                                .as_deref()
                                .is_some_and(|d| d.eq_ignore_ascii_case("desc"));
                            (field, desc)
                        })
                        .collect();
                }
                "$top" => {
                    let trimmed = value.trim();
                    let top = if !trimmed.is_empty() && trimmed.bytes().all(|b| b.is_ascii_digit())
                    {
                        trimmed.parse::<f64>().unwrap_or(f64::INFINITY)
                    } else {
                        f64::NAN
                    };
                    let top = check_top(top).map_err(|_| {
                        ApiError::invalid(
                            "$top",
                            format!("`$top` must be a positive integer, found `{value}`"),
                        )
                    })?;
                    options.top = Some(top);
                }
                "$count" => {
                    options.count = match value.trim().to_ascii_lowercase().as_str() {
                        "true" => Some(true),
                        "false" => Some(false),
                        _ => {
                            return Err(ApiError::invalid(
                                "$count",
                                format!("`$count` must be `true` or `false`, found `{value}`"),
                            ))
                        }
                    };
                }
                "$skiptoken" => skiptoken = Some(value.clone()),
                other if UNSUPPORTED.contains(&other) => {
                    return Err(ApiError::invalid(
                        key,
                        format!("query option `{key}` is not supported by this API"),
                    ))
                }
                _ => return Err(ApiError::invalid(key, format!("unknown query option `{key}`"))),
            }
        }
        Ok((options, skiptoken))
    }

    /// The options as a query string that [`ListOptions::parse`] reads back to the same
    /// options (what a skiptoken carries).
    pub fn to_query(&self) -> String {
        let mut parts = Vec::new();
        if let Some(filter) = &self.filter {
            parts.push(format!("$filter={}", percent_encode(filter.canonical())));
        }
        if let Some(select) = &self.select {
            parts.push(format!("$select={}", percent_encode(&select.join(","))));
        }
        if !self.order.is_empty() {
            let items: Vec<String> = self
                .order
                .iter()
                .map(|(f, desc)| format!("{} {}", f.name(), if *desc { "desc" } else { "asc" }))
                .collect();
            parts.push(format!("$orderby={}", percent_encode(&items.join(","))));
        }
        if let Some(top) = self.top {
            parts.push(format!("$top={top}"));
        }
        if let Some(count) = self.count {
            parts.push(format!("$count={count}"));
        }
        parts.join("&")
    }

    /// The `@odata.context` fragment: `Referrals` or `Referrals(id,status)`.
    pub fn context_fragment(&self) -> String {
        match &self.select {
            Some(names) => format!("Referrals({})", names.join(",")),
            None => "Referrals".to_string(),
        }
    }
}

/// A stored referral with its sort keys parsed once.
#[derive(Debug, Clone)]
pub struct Record {
    /// The referral as served.
    pub value: Value,
    /// Its `id` (empty when missing).
    pub id: String,
    /// Parsed `createdDateTime`.
    pub created: Option<DateTimeOffset>,
    /// Parsed `updatedDateTime`.
    pub updated: Option<DateTimeOffset>,
}

impl Record {
    /// Wraps a referral.
    pub fn new(value: Value) -> Record {
        let date =
            |name: &str| value.get(name)?.as_str().and_then(|s| DateTimeOffset::parse(s).ok());
        Record {
            id: value.get("id").and_then(Value::as_str).unwrap_or("").to_string(),
            created: date("createdDateTime"),
            updated: date("updatedDateTime"),
            value,
        }
    }

    fn key(&self, field: SortField) -> Option<DateTimeOffset> {
        match field {
            SortField::Created => self.created,
            SortField::Updated => self.updated,
        }
    }
}

/// Compares two records by `order` (empty = `createdDateTime desc`), then by id ascending so
/// the order is total and paging is stable. A missing date sorts first ascending (OData:
/// null is the smallest value).
pub fn compare(a: &Record, b: &Record, order: &[(SortField, bool)]) -> Ordering {
    const DEFAULT: &[(SortField, bool)] = &[(SortField::Created, true)];
    let order = if order.is_empty() { DEFAULT } else { order };
    for &(field, desc) in order {
        let o = a.key(field).cmp(&b.key(field));
        let o = if desc { o.reverse() } else { o };
        if o != Ordering::Equal {
            return o;
        }
    }
    a.id.cmp(&b.id)
}

/// The top-level properties of `referral` named in `select` (all when `None`); selected
/// properties the referral does not have are left out.
pub fn project(referral: &Value, select: Option<&[String]>) -> Value {
    match (select, referral.as_object()) {
        (Some(names), Some(map)) => {
            let mut out = Map::new();
            for name in names {
                if let Some(v) = map.get(name) {
                    out.insert(name.clone(), v.clone());
                }
            }
            Value::Object(out)
        }
        _ => referral.clone(),
    }
}

/// What a skiptoken carries: where the next page starts and the options of the first request.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SkipToken {
    /// Index of the first referral of the page (in the filtered, ordered list).
    pub offset: usize,
    /// The first request's options, as [`ListOptions::to_query`] wrote them.
    pub query: String,
}

impl SkipToken {
    /// The opaque text: base64url (no padding) of `v1 <offset> <query>`.
    pub fn encode(&self) -> String {
        base64url_encode(format!("v1 {} {}", self.offset, self.query).as_bytes())
    }

    /// Reads a token written by [`SkipToken::encode`].
    ///
    /// # Errors
    /// 400 `invalidRequest` (target `$skiptoken`) for anything else.
    pub fn decode(text: &str) -> Result<SkipToken, ApiError> {
        let bad = || ApiError::invalid("$skiptoken", "the `$skiptoken` is invalid or expired");
        let bytes = base64url_decode(text.trim()).ok_or_else(bad)?;
        let text = String::from_utf8(bytes).map_err(|_| bad())?;
        let rest = text.strip_prefix("v1 ").ok_or_else(bad)?;
        let (offset, query) = rest.split_once(' ').ok_or_else(bad)?;
        let offset = offset.parse().map_err(|_| bad())?;
        Ok(SkipToken { offset, query: query.to_string() })
    }

    /// The options the token carries.
    ///
    /// # Errors
    /// 400 `invalidRequest` (target `$skiptoken`) when they no longer parse.
    pub fn options(&self) -> Result<ListOptions, ApiError> {
        match ListOptions::parse(&query_pairs(&self.query)) {
            Ok((options, None)) => Ok(options),
            _ => Err(ApiError::invalid("$skiptoken", "the `$skiptoken` is invalid or expired")),
        }
    }
}

const B64: &[u8; 64] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";

/// Base64url without padding.
pub fn base64url_encode(bytes: &[u8]) -> String {
    let mut out = String::with_capacity(bytes.len().div_ceil(3) * 4);
    for chunk in bytes.chunks(3) {
        let n = chunk.iter().enumerate().fold(0u32, |n, (i, b)| n | u32::from(*b) << (16 - 8 * i));
        for i in 0..=chunk.len() {
            out.push(char::from(B64[(n >> (18 - 6 * i) & 63) as usize]));
        }
    }
    out
}

/// Decodes base64url without padding; `None` for any other text.
pub fn base64url_decode(text: &str) -> Option<Vec<u8>> {
    if text.len() % 4 == 1 {
        return None;
    }
    let mut out = Vec::with_capacity(text.len() * 3 / 4);
    for chunk in text.as_bytes().chunks(4) {
        let mut n = 0u32;
        for (i, c) in chunk.iter().enumerate() {
            let v = B64.iter().position(|b| b == c)? as u32;
            n |= v << (18 - 6 * i);
        }
        for i in 0..chunk.len() - 1 {
            out.push((n >> (16 - 8 * i)) as u8);
        }
    }
    Some(out)
}

/// One page of a list response.
#[derive(Debug)]
pub struct Page {
    /// The page body (`@odata.context`, `@odata.count`, `value`, `@odata.nextLink`).
    pub body: Value,
    /// How many referrals it holds.
    pub len: usize,
}

/// Builds the page starting at `offset` over `records` for `options`: filter with the
/// library's evaluator (`now` is what `now()` returns), order, count, cut a page of
/// `min($top, max_page)` (or `max_page`), project `$select`, and link the next page as
/// `{origin}/v1.0/referrals?$skiptoken=…` (the documented shape).
pub fn page(
    records: &[Record],
    options: &ListOptions,
    offset: usize,
    max_page: usize,
    now: DateTimeOffset,
    origin: &str,
) -> Page {
    let mut matched: Vec<&Record> = records
        .iter()
        .filter(|r| options.filter.as_ref().map_or(true, |f| f.matches(&r.value, now)))
        .collect();
    matched.sort_by(|a, b| compare(a, b, &options.order));
    let size = options.top.map_or(max_page, |t| (t as usize).min(max_page)).max(1);
    let end = offset.saturating_add(size).min(matched.len());
    let slice = matched.get(offset..end).unwrap_or(&[]);
    let value: Vec<Value> =
        slice.iter().map(|r| project(&r.value, options.select.as_deref())).collect();
    let mut body = Map::new();
    body.insert(
        "@odata.context".into(),
        json!(format!("{origin}/v1.0/$metadata#{}", options.context_fragment())),
    );
    body.insert("@odata.count".into(), json!(matched.len()));
    let len = value.len();
    body.insert("value".into(), Value::Array(value));
    if end < matched.len() {
        let token = SkipToken { offset: end, query: options.to_query() }.encode();
        body.insert(
            "@odata.nextLink".into(),
            json!(format!("{origin}/v1.0/referrals?$skiptoken={token}")),
        );
    }
    Page { body: Value::Object(body), len }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pairs(q: &str) -> Vec<(String, String)> {
        query_pairs(q)
    }

    #[test]
    fn base64url_round_trips_every_length() {
        for len in 0..40 {
            let bytes: Vec<u8> = (0..len).map(|i| (i * 37 + 11) as u8).collect();
            let text = base64url_encode(&bytes);
            assert!(text.bytes().all(|b| B64.contains(&b)));
            assert_eq!(base64url_decode(&text).unwrap(), bytes);
        }
        assert_eq!(base64url_encode(b"hello"), "aGVsbG8");
        assert_eq!(base64url_decode("a"), None);
        assert_eq!(base64url_decode("a+=="), None);
    }

    #[test]
    fn options_round_trip_through_a_skiptoken() {
        let (options, token) = ListOptions::parse(&pairs(
            "$FILTER=status eq 'New' and customerProfile/name eq 'O''Brien %26 Co'&$select=id,status,id&$orderby=updatedDateTime,createdDateTime desc&$top=7&$count=true&other=1",
        ))
        .unwrap();
        assert_eq!(token, None);
        assert_eq!(options.select.as_deref(), Some(&["id".to_string(), "status".to_string()][..]));
        assert_eq!(options.order, [(SortField::Updated, false), (SortField::Created, true)]);
        let token = SkipToken { offset: 14, query: options.to_query() };
        let back = SkipToken::decode(&token.encode()).unwrap();
        assert_eq!(back, token);
        let again = back.options().unwrap();
        assert_eq!(again.to_query(), options.to_query());
        assert_eq!(
            again.filter.unwrap().canonical(),
            "status eq 'New' and customerProfile/name eq 'O''Brien & Co'"
        );
        assert_eq!(again.top, Some(7));
        assert!(SkipToken::decode("bm9wZQ").is_err());
    }

    #[test]
    fn option_errors_name_their_target() {
        let err = |q: &str| ListOptions::parse(&pairs(q)).unwrap_err();
        assert_eq!(err("$filter=status eq 'new'").target, "$filter");
        assert!(err("$filter=status eq 'new'").message.contains("did you mean `'New'`"));
        assert_eq!(err("$orderby=name desc").target, "$orderby");
        assert_eq!(err("$select=nope").target, "$select");
        for top in ["0", "-1", "1.5", "x", ""] {
            assert_eq!(err(&format!("$top={top}")).target, "$top", "{top}");
        }
        assert_eq!(err("$count=yes").target, "$count");
        assert_eq!(err("$skip=10").target, "$skip");
        assert_eq!(err("$top=1&$TOP=2").target, "$TOP");
        assert_eq!(err("$frobnicate=1").status, 400);
    }

    #[test]
    fn default_order_is_created_desc_then_id() {
        let r = |id: &str, created: &str| {
            Record::new(json!({ "id": id, "createdDateTime": created, "updatedDateTime": created }))
        };
        let mut v = [
            r("b", "2020-01-01T00:00:00Z"),
            r("a", "2020-01-01T00:00:00Z"),
            r("c", "2021-01-01T00:00:00Z"),
            Record::new(json!({ "id": "z" })),
        ];
        v.sort_by(|a, b| compare(a, b, &[]));
        let ids: Vec<&str> = v.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["c", "a", "b", "z"]);
        v.sort_by(|a, b| compare(a, b, &[(SortField::Created, false)]));
        let ids: Vec<&str> = v.iter().map(|r| r.id.as_str()).collect();
        assert_eq!(ids, ["z", "a", "b", "c"]);
    }
}
