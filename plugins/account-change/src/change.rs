//! What an account change event changed.
//!
//! | change | from |
//! |---|---|
//! | `MfaRegistered` | Entra `User/Admin registered security info`; Okta `user.mfa.factor.activate`; Google `2sv_enroll`, `titanium_enroll`; an `Update user` whose `StrongAuthenticationMethod` list grew |
//! | `MfaRemoved` | Entra `User/Admin deleted security info`; Okta `user.mfa.factor.deactivate`, `reset_all`; Google `titanium_unenroll`; an `Update user` whose `StrongAuthenticationMethod` list shrank |
//! | `MfaDisabled` | `Disable Strong Authentication`; Google `2sv_disable`; an `Update user` that empties `StrongAuthenticationRequirement`; a conditional access policy that stops requiring MFA (`mfaPolicyChange` = `removed`, from the Conditional Access service's record only: the `Core Directory` copy of the same change is ignored) |
//! | `MfaOther` | any other MFA or security-info change (default method changed, an `Update user` whose direction the record does not tell) |
//! | `Password` | account changes whose action names a password |
//! | `Recovery` | account changes whose action names recovery (email, phone, question) |
//!
//! The direction of an `Update user` is read from the old and new values
//! of its modified properties, which the normalizers leave in `raw`: the
//! record is walked for an entry named `StrongAuthenticationMethod` or
//! `StrongAuthenticationRequirement` (`Name`/`displayName`) with
//! `OldValue`/`NewValue` (any case), whose values are JSON lists, possibly
//! held in strings.
//!
//! Enabling MFA or adding an MFA requirement to a policy is not a change
//! this detector reports.

use palisade_sdk::Event;
use serde_json::Value;

/// Event kind: MFA and security-info changes.
pub const MFA_KIND: &str = "account.mfa_change";
/// Event kind: other account changes.
pub const ACCOUNT_KIND: &str = "account.change";

/// What changed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Change {
    /// A new MFA method was registered.
    MfaRegistered,
    /// An MFA method was removed.
    MfaRemoved,
    /// MFA was switched off for the user or by a policy.
    MfaDisabled,
    /// Another MFA or security-info change.
    MfaOther,
    /// A password was changed or reset.
    Password,
    /// Account recovery details were changed.
    Recovery,
}

impl Change {
    /// The finding kind.
    pub fn finding_kind(self) -> &'static str {
        match self {
            Change::MfaRegistered => "account_change.mfa_registered",
            Change::MfaRemoved => "account_change.mfa_removed",
            Change::MfaDisabled => "account_change.mfa_disabled",
            Change::MfaOther => "account_change.mfa_changed",
            Change::Password => "account_change.password",
            Change::Recovery => "account_change.recovery",
        }
    }

    /// Whether the change is reported even from a familiar place: the
    /// three the detector exists for. The others are everyday changes and
    /// reported only from a new place or after a new login.
    pub fn always_reported(self) -> bool {
        matches!(
            self,
            Change::MfaRegistered | Change::MfaRemoved | Change::MfaDisabled
        )
    }

    /// A few words for titles and summaries.
    pub fn describe(self) -> &'static str {
        match self {
            Change::MfaRegistered => "registered a new MFA method",
            Change::MfaRemoved => "removed an MFA method",
            Change::MfaDisabled => "disabled MFA",
            Change::MfaOther => "changed MFA settings",
            Change::Password => "changed a password",
            Change::Recovery => "changed account recovery details",
        }
    }
}

/// What `event` changed, if it is a change this detector weighs.
pub fn classify(event: &Event<'_>) -> Option<Change> {
    let action = event.action().unwrap_or_default().to_lowercase();
    let action = action.trim().trim_end_matches('.');
    match event.kind() {
        MFA_KIND => mfa_change(event, action),
        ACCOUNT_KIND if action.contains("password") => Some(Change::Password),
        ACCOUNT_KIND if action.contains("recovery") => Some(Change::Recovery),
        _ => None,
    }
}

fn mfa_change(event: &Event<'_>, action: &str) -> Option<Change> {
    if let Some(policy) = event.attr("mfaPolicyChange") {
        let copy = event
            .attr("loggedByService")
            .is_some_and(|s| s.eq_ignore_ascii_case("Core Directory"));
        return (policy.eq_ignore_ascii_case("removed") && !copy).then_some(Change::MfaDisabled);
    }
    let named = [
        ("disable strong authentication", Some(Change::MfaDisabled)),
        ("2sv_disable", Some(Change::MfaDisabled)),
        ("enable strong authentication", None),
        ("deleted security info", Some(Change::MfaRemoved)),
        ("user.mfa.factor.deactivate", Some(Change::MfaRemoved)),
        ("user.mfa.factor.reset_all", Some(Change::MfaRemoved)),
        ("titanium_unenroll", Some(Change::MfaRemoved)),
        ("registered security info", Some(Change::MfaRegistered)),
        (
            "registered all required security info",
            Some(Change::MfaRegistered),
        ),
        ("user.mfa.factor.activate", Some(Change::MfaRegistered)),
        ("2sv_enroll", Some(Change::MfaRegistered)),
        ("titanium_enroll", Some(Change::MfaRegistered)),
    ];
    if let Some((_, change)) = named.iter().find(|(name, _)| action.contains(name)) {
        return *change;
    }
    if action.starts_with("update user")
        && let Some(change) = event.raw().and_then(strong_auth_direction)
    {
        return change;
    }
    Some(Change::MfaOther)
}

/// The direction of a strong-authentication update read from the record:
/// `Some(None)` when it only enabled something, `None` when the record does
/// not tell.
fn strong_auth_direction(raw: &str) -> Option<Option<Change>> {
    let record: Value = serde_json::from_str(raw).ok()?;
    let mut found = Vec::new();
    collect_modified(&record, 0, &mut found);

    let count = |name: &str| {
        found
            .iter()
            .find(|(n, _, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, old, new)| (list_len(old), list_len(new)))
    };
    if let Some((old, new)) = count("StrongAuthenticationRequirement")
        && old > 0
        && new == 0
    {
        return Some(Some(Change::MfaDisabled));
    }
    let (old, new) = count("StrongAuthenticationMethod")?;
    Some(match new.cmp(&old) {
        std::cmp::Ordering::Greater => Some(Change::MfaRegistered),
        std::cmp::Ordering::Less => Some(Change::MfaRemoved),
        std::cmp::Ordering::Equal => Some(Change::MfaOther),
    })
}

/// Collects `(name, old, new)` of every modified-property entry in `value`.
fn collect_modified(value: &Value, depth: u8, out: &mut Vec<(String, Value, Value)>) {
    if depth > 12 {
        return;
    }
    match value {
        Value::Object(map) => {
            let get = |keys: &[&str]| {
                map.iter()
                    .find(|(k, _)| keys.iter().any(|key| k.eq_ignore_ascii_case(key)))
                    .map(|(_, v)| v)
            };
            let name = get(&["Name", "displayName"]).and_then(Value::as_str);
            let old = get(&["OldValue"]);
            let new = get(&["NewValue"]);
            if let (Some(name), Some(old), Some(new)) = (name, old, new) {
                out.push((name.to_owned(), old.clone(), new.clone()));
            }
            map.values()
                .for_each(|v| collect_modified(v, depth + 1, out));
        }
        Value::Array(items) => items
            .iter()
            .for_each(|v| collect_modified(v, depth + 1, out)),
        // Sentinel exports hold nested JSON in string columns.
        Value::String(s) if s.trim_start().starts_with('[') => {
            if let Ok(inner) = serde_json::from_str::<Value>(s) {
                collect_modified(&inner, depth + 1, out);
            }
        }
        _ => {}
    }
}

/// The number of items of a list value, unwrapping JSON held in strings.
fn list_len(value: &Value) -> usize {
    match value {
        Value::Array(items) => items.len(),
        Value::String(s) => serde_json::from_str::<Value>(s)
            .map(|inner| match inner {
                Value::String(_) | Value::Array(_) => list_len(&inner),
                Value::Null => 0,
                _ => 1,
            })
            .unwrap_or(0),
        Value::Null => 0,
        _ => 1,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn method_lists_tell_the_direction() {
        let raw = |old: &str, new: &str| {
            serde_json::json!({"ModifiedProperties": [
                {"Name": "StrongAuthenticationMethod", "OldValue": old, "NewValue": new}
            ]})
            .to_string()
        };
        let one = r#"[{"Default": true,"MethodType": 7}]"#;
        assert_eq!(
            strong_auth_direction(&raw("[]", one)),
            Some(Some(Change::MfaRegistered))
        );
        assert_eq!(
            strong_auth_direction(&raw(one, "[]")),
            Some(Some(Change::MfaRemoved))
        );
        assert_eq!(strong_auth_direction("{}"), None);
    }

    #[test]
    fn an_emptied_requirement_disables_mfa() {
        let raw = serde_json::json!({"targetResources": [{"modifiedProperties": [
            {"displayName": "StrongAuthenticationRequirement",
             "oldValue": "[{\"State\":1}]", "newValue": "[]"}
        ]}]});
        assert_eq!(
            strong_auth_direction(&raw.to_string()),
            Some(Some(Change::MfaDisabled))
        );
    }
}
