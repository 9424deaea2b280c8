//! Pages of Google API list responses: the items of each page's `items`
//! array are the records.
//!
//! A list call such as the Reports API's `activities.list` answers with
//! `{"kind": "admin#reports#activities", "etag": ..., "items": [...],
//! "nextPageToken": ...}`. Collectors save the pages one after another,
//! one per line or pretty-printed. The framer reads each top-level object
//! up to the `[` of its `items` array, hands the array to an
//! [`ArrayFramer`], and passes over the rest of the page after its `]`.
//! Items are numbered on across pages, as the items of consecutive arrays
//! are.
//!
//! A page without `items` (Google leaves the key out of an empty page)
//! holding nothing but `kind`, `etag` and `nextPageToken` is skipped. Any
//! other top-level object without `items` is a record of its own, so a
//! stray activity between pages is read, not lost. Text that is not an
//! object is a broken record up to the end of its line. A JSON array of
//! pages is not read as pages.
//!
//! A page's opening and closing are consumed whole, never in part, so a
//! reader that stops between two records stops either inside an `items`
//! array or between pages. A resumed framer tells which from the next
//! byte: `,` or `]` continue an array; a `{` starts a page when the object
//! has an `items` array, else it is the next item of the array.

use super::trim_cr;
use super::{ArrayFramer, Body, InputBuffer, MAX_RAW_KEPT, MAX_RECORD_BYTES, RawRecord, Step};
use crate::normalize::NormalizeError;

/// Where the framer is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    /// Resumed at a saved position: inside an array or between pages.
    Resumed,
    /// Between pages.
    Outside,
    /// Inside a page's `items` array.
    Items,
    /// Inside a top-level object that is not a page, framed as one item.
    Lone,
}

/// Cuts the items of the `items` arrays of consecutive top-level objects.
#[derive(Debug)]
pub(crate) struct PageFramer {
    state: State,
    /// Frames the current array or lone object; holds the item count.
    items: ArrayFramer,
}

/// What the start of a top-level object is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Opening {
    /// A page: its items start after this many bytes (through the `[`).
    Page(usize),
    /// A page without items, this many bytes long.
    EmptyPage(usize),
    /// Some other object, or one too long or cut short to tell.
    Other,
    /// The object goes on past the buffered bytes.
    NeedMore,
}

impl PageFramer {
    /// A framer at the start of the input, or (`resumed`) just after item
    /// number `item`.
    pub(crate) fn new(resumed: bool, item: u64) -> Self {
        Self {
            state: if resumed {
                State::Resumed
            } else {
                State::Outside
            },
            items: ArrayFramer::nested(item, true),
        }
    }

    pub(crate) fn number(&self) -> u64 {
        self.items.number()
    }

    pub(crate) fn next(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        loop {
            match self.state {
                State::Items => match self.items.next(buf, eof) {
                    Step::End => match close_page(buf.bytes()) {
                        Some(len) => {
                            buf.consume(len);
                            self.state = State::Outside;
                        }
                        None if !eof => return Step::NeedMore,
                        // The input ends inside the page: nothing is lost.
                        None => {
                            buf.consume(buf.bytes().len());
                            return Step::End;
                        }
                    },
                    step => return step,
                },
                State::Lone => {
                    let step = self.items.next(buf, eof);
                    if matches!(step, Step::Record(_) | Step::Skipped) && !self.items.in_item() {
                        self.state = State::Outside;
                    }
                    return step;
                }
                State::Outside | State::Resumed => {
                    let bytes = buf.bytes();
                    let Some(at) = bytes.iter().position(|b| !b.is_ascii_whitespace()) else {
                        buf.consume(bytes.len());
                        return if eof { Step::End } else { Step::NeedMore };
                    };
                    buf.consume(at);
                    if let Some(step) = self.start(buf, eof) {
                        return step;
                    }
                }
            }
        }
    }

    /// Moves on from the first byte after whitespace, outside an array or
    /// at a resumed position; `Some` when there is a step to report.
    fn start(&mut self, buf: &mut InputBuffer, eof: bool) -> Option<Step> {
        let number = self.items.number();
        let bytes = buf.bytes();
        let resumed = self.state == State::Resumed;
        if resumed && matches!(bytes[0], b',' | b']') {
            self.items = ArrayFramer::nested(number, true);
            self.state = State::Items;
            return None;
        }
        if bytes[0] != b'{' {
            self.state = State::Outside;
            return Some(self.trailing_text(buf, eof));
        }
        match open(bytes, eof) {
            Opening::NeedMore => Some(Step::NeedMore),
            Opening::Page(len) => {
                buf.consume(len);
                self.items = ArrayFramer::nested(number, false);
                self.state = State::Items;
                None
            }
            Opening::EmptyPage(len) => {
                buf.consume(len);
                self.state = State::Outside;
                Some(Step::Skipped)
            }
            // Resumed just after a page's `[`: the object is its first item.
            Opening::Other if resumed => {
                self.items = ArrayFramer::nested(number, false);
                self.state = State::Items;
                None
            }
            Opening::Other => {
                self.items = ArrayFramer::nested(number, false);
                self.state = State::Lone;
                None
            }
        }
    }

    /// Text between pages that is not an object: a broken record up to the
    /// end of its line.
    fn trailing_text(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        let bytes = buf.bytes();
        let end = match memchr::memchr(b'\n', bytes) {
            Some(at) => at + 1,
            None if eof || bytes.len() > MAX_RECORD_BYTES => bytes.len(),
            None => return Step::NeedMore,
        };
        let number = self.items.number() + 1;
        self.items = ArrayFramer::nested(number, true);
        let raw = trim_cr(bytes[..end].strip_suffix(b"\n").unwrap_or(&bytes[..end]));
        let record = RawRecord {
            number,
            raw: raw[..raw.len().min(MAX_RAW_KEPT)].to_vec(),
            body: Body::Broken(NormalizeError::Framing {
                step: "reading JSON",
                detail: "text outside the pages' objects".into(),
            }),
        };
        buf.consume(end);
        Step::Record(record)
    }
}

/// Tracks strings and nesting over JSON text.
#[derive(Debug, Default)]
struct Scan {
    depth: u32,
    in_string: bool,
    escaped: bool,
}

impl Scan {
    /// Steps over `byte`; `true` when it is a structural byte (outside any
    /// string, not a quote).
    fn step(&mut self, byte: u8) -> bool {
        if self.in_string {
            if self.escaped {
                self.escaped = false;
            } else if byte == b'\\' {
                self.escaped = true;
            } else if byte == b'"' {
                self.in_string = false;
            }
            return false;
        }
        match byte {
            b'"' => {
                self.in_string = true;
                false
            }
            b'{' | b'[' => {
                self.depth += 1;
                true
            }
            b'}' | b']' => {
                self.depth = self.depth.saturating_sub(1);
                true
            }
            _ => true,
        }
    }
}

/// Keys a page without items may have.
const EMPTY_PAGE_KEYS: [&[u8]; 3] = [b"kind", b"etag", b"nextPageToken"];

/// What the object starting at `bytes[0]` (a `{`) is.
fn open(bytes: &[u8], eof: bool) -> Opening {
    let mut scan = Scan::default();
    // The last string closed at depth 1, and the key being valued.
    let mut string_start = 0;
    let mut last_string: Option<&[u8]> = None;
    let mut key: Option<&[u8]> = None;
    let mut keys = 0;
    let mut only_page_keys = true;
    for (at, &byte) in bytes.iter().enumerate() {
        let was_in_string = scan.in_string;
        let structural = scan.step(byte);
        if scan.depth == 1 && !was_in_string && scan.in_string {
            string_start = at + 1;
        }
        if scan.depth == 1 && was_in_string && !scan.in_string {
            last_string = Some(&bytes[string_start..at]);
        }
        if !structural {
            continue;
        }
        match byte {
            b':' if scan.depth == 1 => {
                key = last_string.take();
                keys += 1;
                only_page_keys &= key.is_some_and(|k| EMPTY_PAGE_KEYS.contains(&k));
            }
            b'[' if scan.depth == 2 && key == Some(b"items".as_slice()) => {
                return Opening::Page(at + 1);
            }
            b'}' if scan.depth == 0 => {
                return if only_page_keys && keys > 0 {
                    Opening::EmptyPage(at + 1)
                } else {
                    Opening::Other
                };
            }
            _ => {}
        }
    }
    if eof || bytes.len() > MAX_RECORD_BYTES {
        Opening::Other
    } else {
        Opening::NeedMore
    }
}

/// The length of a page's closing, from the `]` of its `items` (after
/// whitespace) through the page's final `}`; `None` when it goes on past
/// `bytes`.
fn close_page(bytes: &[u8]) -> Option<usize> {
    let start = bytes.iter().position(|&b| b == b']')?;
    // Inside the page object, after its items.
    let mut scan = Scan {
        depth: 1,
        ..Scan::default()
    };
    for (at, &byte) in bytes.iter().enumerate().skip(start + 1) {
        if scan.step(byte) && byte == b'}' && scan.depth == 0 {
            return Some(at + 1);
        }
    }
    if bytes.len() > MAX_RECORD_BYTES {
        return Some(bytes.len());
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The records of `text` fed in pieces of `piece` bytes, from a framer
    /// made by `framer`.
    fn run(mut framer: PageFramer, text: &str, piece: usize) -> Vec<(u64, String, bool)> {
        crate::ingest::framing::pieces::records(|b, e| framer.next(b, e), text, piece)
    }

    fn items(text: &str, piece: usize) -> Vec<(u64, String, bool)> {
        run(PageFramer::new(false, 0), text, piece)
    }

    const PAGES: &str = concat!(
        r#"{"kind":"admin#reports#activities","etag":"\"e]}\"","items":[{"id":{"a":"[1]"}},"#,
        r#" {"id":{"b":2}} ],"nextPageToken":"t{"}"#,
        "\n",
        "{\n  \"kind\": \"admin#reports#activities\",\n  \"items\": [\n    {\"id\": 3}\n  ]\n}\n",
        r#"{"kind":"admin#reports#activities","etag":"x"}"#,
        "\n",
    );

    #[test]
    fn items_of_every_page_are_records_whatever_the_read_size() {
        let want = vec![
            (1, r#"{"id":{"a":"[1]"}}"#.to_owned(), false),
            (2, r#"{"id":{"b":2}}"#.to_owned(), false),
            (3, r#"{"id": 3}"#.to_owned(), false),
        ];
        for piece in [1, 2, 3, 7, 64, 4096] {
            assert_eq!(items(PAGES, piece), want, "piece {piece}");
        }
    }

    #[test]
    fn objects_that_are_not_pages_and_stray_text_are_records() {
        let text = "{\"kind\":\"admin#reports#activity\",\"id\":{\"x\":1}}\n\
                    garbage\n\
                    {\"items\":[{\"a\":1}]}\n";
        let out = items(text, 5);
        assert_eq!(
            out,
            [
                (
                    1,
                    "{\"kind\":\"admin#reports#activity\",\"id\":{\"x\":1}}".into(),
                    false
                ),
                (2, "garbage".into(), true),
                (3, "{\"a\":1}".into(), false),
            ]
        );
    }

    #[test]
    fn a_page_cut_short_loses_nothing() {
        let out = items("{\"kind\":\"k\",\"items\":[{\"a\":1},{\"b\":", 4);
        assert_eq!(
            out,
            [(1, "{\"a\":1}".into(), false), (2, "{\"b\":".into(), false)]
        );
        let out = items("{\"kind\":\"k\",\"ite", 4);
        assert_eq!(out, [(1, "{\"kind\":\"k\",\"ite".into(), false)]);
        assert!(items("", 1).is_empty());
        assert!(items(" {\"kind\":\"k\"} ", 1).is_empty());
    }

    #[test]
    fn a_resumed_framer_tells_arrays_from_pages() {
        // Positions a reader can stop at, and what follows each.
        let cases = [
            // After an item, before the comma.
            (r#",{"a":2}],"nextPageToken":"t"}"#, vec![r#"{"a":2}"#]),
            // After a page's `[`.
            (r#"{"a":1},{"a":2}]}"#, vec![r#"{"a":1}"#, r#"{"a":2}"#]),
            // After the last item of a page.
            (r#" ]}{"items":[{"a":3}]}"#, vec![r#"{"a":3}"#]),
            // Between pages.
            (
                "\n{\"kind\":\"k\",\"items\":[{\"a\":4}]}",
                vec![r#"{"a":4}"#],
            ),
            // At the end.
            ("\n", vec![]),
        ];
        for (text, want) in cases {
            for piece in [1, 3, 100] {
                let out = run(PageFramer::new(true, 7), text, piece);
                let got: Vec<&str> = out.iter().map(|r| r.1.as_str()).collect();
                assert_eq!(got, want, "{text:?} in pieces of {piece}");
                assert!(out.iter().enumerate().all(|(i, r)| r.0 == 8 + i as u64));
            }
        }
    }

    #[test]
    fn openings_are_told_apart() {
        assert_eq!(
            open(br#"{"kind":"k","items":[1]}"#, false),
            Opening::Page(21)
        );
        assert_eq!(
            open(br#"{"x":{"items":[1]},"items":[]}"#, false),
            Opening::Page(28)
        );
        let empty = br#"{"kind":"k","nextPageToken":"x"}"#;
        assert_eq!(open(empty, false), Opening::EmptyPage(empty.len()));
        assert_eq!(open(b"{}", false), Opening::Other);
        assert_eq!(open(br#"{"items":null}"#, false), Opening::Other);
        assert_eq!(open(br#"{"kind":"k","#, false), Opening::NeedMore);
        assert_eq!(open(br#"{"kind":"k","#, true), Opening::Other);
        assert_eq!(close_page(br#" ] , "n":"}" } x"#), Some(14));
        assert_eq!(close_page(br#"],"n":"}"#), None);
    }
}
