//! `PATCH /v1.0/engagements/referrals/{id}`: an RFC 6902 JSON Patch applied to a copy of the
//! stored referral, all operations or none.
//!
//! The service supports two operations, `replace` and `add` (`/team/-` appends a member); the
//! others (`remove`, `move`, `copy`, `test`) are refused. Every path is resolved against the
//! schema the emulator serves (the library's, with the fields served beyond it): unknown properties and the read-only ones (the library's
//! `schema::READ_ONLY`: ids, server-set dates, `eTag`, `links`, `direction`, the owning
//! organisation, create-only fields) are refused, so the emulator refuses exactly what the
//! library refuses before sending; a value must have the property's
//! JSON type, and an enum value must be a documented member (enums are open when reading, closed
//! when writing: the service rejects a status it does not know). Status and substatus follow
//! partner-api.md 1.3: New may move to New, Active or Closed, Active to Active or Closed, Closed
//! is terminal, and each status allows only its own substatuses.
//!
//! One leniency: `replace` of a member that an existing object lacks sets it (the generated
//! referrals leave optional members such as `salesStage` out, and the documented examples
//! replace `/details/dealValue` without asking first). A `replace` inside an array still needs an
//! existing index.

use partner_referrals::datetime::{Date, DateTimeOffset};
use partner_referrals::schema::{self, Kind};
use serde_json::Value;

use crate::data::STATUS_PAIRS;
use crate::odata::{served_schema, ApiError};

/// Where each status may move (partner-api.md 1.3).
const MOVES: &[(&str, &[&str])] = &[
    ("New", &["New", "Active", "Closed"]),
    ("Active", &["Active", "Closed"]),
    ("Closed", &["Closed"]),
];

/// The two operations the API supports.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Op {
    /// `add`: set a member, insert into an array, or append with `-`.
    Add,
    /// `replace`: set an existing member or array element.
    Replace,
}

/// One parsed operation.
#[derive(Debug, Clone, PartialEq)]
pub struct Operation {
    /// `add` or `replace`.
    pub op: Op,
    /// The JSON Pointer as sent (for error targets).
    pub path: String,
    /// Its unescaped reference tokens.
    pub tokens: Vec<String>,
    /// The value.
    pub value: Value,
}

fn invalid(target: &str, message: impl Into<String>) -> ApiError {
    ApiError::invalid(target, message)
}

/// Parses a JSON Patch document: a non-empty array of `{op, path, value}` objects using only
/// `add` and `replace`.
///
/// # Errors
/// 400 `invalidRequest`, `target` the offending operation's path (or `body`).
pub fn parse(body: &[u8]) -> Result<Vec<Operation>, ApiError> {
    let document: Value = serde_json::from_slice(body)
        .map_err(|e| invalid("body", format!("the body is not JSON: {e}")))?;
    let Value::Array(items) = document else {
        return Err(invalid("body", "a JSON Patch document (RFC 6902) is a JSON array"));
    };
    if items.is_empty() {
        return Err(invalid("body", "the patch has no operations"));
    }
    items.iter().enumerate().map(|(index, item)| operation(index, item)).collect()
}

fn operation(index: usize, item: &Value) -> Result<Operation, ApiError> {
    let Some(map) = item.as_object() else {
        return Err(invalid("body", format!("operation {index} is not a JSON object")));
    };
    let path = match map.get("path") {
        Some(Value::String(p)) => p.clone(),
        _ => return Err(invalid("body", format!("operation {index} has no string `path`"))),
    };
    let op = match map.get("op").and_then(Value::as_str) {
        Some("add") => Op::Add,
        Some("replace") => Op::Replace,
        Some(other @ ("remove" | "move" | "copy" | "test")) => {
            return Err(invalid(
                &path,
                format!("operation `{other}` is not supported: use `replace` or `add`"),
            ))
        }
        Some(other) => {
            return Err(invalid(&path, format!("unknown JSON Patch operation `{other}`")))
        }
        None => return Err(invalid(&path, format!("operation {index} has no string `op`"))),
    };
    let Some(value) = map.get("value") else {
        return Err(invalid(&path, format!("operation {index} has no `value`")));
    };
    let tokens = pointer_tokens(&path)?;
    Ok(Operation { op, path, tokens, value: value.clone() })
}

/// The reference tokens of a JSON Pointer (RFC 6901): `/a~1b/~0c` → `["a/b", "~c"]`. The
/// empty pointer (the whole document) is refused: a referral is patched member by member.
fn pointer_tokens(path: &str) -> Result<Vec<String>, ApiError> {
    let Some(rest) = path.strip_prefix('/') else {
        return Err(invalid(path, format!("`{path}` is not a JSON Pointer (it starts with `/`)")));
    };
    rest.split('/')
        .map(|raw| {
            let mut out = String::with_capacity(raw.len());
            let mut chars = raw.chars();
            while let Some(ch) = chars.next() {
                match ch {
                    '~' => match chars.next() {
                        Some('0') => out.push('~'),
                        Some('1') => out.push('/'),
                        _ => {
                            return Err(invalid(
                                path,
                                format!("`{path}`: `~` must be `~0` or `~1`"),
                            ))
                        }
                    },
                    _ => out.push(ch),
                }
            }
            Ok(out)
        })
        .collect()
}

/// The schema kind at `tokens`, checking that the path names writable properties. `None` means
/// "anything goes below here" (a property documented with inconsistent shapes).
fn resolve(operation: &Operation) -> Result<Option<Kind>, ApiError> {
    let path = operation.path.as_str();
    let mut tokens = operation.tokens.iter();
    let first = tokens.next().map_or("", String::as_str);
    if schema::is_read_only(&operation.tokens.join("/")) {
        return Err(invalid(path, format!("`{path}` is read-only")));
    }
    let served = served_schema();
    let mut kind = match served.property(first) {
        Some(p) => p.kind,
        None => {
            let hint = served
                .suggest(first)
                .map(|s| format!(" (did you mean `{s}`?)"))
                .unwrap_or_default();
            return Err(invalid(path, format!("unknown property `{first}`{hint}")));
        }
    };
    let mut remaining = tokens.peekable();
    while let Some(token) = remaining.next() {
        let last = remaining.peek().is_none();
        kind = match kind {
            Kind::Complex(c) => match c.property(token) {
                Some(p) => p.kind,
                None => {
                    return Err(invalid(path, format!("`{}` has no property `{token}`", c.name)))
                }
            },
            Kind::Collection(element) => {
                let append = token == "-" && last && operation.op == Op::Add;
                if !append && !is_index(token) {
                    return Err(invalid(path, format!("`{token}` is not an array index")));
                }
                *element
            }
            Kind::Json => return Ok(None),
            _ => return Err(invalid(path, format!("`{token}` is below a value, not an object"))),
        };
    }
    Ok(Some(kind))
}

fn is_index(token: &str) -> bool {
    !token.is_empty()
        && token.bytes().all(|b| b.is_ascii_digit())
        && (token == "0" || !token.starts_with('0'))
}

/// Checks `value` against `kind` (enums closed, nested objects checked property by property;
/// unknown nested properties are kept like the reader keeps them). `null` is accepted for a
/// scalar or an object, not for a collection element.
fn check_value(kind: Kind, value: &Value, at: &str) -> Result<(), ApiError> {
    let wrong = |expected: &str| {
        Err(invalid(at, format!("`{at}` must be {expected}, found {}", json_type(value))))
    };
    match (kind, value) {
        (Kind::Collection(_), Value::Null) => wrong("an array"),
        (_, Value::Null) | (Kind::Json, _) | (Kind::String | Kind::Guid, Value::String(_)) => {
            Ok(())
        }
        (Kind::Boolean, Value::Bool(_)) | (Kind::Decimal, Value::Number(_)) => Ok(()),
        (Kind::Decimal, Value::String(text)) if text.trim().parse::<f64>().is_ok() => Ok(()),
        (Kind::Decimal, _) => wrong("a number or a decimal string"),
        (Kind::DateTimeOffset, Value::String(text)) => match DateTimeOffset::parse(text) {
            Ok(_) => Ok(()),
            Err(e) => Err(invalid(at, format!("`{at}` is not an ISO 8601 date-time: {e}"))),
        },
        (Kind::Date, Value::String(text)) => match Date::parse(text) {
            Ok(_) => Ok(()),
            Err(e) => Err(invalid(at, format!("`{at}` is not an ISO 8601 date: {e}"))),
        },
        (Kind::Enum(e), Value::String(text)) if e.contains(text) => Ok(()),
        (Kind::Enum(e), Value::String(text)) => {
            let hint =
                e.suggest(text).map(|s| format!(" (did you mean `{s}`?)")).unwrap_or_default();
            Err(invalid(at, format!("`{text}` is not a {} value{hint}", e.name)))
        }
        (Kind::Complex(c), Value::Object(map)) => {
            for (name, member) in map {
                if let Some(p) = c.property(name) {
                    check_value(p.kind, member, &format!("{at}/{name}"))?;
                }
            }
            Ok(())
        }
        (Kind::Collection(element), Value::Array(items)) => {
            for (i, item) in items.iter().enumerate() {
                if item.is_null() {
                    return Err(invalid(at, format!("`{at}/{i}` must not be null")));
                }
                check_value(*element, item, &format!("{at}/{i}"))?;
            }
            Ok(())
        }
        (Kind::String | Kind::Guid, _) => wrong("a string"),
        (Kind::Boolean, _) => wrong("a boolean"),
        (Kind::DateTimeOffset | Kind::Date | Kind::Enum(_), _) => wrong("a string"),
        (Kind::Complex(_), _) => wrong("an object"),
        (Kind::Collection(_), _) => wrong("an array"),
    }
}

fn json_type(value: &Value) -> &'static str {
    match value {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

/// Applies one checked operation to `doc`.
fn apply_one(doc: &mut Value, operation: &Operation) -> Result<(), ApiError> {
    let path = operation.path.as_str();
    let missing = || invalid(path, format!("`{path}` does not exist on this referral"));
    let (last, parents) = operation.tokens.split_last().ok_or_else(missing)?;
    let mut parent = doc;
    for token in parents {
        parent = match parent {
            Value::Object(map) => map.get_mut(token),
            Value::Array(items) => token.parse::<usize>().ok().and_then(|i| items.get_mut(i)),
            _ => None,
        }
        .ok_or_else(missing)?;
    }
    let value = operation.value.clone();
    match parent {
        Value::Object(map) => {
            map.insert(last.clone(), value);
            Ok(())
        }
        Value::Array(items) => {
            if operation.op == Op::Add && last == "-" {
                items.push(value);
                return Ok(());
            }
            let index = last.parse::<usize>().map_err(|_| missing())?;
            match operation.op {
                Op::Add if index <= items.len() => items.insert(index, value),
                Op::Replace if index < items.len() => items[index] = value,
                _ => return Err(missing()),
            }
            Ok(())
        }
        _ => Err(missing()),
    }
}

fn text<'a>(referral: &'a Value, name: &str) -> Option<&'a str> {
    referral.get(name).and_then(Value::as_str)
}

/// Checks the status/substatus change from `before` to `after` (partner-api.md 1.3).
///
/// # Errors
/// 400 `invalidRequest`, target `/status` or `/substatus`.
pub fn check_transition(before: &Value, after: &Value) -> Result<(), ApiError> {
    let (old_status, old_sub) = (text(before, "status"), text(before, "substatus"));
    let (new_status, new_sub) = (text(after, "status"), text(after, "substatus"));
    if (old_status, old_sub) == (new_status, new_sub) {
        return Ok(());
    }
    let (Some(status), Some(sub)) = (new_status, new_sub) else {
        return Err(invalid("/status", "a referral needs both a status and a substatus"));
    };
    if let Some(old) = old_status {
        if let Some((_, moves)) = MOVES.iter().find(|(from, _)| *from == old) {
            if !moves.contains(&status) {
                return Err(invalid(
                    "/status",
                    format!("a referral cannot move from `{old}` to `{status}`"),
                ));
            }
            if old == "Closed" {
                return Err(invalid(
                    "/substatus",
                    format!("a closed referral is final: `{}` stays", old_sub.unwrap_or("")),
                ));
            }
        }
    }
    if !STATUS_PAIRS.contains(&(status, sub)) {
        let allowed: Vec<&str> =
            STATUS_PAIRS.iter().filter(|(s, _)| *s == status).map(|(_, sub)| *sub).collect();
        return Err(invalid(
            "/substatus",
            format!(
                "substatus `{sub}` does not go with status `{status}` (allowed: {})",
                allowed.join(", ")
            ),
        ));
    }
    Ok(())
}

/// Applies `operations` to a copy of `current` and checks the result: schema paths and types,
/// transitions, and that the library still decodes it.
///
/// # Errors
/// 400 `invalidRequest` naming the offending path; `current` is never changed.
pub fn apply(current: &Value, operations: &[Operation]) -> Result<Value, ApiError> {
    let mut next = current.clone();
    for operation in operations {
        if let Some(kind) = resolve(operation)? {
            check_value(kind, &operation.value, &operation.path)?;
        }
        apply_one(&mut next, operation)?;
    }
    check_transition(current, &next)?;
    partner_referrals::page::check_referral(&next)
        .map_err(|e| invalid("body", format!("the patched referral is invalid: {e}")))?;
    Ok(next)
}

/// Whether `Prefer` asks for the representation (`return=representation`, among other
/// preferences, case-insensitive).
pub fn wants_representation(prefer: Option<&str>) -> bool {
    prefer.is_some_and(|p| {
        p.split(',')
            .any(|item| item.trim().replace(' ', "").eq_ignore_ascii_case("return=representation"))
    })
}

/// Whether an `If-Match` value matches `etag`: `*`, or one of a comma list equal to it
/// (a weak `W/` prefix ignored).
pub fn if_match(header: &str, etag: Option<&str>) -> bool {
    let Some(etag) = etag else { return header.trim() == "*" };
    header.split(',').map(str::trim).any(|candidate| {
        candidate == "*" || candidate.strip_prefix("W/").unwrap_or(candidate) == etag
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn ops(v: Value) -> Result<Vec<Operation>, ApiError> {
        parse(v.to_string().as_bytes())
    }

    fn referral(status: &str, substatus: &str) -> Value {
        json!({
            "id": "1", "status": status, "substatus": substatus,
            "details": { "notes": "n", "dealValue": 5 }, "team": [{ "email": "a@x" }]
        })
    }

    #[test]
    fn pointer_tokens_unescape_and_refuse_bad_escapes() {
        assert_eq!(pointer_tokens("/a~1b/~0c").unwrap(), ["a/b", "~c"]);
        assert_eq!(pointer_tokens("/").unwrap(), [""]);
        assert_eq!(pointer_tokens("details").unwrap_err().target, "details");
        assert!(pointer_tokens("/a~2").unwrap_err().message.contains("~0"));
    }

    #[test]
    fn only_add_and_replace_are_accepted() {
        for op in ["remove", "move", "copy", "test"] {
            let e =
                ops(json!([{ "op": op, "path": "/name", "value": 1, "from": "/x" }])).unwrap_err();
            assert_eq!((e.status, e.target.as_str()), (400, "/name"));
            assert!(e.message.contains("not supported"), "{}", e.message);
        }
        assert!(ops(json!([{ "op": "Replace", "path": "/name", "value": "x" }]))
            .unwrap_err()
            .message
            .contains("unknown JSON Patch operation"));
        assert_eq!(ops(json!([])).unwrap_err().target, "body");
        assert_eq!(ops(json!({ "op": "add" })).unwrap_err().target, "body");
        assert!(ops(json!([{ "op": "add", "path": "/name" }])).is_err());
        assert!(parse(b"[{").is_err());
    }

    #[test]
    fn replace_and_add_change_a_copy() {
        let before = referral("New", "Pending");
        let list = ops(json!([
            { "op": "replace", "path": "/details/dealValue", "value": "10000" },
            { "op": "add", "path": "/team/-", "value": { "email": "b@x" } },
            { "op": "add", "path": "/team/0", "value": { "email": "c@x" } },
            { "op": "replace", "path": "/salesStage", "value": "Propose" },
        ]))
        .unwrap();
        let after = apply(&before, &list).unwrap();
        assert_eq!(after["details"]["dealValue"], "10000");
        assert_eq!(
            after["team"],
            json!([{ "email": "c@x" }, { "email": "a@x" }, { "email": "b@x" }])
        );
        assert_eq!(after["salesStage"], "Propose");
        assert_eq!(before, referral("New", "Pending"));
    }

    #[test]
    fn paths_and_values_are_checked_against_the_schema() {
        let before = referral("New", "Pending");
        let fails = |op: Value| apply(&before, &ops(json!([op])).unwrap()).unwrap_err();
        let e = fails(json!({ "op": "replace", "path": "/eTag", "value": "x" }));
        assert!(e.message.contains("read-only"), "{}", e.message);
        let e = fails(json!({ "op": "replace", "path": "/stauts", "value": "New" }));
        assert!(e.message.contains("did you mean `status`"), "{}", e.message);
        let e = fails(json!({ "op": "replace", "path": "/details/dealValue", "value": true }));
        assert_eq!(e.target, "/details/dealValue");
        let e = fails(json!({ "op": "replace", "path": "/salesStage", "value": "propose" }));
        assert!(e.message.contains("did you mean `Propose`"), "{}", e.message);
        let e = fails(json!({ "op": "replace", "path": "/team/-", "value": {} }));
        assert!(e.message.contains("array index"), "{}", e.message);
        let e = fails(json!({ "op": "replace", "path": "/team/5", "value": {} }));
        assert!(e.message.contains("does not exist"), "{}", e.message);
        let e = fails(json!({ "op": "add", "path": "/team/-", "value": { "email": 3 } }));
        assert_eq!(e.target, "/team/-/email");
        let e = fails(json!({ "op": "replace", "path": "/details/notes/x", "value": "y" }));
        assert!(e.message.contains("below a value"), "{}", e.message);
    }

    #[test]
    fn transitions_follow_the_documented_table() {
        let move_to = |from: (&str, &str), to: (&str, &str)| {
            let list = ops(json!([
                { "op": "replace", "path": "/status", "value": to.0 },
                { "op": "replace", "path": "/substatus", "value": to.1 },
            ]))
            .unwrap();
            apply(&referral(from.0, from.1), &list)
        };
        assert!(move_to(("New", "Pending"), ("Active", "Accepted")).is_ok());
        assert!(move_to(("New", "Pending"), ("Closed", "Declined")).is_ok());
        assert!(move_to(("New", "Pending"), ("New", "Received")).is_ok());
        assert!(move_to(("Active", "Accepted"), ("Closed", "Won")).is_ok());
        assert_eq!(
            move_to(("Active", "Accepted"), ("New", "Pending")).unwrap_err().target,
            "/status"
        );
        assert_eq!(
            move_to(("Closed", "Lost"), ("Active", "Accepted")).unwrap_err().target,
            "/status"
        );
        assert_eq!(
            move_to(("Closed", "Lost"), ("Closed", "Won")).unwrap_err().target,
            "/substatus"
        );
        assert_eq!(
            move_to(("New", "Pending"), ("Active", "Won")).unwrap_err().target,
            "/substatus"
        );
        assert!(move_to(("Closed", "Lost"), ("Closed", "Lost")).is_ok());
    }

    #[test]
    fn preferences_and_if_match() {
        assert!(wants_representation(Some("return=representation")));
        assert!(wants_representation(Some("odata.maxpagesize=5, Return = Representation")));
        assert!(!wants_representation(Some("return=minimal")));
        assert!(!wants_representation(None));
        assert!(if_match("\"a\"", Some("\"a\"")));
        assert!(if_match("W/\"a\", \"b\"", Some("\"a\"")));
        assert!(if_match("*", Some("\"a\"")));
        assert!(!if_match("\"b\"", Some("\"a\"")));
        assert!(!if_match("a", Some("\"a\"")));
        assert!(!if_match("\"a\"", None));
    }
}
