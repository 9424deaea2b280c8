//! The bundled `email-link` detector on Defender email records, through
//! the whole pipeline: a message from an unknown sender with a link to a
//! new domain, then the recipient's click on it.

use super::support::{palisade, sql, stdout, workspace};

#[test]
fn an_unknown_senders_links_and_the_click_on_one_are_findings() {
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("palisade.toml");
    // A fresh install only learns for a week; this history is one day.
    std::fs::write(
        &config,
        "data_dir = \"history\"\n[detectors.email-link]\nlearning_days = 0\n",
    )
    .unwrap();
    let output = palisade()
        .args(["run", "--once", "--config"])
        .arg(&config)
        .arg(workspace().join("tests/fixtures/defender_email.jsonl"))
        .output()
        .unwrap();
    eprintln!("{}", stdout(&output));
    assert!(output.status.success());

    let findings = sql(
        &dir.path().join("history"),
        "select kind, user, domain from findings \
         where detector = 'email-link' order by time, domain desc",
    );
    let rows: Vec<(&str, &str, &str)> = findings
        .iter()
        .map(|f| {
            (
                f["kind"].as_str().unwrap(),
                f["user"].as_str().unwrap(),
                f["domain"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        rows,
        [
            (
                "email_link.new_domain",
                "meganb@contoso.onmicrosoft.com",
                "invoice-portal.example"
            ),
            // With nothing learned, the tenant's own SharePoint is new too;
            // a week of learning makes it known.
            (
                "email_link.new_domain",
                "meganb@contoso.onmicrosoft.com",
                "contoso.sharepoint.com"
            ),
            (
                "email_link.clicked",
                "meganb@contoso.onmicrosoft.com",
                "invoice-portal.example"
            ),
        ],
        "{findings:#?}"
    );
}
