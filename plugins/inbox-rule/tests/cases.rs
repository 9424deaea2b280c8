//! The detector's behaviour cases in `cases/*.json`, run natively through
//! the SDK harness (the same Arrow encoding the Wasm component sees).

use inbox_rule::InboxRule;
use palisade_sdk::testing::{Harness, TestEvent, assert_cases_in_dir};

#[test]
fn behaviour_cases() {
    assert_cases_in_dir::<InboxRule>(concat!(env!("CARGO_MANIFEST_DIR"), "/cases"));
}

#[test]
fn an_invalid_setting_rejects_the_configuration() {
    let err = Harness::<InboxRule>::new()
        .with_setting("min_severity", "high")
        .configure()
        .unwrap_err();
    assert!(err.to_string().contains("min_severity"), "{err}");
}

#[test]
fn each_hiding_rule_in_a_batch_is_reported_once() {
    let rule = |name: &str| {
        TestEvent::new(inbox_rule::KIND)
            .with("user", "a@contoso.com")
            .with("rule_name", name)
            .attr("DeleteMessage", "True")
    };
    let findings = Harness::<InboxRule>::new().run(&[rule("a"), rule("b"), rule("c")]);
    assert_eq!(findings.len(), 3);
    let ids: Vec<_> = findings.iter().flat_map(|f| f.event_ids.clone()).collect();
    assert_eq!(ids, ["event-1", "event-2", "event-3"]);
}
