//! The tagged-template builder: ``filter`name eq ${value}` `` with values as literals.
//!
//! One job: render interpolated values as OData literal tokens, never as syntax. Strings are
//! quoted with inner quotes doubled, numbers printed in a form the lexer reads back to the same
//! `f64`, dates as DateTimeOffset literals, arrays as `(a,b,c)` lists for `in`. A value is
//! separated from adjacent word characters by a space so it can never merge into a
//! neighbouring token. The rendered text is then parsed and checked like any string filter,
//! so error positions refer to the rendered text. Imports `error`, `datetime`, `lexer`.

use std::fmt::Write as _;

use crate::datetime::DateTimeOffset;
use crate::error::{Error, Result, Span};
use crate::platform;
use crate::schema::{ComplexType, REFERRAL};

use super::ast::{Expr, ExprKind, Literal};
use super::check;
use super::encode::{percent_encode, percent_encode_into};
use super::lexer::{len_utf16, write_quoted, MAX_FILTER_LEN};
use super::Filter;

/// A value interpolated into a filter template (what the JS side converts `unknown` into).
#[derive(Debug, Clone, PartialEq)]
pub enum TemplateValue {
    /// `null` / `undefined` → `null`.
    Null,
    /// → `true` / `false`.
    Bool(bool),
    /// → a number literal; NaN and ±Infinity are rejected.
    Number(f64),
    /// → a quoted string literal, `'` doubled.
    String(String),
    /// A JS `Date` → a DateTimeOffset literal such as `2020-10-30T21:03:00.123Z`.
    DateTime(DateTimeOffset),
    /// An array → `(a,b,c)`, for `in`; must be non-empty and flat.
    List(Vec<TemplateValue>),
}

/// The shortest spelling of a finite `f64` that the filter lexer reads back exactly, or `None`
/// for NaN and infinities: Rust's `{}` for 1e-7 <= |n| < 1e21 (`1500.5`, `0.0000001`), its
/// `{:e}` outside (`1e21`, `1.5e-8`), `0` for ±0.
pub fn number_literal(n: f64) -> Option<String> {
    if !n.is_finite() {
        return None;
    }
    if n == 0.0 {
        return Some("0".into()); // also -0
    }
    // Rust's `{:e}` outside [1e-7, 1e21), `{}` inside (the platform hook keeps it so on wasm);
    // `None` only where the platform cannot print (see `crate::platform`).
    platform::format_f64(n, !(1e-7..1e21).contains(&n.abs()))
}

fn template_error(out: &str, reason: &str) -> Error {
    let at = len_utf16(out);
    Error::InvalidLiteral { span: Span::new(at, at), kind: "template", reason: reason.into() }
}

/// Renders one value as its literal (`nested`: inside a list), also recording the byte range of each scalar literal written (a list's
/// items one by one) when `items` is `Some`.
fn render_recording(
    out: &mut String,
    value: &TemplateValue,
    nested: bool,
    items: &mut Option<&mut Vec<(usize, usize)>>,
) -> Result<()> {
    let start = out.len();
    match value {
        TemplateValue::Null => out.push_str("null"),
        TemplateValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        TemplateValue::Number(n) => match number_literal(*n) {
            Some(text) => out.push_str(&text),
            None => {
                let at = len_utf16(out);
                return Err(Error::InvalidLiteral {
                    span: Span::new(at, at),
                    kind: "number",
                    reason: format!(
                        "`{}` cannot be sent as a filter value",
                        platform::display_f64(*n)
                    ),
                });
            }
        },
        TemplateValue::String(s) => {
            // invariant: writing to a String cannot fail.
            let _ = write_quoted(out, s);
        }
        TemplateValue::DateTime(t) => {
            let _ = write!(out, "{t}");
        }
        TemplateValue::List(list) => {
            if nested {
                return Err(template_error(out, "nested arrays cannot be interpolated"));
            }
            if list.is_empty() {
                return Err(template_error(out, "an empty array cannot be used with `in`"));
            }
            out.push('(');
            for (i, item) in list.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render_recording(out, item, true, items)?;
            }
            out.push(')');
            return Ok(());
        }
    }
    if let Some(items) = items {
        items.push((start, out.len()));
    }
    Ok(())
}

fn sticky(c: char) -> bool {
    crate::platform::is_alphanumeric(c) || matches!(c, '_' | '\'' | '.' | '-')
}

/// Renders template parts and values into filter text. `strings` must have exactly one more
/// element than `values` (as a JS tagged template guarantees).
///
/// # Errors
/// [`Error::InvalidLiteral`] (`InvalidFilter`) for a non-finite number, an empty or nested
/// array, a value placed inside quotes, or mismatched part counts; positions are in the
/// rendered text.
pub fn render(strings: &[&str], values: &[TemplateValue]) -> Result<String> {
    render_with_items(strings, values, None)
}

/// [`render`], recording the byte range of every scalar literal (list items one by one) in
/// `items` when given.
fn render_with_items(
    strings: &[&str],
    values: &[TemplateValue],
    mut items: Option<&mut Vec<(usize, usize)>>,
) -> Result<String> {
    let mut out = String::new();
    if strings.len() != values.len() + 1 {
        return Err(template_error(&out, "a template needs one more string part than values"));
    }
    for (i, part) in strings.iter().enumerate() {
        out.push_str(part);
        let Some(value) = values.get(i) else { break };
        let next = strings.get(i + 1).copied().unwrap_or("");
        if part.ends_with('\'') && next.starts_with('\'') {
            return Err(template_error(
                &out,
                "do not put quotes around `${…}`: interpolated values are quoted for you",
            ));
        }
        if out.chars().next_back().is_some_and(sticky) {
            out.push(' ');
        }
        render_recording(&mut out, value, false, &mut items)?;
        if next.chars().next().is_some_and(sticky) {
            out.push(' ');
        }
    }
    Ok(out)
}

// ---- compiled templates ----------------------------------------------------------------------
//
// A JS call site evaluates the same `strings` many times with different values. Lexing, parsing
// and checking the rendered text each time is the expensive part, and for most values its
// outcome is known in advance: two calls whose values have the same *shape* (kind of each
// value, list lengths, the form of each number) render to the same text up to the literals, so
// they lex and parse to the same tree up to the literal nodes, and check the same unless a
// check looks at a string's content (enum members, GUIDs). A [`Template`] therefore builds the
// first call of each shape the slow way ([`filter_from_template`](super::filter_from_template)),
// and when that succeeds and the literals sit in the tree as plain literal tokens, keeps a
// *plan*: the canonical text cut around the literals, the fields, and, when a string's content
// matters, the tree to re-check with the new literals. Later calls of that shape splice the
// values' literals into the pieces. Whenever anything could differ (a new shape, a check that
// fails, text past the length limit) the call takes the slow way, which gives the very errors,
// positions and canonical text it always gave.

/// How many shapes a [`Template`] keeps plans for (lists of many lengths make many shapes;
/// beyond this, calls of new shapes take the slow way).
const MAX_PLANS: usize = 8;

/// Appends `n` as `width` (at most 9) decimal digits, zero-padded.
fn push_digits(out: &mut String, mut n: u32, width: usize) {
    let mut digits = [b'0'; 9];
    let width = width.min(9);
    for d in digits[..width].iter_mut().rev() {
        *d = b'0' + (n % 10) as u8;
        n /= 10;
    }
    // invariant: ASCII digits are UTF-8.
    out.push_str(std::str::from_utf8(&digits[..width]).unwrap_or_default());
}

/// Writes a UTC date-time with a year 0000-9999 exactly as its `Display` does (without the
/// formatting machinery: this is the per-call path); `false` for any other date-time.
fn write_utc_datetime(out: &mut String, t: &DateTimeOffset) -> bool {
    if t.offset_minutes != 0 || t.nanos >= 1_000_000_000 || t.sub_nanos != 0 {
        return false;
    }
    let (y, mo, d) = t.local_date();
    let Ok(y) = u32::try_from(y) else { return false };
    if y > 9999 {
        return false;
    }
    let (h, mi, s) = t.local_time();
    push_digits(out, y, 4);
    for (sep, n) in [('-', mo), ('-', d), ('T', h), (':', mi), (':', s)] {
        out.push(sep);
        push_digits(out, n, 2);
    }
    if t.nanos != 0 {
        let (mut frac, mut width) = (t.nanos, 9);
        while frac % 10 == 0 {
            frac /= 10;
            width -= 1;
        }
        out.push('.');
        push_digits(out, frac, width);
    }
    out.push('Z');
    true
}

/// Appends the literal of scalar `value` to `out` and its shape (what the lexer, parser and
/// checker can see of it apart from its content) to `shape`; `false` when the value cannot be
/// spliced (the slow way decides).
fn scalar_literal(out: &mut String, shape: &mut Vec<u8>, value: &TemplateValue) -> bool {
    match value {
        TemplateValue::Null => {
            out.push_str("null");
            shape.push(b'n');
        }
        TemplateValue::Bool(b) => {
            out.push_str(if *b { "true" } else { "false" });
            shape.push(b'b');
        }
        TemplateValue::String(s) => {
            // invariant: writing to a String cannot fail.
            let _ = write_quoted(out, s);
            shape.push(b's');
        }
        TemplateValue::DateTime(t) => {
            if !write_utc_datetime(out, t) {
                return false;
            }
            shape.push(b'd');
        }
        TemplateValue::Number(n) => {
            let Some(text) = number_literal(*n) else { return false };
            // Numbers by their spelling: leading `-`, `.`, exponent, negative exponent.
            shape.push(
                0x80 | u8::from(text.starts_with('-'))
                    | u8::from(text.contains('.')) << 1
                    | u8::from(text.contains('e')) << 2
                    | u8::from(text.contains("e-")) << 3,
            );
            out.push_str(&text);
        }
        TemplateValue::List(_) => return false,
    }
    true
}

/// The literals of every scalar of `values` (list items one by one) into `text`, their end
/// offsets into `ends`, and the shape of the whole into `shape`; `false` when some value cannot
/// be spliced.
fn literals(
    values: &[TemplateValue],
    text: &mut String,
    ends: &mut Vec<usize>,
    shape: &mut Vec<u8>,
) -> bool {
    text.clear();
    ends.clear();
    shape.clear();
    for value in values {
        match value {
            TemplateValue::List(items) => {
                if items.is_empty() {
                    return false;
                }
                shape.push(b'(');
                for item in items {
                    if !scalar_literal(text, shape, item) {
                        return false;
                    }
                    ends.push(text.len());
                }
                shape.push(b')');
            }
            scalar => {
                if !scalar_literal(text, shape, scalar) {
                    return false;
                }
                ends.push(text.len());
            }
        }
    }
    true
}

/// The scalar values of `values` in order, list items one by one.
fn scalars(values: &[TemplateValue]) -> impl Iterator<Item = &TemplateValue> {
    values.iter().flat_map(|v| match v {
        TemplateValue::List(items) => items.iter(),
        other => std::slice::from_ref(other).iter(),
    })
}

/// A literal node for a scalar value, as the parser would make it from the rendered text;
/// `None` when the rendered text would not lex back to exactly this literal.
fn literal_of(value: &TemplateValue, text: &str) -> Option<Literal> {
    Some(match value {
        TemplateValue::Null => Literal::Null,
        TemplateValue::Bool(b) => Literal::Bool(*b),
        TemplateValue::Number(_) => Literal::Number(text.to_string()),
        TemplateValue::String(s) => Literal::String(s.clone()),
        TemplateValue::DateTime(_) => Literal::DateTime(DateTimeOffset::parse(text).ok()?),
        TemplateValue::List(_) => return None,
    })
}

/// Calls `f` on every node of `e` in pre-order (recursion depth is bounded by the parser).
/// (`dyn`: one copy of the walk in the wasm file, whatever the callers.)
fn each_node_mut(e: &mut Expr, f: &mut dyn FnMut(&mut Expr)) {
    f(e);
    match &mut e.kind {
        ExprKind::Literal(_) | ExprKind::Path(_) => {}
        ExprKind::Call { args: items, .. } | ExprKind::And(items) | ExprKind::Or(items) => {
            items.iter_mut().for_each(|x| each_node_mut(x, f))
        }
        ExprKind::Lambda { predicate, .. } => {
            if let Some((_, body)) = predicate {
                each_node_mut(body, f)
            }
        }
        ExprKind::Not(x) | ExprKind::Neg(x) => each_node_mut(x, f),
        ExprKind::Binary { operands, .. } => {
            let [left, right] = &mut **operands;
            each_node_mut(left, f);
            each_node_mut(right, f)
        }
        ExprKind::In { left, list } => {
            each_node_mut(left, f);
            list.iter_mut().for_each(|x| each_node_mut(x, f))
        }
    }
}

/// Replaces the literal nodes of `expr` at the pre-order indices `nodes` (ascending; one per
/// scalar) with `literals`.
fn substitute(expr: &mut Expr, nodes: &[usize], literals: Vec<Literal>) {
    let mut index = 0;
    let mut next = nodes.iter().zip(literals).peekable();
    each_node_mut(expr, &mut |node| {
        if next.peek().is_some_and(|(at, _)| **at == index) {
            if let Some((_, literal)) = next.next() {
                node.kind = ExprKind::Literal(literal);
            }
        }
        index += 1;
    });
}

/// What a call of one shape needs: the canonical text around the literals, the fields, and the
/// tree to re-check when a string's content matters.
#[derive(Debug, Clone)]
struct Plan {
    /// Canonical text before, between and after the scalar literals (one more than scalars).
    pieces: Vec<String>,
    /// The same pieces percent-encoded (percent-encoding is byte by byte, so the encoded
    /// canonical text is these with the encoded literals between).
    encoded: Vec<String>,
    fields: Vec<String>,
    /// UTF-16 length of the rendered text without its scalar literals (for the length limit).
    fixed_len: usize,
    /// The checked tree and the pre-order indices of the scalars' literal nodes, when some
    /// check depends on a string's content.
    recheck: Option<(Expr, Vec<usize>)>,
    /// The referral type the template checks against.
    schema: &'static ComplexType,
}

impl Plan {
    /// A plan from a successful slow build, or `None` when the literals are not plain literal
    /// tokens of the tree, delimited by spaces, parentheses or commas.
    fn new(strings: &[&str], values: &[TemplateValue], filter: &Filter) -> Option<Plan> {
        let mut ranges = Vec::new();
        let text = render_with_items(strings, values, Some(&mut ranges)).ok()?;
        let scalars: Vec<&TemplateValue> = scalars(values).collect();
        if ranges.len() != scalars.len() {
            return None;
        }
        let bytes = text.as_bytes();
        let mut spans = Vec::with_capacity(ranges.len());
        for &(start, end) in &ranges {
            let before = start.checked_sub(1).and_then(|i| bytes.get(i).copied());
            let after = bytes.get(end).copied();
            if !matches!(before, None | Some(b' ' | b'(' | b','))
                || !matches!(after, None | Some(b' ' | b')' | b','))
            {
                return None;
            }
            let at = text.get(..start)?.encode_utf16().count();
            let len = text.get(start..end)?.encode_utf16().count();
            spans.push((u32::try_from(at).ok()?, u32::try_from(at + len).ok()?));
        }
        // Each literal must be exactly one literal node, spelled as rendered.
        let mut expr = filter.expr().clone();
        let mut nodes = vec![None; spans.len()];
        let mut index = 0;
        let mut ok = true;
        each_node_mut(&mut expr, &mut |node| {
            if let ExprKind::Literal(_) = node.kind {
                let span = (node.span.start, node.span.end);
                if let Some(i) = spans.iter().position(|s| *s == span) {
                    let rendered = ranges.get(i).and_then(|&(s, e)| text.get(s..e));
                    let same = match (rendered, scalars.get(i)) {
                        (Some(rendered), Some(value)) => {
                            literal_of(value, rendered).is_some_and(
                                |l| matches!(&node.kind, ExprKind::Literal(k) if *k == l),
                            ) && node.to_string() == rendered
                        }
                        _ => false,
                    };
                    match nodes.get_mut(i) {
                        Some(slot @ None) if same => *slot = Some(index),
                        _ => ok = false,
                    }
                }
            }
            index += 1;
        });
        let nodes: Vec<usize> = nodes.into_iter().collect::<Option<_>>()?;
        if !ok {
            return None;
        }
        // Does any check look at a string's content? Try strings no check accepts.
        let strings_at: Vec<usize> = (0..scalars.len())
            .filter(|i| matches!(scalars[*i], TemplateValue::String(_)))
            .collect();
        let recheck = if strings_at.is_empty() {
            None
        } else {
            let mut probe = expr.clone();
            let probes = strings_at.iter().map(|_| Literal::String("\u{e000}".into())).collect();
            let at: Vec<usize> = strings_at.iter().filter_map(|i| nodes.get(*i).copied()).collect();
            substitute(&mut probe, &at, probes);
            let fine = check::check(&probe, Some(filter.schema())).errors.is_empty();
            (!fine).then(|| (expr.clone(), nodes.clone()))
        };
        // The canonical text around the literals: print the tree with markers in their place.
        let marker = |i: usize| format!("\u{e000}{i}\u{e001}");
        let mut marked = expr;
        substitute(
            &mut marked,
            &nodes,
            (0..nodes.len()).map(|i| Literal::String(marker(i))).collect(),
        );
        let marked = marked.to_string();
        if marked.matches('\u{e000}').count() != nodes.len() {
            return None;
        }
        let mut pieces = Vec::with_capacity(nodes.len() + 1);
        let mut rest = marked.as_str();
        for i in 0..nodes.len() {
            let quoted = format!("'{}'", marker(i));
            let (before, after) = rest.split_once(&quoted)?;
            pieces.push(before.to_string());
            rest = after;
        }
        pieces.push(rest.to_string());
        let literal_len: usize = ranges
            .iter()
            .map(|&(s, e)| text.get(s..e).map_or(0, |t| t.encode_utf16().count()))
            .sum();
        let plan = Plan {
            encoded: pieces.iter().map(|p| percent_encode(p)).collect(),
            pieces,
            fields: filter.fields().to_vec(),
            fixed_len: text.encode_utf16().count().saturating_sub(literal_len),
            recheck,
            schema: filter.schema(),
        };
        // The plan must give back what the slow way gave, from the per-call literals.
        let (mut literal_text, mut ends, mut shape) = (String::new(), Vec::new(), Vec::new());
        let same = literals(values, &mut literal_text, &mut ends, &mut shape)
            && plan.build(values, &literal_text, &ends).is_some_and(|(canonical, encoded)| {
                canonical == filter.canonical() && encoded == percent_encode(&canonical)
            });
        same.then_some(plan)
    }

    /// The canonical text and its percent-encoding: the pieces with the literals
    /// `text[ends[i-1]..ends[i]]` between.
    fn splice(&self, text: &str, ends: &[usize]) -> Option<(String, String)> {
        let len = self.pieces.iter().map(String::len).sum::<usize>() + text.len();
        let encoded_len = self.encoded.iter().map(String::len).sum::<usize>() + text.len();
        let mut out = String::with_capacity(len);
        let mut encoded = String::with_capacity(encoded_len + text.len() / 2);
        let mut start = 0;
        for ((piece, encoded_piece), &end) in self.pieces.iter().zip(&self.encoded).zip(ends) {
            let literal = text.get(start..end)?;
            out.push_str(piece);
            out.push_str(literal);
            encoded.push_str(encoded_piece);
            percent_encode_into(&mut encoded, literal);
            start = end;
        }
        out.push_str(self.pieces.last()?);
        encoded.push_str(self.encoded.last()?);
        Some((out, encoded))
    }

    /// The canonical text and its percent-encoding for `values` of this plan's shape, whose
    /// literals are in `text` and `ends`; `None` when the slow way must decide.
    fn build(
        &self,
        values: &[TemplateValue],
        text: &str,
        ends: &[usize],
    ) -> Option<(String, String)> {
        if ends.len() + 1 != self.pieces.len() {
            return None;
        }
        let literal_len = len_utf16(text) as usize;
        if self.fixed_len + literal_len > MAX_FILTER_LEN {
            return None;
        }
        if let Some((expr, nodes)) = &self.recheck {
            let mut expr = expr.clone();
            let mut start = 0;
            let mut new = Vec::with_capacity(ends.len());
            for (value, &end) in scalars(values).zip(ends) {
                new.push(literal_of(value, text.get(start..end)?)?);
                start = end;
            }
            substitute(&mut expr, nodes, new);
            if !check::check(&expr, Some(self.schema)).errors.is_empty() {
                return None;
            }
        }
        self.splice(text, ends)
    }
}

/// A filter template compiled once and built many times: what a JS call site of the `filter`
/// tag keeps (its `strings` are the same frozen array at every evaluation).
///
/// [`Template::build`] gives exactly what
/// [`filter_from_template`](super::filter_from_template) gives for the same strings and values
/// (canonical text, fields, errors and their positions), only faster from the second call of
/// a given shape of values on.
///
/// ```
/// use partner_referrals::query::{filter_from_template, template::Template, TemplateValue};
/// let mut t = Template::new(vec!["customerProfile/name eq ".into(), "".into()]);
/// for name in ["Contoso", "O'Brien & Co"] {
///     let values = [TemplateValue::String(name.into())];
///     let built = t.build(&values).unwrap();
///     let slow = filter_from_template(&["customerProfile/name eq ", ""], &values).unwrap();
///     assert_eq!(built.canonical, slow.canonical());
///     assert_eq!(t.fields(&built), slow.fields());
/// }
/// ```
#[derive(Debug, Clone)]
pub struct Template {
    strings: Vec<String>,
    /// The referral type its filters are checked against.
    schema: &'static ComplexType,
    /// Plans by shape (`None`: that shape always takes the slow way).
    plans: Vec<(Vec<u8>, Option<Plan>)>,
    /// Per-call scratch: the literals, their ends, the shape.
    text: String,
    ends: Vec<usize>,
    shape: Vec<u8>,
}

/// The result of [`Template::build`].
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Built {
    /// The canonical filter text.
    pub canonical: String,
    /// `canonical` percent-encoded (what follows `$filter=` in a query string), spliced from
    /// the plan's encoded pieces and the encoded literals rather than encoded whole.
    pub encoded: String,
    /// Where the fields are: `Ok(plan)` for a plan's (see [`Template::plan_fields`]), `Err` for
    /// fields of this call only.
    pub fields: std::result::Result<usize, Vec<String>>,
}

impl Template {
    /// A template of these cooked string parts (one more than values).
    pub fn new(strings: Vec<String>) -> Template {
        Template::new_in(strings, &REFERRAL)
    }

    /// A template whose filters are checked against `schema` (the referral type with a
    /// caller's extra fields, see [`Filter::parse_in`]).
    pub fn new_in(strings: Vec<String>, schema: &'static ComplexType) -> Template {
        Template {
            strings,
            schema,
            plans: Vec::new(),
            text: String::new(),
            ends: Vec::new(),
            shape: Vec::new(),
        }
    }

    /// How many string parts the template has (values are one fewer).
    pub fn parts(&self) -> usize {
        self.strings.len()
    }

    /// The fields of a build: a plan's (shared by every build of that plan) or the call's own.
    pub fn fields<'a>(&'a self, built: &'a Built) -> &'a [String] {
        match &built.fields {
            Ok(plan) => self.plan_fields(*plan),
            Err(own) => own,
        }
    }

    /// The fields of plan number `plan` (empty for a plan that does not exist).
    pub fn plan_fields(&self, plan: usize) -> &[String] {
        match self.plans.get(plan) {
            Some((_, Some(plan))) => &plan.fields,
            _ => &[],
        }
    }

    /// Builds the filter for `values`: as [`filter_from_template`](super::filter_from_template).
    ///
    /// # Errors
    /// Those of [`filter_from_template`](super::filter_from_template), identical.
    pub fn build(&mut self, values: &[TemplateValue]) -> Result<Built> {
        let spliceable = literals(values, &mut self.text, &mut self.ends, &mut self.shape);
        let known = if spliceable {
            self.plans.iter().position(|(shape, _)| *shape == self.shape)
        } else {
            None
        };
        if let Some(at) = known {
            if let Some((_, Some(plan))) = self.plans.get(at) {
                if let Some((canonical, encoded)) = plan.build(values, &self.text, &self.ends) {
                    return Ok(Built { canonical, encoded, fields: Ok(at) });
                }
            }
        }
        let strings: Vec<&str> = self.strings.iter().map(String::as_str).collect();
        let filter = super::filter_from_template_in(&strings, values, self.schema)?;
        if spliceable && known.is_none() && self.plans.len() < MAX_PLANS {
            let plan = Plan::new(&strings, values, &filter);
            let has_plan = plan.is_some();
            self.plans.push((self.shape.clone(), plan));
            if has_plan {
                return Ok(Built {
                    canonical: filter.canonical().to_string(),
                    encoded: percent_encode(filter.canonical()),
                    fields: Ok(self.plans.len() - 1),
                });
            }
        }
        Ok(Built {
            canonical: filter.canonical().to_string(),
            encoded: percent_encode(filter.canonical()),
            fields: Err(filter.fields().to_vec()),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(x: &str) -> TemplateValue {
        TemplateValue::String(x.into())
    }

    #[test]
    fn values_render_as_literals() {
        assert_eq!(
            render(&["customerProfile/name eq ", ""], &[s("O'Brien & Co #1+2")]).unwrap(),
            "customerProfile/name eq 'O''Brien & Co #1+2'"
        );
        let list = TemplateValue::List(vec![s("New"), s("Active")]);
        assert_eq!(render(&["status in ", ""], &[list]).unwrap(), "status in ('New','Active')");
        let t = DateTimeOffset::from_unix_millis(1_604_091_780_123);
        assert_eq!(
            render(&["createdDateTime gt ", ""], &[TemplateValue::DateTime(t)]).unwrap(),
            "createdDateTime gt 2020-10-30T21:03:00.123Z"
        );
        assert_eq!(
            render(&["a eq ", " or b eq ", ""], &[TemplateValue::Null, TemplateValue::Bool(true)])
                .unwrap(),
            "a eq null or b eq true"
        );
    }

    #[test]
    fn values_never_merge_with_neighbouring_words() {
        assert_eq!(
            render(&["x eq", "and y eq 1"], &[TemplateValue::Number(5.0)]).unwrap(),
            "x eq 5 and y eq 1"
        );
    }

    #[test]
    fn numbers_render_in_a_form_that_reads_back_exactly() {
        for n in
            [0.0, -0.0, 1.0, -3.0, 0.1, 1e5, 1e21, 1.5e-8, 123456.789, f64::MAX, f64::MIN_POSITIVE]
        {
            let text = number_literal(n).unwrap();
            assert_eq!(text.parse::<f64>().unwrap(), n, "{text}");
        }
        assert_eq!(number_literal(-0.0).unwrap(), "0");
        assert_eq!(number_literal(f64::NAN), None);
        assert_eq!(number_literal(f64::INFINITY), None);
    }

    #[test]
    fn date_times_splice_exactly_as_they_display() {
        let mut state = 0x9E37_79B9_7F4A_7C15u64;
        let mut millis = vec![-62_167_219_200_000, 253_402_300_799_999, 0, -1, 1_604_091_780_123];
        for _ in 0..5000 {
            state ^= state << 13;
            state ^= state >> 7;
            state ^= state << 17;
            millis.push((state % 315_569_520_000_000) as i64 - 62_167_219_200_000);
        }
        for ms in millis {
            let t = DateTimeOffset::from_unix_millis(ms);
            for nanos in [t.nanos, 0, 1, 120_000_000, 999_999_999, 500] {
                let t = DateTimeOffset { nanos, ..t };
                let mut out = String::new();
                assert!(write_utc_datetime(&mut out, &t), "{t}");
                assert_eq!(out, t.to_string());
                assert_eq!(DateTimeOffset::parse(&out).unwrap().to_string(), out, "reads back");
            }
        }
        let mut out = String::new();
        let offset = DateTimeOffset { offset_minutes: 60, ..DateTimeOffset::from_unix_millis(0) };
        assert!(!write_utc_datetime(&mut out, &offset));
        assert!(!write_utc_datetime(
            &mut out,
            &DateTimeOffset::from_unix_millis(253_402_300_800_000)
        ));
        assert!(!write_utc_datetime(
            &mut out,
            &DateTimeOffset::from_unix_millis(-62_167_219_200_001)
        ));
    }

    #[test]
    fn bad_values_are_errors_at_their_position() {
        let err = render(&["x eq ", ""], &[TemplateValue::Number(f64::NAN)]).unwrap_err();
        assert_eq!(err.span(), Some(Span::new(5, 5)));
        let err = render(&["x in ", ""], &[TemplateValue::List(vec![])]).unwrap_err();
        assert_eq!(err.span(), Some(Span::new(5, 5)));
        let nested = TemplateValue::List(vec![TemplateValue::List(vec![s("a")])]);
        assert!(render(&["x in ", ""], &[nested]).is_err());
        assert!(render(&["x eq '", "'"], &[s("a")]).is_err());
        assert!(render(&["x eq "], &[s("a")]).is_err());
    }
}
