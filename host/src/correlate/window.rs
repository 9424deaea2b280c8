//! The live window: the recent findings (and, when a rule reads them,
//! events, without their `raw` text) that rules run over.
//!
//! Time is event time: the window ends at the newest finding or event
//! seen and reaches back `span` (the longest rule window). Rows older than
//! that are evicted after each batch. A finding whose id is already in the
//! window (a replayed input) is not added twice.

use std::collections::{BTreeSet, HashMap};

use arrow::array::{AsArray, BooleanArray};
use arrow::compute::filter_record_batch;
use arrow::compute::kernels::aggregate::{max, min};
use arrow::datatypes::TimestampMicrosecondType;
use arrow::record_batch::RecordBatch;

use super::CorrelateError;
use super::finding::Finding;

/// Recent findings and events, by event time.
pub struct Window {
    span: i64,
    keep_events: bool,
    newest: Option<i64>,
    findings: Vec<RecordBatch>,
    events: Vec<RecordBatch>,
    by_id: HashMap<String, Finding>,
    users_by_address: HashMap<String, AddressUsers>,
}

/// The users seen at one source address (at most one more than
/// [`SHARED_ADDRESS_USERS`]) and when it was last seen.
#[derive(Default)]
struct AddressUsers {
    users: BTreeSet<String>,
    last: i64,
}

/// More users than this seen at one source address make it shared (an
/// office, a proxy, a VPN concentrator): it says nothing about who is
/// behind an event, so it links no findings.
pub const SHARED_ADDRESS_USERS: usize = 3;

impl Window {
    /// An empty window reaching back `span` microseconds; events are kept
    /// only when `keep_events`.
    pub fn new(span: i64, keep_events: bool) -> Self {
        Window {
            span,
            keep_events,
            newest: None,
            findings: Vec::new(),
            events: Vec::new(),
            by_id: HashMap::new(),
            users_by_address: HashMap::new(),
        }
    }

    /// The newest time seen, the end of the window.
    pub fn newest(&self) -> Option<i64> {
        self.newest
    }

    /// How far back the window reaches, in microseconds.
    pub fn span(&self) -> i64 {
        self.span
    }

    /// Reaches back `span` from now on, keeping events when `keep_events`
    /// (rules were replaced). A longer span fills up as rows arrive.
    pub fn reshape(&mut self, span: i64, keep_events: bool) {
        self.span = span;
        if !keep_events {
            self.events.clear();
        }
        self.keep_events = keep_events;
    }

    /// Adds a batch of findings (the `findings` schema) and returns the
    /// findings it brought that the window did not hold yet.
    ///
    /// # Errors
    ///
    /// When the batch does not have the findings' columns.
    pub fn add_findings(&mut self, batch: &RecordBatch) -> Result<Vec<Finding>, CorrelateError> {
        // A row is kept when its id is new to the window, so the tables
        // rules read hold each finding once, also when a batch repeats one.
        let mut keep = Vec::with_capacity(batch.num_rows());
        let mut added = Vec::new();
        for finding in Finding::read_batch(batch)? {
            let new = !self.by_id.contains_key(&finding.finding_id);
            if new {
                self.by_id
                    .insert(finding.finding_id.clone(), finding.clone());
                added.push(finding);
            }
            keep.push(Some(new));
        }
        if added.len() == batch.num_rows() {
            self.findings.push(batch.clone());
        } else if !added.is_empty() {
            self.findings.push(filter(batch, &BooleanArray::from(keep)));
        }
        self.advance(batch);
        Ok(added)
    }

    /// Adds a batch of events (kept only when a rule reads events), and
    /// learns which users each source address serves.
    pub fn add_events(&mut self, batch: &RecordBatch) {
        self.advance(batch);
        self.learn_addresses(batch);
        if self.keep_events && batch.num_rows() > 0 {
            self.events.push(without_raw(batch));
        }
    }

    /// Whether more than [`SHARED_ADDRESS_USERS`] users were seen at
    /// `address` in the window's events (an address not seen since the
    /// window's start is forgotten).
    pub fn is_shared_address(&self, address: &str) -> bool {
        self.users_by_address
            .get(address)
            .is_some_and(|seen| seen.users.len() > SHARED_ADDRESS_USERS)
    }

    fn learn_addresses(&mut self, batch: &RecordBatch) {
        let column = |name: &str| {
            batch
                .column_by_name(name)
                .and_then(|c| c.as_string_opt::<i32>())
        };
        let (Some(addresses), Some(users), Some(times)) =
            (column("src_ip"), column("user"), time_column(batch))
        else {
            return;
        };
        for ((address, user), time) in addresses.iter().zip(users.iter()).zip(times.iter()) {
            let (Some(address), Some(user), Some(time)) = (address, user, time) else {
                continue;
            };
            let seen = match self.users_by_address.get_mut(address) {
                Some(seen) => seen,
                None => self.users_by_address.entry(address.to_owned()).or_default(),
            };
            seen.last = seen.last.max(time);
            if seen.users.len() <= SHARED_ADDRESS_USERS && !seen.users.contains(user) {
                seen.users.insert(user.to_owned());
            }
        }
    }

    /// A finding of the window by id.
    pub fn finding(&self, id: &str) -> Option<&Finding> {
        self.by_id.get(id)
    }

    /// Number of findings in the window.
    pub fn len(&self) -> usize {
        self.by_id.len()
    }

    /// Whether the window holds no findings.
    pub fn is_empty(&self) -> bool {
        self.by_id.is_empty()
    }

    /// The findings' batches, for the `findings` table.
    pub fn finding_batches(&self) -> &[RecordBatch] {
        &self.findings
    }

    /// The events' batches, for the `events` table.
    pub fn event_batches(&self) -> &[RecordBatch] {
        &self.events
    }

    /// Drops the rows older than the window's start.
    pub fn evict(&mut self) {
        let Some(newest) = self.newest else {
            return;
        };
        let start = newest.saturating_sub(self.span);
        self.by_id.retain(|_, f| f.time >= start);
        self.users_by_address.retain(|_, seen| seen.last >= start);
        evict_batches(&mut self.findings, start);
        evict_batches(&mut self.events, start);
    }

    fn advance(&mut self, batch: &RecordBatch) {
        if let Some(newest) = time_column(batch).and_then(max) {
            self.newest = Some(self.newest.map_or(newest, |n| n.max(newest)));
        }
    }
}

/// `batch` with its `raw` column all nulls: the original records are the
/// bulk of an event batch, rules have no use for them, and a window of
/// days would hold gigabytes of them.
fn without_raw(batch: &RecordBatch) -> RecordBatch {
    let Some(index) = batch.schema().index_of("raw").ok() else {
        return batch.clone();
    };
    let mut columns = batch.columns().to_vec();
    columns[index] = arrow::array::new_null_array(columns[index].data_type(), batch.num_rows());
    RecordBatch::try_new(batch.schema(), columns).unwrap_or_else(|_| batch.clone())
}

fn time_column(
    batch: &RecordBatch,
) -> Option<&arrow::array::PrimitiveArray<TimestampMicrosecondType>> {
    batch
        .column_by_name("time")
        .and_then(|c| c.as_primitive_opt::<TimestampMicrosecondType>())
}

fn filter(batch: &RecordBatch, mask: &BooleanArray) -> RecordBatch {
    filter_record_batch(batch, mask).expect("the mask has the batch's length")
}

/// Keeps the rows at or after `start`: whole batches when they are wholly
/// inside, filtered ones when they straddle it.
fn evict_batches(batches: &mut Vec<RecordBatch>, start: i64) {
    batches.retain_mut(|batch| {
        let Some(times) = time_column(batch) else {
            return false;
        };
        if min(times).is_some_and(|m| m >= start) {
            return true;
        }
        if max(times).is_none_or(|m| m < start) {
            return false;
        }
        let mask: BooleanArray = times
            .iter()
            .map(|t| Some(t.is_some_and(|t| t >= start)))
            .collect();
        *batch = filter(batch, &mask);
        true
    });
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::correlate::testdata;

    const HOUR: i64 = 3_600_000_000;

    #[test]
    fn a_replayed_finding_is_added_once() {
        let mut window = Window::new(HOUR, false);
        let rows = testdata::findings("f", 10, 0, 60_000_000);
        let batch = Finding::to_batch(&rows);
        assert_eq!(window.add_findings(&batch).unwrap().len(), 10);
        let again = Finding::to_batch(&[rows[3].clone(), rows[3].clone()]);
        assert!(window.add_findings(&again).unwrap().is_empty());
        let rows_held: usize = window.finding_batches().iter().map(|b| b.num_rows()).sum();
        assert_eq!((window.len(), rows_held), (10, 10));
    }

    #[test]
    fn rows_older_than_the_span_before_the_newest_are_evicted() {
        let mut window = Window::new(HOUR, false);
        // Ten findings over three hours: 0, 18, 36, ... 162 minutes.
        let rows = testdata::findings("f", 10, 0, 3 * HOUR);
        window.add_findings(&Finding::to_batch(&rows)).unwrap();
        window.evict();
        let rows_held: usize = window.finding_batches().iter().map(|b| b.num_rows()).sum();
        // The window ends at 162 minutes and reaches back to 102.
        assert_eq!((window.len(), rows_held), (4, 4));
        assert!(window.finding("f5").is_none());
        assert!(window.finding("f6").is_some());
    }
}
