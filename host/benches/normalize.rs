//! Normalize throughput: a million synthetic records per format through
//! `FileReader` (framing, parsing, mapping): Microsoft 365 audit records
//! as JSON lines; Entra ID sign-in and audit records as Azure diagnostic
//! JSON lines and sign-ins as a Sentinel CSV export (the target for JSON
//! audit logs is 150,000 events/s on one core); Zeek dns records as TSV
//! (the target is 500,000 lines/s) and as JSON streaming lines.
//!
//! Run with `cargo bench -p palisade --bench normalize`, or name one
//! benchmark (`-- zeek_tsv`). Each input is generated once into a
//! temporary file (0.2 to 1.5 GB); before the timed samples, one pass
//! prints events/s and MB/s, with and without packing the events into
//! Arrow batches.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use palisade::ingest::FileReader;
use palisade::normalize::EventBatchBuilder;
use palisade::normalize::azure::testdata as azure;
use palisade::normalize::m365::testdata;
use palisade::normalize::zeek::testdata as zeek_testdata;

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
fn report(name: &str, path: &Path, bytes: u64, batch: bool) {
    let start = Instant::now();
    let events = normalize_file(path, batch);
    let secs = start.elapsed().as_secs_f64();
    let what = if batch {
        "read + normalize + Arrow batches"
    } else {
        "read + normalize"
    };
    eprintln!(
        "{name}, {what}: {events} events, {:.1} MB in {secs:.2} s: {:.0} events/s, {:.1} MB/s",
        bytes as f64 / 1e6,
        events as f64 / secs,
        bytes as f64 / 1e6 / secs,
    );
}

/// Writes a generated input file into `dir`; returns its path and size.
fn generate(
    dir: &Path,
    name: &str,
    write: impl FnOnce(&mut BufWriter<File>) -> std::io::Result<u64>,
) -> (PathBuf, u64) {
    let path = dir.join(name);
    let mut out = BufWriter::new(File::create(&path).expect("creating the input file"));
    let bytes = write(&mut out).expect("writing the input file");
    out.flush().expect("writing the input file");
    (path, bytes)
}

/// Reports one pass with and without Arrow batches, then times samples.
fn bench_file(c: &mut Criterion, name: &str, path: &Path, bytes: u64) {
    report(name, path, bytes, false);
    report(name, path, bytes, true);

    let mut group = c.benchmark_group("normalize");
    group.sample_size(10);
    group.sampling_mode(SamplingMode::Flat);
    group.warm_up_time(Duration::from_secs(1));
    group.measurement_time(Duration::from_secs(30));
    group.throughput(Throughput::Bytes(bytes));
    group.bench_function(name, |b| b.iter(|| normalize_file(path, false)));
    group.finish();
}

fn bench_normalize(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let (path, bytes) = generate(dir.path(), "audit.json", |out| {
        testdata::write_audit_lines(out, RECORDS)
    });
    bench_file(c, "m365_json_lines_1m", &path, bytes);
}

fn bench_zeek(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let (path, bytes) = generate(dir.path(), "dns.log", |out| {
        zeek_testdata::write_tsv(out, RECORDS)
    });
    bench_file(c, "zeek_tsv_1m", &path, bytes);
    let (path, bytes) = generate(dir.path(), "dns.json", |out| {
        zeek_testdata::write_json(out, RECORDS)
    });
    bench_file(c, "zeek_json_1m", &path, bytes);
}

/// Entra ID sign-ins and audit records as diagnostic JSON lines, and
/// sign-ins as a Sentinel CSV export.
fn bench_azure(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("creating a temporary folder");
    let (path, bytes) = generate(dir.path(), "signin.json", |out| {
        azure::write_lines(out, RECORDS, azure::signin_record)
    });
    bench_file(c, "entra_signin_json_1m", &path, bytes);
    let (path, bytes) = generate(dir.path(), "audit.json", |out| {
        azure::write_lines(out, RECORDS, azure::audit_record)
    });
    bench_file(c, "entra_audit_json_1m", &path, bytes);
    let (path, bytes) = generate(dir.path(), "signin.csv", |out| {
        azure::write_signin_csv(out, RECORDS)
    });
    bench_file(c, "entra_signin_sentinel_csv_1m", &path, bytes);
}

criterion_group!(benches, bench_normalize, bench_azure, bench_zeek);
criterion_main!(benches);
