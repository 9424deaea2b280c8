//! The SDK end to end, natively: decoding what the host may send, encoding
//! findings, state across calls, settings, and case files.

use std::sync::Arc;

use arrow_array::RecordBatch;
use palisade_sdk::testing::{
    Case, Harness, TestEvent, assert_cases_in_dir, decode_findings, event_batch, run_case,
    write_ipc,
};
use palisade_sdk::{Context, Description, Detector, Error, Events, Finding, Findings, Settings};

/// Counts logins per user in state and reports the one that reaches the
/// threshold; fails the batch for user `boom`.
struct LoginCounter {
    threshold: u64,
}

impl Detector for LoginCounter {
    fn describe() -> Description {
        Description::new("login-counter", "0.1.0", "Counts logins.")
            .kinds(["auth.login"])
            .columns(["user", "src_ip", "attrs", "email_to", "dst_port"])
            .setting("threshold", "3", "Logins before a finding.")
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        Ok(LoginCounter {
            threshold: settings.get_u64("threshold")?,
        })
    }

    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error> {
        for event in events {
            let user = event.user().unwrap_or("-");
            let key = format!("logins/{user}");
            let count = ctx.get_json::<u64>(&key)?.unwrap_or(0) + 1;
            ctx.put_json(&key, &count)?;
            if user == "boom" {
                return Err(Error::msg("boom"));
            }
            if count == self.threshold {
                ctx.debug("threshold reached");
                let summary = format!("{user} logged in {count} times.");
                out.push(
                    Finding::new("demo.many_logins", 40, "Many logins", summary)
                        .for_event(&event)
                        .user(event.user())
                        .ip(event.src_ip())
                        .mitre("T1078")
                        .attr("count", count.to_string()),
                );
            }
        }
        Ok(())
    }
}

fn login(user: &str) -> TestEvent {
    TestEvent::new("auth.login")
        .with("user", user)
        .with("src_ip", "192.0.2.1")
        .with("time", "2024-03-01T10:00:00Z")
}

#[test]
fn state_persists_across_calls_and_findings_round_trip() {
    let mut harness = Harness::<LoginCounter>::new();
    assert!(harness.run(&[login("a"), login("a")]).is_empty());
    let findings = harness.run(&[login("a"), login("b")]);
    assert_eq!(findings.len(), 1, "{findings:?}");
    let f = &findings[0];
    assert_eq!((f.kind.as_str(), f.severity), ("demo.many_logins", 40));
    assert_eq!(f.user.as_deref(), Some("a"));
    assert_eq!(f.ip.as_deref(), Some("192.0.2.1"));
    assert_eq!(f.event_ids, ["event-1"]);
    assert_eq!(f.mitre, ["T1078"]);
    assert_eq!(f.attrs.get("count").map(String::as_str), Some("3"));
    assert_eq!(f.time, 1_709_287_200_000_000);
    assert_eq!(harness.logs().len(), 1);
}

#[test]
fn a_failed_call_leaves_no_state() {
    let mut harness = Harness::<LoginCounter>::new();
    harness.run(&[login("a")]);
    let before = harness.state().clone();
    let err = harness.try_run(&[login("a"), login("boom")]).unwrap_err();
    assert_eq!(err.to_string(), "boom");
    assert_eq!(harness.state(), &before);
}

#[test]
fn settings_are_checked_by_name_and_value() {
    let mut low = Harness::<LoginCounter>::new().with_setting("threshold", "1");
    assert_eq!(low.run(&[login("a")]).len(), 1);

    let bad = Harness::<LoginCounter>::new()
        .with_setting("threshold", "many")
        .configure();
    let text = bad.unwrap_err().to_string();
    assert!(
        text.contains("`threshold`") && text.contains("many"),
        "{text}"
    );
    let unknown = Harness::<LoginCounter>::new()
        .with_setting("treshold", "1")
        .configure();
    assert!(unknown.unwrap_err().to_string().contains("treshold"));
}

#[test]
fn decoding_takes_any_column_order_and_several_batches() {
    let full = event_batch(&[
        login("a")
            .with("email_to", vec!["x@example.com", "y@example.com"])
            .with("dst_port", 443)
            .attr("Name", "."),
        login("b"),
    ])
    .unwrap();
    // Reverse the columns, keep only some, and send the batch twice.
    let schema = full.schema();
    let keep: Vec<usize> = [
        "attrs", "user", "kind", "time", "email_to", "event_id", "dst_port",
    ]
    .iter()
    .map(|name| schema.index_of(name).unwrap())
    .collect();
    let projected = full.project(&keep).unwrap();
    let events = Events::decode(&write_ipc(&[projected.clone(), projected]).unwrap()).unwrap();

    assert_eq!(events.len(), 4);
    let first = events.get(0).unwrap();
    assert_eq!(first.user(), Some("a"));
    assert_eq!(first.src_ip(), None, "src_ip was not sent");
    assert_eq!(first.dst_port(), Some(443));
    assert_eq!(first.attr("name"), Some("."));
    let to: Vec<&str> = first.email_to().unwrap().iter().collect();
    assert_eq!(to, ["x@example.com", "y@example.com"]);
    let users: Vec<_> = events.iter().map(|e| e.user()).collect();
    assert_eq!(users, [Some("a"), Some("b"), Some("a"), Some("b")]);
    assert_eq!(events.get(3).unwrap().event_id(), "event-2");
    let range = events.time_range().unwrap();
    assert_eq!(range.start, range.end);
}

#[test]
fn decoding_rejects_missing_required_columns_and_wrong_types() {
    let full = event_batch(&[login("a")]).unwrap();
    let schema = full.schema();
    let without_time = full.project(&[
        schema.index_of("event_id").unwrap(),
        schema.index_of("kind").unwrap(),
    ]);
    let err = Events::from_record_batches([&without_time.unwrap()])
        .err()
        .unwrap();
    assert!(err.to_string().contains("`time`"), "{err}");

    let user_as_port = RecordBatch::try_from_iter([
        ("event_id", full.column_by_name("event_id").unwrap().clone()),
        ("time", full.column_by_name("time").unwrap().clone()),
        ("kind", full.column_by_name("kind").unwrap().clone()),
        (
            "user",
            Arc::new(arrow_array::UInt16Array::from(vec![1])) as _,
        ),
    ])
    .unwrap();
    let err = Events::from_record_batches([&user_as_port]).err().unwrap();
    assert!(err.to_string().contains("`user`"), "{err}");
    assert!(Events::decode(b"not arrow").is_err());
    assert!(Events::decode(&[]).unwrap().is_empty());
}

#[test]
fn output_has_exactly_the_detector_output_schema() {
    let mut harness = Harness::<LoginCounter>::new().with_setting("threshold", "1");
    let input = harness.events_ipc(&[login("a")]).unwrap();
    let output = harness.detect_ipc(&input).unwrap();
    assert_eq!(decode_findings(&output).unwrap().len(), 1);
}

#[test]
fn case_files_pass() {
    assert_cases_in_dir::<LoginCounter>(concat!(env!("CARGO_MANIFEST_DIR"), "/tests/cases"));
}

#[test]
fn a_failing_case_says_what_differs() {
    let case: Case = serde_json::from_str(
        r#"{"name": "wrong", "settings": {"threshold": 1},
            "events": [{"kind": "auth.login", "user": "a"}],
            "expect": [{"kind": "demo.many_logins", "user": "b", "severity_min": 90}]}"#,
    )
    .unwrap();
    let report = run_case::<LoginCounter>(&case).unwrap_err();
    assert!(report.contains("expected 1 finding(s), got 1"), "{report}");
    assert!(
        report.contains(r#"user is Some("a"), expected "b""#),
        "{report}"
    );
    assert!(report.contains("severity 40 is below 90"), "{report}");
    assert!(report.contains("unexpected finding 1"), "{report}");
}
