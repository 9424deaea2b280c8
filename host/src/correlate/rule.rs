//! Correlation rules: SQL files with a short header.
//!
//! A rule is a `.sql` file. Its first lines are `-- key: value` comments:
//!
//! ```sql
//! -- name: account_takeover
//! -- title: Account takeover of {entity}
//! -- severity: 90
//! -- window: 72h
//! -- expects: impossible_travel.*, inbox_rule.*
//! select 'user' as entity_kind, user as entity,
//!        array_agg(finding_id) as finding_ids, 80 as score
//! from findings ...
//! ```
//!
//! `name`, `title`, `severity` (0-100) and `window` (`90m`, `72h`, `5d`)
//! are required; other keys (`expects`, `about`) document the rule. The
//! title template may name `{entity}` and `{entity_kind}`.
//!
//! The statement reads `findings` and `events`, the same tables and columns
//! as history, and returns one row per incident candidate with the columns
//! `entity_kind` (user, device, domain, ip), `entity`, `finding_ids` (a list
//! of text) and `score` (a number, 0-100). The statement itself states its
//! time conditions, so it gives the same answer over history in
//! `palisade sql`; the header's `window` is how long the live window keeps
//! findings for it and how long its incidents stay open for appending.
//!
//! The bundled rules live in `rules/` and are compiled into the
//! binary; `--rules DIR` adds the `.sql` files of a folder, a file with a
//! bundled rule's name replacing it.

use std::path::Path;

use super::CorrelateError;

/// The bundled rules: (file name, text).
const BUNDLED: &[(&str, &str)] = &[
    (
        "account_takeover.sql",
        include_str!("../../../rules/account_takeover.sql"),
    ),
    (
        "phishing_wave.sql",
        include_str!("../../../rules/phishing_wave.sql"),
    ),
    (
        "insider_data_theft.sql",
        include_str!("../../../rules/insider_data_theft.sql"),
    ),
];

/// One correlation rule.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Rule {
    /// Unique name, snake case.
    pub name: String,
    /// Title template, with `{entity}` and `{entity_kind}`.
    pub title: String,
    /// 0 to 100.
    pub severity: u8,
    /// How long findings stay correlated, in microseconds.
    pub window: i64,
    /// The SQL statement (the whole file, header comments included).
    pub sql: String,
    /// Where the rule came from: `bundled` or the file's path.
    pub origin: String,
}

impl Rule {
    /// Parses a rule file's text.
    ///
    /// # Errors
    ///
    /// [`CorrelateError::Rule`] naming `origin` when a header key is
    /// missing or its value is bad.
    pub fn parse(text: &str, origin: &str) -> Result<Rule, CorrelateError> {
        let bad = |message: String| CorrelateError::Rule {
            rule: origin.to_owned(),
            message,
        };
        let mut header = std::collections::HashMap::new();
        for line in text.lines().map(str::trim) {
            let Some(comment) = line.strip_prefix("--") else {
                break;
            };
            if let Some((key, value)) = comment.split_once(':') {
                header.insert(key.trim().to_owned(), value.trim().to_owned());
            }
        }
        let field = |key: &str| {
            header
                .get(key)
                .cloned()
                .ok_or_else(|| bad(format!("the header has no `{key}:` line")))
        };
        let severity = field("severity")?;
        let window = field("window")?;
        Ok(Rule {
            name: field("name")?,
            title: field("title")?,
            severity: severity
                .parse()
                .ok()
                .filter(|s| *s <= 100)
                .ok_or_else(|| bad(format!("severity `{severity}` is not 0-100")))?,
            window: parse_window(&window)
                .ok_or_else(|| bad(format!("window `{window}` is not like 90m, 72h or 5d")))?,
            sql: text.to_owned(),
            origin: origin.to_owned(),
        })
    }

    /// The title for one entity.
    pub fn title_for(&self, entity_kind: &str, entity: &str) -> String {
        self.title
            .replace("{entity}", entity)
            .replace("{entity_kind}", entity_kind)
    }

    /// Whether the statement mentions the `events` table, so the live
    /// window must keep events for it.
    pub fn reads_events(&self) -> bool {
        self.sql.to_ascii_lowercase().contains("events")
    }
}

/// `90m`, `72h`, `5d` or `30s` in microseconds.
fn parse_window(text: &str) -> Option<i64> {
    let (number, unit) = text.split_at(text.find(|c: char| !c.is_ascii_digit())?);
    let seconds = match unit.trim() {
        "s" => 1,
        "m" => 60,
        "h" => 3_600,
        "d" => 86_400,
        _ => return None,
    };
    number.parse::<i64>().ok()?.checked_mul(seconds * 1_000_000)
}

/// The bundled rules.
pub fn bundled_rules() -> Vec<Rule> {
    BUNDLED
        .iter()
        .map(|(file, text)| {
            Rule::parse(text, &format!("bundled {file}")).expect("bundled rules parse")
        })
        .collect()
}

/// The bundled rules plus those of `dir` (when given); a rule of `dir`
/// with a bundled rule's name replaces it. Sorted by name.
///
/// # Errors
///
/// When `dir` cannot be read or one of its rules does not parse.
pub fn load_rules(dir: Option<&Path>) -> Result<Vec<Rule>, CorrelateError> {
    let mut rules = bundled_rules();
    if let Some(dir) = dir {
        for rule in rules_in(dir)? {
            rules.retain(|r| r.name != rule.name);
            rules.push(rule);
        }
    }
    rules.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(rules)
}

/// The rules of the `.sql` files directly in `dir`, sorted by file name.
///
/// # Errors
///
/// When `dir` cannot be read or a rule does not parse.
pub fn rules_in(dir: &Path) -> Result<Vec<Rule>, CorrelateError> {
    let io = |e: std::io::Error| CorrelateError::Rule {
        rule: dir.display().to_string(),
        message: e.to_string(),
    };
    let mut files: Vec<_> = std::fs::read_dir(dir)
        .map_err(io)?
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "sql"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|path| {
            let text = std::fs::read_to_string(path).map_err(io)?;
            Rule::parse(&text, &path.display().to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_rules_parse() {
        let names: Vec<String> = bundled_rules().into_iter().map(|r| r.name).collect();
        assert_eq!(
            names,
            ["account_takeover", "phishing_wave", "insider_data_theft"]
        );
    }

    #[test]
    fn windows_read_as_microseconds() {
        assert_eq!(parse_window("72h"), Some(72 * 3_600_000_000));
        assert_eq!(parse_window("1800m"), Some(1800 * 60_000_000));
        assert_eq!(parse_window("5 d"), Some(5 * 86_400_000_000));
        assert_eq!(parse_window("h"), None);
        assert_eq!(parse_window("72"), None);
    }

    #[test]
    fn a_header_without_a_window_is_refused() {
        let err =
            Rule::parse("-- name: x\n-- title: t\n-- severity: 5\nselect 1", "x.sql").unwrap_err();
        assert_eq!(
            err.to_string(),
            "correlation rule `x.sql`: the header has no `window:` line"
        );
    }
}
