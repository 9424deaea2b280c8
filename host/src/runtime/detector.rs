//! One loaded detector and the policy for its calls.

use std::collections::BTreeMap;
use std::io::Cursor;
use std::sync::Arc;
use std::time::{Duration, Instant};

use arrow::array::AsArray;
use arrow::datatypes::TimestampMicrosecondType;
use arrow::ipc::writer::StreamWriter;
use arrow::record_batch::RecordBatch;
use wasmtime::{Engine, Store, Trap};

use super::bindings::{self, DetectorPre};
use super::engine::DetectorSource;
use super::error::{DetectorFailure, LoadError};
use super::findings::FindingStamper;
use super::limits::Limits;
use super::sandbox::Sandbox;
use super::select::EventSelection;
use super::state::StateStore;

/// Settings per detector name, from the `[detectors.NAME]` tables of the
/// configuration.
pub type DetectorSettings = BTreeMap<String, BTreeMap<String, String>>;

/// A setting a detector accepts.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Setting {
    /// Key in `[detectors.NAME]`.
    pub name: String,
    /// What it changes.
    pub description: String,
    /// Value when not configured.
    pub default_value: String,
}

/// What a detector says about itself in `describe`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Description {
    /// Unique name.
    pub name: String,
    /// Version of the detection logic.
    pub version: String,
    /// One sentence: what it finds.
    pub summary: String,
    /// Event kinds it reads; empty for all.
    pub kinds: Vec<String>,
    /// Event columns it reads.
    pub columns: Vec<String>,
    /// Settings it accepts.
    pub settings: Vec<Setting>,
}

impl From<bindings::Description> for Description {
    fn from(d: bindings::Description) -> Self {
        Description {
            name: d.name,
            version: d.version,
            summary: d.summary,
            kinds: d.kinds,
            columns: d.columns,
            settings: d
                .settings
                .into_iter()
                .map(|s| Setting {
                    name: s.name,
                    description: s.description,
                    default_value: s.default_value,
                })
                .collect(),
        }
    }
}

/// The outcome of sending one batch to one detector.
#[derive(Debug)]
pub struct CallReport {
    /// Rows sent (after filtering by kind).
    pub rows: usize,
    /// Wall time of the call, including encoding and validation.
    pub duration: Duration,
    /// Largest linear memory of the instance that served the call, in
    /// bytes: the high-water mark of the store's memory limiter, kept even
    /// when a failure drops the instance.
    pub memory_bytes: usize,
    /// The findings (stamped, with the finding schema), or why the call
    /// failed.
    pub outcome: Result<Option<RecordBatch>, DetectorFailure>,
}

/// A live instance: its store and its exports.
struct Live {
    store: Store<Sandbox>,
    exports: bindings::Detector,
}

/// A loaded, configured detector.
///
/// Holds at most one live instance. A call that traps, times out, hits the
/// memory cap or returns malformed output drops the instance (a trapped
/// instance cannot be entered again) and discards the call's state writes;
/// the next call starts a fresh instance and configures it again.
pub struct Detector {
    description: Description,
    origin: String,
    hash: String,
    settings: Vec<(String, String)>,
    selection: EventSelection,
    stamper: FindingStamper,
    engine: Engine,
    pre: DetectorPre<Sandbox>,
    limits: Limits,
    state: Arc<dyn StateStore>,
    live: Option<Live>,
    /// Largest linear memory of the last instance that served a call,
    /// kept when a failed call drops the instance.
    peak_memory: usize,
}

impl Detector {
    /// Instantiates, describes and configures a detector.
    pub(crate) fn start(
        engine: &Engine,
        pre: DetectorPre<Sandbox>,
        source: &DetectorSource,
        hash: String,
        settings: &DetectorSettings,
        limits: Limits,
        state: Arc<dyn StateStore>,
    ) -> Result<Self, LoadError> {
        let origin = source.origin.clone();
        let (description, selection) = describe(engine, &pre, source, &limits, state.clone())?;
        let empty = BTreeMap::new();
        let wanted = settings.get(&description.name).unwrap_or(&empty);
        let settings = accepted_settings(&description, wanted)?;

        // The sandbox was created before the name was known: recreate it so
        // state and logs are scoped to the detector.
        let mut live = instantiate(engine, &pre, &limits, &description.name, state.clone())
            .map_err(|message| LoadError::Instantiate {
                origin: origin.clone(),
                message,
            })?;
        configure(&mut live, &settings).map_err(|message| LoadError::Configure {
            name: description.name.clone(),
            message,
        })?;

        Ok(Detector {
            stamper: FindingStamper::new(&description.name, &description.version, &hash),
            description,
            origin,
            hash,
            settings,
            selection,
            engine: engine.clone(),
            pre,
            limits,
            state,
            live: Some(live),
            peak_memory: 0,
        })
    }

    /// The detector's self-description.
    pub fn description(&self) -> &Description {
        &self.description
    }

    /// The detector's name.
    pub fn name(&self) -> &str {
        &self.description.name
    }

    /// Where the component came from.
    pub fn origin(&self) -> &str {
        &self.origin
    }

    /// SHA-256 of the component.
    pub fn content_hash(&self) -> &str {
        &self.hash
    }

    /// Sends the rows of `events` this detector subscribes to and returns
    /// the outcome, or `None` when no row is for it (it is not called).
    ///
    /// `events` must have the event schema.
    pub fn detect(&mut self, events: &RecordBatch) -> Option<CallReport> {
        let started = Instant::now();
        let selected = match self.selection.apply(events) {
            Ok(Some(selected)) => selected,
            Ok(None) => return None,
            Err(e) => {
                return Some(self.report(0, started, Err(DetectorFailure::Restart(e.to_string()))));
            }
        };
        let rows = selected.num_rows();
        let outcome = self.call(&selected);
        Some(self.report(rows, started, outcome))
    }

    fn report(
        &self,
        rows: usize,
        started: Instant,
        outcome: Result<Option<RecordBatch>, DetectorFailure>,
    ) -> CallReport {
        CallReport {
            rows,
            duration: started.elapsed(),
            memory_bytes: self.peak_memory,
            outcome,
        }
    }

    fn call(&mut self, selected: &RecordBatch) -> Result<Option<RecordBatch>, DetectorFailure> {
        let input = encode(selected).map_err(DetectorFailure::Restart)?;
        let limits = self.limits;
        let live = self.live_instance()?;
        live.store.data_mut().begin_call(latest_time(selected));
        live.store.set_epoch_deadline(limits.call_timeout_ticks());

        let returned = match live.exports.call_detect(&mut live.store, &input) {
            Ok(Ok(output)) => Ok(output),
            Ok(Err(message)) => Err(DetectorFailure::Reported(message)),
            Err(error) => Err(classify(&error, live.store.data(), &limits)),
        };
        let outcome = returned.and_then(|output| {
            if output.len() > limits.max_output_bytes {
                return Err(DetectorFailure::OutputTooLarge {
                    size: output.len(),
                    limit: limits.max_output_bytes,
                });
            }
            self.stamper.stamp(&output)
        });
        self.finish_call(outcome)
    }

    /// Commits or discards the call's state writes, and drops the instance
    /// when it can no longer be trusted.
    fn finish_call(
        &mut self,
        outcome: Result<Option<RecordBatch>, DetectorFailure>,
    ) -> Result<Option<RecordBatch>, DetectorFailure> {
        let Some(live) = self.live.as_mut() else {
            return outcome;
        };
        let sandbox = live.store.data_mut();
        self.peak_memory = sandbox.memory.peak;
        if sandbox.logs_dropped > 0 {
            tracing::debug!(
                plugin = %self.description.name,
                dropped = sandbox.logs_dropped,
                "log lines over the per-call budget were dropped"
            );
        }
        match &outcome {
            Ok(_) => {
                let writes = sandbox.take_writes();
                if !writes.is_empty() {
                    self.state.commit(&self.description.name, writes);
                }
            }
            // The detector chose to fail: its instance is intact.
            Err(DetectorFailure::Reported(_)) => sandbox.discard_writes(),
            Err(_) => self.live = None,
        }
        outcome
    }

    fn live_instance(&mut self) -> Result<&mut Live, DetectorFailure> {
        if self.live.is_none() {
            let mut live = instantiate(
                &self.engine,
                &self.pre,
                &self.limits,
                &self.description.name,
                self.state.clone(),
            )
            .map_err(DetectorFailure::Restart)?;
            configure(&mut live, &self.settings).map_err(DetectorFailure::Restart)?;
            tracing::debug!(plugin = %self.description.name, "started a fresh instance");
            self.live = Some(live);
        }
        Ok(self
            .live
            .as_mut()
            .expect("a live instance was just ensured"))
    }
}

/// Describes the component on an instance of its own (the sandbox is
/// created before the name is known) and checks the description.
pub(super) fn describe(
    engine: &Engine,
    pre: &DetectorPre<Sandbox>,
    source: &DetectorSource,
    limits: &Limits,
    state: Arc<dyn StateStore>,
) -> Result<(Description, EventSelection), LoadError> {
    let origin = &source.origin;
    let mut live =
        instantiate(engine, pre, limits, "", state).map_err(|message| LoadError::Instantiate {
            origin: origin.clone(),
            message,
        })?;
    let described =
        live.exports
            .call_describe(&mut live.store)
            .map_err(|e| LoadError::Describe {
                origin: origin.clone(),
                message: format!("{e:#}"),
            })?;
    let description = Description::from(described);
    let selection = validate(&description).map_err(|message| LoadError::Describe {
        origin: origin.clone(),
        message,
    })?;
    Ok((description, selection))
}

fn instantiate(
    engine: &Engine,
    pre: &DetectorPre<Sandbox>,
    limits: &Limits,
    name: &str,
    state: Arc<dyn StateStore>,
) -> Result<Live, String> {
    let sandbox = Sandbox::new(
        name,
        limits.memory_bytes,
        limits.max_log_lines_per_call,
        state,
    );
    let mut store = Store::new(engine, sandbox);
    store.limiter(|sandbox| &mut sandbox.memory);
    store.epoch_deadline_trap();
    store.set_epoch_deadline(limits.call_timeout_ticks());
    let exports = pre.instantiate(&mut store).map_err(|e| format!("{e:#}"))?;
    Ok(Live { store, exports })
}

fn configure(live: &mut Live, settings: &[(String, String)]) -> Result<(), String> {
    live.store.data_mut().begin_call(0);
    match live.exports.call_configure(&mut live.store, settings) {
        Ok(Ok(())) => Ok(()),
        Ok(Err(message)) => Err(message),
        Err(e) => Err(format!("{e:#}")),
    }
}

fn validate(description: &Description) -> Result<EventSelection, String> {
    let name = &description.name;
    let well_formed = !name.is_empty()
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-' || c == '_');
    if !well_formed {
        return Err(format!(
            "name `{name}` must be lower-case letters, digits, `-` or `_`"
        ));
    }
    if description.version.is_empty() {
        return Err(format!("detector `{name}` declares no version"));
    }
    EventSelection::new(&description.kinds, &description.columns)
        .map_err(|e| format!("detector `{name}`: {e}"))
}

fn accepted_settings(
    description: &Description,
    settings: &BTreeMap<String, String>,
) -> Result<Vec<(String, String)>, LoadError> {
    let accepts = |key: &str| description.settings.iter().any(|s| s.name == key);
    if let Some(unknown) = settings.keys().find(|k| !accepts(k)) {
        return Err(LoadError::UnknownSetting {
            name: description.name.clone(),
            setting: unknown.clone(),
            accepted: description
                .settings
                .iter()
                .map(|s| s.name.as_str())
                .collect::<Vec<_>>()
                .join(", "),
        });
    }
    Ok(settings
        .iter()
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect())
}

fn classify(error: &wasmtime::Error, sandbox: &Sandbox, limits: &Limits) -> DetectorFailure {
    if let Some(asked) = sandbox.memory.hit {
        return DetectorFailure::MemoryLimit {
            cap: sandbox.memory.cap(),
            asked,
        };
    }
    let trap = match error.downcast_ref::<Trap>() {
        Some(Trap::Interrupt) => return DetectorFailure::Timeout(limits.call_timeout()),
        Some(trap) => trap.to_string(),
        None => error.root_cause().to_string(),
    };
    match &sandbox.last_error {
        Some(logged) => DetectorFailure::Trap(format!("{trap} ({logged})")),
        None => DetectorFailure::Trap(trap),
    }
}

fn encode(batch: &RecordBatch) -> Result<Vec<u8>, String> {
    let mut out = Cursor::new(Vec::with_capacity(batch.get_array_memory_size()));
    let mut writer = StreamWriter::try_new(&mut out, &batch.schema())
        .map_err(|e| format!("encoding events: {e}"))?;
    writer
        .write(batch)
        .and_then(|()| writer.finish())
        .map_err(|e| format!("encoding events: {e}"))?;
    drop(writer);
    Ok(out.into_inner())
}

/// The latest event time in `batch`: the "now" a detector sees.
fn latest_time(batch: &RecordBatch) -> i64 {
    batch
        .column_by_name("time")
        .map(|a| a.as_primitive::<TimestampMicrosecondType>())
        .and_then(arrow::compute::max)
        .unwrap_or(0)
}
