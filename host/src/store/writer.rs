//! Appending batches to history as day-partitioned Parquet files.

use std::collections::BTreeMap;
use std::fs::File;
use std::path::{Path, PathBuf};

use arrow::array::{AsArray, BooleanArray};
use arrow::compute::filter_record_batch;
use arrow::datatypes::TimestampMicrosecondType;
use arrow::record_batch::RecordBatch;
use chrono::DateTime;
use parquet::arrow::ArrowWriter;
use parquet::basic::{Compression, ZstdLevel};
use parquet::file::properties::WriterProperties;

use super::Table;

/// Writing history failed: the data is not durable and the run must stop.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    /// A file or folder could not be created or written.
    #[error("writing `{path}`: {source}")]
    Io {
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// Parquet encoding failed.
    #[error("writing `{path}`: {source}")]
    Parquet {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: parquet::errors::ParquetError,
    },
    /// A batch does not have the table's schema.
    #[error("appending to `{table}`: {message}")]
    Schema {
        /// The table.
        table: &'static str,
        /// What was wrong.
        message: String,
    },
}

/// Appends batches to the tables of one data folder.
///
/// Keeps one open Parquet file per table and day; [`HistoryWriter::flush`]
/// closes them, making everything appended so far durable and visible to
/// queries. Files are named by the writer's start time and a sequence
/// number, so two runs never write the same file.
pub struct HistoryWriter {
    data_dir: PathBuf,
    run_id: String,
    next_part: u64,
    open: BTreeMap<(Table, String), OpenPart>,
}

/// A Parquet file being written. It is written under a name queries skip
/// (`.parquet.partial`) and renamed to `path` once complete, so a query
/// running beside the writer never reads a file without its footer.
struct OpenPart {
    path: PathBuf,
    partial: PathBuf,
    writer: ArrowWriter<File>,
}

impl OpenPart {
    fn close(self) -> Result<(), StoreError> {
        self.writer.close().map_err(|source| StoreError::Parquet {
            path: self.partial.clone(),
            source,
        })?;
        std::fs::rename(&self.partial, &self.path).map_err(|source| StoreError::Io {
            path: self.path,
            source,
        })
    }
}

impl HistoryWriter {
    /// A writer into `data_dir`, creating the table folders.
    ///
    /// # Errors
    ///
    /// [`StoreError::Io`] when a folder cannot be created.
    pub fn open(data_dir: &Path) -> Result<Self, StoreError> {
        for table in Table::ALL {
            let dir = table.dir(data_dir);
            std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io { path: dir, source })?;
        }
        let started = chrono::Utc::now();
        Ok(HistoryWriter {
            data_dir: data_dir.to_owned(),
            run_id: started.format("%Y%m%dT%H%M%S%6f").to_string(),
            next_part: 0,
            open: BTreeMap::new(),
        })
    }

    /// The writer's start time as it appears in file names: an id of the
    /// run.
    pub fn run_id(&self) -> &str {
        &self.run_id
    }

    /// Appends `batch` to `table`, splitting its rows by day.
    ///
    /// # Errors
    ///
    /// [`StoreError::Schema`] when the batch does not have the table's
    /// schema; I/O and Parquet errors naming the file.
    pub fn append(&mut self, table: Table, batch: &RecordBatch) -> Result<(), StoreError> {
        if batch.num_rows() == 0 {
            return Ok(());
        }
        if batch.schema().fields() != table.schema().fields() {
            return Err(StoreError::Schema {
                table: table.name(),
                message: "the batch's columns differ from the table's".into(),
            });
        }
        for (day, rows) in split_by_day(batch, table.time_column()) {
            let part = self.part(table, &day)?;
            part.writer
                .write(&rows)
                .map_err(|source| StoreError::Parquet {
                    path: part.path.clone(),
                    source,
                })?;
        }
        Ok(())
    }

    /// Bytes held in memory for the open files' row groups not yet
    /// written.
    pub fn buffered_bytes(&self) -> usize {
        self.open
            .values()
            .map(|part| part.writer.memory_size())
            .sum()
    }

    /// Completes every open file: what was appended is durable and
    /// queryable.
    ///
    /// # Errors
    ///
    /// The first file that could not be completed.
    pub fn flush(&mut self) -> Result<(), StoreError> {
        for (_, part) in std::mem::take(&mut self.open) {
            part.close()?;
        }
        Ok(())
    }

    fn part(&mut self, table: Table, day: &str) -> Result<&mut OpenPart, StoreError> {
        let key = (table, day.to_owned());
        if !self.open.contains_key(&key) {
            let dir = table.dir(&self.data_dir).join(format!("day={day}"));
            std::fs::create_dir_all(&dir).map_err(|source| StoreError::Io {
                path: dir.clone(),
                source,
            })?;
            let path = dir.join(format!(
                "part-{}-{:05}.parquet",
                self.run_id, self.next_part
            ));
            self.next_part += 1;
            let partial = path.with_extension("parquet.partial");
            let file = File::create(&partial).map_err(|source| StoreError::Io {
                path: partial.clone(),
                source,
            })?;
            let properties = WriterProperties::builder()
                .set_compression(Compression::ZSTD(ZstdLevel::default()))
                .build();
            let writer =
                ArrowWriter::try_new(file, table.schema(), Some(properties)).map_err(|source| {
                    StoreError::Parquet {
                        path: partial.clone(),
                        source,
                    }
                })?;
            let part = OpenPart {
                path,
                partial,
                writer,
            };
            self.open.insert(key.clone(), part);
        }
        Ok(self.open.get_mut(&key).expect("inserted above"))
    }
}

impl Drop for HistoryWriter {
    fn drop(&mut self) {
        if let Err(e) = self.flush() {
            tracing::error!("history not fully written: {e}");
        }
    }
}

/// The rows of `batch` grouped by the UTC day of their `time_column`.
fn split_by_day(batch: &RecordBatch, time_column: &str) -> Vec<(String, RecordBatch)> {
    let times = batch
        .column_by_name(time_column)
        .expect("every history table has its time column")
        .as_primitive::<TimestampMicrosecondType>();
    let days: Vec<String> = times
        .iter()
        .map(|t| {
            DateTime::from_timestamp_micros(t.unwrap_or(0)).map_or_else(
                || "invalid".to_owned(),
                |d| d.format("%Y-%m-%d").to_string(),
            )
        })
        .collect();
    let mut distinct: Vec<&String> = days.iter().collect();
    distinct.sort();
    distinct.dedup();
    if distinct.len() == 1 {
        return vec![(distinct[0].clone(), batch.clone())];
    }
    distinct
        .into_iter()
        .map(|day| {
            let mask: BooleanArray = days.iter().map(|d| Some(d == day)).collect();
            let rows = filter_record_batch(batch, &mask).expect("mask has the batch's length");
            (day.clone(), rows)
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use std::sync::Arc;

    use arrow::array::{ArrayRef, Int64Array, StringArray, TimestampMicrosecondArray};

    use super::*;

    pub(crate) fn dead_letters(times: &[i64]) -> RecordBatch {
        let n = times.len();
        let text = |v: &str| Arc::new(StringArray::from(vec![v; n])) as ArrayRef;
        RecordBatch::try_new(
            Table::DeadLetters.schema(),
            vec![
                Arc::new(TimestampMicrosecondArray::from(times.to_vec()).with_timezone("UTC")),
                text("f.json"),
                Arc::new(Int64Array::from_iter_values(1..=n as i64)),
                text("m365"),
                text("bad"),
                text("{"),
            ],
        )
        .unwrap()
    }

    #[test]
    fn rows_land_in_one_folder_per_day() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = HistoryWriter::open(dir.path()).unwrap();
        let day = 86_400_000_000;
        writer
            .append(Table::DeadLetters, &dead_letters(&[0, day + 5, 7]))
            .unwrap();
        writer.flush().unwrap();
        let mut days: Vec<String> = std::fs::read_dir(dir.path().join("dead_letters"))
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        days.sort();
        assert_eq!(days, ["day=1970-01-01", "day=1970-01-02"]);
    }

    #[test]
    fn rows_are_buffered_until_flushed() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = HistoryWriter::open(dir.path()).unwrap();
        assert_eq!(writer.buffered_bytes(), 0);
        writer
            .append(Table::DeadLetters, &dead_letters(&[0; 1000]))
            .unwrap();
        let one = writer.buffered_bytes();
        writer
            .append(Table::DeadLetters, &dead_letters(&[0; 1000]))
            .unwrap();
        assert!(one > 0 && writer.buffered_bytes() > one);
        writer.flush().unwrap();
        assert_eq!(writer.buffered_bytes(), 0);
    }

    #[test]
    fn files_become_visible_to_queries_only_when_complete() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = HistoryWriter::open(dir.path()).unwrap();
        writer
            .append(Table::DeadLetters, &dead_letters(&[0]))
            .unwrap();
        let day = dir.path().join("dead_letters").join("day=1970-01-01");
        let names = || -> Vec<String> {
            std::fs::read_dir(&day)
                .unwrap()
                .map(|e| e.unwrap().file_name().into_string().unwrap())
                .collect()
        };
        assert!(
            names().iter().all(|n| n.ends_with(".parquet.partial")),
            "{:?}",
            names()
        );
        writer.flush().unwrap();
        let names = names();
        assert_eq!(names.len(), 1);
        assert!(names[0].ends_with(".parquet"), "{names:?}");
    }

    #[test]
    fn a_batch_of_another_table_is_refused() {
        let dir = tempfile::tempdir().unwrap();
        let mut writer = HistoryWriter::open(dir.path()).unwrap();
        let err = writer
            .append(Table::Events, &dead_letters(&[0]))
            .unwrap_err();
        assert!(
            err.to_string().starts_with("appending to `events`"),
            "{err}"
        );
    }
}
