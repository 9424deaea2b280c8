//! Okta System Log events through `palisade run --once`: a `/api/v1/logs`
//! answer, and events without a time.

use std::path::PathBuf;

use super::support::{count, run_once, sql, stdout, workspace};

fn fixture() -> PathBuf {
    workspace().join("tests/fixtures/okta/system_log.json")
}

#[test]
fn a_system_log_answer_gives_logins_and_account_changes() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("history");
    let output = run_once(&data, &[&fixture()]);
    assert!(output.status.success(), "run failed");

    assert_eq!(count(&data, "select count(*) from dead_letters"), 0);
    let rows = sql(
        &data,
        "select kind, outcome, user, src_ip, src_country, src_city, src_lat, \
         attrs['client.geographicalContext.country'] as country \
         from events where source = 'okta' order by time",
    );
    let kinds: Vec<&str> = rows.iter().map(|r| r["kind"].as_str().unwrap()).collect();
    assert_eq!(
        kinds,
        [
            "auth.login",
            "auth.login_failed",
            "auth.login",
            "account.mfa_change",
            "account.change",
            "okta.user.session.end",
        ]
    );
    assert!(
        rows.iter()
            .all(|r| r["user"] == "jordan.reyes@corp.example")
    );
    assert_eq!(rows[0]["src_ip"], "198.51.100.10");
    assert_eq!(rows[0]["country"], "United States");
    assert_eq!(rows[0]["src_country"], "US");
    assert_eq!(rows[1]["outcome"], "failure");
    assert_eq!(rows[2]["src_ip"], "2a01:4f8:c0c:1d2b::2");
    assert_eq!(rows[2]["src_city"], "Falkenstein");
    assert_eq!(rows[2]["src_lat"], 50.4779);
    assert_eq!(rows[2]["country"], "Germany");
}

#[test]
fn events_without_published_are_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let text = std::fs::read_to_string(fixture()).unwrap();
    let mut events: Vec<serde_json::Value> = serde_json::from_str(&text).unwrap();
    events[1].as_object_mut().unwrap().remove("published");
    let input = dir.path().join("okta.json");
    std::fs::write(&input, serde_json::to_string_pretty(&events).unwrap()).unwrap();

    let data = dir.path().join("history");
    let output = run_once(&data, &[&input]);
    assert!(output.status.success(), "run failed");
    assert!(
        stdout(&output).contains("dead letters: 1"),
        "{}",
        stdout(&output)
    );

    assert_eq!(count(&data, "select count(*) from events"), 5);
    let letters = sql(
        &data,
        "select source_file, record, format, reason, raw from dead_letters",
    );
    assert_eq!(letters.len(), 1);
    assert!(
        letters[0]["source_file"]
            .as_str()
            .unwrap()
            .ends_with("okta.json")
    );
    assert_eq!(letters[0]["record"], 2);
    assert_eq!(letters[0]["format"], "okta-system-log-json");
    assert_eq!(
        letters[0]["reason"],
        "missing `published` in record 2 of okta.json"
    );
    assert!(
        letters[0]["raw"]
            .as_str()
            .unwrap()
            .contains("5e0c8f12-e1f5-11ee")
    );
}
