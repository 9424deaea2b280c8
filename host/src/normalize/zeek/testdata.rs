//! Synthetic Zeek `dns` records, for benchmarks and tests.
//!
//! Deterministic: record `i` is always the same. The records follow a
//! busy resolver: mostly `A` and `AAAA` queries for a few hundred names,
//! some NXDOMAIN, a `uid` shared by the queries of one connection. The
//! same records can be written as Zeek TSV (with its header lines) and as
//! JSON streaming lines (`_path`, ISO times).

use crate::normalize::synthetic::mix;
use std::fmt::Write as _;
use std::io::{self, Write};

/// 2024-03-01T00:00:00Z in seconds.
const START: i64 = 1_709_251_200;

const DOMAINS: [&str; 8] = [
    "login.microsoftonline.com",
    "outlook.office365.com",
    "www.google.com",
    "update.googleapis.com",
    "ise.wrccdc.org",
    "docs.example.org",
    "cdn.jsdelivr.net",
    "avsvmcloud.com",
];

const FIELDS: [&str; 24] = [
    "ts",
    "uid",
    "id.orig_h",
    "id.orig_p",
    "id.resp_h",
    "id.resp_p",
    "proto",
    "trans_id",
    "rtt",
    "query",
    "qclass",
    "qclass_name",
    "qtype",
    "qtype_name",
    "rcode",
    "rcode_name",
    "AA",
    "TC",
    "RD",
    "RA",
    "Z",
    "answers",
    "TTLs",
    "rejected",
];

const TYPES: [&str; 24] = [
    "time",
    "string",
    "addr",
    "port",
    "addr",
    "port",
    "enum",
    "count",
    "interval",
    "string",
    "count",
    "string",
    "count",
    "string",
    "count",
    "string",
    "bool",
    "bool",
    "bool",
    "bool",
    "count",
    "vector[string]",
    "vector[interval]",
    "bool",
];

/// One dns record's values, `None` where Zeek leaves a field unset.
struct Dns {
    secs: i64,
    micros: u32,
    uid: String,
    orig_h: String,
    orig_p: u16,
    resp_h: String,
    trans_id: u16,
    rtt: Option<u32>,
    query: String,
    qtype: (u16, &'static str),
    rcode: (u8, &'static str),
    answers: Vec<String>,
}

fn dns(i: u64) -> Dns {
    let r = mix(i);
    let conn = mix(i / 3);
    let [a, b, c, d, e, ..] = conn.to_le_bytes();
    let name = DOMAINS[(r % DOMAINS.len() as u64) as usize];
    let query = if r.is_multiple_of(5) {
        format!("h{}.{name}", (r >> 8) % 300)
    } else {
        name.to_owned()
    };
    let qtype = if (r >> 16).is_multiple_of(3) {
        (28, "AAAA")
    } else {
        (1, "A")
    };
    let nx = (r >> 20).is_multiple_of(20);
    let answers = if nx {
        Vec::new()
    } else if qtype.0 == 28 {
        vec![format!("2606:4700::{:x}", r >> 48)]
    } else {
        vec![
            format!("edge-{}.{name}", e % 9),
            format!("{}.{}.{}.{}", 13 + a % 200, b, c, d),
        ]
    };
    Dns {
        secs: START + i64::try_from(i / 20).unwrap_or(i64::MAX),
        micros: ((i * 37_813) % 1_000_000) as u32,
        uid: format!("C{:016x}", conn).chars().take(18).collect(),
        orig_h: format!("10.{}.{}.{}", a % 16, b, 1 + c % 250),
        orig_p: 1024 + (conn % 60_000) as u16,
        resp_h: format!("10.0.0.{}", 53 + d % 3),
        trans_id: (r >> 32) as u16,
        rtt: (!nx).then_some(((r >> 40) % 90_000) as u32),
        query,
        qtype,
        rcode: if nx { (3, "NXDOMAIN") } else { (0, "NOERROR") },
        answers,
    }
}

/// The header lines of the TSV dns log, each ending in a newline.
pub fn tsv_header() -> String {
    format!(
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n\
         #path\tdns\n#open\t2024-03-01-00-00-00\n#fields\t{}\n#types\t{}\n",
        FIELDS.join("\t"),
        TYPES.join("\t")
    )
}

/// Record `i` as one TSV row (no newline).
pub fn tsv_row(i: u64) -> String {
    let d = dns(i);
    let rtt = d.rtt.map_or("-".to_owned(), |us| format!("0.{us:06}"));
    let (answers, ttls) = if d.answers.is_empty() {
        ("-".to_owned(), "-".to_owned())
    } else {
        let ttls = vec!["300.000000"; d.answers.len()].join(",");
        (d.answers.join(","), ttls)
    };
    let mut row = String::with_capacity(256);
    let _ = write!(
        row,
        "{}.{:06}\t{}\t{}\t{}\t{}\t53\tudp\t{}\t{rtt}\t{}\t1\tC_INTERNET\t{}\t{}\t{}\t{}\t\
         F\tF\tT\tT\t0\t{answers}\t{ttls}\tF",
        d.secs,
        d.micros,
        d.uid,
        d.orig_h,
        d.orig_p,
        d.resp_h,
        d.trans_id,
        d.query,
        d.qtype.0,
        d.qtype.1,
        d.rcode.0,
        d.rcode.1,
    );
    row
}

/// Record `i` as one JSON streaming line (no newline): `_path`, ISO
/// `ts` and `_write_ts`, dotted keys.
pub fn json_line(i: u64) -> String {
    let d = dns(i);
    let ts = chrono::DateTime::from_timestamp(d.secs, d.micros * 1000).unwrap_or_default();
    let iso = |t: chrono::DateTime<chrono::Utc>| t.format("%Y-%m-%dT%H:%M:%S%.6fZ").to_string();
    let mut object = serde_json::json!({
        "_path": "dns",
        "_write_ts": iso(ts + chrono::Duration::milliseconds(1)),
        "ts": iso(ts),
        "uid": d.uid,
        "id.orig_h": d.orig_h,
        "id.orig_p": d.orig_p,
        "id.resp_h": d.resp_h,
        "id.resp_p": 53,
        "proto": "udp",
        "trans_id": d.trans_id,
        "query": d.query,
        "qclass": 1,
        "qclass_name": "C_INTERNET",
        "qtype": d.qtype.0,
        "qtype_name": d.qtype.1,
        "rcode": d.rcode.0,
        "rcode_name": d.rcode.1,
        "AA": false, "TC": false, "RD": true, "RA": true, "Z": 0,
        "rejected": false
    });
    if let Some(map) = object.as_object_mut() {
        if let Some(us) = d.rtt {
            map.insert("rtt".into(), (f64::from(us) / 1e6).into());
        }
        if !d.answers.is_empty() {
            map.insert("TTLs".into(), vec![300.0; d.answers.len()].into());
            map.insert("answers".into(), d.answers.into());
        }
    }
    object.to_string()
}

/// Writes the TSV header, rows `0..count` and a `#close` line; returns
/// the bytes written.
///
/// # Errors
///
/// When `out` fails.
pub fn write_tsv(out: &mut impl Write, count: u64) -> io::Result<u64> {
    let header = tsv_header();
    out.write_all(header.as_bytes())?;
    let mut bytes = header.len() as u64;
    for i in 0..count {
        let row = tsv_row(i);
        out.write_all(row.as_bytes())?;
        out.write_all(b"\n")?;
        bytes += row.len() as u64 + 1;
    }
    let close = "#close\t2024-03-02-00-00-00\n";
    out.write_all(close.as_bytes())?;
    Ok(bytes + close.len() as u64)
}

/// Writes records `0..count` as JSON lines; returns the bytes written.
///
/// # Errors
///
/// When `out` fails.
pub fn write_json(out: &mut impl Write, count: u64) -> io::Result<u64> {
    crate::normalize::synthetic::write_lines(out, count, json_line)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_deterministic_and_rows_have_every_field() {
        assert_eq!(tsv_row(7), tsv_row(7));
        assert_ne!(tsv_row(7), tsv_row(8));
        assert_eq!(json_line(7), json_line(7));
        for i in 0..200 {
            assert_eq!(
                tsv_row(i).split('\t').count(),
                FIELDS.len(),
                "{}",
                tsv_row(i)
            );
        }
        let mut out = Vec::new();
        let bytes = write_tsv(&mut out, 100).unwrap();
        assert_eq!(bytes, out.len() as u64);
        let mut out = Vec::new();
        let bytes = write_json(&mut out, 100).unwrap();
        assert_eq!(bytes, out.len() as u64);
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 100);
    }
}
