//! Hosts, sites and link texts.
//!
//! A link's *site* is what the organisation knows or does not know: the
//! registered domain of its host by the public suffix list
//! (`rz8js7sjbef.latovafineart.life` → `latovafineart.life`), the address
//! itself for an IP host, and the full host for a document-sharing or
//! redirect service, where anyone can have a subdomain or a page
//! (`evil-my.sharepoint.com` is not `contoso.sharepoint.com`). A bare
//! service domain and its `www.` form are one site (`dropbox.com`).

use std::net::IpAddr;

/// Where a link or a visit goes.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Site {
    /// The site's name: registered domain, service host or IP address.
    pub name: String,
    /// The service entry the host falls under, if any.
    pub service: Option<String>,
}

impl Site {
    /// The site of `host` (lower case, as [`host_of`] gives it).
    pub(crate) fn of(host: &str, services: &[String]) -> Site {
        if let Some(service) = services.iter().find(|s| under(host, s)) {
            let bare = host.strip_prefix("www.").unwrap_or(host);
            return Site {
                name: bare.to_owned(),
                service: Some(service.clone()),
            };
        }
        Site {
            name: registered_domain(host),
            service: None,
        }
    }
}

/// The registered domain of `host`; an IP address or a name the public
/// suffix list cannot split (`intranet`) is its own.
pub(crate) fn registered_domain(host: &str) -> String {
    if host.parse::<IpAddr>().is_ok() {
        return host.to_owned();
    }
    psl::domain_str(host).unwrap_or(host).to_owned()
}

/// Whether `host` is `domain` or one of its subdomains.
fn under(host: &str, domain: &str) -> bool {
    host == domain
        || host
            .strip_suffix(domain)
            .is_some_and(|rest| rest.ends_with('.'))
}

/// The host of a URL or a bare host name, lower case, without scheme, user,
/// port, path, brackets or trailing dot: `https://u@Evil.Example:8443/x` →
/// `evil.example`. `None` when nothing host-like is left.
pub(crate) fn host_of(text: &str) -> Option<String> {
    let text = text.trim();
    let rest = text.split_once("://").map_or(text, |(_, rest)| rest);
    let authority = rest.split(['/', '?', '#', '\\']).next().unwrap_or(rest);
    let authority = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
    let host = if let Some(inner) = authority.strip_prefix('[') {
        inner.split(']').next().unwrap_or(inner)
    } else if authority.matches(':').count() == 1 {
        authority.split(':').next().unwrap_or(authority)
    } else {
        authority
    };
    let host = host.trim_end_matches('.').to_lowercase();
    let usable = !host.is_empty()
        && !host.contains(char::is_whitespace)
        && (host.contains('.') || host.contains(':') || host.chars().all(char::is_alphanumeric));
    usable.then_some(host)
}

/// The host a link's display text shows, when the text is a URL or a
/// domain under a known public suffix (`www.paypal.com`,
/// `https://contoso.sharepoint.com/...`); `None` for words.
pub(crate) fn shown_host(text: &str) -> Option<String> {
    let text = text.trim();
    if text.contains(char::is_whitespace) || !text.contains('.') {
        return None;
    }
    let host = host_of(text)?;
    let looks_like_url = text.contains("://") || text.starts_with("www.");
    let known_suffix = psl::suffix(host.as_bytes()).is_some_and(|s| s.is_known());
    (looks_like_url || (known_suffix && host.contains('.'))).then_some(host)
}

/// Text as lower-case words separated by single spaces, punctuation
/// dropped: `"» Click HERE! «"` → `click here`.
pub(crate) fn words(text: &str) -> String {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect::<Vec<_>>()
        .join(" ")
}

/// The longest words a link text may have and still count as generic:
/// "Click here to view your document" is a lure, a sentence is not.
const MAX_GENERIC_WORDS: usize = 6;

/// The generic phrase a link text consists of or contains, if any; texts
/// longer than six words never count. `generic` is normalized by
/// [`words`].
pub(crate) fn generic_phrase<'g>(text: &str, generic: &'g [String]) -> Option<&'g str> {
    let text = words(text);
    if text.is_empty() || text.split(' ').count() > MAX_GENERIC_WORDS {
        return None;
    }
    let padded = format!(" {text} ");
    generic
        .iter()
        .filter(|g| padded.contains(&format!(" {g} ")))
        .max_by_key(|g| g.len())
        .map(String::as_str)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn services() -> Vec<String> {
        ["sharepoint.com", "dropbox.com", "bit.ly"]
            .map(str::to_owned)
            .to_vec()
    }

    #[test]
    fn hosts_come_out_of_urls() {
        let h = |t| host_of(t);
        assert_eq!(
            h("https://rz8js7sjbef.latovafineart.life/x?y=1").as_deref(),
            Some("rz8js7sjbef.latovafineart.life")
        );
        assert_eq!(
            h("http://user@Evil.Example:8443/a").as_deref(),
            Some("evil.example")
        );
        assert_eq!(
            h("http://[2001:db8::1]:80/").as_deref(),
            Some("2001:db8::1")
        );
        assert_eq!(h("example.org.").as_deref(), Some("example.org"));
        assert_eq!(h("intranet").as_deref(), Some("intranet"));
        assert_eq!(h("  "), None);
    }

    #[test]
    fn sites_are_registered_domains_or_service_hosts() {
        let s = |h| Site::of(h, &services());
        assert_eq!(
            s("rz8js7sjbef.latovafineart.life").name,
            "latovafineart.life"
        );
        assert_eq!(s("a.b.example.co.uk").name, "example.co.uk");
        assert_eq!(s("203.0.113.9").name, "203.0.113.9");
        let tenant = s("evil-my.sharepoint.com");
        assert_eq!(tenant.name, "evil-my.sharepoint.com");
        assert_eq!(tenant.service.as_deref(), Some("sharepoint.com"));
        assert_eq!(s("www.dropbox.com").name, "dropbox.com");
        assert_eq!(s("notbit.ly").service, None);
    }

    #[test]
    fn generic_texts_match_whole_words_in_short_texts() {
        let generic = ["click here", "open", "view document"].map(str::to_owned);
        let g = |t| generic_phrase(t, &generic);
        assert_eq!(g("Click Here"), Some("click here"));
        assert_eq!(g("» click here to view «"), Some("click here"));
        assert_eq!(g("OPEN"), Some("open"));
        assert_eq!(g("Opening hours"), None);
        assert_eq!(
            g("Please open the quarterly report we discussed on Monday"),
            None
        );
        assert_eq!(g(""), None);
    }

    #[test]
    fn shown_hosts_are_urls_and_known_domains_only() {
        assert_eq!(
            shown_host("www.paypal.com").as_deref(),
            Some("www.paypal.com")
        );
        assert_eq!(
            shown_host("https://contoso.sharepoint.com/sites/x").as_deref(),
            Some("contoso.sharepoint.com")
        );
        assert_eq!(shown_host("Click Here"), None);
        assert_eq!(shown_host("View.Document"), None);
    }
}
