//! What the detector remembers of each user, in the host's state store.
//!
//! One key per user, `user/<user>`, holding JSON such as
//! `{"logins":12,"countries":["US","GB"],"last":{"time":...,"lat":51.5,
//! "lon":-0.09,"country":"GB","city":"London","ip":"81.2.69.142",
//! "event_id":"..."}}`: the number of located logins, the countries seen
//! (at most [`MAX_COUNTRIES`], in the order first seen) and the latest
//! login that had coordinates. A few hundred bytes per user.
//!
//! `Histories` holds the histories of the users of one batch: each is
//! read on first use and written back when the batch is done; in between,
//! the latest login borrows its text from the batch, so recording a login
//! allocates nothing. Nothing
//! outlives the call, so a run split across batches, or across a restart,
//! sees exactly what one run would.

use std::borrow::Cow;
use std::collections::HashMap;

use palisade_sdk::{Context, Error};
use serde::{Deserialize, Serialize};

use crate::geo::Place;

/// The most countries kept per user. A user seen in this many countries
/// travels so much that a new one says little: once the list is full, no
/// new country is added and none is reported for that user.
pub const MAX_COUNTRIES: usize = 32;

/// One user's history.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct UserHistory<'a> {
    /// Located logins seen.
    pub logins: u64,
    /// Countries seen, upper case, in the order first seen.
    #[serde(default)]
    pub countries: Vec<String>,
    /// The latest login with coordinates.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub last: Option<LastLogin<'a>>,
}

/// The latest login of a user that had coordinates.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct LastLogin<'a> {
    /// Microseconds since the Unix epoch.
    pub time: i64,
    pub lat: f64,
    pub lon: f64,
    /// Upper case.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub country: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub city: Option<Cow<'a, str>>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ip: Option<Cow<'a, str>>,
    pub event_id: Cow<'a, str>,
}

impl<'a> UserHistory<'a> {
    /// Whether `country` was seen before, ignoring case.
    pub(crate) fn knows_country(&self, country: &str) -> bool {
        self.countries
            .iter()
            .any(|c| c.eq_ignore_ascii_case(country))
    }

    /// Whether the country list is full.
    pub(crate) fn countries_full(&self) -> bool {
        self.countries.len() >= MAX_COUNTRIES
    }

    /// Adds a located login at `time`. The latest login is replaced only
    /// by a later one: a login that arrives late is judged against it but
    /// does not move it back in time.
    pub(crate) fn record(
        &mut self,
        time: i64,
        place: &Place<'a>,
        ip: Option<&'a str>,
        id: &'a str,
    ) {
        self.logins += 1;
        if let Some(country) = place.country
            && !self.knows_country(country)
            && !self.countries_full()
        {
            self.countries.push(country.to_ascii_uppercase());
        }
        let Some((lat, lon)) = place.coordinates else {
            return;
        };
        if self.last.as_ref().is_some_and(|last| last.time > time) {
            return;
        }
        self.last = Some(LastLogin {
            time,
            lat,
            lon,
            country: place.country.map(upper),
            city: place.city.map(Cow::Borrowed),
            ip: ip.map(Cow::Borrowed),
            event_id: Cow::Borrowed(id),
        });
    }
}

/// The histories of the users of one batch.
#[derive(Default)]
pub(crate) struct Histories<'a> {
    users: HashMap<&'a str, UserHistory<'a>>,
}

impl<'a> Histories<'a> {
    /// The history of `user`, read from state the first time in the batch.
    /// A stored value that cannot be read (an older layout) is logged and
    /// started afresh rather than failing every batch from now on.
    pub(crate) fn get(&mut self, user: &'a str, ctx: &mut Context) -> &mut UserHistory<'a> {
        self.users
            .entry(user)
            .or_insert_with(|| match ctx.get_json::<UserHistory>(&key(user)) {
                Ok(stored) => stored.unwrap_or_default(),
                Err(e) => {
                    ctx.warn(&format!("starting a new history: {e}"));
                    UserHistory::default()
                }
            })
    }

    /// Writes every history of the batch back to state.
    ///
    /// # Errors
    ///
    /// When a history cannot be serialized (it always can).
    pub(crate) fn save(self, ctx: &mut Context) -> Result<(), Error> {
        for (user, history) in self.users {
            ctx.put_json(&key(user), &history)?;
        }
        Ok(())
    }
}

/// `text` in upper case, borrowed when it already is.
fn upper(text: &str) -> Cow<'_, str> {
    if text.bytes().any(|b| b.is_ascii_lowercase()) {
        Cow::Owned(text.to_ascii_uppercase())
    } else {
        Cow::Borrowed(text)
    }
}

/// The state key of `user`.
fn key(user: &str) -> String {
    format!("user/{user}")
}

#[cfg(test)]
mod tests {
    use super::*;

    fn place(country: &'static str, at: Option<(f64, f64)>) -> Place<'static> {
        Place {
            coordinates: at,
            country: Some(country),
            city: None,
        }
    }

    #[test]
    fn a_late_login_does_not_replace_the_latest() {
        let mut h = UserHistory::default();
        h.record(200, &place("gb", Some((51.5, 0.1))), None, "b");
        h.record(100, &place("se", Some((58.4, 15.6))), None, "a");
        assert_eq!(h.last.as_ref().map(|l| l.event_id.as_ref()), Some("b"));
        assert_eq!(h.countries, ["GB", "SE"]);
        assert_eq!(h.logins, 2);
    }

    #[test]
    fn the_country_list_is_capped() {
        let mut h = UserHistory::default();
        let codes: Vec<String> = (0..40).map(|i| format!("C{i}")).collect();
        for code in &codes {
            let place = Place {
                coordinates: None,
                country: Some(code),
                city: None,
            };
            h.record(0, &place, None, "e");
        }
        assert_eq!(h.countries.len(), MAX_COUNTRIES);
        assert!(h.countries_full() && h.last.is_none());
    }

    #[test]
    fn stored_json_is_compact() {
        let mut h = UserHistory::default();
        h.record(
            1,
            &place("GB", Some((51.5, -0.09))),
            Some("81.2.69.142"),
            "e1",
        );
        let json = serde_json::to_string(&h).unwrap();
        assert!(json.len() < 200, "{json}");
        assert_eq!(serde_json::from_str::<UserHistory>(&json).unwrap(), h);
    }
}
