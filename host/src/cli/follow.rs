//! Following inputs like `tail -F` until interrupted.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::ingest::{self, FileReader};
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
    tracing::info!(inputs = inputs.len(), "following inputs; interrupt to stop");

    let mut readers: BTreeMap<PathBuf, FileReader> = BTreeMap::new();
    let mut refused: BTreeSet<PathBuf> = BTreeSet::new();
    let mut last_flush = Instant::now();
    let mut unflushed = false;
    loop {
        let stopping = stop.load(Ordering::SeqCst);
        open_new_files(inputs, &mut readers, &mut refused);
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
        std::thread::sleep(POLL);
    }
}

/// Opens files that appeared under `inputs` since the last look. A file
/// whose format cannot be told yet (still empty) is tried again later; one
/// that cannot be read or matches no format is reported once and left out
/// (`refused`).
fn open_new_files(
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
        match FileReader::follow(&file) {
            Ok(reader) => {
                tracing::info!(file = %file.display(), format = ?reader.format(), "following input");
                readers.insert(file, reader);
            }
            Err(e) => {
                tracing::error!("not following `{}`: {e}", file.display());
                refused.insert(file);
            }
        }
    }
}

fn is_empty(file: &std::path::Path) -> bool {
    std::fs::metadata(file).is_ok_and(|m| m.len() == 0)
}
