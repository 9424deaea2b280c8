//! Palisade detector `outbound-mail`: a user suddenly sending far more
//! mail than usual, and bounce-backs piling up in their mailbox.
//!
//! A hijacked mailbox is used to send phishing or spam by the thousand
//! (MITRE ATT&CK T1534, Internal Spearphishing; T1566, Phishing); the
//! undeliverable addresses bounce back to the owner's inbox. The detector
//! reads `email.send` and `email.message` ([`message`] says what counts
//! as sent, a bounce-back and a reply), keeps per user the open hour and
//! a baseline of sent messages and distinct recipients per active hour
//! ([`hour`]), and reports:
//!
//! - `outbound_mail.burst`, once per user and hour, when the hour reaches
//!   `min_messages` and exceeds the baseline of messages or of distinct
//!   recipients `factor` times. Severity 60; +15 when at least half the
//!   messages carry links, +15 when at least half go outside the
//!   organisation, +15 when bounce-backs reach `min_bounces` in the same
//!   hour; capped at 100.
//! - `outbound_mail.bounces`, once per user and hour, when bounce-backs
//!   reach `min_bounces`: severity 50, 80 when the hour is also a burst.
//!
//! The findings are raised by the event that crosses the threshold (the
//! hour so far), so they come while the burst is going on. `attrs`:
//! `sent`, `recipients`, `external`, `with_links`, `bounces`, `replies`,
//! `baseline_sent`, `baseline_recipients`.
//!
//! One sent message may be in two logs: the unified audit log's `Send`
//! (`email.send`, no recipients) and Defender's outbound `EmailEvents`
//! row (`email.message`, with recipients and links). Once an outbound
//! `email.message` has been seen, the organisation's mail is counted from
//! those alone and `email.send` is ignored, so no message counts twice
//! whatever order the two logs are read in.
//!
//! State: `mail/<user>`, bounded by `max_recipients` hashes; `messages`,
//! set once outbound `email.message` rows have been seen.

mod config;
pub mod hour;
pub mod message;

use palisade_sdk::{
    Context, Description, Detector, Error, Event, Events, Finding, Findings, Settings,
};

use crate::config::Config;
use crate::hour::MailHour;
use crate::message::{MESSAGE_KIND, Mail, SEND_KIND};
use palisade_sdk::StateCache;

/// MITRE ATT&CK: Internal Spearphishing.
const T_INTERNAL_SPEARPHISHING: &str = "T1534";
/// MITRE ATT&CK: Phishing.
const T_PHISHING: &str = "T1566";

/// State key set once an outbound `email.message` was seen: from then on
/// `email.send` records are not counted.
const MESSAGES_SEEN: &str = "messages";

/// The detector.
#[derive(Debug)]
pub struct OutboundMail {
    config: Config,
}

impl Detector for OutboundMail {
    fn describe() -> Description {
        let description = Description::new(
            "outbound-mail",
            env!("CARGO_PKG_VERSION"),
            "Finds users sending far more mail than usual and bounce-back spikes.",
        )
        .kinds([SEND_KIND, MESSAGE_KIND])
        .columns([
            "user",
            "email_from",
            "email_to",
            "email_subject",
            "url",
            "attrs",
        ]);
        config::declare(description)
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        Ok(OutboundMail {
            config: Config::from_settings(settings)?,
        })
    }

    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error> {
        let mut hours = StateCache::<MailHour>::default();
        let mut messages_seen = ctx.get(MESSAGES_SEEN).is_some();
        for event in events {
            let Some(mail) = Mail::of(&event) else {
                continue;
            };
            if let Mail::Sent { .. } = mail {
                if event.kind() == MESSAGE_KIND && !messages_seen {
                    messages_seen = true;
                    ctx.put(MESSAGES_SEEN, b"1");
                }
                if event.kind() == SEND_KIND && messages_seen {
                    continue;
                }
            }
            let user = match mail {
                Mail::Sent { user, .. } | Mail::Bounce { user } | Mail::Reply { user } => user,
            };
            if self.config.ignore_senders.iter().any(|s| s == user) {
                continue;
            }
            let hour = hours.get_mut(ctx, MailHour::key(user))?;
            hour.advance(event.time(), self.config.baseline_hours);
            self.count(hour, &mail, &event);
            self.judge(hour, user, &event, out);
        }
        hours.flush(ctx)
    }
}

impl OutboundMail {
    fn count(&self, hour: &mut MailHour, mail: &Mail<'_>, event: &Event<'_>) {
        match mail {
            Mail::Sent { user, links } => {
                hour.sent = hour.sent.saturating_add(1);
                hour.links += u32::from(*links);
                let mut external = false;
                for to in event.email_to().iter().flat_map(|to| to.iter()) {
                    hour.add_recipient(to, self.config.max_recipients);
                    external |= self.config.is_external(to, user);
                }
                hour.external += u32::from(external);
            }
            Mail::Bounce { .. } => hour.bounces = hour.bounces.saturating_add(1),
            Mail::Reply { .. } => hour.replies = hour.replies.saturating_add(1),
        }
    }

    fn judge(&self, hour: &mut MailHour, user: &str, event: &Event<'_>, out: &mut Findings) {
        let config = &self.config;
        let burst = hour.is_burst(config.factor, config.min_messages);
        let bounces = hour.bounces >= config.min_bounces;
        if burst && !hour.burst_reported {
            hour.burst_reported = true;
            out.push(burst_finding(hour, user, event, bounces));
        }
        if bounces && !hour.bounces_reported {
            hour.bounces_reported = true;
            out.push(bounce_finding(hour, user, event, hour.burst_reported));
        }
    }
}

fn burst_finding(hour: &MailHour, user: &str, event: &Event<'_>, bounces: bool) -> Finding {
    let half = |n: u32| n > 0 && n.saturating_mul(2) >= hour.sent;
    let mut severity = 60;
    let mut traits = Vec::new();
    if half(hour.links) {
        severity += 15;
        traits.push("most carry links");
    }
    if half(hour.external) {
        severity += 15;
        traits.push("most go outside the organisation");
    }
    if bounces {
        severity += 15;
        traits.push("bounce-backs are piling up");
    }
    let usual = hour.mean_sent.round();
    let mut summary = format!(
        "{user} sent {} messages to {} within an hour, against a usual {usual:.0} {} per \
         active hour",
        hour.sent,
        counted(hour.recipients.len() as f64, "recipient"),
        if usual == 1.0 { "message" } else { "messages" },
    );
    if !traits.is_empty() {
        summary.push_str(&format!("; {}", traits.join(", ")));
    }
    summary.push('.');
    details(
        Finding::new(
            "outbound_mail.burst",
            severity.min(100),
            "Burst of outgoing mail",
            summary,
        ),
        hour,
        user,
        event,
    )
}

/// `n` and `noun`, plural unless `n` is one.
fn counted(n: f64, noun: &str) -> String {
    if n == 1.0 {
        format!("1 {noun}")
    } else {
        format!("{n:.0} {noun}s")
    }
}

fn bounce_finding(hour: &MailHour, user: &str, event: &Event<'_>, burst: bool) -> Finding {
    let mut summary = format!(
        "{} bounce-backs reached {user} within an hour",
        hour.bounces
    );
    if burst {
        summary.push_str(&format!(" while they sent {} messages", hour.sent));
    }
    summary.push('.');
    details(
        Finding::new(
            "outbound_mail.bounces",
            if burst { 80 } else { 50 },
            "Spike of bounce-backs",
            summary,
        ),
        hour,
        user,
        event,
    )
}

fn details(finding: Finding, hour: &MailHour, user: &str, event: &Event<'_>) -> Finding {
    finding
        .for_event(event)
        .user(user)
        .mitre(T_INTERNAL_SPEARPHISHING)
        .mitre(T_PHISHING)
        .attr("sent", hour.sent.to_string())
        .attr("recipients", hour.recipients.len().to_string())
        .attr("external", hour.external.to_string())
        .attr("with_links", hour.links.to_string())
        .attr("bounces", hour.bounces.to_string())
        .attr("replies", hour.replies.to_string())
        .attr("baseline_sent", format!("{:.1}", hour.mean_sent))
        .attr(
            "baseline_recipients",
            format!("{:.1}", hour.mean_recipients),
        )
}

palisade_sdk::export_detector!(OutboundMail);
