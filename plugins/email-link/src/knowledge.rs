//! What the organisation knows: when each sender, sender domain and site
//! was first seen, and the detector's clock.
//!
//! A first sighting is kept as the earliest event time seen, under one
//! state key per item (`sender:a@b.c`, `sender_domain:b.c`,
//! `site:latovafineart.life`), never expired: it is the organisation's
//! history. Because an item is judged against the time of the message, not
//! the order rows arrive in, the same events give the same judgement
//! whether they come in one batch or several, in any order.
//!
//! Within a batch the values are cached, and written back once by
//! [`Knowledge::flush`].

use std::collections::HashMap;
use std::collections::hash_map::Entry;

use palisade_sdk::{Context, Error};
use serde::{Deserialize, Serialize};

/// What an item of knowledge is.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Item {
    /// A sender address mail was received from (or sent to).
    Sender,
    /// The registered domain of such an address.
    SenderDomain,
    /// A site seen in a link or in network traffic.
    Site,
}

impl Item {
    fn key(self, name: &str) -> String {
        let prefix = match self {
            Item::Sender => "sender",
            Item::SenderDomain => "sender_domain",
            Item::Site => "site",
        };
        format!("{prefix}:{name}")
    }
}

/// First sightings, cached for one batch.
#[derive(Debug, Default)]
pub(crate) struct Knowledge {
    /// By state key: the earliest time, and whether it changed.
    cache: HashMap<String, (Option<i64>, bool)>,
}

impl Knowledge {
    /// When `name` was first seen, if ever.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when the stored value is not a time.
    pub(crate) fn first_seen(
        &mut self,
        ctx: &mut Context,
        item: Item,
        name: &str,
    ) -> Result<Option<i64>, Error> {
        Ok(self.entry(ctx, item.key(name))?.0)
    }

    /// Records a sighting of `name` at `time`.
    ///
    /// # Errors
    ///
    /// As [`Knowledge::first_seen`].
    pub(crate) fn learn(
        &mut self,
        ctx: &mut Context,
        item: Item,
        name: &str,
        time: i64,
    ) -> Result<(), Error> {
        let entry = self.entry(ctx, item.key(name))?;
        if entry.0.is_none_or(|first| time < first) {
            *entry = (Some(time), true);
        }
        Ok(())
    }

    /// Whether `name` counts as new for something that happened at `time`:
    /// never seen, or first seen no more than `grace` before it (a message
    /// is itself a sighting of its sender, so "not before it" alone would
    /// make every sender known).
    ///
    /// # Errors
    ///
    /// As [`Knowledge::first_seen`].
    pub(crate) fn is_new(
        &mut self,
        ctx: &mut Context,
        item: Item,
        name: &str,
        time: i64,
        grace: i64,
    ) -> Result<bool, Error> {
        let first = self.first_seen(ctx, item, name)?;
        Ok(first.is_none_or(|first| first >= time.saturating_sub(grace)))
    }

    /// Writes the changed sightings to state.
    pub(crate) fn flush(&mut self, ctx: &mut Context) {
        for (key, (first, changed)) in self.cache.drain() {
            if let (Some(first), true) = (first, changed) {
                ctx.put(&key, first.to_string().as_bytes());
            }
        }
    }

    fn entry(&mut self, ctx: &mut Context, key: String) -> Result<&mut (Option<i64>, bool), Error> {
        match self.cache.entry(key) {
            Entry::Occupied(entry) => Ok(entry.into_mut()),
            Entry::Vacant(slot) => {
                let stored = ctx.get(slot.key()).map(|b| parse_time(slot.key(), &b));
                let first = stored.transpose()?;
                Ok(slot.insert((first, false)))
            }
        }
    }
}

fn parse_time(key: &str, bytes: &[u8]) -> Result<i64, Error> {
    std::str::from_utf8(bytes)
        .ok()
        .and_then(|s| s.parse().ok())
        .ok_or_else(|| Error::State {
            key: key.to_owned(),
            reason: format!(
                "expected a time, found {:?}",
                String::from_utf8_lossy(bytes)
            ),
        })
}

/// State key of the clock.
const CLOCK: &str = "clock";

/// The detector's clock, in event time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Clock {
    /// The earliest event time ever seen: learning runs from here.
    pub first: i64,
    /// The latest event time ever seen: the detector's "now".
    pub now: i64,
}

impl Clock {
    /// The clock after a batch spanning `start..=end`.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when the stored clock is unreadable.
    pub(crate) fn advance(ctx: &mut Context, start: i64, end: i64) -> Result<Clock, Error> {
        let clock = match ctx.get_json::<Clock>(CLOCK)? {
            Some(c) => Clock {
                first: c.first.min(start),
                now: c.now.max(end),
            },
            None => Clock {
                first: start,
                now: end,
            },
        };
        ctx.put_json(CLOCK, &clock)?;
        Ok(clock)
    }
}
