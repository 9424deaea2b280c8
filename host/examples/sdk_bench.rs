//! Rows per second of the same detector written with each SDK, in the
//! sandbox: the off-hours login examples in Rust, Python and JavaScript.
//!
//! Each measured call gets a fresh instance (loaded from the compiled-
//! artifact cache, not timed), so every call does the full work: decode
//! the batch, judge every login, write state and encode its findings. The
//! time includes the host's side of a call (select, encode, validate).
//!
//! Build the components, then run (a release build of the host gives
//! figures closer to production; a debug host slows the host's side):
//!
//! ```text
//! palisade plugin build sdk/rust/examples/off-hours-login
//! palisade plugin build sdk/python/examples/off-hours-login
//! palisade plugin build sdk/js/examples/off-hours-login
//! cargo run -p palisade --example sdk_bench -- \
//!     rust=sdk/rust/examples/off-hours-login/dist/off-hours-login.wasm \
//!     python=sdk/python/examples/off-hours-login/dist/off-hours-login.wasm \
//!     js=sdk/js/examples/off-hours-login/dist/off-hours-login.wasm
//! ```

use std::sync::Arc;
use std::time::{Duration, Instant};

use palisade::normalize::{Event, EventBatchBuilder};
use palisade::runtime::{
    ComponentCache, DetectorEngine, DetectorSettings, DetectorSource, Limits, MemoryStateStore,
};

const ROWS: usize = 10_000;
const CALLS: u32 = 5;

/// Logins of 500 users over a week, one every minute.
fn logins() -> arrow::record_batch::RecordBatch {
    let events: Vec<Event> = (0..ROWS)
        .map(|i| Event {
            event_id: format!("e{i}"),
            time: 1_709_251_200_000_000 + i as i64 * 60_000_000,
            source: "entra",
            kind: "auth.login".into(),
            outcome: Some(if i % 10 == 0 { "failure" } else { "success" }.into()),
            user: Some(format!("user{}@corp.example", i % 500)),
            src_ip: Some(format!("203.0.113.{}", i % 250)),
            src_country: Some("US".into()),
            ..Event::default()
        })
        .collect();
    EventBatchBuilder::build(&events).expect("valid events")
}

fn main() {
    let engine = DetectorEngine::new(
        ComponentCache::in_dir(std::env::temp_dir().join("palisade-sdk-bench")),
        Limits::default(),
    )
    .expect("an engine");
    let batch = logins();
    println!("{ROWS} auth.login rows per call, {CALLS} calls each");
    for arg in std::env::args().skip(1) {
        let (label, path) = arg.split_once('=').unwrap_or(("?", &arg));
        let source = DetectorSource::from_file(path.as_ref()).expect("a component file");
        let mut total = Duration::ZERO;
        let mut findings = 0;
        // Call 0 compiles into the cache and warms up; it is not counted.
        for call in 0..=CALLS {
            let mut detector = engine
                .load(
                    &source,
                    &DetectorSettings::new(),
                    Arc::new(MemoryStateStore::new()),
                )
                .expect("the detector loads");
            let start = Instant::now();
            let report = detector.detect(&batch).expect("rows of its kind");
            if call > 0 {
                total += start.elapsed();
            }
            findings = report
                .outcome
                .expect("no failure")
                .map_or(0, |b| b.num_rows());
        }
        let per_call = total / CALLS;
        println!(
            "{label:>8}: {:>9.0} rows/s ({:.1} ms per call, {} findings)",
            ROWS as f64 / per_call.as_secs_f64(),
            per_call.as_secs_f64() * 1e3,
            findings
        );
    }
}
