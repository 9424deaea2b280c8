//! The detector's settings and their defaults.

use palisade_sdk::{Description, Error, Settings};

pub(crate) const FACTOR: &str = "factor";
pub(crate) const MIN_MESSAGES: &str = "min_messages";
pub(crate) const MIN_BOUNCES: &str = "min_bounces";
pub(crate) const BASELINE_HOURS: &str = "baseline_hours";
pub(crate) const MAX_RECIPIENTS: &str = "max_recipients";
pub(crate) const INTERNAL_DOMAINS: &str = "internal_domains";
pub(crate) const IGNORE_SENDERS: &str = "ignore_senders";

/// Declares the settings on `description`.
pub(crate) fn declare(description: Description) -> Description {
    description
        .setting(
            FACTOR,
            "10",
            "How many times their baseline (messages or distinct recipients per active \
             hour) a user's hour must exceed.",
        )
        .setting(
            MIN_MESSAGES,
            "100",
            "The fewest messages in an hour reported as a burst.",
        )
        .setting(
            MIN_BOUNCES,
            "20",
            "The fewest bounce-backs in an hour that make a spike: reported on their own \
             and raising a burst's severity.",
        )
        .setting(
            BASELINE_HOURS,
            "168",
            "Active hours the baseline averages over.",
        )
        .setting(
            MAX_RECIPIENTS,
            "1000",
            "Distinct recipients counted per user and hour (the count saturates there).",
        )
        .setting(
            INTERNAL_DOMAINS,
            "",
            "Comma-separated mail domains of the organisation, subdomains included; empty \
             means the sender's own domain.",
        )
        .setting(
            IGNORE_SENDERS,
            "",
            "Comma-separated senders never reported, such as newsletter or ticketing \
             mailboxes.",
        )
}

/// The parsed settings.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Config {
    pub factor: f64,
    pub min_messages: u32,
    pub min_bounces: u32,
    pub baseline_hours: u32,
    pub max_recipients: usize,
    pub internal_domains: Vec<String>,
    pub ignore_senders: Vec<String>,
}

impl Config {
    /// Parses the settings.
    ///
    /// # Errors
    ///
    /// When a number does not parse or is out of range.
    pub(crate) fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let factor = settings.get_f64(FACTOR)?;
        if !(factor >= 1.0 && factor.is_finite()) {
            return Err(setting_error(
                FACTOR,
                &factor.to_string(),
                "expected 1 or more",
            ));
        }
        let lower = |name| -> Result<Vec<String>, Error> {
            Ok(settings
                .get_list(name)?
                .into_iter()
                .map(|v| v.trim_start_matches(['@', '.']).to_lowercase())
                .collect())
        };
        Ok(Config {
            factor,
            min_messages: settings.get_u32_in(MIN_MESSAGES, 1, 10_000_000)?,
            min_bounces: settings.get_u32_in(MIN_BOUNCES, 1, 10_000_000)?,
            baseline_hours: settings.get_u32_in(BASELINE_HOURS, 1, 100_000)?,
            max_recipients: settings.get_u32_in(MAX_RECIPIENTS, 1, 100_000)? as usize,
            internal_domains: lower(INTERNAL_DOMAINS)?,
            ignore_senders: lower(IGNORE_SENDERS)?,
        })
    }

    /// Whether `address` is outside the organisation, judged for `sender`.
    pub(crate) fn is_external(&self, address: &str, sender: &str) -> bool {
        let domain_of = |a: &str| a.rsplit_once('@').map(|(_, d)| d.to_lowercase());
        let Some(domain) = domain_of(address) else {
            return false;
        };
        let inside = |d: &str| domain == d || domain.ends_with(&format!(".{d}"));
        if self.internal_domains.is_empty() {
            domain_of(sender).is_none_or(|d| !inside(&d))
        } else {
            !self.internal_domains.iter().any(|d| inside(d))
        }
    }
}

fn setting_error(name: &str, value: &str, reason: &str) -> Error {
    Error::Setting {
        name: name.to_owned(),
        value: value.to_owned(),
        reason: reason.to_owned(),
    }
}
