//! The story of an incident: a headline naming the entity and the attack
//! pattern, and a time-ordered account, one line per step, from the
//! findings' summaries, closed by the entities involved.
//!
//! ```text
//! Account takeover of alice@corp.example: unusual login, hiding inbox rule
//! 2024-03-14 09:12 UTC  alice@corp.example logged in from Amsterdam, NL ...
//! 2024-03-14 09:22 UTC  alice@corp.example created inbox rule "..." ...
//! entities: user alice@corp.example; ip 203.0.113.7
//! ```

use super::incident::Incident;
use super::rule::Rule;

/// The headline: the title of the most severe matching rule for the
/// incident's entity, then the distinct kinds of its steps in order.
pub fn headline(incident: &Incident, rules: &[Rule]) -> String {
    let (kind, entity) = &incident.entity;
    let title = rules
        .iter()
        .filter(|r| incident.rules.contains(&r.name))
        .max_by_key(|r| (r.severity, std::cmp::Reverse(r.name.clone())))
        .map_or_else(
            || format!("Incident about {kind} {entity}"),
            |r| r.title_for(kind, entity),
        );
    let mut patterns: Vec<String> = Vec::new();
    for step in incident.steps.values() {
        let pattern = pattern_of(&step.kind);
        if !patterns.contains(&pattern) {
            patterns.push(pattern);
        }
    }
    if patterns.is_empty() {
        title
    } else {
        format!("{title}: {}", patterns.join(", "))
    }
}

/// The account: one line per step, `YYYY-MM-DD HH:MM UTC  summary`, then
/// `entities: ...`.
pub fn narrative(incident: &Incident) -> String {
    let mut lines: Vec<String> = incident
        .steps
        .values()
        .map(|step| {
            let at = chrono::DateTime::from_timestamp_micros(step.time)
                .map_or_else(String::new, |t| t.format("%Y-%m-%d %H:%M UTC").to_string());
            let summary = if step.summary.is_empty() {
                step.kind.as_str()
            } else {
                step.summary.as_str()
            };
            format!("{at}  {summary}")
        })
        .collect();
    lines.push(format!("entities: {}", entities_line(incident)));
    lines.join("\n")
}

/// `user alice@corp.example; domain x.life; ...`, the incident's entity
/// first.
fn entities_line(incident: &Incident) -> String {
    entity_list(incident)
        .iter()
        .map(|e| e.replacen(':', " ", 1))
        .collect::<Vec<_>>()
        .join("; ")
}

/// The entities as `kind:value`, the incident's entity first, then the
/// others by kind (user, device, domain, ip) and value.
pub fn entity_list(incident: &Incident) -> Vec<String> {
    let order = |kind: &str| match kind {
        "user" => 0,
        "device" => 1,
        "domain" => 2,
        "ip" => 3,
        _ => 4,
    };
    let mut others: Vec<&(String, String)> = incident
        .entities
        .iter()
        .filter(|e| **e != incident.entity)
        .collect();
    others.sort_by_key(|(k, v)| (order(k), v.clone()));
    std::iter::once(&incident.entity)
        .chain(others)
        .map(|(k, v)| format!("{k}:{v}"))
        .collect()
}

/// A finding kind in plain words: `inbox_rule.hiding` → "hiding inbox
/// rule", `impossible_travel.new_country` → "impossible travel (new
/// country)".
fn pattern_of(kind: &str) -> String {
    let words = |s: &str| s.replace('_', " ");
    match kind.split_once('.') {
        Some(("inbox_rule", detail)) => format!("{} inbox rule", words(detail)),
        Some((family, detail)) => format!("{} ({})", words(family), words(detail)),
        None => words(kind),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_read_as_words() {
        assert_eq!(pattern_of("inbox_rule.hiding"), "hiding inbox rule");
        assert_eq!(
            pattern_of("impossible_travel.new_country"),
            "impossible travel (new country)"
        );
        assert_eq!(pattern_of("unusual_login"), "unusual login");
    }
}
