//! The `$filter` syntax tree and its canonical printer.
//!
//! One job: data plus `Display`. No parsing, no validation. Every node keeps its [`Span`]
//! (UTF-16 code units) but spans are left out of `PartialEq`, so `parse(canonical) ==
//! parse(original)` can be asserted structurally. `and`/`or` chains are n-ary, there is no
//! parenthesis node, and `Display` adds parentheses only where precedence needs them.
//! Imports only `error::Span`, `datetime` and the lexer's string quoting.

use std::fmt;

use crate::datetime::{Date, DateTimeOffset};
use crate::error::Span;

use super::lexer::write_quoted;

/// A name with its position: a property segment, a lambda variable or a function name.
#[derive(Debug, Clone, Eq)]
pub struct Ident {
    /// The name as written (function names are lower-cased by the parser).
    pub name: String,
    /// Where it is.
    pub span: Span,
}

impl PartialEq for Ident {
    fn eq(&self, other: &Self) -> bool {
        let Ident { name, span: _ } = self;
        *name == other.name
    }
}

/// A literal value.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    /// `null`
    Null,
    /// `true` / `false`
    Bool(bool),
    /// `'text'`, unescaped.
    String(String),
    /// A number, kept as written so the server sees the same digits: `10000.50`, `1e5`, `-3`.
    Number(String),
    /// A bare GUID, lower-case.
    Guid(String),
    /// `2020-12-01`
    Date(Date),
    /// `2020-10-30T21:03:00Z` (equality is by instant).
    DateTime(DateTimeOffset),
    /// `duration'P1D'`: ISO text and nanoseconds.
    Duration(String, i128),
}

impl Literal {
    /// The value of a [`Literal::Number`] (`INF`, `-INF` and `NaN` included).
    pub fn number_value(text: &str) -> f64 {
        match text {
            "INF" => f64::INFINITY,
            "-INF" => f64::NEG_INFINITY,
            "NaN" => f64::NAN,
            // invariant: the lexer only makes number tokens that `f64` parses.
            _ => crate::platform::parse_f64(text).unwrap_or(f64::NAN),
        }
    }
}

/// A binary operator other than `and`/`or` (which are n-ary, see [`ExprKind::And`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BinaryOp {
    /// `eq`
    Eq,
    /// `ne`
    Ne,
    /// `gt`
    Gt,
    /// `ge`
    Ge,
    /// `lt`
    Lt,
    /// `le`
    Le,
    /// `has`
    Has,
    /// `add`
    Add,
    /// `sub`
    Sub,
    /// `mul`
    Mul,
    /// `div`
    Div,
    /// `divby`
    DivBy,
    /// `mod`
    Mod,
}

impl BinaryOp {
    /// Every binary operator, for keyword lookup.
    pub const ALL: [BinaryOp; 13] = [
        BinaryOp::Eq,
        BinaryOp::Ne,
        BinaryOp::Gt,
        BinaryOp::Ge,
        BinaryOp::Lt,
        BinaryOp::Le,
        BinaryOp::Has,
        BinaryOp::Add,
        BinaryOp::Sub,
        BinaryOp::Mul,
        BinaryOp::Div,
        BinaryOp::DivBy,
        BinaryOp::Mod,
    ];

    /// The keyword, lower-case.
    pub const fn keyword(self) -> &'static str {
        match self {
            BinaryOp::Eq => "eq",
            BinaryOp::Ne => "ne",
            BinaryOp::Gt => "gt",
            BinaryOp::Ge => "ge",
            BinaryOp::Lt => "lt",
            BinaryOp::Le => "le",
            BinaryOp::Has => "has",
            BinaryOp::Add => "add",
            BinaryOp::Sub => "sub",
            BinaryOp::Mul => "mul",
            BinaryOp::Div => "div",
            BinaryOp::DivBy => "divby",
            BinaryOp::Mod => "mod",
        }
    }

    /// The operator's precedence level.
    pub const fn precedence(self) -> Precedence {
        match self {
            BinaryOp::Eq | BinaryOp::Ne => Precedence::Equality,
            BinaryOp::Has => Precedence::Member,
            BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le => Precedence::Relational,
            BinaryOp::Add | BinaryOp::Sub => Precedence::Additive,
            BinaryOp::Mul | BinaryOp::Div | BinaryOp::DivBy | BinaryOp::Mod => {
                Precedence::Multiplicative
            }
        }
    }

    /// Whether this is a comparison (`eq ne gt ge lt le`).
    pub const fn is_comparison(self) -> bool {
        matches!(
            self,
            BinaryOp::Eq | BinaryOp::Ne | BinaryOp::Gt | BinaryOp::Ge | BinaryOp::Lt | BinaryOp::Le
        )
    }
}

/// OData 4.01 operator precedence, lowest first. [`Precedence::value`] is the one place that
/// turns it into numbers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Precedence {
    /// Nothing binds: the start of an expression.
    Lowest,
    /// `or`
    Or,
    /// `and`
    And,
    /// `eq ne`
    Equality,
    /// `gt ge lt le`
    Relational,
    /// `add sub`
    Additive,
    /// `mul div divby mod`
    Multiplicative,
    /// `-x`, `not x`
    Unary,
    /// `has`, `in`: OData 4.01 puts them in the primary group, so they bind tighter than `not`
    /// and `-` (`not a in (1,2)` is `not (a in (1,2))`).
    Member,
    /// Literals, paths, calls, lambdas (`/` binds tightest).
    Primary,
}

impl Precedence {
    /// The binding power: higher binds tighter.
    pub const fn value(self) -> u8 {
        match self {
            Precedence::Lowest => 0,
            Precedence::Or => 10,
            Precedence::And => 20,
            Precedence::Equality => 30,
            Precedence::Relational => 40,
            Precedence::Additive => 50,
            Precedence::Multiplicative => 60,
            Precedence::Unary => 70,
            Precedence::Member => 75,
            Precedence::Primary => 80,
        }
    }
}

/// `any` or `all`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum LambdaOp {
    /// `any`: true if the predicate holds for some member (or, without one, if non-empty).
    Any,
    /// `all`: true if the predicate holds for every member (true for an empty collection).
    All,
}

impl LambdaOp {
    /// The keyword.
    pub const fn keyword(self) -> &'static str {
        match self {
            LambdaOp::Any => "any",
            LambdaOp::All => "all",
        }
    }
}

/// Where a binary operator's keyword is. Left out of equality, like every span.
#[derive(Debug, Clone, Copy, Default)]
pub struct OpSpan(pub Span);

impl PartialEq for OpSpan {
    fn eq(&self, _: &Self) -> bool {
        true
    }
}

/// An expression node: what it is plus where it is.
#[derive(Debug, Clone)]
pub struct Expr {
    /// The node.
    pub kind: ExprKind,
    /// The source range it was parsed from (UTF-16 code units, half-open).
    pub span: Span,
}

impl PartialEq for Expr {
    fn eq(&self, other: &Self) -> bool {
        let Expr { kind, span: _ } = self;
        *kind == other.kind
    }
}

/// The kinds of expression.
#[derive(Debug, Clone, PartialEq)]
pub enum ExprKind {
    /// A literal: `'New'`, `42`, `null`, `2020-12-01`.
    Literal(Literal),
    /// A property path, possibly rooted at a lambda variable: `customerProfile/address/country`,
    /// `t/email`.
    Path(Vec<Ident>),
    /// A function call: `contains(name,'x')`, `now()`.
    Call {
        /// The function name, lower-case.
        name: Ident,
        /// The arguments.
        args: Vec<Expr>,
    },
    /// A lambda over a collection path: `team/any(t:t/email eq 'x')`, `team/any()`.
    Lambda {
        /// The collection.
        collection: Vec<Ident>,
        /// `any` or `all`.
        op: LambdaOp,
        /// The variable and predicate; `None` for `any()`.
        predicate: Option<(Ident, Box<Expr>)>,
    },
    /// `not x`
    Not(Box<Expr>),
    /// `-x` (never directly on a number literal: `-3` is a literal).
    Neg(Box<Expr>),
    /// `left op right`
    Binary {
        /// The operator.
        op: BinaryOp,
        /// Where the operator's keyword is (errors about the operator point here).
        op_span: OpSpan,
        /// The left and the right operand, in one allocation.
        operands: Box<[Expr; 2]>,
    },
    /// `left in (a,b,c)`
    In {
        /// The tested value.
        left: Box<Expr>,
        /// The list (OData 4.01 allows an empty one: `x in ()` is false).
        list: Vec<Expr>,
    },
    /// `a and b and c` (two or more operands, none of them an `And`).
    And(Vec<Expr>),
    /// `a or b or c` (two or more operands, none of them an `Or`).
    Or(Vec<Expr>),
}

impl Expr {
    /// The precedence of this node as an operand (for deciding on parentheses).
    pub fn precedence(&self) -> Precedence {
        match &self.kind {
            ExprKind::Literal(_)
            | ExprKind::Path(_)
            | ExprKind::Call { .. }
            | ExprKind::Lambda { .. } => Precedence::Primary,
            ExprKind::Not(_) | ExprKind::Neg(_) => Precedence::Unary,
            ExprKind::Binary { op, .. } => op.precedence(),
            ExprKind::In { .. } => Precedence::Member,
            ExprKind::And(_) => Precedence::And,
            ExprKind::Or(_) => Precedence::Or,
        }
    }
}

/// Writes `e`, in parentheses if it binds looser than `min` (or as loose, when `strict`).
fn operand<W: fmt::Write>(f: &mut W, e: &Expr, min: Precedence, strict: bool) -> fmt::Result {
    let p = e.precedence().value();
    let needs = p < min.value() || (strict && p == min.value());
    if needs {
        f.write_char('(')?;
        e.write_canonical(f)?;
        f.write_char(')')
    } else {
        e.write_canonical(f)
    }
}

/// Whether `e` prints starting with a literal or a `-` (after a `-`, that needs a space:
/// `- -x`, `- 1 in (1)`, `- 2020-12-01`). `in` and `has` print their left operand first,
/// without parentheses when it binds at least as tightly.
fn starts_with_literal_or_minus(e: &Expr) -> bool {
    let left = match &e.kind {
        ExprKind::Literal(_) | ExprKind::Neg(_) => return true,
        ExprKind::In { left, .. } => left,
        ExprKind::Binary { op: BinaryOp::Has, operands, .. } => &operands[0],
        _ => return false,
    };
    left.precedence().value() >= Precedence::Member.value() && starts_with_literal_or_minus(left)
}

fn path<W: fmt::Write>(f: &mut W, segments: &[Ident]) -> fmt::Result {
    for (i, s) in segments.iter().enumerate() {
        if i > 0 {
            f.write_char('/')?;
        }
        f.write_str(&s.name)?;
    }
    Ok(())
}

fn list<W: fmt::Write>(f: &mut W, items: &[Expr]) -> fmt::Result {
    for (i, e) in items.iter().enumerate() {
        if i > 0 {
            f.write_char(',')?;
        }
        e.write_canonical(f)?;
    }
    Ok(())
}

impl Literal {
    fn write_canonical<W: fmt::Write>(&self, f: &mut W) -> fmt::Result {
        match self {
            Literal::Null => f.write_str("null"),
            Literal::Bool(b) => f.write_str(if *b { "true" } else { "false" }),
            Literal::String(s) => write_quoted(f, s),
            Literal::Number(n) | Literal::Guid(n) => f.write_str(n),
            Literal::Date(d) => write!(f, "{d}"),
            Literal::DateTime(t) => write!(f, "{t}"),
            Literal::Duration(text, _) => {
                f.write_str("duration'")?;
                f.write_str(text)?;
                f.write_char('\'')
            }
        }
    }
}

impl fmt::Display for Literal {
    /// Through a `String`: one instance of the printer (the `String` one, which the
    /// canonical text needs anyway) instead of a second one for `Formatter`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let mut out = String::new();
        self.write_canonical(&mut out)?;
        f.write_str(&out)
    }
}

impl Expr {
    /// The canonical form (what `Display` prints) in a string sized for `capacity` bytes: one
    /// allocation for a typical filter, no formatting machinery.
    pub fn to_canonical(&self, capacity: usize) -> String {
        let mut out = String::with_capacity(capacity);
        self.canonical_into(&mut out);
        out
    }

    /// Appends the canonical form to `out` (a buffer the caller reuses).
    pub(crate) fn canonical_into(&self, out: &mut String) {
        // invariant: writing to a `String` cannot fail.
        let _ = self.write_canonical(out);
    }

    /// Writes the canonical form (see the `Display` impl) to `f`.
    fn write_canonical<W: fmt::Write>(&self, f: &mut W) -> fmt::Result {
        match &self.kind {
            ExprKind::Literal(l) => l.write_canonical(f),
            ExprKind::Path(segments) => path(f, segments),
            ExprKind::Call { name, args } => {
                f.write_str(&name.name)?;
                f.write_char('(')?;
                list(f, args)?;
                f.write_char(')')
            }
            ExprKind::Lambda { collection, op, predicate } => {
                path(f, collection)?;
                f.write_char('/')?;
                f.write_str(op.keyword())?;
                f.write_char('(')?;
                if let Some((var, body)) = predicate {
                    f.write_str(&var.name)?;
                    f.write_char(':')?;
                    body.write_canonical(f)?;
                }
                f.write_char(')')
            }
            ExprKind::Not(e) => {
                f.write_str("not ")?;
                operand(f, e, Precedence::Unary, false)
            }
            ExprKind::Neg(e) => {
                f.write_char('-')?;
                // `- -x` and `- 2020-12-01` keep a space: without it they would lex as a
                // negative number (`-2020`) or read differently.
                if starts_with_literal_or_minus(e) {
                    f.write_char(' ')?;
                }
                operand(f, e, Precedence::Unary, false)
            }
            ExprKind::Binary { op, operands, .. } => {
                let [left, right] = &**operands;
                operand(f, left, op.precedence(), false)?;
                f.write_char(' ')?;
                f.write_str(op.keyword())?;
                f.write_char(' ')?;
                operand(f, right, op.precedence(), true)
            }
            ExprKind::In { left, list: items } => {
                operand(f, left, Precedence::Member, false)?;
                f.write_str(" in (")?;
                list(f, items)?;
                f.write_char(')')
            }
            ExprKind::And(items) | ExprKind::Or(items) => {
                let (keyword, prec) = match &self.kind {
                    ExprKind::And(_) => (" and ", Precedence::And),
                    _ => (" or ", Precedence::Or),
                };
                for (i, e) in items.iter().enumerate() {
                    if i > 0 {
                        f.write_str(keyword)?;
                    }
                    // Nested chains of the same kind are flattened by the parser, so `strict`
                    // only matters for hand-built trees; it keeps them faithful.
                    operand(f, e, prec, true)?;
                }
                Ok(())
            }
        }
    }
}

/// The canonical form: single spaces, lower-case keywords, `,` and `:` without spaces,
/// parentheses only where precedence needs them, strings in `'` with inner quotes doubled.
impl fmt::Display for Expr {
    /// Through [`Expr::to_canonical`]: one instance of the printer (the `String` one)
    /// instead of a second one for `Formatter`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.to_canonical(0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(kind: ExprKind) -> Expr {
        Expr { kind, span: Span::default() }
    }

    fn p(name: &str) -> Expr {
        at(ExprKind::Path(vec![Ident { name: name.into(), span: Span::default() }]))
    }

    fn bin(op: BinaryOp, l: Expr, r: Expr) -> Expr {
        at(ExprKind::Binary { op, op_span: OpSpan::default(), operands: Box::new([l, r]) })
    }

    #[test]
    fn spans_do_not_take_part_in_equality() {
        let a = Expr { kind: ExprKind::Literal(Literal::Null), span: Span::new(0, 4) };
        let b = Expr { kind: ExprKind::Literal(Literal::Null), span: Span::new(9, 13) };
        assert_eq!(a, b);
    }

    #[test]
    fn printer_adds_parentheses_only_where_needed() {
        use BinaryOp::*;
        let cases = [
            (bin(Add, bin(Add, p("a"), p("b")), p("c")), "a add b add c"),
            (bin(Add, p("a"), bin(Add, p("b"), p("c"))), "a add (b add c)"),
            (bin(Mul, bin(Add, p("a"), p("b")), p("c")), "(a add b) mul c"),
            (bin(Add, p("a"), bin(Mul, p("b"), p("c"))), "a add b mul c"),
            (at(ExprKind::Not(Box::new(bin(Eq, p("a"), p("b"))))), "not (a eq b)"),
            (at(ExprKind::Neg(Box::new(at(ExprKind::Neg(Box::new(p("a"))))))), "- -a"),
            (
                at(ExprKind::And(vec![at(ExprKind::Or(vec![p("a"), p("b")])), p("c")])),
                "(a or b) and c",
            ),
            (
                at(ExprKind::Or(vec![at(ExprKind::And(vec![p("a"), p("b")])), p("c")])),
                "a and b or c",
            ),
            (bin(Eq, bin(Eq, p("a"), p("b")), p("c")), "a eq b eq c"),
        ];
        for (e, want) in cases {
            assert_eq!(e.to_string(), want);
        }
    }

    #[test]
    fn strings_print_with_doubled_quotes() {
        assert_eq!(Literal::String("O'Brien''s".into()).to_string(), "'O''Brien''''s'");
    }
}
