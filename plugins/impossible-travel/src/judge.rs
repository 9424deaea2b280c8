//! The two findings: travel too fast between consecutive logins, and a
//! login from a country never seen for the user.
//!
//! Severity of travel grows with how far the speed exceeds the limit: 50
//! at the limit, 10 more for each doubling, at most 90 (a jump with no
//! time between the logins). A new country is severity 40: alone it is
//! a lead, not an alarm.

use palisade_sdk::{Event, Finding};

use crate::config::Config;
use crate::geo::{self, Place, distance_km};
use crate::history::{LastLogin, UserHistory};

/// Finding kind: two logins too far apart for the time between them.
pub const TRAVEL: &str = "impossible_travel.speed";
/// Finding kind: a login from a country new for the user.
pub const NEW_COUNTRY: &str = "impossible_travel.new_country";

/// MITRE ATT&CK: Valid Accounts.
const T_VALID_ACCOUNTS: &str = "T1078";

/// Severity of a new country.
const NEW_COUNTRY_SEVERITY: u8 = 40;
/// Travel severity at the speed limit, and its ceiling.
const TRAVEL_SEVERITY: (f64, f64) = (50.0, 90.0);

const MICROS_PER_HOUR: f64 = 3_600_000_000.0;

/// A successful, located login from a routable address.
#[derive(Debug, Clone, Copy)]
pub(crate) struct Login<'a> {
    pub event: Event<'a>,
    pub user: &'a str,
    pub ip: Option<&'a str>,
    pub place: Place<'a>,
}

impl<'a> Login<'a> {
    /// The login `event` records, if it is one to judge: a user, not a
    /// failure, not from a private or reserved address, and located.
    pub(crate) fn of(event: Event<'a>) -> Option<Self> {
        let user = event.user().filter(|u| !u.is_empty())?;
        if event
            .outcome()
            .is_some_and(|o| o.eq_ignore_ascii_case("failure"))
        {
            return None;
        }
        let ip = event.src_ip().filter(|ip| !ip.is_empty());
        if ip.is_some_and(geo::is_local_address) {
            return None;
        }
        let place = Place::of(&event)?;
        Some(Login {
            event,
            user,
            ip,
            place,
        })
    }

    fn describe_place(&self, at: (f64, f64)) -> String {
        geo::describe(self.place.city, self.place.country, at)
    }
}

/// The travel finding for `login` after `last`, if it is too fast.
pub(crate) fn travel(login: &Login<'_>, last: &LastLogin<'_>, config: &Config) -> Option<Finding> {
    let here = login.place.coordinates?;
    let there = (last.lat, last.lon);
    let km = distance_km(there, here);
    if km <= config.min_distance_km {
        return None;
    }
    let micros = login.event.time().abs_diff(last.time);
    let hours = micros as f64 / MICROS_PER_HOUR;
    let speed = km / hours;
    if speed <= config.max_speed_kmh {
        return None;
    }

    let from = geo::describe(last.city.as_deref(), last.country.as_deref(), there);
    let to = login.describe_place(here);
    let apart = if micros == 0 {
        format!(
            "at the same moment as a login from {from}: {} km apart",
            thousands(km)
        )
    } else {
        format!(
            "{} after a login from {from}: {} km in that time is {} km/h",
            elapsed(micros),
            thousands(km),
            thousands(speed)
        )
    };
    let summary = format!("{} logged in from {to} {apart}.", login.user);
    let finding = Finding::new(
        TRAVEL,
        travel_severity(speed, config.max_speed_kmh),
        "Impossible travel between logins",
        summary,
    )
    .at(login.event.time())
    .event(last.event_id.as_ref())
    .event(login.event.event_id())
    .user(login.user)
    .ip(login.ip)
    .mitre(T_VALID_ACCOUNTS)
    .attr("from", from)
    .attr("to", to)
    .attr("distance_km", format!("{km:.0}"))
    .attr("hours", format!("{hours:.2}"))
    .attr(
        "speed_kmh",
        if speed.is_finite() {
            format!("{speed:.0}")
        } else {
            "inf".to_owned()
        },
    );
    Some(match &last.ip {
        Some(ip) => finding.attr("previous_ip", ip.as_ref()),
        None => finding,
    })
}

/// The new-country finding for `login`, if the user has a baseline and
/// the country is not in it.
pub(crate) fn new_country(
    login: &Login<'_>,
    history: &UserHistory<'_>,
    config: &Config,
) -> Option<Finding> {
    let country = login.place.country?;
    if history.logins < config.baseline_logins
        || history.countries.is_empty()
        || history.countries_full()
        || history.knows_country(country)
    {
        return None;
    }
    let country = country.to_ascii_uppercase();
    let where_ = match login.place.city {
        Some(city) => format!("{city}, {country}"),
        None => country.clone(),
    };
    let known = history.countries.join(", ");
    let summary = format!(
        "{} logged in from {where_}, a country not seen in their {} earlier logins (seen: {known}).",
        login.user, history.logins
    );
    Some(
        Finding::new(
            NEW_COUNTRY,
            NEW_COUNTRY_SEVERITY,
            "Login from a new country",
            summary,
        )
        .for_event(&login.event)
        .user(login.user)
        .ip(login.ip)
        .mitre(T_VALID_ACCOUNTS)
        .attr("country", country)
        .attr("known_countries", known)
        .attr("earlier_logins", history.logins.to_string()),
    )
}

/// 50 at the limit, +10 per doubling of the speed, at most 90.
fn travel_severity(speed: f64, limit: f64) -> u8 {
    let (base, top) = TRAVEL_SEVERITY;
    let score = base + 10.0 * (speed / limit).log2();
    // Clamped to 50..=90, so the cast cannot truncate.
    score.clamp(base, top).round() as u8
}

/// A number rounded to a whole, with thousands separated: `9,562`.
fn thousands(value: f64) -> String {
    let digits = format!("{:.0}", value.max(0.0));
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A time span for reading: `45 s`, `12 min`, `1 h 5 min`, `3 d 2 h`.
fn elapsed(micros: u64) -> String {
    let minutes = micros / 60_000_000;
    let hours = minutes / 60;
    if minutes == 0 {
        format!("{} s", micros / 1_000_000)
    } else if hours == 0 {
        format!("{minutes} min")
    } else if hours < 48 {
        format!("{hours} h {} min", minutes % 60)
    } else {
        format!("{} d {} h", hours / 24, hours % 24)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn severity_grows_with_speed() {
        assert_eq!(travel_severity(900.0, 900.0), 50);
        assert_eq!(travel_severity(1800.0, 900.0), 60);
        // London to Tokyo in an hour: about 10.6 times the limit.
        assert_eq!(travel_severity(9_562.0, 900.0), 84);
        assert_eq!(travel_severity(f64::INFINITY, 900.0), 90);
    }

    #[test]
    fn numbers_and_spans_read_well() {
        assert_eq!(thousands(9_561.6), "9,562");
        assert_eq!(thousands(470.0), "470");
        assert_eq!(thousands(1_234_567.0), "1,234,567");
        assert_eq!(elapsed(45_000_000), "45 s");
        assert_eq!(elapsed(12 * 60_000_000), "12 min");
        assert_eq!(elapsed(65 * 60_000_000), "1 h 5 min");
        assert_eq!(elapsed(30 * 3_600_000_000), "30 h 0 min");
        assert_eq!(elapsed(74 * 3_600_000_000), "3 d 2 h");
    }
}
