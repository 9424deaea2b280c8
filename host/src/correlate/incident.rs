//! The incident builder: rule candidates and later findings into
//! incidents.
//!
//! An [`Incident`] is a set of findings about one attack. The builder
//! keeps the open incidents and, after each batch, applies two steps in a
//! fixed order, so the same input always gives the same incidents:
//!
//! 1. **Candidates**, sorted by their earliest finding's time, then rule
//!    and finding ids. A candidate joins every open incident that owns one
//!    of its findings or shares one of its entities (user, device, domain,
//!    ip) within the incident's window (an address more than
//!    [`SHARED_ADDRESS_USERS`] users were seen at links nothing); when it touches several, they are
//!    merged into the oldest one (earliest `first_seen`, then id), and the
//!    others are written once more with `merged_into` set. A candidate that
//!    touches none opens a new incident.
//! 2. **Appending**: each finding new in this batch that no incident owns
//!    and that shares an entity with an open incident, within that
//!    incident's window, is appended to the oldest such incident. Each
//!    appended finding raises the score by [`APPEND_SCORE`].
//!
//! Invariants:
//!
//! - A finding belongs to at most one open incident.
//! - An incident's id is derived from the rule and the finding ids of the
//!   candidate that opened it ([`incident_id`]), so a replay of the same
//!   input gives the same ids; a candidate whose findings an incident
//!   already owns changes nothing, so a restart that rebuilds the window
//!   does not duplicate incidents.
//! - The window of an incident is the longest window of its rules: a
//!   finding joins it when its time lies within that window of the
//!   incident's `first_seen`..`last_seen`. An incident whose `last_seen` is
//!   older than its window before the newest time seen is closed and
//!   forgotten (its rows stay in history).
//! - An incident only changes by gaining findings or rules, or by a higher
//!   score; only changed incidents are reported.

use std::collections::{BTreeMap, BTreeSet, HashMap};

use sha2::{Digest, Sha256};

use super::finding::Finding;
use super::rule::Rule;
use super::runner::Candidate;
#[cfg(doc)]
use super::window::SHARED_ADDRESS_USERS;
use super::window::Window;

/// Open incident ids by entity.
type EntityIndex = HashMap<(String, String), BTreeSet<String>>;

/// What an appended finding adds to an incident's score.
pub const APPEND_SCORE: u8 = 5;

/// One step of an incident's story.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Step {
    /// When it happened.
    pub time: i64,
    /// The finding's id.
    pub finding_id: String,
    /// The finding's kind.
    pub kind: String,
    /// The finding's summary sentence.
    pub summary: String,
}

/// An incident as the builder keeps it.
#[derive(Debug, Clone, PartialEq)]
pub struct Incident {
    /// Stable id, see [`incident_id`].
    pub incident_id: String,
    /// The entity the incident is about: (kind, value).
    pub entity: (String, String),
    /// Every entity of its findings, as (kind, value).
    pub entities: BTreeSet<(String, String)>,
    /// Its steps by (time, finding id).
    pub steps: BTreeMap<(i64, String), Step>,
    /// The rules that matched.
    pub rules: BTreeSet<String>,
    /// The highest severity of its rules.
    pub severity: u8,
    /// The highest candidate score.
    pub base_score: u8,
    /// Findings appended by sharing an entity.
    pub appended: u32,
    /// The longest window of its rules, in microseconds.
    pub window: i64,
    /// The id of the incident it was merged into.
    pub merged_into: Option<String>,
}

impl Incident {
    /// Time of the earliest finding.
    pub fn first_seen(&self) -> i64 {
        self.steps.keys().next().map_or(0, |(t, _)| *t)
    }

    /// Time of the latest finding.
    pub fn last_seen(&self) -> i64 {
        self.steps.keys().next_back().map_or(0, |(t, _)| *t)
    }

    /// The score: the best candidate's, plus [`APPEND_SCORE`] per appended
    /// finding, at most 100.
    pub fn score(&self) -> u8 {
        let bonus = u32::from(APPEND_SCORE).saturating_mul(self.appended);
        (u32::from(self.base_score).saturating_add(bonus)).min(100) as u8
    }

    /// Finding ids, oldest first.
    pub fn finding_ids(&self) -> impl Iterator<Item = &str> {
        self.steps.values().map(|s| s.finding_id.as_str())
    }

    /// Whether `time` lies within the incident's window.
    fn covers(&self, first: i64, last: i64) -> bool {
        first <= self.last_seen().saturating_add(self.window)
            && last >= self.first_seen().saturating_sub(self.window)
    }

    /// Adds a finding; false when it was there already.
    fn add(&mut self, finding: &Finding) -> bool {
        let key = (finding.time, finding.finding_id.clone());
        if self.steps.contains_key(&key) {
            return false;
        }
        for (kind, value) in finding.entities() {
            self.entities.insert((kind.to_owned(), value.to_owned()));
        }
        self.steps.insert(
            key,
            Step {
                time: finding.time,
                finding_id: finding.finding_id.clone(),
                kind: finding.kind.clone(),
                summary: finding.summary.clone(),
            },
        );
        true
    }
}

/// The id of an incident opened by `rule` over `finding_ids` (sorted):
/// `inc-` and 16 hex digits of their SHA-256.
pub fn incident_id(rule: &str, finding_ids: &[String]) -> String {
    let mut hash = Sha256::new();
    hash.update(rule.as_bytes());
    for id in finding_ids {
        hash.update(b"\n");
        hash.update(id.as_bytes());
    }
    format!("inc-{}", &hex::encode(hash.finalize())[..16])
}

/// Keeps the open incidents; see the module docs.
#[derive(Default)]
pub struct IncidentBuilder {
    open: BTreeMap<String, Incident>,
    owner: HashMap<String, String>,
}

impl IncidentBuilder {
    /// An empty builder.
    pub fn new() -> Self {
        Self::default()
    }

    /// Takes back an incident saved in history (at start).
    pub fn restore(&mut self, incident: Incident) {
        for id in incident.finding_ids() {
            self.owner
                .insert(id.to_owned(), incident.incident_id.clone());
        }
        self.open.insert(incident.incident_id.clone(), incident);
    }

    /// The open incidents, by id.
    pub fn open(&self) -> impl Iterator<Item = &Incident> {
        self.open.values()
    }

    /// Applies one batch's candidates and new findings and returns the
    /// incidents that changed, merged-away ones included (with
    /// `merged_into` set).
    pub fn apply(
        &mut self,
        rules: &[Rule],
        mut candidates: Vec<Candidate>,
        new: &[Finding],
        window: &Window,
    ) -> Vec<Incident> {
        let first_time = |c: &Candidate| {
            c.finding_ids
                .iter()
                .filter_map(|id| window.finding(id))
                .map(|f| f.time)
                .min()
        };
        candidates.sort_by(|a, b| {
            (first_time(a), &a.rule, &a.finding_ids).cmp(&(first_time(b), &b.rule, &b.finding_ids))
        });

        let mut changed = BTreeSet::new();
        let mut merged = Vec::new();
        let mut index = self.entity_index();
        for candidate in &candidates {
            let Some(rule) = rules.iter().find(|r| r.name == candidate.rule) else {
                continue;
            };
            let findings: Vec<&Finding> = candidate
                .finding_ids
                .iter()
                .filter_map(|id| window.finding(id))
                .collect();
            let taken =
                self.take_candidate(rule, candidate, &findings, window, &mut index, &mut merged);
            if let Some(id) = taken {
                changed.insert(id);
            }
        }

        let mut new: Vec<&Finding> = new.iter().collect();
        new.sort_by(|a, b| (a.time, &a.finding_id).cmp(&(b.time, &b.finding_id)));
        for finding in new {
            if let Some(id) = self.append(finding, window, &mut index) {
                changed.insert(id);
            }
        }

        let mut out: Vec<Incident> = merged;
        out.extend(changed.iter().filter_map(|id| self.open.get(id)).cloned());
        out
    }

    /// Forgets the incidents whose window ended before `now`.
    pub fn close_before(&mut self, now: i64) {
        let closed: Vec<String> = self
            .open
            .values()
            .filter(|i| i.last_seen().saturating_add(i.window) < now)
            .map(|i| i.incident_id.clone())
            .collect();
        for id in closed {
            if let Some(incident) = self.open.remove(&id) {
                for finding in incident.finding_ids() {
                    self.owner.remove(finding);
                }
            }
        }
    }

    /// Step 1 for one candidate; the id of the incident that changed.
    fn take_candidate(
        &mut self,
        rule: &Rule,
        candidate: &Candidate,
        findings: &[&Finding],
        window: &Window,
        index: &mut EntityIndex,
        merged: &mut Vec<Incident>,
    ) -> Option<String> {
        let first = findings.iter().map(|f| f.time).min()?;
        let last = findings.iter().map(|f| f.time).max()?;
        let mut entities: BTreeSet<(String, String)> = findings
            .iter()
            .flat_map(|f| f.entities())
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        entities.insert((candidate.entity_kind.clone(), candidate.entity.clone()));

        // Incidents owning one of the findings, and those sharing an
        // entity within their window (the index may name merged-away ids:
        // they are no longer open).
        let owning = findings
            .iter()
            .filter_map(|f| self.owner.get(&f.finding_id));
        let sharing = linking(&entities, window)
            .filter_map(|e| index.get(e))
            .flatten();
        let ids: BTreeSet<&String> = owning.chain(sharing).collect();
        let mut related: Vec<&Incident> = ids
            .into_iter()
            .filter_map(|id| self.open.get(id))
            .filter(|i| {
                findings
                    .iter()
                    .any(|f| self.owner.get(&f.finding_id) == Some(&i.incident_id))
                    || i.covers(first, last)
            })
            .collect();
        related.sort_by_key(|i| (i.first_seen(), i.incident_id.clone()));
        let related: Vec<String> = related.iter().map(|i| i.incident_id.clone()).collect();

        let target = match related.split_first() {
            None => self.open_incident(rule, candidate),
            Some((target, others)) => {
                for other in others {
                    merged.push(self.merge(other, target));
                }
                target.clone()
            }
        };
        let incident = self.open.get_mut(&target)?;
        // A new incident, or a merge, is a change in itself.
        let mut changed = related.len() != 1;
        changed |= incident.rules.insert(rule.name.clone());
        let score = candidate.score.round() as u8;
        if score > incident.base_score {
            incident.base_score = score;
            changed = true;
        }
        incident.severity = incident.severity.max(rule.severity);
        incident.window = incident.window.max(rule.window);
        for finding in findings {
            if incident.add(finding) {
                self.owner
                    .insert(finding.finding_id.clone(), target.clone());
                changed = true;
            }
        }
        for entity in entities
            .into_iter()
            .chain(incident.entities.iter().cloned())
        {
            index.entry(entity).or_default().insert(target.clone());
        }
        changed.then_some(target)
    }

    fn open_incident(&mut self, rule: &Rule, candidate: &Candidate) -> String {
        let id = incident_id(&rule.name, &candidate.finding_ids);
        let entity = (candidate.entity_kind.clone(), candidate.entity.clone());
        self.open.entry(id.clone()).or_insert_with(|| Incident {
            incident_id: id.clone(),
            entities: BTreeSet::from([entity.clone()]),
            entity,
            steps: BTreeMap::new(),
            rules: BTreeSet::new(),
            severity: rule.severity,
            base_score: 0,
            appended: 0,
            window: rule.window,
            merged_into: None,
        });
        id
    }

    /// Moves `from` into `into`; returns `from` as it is written last.
    fn merge(&mut self, from: &str, into: &str) -> Incident {
        let mut gone = self.open.remove(from).expect("merged incidents are open");
        if let Some(target) = self.open.get_mut(into) {
            for (key, step) in &gone.steps {
                target.steps.insert(key.clone(), step.clone());
                self.owner.insert(step.finding_id.clone(), into.to_owned());
            }
            target.entities.extend(gone.entities.iter().cloned());
            target.rules.extend(gone.rules.iter().cloned());
            target.severity = target.severity.max(gone.severity);
            target.base_score = target.base_score.max(gone.base_score);
            target.appended += gone.appended;
            target.window = target.window.max(gone.window);
        }
        gone.merged_into = Some(into.to_owned());
        gone
    }

    /// The open incidents by entity, for step 2.
    fn entity_index(&self) -> EntityIndex {
        let mut index = EntityIndex::new();
        for incident in self.open.values() {
            for entity in &incident.entities {
                index
                    .entry(entity.clone())
                    .or_default()
                    .insert(incident.incident_id.clone());
            }
        }
        index
    }

    /// Step 2 for one new finding; the id of the incident it joined.
    fn append(
        &mut self,
        finding: &Finding,
        window: &Window,
        index: &mut EntityIndex,
    ) -> Option<String> {
        if self.owner.contains_key(&finding.finding_id) {
            return None;
        }
        let entities: Vec<(String, String)> = finding
            .entities()
            .map(|(k, v)| (k.to_owned(), v.to_owned()))
            .collect();
        let target = linking(&entities, window)
            .filter_map(|e| index.get(e))
            .flatten()
            .filter_map(|id| self.open.get(id))
            .filter(|i| i.covers(finding.time, finding.time))
            .min_by_key(|i| (i.first_seen(), i.incident_id.clone()))?
            .incident_id
            .clone();
        let incident = self.open.get_mut(&target)?;
        incident.add(finding);
        incident.appended += 1;
        self.owner
            .insert(finding.finding_id.clone(), target.clone());
        for entity in entities {
            index.entry(entity).or_default().insert(target.clone());
        }
        Some(target)
    }
}

/// The entities that link findings to incidents: all but source
/// addresses shared by many users ([`Window::is_shared_address`]).
fn linking<'a>(
    entities: impl IntoIterator<Item = &'a (String, String)>,
    window: &'a Window,
) -> impl Iterator<Item = &'a (String, String)> {
    entities
        .into_iter()
        .filter(move |(kind, value)| kind != "ip" || !window.is_shared_address(value))
}

#[cfg(test)]
mod tests;
