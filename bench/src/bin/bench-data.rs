//! Writes the inputs of the JS benchmarks into a directory:
//! `page-100.json` (the first page of 100 referrals out of 5 000, as the emulator sends it)
//! and `filters.json` (the documented filters, then the 50 realistic ones).
//!
//! usage: `bench-data <dir>`

use std::path::PathBuf;
use std::process::ExitCode;

use partner_referrals_bench::{filter_corpus, page_text, SEED};

fn main() -> ExitCode {
    let Some(dir) = std::env::args_os().nth(1).map(PathBuf::from) else {
        eprintln!("usage: bench-data <dir>");
        return ExitCode::from(2);
    };
    let page = page_text(100, 5000);
    let filters = serde_json::Value::from(filter_corpus()).to_string();
    let written = std::fs::create_dir_all(&dir)
        .and_then(|()| std::fs::write(dir.join("page-100.json"), &page))
        .and_then(|()| std::fs::write(dir.join("filters.json"), &filters));
    if let Err(e) = written {
        eprintln!("bench-data: cannot write to {}: {e}", dir.display());
        return ExitCode::FAILURE;
    }
    println!(
        "bench-data: seed {SEED}, page {} bytes, {} filters",
        page.len(),
        filter_corpus().len()
    );
    ExitCode::SUCCESS
}
