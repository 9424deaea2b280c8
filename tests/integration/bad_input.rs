//! Bad input: every good record is processed, every bad one is a dead
//! letter naming its file and record, and the run exits 0.

use std::io::Write;

use super::support::{count, palisade, run_once, shared_data, sql, stdout};

/// A valid unified audit log record (Management Activity API shape).
fn audit_record(id: &str, operation: &str) -> String {
    format!(
        r#"{{"CreationTime":"2024-03-14T09:14:02","Id":"{id}","Operation":"{operation}","Workload":"Exchange","RecordType":1,"ResultStatus":"True","UserId":"Megan@Corp.example","ClientIP":"193.222.96.91:51234","Parameters":[{{"Name":"Name","Value":"..."}},{{"Name":"MoveToFolder","Value":"RSS Feeds"}},{{"Name":"MarkAsRead","Value":"True"}},{{"Name":"StopProcessingRules","Value":"True"}}]}}"#
    )
}

#[test]
fn truncated_json_and_binary_garbage_lines_become_dead_letters() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("audit.jsonl");
    let mut file = std::fs::File::create(&input).unwrap();
    writeln!(file, "{}", audit_record("a1", "New-InboxRule")).unwrap();
    writeln!(
        file,
        r#"{{"CreationTime":"2024-03-14T09:15:00","Operation":"Se"#
    )
    .unwrap();
    file.write_all(b"\xff\xfe\x00\x01garbage\x9c\n").unwrap();
    writeln!(file, "{}", audit_record("a2", "UserLoggedIn")).unwrap();
    drop(file);

    let data = dir.path().join("history");
    let output = run_once(&data, &[&input]);
    assert!(output.status.success(), "run failed");
    assert!(
        stdout(&output).contains("dead letters: 2"),
        "{}",
        stdout(&output)
    );

    assert_eq!(count(&data, "select count(*) from events"), 2);
    let letters = sql(
        &data,
        "select source_file, record, reason, raw from dead_letters order by record",
    );
    assert_eq!(letters.len(), 2);
    for (letter, line) in letters.iter().zip([2, 3]) {
        assert!(
            letter["source_file"]
                .as_str()
                .unwrap()
                .ends_with("audit.jsonl"),
            "{letter}"
        );
        assert_eq!(letter["record"], line);
        assert!(!letter["reason"].as_str().unwrap().is_empty());
    }
    assert!(letters[0]["raw"].as_str().unwrap().contains("09:15:00"));
    assert!(letters[1]["raw"].as_str().unwrap().contains("garbage"));
    // The good record after the bad ones still raised its finding.
    assert_eq!(count(&data, "select count(*) from findings"), 1);
}

#[test]
fn a_first_line_that_is_no_record_is_a_dead_letter_and_the_records_after_it_are_read() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("audit.jsonl");
    let records = [
        audit_record("c1", "New-InboxRule"),
        audit_record("c2", "UserLoggedIn"),
    ];
    std::fs::write(&input, format!("garbage line\n{}", records.join("\n"))).unwrap();

    let data = dir.path().join("history");
    let output = run_once(&data, &[&input]);
    assert!(output.status.success(), "run failed");
    assert_eq!(count(&data, "select count(*) from events"), 2);
    let letters = sql(&data, "select record, raw from dead_letters");
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert_eq!(letters[0]["record"], 1);
    assert_eq!(letters[0]["raw"], "garbage line");
}

#[test]
fn an_empty_file_is_zero_records_not_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let empty = dir.path().join("empty.json");
    std::fs::write(&empty, "").unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, audit_record("b1", "New-InboxRule")).unwrap();

    let no_files = dir.path().join("exports");
    std::fs::create_dir(&no_files).unwrap();
    let data = dir.path().join("history");
    let output = run_once(&data, &[&empty, &good, &no_files]);
    assert!(output.status.success(), "run failed");
    assert!(
        stdout(&output).contains("warning: no file to read in folder"),
        "{}",
        stdout(&output)
    );
    assert_eq!(count(&data, "select count(*) from events"), 1);
    assert_eq!(count(&data, "select count(*) from dead_letters"), 0);
}

#[test]
fn a_csv_row_with_a_broken_quoted_field_is_a_dead_letter() {
    let Some(real) = shared_data("sentinel-training-lab/office_activity.csv") else {
        return;
    };
    // Rows of the real export hold quoted line breaks: copy whole records.
    let mut reader = csv::Reader::from_path(real).unwrap();
    let header = reader.headers().unwrap().clone();
    let workload = header.iter().position(|h| h == "OfficeWorkload").unwrap();
    let rows: Vec<csv::StringRecord> = reader
        .records()
        .map(Result::unwrap)
        .filter(|row| &row[workload] == "Exchange")
        .take(3)
        .collect();
    assert!(rows.len() >= 2, "the sample has Exchange rows");
    let mut writer = csv::Writer::from_writer(Vec::new());
    writer.write_record(&header).unwrap();
    for row in &rows {
        writer.write_record(row).unwrap();
    }
    let mut text = writer.into_inner().unwrap();
    // An opening quote that never closes, at the end of the file: the csv
    // reader cannot finish the row.
    let fields = ",x".repeat(header.len() - 1);
    let broken = format!("\"4/28/2021, 9:03:21.000 AM{fields}\n");
    text.extend_from_slice(broken.as_bytes());
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("office_activity_broken.csv");
    std::fs::write(&input, text).unwrap();

    let data = dir.path().join("history");
    let output = run_once(&data, &[&input]);
    assert!(output.status.success(), "run failed");
    assert_eq!(
        count(&data, "select count(*) from events"),
        rows.len() as i64
    );
    let letters = sql(
        &data,
        "select source_file, record, reason from dead_letters",
    );
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert!(
        letters[0]["source_file"]
            .as_str()
            .unwrap()
            .ends_with("office_activity_broken.csv")
    );
    assert_eq!(letters[0]["record"], rows.len() as i64 + 1);
}

#[test]
fn a_file_of_no_known_format_is_an_error_naming_it() {
    let dir = tempfile::tempdir().unwrap();
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "just some notes\nnot a log\n").unwrap();
    let data = dir.path().join("history");
    let output = run_once(&data, &[&notes]);
    assert!(!output.status.success());
    assert!(stdout(&output).contains("notes.txt"), "{}", stdout(&output));
    assert!(
        stdout(&output).contains("dead letters: 0, and 1 input skipped whole (record 0)"),
        "{}",
        stdout(&output)
    );
    // The skipped file is in the dead letters too, as record 0.
    let letters = sql(
        &data,
        "select source_file, record, reason, raw from dead_letters",
    );
    assert_eq!(letters.len(), 1, "{letters:?}");
    assert!(
        letters[0]["source_file"]
            .as_str()
            .unwrap()
            .ends_with("notes.txt")
    );
    assert_eq!(letters[0]["record"], 0);
    let reason = letters[0]["reason"].as_str().unwrap();
    assert!(reason.contains("no known format matches"), "{reason}");
    assert_eq!(letters[0]["raw"], "just some notes");
}

#[test]
fn a_gzip_file_cut_short_keeps_the_records_before_the_cut() {
    let dir = tempfile::tempdir().unwrap();
    let lines: String = (0..2000)
        .map(|i| audit_record(&format!("rec-{i:04}"), "UserLoggedIn") + "\n")
        .collect();
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(lines.as_bytes()).unwrap();
    let whole = gz.finish().unwrap();
    let cut = dir.path().join("audit.json.gz");
    std::fs::write(&cut, &whole[..whole.len() / 2]).unwrap();

    let data = dir.path().join("history");
    let output = run_once(&data, &[&cut]);
    let report = stdout(&output);
    assert_eq!(output.status.code(), Some(1), "{report}");
    assert!(
        report.contains("the compressed data ends early"),
        "{report}"
    );
    let events = count(&data, "select count(*) from events");
    let dead = count(&data, "select count(*) from dead_letters");
    // Most of the first half decompresses; the record cut in two is a dead
    // letter, and nothing before it is lost.
    assert!(events > 500 && events < 2000, "{events} events");
    assert!(dead <= 1, "{dead} dead letters");
    for id in [0, events - 1] {
        let query =
            format!("select count(*) from events where raw like '%\"Id\":\"rec-{id:04}\"%'");
        assert_eq!(count(&data, &query), 1, "record rec-{id:04}");
    }
}

#[test]
fn a_format_given_reads_a_file_whose_start_tells_none() {
    let dir = tempfile::tempdir().unwrap();
    let input = dir.path().join("audit.jsonl");
    let mut text = "{\"note\":\"not an audit record\"}\n".repeat(25);
    text.push_str(&audit_record("d1", "New-InboxRule"));
    std::fs::write(&input, text).unwrap();

    // Given the wrong format, every record is a dead letter, and the
    // summary says so.
    let wrong = dir.path().join("wrong");
    let output = palisade()
        .args([
            "run",
            "--once",
            "--format",
            "okta-system-log-json",
            "--data-dir",
        ])
        .arg(&wrong)
        .arg(&input)
        .output()
        .unwrap();
    assert!(
        stdout(&output).contains("warning: none of the 26 records of")
            && stdout(&output).contains("could be read as okta-system-log-json"),
        "{}",
        stdout(&output)
    );

    // Told from the content, the file matches no format.
    let told = dir.path().join("told");
    assert!(!run_once(&told, &[&input]).status.success());
    assert_eq!(count(&told, "select count(*) from events"), 0);

    // Given its format, each record is read as one.
    let given = dir.path().join("given");
    let output = palisade()
        .args(["run", "--once", "--format", "m365-audit-json", "--data-dir"])
        .arg(&given)
        .arg(&input)
        .output()
        .unwrap();
    assert!(output.status.success(), "{}", stdout(&output));
    assert_eq!(count(&given, "select count(*) from events"), 1);
    assert_eq!(
        count(
            &given,
            "select count(*) from dead_letters where format = 'm365-audit-json'"
        ),
        25
    );
}

#[test]
fn a_path_that_does_not_exist_stops_the_run_before_anything_is_written() {
    let dir = tempfile::tempdir().unwrap();
    let good = dir.path().join("good.json");
    std::fs::write(&good, audit_record("e1", "New-InboxRule")).unwrap();
    let missing = dir.path().join("typo.json");
    let data = dir.path().join("history");
    let output = run_once(&data, &[&good, &missing]);
    assert_eq!(output.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&output.stderr);
    assert!(stderr.contains("typo.json` does not exist"), "{stderr}");
    assert!(
        !data.exists(),
        "no data folder for a run that did not start"
    );
}

#[test]
fn standard_input_is_read_plain_or_gzip_and_never_resumed() {
    let records = [
        audit_record("f1", "New-InboxRule"),
        "{\"CreationTime\":\"2024-03-14T09:15:00\",\"Operation\":\"Se".to_owned(),
        audit_record("f2", "UserLoggedIn"),
    ];
    let text = records.join("\n") + "\n";
    let mut gz = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    gz.write_all(text.as_bytes()).unwrap();
    let gzip = gz.finish().unwrap();

    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("history");
    for input in [text.into_bytes(), gzip] {
        let mut child = palisade()
            .args(["run", "--once", "--data-dir"])
            .arg(&data)
            .arg("-")
            .stdin(std::process::Stdio::piped())
            .stdout(std::process::Stdio::piped())
            .stderr(std::process::Stdio::piped())
            .spawn()
            .unwrap();
        child.stdin.take().unwrap().write_all(&input).unwrap();
        let output = child.wait_with_output().unwrap();
        assert!(output.status.success(), "{}", stdout(&output));
        assert!(
            stdout(&output).contains("read 3 records from 1 file"),
            "{}",
            stdout(&output)
        );
    }
    // Each stream is read whole: standard input has no place to resume at.
    assert_eq!(count(&data, "select count(*) from events"), 4);
    let letters = sql(&data, "select source_file, record from dead_letters");
    assert_eq!(letters.len(), 2, "{letters:?}");
    for letter in letters {
        assert_eq!(
            (letter["source_file"].as_str(), letter["record"].as_i64()),
            (Some("-"), Some(2))
        );
    }
}

#[cfg(unix)]
#[test]
fn a_named_pipe_is_read_as_a_stream_and_never_resumed() {
    let dir = tempfile::tempdir().unwrap();
    let pipe = dir.path().join("audit.pipe");
    let made = std::process::Command::new("mkfifo")
        .arg(&pipe)
        .status()
        .unwrap();
    assert!(made.success());
    let data = dir.path().join("history");
    for round in 0..2 {
        let writer = {
            let pipe = pipe.clone();
            std::thread::spawn(move || {
                // Opening a pipe for writing waits for its reader.
                let text = audit_record(&format!("g{round}"), "New-InboxRule");
                std::fs::write(&pipe, text + "\n").unwrap();
            })
        };
        let output = run_once(&data, &[&pipe]);
        writer.join().unwrap();
        assert!(output.status.success(), "{}", stdout(&output));
        assert!(
            stdout(&output).contains("read 1 record from 1 file"),
            "{}",
            stdout(&output)
        );
    }
    assert_eq!(count(&data, "select count(*) from events"), 2);
}
