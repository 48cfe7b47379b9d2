//! The invariants of the `sync_token` fuzz target, shared with tests/fuzz_corpus.rs (which
//! replays the target's corpus with them in `cargo test`): each function panics, naming the
//! input, when one does not hold. Only what the code documents is asserted.

use partner_referrals::client::{parse_error_body, ServerError, MAX_TEXT_DETAILS};
use partner_referrals::sync::{SyncState, SYNC_TOKEN_VERSION};
use partner_referrals::{validate_filter, Error, ErrorCode};
use serde_json::Value;

/// serde's derived reader of the token's shape, which `from_token` reads as (src/sync.rs:
/// `Token::parse`).
#[derive(serde::Deserialize, Debug)]
#[serde(deny_unknown_fields)]
struct Derived {
    v: u32,
    #[serde(default)]
    filter: Option<String>,
    #[serde(default)]
    watermark: Option<String>,
    #[serde(default)]
    seen: Vec<String>,
}

/// serde's derived writer of the token's shape, which `to_token` writes byte for byte.
#[derive(serde::Serialize)]
struct Written<'a> {
    v: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    watermark: Option<String>,
    seen: Vec<&'a str>,
}

const NOT_A_TOKEN: &str = "is not a sync token (the `token` of a previous sync)";

/// A valid filter that fuzz input is unlikely to carry.
const OTHER_FILTER: &str = "status eq 'New'";

/// The reason a token is refused (`InvalidOption` named `since`), if it is.
fn refused_token(result: &Result<SyncState, Error>) -> Option<&'static str> {
    match result {
        Err(Error::InvalidOption { name: "since", reason, .. }) => Some(reason),
        _ => None,
    }
}

/// A filter in the form `from_token` compares (`None` for none or blank); `Err` when invalid.
fn canonical(filter: Option<&str>) -> Result<Option<String>, ()> {
    match filter.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => validate_filter(text, true).map(|info| Some(info.canonical)).map_err(|_| ()),
    }
}

/// `SyncState::from_token(text, …)` without a filter, with the token's own and with another:
/// no panic; the text is refused as "not a sync token" exactly when serde's derived reader
/// refuses it; whether it is refused as a token (`since`) does not depend on the caller's
/// (valid) filter; an invalid filter is the filter's own error; a token is accepted exactly
/// when the filters agree in canonical form, else refused naming `filter`. An accepted state
/// holds the token's watermark and ids, its token is what serde's derived writer writes, reads
/// back to an equal state, and is written again byte for byte.
pub fn sync_token(text: &str) {
    let derived = serde_json::from_str::<Derived>(text).ok();
    let bare = SyncState::from_token(text, None);
    let token_refused = refused_token(&bare);
    assert_eq!(
        derived.is_none(),
        token_refused == Some(NOT_A_TOKEN),
        "{text:?}: derived {derived:?}, from_token {bare:?}"
    );
    let saved = derived.as_ref().map(|d| canonical(d.filter.as_deref()));
    let mut filters = vec![None, Some(OTHER_FILTER)];
    if let Some(own) = derived.as_ref().and_then(|d| d.filter.as_deref()) {
        filters.push(Some(own));
    }
    for filter in filters {
        let result = SyncState::from_token(text, filter);
        let Ok(wanted) = canonical(filter) else {
            let code = result.as_ref().err().map(Error::code);
            assert_eq!(code, Some(ErrorCode::InvalidFilter), "{text:?} with {filter:?}");
            continue;
        };
        assert_eq!(refused_token(&result), token_refused, "{text:?} with {filter:?}");
        if token_refused.is_some() {
            continue;
        }
        // A token that is not refused was read by serde's derived reader too, with a valid
        // filter (else it would be refused as a token).
        let (Some(d), Some(Ok(saved))) = (&derived, &saved) else {
            panic!("{text:?}: accepted with {filter:?}, derived {derived:?} / {saved:?}")
        };
        match &result {
            Ok(state) => {
                assert_eq!(&wanted, saved, "{text:?} with {filter:?}: the filters differ");
                assert_eq!(state.filter(), wanted.as_deref(), "{text:?}");
                accepted(text, state, d);
            }
            Err(Error::InvalidOption { name: "filter", .. }) => {
                assert_ne!(&wanted, saved, "{text:?} with {filter:?}: the filters agree")
            }
            Err(e) => panic!("{text:?} with {filter:?}: {e:?}"),
        }
    }
}

fn accepted(text: &str, state: &SyncState, derived: &Derived) {
    assert_eq!(derived.v, SYNC_TOKEN_VERSION, "{text:?}: a token of another version accepted");
    let watermark = derived.watermark.as_deref().map(|w| {
        partner_referrals::datetime::DateTimeOffset::parse(w)
            .unwrap_or_else(|e| panic!("{text:?}: watermark {w:?} accepted but {e}"))
    });
    assert_eq!(state.watermark(), watermark, "{text:?}");
    let mut ids: Vec<&str> = derived.seen.iter().map(String::as_str).collect();
    ids.sort_unstable();
    ids.dedup();
    assert_eq!(state.seen_at_watermark().collect::<Vec<_>>(), ids, "{text:?}");

    let token = state.to_token();
    let written = serde_json::to_string(&Written {
        v: SYNC_TOKEN_VERSION,
        filter: state.filter(),
        watermark: state.watermark().map(|w| w.to_string()),
        seen: state.seen_at_watermark().collect(),
    })
    .unwrap_or_else(|e| panic!("{text:?}: {e}"));
    assert_eq!(token, written, "{text:?}");
    let again = SyncState::from_token(&token, state.filter())
        .unwrap_or_else(|e| panic!("{text:?} → {token:?} is refused: {e}"));
    assert_eq!(&again, state, "{text:?} → {token:?}");
    assert_eq!(again.to_token(), token, "{text:?}");
}

/// A string (not blank), or a number as serde_json prints it (`text` in
/// src/client/error_body.rs).
fn text_of(value: Option<&Value>) -> Option<String> {
    match value? {
        Value::String(s) if !s.trim().is_empty() => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        _ => None,
    }
}

/// `parse_error_body(text)`: no panic; a blank body gives nothing; a body that is JSON (once
/// trimmed) is kept as serde_json reads it, with the code and message of the documented shapes
/// (a numeric code as serde_json prints the number); any other body is kept as its first
/// `MAX_TEXT_DETAILS` bytes (cut at a char boundary), without code or message.
pub fn error_body(text: &str) {
    let e = parse_error_body(text);
    let trimmed = text.trim();
    if trimmed.is_empty() {
        assert_eq!(e, ServerError::default(), "{text:?}");
        return;
    }
    let Ok(json) = serde_json::from_str::<Value>(trimmed) else {
        let Some(Value::String(kept)) = &e.details else {
            panic!("{text:?}: not JSON, but details {:?}", e.details)
        };
        assert!(trimmed.starts_with(kept.as_str()), "{text:?}: {kept:?}");
        assert!(
            kept.len() == trimmed.len()
                || (kept.len() <= MAX_TEXT_DETAILS && kept.len() + 4 > MAX_TEXT_DETAILS),
            "{text:?}: {} bytes kept",
            kept.len()
        );
        assert_eq!((&e.code, &e.message), (&None, &None), "{text:?}");
        return;
    };
    let (code, message) = match &json {
        Value::Object(map) => match map.get("error") {
            Some(Value::Object(inner)) => {
                (text_of(inner.get("code")), text_of(inner.get("message")))
            }
            Some(Value::String(code)) => {
                (Some(code.clone()), text_of(map.get("error_description")))
            }
            _ => (
                text_of(map.get("code")),
                text_of(map.get("message")).or_else(|| text_of(map.get("description"))),
            ),
        },
        _ => (None, None),
    };
    assert_eq!(e.details.as_ref(), Some(&json), "{text:?}");
    assert_eq!((e.code, e.message), (code, message), "{text:?}");
}
