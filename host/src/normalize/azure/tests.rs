//! Dispatch, framing and bad input on inline records; the real Sentinel
//! exports and Panther's Azure test logs.

use std::io::Write;
use std::path::{Path, PathBuf};

use super::*;
use crate::ingest::{FileReader, Format};
use crate::normalize::{CsvHeader, DeadLetter};

/// The event of one JSON record.
pub(crate) fn json_event(text: &str) -> Result<Event, NormalizeError> {
    let mut out = Vec::new();
    AzureDiagnosticNormalizer.normalize(&Record::Json(text), &mut out)?;
    assert_eq!(out.len(), 1);
    Ok(out.remove(0))
}

/// The event of one CSV row, given as (column, value) pairs.
pub(crate) fn csv_event(columns: &[(&str, &str)]) -> Result<Event, NormalizeError> {
    let header = CsvHeader::new(columns.iter().map(|(c, _)| (*c).to_owned()).collect());
    let values: Vec<String> = columns.iter().map(|(_, v)| (*v).to_owned()).collect();
    let row = CsvRow {
        header: &header,
        values: &values,
    };
    let mut out = Vec::new();
    AzureDiagnosticNormalizer.normalize(&Record::Csv(row), &mut out)?;
    assert_eq!(out.len(), 1);
    Ok(out.remove(0))
}

const SIGN_IN: &str = r#"{"time":"2024-03-14T09:14:05Z","operationName":"Sign-in activity","category":"SignInLogs","properties":{"id":"s1","createdDateTime":"2024-03-14T09:14:02Z","userPrincipalName":"a@b.c","ipAddress":"193.222.96.91","status":{"errorCode":0}}}"#;

const AUDIT: &str = r#"{"time":"2024-03-14T09:20:00Z","operationName":"Add member to role","category":"AuditLogs","properties":{"id":"Directory_1","activityDisplayName":"Add member to role","activityDateTime":"2024-03-14T09:20:00Z","result":"success","initiatedBy":{"user":{"userPrincipalName":"a@b.c","ipAddress":"193.222.96.91"}}}}"#;

#[test]
fn records_go_to_the_mapping_of_their_category() {
    assert_eq!(json_event(SIGN_IN).unwrap().kind, "auth.login");
    assert_eq!(
        json_event(AUDIT).unwrap().kind,
        "directory.add_member_to_role"
    );
    let cases = [
        ("NonInteractiveUserSignInLogs", "auth.login"),
        ("serviceprincipalsigninlogs", "auth.login"),
        ("ManagedIdentitySignInLogs", "auth.login"),
    ];
    for (category, kind) in cases {
        let text = SIGN_IN.replace("\"SignInLogs\"", &format!("\"{category}\""));
        assert_eq!(json_event(&text).unwrap().kind, kind, "{category}");
    }
}

#[test]
fn records_of_unnamed_categories_are_read_by_their_shape() {
    // Panther's test logs put the audit category (`Policy`) in the
    // envelope.
    let audit = AUDIT.replace("\"AuditLogs\"", "\"RoleManagement\"");
    assert_eq!(
        json_event(&audit).unwrap().kind,
        "directory.add_member_to_role"
    );
    let no_category = SIGN_IN.replace(r#""category":"SignInLogs","#, "");
    assert_eq!(json_event(&no_category).unwrap().kind, "auth.login");

    let device = r#"{"time":"2024-03-14T09:14:05Z","category":"AdvancedHunting-DeviceEvents","properties":{"DeviceName":"pc1"}}"#;
    assert_eq!(
        json_event(device).unwrap_err().to_string(),
        "parsing `category`: unsupported category `AdvancedHunting-DeviceEvents`"
    );
    let nothing = r#"{"time":"2024-03-14T09:14:05Z","properties":{"DeviceName":"pc1"}}"#;
    assert_eq!(
        json_event(nothing).unwrap_err().to_string(),
        "missing `category`"
    );
}

#[test]
fn properties_must_be_an_object() {
    let text = SIGN_IN.replace(
        r#""properties":{"id":"s1","#,
        r#""properties":"oops","x":{"id":"s1","#,
    );
    assert_eq!(
        json_event(&text).unwrap_err().to_string(),
        "parsing `properties`: expected an object `oops`"
    );
    let none = r#"{"time":"2024-03-14T09:14:05Z","category":"SignInLogs"}"#;
    assert_eq!(
        json_event(none).unwrap_err().to_string(),
        "missing `properties`"
    );
    assert_eq!(
        json_event("[1]").unwrap_err().to_string(),
        "parsing JSON: expected an object, found an array"
    );
}

/// Reads `path` to its end: events, dead letters, records read.
fn read_all(path: &Path) -> (Vec<Event>, Vec<DeadLetter>, u64) {
    let mut reader = FileReader::open(path).unwrap();
    let (mut events, mut letters, mut records) = (Vec::new(), Vec::new(), 0);
    while let Some(chunk) = reader.next_chunk(10).unwrap() {
        records += chunk.records_read;
        events.extend(chunk.events);
        letters.extend(chunk.dead_letters);
    }
    assert_eq!(records, (events.len() + letters.len()) as u64);
    (events, letters, records)
}

#[test]
fn event_hub_wrappers_mixing_categories_are_read_record_by_record() {
    let email = include_str!(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/defender_email.jsonl"
    ));
    let email = email.lines().next().unwrap();
    let bad = SIGN_IN.replace(r#""properties":{"#, r#""properties":[],"x":{"#);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("PT1H.json");
    let mut file = std::fs::File::create(&path).unwrap();
    writeln!(file, "{{\"records\": [{SIGN_IN},{AUDIT}]}}").unwrap();
    writeln!(
        file,
        "{{\n  \"records\": [\n    {email},\n    {bad}\n  ]\n}}"
    )
    .unwrap();
    drop(file);

    let reader = FileReader::open(&path).unwrap();
    assert_eq!(reader.format(), Some(Format::AzureDiagnosticJson));
    let (events, letters, records) = read_all(&path);
    assert_eq!(records, 4);
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "auth.login",
            "directory.add_member_to_role",
            "email.message"
        ]
    );
    let sources: Vec<&str> = events.iter().map(|e| e.source).collect();
    assert_eq!(sources, ["entra", "entra", "defender"]);
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].record, 4, "records are numbered across wrappers");
    assert_eq!(
        letters[0].reason,
        "parsing `properties` in record 4 of PT1H.json: expected an object `[]`"
    );
    assert_eq!(events[0].raw.as_deref(), Some(SIGN_IN), "raw is the record");
}

#[test]
fn a_reader_resumes_inside_a_records_wrapper() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("PT1H.json");
    let text = format!("{{\"records\":[{SIGN_IN},{AUDIT}]}}\n{{\"records\":[{SIGN_IN}]}}\n");
    std::fs::write(&path, text).unwrap();
    let mut reader = FileReader::open(&path).unwrap();
    let first = reader.next_chunk(1).unwrap().unwrap();
    assert_eq!(first.events[0].kind, "auth.login");

    let options = crate::ingest::ReadOptions {
        start: Some(first.position),
        ..Default::default()
    };
    let mut resumed = FileReader::open_with(&path, options).unwrap();
    let mut kinds = Vec::new();
    while let Some(chunk) = resumed.next_chunk(1).unwrap() {
        assert!(chunk.dead_letters.is_empty(), "{:?}", chunk.dead_letters);
        kinds.extend(chunk.events.into_iter().map(|e| e.kind));
    }
    assert_eq!(kinds, ["directory.add_member_to_role", "auth.login"]);
    assert_eq!(resumed.position().record, 3);
}

#[test]
fn generated_records_all_normalize() {
    for i in 0..2_000 {
        for text in [
            testdata::signin_record(i),
            testdata::audit_record(i),
            testdata::email_record(i),
        ] {
            let e = json_event(&text).unwrap_or_else(|err| panic!("record {i}: {err}\n{text}"));
            let email_link = e.kind == "email.url";
            assert!((e.user.is_some() || email_link) && e.time > 0, "{text}");
        }
    }
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("signin.csv");
    let mut file = std::fs::File::create(&path).unwrap();
    testdata::write_signin_csv(&mut file, 500).unwrap();
    drop(file);
    assert_eq!(
        FileReader::open(&path).unwrap().format(),
        Some(Format::AzureSentinelCsv)
    );
    let (events, letters, _) = read_all(&path);
    assert!(letters.is_empty(), "{:?}", letters.first());
    assert_eq!(events.len(), 500);
    assert!(
        events
            .iter()
            .all(|e| e.src_country.is_some() && e.user.is_some())
    );
}

/// A file of the shared real data, or `None` (with a note) when absent.
fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../shared/data")
        .join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipping: {} is absent (the shared data folder is not here)",
            path.display()
        );
        None
    }
}

#[test]
fn sentinel_sign_in_export() {
    let Some(path) = shared_data("sentinel-training-lab/sign-in_adelete.csv") else {
        return;
    };
    assert_eq!(
        FileReader::open(&path).unwrap().format(),
        Some(Format::AzureSentinelCsv)
    );
    let (events, letters, _) = read_all(&path);
    assert!(letters.is_empty(), "{letters:?}");
    assert_eq!(events.len(), 56);
    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!((count("auth.login"), count("auth.login_failed")), (53, 3));
    for e in &events {
        assert_eq!(
            e.user.as_deref(),
            Some("adelev@m365x816222.onmicrosoft.com")
        );
        assert_eq!(e.src_ip.as_deref(), Some("175.45.176.99"));
        assert_eq!(e.src_country.as_deref(), Some("IL"));
        assert_eq!(e.src_city.as_deref(), Some("Azor"));
        assert!(e.src_lat.is_some() && e.src_lon.is_some());
    }
    let mut codes: Vec<&str> = events
        .iter()
        .filter(|e| e.kind == "auth.login_failed")
        .map(|e| e.attrs["status.errorCode"].as_str())
        .collect();
    codes.sort_unstable();
    assert_eq!(codes, ["16000", "16000", "50058"]);
    let ids: std::collections::HashSet<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids.len(), 56);
}

#[test]
fn sentinel_audit_hunting_export() {
    let Some(path) = shared_data("sentinel-training-lab/AuditLogs_Hunting.csv") else {
        return;
    };
    assert_eq!(
        FileReader::open(&path).unwrap().format(),
        Some(Format::AzureSentinelCsv)
    );
    let (events, letters, _) = read_all(&path);
    assert!(letters.is_empty(), "{letters:?}");
    assert_eq!(events.len(), 5);
    for e in &events {
        assert_eq!(
            e.kind,
            "directory.update_application_certificates_and_secrets_management"
        );
        assert!(
            e.attrs.contains_key("time_missing"),
            "the export has no time column"
        );
    }
    let users: Vec<&str> = events.iter().filter_map(|e| e.user.as_deref()).collect();
    assert_eq!(
        users
            .iter()
            .filter(|u| **u == "vadimj@buildseccxpninja.onmicrosoft.com")
            .count(),
        4
    );
    assert_eq!(events[0].src_ip.as_deref(), Some("45.153.160.2"));
}

mod panther;
