//! The `palisade` command line.
//!
//! This is the binary's edge: errors from the library's typed enums are
//! wrapped with `anyhow` context here and printed once, by `main`.

mod config;
mod demo;
mod follow;
mod incidents;
pub mod plugin;
mod run;
mod sql;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use clap::{Parser, Subcommand};

pub use config::Config;
pub use plugin::PluginCommand;

/// Palisade reads security logs, runs sandboxed WebAssembly detectors over
/// them and keeps everything as Parquet history you can query with SQL.
#[derive(Debug, Parser)]
#[command(name = "palisade", version, about, long_about = None)]
pub struct Cli {
    /// What to do.
    #[command(subcommand)]
    pub command: Command,
}

/// The subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Write the example organisation's month of logs (an account takeover
    /// and an insider theft hidden in normal activity), run it through the
    /// bundled detectors and rules, and print the incidents found.
    Demo(demo::DemoArgs),
    /// Normalize log files, run the detectors over them and write history.
    ///
    /// With --once, processes the files and folders given and exits: 0 when
    /// every record was either turned into events or kept as a dead letter.
    /// With --config and without --once, follows the configured inputs
    /// (appended lines, new files) and swaps in new versions of the
    /// components in the plugins folder, until interrupted; then flushes and
    /// exits. A later run resumes each input where this one left it, and
    /// detectors keep what they learned across runs that share a data
    /// folder.
    Run(run::RunArgs),
    /// Run a read-only SQL query over history (tables: events, findings,
    /// dead_letters, detector_runs, incidents; each has a `day` partition
    /// column).
    Sql(sql::SqlArgs),
    /// Print the incidents of a data folder with their stories, latest
    /// version of each, oldest first.
    Incidents(incidents::IncidentsArgs),
    /// List the detectors that would run: bundled ones and those in
    /// --plugins.
    Detectors(run::DetectorsArgs),
    /// Write, build and test detector plugins.
    #[command(subcommand)]
    Plugin(plugin::PluginCommand),
}

/// Runs the command line and returns the process exit code.
///
/// # Errors
///
/// Any error that stops the command, with context naming the step.
pub fn main(cli: Cli) -> anyhow::Result<ExitCode> {
    match cli.command {
        Command::Demo(args) => demo::demo(args),
        Command::Run(args) => run::run(args),
        Command::Sql(args) => sql::sql(args),
        Command::Incidents(args) => incidents::incidents(args),
        Command::Detectors(args) => run::list_detectors(args),
        Command::Plugin(command) => plugin::plugin(command),
    }
}

/// The default folder for the compiled-artifact cache, shared by runs over
/// different data folders: `$XDG_CACHE_HOME/palisade` or
/// `~/.cache/palisade`.
pub fn default_cache_dir() -> Option<PathBuf> {
    std::env::var_os("XDG_CACHE_HOME")
        .map(PathBuf::from)
        .or_else(|| std::env::var_os("HOME").map(|home| PathBuf::from(home).join(".cache")))
        .map(|dir| dir.join("palisade").join("components"))
}

/// Checks that `data_dir` is a history folder (one a run wrote to, or an
/// empty one) before a query over it: another folder, such as the one
/// holding a history folder, would answer every query with nothing.
fn check_history(data_dir: &Path) -> anyhow::Result<()> {
    if !data_dir.is_dir() {
        anyhow::bail!("no history in `{}`: it is not a folder", data_dir.display());
    }
    let tables = crate::store::Table::ALL.map(crate::store::Table::name);
    // A run that read nothing yet leaves only its checkpoint; an empty
    // folder is an empty history.
    let written = |name: &&str| data_dir.join(name).exists();
    let empty = std::fs::read_dir(data_dir).is_ok_and(|mut entries| entries.next().is_none());
    if empty
        || tables
            .iter()
            .chain(&[crate::store::CHECKPOINT_FILE])
            .any(written)
    {
        return Ok(());
    }
    let inside = data_dir.join("history");
    let hint = if inside.is_dir() {
        format!("; `{}` may be the one", inside.display())
    } else {
        String::new()
    };
    anyhow::bail!(
        "no history in `{}`: it has none of the folders a run writes ({}){hint}",
        data_dir.display(),
        tables.join(", ")
    )
}
