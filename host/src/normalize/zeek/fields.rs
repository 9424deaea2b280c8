//! Reading the fields of one Zeek record, whatever encoding it came in.
//!
//! A TSV row and a JSON object (dotted keys such as `id.orig_h`, the
//! underscore variant `id_orig_h`, or a nested `id` object) are read into
//! one [`ZeekRecord`]: the fields that have columns in their slots, every
//! other field as an attribute under its vendor name (with `id_` written
//! `id.`, so attributes read the same in every encoding). Values are
//! borrowed from the record where they can be.

use std::borrow::Cow;
use std::sync::Arc;

use super::row::ZeekRow;
use crate::normalize::json::Json;

/// A field's name as an attribute and its text.
pub(crate) type Named<'a> = (Arc<str>, Cow<'a, str>);

/// The fields of one Zeek record that the mapping reads.
#[derive(Debug, Default)]
pub(crate) struct ZeekRecord<'a> {
    /// The log's name: `_path`, `@stream` or `#path`.
    pub path: Option<Cow<'a, str>>,
    /// The text of `ts`: epoch seconds or ISO 8601.
    pub ts: Option<Cow<'a, str>>,
    pub uid: Option<Cow<'a, str>>,
    pub orig_h: Option<Cow<'a, str>>,
    pub resp_h: Option<Cow<'a, str>>,
    pub resp_p: Option<Cow<'a, str>>,
    pub query: Option<Cow<'a, str>>,
    pub host: Option<Cow<'a, str>>,
    pub uri: Option<Cow<'a, str>>,
    pub user_agent: Option<Cow<'a, str>>,
    pub server_name: Option<Cow<'a, str>>,
    /// Bytes sent by the originator and by the responder: `orig_bytes`
    /// and `resp_bytes` (conn), `request_body_len` and
    /// `response_body_len` (http).
    pub bytes: [Option<Cow<'a, str>>; 2],
    /// Which log the fields present point to, when there is no path.
    pub hints: Hints,
    /// `uid`, the byte counts and every other field with a value, by
    /// vendor name; in name order when read from TSV.
    pub attrs: Vec<Named<'a>>,
}

/// Fields seen that tell which log a record comes from.
#[derive(Debug, Default, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Hints {
    pub dns: bool,
    pub ssl: bool,
    pub http: bool,
    pub conn: bool,
}

impl Hints {
    /// The log the fields point to: `query` gives dns; `server_name` or
    /// `ja3` ssl; `method`, `host` or `uri` http; `conn_state` or
    /// `duration` conn.
    pub(crate) fn path(self) -> Option<&'static str> {
        [
            (self.dns, "dns"),
            (self.ssl, "ssl"),
            (self.http, "http"),
            (self.conn, "conn"),
        ]
        .into_iter()
        .find_map(|(seen, path)| seen.then_some(path))
    }

    /// The hints of a set of field names.
    pub(crate) fn of<'n>(names: impl IntoIterator<Item = &'n str>) -> Self {
        let mut hints = Hints::default();
        for name in names {
            hints.note(name);
        }
        hints
    }

    fn note(&mut self, key: &str) {
        match key {
            "query" => self.dns = true,
            "server_name" | "ja3" => self.ssl = true,
            "method" | "host" | "uri" => self.http = true,
            "conn_state" | "duration" => self.conn = true,
            _ => {}
        }
    }
}

/// How one field of a TSV log is read: worked out once from the header's
/// name and type, then used for every row.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct FieldLayout {
    slot: Slot,
    /// The name it has as an attribute (`id_orig_p` as `id.orig_p`),
    /// shared by the attributes of every row.
    name: Arc<str>,
    /// The `#types` type is `bool`.
    boolean: bool,
    /// The `#types` type is a set or a vector.
    list: bool,
}

impl FieldLayout {
    /// The layout of field `name` of type `kind` (empty when unknown).
    pub(crate) fn new(name: &str, kind: &str) -> Self {
        Self {
            slot: slot(name),
            name: attr_name(Cow::Borrowed(name)).into(),
            boolean: kind == "bool",
            list: kind.starts_with("set[") || kind.starts_with("vector["),
        }
    }

    /// The field's name as an attribute.
    pub(crate) fn name(&self) -> &str {
        &self.name
    }
}

/// Where a field goes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Slot {
    Path,
    Ts,
    Uid,
    OrigH,
    RespH,
    RespP,
    Query,
    Host,
    Uri,
    UserAgent,
    ServerName,
    /// Kept as an attribute too.
    Bytes(usize),
    Attr,
}

/// The slot of a field name, dotted or with underscores.
fn slot(name: &str) -> Slot {
    match name {
        "_path" | "@stream" => Slot::Path,
        "ts" => Slot::Ts,
        "uid" => Slot::Uid,
        "id.orig_h" | "id_orig_h" => Slot::OrigH,
        "id.resp_h" | "id_resp_h" => Slot::RespH,
        "id.resp_p" | "id_resp_p" => Slot::RespP,
        "query" => Slot::Query,
        "host" => Slot::Host,
        "uri" => Slot::Uri,
        "user_agent" => Slot::UserAgent,
        "server_name" => Slot::ServerName,
        "orig_bytes" | "request_body_len" => Slot::Bytes(0),
        "resp_bytes" | "response_body_len" => Slot::Bytes(1),
        _ => Slot::Attr,
    }
}

impl<'a> ZeekRecord<'a> {
    /// Reads a TSV row. Booleans (`T`, `F`) become `true` and `false`,
    /// and the items of sets and vectors are joined by `,`, as the JSON
    /// encodings give them.
    pub(crate) fn from_tsv(row: &ZeekRow<'a>) -> Self {
        let header = row.header;
        let layout = header.layout();
        let mut record = ZeekRecord {
            path: header.path().map(Cow::Borrowed),
            hints: header.hints(),
            attrs: Vec::with_capacity(layout.len()),
            ..ZeekRecord::default()
        };
        let values: Vec<Option<&'a str>> = row.values().collect();
        let set_separator = header.set_separator();
        // In attribute name order, so the event's attributes need no sort.
        for &i in header.name_order() {
            let (field, Some(value)) = (&layout[i], values.get(i).copied().flatten()) else {
                continue;
            };
            if value.is_empty() {
                continue;
            }
            let value = match value {
                "T" if field.boolean => Cow::Borrowed("true"),
                "F" if field.boolean => Cow::Borrowed("false"),
                value if field.list && set_separator != "," => {
                    Cow::Owned(value.replace(set_separator, ","))
                }
                value => Cow::Borrowed(value),
            };
            record.put(field.slot, &field.name, value);
        }
        record
    }

    /// Reads the members of a JSON object. `ts_text` is the text of a
    /// numeric `ts` as written (see [`number_text`]).
    pub(crate) fn from_json(
        members: &'a [(Cow<'a, str>, Json<'a>)],
        ts_text: Option<&'a str>,
    ) -> Self {
        let mut record = ZeekRecord {
            attrs: Vec::with_capacity(members.len()),
            ..ZeekRecord::default()
        };
        for (name, value) in members {
            match (name.as_ref(), value) {
                ("ts", Json::Int(_) | Json::UInt(_) | Json::Float(_)) => {
                    record.ts = ts_text.map(Cow::Borrowed).or_else(|| text(value));
                }
                // `{"id": {"orig_h": ...}}`, as some shippers nest it.
                ("id", Json::Object(inner)) => {
                    for (key, value) in inner {
                        if let Some(text) = text(value) {
                            record.take(&format!("id.{key}"), text);
                        }
                    }
                }
                _ => {
                    if let Some(text) = text(value) {
                        record.take(name, text);
                    }
                }
            }
        }
        record
    }

    /// The log's name: the path given, else the one the fields point to.
    pub(crate) fn log(&self) -> Option<&str> {
        self.path.as_deref().or_else(|| self.hints.path())
    }

    /// Takes a JSON member: the field names a slot and hints at the log.
    fn take(&mut self, name: &str, value: Cow<'a, str>) {
        self.hints.note(name);
        let slot = slot(name);
        let name: Arc<str> = attr_name(Cow::Borrowed(name)).into();
        self.put(slot, &name, value);
    }

    /// Puts a field's value in its slot; `name` is its attribute name.
    fn put(&mut self, slot: Slot, name: &Arc<str>, value: Cow<'a, str>) {
        let target = match slot {
            Slot::Path => &mut self.path,
            Slot::Ts => &mut self.ts,
            Slot::Uid => {
                self.attrs.push((Arc::clone(name), value.clone()));
                &mut self.uid
            }
            Slot::OrigH => &mut self.orig_h,
            Slot::RespH => &mut self.resp_h,
            Slot::RespP => &mut self.resp_p,
            Slot::Query => &mut self.query,
            Slot::Host => &mut self.host,
            Slot::Uri => &mut self.uri,
            Slot::UserAgent => &mut self.user_agent,
            Slot::ServerName => &mut self.server_name,
            Slot::Bytes(which) => {
                self.attrs.push((Arc::clone(name), value.clone()));
                &mut self.bytes[which]
            }
            Slot::Attr => {
                self.attrs.push((Arc::clone(name), value));
                return;
            }
        };
        if target.is_none() {
            *target = Some(value);
        }
    }
}

/// `id_orig_p` written `id.orig_p`; other names as they are.
pub(crate) fn attr_name(name: Cow<'_, str>) -> Cow<'_, str> {
    match name.strip_prefix("id_") {
        Some(rest) => Cow::Owned(format!("id.{rest}")),
        None => name,
    }
}

/// The text of a JSON value: strings as they are, numbers and booleans
/// as JSON, arrays as their items joined by `,` (as Zeek TSV writes
/// sets). `None` for null and empty strings or arrays.
fn text<'v>(value: &'v Json<'_>) -> Option<Cow<'v, str>> {
    match value {
        Json::Str(s) if s.is_empty() => None,
        Json::Str(s) => Some(Cow::Borrowed(s.as_ref())),
        Json::Array(items) => {
            let items: Vec<Cow<'_, str>> = items.iter().filter_map(Json::text).collect();
            (!items.is_empty()).then(|| Cow::Owned(items.join(",")))
        }
        other => other.text(),
    }
}

/// The text of the number a top-level `key` of a JSON object holds, as
/// written; `None` when the key is absent or its value is not a number.
///
/// `text` must be valid JSON (it was parsed before). Numbers are decoded
/// to `f64` by the JSON parser, which can round the microseconds of an
/// epoch time; this finds the digits themselves.
pub(crate) fn number_text<'t>(text: &'t str, key: &str) -> Option<&'t str> {
    let bytes = text.as_bytes();
    let (mut depth, mut i) = (0usize, 0usize);
    while i < bytes.len() {
        match bytes[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i + 1;
                let end = string_end(bytes, start)?;
                i = end + 1;
                let after = skip_ws(bytes, i);
                if depth == 1 && bytes.get(after) == Some(&b':') && &text[start..end] == key {
                    let from = skip_ws(bytes, after + 1);
                    let len = bytes[from..]
                        .iter()
                        .take_while(|b| b.is_ascii_digit() || b"+-.eE".contains(b))
                        .count();
                    return (len > 0).then(|| &text[from..from + len]);
                }
                continue;
            }
            _ => {}
        }
        i += 1;
    }
    None
}

/// The index of the quote closing a string whose text starts at `start`.
fn string_end(bytes: &[u8], start: usize) -> Option<usize> {
    let mut i = start;
    loop {
        let at = i + memchr::memchr2(b'"', b'\\', &bytes[i..])?;
        if bytes[at] == b'"' {
            return Some(at);
        }
        i = at + 2;
        if i > bytes.len() {
            return None;
        }
    }
}

fn skip_ws(bytes: &[u8], mut i: usize) -> usize {
    while bytes.get(i).is_some_and(u8::is_ascii_whitespace) {
        i += 1;
    }
    i
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::normalize::ZeekHeader;

    #[test]
    fn numeric_ts_text_is_found_at_the_top_level_only() {
        let text = r#"{"a":{"ts":1},"q\"ts":"\"ts\":2","list":[{"ts":3}], "ts" : 1588316544.441272,"x":1}"#;
        assert_eq!(number_text(text, "ts"), Some("1588316544.441272"));
        assert_eq!(number_text(r#"{"ts":"2018-03-24T17:15:20Z"}"#, "ts"), None);
        assert_eq!(number_text(r#"{"uid":"ts"}"#, "ts"), None);
    }

    #[test]
    fn json_keys_in_every_variant_fill_the_same_slots() {
        for text in [
            r#"{"_path":"dns","ts":1.5,"uid":"C1","id.orig_h":"10.0.0.1","id.resp_h":"10.0.0.2","id.resp_p":53,"query":"a.example","answers":["1.2.3.4","b.example"],"AA":false}"#,
            r#"{"@stream":"dns","ts":1.5,"uid":"C1","id_orig_h":"10.0.0.1","id_resp_h":"10.0.0.2","id_resp_p":53,"query":"a.example","answers":["1.2.3.4","b.example"],"AA":false}"#,
            r#"{"_path":"dns","ts":1.5,"uid":"C1","id":{"orig_h":"10.0.0.1","resp_h":"10.0.0.2","resp_p":53},"query":"a.example","answers":["1.2.3.4","b.example"],"AA":false}"#,
        ] {
            let json = Json::parse(text).unwrap();
            let record = ZeekRecord::from_json(json.as_object().unwrap(), number_text(text, "ts"));
            assert_eq!(record.log(), Some("dns"));
            assert_eq!(record.ts.as_deref(), Some("1.5"));
            assert_eq!(record.orig_h.as_deref(), Some("10.0.0.1"));
            assert_eq!(record.resp_p.as_deref(), Some("53"));
            assert_eq!(record.query.as_deref(), Some("a.example"));
            let attrs: Vec<(&str, &str)> = record
                .attrs
                .iter()
                .map(|(k, v)| (k.as_ref(), v.as_ref()))
                .collect();
            assert_eq!(
                attrs,
                [
                    ("uid", "C1"),
                    ("answers", "1.2.3.4,b.example"),
                    ("AA", "false")
                ]
            );
        }
    }

    #[test]
    fn tsv_rows_read_like_json() {
        let mut header = ZeekHeader::default();
        for line in [
            "#separator \\x09",
            "#set_separator\t;",
            "#path\tdns",
            "#fields\tts\tuid\tid.orig_h\tquery\tanswers\tAA\trejected\tTTLs",
            "#types\ttime\tstring\taddr\tstring\tvector[string]\tbool\tbool\tvector[interval]",
        ] {
            header.read_line(line).unwrap();
        }
        let row = ZeekRow {
            header: &header,
            line: "1.5\tC1\t10.0.0.1\ta.example\t1.2.3.4;b.example\tF\tT\t(empty)",
        };
        let record = ZeekRecord::from_tsv(&row);
        assert_eq!(record.log(), Some("dns"));
        let attrs: Vec<(&str, &str)> = record
            .attrs
            .iter()
            .map(|(k, v)| (k.as_ref(), v.as_ref()))
            .collect();
        // In name order, as the event's attributes are kept.
        assert_eq!(
            attrs,
            [
                ("AA", "false"),
                ("answers", "1.2.3.4,b.example"),
                ("rejected", "true"),
                ("uid", "C1"),
            ]
        );
    }

    #[test]
    fn the_log_is_inferred_from_the_fields_present() {
        let cases = [
            (r#"{"ts":1,"query":"a"}"#, Some("dns")),
            (r#"{"ts":1,"ja3":"x","uid":"C"}"#, Some("ssl")),
            (r#"{"ts":1,"method":"GET","uri":"/"}"#, Some("http")),
            (r#"{"ts":1,"duration":0.5,"conn_state":"SF"}"#, Some("conn")),
            (r#"{"ts":1,"uid":"C"}"#, None),
        ];
        for (text, want) in cases {
            let json = Json::parse(text).unwrap();
            let record = ZeekRecord::from_json(json.as_object().unwrap(), None);
            assert_eq!(record.log(), want, "{text}");
        }
    }
}
