//! `palisade run` and `palisade detectors`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::sync::Arc;

use anyhow::{Context, bail};
use clap::Args;

use super::config::Config;
use super::follow;
use crate::ingest::{self, Format, IngestError};
use crate::pipeline::{DetectorSet, Pipeline, PipelineOptions};
use crate::runtime::{ComponentCache, DetectorEngine, Limits, MemoryStateStore};
use crate::server::MetricsServer;

/// Arguments of `palisade run`.
#[derive(Debug, Args)]
pub struct RunArgs {
    /// Process the inputs to their end and exit, instead of following them.
    #[arg(long)]
    pub once: bool,
    /// Read every input from its start. By default an input is taken up
    /// where an earlier run into the same data folder left it, so records
    /// are not read twice; with this flag they are, and history holds their
    /// events twice (use a new --data-dir to run detection afresh).
    #[arg(long)]
    pub from_start: bool,
    /// Read every input as this format instead of telling it from the
    /// content: m365-audit-json, m365-audit-csv, azure-diagnostic-json,
    /// azure-sentinel-csv, okta-system-log-json, gws-reports-json, zeek-tsv,
    /// zeek-json, umbrella-dns-csv.
    #[arg(long, value_name = "FORMAT", value_parser = parse_format)]
    pub format: Option<Format>,
    /// A palisade.toml naming the data folder, inputs, plugins and detector
    /// settings.
    #[arg(long, value_name = "FILE")]
    pub config: Option<PathBuf>,
    /// Where history is written (overrides the configuration's data_dir).
    #[arg(long, value_name = "DIR")]
    pub data_dir: Option<PathBuf>,
    /// A folder of detector components (.wasm) to add to the bundled ones; a
    /// component with a bundled detector's name replaces it.
    #[arg(long, value_name = "DIR")]
    pub plugins: Option<PathBuf>,
    /// A MaxMind-format database (.mmdb: GeoLite2, GeoIP2, DB-IP) that
    /// locates client addresses whose log gave no location.
    #[arg(long, value_name = "FILE.mmdb")]
    pub geoip: Option<PathBuf>,
    /// A CSV of the organisation's devices (address, device name, owner)
    /// that names the device and user behind network events.
    #[arg(long, value_name = "FILE.csv")]
    pub assets: Option<PathBuf>,
    /// A folder of correlation rules (.sql) to add to the bundled ones; a
    /// rule with a bundled rule's name replaces it.
    #[arg(long, value_name = "DIR")]
    pub rules: Option<PathBuf>,
    /// Where compiled components are cached [default: ~/.cache/palisade].
    #[arg(long, value_name = "DIR")]
    pub cache_dir: Option<PathBuf>,
    /// Serve `GET /metrics` (Prometheus text format) at this address, such
    /// as 127.0.0.1:9464, while the run lasts.
    #[arg(long, value_name = "ADDR")]
    pub listen: Option<std::net::SocketAddr>,
    /// Log files and folders to read (plain or .gz), in addition to the
    /// configuration's inputs; `-` reads standard input (with --once).
    #[arg(value_name = "PATH")]
    pub paths: Vec<PathBuf>,
}

/// A format name of `--format`.
fn parse_format(name: &str) -> Result<Format, String> {
    name.parse().map_err(|e: IngestError| e.to_string())
}

/// Arguments of `palisade detectors`.
#[derive(Debug, Args)]
pub struct DetectorsArgs {
    /// A folder of detector components (.wasm) to list with the bundled
    /// ones.
    #[arg(long, value_name = "DIR")]
    pub plugins: Option<PathBuf>,
}

pub(super) fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let config = args.config.as_deref().map(Config::load).transpose()?;
    let mut options = match (&config, &args.data_dir) {
        (Some(config), dir) => config.pipeline_options(dir.as_deref())?,
        (None, Some(dir)) => PipelineOptions::new(dir),
        (None, None) => bail!("give --data-dir DIR, or --config FILE naming a data_dir"),
    };
    if args.plugins.is_some() {
        options.plugins_dir.clone_from(&args.plugins);
    }
    if args.rules.is_some() {
        options.rules_dir.clone_from(&args.rules);
    }
    if args.geoip.is_some() {
        options.geoip.clone_from(&args.geoip);
    }
    if args.assets.is_some() {
        options.assets.clone_from(&args.assets);
    }
    options.cache_dir = args.cache_dir.clone().or_else(super::default_cache_dir);
    options.from_start = args.from_start;
    options.format = args.format;

    let mut inputs = config
        .as_ref()
        .map(|c| c.inputs.clone())
        .unwrap_or_default();
    inputs.extend(args.paths.iter().cloned());
    if inputs.is_empty() {
        bail!("nothing to read: give log files or folders, or `inputs` in --config");
    }
    if !args.once && config.is_none() {
        bail!("following inputs needs --config; to process files and exit, add --once");
    }
    if args.once {
        // Checked before anything is written: a mistyped path is not half
        // a run.
        for input in inputs.iter().filter(|i| !ingest::is_stdin(i)) {
            if !input.exists() {
                bail!(
                    "input `{}` does not exist; nothing was read",
                    input.display()
                );
            }
        }
    } else if inputs.iter().any(|i| ingest::is_stdin(i)) {
        bail!("standard input (`-`) is read with --once, not followed");
    }

    let mut pipeline = Pipeline::start(&options).context("starting the pipeline")?;
    let _server = args
        .listen
        .map(|addr| MetricsServer::start(addr, pipeline.metrics()))
        .transpose()
        .context("starting the metrics server")?;
    if args.once {
        pipeline
            .process_paths(&inputs)
            .context("processing inputs")?;
    } else {
        follow::follow(&mut pipeline, &inputs)?;
    }
    let summary = pipeline.finish().context("writing history")?;
    print!("{summary}");
    println!("history: {}", options.data_dir.display());
    Ok(summary.exit_code())
}

pub(super) fn list_detectors(args: DetectorsArgs) -> anyhow::Result<ExitCode> {
    let cache =
        super::default_cache_dir().map_or_else(ComponentCache::disabled, ComponentCache::in_dir);
    let engine = DetectorEngine::new(cache, Limits::default())?;
    let (detectors, errors) = DetectorSet::load(
        &engine,
        args.plugins.as_deref(),
        &Default::default(),
        Arc::new(MemoryStateStore::new()),
        1,
    );
    let mut table = comfy_table::Table::new();
    table.load_preset(comfy_table::presets::NOTHING);
    table.set_header(["name", "version", "reads", "origin", "what it finds"]);
    for detector in detectors.detectors() {
        let d = detector.description();
        let reads = if d.kinds.is_empty() {
            "all events".to_owned()
        } else {
            d.kinds.join(", ")
        };
        table.add_row([&d.name, &d.version, &reads, detector.origin(), &d.summary]);
    }
    println!("{table}");
    for error in &errors {
        eprintln!("not loaded: {error}");
    }
    Ok(if errors.is_empty() {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

#[cfg(test)]
mod tests {
    use clap::CommandFactory;

    use super::*;
    use crate::cli::Cli;

    #[test]
    fn run_help_names_every_format() {
        let mut cli = Cli::command();
        let run = cli.find_subcommand_mut("run").expect("a run subcommand");
        let help = run.render_long_help().to_string();
        let help = help.split_whitespace().collect::<Vec<_>>().join(" ");
        for format in Format::ALL {
            assert!(
                help.contains(format.name()),
                "{} not in\n{help}",
                format.name()
            );
        }
        assert_eq!(parse_format("zeek-tsv"), Ok(Format::ZeekTsv));
        let unknown = parse_format("zeek").unwrap_err();
        assert!(
            unknown.contains("known formats: m365-audit-json"),
            "{unknown}"
        );
    }
}
