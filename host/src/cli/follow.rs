//! Following inputs like `tail -F` until interrupted, with the plugins
//! folder watched so new detector versions are swapped in as they land.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::ingest::{self, FileReader, IngestError, ReadOptions};
use crate::pipeline::Pipeline;

/// How often inputs are checked for new records and files.
const POLL: Duration = Duration::from_millis(250);

/// How long processed records may wait before history is flushed.
const FLUSH_EVERY: Duration = Duration::from_secs(2);

/// Reads new records of `inputs` until Ctrl-C or SIGTERM.
pub(super) fn follow(pipeline: &mut Pipeline, inputs: &[PathBuf]) -> anyhow::Result<()> {
    let stop = Arc::new(AtomicBool::new(false));
    let flag = stop.clone();
    ctrlc::set_handler(move || flag.store(true, Ordering::SeqCst))
        .context("installing the interrupt handler")?;
    // Following goes on without reloads rather than not at all.
    if let Err(e) = pipeline.watch_plugins() {
        tracing::error!("{e}; new versions of detectors are not loaded until a restart");
    }
    if let Err(e) = pipeline.watch_rules() {
        tracing::error!("{e}; changed correlation rules are not loaded until a restart");
    }
    tracing::info!(inputs = inputs.len(), "following inputs; interrupt to stop");

    let mut readers: BTreeMap<PathBuf, FileReader> = BTreeMap::new();
    let mut refused: BTreeSet<PathBuf> = BTreeSet::new();
    let mut last_flush = Instant::now();
    let mut unflushed = false;
    loop {
        let stopping = stop.load(Ordering::SeqCst);
        // New versions are swapped in between batches in `drain`; this
        // also takes them when no record arrives.
        pipeline.apply_plugin_changes();
        pipeline.apply_rule_changes();
        open_new_files(pipeline, inputs, &mut readers, &mut refused);
        for reader in readers.values_mut() {
            let before = pipeline.summary().records_read;
            pipeline.drain(reader)?;
            unflushed |= pipeline.summary().records_read > before;
        }
        if unflushed && (stopping || last_flush.elapsed() >= FLUSH_EVERY) {
            pipeline.flush()?;
            last_flush = Instant::now();
            unflushed = false;
        }
        if stopping {
            return Ok(());
        }
        pipeline.idle(POLL);
    }
}

/// Opens files that appeared under `inputs` since the last look, each where
/// an earlier run left it. A file whose format cannot be told yet (still
/// empty) is tried again later; one that cannot be read or matches no
/// format is reported once and left out (`refused`).
fn open_new_files(
    pipeline: &mut Pipeline,
    inputs: &[PathBuf],
    readers: &mut BTreeMap<PathBuf, FileReader>,
    refused: &mut BTreeSet<PathBuf>,
) {
    let files = match ingest::expand_paths(inputs) {
        Ok(files) => files,
        Err(e) => {
            tracing::warn!("listing inputs: {e}");
            return;
        }
    };
    for file in files {
        if readers.contains_key(&file) || refused.contains(&file) || is_empty(&file) {
            continue;
        }
        match open_where_left(pipeline, &file) {
            Ok(reader) => {
                tracing::info!(file = %file.display(), format = reader.format().map_or("not yet known", ingest::Format::name), "following input");
                pipeline.count_followed_file();
                readers.insert(file, reader);
            }
            Err(e) => {
                tracing::error!("not following `{}`: {e}", file.display());
                refused.insert(file);
            }
        }
    }
}

/// Opens `file` to follow it from the position the checkpoint saved for
/// it. A file that cannot be resumed there (it is now shorter: truncated
/// or replaced by log rotation) is read again from its start.
fn open_where_left(pipeline: &Pipeline, file: &Path) -> anyhow::Result<FileReader> {
    let options = ReadOptions {
        follow: true,
        ..ReadOptions::default()
    };
    let Some(start) = pipeline.saved_position(file)? else {
        return Ok(FileReader::open_with(file, options)?);
    };
    let resumed = ReadOptions {
        start: Some(start),
        ..options
    };
    match FileReader::open_with(file, resumed) {
        Ok(reader) => {
            tracing::info!(file = %file.display(), record = start.record, "resuming input where it was left");
            Ok(reader)
        }
        Err(e @ IngestError::Read { .. }) => {
            tracing::warn!(file = %file.display(), "cannot resume where the input was left ({e}); reading it again from its start");
            Ok(FileReader::open_with(file, options)?)
        }
        Err(e) => Err(e.into()),
    }
}

fn is_empty(file: &Path) -> bool {
    std::fs::metadata(file).is_ok_and(|m| m.len() == 0)
}
