//! Names reduced to registered domains, and what a registered domain looks
//! like.

use std::net::IpAddr;

/// Suffixes of names that never reach the internet.
const LOCAL_SUFFIXES: &[&str] = &[
    "local",
    "arpa",
    "localhost",
    "localdomain",
    "internal",
    "lan",
    "home",
    "corp",
    "intranet",
    "invalid",
    "test",
    "example",
];

/// The registered domain of `name` (`www.bbc.co.uk` → `bbc.co.uk`), lower
/// case, by the public suffix list (ICANN and private sections); `None`
/// for names that are not internet domains: IP literals, single labels,
/// local suffixes (`.local`, `.arpa`, ...) and unknown suffixes.
#[must_use]
pub fn registered(name: &str) -> Option<String> {
    let name = name.trim().trim_end_matches('.').to_ascii_lowercase();
    let bare = name.trim_start_matches('[').trim_end_matches(']');
    if bare.parse::<IpAddr>().is_ok() || !name.contains('.') {
        return None;
    }
    let last = name.rsplit('.').next()?;
    if LOCAL_SUFFIXES.contains(&last) || name.split('.').any(str::is_empty) {
        return None;
    }
    let domain = psl::domain(name.as_bytes())?;
    if !domain.suffix().is_known() {
        return None;
    }
    std::str::from_utf8(domain.as_bytes())
        .ok()
        .map(str::to_owned)
}

/// Whether the registered domain's own label (`bbc` in `bbc.co.uk`) looks
/// machine-made, as domain-generation algorithms make them: at least 8
/// characters and either letters and digits interleaved (4 or more
/// changes between them), a run of 6 or more consonants, or fewer than one
/// vowel in six letters. Names under a private suffix (`cloudfront.net`,
/// `elb.amazonaws.com`, `appspot.com`) are the cloud provider's, generated
/// by design, and never count.
#[must_use]
pub fn looks_random(registered: &str) -> bool {
    let Some(suffix) = psl::suffix(registered.as_bytes()) else {
        return false;
    };
    if suffix.typ() == Some(psl::Type::Private) {
        return false;
    }
    let label = registered
        .get(..registered.len().saturating_sub(suffix.as_bytes().len() + 1))
        .unwrap_or(registered);
    label.len() >= 8 && (interleaved(label) >= 4 || consonant_run(label) >= 6 || few_vowels(label))
}

/// Changes between letters and digits (`a1b2` has 3).
fn interleaved(label: &str) -> usize {
    let classes: Vec<bool> = label
        .bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.is_ascii_digit())
        .collect();
    classes.windows(2).filter(|w| w[0] != w[1]).count()
}

fn is_consonant(b: u8) -> bool {
    b.is_ascii_alphabetic() && !b"aeiouy".contains(&b)
}

/// The longest run of consonants.
fn consonant_run(label: &str) -> usize {
    let (mut longest, mut run) = (0, 0);
    for b in label.bytes() {
        run = if is_consonant(b) { run + 1 } else { 0 };
        longest = longest.max(run);
    }
    longest
}

/// Fewer than one vowel in six of at least 8 letters.
fn few_vowels(label: &str) -> bool {
    let letters = label.bytes().filter(u8::is_ascii_alphabetic).count();
    let vowels = label.bytes().filter(|b| b"aeiouy".contains(b)).count();
    letters >= 8 && vowels * 6 < letters
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_reduce_to_registered_domains() {
        assert_eq!(registered("www.bbc.co.uk").as_deref(), Some("bbc.co.uk"));
        assert_eq!(registered("A.Example.COM.").as_deref(), Some("example.com"));
        assert_eq!(
            registered("login.contoso.com").as_deref(),
            Some("contoso.com")
        );
        // A private suffix: each distribution is its own registered domain.
        assert_eq!(
            registered("d111111abcdef8.cloudfront.net").as_deref(),
            Some("d111111abcdef8.cloudfront.net")
        );
    }

    #[test]
    fn non_internet_names_are_skipped() {
        for name in [
            "wpad",
            "printer.local",
            "1.0.0.10.in-addr.arpa",
            "10.0.0.1",
            "[2001:db8::1]",
            "host.corp",
            "server.wrccdc.notatld",
            "_ldap._tcp.dc._msdcs.local",
            "com",
            "",
        ] {
            assert_eq!(registered(name), None, "{name}");
        }
    }

    #[test]
    fn machine_made_names_look_random() {
        assert!(looks_random("xj3k9q2z7w.com"));
        assert!(looks_random("qwxzkvbhtrplmn.net"));
        for name in [
            "linkedin.com",
            "wordpress.com",
            "amazon-adsystem.com",
            "bbc.co.uk",
            "s-microsoft.com",
        ] {
            assert!(!looks_random(name), "{name}");
        }
    }
}
