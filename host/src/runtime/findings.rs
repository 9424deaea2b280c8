//! Validating what a detector returns and stamping it into findings.

use std::sync::Arc;

use arrow::array::{Array, ArrayRef, AsArray, ListArray, StringArray, make_array, new_null_array};
use arrow::buffer::Buffer;
use arrow::compute::concat_batches;
use arrow::datatypes::{SchemaRef, TimestampMicrosecondType, UInt8Type};
use arrow::error::ArrowError;
use arrow::ipc::reader::StreamDecoder;
use arrow::record_batch::RecordBatch;
use palisade_schemas::{Column, DETECTOR_OUTPUT_COLUMNS, FINDING_COLUMNS, column, finding_schema};
use sha2::{Digest, Sha256};

use super::error::DetectorFailure;

/// Turns a detector's output stream into findings with provenance.
///
/// The output must be an Arrow IPC stream whose columns are detector-output
/// columns of the right types, with every required column present and
/// non-null and severities within 0-100. Each finding gets the detector's
/// name, version and component hash, and an id derived from its content, so
/// the same input replayed gives the same finding ids.
#[derive(Debug, Clone)]
pub struct FindingStamper {
    detector: String,
    version: String,
    hash: String,
}

impl FindingStamper {
    /// A stamper for findings of one detector version.
    pub fn new(detector: &str, version: &str, hash: &str) -> Self {
        FindingStamper {
            detector: detector.to_owned(),
            version: version.to_owned(),
            hash: hash.to_owned(),
        }
    }

    /// The findings in `output`, or `None` when it holds none.
    ///
    /// # Errors
    ///
    /// [`DetectorFailure::BadOutput`] naming what is wrong: undecodable
    /// stream, unknown column, wrong type, missing required column, null in
    /// a required column, severity over 100.
    pub fn stamp(&self, output: &[u8]) -> Result<Option<RecordBatch>, DetectorFailure> {
        if output.is_empty() {
            return Ok(None);
        }
        let batch = decode(output)?;
        if batch.num_rows() == 0 {
            return Ok(None);
        }
        validate(&batch)?;
        self.to_findings(&batch).map(Some)
    }

    fn to_findings(&self, output: &RecordBatch) -> Result<RecordBatch, DetectorFailure> {
        let rows = output.num_rows();
        let repeated = |value: &str| Arc::new(StringArray::from(vec![value; rows])) as ArrayRef;
        let columns = FINDING_COLUMNS
            .iter()
            .map(|c| match c.name {
                "finding_id" => Ok(Arc::new(self.finding_ids(output)) as ArrayRef),
                "detector" => Ok(repeated(&self.detector)),
                "detector_version" => Ok(repeated(&self.version)),
                "detector_hash" => Ok(repeated(&self.hash)),
                name => match output.column_by_name(name) {
                    Some(array) => conform(array, c),
                    None => Ok(new_null_array(&c.ty.data_type(), rows)),
                },
            })
            .collect::<Result<Vec<_>, _>>()?;
        RecordBatch::try_new(finding_schema(), columns)
            .map_err(|e| DetectorFailure::BadOutput(format!("assembling findings: {e}")))
    }

    fn finding_ids(&self, output: &RecordBatch) -> StringArray {
        let text = |name: &str| output.column_by_name(name).map(|a| a.as_string::<i32>());
        let (kind, user, device, domain, ip) = (
            text("kind"),
            text("user"),
            text("device"),
            text("domain"),
            text("ip"),
        );
        let time = output
            .column_by_name("time")
            .map(|a| a.as_primitive::<TimestampMicrosecondType>());
        let event_ids = output
            .column_by_name("event_ids")
            .map(|a| a.as_list::<i32>());
        (0..output.num_rows())
            .map(|row| {
                let mut hash = Sha256::new();
                hash.update(self.detector.as_bytes());
                for part in [kind, user, device, domain, ip] {
                    hash.update([0]);
                    if let Some(value) = part.filter(|a| a.is_valid(row)) {
                        hash.update(value.value(row).as_bytes());
                    }
                }
                if let Some(time) = time {
                    hash.update(time.value(row).to_le_bytes());
                }
                for id in list_values(event_ids, row) {
                    hash.update([0]);
                    hash.update(id.as_bytes());
                }
                Some(hex::encode(&hash.finalize()[..16]))
            })
            .collect()
    }
}

fn list_values(list: Option<&ListArray>, row: usize) -> Vec<String> {
    let Some(list) = list.filter(|l| l.is_valid(row)) else {
        return Vec::new();
    };
    let values = list.value(row);
    let mut ids: Vec<String> = values
        .as_string::<i32>()
        .iter()
        .flatten()
        .map(str::to_owned)
        .collect();
    ids.sort();
    ids
}

/// Decodes a findings stream.
///
/// Uses the push decoder, which only ever holds bytes it was given: the
/// blocking `StreamReader` allocates whatever length a message header
/// claims, so four bytes of text from a hostile detector made the host
/// zero two gigabytes.
///
/// arrow-ipc trusts some of a message's flatbuffer (a schema without its
/// `fields` panics), so a panic while decoding is caught and reported as
/// bad output: a detector's bytes must never take the host down.
fn decode(output: &[u8]) -> Result<RecordBatch, DetectorFailure> {
    std::panic::catch_unwind(|| decode_stream(output)).unwrap_or_else(|panic| {
        let why = panic
            .downcast_ref::<&str>()
            .map(|s| (*s).to_owned())
            .or_else(|| panic.downcast_ref::<String>().cloned())
            .unwrap_or_default();
        Err(DetectorFailure::BadOutput(format!(
            "decoding the Arrow IPC stream: malformed message ({why})"
        )))
    })
}

fn decode_stream(output: &[u8]) -> Result<RecordBatch, DetectorFailure> {
    let bad = |e: arrow::error::ArrowError| {
        DetectorFailure::BadOutput(format!("decoding the Arrow IPC stream: {e}"))
    };
    let mut decoder = StreamDecoder::new();
    let mut buffer = Buffer::from(output);
    let mut batches = Vec::new();
    while let Some(batch) = decoder.decode(&mut buffer).map_err(bad)? {
        batches.push(batch);
    }
    decoder.finish().map_err(bad)?;
    let schema: SchemaRef = match (batches.first(), decoder.schema()) {
        (Some(batch), _) => batch.schema(),
        (None, Some(schema)) => schema,
        (None, None) => return Err(bad(ArrowError::IpcError("no schema".into()))),
    };
    concat_batches(&schema, &batches).map_err(bad)
}

fn validate(batch: &RecordBatch) -> Result<(), DetectorFailure> {
    let bad = |message: String| Err(DetectorFailure::BadOutput(message));
    for field in batch.schema().fields() {
        let Some(expected) = column(DETECTOR_OUTPUT_COLUMNS, field.name()) else {
            return bad(format!("unknown column `{}`", field.name()));
        };
        if !field.data_type().equals_datatype(&expected.ty.data_type()) {
            return bad(format!(
                "column `{}` is {}, expected {}",
                field.name(),
                field.data_type(),
                expected.ty.arrow_name()
            ));
        }
    }
    for required in DETECTOR_OUTPUT_COLUMNS.iter().filter(|c| c.required) {
        match batch.column_by_name(required.name) {
            None => return bad(format!("required column `{}` is missing", required.name)),
            Some(a) if a.null_count() > 0 => {
                return bad(format!("required column `{}` has nulls", required.name));
            }
            Some(_) => {}
        }
    }
    let severity = batch
        .column_by_name("severity")
        .map(|a| a.as_primitive::<UInt8Type>());
    if let Some(too_high) = severity.and_then(|s| s.iter().flatten().find(|&v| v > 100)) {
        return bad(format!("severity {too_high} is over 100"));
    }
    Ok(())
}

/// Gives `array` the exact type of `target`, when it differs only in the
/// names of nested fields (a list's item, a map's entries).
fn conform(array: &ArrayRef, target: &Column) -> Result<ArrayRef, DetectorFailure> {
    let data_type = target.ty.data_type();
    if array.data_type() == &data_type {
        return Ok(array.clone());
    }
    array
        .to_data()
        .into_builder()
        .data_type(data_type)
        .build()
        .map(make_array)
        .map_err(|e| DetectorFailure::BadOutput(format!("column `{}`: {e}", target.name)))
}

/// A detector-output batch with the given rows, for tests here and in the
/// runtime.
#[cfg(test)]
pub(crate) fn output_batch(rows: &[(&str, u8, Option<&str>)]) -> RecordBatch {
    use arrow::array::{TimestampMicrosecondArray, UInt8Array};
    use arrow::datatypes::{Field, Schema};
    let schema = Arc::new(Schema::new(
        ["time", "kind", "severity", "title", "summary", "user"]
            .iter()
            .map(|n| column(DETECTOR_OUTPUT_COLUMNS, n).unwrap().field())
            .collect::<Vec<Field>>(),
    ));
    let n = rows.len();
    RecordBatch::try_new(
        schema,
        vec![
            Arc::new(TimestampMicrosecondArray::from(vec![1_000_000; n]).with_timezone("UTC")),
            Arc::new(StringArray::from_iter_values(rows.iter().map(|r| r.0))),
            Arc::new(UInt8Array::from_iter_values(rows.iter().map(|r| r.1))),
            Arc::new(StringArray::from(vec!["t"; n])),
            Arc::new(StringArray::from(vec!["s"; n])),
            Arc::new(StringArray::from_iter(rows.iter().map(|r| r.2))),
        ],
    )
    .unwrap()
}

#[cfg(test)]
mod tests {
    use arrow::ipc::writer::StreamWriter;

    use super::*;

    fn encode(batch: &RecordBatch) -> Vec<u8> {
        let mut out = Vec::new();
        let mut writer = StreamWriter::try_new(&mut out, &batch.schema()).unwrap();
        writer.write(batch).unwrap();
        writer.finish().unwrap();
        drop(writer);
        out
    }

    fn stamper() -> FindingStamper {
        FindingStamper::new("inbox-rule", "1.0.0", "abc")
    }

    #[test]
    fn stamps_provenance_and_stable_ids() {
        let output = encode(&output_batch(&[
            ("a.b", 50, Some("u@x")),
            ("a.c", 90, None),
        ]));
        let findings = stamper().stamp(&output).unwrap().unwrap();
        assert_eq!(findings.schema(), finding_schema());
        assert_eq!(findings.num_rows(), 2);
        let detector = findings
            .column_by_name("detector")
            .unwrap()
            .as_string::<i32>();
        assert_eq!(detector.value(1), "inbox-rule");
        let ids = findings
            .column_by_name("finding_id")
            .unwrap()
            .as_string::<i32>();
        assert_ne!(ids.value(0), ids.value(1));
        let again = stamper().stamp(&output).unwrap().unwrap();
        assert_eq!(
            again
                .column_by_name("finding_id")
                .unwrap()
                .as_string::<i32>(),
            ids
        );
    }

    #[test]
    fn empty_output_is_no_findings() {
        assert_eq!(stamper().stamp(&[]).unwrap(), None);
    }

    #[test]
    fn every_corruption_of_a_stream_is_a_result_never_a_panic() {
        let output = encode(&output_batch(&[("a.b", 50, Some("u@x"))]));
        for at in 0..output.len() {
            for byte in [0x00, 0xff, output[at] ^ 0x80] {
                let mut bad = output.clone();
                bad[at] = byte;
                // Ok or Err: both are fine, returning at all is the point.
                let _ = stamper().stamp(&bad);
            }
        }
        let cut = &output[..output.len() / 2];
        assert!(stamper().stamp(cut).is_err());
    }

    #[test]
    fn garbage_is_bad_output() {
        let err = stamper().stamp(b"not arrow").unwrap_err();
        assert!(matches!(err, DetectorFailure::BadOutput(m) if m.contains("decoding")));
    }

    #[test]
    fn severity_over_100_is_bad_output() {
        let output = encode(&output_batch(&[("a.b", 101, None)]));
        let err = stamper().stamp(&output).unwrap_err();
        assert_eq!(
            err,
            DetectorFailure::BadOutput("severity 101 is over 100".into())
        );
    }

    #[test]
    fn missing_required_column_is_bad_output() {
        let batch = output_batch(&[("a.b", 1, None)]);
        let without_title = batch.project(&[0, 1, 2, 4]).unwrap();
        let err = stamper().stamp(&encode(&without_title)).unwrap_err();
        assert_eq!(
            err,
            DetectorFailure::BadOutput("required column `title` is missing".into())
        );
    }
}
