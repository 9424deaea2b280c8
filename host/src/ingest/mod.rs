//! Reading inputs: files and folders, plain or gzip, each in a format
//! detected from its content.
//!
//! - [`open`] opens one file, decompressing gzip (told by its magic bytes,
//!   not its name); [`walk`] and [`expand_paths`] list the files under
//!   folders, recursively, sorted, without hidden files.
//! - [`Format`] names a vendor format; detection sniffs the first bytes of
//!   a file (JSON lines, a JSON array, Azure's `{"records": [...]}`
//!   wrappers, Google API list pages, a CSV header or first row, Zeek's
//!   `#separator` line, and the vendor keys in them) and each format
//!   names its [`Normalizer`](crate::normalize::Normalizer);
//!   `Format::ALL` lists them.
//! - [`FileReader`] streams one file: it frames records (JSON lines, JSON
//!   array, `records` or list-page items, CSV rows with or without a
//!   header row, Zeek TSV rows under their `#` header lines), normalizes
//!   them chunk by chunk so a file of millions of records is never held in
//!   memory, and turns every record that fails into a dead letter. It can
//!   resume at a [`Position`] and follow a growing file.
//!
//! The invariant: every record read yields at least one event or exactly
//! one dead letter, so records in = records with events + dead letters.
//! Blank lines are not records. An empty file is not an error: it has no
//! records and, until it gets some, no format.

mod detect;
mod framing;
mod identity;
mod input;
mod reader;

use std::io;
use std::path::PathBuf;

use thiserror::Error;

pub use detect::{Format, Framing, detect};
pub use framing::MAX_RECORD_BYTES;
pub use identity::FileIdentity;
pub use input::{STDIN, expand_paths, is_stdin, open, walk};
pub use reader::{FileReader, NormalizedChunk, Position, ReadOptions};

/// Why an input could not be read.
///
/// A record that cannot be normalized is not an error but a dead letter;
/// these errors stop the reading of one file.
#[derive(Debug, Error)]
pub enum IngestError {
    /// The file or folder could not be opened.
    #[error("opening {}: {source}", path.display())]
    Open {
        /// The path given.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// Reading the file failed part way, including corrupt gzip data.
    #[error("reading {}: {source}", path.display())]
    Read {
        /// The file.
        path: PathBuf,
        /// The system's or decompressor's reason.
        source: io::Error,
    },
    /// Listing a folder failed.
    #[error("listing {}: {source}", path.display())]
    Walk {
        /// The folder.
        path: PathBuf,
        /// The system's reason.
        source: io::Error,
    },
    /// No known format matches the file's content.
    #[error("detecting the format of {}: no known format matches; it starts with `{start}`", path.display())]
    UnknownFormat {
        /// The file.
        path: PathBuf,
        /// Its first characters, lossily decoded.
        start: String,
    },
    /// The content of a file given a format cannot be read as that format
    /// (a CSV format given JSON, ...).
    #[error("reading {} as {format}: its content is not in that format; it starts with `{start}`", path.display())]
    NotInFormat {
        /// The file.
        path: PathBuf,
        /// The format's name.
        format: &'static str,
        /// Its first characters, lossily decoded.
        start: String,
    },
    /// A format name that is not one of [`Format::ALL`].
    #[error("unknown format name `{0}`; known formats: {known}", known = Format::names())]
    UnknownFormatName(String),
}
