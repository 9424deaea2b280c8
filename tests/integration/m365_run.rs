//! A run over the real Microsoft Sentinel `OfficeActivity` exports.

use super::support::{count, run_once, shared_data, sql};

#[test]
fn office_activity_exports_give_every_event_and_both_hiding_inbox_rules() {
    let (Some(rules), Some(activity)) = (
        shared_data("sentinel-training-lab/office_activity_inbox_rule.csv"),
        shared_data("sentinel-training-lab/office_activity.csv"),
    ) else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let output = run_once(data.path(), &[&rules, &activity]);
    assert!(output.status.success(), "run failed");

    assert_eq!(count(data.path(), "select count(*) from events"), 268);
    assert_eq!(count(data.path(), "select count(*) from dead_letters"), 0);

    let findings = sql(
        data.path(),
        "select detector, user, summary, \
         to_char(time, '%Y-%m-%d %H:%M:%S') as at \
         from findings order by time",
    );
    let rows: Vec<(&str, &str, &str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["detector"].as_str().unwrap(),
                f["user"].as_str().unwrap(),
                f["summary"].as_str().unwrap(),
                f["at"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(rows.len(), 2, "{findings:#?}");
    let (detector, user, summary, at) = rows[0];
    assert_eq!(
        (detector, user, at),
        (
            "inbox-rule",
            "adelev@contoso.onmicrosoft.com",
            "2021-04-26 06:37:32"
        )
    );
    assert!(summary.contains("my_rule1"), "{summary}");
    let (detector, user, summary, at) = rows[1];
    assert_eq!(
        (detector, user, at),
        (
            "inbox-rule",
            "adelev@contoso.onmicrosoft.com",
            "2021-04-26 07:17:10"
        )
    );
    assert!(summary.contains("rule2"), "{summary}");
}

#[test]
fn the_pin_only_junk_rule_raises_nothing() {
    let Some(activity) = shared_data("sentinel-training-lab/office_activity.csv") else {
        return;
    };
    let data = tempfile::tempdir().unwrap();
    let output = run_once(data.path(), &[&activity]);
    assert!(output.status.success());
    assert_eq!(
        count(
            data.path(),
            "select count(*) from events where kind = 'mailbox.rule_change' and rule_name = 'junk'"
        ),
        1
    );
    assert_eq!(count(data.path(), "select count(*) from findings"), 0);
}
