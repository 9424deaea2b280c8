//! `palisade demo` on a small example organisation (40 people, 50 devices,
//! 21 days), checked against the ground truth the generator writes: the
//! account takeover is one incident telling every step in time order, the
//! insider theft is found, and normal activity gives no incident and few
//! findings.

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;

use serde_json::Value;

use super::support::{palisade, sql};

const SIZE: [&str; 6] = ["--users", "40", "--devices", "50", "--days", "21"];

/// Runs `palisade demo --dir DIR` at the test size, with `extra` flags.
fn demo(dir: &Path, extra: &[&str]) -> String {
    let output = palisade()
        .arg("demo")
        .arg("--dir")
        .arg(dir)
        .args(SIZE)
        .args(extra)
        .output()
        .expect("running palisade demo");
    let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
    eprintln!(
        "--- palisade demo stdout\n{stdout}--- stderr\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    assert!(output.status.success(), "palisade demo failed");
    stdout
}

/// The latest version of each incident that was not merged.
fn incidents(history: &Path) -> Vec<Value> {
    sql(
        history,
        "select incident_id, title, narrative, entities, finding_ids, rules from \
         (select *, row_number() over (partition by incident_id order by updated_at desc) as v \
          from incidents) where v = 1 and merged_into is null order by first_seen",
    )
}

fn texts(value: &Value) -> Vec<String> {
    value
        .as_array()
        .map(|items| {
            items
                .iter()
                .map(|v| v.as_str().map_or_else(|| v.to_string(), str::to_owned))
                .collect()
        })
        .unwrap_or_default()
}

/// Every finding: id, detector, and the raw text of each of its events.
fn findings_with_events(history: &Path) -> Vec<(String, String, Vec<String>)> {
    let findings: Vec<(String, String, Vec<String>)> = sql(
        history,
        "select finding_id, detector, event_ids from findings",
    )
    .into_iter()
    .map(|row| {
        let text = |k: &str| row[k].as_str().unwrap_or_default().to_owned();
        (
            text("finding_id"),
            text("detector"),
            texts(&row["event_ids"]),
        )
    })
    .collect();
    let ids: BTreeSet<&String> = findings.iter().flat_map(|(_, _, ids)| ids).collect();
    let list = ids
        .iter()
        .map(|id| format!("'{id}'"))
        .collect::<Vec<_>>()
        .join(", ");
    let raw: BTreeMap<String, String> = sql(
        history,
        &format!("select event_id, raw from events where event_id in ({list})"),
    )
    .into_iter()
    .map(|row| {
        let text = |k: &str| row[k].as_str().unwrap_or_default().to_owned();
        (text("event_id"), text("raw"))
    })
    .collect();
    findings
        .into_iter()
        .map(|(id, detector, events)| {
            let raw = events.iter().filter_map(|e| raw.get(e).cloned()).collect();
            (id, detector, raw)
        })
        .collect()
}

/// The record ids of each step of `attack` in the ground truth.
fn steps(attack: &Value) -> Vec<(String, Vec<String>)> {
    attack["steps"]
        .as_array()
        .expect("steps")
        .iter()
        .map(|step| {
            let ids = step["records"]
                .as_array()
                .expect("records")
                .iter()
                .map(|r| r["id"].as_str().expect("record id").to_owned())
                .collect();
            (step["step"].as_str().expect("step name").to_owned(), ids)
        })
        .collect()
}

#[test]
fn the_demo_finds_both_attacks_and_little_else() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = demo(dir.path(), &[]);
    let history = dir.path().join("history");
    let truth: Value = serde_json::from_str(
        &std::fs::read_to_string(dir.path().join("ground_truth.json")).unwrap(),
    )
    .unwrap();
    let attacks = truth["attacks"].as_array().expect("attacks");
    let (takeover, insider) = (&attacks[0], &attacks[1]);
    assert!(stdout.contains("2 incidents"), "{stdout}");

    let incidents = incidents(&history);
    assert_eq!(incidents.len(), 2, "{incidents:#?}");
    let findings = findings_with_events(&history);
    let attack_ids: Vec<String> = attacks
        .iter()
        .flat_map(steps)
        .flat_map(|(_, ids)| ids)
        .collect();

    // The takeover: one incident about the victim, every step in it.
    let victim = takeover["user"].as_str().unwrap();
    let incident = &incidents[0];
    assert!(
        incident["title"]
            .as_str()
            .unwrap()
            .starts_with(&format!("Account takeover of {victim}")),
        "{incident:#?}"
    );
    let in_incident: BTreeSet<String> = texts(&incident["finding_ids"]).into_iter().collect();
    let raw_of_incident: Vec<&String> = findings
        .iter()
        .filter(|(id, _, _)| in_incident.contains(id))
        .flat_map(|(_, _, raw)| raw)
        .collect();
    for (step, ids) in steps(takeover) {
        assert!(
            raw_of_incident
                .iter()
                .any(|raw| ids.iter().any(|id| raw.contains(id.as_str()))),
            "no finding of the takeover incident covers step {step}"
        );
    }
    let narrative = incident["narrative"].as_str().unwrap();
    let times: Vec<&str> = narrative
        .lines()
        .filter(|l| l.starts_with("20"))
        .map(|l| &l[..20])
        .collect();
    assert!(times.is_sorted(), "{narrative}");
    let entities = texts(&incident["entities"]).join("; ");
    for needle in [
        "latovafineart.life",
        "thecalebgroup.top",
        "ip:193.222.96.91",
        "ip:192.0.2.77",
    ] {
        assert!(entities.contains(needle), "{needle} not in {entities}");
    }
    let others = texts(&takeover["other_victims"]);
    let linked = others
        .iter()
        .filter(|o| entities.contains(o.as_str()))
        .count();
    assert!(linked >= 3, "{linked} of {others:?} in {entities}");

    // The insider: the departed account's download, after its new login.
    let departed = insider["user"].as_str().unwrap();
    let theft = &incidents[1];
    assert_eq!(
        theft["title"].as_str().unwrap(),
        format!("Data theft by {departed}: insider download (departed user)")
    );
    assert!(
        theft["narrative"]
            .as_str()
            .unwrap()
            .contains("Spring catalogue 2024.indd (shared outside the organisation) 6 min after a first login from 2001:db8:9f2c:41::35"),
        "{theft:#?}"
    );

    // Normal activity: findings none of whose events is an attack record.
    let normal: Vec<&String> = findings
        .iter()
        .filter(|(_, _, raw)| {
            !raw.iter()
                .any(|r| attack_ids.iter().any(|id| r.contains(id.as_str())))
        })
        .map(|(_, detector, _)| detector)
        .collect();
    let user_days = 40.0 * 21.0;
    let per_thousand = normal.len() as f64 * 1000.0 / user_days;
    eprintln!(
        "{} findings outside the attacks: {per_thousand:.1} per 1,000 user-days",
        normal.len()
    );
    assert!(per_thousand < 5.0, "{normal:?}");
}

#[test]
fn normal_activity_alone_gives_no_incident() {
    let dir = tempfile::tempdir().unwrap();
    demo(dir.path(), &["--no-attacks"]);
    let history = dir.path().join("history");
    assert_eq!(incidents(&history), Vec::<Value>::new());
    let by_detector = sql(
        &history,
        "select detector, count(*) as n from findings group by detector order by detector",
    );
    eprintln!("findings of normal activity: {by_detector:?}");
    let total: i64 = by_detector.iter().filter_map(|r| r["n"].as_i64()).sum();
    assert!(
        total as f64 * 1000.0 / (40.0 * 21.0) < 5.0,
        "{by_detector:?}"
    );
}
