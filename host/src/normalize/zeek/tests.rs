//! The Zeek mapping, on inline records and on the real sample logs.

use std::path::{Path, PathBuf};

use super::*;
use crate::ingest::{FileReader, Format};

/// 2018-03-24T17:15:20.865716Z in microseconds.
const FIRST_DNS: i64 = 1_521_911_720_865_716;

const TSV_HEADER: &str = "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n\
    #unset_field\t-\n#path\tdns\n#open\t2024-04-12-19-29-12\n\
    #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\ttrans_id\trtt\tquery\t\
    qclass\tqclass_name\tqtype\tqtype_name\trcode\trcode_name\tAA\tTC\tRD\tRA\tZ\tanswers\tTTLs\trejected\n\
    #types\ttime\tstring\taddr\tport\taddr\tport\tenum\tcount\tinterval\tstring\tcount\tstring\t\
    count\tstring\tcount\tstring\tbool\tbool\tbool\tbool\tcount\tvector[string]\tvector[interval]\tbool\n";

const TSV_ROW: &str = "1521911720.865716\tCqKst53mF3det3eDV9\t10.47.1.100\t41772\t10.0.0.100\t53\tudp\t36329\t0.000870\tise.wrccdc.org\t1\tC_INTERNET\t1\tA\t0\tNOERROR\tF\tF\tT\tT\t0\tise.wrccdc.cpp.edu,134.71.3.16\t2230.000000,41830.000000\tF";

const JSON_STREAMING: &str = r#"{"_path":"dns","_write_ts":"2018-03-24T17:15:20.866586Z","ts":"2018-03-24T17:15:20.865716Z","uid":"CqKst53mF3det3eDV9","id.orig_h":"10.47.1.100","id.orig_p":41772,"id.resp_h":"10.0.0.100","id.resp_p":53,"proto":"udp","trans_id":36329,"rtt":0.0008699893951416016,"query":"ise.wrccdc.org","qclass":1,"qclass_name":"C_INTERNET","qtype":1,"qtype_name":"A","rcode":0,"rcode_name":"NOERROR","AA":false,"TC":false,"RD":true,"RA":true,"Z":0,"answers":["ise.wrccdc.cpp.edu","134.71.3.16"],"TTLs":[2230.0,41830.0],"rejected":false}"#;

const JSON_UNDERSCORES: &str = r#"{"@stream":"dns","@system":"test-nsm","@proc":"zeek","ts":1521911720.865716,"uid":"CqKst53mF3det3eDV9","id_orig_h":"10.47.1.100","id_orig_p":41772,"id_resp_h":"10.0.0.100","id_resp_p":53,"proto":"udp","trans_id":36329,"query":"ISE.wrccdc.org.","qtype_name":"A","rcode_name":"NOERROR","answers":["ise.wrccdc.cpp.edu","134.71.3.16"]}"#;

fn header() -> ZeekHeader {
    let mut header = ZeekHeader::default();
    for line in TSV_HEADER.lines() {
        header.read_line(line).unwrap();
    }
    header
}

fn one(record: &Record<'_>) -> Result<Event, NormalizeError> {
    let mut out = Vec::new();
    ZeekNormalizer.normalize(record, &mut out)?;
    assert_eq!(out.len(), 1);
    Ok(out.remove(0))
}

fn json(text: &str) -> Result<Event, NormalizeError> {
    one(&Record::Json(text))
}

fn attr<'e>(e: &'e Event, key: &str) -> Option<&'e str> {
    e.attrs.get(key).map(String::as_str)
}

#[test]
fn a_tsv_dns_row_maps_to_every_column() {
    let header = header();
    let e = one(&Record::ZeekTsv(ZeekRow {
        header: &header,
        line: TSV_ROW,
    }))
    .unwrap();
    assert_eq!(e.source, "zeek");
    assert_eq!(e.kind, "dns.query");
    assert_eq!(e.time, FIRST_DNS);
    assert_eq!(e.src_ip.as_deref(), Some("10.47.1.100"));
    assert_eq!(e.device.as_deref(), Some("10.47.1.100"));
    assert_eq!(e.dst_ip.as_deref(), Some("10.0.0.100"));
    assert_eq!(e.dst_port, Some(53));
    assert_eq!(e.domain.as_deref(), Some("ise.wrccdc.org"));
    assert_eq!(e.raw.as_deref(), Some(TSV_ROW));
    assert_eq!(attr(&e, "uid"), Some("CqKst53mF3det3eDV9"));
    assert_eq!(attr(&e, "answers"), Some("ise.wrccdc.cpp.edu,134.71.3.16"));
    assert_eq!(attr(&e, "rcode_name"), Some("NOERROR"));
    assert_eq!(attr(&e, "qtype_name"), Some("A"));
    assert_eq!(attr(&e, "id.orig_p"), Some("41772"));
    assert_eq!(attr(&e, "RD"), Some("true"));
    assert_eq!(attr(&e, "query"), None, "a column is not repeated");
    assert_eq!(attr(&e, "id.resp_p"), None);
}

#[test]
fn the_four_encodings_agree_on_the_columns() {
    let header = header();
    let tsv = one(&Record::ZeekTsv(ZeekRow {
        header: &header,
        line: TSV_ROW,
    }))
    .unwrap();
    let dotted = JSON_STREAMING
        .replace(
            r#""ts":"2018-03-24T17:15:20.865716Z""#,
            r#""ts":1521911720.865716"#,
        )
        .replace(
            r#""_path":"dns","_write_ts":"2018-03-24T17:15:20.866586Z","#,
            "",
        );
    for text in [JSON_STREAMING, JSON_UNDERSCORES, dotted.as_str()] {
        let e = json(text).unwrap();
        assert_eq!(e.kind, tsv.kind, "{text}");
        assert_eq!(e.time, tsv.time, "{text}");
        assert_eq!(e.device, tsv.device);
        assert_eq!(e.src_ip, tsv.src_ip);
        assert_eq!(e.dst_ip, tsv.dst_ip);
        assert_eq!(e.dst_port, tsv.dst_port);
        assert_eq!(e.domain, tsv.domain, "{text}");
        assert_eq!(attr(&e, "answers"), attr(&tsv, "answers"));
        assert_eq!(attr(&e, "id.orig_p"), Some("41772"));
        assert_eq!(e.raw.as_deref(), Some(text));
    }
    let e = json(JSON_UNDERSCORES).unwrap();
    assert_eq!(attr(&e, "@system"), Some("test-nsm"));
    assert_eq!(attr(&e, "@stream"), None);
}

#[test]
fn ids_differ_for_queries_sharing_a_uid_and_repeat_on_replay() {
    let a = json(JSON_STREAMING).unwrap();
    let b = json(&JSON_STREAMING.replace("\"qtype\":1,", "\"qtype\":28,")).unwrap();
    assert_ne!(a.event_id, b.event_id);
    assert_eq!(a.event_id, json(JSON_STREAMING).unwrap().event_id);
}

#[test]
fn http_records_build_their_url() {
    let otrf = r#"{"@stream":"http","ts":1588316963.457737,"uid":"CDtsGz4sH4Wl9FwAs","id_orig_h":"10.0.1.5","id_orig_p":60997,"id_resp_h":"192.168.0.4","id_resp_p":8080,"trans_depth":1,"method":"GET","host":"192.168.0.4","uri":"/m","version":"1.0","request_body_len":0,"response_body_len":1011864,"status_code":200,"status_msg":"OK","tags":[],"resp_fuids":["FbJqNG3VobFODlAgpj"],"resp_mime_types":["application/x-dosexec"]}"#;
    let e = json(otrf).unwrap();
    assert_eq!(e.kind, "http.request");
    assert_eq!(e.time, 1_588_316_963_457_737);
    assert_eq!(e.url.as_deref(), Some("http://192.168.0.4:8080/m"));
    assert_eq!(e.domain, None, "an address is no domain");
    assert_eq!(attr(&e, "host"), Some("192.168.0.4"));
    assert_eq!(attr(&e, "method"), Some("GET"));
    assert_eq!(attr(&e, "status_code"), Some("200"));
    assert_eq!(e.bytes, Some(1_011_864));
    assert_eq!(attr(&e, "tags"), None);

    let named = r#"{"ts":1.0,"method":"GET","host":"Evil.Example:8443","uri":"/a?b=c","user_agent":"curl/8.0","id.resp_p":8443}"#;
    let e = json(named).unwrap();
    assert_eq!(e.kind, "http.request", "inferred from the fields");
    assert_eq!(e.domain.as_deref(), Some("evil.example"));
    assert_eq!(e.url.as_deref(), Some("http://Evil.Example:8443/a?b=c"));
    assert_eq!(e.user_agent.as_deref(), Some("curl/8.0"));
    assert_eq!(attr(&e, "host"), None);

    let proxy = r#"{"_path":"http","ts":1.0,"host":"a.example","uri":"http://a.example/x","id.resp_p":3128}"#;
    assert_eq!(
        json(proxy).unwrap().url.as_deref(),
        Some("http://a.example/x")
    );
}

#[test]
fn ssl_conn_and_other_logs() {
    let ssl = r#"{"_path":"ssl","ts":"2018-03-24T17:15:20.615923Z","uid":"C1","id.orig_h":"10.164.94.120","id.resp_h":"10.47.3.200","id.resp_p":443,"server_name":"WWW.Example.com","ja3":"c12f54a3"}"#;
    let e = json(ssl).unwrap();
    assert_eq!(e.kind, "tls.session");
    assert_eq!(e.domain.as_deref(), Some("www.example.com"));
    assert_eq!(attr(&e, "ja3"), Some("c12f54a3"));

    let conn = r#"{"ts":1.5,"uid":"C2","id.orig_h":"::ffff:10.0.0.1","id.resp_h":"2001:db8::1","id.resp_p":22,"duration":1.2,"orig_bytes":100,"resp_bytes":2000,"conn_state":"SF"}"#;
    let e = json(conn).unwrap();
    assert_eq!(e.kind, "network.connection");
    assert_eq!(e.src_ip.as_deref(), Some("10.0.0.1"));
    assert_eq!(e.dst_ip.as_deref(), Some("2001:db8::1"));
    assert_eq!(e.bytes, Some(2100));
    assert_eq!(attr(&e, "orig_bytes"), Some("100"));

    let files = r#"{"_path":"files","ts":1.5,"fuid":"F1","host":"10.0.0.9"}"#;
    let e = json(files).unwrap();
    assert_eq!(e.kind, "zeek.files");
    assert_eq!(attr(&e, "host"), Some("10.0.0.9"));
    assert_eq!(
        json(r#"{"ts":1.5,"uid":"C3"}"#).unwrap().kind,
        "zeek.unknown"
    );
}

#[test]
fn unusable_records_are_errors_naming_the_field() {
    assert_eq!(
        json(r#"{"_path":"dns","uid":"C1"}"#).unwrap_err(),
        NormalizeError::missing("ts")
    );
    assert_eq!(
        json(r#"{"_path":"dns","ts":"yesterday"}"#).unwrap_err(),
        NormalizeError::invalid("ts", "invalid time", "yesterday")
    );
    assert!(matches!(
        json(r#"{"_path":"dns","ts":1.5,"query":"#).unwrap_err(),
        NormalizeError::Json { .. }
    ));
    assert!(matches!(
        json("[1]").unwrap_err(),
        NormalizeError::Json { .. }
    ));
    let e = json(r#"{"_path":"dns","ts":1.5,"id.orig_h":"sensor-1","id.resp_p":"x"}"#).unwrap();
    assert_eq!(e.src_ip, None);
    assert_eq!(e.device, None);
    assert_eq!(attr(&e, "id.orig_h"), Some("sensor-1"));
    assert_eq!(attr(&e, "id.resp_p"), Some("x"));
}

#[test]
fn generated_records_read_without_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("dns.log");
    let mut out = std::fs::File::create(&tsv).unwrap();
    testdata::write_tsv(&mut out, 500).unwrap();
    let json = dir.path().join("dns.json");
    let mut out = std::fs::File::create(&json).unwrap();
    testdata::write_json(&mut out, 500).unwrap();

    let a = read(&tsv, Format::ZeekTsv);
    let b = read(&json, Format::ZeekJson);
    assert_eq!(a.len(), 500);
    let key = |e: &Event| (e.time, e.device.clone(), e.domain.clone(), e.dst_port);
    assert_eq!(
        a.iter().map(key).collect::<Vec<_>>(),
        b.iter().map(key).collect::<Vec<_>>()
    );
}

/// Every event of `path`, which must be of `format` and read without dead
/// letters.
fn read(path: &Path, format: Format) -> Vec<Event> {
    let mut reader = FileReader::open(path).unwrap();
    assert_eq!(reader.format(), Some(format));
    let mut events = Vec::new();
    while let Some(chunk) = reader.next_chunk(1000).unwrap() {
        assert_eq!(chunk.dead_letters, [], "{}", path.display());
        events.extend(chunk.events);
    }
    events
}

fn shared(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative);
    path.exists().then_some(path)
}

#[test]
fn the_otrf_http_download_and_its_microseconds() {
    let Some(path) = shared("otrf-apt29-zeek/UTICA-A_http.log") else {
        return;
    };
    let events = read(&path, Format::ZeekJson);
    assert_eq!(events.len(), 1);
    assert_eq!(events[0].time, 1_588_316_963_457_737);
    assert_eq!(events[0].url.as_deref(), Some("http://192.168.0.4:8080/m"));
    assert_eq!(events[0].device.as_deref(), Some("10.0.1.5"));
}

#[test]
fn resuming_a_concatenated_tsv_file_reads_with_the_right_header() {
    let mut text = Vec::new();
    testdata::write_tsv(&mut text, 5).unwrap(); // lines 1-8 header, 9-13 rows, 14 #close
    text.extend_from_slice(
        b"#separator \\x09\n#path\tconn\n#fields\tts\tuid\tid.orig_h\tid.resp_h\tid.resp_p\torig_bytes\tresp_bytes\n\
          1709251300.000001\tCa\t10.0.0.1\t10.0.0.2\t22\t10\t20\n\
          1709251300.000002\tCb\t10.0.0.1\n\
          1709251300.000003\tCc\t10.0.0.1\t10.0.0.2\t443\t-\t5\n",
    );
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("concatenated.log");
    std::fs::write(&path, &text).unwrap();

    let whole = read_all(&path, None);
    assert_eq!(whole.0.len(), 7);
    assert_eq!(whole.1, [19], "the short conn row, by line number");

    for split in 1..8 {
        let mut reader = FileReader::open(&path).unwrap();
        let first = reader.next_chunk(split).unwrap().unwrap();
        let (mut events, letters) = (first.events, first.dead_letters);
        let rest = read_all(&path, Some(first.position));
        events.extend(rest.0);
        let mut numbers: Vec<u64> = letters.iter().map(|l| l.record).collect();
        numbers.extend(rest.1);
        assert_eq!(
            events.iter().map(|e| &e.event_id).collect::<Vec<_>>(),
            whole.0.iter().map(|e| &e.event_id).collect::<Vec<_>>(),
            "split after {split}"
        );
        assert_eq!(numbers, [19], "split after {split}");
    }
    assert_eq!(whole.0[5].kind, "network.connection");
    assert_eq!(whole.0[5].bytes, Some(30));
    assert_eq!(whole.0[6].bytes, Some(5));
}

/// The events and dead-letter record numbers of `path`, from `start`.
fn read_all(path: &Path, start: Option<crate::ingest::Position>) -> (Vec<Event>, Vec<u64>) {
    let options = crate::ingest::ReadOptions {
        start,
        ..Default::default()
    };
    let mut reader = FileReader::open_with(path, options).unwrap();
    let (mut events, mut letters) = (Vec::new(), Vec::new());
    while let Some(chunk) = reader.next_chunk(1000).unwrap() {
        events.extend(chunk.events);
        letters.extend(chunk.dead_letters.iter().map(|l| l.record));
    }
    (events, letters)
}
