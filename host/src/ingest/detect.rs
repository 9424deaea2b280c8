//! Telling a file's format from its first bytes.
//!
//! Detection looks at up to [`SAMPLE_BYTES`] of the (decompressed) start of
//! a file: `#separator` starts Zeek TSV, `{"records": [` Azure's wrapped
//! records, any other `{` JSON lines, `[` a JSON array, anything else is
//! tried as a CSV header. The keys of the first JSON object that parses
//! (among the first lines, or the first array or `records` item) or the
//! CSV header's column names then go through each [`Format`]'s rule, in
//! [`Format::ALL`] order.
//!
//! Adding a format is a variant here, its rule in [`Format::framing_for`]
//! and its normalizer in [`Format::normalizer`].

use std::fmt;
use std::str::FromStr;

use serde_json::{Map, Value};

use super::IngestError;
use super::framing::{RecordsPrefix, records_prefix};
use crate::normalize::{
    AzureDiagnosticNormalizer, CsvHeader, GwsReportsNormalizer, M365AuditNormalizer, Normalizer,
    OktaSystemLogNormalizer, UmbrellaDnsNormalizer, ZeekNormalizer, umbrella,
};

/// How many bytes of a file's start detection reads at most.
pub(crate) const SAMPLE_BYTES: usize = 256 * 1024;

/// How many leading lines of a JSON-lines file are tried for an object.
const SAMPLE_LINES: usize = 20;

/// A vendor log format the host can read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Format {
    /// Microsoft 365 unified audit log records as JSON, one object per line
    /// or in an array; keys in any case.
    M365AuditJson,
    /// Microsoft 365 audit records as CSV: Sentinel `OfficeActivity`
    /// exports and Purview audit search exports.
    M365AuditCsv,
    /// Zeek logs as TSV with `#` header lines, Zeek's default.
    ZeekTsv,
    /// Zeek logs as JSON lines: dotted keys, `_path` streaming, or
    /// underscores with `@stream`.
    ZeekJson,
    /// Cisco Umbrella DNS logs as CSV, with a header row or without one
    /// (S3 exports).
    UmbrellaDnsCsv,
    /// Azure Monitor diagnostic records (`time`, `category`, `properties`)
    /// of Entra ID sign-in and audit logs and Defender XDR streaming: JSON
    /// lines, an array, or `{"records": [...]}` wrappers.
    AzureDiagnosticJson,
    /// Microsoft Sentinel (Log Analytics) CSV exports of the Entra ID
    /// (`SigninLogs`, `AuditLogs`, ...) and Defender (`EmailEvents`,
    /// `EmailUrlInfo`, `UrlClickEvents`) tables.
    AzureSentinelCsv,
    /// Okta System Log events (`/api/v1/logs`), as a JSON array or one
    /// object per line.
    OktaSystemLogJson,
    /// Google Workspace Reports API activities, one per line, in a JSON
    /// array, or as the items of the API's pages.
    GwsReportsJson,
}

/// How the records of a file are delimited.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Framing {
    /// One JSON value per line; blank lines are skipped.
    JsonLines,
    /// The items of a top-level JSON array (several arrays in a row are
    /// read in turn).
    JsonArray,
    /// The items of the `records` arrays of `{"records": [...]}` objects,
    /// as Azure Event Hubs and storage exports wrap them.
    JsonRecords,
    /// The items of the `items` array of each top-level object: the pages
    /// of a Google API list response, one after another.
    JsonPages,
    /// CSV rows after a header row.
    Csv,
    /// CSV rows without a header row, the columns named by the format.
    HeaderlessCsv(&'static [&'static str]),
    /// Zeek TSV: `#` header lines and the rows they name.
    ZeekTsv,
}

impl Format {
    /// Every format, in the order detection tries them.
    pub const ALL: [Format; 9] = [
        Format::M365AuditJson,
        Format::M365AuditCsv,
        Format::AzureDiagnosticJson,
        Format::AzureSentinelCsv,
        Format::OktaSystemLogJson,
        Format::GwsReportsJson,
        Format::ZeekTsv,
        Format::ZeekJson,
        Format::UmbrellaDnsCsv,
    ];

    /// The name `palisade run --format` and case files take, and dead
    /// letters give.
    pub fn name(self) -> &'static str {
        match self {
            Format::M365AuditJson => "m365-audit-json",
            Format::M365AuditCsv => "m365-audit-csv",
            Format::ZeekTsv => "zeek-tsv",
            Format::ZeekJson => "zeek-json",
            Format::UmbrellaDnsCsv => "umbrella-dns-csv",
            Format::AzureDiagnosticJson => "azure-diagnostic-json",
            Format::AzureSentinelCsv => "azure-sentinel-csv",
            Format::OktaSystemLogJson => "okta-system-log-json",
            Format::GwsReportsJson => "gws-reports-json",
        }
    }

    /// The names of all formats, comma-separated.
    pub fn names() -> String {
        Format::ALL.map(Format::name).join(", ")
    }

    /// The normalizer for this format's records.
    pub fn normalizer(self) -> Box<dyn Normalizer> {
        match self {
            Format::M365AuditJson | Format::M365AuditCsv => Box::new(M365AuditNormalizer),
            Format::ZeekTsv | Format::ZeekJson => Box::new(ZeekNormalizer),
            Format::UmbrellaDnsCsv => Box::new(UmbrellaDnsNormalizer),
            Format::AzureDiagnosticJson | Format::AzureSentinelCsv => {
                Box::new(AzureDiagnosticNormalizer)
            }
            Format::OktaSystemLogJson => Box::new(OktaSystemLogNormalizer),
            Format::GwsReportsJson => Box::new(GwsReportsNormalizer),
        }
    }

    /// The detection rule: the framing to read a file with this format,
    /// when its sample matches the format.
    fn framing_for(self, sample: &Sample) -> Option<Framing> {
        match (self, sample) {
            (Format::M365AuditJson, Sample::Json { framing, keys }) => {
                let has = |key: &str| keys.iter().any(|k| k == key);
                let api = has("creationtime") && (has("operation") || has("workload"));
                let sentinel = has("operation") && has("officeworkload");
                (api || sentinel).then_some(*framing)
            }
            (Format::M365AuditCsv, Sample::Csv { header }) => {
                let has = |key: &str| header.has(key);
                let sentinel = has("operation")
                    && (has("officeworkload") || has("recordtype") || has("workload"));
                let purview = has("auditdata") && (has("operations") || has("operation"));
                (sentinel || purview).then_some(Framing::Csv)
            }
            (Format::ZeekTsv, Sample::ZeekTsv) => Some(Framing::ZeekTsv),
            (Format::ZeekJson, Sample::Json { framing, keys }) => {
                let has = |key: &str| keys.iter().any(|k| k == key);
                let named = has("_path") || has("@stream");
                let zeek = named || has("uid") || has("id.orig_h") || has("id_orig_h");
                (has("ts") && zeek).then_some(*framing)
            }
            (Format::UmbrellaDnsCsv, Sample::Csv { header }) => {
                if umbrella::is_header(header) {
                    Some(Framing::Csv)
                } else {
                    umbrella::is_headerless_row(header.names())
                        .then_some(Framing::HeaderlessCsv(umbrella::COLUMNS))
                }
            }
            (Format::AzureDiagnosticJson, Sample::Json { framing, keys }) => {
                let has = |key: &str| keys.iter().any(|k| k == key);
                let diagnostic = has("category") && has("properties");
                (diagnostic && (has("time") || has("operationname"))).then_some(*framing)
            }
            (Format::AzureSentinelCsv, Sample::Csv { header }) => {
                let has = |key: &str| header.has(key);
                let signin = has("userprincipalname")
                    && ["resulttype", "status_dynamic", "status", "appdisplayname"]
                        .iter()
                        .any(|k| has(k));
                let audit =
                    has("activitydisplayname") && (has("initiatedby") || has("targetresources"));
                let defender = has("networkmessageid")
                    && (has("senderfromaddress") || has("urldomain") || has("accountupn"));
                (signin || audit || defender).then_some(Framing::Csv)
            }
            (Format::OktaSystemLogJson, Sample::Json { framing, keys }) => {
                let has = |key: &str| keys.iter().any(|k| k == key);
                (has("eventtype") && has("published")).then_some(*framing)
            }
            (Format::GwsReportsJson, Sample::Json { framing, keys }) => {
                let has = |key: &str| keys.iter().any(|k| k == key);
                // A page of `activities.list`, or one activity resource.
                let page = *framing == Framing::JsonLines && has("kind") && has("items");
                let activity = has("id") && (has("events") || (has("actor") && has("name")));
                if page {
                    Some(Framing::JsonPages)
                } else {
                    activity.then_some(*framing)
                }
            }
            _ => None,
        }
    }

    /// Whether files of this format can come with `framing`.
    fn accepts(self, framing: Framing) -> bool {
        match self {
            Format::M365AuditJson => matches!(framing, Framing::JsonLines | Framing::JsonArray),
            Format::M365AuditCsv | Format::AzureSentinelCsv => framing == Framing::Csv,
            Format::AzureDiagnosticJson => matches!(
                framing,
                Framing::JsonLines | Framing::JsonArray | Framing::JsonRecords
            ),
            Format::ZeekTsv => framing == Framing::ZeekTsv,
            Format::ZeekJson => matches!(framing, Framing::JsonLines | Framing::JsonArray),
            Format::UmbrellaDnsCsv => matches!(framing, Framing::Csv | Framing::HeaderlessCsv(_)),
            Format::OktaSystemLogJson => matches!(framing, Framing::JsonLines | Framing::JsonArray),
            Format::GwsReportsJson => matches!(
                framing,
                Framing::JsonLines | Framing::JsonArray | Framing::JsonPages
            ),
        }
    }
}

impl fmt::Display for Format {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}

impl FromStr for Format {
    type Err = IngestError;

    fn from_str(name: &str) -> Result<Self, Self::Err> {
        Format::ALL
            .into_iter()
            .find(|f| f.name().eq_ignore_ascii_case(name.trim()))
            .ok_or_else(|| IngestError::UnknownFormatName(name.to_owned()))
    }
}

/// What the start of a file says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Detection {
    /// The file's format and framing.
    Found(Format, Framing),
    /// Nothing but whitespace (or an empty array) so far.
    Empty,
    /// The first record is not complete yet: look again with more bytes.
    NeedMore,
    /// No format matches.
    Unknown,
}

/// Detects the format of a file that starts with `bytes`.
///
/// `complete` says `bytes` is the whole file (or all there is for now,
/// when not following it). `configured` skips the rules and only checks
/// that the content can be framed the way the format needs.
pub(crate) fn detect_sample(bytes: &[u8], complete: bool, configured: Option<Format>) -> Detection {
    let complete = complete || bytes.len() >= SAMPLE_BYTES;
    let sample = match sample(bytes, complete) {
        Some(sample) => sample,
        None if complete => Sample::Other,
        None => return Detection::NeedMore,
    };
    let framing = match &sample {
        Sample::Empty => return Detection::Empty,
        Sample::Json { framing, .. } => Some(*framing),
        Sample::Csv { .. } => Some(Framing::Csv),
        Sample::ZeekTsv => Some(Framing::ZeekTsv),
        Sample::Other => None,
    };
    let found = matching(&sample, framing, configured)
        .or_else(|| {
            later_array_items(bytes)
                .into_iter()
                .find_map(|sample| matching(&sample, framing, configured))
        })
        .or_else(|| {
            later_json_lines(bytes, complete)
                .find_map(|sample| matching(&sample, Some(Framing::JsonLines), configured))
        });
    match found {
        Some((format, framing)) => Detection::Found(format, framing),
        // Records further on may still tell.
        None if !complete => Detection::NeedMore,
        None => Detection::Unknown,
    }
}

/// The format (`configured`, or the first of [`Format::ALL`]) whose rule
/// accepts `sample`, framed as `framing` says.
fn matching(
    sample: &Sample,
    framing: Option<Framing>,
    configured: Option<Format>,
) -> Option<(Format, Framing)> {
    match configured {
        Some(format) => format
            .framing_for(sample)
            .or(framing.filter(|f| format.accepts(*f)))
            .map(|f| (format, f)),
        None => Format::ALL
            .into_iter()
            .find_map(|format| format.framing_for(sample).map(|f| (format, f))),
    }
}

/// The objects among the first items of a JSON array or `records`
/// wrapper at the start of `bytes`, after the first, each as a sample of
/// that framing: a first item that is not a record does not hide the
/// format of the ones after it. Only the items whole in `bytes` are read.
fn later_array_items(bytes: &[u8]) -> Vec<Sample> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let bytes = bytes.trim_ascii_start();
    let (framing, mut items) = match (bytes.first(), records_prefix(bytes)) {
        (Some(b'{'), RecordsPrefix::Found(len)) => (Framing::JsonRecords, &bytes[len..]),
        (Some(b'['), _) => (Framing::JsonArray, &bytes[1..]),
        _ => return Vec::new(),
    };
    let mut samples = Vec::new();
    for _ in 0..SAMPLE_LINES {
        let mut stream = serde_json::Deserializer::from_slice(items).into_iter::<Value>();
        let Some(Ok(item)) = stream.next() else {
            break;
        };
        if let Value::Object(object) = item {
            samples.push(json_sample(framing, &object));
        }
        let rest = items[stream.byte_offset()..].trim_ascii_start();
        match rest.strip_prefix(b",") {
            Some(next) => items = next,
            None => break,
        }
    }
    samples.into_iter().skip(1).collect()
}

/// The JSON objects among the first lines of `bytes` (whole lines only,
/// unless `complete`), each as a sample of JSON lines. When the start of a
/// file matches no format, these are tried in turn: a first line that is
/// not a record (a banner, garbage, a record without the keys the rules
/// look for) does not hide the format of the records after it, and the
/// framer then makes that line a dead letter.
fn later_json_lines(bytes: &[u8], complete: bool) -> impl Iterator<Item = Sample> + '_ {
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    if !complete {
        lines.pop();
    }
    lines
        .into_iter()
        .filter(|line| line.trim_ascii_start().starts_with(b"{"))
        .take(SAMPLE_LINES)
        .filter_map(|line| serde_json::from_slice::<Map<String, Value>>(line).ok())
        .map(|object| json_sample(Framing::JsonLines, &object))
}

/// Detects the format of a file that starts with `bytes` (its first
/// [`SAMPLE_BYTES`] or all of it): `None` when no format matches or there
/// is no content.
pub fn detect(bytes: &[u8]) -> Option<(Format, Framing)> {
    match detect_sample(bytes, true, None) {
        Detection::Found(format, framing) => Some((format, framing)),
        _ => None,
    }
}

/// The start of a file, as detection rules see it.
#[derive(Debug, Clone, PartialEq, Eq)]
enum Sample {
    Empty,
    /// The keys, in lower case, of the first object found.
    Json {
        framing: Framing,
        keys: Vec<String>,
    },
    Csv {
        header: CsvHeader,
    },
    /// Zeek TSV: starts with a `#separator` line.
    ZeekTsv,
    Other,
}

/// The sample of `bytes`; `None` when more bytes are needed.
fn sample(bytes: &[u8], complete: bool) -> Option<Sample> {
    let bytes = bytes.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(bytes);
    let start = bytes.iter().position(|b| !b.is_ascii_whitespace());
    let Some(start) = start else {
        return Some(Sample::Empty);
    };
    let bytes = &bytes[start..];
    if bytes.starts_with(b"#separator") {
        return Some(Sample::ZeekTsv);
    }
    match (bytes[0], records_prefix(bytes)) {
        (b'{', RecordsPrefix::Found(len)) => {
            json_array_sample(Framing::JsonRecords, &bytes[len..], complete)
        }
        (b'{', RecordsPrefix::Partial) if !complete => None,
        (b'{', _) => json_lines_sample(bytes, complete),
        (b'[', _) => json_array_sample(Framing::JsonArray, &bytes[1..], complete),
        _ => csv_sample(bytes, complete),
    }
}

fn json_lines_sample(bytes: &[u8], complete: bool) -> Option<Sample> {
    let mut lines: Vec<&[u8]> = bytes.split(|&b| b == b'\n').collect();
    // The last piece has no newline after it: only whole when complete.
    if !complete {
        lines.pop();
    }
    // A first line of only `{` opens a pretty-printed document (such as a
    // page of an API list response): its inner lines are not records.
    if lines.first().is_some_and(|l| l.trim_ascii() == b"{") {
        return Some(key_scan(Framing::JsonLines, bytes));
    }
    let object = lines
        .into_iter()
        .filter(|line| !line.trim_ascii().is_empty())
        .take(SAMPLE_LINES)
        .find_map(|line| serde_json::from_slice::<Map<String, Value>>(line).ok());
    match object {
        Some(object) => Some(json_sample(Framing::JsonLines, &object)),
        None if complete => Some(key_scan(Framing::JsonLines, bytes)),
        None => None,
    }
}

fn json_array_sample(framing: Framing, items: &[u8], complete: bool) -> Option<Sample> {
    let items = items.trim_ascii_start();
    if items.first() == Some(&b']') {
        return Some(Sample::Empty);
    }
    let mut stream = serde_json::Deserializer::from_slice(items).into_iter::<Value>();
    match stream.next() {
        Some(Ok(Value::Object(object))) => Some(json_sample(framing, &object)),
        Some(Ok(_)) => Some(Sample::Json {
            framing,
            keys: Vec::new(),
        }),
        Some(Err(e)) if e.is_eof() && !complete => None,
        _ if items.is_empty() && !complete => None,
        _ => Some(key_scan(framing, items)),
    }
}

fn json_sample(framing: Framing, object: &Map<String, Value>) -> Sample {
    let keys = object.keys().map(|k| k.to_ascii_lowercase()).collect();
    Sample::Json { framing, keys }
}

/// Keys detection rules know, looked for as `"key"` in the raw text when
/// no whole object could be parsed (a first record larger than the sample,
/// or a damaged first line).
const KNOWN_KEYS: [&str; 17] = [
    "creationtime",
    "operation",
    "workload",
    "officeworkload",
    "recordtype",
    "ts",
    "_path",
    "@stream",
    "uid",
    "time",
    "category",
    "properties",
    "operationname",
    "eventtype",
    "published",
    "kind",
    "items",
];

fn key_scan(framing: Framing, bytes: &[u8]) -> Sample {
    let text = String::from_utf8_lossy(bytes).to_ascii_lowercase();
    let keys = KNOWN_KEYS
        .iter()
        .filter(|key| text.contains(&format!("\"{key}\"")))
        .map(|key| (*key).to_owned())
        .collect();
    Sample::Json { framing, keys }
}

fn csv_sample(bytes: &[u8], complete: bool) -> Option<Sample> {
    let Some(names) = first_csv_record(bytes, complete) else {
        return if complete { Some(Sample::Other) } else { None };
    };
    if names.len() < 2 {
        return Some(Sample::Other);
    }
    Some(Sample::Csv {
        header: CsvHeader::new(names),
    })
}

/// The fields of the first CSV record in `bytes`, when it is whole.
fn first_csv_record(bytes: &[u8], complete: bool) -> Option<Vec<String>> {
    let mut reader = csv_core::Reader::new();
    let mut out = vec![0u8; bytes.len() + 1];
    let delimiters = bytes.iter().filter(|&&b| b == b',').count();
    let mut ends = vec![0usize; delimiters + 2];
    let (mut input, mut nout, mut nend) = (bytes, 0, 0);
    loop {
        let (result, nin, o, e) = reader.read_record(input, &mut out[nout..], &mut ends[nend..]);
        input = &input[nin..];
        nout += o;
        nend += e;
        match result {
            csv_core::ReadRecordResult::Record => break,
            csv_core::ReadRecordResult::InputEmpty if complete && !input.is_empty() => {}
            csv_core::ReadRecordResult::InputEmpty if complete => {
                // An empty input tells the reader the data ended.
                let (result, _, _, e) =
                    reader.read_record(&[], &mut out[nout..], &mut ends[nend..]);
                nend += e;
                if result != csv_core::ReadRecordResult::Record {
                    return None;
                }
                break;
            }
            _ => return None,
        }
    }
    let mut start = 0;
    let fields = ends[..nend]
        .iter()
        .map(|&end| {
            let field = String::from_utf8_lossy(&out[start..end]).into_owned();
            start = end;
            field
        })
        .collect();
    Some(fields)
}

#[cfg(test)]
mod tests {
    use super::*;

    const LINE: &str = r#"{"CreationTime":"2021-04-26T07:17:10","Id":"x","Operation":"New-InboxRule","Workload":"Exchange"}"#;

    #[test]
    fn m365_json_lines_arrays_and_lower_case_keys_are_detected() {
        let lines = format!("{LINE}\n{LINE}\n");
        assert_eq!(
            detect(lines.as_bytes()),
            Some((Format::M365AuditJson, Framing::JsonLines))
        );
        let array = format!("\u{feff}  [\n  {LINE},\n {LINE}\n]");
        assert_eq!(
            detect(array.as_bytes()),
            Some((Format::M365AuditJson, Framing::JsonArray))
        );
        let lower = LINE.to_ascii_lowercase();
        assert_eq!(
            detect(lower.as_bytes()),
            Some((Format::M365AuditJson, Framing::JsonLines))
        );
    }

    #[test]
    fn a_damaged_first_line_does_not_hide_the_format() {
        let text = format!("{{\"CreationTime\":\"2021-04\n\n{LINE}\n");
        assert_eq!(
            detect(text.as_bytes()),
            Some((Format::M365AuditJson, Framing::JsonLines))
        );
        let only_damaged = "{\"CreationTime\":\"2021-04-26T07:17:10\",\"Operation\":\"Se";
        assert_eq!(
            detect(only_damaged.as_bytes()),
            Some((Format::M365AuditJson, Framing::JsonLines))
        );
    }

    #[test]
    fn records_after_a_first_line_that_is_not_one_give_the_format() {
        let garbage = format!("garbage line\n{LINE}\n");
        assert_eq!(
            detect(garbage.as_bytes()),
            Some((Format::M365AuditJson, Framing::JsonLines))
        );
        let zeek = "{\"id.orig_h\":\"10.0.0.1\"}\n\
                    {\"ts\":1.5,\"uid\":\"C1\",\"id.orig_h\":\"10.0.0.1\",\"query\":\"a.com\"}\n";
        assert_eq!(
            detect(zeek.as_bytes()),
            Some((Format::ZeekJson, Framing::JsonLines))
        );
        // Until the next line is whole, there is nothing to go on.
        let partial = format!("garbage line\n{}", &LINE[..40]);
        assert_eq!(
            detect_sample(partial.as_bytes(), false, None),
            Detection::NeedMore
        );
        assert_eq!(
            detect_sample(partial.as_bytes(), true, None),
            Detection::Unknown
        );
    }

    #[test]
    fn items_after_a_first_one_that_is_not_a_record_give_the_format() {
        let array = format!("[{{\"foo\": 1}},\n {LINE},\n {LINE}]");
        assert_eq!(
            detect(array.as_bytes()),
            Some((Format::M365AuditJson, Framing::JsonArray))
        );
        let wrapped = format!("{{\"records\": [{{\"foo\": 1}}, {LINE}]}}");
        assert_eq!(
            detect(wrapped.as_bytes()),
            Some((Format::M365AuditJson, Framing::JsonRecords))
        );
    }

    #[test]
    fn office_activity_and_purview_csv_headers_are_detected() {
        let sentinel =
            "TenantId,RecordType,TimeGenerated [UTC],Operation,OfficeWorkload\r\nx,y,z,w,v\r\n";
        assert_eq!(
            detect(sentinel.as_bytes()),
            Some((Format::M365AuditCsv, Framing::Csv))
        );
        let purview = "CreationDate,UserIds,Operations,AuditData\n";
        assert_eq!(
            detect(purview.as_bytes()),
            Some((Format::M365AuditCsv, Framing::Csv))
        );
    }

    const SIGN_IN: &str = r#"{"time":"2024-03-14T09:14:02Z","category":"SignInLogs","operationName":"Sign-in activity","properties":{"userPrincipalName":"a@b.c"}}"#;

    #[test]
    fn azure_diagnostic_lines_arrays_and_records_wrappers_are_detected() {
        let lines = format!("{SIGN_IN}\n{SIGN_IN}\n");
        assert_eq!(
            detect(lines.as_bytes()),
            Some((Format::AzureDiagnosticJson, Framing::JsonLines))
        );
        let array = format!("[{SIGN_IN}]");
        assert_eq!(
            detect(array.as_bytes()),
            Some((Format::AzureDiagnosticJson, Framing::JsonArray))
        );
        let wrapped = format!("{{\n  \"records\": [\n    {SIGN_IN},\n    {SIGN_IN}\n  ]\n}}\n");
        assert_eq!(
            detect(wrapped.as_bytes()),
            Some((Format::AzureDiagnosticJson, Framing::JsonRecords))
        );
        let lower = SIGN_IN.replace("operationName", "operationname");
        assert_eq!(
            detect(lower.as_bytes()),
            Some((Format::AzureDiagnosticJson, Framing::JsonLines))
        );
        assert_eq!(detect_sample(b"{\"reco", false, None), Detection::NeedMore);
    }

    #[test]
    fn sentinel_entra_and_defender_csv_headers_are_detected() {
        for header in [
            "TenantId,OperationName,Category,ResultType,CreatedDateTime [UTC],Status_dynamic,UserPrincipalName,Type\n",
            "OperationName,InitiatingUserOrApp,Category,Id,InitiatedBy,TargetResources,ActivityDisplayName\n",
            "TimeGenerated [UTC],NetworkMessageId,SenderFromAddress,RecipientEmailAddress,Type\n",
            "TimeGenerated [UTC],NetworkMessageId,Url,UrlDomain,Type\n",
            "TimeGenerated [UTC],Url,ActionType,AccountUpn,NetworkMessageId,Type\n",
        ] {
            assert_eq!(
                detect(header.as_bytes()),
                Some((Format::AzureSentinelCsv, Framing::Csv)),
                "{header}"
            );
        }
    }

    const GWS: &str = r#"{"kind":"admin#reports#activity","id":{"time":"2024-03-14T09:15:02Z","applicationName":"login"},"actor":{"email":"a@x.com"},"events":[{"name":"login_success"}]}"#;
    const OKTA: &str = r#"{"actor":{"id":"00u1","alternateId":"a@x.com"},"eventType":"user.session.start","published":"2024-03-14T09:15:02.118Z","uuid":"7a1c2e34"}"#;

    #[test]
    fn gws_activities_and_pages_are_detected() {
        let lines = format!("{GWS}\n{GWS}\n");
        assert_eq!(
            detect(lines.as_bytes()),
            Some((Format::GwsReportsJson, Framing::JsonLines))
        );
        let array = format!("[{GWS},{GWS}]");
        assert_eq!(
            detect(array.as_bytes()),
            Some((Format::GwsReportsJson, Framing::JsonArray))
        );
        let flattened = r#"{"id":{"applicationName":"drive"},"actor":{"email":"a@x.com"},"name":"download","parameters":{}}"#;
        assert_eq!(
            detect(flattened.as_bytes()),
            Some((Format::GwsReportsJson, Framing::JsonLines))
        );
        let page = format!(r#"{{"kind":"admin#reports#activities","etag":"e","items":[{GWS}]}}"#);
        assert_eq!(
            detect(page.as_bytes()),
            Some((Format::GwsReportsJson, Framing::JsonPages))
        );
        let pretty = format!(
            "{{\n  \"kind\": \"admin#reports#activities\",\n  \"items\": [\n    {GWS}\n  ]\n}}\n"
        );
        assert_eq!(
            detect(pretty.as_bytes()),
            Some((Format::GwsReportsJson, Framing::JsonPages))
        );
    }

    #[test]
    fn okta_system_log_arrays_and_lines_are_detected() {
        let array = format!("[{OKTA},{OKTA}]");
        assert_eq!(
            detect(array.as_bytes()),
            Some((Format::OktaSystemLogJson, Framing::JsonArray))
        );
        let lines = format!("{OKTA}\n");
        assert_eq!(
            detect(lines.as_bytes()),
            Some((Format::OktaSystemLogJson, Framing::JsonLines))
        );
    }

    #[test]
    fn other_content_matches_no_format() {
        for text in [
            "{\"timestamp\":1,\"event_type\":\"dns\",\"src_ip\":\"10.0.0.1\"}\n",
            "#fields\tts\tuid\n",
            "Timestamp,Domain\n2019-09-12 20:00:00,a.example\n",
            "\"2019-09-12 20:00:00\",\"HOST\",\"HOST\",\"10.0.0.1\"\n",
            "a,b,c\n1,2,3\n",
            "[1,2,3]",
            "\u{0}\u{1}\u{2}binary",
        ] {
            assert_eq!(detect(text.as_bytes()), None, "{text:?}");
        }
        assert_eq!(detect(&[0xff, 0xfe, 0x00, 0x41]), None);
    }

    #[test]
    fn zeek_tsv_and_every_zeek_json_variant_are_detected() {
        let tsv = "#separator \\x09\n#set_separator\t,\n#path\tdns\n#fields\tts\tuid\n";
        assert_eq!(
            detect(tsv.as_bytes()),
            Some((Format::ZeekTsv, Framing::ZeekTsv))
        );
        for line in [
            r#"{"ts":1521911720.865716,"uid":"C1","id.orig_h":"10.0.0.1","query":"a.example"}"#,
            r#"{"_path":"dns","_write_ts":"2018-03-24T17:15:20.866586Z","ts":"2018-03-24T17:15:20.865716Z"}"#,
            r#"{"@stream":"dns","ts":1588316544.441272,"id_orig_h":"10.0.1.5"}"#,
        ] {
            assert_eq!(
                detect(format!("{line}\n").as_bytes()),
                Some((Format::ZeekJson, Framing::JsonLines)),
                "{line}"
            );
        }
        let damaged = "{\"_path\":\"dns\",\"ts\":\"2018-03-24T17:15:20Z\",\"uid\":\"C";
        assert_eq!(
            detect(damaged.as_bytes()),
            Some((Format::ZeekJson, Framing::JsonLines))
        );
    }

    #[test]
    fn umbrella_csv_with_and_without_a_header_is_detected() {
        let header = "Timestamp,Policy Identity,Identities/0,InternalIp,ExternalIp,Action,\
                      QueryType,ResponseCode,Domain,Categories/0\n";
        assert_eq!(
            detect(header.as_bytes()),
            Some((Format::UmbrellaDnsCsv, Framing::Csv))
        );
        let s3 = "\"2019-09-12 20:00:00\",\"HOSTNAME\",\"HOSTNAME\",\"17.81.146.1\",\
                  \"15.230.137.45\",\"Allowed\",\"1 (A)\",\"NOERROR\",\"avsvmcloud.com.\",\
                  \"Software/Technology\",\"Anyconnect Roaming Client\",\"Anyconnect Roaming Client\",\"\"\n";
        assert_eq!(
            detect(s3.as_bytes()),
            Some((
                Format::UmbrellaDnsCsv,
                Framing::HeaderlessCsv(umbrella::COLUMNS)
            ))
        );
        // Configured, the headerless framing is still chosen.
        assert_eq!(
            detect_sample(s3.as_bytes(), true, Some(Format::UmbrellaDnsCsv)),
            Detection::Found(
                Format::UmbrellaDnsCsv,
                Framing::HeaderlessCsv(umbrella::COLUMNS)
            )
        );
    }

    #[test]
    fn empty_content_and_partial_first_records() {
        assert_eq!(detect_sample(b"", true, None), Detection::Empty);
        assert_eq!(detect_sample(b" \n\r\n", true, None), Detection::Empty);
        assert_eq!(detect_sample(b"[ ]", true, None), Detection::Empty);
        let partial = &LINE.as_bytes()[..40];
        assert_eq!(detect_sample(partial, false, None), Detection::NeedMore);
        assert_eq!(
            detect_sample(b"Operation,Offi", false, None),
            Detection::NeedMore
        );
    }

    #[test]
    fn a_configured_format_needs_a_matching_framing() {
        let csv = b"a,b\n1,2\n";
        assert_eq!(
            detect_sample(csv, true, Some(Format::M365AuditCsv)),
            Detection::Found(Format::M365AuditCsv, Framing::Csv)
        );
        assert_eq!(
            detect_sample(csv, true, Some(Format::M365AuditJson)),
            Detection::Unknown
        );
    }

    #[test]
    fn format_names_round_trip() {
        for format in Format::ALL {
            assert_eq!(format.name().parse::<Format>().unwrap(), format);
        }
        let err = "zeek".parse::<Format>().unwrap_err().to_string();
        assert_eq!(
            err,
            "unknown format name `zeek`; known formats: m365-audit-json, m365-audit-csv, \
             azure-diagnostic-json, azure-sentinel-csv, okta-system-log-json, gws-reports-json, \
             zeek-tsv, zeek-json, umbrella-dns-csv"
        );
    }
}
