//! `palisade demo`: the example organisation's month through Palisade, end
//! to end.
//!
//! Writes the organisation's logs (or reuses them when the folder already
//! holds the same organisation), runs them through the bundled detectors
//! and rules into a fresh history, day by day with a progress bar, then
//! prints what the run did, the incidents with their stories, and the
//! commands to explore the result.

use std::fs;
use std::path::{Path, PathBuf};
use std::process::ExitCode;
use std::time::Duration;

use anyhow::Context;
use clap::Args;
use indicatif::{ProgressBar, ProgressStyle};
use palisade_example_org::{Settings, generate, read_ground_truth};

mod truth;

use super::Config;
use super::incidents::print_incidents;
use crate::pipeline::Pipeline;

/// Arguments of `palisade demo`.
#[derive(Debug, Args)]
pub struct DemoArgs {
    /// Where the organisation's logs and the history go.
    #[arg(long, value_name = "DIR", default_value = "palisade-demo")]
    pub dir: PathBuf,
    /// People on the staff.
    #[arg(long, default_value_t = Settings::default().users)]
    pub users: usize,
    /// Devices on the office network (at least one per person).
    #[arg(long, default_value_t = Settings::default().devices)]
    pub devices: usize,
    /// Days of logs, ending on 2024-03-17 (at least 14).
    #[arg(long, default_value_t = Settings::default().days)]
    pub days: u32,
    /// Seed of every random choice: the same seed gives the same month.
    #[arg(long, default_value_t = Settings::default().seed)]
    pub seed: u64,
    /// Normal life only, without the attacks.
    #[arg(long)]
    pub no_attacks: bool,
}

impl DemoArgs {
    fn settings(&self) -> Settings {
        Settings {
            users: self.users,
            devices: self.devices,
            days: self.days,
            seed: self.seed,
            attacks: !self.no_attacks,
        }
    }
}

pub(super) fn demo(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let settings = args.settings();
    prepare_logs(&args.dir, &settings)?;

    let config = Config::load(&args.dir.join("palisade.toml"))?;
    let mut options = config.pipeline_options(None)?;
    options.cache_dir = super::default_cache_dir();
    if options.data_dir.exists() {
        fs::remove_dir_all(&options.data_dir)
            .with_context(|| format!("clearing {}", options.data_dir.display()))?;
    }
    let days = day_folders(&args.dir.join("logs"))?;
    println!(
        "Running the bundled detectors and correlation rules over {} days of logs",
        days.len()
    );
    let mut pipeline = Pipeline::start(&options).context("starting the pipeline")?;
    let bar = bar(
        days.len() as u64,
        "{elapsed:>4} {bar:30} {pos}/{len} days  {msg}",
    );
    for day in &days {
        pipeline
            .process_paths(std::slice::from_ref(day))
            .with_context(|| format!("processing {}", day.display()))?;
        let s = pipeline.summary();
        bar.set_message(format!(
            "{} records, {} findings, {} incident versions",
            s.records_read,
            s.findings.values().sum::<u64>(),
            s.incident_versions
        ));
        bar.inc(1);
    }
    bar.finish_and_clear();
    let summary = pipeline.finish().context("writing history")?;
    print!("{summary}");
    let seconds = summary.elapsed.as_secs_f64().max(1e-3);
    println!(
        "{:.0} events/s end to end; history: {} ({} MB of Parquet for {} MB of logs)\n",
        summary.events as f64 / seconds,
        options.data_dir.display(),
        folder_bytes(&options.data_dir) / 1_000_000,
        folder_bytes(&args.dir.join("logs")) / 1_000_000,
    );
    print_incidents(&options.data_dir)?;
    if let Ok(ground_truth) = read_ground_truth(&args.dir) {
        println!("\n{}", truth::score(&options.data_dir, &ground_truth)?);
    }
    let history = options.data_dir.display();
    let palisade = this_program();
    println!(
        "Explore the result:\n  \
         {palisade} incidents --data-dir {history}\n  \
         {palisade} sql --data-dir {history} \"select time, detector, user, severity, summary from findings order by time\"\n  \
         {palisade} sql --data-dir {history} \"select kind, count(*) as n from events group by kind order by n desc\"\n  \
         {palisade} sql --data-dir {history} \"select time, kind, user, src_country, action from events where src_ip = '193.222.96.91' order by time\"\n\
         The ground truth of the attacks is in {}",
        args.dir.join(palisade_example_org::GROUND_TRUTH).display()
    );
    Ok(summary.exit_code())
}

/// Writes the organisation under `dir` unless it already holds the one of
/// `settings`.
fn prepare_logs(dir: &Path, settings: &Settings) -> anyhow::Result<()> {
    settings.check()?;
    let truth = read_ground_truth(dir).ok();
    let present = truth.as_ref().and_then(|t| t.get("settings").cloned());
    if present == Some(serde_json::to_value(settings)?) {
        // The same organisation, unless its logs were changed since.
        let written = truth.as_ref().and_then(|t| t["bytes"].as_u64());
        if written == Some(folder_bytes(&dir.join("logs"))) {
            println!("Reusing the example organisation in {}", dir.display());
            return Ok(());
        }
        println!(
            "The logs in {} differ from the ones written: writing them again",
            dir.display()
        );
    }
    let logs = dir.join("logs");
    if logs.exists() {
        fs::remove_dir_all(&logs).with_context(|| format!("clearing {}", logs.display()))?;
    }
    println!(
        "Writing the example organisation to {}: {} people, {} devices, {} days",
        dir.display(),
        settings.users,
        settings.devices,
        settings.days
    );
    let bar = bar(
        u64::from(settings.days),
        "{elapsed:>4} {bar:30} {pos}/{len} days",
    );
    let generated = generate(dir, settings, |done, _| bar.set_position(u64::from(done)))
        .context("writing the example organisation")?;
    bar.finish_and_clear();
    println!(
        "Wrote {} records ({} MB) from {} to {}",
        generated.records,
        generated.bytes / 1_000_000,
        generated.first_day,
        generated.last_day
    );
    Ok(())
}

fn bar(len: u64, template: &str) -> ProgressBar {
    let bar = ProgressBar::new(len);
    if let Ok(style) = ProgressStyle::with_template(template) {
        bar.set_style(style);
    }
    bar.enable_steady_tick(Duration::from_millis(250));
    bar
}

/// The day folders under `logs`, in order.
fn day_folders(logs: &Path) -> anyhow::Result<Vec<PathBuf>> {
    let mut days: Vec<PathBuf> = fs::read_dir(logs)
        .with_context(|| format!("reading {}", logs.display()))?
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.is_dir())
        .collect();
    days.sort();
    Ok(days)
}

/// How to run this program again: `palisade` when it was started by that
/// name (from `PATH`), else the path it was started by
/// (`target/release/palisade` under `cargo run`).
fn this_program() -> String {
    let program = std::env::args().next().unwrap_or_default();
    if program.is_empty() || Path::new(&program).file_name() == Some(program.as_ref()) {
        "palisade".to_owned()
    } else {
        program
    }
}

/// Bytes of the files under `dir`.
fn folder_bytes(dir: &Path) -> u64 {
    let Ok(entries) = fs::read_dir(dir) else {
        return 0;
    };
    entries
        .filter_map(Result::ok)
        .map(|entry| match entry.metadata() {
            Ok(m) if m.is_dir() => folder_bytes(&entry.path()),
            Ok(m) => m.len(),
            Err(_) => 0,
        })
        .sum()
}
