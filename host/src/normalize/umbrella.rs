//! Cisco Umbrella DNS logs to events.
//!
//! [`UmbrellaDnsNormalizer`] reads Umbrella's DNS log as CSV, in the two
//! shapes it comes in:
//!
//! - with a header row, as exports and Microsoft Sentinel give it
//!   (`Timestamp,Policy Identity,Identities/0,InternalIp,ExternalIp,
//!   Action,QueryType,ResponseCode,Domain,Categories/0,...`; lists are
//!   spread over numbered columns, values may carry leading spaces);
//! - without one, as Umbrella writes it to S3 (`"2019-09-12 20:00:00",
//!   "HOSTNAME","HOSTNAME","17.81.146.1",...`). Its columns are the
//!   documented field order, [`COLUMNS`]: detection takes a first row
//!   whose time parses, whose sixth field is `Allowed` or `Blocked` and
//!   whose seventh is a query type such as `1 (A)`, which no header row
//!   has.
//!
//! Column names match without regard to case or spaces, so `InternalIp`
//! and `Internal IP` are one column. Every row gives one `dns.query`
//! event:
//!
//! - `time`: `Timestamp` (UTC; ISO 8601 or `2019-09-12 20:00:00`).
//! - `domain`: `Domain`, lower case, without the trailing dot.
//! - `src_ip`: `InternalIp`, the client's address; `ExternalIp` (the
//!   network's public address) stays in `attrs`.
//! - `device`, or `user`: the most granular identity (`Policy Identity`
//!   or `Most Granular Identity`, else the first of `Identities`). It is
//!   the `user` (lower case) when its identity type names a user (`AD
//!   User`); it is neither when the type is a network or a site; else it
//!   is the device (roaming clients, computers, and when the type is not
//!   given).
//! - `action`: `Action` (`Allowed`, `Blocked`).
//! - `attrs`: every other non-empty column by vendor name (the identity
//!   columns too); numbered
//!   columns are joined by `,` under their name without the number
//!   (`Categories/0`, `Categories/1` give `Categories`).
//! - `raw`: a JSON object of the row's non-empty columns.
//!
//! Umbrella has no record id: the event id hashes the raw text. A row
//! without a `Domain` or a time that parses is an error naming the field.
//!
//! Known limit: the vendor's own example rows put a space after some
//! commas (`"a", "b,c"`); a CSV reader takes such a quote literally and
//! splits the field at its comma. Real S3 exports have no such spaces,
//! and a row so split is a dead letter for its field count, not a wrong
//! event.

use crate::normalize::Attrs;

use crate::normalize::values::{canonical_ip, parse_time};
use crate::normalize::{CsvHeader, CsvRow, Event, NormalizeError, Normalizer, Record, event_id};

/// The `source` of every event made here.
pub const SOURCE: &str = "umbrella";

/// The columns of a headerless Umbrella DNS log, in the documented order;
/// later columns are named `column17`, ... by the framer.
pub const COLUMNS: &[&str] = &[
    "Timestamp",
    "Most Granular Identity",
    "Identities",
    "InternalIp",
    "ExternalIp",
    "Action",
    "QueryType",
    "ResponseCode",
    "Domain",
    "Categories",
    "Most Granular Identity Type",
    "Identity Types",
    "Blocked Categories",
    "Rule ID",
    "Destination Countries",
    "Organization ID",
];

/// Normalizes Cisco Umbrella DNS log rows.
#[derive(Debug, Clone, Copy, Default)]
pub struct UmbrellaDnsNormalizer;

impl Normalizer for UmbrellaDnsNormalizer {
    fn source(&self) -> &'static str {
        SOURCE
    }

    fn normalize(&self, record: &Record<'_>, out: &mut Vec<Event>) -> Result<(), NormalizeError> {
        let Record::Csv(row) = record else {
            return Err(NormalizeError::unexpected_shape(record, "Umbrella DNS"));
        };
        out.push(to_event(row)?);
        Ok(())
    }
}

/// Whether a CSV header is an Umbrella DNS log's.
pub fn is_header(header: &CsvHeader) -> bool {
    let has = |name: &str| header.keys().iter().any(|k| compact(k) == name);
    has("querytype") && has("responsecode") && has("domain") && has("internalip")
}

/// Whether the first row of a CSV file is an Umbrella DNS log row (of a
/// headerless S3 export); see the module docs.
pub fn is_headerless_row(fields: &[String]) -> bool {
    let field = |i: usize| fields.get(i).map_or("", |f| f.trim());
    let query_type = field(6)
        .split_once(" (")
        .is_some_and(|(n, t)| n.bytes().all(|b| b.is_ascii_digit()) && t.ends_with(')'));
    fields.len() >= 10
        && parse_time(field(0)).is_some()
        && matches!(field(5), "Allowed" | "Blocked")
        && query_type
}

/// A column key without spaces and without a list index: `Identities/0`
/// and `identities` are both `identities`.
fn compact(key: &str) -> String {
    let key = match key.rsplit_once('/') {
        Some((name, index)) if index.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => key,
    };
    key.chars().filter(|c| !c.is_whitespace()).collect()
}

/// The fields of one row the mapping reads.
#[derive(Default)]
struct DnsRow<'a> {
    time: Option<(&'a str, &'a str)>,
    internal_ip: Option<&'a str>,
    action: Option<&'a str>,
    domain: Option<&'a str>,
    /// The most granular identity, its type and the first identity.
    identity: Option<&'a str>,
    identity_type: Option<&'a str>,
    first_identity: Option<&'a str>,
    /// Every column but the four above, joined by name without index.
    attrs: Attrs,
}

impl<'a> DnsRow<'a> {
    fn read(row: &CsvRow<'a>) -> Self {
        let mut dns = DnsRow::default();
        for (name, key, value) in row.columns() {
            let value = value.trim();
            if value.is_empty() {
                continue;
            }
            match compact(key).as_str() {
                "timestamp" => {
                    dns.time = Some((name, value));
                    continue;
                }
                "internalip" => {
                    dns.internal_ip = Some(value);
                    continue;
                }
                "action" => {
                    dns.action = Some(value);
                    continue;
                }
                "domain" => {
                    dns.domain = Some(value);
                    continue;
                }
                "policyidentity" | "mostgranularidentity" => dns.identity = Some(value),
                "policyidentitytype" | "mostgranularidentitytype" => {
                    dns.identity_type = Some(value);
                }
                "identities" => {
                    // S3 exports list every identity in one column.
                    let first = value.split(',').next().unwrap_or(value).trim();
                    dns.first_identity.get_or_insert(first);
                }
                _ => {}
            }
            match dns.attrs.get_mut(list_name(name)) {
                Some(list) => {
                    list.push(',');
                    list.push_str(value);
                }
                None => {
                    dns.attrs.insert(list_name(name), value.to_owned());
                }
            }
        }
        dns
    }
}

/// A column name without its list index: `Categories/0` is `Categories`.
fn list_name(name: &str) -> &str {
    match name.rsplit_once('/') {
        Some((base, index)) if index.bytes().all(|b| b.is_ascii_digit()) => base,
        _ => name,
    }
}

/// Maps one row to an event; see the module docs.
fn to_event(row: &CsvRow<'_>) -> Result<Event, NormalizeError> {
    let dns = DnsRow::read(row);
    let (time_field, time_text) = dns
        .time
        .ok_or_else(|| NormalizeError::missing("Timestamp"))?;
    let time = parse_time(time_text)
        .ok_or_else(|| NormalizeError::invalid(time_field, "invalid date", time_text))?;
    let domain = dns
        .domain
        .ok_or_else(|| NormalizeError::missing("Domain"))?;
    let domain = domain
        .strip_suffix('.')
        .unwrap_or(domain)
        .to_ascii_lowercase();

    let mut attrs = dns.attrs;
    let src_ip = dns.internal_ip.and_then(|ip| {
        let canonical = canonical_ip(ip);
        if canonical.is_none() {
            attrs.insert("InternalIp", ip.to_owned());
        }
        canonical
    });
    let identity = dns.identity.or(dns.first_identity);
    let (device, user) = match (identity, identity_kind(dns.identity_type)) {
        (Some(id), IdentityKind::User) => (None, Some(user_name(id))),
        (Some(id), IdentityKind::Device) => (Some(id.to_owned()), None),
        _ => (None, None),
    };

    let raw = row.to_json();
    Ok(Event {
        event_id: event_id(SOURCE, &raw),
        time,
        source: SOURCE,
        kind: "dns.query".into(),
        action: dns.action.map(str::to_owned),
        user,
        device,
        src_ip,
        domain: Some(domain).filter(|d| !d.is_empty()),
        attrs,
        raw: Some(raw),
        ..Event::default()
    })
}

/// The account of an AD user identity, lower case: the address in
/// `Jane Doe (jane@corp.example)`, else the whole name.
fn user_name(identity: &str) -> String {
    let address = identity
        .strip_suffix(')')
        .and_then(|rest| rest.rsplit_once('('))
        .map(|(_, address)| address.trim())
        .filter(|address| address.contains('@'));
    address.unwrap_or(identity).trim().to_lowercase()
}

/// What an identity names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum IdentityKind {
    User,
    Device,
    /// A network, site or tunnel: neither a user nor a device.
    Place,
}

/// What an identity of this type names; a device when the type is not
/// given.
fn identity_kind(kind: Option<&str>) -> IdentityKind {
    let Some(kind) = kind.map(str::to_ascii_lowercase) else {
        return IdentityKind::Device;
    };
    if kind.contains("user") {
        IdentityKind::User
    } else if ["network", "site", "tunnel"]
        .iter()
        .any(|w| kind.contains(w))
    {
        IdentityKind::Place
    } else {
        IdentityKind::Device
    }
}

/// Synthetic Umbrella DNS rows, for benchmarks.
#[doc(hidden)]
pub mod testdata {
    use std::io::{self, Write};

    /// The header of an exported Umbrella DNS log, as in Sentinel exports.
    pub const HEADER: &str = "Timestamp,Policy Identity,Identities/0,InternalIp,ExternalIp,Action,QueryType,ResponseCode,Domain,Categories/0,Policy Identity Type,Identity Types/0,Blocked Categories,EventType";

    /// Writes the header and `count` rows; returns the bytes written.
    /// Deterministic: row `i` is always the same.
    ///
    /// # Errors
    ///
    /// When `out` fails.
    pub fn write_csv(out: &mut impl Write, count: u64) -> io::Result<u64> {
        let mut bytes = HEADER.len() as u64 + 1;
        writeln!(out, "{HEADER}")?;
        for i in 0..count {
            let (secs, millis) = (i / 8, (i % 8) * 125);
            let row = format!(
                "2024-03-{:02}T{:02}:{:02}:{:02}.{millis:03}Z,HOST-{host},HOST-{host},\
                 10.0.{}.{},203.0.113.7,{},1 (A),NOERROR,site{}.example.com,\
                 Business Services,Roaming Computers,Anyconnect Roaming Client,,dnslogs",
                1 + secs / 86_400 % 28,
                secs / 3600 % 24,
                secs / 60 % 60,
                secs % 60,
                i % 250,
                i % 200 + 1,
                if i % 50 == 0 { "Blocked" } else { "Allowed" },
                (i * 7919) % 5000,
                host = i % 300,
            );
            writeln!(out, "{row}")?;
            bytes += row.len() as u64 + 1;
        }
        Ok(bytes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn row_event(names: &[&str], values: &[&str]) -> Result<Event, NormalizeError> {
        let header = CsvHeader::new(names.iter().map(|n| (*n).to_owned()).collect());
        let values: Vec<String> = values.iter().map(|v| (*v).to_owned()).collect();
        let mut out = Vec::new();
        UmbrellaDnsNormalizer.normalize(
            &Record::Csv(CsvRow {
                header: &header,
                values: &values,
            }),
            &mut out,
        )?;
        Ok(out.remove(0))
    }

    const SENTINEL: [&str; 16] = [
        "Timestamp",
        "Policy Identity",
        "Identities/0",
        "InternalIp",
        "ExternalIp",
        "Action",
        "QueryType",
        "ResponseCode",
        "Domain",
        "Categories/0",
        "Categories/1",
        "Categories/2",
        "Policy Identity Type",
        "Identity Types/0",
        "Blocked Categories",
        "EventType",
    ];

    #[test]
    fn a_sentinel_row_maps_to_a_dns_query() {
        let e = row_event(
            &SENTINEL,
            &[
                "2019-09-12T20:00:00.625Z",
                "HOSTNAME",
                "HOSTNAME",
                " 17.81.146.1",
                "15.230.137.45",
                "Allowed",
                "1 (A)",
                "NOERROR",
                "avsvmcloud.com",
                "Software/Technology",
                "Business Services",
                "Infrastructure",
                "",
                "Anyconnect Roaming Client",
                "",
                "dnslogs",
            ],
        )
        .unwrap();
        assert_eq!(e.source, "umbrella");
        assert_eq!(e.kind, "dns.query");
        assert_eq!(e.time, 1_568_318_400_625_000);
        assert_eq!(e.domain.as_deref(), Some("avsvmcloud.com"));
        assert_eq!(e.src_ip.as_deref(), Some("17.81.146.1"));
        assert_eq!(e.device.as_deref(), Some("HOSTNAME"));
        assert_eq!(e.user, None);
        assert_eq!(e.action.as_deref(), Some("Allowed"));
        let attr = |k: &str| e.attrs.get(k).map(String::as_str);
        assert_eq!(
            attr("Categories"),
            Some("Software/Technology,Business Services,Infrastructure")
        );
        assert_eq!(attr("ExternalIp"), Some("15.230.137.45"));
        assert_eq!(attr("QueryType"), Some("1 (A)"));
        assert_eq!(attr("ResponseCode"), Some("NOERROR"));
        assert_eq!(attr("Identity Types"), Some("Anyconnect Roaming Client"));
        assert_eq!(attr("Policy Identity"), Some("HOSTNAME"));
        assert_eq!(attr("InternalIp"), None);
        assert_eq!(e.event_id, event_id(SOURCE, e.raw.as_deref().unwrap()));
    }

    #[test]
    fn an_s3_row_maps_the_same_and_users_are_users() {
        let values = [
            "2019-09-12 20:00:00",
            "Jane Doe (jane@corp.example)",
            "Jane Doe (jane@corp.example),Site A",
            "10.0.0.7",
            "15.230.137.45",
            "Blocked",
            "1 (A)",
            "NOERROR",
            "AvSvmCloud.com.",
            "Malware",
            "AD Users",
            "AD Users,Sites",
            "Malware",
        ];
        let e = row_event(&COLUMNS[..values.len()], &values).unwrap();
        assert_eq!(e.time, 1_568_318_400_000_000);
        assert_eq!(e.domain.as_deref(), Some("avsvmcloud.com"));
        assert_eq!(e.user.as_deref(), Some("jane@corp.example"));
        assert_eq!(user_name("CORP\\Jane"), "corp\\jane");
        assert_eq!(e.device, None);
        assert_eq!(
            e.attrs.get("Blocked Categories").map(String::as_str),
            Some("Malware")
        );

        let network = ["Network", "Internal Network", "Site"];
        for kind in network {
            assert_eq!(identity_kind(Some(kind)), IdentityKind::Place, "{kind}");
        }
    }

    #[test]
    fn rows_without_domain_or_time_are_errors() {
        let names = ["Timestamp", "InternalIp", "Domain"];
        assert_eq!(
            row_event(&names, &["2019-09-12 20:00:00", "10.0.0.1", ""]).unwrap_err(),
            NormalizeError::missing("Domain")
        );
        assert_eq!(
            row_event(&names, &["2019-13-12 20:00:00", "10.0.0.1", "a.example"]).unwrap_err(),
            NormalizeError::invalid("Timestamp", "invalid date", "2019-13-12 20:00:00")
        );
    }

    #[test]
    fn headers_and_first_rows_are_told_apart() {
        let header = CsvHeader::new(SENTINEL.iter().map(|n| (*n).to_owned()).collect());
        assert!(is_header(&header));
        let spaced = CsvHeader::new(
            [
                "Timestamp",
                "Internal IP",
                "Query Type",
                "Response Code",
                "Domain",
            ]
            .map(String::from)
            .to_vec(),
        );
        assert!(is_header(&spaced));
        let row: Vec<String> = [
            "2019-09-12 20:00:00",
            "H",
            "H",
            "10.0.0.1",
            "1.2.3.4",
            "Allowed",
            "28 (AAAA)",
            "NOERROR",
            "a.example.",
            "",
        ]
        .map(String::from)
        .to_vec();
        assert!(is_headerless_row(&row));
        assert!(!is_headerless_row(&row[..9]));
        assert!(!is_headerless_row(header.names()));
    }

    #[test]
    fn generated_rows_all_normalize() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("umbrella.csv");
        let mut file = std::fs::File::create(&path).unwrap();
        super::testdata::write_csv(&mut file, 1_000).unwrap();
        drop(file);
        let mut reader = crate::ingest::FileReader::open(&path).unwrap();
        let chunk = reader.next_chunk(2_000).unwrap().unwrap();
        assert!(
            chunk.dead_letters.is_empty(),
            "{:?}",
            chunk.dead_letters.first()
        );
        assert_eq!(chunk.events.len(), 1_000);
        assert!(
            chunk
                .events
                .iter()
                .all(|e| e.kind == "dns.query" && e.domain.is_some())
        );
    }
}
