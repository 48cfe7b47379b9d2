//! Replays the fuzz corpora (`fuzz/corpus/<target>/`: the seeds, and any crash a fuzz run
//! found, added with `git add -f`) with the fuzz targets' invariants, so they run in
//! `cargo test` without nightly or cargo-fuzz.
#![cfg(not(target_arch = "wasm32"))]

/// `sync_token`'s invariants, the very code the fuzz target runs.
#[path = "../fuzz/invariants.rs"]
mod invariants;

use std::path::Path;

use partner_referrals::page::{decode_referral_page, validate_referral_page};
use partner_referrals::query::validate_filter;

fn corpus(target: &str) -> Vec<(String, Vec<u8>)> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("fuzz/corpus").join(target);
    let mut files: Vec<(String, Vec<u8>)> = std::fs::read_dir(&dir)
        .unwrap_or_else(|e| panic!("{}: {e}", dir.display()))
        .map(|entry| {
            let path = entry.unwrap().path();
            (path.display().to_string(), std::fs::read(&path).unwrap())
        })
        .collect();
    files.sort();
    assert!(!files.is_empty(), "{target}: no corpus");
    files
}

#[test]
fn filter_text_corpus_keeps_the_fuzz_invariants() {
    let mut valid = 0;
    for (name, bytes) in corpus("filter_text") {
        let Ok(text) = std::str::from_utf8(&bytes) else { continue };
        let mut accepted = [false; 2];
        for (i, schema) in [false, true].into_iter().enumerate() {
            if let Ok(info) = validate_filter(text, schema) {
                accepted[i] = true;
                assert_eq!(validate_filter(&info.canonical, schema), Ok(info), "{name}");
            }
        }
        assert!(!accepted[1] || accepted[0], "{name}");
        valid += usize::from(accepted[1]);
    }
    assert!(valid >= 6, "the documented seeds are schema-valid");
}

#[test]
fn page_corpus_keeps_the_fuzz_invariants() {
    for (name, bytes) in corpus("page_bytes") {
        let text = String::from_utf8_lossy(&bytes);
        let decoded = decode_referral_page(&text);
        assert_eq!(decoded.as_ref().err(), validate_referral_page(&text).as_ref().err(), "{name}");
        if let Ok(page) = decoded {
            assert!(serde_json::to_value(&page).unwrap().is_object(), "{name}");
        }
    }
}

#[test]
fn sync_token_corpus_keeps_the_fuzz_invariants() {
    let mut accepted = 0;
    for (name, bytes) in corpus("sync_token") {
        let text = String::from_utf8_lossy(&bytes);
        println!("{name}");
        invariants::sync_token(&text);
        invariants::error_body(&text);
        accepted +=
            usize::from(partner_referrals::sync::SyncState::from_token(&text, None).is_ok());
    }
    assert!(accepted >= 2, "the corpus holds tokens that to_token wrote");
}
