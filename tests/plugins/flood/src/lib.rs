//! A test detector that returns 20 MiB from every `detect`, past the
//! default output limit (16 MiB): the call must fail as `bad_output` before
//! the host decodes any of it.
//!
//! It implements the world's exports directly, below the SDK.

use palisade_sdk::__private::bindings::{self, palisade::detector::types};

/// Describes and configures fine; every `detect` floods.
pub struct Flood;

impl bindings::Guest for Flood {
    fn describe() -> types::Description {
        types::Description {
            name: "flood".into(),
            version: env!("CARGO_PKG_VERSION").into(),
            summary: "Returns a huge output.".into(),
            kinds: Vec::new(),
            columns: Vec::new(),
            settings: Vec::new(),
        }
    }

    fn configure(_: Vec<(String, String)>) -> Result<(), String> {
        Ok(())
    }

    fn detect(_: Vec<u8>) -> Result<Vec<u8>, String> {
        Ok(vec![b'!'; 20 << 20])
    }
}

#[cfg(target_family = "wasm")]
bindings::export!(Flood with_types_in bindings);
