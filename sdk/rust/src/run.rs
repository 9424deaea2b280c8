//! The steps shared by the Wasm guest and the native harness, so both go
//! through the same settings resolution and the same Arrow decode and
//! encode.

use crate::context::HostServices;
use crate::{Context, Detector, Error, Events, Findings, Settings};

/// Resolves `given` settings against the detector's declared defaults and
/// configures a detector.
pub(crate) fn configure<D: Detector>(given: Vec<(String, String)>) -> Result<D, Error> {
    let settings = Settings::resolve(&D::describe(), given)?;
    D::configure(&settings)
}

/// Decodes `input`, runs the detector over it and encodes its findings.
pub(crate) fn detect<D: Detector>(
    detector: &mut D,
    input: Vec<u8>,
    host: &mut dyn HostServices,
) -> Result<Vec<u8>, Error> {
    let events = Events::decode_owned(input)?;
    let mut ctx = Context::new(host, events.time_range());
    let mut findings = Findings::new();
    detector.detect(&events, &mut ctx, &mut findings)?;
    findings.encode()
}
