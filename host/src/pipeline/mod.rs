//! A run: records from inputs, through normalization and the detectors, into
//! history.
//!
//! [`Pipeline`] owns the stages of one run. Each input file is read in
//! chunks; a chunk's events become one Arrow batch that is appended to the
//! `events` table and sent to every detector; findings and dead letters are
//! appended to their tables. [`RunSummary`] counts what happened, and its
//! invariant is checked at the end of every run: records read = records
//! that gave events + dead letters.

mod detectors;
mod summary;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow::record_batch::RecordBatch;

use crate::enrich::{EnrichError, Enricher};
use crate::ingest::{self, FileReader, IngestError, Position};
use crate::normalize::{EventBatchBuilder, dead_letters_to_batch};
use crate::runtime::{
    ComponentCache, DetectorEngine, DetectorSettings, Limits, LoadError, StateStore,
};
use crate::store::{Checkpoint, CheckpointError, HistoryWriter, StoreError, Table};

pub use detectors::{BatchOutcome, DetectorSet, FailedCall};
pub use summary::RunSummary;

/// Records per chunk read from one file: the size of the batches detectors
/// see.
pub const DEFAULT_BATCH_RECORDS: usize = 8_192;

/// Detector failures in a row before a detector is quarantined.
pub const DEFAULT_QUARANTINE_AFTER: u32 = 3;

/// What a run needs to start.
#[derive(Debug, Clone)]
pub struct PipelineOptions {
    /// Where history is written.
    pub data_dir: PathBuf,
    /// A folder of extra detector components (`.wasm`).
    pub plugins_dir: Option<PathBuf>,
    /// A MaxMind-format database for locating addresses.
    pub geoip: Option<PathBuf>,
    /// An asset table (CSV) naming devices and their owners.
    pub assets: Option<PathBuf>,
    /// Where compiled components are cached; `None` compiles every time.
    pub cache_dir: Option<PathBuf>,
    /// `[detectors.NAME]` settings.
    pub detector_settings: DetectorSettings,
    /// Limits of every detector instance.
    pub limits: Limits,
    /// Records per batch.
    pub batch_records: usize,
    /// Failures in a row before a detector is quarantined.
    pub quarantine_after: u32,
}

impl PipelineOptions {
    /// Defaults for writing history into `data_dir`.
    pub fn new(data_dir: impl Into<PathBuf>) -> Self {
        let data_dir = data_dir.into();
        PipelineOptions {
            cache_dir: Some(data_dir.join("cache").join("components")),
            data_dir,
            plugins_dir: None,
            geoip: None,
            assets: None,
            detector_settings: DetectorSettings::new(),
            limits: Limits::default(),
            batch_records: DEFAULT_BATCH_RECORDS,
            quarantine_after: DEFAULT_QUARANTINE_AFTER,
        }
    }
}

/// A run could not go on.
#[derive(Debug, thiserror::Error)]
pub enum PipelineError {
    /// An input could not be opened or read.
    #[error(transparent)]
    Ingest(#[from] IngestError),
    /// History could not be written.
    #[error(transparent)]
    Store(#[from] StoreError),
    /// Detector state and input positions could not be saved.
    #[error(transparent)]
    Checkpoint(#[from] CheckpointError),
    /// A geo database or asset table could not be loaded.
    #[error(transparent)]
    Enrich(#[from] EnrichError),
    /// The detector engine could not start.
    #[error(transparent)]
    Engine(#[from] LoadError),
    /// Normalized events could not be packed into a batch.
    #[error("packing events from `{file}`: {message}")]
    Batch {
        /// The input file.
        file: String,
        /// What went wrong.
        message: String,
    },
}

/// The stages of one run, from files to history.
pub struct Pipeline {
    enricher: Enricher,
    detectors: DetectorSet,
    history: HistoryWriter,
    checkpoint: Arc<Checkpoint>,
    batch_records: usize,
    summary: RunSummary,
    started: Instant,
    // Kept alive for the detectors' time budgets: it owns the epoch ticker.
    _engine: DetectorEngine,
}

impl Pipeline {
    /// Loads the detectors and opens history.
    ///
    /// A detector that fails to load is left out and listed in the summary;
    /// the run goes on with the others.
    ///
    /// # Errors
    ///
    /// When the engine cannot start, an enrichment table cannot be loaded,
    /// or history or the checkpoint cannot be opened.
    pub fn start(options: &PipelineOptions) -> Result<Self, PipelineError> {
        let enricher = Enricher::open(options.geoip.as_deref(), options.assets.as_deref())?;
        let cache = options
            .cache_dir
            .clone()
            .map_or_else(ComponentCache::disabled, ComponentCache::in_dir);
        let engine = DetectorEngine::new(cache, options.limits)?;
        let checkpoint = Arc::new(Checkpoint::open(&options.data_dir)?);
        let state: Arc<dyn StateStore> = checkpoint.clone();
        let (detectors, load_errors) = DetectorSet::load(
            &engine,
            options.plugins_dir.as_deref(),
            &options.detector_settings,
            state,
            options.quarantine_after,
        );
        warn_unused_settings(&detectors, &options.detector_settings);
        let history = HistoryWriter::open(&options.data_dir)?;
        let summary = RunSummary {
            load_errors: load_errors.iter().map(ToString::to_string).collect(),
            detectors: detectors.detectors().map(|d| d.name().to_owned()).collect(),
            ..RunSummary::default()
        };
        Ok(Pipeline {
            enricher,
            detectors,
            history,
            checkpoint,
            batch_records: options.batch_records.max(1),
            summary,
            started: Instant::now(),
            _engine: engine,
        })
    }

    /// Processes every file under `paths` (files and folders, recursively).
    ///
    /// A file that cannot be opened or whose format matches nothing is
    /// reported in the summary's `input_errors` and skipped; the others are
    /// processed. Records that cannot be normalized become dead letters.
    ///
    /// # Errors
    ///
    /// When a path given does not exist or history cannot be written.
    pub fn process_paths(&mut self, paths: &[PathBuf]) -> Result<(), PipelineError> {
        for file in ingest::expand_paths(paths)? {
            match self.process_file(&file) {
                Err(PipelineError::Ingest(e)) => {
                    tracing::error!("input skipped: {e}");
                    self.summary.input_errors.push(e.to_string());
                }
                other => other?,
            }
        }
        Ok(())
    }

    /// Processes one file to its end.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::process_paths`].
    pub fn process_file(&mut self, path: &Path) -> Result<(), PipelineError> {
        let mut reader = FileReader::open(path)?;
        tracing::info!(file = %path.display(), format = reader.format().map_or("not yet known", ingest::Format::name), "reading input");
        self.summary.files += 1;
        self.drain(&mut reader)
    }

    /// Processes whatever `reader` has now, up to its current end.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::process_paths`].
    pub fn drain(&mut self, reader: &mut FileReader) -> Result<(), PipelineError> {
        while let Some(mut chunk) = reader.next_chunk(self.batch_records)? {
            if chunk.records_read == 0 {
                break;
            }
            self.summary.records_read += chunk.records_read;
            self.summary.records_normalized += chunk.records_read - chunk.dead_letters.len() as u64;
            if !chunk.dead_letters.is_empty() {
                self.summary.dead_letters += chunk.dead_letters.len() as u64;
                let now = chrono::Utc::now().timestamp_micros();
                let batch = dead_letters_to_batch(&chunk.dead_letters, now);
                self.history.append(Table::DeadLetters, &batch)?;
            }
            self.enricher.enrich(&mut chunk.events);
            let events =
                EventBatchBuilder::build(&chunk.events).map_err(|e| PipelineError::Batch {
                    file: reader.path().display().to_string(),
                    message: e.to_string(),
                })?;
            self.process_events(&events)?;
            self.checkpoint.set_position(reader.path(), chunk.position);
        }
        Ok(())
    }

    /// Appends one batch of events to history and runs the detectors on it.
    ///
    /// # Errors
    ///
    /// When history cannot be written.
    pub fn process_events(&mut self, events: &RecordBatch) -> Result<(), PipelineError> {
        if events.num_rows() == 0 {
            return Ok(());
        }
        self.summary.events += events.num_rows() as u64;
        self.history.append(Table::Events, events)?;
        let outcome = self.detectors.detect(events);
        for (detector, findings) in &outcome.findings {
            *self.summary.findings.entry(detector.clone()).or_default() +=
                findings.num_rows() as u64;
            self.history.append(Table::Findings, findings)?;
        }
        self.summary.failures.extend(outcome.failures);
        self.summary.quarantined.extend(outcome.quarantined);
        Ok(())
    }

    /// Makes everything processed so far durable and queryable, then saves
    /// the checkpoint: what detectors learned and where each input was
    /// left. History goes first, so the checkpoint never runs ahead of it.
    ///
    /// # Errors
    ///
    /// When history or the checkpoint cannot be written.
    pub fn flush(&mut self) -> Result<(), PipelineError> {
        self.history.flush()?;
        Ok(self.checkpoint.save()?)
    }

    /// Where an earlier run left `file`: the position just past the last
    /// record it saved, to resume following there.
    ///
    /// # Errors
    ///
    /// When the checkpoint cannot be read.
    pub fn saved_position(&self, file: &Path) -> Result<Option<Position>, PipelineError> {
        Ok(self.checkpoint.position(file)?)
    }

    /// The counts so far.
    pub fn summary(&self) -> &RunSummary {
        &self.summary
    }

    /// Flushes history, saves the checkpoint and returns the run's summary.
    ///
    /// # Errors
    ///
    /// When history or the checkpoint cannot be written.
    pub fn finish(mut self) -> Result<RunSummary, PipelineError> {
        self.flush()?;
        let mut summary = std::mem::take(&mut self.summary);
        summary.elapsed = self.started.elapsed();
        Ok(summary)
    }
}

fn warn_unused_settings(detectors: &DetectorSet, settings: &DetectorSettings) {
    for name in settings.keys() {
        if !detectors.detectors().any(|d| d.name() == name) {
            tracing::warn!(plugin = %name, "settings given for a detector that is not loaded");
        }
    }
}
