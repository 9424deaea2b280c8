//! The M365 mapping, on inline records and on real Sentinel exports.

use std::path::{Path, PathBuf};

use super::*;
use crate::ingest::{FileReader, Format};
use crate::normalize::CsvHeader;

/// 2021-04-26T07:17:10Z in microseconds.
const RULE2_TIME: i64 = 1_619_421_430_000_000;

const NEW_INBOX_RULE: &str = r#"{"CreationTime":"2021-04-26T07:17:10","Id":"d28096ba-03b1-4c2a-1503-08d908826606","Operation":"New-InboxRule","OrganizationId":"2ad3fc79-1859-42fa-9011-6f8df2251b22","RecordType":1,"ResultStatus":"True","UserKey":"10032000C757D25F","UserType":2,"Version":1,"Workload":"Exchange","ClientIP":"[2a01:110:8068:7:9bf8:aa87:e00a:5f1f]:36185","ObjectId":"contoso.onmicrosoft.com/AdeleV\\rule2","UserId":"AdeleV@contoso.OnMicrosoft.com","AppId":"","ExternalAccess":false,"Parameters":[{"Name":"AlwaysDeleteOutlookRulesBlob","Value":"False"},{"Name":"Force","Value":"False"},{"Name":"MoveToFolder","Value":"RSS Feeds"},{"Name":"Name","Value":"rule2"},{"Name":"MarkAsRead","Value":"True"},{"Name":"StopProcessingRules","Value":"True"}]}"#;

fn one(text: &str) -> Result<Event, NormalizeError> {
    let mut out = Vec::new();
    M365AuditNormalizer.normalize(&Record::Json(text), &mut out)?;
    assert_eq!(out.len(), 1);
    Ok(out.remove(0))
}

#[test]
fn an_inbox_rule_maps_to_every_column() {
    let e = one(NEW_INBOX_RULE).unwrap();
    assert_eq!(e.source, "m365");
    assert_eq!(e.kind, "mailbox.rule_change");
    assert_eq!(e.action.as_deref(), Some("New-InboxRule"));
    assert_eq!(e.outcome.as_deref(), Some("success"));
    assert_eq!(e.time, RULE2_TIME);
    assert_eq!(e.user.as_deref(), Some("adelev@contoso.onmicrosoft.com"));
    assert_eq!(
        e.src_ip.as_deref(),
        Some("2a01:110:8068:7:9bf8:aa87:e00a:5f1f")
    );
    assert_eq!(e.rule_name.as_deref(), Some("rule2"));
    assert_eq!(
        e.event_id,
        event_id("m365", "d28096ba-03b1-4c2a-1503-08d908826606")
    );
    assert_eq!(e.raw.as_deref(), Some(NEW_INBOX_RULE));

    let attr = |k: &str| e.attrs.get(k).map(String::as_str);
    assert_eq!(attr("MoveToFolder"), Some("RSS Feeds"));
    assert_eq!(attr("MarkAsRead"), Some("True"));
    assert_eq!(attr("StopProcessingRules"), Some("True"));
    assert_eq!(attr("Workload"), Some("Exchange"));
    assert_eq!(attr("RecordType"), Some("1"));
    assert_eq!(attr("UserKey"), Some("10032000C757D25F"));
    assert_eq!(attr("ExternalAccess"), Some("false"));
    assert_eq!(attr("AppId"), None, "empty values are skipped");
    assert_eq!(attr("ClientIP"), None, "a parsed address is not repeated");
}

#[test]
fn lower_case_keys_give_the_same_event() {
    let lower = NEW_INBOX_RULE
        .replace("CreationTime", "creationtime")
        .replace("\"Operation\"", "\"operation\"")
        .replace("ClientIP", "clientip")
        .replace("UserId", "userid")
        .replace("\"Id\"", "\"id\"")
        .replace("Parameters", "parameters")
        .replace("\"Name\"", "\"name\"")
        .replace("\"Value\"", "\"value\"")
        .replace("ResultStatus", "resultstatus");
    let (a, b) = (one(NEW_INBOX_RULE).unwrap(), one(&lower).unwrap());
    assert_eq!(b.event_id, a.event_id);
    assert_eq!(b.time, a.time);
    assert_eq!(b.kind, a.kind);
    assert_eq!(b.user, a.user);
    assert_eq!(b.src_ip, a.src_ip);
    assert_eq!(b.outcome, a.outcome);
    assert_eq!(b.rule_name, a.rule_name);
    assert_eq!(b.attrs.get("MoveToFolder"), a.attrs.get("MoveToFolder"));
}

#[test]
fn logins_failures_and_mfa_changes() {
    let login = r#"{"CreationTime":"2022-12-12 15:57:57","Id":"abc","Operation":"UserLoginFailed","ResultStatus":"Success","UserId":"Sample.User@yourorg.onmicrosoft.com","ClientIP":"::ffff:1.2.3.4","LogonError":"InvalidUserNameOrPassword","ExtendedProperties":[{"Name":"UserAgent","Value":"Mozilla/5.0"},{"Name":"RequestType","Value":"Login:login"}],"Workload":"AzureActiveDirectory"}"#;
    let e = one(login).unwrap();
    assert_eq!(e.kind, "auth.login_failed");
    assert_eq!(e.outcome.as_deref(), Some("failure"));
    assert_eq!(e.src_ip.as_deref(), Some("1.2.3.4"));
    assert_eq!(e.user_agent.as_deref(), Some("Mozilla/5.0"));
    assert_eq!(
        e.attrs.get("RequestType").map(String::as_str),
        Some("Login:login")
    );
    assert_eq!(
        e.attrs.get("LogonError").map(String::as_str),
        Some("InvalidUserNameOrPassword")
    );

    let mfa = r#"{"CreationTime":"2022-12-12T17:28:35","Id":"m","Operation":"Update user.","ResultStatus":"Success","UserId":"ServicePrincipal_aa","ObjectId":"sample.user@yourorg.onmicrosoft.com","ModifiedProperties":[{"Name":"StrongAuthenticationMethod","NewValue":"[]","OldValue":"[{\"MethodType\":7}]"},{"Name":"Included Updated Properties","NewValue":"StrongAuthenticationMethod","OldValue":""}]}"#;
    let e = one(mfa).unwrap();
    assert_eq!(e.kind, "account.mfa_change");
    assert_eq!(
        e.attrs.get("ModifiedProperties").map(String::as_str),
        Some("StrongAuthenticationMethod, StrongAuthenticationMethod")
    );
    assert_eq!(
        e.attrs.get("ObjectId").map(String::as_str),
        Some("sample.user@yourorg.onmicrosoft.com")
    );
}

#[test]
fn mail_files_and_unlisted_operations() {
    let send = r#"{"CreationTime":"2021-04-28T14:32:44","Id":"s","Operation":"SendAs","UserId":"AdeleV@x.com","SendAsUserSmtp":"Boss@X.com","Item":{"Subject":"Invoice","InternetMessageId":"<m@x>"}}"#;
    let e = one(send).unwrap();
    assert_eq!(e.kind, "email.send");
    assert_eq!(e.email_from.as_deref(), Some("boss@x.com"));
    assert_eq!(e.email_subject.as_deref(), Some("Invoice"));
    assert_eq!(e.message_id.as_deref(), Some("<m@x>"));

    let share = r#"{"CreationTime":"2021-04-28T14:44:16","Id":"f","Operation":"AnonymousLinkCreated","UserId":"a@x.com","ObjectId":"https://x-my.sharepoint.com/personal/a/Documents/Q1.xlsx","SourceFileName":"Q1.xlsx"}"#;
    let e = one(share).unwrap();
    assert_eq!(e.kind, "file.share");
    assert_eq!(e.file_name.as_deref(), Some("Q1.xlsx"));
    assert_eq!(
        e.url.as_deref(),
        Some("https://x-my.sharepoint.com/personal/a/Documents/Q1.xlsx")
    );
    assert_eq!(e.file_visibility.as_deref(), Some("public"));

    let other = r#"{"CreationTime":"2021-04-28T14:44:16Z","Operation":"MoveToDeletedItems","ClientIP":"not an ip"}"#;
    let e = one(other).unwrap();
    assert_eq!(e.kind, "m365.move_to_deleted_items");
    assert_eq!(e.src_ip, None);
    assert_eq!(
        e.attrs.get("ClientIP").map(String::as_str),
        Some("not an ip")
    );
    assert_eq!(e.outcome, None);
    assert_eq!(
        e.event_id,
        event_id("m365", other),
        "no Id: the raw text is the key"
    );
}

#[test]
fn update_inbox_rules_and_set_inbox_rule_name_their_rule() {
    let update = r#"{"CreationTime":"2021-04-28T14:44:16","Operation":"UpdateInboxRules","OperationProperties":[{"Name":"RuleName","Value":"..."},{"Name":"RuleActions","Value":"MoveToFolder"}]}"#;
    assert_eq!(one(update).unwrap().rule_name.as_deref(), Some("..."));
    let set = r#"{"CreationTime":"2021-04-28T14:44:16","Operation":"Set-InboxRule","Parameters":[{"Name":"Identity","Value":"AdeleV\\my_rule1"}]}"#;
    assert_eq!(one(set).unwrap().rule_name.as_deref(), Some("my_rule1"));
    let send = r#"{"CreationTime":"2021-04-28T14:44:16","Operation":"Send","Parameters":[{"Name":"Name","Value":"x"}]}"#;
    assert_eq!(
        one(send).unwrap().rule_name,
        None,
        "only inbox rule operations have a rule"
    );
}

#[test]
fn unusable_records_name_the_field() {
    let cases = [
        (
            "{\"CreationTime\":\"2021-04-28T14:44:16\"",
            "parsing JSON: EOF while parsing an object at line 1 column 37",
        ),
        ("[1,2]", "parsing JSON: expected an object, found an array"),
        (
            r#"{"CreationTime":"2021-04-28T14:44:16","Operation":"  "}"#,
            "missing `Operation`",
        ),
        (r#"{"Operation":"Send"}"#, "missing `CreationTime`"),
        (
            r#"{"creationtime":"4/31/2021","Operation":"Send"}"#,
            "parsing `creationtime`: invalid date `4/31/2021`",
        ),
    ];
    for (text, want) in cases {
        assert_eq!(one(text).unwrap_err().to_string(), want, "{text}");
    }
}

#[test]
fn csv_rows_and_purview_audit_data() {
    let header = CsvHeader::new(
        [
            "TimeGenerated [UTC]",
            "Operation",
            "UserId",
            "ClientIP",
            "OfficeId",
            "Parameters",
            "Start_Time [UTC]",
        ]
        .map(String::from)
        .to_vec(),
    );
    let values = [
        "4/26/2021, 7:17:10.000 AM",
        "New-InboxRule",
        "AdeleV@contoso.OnMicrosoft.com",
        "175.45.176.99:17362",
        "d28096ba-03b1-4c2a-1503-08d908826606",
        "[{\"Name\":\"Name\",\"Value\":\"rule2\"}]",
        "4/26/2021, 7:25:00.000 AM",
    ]
    .map(String::from);
    let row = CsvRow {
        header: &header,
        values: &values,
    };
    let mut out = Vec::new();
    M365AuditNormalizer
        .normalize(&Record::Csv(row), &mut out)
        .unwrap();
    let e = &out[0];
    assert_eq!(e.time, RULE2_TIME, "TimeGenerated wins over Start_Time");
    assert_eq!(e.src_ip.as_deref(), Some("175.45.176.99"));
    assert_eq!(e.rule_name.as_deref(), Some("rule2"));
    assert_eq!(
        e.event_id,
        one(NEW_INBOX_RULE).unwrap().event_id,
        "same Id, same event id"
    );
    assert!(
        e.raw
            .as_deref()
            .unwrap()
            .starts_with("{\"ClientIP\":\"175.45.176.99:17362\"")
    );

    let purview = CsvHeader::new(
        ["CreationDate", "UserIds", "Operations", "AuditData"]
            .map(String::from)
            .to_vec(),
    );
    let values = ["2021-04-26T07:17:10", "a", "New-InboxRule", NEW_INBOX_RULE].map(String::from);
    let mut out = Vec::new();
    let row = CsvRow {
        header: &purview,
        values: &values,
    };
    M365AuditNormalizer
        .normalize(&Record::Csv(row), &mut out)
        .unwrap();
    assert_eq!(out[0], one(NEW_INBOX_RULE).unwrap());
}

#[test]
fn generated_records_all_normalize() {
    for i in 0..2_000 {
        let text = testdata::audit_record(i);
        let e = one(&text).unwrap_or_else(|err| panic!("record {i}: {err}\n{text}"));
        assert!(
            e.src_ip.is_some() || e.kind == "account.mfa_change" || e.kind == "account.change",
            "{text}"
        );
    }
}

/// The shared real-data folder, or `None` (with a note) when absent.
fn shared_data(file: &str) -> Option<PathBuf> {
    let dir = Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../../shared/data"));
    let path = dir.join("sentinel-training-lab").join(file);
    if path.is_file() {
        Some(path)
    } else {
        eprintln!(
            "skipping: {} is absent (the shared data folder is not here)",
            path.display()
        );
        None
    }
}

fn read_file(path: &Path) -> (Vec<Event>, Vec<crate::normalize::DeadLetter>, u64) {
    let mut reader = FileReader::open(path).unwrap();
    assert_eq!(reader.format(), Some(Format::M365AuditCsv));
    let (mut events, mut letters, mut records) = (Vec::new(), Vec::new(), 0);
    while let Some(chunk) = reader.next_chunk(50).unwrap() {
        records += chunk.records_read;
        events.extend(chunk.events);
        letters.extend(chunk.dead_letters);
    }
    assert_eq!(records, (events.len() + letters.len()) as u64);
    (events, letters, records)
}

#[test]
fn sentinel_inbox_rule_export() {
    let Some(path) = shared_data("office_activity_inbox_rule.csv") else {
        return;
    };
    let (events, letters, _) = read_file(&path);
    assert!(letters.is_empty(), "{letters:?}");
    assert_eq!(events.len(), 2);
    for e in &events {
        assert_eq!(e.kind, "mailbox.rule_change");
        assert_eq!(e.user.as_deref(), Some("adelev@contoso.onmicrosoft.com"));
        assert_eq!(
            e.src_ip.as_deref(),
            Some("2a01:110:8068:7:9bf8:aa87:e00a:5f1f")
        );
        assert_eq!(e.outcome.as_deref(), Some("success"));
    }
    // This export has no TimeGenerated column: the times are the records'
    // own, from Start_Time.
    let at = |h, m, s| {
        chrono::NaiveDate::from_ymd_opt(2021, 4, 26)
            .and_then(|d| d.and_hms_opt(h, m, s))
            .map(|t| t.and_utc().timestamp_micros())
    };
    assert_eq!(events[0].rule_name.as_deref(), Some("rule2"));
    assert_eq!(Some(events[0].time), at(7, 17, 10));
    assert_eq!(events[1].rule_name.as_deref(), Some("my_rule1"));
    assert_eq!(Some(events[1].time), at(6, 37, 32));
    assert_eq!(
        events[0]
            .attrs
            .get("SubjectContainsWords")
            .map(String::as_str),
        Some("do not open")
    );
    assert_eq!(
        events[1].attrs.get("DeleteMessage").map(String::as_str),
        Some("True")
    );
}

#[test]
fn sentinel_office_activity_export() {
    let Some(path) = shared_data("office_activity.csv") else {
        return;
    };
    let (events, letters, records) = read_file(&path);
    assert_eq!(records, 266);
    assert_eq!(events.len(), 266);
    assert!(letters.is_empty(), "{letters:?}");

    let rules: Vec<&Event> = events
        .iter()
        .filter(|e| e.action.as_deref() == Some("New-InboxRule"))
        .collect();
    assert_eq!(rules.len(), 1);
    let junk = rules[0];
    assert_eq!(junk.rule_name.as_deref(), Some("junk"));
    assert_eq!(junk.kind, "mailbox.rule_change");
    assert_eq!(junk.src_ip.as_deref(), Some("175.45.176.99"));
    // The record's creation time is its TimeGenerated (2:33:14 PM), not
    // the later Start_Time (2:41:58 PM) of the batch it was collected in.
    let want = chrono::NaiveDate::from_ymd_opt(2021, 4, 28)
        .and_then(|d| d.and_hms_opt(14, 33, 14))
        .map(|t| t.and_utc().timestamp_micros());
    assert_eq!(Some(junk.time), want);

    let count = |kind: &str| events.iter().filter(|e| e.kind == kind).count();
    assert_eq!(count("email.send"), 2);
    assert_eq!(count("mailbox.access"), 3);
    assert_eq!(count("file.download"), 2);
    assert_eq!(count("file.access"), 78);
    assert_eq!(count("file.upload"), 8);
    assert_eq!(count("file.share"), 6);
    let ids: std::collections::HashSet<_> = events.iter().map(|e| &e.event_id).collect();
    assert_eq!(ids.len(), 266, "event ids are unique");
    let send = events
        .iter()
        .find(|e| e.kind == "email.send" && e.email_subject.as_deref() == Some("email from HR"));
    assert!(send.is_some_and(|e| e.message_id.is_some() && e.email_from.is_some()));
}
