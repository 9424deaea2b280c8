//! Zeek times: epoch seconds with fractions (`1521911720.865716`), as TSV
//! and JSON lines write them, or ISO 8601 (`2018-03-24T17:15:20.865716Z`),
//! as JSON streaming writes them.
//!
//! Epoch seconds are read from their decimal text, never through `f64`:
//! at today's epoch an `f64` holds about 16 significant digits, so the
//! sixth decimal could round away.

use crate::normalize::values::parse_time;

/// Microseconds since the epoch of a Zeek `ts`; `None` when it is not a
/// time.
pub(crate) fn parse_ts(text: &str) -> Option<i64> {
    let text = text.trim();
    let epoch = text
        .bytes()
        .all(|b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+' | b'e' | b'E'));
    if epoch && !text.is_empty() {
        parse_epoch(text)
    } else {
        parse_time(text)
    }
}

/// Epoch seconds with up to nine decimals to microseconds; decimals past
/// the sixth are dropped. Exponent forms (`1.5e9`, which Zeek does not
/// write) go through `f64`.
fn parse_epoch(text: &str) -> Option<i64> {
    if text.contains(['e', 'E']) {
        let secs: f64 = text.parse().ok()?;
        let micros = (secs * 1e6).round();
        return (micros.is_finite() && micros.abs() < 9e18).then_some(micros as i64);
    }
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let (whole, fraction) = body.split_once('.').unwrap_or((body, ""));
    let digits = |s: &str| s.bytes().all(|b| b.is_ascii_digit());
    if (whole.is_empty() && fraction.is_empty()) || !digits(whole) || !digits(fraction) {
        return None;
    }
    // Twelve digits of seconds is past the year 33000; more could overflow.
    if whole.len() > 12 {
        return None;
    }
    let secs: i64 = if whole.is_empty() {
        0
    } else {
        whole.parse().ok()?
    };
    let mut micros: i64 = 0;
    for i in 0..6 {
        let digit = fraction.as_bytes().get(i).map_or(0, |d| d - b'0');
        micros = micros * 10 + i64::from(digit);
    }
    let total = secs * 1_000_000 + micros;
    Some(if negative { -total } else { total })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn epoch_seconds_keep_every_microsecond() {
        assert_eq!(parse_ts("1521911720.865716"), Some(1_521_911_720_865_716));
        assert_eq!(parse_ts("1588316544.441272"), Some(1_588_316_544_441_272));
        assert_eq!(parse_ts("1588317949.09258"), Some(1_588_317_949_092_580));
        assert_eq!(parse_ts("1588317949"), Some(1_588_317_949_000_000));
        assert_eq!(
            parse_ts("1588317949.123456789"),
            Some(1_588_317_949_123_456)
        );
        assert_eq!(parse_ts("-1.5"), Some(-1_500_000));
        assert_eq!(parse_ts("1.5e9"), Some(1_500_000_000_000_000));
        // Every value of a second's last microseconds survives, which a
        // trip through f64 does not promise.
        for micros in 999_990..1_000_000 {
            let text = format!("1999999999.{micros:06}");
            assert_eq!(parse_ts(&text), Some(1_999_999_999_000_000 + micros));
        }
    }

    #[test]
    fn iso_times_parse_and_garbage_does_not() {
        assert_eq!(
            parse_ts("2018-03-24T17:15:20.865716Z"),
            parse_ts("1521911720.865716")
        );
        for bad in ["", ".", "1.2.3", "12a", "-", "9999999999999.0", "yesterday"] {
            assert_eq!(parse_ts(bad), None, "{bad}");
        }
    }
}
