//! `palisade sql`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;

use crate::store::{OutputFormat, SqlSession, render};

/// Arguments of `palisade sql`.
#[derive(Debug, Args)]
pub struct SqlArgs {
    /// The data folder a run wrote.
    #[arg(long, value_name = "DIR")]
    pub data_dir: PathBuf,
    /// How to print the result.
    #[arg(long, value_enum, default_value_t)]
    pub format: OutputFormat,
    /// A file holding the statement, such as a correlation rule
    /// (`rules/account_takeover.sql`) to try over history.
    #[arg(long, value_name = "FILE.sql", conflicts_with = "sql")]
    pub file: Option<PathBuf>,
    /// One SQL statement, e.g. "select detector, count(*) from findings
    /// group by detector".
    #[arg(required_unless_present = "file")]
    pub sql: Option<String>,
}

pub(super) fn sql(args: SqlArgs) -> anyhow::Result<ExitCode> {
    super::check_history(&args.data_dir)?;
    let statement = match (&args.file, args.sql) {
        (Some(file), _) => std::fs::read_to_string(file)
            .with_context(|| format!("reading `{}`", file.display()))?,
        (None, Some(sql)) => sql,
        (None, None) => anyhow::bail!("give a statement or --file FILE.sql"),
    };
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .context("starting the query runtime")?;
    let batches = runtime.block_on(async {
        let session = SqlSession::open(&args.data_dir).await?;
        session.query(&statement).await
    })?;
    let stdout = std::io::stdout();
    render(&batches, args.format, &mut stdout.lock())?;
    Ok(ExitCode::SUCCESS)
}
