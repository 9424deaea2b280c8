//! `palisade sql`: output formats and read-only history.

use super::support::palisade;

fn query(data: &std::path::Path, format: &str, sql: &str) -> std::process::Output {
    palisade()
        .args(["sql", "--format", format, "--data-dir"])
        .arg(data)
        .arg(sql)
        .output()
        .unwrap()
}

#[test]
fn empty_history_answers_every_table_in_every_format() {
    let data = tempfile::tempdir().unwrap();
    for table in ["events", "findings", "dead_letters"] {
        let out = query(
            data.path(),
            "csv",
            &format!("select count(*) as n from {table}"),
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        assert_eq!(String::from_utf8_lossy(&out.stdout), "n\n0\n");
    }
    let out = query(data.path(), "json", "select count(*) as n from events");
    assert_eq!(String::from_utf8_lossy(&out.stdout).trim(), r#"{"n":0}"#);
    let out = query(data.path(), "table", "select count(*) as n from events");
    assert!(String::from_utf8_lossy(&out.stdout).contains("| n |"));
}

#[test]
fn statements_that_change_history_are_refused() {
    let data = tempfile::tempdir().unwrap();
    let out = query(data.path(), "table", "drop table events");
    assert!(!out.status.success());
    let out = query(data.path(), "table", "select nonsense from nowhere");
    assert!(!out.status.success());
    assert!(String::from_utf8_lossy(&out.stderr).contains("nowhere"));
}

#[test]
fn a_query_without_rows_still_names_its_columns() {
    let data = tempfile::tempdir().unwrap();
    let sql = "select source_file, record, reason from dead_letters";
    let table = query(data.path(), "table", sql);
    assert!(table.status.success());
    let table = String::from_utf8_lossy(&table.stdout).into_owned();
    assert!(
        table.contains("| source_file | record | reason |"),
        "{table}"
    );
    let csv = query(data.path(), "csv", sql);
    assert_eq!(
        String::from_utf8_lossy(&csv.stdout),
        "source_file,record,reason\n"
    );
    let json = query(data.path(), "json", sql);
    assert_eq!(String::from_utf8_lossy(&json.stdout), "");
}

#[test]
fn a_folder_that_holds_no_history_is_refused_with_a_hint() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("history")).unwrap();
    std::fs::write(dir.path().join("palisade.toml"), "").unwrap();
    let out = query(dir.path(), "table", "select count(*) from events");
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        stderr.contains("none of the folders a run writes"),
        "{stderr}"
    );
    assert!(stderr.contains("history` may be the one"), "{stderr}");
}
