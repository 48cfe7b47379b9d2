//! The token never leaves in an error, whatever form a server echoes it in (property tests,
//! native only: proptest's RNG does not build for wasm32).
//!
//! A fake server echoes the client's tokens (the current one and one of an earlier call) into
//! error bodies (values and keys, nested, in every JSON escape form, percent-encoded, once or
//! twice, cased, as HTML references), into the `request-id` header, into a `nextLink` and into
//! a page the decoder quotes. Everything reachable from the error (`Display`, `Debug`, details,
//! `serverCode`, `requestId`) is then searched for the token in every form; and what the server
//! said apart from the token must survive unchanged, also for a token as short as `e`.
#![cfg(not(target_arch = "wasm32"))]

mod common;
use common::block_on;

use std::cell::RefCell;
use std::collections::VecDeque;
use std::time::Duration;

use partner_referrals::client::{
    read_error_body, redact_text, Client, ClientOptions, Entropy, HttpRequest, HttpResponse,
    ReferralDecoder, RequestOptions, RetryPolicy, TokenSource, Transport, TransportFailure,
};
use partner_referrals::{Error, ErrorCode};
use proptest::prelude::*;
use serde_json::{json, Value};

// ---- driving futures and fakes -----------------------------------------------------------

type Reply = Result<HttpResponse, TransportFailure>;

#[derive(Default)]
struct Script(RefCell<VecDeque<Reply>>);

impl Transport for Script {
    async fn send(&self, _: &HttpRequest) -> Reply {
        self.0.borrow_mut().pop_front().expect("the script ran out of responses")
    }
    async fn sleep(&self, _: Duration) {}
    fn now_unix_millis(&self) -> i64 {
        0
    }
}

/// Hands out its tokens in order, the last one for ever.
struct Tokens(RefCell<VecDeque<String>>);

impl TokenSource for Tokens {
    async fn token(&self, _: bool) -> Result<String, String> {
        let mut tokens = self.0.borrow_mut();
        if tokens.len() > 1 {
            Ok(tokens.pop_front().unwrap())
        } else {
            tokens.front().cloned().ok_or_else(|| "no token".to_string())
        }
    }
}

struct Zero;
impl Entropy for Zero {
    fn next_u64(&self) -> u64 {
        7
    }
}

type TestClient = Client<Script, Tokens, Zero, ReferralDecoder>;

fn client(tokens: &[&str], script: Vec<Reply>) -> TestClient {
    let options =
        ClientOptions { retry: RetryPolicy::default().with_max_retries(0), ..Default::default() };
    let tokens = Tokens(RefCell::new(tokens.iter().map(|t| t.to_string()).collect()));
    Client::new(options, Script(RefCell::new(script.into())), tokens, Zero, ReferralDecoder)
        .unwrap()
}

fn response(status: u16, headers: &[(&str, &str)], body: &str) -> Reply {
    Ok(HttpResponse {
        status,
        headers: headers.iter().map(|(k, v)| (k.to_string(), v.to_string())).collect(),
        body: body.to_string(),
    })
}

const OK_PAGE: &str = r#"{"value":[]}"#;
const ID: &str = "c5fbb3b6-be74-4795-9fb5-4324c73fed37";

// ---- echo forms --------------------------------------------------------------------------

/// How a server may write a token back.
#[derive(Debug, Clone, Copy)]
enum Form {
    Raw,
    /// `\/` for `/` (PHP's `json_encode` default).
    SlashEscaped,
    /// `\uXXXX` for the characters picked by the mask (bit i for character i mod 64; all
    /// non-ASCII ones as surrogate pairs where needed); `upper` hex digits or lower.
    Unicode {
        mask: u64,
        upper: bool,
    },
    /// `\u002B` for `+` and the like: what .NET's encoder escapes (`+`, `<`, `>`, `&`, `'`).
    DotNet,
    /// Percent-encoding of every byte picked by the mask (non-ASCII: all bytes).
    Percent {
        mask: u64,
        upper: bool,
    },
    /// Percent-encoding of every non-alphanumeric byte, twice (`%252F`).
    PercentTwice,
    Upper,
    Lower,
    /// `&#NN;` for every character picked by the mask.
    Html {
        mask: u64,
    },
    /// Each character its own way (two bits of the seed each): as is, percent-encoded,
    /// `\uXXXX` (in JSON) or `&#xHH;`.
    Mixed {
        seed: u64,
    },
}

fn form() -> impl Strategy<Value = Form> {
    prop_oneof![
        Just(Form::Raw),
        Just(Form::SlashEscaped),
        (any::<u64>(), any::<bool>()).prop_map(|(mask, upper)| Form::Unicode { mask, upper }),
        any::<bool>().prop_map(|upper| Form::Unicode { mask: u64::MAX, upper }),
        Just(Form::DotNet),
        (any::<u64>(), any::<bool>()).prop_map(|(mask, upper)| Form::Percent { mask, upper }),
        Just(Form::PercentTwice),
        Just(Form::Upper),
        Just(Form::Lower),
        any::<u64>().prop_map(|mask| Form::Html { mask }),
        any::<u64>().prop_map(|seed| Form::Mixed { seed }),
    ]
}

fn picked(mask: u64, i: usize) -> bool {
    mask >> (i % 64) & 1 == 1
}

fn hex(n: u32, width: usize, upper: bool) -> String {
    if upper {
        format!("{n:0width$X}")
    } else {
        format!("{n:0width$x}")
    }
}

fn unicode_escape(c: char, upper: bool) -> String {
    let mut units = [0u16; 2];
    c.encode_utf16(&mut units)
        .iter()
        .map(|u| format!("\\u{}", hex(u32::from(*u), 4, upper)))
        .collect()
}

fn percent(c: char, upper: bool) -> String {
    let mut bytes = [0u8; 4];
    c.encode_utf8(&mut bytes).bytes().map(|b| format!("%{}", hex(u32::from(b), 2, upper))).collect()
}

/// JSON string content for `c` where the form leaves it as is (quotes and backslashes must be
/// escaped to stay JSON; control characters too).
fn json_plain(c: char) -> String {
    match c {
        '"' => "\\\"".to_string(),
        '\\' => "\\\\".to_string(),
        c if (c as u32) < 0x20 => unicode_escape(c, false),
        c => c.to_string(),
    }
}

/// The token as the server writes it in the form; `in_json`: as the content of a JSON string
/// literal (the result is pasted between quotes).
fn echo(token: &str, form: Form, in_json: bool) -> String {
    let plain = |c: char| if in_json { json_plain(c) } else { c.to_string() };
    let mut out = String::new();
    for (i, c) in token.chars().enumerate() {
        let piece = match form {
            Form::Raw => plain(c),
            Form::SlashEscaped if c == '/' && in_json => "\\/".to_string(),
            Form::SlashEscaped => plain(c),
            Form::Unicode { mask, upper } if in_json && (picked(mask, i) || !c.is_ascii()) => {
                unicode_escape(c, upper)
            }
            Form::Unicode { .. } => plain(c),
            Form::DotNet if in_json && "+<>&'".contains(c) => unicode_escape(c, true),
            Form::DotNet => plain(c),
            Form::Percent { mask, upper } if picked(mask, i) || !c.is_ascii() => percent(c, upper),
            Form::Percent { .. } => plain(c),
            Form::PercentTwice if !c.is_ascii_alphanumeric() => {
                percent(c, true).replace('%', "%25")
            }
            Form::PercentTwice => plain(c),
            // Servers and proxies re-case ASCII (header names and values, hex digits).
            Form::Upper => plain(c.to_ascii_uppercase()),
            Form::Lower => plain(c.to_ascii_lowercase()),
            Form::Html { mask } if picked(mask, i) => format!("&#{};", c as u32),
            Form::Html { .. } => plain(c),
            Form::Mixed { seed } => match seed >> (2 * (i % 32)) & 3 {
                1 => percent(c, i % 2 == 0),
                2 if in_json => unicode_escape(c, i % 3 == 0),
                3 => format!("&#x{:X};", c as u32),
                _ => plain(c),
            },
        };
        out.push_str(&piece);
    }
    out
}

/// Bearer tokens as a header can carry them (visible ASCII), heavy in what escaping changes.
fn token() -> impl Strategy<Value = String> {
    let special =
        prop::sample::select(vec!['/', '+', '=', '.', '-', '_', '~', '%', '\\', '"', '&', '<']);
    let letter =
        prop::sample::select(('a'..='z').chain('A'..='Z').chain('0'..='9').collect::<Vec<_>>());
    let visible = (0x21u8..0x7f).prop_map(char::from);
    prop::collection::vec(prop_oneof![3 => letter, 2 => special, 1 => visible], 8..48)
        .prop_map(String::from_iter)
}

/// Any token text, non-ASCII included (the redactor's own property: `Client` only ever sends
/// visible ASCII tokens, which `clean_token` checks).
fn any_token() -> impl Strategy<Value = String> {
    let special = prop::sample::select(vec!['/', '+', '=', 'é', 'ß', '€', '😀', '東', 'İ', 'K']);
    prop::collection::vec(
        prop_oneof![2 => any::<char>(), 2 => special, 3 => prop::char::range('a', 'z')],
        8..32,
    )
    .prop_map(String::from_iter)
}

/// Text around an echo: words, punctuation, nothing.
fn filler() -> impl Strategy<Value = String> {
    prop::sample::select(vec![
        "",
        " ",
        "Bearer ",
        "token=",
        "invalid token: ",
        "x",
        "\"",
        "…",
        "/",
        "%",
    ])
    .prop_map(str::to_string)
}

// ---- searching for a token in every form -------------------------------------------------

/// Decodes one level of JSON escapes (`\/`, `\\`, `\"`, `\uXXXX`), percent-encoding and
/// numeric HTML references, the test's own decoder (lossy: invalid sequences are kept).
fn decode_once(s: &str) -> String {
    let chars: Vec<char> = s.chars().collect();
    let mut units: Vec<u16> = Vec::new();
    let mut bytes: Vec<u8> = Vec::new();
    let mut out = String::new();
    let flush_bytes = |bytes: &mut Vec<u8>, out: &mut String| {
        out.push_str(&String::from_utf8_lossy(bytes));
        bytes.clear();
    };
    let flush_units = |units: &mut Vec<u16>, out: &mut String| {
        out.push_str(&String::from_utf16_lossy(units));
        units.clear();
    };
    let hex_at = |at: usize, n: usize| -> Option<u32> {
        let digits: String = chars.get(at..at + n)?.iter().collect();
        u32::from_str_radix(&digits, 16)
            .ok()
            .filter(|_| digits.chars().all(|c| c.is_ascii_hexdigit()))
    };
    let mut i = 0;
    while i < chars.len() {
        if chars[i] == '%' {
            if let Some(b) = hex_at(i + 1, 2) {
                flush_units(&mut units, &mut out);
                bytes.push(b as u8);
                i += 3;
                continue;
            }
        }
        flush_bytes(&mut bytes, &mut out);
        if chars[i] == '\\' && matches!(chars.get(i + 1), Some('u' | 'U')) {
            if let Some(u) = hex_at(i + 2, 4) {
                units.push(u as u16);
                i += 6;
                continue;
            }
        }
        flush_units(&mut units, &mut out);
        if chars[i] == '\\' && matches!(chars.get(i + 1), Some('/' | '\\' | '"')) {
            out.push(chars[i + 1]);
            i += 2;
            continue;
        }
        if chars[i] == '&' && chars.get(i + 1) == Some(&'#') {
            let end = chars[i..].iter().position(|c| *c == ';').map(|p| p + i);
            if let Some(end) = end.filter(|e| *e > i + 2 && *e < i + 12) {
                let n: String = chars[i + 2..end].iter().collect();
                if let Some(c) = n.parse::<u32>().ok().and_then(char::from_u32) {
                    out.push(c);
                    i = end + 1;
                    continue;
                }
            }
        }
        out.push(chars[i]);
        i += 1;
    }
    flush_bytes(&mut bytes, &mut out);
    flush_units(&mut units, &mut out);
    out
}

/// Where `token` shows up in `text` in any form (up to three levels of decoding, any case).
fn finds(text: &str, token: &str) -> bool {
    let token = token.to_lowercase();
    let mut level = text.to_string();
    for _ in 0..4 {
        if level.to_lowercase().contains(&token) {
            return true;
        }
        level = decode_once(&level);
    }
    false
}

/// Every text reachable from an error: its message, its `Debug`, and each field.
fn reachable(err: &Error) -> Vec<String> {
    let mut out = vec![err.to_string(), format!("{err:?}")];
    out.extend(err.details().map(|d| d.to_string()));
    out.extend(err.details().map(|d| format!("{d:?}")));
    out.extend(err.server_code().map(str::to_string));
    out.extend(err.request_id().map(str::to_string));
    out.extend(err.path().map(str::to_string));
    out
}

fn assert_no_token(err: &Error, tokens: &[&str]) {
    for text in reachable(err) {
        for token in tokens {
            assert!(!finds(&text, token), "token {token:?} found in {text}");
        }
    }
}

// ---- properties --------------------------------------------------------------------------

fn config(cases: u32) -> ProptestConfig {
    ProptestConfig { cases, failure_persistence: None, ..ProptestConfig::default() }
}

proptest! {
    #![proptest_config(config(400))]

    /// The current token and an earlier call's, echoed in error-body values and keys (nested,
    /// in any form), in `request-id`: gone from everything the error carries; the code of
    /// the body, the other keys and values survive.
    #[test]
    fn error_bodies_never_carry_a_token(
        earlier in token(),
        current in token(),
        forms in prop::collection::vec(form(), 6),
        before in filler(),
        after in filler(),
        status in prop::sample::select(vec![400u16, 401, 403, 404, 409, 500]),
    ) {
        prop_assume!(!current.to_lowercase().contains(&earlier.to_lowercase()));
        prop_assume!(!earlier.to_lowercase().contains(&current.to_lowercase()));
        let e = |token: &str, n: usize| echo(token, forms[n], true);
        let (before, after): (String, String) =
            (before.chars().map(json_plain).collect(), after.chars().map(json_plain).collect());
        let body = format!(
            r#"{{"error":{{"code":"invalidToken","message":"{before}{}{after} rejected","target":"{}",
                "innerError":{{"{}":"k","list":["{}", 1, null],"note":"kept as is"}}}},"{}{after}":true}}"#,
            e(&current, 0), e(&earlier, 1), e(&current, 2), e(&earlier, 3), e(&current, 4),
        );
        prop_assume!(serde_json::from_str::<Value>(&body).is_ok());
        let header = echo(&current, forms[5], false);
        let c = client(
            &[&earlier, &current],
            // Twice: a 401 is sent again after a token refresh.
            vec![
                response(200, &[], OK_PAGE),
                response(status, &[("request-id", &header)], &body),
                response(status, &[("request-id", &header)], &body),
            ],
        );
        block_on(c.list("", &RequestOptions::default())).unwrap();
        let err = block_on(c.list("", &RequestOptions::default())).unwrap_err();
        assert_no_token(&err, &[&earlier, &current]);
        prop_assert_eq!(err.status(), Some(status));
        prop_assert_eq!(err.server_code(), Some("invalidToken"));
        let details = err.details().unwrap();
        prop_assert_eq!(&details["error"]["innerError"]["note"], "kept as is");
        prop_assert_eq!(&details["error"]["innerError"]["[redacted]"], "k");
        prop_assert_eq!(&details["error"]["innerError"]["list"], &json!(["[redacted]", 1, null]));
        let message = details["error"]["message"].as_str().unwrap();
        prop_assert!(message.contains("[redacted]") && message.ends_with(" rejected"), "{}", message);
    }

    /// The same forms in a body that is not JSON (a gateway's page), in a network failure's
    /// text, in a `nextLink` to another host, and in a page value the decoder quotes.
    #[test]
    fn texts_never_carry_a_token(
        current in token(),
        form in form(),
        before in filler(),
        pad in 0usize..60,
    ) {
        let text = echo(&current, form, false);
        let quoted = echo(&current, form, true);
        let link = format!("https://evil.example/next?t={text}");
        let page = format!(r#"{{"value":[{{"id":"a","createdDateTime":"{}{quoted}"}}]}}"#, "x".repeat(pad));
        let mut errors = Vec::new();
        for script in [
            vec![response(502, &[], &format!("<html>{before}{text}</html>"))],
            vec![Err(TransportFailure::Network(format!("failed: {before}{text}")))],
            vec![response(200, &[], &serde_json::to_string(&json!({"value": [], "@odata.nextLink": link})).unwrap())],
            vec![response(200, &[], &page)],
        ] {
            let c = client(&[&current], script);
            let opts = RequestOptions::default();
            let mut cursor = c.pages("", &opts).unwrap();
            let err = loop {
                match block_on(cursor.next_page(&c)) {
                    Ok(Some(_)) => continue,
                    Ok(None) => panic!("no error"),
                    Err(err) => break err,
                }
            };
            errors.push(err);
        }
        for err in &errors {
            assert_no_token(err, &[&current]);
        }
        prop_assert_eq!(errors[2].code(), ErrorCode::UnsafeNextLink);
    }

    /// The redactor itself, for any token (non-ASCII too): in values and keys, in every form.
    #[test]
    fn any_token_in_any_form_is_read_out_of_an_error_body(
        token in any_token(),
        forms in prop::collection::vec(form(), 3),
        before in filler(),
    ) {
        let body = format!(
            r#"{{"code":"E42","message":"{before}{}","{}":["{}"]}}"#,
            echo(&token, forms[0], true), echo(&token, forms[1], true), echo(&token, forms[2], true),
        );
        prop_assume!(serde_json::from_str::<Value>(&body).is_ok());
        let read = read_error_body(&body, std::slice::from_ref(&token));
        let details = read.details.unwrap();
        for text in [details.to_string(), read.message.clone().unwrap_or_default()] {
            prop_assert!(!finds(&text, &token), "{:?} in {}", token, text);
        }
        prop_assert_eq!(read.code.as_deref(), Some("E42"));
        prop_assert_eq!(&details["[redacted]"], &json!(["[redacted]"]));
        let plain = format!("{before}{}", echo(&token, forms[0], false));
        prop_assert!(!finds(&redact_text(&plain, std::slice::from_ref(&token)), &token));
    }
}

// ---- short tokens ----------------------------------------------------------------------------

#[test]
fn a_short_token_leaves_the_rest_of_the_error_as_it_was() {
    let body = json!({
        "error": { "code": "itemNotFound", "message": "Referral not found", "target": "referral",
                   "innerError": { "code": "e", "date": "2024-01-01T00:00:00Z" } },
        "request": "r",
    });
    let expected = json!({
        "error": { "code": "itemNotFound", "message": "Referral not found", "target": "referral",
                   "innerError": { "code": "[redacted]", "date": "2024-01-01T00:00:00Z" } },
        "request": "[redacted]",
    });
    for tokens in [&["e", "r"][..], &["r", "e"][..]] {
        let c = client(
            tokens,
            vec![
                response(200, &[], OK_PAGE),
                response(404, &[("request-id", "req-1")], &body.to_string()),
            ],
        );
        block_on(c.list("", &RequestOptions::default())).unwrap();
        let err = block_on(c.get(ID, &RequestOptions::default())).unwrap_err();
        assert_eq!(err.code(), ErrorCode::NotFound);
        assert_eq!(err.server_code(), Some("itemNotFound"));
        assert_eq!(err.request_id(), Some("req-1"));
        assert_eq!(err.details(), Some(&expected));
        assert_eq!(
            err.to_string(),
            "the server answered with status 404 (`itemNotFound`: Referral not found)"
        );
    }
}

#[test]
fn a_short_token_standing_alone_is_removed() {
    let body = r#"{"error":{"code":"invalid_token","message":"token e is not valid; use %65 or \u0065."}}"#;
    let c = client(&["e"], vec![response(401, &[], body), response(401, &[], body)]);
    let err = block_on(c.list("", &RequestOptions::default())).unwrap_err();
    assert_eq!(err.server_code(), Some("invalid_token"));
    assert_eq!(
        err.details().unwrap()["error"]["message"],
        "token [redacted] is not valid; use [redacted] or [redacted]."
    );
}

#[test]
fn the_most_recent_tokens_are_remembered_across_calls() {
    let tokens: Vec<String> = (0..20).map(|n| format!("token-number-{n:02}")).collect();
    let refs: Vec<&str> = tokens.iter().map(String::as_str).collect();
    let mut script: Vec<Reply> = (0..19).map(|_| response(200, &[], OK_PAGE)).collect();
    let echo_all = tokens.join(" ");
    script.push(response(500, &[], &json!({ "message": echo_all }).to_string()));
    let c = client(&refs, script);
    for _ in 0..19 {
        block_on(c.list("", &RequestOptions::default())).unwrap();
    }
    let err = block_on(c.list("", &RequestOptions::default())).unwrap_err();
    let message = err.details().unwrap()["message"].as_str().unwrap().to_string();
    // The 16 most recent are gone; the four oldest (long expired in real life) are kept.
    assert_eq!(message, format!("{} {}", tokens[..4].join(" "), vec!["[redacted]"; 16].join(" ")));
}
