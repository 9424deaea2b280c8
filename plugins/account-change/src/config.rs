//! The detector's settings and their defaults.

use palisade_sdk::{Description, Error, Settings};

/// Setting: hours after a login from a new place during which a change is
/// more severe.
pub(crate) const WINDOW_HOURS: &str = "window_hours";
/// Setting: addresses and countries remembered per user.
pub(crate) const MAX_PLACES: &str = "max_places";
/// Setting: the lowest severity reported.
pub(crate) const MIN_SEVERITY: &str = "min_severity";

const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// Declares the settings on `description`.
pub(crate) fn declare(description: Description) -> Description {
    palisade_sdk::logins::declare_learning(description)
        .setting(
            WINDOW_HOURS,
            "48",
            "Hours after a login from a never-seen address or country during which an \
             account change is more severe.",
        )
        .setting(
            MAX_PLACES,
            "50",
            "Addresses and countries remembered per user (each list); the place seen \
             longest ago is forgotten first.",
        )
        .setting(
            MIN_SEVERITY,
            "0",
            "Changes scored below this severity (0-100) are not reported.",
        )
}

/// The parsed settings.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Config {
    /// The window in microseconds.
    pub window: i64,
    /// A user's first hours of logins, in microseconds, that only teach.
    pub learning: i64,
    pub max_places: usize,
    pub min_severity: u8,
}

impl Config {
    /// Parses the settings.
    ///
    /// # Errors
    ///
    /// When a value is not a number, `max_places` is 0 or `min_severity`
    /// is above 100.
    pub(crate) fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let hours = settings.get_u64(WINDOW_HOURS)?;
        let window = i64::try_from(hours)
            .ok()
            .and_then(|h| h.checked_mul(MICROS_PER_HOUR))
            .ok_or_else(|| setting_error(WINDOW_HOURS, hours, "too large"))?;
        let places = settings.get_u64(MAX_PLACES)?;
        let max_places = usize::try_from(places)
            .ok()
            .filter(|p| (1..=10_000).contains(p))
            .ok_or_else(|| setting_error(MAX_PLACES, places, "expected 1 to 10000"))?;
        let severity = settings.get_u64(MIN_SEVERITY)?;
        let min_severity = u8::try_from(severity)
            .ok()
            .filter(|s| *s <= 100)
            .ok_or_else(|| setting_error(MIN_SEVERITY, severity, "expected 0 to 100"))?;
        Ok(Config {
            window,
            learning: palisade_sdk::logins::learning_from(settings)?,
            max_places,
            min_severity,
        })
    }
}

fn setting_error(name: &str, value: u64, reason: &str) -> Error {
    Error::Setting {
        name: name.to_owned(),
        value: value.to_string(),
        reason: reason.to_owned(),
    }
}
