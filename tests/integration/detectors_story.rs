//! The story's later steps through `palisade run --once`, the detectors
//! running as Wasm components with the host's state store: a new MFA
//! method after a login from a new address (unified audit log), and an
//! externally shared Drive file downloaded after a login from a
//! never-seen IPv6 address (Google Workspace). Run once, and split over
//! two runs of the same history, which must find the same.

use std::path::{Path, PathBuf};

use super::support::{run_once, sql};

/// Unified audit log records: two logins from the usual address, one
/// from a new one, then a new MFA method registered for the user.
const M365: &str = r#"{"Id":"a1","CreationTime":"2024-03-10T14:00:00","Operation":"UserLoggedIn","UserId":"Megan.Bowen@contoso.com","ClientIP":"203.0.113.10","ResultStatus":"Success","Workload":"AzureActiveDirectory","RecordType":15}
{"Id":"a2","CreationTime":"2024-03-11T14:00:00","Operation":"UserLoggedIn","UserId":"megan.bowen@contoso.com","ClientIP":"203.0.113.10","ResultStatus":"Success","Workload":"AzureActiveDirectory","RecordType":15}
{"Id":"a3","CreationTime":"2024-03-12T09:01:00","Operation":"UserLoggedIn","UserId":"megan.bowen@contoso.com","ClientIP":"198.51.100.7","ResultStatus":"Success","Workload":"AzureActiveDirectory","RecordType":15}
{"Id":"a4","CreationTime":"2024-03-13T08:30:00","Operation":"Update user.","UserId":"ServicePrincipal_aa-bb","ObjectId":"megan.bowen@contoso.com","ResultStatus":"Success","Workload":"AzureActiveDirectory","RecordType":8,"ModifiedProperties":[{"Name":"StrongAuthenticationMethod","NewValue":"[{\"Default\": true,\"MethodType\": 6}]","OldValue":"[]"},{"Name":"Included Updated Properties","NewValue":"StrongAuthenticationMethod","OldValue":""}]}
"#;

/// Reports API activities: the usual login, a share with an outside
/// account, a login from a never-seen IPv6 address, the download.
const GWS: &str = r#"{"kind":"admin#reports#activity","id":{"time":"2024-05-01T09:00:00Z","uniqueQualifier":"1","applicationName":"login","customerId":"C1"},"actor":{"email":"jordan@corp.example"},"ipAddress":"203.0.113.5","events":[{"type":"login","name":"login_success"}]}
{"kind":"admin#reports#activity","id":{"time":"2024-05-02T09:00:00Z","uniqueQualifier":"2","applicationName":"drive","customerId":"C1"},"actor":{"email":"jordan@corp.example"},"ipAddress":"203.0.113.5","events":[{"type":"acl_change","name":"change_user_access","parameters":[{"name":"doc_id","value":"d-77"},{"name":"doc_title","value":"Pricing model.xlsx"},{"name":"visibility","value":"shared_externally"},{"name":"target_user","value":"someone@gmail.com"}]}]}
{"kind":"admin#reports#activity","id":{"time":"2024-05-20T22:10:00Z","uniqueQualifier":"3","applicationName":"login","customerId":"C1"},"actor":{"email":"jordan@corp.example"},"ipAddress":"2001:db8:85a3::8a2e:370:7334","events":[{"type":"login","name":"login_success"}]}
{"kind":"admin#reports#activity","id":{"time":"2024-05-20T22:14:00Z","uniqueQualifier":"4","applicationName":"drive","customerId":"C1"},"actor":{"email":"jordan@corp.example"},"ipAddress":"2001:db8:85a3::8a2e:370:7334","events":[{"type":"access","name":"download","parameters":[{"name":"doc_id","value":"d-77"},{"name":"doc_title","value":"Pricing model.xlsx"}]}]}
"#;

/// Writes the first `split` lines of `text` to `a_<name>` and the rest to
/// `b_<name>`.
fn halves(dir: &Path, name: &str, text: &str, split: usize) -> (PathBuf, PathBuf) {
    let lines: Vec<&str> = text.lines().collect();
    let a = dir.join(format!("a_{name}"));
    let b = dir.join(format!("b_{name}"));
    std::fs::write(&a, lines[..split].join("\n") + "\n").unwrap();
    std::fs::write(&b, lines[split..].join("\n") + "\n").unwrap();
    (a, b)
}

fn story_findings(data: &Path) -> Vec<String> {
    sql(
        data,
        "select detector, kind, user, ip, attrs['reasons'] as reasons from findings \
         where detector in ('account-change', 'insider-download') order by detector",
    )
    .iter()
    .map(|r| r.to_string())
    .collect()
}

#[test]
fn the_story_steps_are_found_in_one_run_and_in_two() {
    let dir = tempfile::tempdir().unwrap();
    let (m365_a, m365_b) = halves(dir.path(), "m365.json", M365, 3);
    let (gws_a, gws_b) = halves(dir.path(), "gws.json", GWS, 2);

    let whole_m365 = dir.path().join("m365.json");
    let whole_gws = dir.path().join("gws.json");
    std::fs::write(&whole_m365, M365).unwrap();
    std::fs::write(&whole_gws, GWS).unwrap();
    let one = dir.path().join("one");
    assert!(run_once(&one, &[&whole_m365, &whole_gws]).status.success());
    let found = story_findings(&one);
    assert_eq!(found.len(), 2, "{found:#?}");
    assert!(
        found[0].contains("account_change.mfa_registered"),
        "{}",
        found[0]
    );
    assert!(found[0].contains("megan.bowen@contoso.com"), "{}", found[0]);
    assert!(found[0].contains("after_new_login"), "{}", found[0]);
    assert!(
        found[1].contains("insider_download.after_new_login"),
        "{}",
        found[1]
    );
    assert!(
        found[1].contains("2001:db8:85a3::8a2e:370:7334"),
        "{}",
        found[1]
    );

    // The same history, read as two runs: state survives in the checkpoint.
    let two = dir.path().join("two");
    assert!(run_once(&two, &[&m365_a, &gws_a]).status.success());
    assert!(story_findings(&two).is_empty());
    assert!(run_once(&two, &[&m365_b, &gws_b]).status.success());
    assert_eq!(story_findings(&two), found);
}
