//! The example organisation: a month of one company's logs, in the vendor
//! formats Palisade reads, with two attacks hidden in it and the ground
//! truth of both.
//!
//! [`generate`] writes, under an output folder:
//!
//! | path | what |
//! |---|---|
//! | `logs/YYYY-MM-DD/defender-email.json` | Defender XDR `EmailEvents`, `EmailUrlInfo`, `UrlClickEvents` (Azure diagnostic JSON lines) |
//! | `logs/YYYY-MM-DD/entra-signin.json`, `entra-audit.json` | Entra ID sign-in and audit logs (Azure diagnostic JSON lines) |
//! | `logs/YYYY-MM-DD/m365-unified-audit.json` | Microsoft 365 unified audit log: `Send`, `MailItemsAccessed`, inbox rules |
//! | `logs/YYYY-MM-DD/workspace-activity.json` | Google Workspace Reports API login and Drive activities |
//! | `logs/YYYY-MM-DD/zeek-dns.log`, `zeek-ssl.log` | Zeek logs of the office network, tab-separated |
//! | `assets.csv` | devices, their addresses and owners |
//! | `departed.csv` | people who left the company |
//! | `palisade.toml` | a configuration for `palisade run --config` |
//! | `ground_truth.json` | the attacks, their steps and the records of each step |
//!
//! The same [`Settings`] always give the same files. The month ends on
//! 2024-03-17; the account takeover starts on Monday 2024-03-11 and the
//! insider theft happens on 2024-03-14 (see [`attack`]). Normal life is in
//! [`normal`].

pub mod attack;
pub mod directory;
pub mod logs;
pub mod names;
pub mod normal;
pub mod vendor;

use std::fs;
use std::io;
use std::path::{Path, PathBuf};

use rand::SeedableRng;
use rand::rngs::StdRng;
use serde::Serialize;

use crate::attack::{Attack, Cast, Plot};
use crate::directory::Directory;
use crate::logs::{DAY, DayLogs, Micros, format_time};
use crate::normal::{Day, SharedDocument};

/// The size and seed of the organisation.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Settings {
    /// People on the staff (at least 10).
    pub users: usize,
    /// Devices on the office network: a laptop per person, the rest
    /// servers, printers and meeting rooms.
    pub devices: usize,
    /// Days of logs, ending on 2024-03-17 (at least 14).
    pub days: u32,
    /// The seed of every random choice.
    pub seed: u64,
    /// Whether the attacks are in the logs.
    pub attacks: bool,
}

impl Default for Settings {
    fn default() -> Self {
        Settings {
            users: 250,
            devices: 300,
            days: 30,
            seed: 20_240_311,
            attacks: true,
        }
    }
}

impl Settings {
    /// Whether the organisation can be made: at least 10 people, a device
    /// per person, 14 days (a week to learn, a week of attacks).
    ///
    /// # Errors
    ///
    /// [`GenerateError::Settings`] naming the setting out of range.
    pub fn check(&self) -> Result<(), GenerateError> {
        let problem = if self.users < 10 {
            format!("--users {}: at least 10 people are needed", self.users)
        } else if self.devices < self.users {
            format!(
                "--devices {}: at least one per person ({}) is needed",
                self.devices, self.users
            )
        } else if self.days < 14 {
            format!(
                "--days {}: at least 14 are needed (a week to learn, a week of attacks)",
                self.days
            )
        } else {
            return Ok(());
        };
        Err(GenerateError::Settings(problem))
    }
}

/// What could not be generated.
#[derive(Debug, thiserror::Error)]
pub enum GenerateError {
    /// The settings are out of range.
    #[error("{0}")]
    Settings(String),
    /// A file could not be written.
    #[error("cannot write {path}: {source}")]
    Write {
        /// The file.
        path: PathBuf,
        /// Why.
        source: io::Error,
    },
}

/// What was written.
#[derive(Debug, Clone, Serialize)]
pub struct Generated {
    /// The settings used.
    pub settings: Settings,
    /// The first day, `YYYY-MM-DD`.
    pub first_day: String,
    /// The last day, `YYYY-MM-DD`.
    pub last_day: String,
    /// Log records written.
    pub records: u64,
    /// Bytes of logs written.
    pub bytes: u64,
    /// The attacks and their steps.
    pub attacks: Vec<Attack>,
}

/// The file the ground truth is written to.
pub const GROUND_TRUTH: &str = "ground_truth.json";

/// 2024-03-18T00:00:00Z, the end of the month, in microseconds.
const END: Micros = 1_710_720_000 * 1_000_000;
/// Days from the account takeover's first day to the end of the month.
const TAKEOVER_DAYS_BEFORE_END: i64 = 7;

/// Writes the organisation's month under `out`; `progress` is told each
/// day written (index, days).
///
/// # Errors
///
/// Settings out of range, or a file that cannot be written.
pub fn generate(
    out: &Path,
    settings: &Settings,
    mut progress: impl FnMut(u32, u32),
) -> Result<Generated, GenerateError> {
    settings.check()?;
    let write_error = |path: &Path| {
        let path = path.to_owned();
        move |source| GenerateError::Write { path, source }
    };
    let start = END - i64::from(settings.days) * DAY;
    let directory = Directory::new(
        settings.users,
        settings.devices,
        settings.days,
        settings.seed,
    );
    let mut rng = StdRng::seed_from_u64(settings.seed ^ 0x5eed);
    let mut documents = normal::documents(&directory, &mut rng);
    let cast = cast(&directory, &mut documents, settings.days);

    let d0 = END - TAKEOVER_DAYS_BEFORE_END * DAY;
    let mut plot = Plot::new(&directory, &mut rng, start);
    let attacks = if settings.attacks {
        vec![
            plot.account_takeover(&cast, d0),
            plot.insider(&cast, d0 + 3 * DAY),
        ]
    } else {
        Vec::new()
    };
    let mut planted = std::mem::take(&mut plot.planted);
    planted.sort_by_key(|(day, p)| (*day, p.time));

    let logs = out.join("logs");
    let (mut records, mut bytes) = (0, 0);
    for index in 0..settings.days {
        let day_start = start + i64::from(index) * DAY;
        let mut idle = Vec::new();
        if index >= cast.departure_day {
            idle.push(cast.departed);
        }
        let mut day = Day {
            directory: &directory,
            index,
            logs: DayLogs::new(day_start),
            rng: &mut rng,
            idle: &idle,
            documents: &documents,
        };
        day.live();
        let mut day_logs = day.logs;
        for (_, p) in planted.iter().filter(|(d, _)| *d == index) {
            day_logs.push(p.file, p.time, p.line.clone());
        }
        let folder = logs.join(day_logs.folder());
        let (r, b) = day_logs.write(&logs).map_err(write_error(&folder))?;
        records += r;
        bytes += b;
        progress(index + 1, settings.days);
    }
    write_side_files(out, &directory, &cast, settings).map_err(write_error(out))?;
    let generated = Generated {
        settings: *settings,
        first_day: format_time(start, "%Y-%m-%d"),
        last_day: format_time(END - DAY, "%Y-%m-%d"),
        records,
        bytes,
        attacks,
    };
    let truth = out.join(GROUND_TRUTH);
    let text = serde_json::to_string_pretty(&generated).map_err(io::Error::other);
    text.and_then(|t| fs::write(&truth, t))
        .map_err(write_error(&truth))?;
    Ok(generated)
}

/// Reads the ground truth a [`generate`] wrote under `out`.
///
/// # Errors
///
/// When the file is missing or is not a ground truth.
pub fn read_ground_truth(out: &Path) -> io::Result<serde_json::Value> {
    let text = fs::read_to_string(out.join(GROUND_TRUTH))?;
    serde_json::from_str(&text).map_err(io::Error::other)
}

/// Picks the people of the story: the victim in the Chicago office, four
/// colleagues who click, and an employee who left, with the externally
/// shared file they take. Nobody of the story travels.
fn cast(directory: &Directory, documents: &mut Vec<SharedDocument>, days: u32) -> Cast {
    let stay_home: Vec<usize> = (0..directory.people.len())
        .filter(|&p| directory.people[p].trip.is_none())
        .collect();
    let victim = stay_home
        .iter()
        .copied()
        .find(|&p| directory.people[p].office == 0)
        .unwrap_or(stay_home[0]);
    let others: Vec<usize> = stay_home.iter().copied().filter(|&p| p != victim).collect();
    let clickers = others
        .iter()
        .copied()
        .step_by(3)
        .take(4)
        .collect::<Vec<_>>();
    let departed = others
        .iter()
        .copied()
        .rev()
        .find(|p| !clickers.contains(p))
        .unwrap_or(others[0]);
    let owner = others
        .iter()
        .copied()
        .find(|&p| p != departed)
        .unwrap_or(victim);
    let document = SharedDocument {
        id: "1Yq7hc2R0WpKcatalogue2024".into(),
        title: "Spring catalogue 2024.indd".into(),
        owner,
        visibility: "shared_externally",
    };
    documents.push(document.clone());
    // The departed employee worked the first part of the month and left
    // eleven days before the theft (or on the fourth day of a short month).
    let theft_day = days - u32::try_from(TAKEOVER_DAYS_BEFORE_END).unwrap_or(7) + 3;
    let departure_day = theft_day.saturating_sub(14).max(3);
    Cast {
        victim,
        clickers,
        departed,
        departure_day,
        document,
    }
}

fn write_side_files(
    out: &Path,
    directory: &Directory,
    cast: &Cast,
    settings: &Settings,
) -> io::Result<()> {
    let mut assets = String::from("ip,hostname,owner\n");
    for device in &directory.devices {
        let owner = device
            .owner
            .map_or("", |p| directory.people[p].upn.as_str());
        assets.push_str(&format!("{},{},{owner}\n", device.ip, device.name));
    }
    fs::write(out.join("assets.csv"), assets)?;
    let start = END - i64::from(settings.days) * DAY;
    let last = start + i64::from(cast.departure_day) * DAY - DAY;
    let departed = format!(
        "email,last_day\n{},{}\n",
        directory.people[cast.departed].upn,
        format_time(last, "%Y-%m-%d")
    );
    fs::write(out.join("departed.csv"), departed)?;
    fs::write(out.join("palisade.toml"), CONFIG)?;
    Ok(())
}

/// The configuration written beside the logs.
const CONFIG: &str = r#"# Palisade's configuration for the example organisation.
data_dir = "history"
inputs = ["logs/"]
assets = "assets.csv"

[detectors.inbox-rule]
internal_domains = "contoso.com"

[detectors.outbound-mail]
internal_domains = "contoso.com"

[detectors.insider-download]
departed_users = { file = "departed.csv" }
"#;
