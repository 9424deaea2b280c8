//! Short-lived state: messages waiting for their rows, links and clicks;
//! visits to new sites; and which messages link to which site.
//!
//! | key | value |
//! |---|---|
//! | `msg:<NetworkMessageId>` | [`MessageState`]: the message (from a new sender only), its links to new sites, clicks, what was reported |
//! | `visits:<site>` | [`Visits`]: recipients' devices reaching a site that was new at the time |
//! | `watch:<site>` | [`Watches`]: messages already reported for a link to the site, so a later visit finds them |
//!
//! Each entry is kept for the click window, the novelty grace and an hour
//! of slack for late rows after its time, measured on the detector's clock
//! (the latest event time seen).
//!
//! Only what can still lead to a finding is stored: links and visits to
//! sites the organisation knows, and messages from known senders, leave no
//! pending state. Each value is bounded (a few hundred entries at most).
//!
//! The state API has no listing, so expiry keeps its own index: every
//! written key is noted under `expiry:<hour>` for the hour of its newest
//! entry, and `expiry` lists the hours with notes. When an hour has aged
//! out, each key noted under it is pruned, and deleted once empty; a key
//! with newer entries is noted again under a later hour.

use std::collections::btree_map::Entry;
use std::collections::{BTreeMap, BTreeSet};

use palisade_sdk::{Context, Error};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

use crate::observe::{Click, Link, MessageRow, Visit};

/// One hour in microseconds: the resolution of expiry.
pub(crate) const HOUR: i64 = 3_600_000_000;

/// Most recipients of one message reported one by one.
const MAX_RECIPIENTS: usize = 100;
/// Most links to new sites kept per message.
const MAX_LINKS: usize = 20;
/// Most clicks kept per message.
const MAX_CLICKS: usize = 50;
/// Most visits kept per site; the oldest go first.
const MAX_VISITS: usize = 64;
/// Most messages watched per site; the oldest go first.
const MAX_WATCHES: usize = 200;
/// A user's visits to a site closer together than this are kept once:
/// a device resolves a name again every few minutes.
const VISIT_SPACING: i64 = 10 * 60_000_000;

/// A stored value whose entries age out.
pub(crate) trait Aging: Serialize + DeserializeOwned + Default {
    /// The time of the newest entry; `None` when there is none left.
    fn newest(&self) -> Option<i64>;
    /// Drops the entries older than `cutoff`.
    fn prune(&mut self, cutoff: i64);
}

/// A message from a new sender, as far as its rows have arrived.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct MessageState {
    /// The message, once a row of it has arrived and it qualifies.
    #[serde(default)]
    pub message: Option<Message>,
    /// A row showed the message does not qualify (known sender,
    /// outbound, learning); later links are not kept.
    #[serde(default)]
    pub quiet: bool,
    #[serde(default)]
    pub links: Vec<Link>,
    #[serde(default)]
    pub clicks: Vec<Click>,
    /// `recipient site` pairs reported as delivered.
    #[serde(default)]
    pub delivered: Vec<String>,
    /// `recipient site` pairs reported as clicked or visited.
    #[serde(default)]
    pub escalated: Vec<String>,
    /// The latest time of any row, for expiry.
    #[serde(default)]
    pub last: Option<i64>,
}

/// The parts of a message the findings tell.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
pub(crate) struct Message {
    /// The earliest row's time.
    pub time: i64,
    pub sender: Option<String>,
    pub sender_domain: Option<String>,
    pub subject: Option<String>,
    pub sender_ip: Option<String>,
    pub delivery_action: Option<String>,
    pub threat_types: Option<String>,
    pub recipients: Vec<Recipient>,
}

/// One recipient's row of a message.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Recipient {
    pub user: String,
    pub event_id: String,
    pub time: i64,
}

impl MessageState {
    /// Adds a qualifying row of the message.
    pub(crate) fn add_row(&mut self, row: &MessageRow) {
        self.touch(row.time);
        let message = self.message.get_or_insert_with(|| Message {
            time: row.time,
            sender: row.sender.clone(),
            sender_domain: row.sender_domain.clone(),
            subject: row.subject.clone(),
            sender_ip: row.sender_ip.clone(),
            delivery_action: row.delivery_action.clone(),
            threat_types: row.threat_types.clone(),
            recipients: Vec::new(),
        });
        message.time = message.time.min(row.time);
        for user in &row.recipients {
            let known = message.recipients.iter().any(|r| &r.user == user);
            if !known && message.recipients.len() < MAX_RECIPIENTS {
                message.recipients.push(Recipient {
                    user: user.clone(),
                    event_id: row.event_id.clone(),
                    time: row.time,
                });
            }
        }
    }

    /// Marks the message as one that is never reported.
    pub(crate) fn silence(&mut self, time: i64) {
        self.touch(time);
        self.quiet = true;
        self.message = None;
        self.links.clear();
        self.clicks.clear();
    }

    /// Adds a link to a new site, once per URL.
    pub(crate) fn add_link(&mut self, link: Link) {
        self.touch(link.time);
        let known = self
            .links
            .iter()
            .any(|l| l.event_id == link.event_id || (l.url.is_some() && l.url == link.url));
        if !self.quiet && !known && self.links.len() < MAX_LINKS {
            self.links.push(link);
        }
    }

    /// Adds a click on one of the message's links.
    pub(crate) fn add_click(&mut self, click: Click) {
        self.touch(click.time);
        let known = self.clicks.iter().any(|c| c.event_id == click.event_id);
        if !self.quiet && !known && self.clicks.len() < MAX_CLICKS {
            self.clicks.push(click);
        }
    }

    fn touch(&mut self, time: i64) {
        self.last = Some(self.last.map_or(time, |last| last.max(time)));
    }
}

impl Aging for MessageState {
    fn newest(&self) -> Option<i64> {
        self.last
    }

    fn prune(&mut self, cutoff: i64) {
        if self.last.is_some_and(|last| last < cutoff) {
            *self = MessageState::default();
        }
    }
}

/// Visits to one site, oldest first.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Visits(pub Vec<Visit>);

impl Visits {
    /// Adds a visit unless the same user's device was seen there within
    /// ten minutes of it.
    pub(crate) fn add(&mut self, visit: Visit) {
        let close = self
            .0
            .iter()
            .any(|v| v.user == visit.user && (v.time - visit.time).abs() < VISIT_SPACING);
        if close {
            return;
        }
        self.0.push(visit);
        self.0
            .sort_by(|a, b| (a.time, &a.event_id).cmp(&(b.time, &b.event_id)));
        if self.0.len() > MAX_VISITS {
            self.0.remove(0);
        }
    }
}

impl Aging for Visits {
    fn newest(&self) -> Option<i64> {
        self.0.iter().map(|v| v.time).max()
    }

    fn prune(&mut self, cutoff: i64) {
        self.0.retain(|v| v.time >= cutoff);
    }
}

/// Messages reported for a link to one site.
#[derive(Debug, Clone, Default, Serialize, Deserialize)]
#[serde(transparent)]
pub(crate) struct Watches(pub Vec<Watched>);

/// A message reported for a link to a site.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub(crate) struct Watched {
    pub message: String,
    pub time: i64,
}

impl Watches {
    /// Adds a message once.
    pub(crate) fn add(&mut self, message: &str, time: i64) {
        if self.0.iter().any(|w| w.message == message) {
            return;
        }
        self.0.push(Watched {
            message: message.to_owned(),
            time,
        });
        if self.0.len() > MAX_WATCHES {
            self.0.remove(0);
        }
    }
}

impl Aging for Watches {
    fn newest(&self) -> Option<i64> {
        self.0.iter().map(|w| w.time).max()
    }

    fn prune(&mut self, cutoff: i64) {
        self.0.retain(|w| w.time >= cutoff);
    }
}

/// The short-lived state of one batch, cached and written back once.
#[derive(Debug)]
pub(crate) struct Pending {
    pub messages: Table<MessageState>,
    pub visits: Table<Visits>,
    pub watches: Table<Watches>,
    expiry: Expiry,
}

impl Default for Pending {
    fn default() -> Self {
        Pending {
            messages: Table::new("msg"),
            visits: Table::new("visits"),
            watches: Table::new("watch"),
            expiry: Expiry::default(),
        }
    }
}

impl Pending {
    /// Prunes every key noted under an hour that ended before `cutoff`.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when a stored value is unreadable.
    pub(crate) fn expire(&mut self, ctx: &mut Context, cutoff: i64) -> Result<(), Error> {
        for key in self.expiry.take_due(ctx, cutoff)? {
            let Some((prefix, name)) = key.split_once(':') else {
                continue;
            };
            match prefix {
                "msg" => self.messages.prune(ctx, name, cutoff)?,
                "visits" => self.visits.prune(ctx, name, cutoff)?,
                "watch" => self.watches.prune(ctx, name, cutoff)?,
                _ => {}
            }
        }
        Ok(())
    }

    /// Writes every changed value, and the expiry index.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when a value cannot be written.
    pub(crate) fn flush(&mut self, ctx: &mut Context) -> Result<(), Error> {
        self.messages.flush(ctx, &mut self.expiry)?;
        self.visits.flush(ctx, &mut self.expiry)?;
        self.watches.flush(ctx, &mut self.expiry)?;
        self.expiry.flush(ctx)
    }
}

/// The values under one key prefix, cached for a batch.
#[derive(Debug)]
pub(crate) struct Table<T> {
    prefix: &'static str,
    /// By name: the value and whether it changed.
    slots: BTreeMap<String, (T, bool)>,
}

impl<T: Aging> Table<T> {
    fn new(prefix: &'static str) -> Self {
        Table {
            prefix,
            slots: BTreeMap::new(),
        }
    }

    /// The value under `name`; the default when there is none.
    ///
    /// # Errors
    ///
    /// [`Error::State`] when the stored value is unreadable.
    pub(crate) fn get(&mut self, ctx: &mut Context, name: &str) -> Result<&T, Error> {
        Ok(&self.slot(ctx, name)?.0)
    }

    /// The value under `name`, to change.
    ///
    /// # Errors
    ///
    /// As [`Table::get`].
    pub(crate) fn get_mut(&mut self, ctx: &mut Context, name: &str) -> Result<&mut T, Error> {
        let slot = self.slot(ctx, name)?;
        slot.1 = true;
        Ok(&mut slot.0)
    }

    fn prune(&mut self, ctx: &mut Context, name: &str, cutoff: i64) -> Result<(), Error> {
        self.get_mut(ctx, name)?.prune(cutoff);
        Ok(())
    }

    fn slot(&mut self, ctx: &mut Context, name: &str) -> Result<&mut (T, bool), Error> {
        match self.slots.entry(name.to_owned()) {
            Entry::Occupied(slot) => Ok(slot.into_mut()),
            Entry::Vacant(slot) => {
                let key = format!("{}:{name}", self.prefix);
                let value = ctx.get_json::<T>(&key)?.unwrap_or_default();
                Ok(slot.insert((value, false)))
            }
        }
    }

    fn flush(&mut self, ctx: &mut Context, expiry: &mut Expiry) -> Result<(), Error> {
        for (name, (value, changed)) in std::mem::take(&mut self.slots) {
            if !changed {
                continue;
            }
            let key = format!("{}:{name}", self.prefix);
            match value.newest() {
                Some(newest) => {
                    ctx.put_json(&key, &value)?;
                    expiry.note(ctx, key, newest)?;
                }
                None => ctx.delete(&key),
            }
        }
        Ok(())
    }
}

/// State key of the list of hours with notes.
const EXPIRY: &str = "expiry";

/// The expiry index: which keys to look at when an hour ages out.
#[derive(Debug, Default)]
struct Expiry {
    /// Hours with notes; loaded on first use.
    hours: Option<BTreeSet<i64>>,
    /// Whether the list of hours changed.
    hours_changed: bool,
    /// Notes of the hours touched in this batch, and whether they changed.
    notes: BTreeMap<i64, (BTreeSet<String>, bool)>,
}

impl Expiry {
    /// Notes `key` under the hour of `time`.
    fn note(&mut self, ctx: &mut Context, key: String, time: i64) -> Result<(), Error> {
        let hour = time.div_euclid(HOUR);
        if self.hours(ctx)?.insert(hour) {
            self.hours_changed = true;
        }
        let notes = self.notes(ctx, hour)?;
        if notes.0.insert(key) {
            notes.1 = true;
        }
        Ok(())
    }

    /// The keys noted under hours that ended before `cutoff`, removing
    /// those hours from the index.
    fn take_due(&mut self, ctx: &mut Context, cutoff: i64) -> Result<Vec<String>, Error> {
        let due: Vec<i64> = self
            .hours(ctx)?
            .iter()
            .copied()
            .take_while(|h| h.saturating_add(1).saturating_mul(HOUR) <= cutoff)
            .collect();
        let mut keys = Vec::new();
        for hour in due {
            keys.extend(self.notes(ctx, hour)?.0.iter().cloned());
            self.notes.remove(&hour);
            self.hours(ctx)?.remove(&hour);
            self.hours_changed = true;
            ctx.delete(&format!("{EXPIRY}:{hour}"));
        }
        Ok(keys)
    }

    fn flush(&mut self, ctx: &mut Context) -> Result<(), Error> {
        for (hour, (keys, changed)) in std::mem::take(&mut self.notes) {
            if changed {
                ctx.put_json(&format!("{EXPIRY}:{hour}"), &keys)?;
            }
        }
        if let (Some(hours), true) = (self.hours.take(), self.hours_changed) {
            ctx.put_json(EXPIRY, &hours)?;
        }
        self.hours_changed = false;
        Ok(())
    }

    fn hours(&mut self, ctx: &mut Context) -> Result<&mut BTreeSet<i64>, Error> {
        if self.hours.is_none() {
            self.hours = Some(ctx.get_json(EXPIRY)?.unwrap_or_default());
        }
        self.hours
            .as_mut()
            .ok_or_else(|| Error::msg("expiry index not loaded"))
    }

    fn notes(
        &mut self,
        ctx: &mut Context,
        hour: i64,
    ) -> Result<&mut (BTreeSet<String>, bool), Error> {
        match self.notes.entry(hour) {
            Entry::Occupied(notes) => Ok(notes.into_mut()),
            Entry::Vacant(slot) => {
                let stored = ctx.get_json(&format!("{EXPIRY}:{hour}"))?;
                Ok(slot.insert((stored.unwrap_or_default(), false)))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn visit(user: &str, minute: i64) -> Visit {
        Visit {
            event_id: format!("{user}-{minute}"),
            time: minute * 60_000_000,
            user: Some(user.to_owned()),
            device: None,
            host: "a.evil.example".to_owned(),
            site: "evil.example".to_owned(),
            how: "dns.query".to_owned(),
        }
    }

    #[test]
    fn a_users_repeated_lookups_are_kept_once_per_ten_minutes() {
        let mut visits = Visits::default();
        for minute in [0, 3, 9, 10, 25] {
            visits.add(visit("alice", minute));
        }
        visits.add(visit("bob", 3));
        let kept: Vec<&str> = visits.0.iter().map(|v| v.event_id.as_str()).collect();
        assert_eq!(kept, ["alice-0", "bob-3", "alice-10", "alice-25"]);
        visits.prune(10 * 60_000_000);
        assert_eq!(visits.newest(), Some(25 * 60_000_000));
        assert_eq!(visits.0.len(), 2);
    }

    #[test]
    fn a_silenced_message_keeps_no_links_and_ages_out_whole() {
        let mut state = MessageState::default();
        state.silence(100);
        state.add_link(Link {
            event_id: "u".to_owned(),
            time: 120,
            url: None,
            host: "a.evil.example".to_owned(),
            site: "evil.example".to_owned(),
            service: None,
            text: None,
        });
        assert!(state.quiet && state.links.is_empty());
        assert_eq!(state.newest(), Some(120));
        state.prune(121);
        assert_eq!(state.newest(), None);
    }
}
