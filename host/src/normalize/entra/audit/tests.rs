//! The audit mapping on inline records.

use super::*;
use crate::normalize::azure::tests::{csv_event, json_event};

/// A user registering an authenticator app, as diagnostic settings write
/// it.
const REGISTERED: &str = r#"{"time":"2024-03-15T10:02:12.0000000Z","resourceId":"/tenants/2ad3fc79-1859-42fa-9011-6f8df2251b22/providers/Microsoft.aadiam","operationName":"User registered security info","operationVersion":"1.0","category":"AuditLogs","tenantId":"2ad3fc79-1859-42fa-9011-6f8df2251b22","resultSignature":"None","durationMs":0,"callerIpAddress":"193.222.96.91","correlationId":"6f1d2c3b-4a5e-4f60-8b7a-9c0d1e2f3a4b","Level":4,"properties":{"id":"SSGM_6f1d2c3b-4a5e-4f60-8b7a-9c0d1e2f3a4b_1","category":"UserManagement","correlationId":"6f1d2c3b-4a5e-4f60-8b7a-9c0d1e2f3a4b","result":"success","resultReason":"User registered Authenticator App with Notification and Code","activityDisplayName":"User registered security info","activityDateTime":"2024-03-15T10:02:11+00:00","loggedByService":"Authentication Methods","operationType":"Add","initiatedBy":{"user":{"id":"6e2f6c8a-3a34-4b4f-9d7e-2c1f2f5d8a10","displayName":"Megan Bowen","userPrincipalName":"MeganB@Contoso.onmicrosoft.com","ipAddress":"193.222.96.91:53012"}},"targetResources":[{"id":"6e2f6c8a-3a34-4b4f-9d7e-2c1f2f5d8a10","displayName":"Megan Bowen","type":"User","userPrincipalName":"MeganB@Contoso.onmicrosoft.com","modifiedProperties":[]}],"additionalDetails":[{"key":"User-Agent","value":"Mozilla/5.0 (iPhone)"}]}}"#;

/// The MFA service updating a user's authenticator app details.
const BY_APP: &str = r#"{"time":"2024-03-15T10:02:13Z","operationName":"Update user","category":"AuditLogs","properties":{"id":"Directory_6f1d2c3b_2","category":"UserManagement","result":"success","activityDisplayName":"Update user","activityDateTime":"2024-03-15T10:02:13+00:00","loggedByService":"Core Directory","operationType":"Update","initiatedBy":{"app":{"appId":null,"displayName":"Azure MFA StrongAuthenticationService","servicePrincipalId":"ee08c0d4-7e2d-4c36-9c7a-3a1f6e9b2d11","servicePrincipalName":null}},"targetResources":[{"id":"6e2f6c8a-3a34-4b4f-9d7e-2c1f2f5d8a10","displayName":null,"type":"User","userPrincipalName":"MeganB@Contoso.onmicrosoft.com","modifiedProperties":[{"displayName":"StrongAuthenticationPhoneAppDetail","oldValue":"[]","newValue":"[{\"DeviceName\":\"iPhone\"}]"},{"displayName":"Included Updated Properties","oldValue":null,"newValue":"\"StrongAuthenticationPhoneAppDetail\""}]}],"additionalDetails":[]}}"#;

#[test]
fn a_security_info_registration_maps_to_every_column() {
    let e = json_event(REGISTERED).unwrap();
    assert_eq!(e.source, "entra");
    assert_eq!(e.kind, "account.mfa_change");
    assert_eq!(e.action.as_deref(), Some("User registered security info"));
    assert_eq!(e.outcome.as_deref(), Some("success"));
    assert_eq!(e.time, 1_710_496_931_000_000, "activityDateTime, not time");
    assert_eq!(e.user.as_deref(), Some("meganb@contoso.onmicrosoft.com"));
    assert_eq!(e.src_ip.as_deref(), Some("193.222.96.91"));
    assert_eq!(e.user_agent.as_deref(), Some("Mozilla/5.0 (iPhone)"));
    assert_eq!(
        e.event_id,
        event_id("entra", "SSGM_6f1d2c3b-4a5e-4f60-8b7a-9c0d1e2f3a4b_1")
    );
    let attr = |k: &str| e.attrs.get(k).map(String::as_str);
    assert_eq!(attr("category"), Some("UserManagement"), "properties win");
    assert_eq!(attr("loggedByService"), Some("Authentication Methods"));
    assert_eq!(attr("targetResources.type"), Some("User"));
    assert_eq!(
        attr("targetResources.userPrincipalName"),
        Some("MeganB@Contoso.onmicrosoft.com")
    );
    assert_eq!(
        attr("initiatedBy.user.id"),
        Some("6e2f6c8a-3a34-4b4f-9d7e-2c1f2f5d8a10")
    );
    assert_eq!(
        attr("additionalDetails.User-Agent"),
        Some("Mozilla/5.0 (iPhone)")
    );
    assert_eq!(attr("callerIpAddress"), None, "the same address as src_ip");
    assert_eq!(attr("operationName"), None, "the same as action");
}

#[test]
fn a_change_an_app_made_is_about_its_target_user() {
    let e = json_event(BY_APP).unwrap();
    assert_eq!(e.kind, "account.mfa_change");
    assert_eq!(e.user.as_deref(), Some("meganb@contoso.onmicrosoft.com"));
    assert_eq!(e.src_ip, None);
    let attr = |k: &str| e.attrs.get(k).map(String::as_str);
    assert_eq!(
        attr("initiatedBy.app.displayName"),
        Some("Azure MFA StrongAuthenticationService")
    );
    assert_eq!(
        attr("modifiedProperties"),
        Some("StrongAuthenticationPhoneAppDetail, StrongAuthenticationPhoneAppDetail")
    );
    let plain = BY_APP.replace("StrongAuthenticationPhoneAppDetail", "DisplayName");
    assert_eq!(json_event(&plain).unwrap().kind, "account.change");
}

#[test]
fn other_operations_are_directory_kinds_with_their_outcome() {
    let role = REGISTERED
        .replace("User registered security info", "Add member to role")
        .replace(r#""result":"success""#, r#""result":"failure""#);
    let e = json_event(&role).unwrap();
    assert_eq!(e.kind, "directory.add_member_to_role");
    assert_eq!(e.outcome.as_deref(), Some("failure"));
    let timeout = REGISTERED.replace(r#""result":"success""#, r#""result":"timeout""#);
    assert_eq!(
        json_event(&timeout).unwrap().outcome.as_deref(),
        Some("failure")
    );
    let odd = REGISTERED.replace(r#""result":"success""#, r#""result":"unknownFutureValue""#);
    assert_eq!(
        json_event(&odd).unwrap().outcome.as_deref(),
        Some("unknown")
    );
}

#[test]
fn unusable_audit_records_name_the_field() {
    let no_operation = REGISTERED
        .replace(
            r#""activityDisplayName":"User registered security info","#,
            "",
        )
        .replace(r#""operationName":"User registered security info","#, "");
    assert_eq!(
        json_event(&no_operation).unwrap_err().to_string(),
        "missing `activityDisplayName`"
    );
    let bad_time = REGISTERED.replace("2024-03-15T10:02:11+00:00", "2024-02-30T10:02:11");
    assert_eq!(
        json_event(&bad_time).unwrap_err().to_string(),
        "parsing `activityDateTime`: invalid date `2024-02-30T10:02:11`"
    );
}

#[test]
fn sentinel_hunting_rows_without_a_time_column_are_events_marked_so() {
    let e = csv_event(&[
        ("OperationName", "Update application – Certificates and secrets management "),
        ("InitiatingUserOrApp", "Victim@buildseccxpninja.onmicrosoft.com"),
        ("Category", "ApplicationManagement"),
        ("Id", "Directory_9cee9603_1261B_35670955"),
        ("InitiatedBy", r#"{"user":{"displayName":null,"userPrincipalName":"victim@buildseccxpninja.onmicrosoft.com","ipAddress":"45.153.160.2","roles":[],"id":"34070915"}}"#),
        ("Result", "success"),
        ("TargetResources", r#"[{"modifiedProperties":[{"displayName":"KeyDescription","oldValue":"[]","newValue":"[\"[KeyType=Password]\"]"},{"displayName":"Included Updated Properties","oldValue":null,"newValue":"\"KeyDescription\""}],"displayName":"purview-spn-user099","type":"Application","id":"020c2630"}]"#),
        ("ActivityDisplayName", "Update application – Certificates and secrets management "),
        ("AADOperationType", "Update"),
        ("Type", "AuditLogs"),
    ])
    .unwrap();
    assert_eq!(
        e.kind,
        "directory.update_application_certificates_and_secrets_management"
    );
    assert_eq!(
        e.action.as_deref(),
        Some("Update application – Certificates and secrets management")
    );
    assert_eq!(
        e.user.as_deref(),
        Some("victim@buildseccxpninja.onmicrosoft.com")
    );
    assert_eq!(e.src_ip.as_deref(), Some("45.153.160.2"));
    assert_eq!(e.time, 0);
    let attr = |k: &str| e.attrs.get(k).map(String::as_str);
    assert!(attr("time_missing").is_some_and(|m| m.contains("activityDateTime")));
    assert_eq!(
        attr("targetResources.displayName"),
        Some("purview-spn-user099")
    );
    assert_eq!(
        attr("modifiedProperties"),
        Some("KeyDescription, KeyDescription")
    );
    assert_eq!(attr("aadOperationType"), Some("Update"));
    assert_eq!(attr("category"), Some("ApplicationManagement"));
}
