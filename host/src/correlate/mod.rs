//! Correlation: findings that belong to one attack, joined into an
//! incident that grows as the attack goes on and tells its story.
//!
//! - [`rule`]: correlation rules, SQL files with a header (bundled in
//!   `rules/`, or `--rules DIR`).
//! - [`window`]: the live window of recent findings and events, by event
//!   time.
//! - [`runner`]: runs the rules over the window in DataFusion; each returns
//!   incident [`Candidate`]s.
//! - [`incident`]: the [`IncidentBuilder`], which merges candidates and
//!   appends later findings (its docs state the invariants).
//! - [`story`]: the headline and the time-ordered account.
//! - [`output`]: incidents as `incidents` rows and JSON lines.
//!
//! [`Correlator`] ties them together for the pipeline: it is fed every
//! batch's events and findings, and [`Correlator::correlate`] returns the
//! incidents that changed, which the pipeline appends to history (one row
//! per version) and to `incidents.jsonl`.
//!
//! # Restarts
//!
//! Open incidents are not kept in the checkpoint: [`Correlator::open`]
//! rebuilds the window from history (the findings of the last window span
//! before the newest finding) and takes back the latest version of every
//! incident still open. Incident history is written in the same flush as
//! the findings it covers, before the checkpoint is saved, so the rebuilt
//! state never lags the inputs a restart resumes from; replayed findings
//! keep their ids and are recognised, so no incident is duplicated.

pub mod finding;
pub mod incident;
pub mod output;
mod restore;
pub mod rule;
pub mod runner;
pub mod story;
#[doc(hidden)]
pub mod testdata;
pub mod window;

use std::path::{Path, PathBuf};

use arrow::record_batch::RecordBatch;

pub use finding::Finding;
pub use incident::{Incident, IncidentBuilder, incident_id};
pub use output::{INCIDENTS_JSONL, append_jsonl, incidents_to_batch};
pub use rule::{Rule, bundled_rules, load_rules, rules_in};
pub use runner::{Candidate, RuleRunner, window_context};
pub use window::Window;

/// Correlation failed.
#[derive(Debug, thiserror::Error)]
pub enum CorrelateError {
    /// A rule file is malformed.
    #[error("correlation rule `{rule}`: {message}")]
    Rule {
        /// The rule's file or name.
        rule: String,
        /// What is wrong.
        message: String,
    },
    /// A rule failed to plan or run, or returned the wrong columns.
    #[error("running correlation rule `{rule}`: {message}")]
    RuleRun {
        /// The rule's name.
        rule: String,
        /// DataFusion's message, or the missing column.
        message: String,
    },
    /// Findings lack a column correlation reads.
    #[error("reading findings: {0}")]
    Findings(String),
    /// The query runtime or tables could not be set up.
    #[error("correlation runtime: {0}")]
    Runtime(String),
    /// History could not be read back at start.
    #[error("rebuilding open incidents from history: {0}")]
    Restore(String),
    /// `incidents.jsonl` could not be written.
    #[error("writing `{path}`: {message}")]
    Output {
        /// The file.
        path: String,
        /// The cause.
        message: String,
    },
}

/// The correlation stage: rules, window and open incidents.
pub struct Correlator {
    rules: Vec<Rule>,
    window: Window,
    builder: IncidentBuilder,
    runner: RuleRunner,
    fresh: Vec<Finding>,
    jsonl: Option<PathBuf>,
}

impl Correlator {
    /// A correlator with no history behind it and no JSON-lines output.
    ///
    /// # Errors
    ///
    /// When the query runtime cannot start, or [`CorrelateError::RuleRun`]
    /// naming a rule that does not plan against the tables or does not
    /// return the columns of a candidate: a rule is checked before any
    /// record is read, not when it first runs.
    pub fn new(rules: Vec<Rule>) -> Result<Self, CorrelateError> {
        let span = rules.iter().map(|r| r.window).max().unwrap_or(0);
        let keep_events = rules.iter().any(Rule::reads_events);
        let window = Window::new(span, keep_events);
        let runner = RuleRunner::new()?;
        runner.plan(&rules, &window)?;
        Ok(Correlator {
            rules,
            window,
            builder: IncidentBuilder::new(),
            runner,
            fresh: Vec::new(),
            jsonl: None,
        })
    }

    /// A correlator over `data_dir`: the window and open incidents rebuilt
    /// from its history, incident versions appended to its
    /// `incidents.jsonl`.
    ///
    /// # Errors
    ///
    /// When the runtime cannot start or history cannot be read.
    pub fn open(data_dir: &Path, rules: Vec<Rule>) -> Result<Self, CorrelateError> {
        let mut correlator = Correlator::new(rules)?;
        restore::restore(&mut correlator, data_dir)?;
        correlator.jsonl = Some(data_dir.join(INCIDENTS_JSONL));
        Ok(correlator)
    }

    /// Replaces the rules, once every new rule plans against the window's
    /// tables; open incidents and the window stay.
    ///
    /// # Errors
    ///
    /// [`CorrelateError::RuleRun`] naming a rule that does not plan; the
    /// old rules are kept.
    pub fn replace_rules(&mut self, rules: Vec<Rule>) -> Result<(), CorrelateError> {
        self.runner.plan(&rules, &self.window)?;
        let span = rules.iter().map(|r| r.window).max().unwrap_or(0);
        self.window
            .reshape(span, rules.iter().any(Rule::reads_events));
        self.rules = rules;
        Ok(())
    }

    /// The rules, sorted by name.
    pub fn rules(&self) -> &[Rule] {
        &self.rules
    }

    /// The live window.
    pub fn window(&self) -> &Window {
        &self.window
    }

    /// The open incidents.
    pub fn open_incidents(&self) -> impl Iterator<Item = &Incident> {
        self.builder.open()
    }

    /// Adds a batch of events to the window.
    pub fn observe_events(&mut self, events: &RecordBatch) {
        self.window.add_events(events);
    }

    /// Adds a batch of findings to the window.
    ///
    /// # Errors
    ///
    /// When the batch lacks the findings' columns.
    pub fn observe_findings(&mut self, findings: &RecordBatch) -> Result<(), CorrelateError> {
        let fresh = self.window.add_findings(findings)?;
        self.fresh.extend(fresh);
        Ok(())
    }

    /// Runs the rules when findings arrived since the last call, applies
    /// their candidates and the new findings to the open incidents, and
    /// returns the incidents that changed.
    ///
    /// # Errors
    ///
    /// When a rule fails.
    pub fn correlate(&mut self) -> Result<Vec<Incident>, CorrelateError> {
        if self.fresh.is_empty() {
            return Ok(Vec::new());
        }
        let candidates = self.runner.run(&self.rules, &self.window)?;
        let fresh = std::mem::take(&mut self.fresh);
        let changed = self
            .builder
            .apply(&self.rules, candidates, &fresh, &self.window);
        tracing::debug!(
            findings = fresh.len(),
            window = self.window.len(),
            changed = changed.len(),
            "correlated a batch"
        );
        if let Some(newest) = self.window.newest() {
            self.window.evict();
            self.builder.close_before(newest);
        }
        Ok(changed)
    }

    /// The rows of `incidents` for the `incidents` table, written now.
    pub fn to_batch(&self, incidents: &[Incident]) -> RecordBatch {
        let now = chrono::Utc::now().timestamp_micros();
        incidents_to_batch(incidents, &self.rules, now)
    }

    /// Appends rows to `incidents.jsonl` (when the correlator has a data
    /// folder).
    ///
    /// # Errors
    ///
    /// When the file cannot be written.
    pub fn write_jsonl(&self, batch: &RecordBatch) -> Result<(), CorrelateError> {
        match &self.jsonl {
            Some(path) if batch.num_rows() > 0 => append_jsonl(path, batch),
            _ => Ok(()),
        }
    }
}
