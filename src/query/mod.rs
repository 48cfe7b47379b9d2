//! OData `$filter` compiler and query-string builder for the referrals endpoint.
//!
//! Rooms: [`lexer`] (text → tokens, the only place with byte offsets), [`parser`] (tokens →
//! [`Expr`], depth-bounded), [`ast`] (the tree and its canonical `Display`), [`check`]
//! (schema and types), [`eval`] (offline matching), [`template`] (tagged-template values),
//! [`encode`] (query options ↔ URL query text). This file is the public surface.
//!
//! Positions are UTF-16 code units (what JS `string.slice` counts), half-open.
//!
//! Speed: compiled for size like the rest of the wasm (opt-level "z", where little is
//! inlined), so the hot path saves work instead: tokens and field names borrow from the input
//! and the tree, the parser looks one token ahead, and `validate_into` (the package's
//! validateFilter) reuses its output buffer.

use std::borrow::Cow;
use std::fmt;

use crate::datetime::DateTimeOffset;
use crate::error::Result;
use crate::schema::{ComplexType, REFERRAL};

// The rooms of the filter compiler. Their items that a Rust caller is meant to use are
// re-exported below; the modules stay reachable for the crate's tests, the emulator and the
// bench, which check the rooms one by one, and are hidden from the documentation.
#[doc(hidden)]
pub mod ast;
#[doc(hidden)]
pub mod check;
#[doc(hidden)]
pub mod encode;
#[doc(hidden)]
pub mod eval;
#[doc(hidden)]
pub mod lexer;
#[doc(hidden)]
pub mod parser;
#[doc(hidden)]
pub mod template;

pub use ast::{BinaryOp, Expr, ExprKind, Ident, LambdaOp, Literal, OpSpan, Precedence};
pub use encode::{
    build_query, parse_query_string, percent_decode, percent_encode, query_pairs, OrderBy,
    ReferralQuery, MAX_TOP,
};
pub use lexer::{Spanned, Token, MAX_FILTER_LEN};
pub use parser::{Parser, MAX_DEPTH};
pub use template::TemplateValue;

/// Parses filter text into its syntax tree, without looking at the schema.
///
/// ```
/// let e = partner_referrals::query::parse("(Status EQ 'New')  and  not contains(name,'x')").unwrap();
/// assert_eq!(e.to_string(), "Status eq 'New' and not contains(name,'x')");
/// ```
///
/// # Errors
/// `InvalidFilter`: a lexer or syntax error, [`Error::TooDeep`](crate::Error::TooDeep) past
/// [`MAX_DEPTH`] levels, [`Error::TooLong`](crate::Error::TooLong) past [`MAX_FILTER_LEN`]
/// UTF-16 code units. Positions point at the start of the offending token.
pub fn parse(src: &str) -> Result<Expr> {
    parser::parse(src)
}

/// What `validateFilter` returns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct FilterInfo {
    /// The canonical form: `validate_filter(canonical)` gives the same canonical.
    pub canonical: String,
    /// Distinct property paths used, in order of first appearance; a lambda contributes its
    /// collection (`team`) and the paths under its variable resolved to the collection
    /// (`team/email`).
    pub fields: Vec<String>,
}

/// Parses and checks filter text; `schema: false` checks syntax, literals and function
/// signatures only (any property names are accepted).
///
/// ```
/// use partner_referrals::query::validate_filter;
/// let info = validate_filter("(direction eq 'Incoming') and team/any(t:t/email eq 'r2d2@contoso.com')", true).unwrap();
/// assert_eq!(info.canonical, "direction eq 'Incoming' and team/any(t:t/email eq 'r2d2@contoso.com')");
/// assert_eq!(info.fields, ["direction", "team", "team/email"]);
/// let err = validate_filter("status eq 'new'", true).unwrap_err();
/// assert_eq!(err.to_string(), "`'new'` is not a ReferralStatus value (did you mean `'New'`?) at position 10");
/// assert!(validate_filter("anything/goes eq 'new'", false).is_ok());
/// ```
///
/// # Errors
/// `InvalidFilter`: the first error by position (syntax, unknown property, type, enum value,
/// unbound lambda variable).
pub fn validate_filter(src: &str, schema: bool) -> Result<FilterInfo> {
    validate(src, schema.then_some(&REFERRAL))
}

/// [`validate_filter`] against `schema`: the referral type with a caller's extra fields
/// ([`crate::extra_fields::ExtraFields::schema`]).
///
/// # Errors
/// As [`validate_filter`] with `schema: true`.
pub fn validate_filter_in(src: &str, schema: &'static ComplexType) -> Result<FilterInfo> {
    validate(src, Some(schema))
}

fn validate(src: &str, schema: Option<&'static ComplexType>) -> Result<FilterInfo> {
    let (mut tree, mut canonical) = (None, String::with_capacity(src.len()));
    let fields = check::owned(&validate_into(src, schema, &mut tree, &mut canonical)?);
    Ok(FilterInfo { canonical, fields })
}

/// Parses and checks `src` for a caller that reads the result once (the package's
/// `validateFilter` reads it into a JS object): the syntax tree goes to `tree`, the canonical
/// text to `canonical` (a buffer the caller reuses), and the fields returned borrow from the
/// tree where they can (validateFilter guard of `make bench`: no string allocated per result).
pub(crate) fn validate_into<'t>(
    src: &str,
    schema: Option<&'static ComplexType>,
    tree: &'t mut Option<Expr>,
    canonical: &mut String,
) -> Result<Vec<Cow<'t, str>>> {
    let expr = tree.insert(parse(src)?);
    let (errors, fields) = check::check_borrowed(expr, schema);
    if let Some(first) = errors.into_iter().next() {
        return Err(first);
    }
    canonical.clear();
    expr.canonical_into(canonical);
    Ok(fields)
}

/// A filter that parsed and checked against the referral schema.
#[derive(Debug, Clone, PartialEq)]
pub struct Filter {
    expr: Expr,
    canonical: String,
    fields: Vec<String>,
    /// The referral type it was checked against (and is evaluated with).
    schema: &'static ComplexType,
}

impl Filter {
    /// Parses and checks `src` against the referral schema.
    ///
    /// ```
    /// use partner_referrals::query::Filter;
    /// use partner_referrals::datetime::DateTimeOffset;
    /// let f = Filter::parse("status eq 'New' and details/dealValue ge 5000").unwrap();
    /// let referral = serde_json::json!({"status": "New", "details": {"dealValue": "10000.00"}});
    /// assert!(f.matches(&referral, DateTimeOffset::from_unix_millis(0)));
    /// assert_eq!(f.to_string(), "status eq 'New' and details/dealValue ge 5000");
    /// ```
    ///
    /// # Errors
    /// As [`validate_filter`] with `schema: true`.
    pub fn parse(src: &str) -> Result<Filter> {
        Filter::parse_in(src, &REFERRAL)
    }

    /// Parses and checks `src` against `schema`: the referral type with a caller's extra
    /// fields ([`crate::extra_fields::ExtraFields::schema`]); [`matches`](Self::matches) then
    /// reads those fields with their declared types.
    ///
    /// # Errors
    /// As [`Filter::parse`].
    pub fn parse_in(src: &str, schema: &'static ComplexType) -> Result<Filter> {
        let expr = parse(src)?;
        let checked = check::check(&expr, Some(schema));
        if let Some(first) = checked.errors.into_iter().next() {
            return Err(first);
        }
        Ok(Filter { canonical: expr.to_canonical(src.len()), expr, fields: checked.fields, schema })
    }

    /// The referral type the filter was checked against.
    pub fn schema(&self) -> &'static ComplexType {
        self.schema
    }

    /// The canonical text.
    pub fn canonical(&self) -> &str {
        &self.canonical
    }

    /// The property paths used (see [`FilterInfo::fields`]).
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The syntax tree.
    pub fn expr(&self) -> &Expr {
        &self.expr
    }

    /// Canonical text and fields.
    pub fn info(&self) -> FilterInfo {
        FilterInfo { canonical: self.canonical.clone(), fields: self.fields.clone() }
    }

    /// Evaluates the filter over one referral (decoded JSON, e.g. a `serde_json::Value`) with
    /// OData semantics; `now` is what `now()` returns (the core has no clock).
    pub fn matches<R: crate::record::Record + ?Sized>(
        &self,
        record: &R,
        now: DateTimeOffset,
    ) -> bool {
        eval::matches(&self.expr, record, Some(self.schema), now)
    }
}

impl fmt::Display for Filter {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.canonical)
    }
}

/// Builds a filter from tagged-template parts: each value becomes a literal, never syntax.
///
/// ```
/// use partner_referrals::query::{filter_from_template, TemplateValue};
/// let f = filter_from_template(
///     &["customerProfile/name eq ", ""],
///     &[TemplateValue::String("O'Brien & Co #1+2".into())],
/// ).unwrap();
/// assert_eq!(f.canonical(), "customerProfile/name eq 'O''Brien & Co #1+2'");
/// ```
///
/// # Errors
/// `InvalidFilter`: a value that cannot be a literal (NaN, ±Infinity, empty or nested array,
/// a value inside quotes), or any error of [`Filter::parse`]; positions refer to the rendered
/// text.
pub fn filter_from_template(strings: &[&str], values: &[TemplateValue]) -> Result<Filter> {
    Filter::parse(&template::render(strings, values)?)
}

/// [`filter_from_template`] against `schema` (see [`Filter::parse_in`]).
///
/// # Errors
/// As [`filter_from_template`].
pub fn filter_from_template_in(
    strings: &[&str],
    values: &[TemplateValue],
    schema: &'static ComplexType,
) -> Result<Filter> {
    Filter::parse_in(&template::render(strings, values)?, schema)
}
