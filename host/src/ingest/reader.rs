//! Streaming one input file through its normalizer, chunk by chunk.

use std::path::{Path, PathBuf};

use super::detect::{Detection, SAMPLE_BYTES, detect_sample};
use super::framing::{Body, Framer, InputBuffer, RawRecord, Step};
use super::input::Source;
use super::{FileIdentity, Format, Framing, IngestError};
use crate::normalize::{CsvRow, DeadLetter, Event, NormalizeError, Normalizer, Record, ZeekRow};

/// Where a reader is in its file, to resume from.
///
/// Save it from [`NormalizedChunk::position`] once the chunk's output is
/// durable; [`ReadOptions::start`] resumes there.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
pub struct Position {
    /// Byte offset in the (decompressed) file just past the last record
    /// read.
    pub offset: u64,
    /// The number of the last record read: its line number (JSON lines,
    /// Zeek TSV), row number (CSV) or item number (JSON arrays). Records
    /// after it are numbered on from here.
    pub record: u64,
}

/// How to read a file.
#[derive(Debug, Clone, Copy, Default)]
pub struct ReadOptions {
    /// Read the file as this format instead of detecting one.
    pub format: Option<Format>,
    /// Follow the file as it grows: a last line without its newline is
    /// waited for instead of read as a record, and reading past the end
    /// later picks up what was appended. For plain files; a gzip file is
    /// read to its end once.
    pub follow: bool,
    /// Resume at this position instead of the start. Plain files seek to
    /// it; gzip files are decompressed up to it.
    pub start: Option<Position>,
}

/// The output of one [`FileReader::next_chunk`] call.
#[derive(Debug, Default)]
pub struct NormalizedChunk {
    /// The events of the records read, in file order.
    pub events: Vec<Event>,
    /// One per record that could not be normalized.
    pub dead_letters: Vec<DeadLetter>,
    /// Records read: each gave at least one event or one dead letter.
    pub records_read: u64,
    /// Where the reader is after this chunk.
    pub position: Position,
}

/// Reads one input file: detects its format, frames its records and
/// normalizes them, a chunk at a time.
pub struct FileReader {
    path: PathBuf,
    /// The file name, for dead-letter reasons.
    name: String,
    source: Source,
    /// The identity of the file opened, whatever name it has now.
    identity: Option<FileIdentity>,
    /// The first bytes read of the file (up to [`HEAD_BYTES`]), to tell
    /// when it was truncated and written anew.
    head: Vec<u8>,
    buf: InputBuffer,
    options: ReadOptions,
    active: Option<Active>,
    /// The input ended and everything in it was read (never when
    /// following).
    done: bool,
}

/// A reader's state once the format is known.
struct Active {
    format: Format,
    framer: Framer,
    normalizer: Box<dyn Normalizer>,
}

impl FileReader {
    /// Opens `path` to read it once, to its end.
    ///
    /// # Errors
    ///
    /// As [`FileReader::open_with`].
    pub fn open(path: &Path) -> Result<Self, IngestError> {
        Self::open_with(path, ReadOptions::default())
    }

    /// Opens `path` to follow it as it grows.
    ///
    /// # Errors
    ///
    /// As [`FileReader::open_with`].
    pub fn follow(path: &Path) -> Result<Self, IngestError> {
        let options = ReadOptions {
            follow: true,
            ..ReadOptions::default()
        };
        Self::open_with(path, options)
    }

    /// Opens `path` and detects its format from its first bytes.
    ///
    /// An empty file (or one of whitespace only) opens with no format and
    /// no records; when followed, its format is detected once content
    /// arrives.
    ///
    /// # Errors
    ///
    /// When the file cannot be opened or read, when no format matches its
    /// content (`UnknownFormat`, naming the file), or when the resume
    /// position is past its end.
    pub fn open_with(path: &Path, options: ReadOptions) -> Result<Self, IngestError> {
        Self::start(path, Source::open(path)?, options)
    }

    /// Reads records held in memory as if they were the content of a file
    /// (plain, not gzip): detection, framing and normalization are those
    /// of a file. `name` stands for the file in errors and dead letters.
    ///
    /// # Errors
    ///
    /// When no format matches the content (`UnknownFormat`, naming
    /// `name`).
    pub fn from_bytes(
        name: &Path,
        bytes: Vec<u8>,
        options: ReadOptions,
    ) -> Result<Self, IngestError> {
        let options = ReadOptions {
            follow: false,
            ..options
        };
        Self::start(name, Source::Memory(std::io::Cursor::new(bytes)), options)
    }

    fn start(path: &Path, source: Source, options: ReadOptions) -> Result<Self, IngestError> {
        let name = file_name(path);
        let mut reader = FileReader {
            path: path.to_owned(),
            name,
            identity: source.identity(),
            head: Vec::new(),
            source,
            buf: InputBuffer::new(),
            options,
            active: None,
            done: false,
        };
        reader.try_activate()?;
        Ok(reader)
    }

    /// The file read.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Whether the input is a stream (standard input, a named pipe): read
    /// once as it comes, with no position to take it up at later.
    pub fn is_stream(&self) -> bool {
        self.source.is_stream()
    }

    /// The identity of the file opened; it stays with the file when the
    /// file is renamed. `None` for records in memory, and on platforms
    /// without file identities.
    pub fn identity(&self) -> Option<FileIdentity> {
        self.identity
    }

    /// Whether the file was truncated since it was read (as
    /// `copytruncate` log rotation does), so that what is in it now is
    /// new: it is shorter than what was read, or its first bytes are not
    /// those read. Always false for gzip files and records in memory.
    pub fn truncated(&self) -> bool {
        if self.source.shorter_than(self.buf.offset()) {
            return true;
        }
        !self.head.is_empty()
            && self
                .source
                .head(self.head.len())
                .is_some_and(|now| now != self.head)
    }

    /// The file's format; `None` while the file has no content.
    pub fn format(&self) -> Option<Format> {
        self.active.as_ref().map(|a| a.format)
    }

    /// Where the reader is: after the last record handed out.
    pub fn position(&self) -> Position {
        Position {
            offset: self.buf.offset(),
            record: self.active.as_ref().map_or(0, |a| a.framer.number()),
        }
    }

    /// Why a compressed file's data ended early, when it did: the records
    /// before were read (the last, cut short, is a dead letter), the rest
    /// is lost.
    pub fn damage(&self) -> Option<&str> {
        self.source.damage()
    }

    /// Normalizes up to `max_records` more records.
    ///
    /// `None` when no record is left for now: at the end of the file, or,
    /// when following, until more is appended (call again later).
    ///
    /// # Errors
    ///
    /// When reading fails (an I/O error), or when content appended to a
    /// followed empty file matches no format. Bad records are not errors:
    /// they are the chunk's dead letters; compressed data that ends early
    /// ends the input ([`FileReader::damage`]).
    pub fn next_chunk(
        &mut self,
        max_records: usize,
    ) -> Result<Option<NormalizedChunk>, IngestError> {
        if self.active.is_none() {
            self.try_activate()?;
        }
        let Some(active) = self.active.as_mut() else {
            return Ok(None);
        };
        let mut chunk = NormalizedChunk::default();
        let mut starved = false;
        let mut out = Vec::new();
        while chunk.records_read < max_records.max(1) as u64 && !self.done {
            let eof = self.buf.at_eof() && !self.options.follow;
            match active.framer.next(&mut self.buf, eof) {
                Step::Record(record) => {
                    chunk.records_read += 1;
                    let letter = normalize(active, record, &mut out, &self.path, &self.name);
                    chunk.events.append(&mut out);
                    chunk.dead_letters.extend(letter);
                }
                Step::Skipped => {}
                Step::NeedMore if starved => break,
                Step::NeedMore => {
                    let read = self.buf.fill(&mut self.source);
                    let read = read.map_err(|source| IngestError::Read {
                        path: self.path.clone(),
                        source,
                    })?;
                    starved = read == 0 && self.options.follow;
                }
                Step::End => self.done = true,
            }
        }
        chunk.position = Position {
            offset: self.buf.offset(),
            record: active.framer.number(),
        };
        if self.options.follow && self.head.len() < HEAD_BYTES {
            // The start of the file as read, to compare with later.
            let wanted = chunk.position.offset.min(HEAD_BYTES as u64) as usize;
            if self.head.len() < wanted {
                self.head = self.source.head(wanted).unwrap_or_default();
            }
        }
        Ok((chunk.records_read > 0).then_some(chunk))
    }

    /// Detects the format once there is enough content, then sets up the
    /// framer and moves to the resume position.
    fn try_activate(&mut self) -> Result<(), IngestError> {
        let Some((format, framing)) = self.detect()? else {
            return Ok(());
        };
        let start = self.options.start.unwrap_or_default();
        let resumed = start.offset > 0;
        if framing == Framing::ZeekTsv && resumed {
            // Header lines can come anywhere: the ones before the resume
            // offset are read again, and the rows between are dropped.
            let mut framer = Framer::new(framing, false, 0);
            self.replay(&mut framer, start.offset)?;
            self.activate(format, framing, framer);
            return Ok(());
        }
        let mut framer = Framer::new(framing, resumed, start.record);
        if framing == Framing::Csv {
            // The header is at the start, wherever reading resumes.
            self.read_header(&mut framer)?;
        }
        if resumed {
            self.seek(start.offset)?;
            if let Framer::Csv(csv) = &mut framer {
                csv.restart();
            }
        }
        self.activate(format, framing, framer);
        Ok(())
    }

    fn activate(&mut self, format: Format, framing: Framing, framer: Framer) {
        tracing::debug!(file = %self.path.display(), format = format.name(), ?framing, "format detected");
        self.active = Some(Active {
            format,
            framer,
            normalizer: format.normalizer(),
        });
    }

    /// Frames the input from its start up to `offset`, dropping the
    /// records: the framer then knows the header lines before `offset`
    /// and numbers the lines after it.
    fn replay(&mut self, framer: &mut Framer, offset: u64) -> Result<(), IngestError> {
        while self.buf.offset() < offset {
            let eof = self.buf.at_eof();
            match framer.next(&mut self.buf, eof) {
                Step::Record(_) | Step::Skipped => {}
                Step::NeedMore => {
                    self.buf
                        .fill(&mut self.source)
                        .map_err(|source| IngestError::Read {
                            path: self.path.clone(),
                            source,
                        })?;
                }
                Step::End => {
                    let source = std::io::Error::new(
                        std::io::ErrorKind::UnexpectedEof,
                        format!("cannot resume at byte {offset}: the file ends before it"),
                    );
                    return Err(IngestError::Read {
                        path: self.path.clone(),
                        source,
                    });
                }
            }
        }
        Ok(())
    }

    /// The format and framing, reading up to [`SAMPLE_BYTES`] first;
    /// `None` while there is no content, or (following) no whole first
    /// record yet.
    fn detect(&mut self) -> Result<Option<(Format, Framing)>, IngestError> {
        let mut exhausted = false;
        loop {
            let bytes = self.buf.bytes();
            let complete = (exhausted && !self.options.follow) || bytes.len() >= SAMPLE_BYTES;
            match detect_sample(bytes, complete, self.options.format) {
                Detection::Found(format, framing) => {
                    self.skip_bom();
                    return Ok(Some((format, framing)));
                }
                Detection::Unknown => return Err(self.unknown_format()),
                Detection::Empty | Detection::NeedMore if exhausted || complete => return Ok(None),
                Detection::Empty | Detection::NeedMore => {
                    let read = self.buf.fill(&mut self.source);
                    let read = read.map_err(|source| IngestError::Read {
                        path: self.path.clone(),
                        source,
                    })?;
                    exhausted = read == 0;
                }
            }
        }
    }

    fn skip_bom(&mut self) {
        if self.buf.offset() == 0 && self.buf.bytes().starts_with(b"\xEF\xBB\xBF") {
            self.buf.consume(3);
        }
    }

    fn read_header(&mut self, framer: &mut Framer) -> Result<(), IngestError> {
        while framer.header().is_none() {
            let eof = self.buf.at_eof() && !self.options.follow;
            match framer.next(&mut self.buf, eof) {
                Step::NeedMore if self.buf.at_eof() => return Ok(()),
                Step::NeedMore => {
                    self.buf
                        .fill(&mut self.source)
                        .map_err(|source| IngestError::Read {
                            path: self.path.clone(),
                            source,
                        })?;
                }
                Step::End => return Ok(()),
                Step::Record(_) | Step::Skipped => {}
            }
        }
        Ok(())
    }

    /// Moves to input `offset`, dropping what is buffered.
    fn seek(&mut self, offset: u64) -> Result<(), IngestError> {
        if offset >= self.buf.offset() && offset <= self.buf.end_offset() {
            let skip = usize::try_from(offset - self.buf.offset()).unwrap_or(usize::MAX);
            self.buf.consume(skip);
            return Ok(());
        }
        let done = self.buf.end_offset();
        self.source
            .skip_to(offset, done)
            .map_err(|source| IngestError::Read {
                path: self.path.clone(),
                source,
            })?;
        self.buf.restart_at(offset);
        Ok(())
    }

    fn unknown_format(&self) -> IngestError {
        let head = &self.buf.bytes()[..self.buf.bytes().len().min(200)];
        let text = String::from_utf8_lossy(head);
        let first_line = text.lines().find(|l| !l.trim().is_empty()).unwrap_or("");
        // Control characters are escaped: the text ends up on a terminal.
        let start: String = first_line
            .chars()
            .take(60)
            .flat_map(|c| {
                let escaped = c.is_control().then(|| c.escape_default());
                escaped
                    .into_iter()
                    .flatten()
                    .chain((!c.is_control()).then_some(c))
            })
            .collect();
        match self.options.format {
            Some(format) => IngestError::NotInFormat {
                path: self.path.clone(),
                format: format.name(),
                start,
            },
            None => IngestError::UnknownFormat {
                path: self.path.clone(),
                start,
            },
        }
    }
}

/// Normalizes one framed record into `out`, or returns its dead letter.
fn normalize(
    active: &Active,
    record: RawRecord,
    out: &mut Vec<Event>,
    path: &Path,
    name: &str,
) -> Option<DeadLetter> {
    let result = match &record.body {
        Body::Json => match std::str::from_utf8(&record.raw) {
            Ok(text) => active.normalizer.normalize(&Record::Json(text), out),
            Err(e) => Err(NormalizeError::Framing {
                step: "decoding text",
                detail: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            }),
        },
        Body::ZeekTsv => match (
            std::str::from_utf8(&record.raw),
            active.framer.zeek_header(),
        ) {
            (Ok(line), Some(header)) => {
                let row = ZeekRow { header, line };
                active.normalizer.normalize(&Record::ZeekTsv(row), out)
            }
            (Err(e), _) => Err(NormalizeError::Framing {
                step: "decoding text",
                detail: format!("invalid UTF-8 at byte {}", e.valid_up_to()),
            }),
            (Ok(_), None) => Err(NormalizeError::Framing {
                step: "reading Zeek TSV",
                detail: "no header".into(),
            }),
        },
        Body::Csv(values) => match active.framer.header() {
            Some(header) => {
                let row = CsvRow { header, values };
                active.normalizer.normalize(&Record::Csv(row), out)
            }
            None => Err(NormalizeError::Framing {
                step: "reading CSV",
                detail: "no header row".into(),
            }),
        },
        Body::Broken(error) => Err(error.clone()),
    };
    let error = match result {
        Ok(()) if !out.is_empty() => return None,
        Ok(()) => NormalizeError::Framing {
            step: "normalizing",
            detail: "the record gave no event".into(),
        },
        Err(error) => error,
    };
    out.clear();
    Some(DeadLetter {
        source_file: path.display().to_string(),
        record: record.number,
        format: Some(active.format.name().to_owned()),
        reason: error.located(record.number, name),
        raw: String::from_utf8_lossy(&record.raw).into_owned(),
    })
}

/// How many of a followed file's first bytes are kept to tell a file
/// truncated and written anew from one that grew.
const HEAD_BYTES: usize = 256;

/// The file name of `path`, for dead-letter reasons.
fn file_name(path: &Path) -> String {
    path.file_name().map_or_else(
        || path.display().to_string(),
        |n| n.to_string_lossy().into_owned(),
    )
}

#[cfg(test)]
mod tests;
