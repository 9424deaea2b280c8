//! JSON arrays: each item of a top-level array is a record.
//!
//! Items are cut by a small scanner that tracks strings and nesting, not
//! parsed: the normalizer parses each item. Several arrays in a row
//! (`[...][...]`, as paged API exports are often saved) are read in turn,
//! numbering items on. The scanner is lenient where that loses nothing: a
//! missing comma between items or a stray one is passed over, and a
//! missing final `]` ends the file quietly. Text after an array that does
//! not start another one is a broken record up to the end of its line.
//!
//! The same scanner reads Azure's wrapped records
//! ([`ArrayFramer::records`]): objects `{"records": [...]}`, one after
//! another (an Event Hubs message each, often one per line), whose
//! `records` items are the records. The wrapper must hold only the
//! `records` member; any other text between wrappers is a broken record.

use super::{Body, InputBuffer, MAX_RECORD_BYTES, RawRecord, Step, too_long, trim_cr};
use crate::normalize::NormalizeError;

/// Where the scanner is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Outside any array: before the first, or after one ended.
    Outside,
    /// Inside an array, before an item.
    BeforeItem,
    /// Inside an item.
    InItem,
    /// After an item, before `,` or `]`.
    AfterItem,
    /// After the `]` of a `records` array, before the wrapper's `}`.
    ClosingWrapper,
}

/// Cuts the items of top-level JSON arrays.
#[derive(Debug)]
pub(crate) struct ArrayFramer {
    state: State,
    item: u64,
    /// How many bytes of the current item were scanned.
    scanned: usize,
    depth: u32,
    in_string: bool,
    escaped: bool,
    /// The item is a number, `true`, `false` or `null`: whitespace ends it.
    scalar: bool,
    /// Inside the rest of an item longer than [`MAX_RECORD_BYTES`].
    skipping: bool,
    /// Frames one array nested in something else (a page of a list
    /// response): its `]` ends the input, unconsumed.
    nested: bool,
    /// The arrays are the `records` members of `{"records": [...]}`.
    wrapped: bool,
}

/// What the start of some bytes says about a `{"records": [` prefix.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum RecordsPrefix {
    /// The prefix, this many bytes long (whitespace between its tokens
    /// allowed).
    Found(usize),
    /// The bytes end inside what may be the prefix.
    Partial,
    /// The bytes do not start with the prefix.
    Absent,
}

/// Whether `bytes` start with `{"records": [`, leading whitespace
/// included.
pub(crate) fn records_prefix(bytes: &[u8]) -> RecordsPrefix {
    let mut at = 0;
    for token in [&b"{"[..], b"\"records\"", b":", b"["] {
        at += bytes[at..]
            .iter()
            .take_while(|b| b.is_ascii_whitespace())
            .count();
        let rest = &bytes[at..];
        if rest.len() < token.len() {
            return if token.starts_with(rest) {
                RecordsPrefix::Partial
            } else {
                RecordsPrefix::Absent
            };
        }
        if !rest.starts_with(token) {
            return RecordsPrefix::Absent;
        }
        at += token.len();
    }
    RecordsPrefix::Found(at)
}

impl ArrayFramer {
    /// A framer at the start of the input, or (`resumed`) just after item
    /// number `item`.
    pub(crate) fn new(resumed: bool, item: u64) -> Self {
        Self {
            state: if resumed {
                State::AfterItem
            } else {
                State::Outside
            },
            item,
            scanned: 0,
            depth: 0,
            in_string: false,
            escaped: false,
            scalar: false,
            skipping: false,
            wrapped: false,
            nested: false,
        }
    }

    /// A framer of the items of `{"records": [...]}` wrappers, at the
    /// start of the input or (`resumed`) just after item number `item`.
    pub(crate) fn records(resumed: bool, item: u64) -> Self {
        Self {
            wrapped: true,
            ..Self::new(resumed, item)
        }
    }

    /// A framer inside an array that something else opened, before its
    /// first item or (`after_item`) after item number `item`. Its `]` is
    /// left unconsumed and reported as [`Step::End`].
    pub(crate) fn nested(item: u64, after_item: bool) -> Self {
        Self {
            state: if after_item {
                State::AfterItem
            } else {
                State::BeforeItem
            },
            nested: true,
            ..Self::new(false, item)
        }
    }

    pub(crate) fn number(&self) -> u64 {
        self.item
    }

    /// Whether the framer is inside an item (or the skipped rest of one).
    pub(crate) fn in_item(&self) -> bool {
        self.state == State::InItem
    }

    pub(crate) fn next(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        loop {
            if self.state == State::InItem {
                return self.scan_item(buf, eof);
            }
            let bytes = buf.bytes();
            let Some(at) = bytes.iter().position(|b| !b.is_ascii_whitespace()) else {
                buf.consume(bytes.len());
                return if eof { Step::End } else { Step::NeedMore };
            };
            buf.consume(at);
            let byte = buf.bytes()[0];
            match (self.state, byte) {
                (State::Outside, _) if self.wrapped => match records_prefix(buf.bytes()) {
                    RecordsPrefix::Found(len) => {
                        buf.consume(len);
                        self.state = State::BeforeItem;
                    }
                    RecordsPrefix::Partial if !eof => return Step::NeedMore,
                    _ => return self.trailing_text(buf, eof),
                },
                (State::Outside, b'[') | (State::AfterItem, b',') => {
                    buf.consume(1);
                    self.state = State::BeforeItem;
                }
                (State::Outside, _) => return self.trailing_text(buf, eof),
                (State::BeforeItem | State::AfterItem, b']') if self.nested => return Step::End,
                (State::BeforeItem | State::AfterItem, b']') => {
                    buf.consume(1);
                    self.state = if self.wrapped {
                        State::ClosingWrapper
                    } else {
                        State::Outside
                    };
                }
                // A wrapper closed without its `]`: nothing is lost.
                (State::ClosingWrapper, b'}') | (State::AfterItem, b'}') if self.wrapped => {
                    buf.consume(1);
                    self.state = State::Outside;
                }
                (State::ClosingWrapper, _) => {
                    self.state = State::Outside;
                    return self.trailing_text(buf, eof);
                }
                (State::BeforeItem, b',') => buf.consume(1),
                (State::BeforeItem | State::AfterItem, _) => self.start_item(byte),
                (State::InItem, _) => return self.scan_item(buf, eof),
            }
        }
    }

    fn start_item(&mut self, first: u8) {
        self.state = State::InItem;
        self.scalar = !matches!(first, b'{' | b'[' | b'"');
        self.scanned = 0;
        self.depth = 0;
        self.in_string = false;
        self.escaped = false;
    }

    /// Scans the current item; hands it out once its end is found.
    fn scan_item(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        let bytes = buf.bytes();
        if let Some(end) = self.find_item_end(bytes) {
            self.state = State::AfterItem;
            let step = if std::mem::take(&mut self.skipping) {
                Step::Skipped
            } else {
                self.item_record(&bytes[..end])
            };
            buf.consume(end);
            return step;
        }
        if self.skipping {
            buf.consume(bytes.len());
            self.scanned = 0;
        } else if bytes.len() > MAX_RECORD_BYTES {
            self.item += 1;
            let record = too_long(self.item, bytes, "reading JSON");
            buf.consume(bytes.len());
            self.scanned = 0;
            self.skipping = true;
            return Step::Record(record);
        }
        if !eof {
            return Step::NeedMore;
        }
        // The input ends inside an item: hand out what there is, and the
        // normalizer reports it truncated.
        self.state = State::Outside;
        if std::mem::take(&mut self.skipping) || buf.bytes().is_empty() {
            return Step::End;
        }
        let bytes = buf.bytes();
        let step = self.item_record(bytes);
        buf.consume(bytes.len());
        step
    }

    /// The end (exclusive) of the item starting at `bytes[0]`, scanning
    /// from where the last call stopped.
    fn find_item_end(&mut self, bytes: &[u8]) -> Option<usize> {
        for (at, &byte) in bytes.iter().enumerate().skip(self.scanned) {
            if self.in_string {
                if self.escaped {
                    self.escaped = false;
                } else if byte == b'\\' {
                    self.escaped = true;
                } else if byte == b'"' {
                    self.in_string = false;
                    if self.depth == 0 {
                        return Some(at + 1);
                    }
                }
                continue;
            }
            match byte {
                b'"' => self.in_string = true,
                b'{' | b'[' => self.depth += 1,
                b'}' | b']' if self.depth == 0 => return Some(at),
                b'}' | b']' => {
                    self.depth -= 1;
                    if self.depth == 0 {
                        return Some(at + 1);
                    }
                }
                b',' if self.depth == 0 => return Some(at),
                b if self.scalar && self.depth == 0 && b.is_ascii_whitespace() => {
                    return Some(at);
                }
                _ => {}
            }
        }
        self.scanned = bytes.len();
        None
    }

    fn item_record(&mut self, item: &[u8]) -> Step {
        self.item += 1;
        if item.len() > MAX_RECORD_BYTES {
            return Step::Record(too_long(self.item, item, "reading JSON"));
        }
        Step::Record(RawRecord {
            number: self.item,
            raw: item.to_vec(),
            body: Body::Json,
        })
    }

    /// Text after an array that does not open another: a broken record up
    /// to the end of its line.
    fn trailing_text(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        let bytes = buf.bytes();
        let end = match memchr::memchr(b'\n', bytes) {
            Some(at) => at + 1,
            None if eof || bytes.len() > MAX_RECORD_BYTES => bytes.len(),
            None => return Step::NeedMore,
        };
        self.item += 1;
        let raw = trim_cr(bytes[..end].strip_suffix(b"\n").unwrap_or(&bytes[..end]));
        let detail = if self.wrapped {
            "text outside a `{\"records\": [...]}` wrapper"
        } else {
            "text outside the JSON array"
        };
        let record = RawRecord {
            number: self.item,
            raw: raw[..raw.len().min(super::MAX_RAW_KEPT)].to_vec(),
            body: Body::Broken(NormalizeError::Framing {
                step: "reading JSON",
                detail: detail.into(),
            }),
        };
        buf.consume(end);
        Step::Record(record)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records of `text`, fed in pieces of `piece` bytes.
    fn items(text: &str, piece: usize) -> Vec<(u64, String, bool)> {
        frame(ArrayFramer::new(false, 0), text, piece)
    }

    /// The records of `{"records": [...]}` wrappers in `text`.
    fn wrapped_items(text: &str, piece: usize) -> Vec<(u64, String, bool)> {
        frame(ArrayFramer::records(false, 0), text, piece)
    }

    fn frame(mut framer: ArrayFramer, text: &str, piece: usize) -> Vec<(u64, String, bool)> {
        crate::ingest::framing::pieces::records(|b, e| framer.next(b, e), text, piece)
    }

    #[test]
    fn items_are_cut_whatever_the_read_size() {
        let text = r#" [ {"a":"x,}]\"y"}, {"b":[1,{"c":2}]} ,"s",12 , true ] "#;
        let want = vec![
            (1, r#"{"a":"x,}]\"y"}"#.to_owned(), false),
            (2, r#"{"b":[1,{"c":2}]}"#.to_owned(), false),
            (3, r#""s""#.to_owned(), false),
            (4, "12".to_owned(), false),
            (5, "true".to_owned(), false),
        ];
        for piece in [1, 2, 3, 7, 1000] {
            assert_eq!(items(text, piece), want, "piece {piece}");
        }
    }

    #[test]
    fn consecutive_arrays_continue_the_numbering() {
        let out = items("[{\"a\":1}]\n[{\"b\":2},{\"c\":3}]\n", 5);
        let numbers: Vec<u64> = out.iter().map(|r| r.0).collect();
        assert_eq!(numbers, [1, 2, 3]);
        assert!(items("[]", 1).is_empty());
    }

    #[test]
    fn truncated_items_and_trailing_text_are_records() {
        let out = items("[{\"a\":1},{\"b\":", 4);
        assert_eq!(
            out,
            [(1, "{\"a\":1}".into(), false), (2, "{\"b\":".into(), false)]
        );
        let out = items("[{\"a\":1}] garbage here\n", 4);
        assert_eq!(out[1], (2, "garbage here".into(), true));
        assert_eq!(
            items("[{\"a\":1}", 3).len(),
            1,
            "a missing `]` loses nothing"
        );
    }

    #[test]
    fn records_wrappers_give_their_items() {
        let text = "{\"records\": [{\"a\":1},{\"b\":\"}]\"}]}\n{ \"records\" :\n [\n {\"c\":3}\n ]\n}\n{\"records\":[]}";
        let want = vec![
            (1, r#"{"a":1}"#.to_owned(), false),
            (2, r#"{"b":"}]"}"#.to_owned(), false),
            (3, r#"{"c":3}"#.to_owned(), false),
        ];
        for piece in [1, 2, 5, 1000] {
            assert_eq!(wrapped_items(text, piece), want, "piece {piece}");
        }
    }

    #[test]
    fn text_outside_records_wrappers_is_a_broken_record() {
        let out = wrapped_items(
            "{\"records\":[{\"a\":1}]}\n{\"other\":[1]}\n{\"records\":[{\"b\":2}]}\n",
            4,
        );
        assert_eq!(out.len(), 3, "{out:?}");
        assert_eq!(out[0], (1, "{\"a\":1}".into(), false));
        assert_eq!(out[1], (2, "{\"other\":[1]}".into(), true));
        assert_eq!(out[2], (3, "{\"b\":2}".into(), false));
    }

    #[test]
    fn records_prefixes_are_told_apart() {
        assert_eq!(
            records_prefix(b" {\n \"records\" : [ {"),
            RecordsPrefix::Found(17)
        );
        assert_eq!(records_prefix(b"{\"rec"), RecordsPrefix::Partial);
        assert_eq!(records_prefix(b"{ "), RecordsPrefix::Partial);
        assert_eq!(records_prefix(b"{\"time\":1}"), RecordsPrefix::Absent);
        assert_eq!(records_prefix(b"[{}]"), RecordsPrefix::Absent);
    }
}
