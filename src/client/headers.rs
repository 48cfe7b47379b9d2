//! Partner REST request headers and the response headers the client reads (docs/contract.md,
//! "HTTP"; docs/partner-api.md 3). Pure string work; imports only `transport::find_header`.

use super::transport::find_header;

/// `Authorization: Bearer <token>`.
pub const AUTHORIZATION: &str = "Authorization";
/// `Accept: application/json`.
pub const ACCEPT: &str = "Accept";
/// The Partner API's per-request id (docs/partner-api.md 3).
pub const CLIENT_REQUEST_ID: &str = "client-request-id";
/// The Partner Center REST per-request id (docs/partner-api.md 3b); the same value as
/// `client-request-id`.
pub const MS_REQUEST_ID: &str = "MS-RequestId";
/// One id for a whole traversal (or the caller's).
pub const MS_CORRELATION_ID: &str = "MS-CorrelationId";
/// The caller's locale, only when set.
pub const X_LOCALE: &str = "X-Locale";
/// The media type of a write's body (`application/json`, as the API documents).
pub const CONTENT_TYPE: &str = "Content-Type";
/// Asks a `PATCH` to answer with the updated referral instead of `204 No Content`.
pub const PREFER: &str = "Prefer";
/// The concurrency check of a write: the referral's `eTag`.
pub const IF_MATCH: &str = "If-Match";
/// The response header with the server's request id (`request-id`, `Request-ID`).
pub const REQUEST_ID: &str = "request-id";
/// The response header with the server's wait hint.
pub const RETRY_AFTER: &str = "Retry-After";

/// The headers of one attempt, in this order: `Authorization`, `Accept`, `client-request-id`,
/// `MS-RequestId`, `MS-CorrelationId`, then `X-Locale` when `locale` is set.
///
/// `request_id` is the same for every retry of one request; `correlation_id` the same for a
/// whole traversal. No `Content-Type`: requests have no body, and a GET with `Content-Type`
/// costs a CORS preflight for nothing.
///
/// ```
/// # use partner_referrals::client::request_headers;
/// let h = request_headers("t0k", "rid", "cid", Some("de-DE"));
/// assert_eq!(h[0], ("Authorization".to_string(), "Bearer t0k".to_string()));
/// assert_eq!(h.len(), 6);
/// ```
pub fn request_headers(
    token: &str,
    request_id: &str,
    correlation_id: &str,
    locale: Option<&str>,
) -> Vec<(String, String)> {
    let mut headers = vec![
        (AUTHORIZATION.to_string(), format!("Bearer {token}")),
        (ACCEPT.to_string(), "application/json".to_string()),
        (CLIENT_REQUEST_ID.to_string(), request_id.to_string()),
        (MS_REQUEST_ID.to_string(), request_id.to_string()),
        (MS_CORRELATION_ID.to_string(), correlation_id.to_string()),
    ];
    if let Some(locale) = locale {
        headers.push((X_LOCALE.to_string(), locale.to_string()));
    }
    headers
}

/// The headers a `PATCH` adds to [`request_headers`]: `Content-Type: application/json`,
/// `Prefer: return=representation`, and `If-Match` when `if_match` is given.
pub fn write_headers(headers: &mut Vec<(String, String)>, if_match: Option<&str>) {
    headers.push((CONTENT_TYPE.to_string(), "application/json".to_string()));
    headers.push((PREFER.to_string(), "return=representation".to_string()));
    if let Some(tag) = if_match {
        headers.push((IF_MATCH.to_string(), tag.to_string()));
    }
}

/// The server's request id from a response's headers (`request-id`, any case), trimmed;
/// `None` when absent or blank.
pub fn response_request_id(headers: &[(String, String)]) -> Option<&str> {
    find_header(headers, REQUEST_ID).map(str::trim).filter(|v| !v.is_empty())
}

/// Whether `value` can be sent as a header value unchanged: 1 to 256 visible ASCII characters
/// or inner spaces (no control characters, no line breaks, no leading or trailing space).
pub fn is_header_safe(value: &str) -> bool {
    let b = value.as_bytes();
    !b.is_empty()
        && b.len() <= 256
        && b.iter().all(|&c| c == b' ' || c.is_ascii_graphic())
        && b[0] != b' '
        && b[b.len() - 1] != b' '
}

/// Checks a token from the token source: surrounding ASCII whitespace is trimmed (a token read
/// from a file often ends in a newline), and what is left must be non-empty visible ASCII
/// (JWTs are base64url and dots). The error text never contains the token.
pub fn clean_token(raw: &str) -> Result<&str, &'static str> {
    let token = raw.trim_matches(|c: char| c.is_ascii_whitespace());
    if token.is_empty() {
        return Err("the token source returned an empty token");
    }
    if !token.bytes().all(|c| c.is_ascii_graphic()) {
        return Err("the token contains characters that cannot be sent in a header");
    }
    Ok(token)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn headers_without_locale_have_no_x_locale() {
        let h = request_headers("t", "r", "c", None);
        let names: Vec<&str> = h.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(
            names,
            ["Authorization", "Accept", "client-request-id", "MS-RequestId", "MS-CorrelationId"]
        );
        assert_eq!(h[2].1, "r");
        assert_eq!(h[3].1, "r");
        assert_eq!(h[4].1, "c");
    }

    #[test]
    fn request_id_is_read_in_any_case() {
        let h = vec![("Request-ID".to_string(), " abc ".to_string())];
        assert_eq!(response_request_id(&h), Some("abc"));
        let h = vec![("request-id".to_string(), "  ".to_string())];
        assert_eq!(response_request_id(&h), None);
        assert_eq!(response_request_id(&[]), None);
    }

    #[test]
    fn tokens_are_trimmed_and_checked() {
        assert_eq!(clean_token("abc.def\n"), Ok("abc.def"));
        assert!(clean_token("").is_err());
        assert!(clean_token(" \r\n").is_err());
        let err = clean_token("abc\r\nX-Evil: 1").unwrap_err();
        assert!(!err.contains("abc"));
        assert!(clean_token("ab cd").is_err());
        assert!(clean_token("tökén").is_err());
    }

    #[test]
    fn header_safety() {
        assert!(is_header_safe("en-US"));
        assert!(is_header_safe("my app run 42"));
        assert!(!is_header_safe(""));
        assert!(!is_header_safe(" x"));
        assert!(!is_header_safe("x\r\nSet-Cookie: a"));
        assert!(!is_header_safe(&"x".repeat(257)));
        assert!(!is_header_safe("é"));
    }
}
