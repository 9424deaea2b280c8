//! A test detector that returns a well-formed Arrow stream whose columns
//! are not the finding schema (`severity` as text, no `title`), for the
//! host's schema validation: the call must fail as `bad_output`.
//!
//! It implements the world's exports directly, below the SDK, because the
//! SDK only ever writes the right schema.

use std::sync::Arc;

use arrow_array::{ArrayRef, RecordBatch, StringArray};
use arrow_ipc::writer::StreamWriter;
use arrow_schema::{DataType, Field, Schema};
use palisade_sdk::__private::bindings::{self, palisade::detector::types};

/// Describes and configures fine; every `detect` returns one row of the
/// wrong schema.
pub struct WrongSchema;

impl bindings::Guest for WrongSchema {
    fn describe() -> types::Description {
        types::Description {
            name: "wrong-schema".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            summary: "Returns findings of the wrong schema.".into(),
            kinds: Vec::new(),
            columns: Vec::new(),
            settings: Vec::new(),
        }
    }

    fn configure(_: Vec<(String, String)>) -> Result<(), String> {
        Ok(())
    }

    fn detect(_: Vec<u8>) -> Result<Vec<u8>, String> {
        wrong_findings().map_err(|e| e.to_string())
    }
}

fn wrong_findings() -> Result<Vec<u8>, arrow_schema::ArrowError> {
    let schema = Arc::new(Schema::new(vec![
        Field::new("kind", DataType::Utf8, false),
        Field::new("severity", DataType::Utf8, false),
    ]));
    let columns = vec![
        Arc::new(StringArray::from(vec!["wrong.schema"])) as ArrayRef,
        Arc::new(StringArray::from(vec!["very high"])) as ArrayRef,
    ];
    let batch = RecordBatch::try_new(schema.clone(), columns)?;
    let mut out = Vec::new();
    let mut writer = StreamWriter::try_new(&mut out, &schema)?;
    writer.write(&batch)?;
    writer.finish()?;
    drop(writer);
    Ok(out)
}

#[cfg(target_family = "wasm")]
bindings::export!(WrongSchema with_types_in bindings);
