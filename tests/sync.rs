//! Incremental sync (`src/sync.rs`) against an emulator-like fake server: referrals ordered by
//! `updatedDateTime asc` then id (as the emulator breaks ties), filtered with the library's own
//! evaluator, cut into pages of a chosen size with positional `nextLink`s (as the emulator's
//! skip tokens), and mutated between polls or between the pages of one poll. The invariants:
//! after a complete poll every referral the server holds has been delivered in its current
//! version, and no version is ever delivered twice.

#[cfg(target_arch = "wasm32")]
use wasm_bindgen_test::wasm_bindgen_test as test;

use std::collections::HashSet;

use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::query::{build_query, Filter, ReferralQuery};
use partner_referrals::sync::{SyncCursor, SyncState, SyncStep, SYNC_TOKEN_VERSION};
use partner_referrals::{Error, ErrorCode};
use serde_json::{json, Value};

// ---- the fake server -------------------------------------------------------------------------

/// `2026-11-01T00:00:00Z` + `tick` seconds: small tick numbers make ties easy to write.
fn at(tick: i64) -> String {
    DateTimeOffset { unix_seconds: 1_793_491_200 + tick, nanos: 0, sub_nanos: 0, offset_minutes: 0 }
        .to_string()
}

#[derive(Default)]
struct Server {
    records: Vec<Value>,
    page_size: usize,
    /// Every query received, so a `nextLink` can name it (`link:<query>:<offset>`).
    queries: Vec<ReferralQuery>,
    requests: usize,
}

struct Page {
    value: Vec<Value>,
    next_link: Option<String>,
}

impl Server {
    fn new(page_size: usize) -> Server {
        Server { page_size, ..Server::default() }
    }

    /// Adds or replaces (same id) a referral updated at `tick`.
    fn upsert(&mut self, id: &str, tick: i64, direction: &str) {
        let value = json!({
            "id": id,
            "updatedDateTime": at(tick),
            "direction": direction,
            "status": "New",
        });
        match self.records.iter_mut().find(|r| r["id"] == id) {
            Some(r) => *r = value,
            None => self.records.push(value),
        }
    }

    fn query(&mut self, query: &ReferralQuery) -> Page {
        // What a client sends: it must build (and so validate).
        build_query(query).unwrap();
        self.queries.push(query.clone());
        self.page(self.queries.len() - 1, 0)
    }

    fn follow(&mut self, link: &str) -> Page {
        let mut parts = link.strip_prefix("link:").unwrap().split(':');
        let query = parts.next().unwrap().parse().unwrap();
        let offset = parts.next().unwrap().parse().unwrap();
        self.page(query, offset)
    }

    fn page(&mut self, query: usize, offset: usize) -> Page {
        self.requests += 1;
        let q = &self.queries[query];
        let filter = q.filter.as_deref().map(|f| Filter::parse(f).unwrap());
        assert_eq!(
            q.order_by,
            Some(partner_referrals::OrderBy::Text("updatedDateTime asc".into()))
        );
        let now = DateTimeOffset::from_unix_millis(0);
        let mut matched: Vec<&Value> = self
            .records
            .iter()
            .filter(|r| filter.as_ref().map_or(true, |f| f.matches(r, now)))
            .collect();
        let key = |r: &Value| {
            let u = DateTimeOffset::parse(r["updatedDateTime"].as_str().unwrap()).unwrap();
            (u, r["id"].as_str().unwrap().to_string())
        };
        matched.sort_by_key(|r| key(r));
        let end = (offset + self.page_size).min(matched.len());
        let value = matched.get(offset..end).unwrap_or(&[]).iter().map(|r| (*r).clone()).collect();
        let next_link = (end < matched.len()).then(|| format!("link:{query}:{end}"));
        Page { value, next_link }
    }

    /// The `(id, updatedDateTime)` of every referral the server holds that `filter` matches.
    fn versions(&self, filter: Option<&str>) -> HashSet<(String, String)> {
        let filter = filter.map(|f| Filter::parse(f).unwrap());
        let now = DateTimeOffset::from_unix_millis(0);
        self.records
            .iter()
            .filter(|r| filter.as_ref().map_or(true, |f| f.matches(r, now)))
            .map(version)
            .collect()
    }
}

fn version(r: &Value) -> (String, String) {
    (r["id"].as_str().unwrap().to_string(), r["updatedDateTime"].as_str().unwrap().to_string())
}

/// What one poll delivered and the token it leaves.
struct Poll {
    delivered: Vec<(String, String)>,
    token: String,
}

/// Runs one poll from `token` (none = a new sync). `between_pages(server, page_number)` may
/// mutate the server after each page; `stop_after` ends the poll early after that many
/// deliveries (as a consumer that breaks out of its loop).
fn poll(
    server: &mut Server,
    token: Option<&str>,
    filter: Option<&str>,
    stop_after: Option<usize>,
    mut between_pages: impl FnMut(&mut Server, usize),
) -> Poll {
    let state = match token {
        Some(t) => SyncState::from_token(t, filter).unwrap(),
        None => SyncState::new(filter).unwrap(),
    };
    let mut cursor = SyncCursor::new(state);
    let mut step = cursor.start();
    let mut delivered = Vec::new();
    let mut pages = 0;
    'poll: loop {
        let page = match &step {
            SyncStep::Query(q) => server.query(q),
            SyncStep::Follow(link) => server.follow(link),
            SyncStep::Done => break,
        };
        for r in &page.value {
            if stop_after == Some(delivered.len()) {
                break 'poll;
            }
            if cursor.observe(r["id"].as_str(), r["updatedDateTime"].as_str()) {
                delivered.push(version(r));
            }
        }
        pages += 1;
        if page.next_link.is_some() {
            // A change after the last page is for the next poll.
            between_pages(server, pages);
        }
        step = cursor.after_page(page.next_link.as_deref()).unwrap();
        assert!(pages < 10_000, "the poll does not end");
    }
    Poll { delivered, token: cursor.state().to_token() }
}

fn no_mutation(_: &mut Server, _: usize) {}

fn ids(delivered: &[(String, String)]) -> Vec<&str> {
    delivered.iter().map(|(id, _)| id.as_str()).collect()
}

// ---- scripted sequences ------------------------------------------------------------------------

#[test]
fn first_poll_delivers_everything_in_update_order_then_nothing() {
    let mut server = Server::new(2);
    for (id, tick) in [("c", 3), ("a", 1), ("e", 5), ("b", 2), ("d", 4)] {
        server.upsert(id, tick, "Incoming");
    }
    let first = poll(&mut server, None, None, None, no_mutation);
    assert_eq!(ids(&first.delivered), ["a", "b", "c", "d", "e"]);
    let state = SyncState::from_token(&first.token, None).unwrap();
    assert_eq!(state.watermark().unwrap().to_string(), at(5));
    assert_eq!(state.seen_at_watermark().collect::<Vec<_>>(), ["e"]);

    let second = poll(&mut server, Some(&first.token), None, None, no_mutation);
    assert_eq!(second.delivered, []);
    assert_eq!(second.token, first.token);
}

#[test]
fn inserts_and_updates_between_polls_are_delivered_once_each() {
    let mut server = Server::new(2);
    for (id, tick) in [("a", 1), ("b", 2), ("c", 3)] {
        server.upsert(id, tick, "Incoming");
    }
    let first = poll(&mut server, None, None, None, no_mutation);
    server.upsert("d", 4, "Incoming"); // insert
    server.upsert("a", 4, "Incoming"); // update: a change, delivered again
    server.upsert("e", 3, "Incoming"); // insert at the watermark instant: `ge` still sees it
    let second = poll(&mut server, Some(&first.token), None, None, no_mutation);
    assert_eq!(second.delivered, [("e".into(), at(3)), ("a".into(), at(4)), ("d".into(), at(4))]);
    let third = poll(&mut server, Some(&second.token), None, None, no_mutation);
    assert_eq!(third.delivered, []);
}

#[test]
fn same_instant_ties_across_page_boundaries() {
    // Seven referrals share one instant, more than two pages of three: the cursor follows
    // the nextLink inside the run (a fresh query from the same watermark would not move).
    let mut server = Server::new(3);
    server.upsert("first", 1, "Incoming");
    for id in ["t1", "t2", "t3", "t4", "t5", "t6", "t7"] {
        server.upsert(id, 2, "Incoming");
    }
    server.upsert("last", 3, "Incoming");
    let one = poll(&mut server, None, None, None, no_mutation);
    assert_eq!(ids(&one.delivered), ["first", "t1", "t2", "t3", "t4", "t5", "t6", "t7", "last"]);

    // A second run at the watermark, longer than a page, half of it new.
    for id in ["u1", "u2", "u3", "u4"] {
        server.upsert(id, 3, "Incoming");
    }
    let two = poll(&mut server, Some(&one.token), None, None, no_mutation);
    assert_eq!(ids(&two.delivered), ["u1", "u2", "u3", "u4"]);
    let state = SyncState::from_token(&two.token, None).unwrap();
    assert_eq!(state.seen_at_watermark().collect::<Vec<_>>(), ["last", "u1", "u2", "u3", "u4"]);

    // Everything already seen, the run spanning two pages: nothing, and the poll ends.
    let three = poll(&mut server, Some(&two.token), None, None, no_mutation);
    assert_eq!(three.delivered, []);
}

#[test]
fn a_poll_stopped_midway_resumes_without_gap_or_repeat() {
    let mut server = Server::new(3);
    for (i, tick) in [1, 1, 2, 2, 2, 3, 3, 4, 5, 5].into_iter().enumerate() {
        server.upsert(&format!("r{i}"), tick, "Incoming");
    }
    let mut all = Vec::new();
    let mut token = None;
    for _ in 0..4 {
        let p = poll(&mut server, token.as_deref(), None, Some(3), no_mutation);
        all.extend(p.delivered);
        token = Some(p.token);
    }
    assert_eq!(all.len(), 10);
    assert_eq!(all.iter().cloned().collect::<HashSet<_>>(), server.versions(None));
}

#[test]
fn an_update_during_a_poll_does_not_hide_the_next_referral() {
    // A referral updated while the poll runs moves to the end of the order. A positional
    // cursor (nextLink) would then skip the referral that slid into its place; the sync asks
    // again from the watermark, so nothing slides out of reach.
    let setup = || {
        let mut server = Server::new(2);
        for (id, tick) in [("a", 1), ("b", 2), ("c", 3), ("d", 4), ("e", 5)] {
            server.upsert(id, tick, "Incoming");
        }
        server
    };
    let update_b = |server: &mut Server, page: usize| {
        if page == 1 {
            server.upsert("b", 9, "Incoming");
        }
    };

    // The naive traversal: follow nextLinks from one query.
    let mut naive = setup();
    let mut page = naive.query(&SyncState::new(None).unwrap().query());
    let mut seen: Vec<String> = page.value.iter().map(|r| version(r).0).collect();
    update_b(&mut naive, 1);
    while let Some(link) = page.next_link.take() {
        page = naive.follow(&link);
        seen.extend(page.value.iter().map(|r| version(r).0));
    }
    assert_eq!(seen, ["a", "b", "d", "e", "b"], "the positional cursor skips c");

    let mut server = setup();
    let p = poll(&mut server, None, None, None, update_b);
    assert_eq!(
        p.delivered,
        [
            ("a".into(), at(1)),
            ("b".into(), at(2)),
            ("c".into(), at(3)),
            ("d".into(), at(4)),
            ("e".into(), at(5)),
            ("b".into(), at(9)),
        ]
    );
}

#[test]
fn the_callers_filter_is_combined_with_the_watermark() {
    let mut server = Server::new(2);
    server.upsert("in1", 1, "Incoming");
    server.upsert("out1", 2, "Outgoing");
    server.upsert("in2", 3, "Incoming");
    let filter = Some("direction eq 'Incoming'");
    let first = poll(&mut server, None, filter, None, no_mutation);
    assert_eq!(ids(&first.delivered), ["in1", "in2"]);
    server.upsert("out1", 4, "Incoming"); // now matches
    server.upsert("in1", 5, "Outgoing"); // no longer matches: not reported (no tombstones)
    let second = poll(&mut server, Some(&first.token), filter, None, no_mutation);
    assert_eq!(second.delivered, [("out1".into(), at(4))]);
    assert_eq!(
        server.queries.last().unwrap().filter.as_deref(),
        Some(format!("updatedDateTime ge {} and (direction eq 'Incoming')", at(3)).as_str())
    );
}

#[test]
fn referrals_without_updated_date_time_are_delivered_once_before_any_watermark() {
    let mut state = SyncState::new(None).unwrap();
    assert!(state.observe(Some("x"), None));
    assert!(!state.observe(Some("x"), None));
    assert!(state.observe(Some("y"), Some("not a date")));
    assert!(state.observe(None, None)); // no id: delivered, not remembered
    let token = state.to_token();
    let mut again = SyncState::from_token(&token, None).unwrap();
    assert!(!again.observe(Some("y"), None));
    assert!(again.observe(Some("x"), Some(&at(1))));
    assert!(!again.observe(Some("z"), None), "behind a watermark, no date is old");
    assert_eq!(again.seen_at_watermark().collect::<Vec<_>>(), ["x"]);
}

#[test]
fn instants_compare_across_offsets_and_precision() {
    let mut state = SyncState::new(None).unwrap();
    assert!(state.observe(Some("a"), Some("2026-11-01T10:00:00.1234567Z")));
    // The same instant written with an offset: a repeat of `a`, a tie for `b`.
    assert!(!state.observe(Some("a"), Some("2026-11-01T11:00:00.1234567+01:00")));
    assert!(state.observe(Some("b"), Some("2026-11-01T11:00:00.1234567+01:00")));
    // 100 ns later is later.
    assert!(state.observe(Some("a"), Some("2026-11-01T10:00:00.1234568Z")));
    let query = state.query();
    assert_eq!(query.filter.as_deref(), Some("updatedDateTime ge 2026-11-01T10:00:00.1234568Z"));
}

// ---- tokens ------------------------------------------------------------------------------------

#[test]
fn tokens_round_trip_and_bad_ones_are_refused_naming_the_option() {
    let mut state = SyncState::new(Some("status eq 'New'")).unwrap();
    state.observe(Some("b"), Some(&at(7)));
    state.observe(Some("a"), Some(&at(7)));
    let token = state.to_token();
    assert_eq!(
        token,
        format!(
            r#"{{"v":{SYNC_TOKEN_VERSION},"filter":"status eq 'New'","watermark":"{}","seen":["a","b"]}}"#,
            at(7)
        )
    );
    assert_eq!(SyncState::from_token(&token, Some("status  eq  'New'")).unwrap(), state);
    assert_eq!(SyncState::new(None).unwrap().to_token(), r#"{"v":1,"seen":[]}"#);
    // Optional parts may be missing or null, and whitespace is JSON's.
    for fine in
        [r#"{"v":1}"#, r#" { "seen" : [ ] , "v" : 1 , "filter" : null, "watermark": null } "#]
    {
        assert_eq!(SyncState::from_token(fine, None).unwrap(), SyncState::new(None).unwrap());
    }

    let refused = |token: &str, filter: Option<&str>| -> (String, String) {
        let e = SyncState::from_token(token, filter).unwrap_err();
        assert_eq!(e.code(), ErrorCode::InvalidArgument);
        let Error::InvalidOption { name, .. } = &e else { panic!("{e:?}") };
        (name.to_string(), e.to_string())
    };
    for bad in [
        "",
        "{}",
        "not json",
        r#"{"v":2,"seen":[]}"#,
        r#"{"v":1,"seen":[],"extra":1}"#,
        r#"{"v":1,"watermark":"yesterday","seen":[]}"#,
        r#"{"v":1,"filter":"stauts eq 'New'","seen":[]}"#,
        r#"{"v":1,"seen":[1]}"#,
        // What serde's derived reader refused too: every wrong type, repeated or missing keys,
        // trailing text.
        r#"{"seen":[]}"#,
        r#"{"v":1.0,"seen":[]}"#,
        r#"{"v":1e0}"#,
        r#"{"v":-1}"#,
        r#"{"v":"1"}"#,
        r#"{"v":4294967297}"#,
        r#"{"v":1,"v":1}"#,
        r#"{"v":1,"seen":[],"seen":[]}"#,
        r#"{"v":1,"seen":null}"#,
        r#"{"v":1,"seen":"a"}"#,
        r#"{"v":1,"seen":[["a"]]}"#,
        r#"{"v":1,"filter":1.5}"#,
        r#"{"v":1,"watermark":false}"#,
        r#"{"v":1} x"#,
        "[]",
        "[null]",
        r#"[1,null,null,[],5]"#,
        r#"[1,2]"#,
        "1.5",
        "null",
        "\"v\"",
        "true",
    ] {
        let (name, message) = refused(bad, None);
        assert_eq!(name, "since", "{bad}: {message}");
    }
    let (name, message) = refused(&token, Some("status eq 'Active'"));
    assert_eq!(name, "filter");
    assert!(message.contains("is not the filter the sync token was made with"), "{message}");
    assert_eq!(refused(&token, None).0, "filter");
    // An invalid filter is the filter's own error.
    let e = SyncState::from_token(&token, Some("stauts eq 'New'")).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidFilter);
    assert_eq!(SyncState::new(Some("stauts eq 1")).unwrap_err().code(), ErrorCode::InvalidFilter);
}

#[test]
fn a_poll_has_a_request_limit() {
    let mut server = Server::new(1);
    for id in ["a", "b", "c"] {
        server.upsert(id, 1, "Incoming");
    }
    let mut state = SyncState::new(None).unwrap();
    state.observe(Some("z"), Some(&at(1)));
    let mut cursor = SyncCursor::with_max_requests(state, 2);
    let SyncStep::Query(q) = cursor.start() else { panic!() };
    let page = server.query(&q);
    cursor.observe(Some("a"), Some(&at(1)));
    let SyncStep::Follow(link) = cursor.after_page(page.next_link.as_deref()).unwrap() else {
        panic!("one instant: follow the link")
    };
    let page = server.follow(&link);
    cursor.observe(Some("b"), Some(&at(1)));
    let e = cursor.after_page(page.next_link.as_deref()).unwrap_err();
    assert_eq!(e.code(), ErrorCode::InvalidResponse);
    // What was observed is kept: the next poll goes on from there.
    let rest = poll(&mut server, Some(&cursor.state().to_token()), None, None, no_mutation);
    assert_eq!(ids(&rest.delivered), ["c"]);
}

// ---- randomised sequences ------------------------------------------------------------------------

/// SplitMix64: a seeded generator for reproducible sequences.
struct Rng(u64);
impl Rng {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }
    fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}

/// Random inserts and updates, random page sizes, polls stopped midway; either changes between
/// polls only, with a clock that often stands still (many ties, runs longer than a page), or
/// (`during_polls`) also between the pages of a poll, with a clock that always moves.
fn random_run(seed: u64, during_polls: bool) {
    let mut rng = Rng(seed);
    // With changes during a poll, pages hold at least two referrals: the run of referrals at
    // the watermark must be shorter than a page for the poll to stay on fresh queries (see
    // the module documentation of `sync`).
    let mut server = Server::new(if during_polls { 2 } else { 1 } + rng.below(4) as usize);
    let filter = (rng.below(2) == 0).then_some("direction eq 'Incoming'");
    let mut clock = 0i64;
    let mut next_id = 0;
    let mut token: Option<String> = None;
    let mut delivered: HashSet<(String, String)> = HashSet::new();

    let mutate = |server: &mut Server,
                  rng: &mut Rng,
                  clock: &mut i64,
                  next_id: &mut u32,
                  tick_always: bool| {
        if tick_always || rng.below(3) == 0 {
            *clock += 1;
        }
        let direction = if rng.below(4) == 0 { "Outgoing" } else { "Incoming" };
        if server.records.is_empty() || rng.below(2) == 0 {
            *next_id += 1;
            server.upsert(&format!("r{next_id:03}"), *clock, direction);
        } else {
            let i = rng.below(server.records.len() as u64) as usize;
            let id = server.records[i]["id"].as_str().unwrap().to_string();
            server.upsert(&id, *clock, direction);
        }
    };

    for round in 0..30 {
        for _ in 0..rng.below(8) {
            mutate(&mut server, &mut rng, &mut clock, &mut next_id, during_polls);
        }
        let stop_after = (rng.below(3) == 0).then(|| rng.below(4) as usize);
        let mid_poll = during_polls && rng.below(2) == 0;
        let mut inner = Rng(rng.next());
        let mut inner_clock = clock;
        let mut inner_id = next_id;
        let p = poll(&mut server, token.as_deref(), filter, stop_after, |s, _| {
            if mid_poll && inner.below(2) == 0 {
                mutate(s, &mut inner, &mut inner_clock, &mut inner_id, true);
            }
        });
        clock = inner_clock;
        next_id = inner_id;
        for v in &p.delivered {
            assert!(
                delivered.insert(v.clone()),
                "seed {seed} round {round}: {v:?} delivered twice"
            );
        }
        token = Some(p.token);
        if stop_after.is_none() {
            // A complete poll: every current version has been delivered.
            let missing: Vec<_> = server.versions(filter).difference(&delivered).cloned().collect();
            assert!(missing.is_empty(), "seed {seed} round {round}: missed {missing:?}");
        }
    }
}

#[test]
fn random_sequences_between_polls_never_miss_or_repeat() {
    for seed in 0..200 {
        random_run(seed, false);
    }
}

#[test]
fn random_sequences_with_changes_during_polls_never_miss_or_repeat() {
    for seed in 1000..1200 {
        random_run(seed, true);
    }
}
