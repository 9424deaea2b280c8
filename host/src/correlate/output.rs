//! Incidents as rows of the `incidents` table and as JSON lines.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::{
    ArrayRef, ListBuilder, RecordBatch, StringArray, StringBuilder, TimestampMicrosecondArray,
    UInt8Array,
};
use palisade_schemas::{UTC, incident_schema};

use super::CorrelateError;
use super::incident::Incident;
use super::rule::Rule;
use super::story::{entity_list, headline, narrative};

/// The file of incident versions in the data folder, one JSON object per
/// line; a later line with the same `incident_id` supersedes earlier ones.
pub const INCIDENTS_JSONL: &str = "incidents.jsonl";

/// One row per incident, `updated_at` as given (microseconds).
pub fn incidents_to_batch(incidents: &[Incident], rules: &[Rule], updated_at: i64) -> RecordBatch {
    let time = |f: fn(&Incident) -> i64| -> ArrayRef {
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(incidents.iter().map(f)).with_timezone(UTC),
        )
    };
    let list = |f: &dyn Fn(&Incident) -> Vec<String>| -> ArrayRef {
        let mut builder = ListBuilder::new(StringBuilder::new());
        for incident in incidents {
            for value in f(incident) {
                builder.values().append_value(value);
            }
            builder.append(true);
        }
        Arc::new(builder.finish())
    };
    let columns: Vec<ArrayRef> = vec![
        Arc::new(StringArray::from_iter_values(
            incidents.iter().map(|i| &i.incident_id),
        )),
        time(Incident::first_seen),
        time(Incident::last_seen),
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(incidents.iter().map(|_| updated_at))
                .with_timezone(UTC),
        ),
        Arc::new(StringArray::from_iter_values(
            incidents.iter().map(|i| headline(i, rules)),
        )),
        Arc::new(UInt8Array::from_iter_values(
            incidents.iter().map(|i| i.severity),
        )),
        Arc::new(UInt8Array::from_iter_values(
            incidents.iter().map(Incident::score),
        )),
        list(&entity_list),
        list(&|i| i.finding_ids().map(str::to_owned).collect()),
        list(&|i| i.rules.iter().cloned().collect()),
        Arc::new(StringArray::from_iter_values(
            incidents.iter().map(narrative),
        )),
        Arc::new(
            incidents
                .iter()
                .map(|i| i.merged_into.as_deref())
                .collect::<StringArray>(),
        ),
    ];
    RecordBatch::try_new(incident_schema(), columns)
        .expect("the columns follow the incidents schema")
}

/// Appends the rows of `batch` to `path` as JSON lines.
///
/// # Errors
///
/// [`CorrelateError::Output`] naming the file.
pub fn append_jsonl(path: &Path, batch: &RecordBatch) -> Result<(), CorrelateError> {
    let fail = |e: &dyn std::fmt::Display| CorrelateError::Output {
        path: path.display().to_string(),
        message: e.to_string(),
    };
    let file = std::fs::OpenOptions::new()
        .create(true)
        .append(true)
        .open(path)
        .map_err(|e| fail(&e))?;
    let mut out = std::io::BufWriter::new(file);
    let mut writer = arrow::json::LineDelimitedWriter::new(&mut out);
    writer.write(batch).map_err(|e| fail(&e))?;
    writer.finish().map_err(|e| fail(&e))?;
    out.flush().map_err(|e| fail(&e))
}
