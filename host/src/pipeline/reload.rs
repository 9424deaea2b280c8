//! Hot reload: watching the plugins folder and preparing new versions off
//! the hot path.
//!
//! [`PluginWatcher`] runs a thread that receives the folder's file events
//! (`notify`) and waits until a `.wasm` file has been quiet for
//! [`DEBOUNCE`], so a file written in pieces is read once, complete. It
//! then reads the file and, when its content changed, compiles it (through
//! the compiled-artifact cache), instantiates, describes and configures it.
//! The result is a [`PluginChange`] the pipeline takes between two batches
//! ([`super::Pipeline::apply_plugin_changes`]): the batch in progress
//! finishes on the old version, the next one goes to the new version, so
//! no event is lost or sent twice across a swap.
//!
//! Any failing step (a file that is not a component, the wrong world,
//! `describe` or `configure` failing) becomes [`PluginChange::Failed`]: the
//! old version keeps serving. A removed file becomes
//! [`PluginChange::Removed`], with the bundled detector it had replaced,
//! prepared here too, ready to serve again.

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::mpsc::{Receiver, RecvTimeoutError, Sender};
use std::thread::JoinHandle;
use std::time::{Duration, Instant};

use notify::{RecursiveMode, Watcher};

use super::detectors::{DetectorSet, is_component_file};
use crate::runtime::{
    Detector, DetectorEngine, DetectorSettings, DetectorSource, LoadError, StateStore,
};

/// How long a component file must be quiet before it is read: long enough
/// for a copy written in several pieces to finish, short next to a human
/// editing cycle.
pub const DEBOUNCE: Duration = Duration::from_millis(100);

/// A change of the plugins folder, prepared off the hot path.
pub enum PluginChange {
    /// A new or changed component, ready to serve.
    Loaded {
        /// The component file.
        path: PathBuf,
        /// The detector, instantiated, described and configured.
        detector: Detector,
        /// When the file's first event of this change arrived.
        landed: Instant,
    },
    /// A new or changed file that could not be loaded.
    Failed {
        /// The component file.
        path: PathBuf,
        /// Which step failed and why.
        error: LoadError,
    },
    /// A component file disappeared.
    Removed {
        /// The component file.
        path: PathBuf,
        /// The bundled detector of the same name, ready to serve again.
        fallback: Option<Detector>,
    },
}

/// What the watcher thread needs to prepare detectors.
pub struct ReloadContext {
    /// The engine that compiles and instantiates them.
    pub engine: Arc<DetectorEngine>,
    /// `[detectors.NAME]` settings.
    pub settings: DetectorSettings,
    /// Where detectors keep state (by name, so it carries over).
    pub state: Arc<dyn StateStore>,
}

/// Watches a plugins folder and prepares new versions of detectors.
pub struct PluginWatcher {
    changes: Receiver<PluginChange>,
    stop: Arc<AtomicBool>,
    thread: Option<JoinHandle<()>>,
    // Dropping it ends the file events and so the thread's wait.
    _watcher: notify::RecommendedWatcher,
}

impl PluginWatcher {
    /// Starts watching `dir`, whose current files `detectors` already
    /// serves.
    ///
    /// # Errors
    ///
    /// When the folder cannot be watched.
    pub fn start(
        dir: &Path,
        detectors: &DetectorSet,
        context: ReloadContext,
    ) -> Result<Self, notify::Error> {
        let (events_tx, events_rx) = std::sync::mpsc::channel();
        let mut watcher = notify::recommended_watcher(events_tx)?;
        watcher.watch(dir, RecursiveMode::NonRecursive)?;

        let known = detectors
            .detectors()
            .filter(|d| !d.origin().starts_with("bundled:"))
            .map(|d| {
                let file = Known {
                    hash: d.content_hash().to_owned(),
                    name: d.name().to_owned(),
                };
                (PathBuf::from(d.origin()), file)
            })
            .collect();
        let (changes_tx, changes) = std::sync::mpsc::channel();
        let stop = Arc::new(AtomicBool::new(false));
        let preparer = Preparer {
            dir: dir.to_owned(),
            context,
            bundled: detectors.bundled_sources().clone(),
            known,
            changes: changes_tx,
        };
        let flag = stop.clone();
        let thread = std::thread::Builder::new()
            .name("palisade-reload".into())
            .spawn(move || preparer.run(&events_rx, &flag))
            .expect("spawning the reload thread");
        tracing::info!(dir = %dir.display(), "watching plugins for new versions");
        Ok(PluginWatcher {
            changes,
            stop,
            thread: Some(thread),
            _watcher: watcher,
        })
    }

    /// The next prepared change, if one is ready.
    pub fn try_next(&self) -> Option<PluginChange> {
        self.changes.try_recv().ok()
    }

    /// Waits up to `timeout` for the next prepared change.
    pub fn next_timeout(&self, timeout: Duration) -> Option<PluginChange> {
        self.changes.recv_timeout(timeout).ok()
    }
}

impl Drop for PluginWatcher {
    fn drop(&mut self) {
        self.stop.store(true, Ordering::SeqCst);
        if let Some(thread) = self.thread.take() {
            let _ = thread.join();
        }
    }
}

/// A component file that serves a detector now.
struct Known {
    hash: String,
    name: String,
}

/// The watcher thread's state.
struct Preparer {
    dir: PathBuf,
    context: ReloadContext,
    bundled: BTreeMap<String, DetectorSource>,
    known: HashMap<PathBuf, Known>,
    changes: Sender<PluginChange>,
}

/// A file with events not yet acted on: when the first and the last came.
struct Pending {
    first: Instant,
    last: Instant,
}

impl Preparer {
    fn run(mut self, events: &Receiver<notify::Result<notify::Event>>, stop: &AtomicBool) {
        let mut pending: HashMap<PathBuf, Pending> = HashMap::new();
        while !stop.load(Ordering::SeqCst) {
            match events.recv_timeout(DEBOUNCE / 4) {
                Ok(Ok(event)) => self.note(&event, &mut pending),
                Ok(Err(e)) => tracing::warn!(dir = %self.dir.display(), "watching plugins: {e}"),
                Err(RecvTimeoutError::Timeout) => {}
                Err(RecvTimeoutError::Disconnected) => return,
            }
            let quiet: Vec<PathBuf> = pending
                .iter()
                .filter(|(_, p)| p.last.elapsed() >= DEBOUNCE)
                .map(|(path, _)| path.clone())
                .collect();
            for path in quiet {
                let Some(p) = pending.remove(&path) else {
                    continue;
                };
                if let Some(change) = self.prepare(&path, p.first)
                    && self.changes.send(change).is_err()
                {
                    return;
                }
            }
        }
    }

    /// Records the component files an event touched, named as the initial
    /// load names them (the folder joined with the file name).
    fn note(&self, event: &notify::Event, pending: &mut HashMap<PathBuf, Pending>) {
        if event.kind.is_access() {
            return;
        }
        let now = Instant::now();
        for path in &event.paths {
            let Some(file) = path.file_name() else {
                continue;
            };
            let path = self.dir.join(file);
            if !is_component_file(&path) {
                continue;
            }
            pending
                .entry(path)
                .and_modify(|p| p.last = now)
                .or_insert(Pending {
                    first: now,
                    last: now,
                });
        }
    }

    /// The change a quiet file makes, or `None` when it makes none (same
    /// content, or a file that served nothing disappeared).
    fn prepare(&mut self, path: &Path, landed: Instant) -> Option<PluginChange> {
        if !path.is_file() {
            let gone = self.known.remove(path)?;
            let fallback = self.bundled.get(&gone.name).and_then(|source| {
                self.load(source)
                    .inspect_err(|e| tracing::error!(plugin = %gone.name, "bundled detector not restored: {e}"))
                    .ok()
            });
            return Some(PluginChange::Removed {
                path: path.to_owned(),
                fallback,
            });
        }
        let source = match DetectorSource::from_file(path) {
            Ok(source) => source,
            Err(error) => {
                return Some(PluginChange::Failed {
                    path: path.to_owned(),
                    error,
                });
            }
        };
        let hash = source.content_hash();
        if self.known.get(path).is_some_and(|k| k.hash == hash) {
            tracing::debug!(file = %path.display(), "component unchanged; nothing to reload");
            return None;
        }
        Some(match self.load(&source) {
            Ok(detector) => {
                let name = detector.name().to_owned();
                self.known.insert(path.to_owned(), Known { hash, name });
                PluginChange::Loaded {
                    path: path.to_owned(),
                    detector,
                    landed,
                }
            }
            Err(error) => PluginChange::Failed {
                path: path.to_owned(),
                error,
            },
        })
    }

    fn load(&self, source: &DetectorSource) -> Result<Detector, LoadError> {
        let c = &self.context;
        c.engine.load(source, &c.settings, c.state.clone())
    }
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use super::*;
    use crate::pipeline::Applied;
    use crate::runtime::{ComponentCache, Limits, MemoryStateStore, bundled_detectors};

    fn inbox_rule() -> Vec<u8> {
        bundled_detectors()
            .iter()
            .find(|b| b.package == "inbox-rule")
            .expect("inbox-rule is bundled")
            .component
            .to_vec()
    }

    /// The component with a custom section appended: another content, the
    /// same detector.
    fn rebuilt(mut bytes: Vec<u8>) -> Vec<u8> {
        bytes.extend_from_slice(&[0, 3, 1, b'v', 2]);
        bytes
    }

    #[test]
    fn pieces_make_one_change_a_bad_file_fails_and_a_removal_restores_the_bundled() {
        let dir = tempfile::tempdir().unwrap();
        let plugins = dir.path().join("plugins");
        std::fs::create_dir(&plugins).unwrap();
        let plugin = plugins.join("inbox.wasm");
        std::fs::write(&plugin, inbox_rule()).unwrap();
        let cache = ComponentCache::in_dir(dir.path().join("cache"));
        let engine = Arc::new(DetectorEngine::new(cache, Limits::default()).unwrap());
        let state: Arc<dyn StateStore> = Arc::new(MemoryStateStore::new());
        let settings = DetectorSettings::new();
        let (mut set, errors) =
            DetectorSet::load(&engine, Some(&plugins), &settings, state.clone(), 3);
        assert!(errors.is_empty(), "{errors:?}");
        let context = ReloadContext {
            engine,
            settings,
            state,
        };
        let watcher = PluginWatcher::start(&plugins, &set, context).unwrap();
        let wait = Duration::from_secs(60);

        // Written in three pieces: read once, whole.
        let bytes = rebuilt(inbox_rule());
        let mut file = std::fs::File::create(&plugin).unwrap();
        for piece in bytes.chunks(bytes.len() / 3 + 1) {
            file.write_all(piece).unwrap();
            file.flush().unwrap();
            std::thread::sleep(DEBOUNCE / 4);
        }
        drop(file);
        let change = watcher.next_timeout(wait).expect("a change");
        assert!(matches!(change, PluginChange::Loaded { .. }));
        assert!(matches!(set.apply(change), Applied::Loaded { .. }));
        assert!(watcher.next_timeout(DEBOUNCE * 3).is_none(), "read once");

        std::fs::write(&plugin, b"not a component").unwrap();
        let change = watcher.next_timeout(wait).expect("a change");
        let Applied::Failed { error, .. } = set.apply(change) else {
            panic!("a file that is not a component loads");
        };
        assert!(error.starts_with("compiling component"), "{error}");
        let served = set.detectors().find(|d| d.name() == "inbox-rule").unwrap();
        assert_eq!(served.origin(), plugin.display().to_string());

        std::fs::remove_file(&plugin).unwrap();
        let change = watcher.next_timeout(wait).expect("a change");
        assert!(matches!(set.apply(change), Applied::Removed { .. }));
        let served = set.detectors().find(|d| d.name() == "inbox-rule").unwrap();
        assert_eq!(served.origin(), "bundled:inbox-rule");
    }
}
