//! `palisade plugin build`: turns a detector project into a component with
//! its language's own toolchain.
//!
//! The language is read from the project's files: `Cargo.toml` is Rust
//! (cargo, `--target wasm32-wasip2`), `app.py` is Python
//! (`componentize-py`), `package.json` is JavaScript (`jco componentize`).
//! Nothing is installed: a missing tool is an error that says how to
//! install the pinned version.

use std::path::{Path, PathBuf};
use std::process::Command;

use clap::Args;

/// The `componentize-py` release the Python SDK is built and tested with.
pub const COMPONENTIZE_PY_VERSION: &str = "0.25.1";
/// The `@bytecodealliance/jco` release the JavaScript SDK is built with.
pub const JCO_VERSION: &str = "1.35.0";

/// Arguments of `palisade plugin build`.
#[derive(Debug, Args)]
pub struct BuildArgs {
    /// The detector project (default: the current folder).
    #[arg(value_name = "DIR", default_value = ".")]
    pub dir: PathBuf,
    /// Where to write the component (default: DIR/dist/NAME.wasm, NAME
    /// being the project folder's name).
    #[arg(long, short, value_name = "FILE.wasm")]
    pub out: Option<PathBuf>,
}

/// The languages a detector project can be written in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, clap::ValueEnum)]
pub enum Language {
    /// Rust with the `palisade-sdk` crate.
    Rust,
    /// Python with `palisade_sdk`, built by componentize-py.
    Python,
    /// JavaScript with the `palisade-sdk.js` module, built by jco.
    Js,
}

/// Why a project could not be built.
#[derive(Debug, thiserror::Error)]
pub enum BuildError {
    /// The folder holds none of the files that name a language.
    #[error(
        "`{0}` is not a detector project: it has no Cargo.toml (Rust), app.py (Python) \
         or package.json (JavaScript)"
    )]
    NotAProject(PathBuf),
    /// A tool the language needs is not installed.
    #[error("{tool} was not found ({looked}); install it with `{install}`")]
    ToolMissing {
        /// The program.
        tool: &'static str,
        /// Where it was looked for.
        looked: String,
        /// The command that installs the pinned version.
        install: String,
    },
    /// A file the build needs is missing or unreadable.
    #[error("{what} `{}`: {source}", path.display())]
    Io {
        /// What was being done.
        what: &'static str,
        /// The file or folder.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The tool ran and failed; its own output, already printed, says why.
    #[error("{tool} failed ({status}); its messages are above")]
    ToolFailed {
        /// The program.
        tool: String,
        /// How it exited.
        status: std::process::ExitStatus,
    },
    /// cargo built no Wasm component.
    #[error("cargo built no .wasm for `{0}`: is the crate a `cdylib` (crate-type = [\"cdylib\"])?")]
    NoComponent(PathBuf),
}

/// Reads the project's language from its files.
///
/// # Errors
///
/// [`BuildError::NotAProject`] when no language's file is there.
pub fn language_of(dir: &Path) -> Result<Language, BuildError> {
    if dir.join("Cargo.toml").is_file() {
        Ok(Language::Rust)
    } else if dir.join("app.py").is_file() {
        Ok(Language::Python)
    } else if dir.join("package.json").is_file() {
        Ok(Language::Js)
    } else {
        Err(BuildError::NotAProject(dir.to_owned()))
    }
}

/// Builds the project in `dir` and returns where the component was written.
///
/// # Errors
///
/// A [`BuildError`] naming the missing file or tool, or the failed step.
pub fn build(dir: &Path, out: Option<&Path>) -> Result<PathBuf, BuildError> {
    let dir = std::path::absolute(dir).map_err(|source| BuildError::Io {
        what: "resolving",
        path: dir.to_owned(),
        source,
    })?;
    let language = language_of(&dir)?;
    let out = match out {
        Some(out) => std::path::absolute(out).map_err(|source| BuildError::Io {
            what: "resolving",
            path: out.to_owned(),
            source,
        })?,
        None => dir
            .join("dist")
            .join(format!("{}.wasm", project_name(&dir))),
    };
    if let Some(parent) = out.parent() {
        std::fs::create_dir_all(parent).map_err(|source| BuildError::Io {
            what: "creating",
            path: parent.to_owned(),
            source,
        })?;
    }
    match language {
        Language::Rust => build_rust(&dir, &out)?,
        Language::Python => build_python(&dir, &out)?,
        Language::Js => build_js(&dir, &out)?,
    }
    Ok(out)
}

fn project_name(dir: &Path) -> String {
    dir.file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_else(|| "detector".into())
}

fn build_rust(dir: &Path, out: &Path) -> Result<(), BuildError> {
    let cargo = find_on_path("cargo").ok_or_else(|| BuildError::ToolMissing {
        tool: "cargo",
        looked: "on PATH".into(),
        install: "curl https://sh.rustup.rs -sSf | sh, then rustup target add wasm32-wasip2".into(),
    })?;
    let manifest = dir.join("Cargo.toml");
    let output = Command::new(cargo)
        .args(["build", "--release", "--target", "wasm32-wasip2"])
        .args(["--message-format", "json-render-diagnostics"])
        .arg("--manifest-path")
        .arg(&manifest)
        .current_dir(dir)
        .stderr(std::process::Stdio::inherit())
        .output()
        .map_err(|source| BuildError::Io {
            what: "running cargo for",
            path: manifest.clone(),
            source,
        })?;
    if !output.status.success() {
        return Err(BuildError::ToolFailed {
            tool: "cargo build --target wasm32-wasip2".into(),
            status: output.status,
        });
    }
    let built = wasm_artifact(&String::from_utf8_lossy(&output.stdout))
        .ok_or_else(|| BuildError::NoComponent(manifest.clone()))?;
    std::fs::copy(&built, out).map_err(|source| BuildError::Io {
        what: "copying the component to",
        path: out.to_owned(),
        source,
    })?;
    Ok(())
}

/// The last `.wasm` file among cargo's JSON artifact messages.
fn wasm_artifact(messages: &str) -> Option<PathBuf> {
    messages
        .lines()
        .filter_map(|line| serde_json::from_str::<serde_json::Value>(line).ok())
        .filter(|m| m["reason"] == "compiler-artifact")
        .flat_map(|m| {
            m["filenames"]
                .as_array()
                .cloned()
                .unwrap_or_default()
                .into_iter()
                .filter_map(|f| f.as_str().map(PathBuf::from))
        })
        .rfind(|f| f.extension().is_some_and(|e| e == "wasm"))
}

fn build_python(dir: &Path, out: &Path) -> Result<(), BuildError> {
    let tool = find_on_path("componentize-py").ok_or_else(|| BuildError::ToolMissing {
        tool: "componentize-py",
        looked: "on PATH".into(),
        install: format!("pip install componentize-py=={COMPONENTIZE_PY_VERSION}"),
    })?;
    // The SDK is a folder (or a link to one) in the project; componentize-py
    // does not follow links, so its real parent goes on the Python path.
    let sdk = dir.join("palisade_sdk");
    let sdk = sdk.canonicalize().map_err(|source| BuildError::Io {
        what: "finding the Python SDK (`palisade plugin new` writes it) at",
        path: sdk.clone(),
        source,
    })?;
    let sdk_parent = sdk.parent().unwrap_or(dir);
    run(
        Command::new(tool)
            .arg("-d")
            .arg(dir.join("wit"))
            .args(["-w", "detector", "componentize", "app", "-p"])
            .arg(dir)
            .arg("-p")
            .arg(sdk_parent)
            .arg("-o")
            .arg(out)
            .current_dir(dir),
        "componentize-py",
    )
}

fn build_js(dir: &Path, out: &Path) -> Result<(), BuildError> {
    let local = dir.join("node_modules").join(".bin").join("jco");
    let tool = if local.is_file() {
        local
    } else {
        find_on_path("jco").ok_or_else(|| BuildError::ToolMissing {
            tool: "jco",
            looked: format!("in {} or on PATH", local.display()),
            // The project's package.json pins @bytecodealliance/jco.
            install: format!("cd {} && npm install", dir.display()),
        })?
    };
    run(
        Command::new(tool)
            .args([
                "componentize",
                "app.js",
                "--bundle",
                "--disable",
                "http",
                "fetch-event",
            ])
            .arg("--wit")
            .arg(dir.join("wit"))
            .args(["-n", "detector", "-o"])
            .arg(out)
            .current_dir(dir),
        "jco componentize",
    )
}

fn run(command: &mut Command, tool: &str) -> Result<(), BuildError> {
    let status = command.status().map_err(|source| BuildError::Io {
        what: "running",
        path: PathBuf::from(command.get_program()),
        source,
    })?;
    if status.success() {
        Ok(())
    } else {
        Err(BuildError::ToolFailed {
            tool: tool.to_owned(),
            status,
        })
    }
}

/// The first executable named `program` in the folders of `PATH`.
fn find_on_path(program: &str) -> Option<PathBuf> {
    let path = std::env::var_os("PATH")?;
    std::env::split_paths(&path)
        .map(|dir| dir.join(program))
        .find(|candidate| candidate.is_file())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn language_comes_from_the_project_files() {
        let dir = tempfile::tempdir().unwrap();
        assert!(matches!(
            language_of(dir.path()),
            Err(BuildError::NotAProject(_))
        ));
        std::fs::write(dir.path().join("package.json"), "{}").unwrap();
        assert_eq!(language_of(dir.path()).unwrap(), Language::Js);
        std::fs::write(dir.path().join("app.py"), "").unwrap();
        assert_eq!(language_of(dir.path()).unwrap(), Language::Python);
        std::fs::write(dir.path().join("Cargo.toml"), "").unwrap();
        assert_eq!(language_of(dir.path()).unwrap(), Language::Rust);
    }

    #[test]
    fn the_component_is_the_wasm_artifact_cargo_reports() {
        let messages = concat!(
            r#"{"reason":"compiler-artifact","filenames":["/t/libdep.rlib"]}"#,
            "\n",
            r#"{"reason":"compiler-artifact","filenames":["/t/wasm32-wasip2/release/my_detector.wasm"]}"#,
            "\n",
            r#"{"reason":"build-finished","success":true}"#,
        );
        assert_eq!(
            wasm_artifact(messages),
            Some(PathBuf::from("/t/wasm32-wasip2/release/my_detector.wasm"))
        );
        assert_eq!(wasm_artifact(""), None);
    }

    #[test]
    fn a_missing_tool_says_how_to_install_the_pinned_version() {
        let error = BuildError::ToolMissing {
            tool: "componentize-py",
            looked: "on PATH".into(),
            install: format!("pip install componentize-py=={COMPONENTIZE_PY_VERSION}"),
        };
        assert_eq!(
            error.to_string(),
            "componentize-py was not found (on PATH); install it with \
             `pip install componentize-py==0.25.1`"
        );
    }
}
