//! What the detector reads from each event: a message, one of its links, a
//! click, or a visit by a device.
//!
//! | kind | read as | columns and `attrs` used |
//! |---|---|---|
//! | `email.message` | [`MessageRow`] | `email_from`, `email_to`, `user`, `email_subject`, `domain` (the sender's domain), `action` (the delivery action); `NetworkMessageId`, `EmailDirection`, `SenderFromDomain`, `SenderIPv4`/`SenderIPv6`, `DeliveryAction`, `ThreatTypes` |
//! | `email.url` | [`Link`] | `url`, `domain`; `NetworkMessageId`, `UrlLocation`, `UrlText`/`LinkText`/`DisplayText` |
//! | `email.url_click` | [`Click`], or a [`Visit`] without `NetworkMessageId` | `user`, `url`, `domain`, `src_ip`, `action` (the click's action type); `NetworkMessageId`, `ActionType`, `IsClickedThrough` |
//! | `dns.query`, `http.request`, `tls.session` | [`Visit`] | `user`, `device`, `domain` (else the host of `url`) |
//!
//! A row without the host it is about is skipped: there is nothing to
//! learn from it.

use palisade_sdk::Event;
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::site::{Site, host_of, registered_domain};

/// Event kind: one mail, one row per recipient.
pub const MESSAGE: &str = "email.message";
/// Event kind: one link of a message.
pub const URL: &str = "email.url";
/// Event kind: a click on a link in mail.
pub const URL_CLICK: &str = "email.url_click";
/// Event kinds of a device reaching a domain.
pub const NETWORK: [&str; 3] = ["dns.query", "http.request", "tls.session"];

/// Attributes that may hold a link's display text, by source.
const LINK_TEXT_ATTRS: [&str; 3] = ["UrlText", "LinkText", "DisplayText"];

/// Which way a message went.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Direction {
    Inbound,
    Outbound,
    Internal,
}

/// One row of a message: a recipient of it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct MessageRow {
    pub event_id: String,
    pub time: i64,
    /// `NetworkMessageId`, else the Internet message id.
    pub message: Option<String>,
    pub direction: Direction,
    /// The sender's address, lower case.
    pub sender: Option<String>,
    /// The registered domain of the sender's domain.
    pub sender_domain: Option<String>,
    /// Inbound: the recipient (`user`, else `email_to`); outbound: `email_to`.
    pub recipients: Vec<String>,
    pub subject: Option<String>,
    pub sender_ip: Option<String>,
    pub delivery_action: Option<String>,
    pub threat_types: Option<String>,
}

/// A link in a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Link {
    pub event_id: String,
    pub time: i64,
    pub url: Option<String>,
    pub host: String,
    pub site: String,
    pub service: Option<String>,
    /// The text the link sits behind, where the source gives it.
    pub text: Option<String>,
}

/// A recipient's click on a link of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Click {
    pub event_id: String,
    pub time: i64,
    pub user: String,
    pub host: String,
    pub site: String,
    pub ip: Option<String>,
    /// Blocked by the mail filter and not clicked through.
    pub blocked: bool,
}

/// A user's device (or a click with no message id) reaching a host.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Visit {
    pub event_id: String,
    pub time: i64,
    pub user: Option<String>,
    pub device: Option<String>,
    pub host: String,
    pub site: String,
    /// The event kind that showed it (`dns.query`).
    pub how: String,
}

/// What one event says.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) enum Observation {
    Message(MessageRow),
    /// A link, with the message it belongs to when the row names it.
    Link(Option<String>, Link),
    /// A click on a link of the named message.
    Click(String, Click),
    Visit(Visit),
}

impl Observation {
    /// What `event` says, if it is of a kind the detector reads and names
    /// what it is about.
    pub(crate) fn of(event: &Event<'_>, config: &Config) -> Option<Self> {
        match event.kind() {
            MESSAGE => Some(Observation::Message(message(event))),
            URL => {
                let (host, site) = target(event, config)?;
                let link = Link {
                    event_id: event.event_id().to_owned(),
                    time: event.time(),
                    url: event.url().map(str::to_owned),
                    host,
                    site: site.name,
                    service: site.service,
                    text: LINK_TEXT_ATTRS
                        .iter()
                        .find_map(|a| event.attr(a))
                        .map(str::trim)
                        .filter(|t| !t.is_empty())
                        .map(str::to_owned),
                };
                Some(Observation::Link(network_message_id(event), link))
            }
            URL_CLICK => click(event, config),
            kind if NETWORK.contains(&kind) => {
                let (host, site) = target(event, config)?;
                Some(Observation::Visit(visit(event, host, site)))
            }
            _ => None,
        }
    }
}

fn message(event: &Event<'_>) -> MessageRow {
    let sender = event.email_from().map(str::to_lowercase);
    // Defender's normalizer puts `SenderFromDomain` in the `domain` column.
    let sender_domain = event
        .attr("SenderFromDomain")
        .or_else(|| event.domain())
        .map(str::to_owned)
        .or_else(|| Some(sender.as_deref()?.rsplit_once('@')?.1.to_owned()))
        .and_then(|d| host_of(&d))
        .map(|d| registered_domain(&d));
    let to: Vec<String> = event
        .email_to()
        .map(|list| list.iter().map(str::to_lowercase).collect())
        .unwrap_or_default();
    let user = event.user().map(str::to_lowercase);
    let direction = direction(event.attr("EmailDirection"), sender_domain.as_deref(), &to);
    let recipients = match (direction, user) {
        (Direction::Outbound, _) => to,
        (_, Some(user)) => vec![user],
        (_, None) => to,
    };
    MessageRow {
        event_id: event.event_id().to_owned(),
        time: event.time(),
        message: network_message_id(event).or_else(|| event.message_id().map(str::to_owned)),
        direction,
        sender,
        sender_domain,
        recipients,
        subject: event.email_subject().map(str::to_owned),
        sender_ip: event
            .attr("SenderIPv4")
            .or_else(|| event.attr("SenderIPv6"))
            .filter(|ip| !ip.is_empty())
            .map(str::to_owned),
        // In `action` as Defender's normalizer maps it; in attrs elsewhere.
        delivery_action: nonempty_attr(event, "DeliveryAction")
            .or_else(|| event.action().map(str::to_owned)),
        threat_types: nonempty_attr(event, "ThreatTypes"),
    }
}

/// The direction `EmailDirection` gives; without it (or `Unknown`), mail
/// from a domain none of the recipients share counts as inbound.
fn direction(given: Option<&str>, sender_domain: Option<&str>, to: &[String]) -> Direction {
    match given.map(str::trim) {
        Some(d) if d.eq_ignore_ascii_case("inbound") => Direction::Inbound,
        Some(d) if d.eq_ignore_ascii_case("outbound") => Direction::Outbound,
        Some(d) if d.eq_ignore_ascii_case("intra-org") || d.eq_ignore_ascii_case("intraorg") => {
            Direction::Internal
        }
        _ => {
            let shared = to.iter().any(|r| {
                let domain = r.rsplit_once('@').and_then(|(_, d)| host_of(d));
                domain.map(|d| registered_domain(&d)).as_deref() == sender_domain
            });
            if shared {
                Direction::Internal
            } else {
                Direction::Inbound
            }
        }
    }
}

fn click(event: &Event<'_>, config: &Config) -> Option<Observation> {
    let (host, site) = target(event, config)?;
    let user = event.user().map(str::to_lowercase);
    let (Some(message), Some(user)) = (network_message_id(event), user) else {
        return Some(Observation::Visit(visit(event, host, site)));
    };
    let clicked_through = event
        .attr("IsClickedThrough")
        .is_some_and(|v| matches!(v.trim().to_ascii_lowercase().as_str(), "true" | "1"));
    let blocked = event
        .attr("ActionType")
        .or_else(|| event.action())
        .is_some_and(|a| a.to_ascii_lowercase().contains("blocked"));
    let click = Click {
        event_id: event.event_id().to_owned(),
        time: event.time(),
        user,
        host,
        site: site.name,
        ip: event.src_ip().map(str::to_owned),
        blocked: blocked && !clicked_through,
    };
    Some(Observation::Click(message, click))
}

fn visit(event: &Event<'_>, host: String, site: Site) -> Visit {
    Visit {
        event_id: event.event_id().to_owned(),
        time: event.time(),
        user: event.user().map(str::to_lowercase),
        device: event.device().map(str::to_owned),
        host,
        site: site.name,
        how: event.kind().to_owned(),
    }
}

/// The host an event is about (`domain`, else the host of `url`) and its
/// site.
fn target(event: &Event<'_>, config: &Config) -> Option<(String, Site)> {
    let host = event
        .domain()
        .and_then(host_of)
        .or_else(|| event.url().and_then(host_of))?;
    let site = Site::of(&host, &config.services);
    Some((host, site))
}

fn network_message_id(event: &Event<'_>) -> Option<String> {
    nonempty_attr(event, "NetworkMessageId").map(|id| id.to_lowercase())
}

fn nonempty_attr(event: &Event<'_>, name: &str) -> Option<String> {
    event
        .attr(name)
        .map(str::trim)
        .filter(|v| !v.is_empty())
        .map(str::to_owned)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn direction_falls_back_to_comparing_domains() {
        let to = ["bob@contoso.com".to_owned()];
        let d = |given, sender| direction(given, sender, &to);
        assert_eq!(d(Some("Inbound"), Some("contoso.com")), Direction::Inbound);
        assert_eq!(d(Some("Outbound"), None), Direction::Outbound);
        assert_eq!(d(Some("Intra-org"), None), Direction::Internal);
        assert_eq!(d(None, Some("contoso.com")), Direction::Internal);
        assert_eq!(d(Some("Unknown"), Some("evil.example")), Direction::Inbound);
    }
}
