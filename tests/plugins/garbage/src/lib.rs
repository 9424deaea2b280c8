//! A test detector that returns bytes that are not an Arrow IPC stream,
//! for the host's output validation: the call must fail as `bad_output`.
//!
//! It implements the world's exports directly, below the SDK, because the
//! SDK only ever returns well-formed findings.

use palisade_sdk::__private::bindings::{self, palisade::detector::types};

/// Describes and configures fine; every `detect` returns text.
pub struct Garbage;

impl bindings::Guest for Garbage {
    fn describe() -> types::Description {
        types::Description {
            name: "garbage".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            summary: "Returns bytes that are not Arrow.".into(),
            kinds: Vec::new(),
            columns: Vec::new(),
            settings: Vec::new(),
        }
    }

    fn configure(_: Vec<(String, String)>) -> Result<(), String> {
        Ok(())
    }

    fn detect(_: Vec<u8>) -> Result<Vec<u8>, String> {
        Ok(b"these findings are not an Arrow stream".to_vec())
    }
}

#[cfg(target_family = "wasm")]
bindings::export!(Garbage with_types_in bindings);
