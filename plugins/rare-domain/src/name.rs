//! Domain names reduced to what an organisation registers: the registered
//! domain by the public suffix list (`cdn.login.evil.co.uk` →
//! `evil.co.uk`), with names that are not internet domains left out.
//!
//! The list is Mozilla's, compiled into the `psl` crate, private section
//! included: a site on a shared host is its own registered domain
//! (`evil.github.io`, `x.pages.dev`), which is how phishing pages are
//! hosted and how browsers separate sites.

use std::borrow::Cow;
use std::net::IpAddr;

/// The registered domain of `name`, in lower case; `None` when `name` is
/// not an internet domain: empty, a single label (`intranet`), an IP
/// literal, a reverse lookup or other `.arpa` name, malformed (blanks,
/// empty labels, URL punctuation), or under a suffix the public suffix
/// list does not know (`.local`, `.corp`, `.lan`, `.internal`).
pub(crate) fn registered_domain(name: &str) -> Option<Cow<'_, str>> {
    let name = name.trim().trim_end_matches('.');
    if name.bytes().any(|b| b.is_ascii_uppercase()) {
        let lower = name.to_ascii_lowercase();
        return registered(&lower).map(|d| Cow::Owned(d.to_owned()));
    }
    registered(name).map(Cow::Borrowed)
}

/// [`registered_domain`] of a lower-case name.
fn registered(name: &str) -> Option<&str> {
    let malformed = |c: char| c.is_whitespace() || "/:@[]\\?#%\"'<>".contains(c);
    if !name.contains('.')
        || name.contains(malformed)
        || name.split('.').any(str::is_empty)
        || name.parse::<IpAddr>().is_ok()
        || name == "arpa"
        || name.ends_with(".arpa")
    {
        return None;
    }
    let domain = psl::domain(name.as_bytes())?;
    if !domain.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(domain.as_bytes()).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn reg(name: &str) -> Option<String> {
        registered_domain(name).map(Cow::into_owned)
    }

    #[test]
    fn names_reduce_to_their_registered_domain() {
        assert_eq!(reg("avsvmcloud.com").as_deref(), Some("avsvmcloud.com"));
        assert_eq!(
            reg("appsync-api.eu-west-1.avsvmcloud.com").as_deref(),
            Some("avsvmcloud.com")
        );
        assert_eq!(reg("cdn.login.evil.co.uk").as_deref(), Some("evil.co.uk"));
        assert_eq!(reg("WWW.Example.COM.").as_deref(), Some("example.com"));
        assert_eq!(reg("_dmarc.google.com").as_deref(), Some("google.com"));
        assert_eq!(reg("evil.github.io").as_deref(), Some("evil.github.io"));
        assert!(matches!(
            registered_domain("a.example.com"),
            Some(Cow::Borrowed(_))
        ));
    }

    #[test]
    fn names_that_are_not_internet_domains_are_left_out() {
        for name in [
            "",
            ".",
            "localhost",
            "wpad",
            "com",
            "co.uk",
            "printer.local",
            "dc01.corp",
            "fileserver.lan",
            "5.1.0.10.in-addr.arpa",
            "b.a.9.8.ip6.arpa",
            "10.0.0.1",
            "2001:db8::1",
            "a..example.com",
            "bad name.example.com",
            "http://example.com/x",
        ] {
            assert_eq!(reg(name), None, "{name}");
        }
    }
}
