//! The bundled detectors that learn (`impossible-travel`, `rare-domain`)
//! through the whole pipeline: located by the geo database, fed by real
//! normalizers, and remembering across runs what they learned.

use std::path::Path;

use serde_json::json;

use super::support::{count, palisade, shared_data, sql, stdout};

/// A unified audit log sign-in of Alice from `client_ip` at `time`.
fn login(id: usize, time: &str, client_ip: &str) -> String {
    json!({
        "CreationTime": time,
        "Id": format!("1000000{id}-aaaa-bbbb-cccc-dddddddddddd"),
        "Operation": "UserLoggedIn",
        "RecordType": 15,
        "ResultStatus": "Success",
        "UserId": "alice@corp.example",
        "Workload": "AzureActiveDirectory",
        "ClientIP": client_ip,
    })
    .to_string()
}

fn run(dir: &Path, config: Option<&str>, args: &[&Path]) {
    let mut command = palisade();
    command
        .args(["run", "--once", "--data-dir"])
        .arg(dir.join("history"));
    if let Some(config) = config {
        let path = dir.join("palisade.toml");
        std::fs::write(&path, config).unwrap();
        command.arg("--config").arg(path);
    }
    let output = command.args(args).output().unwrap();
    eprintln!("{}", stdout(&output));
    assert!(output.status.success(), "{output:?}");
}

#[test]
fn impossible_travel_remembers_a_users_logins_across_runs() {
    let Some(geoip) = shared_data("geo/GeoLite2-City-Test.mmdb") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    // Five days at home in Milton, US; the next run brings one more login
    // from home and, half an hour later, one from London.
    let week = dir.path().join("week.jsonl");
    let lines: Vec<String> = (1..=5)
        .map(|day| login(day, &format!("2024-03-0{day}T09:00:00"), "216.160.83.56"))
        .collect();
    std::fs::write(&week, lines.join("\n") + "\n").unwrap();
    let jump = dir.path().join("jump.jsonl");
    let lines = [
        login(6, "2024-03-06T09:00:00", "216.160.83.57"),
        login(7, "2024-03-06T09:30:00", "81.2.69.142"),
    ];
    std::fs::write(&jump, lines.join("\n") + "\n").unwrap();

    run(dir.path(), None, &[Path::new("--geoip"), &geoip, &week]);
    let history = dir.path().join("history");
    let query = "select count(*) from findings where detector = 'impossible-travel'";
    assert_eq!(count(&history, query), 0);

    run(dir.path(), None, &[Path::new("--geoip"), &geoip, &jump]);
    let rows = sql(
        &history,
        "select kind, user, ip, summary from findings \
         where detector = 'impossible-travel' order by kind desc",
    );
    let kinds: Vec<&str> = rows.iter().filter_map(|r| r["kind"].as_str()).collect();
    assert_eq!(
        kinds,
        ["impossible_travel.speed", "impossible_travel.new_country"]
    );
    assert!(rows.iter().all(|r| r["user"] == "alice@corp.example"));
    assert!(rows.iter().all(|r| r["ip"] == "81.2.69.142"));
    let summary = rows[0]["summary"].as_str().unwrap_or_default();
    assert!(
        summary.contains("from London, GB 30 min after a login from Milton, US"),
        "{summary}"
    );
    let new_country = rows[1]["summary"].as_str().unwrap_or_default();
    assert!(
        new_country.contains("6 earlier logins (seen: US)"),
        "{new_country}"
    );
}

#[test]
fn rare_domain_finds_the_sunburst_beacon_domain_after_learning() {
    let (Some(umbrella), Some(zeek)) = (
        shared_data("sentinel-training-lab/solarigate-beacon-umbrella.csv"),
        shared_data("otrf-apt29-zeek"),
    ) else {
        return;
    };
    // A fresh install only learns for a week; these logs span minutes.
    let dir = tempfile::tempdir().unwrap();
    run(dir.path(), None, &[&umbrella, &zeek]);
    let history = dir.path().join("history");
    let query = "select count(*) from findings where detector = 'rare-domain'";
    assert_eq!(count(&history, query), 0);

    // With nothing to learn, two devices in all, and every new domain
    // reported (not only those that look machine-made), everything is new.
    let dir = tempfile::tempdir().unwrap();
    let config = "data_dir = \"history\"\n\
                  [detectors.rare-domain]\nlearning_days = 0\ncommon_share = 1\n\
                  min_severity = 0\n";
    run(dir.path(), Some(config), &[&umbrella, &zeek]);
    let history = dir.path().join("history");
    let beacon = sql(
        &history,
        "select kind, device, attrs['query'] as name from findings \
         where detector = 'rare-domain' and domain = 'avsvmcloud.com'",
    );
    assert_eq!(beacon.len(), 1, "{beacon:?}");
    assert_eq!(beacon[0]["kind"], "rare_domain.new");
    assert_eq!(beacon[0]["device"], "HOSTNAME");
    assert_eq!(beacon[0]["name"], "avsvmcloud.com");
    // Zeek's DNS answers give the resolved address.
    let resolved = count(
        &history,
        "select count(*) from findings where detector = 'rare-domain' \
         and device = '10.0.1.5' and ip is not null",
    );
    assert!(resolved > 5, "{resolved}");
}
