//! Palisade detector `rare-domain`: devices reaching domains new to the
//! organisation and seen by few devices, and waves of several devices
//! reaching the same rare domain.
//!
//! Phishing links, droppers and command-and-control servers live on
//! domains the organisation has never used (MITRE ATT&CK T1566.002,
//! Spearphishing Link; T1071, Application Layer Protocol). The detector
//! learns which registered domains the organisation reaches and how many
//! devices reach each, and reports the ones that are new and rare.
//!
//! It reads `dns.query`, `tls.session`, `http.request`, `email.url` and
//! `email.url_click`. The `domain` column is reduced to its registered
//! domain by the public suffix list ([`domain::registered`]); IP literals,
//! single labels, local suffixes (`.local`, `.arpa`, ...) and unknown
//! suffixes are skipped. Who reaches the domain: `device`, else `src_ip`;
//! for mail, the recipient (`user`, else the first `email_to`). Each batch
//! is processed in event-time order.
//!
//! The first `learning_days` (default 7) of event time, counted from the
//! first event ever seen, only teach. After it, when a device reaches a
//! registered domain first seen after the learning period, reached by at
//! most `max_devices` (default 3) devices and by no more than
//! `common_share` (default 10%) of the organisation's known devices and
//! mailboxes (the recipients of mailed links), and not under a domain of
//! `allow`:
//!
//! - `rare_domain.wave` when that device makes `wave_devices` (default 3)
//!   devices reaching the domain within `wave_window_hours` (default 24);
//!   at most one per domain per window;
//! - `rare_domain.new` otherwise; at most one per (domain, device).
//!
//! Severity ([`judge`]): `new` 30, `wave` 45, +30 when the domain came
//! from a link in mail, +25 when its name looks machine-made
//! ([`domain::looks_random`]). Findings below `min_severity` (default 50)
//! are not reported: on real DNS traffic novelty alone is mostly browsing
//! (62% of the registered domains of the brimdata WRCCDC capture would be
//! reported), so by default a DNS, TLS or HTTP domain needs a machine-made
//! name (`new` 55, `wave` 70), while a link in mail to a new domain is
//! reported on its own (60). Set `min_severity` to 0 to report every new
//! rare domain.
//!
//! Entities: `device`, `user` when known, `domain` (registered), `ip`
//! (`src_ip`); `attrs`: the `query` name, DNS `answers`, `first_seen`,
//! `devices`, `org_devices`, `org_mailboxes`, `signals`.
//!
//! State (bounded): `org` holds the first event time and the numbers of
//! known devices and mailboxes; `dev:<device>` marks a known device and
//! `box:<recipient>` a known mailbox; `dom:<domain>` holds
//! the first-seen time, the device count (exact up to
//! `max(max_devices, wave_devices)`, then "more"), those devices with their
//! first time, and the time of the last wave. Nothing is cached between
//! calls, so a run split in two finds what one run finds.
//!
//! Settings (see [`config`]): `learning_days`, `max_devices`,
//! `wave_devices`, `wave_window_hours`, `common_share`, `allow`,
//! `min_severity`.

pub mod config;
pub mod domain;
pub mod judge;
mod reach;

use palisade_sdk::{Context, Description, Detector, Error, Events, Findings, Settings};

use crate::config::Config;
use crate::reach::Reach;

/// The event kinds this detector reads.
pub const KINDS: [&str; 5] = [
    "dns.query",
    "tls.session",
    "http.request",
    "email.url",
    "email.url_click",
];
/// Finding kind: a device reached a new, rare domain.
pub const NEW: &str = "rare_domain.new";
/// Finding kind: several devices reached the same new, rare domain.
pub const WAVE: &str = "rare_domain.wave";

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
             and waves of devices reaching the same rare domain.",
        )
        .kinds(KINDS)
        .columns(["domain", "device", "src_ip", "user", "email_to", "attrs"]);
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
        let mut reaches: Vec<Reach<'_>> = events.iter().filter_map(|e| Reach::of(&e)).collect();
        reaches.sort_by(|a, b| a.time.cmp(&b.time).then(a.event_id.cmp(b.event_id)));
        let mut memory = judge::Memory::default();
        for reach in &reaches {
            judge::judge(reach, &self.config, &mut memory, ctx, out)?;
        }
        memory.save(ctx)
    }
}

palisade_sdk::export_detector!(RareDomain);
