//! One day of logs: each product's records of the day, kept in time order
//! and written to `logs/YYYY-MM-DD/<file>` the way each product exports
//! them.
//!
//! The day's folders sort in time order and Palisade reads a folder sorted,
//! so a run over `logs/` sees the month day by day.

use std::fs;
use std::io::{self, BufWriter, Write};
use std::path::Path;

use crate::vendor::zeek;

/// Microseconds since the Unix epoch, UTC.
pub type Micros = i64;

/// Microseconds in a second, minute, hour and day.
pub const SECOND: Micros = 1_000_000;
/// Microseconds in a minute.
pub const MINUTE: Micros = 60 * SECOND;
/// Microseconds in an hour.
pub const HOUR: Micros = 60 * MINUTE;
/// Microseconds in a day.
pub const DAY: Micros = 24 * HOUR;

/// `t` formatted with a chrono pattern, in UTC.
pub fn format_time(t: Micros, pattern: &str) -> String {
    chrono::DateTime::from_timestamp_micros(t)
        .unwrap_or_default()
        .format(pattern)
        .to_string()
}

/// The files of a day, in the order they sort.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum LogFile {
    /// Defender XDR `EmailEvents`, `EmailUrlInfo` and `UrlClickEvents`
    /// streamed as Azure diagnostic JSON lines.
    DefenderEmail,
    /// Entra ID audit logs, Azure diagnostic JSON lines.
    EntraAudit,
    /// Entra ID sign-in logs, Azure diagnostic JSON lines.
    EntraSignIn,
    /// Google Workspace Reports API activities (login and Drive), JSON lines.
    Workspace,
    /// Microsoft 365 unified audit log, Management Activity API JSON lines.
    UnifiedAudit,
    /// Zeek `dns.log`, tab-separated.
    ZeekDns,
    /// Zeek `ssl.log`, tab-separated.
    ZeekSsl,
}

impl LogFile {
    /// Every file, in order.
    pub const ALL: [LogFile; 7] = [
        LogFile::DefenderEmail,
        LogFile::EntraAudit,
        LogFile::EntraSignIn,
        LogFile::Workspace,
        LogFile::UnifiedAudit,
        LogFile::ZeekDns,
        LogFile::ZeekSsl,
    ];

    /// The file's name in a day's folder.
    pub fn file_name(self) -> &'static str {
        match self {
            LogFile::DefenderEmail => "defender-email.json",
            LogFile::EntraAudit => "entra-audit.json",
            LogFile::EntraSignIn => "entra-signin.json",
            LogFile::Workspace => "workspace-activity.json",
            LogFile::UnifiedAudit => "m365-unified-audit.json",
            LogFile::ZeekDns => "zeek-dns.log",
            LogFile::ZeekSsl => "zeek-ssl.log",
        }
    }
}

/// A day's records, by file.
#[derive(Debug)]
pub struct DayLogs {
    /// Midnight UTC starting the day.
    pub start: Micros,
    records: Vec<Vec<(Micros, String)>>,
}

impl DayLogs {
    /// An empty day starting at `start`.
    pub fn new(start: Micros) -> DayLogs {
        DayLogs {
            start,
            records: vec![Vec::new(); LogFile::ALL.len()],
        }
    }

    /// Adds a record of `file` at time `t`.
    pub fn push(&mut self, file: LogFile, t: Micros, line: String) {
        self.records[file as usize].push((t, line));
    }

    /// Records held for `file`.
    pub fn count(&self, file: LogFile) -> usize {
        self.records[file as usize].len()
    }

    /// The folder name of the day, `YYYY-MM-DD`.
    pub fn folder(&self) -> String {
        format_time(self.start, "%Y-%m-%d")
    }

    /// Writes each file of the day under `logs/<day>/`, records sorted by
    /// time; returns the records and bytes written.
    ///
    /// # Errors
    ///
    /// When a file cannot be written.
    pub fn write(mut self, logs: &Path) -> io::Result<(u64, u64)> {
        let folder = logs.join(self.folder());
        fs::create_dir_all(&folder)?;
        let (mut records, mut bytes) = (0, 0);
        for file in LogFile::ALL {
            let lines = &mut self.records[file as usize];
            if lines.is_empty() {
                continue;
            }
            lines.sort_by_key(|(t, _)| *t);
            let path = folder.join(file.file_name());
            let mut out = BufWriter::new(fs::File::create(&path)?);
            let header = match file {
                LogFile::ZeekDns => zeek::dns_header(self.start),
                LogFile::ZeekSsl => zeek::ssl_header(self.start),
                _ => String::new(),
            };
            out.write_all(header.as_bytes())?;
            bytes += header.len() as u64;
            for (_, line) in lines.iter() {
                out.write_all(line.as_bytes())?;
                out.write_all(b"\n")?;
                bytes += line.len() as u64 + 1;
            }
            if matches!(file, LogFile::ZeekDns | LogFile::ZeekSsl) {
                let close = zeek::close_line(self.start + crate::logs::DAY);
                out.write_all(close.as_bytes())?;
                bytes += close.len() as u64;
            }
            out.flush()?;
            records += lines.len() as u64;
        }
        Ok((records, bytes))
    }
}
