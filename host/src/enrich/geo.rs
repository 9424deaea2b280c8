//! Location of client addresses from a MaxMind-format database.

use std::net::IpAddr;
use std::path::Path;

use maxminddb::{Reader, geoip2};

use super::EnrichError;
use crate::normalize::Event;

/// A MaxMind-format (`.mmdb`) city or country database, read into memory.
pub struct GeoDatabase {
    reader: Reader<Vec<u8>>,
    kind: String,
}

impl std::fmt::Debug for GeoDatabase {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("GeoDatabase")
            .field("kind", &self.kind)
            .finish_non_exhaustive()
    }
}

/// Where an address is, as far as the database knows.
#[derive(Debug, Clone, PartialEq)]
pub struct Location {
    /// ISO 3166 two-letter country code.
    pub country: Option<String>,
    /// City name, in English.
    pub city: Option<String>,
    /// Latitude in degrees.
    pub lat: Option<f64>,
    /// Longitude in degrees.
    pub lon: Option<f64>,
}

impl GeoDatabase {
    /// Opens the database at `path`.
    ///
    /// # Errors
    ///
    /// [`EnrichError::Geo`] when the file cannot be read or is not a
    /// MaxMind database.
    pub fn open(path: &Path) -> Result<Self, EnrichError> {
        let reader = Reader::open_readfile(path).map_err(|e| EnrichError::Geo {
            path: path.to_owned(),
            message: e.to_string(),
        })?;
        let kind = reader.metadata().database_type.clone();
        tracing::info!(path = %path.display(), kind = %kind, "geo database opened");
        Ok(GeoDatabase { reader, kind })
    }

    /// The location of `ip`; `None` for private and reserved addresses and
    /// for addresses the database does not hold.
    pub fn locate(&self, ip: IpAddr) -> Option<Location> {
        if !is_routable(ip) {
            return None;
        }
        let found = self.reader.lookup(ip).ok()?;
        let city: geoip2::City<'_> = found.decode().ok()??;
        let location = Location {
            country: city.country.iso_code.map(str::to_owned),
            city: city.city.names.english.map(str::to_owned),
            lat: city.location.latitude,
            lon: city.location.longitude,
        };
        let known = location.country.is_some() || location.lat.is_some();
        known.then_some(location)
    }

    /// Fills the geo columns of an event whose log gave no location.
    pub(super) fn enrich(&self, event: &mut Event) {
        let logged = event.src_country.is_some() || event.src_lat.is_some();
        if logged {
            return;
        }
        let Some(ip) = event.src_ip.as_deref().and_then(|ip| ip.parse().ok()) else {
            return;
        };
        if let Some(location) = self.locate(ip) {
            event.src_country = location.country;
            event.src_city = location.city;
            event.src_lat = location.lat;
            event.src_lon = location.lon;
        }
    }
}

/// Whether `ip` is a public unicast address that can have a location: not
/// private, loopback, link-local, shared (CGNAT), documentation,
/// multicast, unspecified or otherwise reserved.
pub fn is_routable(ip: IpAddr) -> bool {
    match ip {
        IpAddr::V4(v4) => {
            let [a, b, ..] = v4.octets();
            let shared = a == 100 && (64..128).contains(&b);
            let reserved = a >= 240 || a == 0;
            !(v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_documentation()
                || v4.is_multicast()
                || v4.is_broadcast()
                || shared
                || reserved)
        }
        IpAddr::V6(v6) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_routable(IpAddr::V4(v4));
            }
            let documentation = v6.segments()[0] == 0x2001 && v6.segments()[1] == 0x0db8;
            !(v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || v6.is_unique_local()
                || v6.is_unicast_link_local()
                || documentation)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn private_and_reserved_addresses_are_not_routable() {
        for ip in [
            "10.0.0.1",
            "172.16.5.4",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "192.0.2.7",
            "224.0.0.1",
            "255.255.255.255",
            "0.0.0.0",
            "::1",
            "fe80::1",
            "fd00::5",
            "2001:db8::abcd",
            "::ffff:10.0.0.1",
        ] {
            assert!(!is_routable(ip.parse().unwrap()), "{ip}");
        }
        for ip in ["81.2.69.142", "193.222.96.91", "2001:218::1", "8.8.8.8"] {
            assert!(is_routable(ip.parse().unwrap()), "{ip}");
        }
    }
}
