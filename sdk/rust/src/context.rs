//! What a detector can reach during `detect`: the host's key-value state,
//! the host's log, and the time span of the batch.
//!
//! Both state and log go through [`HostServices`]: in Wasm it calls the
//! `state` and `log` imports; in the native harness it is an in-memory map
//! and a list of messages. State writes made during a failed batch are
//! discarded by the host, so a detector may write as it goes.

use serde::Serialize;
use serde::de::DeserializeOwned;

use crate::Error;

/// How much a log message matters.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Level {
    /// Step-by-step detail.
    Trace,
    /// One line per decision.
    Debug,
    /// Lifecycle.
    Info,
    /// Something recoverable went wrong.
    Warn,
    /// Something an operator must look at.
    Error,
}

/// The earliest and latest event time in a batch, in microseconds since the
/// Unix epoch. The host's clock for a detector is event time, so `end` is
/// the detector's "now".
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct TimeRange {
    /// The earliest event time.
    pub start: i64,
    /// The latest event time.
    pub end: i64,
}

/// The host side of a detector: state and log.
pub(crate) trait HostServices {
    fn state_get(&mut self, key: &str) -> Option<Vec<u8>>;
    fn state_put(&mut self, key: &str, value: &[u8]);
    fn state_delete(&mut self, key: &str);
    fn log(&mut self, level: Level, message: &str);
}

/// State, log and time for one `detect` call.
pub struct Context<'a> {
    host: &'a mut dyn HostServices,
    time_range: Option<TimeRange>,
}

impl<'a> Context<'a> {
    pub(crate) fn new(host: &'a mut dyn HostServices, time_range: Option<TimeRange>) -> Self {
        Context { host, time_range }
    }

    /// The earliest and latest event time of the batch; `None` when the
    /// batch is empty.
    pub fn time_range(&self) -> Option<TimeRange> {
        self.time_range
    }

    /// The bytes stored under `key`, if any.
    pub fn get(&mut self, key: &str) -> Option<Vec<u8>> {
        self.host.state_get(key)
    }

    /// Stores `value` under `key`, replacing any previous value.
    pub fn put(&mut self, key: &str, value: &[u8]) {
        self.host.state_put(key, value);
    }

    /// Removes `key`; removing a missing key is not an error.
    pub fn delete(&mut self, key: &str) {
        self.host.state_delete(key);
    }

    /// The JSON value stored under `key`, if any.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when the stored bytes are not JSON of type `T`, for
    /// example after a detector changed its state layout.
    pub fn get_json<T: DeserializeOwned>(&mut self, key: &str) -> Result<Option<T>, Error> {
        let Some(bytes) = self.get(key) else {
            return Ok(None);
        };
        serde_json::from_slice(&bytes)
            .map(Some)
            .map_err(|e| Error::State {
                key: key.to_owned(),
                reason: format!("reading JSON: {e}"),
            })
    }

    /// Stores `value` as JSON under `key`.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when `value` cannot be serialized, such as a map
    /// with non-text keys.
    pub fn put_json<T: Serialize + ?Sized>(&mut self, key: &str, value: &T) -> Result<(), Error> {
        let bytes = serde_json::to_vec(value).map_err(|e| Error::State {
            key: key.to_owned(),
            reason: format!("writing JSON: {e}"),
        })?;
        self.put(key, &bytes);
        Ok(())
    }

    /// Writes a message to the host's log; the host tags it with the
    /// detector's name and may rate-limit it. Log decisions, not events.
    pub fn log(&mut self, level: Level, message: &str) {
        self.host.log(level, message);
    }

    /// Logs at [`Level::Debug`].
    pub fn debug(&mut self, message: &str) {
        self.log(Level::Debug, message);
    }

    /// Logs at [`Level::Info`].
    pub fn info(&mut self, message: &str) {
        self.log(Level::Info, message);
    }

    /// Logs at [`Level::Warn`].
    pub fn warn(&mut self, message: &str) {
        self.log(Level::Warn, message);
    }
}
