//! Detector behaviour as data: JSON case files of settings, events and the
//! findings expected, checked by a native [`Harness`].
//!
//! The format and the matching live in [`palisade_schemas::cases`], shared
//! with the host's `palisade plugin test`, which runs the same files
//! against the built component in the real sandbox. Cases whose input is
//! vendor log records (`log`, `log_file`) need the host's normalizers: the
//! native harness skips them and says so.

use std::fmt;
use std::path::{Path, PathBuf};

use palisade_schemas::cases::{Case, compare, parse_cases};

use super::Harness;
use crate::{Detector, Error};

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
    parse_cases(&text).map_err(|e| fail(e.to_string()))
}

/// Runs one case with a fresh detector.
///
/// # Errors
///
/// The problem, in words, when the findings do not match or the run fails.
/// A case with vendor log input fails here: only the host can normalize
/// it (see [`run_case_file`], which skips such cases).
pub fn run_case<D: Detector>(case: &Case) -> Result<(), String> {
    if case.has_log_input() {
        return Err(
            "the input is vendor log records, which only `palisade plugin test` normalizes".into(),
        );
    }
    let mut harness = Harness::<D>::new();
    for (name, text) in case.settings_text()? {
        harness = harness.with_setting(&name, &text);
    }
    let rows = harness.try_run(&case.events).map_err(|e| e.to_string())?;
    compare(&case.expect, &rows)
}

/// Runs every case of a file; `Ok` holds how many passed. Cases with
/// vendor log input are skipped (they are neither passed nor failed) with a
/// note on standard error.
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
    let skipped = cases.iter().filter(|c| c.has_log_input()).count();
    if skipped > 0 {
        eprintln!(
            "{}: {skipped} case(s) with vendor log input skipped natively; \
             run them with `palisade plugin test`",
            path.display()
        );
    }
    let failures: Vec<CaseFailure> = cases
        .iter()
        .filter(|case| !case.has_log_input())
        .filter_map(|case| {
            run_case::<D>(case)
                .err()
                .map(|problem| failure(&case.name, problem))
        })
        .collect();
    if failures.is_empty() {
        Ok(cases.len() - skipped)
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
