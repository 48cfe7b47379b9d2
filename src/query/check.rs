//! Validates a parsed `$filter` against the referral schema.
//!
//! One job: resolve every property path, type-check every operator, function argument and
//! enum literal, scope lambda variables. Collects *all* errors, sorted by span (callers report
//! the first). Knows text positions only through spans and never sees the source string.
//! Without a schema (`validateFilter(text, {schema:false})`) property paths have an unknown
//! type that fits anywhere, so only what literals and function signatures imply is checked.
//! Imports `ast`, `schema`, `error` and the lexer's duration reader.

use std::borrow::Cow;

use crate::error::{Error, Span};
use crate::schema::{suggest, ComplexType, EnumType, Kind};

use super::ast::{BinaryOp, Expr, ExprKind, Ident, LambdaOp, Literal};

/// The static type of an expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Ty {
    /// Not known (schema-less paths, or an operand that already has an error): fits anywhere.
    Unknown,
    /// The `null` literal.
    Null,
    /// `Edm.Boolean`
    Bool,
    /// `Edm.String`
    String,
    /// Any number (the API's `Decimal` included).
    Number,
    /// A GUID property or bare GUID literal.
    Guid,
    /// `Edm.DateTimeOffset`
    DateTime,
    /// `Edm.Date`
    Date,
    /// `Edm.Duration`
    Duration,
    /// A string property restricted to an enum's members.
    Enum(&'static EnumType),
    /// A structured property (not comparable).
    Complex(&'static ComplexType),
    /// A collection property (only usable with `any`/`all`).
    Collection(&'static Kind),
}

impl Ty {
    fn of_kind(kind: Kind) -> Ty {
        match kind {
            Kind::String => Ty::String,
            Kind::Guid => Ty::Guid,
            Kind::DateTimeOffset => Ty::DateTime,
            Kind::Date => Ty::Date,
            Kind::Boolean => Ty::Bool,
            Kind::Decimal => Ty::Number,
            Kind::Enum(e) => Ty::Enum(e),
            Kind::Complex(c) => Ty::Complex(c),
            Kind::Collection(k) => Ty::Collection(k),
            // invariant: paths ending in Json are rejected before their type is taken.
            Kind::Json => Ty::Unknown,
        }
    }

    /// A short description for messages: `a String`, `a ReferralStatus`, `null`.
    fn describe(self) -> String {
        match self {
            Ty::Unknown => "a value".into(),
            Ty::Null => "`null`".into(),
            Ty::Bool => "a Boolean".into(),
            Ty::String => "a String".into(),
            Ty::Number => "a number".into(),
            Ty::Guid => "a Guid".into(),
            Ty::DateTime => "a DateTimeOffset".into(),
            Ty::Date => "a Date".into(),
            Ty::Duration => "a Duration".into(),
            Ty::Enum(e) => format!("a {}", e.name),
            Ty::Complex(c) => format!("a {}", c.name),
            Ty::Collection(k) => format!("a Collection({})", k.name()),
        }
    }

    fn is_string_like(self) -> bool {
        matches!(self, Ty::String | Ty::Enum(_) | Ty::Unknown)
    }
}

/// What a function parameter accepts.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Param {
    /// String or enum.
    Str,
    /// Number.
    Num,
    /// DateTimeOffset or Date.
    DateLike,
    /// DateTimeOffset.
    DateTime,
    /// An integer (`Edm.Int32`): an integer literal or expression, or a property of unknown
    /// type.
    Int,
}

impl Param {
    /// `null` fits every parameter: OData's canonical functions return `null` for it.
    fn accepts(self, ty: Ty) -> bool {
        if ty == Ty::Null {
            return true;
        }
        match self {
            Param::Str => ty.is_string_like(),
            Param::Num => matches!(ty, Ty::Number | Ty::Unknown),
            Param::DateLike => matches!(ty, Ty::DateTime | Ty::Date | Ty::Unknown),
            Param::DateTime => matches!(ty, Ty::DateTime | Ty::Unknown),
            Param::Int => matches!(ty, Ty::Number | Ty::Unknown),
        }
    }

    fn describe(self) -> &'static str {
        match self {
            Param::Str => "a String",
            Param::Num => "a number",
            Param::DateLike => "a DateTimeOffset or Date",
            Param::DateTime => "a DateTimeOffset",
            Param::Int => "an integer",
        }
    }
}

/// A built-in function: name, parameters (the last `optional` may be left out), result.
struct Function {
    name: &'static str,
    params: &'static [Param],
    optional: usize,
    returns: Ty,
}

const fn func(name: &'static str, params: &'static [Param], returns: Ty) -> Function {
    Function { name, params, optional: 0, returns }
}

/// The supported OData functions.
static FUNCTIONS: &[Function] = &[
    func("contains", &[Param::Str, Param::Str], Ty::Bool),
    func("startswith", &[Param::Str, Param::Str], Ty::Bool),
    func("endswith", &[Param::Str, Param::Str], Ty::Bool),
    func("indexof", &[Param::Str, Param::Str], Ty::Number),
    func("concat", &[Param::Str, Param::Str], Ty::String),
    func("length", &[Param::Str], Ty::Number),
    func("tolower", &[Param::Str], Ty::String),
    func("toupper", &[Param::Str], Ty::String),
    func("trim", &[Param::Str], Ty::String),
    Function {
        name: "substring",
        params: &[Param::Str, Param::Int, Param::Int],
        optional: 1,
        returns: Ty::String,
    },
    func("year", &[Param::DateLike], Ty::Number),
    func("month", &[Param::DateLike], Ty::Number),
    func("day", &[Param::DateLike], Ty::Number),
    func("hour", &[Param::DateTime], Ty::Number),
    func("minute", &[Param::DateTime], Ty::Number),
    func("second", &[Param::DateTime], Ty::Number),
    func("date", &[Param::DateTime], Ty::Date),
    func("now", &[], Ty::DateTime),
    func("round", &[Param::Num], Ty::Number),
    func("floor", &[Param::Num], Ty::Number),
    func("ceiling", &[Param::Num], Ty::Number),
];

/// The names of the supported functions, for documentation and tests.
pub fn function_names() -> impl Iterator<Item = &'static str> {
    FUNCTIONS.iter().map(|f| f.name)
}

/// The outcome of checking: every error (sorted by span) and the property paths used.
#[derive(Debug, Clone, PartialEq)]
pub struct Checked {
    /// All errors, sorted by span start (then end).
    pub errors: Vec<Error>,
    /// Distinct property paths in order of first appearance; lambda variables are resolved to
    /// their collection (`team/any(t:t/email eq 'x')` uses `team` and `team/email`).
    pub fields: Vec<String>,
}

/// A lambda variable in scope: its name, element kind (unknown without a schema) and the
/// collection path it ranges over.
struct Scope<'e> {
    var: &'e str,
    element: Option<Kind>,
    path: Cow<'e, str>,
}

/// Borrows names from the tree (`'e`); allocates only for errors and for each distinct field
/// of more than one segment.
struct Checker<'e> {
    schema: Option<&'static ComplexType>,
    scopes: Vec<Scope<'e>>,
    /// The whole tree: searched for a lambda variable of the same name when a path's first
    /// segment is unknown, to tell "out of scope" from "unknown".
    root: &'e Expr,
    errors: Vec<Error>,
    /// A one-segment path at the root (most paths) is its name, borrowed from the tree.
    fields: Vec<Cow<'e, str>>,
    /// Where `resolve` builds a path of more than one segment (reused: no allocation per
    /// path).
    scratch: String,
}

/// Checks `expr` (which must be boolean) against `schema` (`None`: syntax-only mode).
pub fn check(expr: &Expr, schema: Option<&'static ComplexType>) -> Checked {
    into_checked(check_borrowed(expr, schema))
}

/// [`check`] with the fields borrowed from the tree where they can be: the errors and the
/// fields.
pub(crate) fn check_borrowed<'e>(
    expr: &'e Expr,
    schema: Option<&'static ComplexType>,
) -> (Vec<Error>, Vec<Cow<'e, str>>) {
    check_with(expr, schema, Checker::expect_bool)
}

fn into_checked((errors, fields): (Vec<Error>, Vec<Cow<'_, str>>)) -> Checked {
    Checked { errors, fields: owned(&fields) }
}

/// The fields as owned strings.
pub(crate) fn owned(fields: &[Cow<'_, str>]) -> Vec<String> {
    fields.iter().map(|f| String::from(&**f)).collect()
}

/// Checks `expr` as an expression of any type (OData's `commonExpr`: `price add 2` is one,
/// though not a filter) against `schema` (`None`: syntax-only mode). The OData ABNF
/// conformance runner uses it for the rules that are not whole filters.
pub fn check_value(expr: &Expr, schema: Option<&'static ComplexType>) -> Checked {
    into_checked(check_with(expr, schema, |checker, e| {
        checker.expr(e);
    }))
}

fn check_with<'e>(
    expr: &'e Expr,
    schema: Option<&'static ComplexType>,
    top: impl FnOnce(&mut Checker<'e>, &'e Expr),
) -> (Vec<Error>, Vec<Cow<'e, str>>) {
    let mut checker = Checker {
        schema,
        scopes: Vec::new(),
        root: expr,
        errors: Vec::new(),
        fields: Vec::with_capacity(4),
        scratch: String::new(),
    };
    top(&mut checker, expr);
    let mut errors = checker.errors;
    errors.sort_by_key(|e| e.span().map(|s| (s.start, s.end)));
    (errors, checker.fields)
}

/// Whether `e` declares a lambda variable called `name` anywhere.
fn declares_lambda_var(e: &Expr, name: &str) -> bool {
    if matches!(&e.kind, ExprKind::Lambda { predicate: Some((var, _)), .. } if var.name == name) {
        return true;
    }
    let mut found = false;
    for_each_child(e, |child| found = found || declares_lambda_var(child, name));
    found
}

/// Calls `f` on each direct child of `e` (recursion depth is bounded by the parser).
pub(crate) fn for_each_child<'a>(e: &'a Expr, mut f: impl FnMut(&'a Expr)) {
    match &e.kind {
        ExprKind::Literal(_) | ExprKind::Path(_) => {}
        ExprKind::Call { args: items, .. } | ExprKind::And(items) | ExprKind::Or(items) => {
            items.iter().for_each(f)
        }
        ExprKind::Lambda { predicate, .. } => {
            if let Some((_, body)) = predicate {
                f(body)
            }
        }
        ExprKind::Not(x) | ExprKind::Neg(x) => f(x),
        ExprKind::Binary { operands, .. } => {
            let [left, right] = &**operands;
            f(left);
            f(right)
        }
        ExprKind::In { left, list } => {
            f(left);
            list.iter().for_each(f)
        }
    }
}

/// Whether `e` has an integer type by OData's rules (integer literals, the functions that
/// return `Edm.Int32`, and `add sub mul div mod` and `-` over integers); `None` when that is not
/// known. `path` answers for property paths (`None`: not known, as without a schema). `div` of
/// two integers is integer division; the evaluator asks this.
pub(crate) fn integer_typed(e: &Expr, path: &impl Fn(&[Ident]) -> Option<bool>) -> Option<bool> {
    use BinaryOp::*;
    match &e.kind {
        ExprKind::Literal(Literal::Number(n)) => {
            Some(n.bytes().all(|b| b.is_ascii_digit() || b == b'-'))
        }
        ExprKind::Call { name, .. } => Some(matches!(
            name.name.as_str(),
            "length" | "indexof" | "year" | "month" | "day" | "hour" | "minute" | "second"
        )),
        ExprKind::Neg(x) => integer_typed(x, path),
        ExprKind::Binary { op: Add | Sub | Mul | Div | Mod, operands, .. } => {
            let [left, right] = &**operands;
            match (integer_typed(left, path), integer_typed(right, path)) {
                (Some(true), Some(true)) => Some(true),
                (Some(false), _) | (_, Some(false)) => Some(false),
                _ => None,
            }
        }
        ExprKind::Path(segments) => path(segments),
        _ => Some(false),
    }
}

/// OData 4.01's arithmetic table (URL Conventions, "Arithmetic Operators"): the type of
/// `l op r` for known operand types, `None` where the standard defines no result
/// (`DateTimeOffset add DateTimeOffset`, `Date mul 2`, ...).
fn arithmetic_result(op: BinaryOp, l: Ty, r: Ty) -> Option<Ty> {
    use BinaryOp::*;
    match (op, l, r) {
        (Add | Sub | Mul | Div | DivBy | Mod, Ty::Number, Ty::Number) => Some(Ty::Number),
        (Add | Sub, Ty::DateTime, Ty::Duration) => Some(Ty::DateTime),
        (Add | Sub, Ty::Date, Ty::Duration) => Some(Ty::Date),
        (Add | Sub, Ty::Duration, Ty::Duration) => Some(Ty::Duration),
        (Sub, Ty::DateTime, Ty::DateTime) | (Sub, Ty::Date, Ty::Date) => Some(Ty::Duration),
        (Mul, Ty::Duration, Ty::Number) | (Mul, Ty::Number, Ty::Duration) => Some(Ty::Duration),
        (Div | DivBy, Ty::Duration, Ty::Number) => Some(Ty::Duration),
        _ => None,
    }
}

/// The types an operand of unknown type (a schema-less path, `null`) may stand for in
/// arithmetic.
const ARITHMETIC_TYPES: [Ty; 4] = [Ty::Number, Ty::Duration, Ty::DateTime, Ty::Date];

fn string_literal(e: &Expr) -> Option<&str> {
    match &e.kind {
        ExprKind::Literal(Literal::String(s)) => Some(s),
        _ => None,
    }
}

fn is_literal(e: &Expr) -> bool {
    matches!(e.kind, ExprKind::Literal(_))
}

/// Whether `s` is a GUID: 8-4-4-4-12 hex digits.
pub(crate) fn is_guid(s: &str) -> bool {
    let b = s.as_bytes();
    b.len() == 36
        && b.iter().enumerate().all(|(i, c)| match i {
            8 | 13 | 18 | 23 => *c == b'-',
            _ => c.is_ascii_hexdigit(),
        })
}

fn mismatch(span: Span, message: String) -> Error {
    Error::TypeMismatch { span, message }
}

impl<'e> Checker<'e> {
    /// Records a field path (once) and returns its index in `fields`; `name` is the path when
    /// it is one name of the tree (kept borrowed), else `path` is copied when it is new.
    fn field(&mut self, path: &str, name: Option<&'e str>) -> usize {
        if let Some(i) = self.fields.iter().position(|f| f == path) {
            return i;
        }
        self.fields.push(match name {
            Some(name) => Cow::Borrowed(name),
            None => Cow::Owned(path.to_owned()),
        });
        self.fields.len() - 1
    }

    fn expect_bool(&mut self, e: &'e Expr) {
        let ty = self.expr(e);
        if !matches!(ty, Ty::Bool | Ty::Unknown) {
            self.errors.push(mismatch(
                e.span,
                format!("expected a Boolean expression, found {}", ty.describe()),
            ));
        }
    }

    fn expr(&mut self, e: &'e Expr) -> Ty {
        match &e.kind {
            ExprKind::Literal(l) => match l {
                Literal::Null => Ty::Null,
                Literal::Bool(_) => Ty::Bool,
                Literal::String(_) => Ty::String,
                Literal::Number(_) => Ty::Number,
                Literal::Guid(_) => Ty::Guid,
                Literal::Date(_) => Ty::Date,
                Literal::DateTime(_) => Ty::DateTime,
                Literal::Duration(..) => Ty::Duration,
            },
            ExprKind::Path(segments) => match self.resolve(segments) {
                Some((Some(kind), _)) => Ty::of_kind(kind),
                _ => Ty::Unknown,
            },
            ExprKind::Call { name, args } => self.call(name, args, e.span),
            ExprKind::Lambda { collection, op, predicate } => {
                self.lambda(collection, *op, predicate.as_ref().map(|(v, b)| (v, &**b)));
                Ty::Bool
            }
            ExprKind::Not(x) => {
                self.expect_bool(x);
                Ty::Bool
            }
            ExprKind::Neg(x) => {
                let ty = self.expr(x);
                if matches!(ty, Ty::Number | Ty::Duration | Ty::Unknown) {
                    ty
                } else {
                    self.errors.push(mismatch(x.span, format!("cannot negate {}", ty.describe())));
                    Ty::Unknown
                }
            }
            ExprKind::Binary { op, op_span, operands } => {
                let [left, right] = &**operands;
                self.binary(*op, op_span.0, left, right)
            }
            ExprKind::In { left, list } => {
                let lt = self.expr(left);
                for item in list {
                    let it = self.expr(item);
                    self.comparison("in", false, left, lt, item, it);
                }
                Ty::Bool
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                for item in items {
                    self.expect_bool(item);
                }
                Ty::Bool
            }
        }
    }

    /// Resolves a path: `Some((kind, index of its path in fields))`, kind `None` when
    /// unknown (no schema); `None` after reporting an error.
    fn resolve(&mut self, segments: &'e [Ident]) -> Option<(Option<Kind>, usize)> {
        let mut path = std::mem::take(&mut self.scratch);
        path.clear();
        let out = self.resolve_into(segments, &mut path);
        self.scratch = path;
        out
    }

    fn resolve_into(
        &mut self,
        segments: &'e [Ident],
        path: &mut String,
    ) -> Option<(Option<Kind>, usize)> {
        let first = segments.first()?;
        let in_scope = self.scopes.iter().rev().find(|s| s.var == first.name);
        let at_root = in_scope.is_none();
        // A one-segment path at the root (most paths) is its name: nothing to build.
        let name = (at_root && segments.len() == 1).then_some(first.name.as_str());
        if name.is_none() {
            // One allocation for the scratch, whatever the paths built in it.
            path.reserve(64);
        }
        let (mut kind, rest) = match in_scope {
            Some(scope) => {
                path.push_str(&scope.path);
                (scope.element, &segments[1..])
            }
            None => (self.schema.map(Kind::Complex), segments),
        };
        for seg in rest {
            match kind {
                None => {}
                Some(Kind::Complex(c)) => match c.property(&seg.name) {
                    Some(p) => kind = Some(p.kind),
                    // A root property that is not there, named like a lambda variable: the
                    // variable used outside its lambda.
                    None if at_root
                        && std::ptr::eq(seg, first)
                        && declares_lambda_var(self.root, &seg.name) =>
                    {
                        self.errors.push(Error::UnboundVariable {
                            span: seg.span,
                            name: seg.name.clone(),
                        });
                        return None;
                    }
                    None => {
                        self.errors.push(Error::UnknownProperty {
                            span: seg.span,
                            name: seg.name.clone(),
                            on_type: c.name,
                            suggestion: c.suggest(&seg.name).map(str::to_string),
                        });
                        return None;
                    }
                },
                Some(Kind::Collection(_)) => {
                    let (span, seg) = (seg.span, &seg.name);
                    self.errors.push(mismatch(
                        span,
                        format!("`{path}` is a collection: use a lambda such as `{path}/any(x:x/{seg})`, not `{path}/{seg}`"),
                    ));
                    return None;
                }
                Some(other) => {
                    self.errors.push(mismatch(
                        seg.span,
                        format!(
                            "`{path}` is {} and has no property `{}`",
                            Ty::of_kind(other).describe(),
                            seg.name
                        ),
                    ));
                    return None;
                }
            }
            if name.is_none() {
                if !path.is_empty() {
                    path.push('/');
                }
                path.push_str(&seg.name);
            }
        }
        let path = name.unwrap_or(path);
        if kind == Some(Kind::Json) {
            let span = segments.last().map_or(first.span, |s| s.span);
            self.errors.push(mismatch(
                span,
                format!("`{path}` has no fixed shape in the API and cannot be filtered on"),
            ));
            return None;
        }
        if path.is_empty() {
            // A bare lambda variable (collections of primitives): the collection path.
            let scope = self.scopes.iter().rev().find(|s| s.var == first.name)?;
            let collection = scope.path.clone();
            return Some((kind, self.field(&collection, None)));
        }
        Some((kind, self.field(path, name)))
    }

    fn lambda(
        &mut self,
        collection: &'e [Ident],
        op: LambdaOp,
        predicate: Option<(&'e Ident, &'e Expr)>,
    ) {
        let Some((kind, field)) = self.resolve(collection) else {
            // The body is still checked, with an unknown element type, to report its errors.
            if let Some((var, body)) = predicate {
                self.scoped(var, None, Cow::Borrowed(""), body);
            }
            return;
        };
        let path = self.fields.get(field).cloned().unwrap_or_default();
        let element = match kind {
            None => None,
            Some(Kind::Collection(element)) => Some(*element),
            Some(other) => {
                let span = collection.last().map_or(Span::default(), |s| s.span);
                self.errors.push(mismatch(
                    span,
                    format!(
                        "`{path}` is {}, not a collection: `{}` needs a collection",
                        Ty::of_kind(other).describe(),
                        op.keyword()
                    ),
                ));
                None
            }
        };
        if let Some((var, body)) = predicate {
            self.scoped(var, element, path, body);
        }
    }

    fn scoped(
        &mut self,
        var: &'e Ident,
        element: Option<Kind>,
        path: Cow<'e, str>,
        body: &'e Expr,
    ) {
        self.scopes.push(Scope { var: &var.name, element, path });
        self.expect_bool(body);
        self.scopes.pop();
    }

    fn call(&mut self, name: &Ident, args: &'e [Expr], span: Span) -> Ty {
        let types: Vec<Ty> = args.iter().map(|a| self.expr(a)).collect();
        let Some(f) = FUNCTIONS.iter().find(|f| f.name == name.name) else {
            self.errors.push(Error::UnknownFunction {
                span: name.span,
                name: name.name.clone(),
                suggestion: suggest(&name.name, function_names()).map(str::to_string),
            });
            return Ty::Unknown;
        };
        if types.iter().any(|t| matches!(t, Ty::Collection(_)))
            && f.params.first() == Some(&Param::Str)
        {
            // 4.01 gives the string functions collection overloads (`length(team)`).
            self.errors.push(Error::Unsupported {
                span: name.span,
                construct: format!("the collection form of `{}`", f.name),
            });
            return f.returns;
        }
        let (min, max) = (f.params.len() - f.optional, f.params.len());
        if args.len() < min || args.len() > max {
            let count = if min == max { format!("{min}") } else { format!("{min} or {max}") };
            let plural = if max == 1 { "" } else { "s" };
            self.errors.push(mismatch(
                span,
                format!("`{}` takes {count} argument{plural}, found {}", f.name, args.len()),
            ));
            return f.returns;
        }
        for ((arg, ty), param) in args.iter().zip(types).zip(f.params) {
            let fractional = *param == Param::Int && integer_typed(arg, &|_| None) == Some(false);
            if !param.accepts(ty) || (fractional && ty == Ty::Number) {
                let found = if fractional && ty == Ty::Number {
                    "a number that is not an integer".to_owned()
                } else {
                    ty.describe()
                };
                self.errors.push(mismatch(
                    arg.span,
                    format!("`{}` expects {} here, found {found}", f.name, param.describe()),
                ));
            }
        }
        f.returns
    }

    fn binary(&mut self, op: BinaryOp, op_span: Span, left: &'e Expr, right: &'e Expr) -> Ty {
        let lt = self.expr(left);
        let rt = self.expr(right);
        if op.is_comparison() {
            let ordering = !matches!(op, BinaryOp::Eq | BinaryOp::Ne);
            self.comparison(op.keyword(), ordering, left, lt, right, rt);
            return Ty::Bool;
        }
        if op == BinaryOp::Has {
            self.has(left, lt, right, rt);
            return Ty::Bool;
        }
        if [left, right].into_iter().any(|e| self.unprefixed_duration(e)) {
            return Ty::Unknown;
        }
        self.arithmetic(op, op_span, lt, rt)
    }

    /// OData 4.01 makes the `duration` prefix optional (`'P14D'`); a string literal in
    /// arithmetic, or compared with a Duration, that reads as one is refused as unsupported
    /// (with the spelling to use) rather than as a string. Reports it and returns `true`.
    fn unprefixed_duration(&mut self, e: &Expr) -> bool {
        let Some(text) = string_literal(e) else { return false };
        if super::lexer::parse_duration(text).is_err() {
            return false;
        }
        self.errors.push(Error::Unsupported {
            span: e.span,
            construct: format!(
                "a duration without its `duration` prefix (`'{text}'`; write `duration'{text}'`)"
            ),
        });
        true
    }

    fn has(&mut self, left: &Expr, lt: Ty, right: &Expr, rt: Ty) {
        match (lt, string_literal(right)) {
            (Ty::Enum(e), Some(value)) => self.enum_member(e, value, right.span),
            (Ty::Unknown, Some(_)) => {}
            _ if rt == Ty::Unknown && lt == Ty::Unknown => {}
            (Ty::Enum(_) | Ty::Unknown, None) => self.errors.push(mismatch(
                right.span,
                "`has` expects a quoted enum member on the right".into(),
            )),
            _ => self.errors.push(mismatch(
                left.span,
                format!("`has` needs an enum on the left, found {}", lt.describe()),
            )),
        }
    }

    /// Types `l op r` by [`arithmetic_result`]; an operand of unknown type stands for each
    /// type it may have. A combination the standard does not define is an error at the operator.
    fn arithmetic(&mut self, op: BinaryOp, op_span: Span, lt: Ty, rt: Ty) -> Ty {
        let expand = |t: Ty| match t {
            Ty::Unknown | Ty::Null => &ARITHMETIC_TYPES[..],
            Ty::Number => &ARITHMETIC_TYPES[0..1],
            Ty::Duration => &ARITHMETIC_TYPES[1..2],
            Ty::DateTime => &ARITHMETIC_TYPES[2..3],
            Ty::Date => &ARITHMETIC_TYPES[3..4],
            _ => &[],
        };
        let mut result = None;
        for &l in expand(lt) {
            for &r in expand(rt) {
                if let Some(ty) = arithmetic_result(op, l, r) {
                    result = match result {
                        None => Some(ty),
                        Some(seen) if seen == ty => Some(ty),
                        Some(_) => Some(Ty::Unknown),
                    };
                }
            }
        }
        result.unwrap_or_else(|| {
            self.errors.push(mismatch(
                op_span,
                format!(
                    "`{}` is not defined for {} and {}",
                    op.keyword(),
                    lt.describe(),
                    rt.describe()
                ),
            ));
            Ty::Unknown
        })
    }

    fn enum_member(&mut self, e: &'static EnumType, value: &str, span: Span) {
        if !e.contains(value) {
            self.errors.push(Error::UnknownEnumValue {
                span,
                enum_name: e.name,
                value: value.into(),
                suggestion: e.suggest(value).map(str::to_string),
            });
        }
    }

    /// Type-checks `left op right` for a comparison; `op` is the keyword as written
    /// (`in` items are checked like `eq`, and named `in` in messages), `ordering` says whether
    /// it is `gt`, `ge`, `lt` or `le`.
    fn comparison(
        &mut self,
        op: &'static str,
        ordering: bool,
        left: &Expr,
        lt: Ty,
        right: &Expr,
        rt: Ty,
    ) {
        let whole = |ty: Ty| matches!(ty, Ty::Complex(_) | Ty::Collection(_));
        if whole(lt) || whole(rt) {
            // OData compares structured values and collections with `eq`, `ne` and `in`.
            let (e, ty) = if whole(lt) { (left, lt) } else { (right, rt) };
            self.errors.push(Error::Unsupported {
                span: e.span,
                construct: format!("comparing `{e}` ({}) as a whole", ty.describe()),
            });
            return;
        }
        if lt == Ty::Null || rt == Ty::Null {
            // OData: `null` compares with every operator; `gt ge lt le` with a `null` operand
            // are false.
            return;
        }
        // Literal-specific rules: enum members, GUID text, quoted date-times.
        for (prop, pt, lit) in [(left, lt, right), (right, rt, left)] {
            let Some(text) = string_literal(lit) else { continue };
            match pt {
                Ty::Enum(e) => {
                    self.enum_member(e, text, lit.span);
                    if ordering {
                        self.errors.push(mismatch(
                            lit.span,
                            format!(
                                "{} values can only be compared with `eq`, `ne` and `in`",
                                e.name
                            ),
                        ));
                    }
                    return;
                }
                Ty::Guid => {
                    if !is_guid(text) {
                        self.errors.push(Error::InvalidLiteral {
                            span: lit.span,
                            kind: "GUID",
                            reason: format!(
                                "`{prop}` is a Guid and `{lit}` is not 8-4-4-4-12 hex digits"
                            ),
                        });
                    }
                    return;
                }
                Ty::Duration if self.unprefixed_duration(lit) => return,
                Ty::DateTime | Ty::Date => {
                    self.errors.push(mismatch(
                        lit.span,
                        format!(
                            "`{prop}` is {}: write the value without quotes, e.g. `2020-10-30T21:03:00Z` or `2020-12-01`",
                            pt.describe()
                        ),
                    ));
                    return;
                }
                _ => {}
            }
        }
        let compatible = match (lt, rt) {
            (Ty::Unknown, _) | (_, Ty::Unknown) => true,
            (Ty::String | Ty::Enum(_), Ty::String) | (Ty::String, Ty::Enum(_)) => true,
            (Ty::Enum(a), Ty::Enum(b)) => std::ptr::eq(a, b),
            (Ty::Guid, Ty::Guid) => true,
            (Ty::Number, Ty::Number) | (Ty::Bool, Ty::Bool) | (Ty::Duration, Ty::Duration) => true,
            (Ty::DateTime | Ty::Date, Ty::DateTime | Ty::Date) => true,
            _ => false,
        };
        if !compatible {
            let bad = if is_literal(left) && !is_literal(right) { left } else { right };
            self.errors.push(mismatch(
                bad.span,
                format!("cannot compare {} with {} using `{op}`", lt.describe(), rt.describe()),
            ));
            return;
        }
        if ordering {
            for (e, ty) in [(left, lt), (right, rt)] {
                // Booleans order (`true gt false`, as OData says); the API's enums are strings
                // whose members have no order it documents.
                let unordered = match ty {
                    Ty::Enum(en) => Some(en.name.to_string()),
                    _ => None,
                };
                if let Some(name) = unordered {
                    self.errors.push(mismatch(
                        e.span,
                        format!("{name} values can only be compared with `eq`, `ne` and `in`"),
                    ));
                    return;
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::query::parser::parse;
    use crate::schema::REFERRAL;

    fn errors(src: &str) -> Vec<String> {
        let checked = check(&parse(src).unwrap(), Some(&REFERRAL));
        checked.errors.iter().map(|e| e.to_string()).collect()
    }

    #[test]
    fn comparison_type_table() {
        let ok = [
            "status eq 'New'",
            "status ne null",
            "status in ('New','Active')",
            "engagementId eq '65edc0b5-3485-41b7-a17e-dfa9ef4706e2'",
            "engagementId eq 65edc0b5-3485-41b7-a17e-dfa9ef4706e2",
            "createdDateTime gt 2020-10-30T21:03:00Z",
            "createdDateTime ge 2020-12-01",
            "details/dealValue gt 1000.5",
            "consent/consentToContact eq true",
            "name gt 'M'",
            "createdDateTime lt updatedDateTime",
            "createdDateTime gt now() sub duration'P7D'",
            "length(name) add 1 gt 3",
            "status has 'New'",
            // OData: `null` compares with every operator, Booleans order (`true gt false`).
            "name eq null and name gt null",
            "consent/consentToContact gt false",
            "not status in ('New','Active')",
            "not status has 'New'",
        ];
        for src in ok {
            assert_eq!(errors(src), Vec::<String>::new(), "{src}");
        }
        let bad = [
            ("status eq 'new'", "`'new'` is not a ReferralStatus value (did you mean `'New'`?) at position 10"),
            ("status gt 'New'", "ReferralStatus values can only be compared with `eq`, `ne` and `in` at position 10"),
            ("status eq 1", "cannot compare a ReferralStatus with a number using `eq` at position 10"),
            ("engagementId eq 'abc'", "invalid GUID literal: `engagementId` is a Guid and `'abc'` is not 8-4-4-4-12 hex digits at position 16"),
            ("status in ('New',1)", "cannot compare a ReferralStatus with a number using `in` at position 17"),
            ("customerProfile eq 'x'", "comparing `customerProfile` (a CustomerProfile) as a whole is valid OData, but this library (like the referrals API) does not support it at position 0"),
            ("createdDateTime gt '2020-01-01'", "`createdDateTime` is a DateTimeOffset: write the value without quotes, e.g. `2020-10-30T21:03:00Z` or `2020-12-01` at position 19"),
        ];
        for (src, want) in bad {
            assert_eq!(errors(src), [want], "{src}");
        }
    }

    #[test]
    fn all_errors_are_collected_in_span_order() {
        assert_eq!(
            errors("stauts eq 'New' or type eq 'shared' or foo(1)"),
            [
                "unknown property `stauts` on Referral (did you mean `status`?) at position 0",
                "`'shared'` is not a ReferralType value (did you mean `'Shared'`?) at position 27",
                "unknown function `foo` at position 39",
            ]
        );
    }

    #[test]
    fn lambda_variables_are_scoped() {
        assert_eq!(errors("team/any(t:t/email eq 'x')"), Vec::<String>::new());
        assert_eq!(
            errors("team/any(t:t/email eq 'x') and t/email eq 'y'"),
            ["`t` is not a lambda variable in scope here at position 31"]
        );
        assert_eq!(
            errors("customerProfile/any(c:c/name eq 'x')"),
            ["`customerProfile` is a CustomerProfile, not a collection: `any` needs a collection at position 0"]
        );
        assert_eq!(
            errors("team/email eq 'x'"),
            ["`team` is a collection: use a lambda such as `team/any(x:x/email)`, not `team/email` at position 5"]
        );
    }

    #[test]
    fn a_lambda_variable_may_share_a_property_name() {
        let src = "team/any(team:team/email eq 'a@b.c') and team/any()";
        for schema in [Some(&REFERRAL), None] {
            let checked = check(&parse(src).unwrap(), schema);
            assert_eq!(checked.errors, [], "{schema:?}");
            assert_eq!(checked.fields, ["team", "team/email"]);
        }
        // Inside, the name is the variable (an element, not a collection).
        assert_eq!(
            errors("team/any(team:team/any())"),
            ["`team` is a Member, not a collection: `any` needs a collection at position 14"]
        );
    }

    #[test]
    fn arithmetic_types_follow_the_standard_table() {
        let ok = [
            "createdDateTime ge 2026-11-15 sub duration'P14D'",
            "createdDateTime ge createdDateTime sub duration'PT1H'",
            "updatedDateTime sub createdDateTime gt duration'P1D'",
            "2026-11-15 sub 2026-11-01 eq duration'P14D'",
            "duration'P1D' add duration'PT1H' gt duration'P1D'",
            "duration'PT1H' mul 2 eq 2 mul duration'PT1H'",
            "duration'PT1H' div 2 eq duration'PT30M'",
            "-duration'PT1H' lt duration'PT0S'",
            "length(name) div 2 mod 3 eq 1",
            "details/dealValue divby 3 gt 1.5",
        ];
        for src in ok {
            assert_eq!(errors(src), Vec::<String>::new(), "{src}");
        }
        let bad = [
            (
                "createdDateTime add updatedDateTime eq now()",
                "`add` is not defined for a DateTimeOffset and a DateTimeOffset at position 16",
            ),
            (
                "createdDateTime sub 2026-11-15 eq duration'P1D'",
                "`sub` is not defined for a DateTimeOffset and a Date at position 16",
            ),
            (
                "2 sub duration'P1D' eq 1",
                "`sub` is not defined for a number and a Duration at position 2",
            ),
            (
                "duration'P1D' mod 2 eq duration'P1D'",
                "`mod` is not defined for a Duration and a number at position 14",
            ),
            (
                "2 div duration'P1D' eq 1",
                "`div` is not defined for a number and a Duration at position 2",
            ),
            ("name add 1 eq 2", "`add` is not defined for a String and a number at position 5"),
        ];
        for (src, want) in bad {
            assert_eq!(errors(src), [want], "{src}");
        }
        // Without a schema an unknown operand stands for whatever fits.
        let schemaless = |src: &str| check(&parse(src).unwrap(), None).errors;
        assert_eq!(schemaless("a add b eq c and d sub duration'P1D' gt e"), []);
        assert_eq!(schemaless("a mod duration'P1D' eq 1").len(), 1);
        assert_eq!(schemaless("2026-01-01 add 2026-01-02 eq x").len(), 1);
    }

    #[test]
    fn integer_parameters_and_collection_overloads() {
        assert_eq!(
            errors("substring(name,1.5) eq 'x'"),
            ["`substring` expects an integer here, found a number that is not an integer at position 15"]
        );
        assert_eq!(
            errors("length(team) gt 1"),
            ["the collection form of `length` is valid OData, but this library (like the referrals API) does not support it at position 0"]
        );
    }

    #[test]
    fn functions_check_arity_and_argument_types() {
        assert_eq!(
            errors("contains(name)"),
            ["`contains` takes 2 arguments, found 1 at position 0"]
        );
        assert_eq!(
            errors("contains(details/dealValue,'1')"),
            ["`contains` expects a String here, found a number at position 9"]
        );
        assert_eq!(
            errors("contians(name,'x')"),
            ["unknown function `contians` (did you mean `contains`?) at position 0"]
        );
        assert_eq!(
            errors("length(name)"),
            ["expected a Boolean expression, found a number at position 0"]
        );
        assert_eq!(
            errors("year(createdDateTime) eq 2020 and hour(createdDateTime) lt 12"),
            Vec::<String>::new()
        );
        assert_eq!(
            errors("substring(name,1) eq 'x' and substring(name,1,2) eq 'y'"),
            Vec::<String>::new()
        );
    }

    #[test]
    fn json_properties_are_not_filterable() {
        assert_eq!(
            errors("customerProfile/ids eq null"),
            ["`customerProfile/ids` has no fixed shape in the API and cannot be filtered on at position 16"]
        );
    }

    #[test]
    fn fields_resolve_lambda_variables_in_order_of_first_use() {
        let e = parse("status eq 'New' and team/any(t:t/email eq 'x' and t/lastName ne null) and status ne 'Closed'").unwrap();
        assert_eq!(
            check(&e, Some(&REFERRAL)).fields,
            ["status", "team", "team/email", "team/lastName"]
        );
        let e = parse("foo/bar eq 1 and items/any(i:i/x gt 2)").unwrap();
        let checked = check(&e, None);
        assert!(checked.errors.is_empty());
        assert_eq!(checked.fields, ["foo/bar", "items", "items/x"]);
    }

    #[test]
    fn schemaless_mode_still_checks_literals_and_functions() {
        let e = parse("1 eq 'a' or contains(x,1) or y/any(v:v eq 1) and v eq 2").unwrap();
        let msgs: Vec<String> = check(&e, None).errors.iter().map(|e| e.to_string()).collect();
        // Outside its lambda `v` is a property again (any name may be one without a schema).
        assert_eq!(
            msgs,
            [
                "cannot compare a number with a String using `eq` at position 5",
                "`contains` expects a String here, found a number at position 23",
            ]
        );
    }
}
