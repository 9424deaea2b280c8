//! The builder's invariants on small hand-made inputs.

use std::collections::BTreeMap;

use super::*;
use crate::correlate::rule::bundled_rules;

const HOUR: i64 = 3_600_000_000;

fn finding(id: &str, hours: i64, user: Option<&str>, domain: Option<&str>) -> Finding {
    Finding {
        finding_id: id.into(),
        time: hours * HOUR,
        detector: "test".into(),
        kind: "test.step".into(),
        severity: 50,
        title: id.into(),
        summary: format!("step {id}"),
        user: user.map(Into::into),
        device: None,
        domain: domain.map(Into::into),
        ip: None,
        attrs: BTreeMap::new(),
    }
}

fn candidate(rule: &str, entity: &str, ids: &[&str], score: f64) -> Candidate {
    Candidate {
        rule: rule.into(),
        entity_kind: "user".into(),
        entity: entity.into(),
        finding_ids: ids.iter().map(|s| (*s).to_owned()).collect(),
        score,
    }
}

fn window_of(findings: &[Finding]) -> (Window, Vec<Finding>) {
    let mut window = Window::new(72 * HOUR, false);
    let fresh = window.add_findings(&Finding::to_batch(findings)).unwrap();
    (window, fresh)
}

#[test]
fn a_candidate_bridging_two_incidents_merges_them_into_the_oldest() {
    let rules = bundled_rules();
    let findings = [
        finding("a1", 0, Some("alice"), None),
        finding("a2", 1, Some("alice"), None),
        finding("b1", 2, Some("bob"), Some("x.life")),
        finding("b2", 3, Some("bob"), None),
        finding("c1", 4, Some("carol"), Some("x.life")),
    ];
    let (window, _) = window_of(&findings);
    let mut builder = IncidentBuilder::new();
    builder.apply(
        &rules,
        vec![
            candidate("account_takeover", "alice", &["a1", "a2"], 80.0),
            candidate("account_takeover", "bob", &["b1", "b2"], 80.0),
        ],
        &[],
        &window,
    );
    assert_eq!(builder.open().count(), 2);

    // A phishing wave over alice's and bob's findings ties both together.
    let changed = builder.apply(
        &rules,
        vec![candidate("phishing_wave", "x.life", &["a2", "b1"], 60.0)],
        &[],
        &window,
    );
    let alice = incident_id("account_takeover", &["a1".into(), "a2".into()]);
    let bob = incident_id("account_takeover", &["b1".into(), "b2".into()]);
    assert_eq!(changed.len(), 2);
    assert_eq!(changed[0].incident_id, bob);
    assert_eq!(changed[0].merged_into.as_deref(), Some(alice.as_str()));
    let open: Vec<&Incident> = builder.open().collect();
    assert_eq!(open.len(), 1);
    assert_eq!(open[0].incident_id, alice);
    assert_eq!(
        open[0].finding_ids().collect::<Vec<_>>(),
        ["a1", "a2", "b1", "b2"]
    );
    assert_eq!(open[0].severity, 90);
}

#[test]
fn a_candidate_already_owned_changes_nothing() {
    let rules = bundled_rules();
    let findings = [
        finding("a1", 0, Some("alice"), None),
        finding("a2", 1, Some("alice"), None),
    ];
    let (window, _) = window_of(&findings);
    let mut builder = IncidentBuilder::new();
    let take = || vec![candidate("account_takeover", "alice", &["a1", "a2"], 80.0)];
    assert_eq!(builder.apply(&rules, take(), &[], &window).len(), 1);
    assert!(builder.apply(&rules, take(), &[], &window).is_empty());
}

#[test]
fn a_finding_beyond_the_window_is_not_appended_and_old_incidents_close() {
    let rules = bundled_rules();
    let findings = [
        finding("a1", 0, Some("alice"), None),
        finding("a2", 1, Some("alice"), None),
        finding("late", 1 + 73, Some("alice"), None),
    ];
    let (window, fresh) = window_of(&findings);
    let mut builder = IncidentBuilder::new();
    builder.apply(
        &rules,
        vec![candidate("account_takeover", "alice", &["a1", "a2"], 80.0)],
        &fresh,
        &window,
    );
    let incident = builder.open().next().unwrap();
    assert_eq!(incident.finding_ids().count(), 2, "{incident:?}");
    assert_eq!(incident.score(), 80);

    builder.close_before(1 + 73 * HOUR);
    assert_eq!(builder.open().count(), 0);
}

/// Events of `users` at source address `ip`, as the window sees them.
fn logins_at(ip: &str, users: &[&str]) -> arrow::record_batch::RecordBatch {
    use std::sync::Arc;

    use arrow::record_batch::RecordBatch;

    use arrow::array::{StringArray, TimestampMicrosecondArray};
    use arrow::datatypes::{DataType, Field, Schema, TimeUnit};
    let schema = Schema::new(vec![
        Field::new(
            "time",
            DataType::Timestamp(TimeUnit::Microsecond, None),
            false,
        ),
        Field::new("src_ip", DataType::Utf8, true),
        Field::new("user", DataType::Utf8, true),
    ]);
    RecordBatch::try_new(
        Arc::new(schema),
        vec![
            Arc::new(TimestampMicrosecondArray::from(vec![0; users.len()])),
            Arc::new(StringArray::from(vec![ip; users.len()])),
            Arc::new(StringArray::from(users.to_vec())),
        ],
    )
    .unwrap()
}

#[test]
fn an_address_many_users_share_links_no_findings() {
    let rules = bundled_rules();
    let at = |id: &str, hours: i64, user: &str, ip: &str| Finding {
        ip: Some(ip.into()),
        ..finding(id, hours, Some(user), None)
    };
    let findings = [
        at("a1", 0, "alice", "198.51.100.10"),
        at("a2", 1, "alice", "193.222.96.91"),
        at("office", 2, "dave", "198.51.100.10"),
        at("attacker", 3, "erin", "193.222.96.91"),
    ];
    let (mut window, fresh) = window_of(&findings);
    window.add_events(&logins_at(
        "198.51.100.10",
        &["alice", "bob", "carol", "dave"],
    ));
    window.add_events(&logins_at("193.222.96.91", &["alice", "erin"]));
    assert!(window.is_shared_address("198.51.100.10"));
    assert!(!window.is_shared_address("193.222.96.91"));
    let mut builder = IncidentBuilder::new();
    builder.apply(
        &rules,
        vec![candidate("account_takeover", "alice", &["a1", "a2"], 80.0)],
        &fresh,
        &window,
    );
    let incident = builder.open().next().unwrap();
    let ids: Vec<&str> = incident.finding_ids().collect();
    assert_eq!(ids, ["a1", "a2", "attacker"], "{incident:?}");

    // An address not seen since the window's start is forgotten.
    window
        .add_findings(&Finding::to_batch(&[finding(
            "late",
            80,
            Some("zoe"),
            None,
        )]))
        .unwrap();
    window.evict();
    assert!(!window.is_shared_address("198.51.100.10"));
}
