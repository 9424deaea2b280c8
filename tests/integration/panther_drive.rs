//! Panther's Google Drive rule tests and the `gsuite-sensitive-files`
//! scenario through the Google Workspace normalizer and the
//! `insider-download` detector.
//!
//! Every Drive case (a `Log` whose `id.applicationName` is `drive`, in
//! any `panther-tests/rules/gsuite_*` file) must normalize. The detector
//! needs a login from a new place before a protected download means
//! anything, so each case runs after two logins of its actor, the second
//! from a never-seen address: a finding comes exactly for the cases that
//! download a protected file (externally shared, or sensitive by name).

use palisade::ingest::Format;
use palisade_sdk::testing::{Harness, TestEvent};

use super::support::{normalize_text, panther_cases, shared_data, test_event};

/// Drive cases that raise a finding after a login from a new place, and
/// why. Every other Drive case is quiet: views, edits, sharing changes,
/// trash, and a download of a file with no visibility.
const FINDINGS: &[(&str, &str)] = &[(
    // Shared internally, but named "My Sensitive Document".
    "Document Downloaded",
    "insider_download.after_new_login",
)];

/// Two logins of `user` before `time`: a usual one two days earlier, and
/// one from a never-seen address a minute earlier.
fn logins_before(user: &str, time: i64) -> Vec<TestEvent> {
    let login = |id: &str, time: i64, ip: &str| {
        TestEvent::new("auth.login")
            .with("event_id", id)
            .with("time", time)
            .with("user", user)
            .with("src_ip", ip)
    };
    vec![
        login("usual", time - 48 * 3_600_000_000, "203.0.113.5"),
        login("new", time - 60_000_000, "2001:db8::1"),
    ]
}

#[test]
fn panther_drive_cases_normalize_and_only_protected_downloads_are_reported() {
    let Some(rules) = shared_data("panther-tests/rules") else {
        return;
    };
    let mut drive_cases = 0;
    let mut reported = Vec::new();
    for dir in ["gsuite_activityevent_rules", "gsuite_reports_rules"] {
        let mut files: Vec<_> = std::fs::read_dir(rules.join(dir))
            .unwrap()
            .map(|e| e.unwrap().path())
            .collect();
        files.sort();
        for file in files {
            for (name, _, log) in panther_cases(&file) {
                let activity: serde_json::Value = serde_json::from_str(&log).unwrap();
                if activity["id"]["applicationName"] != "drive" {
                    continue;
                }
                drive_cases += 1;
                let (events, dead) = normalize_text(&log, Format::GwsReportsJson);
                assert_eq!(dead, 0, "`{name}` in {} did not normalize", file.display());
                assert!(!events.is_empty(), "`{name}` gave no event");

                let user = events[0].user.clone().unwrap_or_default();
                let mut run = logins_before(&user, events[0].time);
                run.extend(events.iter().map(test_event));
                let findings = Harness::<insider_download::InsiderDownload>::new().run(&run);
                for f in &findings {
                    eprintln!("`{name}`: {} {}", f.kind, f.summary);
                    reported.push((name.clone(), f.kind.clone()));
                }
            }
        }
    }
    let want: Vec<(String, String)> = FINDINGS
        .iter()
        .map(|(n, k)| ((*n).to_owned(), (*k).to_owned()))
        .collect();
    assert_eq!(reported, want);
    assert!(drive_cases >= 20, "only {drive_cases} Drive cases found");
}

/// The scenario shares a pitch deck with an outside Gmail account; a
/// download of it after a login from a never-seen IPv6 address is the
/// second story of the design.
#[test]
fn the_externally_shared_file_of_the_scenario_downloaded_after_a_new_ipv6_login() {
    let Some(path) =
        shared_data("panther-tests/test_scenarios/gsuite-sensitive-files/shared_files.yml")
    else {
        return;
    };
    let text = std::fs::read_to_string(path).unwrap();
    let scenario: serde_yaml_ng::Value = serde_yaml_ng::from_str(&text).unwrap();
    let logs: Vec<String> = scenario["Logs"]
        .as_sequence()
        .unwrap()
        .iter()
        .map(|log| serde_json::to_string(log).unwrap())
        .collect();
    let (shared, dead) = normalize_text(&logs.join("\n"), Format::GwsReportsJson);
    assert_eq!(dead, 0);
    let kinds: Vec<&str> = shared.iter().map(|e| e.kind.as_str()).collect();
    assert_eq!(kinds, ["file.edit", "file.share"]);
    assert_eq!(shared[1].file_visibility.as_deref(), Some("external"));

    // The scenario alone downloads nothing: quiet.
    let alone: Vec<_> = shared.iter().map(test_event).collect();
    assert!(
        Harness::<insider_download::InsiderDownload>::new()
            .run(&alone)
            .is_empty()
    );

    // The owner logs in as usual, later from a never-seen IPv6 address,
    // and downloads the deck; the download names the file by `doc_id`
    // only, so the detector recognises it from the sharing event.
    let later = r#"
{"kind":"admin#reports#activity","id":{"time":"2021-06-20T09:00:00Z","uniqueQualifier":"1","applicationName":"login","customerId":"C123abcde"},"actor":{"email":"jack@panther.com"},"ipAddress":"203.0.113.5","events":[{"type":"login","name":"login_success"}]}
{"kind":"admin#reports#activity","id":{"time":"2021-06-28T02:10:00Z","uniqueQualifier":"2","applicationName":"login","customerId":"C123abcde"},"actor":{"email":"jack@panther.com"},"ipAddress":"2001:db8:ab::17","events":[{"type":"login","name":"login_success"}]}
{"kind":"admin#reports#activity","id":{"time":"2021-06-28T02:14:00Z","uniqueQualifier":"3","applicationName":"drive","customerId":"C123abcde"},"actor":{"email":"jack@panther.com"},"ipAddress":"2001:db8:ab::17","events":[{"type":"access","name":"download","parameters":[{"name":"doc_id","value":"xxxxxx_eHtcVcuFqriIX_SGa_guoI0vOV"},{"name":"doc_title","value":"Company_Financials_05_26_21.pptx"}]}]}
"#;
    let (after, dead) = normalize_text(later.trim(), Format::GwsReportsJson);
    assert_eq!(dead, 0);
    let mut events = vec![test_event(&after[0])];
    events.extend(shared.iter().map(test_event));
    events.extend(after[1..].iter().map(test_event));

    let findings = Harness::<insider_download::InsiderDownload>::new().run(&events);
    assert_eq!(findings.len(), 1, "{findings:#?}");
    let f = &findings[0];
    assert_eq!(f.kind, "insider_download.after_new_login");
    assert_eq!(f.user.as_deref(), Some("jack@panther.com"));
    assert_eq!(f.ip.as_deref(), Some("2001:db8:ab::17"));
    assert_eq!(f.attrs["reasons"], "external,sensitive");
    assert!(
        f.summary.contains("Company_Financials_05_26_21.pptx"),
        "{}",
        f.summary
    );
}
