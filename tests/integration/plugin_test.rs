//! `palisade plugin test`: every bundled detector's case files pass against
//! its built component in the sandbox; a wrong expectation fails with the
//! difference, a broken case file or component is a usage error naming
//! it, and a detector that traps fails its cases without stopping the run.

use std::path::{Path, PathBuf};
use std::process::Output;

use serde_json::Value;

use super::support::{palisade, stdout, test_plugin, workspace};

/// Runs `palisade plugin test PLUGIN CASES...`.
fn plugin_test(plugin: &Path, cases: &[&Path]) -> Output {
    let output = palisade()
        .args(["plugin", "test"])
        .arg(plugin)
        .args(cases)
        .output()
        .expect("running palisade plugin test");
    eprintln!(
        "--- palisade plugin test stdout\n{}--- stderr\n{}",
        stdout(&output),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// The `N passed, M failed` counts of the report's last line.
fn tally(output: &Output) -> (usize, usize) {
    let text = stdout(output);
    let last = text.lines().last().unwrap_or_default();
    let number = |word: &str| {
        let before = last.split(word).next().unwrap_or_default();
        let digits = before.rsplit(' ').find(|s| !s.is_empty()).unwrap_or("x");
        digits
            .parse()
            .unwrap_or_else(|_| panic!("no `N {word}` in {last:?}"))
    };
    (number(" passed"), number(" failed"))
}

/// The number of cases in the `*.json` files of `dir`: one per object, or
/// the length of an array.
fn cases_in(dir: &Path) -> usize {
    std::fs::read_dir(dir)
        .expect("a case folder")
        .map(|entry| entry.expect("a folder entry").path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .map(|p| {
            let text = std::fs::read_to_string(&p).expect("a readable case file");
            match serde_json::from_str::<Value>(&text).expect("a JSON case file") {
                Value::Array(cases) => cases.len(),
                _ => 1,
            }
        })
        .sum()
}

fn write_case_file(dir: &Path, name: &str, text: &str) -> PathBuf {
    let path = dir.join(name);
    std::fs::write(&path, text).expect("writing a case file");
    path
}

/// A rule moving mail to RSS Feeds and marking it read: inbox-rule finds it.
const HIDING_RULE_EVENT: &str = r#"{"kind": "mailbox.rule_change", "user": "megan@contoso.com",
    "rule_name": "...", "attrs": {"MoveToFolder": "RSS Feeds", "MarkAsRead": "True"}}"#;

#[test]
fn every_bundled_detector_passes_its_cases_in_the_sandbox() {
    let bundled = palisade::runtime::bundled_detectors();
    assert!(!bundled.is_empty());
    for detector in bundled {
        let component = test_plugin(&format!("{}.wasm", detector.package.replace('-', "_")));
        let cases = workspace()
            .join("plugins")
            .join(detector.package)
            .join("cases");
        let output = plugin_test(&component, &[&cases]);
        assert_eq!(
            output.status.code(),
            Some(0),
            "{}: {}",
            detector.package,
            stdout(&output)
        );
        assert_eq!(
            tally(&output),
            (cases_in(&cases), 0),
            "{}",
            detector.package
        );
    }
}

#[test]
fn vendor_log_cases_are_normalized_as_a_run_reads_them() {
    let cases = workspace().join("plugins/inbox-rule/cases/vendor-log.json");
    let output = plugin_test(&test_plugin("inbox_rule.wasm"), &[&cases]);
    assert_eq!(output.status.code(), Some(0));
    assert_eq!(tally(&output), (3, 0));
}

#[test]
fn a_wrong_expectation_fails_with_the_difference() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let text = format!(
        r#"[{{"name": "right", "events": [{HIDING_RULE_EVENT}],
             "expect": [{{"kind": "inbox_rule.hiding", "user": "megan@contoso.com"}}]}},
           {{"name": "wrong user", "events": [{HIDING_RULE_EVENT}],
             "expect": [{{"kind": "inbox_rule.hiding", "user": "adele@contoso.com"}}]}}]"#
    );
    let file = write_case_file(dir.path(), "wrong.json", &text);
    let output = plugin_test(&test_plugin("inbox_rule.wasm"), &[&file]);

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(tally(&output), (1, 1));
    let report = stdout(&output);
    assert!(report.contains("  pass  right"), "{report}");
    assert!(report.contains("  FAIL  wrong user"), "{report}");
    assert!(
        report.contains(r#"closest is finding 1: user is Some("megan@contoso.com"), expected "adele@contoso.com""#),
        "{report}"
    );
    assert!(
        report.contains("unexpected finding 1: kind=inbox_rule.hiding"),
        "{report}"
    );
}

#[test]
fn a_broken_case_file_is_a_usage_error_naming_the_file_and_field() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let good = format!(r#"{{"name": "fine", "events": [{HIDING_RULE_EVENT}], "expect": []}}"#);
    write_case_file(dir.path(), "a-good.json", &good);
    let bad = r#"[{"name": "fine", "events": [], "expect": []},
                  {"name": "typo", "events": [], "expect": [{"severity_min": "high"}]}]"#;
    write_case_file(dir.path(), "b-broken.json", bad);

    let output = plugin_test(&test_plugin("inbox_rule.wasm"), &[dir.path()]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("b-broken.json"), "{stderr}");
    assert!(stderr.contains("`[1].expect[0].severity_min`"), "{stderr}");
    assert!(
        stdout(&output).is_empty(),
        "no case runs when a file is broken"
    );
}

#[test]
fn a_log_record_that_does_not_normalize_is_a_usage_error_naming_the_case() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let text = r#"{"name": "no user", "expect": [],
        "log": [{"CreationTime": "not a time", "Operation": "New-InboxRule", "RecordType": 1,
                 "Workload": "Exchange", "UserId": "a@b.c"}]}"#;
    let file = write_case_file(dir.path(), "log.json", text);
    let output = plugin_test(&test_plugin("inbox_rule.wasm"), &[&file]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("log.json`, case `no user`"), "{stderr}");
    assert!(stderr.contains("CreationTime"), "{stderr}");
}

#[test]
fn a_format_that_does_not_fit_the_case_is_a_usage_error_saying_so() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let with_events = format!(
        r#"{{"name": "events", "format": "zeek-tsv", "events": [{HIDING_RULE_EVENT}], "expect": []}}"#
    );
    let with_events = write_case_file(dir.path(), "events.json", &with_events);
    let not_tsv = r#"{"name": "json as tsv", "format": "zeek-tsv", "expect": [],
        "log": [{"uuid": "x", "published": "2024-03-14T09:14:02Z", "eventType": "user.session.start"}]}"#;
    let not_tsv = write_case_file(dir.path(), "okta.json", not_tsv);
    for (file, says) in [
        (with_events, "`format` is the format of `log` or `log_file`"),
        (not_tsv, "as zeek-tsv: its content is not in that format"),
    ] {
        let output = plugin_test(&test_plugin("inbox_rule.wasm"), &[&file]);
        assert_eq!(output.status.code(), Some(2));
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{stderr}");
    }
}

#[test]
fn a_component_that_does_not_load_is_a_usage_error_naming_it() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let not_wasm = write_case_file(dir.path(), "detector.wasm", "not a component");
    let cases = workspace().join("plugins/inbox-rule/cases");
    let output = plugin_test(&not_wasm, &[&cases]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("detector.wasm"), "{stderr}");
    assert!(
        stderr.contains("not a WebAssembly file: it starts with \"not a component\""),
        "{stderr}"
    );
    assert_eq!(stderr.lines().count(), 1, "one line, not a dump: {stderr}");
}

#[test]
fn a_trapping_detector_fails_each_case_and_the_run_goes_on() {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let text = r#"[{"name": "first", "events": [{"kind": "auth.login"}], "expect": []},
                   {"name": "second", "events": [{"kind": "auth.login"}], "expect": []}]"#;
    let file = write_case_file(dir.path(), "trap.json", text);
    let output = plugin_test(&test_plugin("trap_detector.wasm"), &[&file]);

    assert_eq!(output.status.code(), Some(1));
    assert_eq!(tally(&output), (0, 2));
    let report = stdout(&output);
    assert!(report.contains("  FAIL  first"), "{report}");
    assert!(report.contains("  FAIL  second"), "{report}");
    assert!(report.contains("the detector failed (trap)"), "{report}");
    assert!(report.contains("traps by design"), "{report}");
}
