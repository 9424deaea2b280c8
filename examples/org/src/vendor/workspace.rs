//! Google Workspace Reports API activities (`activities.list` items), one
//! JSON object per line: logins and Drive.

use serde_json::{Value, json};

use crate::logs::{Micros, format_time};

const TIME: &str = "%Y-%m-%dT%H:%M:%S%.3fZ";
const CUSTOMER: &str = "C02x7kq1m";

fn activity(
    time: Micros,
    id: i64,
    application: &str,
    upn: &str,
    ip: &str,
    events: Value,
) -> String {
    json!({
        "kind": "admin#reports#activity",
        "id": {"time": format_time(time, TIME), "uniqueQualifier": id.to_string(),
               "applicationName": application, "customerId": CUSTOMER},
        "etag": format!("\"kq1m/{id:x}\""),
        "actor": {"email": upn, "callerType": "USER"},
        "ipAddress": ip, "events": events
    })
    .to_string()
}

/// A successful login.
pub fn login(time: Micros, id: i64, upn: &str, ip: &str) -> String {
    activity(
        time,
        id,
        "login",
        upn,
        ip,
        json!([{"type": "login", "name": "login_success",
        "parameters": [{"name": "login_type", "value": "google_password"},
                       {"name": "login_challenge_method", "multiValue": ["password"]},
                       {"name": "is_suspicious", "boolValue": false}]}]),
    )
}

/// A Drive document, as its events name it.
pub struct Document<'a> {
    /// Drive id.
    pub id: &'a str,
    /// Title, with its extension.
    pub title: &'a str,
    /// Owner's address.
    pub owner: &'a str,
    /// `private`, `shared_internally`, `shared_externally`, ...
    pub visibility: &'a str,
}

fn doc_parameters(doc: &Document<'_>) -> Vec<Value> {
    vec![
        json!({"name": "primary_event", "boolValue": true}),
        json!({"name": "doc_id", "value": doc.id}),
        json!({"name": "doc_title", "value": doc.title}),
        json!({"name": "doc_type", "value": "unknown"}),
        json!({"name": "visibility", "value": doc.visibility}),
        json!({"name": "owner", "value": doc.owner}),
    ]
}

/// A Drive access event: `name` is `view`, `edit` or `download`.
pub fn drive_access(
    time: Micros,
    id: i64,
    upn: &str,
    ip: &str,
    name: &str,
    doc: &Document<'_>,
) -> String {
    activity(
        time,
        id,
        "drive",
        upn,
        ip,
        json!([{"type": "access", "name": name, "parameters": doc_parameters(doc)}]),
    )
}

/// The owner shares the document with `target` outside the organisation.
pub fn shared_externally(
    time: Micros,
    id: i64,
    upn: &str,
    ip: &str,
    doc: &Document<'_>,
    target: &str,
) -> String {
    let mut parameters = doc_parameters(doc);
    parameters.push(json!({"name": "target_user", "value": target}));
    parameters.push(json!({"name": "old_value", "multiValue": ["none"]}));
    parameters.push(json!({"name": "new_value", "multiValue": ["can_view"]}));
    activity(
        time,
        id,
        "drive",
        upn,
        ip,
        json!([{"type": "acl_change", "name": "change_user_access", "parameters": parameters}]),
    )
}
