//! Palisade detector `impossible-travel`: logins of one account from places
//! too far apart for the time between them, and logins from a country the
//! account has never logged in from.
//!
//! A stolen password or session token is used from wherever the attacker
//! sits. When the account's owner logged in from London an hour earlier, a
//! login from Tokyo cannot be theirs (MITRE ATT&CK T1078, Valid Accounts).
//!
//! The detector reads successful logins (`auth.login`) with a location:
//! `src_lat`/`src_lon` and `src_country`/`src_city`, from the vendor's log
//! or filled by the host from a geo database. It skips logins without a
//! user, with outcome `failure`, from private, loopback, link-local,
//! carrier-grade NAT, multicast or reserved addresses (their location
//! means nothing), and logins with neither coordinates nor a country.
//! Within a batch, logins are taken in time order (ties by event id),
//! whatever order they came in.
//!
//! Per user it keeps (see [`history`]) the latest login with coordinates,
//! the countries seen and a count of located logins, and reports:
//!
//! - `impossible_travel.speed` when the great-circle (haversine) distance
//!   from the latest login to this one is above `min_distance_km` and
//!   covering it in the time between them takes more than
//!   `max_speed_kmh`. Severity 50 at the limit, 10 more per doubling, at
//!   most 90. The summary names both places, the distance and the speed;
//!   the events of both logins support it.
//! - `impossible_travel.new_country` when the user already has
//!   `baseline_logins` located logins and logs in from a country none of
//!   them came from (severity 40). A new user's first logins build the
//!   baseline and are never reported.
//!
//! Both name the `user` and the login's address (`ip`). Travel compares
//! consecutive logins only: an attacker's login followed by the owner's
//! next one at home is reported twice, once each way.
//!
//! Settings (see [`config`]): `max_speed_kmh` (900), `min_distance_km`
//! (500), `baseline_logins` (5).

pub mod config;
mod geo;
pub mod history;
pub mod judge;

use palisade_sdk::{Context, Description, Detector, Error, Event, Events, Findings, Settings};

use crate::config::Config;
use crate::history::Histories;
use crate::judge::Login;

pub use crate::judge::{NEW_COUNTRY, TRAVEL};

/// The event kind this detector reads.
pub const KIND: &str = "auth.login";

/// The detector.
#[derive(Debug)]
pub struct ImpossibleTravel {
    config: Config,
}

impl Detector for ImpossibleTravel {
    fn describe() -> Description {
        let description = Description::new(
            "impossible-travel",
            env!("CARGO_PKG_VERSION"),
            "Finds logins of one account from places too far apart for the time between \
             them, and logins from a country new for the account.",
        )
        .kinds([KIND])
        .columns([
            "user",
            "outcome",
            "src_ip",
            "src_country",
            "src_city",
            "src_lat",
            "src_lon",
        ]);
        config::declare(description)
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        Ok(ImpossibleTravel {
            config: Config::from_settings(settings)?,
        })
    }

    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error> {
        let mut histories = Histories::default();
        for event in in_time_order(events) {
            let Some(login) = Login::of(event) else {
                continue;
            };
            let history = histories.get(login.user, ctx);
            if let Some(last) = &history.last
                && let Some(finding) = judge::travel(&login, last, &self.config)
            {
                out.push(finding);
            }
            if let Some(finding) = judge::new_country(&login, history, &self.config) {
                out.push(finding);
            }
            history.record(event.time(), &login.place, login.ip, event.event_id());
        }
        histories.save(ctx)
    }
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

palisade_sdk::export_detector!(ImpossibleTravel);
