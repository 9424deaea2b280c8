//! Synthetic unified audit log records, for benchmarks and tests.
//!
//! Deterministic: record `i` is always the same text. The mix follows a
//! busy tenant: mostly sign-ins and file access, some mail, a few inbox
//! rules with parameters and account changes.

use std::io::{self, Write};

use crate::normalize::synthetic::mix;
use serde_json::{Value, json};

/// 2024-03-01T00:00:00Z in seconds.
const START: i64 = 1_709_251_200;

const USERS: [&str; 8] = [
    "AdeleV@contoso.onmicrosoft.com",
    "AlexW@contoso.onmicrosoft.com",
    "DiegoS@contoso.onmicrosoft.com",
    "GradyA@contoso.onmicrosoft.com",
    "IsaiahL@contoso.onmicrosoft.com",
    "JohannaL@contoso.onmicrosoft.com",
    "LeeG@contoso.onmicrosoft.com",
    "MeganB@contoso.onmicrosoft.com",
];

const AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0";

/// Audit record number `i` as one line of JSON (no newline).
pub fn audit_record(i: u64) -> String {
    let r = mix(i);
    let user = USERS[(r % USERS.len() as u64) as usize];
    let secs = START + i64::try_from(i / 4).unwrap_or(i64::MAX);
    let time = chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S")
        .to_string();
    let ip = client_ip(r >> 8);
    let mut record = match (r >> 24) % 100 {
        0..30 => login(user, &ip, true),
        30..35 => login(user, &ip, false),
        35..60 => file_access(&ip, r >> 32),
        60..75 => mail_access(user, &ip),
        75..85 => send(user, &ip, i),
        85..90 => inbox_rule(user, &ip, r >> 32),
        90..95 => account_update(user, r >> 32),
        _ => other(user, &ip, r >> 32),
    };
    if let Value::Object(object) = &mut record {
        object.insert("CreationTime".into(), time.into());
        object.insert(
            "Id".into(),
            format!("{:016x}-{:08x}-4c2a-1503-08d908826606", r, i).into(),
        );
        object.insert(
            "OrganizationId".into(),
            "2ad3fc79-1859-42fa-9011-6f8df2251b22".into(),
        );
        object.insert("UserId".into(), user.into());
        object.insert("UserKey".into(), format!("10032000{:08X}", r as u32).into());
    }
    record.to_string()
}

/// Writes records `0..count` as JSON lines; returns the bytes written.
///
/// # Errors
///
/// When `out` fails.
pub fn write_audit_lines(out: &mut impl Write, count: u64) -> io::Result<u64> {
    crate::normalize::synthetic::write_lines(out, count, audit_record)
}

fn client_ip(r: u64) -> String {
    let [a, b, c, d, ..] = r.to_le_bytes();
    match r % 10 {
        0 => format!(
            "[2a01:110:8068:7:9bf8:{a:x}{b:02x}:{c:x}:{d:x}]:{}",
            1024 + r % 60000
        ),
        1 => format!("{}.{b}.{c}.{d}:{}", 20 + a % 200, 1024 + r % 60000),
        2 => format!("::ffff:{}.{b}.{c}.{d}", 20 + a % 200),
        _ => format!("{}.{b}.{c}.{d}", 20 + a % 200),
    }
}

fn login(user: &str, ip: &str, ok: bool) -> Value {
    json!({
        "RecordType": 15, "UserType": 0, "Version": 1, "Workload": "AzureActiveDirectory",
        "ClientIP": ip, "ObjectId": "00000003-0000-0ff1-ce00-000000000000",
        "ResultStatus": if ok { "Success" } else { "Failed" },
        "Operation": if ok { "UserLoggedIn" } else { "UserLoginFailed" },
        "ActorIpAddress": ip, "AzureActiveDirectoryEventType": 1,
        "ExtendedProperties": [
            {"Name": "ResultStatusDetail", "Value": if ok { "Success" } else { "InvalidUserNameOrPassword" }},
            {"Name": "UserAgent", "Value": AGENT},
            {"Name": "RequestType", "Value": "OAuth2:Authorize"}
        ],
        "Actor": [{"ID": "a4a8b4c2-5d2e-4c49-a4b7-3b3b8c9e0f10", "Type": 0}, {"ID": user, "Type": 5}],
        "ApplicationId": "4765445b-32c6-49b0-83e6-1d93765276ca",
        "ErrorNumber": if ok { "0" } else { "50126" }
    })
}

fn file_access(ip: &str, r: u64) -> Value {
    let ops = [
        "FileAccessed",
        "FilePreviewed",
        "FileDownloaded",
        "FileUploaded",
        "SharingSet",
    ];
    let file = format!("Report {:04}.docx", r % 5000);
    json!({
        "RecordType": 6, "UserType": 0, "Version": 1, "Workload": "SharePoint",
        "ClientIP": ip, "Operation": ops[(r % ops.len() as u64) as usize],
        "ObjectId": format!("https://contoso.sharepoint.com/sites/finance/Shared Documents/{file}"),
        "UserAgent": AGENT, "EventSource": "SharePoint", "ItemType": "File",
        "ListId": "6e2f6c8a-3a34-4b4f-9d7e-2c1f2f5d8a10",
        "Site": "868bc0a3-8f5e-4dda-9a7f-c79074ec9463",
        "SiteUrl": "https://contoso.sharepoint.com/sites/finance/",
        "SourceFileExtension": "docx", "SourceFileName": file,
        "SourceRelativeUrl": "Shared Documents",
        "TargetUserOrGroupType": if r.is_multiple_of(7) { "Guest" } else { "Member" }
    })
}

fn mail_access(user: &str, ip: &str) -> Value {
    json!({
        "RecordType": 50, "ResultStatus": "Succeeded", "UserType": 0, "Version": 1,
        "Workload": "Exchange", "Operation": "MailItemsAccessed",
        "ClientIPAddress": ip, "ClientInfoString": format!("Client=OWA;{AGENT};"),
        "ExternalAccess": false, "LogonType": 0, "MailboxOwnerUPN": user,
        "MailboxGuid": "1799af14-918d-4035-98f7-536ec791ef58",
        "OperationProperties": [{"Name": "MailAccessType", "Value": "Bind"}, {"Name": "IsThrottled", "Value": "False"}],
        "Folders": [{"Id": "LgAAAAC4lQ2Ye4hSS4if7gF6ji8JAQA45WDUjdASSYqMiyC3ZEqOAAAAAAEMAAAB", "Path": "\\Inbox",
                     "FolderItems": [{"InternetMessageId": "<MWHPR06MB3440F17C12BF790009F16851D9409@MWHPR06MB3440.namprd06.prod.outlook.com>"}]}]
    })
}

fn send(user: &str, ip: &str, i: u64) -> Value {
    json!({
        "RecordType": 2, "ResultStatus": "Succeeded", "UserType": 0, "Version": 1,
        "Workload": "Exchange", "Operation": "Send", "ClientIP": ip,
        "ClientInfoString": "Client=REST;;", "ExternalAccess": false, "LogonType": 0,
        "MailboxOwnerUPN": user, "MailboxGuid": "1799af14-918d-4035-98f7-536ec791ef58",
        "Item": {"Id": "RgAAAAC4lQ2Ye4hSS4if7gF6ji8JBwA45WDUjdASSYqMiyC3ZEqOAAAAAAEPAAA",
                 "InternetMessageId": format!("<{i:x}@MWHPR06MB3440.namprd06.prod.outlook.com>"),
                 "Subject": format!("Invoice {} overdue", i % 977), "SizeInBytes": 18093}
    })
}

fn inbox_rule(user: &str, ip: &str, r: u64) -> Value {
    let name = if r.is_multiple_of(3) {
        "..."
    } else {
        "Move RSS"
    };
    json!({
        "RecordType": 1, "ResultStatus": "True", "UserType": 2, "Version": 1,
        "Workload": "Exchange", "Operation": if r.is_multiple_of(4) { "Set-InboxRule" } else { "New-InboxRule" },
        "ClientIP": ip, "ObjectId": format!("NAMPR06A003.prod.outlook.com/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/{user}\\{name}"),
        "ExternalAccess": false, "OrganizationName": "contoso.onmicrosoft.com",
        "OriginatingServer": "MWHPR06MB3440 (15.20.4065.026)",
        "Parameters": [
            {"Name": "AlwaysDeleteOutlookRulesBlob", "Value": "False"},
            {"Name": "Force", "Value": "False"},
            {"Name": "MoveToFolder", "Value": "RSS Feeds"},
            {"Name": "Name", "Value": name},
            {"Name": "MarkAsRead", "Value": "True"},
            {"Name": "StopProcessingRules", "Value": "True"}
        ]
    })
}

fn account_update(user: &str, r: u64) -> Value {
    let property = if r.is_multiple_of(2) {
        "StrongAuthenticationMethod"
    } else {
        "DisplayName"
    };
    json!({
        "RecordType": 8, "ResultStatus": "Success", "UserType": 4, "Version": 1,
        "Workload": "AzureActiveDirectory", "Operation": "Update user.", "ObjectId": user,
        "ModifiedProperties": [
            {"Name": property, "NewValue": "[{\"MethodType\":6,\"Default\":true}]", "OldValue": "[]"},
            {"Name": "Included Updated Properties", "NewValue": property, "OldValue": ""}
        ],
        "Target": [{"ID": user, "Type": 5}],
        "Actor": [{"ID": "Azure MFA StrongAuthenticationService", "Type": 1}]
    })
}

fn other(user: &str, ip: &str, r: u64) -> Value {
    let ops = [
        "PageViewed",
        "MoveToDeletedItems",
        "ListViewed",
        "SearchQueryPerformed",
    ];
    json!({
        "RecordType": 4, "UserType": 0, "Version": 1, "Workload": "SharePoint",
        "Operation": ops[(r % ops.len() as u64) as usize], "ClientIP": ip, "UserAgent": AGENT,
        "ObjectId": format!("https://contoso.sharepoint.com/sites/finance/SitePages/Home.aspx?u={user}")
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_deterministic_single_lines() {
        assert_eq!(audit_record(7), audit_record(7));
        assert_ne!(audit_record(7), audit_record(8));
        let mut out = Vec::new();
        let bytes = write_audit_lines(&mut out, 100).unwrap();
        assert_eq!(bytes, out.len() as u64);
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 100);
    }
}
