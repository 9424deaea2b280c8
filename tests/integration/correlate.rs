//! Correlation as data: findings in (`tests/correlation/cases/*.json`),
//! expected incidents out, under the bundled rules; then the same through
//! `palisade run`'s history and `palisade incidents`.
//!
//! A case file holds `batches` (lists of findings, fed one batch at a
//! time as the pipeline does) and the `expected` open incidents: their
//! entity (`kind:value`), rules, finding ids and, when given, score.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};

use palisade::correlate::{Correlator, Finding, Incident, bundled_rules, story};
use serde::Deserialize;

use crate::support::workspace;

#[derive(Deserialize)]
struct Case {
    batches: Vec<Vec<Finding>>,
    expected: Vec<Expected>,
}

#[derive(Deserialize, Debug, PartialEq)]
struct Expected {
    entity: String,
    rules: BTreeSet<String>,
    finding_ids: BTreeSet<String>,
    #[serde(default)]
    score: Option<u8>,
}

fn cases_dir() -> PathBuf {
    workspace().join("tests/correlation/cases")
}

fn load(path: &Path) -> Case {
    let text = std::fs::read_to_string(path).unwrap();
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

/// Feeds the case's batches and returns the open incidents, by id.
fn run(case: &Case) -> Vec<Incident> {
    let mut correlator = Correlator::new(bundled_rules()).unwrap();
    for batch in &case.batches {
        correlator
            .observe_findings(&Finding::to_batch(batch))
            .unwrap();
        correlator.correlate().unwrap();
    }
    correlator.open_incidents().cloned().collect()
}

fn as_expected(incident: &Incident, with_score: bool) -> Expected {
    Expected {
        entity: format!("{}:{}", incident.entity.0, incident.entity.1),
        rules: incident.rules.clone(),
        finding_ids: incident.finding_ids().map(str::to_owned).collect(),
        score: with_score.then(|| incident.score()),
    }
}

#[test]
fn every_case_gives_its_expected_incidents() {
    let mut files: Vec<PathBuf> = std::fs::read_dir(cases_dir())
        .unwrap()
        .map(|e| e.unwrap().path())
        .collect();
    files.sort();
    assert!(files.len() >= 6, "{files:?}");
    for file in files {
        let case = load(&file);
        let incidents = run(&case);
        let got: Vec<Expected> = incidents
            .iter()
            .enumerate()
            .map(|(n, i)| as_expected(i, case.expected.get(n).is_some_and(|e| e.score.is_some())))
            .collect();
        assert_eq!(got, case.expected, "{}", file.display());
    }
}

#[test]
fn the_same_input_twice_gives_the_same_incident_ids() {
    let case = load(&cases_dir().join("shared_domain_is_appended.json"));
    let ids = |incidents: Vec<Incident>| -> Vec<String> {
        incidents.into_iter().map(|i| i.incident_id).collect()
    };
    let first = ids(run(&case));
    assert_eq!(first.len(), 1);
    assert_eq!(first, ids(run(&case)));

    // Replaying the same batches into the same correlator changes nothing.
    let mut correlator = Correlator::new(bundled_rules()).unwrap();
    for _ in 0..2 {
        for batch in &case.batches {
            correlator
                .observe_findings(&Finding::to_batch(batch))
                .unwrap();
            correlator.correlate().unwrap();
        }
    }
    let again: Vec<String> = correlator
        .open_incidents()
        .map(|i| i.incident_id.clone())
        .collect();
    assert_eq!(again, first);
}

#[test]
fn the_story_names_the_entity_and_tells_each_step_in_order() {
    let case = load(&cases_dir().join("shared_domain_is_appended.json"));
    let incidents = run(&case);
    let incident = &incidents[0];
    let rules = bundled_rules();
    assert_eq!(
        story::headline(incident, &rules),
        "Account takeover of alice@corp.example: impossible travel (new country), \
         hiding inbox rule, rare domain (first seen)"
    );
    assert_eq!(
        story::narrative(incident),
        "2024-03-14 09:14 UTC  alice@corp.example logged in from Amsterdam, NL, a country never seen for her\n\
         2024-03-14 09:24 UTC  alice@corp.example created inbox rule \"...\" moving mail to RSS Feeds and marking it read\n\
         2024-03-15 11:02 UTC  bob-laptop reached x.life, a domain registered four days ago\n\
         entities: user alice@corp.example; device bob-laptop; domain x.life; ip 198.51.100.7"
    );
}
