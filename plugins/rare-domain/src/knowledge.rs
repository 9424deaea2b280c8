//! What the organisation has reached, as kept in the host's state store.
//!
//! | key | value |
//! |---|---|
//! | `meta` | `{"start":<µs>,"devices":<n>}`: the time of the first event the detector saw (the learning period runs from it) and the number of devices known |
//! | `device/<device>` | the time the device was first seen; marks it as counted |
//! | `domain/<registered domain>` | a `DomainRecord` |
//!
//! A domain first seen during the learning period keeps only its
//! first-seen time. A domain new after it also keeps the devices that
//! reached it, at most `max_devices` + `wave_devices` of
//! them with the time and event of their first visit; one more device
//! makes it crowded, the list is dropped and the domain is never reported
//! again. Every value is a few hundred bytes at most.
//!
//! `Knowledge` reads what one batch needs on first use and writes back
//! what changed when the batch is done. Nothing outlives the call, so a
//! run split across batches, or across a restart, sees exactly what one
//! run would.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};

use palisade_sdk::{Context, Error};
use serde::de::DeserializeOwned;
use serde::{Deserialize, Serialize};

const META_KEY: &str = "meta";

/// The detector's own bookkeeping.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct Meta {
    /// The time of the first event ever seen, µs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub start: Option<i64>,
    /// Distinct devices seen.
    #[serde(default)]
    pub devices: u64,
}

/// What is known of one registered domain.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub(crate) struct DomainRecord {
    /// When the organisation first reached it, µs.
    pub first_seen: i64,
    /// The devices that reached it, in order, while it is new and rare.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub reached: Vec<Reach>,
    /// Reached by more devices than are kept: no longer rare.
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub crowded: bool,
    /// When the latest wave finding for it was made, µs.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub wave_at: Option<i64>,
}

/// A device's first visit to a domain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub(crate) struct Reach {
    pub device: String,
    /// µs.
    pub time: i64,
    pub event_id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
}

/// A domain record and whether the batch changed it.
#[derive(Debug)]
pub(crate) struct Entry {
    pub record: DomainRecord,
    pub changed: bool,
}

/// What one batch has read and changed.
pub(crate) struct Knowledge<'a> {
    meta: Meta,
    meta_changed: bool,
    /// Devices already checked in this batch.
    devices: HashSet<&'a str>,
    domains: HashMap<Cow<'a, str>, Entry>,
}

impl<'a> Knowledge<'a> {
    /// Starts a batch: reads the bookkeeping.
    pub(crate) fn load(ctx: &mut Context) -> Self {
        Knowledge {
            meta: read(ctx, META_KEY).unwrap_or_default(),
            meta_changed: false,
            devices: HashSet::new(),
            domains: HashMap::new(),
        }
    }

    /// The start of the learning period; the first call ever sets it to
    /// `time`.
    pub(crate) fn start(&mut self, time: i64) -> i64 {
        *self.meta.start.get_or_insert_with(|| {
            self.meta_changed = true;
            time
        })
    }

    /// The number of distinct devices seen so far.
    pub(crate) fn known_devices(&self) -> u64 {
        self.meta.devices
    }

    /// Counts `device` if it was never seen before.
    pub(crate) fn see_device(&mut self, device: &'a str, time: i64, ctx: &mut Context) {
        if !self.devices.insert(device) {
            return;
        }
        let key = format!("device/{device}");
        if ctx.get(&key).is_none() {
            ctx.put(&key, time.to_string().as_bytes());
            self.meta.devices += 1;
            self.meta_changed = true;
        }
    }

    /// The record of `domain`; a domain never seen is first seen at
    /// `time`.
    pub(crate) fn domain(
        &mut self,
        domain: Cow<'a, str>,
        time: i64,
        ctx: &mut Context,
    ) -> &mut Entry {
        self.domains.entry(domain).or_insert_with_key(|domain| {
            match read::<DomainRecord>(ctx, &domain_key(domain)) {
                Some(record) => Entry {
                    record,
                    changed: false,
                },
                None => Entry {
                    record: DomainRecord {
                        first_seen: time,
                        ..DomainRecord::default()
                    },
                    changed: true,
                },
            }
        })
    }

    /// Writes back what the batch changed.
    ///
    /// # Errors
    ///
    /// When a value cannot be serialized (it always can).
    pub(crate) fn save(self, ctx: &mut Context) -> Result<(), Error> {
        if self.meta_changed {
            ctx.put_json(META_KEY, &self.meta)?;
        }
        for (domain, entry) in self.domains {
            if entry.changed {
                ctx.put_json(&domain_key(&domain), &entry.record)?;
            }
        }
        Ok(())
    }
}

fn domain_key(domain: &str) -> String {
    format!("domain/{domain}")
}

/// The value under `key`. One that cannot be read (an older layout) is
/// logged and taken as absent, rather than failing every batch from now
/// on.
fn read<T: DeserializeOwned>(ctx: &mut Context, key: &str) -> Option<T> {
    ctx.get_json(key).unwrap_or_else(|e| {
        ctx.warn(&format!("starting afresh: {e}"));
        None
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn records_are_small_json() {
        let baseline = DomainRecord {
            first_seen: 1_709_280_000_000_000,
            ..DomainRecord::default()
        };
        assert_eq!(
            serde_json::to_string(&baseline).unwrap(),
            r#"{"first_seen":1709280000000000}"#
        );
        let reached = DomainRecord {
            reached: vec![Reach {
                device: "10.0.1.5".into(),
                time: 1,
                event_id: "e1".into(),
                user: None,
            }],
            crowded: false,
            wave_at: Some(2),
            ..baseline
        };
        let json = serde_json::to_string(&reached).unwrap();
        assert_eq!(
            serde_json::from_str::<DomainRecord>(&json).unwrap(),
            reached
        );
    }
}
