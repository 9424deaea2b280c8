//! Normalize throughput: a million synthetic records of each format
//! through `FileReader` (framing, parsing, mapping): Microsoft 365 audit
//! records as JSON lines; Entra ID sign-in and audit records as Azure
//! diagnostic JSON lines; sign-ins as a Sentinel CSV export.
//!
//! Run with `cargo bench -p palisade --bench normalize`. Each input is
//! generated once into a temporary file (0.7 to 1.5 GB); before the timed
//! samples, one pass prints events/s and MB/s, with and without packing
//! the events into Arrow batches.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use palisade::ingest::FileReader;
use palisade::normalize::EventBatchBuilder;
use palisade::normalize::azure::testdata as azure;
use palisade::normalize::m365::testdata;

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

fn bench_normalize(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let path = dir.path().join("audit.json");
    let mut out = BufWriter::new(File::create(&path).expect("creating the input file"));
    let bytes = testdata::write_audit_lines(&mut out, RECORDS).expect("writing the input file");
    out.flush().expect("writing the input file");
    drop(out);

    report(&path, bytes, false);
    report(&path, bytes, true);

    let mut group = c.benchmark_group("normalize");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function("m365_json_lines_1m", |b| {
        b.iter(|| normalize_file(&path, false))
    });
    group.finish();
}

/// Generates a file with `write`, prints its rates, and times it as
/// `name`.
fn bench_generated(
    c: &mut Criterion,
    name: &str,
    file: &str,
    write: impl FnOnce(&mut BufWriter<File>) -> io::Result<u64>,
) {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let path = dir.path().join(file);
    let mut out = BufWriter::new(File::create(&path).expect("creating the input file"));
    let bytes = write(&mut out).expect("writing the input file");
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

/// Entra ID sign-ins and audit records as diagnostic JSON lines, and
/// sign-ins as a Sentinel CSV export (target: 150,000 events/s).
fn bench_azure(c: &mut Criterion) {
    bench_generated(c, "entra_signin_json_1m", "signin.json", |out| {
        azure::write_lines(out, RECORDS, azure::signin_record)
    });
    bench_generated(c, "entra_audit_json_1m", "audit.json", |out| {
        azure::write_lines(out, RECORDS, azure::audit_record)
    });
    bench_generated(c, "entra_signin_sentinel_csv_1m", "signin.csv", |out| {
        azure::write_signin_csv(out, RECORDS)
    });
}

criterion_group!(benches, bench_normalize, bench_azure);
criterion_main!(benches);
