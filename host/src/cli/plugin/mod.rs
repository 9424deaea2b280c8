//! `palisade plugin`: the detector author's loop of scaffold, build and
//! test, for Rust, Python and JavaScript detectors.

pub mod build;
mod cases;
pub mod new;
mod test;

use std::process::ExitCode;

use anyhow::Context;
use clap::Subcommand;

pub use test::TestArgs;

/// The subcommands of `palisade plugin`.
#[derive(Debug, Subcommand)]
pub enum PluginCommand {
    /// Write a new detector project (Rust, Python or JavaScript) with a
    /// test case file, ready to build: NAME/ under --dir.
    New(new::NewArgs),
    /// Build a detector project (Rust, Python or JavaScript, read from its
    /// files) into a Wasm component with its language's toolchain. Installs
    /// nothing: a missing tool is an error saying what to install.
    Build(build::BuildArgs),
    /// Run behaviour case files against a detector component in the real
    /// sandbox and report each case as pass or FAIL.
    ///
    /// Each case gets a fresh instance configured with the case's
    /// settings, with the limits, state handling and findings validation of
    /// `palisade run`. CASES are case files (.json) or folders of them; the
    /// format is described in `sdk/README.md`. Exit status: 0 when every
    /// case passes, 1 when one fails, 2 when the component or a case file
    /// cannot be loaded.
    Test(TestArgs),
}

/// Runs a `palisade plugin` subcommand.
///
/// # Errors
///
/// Any error that stops the command, with context naming the step.
pub fn plugin(command: PluginCommand) -> anyhow::Result<ExitCode> {
    match command {
        PluginCommand::New(args) => {
            let dir = new::new_project(&args.dir, &args.name, args.lang)?;
            println!("wrote {}", dir.display());
            if crate::runtime::bundled_detectors()
                .iter()
                .any(|d| d.package == args.name)
            {
                println!(
                    "note: `{}` is the name of a bundled detector; in a plugins folder, this \
                     one replaces it",
                    args.name
                );
            }
            println!(
                "next: palisade plugin build {0} && palisade plugin test {0}/dist/{1}.wasm {0}/cases",
                dir.display(),
                args.name
            );
            Ok(ExitCode::SUCCESS)
        }
        PluginCommand::Build(args) => {
            let out = build::build(&args.dir, args.out.as_deref())
                .with_context(|| format!("building `{}`", args.dir.display()))?;
            println!("wrote {}", out.display());
            Ok(ExitCode::SUCCESS)
        }
        PluginCommand::Test(args) => test::test(args),
    }
}
