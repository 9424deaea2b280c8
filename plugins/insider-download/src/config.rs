//! The detector's settings and their defaults.

use palisade_sdk::{Description, Error, Settings};

pub(crate) const WINDOW_HOURS: &str = "window_hours";
pub(crate) const DEPARTED_USERS: &str = "departed_users";
pub(crate) const SENSITIVE_WORDS: &str = "sensitive_words";
pub(crate) const FACTOR: &str = "volume_factor";
pub(crate) const MIN_DOWNLOADS: &str = "min_downloads";
pub(crate) const BASELINE_HOURS: &str = "baseline_hours";
pub(crate) const MAX_PLACES: &str = "max_places";
pub(crate) const MAX_SHARED_FILES: &str = "max_shared_files";

const DEFAULT_SENSITIVE_WORDS: &str =
    "confidential, sensitive, restricted, secret, salary, payroll, financials, passport";

/// Declares the settings on `description`.
pub(crate) fn declare(description: Description) -> Description {
    palisade_sdk::logins::declare_learning(description)
        .setting(
            WINDOW_HOURS,
            "24",
            "Hours after a login from a never-seen address or country during which \
             downloading a sensitive or externally shared file is reported.",
        )
        .setting(
            DEPARTED_USERS,
            "",
            "Accounts that left the organisation: the contents of a departed-users CSV \
             (one account per line or comma-separated; the first column of each line is \
             read, a header line without `@` is skipped). A `YYYY-MM-DD` date on an \
             account's line is its last working day: only later activity is reported.",
        )
        .setting(
            SENSITIVE_WORDS,
            DEFAULT_SENSITIVE_WORDS,
            "Comma-separated words that mark a file name as sensitive (ignoring case); a \
             sensitivity label on the event marks it too.",
        )
        .setting(
            FACTOR,
            "10",
            "How many times their baseline of downloads per active hour a user must exceed.",
        )
        .setting(
            MIN_DOWNLOADS,
            "50",
            "The fewest downloads in an hour reported as a bulk download.",
        )
        .setting(
            BASELINE_HOURS,
            "168",
            "Active hours the download baseline averages over.",
        )
        .setting(
            MAX_PLACES,
            "50",
            "Addresses and countries remembered per user, each.",
        )
        .setting(
            MAX_SHARED_FILES,
            "2000",
            "Externally shared files remembered from sharing events (for sources whose \
             downloads do not carry the file's visibility).",
        )
}

/// The parsed settings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    pub window: i64,
    pub learning: i64,
    pub departed: Vec<Departure>,
    pub sensitive_words: Vec<String>,
    pub factor: f64,
    pub min_downloads: u32,
    pub baseline_hours: u32,
    pub max_places: usize,
    pub max_shared_files: usize,
}

impl Config {
    /// Parses the settings.
    ///
    /// # Errors
    ///
    /// When a number does not parse or is out of range.
    pub(crate) fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let hours = settings.get_u32_in(WINDOW_HOURS, 1, 24 * 365)?;
        let factor = settings.get_f64(FACTOR)?;
        if !(factor >= 1.0 && factor.is_finite()) {
            return Err(setting_error(
                FACTOR,
                &factor.to_string(),
                "expected 1 or more",
            ));
        }
        Ok(Config {
            window: i64::from(hours) * 3_600_000_000,
            learning: palisade_sdk::logins::learning_from(settings)?,
            departed: departed_accounts(settings.get_str(DEPARTED_USERS)?),
            sensitive_words: settings
                .get_list(SENSITIVE_WORDS)?
                .into_iter()
                .map(|w| w.to_lowercase())
                .collect(),
            factor,
            min_downloads: settings.get_u32_in(MIN_DOWNLOADS, 1, 1_000_000)?,
            baseline_hours: settings.get_u32_in(BASELINE_HOURS, 1, 100_000)?,
            max_places: settings.get_u32_in(MAX_PLACES, 1, 10_000)? as usize,
            max_shared_files: settings.get_u32_in(MAX_SHARED_FILES, 1, 100_000)? as usize,
        })
    }
}

/// An account that left, and the last day it was still in use.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Departure {
    /// Lower-case account.
    pub account: String,
    /// The end of the last working day (UTC midnight after it), in
    /// microseconds; `None` when the list gives no date.
    pub gone_from: Option<i64>,
}

impl Departure {
    /// Whether activity of `user` at `time` is after the departure.
    pub(crate) fn covers(&self, user: &str, time: i64) -> bool {
        self.account == user && self.gone_from.is_none_or(|from| time >= from)
    }
}

/// The accounts of a departed-users CSV: per line, the first field when
/// it holds an `@`, or every field with an `@` when there are several (a
/// list written on one line), lower case. A `YYYY-MM-DD` field on the line
/// of one account is its last working day: activity up to the end of that
/// day (UTC) is not a departed user's.
fn departed_accounts(text: &str) -> Vec<Departure> {
    let clean = |f: &str| f.trim().trim_matches('"').to_lowercase();
    let mut accounts = Vec::new();
    for line in text.lines() {
        let fields: Vec<String> = line.split([',', ';']).map(clean).collect();
        let with_at = fields.iter().filter(|f| f.contains('@')).count();
        let departure = |account: String, gone_from| Departure { account, gone_from };
        if with_at > 1 {
            accounts.extend(
                fields
                    .into_iter()
                    .filter(|f| f.contains('@'))
                    .map(|a| departure(a, None)),
            );
        } else if let Some(first) = fields.first().filter(|f| f.contains('@')) {
            let last_day = fields.iter().find_map(|f| day_start(f));
            let gone_from = last_day.map(|day| day + 24 * 3_600_000_000);
            accounts.push(departure(first.clone(), gone_from));
        }
    }
    accounts
}

/// Midnight UTC starting the day `YYYY-MM-DD`, in microseconds.
fn day_start(text: &str) -> Option<i64> {
    let mut parts = text.split('-');
    let year: i64 = parts.next()?.parse().ok()?;
    let month: i64 = parts.next()?.parse().ok()?;
    let day: i64 = parts.next()?.parse().ok()?;
    if parts.next().is_some() || !(1..=12).contains(&month) || !(1..=31).contains(&day) {
        return None;
    }
    // Days from the civil date (proleptic Gregorian), Howard Hinnant's
    // algorithm.
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let doy = (153 * ((month + 9) % 12) + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some((era * 146_097 + doe - 719_468) * 86_400_000_000)
}

fn setting_error(name: &str, value: &str, reason: &str) -> Error {
    Error::Setting {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}

#[cfg(test)]
mod tests {
    use super::{day_start, departed_accounts};

    const DAY: i64 = 86_400_000_000;

    fn accounts(text: &str) -> Vec<(String, Option<i64>)> {
        departed_accounts(text)
            .into_iter()
            .map(|d| (d.account, d.gone_from))
            .collect()
    }

    #[test]
    fn departed_accounts_read_csv_text_and_lists() {
        let csv = "email,left_on\nAnn@Example.com,2024-01-31\nbob@example.com\n";
        // 2024-02-01T00:00:00Z is 1,706,745,600 s after the epoch.
        assert_eq!(
            accounts(csv),
            [
                ("ann@example.com".to_owned(), Some(1_706_745_600_000_000)),
                ("bob@example.com".to_owned(), None)
            ]
        );
        assert_eq!(
            accounts("ann@example.com, bob@example.com"),
            [
                ("ann@example.com".to_owned(), None),
                ("bob@example.com".to_owned(), None)
            ]
        );
        assert!(departed_accounts("").is_empty());
    }

    #[test]
    fn a_departure_covers_activity_after_the_last_day_only() {
        let ann = &departed_accounts("ann@example.com,2024-01-31")[0];
        let last_day = day_start("2024-01-31").unwrap();
        assert!(!ann.covers("ann@example.com", last_day + DAY - 1));
        assert!(ann.covers("ann@example.com", last_day + DAY));
        assert!(!ann.covers("bob@example.com", last_day + 2 * DAY));
        assert_eq!(day_start("1970-01-01"), Some(0));
        assert_eq!(day_start("2024-02-30x"), None);
        assert_eq!(day_start("2024-13-01"), None);
    }
}
