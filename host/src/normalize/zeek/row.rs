//! Zeek TSV rows and the `#` header lines that name their fields.
//!
//! A Zeek ASCII log starts with header lines: `#separator \x09`, then,
//! split by that separator, `#set_separator`, `#empty_field`,
//! `#unset_field`, `#path`, `#open`, `#fields` and `#types`; it may end
//! with `#close`. Logs concatenated into one file repeat the header block:
//! a `#separator` line starts a new header, and the rows after it are read
//! with it. [`ZeekHeader`] holds what the header lines said and
//! [`ZeekRow`] one data row read with it.
//!
//! Values are handed out as written: Zeek's `\xHH` escapes of separators
//! and non-printable bytes are not decoded (its JSON writer writes the
//! same escapes for bytes that are not UTF-8, so both encodings agree).

use memchr::memmem;

use super::fields::{FieldLayout, Hints};

/// What the header lines of a Zeek TSV log said.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct ZeekHeader {
    separator: String,
    set_separator: String,
    empty_field: String,
    unset_field: String,
    path: Option<String>,
    fields: Vec<String>,
    types: Vec<String>,
    /// How each field is read, from its name and type.
    layout: Vec<FieldLayout>,
    /// The indexes of the fields in the order of their attribute names.
    name_order: Vec<usize>,
    /// The log the field names point to, for a log without `#path`.
    hints: Hints,
}

impl Default for ZeekHeader {
    /// Zeek's defaults: tab, `,`, `(empty)`, `-`, and no fields yet.
    fn default() -> Self {
        Self {
            separator: "\t".into(),
            set_separator: ",".into(),
            empty_field: "(empty)".into(),
            unset_field: "-".into(),
            path: None,
            fields: Vec::new(),
            types: Vec::new(),
            layout: Vec::new(),
            name_order: Vec::new(),
            hints: Hints::default(),
        }
    }
}

impl ZeekHeader {
    /// Reads one header line (starting with `#`).
    ///
    /// `#separator` starts a new header with Zeek's defaults; `#fields`
    /// replaces the field names (and forgets the types until `#types`).
    /// `#open`, `#close` and unknown `#` lines change nothing.
    ///
    /// # Errors
    ///
    /// When a `#separator` line has no usable separator, or `#fields`
    /// names no field; the message says which.
    pub fn read_line(&mut self, line: &str) -> Result<(), String> {
        if let Some(rest) = line.strip_prefix("#separator") {
            let separator = unescape(rest.trim_start_matches([' ', '\t']));
            if separator.is_empty() {
                return Err(format!("`#separator` names no separator: `{line}`"));
            }
            *self = ZeekHeader {
                separator,
                ..ZeekHeader::default()
            };
            return Ok(());
        }
        let Some((directive, value)) = line[1..].split_once(self.separator.as_str()) else {
            return Ok(());
        };
        match directive {
            "set_separator" => self.set_separator = unescape(value),
            "empty_field" => self.empty_field = unescape(value),
            "unset_field" => self.unset_field = unescape(value),
            "path" => self.path = Some(value.to_owned()).filter(|p| !p.is_empty()),
            "fields" => {
                self.fields = value
                    .split(self.separator.as_str())
                    .map(str::to_owned)
                    .collect();
                self.types.clear();
                self.lay_out();
                if self.fields.iter().all(String::is_empty) {
                    return Err("`#fields` names no field".into());
                }
            }
            "types" => {
                self.types = value
                    .split(self.separator.as_str())
                    .map(str::to_owned)
                    .collect();
                self.lay_out();
            }
            _ => {}
        }
        Ok(())
    }

    /// Works out how each field is read, once per header rather than per
    /// row.
    fn lay_out(&mut self) {
        self.layout = self
            .fields
            .iter()
            .enumerate()
            .map(|(i, name)| FieldLayout::new(name, self.types.get(i).map_or("", String::as_str)))
            .collect();
        self.hints = Hints::of(self.fields.iter().map(String::as_str));
        self.name_order = (0..self.layout.len()).collect();
        self.name_order
            .sort_by(|&a, &b| self.layout[a].name().cmp(self.layout[b].name()));
    }

    /// How each field is read, in `#fields` order.
    pub(super) fn layout(&self) -> &[FieldLayout] {
        &self.layout
    }

    /// The indexes of the fields in the order of their attribute names.
    pub(super) fn name_order(&self) -> &[usize] {
        &self.name_order
    }

    /// The log the field names point to.
    pub(super) fn hints(&self) -> Hints {
        self.hints
    }

    /// The log's name from `#path` (`dns`, `conn`).
    pub fn path(&self) -> Option<&str> {
        self.path.as_deref()
    }

    /// The field names from `#fields`; empty before that line.
    pub fn fields(&self) -> &[String] {
        &self.fields
    }

    /// The field separator.
    pub fn separator(&self) -> &str {
        &self.separator
    }

    /// The separator of the items of set and vector values.
    pub fn set_separator(&self) -> &str {
        &self.set_separator
    }

    /// How many fields `line` has.
    pub fn count_fields(&self, line: &[u8]) -> usize {
        let separator = self.separator.as_bytes();
        1 + match separator {
            [byte] => memchr::memchr_iter(*byte, line).count(),
            _ => memmem::find_iter(line, separator).count(),
        }
    }
}

/// One field of a row: its name, its `#types` type (empty when the log
/// has no `#types` line) and its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ZeekField<'a> {
    /// The name from `#fields` (`id.orig_h`).
    pub name: &'a str,
    /// The type from `#types` (`addr`, `bool`, `vector[string]`).
    pub kind: &'a str,
    /// The value; `None` when unset (`-`), `""` when empty (`(empty)`).
    pub value: Option<&'a str>,
}

/// One data row of a Zeek TSV log and the header it was read with.
///
/// The framer hands out only rows with as many fields as the header
/// names.
#[derive(Debug, Clone, Copy)]
pub struct ZeekRow<'a> {
    /// The header in force for this row.
    pub header: &'a ZeekHeader,
    /// The row's text, without line terminator.
    pub line: &'a str,
}

impl<'a> ZeekRow<'a> {
    /// The fields of the row, in `#fields` order.
    pub fn fields(&self) -> impl Iterator<Item = ZeekField<'a>> + use<'a> {
        let header = self.header;
        header
            .fields
            .iter()
            .zip(self.values())
            .enumerate()
            .map(move |(i, (name, value))| {
                let kind = header.types.get(i).map_or("", String::as_str);
                ZeekField { name, kind, value }
            })
    }

    /// The values of the row, in `#fields` order: `None` when unset
    /// (`-`), `""` when empty (`(empty)`).
    pub fn values(&self) -> impl Iterator<Item = Option<&'a str>> + use<'a> {
        let header = self.header;
        let mut rest = Some(self.line);
        std::iter::from_fn(move || {
            let text = next_value(&mut rest, &header.separator)?;
            Some(if text == header.unset_field {
                None
            } else if text == header.empty_field {
                Some("")
            } else {
                Some(text)
            })
        })
    }
}

/// Cuts the next value off `rest`.
fn next_value<'a>(rest: &mut Option<&'a str>, separator: &str) -> Option<&'a str> {
    let text = (*rest)?;
    let found = match separator.as_bytes() {
        [byte] => memchr::memchr(*byte, text.as_bytes()),
        bytes => memmem::find(text.as_bytes(), bytes),
    };
    match found {
        Some(at) => {
            *rest = Some(&text[at + separator.len()..]);
            Some(&text[..at])
        }
        None => {
            *rest = None;
            Some(text)
        }
    }
}

/// A header value with its `\xHH` escapes decoded (`\x09` is a tab).
/// An escape that does not give UTF-8 is kept as written.
fn unescape(value: &str) -> String {
    let mut out = Vec::with_capacity(value.len());
    let bytes = value.as_bytes();
    let mut i = 0;
    while i < bytes.len() {
        let hex = bytes
            .get(i + 2..i + 4)
            .and_then(|h| std::str::from_utf8(h).ok());
        let byte = hex.and_then(|h| u8::from_str_radix(h, 16).ok());
        match (bytes[i], bytes.get(i + 1), byte) {
            (b'\\', Some(b'x'), Some(byte)) => {
                out.push(byte);
                i += 4;
            }
            (b, _, _) => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8(out).unwrap_or_else(|_| value.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header(lines: &[&str]) -> ZeekHeader {
        let mut header = ZeekHeader::default();
        for line in lines {
            header.read_line(line).unwrap();
        }
        header
    }

    #[test]
    fn header_lines_set_separators_path_fields_and_types() {
        let h = header(&[
            "#separator \\x09",
            "#set_separator\t;",
            "#empty_field\tEMPTY",
            "#unset_field\tNONE",
            "#path\tdns",
            "#open\t2024-04-12-19-29-12",
            "#fields\tts\tquery\tanswers",
            "#types\ttime\tstring\tvector[string]",
        ]);
        assert_eq!(h.separator(), "\t");
        assert_eq!(h.set_separator(), ";");
        assert_eq!(h.path(), Some("dns"));
        assert_eq!(h.fields(), ["ts", "query", "answers"]);

        let row = ZeekRow {
            header: &h,
            line: "1.5\tNONE\tEMPTY",
        };
        let fields: Vec<_> = row.fields().collect();
        assert_eq!(
            fields,
            [
                ZeekField {
                    name: "ts",
                    kind: "time",
                    value: Some("1.5")
                },
                ZeekField {
                    name: "query",
                    kind: "string",
                    value: None
                },
                ZeekField {
                    name: "answers",
                    kind: "vector[string]",
                    value: Some("")
                },
            ]
        );
        assert_eq!(h.count_fields(b"1.5\tNONE\tEMPTY"), 3);
    }

    #[test]
    fn a_new_separator_line_starts_a_new_header() {
        let mut h = header(&["#separator \\x09", "#path\tdns", "#fields\tts\tquery"]);
        h.read_line("#separator |").unwrap();
        assert_eq!(h.path(), None);
        assert!(h.fields().is_empty());
        h.read_line("#fields|ts|uid|host").unwrap();
        h.read_line("#close|2024").unwrap();
        assert_eq!(h.fields(), ["ts", "uid", "host"]);
        assert_eq!(h.count_fields(b"1|C1|x"), 3);

        let mut multi = header(&["#separator \\x3a\\x3a", "#fields::a::b"]);
        assert_eq!(multi.fields(), ["a", "b"]);
        let row = ZeekRow {
            header: &multi,
            line: "1::2",
        };
        assert_eq!(
            row.fields().filter_map(|f| f.value).collect::<Vec<_>>(),
            ["1", "2"]
        );
        assert!(multi.read_line("#separator ").is_err());
    }

    #[test]
    fn escapes_decode_only_when_valid() {
        assert_eq!(unescape("\\x09"), "\t");
        assert_eq!(unescape("a\\x2cb"), "a,b");
        assert_eq!(unescape("\\xzz"), "\\xzz");
        assert_eq!(unescape("\\xff"), "\\xff");
    }
}
