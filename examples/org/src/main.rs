//! `example-org`: writes the example organisation's month of logs.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Parser;
use palisade_example_org::{Settings, generate};

/// Writes a month of one organisation's logs in vendor formats, with an
/// account takeover and an insider theft hidden in them, and the ground
/// truth of both.
#[derive(Debug, Parser)]
#[command(name = "example-org", version)]
struct Args {
    /// The folder to write to.
    #[arg(long, default_value = "example-org")]
    out: PathBuf,
    /// People on the staff.
    #[arg(long, default_value_t = Settings::default().users)]
    users: usize,
    /// Devices on the office network (at least one per person).
    #[arg(long, default_value_t = Settings::default().devices)]
    devices: usize,
    /// Days of logs, ending on 2024-03-17.
    #[arg(long, default_value_t = Settings::default().days)]
    days: u32,
    /// Seed of every random choice.
    #[arg(long, default_value_t = Settings::default().seed)]
    seed: u64,
    /// Normal life only, without the attacks.
    #[arg(long)]
    no_attacks: bool,
}

fn main() -> ExitCode {
    let args = Args::parse();
    let settings = Settings {
        users: args.users,
        devices: args.devices,
        days: args.days,
        seed: args.seed,
        attacks: !args.no_attacks,
    };
    match generate(&args.out, &settings, |_, _| {}) {
        Ok(generated) => {
            println!(
                "wrote {} records ({} MB) from {} to {} under {}",
                generated.records,
                generated.bytes / 1_000_000,
                generated.first_day,
                generated.last_day,
                args.out.display()
            );
            ExitCode::SUCCESS
        }
        Err(err) => {
            eprintln!("error: {err}");
            ExitCode::FAILURE
        }
    }
}
