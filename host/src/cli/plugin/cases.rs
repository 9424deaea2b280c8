//! Case files read and their input turned into event batches, before any
//! detector runs: a file that cannot be used stops the command.
//!
//! The input of a case is normalized rows (`events`), built as the SDK's
//! harness builds them, or vendor log records (`log`, `log_file`), read
//! by the same format detection, framing and normalizers as
//! `palisade run`. A log record that does not normalize is an error of the
//! case file, not a dead letter: the case would test nothing.

use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;
use palisade_schemas::cases::{Case, event_batch, parse_cases};

use crate::ingest::{FileReader, Format, ReadOptions};
use crate::normalize::EventBatchBuilder;
use crate::pipeline::DEFAULT_BATCH_RECORDS;

/// A case file, or one case in it, that cannot be used.
#[derive(Debug, thiserror::Error)]
#[error("case file `{}`{}: {message}", file.display(), case.as_ref().map(|c| format!(", case `{c}`")).unwrap_or_default())]
pub struct CaseFileError {
    /// The file.
    pub file: PathBuf,
    /// The case's name, when the problem is in one case.
    pub case: Option<String>,
    /// What is wrong, with the JSON path or the event and column.
    pub message: String,
}

/// The cases of one file, ready to run.
#[derive(Debug)]
pub struct CaseFile {
    /// The file.
    pub path: PathBuf,
    /// Its cases, in file order.
    pub cases: Vec<ReadyCase>,
}

/// A case with its input as one batch of the event schema.
#[derive(Debug)]
pub struct ReadyCase {
    /// The case.
    pub case: Case,
    /// Its settings as text.
    pub settings: Vec<(String, String)>,
    /// Its events.
    pub events: RecordBatch,
}

/// The case files named: files as given, folders as their `*.json` files
/// (not recursing), sorted.
///
/// # Errors
///
/// A path that does not exist, a folder that cannot be read or holds no
/// `*.json` file.
pub fn case_files(paths: &[PathBuf]) -> Result<Vec<PathBuf>, CaseFileError> {
    let mut files = Vec::new();
    for path in paths {
        let fail = |message: String| CaseFileError {
            file: path.clone(),
            case: None,
            message,
        };
        if !path.is_dir() {
            if !path.is_file() {
                return Err(fail("no such file or folder".into()));
            }
            files.push(path.clone());
            continue;
        }
        let entries = std::fs::read_dir(path).map_err(|e| fail(format!("listing: {e}")))?;
        let mut found: Vec<PathBuf> = entries
            .filter_map(|entry| entry.ok().map(|e| e.path()))
            .filter(|p| p.is_file() && p.extension().is_some_and(|ext| ext == "json"))
            .collect();
        if found.is_empty() {
            return Err(fail("the folder holds no `*.json` case file".into()));
        }
        found.sort();
        files.extend(found);
    }
    Ok(files)
}

/// Reads a case file and builds each case's input.
///
/// # Errors
///
/// [`CaseFileError`] naming the file, and the case when one case is at
/// fault: unreadable file, text that is not cases (with the JSON path), a
/// setting that is not text, a number or a boolean, a malformed event, an
/// unknown format name, a log that cannot be read or a log record that does
/// not normalize.
pub fn load(path: &Path) -> Result<CaseFile, CaseFileError> {
    let fail = |case: Option<&Case>, message: String| CaseFileError {
        file: path.to_owned(),
        case: case.map(|c| c.name.clone()),
        message,
    };
    let text = std::fs::read_to_string(path).map_err(|e| fail(None, format!("reading: {e}")))?;
    let cases = parse_cases(&text).map_err(|e| fail(None, e.to_string()))?;
    let cases = cases
        .into_iter()
        .map(|case| {
            let settings = case.settings_text().map_err(|m| fail(Some(&case), m))?;
            let events = input_events(path, &case).map_err(|m| fail(Some(&case), m))?;
            Ok(ReadyCase {
                case,
                settings,
                events,
            })
        })
        .collect::<Result<Vec<_>, _>>()?;
    Ok(CaseFile {
        path: path.to_owned(),
        cases,
    })
}

/// The case's input as one batch of the event schema.
fn input_events(file: &Path, case: &Case) -> Result<RecordBatch, String> {
    if !case.has_log_input() {
        if case.format.is_some() {
            return Err(
                "`format` is the format of `log` or `log_file`, and the case has \
                        neither: its `events` are normalized already"
                    .to_owned(),
            );
        }
        return event_batch(&case.events).map_err(|e| e.to_string());
    }
    let format = case
        .format
        .as_deref()
        .map(str::parse::<Format>)
        .transpose()
        .map_err(|e| format!("`format`: {e}"))?;
    let options = ReadOptions {
        format,
        ..ReadOptions::default()
    };
    let reader = match &case.log_file {
        Some(relative) => {
            let log = file.parent().unwrap_or(Path::new(".")).join(relative);
            FileReader::open_with(&log, options)
        }
        None => {
            let name = format!("{} (`log` of case `{}`)", file.display(), case.name);
            FileReader::from_bytes(Path::new(&name), case.log_text().into_bytes(), options)
        }
    };
    normalize_all(reader.map_err(|e| e.to_string())?)
}

/// Every event of the reader's records; the first dead letter is an error.
fn normalize_all(mut reader: FileReader) -> Result<RecordBatch, String> {
    let mut events = Vec::new();
    loop {
        let chunk = reader
            .next_chunk(DEFAULT_BATCH_RECORDS)
            .map_err(|e| e.to_string())?;
        let Some(chunk) = chunk else { break };
        if let Some(letter) = chunk.dead_letters.first() {
            return Err(format!(
                "log record {} does not normalize: {}",
                letter.record, letter.reason
            ));
        }
        events.extend(chunk.events);
    }
    EventBatchBuilder::build(&events).map_err(|e| format!("building the event batch: {e}"))
}
