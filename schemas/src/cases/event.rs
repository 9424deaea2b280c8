//! Events written by hand, as JSON or in Rust, turned into a batch of the
//! event schema.

use std::sync::Arc;

use arrow_array::builder::{
    Float64Builder, Int64Builder, ListBuilder, MapBuilder, MapFieldNames, StringBuilder,
    TimestampMicrosecondBuilder, UInt8Builder, UInt16Builder,
};
use arrow_array::{ArrayRef, RecordBatch};
use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use super::CaseError;
use super::time::parse_time;
use crate::{Column, ColumnType, EVENT_COLUMNS, UTC, column, event_schema};

/// One event: a JSON object whose keys are event column names.
///
/// Text columns take strings; `time` takes microseconds or an RFC 3339
/// string (`"2021-04-26T07:17:10Z"`); `email_to` takes a list of strings;
/// `attrs` takes an object of strings. Omitted columns are null, except
/// `event_id` (defaults to `event-N`, N counting from 1), `time` (0) and
/// `source` (`test`). `kind` must be given.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
#[serde(transparent)]
pub struct TestEvent {
    fields: Map<String, Value>,
}

impl TestEvent {
    /// An event of `kind` with no other columns.
    pub fn new(kind: &str) -> Self {
        TestEvent::default().with("kind", kind)
    }

    /// Sets a column.
    pub fn with(mut self, column: &str, value: impl Into<Value>) -> Self {
        self.fields.insert(column.to_owned(), value.into());
        self
    }

    /// Sets one entry of `attrs`.
    pub fn attr(mut self, key: &str, value: &str) -> Self {
        let attrs = self
            .fields
            .entry("attrs")
            .or_insert_with(|| Value::Object(Map::new()));
        if let Value::Object(map) = attrs {
            map.insert(key.to_owned(), value.into());
        }
        self
    }

    /// The kind, when it is given as text.
    pub fn kind(&self) -> Option<&str> {
        self.fields.get("kind").and_then(Value::as_str)
    }

    /// The value of `column`, with the defaults of required columns.
    fn value(&self, column: &str, index: usize) -> Value {
        match (self.fields.get(column), column) {
            (Some(v), _) => v.clone(),
            (None, "event_id") => Value::from(format!("event-{}", index + 1)),
            (None, "time") => Value::from(0),
            (None, "source") => Value::from("test"),
            (None, _) => Value::Null,
        }
    }
}

/// The events as one record batch with the full event schema.
///
/// # Errors
///
/// [`CaseError::Events`] naming the event (counting from 1) and the column
/// when a key is not an event column, a value has the wrong JSON type, or
/// `kind` is missing.
pub fn event_batch(events: &[TestEvent]) -> Result<RecordBatch, CaseError> {
    for (i, event) in events.iter().enumerate() {
        if let Some(key) = event
            .fields
            .keys()
            .find(|k| column(EVENT_COLUMNS, k).is_none())
        {
            return Err(CaseError::Events(format!(
                "event {}: `{key}` is not an event column",
                i + 1
            )));
        }
    }
    let columns = EVENT_COLUMNS
        .iter()
        .map(|c| build_column(c, events))
        .collect::<Result<Vec<_>, _>>()?;
    RecordBatch::try_new(event_schema(), columns)
        .map_err(|e| CaseError::Events(format!("building the event batch: {e}")))
}

/// Builds the array of one event column from every event's value.
fn build_column(column: &Column, events: &[TestEvent]) -> Result<ArrayRef, CaseError> {
    let values: Vec<Value> = events
        .iter()
        .enumerate()
        .map(|(i, e)| e.value(column.name, i))
        .collect();
    if column.required
        && let Some(i) = values.iter().position(Value::is_null)
    {
        return Err(CaseError::Events(format!(
            "event {}: `{}` must be given",
            i + 1,
            column.name
        )));
    }
    let cell = |i: usize, v: &Value, want: &str| {
        CaseError::Events(format!(
            "event {}, column `{}`: expected {want}, got {v}",
            i + 1,
            column.name
        ))
    };
    let mut converted = ColumnValues::new(column.ty, values.len());
    for (i, v) in values.iter().enumerate() {
        converted.push(v).map_err(|want| cell(i, v, want))?;
    }
    Ok(converted.finish())
}

/// A column under construction, one builder per column type.
enum ColumnValues {
    Text(StringBuilder),
    Time(TimestampMicrosecondBuilder),
    Float(Float64Builder),
    UInt8(UInt8Builder),
    UInt16(UInt16Builder),
    Int64(Int64Builder),
    TextList(ListBuilder<StringBuilder>),
    TextMap(MapBuilder<StringBuilder, StringBuilder>),
}

impl ColumnValues {
    fn new(ty: ColumnType, rows: usize) -> Self {
        match ty {
            ColumnType::Text => ColumnValues::Text(StringBuilder::new()),
            ColumnType::Timestamp => {
                ColumnValues::Time(TimestampMicrosecondBuilder::with_capacity(rows))
            }
            ColumnType::Float => ColumnValues::Float(Float64Builder::with_capacity(rows)),
            ColumnType::UInt8 => ColumnValues::UInt8(UInt8Builder::with_capacity(rows)),
            ColumnType::UInt16 => ColumnValues::UInt16(UInt16Builder::with_capacity(rows)),
            ColumnType::Int64 => ColumnValues::Int64(Int64Builder::with_capacity(rows)),
            ColumnType::TextList => ColumnValues::TextList(ListBuilder::new(StringBuilder::new())),
            ColumnType::TextMap => {
                let names = MapFieldNames {
                    entry: "entries".to_owned(),
                    key: "key".to_owned(),
                    value: "value".to_owned(),
                };
                let b = MapBuilder::new(Some(names), StringBuilder::new(), StringBuilder::new());
                ColumnValues::TextMap(b)
            }
        }
    }

    /// Appends one JSON value; the error says what was expected.
    fn push(&mut self, v: &Value) -> Result<(), &'static str> {
        let null = v.is_null();
        match self {
            ColumnValues::Text(b) => match v {
                Value::String(s) => b.append_value(s),
                _ if null => b.append_null(),
                _ => return Err("a string"),
            },
            ColumnValues::Time(b) => match v {
                _ if null => b.append_null(),
                Value::Number(n) => b.append_value(n.as_i64().ok_or("whole microseconds")?),
                Value::String(s) => b.append_value(parse_time(s).ok_or("an RFC 3339 time")?),
                _ => return Err("microseconds or an RFC 3339 time"),
            },
            ColumnValues::Float(b) => match v {
                _ if null => b.append_null(),
                _ => b.append_value(v.as_f64().ok_or("a number")?),
            },
            ColumnValues::UInt8(b) => match v {
                _ if null => b.append_null(),
                _ => b.append_value(unsigned(v).ok_or("an integer from 0 to 255")?),
            },
            ColumnValues::UInt16(b) => match v {
                _ if null => b.append_null(),
                _ => b.append_value(unsigned(v).ok_or("an integer from 0 to 65535")?),
            },
            ColumnValues::Int64(b) => match v {
                _ if null => b.append_null(),
                _ => b.append_value(v.as_i64().ok_or("an integer")?),
            },
            ColumnValues::TextList(b) => push_list(b, v)?,
            ColumnValues::TextMap(b) => push_map(b, v)?,
        }
        Ok(())
    }

    fn finish(self) -> ArrayRef {
        match self {
            ColumnValues::Text(mut b) => Arc::new(b.finish()),
            ColumnValues::Time(mut b) => Arc::new(b.finish().with_timezone(UTC)),
            ColumnValues::Float(mut b) => Arc::new(b.finish()),
            ColumnValues::UInt8(mut b) => Arc::new(b.finish()),
            ColumnValues::UInt16(mut b) => Arc::new(b.finish()),
            ColumnValues::Int64(mut b) => Arc::new(b.finish()),
            ColumnValues::TextList(mut b) => Arc::new(b.finish()),
            ColumnValues::TextMap(mut b) => Arc::new(b.finish()),
        }
    }
}

fn unsigned<T: TryFrom<u64>>(v: &Value) -> Option<T> {
    T::try_from(v.as_u64()?).ok()
}

fn push_list(b: &mut ListBuilder<StringBuilder>, v: &Value) -> Result<(), &'static str> {
    const WANT: &str = "a list of strings";
    match v {
        Value::Null => b.append_null(),
        Value::Array(items) => {
            for item in items {
                b.values().append_value(item.as_str().ok_or(WANT)?);
            }
            b.append(true);
        }
        _ => return Err(WANT),
    }
    Ok(())
}

fn push_map(
    b: &mut MapBuilder<StringBuilder, StringBuilder>,
    v: &Value,
) -> Result<(), &'static str> {
    const WANT: &str = "an object of strings";
    let valid = match v {
        Value::Null => false,
        Value::Object(entries) => {
            for (key, value) in entries {
                b.keys().append_value(key);
                b.values().append_value(value.as_str().ok_or(WANT)?);
            }
            true
        }
        _ => return Err(WANT),
    };
    b.append(valid).map_err(|_| WANT)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_events_build_the_full_event_schema() {
        let events: Vec<TestEvent> = serde_json::from_str(
            r#"[{"kind": "auth.login", "user": "a@b.c", "time": "2024-03-01T10:00:00Z",
                 "dst_port": 443, "email_to": ["x@y.z"], "attrs": {"k": "v"}}]"#,
        )
        .unwrap();
        let batch = event_batch(&events).unwrap();
        assert_eq!(batch.schema(), event_schema());
        assert_eq!(batch.num_rows(), 1);
    }

    #[test]
    fn errors_name_the_event_and_the_column() {
        let bad = TestEvent::new("a").with("dst_port", 70000);
        let err = event_batch(&[TestEvent::new("a"), bad]).unwrap_err();
        assert!(
            err.to_string().contains("event 2, column `dst_port`"),
            "{err}"
        );
        let unknown = event_batch(&[TestEvent::new("a").with("usr", "x")]).unwrap_err();
        assert!(unknown.to_string().contains("`usr`"), "{unknown}");
        let no_kind = event_batch(&[TestEvent::default()]).unwrap_err();
        assert!(no_kind.to_string().contains("`kind`"), "{no_kind}");
    }
}
