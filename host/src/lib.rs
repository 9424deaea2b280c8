//! Palisade, the detection host.
//!
//! The modules follow the data flow, stage by stage:
//!
//! 1. [`ingest`] reads records from files and folders (plain or gzip) and
//!    detects each file's format from its content.
//! 2. [`normalize`] maps each vendor record to the event model of
//!    [`palisade_schemas`], or to a dead letter with the reason.
//! 3. [`enrich`] fills locations from a geo database and device owners from
//!    an asset table, where the log left them empty.
//! 4. [`runtime`] runs the sandboxed Wasm detectors over event batches.
//! 5. [`correlate`] joins findings into incidents with SQL rules and tells
//!    each incident's story.
//! 6. [`store`] keeps events, findings, dead letters, detector runs and
//!    incidents as Parquet history and answers SQL over it.
//! 7. [`pipeline`] wires the stages into a run, reloading detectors as
//!    their files change; [`cli`] is the command line and [`server`] the
//!    HTTP side (`GET /metrics`).
//!
//! Records in = events + dead letters, always: nothing is dropped silently.

pub mod cli;
pub mod correlate;
pub mod enrich;
pub mod ingest;
pub mod normalize;
pub mod pipeline;
pub mod runtime;
pub mod server;
pub mod store;
