//! History: every event, finding, dead letter and incident as Parquet, queried with
//! SQL.
//!
//! The tables are `events`, `findings`, `dead_letters` and `detector_runs`
//! (one row per detector call, for "which detector is slow or failing").
//! Each table is a folder under the data folder, partitioned by the UTC day
//! of its time column ([`Table::time_column`]) in Hive style (`events/day=2021-04-26/part-….parquet`),
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
use palisade_schemas::{
    dead_letter_schema, detector_run_schema, event_schema, finding_schema, incident_schema,
};

pub use checkpoint::{CHECKPOINT_FILE, Checkpoint, CheckpointError, SavedPosition};
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
    /// One row per detector call: rows, findings, duration, memory and
    /// outcome.
    DetectorRuns,
    /// Incidents, one row per version (see [`crate::correlate`]).
    Incidents,
}

impl Table {
    /// Every table, in the order they are registered.
    pub const ALL: [Table; 5] = [
        Table::Events,
        Table::Findings,
        Table::DeadLetters,
        Table::DetectorRuns,
        Table::Incidents,
    ];

    /// The table's name in SQL and its folder's name.
    pub fn name(self) -> &'static str {
        match self {
            Table::Events => "events",
            Table::Findings => "findings",
            Table::DeadLetters => "dead_letters",
            Table::DetectorRuns => "detector_runs",
            Table::Incidents => "incidents",
        }
    }

    /// The table's Arrow schema (without the `day` partition column).
    pub fn schema(self) -> SchemaRef {
        match self {
            Table::Events => event_schema(),
            Table::Findings => finding_schema(),
            Table::DeadLetters => dead_letter_schema(),
            Table::DetectorRuns => detector_run_schema(),
            Table::Incidents => incident_schema(),
        }
    }

    /// The timestamp column whose UTC day partitions the table: `time`, or
    /// for incidents `first_seen`, so every version of an incident lands in
    /// the same day folder.
    pub fn time_column(self) -> &'static str {
        match self {
            Table::Incidents => "first_seen",
            _ => "time",
        }
    }

    /// The table's folder under `data_dir`.
    pub fn dir(self, data_dir: &std::path::Path) -> PathBuf {
        data_dir.join(self.name())
    }
}
