//! The detector's behaviour cases in `cases/*.json`, run natively through
//! the SDK harness (the same Arrow encoding the Wasm component sees), and
//! the promise that state, not memory, carries what it learns.

use palisade_sdk::testing::{FindingRow, Harness, TestEvent, assert_cases_in_dir};
use rare_domain::RareDomain;

#[test]
fn behaviour_cases() {
    assert_cases_in_dir::<RareDomain>(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
}

#[test]
fn an_invalid_setting_rejects_the_configuration() {
    let err = Harness::<RareDomain>::new()
        .with_setting("allow_domains", "intranet")
        .configure()
        .unwrap_err();
    assert!(err.to_string().contains("allow_domains"), "{err}");
}

const HOUR: i64 = 3_600_000_000;
const START: i64 = 1_709_280_000_000_000;

/// Forty devices: a learning week of common lookups, then ten days in
/// which some devices reach new domains, alone or in waves.
fn lookups() -> Vec<TestEvent> {
    let mut events = Vec::new();
    let mut push = |time: i64, device: usize, domain: String| {
        let n = events.len();
        events.push(
            TestEvent::new("dns.query")
                .with("event_id", format!("e{n:04}"))
                .with("time", time)
                .with("device", format!("ws{device:02}"))
                .with("domain", domain)
                .attr("answers", &format!("192.0.2.{}", n % 200)),
        );
    };
    for day in 0..17_i64 {
        for device in 0..40 {
            let time = START + day * 24 * HOUR + device as i64 * 60_000_000;
            push(time, device, format!("www.common{}.com", device % 5));
            // Every few days a device wanders off somewhere new; now and
            // then several devices follow the same new domain.
            if (day as usize + device).is_multiple_of(13) {
                push(time + HOUR, device, format!("rare-{day}-{device}.net"));
            }
            if day % 4 == 1 && device.is_multiple_of(9) {
                push(time + 2 * HOUR, device, format!("www.phish-wave{day}.top"));
            }
        }
    }
    events
}

fn sorted(mut rows: Vec<FindingRow>) -> Vec<FindingRow> {
    rows.sort_by(|a, b| (a.time, &a.kind, &a.event_ids).cmp(&(b.time, &b.kind, &b.event_ids)));
    rows
}

#[test]
fn a_run_split_in_two_finds_what_one_run_finds() {
    let events = lookups();
    let whole = Harness::<RareDomain>::new().run(&events);
    for kind in [rare_domain::RARE, rare_domain::WAVE] {
        assert!(whole.iter().any(|f| f.kind == kind), "no {kind} finding");
    }

    let (first, second) = events.split_at(events.len() * 3 / 5);
    let mut harness = Harness::<RareDomain>::new();
    let mut split = harness.run(&first.iter().rev().cloned().collect::<Vec<_>>());
    // A restart: the detector is configured anew, the state is kept.
    let mut harness = harness.with_setting("max_devices", "3");
    split.extend(harness.run(second));

    assert_eq!(sorted(split), sorted(whole));
}

#[test]
fn state_is_small_keys_per_device_and_domain() {
    let mut harness = Harness::<RareDomain>::new();
    harness.run(&lookups());
    let state = harness.state();
    let count = |prefix: &str| state.keys().filter(|k| k.starts_with(prefix)).count();
    assert_eq!(count("device/"), 40);
    assert!(state.contains_key("meta"));
    assert_eq!(count("domain/"), state.len() - 41);
    let largest = state.values().map(Vec::len).max().unwrap_or(0);
    assert!(largest < 600, "a value of {largest} bytes");
}
