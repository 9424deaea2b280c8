//! The detector's behaviour cases in `cases/*.json`, run natively through
//! the SDK harness, and the promise that state carries across calls.

use insider_download::InsiderDownload;
use palisade_sdk::testing::{Harness, TestEvent, assert_cases_in_dir};

#[test]
fn behaviour_cases() {
    assert_cases_in_dir::<InsiderDownload>(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
}

#[test]
fn an_invalid_setting_rejects_the_configuration() {
    let err = Harness::<InsiderDownload>::new()
        .with_setting("volume_factor", "0.5")
        .configure()
        .unwrap_err();
    assert!(err.to_string().contains("volume_factor"), "{err}");
}

#[test]
fn a_run_split_in_two_finds_what_one_run_finds() {
    let event = |id: &str, kind: &str, t: i64| {
        TestEvent::new(kind)
            .with("event_id", id)
            .with("time", t)
            .with("user", "a@contoso.com")
    };
    let hour = 3_600_000_000_i64;
    let events = [
        event("l1", "auth.login", 0).with("src_ip", "192.0.2.1"),
        event("s1", "file.share", hour)
            .with("url", "https://x/f")
            .with("file_visibility", "external"),
        // After the user's first day, whose places are only learned.
        event("l2", "auth.login", 26 * hour).with("src_ip", "192.0.2.2"),
        event("d1", "file.download", 27 * hour).with("url", "https://x/f"),
    ];
    for cut in 1..events.len() {
        let whole = Harness::<InsiderDownload>::new().run(&events);
        let mut split = Harness::<InsiderDownload>::new();
        let mut parts = split.run(&events[..cut]);
        parts.extend(split.run(&events[cut..]));
        assert_eq!(whole.len(), 1);
        assert_eq!(whole, parts, "split after {cut}");
    }
}
