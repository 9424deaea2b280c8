//! The `palisade` binary: parses the command line and reports errors.

use std::process::ExitCode;

use clap::Parser;
use tracing_subscriber::EnvFilter;

fn main() -> ExitCode {
    tracing_subscriber::fmt()
        .with_env_filter(
            EnvFilter::try_from_env("PALISADE_LOG")
                .unwrap_or_else(|_| EnvFilter::new("warn,palisade=info")),
        )
        .with_writer(std::io::stderr)
        .init();
    match palisade::cli::main(palisade::cli::Cli::parse()) {
        Ok(code) => code,
        Err(error) => {
            eprintln!("error: {error:#}");
            ExitCode::from(2)
        }
    }
}
