//! The normalized `kind` of an Entra ID audit operation.
//!
//! - `account.mfa_change`: a user's MFA methods or security info changed
//!   (`User registered security info`, `User deleted security info`,
//!   `User changed default security info`, `Admin registered security
//!   info`, ...), per-user MFA switched (`Disable Strong Authentication`),
//!   `Update user` touching a `StrongAuthentication*` property, and a
//!   policy change that adds or removes the MFA grant control of an
//!   enforced conditional access policy (a policy update, delete or add
//!   whose `ConditionalAccessPolicy` or `PolicyDetail` values differ in
//!   requiring MFA; the attribute `mfaPolicyChange` says `removed` or
//!   `added`).
//! - `account.change`: other changes to a user account (`Update user`,
//!   `Add user`, `Delete user`, password resets and changes, `Disable
//!   account`, ...).
//! - every other operation is `directory.<operation in lower snake
//!   case>`: `Add member to role` gives `directory.add_member_to_role`,
//!   `Update application – Certificates and secrets management` gives
//!   `directory.update_application_certificates_and_secrets_management`.

use serde_json::Value;

use crate::normalize::json::Json;
use crate::normalize::values::snake_case;

/// MFA and security-info operations, lower case, without a final period.
const MFA_OPERATIONS: [&str; 11] = [
    "user registered security info",
    "user changed default security info",
    "user deleted security info",
    "user registered all required security info",
    "user updated security info",
    "admin registered security info",
    "admin deleted security info",
    "admin updated security info",
    "disable strong authentication",
    "enable strong authentication",
    "reset user strong authentication",
];

/// Other changes to a user account, lower case, without a final period.
const ACCOUNT_OPERATIONS: [&str; 14] = [
    "update user",
    "add user",
    "delete user",
    "hard delete user",
    "restore user",
    "reset user password",
    "change user password",
    "reset password (by admin)",
    "reset password (self-service)",
    "change password (self-service)",
    "set force change user password",
    "disable account",
    "enable account",
    "update user principal name",
];

/// Modified properties that hold a whole conditional access policy.
const POLICY_PROPERTIES: [&str; 2] = ["conditionalaccesspolicy", "policydetail"];

/// The kind of an audit operation, and for a policy change that adds or
/// removes MFA, which.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct AuditKind {
    /// The normalized kind.
    pub kind: String,
    /// `added` or `removed`, when a policy change switched MFA.
    pub mfa_policy_change: Option<&'static str>,
}

/// The kind of `operation`, given the record's modified properties (the
/// `{displayName, oldValue, newValue}` entries of its target resources)
/// and the names they list.
pub(crate) fn audit_kind(operation: &str, modified: &[&Json<'_>], names: &[&str]) -> AuditKind {
    let op = operation.trim().trim_end_matches('.').to_ascii_lowercase();
    let kind = |kind: &str| AuditKind {
        kind: kind.to_owned(),
        mfa_policy_change: None,
    };
    if MFA_OPERATIONS.contains(&op.as_str()) {
        return kind("account.mfa_change");
    }
    let policy_change = policy_mfa_change(modified);
    if policy_change == Some("removed") {
        return AuditKind {
            kind: "account.mfa_change".to_owned(),
            mfa_policy_change: policy_change,
        };
    }
    if ACCOUNT_OPERATIONS.contains(&op.as_str()) {
        let mfa = names
            .iter()
            .any(|n| n.to_ascii_lowercase().contains("strongauthentication"));
        return kind(if mfa {
            "account.mfa_change"
        } else {
            "account.change"
        });
    }
    AuditKind {
        kind: format!("directory.{}", snake_case(operation)),
        mfa_policy_change: policy_change,
    }
}

/// `removed` or `added` when a modified policy property requires MFA on
/// one side of the change only.
fn policy_mfa_change(modified: &[&Json<'_>]) -> Option<&'static str> {
    modified.iter().find_map(|entry| {
        let name = entry
            .get_ignore_case("displayName")
            .and_then(Json::as_str)?;
        if !POLICY_PROPERTIES.contains(&name.to_ascii_lowercase().as_str()) {
            return None;
        }
        let requires = |key| {
            let text = entry.get_ignore_case(key).and_then(Json::as_str);
            text.is_some_and(|t| decode(t).iter().any(enforces_mfa))
        };
        match (requires("oldValue"), requires("newValue")) {
            (true, false) => Some("removed"),
            (false, true) => Some("added"),
            _ => None,
        }
    })
}

/// The policies in a modified property's value: a policy object as JSON
/// text, or (`PolicyDetail`) a list of such texts.
fn decode(text: &str) -> Vec<Value> {
    let parse = |t: &str| serde_json::from_str::<Value>(t).ok();
    match parse(text) {
        Some(Value::Array(items)) => items
            .into_iter()
            .filter_map(|item| match item {
                Value::String(t) => parse(&t),
                other => Some(other),
            })
            .collect(),
        Some(Value::String(t)) => parse(&t).into_iter().collect(),
        Some(other) => vec![other],
        None => Vec::new(),
    }
}

/// Whether a policy is enforced (its `state` is absent or `enabled`, not
/// `disabled` or report-only) and has the MFA grant control.
fn enforces_mfa(policy: &Value) -> bool {
    let state = policy
        .as_object()
        .and_then(|p| p.iter().find(|(k, _)| k.eq_ignore_ascii_case("state")))
        .and_then(|(_, v)| v.as_str());
    state.is_none_or(|s| s.eq_ignore_ascii_case("enabled")) && has_mfa_control(policy)
}

/// Whether a `builtInControls` (Graph) or `Control` (directory) list
/// somewhere in `value` holds `mfa`.
fn has_mfa_control(value: &Value) -> bool {
    match value {
        Value::Object(members) => members.iter().any(|(key, value)| {
            let control = key.eq_ignore_ascii_case("builtInControls") || key == "Control";
            let listed = |v: &Value| v.as_str().is_some_and(|s| s.eq_ignore_ascii_case("mfa"));
            (control
                && value
                    .as_array()
                    .is_some_and(|items| items.iter().any(listed)))
                || has_mfa_control(value)
        }),
        Value::Array(items) => items.iter().any(has_mfa_control),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(operation: &str) -> String {
        audit_kind(operation, &[], &[]).kind
    }

    #[test]
    fn operations_have_their_kind() {
        let cases = [
            ("User registered security info", "account.mfa_change"),
            ("User deleted security info", "account.mfa_change"),
            ("User changed default security info", "account.mfa_change"),
            ("Admin registered security info", "account.mfa_change"),
            ("Disable Strong Authentication", "account.mfa_change"),
            ("Update user", "account.change"),
            ("Update user.", "account.change"),
            ("Reset user password", "account.change"),
            ("Add member to role", "directory.add_member_to_role"),
            ("Invite external user", "directory.invite_external_user"),
            (
                "Update application – Certificates and secrets management ",
                "directory.update_application_certificates_and_secrets_management",
            ),
            (
                "Add member to role in PIM completed (permanent)",
                "directory.add_member_to_role_in_pim_completed_permanent",
            ),
        ];
        for (operation, want) in cases {
            assert_eq!(kind(operation), want, "{operation}");
        }
    }

    #[test]
    fn user_updates_touching_strong_authentication_are_mfa_changes() {
        let names = [
            "StrongAuthenticationPhoneAppDetail",
            "Included Updated Properties",
        ];
        assert_eq!(
            audit_kind("Update user", &[], &names).kind,
            "account.mfa_change"
        );
        assert_eq!(
            audit_kind("Update user", &[], &["DisplayName"]).kind,
            "account.change"
        );
    }

    fn policy_change(old: &str, new: &str) -> AuditKind {
        let entry = serde_json::json!({
            "displayName": "ConditionalAccessPolicy",
            "oldValue": old,
            "newValue": new,
        })
        .to_string();
        let entry = Json::parse(&entry).unwrap();
        audit_kind("Update conditional access policy", &[&entry], &[])
    }

    #[test]
    fn conditional_access_changes_that_remove_mfa_are_mfa_changes() {
        let mfa =
            r#"{"state":"enabled","grantControls":{"operator":"OR","builtInControls":["mfa"]}}"#;
        let none = r#"{"state":"enabled","grantControls":null}"#;
        let report_only = r#"{"state":"enabledForReportingButNotEnforced","grantControls":{"builtInControls":["mfa"]}}"#;

        let removed = policy_change(mfa, none);
        assert_eq!(removed.kind, "account.mfa_change");
        assert_eq!(removed.mfa_policy_change, Some("removed"));
        let added = policy_change(none, mfa);
        assert_eq!(added.kind, "directory.update_conditional_access_policy");
        assert_eq!(added.mfa_policy_change, Some("added"));
        assert_eq!(
            policy_change(mfa, report_only).mfa_policy_change,
            Some("removed")
        );
        let same = policy_change(mfa, mfa);
        assert_eq!(same.kind, "directory.update_conditional_access_policy");
        assert_eq!(same.mfa_policy_change, None);
    }

    #[test]
    fn directory_policy_details_are_read_as_lists_of_json_texts() {
        let old = r#"["{\"State\":\"Enabled\",\"Controls\":[{\"Control\":[\"Mfa\"]}]}"]"#;
        let new = r#"["{\"State\":\"Enabled\",\"SessionControls\":[\"SignInFrequency\"]}"]"#;
        let entry =
            serde_json::json!({"displayName": "PolicyDetail", "oldValue": old, "newValue": new})
                .to_string();
        let entry = Json::parse(&entry).unwrap();
        let kind = audit_kind("Update policy", &[&entry], &["PolicyDetail"]);
        assert_eq!(kind.kind, "account.mfa_change");
        assert_eq!(kind.mfa_policy_change, Some("removed"));
    }
}
