//! Findings read back from a detector's output, as the host reads them.

use std::collections::BTreeMap;
use std::fmt;

use arrow_array::cast::AsArray;
use arrow_array::types::{TimestampMicrosecondType, UInt8Type};
use arrow_array::{Array, RecordBatch, StringArray};
use arrow_buffer::Buffer;
use palisade_schemas::detector_output_schema;
use serde::Serialize;

use crate::Error;
use crate::ipc::read_stream;

/// One decoded finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    /// Microseconds since the Unix epoch.
    pub time: i64,
    /// What was found (`inbox_rule.hiding`).
    pub kind: String,
    /// 0 to 100.
    pub severity: u8,
    /// Short headline.
    pub title: String,
    /// One sentence.
    pub summary: String,
    /// User entity.
    pub user: Option<String>,
    /// Device entity.
    pub device: Option<String>,
    /// Domain entity.
    pub domain: Option<String>,
    /// IP address entity.
    pub ip: Option<String>,
    /// Supporting event ids.
    pub event_ids: Vec<String>,
    /// MITRE ATT&CK technique ids.
    pub mitre: Vec<String>,
    /// Detector-specific details.
    pub attrs: BTreeMap<String, String>,
}

impl fmt::Display for FindingRow {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "kind={} severity={}", self.kind, self.severity)?;
        for (name, value) in [
            ("user", &self.user),
            ("ip", &self.ip),
            ("domain", &self.domain),
            ("device", &self.device),
        ] {
            if let Some(v) = value {
                write!(f, " {name}={v}")?;
            }
        }
        write!(f, " title={:?} summary={:?}", self.title, self.summary)
    }
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
        rows.extend(rows_of(batch)?);
    }
    Ok(rows)
}

fn rows_of(batch: &RecordBatch) -> Result<Vec<FindingRow>, Error> {
    let missing = |name: &str| Error::Decode(format!("findings column `{name}` is unreadable"));
    let time = batch
        .column_by_name("time")
        .and_then(|a| a.as_primitive_opt::<TimestampMicrosecondType>())
        .ok_or_else(|| missing("time"))?;
    let severity = batch
        .column_by_name("severity")
        .and_then(|a| a.as_primitive_opt::<UInt8Type>())
        .ok_or_else(|| missing("severity"))?;
    let text = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|a| a.as_string_opt::<i32>())
            .ok_or_else(|| missing(name))
    };
    let (kind, title, summary) = (text("kind")?, text("title")?, text("summary")?);
    let (user, device, domain, ip) = (text("user")?, text("device")?, text("domain")?, text("ip")?);
    let lists = |name: &str| list_column(batch, name).ok_or_else(|| missing(name));
    let (event_ids, mitre) = (lists("event_ids")?, lists("mitre")?);
    let attrs = map_column(batch).ok_or_else(|| missing("attrs"))?;

    Ok((0..batch.num_rows())
        .map(|row| FindingRow {
            time: time.value(row),
            kind: kind.value(row).to_owned(),
            severity: severity.value(row),
            title: title.value(row).to_owned(),
            summary: summary.value(row).to_owned(),
            user: optional(user, row),
            device: optional(device, row),
            domain: optional(domain, row),
            ip: optional(ip, row),
            event_ids: event_ids[row].clone(),
            mitre: mitre[row].clone(),
            attrs: attrs[row].clone(),
        })
        .collect())
}

fn optional(array: &StringArray, row: usize) -> Option<String> {
    array.is_valid(row).then(|| array.value(row).to_owned())
}

fn list_column(batch: &RecordBatch, name: &str) -> Option<Vec<Vec<String>>> {
    let list = batch.column_by_name(name)?.as_list_opt::<i32>()?;
    Some(
        list.iter()
            .map(|items| {
                items
                    .and_then(|a| a.as_string_opt::<i32>().cloned())
                    .map(|a| a.iter().flatten().map(str::to_owned).collect())
                    .unwrap_or_default()
            })
            .collect(),
    )
}

fn map_column(batch: &RecordBatch) -> Option<Vec<BTreeMap<String, String>>> {
    let map = batch.column_by_name("attrs")?.as_map_opt()?;
    let keys = map.keys().as_string_opt::<i32>()?;
    let values = map.values().as_string_opt::<i32>()?;
    let offsets = map.value_offsets();
    Some(
        (0..map.len())
            .map(|row| {
                let start = usize::try_from(offsets[row]).unwrap_or(0);
                let end = usize::try_from(offsets[row + 1]).unwrap_or(0);
                (start..end)
                    .filter(|&i| values.is_valid(i))
                    .map(|i| (keys.value(i).to_owned(), values.value(i).to_owned()))
                    .collect()
            })
            .collect(),
    )
}
