//! The `detector_runs` table: one row per detector call.
//!
//! Every call a batch makes is recorded, successful or not, with the rows
//! sent, the findings kept, the wall time, the instance's memory and the
//! outcome. Per-call volume goes here and to the metrics, never to the log.

use std::sync::Arc;

use arrow::array::{ArrayRef, Int64Array, StringArray, TimestampMicrosecondArray};
use arrow::record_batch::RecordBatch;
use palisade_schemas::{UTC, detector_run_schema};

use crate::runtime::{CallReport, Detector};

/// One call of one detector, as recorded in `detector_runs`.
#[derive(Debug, Clone, PartialEq)]
pub struct DetectorRun {
    /// When the batch was sent, microseconds since the epoch (host clock).
    pub time: i64,
    /// The batch's number in the run, from 1.
    pub batch: u64,
    /// The detector's name.
    pub detector: String,
    /// Its declared version.
    pub version: String,
    /// SHA-256 of its component.
    pub hash: String,
    /// Events sent.
    pub rows_in: u64,
    /// Findings kept.
    pub findings_out: u64,
    /// Wall time of the call in microseconds.
    pub duration_us: u64,
    /// Largest linear memory of the instance, in bytes.
    pub memory_bytes: u64,
    /// `ok` or the failure's kind ([`crate::runtime::DetectorFailure::cause`]).
    pub outcome: &'static str,
    /// The failure's message.
    pub cause: Option<String>,
}

impl DetectorRun {
    /// The record of `report`, a call of `detector` in batch `batch`.
    pub fn of(detector: &Detector, report: &CallReport, batch: u64, time: i64) -> Self {
        let (findings_out, outcome, cause) = match &report.outcome {
            Ok(findings) => (findings.as_ref().map_or(0, |f| f.num_rows()), "ok", None),
            Err(failure) => (0, failure.cause(), Some(failure.to_string())),
        };
        DetectorRun {
            time,
            batch,
            detector: detector.name().to_owned(),
            version: detector.description().version.clone(),
            hash: detector.content_hash().to_owned(),
            rows_in: report.rows as u64,
            findings_out: findings_out as u64,
            duration_us: u64::try_from(report.duration.as_micros()).unwrap_or(u64::MAX),
            memory_bytes: report.memory_bytes as u64,
            outcome,
            cause,
        }
    }
}

/// The rows of `runs` with the `detector_runs` schema; `run_id` names the
/// run they belong to.
pub fn runs_to_batch(run_id: &str, runs: &[DetectorRun]) -> RecordBatch {
    let text = |f: &dyn Fn(&DetectorRun) -> &str| -> ArrayRef {
        Arc::new(StringArray::from_iter_values(runs.iter().map(f)))
    };
    let number = |f: &dyn Fn(&DetectorRun) -> u64| -> ArrayRef {
        Arc::new(Int64Array::from_iter_values(
            runs.iter().map(|r| i64::try_from(f(r)).unwrap_or(i64::MAX)),
        ))
    };
    let columns = vec![
        Arc::new(
            TimestampMicrosecondArray::from_iter_values(runs.iter().map(|r| r.time))
                .with_timezone(UTC),
        ) as ArrayRef,
        Arc::new(StringArray::from(vec![run_id; runs.len()])),
        number(&|r| r.batch),
        text(&|r| &r.detector),
        text(&|r| &r.version),
        text(&|r| &r.hash),
        number(&|r| r.rows_in),
        number(&|r| r.findings_out),
        number(&|r| r.duration_us),
        number(&|r| r.memory_bytes),
        text(&|r| r.outcome),
        Arc::new(StringArray::from_iter(
            runs.iter().map(|r| r.cause.as_deref()),
        )),
    ];
    RecordBatch::try_new(detector_run_schema(), columns)
        .expect("the columns follow DETECTOR_RUN_COLUMNS")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn run(outcome: &'static str, cause: Option<&str>) -> DetectorRun {
        DetectorRun {
            time: 1_700_000_000_000_000,
            batch: 3,
            detector: "trap".into(),
            version: "0.1.0".into(),
            hash: "ab".into(),
            rows_in: 12,
            findings_out: 0,
            duration_us: 950,
            memory_bytes: 1 << 20,
            outcome,
            cause: cause.map(str::to_owned),
        }
    }

    #[test]
    fn runs_become_a_batch_of_the_table_schema() {
        let batch = runs_to_batch(
            "20240101T000000",
            &[run("ok", None), run("trap", Some("trapped: boom"))],
        );
        assert_eq!(batch.schema(), detector_run_schema());
        assert_eq!(batch.num_rows(), 2);
        let cause = batch.column_by_name("cause").unwrap();
        assert_eq!(cause.null_count(), 1);
    }
}
