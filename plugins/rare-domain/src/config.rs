//! The detector's settings, their defaults, and how they are checked.

use palisade_sdk::{Description, Error, Settings};

use crate::name::registered_domain;

/// Setting: how long the detector only learns, in days of event time.
pub(crate) const LEARNING_DAYS: &str = "learning_days";
/// Setting: the most devices a domain may have reached and still be rare.
pub(crate) const MAX_DEVICES: &str = "max_devices";
/// Setting: how many devices reaching one rare domain make a wave.
pub(crate) const WAVE_DEVICES: &str = "wave_devices";
/// Setting: the time those devices must fall within.
pub(crate) const WAVE_WINDOW_HOURS: &str = "wave_window_hours";
/// Setting: registered domains never reported.
pub(crate) const ALLOW_DOMAINS: &str = "allow_domains";
/// Setting: the share of known devices above which a domain is common.
pub(crate) const POPULAR_PERCENT: &str = "popular_percent";

const MICROS_PER_HOUR: i64 = 3_600_000_000;

/// Declares the settings on `description`.
pub(crate) fn declare(description: Description) -> Description {
    description
        .setting(
            LEARNING_DAYS,
            "7",
            "Days of event time, from the first event the detector sees, during which \
             it only learns the domains the organisation reaches.",
        )
        .setting(
            MAX_DEVICES,
            "3",
            "A domain new to the organisation is reported for each device that reaches \
             it while at most this many devices have.",
        )
        .setting(
            WAVE_DEVICES,
            "3",
            "This many devices reaching one rare domain within the wave window are \
             reported together as a wave.",
        )
        .setting(WAVE_WINDOW_HOURS, "24", "The window, in hours, of a wave.")
        .setting(
            ALLOW_DOMAINS,
            "",
            "Comma-separated registered domains never reported (subdomains included).",
        )
        .setting(
            POPULAR_PERCENT,
            "10",
            "A domain reached by more than this percentage of the devices the detector \
             knows is common and never reported.",
        )
}

/// The settings, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    /// Microseconds.
    pub learning: i64,
    pub max_devices: usize,
    pub wave_devices: usize,
    /// Microseconds.
    pub wave_window: i64,
    /// Registered domains, lower case.
    pub allow: Vec<String>,
    /// 0 to 1.
    pub popular_share: f64,
}

impl Config {
    /// Parses the settings.
    ///
    /// # Errors
    ///
    /// When a number does not parse or is out of range (`max_devices` at
    /// least 1, `wave_devices` at least 2, a window above 0, a percentage
    /// from 0 to 100), or an allowed entry is not an internet domain.
    pub(crate) fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let learning_days = settings.get_u64(LEARNING_DAYS)?;
        let max_devices = settings.get_u64(MAX_DEVICES)?;
        let wave_devices = settings.get_u64(WAVE_DEVICES)?;
        let window_hours = settings.get_u64(WAVE_WINDOW_HOURS)?;
        let percent = settings.get_f64(POPULAR_PERCENT)?;
        let check = |ok: bool, name: &str, value: String, reason: &str| {
            if ok {
                Ok(())
            } else {
                Err(setting_error(name, &value, reason))
            }
        };
        check(
            learning_days <= 3650,
            LEARNING_DAYS,
            learning_days.to_string(),
            "expected at most 3650 days",
        )?;
        check(
            (1..=100).contains(&max_devices),
            MAX_DEVICES,
            max_devices.to_string(),
            "expected 1 to 100",
        )?;
        check(
            (2..=100).contains(&wave_devices),
            WAVE_DEVICES,
            wave_devices.to_string(),
            "expected 2 to 100",
        )?;
        check(
            (1..=24 * 365).contains(&window_hours),
            WAVE_WINDOW_HOURS,
            window_hours.to_string(),
            "expected 1 to 8760 hours",
        )?;
        check(
            (0.0..=100.0).contains(&percent),
            POPULAR_PERCENT,
            percent.to_string(),
            "expected 0 to 100",
        )?;
        Ok(Config {
            // Bounded above, so the casts and products cannot overflow.
            learning: learning_days as i64 * 24 * MICROS_PER_HOUR,
            max_devices: max_devices as usize,
            wave_devices: wave_devices as usize,
            wave_window: window_hours as i64 * MICROS_PER_HOUR,
            allow: allowed(settings)?,
            popular_share: percent / 100.0,
        })
    }

    /// Whether `domain` (a registered domain) is allowed.
    pub(crate) fn allows(&self, domain: &str) -> bool {
        self.allow.iter().any(|a| a == domain)
    }

    /// The most devices kept per domain: enough to tell the rare from the
    /// crowded and to see a wave come after a few earlier visits. A domain
    /// reached by more devices than this is no longer rare.
    pub(crate) fn device_cap(&self) -> usize {
        self.max_devices + self.wave_devices
    }

    /// Whether `devices` out of `known` devices make a domain common.
    pub(crate) fn is_common(&self, devices: usize, known: u64) -> bool {
        devices as f64 > self.popular_share * known as f64
    }
}

/// The allowed entries, each reduced to its registered domain.
fn allowed(settings: &Settings) -> Result<Vec<String>, Error> {
    settings
        .get_list(ALLOW_DOMAINS)?
        .iter()
        .map(|entry| {
            registered_domain(entry.trim_start_matches(['*', '.']))
                .map(|d| d.into_owned())
                .ok_or_else(|| setting_error(ALLOW_DOMAINS, entry, "not an internet domain"))
        })
        .collect()
}

fn setting_error(name: &str, value: &str, reason: &str) -> Error {
    Error::Setting {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
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
        assert_eq!(c.learning, 7 * 24 * MICROS_PER_HOUR);
        assert_eq!((c.max_devices, c.wave_devices), (3, 3));
        assert_eq!(c.wave_window, 24 * MICROS_PER_HOUR);
        assert!(c.allow.is_empty());
        assert_eq!(c.popular_share, 0.1);
        assert_eq!(c.device_cap(), 6);
    }

    #[test]
    fn allowed_entries_are_registered_domains() {
        let c = config(&[(ALLOW_DOMAINS, "*.Zoom.us, login.microsoftonline.com")]).unwrap();
        assert_eq!(c.allow, ["zoom.us", "microsoftonline.com"]);
        assert!(c.allows("zoom.us") && !c.allows("zoom.com"));
        let err = config(&[(ALLOW_DOMAINS, "intranet")]).unwrap_err();
        assert!(err.to_string().contains(ALLOW_DOMAINS), "{err}");
    }

    #[test]
    fn out_of_range_values_name_the_setting() {
        for (name, value) in [
            (MAX_DEVICES, "0"),
            (WAVE_DEVICES, "1"),
            (WAVE_WINDOW_HOURS, "0"),
            (POPULAR_PERCENT, "101"),
            (LEARNING_DAYS, "-1"),
        ] {
            let err = config(&[(name, value)]).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }

    #[test]
    fn popularity_is_a_share_of_known_devices() {
        let c = config(&[]).unwrap();
        assert!(!c.is_common(1, 10));
        assert!(c.is_common(2, 10));
        assert!(!c.is_common(3, 30));
        assert!(c.is_common(1, 4));
    }
}
