//! Google Workspace Reports API activities through `palisade run --once`:
//! the API's pages, and activities whose `events` cannot be read.

use std::path::PathBuf;

use super::support::{count, run_once, sql, stdout, workspace};

fn fixture() -> PathBuf {
    workspace().join("tests/fixtures/gws/activities_pages.json")
}

#[test]
fn reports_api_pages_give_every_activity() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("history");
    let output = run_once(&data, &[&fixture()]);
    assert!(output.status.success(), "run failed");

    // Six activities on two pages (and an empty third), seven events.
    assert_eq!(count(&data, "select count(*) from events"), 7);
    assert_eq!(count(&data, "select count(*) from dead_letters"), 0);
    let kinds = sql(
        &data,
        "select kind, count(*) as n from events where source = 'gws' group by kind order by kind",
    );
    let kinds: Vec<(String, i64)> = kinds
        .iter()
        .map(|r| {
            (
                r["kind"].as_str().unwrap().to_owned(),
                r["n"].as_i64().unwrap(),
            )
        })
        .collect();
    let want = [
        ("account.mfa_change", 1),
        ("auth.login", 1),
        ("auth.login_failed", 1),
        ("email.url_click", 1),
        ("file.download", 1),
        ("file.edit", 1),
        ("file.share", 1),
    ]
    .map(|(k, n)| (k.to_owned(), n));
    assert_eq!(kinds, want);
}

#[test]
fn a_login_from_ipv6_then_a_download_of_an_externally_shared_file() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("history");
    assert!(run_once(&data, &[&fixture()]).status.success());

    let login = sql(
        &data,
        "select user, src_ip, outcome, to_char(time, '%Y-%m-%d %H:%M:%S') as at, \
         attrs['login_type'] as login_type from events where kind = 'auth.login'",
    );
    assert_eq!(login.len(), 1);
    assert_eq!(login[0]["user"], "jordan.reyes@corp.example");
    assert_eq!(login[0]["src_ip"], "2a01:4f8:c0c:1d2b::2");
    assert_eq!(login[0]["outcome"], "success");
    assert_eq!(login[0]["at"], "2024-03-14 09:15:02");
    assert_eq!(login[0]["login_type"], "google_password");

    let download = sql(
        &data,
        "select user, src_ip, file_name, file_visibility, attrs['owner'] as owner \
         from events where kind = 'file.download'",
    );
    assert_eq!(download.len(), 1);
    assert_eq!(download[0]["user"], "jordan.reyes@corp.example");
    assert_eq!(download[0]["src_ip"], "2a01:4f8:c0c:1d2b::2");
    assert_eq!(download[0]["file_name"], "Customer pipeline Q1.xlsx");
    assert_eq!(download[0]["file_visibility"], "external");
    assert_eq!(download[0]["owner"], "sales.lead@corp.example");

    // Both steps come from the same address, and the user shared a second
    // file outside minutes later.
    let share = sql(
        &data,
        "select file_name, file_visibility, attrs['target_user'] as target \
         from events where kind = 'file.share'",
    );
    assert_eq!(share[0]["file_visibility"], "external");
    assert_eq!(share[0]["target"], "jordan.reyes.home@mailbox.example");

    let click = sql(
        &data,
        "select user, email_from, email_subject, domain, bytes from events \
         where kind = 'email.url_click'",
    );
    assert_eq!(click[0]["user"], "dana.whitfield@corp.example");
    assert_eq!(click[0]["email_from"], "hr@payroll-portal.example");
    assert_eq!(click[0]["domain"], "payroll-portal.example");
    assert_eq!(click[0]["bytes"], 48211);
}

#[test]
fn activities_whose_events_are_unreadable_are_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("activities.jsonl");
    let good = |n: u32| {
        format!(
            r#"{{"kind":"admin#reports#activity","id":{{"time":"2024-03-14T09:1{n}:00.000Z","uniqueQualifier":"{n}","applicationName":"login","customerId":"C03az79cb"}},"actor":{{"email":"a@corp.example"}},"ipAddress":"203.0.113.{n}","events":[{{"type":"login","name":"login_success"}}]}}"#
        )
    };
    let bad = r#"{"kind":"admin#reports#activity","id":{"time":"2024-03-14T09:12:00.000Z","uniqueQualifier":"2","applicationName":"login"},"actor":{"email":"a@corp.example"},"events":"login_success"}"#;
    std::fs::write(&input, format!("{}\n{bad}\n{}\n", good(1), good(3))).unwrap();

    let data = dir.path().join("history");
    let output = run_once(&data, &[&input]);
    assert!(output.status.success(), "run failed");
    assert!(
        stdout(&output).contains("dead letters: 1"),
        "{}",
        stdout(&output)
    );

    assert_eq!(count(&data, "select count(*) from events"), 2);
    let letters = sql(
        &data,
        "select source_file, record, format, reason, raw from dead_letters",
    );
    assert_eq!(letters.len(), 1);
    let letter = &letters[0];
    assert!(
        letter["source_file"]
            .as_str()
            .unwrap()
            .ends_with("activities.jsonl")
    );
    assert_eq!(letter["record"], 2);
    assert_eq!(letter["format"], "gws-reports-json");
    assert_eq!(
        letter["reason"],
        "parsing `events` in record 2 of activities.jsonl: not a list or an object `\"login_success\"`"
    );
    assert_eq!(letter["raw"], bad);
}
