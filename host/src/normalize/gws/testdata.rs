//! Synthetic Reports API activities, for benchmarks and tests.
//!
//! Deterministic: activity `i` is always the same text. The mix follows a
//! busy domain: mostly logins and Drive activity, then Gmail, a few
//! account changes, admin and OAuth token events. Activities use the
//! API's shape, parameters as `[{name, value | boolValue | ...}]`.

use std::io::{self, Write};

use crate::normalize::synthetic::mix;
use serde_json::{Value, json};

/// 2024-03-01T00:00:00Z in seconds.
const START: i64 = 1_709_251_200;

const USERS: [&str; 8] = [
    "Adele.Vance@corp.example",
    "alex.wilber@corp.example",
    "diego.siciliani@corp.example",
    "grady.archie@corp.example",
    "isaiah.langer@corp.example",
    "johanna.lorenz@corp.example",
    "lee.gu@corp.example",
    "megan.bowen@corp.example",
];

const VISIBILITY: [&str; 5] = [
    "private",
    "shared_internally",
    "people_within_domain_with_link",
    "shared_externally",
    "people_with_link",
];

/// Activity number `i` as one line of JSON (no newline).
pub fn activity(i: u64) -> String {
    let r = mix(i);
    let user = USERS[(r % USERS.len() as u64) as usize];
    let secs = START + i64::try_from(i / 4).unwrap_or(i64::MAX);
    let time = chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let (application, events) = match (r >> 24) % 100 {
        0..30 => ("login", login(r >> 32)),
        30..60 => ("drive", drive(user, r >> 32)),
        60..80 => ("gmail", gmail(user, i, r >> 32)),
        80..85 => ("user_accounts", account(r >> 32)),
        85..95 => ("admin", admin(r >> 32)),
        _ => ("token", token(r >> 32)),
    };
    json!({
        "kind": "admin#reports#activity",
        "id": {
            "time": time,
            "uniqueQualifier": format!("{}", (r >> 1) as i64),
            "applicationName": application,
            "customerId": "C03az79cb"
        },
        "etag": format!("\"JDMC8884sebSctZ17CIssbQ/{r:016x}\""),
        "actor": {"email": user, "profileId": format!("1{:019}", r % 10_000_000_000_000_000_000), "callerType": "USER"},
        "ownerDomain": "corp.example",
        "ipAddress": client_ip(r >> 8),
        "events": events
    })
    .to_string()
}

/// Writes activities `0..count` as JSON lines; returns the bytes written.
///
/// # Errors
///
/// When `out` fails.
pub fn write_activity_lines(out: &mut impl Write, count: u64) -> io::Result<u64> {
    crate::normalize::synthetic::write_lines(out, count, activity)
}

fn client_ip(r: u64) -> String {
    let [a, b, c, d, ..] = r.to_le_bytes();
    match r % 4 {
        0 => format!("2001:db8:{a:x}{b:02x}:{c:x}::{d:x}"),
        _ => format!("{}.{b}.{c}.{d}", 20 + a % 200),
    }
}

fn param(name: &str, value: &str) -> Value {
    json!({"name": name, "value": value})
}

fn login(r: u64) -> Value {
    let ok = !r.is_multiple_of(10);
    let name = if ok { "login_success" } else { "login_failure" };
    let mut params = vec![
        param(
            "login_type",
            if r.is_multiple_of(3) {
                "saml"
            } else {
                "google_password"
            },
        ),
        json!({"name": "login_challenge_method", "multiValue": ["password", "google_authenticator"]}),
        json!({"name": "is_suspicious", "boolValue": r.is_multiple_of(50)}),
    ];
    if !ok {
        params.push(param(
            "login_failure_type",
            "login_failure_invalid_password",
        ));
    }
    json!([{"type": "login", "name": name, "parameters": params}])
}

fn drive(user: &str, r: u64) -> Value {
    let names = ["view", "view", "edit", "download", "change_user_access"];
    let name = names[(r % names.len() as u64) as usize];
    let visibility = VISIBILITY[((r >> 8) % VISIBILITY.len() as u64) as usize];
    let mut params = vec![
        json!({"name": "primary_event", "boolValue": true}),
        param("doc_id", &format!("1a{:030x}", r)),
        param("doc_type", "spreadsheet"),
        param("doc_title", &format!("Forecast {:04}.xlsx", r % 5000)),
        param("visibility", visibility),
        param("owner", user),
        json!({"name": "owner_is_shared_drive", "boolValue": false}),
    ];
    let kind = if name == "change_user_access" {
        params.push(param("target_user", "partner@supplier.example"));
        params.push(json!({"name": "old_value", "multiValue": ["none"]}));
        params.push(json!({"name": "new_value", "multiValue": ["can_view"]}));
        "acl_change"
    } else {
        "access"
    };
    json!([{"type": kind, "name": name, "parameters": params}])
}

fn gmail(user: &str, i: u64, r: u64) -> Value {
    let types = [2, 2, 1, 7, 15, 17];
    let mail_event_type = types[(r % types.len() as u64) as usize];
    let message = |params: Vec<Value>| json!({"parameter": params});
    let info = message(vec![
        json!({"name": "mail_event_type", "intValue": mail_event_type.to_string()}),
        json!({"name": "timestamp_usec", "intValue": format!("{}", 1_709_251_200_000_000 + i)}),
    ]);
    let msg = message(vec![
        param(
            "rfc2822_message_id",
            &format!("<{i:x}.{r:x}@mail.sender.example>"),
        ),
        param("subject", &format!("Invoice {} overdue", i % 977)),
        json!({"name": "source", "messageValue": message(vec![
            param("address", "billing@sender.example"),
            param("from_header_address", "billing@sender.example"),
        ])}),
        json!({"name": "destination", "multiMessageValue": [message(vec![param("address", user)])]}),
        json!({"name": "link_domain", "multiValue": ["pay.sender.example"]}),
        json!({"name": "payload_size", "intValue": format!("{}", 2_000 + r % 90_000)}),
        json!({"name": "is_spam", "boolValue": r.is_multiple_of(20)}),
    ]);
    json!([{"type": "delivery_type", "name": "delivery", "parameters": [
        {"name": "event_info", "messageValue": info},
        {"name": "message_info", "messageValue": msg}
    ]}])
}

fn account(r: u64) -> Value {
    let names = [
        "2sv_enroll",
        "password_edit",
        "recovery_phone_edit",
        "2sv_disable",
    ];
    let name = names[(r % names.len() as u64) as usize];
    json!([{"type": "account_change", "name": name}])
}

fn admin(r: u64) -> Value {
    let names = [
        "CHANGE_APPLICATION_SETTING",
        "CREATE_ROLE",
        "ADD_TRUSTED_DOMAINS",
    ];
    let name = names[(r % names.len() as u64) as usize];
    json!([{"type": "APPLICATION_SETTINGS", "name": name, "parameters": [
        param("APPLICATION_EDITION", "business_plus"),
        param("APPLICATION_NAME", "Gmail"),
        param("SETTING_NAME", "ENHANCED_PRE_DELIVERY_MESSAGE_SCANNING"),
        param("NEW_VALUE", if r.is_multiple_of(2) { "true" } else { "false" }),
        param("ORG_UNIT_NAME", "corp.example")
    ]}])
}

fn token(r: u64) -> Value {
    json!([{"type": "auth", "name": "authorize", "parameters": [
        param("client_id", &format!("{}.apps.googleusercontent.com", r % 100_000)),
        param("app_name", "Calendar Sync"),
        json!({"name": "scope", "multiValue": [
            "https://www.googleapis.com/auth/calendar",
            "https://www.googleapis.com/auth/gmail.readonly"
        ]})
    ]}])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn activities_are_deterministic_single_lines() {
        assert_eq!(activity(7), activity(7));
        assert_ne!(activity(7), activity(8));
        let mut out = Vec::new();
        let bytes = write_activity_lines(&mut out, 100).unwrap();
        assert_eq!(bytes, out.len() as u64);
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 100);
    }
}
