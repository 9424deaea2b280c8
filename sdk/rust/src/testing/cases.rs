//! Detector behaviour as data: JSON case files of settings, events and the
//! findings expected, checked by a native [`Harness`].
//!
//! Every expectation must match a distinct finding and every finding an
//! expectation; an empty `expect` means no finding. Expectations match in
//! any order (the best one-to-one pairing is searched for).

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::{FindingRow, Harness, TestEvent};
use crate::{Detector, Error};

/// One case: a fresh detector, one `detect` call over `events`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Short identifier, shown in failures.
    pub name: String,
    /// What the case is about, for the reader.
    #[serde(default)]
    pub description: Option<String>,
    /// Settings (strings, numbers or booleans); others keep their defaults.
    #[serde(default)]
    pub settings: BTreeMap<String, Value>,
    /// The events of the call.
    pub events: Vec<TestEvent>,
    /// The findings expected; required, and empty for "no findings".
    pub expect: Vec<Expectation>,
}

/// What one expected finding must satisfy; fields left out are not checked.
/// Text fields compare exactly, except `*_contains`, which ignore case.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Exact kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Exact user entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Exact IP entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Exact domain entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Exact device entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Lowest acceptable severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_min: Option<u8>,
    /// Highest acceptable severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_max: Option<u8>,
    /// Text the title contains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_contains: Option<String>,
    /// Text the summary contains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_contains: Option<String>,
    /// Techniques the finding must list (it may list more).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitre: Vec<String>,
    /// Event ids the finding must list (it may list more).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_ids: Vec<String>,
    /// Detail entries the finding must have, with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
}

impl Expectation {
    /// How `row` differs from the expectation; empty when it matches.
    pub fn mismatches(&self, row: &FindingRow) -> Vec<String> {
        let mut out = Vec::new();
        let exact = [
            ("kind", &self.kind, Some(&row.kind)),
            ("user", &self.user, row.user.as_ref()),
            ("ip", &self.ip, row.ip.as_ref()),
            ("domain", &self.domain, row.domain.as_ref()),
            ("device", &self.device, row.device.as_ref()),
        ];
        for (name, want, got) in exact {
            if let Some(want) = want
                && got != Some(want)
            {
                out.push(format!("{name} is {got:?}, expected {want:?}"));
            }
        }
        if let Some(min) = self.severity_min.filter(|&min| row.severity < min) {
            out.push(format!("severity {} is below {min}", row.severity));
        }
        if let Some(max) = self.severity_max.filter(|&max| row.severity > max) {
            out.push(format!("severity {} is above {max}", row.severity));
        }
        for (name, want, got) in [
            ("title", &self.title_contains, &row.title),
            ("summary", &self.summary_contains, &row.summary),
        ] {
            if let Some(want) = want
                && !got.to_lowercase().contains(&want.to_lowercase())
            {
                out.push(format!("{name} {got:?} does not contain {want:?}"));
            }
        }
        for (name, want, got) in [
            ("mitre", &self.mitre, &row.mitre),
            ("event_ids", &self.event_ids, &row.event_ids),
        ] {
            if let Some(missing) = want.iter().find(|w| !got.contains(w)) {
                out.push(format!("{name} {got:?} lacks {missing:?}"));
            }
        }
        for (key, want) in &self.attrs {
            let got = row.attrs.get(key);
            if got != Some(want) {
                out.push(format!("attrs[{key:?}] is {got:?}, expected {want:?}"));
            }
        }
        out
    }
}

/// A case that did not behave as expected.
#[derive(Debug, Clone)]
pub struct CaseFailure {
    /// The case file.
    pub file: PathBuf,
    /// The case's name.
    pub case: String,
    /// What went wrong, possibly over several lines.
    pub problem: String,
}

impl fmt::Display for CaseFailure {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(
            f,
            "case `{}` ({}): {}",
            self.case,
            self.file.display(),
            self.problem
        )
    }
}

/// Every failing case of a run.
#[derive(Debug, Clone)]
pub struct CaseFailures(pub Vec<CaseFailure>);

impl fmt::Display for CaseFailures {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "{} case(s) failed:", self.0.len())?;
        for failure in &self.0 {
            writeln!(f, "\n{failure}")?;
        }
        Ok(())
    }
}

impl std::error::Error for CaseFailures {}

/// The cases of a file holding one case object or an array of them.
///
/// # Errors
///
/// [`Error::Test`] naming the file when it cannot be read or parsed.
pub fn load_cases(path: &Path) -> Result<Vec<Case>, Error> {
    let fail = |what: String| Error::Test(format!("{}: {what}", path.display()));
    let text = std::fs::read_to_string(path).map_err(|e| fail(format!("reading: {e}")))?;
    let value: Value = serde_json::from_str(&text).map_err(|e| fail(format!("parsing: {e}")))?;
    let cases = if value.is_array() {
        serde_json::from_value(value)
    } else {
        serde_json::from_value(value).map(|case| vec![case])
    };
    cases.map_err(|e| fail(format!("reading cases: {e}")))
}

/// Runs one case with a fresh detector.
///
/// # Errors
///
/// The problem, in words, when the findings do not match or the run fails.
pub fn run_case<D: Detector>(case: &Case) -> Result<(), String> {
    let mut harness = Harness::<D>::new();
    for (name, value) in &case.settings {
        let text = match value {
            Value::String(s) => s.clone(),
            Value::Number(_) | Value::Bool(_) => value.to_string(),
            _ => {
                return Err(format!(
                    "setting `{name}` must be a string, number or boolean"
                ));
            }
        };
        harness = harness.with_setting(name, &text);
    }
    let rows = harness.try_run(&case.events).map_err(|e| e.to_string())?;
    compare(&case.expect, &rows)
}

/// Runs every case of a file; `Ok` holds how many passed.
///
/// # Errors
///
/// Every failing case, or the file's load error as a failure.
pub fn run_case_file<D: Detector>(path: impl AsRef<Path>) -> Result<usize, CaseFailures> {
    let path = path.as_ref();
    let failure = |case: &str, problem: String| CaseFailure {
        file: path.to_owned(),
        case: case.to_owned(),
        problem,
    };
    let cases = load_cases(path).map_err(|e| CaseFailures(vec![failure("-", e.to_string())]))?;
    let failures: Vec<CaseFailure> = cases
        .iter()
        .filter_map(|case| {
            run_case::<D>(case)
                .err()
                .map(|problem| failure(&case.name, problem))
        })
        .collect();
    if failures.is_empty() {
        Ok(cases.len())
    } else {
        Err(CaseFailures(failures))
    }
}

/// Runs every `*.json` case file in `dir` and reports all failures at once.
///
/// # Panics
///
/// When a case fails, when the folder cannot be read, or when it holds no
/// case at all (a misnamed folder should not pass silently).
pub fn assert_cases_in_dir<D: Detector>(dir: impl AsRef<Path>) {
    let dir = dir.as_ref();
    let mut files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap_or_else(|e| panic!("reading case folder {}: {e}", dir.display()))
        .filter_map(|entry| entry.ok().map(|e| e.path()))
        .filter(|p| p.extension().is_some_and(|ext| ext == "json"))
        .collect();
    files.sort();

    let mut passed = 0;
    let mut failures = Vec::new();
    for file in &files {
        match run_case_file::<D>(file) {
            Ok(n) => passed += n,
            Err(CaseFailures(f)) => failures.extend(f),
        }
    }
    assert!(
        failures.is_empty(),
        "{}({passed} passed)",
        CaseFailures(failures)
    );
    assert!(passed > 0, "no cases in {}", dir.display());
}

/// Pairs expectations with findings one to one, and describes what is left
/// over on either side.
fn compare(expect: &[Expectation], rows: &[FindingRow]) -> Result<(), String> {
    let pairing = pair(expect, rows);
    let unmatched_rows: Vec<usize> = (0..rows.len())
        .filter(|r| !pairing.contains(&Some(*r)))
        .collect();
    if pairing.iter().all(Option::is_some) && unmatched_rows.is_empty() {
        return Ok(());
    }

    let mut report = format!("expected {} finding(s), got {}", expect.len(), rows.len());
    for (e, paired) in expect.iter().zip(&pairing) {
        if paired.is_none() {
            report.push_str(&format!("\n  no finding matches {}", describe(e)));
            if let Some((r, problems)) = closest(e, rows) {
                report.push_str(&format!(
                    "\n    closest is finding {}: {}",
                    r + 1,
                    problems.join("; ")
                ));
            }
        }
    }
    for r in unmatched_rows {
        report.push_str(&format!("\n  unexpected finding {}: {}", r + 1, rows[r]));
    }
    Err(report)
}

/// For each expectation, the finding it is paired with: a maximum
/// bipartite matching by augmenting paths (cases are small).
fn pair(expect: &[Expectation], rows: &[FindingRow]) -> Vec<Option<usize>> {
    let fits: Vec<Vec<bool>> = expect
        .iter()
        .map(|e| rows.iter().map(|r| e.mismatches(r).is_empty()).collect())
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; rows.len()];
    for e in 0..expect.len() {
        augment(e, &fits, &mut vec![false; rows.len()], &mut owner);
    }
    let mut pairing = vec![None; expect.len()];
    for (r, e) in owner.iter().enumerate() {
        if let Some(e) = e {
            pairing[*e] = Some(r);
        }
    }
    pairing
}

fn augment(e: usize, fits: &[Vec<bool>], seen: &mut [bool], owner: &mut [Option<usize>]) -> bool {
    for r in 0..owner.len() {
        if fits[e][r] && !seen[r] {
            seen[r] = true;
            if owner[r].is_none_or(|other| augment(other, fits, seen, owner)) {
                owner[r] = Some(e);
                return true;
            }
        }
    }
    false
}

/// The finding with the fewest mismatches against `e`.
fn closest(e: &Expectation, rows: &[FindingRow]) -> Option<(usize, Vec<String>)> {
    rows.iter()
        .map(|r| e.mismatches(r))
        .enumerate()
        .min_by_key(|(_, problems)| problems.len())
}

fn describe(e: &Expectation) -> String {
    serde_json::to_string(e).unwrap_or_else(|_| format!("{e:?}"))
}
