//! The Python and JavaScript SDK examples, built by `palisade plugin build`
//! and run over their case files in the real sandbox; and a Python
//! detector dropped into the plugins folder of a running host.
//!
//! Building needs componentize-py (Python) or jco (JavaScript, in the
//! example's `node_modules` or on PATH); a test whose tool is missing says
//! so and passes without checking anything.

use std::collections::BTreeMap;
use std::io::{Cursor, Write};
use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use palisade::normalize::m365::testdata::audit_record;
use palisade::runtime::{
    ComponentCache, DetectorEngine, DetectorSettings, DetectorSource, Limits, MemoryStateStore,
};
use palisade_schemas::DETECTOR_OUTPUT_COLUMNS;
use palisade_sdk::testing::{Case, FindingRow, decode_findings, event_batch, load_cases};
use serde_json::Value;

use super::support::{PATIENCE, count, interrupt, palisade, sql, wait_for_events, workspace};

/// Builds the project in `dir` to `out`, or `None` (with a note) when its
/// toolchain is not installed.
pub fn build_example(dir: &Path, out: &Path) -> Option<PathBuf> {
    let output = palisade()
        .args(["plugin", "build"])
        .arg(dir)
        .arg("--out")
        .arg(out)
        .output()
        .unwrap();
    let stderr = String::from_utf8_lossy(&output.stderr);
    if stderr.contains("was not found") {
        eprintln!("skipped: cannot build {}: {stderr}", dir.display());
        return None;
    }
    assert!(
        output.status.success(),
        "building {}: {stderr}",
        dir.display()
    );
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(
        stdout.contains(&out.display().to_string()),
        "build did not say where it wrote: {stdout}"
    );
    Some(out.to_owned())
}

/// Findings of a stamped batch, read back as the SDK's test rows.
fn rows_of(findings: &RecordBatch) -> Vec<FindingRow> {
    let columns: Vec<usize> = DETECTOR_OUTPUT_COLUMNS
        .iter()
        .map(|c| findings.schema().index_of(c.name).unwrap())
        .collect();
    let output = findings.project(&columns).unwrap();
    let mut bytes = Cursor::new(Vec::new());
    let mut writer = StreamWriter::try_new(&mut bytes, &output.schema()).unwrap();
    writer.write(&output).unwrap();
    writer.finish().unwrap();
    drop(writer);
    decode_findings(&bytes.into_inner()).unwrap()
}

/// Runs one case against a fresh instance of `component`; the problems,
/// empty when it passes.
fn run_case(
    engine: &DetectorEngine,
    source: &DetectorSource,
    name: &str,
    case: &Case,
) -> Vec<String> {
    let table: BTreeMap<String, String> = case
        .settings
        .iter()
        .map(|(k, v)| match v {
            Value::String(s) => (k.clone(), s.clone()),
            other => (k.clone(), other.to_string()),
        })
        .collect();
    let settings = DetectorSettings::from([(name.to_owned(), table)]);
    let mut detector = engine
        .load(source, &settings, Arc::new(MemoryStateStore::new()))
        .unwrap();
    let events = event_batch(&case.events).unwrap();
    let report = detector.detect(&events);
    let findings = match report.map(|r| r.outcome) {
        None => Vec::new(),
        Some(Ok(batch)) => batch.as_ref().map(rows_of).unwrap_or_default(),
        Some(Err(failure)) => return vec![format!("detect failed: {failure}")],
    };

    let mut left = findings;
    let mut problems = Vec::new();
    for expect in &case.expect {
        match left.iter().position(|r| expect.mismatches(r).is_empty()) {
            Some(i) => {
                left.remove(i);
            }
            None => problems.push(format!("no finding matches {expect:?}; left: {left:?}")),
        }
    }
    problems.extend(left.iter().map(|r| format!("unexpected finding {r}")));
    problems
}

/// Runs every case file of `dir` against `component`.
pub fn assert_cases(component: &Path, dir: &Path) {
    // Compiling a Python or JavaScript component takes seconds; the cache
    // makes it once per test instead of once per case.
    let cache = tempfile::tempdir().unwrap();
    let engine =
        DetectorEngine::new(ComponentCache::in_dir(cache.path()), Limits::default()).unwrap();
    let source = DetectorSource {
        origin: component.display().to_string(),
        bytes: std::fs::read(component).unwrap().into(),
    };
    let name = engine
        .load(
            &source,
            &DetectorSettings::new(),
            Arc::new(MemoryStateStore::new()),
        )
        .unwrap()
        .name()
        .to_owned();
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "json"))
        .collect();
    files.sort();
    let mut failures = Vec::new();
    let mut passed = 0;
    for file in &files {
        for case in load_cases(file).unwrap() {
            let problems = run_case(&engine, &source, &name, &case);
            if problems.is_empty() {
                passed += 1;
            } else {
                failures.push(format!(
                    "{} ({}):\n  {}",
                    case.name,
                    file.display(),
                    problems.join("\n  ")
                ));
            }
        }
    }
    assert!(failures.is_empty(), "{}", failures.join("\n"));
    assert!(passed > 0, "no cases in {}", dir.display());
}

#[test]
fn python_example_passes_its_cases_in_the_sandbox() {
    let example = workspace().join("sdk/python/examples/off-hours-login");
    let out = tempfile::tempdir().unwrap();
    let Some(component) = build_example(&example, &out.path().join("off-hours-login.wasm")) else {
        return;
    };
    assert_cases(&component, &example.join("cases"));
}

#[test]
fn javascript_example_passes_its_cases_in_the_sandbox() {
    let example = workspace().join("sdk/js/examples/off-hours-login");
    let out = tempfile::tempdir().unwrap();
    let Some(component) = build_example(&example, &out.path().join("off-hours-login.wasm")) else {
        return;
    };
    assert_cases(&component, &example.join("cases"));
}

/// A setting the detector rejects: the exception's message, not a trap.
fn configure_error(component: &Path, name: &str, key: &str, value: &str) -> String {
    let engine = DetectorEngine::new(ComponentCache::disabled(), Limits::default()).unwrap();
    let source = DetectorSource {
        origin: component.display().to_string(),
        bytes: std::fs::read(component).unwrap().into(),
    };
    let settings = DetectorSettings::from([(
        name.to_owned(),
        BTreeMap::from([(key.to_owned(), value.to_owned())]),
    )]);
    match engine.load(&source, &settings, Arc::new(MemoryStateStore::new())) {
        Ok(_) => panic!("{key} = {value} was accepted"),
        Err(error) => error.to_string(),
    }
}

#[test]
fn exceptions_in_python_and_javascript_become_error_messages() {
    let out = tempfile::tempdir().unwrap();
    for (lang, name) in [("python", "off-hours-login"), ("js", "off-hours-login-js")] {
        let example = workspace().join(format!("sdk/{lang}/examples/off-hours-login"));
        let Some(component) = build_example(&example, &out.path().join(format!("{lang}.wasm")))
        else {
            continue;
        };
        let error = configure_error(&component, name, "work_start", "25");
        assert!(
            error.contains("work_start must be an hour from 0 to 24, not 25"),
            "{lang}: {error}"
        );
        assert!(!error.contains("wasm trap"), "{lang}: {error}");
    }
}

/// Findings of the Python example in a data folder.
fn python_findings(data: &Path) -> i64 {
    if !data.join("findings").exists() {
        return 0;
    }
    count(
        data,
        "select count(*) from findings where detector = 'off-hours-login'",
    )
}

#[test]
fn a_python_detector_dropped_into_a_running_host_starts_finding() {
    let example = workspace().join("sdk/python/examples/off-hours-login");
    let dir = tempfile::tempdir().unwrap();
    let Some(component) = build_example(&example, &dir.path().join("off-hours-login.wasm")) else {
        return;
    };
    for folder in ["logs", "plugins"] {
        std::fs::create_dir(dir.path().join(folder)).unwrap();
    }
    // The generated logins are just after midnight UTC, outside working
    // hours of noon to one.
    std::fs::write(
        dir.path().join("palisade.toml"),
        "data_dir = \"history\"\ninputs = [\"logs\"]\nplugins = \"plugins\"\n\
         batch_records = 20\n\n[detectors.off-hours-login]\nwork_start = \"12\"\n\
         work_end = \"13\"\n",
    )
    .unwrap();
    let append = |from: u64, to: u64| {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(dir.path().join("logs/audit.jsonl"))
            .unwrap();
        for i in from..to {
            writeln!(file, "{}", audit_record(i)).unwrap();
        }
    };
    append(0, 100);
    let mut follower = palisade()
        .args(["run", "--config"])
        .arg(dir.path().join("palisade.toml"))
        .arg("--cache-dir")
        .arg(dir.path().join("cache"))
        // Nobody reads its progress lines: a full pipe would stall it.
        .stdout(Stdio::null())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let data = dir.path().join("history");
    wait_for_events(&mut follower, &data, 100);
    assert_eq!(python_findings(&data), 0, "not loaded yet, nothing found");

    // Written under another name and renamed, so the watcher sees the
    // 19 MB component whole.
    let part = dir.path().join("plugins/off-hours-login.part");
    std::fs::copy(&component, &part).unwrap();
    std::fs::rename(&part, dir.path().join("plugins/off-hours-login.wasm")).unwrap();
    // Compiling a 19 MB Python component takes from seconds (release host)
    // to minutes (debug host on a busy machine), off the hot path; keep
    // logs coming, slowly, until its findings show up.
    let start = Instant::now();
    let mut next = 100;
    while python_findings(&data) == 0 {
        if start.elapsed() > 6 * PATIENCE {
            let runs = sql(
                &data,
                "select * from detector_runs where detector = 'off-hours-login' limit 3",
            );
            panic!(
                "no finding from the Python detector after {:?}; its runs: {runs:?}",
                start.elapsed()
            );
        }
        append(next, next + 40);
        next += 40;
        std::thread::sleep(Duration::from_secs(5));
    }
    interrupt(&follower);
    let output = follower.wait_with_output().unwrap();
    assert!(output.status.success(), "the follower did not exit cleanly");
    let found = sql(
        &data,
        "select kind, detector_version, mitre from findings \
         where detector = 'off-hours-login' limit 1",
    );
    assert_eq!(found[0]["kind"], "off_hours.login");
    assert_eq!(found[0]["detector_version"], "0.1.0");
}

/// `palisade plugin new NAME --lang LANG` in `parent`, then its build; the
/// component, or `None` when the language's toolchain is missing.
fn scaffold(parent: &Path, name: &str, lang: &str) -> Option<PathBuf> {
    let output = palisade()
        .args(["plugin", "new", name, "--lang", lang, "--dir"])
        .arg(parent)
        .output()
        .unwrap();
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let project = parent.join(name);
    if lang == "js" {
        // The project pins jco; the example's installed copy serves here.
        let installed = workspace().join("sdk/js/examples/off-hours-login/node_modules");
        if !installed.is_dir() {
            eprintln!("skipped: run `npm ci` in sdk/js/examples/off-hours-login first");
            return None;
        }
        std::os::unix::fs::symlink(installed, project.join("node_modules")).unwrap();
    }
    build_example(&project, &project.join(format!("dist/{name}.wasm")))
}

#[test]
fn new_projects_in_every_language_build_and_pass_their_cases() {
    let parent = tempfile::tempdir().unwrap();
    for (name, lang) in [("py-geo", "python"), ("js-geo", "js"), ("rs-geo", "rust")] {
        if let Some(component) = scaffold(parent.path(), name, lang) {
            assert_cases(&component, &parent.path().join(name).join("cases"));
        }
    }
}
