//! Cutting a byte stream into records: JSON lines, JSON array items (bare,
//! in Azure's `{"records": [...]}` wrappers, or the items of Google API
//! list pages), CSV rows, Zeek TSV rows.
//!
//! A framer scans an [`InputBuffer`] and hands out one [`RawRecord`] at a
//! time. It never needs the whole file: a record is held only until it is
//! complete, then consumed. When the buffered bytes end inside a record,
//! the framer asks for more ([`Step::NeedMore`]); at the true end of the
//! input (`eof`, which a follower never sets) a trailing partial record is
//! handed out as it is, and a normalizer or the framer rejects it.
//!
//! Records longer than [`MAX_RECORD_BYTES`] are handed out as broken
//! records keeping their first [`MAX_RAW_KEPT`] bytes, and the rest of
//! them is skipped, so one runaway record cannot exhaust memory.

mod array;
mod buffer;
mod csv;
mod lines;
mod pages;
mod zeek;

pub(crate) use array::{ArrayFramer, RecordsPrefix, records_prefix};
pub(crate) use buffer::InputBuffer;
pub(crate) use csv::CsvFramer;
pub(crate) use lines::LineFramer;
pub(crate) use pages::PageFramer;
pub(crate) use zeek::ZeekTsvFramer;

use crate::normalize::{CsvHeader, NormalizeError, ZeekHeader};

/// Longest record read whole, in bytes (16 MiB): a longer one is a dead
/// letter. Real audit records stay far below (a few KiB; a
/// `MailItemsAccessed` listing thousands of messages, a few hundred KiB).
pub const MAX_RECORD_BYTES: usize = 16 << 20;

/// How much of a record longer than [`MAX_RECORD_BYTES`] its dead letter
/// keeps (64 KiB).
pub(crate) const MAX_RAW_KEPT: usize = 64 << 10;

/// One record as cut from the input.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct RawRecord {
    /// Line number (JSON lines, Zeek TSV), row number after the header
    /// (CSV) or item number (JSON arrays), from 1.
    pub number: u64,
    /// The record's bytes, without line terminator.
    pub raw: Vec<u8>,
    /// What the framer made of it.
    pub body: Body,
}

/// The content of a [`RawRecord`].
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Body {
    /// A JSON text, in `raw`.
    Json,
    /// A CSV row with one value per header column.
    Csv(Vec<String>),
    /// A Zeek TSV row in `raw`, with as many fields as the framer's
    /// header names.
    ZeekTsv,
    /// A record the framer already knows is bad, and why.
    Broken(NormalizeError),
}

/// What a framer found next.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Step {
    /// A record.
    Record(RawRecord),
    /// Something that is not a record (a blank line, the CSV header) was
    /// consumed.
    Skipped,
    /// The buffered bytes end inside a record.
    NeedMore,
    /// The input ended and everything in it was handed out.
    End,
}

/// A framer of one of the [`super::Framing`]s.
#[derive(Debug)]
pub(crate) enum Framer {
    Lines(LineFramer),
    Array(ArrayFramer),
    Pages(PageFramer),
    /// Boxed: the CSV parser's tables make it large.
    Csv(Box<CsvFramer>),
    /// Boxed: the header keeps each field's layout.
    ZeekTsv(Box<ZeekTsvFramer>),
}

impl Framer {
    /// A framer for `framing`, resuming after record `number` when the
    /// input is positioned past the start.
    pub(crate) fn new(framing: super::Framing, resumed: bool, number: u64) -> Self {
        match framing {
            super::Framing::JsonLines => Framer::Lines(LineFramer::new(number)),
            super::Framing::JsonArray => Framer::Array(ArrayFramer::new(resumed, number)),
            super::Framing::JsonRecords => Framer::Array(ArrayFramer::records(resumed, number)),
            super::Framing::JsonPages => Framer::Pages(PageFramer::new(resumed, number)),
            super::Framing::Csv => Framer::Csv(Box::new(CsvFramer::new(number))),
            super::Framing::HeaderlessCsv(names) => {
                Framer::Csv(Box::new(CsvFramer::headerless(number, names)))
            }
            super::Framing::ZeekTsv => Framer::ZeekTsv(Box::new(ZeekTsvFramer::new(number))),
        }
    }

    /// The next record or what stops it.
    pub(crate) fn next(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        match self {
            Framer::Lines(f) => f.next(buf, eof),
            Framer::Array(f) => f.next(buf, eof),
            Framer::Pages(f) => f.next(buf, eof),
            Framer::Csv(f) => f.next(buf, eof),
            Framer::ZeekTsv(f) => f.next(buf, eof),
        }
    }

    /// The number of the last record handed out (line number for JSON
    /// lines, counting blank lines).
    pub(crate) fn number(&self) -> u64 {
        match self {
            Framer::Lines(f) => f.number(),
            Framer::Array(f) => f.number(),
            Framer::Pages(f) => f.number(),
            Framer::Csv(f) => f.number(),
            Framer::ZeekTsv(f) => f.number(),
        }
    }

    /// The CSV header, once read.
    pub(crate) fn header(&self) -> Option<&CsvHeader> {
        match self {
            Framer::Csv(f) => f.header(),
            _ => None,
        }
    }

    /// The Zeek header in force, for a Zeek TSV framer.
    pub(crate) fn zeek_header(&self) -> Option<&ZeekHeader> {
        match self {
            Framer::ZeekTsv(f) => Some(f.header()),
            _ => None,
        }
    }
}

/// A broken record for a record longer than [`MAX_RECORD_BYTES`].
pub(crate) fn too_long(number: u64, bytes: &[u8], what: &'static str) -> RawRecord {
    RawRecord {
        number,
        raw: bytes[..bytes.len().min(MAX_RAW_KEPT)].to_vec(),
        body: Body::Broken(NormalizeError::Framing {
            step: what,
            detail: format!(
                "longer than {} MiB; the dead letter keeps its first {} KiB",
                MAX_RECORD_BYTES >> 20,
                MAX_RAW_KEPT >> 10
            ),
        }),
    }
}

/// `bytes` without a final `\r`.
pub(crate) fn trim_cr(bytes: &[u8]) -> &[u8] {
    bytes.strip_suffix(b"\r").unwrap_or(bytes)
}

/// Feeding framers in pieces, for their tests.
#[cfg(test)]
pub(crate) mod pieces {
    use super::{Body, InputBuffer, Step};

    /// Number, raw text and whether broken, of every record `next` cuts
    /// from `text` fed in pieces of `piece` bytes.
    pub(crate) fn records(
        mut next: impl FnMut(&mut InputBuffer, bool) -> Step,
        text: &str,
        piece: usize,
    ) -> Vec<(u64, String, bool)> {
        let mut buf = InputBuffer::new();
        let mut rest = text.as_bytes();
        let mut out = Vec::new();
        loop {
            let eof = rest.is_empty() && buf.at_eof();
            match next(&mut buf, eof) {
                Step::Record(r) => out.push((
                    r.number,
                    String::from_utf8_lossy(&r.raw).into_owned(),
                    matches!(r.body, Body::Broken(_)),
                )),
                Step::Skipped => {}
                Step::NeedMore => {
                    let (head, tail) = rest.split_at(piece.min(rest.len()));
                    rest = tail;
                    buf.fill(&mut &head[..]).unwrap();
                }
                Step::End => return out,
            }
        }
    }
}
