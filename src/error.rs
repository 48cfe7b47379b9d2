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
    /// The changes of a write name an unknown or read-only path, give a value of the wrong
    /// type or outside its enum, or ask for a status change the API forbids. Nothing was sent.
    InvalidUpdate,
    /// An `extraFields` declaration that cannot be used: a bad path or type, or one that
    /// changes the type of a documented field.
    InvalidExtraFields,
    /// A response body is not JSON, or a known property has the wrong JSON type.
    InvalidResponse,
    /// A `nextLink` leaves the base URL's origin or path: not followed.
    UnsafeNextLink,
    /// 401, still after one token refresh.
    Unauthorized,
    /// 403.
    Forbidden,
    /// 412: the referral changed since its `eTag` was read (`If-Match` did not match).
    PreconditionFailed,
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
    /// A call's argument or option cannot be sent (a referral id that is empty, a path or has
    /// control characters; a correlation id or locale that is no header value): the caller's
    /// input, refused before anything is sent.
    InvalidArgument,
}

impl ErrorCode {
    /// Every code, in the order docs/contract.md lists them.
    pub const ALL: &'static [ErrorCode] = &[
        ErrorCode::InvalidFilter,
        ErrorCode::InvalidSelect,
        ErrorCode::InvalidOrderBy,
        ErrorCode::InvalidTop,
        ErrorCode::InvalidUpdate,
        ErrorCode::InvalidExtraFields,
        ErrorCode::InvalidResponse,
        ErrorCode::UnsafeNextLink,
        ErrorCode::Unauthorized,
        ErrorCode::Forbidden,
        ErrorCode::PreconditionFailed,
        ErrorCode::NotFound,
        ErrorCode::Throttled,
        ErrorCode::HttpError,
        ErrorCode::NetworkError,
        ErrorCode::Timeout,
        ErrorCode::TokenError,
        ErrorCode::InvalidArgument,
    ];

    /// The code as JavaScript sees it, e.g. `"InvalidFilter"`.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidFilter => "InvalidFilter",
            ErrorCode::InvalidSelect => "InvalidSelect",
            ErrorCode::InvalidOrderBy => "InvalidOrderBy",
            ErrorCode::InvalidTop => "InvalidTop",
            ErrorCode::InvalidUpdate => "InvalidUpdate",
            ErrorCode::InvalidExtraFields => "InvalidExtraFields",
            ErrorCode::InvalidResponse => "InvalidResponse",
            ErrorCode::UnsafeNextLink => "UnsafeNextLink",
            ErrorCode::Unauthorized => "Unauthorized",
            ErrorCode::Forbidden => "Forbidden",
            ErrorCode::PreconditionFailed => "PreconditionFailed",
            ErrorCode::NotFound => "NotFound",
            ErrorCode::Throttled => "Throttled",
            ErrorCode::HttpError => "HttpError",
            ErrorCode::NetworkError => "NetworkError",
            ErrorCode::Timeout => "Timeout",
            ErrorCode::TokenError => "TokenError",
            ErrorCode::InvalidArgument => "InvalidArgument",
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
    /// Valid OData 4.01 that this library (and the referrals API) does not support: a
    /// qualified name, a cast, `$it`, a parameter alias, a JSON array, a function outside the
    /// table, ...
    Unsupported {
        /// The construct.
        span: Span,
        /// What it is, in words with backticks, e.g. "the `cast` function".
        construct: String,
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
    /// A declared extra field that cannot be used (see `extra_fields::ExtraFields::declare`).
    InvalidExtraField {
        /// The declared path as given (`""`: the declarations as a whole).
        path: String,
        /// What is wrong, in words.
        reason: String,
    },

    // ---- writes ----------------------------------------------------------------------------
    /// Changes that cannot be sent as a PATCH (code `InvalidUpdate`): an unknown or read-only
    /// path, a value of the wrong JSON type or outside its enum, a status/substatus pair or
    /// transition the API forbids, or an If-Match value that cannot be sent. Nothing was sent.
    InvalidUpdate {
        /// JSON pointer of the offending target, as the patch would name it, e.g.
        /// `/details/dealValue` or `/team/-/email` (`""`: the changes as a whole).
        path: String,
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

    // ---- HTTP ------------------------------------------------------------------------------
    /// A `nextLink` or continuation token that the client refuses to follow because the
    /// bearer token would (or could) go somewhere other than the base URL's origin: another
    /// host or port, user info (`https://api.partner.microsoft.com@evil.com/`), a
    /// protocol-relative or path-relative link, a scheme other than `http`/`https`. Nothing
    /// was sent.
    UnsafeNextLink {
        /// The link as received (truncated to 256 characters).
        url: String,
        /// Why it was refused, in words.
        reason: &'static str,
    },
    /// A referral id that cannot name a referral (empty, or containing `/`, `\`, `?`, `#`,
    /// `..`, an encoded separator or a control character). Code `InvalidArgument`: it is the
    /// caller's input. Nothing was sent.
    InvalidId {
        /// The id as given (truncated to 256 characters).
        id: String,
        /// Why it was refused, in words.
        reason: &'static str,
    },
    /// A client or request option that cannot be used (`baseUrl`, `locale`, `correlationId`).
    /// Code `InvalidArgument`: it is the caller's input. Nothing was sent.
    InvalidOption {
        /// The option's JavaScript name, e.g. `"baseUrl"`.
        name: &'static str,
        /// The value as given (truncated to 256 characters).
        value: String,
        /// Why it was refused, in words.
        reason: &'static str,
    },
    /// A non-2xx response, after every retry (and, for 401, after one token refresh). The
    /// code follows the status: 401 `Unauthorized`, 403 `Forbidden`, 404 `NotFound`,
    /// 429 `Throttled`, anything else `HttpError`.
    HttpStatus {
        /// The HTTP status of the last response.
        status: u16,
        /// Request ids, retry information and the parsed error body.
        context: Box<HttpContext>,
    },
    /// No response: DNS, connection reset, CORS, offline (after every retry).
    Network {
        /// The transport's description of the failure.
        message: String,
        /// Request ids and attempt count.
        context: Box<HttpContext>,
    },
    /// The last attempt got no response within the per-attempt time-out (after every retry).
    Timeout {
        /// Request ids and attempt count.
        context: Box<HttpContext>,
    },
    /// The token source failed or gave an empty (or unusable) token. Never contains a token.
    Token {
        /// What went wrong, in words.
        message: String,
    },
    /// A 2xx response whose body the decoder rejected (code `InvalidResponse`).
    InvalidBody {
        /// The HTTP status (2xx).
        status: u16,
        /// JSON pointer to the offending value (`""` = root).
        path: String,
        /// What is wrong, in words.
        message: String,
        /// Request ids of the response.
        context: Box<HttpContext>,
    },
    /// A response whose body is larger than its limit (`maxResponseBytes` for 2xx, a much
    /// smaller one for error bodies; code `InvalidResponse`). The read was stopped at the
    /// limit and the request is not retried: the same request gets the same body.
    BodyTooLarge {
        /// The response's status.
        status: u16,
        /// The limit in bytes.
        limit: u64,
        /// Request ids of the response.
        context: Box<HttpContext>,
    },
    /// The server returned a `nextLink` that this traversal has already fetched (code
    /// `InvalidResponse`): following it would loop forever.
    PagingLoop {
        /// The repeated link (as it would have been requested).
        url: String,
    },
    /// A traversal reached its page limit while the server still had a `nextLink` (code
    /// `InvalidResponse`). The link can be given back as a continuation token to go on.
    TooManyPages {
        /// The page limit.
        max: u32,
        /// The `nextLink` that was not followed.
        next_link: String,
    },
}

/// What is known about a failed HTTP request: the `ODataError` fields `requestId`,
/// `correlationId`, `retryAfterMs`, `details` and `serverCode`.
///
/// Never contains the bearer token: server-supplied text is scrubbed of it before it gets here.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct HttpContext {
    /// The request URL of the last attempt.
    pub url: String,
    /// The server's `request-id` (`Request-ID`) response header, when there was one.
    pub request_id: Option<String>,
    /// The GUID this client sent as `client-request-id` and `MS-RequestId`.
    pub client_request_id: String,
    /// The `MS-CorrelationId` sent.
    pub correlation_id: String,
    /// The last response's `Retry-After`, in milliseconds (seconds or HTTP date, resolved;
    /// at most 2^53 - 1, so that it is an exact JS number).
    pub retry_after_ms: Option<u64>,
    /// The server's error body, parsed: the JSON as sent, or a JSON string holding the
    /// first 4 KiB of a body that is not JSON; `None` for an empty body or no response.
    pub details: Option<serde_json::Value>,
    /// The `code` of the error body (`{"error":{"code"}}` or the flat `{"code"}` shape).
    pub server_code: Option<String>,
    /// The `message`/`description` of the error body.
    pub server_message: Option<String>,
    /// How many times the request was sent (retries and the 401 refresh included).
    pub attempts: u32,
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
            | Error::Unsupported { .. }
            | Error::UnboundVariable { .. } => ErrorCode::InvalidFilter,
            Error::InvalidSelect { .. } => ErrorCode::InvalidSelect,
            Error::InvalidOrderBy { .. } => ErrorCode::InvalidOrderBy,
            Error::InvalidTop { .. } => ErrorCode::InvalidTop,
            Error::InvalidUpdate { .. } => ErrorCode::InvalidUpdate,
            Error::InvalidExtraField { .. } => ErrorCode::InvalidExtraFields,
            Error::Decode { .. }
            | Error::InvalidBody { .. }
            | Error::BodyTooLarge { .. }
            | Error::PagingLoop { .. }
            | Error::TooManyPages { .. } => ErrorCode::InvalidResponse,
            Error::UnsafeNextLink { .. } => ErrorCode::UnsafeNextLink,
            Error::InvalidId { .. } | Error::InvalidOption { .. } => ErrorCode::InvalidArgument,
            Error::HttpStatus { status, .. } => match status {
                401 => ErrorCode::Unauthorized,
                403 => ErrorCode::Forbidden,
                404 => ErrorCode::NotFound,
                412 => ErrorCode::PreconditionFailed,
                429 => ErrorCode::Throttled,
                _ => ErrorCode::HttpError,
            },
            Error::Network { .. } => ErrorCode::NetworkError,
            Error::Timeout { .. } => ErrorCode::Timeout,
            Error::Token { .. } => ErrorCode::TokenError,
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
            | Error::Unsupported { span, .. }
            | Error::UnboundVariable { span, .. } => Some(*span),
            Error::TooLong { max, .. } => {
                let at = u32::try_from(*max).unwrap_or(u32::MAX);
                Some(Span::new(at, at))
            }
            Error::InvalidSelect { .. }
            | Error::InvalidOrderBy { .. }
            | Error::InvalidTop { .. }
            | Error::InvalidUpdate { .. }
            | Error::InvalidExtraField { .. }
            | Error::Decode { .. }
            | Error::UnsafeNextLink { .. }
            | Error::InvalidId { .. }
            | Error::InvalidOption { .. }
            | Error::HttpStatus { .. }
            | Error::Network { .. }
            | Error::Timeout { .. }
            | Error::Token { .. }
            | Error::InvalidBody { .. }
            | Error::BodyTooLarge { .. }
            | Error::PagingLoop { .. }
            | Error::TooManyPages { .. } => None,
        }
    }

    /// The JSON pointer of a decode error or of a refused write (`ODataError.path`).
    pub fn path(&self) -> Option<&str> {
        match self {
            Error::Decode { path, .. }
            | Error::InvalidBody { path, .. }
            | Error::InvalidUpdate { path, .. } => Some(path),
            _ => None,
        }
    }

    /// The HTTP status of the response that failed (`ODataError.status`); `None` when there
    /// was no response (network failure, time-out) or nothing was sent.
    pub fn status(&self) -> Option<u16> {
        match self {
            Error::HttpStatus { status, .. }
            | Error::InvalidBody { status, .. }
            | Error::BodyTooLarge { status, .. } => Some(*status),
            _ => None,
        }
    }

    /// The request context of an HTTP failure, when the error comes from a request.
    pub fn http_context(&self) -> Option<&HttpContext> {
        match self {
            Error::HttpStatus { context, .. }
            | Error::Network { context, .. }
            | Error::Timeout { context }
            | Error::InvalidBody { context, .. }
            | Error::BodyTooLarge { context, .. } => Some(context),
            _ => None,
        }
    }

    /// The server's `request-id` response header (`ODataError.requestId`).
    pub fn request_id(&self) -> Option<&str> {
        self.http_context().and_then(|c| c.request_id.as_deref())
    }

    /// The `MS-CorrelationId` the failed request carried (`ODataError.correlationId`).
    pub fn correlation_id(&self) -> Option<&str> {
        self.http_context().map(|c| c.correlation_id.as_str())
    }

    /// The last response's `Retry-After` in milliseconds (`ODataError.retryAfterMs`).
    pub fn retry_after_ms(&self) -> Option<u64> {
        self.http_context().and_then(|c| c.retry_after_ms)
    }

    /// The server's error body, parsed (`ODataError.details`).
    pub fn details(&self) -> Option<&serde_json::Value> {
        self.http_context().and_then(|c| c.details.as_ref())
    }

    /// The `code` of the server's error body (`ODataError.serverCode`).
    pub fn server_code(&self) -> Option<&str> {
        self.http_context().and_then(|c| c.server_code.as_deref())
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
            | Error::Unsupported { span, .. }
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

/// How many characters of the server's code and message an error's message quotes (the whole
/// error body stays in `details`), so that no message is longer than a few KiB.
const MAX_SERVER_TEXT: usize = 1024;

fn server_said(f: &mut fmt::Formatter<'_>, context: &HttpContext) -> fmt::Result {
    let cut = |text: &Option<String>| {
        text.as_deref().map(|text| match text.char_indices().nth(MAX_SERVER_TEXT) {
            Some((at, _)) => format!("{}…", &text[..at]),
            None => text.to_string(),
        })
    };
    match (&cut(&context.server_code), &cut(&context.server_message)) {
        (Some(code), Some(message)) => write!(f, " (`{code}`: {message})"),
        (Some(code), None) => write!(f, " (`{code}`)"),
        (None, Some(message)) => write!(f, " ({message})"),
        (None, None) => Ok(()),
    }
}

fn attempts(f: &mut fmt::Formatter<'_>, context: &HttpContext) -> fmt::Result {
    if context.attempts > 1 {
        write!(f, " after {} attempts", context.attempts)?;
    }
    Ok(())
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
            Error::Unsupported { construct, .. } => write!(
                f,
                "{construct} is valid OData, but this library (like the referrals API) does not support it"
            )?,
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
            Error::InvalidExtraField { path, reason } if path.is_empty() => {
                write!(f, "invalid extra fields: {reason}")?
            }
            Error::InvalidExtraField { path, reason } => {
                write!(f, "invalid extra field `{path}`: {reason}")?
            }
            Error::Decode { path, message } | Error::InvalidUpdate { path, message } => {
                if path.is_empty() {
                    write!(f, "{message}")?
                } else {
                    write!(f, "{message} at `{path}`")?
                }
            }
            Error::UnsafeNextLink { url, reason } => {
                write!(f, "refusing to follow next link `{url}`: {reason}")?
            }
            Error::InvalidId { id, reason } => {
                write!(f, "`{id}` is not a valid referral id: {reason}")?
            }
            Error::InvalidOption { name, value, reason } => {
                write!(f, "invalid `{name}` `{value}`: {reason}")?
            }
            Error::HttpStatus { status, context } => {
                write!(f, "the server answered with status {status}")?;
                if *status == 401 {
                    f.write_str(", also after a token refresh")?;
                }
                if *status == 412 {
                    f.write_str(": the referral changed since its eTag was read")?;
                }
                server_said(f, context)?;
                attempts(f, context)?;
            }
            Error::Network { message, context } => {
                write!(f, "network failure: {message}")?;
                attempts(f, context)?;
            }
            Error::Timeout { context } => {
                f.write_str("no response within the time-out")?;
                attempts(f, context)?;
            }
            Error::Token { message } => write!(f, "could not get an access token: {message}")?,
            Error::InvalidBody { status, path, message, .. } => {
                if path.is_empty() {
                    write!(f, "{message} in a response with status {status}")?
                } else {
                    write!(f, "{message} at `{path}` in a response with status {status}")?
                }
            }
            Error::BodyTooLarge { status, limit, .. } if (200..300).contains(status) => write!(
                f,
                "the response body is larger than maxResponseBytes ({limit} bytes); \
                 reading stopped there"
            )?,
            Error::BodyTooLarge { status, limit, .. } => write!(
                f,
                "the server answered with status {status} and an error body larger than \
                 {limit} bytes; reading stopped there"
            )?,
            Error::PagingLoop { url } => {
                write!(f, "the server sent the next link `{url}` again; stopping to avoid a loop")?
            }
            Error::TooManyPages { max, next_link } => write!(
                f,
                "stopped after {max} pages; pass `{next_link}` as continuation token to go on"
            )?,
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
                "InvalidUpdate",
                "InvalidExtraFields",
                "InvalidResponse",
                "UnsafeNextLink",
                "Unauthorized",
                "Forbidden",
                "PreconditionFailed",
                "NotFound",
                "Throttled",
                "HttpError",
                "NetworkError",
                "Timeout",
                "TokenError",
                "InvalidArgument",
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

    #[test]
    fn http_errors_take_their_code_from_the_status() {
        let ctx = || Box::new(HttpContext { correlation_id: "c".into(), ..HttpContext::default() });
        let cases = [
            (401, ErrorCode::Unauthorized),
            (403, ErrorCode::Forbidden),
            (404, ErrorCode::NotFound),
            (412, ErrorCode::PreconditionFailed),
            (429, ErrorCode::Throttled),
            (500, ErrorCode::HttpError),
            (503, ErrorCode::HttpError),
        ];
        for (status, code) in cases {
            let e = Error::HttpStatus { status, context: ctx() };
            assert_eq!((e.code(), e.status(), e.span()), (code, Some(status), None));
            assert_eq!(e.correlation_id(), Some("c"));
        }
        let e = Error::HttpStatus { status: 412, context: ctx() };
        assert_eq!(
            e.to_string(),
            "the server answered with status 412: the referral changed since its eTag was read"
        );
        let e = Error::Timeout { context: ctx() };
        assert_eq!((e.code(), e.status()), (ErrorCode::Timeout, None));
        assert_eq!(e.to_string(), "no response within the time-out");
        let e = Error::Network { message: "offline".into(), context: ctx() };
        assert_eq!(e.code(), ErrorCode::NetworkError);
        assert_eq!(Error::Token { message: "x".into() }.code(), ErrorCode::TokenError);
        let e = Error::InvalidId { id: "a/b".into(), reason: "it contains a path separator" };
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        assert_eq!(e.to_string(), "`a/b` is not a valid referral id: it contains a path separator");
        assert_eq!(Error::PagingLoop { url: "u".into() }.code(), ErrorCode::InvalidResponse);
        assert_eq!(e.correlation_id(), None);
    }

    #[test]
    fn http_errors_keep_result_small() {
        // The HTTP payloads are boxed: adding them did not grow the enum.
        assert!(std::mem::size_of::<Error>() <= 80, "{}", std::mem::size_of::<Error>());
    }
}
