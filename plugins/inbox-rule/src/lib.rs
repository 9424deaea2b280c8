//! Palisade detector `inbox-rule`: inbox rules that hide mail from the
//! mailbox owner.
//!
//! After taking over a mailbox, attackers add a rule that keeps the owner
//! from seeing replies to their phishing, bounces and security warnings:
//! mail is moved to a folder nobody opens (RSS Feeds), marked read,
//! deleted, or forwarded out, and the rule gets a name like "." so it goes
//! unnoticed (MITRE ATT&CK T1564.008, Email Hiding Rules; T1114.003, Email
//! Forwarding Rule).
//!
//! The detector reads `mailbox.rule_change` events from the Microsoft 365
//! unified audit log (`New-InboxRule`, `Set-InboxRule`, `UpdateInboxRules`;
//! the rule's parameters in `attrs`), judges each rule change
//! ([`assess`] documents the scoring) and reports one finding per rule
//! that hides mail:
//!
//! - `inbox_rule.forwarding` when it sends mail outside the organisation
//!   (T1114.003, plus T1564.008 when it also hides mail);
//! - `inbox_rule.hiding` otherwise (T1564.008).
//!
//! Each finding names the owner (`user`), the client address (`ip`), the
//! first outside domain (`domain`) and the event, and says in one sentence
//! what the rule does. Rules that only pin, categorise or move mail to an
//! ordinary folder are quiet. The detector keeps no state.
//!
//! Settings (see [`config`]): `internal_domains`, `keywords`,
//! `extra_hiding_folders`, `min_severity`.

pub mod assess;
pub mod config;
mod rule;
mod summary;

use palisade_sdk::{
    Context, Description, Detector, Error, Event, Events, Finding, Findings, Settings,
};

use crate::assess::Assessment;
use crate::config::Config;
use crate::rule::RuleChange;

/// The event kind this detector reads.
pub const KIND: &str = "mailbox.rule_change";
/// Finding kind: a rule that hides mail.
pub const HIDING: &str = "inbox_rule.hiding";
/// Finding kind: a rule that sends mail outside the organisation.
pub const FORWARDING: &str = "inbox_rule.forwarding";

/// MITRE ATT&CK: Hide Artifacts: Email Hiding Rules.
const T_HIDING_RULES: &str = "T1564.008";
/// MITRE ATT&CK: Email Collection: Email Forwarding Rule.
const T_FORWARDING_RULE: &str = "T1114.003";

/// The detector.
#[derive(Debug)]
pub struct InboxRule {
    config: Config,
}

impl Detector for InboxRule {
    fn describe() -> Description {
        let description = Description::new(
            "inbox-rule",
            env!("CARGO_PKG_VERSION"),
            "Finds inbox rules that hide mail from the mailbox owner or forward it outside \
             the organisation.",
        )
        .kinds([KIND])
        .columns(["action", "user", "src_ip", "rule_name", "attrs"]);
        config::declare(description)
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        Ok(InboxRule {
            config: Config::from_settings(settings)?,
        })
    }

    fn detect(
        &mut self,
        events: &Events,
        _: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error> {
        for event in events {
            if let Some(finding) = self.judge(&event) {
                out.push(finding);
            }
        }
        Ok(())
    }
}

impl InboxRule {
    /// The finding for one event, if its rule hides mail badly enough.
    fn judge(&self, event: &Event<'_>) -> Option<Finding> {
        let rule = RuleChange::from_event(event)?;
        let assessment = Assessment::of(&rule, &self.config);
        let severity = assessment.severity();
        if !assessment.hides() || severity < self.config.min_severity {
            return None;
        }

        let forwards = !assessment.outside.is_empty();
        let (kind, title) = if forwards {
            (
                FORWARDING,
                "Inbox rule forwards mail outside the organisation",
            )
        } else {
            (HIDING, "Inbox rule hides mail from the mailbox owner")
        };
        let mut finding = Finding::new(kind, severity, title, summary::summary(&rule))
            .for_event(event)
            .user(rule.owner)
            .ip(event.src_ip())
            .domain(assessment.outside.first().and_then(|r| r.domain()));
        if forwards {
            finding = finding.mitre(T_FORWARDING_RULE);
        }
        let hides_too = assessment.name != assess::NameSignal::Ordinary
            || assessment.folder.is_some()
            || assessment.delete
            || assessment.mark_read;
        if !forwards || hides_too {
            finding = finding.mitre(T_HIDING_RULES);
        }
        Some(details(finding, &rule, &assessment))
    }
}

/// Adds the finding's details: what was seen, for analysts and for
/// correlation rules.
fn details(mut finding: Finding, rule: &RuleChange<'_>, assessment: &Assessment) -> Finding {
    finding = finding.attr("reasons", assessment.reasons().join(","));
    if let Some(name) = rule.name {
        finding = finding.attr("rule_name", name);
    }
    if let Some((folder, _)) = &assessment.folder {
        finding = finding.attr("move_to_folder", folder);
    }
    if !assessment.outside.is_empty() {
        let to: Vec<&str> = assessment
            .outside
            .iter()
            .map(|r| r.address.as_str())
            .collect();
        finding = finding.attr("forward_to", to.join(","));
    }
    if !assessment.keywords.is_empty() {
        finding = finding.attr("keywords", assessment.keywords.join(","));
    }
    finding
}

palisade_sdk::export_detector!(InboxRule);
