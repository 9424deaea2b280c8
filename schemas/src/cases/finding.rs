//! Findings read back from a record batch: a detector's output or the
//! host's stamped findings.

use std::collections::BTreeMap;
use std::fmt;

use arrow_array::cast::AsArray;
use arrow_array::types::{TimestampMicrosecondType, UInt8Type};
use arrow_array::{Array, RecordBatch, StringArray};
use serde::Serialize;

use super::CaseError;

/// One decoded finding.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FindingRow {
    /// The detector that made it: stamped by the host, or filled in by a
    /// test harness that knows it; `None` when unknown.
    pub detector: Option<String>,
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

impl FindingRow {
    /// The findings of `batch`, by column name: a batch of the
    /// detector-output schema or of the finding schema. The `detector`
    /// column is read when present.
    ///
    /// # Errors
    ///
    /// [`CaseError::Findings`] naming a column that is missing or of
    /// another type.
    pub fn from_batch(batch: &RecordBatch) -> Result<Vec<FindingRow>, CaseError> {
        rows_of(batch)
    }
}

fn rows_of(batch: &RecordBatch) -> Result<Vec<FindingRow>, CaseError> {
    let missing =
        |name: &str| CaseError::Findings(format!("findings column `{name}` is unreadable"));
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
    let detector = batch
        .column_by_name("detector")
        .and_then(|a| a.as_string_opt::<i32>());

    Ok((0..batch.num_rows())
        .map(|row| FindingRow {
            detector: detector.and_then(|d| optional(d, row)),
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
