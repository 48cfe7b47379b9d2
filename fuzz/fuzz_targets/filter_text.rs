//! Arbitrary UTF-8 → `validate_filter` in both modes. Invariants: no panic (a panic is a
//! wasm trap for the caller), and an accepted filter's canonical form is accepted as itself
//! in the same mode, with the same fields. The schema-checked result implies the syntax-only
//! one. A filter that parses evaluates without panicking.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partner_referrals::datetime::DateTimeOffset;
use partner_referrals::query::{self, validate_filter, Filter};

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else { return };
    let mut accepted = [false; 2];
    for (i, schema) in [false, true].into_iter().enumerate() {
        if let Ok(info) = validate_filter(text, schema) {
            accepted[i] = true;
            let again = validate_filter(&info.canonical, schema)
                .unwrap_or_else(|e| panic!("{text:?} -> {:?} fails: {e}", info.canonical));
            assert_eq!(again, info, "{text:?}");
        }
    }
    assert!(!accepted[1] || accepted[0], "schema mode accepts what syntax-only rejects: {text:?}");
    if let Ok(expr) = query::parse(text) {
        let now = DateTimeOffset::from_unix_millis(0);
        let record = serde_json::json!({"status": "New", "team": [{"email": "a"}], "x": 1});
        let _ = query::eval::matches(&expr, &record, None, now);
    }
    if let Ok(filter) = Filter::parse(text) {
        let q =
            query::ReferralQuery { filter: Some(filter.canonical().into()), ..Default::default() };
        let built = query::build_query(&q).expect("a valid filter builds");
        let back = query::parse_query_string(&built).expect("a built query reads back");
        assert_eq!(back.filter.as_deref(), Some(filter.canonical()));
    }
});
