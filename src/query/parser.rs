//! Tokens → [`Expr`]: recursive descent with precedence climbing, bounded by [`MAX_DEPTH`].
//!
//! One job: grammar. Knows nothing of the schema, records or JS. Looks one token ahead (and,
//! after a name, whether a `(` follows) and never backtracks. Stops at the first error, which points at the *start* of the
//! offending token (end of input: the input's UTF-16 length).
//!
//! Depth: one unit per nested [`Parser::parse_subexpr`] and one per infix iteration that
//! wraps the left operand in a new node; n-ary `and`/`or` append instead and cost nothing.
//! That bounds the *tree* depth, so checking, evaluating, printing and dropping it cannot
//! overflow wasm's small stack.

use crate::error::{Error, Result, Span};

use super::ast::{BinaryOp, Expr, ExprKind, Ident, LambdaOp, Literal, OpSpan, Precedence};
use super::lexer::{check_length, len_utf16, Lexer, Spanned, Token};

/// The default nesting limit of the parser.
pub const MAX_DEPTH: u32 = 64;

/// An infix operator as seen in the token stream.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Infix {
    Or,
    And,
    In,
    Binary(BinaryOp),
}

/// A keyword of at most 5 ASCII letters packed into an integer (one byte each, lower-case):
/// matching a word against every keyword is one integer `match`, with no allocation.
const fn pack(word: &[u8]) -> u64 {
    let mut key = 0u64;
    let mut i = 0;
    while i < word.len() {
        key = (key << 8) | word[i].to_ascii_lowercase() as u64;
        i += 1;
    }
    key
}

/// `word` packed as [`pack`] does, when it is short enough to be a keyword (else 0, which no
/// keyword packs to).
fn keyword_key(word: &str) -> u64 {
    if word.len() > 5 {
        return 0;
    }
    pack(word.as_bytes())
}

const KW_OR: u64 = pack(b"or");
const KW_AND: u64 = pack(b"and");
const KW_IN: u64 = pack(b"in");
const KW_EQ: u64 = pack(b"eq");
const KW_NE: u64 = pack(b"ne");
const KW_GT: u64 = pack(b"gt");
const KW_GE: u64 = pack(b"ge");
const KW_LT: u64 = pack(b"lt");
const KW_LE: u64 = pack(b"le");
const KW_HAS: u64 = pack(b"has");
const KW_ADD: u64 = pack(b"add");
const KW_SUB: u64 = pack(b"sub");
const KW_MUL: u64 = pack(b"mul");
const KW_DIV: u64 = pack(b"div");
const KW_DIVBY: u64 = pack(b"divby");
const KW_MOD: u64 = pack(b"mod");
const KW_TRUE: u64 = pack(b"true");
const KW_FALSE: u64 = pack(b"false");
const KW_NULL: u64 = pack(b"null");
const KW_ANY: u64 = pack(b"any");
const KW_ALL: u64 = pack(b"all");
const KW_NOT: u64 = pack(b"not");

impl Infix {
    fn precedence(self) -> Precedence {
        match self {
            Infix::Or => Precedence::Or,
            Infix::And => Precedence::And,
            Infix::In => Precedence::Member,
            Infix::Binary(op) => op.precedence(),
        }
    }

    /// The operator spelled by `word` (any ASCII case).
    fn from_word(word: &str) -> Option<Infix> {
        let op = match keyword_key(word) {
            KW_OR => return Some(Infix::Or),
            KW_AND => return Some(Infix::And),
            KW_IN => return Some(Infix::In),
            KW_EQ => BinaryOp::Eq,
            KW_NE => BinaryOp::Ne,
            KW_GT => BinaryOp::Gt,
            KW_GE => BinaryOp::Ge,
            KW_LT => BinaryOp::Lt,
            KW_LE => BinaryOp::Le,
            KW_HAS => BinaryOp::Has,
            KW_ADD => BinaryOp::Add,
            KW_SUB => BinaryOp::Sub,
            KW_MUL => BinaryOp::Mul,
            KW_DIV => BinaryOp::Div,
            KW_DIVBY => BinaryOp::DivBy,
            KW_MOD => BinaryOp::Mod,
            _ => return None,
        };
        Some(Infix::Binary(op))
    }
}

/// Punctuation the grammar asks for by kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Punct {
    Slash,
    LParen,
    RParen,
    Comma,
    Colon,
}

impl Punct {
    #[inline(always)]
    fn matches(self, token: &Token<'_>) -> bool {
        matches!(
            (self, token),
            (Punct::Slash, Token::Slash)
                | (Punct::LParen, Token::LParen)
                | (Punct::RParen, Token::RParen)
                | (Punct::Comma, Token::Comma)
                | (Punct::Colon, Token::Colon)
        )
    }
}

/// The `$filter` parser: a lexer with one token of look-ahead and a depth budget. Tokens are
/// lexed as the grammar asks for them, so a lexer error is reported only when the parser
/// reaches it (an earlier syntax error wins).
#[derive(Debug)]
pub struct Parser<'a> {
    src: &'a str,
    lexer: Lexer<'a>,
    /// The next token, once lexed.
    ahead: Option<Spanned<Token<'a>>>,
    /// The infix operator the `ahead` token spells, classified once when it is lexed.
    infix: Option<Infix>,
    /// Set when the lexer has stopped: `Some(None)` at the end of the input, `Some(Some(e))`
    /// after a lexer error (reported when the parser reaches it).
    stop: Option<Option<Error>>,
    depth: u32,
    max_depth: u32,
}

/// A copy of the lexer error the parser stopped at, for each later peek that reaches it.
/// Not `Error::clone`: the derived clone of every variant (HTTP contexts with their JSON
/// details included) would be linked into the filter compiler (about 1 KiB of wasm gzip).
#[cold]
#[inline(never)]
fn lexer_error_copy(e: &Error) -> Error {
    match e {
        Error::UnexpectedChar { span, found } => {
            Error::UnexpectedChar { span: *span, found: *found }
        }
        Error::UnterminatedString { span } => Error::UnterminatedString { span: *span },
        Error::InvalidLiteral { span, kind, reason } => {
            Error::InvalidLiteral { span: *span, kind, reason: reason.clone() }
        }
        Error::TooLong { len, max } => Error::TooLong { len: *len, max: *max },
        Error::Unsupported { span, construct } => {
            Error::Unsupported { span: *span, construct: construct.clone() }
        }
        // invariant: the lexer returns no other error (see `lexer::tokenize`); were it to,
        // the same position is reported rather than the crate trapping.
        other => {
            Error::UnexpectedChar { span: other.span().unwrap_or_default(), found: '\u{fffd}' }
        }
    }
}

impl<'a> Parser<'a> {
    /// Makes a parser over `src`.
    ///
    /// # Errors
    /// [`Error::TooLong`] when `src` is longer than
    /// [`MAX_FILTER_LEN`](super::lexer::MAX_FILTER_LEN). Lexer errors are reported when the
    /// parser reaches them, so an earlier syntax error wins.
    pub fn new(src: &'a str) -> Result<Self> {
        check_length(src)?;
        Ok(Parser {
            src,
            lexer: Lexer::new(src),
            ahead: None,
            infix: None,
            stop: None,
            depth: 0,
            max_depth: MAX_DEPTH,
        })
    }

    /// Changes the nesting limit (default [`MAX_DEPTH`]).
    pub fn with_max_depth(mut self, max_depth: u32) -> Self {
        self.max_depth = max_depth;
        self
    }

    /// Parses the whole input as one expression.
    ///
    /// # Errors
    /// Any lexer error, [`Error::Expected`] or [`Error::TooDeep`].
    pub fn parse(mut self) -> Result<Expr> {
        let expr = self.parse_subexpr(Precedence::Lowest)?;
        match self.peek_token()? {
            None => Ok(expr),
            Some(_) => Err(self.expected("an operator or the end of the filter")),
        }
    }

    // ---- token vocabulary ---------------------------------------------------------------

    /// Lexes the next token into `ahead`, unless it is there or the lexer has stopped.
    #[inline(always)]
    fn fill(&mut self) {
        if self.ahead.is_none() && self.stop.is_none() {
            self.lex();
        }
    }

    fn lex(&mut self) {
        match self.lexer.next() {
            Some(Ok(t)) => {
                self.infix = match t.token {
                    Token::Word(w) => Infix::from_word(w),
                    _ => None,
                };
                self.ahead = Some(t);
            }
            Some(Err(e)) => self.stop = Some(Some(e)),
            None => self.stop = Some(None),
        }
    }

    #[inline(always)]
    fn peek_token(&mut self) -> Result<Option<&Spanned<Token<'a>>>> {
        self.fill();
        match &self.ahead {
            Some(t) => Ok(Some(t)),
            None => match &self.stop {
                Some(Some(e)) => Err(lexer_error_copy(e)),
                _ => Ok(None),
            },
        }
    }

    /// Is the next token `expected`? (A lexer error there is reported.)
    #[inline(always)]
    fn next_is(&mut self, expected: Punct) -> Result<bool> {
        Ok(self.peek_token()?.is_some_and(|t| expected.matches(&t.token)))
    }

    /// Whether a `(` follows the next token (a name, already peeked): a call, a lambda or a
    /// key. Looks at the text only; when it is not `(`, the parser goes on to lex the token
    /// there, so a lexer error in it is still reported where the parser reaches it.
    fn paren_follows(&self) -> bool {
        self.lexer.paren_follows()
    }

    /// Consumes the next token (already peeked) and returns it.
    #[inline(always)]
    fn advance(&mut self) -> Option<Spanned<Token<'a>>> {
        self.infix = None;
        self.ahead.take()
    }

    /// Consumes a name (the next token) and the `(` that [`Self::paren_follows`] saw.
    fn advance_name_and_paren(&mut self) {
        self.advance();
        self.fill();
        self.advance();
    }

    #[must_use = "the token is only consumed when this returns true"]
    #[inline(always)]
    fn consume_token(&mut self, expected: Punct) -> Result<bool> {
        if self.next_is(expected)? {
            self.advance();
            return Ok(true);
        }
        Ok(false)
    }

    fn expect_token(&mut self, expected: Punct, what: &str) -> Result<Span> {
        match self.peek_token()? {
            Some(t) if expected.matches(&t.token) => {
                let span = t.span;
                self.advance();
                Ok(span)
            }
            _ => Err(self.expected(what)),
        }
    }

    /// The span of the next token, or the empty span at the end of the input.
    fn peek_span(&mut self) -> Span {
        self.fill();
        let end = || {
            let end = len_utf16(self.src);
            Span::new(end, end)
        };
        match &self.ahead {
            Some(t) => t.span,
            None => match &self.stop {
                Some(Some(e)) => e.span().unwrap_or_else(end),
                _ => end(),
            },
        }
    }

    /// The only place that formats "expected X, found Y" (Y is the next token).
    #[cold]
    fn expected(&mut self, what: &str) -> Error {
        if let Err(e) = self.peek_token() {
            return e;
        }
        let found = match &self.ahead {
            Some(t) => format!("`{}`", t.token),
            None => "end of input".into(),
        };
        Error::Expected { span: self.peek_span(), expected: what.into(), found }
    }

    #[cold]
    fn too_deep(&mut self) -> Error {
        if let Err(e) = self.peek_token() {
            return e;
        }
        Error::TooDeep { span: self.peek_span(), max: self.max_depth }
    }

    #[inline(always)]
    fn peek_infix(&mut self) -> Result<Option<Infix>> {
        self.peek_token()?;
        Ok(self.infix)
    }

    /// Charges one unit of depth, failing at the limit.
    fn charge(&mut self) -> Result<()> {
        if self.depth >= self.max_depth {
            return Err(self.too_deep());
        }
        self.depth += 1;
        Ok(())
    }

    // ---- grammar ------------------------------------------------------------------------

    /// Parses an expression whose operators all bind tighter than `min`.
    pub fn parse_subexpr(&mut self, min: Precedence) -> Result<Expr> {
        self.charge()?;
        let mut charged = 0;
        let out = self.parse_infix_loop(min, &mut charged);
        self.depth -= 1 + charged;
        out
    }

    fn parse_infix_loop(&mut self, min: Precedence, charged: &mut u32) -> Result<Expr> {
        let mut left = self.parse_prefix()?;
        while let Some(op) = self.peek_infix()? {
            if op.precedence().value() <= min.value() {
                break;
            }
            left = match op {
                Infix::And | Infix::Or => self.parse_chain(left, op)?,
                Infix::In => {
                    self.charge()?;
                    *charged += 1;
                    self.parse_in(left)?
                }
                Infix::Binary(bin) => {
                    self.charge()?;
                    *charged += 1;
                    let op_span = OpSpan(self.advance().map_or(left.span, |t| t.span));
                    let right = self.parse_subexpr(bin.precedence())?;
                    let span = left.span.to(right.span);
                    Expr {
                        kind: ExprKind::Binary {
                            op: bin,
                            op_span,
                            operands: Box::new([left, right]),
                        },
                        span,
                    }
                }
            };
        }
        Ok(left)
    }

    /// `left and b and c ...` / `left or b or c ...` as one n-ary node, flattening operands
    /// that are chains of the same kind (from parentheses).
    fn parse_chain(&mut self, left: Expr, op: Infix) -> Result<Expr> {
        let is_or = op == Infix::Or;
        let flatten = |items: &mut Vec<Expr>, e: Expr| match e.kind {
            ExprKind::Or(inner) if is_or => items.extend(inner),
            ExprKind::And(inner) if !is_or => items.extend(inner),
            kind => items.push(Expr { kind, span: e.span }),
        };
        let start = left.span;
        let mut items = Vec::with_capacity(4);
        flatten(&mut items, left);
        while self.peek_infix()? == Some(op) {
            self.advance();
            let right = self.parse_subexpr(op.precedence())?;
            flatten(&mut items, right);
        }
        let span = start.to(items.last().map_or(start, |e| e.span));
        let kind = if is_or { ExprKind::Or(items) } else { ExprKind::And(items) };
        Ok(Expr { kind, span })
    }

    /// `left in (a,b,c)`; the `in` keyword is the next token.
    ///
    /// `x in ()` is an empty list (OData 4.01's `listExpr` allows it; it is always false).
    ///
    /// As in OData's `listExpr`, a list of two or more items holds literals only:
    /// `x in ('a',y)` fails at `y`. A single parenthesised item may be any expression
    /// (OData reads `x in (y)` as `x in y`), so `x in (y,z)` fails at the comma.
    fn parse_in(&mut self, left: Expr) -> Result<Expr> {
        self.advance();
        if !self.next_is(Punct::LParen)? {
            let word = match self.peek_token()? {
                Some(Spanned { token: t @ Token::Word(_), span }) => {
                    (!is_literal_token(t)).then_some(*span)
                }
                _ => None,
            };
            if let Some(span) = word {
                // `x in Items`: OData allows any expression that resolves to a collection.
                return Err(Error::Unsupported {
                    span,
                    construct:
                        "`in` over a collection-valued expression (not a list in parentheses)"
                            .into(),
                });
            }
        }
        self.expect_token(Punct::LParen, "`(` starting the list after `in`")?;
        if self.next_is(Punct::RParen)? {
            let end = self.expect_token(Punct::RParen, "`)`")?;
            let span = left.span.to(end);
            return Ok(Expr {
                kind: ExprKind::In { left: Box::new(left), list: Vec::new() },
                span,
            });
        }
        let starts_literal = self.peek_token()?.is_some_and(|t| is_literal_token(&t.token));
        let first = self.parse_subexpr(Precedence::Lowest)?;
        let mut list = vec![first];
        if starts_literal && matches!(list[0].kind, ExprKind::Literal(_)) {
            while self.consume_token(Punct::Comma)? {
                if !self.peek_token()?.is_some_and(|t| is_literal_token(&t.token)) {
                    return Err(self.expected("a literal (an `in` list holds literals only)"));
                }
                list.push(self.parse_prefix()?);
            }
        }
        let end = self.expect_token(Punct::RParen, "`,` or `)`")?;
        let span = left.span.to(end);
        Ok(Expr { kind: ExprKind::In { left: Box::new(left), list }, span })
    }

    /// One or more comma-separated expressions (the closing `)` is left for the caller).
    fn parse_list(&mut self) -> Result<Vec<Expr>> {
        let mut items = vec![self.parse_subexpr(Precedence::Lowest)?];
        while self.consume_token(Punct::Comma)? {
            items.push(self.parse_subexpr(Precedence::Lowest)?);
        }
        Ok(items)
    }

    fn parse_prefix(&mut self) -> Result<Expr> {
        let Some(first) = self.peek_token()? else {
            return Err(self.expected("an expression"));
        };
        let span = first.span;
        match first.token {
            Token::Word(w) => return self.parse_word(w, span),
            Token::LParen => {
                self.advance();
                let inner = self.parse_subexpr(Precedence::Lowest)?;
                let end = self.expect_token(Punct::RParen, "an operator or `)`")?;
                return Ok(Expr { kind: inner.kind, span: span.to(end) });
            }
            Token::Minus => {
                self.advance();
                let operand = self.parse_subexpr(Precedence::Unary)?;
                let span = span.to(operand.span);
                let kind = match operand.kind {
                    ExprKind::Literal(Literal::Number(n)) => {
                        ExprKind::Literal(Literal::Number(negate(&n)))
                    }
                    kind => ExprKind::Neg(Box::new(Expr { kind, span: operand.span })),
                };
                return Ok(Expr { kind, span });
            }
            Token::Slash | Token::RParen | Token::Comma | Token::Colon => {
                return Err(self.expected("an expression"))
            }
            Token::String(_)
            | Token::Number(_)
            | Token::Guid(_)
            | Token::Date(_)
            | Token::DateTime(_)
            | Token::Duration(..) => {}
        }
        let literal = match self.advance().map(|t| t.token) {
            Some(Token::String(s)) => Literal::String(s.into_owned()),
            Some(Token::Number(n)) => Literal::Number(n.into_owned()),
            Some(Token::Guid(g)) => Literal::Guid(g.into_owned()),
            Some(Token::Date(d)) => Literal::Date(d),
            Some(Token::DateTime(t)) => Literal::DateTime(t),
            Some(Token::Duration(text, nanos)) => Literal::Duration(text, nanos),
            // invariant: the token peeked above is a literal.
            _ => return Err(self.expected("an expression")),
        };
        Ok(Expr { kind: ExprKind::Literal(literal), span })
    }

    /// A keyword literal, `not x`, a function call, a path or a lambda.
    fn parse_word(&mut self, word: &'a str, span: Span) -> Result<Expr> {
        let key = keyword_key(word);
        let literal = match key {
            KW_TRUE => Some(Literal::Bool(true)),
            KW_FALSE => Some(Literal::Bool(false)),
            KW_NULL => Some(Literal::Null),
            _ => None,
        };
        if let Some(l) = literal {
            self.advance();
            return Ok(Expr { kind: ExprKind::Literal(l), span });
        }
        if self.infix.is_some() {
            // Operator keywords are reserved: `a eq eq 1` is an error at the second `eq`.
            return Err(self.expected("an expression"));
        }
        let is_any = key == KW_ANY;
        if (is_any || key == KW_ALL) && self.paren_follows() {
            // A lambda needs its collection: `team/any(t:...)`, never a bare `any(...)`. Like
            // OData's grammar, read `any` as a property name and fail at the `(`.
            self.advance();
            return Err(self.expected(if is_any {
                "an operator or the end of the filter (`any` needs a collection path before it, as in `team/any(t:t/email eq 'x')`)"
            } else {
                "an operator or the end of the filter (`all` needs a collection path before it, as in `team/all(t:t/email ne null)`)"
            }));
        }
        if key == KW_NOT {
            self.advance();
            let operand = self.parse_subexpr(Precedence::Unary)?;
            let span = span.to(operand.span);
            return Ok(Expr { kind: ExprKind::Not(Box::new(operand)), span });
        }
        if self.paren_follows() {
            if let Some(name) = unsupported_function(word) {
                // Refused before its arguments, which may use syntax of their own (`case`'s
                // `cond:value` pairs, `cast`'s type names, JSON arrays).
                return Err(Error::Unsupported {
                    span,
                    construct: format!("the function `{name}`"),
                });
            }
            self.advance_name_and_paren();
            let name = Ident { name: word.to_ascii_lowercase(), span };
            let args = if self.next_is(Punct::RParen)? { Vec::new() } else { self.parse_list()? };
            let end = self.expect_token(Punct::RParen, "`,` or `)`")?;
            return Ok(Expr { kind: ExprKind::Call { name, args }, span: span.to(end) });
        }
        self.advance();
        let mut segments = Vec::with_capacity(4);
        segments.push(Ident { name: word.to_owned(), span });
        while self.consume_token(Punct::Slash)? {
            let is_operator = self.peek_infix()?.is_some();
            let (w, seg_span) = match (self.peek_token()?, is_operator) {
                (Some(Spanned { token: Token::Word(w), span }), false) => (*w, *span),
                _ => return Err(self.expected("a property name after `/`")),
            };
            let lambda = match keyword_key(w) {
                KW_ANY => Some(LambdaOp::Any),
                KW_ALL => Some(LambdaOp::All),
                _ => None,
            };
            if let Some(op) = lambda {
                if self.paren_follows() {
                    self.advance_name_and_paren();
                    return self.parse_lambda(segments, op, span);
                }
            }
            if self.paren_follows() {
                // `Products/BestProduct()`, `Items/Parts(1)`: a bound function or key access.
                return Err(Error::Unsupported {
                    span: seg_span,
                    construct: format!("the bound function or key access `{w}(…)`"),
                });
            }
            self.advance();
            segments.push(Ident { name: w.to_owned(), span: seg_span });
        }
        let end = segments.last().map_or(span, |s| s.span);
        Ok(Expr { kind: ExprKind::Path(segments), span: span.to(end) })
    }

    /// After `collection/any(`: `)` or `var:predicate)`.
    fn parse_lambda(&mut self, collection: Vec<Ident>, op: LambdaOp, start: Span) -> Result<Expr> {
        let predicate = if op == LambdaOp::Any && self.next_is(Punct::RParen)? {
            None
        } else {
            let (var, var_span) = match self.peek_token()? {
                Some(Spanned { token: Token::Word(var), span }) => (*var, *span),
                _ => {
                    return Err(self.expected(if op == LambdaOp::Any {
                        "a lambda variable or `)`"
                    } else {
                        "a lambda variable"
                    }))
                }
            };
            self.advance();
            self.expect_token(Punct::Colon, "`:` after the lambda variable")?;
            let body = self.parse_subexpr(Precedence::Lowest)?;
            Some((Ident { name: var.to_owned(), span: var_span }, Box::new(body)))
        };
        let end = self.expect_token(Punct::RParen, "an operator or `)`")?;
        Ok(Expr { kind: ExprKind::Lambda { collection, op, predicate }, span: start.to(end) })
    }
}

/// The canonical functions of OData 4.01 that are outside the supported table, by their
/// standard spelling (matched in any ASCII case, as 4.01 asks).
const UNSUPPORTED_FUNCTIONS: [&str; 12] = [
    "case",
    "cast",
    "fractionalseconds",
    "hassubset",
    "hassubsequence",
    "isof",
    "matchesPattern",
    "maxdatetime",
    "mindatetime",
    "time",
    "totaloffsetminutes",
    "totalseconds",
];

fn unsupported_function(word: &str) -> Option<&'static str> {
    UNSUPPORTED_FUNCTIONS.iter().copied().find(|f| f.eq_ignore_ascii_case(word))
}

/// A token that is a whole primitive literal on its own (OData's `primitiveLiteral`).
fn is_literal_token(token: &Token<'_>) -> bool {
    match token {
        Token::String(_)
        | Token::Number(_)
        | Token::Guid(_)
        | Token::Date(_)
        | Token::DateTime(_)
        | Token::Duration(..) => true,
        Token::Word(w) => ["true", "false", "null"].iter().any(|k| w.eq_ignore_ascii_case(k)),
        Token::Slash
        | Token::LParen
        | Token::RParen
        | Token::Comma
        | Token::Colon
        | Token::Minus => false,
    }
}

/// `3` → `-3`, `-3` → `3`, `INF` → `-INF`, `NaN` stays.
fn negate(number: &str) -> String {
    match number.strip_prefix('-') {
        Some(positive) => positive.to_string(),
        None if number == "NaN" => number.to_string(),
        None => format!("-{number}"),
    }
}

/// Parses filter text into an [`Expr`] (syntax only, no schema).
///
/// # Errors
/// `InvalidFilter` errors: lexer errors, [`Error::Expected`], [`Error::TooDeep`],
/// [`Error::TooLong`]; the span points at the start of the offending token.
pub fn parse(src: &str) -> Result<Expr> {
    Parser::new(src)?.parse()
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Prints with every binary node parenthesised, to show the tree's shape.
    fn shape(e: &Expr) -> String {
        match &e.kind {
            ExprKind::Binary { op, operands, .. } => {
                let [left, right] = &**operands;
                format!("({} {} {})", shape(left), op.keyword(), shape(right))
            }
            ExprKind::In { left, list } => format!("({} in {})", shape(left), list.len()),
            ExprKind::And(items) => {
                format!("[{}]", items.iter().map(shape).collect::<Vec<_>>().join(" and "))
            }
            ExprKind::Or(items) => {
                format!("[{}]", items.iter().map(shape).collect::<Vec<_>>().join(" or "))
            }
            ExprKind::Not(x) => format!("(not {})", shape(x)),
            ExprKind::Neg(x) => format!("(-{})", shape(x)),
            _ => e.to_string(),
        }
    }

    #[test]
    fn precedence_table() {
        let cases = [
            ("a add b mul c", "(a add (b mul c))"),
            ("a mul b add c", "((a mul b) add c)"),
            ("a sub b sub c", "((a sub b) sub c)"),
            ("a div b divby c mod d", "(((a div b) divby c) mod d)"),
            ("a add b gt c", "((a add b) gt c)"),
            ("a gt b eq c", "((a gt b) eq c)"),
            ("a eq b and c eq d", "[(a eq b) and (c eq d)]"),
            ("a and b or c and d", "[[a and b] or [c and d]]"),
            ("a or b and c", "[a or [b and c]]"),
            ("a and (b or c)", "[a and [b or c]]"),
            ("(a or b) or (c or d)", "[a or b or c or d]"),
            ("not a eq b", "((not a) eq b)"),
            ("not a in (1,2)", "(not (a in 2))"),
            ("not a has 'x'", "(not (a has 'x'))"),
            ("-a in (1)", "(-(a in 1))"),
            ("not (a eq b)", "(not (a eq b))"),
            ("-a add b", "((-a) add b)"),
            ("a has b eq c", "((a has b) eq c)"),
            ("a in (1,2) eq true", "((a in 2) eq true)"),
            ("a add b in (1)", "(a add (b in 1))"),
            ("a eq b in (1)", "(a eq (b in 1))"),
            ("a eq b has c", "(a eq (b has c))"),
            ("(a eq b) in (true)", "((a eq b) in 1)"),
            ("x in ()", "(x in 0)"),
        ];
        for (src, want) in cases {
            assert_eq!(shape(&parse(src).unwrap()), want, "{src}");
        }
    }

    #[test]
    fn keywords_are_case_insensitive_and_print_lower_case() {
        let e = parse("Status EQ 'New' AND NOT Contains(name,'x') Or team/ANY(t:T/email Ne Null)")
            .unwrap();
        assert_eq!(
            e.to_string(),
            "Status eq 'New' and not contains(name,'x') or team/any(t:T/email ne null)"
        );
    }

    #[test]
    fn negative_number_literals_fold() {
        assert_eq!(parse("- 3").unwrap(), parse("-3").unwrap());
        assert_eq!(parse("- -3").unwrap().to_string(), "3");
        assert_eq!(parse("-(x)").unwrap().to_string(), "-x");
        assert_eq!(parse("- -x").unwrap().to_string(), "- -x");
    }

    #[test]
    fn spans_cover_the_source_range() {
        let e = parse("(a eq 1) and b").unwrap();
        assert_eq!(e.span, Span::new(0, 14));
        let ExprKind::And(items) = &e.kind else { panic!() };
        assert_eq!(items[0].span, Span::new(0, 8));
    }

    #[test]
    fn depth_is_charged_for_infix_wrapping_but_not_for_chains() {
        let adds = format!("a{}", " add a".repeat(62));
        assert!(Parser::new(&adds).unwrap().parse().is_ok());
        let adds = format!("a{}", " add a".repeat(100));
        assert!(matches!(parse(&adds), Err(Error::TooDeep { .. })));
        let ors = format!("a{}", " or a".repeat(10_000));
        assert!(parse(&ors).is_ok());
        let shallow = Parser::new("((a))").unwrap().with_max_depth(2).parse();
        assert_eq!(shallow, Err(Error::TooDeep { span: Span::new(2, 3), max: 2 }));
    }

    #[test]
    fn in_lists_of_two_or_more_items_hold_literals_only() {
        assert_eq!(
            parse("x in ('a',-3,null,2020-12-01)").unwrap().to_string(),
            "x in ('a',-3,null,2020-12-01)"
        );
        assert_eq!(parse("x in (y)").unwrap().to_string(), "x in (y)");
        assert_eq!(parse("x in (1 add 2)").unwrap().to_string(), "x in (1 add 2)");
        let at = |src: &str| parse(src).unwrap_err().span().map(|s| s.start);
        assert_eq!(at("x in ('a',y)"), Some(10));
        assert_eq!(at("x in (y,'a')"), Some(7));
        assert_eq!(at("x in ('a',1 add 2)"), Some(12));
        assert_eq!(at("x in ('a',(1))"), Some(10));
        assert_eq!(at("x in ('a',- 1)"), Some(10));
    }

    #[test]
    fn bare_lambda_fails_at_its_parenthesis() {
        for src in ["any()", "all(x:true)", "ANY(x:x eq 1)"] {
            let err = parse(src).unwrap_err();
            assert_eq!(err.span(), Some(Span::new(3, 4)), "{src}");
            assert!(err.to_string().contains("needs a collection path"), "{err}");
        }
        assert_eq!(parse("any eq all").unwrap().to_string(), "any eq all");
    }

    #[test]
    fn lexer_errors_are_reported_as_the_lexer_gave_them() {
        for src in ["a eq #", "a eq 'x", "a eq 2020-13-01", "(a eq 1) or @"] {
            let lexed = crate::query::lexer::tokenize(src).unwrap_err();
            assert_eq!(parse(src).unwrap_err(), lexed, "{src}");
        }
    }

    #[test]
    fn earlier_syntax_error_wins_over_later_lex_error() {
        assert!(matches!(parse("a eq eq #"), Err(Error::Expected { span, .. }) if span.start == 5));
        assert!(
            matches!(parse("a eq #"), Err(Error::UnexpectedChar { span, .. }) if span.start == 5)
        );
    }
}
