//! Runs over Cisco Umbrella DNS logs: the real Sentinel-lab export (with
//! a header row) and an S3 export without one.

use super::support::{count, run_once, shared_data, sql};

#[test]
fn the_sunburst_beacon_query_is_one_dns_event() {
    let Some(file) = shared_data("sentinel-training-lab/solarigate-beacon-umbrella.csv") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let output = run_once(data.path(), &[&file]);
    assert!(output.status.success(), "run failed");
    let data = data.path();

    assert_eq!(count(data, "select count(*) from dead_letters"), 0);
    let rows = sql(
        data,
        "select source, kind, domain, device, src_ip, action, \
         to_char(time, '%Y-%m-%d %H:%M:%S%.3f') as at, attrs['ExternalIp'] as external, \
         attrs['QueryType'] as qtype, attrs['Categories'] as categories from events",
    );
    assert_eq!(rows.len(), 1, "{rows:?}");
    let e = &rows[0];
    assert_eq!(e["source"], "umbrella");
    assert_eq!(e["kind"], "dns.query");
    assert_eq!(e["domain"], "avsvmcloud.com");
    assert_eq!(e["device"], "HOSTNAME");
    assert_eq!(e["src_ip"], "17.81.146.1", "the leading space is gone");
    assert_eq!(e["action"], "Allowed");
    assert_eq!(e["at"], "2019-09-12 20:00:00.625");
    assert_eq!(e["external"], "15.230.137.45");
    assert_eq!(e["qtype"], "1 (A)");
    assert_eq!(
        e["categories"],
        "Software/Technology,Business Services,Infrastructure"
    );
}

#[test]
fn a_headerless_s3_export_reads_every_row() {
    let dir = tempfile::tempdir().unwrap();
    // Umbrella's documented S3 field order, no header row.
    let file = dir.path().join("2019-09-12-20-00-e4e1.csv");
    std::fs::write(
        &file,
        "\"2019-09-12 20:00:00\",\"HOSTNAME\",\"HOSTNAME\",\"17.81.146.1\",\"15.230.137.45\",\
         \"Allowed\",\"1 (A)\",\"NOERROR\",\"avsvmcloud.com.\",\"Software/Technology\",\
         \"Anyconnect Roaming Client\",\"Anyconnect Roaming Client\",\"\"\n\
         \"2019-09-12 20:00:03\",\"Jane Doe (jane@corp.example)\",\"Jane Doe (jane@corp.example),Site A\",\
         \"10.0.0.7\",\"15.230.137.45\",\"Blocked\",\"28 (AAAA)\",\"NOERROR\",\"evil.example.\",\
         \"Malware\",\"AD Users\",\"AD Users,Sites\",\"Malware\"\n\
         \"2019-09-12 20:00:04\",\"HOSTNAME\",\"broken row\"\n",
    )
    .unwrap();
    let data = dir.path().join("history");
    let output = run_once(&data, &[&file]);
    assert!(output.status.success(), "run failed");

    let rows = sql(
        &data,
        "select domain, device, user, action from events order by time",
    );
    assert_eq!(rows.len(), 2, "{rows:?}");
    assert_eq!(rows[0]["domain"], "avsvmcloud.com");
    assert_eq!(rows[0]["device"], "HOSTNAME");
    assert_eq!(rows[1]["domain"], "evil.example");
    assert_eq!(rows[1]["user"], "jane@corp.example");
    assert_eq!(rows[1]["action"], "Blocked");

    let letters = sql(&data, "select record, format, reason from dead_letters");
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0]["record"], 3, "rows count from the first line");
    assert_eq!(letters[0]["format"], "umbrella-dns-csv");
    assert_eq!(
        count(
            &data,
            "select count(*) from dead_letters where reason like '%13%'"
        ),
        1,
        "{letters:?}"
    );
}
