//! Synthetic Entra ID records, for benchmarks and tests.
//!
//! Deterministic: record `i` is always the same text. Sign-ins mix
//! interactive, non-interactive and service principal ones, a tenth of
//! them failed; audit records mix security-info registrations, user
//! updates by the MFA service, role and application changes and
//! conditional access policy updates. The Sentinel CSV rows carry the
//! `SigninLogs` columns a detector reads.

use std::io::{self, Write};

use crate::normalize::synthetic::mix;
use serde_json::{Value, json};

/// 2024-03-01T00:00:00Z in seconds.
const START: i64 = 1_709_251_200;

const TENANT: &str = "2ad3fc79-1859-42fa-9011-6f8df2251b22";

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

const APPS: [&str; 4] = [
    "OfficeHome",
    "Microsoft Teams",
    "Azure Portal",
    "Office 365 Exchange Online",
];

const PLACES: [(&str, &str, &str, f64, f64); 4] = [
    ("Redmond", "Washington", "US", 47.674, -122.1215),
    ("New York", "New York", "US", 40.7128, -74.006),
    ("Amsterdam", "Noord-Holland", "NL", 52.374, 4.8897),
    ("Azor", "Tel Aviv", "IL", 32.0296, 34.7996),
];

const AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36 Edg/122.0.0.0";

fn pick<T: Copy>(items: &[T], r: u64) -> T {
    items[(r % items.len() as u64) as usize]
}

/// The time of record `i`: four records a second from [`START`].
fn time(i: u64, format: &str) -> String {
    let secs = START + i64::try_from(i / 4).unwrap_or(i64::MAX);
    chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format(format)
        .to_string()
}

fn ip(r: u64) -> String {
    let [a, b, c, d, ..] = r.to_le_bytes();
    if r.is_multiple_of(10) {
        format!("2a01:110:8068:7:9bf8:{a:x}{b:02x}:{c:x}:{d:x}")
    } else {
        format!("{}.{b}.{c}.{d}", 20 + a % 200)
    }
}

fn guid(r: u64, i: u64) -> String {
    format!(
        "{:08x}-{:04x}-4c2a-9503-{:012x}",
        r as u32,
        (r >> 32) as u16,
        i
    )
}

/// The diagnostic envelope around `properties`.
fn envelope(i: u64, category: &str, operation: &str, ip: &str, properties: Value) -> Value {
    json!({
        "time": time(i, "%Y-%m-%dT%H:%M:%S.0000000Z"),
        "resourceId": format!("/tenants/{TENANT}/providers/Microsoft.aadiam"),
        "operationName": operation, "operationVersion": "1.0", "category": category,
        "tenantId": TENANT, "resultSignature": "None", "durationMs": 0,
        "callerIpAddress": ip, "correlationId": guid(mix(i ^ 0xc0), i), "Level": 4,
        "properties": properties
    })
}

/// Sign-in record number `i` as one line of diagnostic JSON.
pub fn signin_record(i: u64) -> String {
    let r = mix(i);
    let user = pick(&USERS, r);
    let (city, state, country, lat, lon) = pick(&PLACES, r >> 8);
    let address = ip(r >> 16);
    let failed = (r >> 40).is_multiple_of(10);
    let code = if failed { 50126 } else { 0 };
    let category = pick(
        &[
            "SignInLogs",
            "SignInLogs",
            "NonInteractiveUserSignInLogs",
            "ServicePrincipalSignInLogs",
        ],
        r >> 44,
    );
    let mut status = json!({"errorCode": code});
    if failed {
        status["failureReason"] =
            "Error validating credentials due to invalid username or password.".into();
    }
    let properties = json!({
        "id": guid(r, i), "createdDateTime": time(i, "%Y-%m-%dT%H:%M:%S.0000000+00:00"),
        "userDisplayName": user.split('@').next(), "userPrincipalName": user,
        "userId": guid(r >> 3, 7), "appId": guid(r >> 5, 3), "appDisplayName": pick(&APPS, r >> 24),
        "ipAddress": address, "status": status, "clientAppUsed": "Browser", "userAgent": AGENT,
        "deviceDetail": {"deviceId": "", "displayName": format!("LAPTOP-{:04X}", r as u16),
                         "operatingSystem": "Windows 10", "browser": "Edge 122.0.0",
                         "isCompliant": false, "isManaged": false, "trustType": ""},
        "location": {"city": city, "state": state, "countryOrRegion": country,
                     "geoCoordinates": {"altitude": null, "latitude": lat, "longitude": lon}},
        "mfaDetail": {"authMethod": "Mobile app notification", "authDetail": null},
        "correlationId": guid(mix(i ^ 0xc0), i), "conditionalAccessStatus": "success",
        "appliedConditionalAccessPolicies": [],
        "authenticationRequirement": "multiFactorAuthentication",
        "isInteractive": category == "SignInLogs", "riskDetail": "none",
        "riskLevelAggregated": "none", "riskLevelDuringSignIn": "none", "riskState": "none",
        "riskEventTypes_v2": [], "resourceDisplayName": "Office 365 Exchange Online",
        "resourceId": "00000002-0000-0ff1-ce00-000000000000", "tokenIssuerType": "AzureAD",
        "processingTimeInMilliseconds": 110, "uniqueTokenIdentifier": format!("{r:016x}"),
        "authenticationProtocol": "none", "crossTenantAccessType": "none"
    });
    envelope(i, category, "Sign-in activity", &address, properties).to_string()
}

/// Audit record number `i` as one line of diagnostic JSON.
pub fn audit_record(i: u64) -> String {
    let r = mix(i ^ 0xa0d1);
    let user = pick(&USERS, r);
    let address = ip(r >> 16);
    let operations = [
        (
            "User registered security info",
            "UserManagement",
            "Authentication Methods",
        ),
        ("Update user", "UserManagement", "Core Directory"),
        ("Add member to role", "RoleManagement", "Core Directory"),
        (
            "Update application – Certificates and secrets management",
            "ApplicationManagement",
            "Core Directory",
        ),
        (
            "Update conditional access policy",
            "Policy",
            "Conditional Access",
        ),
    ];
    let (operation, category, service) = pick(&operations, r >> 8);
    let initiated = if operation == "Update user" {
        json!({"app": {"appId": null, "displayName": "Azure MFA StrongAuthenticationService",
                       "servicePrincipalId": guid(r >> 4, 1), "servicePrincipalName": null}})
    } else {
        json!({"user": {"id": guid(r >> 3, 7), "displayName": null, "userPrincipalName": user,
                        "ipAddress": address, "roles": []}})
    };
    let modified = match operation {
        "Update user" => json!([
            {"displayName": "StrongAuthenticationPhoneAppDetail", "oldValue": "[]",
             "newValue": "[{\"DeviceName\":\"iPhone\",\"DeviceToken\":\"abc\"}]"},
            {"displayName": "Included Updated Properties", "oldValue": null,
             "newValue": "\"StrongAuthenticationPhoneAppDetail\""}
        ]),
        "Update conditional access policy" => json!([
            {"displayName": "ConditionalAccessPolicy",
             "oldValue": "{\"state\":\"enabled\",\"grantControls\":{\"operator\":\"OR\",\"builtInControls\":[\"mfa\"]}}",
             "newValue": "{\"state\":\"enabled\",\"grantControls\":null}"}
        ]),
        _ => json!([]),
    };
    let properties = json!({
        "id": format!("Directory_{}_{:05X}", guid(r, i), i % 0xfffff), "category": category,
        "correlationId": guid(mix(i ^ 0xc0), i), "result": "success", "resultReason": "",
        "activityDisplayName": operation,
        "activityDateTime": time(i, "%Y-%m-%dT%H:%M:%S.0000000+00:00"),
        "loggedByService": service, "operationType": "Update", "userAgent": null,
        "initiatedBy": initiated,
        "targetResources": [{"id": guid(r >> 6, 2), "displayName": null, "type": "User",
                             "userPrincipalName": user, "modifiedProperties": modified,
                             "administrativeUnits": []}],
        "additionalDetails": [{"key": "User-Agent", "value": AGENT}]
    });
    envelope(i, "AuditLogs", operation, &address, properties).to_string()
}

/// Defender email record number `i` as one line of streaming JSON: an
/// `EmailEvents` message, one of its `EmailUrlInfo` links, or (one in
/// ten) a `UrlClickEvents` click.
pub fn email_record(i: u64) -> String {
    let r = mix(i);
    let user = pick(&USERS, r).to_lowercase();
    let message = guid(mix(i / 3), i / 3);
    let sender = format!("news@sender{}.example", (r >> 8) % 500);
    let url = format!("https://link{}.example/view?id={i}", (r >> 20) % 2000);
    let at = time(i, "%Y-%m-%dT%H:%M:%S.0000000Z");
    let (table, row) = match i % 3 {
        0 => (
            "EmailEvents",
            json!({
                "Timestamp": at, "NetworkMessageId": message,
                "InternetMessageId": format!("<{i}@sender.example>"),
                "SenderFromAddress": sender, "SenderFromDomain": sender.split('@').nth(1),
                "RecipientEmailAddress": user, "Subject": "Your March statement",
                "EmailDirection": "Inbound", "DeliveryAction": "Delivered",
                "DeliveryLocation": "Inbox/folder", "UrlCount": 1,
                "SenderIPv4": ip(r >> 24), "ReportId": format!("{message}-{i}")
            }),
        ),
        1 if (r >> 32).is_multiple_of(10) => (
            "UrlClickEvents",
            json!({
                "Timestamp": at, "Url": url, "ActionType": "ClickAllowed",
                "AccountUpn": user, "Workload": "Email", "NetworkMessageId": message,
                "IPAddress": ip(r >> 16), "IsClickedThrough": false,
                "ReportId": format!("{message}-{i}")
            }),
        ),
        _ => (
            "EmailUrlInfo",
            json!({
                "Timestamp": at, "NetworkMessageId": message, "Url": url,
                "UrlDomain": url.split('/').nth(2), "UrlLocation": "Body",
                "ReportId": format!("{message}-{i}")
            }),
        ),
    };
    json!({
        "time": at, "tenantId": TENANT, "operationName": "Publish",
        "category": format!("AdvancedHunting-{table}"), "properties": row
    })
    .to_string()
}

pub use crate::normalize::synthetic::write_lines;

/// The columns of [`signin_csv_row`], as a Sentinel export writes them.
pub const SIGNIN_CSV_HEADER: &str = "TenantId,OperationName,Category,ResultType,ResultDescription,AppDisplayName,ClientAppUsed,ConditionalAccessStatus,CreatedDateTime [UTC],DeviceDetail_dynamic,Id,IPAddress,IsInteractive,LocationDetails_dynamic,MfaDetail_dynamic,RiskLevelDuringSignIn,RiskState,Status_dynamic,UserAgent,UserPrincipalName,Type";

/// Sign-in number `i` as a row of a Sentinel `SigninLogs` CSV export.
pub fn signin_csv_row(i: u64) -> String {
    let r = mix(i);
    let (city, state, country, lat, lon) = pick(&PLACES, r >> 8);
    let code = if (r >> 40).is_multiple_of(10) {
        50126
    } else {
        0
    };
    let quoted = |v: Value| format!("\"{}\"", v.to_string().replace('"', "\"\""));
    let location = json!({"countryOrRegion": country, "geoCoordinates": {"longitude": lon, "latitude": lat}, "state": state, "city": city});
    let device =
        json!({"operatingSystem": "Windows 10", "deviceId": "", "browser": "Edge 122.0.0"});
    let fields = [
        "7c759f10-811c-4db8-ad6d-f07d8ae3f8ea".to_owned(),
        "Sign-in activity".to_owned(),
        "SignInLogs".to_owned(),
        code.to_string(),
        String::new(),
        pick(&APPS, r >> 24).to_owned(),
        "Browser".to_owned(),
        "notApplied".to_owned(),
        format!("\"{}\"", time(i, "%-m/%-d/%Y, %-I:%M:%S%.3f %p")),
        quoted(device),
        guid(r, i),
        ip(r >> 16),
        "TRUE".to_owned(),
        quoted(location),
        "{}".to_owned(),
        "none".to_owned(),
        "none".to_owned(),
        quoted(json!({"errorCode": code})),
        format!("\"{AGENT}\""),
        pick(&USERS, r).to_ascii_lowercase(),
        "SigninLogs".to_owned(),
    ];
    fields.join(",")
}

/// Writes a Sentinel `SigninLogs` CSV export of `count` rows; returns the
/// bytes written.
///
/// # Errors
///
/// When `out` fails.
pub fn write_signin_csv(out: &mut impl Write, count: u64) -> io::Result<u64> {
    writeln!(out, "{SIGNIN_CSV_HEADER}")?;
    let mut bytes = SIGNIN_CSV_HEADER.len() as u64 + 1;
    for i in 0..count {
        let row = signin_csv_row(i);
        out.write_all(row.as_bytes())?;
        out.write_all(b"\n")?;
        bytes += row.len() as u64 + 1;
    }
    Ok(bytes)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_deterministic_single_lines() {
        for record in [signin_record, audit_record, signin_csv_row] {
            assert_eq!(record(7), record(7));
            assert_ne!(record(7), record(8));
            assert!(!record(7).contains('\n'));
        }
        let mut out = Vec::new();
        let bytes = write_lines(&mut out, 100, signin_record).unwrap();
        assert_eq!(bytes, out.len() as u64);
        let mut csv = Vec::new();
        let bytes = write_signin_csv(&mut csv, 10).unwrap();
        assert_eq!(bytes, csv.len() as u64);
        assert_eq!(csv.iter().filter(|&&b| b == b'\n').count(), 11);
    }
}
