//! Every log in Panther's Azure sign-in and audit rule tests normalizes to
//! the kind its operation names.
//!
//! The rule files (`panther-tests/rules/azure_signin_rules/*.yml` in the
//! shared data) hold `Tests: [{Name, ExpectedResult, Log}]`; each `Log`
//! is one `Azure.Audit` record as a YAML mapping. It is written back as
//! JSON text and normalized; the table of case → kind is printed so a
//! mismatch reads at a glance.

use std::path::Path;

use serde_yaml_ng::Value;

use super::{json_event, shared_data};

/// (rule file, test name, kind). Sign-ins are `auth.login` or
/// `auth.login_failed` by their error code; audit records that take MFA
/// away (a conditional access policy losing its MFA control, or deleted
/// with it) are `account.mfa_change`, a policy gaining MFA and other
/// directory changes `directory.<operation>`.
const EXPECTED: &[(&str, &str, &str)] = &[
    (
        "azure_auth_methods_policy_oidc_change",
        "Authentication Methods Policy OIDC Discovery URL Changed",
        "directory.update_authentication_methods_policy",
    ),
    (
        "azure_auth_methods_policy_oidc_change",
        "Non-OIDC Policy Change",
        "directory.update_authentication_methods_policy",
    ),
    (
        "azure_device_code_broker_client",
        "Device Code Auth with Broker Client",
        "auth.login",
    ),
    (
        "azure_device_code_broker_client",
        "Device Code Without Broker Client",
        "auth.login",
    ),
    (
        "azure_domain_trust_settings_modified",
        "Set Federation Settings",
        "directory.set_federation_settings_on_domain",
    ),
    (
        "azure_domain_trust_settings_modified",
        "Different Values Changed",
        "directory.set_domain_authentication",
    ),
    (
        "azure_elevate_user_access_admin",
        "User Elevated to User Access Administrator",
        "directory.user_has_elevated_their_access_to_user_access_administrator_for_their_azure_resources",
    ),
    (
        "azure_elevate_user_access_admin",
        "Different Operation",
        "directory.remove_role_assignment",
    ),
    (
        "azure_excessive_account_lockouts",
        "Account Lockout Error 50053",
        "auth.login_failed",
    ),
    (
        "azure_excessive_account_lockouts",
        "Different Error Code",
        "auth.login_failed",
    ),
    (
        "azure_excessive_account_lockouts",
        "Microsoft Corporate ASN Excluded",
        "auth.login_failed",
    ),
    (
        "azure_failed_signins",
        "Failed Sign-In",
        "auth.login_failed",
    ),
    ("azure_failed_signins", "Successful Sign-In", "auth.login"),
    (
        "azure_graph_session_multiple_ips",
        "Multiple IP Access to Same Microsoft Graph Session",
        "auth.login",
    ),
    (
        "azure_graph_session_multiple_ips",
        "Non-Interactive Sign-In via NonInteractiveUserSignInLogs Category",
        "auth.login",
    ),
    (
        "azure_graph_session_multiple_ips",
        "Whitelisted Office 365",
        "auth.login",
    ),
    (
        "azure_high_risk_signin",
        "High Risk During Sign-In",
        "auth.login",
    ),
    (
        "azure_high_risk_signin",
        "High Risk Dismissed",
        "auth.login",
    ),
    (
        "azure_invite_external_users",
        "Successful Invite external user",
        "directory.invite_external_user",
    ),
    (
        "azure_invite_external_users",
        "Same org successful invite",
        "directory.invite_external_user",
    ),
    (
        "azure_invite_external_users",
        "Unsuccessful invite",
        "directory.invite_external_user",
    ),
    (
        "azure_invite_external_users",
        "Not external invite",
        "directory.invite_external_user",
    ),
    ("azure_legacyauth", "Failed Sign-In", "auth.login_failed"),
    ("azure_legacyauth", "Sign-In with legacy auth", "auth.login"),
    (
        "azure_legacyauth",
        "Sign-In with legacy auth, KNOWN_EXCEPTION",
        "auth.login",
    ),
    (
        "azure_mfa_disabled",
        "MFA Disabled Successful",
        "account.mfa_change",
    ),
    (
        "azure_mfa_disabled",
        "MFA Enabled",
        "directory.update_conditional_access_policy",
    ),
    (
        "azure_mfa_disabled",
        "MFA Disabled from another log",
        "account.mfa_change",
    ),
    (
        "azure_multiple_protection_alerts",
        "Risk Event Counts Toward Threshold",
        "auth.login",
    ),
    (
        "azure_multiple_protection_alerts",
        "No Risk Sign-In",
        "auth.login",
    ),
    (
        "azure_policy_changed",
        "Policy Changed",
        "account.mfa_change",
    ),
    (
        "azure_policy_changed",
        "Policy Updated",
        "directory.delete_policy",
    ),
    (
        "azure_policy_changed",
        "Policy Added",
        "directory.added_policy",
    ),
    (
        "azure_risklevel_passthrough",
        "Failed Sign-In",
        "auth.login_failed",
    ),
    (
        "azure_risklevel_passthrough",
        "Failed Sign-In with riskLevelAggregated",
        "auth.login_failed",
    ),
    (
        "azure_risklevel_passthrough",
        "Failed Sign-In with riskLevelDuringSignIn",
        "auth.login_failed",
    ),
    (
        "azure_risklevel_passthrough",
        "Failed Sign-In with riskLevelDuringSignIn and dismissed",
        "auth.login_failed",
    ),
    (
        "azure_risklevel_passthrough",
        "Missing RiskState",
        "auth.login_failed",
    ),
    (
        "azure_role_changed_pim",
        "Successfully added PIM role",
        "directory.add_member_to_role_in_pim_completed_permanent",
    ),
    (
        "azure_role_changed_pim",
        "requested adding PIM role",
        "directory.add_member_to_role_in_pim_requested_permanent",
    ),
    (
        "azure_role_changed_pim",
        "Add member to role (Non PIM)",
        "directory.add_member_to_role",
    ),
    (
        "azure_ropc_login_no_mfa",
        "ROPC Login Without MFA",
        "auth.login",
    ),
    (
        "azure_ropc_login_no_mfa",
        "Failed ROPC Login",
        "auth.login_failed",
    ),
    (
        "azure_service_principal_credentials_added",
        "Add Service Principal Credentials",
        "directory.add_service_principal_credentials",
    ),
    (
        "azure_service_principal_credentials_added",
        "Create Service Principal",
        "directory.add_service_principal",
    ),
    (
        "azure_vscode_oauth_phishing",
        "VS Code to Microsoft Graph",
        "auth.login",
    ),
    (
        "azure_vscode_oauth_phishing",
        "VS Code to Different Resource",
        "auth.login",
    ),
];

/// The tests of one rule file: (name, log as JSON text).
fn cases(path: &Path) -> Vec<(String, String)> {
    let text = std::fs::read_to_string(path).unwrap();
    let doc: Value =
        serde_yaml_ng::from_str(&text).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let tests = doc.get("Tests").and_then(Value::as_sequence);
    tests
        .into_iter()
        .flatten()
        .map(|test| {
            let name = test.get("Name").and_then(Value::as_str).unwrap_or("?");
            let log = serde_json::to_string(&test["Log"]).unwrap();
            (name.to_owned(), log)
        })
        .collect()
}

#[test]
fn panther_azure_logs_normalize_to_the_kind_their_operation_names() {
    let Some(dir) = shared_data("panther-tests/rules/azure_signin_rules") else {
        return;
    };
    let mut files: Vec<_> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|entry| entry.unwrap().path())
        .filter(|path| path.extension().is_some_and(|e| e == "yml"))
        .collect();
    files.sort();

    let (mut table, mut wrong) = (Vec::new(), 0);
    for path in &files {
        let file = path.file_stem().unwrap().to_string_lossy().into_owned();
        for (name, log) in cases(path) {
            let got = match json_event(&log) {
                Ok(event) => event.kind,
                Err(e) => format!("dead letter: {e}"),
            };
            let want = EXPECTED
                .iter()
                .find(|(f, n, _)| *f == file && *n == name)
                .map_or("(not listed)", |(_, _, kind)| *kind);
            let mark = if got == want { "" } else { "  <-- want " };
            if got != want {
                wrong += 1;
            }
            table.push(format!(
                "{file:<42} {name:<62} {got}{mark}{}",
                if got == want { "" } else { want }
            ));
        }
    }
    eprintln!("{}", table.join("\n"));
    assert_eq!(
        table.len(),
        47,
        "Panther's 18 Azure rule files hold 47 tests"
    );
    assert_eq!(
        wrong, 0,
        "kinds differ from the expected ones, see the table"
    );
}
