//! CSV: a header row, then one record per row.
//!
//! Some exports have no header row (Cisco Umbrella's S3 logs): a
//! headerless framer names the columns itself, from the format's list of
//! names (`column14`, ... past its end), and the first row is a record.
//!
//! Rows are parsed with `csv_core`, fed incrementally, so a row's exact
//! bytes are known (for its dead letter and the resume offset) and a row
//! still being written by a follower is simply waited for.
//!
//! A row whose field count differs from the header's is a dead letter.
//! When such a row spans several lines, it is one of two things. Either a
//! quoted field was left open, and the parser ran on through the next
//! lines, joining rows into one; or the row is whole, its quoted fields
//! holding line breaks (JSON in Sentinel exports), and a column is missing
//! or extra. The next line tells them apart: if it reads as a row with the
//! header's field count, the quote was left open, so only the first line
//! becomes the dead letter and the parser starts again on the next line,
//! and one broken row cannot swallow the rest of the file. Otherwise the
//! whole row is the dead letter, with the lines after it that are parts
//! of no row (each reads as fewer than half the header's fields: the
//! pieces of a multi-line field after a quote closed early), up to the
//! next line that starts a row. Every line so ends up in an event or a
//! dead letter, and records read = events + dead letters still holds.

use csv_core::ReadRecordResult;

use super::{Body, InputBuffer, MAX_RECORD_BYTES, RawRecord, Step, too_long};
use crate::normalize::{CsvHeader, NormalizeError};

/// Cuts CSV rows, the first being the header.
#[derive(Debug)]
pub(crate) struct CsvFramer {
    reader: csv_core::Reader,
    header: Option<CsvHeader>,
    /// The column names of a file without a header row.
    names: Option<&'static [&'static str]>,
    /// The number of the last row handed out.
    row: u64,
    /// How many unconsumed bytes were fed to the parser.
    scanned: usize,
    /// Field bytes of the row being parsed, and how many are used.
    out: Vec<u8>,
    out_len: usize,
    /// Field end offsets of the row being parsed, and how many are used.
    ends: Vec<usize>,
    ends_len: usize,
    /// Inside the rest of a line longer than [`MAX_RECORD_BYTES`].
    skipping_line: bool,
}

impl CsvFramer {
    /// A framer at the start of a file, numbering rows after `row`.
    pub(crate) fn new(row: u64) -> Self {
        Self {
            reader: csv_core::Reader::new(),
            header: None,
            names: None,
            row,
            scanned: 0,
            out: vec![0; 4096],
            out_len: 0,
            ends: vec![0; 256],
            ends_len: 0,
            skipping_line: false,
        }
    }

    /// A framer for a file without a header row, its columns named
    /// `names`, numbering rows after `row`.
    pub(crate) fn headerless(row: u64, names: &'static [&'static str]) -> Self {
        Self {
            names: Some(names),
            ..Self::new(row)
        }
    }

    pub(crate) fn number(&self) -> u64 {
        self.row
    }

    pub(crate) fn header(&self) -> Option<&CsvHeader> {
        self.header.as_ref()
    }

    /// Starts parsing afresh, at the start of a row (after the header, when
    /// resuming at a saved offset).
    pub(crate) fn restart(&mut self) {
        self.reader.reset();
        self.scanned = 0;
        self.out_len = 0;
        self.ends_len = 0;
        self.skipping_line = false;
    }

    pub(crate) fn next(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        if self.skipping_line {
            return self.skip_line(buf, eof);
        }
        loop {
            if self.scanned > MAX_RECORD_BYTES {
                return self.overlong(buf);
            }
            let input = &buf.bytes()[self.scanned..];
            if input.is_empty() && !eof {
                // An empty input would tell the parser the data ended.
                return Step::NeedMore;
            }
            let (result, nin, nout, nend) = self.reader.read_record(
                input,
                &mut self.out[self.out_len..],
                &mut self.ends[self.ends_len..],
            );
            self.scanned += nin;
            self.out_len += nout;
            self.ends_len += nend;
            match result {
                ReadRecordResult::InputEmpty if !eof => return Step::NeedMore,
                ReadRecordResult::InputEmpty => {}
                ReadRecordResult::OutputFull => self.out.resize(self.out.len() * 2, 0),
                ReadRecordResult::OutputEndsFull => self.ends.resize(self.ends.len() * 2, 0),
                ReadRecordResult::Record => return self.take_row(buf, eof),
                ReadRecordResult::End => return Step::End,
            }
        }
    }

    /// Hands out the row just parsed; `eof` when the buffer holds the
    /// rest of the input.
    fn take_row(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        let consumed = std::mem::take(&mut self.scanned);
        let all = &buf.bytes()[..consumed];
        let lead = all
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        let raw = trim_terminator(&all[lead..]);
        let mut start = 0;
        let fields: Vec<&[u8]> = self.ends[..self.ends_len]
            .iter()
            .map(|&end| {
                let field = &self.out[start..end];
                start = end;
                field
            })
            .collect();
        self.out_len = 0;
        self.ends_len = 0;

        if raw.trim_ascii().is_empty() {
            buf.consume(consumed);
            return Step::Skipped;
        }
        let header = match (&mut self.header, self.names) {
            (Some(header), _) => &*header,
            (header @ None, Some(names)) => &*header.insert(named(names, fields.len())),
            (header @ None, None) => {
                let names = fields
                    .iter()
                    .map(|f| String::from_utf8_lossy(f).into_owned());
                *header = Some(CsvHeader::new(names.collect()));
                buf.consume(consumed);
                return Step::Skipped;
            }
        };

        if raw.len() > MAX_RECORD_BYTES {
            self.row += 1;
            let record = too_long(self.row, raw, "reading CSV");
            buf.consume(consumed);
            return Step::Record(record);
        }
        if fields.len() != header.len() {
            let (found, wanted) = (fields.len(), header.len());
            let newline = memchr::memchr(b'\n', raw);
            let next_line_is_a_row = match newline {
                Some(newline) => starts_with_row(&buf.bytes()[lead + newline + 1..], wanted, eof),
                None => Some(false),
            };
            let Some(next_line_is_a_row) = next_line_is_a_row else {
                // Parse the row again once the next one is in.
                self.reader.reset();
                return Step::NeedMore;
            };
            if let Some(newline) = newline.filter(|_| next_line_is_a_row) {
                self.row += 1;
                let first_line = trim_terminator(&raw[..newline]).to_vec();
                buf.consume(lead + newline + 1);
                self.reader.reset();
                let detail = format!(
                    "found {found} fields where the header has {wanted}, over several lines; \
                     a quote left open may have joined them, so only this first line is \
                     rejected and the next lines are read again as rows"
                );
                return Step::Record(broken(self.row, first_line, detail));
            }
            // The lines after it that are parts of no row (the pieces of a
            // multi-line field whose quotes no longer line up) go with it.
            let Some(fragments) = fragments_len(&buf.bytes()[consumed..], wanted, eof) else {
                self.reader.reset();
                return Step::NeedMore;
            };
            self.row += 1;
            let end = consumed + fragments;
            let raw = trim_terminator(&buf.bytes()[lead..end]).to_vec();
            let mut detail = format!("found {found} fields where the header has {wanted}");
            if fragments > 0 {
                detail.push_str(
                    "; the lines after it read as parts of no row (a quote left open or \
                     closed early), so they are kept with it",
                );
            }
            buf.consume(end);
            return Step::Record(broken(self.row, raw, detail));
        }

        self.row += 1;
        let record = match utf8_values(&fields, header) {
            Ok(values) => RawRecord {
                number: self.row,
                raw: raw.to_vec(),
                body: Body::Csv(values),
            },
            Err(detail) => broken(self.row, raw.to_vec(), detail),
        };
        buf.consume(consumed);
        Step::Record(record)
    }

    /// A row still unfinished after [`MAX_RECORD_BYTES`]: its first line
    /// is rejected and parsing starts again after it; a single line that
    /// long is rejected whole.
    fn overlong(&mut self, buf: &mut InputBuffer) -> Step {
        let bytes = &buf.bytes()[..self.scanned];
        let lead = bytes
            .iter()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
        self.row += 1;
        let record = match memchr::memchr(b'\n', &bytes[lead..]) {
            Some(newline) => {
                let line = trim_terminator(&bytes[lead..lead + newline]).to_vec();
                buf.consume(lead + newline + 1);
                let detail = format!(
                    "no row end within {} MiB; a quote left open may have joined the next \
                     lines, so only this first line is rejected",
                    MAX_RECORD_BYTES >> 20
                );
                broken(self.row, line, detail)
            }
            None => {
                let record = too_long(self.row, &bytes[lead..], "reading CSV");
                let len = bytes.len();
                buf.consume(len);
                self.skipping_line = true;
                record
            }
        };
        let skipping = self.skipping_line;
        self.restart();
        self.skipping_line = skipping;
        Step::Record(record)
    }

    /// Drops the rest of an overlong line.
    fn skip_line(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        let bytes = buf.bytes();
        match memchr::memchr(b'\n', bytes) {
            Some(newline) => {
                buf.consume(newline + 1);
                self.skipping_line = false;
                Step::Skipped
            }
            None => {
                buf.consume(bytes.len());
                if eof { Step::End } else { Step::NeedMore }
            }
        }
    }
}

/// Whether `bytes` start with a whole row of `wanted` fields; `None` when
/// that row is not whole in `bytes` yet (never when `eof`, or past
/// [`MAX_RECORD_BYTES`], where an unfinished row is not one).
fn starts_with_row(bytes: &[u8], wanted: usize, eof: bool) -> Option<bool> {
    row_width(bytes, wanted, eof).map(|width| width == wanted)
}

/// The number of fields of the row `bytes` start with, counted up to
/// `most + 1`; `None` when that row is not whole in `bytes` yet (never
/// when `eof`, or past [`MAX_RECORD_BYTES`], where an unfinished row
/// counts no fields).
fn row_width(bytes: &[u8], most: usize, eof: bool) -> Option<usize> {
    let mut reader = csv_core::Reader::new();
    // Only the count matters: field bytes overwrite each other.
    let mut out = [0; 4096];
    let mut ends = vec![0; most + 1];
    let (mut input, mut fields) = (bytes, 0);
    loop {
        let (result, nin, _, nend) = reader.read_record(input, &mut out, &mut ends[fields..]);
        input = &input[nin..];
        fields += nend;
        match result {
            ReadRecordResult::Record | ReadRecordResult::OutputEndsFull => return Some(fields),
            ReadRecordResult::OutputFull => {}
            ReadRecordResult::InputEmpty if !eof && bytes.len() <= MAX_RECORD_BYTES => {
                return None;
            }
            // The end of the input: one more call with nothing left
            // finishes the last row.
            ReadRecordResult::InputEmpty if eof && nin > 0 => {}
            _ => return Some(0),
        }
    }
}

/// How many bytes at the start of `bytes` are lines that are parts of no
/// row: each, read as a row, has fewer than half of the header's `wanted`
/// fields. `None` when more input is needed to tell.
fn fragments_len(bytes: &[u8], wanted: usize, eof: bool) -> Option<usize> {
    let mut at = 0;
    while at < bytes.len() && at <= MAX_RECORD_BYTES {
        if row_width(&bytes[at..], wanted, eof)? * 2 >= wanted {
            return Some(at);
        }
        match memchr::memchr(b'\n', &bytes[at..]) {
            Some(newline) => at += newline + 1,
            None if eof => return Some(bytes.len()),
            None => return None,
        }
    }
    (eof || at < bytes.len()).then_some(at)
}

/// A header of `count` columns named by `names`, then `column<n>`.
fn named(names: &[&str], count: usize) -> CsvHeader {
    let names = (0..count).map(|i| match names.get(i) {
        Some(name) => (*name).to_owned(),
        None => format!("column{}", i + 1),
    });
    CsvHeader::new(names.collect())
}

fn broken(row: u64, raw: Vec<u8>, detail: String) -> RawRecord {
    RawRecord {
        number: row,
        raw,
        body: Body::Broken(NormalizeError::Framing {
            step: "reading CSV",
            detail,
        }),
    }
}

/// The row's values as text, or why one is not UTF-8.
fn utf8_values(fields: &[&[u8]], header: &CsvHeader) -> Result<Vec<String>, String> {
    fields
        .iter()
        .zip(header.names())
        .map(|(field, name)| {
            String::from_utf8(field.to_vec()).map_err(|e| {
                let at = e.utf8_error().valid_up_to();
                format!("invalid UTF-8 at byte {at} of column `{name}`")
            })
        })
        .collect()
}

/// `bytes` without a final line terminator.
fn trim_terminator(bytes: &[u8]) -> &[u8] {
    let end = bytes.len()
        - bytes
            .iter()
            .rev()
            .take_while(|b| matches!(b, b'\r' | b'\n'))
            .count();
    &bytes[..end]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Numbers, raw text and whether broken, of every row of `text`
    /// fed in pieces of `piece` bytes.
    fn rows(text: &str, piece: usize) -> Vec<(u64, String, bool)> {
        let mut framer = CsvFramer::new(0);
        crate::ingest::framing::pieces::records(|b, e| framer.next(b, e), text, piece)
    }

    #[test]
    fn rows_with_quoted_newlines_are_one_record() {
        let text = "a,b,c\r\n1,\"x\ny\",3\r\n\r\n4,\"\"\"q\"\"\",6";
        let want = vec![
            (1, "1,\"x\ny\",3".to_owned(), false),
            (2, "4,\"\"\"q\"\"\",6".to_owned(), false),
        ];
        for piece in [1, 2, 5, 1000] {
            assert_eq!(rows(text, piece), want, "piece {piece}");
        }
    }

    #[test]
    fn an_unclosed_quote_rejects_one_line_and_resyncs() {
        let text = "a,b,c\n1,\"broken,3\n4,5,6\n7,8,9\n";
        let out = rows(text, 1000);
        assert_eq!(
            out,
            [
                (1, "1,\"broken,3".to_owned(), true),
                (2, "4,5,6".to_owned(), false),
                (3, "7,8,9".to_owned(), false),
            ]
        );
    }

    #[test]
    fn a_whole_row_over_several_lines_missing_a_column_is_one_dead_letter() {
        let text = "a,b,c\n1,\"{\n  x\n}\"\n4,\"{\n}\",6\n7,8,9\n";
        let want = vec![
            (1, "1,\"{\n  x\n}\"".to_owned(), true),
            (2, "4,\"{\n}\",6".to_owned(), false),
            (3, "7,8,9".to_owned(), false),
        ];
        for piece in [1, 3, 1000] {
            assert_eq!(rows(text, piece), want, "piece {piece}");
        }
    }

    #[test]
    fn an_unclosed_quote_before_rows_over_several_lines_rejects_one_line() {
        let text = "a,b,c\n1,\"broken,3\n4,\"{\n}\",6\n";
        for piece in [1, 3, 1000] {
            assert_eq!(
                rows(text, piece)[..2],
                [
                    (1, "1,\"broken,3".to_owned(), true),
                    (2, "4,\"{\n}\",6".to_owned(), false),
                ],
                "piece {piece}"
            );
        }
    }

    #[test]
    fn lines_after_a_broken_row_that_are_parts_of_no_row_go_with_it() {
        // A quote closed early in a wide row: the rest of its multi-line
        // field reads as short pieces until the next row.
        let text = "a,b,c,d,e,f,g,h\n\
                    1,\"x,3,4,5,6,7,\"{\n  \"\"k\"\": 1,\n}\",8\n\
                    1,2,3,4,5,6,7,8\n";
        let want = vec![
            (
                1,
                "1,\"x,3,4,5,6,7,\"{\n  \"\"k\"\": 1,\n}\",8".to_owned(),
                true,
            ),
            (2, "1,2,3,4,5,6,7,8".to_owned(), false),
        ];
        for piece in [1, 4, 1000] {
            assert_eq!(rows(text, piece), want, "piece {piece}");
        }
    }

    #[test]
    fn a_row_with_the_wrong_field_count_is_broken() {
        let out = rows("a,b,c\n1,2\n3,4,5\n", 3);
        assert_eq!(
            out,
            [(1, "1,2".to_owned(), true), (2, "3,4,5".to_owned(), false)]
        );
    }

    #[test]
    fn a_headerless_file_names_its_columns_and_reads_every_row() {
        let mut framer = CsvFramer::headerless(0, &["a", "b"]);
        let mut buf = InputBuffer::new();
        buf.fill(&mut &b"1,2,3\n4,5,6\n7,8\n"[..]).unwrap();
        let mut numbers = Vec::new();
        while let Step::Record(r) = framer.next(&mut buf, true) {
            numbers.push((r.number, matches!(r.body, Body::Broken(_))));
        }
        assert_eq!(numbers, [(1, false), (2, false), (3, true)]);
        assert_eq!(framer.header().unwrap().names(), ["a", "b", "column3"]);
    }

    #[test]
    fn invalid_utf8_names_the_column() {
        let mut framer = CsvFramer::new(0);
        let mut buf = InputBuffer::new();
        buf.fill(&mut &b"a,b\n1,\xff\n"[..]).unwrap();
        assert_eq!(framer.next(&mut buf, false), Step::Skipped);
        let Step::Record(RawRecord {
            body: Body::Broken(e),
            ..
        }) = framer.next(&mut buf, false)
        else {
            panic!("expected a broken row");
        };
        assert_eq!(
            e.to_string(),
            "reading CSV: invalid UTF-8 at byte 0 of column `b`"
        );
    }
}
