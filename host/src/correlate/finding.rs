//! A finding as the correlation stage reads it: the columns that link
//! findings and tell their story, read from (and written to) Arrow rows of
//! the `findings` schema.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    Array, ArrayRef, AsArray, ListBuilder, MapBuilder, MapFieldNames, RecordBatch, StringArray,
    StringBuilder, TimestampMicrosecondArray, UInt8Array,
};
use arrow::datatypes::{TimestampMicrosecondType, UInt8Type};
use palisade_schemas::{UTC, finding_schema};
use serde::{Deserialize, Serialize};

use super::CorrelateError;

/// One finding, with the columns correlation uses.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Finding {
    /// `finding_id`.
    pub finding_id: String,
    /// `time`, microseconds since the epoch (RFC 3339 text in JSON).
    #[serde(with = "rfc3339")]
    pub time: i64,
    /// `detector`.
    #[serde(default)]
    pub detector: String,
    /// `kind`, such as `inbox_rule.hiding`.
    pub kind: String,
    /// `severity`, 0 to 100.
    #[serde(default)]
    pub severity: u8,
    /// `title`.
    #[serde(default)]
    pub title: String,
    /// `summary`: one plain sentence, the step of the story.
    #[serde(default)]
    pub summary: String,
    /// `user` entity.
    #[serde(default)]
    pub user: Option<String>,
    /// `device` entity.
    #[serde(default)]
    pub device: Option<String>,
    /// `domain` entity.
    #[serde(default)]
    pub domain: Option<String>,
    /// `ip` entity.
    #[serde(default)]
    pub ip: Option<String>,
    /// `attrs`.
    #[serde(default)]
    pub attrs: BTreeMap<String, String>,
}

impl Finding {
    /// The finding's entities as (kind, value) pairs: user, device, domain,
    /// ip, in that order, the empty ones left out.
    pub fn entities(&self) -> impl Iterator<Item = (&'static str, &str)> {
        [
            ("user", &self.user),
            ("device", &self.device),
            ("domain", &self.domain),
            ("ip", &self.ip),
        ]
        .into_iter()
        .filter_map(|(kind, value)| {
            value
                .as_deref()
                .filter(|v| !v.is_empty())
                .map(|v| (kind, v))
        })
    }

    /// Reads every row of a batch with the `findings` columns (extra
    /// columns, such as history's `day`, are ignored).
    ///
    /// # Errors
    ///
    /// [`CorrelateError::Findings`] when a column is missing or of another
    /// type.
    pub fn read_batch(batch: &RecordBatch) -> Result<Vec<Finding>, CorrelateError> {
        let text = |name: &str| -> Result<&StringArray, CorrelateError> {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_string_opt::<i32>())
                .ok_or_else(|| CorrelateError::Findings(format!("no text column `{name}`")))
        };
        let time = batch
            .column_by_name("time")
            .and_then(|c| c.as_primitive_opt::<TimestampMicrosecondType>())
            .ok_or_else(|| CorrelateError::Findings("no timestamp column `time`".into()))?;
        let severity = batch
            .column_by_name("severity")
            .and_then(|c| c.as_primitive_opt::<UInt8Type>())
            .ok_or_else(|| CorrelateError::Findings("no UInt8 column `severity`".into()))?;
        let (id, detector, kind) = (text("finding_id")?, text("detector")?, text("kind")?);
        let (title, summary) = (text("title")?, text("summary")?);
        let (user, device, domain, ip) =
            (text("user")?, text("device")?, text("domain")?, text("ip")?);
        let attrs = batch.column_by_name("attrs").and_then(|c| c.as_map_opt());

        let opt = |a: &StringArray, row: usize| a.is_valid(row).then(|| a.value(row).to_owned());
        let mut out = Vec::with_capacity(batch.num_rows());
        for row in 0..batch.num_rows() {
            let mut map = BTreeMap::new();
            if let Some(attrs) = attrs.filter(|a| a.is_valid(row)) {
                let entries = attrs.value(row);
                let keys = entries.column(0).as_string::<i32>();
                let values = entries.column(1).as_string::<i32>();
                for i in 0..entries.len() {
                    map.insert(keys.value(i).to_owned(), values.value(i).to_owned());
                }
            }
            out.push(Finding {
                finding_id: id.value(row).to_owned(),
                time: time.value(row),
                detector: detector.value(row).to_owned(),
                kind: kind.value(row).to_owned(),
                severity: severity.value(row),
                title: title.value(row).to_owned(),
                summary: summary.value(row).to_owned(),
                user: opt(user, row),
                device: opt(device, row),
                domain: opt(domain, row),
                ip: opt(ip, row),
                attrs: map,
            });
        }
        Ok(out)
    }

    /// Writes findings as a batch of the `findings` schema, as a detector's
    /// findings are stored: for test inputs and benchmarks. The provenance
    /// columns it does not know are `correlation-input`, the lists empty.
    pub fn to_batch(findings: &[Finding]) -> RecordBatch {
        let text = |f: fn(&Finding) -> &str| -> ArrayRef {
            Arc::new(StringArray::from_iter_values(findings.iter().map(f)))
        };
        let optional = |f: fn(&Finding) -> Option<&str>| -> ArrayRef {
            Arc::new(findings.iter().map(f).collect::<StringArray>())
        };
        let empty_list = || -> ArrayRef {
            let mut list = ListBuilder::new(StringBuilder::new());
            for _ in findings {
                list.append(true);
            }
            Arc::new(list.finish())
        };
        let names = MapFieldNames {
            entry: "entries".into(),
            key: "key".into(),
            value: "value".into(),
        };
        let mut attrs = MapBuilder::new(Some(names), StringBuilder::new(), StringBuilder::new());
        for finding in findings {
            for (key, value) in &finding.attrs {
                attrs.keys().append_value(key);
                attrs.values().append_value(value);
            }
            attrs
                .append(true)
                .expect("keys and values have the same length");
        }
        let columns: Vec<ArrayRef> = vec![
            text(|f| &f.finding_id),
            Arc::new(
                TimestampMicrosecondArray::from_iter_values(findings.iter().map(|f| f.time))
                    .with_timezone(UTC),
            ),
            text(|f| &f.detector),
            text(|_| "correlation-input"),
            text(|_| "correlation-input"),
            text(|f| &f.kind),
            Arc::new(UInt8Array::from_iter_values(
                findings.iter().map(|f| f.severity),
            )),
            text(|f| &f.title),
            text(|f| &f.summary),
            optional(|f| f.user.as_deref()),
            optional(|f| f.device.as_deref()),
            optional(|f| f.domain.as_deref()),
            optional(|f| f.ip.as_deref()),
            empty_list(),
            empty_list(),
            Arc::new(attrs.finish()),
        ];
        RecordBatch::try_new(finding_schema(), columns)
            .expect("the columns follow the findings schema")
    }
}

/// Microsecond timestamps as RFC 3339 text in JSON.
mod rfc3339 {
    use serde::{Deserialize, Deserializer, Serializer, de::Error};

    pub fn serialize<S: Serializer>(micros: &i64, s: S) -> Result<S::Ok, S::Error> {
        let time = chrono::DateTime::from_timestamp_micros(*micros).unwrap_or_default();
        s.serialize_str(&time.to_rfc3339_opts(chrono::SecondsFormat::AutoSi, true))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<i64, D::Error> {
        let text = String::deserialize(d)?;
        chrono::DateTime::parse_from_rfc3339(&text)
            .map(|t| t.timestamp_micros())
            .map_err(|e| D::Error::custom(format!("time `{text}`: {e}")))
    }
}
