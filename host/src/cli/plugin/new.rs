//! `palisade plugin new`: writes a working detector project in Rust, Python
//! or JavaScript, with a case file, ready for `palisade plugin build`.
//!
//! Everything the project needs is inside the `palisade` binary: the
//! templates, the WIT contract, and the SDK of the language (Python and
//! JavaScript SDKs as files of the project; the Rust SDK and the schemas
//! crate under `vendor/`), so a project builds on a machine without the
//! Palisade sources.

use std::path::{Path, PathBuf};

use clap::Args;
use palisade_schemas::DETECTOR_WIT;

use super::build::{JCO_VERSION, Language};

/// Arguments of `palisade plugin new`.
#[derive(Debug, Args)]
pub struct NewArgs {
    /// The detector's name, lower-case kebab case (`risky-login`); also the
    /// project folder's name.
    pub name: String,
    /// The language to write it in.
    #[arg(long, value_enum)]
    pub lang: Language,
    /// The folder to create the project in (default: the current folder).
    #[arg(long, value_name = "PARENT", default_value = ".")]
    pub dir: PathBuf,
}

/// Why a project could not be written.
#[derive(Debug, thiserror::Error)]
pub enum NewError {
    /// The name is not lower-case kebab case.
    #[error(
        "`{0}` is not a detector name: use lower-case letters, digits and single \
         hyphens, starting with a letter (such as `risky-login`)"
    )]
    BadName(String),
    /// The project folder exists and is not empty.
    #[error("`{}` already exists and is not empty", .0.display())]
    Exists(PathBuf),
    /// A file could not be written.
    #[error("writing `{}`: {source}", path.display())]
    Write {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
}

/// Files shared by every language: (path in the project, text).
const COMMON: &[(&str, &str)] = &[
    (
        "cases/basic.json",
        include_str!("templates/common/basic.json"),
    ),
    ("README.md", include_str!("templates/common/README.md")),
    ("wit/detector.wit", DETECTOR_WIT),
    (
        ".gitignore",
        "dist/\ntarget/\nnode_modules/\n__pycache__/\n",
    ),
];

const PYTHON: &[(&str, &str)] = &[
    ("app.py", include_str!("templates/python/app.py")),
    (
        "palisade_sdk/__init__.py",
        include_str!("../../../../sdk/python/palisade_sdk/__init__.py"),
    ),
    (
        "palisade_sdk/detector.py",
        include_str!("../../../../sdk/python/palisade_sdk/detector.py"),
    ),
    (
        "palisade_sdk/flatbuf.py",
        include_str!("../../../../sdk/python/palisade_sdk/flatbuf.py"),
    ),
    (
        "palisade_sdk/host.py",
        include_str!("../../../../sdk/python/palisade_sdk/host.py"),
    ),
    (
        "palisade_sdk/ipc.py",
        include_str!("../../../../sdk/python/palisade_sdk/ipc.py"),
    ),
    (
        "palisade_sdk/testing.py",
        include_str!("../../../../sdk/python/palisade_sdk/testing.py"),
    ),
    (
        "palisade_sdk/times.py",
        include_str!("../../../../sdk/python/palisade_sdk/times.py"),
    ),
];

const JS: &[(&str, &str)] = &[
    ("app.js", include_str!("templates/js/app.js")),
    ("package.json", include_str!("templates/js/package.json")),
    (
        "palisade-sdk/index.js",
        include_str!("../../../../sdk/js/palisade-sdk/index.js"),
    ),
    (
        "palisade-sdk/ipc.js",
        include_str!("../../../../sdk/js/palisade-sdk/ipc.js"),
    ),
    (
        "palisade-sdk/times.js",
        include_str!("../../../../sdk/js/palisade-sdk/times.js"),
    ),
];

/// The Rust project; the SDK and schemas crates follow in [`RUST_SDK`].
const RUST: &[(&str, &str)] = &[
    ("Cargo.toml", include_str!("templates/rust/Cargo.toml")),
    ("src/lib.rs", include_str!("templates/rust/lib.rs")),
    ("tests/cases.rs", include_str!("templates/rust/cases.rs")),
    (
        "vendor/palisade-sdk/Cargo.toml",
        include_str!("templates/rust/sdk-Cargo.toml"),
    ),
    (
        "vendor/palisade-schemas/Cargo.toml",
        include_str!("templates/rust/schemas-Cargo.toml"),
    ),
];

/// Copies of `sdk/rust/src` and `schemas/src`, under `vendor/`.
macro_rules! vendored {
    ($($dir:literal / $file:literal),* $(,)?) => {
        &[$((
            concat!("vendor/", $dir, "/src/", $file),
            include_str!(concat!("../../../../", $dir, "/src/", $file)),
        )),*]
    };
}

const RUST_SDK: &[(&str, &str)] = vendored![
    "sdk/rust" / "columns.rs",
    "sdk/rust" / "context.rs",
    "sdk/rust" / "description.rs",
    "sdk/rust" / "error.rs",
    "sdk/rust" / "event.rs",
    "sdk/rust" / "events.rs",
    "sdk/rust" / "findings.rs",
    "sdk/rust" / "guest.rs",
    "sdk/rust" / "ipc.rs",
    "sdk/rust" / "lib.rs",
    "sdk/rust" / "logins.rs",
    "sdk/rust" / "run.rs",
    "sdk/rust" / "settings.rs",
    "sdk/rust" / "state_cache.rs",
    "sdk/rust" / "testing/batch.rs",
    "sdk/rust" / "testing/cases.rs",
    "sdk/rust" / "testing/mod.rs",
    "schemas" / "cases/event.rs",
    "schemas" / "cases/expect.rs",
    "schemas" / "cases/finding.rs",
    "schemas" / "cases/mod.rs",
    "schemas" / "cases/time.rs",
    "schemas" / "columns.rs",
    "schemas" / "lib.rs",
    "schemas" / "reference.rs",
];

/// Where the vendored crates find the WIT: the project's `wit/` folder
/// instead of the repository's `schemas/wit`. (file, text in the
/// repository, text in the project)
const VENDOR_PATHS: &[(&str, &str, &str)] = &[
    (
        "vendor/sdk/rust/src/guest.rs",
        "path: \"../../schemas/wit\"",
        "path: \"../../wit\"",
    ),
    (
        "vendor/schemas/src/lib.rs",
        "include_str!(\"../wit/detector.wit\")",
        "include_str!(\"../../../wit/detector.wit\")",
    ),
];

/// Whether `name` is lower-case kebab case starting with a letter.
fn valid_name(name: &str) -> bool {
    name.starts_with(|c: char| c.is_ascii_lowercase())
        && !name.ends_with('-')
        && !name.contains("--")
        && name
            .chars()
            .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-')
}

/// The project's files, placeholders filled in: (path, text).
pub fn project_files(name: &str, lang: Language) -> Vec<(String, String)> {
    let (language, source, setup, files): (_, _, _, Vec<&(&str, &str)>) = match lang {
        Language::Rust => (
            "Rust",
            "src/lib.rs",
            " Needs `rustup target add wasm32-wasip2`; `cargo test` runs the cases natively.",
            RUST.iter().chain(RUST_SDK).collect(),
        ),
        Language::Python => (
            "Python",
            "app.py",
            " Needs `pip install componentize-py==0.25.1`; \
             `python -m palisade_sdk.testing app:Detector cases/` runs the cases natively.",
            PYTHON.iter().collect(),
        ),
        Language::Js => (
            "JavaScript",
            "app.js",
            " Run `npm install` here first: it installs the pinned jco.",
            JS.iter().collect(),
        ),
    };
    COMMON
        .iter()
        .chain(files)
        .map(|(path, text)| {
            let path = vendor_path(path);
            let mut text = text
                .replace("{{name}}", name)
                .replace("{{crate}}", &name.replace('-', "_"))
                .replace("{{language}}", language)
                .replace("{{source}}", source)
                .replace("{{setup}}", setup)
                .replace("{{jco_version}}", JCO_VERSION);
            for (file, from, to) in VENDOR_PATHS {
                if vendor_path(file) == path {
                    text = text.replace(from, to);
                }
            }
            (path, text)
        })
        .collect()
}

/// `vendor/sdk/rust/...` and `vendor/schemas/...` as crate folders.
fn vendor_path(path: &str) -> String {
    path.replace("vendor/sdk/rust/", "vendor/palisade-sdk/")
        .replace("vendor/schemas/", "vendor/palisade-schemas/")
}

/// Writes the project `parent/name` and returns its folder.
///
/// # Errors
///
/// [`NewError`] for a bad name, an existing non-empty folder, or a file
/// that cannot be written.
pub fn new_project(parent: &Path, name: &str, lang: Language) -> Result<PathBuf, NewError> {
    if !valid_name(name) {
        return Err(NewError::BadName(name.to_owned()));
    }
    let dir = parent.join(name);
    if std::fs::read_dir(&dir).is_ok_and(|mut entries| entries.next().is_some()) {
        return Err(NewError::Exists(dir));
    }
    for (relative, text) in project_files(name, lang) {
        let path = dir.join(&relative);
        let write = |path: &Path| {
            if let Some(folder) = path.parent() {
                std::fs::create_dir_all(folder)?;
            }
            std::fs::write(path, &text)
        };
        write(&path).map_err(|source| NewError::Write { path, source })?;
    }
    Ok(dir)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_are_kebab_case() {
        for good in ["risky-login", "a", "geo2-login"] {
            assert!(valid_name(good), "{good}");
        }
        for bad in ["Risky", "risky_login", "-x", "x-", "a--b", "2fa", ""] {
            assert!(!valid_name(bad), "{bad}");
        }
    }

    #[test]
    fn every_rust_sdk_and_schemas_source_is_vendored() {
        let root = Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
        for crate_dir in ["sdk/rust/src", "schemas/src"] {
            let mut found = Vec::new();
            collect_rs(&root.join(crate_dir), &root.join(crate_dir), &mut found);
            for file in found {
                let vendored = vendor_path(&format!(
                    "vendor/{}/src/{file}",
                    crate_dir.trim_end_matches("/src")
                ));
                assert!(
                    project_files("x", Language::Rust)
                        .iter()
                        .any(|(p, _)| *p == vendored),
                    "{crate_dir}/{file} is not in the Rust template"
                );
            }
        }
    }

    fn collect_rs(base: &Path, dir: &Path, out: &mut Vec<String>) {
        for entry in std::fs::read_dir(dir).unwrap() {
            let path = entry.unwrap().path();
            if path.is_dir() {
                collect_rs(base, &path, out);
            } else if path.extension().is_some_and(|e| e == "rs") {
                let relative = path.strip_prefix(base).unwrap();
                out.push(relative.to_string_lossy().replace('\\', "/"));
            }
        }
    }

    #[test]
    fn vendored_crates_read_the_wit_of_the_project() {
        let files = project_files("risky-login", Language::Rust);
        let text = |path: &str| &files.iter().find(|(p, _)| p == path).unwrap().1;
        assert!(text("vendor/palisade-sdk/src/guest.rs").contains("path: \"../../wit\""));
        assert!(
            text("vendor/palisade-schemas/src/lib.rs")
                .contains("include_str!(\"../../../wit/detector.wit\")")
        );
        assert!(text("tests/cases.rs").contains("risky_login::Plugin"));
    }

    #[test]
    fn python_and_js_projects_carry_their_sdk_and_the_contract() {
        let dir = tempfile::tempdir().unwrap();
        let python = new_project(dir.path(), "risky-login", Language::Python).unwrap();
        for file in [
            "app.py",
            "palisade_sdk/ipc.py",
            "wit/detector.wit",
            "cases/basic.json",
        ] {
            assert!(python.join(file).is_file(), "{file}");
        }
        let app = std::fs::read_to_string(python.join("app.py")).unwrap();
        assert!(app.contains("name = \"risky-login\""));

        let js = new_project(dir.path(), "risky-js", Language::Js).unwrap();
        let package = std::fs::read_to_string(js.join("package.json")).unwrap();
        assert!(
            package.contains("\"@bytecodealliance/jco\": \"1.35.0\""),
            "{package}"
        );
        assert!(js.join("palisade-sdk/index.js").is_file());

        assert!(matches!(
            new_project(dir.path(), "risky-login", Language::Rust),
            Err(NewError::Exists(_))
        ));
    }
}
