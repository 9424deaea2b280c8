//! Filling the columns a log left empty, from tables the organisation
//! keeps.
//!
//! - [`GeoDatabase`]: a MaxMind-format database (`.mmdb`: GeoLite2,
//!   GeoIP2, DB-IP) gives the country, city and coordinates of `src_ip`.
//! - [`AssetTable`]: a CSV of the organisation's devices (address, name,
//!   owner) names the device behind an address and the person who uses it,
//!   so a DNS query from a laptop can be tied to its user.
//!
//! [`Enricher`] applies both to the events of a chunk before they are
//! packed into a batch. What the vendor logged always wins: enrichment
//! only fills columns that are empty. Like normalizers, enrichment is pure
//! once its tables are loaded: a replay gives the same events.

mod assets;
mod geo;

use std::path::{Path, PathBuf};

use thiserror::Error;

pub use assets::{Asset, AssetTable};
pub use geo::{GeoDatabase, Location, is_routable};

use crate::normalize::Event;

/// A table for enrichment could not be loaded.
#[derive(Debug, Error)]
pub enum EnrichError {
    /// The geo database could not be opened or is not in MaxMind format.
    #[error("opening geo database `{}`: {message}", path.display())]
    Geo {
        /// The database file.
        path: PathBuf,
        /// The reader's message.
        message: String,
    },
    /// The asset table could not be read.
    #[error("reading asset table `{}`: {message}", path.display())]
    Assets {
        /// The CSV file.
        path: PathBuf,
        /// What is wrong, naming the row and column.
        message: String,
    },
}

/// The enrichment of one run.
#[derive(Debug, Default)]
pub struct Enricher {
    geo: Option<GeoDatabase>,
    assets: Option<AssetTable>,
}

impl Enricher {
    /// An enricher that changes nothing.
    pub fn none() -> Self {
        Self::default()
    }

    /// Loads the tables named.
    ///
    /// # Errors
    ///
    /// When a table cannot be read; the message names the file (and for the
    /// asset table, the row and column).
    pub fn open(geoip: Option<&Path>, assets: Option<&Path>) -> Result<Self, EnrichError> {
        Ok(Enricher {
            geo: geoip.map(GeoDatabase::open).transpose()?,
            assets: assets.map(AssetTable::load).transpose()?,
        })
    }

    /// Whether this enricher changes anything.
    pub fn is_empty(&self) -> bool {
        self.geo.is_none() && self.assets.is_none()
    }

    /// Fills the empty columns of `events`.
    pub fn enrich(&self, events: &mut [Event]) {
        if self.is_empty() {
            return;
        }
        for event in events {
            if let Some(assets) = &self.assets {
                assets.enrich(event);
            }
            if let Some(geo) = &self.geo {
                geo.enrich(event);
            }
        }
    }
}
