//! A test detector that traps on every `detect` call, for the host's
//! failure handling: the call must fail as a trap, the instance must be
//! replaced, and repeated traps must quarantine the detector.

use palisade_sdk::{Context, Description, Detector, Error, Events, Findings, Settings};

/// Configures fine, then logs, writes state key `trapped` and panics (a
/// trap under `panic = "abort"`) in `detect`.
pub struct Trap;

impl Detector for Trap {
    fn describe() -> Description {
        Description::new("trap", env!("CARGO_PKG_VERSION"), "Traps on every batch.")
    }

    fn configure(_: &Settings) -> Result<Self, Error> {
        Ok(Trap)
    }

    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        _: &mut Findings,
    ) -> Result<(), Error> {
        // Log and write state first, so the host can check that neither
        // the state write nor anything else of a trapped call is kept.
        ctx.warn("trap-detector is about to trap");
        ctx.put("trapped", b"yes");
        panic!("trap-detector traps by design ({} events)", events.len());
    }
}

palisade_sdk::export_detector!(Trap);
