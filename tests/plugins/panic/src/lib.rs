//! A test detector with a bug: it indexes past the end of a list in
//! `detect`, a panic (a trap under `panic = "abort"`) as an honest mistake
//! makes it.

use std::hint::black_box;

use palisade_sdk::{Context, Description, Detector, Error, Events, Findings, Settings};

/// Configures fine, then reads one element past the end of a list.
pub struct Panic;

impl Detector for Panic {
    fn describe() -> Description {
        Description::new("panic", env!("CARGO_PKG_VERSION"), "Panics on a bug.")
    }

    fn configure(_: &Settings) -> Result<Self, Error> {
        Ok(Panic)
    }

    fn detect(&mut self, events: &Events, _: &mut Context, _: &mut Findings) -> Result<(), Error> {
        let seen: Vec<usize> = (0..events.len()).collect();
        let past_the_end = black_box(seen.len());
        let _ = black_box(seen[past_the_end]);
        Ok(())
    }
}

palisade_sdk::export_detector!(Panic);
