//! The Okta mapping, on LogEvents in the shape `/api/v1/logs` returns.

use super::*;

/// A sign-in from the Netherlands, written after the examples in Okta's
/// System Log documentation.
const SESSION_START: &str = r#"{"actor":{"id":"00u1q2w3e4r5t6y7u8i9","type":"User","alternateId":"Megan.Bowen@Corp.example","displayName":"Megan Bowen","detailEntry":null},"client":{"userAgent":{"rawUserAgent":"Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.2 Safari/605.1.15","os":"Mac OS X","browser":"SAFARI"},"zone":"null","device":"Computer","id":null,"ipAddress":"193.222.96.91","geographicalContext":{"city":"Amsterdam","state":"North Holland","country":"Netherlands","postalCode":"1012","geolocation":{"lat":52.3676,"lon":4.9041}}},"device":null,"authenticationContext":{"authenticationProvider":null,"credentialProvider":null,"credentialType":null,"issuer":null,"interface":null,"authenticationStep":0,"externalSessionId":"102abcDEFghiJKLmnoPQRst"},"displayMessage":"User login to Okta","eventType":"user.session.start","outcome":{"result":"SUCCESS","reason":null},"published":"2024-03-14T09:15:02.118Z","securityContext":{"asNumber":60781,"asOrg":"leaseweb netherlands b.v.","isp":"leaseweb","domain":"leaseweb.com","isProxy":false},"severity":"INFO","debugContext":{"debugData":{"requestId":"ZfLABgYpA0eWHHWz4vOEuQAAA5Y","requestUri":"/idp/idx/identify","threatSuspected":"false","url":"/idp/idx/identify?"}},"legacyEventType":"core.user_auth.login_success","transaction":{"type":"WEB","id":"ZfLABgYpA0eWHHWz4vOEuQAAA5Y","detail":{}},"uuid":"7a1c2e34-e1e2-11ee-9f0b-3b0d5a8e3c01","version":"0","request":{"ipChain":[{"ip":"193.222.96.91","geographicalContext":{"city":"Amsterdam","state":"North Holland","country":"Netherlands","postalCode":"1012","geolocation":{"lat":52.3676,"lon":4.9041}},"version":"V4","source":null},{"ip":"10.1.2.3","geographicalContext":null,"version":"V4","source":null}]},"target":null}"#;

fn one(text: &str) -> Result<Event, NormalizeError> {
    let mut out = Vec::new();
    OktaSystemLogNormalizer.normalize(&Record::Json(text), &mut out)?;
    assert_eq!(out.len(), 1);
    Ok(out.remove(0))
}

fn attr<'e>(e: &'e Event, key: &str) -> Option<&'e str> {
    e.attrs.get(key).map(String::as_str)
}

#[test]
fn country_names_become_codes() {
    for (name, code) in [
        ("United States", Some("US")),
        ("Netherlands", Some("NL")),
        ("United Kingdom", Some("GB")),
        ("Germany", Some("DE")),
        ("Atlantis", None),
    ] {
        assert_eq!(super::country_code(name).as_deref(), code, "{name}");
    }
}

#[test]
fn a_session_start_maps_to_every_column() {
    let e = one(SESSION_START).unwrap();
    assert_eq!(e.source, "okta");
    assert_eq!(e.kind, "auth.login");
    assert_eq!(e.action.as_deref(), Some("user.session.start"));
    assert_eq!(e.outcome.as_deref(), Some("success"));
    assert_eq!(e.user.as_deref(), Some("megan.bowen@corp.example"));
    assert_eq!(e.src_ip.as_deref(), Some("193.222.96.91"));
    assert_eq!(e.src_city.as_deref(), Some("Amsterdam"));
    assert_eq!(e.src_lat, Some(52.3676));
    assert_eq!(e.src_lon, Some(4.9041));
    assert_eq!(
        e.src_country.as_deref(),
        Some("NL"),
        "from the name Netherlands"
    );
    assert!(e.user_agent.as_deref().unwrap().contains("Safari"));
    assert_eq!(
        e.event_id,
        event_id("okta", "7a1c2e34-e1e2-11ee-9f0b-3b0d5a8e3c01")
    );
    assert_eq!(e.raw.as_deref(), Some(SESSION_START));
    let want = chrono::DateTime::parse_from_rfc3339("2024-03-14T09:15:02.118Z")
        .unwrap()
        .timestamp_micros();
    assert_eq!(e.time, want);

    assert_eq!(
        attr(&e, "client.geographicalContext.country"),
        Some("Netherlands")
    );
    assert_eq!(
        attr(&e, "client.geographicalContext.state"),
        Some("North Holland")
    );
    assert_eq!(attr(&e, "outcome.result"), Some("SUCCESS"));
    assert_eq!(attr(&e, "displayMessage"), Some("User login to Okta"));
    assert_eq!(attr(&e, "actor.id"), Some("00u1q2w3e4r5t6y7u8i9"));
    assert_eq!(attr(&e, "securityContext.asNumber"), Some("60781"));
    assert_eq!(
        attr(&e, "debugContext.debugData.requestUri"),
        Some("/idp/idx/identify")
    );
    assert_eq!(
        attr(&e, "request.ipChain.ip"),
        Some("193.222.96.91, 10.1.2.3")
    );
    for gone in [
        "client.ipAddress",
        "actor.alternateId",
        "client.geographicalContext.city",
        "client.geographicalContext.geolocation.lat",
        "request.ipChain.geographicalContext.city",
        "target",
        "uuid",
    ] {
        assert_eq!(attr(&e, gone), None, "{gone}");
    }
}

#[test]
fn event_types_and_outcomes_give_kinds() {
    let cases = [
        ("user.session.start", Some("SUCCESS"), "auth.login"),
        ("user.session.start", Some("ALLOW"), "auth.login"),
        ("user.session.start", Some("FAILURE"), "auth.login_failed"),
        ("user.session.start", Some("DENY"), "auth.login_failed"),
        (
            "user.session.start",
            Some("CHALLENGE"),
            "okta.user.session.start",
        ),
        ("user.session.start", None, "okta.user.session.start"),
        (
            "user.mfa.factor.activate",
            Some("SUCCESS"),
            "account.mfa_change",
        ),
        (
            "user.mfa.factor.deactivate",
            Some("SUCCESS"),
            "account.mfa_change",
        ),
        (
            "user.mfa.factor.reset_all",
            Some("SUCCESS"),
            "account.mfa_change",
        ),
        (
            "user.account.update_password",
            Some("SUCCESS"),
            "account.change",
        ),
        (
            "user.account.reset_password",
            Some("FAILURE"),
            "account.change",
        ),
        (
            "user.authentication.auth_via_mfa",
            Some("SUCCESS"),
            "okta.user.authentication.auth_via_mfa",
        ),
        ("user.session.end", Some("SUCCESS"), "okta.user.session.end"),
    ];
    for (event_type, result, want) in cases {
        assert_eq!(kind_of(event_type, result), want, "{event_type} {result:?}");
    }
    assert_eq!(outcome_of("SKIPPED"), "unknown");
}

#[test]
fn a_failed_factor_change_by_an_admin_names_its_target() {
    let text = SESSION_START
        .replace("user.session.start", "user.mfa.factor.deactivate")
        .replace("\"result\":\"SUCCESS\"", "\"result\":\"FAILURE\"")
        .replace(
            "\"target\":null",
            r#""target":[{"id":"00uA","type":"User","alternateId":"lee.gu@corp.example","displayName":"Lee Gu","detailEntry":{"methodTypeUsed":"Okta Verify"}},{"id":"f1","type":"Factor","alternateId":"push","displayName":"Okta Verify","detailEntry":null}]"#,
        )
        .replace("\"ipAddress\":\"193.222.96.91\"", "\"ipAddress\":\"okta-internal\"");
    let e = one(&text).unwrap();
    assert_eq!(e.kind, "account.mfa_change");
    assert_eq!(e.outcome.as_deref(), Some("failure"));
    assert_eq!(e.src_ip, None);
    assert_eq!(attr(&e, "client.ipAddress"), Some("okta-internal"));
    assert_eq!(
        attr(&e, "target.alternateId"),
        Some("lee.gu@corp.example, push")
    );
    assert_eq!(attr(&e, "target.type"), Some("User, Factor"));
    assert_eq!(
        attr(&e, "target.detailEntry.methodTypeUsed"),
        Some("Okta Verify")
    );
}

#[test]
fn unusable_events_name_the_field() {
    let no_published = SESSION_START.replace("\"published\":", "\"publishedAt\":");
    let bad_published = SESSION_START.replace("2024-03-14T09:15:02.118Z", "14/03/2024");
    let no_type = SESSION_START.replace("\"eventType\":", "\"type\":");
    let cases = [
        (no_published.as_str(), "missing `published`"),
        (
            bad_published.as_str(),
            "parsing `published`: invalid date `14/03/2024`",
        ),
        (no_type.as_str(), "missing `eventType`"),
        ("[]", "parsing JSON: expected an object, found an array"),
    ];
    for (text, want) in cases {
        assert_eq!(one(text).unwrap_err().to_string(), want);
    }
}

#[test]
fn generated_events_all_normalize() {
    let mut kinds = std::collections::BTreeSet::new();
    for i in 0..1_000 {
        let text = testdata::log_event(i);
        let e = one(&text).unwrap_or_else(|err| panic!("event {i}: {err}\n{text}"));
        assert!(e.src_ip.is_some() && e.src_lat.is_some() && e.user.is_some());
        kinds.insert(e.kind);
    }
    for kind in [
        "auth.login",
        "auth.login_failed",
        "account.mfa_change",
        "account.change",
    ] {
        assert!(kinds.contains(kind), "{kind} in {kinds:?}");
    }
}
