//! Arbitrary bytes → the crate's JSON reader (`src/json.rs`) against
//! `serde_json::from_str::<Value>`, on the bytes as text (invalid UTF-8 replaced with U+FFFD,
//! so every input is used; valid UTF-8 is read as is). Invariants: no panic; both accept with
//! the same value, number kinds and float bits, or both refuse with the same reason, line and
//! column; `from_str_unique_root_keys` is `Some` exactly when the text is JSON whose root
//! repeats no key. The check is `src/json/differential.rs`, shared with the unit tests, which
//! also replay this target's corpus.
#![no_main]

use libfuzzer_sys::fuzz_target;
use partner_referrals::fuzzing::json_reader_matches_serde_json;

fuzz_target!(|data: &[u8]| {
    json_reader_matches_serde_json(&String::from_utf8_lossy(data));
});
