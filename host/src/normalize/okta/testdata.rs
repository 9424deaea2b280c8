//! Synthetic Okta System Log events, for benchmarks and tests.
//!
//! Deterministic: event `i` is always the same text. Mostly sign-ins and
//! MFA verifications, some sign-on policy evaluations, a few factor and
//! password changes, in the shape `/api/v1/logs` returns.

use std::io::{self, Write};

use crate::normalize::synthetic::mix;
use serde_json::{Value, json};

/// 2024-03-01T00:00:00Z in seconds.
const START: i64 = 1_709_251_200;

const USERS: [&str; 6] = [
    "Adele.Vance@corp.example",
    "alex.wilber@corp.example",
    "diego.siciliani@corp.example",
    "grady.archie@corp.example",
    "lee.gu@corp.example",
    "megan.bowen@corp.example",
];

/// Cities with their country as Okta names it and a location.
const PLACES: [(&str, &str, &str, f64, f64); 4] = [
    ("Seattle", "Washington", "United States", 47.6062, -122.3321),
    ("Chicago", "Illinois", "United States", 41.8781, -87.6298),
    ("Amsterdam", "North Holland", "Netherlands", 52.3676, 4.9041),
    ("Toronto", "Ontario", "Canada", 43.6532, -79.3832),
];

const AGENT: &str = "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/122.0.0.0 Safari/537.36";

/// LogEvent number `i` as one line of JSON (no newline).
pub fn log_event(i: u64) -> String {
    let r = mix(i);
    let user = USERS[(r % USERS.len() as u64) as usize];
    let (city, state, country, lat, lon) = PLACES[((r >> 8) % PLACES.len() as u64) as usize];
    let secs = START + i64::try_from(i / 4).unwrap_or(i64::MAX);
    let published = chrono::DateTime::from_timestamp(secs, 0)
        .unwrap_or_default()
        .format("%Y-%m-%dT%H:%M:%S%.3fZ")
        .to_string();
    let [a, b, c, d, ..] = (r >> 16).to_le_bytes();
    let ip = format!("{}.{b}.{c}.{d}", 20 + a % 200);
    let (event_type, result, message) = match (r >> 32) % 100 {
        0..40 => ("user.session.start", "SUCCESS", "User login to Okta"),
        40..50 => ("user.session.start", "FAILURE", "User login to Okta"),
        50..70 => (
            "user.authentication.auth_via_mfa",
            "SUCCESS",
            "Authentication of user via MFA",
        ),
        70..85 => (
            "policy.evaluate_sign_on",
            "ALLOW",
            "Evaluation of sign-on policy",
        ),
        85..90 => ("user.mfa.factor.activate", "SUCCESS", "User set up factor"),
        90..95 => (
            "user.account.update_password",
            "SUCCESS",
            "User update password for Okta",
        ),
        _ => ("user.session.end", "SUCCESS", "User logout from Okta"),
    };
    let geo = json!({
        "city": city, "state": state, "country": country, "postalCode": null,
        "geolocation": {"lat": lat, "lon": lon}
    });
    let event: Value = json!({
        "actor": {"id": format!("00u{:017x}", r >> 4), "type": "User", "alternateId": user,
                  "displayName": user.split('@').next().unwrap_or(user), "detailEntry": null},
        "client": {"userAgent": {"rawUserAgent": AGENT, "os": "Windows 10", "browser": "CHROME"},
                   "zone": "null", "device": "Computer", "id": null, "ipAddress": ip,
                   "geographicalContext": geo},
        "device": null,
        "authenticationContext": {"authenticationProvider": null, "credentialProvider": null,
                                  "credentialType": null, "issuer": null, "interface": null,
                                  "authenticationStep": 0, "externalSessionId": format!("102{:022x}", r)},
        "displayMessage": message,
        "eventType": event_type,
        "outcome": {"result": result, "reason": if result == "FAILURE" { "INVALID_CREDENTIALS" } else { "" }},
        "published": published,
        "securityContext": {"asNumber": 7922, "asOrg": "comcast", "isp": "comcast", "domain": "comcast.net", "isProxy": false},
        "severity": if result == "FAILURE" { "WARN" } else { "INFO" },
        "debugContext": {"debugData": {"requestId": format!("Z{:x}", r), "requestUri": "/idp/idx/identify",
                                       "threatSuspected": "false", "url": "/idp/idx/identify?"}},
        "legacyEventType": null,
        "transaction": {"type": "WEB", "id": format!("Z{:x}", r), "detail": {}},
        "uuid": format!("{:08x}-{:04x}-11ee-{:04x}-{:012x}", r >> 32, i & 0xffff, (r >> 16) & 0xffff, i),
        "version": "0",
        "request": {"ipChain": [{"ip": ip, "geographicalContext": geo, "version": "V4", "source": null}]},
        "target": [{"id": format!("0oa{:017x}", r >> 8), "type": "AppInstance",
                    "alternateId": "Okta Dashboard", "displayName": "Okta Dashboard", "detailEntry": null}]
    });
    event.to_string()
}

/// Writes LogEvents `0..count` as JSON lines; returns the bytes written.
///
/// # Errors
///
/// When `out` fails.
pub fn write_log_lines(out: &mut impl Write, count: u64) -> io::Result<u64> {
    crate::normalize::synthetic::write_lines(out, count, log_event)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn events_are_deterministic_single_lines() {
        assert_eq!(log_event(3), log_event(3));
        assert_ne!(log_event(3), log_event(4));
        let mut out = Vec::new();
        let bytes = write_log_lines(&mut out, 50).unwrap();
        assert_eq!(bytes, out.len() as u64);
        assert_eq!(out.iter().filter(|&&b| b == b'\n').count(), 50);
    }
}
