//! The demo's result against the generator's ground truth: which steps of
//! each attack a finding covers, in how many incidents, and how many
//! findings normal activity raised.

use std::collections::{BTreeMap, BTreeSet};
use std::fmt;
use std::path::Path;

use anyhow::Context;
use arrow::array::{Array, AsArray, RecordBatch};
use serde_json::Value;

use crate::store::SqlSession;

/// One attack of the ground truth, as found.
#[derive(Debug)]
pub struct AttackResult {
    /// The attack's name and account, as the ground truth gives them.
    pub name: String,
    /// The account.
    pub user: String,
    /// Steps in the ground truth.
    pub steps: usize,
    /// Steps some finding covers (one of its events is a record of it).
    pub found: usize,
    /// Distinct incidents owning those findings.
    pub incidents: usize,
}

/// The whole comparison.
#[derive(Debug)]
pub struct Scorecard {
    /// Per attack.
    pub attacks: Vec<AttackResult>,
    /// Findings none of whose events is an attack record, per detector.
    pub normal_findings: BTreeMap<String, u64>,
    /// People × days of the organisation.
    pub user_days: f64,
}

/// A finding: its detector and the raw text of its events.
struct FindingEvents {
    id: String,
    detector: String,
    raw: Vec<String>,
}

/// Compares the history in `history` with the ground truth `truth`.
///
/// # Errors
///
/// When history cannot be queried.
pub fn score(history: &Path, truth: &Value) -> anyhow::Result<Scorecard> {
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the query runtime")?;
    let (findings, owners) = runtime.block_on(async {
        let session = SqlSession::open(history).await?;
        let findings = findings_with_events(&session).await?;
        let owners = incident_owners(&session).await?;
        anyhow::Ok((findings, owners))
    })?;
    let settings = &truth["settings"];
    let user_days =
        settings["users"].as_f64().unwrap_or(0.0) * settings["days"].as_f64().unwrap_or(0.0);
    let mut attack_ids = Vec::new();
    let mut attacks = Vec::new();
    for attack in truth["attacks"].as_array().into_iter().flatten() {
        let steps = attack["steps"].as_array().cloned().unwrap_or_default();
        let mut found = 0;
        let mut incidents = BTreeSet::new();
        for step in &steps {
            let ids: Vec<&str> = step["records"]
                .as_array()
                .into_iter()
                .flatten()
                .filter_map(|r| r["id"].as_str())
                .collect();
            attack_ids.extend(ids.iter().map(|id| (*id).to_owned()));
            let covering: Vec<&FindingEvents> = findings
                .iter()
                .filter(|f| {
                    f.raw
                        .iter()
                        .any(|raw| ids.iter().any(|id| raw.contains(id)))
                })
                .collect();
            if !covering.is_empty() {
                found += 1;
            }
            incidents.extend(covering.iter().filter_map(|f| owners.get(&f.id)));
        }
        attacks.push(AttackResult {
            name: attack["name"]
                .as_str()
                .unwrap_or_default()
                .replace('_', " "),
            user: attack["user"].as_str().unwrap_or_default().to_owned(),
            steps: steps.len(),
            found,
            incidents: incidents.len(),
        });
    }
    let mut normal_findings = BTreeMap::new();
    for finding in &findings {
        let attack = finding
            .raw
            .iter()
            .any(|raw| attack_ids.iter().any(|id| raw.contains(id.as_str())));
        if !attack {
            *normal_findings.entry(finding.detector.clone()).or_insert(0) += 1;
        }
    }
    Ok(Scorecard {
        attacks,
        normal_findings,
        user_days,
    })
}

async fn findings_with_events(session: &SqlSession) -> anyhow::Result<Vec<FindingEvents>> {
    let rows = session
        .query(
            "select f.finding_id, f.detector, e.raw from \
             (select finding_id, detector, unnest(event_ids) as event_id from findings) f \
             left join events e on e.event_id = f.event_id",
        )
        .await?;
    let mut by_id: BTreeMap<String, FindingEvents> = BTreeMap::new();
    for batch in &rows {
        let (Some(id), Some(detector), Some(raw)) =
            (text(batch, 0), text(batch, 1), text(batch, 2))
        else {
            continue;
        };
        for row in 0..batch.num_rows() {
            let entry = by_id
                .entry(id.value(row).to_owned())
                .or_insert_with(|| FindingEvents {
                    id: id.value(row).to_owned(),
                    detector: detector.value(row).to_owned(),
                    raw: Vec::new(),
                });
            if raw.is_valid(row) {
                entry.raw.push(raw.value(row).to_owned());
            }
        }
    }
    Ok(by_id.into_values().collect())
}

/// The incident (latest version, not merged away) owning each finding.
async fn incident_owners(session: &SqlSession) -> anyhow::Result<BTreeMap<String, String>> {
    let rows = session
        .query(
            "select incident_id, unnest(finding_ids) as finding_id from \
             (select *, row_number() over (partition by incident_id order by updated_at desc) as v \
              from incidents) where v = 1 and merged_into is null",
        )
        .await?;
    let mut owners = BTreeMap::new();
    for batch in &rows {
        let (Some(incident), Some(finding)) = (text(batch, 0), text(batch, 1)) else {
            continue;
        };
        for row in 0..batch.num_rows() {
            owners.insert(
                finding.value(row).to_owned(),
                incident.value(row).to_owned(),
            );
        }
    }
    Ok(owners)
}

fn text(batch: &RecordBatch, column: usize) -> Option<&arrow::array::StringArray> {
    batch.columns().get(column)?.as_string_opt::<i32>()
}

impl fmt::Display for Scorecard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        writeln!(f, "Against the ground truth:")?;
        for a in &self.attacks {
            let incidents = if a.incidents == 1 {
                "incident"
            } else {
                "incidents"
            };
            writeln!(
                f,
                "  {} of {}: {} of {} steps found, in {} {incidents}",
                a.name, a.user, a.found, a.steps, a.incidents
            )?;
        }
        let total: u64 = self.normal_findings.values().sum();
        let rate = if self.user_days > 0.0 {
            total as f64 * 1000.0 / self.user_days
        } else {
            0.0
        };
        let by_detector: Vec<String> = self
            .normal_findings
            .iter()
            .map(|(d, n)| format!("{d} {n}"))
            .collect();
        write!(
            f,
            "  findings outside the attacks: {total} ({rate:.1} per 1,000 user-days)"
        )?;
        if by_detector.is_empty() {
            writeln!(f)
        } else {
            writeln!(f, ": {}", by_detector.join(", "))
        }
    }
}
