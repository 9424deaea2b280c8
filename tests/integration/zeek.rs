//! Runs over the real Zeek logs: the OTRF APT29 JSON (`@stream`,
//! underscores), and the same WRCCDC DNS traffic as Zeek TSV and as JSON
//! streaming; bad rows and lines as dead letters.

use std::path::Path;

use super::support::{count, run_once, shared_data, sql, stdout};

#[test]
fn apt29_zeek_json_gives_dns_tls_and_the_payload_download() {
    let Some(dir) = shared_data("otrf-apt29-zeek") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let output = run_once(data.path(), &[&dir]);
    assert!(output.status.success(), "run failed");
    let data = data.path();

    assert_eq!(count(data, "select count(*) from dead_letters"), 0);
    let dns = "select count(*) from events where source = 'zeek' and kind = 'dns.query'";
    assert_eq!(count(data, dns), 58 + 13);
    assert_eq!(
        count(
            data,
            &format!("{dns} and time < to_timestamp_micros(1588317600000000)")
        ),
        58,
        "UTICA-A's queries, 2020-05-01 07:02-07:15"
    );
    assert_eq!(
        count(
            data,
            "select count(*) from events where kind = 'tls.session'"
        ),
        315
    );
    assert_eq!(
        count(data, "select count(*) from events"),
        58 + 13 + 315 + 1
    );

    let http = sql(
        data,
        "select url, device, src_ip, dst_ip, dst_port, bytes, attrs['method'] as method, \
         attrs['status_code'] as status, attrs['uid'] as uid, \
         cast(time as bigint) as micros from events where kind = 'http.request'",
    );
    assert_eq!(http.len(), 1, "{http:?}");
    let h = &http[0];
    assert_eq!(h["url"], "http://192.168.0.4:8080/m");
    assert_eq!(h["device"], "10.0.1.5");
    assert_eq!(h["src_ip"], "10.0.1.5");
    assert_eq!(h["dst_ip"], "192.168.0.4");
    assert_eq!(h["dst_port"], 8080);
    assert_eq!(h["bytes"], 1_011_864);
    assert_eq!(h["method"], "GET");
    assert_eq!(h["status"], "200");
    assert_eq!(h["uid"], "CDtsGz4sH4Wl9FwAs");
    // `ts` 1588316963.457737: every microsecond kept.
    assert_eq!(h["micros"], 1_588_316_963_457_737_i64);

    // The C2 beacon: TLS from the victim to 192.168.0.4:443, one JA3.
    let c2 = "select count(*) from events where kind = 'tls.session' and device = '10.0.1.5' \
              and dst_ip = '192.168.0.4' and dst_port = 443 \
              and attrs['ja3'] = 'c12f54a3f91dc7bafd92cb59fe009a35'";
    assert!(count(data, c2) > 300, "most sessions are the beacon");
    let earliest = sql(
        data,
        "select cast(time as bigint) as micros, domain from events \
         where kind = 'dns.query' order by time limit 1",
    );
    assert_eq!(earliest[0]["micros"], 1_588_316_544_441_272_i64);
    assert_eq!(
        earliest[0]["domain"],
        "array607.prod.do.dsp.mp.microsoft.com"
    );
    assert_eq!(
        count(
            data,
            "select count(distinct event_id) from events where source = 'zeek'"
        ),
        58 + 13 + 315 + 1,
        "ids are unique per record"
    );
}

#[test]
fn wrccdc_dns_as_tsv_and_as_json_give_the_same_events() {
    let (Some(tsv), Some(json), Some(ssl)) = (
        shared_data("brimdata-zeek/dns.log.gz"),
        shared_data("brimdata-zeek/dns.json.gz"),
        shared_data("brimdata-zeek/ssl.log.gz"),
    ) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let output = run_once(data.path(), &[&tsv, &json, &ssl]);
    assert!(output.status.success(), "run failed");
    let data = data.path();

    assert_eq!(count(data, "select count(*) from dead_letters"), 0);
    // TSV rows are raw lines; JSON records start with `{`.
    let dns = "select count(*) from events where kind = 'dns.query'";
    assert_eq!(count(data, &format!("{dns} and raw like '{{%'")), 53_615);
    assert_eq!(
        count(data, &format!("{dns} and raw not like '{{%'")),
        53_615
    );
    assert_eq!(
        count(
            data,
            "select count(*) from events where kind = 'tls.session'"
        ),
        49_474
    );

    // The same multiset of (time, device, domain) from both encodings:
    // no group has a different count in each.
    let differing = count(
        data,
        "select count(*) from (\
           select time, device, coalesce(domain, '') as domain, \
             sum(case when raw like '{%' then 1 else 0 end) as json, \
             sum(case when raw like '{%' then 0 else 1 end) as tsv \
           from events where kind = 'dns.query' group by 1, 2, 3) \
         where json <> tsv",
    );
    assert_eq!(differing, 0);

    let first = sql(
        data,
        "select device, dst_ip, dst_port, domain, attrs['answers'] as answers, \
         attrs['AA'] as aa, count(*) as n from events \
         where kind = 'dns.query' and cast(time as bigint) = 1521911720865716 \
         group by 1, 2, 3, 4, 5, 6",
    );
    assert_eq!(first.len(), 1, "both encodings agree: {first:?}");
    let f = &first[0];
    assert_eq!(f["device"], "10.47.1.100");
    assert_eq!(f["dst_ip"], "10.0.0.100");
    assert_eq!(f["dst_port"], 53);
    assert_eq!(f["domain"], "ise.wrccdc.org");
    assert_eq!(f["answers"], "ise.wrccdc.cpp.edu,134.71.3.16");
    assert_eq!(f["aa"], "false");
    assert_eq!(f["n"], 2);

    assert_eq!(
        count(
            data,
            "select count(*) from events where kind = 'dns.query' and domain = 'ise.wrccdc.org' \
             and raw not like '{%'"
        ),
        22_160
    );
    assert_eq!(
        count(
            data,
            "select count(*) from events where kind = 'dns.query' and domain is null \
             and raw not like '{%'"
        ),
        14,
        "unset and root queries have no domain"
    );
}

/// A Zeek TSV dns log in Zeek's shape, with the rows given.
fn tsv_log(rows: &[&str]) -> String {
    let mut text = String::from(
        "#separator \\x09\n#set_separator\t,\n#empty_field\t(empty)\n#unset_field\t-\n\
         #path\tdns\n#open\t2024-04-12-19-29-12\n\
         #fields\tts\tuid\tid.orig_h\tid.orig_p\tid.resp_h\tid.resp_p\tproto\tquery\trcode_name\tanswers\n\
         #types\ttime\tstring\taddr\tport\taddr\tport\tenum\tstring\tstring\tvector[string]\n",
    );
    for row in rows {
        text.push_str(row);
        text.push('\n');
    }
    text.push_str("#close\t2024-04-12-19-34-07\n");
    text
}

#[test]
fn short_tsv_rows_and_truncated_json_lines_are_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let tsv = dir.path().join("dns.log");
    std::fs::write(
        &tsv,
        tsv_log(&[
            "1521911720.865716\tC1\t10.47.1.100\t41772\t10.0.0.100\t53\tudp\tise.wrccdc.org\tNOERROR\t134.71.3.16",
            "1521911720.865911\tC2\t10.47.1.100\t53995\t10.0.0.100\t53\tudp\tise.wrccdc.org",
            "1521911721.000001\tC3\t10.47.1.101\t53996\t10.0.0.100\t53\tudp\tevil.example\tNXDOMAIN\t-",
        ]),
    )
    .unwrap();
    let json = dir.path().join("dns.json");
    std::fs::write(
        &json,
        concat!(
            r#"{"_path":"dns","ts":"2018-03-24T17:15:20.865716Z","uid":"C1","id.orig_h":"10.47.1.100","query":"a.example"}"#,
            "\n",
            r#"{"_path":"dns","ts":"2018-03-24T17:15:21.000000Z","uid":"C2","id.orig_h":"10.47"#,
            "\n",
            r#"{"_path":"dns","ts":"2018-03-24T17:15:22.000000Z","uid":"C3","id.orig_h":"10.47.1.102","query":"b.example"}"#,
            "\n",
        ),
    )
    .unwrap();

    let data = dir.path().join("history");
    let output = run_once(&data, &[&tsv, &json]);
    assert!(output.status.success(), "run failed");
    assert!(
        stdout(&output).contains("dead letters: 2"),
        "{}",
        stdout(&output)
    );
    assert_eq!(count(&data, "select count(*) from events"), 4);
    assert_eq!(
        count(
            &data,
            "select count(*) from events where domain in ('evil.example', 'b.example')"
        ),
        2,
        "the records after the bad ones are read"
    );

    let letters = sql(
        &data,
        "select source_file, record, format, reason, raw from dead_letters order by source_file",
    );
    assert_eq!(letters.len(), 2, "{letters:?}");
    let file = |l: &serde_json::Value| {
        let path = l["source_file"].as_str().unwrap();
        Path::new(path)
            .file_name()
            .unwrap()
            .to_string_lossy()
            .into_owned()
    };
    let (json_letter, tsv_letter) = (&letters[0], &letters[1]);
    assert_eq!(file(tsv_letter), "dns.log");
    assert_eq!(tsv_letter["record"], 10, "the line number");
    assert_eq!(tsv_letter["format"], "zeek-tsv");
    assert_eq!(
        tsv_letter["reason"],
        "reading Zeek TSV in record 10 of dns.log: found 8 fields where `#fields` names 10"
    );
    assert!(tsv_letter["raw"].as_str().unwrap().contains("C2"));

    assert_eq!(file(json_letter), "dns.json");
    assert_eq!(json_letter["record"], 2);
    assert_eq!(json_letter["format"], "zeek-json");
    let reason = json_letter["reason"].as_str().unwrap();
    assert!(
        reason.starts_with("parsing JSON in record 2 of dns.json: "),
        "{reason}"
    );
}
