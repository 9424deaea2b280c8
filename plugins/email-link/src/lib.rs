//! Palisade detector `email-link`: links to domains the organisation has
//! never seen, in mail from senders it has never heard from, and the
//! recipient following them (MITRE ATT&CK T1566.002, Spearphishing Link;
//! T1204.001, Malicious Link).
//!
//! A phishing mail that starts an intrusion usually comes from an address
//! nobody in the organisation has corresponded with and links to a domain
//! registered days before. Neither alone is rare; together, in a message
//! whose link hides behind "Click Here", they are.
//!
//! The detector learns, from its whole history of events:
//!
//! - the **senders** the organisation received mail from, by address and
//!   by the registered domain of the sender (recipients of outbound mail
//!   count too: a reply from someone written to is not a stranger);
//! - the **sites** seen in links of mail and in network traffic
//!   (`dns.query`, `http.request`, `tls.session`, `email.url_click`): the
//!   registered domain of a host by the public suffix list, or the full
//!   host for a document-sharing or redirect service ([`site`]).
//!
//! It reports:
//!
//! - `email_link.new_domain` when an inbound message from a **new sender**
//!   carries a link to a **new site**, once per recipient and site
//!   (T1566.002). Severity 50, raised by generic link text, a sharing or
//!   redirect service, a link text that shows another domain, the mail
//!   filter's verdict ([`judge`] has the table);
//! - `email_link.clicked` when that recipient clicks the link
//!   (`email.url_click`) or the recipient's device reaches the site
//!   (`dns.query`, `http.request`, `tls.session` whose `user` is the
//!   recipient) within `window_hours` of the message: a second finding on
//!   the same message (`network_message_id`), so a correlation rule sees
//!   both steps (T1566.002, T1204.001).
//!
//! A sender is new when its address **and** its domain were never seen
//! before the message (or first seen within `novelty_grace_minutes`, so a
//! campaign's later messages count too). Requiring a new domain keeps a
//! new colleague at a known partner quiet; the price is that phishing from
//! a new address at free mail (or at a compromised partner) is not
//! reported here. `require_new_sender_domain = false` trades the other way.
//! Senders are compared by the `email_from` address (the header From).
//!
//! Entities: `user` (the recipient), `domain` (the link's host), `ip` (the
//! sender's IP for the first finding, the click's source for the second),
//! `device` (the device that reached the site). The sender, its domain,
//! the registered domain, the URL, the link text and the reasons are in
//! `attrs`.
//!
//! For `learning_days` of event time from the first event it ever sees,
//! the detector only learns. One detector state is one organisation: a
//! host serving several tenants runs one per tenant. Rows of a message,
//! its links and its clicks may arrive in any order and in different
//! batches, within an hour of each other; [`pending`] keeps what waits for
//! them, bounded and expiring.
//!
//! Settings (see [`config`]): `learning_days` (7), `window_hours` (24),
//! `novelty_grace_minutes` (60), `require_new_sender_domain` (true),
//! `sharing_services`, `generic_link_texts`.

mod batch;
pub mod config;
pub mod judge;
mod knowledge;
pub mod observe;
pub mod pending;
pub mod site;

use palisade_sdk::{Context, Description, Detector, Error, Events, Findings, Settings};

use crate::batch::Batch;
use crate::config::Config;
use crate::knowledge::Clock;
use crate::observe::Observation;

pub use crate::judge::{CLICKED, NEW_DOMAIN};
pub use crate::observe::{MESSAGE, NETWORK, URL, URL_CLICK};

/// The detector.
#[derive(Debug)]
pub struct EmailLink {
    config: Config,
}

impl Detector for EmailLink {
    fn describe() -> Description {
        let description = Description::new(
            "email-link",
            env!("CARGO_PKG_VERSION"),
            "Finds links to new domains in mail from new senders, and recipients following \
             them.",
        )
        .kinds([MESSAGE, URL, URL_CLICK])
        .kinds(NETWORK)
        .columns([
            "action",
            "user",
            "device",
            "src_ip",
            "domain",
            "url",
            "email_from",
            "email_to",
            "email_subject",
            "message_id",
            "attrs",
        ]);
        config::declare(description)
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        Ok(EmailLink {
            config: Config::from_settings(settings)?,
        })
    }

    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error> {
        let Some(range) = events.time_range() else {
            return Ok(());
        };
        let clock = Clock::advance(ctx, range.start, range.end)?;
        let observations: Vec<Observation> = events
            .iter()
            .filter_map(|event| Observation::of(&event, &self.config))
            .collect();

        let mut batch = Batch::new(&self.config, clock);
        batch.learn(ctx, &observations)?;
        let touched = batch.record(ctx, observations)?;
        batch.judge(ctx, touched, out)?;
        batch.finish(ctx)
    }
}

palisade_sdk::export_detector!(EmailLink);
