//! Zeek network logs to events.
//!
//! [`ZeekNormalizer`] reads the `dns`, `http`, `ssl` and `conn` logs (and
//! any other Zeek log, generically) in the four encodings Zeek and its
//! shippers write:
//!
//! - TSV, Zeek's default: `#` header lines name the fields (see
//!   [`ZeekHeader`]); `-` is unset, `(empty)` empty, `T`/`F` booleans,
//!   set and vector items split by `#set_separator`. The framer
//!   (`Framing::ZeekTsv`) hands out rows as [`ZeekRow`]s;
//! - JSON lines with dotted keys (`id.orig_h`) and epoch `ts` numbers;
//! - JSON streaming: `_path` names the log, `ts` and `_write_ts` are ISO
//!   8601 strings (`2018-03-24T17:15:20.865716Z`);
//! - JSON with underscores (`id_orig_h`) and `@stream` naming the log.
//!
//! The log comes from `#path`, `_path` or `@stream`; lacking those, from
//! the fields present: `query` gives dns, `server_name` or `ja3` ssl,
//! `method`, `host` or `uri` http, `conn_state` or `duration` conn.
//!
//! Every record gives one event:
//!
//! - `kind`: dns is `dns.query`, http `http.request`, ssl `tls.session`,
//!   conn `network.connection`; any other log is `zeek.<path>` (`files`
//!   gives `zeek.files`), and a record whose log cannot be told is
//!   `zeek.unknown`.
//! - `time`: `ts`, epoch seconds read from their decimal text (a JSON
//!   number too), so every microsecond is kept; or ISO 8601.
//! - `src_ip` and `device`: `id.orig_h`, the originating host, in
//!   canonical text; `dst_ip`: `id.resp_h`; `dst_port`: `id.resp_p`. An
//!   address that does not parse stays in `attrs` under its vendor name.
//! - `domain`: dns `query`; else `server_name` (ssl); else, for http,
//!   `host` without its port when it is a name and not an address. Lower
//!   case, without a trailing dot; the root (`""`) is no domain.
//! - `url` (http): `uri` when it is absolute (a proxy request), else
//!   `http://` + `host` (+ `:port` when not 80 and `host` has none) +
//!   `uri`.
//! - `user_agent`: `user_agent`.
//! - `bytes`: `orig_bytes` + `resp_bytes` (conn), `request_body_len` +
//!   `response_body_len` (http); the parts stay in `attrs`.
//! - `attrs`: `uid` and every other field with a value, by vendor name,
//!   with `id_orig_p` written `id.orig_p` (so dns gives `answers`,
//!   `rcode_name`, `qtype_name`, ...; http `method`, `status_code`; ssl
//!   `ja3`, `version`, ...). Sets and vectors are joined by `,`, booleans
//!   are `true`/`false` in every encoding.
//! - `raw`: the TSV line or the JSON text.
//!
//! The event id hashes the log, `uid`, the time and the raw text: a dns
//! `uid` repeats across the queries of one connection, and the raw text
//! keeps their ids apart. A record without a `ts`, or with one that is not
//! a time, is an error naming the field.

mod fields;
mod row;
#[doc(hidden)]
pub mod testdata;
mod time;

use crate::normalize::Attrs;
use std::borrow::Cow;
use std::sync::Arc;

use self::fields::{ZeekRecord, number_text};
use self::time::parse_ts;
use crate::normalize::json::Json;
use crate::normalize::values::canonical_ip;
use crate::normalize::{Event, NormalizeError, Normalizer, Record, event_id_of_parts};

pub use self::row::{ZeekField, ZeekHeader, ZeekRow};

/// The `source` of every event made here.
pub const SOURCE: &str = "zeek";

/// Normalizes Zeek log records, TSV rows or JSON objects.
#[derive(Debug, Clone, Copy, Default)]
pub struct ZeekNormalizer;

impl Normalizer for ZeekNormalizer {
    fn source(&self) -> &'static str {
        SOURCE
    }

    fn normalize(&self, record: &Record<'_>, out: &mut Vec<Event>) -> Result<(), NormalizeError> {
        let event = match record {
            Record::ZeekTsv(row) => to_event(ZeekRecord::from_tsv(row), row.line)?,
            Record::Json(text) => normalize_json(text)?,
            Record::Csv(_) => {
                return Err(NormalizeError::Framing {
                    step: "normalizing",
                    detail: "a CSV row is not a Zeek record".into(),
                });
            }
        };
        out.push(event);
        Ok(())
    }
}

/// One Zeek JSON object to an event.
fn normalize_json(text: &str) -> Result<Event, NormalizeError> {
    let json = Json::parse(text).map_err(|e| NormalizeError::Json {
        message: e.to_string(),
    })?;
    let Some(members) = json.as_object() else {
        return Err(NormalizeError::Json {
            message: format!("expected an object, found {}", json.kind()),
        });
    };
    let numeric_ts = members
        .iter()
        .any(|(k, v)| k == "ts" && matches!(v, Json::Int(_) | Json::UInt(_) | Json::Float(_)));
    let ts_text = numeric_ts.then(|| number_text(text, "ts")).flatten();
    to_event(ZeekRecord::from_json(members, ts_text), text.trim())
}

/// Maps the fields of one record to an event; see the module docs.
fn to_event(record: ZeekRecord<'_>, raw: &str) -> Result<Event, NormalizeError> {
    let ts = record
        .ts
        .as_deref()
        .ok_or_else(|| NormalizeError::missing("ts"))?;
    let time = parse_ts(ts).ok_or_else(|| NormalizeError::invalid("ts", "invalid time", ts))?;
    let log = record.log();

    let mut attrs: Attrs = record
        .attrs
        .iter()
        .map(|(name, value)| (Arc::clone(name), value.to_string()))
        .collect();
    let src_ip = address(&record.orig_h, "id.orig_h", &mut attrs);
    let dst_ip = address(&record.resp_h, "id.resp_h", &mut attrs);
    let dst_port = record.resp_p.as_deref().and_then(|p| {
        let port = p.trim().parse::<u16>().ok();
        if port.is_none() {
            attrs.insert("id.resp_p", p.to_owned());
        }
        port
    });
    let (domain, url) = domain_and_url(&record, dst_port, &mut attrs);

    let uid = record.uid.as_deref().unwrap_or("");
    let mut digits = itoa::Buffer::new();
    let key = [
        log.unwrap_or("").as_bytes(),
        uid.as_bytes(),
        digits.format(time).as_bytes(),
        raw.as_bytes(),
    ];
    Ok(Event {
        event_id: event_id_of_parts(SOURCE, &key),
        time,
        source: SOURCE,
        kind: kind_of(log),
        device: src_ip.clone(),
        src_ip,
        dst_ip,
        dst_port,
        domain,
        url,
        user_agent: record.user_agent.as_deref().map(str::to_owned),
        bytes: bytes(&record),
        attrs,
        raw: Some(raw.to_owned()),
        ..Event::default()
    })
}

/// The `domain` and `url` of a record; see the module docs. The name
/// fields that give neither stay in `attrs`.
fn domain_and_url(
    record: &ZeekRecord<'_>,
    port: Option<u16>,
    attrs: &mut Attrs,
) -> (Option<String>, Option<String>) {
    let http = record.log() == Some("http");
    let host = record.host.as_deref().filter(|_| http).and_then(host_name);
    let domain = match (record.query.as_deref(), record.server_name.as_deref(), host) {
        (Some(query), _, _) => domain_name(query),
        (None, Some(name), _) => domain_name(name),
        (None, None, Some(host)) => domain_name(host),
        (None, None, None) => None,
    };
    let url = http.then(|| url(record, port)).flatten();
    if record.query.is_some() {
        keep(attrs, "server_name", &record.server_name);
    }
    if record.query.is_some() || record.server_name.is_some() || host.is_none() {
        keep(attrs, "host", &record.host);
    }
    if url.is_none() {
        keep(attrs, "uri", &record.uri);
    }
    (domain, url)
}

/// The kind of a record of log `path`; see the module docs.
fn kind_of(path: Option<&str>) -> String {
    match path {
        Some("dns") => "dns.query".into(),
        Some("http") => "http.request".into(),
        Some("ssl") => "tls.session".into(),
        Some("conn") => "network.connection".into(),
        Some(other) => format!("zeek.{}", other.to_ascii_lowercase()),
        None => "zeek.unknown".into(),
    }
}

/// An address in canonical text; one that does not parse is kept in
/// `attrs` under `name`.
fn address(value: &Option<Cow<'_, str>>, name: &str, attrs: &mut Attrs) -> Option<String> {
    let value = value.as_deref()?;
    let ip = canonical_ip(value);
    if ip.is_none() {
        attrs.insert(name, value.to_owned());
    }
    ip
}

fn keep(attrs: &mut Attrs, name: &str, value: &Option<Cow<'_, str>>) {
    if let Some(value) = value {
        attrs.insert(name, value.to_string());
    }
}

/// A domain in lower case without a trailing dot; `None` when empty.
fn domain_name(name: &str) -> Option<String> {
    let name = name.trim();
    let name = name.strip_suffix('.').unwrap_or(name);
    (!name.is_empty()).then(|| name.to_ascii_lowercase())
}

/// The name in an HTTP `Host` value, without its port; `None` for an
/// address.
fn host_name(host: &str) -> Option<&str> {
    let host = host.trim();
    if canonical_ip(host).is_some() {
        return None;
    }
    let name = match host.rsplit_once(':') {
        Some((name, port)) if port.bytes().all(|b| b.is_ascii_digit()) => name,
        _ => host,
    };
    (!name.is_empty()).then_some(name)
}

/// The URL an http record fetched; see the module docs.
fn url(record: &ZeekRecord<'_>, port: Option<u16>) -> Option<String> {
    let uri = record.uri.as_deref().unwrap_or("/");
    let absolute = ["http://", "https://"].iter().any(|scheme| {
        uri.get(..scheme.len())
            .is_some_and(|s| s.eq_ignore_ascii_case(scheme))
    });
    if absolute {
        return Some(uri.to_owned());
    }
    let host = record.host.as_deref()?.trim();
    let has_port = host.rsplit_once(':').is_some_and(|(h, p)| {
        !p.is_empty()
            && p.bytes().all(|b| b.is_ascii_digit())
            && (!h.contains(':') || h.ends_with(']'))
    });
    let path = if uri.starts_with('/') { "" } else { "/" };
    Some(match port {
        Some(port) if port != 80 && !has_port => format!("http://{host}:{port}{path}{uri}"),
        _ => format!("http://{host}{path}{uri}"),
    })
}

/// The sum of the byte counts present; `None` when none parses.
fn bytes(record: &ZeekRecord<'_>) -> Option<i64> {
    record
        .bytes
        .iter()
        .flatten()
        .filter_map(|n| n.trim().parse::<i64>().ok())
        .fold(None, |sum, n| Some(sum.unwrap_or(0i64).saturating_add(n)))
}

#[cfg(test)]
mod tests;
