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
    // Binary WebAssembly starts with `\0asm`; the text format with `(`.
    let text = bytes.trim_ascii_start().starts_with(b"(");
    if !bytes.starts_with(b"\0asm") && !text {
        let start = String::from_utf8_lossy(&bytes[..bytes.len().min(16)]);
        return Err(LoadError::Compile {
            origin: origin.to_owned(),
            message: format!(
                "not a WebAssembly file: it starts with {:?}, not with the bytes \\0asm",
                start.as_ref()
            ),
        });
    }
    Component::new(engine, bytes).map_err(|e| LoadError::Compile {
        origin: origin.to_owned(),
        message: format!("{e:#}"),
    })
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
