//! Detectors that trap or loop forever fail alone: the run finishes and the
//! bundled detectors' findings are all there.

use super::support::{count, palisade, shared_data, stdout, test_plugin};

#[test]
fn a_trapping_and_a_looping_detector_fail_alone() {
    let Some(rules) = shared_data("sentinel-training-lab/office_activity_inbox_rule.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    for file in ["trap_detector.wasm", "spin_detector.wasm"] {
        std::fs::copy(test_plugin(file), plugins.join(file)).unwrap();
    }
    let config = dir.path().join("palisade.toml");
    std::fs::write(
        &config,
        "data_dir = \"history\"\nplugins = \"plugins\"\n[limits]\ncall_timeout_ms = 300\n",
    )
    .unwrap();

    let output = palisade()
        .args(["run", "--once", "--config"])
        .arg(&config)
        .arg(&rules)
        .output()
        .unwrap();
    let report = stdout(&output);
    eprintln!("{report}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "run failed");

    let data = dir.path().join("history");
    assert_eq!(
        count(
            &data,
            "select count(*) from findings where detector = 'inbox-rule'"
        ),
        2
    );
    assert_eq!(
        count(
            &data,
            "select count(*) from findings where detector <> 'inbox-rule'"
        ),
        0
    );
    assert!(
        report.contains("failed: trap:") && report.contains("traps by design"),
        "{report}"
    );
    assert!(
        report.contains("failed: spin:") && report.contains("time budget"),
        "{report}"
    );
}
