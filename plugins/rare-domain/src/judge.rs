//! A device reaching a domain new to the organisation: the rare-domain
//! finding for that device, and the wave finding when several devices
//! reach it within the window.
//!
//! Severity: a rare domain is 50 for its first device, 5 less for each
//! later one (the more devices, the less likely one was singled out). A
//! wave is 70, 5 more for each device beyond `wave_devices`, at most 90.

use std::net::IpAddr;

use palisade_sdk::{Event, Finding, Findings};

use crate::config::Config;
use crate::knowledge::{Entry, Reach};

/// Finding kind: a device reached a domain new to the organisation.
pub const RARE: &str = "rare_domain.new";
/// Finding kind: several devices reached one rare domain within a window.
pub const WAVE: &str = "rare_domain.wave";

/// MITRE ATT&CK: Application Layer Protocol (command and control).
const T_APP_LAYER: &str = "T1071";
/// MITRE ATT&CK: Phishing: Spearphishing Link.
const T_PHISHING_LINK: &str = "T1566.002";

/// One device reaching one registered domain.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Sighting<'a> {
    pub event: Event<'a>,
    /// `device`, else `src_ip`.
    pub device: &'a str,
    /// The registered domain.
    pub domain: &'a str,
    /// The name as the event gave it.
    pub name: &'a str,
}

impl Sighting<'_> {
    fn user(&self) -> Option<&str> {
        self.event.user().filter(|u| !u.is_empty())
    }

    /// What the device did, as a verb phrase for the summary.
    fn verb(&self) -> &'static str {
        match self.event.kind() {
            "dns.query" => "looked up",
            "tls.session" => "opened a TLS session to",
            "http.request" => "sent an HTTP request to",
            "email.url_click" => "followed a mailed link to",
            _ => "reached",
        }
    }

    fn is_mail_link(&self) -> bool {
        self.event.kind().starts_with("email.")
    }

    /// The addresses the name resolved to: the IP answers of a DNS query
    /// (attribute `answers`, comma-separated, names left out), the server
    /// address of an HTTP request or TLS session.
    fn resolved_ips(&self) -> Vec<&str> {
        match self.event.kind() {
            "dns.query" => self
                .event
                .attr("answers")
                .into_iter()
                .flat_map(|a| a.split(','))
                .map(str::trim)
                .filter(|a| a.parse::<IpAddr>().is_ok())
                .collect(),
            "tls.session" | "http.request" => self.event.dst_ip().into_iter().collect(),
            _ => Vec::new(),
        }
    }
}

/// Judges `sighting` of a domain new to the organisation, `known` devices
/// being known, and records the device in `entry`.
pub(crate) fn judge(
    sighting: &Sighting<'_>,
    entry: &mut Entry,
    known: u64,
    config: &Config,
    out: &mut Findings,
) {
    let record = &mut entry.record;
    if record.crowded || record.reached.iter().any(|r| r.device == sighting.device) {
        return;
    }
    entry.changed = true;
    if record.reached.len() >= config.device_cap() {
        record.crowded = true;
        record.reached.clear();
        return;
    }
    let time = sighting.event.time();
    record.reached.push(Reach {
        device: sighting.device.to_owned(),
        time,
        event_id: sighting.event.event_id().to_owned(),
        user: sighting.user().map(str::to_owned),
    });

    let count = record.reached.len();
    if config.is_common(count, known) {
        return;
    }
    if count <= config.max_devices {
        out.push(rare(sighting, record.first_seen, count, known));
    }
    let wave: Vec<&Reach> = record
        .reached
        .iter()
        .filter(|r| time - r.time <= config.wave_window)
        .collect();
    let quiet = record
        .wave_at
        .is_none_or(|at| time - at >= config.wave_window);
    if wave.len() >= config.wave_devices && quiet {
        out.push(self::wave(sighting, &wave, record.first_seen, config));
        record.wave_at = Some(time);
    }
}

/// The finding for one device reaching a rare domain.
fn rare(s: &Sighting<'_>, first_seen: i64, count: usize, known: u64) -> Finding {
    let time = s.event.time();
    let who = match s.user() {
        Some(user) => format!("{} ({user})", s.device),
        None => s.device.to_owned(),
    };
    let seen = if first_seen == time {
        "never reached before in the organisation".to_owned()
    } else {
        format!("first reached in the organisation {}", rfc3339(first_seen))
    };
    let have = if count == 1 { "has" } else { "have" };
    let summary = format!(
        "{who} {} {}, {seen}; {count} of {known} known devices {have} reached {}.",
        s.verb(),
        s.name,
        s.domain
    );
    // 50, 45, 40, ... but not below 30.
    let severity = 55u8.saturating_sub(5 * count.min(5) as u8);
    let finding = Finding::new(RARE, severity, "Device reached a rare new domain", summary)
        .for_event(&s.event)
        .device(s.device)
        .attr("devices", count.to_string())
        .attr("known_devices", known.to_string());
    entities(finding, s, first_seen)
}

/// The finding for a wave of devices reaching one rare domain.
fn wave(s: &Sighting<'_>, wave: &[&Reach], first_seen: i64, config: &Config) -> Finding {
    let devices: Vec<&str> = wave.iter().map(|r| r.device.as_str()).collect();
    let mut users: Vec<&str> = Vec::new();
    for user in wave.iter().filter_map(|r| r.user.as_deref()) {
        if !users.contains(&user) {
            users.push(user);
        }
    }
    let hours = config.wave_window / 3_600_000_000;
    let mut summary = format!(
        "{} devices reached {}, a domain new to the organisation, within {hours} h: {}",
        wave.len(),
        s.domain,
        join(&devices)
    );
    if !users.is_empty() {
        summary.push_str(&format!(" (users {})", join(&users)));
    }
    summary.push('.');
    let beyond = wave.len().saturating_sub(config.wave_devices).min(4) as u8;
    let mut finding = Finding::new(
        WAVE,
        70 + 5 * beyond,
        "Several devices reached one rare new domain",
        summary,
    )
    .at(s.event.time())
    .device(s.device)
    .attr("devices", devices.join(","))
    .attr("window_hours", hours.to_string());
    for reach in wave {
        finding = finding.event(reach.event_id.as_str());
    }
    if !users.is_empty() {
        finding = finding.attr("users", users.join(","));
    }
    entities(finding.mitre(T_PHISHING_LINK), s, first_seen)
}

/// The entities and details both findings share.
fn entities(mut finding: Finding, s: &Sighting<'_>, first_seen: i64) -> Finding {
    let resolved = s.resolved_ips();
    finding = finding
        .user(s.user())
        .domain(s.domain)
        .ip(resolved.first().copied())
        .attr("name", s.name)
        .attr("first_seen", rfc3339(first_seen))
        .attr("event_kind", s.event.kind());
    if !resolved.is_empty() {
        finding = finding.attr("resolved_ips", resolved.join(","));
    }
    if let Some(action) = s.event.action() {
        finding = finding.attr("action", action);
    }
    let technique = if s.is_mail_link() {
        T_PHISHING_LINK
    } else {
        T_APP_LAYER
    };
    if finding.kind() == RARE {
        finding = finding.mitre(technique);
    }
    finding
}

/// `a`, `a and b`, `a, b and c`.
fn join(items: &[&str]) -> String {
    match items {
        [] => String::new(),
        [one] => (*one).to_owned(),
        [init @ .., last] => format!("{} and {last}", init.join(", ")),
    }
}

/// Microseconds since the epoch as `2024-03-11T08:00:00Z` (seconds).
pub(crate) fn rfc3339(micros: i64) -> String {
    let secs = micros.div_euclid(1_000_000);
    let (days, rem) = (secs.div_euclid(86_400), secs.rem_euclid(86_400));
    // Days to a civil date (H. Hinnant's algorithm).
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    format!(
        "{year:04}-{month:02}-{day:02}T{:02}:{:02}:{:02}Z",
        rem / 3600,
        rem / 60 % 60,
        rem % 60
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_print_as_rfc3339() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00Z");
        assert_eq!(rfc3339(1_709_280_000_000_000), "2024-03-01T08:00:00Z");
        assert_eq!(rfc3339(951_825_600_999_999), "2000-02-29T12:00:00Z");
        assert_eq!(rfc3339(-1_000_000), "1969-12-31T23:59:59Z");
    }

    #[test]
    fn lists_read_as_prose() {
        assert_eq!(join(&["a"]), "a");
        assert_eq!(join(&["a", "b", "c"]), "a, b and c");
    }
}
