//! Opening an input where an earlier run left it.
//!
//! The checkpoint keeps, for each input file, the position just past the
//! last record whose events reached history and the file's identity on
//! disk ([`FileIdentity`]). An input is opened there when the file under
//! its name is the one read before; when the name now holds another file
//! (log rotation put a new file in its place), that file is read from its
//! start; and a file met under a new name (`audit.log.1`) is taken up
//! where it was left under its old one. A file that is shorter than its
//! saved position (truncated) is read again from its start.

use std::path::{Path, PathBuf};

use super::{Pipeline, PipelineError};
use crate::ingest::{FileIdentity, FileReader, IngestError, Position, ReadOptions};

/// An input opened by [`Pipeline::open_input`].
pub struct OpenedInput {
    /// The reader, at the position the input is taken up at.
    pub reader: FileReader,
    /// The record an earlier run left the file at; `None` when it is
    /// read from its start.
    pub resumed_at: Option<u64>,
    /// The name the file was read under before, when it was renamed
    /// since.
    pub renamed_from: Option<PathBuf>,
    /// Read from its start (`from_start`) though an earlier run into this
    /// data folder had read records of it: they reach history again.
    pub read_again: bool,
}

impl Pipeline {
    /// Opens `file` where an earlier run into this data folder left it
    /// (see the module docs), or at its start with
    /// [`PipelineOptions::from_start`](super::PipelineOptions::from_start).
    /// `follow` keeps the reader waiting for more at the end of the file.
    ///
    /// # Errors
    ///
    /// When the checkpoint cannot be read, or the file cannot be opened
    /// or its format told.
    pub fn open_input(&self, file: &Path, follow: bool) -> Result<OpenedInput, PipelineError> {
        let options = self.read_options(follow);
        let from_start = |read_again: bool| -> Result<OpenedInput, PipelineError> {
            Ok(OpenedInput {
                reader: FileReader::open_with(file, options)?,
                resumed_at: None,
                renamed_from: None,
                read_again,
            })
        };
        if self.from_start {
            let saved = self.checkpoint.position(file)?;
            return from_start(saved.is_some_and(|saved| saved.position.record > 0));
        }
        let identity = FileIdentity::of_path(file);
        let known = |saved: Option<FileIdentity>| {
            saved.is_none() || identity.is_none() || saved == identity
        };
        let (start, renamed_from) = match self.checkpoint.position(file)? {
            Some(saved) if known(saved.identity) => (saved.position, None),
            _ => match self.renamed_from(identity)? {
                Some((from, position)) => (position, Some(from)),
                None => return from_start(false),
            },
        };
        let resumed = ReadOptions {
            start: Some(start),
            ..options
        };
        match FileReader::open_with(file, resumed) {
            Ok(reader) => {
                match &renamed_from {
                    Some(from) => {
                        tracing::info!(file = %file.display(), from = %from.display(), record = start.record, "going on with a renamed input where it was left");
                    }
                    None => {
                        tracing::info!(file = %file.display(), record = start.record, "resuming input where it was left");
                    }
                }
                Ok(OpenedInput {
                    reader,
                    resumed_at: Some(start.record),
                    renamed_from,
                    read_again: false,
                })
            }
            Err(e @ IngestError::Read { .. }) => {
                tracing::warn!(file = %file.display(), "cannot resume where the input was left ({e}); reading it again from its start");
                from_start(false)
            }
            Err(e) => Err(e.into()),
        }
    }

    /// How inputs are read: followed or to their end, in the configured
    /// format or the one their content tells.
    pub fn read_options(&self, follow: bool) -> ReadOptions {
        ReadOptions {
            follow,
            format: self.format,
            ..ReadOptions::default()
        }
    }

    /// The name the file `identity` was read under and where it was left,
    /// when that name now names another file or none: the file was
    /// renamed since. A name still naming it is not a rename (the same
    /// file listed twice), and an inode number reused by a new file finds
    /// no such entry unless the old name is gone too.
    fn renamed_from(
        &self,
        identity: Option<FileIdentity>,
    ) -> Result<Option<(PathBuf, Position)>, PipelineError> {
        let Some(identity) = identity else {
            return Ok(None);
        };
        Ok(self
            .checkpoint
            .positions_of(identity)?
            .into_iter()
            .find(|(name, _)| FileIdentity::of_path(name) != Some(identity)))
    }

    /// Records where `reader` is, under its current name, to be saved with
    /// the next flush.
    pub fn record_position(&self, reader: &FileReader) {
        self.record_position_at(reader, reader.position());
    }

    /// Records `position` as where `reader` is; nothing for a stream
    /// (standard input, a named pipe): with no position saved, it is read
    /// from its start every time, as it comes.
    pub(super) fn record_position_at(&self, reader: &FileReader, position: Position) {
        if !reader.is_stream() {
            self.checkpoint
                .set_position(reader.path(), position, reader.identity());
        }
    }
}
