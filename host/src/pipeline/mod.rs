//! A run: records from inputs, through normalization and the detectors, into
//! history.
//!
//! [`Pipeline`] owns the stages of one run. Each input file is read in
//! chunks; a chunk's events become one Arrow batch that is appended to the
//! `events` table and sent to every detector; findings and dead letters are
//! appended to their tables. After each batch's findings the correlation
//! stage ([`Correlator`]) runs its rules; incidents that changed are
//! appended to the `incidents` table and to `incidents.jsonl`.
//! [`RunSummary`] counts what happened, and its
//! invariant is checked at the end of every run: records read = records
//! that gave events + dead letters. Every detector call is recorded in the
//! `detector_runs` table ([`DetectorRun`]) and in the [`Metrics`].
//!
//! In follow mode, [`Pipeline::watch_plugins`] starts a [`PluginWatcher`]
//! that prepares new versions of detectors off the hot path; the pipeline
//! swaps them in between two batches ([`Pipeline::apply_plugin_changes`]).

mod detectors;
mod inputs;
mod reload;
mod rules_reload;
mod runs;
mod summary;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow::record_batch::RecordBatch;

use crate::correlate::{CorrelateError, Correlator, load_rules};
use crate::enrich::{EnrichError, Enricher};
use crate::ingest::{self, FileReader, IngestError};
use crate::normalize::{DeadLetter, EventBatchBuilder, TIME_MISSING, dead_letters_to_batch};
use crate::runtime::{
    ComponentCache, DetectorEngine, DetectorSettings, Limits, LoadError, StateStore,
};
use crate::server::Metrics;
use crate::store::{Checkpoint, CheckpointError, HistoryWriter, StoreError, Table};

pub use detectors::{Applied, BatchOutcome, DetectorSet, FailedCall};
pub use reload::{DEBOUNCE, PluginChange, PluginWatcher, ReloadContext};
pub use rules_reload::RulesWatcher;
pub use runs::{DetectorRun, runs_to_batch};
pub use summary::RunSummary;

/// Records per chunk read from one file: the size of the batches detectors
/// see.
pub const DEFAULT_BATCH_RECORDS: usize = 8_192;

/// Detector failures in a row before a detector is quarantined: it gets no
/// more batches until a new version of it is loaded. Protects the run's
/// time from a detector that fails on everything. Default 3.
pub const DEFAULT_QUARANTINE_AFTER: u32 = 3;

/// Bytes of history buffered in memory, not yet written as complete
/// Parquet row groups, past which the pipeline flushes (history, then the
/// checkpoint) in the middle of a run. Without it a long run over many
/// days would keep every open day's rows in memory until the end.
pub const HISTORY_BUFFER_BYTES: usize = 64 * 1024 * 1024;

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
    /// A folder of correlation rules (`.sql`) to add to the bundled ones.
    pub rules_dir: Option<PathBuf>,
    /// Read every input from its start, also what earlier runs into the
    /// data folder read, instead of where they left it.
    pub from_start: bool,
    /// The format of every input, instead of telling it from the content.
    pub format: Option<ingest::Format>,
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
            rules_dir: None,
            from_start: false,
            format: None,
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
    /// The plugins or rules folder could not be watched.
    #[error("watching folder `{dir}`: {source}")]
    Watch {
        /// The folder.
        dir: PathBuf,
        /// The cause.
        source: notify::Error,
    },
    /// Correlation rules could not be loaded or run.
    #[error(transparent)]
    Correlate(#[from] CorrelateError),
    /// Settings of `[detectors.NAME]` were refused: a run would read its
    /// inputs past the records that detector should have seen.
    #[error(
        "{} (fix the configuration; nothing was read)",
        .0.iter().map(ToString::to_string).collect::<Vec<_>>().join("; ")
    )]
    Settings(Vec<LoadError>),
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
    correlator: Correlator,
    batch_records: usize,
    /// Inputs are read from their start, not where they were left.
    from_start: bool,
    format: Option<ingest::Format>,
    summary: RunSummary,
    started: Instant,
    metrics: Arc<Metrics>,
    watcher: Option<PluginWatcher>,
    rules_watcher: Option<RulesWatcher>,
    rules_dir: Option<PathBuf>,
    // Also keeps the epoch ticker of the detectors' time budgets alive.
    engine: Arc<DetectorEngine>,
    plugins_dir: Option<PathBuf>,
    settings: DetectorSettings,
}

impl Pipeline {
    /// Loads the detectors and opens history.
    ///
    /// A detector that fails to load is left out and listed in the summary;
    /// the run goes on with the others. Settings a detector refuses stop
    /// the run before it reads anything.
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
        let engine = Arc::new(DetectorEngine::new(cache, options.limits)?);
        let checkpoint = Arc::new(Checkpoint::open(&options.data_dir)?);
        let state: Arc<dyn StateStore> = checkpoint.clone();
        let (detectors, load_errors) = DetectorSet::load(
            &engine,
            options.plugins_dir.as_deref(),
            &options.detector_settings,
            state,
            options.quarantine_after,
        );
        let (refused, load_errors): (Vec<_>, Vec<_>) = load_errors.into_iter().partition(|e| {
            matches!(
                e,
                LoadError::Configure { .. } | LoadError::UnknownSetting { .. }
            )
        });
        if !refused.is_empty() {
            return Err(PipelineError::Settings(refused));
        }
        warn_unused_settings(&detectors, &options.detector_settings);
        // Rules are checked before history is opened for writing.
        let rules = load_rules(options.rules_dir.as_deref())?;
        let correlator = Correlator::open(&options.data_dir, rules)?;
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
            correlator,
            batch_records: options.batch_records.max(1),
            from_start: options.from_start,
            format: options.format,
            summary,
            started: Instant::now(),
            metrics: Arc::new(Metrics::new()),
            watcher: None,
            rules_watcher: None,
            rules_dir: options.rules_dir.clone(),
            engine,
            plugins_dir: options.plugins_dir.clone(),
            settings: options.detector_settings.clone(),
        })
    }

    /// The run's metrics, for the HTTP server.
    pub fn metrics(&self) -> Arc<Metrics> {
        self.metrics.clone()
    }

    /// Starts watching the plugins folder, if one is configured: new and
    /// changed components are prepared in the background and swapped in
    /// between two batches; removed ones are unloaded.
    ///
    /// # Errors
    ///
    /// [`PipelineError::Watch`] when the folder cannot be watched.
    pub fn watch_plugins(&mut self) -> Result<(), PipelineError> {
        let Some(dir) = self.plugins_dir.clone() else {
            return Ok(());
        };
        let context = ReloadContext {
            engine: self.engine.clone(),
            settings: self.settings.clone(),
            state: self.checkpoint.clone(),
        };
        let watcher = PluginWatcher::start(&dir, &self.detectors, context)
            .map_err(|source| PipelineError::Watch { dir, source })?;
        self.watcher = Some(watcher);
        Ok(())
    }

    /// Swaps in every change the plugin watcher has prepared. Called
    /// between two batches; does nothing when no watcher runs.
    pub fn apply_plugin_changes(&mut self) {
        while let Some(change) = self.watcher.as_ref().and_then(PluginWatcher::try_next) {
            self.apply_plugin_change(change);
        }
    }

    /// Waits up to `timeout` for a prepared change of the plugins folder
    /// and applies it at once; sleeps when no watcher runs. Lets an idle
    /// follower serve a new version as soon as it is ready instead of at
    /// its next poll.
    pub fn idle(&mut self, timeout: std::time::Duration) {
        match &self.watcher {
            Some(watcher) => {
                if let Some(change) = watcher.next_timeout(timeout) {
                    self.apply_plugin_change(change);
                }
            }
            None => std::thread::sleep(timeout),
        }
    }

    /// Applies one prepared change of the plugins folder and counts it.
    pub fn apply_plugin_change(&mut self, change: PluginChange) {
        match self.detectors.apply(change) {
            Applied::Loaded {
                name,
                version,
                lifted_quarantine,
            } => {
                if lifted_quarantine {
                    tracing::info!(plugin = %name, %version, "a new version lifts the quarantine");
                }
                if !self.summary.detectors.contains(&name) {
                    self.summary.detectors.push(name);
                }
                self.summary.reloads += 1;
                self.metrics.add_reload("loaded");
            }
            Applied::Failed { path, error } => {
                let serving = self
                    .detectors
                    .detectors()
                    .any(|d| Path::new(d.origin()) == path);
                let outcome = if serving {
                    "the old one keeps serving"
                } else {
                    "no detector runs from this file"
                };
                tracing::warn!(plugin = %path.display(), "new version not loaded; {outcome}: {error}");
                self.summary
                    .reload_failures
                    .push(format!("{}: {error}", path.display()));
                self.metrics.add_reload("failed");
            }
            Applied::Removed { .. } => {
                self.summary.reloads += 1;
                self.metrics.add_reload("removed");
            }
            Applied::Nothing => {}
        }
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
        for path in paths {
            let files = ingest::walk(path)?;
            if files.is_empty() {
                let warning = format!("no file to read in folder {}", path.display());
                tracing::warn!("{warning}");
                self.summary.warnings.push(warning);
            }
            for file in files {
                match self.process_file(&file) {
                    Err(PipelineError::Ingest(e)) => self.skip_input(&file, &e)?,
                    other => other?,
                }
            }
        }
        Ok(())
    }

    /// Reports an input that cannot be read on (it cannot be opened or
    /// read, or its format matches nothing): in the log, in the summary's
    /// `input_errors`, and as a dead letter of record 0 (not counted among
    /// the summary's dead letters, which are records), so that the
    /// `dead_letters` table accounts for every input, read or not.
    ///
    /// # Errors
    ///
    /// When history cannot be written.
    pub fn skip_input(&mut self, file: &Path, error: &IngestError) -> Result<(), PipelineError> {
        tracing::error!("input skipped: {error}");
        self.summary.input_errors.push(error.to_string());
        self.summary.skipped_inputs += 1;
        let (format, raw) = match error {
            IngestError::UnknownFormat { start, .. } => (None, start.clone()),
            IngestError::NotInFormat { format, start, .. } => {
                (Some((*format).to_owned()), start.clone())
            }
            _ => (None, String::new()),
        };
        let letter = DeadLetter {
            source_file: file.display().to_string(),
            record: 0,
            format,
            reason: format!("input skipped: {error}"),
            raw,
        };
        let batch = dead_letters_to_batch(&[letter], chrono::Utc::now().timestamp_micros());
        self.history.append(Table::DeadLetters, &batch)?;
        Ok(())
    }

    /// Processes one file to its end.
    ///
    /// # Errors
    ///
    /// As [`Pipeline::process_paths`].
    pub fn process_file(&mut self, path: &Path) -> Result<(), PipelineError> {
        let opened = self.open_input(path, false)?;
        let mut reader = opened.reader;
        tracing::info!(file = %path.display(), format = reader.format().map_or("not yet known", ingest::Format::name), "reading input");
        self.summary.files += 1;
        if opened.resumed_at.is_some_and(|record| record > 0) {
            self.summary.resumed_files += 1;
        }
        if opened.read_again {
            self.summary.read_again_files += 1;
        }
        if opened.renamed_from.is_some() {
            self.record_position(&reader);
        }
        let (read, normalized) = (self.summary.records_read, self.summary.records_normalized);
        self.drain(&mut reader)?;
        let read = self.summary.records_read - read;
        if read > 0 && self.summary.records_normalized == normalized {
            // Every record a dead letter: most likely the wrong format.
            let format = reader.format().map_or("no format", ingest::Format::name);
            let warning = format!(
                "none of the {read} records of {} could be read as {format}; see its dead letters",
                path.display()
            );
            tracing::warn!("{warning}");
            self.summary.warnings.push(warning);
        }
        if let Some(damage) = reader.damage() {
            let error = format!(
                "{}: the compressed data ends early, after record {} ({damage}); the rest of \
                 the file is lost",
                path.display(),
                reader.position().record
            );
            tracing::error!("{error}");
            self.summary.input_errors.push(error);
        }
        Ok(())
    }

    /// Counts a file opened to be followed, for the summary.
    pub fn count_followed_file(&mut self) {
        self.summary.files += 1;
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
                self.metrics
                    .add_dead_letters(chunk.dead_letters.len() as u64);
                let now = chrono::Utc::now().timestamp_micros();
                let batch = dead_letters_to_batch(&chunk.dead_letters, now);
                self.history.append(Table::DeadLetters, &batch)?;
            }
            self.summary.undated_events += chunk
                .events
                .iter()
                .filter(|e| e.attrs.contains_key(TIME_MISSING))
                .count() as u64;
            self.enricher.enrich(&mut chunk.events);
            let events =
                EventBatchBuilder::build(&chunk.events).map_err(|e| PipelineError::Batch {
                    file: reader.path().display().to_string(),
                    message: e.to_string(),
                })?;
            self.apply_plugin_changes();
            self.apply_rule_changes();
            self.process_events(&events)?;
            self.record_position_at(reader, chunk.position);
            if self.history.buffered_bytes() > HISTORY_BUFFER_BYTES {
                self.flush()?;
            }
        }
        Ok(())
    }

    /// Appends one batch of events to history, runs the detectors on it
    /// and correlates their findings.
    ///
    /// # Errors
    ///
    /// When history cannot be written or a correlation rule fails.
    pub fn process_events(&mut self, events: &RecordBatch) -> Result<(), PipelineError> {
        if events.num_rows() == 0 {
            return Ok(());
        }
        self.summary.events += events.num_rows() as u64;
        self.metrics.add_events(events.num_rows() as u64);
        self.history.append(Table::Events, events)?;
        self.correlator.observe_events(events);
        let outcome = self.detectors.detect(events);
        for (detector, findings) in &outcome.findings {
            *self.summary.findings.entry(detector.clone()).or_default() +=
                findings.num_rows() as u64;
            self.history.append(Table::Findings, findings)?;
            self.correlator.observe_findings(findings)?;
        }
        if !outcome.runs.is_empty() {
            for run in &outcome.runs {
                self.metrics.record_run(run);
            }
            let runs = runs_to_batch(self.history.run_id(), &outcome.runs);
            self.history.append(Table::DetectorRuns, &runs)?;
        }
        for name in &outcome.quarantined {
            self.metrics.add_quarantine(name);
        }
        self.summary.failures.extend(outcome.failures);
        self.summary.quarantined.extend(outcome.quarantined);
        self.correlate()
    }

    /// Runs the correlation rules over the window (when findings arrived)
    /// and writes the incidents that changed.
    ///
    /// # Errors
    ///
    /// When a rule fails or the incidents cannot be written.
    pub fn correlate(&mut self) -> Result<(), PipelineError> {
        let changed = self.correlator.correlate()?;
        if changed.is_empty() {
            return Ok(());
        }
        self.summary.incident_versions += changed.len() as u64;
        let batch = self.correlator.to_batch(&changed);
        self.history.append(Table::Incidents, &batch)?;
        self.correlator.write_jsonl(&batch)?;
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

    /// The counts so far.
    pub fn summary(&self) -> &RunSummary {
        &self.summary
    }

    /// Correlates what is left, flushes history, saves the checkpoint and
    /// returns the run's summary.
    ///
    /// # Errors
    ///
    /// When history or the checkpoint cannot be written.
    pub fn finish(mut self) -> Result<RunSummary, PipelineError> {
        self.correlate()?;
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
