//! Running rules over the live window with DataFusion.
//!
//! The window's findings and events are registered as in-memory tables
//! named and shaped like history's `findings` and `events` (without the
//! `day` partition column), so a rule's SQL runs unchanged in
//! `palisade sql`.

use std::sync::Arc;

use arrow::array::{Array, AsArray, RecordBatch};
use arrow::compute::{can_cast_types, cast};
use arrow::datatypes::{DataType, Field, Float64Type};
use datafusion::datasource::MemTable;
use datafusion::execution::context::{SQLOptions, SessionContext};
use palisade_schemas::{event_schema, finding_schema};

use super::CorrelateError;
use super::rule::Rule;
use super::window::Window;

/// What a rule returned: one incident candidate.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The rule's name.
    pub rule: String,
    /// What the entity is: user, device, domain or ip.
    pub entity_kind: String,
    /// The entity.
    pub entity: String,
    /// The findings the rule ties together, sorted and distinct.
    pub finding_ids: Vec<String>,
    /// 0 to 100.
    pub score: f64,
}

/// Runs rules on a runtime of its own (the pipeline is synchronous).
pub struct RuleRunner {
    runtime: tokio::runtime::Runtime,
}

impl RuleRunner {
    /// A runner with a single-threaded runtime.
    ///
    /// # Errors
    ///
    /// When the runtime cannot start.
    pub fn new() -> Result<Self, CorrelateError> {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .build()
            .map_err(|e| CorrelateError::Runtime(e.to_string()))?;
        Ok(RuleRunner { runtime })
    }

    /// Runs every rule over the window and returns their candidates, rule
    /// by rule in the order given.
    ///
    /// # Errors
    ///
    /// [`CorrelateError::RuleRun`] naming the first rule that failed to
    /// plan or run, or whose result lacks the candidate columns.
    pub fn run(&self, rules: &[Rule], window: &Window) -> Result<Vec<Candidate>, CorrelateError> {
        let ctx = window_context(window)?;
        let mut candidates = Vec::new();
        for rule in rules {
            let batches =
                self.query(&ctx, &rule.sql)
                    .map_err(|message| CorrelateError::RuleRun {
                        rule: rule.name.clone(),
                        message,
                    })?;
            for batch in &batches {
                candidates.extend(read_candidates(&rule.name, batch).map_err(|message| {
                    CorrelateError::RuleRun {
                        rule: rule.name.clone(),
                        message,
                    }
                })?);
            }
        }
        Ok(candidates)
    }

    /// Parses and plans every rule against the window's tables without
    /// running it: what a new rule must pass before it replaces an old one.
    ///
    /// # Errors
    ///
    /// [`CorrelateError::RuleRun`] naming the first rule that does not
    /// plan, with DataFusion's message.
    pub fn plan(&self, rules: &[Rule], window: &Window) -> Result<(), CorrelateError> {
        let ctx = window_context(window)?;
        let read_only = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        for rule in rules {
            let fail = |message: String| CorrelateError::RuleRun {
                rule: rule.name.clone(),
                message,
            };
            let frame = self
                .runtime
                .block_on(ctx.sql_with_options(&rule.sql, read_only))
                .map_err(|e| fail(e.strip_backtrace()))?;
            for (name, to) in result_columns() {
                let field = frame
                    .schema()
                    .field_with_unqualified_name(name)
                    .map_err(|_| fail(format!("the result has no column `{name}`")))?;
                if !can_cast_types(field.data_type(), &to) {
                    let from = field.data_type();
                    return Err(fail(format!(
                        "column `{name}` is {from}, which cannot be read as {to}"
                    )));
                }
            }
        }
        Ok(())
    }

    /// Runs a future on the runner's runtime.
    pub fn block_on<F: std::future::Future>(&self, future: F) -> F::Output {
        self.runtime.block_on(future)
    }

    /// Runs one read-only statement over the window's tables.
    ///
    /// # Errors
    ///
    /// DataFusion's message when the statement fails.
    pub fn query(&self, ctx: &SessionContext, sql: &str) -> Result<Vec<RecordBatch>, String> {
        let read_only = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        self.runtime
            .block_on(async {
                let frame = ctx.sql_with_options(sql, read_only).await?;
                frame.collect().await
            })
            .map_err(|e| e.to_string())
    }
}

/// A session with the window's `findings` and `events` tables.
///
/// # Errors
///
/// When a table cannot be registered (a batch of another schema).
pub fn window_context(window: &Window) -> Result<SessionContext, CorrelateError> {
    let ctx = SessionContext::new();
    let tables = [
        ("findings", finding_schema(), window.finding_batches()),
        ("events", event_schema(), window.event_batches()),
    ];
    for (name, schema, batches) in tables {
        let table = MemTable::try_new(schema, vec![batches.to_vec()])
            .map_err(|e| CorrelateError::Runtime(format!("registering `{name}`: {e}")))?;
        ctx.register_table(name, Arc::new(table))
            .map_err(|e| CorrelateError::Runtime(format!("registering `{name}`: {e}")))?;
    }
    Ok(ctx)
}

/// The columns a rule returns, with the types they are read as.
fn result_columns() -> [(&'static str, DataType); 4] {
    let list = DataType::List(Arc::new(Field::new("item", DataType::Utf8, true)));
    [
        ("entity_kind", DataType::Utf8),
        ("entity", DataType::Utf8),
        ("finding_ids", list),
        ("score", DataType::Float64),
    ]
}

/// The candidates of one result batch.
fn read_candidates(rule: &str, batch: &RecordBatch) -> Result<Vec<Candidate>, String> {
    let [kinds, entities, ids, scores] = result_columns().map(|(name, to)| {
        let column = batch
            .column_by_name(name)
            .ok_or_else(|| format!("the result has no column `{name}`"))?;
        cast(column, &to).map_err(|e| format!("column `{name}`: {e}"))
    });
    let (kinds, entities, ids, scores) = (kinds?, entities?, ids?, scores?);
    let (kinds, entities) = (kinds.as_string::<i32>(), entities.as_string::<i32>());
    let (ids, scores) = (ids.as_list::<i32>(), scores.as_primitive::<Float64Type>());

    let mut out = Vec::new();
    for row in 0..batch.num_rows() {
        if entities.is_null(row) || ids.is_null(row) {
            continue;
        }
        let row_ids = ids.value(row);
        let mut finding_ids: Vec<String> = row_ids
            .as_string::<i32>()
            .iter()
            .flatten()
            .map(str::to_owned)
            .collect();
        finding_ids.sort();
        finding_ids.dedup();
        if finding_ids.is_empty() {
            continue;
        }
        out.push(Candidate {
            rule: rule.to_owned(),
            entity_kind: if kinds.is_null(row) {
                "user"
            } else {
                kinds.value(row)
            }
            .to_owned(),
            entity: entities.value(row).to_owned(),
            finding_ids,
            score: if scores.is_null(row) {
                50.0
            } else {
                scores.value(row).clamp(0.0, 100.0)
            },
        });
    }
    Ok(out)
}
