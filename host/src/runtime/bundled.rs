//! The detectors built into the binary from the crates in `plugins/`.

/// A detector component embedded in the binary.
#[derive(Debug, Clone, Copy)]
pub struct BundledDetector {
    /// The crate it was built from (`inbox-rule`).
    pub package: &'static str,
    /// The Wasm component.
    pub component: &'static [u8],
}

/// Every bundled detector, by crate name.
pub fn bundled_detectors() -> &'static [BundledDetector] {
    include!(concat!(env!("OUT_DIR"), "/bundled.rs"))
}
