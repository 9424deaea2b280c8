//! `palisade plugin`: the detector author's tools.

mod cases;
mod test;

use std::process::ExitCode;

use clap::Subcommand;

pub use test::TestArgs;

/// The subcommands of `palisade plugin`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Run behaviour case files against a detector component in the real
    /// sandbox and report each case as pass or FAIL.
    ///
    /// Each case gets a fresh instance configured with the case's
    /// settings, with the limits, state handling and findings validation of
    /// `palisade run`. CASES are case files (.json) or folders of them; the
    /// format is described in `sdk/README.md`. Exit status: 0 when every case passes, 1 when one fails, 2 when the
    /// component or a case file cannot be loaded.
    Test(TestArgs),
}

pub(super) fn plugin(command: PluginCommand) -> anyhow::Result<ExitCode> {
    match command {
        PluginCommand::Test(args) => test::test(args),
    }
}
