//! Google Workspace Admin SDK Reports API activities to events.
//!
//! [`GwsReportsNormalizer`] reads the activity resources of
//! `activities.list` (`{kind: "admin#reports#activity", id: {time,
//! uniqueQualifier, applicationName, customerId}, actor: {email,
//! profileId, callerType}, ipAddress, ownerDomain, events: [...]}`), one
//! per line, in a JSON array, or as the items of the API's pages (see
//! [`crate::ingest::Framing::JsonPages`]). Three shapes of `events` are
//! read:
//!
//! - a list of `{type, name, parameters}`, as the API gives them: one
//!   event per item;
//! - a single event object (`events: {...}`), as some exports write it;
//! - no `events` at all, with `type`, `name` and `parameters` on the
//!   activity itself, as Panther and other exports flatten it: one event.
//!
//! `parameters` is either the API's list of `{name, value | intValue |
//! boolValue | multiValue | multiIntValue | messageValue |
//! multiMessageValue}` or a plain object (`{doc_title: ..., visibility:
//! ...}`); both give the same `attrs`.
//!
//! Every event of an activity gets:
//!
//! - `time`: `id.time` (RFC 3339, or `2022-12-11 02:57:48.693000000` as
//!   exports write it), UTC.
//! - `kind`, `outcome`: see [`kind`]; `action`: the event `name` (else its
//!   `type`).
//! - `user`: `actor.email`, lower case.
//! - `src_ip`: `ipAddress` (v4 or v6) in canonical form; a value that is
//!   not an address stays in `attrs` under `ipAddress`.
//! - `src_country`: `networkInfo.regionCode` (already ISO 3166-1
//!   alpha-2), when present.
//! - Drive events: `file_name` from `doc_title`; `file_visibility` from
//!   `visibility`, see [`kind::visibility_of`]. `doc_id`, `owner`,
//!   `target_user`, `old_visibility`, ... stay in `attrs`.
//! - Gmail events: `email_from` (`message_info.source.from_header_address`,
//!   else `message_info.source.address`), `email_to`
//!   (`message_info.destination.address`), `email_subject`, `message_id`
//!   (`message_info.rfc2822_message_id`), `bytes`
//!   (`message_info.payload_size`) and `domain` (`message_info.link_domain`
//!   when the message links to exactly one domain).
//! - `attrs`: every parameter under its name, nested message parameters
//!   under dotted paths (`message_info.subject`), multiple values joined
//!   with `", "`; the event's `type`; and the activity's other fields
//!   under their dotted paths (`id.applicationName`, `id.customerId`,
//!   `id.uniqueQualifier`, `actor.profileId`, `actor.callerType`,
//!   `ownerDomain`, `networkInfo.subdivisionCode`, ...). A parameter wins
//!   a clash of names. `kind` and `etag` of the resource, and the `p_*`
//!   fields Panther adds, are left to `raw`.
//! - `raw`: the activity's JSON text (shared by its events).
//!
//! The event id hashes `id.customerId`, `id.applicationName`, `id.time`,
//! `id.uniqueQualifier` and the event's index in the activity; without a
//! `uniqueQualifier`, the raw text and the index.
//!
//! An activity must be a JSON object with `id.applicationName`; an
//! `events` that is neither a list nor an object, or an empty list, is an
//! error naming `events`, and so is an `id.time` that does not parse. An
//! activity without `id.time` (Panther's rule tests leave it out) is not
//! rejected: its events get time 0 (1970-01-01T00:00:00Z) and the
//! attribute `time_missing` saying so, so the activity is still seen by
//! detectors and the gap shows in any query by time.

mod activity;
pub mod kind;
#[doc(hidden)]
pub mod testdata;

use crate::normalize::{Attrs, TIME_MISSING};

use self::activity::{Activity, event_attrs};
use self::kind::{kind_of, outcome_of, visibility_of};
use crate::normalize::flatten::JOIN;
use crate::normalize::json::Json;
use crate::normalize::values::{canonical_ip, parse_time};
use crate::normalize::{Event, NormalizeError, Normalizer, Record, event_id};

/// The `source` of every event made here.
pub const SOURCE: &str = "gws";

/// Normalizes Google Workspace Reports API activity records.
#[derive(Debug, Clone, Copy, Default)]
pub struct GwsReportsNormalizer;

impl Normalizer for GwsReportsNormalizer {
    fn source(&self) -> &'static str {
        SOURCE
    }

    fn normalize(&self, record: &Record<'_>, out: &mut Vec<Event>) -> Result<(), NormalizeError> {
        match record {
            Record::Json(text) => normalize_json(text, out),
            Record::Csv(_) | Record::ZeekTsv(_) => Err(NormalizeError::unexpected_shape(
                record,
                "Google Workspace activity",
            )),
        }
    }
}

/// One activity's JSON text to its events.
fn normalize_json(text: &str, out: &mut Vec<Event>) -> Result<(), NormalizeError> {
    let json = Json::parse(text).map_err(|e| NormalizeError::Json {
        message: e.to_string(),
    })?;
    if json.as_object().is_none() {
        return Err(NormalizeError::Json {
            message: format!("expected an object, found {}", json.kind()),
        });
    }
    let activity = Activity::read(&json)?;
    let raw = text.trim();
    let time = match activity.time {
        Some(t) => Some(
            parse_time(t).ok_or_else(|| NormalizeError::invalid("id.time", "invalid date", t))?,
        ),
        None => None,
    };

    let first = out.len();
    for (index, event) in activity.events.iter().enumerate() {
        let attrs = event_attrs(&activity, event);
        let mut e = to_event(&activity, event, attrs, raw, index);
        e.time = time.unwrap_or(0);
        if time.is_none() {
            e.attrs
                .insert(TIME_MISSING, "the activity has no `id.time`".into());
        }
        out.push(e);
    }
    debug_assert!(out.len() > first, "an activity has at least one event");
    Ok(())
}

/// One event of an activity; see the module docs.
fn to_event(
    activity: &Activity<'_, '_>,
    event: &Json<'_>,
    mut attrs: Attrs,
    raw: &str,
    index: usize,
) -> Event {
    let name = text(event, "name");
    let event_type = text(event, "type");
    let kind = kind_of(activity.application, name.or(event_type), &attrs);
    let src_ip = activity.ip_address.and_then(|ip| {
        let canonical = canonical_ip(ip);
        if canonical.is_none() {
            attrs.insert("ipAddress", ip.to_owned());
        }
        canonical
    });
    let key = match activity.unique_qualifier {
        Some(unique) => format!(
            "{}/{}/{}/{unique}/{index}",
            activity.customer_id.unwrap_or(""),
            activity.application,
            activity.time.unwrap_or(""),
        ),
        None => format!("{raw}/{index}"),
    };

    let mut e = Event {
        event_id: event_id(SOURCE, &key),
        source: SOURCE,
        action: name.or(event_type).map(|n| n.trim().to_owned()),
        outcome: outcome_of(&kind).map(str::to_owned),
        user: activity.email.map(|u| u.trim().to_lowercase()),
        src_ip,
        src_country: activity.region_code.map(|c| c.trim().to_ascii_uppercase()),
        raw: Some(raw.to_owned()),
        ..Event::default()
    };
    if kind.starts_with("file.") || activity.application.eq_ignore_ascii_case("drive") {
        e.file_name = attrs.get("doc_title").cloned();
        e.file_visibility = attrs
            .get("visibility")
            .and_then(|v| visibility_of(v))
            .map(str::to_owned);
    }
    if activity.application.eq_ignore_ascii_case("gmail") {
        mail_columns(&mut e, &attrs);
    }
    e.kind = kind;
    e.attrs = attrs;
    e
}

/// The message columns of a Gmail event, from its flattened parameters.
fn mail_columns(e: &mut Event, attrs: &Attrs) {
    let get = |key: &str| attrs.get(key).map(String::as_str);
    e.email_from = get("message_info.source.from_header_address")
        .or_else(|| get("message_info.source.address"))
        .map(|a| a.trim().to_lowercase());
    e.email_to = get("message_info.destination.address")
        .map(|list| {
            list.split(JOIN)
                .map(|a| a.trim().to_lowercase())
                .filter(|a| !a.is_empty())
                .collect()
        })
        .unwrap_or_default();
    e.email_subject = get("message_info.subject").map(str::to_owned);
    e.message_id = get("message_info.rfc2822_message_id").map(str::to_owned);
    e.bytes = get("message_info.payload_size").and_then(|n| n.trim().parse().ok());
    e.domain = get("message_info.link_domain")
        .filter(|d| !d.contains(JOIN))
        .map(|d| d.trim().to_ascii_lowercase());
}

/// A string member of an event object, when not blank.
fn text<'j>(event: &'j Json<'_>, key: &str) -> Option<&'j str> {
    event
        .get_ignore_case(key)
        .and_then(Json::as_str)
        .filter(|s| !s.trim().is_empty())
}

#[cfg(test)]
mod tests;
