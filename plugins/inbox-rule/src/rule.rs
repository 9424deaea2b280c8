//! An inbox rule change read from a `mailbox.rule_change` event: who made
//! it, what it is called, what mail it matches and what it does with it.
//!
//! The rule's parameters arrive in `attrs` under the Exchange parameter
//! names of `New-InboxRule`/`Set-InboxRule` (`MoveToFolder`, `MarkAsRead`,
//! ...), looked up ignoring case. Multi-valued parameters are separated by
//! `;` in the audit log.

use palisade_sdk::Event;

/// How the rule was touched, from the event's `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Operation {
    /// `New-InboxRule`.
    Created,
    /// `Set-InboxRule`, or an action this detector does not know.
    Changed,
    /// `UpdateInboxRules`: a mail client created or changed rules.
    Updated,
}

impl Operation {
    /// The operation of `action`; `None` for removing or disabling a rule,
    /// which cannot hide mail.
    fn of(action: Option<&str>) -> Option<Self> {
        let action = action.unwrap_or_default();
        let is = |name: &str| action.eq_ignore_ascii_case(name);
        if is("Remove-InboxRule") || is("Disable-InboxRule") {
            None
        } else if is("New-InboxRule") {
            Some(Operation::Created)
        } else if is("UpdateInboxRules") {
            Some(Operation::Updated)
        } else {
            Some(Operation::Changed)
        }
    }

    /// The verb of the summary sentence.
    pub(crate) fn verb(self) -> &'static str {
        match self {
            Operation::Created => "created",
            Operation::Changed => "changed",
            Operation::Updated => "created or changed",
        }
    }
}

/// How a rule sends mail on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Sending {
    /// `ForwardTo`.
    Forward,
    /// `ForwardAsAttachmentTo`.
    ForwardAsAttachment,
    /// `RedirectTo`.
    Redirect,
}

impl Sending {
    /// Every way, with its parameter name.
    const ALL: [(Sending, &'static str); 3] = [
        (Sending::Forward, "ForwardTo"),
        (Sending::ForwardAsAttachment, "ForwardAsAttachmentTo"),
        (Sending::Redirect, "RedirectTo"),
    ];
}

/// A recipient the rule sends mail to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Recipient {
    /// How the mail is sent on.
    pub how: Sending,
    /// The SMTP address in lower case, or the text as given when it has no
    /// address (a display name that Exchange resolves to a mailbox).
    pub address: String,
}

impl Recipient {
    /// The domain of the address, if it is an SMTP address.
    pub(crate) fn domain(&self) -> Option<&str> {
        self.address.rsplit_once('@').map(|(_, d)| d)
    }
}

/// The mail a rule matches, by condition parameter.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Conditions<'a> {
    /// `From`: sender addresses or names.
    pub from: Vec<&'a str>,
    /// `FromAddressContainsWords`.
    pub from_words: Vec<&'a str>,
    /// `SubjectContainsWords`.
    pub subject: Vec<&'a str>,
    /// `BodyContainsWords`.
    pub body: Vec<&'a str>,
    /// `SubjectOrBodyContainsWords`.
    pub subject_or_body: Vec<&'a str>,
}

impl<'a> Conditions<'a> {
    /// Every word or address the rule filters on.
    pub(crate) fn all_words(&self) -> impl Iterator<Item = &'a str> + '_ {
        [
            &self.from,
            &self.from_words,
            &self.subject,
            &self.body,
            &self.subject_or_body,
        ]
        .into_iter()
        .flatten()
        .copied()
    }
}

/// One rule change, as far as hiding mail is concerned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RuleChange<'a> {
    pub operation: Operation,
    /// The mailbox owner who made the change (`user`).
    pub owner: Option<&'a str>,
    /// The rule's name (`rule_name`, else the `Name` parameter).
    pub name: Option<&'a str>,
    /// `MoveToFolder`, as given.
    pub move_to: Option<&'a str>,
    /// `DeleteMessage`.
    pub delete: bool,
    /// `MarkAsRead`.
    pub mark_read: bool,
    /// `StopProcessingRules`.
    pub stop_processing: bool,
    /// `ForwardTo`, `ForwardAsAttachmentTo`, `RedirectTo`.
    pub recipients: Vec<Recipient>,
    pub conditions: Conditions<'a>,
}

impl<'a> RuleChange<'a> {
    /// The rule change an event records; `None` when the event removes or
    /// disables a rule.
    pub(crate) fn from_event(event: &Event<'a>) -> Option<Self> {
        let operation = Operation::of(event.action())?;
        let param = |name: &str| event.attr(name).map(str::trim).filter(|v| !v.is_empty());
        let flag = |name: &str| param(name).is_some_and(is_true);
        let words = |name: &str| param(name).map(split_values).unwrap_or_default();

        let recipients = Sending::ALL
            .iter()
            .flat_map(|&(how, name)| {
                split_values(param(name).unwrap_or_default())
                    .into_iter()
                    .flat_map(|v| v.split(','))
                    .filter_map(move |v| recipient(how, v))
            })
            .collect();
        Some(RuleChange {
            operation,
            owner: event.user(),
            name: event.rule_name().or_else(|| event.attr("Name")),
            move_to: param("MoveToFolder"),
            delete: flag("DeleteMessage"),
            mark_read: flag("MarkAsRead"),
            stop_processing: flag("StopProcessingRules"),
            recipients,
            conditions: Conditions {
                from: words("From"),
                from_words: words("FromAddressContainsWords"),
                subject: words("SubjectContainsWords"),
                body: words("BodyContainsWords"),
                subject_or_body: words("SubjectOrBodyContainsWords"),
            },
        })
    }
}

/// Whether a switch parameter is on: `True`, `$true` or `1`.
fn is_true(value: &str) -> bool {
    let v = value.trim().trim_start_matches('$');
    v.eq_ignore_ascii_case("true") || v == "1"
}

/// The items of a `;`-separated parameter, trimmed, without empties.
pub(crate) fn split_values(value: &str) -> Vec<&str> {
    value
        .split(';')
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .collect()
}

/// A recipient from text such as `a@b.com`, `SMTP:a@b.com` or
/// `"Ann" [SMTP:a@b.com]`.
fn recipient(how: Sending, text: &str) -> Option<Recipient> {
    let text = text.trim();
    if text.is_empty() {
        return None;
    }
    let junk = |c: char| "<>[]()\"'".contains(c);
    let address = text
        .split(|c: char| c.is_whitespace() || junk(c))
        .find(|word| word.contains('@'))
        .map(|word| {
            let word = word.trim_matches(junk);
            let lower = word.to_ascii_lowercase();
            lower
                .strip_prefix("smtp:")
                .map(str::to_owned)
                .unwrap_or(lower)
        })
        .unwrap_or_else(|| text.to_owned());
    Some(Recipient { how, address })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn recipients_are_read_from_the_usual_forms() {
        let r = |t| recipient(Sending::Forward, t).map(|r| r.address);
        assert_eq!(r("Evil@Example.COM").as_deref(), Some("evil@example.com"));
        assert_eq!(r("SMTP:a@b.com").as_deref(), Some("a@b.com"));
        assert_eq!(r("\"Ann\" [SMTP:ann@b.com]").as_deref(), Some("ann@b.com"));
        assert_eq!(r("Ann Smith").as_deref(), Some("Ann Smith"));
        assert_eq!(r(" "), None);
        let with_domain = recipient(Sending::Redirect, "x@y.org").unwrap();
        assert_eq!(with_domain.domain(), Some("y.org"));
    }

    #[test]
    fn switches_and_lists() {
        assert!(is_true("True") && is_true("$true") && is_true("1"));
        assert!(!is_true("False") && !is_true(""));
        assert_eq!(
            split_values("do not open; covid-19;"),
            ["do not open", "covid-19"]
        );
    }

    #[test]
    fn removing_a_rule_is_not_a_change_to_judge() {
        assert_eq!(Operation::of(Some("Remove-InboxRule")), None);
        assert_eq!(
            Operation::of(Some("new-inboxrule")),
            Some(Operation::Created)
        );
        assert_eq!(Operation::of(None), Some(Operation::Changed));
    }
}
