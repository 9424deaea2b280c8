//! The detector's settings, their defaults, and how they are checked.

use palisade_sdk::{Description, Error, Settings};

/// Setting: the organisation's mail domains.
pub(crate) const INTERNAL_DOMAINS: &str = "internal_domains";
/// Setting: words an attacker's rule filters on.
pub(crate) const KEYWORDS: &str = "keywords";
/// Setting: more folder names that hide mail.
pub(crate) const EXTRA_FOLDERS: &str = "extra_hiding_folders";
/// Setting: the lowest severity reported.
pub(crate) const MIN_SEVERITY: &str = "min_severity";

/// Subject and body words that attackers filter so the owner does not see
/// replies, bounces or warnings about the compromise. Matched at the start
/// of a word, ignoring case, so `phish` also matches `phishing`.
const DEFAULT_KEYWORDS: &str = "invoice, payment, wire, transfer, password, do not open, \
     hacked, phish, spam, malware, virus, compromised, suspicious, helpdesk, help desk, \
     it support, bank, fraud, scam";

/// Default lowest severity: a single weak hiding signal (moving to Junk
/// Email or Archive, marking as read) stays quiet; deleting, moving to RSS
/// Feeds or forwarding outside is reported.
const DEFAULT_MIN_SEVERITY: &str = "35";

/// Declares the settings on `description`.
pub(crate) fn declare(description: Description) -> Description {
    description
        .setting(
            INTERNAL_DOMAINS,
            "",
            "Comma-separated mail domains of the organisation, subdomains included; \
             empty means the domain of the rule owner's address.",
        )
        .setting(
            KEYWORDS,
            DEFAULT_KEYWORDS,
            "Comma-separated words that raise severity when a rule filters on them.",
        )
        .setting(
            EXTRA_FOLDERS,
            "",
            "Comma-separated folder names that also hide mail, such as localized names \
             of RSS Feeds or Junk Email.",
        )
        .setting(
            MIN_SEVERITY,
            DEFAULT_MIN_SEVERITY,
            "Rules scored below this severity (0-100) are not reported.",
        )
}

/// The settings, parsed and normalized to lower case.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Config {
    /// Domains without a leading `@` or `.`; empty: infer from the owner.
    pub internal_domains: Vec<String>,
    pub keywords: Vec<String>,
    pub extra_folders: Vec<String>,
    pub min_severity: u8,
}

impl Config {
    /// Parses the settings.
    ///
    /// # Errors
    ///
    /// When `min_severity` is not 0-100 or a domain is not a domain.
    pub(crate) fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let lower = |name| -> Result<Vec<String>, Error> {
            Ok(settings
                .get_list(name)?
                .into_iter()
                .map(|v| v.to_lowercase())
                .collect())
        };
        let internal_domains = lower(INTERNAL_DOMAINS)?
            .into_iter()
            .map(|d| d.trim_start_matches(['@', '.']).to_owned())
            .collect::<Vec<_>>();
        if let Some(bad) = internal_domains
            .iter()
            .find(|d| d.is_empty() || d.contains(['@', ' ']))
        {
            return Err(setting_error(INTERNAL_DOMAINS, bad, "not a mail domain"));
        }
        let min_severity = settings.get_u64(MIN_SEVERITY)?;
        let min_severity = u8::try_from(min_severity)
            .ok()
            .filter(|s| *s <= 100)
            .ok_or_else(|| {
                setting_error(MIN_SEVERITY, &min_severity.to_string(), "expected 0 to 100")
            })?;
        Ok(Config {
            internal_domains,
            keywords: lower(KEYWORDS)?,
            extra_folders: lower(EXTRA_FOLDERS)?,
            min_severity,
        })
    }
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
    use super::*;

    fn config(given: &[(&str, &str)]) -> Result<Config, Error> {
        let description = declare(Description::new("inbox-rule", "0", "t"));
        Config::from_settings(&Settings::resolve(&description, given.iter().copied())?)
    }

    #[test]
    fn defaults_parse() {
        let c = config(&[]).unwrap();
        assert!(c.internal_domains.is_empty());
        assert!(c.keywords.iter().any(|k| k == "do not open"));
        assert_eq!(c.min_severity, 35);
    }

    #[test]
    fn domains_are_normalized_and_checked() {
        let c = config(&[(INTERNAL_DOMAINS, "@Contoso.com, .fabrikam.org")]).unwrap();
        assert_eq!(c.internal_domains, ["contoso.com", "fabrikam.org"]);
        let err = config(&[(INTERNAL_DOMAINS, "a@b.com")]).unwrap_err();
        assert!(err.to_string().contains("internal_domains"), "{err}");
        assert!(config(&[(MIN_SEVERITY, "101")]).is_err());
    }
}
