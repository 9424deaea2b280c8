//! Record builders, one module per product: each returns one record as
//! the product writes it (one line of JSON, or one Zeek row).

pub mod defender;
pub mod entra;
pub mod m365;
pub mod workspace;
pub mod zeek;

use rand::RngExt;
use rand::rngs::StdRng;

/// A random GUID, lower case, as Microsoft's logs write them.
pub fn guid(rng: &mut StdRng) -> String {
    let a: u128 = rng.random();
    let hex = format!("{a:032x}");
    format!(
        "{}-{}-4{}-a{}-{}",
        &hex[0..8],
        &hex[8..12],
        &hex[13..16],
        &hex[17..20],
        &hex[20..32]
    )
}
