//! `palisade plugin test`: behaviour cases against a detector component in
//! the real sandbox.
//!
//! Everything is loaded first (the component, then every case file with
//! its input), so a usage error stops the command before any case runs.
//! Then each case gets a fresh detector from the compiled component,
//! configured with the case's settings, with empty state held in memory,
//! under the limits `palisade run` uses by default. Its findings are
//! checked after the host's own validation and provenance stamping, so a
//! malformed output, a trap or a timeout is that case's failure.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::Context as _;
use clap::Args;
use palisade_schemas::cases::{FindingRow, compare};

use super::cases::{self, CaseFile, ReadyCase};
use crate::runtime::{
    ComponentCache, Description, DetectorEngine, DetectorSettings, DetectorSource, Limits,
    MemoryStateStore, PreparedDetector,
};

/// Arguments of `palisade plugin test`.
#[derive(Debug, Args)]
pub struct TestArgs {
    /// The detector component to test.
    #[arg(value_name = "PLUGIN.wasm")]
    pub plugin: PathBuf,
    /// Case files (.json), or folders whose `*.json` files are case files.
    #[arg(value_name = "CASES", required = true)]
    pub cases: Vec<PathBuf>,
    /// Where compiled components are cached [default: ~/.cache/palisade].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
}

/// How the cases went.
#[derive(Debug, Default)]
struct Tally {
    passed: usize,
    failed: usize,
}

pub(super) fn test(args: TestArgs) -> anyhow::Result<ExitCode> {
    let cache = args
        .cache_dir
        .clone()
        .or_else(crate::cli::default_cache_dir)
        .map_or_else(ComponentCache::disabled, ComponentCache::in_dir);
    let engine = DetectorEngine::new(cache, Limits::default())?;
    let source = DetectorSource::from_file(&args.plugin)?;
    let prepared = engine
        .prepare(&source)
        .with_context(|| format!("loading detector component `{}`", args.plugin.display()))?;
    let description = prepared
        .describe()
        .with_context(|| format!("loading detector component `{}`", args.plugin.display()))?;

    let files = cases::case_files(&args.cases)?
        .iter()
        .map(|path| cases::load(path))
        .collect::<Result<Vec<CaseFile>, _>>()?;
    let total: usize = files.iter().map(|f| f.cases.len()).sum();
    if total == 0 {
        anyhow::bail!("the case files hold no case");
    }

    println!(
        "testing detector {} {} ({})",
        description.name,
        description.version,
        args.plugin.display()
    );
    let mut tally = Tally::default();
    for file in &files {
        println!("{}", file.path.display());
        for case in &file.cases {
            report(
                &case.case.name,
                run_case(&prepared, &description, case),
                &mut tally,
            );
        }
    }
    println!(
        "{} passed, {} failed ({total} case(s) in {} file(s))",
        tally.passed,
        tally.failed,
        files.len()
    );
    Ok(if tally.failed == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Prints one case's line and, for a failure, its differences.
fn report(name: &str, outcome: Result<(), String>, tally: &mut Tally) {
    match outcome {
        Ok(()) => {
            tally.passed += 1;
            println!("  pass  {name}");
        }
        Err(problem) => {
            tally.failed += 1;
            let mut text = format!("  FAIL  {name}");
            for line in problem.lines() {
                let _ = write!(text, "\n        {line}");
            }
            println!("{text}");
        }
    }
}

/// Runs one case on a fresh detector; the error says what differs or what
/// went wrong.
fn run_case(
    prepared: &PreparedDetector,
    description: &Description,
    ready: &ReadyCase,
) -> Result<(), String> {
    let settings: DetectorSettings = BTreeMap::from([(
        description.name.clone(),
        ready.settings.iter().cloned().collect(),
    )]);
    let mut detector = prepared
        .start(&settings, Arc::new(MemoryStateStore::new()))
        .map_err(|e| format!("the detector did not start: {e}"))?;
    let findings = match detector.detect(&ready.events).map(|r| r.outcome) {
        None | Some(Ok(None)) => Vec::new(),
        Some(Ok(Some(batch))) => {
            FindingRow::from_batch(&batch).map_err(|e| format!("reading findings: {e}"))?
        }
        Some(Err(failure)) => {
            return Err(format!(
                "the detector failed ({}): {failure}",
                failure.cause()
            ));
        }
    };
    compare(&ready.case.expect, &findings)
}
