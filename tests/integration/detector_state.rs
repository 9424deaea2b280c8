//! What detectors learn survives the process: a run split in two, with a
//! restart between the halves, gives the same findings as one run.
//!
//! The input is Entra ID sign-ins with the vendor's locations. The finding
//! that matters needs the first half: a user's last login (London, in the
//! first file) and the next one (Tokyo, an hour later, in the second).

use std::path::{Path, PathBuf};

use serde_json::json;

use super::support::{run_once, sql, test_plugin, versioned};

/// One successful sign-in of `user` at `time` from a located address.
fn sign_in(id: usize, user: &str, time: &str, place: (&str, &str, f64, f64), ip: &str) -> String {
    let (city, country, latitude, longitude) = place;
    json!({
        "time": time,
        "category": "SignInLogs",
        "operationName": "Sign-in activity",
        "properties": {
            "id": format!("sign-in-{id}"),
            "createdDateTime": time,
            "userPrincipalName": user,
            "ipAddress": ip,
            "status": {"errorCode": 0},
            "location": {
                "city": city,
                "countryOrRegion": country,
                "geoCoordinates": {"latitude": latitude, "longitude": longitude}
            }
        }
    })
    .to_string()
}

const LONDON: (&str, &str, f64, f64) = ("London", "GB", 51.5142, -0.0931);
const TOKYO: (&str, &str, f64, f64) = ("Tokyo", "JP", 35.6895, 139.6917);
const PARIS: (&str, &str, f64, f64) = ("Paris", "FR", 48.8566, 2.3522);

/// Writes the two halves of the history: a month of ordinary logins for
/// three users, then the second file with the impossible journey.
fn write_halves(dir: &Path) -> (PathBuf, PathBuf) {
    let users = [
        "alice@corp.example",
        "bob@corp.example",
        "carol@corp.example",
    ];
    let mut first = Vec::new();
    let mut id = 0;
    for day in 1..=20 {
        for user in users {
            id += 1;
            let time = format!("2024-03-{day:02}T08:{:02}:00Z", id % 60);
            first.push(sign_in(id, user, &time, LONDON, "81.2.69.142"));
        }
    }
    let second = [
        sign_in(
            1001,
            "alice@corp.example",
            "2024-03-20T09:58:00Z",
            TOKYO,
            "210.130.1.1",
        ),
        sign_in(
            1002,
            "bob@corp.example",
            "2024-03-21T09:00:00Z",
            LONDON,
            "81.2.69.142",
        ),
        sign_in(
            1003,
            "carol@corp.example",
            "2024-03-22T09:00:00Z",
            PARIS,
            "2.3.4.5",
        ),
    ];
    let first_path = dir.join("sign-ins-1.jsonl");
    let second_path = dir.join("sign-ins-2.jsonl");
    std::fs::write(&first_path, first.join("\n") + "\n").unwrap();
    std::fs::write(&second_path, second.join("\n") + "\n").unwrap();
    (first_path, second_path)
}

/// The findings of a data folder: (finding id, detector, kind, user).
fn findings(data: &Path) -> Vec<(String, String, String, String)> {
    sql(
        data,
        "select finding_id, detector, kind, user from findings order by finding_id",
    )
    .iter()
    .map(|f| {
        let text = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
        (
            text("finding_id"),
            text("detector"),
            text("kind"),
            text("user"),
        )
    })
    .collect()
}

#[test]
fn a_run_split_in_two_finds_what_one_run_finds() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = write_halves(dir.path());

    let whole = dir.path().join("whole");
    assert!(run_once(&whole, &[&first, &second]).status.success());
    let split = dir.path().join("split");
    assert!(run_once(&split, &[&first]).status.success());
    assert!(run_once(&split, &[&second]).status.success());

    let expected = findings(&whole);
    let travel: Vec<_> = expected
        .iter()
        .filter(|(_, detector, _, _)| detector == "impossible-travel")
        .collect();
    assert!(
        travel
            .iter()
            .any(|(_, _, kind, user)| kind == "impossible_travel.speed"
                && user == "alice@corp.example"),
        "London at 08:58, Tokyo at 09:58: {expected:#?}"
    );
    assert!(
        travel
            .iter()
            .any(|(_, _, kind, user)| kind == "impossible_travel.new_country"
                && user == "carol@corp.example"),
        "Paris is new for carol after 20 London logins: {expected:#?}"
    );
    assert_eq!(findings(&split), expected);
}

/// The impossible-travel findings of a data folder: (kind, user, time).
fn travel(data: &Path) -> Vec<(String, String, String)> {
    sql(
        data,
        "select kind, user, cast(time as varchar) as at from findings \
         where detector = 'impossible-travel' order by at, kind, user",
    )
    .iter()
    .map(|f| {
        let text = |k: &str| f[k].as_str().unwrap_or_default().to_owned();
        (text("kind"), text("user"), text("at"))
    })
    .collect()
}

#[test]
fn what_a_detector_learned_serves_its_next_build() {
    let dir = tempfile::tempdir().unwrap();
    let (first, second) = write_halves(dir.path());
    let whole = dir.path().join("whole");
    assert!(run_once(&whole, &[&first, &second]).status.success());

    // The second half runs a rebuilt component (other bytes, same name)
    // from the plugins folder, in place of the bundled one.
    let plugins = dir.path().join("plugins");
    std::fs::create_dir(&plugins).unwrap();
    let bundled = std::fs::read(test_plugin("impossible_travel.wasm")).unwrap();
    std::fs::write(
        plugins.join("impossible_travel.wasm"),
        versioned(&bundled, 2),
    )
    .unwrap();
    let split = dir.path().join("split");
    assert!(run_once(&split, &[&first]).status.success());
    let flag = Path::new("--plugins");
    assert!(
        run_once(&split, &[flag, &plugins, &second])
            .status
            .success()
    );

    let hashes = sql(
        &split,
        "select count(distinct detector_hash) as n from detector_runs \
         where detector = 'impossible-travel'",
    );
    assert_eq!(hashes[0]["n"], 2, "both builds ran");
    let expected = travel(&whole);
    assert!(
        expected.iter().any(
            |(kind, user, _)| kind == "impossible_travel.speed" && user == "alice@corp.example"
        ),
        "{expected:#?}"
    );
    assert_eq!(travel(&split), expected);
}
