//! The Defender email mapping on the fixture of streaming records.

use super::*;
use crate::normalize::azure::tests::{csv_event, json_event};

/// A phishing message with two links, a click on one, and a reply sent
/// from the recipient's account: streaming API records, one per line.
const FIXTURE: &str = include_str!(concat!(
    env!("CARGO_MANIFEST_DIR"),
    "/../tests/fixtures/defender_email.jsonl"
));

const PHISH: &str = "7c5f0e3a-1b2d-4c8e-9f60-08dc4403a1b2";

fn fixture() -> Vec<Event> {
    FIXTURE
        .lines()
        .map(|line| json_event(line).unwrap_or_else(|e| panic!("{e}: {line}")))
        .collect()
}

fn attr<'e>(e: &'e Event, key: &str) -> Option<&'e str> {
    e.attrs.get(key).map(String::as_str)
}

#[test]
fn the_three_tables_have_their_kinds_and_join_on_the_message() {
    let events = fixture();
    let kinds: Vec<&str> = events.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(
        kinds,
        [
            "email.message",
            "email.url",
            "email.url",
            "email.url_click",
            "email.message"
        ]
    );
    for e in &events[..4] {
        assert_eq!(e.source, "defender");
        assert_eq!(attr(e, "NetworkMessageId"), Some(PHISH), "{}", e.kind);
    }
    let ids: std::collections::HashSet<&str> = events.iter().map(|e| e.event_id.as_str()).collect();
    assert_eq!(ids.len(), events.len(), "event ids are unique");
}

#[test]
fn an_inbound_message_is_about_its_recipient() {
    let e = &fixture()[0];
    assert_eq!(e.user.as_deref(), Some("meganb@contoso.onmicrosoft.com"));
    assert_eq!(
        e.email_from.as_deref(),
        Some("billing@invoice-portal.example")
    );
    assert_eq!(e.email_to, ["meganb@contoso.onmicrosoft.com"]);
    assert_eq!(e.email_subject.as_deref(), Some("Overdue invoice 4471"));
    assert_eq!(
        e.message_id.as_deref(),
        Some("<CAF3x9Q1a7@mail.invoice-portal.example>")
    );
    assert_eq!(e.domain.as_deref(), Some("invoice-portal.example"));
    assert_eq!(e.action.as_deref(), Some("Delivered"));
    assert_eq!(
        e.src_ip, None,
        "the relaying server is not the user's address"
    );
    assert_eq!(e.time, 1_710_406_947_000_000, "Timestamp, not time");
    assert_eq!(attr(e, "EmailDirection"), Some("Inbound"));
    assert_eq!(attr(e, "DeliveryLocation"), Some("Inbox/folder"));
    assert_eq!(attr(e, "UrlCount"), Some("2"));
    assert_eq!(attr(e, "SenderIPv4"), Some("203.0.113.45"));
    assert_eq!(
        attr(e, "tenantId"),
        Some("2ad3fc79-1859-42fa-9011-6f8df2251b22")
    );
    assert_eq!(attr(e, "ThreatTypes"), None, "empty values are skipped");
    assert_eq!(attr(e, "category"), None);
}

#[test]
fn an_outbound_message_is_about_its_sender() {
    let e = &fixture()[4];
    assert_eq!(e.user.as_deref(), Some("meganb@contoso.onmicrosoft.com"));
    assert_eq!(e.email_to, ["alex@fabrikam.example"]);
    assert_eq!(attr(e, "EmailDirection"), Some("Outbound"));
}

#[test]
fn url_rows_and_clicks_carry_the_url_and_its_domain() {
    let events = fixture();
    let url = &events[1];
    assert_eq!(
        url.url.as_deref(),
        Some("https://invoice-portal.example/view?id=4471")
    );
    assert_eq!(url.domain.as_deref(), Some("invoice-portal.example"));
    assert_eq!(url.user, None);
    assert_eq!(attr(url, "UrlLocation"), Some("Body"));

    let click = &events[3];
    assert_eq!(
        click.user.as_deref(),
        Some("meganb@contoso.onmicrosoft.com")
    );
    assert_eq!(click.url, url.url);
    assert_eq!(click.domain.as_deref(), Some("invoice-portal.example"));
    assert_eq!(click.src_ip.as_deref(), Some("193.222.96.91"));
    assert_eq!(click.action.as_deref(), Some("ClickAllowed"));
    assert_eq!(click.outcome.as_deref(), Some("success"));
    assert_eq!(attr(click, "IsClickedThrough"), Some("false"));
    assert_eq!(attr(click, "Workload"), Some("Email"));
    assert_eq!(click.time, 1_710_407_508_190_336);
}

#[test]
fn blocked_clicks_fail_unless_clicked_through() {
    let line = FIXTURE.lines().nth(3).unwrap();
    let blocked = line.replace("ClickAllowed", "ClickBlocked");
    assert_eq!(
        json_event(&blocked).unwrap().outcome.as_deref(),
        Some("failure")
    );
    let through = blocked.replace(r#""IsClickedThrough":false"#, r#""IsClickedThrough":true"#);
    assert_eq!(
        json_event(&through).unwrap().outcome.as_deref(),
        Some("success")
    );
}

#[test]
fn rows_without_their_key_field_name_it() {
    let lines: Vec<&str> = FIXTURE.lines().collect();
    let no_message = lines[0].replace(r#""NetworkMessageId""#, r#""Other""#);
    assert_eq!(
        json_event(&no_message).unwrap_err().to_string(),
        "missing `NetworkMessageId`"
    );
    let no_url = lines[3].replace(r#""Url":"#, r#""Link":"#);
    assert_eq!(
        json_event(&no_url).unwrap_err().to_string(),
        "missing `Url`"
    );
}

#[test]
fn sentinel_rows_of_the_same_tables_map_alike() {
    let e = csv_event(&[
        ("TenantId", "7c759f10-811c-4db8-ad6d-f07d8ae3f8ea"),
        ("TimeGenerated [UTC]", "3/14/2024, 9:11:48.190 AM"),
        ("Timestamp [UTC]", "3/14/2024, 9:11:48.190 AM"),
        ("Url", "https://invoice-portal.example/view?id=4471"),
        ("ActionType", "ClickAllowed"),
        ("AccountUpn", "MeganB@contoso.onmicrosoft.com"),
        ("NetworkMessageId", PHISH),
        ("IPAddress", "193.222.96.91"),
        ("IsClickedThrough", "false"),
        ("Type", "UrlClickEvents"),
    ])
    .unwrap();
    assert_eq!(e.kind, "email.url_click");
    assert_eq!(e.user.as_deref(), Some("meganb@contoso.onmicrosoft.com"));
    assert_eq!(attr(&e, "NetworkMessageId"), Some(PHISH));
    assert_eq!(attr(&e, "TimeGenerated"), None);
}

#[test]
fn url_hosts() {
    let cases = [
        (
            "https://Invoice-Portal.example/view?id=1",
            Some("invoice-portal.example"),
        ),
        ("http://user:pw@host.example:8080/x", Some("host.example")),
        ("https://[2001:db8::1]:443/a", Some("2001:db8::1")),
        ("host.example/path", Some("host.example")),
        ("https://example.com.?q", Some("example.com")),
        ("https:///nothing", None),
    ];
    for (url, want) in cases {
        assert_eq!(url_host(url).as_deref(), want, "{url}");
    }
}
