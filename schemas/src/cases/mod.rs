//! Detector behaviour as data: case files of settings, input events and
//! the findings expected (feature `cases`).
//!
//! One implementation, two runners: the SDK's native harness
//! (`palisade_sdk::testing`) and the host's `palisade plugin test`, which
//! runs the same files against any component in the real sandbox. This
//! module holds what both need and nothing that runs a detector:
//!
//! - [`Case`] and [`parse_cases`]: the file format. A file holds one case
//!   object or an array of them; errors name the JSON path.
//! - [`TestEvent`] and [`event_batch`]: normalized events written by hand,
//!   built into a batch of the event schema.
//! - [`LogRecord`]: the other way to give input, vendor log records that
//!   the host detects and normalizes as `palisade run` does.
//! - [`FindingRow`]: a finding read back from a record batch.
//! - [`Expectation`] and [`compare`]: the matching, and the differences
//!   reported when it fails.

mod event;
mod expect;
mod finding;
mod time;

use std::collections::BTreeMap;

use serde::Deserialize;
use serde_json::Value;

pub use event::{TestEvent, event_batch};
pub use expect::{Expectation, compare};
pub use finding::FindingRow;

/// Why a case file, its events or a run's findings could not be used.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CaseError {
    /// The text is not JSON, or not cases: `at` is the JSON path of the
    /// bad value (`[2].expect[0].severity_min`), empty for the whole text.
    #[error("{}{message}", if at.is_empty() { String::new() } else { format!("at `{at}`: ") })]
    Parse {
        /// The JSON path.
        at: String,
        /// What is wrong.
        message: String,
    },
    /// Events could not be built into a batch; the message names the
    /// event and the column.
    #[error("{0}")]
    Events(String),
    /// Findings could not be read from a batch.
    #[error("{0}")]
    Findings(String),
}

/// One case: a fresh detector with `settings`, one `detect` call over the
/// input, and the findings expected.
///
/// The input is exactly one of `events` (normalized rows), `log` (vendor
/// log records) or `log_file` (a vendor log file).
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Case {
    /// Short identifier, shown in reports.
    pub name: String,
    /// What the case is about, for the reader.
    #[serde(default)]
    pub description: Option<String>,
    /// Settings (strings, numbers or booleans); others keep their defaults.
    #[serde(default)]
    pub settings: BTreeMap<String, Value>,
    /// The events of the call, as normalized rows.
    #[serde(default)]
    pub events: Vec<TestEvent>,
    /// Vendor log records, one per item, read as the lines of a log file.
    #[serde(default)]
    pub log: Vec<LogRecord>,
    /// A vendor log file, relative to the case file.
    #[serde(default)]
    pub log_file: Option<String>,
    /// The format of `log` or `log_file` (a `palisade run` format name),
    /// when detection from the content is not wanted.
    #[serde(default)]
    pub format: Option<String>,
    /// The findings expected; required, and empty for "no findings".
    pub expect: Vec<Expectation>,
}

/// One vendor log record: its text, or a JSON record written as a JSON
/// value (written out as one compact line).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(untagged)]
pub enum LogRecord {
    /// The record's text, exactly (a JSON line, a CSV row or header, a
    /// Zeek TSV line).
    Text(String),
    /// A JSON record.
    Json(Value),
}

impl LogRecord {
    /// The record as one line of text.
    pub fn line(&self) -> String {
        match self {
            LogRecord::Text(text) => text.clone(),
            LogRecord::Json(value) => value.to_string(),
        }
    }
}

impl Case {
    /// Whether the input is vendor log records (`log` or `log_file`),
    /// which only the host can normalize.
    pub fn has_log_input(&self) -> bool {
        !self.log.is_empty() || self.log_file.is_some()
    }

    /// The `log` records as the text of a log file: one per line.
    pub fn log_text(&self) -> String {
        self.log.iter().map(|r| r.line() + "\n").collect()
    }

    /// The settings as the host passes them: text values.
    ///
    /// # Errors
    ///
    /// The setting whose value is not a string, number or boolean.
    pub fn settings_text(&self) -> Result<Vec<(String, String)>, String> {
        self.settings
            .iter()
            .map(|(name, value)| match value {
                Value::String(s) => Ok((name.clone(), s.clone())),
                Value::Number(_) | Value::Bool(_) => Ok((name.clone(), value.to_string())),
                _ => Err(format!(
                    "setting `{name}` must be a string, number or boolean"
                )),
            })
            .collect()
    }
}

/// The cases of a case file's text: one case object or an array of them.
///
/// # Errors
///
/// [`CaseError::Parse`] with the JSON path of the bad value: text that is
/// not JSON (with its line and column), an unknown or missing field, a
/// value of the wrong type, or a case that does not give exactly one of
/// `events`, `log` and `log_file`.
pub fn parse_cases(text: &str) -> Result<Vec<Case>, CaseError> {
    let value: Value = serde_json::from_str(text).map_err(|e| CaseError::Parse {
        at: String::new(),
        message: format!("not JSON: {e}"),
    })?;
    let (objects, cases) = match &value {
        Value::Array(items) => {
            let cases: Vec<Case> = from_value(&value)?;
            let indexed = items.iter().enumerate().map(|(i, v)| (format!("[{i}]"), v));
            (indexed.collect::<Vec<_>>(), cases)
        }
        _ => (vec![(String::new(), &value)], vec![from_value(&value)?]),
    };
    for (at, object) in objects {
        check_one_input(&at, object)?;
    }
    Ok(cases)
}

fn from_value<T: serde::de::DeserializeOwned>(value: &Value) -> Result<T, CaseError> {
    serde_path_to_error::deserialize(value).map_err(|e| {
        let at = e.path().to_string();
        CaseError::Parse {
            at: if at == "." { String::new() } else { at },
            message: e.into_inner().to_string(),
        }
    })
}

/// A case gives its input one way: `events`, `log` or `log_file`.
fn check_one_input(at: &str, case: &Value) -> Result<(), CaseError> {
    let given: Vec<&str> = ["events", "log", "log_file"]
        .into_iter()
        .filter(|key| case.get(key).is_some())
        .collect();
    if given.len() == 1 {
        return Ok(());
    }
    let message = if given.is_empty() {
        "give the input as `events`, `log` or `log_file`".to_owned()
    } else {
        format!("give one input, not {}", given.join(" and "))
    };
    Err(CaseError::Parse {
        at: at.to_owned(),
        message,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse_error(text: &str) -> String {
        parse_cases(text).unwrap_err().to_string()
    }

    #[test]
    fn a_file_holds_one_case_or_an_array() {
        let one = r#"{"name": "a", "events": [{"kind": "x"}], "expect": []}"#;
        assert_eq!(parse_cases(one).unwrap()[0].name, "a");
        let two = format!("[{one}, {one}]");
        assert_eq!(parse_cases(&two).unwrap().len(), 2);
    }

    #[test]
    fn errors_name_the_json_path() {
        let bad = r#"[{"name": "a", "events": [], "expect": []},
                      {"name": "b", "events": [], "expect": [{"severity_min": "high"}]}]"#;
        let err = parse_error(bad);
        assert!(
            err.starts_with("at `[1].expect[0].severity_min`: "),
            "{err}"
        );
        let unknown = parse_error(r#"{"name": "a", "events": [], "expect": [], "expected": []}"#);
        assert!(unknown.contains("unknown field `expected`"), "{unknown}");
        let missing = parse_error(r#"{"name": "a", "events": []}"#);
        assert!(missing.contains("missing field `expect`"), "{missing}");
        assert!(parse_error("{").starts_with("not JSON: "));
    }

    #[test]
    fn a_case_gives_exactly_one_input() {
        let none = parse_error(r#"[{"name": "a", "expect": []}]"#);
        assert_eq!(
            none,
            "at `[0]`: give the input as `events`, `log` or `log_file`"
        );
        let both = parse_error(r#"{"name": "a", "events": [], "log": [], "expect": []}"#);
        assert_eq!(both, "give one input, not events and log");
    }

    #[test]
    fn log_records_are_text_or_json_lines() {
        let case = &parse_cases(
            r#"{"name": "a", "log": ["a,b", {"Operation": "New-InboxRule"}], "expect": []}"#,
        )
        .unwrap()[0];
        assert!(case.has_log_input());
        assert_eq!(case.log_text(), "a,b\n{\"Operation\":\"New-InboxRule\"}\n");
    }

    #[test]
    fn settings_become_text() {
        let case = &parse_cases(
            r#"{"name": "a", "events": [], "expect": [],
                "settings": {"n": 3, "on": true, "who": "x"}}"#,
        )
        .unwrap()[0];
        let settings = case.settings_text().unwrap();
        assert_eq!(
            settings,
            [
                ("n".to_owned(), "3".to_owned()),
                ("on".to_owned(), "true".to_owned()),
                ("who".to_owned(), "x".to_owned())
            ]
        );
    }
}
