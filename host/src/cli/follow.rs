//! Following inputs like `tail -F` until interrupted, with the plugins
//! folder watched so new detector versions are swapped in as they land.
//!
//! Log rotation is followed too. A file truncated in place
//! (`copytruncate`) is read again from its start. A file renamed away
//! (`audit.log` to `audit.log.1`) is read to its end; a new file under the
//! old name is read from its start, and the renamed one, when it is still
//! among the inputs, goes on where it was left rather than being read
//! again. Files are told apart by their identity on disk (see
//! [`FileIdentity`]), also across restarts.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use anyhow::Context;

use crate::ingest::{self, FileIdentity, FileReader, ReadOptions};
use crate::pipeline::{Pipeline, PipelineError};

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
        restart_truncated(&mut readers, &pipeline.read_options(true));
        let mut failed = Vec::new();
        for (file, reader) in readers.iter_mut() {
            let before = pipeline.summary().records_read;
            match pipeline.drain(reader) {
                // One input that cannot be read on (its format matches
                // nothing, its data is corrupt) is left out; the others
                // are followed on.
                Err(PipelineError::Ingest(e)) => {
                    pipeline.skip_input(file, &e)?;
                    failed.push(file.clone());
                }
                other => other?,
            }
            unflushed |= pipeline.summary().records_read > before;
        }
        for file in failed {
            readers.remove(&file);
            refused.insert(file);
        }
        drop_renamed(pipeline, &mut readers);
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
    // Renamed files are recorded under their new names once all are
    // open: each is looked up by the name it had before.
    let mut renamed = Vec::new();
    let open: BTreeSet<FileIdentity> = readers.values().filter_map(FileReader::identity).collect();
    for file in files {
        if readers.contains_key(&file) || refused.contains(&file) || is_empty(&file) {
            continue;
        }
        // A file being read under the name it had: it is taken up under
        // this one once its reader has read it to the end and let it go.
        if FileIdentity::of_path(&file).is_some_and(|id| open.contains(&id)) {
            continue;
        }
        match pipeline.open_input(&file, true) {
            Ok(opened) => {
                let reader = opened.reader;
                tracing::info!(file = %file.display(), format = reader.format().map_or("not yet known", ingest::Format::name), "following input");
                pipeline.count_followed_file();
                if opened.renamed_from.is_some() {
                    renamed.push(file.clone());
                }
                readers.insert(file, reader);
            }
            Err(PipelineError::Ingest(e)) => {
                if let Err(e) = pipeline.skip_input(&file, &e) {
                    tracing::error!("recording the skipped input `{}`: {e}", file.display());
                }
                refused.insert(file);
            }
            Err(e) => {
                tracing::error!("not following `{}`: {e}", file.display());
                refused.insert(file);
            }
        }
    }
    for file in renamed {
        pipeline.record_position(&readers[&file]);
    }
}

/// Starts reading again from the start the files truncated since the
/// last look (see [`FileReader::truncated`]), before what was written
/// into them anew is read from where the old content ended.
fn restart_truncated(readers: &mut BTreeMap<PathBuf, FileReader>, options: &ReadOptions) {
    let mut failed = Vec::new();
    for (file, reader) in readers.iter_mut() {
        if !reader.truncated() {
            continue;
        }
        tracing::warn!(file = %file.display(), record = reader.position().record, "the input was truncated; reading it again from its start");
        match FileReader::open_with(file, *options) {
            Ok(fresh) => *reader = fresh,
            Err(e) => {
                tracing::error!("reading `{}` again: {e}", file.display());
                failed.push(file.clone());
            }
        }
    }
    for file in failed {
        readers.remove(&file);
    }
}

/// Drops the readers whose file no longer has their name (renamed away by
/// log rotation, or removed), once they have read what it had. Each one's
/// position is recorded, so the file is picked up under its new name where
/// it was left, and a new file under the old name is read from its start.
fn drop_renamed(pipeline: &mut Pipeline, readers: &mut BTreeMap<PathBuf, FileReader>) {
    readers.retain(|file, reader| {
        let renamed =
            reader.identity().is_some() && FileIdentity::of_path(file) != reader.identity();
        if renamed {
            pipeline.record_position(reader);
            tracing::info!(file = %file.display(), "the input was renamed or removed; a new file under its name is read from its start");
        }
        !renamed
    });
}

fn is_empty(file: &Path) -> bool {
    std::fs::metadata(file).is_ok_and(|m| m.len() == 0)
}
