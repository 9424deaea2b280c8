//! The configuration file, `palisade.toml`.
//!
//! ```toml
//! data_dir = "history"            # where Parquet history goes (or --data-dir)
//! inputs = ["logs/"]              # files and folders to follow
//! plugins = "plugins/"            # extra detector components (optional)
//! rules = "rules/"                # extra correlation rules, .sql (optional)
//! geoip = "GeoLite2-City.mmdb"    # locations for addresses (optional)
//! assets = "assets.csv"           # devices and their owners (optional)
//! batch_records = 8192            # records per batch (optional)
//! quarantine_after = 3            # failures in a row before quarantine
//!
//! [limits]                        # per detector instance (optional)
//! memory_bytes = 268435456
//! call_timeout_ms = 5000
//! max_output_bytes = 16777216
//!
//! [detectors.inbox-rule]          # settings of one detector
//! internal_domains = "contoso.com"
//!
//! [detectors.insider-download]
//! departed_users = { file = "departed.csv" }   # a setting read from a file
//! ```
//!
//! Relative paths are relative to the folder of the configuration file.
//! Detectors cannot open files, so a setting given as `{ file = "..." }` is
//! read by the host when the configuration is loaded, and the detector
//! gets the file's text (a departed-users CSV, an allow list).
//! While following, the plugins folder is watched: new and changed
//! components are swapped in, removed ones unloaded (see
//! [`crate::pipeline::PluginWatcher`]).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use anyhow::Context;
use serde::Deserialize;

use crate::pipeline::{DEFAULT_BATCH_RECORDS, DEFAULT_QUARANTINE_AFTER, PipelineOptions};
use crate::runtime::Limits;

/// The contents of `palisade.toml`.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Config {
    /// Where history is written; `palisade run --data-dir` gives it when
    /// the file does not.
    #[serde(default)]
    pub data_dir: Option<PathBuf>,
    /// Files and folders to read.
    #[serde(default)]
    pub inputs: Vec<PathBuf>,
    /// A folder of extra detector components.
    pub plugins: Option<PathBuf>,
    /// A folder of extra correlation rules.
    pub rules: Option<PathBuf>,
    /// A MaxMind-format database locating client addresses.
    pub geoip: Option<PathBuf>,
    /// A CSV of devices, their addresses and owners.
    pub assets: Option<PathBuf>,
    /// Records per batch.
    #[serde(default = "default_batch_records")]
    pub batch_records: usize,
    /// Failures in a row before a detector is quarantined (default 3): it
    /// gets no more batches until a new version of it is loaded.
    #[serde(default = "default_quarantine_after")]
    pub quarantine_after: u32,
    /// Limits of every detector instance.
    #[serde(default)]
    pub limits: Limits,
    /// Settings per detector name; values may be strings, numbers or
    /// booleans and reach the detector as text.
    #[serde(default)]
    pub detectors: BTreeMap<String, BTreeMap<String, toml::Value>>,
}

fn default_batch_records() -> usize {
    DEFAULT_BATCH_RECORDS
}

fn default_quarantine_after() -> u32 {
    DEFAULT_QUARANTINE_AFTER
}

impl Config {
    /// Reads and checks a configuration file, resolving its relative paths.
    ///
    /// # Errors
    ///
    /// When the file cannot be read or is not a valid configuration; the
    /// message names the file and the key.
    pub fn load(path: &Path) -> anyhow::Result<Self> {
        let text = std::fs::read_to_string(path)
            .with_context(|| format!("reading configuration `{}`", path.display()))?;
        let mut config: Config = toml::from_str(&text)
            .with_context(|| format!("parsing configuration `{}`", path.display()))?;
        let base = path.parent().unwrap_or(Path::new("."));
        config.data_dir = config.data_dir.map(|p| base.join(p));
        config.inputs = config.inputs.iter().map(|p| base.join(p)).collect();
        config.plugins = config.plugins.map(|p| base.join(p));
        config.rules = config.rules.map(|p| base.join(p));
        config.geoip = config.geoip.map(|p| base.join(p));
        config.assets = config.assets.map(|p| base.join(p));
        for (detector, settings) in &mut config.detectors {
            for (name, value) in settings.iter_mut() {
                read_setting_file(base, value).with_context(|| {
                    format!(
                        "reading setting `{name}` of detector `{detector}` in `{}`",
                        path.display()
                    )
                })?;
            }
        }
        Ok(config)
    }

    /// The pipeline options this configuration describes, writing history
    /// to `data_dir` when given, else to the configuration's.
    ///
    /// # Errors
    ///
    /// When neither names a data folder.
    pub fn pipeline_options(&self, data_dir: Option<&Path>) -> anyhow::Result<PipelineOptions> {
        let Some(data_dir) = data_dir.or(self.data_dir.as_deref()) else {
            anyhow::bail!("the configuration names no data_dir: add one, or give --data-dir DIR");
        };
        let mut options = PipelineOptions::new(data_dir);
        options.plugins_dir = self.plugins.clone();
        options.rules_dir = self.rules.clone();
        options.geoip = self.geoip.clone();
        options.assets = self.assets.clone();
        options.batch_records = self.batch_records;
        options.quarantine_after = self.quarantine_after;
        options.limits = self.limits;
        options.detector_settings = self
            .detectors
            .iter()
            .map(|(name, table)| {
                let values = table
                    .iter()
                    .map(|(key, value)| (key.clone(), setting_text(value)))
                    .collect();
                (name.clone(), values)
            })
            .collect();
        Ok(options)
    }
}

/// Replaces a `{ file = "path" }` setting with the text of that file
/// (relative to `base`); other values are left as they are.
fn read_setting_file(base: &Path, value: &mut toml::Value) -> anyhow::Result<()> {
    let toml::Value::Table(table) = value else {
        return Ok(());
    };
    let file = match (table.get("file"), table.len()) {
        (Some(toml::Value::String(file)), 1) => base.join(file),
        _ => anyhow::bail!("a table setting must be `{{ file = \"path\" }}`"),
    };
    let text =
        std::fs::read_to_string(&file).with_context(|| format!("reading `{}`", file.display()))?;
    *value = toml::Value::String(text);
    Ok(())
}

fn setting_text(value: &toml::Value) -> String {
    match value {
        toml::Value::String(s) => s.clone(),
        toml::Value::Array(items) => items.iter().map(setting_text).collect::<Vec<_>>().join(","),
        other => other.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn paths_are_relative_to_the_file_and_settings_become_text() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("palisade.toml");
        std::fs::write(
            &path,
            r#"
data_dir = "history"
inputs = ["logs"]
[limits]
call_timeout_ms = 100
[detectors.inbox-rule]
internal_domains = ["contoso.com", "fabrikam.com"]
min_severity = 40
"#,
        )
        .unwrap();
        let config = Config::load(&path).unwrap();
        assert_eq!(config.data_dir, Some(dir.path().join("history")));
        let options = config.pipeline_options(None).unwrap();
        assert_eq!(options.limits.call_timeout_ms, 100);
        assert_eq!(options.limits.memory_bytes, Limits::default().memory_bytes);
        let inbox = &options.detector_settings["inbox-rule"];
        assert_eq!(inbox["internal_domains"], "contoso.com,fabrikam.com");
        assert_eq!(inbox["min_severity"], "40");
    }

    #[test]
    fn an_unknown_key_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("palisade.toml");
        std::fs::write(&path, "data_dir = \"d\"\ninptus = []\n").unwrap();
        let err = format!("{:#}", Config::load(&path).unwrap_err());
        assert!(err.contains("inptus"), "{err}");
    }

    #[test]
    fn the_data_folder_comes_from_the_command_line_or_the_file() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("palisade.toml");
        std::fs::write(&path, "inputs = [\"logs\"]\n").unwrap();
        let config = Config::load(&path).unwrap();
        let given = Path::new("/elsewhere/history");
        let options = config.pipeline_options(Some(given)).unwrap();
        assert_eq!(options.data_dir, given);
        let missing = config.pipeline_options(None).unwrap_err().to_string();
        assert!(missing.contains("names no data_dir"), "{missing}");
    }

    #[test]
    fn a_setting_can_be_read_from_a_file() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("departed.csv"), "user\nbob@corp.example\n").unwrap();
        let path = dir.path().join("palisade.toml");
        std::fs::write(
            &path,
            "data_dir = \"h\"\n[detectors.insider-download]\n\
             departed_users = { file = \"departed.csv\" }\n",
        )
        .unwrap();
        let options = Config::load(&path).unwrap().pipeline_options(None).unwrap();
        assert_eq!(
            options.detector_settings["insider-download"]["departed_users"],
            "user\nbob@corp.example\n"
        );

        std::fs::write(
            &path,
            "data_dir = \"h\"\n[detectors.insider-download]\n\
             departed_users = { file = \"gone.csv\" }\n",
        )
        .unwrap();
        let err = format!("{:#}", Config::load(&path).unwrap_err());
        assert!(
            err.contains("setting `departed_users` of detector `insider-download`")
                && err.contains("gone.csv"),
            "{err}"
        );
    }
}
