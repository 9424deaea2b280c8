//! The error type of detectors and of the SDK.

/// Why a configuration, a batch or a test run failed.
///
/// A detector makes its own errors from text with [`Error::msg`] or `?` on a
/// `String`/`&str`; the host receives its `Display` text.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[non_exhaustive]
pub enum Error {
    /// A setting's value could not be used.
    #[error("setting `{name}` = {value:?}: {reason}")]
    Setting {
        /// The setting's name.
        name: String,
        /// The value that was given.
        value: String,
        /// What is wrong with it.
        reason: String,
    },
    /// The configuration names a setting the detector does not declare.
    #[error("unknown setting `{name}`; this detector accepts: {known}")]
    UnknownSetting {
        /// The name that was given.
        name: String,
        /// The declared names, comma-separated.
        known: String,
    },
    /// The detector's [`Description`](crate::Description) is not valid.
    #[error("describing the detector: {0}")]
    Description(String),
    /// The event batch could not be decoded.
    #[error("decoding the event batch: {0}")]
    Decode(String),
    /// The findings could not be encoded.
    #[error("encoding findings: {0}")]
    Encode(String),
    /// A stored state value could not be read or written as JSON.
    #[error("state key `{key}`: {reason}")]
    State {
        /// The state key.
        key: String,
        /// What went wrong.
        reason: String,
    },
    /// Test events or a case file could not be used (native harness only).
    #[error("{0}")]
    Test(String),
    /// An error the detector reports in its own words.
    #[error("{0}")]
    Detector(String),
}

impl Error {
    /// An error in the detector's own words.
    pub fn msg(message: impl Into<String>) -> Self {
        Error::Detector(message.into())
    }
}

impl From<String> for Error {
    fn from(message: String) -> Self {
        Error::Detector(message)
    }
}

impl From<&str> for Error {
    fn from(message: &str) -> Self {
        Error::Detector(message.to_owned())
    }
}
