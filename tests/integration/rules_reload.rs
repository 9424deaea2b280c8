//! Correlation rules change while `palisade run --config` follows its
//! inputs: a rule dropped into the rules folder serves the next batches,
//! and a rule that does not plan is refused while the others keep running.

use std::time::{Duration, Instant};

use super::support::{count, follow, interrupt, palisade, shared_data, wait_for_events, workspace};

#[test]
fn a_new_rule_serves_and_a_broken_one_is_refused() {
    let Some(rules_csv) = shared_data("sentinel-training-lab/office_activity_inbox_rule.csv")
    else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let (logs, rules) = (dir.path().join("logs"), dir.path().join("rules"));
    std::fs::create_dir(&logs).unwrap();
    std::fs::create_dir(&rules).unwrap();
    let config = dir.path().join("palisade.toml");
    std::fs::write(
        &config,
        "data_dir = \"history\"\ninputs = [\"logs\"]\nrules = \"rules\"\n",
    )
    .unwrap();
    let data = dir.path().join("history");
    let mut follower = follow(&config);

    // The rule arrives once the host runs (its checkpoint is open), then
    // the records it ties.
    let start = Instant::now();
    while !data.join("checkpoint.redb").exists() {
        assert!(
            start.elapsed() < Duration::from_secs(60),
            "the host did not start"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    std::thread::sleep(Duration::from_millis(1000));
    let rule = workspace().join("tests/correlation/rules/repeated_hiding_rules.sql");
    std::fs::copy(&rule, rules.join("repeated_hiding_rules.sql")).unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    std::fs::copy(&rules_csv, logs.join("inbox_rules.csv")).unwrap();
    wait_for_events(&mut follower, &data, 2);
    let start = Instant::now();
    while !data.join("incidents").exists() {
        assert!(start.elapsed() < Duration::from_secs(60), "no incident");
        std::thread::sleep(Duration::from_millis(200));
    }

    // A rule naming a column that does not exist is refused.
    std::fs::write(
        rules.join("broken.sql"),
        "-- name: broken\n-- title: Broken {entity}\n-- severity: 10\n-- window: 1h\n\
         select 'user' as entity_kind, no_such_column as entity, \
         array_agg(finding_id) as finding_ids, 1 as score from findings group by 2\n",
    )
    .unwrap();
    std::thread::sleep(Duration::from_millis(1500));
    interrupt(&follower);
    let output = follower.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success());
    assert!(stdout.contains("reloads: 1"), "{stdout}");
    assert!(
        stdout.contains("reload refused") && stdout.contains("no_such_column"),
        "{stdout}"
    );
    assert_eq!(
        count(
            &data,
            "select count(distinct incident_id) from incidents \
             where array_has(rules, 'repeated_hiding_rules')"
        ),
        1
    );
}

#[test]
fn rules_that_do_not_plan_or_return_no_candidates_stop_a_run_before_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let header = "-- name: {name}\n-- title: T {entity}\n-- severity: 50\n-- window: 1h\n";
    for (name, body, says) in [
        (
            "wrongcols",
            "select 1 as a",
            "the result has no column `entity_kind`",
        ),
        ("badsql", "select from where", "rule `badsql`"),
        (
            "badscore",
            "select 'user' as entity_kind, user as entity, array_agg(finding_id) as \
             finding_ids, [1] as score from findings group by user",
            "column `score`",
        ),
    ] {
        let rules = dir.path().join(name);
        std::fs::create_dir(&rules).unwrap();
        let text = header.replace("{name}", name) + body;
        std::fs::write(rules.join(format!("{name}.sql")), text).unwrap();
        let data = dir.path().join(format!("history-{name}"));
        let output = palisade()
            .args(["run", "--once", "--rules"])
            .arg(&rules)
            .arg("--data-dir")
            .arg(&data)
            .arg(workspace().join("examples/data"))
            .output()
            .unwrap();
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert_eq!(output.status.code(), Some(2), "{name}: {stderr}");
        assert!(stderr.contains(says), "{name}: {stderr}");
        assert!(
            !data.join("events").exists(),
            "{name}: no event is written before the rules are checked"
        );
    }
}
