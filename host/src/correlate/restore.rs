//! Rebuilding the window and the open incidents from history at start.

use std::collections::BTreeSet;
use std::path::Path;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::{Int64Type, UInt8Type};
use palisade_schemas::{FINDING_COLUMNS, finding_schema};

use super::incident::{Incident, Step};
use super::{CorrelateError, Correlator};
use crate::store::SqlSession;

/// Loads the last window span of findings and the latest version of every
/// incident still open into `correlator`.
pub(super) fn restore(correlator: &mut Correlator, data_dir: &Path) -> Result<(), CorrelateError> {
    if !data_dir.join("findings").is_dir() {
        return Ok(());
    }
    let fail = |e: &dyn std::fmt::Display| CorrelateError::Restore(e.to_string());
    let span = correlator.window.span();
    let (findings, incidents) = correlator
        .runner
        .block_on(async {
            let session = SqlSession::open(data_dir).await?;
            let newest = session
                .query("select arrow_cast(max(time), 'Int64') as newest from findings")
                .await?;
            let Some(newest) = first_i64(&newest) else {
                return Ok((Vec::new(), Vec::new()));
            };
            let start = newest.saturating_sub(span);
            let incidents = session.query(&open_incidents_sql(start)).await?;
            let earliest = incidents
                .iter()
                .flat_map(|b| (0..b.num_rows()).map(move |r| (b, r)))
                .filter_map(|(b, r)| b.column_by_name("first").map(|c| c.as_primitive::<Int64Type>().value(r)))
                .fold(start, i64::min);
            let columns: Vec<&str> = FINDING_COLUMNS.iter().map(|c| c.name).collect();
            let findings = session
                .query(&format!(
                    "select {} from findings where arrow_cast(time, 'Int64') >= {earliest} order by time",
                    columns.join(", ")
                ))
                .await?;
            Ok::<_, crate::store::QueryError>((findings, incidents))
        })
        .map_err(|e| fail(&e))?;

    for batch in findings.into_iter().filter(|b| b.num_rows() > 0) {
        let batch = RecordBatch::try_new(finding_schema(), batch.columns().to_vec())
            .map_err(|e| fail(&e))?;
        correlator.window.add_findings(&batch)?;
    }
    for batch in &incidents {
        for row in 0..batch.num_rows() {
            let incident = incident_from_row(correlator, batch, row)?;
            correlator.builder.restore(incident);
        }
    }
    if let Some(newest) = correlator.window.newest() {
        correlator.window.evict();
        correlator.builder.close_before(newest);
    }
    Ok(())
}

/// The latest version of each incident not merged away whose last
/// finding is after `start`.
fn open_incidents_sql(start: i64) -> String {
    format!(
        "select incident_id, severity, score, entities, finding_ids, rules, \
                arrow_cast(first_seen, 'Int64') as first \
         from (select *, row_number() over (partition by incident_id order by updated_at desc) as version \
               from incidents) \
         where version = 1 and merged_into is null and arrow_cast(last_seen, 'Int64') >= {start}"
    )
}

fn first_i64(batches: &[RecordBatch]) -> Option<i64> {
    let column = batches.first()?.column(0).as_primitive_opt::<Int64Type>()?;
    column.is_valid(0).then(|| column.value(0))
}

fn incident_from_row(
    correlator: &Correlator,
    batch: &RecordBatch,
    row: usize,
) -> Result<Incident, CorrelateError> {
    let bad = |name: &str| CorrelateError::Restore(format!("incidents has no column `{name}`"));
    let text = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|c| c.as_string_opt::<i32>())
            .ok_or_else(|| bad(name))
    };
    let byte = |name: &str| {
        batch
            .column_by_name(name)
            .and_then(|c| c.as_primitive_opt::<UInt8Type>())
            .ok_or_else(|| bad(name))
    };
    let list = |name: &str| -> Result<Vec<String>, CorrelateError> {
        let column = batch
            .column_by_name(name)
            .and_then(|c| c.as_list_opt::<i32>())
            .ok_or_else(|| bad(name))?;
        let values = column.value(row);
        Ok(values
            .as_string::<i32>()
            .iter()
            .flatten()
            .map(str::to_owned)
            .collect())
    };
    let parse_entity = |e: &str| {
        let (k, v) = e.split_once(':').unwrap_or(("user", e));
        (k.to_owned(), v.to_owned())
    };

    let entities: Vec<(String, String)> =
        list("entities")?.iter().map(|e| parse_entity(e)).collect();
    let rules: BTreeSet<String> = list("rules")?.into_iter().collect();
    let window = correlator
        .rules
        .iter()
        .filter(|r| rules.contains(&r.name))
        .map(|r| r.window)
        .max()
        .unwrap_or(correlator.window.span());
    let steps = list("finding_ids")?
        .into_iter()
        .filter_map(|id| correlator.window.finding(&id))
        .map(|f| {
            let step = Step {
                time: f.time,
                finding_id: f.finding_id.clone(),
                kind: f.kind.clone(),
                summary: f.summary.clone(),
            };
            ((f.time, f.finding_id.clone()), step)
        })
        .collect();
    Ok(Incident {
        incident_id: text("incident_id")?.value(row).to_owned(),
        entity: entities.first().cloned().unwrap_or_default(),
        entities: entities.into_iter().collect(),
        steps,
        rules,
        severity: byte("severity")?.value(row),
        base_score: byte("score")?.value(row),
        appended: 0,
        window,
        merged_into: None,
    })
}
