//! Which rows and columns of a batch a detector is sent.

use std::collections::HashSet;

use arrow::array::{Array, BooleanArray, StringArray};
use arrow::compute::filter_record_batch;
use arrow::error::ArrowError;
use arrow::record_batch::RecordBatch;
use palisade_schemas::{ALWAYS_SENT_EVENT_COLUMNS, EVENT_COLUMNS, event_schema};

/// The rows (by event kind) and columns a detector asked for in `describe`.
#[derive(Debug, Clone, PartialEq)]
pub struct EventSelection {
    /// Kinds to send; empty sends every kind.
    kinds: HashSet<String>,
    /// Indices into the event schema, in schema order.
    columns: Vec<usize>,
}

impl EventSelection {
    /// The selection for a detector that reads `kinds` and `columns`.
    ///
    /// `event_id`, `time` and `kind` are always sent; `raw` only when named.
    ///
    /// # Errors
    ///
    /// Names the first column that is not an event column.
    pub fn new(kinds: &[String], columns: &[String]) -> Result<Self, String> {
        if let Some(unknown) = columns
            .iter()
            .find(|c| !EVENT_COLUMNS.iter().any(|e| e.name == c.as_str()))
        {
            return Err(format!(
                "it reads `{unknown}`, which is not an event column"
            ));
        }
        let wanted = |name: &str| {
            ALWAYS_SENT_EVENT_COLUMNS.contains(&name) || columns.iter().any(|c| c == name)
        };
        Ok(EventSelection {
            kinds: kinds.iter().cloned().collect(),
            columns: EVENT_COLUMNS
                .iter()
                .enumerate()
                .filter(|(_, c)| wanted(c.name))
                .map(|(i, _)| i)
                .collect(),
        })
    }

    /// The names of the columns sent, in schema order.
    pub fn column_names(&self) -> Vec<&'static str> {
        self.columns
            .iter()
            .map(|&i| EVENT_COLUMNS[i].name)
            .collect()
    }

    /// The part of `events` (a batch with the event schema) this detector
    /// reads, or `None` when no row is of its kinds.
    ///
    /// # Errors
    ///
    /// Fails when `events` does not have the event schema.
    pub fn apply(&self, events: &RecordBatch) -> Result<Option<RecordBatch>, ArrowError> {
        if events.schema().fields() != event_schema().fields() {
            return Err(ArrowError::SchemaError(
                "batch does not have the event schema".into(),
            ));
        }
        let rows = if self.kinds.is_empty() {
            events.clone()
        } else {
            filter_record_batch(events, &self.kind_mask(events))?
        };
        if rows.num_rows() == 0 {
            return Ok(None);
        }
        Ok(Some(rows.project(&self.columns)?))
    }

    fn kind_mask(&self, events: &RecordBatch) -> BooleanArray {
        let kind_index = EVENT_COLUMNS
            .iter()
            .position(|c| c.name == "kind")
            .expect("the event schema has a kind column");
        let kinds = events
            .column(kind_index)
            .as_any()
            .downcast_ref::<StringArray>()
            .expect("the event schema's kind column is Utf8");
        kinds
            .iter()
            .map(|kind| Some(kind.is_some_and(|k| self.kinds.contains(k))))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, new_null_array};

    use super::*;

    fn events(kinds: &[&str]) -> RecordBatch {
        let schema = event_schema();
        let columns: Vec<ArrayRef> = schema
            .fields()
            .iter()
            .map(|f| match f.name().as_str() {
                "kind" | "event_id" | "source" => {
                    Arc::new(StringArray::from(kinds.to_vec())) as ArrayRef
                }
                "time" => Arc::new(
                    arrow::array::TimestampMicrosecondArray::from(vec![0; kinds.len()])
                        .with_timezone("UTC"),
                ),
                _ => new_null_array(f.data_type(), kinds.len()),
            })
            .collect();
        RecordBatch::try_new(schema, columns).unwrap()
    }

    #[test]
    fn sends_only_subscribed_kinds_and_requested_columns() {
        let selection = EventSelection::new(
            &["mailbox.rule_change".into()],
            &["user".into(), "rule_name".into()],
        )
        .unwrap();
        let batch = events(&["auth.login", "mailbox.rule_change", "mailbox.rule_change"]);
        let sent = selection.apply(&batch).unwrap().unwrap();
        assert_eq!(sent.num_rows(), 2);
        let names: Vec<_> = sent
            .schema()
            .fields()
            .iter()
            .map(|f| f.name().clone())
            .collect();
        assert_eq!(names, ["event_id", "time", "kind", "user", "rule_name"]);
    }

    #[test]
    fn nothing_to_send_when_no_row_matches() {
        let selection = EventSelection::new(&["dns.query".into()], &[]).unwrap();
        assert_eq!(selection.apply(&events(&["auth.login"])).unwrap(), None);
    }

    #[test]
    fn raw_is_sent_only_when_asked_and_unknown_columns_are_refused() {
        let plain = EventSelection::new(&[], &[]).unwrap();
        assert!(!plain.column_names().contains(&"raw"));
        let with_raw = EventSelection::new(&[], &["raw".into()]).unwrap();
        assert!(with_raw.column_names().contains(&"raw"));
        let err = EventSelection::new(&[], &["usr".into()]).unwrap_err();
        assert!(err.contains("`usr`"), "{err}");
    }
}
