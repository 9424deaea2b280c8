//! Palisade detector `rare-domain`: devices reaching internet domains new
//! to the organisation, and waves of devices reaching one of them.
//!
//! A phishing link or a first-stage implant leads a device to a domain
//! registered days earlier that nobody else in the organisation has ever
//! reached; a phishing wave leads several devices to it within hours
//! (MITRE ATT&CK T1566.002, Spearphishing Link; T1071, Application Layer
//! Protocol, for command and control).
//!
//! The detector reads the `domain` of DNS queries (`dns.query`), TLS
//! server names (`tls.session`), HTTP hosts (`http.request`) and mailed
//! links (`email.url`, `email.url_click`), reduced to the registered
//! domain by the public suffix list (module `name`); names that are not
//! internet domains (single labels, `.local` and other unknown suffixes,
//! `.arpa`, IP literals) are skipped, and so are DNS queries answered
//! NXDOMAIN (attribute `rcode_name` or `ResponseCode`): a name that does
//! not exist was not reached. The device is the `device` column, else
//! `src_ip`; a link in a message (`email.url`) has neither and only marks
//! its domain as seen. Within a batch, events are taken in time order
//! (ties by event id), whatever order they came in.
//!
//! Organisation-wide it keeps (see [`knowledge`]) the first-seen time of
//! each registered domain, the devices that reached each new one, and the
//! count of devices it knows. For `learning_days` of event time from the
//! first event it ever sees it only learns: domains first seen then are
//! the organisation's baseline and never reported. After that:
//!
//! - `rare_domain.new`, once per (domain, device), when a device reaches a
//!   domain first seen after the learning period while at most
//!   `max_devices` devices have reached it;
//! - `rare_domain.wave`, at most once per domain per window, when
//!   `wave_devices` devices have reached such a domain within
//!   `wave_window_hours`; it lists them all and their events.
//!
//! Neither is reported for a domain in `allow_domains`, nor for one
//! reached by more than `popular_percent` of the devices the detector
//! knows: a new service rolled out to everyone is common, not rare. A
//! device is known from its first event of any of these kinds, so in an
//! organisation of fewer than 100 / `popular_percent` devices (ten by
//! default) every domain counts as common: lower the share there.
//!
//! Findings name the `device`, the `user` when the event has one, the
//! registered `domain` and, as `ip`, the first address the name resolved
//! to: an IP answer of the DNS query (attribute `answers`) or the server
//! address of an HTTP request or TLS session. Details in `attrs`: `name`
//! (as queried), `first_seen`, `resolved_ips`, `devices`, `event_kind`,
//! `action`.
//!
//! Settings (see [`config`]): `learning_days` (7), `max_devices` (3),
//! `wave_devices` (3), `wave_window_hours` (24), `allow_domains` (empty),
//! `popular_percent` (10).

pub mod config;
pub mod judge;
pub mod knowledge;
mod name;

use palisade_sdk::{Context, Description, Detector, Error, Event, Events, Findings, Settings};

use crate::config::Config;
use crate::judge::Sighting;
use crate::knowledge::Knowledge;
use crate::name::registered_domain;

pub use crate::judge::{RARE, WAVE};

/// The event kinds this detector reads.
pub const KINDS: [&str; 5] = [
    "dns.query",
    "tls.session",
    "http.request",
    "email.url",
    "email.url_click",
];

/// The detector.
#[derive(Debug)]
pub struct RareDomain {
    config: Config,
}

impl Detector for RareDomain {
    fn describe() -> Description {
        let description = Description::new(
            "rare-domain",
            env!("CARGO_PKG_VERSION"),
            "Finds devices reaching domains new to the organisation and seen by few devices, \
             and waves of devices reaching one such domain.",
        )
        .kinds(KINDS)
        .columns([
            "domain", "device", "src_ip", "user", "dst_ip", "action", "attrs",
        ]);
        config::declare(description)
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        Ok(RareDomain {
            config: Config::from_settings(settings)?,
        })
    }

    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error> {
        let mut knowledge = Knowledge::load(ctx);
        for event in in_time_order(events) {
            self.observe(event, &mut knowledge, ctx, out);
        }
        knowledge.save(ctx)
    }
}

impl RareDomain {
    /// Learns from one event and judges it once the learning is over.
    fn observe<'a>(
        &self,
        event: Event<'a>,
        knowledge: &mut Knowledge<'a>,
        ctx: &mut Context,
        out: &mut Findings,
    ) {
        let time = event.time();
        let learning_end = knowledge.start(time).saturating_add(self.config.learning);
        let nonempty = |v: Option<&'a str>| v.filter(|v| !v.is_empty());
        let device = nonempty(event.device()).or_else(|| nonempty(event.src_ip()));
        if let Some(device) = device {
            knowledge.see_device(device, time, ctx);
        }

        let Some(name) = nonempty(event.domain()) else {
            return;
        };
        if !resolved(&event) {
            return;
        }
        let Some(domain) = registered_domain(name) else {
            return;
        };
        if self.config.allows(&domain) {
            return;
        }
        let known = knowledge.known_devices();
        let entry = knowledge.domain(domain.clone(), time, ctx);
        // A domain first seen while learning is part of the baseline.
        if entry.record.first_seen < learning_end {
            return;
        }
        let Some(device) = device else {
            return;
        };
        let sighting = Sighting {
            event,
            device,
            domain: &domain,
            name,
        };
        judge::judge(&sighting, entry, known, &self.config, out);
    }
}

/// Whether the event reached its name: not a DNS query answered NXDOMAIN.
fn resolved(event: &Event<'_>) -> bool {
    !["rcode_name", "ResponseCode"].iter().any(|key| {
        event
            .attr(key)
            .is_some_and(|code| code.trim().eq_ignore_ascii_case("NXDOMAIN"))
    })
}

/// The events of the batch by time, then event id.
fn in_time_order(events: &Events) -> Vec<Event<'_>> {
    let mut order: Vec<Event<'_>> = events.iter().collect();
    if !order.is_sorted_by(|a, b| key(a) <= key(b)) {
        order.sort_by(|a, b| key(a).cmp(&key(b)));
    }
    order
}

/// Events sort by time, then by id, so ties have one order whatever the
/// order of arrival.
fn key<'a>(event: &Event<'a>) -> (i64, &'a str) {
    (event.time(), event.event_id())
}

palisade_sdk::export_detector!(RareDomain);
