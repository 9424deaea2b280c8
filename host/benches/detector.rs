//! The `inbox-rule` detector in its Wasm sandbox against the same logic
//! compiled natively, on the same batches.
//!
//! Both paths do the same host work around the detector (select the rows
//! and columns it reads, encode Arrow IPC, decode and validate its
//! findings); only the call differs: a wasmtime component call with epoch
//! checks and a memory cap, or a direct call through the SDK's harness.
//!
//! Run: `cargo bench -p palisade --bench detector`.

use std::collections::BTreeMap;
use std::hint::black_box;
use std::io::Cursor;
use std::sync::Arc;

use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use inbox_rule::InboxRule;
use palisade::normalize::{Event, EventBatchBuilder};
use palisade::runtime::{
    ComponentCache, DetectorEngine, DetectorSettings, DetectorSource, EventSelection,
    FindingStamper, Limits, MemoryStateStore, bundled_detectors,
};
use palisade_sdk::testing::Harness;

const ROWS: usize = 10_000;

/// Inbox rule changes, one in 50 of them hiding mail.
fn rule_changes(rows: usize) -> RecordBatch {
    let events: Vec<Event> = (0..rows)
        .map(|i| {
            let hiding = i % 50 == 0;
            let mut attrs = BTreeMap::new();
            attrs.insert(
                "Name".into(),
                if hiding {
                    "...".into()
                } else {
                    format!("rule {i}")
                },
            );
            let folder = if hiding { "RSS Feeds" } else { "Newsletters" };
            attrs.insert("MoveToFolder".into(), folder.into());
            if hiding {
                attrs.insert("MarkAsRead".into(), "True".into());
                attrs.insert("StopProcessingRules".into(), "True".into());
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

criterion_group!(benches, inbox_rule);
criterion_main!(benches);
