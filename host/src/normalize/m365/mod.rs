//! Microsoft 365 unified audit log records to events.
//!
//! [`M365AuditNormalizer`] reads the three shapes the records come in:
//!
//! - JSON from the Management Activity API or `Search-UnifiedAuditLog`
//!   (`CreationTime`, `Operation`, `UserId`, `ClientIP`, `Parameters` as
//!   `[{Name, Value}]`, ...), one object per line or in a JSON array;
//! - the same with lower-case keys: keys match without regard to case;
//! - CSV: Microsoft Sentinel `OfficeActivity` exports (column names such as
//!   `TimeGenerated [UTC]`, times such as `4/28/2021, 9:03:21.000 AM`, JSON
//!   held in string columns such as `Parameters`), and Purview audit search
//!   exports, whose `AuditData` column holds the JSON record.
//!
//! Every record gives one event:
//!
//! - `time`: the record's own time, see "Time" below.
//! - `action`: `Operation`; `kind`: see "Kinds" below.
//! - `outcome`: from `ResultStatus`: success, failure or unknown.
//! - `user`: `UserId`, lower case.
//! - `src_ip`: `ClientIP` (else `ClientIPAddress`, then `ActorIpAddress`)
//!   without brackets, port or `::ffff:`. An address that does not parse
//!   stays in `attrs` under its vendor name; it is not a dead letter.
//! - `user_agent`: `UserAgent`, else the `UserAgent` extended property.
//! - `rule_name`, for inbox rule operations: the `Name` parameter, else the
//!   `RuleName` operation property (`UpdateInboxRules`), else the rule part
//!   of the `Identity` parameter (`AdeleV\rule2` gives `rule2`).
//! - `email_from`, `email_subject`, `message_id`, for mail sent: the
//!   sending mailbox (`SendAsUserSmtp`, `SendOnBehalfOfUserSmtp`,
//!   `MailboxOwnerUPN`, else `UserId`), `Item.Subject`,
//!   `Item.InternetMessageId`.
//! - `file_name`: `SourceFileName`; `url`: `ObjectId` when it is a URL;
//!   `file_visibility`: what a sharing operation made the file.
//! - `attrs`: every `Parameters`, `ExtendedProperties` and
//!   `OperationProperties` entry as `Name` → `Value`; the names of
//!   `ModifiedProperties`, comma-separated; and every other non-empty
//!   vendor field under its vendor name (`Workload`, `RecordType`,
//!   `OrganizationId`, `UserKey`, `UserType`, `ObjectId`, ...). On a clash
//!   of names, parameters win over properties, which win over fields.
//!   Lists of messages (`Folders`, `AffectedItems`) and Sentinel's export
//!   bookkeeping (`TenantId`, `Type`, `_ResourceId`, copies such as
//!   `UserId_`) are left to `raw`.
//! - `raw`: the record's JSON text; for a Sentinel row, a JSON object of
//!   its non-empty columns.
//!
//! Kinds: inbox rule operations (`New-InboxRule`, `Set-InboxRule`,
//! `UpdateInboxRules`, ...) are `mailbox.rule_change`; `UserLoggedIn` and
//! `UserLoginFailed` are `auth.login` and `auth.login_failed`; `Send`,
//! `SendAs`, `SendOnBehalf` are `email.send`; `MailItemsAccessed` is
//! `mailbox.access`; SharePoint and OneDrive file operations are
//! `file.download`, `file.access`, `file.upload` and `file.share`;
//! `Update user.` is `account.change`, or `account.mfa_change` when it
//! touches a `StrongAuthentication*` property, as security-info operations
//! do. Every other operation is `m365.<operation in lower snake case>`
//! (`MoveToDeletedItems` gives `m365.move_to_deleted_items`): detectors can
//! still tell operations apart by kind, and adding a kind later is a change
//! of name, not of meaning.
//!
//! Time: `CreationTime` carries no zone and is UTC (a zone, when present,
//! is honoured). Sentinel's `OfficeActivity` has no `CreationTime`. Its
//! `TimeGenerated` is the record's creation time, one per record; the
//! `Start_Time` and `ElevationTime` columns hold the time of the batch the
//! record was collected in (in `office_activity.csv` they trail
//! `TimeGenerated` by 6 to 14 minutes and are shared by up to 73 records).
//! So the time is `CreationTime`, else `TimeGenerated`, else `Start_Time`
//! (for exports that dropped `TimeGenerated`), else `ElevationTime`.
//!
//! The event id hashes the record's `Id` (Sentinel: `OfficeId`), so one
//! record read from the API and from a Sentinel export gets the same id.
//! A record without a usable `Operation` or time is an error naming the
//! field.

mod fields;
mod kind;
#[doc(hidden)]
pub mod testdata;

use crate::normalize::Attrs;
use std::borrow::Cow;

use self::fields::AuditRecord;
use self::kind::{is_inbox_rule, kind_of, outcome_of, visibility_of};
use crate::normalize::json::Json;
use crate::normalize::values::{canonical_ip, parse_time};
use crate::normalize::{CsvRow, Event, NormalizeError, Normalizer, Record, event_id};

/// The `source` of every event made here.
pub const SOURCE: &str = "m365";

/// Normalizes Microsoft 365 unified audit log records.
#[derive(Debug, Clone, Copy, Default)]
pub struct M365AuditNormalizer;

impl Normalizer for M365AuditNormalizer {
    fn source(&self) -> &'static str {
        SOURCE
    }

    fn normalize(&self, record: &Record<'_>, out: &mut Vec<Event>) -> Result<(), NormalizeError> {
        let event = match record {
            Record::Json(text) => normalize_json(text)?,
            Record::Csv(row) => match row.get("auditdata") {
                Some((_, json)) => normalize_json(json)?,
                None => normalize_csv(row)?,
            },
            Record::ZeekTsv(_) => {
                return Err(NormalizeError::unexpected_shape(
                    record,
                    "Microsoft 365 audit",
                ));
            }
        };
        out.push(event);
        Ok(())
    }
}

/// One JSON audit record to an event.
fn normalize_json(text: &str) -> Result<Event, NormalizeError> {
    let json = Json::parse(text).map_err(|e| NormalizeError::Json {
        message: e.to_string(),
    })?;
    let Some(members) = json.as_object() else {
        return Err(NormalizeError::Json {
            message: format!("expected an object, found {}", json.kind()),
        });
    };
    to_event(AuditRecord::from_json(members), text.trim().to_owned())
}

/// One Sentinel `OfficeActivity` row to an event.
fn normalize_csv(row: &CsvRow<'_>) -> Result<Event, NormalizeError> {
    to_event(AuditRecord::from_csv(row), row.to_json())
}

/// Maps the fields of one record to an event; see the module docs.
fn to_event(record: AuditRecord<'_>, raw: String) -> Result<Event, NormalizeError> {
    let operation = record
        .operation
        .as_deref()
        .map(str::trim)
        .filter(|op| !op.is_empty())
        .ok_or_else(|| NormalizeError::missing("Operation"))?;
    let (time_field, time_text) = record
        .time()
        .ok_or_else(|| NormalizeError::missing("CreationTime"))?;
    let time = parse_time(time_text)
        .ok_or_else(|| NormalizeError::invalid(time_field.as_ref(), "invalid date", time_text))?;

    let modified: Vec<&str> = record.modified.iter().map(AsRef::as_ref).collect();
    let mut attrs = attrs_of(&record);
    let src_ip = client_ip(&record, &mut attrs);
    let kind = kind_of(operation, &modified);
    let rule_name = is_inbox_rule(operation)
        .then(|| rule_name(&record))
        .flatten();
    let mail = kind == "email.send";
    let id = event_id(SOURCE, record.id.as_deref().unwrap_or(&raw));

    Ok(Event {
        event_id: id,
        time,
        source: SOURCE,
        action: Some(operation.to_owned()),
        outcome: outcome_of(operation, record.result_status.as_deref()).map(str::to_owned),
        user: record.user_id.as_deref().map(|u| u.trim().to_lowercase()),
        src_ip,
        user_agent: user_agent(&record),
        url: record
            .object_id
            .as_deref()
            .filter(|o| o.starts_with("https://") || o.starts_with("http://"))
            .map(str::to_owned),
        email_from: mail.then(|| sender(&record)).flatten(),
        email_subject: mail.then(|| own(&record.subject)).flatten(),
        message_id: record.message_id.as_deref().map(str::to_owned),
        rule_name,
        file_name: own(&record.file_name),
        file_visibility: visibility_of(operation, attr(&attrs, "TargetUserOrGroupType"))
            .map(str::to_owned),
        attrs,
        kind,
        raw: Some(raw),
        ..Event::default()
    })
}

fn own(value: &Option<Cow<'_, str>>) -> Option<String> {
    value.as_deref().map(str::to_owned)
}

/// The attributes of an event: vendor fields, then properties, then
/// parameters, later ones winning a clash of names.
fn attrs_of(record: &AuditRecord<'_>) -> Attrs {
    let mut attrs: Attrs = record
        .attrs
        .iter()
        .chain(&record.properties)
        .chain(&record.parameters)
        .map(|(name, value)| (name.to_string(), value.to_string()))
        .collect();
    if let Some(id) = &record.object_id {
        attrs.insert("ObjectId", id.to_string());
    }
    if !record.modified.is_empty() {
        attrs.insert("ModifiedProperties", record.modified.join(", "));
    }
    attrs
}

fn attr<'m>(attrs: &'m Attrs, name: &str) -> Option<&'m str> {
    attrs.get(name).map(String::as_str)
}

/// The first client address that parses, in canonical form. Addresses
/// that do not parse, and the ones not chosen, are kept in `attrs` under
/// their vendor names.
fn client_ip(record: &AuditRecord<'_>, attrs: &mut Attrs) -> Option<String> {
    let mut chosen = None;
    for (name, value) in record.client_ips.iter().flatten() {
        match canonical_ip(value) {
            Some(ip) if chosen.is_none() => chosen = Some(ip),
            _ => {
                attrs.insert(name.to_string(), value.to_string());
            }
        }
    }
    chosen
}

fn user_agent(record: &AuditRecord<'_>) -> Option<String> {
    record
        .user_agent
        .as_deref()
        .or_else(|| property(&record.properties, "UserAgent"))
        .map(str::to_owned)
}

/// The rule an inbox rule operation is about.
fn rule_name(record: &AuditRecord<'_>) -> Option<String> {
    if let Some(name) = property(&record.parameters, "Name") {
        return Some(name.to_owned());
    }
    if let Some(name) = property(&record.properties, "RuleName") {
        return Some(name.to_owned());
    }
    // `Set-InboxRule -Identity 'AdeleV\rule2'`: the rule after the mailbox.
    let identity = property(&record.parameters, "Identity")?;
    let rule = identity.rsplit('\\').next().unwrap_or(identity);
    Some(rule.to_owned())
}

/// The sending address of a mail operation, lower case.
fn sender(record: &AuditRecord<'_>) -> Option<String> {
    [
        &record.send_as,
        &record.send_on_behalf,
        &record.mailbox_owner,
        &record.user_id,
    ]
    .into_iter()
    .find_map(|v| v.as_deref())
    .map(|v| v.trim().to_lowercase())
}

/// The value of a `Name` → `Value` entry, by name without regard to case.
fn property<'r>(pairs: &'r [fields::Named<'_>], name: &str) -> Option<&'r str> {
    pairs
        .iter()
        .find(|(n, _)| n.eq_ignore_ascii_case(name))
        .map(|(_, v)| v.as_ref())
}

#[cfg(test)]
mod tests;
