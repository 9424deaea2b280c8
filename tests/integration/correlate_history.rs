//! Incidents in history: a restart rebuilds the open incidents and does
//! not duplicate them, `palisade incidents` prints them with their story,
//! and a bundled rule runs unchanged over history in `palisade sql`.

use std::path::Path;

use palisade::correlate::{Correlator, Finding, INCIDENTS_JSONL, bundled_rules};
use palisade::store::{HistoryWriter, Table};
use serde_json::Value;

use crate::support::{count, palisade, shared_data, sql, stdout, workspace};

/// What the pipeline does with one batch of findings, in a process of its
/// own: open the correlator over history, append, correlate, flush.
/// Returns the ids of the incidents that changed.
fn one_run(data_dir: &Path, batches: &[Vec<Finding>]) -> Vec<String> {
    let mut correlator = Correlator::open(data_dir, bundled_rules()).unwrap();
    let mut history = HistoryWriter::open(data_dir).unwrap();
    let mut changed_ids = Vec::new();
    for findings in batches {
        let batch = Finding::to_batch(findings);
        history.append(Table::Findings, &batch).unwrap();
        correlator.observe_findings(&batch).unwrap();
        let changed = correlator.correlate().unwrap();
        changed_ids.extend(changed.iter().map(|i| i.incident_id.clone()));
        let rows = correlator.to_batch(&changed);
        history.append(Table::Incidents, &rows).unwrap();
        correlator.write_jsonl(&rows).unwrap();
    }
    history.flush().unwrap();
    changed_ids
}

fn case_batches() -> Vec<Vec<Finding>> {
    let path = workspace().join("tests/correlation/cases/shared_domain_is_appended.json");
    let case: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    serde_json::from_value(case["batches"].clone()).unwrap()
}

#[test]
fn a_restart_appends_to_the_open_incident_instead_of_duplicating_it() {
    let dir = tempfile::tempdir().unwrap();
    let batches = case_batches();

    let first = one_run(dir.path(), &batches[..1]);
    assert_eq!(first.len(), 1);

    // The restarted run reads the first batch again (a replay), then the
    // third finding, which shares only a domain with the incident.
    let second = one_run(dir.path(), &batches);
    assert_eq!(second, first, "only the open incident changes");

    let data = dir.path();
    assert_eq!(
        count(data, "select count(distinct incident_id) from incidents"),
        1
    );
    assert_eq!(count(data, "select count(*) from incidents"), 2);
    let latest = sql(
        data,
        "select score, cardinality(finding_ids) as findings, title from incidents \
         order by updated_at desc limit 1",
    );
    assert_eq!(latest[0]["findings"], 3);
    assert_eq!(latest[0]["score"], 80);
    let lines = std::fs::read_to_string(data.join(INCIDENTS_JSONL)).unwrap();
    assert_eq!(lines.lines().count(), 2);
}

#[test]
fn palisade_incidents_prints_each_incident_with_its_story() {
    let dir = tempfile::tempdir().unwrap();
    one_run(dir.path(), &case_batches());

    let output = palisade()
        .args(["incidents", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success());
    let text = stdout(&output);
    assert!(
        text.starts_with("Account takeover of alice@corp.example: impossible travel"),
        "{text}"
    );
    assert!(
        text.contains("  2024-03-15 11:02 UTC  bob-laptop reached x.life"),
        "{text}"
    );
    assert!(text.ends_with("\n1 incident\n"), "{text}");

    let output = palisade()
        .args(["incidents", "--format", "json", "--data-dir"])
        .arg(dir.path())
        .output()
        .unwrap();
    let rows: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1);
    assert_eq!(
        rows[0]["finding_ids"],
        serde_json::json!(["f-login", "f-rule", "f-bob-domain"])
    );
}

#[test]
fn a_bundled_rule_runs_unchanged_over_history() {
    let dir = tempfile::tempdir().unwrap();
    one_run(dir.path(), &case_batches());
    let output = palisade()
        .args(["sql", "--format", "json", "--file"])
        .arg(workspace().join("rules/account_takeover.sql"))
        .arg("--data-dir")
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");
    let rows: Vec<Value> = stdout(&output)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(rows.len(), 1, "{rows:?}");
    assert_eq!(rows[0]["entity"], "alice@corp.example");
    assert_eq!(
        rows[0]["finding_ids"],
        serde_json::json!(["f-login", "f-rule"])
    );
}

#[test]
fn a_run_over_real_logs_with_a_rules_folder_makes_one_incident_with_the_same_id_twice() {
    let (Some(rules), Some(activity)) = (
        shared_data("sentinel-training-lab/office_activity_inbox_rule.csv"),
        shared_data("sentinel-training-lab/office_activity.csv"),
    ) else {
        return;
    };
    let rules_dir = workspace().join("tests/correlation/rules");
    let run = |data: &Path| {
        let output = palisade()
            .args(["run", "--once", "--rules"])
            .arg(&rules_dir)
            .arg("--data-dir")
            .arg(data)
            .args([&rules, &activity])
            .output()
            .unwrap();
        assert!(output.status.success(), "{output:?}");
        assert!(
            stdout(&output).contains("incidents:    1 version written"),
            "{}",
            stdout(&output)
        );
        sql(
            data,
            "select incident_id, title, cardinality(finding_ids) as findings, \
             to_char(first_seen, '%Y-%m-%d %H:%M:%S') as first from incidents",
        )
    };
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = run(a.path());
    assert_eq!(first.len(), 1, "{first:?}");
    assert_eq!(
        first[0]["title"],
        "Repeated mail-hiding rules by adelev@contoso.onmicrosoft.com: hiding inbox rule"
    );
    assert_eq!(first[0]["findings"], 2);
    assert_eq!(first[0]["first"], "2021-04-26 06:37:32");
    assert_eq!(run(b.path()), first, "a replay gives the same incident");

    let jsonl = std::fs::read_to_string(a.path().join(INCIDENTS_JSONL)).unwrap();
    assert_eq!(jsonl.lines().count(), 1);
}
