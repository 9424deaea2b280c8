//! The normalized `kind` and `outcome` of an audit operation.
//!
//! Operations with a kind of their own are listed in [`named_kind`];
//! every other operation keeps a kind derived from its name,
//! `m365.<operation in lower snake case>` (`MoveToDeletedItems` gives
//! `m365.move_to_deleted_items`), so detectors and hunting queries can
//! still tell operations apart without the raw `action`.

use crate::normalize::values::snake_case;

/// Inbox rule operations: by cmdlet (`New-InboxRule`) or by Outlook
/// (`UpdateInboxRules`).
const INBOX_RULE_OPERATIONS: [&str; 6] = [
    "new-inboxrule",
    "set-inboxrule",
    "updateinboxrules",
    "remove-inboxrule",
    "enable-inboxrule",
    "disable-inboxrule",
];

/// Whether `operation` creates, changes or removes an inbox rule.
pub(crate) fn is_inbox_rule(operation: &str) -> bool {
    INBOX_RULE_OPERATIONS
        .iter()
        .any(|op| op.eq_ignore_ascii_case(operation))
}

/// The normalized kind of an operation.
///
/// `modified` are the names of the record's `ModifiedProperties`: an
/// account update that touches a `StrongAuthentication*` property is an
/// MFA change.
pub(crate) fn kind_of(operation: &str, modified: &[&str]) -> String {
    if let Some(kind) = named_kind(operation) {
        return kind.to_owned();
    }
    if is_account_update(operation) {
        let mfa = modified
            .iter()
            .any(|name| contains_ignore_case(name, "strongauthentication"));
        return if mfa {
            "account.mfa_change"
        } else {
            "account.change"
        }
        .to_owned();
    }
    format!("m365.{}", snake_case(operation))
}

/// The kinds of operations that have one, by operation name.
fn named_kind(operation: &str) -> Option<&'static str> {
    let op = operation.trim().to_ascii_lowercase();
    let kind = match op.as_str() {
        _ if is_inbox_rule(&op) => "mailbox.rule_change",
        "userloggedin" => "auth.login",
        "userloginfailed" => "auth.login_failed",
        "send" | "sendas" | "sendonbehalf" => "email.send",
        "mailitemsaccessed" => "mailbox.access",
        "filedownloaded" | "filesyncdownloadedfull" | "filesyncdownloadedpartial" => {
            "file.download"
        }
        "fileaccessed" | "fileaccessedextended" | "filepreviewed" => "file.access",
        "fileuploaded" | "filesyncuploadedfull" => "file.upload",
        "sharingset"
        | "sharinginvitationcreated"
        | "anonymouslinkcreated"
        | "anonymouslinkupdated"
        | "companylinkcreated"
        | "securelinkcreated"
        | "addedtosecurelink" => "file.share",
        // Entra ID security info (MFA methods) registered or changed by the
        // user, and per-user MFA switched by an admin.
        "user registered security info"
        | "user changed default security info"
        | "user deleted security info"
        | "user registered all required security info"
        | "admin registered security info"
        | "admin deleted security info"
        | "reset user strong authentication"
        | "disable strong authentication."
        | "enable strong authentication." => "account.mfa_change",
        "reset user password." | "change user password." | "set force change user password." => {
            "account.change"
        }
        _ => return None,
    };
    Some(kind)
}

/// `Update user.` (Entra ID audit through the unified log), with or without
/// the final period.
fn is_account_update(operation: &str) -> bool {
    let op = operation.trim().trim_end_matches('.');
    op.eq_ignore_ascii_case("update user")
}

fn contains_ignore_case(haystack: &str, lower_needle: &str) -> bool {
    haystack.to_ascii_lowercase().contains(lower_needle)
}

/// The outcome of a record: `success`, `failure` or `unknown`.
///
/// From `ResultStatus` (`Succeeded`, `Success`, `True` are successes;
/// `Failed`, `Failure`, `False` failures; any other value is unknown; no
/// value gives no outcome). `UserLoginFailed` is a failure whatever its
/// `ResultStatus` says.
pub(crate) fn outcome_of(operation: &str, result_status: Option<&str>) -> Option<&'static str> {
    if operation.eq_ignore_ascii_case("UserLoginFailed") {
        return Some("failure");
    }
    let status = result_status?.trim();
    let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(status));
    if is(&["succeeded", "success", "true"]) {
        Some("success")
    } else if is(&["failed", "failure", "false"]) {
        Some("failure")
    } else {
        Some("unknown")
    }
}

/// The `file_visibility` a sharing operation gives a file, when it says.
///
/// Anonymous links make a file public, organisation links internal; a
/// share with a named user is external when the target is a guest.
pub(crate) fn visibility_of(operation: &str, target_type: Option<&str>) -> Option<&'static str> {
    let op = operation.to_ascii_lowercase();
    match op.as_str() {
        "anonymouslinkcreated" | "anonymouslinkupdated" => Some("public"),
        "companylinkcreated" => Some("internal"),
        "sharingset" | "sharinginvitationcreated" | "addedtosecurelink" | "securelinkcreated" => {
            match target_type?.trim() {
                t if t.eq_ignore_ascii_case("guest") => Some("external"),
                t if t.eq_ignore_ascii_case("member") => Some("internal"),
                _ => None,
            }
        }
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn named_operations_have_their_kind() {
        let cases = [
            ("New-InboxRule", "mailbox.rule_change"),
            ("Set-InboxRule", "mailbox.rule_change"),
            ("UpdateInboxRules", "mailbox.rule_change"),
            ("Remove-InboxRule", "mailbox.rule_change"),
            ("Enable-InboxRule", "mailbox.rule_change"),
            ("Disable-InboxRule", "mailbox.rule_change"),
            ("UserLoggedIn", "auth.login"),
            ("UserLoginFailed", "auth.login_failed"),
            ("Send", "email.send"),
            ("SendAs", "email.send"),
            ("SendOnBehalf", "email.send"),
            ("MailItemsAccessed", "mailbox.access"),
            ("FileDownloaded", "file.download"),
            ("FileSyncDownloadedFull", "file.download"),
            ("FileAccessed", "file.access"),
            ("FilePreviewed", "file.access"),
            ("FileUploaded", "file.upload"),
            ("SharingSet", "file.share"),
            ("AnonymousLinkCreated", "file.share"),
            ("SharingInvitationCreated", "file.share"),
            ("CompanyLinkCreated", "file.share"),
            ("AddedToSecureLink", "file.share"),
            ("User registered security info", "account.mfa_change"),
            ("MoveToDeletedItems", "m365.move_to_deleted_items"),
            ("PageViewed", "m365.page_viewed"),
        ];
        for (operation, kind) in cases {
            assert_eq!(kind_of(operation, &[]), kind, "{operation}");
        }
    }

    #[test]
    fn account_updates_touching_strong_authentication_are_mfa_changes() {
        assert_eq!(kind_of("Update user.", &[]), "account.change");
        assert_eq!(kind_of("Update user", &["DisplayName"]), "account.change");
        assert_eq!(
            kind_of(
                "Update user.",
                &["StrongAuthenticationMethod", "Included Updated Properties"]
            ),
            "account.mfa_change"
        );
    }

    #[test]
    fn outcomes_follow_result_status() {
        assert_eq!(outcome_of("New-InboxRule", Some("TRUE")), Some("success"));
        assert_eq!(outcome_of("Send", Some("Succeeded")), Some("success"));
        assert_eq!(outcome_of("UserLoggedIn", Some("Success")), Some("success"));
        assert_eq!(outcome_of("Set-Mailbox", Some("False")), Some("failure"));
        assert_eq!(outcome_of("UserLoggedIn", Some("Failed")), Some("failure"));
        assert_eq!(outcome_of("X", Some("PartiallySucceeded")), Some("unknown"));
        assert_eq!(outcome_of("FileAccessed", None), None);
        assert_eq!(
            outcome_of("UserLoginFailed", Some("Success")),
            Some("failure")
        );
    }

    #[test]
    fn sharing_operations_tell_visibility() {
        assert_eq!(visibility_of("AnonymousLinkCreated", None), Some("public"));
        assert_eq!(visibility_of("CompanyLinkCreated", None), Some("internal"));
        assert_eq!(visibility_of("SharingSet", Some("Guest")), Some("external"));
        assert_eq!(visibility_of("SharingSet", None), None);
        assert_eq!(visibility_of("FileAccessed", Some("Guest")), None);
    }
}
