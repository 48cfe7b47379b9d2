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

use super::lexer::write_quoted;

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

fn utf16_len(s: &str) -> u32 {
    u32::try_from(s.encode_utf16().count()).unwrap_or(u32::MAX)
}

fn template_error(out: &str, reason: &str) -> Error {
    let at = utf16_len(out);
    Error::InvalidLiteral { span: Span::new(at, at), kind: "template", reason: reason.into() }
}

fn render_value(out: &mut String, value: &TemplateValue, nested: bool) -> Result<()> {
    match value {
        TemplateValue::Null => out.push_str("null"),
        TemplateValue::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        TemplateValue::Number(n) => match number_literal(*n) {
            Some(text) => out.push_str(&text),
            None => {
                let at = utf16_len(out);
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
        TemplateValue::List(items) => {
            if nested {
                return Err(template_error(out, "nested arrays cannot be interpolated"));
            }
            if items.is_empty() {
                return Err(template_error(out, "an empty array cannot be used with `in`"));
            }
            out.push('(');
            for (i, item) in items.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                render_value(out, item, true)?;
            }
            out.push(')');
        }
    }
    Ok(())
}

fn sticky(c: char) -> bool {
    c.is_alphanumeric() || matches!(c, '_' | '\'' | '.' | '-')
}

/// Renders template parts and values into filter text. `strings` must have exactly one more
/// element than `values` (as a JS tagged template guarantees).
///
/// # Errors
/// [`Error::InvalidLiteral`] (`InvalidFilter`) for a non-finite number, an empty or nested
/// array, a value placed inside quotes, or mismatched part counts; positions are in the
/// rendered text.
pub fn render(strings: &[&str], values: &[TemplateValue]) -> Result<String> {
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
        render_value(&mut out, value, false)?;
        if next.chars().next().is_some_and(sticky) {
            out.push(' ');
        }
    }
    Ok(out)
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
