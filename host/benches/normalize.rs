//! Normalize throughput: a million synthetic records per format through
//! `FileReader` (framing, parsing, mapping), on one thread:
//!
//! - Microsoft 365 audit records as JSON lines;
//! - Entra ID sign-in and audit records as Azure diagnostic JSON lines, and
//!   sign-ins as a Sentinel CSV export;
//! - Defender email records (messages, links, clicks) as streaming JSON;
//! - Cisco Umbrella DNS rows as a CSV export;
//! - Google Workspace Reports API activities and Okta System Log events as
//!   JSON lines;
//! - Zeek dns records as TSV and as JSON streaming lines.
//!
//! Targets: 150,000 events/s for JSON audit logs, 500,000 lines/s for Zeek
//! TSV. Run with `cargo bench -p palisade --bench normalize`, or name some
//! (`-- 'zeek|okta'`). Each input is generated once into a temporary file (0.2 to
//! 1.7 GB); before the timed samples, one pass prints events/s and MB/s,
//! with and without packing the events into Arrow batches.

use std::fs::File;
use std::io::{self, BufWriter, Write};
use std::path::Path;
use std::time::{Duration, Instant};

use cpu_time::ThreadTime;
use criterion::{Criterion, SamplingMode, Throughput, criterion_group, criterion_main};
use palisade::ingest::FileReader;
use palisade::normalize::EventBatchBuilder;
use palisade::normalize::{azure, gws, m365, okta, umbrella, zeek};

// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// Records in each generated file.
const RECORDS: u64 = 1_000_000;

/// Records per chunk, as the pipeline reads them.
const CHUNK: usize = 8192;

/// Writes `n` records of one format; returns the bytes written.
type Generator = fn(&mut BufWriter<File>, u64) -> io::Result<u64>;

/// Every benchmark: its name, the generated file's name and its generator.
const FORMATS: [(&str, &str, Generator); 10] = [
    ("m365_json_lines_1m", "audit.json", |out, n| {
        m365::testdata::write_audit_lines(out, n)
    }),
    ("entra_signin_json_1m", "signin.json", |out, n| {
        azure::testdata::write_lines(out, n, azure::testdata::signin_record)
    }),
    ("entra_audit_json_1m", "entra_audit.json", |out, n| {
        azure::testdata::write_lines(out, n, azure::testdata::audit_record)
    }),
    ("entra_signin_sentinel_csv_1m", "signin.csv", |out, n| {
        azure::testdata::write_signin_csv(out, n)
    }),
    ("defender_email_json_1m", "email.json", |out, n| {
        azure::testdata::write_lines(out, n, azure::testdata::email_record)
    }),
    ("umbrella_csv_1m", "umbrella.csv", |out, n| {
        umbrella::testdata::write_csv(out, n)
    }),
    ("gws_json_lines_1m", "gws.json", |out, n| {
        gws::testdata::write_activity_lines(out, n)
    }),
    ("okta_json_lines_1m", "okta.json", |out, n| {
        okta::testdata::write_log_lines(out, n)
    }),
    ("zeek_tsv_1m", "dns.log", |out, n| {
        zeek::testdata::write_tsv(out, n)
    }),
    ("zeek_json_1m", "dns.json", |out, n| {
        zeek::testdata::write_json(out, n)
    }),
];

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

/// Times one pass and prints its rates, by the wall clock and by the
/// thread's CPU time: on a shared machine the second is the rate one
/// core gives.
fn report(name: &str, path: &Path, bytes: u64, batch: bool) {
    let start = Instant::now();
    let cpu = ThreadTime::now();
    let events = normalize_file(path, batch);
    let cpu = cpu.elapsed().as_secs_f64();
    let secs = start.elapsed().as_secs_f64();
    let what = if batch {
        "read + normalize + Arrow batches"
    } else {
        "read + normalize"
    };
    let mb = bytes as f64 / 1e6;
    eprintln!(
        "{name}, {what}: {events} events, {mb:.1} MB in {secs:.2} s ({cpu:.2} s CPU): \
         {:.0} events/s, {:.1} MB/s; per CPU second {:.0} events/s, {:.1} MB/s",
        events as f64 / secs,
        mb / secs,
        events as f64 / cpu,
        mb / cpu,
    );
}

fn bench_normalize(c: &mut Criterion) {
    // Criterion takes one filter; `a|b` selects several formats.
    let filter: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| !a.starts_with('-'))
        .flat_map(|a| a.split('|').map(str::to_owned).collect::<Vec<_>>())
        .collect();
    for (name, file, generate) in FORMATS {
        // Generating a gigabyte is the slow part: skip unselected formats.
        if !filter.is_empty() && !filter.iter().any(|f| name.contains(f.as_str())) {
            continue;
        }
        let dir = tempfile::tempdir().expect("creating a temporary folder");
        let path = dir.path().join(file);
        let mut out = BufWriter::new(File::create(&path).expect("creating the input file"));
        let bytes = generate(&mut out, RECORDS).expect("writing the input file");
        out.flush().expect("writing the input file");
        drop(out);

        report(name, &path, bytes, false);
        report(name, &path, bytes, true);

        let mut group = c.benchmark_group("normalize");
        group.sample_size(10);
        group.sampling_mode(SamplingMode::Flat);
        group.warm_up_time(Duration::from_secs(1));
        group.measurement_time(Duration::from_secs(20));
        group.throughput(Throughput::Bytes(bytes));
        group.bench_function(name, |b| b.iter(|| normalize_file(&path, false)));
        group.finish();
    }
}

criterion_group!(benches, bench_normalize);
criterion_main!(benches);
