//! Builds the bundled detectors in `plugins/` to Wasm components and embeds
//! them in the `palisade` binary. Also builds the misbehaving detectors in
//! `tests/plugins/` that the integration tests load from
//! `PALISADE_TEST_PLUGINS`.

use std::fmt::Write;
use std::path::{Path, PathBuf};

fn main() {
    let host = PathBuf::from(std::env::var_os("CARGO_MANIFEST_DIR").expect("set by cargo"));
    let workspace = host.parent().expect("host/ is inside the workspace");
    let plugins = palisade_plugin_build::crates_in(&workspace.join("plugins"));
    let test_plugins = palisade_plugin_build::crates_in(&workspace.join("tests/plugins"));
    let watch = [
        workspace.join("plugins"),
        workspace.join("tests/plugins"),
        workspace.join("sdk/rust"),
        workspace.join("schemas"),
        // The plugin profile and the detectors' dependency versions.
        workspace.join("Cargo.toml"),
        workspace.join("Cargo.lock"),
    ];
    let all: Vec<_> = plugins.iter().chain(&test_plugins).cloned().collect();
    let components = palisade_plugin_build::build(workspace, &all, &watch);
    if let Some(dir) = components.first().and_then(|c| c.parent()) {
        println!("cargo:rustc-env=PALISADE_TEST_PLUGINS={}", path_text(dir));
    }

    let mut table = String::from("&[\n");
    for (krate, component) in plugins.iter().zip(&components) {
        let _ = writeln!(
            table,
            "    BundledDetector {{ package: {:?}, component: include_bytes!({:?}) }},",
            krate.package,
            path_text(component),
        );
    }
    table.push(']');
    let out = PathBuf::from(std::env::var_os("OUT_DIR").expect("set by cargo"));
    std::fs::write(out.join("bundled.rs"), table).expect("writing bundled.rs");
}

fn path_text(path: &Path) -> String {
    path.to_str()
        .unwrap_or_else(|| panic!("non-UTF-8 path {}", path.display()))
        .to_owned()
}
