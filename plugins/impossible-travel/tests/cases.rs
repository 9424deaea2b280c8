//! The detector's behaviour cases in `cases/*.json`, run natively through
//! the SDK harness (the same Arrow encoding the Wasm component sees), and
//! the promise that state, not memory, carries what it learns.

use impossible_travel::ImpossibleTravel;
use palisade_sdk::testing::{FindingRow, Harness, TestEvent, assert_cases_in_dir};

#[test]
fn behaviour_cases() {
    assert_cases_in_dir::<ImpossibleTravel>(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
}

#[test]
fn an_invalid_setting_rejects_the_configuration() {
    let err = Harness::<ImpossibleTravel>::new()
        .with_setting("max_speed_kmh", "fast")
        .configure()
        .unwrap_err();
    assert!(err.to_string().contains("max_speed_kmh"), "{err}");
}

/// Logins of a few users hopping between cities every few hours, with an
/// attacker's logins mixed in, in a scrambled order within each half.
fn logins() -> Vec<TestEvent> {
    const CITIES: [(&str, &str, f64, f64); 5] = [
        ("London", "GB", 51.5142, -0.0931),
        ("Linköping", "SE", 58.4167, 15.6167),
        ("Tokyo", "JP", 35.6895, 139.6917),
        ("Milton", "US", 47.2513, -122.3149),
        ("Amsterdam", "NL", 52.3676, 4.9041),
    ];
    let hour = 3_600_000_000_i64;
    let start = 1_709_280_000_000_000_i64;
    (0..120_i64)
        .map(|i| {
            let user = format!("user{}@corp.example", i % 4);
            // Mostly at home, sometimes a flight, now and then the attacker.
            let city = match i % 11 {
                7 => 2,
                3 => 4,
                _ => (i % 4) as usize % 2,
            };
            let (name, country, lat, lon) = CITIES[city];
            let jitter = (i * 7919) % 5;
            TestEvent::new("auth.login")
                .with("event_id", format!("e{i:03}"))
                .with("time", start + i * hour / 2 + jitter)
                .with("user", user)
                .with("src_ip", format!("81.2.{}.{}", city, i % 250))
                .with("src_country", country)
                .with("src_city", name)
                .with("src_lat", lat)
                .with("src_lon", lon)
        })
        .collect()
}

fn sorted(mut rows: Vec<FindingRow>) -> Vec<FindingRow> {
    rows.sort_by(|a, b| (a.time, &a.kind, &a.event_ids).cmp(&(b.time, &b.kind, &b.event_ids)));
    rows
}

#[test]
fn a_run_split_in_two_finds_what_one_run_finds() {
    let events = logins();
    let whole = Harness::<ImpossibleTravel>::new().run(&events);
    for kind in [impossible_travel::TRAVEL, impossible_travel::NEW_COUNTRY] {
        assert!(whole.iter().any(|f| f.kind == kind), "no {kind} finding");
    }

    let (first, second) = events.split_at(events.len() / 2);
    let mut harness = Harness::<ImpossibleTravel>::new();
    let mut split = harness.run(&first.iter().rev().cloned().collect::<Vec<_>>());
    // A restart: the detector is configured anew, the state is kept.
    let mut harness = harness.with_setting("max_speed_kmh", "900");
    split.extend(harness.run(second));

    assert_eq!(sorted(split), sorted(whole));
}

#[test]
fn state_is_one_small_key_per_user() {
    let mut harness = Harness::<ImpossibleTravel>::new();
    harness.run(&logins());
    let state = harness.state();
    assert_eq!(state.len(), 4, "{:?}", state.keys().collect::<Vec<_>>());
    assert!(state.keys().all(|k| k.starts_with("user/")));
    assert!(state.values().all(|v| v.len() < 300));
}
