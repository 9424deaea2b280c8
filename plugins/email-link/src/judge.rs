//! How severe a link is, and the two findings the detector reports.
//!
//! A link to a new site in mail from a new sender starts at 50; what makes
//! it more or less likely to be a lure moves the score, capped to 0-100:
//!
//! | signal | change | reason code |
//! |---|---|---|
//! | the sender and the site are new (always) | 50 | `new_sender`, `new_domain` |
//! | the link's text shows another domain than it goes to | +20 | `text_shows_other_domain` |
//! | the link sits behind generic text ("Click Here", "View Document") | +15 | `generic_text` |
//! | the link goes to a document-sharing or redirect service | +15 | `sharing_service` |
//! | the mail filter flagged the message (`ThreatTypes` phish or malware) | +10 | `flagged_by_filter` |
//! | the message was blocked at delivery (`DeliveryAction` Blocked) | -30 | `blocked_at_delivery` |
//!
//! The recipient clicking the link, or the recipient's device reaching
//! the site, within the window is a second finding: the first one's score
//! +30, or +10 when the mail filter blocked the click.

use palisade_sdk::Finding;

use crate::config::Config;
use crate::observe::{Click, Link, Visit};
use crate::pending::{Message, Recipient};
use crate::site::{Site, generic_phrase, shown_host};

/// Finding kind: mail from a new sender with a link to a new site.
pub const NEW_DOMAIN: &str = "email_link.new_domain";
/// Finding kind: the recipient clicked that link or reached that site.
pub const CLICKED: &str = "email_link.clicked";

/// MITRE ATT&CK: Phishing: Spearphishing Link.
const T_SPEARPHISHING_LINK: &str = "T1566.002";
/// MITRE ATT&CK: User Execution: Malicious Link.
const T_MALICIOUS_LINK: &str = "T1204.001";

const BASE: i32 = 50;
const W_SHOWS_OTHER: i32 = 20;
const W_GENERIC: i32 = 15;
const W_SERVICE: i32 = 15;
const W_FLAGGED: i32 = 10;
const W_BLOCKED: i32 = -30;
/// Added for reaching the site.
const W_REACHED: i32 = 30;
/// Added for a click the mail filter blocked.
const W_BLOCKED_CLICK: i32 = 10;

/// What makes one link suspicious.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Assessment {
    pub severity: u8,
    pub reasons: Vec<&'static str>,
    /// The generic phrase its text matched.
    pub generic: Option<String>,
    /// The other host its text shows.
    pub shown: Option<String>,
}

impl Assessment {
    /// Judges `link` of `message`.
    pub(crate) fn of(message: &Message, link: &Link, config: &Config) -> Self {
        let text = link.text.as_deref().unwrap_or_default();
        let generic = generic_phrase(text, &config.generic_texts).map(str::to_owned);
        let shown =
            shown_host(text).filter(|host| Site::of(host, &config.services).name != link.site);
        let flagged = message.threat_types.as_deref().is_some_and(|t| {
            let t = t.to_ascii_lowercase();
            t.contains("phish") || t.contains("malware")
        });
        let blocked = message
            .delivery_action
            .as_deref()
            .is_some_and(|a| a.eq_ignore_ascii_case("blocked"));

        let signals = [
            (shown.is_some(), W_SHOWS_OTHER, "text_shows_other_domain"),
            (generic.is_some(), W_GENERIC, "generic_text"),
            (link.service.is_some(), W_SERVICE, "sharing_service"),
            (flagged, W_FLAGGED, "flagged_by_filter"),
            (blocked, W_BLOCKED, "blocked_at_delivery"),
        ];
        let mut reasons = vec!["new_sender", "new_domain"];
        let mut score = BASE;
        for (on, weight, code) in signals {
            if on {
                score += weight;
                reasons.push(code);
            }
        }
        Assessment {
            severity: clamp(score),
            reasons,
            generic,
            shown,
        }
    }
}

fn clamp(score: i32) -> u8 {
    u8::try_from(score.clamp(0, 100)).unwrap_or(100)
}

/// The first finding: `recipient` received `message` with `link`.
pub(crate) fn new_domain(
    id: &str,
    message: &Message,
    recipient: &Recipient,
    link: &Link,
    assessment: &Assessment,
) -> Finding {
    let sender = message.sender.as_deref().unwrap_or("an unknown sender");
    let subject = message
        .subject
        .as_deref()
        .map(|s| format!(" \"{s}\""))
        .unwrap_or_default();
    let behind = link
        .text
        .as_deref()
        .map(|t| format!(" behind \"{t}\""))
        .unwrap_or_default();
    let summary = format!(
        "{} received mail{subject} from {sender}, a sender new to the organisation, with a \
         link to {}{behind}; {} is new to the organisation.",
        recipient.user, link.host, link.site
    );
    let finding = Finding::new(
        NEW_DOMAIN,
        assessment.severity,
        "Link to a new domain in mail from a new sender",
        summary,
    )
    .at(recipient.time.max(link.time))
    .event(&recipient.event_id)
    .event(&link.event_id)
    .user(&recipient.user)
    .domain(&link.host)
    .ip(message.sender_ip.as_deref())
    .mitre(T_SPEARPHISHING_LINK)
    .attr("reasons", assessment.reasons.join(","));
    let finding = message_details(finding, id, message, link);
    optional_attrs(
        finding,
        [
            ("link_text", link.text.as_deref()),
            ("generic_text", assessment.generic.as_deref()),
            ("shown_domain", assessment.shown.as_deref()),
            ("service", link.service.as_deref()),
            ("delivery_action", message.delivery_action.as_deref()),
            ("threat_types", message.threat_types.as_deref()),
        ],
    )
}

/// How the recipient reached the site.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Reached {
    Click(Click),
    Visit(Visit),
}

impl Reached {
    pub(crate) fn time(&self) -> i64 {
        match self {
            Reached::Click(c) => c.time,
            Reached::Visit(v) => v.time,
        }
    }

    fn event_id(&self) -> &str {
        match self {
            Reached::Click(c) => &c.event_id,
            Reached::Visit(v) => &v.event_id,
        }
    }
}

/// The second finding: `recipient` clicked `link` or reached its site.
pub(crate) fn clicked(
    id: &str,
    message: &Message,
    recipient: &Recipient,
    link: &Link,
    assessment: &Assessment,
    reached: &Reached,
) -> Finding {
    let (weight, how, host, device, ip) = match reached {
        Reached::Click(c) => {
            let weight = if c.blocked {
                W_BLOCKED_CLICK
            } else {
                W_REACHED
            };
            (weight, "email.url_click", &c.host, None, c.ip.as_deref())
        }
        Reached::Visit(v) => (
            W_REACHED,
            v.how.as_str(),
            &v.host,
            v.device.as_deref(),
            None,
        ),
    };
    let severity = clamp(i32::from(assessment.severity) + weight);
    let finding = Finding::new(
        CLICKED,
        severity,
        "Recipient followed a link to a new domain from a new sender",
        reached_summary(message, recipient, link, reached),
    )
    .at(reached.time())
    .event(&recipient.event_id)
    .event(&link.event_id)
    .event(reached.event_id())
    .user(&recipient.user)
    .domain(&link.host)
    .device(device)
    .ip(ip)
    .mitre(T_SPEARPHISHING_LINK)
    .mitre(T_MALICIOUS_LINK)
    .attr("reasons", assessment.reasons.join(","))
    .attr("reached_by", how)
    .attr("reached_domain", host)
    .attr(
        "delay_seconds",
        ((reached.time() - message.time) / 1_000_000).to_string(),
    );
    let finding = message_details(finding, id, message, link);
    if matches!(reached, Reached::Click(c) if c.blocked) {
        finding.attr("click_blocked", "true")
    } else {
        finding
    }
}

/// The sentence of the second finding.
fn reached_summary(
    message: &Message,
    recipient: &Recipient,
    link: &Link,
    reached: &Reached,
) -> String {
    let sender = message.sender.as_deref().unwrap_or("an unknown sender");
    let delay = duration(reached.time() - message.time);
    match reached {
        Reached::Click(c) => {
            let blocked = if c.blocked {
                ", but the mail filter blocked it"
            } else {
                ""
            };
            format!(
                "{} clicked the link to {} in mail from {sender}, a new sender, {delay} \
                 after it arrived{blocked}.",
                recipient.user, link.host
            )
        }
        Reached::Visit(v) => {
            let who = match &v.device {
                Some(device) => format!("{}'s device {device}", recipient.user),
                None => recipient.user.clone(),
            };
            format!(
                "{who} reached {} ({}) {delay} after mail from {sender}, a new sender, \
                 linked to {}.",
                v.host, v.how, link.host
            )
        }
    }
}

/// Details both findings carry, for analysts and correlation rules.
fn message_details(finding: Finding, id: &str, message: &Message, link: &Link) -> Finding {
    let finding = finding
        .attr("network_message_id", id)
        .attr("registered_domain", &link.site);
    optional_attrs(
        finding,
        [
            ("sender", message.sender.as_deref()),
            ("sender_domain", message.sender_domain.as_deref()),
            ("subject", message.subject.as_deref()),
            ("url", link.url.as_deref()),
        ],
    )
}

fn optional_attrs<const N: usize>(
    mut finding: Finding,
    attrs: [(&str, Option<&str>); N],
) -> Finding {
    for (key, value) in attrs {
        if let Some(value) = value {
            finding = finding.attr(key, value);
        }
    }
    finding
}

/// A span in words: `45 seconds`, `1 minute`, `3 hours`.
fn duration(micros: i64) -> String {
    let seconds = micros.max(0) / 1_000_000;
    let (n, unit) = match seconds {
        s if s < 60 => (s, "second"),
        s if s < 3_600 => (s / 60, "minute"),
        s => (s / 3_600, "hour"),
    };
    let plural = if n == 1 { "" } else { "s" };
    format!("{n} {unit}{plural}")
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::config::declare;
    use palisade_sdk::{Description, Settings};

    fn config() -> Config {
        let d = declare(Description::new("email-link", "0", "t"));
        Config::from_settings(&Settings::resolve(&d, Vec::<(String, String)>::new()).unwrap())
            .unwrap()
    }

    fn link(host: &str, site: &str, service: Option<&str>, text: Option<&str>) -> Link {
        Link {
            event_id: "u1".to_owned(),
            time: 0,
            url: None,
            host: host.to_owned(),
            site: site.to_owned(),
            service: service.map(str::to_owned),
            text: text.map(str::to_owned),
        }
    }

    #[test]
    fn signals_add_up_and_clamp() {
        let message = Message::default();
        let plain = Assessment::of(
            &message,
            &link("a.evil.example", "evil.example", None, None),
            &config(),
        );
        assert_eq!(plain.severity, 50);
        assert_eq!(plain.reasons, ["new_sender", "new_domain"]);

        let lure = link("a.evil.example", "evil.example", None, Some("Click Here"));
        let lure = Assessment::of(&message, &lure, &config());
        assert_eq!(
            (lure.severity, lure.generic.as_deref()),
            (65, Some("click here"))
        );

        let shown = link(
            "x.sharepoint.com",
            "x.sharepoint.com",
            Some("sharepoint.com"),
            Some("https://www.paypal.com"),
        );
        let flagged = Message {
            threat_types: Some("Phish".to_owned()),
            ..Message::default()
        };
        let a = Assessment::of(&flagged, &shown, &config());
        assert_eq!(a.severity, 95);
        assert_eq!(a.shown.as_deref(), Some("www.paypal.com"));
    }

    #[test]
    fn blocked_delivery_lowers_severity() {
        let blocked = Message {
            delivery_action: Some("Blocked".to_owned()),
            ..Message::default()
        };
        let a = Assessment::of(
            &blocked,
            &link("evil.example", "evil.example", None, None),
            &config(),
        );
        assert_eq!(a.severity, 20);
        assert!(a.reasons.contains(&"blocked_at_delivery"));
    }

    #[test]
    fn durations_read_naturally() {
        assert_eq!(duration(45_000_000), "45 seconds");
        assert_eq!(duration(60_000_000), "1 minute");
        assert_eq!(duration(3 * 3_600_000_000), "3 hours");
        assert_eq!(duration(-5), "0 seconds");
    }
}
