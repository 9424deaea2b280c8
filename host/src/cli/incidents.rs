//! `palisade incidents`: the incidents of a data folder with their
//! stories.

use std::io::Write;
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use arrow::array::{Array, AsArray, RecordBatch};
use arrow::datatypes::UInt8Type;
use clap::{Args, ValueEnum};

use crate::store::{OutputFormat, SqlSession, render};

/// The latest version of each incident that was not merged into another.
pub const CURRENT_INCIDENTS_SQL: &str = "\
select incident_id, first_seen, last_seen, updated_at, title, severity, score, \
       entities, finding_ids, rules, narrative \
from (select *, row_number() over (partition by incident_id order by updated_at desc) as version \
      from incidents) \
where version = 1 and merged_into is null \
order by first_seen, incident_id";

/// How incidents are printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, ValueEnum)]
pub enum IncidentFormat {
    /// Each incident as a block: headline, numbers, story.
    #[default]
    Table,
    /// One JSON object per incident, one per line.
    Json,
}

/// Arguments of `palisade incidents`.
#[derive(Debug, Args)]
pub struct IncidentsArgs {
    /// The data folder a run wrote.
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// How to print them.
    #[arg(long, value_enum, default_value_t)]
    pub format: IncidentFormat,
}

pub(super) fn incidents(args: IncidentsArgs) -> anyhow::Result<ExitCode> {
    let batches = current_incidents(&args.data_dir)?;
    let stdout = std::io::stdout();
    let mut out = stdout.lock();
    match args.format {
        IncidentFormat::Json => render(&batches, OutputFormat::Json, &mut out)?,
        IncidentFormat::Table => write_blocks(&batches, &mut out).context("writing incidents")?,
    }
    Ok(ExitCode::SUCCESS)
}

/// Prints the incidents of `data_dir` as blocks of text.
pub(super) fn print_incidents(data_dir: &Path) -> anyhow::Result<()> {
    let batches = current_incidents(data_dir)?;
    write_blocks(&batches, &mut std::io::stdout().lock()).context("writing incidents")
}

/// The latest version of each incident of `data_dir`.
fn current_incidents(data_dir: &Path) -> anyhow::Result<Vec<RecordBatch>> {
    super::check_history(data_dir)?;
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the query runtime")?;
    Ok(runtime.block_on(async {
        let session = SqlSession::open(data_dir).await?;
        session.query(CURRENT_INCIDENTS_SQL).await
    })?)
}

/// Each incident as a block of text.
fn write_blocks(batches: &[RecordBatch], out: &mut dyn Write) -> std::io::Result<()> {
    let mut count = 0;
    for batch in batches {
        let text = |name: &str| batch.column_by_name(name).map(|c| c.as_string::<i32>());
        let (Some(id), Some(title), Some(narrative)) =
            (text("incident_id"), text("title"), text("narrative"))
        else {
            continue;
        };
        let byte = |name: &str| {
            batch
                .column_by_name(name)
                .map(|c| c.as_primitive::<UInt8Type>())
        };
        let (Some(severity), Some(score)) = (byte("severity"), byte("score")) else {
            continue;
        };
        let rules = batch.column_by_name("rules").map(|c| c.as_list::<i32>());
        let findings = batch
            .column_by_name("finding_ids")
            .map(|c| c.as_list::<i32>());
        for row in 0..batch.num_rows() {
            let listed = |list: Option<&arrow::array::ListArray>| {
                list.map(|l| {
                    let values = l.value(row);
                    let values = values.as_string::<i32>();
                    (0..values.len())
                        .map(|i| values.value(i).to_owned())
                        .collect::<Vec<_>>()
                })
                .unwrap_or_default()
            };
            writeln!(out, "{}", title.value(row))?;
            writeln!(
                out,
                "  {}  severity {}  score {}  {} {}  rules: {}",
                id.value(row),
                severity.value(row),
                score.value(row),
                listed(findings).len(),
                if listed(findings).len() == 1 {
                    "finding"
                } else {
                    "findings"
                },
                listed(rules).join(", ")
            )?;
            for line in narrative.value(row).lines() {
                writeln!(out, "  {line}")?;
            }
            writeln!(out)?;
            count += 1;
        }
    }
    let noun = if count == 1 { "incident" } else { "incidents" };
    writeln!(out, "{count} {noun}")
}
