//! Paths, runs and queries shared by the integration tests.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output};
use std::time::{Duration, Instant};

use serde_json::Value;

/// The workspace root.
pub fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .parent()
        .expect("host/ is in the workspace")
        .to_owned()
}

/// A file of the public sample data, or `None` (with a note on stderr)
/// when `../shared/data` is not there.
pub fn shared_data(relative: &str) -> Option<PathBuf> {
    let path = workspace().join("../shared/data").join(relative);
    if path.exists() {
        Some(path)
    } else {
        eprintln!(
            "skipping: sample data `{}` is absent (it lives in ../shared/data beside the clone)",
            path.display()
        );
        None
    }
}

/// The folder of the misbehaving test detectors built from `tests/plugins`.
pub fn test_plugin(file: &str) -> PathBuf {
    Path::new(env!("PALISADE_TEST_PLUGINS")).join(file)
}

/// The `palisade` binary, with the compiled-artifact cache shared by all
/// tests so each component is compiled once.
pub fn palisade() -> Command {
    let mut command = Command::new(env!("CARGO_BIN_EXE_palisade"));
    let cache = Path::new(env!("CARGO_TARGET_TMPDIR")).join("component-cache");
    command.env("XDG_CACHE_HOME", cache);
    command.env("PALISADE_LOG", "warn,palisade=info");
    command
}

/// Runs `palisade run --once --data-dir DATA ARGS...`.
pub fn run_once(data_dir: &Path, args: &[&Path]) -> Output {
    let output = palisade()
        .args(["run", "--once", "--data-dir"])
        .arg(data_dir)
        .args(args)
        .output()
        .expect("running palisade");
    eprintln!(
        "--- palisade run stdout\n{}--- stderr\n{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    output
}

/// `palisade run --config CONFIG`: follows the configuration's inputs
/// until interrupted, its output piped.
pub fn follow(config: &Path) -> Child {
    palisade()
        .args(["run", "--config"])
        .arg(config)
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .expect("starting palisade run --config")
}

/// The rows of a query over `data_dir`, as JSON objects.
pub fn sql(data_dir: &Path, query: &str) -> Vec<Value> {
    let output = palisade()
        .args(["sql", "--format", "json", "--data-dir"])
        .arg(data_dir)
        .arg(query)
        .output()
        .expect("running palisade sql");
    assert!(
        output.status.success(),
        "query failed: {query}\n{}",
        String::from_utf8_lossy(&output.stderr)
    );
    String::from_utf8(output.stdout)
        .expect("utf-8 output")
        .lines()
        .map(|line| serde_json::from_str(line).expect("one JSON object per line"))
        .collect()
}

/// The single number a `select count(*) ...` returns.
pub fn count(data_dir: &Path, query: &str) -> i64 {
    let rows = sql(data_dir, query);
    let row = rows
        .first()
        .expect("one row")
        .as_object()
        .expect("an object");
    row.values()
        .next()
        .and_then(Value::as_i64)
        .expect("a count")
}

/// Standard output as text.
pub fn stdout(output: &Output) -> String {
    String::from_utf8_lossy(&output.stdout).into_owned()
}

/// How long a test waits for a follower to catch up before failing.
pub const PATIENCE: Duration = Duration::from_secs(60);

/// Polls history until it holds `want` events.
pub fn wait_for_events(follower: &mut Child, data: &std::path::Path, want: i64) {
    let start = Instant::now();
    loop {
        if let Some(status) = follower.try_wait().unwrap() {
            panic!("the follower exited early: {status}");
        }
        let events = data.join("events");
        if events.exists() && count(data, "select count(*) from events") >= want {
            return;
        }
        assert!(
            start.elapsed() < PATIENCE,
            "fewer than {want} events after {PATIENCE:?}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}

/// Sends SIGTERM, as a service manager stopping the host would.
pub fn interrupt(follower: &Child) {
    let status = std::process::Command::new("kill")
        .args(["-TERM", &follower.id().to_string()])
        .status()
        .unwrap();
    assert!(status.success());
}

/// The events of `text` read as one file of `format` through
/// [`palisade::ingest::FileReader`], and the number of dead letters.
pub fn normalize_text(
    text: &str,
    format: palisade::ingest::Format,
) -> (Vec<palisade::normalize::Event>, usize) {
    let dir = tempfile::tempdir().expect("a temporary folder");
    let path = dir.path().join("record.json");
    std::fs::write(&path, text).expect("writing the record");
    let options = palisade::ingest::ReadOptions {
        format: Some(format),
        ..Default::default()
    };
    let mut reader = palisade::ingest::FileReader::open_with(&path, options).expect("opening");
    let (mut events, mut dead) = (Vec::new(), 0);
    while let Some(chunk) = reader.next_chunk(1024).expect("reading") {
        if chunk.records_read == 0 {
            break;
        }
        events.extend(chunk.events);
        dead += chunk.dead_letters.len();
    }
    (events, dead)
}

/// A normalized event as a test event of the SDK's harness, every column
/// it has set (`raw` included).
pub fn test_event(event: &palisade::normalize::Event) -> palisade_sdk::testing::TestEvent {
    let mut test = palisade_sdk::testing::TestEvent::new(&event.kind)
        .with("event_id", event.event_id.as_str())
        .with("time", event.time)
        .with("source", event.source);
    let texts = [
        ("action", &event.action),
        ("outcome", &event.outcome),
        ("user", &event.user),
        ("src_ip", &event.src_ip),
        ("src_country", &event.src_country),
        ("url", &event.url),
        ("email_from", &event.email_from),
        ("email_subject", &event.email_subject),
        ("file_name", &event.file_name),
        ("file_visibility", &event.file_visibility),
        ("raw", &event.raw),
    ];
    for (column, value) in texts {
        if let Some(value) = value {
            test = test.with(column, value.as_str());
        }
    }
    if !event.email_to.is_empty() {
        test = test.with("email_to", event.email_to.clone());
    }
    for (key, value) in &event.attrs {
        test = test.attr(key, value);
    }
    test
}

/// The `Tests` of a Panther rule file: (name, expected result, the log
/// as JSON text).
pub fn panther_cases(path: &Path) -> Vec<(String, bool, String)> {
    let text = std::fs::read_to_string(path).expect("reading the rule file");
    let rule: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).expect("rule YAML");
    rule["Tests"]
        .as_sequence()
        .expect("Tests")
        .iter()
        .map(|case| {
            (
                case["Name"].as_str().expect("Name").to_owned(),
                case["ExpectedResult"].as_bool().expect("ExpectedResult"),
                serde_json::to_string(&case["Log"]).expect("the log as JSON"),
            )
        })
        .collect()
}

/// `bytes` of a component with a custom section naming `version` appended:
/// the same detector, another file content, as a rebuild gives.
pub fn versioned(bytes: &[u8], version: u32) -> Vec<u8> {
    let name = b"palisade-test-version";
    let payload = version.to_le_bytes();
    let size = 1 + name.len() + payload.len();
    let mut out = bytes.to_vec();
    out.push(0); // custom section
    out.push(u8::try_from(size).unwrap()); // one-byte LEB128
    out.push(u8::try_from(name.len()).unwrap());
    out.extend_from_slice(name);
    out.extend_from_slice(&payload);
    out
}
