//! What a detector says about itself: the `description` record of the WIT.

use palisade_schemas::{EVENT_COLUMNS, column};

use crate::Error;

/// A detector's self-description, returned by
/// [`Detector::describe`](crate::Detector::describe).
///
/// Built with [`Description::new`] and the chained setters:
///
/// ```
/// # use palisade_sdk::Description;
/// let d = Description::new("inbox-rule", "0.1.0", "Finds inbox rules that hide mail.")
///     .kinds(["mailbox.rule_change"])
///     .columns(["action", "user", "attrs"])
///     .setting("min_severity", "35", "Findings below this severity are dropped.");
/// assert!(d.validate().is_ok());
/// ```
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// Unique lower-case kebab-case name (`inbox-rule`).
    pub name: String,
    /// Semantic version of the detection logic.
    pub version: String,
    /// One sentence: what the detector finds.
    pub summary: String,
    /// Event kinds it reads; empty means every kind.
    pub kinds: Vec<String>,
    /// Event columns it reads, beyond `event_id`, `time` and `kind`, which
    /// are always sent.
    pub columns: Vec<String>,
    /// The settings it accepts.
    pub settings: Vec<SettingSpec>,
}

/// One setting a detector accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SettingSpec {
    /// The key in the detector's configuration table.
    pub name: String,
    /// One sentence: what it changes.
    pub description: String,
    /// The value used when the configuration does not set it.
    pub default_value: String,
}

impl Description {
    /// A description with no kinds, columns or settings yet.
    pub fn new(
        name: impl Into<String>,
        version: impl Into<String>,
        summary: impl Into<String>,
    ) -> Self {
        Description {
            name: name.into(),
            version: version.into(),
            summary: summary.into(),
            kinds: Vec::new(),
            columns: Vec::new(),
            settings: Vec::new(),
        }
    }

    /// Adds event kinds the detector reads.
    pub fn kinds<S: Into<String>>(mut self, kinds: impl IntoIterator<Item = S>) -> Self {
        self.kinds.extend(kinds.into_iter().map(Into::into));
        self
    }

    /// Adds event columns the detector reads.
    pub fn columns<S: Into<String>>(mut self, columns: impl IntoIterator<Item = S>) -> Self {
        self.columns.extend(columns.into_iter().map(Into::into));
        self
    }

    /// Adds a setting with its default value and a one-sentence description.
    pub fn setting(
        mut self,
        name: impl Into<String>,
        default_value: impl Into<String>,
        description: impl Into<String>,
    ) -> Self {
        self.settings.push(SettingSpec {
            name: name.into(),
            description: description.into(),
            default_value: default_value.into(),
        });
        self
    }

    /// Checks what the host checks on load: a kebab-case name, known
    /// columns, and setting names that are unique.
    ///
    /// # Errors
    ///
    /// [`Error::Description`] naming the first problem found.
    pub fn validate(&self) -> Result<(), Error> {
        let kebab = |s: &str| {
            !s.is_empty()
                && !s.starts_with('-')
                && !s.ends_with('-')
                && s.chars()
                    .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
        };
        if !kebab(&self.name) {
            return Err(Error::Description(format!(
                "name {:?} is not lower-case kebab case",
                self.name
            )));
        }
        if let Some(bad) = self
            .columns
            .iter()
            .find(|c| column(EVENT_COLUMNS, c).is_none())
        {
            return Err(Error::Description(format!("unknown event column `{bad}`")));
        }
        for (i, spec) in self.settings.iter().enumerate() {
            if self.settings[..i].iter().any(|s| s.name == spec.name) {
                return Err(Error::Description(format!(
                    "setting `{}` is declared twice",
                    spec.name
                )));
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn validate_rejects_unknown_columns_and_bad_names() {
        let ok = Description::new("a-b1", "1.0.0", "x").columns(["user"]);
        assert!(ok.validate().is_ok());
        let column = ok.clone().columns(["usr"]).validate().unwrap_err();
        assert!(column.to_string().contains("`usr`"), "{column}");
        assert!(Description::new("A_b", "1", "x").validate().is_err());
        let twice = ok.setting("k", "1", "d").setting("k", "2", "d");
        assert!(twice.validate().is_err());
    }
}
