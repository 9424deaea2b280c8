//! The run's counters and histograms, in the Prometheus registry that
//! `GET /metrics` encodes.

use prometheus_client::encoding::EncodeLabelSet;
use prometheus_client::metrics::counter::Counter;
use prometheus_client::metrics::family::Family;
use prometheus_client::metrics::histogram::{Histogram, exponential_buckets};
use prometheus_client::registry::Registry;

use crate::pipeline::DetectorRun;

/// Labels naming a detector.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct DetectorLabel {
    /// The detector's name.
    pub detector: String,
}

/// Labels of a failed call.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct FailureLabels {
    /// The detector's name.
    pub detector: String,
    /// The failure's kind (`trap`, `timeout`, `memory`, ...).
    pub cause: String,
}

/// Labels of a plugin-folder change.
#[derive(Debug, Clone, Hash, PartialEq, Eq, EncodeLabelSet)]
pub struct ReloadLabels {
    /// `loaded`, `failed` or `removed`.
    pub outcome: String,
}

type HistogramFamily = Family<DetectorLabel, Histogram, fn() -> Histogram>;

/// Everything `GET /metrics` reports. Updated by the pipeline, per batch,
/// never per event; cheap to share (`Arc`) with the HTTP server.
pub struct Metrics {
    registry: Registry,
    events: Counter,
    dead_letters: Counter,
    findings: Family<DetectorLabel, Counter>,
    failures: Family<FailureLabels, Counter>,
    call_seconds: HistogramFamily,
    reloads: Family<ReloadLabels, Counter>,
    quarantines: Family<DetectorLabel, Counter>,
}

fn call_histogram() -> Histogram {
    // 100 µs to about 26 s: a small batch to a call near its time budget.
    Histogram::new(exponential_buckets(0.000_1, 4.0, 10))
}

impl Default for Metrics {
    fn default() -> Self {
        Self::new()
    }
}

impl Metrics {
    /// Empty counters, registered under the `palisade_` prefix.
    pub fn new() -> Self {
        let mut registry = Registry::with_prefix("palisade");
        let metrics = Metrics {
            events: Counter::default(),
            dead_letters: Counter::default(),
            findings: Family::default(),
            failures: Family::default(),
            call_seconds: Family::new_with_constructor(call_histogram),
            reloads: Family::default(),
            quarantines: Family::default(),
            registry: Registry::default(),
        };
        registry.register(
            "events",
            "Events normalized and sent to the detectors",
            metrics.events.clone(),
        );
        registry.register(
            "dead_letters",
            "Records that could not be normalized",
            metrics.dead_letters.clone(),
        );
        registry.register(
            "findings",
            "Findings kept, per detector",
            metrics.findings.clone(),
        );
        registry.register(
            "detector_failures",
            "Detector calls that failed, per detector and cause",
            metrics.failures.clone(),
        );
        registry.register(
            "detector_call_seconds",
            "Wall time of detector calls, per detector",
            metrics.call_seconds.clone(),
        );
        registry.register(
            "plugin_reloads",
            "Changes of the plugins folder, by outcome (loaded, failed, removed)",
            metrics.reloads.clone(),
        );
        registry.register(
            "detector_quarantines",
            "Times a detector was quarantined after failures in a row",
            metrics.quarantines.clone(),
        );
        Metrics {
            registry,
            ..metrics
        }
    }

    /// Counts events sent to the detectors.
    pub fn add_events(&self, n: u64) {
        self.events.inc_by(n);
    }

    /// Counts dead letters.
    pub fn add_dead_letters(&self, n: u64) {
        self.dead_letters.inc_by(n);
    }

    /// Records one detector call.
    pub fn record_run(&self, run: &DetectorRun) {
        let detector = DetectorLabel {
            detector: run.detector.clone(),
        };
        self.call_seconds
            .get_or_create(&detector)
            .observe(run.duration_us as f64 / 1e6);
        if run.outcome == "ok" {
            self.findings
                .get_or_create(&detector)
                .inc_by(run.findings_out);
        } else {
            let labels = FailureLabels {
                detector: run.detector.clone(),
                cause: run.outcome.to_owned(),
            };
            self.failures.get_or_create(&labels).inc();
        }
    }

    /// Counts a quarantine of `detector`.
    pub fn add_quarantine(&self, detector: &str) {
        let label = DetectorLabel {
            detector: detector.to_owned(),
        };
        self.quarantines.get_or_create(&label).inc();
    }

    /// Counts a change of the plugins folder (`loaded`, `failed`,
    /// `removed`).
    pub fn add_reload(&self, outcome: &str) {
        let labels = ReloadLabels {
            outcome: outcome.to_owned(),
        };
        self.reloads.get_or_create(&labels).inc();
    }

    /// The metrics in the OpenMetrics text format Prometheus scrapes.
    pub fn encode(&self) -> String {
        let mut text = String::new();
        prometheus_client::encoding::text::encode(&mut text, &self.registry)
            .expect("writing to a String cannot fail");
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn calls_and_failures_appear_per_detector() {
        let metrics = Metrics::new();
        metrics.add_events(10);
        let mut run = DetectorRun {
            time: 0,
            batch: 1,
            detector: "trap".into(),
            version: "0.1.0".into(),
            hash: "ab".into(),
            rows_in: 10,
            findings_out: 0,
            duration_us: 1_500,
            memory_bytes: 0,
            outcome: "trap",
            cause: Some("trapped".into()),
        };
        metrics.record_run(&run);
        run.detector = "inbox-rule".into();
        run.outcome = "ok";
        run.findings_out = 2;
        metrics.record_run(&run);
        let text = metrics.encode();
        assert!(text.contains("palisade_events_total 10"), "{text}");
        assert!(
            text.contains(r#"palisade_detector_failures_total{detector="trap",cause="trap"} 1"#),
            "{text}"
        );
        assert!(
            text.contains(r#"palisade_findings_total{detector="inbox-rule"} 2"#),
            "{text}"
        );
        assert!(
            text.contains(r#"palisade_detector_call_seconds_count{detector="trap"} 1"#),
            "{text}"
        );
    }
}
