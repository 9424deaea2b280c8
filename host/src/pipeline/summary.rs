//! What a run did, in numbers.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

use super::FailedCall;

/// Counts of one run.
#[derive(Debug, Default, Clone)]
pub struct RunSummary {
    /// Input files opened.
    pub files: u64,
    /// Of those, the files taken up where an earlier run left them.
    pub resumed_files: u64,
    /// Of those, files an earlier run had read, read again from their
    /// start (`--from-start`).
    pub read_again_files: u64,
    /// Records read from them.
    pub records_read: u64,
    /// Records that gave one or more events.
    pub records_normalized: u64,
    /// Events produced.
    pub events: u64,
    /// Of those, events whose log gave no time: dated 1970-01-01, with
    /// the attribute `time_missing`.
    pub undated_events: u64,
    /// Records that could not be normalized.
    pub dead_letters: u64,
    /// Inputs skipped whole (each a dead letter of record 0, not counted
    /// in `dead_letters`).
    pub skipped_inputs: u64,
    /// Detectors loaded.
    pub detectors: Vec<String>,
    /// Findings per detector.
    pub findings: BTreeMap<String, u64>,
    /// Incident versions written (a new incident, or one that changed).
    pub incident_versions: u64,
    /// Detector calls that failed.
    pub failures: Vec<FailedCall>,
    /// Detectors quarantined during the run.
    pub quarantined: Vec<String>,
    /// Input files that could not be read, with why.
    pub input_errors: Vec<String>,
    /// Inputs that gave nothing but dead letters, and folders that held no
    /// file, with what to check.
    pub warnings: Vec<String>,
    /// Detectors that could not be loaded, with why.
    pub load_errors: Vec<String>,
    /// New versions swapped in and detectors unloaded while following.
    pub reloads: u64,
    /// New versions refused while following (the old one kept serving),
    /// with the file and why.
    pub reload_failures: Vec<String>,
    /// Wall time of the run.
    pub elapsed: Duration,
}

impl RunSummary {
    /// Whether every record read was either normalized or dead-lettered.
    pub fn is_complete(&self) -> bool {
        self.records_read == self.records_normalized + self.dead_letters
    }

    /// The exit status of the run: success when every record was either
    /// normalized or dead-lettered, every input could be read and every
    /// detector configured could be loaded.
    pub fn exit_code(&self) -> std::process::ExitCode {
        if self.is_complete() && self.input_errors.is_empty() && self.load_errors.is_empty() {
            std::process::ExitCode::SUCCESS
        } else {
            std::process::ExitCode::FAILURE
        }
    }

    /// Failures per detector and cause, with the first message of each.
    pub fn failures_by_cause(&self) -> BTreeMap<(String, &'static str), (u64, String)> {
        let mut by_cause = BTreeMap::new();
        for f in &self.failures {
            let entry = by_cause
                .entry((f.detector.clone(), f.failure.cause()))
                .or_insert((0, f.failure.to_string()));
            entry.0 += 1;
        }
        by_cause
    }
}

impl fmt::Display for RunSummary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(
            f,
            "read {} {} from {} {} in {:.2?}",
            self.records_read,
            if self.records_read == 1 {
                "record"
            } else {
                "records"
            },
            self.files,
            if self.files == 1 { "file" } else { "files" },
            self.elapsed
        )?;
        if self.resumed_files > 0 {
            let files = self.resumed_files;
            let noun = if files == 1 { "file" } else { "files" };
            writeln!(
                f,
                "  resumed:      {files} {noun} where an earlier run left them (--from-start reads them again)"
            )?;
        }
        if self.read_again_files > 0 {
            let files = self.read_again_files;
            let noun = if files == 1 { "file" } else { "files" };
            writeln!(
                f,
                "  read again:   {files} {noun} an earlier run into this data folder had read: \
                 their events are in history twice (a new --data-dir starts afresh)"
            )?;
        }
        writeln!(f, "  events:       {}", self.events)?;
        if self.undated_events > 0 {
            writeln!(
                f,
                "  undated:      {} of them had no time in their log; they are dated \
                 1970-01-01, with attrs['time_missing'] saying why",
                self.undated_events
            )?;
        }
        match self.skipped_inputs {
            0 => writeln!(f, "  dead letters: {}", self.dead_letters)?,
            skipped => writeln!(
                f,
                "  dead letters: {}, and {skipped} {} skipped whole (record 0)",
                self.dead_letters,
                if skipped == 1 { "input" } else { "inputs" }
            )?,
        }
        writeln!(f, "  findings:")?;
        for name in &self.detectors {
            let count = self.findings.get(name).copied().unwrap_or(0);
            writeln!(f, "    {name:<24} {count}")?;
        }
        if self.incident_versions > 0 {
            let versions = self.incident_versions;
            let noun = if versions == 1 { "version" } else { "versions" };
            writeln!(f, "  incidents:    {versions} {noun} written")?;
        }
        for ((detector, _), (count, first)) in self.failures_by_cause() {
            writeln!(f, "  failed: {detector}: {count} calls; {first}")?;
        }
        for name in &self.quarantined {
            writeln!(f, "  quarantined: {name}")?;
        }
        for error in &self.input_errors {
            writeln!(f, "  input skipped: {error}")?;
        }
        for warning in &self.warnings {
            writeln!(f, "  warning: {warning}")?;
        }
        for error in &self.load_errors {
            writeln!(f, "  not loaded: {error}")?;
        }
        if self.reloads > 0 {
            writeln!(f, "  reloads: {}", self.reloads)?;
        }
        for error in &self.reload_failures {
            writeln!(f, "  reload refused: {error}")?;
        }
        Ok(())
    }
}
