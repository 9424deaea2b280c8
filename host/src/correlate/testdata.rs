//! Deterministic synthetic findings for benchmarks: a busy window in which
//! most findings are noise and a few users show account-takeover steps.

use std::collections::BTreeMap;

use super::finding::Finding;

/// `count` findings, evenly spread over `span` microseconds from `start`,
/// with ids prefixed by `prefix`, in blocks of 100: in each block one
/// identity anomaly and two hiding inbox rules of one user (an account
/// takeover; 500 such users), 5 rare domains and 5 link clicks by other
/// users (in one block of ten all to the same new domain: a phishing
/// wave), and 87 noise findings, over 5,000 users.
pub fn findings(prefix: &str, count: usize, start: i64, span: i64) -> Vec<Finding> {
    let step = span / count.max(1) as i64;
    (0..count)
        .map(|i| {
            let block = i / 100;
            let user = if i % 100 < 3 { block % 500 } else { i % 5_000 };
            let domain = if block % 10 == 0 {
                format!("wave{block}.example")
            } else {
                format!("d{}.example", i % 2_000)
            };
            let (kind, domain) = match i % 100 {
                0 => ("impossible_travel.new_country", None),
                1 | 2 => ("inbox_rule.hiding", None),
                3..=7 => ("rare_domain.first_seen", Some(domain)),
                8..=12 => ("email_link.clicked", Some(domain)),
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::{Correlator, bundled_rules};

    #[test]
    fn a_small_synthetic_window_makes_takeovers_and_waves() {
        let hour = 3_600_000_000;
        let mut correlator = Correlator::new(bundled_rules()).unwrap();
        let rows = findings("t", 2_000, 0, hour);
        correlator
            .observe_findings(&Finding::to_batch(&rows))
            .unwrap();
        let incidents = correlator.correlate().unwrap();
        let by_rule = |rule: &str| {
            incidents
                .iter()
                .filter(|i| i.rules.contains(rule) && i.merged_into.is_none())
                .count()
        };
        assert!(by_rule("account_takeover") > 0, "{incidents:?}");
        assert!(by_rule("phishing_wave") > 0);
    }
}
