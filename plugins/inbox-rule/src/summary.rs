//! The one-sentence summary of a rule change, such as: `adelev@contoso.com
//! created inbox rule "rule2" that moves mail with "do not open" in the
//! subject to Junk Email and stops processing other rules.`

use crate::rule::{Conditions, Recipient, RuleChange, Sending};

/// The summary sentence of `rule`.
pub(crate) fn summary(rule: &RuleChange<'_>) -> String {
    let who = rule.owner.unwrap_or("An unknown user");
    let what = match rule.name {
        Some(name) => format!("inbox rule \"{name}\""),
        None => "an inbox rule".to_owned(),
    };
    let actions = actions(rule);
    let does = if actions.is_empty() {
        "has a name chosen to go unnoticed".to_owned()
    } else {
        join(&actions)
    };
    format!("{who} {} {what} that {does}.", rule.operation.verb())
}

/// The rule's actions as verb phrases; the first that acts on mail names
/// the mail ("mail with ... in the subject"), later ones say "it".
fn actions(rule: &RuleChange<'_>) -> Vec<String> {
    let mut mail = Some(mail_phrase(&rule.conditions));
    let mut object = move || mail.take().unwrap_or_else(|| "it".to_owned());

    let mut out = Vec::new();
    if let Some(folder) = rule.move_to {
        let leaf = folder.rsplit(['\\', '/']).next().unwrap_or(folder).trim();
        out.push(format!("moves {} to {leaf}", object()));
    }
    if rule.delete {
        out.push(format!("deletes {}", object()));
    }
    for (how, verb) in [
        (Sending::Forward, "forwards {} to"),
        (
            Sending::ForwardAsAttachment,
            "forwards {} as an attachment to",
        ),
        (Sending::Redirect, "redirects {} to"),
    ] {
        let to: Vec<&Recipient> = rule.recipients.iter().filter(|r| r.how == how).collect();
        if !to.is_empty() {
            let addresses: Vec<String> = to.iter().map(|r| r.address.clone()).collect();
            let phrase = verb.replace("{}", &object());
            out.push(format!("{phrase} {}", join(&addresses)));
        }
    }
    if rule.mark_read {
        out.push(format!("marks {} as read", object()));
    }
    if rule.stop_processing {
        out.push("stops processing other rules".to_owned());
    }
    out
}

/// "mail", narrowed by the rule's conditions: `mail from a@b.com with
/// "invoice" in the subject`.
fn mail_phrase(c: &Conditions<'_>) -> String {
    let quoted = |words: &[&str]| {
        let q: Vec<String> = words.iter().map(|w| format!("\"{w}\"")).collect();
        join_with(&q, "or")
    };
    let mut phrase = "mail".to_owned();
    if !c.from.is_empty() {
        let from: Vec<String> = c.from.iter().map(|s| (*s).to_owned()).collect();
        phrase.push_str(&format!(" from {}", join_with(&from, "or")));
    }
    if !c.from_words.is_empty() {
        phrase.push_str(&format!(" from senders matching {}", quoted(&c.from_words)));
    }
    let with: Vec<String> = [
        (&c.subject, "the subject"),
        (&c.body, "the body"),
        (&c.subject_or_body, "the subject or body"),
    ]
    .into_iter()
    .filter(|(words, _)| !words.is_empty())
    .map(|(words, place)| format!("{} in {place}", quoted(words)))
    .collect();
    if !with.is_empty() {
        phrase.push_str(&format!(" with {}", join(&with)));
    }
    phrase
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[String]) -> String {
    join_with(items, "and")
}

fn join_with(items: &[String], last: &str) -> String {
    match items {
        [] => String::new(),
        [one] => one.clone(),
        [init @ .., tail] => format!("{} {last} {tail}", init.join(", ")),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rule::Operation;

    fn rule() -> RuleChange<'static> {
        RuleChange {
            operation: Operation::Created,
            owner: Some("adelev@contoso.onmicrosoft.com"),
            name: Some("rule2"),
            move_to: Some("Junk Email"),
            delete: false,
            mark_read: true,
            stop_processing: false,
            recipients: Vec::new(),
            conditions: Conditions {
                subject: vec!["do not open"],
                ..Conditions::default()
            },
        }
    }

    #[test]
    fn the_first_action_names_the_mail_and_later_ones_say_it() {
        assert_eq!(
            summary(&rule()),
            "adelev@contoso.onmicrosoft.com created inbox rule \"rule2\" that moves mail \
             with \"do not open\" in the subject to Junk Email and marks it as read."
        );
    }

    #[test]
    fn forwarding_and_several_conditions() {
        let mut r = rule();
        r.move_to = None;
        r.mark_read = false;
        r.stop_processing = true;
        r.conditions.from = vec!["ceo@contoso.com"];
        r.conditions.body = vec!["wire", "payment"];
        r.recipients = vec![Recipient {
            how: Sending::Redirect,
            address: "x@evil.example".to_owned(),
        }];
        assert_eq!(
            summary(&r),
            "adelev@contoso.onmicrosoft.com created inbox rule \"rule2\" that redirects mail \
             from ceo@contoso.com with \"do not open\" in the subject and \"wire\" or \
             \"payment\" in the body to x@evil.example and stops processing other rules."
        );
    }

    #[test]
    fn join_lists() {
        let items = |v: &[&str]| v.iter().map(|s| (*s).to_owned()).collect::<Vec<_>>();
        assert_eq!(join(&items(&["a", "b", "c"])), "a, b and c");
        assert_eq!(join_with(&items(&["a", "b"]), "or"), "a or b");
    }
}
