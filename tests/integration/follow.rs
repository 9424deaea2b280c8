//! `palisade run --config` follows its inputs: lines appended to a file,
//! a line written in two pieces and a new file are all read, an interrupt
//! flushes history before the process exits, and a restarted host goes on
//! where the last one stopped.

use std::io::Write;
use std::time::Duration;

use super::support::{count, follow, interrupt, wait_for_events, workspace};

#[test]
fn appended_lines_and_new_files_are_read_until_interrupted() {
    let example = workspace().join("examples/data/m365_unified_audit.jsonl");
    let text = std::fs::read_to_string(example).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert!(lines.len() >= 6, "the example has records");

    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let config = dir.path().join("palisade.toml");
    std::fs::write(&config, "data_dir = \"history\"\ninputs = [\"logs\"]\n").unwrap();
    let data = dir.path().join("history");

    let first = logs.join("audit.jsonl");
    std::fs::write(&first, format!("{}\n", lines[..3].join("\n"))).unwrap();
    let mut follower = follow(&config);
    wait_for_events(&mut follower, &data, 3);

    // The next record arrives in two writes; the follower must wait for
    // its end of line instead of taking half of it as a broken record.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&first)
        .unwrap();
    let (head, tail) = lines[3].split_at(lines[3].len() / 2);
    file.write_all(head.as_bytes()).unwrap();
    file.flush().unwrap();
    std::thread::sleep(Duration::from_millis(700));
    writeln!(file, "{tail}").unwrap();
    std::fs::write(logs.join("more.jsonl"), lines[4..].join("\n") + "\n").unwrap();
    wait_for_events(&mut follower, &data, lines.len() as i64);

    interrupt(&follower);
    let output = follower.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success(), "the follower did not exit cleanly");
    assert!(
        stdout.contains(&format!("read {} records", lines.len())),
        "{stdout}"
    );
    assert_eq!(count(&data, "select count(*) from dead_letters"), 0);
    assert_eq!(
        count(&data, "select count(*) from events"),
        lines.len() as i64
    );
    assert_eq!(
        count(
            &data,
            "select count(*) from findings where detector = 'inbox-rule'"
        ),
        2
    );
}

#[test]
fn a_restarted_follower_resumes_where_it_stopped() {
    let example = workspace().join("examples/data/m365_unified_audit.jsonl");
    let text = std::fs::read_to_string(example).unwrap();
    let lines: Vec<&str> = text.lines().collect();

    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let config = dir.path().join("palisade.toml");
    std::fs::write(&config, "data_dir = \"history\"\ninputs = [\"logs\"]\n").unwrap();
    let data = dir.path().join("history");
    let input = logs.join("audit.jsonl");

    std::fs::write(&input, format!("{}\n", lines[..4].join("\n"))).unwrap();
    let mut first = follow(&config);
    wait_for_events(&mut first, &data, 4);
    interrupt(&first);
    assert!(first.wait().unwrap().success());

    // Records written while no host runs are read by the next one, and the
    // records the first one read are not read twice.
    let mut file = std::fs::OpenOptions::new()
        .append(true)
        .open(&input)
        .unwrap();
    writeln!(file, "{}", lines[4..].join("\n")).unwrap();
    let mut second = follow(&config);
    wait_for_events(&mut second, &data, lines.len() as i64);
    interrupt(&second);
    let output = second.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success());
    assert!(
        stdout.contains(&format!("read {} records", lines.len() - 4)),
        "{stdout}"
    );
    assert_eq!(
        count(&data, "select count(*) from events"),
        lines.len() as i64
    );
    assert_eq!(
        count(&data, "select count(distinct event_id) from events"),
        lines.len() as i64
    );
}

#[cfg(unix)]
#[test]
fn rotated_inputs_are_read_once_whether_rotated_while_running_or_stopped() {
    let example = workspace().join("examples/data/m365_unified_audit.jsonl");
    let text = std::fs::read_to_string(example).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines.len(), 10, "the example's records");
    let block = |range: std::ops::Range<usize>| lines[range].join("\n") + "\n";

    let dir = tempfile::tempdir().unwrap();
    let logs = dir.path().join("logs");
    std::fs::create_dir(&logs).unwrap();
    let config = dir.path().join("palisade.toml");
    std::fs::write(&config, "data_dir = \"history\"\ninputs = [\"logs\"]\n").unwrap();
    let data = dir.path().join("history");
    let live = logs.join("audit.jsonl");
    let rotated = |n: u32| logs.join(format!("audit.jsonl.{n}"));
    let append = |file: &std::path::Path, text: &str| {
        let mut f = std::fs::OpenOptions::new().append(true).open(file).unwrap();
        f.write_all(text.as_bytes()).unwrap();
    };

    std::fs::write(&live, block(0..2)).unwrap();
    let mut first = follow(&config);
    wait_for_events(&mut first, &data, 2);

    // Truncated in place, as `copytruncate` leaves it, then written anew.
    std::fs::write(&live, block(2..4)).unwrap();
    wait_for_events(&mut first, &data, 4);

    // Renamed away: the writer's last record lands in the renamed file,
    // and a new file takes the name.
    std::fs::rename(&live, rotated(1)).unwrap();
    append(&rotated(1), &block(4..5));
    std::fs::write(&live, block(5..7)).unwrap();
    wait_for_events(&mut first, &data, 7);
    interrupt(&first);
    let output = first.wait_with_output().unwrap();
    eprintln!("{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success());

    // Rotated again while no host runs.
    std::fs::rename(rotated(1), rotated(2)).unwrap();
    std::fs::rename(&live, rotated(1)).unwrap();
    append(&rotated(1), &block(7..8));
    std::fs::write(&live, block(8..10)).unwrap();
    let mut second = follow(&config);
    wait_for_events(&mut second, &data, 10);
    // A look more at the inputs, for anything read twice to show.
    std::thread::sleep(Duration::from_millis(1500));
    interrupt(&second);
    let output = second.wait_with_output().unwrap();
    let stdout = String::from_utf8_lossy(&output.stdout);
    eprintln!("{stdout}\n{}", String::from_utf8_lossy(&output.stderr));
    assert!(output.status.success());
    assert!(stdout.contains("read 3 records"), "{stdout}");

    assert_eq!(count(&data, "select count(*) from events"), 10);
    assert_eq!(
        count(&data, "select count(distinct event_id) from events"),
        10
    );
    assert_eq!(count(&data, "select count(*) from dead_letters"), 0);
}
