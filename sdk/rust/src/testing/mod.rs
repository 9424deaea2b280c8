//! Run detectors natively, without Wasm, through the same Arrow encoding.
//!
//! - [`Harness`]: one configured detector with an in-memory state store
//!   that persists across calls and, like the host, drops the state writes
//!   of a failed call.
//! - [`TestEvent`]: an event written by hand (JSON or Rust), built into the
//!   batch the host would send: filtered to the detector's kinds and
//!   projected to its columns.
//! - [`FindingRow`]: a finding decoded from the detector's output.
//! - Case files ([`assert_cases_in_dir`]): settings, events and expected
//!   findings as JSON, so a security engineer can add a case without Rust.
//!   The format is described in `sdk/README.md`; its types and the
//!   matching come from [`palisade_schemas::cases`], shared with the host's
//!   `palisade plugin test`.
//!
//! ```ignore
//! let mut harness = Harness::<InboxRule>::new().with_setting("min_severity", "50");
//! let findings = harness.run(&[TestEvent::new("mailbox.rule_change").with("user", "a@b.c")]);
//! assert!(findings.is_empty());
//! ```

mod batch;
mod cases;

use std::collections::BTreeMap;

pub use batch::{batch_for, decode_findings, write_ipc};
pub use cases::{CaseFailure, CaseFailures, assert_cases_in_dir, load_cases};
pub use cases::{run_case, run_case_file};
pub use palisade_schemas::cases::{
    Case, Expectation, FindingRow, LogRecord, TestEvent, compare, event_batch,
};

use crate::context::HostServices;
use crate::{Detector, Error, Level, run};

/// A detector running natively, with the host's state and log in memory.
pub struct Harness<D: Detector> {
    settings: Vec<(String, String)>,
    detector: Option<D>,
    host: MemoryHost,
}

impl<D: Detector> Default for Harness<D> {
    fn default() -> Self {
        Harness {
            settings: Vec::new(),
            detector: None,
            host: MemoryHost::default(),
        }
    }
}

impl<D: Detector> Harness<D> {
    /// A harness with default settings and empty state. The detector is
    /// configured on the first call.
    pub fn new() -> Self {
        Harness::default()
    }

    /// Sets a setting; the detector is configured again on the next call.
    pub fn with_setting(mut self, name: &str, value: &str) -> Self {
        self.settings.push((name.to_owned(), value.to_owned()));
        self.detector = None;
        self
    }

    /// Validates the description and configures the detector now, as the
    /// host does when it loads it.
    ///
    /// # Errors
    ///
    /// [`Error::Description`] for an invalid description, or the error of
    /// settings resolution or of [`Detector::configure`].
    pub fn configure(&mut self) -> Result<(), Error> {
        D::describe().validate()?;
        self.detector = Some(run::configure::<D>(self.settings.clone())?);
        Ok(())
    }

    /// One `detect` call: an Arrow IPC stream of events in, the detector's
    /// output stream out. State writes are kept only when it succeeds.
    ///
    /// # Errors
    ///
    /// Configuration errors, decode errors, or the detector's own error.
    pub fn detect_ipc(&mut self, events: &[u8]) -> Result<Vec<u8>, Error> {
        if self.detector.is_none() {
            self.configure()?;
        }
        let Some(detector) = self.detector.as_mut() else {
            return Err(Error::msg("the detector was not configured"));
        };
        let before = self.host.state.clone();
        let result = run::detect(detector, events.to_vec(), &mut self.host);
        if result.is_err() {
            self.host.state = before;
        }
        result
    }

    /// The IPC stream the host would send for `events`: filtered to the
    /// detector's kinds and projected to its columns.
    ///
    /// # Errors
    ///
    /// [`Error::Test`] when an event is malformed.
    pub fn events_ipc(&self, events: &[TestEvent]) -> Result<Vec<u8>, Error> {
        write_ipc(&[batch_for(&D::describe(), events)?])
    }

    /// Runs the detector over `events` and decodes its findings, with the
    /// detector's name in [`FindingRow::detector`] as the host stamps it.
    ///
    /// # Errors
    ///
    /// As [`Harness::events_ipc`] and [`Harness::detect_ipc`], and
    /// [`Error::Decode`] when the output does not have the detector-output
    /// schema.
    pub fn try_run(&mut self, events: &[TestEvent]) -> Result<Vec<FindingRow>, Error> {
        let input = self.events_ipc(events)?;
        let mut rows = decode_findings(&self.detect_ipc(&input)?)?;
        let name = D::describe().name;
        for row in &mut rows {
            row.detector = Some(name.clone());
        }
        Ok(rows)
    }

    /// As [`Harness::try_run`], for tests.
    ///
    /// # Panics
    ///
    /// When [`Harness::try_run`] fails, with its error.
    pub fn run(&mut self, events: &[TestEvent]) -> Vec<FindingRow> {
        self.try_run(events)
            .unwrap_or_else(|e| panic!("running {}: {e}", D::describe().name))
    }

    /// The committed state, by key.
    pub fn state(&self) -> &BTreeMap<String, Vec<u8>> {
        &self.host.state
    }

    /// Every message the detector logged, oldest first.
    pub fn logs(&self) -> &[(Level, String)] {
        &self.host.logs
    }
}

/// State and log in memory.
#[derive(Default)]
struct MemoryHost {
    state: BTreeMap<String, Vec<u8>>,
    logs: Vec<(Level, String)>,
}

impl HostServices for MemoryHost {
    fn state_get(&mut self, key: &str) -> Option<Vec<u8>> {
        self.state.get(key).cloned()
    }

    fn state_put(&mut self, key: &str, value: &[u8]) {
        self.state.insert(key.to_owned(), value.to_vec());
    }

    fn state_delete(&mut self, key: &str) {
        self.state.remove(key);
    }

    fn log(&mut self, level: Level, message: &str) {
        self.logs.push((level, message.to_owned()));
    }
}
