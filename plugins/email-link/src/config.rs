//! The detector's settings, their defaults, and how they are checked.
//!
//! | setting | default | meaning |
//! |---|---|---|
//! | `learning_days` | 7 | days of event time, from the first event ever seen, during which the detector only learns |
//! | `window_hours` | 24 | how long after the message a click or a visit by the recipient counts |
//! | `novelty_grace_minutes` | 60 | a sender or domain first seen less than this long before a message still counts as new |
//! | `require_new_sender_domain` | true | a sender is new only when its domain is new too; `false`: a new address is enough |
//! | `sharing_services` | docs.google.com, drive.google.com, ... | document-sharing and redirect services (subdomains included) |
//! | `generic_link_texts` | click here, view document, open, ... | link texts that hide where a link goes |

use palisade_sdk::{Description, Error, Settings};

/// Setting: days during which the detector only learns.
pub(crate) const LEARNING_DAYS: &str = "learning_days";
/// Setting: hours after a message during which a click or visit counts.
pub(crate) const WINDOW_HOURS: &str = "window_hours";
/// Setting: minutes a first sighting stays new.
pub(crate) const NOVELTY_GRACE: &str = "novelty_grace_minutes";
/// Setting: whether a new sender also needs a new domain.
pub(crate) const REQUIRE_NEW_DOMAIN: &str = "require_new_sender_domain";
/// Setting: document-sharing and redirect services.
pub(crate) const SERVICES: &str = "sharing_services";
/// Setting: link texts that hide where a link goes.
pub(crate) const GENERIC_TEXTS: &str = "generic_link_texts";

/// Services where anyone can host a document or a redirect, so a link's
/// domain says little about who is behind it. Each entry covers its
/// subdomains (`evil-my.sharepoint.com`).
const DEFAULT_SERVICES: &str = "docs.google.com, drive.google.com, sites.google.com, \
     forms.gle, storage.googleapis.com, sharepoint.com, onedrive.live.com, 1drv.ms, \
     dropbox.com, wetransfer.com, we.tl, box.com, docsend.com, notion.site, \
     bit.ly, t.co, tinyurl.com, ow.ly, is.gd, rebrand.ly, cutt.ly, rb.gy, t.ly, shorturl.at";

/// Texts of lures that name an action instead of a destination. Matched as
/// whole words in a short link text (six words at most), ignoring case and
/// punctuation.
const DEFAULT_GENERIC_TEXTS: &str = "click here, click, here, open, open document, \
     open file, view, view document, view file, view message, view pdf, download, \
     download file, review, review document, access document, shared file, sign in, \
     log in, login, verify, verify now, confirm, secure message, this link, link";

/// One minute in microseconds.
const MINUTE_US: i64 = 60_000_000;

/// The settings, parsed and normalized to lower case; spans in
/// microseconds.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Config {
    pub learning: i64,
    pub window: i64,
    pub grace: i64,
    pub require_new_domain: bool,
    /// Service domains, without a leading `.` or `www.`.
    pub services: Vec<String>,
    /// Generic texts, normalized as link texts are (see `site::words`).
    pub generic_texts: Vec<String>,
}

/// Declares the settings on `description`.
pub(crate) fn declare(description: Description) -> Description {
    description
        .setting(
            LEARNING_DAYS,
            "7",
            "Days of event time, from the first event the detector ever sees, during which \
             it only learns senders and domains and reports nothing.",
        )
        .setting(
            WINDOW_HOURS,
            "24",
            "Hours after a message during which the recipient clicking its link, or the \
             recipient's device reaching the link's domain, is reported.",
        )
        .setting(
            NOVELTY_GRACE,
            "60",
            "Minutes after its first sighting during which a sender or domain still counts \
             as new, so every message of a campaign is reported, not only the first.",
        )
        .setting(
            REQUIRE_NEW_DOMAIN,
            "true",
            "Whether a sender counts as new only when its mail domain is new too; false: \
             a new address at a known domain (or at free mail) is enough.",
        )
        .setting(
            SERVICES,
            DEFAULT_SERVICES,
            "Comma-separated document-sharing and redirect services, subdomains included; \
             a link to one raises severity, and its novelty is judged on the full host.",
        )
        .setting(
            GENERIC_TEXTS,
            DEFAULT_GENERIC_TEXTS,
            "Comma-separated link texts that hide where a link goes; a link behind one \
             raises severity.",
        )
}

impl Config {
    /// Parses the settings.
    ///
    /// # Errors
    ///
    /// When a number is not a whole number or too large, `window_hours` is
    /// 0, a flag is not a boolean, or a service is not a domain.
    pub(crate) fn from_settings(settings: &Settings) -> Result<Self, Error> {
        let services = settings
            .get_list(SERVICES)?
            .into_iter()
            .map(|s| {
                let s = s.to_lowercase();
                let s = s.trim_start_matches('.');
                s.strip_prefix("www.").unwrap_or(s).to_owned()
            })
            .collect::<Vec<_>>();
        if let Some(bad) = services
            .iter()
            .find(|s| s.is_empty() || s.contains(['/', '@', ' ', ':']))
        {
            return Err(setting_error(SERVICES, bad, "not a domain"));
        }
        let window = span(settings, WINDOW_HOURS, 60 * MINUTE_US)?;
        if window == 0 {
            return Err(setting_error(WINDOW_HOURS, "0", "expected at least 1"));
        }
        Ok(Config {
            learning: span(settings, LEARNING_DAYS, 24 * 60 * MINUTE_US)?,
            window,
            grace: span(settings, NOVELTY_GRACE, MINUTE_US)?,
            require_new_domain: settings.get_bool(REQUIRE_NEW_DOMAIN)?,
            services,
            generic_texts: settings
                .get_list(GENERIC_TEXTS)?
                .iter()
                .map(|t| crate::site::words(t))
                .filter(|t| !t.is_empty())
                .collect(),
        })
    }
}

/// A whole-number setting times `unit`, in microseconds; at most ten
/// years, so sums of spans and times cannot overflow.
fn span(settings: &Settings, name: &str, unit: i64) -> Result<i64, Error> {
    const TEN_YEARS: i64 = 3_650 * 24 * 60 * MINUTE_US;
    let value = settings.get_u64(name)?;
    i64::try_from(value)
        .ok()
        .and_then(|v| v.checked_mul(unit))
        .filter(|v| *v <= TEN_YEARS)
        .ok_or_else(|| setting_error(name, &value.to_string(), "too large"))
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
        let description = declare(Description::new("email-link", "0", "t"));
        Config::from_settings(&Settings::resolve(&description, given.iter().copied())?)
    }

    #[test]
    fn defaults_parse() {
        let c = config(&[]).unwrap();
        assert_eq!(c.learning, 7 * 24 * 60 * MINUTE_US);
        assert_eq!(c.window, 24 * 60 * MINUTE_US);
        assert_eq!(c.grace, 60 * MINUTE_US);
        assert!(c.require_new_domain);
        assert!(c.services.iter().any(|s| s == "sharepoint.com"));
        assert!(c.generic_texts.iter().any(|t| t == "click here"));
    }

    #[test]
    fn services_are_normalized_and_checked() {
        let c = config(&[(SERVICES, "www.Dropbox.com, .box.com")]).unwrap();
        assert_eq!(c.services, ["dropbox.com", "box.com"]);
        let err = config(&[(SERVICES, "https://bit.ly/")]).unwrap_err();
        assert!(err.to_string().contains(SERVICES), "{err}");
    }

    #[test]
    fn bad_numbers_name_the_setting() {
        let err = config(&[(WINDOW_HOURS, "0")]).unwrap_err();
        assert!(err.to_string().contains(WINDOW_HOURS), "{err}");
        let err = config(&[(LEARNING_DAYS, "99999999")]).unwrap_err();
        assert!(err.to_string().contains(LEARNING_DAYS), "{err}");
        assert!(config(&[(REQUIRE_NEW_DOMAIN, "maybe")]).is_err());
    }
}
