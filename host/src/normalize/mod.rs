//! Vendor records to the event model.
//!
//! Each vendor format has one module with one [`Normalizer`]. A normalizer
//! turns one [`Record`] (a JSON text, a CSV row or a Zeek TSV row, as
//! framed by [`crate::ingest`]) into one or more [`Event`]s, or fails with
//! a [`NormalizeError`] that names the field; the reader turns a failure
//! into a [`DeadLetter`], so records in = events + dead letters.
//! [`EventBatchBuilder`] packs events into Arrow record batches with
//! [`palisade_schemas::event_schema`].
//!
//! Normalizers are pure: no I/O, no clock, no state between records, so a
//! replay of the same records gives the same events with the same ids.
//!
//! Adding a vendor format is one module here implementing [`Normalizer`],
//! plus one variant and one detection rule in [`crate::ingest::Format`].

mod attrs;
pub mod azure;
pub mod defender;
pub mod entra;
mod event;
mod flatten;
pub mod gws;
pub mod json;
pub mod m365;
pub mod okta;
mod record;
pub(crate) mod synthetic;
pub mod umbrella;
pub(crate) mod values;
pub mod zeek;

use thiserror::Error;

pub use attrs::Attrs;
pub use azure::AzureDiagnosticNormalizer;
pub use event::{
    DeadLetter, Event, EventBatchBuilder, TIME_MISSING, dead_letters_to_batch, event_id,
    event_id_of_parts,
};
pub use gws::GwsReportsNormalizer;
pub use m365::M365AuditNormalizer;
pub use okta::OktaSystemLogNormalizer;
pub use record::{CsvHeader, CsvRow, Record};
pub use umbrella::UmbrellaDnsNormalizer;
pub use zeek::{ZeekHeader, ZeekNormalizer, ZeekRow};

/// Maps the records of one vendor format to events.
pub trait Normalizer: Send + Sync {
    /// The `source` column of the events made (`m365`).
    fn source(&self) -> &'static str;

    /// Normalizes one record, appending its events to `out`.
    ///
    /// On success at least one event is appended; on failure none is.
    ///
    /// # Errors
    ///
    /// When the record cannot be parsed or lacks a required field; the
    /// error names the field and the bad value.
    fn normalize(&self, record: &Record<'_>, out: &mut Vec<Event>) -> Result<(), NormalizeError>;
}

/// Why one record could not be normalized.
///
/// The messages say what failed without saying where;
/// [`located`](Self::located) adds the record number and the file name.
#[derive(Debug, Clone, PartialEq, Eq, Error)]
pub enum NormalizeError {
    /// The record is not a JSON object.
    #[error("parsing JSON: {message}")]
    Json {
        /// The parser's message.
        message: String,
    },
    /// A required field is absent or empty.
    #[error("missing `{field}`")]
    Missing {
        /// The field's vendor name.
        field: String,
    },
    /// A field holds a value that cannot be used.
    #[error("parsing `{field}`: {problem} `{value}`")]
    Invalid {
        /// The field's vendor name.
        field: String,
        /// What is wrong with it, such as "invalid date".
        problem: &'static str,
        /// The value, cut to at most [`MAX_VALUE_IN_MESSAGE`] bytes.
        value: String,
    },
    /// A framing problem found by the reader: a CSV row with the wrong
    /// number of fields, text that is not UTF-8, a record too long.
    #[error("{step}: {detail}")]
    Framing {
        /// What was being done, such as "reading CSV row".
        step: &'static str,
        /// What went wrong.
        detail: String,
    },
}

/// Longest value quoted in an error message, in bytes.
pub const MAX_VALUE_IN_MESSAGE: usize = 200;

impl NormalizeError {
    /// An [`Invalid`](Self::Invalid) error, quoting at most
    /// [`MAX_VALUE_IN_MESSAGE`] bytes of `value`.
    pub fn invalid(field: impl Into<String>, problem: &'static str, value: &str) -> Self {
        NormalizeError::Invalid {
            field: field.into(),
            problem,
            value: truncate(value, MAX_VALUE_IN_MESSAGE).to_owned(),
        }
    }

    /// A [`Framing`](Self::Framing) error for a record framed in a shape
    /// the normalizer does not read (a Zeek TSV row given to a JSON
    /// format): a configured format that does not fit the file.
    pub fn unexpected_shape(record: &Record<'_>, format: &str) -> Self {
        let shape = match record {
            Record::Json(_) => "a JSON record",
            Record::Csv(_) => "a CSV row",
            Record::ZeekTsv(_) => "a Zeek TSV row",
        };
        NormalizeError::Framing {
            step: "normalizing",
            detail: format!("{shape} is not a {format} record"),
        }
    }

    /// A [`Missing`](Self::Missing) error.
    pub fn missing(field: impl Into<String>) -> Self {
        NormalizeError::Missing {
            field: field.into(),
        }
    }

    /// The message with the place of the record, as dead letters give it:
    /// "parsing `CreationTime` in record 17 of audit.json: invalid date
    /// `4/31/2021`".
    pub fn located(&self, record: u64, file: &str) -> String {
        let place = format!("in record {record} of {file}");
        match self {
            NormalizeError::Json { message } => format!("parsing JSON {place}: {message}"),
            NormalizeError::Missing { field } => format!("missing `{field}` {place}"),
            NormalizeError::Invalid {
                field,
                problem,
                value,
            } => format!("parsing `{field}` {place}: {problem} `{value}`"),
            NormalizeError::Framing { step, detail } => format!("{step} {place}: {detail}"),
        }
    }
}

/// The longest prefix of `s` of at most `max` bytes that ends on a char
/// boundary.
pub(crate) fn truncate(s: &str, max: usize) -> &str {
    if s.len() <= max {
        return s;
    }
    let mut end = max;
    while !s.is_char_boundary(end) {
        end -= 1;
    }
    &s[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn located_messages_name_record_file_and_field() {
        let e = NormalizeError::invalid("CreationTime", "invalid date", "4/31/2021");
        assert_eq!(
            e.located(17, "office_activity.csv"),
            "parsing `CreationTime` in record 17 of office_activity.csv: invalid date `4/31/2021`"
        );
        assert_eq!(
            NormalizeError::missing("Operation").located(3, "a.json"),
            "missing `Operation` in record 3 of a.json"
        );
    }

    #[test]
    fn long_values_are_cut_on_a_char_boundary() {
        let value = "é".repeat(MAX_VALUE_IN_MESSAGE);
        let NormalizeError::Invalid { value: quoted, .. } =
            NormalizeError::invalid("ClientIP", "invalid address", &value)
        else {
            unreachable!()
        };
        assert!(quoted.len() <= MAX_VALUE_IN_MESSAGE);
        assert!(value.starts_with(&quoted));
    }
}
