//! The Palisade contract: the Arrow schemas of events, findings and dead
//! letters, and the WIT world detectors implement.
//!
//! This crate does no I/O and depends only on `arrow-schema`, so the host and
//! Wasm guests build the same schemas from the same tables. The `cases`
//! feature adds [`cases`], the detector behaviour case format shared by the
//! SDK's native harness and the host's `palisade plugin test` (it brings
//! `arrow-array` and `serde_json`). Each table of
//! [`Column`]s is the single source of truth: the Arrow schema, the reference
//! in `COLUMNS.md` and the SDK's accessors all derive from it.
//!
//! - [`EVENT_COLUMNS`]: one wide, sparse row per normalized log record.
//! - [`DETECTOR_OUTPUT_COLUMNS`]: what a detector returns from `detect`.
//! - [`FINDING_COLUMNS`]: a finding as stored in history, with the
//!   provenance the host stamps on it.
//! - [`DEAD_LETTER_COLUMNS`]: a record that could not be normalized.
//! - [`DETECTOR_RUN_COLUMNS`]: one call of one detector, how it went.
//! - [`INCIDENT_COLUMNS`]: an incident, one row per version.

#[cfg(feature = "cases")]
pub mod cases;
mod columns;
mod reference;

use std::sync::Arc;

use arrow_schema::{DataType, Field, Fields, Schema, SchemaRef, TimeUnit};

pub use columns::{
    DEAD_LETTER_COLUMNS, DETECTOR_OUTPUT_COLUMNS, DETECTOR_RUN_COLUMNS, EVENT_COLUMNS,
    FINDING_COLUMNS, INCIDENT_COLUMNS,
};
pub use reference::columns_reference;

/// The WIT package that defines the `detector` world.
pub const DETECTOR_WIT: &str = include_str!("../wit/detector.wit");

/// The time zone every timestamp column carries.
pub const UTC: &str = "UTC";

/// The logical type of a column, mapped to one Arrow type.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ColumnType {
    /// UTF-8 text.
    Text,
    /// Microseconds since the Unix epoch, UTC.
    Timestamp,
    /// 64-bit float.
    Float,
    /// 8-bit unsigned integer.
    UInt8,
    /// 16-bit unsigned integer.
    UInt16,
    /// 64-bit signed integer.
    Int64,
    /// A list of UTF-8 text values.
    TextList,
    /// A map from text keys to text values.
    TextMap,
}

impl ColumnType {
    /// The Arrow type of this column type.
    pub fn data_type(self) -> DataType {
        match self {
            ColumnType::Text => DataType::Utf8,
            ColumnType::Timestamp => DataType::Timestamp(TimeUnit::Microsecond, Some(UTC.into())),
            ColumnType::Float => DataType::Float64,
            ColumnType::UInt8 => DataType::UInt8,
            ColumnType::UInt16 => DataType::UInt16,
            ColumnType::Int64 => DataType::Int64,
            ColumnType::TextList => {
                DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)))
            }
            ColumnType::TextMap => DataType::Map(Arc::new(map_entries_field()), false),
        }
    }

    /// How `COLUMNS.md` names the Arrow type.
    pub fn arrow_name(self) -> &'static str {
        match self {
            ColumnType::Text => "Utf8",
            ColumnType::Timestamp => "Timestamp(µs, UTC)",
            ColumnType::Float => "Float64",
            ColumnType::UInt8 => "UInt8",
            ColumnType::UInt16 => "UInt16",
            ColumnType::Int64 => "Int64",
            ColumnType::TextList => "List<Utf8>",
            ColumnType::TextMap => "Map<Utf8, Utf8>",
        }
    }
}

/// The `entries` field of a text map column.
pub fn map_entries_field() -> Field {
    Field::new(
        "entries",
        DataType::Struct(Fields::from(vec![
            Field::new("key", DataType::Utf8, false),
            Field::new("value", DataType::Utf8, true),
        ])),
        false,
    )
}

/// One column of a Palisade table.
#[derive(Debug, Clone, Copy)]
pub struct Column {
    /// Plain snake-case name.
    pub name: &'static str,
    /// Logical type.
    pub ty: ColumnType,
    /// Whether every row has a value.
    pub required: bool,
    /// One sentence: what the column holds.
    pub meaning: &'static str,
    /// The OCSF attribute it corresponds to, or "" when there is none.
    pub ocsf: &'static str,
    /// The ECS field it corresponds to, or "" when there is none.
    pub ecs: &'static str,
}

impl Column {
    /// The Arrow field of this column.
    pub fn field(&self) -> Field {
        Field::new(self.name, self.ty.data_type(), !self.required)
    }
}

/// Looks a column up by name in a table.
pub fn column(table: &'static [Column], name: &str) -> Option<&'static Column> {
    table.iter().find(|c| c.name == name)
}

fn schema_of(columns: &[Column]) -> SchemaRef {
    Arc::new(Schema::new(
        columns.iter().map(Column::field).collect::<Vec<_>>(),
    ))
}

/// The schema of normalized events.
pub fn event_schema() -> SchemaRef {
    schema_of(EVENT_COLUMNS)
}

/// The schema a detector's `detect` returns.
pub fn detector_output_schema() -> SchemaRef {
    schema_of(DETECTOR_OUTPUT_COLUMNS)
}

/// The schema of findings in history.
pub fn finding_schema() -> SchemaRef {
    schema_of(FINDING_COLUMNS)
}

/// The schema of dead letters in history.
pub fn dead_letter_schema() -> SchemaRef {
    schema_of(DEAD_LETTER_COLUMNS)
}

/// The schema of detector runs in history.
pub fn detector_run_schema() -> SchemaRef {
    schema_of(DETECTOR_RUN_COLUMNS)
}

/// The schema of incidents in history.
pub fn incident_schema() -> SchemaRef {
    schema_of(INCIDENT_COLUMNS)
}

/// Event columns the host always sends to a detector, whatever it asked for.
pub const ALWAYS_SENT_EVENT_COLUMNS: &[&str] = &["event_id", "time", "kind"];

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_names_are_unique_snake_case() {
        for table in [
            EVENT_COLUMNS,
            DETECTOR_OUTPUT_COLUMNS,
            FINDING_COLUMNS,
            DEAD_LETTER_COLUMNS,
            DETECTOR_RUN_COLUMNS,
            INCIDENT_COLUMNS,
        ] {
            let mut seen = std::collections::HashSet::new();
            for c in table {
                assert!(seen.insert(c.name), "duplicate column {}", c.name);
                assert!(
                    c.name
                        .chars()
                        .all(|ch| ch.is_ascii_lowercase() || ch == '_' || ch.is_ascii_digit()),
                    "{} is not snake case",
                    c.name
                );
                assert!(!c.meaning.is_empty(), "{} has no meaning", c.name);
            }
        }
    }

    #[test]
    fn detector_output_is_a_subset_of_findings() {
        for c in DETECTOR_OUTPUT_COLUMNS {
            let stored = column(FINDING_COLUMNS, c.name)
                .unwrap_or_else(|| panic!("{} missing from findings", c.name));
            assert_eq!(stored.ty, c.ty, "{}", c.name);
        }
    }

    #[test]
    fn event_schema_has_utc_microsecond_time() {
        let schema = event_schema();
        let time = schema.field_with_name("time").unwrap();
        assert_eq!(
            time.data_type(),
            &DataType::Timestamp(TimeUnit::Microsecond, Some("UTC".into()))
        );
        assert!(!time.is_nullable());
        assert!(schema.field_with_name("user").unwrap().is_nullable());
    }

    #[test]
    fn columns_reference_matches_the_tables() {
        let path = concat!(env!("CARGO_MANIFEST_DIR"), "/COLUMNS.md");
        let expected = columns_reference();
        if std::env::var_os("PALISADE_BLESS").is_some() {
            std::fs::write(path, &expected).unwrap();
        }
        let on_disk = std::fs::read_to_string(path).unwrap_or_default();
        assert!(
            on_disk == expected,
            "schemas/COLUMNS.md is out of date; regenerate it with PALISADE_BLESS=1 cargo test -p palisade-schemas"
        );
    }
}
