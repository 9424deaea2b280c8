//! The compiled-artifact cache: components compiled once, loaded in a
//! millisecond afterwards.
//!
//! Compiling a component takes about a second and a half (Rust guests) to
//! ten (JavaScript, Python); loading a precompiled copy takes under a
//! millisecond. Entries are keyed by the SHA-256 of the component's bytes and
//! by the engine's compatibility hash, so a new wasmtime version or a changed
//! engine setting never loads a stale artifact.

use std::hash::{Hash, Hasher};
use std::path::{Path, PathBuf};

use wasmtime::Engine;
use wasmtime::component::Component;

use super::error::LoadError;

/// A folder of precompiled components, or none (compile every time).
#[derive(Debug, Clone, Default)]
pub struct ComponentCache {
    dir: Option<PathBuf>,
}

impl ComponentCache {
    /// A cache in `dir`, created when first written.
    pub fn in_dir(dir: impl Into<PathBuf>) -> Self {
        ComponentCache {
            dir: Some(dir.into()),
        }
    }

    /// No cache: every load compiles.
    pub fn disabled() -> Self {
        ComponentCache { dir: None }
    }

    /// The component for `bytes` (whose SHA-256 is `hash`), from the cache
    /// when present, else compiled and stored.
    ///
    /// # Errors
    ///
    /// [`LoadError::Compile`] when the bytes are not a valid component,
    /// [`LoadError::Cache`] when the compiled artifact cannot be written.
    pub fn load(
        &self,
        engine: &Engine,
        bytes: &[u8],
        hash: &str,
        origin: &str,
    ) -> Result<Component, LoadError> {
        let Some(dir) = &self.dir else {
            return compile(engine, bytes, origin);
        };
        let path = dir.join(format!("{hash}-{:016x}.cwasm", compatibility(engine)));
        if path.exists() {
            match deserialize(engine, &path) {
                Ok(component) => {
                    tracing::debug!(path = %path.display(), "loaded precompiled component");
                    return Ok(component);
                }
                Err(e) => tracing::warn!(
                    path = %path.display(),
                    "ignoring unreadable compiled artifact: {e}"
                ),
            }
        }
        let component = compile(engine, bytes, origin)?;
        store(&component, dir, &path)?;
        Ok(component)
    }
}

fn compile(engine: &Engine, bytes: &[u8], origin: &str) -> Result<Component, LoadError> {
    let refuse = |message: String| LoadError::Compile {
        origin: origin.to_owned(),
        message,
    };
    // Binary WebAssembly starts with `\0asm` and a version: 1 for a core
    // module, 0x0d and layer 1 for a component; the text format with `(`.
    let text = bytes.trim_ascii_start().starts_with(b"(");
    if bytes.is_empty() {
        return Err(refuse("the file is empty".to_owned()));
    }
    if !bytes.starts_with(b"\0asm") && !text {
        let start = String::from_utf8_lossy(&bytes[..bytes.len().min(16)]);
        return Err(refuse(format!(
            "not a WebAssembly file: it starts with {:?}, not with the bytes \\0asm",
            start.as_ref()
        )));
    }
    if bytes.get(4..8) == Some(&[1, 0, 0, 0]) {
        return Err(refuse(
            "a core WebAssembly module, not a component: build it for wasm32-wasip2, or \
             make it a component with `wasm-tools component new`"
                .to_owned(),
        ));
    }
    Component::new(engine, bytes).map_err(|e| refuse(format!("{e:#}")))
}

#[expect(
    unsafe_code,
    reason = "deserializing runs machine code; the cache only holds artifacts this host wrote, \
              named by the hash of their source and of the engine configuration"
)]
fn deserialize(engine: &Engine, path: &Path) -> wasmtime::Result<Component> {
    // SAFETY: the file was produced by `Component::serialize` of an engine
    // with the same compatibility hash (part of its name), and written
    // atomically by `store` below.
    unsafe { Component::deserialize_file(engine, path) }
}

fn store(component: &Component, dir: &Path, path: &Path) -> Result<(), LoadError> {
    let cache_err = |source| LoadError::Cache {
        path: path.to_owned(),
        source,
    };
    let bytes = component
        .serialize()
        .map_err(|e| cache_err(std::io::Error::other(format!("{e:#}"))))?;
    std::fs::create_dir_all(dir).map_err(cache_err)?;
    // Write beside, then rename: a reader never sees half a file.
    let partial = path.with_extension(format!("partial-{}", std::process::id()));
    std::fs::write(&partial, bytes).map_err(cache_err)?;
    std::fs::rename(&partial, path).map_err(cache_err)
}

fn compatibility(engine: &Engine) -> u64 {
    // FNV-1a over the engine's own hash input: stable across runs.
    struct Fnv(u64);
    impl Hasher for Fnv {
        fn finish(&self) -> u64 {
            self.0
        }
        fn write(&mut self, bytes: &[u8]) {
            for &b in bytes {
                self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
            }
        }
    }
    let mut hasher = Fnv(0xcbf2_9ce4_8422_2325);
    engine.precompile_compatibility_hash().hash(&mut hasher);
    hasher.finish()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn refusal(bytes: &[u8]) -> String {
        match compile(&Engine::default(), bytes, "detector.wasm") {
            Err(e) => e.to_string(),
            Ok(_) => panic!("{bytes:?} compiled"),
        }
    }

    #[test]
    fn files_that_are_no_component_say_what_they_are_in_one_line() {
        let cases: [(&[u8], &str); 3] = [
            (b"", "the file is empty"),
            (b"MZ\x90\x00", "not a WebAssembly file: it starts with \"MZ"),
            (
                b"\0asm\x01\0\0\0",
                "a core WebAssembly module, not a component",
            ),
        ];
        for (bytes, says) in cases {
            let message = refusal(bytes);
            assert!(message.contains(says), "{message}");
            assert!(message.starts_with("compiling component `detector.wasm`: "));
            assert_eq!(message.lines().count(), 1, "{message}");
        }
    }
}
