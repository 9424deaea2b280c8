//! JSON lines: one record per line, numbered by line.

use super::{Body, InputBuffer, MAX_RECORD_BYTES, RawRecord, Step, too_long, trim_cr};

/// Cuts records at newlines. Blank lines are skipped but counted, so a
/// record's number is its line number.
#[derive(Debug)]
pub(crate) struct LineFramer {
    /// The number of the last line handed out or skipped.
    line: u64,
    /// How many unconsumed bytes are known to hold no newline.
    scanned: usize,
    /// Inside the rest of a line longer than [`MAX_RECORD_BYTES`].
    skipping: bool,
}

impl LineFramer {
    /// A framer whose next line is `line + 1`.
    pub(crate) fn new(line: u64) -> Self {
        Self {
            line,
            scanned: 0,
            skipping: false,
        }
    }

    pub(crate) fn number(&self) -> u64 {
        self.line
    }

    pub(crate) fn next(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        let bytes = buf.bytes();
        if let Some(at) = memchr::memchr(b'\n', &bytes[self.scanned..]) {
            let end = self.scanned + at;
            let step = if std::mem::take(&mut self.skipping) {
                Step::Skipped
            } else {
                self.line_record(&bytes[..end])
            };
            buf.consume(end + 1);
            self.scanned = 0;
            return step;
        }

        self.scanned = bytes.len();
        if self.skipping {
            buf.consume(bytes.len());
            self.scanned = 0;
            return if eof { Step::End } else { Step::NeedMore };
        }
        if bytes.len() > MAX_RECORD_BYTES {
            self.line += 1;
            let record = too_long(self.line, bytes, "reading JSON");
            buf.consume(bytes.len());
            self.scanned = 0;
            self.skipping = true;
            return Step::Record(record);
        }
        if !eof {
            return Step::NeedMore;
        }
        if bytes.is_empty() {
            return Step::End;
        }
        // The last line has no newline: it is whole only at the very end.
        let step = self.line_record(bytes);
        buf.consume(bytes.len());
        self.scanned = 0;
        step
    }

    fn line_record(&mut self, line: &[u8]) -> Step {
        self.line += 1;
        if line.len() > MAX_RECORD_BYTES {
            return Step::Record(too_long(self.line, line, "reading JSON"));
        }
        let line = trim_cr(line);
        if line.trim_ascii().is_empty() {
            return Step::Skipped;
        }
        Step::Record(RawRecord {
            number: self.line,
            raw: line.to_vec(),
            body: Body::Json,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Every step the framer takes over `chunks` fed one by one, then at
    /// the end of input.
    fn frame(chunks: &[&[u8]]) -> Vec<(u64, String)> {
        let mut framer = LineFramer::new(0);
        let mut buf = InputBuffer::new();
        let mut out = Vec::new();
        let mut chunks = chunks.iter();
        loop {
            match framer.next(&mut buf, false) {
                Step::Record(r) => {
                    out.push((r.number, String::from_utf8_lossy(&r.raw).into_owned()))
                }
                Step::Skipped => {}
                Step::NeedMore => match chunks.next() {
                    Some(chunk) => {
                        buf.fill(&mut &chunk[..]).unwrap();
                    }
                    None => break,
                },
                Step::End => unreachable!("no end before eof"),
            }
        }
        loop {
            match framer.next(&mut buf, true) {
                Step::Record(r) => {
                    out.push((r.number, String::from_utf8_lossy(&r.raw).into_owned()))
                }
                Step::Skipped | Step::NeedMore => {}
                Step::End => return out,
            }
        }
    }

    #[test]
    fn lines_are_numbered_and_blank_lines_skipped() {
        let out = frame(&[b"{\"a\":1}\r\n\n  \n{\"b\"", b":2}\n{\"c\":3}"]);
        assert_eq!(
            out,
            [
                (1, "{\"a\":1}".into()),
                (4, "{\"b\":2}".into()),
                (5, "{\"c\":3}".into())
            ]
        );
    }

    #[test]
    fn a_partial_line_waits_until_the_end() {
        let mut framer = LineFramer::new(0);
        let mut buf = InputBuffer::new();
        buf.fill(&mut &b"{\"a\":1}\n{\"b\""[..]).unwrap();
        assert!(matches!(framer.next(&mut buf, false), Step::Record(r) if r.number == 1));
        assert_eq!(framer.next(&mut buf, false), Step::NeedMore);
        assert_eq!(buf.bytes(), b"{\"b\"");
        buf.fill(&mut &b":2}\n"[..]).unwrap();
        assert!(matches!(framer.next(&mut buf, false), Step::Record(r) if r.raw == b"{\"b\":2}"));
    }
}
