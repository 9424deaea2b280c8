//! The limits every detector instance runs under.

use std::time::Duration;

use serde::Deserialize;

/// Bounds on one detector instance. Each protects the host and the other
/// detectors from a plugin that is broken or hostile.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct Limits {
    /// Largest linear memory an instance may grow to, in bytes. Protects the
    /// host's memory; a guest that asks for more traps. Default 256 MiB.
    pub memory_bytes: usize,
    /// Longest one call (`describe`, `configure` or `detect`) may run, in
    /// milliseconds. Protects the pipeline from endless loops; enforced by
    /// epoch interruption with a granularity of [`Limits::EPOCH_TICK`].
    /// Default 5000 ms.
    pub call_timeout_ms: u64,
    /// Largest findings stream one `detect` call may return, in bytes.
    /// Protects history from a detector that floods it. Default 16 MiB.
    pub max_output_bytes: usize,
    /// Most log lines one call may write; the rest are counted and dropped.
    /// Protects the host's log. Default 100.
    pub max_log_lines_per_call: u32,
}

impl Limits {
    /// How often the engine's epoch advances: the resolution of the time
    /// budget.
    pub const EPOCH_TICK: Duration = Duration::from_millis(10);

    /// The per-call time budget.
    pub fn call_timeout(&self) -> Duration {
        Duration::from_millis(self.call_timeout_ms)
    }

    /// The per-call time budget in epoch ticks, at least one.
    pub(crate) fn call_timeout_ticks(&self) -> u64 {
        let tick = Self::EPOCH_TICK.as_millis() as u64;
        self.call_timeout_ms.div_ceil(tick).max(1)
    }
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            memory_bytes: 256 << 20,
            call_timeout_ms: 5_000,
            max_output_bytes: 16 << 20,
            max_log_lines_per_call: 100,
        }
    }
}
