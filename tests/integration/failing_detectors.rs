//! Misbehaving detectors fail alone: one that traps, one that loops, one
//! that allocates without bound, one that panics on a bug, one that returns
//! bytes that are not Arrow, one that returns the wrong schema and one that
//! floods. The run finishes, inbox-rule's findings are exactly those of a
//! run without them, `detector_runs` records each failure with its cause,
//! and each bad detector is quarantined after three failures in a row.

use std::path::Path;

use serde_json::Value;

use super::support::{count, palisade, shared_data, sql, stdout, test_plugin, workspace};

/// Each misbehaving test detector: component file, name, the `outcome` it
/// must be recorded with, and a piece of its `cause`.
const MISBEHAVING: [(&str, &str, &str, &str); 7] = [
    ("trap_detector.wasm", "trap", "trap", "traps by design"),
    ("spin_detector.wasm", "spin", "timeout", "time budget"),
    ("alloc_detector.wasm", "alloc", "memory", "memory cap"),
    (
        "panic_detector.wasm",
        "panic",
        "trap",
        "index out of bounds",
    ),
    (
        "garbage_detector.wasm",
        "garbage",
        "bad_output",
        "malformed",
    ),
    (
        "wrong_schema_detector.wasm",
        "wrong-schema",
        "bad_output",
        "severity",
    ),
    (
        "flood_detector.wasm",
        "flood",
        "bad_output",
        "over the limit",
    ),
];

/// Limits small enough that the tests are quick: a two-second time budget
/// (ample for the others on a busy machine: copying out the flood takes a
/// few hundred milliseconds in a debug build) and a 64 MiB memory cap; the
/// output limit keeps its default of 16 MiB. Batches of two records, so the inputs make more
/// batches than the quarantine needs.
const CONFIG: &str = "data_dir = \"history\"\nplugins = \"plugins\"\nbatch_records = 2\n\
                      [limits]\ncall_timeout_ms = 2000\nmemory_bytes = 67108864\n";

#[test]
fn misbehaving_detectors_fail_alone_and_are_quarantined() {
    let Some(rules) = shared_data("sentinel-training-lab/office_activity_inbox_rule.csv") else {
        return;
    };
    let audit = workspace().join("examples/data/m365_unified_audit.jsonl");
    let clean = run_with(&[], &[&rules, &audit]);
    let (dir, report) = run_with(&MISBEHAVING.map(|(file, ..)| file), &[&rules, &audit]);
    let data = dir.path().join("history");

    // The good detector's findings are complete.
    let findings = "select finding_id from findings where detector = 'inbox-rule' order by 1";
    let expected = sql(&clean.0.path().join("history"), findings);
    assert!(expected.len() >= 2, "the clean run finds the inbox rules");
    assert_eq!(sql(&data, findings), expected);
    assert_eq!(
        count(
            &data,
            "select count(*) from findings where detector <> 'inbox-rule'"
        ),
        0
    );
    assert_eq!(
        count(
            &data,
            "select count(*) from detector_runs where detector = 'inbox-rule' and outcome <> 'ok'"
        ),
        0
    );

    // Each bad detector: three calls, each failing with its cause, then
    // quarantine.
    for (_, name, outcome, cause) in MISBEHAVING {
        let rows = sql(
            &data,
            &format!(
                "select outcome, cause, batch, findings_out from detector_runs \
                 where detector = '{name}' order by batch"
            ),
        );
        assert_eq!(rows.len(), 3, "{name}: {rows:?}");
        for row in &rows {
            assert_eq!(row["outcome"], outcome, "{name}: {row}");
            let text = row["cause"].as_str().unwrap_or_default();
            assert!(
                text.contains(cause),
                "{name}: cause `{text}` lacks `{cause}`"
            );
            assert_eq!(row["findings_out"], 0);
        }
        let batches: Vec<&Value> = rows.iter().map(|r| &r["batch"]).collect();
        assert_eq!(
            batches,
            [1, 2, 3],
            "{name}: failed in a row from the first batch"
        );
        assert!(
            report.contains(&format!("quarantined: {name}\n")),
            "{name} not quarantined:\n{report}"
        );
    }

    // The history answers "which detector is slow or failing".
    let slow = sql(
        &data,
        "select detector, count(*) as calls, avg(duration_us) as avg_us, \
         sum(case when outcome <> 'ok' then 1 else 0 end) as failures \
         from detector_runs group by detector order by avg_us desc",
    );
    assert_eq!(slow[0]["detector"], "spin", "{slow:?}");
    let memory = count(
        &data,
        "select max(memory_bytes) from detector_runs where detector = 'inbox-rule'",
    );
    assert!(memory > 0, "the memory high-water mark is recorded");
}

/// Runs `--once` over `inputs` with the named test detectors in the
/// plugins folder; returns the temporary folder and the run's report.
fn run_with(plugins: &[&str], inputs: &[&Path]) -> (tempfile::TempDir, String) {
    let dir = tempfile::tempdir().unwrap();
    let folder = dir.path().join("plugins");
    std::fs::create_dir(&folder).unwrap();
    for file in plugins {
        std::fs::copy(test_plugin(file), folder.join(file)).unwrap();
    }
    let config = dir.path().join("palisade.toml");
    std::fs::write(&config, CONFIG).unwrap();
    let output = palisade()
        .args(["run", "--once", "--config"])
        .arg(&config)
        .args(inputs)
        .output()
        .unwrap();
    let report = stdout(&output);
    eprintln!("{report}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "run failed");
    (dir, report)
}

#[test]
fn settings_a_detector_refuses_stop_the_run_before_it_reads() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("history");
    let config = dir.path().join("palisade.toml");
    // A run over the example data with `settings` after the data folder.
    let run_with = |settings: &str| {
        let data_dir = data.display().to_string();
        std::fs::write(&config, format!("data_dir = {data_dir:?}\n{settings}")).unwrap();
        palisade()
            .args(["run", "--once", "--config"])
            .arg(&config)
            .arg(workspace().join("examples/data"))
            .output()
            .unwrap()
    };

    let output = run_with("[detectors.inbox-rule]\nmin_severity = \"abc\"\n");
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert_eq!(output.status.code(), Some(2), "{stderr}");
    assert!(stderr.contains("min_severity"), "{stderr}");
    assert!(stderr.contains("nothing was read"), "{stderr}");

    // Fixed, the next run reads every record: none was passed over.
    let output = run_with("");
    assert!(output.status.success(), "{}", stdout(&output));
    assert!(!stdout(&output).contains("resumed"), "{}", stdout(&output));
}

#[test]
fn a_detector_that_cannot_load_fails_the_run_after_processing_the_rest() {
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    std::fs::write(plugins.join("broken.wasm"), b"not a component").unwrap();
    let data = dir.path().join("history");
    let output = palisade()
        .args(["run", "--once", "--plugins"])
        .arg(&plugins)
        .arg("--data-dir")
        .arg(&data)
        .arg(workspace().join("examples/data"))
        .output()
        .unwrap();
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(report.contains("not loaded:"), "{report}");
    assert!(report.contains("broken.wasm"), "{report}");
    // The bundled detectors ran over every record all the same.
    assert!(count(&data, "select count(*) from events") > 0);
    assert!(
        count(
            &data,
            "select count(*) from findings where detector = 'inbox-rule'"
        ) > 0
    );
}
