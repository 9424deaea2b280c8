//! The detectors of a run: loading them, sending them batches, and
//! quarantining the ones that keep failing.

use std::path::Path;
use std::sync::Arc;

use arrow::record_batch::RecordBatch;

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

/// What one batch gave: findings per detector and failures.
#[derive(Debug, Default)]
pub struct BatchOutcome {
    /// Stamped findings, by detector name.
    pub findings: Vec<(String, RecordBatch)>,
    /// Calls that failed.
    pub failures: Vec<FailedCall>,
    /// Detectors quarantined by this batch.
    pub quarantined: Vec<String>,
}

struct Slot {
    detector: Detector,
    consecutive_failures: u32,
    quarantined: bool,
}

/// The loaded detectors and their failure counts.
pub struct DetectorSet {
    slots: Vec<Slot>,
    quarantine_after: u32,
    batches: u64,
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
        for source in &sources {
            match engine.load(source, settings, state.clone()) {
                Ok(detector) => place(&mut loaded, detector, &mut errors),
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
        let slots = loaded
            .into_iter()
            .map(|detector| Slot {
                detector,
                consecutive_failures: 0,
                quarantined: false,
            })
            .collect();
        (
            DetectorSet {
                slots,
                quarantine_after,
                batches: 0,
            },
            errors,
        )
    }

    /// The loaded detectors.
    pub fn detectors(&self) -> impl Iterator<Item = &Detector> {
        self.slots.iter().map(|s| &s.detector)
    }

    /// Sends `events` to every detector that is not quarantined, in
    /// parallel, and gathers what they return.
    pub fn detect(&mut self, events: &RecordBatch) -> BatchOutcome {
        self.batches += 1;
        let batch = self.batches;
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
fn plugin_files(dir: &Path) -> Result<Vec<std::path::PathBuf>, LoadError> {
    let read_err = |source| LoadError::Read {
        path: dir.to_owned(),
        source,
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(read_err)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "wasm") && p.is_file())
        .collect();
    files.sort();
    Ok(files)
}
