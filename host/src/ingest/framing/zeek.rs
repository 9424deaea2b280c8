//! Zeek TSV: `#` header lines, then one record per line, numbered by line.
//!
//! Lines are cut as JSON lines are; a line starting with `#` is read into
//! the [`ZeekHeader`] in force (a `#separator` line starts a new one, so
//! logs concatenated into one file read right), and every other non-blank
//! line is a row of that header. A row with more or fewer fields than
//! `#fields` names, or a row before any `#fields` line, is a broken record
//! naming the counts. Rows are not split here: the normalizer walks their
//! fields in place, so a row costs no allocation but its raw text.

use super::{Body, InputBuffer, LineFramer, RawRecord, Step};
use crate::normalize::{NormalizeError, ZeekHeader};

/// What broken Zeek TSV records say they were doing.
const STEP: &str = "reading Zeek TSV";

/// Cuts Zeek TSV rows, reading the header lines between them.
#[derive(Debug)]
pub(crate) struct ZeekTsvFramer {
    lines: LineFramer,
    header: ZeekHeader,
}

impl ZeekTsvFramer {
    /// A framer whose next line is `line + 1`.
    pub(crate) fn new(line: u64) -> Self {
        Self {
            lines: LineFramer::new(line),
            header: ZeekHeader::default(),
        }
    }

    pub(crate) fn number(&self) -> u64 {
        self.lines.number()
    }

    /// The header in force for the last row handed out.
    pub(crate) fn header(&self) -> &ZeekHeader {
        &self.header
    }

    pub(crate) fn next(&mut self, buf: &mut InputBuffer, eof: bool) -> Step {
        let mut record = match self.lines.next(buf, eof) {
            Step::Record(record) => record,
            other => return other,
        };
        if let Body::Broken(NormalizeError::Framing { step, .. }) = &mut record.body {
            // An overlong line, reported by the line framer.
            *step = STEP;
            return Step::Record(record);
        }
        if record.raw.first() == Some(&b'#') {
            let line = String::from_utf8_lossy(&record.raw);
            return match self.header.read_line(&line) {
                Ok(()) => Step::Skipped,
                Err(detail) => Step::Record(broken(record, detail)),
            };
        }

        let wanted = self.header.fields().len();
        if wanted == 0 {
            let detail = "a row before any `#fields` line names its fields".to_owned();
            return Step::Record(broken(record, detail));
        }
        let found = self.header.count_fields(&record.raw);
        if found != wanted {
            let detail = format!("found {found} fields where `#fields` names {wanted}");
            return Step::Record(broken(record, detail));
        }
        record.body = Body::ZeekTsv;
        Step::Record(record)
    }
}

fn broken(record: RawRecord, detail: String) -> RawRecord {
    RawRecord {
        body: Body::Broken(NormalizeError::Framing { step: STEP, detail }),
        ..record
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LOG: &str = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n\
        #unset_field\t-\n#path\tdns\n#open\t2024-04-12-19-29-12\n\
        #fields\tts\tuid\tquery\n#types\ttime\tstring\tstring\n\
        1.5\tC1\ta.example\n\
        1.6\tC2\n\
        \n\
        1.7\tC3\tb.example\textra\n\
        #close\t2024-04-12-19-34-07\n\
        #separator \\x09\n#path\tconn\n#fields\tts\tuid\n\
        1.8\tC4";

    /// Every record of `text` fed in pieces of `piece` bytes: line,
    /// path of the header in force, and the reason when broken.
    fn rows(text: &str, piece: usize) -> Vec<(u64, Option<String>, Option<String>)> {
        let mut framer = ZeekTsvFramer::new(0);
        let mut buf = InputBuffer::new();
        let mut rest = text.as_bytes();
        let mut out = Vec::new();
        loop {
            let eof = rest.is_empty() && buf.at_eof();
            match framer.next(&mut buf, eof) {
                Step::Record(r) => out.push((
                    r.number,
                    framer.header().path().map(str::to_owned),
                    match r.body {
                        Body::Broken(e) => Some(e.to_string()),
                        _ => None,
                    },
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

    #[test]
    fn rows_follow_the_header_in_force_and_bad_counts_are_broken() {
        let dns = Some("dns".to_owned());
        let want = vec![
            (9, dns.clone(), None),
            (
                10,
                dns.clone(),
                Some("reading Zeek TSV: found 2 fields where `#fields` names 3".into()),
            ),
            (
                12,
                dns,
                Some("reading Zeek TSV: found 4 fields where `#fields` names 3".into()),
            ),
            (17, Some("conn".into()), None),
        ];
        for piece in [1, 7, 4096] {
            assert_eq!(rows(LOG, piece), want, "piece {piece}");
        }
    }

    #[test]
    fn a_row_without_fields_or_a_bad_separator_is_broken() {
        let out = rows("1.5\tC1\n#separator \n", 4096);
        assert_eq!(out.len(), 2);
        assert!(
            out[0]
                .2
                .as_deref()
                .unwrap()
                .contains("before any `#fields`")
        );
        assert!(out[1].2.as_deref().unwrap().contains("`#separator`"));
    }
}
