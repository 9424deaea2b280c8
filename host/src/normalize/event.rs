//! One normalized event, and its packing into Arrow batches.
//!
//! [`Event`] is one row of the event table; [`EventBatchBuilder`] packs rows
//! into a [`RecordBatch`] with exactly [`palisade_schemas::event_schema`].
//! [`DeadLetter`] is one record that could not be normalized, and
//! [`dead_letters_to_batch`] packs those with
//! [`palisade_schemas::dead_letter_schema`].
//!
//! Sparse columns stay null: an empty `email_to` list and an empty `attrs`
//! map are written as nulls, not as empty values.

use std::collections::BTreeMap;
use std::sync::Arc;

use arrow::array::{
    ArrayBuilder, ArrayRef, Float64Builder, Int64Array, Int64Builder, ListBuilder, MapBuilder,
    MapFieldNames, StringArray, StringBuilder, TimestampMicrosecondArray,
    TimestampMicrosecondBuilder, UInt16Builder, new_null_array,
};
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use palisade_schemas::{UTC, dead_letter_schema, event_schema};
use sha2::{Digest, Sha256};

use crate::normalize::Attrs;

/// A normalized event, one row of the event table.
///
/// Field meanings are those of [`palisade_schemas::EVENT_COLUMNS`]; text
/// fields that the source does not have stay `None`.
#[derive(Debug, Clone, Default, PartialEq)]
pub struct Event {
    /// Stable id from the source and the record's content, see [`event_id`].
    pub event_id: String,
    /// Microseconds since the Unix epoch, UTC.
    pub time: i64,
    /// The product the record came from (`m365`).
    pub source: &'static str,
    /// Normalized activity (`auth.login`, `mailbox.rule_change`).
    pub kind: String,
    /// The vendor's own operation name (`New-InboxRule`).
    pub action: Option<String>,
    /// `success`, `failure` or `unknown`.
    pub outcome: Option<String>,
    /// The acting account, lower case.
    pub user: Option<String>,
    /// Client address in canonical text.
    pub src_ip: Option<String>,
    /// ISO 3166 two-letter country of `src_ip`.
    pub src_country: Option<String>,
    /// City of `src_ip`.
    pub src_city: Option<String>,
    /// Latitude of `src_ip` in degrees.
    pub src_lat: Option<f64>,
    /// Longitude of `src_ip` in degrees.
    pub src_lon: Option<f64>,
    /// Host name or id of the device involved.
    pub device: Option<String>,
    /// Destination address in canonical text.
    pub dst_ip: Option<String>,
    /// Destination port.
    pub dst_port: Option<u16>,
    /// Client user agent string.
    pub user_agent: Option<String>,
    /// The domain name the activity concerns.
    pub domain: Option<String>,
    /// Full URL.
    pub url: Option<String>,
    /// Sender address, lower case.
    pub email_from: Option<String>,
    /// Recipient addresses, lower case; empty is written as null.
    pub email_to: Vec<String>,
    /// Message subject.
    pub email_subject: Option<String>,
    /// Internet message id.
    pub message_id: Option<String>,
    /// Name of the mailbox rule created or changed.
    pub rule_name: Option<String>,
    /// Name of the file acted on.
    pub file_name: Option<String>,
    /// Sharing state of the file: private, internal, external, public.
    pub file_visibility: Option<String>,
    /// Bytes transferred.
    pub bytes: Option<i64>,
    /// Vendor fields with no column of their own; empty is written as null.
    pub attrs: Attrs,
    /// The original record text.
    pub raw: Option<String>,
}

/// Derives a stable event id from the source name and a record key.
///
/// The key is the record's vendor id when it has one (an M365 audit `Id`),
/// else its raw text; a normalizer that makes several events from one
/// record appends the event's index to the key. The id is the hex of the
/// first 16 bytes of SHA-256 over `source`, a NUL byte and the key, so a
/// replay of the same record gives the same id.
pub fn event_id(source: &str, key: &str) -> String {
    event_id_of_parts(source, &[key.as_bytes()])
}

/// [`event_id`] of the key made of `parts` joined by NUL bytes, without
/// building that key: `event_id_of_parts("zeek", &[b"dns", b"C1"])` is
/// `event_id("zeek", "dns\0C1")`.
pub fn event_id_of_parts(source: &str, parts: &[&[u8]]) -> String {
    let mut hasher = Sha256::new();
    hasher.update(source.as_bytes());
    for part in parts {
        hasher.update([0u8]);
        hasher.update(part);
    }
    let digest = hasher.finalize();
    let mut hex = [0u8; 32];
    hex::encode_to_slice(&digest[..16], &mut hex).expect("32 hex digits for 16 bytes");
    String::from_utf8_lossy(&hex).into_owned()
}

/// Packs [`Event`]s into record batches with the event schema.
///
/// Push events, then [`finish`](Self::finish) to take a batch; the builder
/// is then empty and can be reused.
pub struct EventBatchBuilder {
    event_id: StringBuilder,
    time: TimestampMicrosecondBuilder,
    source: StringBuilder,
    kind: StringBuilder,
    /// The optional text columns, in [`OPTIONAL_TEXT`] order.
    text: Vec<StringBuilder>,
    src_lat: Float64Builder,
    src_lon: Float64Builder,
    dst_port: UInt16Builder,
    email_to: ListBuilder<StringBuilder>,
    bytes: Int64Builder,
    attrs: MapBuilder<StringBuilder, StringBuilder>,
    /// The first error of a push, returned by `finish`.
    error: Option<ArrowError>,
}

/// Names of the optional text columns, in the order of
/// [`optional_text`].
const OPTIONAL_TEXT: [&str; 17] = [
    "action",
    "outcome",
    "user",
    "src_ip",
    "src_country",
    "src_city",
    "device",
    "dst_ip",
    "user_agent",
    "domain",
    "url",
    "email_from",
    "email_subject",
    "message_id",
    "rule_name",
    "file_name",
    "file_visibility",
];

/// The optional text values of `e`, in [`OPTIONAL_TEXT`] order, then `raw`.
fn optional_text(e: &Event) -> [Option<&str>; 18] {
    [
        e.action.as_deref(),
        e.outcome.as_deref(),
        e.user.as_deref(),
        e.src_ip.as_deref(),
        e.src_country.as_deref(),
        e.src_city.as_deref(),
        e.device.as_deref(),
        e.dst_ip.as_deref(),
        e.user_agent.as_deref(),
        e.domain.as_deref(),
        e.url.as_deref(),
        e.email_from.as_deref(),
        e.email_subject.as_deref(),
        e.message_id.as_deref(),
        e.rule_name.as_deref(),
        e.file_name.as_deref(),
        e.file_visibility.as_deref(),
        e.raw.as_deref(),
    ]
}

impl Default for EventBatchBuilder {
    fn default() -> Self {
        Self::new()
    }
}

impl EventBatchBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::sized(&Capacity::default())
    }

    /// An empty builder with room for exactly `events`, so packing them
    /// copies each value once instead of growing the buffers as it goes.
    pub fn for_events(events: &[Event]) -> Self {
        Self::sized(&Capacity::of(events))
    }

    fn sized(capacity: &Capacity) -> Self {
        let names = MapFieldNames {
            entry: "entries".into(),
            key: "key".into(),
            value: "value".into(),
        };
        let rows = capacity.rows;
        let text = |bytes: usize| StringBuilder::with_capacity(rows, bytes);
        Self {
            event_id: text(capacity.event_id),
            time: TimestampMicrosecondBuilder::with_capacity(rows).with_timezone(UTC),
            source: text(capacity.source),
            kind: text(capacity.kind),
            text: capacity.text.iter().map(|&bytes| text(bytes)).collect(),
            src_lat: Float64Builder::with_capacity(rows),
            src_lon: Float64Builder::with_capacity(rows),
            dst_port: UInt16Builder::with_capacity(rows),
            email_to: ListBuilder::with_capacity(
                StringBuilder::with_capacity(capacity.email_to.0, capacity.email_to.1),
                rows,
            ),
            bytes: Int64Builder::with_capacity(rows),
            attrs: MapBuilder::with_capacity(
                Some(names),
                StringBuilder::with_capacity(capacity.attrs.0, capacity.attrs.1),
                StringBuilder::with_capacity(capacity.attrs.0, capacity.attrs.2),
                rows,
            ),
            error: None,
        }
    }

    /// Packs `events` into one batch.
    ///
    /// # Errors
    ///
    /// As [`finish`](Self::finish).
    pub fn build(events: &[Event]) -> Result<RecordBatch, ArrowError> {
        let mut builder = Self::for_events(events);
        for event in events {
            builder.push(event);
        }
        builder.finish()
    }

    /// Number of events pushed since the last [`finish`](Self::finish).
    pub fn len(&self) -> usize {
        self.event_id.len()
    }

    /// Whether no event was pushed since the last [`finish`](Self::finish).
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Appends one event as a row.
    pub fn push(&mut self, e: &Event) {
        self.event_id.append_value(&e.event_id);
        self.time.append_value(e.time);
        self.source.append_value(e.source);
        self.kind.append_value(&e.kind);
        for (builder, value) in self.text.iter_mut().zip(optional_text(e)) {
            builder.append_option(value);
        }
        self.src_lat.append_option(e.src_lat);
        self.src_lon.append_option(e.src_lon);
        self.dst_port.append_option(e.dst_port);
        self.bytes.append_option(e.bytes);

        if e.email_to.is_empty() {
            self.email_to.append_null();
        } else {
            for to in &e.email_to {
                self.email_to.values().append_value(to);
            }
            self.email_to.append(true);
        }

        for (key, value) in &e.attrs {
            self.attrs.keys().append_value(key);
            self.attrs.values().append_value(value);
        }
        // Only fails when keys and values are out of step, which pushing
        // them in pairs rules out; kept for `finish` all the same.
        if let Err(e) = self.attrs.append(!e.attrs.is_empty()) {
            self.error.get_or_insert(e);
        }
    }

    /// Takes the rows pushed so far as one batch with the event schema.
    ///
    /// # Errors
    ///
    /// Only when this builder and [`event_schema`] disagree on a column's
    /// type, which the unit tests rule out.
    pub fn finish(&mut self) -> Result<RecordBatch, ArrowError> {
        let pushed = self.error.take();
        let schema = event_schema();
        let mut arrays: BTreeMap<&str, ArrayRef> = BTreeMap::new();
        arrays.insert("event_id", Arc::new(self.event_id.finish()));
        arrays.insert("time", Arc::new(self.time.finish()));
        arrays.insert("source", Arc::new(self.source.finish()));
        arrays.insert("kind", Arc::new(self.kind.finish()));
        let names = OPTIONAL_TEXT.iter().copied().chain(["raw"]);
        for (name, builder) in names.zip(self.text.iter_mut()) {
            arrays.insert(name, Arc::new(builder.finish()));
        }
        arrays.insert("src_lat", Arc::new(self.src_lat.finish()));
        arrays.insert("src_lon", Arc::new(self.src_lon.finish()));
        arrays.insert("dst_port", Arc::new(self.dst_port.finish()));
        arrays.insert("email_to", Arc::new(self.email_to.finish()));
        arrays.insert("bytes", Arc::new(self.bytes.finish()));
        arrays.insert("attrs", Arc::new(self.attrs.finish()));

        // Columns are placed by name so the schema's order rules; a nullable
        // column this builder does not know yet is written as nulls.
        let rows = arrays.get("event_id").map_or(0, |a| a.len());
        let columns = schema
            .fields()
            .iter()
            .map(|field| match arrays.remove(field.name().as_str()) {
                Some(array) => Ok(array),
                None if field.is_nullable() => Ok(new_null_array(field.data_type(), rows)),
                None => Err(ArrowError::SchemaError(format!(
                    "the event batch builder has no values for required column `{}`",
                    field.name()
                ))),
            })
            .collect::<Result<Vec<_>, _>>()?;
        if let Some(error) = pushed {
            return Err(error);
        }
        RecordBatch::try_new(schema, columns)
    }
}

/// Rows and bytes of each column of a batch, to size its builders.
struct Capacity {
    rows: usize,
    event_id: usize,
    source: usize,
    kind: usize,
    /// Bytes of each optional text column and `raw`, in
    /// [`optional_text`] order.
    text: [usize; OPTIONAL_TEXT.len() + 1],
    /// Recipients and their bytes.
    email_to: (usize, usize),
    /// Entries, key bytes and value bytes.
    attrs: (usize, usize, usize),
}

impl Default for Capacity {
    /// Arrow's default sizes: 1,024 rows of 8 bytes a value.
    fn default() -> Self {
        const ROWS: usize = 1024;
        Self {
            rows: ROWS,
            event_id: ROWS * 8,
            source: ROWS * 8,
            kind: ROWS * 8,
            text: [ROWS * 8; OPTIONAL_TEXT.len() + 1],
            email_to: (ROWS, ROWS * 8),
            attrs: (ROWS, ROWS * 8, ROWS * 8),
        }
    }
}

impl Capacity {
    fn of(events: &[Event]) -> Self {
        let mut c = Capacity {
            rows: events.len(),
            event_id: 0,
            source: 0,
            kind: 0,
            text: [0; OPTIONAL_TEXT.len() + 1],
            email_to: (0, 0),
            attrs: (0, 0, 0),
        };
        for e in events {
            c.event_id += e.event_id.len();
            c.source += e.source.len();
            c.kind += e.kind.len();
            for (bytes, value) in c.text.iter_mut().zip(optional_text(e)) {
                *bytes += value.map_or(0, str::len);
            }
            c.email_to.0 += e.email_to.len();
            c.email_to.1 += e.email_to.iter().map(String::len).sum::<usize>();
            c.attrs.0 += e.attrs.len();
            for (key, value) in &e.attrs {
                c.attrs.1 += key.len();
                c.attrs.2 += value.len();
            }
        }
        c
    }
}

/// The attribute of an event whose log gave no time (an export without a
/// time column, an activity without `id.time`): its `time` is 0
/// (1970-01-01), and the attribute says what was missing.
pub const TIME_MISSING: &str = "time_missing";

/// A record that could not be normalized, kept whole with the reason.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct DeadLetter {
    /// Path of the file the record came from, or `-` for standard input.
    pub source_file: String,
    /// Line number (JSON lines, Zeek TSV), row number (CSV, header
    /// excluded) or item number (JSON arrays), from 1; 0 for an input
    /// skipped whole.
    pub record: u64,
    /// The format the file was read as, when one was detected.
    pub format: Option<String>,
    /// Why the record was rejected, naming the record and the field.
    pub reason: String,
    /// The record's text as read, lossily decoded when not UTF-8.
    pub raw: String,
}

/// Packs dead letters into one batch with the dead-letter schema.
///
/// `read_at_micros` (microseconds since the Unix epoch, UTC) fills the
/// `time` column: when the records were read.
///
/// # Panics
///
/// Never for any input: every column is built with the schema's own type,
/// which the unit tests check.
pub fn dead_letters_to_batch(letters: &[DeadLetter], read_at_micros: i64) -> RecordBatch {
    let time =
        TimestampMicrosecondArray::from(vec![read_at_micros; letters.len()]).with_timezone(UTC);
    let columns: Vec<ArrayRef> = vec![
        Arc::new(time),
        Arc::new(text_array(
            letters.iter().map(|l| Some(l.source_file.as_str())),
        )),
        Arc::new(Int64Array::from_iter_values(
            letters
                .iter()
                .map(|l| i64::try_from(l.record).unwrap_or(i64::MAX)),
        )),
        Arc::new(text_array(letters.iter().map(|l| l.format.as_deref()))),
        Arc::new(text_array(letters.iter().map(|l| Some(l.reason.as_str())))),
        Arc::new(text_array(letters.iter().map(|l| Some(l.raw.as_str())))),
    ];
    RecordBatch::try_new(dead_letter_schema(), columns)
        .expect("dead-letter columns are built with the dead-letter schema's types")
}

/// A text array from optional values.
fn text_array<'a>(values: impl Iterator<Item = Option<&'a str>>) -> StringArray {
    values.collect()
}

#[cfg(test)]
mod tests {
    use arrow::array::{Array, AsArray};
    use arrow::datatypes::TimestampMicrosecondType;

    use super::*;

    fn full_event() -> Event {
        Event {
            event_id: event_id("m365", "id-1"),
            time: 1_619_421_430_000_000,
            source: "m365",
            kind: "mailbox.rule_change".into(),
            action: Some("New-InboxRule".into()),
            outcome: Some("success".into()),
            user: Some("adelev@contoso.onmicrosoft.com".into()),
            src_ip: Some("2a01:110:8068:7:9bf8:aa87:e00a:5f1f".into()),
            src_lat: Some(52.37),
            dst_port: Some(443),
            email_to: vec!["a@example.com".into(), "b@example.com".into()],
            rule_name: Some("rule2".into()),
            bytes: Some(1024),
            attrs: Attrs::from([
                ("MoveToFolder", "Junk Email".to_owned()),
                ("StopProcessingRules", "True".to_owned()),
            ]),
            raw: Some("{}".into()),
            ..Event::default()
        }
    }

    fn sparse_event() -> Event {
        Event {
            event_id: event_id("m365", "id-2"),
            time: 0,
            source: "m365",
            kind: "m365.page_viewed".into(),
            ..Event::default()
        }
    }

    #[test]
    fn event_batches_have_the_event_schema() {
        let batch = EventBatchBuilder::build(&[full_event(), sparse_event()]).unwrap();
        assert_eq!(batch.schema(), event_schema());
        assert_eq!(batch.num_rows(), 2);

        let empty = EventBatchBuilder::build(&[]).unwrap();
        assert_eq!(empty.schema(), event_schema());
        assert_eq!(empty.num_rows(), 0);
    }

    #[test]
    fn event_rows_keep_their_values() {
        let batch = EventBatchBuilder::build(&[full_event(), sparse_event()]).unwrap();
        let column = |name: &str| batch.column_by_name(name).unwrap().clone();

        let time = column("time");
        let time = time.as_primitive::<TimestampMicrosecondType>();
        assert_eq!(time.value(0), 1_619_421_430_000_000);
        let rule = column("rule_name");
        assert_eq!(rule.as_string::<i32>().value(0), "rule2");
        assert!(rule.is_null(1));
        assert_eq!(column("raw").as_string::<i32>().value(0), "{}");

        let to = column("email_to");
        let to = to.as_list::<i32>();
        assert_eq!(to.value(0).as_string::<i32>().value(1), "b@example.com");
        assert!(to.is_null(1), "an empty recipient list is null");

        let attrs = column("attrs");
        let attrs = attrs.as_map();
        let first = attrs.value(0);
        assert_eq!(first.column(0).as_string::<i32>().value(0), "MoveToFolder");
        assert_eq!(first.column(1).as_string::<i32>().value(0), "Junk Email");
        assert!(attrs.is_null(1), "an empty attrs map is null");
    }

    #[test]
    fn a_builder_is_reusable_after_finish() {
        let mut builder = EventBatchBuilder::new();
        builder.push(&full_event());
        assert_eq!(builder.len(), 1);
        assert_eq!(builder.finish().unwrap().num_rows(), 1);
        assert!(builder.is_empty());
        builder.push(&sparse_event());
        builder.push(&sparse_event());
        assert_eq!(builder.finish().unwrap().num_rows(), 2);
    }

    #[test]
    fn dead_letter_batches_have_the_dead_letter_schema() {
        let letters = [DeadLetter {
            source_file: "in/audit.json".into(),
            record: 17,
            format: Some("m365-audit-json".into()),
            reason: "missing `Operation` in record 17 of audit.json".into(),
            raw: "{\"Id\":\"x\"}".into(),
        }];
        let batch = dead_letters_to_batch(&letters, 42);
        assert_eq!(batch.schema(), dead_letter_schema());
        assert_eq!(batch.num_rows(), 1);
        let record = batch.column_by_name("record").unwrap();
        assert_eq!(
            record
                .as_primitive::<arrow::datatypes::Int64Type>()
                .value(0),
            17
        );
        assert_eq!(dead_letters_to_batch(&[], 42).num_rows(), 0);
    }

    #[test]
    fn event_ids_are_stable_and_depend_on_source_and_key() {
        let id = event_id("m365", "d28096ba-03b1-4c2a-1503-08d908826606");
        assert_eq!(id, event_id("m365", "d28096ba-03b1-4c2a-1503-08d908826606"));
        assert_eq!(id.len(), 32);
        assert!(id.bytes().all(|b| b.is_ascii_hexdigit()));
        assert_ne!(
            id,
            event_id("entra", "d28096ba-03b1-4c2a-1503-08d908826606")
        );
        assert_ne!(event_id("m3", "65x"), event_id("m365", "x"));
        assert_eq!(
            event_id_of_parts("zeek", &[b"dns", b"", b"1500000", b"line"]),
            event_id("zeek", "dns\0\x001500000\0line")
        );
    }
}
