//! The Google Workspace mapping, on inline activities and on the Google
//! Workspace logs of Panther's public rule tests.

use std::path::{Path, PathBuf};

use serde::Deserialize;

use super::*;
use crate::normalize::values::snake_case;

/// A login from an IPv6 address, in the API's shape.
const LOGIN: &str = r#"{"kind":"admin#reports#activity","id":{"time":"2024-03-14T09:15:02.118Z","uniqueQualifier":"-4002873813067783265","applicationName":"login","customerId":"C03az79cb"},"etag":"\"JDMC8884sebSctZ17CIssbQ/NS3X3D3kN1hRrBlVPSDyZ0XKmns\"","actor":{"callerType":"USER","email":"Former.Employee@Corp.example","profileId":"100230688039070881323"},"ipAddress":"2A01:4F8:0:A0A1::0:2","networkInfo":{"ipAsn":[24940],"regionCode":"de","subdivisionCode":"DE-BY"},"events":[{"type":"login","name":"login_success","parameters":[{"name":"login_type","value":"google_password"},{"name":"login_challenge_method","multiValue":["password","totp"]},{"name":"is_suspicious","boolValue":false}]}]}"#;

/// A Drive download of an externally shared file, as one event object.
const DOWNLOAD: &str = r#"{"kind":"admin#reports#activity","id":{"time":"2024-03-14T09:21:40.004Z","uniqueQualifier":"773","applicationName":"drive","customerId":"C03az79cb"},"actor":{"email":"former.employee@corp.example","profileId":"1"},"ipAddress":"2a01:4f8:0:a0a1::2","events":{"type":"access","name":"download","parameters":[{"name":"doc_id","value":"1ZtGx"},{"name":"doc_title","value":"Customer list 2024.xlsx"},{"name":"doc_type","value":"spreadsheet"},{"name":"visibility","value":"shared_externally"},{"name":"owner","value":"sales.lead@corp.example"},{"name":"primary_event","boolValue":true}]}}"#;

fn events(text: &str) -> Result<Vec<Event>, NormalizeError> {
    let mut out = Vec::new();
    GwsReportsNormalizer.normalize(&Record::Json(text), &mut out)?;
    Ok(out)
}

fn one(text: &str) -> Event {
    let mut out = events(text).unwrap();
    assert_eq!(out.len(), 1, "{out:#?}");
    out.remove(0)
}

fn attr<'e>(e: &'e Event, key: &str) -> Option<&'e str> {
    e.attrs.get(key).map(String::as_str)
}

#[test]
fn a_login_maps_to_every_column() {
    let e = one(LOGIN);
    assert_eq!(e.source, "gws");
    assert_eq!(e.kind, "auth.login");
    assert_eq!(e.action.as_deref(), Some("login_success"));
    assert_eq!(e.outcome.as_deref(), Some("success"));
    assert_eq!(e.user.as_deref(), Some("former.employee@corp.example"));
    assert_eq!(e.src_ip.as_deref(), Some("2a01:4f8:0:a0a1::2"));
    assert_eq!(e.src_country.as_deref(), Some("DE"));
    let want = chrono::DateTime::parse_from_rfc3339("2024-03-14T09:15:02.118Z")
        .unwrap()
        .timestamp_micros();
    assert_eq!(e.time, want);
    assert_eq!(
        e.event_id,
        event_id(
            "gws",
            "C03az79cb/login/2024-03-14T09:15:02.118Z/-4002873813067783265/0"
        )
    );
    assert_eq!(e.raw.as_deref(), Some(LOGIN));

    assert_eq!(attr(&e, "login_type"), Some("google_password"));
    assert_eq!(attr(&e, "login_challenge_method"), Some("password, totp"));
    assert_eq!(attr(&e, "is_suspicious"), Some("false"));
    assert_eq!(attr(&e, "type"), Some("login"));
    assert_eq!(attr(&e, "id.applicationName"), Some("login"));
    assert_eq!(attr(&e, "id.uniqueQualifier"), Some("-4002873813067783265"));
    assert_eq!(attr(&e, "actor.profileId"), Some("100230688039070881323"));
    assert_eq!(attr(&e, "actor.callerType"), Some("USER"));
    assert_eq!(attr(&e, "networkInfo.subdivisionCode"), Some("DE-BY"));
    for gone in [
        "kind",
        "etag",
        "ipAddress",
        "actor.email",
        "id.time",
        "name",
    ] {
        assert_eq!(attr(&e, gone), None, "{gone}");
    }
}

#[test]
fn a_download_of_an_externally_shared_file() {
    let e = one(DOWNLOAD);
    assert_eq!(e.kind, "file.download");
    assert_eq!(e.file_name.as_deref(), Some("Customer list 2024.xlsx"));
    assert_eq!(e.file_visibility.as_deref(), Some("external"));
    assert_eq!(e.outcome, None);
    assert_eq!(attr(&e, "owner"), Some("sales.lead@corp.example"));
    assert_eq!(attr(&e, "doc_id"), Some("1ZtGx"));
    assert_eq!(attr(&e, "visibility"), Some("shared_externally"));
}

#[test]
fn each_item_of_events_is_an_event_with_its_own_id() {
    let text = r#"{"id":{"time":"2021-06-27T00:42:04.624Z","uniqueQualifier":"7","applicationName":"drive"},"actor":{"email":"a@x.com"},"ipAddress":"not an address","events":[{"type":"access","name":"edit","parameters":[{"name":"doc_title","value":"A"},{"name":"visibility","value":"private"}]},{"type":"acl_change","name":"change_document_visibility","parameters":[{"name":"doc_title","value":"A"},{"name":"visibility","value":"people_with_link"},{"name":"old_visibility","value":"private"}]}]}"#;
    let out = events(text).unwrap();
    assert_eq!(out.len(), 2);
    assert_eq!(out[0].kind, "file.edit");
    assert_eq!(out[0].file_visibility.as_deref(), Some("private"));
    assert_eq!(out[1].kind, "file.share");
    assert_eq!(out[1].file_visibility.as_deref(), Some("public"));
    assert_eq!(attr(&out[1], "old_visibility"), Some("private"));
    assert_eq!(attr(&out[1], "type"), Some("acl_change"));
    assert_ne!(out[0].event_id, out[1].event_id);
    assert_eq!(out[0].src_ip, None);
    assert_eq!(attr(&out[0], "ipAddress"), Some("not an address"));
}

#[test]
fn a_link_click_in_gmail() {
    let text = r#"{"id":{"time":"2025-11-04T20:44:43.248Z","uniqueQualifier":"-1","applicationName":"gmail"},"actor":{"email":"Denethor@Lotr.example"},"ipAddress":"1.1.1.1","events":[{"type":"delivery_type","name":"delivery","parameters":[{"name":"event_info","messageValue":{"parameter":[{"name":"mail_event_type","intValue":"15"}]}},{"name":"message_info","messageValue":{"parameter":[{"name":"rfc2822_message_id","value":"<a1@evil.example>"},{"name":"subject","value":"You won"},{"name":"payload_size","intValue":"12345"},{"name":"link_domain","multiValue":["Evil.example"]},{"name":"source","messageValue":{"parameter":[{"name":"address","value":"bounce@evil.example"},{"name":"from_header_address","value":"Prize@Evil.example"}]}},{"name":"destination","multiMessageValue":[{"parameter":[{"name":"address","value":"Denethor@Lotr.example"}]},{"parameter":[{"name":"address","value":"b@lotr.example"}]}]}]}}]}]}"#;
    let e = one(text);
    assert_eq!(e.kind, "email.url_click");
    assert_eq!(e.email_from.as_deref(), Some("prize@evil.example"));
    assert_eq!(e.email_to, ["denethor@lotr.example", "b@lotr.example"]);
    assert_eq!(e.email_subject.as_deref(), Some("You won"));
    assert_eq!(e.message_id.as_deref(), Some("<a1@evil.example>"));
    assert_eq!(e.bytes, Some(12345));
    assert_eq!(e.domain.as_deref(), Some("evil.example"));
    assert_eq!(attr(&e, "event_info.mail_event_type"), Some("15"));
    assert_eq!(
        attr(&e, "message_info.source.address"),
        Some("bounce@evil.example")
    );
}

#[test]
fn flattened_exports_and_missing_times() {
    let text = r#"{"id":{"applicationName":"login"},"actor":{"email":"some.user@somedomain.com"},"type":"login","name":"login_failure","parameters":{"login_type":"saml","login_failure_type":"login_failure_invalid_password"},"p_log_type":"GSuite.ActivityEvent"}"#;
    let e = one(text);
    assert_eq!(e.kind, "auth.login_failed");
    assert_eq!(e.outcome.as_deref(), Some("failure"));
    assert_eq!(e.time, 0);
    assert_eq!(
        attr(&e, "time_missing"),
        Some("the activity has no `id.time`")
    );
    assert_eq!(attr(&e, "login_type"), Some("saml"));
    assert_eq!(attr(&e, "type"), Some("login"));
    assert_eq!(attr(&e, "p_log_type"), None);
    assert_eq!(e.event_id, event_id("gws", &format!("{text}/0")));

    let nameless = r#"{"id":{"applicationName":"access_transparency"},"type":"GSUITE_RESOURCE"}"#;
    assert_eq!(
        one(nameless).kind,
        "gws.access_transparency.gsuite_resource"
    );
    assert_eq!(
        one(r#"{"id":{"applicationName":"rules"}}"#).kind,
        "gws.rules"
    );
}

#[test]
fn unusable_activities_name_the_field() {
    let cases = [
        (
            r#"{"id":{"applicationName":"login","time":"2024-03-14T09:15:02Z"},"events":"login_success"}"#,
            "parsing `events`: not a list or an object `\"login_success\"`",
        ),
        (
            r#"{"id":{"time":"2024-03-14T09:15:02Z"},"events":[]}"#,
            "missing `id.applicationName`",
        ),
        (
            r#"{"id":{"applicationName":"login","time":"yesterday"}}"#,
            "parsing `id.time`: invalid date `yesterday`",
        ),
        (
            r#"{"id":{"applicationName":"login","time":17}}"#,
            "parsing `id.time`: not a string `17`",
        ),
        ("[1]", "parsing JSON: expected an object, found an array"),
    ];
    for (text, want) in cases {
        assert_eq!(events(text).unwrap_err().to_string(), want, "{text}");
    }
}

#[test]
fn generated_activities_all_normalize() {
    let mut kinds = std::collections::BTreeSet::new();
    for i in 0..2_000 {
        let text = testdata::activity(i);
        let out = events(&text).unwrap_or_else(|err| panic!("activity {i}: {err}\n{text}"));
        for e in out {
            assert!(e.src_ip.is_some() && e.user.is_some(), "{text}");
            kinds.insert(e.kind);
        }
    }
    for kind in [
        "auth.login",
        "auth.login_failed",
        "file.download",
        "file.share",
        "email.url_click",
        "account.mfa_change",
        "gws.admin.create_role",
    ] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }
}

/// The Panther test data folder, or `None` (with a note) when absent.
fn panther(relative: &str) -> Option<PathBuf> {
    let dir = Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../shared/data/panther-tests"
    ));
    let path = dir.join(relative);
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

/// A Panther rule file: its test cases.
#[derive(Deserialize)]
struct RuleFile {
    #[serde(rename = "Tests", default)]
    tests: Vec<Case>,
}

#[derive(Deserialize)]
struct Case {
    #[serde(rename = "Name")]
    name: String,
    #[serde(rename = "Log")]
    log: serde_json::Value,
}

/// The kind each case's operation names: the mapped events by
/// application and name, every other event `gws.<application>.<name>`.
fn expected_kind(log: &serde_json::Value) -> String {
    let app = log["id"]["applicationName"].as_str().unwrap_or_default();
    let name = log["name"].as_str().or(log["type"].as_str()).unwrap_or("");
    let name = snake_case(name);
    let mail_type = log["parameters"]["event_info"]["mail_event_type"].as_u64();
    let mapped = match (app, name.as_str(), mail_type) {
        ("login", "login_success", _) => "auth.login",
        ("login", "login_failure", _) => "auth.login_failed",
        ("login", "suspicious_login", _) => "auth.login_suspicious",
        ("login", "logout", _) => "auth.logout",
        ("user_accounts" | "login", "2sv_enroll" | "2sv_disable", _) => "account.mfa_change",
        ("user_accounts", "titanium_enroll" | "titanium_unenroll", _) => "account.mfa_change",
        ("user_accounts", "recovery_email_edit", _) => "account.change",
        ("drive", "download", _) => "file.download",
        ("drive", "view", _) => "file.access",
        ("drive", "edit", _) => "file.edit",
        ("drive", "upload", _) => "file.upload",
        ("drive", n, _) if n.starts_with("change_user_access") => "file.share",
        ("drive", n, _) if n.starts_with("change_document_") => "file.share",
        ("gmail", "delivery", None | Some(0 | 2)) => "email.message",
        ("gmail", "delivery", Some(15)) => "email.url_click",
        ("gmail", "delivery", Some(17)) => "email.attachment_download",
        _ if name.is_empty() => return format!("gws.{app}"),
        _ => return format!("gws.{app}.{name}"),
    };
    mapped.to_owned()
}

#[test]
fn every_panther_google_workspace_log_normalizes_to_its_kind() {
    let Some(dir) = panther("rules") else {
        return;
    };
    let mut table = Vec::new();
    for folder in ["gsuite_activityevent_rules", "gsuite_reports_rules"] {
        let mut files: Vec<PathBuf> = std::fs::read_dir(dir.join(folder))
            .unwrap()
            .map(|entry| entry.unwrap().path())
            .filter(|p| p.extension().is_some_and(|e| e == "yml"))
            .collect();
        files.sort();
        for file in files {
            let text = std::fs::read_to_string(&file).unwrap();
            let rules: RuleFile = serde_yaml_ng::from_str(&text)
                .unwrap_or_else(|e| panic!("{}: {e}", file.display()));
            let stem = file.file_stem().unwrap().to_string_lossy().into_owned();
            for case in rules.tests {
                let json = serde_json::to_string(&case.log).unwrap();
                let kinds = match events(&json) {
                    Ok(out) => out
                        .into_iter()
                        .map(|e| e.kind)
                        .collect::<Vec<_>>()
                        .join(" "),
                    Err(e) => format!("DEAD LETTER: {e}"),
                };
                table.push((stem.clone(), case.name, kinds, expected_kind(&case.log)));
            }
        }
    }

    let mut mismatches = 0;
    for (file, case, got, want) in &table {
        let mark = if got == want { " " } else { "✗" };
        mismatches += usize::from(got != want);
        eprintln!("{mark} {file:<52} {case:<60} {got}");
    }
    assert_eq!(table.len(), 157, "cases read");
    assert_eq!(mismatches, 0, "cases whose kind differs (marked ✗ above)");
    let count = |kind: &str| table.iter().filter(|row| row.2 == kind).count();
    assert_eq!(count("auth.login"), 7);
    assert_eq!(count("file.share"), 14);
    assert_eq!(count("email.message"), 22);
}

#[test]
fn the_sensitive_files_scenario_is_an_external_share() {
    #[derive(Deserialize)]
    struct Scenario {
        #[serde(rename = "Logs")]
        logs: Vec<serde_json::Value>,
    }
    let Some(path) = panther("test_scenarios/gsuite-sensitive-files/shared_files.yml") else {
        return;
    };
    let scenario: Scenario =
        serde_yaml_ng::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    assert_eq!(scenario.logs.len(), 1);
    let out = events(&serde_json::to_string(&scenario.logs[0]).unwrap()).unwrap();
    let kinds: Vec<&str> = out.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["file.edit", "file.share"]);
    let share = &out[1];
    assert_eq!(share.file_visibility.as_deref(), Some("external"));
    assert_eq!(
        share.file_name.as_deref(),
        Some("Company_Financials_05_26_21.pptx")
    );
    assert_eq!(share.user.as_deref(), Some("thomas12223391@gmail.com"));
    assert_eq!(attr(share, "target_user"), Some("thomas12223391@gmail.com"));
    assert_eq!(attr(share, "owner"), Some("jack@panther.com"));
    assert_eq!(attr(share, "new_value"), Some("can_view"));
    assert_eq!(attr(share, "visibility_change"), Some("external"));
}

/// The fixture of Reports API pages the integration tests read.
fn pages_fixture() -> PathBuf {
    Path::new(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../tests/fixtures/gws/activities_pages.json"
    ))
    .to_owned()
}

/// The event ids of a file read from `start` on, a record at a time, with
/// the position after each record.
fn read_from(
    path: &Path,
    start: Option<crate::ingest::Position>,
) -> Vec<(String, crate::ingest::Position)> {
    let options = crate::ingest::ReadOptions {
        start,
        ..Default::default()
    };
    let mut reader = crate::ingest::FileReader::open_with(path, options).unwrap();
    assert_eq!(reader.format(), Some(crate::ingest::Format::GwsReportsJson));
    let mut out = Vec::new();
    while let Some(chunk) = reader.next_chunk(1).unwrap() {
        assert!(chunk.dead_letters.is_empty(), "{:?}", chunk.dead_letters);
        for e in chunk.events {
            out.push((e.event_id, chunk.position));
        }
    }
    out
}

#[test]
fn pages_read_from_any_saved_position_give_the_rest() {
    let path = pages_fixture();
    let all = read_from(&path, None);
    assert_eq!(all.len(), 7, "six activities, one with two events");
    for (at, (_, position)) in all.iter().enumerate() {
        let rest: Vec<String> = read_from(&path, Some(*position))
            .into_iter()
            .map(|(id, _)| id)
            .collect();
        // The two events of one activity share a position.
        let want: Vec<String> = all
            .iter()
            .skip(at + 1)
            .filter(|(_, p)| p != position)
            .map(|(id, _)| id.clone())
            .collect();
        assert_eq!(rest, want, "resumed after event {at}");
    }
}
