//! The detector's behaviour cases in `cases/*.json`, run natively through
//! the SDK harness, and the promise that state carries across calls.

use account_change::AccountChange;
use palisade_sdk::testing::{Harness, TestEvent, assert_cases_in_dir};

#[test]
fn behaviour_cases() {
    assert_cases_in_dir::<AccountChange>(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
}

#[test]
fn an_invalid_setting_rejects_the_configuration() {
    let err = Harness::<AccountChange>::new()
        .with_setting("max_places", "0")
        .configure()
        .unwrap_err();
    assert!(err.to_string().contains("max_places"), "{err}");
}

#[test]
fn a_run_split_in_two_finds_what_one_run_finds() {
    let login = |t: i64, ip: &str| {
        TestEvent::new("auth.login")
            .with("event_id", ip)
            .with("time", t)
            .with("user", "a@contoso.com")
            .with("src_ip", ip)
    };
    let change = TestEvent::new("account.change")
        .with("event_id", "change")
        .with("time", 3_000_000_000_i64)
        .with("action", "Reset user password")
        .with("user", "a@contoso.com")
        .with("src_ip", "192.0.2.2");
    let events = [
        login(1_000_000_000, "192.0.2.1"),
        login(2_000_000_000, "192.0.2.2"),
        change,
    ];

    // Seconds apart: no first day of learning, or nothing would be new.
    let harness = || Harness::<AccountChange>::new().with_setting("learning_hours", "0");
    let whole = harness().run(&events);
    let mut split = harness();
    let mut parts = split.run(&events[..2]);
    parts.extend(split.run(&events[2..]));
    assert_eq!(whole.len(), 1);
    assert_eq!(whole, parts);
}
