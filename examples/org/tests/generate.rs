//! The generator's promises: the same settings write the same files, the
//! ground truth names records that are in them, and a size too small is
//! refused.

use std::fs;
use std::path::Path;

use palisade_example_org::{Settings, generate, read_ground_truth};

fn small() -> Settings {
    Settings {
        users: 12,
        devices: 15,
        days: 14,
        ..Settings::default()
    }
}

/// Every file under `dir` with its bytes, by relative path.
fn tree(dir: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    let mut stack = vec![dir.to_owned()];
    while let Some(folder) = stack.pop() {
        for entry in fs::read_dir(&folder).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                stack.push(path);
            } else {
                let name = path.strip_prefix(dir).unwrap().display().to_string();
                files.push((name, fs::read(&path).unwrap()));
            }
        }
    }
    files.sort();
    files
}

#[test]
fn the_same_settings_write_the_same_files() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    let first = generate(a.path(), &small(), |_, _| {}).unwrap();
    generate(b.path(), &small(), |_, _| {}).unwrap();
    assert_eq!(first.first_day, "2024-03-04");
    assert_eq!(first.last_day, "2024-03-17");
    let (ta, tb) = (tree(a.path()), tree(b.path()));
    assert_eq!(ta.len(), tb.len());
    assert!(ta == tb, "two runs differ");
    // 14 day folders, each with its files, and the side files.
    let days: Vec<_> = fs::read_dir(a.path().join("logs")).unwrap().collect();
    assert_eq!(days.len(), 14);
    for side in [
        "assets.csv",
        "departed.csv",
        "palisade.toml",
        "ground_truth.json",
    ] {
        assert!(a.path().join(side).is_file(), "{side}");
    }
    let other_seed = tempfile::tempdir().unwrap();
    let settings = Settings { seed: 7, ..small() };
    generate(other_seed.path(), &settings, |_, _| {}).unwrap();
    assert!(tree(other_seed.path()) != ta, "another seed, another month");
}

#[test]
fn every_record_of_the_ground_truth_is_in_its_file() {
    let dir = tempfile::tempdir().unwrap();
    let generated = generate(dir.path(), &small(), |_, _| {}).unwrap();
    let truth = read_ground_truth(dir.path()).unwrap();
    let attacks = truth["attacks"].as_array().unwrap();
    assert_eq!(attacks.len(), 2);
    assert_eq!(attacks[0]["steps"].as_array().unwrap().len(), 8);
    assert_eq!(attacks[1]["steps"].as_array().unwrap().len(), 2);
    let mut records = 0;
    for attack in &generated.attacks {
        for step in &attack.steps {
            assert!(!step.records.is_empty(), "{}", step.step);
            for record in &step.records {
                let text = fs::read_to_string(dir.path().join(&record.file)).unwrap();
                assert!(!record.id.is_empty());
                assert!(
                    text.contains(&record.id),
                    "{} not in {}",
                    record.id,
                    record.file
                );
                records += 1;
            }
        }
    }
    // Thousands of phishing mails, each a message, a link and a Send.
    assert!(records > 3 * 2_400, "{records}");
    let departed = fs::read_to_string(dir.path().join("departed.csv")).unwrap();
    assert!(
        departed.contains(attacks[1]["user"].as_str().unwrap()),
        "{departed}"
    );
}

#[test]
fn an_organisation_too_small_is_refused() {
    let dir = tempfile::tempdir().unwrap();
    let settings = Settings { days: 7, ..small() };
    let err = generate(dir.path(), &settings, |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("--days 7: at least 14"), "{err}");
    let settings = Settings {
        devices: 5,
        ..small()
    };
    let err = generate(dir.path(), &settings, |_, _| {}).unwrap_err();
    assert!(err.to_string().contains("--devices 5"), "{err}");
}
