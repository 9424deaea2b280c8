//! What a mail event means for the detector: a message a user sent, or a
//! bounce-back or reply arriving in a user's mailbox.
//!
//! - Sent: `email.send` (the unified audit log's `Send`, `SendAs`,
//!   `SendOnBehalf`; Gmail's sent mail), and `email.message` whose
//!   `EmailDirection` is `Outbound` or `Intra-org` (Defender's
//!   `EmailEvents`, where `user` is then the sender). Intra-org mail
//!   counts: a hijacked mailbox phishes its colleagues.
//! - Arriving: any other `email.message` to `user` (else the first of
//!   `email_to`). It is a bounce-back when the sender is a mailer daemon
//!   or postmaster, or the subject is a non-delivery report
//!   ("Undeliverable", "Delivery Status Notification", "Mail delivery
//!   failed", ...); a reply when the subject starts with `RE:`.

use palisade_sdk::Event;

/// The event kind of mail sent.
pub const SEND_KIND: &str = "email.send";
/// The event kind of a message in mail flow.
pub const MESSAGE_KIND: &str = "email.message";

/// Sender names of bounce-backs, matched against the address's local part.
const BOUNCE_SENDERS: &[&str] = &[
    "mailer-daemon",
    "postmaster",
    "mail-daemon",
    "microsoftexchange",
];
/// Subject starts of non-delivery reports, lower case.
const NDR_SUBJECTS: &[&str] = &[
    "undeliverable",
    "undelivered mail",
    "delivery status notification",
    "mail delivery failed",
    "delivery has failed",
    "returned mail",
    "failure notice",
    "mail delivery subsystem",
];
/// Subject starts of replies, lower case.
const REPLY_PREFIXES: &[&str] = &["re:", "aw:", "sv:", "antw:"];

/// One mail event, seen from the user it counts for.
#[derive(Debug, PartialEq, Eq)]
pub enum Mail<'a> {
    /// A message `user` sent.
    Sent {
        /// The sender.
        user: &'a str,
        /// Whether the message carries links.
        links: bool,
    },
    /// A bounce-back arriving for `user`.
    Bounce {
        /// The mailbox it arrives in.
        user: &'a str,
    },
    /// A reply arriving for `user`.
    Reply {
        /// The mailbox it arrives in.
        user: &'a str,
    },
}

impl<'a> Mail<'a> {
    /// What `event` is, if it counts.
    pub fn of(event: &Event<'a>) -> Option<Self> {
        let direction = event.attr("EmailDirection").unwrap_or_default();
        let sent = event.kind() == SEND_KIND
            || direction.eq_ignore_ascii_case("outbound")
            || direction.eq_ignore_ascii_case("intra-org");
        if sent {
            let user = event.user().or(event.email_from())?;
            return Some(Mail::Sent {
                user,
                links: has_links(event),
            });
        }
        if event.kind() != MESSAGE_KIND {
            return None;
        }
        let user = event
            .user()
            .or_else(|| event.email_to().and_then(|to| to.iter().next()))?;
        let subject = event
            .email_subject()
            .unwrap_or_default()
            .trim_start()
            .to_lowercase();
        let starts = |list: &[&str]| list.iter().any(|p| subject.starts_with(p));
        if is_bounce_sender(event.email_from()) || starts(NDR_SUBJECTS) {
            Some(Mail::Bounce { user })
        } else if starts(REPLY_PREFIXES) {
            Some(Mail::Reply { user })
        } else {
            None
        }
    }
}

fn is_bounce_sender(from: Option<&str>) -> bool {
    let Some(from) = from else {
        return false;
    };
    let local = from.split('@').next().unwrap_or(from).to_lowercase();
    BOUNCE_SENDERS.iter().any(|s| local == *s)
}

fn has_links(event: &Event<'_>) -> bool {
    event.url().is_some_and(|u| !u.is_empty())
        || event
            .attr("UrlCount")
            .and_then(|n| n.trim().parse::<u32>().ok())
            .is_some_and(|n| n > 0)
}
