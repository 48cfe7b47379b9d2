//! Writes: the `changes` of an update → a checked RFC 6902 JSON Patch (`replace` and `add`
//! only, the two operations the API supports).
//!
//! One job: turn what the caller wants changed into the operations to send, and refuse before
//! anything is sent what the API would refuse or silently misapply ([`Error::InvalidUpdate`]
//! with the JSON pointer of the offending target). Everything is driven by the schema tables
//! (`crate::schema`): a property is writable when the schema knows it and
//! [`schema::is_read_only`] does not list it, so a field added to the schema is writable
//! without a change here. The status rules (docs/partner-api.md 1.3) are in `transition.rs`.
//!
//! `changes` takes two shapes (docs/writes.md):
//! - an object, a partial referral: every leaf value becomes one `replace` of its path
//!   (`{ details: { dealValue: 10000 } }` → `replace /details/dealValue`); an object under a
//!   complex property is walked, any other value (an array, a string, `null`) is the leaf;
//! - an array of RFC 6902 operations, `{ op: "add" | "replace", path, value }`, for what a
//!   partial referral cannot say: appending (`add /team/-`), or one element of a collection.
//!
//! Imports `error`, `schema`, `datetime` and `platform` (number text). Pure: no JS, no HTTP.

mod transition;

use serde_json::{Map, Value};

use crate::datetime::{Date, DateTimeOffset};
use crate::error::{Error, Result};
use crate::schema::{self, ComplexType, Kind, REFERRAL};

pub use transition::{substatuses_of, Current, STATUSES};

/// The two JSON Patch operations the API supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `replace`: sets the value at an existing path. Applying it twice leaves the same state.
    Replace,
    /// `add`: inserts into a collection (`/team/-` appends) or sets an object member. Applying
    /// it twice can insert twice.
    Add,
}

impl Op {
    /// The RFC 6902 name, `"replace"` or `"add"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            Op::Replace => "replace",
            Op::Add => "add",
        }
    }
}

/// One operation of a [`Patch`].
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `replace` or `add`.
    pub op: Op,
    /// The target, a JSON pointer (RFC 6901: `~` written `~0`, `/` written `~1`).
    pub path: String,
    /// The value, already checked against the schema.
    pub value: Value,
}

/// A checked JSON Patch: at least one operation, every path writable, every value of its
/// property's type, the status rules kept.
#[derive(Debug, Clone, PartialEq)]
pub struct Patch {
    operations: Vec<Operation>,
}

impl Patch {
    /// The operations, in the order they are sent.
    pub fn operations(&self) -> &[Operation] {
        &self.operations
    }

    /// The operations, moved out.
    pub fn into_operations(self) -> Vec<Operation> {
        self.operations
    }

    /// Whether sending the patch twice leaves the same state as sending it once: every
    /// operation is a `replace`. Only such a patch is retried after a failure that may have
    /// happened after the server applied it (a network failure, a time-out, a 504).
    pub fn is_replay_safe(&self) -> bool {
        self.operations.iter().all(|o| o.op == Op::Replace)
    }

    /// The request body: `[{"op":"replace","path":"/status","value":"Active"},…]`, compact,
    /// object keys in sorted order, strings escaped as `serde_json` escapes them.
    pub fn to_json(&self) -> String {
        let mut out = String::from("[");
        for (i, o) in self.operations.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            out.push_str("{\"op\":\"");
            out.push_str(o.op.as_str());
            out.push_str("\",\"path\":");
            write_string(&mut out, &o.path);
            out.push_str(",\"value\":");
            write_value(&mut out, &o.value);
            out.push('}');
        }
        out.push(']');
        out
    }
}

/// Builds the patch for `changes` (a partial referral or an array of operations, see the
/// module docs), checked against the schema and, when `current` is given (the referral's
/// status and substatus as last read), against the transitions of docs/partner-api.md 1.3.
///
/// ```
/// # use partner_referrals::patch::build_patch;
/// let changes = serde_json::json!({ "details": { "dealValue": 10000, "notes": "call back" } });
/// let patch = build_patch(changes, None).unwrap();
/// assert_eq!(
///     patch.to_json(),
///     r#"[{"op":"replace","path":"/details/dealValue","value":10000},{"op":"replace","path":"/details/notes","value":"call back"}]"#
/// );
/// ```
///
/// # Errors
/// `InvalidUpdate` ([`Error::InvalidUpdate`], with the JSON pointer of the offending target):
/// changes that are neither an object nor an array, or that change nothing; an unknown or
/// read-only path; a malformed operation or pointer; an operation other than `add`/`replace`;
/// a value of the wrong JSON type (a date-time that does not parse, a decimal string that is
/// no number), an enum value outside the enum; a status/substatus pair or a transition that
/// partner-api.md 1.3 forbids.
pub fn build_patch(changes: Value, current: Option<&Current<'_>>) -> Result<Patch> {
    let mut operations = Vec::new();
    match changes {
        Value::Object(map) => partial(map, &REFERRAL, "", "", &mut operations)?,
        Value::Array(items) => {
            for (index, item) in items.into_iter().enumerate() {
                operations.push(operation(item, index)?);
            }
        }
        _ => return Err(refuse(
            "",
            "changes must be an object (a partial referral) or an array of JSON Patch operations",
        )),
    }
    if operations.is_empty() {
        return Err(refuse("", "the changes contain nothing to change"));
    }
    transition::check(&operations, current)?;
    Ok(Patch { operations })
}

/// The patch of `{ status, substatus }` (and `statusReason` when given): what `accept` and
/// `decline` send, checked like [`build_patch`].
///
/// # Errors
/// As [`build_patch`].
pub fn status_patch(
    status: &str,
    substatus: &str,
    reason: Option<&str>,
    current: Option<&Current<'_>>,
) -> Result<Patch> {
    let mut changes = Map::new();
    changes.insert("status".into(), Value::String(status.into()));
    changes.insert("substatus".into(), Value::String(substatus.into()));
    if let Some(reason) = reason {
        changes.insert("statusReason".into(), Value::String(reason.into()));
    }
    build_patch(Value::Object(changes), current)
}

/// The error of a refused change at `path`.
#[cold]
fn refuse(path: &str, message: impl Into<String>) -> Error {
    Error::InvalidUpdate { path: path.to_string(), message: message.into() }
}

/// `pointer` followed by `/` and `key` as one JSON pointer segment (RFC 6901: `~` → `~0`,
/// `/` → `~1`).
pub fn child_pointer(pointer: &str, key: &str) -> String {
    let mut out = String::with_capacity(pointer.len() + key.len() + 1);
    out.push_str(pointer);
    out.push('/');
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
    out
}

/// The value at `pointer` (RFC 6901) in `root`, if there is one.
pub fn value_at<'v>(root: &'v Value, pointer: &str) -> Option<&'v Value> {
    let mut at = root;
    for raw in pointer.strip_prefix('/')?.split('/') {
        at = match at {
            Value::Object(map) => map.get(&unescape(raw)?)?,
            Value::Array(items) if is_index(raw) => {
                items.get(raw.bytes().fold(0usize, |n, d| n * 10 + usize::from(d - b'0')))?
            }
            _ => return None,
        };
    }
    Some(at)
}

/// The property `key` of `ty`, writable, at the pointer `pointer` and the schema path
/// `schema_path`; else the refusal.
fn writable(
    ty: &'static ComplexType,
    key: &str,
    pointer: &str,
    schema_path: &str,
) -> Result<&'static schema::Property> {
    let Some(property) = ty.property(key) else {
        let hint = ty.suggest(key).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
        return Err(refuse(pointer, format!("unknown property `{key}` on {}{hint}", ty.name)));
    };
    if schema::is_read_only(schema_path) {
        return Err(refuse(pointer, format!("`{key}` is read-only")));
    }
    Ok(property)
}

/// Walks a partial object of type `ty` at `pointer`: objects under complex properties are
/// walked, every other value is one `replace`.
fn partial(
    map: Map<String, Value>,
    ty: &'static ComplexType,
    pointer: &str,
    schema_path: &str,
    out: &mut Vec<Operation>,
) -> Result<()> {
    for (key, value) in map {
        let pointer = child_pointer(pointer, &key);
        let schema_path = join(schema_path, &key);
        let property = writable(ty, &key, &pointer, &schema_path)?;
        match (property.kind, value) {
            (Kind::Complex(inner), Value::Object(members)) => {
                partial(members, inner, &pointer, &schema_path, out)?
            }
            (kind, value) => {
                check_value(&kind, &value, &pointer, &schema_path)?;
                out.push(Operation { op: Op::Replace, path: pointer, value });
            }
        }
    }
    Ok(())
}

fn join(schema_path: &str, key: &str) -> String {
    if schema_path.is_empty() {
        key.to_string()
    } else {
        format!("{schema_path}/{key}")
    }
}

/// Reads the operation at `index` of an operations array.
fn operation(item: Value, index: usize) -> Result<Operation> {
    let at = format!("operation {index}");
    let Value::Object(map) = item else {
        return Err(refuse("", format!("{at} must be an object {{ op, path, value }}")));
    };
    let (mut op, mut path, mut value, mut unknown) = (None, None, None, None);
    for (key, member) in map {
        match key.as_str() {
            "op" => op = Some(member),
            "path" => path = Some(member),
            "value" => value = Some(member),
            _ => unknown = unknown.or(Some(key)),
        }
    }
    let Some(Value::String(path)) = path else {
        return Err(refuse("", format!("{at} needs a `path` string (a JSON pointer)")));
    };
    let path = path.as_str();
    if let Some(key) = unknown {
        return Err(refuse(path, format!("{at} has an unknown member `{key}`")));
    }
    let op = match op.as_ref().and_then(Value::as_str) {
        Some("replace") => Op::Replace,
        Some("add") => Op::Add,
        Some(other) => {
            return Err(refuse(
                path,
                format!("the API supports only `add` and `replace`, not `{other}`"),
            ))
        }
        None => return Err(refuse(path, format!("{at} needs an `op`: `add` or `replace`"))),
    };
    let Some(value) = value else {
        return Err(refuse(path, format!("{at} needs a `value`")));
    };
    let (kind, schema_path) = resolve(path, op)?;
    check_value(kind, &value, path, &schema_path)?;
    Ok(Operation { op, path: path.to_string(), value })
}

/// The root of every pointer: a Referral.
static ROOT: Kind = Kind::Complex(&REFERRAL);

/// The kind of the value at `pointer` (and its schema path), when `op` may write there.
fn resolve(pointer: &str, op: Op) -> Result<(&'static Kind, String)> {
    let Some(rest) = pointer.strip_prefix('/') else {
        return Err(if pointer.is_empty() {
            refuse(pointer, "the whole referral cannot be replaced; name a property")
        } else {
            refuse(pointer, "a path must be a JSON pointer starting with `/`")
        });
    };
    let mut segments = rest.split('/').peekable();
    let mut kind: &'static Kind = &ROOT;
    let mut schema_path = String::new();
    let mut walked = String::new();
    let mut name = String::new();
    while let Some(raw) = segments.next() {
        let last = segments.peek().is_none();
        let segment = unescape(raw).ok_or_else(|| {
            refuse(
                pointer,
                format!("`{raw}`: `~` must be followed by `0` or `1` in a JSON pointer"),
            )
        })?;
        walked.push('/');
        walked.push_str(raw);
        kind = match kind {
            Kind::Complex(ty) => {
                schema_path = join(&schema_path, &segment);
                let property = writable(ty, &segment, &walked, &schema_path)?;
                name = segment;
                &property.kind
            }
            Kind::Collection(element) => {
                if raw == "-" {
                    if !last || op != Op::Add {
                        return Err(refuse(
                            pointer,
                            "`-` (past the last element) can only end the path of an `add`",
                        ));
                    }
                } else if !is_index(raw) {
                    return Err(refuse(
                        pointer,
                        format!(
                            "`{raw}` is not an array index (digits without leading zeros, or `-`)"
                        ),
                    ));
                }
                element
            }
            Kind::Json => return Ok((&Kind::Json, schema_path)),
            other => {
                return Err(refuse(
                    pointer,
                    format!("`{name}` is a {} and has no members", other.name()),
                ))
            }
        };
    }
    Ok((kind, schema_path))
}

/// RFC 6901 unescaping of one segment; `None` for a `~` not followed by `0` or `1`.
fn unescape(segment: &str) -> Option<String> {
    if !segment.contains('~') {
        return Some(segment.to_string());
    }
    let mut out = String::with_capacity(segment.len());
    let mut chars = segment.chars();
    while let Some(c) = chars.next() {
        if c == '~' {
            match chars.next() {
                Some('0') => out.push('~'),
                Some('1') => out.push('/'),
                _ => return None,
            }
        } else {
            out.push(c);
        }
    }
    Some(out)
}

/// RFC 6901 array index: `0`, or digits without a leading zero.
fn is_index(segment: &str) -> bool {
    !segment.is_empty()
        && segment.bytes().all(|b| b.is_ascii_digit())
        && (segment == "0" || !segment.starts_with('0'))
        && segment.len() <= 9
}

/// Checks that `value` fits `kind` (the property at `pointer`). `null` clears any property
/// but an enum.
fn check_value(kind: &Kind, value: &Value, pointer: &str, schema_path: &str) -> Result<()> {
    let wrong = |expected: &str| {
        refuse(pointer, format!("expected {expected}, found {}", crate::json::kind_name(value)))
    };
    match (kind, value) {
        (Kind::Enum(e), Value::String(s)) if e.contains(s) => Ok(()),
        (Kind::Enum(e), Value::String(s)) => {
            let hint = e.suggest(s).map(|m| format!(" (did you mean `{m}`?)")).unwrap_or_default();
            Err(refuse(
                pointer,
                format!("`{s}` is not a {} value{hint}; one of: {}", e.name, e.members.join(", ")),
            ))
        }
        (Kind::Enum(e), _) => Err(wrong(&format!("a {} string", e.name))),
        (Kind::Json, _) | (_, Value::Null) => Ok(()),
        (Kind::String | Kind::Guid, Value::String(_)) => Ok(()),
        (Kind::String | Kind::Guid, _) => Err(wrong("a string")),
        (Kind::Boolean, Value::Bool(_)) => Ok(()),
        (Kind::Boolean, _) => Err(wrong("a boolean")),
        (Kind::Decimal, Value::Number(_)) => Ok(()),
        (Kind::Decimal, Value::String(s)) if is_decimal(s) => Ok(()),
        (Kind::Decimal, Value::String(s)) => {
            Err(refuse(pointer, format!("`{s}` is not a decimal number")))
        }
        (Kind::Decimal, _) => Err(wrong("a number or a decimal string")),
        (Kind::DateTimeOffset, Value::String(s)) => match DateTimeOffset::parse(s) {
            Ok(_) => Ok(()),
            Err(reason) => Err(refuse(pointer, format!("`{s}` is not a date-time: {reason}"))),
        },
        (Kind::DateTimeOffset, _) => Err(wrong("an ISO 8601 date-time string")),
        (Kind::Date, Value::String(s)) => match Date::parse(s) {
            Ok(_) => Ok(()),
            Err(reason) => Err(refuse(pointer, format!("`{s}` is not a date: {reason}"))),
        },
        (Kind::Date, _) => Err(wrong("an ISO 8601 date string")),
        (Kind::Complex(ty), Value::Object(map)) => {
            for (key, member) in map {
                let pointer = child_pointer(pointer, key);
                let schema_path = join(schema_path, key);
                let property = writable(ty, key, &pointer, &schema_path)?;
                check_value(&property.kind, member, &pointer, &schema_path)?;
            }
            Ok(())
        }
        (Kind::Complex(ty), _) => Err(wrong(&format!("a {} object", ty.name))),
        (Kind::Collection(element), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                check_value(element, item, &format!("{pointer}/{i}"), schema_path)?;
            }
            Ok(())
        }
        (Kind::Collection(_), _) => Err(wrong("an array")),
    }
}

/// `-?digits[.digits]`: the decimal strings the API sends for `dealValue` (`"10000"`).
fn is_decimal(s: &str) -> bool {
    let digits = s.strip_prefix('-').unwrap_or(s);
    let (whole, fraction) = digits.split_once('.').unwrap_or((digits, "0"));
    let all_digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    all_digits(whole) && all_digits(fraction)
}

/// Appends `text` as a JSON string literal, escaped as `serde_json::to_string` escapes it:
/// `\"`, `\\`, `\b \f \n \r \t`, other control characters as `\u00xx`.
fn write_string(out: &mut String, text: &str) {
    out.push('"');
    for c in text.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            '\u{8}' => out.push_str("\\b"),
            '\u{c}' => out.push_str("\\f"),
            c if c < ' ' => {
                const HEX: &[u8; 16] = b"0123456789abcdef";
                out.push_str("\\u00");
                out.push(char::from(HEX[usize::from(c as u8 >> 4)]));
                out.push(char::from(HEX[usize::from(c as u8 & 0xf)]));
            }
            c => out.push(c),
        }
    }
    out.push('"');
}

/// Appends `value` as compact JSON (keys in the map's order, which is sorted).
fn write_value(out: &mut String, value: &Value) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => {
            if let Some(u) = n.as_u64() {
                out.push_str(&u.to_string());
            } else if let Some(i) = n.as_i64() {
                out.push_str(&i.to_string());
            } else {
                // invariant: a JSON number is finite, and the platform's number text is
                // installed before anything runs (`format_f64` is `None` only before that).
                // Plain digits unless that is long (`1e300`), as JSON allows both.
                let f = n.as_f64().unwrap_or(0.0);
                let plain = crate::platform::format_f64(f, false);
                let text = match plain {
                    Some(text) if text.len() <= 24 => Some(text),
                    _ => crate::platform::format_f64(f, true),
                };
                out.push_str(text.as_deref().unwrap_or("null"));
            }
        }
        Value::String(s) => write_string(out, s),
        Value::Array(items) => {
            out.push('[');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_value(out, item);
            }
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            for (i, (key, item)) in map.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write_string(out, key);
                out.push(':');
                write_value(out, item);
            }
            out.push('}');
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn pointer_segments_unescape_tilde_then_slash() {
        assert_eq!(unescape("a~1b~0c").as_deref(), Some("a/b~c"));
        assert_eq!(unescape("~01").as_deref(), Some("~1"));
        assert_eq!(unescape("a~2"), None);
        assert_eq!(unescape("a~"), None);
        assert_eq!(child_pointer("/x", "a/b~c"), "/x/a~1b~0c");
    }

    #[test]
    fn values_are_found_by_pointer() {
        let v = json!({ "a/b": { "c~": [10, { "d": true }] } });
        assert_eq!(value_at(&v, "/a~1b/c~0/1/d"), Some(&json!(true)));
        assert_eq!(value_at(&v, "/a~1b/c~0/0"), Some(&json!(10)));
        assert_eq!(value_at(&v, "/a~1b/c~0/2"), None);
        assert_eq!(value_at(&v, "/a~1b/c~0/01"), None);
        assert_eq!(value_at(&v, "/x"), None);
        assert_eq!(value_at(&v, ""), None);
    }

    #[test]
    fn indexes_have_no_leading_zeros() {
        assert!(is_index("0") && is_index("12"));
        assert!(!is_index("01") && !is_index("") && !is_index("-1") && !is_index("1e3"));
    }

    #[test]
    fn decimal_strings() {
        for ok in ["10000", "-3", "0.5", "12.50"] {
            assert!(is_decimal(ok), "{ok}");
        }
        for bad in ["", "1.", ".5", "1e3", "ten", "1,000", "+1", "--1"] {
            assert!(!is_decimal(bad), "{bad}");
        }
    }

    #[test]
    fn bodies_match_serde_json() {
        let value = json!({ "a": [1, -2, 0.5, 1.0e300, "x\"\n", null, true], "b": { "c": {} } });
        let mut out = String::new();
        write_value(&mut out, &value);
        assert_eq!(serde_json::from_str::<Value>(&out).unwrap(), value);
        assert_eq!(out, serde_json::to_string(&value).unwrap().replace("1e+300", "1e300"));
    }
}
