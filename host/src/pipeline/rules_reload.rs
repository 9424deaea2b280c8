//! Hot reload of correlation rules: the rules folder watched, its rules
//! read again once the folder is quiet, and swapped in only when every
//! rule parses and plans.
//!
//! [`RulesWatcher`] receives the folder's file events (`notify`) and says
//! when a change has been followed by [`DEBOUNCE`] of quiet, so a rule
//! written in pieces is read once. [`Pipeline::apply_rule_changes`] then
//! loads the bundled rules plus the folder's, plans each against the live
//! window's tables, and replaces the correlator's rules between two
//! batches. A rule that does not parse or plan leaves the old rules
//! running; the failure is logged with the folder and the cause and
//! counted like a refused detector version.

use std::path::{Path, PathBuf};
use std::sync::mpsc::{Receiver, channel};
use std::time::Instant;

use notify::{RecursiveMode, Watcher};

use super::{DEBOUNCE, Pipeline, PipelineError};
use crate::correlate::load_rules;

/// Watches a rules folder and tells when it changed and settled.
pub struct RulesWatcher {
    dir: PathBuf,
    // Kept alive: dropping it stops the events.
    _watcher: notify::RecommendedWatcher,
    events: Receiver<()>,
    /// When the last unhandled change arrived.
    changed_at: Option<Instant>,
}

impl RulesWatcher {
    /// Starts watching `dir`.
    ///
    /// # Errors
    ///
    /// When the folder cannot be watched.
    pub fn start(dir: &Path) -> notify::Result<Self> {
        let (send, events) = channel();
        let mut watcher =
            notify::recommended_watcher(move |event: notify::Result<notify::Event>| {
                let touches_rules = event.is_ok_and(|e| {
                    !e.kind.is_access()
                        && e.paths
                            .iter()
                            .any(|p| p.extension().is_some_and(|x| x == "sql"))
                });
                if touches_rules {
                    // The receiver is gone only when the pipeline is.
                    let _ = send.send(());
                }
            })?;
        watcher.watch(dir, RecursiveMode::NonRecursive)?;
        Ok(RulesWatcher {
            dir: dir.to_owned(),
            _watcher: watcher,
            events,
            changed_at: None,
        })
    }

    /// Whether the folder changed and has been quiet for [`DEBOUNCE`]
    /// since; true once per change.
    pub fn settled(&mut self) -> bool {
        while self.events.try_recv().is_ok() {
            self.changed_at = Some(Instant::now());
        }
        match self.changed_at {
            Some(at) if at.elapsed() >= DEBOUNCE => {
                self.changed_at = None;
                true
            }
            _ => false,
        }
    }
}

impl Pipeline {
    /// Starts watching the rules folder, if one is configured.
    ///
    /// # Errors
    ///
    /// [`PipelineError::Watch`] when the folder cannot be watched.
    pub fn watch_rules(&mut self) -> Result<(), PipelineError> {
        let Some(dir) = self.rules_dir.clone() else {
            return Ok(());
        };
        let watcher =
            RulesWatcher::start(&dir).map_err(|source| PipelineError::Watch { dir, source })?;
        self.rules_watcher = Some(watcher);
        Ok(())
    }

    /// Replaces the correlation rules when the rules folder changed and
    /// settled, if every rule parses and plans; otherwise keeps the old
    /// ones and reports why. Called between two batches.
    pub fn apply_rule_changes(&mut self) {
        let Some(watcher) = self.rules_watcher.as_mut() else {
            return;
        };
        if !watcher.settled() {
            return;
        }
        let dir = watcher.dir.clone();
        let replaced =
            load_rules(Some(&dir)).and_then(|rules| self.correlator.replace_rules(rules));
        match replaced {
            Ok(()) => {
                let names: Vec<&str> = self
                    .correlator
                    .rules()
                    .iter()
                    .map(|r| r.name.as_str())
                    .collect();
                tracing::info!(folder = %dir.display(), rules = ?names, "correlation rules reloaded");
                self.summary.reloads += 1;
                self.metrics.add_reload("rules_loaded");
            }
            Err(e) => {
                tracing::warn!(folder = %dir.display(), "new rules not loaded; the old ones keep running: {e}");
                self.summary
                    .reload_failures
                    .push(format!("{}: {e}", dir.display()));
                self.metrics.add_reload("failed");
            }
        }
    }
}
