//! The process-wide wasmtime engine, linker and epoch ticker.

use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::thread::JoinHandle;

use sha2::{Digest, Sha256};
use wasmtime::component::{HasSelf, Linker};
use wasmtime::{Config, Engine};

use super::bindings;
use super::cache::ComponentCache;
use super::detector::{self, Description, Detector, DetectorSettings};
use super::error::LoadError;
use super::limits::Limits;
use super::sandbox::Sandbox;
use super::state::{MemoryStateStore, StateStore};

/// The bytes of a detector component and where they came from.
#[derive(Debug, Clone)]
pub struct DetectorSource {
    /// A path, or `bundled:NAME` for a detector built into the binary.
    pub origin: String,
    /// The component.
    pub bytes: Arc<[u8]>,
}

impl DetectorSource {
    /// Reads a component file.
    ///
    /// # Errors
    ///
    /// [`LoadError::Read`] when the file cannot be read.
    pub fn from_file(path: &std::path::Path) -> Result<Self, LoadError> {
        let bytes = std::fs::read(path).map_err(|source| LoadError::Read {
            path: path.to_owned(),
            source,
        })?;
        Ok(DetectorSource {
            origin: path.display().to_string(),
            bytes: bytes.into(),
        })
    }

    /// SHA-256 of the component, in hex: its identity in findings and in
    /// the compiled-artifact cache.
    pub fn content_hash(&self) -> String {
        hex::encode(Sha256::digest(&self.bytes))
    }
}

/// Compiles and instantiates detector components under one configuration.
///
/// Holds the wasmtime [`Engine`] (epoch interruption on), the [`Linker`]
/// that gives plugins WASI with no capability plus the `log` and `state`
/// imports, the compiled-artifact cache, and a thread that advances the
/// epoch every [`Limits::EPOCH_TICK`] so time budgets are enforced.
pub struct DetectorEngine {
    engine: Engine,
    linker: Linker<Sandbox>,
    cache: ComponentCache,
    limits: Limits,
    ticker: Option<EpochTicker>,
}

impl DetectorEngine {
    /// An engine whose detectors run under `limits`, caching compiled
    /// components in `cache`.
    ///
    /// # Errors
    ///
    /// [`LoadError::Instantiate`] if the engine or linker cannot be set up
    /// (a wasmtime configuration this platform does not support).
    pub fn new(cache: ComponentCache, limits: Limits) -> Result<Self, LoadError> {
        let setup = |e: wasmtime::Error| LoadError::Instantiate {
            origin: "the detector engine".into(),
            message: format!("{e:#}"),
        };
        let mut config = Config::new();
        config.wasm_component_model(true);
        config.epoch_interruption(true);
        let engine = Engine::new(&config).map_err(setup)?;

        let mut linker = Linker::new(&engine);
        wasmtime_wasi::p2::add_to_linker_sync(&mut linker).map_err(setup)?;
        bindings::Detector::add_to_linker::<_, HasSelf<_>>(&mut linker, |sandbox| sandbox)
            .map_err(setup)?;

        let ticker = EpochTicker::start(engine.clone());
        Ok(DetectorEngine {
            engine,
            linker,
            cache,
            limits,
            ticker: Some(ticker),
        })
    }

    /// The limits detectors run under.
    pub fn limits(&self) -> Limits {
        self.limits
    }

    /// Compiles (or loads from the cache), instantiates, describes and
    /// configures the detector in `source`.
    ///
    /// `settings` holds the `[detectors.NAME]` tables of the configuration;
    /// the detector gets the table of the name it describes, and keys it
    /// does not accept are refused.
    ///
    /// # Errors
    ///
    /// A [`LoadError`] naming the step that failed and the component.
    pub fn load(
        &self,
        source: &DetectorSource,
        settings: &DetectorSettings,
        state: Arc<dyn StateStore>,
    ) -> Result<Detector, LoadError> {
        self.prepare(source)?.start(settings, state)
    }

    /// Compiles (or loads from the cache) the component in `source` and
    /// links it, without starting it: a [`PreparedDetector`] starts any
    /// number of fresh detectors without compiling again.
    ///
    /// # Errors
    ///
    /// [`LoadError::Compile`] or [`LoadError::Instantiate`] naming the
    /// component.
    pub fn prepare(&self, source: &DetectorSource) -> Result<PreparedDetector, LoadError> {
        let hash = source.content_hash();
        let component = self
            .cache
            .load(&self.engine, &source.bytes, &hash, &source.origin)?;
        let instantiate = |e: wasmtime::Error| LoadError::Instantiate {
            origin: source.origin.clone(),
            message: format!("{e:#}"),
        };
        let pre = self
            .linker
            .instantiate_pre(&component)
            .and_then(bindings::DetectorPre::new)
            .map_err(instantiate)?;
        Ok(PreparedDetector {
            engine: self.engine.clone(),
            pre,
            source: source.clone(),
            hash,
            limits: self.limits,
        })
    }
}

/// A compiled and linked component, ready to start detectors from.
///
/// Each [`PreparedDetector::start`] gives a detector with a fresh instance
/// under the engine's limits; the epoch ticker of the [`DetectorEngine`]
/// that prepared it enforces their time budget while that engine lives.
pub struct PreparedDetector {
    engine: Engine,
    pre: bindings::DetectorPre<Sandbox>,
    source: DetectorSource,
    hash: String,
    limits: Limits,
}

impl PreparedDetector {
    /// Where the component came from.
    pub fn origin(&self) -> &str {
        &self.source.origin
    }

    /// Calls `describe` on a fresh instance and checks the answer as a load
    /// does, without configuring anything.
    ///
    /// # Errors
    ///
    /// [`LoadError::Instantiate`] or [`LoadError::Describe`].
    pub fn describe(&self) -> Result<Description, LoadError> {
        let state: Arc<dyn StateStore> = Arc::new(MemoryStateStore::new());
        detector::describe(&self.engine, &self.pre, &self.source, &self.limits, state)
            .map(|(description, _)| description)
    }

    /// Starts a detector: instantiates, describes and configures it with
    /// its table of `settings`, keeping what it learns in `state`.
    ///
    /// # Errors
    ///
    /// A [`LoadError`] naming the step that failed.
    pub fn start(
        &self,
        settings: &DetectorSettings,
        state: Arc<dyn StateStore>,
    ) -> Result<Detector, LoadError> {
        Detector::start(
            &self.engine,
            self.pre.clone(),
            &self.source,
            self.hash.clone(),
            settings,
            self.limits,
            state,
        )
    }
}

impl Drop for DetectorEngine {
    fn drop(&mut self) {
        if let Some(ticker) = self.ticker.take() {
            ticker.stop();
        }
    }
}

/// Advances the engine's epoch on a fixed tick until stopped.
struct EpochTicker {
    stop: Arc<AtomicBool>,
    thread: JoinHandle<()>,
}

impl EpochTicker {
    fn start(engine: Engine) -> Self {
        let stop = Arc::new(AtomicBool::new(false));
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("palisade-epoch".into())
            .spawn(move || {
                while !flag.load(Ordering::Relaxed) {
                    std::thread::sleep(Limits::EPOCH_TICK);
                    engine.increment_epoch();
                }
            })
            .expect("spawning the epoch thread");
        EpochTicker { stop, thread }
    }

    fn stop(self) {
        self.stop.store(true, Ordering::Relaxed);
        let _ = self.thread.join();
    }
}
