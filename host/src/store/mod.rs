//! History: every event, finding and dead letter as Parquet, queried with
//! SQL.
//!
//! Each table is a folder under the data folder, partitioned by the UTC day
//! of its `time` column in Hive style (`events/day=2021-04-26/part-….parquet`),
//! compressed with zstd. Any Parquet engine can read it; `palisade sql`
//! registers the folders as DataFusion listing tables, with the partition
//! appearing as a `day` column.
//!
//! Beside history, [`Checkpoint`] keeps what detectors learned and where
//! each input was left, saved together after history is flushed.

mod checkpoint;
mod query;
mod writer;

use std::path::PathBuf;

use arrow::datatypes::SchemaRef;
use palisade_schemas::{dead_letter_schema, event_schema, finding_schema};

pub use checkpoint::{CHECKPOINT_FILE, Checkpoint, CheckpointError};
pub use query::{OutputFormat, QueryError, SqlSession, render};
pub use writer::{HistoryWriter, StoreError};

/// A table of history.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub enum Table {
    /// Normalized events.
    Events,
    /// Detector findings.
    Findings,
    /// Records that could not be normalized.
    DeadLetters,
}

impl Table {
    /// Every table, in the order they are registered.
    pub const ALL: [Table; 3] = [Table::Events, Table::Findings, Table::DeadLetters];

    /// The table's name in SQL and its folder's name.
    pub fn name(self) -> &'static str {
        match self {
            Table::Events => "events",
            Table::Findings => "findings",
            Table::DeadLetters => "dead_letters",
        }
    }

    /// The table's Arrow schema (without the `day` partition column).
    pub fn schema(self) -> SchemaRef {
        match self {
            Table::Events => event_schema(),
            Table::Findings => finding_schema(),
            Table::DeadLetters => dead_letter_schema(),
        }
    }

    /// The table's folder under `data_dir`.
    pub fn dir(self, data_dir: &std::path::Path) -> PathBuf {
        data_dir.join(self.name())
    }
}
