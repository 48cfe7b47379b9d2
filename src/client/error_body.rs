//! Server error bodies → `details`, `serverCode` and a message (docs/partner-api.md 4).
//!
//! Two shapes are documented: the Partner API's `{"error":{"code","message","target",
//! "innerError"}}` and Partner Center's flat `{"code","description"|"message",…}`. Both are
//! read; anything else is kept in `details` without a code. The body is read with
//! [`crate::json`] (the `Value` serde_json would build, without its parser in the wasm).
//! Imports only `serde_json` (its `Value`), `json` and the client's `redact`.

use serde_json::Value;

use super::redact::{redact_json, redact_text};

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
    read_error_body(body, &[])
}

/// [`parse_error_body`], then every one of `tokens` removed from what it read, in whatever
/// escaping the server used ([`redact_text`], [`redact_json`]). The body is parsed first, so
/// `code` and `message` are found by the body's own keys, and then the token is removed from
/// every string and key: a short token cannot turn `"error"` into `"[redacted]rror"` and lose
/// the code. A body that is not JSON is redacted whole, then cut to [`MAX_TEXT_DETAILS`].
///
/// ```
/// # use partner_referrals::client::read_error_body;
/// let tokens = ["abc/def+ghi".to_string()];
/// let e = read_error_body(r#"{"error":{"code":"bad","message":"abc\/def\u002Bghi"}}"#, &tokens);
/// assert_eq!((e.code.as_deref(), e.message.as_deref()), (Some("bad"), Some("[redacted]")));
/// ```
pub fn read_error_body(body: &str, tokens: &[String]) -> ServerError {
    let trimmed = body.trim();
    if trimmed.is_empty() {
        return ServerError::default();
    }
    let Ok(json) = crate::json::from_str(trimmed) else {
        let text = redact_text(trimmed, tokens);
        let mut end = text.len().min(MAX_TEXT_DETAILS);
        while !text.is_char_boundary(end) {
            end -= 1;
        }
        return ServerError {
            details: Some(Value::String(text[..end].to_string())),
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
    let clean = |s: String| redact_text(&s, tokens).into_owned();
    ServerError {
        details: Some(redact_json(json, tokens)),
        code: code.map(clean),
        message: message.map(clean),
    }
}

/// A string, or a number as its decimal text; blank strings count as absent.
fn text(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => match (n.as_u64(), n.as_i64(), n.as_f64()) {
            (Some(u), _, _) => Some(u.to_string()),
            (None, Some(i), _) => Some(i.to_string()),
            (None, None, f) => float_text(f?),
        },
        _ => None,
    }
}

/// What `serde_json::Number::to_string` prints for a float (zmij's layout: `1.5`, `100.0`,
/// `0.00001`, `1e+16`, `-1.5e-6`), laid out here from the platform's shortest digits
/// ([`crate::platform::format_f64`]): `Number`'s own `Display` would link zmij (its code and
/// tables, about 1.2 KiB of wasm gzip) for a code nobody sends as a float.
/// `None` only where the platform cannot print the number (a `wasm32` build without the JS
/// glue, for a number that is not an integer).
fn float_text(f: f64) -> Option<String> {
    // std's `{:e}`: `-1.5e-7`, `1e16`, `0e0`.
    let scientific = crate::platform::format_f64(f, true)?;
    let (mantissa, exponent) = scientific.split_once('e')?;
    let exponent: i32 = exponent.parse().ok()?;
    let (mut out, mantissa) = match mantissa.strip_prefix('-') {
        Some(rest) => (String::from("-"), rest),
        None => (String::new(), mantissa),
    };
    let mut digits: String = mantissa.chars().filter(|c| *c != '.').collect();
    if digits == "0" {
        out.push_str("0.0");
        return Some(out);
    }
    // Where the number is exactly halfway between two shortest candidates, std (and so the
    // platform) takes the upper one, zmij the even one. `D` odd and above 1, so `D - 1` has
    // as many digits and the same exponent.
    let d: u64 = digits.parse().ok()?;
    let q = exponent - (digits.len() as i32 - 1);
    if d % 2 == 1 && d > 1 && crate::platform::is_exactly(f.abs(), 10 * d - 5, q - 1) {
        digits = (d - 1).to_string().trim_end_matches('0').to_string();
    }
    let last = digits.len() as i32 - 1;
    if (-5..=15).contains(&exponent) {
        if exponent >= last {
            out.push_str(&digits);
            out.extend(std::iter::repeat('0').take((exponent - last) as usize));
            out.push_str(".0");
        } else if exponent >= 0 {
            let (int, frac) = digits.split_at(exponent as usize + 1);
            out.push_str(int);
            out.push('.');
            out.push_str(frac);
        } else {
            out.push_str("0.");
            out.extend(std::iter::repeat('0').take((-exponent - 1) as usize));
            out.push_str(&digits);
        }
    } else {
        let (first, rest) = digits.split_at(1);
        out.push_str(first);
        if !rest.is_empty() {
            out.push('.');
            out.push_str(rest);
        }
        out.push_str(if exponent < 0 { "e-" } else { "e+" });
        out.push_str(&exponent.unsigned_abs().to_string());
    }
    Some(out)
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
    fn numeric_codes_read_as_serde_json_prints_them() {
        let e = parse_error_body(r#"{"code":600,"description":"d"}"#);
        assert_eq!(e.code.as_deref(), Some("600"));
        let e = parse_error_body(r#"{"error":{"code":-12,"message":"m"}}"#);
        assert_eq!(e.code.as_deref(), Some("-12"));
        let e = parse_error_body(r#"{"code":18446744073709551615}"#);
        assert_eq!(e.code.as_deref(), Some("18446744073709551615"));
        let e = parse_error_body(r#"{"code":1.5e3}"#);
        assert_eq!(e.code.as_deref(), Some("1500.0"));
        let e = parse_error_body(r#"{"code":-2.5e-7}"#);
        assert_eq!(e.code.as_deref(), Some("-2.5e-7"));
    }

    /// `float_text` is `Number::to_string` for every float: edge cases, every layout
    /// boundary, and a deterministic spread of bit patterns.
    #[test]
    fn float_text_is_serde_json_display() {
        let mut values = vec![
            0.0,
            -0.0,
            1.0,
            -1.0,
            0.1,
            0.3,
            0.1 + 0.2,
            1.5,
            123456.789,
            5e-324,
            f64::MIN_POSITIVE,
            f64::MAX,
            f64::MIN,
            f64::EPSILON,
            9007199254740993.0,
            1.0432433495840881e210,
        ];
        for e in -20..=20 {
            let p = 10f64.powi(e);
            values.extend([p, 1.5 * p, 1.2345678901234567 * p, 9.999999999999999 * p, -p]);
        }
        // Ties at 17 digits: between 2^49 and 2^51 a float is a multiple of 0.125 or 0.25.
        values.extend((0..2000).map(|i| 1.6582067800885623e15 + f64::from(i) * 0.25));
        values.extend((0..2000).map(|i| 7.123456789012345e14 + f64::from(i) * 0.125));
        let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
        for _ in 0..200_000 {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            values.push(f64::from_bits(x));
        }
        for f in values.into_iter().filter(|f| f.is_finite()) {
            let expected = serde_json::Number::from_f64(f).unwrap().to_string();
            assert_eq!(float_text(f).as_deref(), Some(expected.as_str()), "{f:e}");
        }
    }

    #[test]
    fn deeply_nested_bodies_do_not_crash() {
        let body = "[".repeat(100_000);
        let e = parse_error_body(&body);
        assert!(matches!(e.details, Some(Value::String(_))));
    }
}
