//! The detector runtime: sandboxed WebAssembly components over event batches.
//!
//! A detector is a component of the `detector` world in
//! `schemas/wit/detector.wit`. The runtime's concepts, in the order a batch
//! meets them:
//!
//! - [`DetectorEngine`] owns the wasmtime engine, the linker that defines
//!   what a plugin may import, the compiled-artifact cache and the epoch
//!   ticker that enforces time budgets. One per process.
//! - [`Detector`] is one loaded detector: its compiled component, its
//!   [`Description`], its settings and, lazily, one live instance. It owns
//!   the policy for a failed call: the broken instance is dropped and a fresh
//!   one serves the next batch.
//! - [`EventSelection`] filters a batch to the kinds a detector subscribes to
//!   and projects it to the columns it reads.
//! - [`FindingStamper`] validates what a detector returns against the
//!   detector-output schema and stamps provenance and stable finding ids.
//! - [`StateStore`] is where detectors keep what they learn. Writes of a call
//!   are buffered in the instance and committed only when the call succeeds.
//!
//! # The sandbox
//!
//! A plugin gets no capability: no files, no network, no environment
//! variables, no arguments, no inherited stdio. Its wall and monotonic
//! clocks read the event time of the batch being processed and its random
//! numbers come from a generator seeded by the detector's name, so a replay
//! of the same input gives the same findings. Each instance is bounded by
//! [`Limits`]: a memory cap, a time budget per call (epoch interruption) and
//! a largest output. Breaking a limit, trapping, or returning malformed
//! output is a [`DetectorFailure`] of that detector alone; its
//! [`DetectorFailure::cause`] is the `outcome` the pipeline records for the
//! call in the `detector_runs` table.
//!
//! # Loading and reloading
//!
//! [`DetectorEngine::load`] is the one way in: compile (or take from the
//! [`ComponentCache`]), instantiate, describe, configure. The engine is
//! shared with the pipeline's reload thread, which prepares new versions
//! off the hot path while the old ones serve; the pipeline swaps them in
//! between two batches (see [`crate::pipeline::PluginWatcher`]). A failed
//! load touches no running detector, and a new version finds the state of
//! the old one, because state is scoped by the detector's name.

mod bindings;
mod bundled;
mod cache;
mod detector;
mod engine;
mod error;
mod findings;
mod limits;
mod sandbox;
mod select;
mod state;

pub use bundled::{BundledDetector, bundled_detectors};
pub use cache::ComponentCache;
pub use detector::{CallReport, Description, Detector, DetectorSettings, Setting};
pub use engine::{DetectorEngine, DetectorSource, PreparedDetector};
pub use error::{DetectorFailure, LoadError};
pub use findings::FindingStamper;
pub use limits::Limits;
pub use select::EventSelection;
pub use state::{MemoryStateStore, StateStore, StateWrites};
