//! The `rare-domain` detector over the real WRCCDC DNS capture (Zeek TSV,
//! 53,615 queries from 77 devices over 21 minutes), learning on the first
//! quarter of the capture's time span: it must stay quiet on this normal
//! traffic, below 2% of the distinct registered domains.

use std::collections::BTreeSet;

use super::support::{count, palisade, shared_data, sql};

/// The capture runs from ts 1521911720.865716 to 1521912990.151237:
/// 1,269.29 s; a quarter is 317.32 s, in days.
const LEARNING_DAYS: f64 = 317.32 / 86_400.0;

#[test]
fn brimdata_dns_gives_few_rare_domain_findings() {
    let Some(dns) = shared_data("brimdata-zeek/dns.log.gz") else {
        return;
    };
    let dir = tempfile::tempdir().unwrap();
    let config = dir.path().join("palisade.toml");
    std::fs::write(
        &config,
        format!(
            "data_dir = \"data\"\n\n[detectors.rare-domain]\nlearning_days = {LEARNING_DAYS}\n"
        ),
    )
    .unwrap();
    let data = dir.path().join("data");
    let output = palisade()
        .args(["run", "--once", "--config"])
        .arg(&config)
        .arg(&dns)
        .output()
        .expect("running palisade");
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );

    // The learning period is the first quarter of the span in the history.
    let span = sql(
        &data,
        "select cast(min(time) as bigint) as first, cast(max(time) as bigint) as last \
         from events where kind = 'dns.query'",
    );
    let (first, last) = (
        span[0]["first"].as_i64().unwrap(),
        span[0]["last"].as_i64().unwrap(),
    );
    let quarter = (last - first) as f64 / 4.0 / 86_400_000_000.0;
    assert!(
        (quarter - LEARNING_DAYS).abs() * 86_400.0 < 1.0,
        "{quarter} days"
    );

    let names = sql(
        &data,
        "select distinct domain from events where domain is not null",
    );
    let registered: BTreeSet<String> = names
        .iter()
        .filter_map(|row| row["domain"].as_str())
        .filter_map(::rare_domain::domain::registered)
        .collect();
    let findings = count(
        &data,
        "select count(*) from findings where detector = 'rare-domain'",
    );
    eprintln!(
        "rare-domain: {findings} findings, {} distinct registered domains",
        registered.len()
    );
    assert!(registered.len() > 500, "{}", registered.len());
    assert!(
        findings * 50 < registered.len() as i64,
        "{findings} findings for {} domains",
        registered.len()
    );

    // Each finding names a device, a registered domain and the DNS
    // answers, after the learning period.
    let learned_until = first + (LEARNING_DAYS * 86_400_000_000.0) as i64;
    assert_eq!(
        count(
            &data,
            &format!(
                "select count(*) from findings where detector = 'rare-domain' and \
                 (device is null or domain is null or attrs['answers'] is null \
                 or kind not in ('rare_domain.new', 'rare_domain.wave') \
                 or cast(time as bigint) < {learned_until})"
            ),
        ),
        0
    );
}
