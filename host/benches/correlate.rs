//! Correlation cost: one batch of new findings correlated against a live
//! window of 100,000 findings (all bundled rules, the incident builder,
//! eviction), and one run of the account-takeover rule alone over that
//! window.
//!
//! Run: `cargo bench -p palisade --bench correlate`.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use palisade::correlate::{Correlator, Finding, RuleRunner, bundled_rules, testdata};

// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Findings in the window.
const WINDOW: usize = 100_000;
/// New findings per batch.
const BATCH: usize = 100;
/// 2024-03-14T00:00:00Z.
const START: i64 = 1_710_374_400_000_000;
/// The window's span: the account-takeover rule's 72 hours.
const SPAN: i64 = 72 * 3_600_000_000;

fn window_of(findings: usize) -> Correlator {
    let mut correlator = Correlator::new(bundled_rules()).expect("runtime starts");
    let rows = testdata::findings("w", findings, START, SPAN);
    for chunk in rows.chunks(8_192) {
        correlator
            .observe_findings(&Finding::to_batch(chunk))
            .expect("findings schema");
    }
    correlator.correlate().expect("rules run");
    correlator
}

fn batch_latency(c: &mut Criterion) {
    let mut correlator = window_of(WINDOW);
    let mut round = 0;
    let mut group = c.benchmark_group("correlate");
    group.sample_size(10);
    group.bench_function("batch of 100 with 100k findings in the window", |b| {
        b.iter(|| {
            // Each batch is new findings just after the window's end.
            round += 1;
            let fresh = testdata::findings(&format!("b{round}-"), BATCH, START + SPAN, 1_000_000);
            correlator
                .observe_findings(&Finding::to_batch(&fresh))
                .expect("findings schema");
            black_box(correlator.correlate().expect("rules run"))
        })
    });
    group.finish();
}

fn rule_run(c: &mut Criterion) {
    let correlator = window_of(WINDOW);
    let runner = RuleRunner::new().expect("runtime starts");
    let rules: Vec<_> = bundled_rules()
        .into_iter()
        .filter(|r| r.name == "account_takeover")
        .collect();
    let mut group = c.benchmark_group("correlate");
    group.sample_size(10);
    group.bench_function("account_takeover rule over 100k findings", |b| {
        b.iter(|| black_box(runner.run(&rules, correlator.window()).expect("rule runs")))
    });
    group.finish();
}

criterion_group!(benches, batch_latency, rule_run);
criterion_main!(benches);
