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
    description
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
             read, a header line without `@` is skipped).",
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
    pub departed: Vec<String>,
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

/// The accounts of a departed-users CSV: per line, the first field when
/// it holds an `@`, or every field with an `@` when there are several (a
/// list written on one line), lower case.
fn departed_accounts(text: &str) -> Vec<String> {
    let clean = |f: &str| f.trim().trim_matches('"').to_lowercase();
    let mut accounts = Vec::new();
    for line in text.lines() {
        let fields: Vec<String> = line.split([',', ';']).map(clean).collect();
        let with_at = fields.iter().filter(|f| f.contains('@')).count();
        if with_at > 1 {
            accounts.extend(fields.into_iter().filter(|f| f.contains('@')));
        } else if let Some(first) = fields.into_iter().next().filter(|f| f.contains('@')) {
            accounts.push(first);
        }
    }
    accounts
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
    use super::departed_accounts;

    #[test]
    fn departed_accounts_read_csv_text_and_lists() {
        let csv = "email,left_on\nAnn@Example.com,2024-01-31\nbob@example.com,2024-02-01\n";
        assert_eq!(
            departed_accounts(csv),
            ["ann@example.com", "bob@example.com"]
        );
        assert_eq!(
            departed_accounts("ann@example.com, bob@example.com"),
            ["ann@example.com", "bob@example.com"]
        );
        assert!(departed_accounts("").is_empty());
    }
}
