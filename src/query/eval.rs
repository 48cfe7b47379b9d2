//! Evaluates a checked `$filter` over one referral given as decoded JSON.
//!
//! One job: OData semantics offline. A missing property is `null`; `eq`/`ne` treat `null` as a
//! value, every other comparison with `null` is false (`compare`); `and`/`or`/`not` are
//! three-valued (`logic`) and a filter whose result is `null` does not match; strings
//! compare case-sensitively by UTF-16 code unit (as JavaScript does); `length`, `indexof` and
//! `substring` count UTF-16 code units; date-times compare by instant. There is no clock:
//! `now()` is supplied by the caller. The record is read through [`crate::record::Record`]
//! (a `serde_json::Value` in Rust, the JavaScript object itself in wasm), one named property
//! at a time. Date/time arithmetic is exact, in integer picoseconds. Imports `ast`, `schema`,
//! `datetime`, `record`, the checker's integer typing (for `div`) and the lexer's duration unit.

use std::borrow::Cow;
use std::cmp::Ordering;

use crate::datetime::{Date, DateTimeOffset};
use crate::platform;
use crate::record::{JsonNode, Record, Scalar};
use crate::schema::{ComplexType, Kind};

use super::ast::{BinaryOp, Expr, ExprKind, Ident, LambdaOp, Literal};
use super::check::integer_typed;

use super::lexer::PICOS_PER_SECOND;

const PICOS_PER_DAY: i128 = 86_400 * PICOS_PER_SECOND;

/// A runtime value.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Value<'a> {
    Null,
    Bool(bool),
    Number(f64),
    String(Cow<'a, str>),
    /// Compared case-insensitively with GUIDs and strings.
    Guid(Cow<'a, str>),
    DateTime(DateTimeOffset),
    Date(Date),
    /// Picoseconds (exact: the twelve fractional digits OData allows).
    Duration(i128),
}

impl Value<'_> {
    fn as_bool(&self) -> Option<bool> {
        match self {
            Value::Bool(b) => Some(*b),
            _ => None,
        }
    }

    fn as_str(&self) -> Option<&str> {
        match self {
            Value::String(s) | Value::Guid(s) => Some(s),
            _ => None,
        }
    }
}

/// A boolean connective over OData's three values (`None` = null).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Logic {
    And,
    Or,
    /// Ignores the second operand.
    Not,
}

/// The one place for three-valued logic: `false and null` is false, `true and null` null,
/// `true or null` true, `false or null` null, `not null` null.
pub(crate) fn logic(op: Logic, a: Option<bool>, b: Option<bool>) -> Option<bool> {
    match op {
        Logic::Not => a.map(|x| !x),
        Logic::And => match (a, b) {
            (Some(false), _) | (_, Some(false)) => Some(false),
            (Some(true), Some(true)) => Some(true),
            _ => None,
        },
        Logic::Or => match (a, b) {
            (Some(true), _) | (_, Some(true)) => Some(true),
            (Some(false), Some(false)) => Some(false),
            _ => None,
        },
    }
}

fn midnight_utc(d: &Date) -> DateTimeOffset {
    DateTimeOffset {
        unix_seconds: d.days_since_epoch() * 86_400,
        nanos: 0,
        sub_nanos: 0,
        offset_minutes: 0,
    }
}

/// The order of two non-null values, `None` when they cannot be compared (NaN, other types).
fn order(l: &Value, r: &Value) -> Option<Ordering> {
    use Value::*;
    match (l, r) {
        (Number(a), Number(b)) => a.partial_cmp(b),
        (String(a), String(b)) => Some(a.encode_utf16().cmp(b.encode_utf16())),
        (Guid(a), Guid(b) | String(b)) | (String(a), Guid(b)) => {
            Some(a.to_ascii_lowercase().cmp(&b.to_ascii_lowercase()))
        }
        (Bool(a), Bool(b)) => Some(a.cmp(b)),
        (DateTime(a), DateTime(b)) => Some(a.cmp(b)),
        (Date(a), Date(b)) => Some(a.cmp(b)),
        (DateTime(a), Date(b)) => Some(a.cmp(&midnight_utc(b))),
        (Date(a), DateTime(b)) => Some(midnight_utc(a).cmp(b)),
        (Duration(a), Duration(b)) => Some(a.cmp(b)),
        _ => None,
    }
}

/// The one place for comparison semantics: `null eq null` is true, `null eq x` false, `ne`
/// the opposite; `gt ge lt le` with a `null` operand are false; values that cannot be ordered
/// (NaN, different types) are unequal and unordered. A Date compares with a DateTimeOffset as
/// its midnight UTC.
pub(crate) fn compare(op: BinaryOp, l: &Value, r: &Value) -> bool {
    let (l_null, r_null) = (*l == Value::Null, *r == Value::Null);
    if l_null || r_null {
        return match op {
            BinaryOp::Eq => l_null && r_null,
            BinaryOp::Ne => !(l_null && r_null),
            _ => false,
        };
    }
    let ord = order(l, r);
    match op {
        BinaryOp::Eq | BinaryOp::Has => ord == Some(Ordering::Equal),
        BinaryOp::Ne => ord != Some(Ordering::Equal),
        BinaryOp::Gt => ord == Some(Ordering::Greater),
        BinaryOp::Ge => matches!(ord, Some(Ordering::Greater | Ordering::Equal)),
        BinaryOp::Lt => ord == Some(Ordering::Less),
        BinaryOp::Le => matches!(ord, Some(Ordering::Less | Ordering::Equal)),
        _ => false,
    }
}

/// A JSON value as the schema says to read it (`None`: absent, read as `null`).
fn typed<'a>(json: Option<Scalar<'a>>, kind: Option<Kind>) -> Value<'a> {
    match (json, kind) {
        (Some(Scalar::String(s)), Some(Kind::DateTimeOffset)) => {
            DateTimeOffset::parse(&s).map_or(Value::Null, Value::DateTime)
        }
        (Some(Scalar::String(s)), Some(Kind::Date)) => {
            Date::parse(&s).map_or(Value::Null, Value::Date)
        }
        (Some(Scalar::String(s)), Some(Kind::Guid)) => Value::Guid(s),
        (Some(Scalar::String(s)), Some(Kind::Decimal)) => {
            platform::parse_f64(s.trim()).map_or(Value::Null, Value::Number)
        }
        (Some(Scalar::String(s)), _) => Value::String(s),
        (Some(Scalar::Number(n)), _) => Value::Number(n),
        (Some(Scalar::Bool(b)), _) => Value::Bool(b),
        (None | Some(Scalar::Null | Scalar::Composite), _) => Value::Null,
    }
}

/// The instant `picos` picoseconds after the epoch, written with `offset_minutes`; `null` out
/// of range.
fn to_datetime(picos: i128, offset_minutes: i16) -> Value<'static> {
    let seconds = picos.div_euclid(PICOS_PER_SECOND);
    let within = picos.rem_euclid(PICOS_PER_SECOND);
    match i64::try_from(seconds) {
        // invariant: `within` is below 1e12, so both parts fit their fields.
        Ok(unix_seconds) => Value::DateTime(DateTimeOffset {
            unix_seconds,
            nanos: (within / 1000) as u32,
            sub_nanos: (within % 1000) as u16,
            offset_minutes,
        }),
        Err(_) => Value::Null,
    }
}

fn instant_picos(t: &DateTimeOffset) -> i128 {
    i128::from(t.unix_seconds) * PICOS_PER_SECOND
        + i128::from(t.nanos) * 1000
        + i128::from(t.sub_nanos)
}

fn date_picos(d: &Date) -> i128 {
    i128::from(d.days_since_epoch()) * PICOS_PER_DAY
}

/// The date `picos` after the epoch falls on (OData: a date plus a duration is computed at
/// midnight and the time part dropped, so "today minus one hour" is yesterday).
fn to_date(picos: i128) -> Value<'static> {
    let days = picos.div_euclid(PICOS_PER_DAY);
    let Ok(days) = i64::try_from(days) else { return Value::Null };
    let (y, m, d) = crate::datetime::civil_from_days(days);
    match i32::try_from(y) {
        Ok(year) if (0..=9999).contains(&year) => {
            Value::Date(Date { year, month: m as u8, day: d as u8 })
        }
        _ => Value::Null,
    }
}

/// An `f64` as an exact decimal `mantissa × 10^-scale`, from its shortest round-trip spelling
/// (the digits a JSON number or a literal was written with); `None` for NaN, ±INF or a
/// mantissa past `i128`.
fn exact_decimal(n: f64) -> Option<(i128, u32)> {
    if !n.is_finite() {
        return None;
    }
    // `{:e}` through the platform hook: std's float printer is not linked into the wasm.
    let text = crate::platform::format_f64(n, true)?;
    let (digits, exponent) = text.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let negative = digits.starts_with('-');
    let (whole, frac) = digits
        .trim_start_matches('-')
        .split_once('.')
        .unwrap_or((digits.trim_start_matches('-'), ""));
    // Shortest round-trip digits: at most 17, so a `u64` holds them (no 128-bit parser).
    let mut mantissa = i128::from(format!("{whole}{frac}").parse::<u64>().ok()?);
    if negative {
        mantissa = -mantissa;
    }
    let scale = i32::try_from(frac.len()).ok()? - exponent;
    if scale >= 0 {
        Some((mantissa, u32::try_from(scale).ok()?))
    } else {
        Some((mantissa.checked_mul(10i128.checked_pow(u32::try_from(-scale).ok()?)?)?, 0))
    }
}

/// `duration × n` or `duration ÷ n` in whole picoseconds (truncated toward zero; OData's
/// durations have twelve fractional digits at most); `null` on overflow or division by zero.
fn scale_duration(picos: i128, n: f64, divide: bool) -> Value<'static> {
    let Some((mantissa, scale)) = exact_decimal(n) else { return Value::Null };
    let Some(power) = 10i128.checked_pow(scale) else { return Value::Null };
    let result = if divide {
        picos.checked_mul(power).and_then(|p| p.checked_div(mantissa))
    } else {
        picos.checked_mul(mantissa).map(|p| p / power)
    };
    result.map_or(Value::Null, Value::Duration)
}

/// `l op r` for OData's arithmetic table (the checker has refused every other combination).
/// `integer`: both operands have integer types, so `div` truncates.
fn arithmetic<'a>(op: BinaryOp, l: Value<'a>, r: Value<'a>, integer: bool) -> Value<'a> {
    use BinaryOp::*;
    match (op, l, r) {
        (_, Value::Number(a), Value::Number(b)) => match op {
            Add => Value::Number(a + b),
            Sub => Value::Number(a - b),
            Mul => Value::Number(a * b),
            Div | DivBy | Mod if b == 0.0 => Value::Null,
            Div if integer => Value::Number((a / b).trunc()),
            Div | DivBy => Value::Number(a / b),
            Mod => Value::Number(a % b),
            _ => Value::Null,
        },
        (Add | Sub, Value::DateTime(t), Value::Duration(d)) => {
            let d = if op == Sub { -d } else { d };
            to_datetime(instant_picos(&t) + d, t.offset_minutes)
        }
        (Add | Sub, Value::Date(day), Value::Duration(d)) => {
            let d = if op == Sub { -d } else { d };
            to_date(date_picos(&day) + d)
        }
        (Sub, Value::DateTime(a), Value::DateTime(b)) => {
            Value::Duration(instant_picos(&a) - instant_picos(&b))
        }
        (Sub, Value::Date(a), Value::Date(b)) => Value::Duration(date_picos(&a) - date_picos(&b)),
        (Add, Value::Duration(a), Value::Duration(b)) => Value::Duration(a + b),
        (Sub, Value::Duration(a), Value::Duration(b)) => Value::Duration(a - b),
        (Mul, Value::Duration(d), Value::Number(n))
        | (Mul, Value::Number(n), Value::Duration(d)) => scale_duration(d, n, false),
        (Div | DivBy, Value::Duration(d), Value::Number(n)) => scale_duration(d, n, true),
        _ => Value::Null,
    }
}

/// Evaluation state: the record, the clock reading and the lambda variables in scope.
struct Eval<'a, N> {
    root: N,
    schema: Option<&'static ComplexType>,
    now: DateTimeOffset,
    scopes: Vec<(&'a str, N, Option<Kind>)>,
}

/// Evaluates a checked filter over `record`; a `null` result does not match.
///
/// `schema` tells how to read properties (date-time strings, decimal strings, GUIDs); `now`
/// is what `now()` returns.
pub fn matches<R: Record + ?Sized>(
    expr: &Expr,
    record: &R,
    schema: Option<&'static ComplexType>,
    now: DateTimeOffset,
) -> bool {
    let mut eval = Eval { root: record.root(), schema, now, scopes: Vec::new() };
    eval.truth(expr) == Some(true)
}

impl<'a, N: JsonNode<'a>> Eval<'a, N> {
    fn truth(&mut self, e: &'a Expr) -> Option<bool> {
        self.value(e).as_bool()
    }

    /// The JSON at a path (`None`: absent) and its schema kind (`None` when unknown).
    fn locate(&self, segments: &'a [Ident]) -> (Option<N>, Option<Kind>) {
        let (mut json, mut kind, rest) = match segments
            .first()
            .and_then(|first| self.scopes.iter().rev().find(|(var, _, _)| *var == first.name))
        {
            Some((_, json, kind)) => (Some(json.clone()), *kind, segments.get(1..).unwrap_or(&[])),
            None => (Some(self.root.clone()), self.schema.map(Kind::Complex), segments),
        };
        for seg in rest {
            kind = match kind {
                Some(Kind::Complex(c)) => c.property(&seg.name).map(|p| p.kind),
                _ => None,
            };
            json = json.and_then(|j| j.member(&seg.name));
        }
        (json, kind)
    }

    /// The schema kind of a path (`None` when unknown), without reading the record.
    fn locate_kind(&self, segments: &[Ident]) -> Option<Kind> {
        let (mut kind, rest) = match segments
            .first()
            .and_then(|first| self.scopes.iter().rev().find(|(var, _, _)| *var == first.name))
        {
            Some((_, _, kind)) => (*kind, segments.get(1..).unwrap_or(&[])),
            None => (self.schema.map(Kind::Complex), segments),
        };
        for seg in rest {
            kind = match kind {
                Some(Kind::Complex(c)) => c.property(&seg.name).map(|p| p.kind),
                _ => None,
            };
        }
        kind
    }

    fn value(&mut self, e: &'a Expr) -> Value<'a> {
        match &e.kind {
            ExprKind::Literal(l) => match l {
                Literal::Null => Value::Null,
                Literal::Bool(b) => Value::Bool(*b),
                Literal::String(s) => Value::String(Cow::Borrowed(s)),
                Literal::Number(n) => Value::Number(Literal::number_value(n)),
                Literal::Guid(g) => Value::Guid(Cow::Borrowed(g)),
                Literal::Date(d) => Value::Date(*d),
                Literal::DateTime(t) => Value::DateTime(*t),
                Literal::Duration(_, picos) => Value::Duration(*picos),
            },
            ExprKind::Path(segments) => {
                let (json, kind) = self.locate(segments);
                typed(json.map(|j| j.scalar()), kind)
            }
            ExprKind::Call { name, args } => {
                let values: Vec<Value<'a>> = args.iter().map(|a| self.value(a)).collect();
                call(&name.name, values, self.now)
            }
            ExprKind::Lambda { collection, op, predicate } => {
                let (json, kind) = self.locate(collection);
                let items = json.map(|j| j.elements()).unwrap_or_default();
                let element = match kind {
                    Some(Kind::Collection(k)) => Some(*k),
                    _ => None,
                };
                let result = match predicate {
                    None => Some(!items.is_empty() || *op == LambdaOp::All),
                    Some((var, body)) => {
                        let (combine, start) = match op {
                            LambdaOp::Any => (Logic::Or, Some(false)),
                            LambdaOp::All => (Logic::And, Some(true)),
                        };
                        let mut acc = start;
                        for item in items {
                            self.scopes.push((&var.name, item, element));
                            let r = self.truth(body);
                            self.scopes.pop();
                            acc = logic(combine, acc, r);
                            if acc == Some(*op == LambdaOp::Any) {
                                break;
                            }
                        }
                        acc
                    }
                };
                result.map_or(Value::Null, Value::Bool)
            }
            ExprKind::Not(x) => {
                logic(Logic::Not, self.truth(x), None).map_or(Value::Null, Value::Bool)
            }
            ExprKind::Neg(x) => match self.value(x) {
                Value::Number(n) => Value::Number(-n),
                Value::Duration(d) => Value::Duration(-d),
                _ => Value::Null,
            },
            ExprKind::Binary { op, operands, .. } => {
                let [left, right] = &**operands;
                let l = self.value(left);
                let r = self.value(right);
                if op.is_comparison() || *op == BinaryOp::Has {
                    Value::Bool(compare(*op, &l, &r))
                } else {
                    // Only `div` depends on the operands' static types. The schema's numbers
                    // are decimals; a path of unknown kind is left to its values.
                    let path = |segments: &[Ident]| match self.locate_kind(segments) {
                        Some(Kind::Decimal) => Some(false),
                        _ => None,
                    };
                    let integer = *op == BinaryOp::Div
                        && match (integer_typed(left, &path), integer_typed(right, &path)) {
                            (Some(a), Some(b)) => a && b,
                            _ => matches!(
                                (&l, &r),
                                (Value::Number(a), Value::Number(b))
                                    if a.fract() == 0.0 && b.fract() == 0.0
                            ),
                        };
                    arithmetic(*op, l, r, integer)
                }
            }
            ExprKind::In { left, list } => {
                let l = self.value(left);
                let found = list.iter().any(|item| {
                    let r = self.value(item);
                    compare(BinaryOp::Eq, &l, &r)
                });
                Value::Bool(found)
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                let (op, stop) = match e.kind {
                    ExprKind::And(_) => (Logic::And, false),
                    _ => (Logic::Or, true),
                };
                let mut acc = Some(!stop);
                for item in items {
                    acc = logic(op, acc, self.truth(item));
                    if acc == Some(stop) {
                        break;
                    }
                }
                acc.map_or(Value::Null, Value::Bool)
            }
        }
    }
}

fn utf16_len(s: &str) -> usize {
    super::lexer::len_utf16(s) as usize
}

/// A built-in function; any `null` argument gives `null`.
fn call<'a>(name: &str, args: Vec<Value<'a>>, now: DateTimeOffset) -> Value<'a> {
    if args.contains(&Value::Null) {
        return Value::Null;
    }
    let text = |i: usize| args.get(i).and_then(Value::as_str);
    let number = |i: usize| match args.get(i) {
        Some(Value::Number(n)) => Some(*n),
        _ => None,
    };
    let local_date = |i: usize| match args.get(i) {
        Some(Value::DateTime(t)) => Some(t.local_date()),
        Some(Value::Date(d)) => Some((i64::from(d.year), u32::from(d.month), u32::from(d.day))),
        _ => None,
    };
    let local_time = |i: usize| match args.get(i) {
        Some(Value::DateTime(t)) => Some(t.local_time()),
        _ => None,
    };
    let string = |s: String| Value::String(Cow::Owned(s));
    let num = |n: f64| Value::Number(n);
    let result = match name {
        "contains" => text(0).zip(text(1)).map(|(a, b)| Value::Bool(a.contains(b))),
        "startswith" => text(0).zip(text(1)).map(|(a, b)| Value::Bool(a.starts_with(b))),
        "endswith" => text(0).zip(text(1)).map(|(a, b)| Value::Bool(a.ends_with(b))),
        "indexof" => text(0)
            .zip(text(1))
            .map(|(a, b)| num(a.find(b).map_or(-1.0, |at| utf16_len(&a[..at]) as f64))),
        "concat" => text(0).zip(text(1)).map(|(a, b)| string(format!("{a}{b}"))),
        "length" => text(0).map(|a| num(utf16_len(a) as f64)),
        "tolower" => text(0).map(|a| string(platform::to_lowercase(a))),
        "toupper" => text(0).map(|a| string(platform::to_uppercase(a))),
        "trim" => text(0).map(|a| string(a.trim().to_string())),
        "substring" => text(0).zip(number(1)).map(|(a, start)| {
            let units: Vec<u16> = a.encode_utf16().collect();
            let from = start.clamp(0.0, units.len() as f64) as usize;
            let to = match number(2) {
                Some(len) => (from as f64 + len.max(0.0)).min(units.len() as f64) as usize,
                None => units.len(),
            };
            string(String::from_utf16_lossy(units.get(from..to).unwrap_or(&[])))
        }),
        "year" => local_date(0).map(|(y, _, _)| num(y as f64)),
        "month" => local_date(0).map(|(_, m, _)| num(f64::from(m))),
        "day" => local_date(0).map(|(_, _, d)| num(f64::from(d))),
        "hour" => local_time(0).map(|(h, _, _)| num(f64::from(h))),
        "minute" => local_time(0).map(|(_, m, _)| num(f64::from(m))),
        "second" => local_time(0).map(|(_, _, s)| num(f64::from(s))),
        "date" => local_date(0).and_then(|(y, m, d)| {
            Some(Value::Date(Date { year: i32::try_from(y).ok()?, month: m as u8, day: d as u8 }))
        }),
        "now" => Some(Value::DateTime(now)),
        "round" => number(0).map(|n| num(n.round())),
        "floor" => number(0).map(|n| num(n.floor())),
        "ceiling" => number(0).map(|n| num(n.ceil())),
        _ => None,
    };
    result.unwrap_or(Value::Null)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn three_valued_logic_table() {
        let (t, f, n) = (Some(true), Some(false), None);
        let table = [
            (Logic::And, t, t, t),
            (Logic::And, t, f, f),
            (Logic::And, t, n, n),
            (Logic::And, f, n, f),
            (Logic::And, n, f, f),
            (Logic::And, n, n, n),
            (Logic::Or, f, f, f),
            (Logic::Or, t, n, t),
            (Logic::Or, n, t, t),
            (Logic::Or, f, n, n),
            (Logic::Or, n, n, n),
            (Logic::Not, t, n, f),
            (Logic::Not, f, n, t),
            (Logic::Not, n, n, n),
        ];
        for (op, a, b, want) in table {
            assert_eq!(logic(op, a, b), want, "{op:?} {a:?} {b:?}");
        }
    }

    #[test]
    fn comparison_table() {
        use BinaryOp::*;
        let s = |x: &'static str| Value::String(Cow::Borrowed(x));
        let dt = |x: &str| Value::DateTime(DateTimeOffset::parse(x).unwrap());
        let date = |x: &str| Value::Date(Date::parse(x).unwrap());
        let null = Value::Null;
        let table = [
            (Eq, null.clone(), null.clone(), true),
            (Ne, null.clone(), null.clone(), false),
            (Eq, s("a"), null.clone(), false),
            (Ne, s("a"), null.clone(), true),
            (Gt, s("a"), null.clone(), false),
            (Le, null.clone(), null.clone(), false),
            (Ge, null.clone(), Value::Number(1.0), false),
            (Eq, Value::Number(1.0), Value::Number(1.0), true),
            (Lt, Value::Number(1.0), Value::Number(2.5), true),
            (Eq, Value::Number(f64::NAN), Value::Number(f64::NAN), false),
            (Ne, Value::Number(f64::NAN), Value::Number(f64::NAN), true),
            (Eq, s("New"), s("new"), false),
            (Lt, s("B"), s("a"), true),
            // UTF-16 order (as JS): U+FF61 sorts after the surrogate pair of U+1F49D.
            (Lt, s("💝"), s("｡"), true),
            (Eq, Value::Guid(Cow::Borrowed("ABC")), s("abc"), true),
            (Eq, dt("2020-01-01T01:00:00+01:00"), dt("2020-01-01T00:00:00Z"), true),
            (Gt, dt("2020-12-01T00:00:01Z"), date("2020-12-01"), true),
            (Eq, dt("2020-12-01T00:00:00Z"), date("2020-12-01"), true),
            (Lt, date("2020-11-30"), dt("2020-12-01T00:00:00Z"), true),
            (Eq, Value::Bool(true), Value::Bool(true), true),
            (Eq, s("1"), Value::Number(1.0), false),
            (Ne, s("1"), Value::Number(1.0), true),
            (Gt, Value::Duration(2), Value::Duration(1), true),
        ];
        for (op, l, r, want) in table {
            assert_eq!(compare(op, &l, &r), want, "{l:?} {} {r:?}", op.keyword());
        }
    }

    #[test]
    fn arithmetic_follows_odata_division_rules() {
        use BinaryOp::*;
        let n = Value::Number;
        assert_eq!(arithmetic(Div, n(7.0), n(2.0), true), n(3.0));
        assert_eq!(arithmetic(Div, n(7.0), n(2.0), false), n(3.5));
        assert_eq!(arithmetic(DivBy, n(7.0), n(2.0), true), n(3.5));
        assert_eq!(arithmetic(Div, n(7.5), n(2.0), false), n(3.75));
        assert_eq!(arithmetic(Mod, n(-7.0), n(2.0), true), n(-1.0));
        assert_eq!(arithmetic(Div, n(1.0), n(0.0), true), Value::Null);
        let t = DateTimeOffset::parse("2020-10-30T21:03:00Z").unwrap();
        assert_eq!(
            arithmetic(Add, Value::DateTime(t), Value::Duration(PICOS_PER_DAY), false),
            Value::DateTime(t.plus_days(1))
        );
        assert_eq!(
            arithmetic(Sub, Value::DateTime(t.plus_days(2)), Value::DateTime(t), false),
            Value::Duration(2 * PICOS_PER_DAY)
        );
        let date = |s: &str| Value::Date(Date::parse(s).unwrap());
        let hour = PICOS_PER_SECOND * 3600;
        assert_eq!(
            arithmetic(Sub, date("2026-11-15"), Value::Duration(14 * PICOS_PER_DAY), false),
            date("2026-11-01")
        );
        assert_eq!(
            arithmetic(Sub, date("2026-11-15"), Value::Duration(hour), false),
            date("2026-11-14")
        );
        assert_eq!(
            arithmetic(Add, date("2026-11-15"), Value::Duration(23 * hour), false),
            date("2026-11-15")
        );
        assert_eq!(
            arithmetic(Sub, date("2026-03-01"), date("2026-02-01"), false),
            Value::Duration(28 * PICOS_PER_DAY)
        );
        assert_eq!(
            arithmetic(Mul, Value::Duration(hour), n(1.5), false),
            Value::Duration(hour * 3 / 2)
        );
        assert_eq!(arithmetic(Mul, n(0.1), Value::Duration(10), false), Value::Duration(1));
        assert_eq!(
            arithmetic(Div, Value::Duration(hour), n(3.0), false),
            Value::Duration(hour / 3)
        );
        assert_eq!(arithmetic(Div, Value::Duration(hour), n(0.0), false), Value::Null);
        assert_eq!(arithmetic(Add, Value::DateTime(t), Value::DateTime(t), false), Value::Null);
    }

    #[test]
    fn string_functions_count_utf16_units() {
        let s = |x: &'static str| Value::String(Cow::Borrowed(x));
        let now = DateTimeOffset::from_unix_millis(0);
        assert_eq!(call("length", vec![s("a💝b")], now), Value::Number(4.0));
        assert_eq!(call("indexof", vec![s("a💝b"), s("b")], now), Value::Number(3.0));
        assert_eq!(call("indexof", vec![s("ab"), s("z")], now), Value::Number(-1.0));
        assert_eq!(
            call("substring", vec![s("a💝b"), Value::Number(1.0), Value::Number(2.0)], now),
            s("💝")
        );
        assert_eq!(call("substring", vec![s("abc"), Value::Number(5.0)], now), s(""));
        assert_eq!(call("substring", vec![s("abc"), Value::Number(-1.0)], now), s("abc"));
        assert_eq!(call("contains", vec![Value::Null, s("x")], now), Value::Null);
    }
}
