//! The organisation's memory of domains and devices, and the findings a
//! reach gives.
//!
//! Severity: `rare_domain.new` 30 and `rare_domain.wave` 45, plus 30 when
//! the domain came from a link in mail (`email.url`, `email.url_click`)
//! and 25 when its name looks machine-made; at most 100. A device reaching
//! a domain while a wave on it is open (`rare_domain.new` with the
//! `after_wave` signal) starts at 50: it is one more victim.

use std::collections::hash_map::Entry;
use std::collections::{HashMap, HashSet};

use palisade_sdk::logins::elapsed as ago;
use palisade_sdk::{Context, Error, Finding, Findings};
use serde::{Deserialize, Serialize};

use crate::config::Config;
use crate::domain;
use crate::reach::Reach;
use crate::{NEW, WAVE};

/// Base severity of a new rare domain.
const NEW_SEVERITY: u8 = 30;
/// Base severity of a wave.
const WAVE_SEVERITY: u8 = 45;
/// Base severity of a device reaching a domain while its wave is open.
const AFTER_WAVE_SEVERITY: u8 = 50;
/// Added when the domain came from a link in mail.
const MAIL_WEIGHT: u8 = 30;
/// Added when the domain's name looks machine-made.
const RANDOM_WEIGHT: u8 = 25;

/// MITRE ATT&CK: Application Layer Protocol.
const T_APP_PROTOCOL: &str = "T1071";
/// MITRE ATT&CK: Phishing: Spearphishing Link.
const T_PHISHING_LINK: &str = "T1566.002";

const ORG_KEY: &str = "org";

/// The organisation: when learning started, and how many devices and
/// mailboxes it has.
#[derive(Debug, Clone, Copy, Serialize, Deserialize)]
struct Org {
    /// The first event time ever seen.
    first: i64,
    /// Distinct devices (or source addresses) seen reaching a domain.
    devices: u64,
    /// Distinct mail recipients seen getting a link.
    #[serde(default)]
    mailboxes: u64,
}

impl Org {
    /// Devices and mailboxes: everyone a domain's reach is counted among.
    fn reachers(&self) -> u64 {
        self.devices + self.mailboxes
    }

    /// `40 known devices`, or `300 known devices and 250 mailboxes`.
    fn known(&self) -> String {
        let plural =
            |n: u64, one: &str, many: &str| format!("{n} {}", if n == 1 { one } else { many });
        let devices = plural(self.devices, "known device", "known devices");
        match self.mailboxes {
            0 => devices,
            n => format!("{devices} and {}", plural(n, "mailbox", "mailboxes")),
        }
    }
}

/// One registered domain, under `dom:<domain>`; short names keep it small.
#[derive(Debug, Clone, Serialize, Deserialize)]
struct DomainRecord {
    /// First seen.
    #[serde(rename = "f")]
    first: i64,
    /// Distinct devices, exact up to the tracked number, then one more.
    #[serde(rename = "n")]
    devices: usize,
    /// The devices and when each first reached the domain, while tracked.
    #[serde(rename = "d", default)]
    seen: Vec<(String, i64)>,
    /// When the last wave was reported.
    #[serde(rename = "w", default, skip_serializing_if = "Option::is_none")]
    wave: Option<i64>,
}

/// The organisation's memory as one call reads and changes it: each key
/// is read from state once per call, however many events name it, and
/// what changed is written back by [`Memory::save`]. A batch of DNS
/// queries names the same devices and domains over and over.
#[derive(Debug, Default)]
pub(crate) struct Memory {
    /// The organisation, once read; and whether it changed.
    org: Option<(Option<Org>, bool)>,
    /// Domain records by key, once read; and whether each changed.
    domains: HashMap<String, (Option<DomainRecord>, bool)>,
    /// Devices and mailboxes known to have reached something.
    reachers: HashSet<String>,
}

impl Memory {
    /// Writes back what changed.
    ///
    /// # Errors
    ///
    /// When a record cannot be serialized.
    pub(crate) fn save(&self, ctx: &mut Context) -> Result<(), Error> {
        if let Some((Some(org), true)) = &self.org {
            ctx.put_json(ORG_KEY, org)?;
        }
        for (key, entry) in &self.domains {
            if let (Some(record), true) = entry {
                ctx.put_json(key, record)?;
            }
        }
        Ok(())
    }

    /// Records the reaching device or mailbox and returns the
    /// organisation.
    fn learn_reacher(&mut self, reach: &Reach<'_>, ctx: &mut Context) -> Result<Org, Error> {
        let (org, changed) = match &mut self.org {
            Some(entry) => entry,
            empty @ None => empty.insert((ctx.get_json::<Org>(ORG_KEY)?, false)),
        };
        let org = org.get_or_insert(Org {
            first: reach.time,
            devices: 0,
            mailboxes: 0,
        });
        *changed |= reach.time < org.first;
        org.first = org.first.min(reach.time);
        if !self.reachers.contains(&reach.who) {
            let (prefix, count) = if reach.is_mailbox() {
                ("box", &mut org.mailboxes)
            } else {
                ("dev", &mut org.devices)
            };
            let key = format!("{prefix}:{}", reach.who);
            if ctx.get(&key).is_none() {
                ctx.put(&key, b"");
                *count += 1;
                *changed = true;
            }
            self.reachers.insert(reach.who.clone());
        }
        Ok(*org)
    }

    /// The record of `domain` (`None` when never seen) and its changed
    /// flag.
    fn domain(
        &mut self,
        domain: &str,
        ctx: &mut Context,
    ) -> Result<&mut (Option<DomainRecord>, bool), Error> {
        let key = format!("dom:{domain}");
        Ok(match self.domains.entry(key) {
            Entry::Occupied(entry) => entry.into_mut(),
            Entry::Vacant(entry) => {
                let record = ctx.get_json::<DomainRecord>(entry.key())?;
                entry.insert((record, false))
            }
        })
    }
}

/// Learns from `reach` and pushes its finding, if any.
pub(crate) fn judge(
    reach: &Reach<'_>,
    config: &Config,
    memory: &mut Memory,
    ctx: &mut Context,
    out: &mut Findings,
) -> Result<(), Error> {
    let org = memory.learn_reacher(reach, ctx)?;
    let (record, changed) = memory.domain(&reach.domain, ctx)?;
    let record = record.get_or_insert_with(|| {
        *changed = true;
        DomainRecord {
            first: reach.time,
            devices: 0,
            seen: Vec::new(),
            wave: None,
        }
    });
    *changed |= reach.time < record.first;
    record.first = record.first.min(reach.time);
    let tracked = if wave_open(record, reach.time, config) {
        config.tracked_in_wave()
    } else {
        config.tracked_devices()
    };
    if record.devices > tracked || record.seen.iter().any(|(d, _)| *d == reach.who) {
        return Ok(());
    }
    record.devices += 1;
    if record.devices > tracked {
        record.seen.clear();
    } else {
        record.seen.push((reach.who.clone(), reach.time));
    }
    *changed = true;
    let finding = assess(reach, config, &org, record);
    if let Some(finding) = finding.filter(|f| f.severity() >= config.min_severity) {
        out.push(finding);
    }
    Ok(())
}

/// The finding for a device newly reaching the domain, if the domain is
/// new and rare; marks a wave on `record`.
fn assess(
    reach: &Reach<'_>,
    config: &Config,
    org: &Org,
    record: &mut DomainRecord,
) -> Option<Finding> {
    let learned_until = org.first.saturating_add(config.learning);
    let n = record.devices;
    let popular = n as f64 > config.common_share * org.reachers() as f64;
    if reach.time < learned_until
        || record.first < learned_until
        || popular
        || config.allowed(&reach.domain)
        || config.allowed(&reach.name.trim_end_matches('.').to_ascii_lowercase())
    {
        return None;
    }
    let since = reach.time.saturating_sub(config.wave_window);
    let in_window: Vec<&str> = record
        .seen
        .iter()
        .filter(|(_, t)| *t >= since)
        .map(|(d, _)| d.as_str())
        .collect();
    let wave_due = record.wave.is_none_or(|w| w < since);
    if in_window.len() >= config.wave_devices && wave_due {
        record.wave = Some(reach.time);
        return Some(wave(reach, config, org, record, &in_window));
    }
    if n > config.max_devices && wave_open(record, reach.time, config) {
        return Some(new(
            reach,
            org,
            record,
            AFTER_WAVE_SEVERITY,
            Some("after_wave"),
        ));
    }
    (n <= config.max_devices).then(|| new(reach, org, record, NEW_SEVERITY, None))
}

/// Whether a wave on the domain was reported within the wave window
/// before `time`.
fn wave_open(record: &DomainRecord, time: i64, config: &Config) -> bool {
    record
        .wave
        .is_some_and(|w| time >= w && time - w <= config.wave_window)
}

/// Signals and the severity they add up to.
fn score(reach: &Reach<'_>, base: u8) -> (u8, Vec<&'static str>) {
    let mut signals = Vec::new();
    let mut severity = base;
    if reach.is_mail_link() {
        signals.push("mail_link");
        severity = severity.saturating_add(MAIL_WEIGHT);
    }
    if domain::looks_random(&reach.domain) {
        signals.push("machine_made_name");
        severity = severity.saturating_add(RANDOM_WEIGHT);
    }
    (severity.min(100), signals)
}

fn new(
    reach: &Reach<'_>,
    org: &Org,
    record: &DomainRecord,
    base: u8,
    signal: Option<&'static str>,
) -> Finding {
    let (severity, mut signals) = score(reach, base);
    signals.extend(signal);
    let after_wave = match (signal, record.wave) {
        (Some(_), Some(wave)) => format!(
            ", {} after a wave on it was reported",
            ago(reach.time - wave)
        ),
        _ => String::new(),
    };
    let summary = format!(
        "{} reached {}, a domain the organisation first saw {} ago, reached by {} of {}{after_wave}.",
        reach.who,
        reached(reach),
        ago(reach.time - record.first),
        record.devices,
        org.known(),
    );
    let finding = Finding::new(
        NEW,
        severity,
        "Device reached a domain new to the organisation",
        summary,
    );
    details(finding, reach, org, record, &signals)
}

fn wave(
    reach: &Reach<'_>,
    config: &Config,
    org: &Org,
    record: &DomainRecord,
    devices: &[&str],
) -> Finding {
    let (severity, signals) = score(reach, WAVE_SEVERITY);
    let summary = format!(
        "{} devices reached {} within {} h ({}); the organisation first saw it {} ago and \
         {} of {} reach it.",
        devices.len(),
        reach.domain,
        config.wave_window / 3_600_000_000,
        devices.join(", "),
        ago(reach.time - record.first),
        record.devices,
        org.known(),
    );
    let mut finding = Finding::new(
        WAVE,
        severity,
        "Several devices reached the same rare domain",
        summary,
    )
    .attr("wave_devices", devices.join(","));
    if !reach.is_mail_link() {
        // Many devices at one new domain is the shape of a phishing wave.
        finding = finding.mitre(T_PHISHING_LINK);
    }
    details(finding, reach, org, record, &signals)
}

/// Entities, event, MITRE and attrs shared by both findings.
fn details(
    finding: Finding,
    reach: &Reach<'_>,
    org: &Org,
    record: &DomainRecord,
    signals: &[&str],
) -> Finding {
    let mitre = if reach.is_mail_link() {
        T_PHISHING_LINK
    } else {
        T_APP_PROTOCOL
    };
    let mut finding = finding
        .at(reach.time)
        .event(reach.event_id)
        .device(reach.device)
        .user(reach.user)
        .ip(reach.ip)
        .domain(reach.domain.as_str())
        .attr("query", reach.name)
        .attr("source_kind", reach.kind)
        .attr("first_seen", record.first.to_string())
        .attr("devices", record.devices.to_string())
        .attr("org_devices", org.devices.to_string())
        .attr("org_mailboxes", org.mailboxes.to_string())
        .attr("signals", signals.join(","));
    finding = finding.mitre(mitre);
    if let Some(answers) = reach.answers {
        finding = finding.attr("answers", answers);
    }
    finding
}

/// The name reached, with its registered domain when they differ:
/// `portal.share-docs.org (share-docs.org)`, `thecalebgroup.top`.
fn reached(reach: &Reach<'_>) -> String {
    let name = reach.name.trim_end_matches('.');
    if name.eq_ignore_ascii_case(&reach.domain) {
        reach.domain.clone()
    } else {
        format!("{name} ({})", reach.domain)
    }
}
