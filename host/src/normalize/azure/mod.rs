//! Azure Monitor diagnostic records to events: Entra ID sign-in and audit
//! logs, and Defender XDR advanced hunting email tables.
//!
//! Entra ID diagnostic settings and the Defender XDR streaming API write
//! records of one shape, `{time, category, operationName, properties,
//! ...}`, to an Event Hub or a storage account, and one exported file may
//! mix categories. [`AzureDiagnosticNormalizer`] reads such records (JSON
//! lines, an array, or `{"records": [...]}` wrappers as Event Hubs sends
//! them) and Microsoft Sentinel CSV exports of the same tables, and hands
//! each record to the mapping of its table:
//!
//! | category (JSON) or `Type` (Sentinel CSV) | mapping | kinds |
//! |---|---|---|
//! | `SignInLogs`, `NonInteractiveUserSignInLogs`, `ServicePrincipalSignInLogs`, `ManagedIdentitySignInLogs` (Sentinel: `SigninLogs`, `AAD...SignInLogs`) | [`crate::normalize::entra`] sign-ins | `auth.login`, `auth.login_failed` |
//! | `AuditLogs` | [`crate::normalize::entra`] audit | `account.mfa_change`, `account.change`, `directory.<operation>` |
//! | `AdvancedHunting-EmailEvents` (Sentinel: `EmailEvents`) | [`crate::normalize::defender`] | `email.message` |
//! | `AdvancedHunting-EmailUrlInfo` | [`crate::normalize::defender`] | `email.url` |
//! | `AdvancedHunting-UrlClickEvents` | [`crate::normalize::defender`] | `email.url_click` |
//!
//! Category names match without regard to case. A record whose category
//! is none of these is read by its shape: `operationName` `Sign-in
//! activity` is a sign-in, and `activityDisplayName`, `initiatedBy` or
//! `targetResources` make an audit record (some tools put the audit
//! record's own category, such as `Policy`, in the envelope). A CSV
//! without `Type` or `Category` is read by its columns. Anything else is
//! an error naming the category: other Defender tables
//! (`AdvancedHunting-DeviceEvents`, ...) are not supported yet.
//!
//! `properties` must be an object; a record without it, or with another
//! value there, is an error. A CSV row is read as one level (see
//! `record.rs`): `LocationDetails_dynamic` is the sign-in's `location`,
//! `InitiatedBy` the audit record's `initiatedBy`, and so on.
//!
//! Time: each mapping takes the activity's own time from `properties`
//! (`createdDateTime`, `activityDateTime`, `Timestamp`), else the
//! envelope's `time`, else Sentinel's `TimeGenerated`. Some Sentinel
//! hunting exports project every time column away (`AuditLogs_Hunting.csv`
//! of the Sentinel training lab has none): their rows are still events,
//! with time 0 (1970-01-01) and the attribute `time_missing` saying so,
//! rather than dead letters, since what they record did happen and the
//! rest of the row is usable. A record that has a time column but no value
//! in it, or a value that does not parse, is an error.
//!
//! `raw` is the record's JSON text (one item of a `records` wrapper), or
//! for a CSV row a JSON object of its non-empty columns.

mod record;
#[doc(hidden)]
pub mod testdata;

use crate::normalize::Attrs;
use std::borrow::Cow;

pub(crate) use self::record::{DiagnosticRecord, Naming, field_text, pick_ip};
use self::record::{csv_members, find};
use crate::normalize::defender::{self, EmailTable};
use crate::normalize::entra;
use crate::normalize::json::Json;
use crate::normalize::{CsvRow, Event, NormalizeError, Normalizer, Record, TIME_MISSING};

/// The `source` this normalizer reports; each event's own `source` is
/// that of its table: `entra` or `defender`.
pub const SOURCE: &str = "azure";

/// Normalizes Azure Monitor diagnostic records and Sentinel exports of
/// Entra ID and Defender tables, dispatching on the record's category.
#[derive(Debug, Clone, Copy, Default)]
pub struct AzureDiagnosticNormalizer;

impl Normalizer for AzureDiagnosticNormalizer {
    fn source(&self) -> &'static str {
        SOURCE
    }

    fn normalize(&self, record: &Record<'_>, out: &mut Vec<Event>) -> Result<(), NormalizeError> {
        let event = match record {
            Record::Json(text) => normalize_json(text)?,
            Record::Csv(row) => normalize_csv(row)?,
            Record::ZeekTsv(_) => {
                return Err(NormalizeError::unexpected_shape(record, "Azure diagnostic"));
            }
        };
        out.push(event);
        Ok(())
    }
}

/// The table a record belongs to, and so its mapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Table {
    /// Entra ID sign-ins of any kind.
    SignIn,
    /// Entra ID audit log.
    Audit,
    /// A Defender XDR email table.
    Email(EmailTable),
}

impl Table {
    /// The table of a category or Sentinel table name.
    fn from_name(name: &str) -> Option<Table> {
        let name = name.trim().to_ascii_lowercase();
        let name = name.strip_prefix("advancedhunting-").unwrap_or(&name);
        let name = name.strip_prefix("aad").unwrap_or(name);
        let table = match name {
            "signinlogs"
            | "noninteractiveusersigninlogs"
            | "serviceprincipalsigninlogs"
            | "managedidentitysigninlogs" => Table::SignIn,
            "auditlogs" => Table::Audit,
            "emailevents" => Table::Email(EmailTable::EmailEvents),
            "emailurlinfo" => Table::Email(EmailTable::EmailUrlInfo),
            "urlclickevents" => Table::Email(EmailTable::UrlClickEvents),
            _ => return None,
        };
        Some(table)
    }

    /// The table a record's fields point to, when its category does not
    /// name one.
    fn from_shape(record: &DiagnosticRecord<'_, '_>) -> Option<Table> {
        let has = |key: &str| record.get(key).is_some();
        let operation = record.text("operationName");
        if operation.is_some_and(|op| op.eq_ignore_ascii_case("Sign-in activity")) {
            return Some(Table::SignIn);
        }
        if has("activityDisplayName") || has("initiatedBy") || has("targetResources") {
            return Some(Table::Audit);
        }
        if has("userPrincipalName") && (has("status") || has("resultType")) {
            return Some(Table::SignIn);
        }
        let email = if has("SenderFromAddress") || has("RecipientEmailAddress") {
            EmailTable::EmailEvents
        } else if has("UrlDomain") {
            EmailTable::EmailUrlInfo
        } else if has("AccountUpn") && has("Url") {
            EmailTable::UrlClickEvents
        } else {
            return None;
        };
        Some(Table::Email(email))
    }

    /// The table of a record whose category (or Sentinel `Type`) is
    /// `name`.
    ///
    /// # Errors
    ///
    /// When neither the name nor the record's fields tell a supported
    /// table.
    fn of(
        name: Option<(&str, Cow<'_, str>)>,
        record: &DiagnosticRecord<'_, '_>,
    ) -> Result<Table, NormalizeError> {
        if let Some(table) = name.as_ref().and_then(|(_, n)| Table::from_name(n)) {
            return Ok(table);
        }
        Table::from_shape(record).ok_or_else(|| match name {
            Some((field, value)) => NormalizeError::invalid(field, "unsupported category", &value),
            None => NormalizeError::missing("category"),
        })
    }

    /// Maps `record` with this table's mapping.
    fn to_event(
        self,
        record: &DiagnosticRecord<'_, '_>,
        raw: String,
    ) -> Result<Event, NormalizeError> {
        match self {
            Table::SignIn => entra::signin_event(record, raw),
            Table::Audit => entra::audit_event(record, raw),
            Table::Email(table) => defender::email_event(table, record, raw),
        }
    }
}

/// One diagnostic record's JSON text to an event.
fn normalize_json(text: &str) -> Result<Event, NormalizeError> {
    let json = Json::parse(text).map_err(|e| NormalizeError::Json {
        message: e.to_string(),
    })?;
    let Some(envelope) = json.as_object() else {
        return Err(NormalizeError::Json {
            message: format!("expected an object, found {}", json.kind()),
        });
    };
    let properties = match find(envelope, "properties") {
        Some(Json::Object(properties)) => properties.as_slice(),
        Some(other) => {
            let text = other
                .text()
                .map_or_else(|| json_text(other), Cow::into_owned);
            return Err(NormalizeError::invalid(
                "properties",
                "expected an object",
                &text,
            ));
        }
        None => return Err(NormalizeError::missing("properties")),
    };
    let record = DiagnosticRecord {
        envelope,
        properties,
        header: None,
    };
    let category = find(envelope, "category").and_then(Json::text);
    let table = Table::of(category.map(|c| ("category", c)), &record)?;
    table.to_event(&record, text.trim().to_owned())
}

/// A value as compact JSON, for messages.
fn json_text(value: &Json<'_>) -> String {
    serde_json::to_string(value).unwrap_or_default()
}

/// One Sentinel CSV row to an event.
fn normalize_csv(row: &CsvRow<'_>) -> Result<Event, NormalizeError> {
    let members = csv_members(row);
    let record = DiagnosticRecord {
        envelope: &[],
        properties: &members,
        header: Some(row.header),
    };
    let name = match (row.get("type"), row.get("category")) {
        (Some((column, table)), _) if Table::from_name(table).is_some() => Some((column, table)),
        (_, Some(category)) => Some(category),
        (other, None) => other,
    };
    let table = Table::of(name.map(|(c, n)| (c, Cow::Borrowed(n))), &record)?;
    table.to_event(&record, row.to_json())
}

/// The time of a record from the first of `keys`, with the attribute
/// that marks a time missing from the export (see the module docs).
///
/// # Errors
///
/// As [`DiagnosticRecord::time`].
pub(crate) fn event_time(
    record: &DiagnosticRecord<'_, '_>,
    keys: &[&str],
    attrs: &mut Attrs,
) -> Result<i64, NormalizeError> {
    match record.time(keys)? {
        Some(time) => Ok(time),
        None => {
            attrs.insert(
                TIME_MISSING,
                format!("the export has no time column ({})", keys.join(", ")),
            );
            Ok(0)
        }
    }
}

#[cfg(test)]
pub(crate) mod tests;
