//! Hot reload while `palisade run --config` follows a growing input: ten
//! new versions of inbox-rule change no finding and lose no event; a
//! broken version leaves the old one serving; a new version lifts a
//! quarantine; a removed file unloads its detector. `GET /metrics` counts
//! it all.

use std::io::{BufRead, BufReader, Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Stdio};
use std::sync::{Arc, Mutex};
use std::time::Instant;

use palisade::normalize::m365::testdata::audit_record;

use super::support::{
    PATIENCE, count, interrupt, palisade, sql, test_plugin, versioned, wait_for_events,
};

/// Records per slice of the growing input.
const SLICE: usize = 40;

/// A test folder: `palisade.toml` following `logs/`, with `plugins/`.
struct Setup {
    dir: tempfile::TempDir,
}

impl Setup {
    fn new(batch_records: usize) -> Self {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("logs")).unwrap();
        std::fs::create_dir(dir.path().join("plugins")).unwrap();
        std::fs::write(
            dir.path().join("palisade.toml"),
            format!(
                "data_dir = \"history\"\ninputs = [\"logs\"]\nplugins = \"plugins\"\n\
                 batch_records = {batch_records}\n"
            ),
        )
        .unwrap();
        Setup { dir }
    }

    fn path(&self, relative: &str) -> PathBuf {
        self.dir.path().join(relative)
    }

    fn data(&self) -> PathBuf {
        self.path("history")
    }

    fn append(&self, records: &[String]) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(self.path("logs/audit.jsonl"))
            .unwrap();
        for record in records {
            writeln!(file, "{record}").unwrap();
        }
    }

    fn follow(&self, extra: &[&str]) -> Follower {
        let mut child = palisade()
            .args(["run", "--config"])
            .arg(self.path("palisade.toml"))
            .args(extra)
            .stdout(Stdio::piped())
            .stderr(Stdio::piped())
            .spawn()
            .unwrap();
        let log = Arc::new(Mutex::new(Vec::new()));
        let lines = log.clone();
        let stderr = child.stderr.take().unwrap();
        std::thread::spawn(move || {
            for line in BufReader::new(stderr).lines().map_while(Result::ok) {
                eprintln!("{line}");
                lines.lock().unwrap().push(line);
            }
        });
        Follower { child, log }
    }
}

/// A running follower and the lines it has logged.
struct Follower {
    child: Child,
    log: Arc<Mutex<Vec<String>>>,
}

impl Follower {
    /// Waits until `n` logged lines contain `text`.
    fn wait_for_log(&mut self, text: &str, n: usize) {
        let start = Instant::now();
        loop {
            let seen = self
                .log
                .lock()
                .unwrap()
                .iter()
                .filter(|l| l.contains(text))
                .count();
            if seen >= n {
                return;
            }
            if let Some(status) = self.child.try_wait().unwrap() {
                panic!("the follower exited early: {status}");
            }
            assert!(
                start.elapsed() < PATIENCE,
                "`{text}` logged {seen} times, not {n}"
            );
            std::thread::sleep(std::time::Duration::from_millis(50));
        }
    }

    /// Stops the follower and returns its report.
    fn stop(self) -> String {
        interrupt(&self.child);
        let output = self.child.wait_with_output().unwrap();
        let stdout = String::from_utf8_lossy(&output.stdout).into_owned();
        eprintln!("{stdout}");
        assert!(output.status.success(), "the follower did not exit cleanly");
        stdout
    }
}

/// inbox-rule's finding ids in `data`, sorted.
fn inbox_findings(data: &Path) -> Vec<serde_json::Value> {
    sql(
        data,
        "select finding_id from findings where detector = 'inbox-rule' order by 1",
    )
}

/// The findings of one `--once` run over `records` with inbox-rule loaded
/// from the plugins folder.
fn findings_without_reloads(records: &[String], batch_records: usize) -> Vec<serde_json::Value> {
    let setup = Setup::new(batch_records);
    std::fs::copy(
        test_plugin("inbox_rule.wasm"),
        setup.path("plugins/inbox.wasm"),
    )
    .unwrap();
    setup.append(records);
    let output = palisade()
        .args(["run", "--once", "--config"])
        .arg(setup.path("palisade.toml"))
        .output()
        .unwrap();
    assert!(output.status.success());
    inbox_findings(&setup.data())
}

#[test]
fn ten_new_versions_while_following_change_no_finding_and_lose_no_event() {
    let records: Vec<String> = (0..11 * SLICE as u64).map(audit_record).collect();
    let expected = findings_without_reloads(&records, 16);
    assert!(expected.len() >= 10, "the input has inbox rules to find");

    let setup = Setup::new(16);
    let plugin = setup.path("plugins/inbox.wasm");
    let component = std::fs::read(test_plugin("inbox_rule.wasm")).unwrap();
    std::fs::write(&plugin, &component).unwrap();
    setup.append(&records[..SLICE]);
    let mut follower = setup.follow(&[]);
    wait_for_events(&mut follower.child, &setup.data(), SLICE as i64);

    for version in 1..=10u32 {
        // Each new version is written in two pieces, as a slow copy does;
        // the debounce must read it once, whole.
        let bytes = versioned(&component, version);
        let (head, tail) = bytes.split_at(bytes.len() / 2);
        let mut file = std::fs::File::create(&plugin).unwrap();
        file.write_all(head).unwrap();
        file.flush().unwrap();
        std::thread::sleep(std::time::Duration::from_millis(20));
        file.write_all(tail).unwrap();
        drop(file);
        follower.wait_for_log("detector reloaded", version as usize);

        let slice = version as usize;
        setup.append(&records[slice * SLICE..(slice + 1) * SLICE]);
    }
    wait_for_events(&mut follower.child, &setup.data(), records.len() as i64);
    let failed = follower
        .log
        .lock()
        .unwrap()
        .iter()
        .any(|l| l.contains("new version not loaded"));
    let report = follower.stop();

    assert!(!failed, "no piece of a new version was read on its own");
    assert!(report.contains("reloads: 10\n"), "{report}");
    assert!(
        report.contains(&format!("read {} records", records.len())),
        "{report}"
    );
    let data = setup.data();
    assert_eq!(
        count(&data, "select count(*) from events"),
        records.len() as i64
    );
    assert_eq!(
        count(&data, "select count(distinct event_id) from events"),
        records.len() as i64
    );
    assert_eq!(inbox_findings(&data), expected);
    let versions = count(
        &data,
        "select count(distinct detector_hash) from detector_runs where detector = 'inbox-rule'",
    );
    assert!(versions >= 5, "only {versions} versions served batches");
}

#[test]
fn a_broken_version_leaves_the_old_one_serving_and_a_new_one_lifts_a_quarantine() {
    let records: Vec<String> = (0..4 * SLICE as u64).map(audit_record).collect();
    let expected = findings_without_reloads(&records, 8);
    let setup = Setup::new(8);
    std::fs::copy(
        test_plugin("inbox_rule.wasm"),
        setup.path("plugins/inbox.wasm"),
    )
    .unwrap();
    let trap = std::fs::read(test_plugin("trap_detector.wasm")).unwrap();
    std::fs::write(setup.path("plugins/trap.wasm"), &trap).unwrap();
    let port = free_port();
    let listen = format!("127.0.0.1:{port}");

    setup.append(&records[..SLICE]);
    let mut follower = setup.follow(&["--listen", &listen]);
    wait_for_events(&mut follower.child, &setup.data(), SLICE as i64);
    follower.wait_for_log("detector quarantined", 1);

    // A file that is not a component: refused, the old version serves.
    std::fs::write(setup.path("plugins/inbox.wasm"), b"not a component").unwrap();
    follower.wait_for_log("new version not loaded", 1);
    setup.append(&records[SLICE..2 * SLICE]);
    wait_for_events(&mut follower.child, &setup.data(), 2 * SLICE as i64);

    // A new version of the quarantined detector gets batches again.
    std::fs::write(setup.path("plugins/trap.wasm"), versioned(&trap, 1)).unwrap();
    follower.wait_for_log("a new version lifts the quarantine", 1);
    setup.append(&records[2 * SLICE..3 * SLICE]);
    follower.wait_for_log("detector quarantined", 2);

    // A removed file unloads its detector.
    std::fs::remove_file(setup.path("plugins/trap.wasm")).unwrap();
    follower.wait_for_log("detector unloaded", 1);
    setup.append(&records[3 * SLICE..]);
    wait_for_events(&mut follower.child, &setup.data(), records.len() as i64);

    let metrics = get_metrics(&listen);
    let report = follower.stop();
    eprintln!("{metrics}");

    assert!(
        report.contains("reload refused:") && report.contains("inbox.wasm"),
        "{report}"
    );
    let data = setup.data();
    assert_eq!(
        inbox_findings(&data),
        expected,
        "the old inbox-rule served throughout"
    );
    assert_eq!(
        count(
            &data,
            "select count(*) from detector_runs where detector = 'trap'"
        ),
        6,
        "three failures per version, then quarantine"
    );
    assert_eq!(
        count(
            &data,
            "select count(distinct detector_hash) from detector_runs where detector = 'trap'"
        ),
        2
    );
    for line in [
        format!("palisade_events_total {}", records.len()),
        r#"palisade_plugin_reloads_total{outcome="failed"} 1"#.to_owned(),
        r#"palisade_plugin_reloads_total{outcome="loaded"} 1"#.to_owned(),
        r#"palisade_plugin_reloads_total{outcome="removed"} 1"#.to_owned(),
        r#"palisade_detector_quarantines_total{detector="trap"} 2"#.to_owned(),
        r#"palisade_detector_failures_total{detector="trap",cause="trap"} 6"#.to_owned(),
        format!(
            r#"palisade_findings_total{{detector="inbox-rule"}} {}"#,
            expected.len()
        ),
    ] {
        assert!(metrics.contains(&line), "`{line}` missing from the metrics");
    }
    assert!(metrics.contains("palisade_detector_call_seconds_bucket{"));
}

/// A loopback port nothing listens on now.
fn free_port() -> u16 {
    let listener = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    listener.local_addr().unwrap().port()
}

/// The body of `GET /metrics`.
fn get_metrics(addr: &str) -> String {
    let mut stream = std::net::TcpStream::connect(addr).unwrap();
    write!(stream, "GET /metrics HTTP/1.0\r\nHost: {addr}\r\n\r\n").unwrap();
    let mut response = String::new();
    stream.read_to_string(&mut response).unwrap();
    assert!(
        response.starts_with("HTTP/1.0 200") || response.starts_with("HTTP/1.1 200"),
        "{response}"
    );
    response
}
