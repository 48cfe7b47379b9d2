//! The one error type of the crate, its stable codes and its source positions.
//!
//! This room knows nothing of JavaScript, HTTP clients or the filter grammar: it is data plus
//! `Display`. `src/wasm/` turns an [`Error`] into the package's `ODataError`, copying
//! [`Error::code`], [`Error::span`] (as `position`) and [`Error::path`].

use std::fmt;

/// A half-open range `[start, end)` of **UTF-16 code units** in the original filter text.
///
/// UTF-16 because that is how JavaScript's `string.slice` counts: an error's `position` can be
/// used directly to put a caret under the offending character in a browser.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct Span {
    /// First code unit of the range.
    pub start: u32,
    /// One past the last code unit of the range.
    pub end: u32,
}

impl Span {
    /// A span from `start` (inclusive) to `end` (exclusive), in UTF-16 code units.
    pub const fn new(start: u32, end: u32) -> Self {
        Span { start, end }
    }

    /// The smallest span that covers both `self` and `other`.
    pub fn to(self, other: Span) -> Span {
        Span::new(self.start.min(other.start), self.end.max(other.end))
    }
}

/// The stable, machine-readable kind of an [`Error`]: the `code` property of `ODataError`.
///
/// Codes are API: JavaScript callers branch on them, so renaming one is a breaking change.
/// Many [`Error`] variants share one code (every lexer, parser and checker error is
/// [`ErrorCode::InvalidFilter`]); the variant decides the message and the position.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The `$filter` text is not valid (syntax, unknown property, type or enum value).
    InvalidFilter,
    /// A `$select` entry is not a property of Referral.
    InvalidSelect,
    /// `$orderby` names something other than `createdDateTime`/`updatedDateTime` asc/desc.
    InvalidOrderBy,
    /// `$top` is not a positive integer.
    InvalidTop,
    /// A response body is not JSON, or a known property has the wrong JSON type.
    InvalidResponse,
    /// A `nextLink` points at a host other than the base URL's: not followed.
    UnsafeNextLink,
    /// 401, still after one token refresh.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 404.
    NotFound,
    /// 429, still after every retry.
    Throttled,
    /// Any other non-2xx status.
    HttpError,
    /// The request never got a response (DNS, connection reset, CORS, ...).
    NetworkError,
    /// An attempt took longer than `timeoutMs`.
    Timeout,
    /// `getToken` threw or did not return a non-empty string.
    TokenError,
}

impl ErrorCode {
    /// Every code, in the order SPEC.md lists them.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InvalidFilter,
        ErrorCode::InvalidSelect,
        ErrorCode::InvalidOrderBy,
        ErrorCode::InvalidTop,
        ErrorCode::InvalidResponse,
        ErrorCode::UnsafeNextLink,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::NotFound,
        ErrorCode::Throttled,
        ErrorCode::HttpError,
        ErrorCode::NetworkError,
        ErrorCode::Timeout,
        ErrorCode::TokenError,
    ];

    /// The code as JavaScript sees it, e.g. `"InvalidFilter"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidFilter => "InvalidFilter",
            ErrorCode::InvalidSelect => "InvalidSelect",
            ErrorCode::InvalidOrderBy => "InvalidOrderBy",
            ErrorCode::InvalidTop => "InvalidTop",
            ErrorCode::InvalidResponse => "InvalidResponse",
            ErrorCode::UnsafeNextLink => "UnsafeNextLink",
            ErrorCode::Unauthorized => "Unauthorized",
            ErrorCode::Forbidden => "Forbidden",
            ErrorCode::NotFound => "NotFound",
            ErrorCode::Throttled => "Throttled",
            ErrorCode::HttpError => "HttpError",
            ErrorCode::NetworkError => "NetworkError",
            ErrorCode::Timeout => "Timeout",
            ErrorCode::TokenError => "TokenError",
        }
    }
}

impl fmt::Display for ErrorCode {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// Everything that can go wrong, as data.
///
/// Filter errors carry a [`Span`] in UTF-16 code units; decode errors carry a JSON pointer.
/// `Display` is lowercase, puts source text in backticks and ends with `at position N` when
/// there is a span.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    // ---- $filter: lexer -------------------------------------------------------------------
    /// A character that starts no token, e.g. `#` in `name eq #1`.
    UnexpectedChar {
        /// The character.
        span: Span,
        /// What was found.
        found: char,
    },
    /// A string literal with no closing quote; the span is the opening quote.
    UnterminatedString {
        /// The opening quote.
        span: Span,
    },
    /// A literal that has the shape of a number, date, GUID or duration but is malformed,
    /// e.g. `2020-13-01`.
    InvalidLiteral {
        /// The literal.
        span: Span,
        /// What kind of literal it tried to be (`"date"`, `"number"`, ...).
        kind: &'static str,
        /// Why it is invalid.
        reason: String,
    },

    // ---- $filter: parser ------------------------------------------------------------------
    /// The parser wanted one thing and found another.
    Expected {
        /// The token that was found (end of input: an empty span at the text's length).
        span: Span,
        /// What was expected, in words with backticks, e.g. "`)`" or "an expression".
        expected: String,
        /// The source spelling of what was found, or "end of input".
        found: String,
    },
    /// The filter nests deeper than the parser's depth limit.
    TooDeep {
        /// The token at which the limit was hit.
        span: Span,
        /// The limit.
        max: u32,
    },
    /// The filter text is longer than the accepted maximum.
    TooLong {
        /// Length of the input in UTF-16 code units.
        len: usize,
        /// The maximum.
        max: usize,
    },

    // ---- $filter: checker -----------------------------------------------------------------
    /// A property path that the referral schema does not have.
    UnknownProperty {
        /// The offending path segment.
        span: Span,
        /// The segment as written.
        name: String,
        /// The type it was looked up on, e.g. `Referral` or `Address`.
        on_type: &'static str,
        /// The closest existing name, if any is close.
        suggestion: Option<String>,
    },
    /// A comparison of an enum property with a value that is not one of its members.
    UnknownEnumValue {
        /// The literal.
        span: Span,
        /// The enum's name, e.g. `ReferralStatus`.
        enum_name: &'static str,
        /// The value as written (unquoted).
        value: String,
        /// The closest member, if any is close.
        suggestion: Option<String>,
    },
    /// A function name that OData (or this API's subset) does not have.
    UnknownFunction {
        /// The name.
        span: Span,
        /// The name as written.
        name: String,
        /// The closest known function, if any is close.
        suggestion: Option<String>,
    },
    /// Operand types that do not fit the operator or function.
    TypeMismatch {
        /// The offending operand or expression.
        span: Span,
        /// What is wrong, in words.
        message: String,
    },
    /// A lambda variable used outside its lambda, or never declared.
    UnboundVariable {
        /// The variable.
        span: Span,
        /// Its name.
        name: String,
    },

    // ---- other query options ---------------------------------------------------------------
    /// A `$select` entry that is not a Referral property name (an empty `name`: an empty list).
    InvalidSelect {
        /// The entry as given.
        name: String,
        /// The closest property name, if any is close.
        suggestion: Option<String>,
    },
    /// An `$orderby` that is not `createdDateTime`/`updatedDateTime` with `asc`/`desc`.
    InvalidOrderBy {
        /// What is wrong, in words.
        message: String,
    },
    /// A `$top` that is not a positive integer.
    InvalidTop {
        /// What is wrong, in words.
        message: String,
    },

    // ---- decoding --------------------------------------------------------------------------
    /// A response body that is not JSON, or whose known properties have the wrong type.
    Decode {
        /// JSON pointer to the offending value, e.g. `/value/3/createdDateTime` (`""` = root).
        path: String,
        /// What is wrong, in words.
        message: String,
    },
}

/// The crate-wide result type.
pub type Result<T, E = Error> = std::result::Result<T, E>;

impl Error {
    /// The stable code of this error (the `code` of `ODataError`).
    pub fn code(&self) -> ErrorCode {
        match self {
            Error::UnexpectedChar { .. }
            | Error::UnterminatedString { .. }
            | Error::InvalidLiteral { .. }
            | Error::Expected { .. }
            | Error::TooDeep { .. }
            | Error::TooLong { .. }
            | Error::UnknownProperty { .. }
            | Error::UnknownEnumValue { .. }
            | Error::UnknownFunction { .. }
            | Error::TypeMismatch { .. }
            | Error::UnboundVariable { .. } => ErrorCode::InvalidFilter,
            Error::InvalidSelect { .. } => ErrorCode::InvalidSelect,
            Error::InvalidOrderBy { .. } => ErrorCode::InvalidOrderBy,
            Error::InvalidTop { .. } => ErrorCode::InvalidTop,
            Error::Decode { .. } => ErrorCode::InvalidResponse,
        }
    }

    /// Where in the filter text the error is, in UTF-16 code units; `None` when the error is
    /// not about filter text. A too-long filter points at the first code unit past the limit.
    pub fn span(&self) -> Option<Span> {
        match self {
            Error::UnexpectedChar { span, .. }
            | Error::UnterminatedString { span }
            | Error::InvalidLiteral { span, .. }
            | Error::Expected { span, .. }
            | Error::TooDeep { span, .. }
            | Error::UnknownProperty { span, .. }
            | Error::UnknownEnumValue { span, .. }
            | Error::UnknownFunction { span, .. }
            | Error::TypeMismatch { span, .. }
            | Error::UnboundVariable { span, .. } => Some(*span),
            Error::TooLong { max, .. } => {
                let at = u32::try_from(*max).unwrap_or(u32::MAX);
                Some(Span::new(at, at))
            }
            Error::InvalidSelect { .. }
            | Error::InvalidOrderBy { .. }
            | Error::InvalidTop { .. }
            | Error::Decode { .. } => None,
        }
    }

    /// The JSON pointer of a decode error (`ODataError.path`).
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Decode { path, .. } => Some(path),
            _ => None,
        }
    }

    /// Moves the span of a filter error by `delta` code units (used when a filter is embedded
    /// in a larger text). Errors without a span are returned unchanged.
    pub fn shifted(mut self, delta: u32) -> Self {
        match &mut self {
            Error::UnexpectedChar { span, .. }
            | Error::UnterminatedString { span }
            | Error::InvalidLiteral { span, .. }
            | Error::Expected { span, .. }
            | Error::TooDeep { span, .. }
            | Error::UnknownProperty { span, .. }
            | Error::UnknownEnumValue { span, .. }
            | Error::UnknownFunction { span, .. }
            | Error::TypeMismatch { span, .. }
            | Error::UnboundVariable { span, .. } => {
                span.start = span.start.saturating_add(delta);
                span.end = span.end.saturating_add(delta);
            }
            _ => {}
        }
        self
    }
}

fn did_you_mean(
    f: &mut fmt::Formatter<'_>,
    suggestion: &Option<String>,
    quote: &str,
) -> fmt::Result {
    match suggestion {
        Some(s) => write!(f, " (did you mean `{quote}{s}{quote}`?)"),
        None => Ok(()),
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::UnexpectedChar { found, .. } => write!(f, "unexpected character `{found}`")?,
            Error::UnterminatedString { .. } => f.write_str("unterminated string literal")?,
            Error::InvalidLiteral { kind, reason, .. } => {
                write!(f, "invalid {kind} literal: {reason}")?
            }
            Error::Expected { expected, found, .. } => {
                write!(f, "expected {expected}, found {found}")?
            }
            Error::TooDeep { max, .. } => write!(f, "filter nests deeper than {max} levels")?,
            Error::TooLong { len, max } => {
                write!(f, "filter is {len} characters long, the limit is {max}")?
            }
            Error::UnknownProperty { name, on_type, suggestion, .. } => {
                write!(f, "unknown property `{name}` on {on_type}")?;
                did_you_mean(f, suggestion, "")?;
            }
            Error::UnknownEnumValue { enum_name, value, suggestion, .. } => {
                write!(f, "`'{value}'` is not a {enum_name} value")?;
                did_you_mean(f, suggestion, "'")?;
            }
            Error::UnknownFunction { name, suggestion, .. } => {
                write!(f, "unknown function `{name}`")?;
                did_you_mean(f, suggestion, "")?;
            }
            Error::TypeMismatch { message, .. } => f.write_str(message)?,
            Error::UnboundVariable { name, .. } => {
                write!(f, "`{name}` is not a lambda variable in scope here")?
            }
            Error::InvalidSelect { name, .. } if name.is_empty() => {
                f.write_str("`$select` needs at least one property name")?
            }
            Error::InvalidSelect { name, suggestion } => {
                write!(f, "`{name}` is not a Referral property and cannot be selected")?;
                did_you_mean(f, suggestion, "")?;
            }
            Error::InvalidOrderBy { message } | Error::InvalidTop { message } => {
                f.write_str(message)?
            }
            Error::Decode { path, message } => {
                if path.is_empty() {
                    write!(f, "{message}")?
                } else {
                    write!(f, "{message} at `{path}`")?
                }
            }
        }
        if let Some(span) = self.span() {
            write!(f, " at position {}", span.start)?;
        }
        Ok(())
    }
}

impl std::error::Error for Error {}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn error_codes_are_pinned() {
        let names: Vec<&str> = ErrorCode::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(
            names,
            [
                "InvalidFilter",
                "InvalidSelect",
                "InvalidOrderBy",
                "InvalidTop",
                "InvalidResponse",
                "UnsafeNextLink",
                "Unauthorized",
                "Forbidden",
                "NotFound",
                "Throttled",
                "HttpError",
                "NetworkError",
                "Timeout",
                "TokenError",
            ]
        );
    }

    #[test]
    fn display_ends_with_position_when_there_is_a_span() {
        let e = Error::UnknownProperty {
            span: Span::new(4, 10),
            name: "stauts".into(),
            on_type: "Referral",
            suggestion: Some("status".into()),
        };
        assert_eq!(
            e.to_string(),
            "unknown property `stauts` on Referral (did you mean `status`?) at position 4"
        );
        assert_eq!(e.code(), ErrorCode::InvalidFilter);
    }

    #[test]
    fn decode_errors_carry_a_pointer_and_no_position() {
        let e = Error::Decode {
            path: "/value/3/createdDateTime".into(),
            message: "expected a string".into(),
        };
        assert_eq!(e.path(), Some("/value/3/createdDateTime"));
        assert_eq!(e.span(), None);
        assert_eq!(e.code(), ErrorCode::InvalidResponse);
        assert_eq!(e.to_string(), "expected a string at `/value/3/createdDateTime`");
    }
}
