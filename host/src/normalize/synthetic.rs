//! What the synthetic record generators of every format share, for
//! benchmarks and tests.

use std::io::{self, Write};

/// A 64-bit mix of `i` (SplitMix64): the generators' only randomness, so
/// record `i` is always the same.
pub(crate) fn mix(i: u64) -> u64 {
    let mut z = i.wrapping_add(0x9e37_79b9_7f4a_7c15);
    z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
    z ^ (z >> 31)
}

/// Writes `record(0..count)` as lines; returns the bytes written.
///
/// # Errors
///
/// When `out` fails.
pub fn write_lines(
    out: &mut impl Write,
    count: u64,
    record: impl Fn(u64) -> String,
) -> io::Result<u64> {
    let mut bytes = 0;
    for i in 0..count {
        let line = record(i);
        out.write_all(line.as_bytes())?;
        out.write_all(b"\n")?;
        bytes += line.len() as u64 + 1;
    }
    Ok(bytes)
}
