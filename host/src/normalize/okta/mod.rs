//! Okta System Log events to events.
//!
//! [`OktaSystemLogNormalizer`] reads the LogEvent objects of Okta's
//! `/api/v1/logs` (`uuid`, `published`, `eventType`, `actor`, `client`,
//! `outcome`, `target`, `debugContext`, ...), as the API's JSON array or
//! one object per line. Every LogEvent gives one event:
//!
//! - `time`: `published`; `action`: `eventType`; `kind`: see below.
//! - `outcome`: `outcome.result` `SUCCESS` and `ALLOW` are success,
//!   `FAILURE` and `DENY` failure, any other value (`CHALLENGE`,
//!   `SKIPPED`, `UNKNOWN`) unknown; the vendor's value stays in `attrs`
//!   under `outcome.result`.
//! - `user`: `actor.alternateId` (the login, an email address for people),
//!   lower case. For an administrator's action on someone else, the
//!   person acted on is in `target.alternateId`.
//! - `src_ip`: `client.ipAddress` in canonical form (a value that is not
//!   an address stays in `attrs`); `user_agent`:
//!   `client.userAgent.rawUserAgent`.
//! - `src_city`, `src_lat`, `src_lon`: `client.geographicalContext.city`
//!   and `.geolocation.lat`/`.lon`; `src_country`: the ISO 3166 code of
//!   the country Okta names in English (`United States` is `US`, through
//!   the `celes` country table and its common aliases). The name itself
//!   stays in `attrs` under `client.geographicalContext.country` (with
//!   `.state` and `.postalCode`), and is all there is when the name is
//!   not a known one. As the log gives coordinates, geo enrichment leaves
//!   the event as it is.
//! - `attrs`: every other field under its dotted path
//!   (`displayMessage`, `severity`, `actor.id`, `actor.type`,
//!   `client.device`, `securityContext.isp`, `target.alternateId`,
//!   `debugContext.debugData.requestUri`, ...); the values of the objects
//!   of a list, such as `target`, joined per key with `", "`. Of
//!   `request.ipChain` only the addresses are kept (`request.ipChain.ip`):
//!   the first is `client.ipAddress` and its location repeats the client's.
//! - `raw`: the LogEvent's JSON text.
//!
//! Kinds: `user.session.start` is `auth.login` when it succeeded (or was
//! allowed) and `auth.login_failed` when it failed (or was denied); other
//! outcomes keep `okta.user.session.start`. Every `user.mfa.factor.*`
//! event (`activate`, `deactivate`, `reset_all`, `suspend`, `update`, ...)
//! is `account.mfa_change`; `user.account.update_password` and
//! `user.account.reset_password` are `account.change`. Every other event
//! is `okta.<eventType>` (`okta.user.session.end`), so detectors can tell
//! them apart.
//!
//! The event id hashes `uuid`, else the raw text. A LogEvent without
//! `published` or `eventType`, or whose `published` does not parse, is an
//! error naming the field.

#[doc(hidden)]
pub mod testdata;

use crate::normalize::flatten::flatten;
use crate::normalize::json::Json;
use crate::normalize::values::{canonical_ip, parse_time};
use crate::normalize::{Event, NormalizeError, Normalizer, Record, event_id};

/// The `source` of every event made here.
pub const SOURCE: &str = "okta";

/// Normalizes Okta System Log events.
#[derive(Debug, Clone, Copy, Default)]
pub struct OktaSystemLogNormalizer;

impl Normalizer for OktaSystemLogNormalizer {
    fn source(&self) -> &'static str {
        SOURCE
    }

    fn normalize(&self, record: &Record<'_>, out: &mut Vec<Event>) -> Result<(), NormalizeError> {
        match record {
            Record::Json(text) => {
                out.push(normalize_json(text)?);
                Ok(())
            }
            Record::Csv(_) | Record::ZeekTsv(_) => {
                Err(NormalizeError::unexpected_shape(record, "Okta System Log"))
            }
        }
    }
}

/// Fields with a column of their own, and the parts of `request.ipChain`
/// that repeat `client`: not kept in `attrs`.
fn has_column(path: &str) -> bool {
    match path {
        "uuid" | "published" | "eventType" | "actor.alternateId" | "client.ipAddress" => true,
        "client.userAgent.rawUserAgent" | "client.geographicalContext.city" => true,
        "client.geographicalContext.geolocation" => true,
        _ => path.starts_with("request.ipChain.") && path != "request.ipChain.ip",
    }
}

/// One LogEvent's JSON text to an event.
fn normalize_json(text: &str) -> Result<Event, NormalizeError> {
    let json = Json::parse(text).map_err(|e| NormalizeError::Json {
        message: e.to_string(),
    })?;
    if json.as_object().is_none() {
        return Err(NormalizeError::Json {
            message: format!("expected an object, found {}", json.kind()),
        });
    }
    let field = |path: &str| {
        lookup(&json, path)
            .and_then(Json::as_str)
            .filter(|s| !s.trim().is_empty())
    };
    let published = field("published").ok_or_else(|| NormalizeError::missing("published"))?;
    let time = parse_time(published)
        .ok_or_else(|| NormalizeError::invalid("published", "invalid date", published))?;
    let event_type = field("eventType")
        .map(str::trim)
        .ok_or_else(|| NormalizeError::missing("eventType"))?;
    let result = field("outcome.result").map(str::trim);

    let mut attrs = flatten(&json, &has_column);
    let src_ip = field("client.ipAddress").and_then(|ip| {
        let canonical = canonical_ip(ip);
        if canonical.is_none() {
            attrs.insert("client.ipAddress", ip.to_owned());
        }
        canonical
    });
    let raw = text.trim();
    let geo = |key| {
        lookup(&json, "client.geographicalContext.geolocation")
            .and_then(|g| number(g.get_ignore_case(key)?))
    };

    Ok(Event {
        event_id: event_id(SOURCE, field("uuid").unwrap_or(raw)),
        time,
        source: SOURCE,
        kind: kind_of(event_type, result),
        action: Some(event_type.to_owned()),
        outcome: result.map(|r| outcome_of(r).to_owned()),
        user: field("actor.alternateId").map(|u| u.trim().to_lowercase()),
        src_ip,
        src_country: field("client.geographicalContext.country").and_then(country_code),
        src_city: field("client.geographicalContext.city").map(str::to_owned),
        src_lat: geo("lat"),
        src_lon: geo("lon"),
        user_agent: field("client.userAgent.rawUserAgent").map(str::to_owned),
        attrs,
        raw: Some(raw.to_owned()),
        ..Event::default()
    })
}

/// The ISO 3166 alpha-2 code of a country named in English, with or
/// without spaces (`United States`, `Netherlands`, `United Kingdom`).
fn country_code(name: &str) -> Option<String> {
    let compact: String = name.chars().filter(|c| !c.is_whitespace()).collect();
    compact
        .parse::<celes::Country>()
        .ok()
        .map(|country| country.alpha2.to_owned())
}

/// The member at a dotted `path` of objects.
fn lookup<'j, 'a>(json: &'j Json<'a>, path: &str) -> Option<&'j Json<'a>> {
    path.split('.')
        .try_fold(json, |value, key| value.get_ignore_case(key))
}

/// A number, or a string holding one.
fn number(value: &Json<'_>) -> Option<f64> {
    match value {
        Json::Float(n) => Some(*n),
        Json::Int(n) => Some(*n as f64),
        Json::UInt(n) => Some(*n as f64),
        Json::Str(s) => s.trim().parse().ok(),
        _ => None,
    }
    .filter(|n: &f64| n.is_finite())
}

/// The kind of an `eventType`, with its `outcome.result`; see the module
/// docs.
pub fn kind_of(event_type: &str, result: Option<&str>) -> String {
    let succeeded = result.map(outcome_of);
    let kind = match event_type {
        "user.session.start" => match succeeded {
            Some("success") => Some("auth.login"),
            Some("failure") => Some("auth.login_failed"),
            _ => None,
        },
        "user.account.update_password" | "user.account.reset_password" => Some("account.change"),
        t if t.starts_with("user.mfa.factor.") => Some("account.mfa_change"),
        _ => None,
    };
    match kind {
        Some(kind) => kind.to_owned(),
        None => format!("okta.{}", event_type.to_ascii_lowercase()),
    }
}

/// `success`, `failure` or `unknown` for an `outcome.result`.
pub fn outcome_of(result: &str) -> &'static str {
    let is = |names: &[&str]| names.iter().any(|n| n.eq_ignore_ascii_case(result));
    if is(&["SUCCESS", "ALLOW"]) {
        "success"
    } else if is(&["FAILURE", "DENY"]) {
        "failure"
    } else {
        "unknown"
    }
}

#[cfg(test)]
mod tests;
