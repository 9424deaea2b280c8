//! The checkpoint: what detectors learned and where each input was left,
//! made durable together.
//!
//! [`Checkpoint`] is an embedded transactional store (`redb`) in the data
//! folder, `checkpoint.redb`, with two tables:
//!
//! - `state`: every detector's keys and values, by detector name (the
//!   scope) and key. It is the [`StateStore`] the runtime gives detectors.
//! - `inputs`: for each input file, the [`Position`] just past the last
//!   record whose events reached history, and the [`FileIdentity`] of the
//!   file read there, so a file renamed by log rotation is known under its
//!   new name and a new file under the old name is not taken for it.
//!   (Checkpoints written before identities were kept have `positions`,
//!   read when `inputs` has no entry for a file.)
//!
//! Writes go through two stages. A detector call that succeeds commits its
//! writes here ([`StateStore::commit`]); they are visible to the next call
//! at once but held in memory. [`Checkpoint::save`] writes everything held
//! in one transaction; the pipeline calls it right after history is
//! flushed, so the durable state and positions never run ahead of the
//! durable events and findings. A process that dies between two saves
//! loses the learning and the positions of the batches since the last
//! save, and a restart reads those records again: their events keep their
//! ids, so nothing is lost and a replay is recognisable.
//!
//! Values read from the file are cached for the life of the process (the
//! process is the file's only writer), so a detector reading the same
//! baseline every batch pays for the file once.

use std::collections::HashMap;
use std::path::{Path, PathBuf};
use std::sync::{Mutex, MutexGuard, PoisonError};

use redb::{Database, ReadableDatabase, ReadableTable, TableDefinition};
use thiserror::Error;

use crate::ingest::{FileIdentity, Position};
use crate::runtime::{StateStore, StateWrites};

/// The checkpoint file's name in the data folder.
pub const CHECKPOINT_FILE: &str = "checkpoint.redb";

/// (detector name, key) → value.
const STATE: TableDefinition<(&str, &str), &[u8]> = TableDefinition::new("state");

/// A row of `INPUTS`: byte offset, record number, (device, inode).
type InputRow = (u64, u64, Option<(u64, u64)>);

/// input file path → where it was left and which file it was.
const INPUTS: TableDefinition<&str, InputRow> = TableDefinition::new("inputs");

/// input file path → (byte offset, record number): the positions of
/// checkpoints written before `INPUTS`, read only.
const POSITIONS: TableDefinition<&str, (u64, u64)> = TableDefinition::new("positions");

/// Where an input file was left, and which file it was.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SavedPosition {
    /// Just past the last record whose events reached history.
    pub position: Position,
    /// The file read; `None` when unknown (an older checkpoint, or a
    /// platform without file identities).
    pub identity: Option<FileIdentity>,
}

/// The checkpoint could not be opened or written.
#[derive(Debug, Error)]
#[error("{step} {}: {message}", path.display())]
pub struct CheckpointError {
    /// What was being done, such as "writing the checkpoint".
    step: &'static str,
    /// The checkpoint file.
    path: PathBuf,
    /// The store's reason.
    message: String,
}

/// Detector state and input positions, saved together; see the module
/// docs.
pub struct Checkpoint {
    path: PathBuf,
    db: Database,
    held: Mutex<Held>,
}

/// What the checkpoint holds in memory.
#[derive(Default)]
struct Held {
    /// Committed by detector calls, not yet saved: per scope, key → value
    /// (`None`: deleted).
    state: HashMap<String, HashMap<String, Option<Vec<u8>>>>,
    /// Values read from the file, or saved to it, per scope.
    cache: HashMap<String, HashMap<String, Option<Vec<u8>>>>,
    /// Positions recorded since the last save.
    positions: HashMap<String, SavedPosition>,
}

impl Checkpoint {
    /// Opens the checkpoint in `data_dir`, creating it when absent.
    ///
    /// # Errors
    ///
    /// When the folder or the file cannot be created, or the file is not a
    /// checkpoint (or is held by another running process).
    pub fn open(data_dir: &Path) -> Result<Self, CheckpointError> {
        let path = data_dir.join(CHECKPOINT_FILE);
        let failed = |step, message: String| CheckpointError {
            step,
            path: path.clone(),
            message,
        };
        std::fs::create_dir_all(data_dir)
            .map_err(|e| failed("creating the folder of", e.to_string()))?;
        let db = Database::create(&path).map_err(|e| failed("opening", e.to_string()))?;

        // Create both tables, so reads never meet a missing table.
        let txn = db
            .begin_write()
            .map_err(|e| failed("opening", e.to_string()))?;
        txn.open_table(STATE)
            .map_err(|e| failed("opening", e.to_string()))?;
        txn.open_table(INPUTS)
            .map_err(|e| failed("opening", e.to_string()))?;
        txn.open_table(POSITIONS)
            .map_err(|e| failed("opening", e.to_string()))?;
        txn.commit().map_err(|e| failed("opening", e.to_string()))?;

        Ok(Checkpoint {
            path,
            db,
            held: Mutex::new(Held::default()),
        })
    }

    /// The saved position of `file`, if it was read before.
    ///
    /// # Errors
    ///
    /// When the checkpoint cannot be read.
    pub fn position(&self, file: &Path) -> Result<Option<SavedPosition>, CheckpointError> {
        let key = file_key(file);
        if let Some(saved) = self.lock().positions.get(&key) {
            return Ok(Some(*saved));
        }
        let read = || -> Result<Option<SavedPosition>, redb::Error> {
            let txn = self.db.begin_read()?;
            if let Some(entry) = txn.open_table(INPUTS)?.get(key.as_str())? {
                return Ok(Some(saved_position(entry.value())));
            }
            let table = txn.open_table(POSITIONS)?;
            Ok(table.get(key.as_str())?.map(|v| {
                let (offset, record) = v.value();
                SavedPosition {
                    position: Position { offset, record },
                    identity: None,
                }
            }))
        };
        read().map_err(|e| self.error("reading", e))
    }

    /// The files whose saved position is for the file `identity`, by the
    /// name they were read under, saved or not.
    ///
    /// # Errors
    ///
    /// When the checkpoint cannot be read.
    pub fn positions_of(
        &self,
        identity: FileIdentity,
    ) -> Result<Vec<(PathBuf, Position)>, CheckpointError> {
        let held = self.lock().positions.clone();
        let read = || -> Result<Vec<(String, SavedPosition)>, redb::Error> {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(INPUTS)?;
            let mut all = Vec::new();
            for entry in table.iter()? {
                let (file, value) = entry?;
                all.push((file.value().to_owned(), saved_position(value.value())));
            }
            Ok(all)
        };
        let saved = read().map_err(|e| self.error("reading", e))?;
        let superseded = |file: &String| held.contains_key(file);
        let saved: Vec<(String, SavedPosition)> = saved
            .into_iter()
            .filter(|(file, _)| !superseded(file))
            .collect();
        let mut found: Vec<(PathBuf, Position)> = saved
            .into_iter()
            .chain(held)
            .filter(|(_, saved)| saved.identity == Some(identity))
            .map(|(file, saved)| (PathBuf::from(file), saved.position))
            .collect();
        found.sort_by(|a, b| a.0.cmp(&b.0));
        Ok(found)
    }

    /// Records that `file`, the file `identity`, has been read up to
    /// `position`; saved with the next [`save`](Self::save).
    pub fn set_position(&self, file: &Path, position: Position, identity: Option<FileIdentity>) {
        self.lock()
            .positions
            .insert(file_key(file), SavedPosition { position, identity });
    }

    /// Writes the state committed by detector calls and the positions
    /// recorded since the last save, in one transaction.
    ///
    /// # Errors
    ///
    /// When the file cannot be written; what was held stays held, so a
    /// later save can still write it.
    pub fn save(&self) -> Result<(), CheckpointError> {
        let mut held = self.lock();
        if held.state.is_empty() && held.positions.is_empty() {
            return Ok(());
        }
        self.write(&held).map_err(|e| self.error("writing", e))?;
        let Held {
            state,
            cache,
            positions,
        } = &mut *held;
        positions.clear();
        for (scope, writes) in state.drain() {
            cache.entry(scope).or_default().extend(writes);
        }
        Ok(())
    }

    fn write(&self, held: &Held) -> Result<(), redb::Error> {
        let txn = self.db.begin_write()?;
        {
            let mut table = txn.open_table(STATE)?;
            for (scope, writes) in &held.state {
                for (key, value) in writes {
                    match value {
                        Some(value) => table.insert((scope.as_str(), key.as_str()), &value[..])?,
                        None => table.remove((scope.as_str(), key.as_str()))?,
                    };
                }
            }
            let mut table = txn.open_table(INPUTS)?;
            for (file, saved) in &held.positions {
                let identity = saved.identity.map(|i| (i.device, i.inode));
                let value = (saved.position.offset, saved.position.record, identity);
                table.insert(file.as_str(), value)?;
            }
        }
        txn.commit()?;
        Ok(())
    }

    /// The number of keys saved for detector `scope` (for inspection and
    /// tests; unsaved writes are not counted).
    ///
    /// # Errors
    ///
    /// When the checkpoint cannot be read.
    pub fn saved_keys(&self, scope: &str) -> Result<usize, CheckpointError> {
        let count = || -> Result<usize, redb::Error> {
            let txn = self.db.begin_read()?;
            let table = txn.open_table(STATE)?;
            let range = table.range((scope, "")..)?;
            let mut n = 0;
            for entry in range {
                if entry?.0.value().0 != scope {
                    break;
                }
                n += 1;
            }
            Ok(n)
        };
        count().map_err(|e| self.error("reading", e))
    }

    fn read_state(&self, scope: &str, key: &str) -> Result<Option<Vec<u8>>, redb::Error> {
        let txn = self.db.begin_read()?;
        let table = txn.open_table(STATE)?;
        Ok(table.get((scope, key))?.map(|v| v.value().to_vec()))
    }

    fn lock(&self) -> MutexGuard<'_, Held> {
        self.held.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn error(&self, step: &'static str, e: impl Into<redb::Error>) -> CheckpointError {
        CheckpointError {
            step,
            path: self.path.clone(),
            message: e.into().to_string(),
        }
    }
}

impl StateStore for Checkpoint {
    fn get(&self, scope: &str, key: &str) -> Option<Vec<u8>> {
        let mut held = self.lock();
        for layer in [&held.state, &held.cache] {
            if let Some(value) = layer.get(scope).and_then(|keys| keys.get(key)) {
                return value.clone();
            }
        }
        let value = match self.read_state(scope, key) {
            Ok(value) => value,
            Err(e) => {
                // A detector cannot handle a failing store; it sees the key
                // as absent, and the operator has to look at the file.
                tracing::error!(plugin = %scope, "reading detector state: {}", self.error("reading", e));
                return None;
            }
        };
        held.cache
            .entry(scope.to_owned())
            .or_default()
            .insert(key.to_owned(), value.clone());
        value
    }

    fn commit(&self, scope: &str, writes: StateWrites) {
        if writes.is_empty() {
            return;
        }
        let mut held = self.lock();
        held.state
            .entry(scope.to_owned())
            .or_default()
            .extend(writes);
    }
}

/// A row of `INPUTS`.
fn saved_position((offset, record, identity): InputRow) -> SavedPosition {
    SavedPosition {
        position: Position { offset, record },
        identity: identity.map(|(device, inode)| FileIdentity { device, inode }),
    }
}

/// The key of an input file: its absolute path when it can be had, so the
/// same file given as `./a.log` and `/x/a.log` is one input.
fn file_key(file: &Path) -> String {
    std::fs::canonicalize(file)
        .unwrap_or_else(|_| file.to_owned())
        .to_string_lossy()
        .into_owned()
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    fn writes(pairs: &[(&str, Option<&str>)]) -> StateWrites {
        pairs
            .iter()
            .map(|(k, v)| ((*k).to_owned(), v.map(|v| v.as_bytes().to_vec())))
            .collect::<BTreeMap<_, _>>()
    }

    #[test]
    fn committed_state_is_visible_at_once_and_durable_after_save() {
        let dir = tempfile::tempdir().unwrap();
        let checkpoint = Checkpoint::open(dir.path()).unwrap();
        checkpoint.commit(
            "travel",
            writes(&[("alice", Some("NL")), ("bob", Some("US"))]),
        );
        assert_eq!(checkpoint.get("travel", "alice"), Some(b"NL".to_vec()));
        assert_eq!(checkpoint.get("domains", "alice"), None, "scopes are apart");
        assert_eq!(checkpoint.saved_keys("travel").unwrap(), 0);

        checkpoint.save().unwrap();
        checkpoint.commit("travel", writes(&[("bob", None)]));
        checkpoint.save().unwrap();
        drop(checkpoint);

        let reopened = Checkpoint::open(dir.path()).unwrap();
        assert_eq!(reopened.get("travel", "alice"), Some(b"NL".to_vec()));
        assert_eq!(reopened.get("travel", "bob"), None);
        assert_eq!(reopened.saved_keys("travel").unwrap(), 1);
    }

    #[test]
    fn what_was_not_saved_is_gone_after_a_restart() {
        let dir = tempfile::tempdir().unwrap();
        let checkpoint = Checkpoint::open(dir.path()).unwrap();
        checkpoint.commit("travel", writes(&[("alice", Some("NL"))]));
        checkpoint.set_position(
            Path::new("/logs/a.json"),
            Position {
                offset: 10,
                record: 2,
            },
            None,
        );
        drop(checkpoint);

        let reopened = Checkpoint::open(dir.path()).unwrap();
        assert_eq!(reopened.get("travel", "alice"), None);
        assert_eq!(reopened.position(Path::new("/logs/a.json")).unwrap(), None);
    }

    #[test]
    fn positions_are_saved_with_the_state() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "{}\n").unwrap();
        let checkpoint = Checkpoint::open(dir.path()).unwrap();
        let at = Position {
            offset: 3,
            record: 1,
        };
        let identity = FileIdentity {
            device: 7,
            inode: 42,
        };
        let saved = SavedPosition {
            position: at,
            identity: Some(identity),
        };
        checkpoint.set_position(&file, at, Some(identity));
        assert_eq!(checkpoint.position(&file).unwrap(), Some(saved));
        checkpoint.save().unwrap();
        drop(checkpoint);

        let reopened = Checkpoint::open(dir.path()).unwrap();
        assert_eq!(reopened.position(&file).unwrap(), Some(saved));
        let relative = file.strip_prefix(dir.path()).unwrap();
        assert_eq!(reopened.position(relative).unwrap(), None, "not this file");
    }

    #[test]
    fn a_file_is_found_by_its_identity_under_the_name_it_was_read_as() {
        let dir = tempfile::tempdir().unwrap();
        let checkpoint = Checkpoint::open(dir.path()).unwrap();
        let (old, new) = (
            FileIdentity {
                device: 1,
                inode: 10,
            },
            FileIdentity {
                device: 1,
                inode: 11,
            },
        );
        let at = |offset| Position { offset, record: 1 };
        checkpoint.set_position(Path::new("/logs/audit.jsonl"), at(500), Some(old));
        checkpoint.save().unwrap();
        assert_eq!(
            checkpoint.positions_of(old).unwrap(),
            [(PathBuf::from("/logs/audit.jsonl"), at(500))]
        );

        // A new file under the name: held, not saved yet, it wins.
        checkpoint.set_position(Path::new("/logs/audit.jsonl"), at(20), Some(new));
        assert!(checkpoint.positions_of(old).unwrap().is_empty());
        assert_eq!(
            checkpoint.positions_of(new).unwrap(),
            [(PathBuf::from("/logs/audit.jsonl"), at(20))]
        );
    }

    #[test]
    fn positions_of_an_older_checkpoint_are_still_read() {
        let dir = tempfile::tempdir().unwrap();
        let file = dir.path().join("a.json");
        std::fs::write(&file, "{}\n").unwrap();
        let key = file_key(&file);
        {
            let db = Database::create(dir.path().join(CHECKPOINT_FILE)).unwrap();
            let txn = db.begin_write().unwrap();
            txn.open_table(POSITIONS)
                .unwrap()
                .insert(key.as_str(), (3, 1))
                .unwrap();
            txn.commit().unwrap();
        }
        let checkpoint = Checkpoint::open(dir.path()).unwrap();
        assert_eq!(
            checkpoint.position(&file).unwrap(),
            Some(SavedPosition {
                position: Position {
                    offset: 3,
                    record: 1
                },
                identity: None,
            })
        );
    }

    #[test]
    fn a_file_that_is_not_a_checkpoint_is_an_error_naming_it() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join(CHECKPOINT_FILE), "not a database").unwrap();
        let err = Checkpoint::open(dir.path()).err().unwrap().to_string();
        assert!(err.starts_with("opening "), "{err}");
        assert!(err.contains(CHECKPOINT_FILE), "{err}");
    }
}
