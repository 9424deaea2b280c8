//! A test detector that allocates without bound in `detect`, for the
//! host's memory cap: the call must fail as `memory` and the instance must
//! be replaced.

use std::hint::black_box;

use palisade_sdk::{Context, Description, Detector, Error, Events, Findings, Settings};

/// Configures fine, then keeps every megabyte it allocates until the
/// allocator fails (an abort, which traps, once the host refuses to grow
/// its memory).
pub struct Alloc;

impl Detector for Alloc {
    fn describe() -> Description {
        Description::new(
            "alloc",
            env!("CARGO_PKG_VERSION"),
            "Allocates without bound.",
        )
    }

    fn configure(_: &Settings) -> Result<Self, Error> {
        Ok(Alloc)
    }

    fn detect(&mut self, events: &Events, _: &mut Context, _: &mut Findings) -> Result<(), Error> {
        let mut hoard: Vec<Vec<u8>> = Vec::new();
        loop {
            // Touch the block so the pages are really used.
            hoard.push(black_box(vec![events.len() as u8; 1 << 20]));
        }
    }
}

palisade_sdk::export_detector!(Alloc);
