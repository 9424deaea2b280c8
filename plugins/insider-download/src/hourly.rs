//! A per-user count of one hour against a learned baseline of the user's
//! active hours.
//!
//! The baseline is the mean of the user's active hours (hours with at
//! least one counted event): a running mean over the first `span` hours,
//! then an exponential mean with weight `1/span`. Idle hours are not
//! folded in, which keeps the baseline high and the detector quiet. An
//! hour that was reported is not learned, so a burst does not teach the
//! baseline that bursts are normal. Events older than the open hour are
//! counted in it (sources interleave by a few minutes).

use serde::{Deserialize, Serialize};

/// Microseconds in an hour.
pub const HOUR: i64 = 3_600_000_000;

/// The open hour and the baseline.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Hourly {
    /// The open hour, as hours since the Unix epoch.
    pub hour: i64,
    /// Events counted in the open hour.
    pub count: u32,
    /// Whether the open hour was reported.
    pub reported: bool,
    /// Mean count of an active hour.
    pub mean: f64,
    /// Active hours learned (saturates at the span).
    pub hours: u32,
}

impl Hourly {
    /// Moves to the hour of `time`, learning the hour it closes.
    pub fn advance(&mut self, time: i64, span: u32) {
        let hour = time.div_euclid(HOUR);
        if hour <= self.hour {
            return;
        }
        if self.count > 0 && !self.reported {
            let weight = 1.0 / f64::from((self.hours + 1).min(span.max(1)));
            self.mean += (f64::from(self.count) - self.mean) * weight;
            self.hours = (self.hours + 1).min(span.max(1));
        }
        self.hour = hour;
        self.count = 0;
        self.reported = false;
    }

    /// Whether the open hour exceeds the baseline `factor` times and
    /// reaches `minimum`. A user with no baseline is measured against 1.
    pub fn exceeds(&self, factor: f64, minimum: u32) -> bool {
        self.count >= minimum && f64::from(self.count) > factor * self.mean.max(1.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_closed_hour_is_learned_and_a_reported_one_is_not() {
        let mut h = Hourly::default();
        h.advance(0, 24);
        h.count = 10;
        h.advance(HOUR, 24);
        assert_eq!((h.hours, h.mean), (1, 10.0));
        h.count = 500;
        h.reported = true;
        h.advance(2 * HOUR, 24);
        assert_eq!((h.hours, h.mean), (1, 10.0));
        h.count = 101;
        assert!(h.exceeds(10.0, 100));
    }
}
