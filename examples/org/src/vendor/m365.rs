//! Microsoft 365 unified audit log records in the Management Activity
//! API's shape, one JSON object per line.

use serde_json::{Value, json};

use super::entra::TENANT;
use crate::logs::{Micros, format_time};

const TIME: &str = "%Y-%m-%dT%H:%M:%S";

fn record(time: Micros, id: &str, operation: &str, upn: &str, ip: &str, rest: Value) -> String {
    let mut record = json!({
        "CreationTime": format_time(time, TIME), "Id": id, "Operation": operation,
        "OrganizationId": TENANT, "UserType": 0, "Version": 1, "UserId": upn,
        "UserKey": upn, "ClientIP": ip
    });
    if let (Value::Object(record), Value::Object(rest)) = (&mut record, rest) {
        record.extend(rest);
    }
    record.to_string()
}

/// `Send`: `upn` sent a message.
pub fn send(
    time: Micros,
    id: &str,
    upn: &str,
    ip: &str,
    internet_id: &str,
    subject: &str,
) -> String {
    record(
        time,
        id,
        "Send",
        upn,
        ip,
        json!({
            "RecordType": 2, "ResultStatus": "Succeeded", "Workload": "Exchange",
            "ClientInfoString": "Client=OWA;Action=ViaProxy", "LogonType": 0,
            "MailboxOwnerUPN": upn, "ExternalAccess": false,
            "Item": {"InternetMessageId": internet_id, "Subject": subject, "SizeInBytes": 18093}
        }),
    )
}

/// `MailItemsAccessed`: `upn`'s mail client synchronised the inbox.
pub fn mail_accessed(time: Micros, id: &str, upn: &str, ip: &str) -> String {
    record(
        time,
        id,
        "MailItemsAccessed",
        upn,
        ip,
        json!({
            "RecordType": 50, "ResultStatus": "Succeeded", "Workload": "Exchange",
            "ClientInfoString": "Client=OWA;Action=ViaProxy", "LogonType": 0,
            "MailboxOwnerUPN": upn, "ExternalAccess": false,
            "OperationProperties": [{"Name": "MailAccessType", "Value": "Sync"}],
            "Folders": [{"Path": "\\Inbox"}]
        }),
    )
}

/// `New-InboxRule` with `parameters` (name, value) in Exchange's order.
pub fn new_inbox_rule(
    time: Micros,
    id: &str,
    upn: &str,
    ip: &str,
    parameters: &[(&str, &str)],
) -> String {
    let name = parameters
        .iter()
        .find(|(k, _)| *k == "Name")
        .map_or("", |(_, v)| *v);
    let parameters: Vec<Value> = parameters
        .iter()
        .map(|(k, v)| json!({"Name": k, "Value": v}))
        .collect();
    record(
        time,
        id,
        "New-InboxRule",
        upn,
        ip,
        json!({
            "RecordType": 1, "ResultStatus": "True", "Workload": "Exchange",
            "ObjectId": format!("NAMPR04A001.prod.outlook.com/Microsoft Exchange Hosted Organizations/contoso.onmicrosoft.com/{upn}\\{name}"),
            "OrganizationName": "contoso.onmicrosoft.com", "ExternalAccess": false,
            "Parameters": parameters
        }),
    )
}
