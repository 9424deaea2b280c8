//! The detectors of a run: loading them, sending them batches, swapping in
//! new versions, and quarantining the ones that keep failing.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Instant;

use arrow::record_batch::RecordBatch;

use super::reload::PluginChange;
use super::runs::DetectorRun;
use crate::runtime::{
    CallReport, Detector, DetectorEngine, DetectorFailure, DetectorSettings, DetectorSource,
    LoadError, StateStore, bundled_detectors,
};

/// One call that failed.
#[derive(Debug, Clone)]
pub struct FailedCall {
    /// The detector's name.
    pub detector: String,
    /// Its version.
    pub version: String,
    /// What went wrong.
    pub failure: DetectorFailure,
    /// The number of the batch (from 1) in this run.
    pub batch: u64,
}

/// What one batch gave: findings per detector, every call's record, and
/// failures.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    /// Stamped findings, by detector name.
    pub findings: Vec<(String, RecordBatch)>,
    /// One record per call made.
    pub runs: Vec<DetectorRun>,
    /// Calls that failed.
    pub failures: Vec<FailedCall>,
    /// Detectors quarantined by this batch.
    pub quarantined: Vec<String>,
}

/// What applying a [`PluginChange`] did.
#[derive(Debug)]
pub enum Applied {
    /// A detector started serving: new, or a new version of one.
    Loaded {
        /// Its name.
        name: String,
        /// Its version.
        version: String,
        /// Whether it replaced a quarantined version.
        lifted_quarantine: bool,
    },
    /// The change was refused; the old version, if any, keeps serving.
    Failed {
        /// The component file.
        path: PathBuf,
        /// Why.
        error: String,
    },
    /// A detector was unloaded with its file.
    Removed {
        /// Its name.
        name: String,
    },
    /// Nothing to do (a removed file that served no detector).
    Nothing,
}

struct Slot {
    detector: Detector,
    consecutive_failures: u32,
    quarantined: bool,
}

impl Slot {
    fn new(detector: Detector) -> Self {
        Slot {
            detector,
            consecutive_failures: 0,
            quarantined: false,
        }
    }
}

/// The loaded detectors and their failure counts.
pub struct DetectorSet {
    slots: Vec<Slot>,
    quarantine_after: u32,
    batches: u64,
    bundled: BTreeMap<String, DetectorSource>,
}

impl DetectorSet {
    /// Loads the bundled detectors, then every `.wasm` component in
    /// `plugins_dir`; a plugin with the name of a bundled detector replaces
    /// it. A component that fails to load is reported and left out; the
    /// others run.
    pub fn load(
        engine: &DetectorEngine,
        plugins_dir: Option<&Path>,
        settings: &DetectorSettings,
        state: Arc<dyn StateStore>,
        quarantine_after: u32,
    ) -> (Self, Vec<LoadError>) {
        let mut errors = Vec::new();
        let mut sources: Vec<DetectorSource> = bundled_detectors()
            .iter()
            .map(|b| DetectorSource {
                origin: format!("bundled:{}", b.package),
                bytes: b.component.into(),
            })
            .collect();
        if let Some(dir) = plugins_dir {
            match plugin_files(dir) {
                Ok(files) => {
                    for file in files {
                        match DetectorSource::from_file(&file) {
                            Ok(source) => sources.push(source),
                            Err(e) => errors.push(e),
                        }
                    }
                }
                Err(e) => errors.push(e),
            }
        }

        let mut loaded: Vec<Detector> = Vec::new();
        let mut bundled = BTreeMap::new();
        for source in &sources {
            match engine.load(source, settings, state.clone()) {
                Ok(detector) => {
                    if source.origin.starts_with("bundled:") {
                        bundled.insert(detector.name().to_owned(), source.clone());
                    }
                    place(&mut loaded, detector, &mut errors);
                }
                Err(e) => {
                    tracing::error!(plugin = %source.origin, "detector not loaded: {e}");
                    errors.push(e);
                }
            }
        }
        for detector in &loaded {
            let d = detector.description();
            tracing::info!(
                plugin = %d.name,
                version = %d.version,
                origin = detector.origin(),
                "detector loaded"
            );
        }
        let set = DetectorSet {
            slots: loaded.into_iter().map(Slot::new).collect(),
            quarantine_after: quarantine_after.max(1),
            batches: 0,
            bundled,
        };
        (set, errors)
    }

    /// The loaded detectors.
    pub fn detectors(&self) -> impl Iterator<Item = &Detector> {
        self.slots.iter().map(|s| &s.detector)
    }

    /// The bundled detectors' components, by detector name: what comes
    /// back when a plugin that replaced one is removed.
    pub fn bundled_sources(&self) -> &BTreeMap<String, DetectorSource> {
        &self.bundled
    }

    /// Whether the detector `name` is quarantined.
    pub fn is_quarantined(&self, name: &str) -> bool {
        self.slots
            .iter()
            .any(|s| s.quarantined && s.detector.name() == name)
    }

    /// Sends `events` to every detector that is not quarantined, in
    /// parallel, and gathers what they return.
    pub fn detect(&mut self, events: &RecordBatch) -> BatchOutcome {
        self.batches += 1;
        let batch = self.batches;
        let sent_at = chrono::Utc::now().timestamp_micros();
        let reports: Vec<Option<CallReport>> = std::thread::scope(|scope| {
            let handles: Vec<_> = self
                .slots
                .iter_mut()
                .map(|slot| {
                    (!slot.quarantined).then(|| scope.spawn(|| slot.detector.detect(events)))
                })
                .collect();
            handles
                .into_iter()
                .map(|h| h.and_then(|h| h.join().expect("detector threads do not panic")))
                .collect()
        });

        let mut outcome = BatchOutcome::default();
        for (slot, report) in self.slots.iter_mut().zip(reports) {
            let Some(report) = report else { continue };
            outcome
                .runs
                .push(DetectorRun::of(&slot.detector, &report, batch, sent_at));
            let name = slot.detector.name().to_owned();
            match report.outcome {
                Ok(findings) => {
                    slot.consecutive_failures = 0;
                    if let Some(findings) = findings {
                        outcome.findings.push((name, findings));
                    }
                }
                Err(failure) => {
                    slot.consecutive_failures += 1;
                    tracing::warn!(plugin = %name, batch, cause = failure.cause(), "detector failed: {failure}");
                    outcome.failures.push(FailedCall {
                        detector: name.clone(),
                        version: slot.detector.description().version.clone(),
                        failure,
                        batch,
                    });
                    if slot.consecutive_failures >= self.quarantine_after {
                        slot.quarantined = true;
                        tracing::warn!(
                            plugin = %name,
                            failures = slot.consecutive_failures,
                            "detector quarantined: it gets no more batches until a new version is loaded"
                        );
                        outcome.quarantined.push(name);
                    }
                }
            }
        }
        outcome
    }

    /// Applies a change of the plugins folder between two batches.
    ///
    /// A new version replaces the detector of the same name (its failure
    /// count and quarantine are cleared; its state, kept by name, carries
    /// over); a removed file unloads its detector, bringing back the
    /// bundled one it had replaced. A component whose name is already
    /// served by another plugin file is refused.
    pub fn apply(&mut self, change: PluginChange) -> Applied {
        match change {
            PluginChange::Loaded {
                detector, landed, ..
            } => self.swap_in(detector, landed),
            PluginChange::Failed { path, error } => Applied::Failed {
                path,
                error: error.to_string(),
            },
            PluginChange::Removed { path, fallback } => self.remove(&path, fallback),
        }
    }

    fn swap_in(&mut self, detector: Detector, landed: Instant) -> Applied {
        let name = detector.name().to_owned();
        let version = detector.description().version.clone();
        let same_name = self.slots.iter().position(|s| s.detector.name() == name);
        let same_file = self
            .slots
            .iter()
            .position(|s| s.detector.origin() == detector.origin());
        let index = match (same_name, same_file) {
            (Some(i), _) => {
                let existing = self.slots[i].detector.origin();
                let replaceable = existing == detector.origin() || existing.starts_with("bundled:");
                if !replaceable {
                    return Applied::Failed {
                        path: PathBuf::from(detector.origin()),
                        error: LoadError::Duplicate {
                            name,
                            first: existing.to_owned(),
                            second: detector.origin().to_owned(),
                        }
                        .to_string(),
                    };
                }
                i
            }
            // The file now describes another name: its old detector goes.
            (None, Some(i)) => i,
            (None, None) => {
                tracing::info!(
                    plugin = %name,
                    version = %version,
                    origin = detector.origin(),
                    "detector loaded"
                );
                self.slots.push(Slot::new(detector));
                return Applied::Loaded {
                    name,
                    version,
                    lifted_quarantine: false,
                };
            }
        };
        let old = std::mem::replace(&mut self.slots[index], Slot::new(detector));
        tracing::info!(
            plugin = %name,
            version = %version,
            previous = %old.detector.description().version,
            origin = self.slots[index].detector.origin(),
            after_ms = landed.elapsed().as_millis(),
            "detector reloaded"
        );
        Applied::Loaded {
            name,
            version,
            lifted_quarantine: old.quarantined,
        }
    }

    fn remove(&mut self, path: &Path, fallback: Option<Detector>) -> Applied {
        let origin = path.display().to_string();
        let Some(index) = self
            .slots
            .iter()
            .position(|s| s.detector.origin() == origin)
        else {
            return Applied::Nothing;
        };
        let name = self.slots[index].detector.name().to_owned();
        match fallback {
            Some(bundled) => {
                tracing::info!(plugin = %name, "plugin removed; the bundled detector serves again");
                self.slots[index] = Slot::new(bundled);
            }
            None => {
                tracing::info!(plugin = %name, origin, "plugin removed; detector unloaded");
                self.slots.remove(index);
            }
        }
        Applied::Removed { name }
    }
}

/// Adds `detector`, replacing a bundled one of the same name; two plugins
/// of one name are an error and the second is left out.
fn place(loaded: &mut Vec<Detector>, detector: Detector, errors: &mut Vec<LoadError>) {
    let Some(existing) = loaded.iter_mut().find(|d| d.name() == detector.name()) else {
        loaded.push(detector);
        return;
    };
    if existing.origin().starts_with("bundled:") {
        tracing::info!(
            plugin = detector.name(),
            origin = detector.origin(),
            "plugin replaces the bundled detector"
        );
        *existing = detector;
    } else {
        errors.push(LoadError::Duplicate {
            name: detector.name().to_owned(),
            first: existing.origin().to_owned(),
            second: detector.origin().to_owned(),
        });
    }
}

/// The `.wasm` files directly in `dir`, sorted.
pub(super) fn plugin_files(dir: &Path) -> Result<Vec<PathBuf>, LoadError> {
    let read_err = |source| LoadError::Read {
        path: dir.to_owned(),
        source,
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| is_component_file(p) && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}

/// Whether `path` names a component file (`.wasm`).
pub(super) fn is_component_file(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "wasm")
}
