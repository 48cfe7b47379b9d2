//! Tokens → [`Expr`]: recursive descent with precedence climbing, bounded by [`MAX_DEPTH`].
//!
//! One job: grammar. Knows nothing of the schema, records or JS. Looks at most two tokens
//! ahead and never backtracks. Stops at the first error, which points at the *start* of the
//! offending token (end of input: the input's UTF-16 length).
//!
//! Depth: one unit per nested [`Parser::parse_subexpr`] and one per infix iteration that
//! wraps the left operand in a new node; n-ary `and`/`or` append instead and cost nothing.
//! That bounds the *tree* depth, so checking, evaluating, printing and dropping it cannot
//! overflow wasm's small stack.

use crate::error::{Error, Result, Span};

use super::ast::{BinaryOp, Expr, ExprKind, Ident, LambdaOp, Literal, Precedence};
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

impl Infix {
    fn precedence(self) -> Precedence {
        match self {
            Infix::Or => Precedence::Or,
            Infix::And => Precedence::And,
            Infix::In => Precedence::Equality,
            Infix::Binary(op) => op.precedence(),
        }
    }

    fn from_word(word: &str) -> Option<Infix> {
        let lower = word.to_ascii_lowercase();
        match lower.as_str() {
            "or" => Some(Infix::Or),
            "and" => Some(Infix::And),
            "in" => Some(Infix::In),
            _ => BinaryOp::ALL.into_iter().find(|op| op.keyword() == lower).map(Infix::Binary),
        }
    }
}

/// The `$filter` parser: a token list, an index and a depth budget.
#[derive(Debug)]
pub struct Parser {
    tokens: Vec<Spanned<Token>>,
    /// The lexer error that ended `tokens`, reported when the parser reaches it.
    lex_error: Option<Error>,
    index: usize,
    depth: u32,
    max_depth: u32,
    /// The input's length in UTF-16 code units: where end-of-input errors point.
    end: u32,
}

impl Parser {
    /// Lexes `src` and makes a parser over it.
    ///
    /// # Errors
    /// [`Error::TooLong`] when `src` is longer than
    /// [`MAX_FILTER_LEN`](super::lexer::MAX_FILTER_LEN). Lexer errors are reported when the
    /// parser reaches them, so an earlier syntax error wins.
    pub fn new(src: &str) -> Result<Self> {
        check_length(src)?;
        let mut tokens = Vec::new();
        let mut lex_error = None;
        for item in Lexer::new(src) {
            match item {
                Ok(t) => tokens.push(t),
                Err(e) => {
                    lex_error = Some(e);
                    break;
                }
            }
        }
        Ok(Parser {
            tokens,
            lex_error,
            index: 0,
            depth: 0,
            max_depth: MAX_DEPTH,
            end: len_utf16(src),
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

    fn peek_nth(&self, n: usize) -> Result<Option<&Spanned<Token>>> {
        match self.tokens.get(self.index + n) {
            Some(t) => Ok(Some(t)),
            None => match &self.lex_error {
                Some(e) => Err(e.clone()),
                None => Ok(None),
            },
        }
    }

    fn peek_token(&self) -> Result<Option<&Spanned<Token>>> {
        self.peek_nth(0)
    }

    #[must_use = "the token is only consumed when this returns true"]
    fn consume_token(&mut self, expected: &Token) -> Result<bool> {
        if self.peek_token()?.is_some_and(|t| t == expected) {
            self.index += 1;
            return Ok(true);
        }
        Ok(false)
    }

    fn expect_token(&mut self, expected: &Token, what: &str) -> Result<Span> {
        match self.peek_token()? {
            Some(t) if t == expected => {
                let span = t.span;
                self.index += 1;
                Ok(span)
            }
            _ => Err(self.expected(what)),
        }
    }

    /// The span of the next token, or the empty span at the end of the input.
    fn peek_span(&self) -> Span {
        match self.tokens.get(self.index) {
            Some(t) => t.span,
            None => match &self.lex_error {
                Some(e) => e.span().unwrap_or(Span::new(self.end, self.end)),
                None => Span::new(self.end, self.end),
            },
        }
    }

    /// The only place that formats "expected X, found Y" (Y is the next token).
    #[cold]
    fn expected(&self, what: &str) -> Error {
        if let Err(e) = self.peek_token() {
            return e;
        }
        let found = match self.tokens.get(self.index) {
            Some(t) => format!("`{}`", t.token),
            None => "end of input".into(),
        };
        Error::Expected { span: self.peek_span(), expected: what.into(), found }
    }

    #[cold]
    fn too_deep(&self) -> Error {
        if let Err(e) = self.peek_token() {
            return e;
        }
        Error::TooDeep { span: self.peek_span(), max: self.max_depth }
    }

    fn peek_infix(&self) -> Result<Option<Infix>> {
        Ok(match self.peek_token()? {
            Some(Spanned { token: Token::Word(w), .. }) => Infix::from_word(w),
            _ => None,
        })
    }

    /// Charges one unit of depth, failing at the limit.
    fn charge(&mut self) -> Result<()> {
        if self.depth >= self.max_depth {
            return Err(self.too_deep());
        }
        self.depth += 1;
        Ok(())
    }

    fn nested<T>(&mut self, f: impl FnOnce(&mut Self) -> Result<T>) -> Result<T> {
        self.charge()?;
        let out = f(self);
        self.depth -= 1;
        out
    }

    // ---- grammar ------------------------------------------------------------------------

    /// Parses an expression whose operators all bind tighter than `min`.
    pub fn parse_subexpr(&mut self, min: Precedence) -> Result<Expr> {
        self.nested(|p| {
            let mut charged = 0;
            let out = p.parse_infix_loop(min, &mut charged);
            p.depth -= charged;
            out
        })
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
                    self.index += 1;
                    let right = self.parse_subexpr(bin.precedence())?;
                    let span = left.span.to(right.span);
                    Expr {
                        kind: ExprKind::Binary {
                            op: bin,
                            left: Box::new(left),
                            right: Box::new(right),
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
        let mut items = Vec::new();
        flatten(&mut items, left);
        while self.peek_infix()? == Some(op) {
            self.index += 1;
            let right = self.parse_subexpr(op.precedence())?;
            flatten(&mut items, right);
        }
        let span = start.to(items.last().map_or(start, |e| e.span));
        let kind = if is_or { ExprKind::Or(items) } else { ExprKind::And(items) };
        Ok(Expr { kind, span })
    }

    /// `left in (a,b,c)`; the `in` keyword is the next token.
    ///
    /// As in OData's `listExpr`, a list of two or more items holds literals only:
    /// `x in ('a',y)` fails at `y`. A single parenthesised item may be any expression
    /// (OData reads `x in (y)` as `x in y`), so `x in (y,z)` fails at the comma.
    fn parse_in(&mut self, left: Expr) -> Result<Expr> {
        self.index += 1;
        self.expect_token(&Token::LParen, "`(` starting the list after `in`")?;
        let starts_literal = self.peek_token()?.is_some_and(|t| is_literal_token(&t.token));
        let first = self.parse_subexpr(Precedence::Lowest)?;
        let mut list = vec![first];
        if starts_literal && matches!(list[0].kind, ExprKind::Literal(_)) {
            while self.consume_token(&Token::Comma)? {
                if !self.peek_token()?.is_some_and(|t| is_literal_token(&t.token)) {
                    return Err(self.expected("a literal (an `in` list holds literals only)"));
                }
                list.push(self.parse_prefix()?);
            }
        }
        let end = self.expect_token(&Token::RParen, "`,` or `)`")?;
        let span = left.span.to(end);
        Ok(Expr { kind: ExprKind::In { left: Box::new(left), list }, span })
    }

    /// One or more comma-separated expressions (the closing `)` is left for the caller).
    fn parse_list(&mut self) -> Result<Vec<Expr>> {
        let mut items = vec![self.parse_subexpr(Precedence::Lowest)?];
        while self.consume_token(&Token::Comma)? {
            items.push(self.parse_subexpr(Precedence::Lowest)?);
        }
        Ok(items)
    }

    fn parse_prefix(&mut self) -> Result<Expr> {
        let Some(first) = self.peek_token()?.cloned() else {
            return Err(self.expected("an expression"));
        };
        let span = first.span;
        let literal = |l: Literal| Ok(Expr { kind: ExprKind::Literal(l), span });
        match first.token {
            Token::String(s) => {
                self.index += 1;
                literal(Literal::String(s))
            }
            Token::Number(n) => {
                self.index += 1;
                literal(Literal::Number(n))
            }
            Token::Guid(g) => {
                self.index += 1;
                literal(Literal::Guid(g))
            }
            Token::Date(d) => {
                self.index += 1;
                literal(Literal::Date(d))
            }
            Token::DateTime(t) => {
                self.index += 1;
                literal(Literal::DateTime(t))
            }
            Token::Duration(text, nanos) => {
                self.index += 1;
                literal(Literal::Duration(text, nanos))
            }
            Token::LParen => {
                self.index += 1;
                let inner = self.parse_subexpr(Precedence::Lowest)?;
                let end = self.expect_token(&Token::RParen, "an operator or `)`")?;
                Ok(Expr { kind: inner.kind, span: span.to(end) })
            }
            Token::Minus => {
                self.index += 1;
                let operand = self.parse_subexpr(Precedence::Unary)?;
                let span = span.to(operand.span);
                let kind = match operand.kind {
                    ExprKind::Literal(Literal::Number(n)) => {
                        ExprKind::Literal(Literal::Number(negate(&n)))
                    }
                    kind => ExprKind::Neg(Box::new(Expr { kind, span: operand.span })),
                };
                Ok(Expr { kind, span })
            }
            Token::Word(w) => self.parse_word(w, span),
            Token::Slash | Token::RParen | Token::Comma | Token::Colon => {
                Err(self.expected("an expression"))
            }
        }
    }

    /// A keyword literal, `not x`, a function call, a path or a lambda.
    fn parse_word(&mut self, word: String, span: Span) -> Result<Expr> {
        let lower = word.to_ascii_lowercase();
        let literal = match lower.as_str() {
            "true" => Some(Literal::Bool(true)),
            "false" => Some(Literal::Bool(false)),
            "null" => Some(Literal::Null),
            _ => None,
        };
        if let Some(l) = literal {
            self.index += 1;
            return Ok(Expr { kind: ExprKind::Literal(l), span });
        }
        if Infix::from_word(&lower).is_some() {
            // Operator keywords are reserved: `a eq eq 1` is an error at the second `eq`.
            return Err(self.expected("an expression"));
        }
        if matches!(lower.as_str(), "any" | "all")
            && self.peek_nth(1)?.is_some_and(|t| *t == Token::LParen)
        {
            // A lambda needs its collection: `team/any(t:...)`, never a bare `any(...)`. Like
            // OData's grammar, read `any` as a property name and fail at the `(`.
            self.index += 1;
            return Err(self.expected(if lower == "any" {
                "an operator or the end of the filter (`any` needs a collection path before it, as in `team/any(t:t/email eq 'x')`)"
            } else {
                "an operator or the end of the filter (`all` needs a collection path before it, as in `team/all(t:t/email ne null)`)"
            }));
        }
        if lower == "not" {
            self.index += 1;
            let operand = self.parse_subexpr(Precedence::Unary)?;
            let span = span.to(operand.span);
            return Ok(Expr { kind: ExprKind::Not(Box::new(operand)), span });
        }
        if self.peek_nth(1)?.is_some_and(|t| *t == Token::LParen) {
            self.index += 2;
            let name = Ident { name: lower, span };
            let args = if self.peek_token()?.is_some_and(|t| *t == Token::RParen) {
                Vec::new()
            } else {
                self.parse_list()?
            };
            let end = self.expect_token(&Token::RParen, "`,` or `)`")?;
            return Ok(Expr { kind: ExprKind::Call { name, args }, span: span.to(end) });
        }
        self.index += 1;
        let mut segments = vec![Ident { name: word, span }];
        while self.consume_token(&Token::Slash)? {
            let Some(Spanned { token: Token::Word(w), span: seg_span }) =
                self.peek_token()?.cloned().filter(|t| !is_operator_word(&t.token))
            else {
                return Err(self.expected("a property name after `/`"));
            };
            let lambda = match w.to_ascii_lowercase().as_str() {
                "any" => Some(LambdaOp::Any),
                "all" => Some(LambdaOp::All),
                _ => None,
            };
            if let Some(op) = lambda {
                if self.peek_nth(1)?.is_some_and(|t| *t == Token::LParen) {
                    self.index += 2;
                    return self.parse_lambda(segments, op, span);
                }
            }
            self.index += 1;
            segments.push(Ident { name: w, span: seg_span });
        }
        let end = segments.last().map_or(span, |s| s.span);
        Ok(Expr { kind: ExprKind::Path(segments), span: span.to(end) })
    }

    /// After `collection/any(`: `)` or `var:predicate)`.
    fn parse_lambda(&mut self, collection: Vec<Ident>, op: LambdaOp, start: Span) -> Result<Expr> {
        let predicate =
            if op == LambdaOp::Any && self.peek_token()?.is_some_and(|t| *t == Token::RParen) {
                None
            } else {
                let Some(Spanned { token: Token::Word(var), span: var_span }) =
                    self.peek_token()?.cloned()
                else {
                    return Err(self.expected(if op == LambdaOp::Any {
                        "a lambda variable or `)`"
                    } else {
                        "a lambda variable"
                    }));
                };
                self.index += 1;
                self.expect_token(&Token::Colon, "`:` after the lambda variable")?;
                let body = self.parse_subexpr(Precedence::Lowest)?;
                Some((Ident { name: var, span: var_span }, Box::new(body)))
            };
        let end = self.expect_token(&Token::RParen, "an operator or `)`")?;
        Ok(Expr { kind: ExprKind::Lambda { collection, op, predicate }, span: start.to(end) })
    }
}

/// A token that is a whole primitive literal on its own (OData's `primitiveLiteral`).
fn is_literal_token(token: &Token) -> bool {
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

/// Operator keywords are reserved: they are never property names or path segments.
fn is_operator_word(token: &Token) -> bool {
    matches!(token, Token::Word(w) if Infix::from_word(w).is_some())
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
            ExprKind::Binary { op, left, right } => {
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
            ("not (a eq b)", "(not (a eq b))"),
            ("-a add b", "((-a) add b)"),
            ("a has b eq c", "((a has b) eq c)"),
            ("a in (1,2) eq true", "((a in 2) eq true)"),
            ("a add b in (1)", "((a add b) in 1)"),
            ("a eq b in (1)", "((a eq b) in 1)"),
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
    fn earlier_syntax_error_wins_over_later_lex_error() {
        assert!(matches!(parse("a eq eq #"), Err(Error::Expected { span, .. }) if span.start == 5));
        assert!(
            matches!(parse("a eq #"), Err(Error::UnexpectedChar { span, .. }) if span.start == 5)
        );
    }
}
