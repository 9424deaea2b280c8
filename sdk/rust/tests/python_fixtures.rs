//! The Arrow IPC streams the Python SDK's reader is tested against, made
//! by the same Rust code that builds what the host sends.
//!
//! The files under `sdk/python/tests/fixtures/` must equal what this
//! writes; after a deliberate change, regenerate them with
//! `PALISADE_BLESS=1 cargo test -p palisade-sdk --test python_fixtures`.

use std::path::PathBuf;

use palisade_sdk::testing::{TestEvent, event_batch, write_ipc};

fn fixtures() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../python/tests/fixtures")
}

/// Every event column type, with nulls, empty lists and maps, and text
/// outside ASCII; `raw` left null throughout.
fn events() -> Vec<TestEvent> {
    vec![
        TestEvent::new("auth.login")
            .with("event_id", "e1")
            .with("time", "2024-03-05T03:30:00.000123Z")
            .with("source", "entra")
            .with("user", "ann@corp.example")
            .with("src_ip", "198.51.100.7")
            .with("src_country", "US")
            .with("src_lat", 40.7128)
            .with("src_lon", -74.006)
            .with("dst_port", 443)
            .with("bytes", 9_007_199_254_740_993_i64)
            .with("email_to", vec!["a@x.example", "b@x.example"])
            .attr("Client", "Outlook"),
        TestEvent::new("email.message")
            .with("event_id", "e2")
            .with("time", 0)
            .with("email_subject", "Überweisung — dringend ✉")
            .with("email_to", Vec::<String>::new())
            .with("bytes", -1),
        TestEvent::new("mailbox.rule_change")
            .with("event_id", "e3")
            .with("time", "1969-12-31T23:59:59Z")
            .with("rule_name", "...")
            .attr("MoveToFolder", "RSS Feeds")
            .attr("StopProcessingRules", "True"),
    ]
}

#[test]
fn python_reader_fixtures_are_current() {
    let batch = event_batch(&events()).unwrap();
    let files = [
        (
            "events.arrows",
            write_ipc(std::slice::from_ref(&batch)).unwrap(),
        ),
        (
            "events-two-batches.arrows",
            write_ipc(&[batch.slice(0, 1), batch.slice(1, 2)]).unwrap(),
        ),
    ];
    for (name, bytes) in files {
        let path = fixtures().join(name);
        if std::env::var_os("PALISADE_BLESS").is_some() {
            std::fs::create_dir_all(fixtures()).unwrap();
            std::fs::write(&path, &bytes).unwrap();
        }
        let current = std::fs::read(&path).unwrap_or_default();
        assert!(
            current == bytes,
            "{} is out of date; regenerate with PALISADE_BLESS=1",
            path.display()
        );
    }
}
