//! A test detector that never returns from `detect`, for the host's time
//! budget: epoch interruption must stop the call and the instance must be
//! replaced.

use std::hint::black_box;

use palisade_sdk::{Context, Description, Detector, Error, Events, Findings, Settings};

/// Configures fine, then writes state key `spinning` and loops forever in
/// `detect`.
pub struct Spin;

impl Detector for Spin {
    fn describe() -> Description {
        Description::new("spin", env!("CARGO_PKG_VERSION"), "Never finishes a batch.")
    }

    fn configure(_: &Settings) -> Result<Self, Error> {
        Ok(Spin)
    }

    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        _: &mut Findings,
    ) -> Result<(), Error> {
        ctx.put("spinning", b"yes");
        // `black_box` keeps every iteration opaque to the optimizer, so this
        // stays a busy loop doing work, as a runaway detector would.
        let mut n = black_box(events.len() as u64);
        loop {
            n = black_box(n.wrapping_add(1));
        }
    }
}

palisade_sdk::export_detector!(Spin);
