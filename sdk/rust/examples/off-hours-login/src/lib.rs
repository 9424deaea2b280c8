//! Off-hours login: a successful login outside the user's working hours,
//! in the user's own time zone (a fixed UTC offset), reported at most once
//! per user per local day. The same logic as the Python and JavaScript SDK
//! examples, sharing their case files, to compare the three languages.

use std::collections::HashMap;

use palisade_sdk::{Context, Description, Detector, Error, Events, Finding, Findings, Settings};

const MICROS_PER_MINUTE: i64 = 60_000_000;
const DAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// The detector.
pub struct OffHoursLogin {
    start: i64,
    end: i64,
    default_offset: i64,
    offsets: HashMap<String, i64>,
    weekends: bool,
}

/// Minutes east of UTC for `+05:30`, `-0800`, `UTC+1`, `Z` or `UTC`.
fn parse_offset(text: &str) -> Result<i64, Error> {
    let bad = || Error::msg(format!("{text:?} is not a UTC offset such as +01:00"));
    let t = text.trim().trim_start_matches("UTC");
    if t.is_empty() || t == "Z" {
        return Ok(0);
    }
    let (sign, rest) = match t.split_at(1) {
        ("+", rest) => (1, rest),
        ("-", rest) => (-1, rest),
        _ => return Err(bad()),
    };
    let digits: String = rest.chars().filter(|c| *c != ':').collect();
    let (h, m) = if digits.len() > 2 {
        digits.split_at(digits.len() - 2)
    } else {
        (digits.as_str(), "0")
    };
    let minutes = h.parse::<i64>().map_err(|_| bad())? * 60 + m.parse::<i64>().map_err(|_| bad())?;
    Ok(sign * minutes)
}

impl OffHoursLogin {
    fn off_hours(&self, local_minutes: i64) -> bool {
        let weekday = (local_minutes.div_euclid(1440) + 3).rem_euclid(7);
        let hour = local_minutes.div_euclid(60).rem_euclid(24);
        (self.weekends && weekday >= 5) || !(self.start <= hour && hour < self.end)
    }
}

impl Detector for OffHoursLogin {
    fn describe() -> Description {
        Description::new(
            "off-hours-login-rs",
            "0.1.0",
            "A successful login outside the user's working hours, in their time zone.",
        )
        .kinds(["auth.login"])
        .columns(["user", "outcome", "src_ip", "src_country"])
        .setting("work_start", "8", "Local hour (0-23) the working day starts.")
        .setting("work_end", "18", "Local hour (1-24) the working day ends.")
        .setting("time_zone", "+00:00", "UTC offset of users not listed in user_time_zones.")
        .setting("user_time_zones", "", "Comma-separated user=offset pairs.")
        .setting("weekends", "true", "Whether any login on Saturday or Sunday is off hours.")
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        let mut offsets = HashMap::new();
        for pair in settings.get_list("user_time_zones")? {
            let (user, offset) = pair
                .split_once('=')
                .ok_or_else(|| Error::msg(format!("{pair:?} is not user=offset")))?;
            offsets.insert(user.trim().to_lowercase(), parse_offset(offset)?);
        }
        Ok(OffHoursLogin {
            start: i64::from(settings.get_u32_in("work_start", 0, 24)?),
            end: i64::from(settings.get_u32_in("work_end", 0, 24)?),
            default_offset: parse_offset(settings.get_str("time_zone")?)?,
            offsets,
            weekends: settings.get_bool("weekends")?,
        })
    }

    fn detect(&mut self, events: &Events, ctx: &mut Context, out: &mut Findings) -> Result<(), Error> {
        for event in events {
            let Some(user) = event.user().filter(|u| !u.is_empty()) else {
                continue;
            };
            if event.outcome() == Some("failure") {
                continue;
            }
            let offset = self.offsets.get(user).copied().unwrap_or(self.default_offset);
            let local = event.time().div_euclid(MICROS_PER_MINUTE) + offset;
            if !self.off_hours(local) {
                continue;
            }
            let day = local.div_euclid(1440);
            let key = format!("reported/{user}");
            if ctx.get_json::<i64>(&key)? == Some(day) {
                continue;
            }
            ctx.put_json(&key, &day)?;
            let minutes = local.rem_euclid(1440);
            let clock = format!("{:02}:{:02}", minutes / 60, minutes % 60);
            let zone = if offset == 0 {
                "UTC".to_owned()
            } else {
                let sign = if offset < 0 { '-' } else { '+' };
                format!("UTC{sign}{:02}:{:02}", offset.abs() / 60, offset.abs() % 60)
            };
            let weekday = DAYS[(day + 3).rem_euclid(7) as usize];
            let place = event
                .src_country()
                .map(|c| format!(" from {c}"))
                .unwrap_or_default();
            let summary = format!(
                "{user} logged in at {clock} on a {weekday} ({zone}){place}, outside working \
                 hours {:02}:00-{:02}:00.",
                self.start, self.end
            );
            let finding = Finding::new("off_hours.login", 30, "Login outside working hours", summary);
            out.push(
                finding
                    .for_event(&event)
                    .user(user)
                    .ip(event.src_ip())
                    .mitre("T1078")
                    .attr("local_time", clock)
                    .attr("day", weekday)
                    .attr("time_zone", zone),
            );
        }
        Ok(())
    }
}

palisade_sdk::export_detector!(OffHoursLogin);
