//! Judges a rule change: which hiding behaviours it has, and how severe the
//! combination is.
//!
//! Scoring: each behaviour adds its weight, the sum is capped at 100.
//!
//! | behaviour | weight |
//! |---|---|
//! | forwards or redirects outside the organisation | 50 |
//! | moves to RSS Feeds, RSS Subscriptions or Conversation History | 40 |
//! | moves to Deleted Items; deletes | 35 |
//! | moves to Junk Email or a configured extra folder | 30 |
//! | moves to Archive; marks as read; a name of only punctuation or blanks | 25 |
//! | a name of one or two letters or digits; filters on a configured keyword (amplifier) | 15 |
//! | stops processing other rules (amplifier) | 10 |
//!
//! Amplifiers never raise a finding alone: a rule is reported only when it
//! has a hiding behaviour and its score reaches `min_severity` (default 35).
//! So `StopProcessingRules` alone, or moving to Junk Email alone, is quiet;
//! the "..." rule that moves to RSS Feeds, marks read and stops processing
//! scores 100.

use crate::config::Config;
use crate::rule::{Recipient, RuleChange};

/// Forwarding or redirecting outside the organisation.
const W_FORWARD_OUTSIDE: u8 = 50;
/// Deleting, or moving to Deleted Items.
const W_DELETE: u8 = 35;
/// Marking as read.
const W_MARK_READ: u8 = 25;
/// A name of only punctuation or blanks.
const W_BLANK_NAME: u8 = 25;
/// A name of one or two letters or digits (`a`, `xx`): odd, but also a
/// lazy legitimate name, so it weighs less.
const W_SHORT_NAME: u8 = 15;
/// Filtering on an attacker's keyword.
const W_KEYWORD: u8 = 15;
/// Stopping other rules.
const W_STOP: u8 = 10;
/// Moving to a folder from `extra_hiding_folders`.
const W_EXTRA_FOLDER: u8 = 30;

/// Folders that hide mail, with their weights: rarely opened folders weigh
/// most, folders with common legitimate uses least.
const HIDING_FOLDERS: &[(&str, u8)] = &[
    ("RSS Feeds", 40),
    ("RSS Subscriptions", 40),
    ("Conversation History", 40),
    ("Deleted Items", W_DELETE),
    ("Junk Email", 30),
    ("Archive", 25),
];

/// What a rule change does that hides mail.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Assessment {
    /// How far the rule's name is chosen to go unnoticed.
    pub name: NameSignal,
    /// The hiding folder it moves mail to, as named in the folder list.
    pub folder: Option<(String, u8)>,
    pub delete: bool,
    pub mark_read: bool,
    /// Recipients outside the organisation.
    pub outside: Vec<Recipient>,
    pub stop_processing: bool,
    /// Configured keywords the rule filters on.
    pub keywords: Vec<String>,
}

impl Assessment {
    /// Judges `rule` under `config`.
    pub(crate) fn of(rule: &RuleChange<'_>, config: &Config) -> Self {
        Assessment {
            name: rule.name.map_or(NameSignal::Ordinary, NameSignal::of),
            folder: rule
                .move_to
                .and_then(|f| hiding_folder(f, &config.extra_folders)),
            delete: rule.delete,
            mark_read: rule.mark_read,
            outside: outside_recipients(rule, &config.internal_domains),
            stop_processing: rule.stop_processing,
            keywords: matched_keywords(rule, &config.keywords),
        }
    }

    /// Whether the rule hides mail in any way; amplifiers do not count.
    pub(crate) fn hides(&self) -> bool {
        self.name != NameSignal::Ordinary
            || self.folder.is_some()
            || self.delete
            || self.mark_read
            || !self.outside.is_empty()
    }

    /// The severity of the combination, 0 to 100.
    pub(crate) fn severity(&self) -> u8 {
        let parts = [
            (self.delete, W_DELETE),
            (self.mark_read, W_MARK_READ),
            (!self.outside.is_empty(), W_FORWARD_OUTSIDE),
            (self.stop_processing, W_STOP),
            (!self.keywords.is_empty(), W_KEYWORD),
        ];
        let folder = self.folder.as_ref().map_or(0, |(_, w)| u32::from(*w));
        let name = u32::from(self.name.weight());
        let sum: u32 = parts
            .iter()
            .filter(|(on, _)| *on)
            .map(|(_, w)| u32::from(*w))
            .sum::<u32>()
            + folder
            + name;
        u8::try_from(sum.min(100)).unwrap_or(100)
    }

    /// Short codes of what was seen, for the finding's `reasons` detail.
    pub(crate) fn reasons(&self) -> Vec<&'static str> {
        [
            (!self.outside.is_empty(), "forwards_outside"),
            (self.folder.is_some(), "moves_to_hiding_folder"),
            (self.delete, "deletes"),
            (self.mark_read, "marks_read"),
            (self.name != NameSignal::Ordinary, "hiding_name"),
            (!self.keywords.is_empty(), "keywords"),
            (self.stop_processing, "stops_processing"),
        ]
        .into_iter()
        .filter_map(|(on, code)| on.then_some(code))
        .collect()
    }
}

/// What a rule's name says about hiding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) enum NameSignal {
    /// A name with words in it.
    #[default]
    Ordinary,
    /// One or two letters or digits.
    Short,
    /// Only punctuation, symbols or blanks (`.`, `...`, `  `); zero-width
    /// characters count as blanks.
    Blank,
}

impl NameSignal {
    /// Judges a rule name.
    pub(crate) fn of(name: &str) -> Self {
        let invisible = |c: char| {
            c.is_whitespace() || matches!(c, '\u{200b}'..='\u{200d}' | '\u{2060}' | '\u{feff}')
        };
        let visible: Vec<char> = name.chars().filter(|c| !invisible(*c)).collect();
        if visible.iter().all(|c| !c.is_alphanumeric()) {
            NameSignal::Blank
        } else if visible.len() <= 2 {
            NameSignal::Short
        } else {
            NameSignal::Ordinary
        }
    }

    fn weight(self) -> u8 {
        match self {
            NameSignal::Ordinary => 0,
            NameSignal::Short => W_SHORT_NAME,
            NameSignal::Blank => W_BLANK_NAME,
        }
    }
}

/// The hiding folder `move_to` names, ignoring case and any leading path
/// (`:\Junk Email`, `Inbox\RSS Feeds`), with its weight.
pub(crate) fn hiding_folder(move_to: &str, extra: &[String]) -> Option<(String, u8)> {
    let leaf = move_to.rsplit(['\\', '/']).next().unwrap_or(move_to).trim();
    if let Some((name, weight)) = HIDING_FOLDERS
        .iter()
        .find(|(name, _)| name.eq_ignore_ascii_case(leaf))
    {
        return Some(((*name).to_owned(), *weight));
    }
    let lower = leaf.to_lowercase();
    extra
        .contains(&lower)
        .then(|| (leaf.to_owned(), W_EXTRA_FOLDER))
}

/// Recipients whose domain is not the organisation's. Recipients without
/// an SMTP address name a mailbox Exchange resolves, so they count as
/// inside. With no domains configured, the owner's domain is the
/// organisation's; with no owner either, every address is outside.
fn outside_recipients(rule: &RuleChange<'_>, internal: &[String]) -> Vec<Recipient> {
    let owner_domain = rule
        .owner
        .and_then(|o| o.rsplit_once('@'))
        .map(|(_, d)| d.to_lowercase());
    let inferred: Vec<String> = owner_domain.into_iter().collect();
    let domains = if internal.is_empty() {
        &inferred[..]
    } else {
        internal
    };
    let inside = |domain: &str| {
        domains.iter().any(|d| {
            domain == d
                || domain
                    .strip_suffix(d.as_str())
                    .is_some_and(|p| p.ends_with('.'))
        })
    };
    rule.recipients
        .iter()
        .filter(|r| r.domain().is_some_and(|d| !inside(d)))
        .cloned()
        .collect()
}

/// Configured keywords found at the start of a word of the rule's
/// conditions, ignoring case, in the configured order.
fn matched_keywords(rule: &RuleChange<'_>, keywords: &[String]) -> Vec<String> {
    let words: Vec<String> = rule.conditions.all_words().map(str::to_lowercase).collect();
    keywords
        .iter()
        .filter(|k| words.iter().any(|w| starts_a_word(w, k)))
        .cloned()
        .collect()
}

/// Whether `needle` occurs in `text` where a word starts.
fn starts_a_word(text: &str, needle: &str) -> bool {
    !needle.is_empty()
        && text.match_indices(needle).any(|(at, _)| {
            text[..at]
                .chars()
                .next_back()
                .is_none_or(|c| !c.is_alphanumeric())
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hiding_names() {
        for name in [".", "...", "  ", "..,;", "\u{200b}", "-_-", ""] {
            assert_eq!(NameSignal::of(name), NameSignal::Blank, "{name:?}");
        }
        for name in ["a", "ab", " x.", "1"] {
            assert_eq!(NameSignal::of(name), NameSignal::Short, "{name:?}");
        }
        for name in ["junk", "rule2", "my_rule1", "Newsletters", ".abc"] {
            assert_eq!(NameSignal::of(name), NameSignal::Ordinary, "{name:?}");
        }
    }

    #[test]
    fn hiding_folders_ignore_case_and_path() {
        let f = |s| hiding_folder(s, &["flux rss".to_owned()]).map(|(n, _)| n);
        assert_eq!(f(":\\Junk Email").as_deref(), Some("Junk Email"));
        assert_eq!(f("rss feeds").as_deref(), Some("RSS Feeds"));
        assert_eq!(
            f("Inbox/Conversation History").as_deref(),
            Some("Conversation History")
        );
        assert_eq!(f("Flux RSS").as_deref(), Some("Flux RSS"));
        assert_eq!(f("Newsletters"), None);
    }

    #[test]
    fn keywords_match_at_word_starts() {
        assert!(starts_a_word("do not open", "do not open"));
        assert!(starts_a_word("re: phishing alert", "phish"));
        assert!(!starts_a_word("antiphishing", "phish"));
        assert!(!starts_a_word("x", ""));
    }

    #[test]
    fn severity_grows_with_the_combination_and_caps_at_100() {
        let only_stop = Assessment {
            stop_processing: true,
            ..Assessment::default()
        };
        assert!(!only_stop.hides());
        let story = Assessment {
            name: NameSignal::Blank,
            folder: Some(("RSS Feeds".to_owned(), 40)),
            mark_read: true,
            stop_processing: true,
            ..Assessment::default()
        };
        assert!(story.hides());
        assert_eq!(story.severity(), 100);
        let junk = Assessment {
            folder: Some(("Junk Email".to_owned(), 30)),
            ..Assessment::default()
        };
        assert_eq!(junk.severity(), 30);
    }
}
