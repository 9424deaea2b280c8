//! Entra ID sign-in and audit logs as Azure Monitor diagnostic records
//! (`SignInLogs`, `AuditLogs`), one JSON object per line.

use serde_json::{Value, json};

use crate::logs::{Micros, format_time};
use crate::names::{AGENT, Place};

/// The organisation's tenant.
pub const TENANT: &str = "7c2a1f3e-5b0d-4c8e-9a61-3f2d8e4b1c70";

const DIAGNOSTIC_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6f0Z";
const PROPERTY_TIME: &str = "%Y-%m-%dT%H:%M:%S%.6f0+00:00";

/// One interactive sign-in.
pub struct SignIn<'a> {
    /// When.
    pub time: Micros,
    /// Record id.
    pub id: &'a str,
    /// Who.
    pub upn: &'a str,
    /// Display name.
    pub display: &'a str,
    /// From which address.
    pub ip: &'a str,
    /// Where Entra located that address.
    pub place: Place,
    /// Application signed in to.
    pub app: &'a str,
    /// Whether the password and MFA were accepted.
    pub success: bool,
}

fn envelope(time: Micros, category: &str, operation: &str, ip: &str, properties: Value) -> String {
    json!({
        "time": format_time(time, DIAGNOSTIC_TIME),
        "resourceId": format!("/tenants/{TENANT}/providers/Microsoft.aadiam"),
        "operationName": operation, "operationVersion": "1.0", "category": category,
        "tenantId": TENANT, "resultSignature": "None", "durationMs": 0,
        "callerIpAddress": ip, "Level": 4, "properties": properties
    })
    .to_string()
}

/// The sign-in as one line.
pub fn sign_in(s: &SignIn<'_>) -> String {
    let (city, state, country, lat, lon) = s.place;
    let mut status = json!({"errorCode": if s.success { 0 } else { 50126 }});
    if !s.success {
        status["failureReason"] =
            "Error validating credentials due to invalid username or password.".into();
    }
    let properties = json!({
        "id": s.id, "createdDateTime": format_time(s.time, PROPERTY_TIME),
        "userDisplayName": s.display, "userPrincipalName": s.upn,
        "appDisplayName": s.app, "ipAddress": s.ip, "status": status,
        "clientAppUsed": "Browser", "userAgent": AGENT,
        "deviceDetail": {"operatingSystem": "Windows 10", "browser": "Edge 122.0.0"},
        "location": {"city": city, "state": state, "countryOrRegion": country,
                     "geoCoordinates": {"latitude": lat, "longitude": lon}},
        "mfaDetail": {"authMethod": "Mobile app notification"},
        "conditionalAccessStatus": "success", "isInteractive": true,
        "authenticationRequirement": "multiFactorAuthentication",
        "riskDetail": "none", "riskLevelAggregated": "none", "riskLevelDuringSignIn": "none",
        "riskState": "none", "resourceDisplayName": "Office 365 Exchange Online",
        "tokenIssuerType": "AzureAD"
    });
    envelope(s.time, "SignInLogs", "Sign-in activity", s.ip, properties)
}

/// "User registered security info": `upn` added an authenticator app
/// from `ip`.
pub fn security_info_registered(time: Micros, id: &str, upn: &str, ip: &str) -> String {
    let properties = json!({
        "id": id, "category": "UserManagement", "result": "success",
        "resultReason": "User registered Authenticator App with Notification and Code",
        "activityDisplayName": "User registered security info",
        "activityDateTime": format_time(time, PROPERTY_TIME),
        "loggedByService": "Authentication Methods", "operationType": "Add",
        "initiatedBy": {"user": {"userPrincipalName": upn, "ipAddress": ip}},
        "targetResources": [{"type": "User", "userPrincipalName": upn, "modifiedProperties": []}],
        "additionalDetails": [{"key": "User-Agent", "value": AGENT}]
    });
    envelope(
        time,
        "AuditLogs",
        "User registered security info",
        ip,
        properties,
    )
}

/// "Update user" by an administrator: an ordinary directory change
/// (department, manager, phone).
pub fn user_updated(time: Micros, id: &str, admin: &str, upn: &str, property: &str) -> String {
    let properties = json!({
        "id": id, "category": "UserManagement", "result": "success", "resultReason": "",
        "activityDisplayName": "Update user",
        "activityDateTime": format_time(time, PROPERTY_TIME),
        "loggedByService": "Core Directory", "operationType": "Update",
        "initiatedBy": {"user": {"userPrincipalName": admin, "ipAddress": ""}},
        "targetResources": [{"type": "User", "userPrincipalName": upn, "modifiedProperties": [
            {"displayName": property, "oldValue": "[\"\"]", "newValue": "[\"updated\"]"},
            {"displayName": "Included Updated Properties", "oldValue": null,
             "newValue": format!("\"{property}\"")}
        ]}],
        "additionalDetails": []
    });
    envelope(time, "AuditLogs", "Update user", "", properties)
}
