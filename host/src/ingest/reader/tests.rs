//! Reading whole files: framing, dead letters, chunks, resuming, following.

use std::fs;
use std::io::Write;

use super::*;

const GOOD: &str = r#"{"CreationTime":"2021-04-26T07:17:10","Id":"A","Operation":"UserLoggedIn","UserId":"AdeleV@Contoso.com","ClientIP":"1.2.3.4","Workload":"AzureActiveDirectory","ResultStatus":"Success"}"#;

/// A record `n` like [`GOOD`] with its own id.
fn good(n: u64) -> String {
    GOOD.replace(r#""Id":"A""#, &format!(r#""Id":"id-{n}""#))
}

/// Reads `path` to its end in chunks of `max`: events, dead letters, and
/// the number of records read.
fn read_all(reader: &mut FileReader, max: usize) -> (Vec<Event>, Vec<DeadLetter>, u64) {
    let (mut events, mut letters, mut records) = (Vec::new(), Vec::new(), 0);
    while let Some(chunk) = reader.next_chunk(max).unwrap() {
        assert!(chunk.records_read as usize <= max.max(1));
        assert_eq!(
            chunk.records_read,
            (chunk.events.len() + chunk.dead_letters.len()) as u64,
            "every m365 record gives one event or one dead letter"
        );
        records += chunk.records_read;
        events.extend(chunk.events);
        letters.extend(chunk.dead_letters);
    }
    (events, letters, records)
}

fn write(dir: &tempfile::TempDir, name: &str, bytes: &[u8]) -> PathBuf {
    let path = dir.path().join(name);
    fs::write(&path, bytes).unwrap();
    path
}

#[test]
fn bad_json_lines_become_dead_letters_and_the_run_goes_on() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = Vec::new();
    writeln!(text, "{}", good(1)).unwrap(); // line 1
    writeln!(text).unwrap(); // line 2: blank
    writeln!(text, "{}", &good(3)[..60]).unwrap(); // line 3: truncated
    text.extend_from_slice(b"\x00\xff\xfe garbage \x9c\n"); // line 4: binary
    writeln!(text, r#"{{"CreationTime":"2021-04-26T07:17:10","Id":"x"}}"#).unwrap(); // line 5
    writeln!(text, r#"{{"CreationTime":"4/31/2021","Operation":"Send"}}"#).unwrap(); // line 6
    writeln!(text, "   ").unwrap(); // line 7: blank
    write!(text, "{}", good(8).to_ascii_lowercase()).unwrap(); // line 8, no newline
    let path = write(&dir, "audit.json", &text);

    let mut reader = FileReader::open(&path).unwrap();
    assert_eq!(reader.format(), Some(Format::M365AuditJson));
    let (events, letters, records) = read_all(&mut reader, 100);

    assert_eq!(records, 6, "blank lines are not records");
    assert_eq!(events.len(), 2);
    assert_eq!(events[1].user.as_deref(), Some("adelev@contoso.com"));
    let numbers: Vec<u64> = letters.iter().map(|l| l.record).collect();
    assert_eq!(numbers, [3, 4, 5, 6], "records are numbered by line");
    let reasons: Vec<&str> = letters.iter().map(|l| l.reason.as_str()).collect();
    assert!(
        reasons[0].starts_with("parsing JSON in record 3 of audit.json: EOF while parsing"),
        "{}",
        reasons[0]
    );
    assert_eq!(
        reasons[1],
        "decoding text in record 4 of audit.json: invalid UTF-8 at byte 1"
    );
    assert_eq!(reasons[2], "missing `Operation` in record 5 of audit.json");
    assert_eq!(
        reasons[3],
        "parsing `CreationTime` in record 6 of audit.json: invalid date `4/31/2021`"
    );
    assert!(
        letters[1].raw.contains("garbage"),
        "binary raw is decoded lossily"
    );
    assert_eq!(letters[0].source_file, path.display().to_string());
    assert_eq!(letters[0].format.as_deref(), Some("m365-audit-json"));
}

#[test]
fn json_arrays_are_read_item_by_item() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!(
        "[\n  {},\n  {{\"Id\":\"no-op\"}},\n  {}\n]\n",
        good(1),
        good(3)
    );
    let path = write(&dir, "export.json", text.as_bytes());
    let mut reader = FileReader::open(&path).unwrap();
    let (events, letters, records) = read_all(&mut reader, 2);
    assert_eq!((events.len(), letters.len(), records), (2, 1, 3));
    assert_eq!(letters[0].record, 2, "records are numbered by item");
    assert_eq!(
        letters[0].reason,
        "missing `Operation` in record 2 of export.json"
    );
}

#[test]
fn empty_files_have_no_records_and_no_format() {
    let dir = tempfile::tempdir().unwrap();
    for (name, text) in [
        ("empty.json", ""),
        ("blank.json", "\n \n"),
        ("array.json", "[]"),
    ] {
        let path = write(&dir, name, text.as_bytes());
        let mut reader = FileReader::open(&path).unwrap();
        assert_eq!(reader.format(), None, "{name}");
        assert!(reader.next_chunk(10).unwrap().is_none(), "{name}");
    }
}

#[test]
fn unknown_content_is_an_error_naming_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "notes.txt", b"hello,world\nthis is not a log\n");
    let err = FileReader::open(&path).err().unwrap().to_string();
    assert!(
        err.starts_with(&format!("detecting the format of {}", path.display())),
        "{err}"
    );
    assert!(err.ends_with("it starts with `hello,world`"), "{err}");
}

#[test]
fn content_not_in_the_format_given_is_an_error_naming_the_format() {
    let options = ReadOptions {
        format: Some(Format::ZeekTsv),
        ..ReadOptions::default()
    };
    let name = Path::new("okta.json");
    let err = FileReader::from_bytes(name, b"{\"uuid\":\"x\"}\n".to_vec(), options)
        .err()
        .unwrap()
        .to_string();
    assert_eq!(
        err,
        "reading okta.json as zeek-tsv: its content is not in that format; it starts with \
         `{\"uuid\":\"x\"}`"
    );
}

#[test]
fn gzip_files_read_like_plain_ones() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (1..=50).map(|n| good(n) + "\n").collect();
    let path = dir.path().join("audit.json.gz");
    let mut gz = flate2::write::GzEncoder::new(
        fs::File::create(&path).unwrap(),
        flate2::Compression::default(),
    );
    gz.write_all(text.as_bytes()).unwrap();
    gz.finish().unwrap();
    let (events, letters, _) = read_all(&mut FileReader::open(&path).unwrap(), 7);
    assert_eq!((events.len(), letters.len()), (50, 0));
}

#[test]
fn a_reader_resumes_at_a_saved_position() {
    let dir = tempfile::tempdir().unwrap();
    let text: String = (1..=10).map(|n| good(n) + "\n").collect();
    let plain = write(&dir, "audit.json", text.as_bytes());
    let gz = dir.path().join("audit.gz");
    let mut encoder =
        flate2::write::GzEncoder::new(fs::File::create(&gz).unwrap(), flate2::Compression::fast());
    encoder.write_all(text.as_bytes()).unwrap();
    encoder.finish().unwrap();

    for path in [plain, gz] {
        let mut reader = FileReader::open(&path).unwrap();
        let first = reader.next_chunk(4).unwrap().unwrap();
        assert_eq!(first.position.record, 4);
        assert_eq!(first.position, reader.position());

        let options = ReadOptions {
            start: Some(first.position),
            ..ReadOptions::default()
        };
        let mut resumed = FileReader::open_with(&path, options).unwrap();
        let (events, _, records) = read_all(&mut resumed, 100);
        assert_eq!(records, 6);
        assert_eq!(
            events[0].event_id,
            crate::normalize::event_id("m365", "id-5")
        );
    }
}

#[test]
fn resuming_past_the_end_of_a_file_is_an_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "audit.json", format!("{GOOD}\n").as_bytes());
    let start = Some(Position {
        offset: 10_000,
        record: 9,
    });
    let options = ReadOptions {
        start,
        ..ReadOptions::default()
    };
    let err = FileReader::open_with(&path, options)
        .err()
        .unwrap()
        .to_string();
    assert!(err.contains("the file is only"), "{err}");
}

#[test]
fn a_followed_file_gives_appended_lines_and_waits_for_partial_ones() {
    let dir = tempfile::tempdir().unwrap();
    let path = write(&dir, "live.json", b"");
    let mut reader = FileReader::follow(&path).unwrap();
    assert_eq!(reader.format(), None);
    assert!(reader.next_chunk(10).unwrap().is_none());

    let line = good(1);
    let (head, tail) = line.split_at(50);
    let mut file = fs::OpenOptions::new().append(true).open(&path).unwrap();
    write!(file, "{head}").unwrap();
    assert!(
        reader.next_chunk(10).unwrap().is_none(),
        "a partial first line is waited for"
    );

    write!(file, "{tail}\n{}\n{}", good(2), &good(3)[..30]).unwrap();
    let chunk = reader.next_chunk(10).unwrap().unwrap();
    assert_eq!(reader.format(), Some(Format::M365AuditJson));
    assert_eq!((chunk.events.len(), chunk.dead_letters.len()), (2, 0));
    assert!(
        reader.next_chunk(10).unwrap().is_none(),
        "the partial third line waits"
    );

    writeln!(file, "{}", &good(3)[30..]).unwrap();
    let chunk = reader.next_chunk(10).unwrap().unwrap();
    assert_eq!(chunk.events.len(), 1);
    assert_eq!(chunk.position.record, 3);
    assert_eq!(chunk.position.offset, fs::metadata(&path).unwrap().len());
}

#[test]
fn a_broken_csv_quote_does_not_swallow_the_rest_of_the_file() {
    let dir = tempfile::tempdir().unwrap();
    let header = "TimeGenerated [UTC],Operation,OfficeWorkload,UserId,Parameters,OfficeId\n";
    let row = |n: u32, params: &str| {
        format!("\"4/28/2021, 2:33:{n:02}.000 PM\",New-InboxRule,Exchange,a@b.c,{params},id-{n}\n")
    };
    let mut text = header.to_owned();
    text += &row(
        1,
        "\"[{\"\"Name\"\":\"\"Name\"\",\n\"\"Value\"\":\"\"r1\"\"}]\"",
    );
    text += &row(2, "\"[{\"\"Name\"\":\"\"Name\"\"");
    text += &row(3, "");
    text += &row(4, "");
    let path = write(&dir, "office.csv", text.as_bytes());

    let (events, letters, records) = read_all(&mut FileReader::open(&path).unwrap(), 100);
    assert_eq!(events.len(), 3);
    assert_eq!(events[0].rule_name.as_deref(), Some("r1"));
    assert_eq!(letters.len(), 1);
    assert_eq!(records, 4);
    assert_eq!(letters[0].record, 2);
    assert!(
        letters[0]
            .reason
            .starts_with("reading CSV in record 2 of office.csv: found"),
        "{}",
        letters[0].reason
    );
    assert!(letters[0].raw.contains("2:33:02"));
    let ids: Vec<_> = events.iter().map(|e| e.event_id.clone()).collect();
    assert_eq!(ids[2], crate::normalize::event_id("m365", "id-4"));
}

#[test]
fn a_csv_reader_resumes_after_the_header() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = "Operation,RecordType,CreationTime,Id\n".to_owned();
    for n in 1..=5 {
        text += &format!("Send,ExchangeItem,2021-04-26T07:17:1{n},id-{n}\n");
    }
    let path = write(&dir, "rows.csv", text.as_bytes());
    let mut reader = FileReader::open(&path).unwrap();
    let first = reader.next_chunk(2).unwrap().unwrap();
    let options = ReadOptions {
        start: Some(first.position),
        ..ReadOptions::default()
    };
    let mut resumed = FileReader::open_with(&path, options).unwrap();
    let chunk = resumed.next_chunk(100).unwrap().unwrap();
    assert_eq!(chunk.events.len(), 3);
    assert_eq!(
        chunk.events[0].event_id,
        crate::normalize::event_id("m365", "id-3")
    );
    assert_eq!(chunk.position.record, 5);
}

#[test]
fn overlong_lines_are_cut_and_skipped() {
    let dir = tempfile::tempdir().unwrap();
    let mut text = format!("{}\n", good(1)).into_bytes();
    text.extend(std::iter::repeat_n(
        b'x',
        crate::ingest::MAX_RECORD_BYTES + 10,
    ));
    text.push(b'\n');
    text.extend(format!("{}\n", good(3)).bytes());
    let path = write(&dir, "big.json", &text);
    let (events, letters, records) = read_all(&mut FileReader::open(&path).unwrap(), 100);
    assert_eq!((events.len(), letters.len(), records), (2, 1, 3));
    assert_eq!(letters[0].record, 2);
    assert!(
        letters[0].reason.contains("longer than 16 MiB"),
        "{}",
        letters[0].reason
    );
    assert_eq!(letters[0].raw.len(), 64 << 10);
}

#[test]
fn records_in_memory_read_as_the_same_file_would() {
    let dir = tempfile::tempdir().unwrap();
    let text = format!("{}\n{}\nnot json\n", good(1), good(2));
    let path = write(&dir, "audit.json", text.as_bytes());
    let (from_file, file_letters, _) = read_all(&mut FileReader::open(&path).unwrap(), 100);

    let name = Path::new("case.json (log)");
    let mut reader = FileReader::from_bytes(name, text.into_bytes(), ReadOptions::default());
    let reader = reader.as_mut().unwrap();
    assert_eq!(reader.format(), Some(Format::M365AuditJson));
    let (in_memory, letters, records) = read_all(reader, 100);

    assert_eq!(records, 3);
    assert_eq!(in_memory, from_file);
    assert_eq!(letters.len(), 1);
    assert_eq!(letters[0].record, file_letters[0].record);
    assert!(
        letters[0].reason.contains("case.json (log)"),
        "{}",
        letters[0].reason
    );
}
