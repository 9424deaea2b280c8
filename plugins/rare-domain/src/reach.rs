//! One event as "a device reached a registered domain".

use palisade_sdk::Event;

use crate::domain;

/// A device (or, for mail, a recipient) reaching a registered domain.
#[derive(Debug, Clone)]
pub(crate) struct Reach<'a> {
    pub event_id: &'a str,
    pub time: i64,
    pub kind: &'a str,
    /// The name as logged.
    pub name: &'a str,
    /// Its registered domain.
    pub domain: String,
    /// Who reached it: device, address or recipient.
    pub who: String,
    pub device: Option<&'a str>,
    pub user: Option<&'a str>,
    pub ip: Option<&'a str>,
    pub answers: Option<&'a str>,
}

impl<'a> Reach<'a> {
    /// The reach in `event`, if it names an internet domain and someone who
    /// reached it.
    pub(crate) fn of(event: &Event<'a>) -> Option<Self> {
        let name = event.domain()?;
        let domain = domain::registered(name)?;
        let text = |v: Option<&'a str>| v.map(str::trim).filter(|v| !v.is_empty());
        let device = text(event.device());
        let ip = text(event.src_ip());
        let mail = event.kind().starts_with("email.");
        let user = text(event.user()).or_else(|| {
            mail.then(|| event.email_to().and_then(|to| to.iter().next()))
                .flatten()
                .and_then(|u| text(Some(u)))
        });
        let who = if mail { device.or(user) } else { device.or(ip) }?;
        Some(Reach {
            event_id: event.event_id(),
            time: event.time(),
            kind: event.kind(),
            name,
            domain,
            who: who.to_owned(),
            device: device.or(if mail { None } else { ip }),
            user,
            ip,
            answers: text(event.attr("answers")),
        })
    }

    /// Whether who reached the domain is a mail recipient rather than a
    /// device.
    pub(crate) fn is_mailbox(&self) -> bool {
        self.is_mail_link() && self.device.is_none()
    }

    /// Whether the domain came from a link in mail.
    pub(crate) fn is_mail_link(&self) -> bool {
        self.kind.starts_with("email.")
    }
}
