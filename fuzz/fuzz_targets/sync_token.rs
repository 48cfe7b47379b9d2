//! Arbitrary text → `SyncState::from_token` (without a filter, with the token's own filter,
//! with another one) and `client::parse_error_body`. The invariants are fuzz/invariants.rs,
//! shared with tests/fuzz_corpus.rs, which replays this target's corpus in `cargo test`.
#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "../invariants.rs"]
mod invariants;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    invariants::sync_token(&text);
    invariants::error_body(&text);
});
