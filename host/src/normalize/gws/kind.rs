//! Which normalized kind a Google Workspace event is.
//!
//! | application | event name | kind |
//! |---|---|---|
//! | `login` | `login_success` | `auth.login` (outcome success) |
//! | `login` | `login_failure` | `auth.login_failed` (outcome failure) |
//! | `login` | `suspicious_login`, `suspicious_login_less_secure_app`, `suspicious_programmatic_login` | `auth.login_suspicious` |
//! | `login` | `logout` | `auth.logout` |
//! | `login`, `user_accounts` | `2sv_enroll`, `2sv_disable`, `titanium_enroll`, `titanium_unenroll` | `account.mfa_change` |
//! | `login`, `user_accounts` | `password_edit`, `recovery_email_edit`, `recovery_phone_edit`, `recovery_secret_qa_edit` | `account.change` |
//! | `drive` | `download` | `file.download` |
//! | `drive` | `view`, `preview` | `file.access` |
//! | `drive` | `edit` | `file.edit` |
//! | `drive` | `upload` | `file.upload` |
//! | `drive` | `change_user_access`, `change_document_visibility`, `change_document_access_scope` and their `_hierarchy_reconciled` forms | `file.share` |
//! | `gmail` | `delivery` | by `event_info.mail_event_type`, see below |
//! | any other | any other | `gws.<application>.<event name>` |
//!
//! The suspicious-login events are account warnings Google raises beside
//! the login they are about, not logins: `auth.login_suspicious` keeps
//! them out of login counts while a detector can still join them to the
//! login by user and time. The recovery email, phone and question are
//! account recovery, not a second factor: `account.change`. Advanced
//! Protection (`titanium_*`) enrols security keys: `account.mfa_change`.
//!
//! Gmail logs every message event as `delivery`; `event_info.mail_event_type`
//! tells what happened. 1 (sent) is `email.send`; 0 (unknown), 2
//! (received) and a missing type are `email.message`, a message in mail
//! flow; 10 and 11 (forwarded, auto-forwarded) are `email.forward`; 15 and
//! 16 (a link clicked in the body or in a previewed attachment) are
//! `email.url_click`; 17 (attachments downloaded) is
//! `email.attachment_download`; 18 and 19 (attachments or linked Drive
//! items saved to Drive) are `email.attachment_save`. The other types
//! (spam marks, quarantine, opened, moved to trash, labels, ...) stay
//! `gws.gmail.delivery`, with the type in `attrs`.
//!
//! Names are matched trimmed and in lower snake case, and other kinds use
//! that form (`CREATE_ROLE` in `admin` gives `gws.admin.create_role`). An
//! event without a name uses its `type`; without either, the kind is
//! `gws.<application>`.

use crate::normalize::Attrs;

use crate::normalize::values::snake_case;

/// The kind of an event of `application` named `name`; `attrs` holds its
/// flattened parameters.
pub fn kind_of(application: &str, name: Option<&str>, attrs: &Attrs) -> String {
    let app = snake_case(application);
    let Some(name) = name.map(snake_case).filter(|n| !n.is_empty()) else {
        return format!("gws.{app}");
    };
    let known = match (app.as_str(), name.as_str()) {
        ("login", "login_success") => Some("auth.login"),
        ("login", "login_failure") => Some("auth.login_failed"),
        (
            "login",
            "suspicious_login"
            | "suspicious_login_less_secure_app"
            | "suspicious_programmatic_login",
        ) => Some("auth.login_suspicious"),
        ("login", "logout") => Some("auth.logout"),
        ("login" | "user_accounts", n) => account_kind(n),
        ("drive", n) => drive_kind(n),
        ("gmail", "delivery") => mail_kind(attrs.get("event_info.mail_event_type")),
        _ => None,
    };
    match known {
        Some(kind) => kind.to_owned(),
        None => format!("gws.{app}.{name}"),
    }
}

fn account_kind(name: &str) -> Option<&'static str> {
    match name {
        "2sv_enroll" | "2sv_disable" | "titanium_enroll" | "titanium_unenroll" => {
            Some("account.mfa_change")
        }
        "password_edit"
        | "recovery_email_edit"
        | "recovery_phone_edit"
        | "recovery_secret_qa_edit" => Some("account.change"),
        _ => None,
    }
}

fn drive_kind(name: &str) -> Option<&'static str> {
    let share = [
        "change_user_access",
        "change_document_visibility",
        "change_document_access_scope",
    ];
    match name {
        "download" => Some("file.download"),
        "view" | "preview" => Some("file.access"),
        "edit" => Some("file.edit"),
        "upload" => Some("file.upload"),
        n if share
            .iter()
            .any(|s| n == *s || n.strip_prefix(s) == Some("_hierarchy_reconciled")) =>
        {
            Some("file.share")
        }
        _ => None,
    }
}

/// The kind of a Gmail `delivery` event by its `mail_event_type`.
fn mail_kind(mail_event_type: Option<&String>) -> Option<&'static str> {
    let Some(text) = mail_event_type else {
        return Some("email.message");
    };
    match text.trim().parse::<u32>().ok()? {
        0 | 2 => Some("email.message"),
        1 => Some("email.send"),
        10 | 11 => Some("email.forward"),
        15 | 16 => Some("email.url_click"),
        17 => Some("email.attachment_download"),
        18 | 19 => Some("email.attachment_save"),
        _ => None,
    }
}

/// The outcome a kind implies: logins succeed, failed logins fail; other
/// activities carry no outcome.
pub fn outcome_of(kind: &str) -> Option<&'static str> {
    match kind {
        "auth.login" => Some("success"),
        "auth.login_failed" => Some("failure"),
        _ => None,
    }
}

/// The `file_visibility` of a Drive `visibility` value.
///
/// | Drive value | visibility |
/// |---|---|
/// | `private` | private |
/// | `shared_internally`, `people_within_domain_with_link`, `public_in_the_domain` | internal |
/// | `shared_externally` | external |
/// | `people_with_link`, `public_on_the_web` | public |
///
/// Anyone holding a `people_with_link` link can open the file, inside the
/// domain or not, so it is public. Other values (`unknown`) give no
/// visibility; the value stays in `attrs`.
pub fn visibility_of(value: &str) -> Option<&'static str> {
    let value = value.trim().to_ascii_lowercase();
    match value.as_str() {
        "private" => Some("private"),
        "shared_internally" | "people_within_domain_with_link" | "public_in_the_domain" => {
            Some("internal")
        }
        "shared_externally" => Some("external"),
        "people_with_link" | "public_on_the_web" => Some("public"),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn kind(app: &str, name: Option<&str>) -> String {
        kind_of(app, name, &Attrs::new())
    }

    #[test]
    fn named_events_have_their_kind() {
        let cases = [
            ("login", "login_success", "auth.login"),
            ("login", "login_failure", "auth.login_failed"),
            ("login", "suspicious_login ", "auth.login_suspicious"),
            (
                "login",
                "suspicious_programmatic_login",
                "auth.login_suspicious",
            ),
            ("login", "logout", "auth.logout"),
            ("login", "2sv_enroll", "account.mfa_change"),
            ("user_accounts", "2sv_disable", "account.mfa_change"),
            ("user_accounts", "titanium_unenroll", "account.mfa_change"),
            ("user_accounts", "recovery_phone_edit", "account.change"),
            ("login", "password_edit", "account.change"),
            ("drive", "download", "file.download"),
            ("drive", "view", "file.access"),
            ("drive", "edit", "file.edit"),
            ("drive", "upload", "file.upload"),
            ("drive", "change_user_access", "file.share"),
            ("drive", "change_document_visibility", "file.share"),
            ("drive", "change_document_access_scope", "file.share"),
            (
                "drive",
                "change_user_access_hierarchy_reconciled",
                "file.share",
            ),
            ("drive", "change_owner", "gws.drive.change_owner"),
            ("admin", "CREATE_ROLE", "gws.admin.create_role"),
            ("saml", "login_success", "gws.saml.login_success"),
            ("logout", "login_success", "gws.logout.login_success"),
            (
                "mobile",
                "DEVICE_COMPROMISED_EVENT",
                "gws.mobile.device_compromised_event",
            ),
        ];
        for (app, name, want) in cases {
            assert_eq!(kind(app, Some(name)), want, "{app} {name}");
        }
        assert_eq!(kind("rules", None), "gws.rules");
    }

    #[test]
    fn gmail_deliveries_follow_the_mail_event_type() {
        let with = |t: Option<&str>| {
            let attrs = t
                .map(|t| Attrs::from([("event_info.mail_event_type", t.to_owned())]))
                .unwrap_or_default();
            kind_of("gmail", Some("delivery"), &attrs)
        };
        assert_eq!(with(None), "email.message");
        assert_eq!(with(Some("2")), "email.message");
        assert_eq!(with(Some("1")), "email.send");
        assert_eq!(with(Some("11")), "email.forward");
        assert_eq!(with(Some("15")), "email.url_click");
        assert_eq!(with(Some("17")), "email.attachment_download");
        assert_eq!(with(Some("19")), "email.attachment_save");
        assert_eq!(with(Some("7")), "gws.gmail.delivery");
        assert_eq!(with(Some("x")), "gws.gmail.delivery");
        assert_eq!(kind("gmail", Some("download")), "gws.gmail.download");
    }

    #[test]
    fn drive_visibility_values_map_to_four_levels() {
        assert_eq!(visibility_of("private"), Some("private"));
        assert_eq!(
            visibility_of("people_within_domain_with_link"),
            Some("internal")
        );
        assert_eq!(visibility_of("shared_internally"), Some("internal"));
        assert_eq!(visibility_of("SHARED_EXTERNALLY"), Some("external"));
        assert_eq!(visibility_of("people_with_link"), Some("public"));
        assert_eq!(visibility_of("public_on_the_web"), Some("public"));
        assert_eq!(visibility_of("unknown"), None);
    }
}
