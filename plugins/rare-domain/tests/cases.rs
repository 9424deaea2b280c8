//! The detector's behaviour cases in `cases/*.json`, run natively through
//! the SDK harness, and the split-run property.

use palisade_sdk::testing::{FindingRow, Harness, TestEvent, assert_cases_in_dir};
use rare_domain::RareDomain;

#[test]
fn behaviour_cases() {
    assert_cases_in_dir::<RareDomain>(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
}

#[test]
fn an_invalid_setting_rejects_the_configuration() {
    let err = Harness::<RareDomain>::new()
        .with_setting("learning_days", "a week")
        .configure()
        .unwrap_err();
    assert!(err.to_string().contains("learning_days"), "{err}");
}

const HOUR: i64 = 3_600_000_000;

/// Four days of DNS from 40 devices: each queries a few of 30 common
/// domains every hour, and now and then a domain of its own or one shared
/// by a few devices (new to the organisation).
fn queries() -> Vec<TestEvent> {
    let mut seed: u64 = 11;
    let mut next = move || {
        seed = seed.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        seed >> 33
    };
    let mut events = Vec::new();
    for hour in 0..96 {
        for q in 0..60 {
            let r = next();
            let device = r % 40;
            let domain = match r % 50 {
                0 => format!("own{}-{}.com", device, hour / 6),
                1 => format!("shared{}.net", hour % 17),
                2 => format!("x{}q{}z{}k{}.biz", r % 7, hour % 5, hour, q % 3),
                n => format!("www.common{}.org", n % 30),
            };
            events.push(
                TestEvent::new("dns.query")
                    .with("event_id", format!("h{hour}q{q}"))
                    .with("time", 1_700_000_000_000_000 + hour * HOUR + q * 50_000_000)
                    .with("device", format!("ws{device:02}"))
                    .with("domain", domain),
            );
        }
    }
    events
}

fn sorted(mut rows: Vec<FindingRow>) -> Vec<FindingRow> {
    rows.sort_by(|a, b| (a.time, &a.event_ids, &a.kind).cmp(&(b.time, &b.event_ids, &b.kind)));
    rows
}

#[test]
fn a_run_split_in_two_finds_what_one_run_finds() {
    let events = queries();
    let harness = || {
        Harness::<RareDomain>::new()
            .with_setting("learning_days", "1")
            .with_setting("min_severity", "0")
    };
    let whole = harness().run(&events);
    assert!(
        whole.len() > 20,
        "the sample should give findings: {}",
        whole.len()
    );
    assert!(whole.iter().any(|f| f.kind == rare_domain::WAVE));

    // Each half arrives unsorted, as batches may.
    let (first, second) = events.split_at(events.len() * 2 / 5);
    let reversed = |half: &[TestEvent]| half.iter().rev().cloned().collect::<Vec<_>>();
    let mut split = harness();
    let mut findings = split.run(&reversed(first));
    findings.extend(split.run(&reversed(second)));
    assert_eq!(sorted(findings), sorted(whole));
}

#[test]
fn state_stays_small() {
    let mut harness = Harness::<RareDomain>::new().with_setting("learning_days", "1");
    harness.run(&queries());
    let largest = harness.state().values().map(Vec::len).max().unwrap_or(0);
    assert!(largest < 200, "largest state value: {largest} bytes");
}
