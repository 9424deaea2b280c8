//! What can go wrong loading a detector or calling it.

use std::path::PathBuf;
use std::time::Duration;

/// A detector could not be loaded: the old version, if any, keeps running.
#[derive(Debug, thiserror::Error)]
pub enum LoadError {
    /// The component file could not be read.
    #[error("reading component `{path}`: {source}")]
    Read {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The bytes are not a valid component for this host.
    #[error("compiling component `{origin}`: {message}")]
    Compile {
        /// Where the component came from.
        origin: String,
        /// The compiler's message.
        message: String,
    },
    /// The component does not implement the `detector` world, or could not
    /// start.
    #[error("instantiating `{origin}`: {message}")]
    Instantiate {
        /// Where the component came from.
        origin: String,
        /// Wasmtime's message, naming the missing import or export.
        message: String,
    },
    /// `describe` failed or described something the host cannot serve.
    #[error("describing `{origin}`: {message}")]
    Describe {
        /// Where the component came from.
        origin: String,
        /// What was wrong.
        message: String,
    },
    /// `configure` rejected the settings.
    #[error("configuring detector `{name}`: {message}")]
    Configure {
        /// The detector's name.
        name: String,
        /// The detector's message.
        message: String,
    },
    /// The settings name a key the detector does not accept.
    #[error("configuring detector `{name}`: unknown setting `{setting}` (it accepts: {accepted})")]
    UnknownSetting {
        /// The detector's name.
        name: String,
        /// The unknown key.
        setting: String,
        /// The keys it accepts, comma-separated.
        accepted: String,
    },
    /// Two components in one plugins folder describe the same name.
    #[error("detector `{name}` is defined twice: by `{first}` and by `{second}`")]
    Duplicate {
        /// The detector's name.
        name: String,
        /// The first component.
        first: String,
        /// The second component.
        second: String,
    },
    /// The compiled-artifact cache could not be used.
    #[error("compiled-artifact cache `{path}`: {source}")]
    Cache {
        /// The cache entry or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// One call of one detector failed. Only that detector's batch is affected:
/// its buffered state writes are discarded and the pipeline goes on.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum DetectorFailure {
    /// The guest trapped (a panic, `unreachable`, an out-of-bounds access).
    #[error("trapped: {0}")]
    Trap(String),
    /// The call ran past its time budget and was interrupted.
    #[error("exceeded its time budget of {0:?}")]
    Timeout(Duration),
    /// The guest tried to grow its memory past the cap.
    #[error("hit its memory cap of {cap} bytes (asked for {asked})")]
    MemoryLimit {
        /// The cap.
        cap: usize,
        /// What the guest asked to grow to.
        asked: usize,
    },
    /// The output was larger than allowed.
    #[error("returned {size} bytes of findings, over the limit of {limit}")]
    OutputTooLarge {
        /// Bytes returned.
        size: usize,
        /// The limit.
        limit: usize,
    },
    /// The output is not a findings stream of the detector-output schema.
    #[error("returned malformed findings: {0}")]
    BadOutput(String),
    /// The detector returned an error of its own.
    #[error("reported an error: {0}")]
    Reported(String),
    /// A fresh instance could not be started to serve the call.
    #[error("could not be restarted: {0}")]
    Restart(String),
}

impl DetectorFailure {
    /// A short, stable name of the failure's kind: the `outcome` of the
    /// `detector_runs` table and the `cause` label of the metrics. Output
    /// that is too large counts as bad output; the message tells which.
    pub fn cause(&self) -> &'static str {
        match self {
            DetectorFailure::Trap(_) => "trap",
            DetectorFailure::Timeout(_) => "timeout",
            DetectorFailure::MemoryLimit { .. } => "memory",
            DetectorFailure::OutputTooLarge { .. } | DetectorFailure::BadOutput(_) => "bad_output",
            DetectorFailure::Reported(_) => "detector_error",
            DetectorFailure::Restart(_) => "restart",
        }
    }
}
