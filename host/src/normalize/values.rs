//! Parsing the value formats vendor records share: times, addresses,
//! operation names.

use std::net::{IpAddr, Ipv4Addr};
use std::sync::LazyLock;

use chrono::DateTime;
use chrono::format::{Item, Parsed, StrftimeItems};

/// Time layouts without a zone, all read as UTC: the Management Activity
/// API's `2021-04-26T07:17:10` (with or without fractions), the same with
/// a space, and Log Analytics exports' `4/28/2021, 9:03:21.000 AM`.
const NAIVE_LAYOUTS: [&str; 5] = [
    "%Y-%m-%dT%H:%M:%S%.f",
    "%Y-%m-%d %H:%M:%S%.f",
    "%m/%d/%Y, %I:%M:%S%.f %p",
    "%m/%d/%Y %I:%M:%S%.f %p",
    "%m/%d/%Y %H:%M:%S%.f",
];

/// Parses an audit time to microseconds since the Unix epoch.
///
/// A time with a zone (`Z`, `+02:00`) is converted to UTC; a time without
/// one is UTC, as `CreationTime` is. `None` when no layout fits, or the
/// date does not exist (`4/31/2021`).
pub(crate) fn parse_time(value: &str) -> Option<i64> {
    let value = value.trim();
    if let Some(micros) = parse_iso_fast(value) {
        return Some(micros);
    }
    if let Ok(t) = DateTime::parse_from_rfc3339(value) {
        return Some(t.timestamp_micros());
    }
    let naive = value.strip_suffix('Z').unwrap_or(value);
    naive_layouts().iter().find_map(|items| {
        let mut parsed = Parsed::new();
        chrono::format::parse(&mut parsed, naive, items.iter()).ok()?;
        let time = parsed.to_naive_datetime_with_offset(0).ok()?;
        Some(time.and_utc().timestamp_micros())
    })
}

/// [`NAIVE_LAYOUTS`] parsed once: parsing a layout's text anew for every
/// value made reading a Sentinel export about 8% slower.
fn naive_layouts() -> &'static [Vec<Item<'static>>] {
    static ITEMS: LazyLock<Vec<Vec<Item<'static>>>> = LazyLock::new(|| {
        NAIVE_LAYOUTS
            .iter()
            .map(|layout| {
                StrftimeItems::new(layout)
                    .parse_to_owned()
                    .expect("the layouts are valid")
            })
            .collect()
    });
    &ITEMS
}

/// The common case without chrono's format parser: exactly
/// `YYYY-MM-DDTHH:MM:SS`, optionally followed by `Z`.
fn parse_iso_fast(value: &str) -> Option<i64> {
    let b = value.strip_suffix('Z').unwrap_or(value).as_bytes();
    let separator = matches!(b.get(10), Some(b'T' | b't' | b' '));
    if b.len() != 19 || b[4] != b'-' || b[7] != b'-' || !separator || b[13] != b':' {
        return None;
    }
    if b[16] != b':' {
        return None;
    }
    let num = |at: usize, len: usize| -> Option<u32> {
        b[at..at + len].iter().try_fold(0u32, |n, &d| {
            d.is_ascii_digit().then(|| n * 10 + u32::from(d - b'0'))
        })
    };
    let year = i32::try_from(num(0, 4)?).ok()?;
    let date = chrono::NaiveDate::from_ymd_opt(year, num(5, 2)?, num(8, 2)?)?;
    let time = date.and_hms_opt(num(11, 2)?, num(14, 2)?, num(17, 2)?)?;
    Some(time.and_utc().timestamp_micros())
}

/// The canonical text of a client address, or `None` when it is not one.
///
/// Accepts `1.2.3.4`, `1.2.3.4:port`, `[v6]`, `[v6]:port`, bare v6 and
/// `::ffff:1.2.3.4` (which becomes `1.2.3.4`); the result is the standard
/// compressed lower-case form.
pub(crate) fn canonical_ip(value: &str) -> Option<String> {
    let value = value.trim();
    // Dotted-quad text that parses is already canonical: the parser takes
    // no leading zeros, no fewer than four parts and nothing around them.
    if value.parse::<Ipv4Addr>().is_ok() {
        return Some(value.to_owned());
    }
    let host = if let Some(rest) = value.strip_prefix('[') {
        rest.split_once(']')?.0
    } else if value.parse::<IpAddr>().is_ok() {
        value
    } else {
        match value.rsplit_once(':') {
            Some((host, port)) if !host.contains(':') && port.parse::<u16>().is_ok() => host,
            _ => return None,
        }
    };
    let ip = match host.parse::<IpAddr>().ok()? {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(IpAddr::V6(v6), IpAddr::V4),
        v4 => v4,
    };
    Some(ip.to_string())
}

/// An operation name in lower snake case: `MoveToDeletedItems` becomes
/// `move_to_deleted_items`, `Add member to role.` becomes
/// `add_member_to_role`, `DLPRuleUndo` becomes `dlp_rule_undo`.
pub(crate) fn snake_case(name: &str) -> String {
    let chars: Vec<char> = name.chars().collect();
    let mut out = String::with_capacity(name.len() + 4);
    for (i, &c) in chars.iter().enumerate() {
        if !c.is_ascii_alphanumeric() {
            if !out.is_empty() && !out.ends_with('_') {
                out.push('_');
            }
            continue;
        }
        if c.is_ascii_uppercase() && i > 0 && !out.is_empty() && !out.ends_with('_') {
            let prev = chars[i - 1];
            let next_lower = chars.get(i + 1).is_some_and(char::is_ascii_lowercase);
            if prev.is_ascii_lowercase()
                || prev.is_ascii_digit()
                || (prev.is_ascii_uppercase() && next_lower)
            {
                out.push('_');
            }
        }
        out.push(c.to_ascii_lowercase());
    }
    while out.ends_with('_') {
        out.pop();
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    /// 2021-04-26T07:17:10Z in microseconds.
    const RULE2: i64 = 1_619_421_430_000_000;

    #[test]
    fn times_in_every_layout_parse_as_utc() {
        for text in [
            "2021-04-26T07:17:10",
            "2021-04-26T07:17:10Z",
            "2021-04-26T07:17:10.000Z",
            "2021-04-26T07:17:10.0000000",
            "2021-04-26 07:17:10",
            "2021-04-26t07:17:10",
            "2021-04-26T09:17:10+02:00",
            "4/26/2021, 7:17:10.000 AM",
            "04/26/2021, 07:17:10 AM",
            "4/26/2021 7:17:10 AM",
            "4/26/2021 07:17:10",
        ] {
            assert_eq!(parse_time(text), Some(RULE2), "{text}");
        }
        assert_eq!(
            parse_time("4/28/2021, 2:33:14.000 PM"),
            parse_time("2021-04-28T14:33:14")
        );
        assert_eq!(parse_time("2021-04-26T07:17:10.5"), Some(RULE2 + 500_000));
    }

    #[test]
    fn impossible_or_garbled_times_are_rejected() {
        for text in [
            "4/31/2021, 7:17:10.000 AM",
            "2021-02-30T00:00:00",
            "yesterday",
            "",
            "2021-04-26T25:00:00",
        ] {
            assert_eq!(parse_time(text), None, "{text}");
        }
    }

    #[test]
    fn client_addresses_become_canonical() {
        let cases = [
            ("1.2.3.4", "1.2.3.4"),
            (" 1.2.3.4:443 ", "1.2.3.4"),
            ("175.45.176.99:17362", "175.45.176.99"),
            ("[2603:1036:4:3f::5]:1672", "2603:1036:4:3f::5"),
            (
                "[2a01:110:8068:7:9bf8:aa87:e00a:5f1f]",
                "2a01:110:8068:7:9bf8:aa87:e00a:5f1f",
            ),
            ("2A01:0110:8068::1", "2a01:110:8068::1"),
            ("::ffff:10.0.0.1", "10.0.0.1"),
            ("[::ffff:10.0.0.1]:80", "10.0.0.1"),
            ("::1", "::1"),
        ];
        for (text, want) in cases {
            assert_eq!(canonical_ip(text).as_deref(), Some(want), "{text}");
        }
        for bad in [
            "",
            "not-an-ip",
            "1.2.3.4:99999",
            "1.2.3",
            "[::1",
            "fe80::1%eth0",
        ] {
            assert_eq!(canonical_ip(bad), None, "{bad}");
        }
    }

    #[test]
    fn operation_names_become_snake_case() {
        let cases = [
            ("MoveToDeletedItems", "move_to_deleted_items"),
            ("Add member to role.", "add_member_to_role"),
            ("Set-SyncUser", "set_sync_user"),
            ("DLPRuleUndo", "dlp_rule_undo"),
            ("PageViewed", "page_viewed"),
            (
                "Update StsRefreshTokenValidFrom Timestamp.",
                "update_sts_refresh_token_valid_from_timestamp",
            ),
            ("FileSyncDownloadedFull", "file_sync_downloaded_full"),
            ("Create", "create"),
        ];
        for (name, want) in cases {
            assert_eq!(snake_case(name), want, "{name}");
        }
    }
}
