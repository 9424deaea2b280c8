//! `palisade run --once` into a data folder that an earlier run wrote
//! takes each input up where that run left it: a scheduled run over a
//! folder that collects exports reads each record once. `--from-start`
//! reads everything again.

use std::io::Write;

use super::support::{count, palisade, run_once, workspace};

#[test]
fn a_second_run_reads_only_what_was_added_since_the_first() {
    let example = workspace().join("examples/data/m365_unified_audit.jsonl");
    let text = std::fs::read_to_string(example).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let data = dir.path().join("history");
    let audit = logs.join("audit.jsonl");
    std::fs::write(&audit, lines[..6].join("\n") + "\n").unwrap();

    let first = run_once(&data, &[&logs]);
    assert!(first.status.success());
    assert!(String::from_utf8_lossy(&first.stdout).contains("read 6 records from 1 file"));

    // Nothing new: nothing read, nothing written twice.
    let again = run_once(&data, &[&logs]);
    assert!(again.status.success());
    let stdout = String::from_utf8_lossy(&again.stdout);
    assert!(stdout.contains("read 0 records from 1 file"), "{stdout}");
    assert!(
        stdout.contains("resumed:      1 file where an earlier run left them"),
        "{stdout}"
    );
    assert_eq!(count(&data, "select count(*) from events"), 6);

    // Records appended, and a new file: only those are read.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&audit)
        .unwrap();
    writeln!(file, "{}", lines[6..8].join("\n")).unwrap();
    std::fs::write(logs.join("more.jsonl"), lines[8..].join("\n") + "\n").unwrap();
    let third = run_once(&data, &[&logs]);
    assert!(third.status.success());
    let stdout = String::from_utf8_lossy(&third.stdout);
    assert!(stdout.contains("read 4 records from 2 files"), "{stdout}");
    assert_eq!(count(&data, "select count(*) from events"), 10);
    assert_eq!(
        count(&data, "select count(distinct event_id) from events"),
        10
    );

    // Asked for, everything is read again.
    let output = palisade()
        .args(["run", "--once", "--from-start", "--data-dir"])
        .arg(&data)
        .arg(&logs)
        .output()
        .unwrap();
    assert!(output.status.success());
    let stdout = String::from_utf8_lossy(&output.stdout);
    assert!(stdout.contains("read 10 records from 2 files"), "{stdout}");
    assert!(
        stdout.contains("read again:   2 files an earlier run into this data folder had read"),
        "{stdout}"
    );
    assert_eq!(count(&data, "select count(*) from events"), 20);
}
