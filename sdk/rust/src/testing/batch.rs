//! The batches and IPC streams the host would send, and findings decoded
//! from a detector's output.

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::writer::StreamWriter;
use palisade_schemas::cases::{FindingRow, TestEvent, event_batch};
use palisade_schemas::{ALWAYS_SENT_EVENT_COLUMNS, EVENT_COLUMNS, detector_output_schema};

use crate::ipc::read_stream;
use crate::{Description, Error};

/// The batch the host would send to a detector described by `description`:
/// only events of its kinds, only `event_id`, `time`, `kind` and the
/// columns it asked for.
///
/// # Errors
///
/// [`Error::Test`] naming the event and the column when an event is
/// malformed.
pub fn batch_for(description: &Description, events: &[TestEvent]) -> Result<RecordBatch, Error> {
    let wanted: Vec<TestEvent> = events
        .iter()
        .filter(|e| {
            description.kinds.is_empty()
                || e.kind()
                    .is_some_and(|k| description.kinds.iter().any(|w| w == k))
        })
        .cloned()
        .collect();
    let batch = event_batch(&wanted).map_err(|e| Error::Test(e.to_string()))?;
    let indices: Vec<usize> = EVENT_COLUMNS
        .iter()
        .enumerate()
        .filter(|(_, c)| {
            ALWAYS_SENT_EVENT_COLUMNS.contains(&c.name)
                || description.columns.iter().any(|w| w == c.name)
        })
        .map(|(i, _)| i)
        .collect();
    batch
        .project(&indices)
        .map_err(|e| Error::Test(format!("projecting the event batch: {e}")))
}

/// Writes record batches as one Arrow IPC stream, as the host does.
///
/// # Errors
///
/// [`Error::Test`] when the batches do not share the first one's schema.
pub fn write_ipc(batches: &[RecordBatch]) -> Result<Vec<u8>, Error> {
    let Some(first) = batches.first() else {
        return Ok(Vec::new());
    };
    let fail = |e: arrow_schema::ArrowError| Error::Test(format!("writing the IPC stream: {e}"));
    let mut writer = StreamWriter::try_new(Vec::new(), &first.schema()).map_err(fail)?;
    for batch in batches {
        writer.write(batch).map_err(fail)?;
    }
    writer.finish().map_err(fail)?;
    writer.into_inner().map_err(fail)
}

/// Decodes a detector's output, checking its schema is exactly the
/// detector-output schema. No bytes decode as no findings.
///
/// # Errors
///
/// [`Error::Decode`] when the bytes are not an IPC stream or the schema
/// differs.
pub fn decode_findings(ipc: &[u8]) -> Result<Vec<FindingRow>, Error> {
    let stream = read_stream(Buffer::from(ipc)).map_err(Error::Decode)?;
    let expected = detector_output_schema();
    if let Some(schema) = &stream.schema
        && schema.fields() != expected.fields()
    {
        return Err(Error::Decode(format!(
            "findings schema {schema:?} is not the detector-output schema"
        )));
    }
    let mut rows = Vec::new();
    for batch in &stream.batches {
        rows.extend(FindingRow::from_batch(batch).map_err(|e| Error::Decode(e.to_string()))?);
    }
    Ok(rows)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn batch_for_filters_kinds_and_projects_columns() {
        let d = Description::new("t", "1", "t")
            .kinds(["a"])
            .columns(["user"]);
        let events = [TestEvent::new("a"), TestEvent::new("b").with("user", "u")];
        let batch = batch_for(&d, &events).unwrap();
        assert_eq!(batch.num_rows(), 1);
        let names: Vec<_> = batch
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["event_id", "time", "kind", "user"]);
    }
}
