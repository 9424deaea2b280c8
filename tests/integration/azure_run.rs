//! Runs over Entra ID and Defender records: the real Sentinel sign-in and
//! audit exports, Defender streaming records, Event Hubs wrappers, and
//! bad records among good ones.

use std::path::{Path, PathBuf};

use serde_json::Value;

use super::support::{count, run_once, shared_data, sql, stdout, workspace};

/// A fixture file of `tests/fixtures`.
fn fixture(name: &str) -> PathBuf {
    workspace().join("tests/fixtures").join(name)
}

/// `(value, count)` rows of `select <column>, count(*) ... group by`.
fn counts(data: &Path, column: &str, filter: &str) -> Vec<(Value, i64)> {
    let query = format!(
        "select {column} as v, count(*) as n from events {filter} group by {column} order by {column}"
    );
    sql(data, &query)
        .into_iter()
        .map(|row| (row["v"].clone(), row["n"].as_i64().unwrap()))
        .collect()
}

#[test]
fn the_sentinel_sign_in_export_gives_every_sign_in_of_adele() {
    let Some(signins) = shared_data("sentinel-training-lab/sign-in_adelete.csv") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    assert!(
        run_once(data.path(), &[&signins]).status.success(),
        "run failed"
    );

    assert_eq!(count(data.path(), "select count(*) from events"), 56);
    assert_eq!(count(data.path(), "select count(*) from dead_letters"), 0);
    assert_eq!(
        counts(data.path(), "kind", ""),
        [("auth.login".into(), 53), ("auth.login_failed".into(), 3)]
    );
    let one = |column: &str| counts(data.path(), column, "");
    assert_eq!(one("source"), [("entra".into(), 56)]);
    assert_eq!(
        one("user"),
        [("adelev@m365x816222.onmicrosoft.com".into(), 56)]
    );
    assert_eq!(one("src_ip"), [("175.45.176.99".into(), 56)]);
    assert_eq!(one("src_country"), [("IL".into(), 56)]);
    assert_eq!(one("src_city"), [("Azor".into(), 56)]);
    assert_eq!(
        counts(
            data.path(),
            "attrs['status.errorCode']",
            "where kind = 'auth.login_failed'"
        ),
        [("16000".into(), 2), ("50058".into(), 1)]
    );
    let first = sql(
        data.path(),
        "select to_char(min(time), '%Y-%m-%d %H:%M:%S') as t from events",
    );
    assert_eq!(first[0]["t"], "2021-04-28 14:08:45");
}

#[test]
fn the_sentinel_audit_hunting_export_gives_five_application_secret_changes() {
    let Some(audit) = shared_data("sentinel-training-lab/AuditLogs_Hunting.csv") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let output = run_once(data.path(), &[&audit]);
    assert!(output.status.success(), "run failed");
    // The export has no time column; the summary says the rows are undated.
    assert!(
        stdout(&output).contains("undated:      5 of them had no time in their log"),
        "{}",
        stdout(&output)
    );

    assert_eq!(count(data.path(), "select count(*) from events"), 5);
    assert_eq!(count(data.path(), "select count(*) from dead_letters"), 0);
    assert_eq!(
        counts(data.path(), "kind", ""),
        [(
            "directory.update_application_certificates_and_secrets_management".into(),
            5
        )]
    );
    assert_eq!(
        counts(data.path(), "user", ""),
        [
            ("vadimj@buildseccxpninja.onmicrosoft.com".into(), 4),
            ("victim@buildseccxpninja.onmicrosoft.com".into(), 1)
        ]
    );
    assert_eq!(
        counts(data.path(), "src_ip", "where user like 'victim%'"),
        [("45.153.160.2".into(), 1)]
    );
    // The hunting export has no time column: the rows say so.
    assert_eq!(
        count(
            data.path(),
            "select count(*) from events where attrs['time_missing'] is not null"
        ),
        5
    );
}

#[test]
fn defender_messages_urls_and_clicks_join_on_the_message() {
    let data = tempfile::tempdir().unwrap();
    let input = fixture("defender_email.jsonl");
    assert!(
        run_once(data.path(), &[&input]).status.success(),
        "run failed"
    );

    assert_eq!(
        counts(data.path(), "kind", ""),
        [
            ("email.message".into(), 2),
            ("email.url".into(), 2),
            ("email.url_click".into(), 1)
        ]
    );
    // The clicked link, its message and the message's other link share
    // the NetworkMessageId.
    let joined = sql(
        data.path(),
        "select m.email_from, m.user, c.domain, c.src_ip \
         from events m join events c \
           on m.attrs['NetworkMessageId'] = c.attrs['NetworkMessageId'] \
         where m.kind = 'email.message' and c.kind = 'email.url_click'",
    );
    assert_eq!(joined.len(), 1, "{joined:?}");
    assert_eq!(joined[0]["email_from"], "billing@invoice-portal.example");
    assert_eq!(joined[0]["user"], "meganb@contoso.onmicrosoft.com");
    assert_eq!(joined[0]["domain"], "invoice-portal.example");
    assert_eq!(joined[0]["src_ip"], "193.222.96.91");
    assert_eq!(
        count(
            data.path(),
            "select count(*) from events where kind = 'email.url' \
             and attrs['NetworkMessageId'] = '7c5f0e3a-1b2d-4c8e-9f60-08dc4403a1b2'"
        ),
        2
    );
    assert_eq!(counts(data.path(), "source", ""), [("defender".into(), 5)]);
}

/// A sign-in, a record whose `properties` is not an object, and an audit
/// record, in an Event Hubs wrapper.
const WRAPPED: &str = r#"{"records": [
{"time":"2024-03-14T09:14:05Z","operationName":"Sign-in activity","category":"SignInLogs","properties":{"id":"s1","createdDateTime":"2024-03-14T09:14:02Z","userPrincipalName":"MeganB@contoso.onmicrosoft.com","ipAddress":"193.222.96.91","status":{"errorCode":0},"location":{"city":"Amsterdam","countryOrRegion":"NL"}}},
{"time":"2024-03-14T09:15:00Z","operationName":"Sign-in activity","category":"SignInLogs","properties":"not an object"},
{"time":"2024-03-15T10:02:12Z","operationName":"User registered security info","category":"AuditLogs","callerIpAddress":"193.222.96.91","properties":{"id":"SSGM_1","activityDisplayName":"User registered security info","activityDateTime":"2024-03-15T10:02:11Z","result":"success","initiatedBy":{"user":{"userPrincipalName":"MeganB@contoso.onmicrosoft.com","ipAddress":"193.222.96.91"}}}}
]}
"#;

#[test]
fn bad_records_and_csv_rows_are_dead_letters_and_the_rest_is_read() {
    let Some(signins) = shared_data("sentinel-training-lab/sign-in_adelete.csv") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let hub = dir.path().join("PT1H.json");
    std::fs::write(&hub, WRAPPED).unwrap();

    // The first three sign-ins of the real export, without their result
    // columns: a sign-in with no result is neither a login nor a failure.
    let mut reader = csv::Reader::from_path(&signins).unwrap();
    let header = reader.headers().unwrap().clone();
    let keep: Vec<usize> = (0..header.len())
        .filter(|&i| {
            !matches!(
                &header[i],
                "ResultType" | "Status_dynamic" | "Status_string"
            )
        })
        .collect();
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer
        .write_record(keep.iter().map(|&i| &header[i]))
        .unwrap();
    for row in reader.records().take(3) {
        let row = row.unwrap();
        writer.write_record(keep.iter().map(|&i| &row[i])).unwrap();
    }
    let no_result = dir.path().join("signin_no_result.csv");
    std::fs::write(&no_result, writer.into_inner().unwrap()).unwrap();

    let data = dir.path().join("history");
    let output = run_once(&data, &[&hub, &no_result]);
    assert!(output.status.success(), "run failed");

    assert_eq!(
        counts(&data, "kind", ""),
        [("account.mfa_change".into(), 1), ("auth.login".into(), 1)]
    );
    let letters = sql(
        &data,
        "select source_file, record, reason from dead_letters order by source_file, record",
    );
    let letters: Vec<(String, i64, String)> = letters
        .iter()
        .map(|l| {
            let file = l["source_file"].as_str().unwrap();
            let file = Path::new(file).file_name().unwrap().to_string_lossy();
            (
                file.into_owned(),
                l["record"].as_i64().unwrap(),
                l["reason"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    assert_eq!(
        letters,
        [
            (
                "PT1H.json".to_owned(),
                2,
                "parsing `properties` in record 2 of PT1H.json: expected an object `not an object`"
                    .to_owned()
            ),
            (
                "signin_no_result.csv".to_owned(),
                1,
                "missing `status.errorCode` in record 1 of signin_no_result.csv".to_owned()
            ),
            (
                "signin_no_result.csv".to_owned(),
                2,
                "missing `status.errorCode` in record 2 of signin_no_result.csv".to_owned()
            ),
            (
                "signin_no_result.csv".to_owned(),
                3,
                "missing `status.errorCode` in record 3 of signin_no_result.csv".to_owned()
            ),
        ]
    );
}

#[test]
fn a_sign_in_row_missing_a_column_is_one_dead_letter_and_the_other_rows_are_read() {
    let Some(signins) = shared_data("sentinel-training-lab/sign-in_adelete.csv") else {
        return;
    };
    // The real export, its third row without its last column: the row's
    // JSON fields still hold line breaks, so it spans many lines.
    let mut reader = csv::Reader::from_path(&signins).unwrap();
    let mut writer = csv::WriterBuilder::new()
        .flexible(true)
        .from_writer(Vec::new());
    writer.write_record(reader.headers().unwrap()).unwrap();
    for (index, row) in reader.records().enumerate() {
        let row = row.unwrap();
        let keep = if index == 2 { row.len() - 1 } else { row.len() };
        writer.write_record(row.iter().take(keep)).unwrap();
    }
    let text = writer.into_inner().unwrap();
    let bad_row_lines = String::from_utf8_lossy(&text).lines().count();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("signins_missing_column.csv");
    std::fs::write(&file, &text).unwrap();

    let data = dir.path().join("history");
    let output = run_once(&data, &[&file]);
    assert!(output.status.success(), "run failed");
    assert_eq!(count(&data, "select count(*) from events"), 55);
    let letters = sql(&data, "select record, reason, raw from dead_letters");
    assert_eq!(
        letters.len(),
        1,
        "{letters:?} ({bad_row_lines} lines in all)"
    );
    assert_eq!(letters[0]["record"], 3);
    let reason = letters[0]["reason"].as_str().unwrap();
    assert!(
        reason.contains("found 70 fields where the header has 71"),
        "{reason}"
    );
    assert!(
        letters[0]["raw"].as_str().unwrap().lines().count() > 1,
        "the dead letter holds the whole row"
    );
}

#[test]
fn a_quote_left_open_in_a_sign_in_row_loses_no_other_row() {
    let Some(signins) = shared_data("sentinel-training-lab/sign-in_adelete.csv") else {
        return;
    };
    // Record 11 of the real export, its display name opened with a quote
    // that never closes: the quotes of its JSON fields no longer line up.
    let text = std::fs::read_to_string(&signins).unwrap();
    let at = text.match_indices(",Adele Vance,").nth(20).unwrap().0;
    let broken = format!("{},\"{}", &text[..at], &text[at + 1..]);
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("signins_open_quote.csv");
    std::fs::write(&file, broken).unwrap();

    let data = dir.path().join("history");
    assert!(run_once(&data, &[&file]).status.success(), "run failed");
    assert_eq!(count(&data, "select count(*) from events"), 55);
    let letters = count(&data, "select count(*) from dead_letters");
    assert!(
        (1..=2).contains(&letters),
        "{letters} dead letters: the pieces of the broken row stay together"
    );
    assert_eq!(
        count(&data, "select min(record) from dead_letters"),
        11,
        "the first dead letter is the broken row"
    );
}
