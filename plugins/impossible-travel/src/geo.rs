//! Where a login came from: its place, the great-circle distance between
//! two places, and which client addresses have no meaningful location.

use std::net::IpAddr;

use palisade_sdk::Event;

/// The mean radius of the Earth, km (IUGG).
const EARTH_RADIUS_KM: f64 = 6371.0088;

/// The location of a login, from the event's geo columns.
#[derive(Debug, Clone, Copy, PartialEq)]
pub(crate) struct Place<'a> {
    /// Latitude and longitude in degrees, when both are present and valid.
    pub coordinates: Option<(f64, f64)>,
    /// ISO 3166 two-letter code, as given (compared ignoring case).
    pub country: Option<&'a str>,
    pub city: Option<&'a str>,
}

impl<'a> Place<'a> {
    /// The place of `event`; `None` when it has neither coordinates nor a
    /// country. Coordinates out of range, and `0, 0` (what some geo sources
    /// give for "unknown"), count as absent.
    pub(crate) fn of(event: &Event<'a>) -> Option<Self> {
        let text = |v: Option<&'a str>| v.map(str::trim).filter(|v| !v.is_empty());
        let coordinates = match (event.src_lat(), event.src_lon()) {
            (Some(lat), Some(lon)) if valid(lat, lon) => Some((lat, lon)),
            _ => None,
        };
        let place = Place {
            coordinates,
            country: text(event.src_country()),
            city: text(event.src_city()),
        };
        (place.coordinates.is_some() || place.country.is_some()).then_some(place)
    }
}

fn valid(lat: f64, lon: f64) -> bool {
    (-90.0..=90.0).contains(&lat) && (-180.0..=180.0).contains(&lon) && (lat, lon) != (0.0, 0.0)
}

/// `City, CC`, or whichever of the two is known, else the coordinates.
pub(crate) fn describe(city: Option<&str>, country: Option<&str>, at: (f64, f64)) -> String {
    match (city, country) {
        (Some(city), Some(country)) => format!("{city}, {country}"),
        (Some(one), None) | (None, Some(one)) => one.to_owned(),
        (None, None) => format!("{:.2}, {:.2}", at.0, at.1),
    }
}

/// The great-circle distance between two points given in degrees, km, by
/// the haversine formula on a sphere (off by at most 0.5% from the
/// ellipsoid, far below geolocation error).
pub(crate) fn distance_km(a: (f64, f64), b: (f64, f64)) -> f64 {
    let (lat1, lat2) = (a.0.to_radians(), b.0.to_radians());
    let dlat = lat2 - lat1;
    let dlon = (b.1 - a.1).to_radians();
    let h = (dlat / 2.0).sin().powi(2) + lat1.cos() * lat2.cos() * (dlon / 2.0).sin().powi(2);
    2.0 * EARTH_RADIUS_KM * h.sqrt().min(1.0).asin()
}

/// Whether `ip` is an address whose location means nothing: private,
/// loopback, link-local, shared (carrier-grade NAT), multicast,
/// unspecified or reserved. A text that is not an address is not such
/// an address (the vendor's location is trusted). The documentation
/// ranges (192.0.2.0/24, 2001:db8::/32, ...) are not skipped: test data
/// uses them with locations attached.
pub(crate) fn is_local_address(ip: &str) -> bool {
    match ip.trim().parse::<IpAddr>() {
        Ok(IpAddr::V4(v4)) => {
            let [a, b, ..] = v4.octets();
            v4.is_private()
                || v4.is_loopback()
                || v4.is_link_local()
                || v4.is_multicast()
                || v4.is_broadcast()
                || v4.is_unspecified()
                || a == 0
                || a >= 240
                || (a == 100 && (64..128).contains(&b))
        }
        Ok(IpAddr::V6(v6)) => {
            if let Some(v4) = v6.to_ipv4_mapped() {
                return is_local_address(&v4.to_string());
            }
            let first = v6.segments()[0];
            v6.is_loopback()
                || v6.is_unspecified()
                || v6.is_multicast()
                || (first & 0xfe00) == 0xfc00
                || (first & 0xffc0) == 0xfe80
        }
        Err(_) => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const LONDON: (f64, f64) = (51.5142, -0.0931);
    const TOKYO: (f64, f64) = (35.6895, 139.6917);
    const LINKOPING: (f64, f64) = (58.4167, 15.6167);

    #[test]
    fn distances_between_real_places() {
        let tokyo = distance_km(LONDON, TOKYO);
        assert!((9_550.0..9_565.0).contains(&tokyo), "{tokyo}");
        // London to Linköping in three hours: about 420 km/h.
        let linkoping = distance_km(LONDON, LINKOPING);
        assert!((1_250.0..1_265.0).contains(&linkoping), "{linkoping}");
        assert!((410.0..430.0).contains(&(linkoping / 3.0)));
        assert_eq!(distance_km(TOKYO, TOKYO), 0.0);
        // Antipodes: half the circumference, without NaN.
        let half = distance_km((0.0, 0.0), (0.0, 180.0));
        assert!((half - std::f64::consts::PI * EARTH_RADIUS_KM).abs() < 1e-6);
    }

    #[test]
    fn local_and_reserved_addresses() {
        for ip in [
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "127.0.0.1",
            "169.254.1.1",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "240.0.0.1",
            "224.0.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:10.0.0.1",
        ] {
            assert!(is_local_address(ip), "{ip}");
        }
        for ip in [
            "81.2.69.142",
            "203.0.113.7",
            "2a02:c7f::1",
            "100.128.0.1",
            "host",
        ] {
            assert!(!is_local_address(ip), "{ip}");
        }
    }

    #[test]
    fn places_are_named_by_what_is_known() {
        assert_eq!(describe(Some("Tokyo"), Some("JP"), TOKYO), "Tokyo, JP");
        assert_eq!(describe(None, Some("JP"), TOKYO), "JP");
        assert_eq!(describe(None, None, TOKYO), "35.69, 139.69");
    }
}
