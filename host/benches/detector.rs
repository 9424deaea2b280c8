//! The bundled detectors in their Wasm sandbox against the same logic
//! compiled natively, on the same batches: `inbox-rule`; the detectors
//! that learn, `impossible-travel`, `rare-domain` and `email-link`; and the
//! story's later steps `account-change`, `outbound-mail` and
//! `insider-download`. Stateful detectors keep their state in a memory
//! store across iterations (so they run in the steady state of a warm
//! baseline); the learning ones run once more with the durable checkpoint,
//! saved after every batch, which is the state store's cost.
//!
//! Both paths do the same host work around the detector (select the rows
//! and columns it reads, encode Arrow IPC, decode and validate its
//! findings); only the call differs: a wasmtime component call with epoch
//! checks and a memory cap, or a direct call through the SDK's harness.
//!
//! Run: `cargo bench -p palisade --bench detector`.

use std::hint::black_box;
use std::io::Cursor;
use std::sync::Arc;

use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use inbox_rule::InboxRule;
use palisade::normalize::{Attrs, Event, EventBatchBuilder};
use palisade::runtime::{
    ComponentCache, DetectorEngine, DetectorSettings, DetectorSource, EventSelection,
    FindingStamper, Limits, MemoryStateStore, bundled_detectors,
};
use palisade::store::Checkpoint;
use palisade_sdk::testing::Harness;

// The binary's allocator, so the figures are the binary's.
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

const ROWS: usize = 10_000;

/// Inbox rule changes, one in 50 of them hiding mail.
fn rule_changes(rows: usize) -> RecordBatch {
    let events: Vec<Event> = (0..rows)
        .map(|i| {
            let hiding = i % 50 == 0;
            let mut attrs = Attrs::new();
            attrs.insert(
                "Name",
                if hiding {
                    "...".into()
                } else {
                    format!("rule {i}")
                },
            );
            let folder = if hiding { "RSS Feeds" } else { "Newsletters" };
            attrs.insert("MoveToFolder", folder.into());
            if hiding {
                attrs.insert("MarkAsRead", "True".into());
                attrs.insert("StopProcessingRules", "True".into());
            }
            Event {
                event_id: format!("e{i}"),
                time: 1_710_400_000_000_000 + i as i64 * 1_000_000,
                source: "m365",
                kind: "mailbox.rule_change".into(),
                action: Some("New-InboxRule".into()),
                user: Some(format!("user{}@corp.example", i % 250)),
                src_ip: Some(format!("203.0.113.{}", i % 250)),
                rule_name: attrs.get("Name").cloned(),
                attrs,
                ..Event::default()
            }
        })
        .collect();
    EventBatchBuilder::build(&events).expect("valid events")
}

fn encode(batch: &RecordBatch) -> Vec<u8> {
    let mut out = Cursor::new(Vec::new());
    let mut writer = StreamWriter::try_new(&mut out, &batch.schema()).unwrap();
    writer.write(batch).unwrap();
    writer.finish().unwrap();
    drop(writer);
    out.into_inner()
}

fn inbox_rule(c: &mut Criterion) {
    let events = rule_changes(ROWS);
    let engine = DetectorEngine::new(ComponentCache::disabled(), Limits::default()).unwrap();
    let bundled = bundled_detectors()
        .iter()
        .find(|b| b.package == "inbox-rule")
        .expect("inbox-rule is bundled");
    let source = DetectorSource {
        origin: "bundled:inbox-rule".into(),
        bytes: bundled.component.into(),
    };
    let mut wasm = engine
        .load(
            &source,
            &DetectorSettings::new(),
            Arc::new(MemoryStateStore::new()),
        )
        .unwrap();
    let d = wasm.description().clone();
    let selection = EventSelection::new(&d.kinds, &d.columns).unwrap();
    let stamper = FindingStamper::new(&d.name, &d.version, "native");
    let mut native = Harness::<InboxRule>::new();

    // Both paths must agree before their speed means anything.
    let from_wasm = wasm.detect(&events).unwrap().outcome.unwrap().unwrap();
    let selected = selection.apply(&events).unwrap().unwrap();
    let from_native = stamper
        .stamp(&native.detect_ipc(&encode(&selected)).unwrap())
        .unwrap()
        .unwrap();
    assert_eq!(from_wasm.num_rows(), ROWS / 50);
    assert_eq!(from_native.num_rows(), from_wasm.num_rows());

    let mut group = c.benchmark_group("inbox-rule");
    group.throughput(Throughput::Elements(ROWS as u64));
    group.bench_function("wasm", |b| {
        b.iter(|| black_box(wasm.detect(black_box(&events)).unwrap().outcome.unwrap()))
    });
    group.bench_function("native", |b| {
        b.iter(|| {
            let selected = selection.apply(black_box(&events)).unwrap().unwrap();
            let output = native.detect_ipc(&encode(&selected)).unwrap();
            black_box(stamper.stamp(&output).unwrap())
        })
    });
    group.finish();
}

/// One event of the mixed batches below.
fn event(i: usize, kind: &str, user: String) -> Event {
    Event {
        event_id: format!("e{i}"),
        time: 1_710_400_000_000_000 + i as i64 * 1_000_000,
        source: "bench",
        kind: kind.into(),
        outcome: Some("success".into()),
        user: Some(user),
        src_ip: Some(format!("203.0.113.{}", i % 20)),
        src_country: Some(if i.is_multiple_of(997) { "NL" } else { "US" }.into()),
        ..Event::default()
    }
}

/// Logins of 250 users, one row in 20 an MFA method registered.
fn account_changes(rows: usize) -> RecordBatch {
    let events: Vec<Event> = (0..rows)
        .map(|i| {
            let user = format!("user{}@corp.example", i % 250);
            if i % 20 == 19 {
                let mut e = event(i, "account.mfa_change", user);
                e.action = Some("User registered security info".into());
                e
            } else {
                event(i, "auth.login", user)
            }
        })
        .collect();
    EventBatchBuilder::build(&events).expect("valid events")
}

/// Messages sent by 250 users to colleagues, with a bounce-back now and
/// then.
fn mail(rows: usize) -> RecordBatch {
    let events: Vec<Event> = (0..rows)
        .map(|i| {
            let user = format!("user{}@corp.example", i % 250);
            let mut e = event(i, "email.message", user);
            e.email_to = vec![format!("user{}@corp.example", i % 97)];
            let bounce = i.is_multiple_of(40);
            let direction = if bounce { "Inbound" } else { "Intra-org" };
            e.attrs.insert("EmailDirection", direction.into());
            if bounce {
                e.email_from = Some("mailer-daemon@mx.example".into());
                e.email_subject = Some("Undeliverable: hello".into());
            }
            e
        })
        .collect();
    EventBatchBuilder::build(&events).expect("valid events")
}

/// Logins and Drive downloads of 250 users, a third of the files shared
/// externally.
fn downloads(rows: usize) -> RecordBatch {
    let events: Vec<Event> = (0..rows)
        .map(|i| {
            let user = format!("user{}@corp.example", i % 250);
            if i.is_multiple_of(4) {
                return event(i, "auth.login", user);
            }
            let mut e = event(i, "file.download", user);
            e.file_name = Some(format!("file {}.docx", i % 500));
            let visibility = if i.is_multiple_of(3) {
                "external"
            } else {
                "internal"
            };
            e.file_visibility = Some(visibility.into());
            e.attrs.insert("doc_id", format!("doc{}", i % 500));
            e
        })
        .collect();
    EventBatchBuilder::build(&events).expect("valid events")
}

/// Located logins of 250 users, each in one of five cities; a user moves
/// now and then, sometimes too fast.
fn logins(rows: usize) -> RecordBatch {
    const CITIES: [(&str, &str, f64, f64); 5] = [
        ("New York", "US", 40.71, -74.01),
        ("Chicago", "US", 41.88, -87.63),
        ("London", "GB", 51.51, -0.09),
        ("Amsterdam", "NL", 52.37, 4.90),
        ("Tokyo", "JP", 35.69, 139.69),
    ];
    let events: Vec<Event> = (0..rows)
        .map(|i| {
            let user = i % 250;
            let mut e = event(i, "auth.login", format!("user{user}@corp.example"));
            let (city, country, lat, lon) = CITIES[(user + i / 2000) % CITIES.len()];
            e.src_city = Some(city.into());
            e.src_country = Some(country.into());
            e.src_lat = Some(lat);
            e.src_lon = Some(lon);
            e
        })
        .collect();
    EventBatchBuilder::build(&events).expect("valid events")
}

/// DNS queries of 300 devices over 5,000 registered domains, a few of
/// them with machine-made names.
fn dns_queries(rows: usize) -> RecordBatch {
    let events: Vec<Event> = (0..rows)
        .map(|i| {
            let mut e = event(i, "dns.query", format!("user{}@corp.example", i % 300));
            let n = (i * 7919) % 5000;
            e.device = Some(format!("host-{}", i % 300));
            e.domain = Some(if n % 50 == 0 {
                format!("x{n:x}q9z7k.example{}.top", n % 17)
            } else {
                format!("www.site{n}.com")
            });
            e
        })
        .collect();
    EventBatchBuilder::build(&events).expect("valid events")
}

/// Inbound messages to 250 users from 2,000 senders, each with a link
/// row; a tenth of the links go to domains seen once.
fn inbound_mail(rows: usize) -> RecordBatch {
    let events: Vec<Event> = (0..rows)
        .map(|i| {
            let message = format!("m{}", i / 2);
            let sender = (i / 2) % 2000;
            let mut e = if i.is_multiple_of(2) {
                let mut e = event(i, "email.message", format!("user{}@corp.example", i % 250));
                e.email_from = Some(format!("news@sender{sender}.example"));
                e.email_to = vec![format!("user{}@corp.example", i % 250)];
                e.attrs.insert("EmailDirection", "Inbound".into());
                e
            } else {
                let mut e = event(i, "email.url", format!("user{}@corp.example", i % 250));
                let host = if i % 20 == 1 {
                    format!("link{i}.example")
                } else {
                    format!("sender{sender}.example")
                };
                e.url = Some(format!("https://{host}/view"));
                e.domain = Some(host);
                e
            };
            e.attrs.insert("NetworkMessageId", message);
            e
        })
        .collect();
    EventBatchBuilder::build(&events).expect("valid events")
}

/// Benchmarks bundled `package` in Wasm and natively (`D`) on `events`,
/// after checking both give the same findings on a fresh state.
fn wasm_and_native<D: palisade_sdk::Detector>(
    c: &mut Criterion,
    package: &str,
    events: RecordBatch,
) {
    let engine = DetectorEngine::new(ComponentCache::disabled(), Limits::default()).unwrap();
    let bundled = bundled_detectors()
        .iter()
        .find(|b| b.package == package)
        .expect("the detector is bundled");
    let source = DetectorSource {
        origin: format!("bundled:{package}"),
        bytes: bundled.component.into(),
    };
    let store = Arc::new(MemoryStateStore::new());
    let mut wasm = engine
        .load(&source, &DetectorSettings::new(), store)
        .unwrap();
    let d = wasm.description().clone();
    let selection = EventSelection::new(&d.kinds, &d.columns).unwrap();
    let stamper = FindingStamper::new(&d.name, &d.version, "native");
    let mut native = Harness::<D>::new();

    // No findings is `None`: a detector may stay quiet on its batch.
    let from_wasm = wasm.detect(&events).unwrap().outcome.unwrap();
    let selected = selection.apply(&events).unwrap().unwrap();
    let from_native = stamper
        .stamp(&native.detect_ipc(&encode(&selected)).unwrap())
        .unwrap();
    let rows = |b: Option<RecordBatch>| b.map_or(0, |b| b.num_rows());
    let findings = rows(from_wasm);
    assert_eq!(rows(from_native), findings, "{package}");
    eprintln!("{package}: {findings} findings on the first pass over the batch");

    let mut group = c.benchmark_group(package);
    group.throughput(Throughput::Elements(events.num_rows() as u64));
    group.bench_function("wasm", |b| {
        b.iter(|| black_box(wasm.detect(black_box(&events)).unwrap().outcome.unwrap()))
    });
    group.bench_function("native", |b| {
        b.iter(|| {
            let selected = selection.apply(black_box(&events)).unwrap().unwrap();
            let output = native.detect_ipc(&encode(&selected)).unwrap();
            black_box(stamper.stamp(&output).unwrap())
        })
    });
    group.finish();
}

/// The detectors that learn, in Wasm and natively, and the cost of their
/// state: the same Wasm calls with the durable checkpoint as the state
/// store, saved after every batch as a run saves it after a flush.
fn learning_detectors(c: &mut Criterion) {
    wasm_and_native::<impossible_travel::ImpossibleTravel>(c, "impossible-travel", logins(ROWS));
    wasm_and_native::<rare_domain::RareDomain>(c, "rare-domain", dns_queries(ROWS));
    wasm_and_native::<email_link::EmailLink>(c, "email-link", inbound_mail(ROWS));
    for (package, events) in [
        ("impossible-travel", logins(ROWS)),
        ("rare-domain", dns_queries(ROWS)),
        ("email-link", inbound_mail(ROWS)),
    ] {
        with_checkpoint(c, package, &events);
    }
}

/// Wasm calls of `package` over `events` with state in a checkpoint file,
/// saved after each call.
fn with_checkpoint(c: &mut Criterion, package: &str, events: &RecordBatch) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let checkpoint = Arc::new(Checkpoint::open(dir.path()).expect("opening a checkpoint"));
    let engine = DetectorEngine::new(ComponentCache::disabled(), Limits::default()).unwrap();
    let bundled = bundled_detectors()
        .iter()
        .find(|b| b.package == package)
        .expect("the detector is bundled");
    let source = DetectorSource {
        origin: format!("bundled:{package}"),
        bytes: bundled.component.into(),
    };
    let mut wasm = engine
        .load(&source, &DetectorSettings::new(), checkpoint.clone())
        .unwrap();
    let mut group = c.benchmark_group(package);
    group.throughput(Throughput::Elements(events.num_rows() as u64));
    group.bench_function("wasm + checkpoint", |b| {
        b.iter(|| {
            black_box(wasm.detect(black_box(events)).unwrap().outcome.unwrap());
            checkpoint.save().expect("saving the checkpoint");
        })
    });
    group.finish();
}

fn story_detectors(c: &mut Criterion) {
    wasm_and_native::<account_change::AccountChange>(c, "account-change", account_changes(ROWS));
    wasm_and_native::<outbound_mail::OutboundMail>(c, "outbound-mail", mail(ROWS));
    wasm_and_native::<insider_download::InsiderDownload>(c, "insider-download", downloads(ROWS));
}

criterion_group!(benches, inbox_rule, story_detectors, learning_detectors);
criterion_main!(benches);
