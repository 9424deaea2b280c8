//! Expected findings and how a run's findings are matched against them.
//!
//! Every expectation must match a distinct finding and every finding an
//! expectation; an empty list means no finding. Expectations match in any
//! order (the best one-to-one pairing is searched for).

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use super::FindingRow;

/// What one expected finding must satisfy; fields left out are not checked.
/// Text fields compare exactly, except `*_contains`, which ignore case.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct Expectation {
    /// Exact detector name.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub detector: Option<String>,
    /// Exact kind.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub kind: Option<String>,
    /// Exact user entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub user: Option<String>,
    /// Exact IP entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub ip: Option<String>,
    /// Exact domain entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub domain: Option<String>,
    /// Exact device entity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub device: Option<String>,
    /// Lowest acceptable severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_min: Option<u8>,
    /// Highest acceptable severity.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub severity_max: Option<u8>,
    /// Text the title contains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub title_contains: Option<String>,
    /// Text the summary contains.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub summary_contains: Option<String>,
    /// Techniques the finding must list (it may list more).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub mitre: Vec<String>,
    /// Event ids the finding must list (it may list more).
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub event_ids: Vec<String>,
    /// Detail entries the finding must have, with these values.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub attrs: BTreeMap<String, String>,
}

impl Expectation {
    /// How `row` differs from the expectation; empty when it matches.
    pub fn mismatches(&self, row: &FindingRow) -> Vec<String> {
        let mut out = Vec::new();
        let exact = [
            ("detector", &self.detector, row.detector.as_ref()),
            ("kind", &self.kind, Some(&row.kind)),
            ("user", &self.user, row.user.as_ref()),
            ("ip", &self.ip, row.ip.as_ref()),
            ("domain", &self.domain, row.domain.as_ref()),
            ("device", &self.device, row.device.as_ref()),
        ];
        for (name, want, got) in exact {
            if let Some(want) = want
                && got != Some(want)
            {
                out.push(format!("{name} is {got:?}, expected {want:?}"));
            }
        }
        if let Some(min) = self.severity_min.filter(|&min| row.severity < min) {
            out.push(format!("severity {} is below {min}", row.severity));
        }
        if let Some(max) = self.severity_max.filter(|&max| row.severity > max) {
            out.push(format!("severity {} is above {max}", row.severity));
        }
        for (name, want, got) in [
            ("title", &self.title_contains, &row.title),
            ("summary", &self.summary_contains, &row.summary),
        ] {
            if let Some(want) = want
                && !got.to_lowercase().contains(&want.to_lowercase())
            {
                out.push(format!("{name} {got:?} does not contain {want:?}"));
            }
        }
        for (name, want, got) in [
            ("mitre", &self.mitre, &row.mitre),
            ("event_ids", &self.event_ids, &row.event_ids),
        ] {
            if let Some(missing) = want.iter().find(|w| !got.contains(w)) {
                out.push(format!("{name} {got:?} lacks {missing:?}"));
            }
        }
        for (key, want) in &self.attrs {
            let got = row.attrs.get(key);
            if got != Some(want) {
                out.push(format!("attrs[{key:?}] is {got:?}, expected {want:?}"));
            }
        }
        out
    }
}

/// Pairs expectations with findings one to one, and describes what is left
/// over on either side.
///
/// # Errors
///
/// The differences, over several lines: the counts, each expectation that
/// matched no finding with how the closest finding differs from it, and
/// each finding no expectation matched.
pub fn compare(expect: &[Expectation], rows: &[FindingRow]) -> Result<(), String> {
    let pairing = pair(expect, rows);
    let unmatched_rows: Vec<usize> = (0..rows.len())
        .filter(|r| !pairing.contains(&Some(*r)))
        .collect();
    if pairing.iter().all(Option::is_some) && unmatched_rows.is_empty() {
        return Ok(());
    }

    let mut report = format!("expected {} finding(s), got {}", expect.len(), rows.len());
    for (e, paired) in expect.iter().zip(&pairing) {
        if paired.is_none() {
            report.push_str(&format!("\n  no finding matches {}", describe(e)));
            if let Some((r, problems)) = closest(e, rows) {
                report.push_str(&format!(
                    "\n    closest is finding {}: {}",
                    r + 1,
                    problems.join("; ")
                ));
            }
        }
    }
    for r in unmatched_rows {
        report.push_str(&format!("\n  unexpected finding {}: {}", r + 1, rows[r]));
    }
    Err(report)
}

/// For each expectation, the finding it is paired with: a maximum
/// bipartite matching by augmenting paths (cases are small).
fn pair(expect: &[Expectation], rows: &[FindingRow]) -> Vec<Option<usize>> {
    let fits: Vec<Vec<bool>> = expect
        .iter()
        .map(|e| rows.iter().map(|r| e.mismatches(r).is_empty()).collect())
        .collect();
    let mut owner: Vec<Option<usize>> = vec![None; rows.len()];
    for e in 0..expect.len() {
        augment(e, &fits, &mut vec![false; rows.len()], &mut owner);
    }
    let mut pairing = vec![None; expect.len()];
    for (r, e) in owner.iter().enumerate() {
        if let Some(e) = e {
            pairing[*e] = Some(r);
        }
    }
    pairing
}

fn augment(e: usize, fits: &[Vec<bool>], seen: &mut [bool], owner: &mut [Option<usize>]) -> bool {
    for r in 0..owner.len() {
        if fits[e][r] && !seen[r] {
            seen[r] = true;
            if owner[r].is_none_or(|other| augment(other, fits, seen, owner)) {
                owner[r] = Some(e);
                return true;
            }
        }
    }
    false
}

/// The finding with the fewest mismatches against `e`.
fn closest(e: &Expectation, rows: &[FindingRow]) -> Option<(usize, Vec<String>)> {
    rows.iter()
        .map(|r| e.mismatches(r))
        .enumerate()
        .min_by_key(|(_, problems)| problems.len())
}

fn describe(e: &Expectation) -> String {
    serde_json::to_string(e).unwrap_or_else(|_| format!("{e:?}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn finding(kind: &str, user: &str, severity: u8) -> FindingRow {
        FindingRow {
            detector: Some("inbox-rule".into()),
            time: 0,
            kind: kind.into(),
            severity,
            title: "t".into(),
            summary: "s".into(),
            user: Some(user.into()),
            device: None,
            domain: None,
            ip: None,
            event_ids: Vec::new(),
            mitre: vec!["T1564.008".into()],
            attrs: BTreeMap::new(),
        }
    }

    fn expect(json: &str) -> Vec<Expectation> {
        serde_json::from_str(json).unwrap()
    }

    #[test]
    fn expectations_pair_with_findings_in_any_order() {
        let rows = [finding("a.x", "u1", 50), finding("a.x", "u2", 90)];
        let wanted = expect(
            r#"[{"detector": "inbox-rule", "severity_min": 80},
                {"kind": "a.x", "mitre": ["T1564.008"]}]"#,
        );
        assert_eq!(compare(&wanted, &rows), Ok(()));
    }

    #[test]
    fn differences_name_the_closest_finding_and_the_unexpected_one() {
        let rows = [finding("a.x", "u1", 50)];
        let wanted = expect(r#"[{"detector": "other", "kind": "a.x", "severity_max": 40}]"#);
        let report = compare(&wanted, &rows).unwrap_err();
        assert_eq!(
            report.lines().collect::<Vec<_>>(),
            [
                "expected 1 finding(s), got 1",
                r#"  no finding matches {"detector":"other","kind":"a.x","severity_max":40}"#,
                r#"    closest is finding 1: detector is Some("inbox-rule"), expected "other"; severity 50 is above 40"#,
                r#"  unexpected finding 1: kind=a.x severity=50 user=u1 title="t" summary="s""#,
            ]
        );
    }
}
