//! A detector's settings, with defaults filled in and typed getters.

use std::collections::BTreeMap;

use crate::{Description, Error, SettingSpec};

/// The settings a detector is configured with: every setting declared in
/// its [`Description`], from the configuration or else its default.
///
/// Getters parse the text value and name the setting and the value in their
/// errors, so a configure function can simply use `?`.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Settings {
    values: BTreeMap<String, String>,
}

impl Settings {
    /// The settings of a detector described by `description`, with `given`
    /// (name, value) pairs overriding the declared defaults.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownSetting`] when a name is not declared: a typo in the
    /// configuration should not silently fall back to a default.
    pub fn resolve<K, V>(
        description: &Description,
        given: impl IntoIterator<Item = (K, V)>,
    ) -> Result<Self, Error>
    where
        K: Into<String>,
        V: Into<String>,
    {
        let specs = &description.settings;
        let mut values: BTreeMap<String, String> = specs
            .iter()
            .map(|s| (s.name.clone(), s.default_value.clone()))
            .collect();
        for (name, value) in given {
            let name = name.into();
            if !values.contains_key(&name) {
                return Err(Error::UnknownSetting {
                    name,
                    known: known_names(specs),
                });
            }
            values.insert(name, value.into());
        }
        Ok(Settings { values })
    }

    /// The raw text of a setting.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownSetting`] when the detector did not declare `name`.
    pub fn get_str(&self, name: &str) -> Result<&str, Error> {
        self.values
            .get(name)
            .map(String::as_str)
            .ok_or_else(|| Error::UnknownSetting {
                name: name.to_owned(),
                known: self.values.keys().cloned().collect::<Vec<_>>().join(", "),
            })
    }

    /// A setting as an unsigned integer.
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] when the value is not a whole number.
    pub fn get_u64(&self, name: &str) -> Result<u64, Error> {
        let raw = self.get_str(name)?;
        raw.trim()
            .parse()
            .map_err(|_| bad_value(name, raw, "expected a whole number"))
    }

    /// A setting as a whole number from `min` to `max`, both included.
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] when the value is not a whole number or is out
    /// of the range.
    pub fn get_u32_in(&self, name: &str, min: u32, max: u32) -> Result<u32, Error> {
        let value = self.get_u64(name)?;
        u32::try_from(value)
            .ok()
            .filter(|v| (min..=max).contains(v))
            .ok_or_else(|| {
                bad_value(
                    name,
                    &value.to_string(),
                    &format!("expected {min} to {max}"),
                )
            })
    }

    /// A setting as a floating-point number.
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] when the value is not a finite number.
    pub fn get_f64(&self, name: &str) -> Result<f64, Error> {
        let raw = self.get_str(name)?;
        match raw.trim().parse::<f64>() {
            Ok(v) if v.is_finite() => Ok(v),
            _ => Err(bad_value(name, raw, "expected a number")),
        }
    }

    /// A setting as a boolean: `true`/`false`, `yes`/`no`, `on`/`off` or
    /// `1`/`0`, in any case.
    ///
    /// # Errors
    ///
    /// [`Error::Setting`] for any other value.
    pub fn get_bool(&self, name: &str) -> Result<bool, Error> {
        let raw = self.get_str(name)?;
        match raw.trim().to_ascii_lowercase().as_str() {
            "true" | "yes" | "on" | "1" => Ok(true),
            "false" | "no" | "off" | "0" => Ok(false),
            _ => Err(bad_value(name, raw, "expected true or false")),
        }
    }

    /// A comma-separated setting as a list: items trimmed, empty items
    /// dropped, so `""` is the empty list.
    ///
    /// # Errors
    ///
    /// [`Error::UnknownSetting`] when the detector did not declare `name`.
    pub fn get_list(&self, name: &str) -> Result<Vec<String>, Error> {
        Ok(self
            .get_str(name)?
            .split(',')
            .map(str::trim)
            .filter(|item| !item.is_empty())
            .map(str::to_owned)
            .collect())
    }

    /// Every setting as (name, value), sorted by name.
    pub fn iter(&self) -> impl Iterator<Item = (&str, &str)> {
        self.values.iter().map(|(k, v)| (k.as_str(), v.as_str()))
    }
}

fn known_names(specs: &[SettingSpec]) -> String {
    if specs.is_empty() {
        return "(no settings)".to_owned();
    }
    specs
        .iter()
        .map(|s| s.name.as_str())
        .collect::<Vec<_>>()
        .join(", ")
}

fn bad_value(name: &str, value: &str, reason: &str) -> Error {
    Error::Setting {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn described() -> Description {
        Description::new("t", "1", "t")
            .setting("limit", "10", "a number")
            .setting("names", "a, b,,c ", "a list")
            .setting("on", "yes", "a flag")
    }

    #[test]
    fn defaults_fill_absent_settings_and_given_values_win() {
        let s = Settings::resolve(&described(), [("limit", "7")]).unwrap();
        assert_eq!(s.get_u64("limit").unwrap(), 7);
        assert_eq!(s.get_list("names").unwrap(), ["a", "b", "c"]);
        assert!(s.get_bool("on").unwrap());
    }

    #[test]
    fn errors_name_the_setting_and_the_value() {
        let s = Settings::resolve(&described(), [("limit", "ten")]).unwrap();
        let err = s.get_u64("limit").unwrap_err().to_string();
        assert!(err.contains("`limit`") && err.contains("\"ten\""), "{err}");
        let unknown = Settings::resolve(&described(), [("limt", "1")]).unwrap_err();
        assert!(unknown.to_string().contains("limt"), "{unknown}");
        assert!(s.get_bool("missing").is_err());
    }

    #[test]
    fn empty_list_setting_is_empty() {
        let s = Settings::resolve(&described(), [("names", " ")]).unwrap();
        assert!(s.get_list("names").unwrap().is_empty());
    }
}
