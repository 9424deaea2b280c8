//! The store data of one detector instance: what the plugin can reach.

use std::sync::Arc;
use std::sync::atomic::{AtomicI64, Ordering};
use std::time::Duration;

use rand::SeedableRng;
use rand::rngs::StdRng;
use sha2::{Digest, Sha256};
use wasmtime::ResourceLimiter;
use wasmtime::component::ResourceTable;
use wasmtime_wasi::{HostMonotonicClock, HostWallClock, WasiCtx, WasiCtxView, WasiView};

use super::bindings::palisade::detector::{log, state, types};
use super::state::{StateStore, StateWrites};

/// Everything one instance's imports act on.
pub(crate) struct Sandbox {
    /// The detector's name: the scope of its state and the `plugin` field of
    /// its log lines.
    pub name: String,
    wasi: WasiCtx,
    table: ResourceTable,
    pub memory: MemoryCap,
    clock: BatchClock,
    state: Arc<dyn StateStore>,
    /// Writes of the call in progress, committed only if it succeeds.
    pending: StateWrites,
    log_budget: u32,
    log_lines: u32,
    /// Log lines dropped over the budget during the call in progress.
    pub logs_dropped: u32,
    /// The last error-level line logged during the call in progress: a
    /// guest's panic message arrives this way, just before it traps.
    pub last_error: Option<String>,
}

impl Sandbox {
    /// A sandbox with no capability: no files, network, environment, args or
    /// stdio; clocks read the batch's event time; randomness is seeded by
    /// the detector's name.
    pub fn new(name: &str, memory_cap: usize, log_budget: u32, state: Arc<dyn StateStore>) -> Self {
        let clock = BatchClock::default();
        let seed = seed_of(name);
        let wasi = WasiCtx::builder()
            .wall_clock(clock.clone())
            .monotonic_clock(clock.clone())
            .secure_random(StdRng::seed_from_u64(seed))
            .insecure_random(StdRng::seed_from_u64(seed.rotate_left(17)))
            .insecure_random_seed(u128::from(seed))
            .allow_tcp(false)
            .allow_udp(false)
            .allow_ip_name_lookup(false)
            .build();
        Sandbox {
            name: name.to_owned(),
            wasi,
            table: ResourceTable::new(),
            memory: MemoryCap::new(memory_cap),
            clock,
            state,
            pending: StateWrites::new(),
            log_budget,
            log_lines: 0,
            logs_dropped: 0,
            last_error: None,
        }
    }

    /// Prepares for a call over events whose latest time is `batch_time`
    /// (microseconds since the epoch).
    pub fn begin_call(&mut self, batch_time: i64) {
        self.clock.set(batch_time);
        self.pending.clear();
        self.log_lines = 0;
        self.logs_dropped = 0;
        self.last_error = None;
        self.memory.hit = None;
    }

    /// Takes the writes of the call that just succeeded.
    pub fn take_writes(&mut self) -> StateWrites {
        std::mem::take(&mut self.pending)
    }

    /// Forgets the writes of the call that just failed.
    pub fn discard_writes(&mut self) {
        self.pending.clear();
    }
}

fn seed_of(name: &str) -> u64 {
    // Stable across Rust versions and platforms, unlike `DefaultHasher`.
    let digest = Sha256::digest(name.as_bytes());
    u64::from_le_bytes(
        digest[..8]
            .try_into()
            .expect("a SHA-256 digest has 32 bytes"),
    )
}

impl WasiView for Sandbox {
    fn ctx(&mut self) -> WasiCtxView<'_> {
        WasiCtxView {
            ctx: &mut self.wasi,
            table: &mut self.table,
        }
    }
}

impl state::Host for Sandbox {
    fn get(&mut self, key: String) -> Option<Vec<u8>> {
        match self.pending.get(&key) {
            Some(value) => value.clone(),
            None => self.state.get(&self.name, &key),
        }
    }

    fn put(&mut self, key: String, value: Vec<u8>) {
        self.pending.insert(key, Some(value));
    }

    fn delete(&mut self, key: String) {
        self.pending.insert(key, None);
    }
}

impl types::Host for Sandbox {}

impl log::Host for Sandbox {
    fn write(&mut self, level: log::Level, message: String) {
        if matches!(level, log::Level::Error) {
            self.last_error = Some(message.chars().take(500).collect());
        }
        if self.log_lines >= self.log_budget {
            self.logs_dropped += 1;
            return;
        }
        self.log_lines += 1;
        let plugin = self.name.as_str();
        match level {
            log::Level::Trace => tracing::trace!(plugin, "{message}"),
            log::Level::Debug => tracing::debug!(plugin, "{message}"),
            log::Level::Info => tracing::info!(plugin, "{message}"),
            log::Level::Warn => tracing::warn!(plugin, "{message}"),
            log::Level::Error => tracing::error!(plugin, "{message}"),
        }
    }
}

/// The memory cap, remembering when a guest ran into it and how much memory
/// it used.
pub(crate) struct MemoryCap {
    cap: usize,
    /// The size a guest asked for past the cap, during the call in progress.
    pub hit: Option<usize>,
    /// The largest memory the instance has had, in bytes.
    pub peak: usize,
}

impl MemoryCap {
    fn new(cap: usize) -> Self {
        MemoryCap {
            cap,
            hit: None,
            peak: 0,
        }
    }

    pub fn cap(&self) -> usize {
        self.cap
    }
}

impl ResourceLimiter for MemoryCap {
    fn memory_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        if desired > self.cap {
            self.hit = Some(desired);
            return Ok(false);
        }
        self.peak = self.peak.max(desired);
        Ok(true)
    }

    fn table_growing(
        &mut self,
        _current: usize,
        desired: usize,
        _maximum: Option<usize>,
    ) -> wasmtime::Result<bool> {
        // Tables hold function references; a million is far beyond any
        // detector and bounds what a hostile one can take.
        Ok(desired <= 1_000_000)
    }
}

/// A clock that reads the event time of the batch being processed, shared by
/// the wall and monotonic clocks a plugin sees.
#[derive(Clone, Default)]
struct BatchClock(Arc<AtomicI64>);

impl BatchClock {
    fn set(&self, micros: i64) {
        self.0.store(micros, Ordering::Relaxed);
    }

    fn micros(&self) -> u64 {
        self.0.load(Ordering::Relaxed).max(0) as u64
    }
}

impl HostWallClock for BatchClock {
    fn resolution(&self) -> Duration {
        Duration::from_micros(1)
    }

    fn now(&self) -> Duration {
        Duration::from_micros(self.micros())
    }
}

impl HostMonotonicClock for BatchClock {
    fn resolution(&self) -> u64 {
        1_000
    }

    fn now(&self) -> u64 {
        self.micros().saturating_mul(1_000)
    }
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    #[test]
    fn seed_is_stable_and_differs_by_name() {
        assert_eq!(seed_of("inbox-rule"), seed_of("inbox-rule"));
        assert_ne!(seed_of("inbox-rule"), seed_of("rare-domain"));
    }

    #[test]
    fn memory_cap_denies_growth_past_the_cap_and_remembers_it() {
        let mut cap = MemoryCap::new(1 << 20);
        assert!(cap.memory_growing(0, 1 << 19, None).unwrap());
        assert!(!cap.memory_growing(1 << 19, 2 << 20, None).unwrap());
        assert_eq!(cap.hit, Some(2 << 20));
        assert_eq!(cap.peak, 1 << 19);
    }

    #[test]
    fn state_reads_see_the_calls_own_writes_first() {
        use state::Host as _;
        let store = Arc::new(crate::runtime::MemoryStateStore::new());
        store.commit("d", BTreeMap::from([("k".into(), Some(b"old".to_vec()))]));
        let mut sandbox = Sandbox::new("d", 1 << 20, 10, store.clone());
        assert_eq!(sandbox.get("k".into()), Some(b"old".to_vec()));
        sandbox.put("k".into(), b"new".to_vec());
        assert_eq!(sandbox.get("k".into()), Some(b"new".to_vec()));
        sandbox.delete("k".into());
        assert_eq!(sandbox.get("k".into()), None);
        sandbox.discard_writes();
        assert_eq!(sandbox.get("k".into()), Some(b"old".to_vec()));
    }
}
