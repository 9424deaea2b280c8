//! Microsoft Defender XDR advanced hunting email records to events.
//!
//! The records reach here through
//! [`AzureDiagnosticNormalizer`](crate::normalize::AzureDiagnosticNormalizer):
//! streaming API records `{time, tenantId, category:
//! "AdvancedHunting-<Table>", properties}` whose `properties` hold one row
//! of the table, or Sentinel CSV rows of the same tables. Field names are
//! the tables' own (PascalCase) and so are attribute names. Every event
//! has `source` `defender`; the three tables join on `NetworkMessageId`,
//! which every event keeps as an attribute.
//!
//! `EmailEvents`, one row per message and recipient, is `email.message`:
//!
//! - `email_from`: `SenderFromAddress` (else `SenderMailFromAddress`),
//!   `email_to`: `RecipientEmailAddress`, both lower case;
//!   `email_subject`: `Subject`; `message_id`: `InternetMessageId`;
//!   `domain`: `SenderFromDomain`, lower case.
//! - `user`: the recipient for inbound mail, the sender for outbound and
//!   intra-org mail (`EmailDirection`): the account the message is about
//!   when it arrives, the account that acted when it leaves.
//! - `action`: `DeliveryAction` (Delivered, Junked, Blocked, Replaced).
//! - `attrs`: every other field, among them `NetworkMessageId`,
//!   `EmailDirection`, `DeliveryLocation`, `ThreatTypes`, `UrlCount` and
//!   the relaying server's `SenderIPv4`/`SenderIPv6` (kept out of
//!   `src_ip`, which is the acting user's address elsewhere).
//!
//! `EmailUrlInfo`, one row per URL in a message, is `email.url`: `url`:
//! `Url`; `domain`: `UrlDomain` (else the URL's host), lower case;
//! attributes `NetworkMessageId`, `UrlLocation`, `ReportId`.
//!
//! `UrlClickEvents`, one row per Safe Links click, is `email.url_click`:
//! `user`: `AccountUpn`, lower case; `url`: `Url`; `domain`: the URL's
//! host; `src_ip`: `IPAddress`; `action`: `ActionType` (ClickAllowed,
//! ClickBlocked, ...); `outcome`: `success` when the user reached the
//! URL (`ClickAllowed`, or `IsClickedThrough` true), else `failure` for a
//! blocked click; attributes `IsClickedThrough`, `NetworkMessageId`,
//! `ThreatTypes`, `Workload`, `UrlChain`, ...
//!
//! Time: `Timestamp`, else the envelope's `time` (when Defender received
//! the row), else `TimeGenerated`. Required: `NetworkMessageId` for a
//! message, `Url` for the other two. The event id hashes the table,
//! `ReportId`, the time and the row's recipient, URL or account, so one
//! row read from the streaming API and from Sentinel gets one id; a row
//! without `ReportId` is keyed by its raw text.

use crate::normalize::Attrs;
use std::borrow::Cow;

use crate::normalize::azure::{DiagnosticRecord, Naming, event_time, pick_ip};
use crate::normalize::{Event, NormalizeError, event_id};

/// The `source` of every event made here.
pub const SOURCE: &str = "defender";

/// Fields of the row's own time, best first.
const TIME_KEYS: [&str; 3] = ["Timestamp", "time", "TimeGenerated"];

/// Envelope fields every table leaves out of `attrs`: mapped, or telling
/// nothing the kind does not (`category`, `operationName` `Publish`).
const ENVELOPE_SKIP: [&str; 5] = [
    "timestamp",
    "time",
    "timegenerated",
    "category",
    "operationname",
];

/// A Defender XDR email table.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EmailTable {
    /// Messages, per recipient: `email.message`.
    EmailEvents,
    /// URLs in messages: `email.url`.
    EmailUrlInfo,
    /// Safe Links clicks: `email.url_click`.
    UrlClickEvents,
}

/// One row of an email table to an event; see the module docs.
///
/// # Errors
///
/// When the time or the table's required field is missing, or the time
/// does not parse.
pub(crate) fn email_event(
    table: EmailTable,
    record: &DiagnosticRecord<'_, '_>,
    raw: String,
) -> Result<Event, NormalizeError> {
    let mut event = match table {
        EmailTable::EmailEvents => message(record)?,
        EmailTable::EmailUrlInfo => url_row(record)?,
        EmailTable::UrlClickEvents => click(record)?,
    };
    event.time = event_time(record, &TIME_KEYS, &mut event.attrs)?;
    event.event_id = row_id(table, record, &event, &raw);
    event.source = SOURCE;
    event.raw = Some(raw);
    Ok(event)
}

/// The vendor fields but `mapped` (lower case), as attributes.
fn attrs(record: &DiagnosticRecord<'_, '_>, mapped: &[&str]) -> Attrs {
    let skip: Vec<&str> = ENVELOPE_SKIP.iter().chain(mapped).copied().collect();
    record.attrs(&skip, &[], Naming::AsIs)
}

fn required<'r>(
    record: &DiagnosticRecord<'r, '_>,
    key: &str,
) -> Result<Cow<'r, str>, NormalizeError> {
    record.text(key).ok_or_else(|| NormalizeError::missing(key))
}

fn lower(text: Option<Cow<'_, str>>) -> Option<String> {
    text.map(|t| t.to_lowercase())
}

/// An `EmailEvents` row.
fn message(record: &DiagnosticRecord<'_, '_>) -> Result<Event, NormalizeError> {
    required(record, "NetworkMessageId")?;
    let mapped = [
        "senderfromaddress",
        "recipientemailaddress",
        "subject",
        "internetmessageid",
        "deliveryaction",
    ];
    let from = lower(record.text_of(&["SenderFromAddress", "SenderMailFromAddress"]));
    let to = lower(record.text("RecipientEmailAddress"));
    let direction = record.text("EmailDirection");
    let outgoing = direction
        .is_some_and(|d| d.eq_ignore_ascii_case("Outbound") || d.eq_ignore_ascii_case("Intra-org"));
    Ok(Event {
        kind: "email.message".into(),
        action: record.text("DeliveryAction").map(Cow::into_owned),
        user: if outgoing { from.clone() } else { to.clone() },
        domain: lower(record.text("SenderFromDomain")),
        email_from: from,
        email_to: to.into_iter().collect(),
        email_subject: record.text("Subject").map(Cow::into_owned),
        message_id: record.text("InternetMessageId").map(Cow::into_owned),
        attrs: attrs(record, &mapped),
        ..Event::default()
    })
}

/// An `EmailUrlInfo` row.
fn url_row(record: &DiagnosticRecord<'_, '_>) -> Result<Event, NormalizeError> {
    let url = required(record, "Url")?;
    let domain = lower(record.text("UrlDomain")).or_else(|| url_host(&url));
    Ok(Event {
        kind: "email.url".into(),
        domain,
        url: Some(url.into_owned()),
        attrs: attrs(record, &["url", "urldomain"]),
        ..Event::default()
    })
}

/// A `UrlClickEvents` row.
fn click(record: &DiagnosticRecord<'_, '_>) -> Result<Event, NormalizeError> {
    let url = required(record, "Url")?;
    let mut attrs = attrs(record, &["url", "accountupn", "ipaddress", "actiontype"]);
    let src_ip = pick_ip([("IPAddress", record.text("IPAddress"))], &mut attrs);
    let action = record.text("ActionType");
    let through = record.text("IsClickedThrough");
    let through = through.is_some_and(|t| t.eq_ignore_ascii_case("true") || t == "1");
    let outcome = match action.as_deref() {
        _ if through => "success",
        Some(a) if a.eq_ignore_ascii_case("ClickAllowed") => "success",
        Some(a) if a.to_ascii_lowercase().starts_with("clickblocked") => "failure",
        _ => "unknown",
    };
    Ok(Event {
        kind: "email.url_click".into(),
        action: action.map(Cow::into_owned),
        outcome: Some(outcome.into()),
        user: lower(record.text("AccountUpn")),
        src_ip,
        domain: url_host(&url),
        url: Some(url.into_owned()),
        attrs,
        ..Event::default()
    })
}

/// The event id of a row: see the module docs.
fn row_id(table: EmailTable, record: &DiagnosticRecord<'_, '_>, e: &Event, raw: &str) -> String {
    let Some(report) = record.text("ReportId") else {
        return event_id(SOURCE, raw);
    };
    let row = match table {
        EmailTable::EmailEvents => e.email_to.first().cloned().unwrap_or_default(),
        EmailTable::EmailUrlInfo => e.url.clone().unwrap_or_default(),
        EmailTable::UrlClickEvents => {
            format!(
                "{}\0{}",
                e.user.as_deref().unwrap_or(""),
                e.url.as_deref().unwrap_or("")
            )
        }
    };
    event_id(SOURCE, &format!("{table:?}\0{report}\0{}\0{row}", e.time))
}

/// The host of a URL, lower case, without port or user info; `None` when
/// there is none.
fn url_host(url: &str) -> Option<String> {
    let rest = url.trim();
    let rest = rest.split_once("://").map_or(rest, |(_, r)| r);
    let authority = rest.split(['/', '?', '#']).next().unwrap_or("");
    let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = match host.strip_prefix('[') {
        Some(v6) => v6.split_once(']').map_or(v6, |(h, _)| h),
        None => host.split(':').next().unwrap_or(""),
    };
    let host = host.trim_end_matches('.');
    (!host.is_empty()).then(|| host.to_ascii_lowercase())
}

#[cfg(test)]
mod tests;
