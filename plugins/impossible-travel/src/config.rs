//! The detector's settings, their defaults, and how they are checked.

use palisade_sdk::{Description, Error, Settings};

/// Setting: the fastest plausible travel between two logins, km/h.
pub(crate) const MAX_SPEED: &str = "max_speed_kmh";
/// Setting: the shortest distance judged at all, km.
pub(crate) const MIN_DISTANCE: &str = "min_distance_km";
/// Setting: the logins a user needs before a new country is reported.
pub(crate) const BASELINE_LOGINS: &str = "baseline_logins";

/// A little faster than an airliner's cruise: anything quicker between two
/// logins is not one person travelling.
const DEFAULT_MAX_SPEED: &str = "900";
/// City-level geolocation of an address is often off by a few hundred
/// kilometres (a mobile carrier's gateway, a national ISP's pool); jumps
/// shorter than this are not judged.
const DEFAULT_MIN_DISTANCE: &str = "500";
/// Five located logins make a first picture of where a user logs in from.
const DEFAULT_BASELINE_LOGINS: &str = "5";

/// Declares the settings on `description`.
pub(crate) fn declare(description: Description) -> Description {
    description
        .setting(
            MAX_SPEED,
            DEFAULT_MAX_SPEED,
            "Two consecutive logins of a user faster apart than this (km/h) are reported.",
        )
        .setting(
            MIN_DISTANCE,
            DEFAULT_MIN_DISTANCE,
            "Logins closer together than this (km) are never reported as travel: \
             geolocation is not precise enough below it.",
        )
        .setting(
            BASELINE_LOGINS,
            DEFAULT_BASELINE_LOGINS,
            "Located logins a user needs before a login from a country never seen for \
             them is reported.",
        )
}

/// The settings, parsed and checked.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    /// km/h, above 0.
    pub max_speed_kmh: f64,
    /// km, 0 or more.
    pub min_distance_km: f64,
    pub baseline_logins: u64,
}

impl Config {
    /// Parses the settings.
    ///
    /// # Errors
    ///
    /// When a value is not a number, the speed is not above 0 or the
    /// distance is negative.
    pub(crate) fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let max_speed_kmh = settings.get_f64(MAX_SPEED)?;
        if max_speed_kmh <= 0.0 {
            return Err(setting_error(MAX_SPEED, max_speed_kmh, "expected above 0"));
        }
        let min_distance_km = settings.get_f64(MIN_DISTANCE)?;
        if min_distance_km < 0.0 {
            return Err(setting_error(
                MIN_DISTANCE,
                min_distance_km,
                "expected 0 or more",
            ));
        }
        Ok(Config {
            max_speed_kmh,
            min_distance_km,
            baseline_logins: settings.get_u64(BASELINE_LOGINS)?,
        })
    }
}

fn setting_error(name: &str, value: f64, reason: &str) -> Error {
    Error::Setting {
        name: name.to_owned(),
        value: value.to_string(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(given: &[(&str, &str)]) -> Result<Config, Error> {
        let description = declare(Description::new("impossible-travel", "0", "t"));
        Config::from_settings(&Settings::resolve(&description, given.iter().copied())?)
    }

    #[test]
    fn defaults_parse() {
        let c = config(&[]).unwrap();
        assert_eq!(c.max_speed_kmh, 900.0);
        assert_eq!(c.min_distance_km, 500.0);
        assert_eq!(c.baseline_logins, 5);
    }

    #[test]
    fn bad_values_name_the_setting() {
        for (name, value) in [
            (MAX_SPEED, "0"),
            (MIN_DISTANCE, "-1"),
            (BASELINE_LOGINS, "x"),
        ] {
            let err = config(&[(name, value)]).unwrap_err();
            assert!(err.to_string().contains(name), "{err}");
        }
    }
}
