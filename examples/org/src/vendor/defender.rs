//! Microsoft Defender XDR email tables (`EmailEvents`, `EmailUrlInfo`,
//! `UrlClickEvents`) as streamed to Azure: diagnostic records whose
//! `category` is `AdvancedHunting-<Table>`, one JSON object per line.

use serde_json::{Value, json};

use super::entra::TENANT;
use crate::logs::{Micros, format_time};

const TIME: &str = "%Y-%m-%dT%H:%M:%S%.6f0Z";

/// One message to one recipient.
pub struct Message<'a> {
    /// When it was delivered.
    pub time: Micros,
    /// Defender's id of the message, shared by its rows in every table.
    pub network_id: &'a str,
    /// `Internet-Message-Id` header.
    pub internet_id: &'a str,
    /// Sender address.
    pub from: &'a str,
    /// Recipient address.
    pub to: &'a str,
    /// Subject line.
    pub subject: &'a str,
    /// `Inbound`, `Outbound` or `Intra-org`.
    pub direction: &'a str,
    /// The sending server's address.
    pub sender_ip: &'a str,
    /// Links in the body.
    pub urls: usize,
    /// `Phish`, `Malware`, `Spam` or empty.
    pub threats: &'a str,
}

fn record(time: Micros, table: &str, row: Value) -> String {
    json!({
        "time": format_time(time, TIME), "tenantId": TENANT, "operationName": "Publish",
        "category": format!("AdvancedHunting-{table}"), "properties": row
    })
    .to_string()
}

/// The `EmailEvents` row of the message.
pub fn message(m: &Message<'_>) -> String {
    let domain = m.from.split('@').nth(1).unwrap_or_default();
    let location = if m.direction == "Outbound" {
        "Dropped"
    } else {
        "Inbox/folder"
    };
    record(
        m.time,
        "EmailEvents",
        json!({
            "Timestamp": format_time(m.time, TIME), "NetworkMessageId": m.network_id,
            "InternetMessageId": m.internet_id, "SenderFromAddress": m.from,
            "SenderMailFromAddress": m.from, "SenderFromDomain": domain,
            "SenderIPv4": m.sender_ip, "RecipientEmailAddress": m.to, "Subject": m.subject,
            "EmailDirection": m.direction, "DeliveryAction": "Delivered",
            "DeliveryLocation": location, "ThreatTypes": m.threats, "UrlCount": m.urls,
            "AttachmentCount": 0, "ReportId": format!("{}-{}", m.network_id, m.to)
        }),
    )
}

/// An `EmailUrlInfo` row: a link of message `network_id`, shown as
/// `text`.
pub fn url(time: Micros, network_id: &str, url: &str, text: &str) -> String {
    let host = url.split('/').nth(2).unwrap_or_default();
    record(
        time,
        "EmailUrlInfo",
        json!({
            "Timestamp": format_time(time, TIME), "NetworkMessageId": network_id,
            "Url": url, "UrlDomain": host, "UrlLocation": "Body", "UrlText": text,
            "ReportId": format!("{network_id}-{url}")
        }),
    )
}

/// A `UrlClickEvents` row: `upn` clicked `url` of message `network_id`
/// from `ip`, and Safe Links let the click through.
pub fn click(time: Micros, network_id: &str, url: &str, upn: &str, ip: &str) -> String {
    record(
        time,
        "UrlClickEvents",
        json!({
            "Timestamp": format_time(time, TIME), "Url": url, "ActionType": "ClickAllowed",
            "AccountUpn": upn, "Workload": "Email", "NetworkMessageId": network_id,
            "IPAddress": ip, "IsClickedThrough": true,
            "ReportId": format!("{network_id}-{upn}-{time}")
        }),
    )
}
