//! SQL over history with DataFusion.

use std::io::Write;
use std::path::Path;
use std::sync::Arc;

use arrow::array::Array;
use arrow::datatypes::DataType;
use arrow::record_batch::RecordBatch;
use arrow::util::display::{ArrayFormatter, FormatOptions};
use datafusion::datasource::file_format::parquet::ParquetFormat;
use datafusion::datasource::listing::{
    ListingOptions, ListingTable, ListingTableConfig, ListingTableUrl,
};
use datafusion::error::DataFusionError;
use datafusion::execution::context::{SQLOptions, SessionContext};

use super::Table;

/// A query could not be planned or run, or its result not written.
#[derive(Debug, thiserror::Error)]
pub enum QueryError {
    /// A history table could not be registered.
    #[error("opening table `{table}` in `{dir}`: {cause}")]
    Register {
        /// The table.
        table: &'static str,
        /// Its folder.
        dir: String,
        /// DataFusion's message.
        cause: String,
    },
    /// The SQL failed to parse, plan or run: DataFusion's message, which
    /// already includes its causes (kept as text so they are not printed
    /// again as a chain of sources).
    #[error("{0}")]
    Sql(String),
    /// The result could not be written.
    #[error("writing the result: {0}")]
    Output(String),
}

impl From<DataFusionError> for QueryError {
    fn from(e: DataFusionError) -> Self {
        QueryError::Sql(e.strip_backtrace())
    }
}

/// How a query result is printed.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, clap::ValueEnum)]
pub enum OutputFormat {
    /// An aligned text table.
    #[default]
    Table,
    /// CSV with a header row.
    Csv,
    /// One JSON object per row, one per line.
    Json,
}

/// A read-only SQL session over one data folder's history.
pub struct SqlSession {
    ctx: SessionContext,
}

impl SqlSession {
    /// Registers every history table of `data_dir`. A table with no data
    /// yet is registered empty, so queries over it return no rows.
    ///
    /// # Errors
    ///
    /// [`QueryError::Register`] naming the table and folder.
    pub async fn open(data_dir: &Path) -> Result<Self, QueryError> {
        let ctx = SessionContext::new();
        for table in Table::ALL {
            let dir = table.dir(data_dir);
            let register = |e: DataFusionError| QueryError::Register {
                table: table.name(),
                dir: dir.display().to_string(),
                cause: e.strip_backtrace(),
            };
            std::fs::create_dir_all(&dir).map_err(|e| register(DataFusionError::IoError(e)))?;
            let url = ListingTableUrl::parse(format!("{}/", dir.display())).map_err(register)?;
            let options = ListingOptions::new(Arc::new(ParquetFormat::default()))
                .with_file_extension(".parquet")
                .with_table_partition_cols(vec![("day".into(), DataType::Utf8)]);
            let config = ListingTableConfig::new(url)
                .with_listing_options(options)
                .with_schema(table.schema());
            let provider = ListingTable::try_new(config).map_err(register)?;
            ctx.register_table(table.name(), Arc::new(provider))
                .map_err(register)?;
        }
        Ok(SqlSession { ctx })
    }

    /// Runs one read-only statement and collects its result: at least one
    /// batch, empty when no row matched, so the columns are always known.
    ///
    /// # Errors
    ///
    /// [`QueryError::Sql`] with DataFusion's message; statements that would
    /// change anything (DDL, DML, `SET`) are refused.
    pub async fn query(&self, sql: &str) -> Result<Vec<RecordBatch>, QueryError> {
        let read_only = SQLOptions::new()
            .with_allow_ddl(false)
            .with_allow_dml(false)
            .with_allow_statements(false);
        let frame = self.ctx.sql_with_options(sql, read_only).await?;
        let schema = frame.schema().inner().clone();
        let batches = frame.collect().await?;
        if batches.is_empty() {
            return Ok(vec![RecordBatch::new_empty(schema)]);
        }
        Ok(batches)
    }
}

/// Writes `batches` to `out` in `format`.
///
/// # Errors
///
/// [`QueryError::Output`] when writing fails.
pub fn render(
    batches: &[RecordBatch],
    format: OutputFormat,
    out: &mut dyn Write,
) -> Result<(), QueryError> {
    let fail = |e: &dyn std::fmt::Display| QueryError::Output(e.to_string());
    match format {
        OutputFormat::Table => {
            let table =
                arrow::util::pretty::pretty_format_batches(batches).map_err(|e| fail(&e))?;
            writeln!(out, "{table}").map_err(|e| fail(&e))
        }
        OutputFormat::Csv => write_csv(batches, out),
        OutputFormat::Json => {
            let mut writer = arrow::json::LineDelimitedWriter::new(out);
            let refs: Vec<&RecordBatch> = batches.iter().collect();
            writer.write_batches(&refs).map_err(|e| fail(&e))?;
            writer.finish().map_err(|e| fail(&e))
        }
    }
}

/// CSV through the `csv` crate, each cell rendered by Arrow's display
/// formatter so lists, maps and timestamps print as they do in tables.
fn write_csv(batches: &[RecordBatch], out: &mut dyn Write) -> Result<(), QueryError> {
    let fail = |e: &dyn std::fmt::Display| QueryError::Output(e.to_string());
    let mut writer = csv::Writer::from_writer(out);
    let Some(first) = batches.first() else {
        return Ok(());
    };
    writer
        .write_record(first.schema().fields().iter().map(|f| f.name()))
        .map_err(|e| fail(&e))?;
    let options = FormatOptions::default().with_null("");
    for batch in batches {
        let formatters = batch
            .columns()
            .iter()
            .map(|c| ArrayFormatter::try_new(c.as_ref() as &dyn Array, &options))
            .collect::<Result<Vec<_>, _>>()
            .map_err(|e| fail(&e))?;
        for row in 0..batch.num_rows() {
            writer
                .write_record(formatters.iter().map(|f| f.value(row).to_string()))
                .map_err(|e| fail(&e))?;
        }
    }
    writer.flush().map_err(|e| fail(&e))
}
