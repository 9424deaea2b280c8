//! RFC 3339 times for hand-written test events.

/// Microseconds since the Unix epoch of an RFC 3339 time such as
/// `2021-04-26T07:17:10Z`, `2021-04-26 07:17:10.5+02:00`; `None` when the
/// text is not one.
pub(crate) fn parse_time(text: &str) -> Option<i64> {
    let s = text.trim();
    let (date, rest) = (s.get(..10)?, s.get(10..)?);
    let rest = rest.strip_prefix(['T', 't', ' '])?;
    let (clock, offset) = split_offset(rest)?;

    let mut d = date.split('-');
    let (year, month, day) = (num(d.next()?)?, num(d.next()?)?, num(d.next()?)?);
    let (hms, fraction) = clock.split_once('.').unwrap_or((clock, ""));
    let mut t = hms.split(':');
    let (hour, minute, second) = (num(t.next()?)?, num(t.next()?)?, num(t.next()?)?);
    if d.next().is_some() || t.next().is_some() || !(1..=12).contains(&month) || day > 31 {
        return None;
    }
    if hour > 23 || minute > 59 || second > 60 {
        return None;
    }

    let days = days_from_civil(year, month, day);
    let seconds = days * 86_400 + hour * 3_600 + minute * 60 + second - offset;
    Some(seconds * 1_000_000 + micros(fraction)?)
}

/// Splits `HH:MM:SS[.f]` from its `Z` or `±HH:MM` offset, in seconds.
fn split_offset(rest: &str) -> Option<(&str, i64)> {
    if let Some(clock) = rest.strip_suffix(['Z', 'z']) {
        return Some((clock, 0));
    }
    let at = rest.rfind(['+', '-'])?;
    let (clock, offset) = rest.split_at(at);
    let sign = if offset.starts_with('-') { -1 } else { 1 };
    let (h, m) = offset.get(1..)?.split_once(':')?;
    Some((clock, sign * (num(h)? * 3_600 + num(m)? * 60)))
}

fn num(s: &str) -> Option<i64> {
    if s.is_empty() || !s.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    s.parse().ok()
}

/// A fraction of a second as microseconds, digits past the sixth dropped.
fn micros(fraction: &str) -> Option<i64> {
    if fraction.is_empty() {
        return Some(0);
    }
    let digits: String = fraction.chars().take(6).collect();
    Some(num(&digits)? * 10_i64.pow(6 - digits.len() as u32))
}

/// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's
/// `days_from_civil`).
fn days_from_civil(year: i64, month: i64, day: i64) -> i64 {
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

#[cfg(test)]
mod tests {
    use super::parse_time;

    #[test]
    fn parses_utc_offsets_and_fractions() {
        assert_eq!(parse_time("1970-01-01T00:00:00Z"), Some(0));
        assert_eq!(
            parse_time("2021-04-26T07:17:10Z"),
            Some(1_619_421_430_000_000)
        );
        assert_eq!(
            parse_time("2021-04-26 09:17:10.25+02:00"),
            Some(1_619_421_430_250_000)
        );
        assert_eq!(parse_time("1969-12-31T23:59:59Z"), Some(-1_000_000));
    }

    #[test]
    fn rejects_what_is_not_a_time() {
        for bad in [
            "",
            "2021-04-26",
            "2021-13-01T00:00:00Z",
            "yesterday",
            "2021-04-26T7:1",
        ] {
            assert_eq!(parse_time(bad), None, "{bad}");
        }
    }
}
