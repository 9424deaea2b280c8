//! The detector's settings, their defaults, and how they are checked.

use palisade_sdk::{Description, Error, Settings};

/// Setting: days of event time during which the detector only learns.
pub(crate) const LEARNING_DAYS: &str = "learning_days";
/// Setting: a domain reached by more devices is not rare.
pub(crate) const MAX_DEVICES: &str = "max_devices";
/// Setting: devices that make a wave.
pub(crate) const WAVE_DEVICES: &str = "wave_devices";
/// Setting: devices reported one by one after a wave, in all.
pub(crate) const WAVE_FOLLOWERS: &str = "wave_followers";
/// Setting: the window of a wave, hours.
pub(crate) const WAVE_HOURS: &str = "wave_window_hours";
/// Setting: the share of known devices above which a domain is common.
pub(crate) const COMMON_SHARE: &str = "common_share";
/// Setting: registered domains never reported.
pub(crate) const ALLOW: &str = "allow";
/// Setting: the lowest severity reported.
pub(crate) const MIN_SEVERITY: &str = "min_severity";

/// Declares the settings on `description`.
pub(crate) fn declare(description: Description) -> Description {
    description
        .setting(
            LEARNING_DAYS,
            "7",
            "Days of event time, from the first event ever seen, during which the detector \
             only learns; fractions allowed.",
        )
        .setting(
            MAX_DEVICES,
            "3",
            "A domain reached by more devices than this is not rare.",
        )
        .setting(
            WAVE_DEVICES,
            "3",
            "Devices reaching the same rare domain within the wave window make a wave.",
        )
        .setting(
            WAVE_FOLLOWERS,
            "50",
            "After a wave, each further device reaching the domain within the wave window \
             is reported too, while the domain has at most this many devices: every victim \
             of a phishing wave is named.",
        )
        .setting(WAVE_HOURS, "24", "The window of a wave, in hours.")
        .setting(
            COMMON_SHARE,
            "0.1",
            "A domain reached by more than this share (0-1) of the organisation's known \
             devices is common.",
        )
        .setting(
            ALLOW,
            "",
            "Comma-separated registered domains (and their subdomains) never reported.",
        )
        .setting(
            MIN_SEVERITY,
            "50",
            "Findings scored below this severity (0-100) are not reported; 0 reports every \
             new rare domain.",
        )
}

/// The settings, parsed; times in microseconds.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    pub learning: i64,
    pub max_devices: usize,
    pub wave_devices: usize,
    pub wave_followers: usize,
    pub wave_window: i64,
    pub common_share: f64,
    pub allow: Vec<String>,
    pub min_severity: u8,
}

const DAY: f64 = 86_400_000_000.0;

impl Config {
    /// Parses the settings.
    ///
    /// # Errors
    ///
    /// When a number is not a number or is out of range.
    pub(crate) fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let days = settings.get_f64(LEARNING_DAYS)?;
        check(LEARNING_DAYS, days, (0.0..=36_500.0).contains(&days))?;
        let hours = settings.get_f64(WAVE_HOURS)?;
        check(WAVE_HOURS, hours, (0.0..=876_000.0).contains(&hours))?;
        let share = settings.get_f64(COMMON_SHARE)?;
        check(COMMON_SHARE, share, (0.0..=1.0).contains(&share))?;
        let min_severity = settings.get_u64(MIN_SEVERITY)?;
        check(MIN_SEVERITY, min_severity as f64, min_severity <= 100)?;
        let count = |name: &str| -> Result<usize, Error> {
            let n = settings.get_u64(name)?;
            check(name, n as f64, (1..=1000).contains(&n))?;
            usize::try_from(n).map_err(|e| Error::msg(e.to_string()))
        };
        Ok(Config {
            // Range-checked above, so the casts cannot overflow.
            learning: (days * DAY) as i64,
            max_devices: count(MAX_DEVICES)?,
            wave_devices: count(WAVE_DEVICES)?,
            wave_followers: count(WAVE_FOLLOWERS)?,
            wave_window: (hours * DAY / 24.0) as i64,
            common_share: share,
            allow: settings
                .get_list(ALLOW)?
                .into_iter()
                .map(|d| d.trim_matches('.').to_ascii_lowercase())
                .filter(|d| !d.is_empty())
                .collect(),
            min_severity: u8::try_from(min_severity).unwrap_or(100),
        })
    }

    /// Whether `domain` is, or is under, an allowed domain.
    pub(crate) fn allowed(&self, domain: &str) -> bool {
        self.allow.iter().any(|a| {
            domain == a
                || domain
                    .strip_suffix(a.as_str())
                    .is_some_and(|rest| rest.ends_with('.'))
        })
    }

    /// Devices the domain record must remember.
    pub(crate) fn tracked_devices(&self) -> usize {
        self.max_devices.max(self.wave_devices)
    }

    /// Devices tracked one by one while a wave is open.
    pub(crate) fn tracked_in_wave(&self) -> usize {
        self.tracked_devices().max(self.wave_followers)
    }
}

fn check(name: &str, value: f64, ok: bool) -> Result<(), Error> {
    if ok && value.is_finite() {
        Ok(())
    } else {
        Err(Error::Setting {
            name: name.to_owned(),
            value: value.to_string(),
            reason: "out of range".to_owned(),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(given: &[(&str, &str)]) -> Result<Config, Error> {
        let description = declare(Description::new("rare-domain", "0", "t"));
        Config::from_settings(&Settings::resolve(&description, given.iter().copied())?)
    }

    #[test]
    fn defaults_parse() {
        let c = config(&[]).unwrap();
        assert_eq!(c.learning, 7 * 86_400_000_000);
        assert_eq!((c.max_devices, c.wave_devices), (3, 3));
        assert_eq!(c.wave_window, 86_400_000_000);
        assert_eq!(c.common_share, 0.1);
        assert!(c.allow.is_empty());
        assert_eq!(c.min_severity, 50);
    }

    #[test]
    fn allow_list_covers_subdomains_and_bad_values_name_the_setting() {
        let c = config(&[(ALLOW, "Contoso.com, .example.org")]).unwrap();
        assert!(c.allowed("contoso.com"));
        assert!(c.allowed("mail.example.org"));
        assert!(!c.allowed("notcontoso.com"));
        let err = config(&[(COMMON_SHARE, "2")]).unwrap_err();
        assert!(err.to_string().contains(COMMON_SHARE), "{err}");
        assert!(config(&[(LEARNING_DAYS, "0.0037")]).is_ok());
    }
}
