//! Enrichment on a real run: client addresses in every shape become one
//! canonical text, a geo database locates public addresses the log did not
//! locate, and an asset table names devices and their owners.

use std::path::Path;

use serde_json::{Value, json};

use super::support::{run_once, shared_data, sql};

/// A unified audit log sign-in from `client_ip`, as one JSON line.
fn login_from(n: usize, client_ip: &str) -> String {
    json!({
        "CreationTime": format!("2024-03-14T09:{:02}:00", n % 60),
        "Id": format!("0000000{n}-aaaa-bbbb-cccc-dddddddddddd"),
        "Operation": "UserLoggedIn",
        "RecordType": 15,
        "ResultStatus": "Success",
        "UserId": "Alice@Corp.example",
        "Workload": "AzureActiveDirectory",
        "ClientIP": client_ip,
    })
    .to_string()
}

fn write_logins(dir: &Path, ips: &[&str]) -> std::path::PathBuf {
    let path = dir.join("logins.jsonl");
    let lines: Vec<String> = ips
        .iter()
        .enumerate()
        .map(|(n, ip)| login_from(n, ip))
        .collect();
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

/// The events' columns, in `CreationTime` order.
fn events(data: &Path, columns: &str) -> Vec<Value> {
    sql(data, &format!("select {columns} from events order by time"))
}

#[test]
fn client_addresses_in_every_shape_become_canonical() {
    let shapes = [
        ("10.11.12.13", Some("10.11.12.13")),
        ("10.11.12.13:12345", Some("10.11.12.13")),
        ("[10.11.12.13]:12345", Some("10.11.12.13")),
        ("::ffff:10.11.12.13", Some("10.11.12.13")),
        ("[::ffff:10.11.12.13]:12345", Some("10.11.12.13")),
        ("2001:db8::abcd", Some("2001:db8::abcd")),
        ("[2001:db8::abcd]:12345", Some("2001:db8::abcd")),
        ("[2001:db8::abcd]", Some("2001:db8::abcd")),
        (
            "2001:0DB8:0000:0000:0000:0000:0000:ABCD",
            Some("2001:db8::abcd"),
        ),
        ("mail-relay.corp.example", None),
    ];
    let dir = tempfile::tempdir().unwrap();
    let input = write_logins(dir.path(), &shapes.map(|(ip, _)| ip));
    let data = dir.path().join("history");
    assert!(run_once(&data, &[&input]).status.success());

    let rows = events(&data, "src_ip, attrs['ClientIP'] as vendor_text");
    assert_eq!(rows.len(), shapes.len());
    for ((given, want), row) in shapes.iter().zip(&rows) {
        assert_eq!(row["src_ip"].as_str(), *want, "ClientIP `{given}`: {row}");
        if want.is_none() {
            // Not an address: kept as the vendor wrote it, not lost.
            assert_eq!(row["vendor_text"].as_str(), Some(*given), "{row}");
        }
    }
}

#[test]
fn a_geo_database_locates_public_addresses_only() {
    let Some(geoip) = shared_data("geo/GeoLite2-City-Test.mmdb") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let ips = ["81.2.69.142", "2001:218::1", "216.160.83.56", "10.0.0.1"];
    let input = write_logins(dir.path(), &ips);
    let data = dir.path().join("history");
    let output = super::support::palisade()
        .args(["run", "--once", "--data-dir"])
        .arg(&data)
        .arg("--geoip")
        .arg(&geoip)
        .arg(&input)
        .output()
        .unwrap();
    assert!(output.status.success(), "{output:?}");

    let rows = events(&data, "src_ip, src_country, src_city, src_lat, src_lon");
    let place = |row: &Value| {
        (
            row["src_country"].as_str().map(str::to_owned),
            row["src_city"].as_str().map(str::to_owned),
        )
    };
    assert_eq!(place(&rows[0]), (Some("GB".into()), Some("London".into())));
    assert_eq!(rows[0]["src_lat"].as_f64(), Some(51.5142));
    assert_eq!(rows[0]["src_lon"].as_f64(), Some(-0.0931));
    assert_eq!(rows[1]["src_country"].as_str(), Some("JP"));
    assert_eq!(place(&rows[2]), (Some("US".into()), Some("Milton".into())));
    assert_eq!(
        place(&rows[3]),
        (None, None),
        "a private address has no place"
    );
    assert!(rows[3]["src_lat"].is_null());
}

#[test]
fn a_bad_asset_table_stops_the_run_naming_row_and_column() {
    let dir = tempfile::tempdir().unwrap();
    let input = write_logins(dir.path(), &["10.0.0.1"]);
    let assets = dir.path().join("assets.csv");
    std::fs::write(
        &assets,
        "hostname,ip,owner\nlt-1,10.0.0.300,a@corp.example\n",
    )
    .unwrap();
    let output = super::support::palisade()
        .args(["run", "--once", "--data-dir"])
        .arg(dir.path().join("history"))
        .arg("--assets")
        .arg(&assets)
        .arg(&input)
        .output()
        .unwrap();
    assert!(!output.status.success());
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(
        stderr.contains("assets.csv") && stderr.contains("`ip` in row 2: `10.0.0.300`"),
        "{stderr}"
    );
}
