//! The detector's behaviour cases in `cases/*.json`, run natively through
//! the SDK harness (the same Arrow encoding the Wasm component sees), and
//! what one case file cannot show: several calls sharing state.

use std::path::Path;

use email_link::EmailLink;
use palisade_sdk::testing::{
    Case, FindingRow, Harness, TestEvent, assert_cases_in_dir, load_cases,
};
use serde_json::Value;

const CASES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/cases");

#[test]
fn behaviour_cases() {
    assert_cases_in_dir::<EmailLink>(CASES);
}

/// Every case of every file in `cases/`.
fn all_cases() -> Vec<Case> {
    let mut files: Vec<_> = std::fs::read_dir(CASES)
        .expect("the cases folder")
        .map(|entry| entry.expect("a cases entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    files
        .iter()
        .flat_map(|f| load_cases(Path::new(f)).expect("a readable case file"))
        .collect()
}

/// A fresh harness with the case's settings.
fn harness(case: &Case) -> Harness<EmailLink> {
    case.settings
        .iter()
        .fold(Harness::new(), |h, (name, value)| match value {
            Value::String(s) => h.with_setting(name, s),
            other => h.with_setting(name, &other.to_string()),
        })
}

/// The findings of `events` sent in the calls `chunks` gives, in a
/// canonical order.
fn run_in_calls(case: &Case, chunks: &[&[TestEvent]]) -> Vec<FindingRow> {
    let mut h = harness(case);
    let mut findings: Vec<FindingRow> = chunks.iter().flat_map(|c| h.run(c)).collect();
    findings.sort_by(|a, b| (a.time, &a.kind, &a.user).cmp(&(b.time, &b.kind, &b.user)));
    findings
}

#[test]
fn a_split_run_gives_the_same_findings_as_one_call() {
    for case in all_cases() {
        let events = &case.events;
        let whole = run_in_calls(&case, &[events]);
        for at in 1..events.len() {
            let (first, second) = events.split_at(at);
            let split = run_in_calls(&case, &[first, second]);
            assert_eq!(split, whole, "case `{}` split after event {at}", case.name);
        }
        let one_by_one: Vec<&[TestEvent]> = events.chunks(1).collect();
        let apart = run_in_calls(&case, &one_by_one);
        assert_eq!(apart, whole, "case `{}` one event per call", case.name);
    }
}

#[test]
fn the_story_gives_two_findings_on_the_same_message() {
    let case = all_cases()
        .into_iter()
        .find(|c| c.name.starts_with("story"))
        .expect("the story case");
    let findings = run_in_calls(&case, &[&case.events]);
    let kinds: Vec<&str> = findings.iter().map(|f| f.kind.as_str()).collect();
    assert_eq!(kinds, [email_link::NEW_DOMAIN, email_link::CLICKED]);
    let message = |f: &FindingRow| f.attrs.get("network_message_id").cloned();
    assert_eq!(message(&findings[0]), message(&findings[1]));
}

/// The state keys that start with `prefix`.
fn keys(h: &Harness<EmailLink>, prefix: &str) -> Vec<String> {
    h.state()
        .keys()
        .filter(|k| k.starts_with(prefix))
        .cloned()
        .collect()
}

#[test]
fn pending_state_expires_and_knowledge_stays() {
    let case = all_cases()
        .into_iter()
        .find(|c| c.name.starts_with("story"))
        .expect("the story case");
    let mut h = harness(&case);
    assert_eq!(h.run(&case.events).len(), 2);
    for prefix in ["msg:", "visits:", "watch:", "expiry:"] {
        assert!(
            !keys(&h, prefix).is_empty(),
            "no {prefix} key after the story"
        );
    }

    let later = TestEvent::new("dns.query")
        .with("time", "2024-03-15T09:00:00Z")
        .with("domain", "www.contoso.com");
    assert!(h.run(&[later]).is_empty());
    for prefix in ["msg:", "visits:", "watch:", "expiry:"] {
        assert_eq!(keys(&h, prefix), Vec::<String>::new(), "{prefix} keys left");
    }
    assert!(h.state().contains_key("site:latovafineart.life"));
    assert!(
        h.state()
            .contains_key("sender:accounts@meridian-artsupply.com")
    );
}

#[test]
fn mail_from_known_senders_leaves_no_pending_state() {
    let case = all_cases()
        .into_iter()
        .find(|c| c.name.starts_with("mail from a known sender"))
        .expect("the known-sender case");
    let mut h = harness(&case);
    assert!(h.run(&case.events).is_empty());
    assert_eq!(keys(&h, "msg:"), Vec::<String>::new());
}

#[test]
fn an_invalid_setting_rejects_the_configuration() {
    let err = Harness::<EmailLink>::new()
        .with_setting("window_hours", "a day")
        .configure()
        .unwrap_err();
    assert!(err.to_string().contains("window_hours"), "{err}");
}
