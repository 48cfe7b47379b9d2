//! Incremental sync: "what changed since last time", with a watermark on `updatedDateTime`.
//!
//! A poll asks for `updatedDateTime ge <watermark>` (and the caller's filter) ordered by
//! `updatedDateTime asc`, and folds every returned referral into a [`SyncState`]: the
//! watermark (the latest `updatedDateTime` delivered) and the ids already delivered at exactly
//! that instant. `ge` rather than `gt` because several referrals can share an instant and the
//! previous poll may have seen only some of them; the ids at the watermark are what makes the
//! overlap harmless. So across polls no referral is missed and none is delivered twice, while a
//! referral updated again later has a newer `updatedDateTime` and is delivered again: that is
//! a change, not a repeat.
//!
//! A poll is driven by a [`SyncCursor`]: it says which request comes next ([`SyncStep`]).
//! After a page that moved the watermark it asks for a *fresh* query from the new watermark
//! (keyset paging) instead of following the page's `nextLink`: a server cursor counts by
//! position, so a referral updated while the poll runs (it moves to the end of the order)
//! would shift the positions of the ones after it and one of them would never be seen. From
//! the watermark nothing can be skipped: whatever was not delivered yet is still `ge` it.
//! Only when a page did not move the watermark (a run of referrals sharing one instant that is
//! longer than a page) does the cursor follow the `nextLink`, which is then the only way on;
//! inside such a run a referral updated during the poll can still shift a neighbour out of
//! reach, as with any positional cursor.
//!
//! The state is a string ([`SyncState::to_token`]) that the caller keeps anywhere (a file,
//! `chrome.storage`) and hands back next time ([`SyncState::from_token`]).
//!
//! Limits, as with any watermark: a referral whose `updatedDateTime` is set to an instant
//! *before* the watermark (a server clock going back), or that has no `updatedDateTime`, is
//! seen only by the first poll; deletions are not reported (the API has no tombstones).
//!
//! Pure: no I/O, no clock. Imports `error`, `datetime`, `query`, `model` and `json`.

use crate::string_set::StringSet;

use serde_json::Value;

use crate::datetime::DateTimeOffset;
use crate::error::{Error, Result};
use crate::model::Referral;
use crate::query::{validate_filter_in, OrderBy, ReferralQuery};
use crate::schema::{ComplexType, REFERRAL};

/// The version written into tokens; a token of another version is refused.
pub const SYNC_TOKEN_VERSION: u32 = 1;

/// How many requests one poll sends at most before it stops with [`Error::TooManyPages`]
/// (the same limit as one `all()` traversal).
pub const MAX_SYNC_PAGES: u32 = crate::client::DEFAULT_MAX_PAGES;

/// The longest token [`SyncState::from_token`] reads (16 MiB): a bigger string in storage is
/// not one of ours.
pub const MAX_TOKEN_LEN: usize = 16 << 20;

/// Where a sync stands: what the next poll asks for and what it must not deliver again.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct SyncState {
    filter: Option<String>,
    watermark: Option<DateTimeOffset>,
    seen: StringSet,
}

/// The token's JSON shape (`{"v":1,"filter":…,"watermark":…,"seen":[…]}`), written by
/// [`SyncState::to_token`] and read by [`Token::parse`].
struct Token {
    v: u32,
    filter: Option<String>,
    watermark: Option<String>,
    seen: Vec<String>,
}

impl Token {
    /// Reads a token as `#[derive(Deserialize)]` with `deny_unknown_fields` would (`v` a
    /// `u32`, `filter`/`watermark` a string or `null`, `seen` a list of strings, `v` required,
    /// no other or repeated key; or the same fields as a list in that order), but by hand,
    /// from the `Value` that [`crate::json`] reads: serde's typed errors print the offending
    /// value (printing a float would link std's float formatting into the wasm build), and
    /// every refusal here is the same "not a sync token" anyway.
    fn parse(text: &str) -> Option<Token> {
        let mut fields: [Option<Value>; 4] = Default::default();
        match crate::json::from_str_unique_root_keys(text)? {
            Value::Object(map) => {
                for (key, value) in map {
                    let at = FIELDS.iter().position(|f| *f == key)?;
                    fields[at] = Some(value);
                }
            }
            // The fields in order, as serde's derive also reads them: `[1,null,null,[]]`, `[1]`.
            Value::Array(items) if items.len() <= FIELDS.len() => {
                for (field, value) in fields.iter_mut().zip(items) {
                    *field = Some(value);
                }
            }
            _ => return None,
        }
        token_from(fields)
    }
}

/// The token as [`SyncState::to_token`] writes it (absent `filter`/`watermark` left out).
#[derive(serde::Serialize)]
struct Written<'a> {
    v: u32,
    #[serde(skip_serializing_if = "Option::is_none")]
    filter: Option<&'a str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    watermark: Option<String>,
    seen: Vec<&'a str>,
}

/// The token's keys, in the order a list form gives them.
const FIELDS: [&str; 4] = ["v", "filter", "watermark", "seen"];

/// A [`Token`] from its fields in [`FIELDS`] order (`None`: absent), if each has its type.
fn token_from([v, filter, watermark, seen]: [Option<Value>; 4]) -> Option<Token> {
    let optional_string = |value: Option<Value>| match value {
        None | Some(Value::Null) => Some(None),
        Some(Value::String(s)) => Some(Some(s)),
        Some(_) => None,
    };
    Some(Token {
        v: u32::try_from(v?.as_u64()?).ok()?,
        filter: optional_string(filter)?,
        watermark: optional_string(watermark)?,
        seen: match seen {
            None => Vec::new(),
            Some(Value::Array(items)) => items
                .into_iter()
                .map(|item| match item {
                    Value::String(s) => Some(s),
                    _ => None,
                })
                .collect::<Option<_>>()?,
            Some(_) => return None,
        },
    })
}

fn bad_token(token: &str, reason: &'static str) -> Error {
    Error::InvalidOption { name: "since", value: token.chars().take(256).collect(), reason }
}

/// The canonical form of the caller's filter (`None` for none or an empty string).
fn canonical_filter(filter: Option<&str>, schema: &'static ComplexType) -> Result<Option<String>> {
    match filter.map(str::trim) {
        None | Some("") => Ok(None),
        Some(text) => Ok(Some(validate_filter_in(text, schema)?.canonical)),
    }
}

impl SyncState {
    /// A sync that has seen nothing: its first poll asks for every referral matching `filter`.
    ///
    /// # Errors
    /// `InvalidFilter` for a filter that [`validate_filter`] refuses.
    pub fn new(filter: Option<&str>) -> Result<SyncState> {
        SyncState::new_in(filter, &REFERRAL)
    }

    /// [`SyncState::new`] for a filter checked against `schema` (the referral type with a
    /// client's extra fields, see [`crate::extra_fields`]).
    ///
    /// # Errors
    /// As [`SyncState::new`].
    pub fn new_in(filter: Option<&str>, schema: &'static ComplexType) -> Result<SyncState> {
        Ok(SyncState { filter: canonical_filter(filter, schema)?, ..SyncState::default() })
    }

    /// The state a previous poll saved with [`SyncState::to_token`]; `filter` must be the one
    /// that sync was started with (compared in canonical form), since a watermark says
    /// nothing about referrals that a different filter would match.
    ///
    /// ```
    /// use partner_referrals::sync::SyncState;
    /// let mut state = SyncState::new(Some("direction eq 'Incoming'")).unwrap();
    /// state.observe(Some("a"), Some("2026-11-01T10:00:00.5Z"));
    /// let token = state.to_token();
    /// let again = SyncState::from_token(&token, Some("(direction  eq 'Incoming')")).unwrap();
    /// assert_eq!(again, state);
    /// assert!(SyncState::from_token(&token, None).is_err());
    /// ```
    ///
    /// # Errors
    /// [`Error::InvalidOption`] named `since` when the token is not one this version wrote,
    /// named `filter` when the filters differ; `InvalidFilter` for an invalid filter.
    pub fn from_token(token: &str, filter: Option<&str>) -> Result<SyncState> {
        SyncState::from_token_in(token, filter, &REFERRAL)
    }

    /// [`SyncState::from_token`] for a filter checked against `schema` (see
    /// [`SyncState::new_in`]).
    ///
    /// # Errors
    /// As [`SyncState::from_token`].
    pub fn from_token_in(
        token: &str,
        filter: Option<&str>,
        schema: &'static ComplexType,
    ) -> Result<SyncState> {
        let filter = canonical_filter(filter, schema)?;
        if token.len() > MAX_TOKEN_LEN {
            return Err(bad_token(token, "is longer than a sync token can be"));
        }
        let parsed = Token::parse(token).ok_or_else(|| {
            bad_token(token, "is not a sync token (the `token` of a previous sync)")
        })?;
        if parsed.v != SYNC_TOKEN_VERSION {
            return Err(bad_token(token, "was written by another version of the sync"));
        }
        let watermark = match parsed.watermark.as_deref() {
            None => None,
            Some(text) => Some(
                DateTimeOffset::parse(text)
                    .map_err(|_| bad_token(token, "has a watermark that is not a date-time"))?,
            ),
        };
        let saved = canonical_filter(parsed.filter.as_deref(), schema)
            .map_err(|_| bad_token(token, "has a filter that is not valid"))?;
        if saved != filter {
            return Err(Error::InvalidOption {
                name: "filter",
                value: filter.unwrap_or_default().chars().take(256).collect(),
                reason: "is not the filter the sync token was made with (start a new sync)",
            });
        }
        let mut seen = StringSet::default();
        for id in parsed.seen {
            seen.insert(id);
        }
        Ok(SyncState { filter, watermark, seen })
    }

    /// The state as a string to keep until the next poll (JSON; treat it as opaque).
    pub fn to_token(&self) -> String {
        let written = Written {
            v: SYNC_TOKEN_VERSION,
            filter: self.filter.as_deref(),
            watermark: self.watermark.map(|w| w.to_string()),
            seen: self.seen.iter().map(String::as_str).collect(),
        };
        // invariant: a struct of strings and a number always serialises.
        serde_json::to_string(&written).expect("a token serialises")
    }

    /// The caller's filter, canonical.
    pub fn filter(&self) -> Option<&str> {
        self.filter.as_deref()
    }

    /// The latest `updatedDateTime` delivered so far.
    pub fn watermark(&self) -> Option<DateTimeOffset> {
        self.watermark
    }

    /// The ids delivered at exactly the watermark (before any watermark: the ids delivered
    /// without an `updatedDateTime`), sorted.
    pub fn seen_at_watermark(&self) -> impl Iterator<Item = &str> {
        self.seen.iter().map(String::as_str)
    }

    /// The query of the next poll: `updatedDateTime ge <watermark>` and the caller's filter,
    /// ordered by `updatedDateTime asc`.
    ///
    /// ```
    /// use partner_referrals::sync::SyncState;
    /// use partner_referrals::build_query;
    /// let mut state = SyncState::new(Some("status eq 'New' or status eq 'Active'")).unwrap();
    /// state.observe(Some("a"), Some("2026-11-01T10:00:00.1234567Z"));
    /// assert_eq!(
    ///     state.query().filter.as_deref(),
    ///     Some("updatedDateTime ge 2026-11-01T10:00:00.1234567Z and (status eq 'New' or status eq 'Active')"),
    /// );
    /// assert!(build_query(&state.query()).unwrap().ends_with("&$orderby=updatedDateTime%20asc"));
    /// ```
    pub fn query(&self) -> ReferralQuery {
        let filter = match (&self.watermark, &self.filter) {
            (None, None) => None,
            (None, Some(f)) => Some(f.clone()),
            (Some(w), None) => Some(format!("updatedDateTime ge {w}")),
            (Some(w), Some(f)) => Some(format!("updatedDateTime ge {w} and ({f})")),
        };
        ReferralQuery {
            filter,
            order_by: Some(OrderBy::Text("updatedDateTime asc".into())),
            ..ReferralQuery::default()
        }
    }

    /// Folds one returned referral into the state; `true` when it is a change to deliver,
    /// `false` when it was delivered before (same id at the watermark) or is older than the
    /// watermark. `updated` is its `updatedDateTime` as sent (an unparseable one counts as
    /// absent); a referral without an id is delivered but cannot be remembered.
    ///
    /// ```
    /// use partner_referrals::sync::SyncState;
    /// let mut s = SyncState::new(None).unwrap();
    /// assert!(s.observe(Some("a"), Some("2026-01-01T00:00:00Z")));
    /// assert!(s.observe(Some("b"), Some("2026-01-01T00:00:00Z")));
    /// assert!(!s.observe(Some("a"), Some("2026-01-01T00:00:00Z"))); // a repeat
    /// assert!(!s.observe(Some("c"), Some("2025-12-31T23:59:59Z"))); // behind the watermark
    /// assert!(s.observe(Some("a"), Some("2026-01-01T00:00:01Z"))); // a change
    /// assert_eq!(s.seen_at_watermark().collect::<Vec<_>>(), ["a"]);
    /// ```
    pub fn observe(&mut self, id: Option<&str>, updated: Option<&str>) -> bool {
        let updated = updated.and_then(|u| DateTimeOffset::parse(u).ok());
        let remember = |seen: &mut StringSet| {
            if let Some(id) = id {
                seen.insert(id.to_string());
            }
        };
        match (self.watermark, updated) {
            // Without a watermark yet, referrals without a date share the "null instant".
            (None, None) => {
                let repeat = id.is_some_and(|id| self.seen.contains(id));
                remember(&mut self.seen);
                !repeat
            }
            // `ge <watermark>` never returns one without a date; behind the watermark = old.
            (Some(_), None) => false,
            (Some(w), Some(u)) if u < w => false,
            (Some(w), Some(u)) if u == w => {
                let repeat = id.is_some_and(|id| self.seen.contains(id));
                remember(&mut self.seen);
                !repeat
            }
            (_, Some(u)) => {
                self.watermark = Some(u);
                self.seen.clear();
                remember(&mut self.seen);
                true
            }
        }
    }

    /// [`SyncState::observe`] for a decoded referral.
    pub fn observe_referral(&mut self, referral: &Referral) -> bool {
        self.observe(referral.id.as_deref(), referral.updated_date_time.as_deref())
    }
}

/// What a poll does next.
#[derive(Debug, Clone, PartialEq)]
pub enum SyncStep {
    /// Send this query (the first request, or a fresh one from a watermark that moved).
    Query(ReferralQuery),
    /// Follow the last page's `nextLink` (the page did not move the watermark).
    Follow(String),
    /// The poll has seen everything up to now.
    Done,
}

/// One poll: the requests to send and the fold of their pages into a [`SyncState`].
///
/// ```
/// use partner_referrals::sync::{SyncCursor, SyncState, SyncStep};
/// let mut poll = SyncCursor::new(SyncState::new(None).unwrap());
/// let SyncStep::Query(_query) = poll.start() else { unreachable!() };
/// // … send the query, then for each referral of the page, in order:
/// assert!(poll.observe(Some("a"), Some("2026-01-01T00:00:00Z")));
/// // … and when the page is done:
/// assert_eq!(poll.after_page(None).unwrap(), SyncStep::Done);
/// let token = poll.state().to_token();
/// # assert!(token.contains("2026-01-01T00:00:00Z"));
/// ```
#[derive(Debug, Clone)]
pub struct SyncCursor {
    state: SyncState,
    /// The watermark the current server query started from.
    queried_from: Option<DateTimeOffset>,
    /// Requests sent by this poll.
    requests: u32,
    max_requests: u32,
}

impl SyncCursor {
    /// A poll that continues `state`.
    pub fn new(state: SyncState) -> SyncCursor {
        SyncCursor::with_max_requests(state, MAX_SYNC_PAGES)
    }

    /// A poll that sends at most `max_requests` (at least 1) requests.
    pub fn with_max_requests(state: SyncState, max_requests: u32) -> SyncCursor {
        SyncCursor {
            queried_from: state.watermark,
            state,
            requests: 0,
            max_requests: max_requests.max(1),
        }
    }

    /// The first request: [`SyncState::query`].
    pub fn start(&mut self) -> SyncStep {
        self.queried_from = self.state.watermark;
        self.requests = 1;
        SyncStep::Query(self.state.query())
    }

    /// Folds one referral of the current page (in server order): see [`SyncState::observe`].
    pub fn observe(&mut self, id: Option<&str>, updated: Option<&str>) -> bool {
        self.state.observe(id, updated)
    }

    /// [`SyncCursor::observe`] for a decoded referral.
    pub fn observe_referral(&mut self, referral: &Referral) -> bool {
        self.state.observe_referral(referral)
    }

    /// What comes after a page whose referrals have all been observed; `next_link` is the
    /// page's `@odata.nextLink`.
    ///
    /// # Errors
    /// [`Error::TooManyPages`] when the poll has sent its maximum number of requests (the
    /// state so far is valid: save it and poll again).
    pub fn after_page(&mut self, next_link: Option<&str>) -> Result<SyncStep> {
        let Some(link) = next_link else {
            return Ok(SyncStep::Done);
        };
        if self.requests >= self.max_requests {
            return Err(Error::TooManyPages {
                max: self.max_requests,
                next_link: link.to_string(),
            });
        }
        self.requests += 1;
        if self.state.watermark != self.queried_from {
            self.queried_from = self.state.watermark;
            Ok(SyncStep::Query(self.state.query()))
        } else {
            Ok(SyncStep::Follow(link.to_string()))
        }
    }

    /// The state so far (every referral observed is in it).
    pub fn state(&self) -> &SyncState {
        &self.state
    }

    /// The state, ending the poll.
    pub fn into_state(self) -> SyncState {
        self.state
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// What `Token::parse` replaced: serde's derived reader of the same shape.
    #[derive(serde::Deserialize, Debug, PartialEq)]
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

    #[test]
    fn tokens_round_trip_and_escape_as_json() {
        let mut states = vec![SyncState::new(None).unwrap()];
        let mut state = SyncState::new(Some("status eq 'New' and name eq '\\\"x\"'")).unwrap();
        states.push(state.clone());
        state.observe(Some("a\"\\\u{1}\u{7f}💝\n"), Some("2026-11-01T10:00:00.5+02:00"));
        state.observe(Some(""), Some("2026-11-01T10:00:00.5+02:00"));
        states.push(state.clone());
        let mut no_watermark = SyncState::new(None).unwrap();
        no_watermark.observe(Some("x"), None);
        no_watermark.observe(Some("y"), None);
        states.push(no_watermark);
        for state in states {
            let token = state.to_token();
            assert_eq!(SyncState::from_token(&token, state.filter()).unwrap(), state, "{token}");
        }
        assert_eq!(SyncState::new(None).unwrap().to_token(), r#"{"v":1,"seen":[]}"#);
        let escaped = &state.to_token();
        // Control characters escaped, DEL and non-ASCII as they are.
        let seen = "\"seen\":[\"\",\"a\\\"\\\\\\u0001\u{7f}💝\\n\"]";
        assert!(escaped.contains(seen), "{escaped}");
    }

    fn ours(text: &str) -> Option<Derived> {
        Token::parse(text).map(|t| Derived {
            v: t.v,
            filter: t.filter,
            watermark: t.watermark,
            seen: t.seen,
        })
    }

    #[test]
    fn tokens_read_as_the_derived_reader_reads_them() {
        let mut state = SyncState::new(Some("status eq 'New'")).unwrap();
        state.observe(Some("a\"\\\u{1}💝"), Some("2026-11-01T10:00:00.5Z"));
        state.observe(Some("b"), Some("2026-11-01T10:00:00.5Z"));
        let token = state.to_token();
        let mut corpus = vec![
            token.clone(),
            r#"[1,"f","2026-11-01T10:00:00Z",["a"]]"#.to_string(),
            r#"[1,null]"#.to_string(),
            r#"[1,null,null,[],5]"#.to_string(),
            r#"{"v":1,"v":1}"#.to_string(),
            r#"{"v":1,"seen":["a","a"]}"#.to_string(),
            r#"{"v":4294967295}"#.to_string(),
            r#"{"v":4294967296}"#.to_string(),
            r#"{"v":1,"filter":"\ud83d\udc9d"}"#.to_string(),
            r#"{"v":1,"filter":"\ud83d"}"#.to_string(),
        ];
        // Every prefix and every single-character deletion of a real token.
        for end in (0..token.len()).filter(|&end| token.is_char_boundary(end)) {
            corpus.push(token[..end].to_string());
            let mut cut = token.clone();
            cut.remove(end);
            corpus.push(cut);
        }
        let mut accepted = 0;
        for text in &corpus {
            let expected = serde_json::from_str::<Derived>(text).ok();
            assert_eq!(ours(text), expected, "{text}");
            accepted += usize::from(expected.is_some());
        }
        assert!(accepted >= 4, "{accepted}");
    }
}
