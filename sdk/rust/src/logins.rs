//! Where each user has logged in from: the addresses and countries of
//! their successful logins, and the latest login from a place never seen
//! before.
//!
//! One state entry per user (`login/<user>`), read and written in the
//! same call (see `cache`), so a run split into several calls learns
//! exactly what one run learns. Both lists are bounded: when full, the place seen longest
//! ago is forgotten.

use crate::{Description, Error, Event, Finding, Settings};
use serde::{Deserialize, Serialize};

/// The setting of detectors using [`LoginHistory`]: hours from a user's
/// first login during which their places are learned, not novel.
pub const LEARNING_HOURS: &str = "learning_hours";

/// Declares [`LEARNING_HOURS`] (default 24) on `description`.
pub fn declare_learning(description: Description) -> Description {
    description.setting(
        LEARNING_HOURS,
        "24",
        "Hours from a user's first login during which the addresses and countries they \
         log in from are learned, not new: a first day's home, office and phone.",
    )
}

/// The [`LEARNING_HOURS`] setting in microseconds.
///
/// # Errors
///
/// When it is not a whole number of hours from 0 to 8760 (a year).
pub fn learning_from(settings: &Settings) -> Result<i64, Error> {
    let hours = settings.get_u32_in(LEARNING_HOURS, 0, 8_760)?;
    Ok(i64::from(hours) * 3_600_000_000)
}

/// A login from an address or country the user had never logged in from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct NovelLogin {
    /// When, in microseconds since the Unix epoch.
    pub time: i64,
    /// The address, when the login had one.
    pub ip: Option<String>,
    /// The country, when known.
    pub country: Option<String>,
    /// The login's event id.
    pub event_id: String,
}

impl NovelLogin {
    /// How a summary names the login's place and how long before `time`
    /// it was: "6 min after a first login from NL" (the country, else the
    /// address).
    pub fn described_before(&self, time: i64) -> String {
        let place = self
            .country
            .as_deref()
            .or(self.ip.as_deref())
            .unwrap_or("a new place");
        format!(
            "{} after a first login from {place}",
            elapsed(time - self.time)
        )
    }

    /// `finding` naming this login: its event among the finding's, and
    /// `new_login_event`, `new_login_ip` and `new_login_country` in its
    /// details (correlation rules look for `new_login_event`).
    pub fn named_on(&self, finding: Finding) -> Finding {
        let mut finding = finding
            .event(self.event_id.clone())
            .attr("new_login_event", self.event_id.clone());
        if let Some(ip) = &self.ip {
            finding = finding.attr("new_login_ip", ip.clone());
        }
        if let Some(country) = &self.country {
            finding = finding.attr("new_login_country", country.clone());
        }
        finding
    }
}

/// What is remembered of one user's logins.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct LoginHistory {
    /// Addresses with the time each was last seen.
    #[serde(default)]
    pub ips: Vec<(String, i64)>,
    /// Countries with the time each was last seen.
    #[serde(default)]
    pub countries: Vec<(String, i64)>,
    /// The latest login from a never-seen address or country.
    #[serde(default)]
    pub novel: Option<NovelLogin>,
    /// The time of the user's first login seen; `None` in histories kept
    /// before it was recorded, which count as learned.
    #[serde(default)]
    pub first: Option<i64>,
}

/// How novel a place is for a user.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Novelty {
    /// The address was never seen for the user.
    pub new_ip: bool,
    /// The country was never seen for the user.
    pub new_country: bool,
}

impl Novelty {
    /// Whether anything was new.
    pub fn any(self) -> bool {
        self.new_ip || self.new_country
    }
}

impl LoginHistory {
    /// The state key of `user`'s history.
    pub fn key(user: &str) -> String {
        format!("login/{user}")
    }

    /// Whether nothing is known of the user yet: then nothing is novel,
    /// since there is nothing to compare with.
    pub fn is_empty(&self) -> bool {
        self.ips.is_empty() && self.countries.is_empty()
    }

    /// How novel `ip` and `country` are for the user. A user with no
    /// history has nothing novel.
    pub fn novelty(&self, ip: Option<&str>, country: Option<&str>) -> Novelty {
        if self.is_empty() {
            return Novelty::default();
        }
        let unseen = |list: &[(String, i64)], value: Option<&str>| {
            value.is_some_and(|v| !list.iter().any(|(seen, _)| seen == v))
        };
        Novelty {
            new_ip: unseen(&self.ips, ip),
            new_country: unseen(&self.countries, country),
        }
    }

    /// Whether the user's places are still being learned at `time`: it is
    /// less than `learning` microseconds after their first login. A new
    /// employee's first day (home, office, phone) is no news.
    pub fn learning_at(&self, time: i64, learning: i64) -> bool {
        self.first.is_some_and(|first| time - first < learning)
    }

    /// How novel `ip` and `country` are for the user at `time`: nothing is
    /// while their places are being learned ([`Self::learning_at`]).
    pub fn novelty_at(
        &self,
        ip: Option<&str>,
        country: Option<&str>,
        time: i64,
        learning: i64,
    ) -> Novelty {
        if self.learning_at(time, learning) {
            Novelty::default()
        } else {
            self.novelty(ip, country)
        }
    }

    /// Learns a successful login; remembers it as the latest novel login
    /// when its place was never seen and the user's first `learning`
    /// microseconds are over. Returns its novelty.
    pub fn learn(&mut self, event: &Event<'_>, max_places: usize, learning: i64) -> Novelty {
        let (ip, country) = (event.src_ip(), event.src_country());
        if self.is_empty() {
            self.first = Some(event.time());
        } else if let Some(first) = &mut self.first {
            *first = (*first).min(event.time());
        }
        let novelty = self.novelty_at(ip, country, event.time(), learning);
        if novelty.any() {
            self.novel = Some(NovelLogin {
                time: event.time(),
                ip: ip.map(str::to_owned),
                country: country.map(str::to_owned),
                event_id: event.event_id().to_owned(),
            });
        }
        if let Some(ip) = ip {
            remember(&mut self.ips, ip, event.time(), max_places);
        }
        if let Some(country) = country {
            remember(&mut self.countries, country, event.time(), max_places);
        }
        novelty
    }

    /// The latest novel login at most `window` microseconds before `time`.
    pub fn novel_within(&self, time: i64, window: i64) -> Option<&NovelLogin> {
        self.novel
            .as_ref()
            .filter(|n| n.time <= time && time - n.time <= window)
    }
}

/// A span of time in words for a summary: "40 s", "6 min", "19 h 24 min",
/// "3 d 4 h".
pub fn elapsed(micros: i64) -> String {
    let secs = micros.max(0) / 1_000_000;
    match secs {
        0..60 => format!("{secs} s"),
        60..3600 => format!("{} min", secs / 60),
        3600..86_400 => format!("{} h {} min", secs / 3600, secs % 3600 / 60),
        _ => format!("{} d {} h", secs / 86_400, secs % 86_400 / 3600),
    }
}

/// Marks `value` seen at `time`, forgetting the place seen longest ago when
/// the list is full.
fn remember(list: &mut Vec<(String, i64)>, value: &str, time: i64, max: usize) {
    if let Some(entry) = list.iter_mut().find(|(v, _)| v == value) {
        entry.1 = entry.1.max(time);
        return;
    }
    if list.len() >= max.max(1)
        && let Some(oldest) = (0..list.len()).min_by_key(|&i| list[i].1)
    {
        list.swap_remove(oldest);
    }
    list.push((value.to_owned(), time));
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_place_seen_longest_ago_is_forgotten_first() {
        let mut list = Vec::new();
        remember(&mut list, "a", 1, 2);
        remember(&mut list, "b", 2, 2);
        remember(&mut list, "a", 3, 2);
        remember(&mut list, "c", 4, 2);
        let mut kept: Vec<_> = list.iter().map(|(v, _)| v.as_str()).collect();
        kept.sort_unstable();
        assert_eq!(kept, ["a", "c"]);
    }

    #[test]
    fn nothing_is_novel_without_history() {
        let history = LoginHistory::default();
        assert!(!history.novelty(Some("1.2.3.4"), Some("NL")).any());
        let known = LoginHistory {
            ips: vec![("1.2.3.4".into(), 0)],
            countries: vec![("US".into(), 0)],
            novel: None,
            first: None,
        };
        assert_eq!(
            known.novelty(Some("1.2.3.4"), Some("NL")),
            Novelty {
                new_ip: false,
                new_country: true
            }
        );
    }

    #[test]
    fn places_of_a_users_first_day_are_learned_not_novel() {
        const HOUR: i64 = 3_600_000_000;
        let mut history = LoginHistory::default();
        assert!(!history.learning_at(5, 24 * HOUR));
        history.first = Some(0);
        assert!(history.learning_at(23 * HOUR, 24 * HOUR));
        assert!(!history.learning_at(24 * HOUR, 24 * HOUR));
        history.ips.push(("10.0.0.1".into(), 0));
        let during = history.novelty_at(Some("10.0.0.2"), None, 2 * HOUR, 24 * HOUR);
        let after = history.novelty_at(Some("10.0.0.2"), None, 30 * HOUR, 24 * HOUR);
        assert!(!during.any());
        assert!(after.new_ip);
        // A history kept before first logins were recorded counts as learned.
        history.first = None;
        assert!(
            history
                .novelty_at(Some("10.0.0.2"), None, 2 * HOUR, 24 * HOUR)
                .new_ip
        );
    }
}
