//! Server error bodies → `details`, `serverCode` and a message (partner-api.md section 4).
//!
//! Two shapes are documented: the Partner API's `{"error":{"code","message","target",
//! "innerError"}}` and Partner Center's flat `{"code","description"|"message",…}`. Both are
//! read; anything else is kept in `details` without a code. Imports only `serde_json`.

use serde_json::Value;

/// How much of a body that is not JSON is kept in `details` (bytes, cut at a char boundary).
pub const MAX_TEXT_DETAILS: usize = 4096;

/// What an error body says.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct ServerError {
    /// The body, parsed: the JSON as sent, or (for a body that is not JSON, e.g. a gateway's
    /// HTML page) a JSON string with its first [`MAX_TEXT_DETAILS`] bytes. `None` when empty.
    pub details: Option<Value>,
    /// `error.code` or the flat `code` (a number is given as its decimal text), or the OAuth
    /// style `{"error":"invalid_token"}` string. Case is kept as sent: compare
    /// case-insensitively (the docs spell `unAuthorized` and `unauthenticated`).
    pub code: Option<String>,
    /// `error.message`, or the flat `message`/`description`/`error_description`.
    pub message: Option<String>,
}

/// Reads an error body in any of the documented shapes. Never fails.
///
/// ```
/// # use partner_referrals::client::parse_error_body;
/// let e = parse_error_body(r#"{"error":{"code":"itemNotFound","message":"no such referral"}}"#);
/// assert_eq!(e.code.as_deref(), Some("itemNotFound"));
/// let e = parse_error_body(r#"{"code":600,"description":"bad input","data":[],"source":"PartnerFD"}"#);
/// assert_eq!((e.code.as_deref(), e.message.as_deref()), (Some("600"), Some("bad input")));
/// ```
pub fn parse_error_body(body: &str) -> ServerError {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return ServerError::default();
    }
    let Ok(json) = serde_json::from_str::<Value>(trimmed) else {
        let mut end = trimmed.len().min(MAX_TEXT_DETAILS);
        while !trimmed.is_char_boundary(end) {
            end -= 1;
        }
        return ServerError {
            details: Some(Value::String(trimmed[..end].to_string())),
            ..ServerError::default()
        };
    };
    let (code, message) = match &json {
        Value::Object(map) => match map.get("error") {
            Some(Value::Object(inner)) => (text(inner.get("code")), text(inner.get("message"))),
            Some(Value::String(code)) => (Some(code.clone()), text(map.get("error_description"))),
            _ => (
                text(map.get("code")),
                text(map.get("message")).or_else(|| text(map.get("description"))),
            ),
        },
        _ => (None, None),
    };
    ServerError { details: Some(json), code, message }
}

/// A string, or a number as its decimal text; blank strings count as absent.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn nested_shape() {
        let body = r#"{"error":{"code":"unAuthorized","message":"Token expired","target":"referral",
                       "innerError":{"code":"tokenExpired","message":"…"}}}"#;
        let e = parse_error_body(body);
        assert_eq!(e.code.as_deref(), Some("unAuthorized"));
        assert_eq!(e.message.as_deref(), Some("Token expired"));
        assert_eq!(e.details.unwrap()["error"]["innerError"]["code"], "tokenExpired");
    }

    #[test]
    fn flat_shapes() {
        let e = parse_error_body(r#"{"code":"2000","description":"Invalid input","data":[]}"#);
        assert_eq!(
            (e.code.as_deref(), e.message.as_deref()),
            (Some("2000"), Some("Invalid input"))
        );
        let e = parse_error_body(r#"{"code":"x","message":"m","description":"d"}"#);
        assert_eq!(e.message.as_deref(), Some("m"));
        // The throttling example has no code at all.
        let e = parse_error_body(
            r#"{"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."}"#,
        );
        assert_eq!(e.code, None);
        assert_eq!(e.message.as_deref(), Some("Rate limit is exceeded. Try again in 57 seconds."));
        assert_eq!(
            e.details,
            Some(
                json!({"statusCode":429,"message":"Rate limit is exceeded. Try again in 57 seconds."})
            )
        );
    }

    #[test]
    fn oauth_shape() {
        let e = parse_error_body(r#"{"error":"invalid_token","error_description":"expired"}"#);
        assert_eq!(
            (e.code.as_deref(), e.message.as_deref()),
            (Some("invalid_token"), Some("expired"))
        );
    }

    #[test]
    fn other_bodies() {
        assert_eq!(parse_error_body("  "), ServerError::default());
        let e = parse_error_body("<html>Bad gateway</html>");
        assert_eq!(e.details, Some(json!("<html>Bad gateway</html>")));
        assert_eq!(e.code, None);
        let e = parse_error_body(&"é".repeat(5000));
        let Some(Value::String(s)) = e.details else { panic!("not text") };
        assert!(s.len() <= MAX_TEXT_DETAILS && s.len() >= MAX_TEXT_DETAILS - 1);
        let e = parse_error_body("[1,2]");
        assert_eq!((e.details, e.code), (Some(json!([1, 2])), None));
        let e = parse_error_body(r#"{"error":{"code":"","message":null}}"#);
        assert_eq!((e.code, e.message), (None, None));
    }

    #[test]
    fn deeply_nested_bodies_do_not_crash() {
        let body = "[".repeat(100_000);
        let e = parse_error_body(&body);
        assert!(matches!(e.details, Some(Value::String(_))));
    }
}
