//! Deterministic synthetic findings for benchmarks: a busy window in which
//! most findings are noise and a few users show account-takeover steps.

use std::collections::BTreeMap;

use super::finding::Finding;

/// `count` findings, evenly spread over `span` microseconds from `start`,
/// with ids prefixed by `prefix`: about 1% identity anomalies, 2% hiding
/// inbox rules, 5% rare domains, 5% link clicks, the rest noise, over 5,000
/// users and 2,000 domains.
pub fn findings(prefix: &str, count: usize, start: i64, span: i64) -> Vec<Finding> {
    let step = span / count.max(1) as i64;
    (0..count)
        .map(|i| {
            let user = i % 5_000;
            let (kind, domain) = match i % 100 {
                0 => ("impossible_travel.new_country", None),
                1 | 2 => ("inbox_rule.hiding", None),
                3..=7 => (
                    "rare_domain.first_seen",
                    Some(format!("d{}.example", i % 2_000)),
                ),
                8..=12 => (
                    "email_link.clicked",
                    Some(format!("d{}.example", i % 2_000)),
                ),
                _ => ("auth.failed_burst", None),
            };
            Finding {
                finding_id: format!("{prefix}{i}"),
                time: start + i as i64 * step,
                detector: "bench".into(),
                kind: kind.into(),
                severity: 50,
                title: kind.into(),
                summary: format!("user{user}@corp.example: {kind}"),
                user: Some(format!("user{user}@corp.example")),
                device: None,
                domain,
                ip: Some(format!(
                    "10.{}.{}.{}",
                    user / 65_536,
                    (user / 256) % 256,
                    user % 256
                )),
                attrs: BTreeMap::new(),
            }
        })
        .collect()
}
