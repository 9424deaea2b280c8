//! A peer's semantics as an oracle: Panther correlation rules, written as
//! Palisade SQL rules (`tests/correlation/panther/*.sql`, one per Panther
//! YAML of the same name), must give Panther's expected result on every
//! test case of the YAML.
//!
//! A case's `RuleOutputs` become findings: one per listed time, its kind
//! the group id in snake case, its `user` the match value; a number is
//! minutes after 2024-06-01 00:00 UTC, text an RFC 3339 time. The case
//! expects an alert exactly when the rule gives an incident.

use std::collections::BTreeMap;
use std::path::PathBuf;

use palisade::correlate::{Correlator, Finding, rules_in};
use serde::Deserialize;
use serde_yaml_ng::Value;

use crate::support::{shared_data, workspace};

#[derive(Deserialize)]
struct PantherRule {
    #[serde(rename = "RuleID")]
    rule_id: String,
    #[serde(rename = "Tests")]
    tests: Vec<PantherTest>,
}

#[derive(Deserialize)]
struct PantherTest {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "ExpectedResult")]
    expected: bool,
    #[serde(rename = "RuleOutputs", default)]
    outputs: Vec<RuleOutput>,
}

#[derive(Deserialize)]
struct RuleOutput {
    #[serde(rename = "ID")]
    id: String,
    /// field → match value → times.
    #[serde(rename = "Matches")]
    matches: BTreeMap<String, BTreeMap<String, Vec<Value>>>,
}

/// 2024-06-01T00:00:00Z in microseconds.
const BASE: i64 = 1_717_200_000_000_000;

fn kind_of(group: &str) -> String {
    group
        .to_lowercase()
        .chars()
        .map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
        .collect()
}

fn time_of(value: &Value) -> i64 {
    match value {
        Value::Number(n) => BASE + n.as_i64().expect("whole minutes") * 60_000_000,
        Value::String(s) => chrono::DateTime::parse_from_rfc3339(s)
            .unwrap_or_else(|e| panic!("time {s}: {e}"))
            .timestamp_micros(),
        other => panic!("a time that is neither minutes nor text: {other:?}"),
    }
}

fn findings_of(test: &PantherTest) -> Vec<Finding> {
    let mut findings = Vec::new();
    for output in &test.outputs {
        for values in output.matches.values() {
            for (value, times) in values {
                for (n, time) in times.iter().enumerate() {
                    findings.push(Finding {
                        finding_id: format!("{}-{value}-{n}", kind_of(&output.id)),
                        time: time_of(time),
                        detector: "panther-test".into(),
                        kind: kind_of(&output.id),
                        severity: 50,
                        title: output.id.clone(),
                        summary: format!("{} matched {value}", output.id),
                        user: Some(value.clone()),
                        device: None,
                        domain: None,
                        ip: None,
                        attrs: BTreeMap::new(),
                    });
                }
            }
        }
    }
    findings
}

#[test]
fn panther_correlation_tests_pass_as_palisade_rules() {
    let Some(yaml_dir) = shared_data("panther-tests/correlation_rules") else {
        return;
    };
    let rules = rules_in(&workspace().join("tests/correlation/panther")).unwrap();
    assert!(rules.len() >= 5, "{} rules", rules.len());

    let mut cases = 0;
    for rule in rules {
        let file = PathBuf::from(&rule.origin);
        let stem = file.file_stem().unwrap().to_string_lossy();
        let yaml = std::fs::read_to_string(yaml_dir.join(format!("{stem}.yml"))).unwrap();
        let panther: PantherRule = serde_yaml_ng::from_str(&yaml).unwrap();
        for test in &panther.tests {
            let mut correlator = Correlator::new(vec![rule.clone()]).unwrap();
            let findings = findings_of(test);
            correlator
                .observe_findings(&Finding::to_batch(&findings))
                .unwrap();
            let incidents = correlator.correlate().unwrap();
            assert_eq!(
                !incidents.is_empty(),
                test.expected,
                "{} ({}): test `{}`",
                rule.name,
                panther.rule_id,
                test.name
            );
            cases += 1;
        }
    }
    eprintln!("{cases} Panther test cases passed");
    assert!(cases >= 12, "{cases} cases");
}
