//! Normalize throughput: a million synthetic records of each format, as
//! JSON lines, through `FileReader` (framing, parsing, mapping): Microsoft
//! 365 audit records, Google Workspace Reports API activities and Okta
//! System Log events.
//!
//! Run with `cargo bench -p palisade --bench normalize`. Each input is generated once into a temporary
//! file (about 0.9 GB for M365, 0.8 GB for Google Workspace, 1.7 GB for
//! Okta); before the timed samples, one pass prints events/s and MB/s, with
//! and without packing the events into Arrow batches.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use palisade::ingest::FileReader;
use palisade::normalize::EventBatchBuilder;
use palisade::normalize::{gws, m365, okta};

/// Records in the generated file.
const RECORDS: u64 = 1_000_000;

/// Records per chunk, as the pipeline reads them.
const CHUNK: usize = 8192;

/// Reads the whole file; returns the number of events. With `batch`, the
/// events of each chunk are also packed into an Arrow batch.
fn normalize_file(path: &Path, batch: bool) -> u64 {
    let mut reader = FileReader::open(path).expect("opening the generated file");
    let mut events = 0;
    while let Some(chunk) = reader
        .next_chunk(CHUNK)
        .expect("reading the generated file")
    {
        assert!(
            chunk.dead_letters.is_empty(),
            "{:?}",
            chunk.dead_letters.first()
        );
        events += chunk.events.len() as u64;
        if batch {
            let rows = EventBatchBuilder::build(&chunk.events).expect("packing events");
            assert_eq!(rows.num_rows(), chunk.events.len());
        }
    }
    events
}

/// Times one pass and prints its rates.
fn report(path: &Path, bytes: u64, batch: bool) {
    let start = Instant::now();
    let events = normalize_file(path, batch);
    let secs = start.elapsed().as_secs_f64();
    let what = if batch {
        "read + normalize + Arrow batches"
    } else {
        "read + normalize"
    };
    eprintln!(
        "{what}: {events} events, {:.1} MB in {secs:.2} s: {:.0} events/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        events as f64 / secs,
        bytes as f64 / 1e6 / secs,
    );
}

/// Writes `RECORDS` records of one format as JSON lines; returns the bytes.
type Generator = fn(&mut BufWriter<File>, u64) -> std::io::Result<u64>;

/// Generates the input of benchmark `name`, prints its rates, and times it.
fn bench_format(c: &mut Criterion, name: &str, generate: Generator) {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let path = dir.path().join(format!("{name}.json"));
    let mut out = BufWriter::new(File::create(&path).expect("creating the input file"));
    let bytes = generate(&mut out, RECORDS).expect("writing the input file");
    out.flush().expect("writing the input file");
    drop(out);

    eprintln!("{name}:");
    report(&path, bytes, false);
    report(&path, bytes, true);

    let mut group = c.benchmark_group("normalize");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function(name, |b| b.iter(|| normalize_file(&path, false)));
    group.finish();
}

fn bench_m365(c: &mut Criterion) {
    bench_format(c, "m365_json_lines_1m", |out, n| {
        m365::testdata::write_audit_lines(out, n)
    });
}

fn bench_gws(c: &mut Criterion) {
    bench_format(c, "gws_json_lines_1m", |out, n| {
        gws::testdata::write_activity_lines(out, n)
    });
}

fn bench_okta(c: &mut Criterion) {
    bench_format(c, "okta_json_lines_1m", |out, n| {
        okta::testdata::write_log_lines(out, n)
    });
}

criterion_group!(benches, bench_m365, bench_gws, bench_okta);
criterion_main!(benches);
