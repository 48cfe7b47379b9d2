//! Native throughput of the core (criterion): the groups of STYLE.md "Benchmarks, not timed
//! tests" — a typical filter, a generated 1000-term `or` filter, `check`, `eval` over 10 000
//! records, and page decode. Inputs come from the seeded data set of this crate's library.

use std::hint::black_box;

use criterion::{
    criterion_group, criterion_main, BenchmarkId, Criterion, SamplingMode, Throughput,
};
use partner_referrals::page::{decode_referral_page, validate_referral_page};
use partner_referrals::query::{self, check::check, validate_filter, Filter};
use partner_referrals::schema::REFERRAL;
use partner_referrals_bench::{
    filter_corpus, now, or_filter, page_text, referrals, TYPICAL_FILTER,
};

fn typical_filter(c: &mut Criterion) {
    let mut g = c.benchmark_group("typical_filter");
    g.throughput(Throughput::Bytes(TYPICAL_FILTER.len() as u64));
    g.bench_function("parse", |b| b.iter(|| query::parse(black_box(TYPICAL_FILTER))));
    g.bench_function("validate_filter", |b| {
        b.iter(|| validate_filter(black_box(TYPICAL_FILTER), true))
    });
    let corpus = filter_corpus();
    g.throughput(Throughput::Elements(corpus.len() as u64));
    g.bench_function("validate_filter_corpus", |b| {
        b.iter(|| {
            for f in &corpus {
                let _ = black_box(validate_filter(black_box(f), true));
            }
        })
    });
    g.finish();
}

fn or_1000(c: &mut Criterion) {
    let text = or_filter(1000);
    let mut g = c.benchmark_group("or_1000");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("parse", |b| b.iter(|| query::parse(black_box(&text))));
    g.bench_function("validate_filter", |b| b.iter(|| validate_filter(black_box(&text), true)));
    let expr = query::parse(&text).unwrap();
    g.bench_function("display", |b| b.iter(|| black_box(&expr).to_string()));
    g.finish();
}

fn check_group(c: &mut Criterion) {
    let mut g = c.benchmark_group("check");
    for (name, text) in [("typical", TYPICAL_FILTER.to_string()), ("or_1000", or_filter(1000))] {
        let expr = query::parse(&text).unwrap();
        g.bench_with_input(BenchmarkId::new("schema", name), &expr, |b, e| {
            b.iter(|| check(black_box(e), Some(&REFERRAL)))
        });
    }
    g.finish();
}

fn eval_group(c: &mut Criterion) {
    let records = referrals(10_000);
    let now = now();
    let mut g = c.benchmark_group("eval_10000");
    // Tens of milliseconds per iteration: the same iteration count in every sample.
    g.sampling_mode(SamplingMode::Flat);
    g.throughput(Throughput::Elements(records.len() as u64));
    for (name, text) in [
        ("typical", TYPICAL_FILTER.to_string()),
        ("contains_tolower", "contains(tolower(details/notes), 'migration') or contains(tolower(details/notes), 'copilot')".to_string()),
        ("date_range_and_deal", "createdDateTime ge 2025-05-01T00:00:00Z and createdDateTime lt 2025-06-01T00:00:00Z and details/dealValue ge 10000".to_string()),
        ("or_1000", or_filter(1000)),
    ] {
        let filter = Filter::parse(&text).unwrap();
        g.bench_with_input(BenchmarkId::new("matches", name), &filter, |b, f| {
            b.iter(|| records.iter().filter(|r| f.matches(black_box(r), now)).count())
        });
    }
    g.finish();
}

fn page_decode(c: &mut Criterion) {
    let text = page_text(100, 5000);
    let mut g = c.benchmark_group("page_decode_100");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("serde_json_value", |b| {
        b.iter(|| serde_json::from_str::<serde_json::Value>(black_box(&text)))
    });
    g.bench_function("validate_referral_page", |b| {
        b.iter(|| validate_referral_page(black_box(&text)))
    });
    g.bench_function("decode_referral_page", |b| b.iter(|| decode_referral_page(black_box(&text))));
    g.finish();
}

criterion_group!(benches, typical_filter, or_1000, check_group, eval_group, page_decode);
criterion_main!(benches);
