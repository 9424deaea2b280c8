//! One user's open hour of mail and their learned baseline.
//!
//! The baseline is the mean of the user's active hours (hours in which
//! they sent mail): a running mean over the first `span` hours, then an
//! exponential mean with weight `1/span`. Idle hours are not folded in,
//! which keeps the baseline high and the detector quiet; an hour reported
//! as a burst is not learned, so an attack does not teach the baseline.
//! Events older than the open hour are counted in it (sources interleave
//! by a few minutes).

use serde::{Deserialize, Serialize};

/// Microseconds in an hour.
pub const HOUR: i64 = 3_600_000_000;

/// The state entry of one user, `mail/<user>`.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct MailHour {
    /// The open hour, as hours since the Unix epoch.
    pub hour: i64,
    /// Messages sent in the open hour.
    pub sent: u32,
    /// Hashes of the distinct recipients of the open hour, at most the
    /// `max_recipients` setting.
    pub recipients: Vec<u64>,
    /// Messages of the open hour with a recipient outside.
    pub external: u32,
    /// Messages of the open hour carrying links.
    pub links: u32,
    /// Bounce-backs arriving in the open hour.
    pub bounces: u32,
    /// Replies arriving in the open hour.
    pub replies: u32,
    /// Whether the open hour was reported as a burst.
    pub burst_reported: bool,
    /// Whether the open hour's bounce-backs were reported.
    pub bounces_reported: bool,
    /// Mean messages of an active hour.
    pub mean_sent: f64,
    /// Mean distinct recipients of an active hour.
    pub mean_recipients: f64,
    /// Active hours learned (saturates at the span).
    pub hours: u32,
}

impl MailHour {
    /// The state key of `user`.
    pub fn key(user: &str) -> String {
        format!("mail/{user}")
    }

    /// Moves to the hour of `time`, learning the hour it closes.
    pub fn advance(&mut self, time: i64, span: u32) {
        let hour = time.div_euclid(HOUR);
        if hour <= self.hour {
            return;
        }
        if self.sent > 0 && !self.burst_reported {
            let n = (self.hours + 1).min(span.max(1));
            let weight = 1.0 / f64::from(n);
            self.mean_sent += (f64::from(self.sent) - self.mean_sent) * weight;
            let recipients = self.recipients.len() as f64;
            self.mean_recipients += (recipients - self.mean_recipients) * weight;
            self.hours = n;
        }
        *self = MailHour {
            hour,
            mean_sent: self.mean_sent,
            mean_recipients: self.mean_recipients,
            hours: self.hours,
            ..MailHour::default()
        };
    }

    /// Counts a distinct recipient, up to `max`.
    pub fn add_recipient(&mut self, address: &str, max: usize) {
        let hash = fnv1a(address);
        if self.recipients.len() < max && !self.recipients.contains(&hash) {
            self.recipients.push(hash);
        }
    }

    /// Whether the open hour is a burst: at least `minimum` messages and
    /// more than `factor` times the usual messages or distinct recipients
    /// (each at least 1).
    pub fn is_burst(&self, factor: f64, minimum: u32) -> bool {
        let over = |now: f64, usual: f64| now > factor * usual.max(1.0);
        self.sent >= minimum
            && (over(f64::from(self.sent), self.mean_sent)
                || over(self.recipients.len() as f64, self.mean_recipients))
    }
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte.to_ascii_lowercase())).wrapping_mul(0x0100_0000_01b3)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_hour_is_learned_and_a_burst_is_not() {
        let mut h = MailHour {
            sent: 10,
            ..MailHour::default()
        };
        h.add_recipient("a@x", 5);
        h.add_recipient("A@x", 5);
        h.advance(HOUR, 24);
        assert_eq!((h.hours, h.mean_sent, h.mean_recipients), (1, 10.0, 1.0));
        h.sent = 500;
        h.burst_reported = true;
        h.advance(2 * HOUR, 24);
        assert_eq!((h.hours, h.mean_sent, h.sent), (1, 10.0, 0));
        h.sent = 101;
        assert!(h.is_burst(10.0, 100));
        h.sent = 99;
        assert!(!h.is_burst(1.0, 100));
    }
}
