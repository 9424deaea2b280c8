//! The detector's behaviour cases in `cases/*.json`, run natively through
//! the SDK harness; the story's burst at the default thresholds; and the
//! promise that state carries across calls.

use outbound_mail::OutboundMail;
use palisade_sdk::testing::{Harness, TestEvent, assert_cases_in_dir};

const MINUTE: i64 = 60_000_000;

#[test]
fn behaviour_cases() {
    assert_cases_in_dir::<OutboundMail>(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
}

#[test]
fn an_invalid_setting_rejects_the_configuration() {
    let err = Harness::<OutboundMail>::new()
        .with_setting("min_messages", "lots")
        .configure()
        .unwrap_err();
    assert!(err.to_string().contains("min_messages"), "{err}");
}

/// A message from megan to one recipient, `minutes` after the epoch.
fn sent(i: usize, minutes: i64) -> TestEvent {
    TestEvent::new("email.message")
        .with("event_id", format!("m{i}"))
        .with("time", minutes * MINUTE)
        .with("user", "megan.bowen@contoso.com")
        .with("email_to", vec![format!("user{i}@contoso.com")])
        .attr("EmailDirection", "Intra-org")
        .attr("UrlCount", "1")
}

/// A week of 3 messages a working hour, then 2,000 phishing messages in
/// one hour.
fn story() -> Vec<TestEvent> {
    let mut events = Vec::new();
    for day in 0..5 {
        for hour in 9..17 {
            for m in 0..3 {
                let at = ((day * 24 + hour) * 60 + m * 10) as i64;
                events.push(sent(events.len(), at));
            }
        }
    }
    let start = (6 * 24 + 10) * 60;
    for i in 0..2000 {
        events.push(sent(events.len(), start + (i as i64 % 50)));
    }
    events
}

#[test]
fn the_story_burst_is_reported_once_at_the_default_thresholds() {
    let findings = Harness::<OutboundMail>::new().run(&story());
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.kind, "outbound_mail.burst");
    assert_eq!(f.attrs["sent"], "100");
    assert_eq!(f.attrs["baseline_sent"], "3.0");
    assert!(f.severity >= 75);
}

#[test]
fn a_run_split_anywhere_finds_what_one_run_finds() {
    let events = story();
    let whole = Harness::<OutboundMail>::new().run(&events);
    for cut in [1, 60, 120, events.len() - 1950] {
        let mut split = Harness::<OutboundMail>::new();
        let mut parts = split.run(&events[..cut]);
        parts.extend(split.run(&events[cut..]));
        assert_eq!(whole, parts, "split after {cut}");
    }
}
