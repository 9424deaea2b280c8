//! Entra ID audit records to events.
//!
//! Fields are those of `properties` in the diagnostic JSON (the Graph
//! `directoryAudit`); Sentinel's `AuditLogs` columns carry the same names
//! in PascalCase (`InitiatedBy`, `TargetResources` hold JSON).
//!
//! - `time`: `activityDateTime`, else the envelope's `time`, else
//!   `TimeGenerated`.
//! - `action`: `activityDisplayName`, else `operationName`, trimmed;
//!   required. `kind`: see [`super::kind`].
//! - `outcome`: `result`: `success`, `failure` (also for `timeout`), else
//!   `unknown`.
//! - `user`: the initiating user, `initiatedBy.user.userPrincipalName`,
//!   lower case. When an app initiated the change (`initiatedBy.app`,
//!   such as the MFA service registering a method for a user), `user` is
//!   the first target with a `userPrincipalName`: the account the change
//!   is about, which is what a detector following a user needs. The app
//!   stays in the attributes `initiatedBy.app.displayName`,
//!   `initiatedBy.app.appId`, `initiatedBy.app.servicePrincipalId`.
//! - `src_ip`: `initiatedBy.user.ipAddress`, else the envelope's
//!   `callerIpAddress` (or `ipAddress`). A value that is not an address
//!   is an attribute.
//! - `user_agent`: `userAgent`, else the `User-Agent` additional detail.
//! - `attrs`: the targets, comma-separated across targets:
//!   `targetResources.type`, `.displayName`, `.userPrincipalName`, `.id`;
//!   `modifiedProperties`, the names of the properties changed (including
//!   those an `Included Updated Properties` entry lists); each
//!   `additionalDetails` entry as `additionalDetails.<key>`;
//!   `initiatedBy.user.id`; `mfaPolicyChange` (see [`super::kind`]); and
//!   every other field by name (`category`, the audit category such as
//!   `UserManagement`, wins over the envelope's `AuditLogs`;
//!   `loggedByService`, `operationType`, `correlationId`, ...). The old
//!   and new values of modified properties are left to `raw`.
//! - event id: the record's `id` (`Directory_...`), else its raw text.

use crate::normalize::Attrs;
use std::borrow::Cow;

use super::SOURCE;
use super::kind::audit_kind;
use crate::normalize::azure::{DiagnosticRecord, Naming, event_time, field_text, pick_ip};
use crate::normalize::json::Json;
use crate::normalize::{Event, NormalizeError, event_id};

/// Fields of the activity's own time, best first.
const TIME_KEYS: [&str; 3] = ["activityDateTime", "time", "TimeGenerated"];

/// Fields with a column of their own, read whole below, or left to `raw`.
const SKIP: [&str; 15] = [
    "id",
    "activitydatetime",
    "time",
    "timegenerated",
    "activitydisplayname",
    "result",
    "initiatedby",
    "targetresources",
    "additionaldetails",
    "useragent",
    "calleripaddress",
    "level",
    "durationms",
    "operationversion",
    "resultsignature",
];

/// One audit record to an event; see the module docs.
///
/// # Errors
///
/// When the operation or the time is missing, or the time does not parse.
pub(crate) fn audit_event(
    record: &DiagnosticRecord<'_, '_>,
    raw: String,
) -> Result<Event, NormalizeError> {
    let operation = record
        .text_of(&["activityDisplayName", "operationName"])
        .ok_or_else(|| NormalizeError::missing("activityDisplayName"))?;
    let mut attrs = record.attrs(&SKIP, &[], Naming::Camel);
    if attrs.get("operationName").map(String::as_str) == Some(&*operation) {
        attrs.remove("operationName");
    }
    let time = event_time(record, &TIME_KEYS, &mut attrs)?;

    let initiated = record.get("initiatedBy");
    let initiator = initiated.and_then(|i| i.get_ignore_case("user"));
    initiator_attrs(initiated, &mut attrs);
    let targets = Targets::of(record.get("targetResources"));
    targets.add_attrs(&mut attrs);
    let user_agent = details(record, &mut attrs).or_else(|| record.text("userAgent"));

    let kind = audit_kind(&operation, &targets.modified, &targets.modified_names());
    if let Some(change) = kind.mfa_policy_change {
        attrs.insert("mfaPolicyChange", change.to_owned());
    }
    let upn = initiator.and_then(|u| field_text(u, "userPrincipalName"));
    let user = upn.or_else(|| targets.upns.first().cloned());
    let ips = [
        (
            "initiatedBy.user.ipAddress",
            initiator.and_then(|u| field_text(u, "ipAddress")),
        ),
        ("callerIpAddress", record.text("callerIpAddress")),
        ("ipAddress", record.text("ipAddress")),
    ];
    let src_ip = pick_ip(ips, &mut attrs);
    let id = record.text("id");

    Ok(Event {
        event_id: event_id(SOURCE, id.as_deref().unwrap_or(&raw)),
        time,
        source: SOURCE,
        kind: kind.kind,
        action: Some(operation.into_owned()),
        outcome: record.text("result").map(|r| outcome_of(&r).to_owned()),
        user: user.map(|u| u.to_lowercase()),
        src_ip,
        user_agent: user_agent.map(Cow::into_owned),
        attrs,
        raw: Some(raw),
        ..Event::default()
    })
}

/// `success`, `failure` or `unknown` for a `result`.
fn outcome_of(result: &str) -> &'static str {
    match result.trim().to_ascii_lowercase().as_str() {
        "success" => "success",
        "failure" | "timeout" => "failure",
        _ => "unknown",
    }
}

/// The initiator's ids and the initiating app, as attributes.
fn initiator_attrs(initiated: Option<&Json<'_>>, attrs: &mut Attrs) {
    let Some(initiated) = initiated else { return };
    let fields = [
        ("user", "id"),
        ("app", "displayName"),
        ("app", "appId"),
        ("app", "servicePrincipalId"),
        ("app", "servicePrincipalName"),
    ];
    for (who, field) in fields {
        let value = initiated
            .get_ignore_case(who)
            .and_then(|w| field_text(w, field));
        if let Some(value) = value {
            attrs.insert(format!("initiatedBy.{who}.{field}"), value.into_owned());
        }
    }
}

/// The `additionalDetails` entries as attributes; returns the
/// `User-Agent` one.
fn details<'r>(record: &DiagnosticRecord<'r, '_>, attrs: &mut Attrs) -> Option<Cow<'r, str>> {
    let mut agent = None;
    let entries = record.get("additionalDetails").and_then(Json::as_array);
    for entry in entries.unwrap_or_default() {
        let key = field_text(entry, "key");
        let (Some(key), Some(value)) = (key, field_text(entry, "value")) else {
            continue;
        };
        if key.eq_ignore_ascii_case("User-Agent") {
            agent = Some(value.clone());
        }
        attrs.insert(format!("additionalDetails.{key}"), value.into_owned());
    }
    agent
}

/// What the record's `targetResources` say.
#[derive(Debug, Default)]
struct Targets<'r, 'a> {
    types: Vec<Cow<'r, str>>,
    names: Vec<Cow<'r, str>>,
    upns: Vec<Cow<'r, str>>,
    ids: Vec<Cow<'r, str>>,
    /// The `{displayName, oldValue, newValue}` entries.
    modified: Vec<&'r Json<'a>>,
}

impl<'r, 'a> Targets<'r, 'a> {
    fn of(value: Option<&'r Json<'a>>) -> Self {
        let mut targets = Targets::default();
        // Sentinel's hunting exports sometimes hold a single target object.
        let items = match value {
            Some(Json::Array(items)) => items.iter().collect(),
            Some(object @ Json::Object(_)) => vec![object],
            _ => Vec::new(),
        };
        for target in items {
            let push = |list: &mut Vec<Cow<'r, str>>, key| {
                list.extend(field_text(target, key));
            };
            push(&mut targets.types, "type");
            push(&mut targets.names, "displayName");
            push(&mut targets.upns, "userPrincipalName");
            push(&mut targets.ids, "id");
            let modified = target.get_ignore_case("modifiedProperties");
            let modified = modified.and_then(Json::as_array).unwrap_or_default();
            targets.modified.extend(modified.iter());
        }
        targets
    }

    /// The names of the properties changed.
    fn modified_names(&self) -> Vec<&str> {
        let mut names = Vec::new();
        for entry in &self.modified {
            let Some(name) = entry.get_ignore_case("displayName").and_then(Json::as_str) else {
                continue;
            };
            if !name.eq_ignore_ascii_case("Included Updated Properties") {
                names.push(name.trim());
                continue;
            }
            // Its new value lists the names: `"StrongAuthenticationMethod, ..."`.
            let listed = entry.get_ignore_case("newValue").and_then(Json::as_str);
            let listed = listed.unwrap_or("").trim().trim_matches('"');
            names.extend(listed.split(',').map(str::trim).filter(|n| !n.is_empty()));
        }
        names
    }

    fn add_attrs(&self, attrs: &mut Attrs) {
        let lists = [
            ("targetResources.type", &self.types),
            ("targetResources.displayName", &self.names),
            ("targetResources.userPrincipalName", &self.upns),
            ("targetResources.id", &self.ids),
        ];
        for (name, list) in lists {
            if !list.is_empty() {
                attrs.insert(name.to_owned(), list.join(", "));
            }
        }
        let modified = self.modified_names();
        if !modified.is_empty() {
            attrs.insert("modifiedProperties", modified.join(", "));
        }
    }
}

#[cfg(test)]
mod tests;
