//! Findings: built with [`Finding`], collected in [`Findings`], encoded as an
//! Arrow IPC stream with exactly `palisade_schemas::detector_output_schema`.

use std::sync::Arc;

use arrow_array::builder::{
    ListBuilder, MapBuilder, MapFieldNames, StringBuilder, TimestampMicrosecondBuilder,
    UInt8Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use arrow_ipc::writer::StreamWriter;
use palisade_schemas::{DETECTOR_OUTPUT_COLUMNS, UTC, detector_output_schema};

use crate::{Error, Event};

/// The highest severity; higher values are clamped to it.
pub const MAX_SEVERITY: u8 = 100;

/// One finding, built by chaining setters on [`Finding::new`]:
///
/// ```
/// # use palisade_sdk::Finding;
/// let f = Finding::new("inbox_rule.hiding", 90, "Inbox rule hides mail", "...")
///     .at(1_700_000_000_000_000)
///     .user("adelev@contoso.com")
///     .ip(Some("203.0.113.7"))
///     .mitre("T1564.008");
/// assert_eq!(f.severity(), 90);
/// ```
///
/// Entity setters take a value or an `Option`, so an event's optional
/// columns pass straight through; `None` leaves the entity empty.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Finding {
    time: Option<i64>,
    kind: String,
    severity: u8,
    title: String,
    summary: String,
    user: Option<String>,
    device: Option<String>,
    domain: Option<String>,
    ip: Option<String>,
    event_ids: Vec<String>,
    mitre: Vec<String>,
    attrs: Vec<(String, String)>,
}

impl Finding {
    /// A finding of `kind` (dotted lower case, `inbox_rule.hiding`) with a
    /// severity from 0 to 100, a short title and a one-sentence summary.
    /// Its time must still be set, with [`Finding::at`] or
    /// [`Finding::for_event`].
    pub fn new(
        kind: impl Into<String>,
        severity: u8,
        title: impl Into<String>,
        summary: impl Into<String>,
    ) -> Self {
        Finding {
            time: None,
            kind: kind.into(),
            severity: severity.min(MAX_SEVERITY),
            title: title.into(),
            summary: summary.into(),
            user: None,
            device: None,
            domain: None,
            ip: None,
            event_ids: Vec::new(),
            mitre: Vec::new(),
            attrs: Vec::new(),
        }
    }

    /// Sets when it happened, in microseconds since the Unix epoch.
    pub fn at(mut self, time: i64) -> Self {
        self.time = Some(time);
        self
    }

    /// Takes the time of `event` and adds its id to the supporting events.
    pub fn for_event(self, event: &Event<'_>) -> Self {
        self.at(event.time()).event(event.event_id())
    }

    /// Sets the user entity.
    pub fn user(mut self, user: impl IntoEntity) -> Self {
        self.user = user.into_entity();
        self
    }

    /// Sets the device entity.
    pub fn device(mut self, device: impl IntoEntity) -> Self {
        self.device = device.into_entity();
        self
    }

    /// Sets the domain entity.
    pub fn domain(mut self, domain: impl IntoEntity) -> Self {
        self.domain = domain.into_entity();
        self
    }

    /// Sets the IP address entity.
    pub fn ip(mut self, ip: impl IntoEntity) -> Self {
        self.ip = ip.into_entity();
        self
    }

    /// Adds the id of an event that supports the finding.
    pub fn event(mut self, event_id: impl Into<String>) -> Self {
        self.event_ids.push(event_id.into());
        self
    }

    /// Adds a MITRE ATT&CK technique id (`T1564.008`).
    pub fn mitre(mut self, technique: impl Into<String>) -> Self {
        self.mitre.push(technique.into());
        self
    }

    /// Adds a detector-specific detail.
    pub fn attr(mut self, key: impl Into<String>, value: impl Into<String>) -> Self {
        self.attrs.push((key.into(), value.into()));
        self
    }

    /// The kind.
    pub fn kind(&self) -> &str {
        &self.kind
    }

    /// The severity, 0 to 100.
    pub fn severity(&self) -> u8 {
        self.severity
    }

    /// The title.
    pub fn title(&self) -> &str {
        &self.title
    }

    /// The one-sentence summary.
    pub fn summary(&self) -> &str {
        &self.summary
    }
}

/// A value for an entity setter of [`Finding`]: text, or an `Option` of
/// text where `None` leaves the entity empty.
pub trait IntoEntity {
    /// The entity value, if any.
    fn into_entity(self) -> Option<String>;
}

impl IntoEntity for &str {
    fn into_entity(self) -> Option<String> {
        Some(self.to_owned())
    }
}

impl IntoEntity for String {
    fn into_entity(self) -> Option<String> {
        Some(self)
    }
}

impl IntoEntity for &String {
    fn into_entity(self) -> Option<String> {
        Some(self.clone())
    }
}

impl<T: IntoEntity> IntoEntity for Option<T> {
    fn into_entity(self) -> Option<String> {
        self.and_then(IntoEntity::into_entity)
    }
}

/// The findings of one `detect` call.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Findings {
    items: Vec<Finding>,
}

impl Findings {
    /// No findings yet.
    pub fn new() -> Self {
        Findings::default()
    }

    /// Adds a finding.
    pub fn push(&mut self, finding: Finding) {
        self.items.push(finding);
    }

    /// The number of findings.
    pub fn len(&self) -> usize {
        self.items.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.items.is_empty()
    }

    /// The findings in the order they were pushed.
    pub fn iter(&self) -> std::slice::Iter<'_, Finding> {
        self.items.iter()
    }

    /// Encodes the findings as one Arrow IPC stream with the detector-output
    /// schema; no findings encode as no bytes.
    ///
    /// # Errors
    ///
    /// [`Error::Encode`] when a finding has no time.
    pub fn encode(&self) -> Result<Vec<u8>, Error> {
        if self.items.is_empty() {
            return Ok(Vec::new());
        }
        if let Some((i, f)) = self
            .items
            .iter()
            .enumerate()
            .find(|(_, f)| f.time.is_none())
        {
            return Err(Error::Encode(format!(
                "finding {i} (`{}`) has no time; set it with Finding::at or Finding::for_event",
                f.kind
            )));
        }
        let columns = DETECTOR_OUTPUT_COLUMNS
            .iter()
            .map(|c| self.column(c.name))
            .collect::<Result<Vec<_>, _>>()?;
        let schema = detector_output_schema();
        let batch = RecordBatch::try_new(schema.clone(), columns)
            .map_err(|e| Error::Encode(format!("building the record batch: {e}")))?;
        let mut writer = StreamWriter::try_new(Vec::new(), &schema)
            .map_err(|e| Error::Encode(format!("writing the stream schema: {e}")))?;
        writer
            .write(&batch)
            .and_then(|()| writer.finish())
            .map_err(|e| Error::Encode(format!("writing the record batch: {e}")))?;
        writer
            .into_inner()
            .map_err(|e| Error::Encode(format!("finishing the stream: {e}")))
    }

    /// The array of one output column.
    fn column(&self, name: &str) -> Result<ArrayRef, Error> {
        let items = &self.items;
        Ok(match name {
            "time" => {
                let mut b = TimestampMicrosecondBuilder::with_capacity(items.len());
                b.extend(items.iter().map(|f| f.time));
                Arc::new(b.finish().with_timezone(UTC))
            }
            "severity" => {
                let mut b = UInt8Builder::with_capacity(items.len());
                b.extend(items.iter().map(|f| Some(f.severity)));
                Arc::new(b.finish())
            }
            "kind" => text(items.iter().map(|f| Some(&f.kind))),
            "title" => text(items.iter().map(|f| Some(&f.title))),
            "summary" => text(items.iter().map(|f| Some(&f.summary))),
            "user" => text(items.iter().map(|f| f.user.as_ref())),
            "device" => text(items.iter().map(|f| f.device.as_ref())),
            "domain" => text(items.iter().map(|f| f.domain.as_ref())),
            "ip" => text(items.iter().map(|f| f.ip.as_ref())),
            "event_ids" => text_list(items.iter().map(|f| &f.event_ids)),
            "mitre" => text_list(items.iter().map(|f| &f.mitre)),
            "attrs" => text_map(items.iter().map(|f| &f.attrs))?,
            other => {
                return Err(Error::Encode(format!(
                    "this palisade-sdk cannot fill output column `{other}`; update the SDK"
                )));
            }
        })
    }
}

impl<'a> IntoIterator for &'a Findings {
    type Item = &'a Finding;
    type IntoIter = std::slice::Iter<'a, Finding>;

    fn into_iter(self) -> Self::IntoIter {
        self.iter()
    }
}

fn text<'a>(values: impl Iterator<Item = Option<&'a String>>) -> ArrayRef {
    let mut b = StringBuilder::new();
    b.extend(values);
    Arc::new(b.finish())
}

/// Lists and maps are never null: an empty one is written as empty.
fn text_list<'a>(rows: impl Iterator<Item = &'a Vec<String>>) -> ArrayRef {
    let mut b = ListBuilder::new(StringBuilder::new());
    for row in rows {
        b.append_value(row.iter().map(Some));
    }
    Arc::new(b.finish())
}

fn text_map<'a>(rows: impl Iterator<Item = &'a Vec<(String, String)>>) -> Result<ArrayRef, Error> {
    let names = MapFieldNames {
        entry: "entries".to_owned(),
        key: "key".to_owned(),
        value: "value".to_owned(),
    };
    let mut b = MapBuilder::new(Some(names), StringBuilder::new(), StringBuilder::new());
    for row in rows {
        for (k, v) in row {
            b.keys().append_value(k);
            b.values().append_value(v);
        }
        b.append(true)
            .map_err(|e| Error::Encode(format!("building `attrs`: {e}")))?;
    }
    Ok(Arc::new(b.finish()))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn no_findings_encode_as_no_bytes() {
        assert!(Findings::new().encode().unwrap().is_empty());
    }

    #[test]
    fn a_finding_without_time_is_an_error() {
        let mut out = Findings::new();
        out.push(Finding::new("a.b", 1, "t", "s"));
        let err = out.encode().unwrap_err().to_string();
        assert!(err.contains("no time"), "{err}");
    }

    #[test]
    fn severity_is_clamped_and_entities_take_options() {
        let none: Option<&str> = None;
        let f = Finding::new("a.b", 250, "t", "s")
            .user(none)
            .ip(String::from("10.0.0.1"))
            .device("pc");
        assert_eq!(f.severity(), MAX_SEVERITY);
        assert_eq!(f.user, None);
        assert_eq!(f.ip.as_deref(), Some("10.0.0.1"));
    }
}
