//! Builds Rust detector crates of this workspace to Wasm components, from a
//! build script, so `cargo build` and `cargo test` need no extra step.
//!
//! The components are built by a nested `cargo build --target wasm32-wasip2
//! --profile plugin` in a target folder of their own, `plugins/` inside the
//! outer build's target folder: a separate folder avoids waiting on the
//! outer build's lock, and a stable one keeps rebuilds incremental.

use std::path::{Path, PathBuf};
use std::process::Command;

/// The Wasm target detectors are built for.
pub const TARGET: &str = "wasm32-wasip2";

/// The Cargo profile detectors are built with (see the workspace manifest).
pub const PROFILE: &str = "plugin";

/// One detector crate to build.
#[derive(Debug, Clone)]
pub struct PluginCrate {
    /// The package name (`inbox-rule`).
    pub package: String,
    /// The folder holding its `Cargo.toml`.
    pub dir: PathBuf,
}

impl PluginCrate {
    /// The file name of its component (`inbox_rule.wasm`).
    pub fn component_file(&self) -> String {
        format!("{}.wasm", self.package.replace('-', "_"))
    }
}

/// The detector crates directly under `dir` (each folder with a
/// `Cargo.toml`), sorted by name.
///
/// # Panics
///
/// When a manifest cannot be read or names no package: a build script
/// cannot go on without its plugins.
pub fn crates_in(dir: &Path) -> Vec<PluginCrate> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut crates: Vec<PluginCrate> = entries
        .filter_map(Result::ok)
        .map(|entry| entry.path())
        .filter(|path| path.join("Cargo.toml").is_file())
        .map(|dir| PluginCrate {
            package: package_name(&dir.join("Cargo.toml")),
            dir,
        })
        .collect();
    crates.sort_by(|a, b| a.package.cmp(&b.package));
    crates
}

fn package_name(manifest: &Path) -> String {
    let text = std::fs::read_to_string(manifest)
        .unwrap_or_else(|e| panic!("reading {}: {e}", manifest.display()));
    text.lines()
        .skip_while(|line| line.trim() != "[package]")
        .find_map(|line| {
            let (key, value) = line.split_once('=')?;
            (key.trim() == "name").then(|| value.trim().trim_matches('"').to_owned())
        })
        .unwrap_or_else(|| panic!("{} names no package", manifest.display()))
}

/// Builds `crates` and returns the path of each component, in order.
///
/// Tells Cargo to rerun the calling build script when anything under
/// `watch` changes.
///
/// # Panics
///
/// When the nested build fails; its output names the error (a missing
/// `wasm32-wasip2` target is fixed by `rustup target add wasm32-wasip2`).
pub fn build(workspace: &Path, crates: &[PluginCrate], watch: &[PathBuf]) -> Vec<PathBuf> {
    for path in watch {
        println!("cargo:rerun-if-changed={}", path.display());
    }
    println!("cargo:rerun-if-env-changed=PALISADE_PLUGIN_TARGET_DIR");
    if crates.is_empty() {
        return Vec::new();
    }
    ensure_target_installed();
    let target_dir = plugin_target_dir();
    let cargo = std::env::var("CARGO").unwrap_or_else(|_| "cargo".into());
    let mut command = Command::new(cargo);
    command
        .current_dir(workspace)
        .args(["build", "--quiet", "--target", TARGET, "--profile", PROFILE])
        .arg("--target-dir")
        .arg(&target_dir);
    for krate in crates {
        command.args(["-p", &krate.package]);
    }
    // The outer build's settings are for the host target, and a lint
    // wrapper (clippy) must not run on the nested build.
    for var in [
        "CARGO_ENCODED_RUSTFLAGS",
        "RUSTFLAGS",
        "RUSTC_WORKSPACE_WRAPPER",
        "RUSTC_WRAPPER",
        "CARGO_TARGET_DIR",
        "CARGO_BUILD_TARGET",
        "CARGO_PRIMARY_PACKAGE",
    ] {
        command.env_remove(var);
    }
    let status = command
        .status()
        .unwrap_or_else(|e| panic!("running cargo to build detector plugins: {e}"));
    assert!(
        status.success(),
        "building detector plugins to {TARGET} failed (is the target installed? \
         `rustup target add {TARGET}`)"
    );
    let out = target_dir.join(TARGET).join(PROFILE);
    crates
        .iter()
        .map(|c| out.join(c.component_file()))
        .collect()
}

/// Adds the Wasm target to the active toolchain when it lacks it.
///
/// `rust-toolchain.toml` names the target, but rustup only installs the
/// targets of that file along with the toolchain itself: a machine that
/// already had the toolchain has no `wasm32-wasip2` until someone adds it.
/// So a first `cargo build` adds it, saying so; if rustup is absent or
/// fails, the nested build below fails with the command to run.
fn ensure_target_installed() {
    let rustc = std::env::var("RUSTC").unwrap_or_else(|_| "rustc".into());
    let libdir = Command::new(rustc)
        .args(["--print", "target-libdir", "--target", TARGET])
        .output();
    let installed = match libdir {
        Ok(out) if out.status.success() => {
            Path::new(String::from_utf8_lossy(&out.stdout).trim()).is_dir()
        }
        _ => false,
    };
    if installed {
        return;
    }
    println!(
        "cargo:warning=adding the {TARGET} target named in rust-toolchain.toml: \
         rustup target add {TARGET}"
    );
    let added = Command::new("rustup")
        .args(["target", "add", TARGET])
        .status()
        .is_ok_and(|status| status.success());
    if !added {
        println!("cargo:warning=`rustup target add {TARGET}` failed; add the target by hand");
    }
}

/// Where components are built: `PALISADE_PLUGIN_TARGET_DIR`, else
/// `plugins/` in the outer build's target folder.
fn plugin_target_dir() -> PathBuf {
    if let Some(dir) = std::env::var_os("PALISADE_PLUGIN_TARGET_DIR") {
        return PathBuf::from(dir);
    }
    let out_dir =
        PathBuf::from(std::env::var_os("OUT_DIR").expect("OUT_DIR is set for build scripts"));
    // Cargo marks the root of every target folder with CACHEDIR.TAG.
    out_dir
        .ancestors()
        .find(|dir| dir.join("CACHEDIR.TAG").is_file())
        .map_or_else(|| out_dir.join("plugins"), |target| target.join("plugins"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn component_file_uses_underscores() {
        let krate = PluginCrate {
            package: "inbox-rule".into(),
            dir: PathBuf::new(),
        };
        assert_eq!(krate.component_file(), "inbox_rule.wasm");
    }

    #[test]
    fn finds_the_package_name_in_a_manifest() {
        let dir = std::env::temp_dir().join(format!("plugin-build-{}", std::process::id()));
        std::fs::create_dir_all(&dir).unwrap();
        let manifest = dir.join("Cargo.toml");
        std::fs::write(
            &manifest,
            "[package]\nname = \"rare-domain\"\nversion = \"1\"\n",
        )
        .unwrap();
        assert_eq!(package_name(&manifest), "rare-domain");
        std::fs::remove_dir_all(&dir).unwrap();
    }
}
