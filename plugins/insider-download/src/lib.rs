//! Palisade detector `insider-download`: files taken by someone who should
//! not have them.
//!
//! Reads Google Workspace Drive and Microsoft 365 SharePoint/OneDrive
//! activity (`file.download`, `file.share`) and logins (`auth.login`), and
//! reports (MITRE ATT&CK T1530, Data from Cloud Storage; T1567,
//! Exfiltration Over Web Service):
//!
//! - `insider_download.after_new_login`: a file shared outside the
//!   organisation (`file_visibility` `external` or `public`) or marked
//!   sensitive is downloaded within `window_hours` of the user's first
//!   login from an address or country never seen for them. One finding
//!   per download.
//! - `insider_download.departed_user`: a download by an account on the
//!   departed-users list; one finding per such file when it is external or
//!   sensitive, else one per user and hour.
//! - `insider_download.bulk`: a user downloads more files in an hour than
//!   `volume_factor` times their baseline and at least `min_downloads`;
//!   once per user and hour.
//!
//! A file is external when the download says so (Google Drive events
//! carry the file's visibility) or when a sharing event made it external
//! or public earlier (Microsoft 365 downloads carry no visibility, so the
//! detector remembers up to `max_shared_files` shared files by their id:
//! Drive `doc_id`, else the URL (joined with the file name when it is the
//! folder's), else `ObjectId`, else the file name). A
//! file is sensitive when its name holds a word of `sensitive_words` or
//! the event carries a sensitivity label (`SensitivityLabelId`,
//! `SensitivityLabel`, `sensitivity_label`).
//!
//! State: `login/<user>` (see [`logins`]), `volume/<user>` (see
//! [`hourly`]) and `shared` (hashes of externally shared file ids), each
//! bounded by its setting.

mod config;
pub mod hourly;
mod shared;

use palisade_sdk::logins::{LoginHistory, NovelLogin};
use palisade_sdk::{
    Context, Description, Detector, Error, Event, Events, Finding, Findings, Settings, StateCache,
};

use crate::config::Config;
use crate::hourly::Hourly;
use crate::shared::SharedFiles;

/// The login event kind.
pub const LOGIN_KIND: &str = "auth.login";
/// The download event kind.
pub const DOWNLOAD_KIND: &str = "file.download";
/// The sharing event kind.
pub const SHARE_KIND: &str = "file.share";

/// MITRE ATT&CK: Data from Cloud Storage.
const T_CLOUD_STORAGE: &str = "T1530";
/// MITRE ATT&CK: Exfiltration Over Web Service.
const T_EXFIL_WEB: &str = "T1567";

/// The detector.
#[derive(Debug)]
pub struct InsiderDownload {
    config: Config,
}

impl Detector for InsiderDownload {
    fn describe() -> Description {
        let description = Description::new(
            "insider-download",
            env!("CARGO_PKG_VERSION"),
            "Finds sensitive or externally shared files downloaded after a login from a \
             new place or by departed users, and bulk downloads.",
        )
        .kinds([LOGIN_KIND, DOWNLOAD_KIND, SHARE_KIND])
        .columns([
            "action",
            "outcome",
            "user",
            "src_ip",
            "src_country",
            "url",
            "file_name",
            "file_visibility",
            "attrs",
        ]);
        config::declare(description)
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        Ok(InsiderDownload {
            config: Config::from_settings(settings)?,
        })
    }

    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error> {
        let mut shared = SharedFiles::load(ctx)?;
        let mut state = CallState::default();
        for event in events {
            if event.outcome() == Some("failure") {
                continue;
            }
            let Some(user) = event.user().filter(|u| !u.is_empty()) else {
                continue;
            };
            match event.kind() {
                SHARE_KIND => shared.learn(&event, self.config.max_shared_files),
                DOWNLOAD_KIND => self.download(&event, user, &shared, &mut state, ctx, out)?,
                _ => {
                    let history = state.logins.get_mut(ctx, LoginHistory::key(user))?;
                    history.learn(&event, self.config.max_places, self.config.learning);
                }
            }
        }
        state.logins.flush(ctx)?;
        state.volumes.flush(ctx)?;
        shared.save(ctx)
    }
}

/// The state entries of one call.
#[derive(Default)]
struct CallState {
    logins: StateCache<LoginHistory>,
    volumes: StateCache<Hourly>,
}

/// What makes a downloaded file worth protecting.
struct FileSignals {
    external: bool,
    sensitive: bool,
}

impl InsiderDownload {
    fn download(
        &self,
        event: &Event<'_>,
        user: &str,
        shared: &SharedFiles,
        state: &mut CallState,
        ctx: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error> {
        let file = FileSignals {
            external: matches!(event.file_visibility(), Some("external" | "public"))
                || shared.contains(event),
            sensitive: self.sensitive(event),
        };
        let volume = state.volumes.get_mut(ctx, volume_key(user))?;
        volume.advance(event.time(), self.config.baseline_hours);
        volume.count = volume.count.saturating_add(1);

        let departed = self
            .config
            .departed
            .iter()
            .any(|d| d.covers(user, event.time()));
        let protected = file.external || file.sensitive;
        if departed && (protected || !volume.reported) {
            let history = state.logins.get(ctx, LoginHistory::key(user))?;
            let login = history.novel_within(event.time(), self.config.window);
            out.push(departed_finding(event, user, &file, login));
            // The hour is reported: no second departed finding for an
            // ordinary file, no bulk finding on top, and it is not learned.
            volume.reported |= !protected;
        } else if protected {
            let history = state.logins.get(ctx, LoginHistory::key(user))?;
            if let Some(login) = history.novel_within(event.time(), self.config.window) {
                out.push(new_login_finding(event, user, &file, login));
            }
        }
        if !volume.reported && volume.exceeds(self.config.factor, self.config.min_downloads) {
            out.push(bulk_finding(event, user, volume));
            volume.reported = true;
        }
        Ok(())
    }

    fn sensitive(&self, event: &Event<'_>) -> bool {
        let labelled = [
            "SensitivityLabelId",
            "SensitivityLabel",
            "sensitivity_label",
        ]
        .iter()
        .any(|name| event.attr(name).is_some_and(|v| !v.is_empty()));
        let name = event.file_name().unwrap_or_default().to_lowercase();
        labelled
            || self
                .config
                .sensitive_words
                .iter()
                .any(|word| name.contains(word.as_str()))
    }
}

fn volume_key(user: &str) -> String {
    format!("volume/{user}")
}

fn file_label<'a>(event: &Event<'a>) -> &'a str {
    event
        .file_name()
        .or(event.url())
        .or(event.attr("doc_id"))
        .unwrap_or("a file")
}

fn file_reason(file: &FileSignals) -> &'static str {
    match (file.external, file.sensitive) {
        (true, true) => "sensitive and shared outside the organisation",
        (true, false) => "shared outside the organisation",
        (false, true) => "sensitive",
        (false, false) => "",
    }
}

fn base(event: &Event<'_>, kind: &str, severity: u8, title: &str, summary: String) -> Finding {
    Finding::new(kind, severity, title, summary)
        .for_event(event)
        .user(event.user())
        .ip(event.src_ip())
        .mitre(T_CLOUD_STORAGE)
        .mitre(T_EXFIL_WEB)
        .attr("file", file_label(event))
}

fn new_login_finding(
    event: &Event<'_>,
    user: &str,
    file: &FileSignals,
    login: &NovelLogin,
) -> Finding {
    let summary = format!(
        "{user} downloaded {} ({}) {}.",
        file_label(event),
        file_reason(file),
        login.described_before(event.time())
    );
    let severity = if file.external && file.sensitive {
        85
    } else {
        75
    };
    let finding = base(
        event,
        "insider_download.after_new_login",
        severity,
        "Protected file downloaded after a login from a new place",
        summary,
    )
    .attr("reasons", reasons(file));
    login.named_on(finding)
}

fn departed_finding(
    event: &Event<'_>,
    user: &str,
    file: &FileSignals,
    login: Option<&NovelLogin>,
) -> Finding {
    let protected = file.external || file.sensitive;
    let what = if protected {
        format!("{} ({})", file_label(event), file_reason(file))
    } else {
        file_label(event).to_owned()
    };
    let after = login.map_or_else(String::new, |login| {
        format!(" {}", login.described_before(event.time()))
    });
    let mut finding = base(
        event,
        "insider_download.departed_user",
        if protected { 90 } else { 70 },
        "File downloaded by a departed user",
        format!("{user}, a departed user, downloaded {what}{after}."),
    )
    .attr("reasons", reasons(file));
    if let Some(login) = login {
        finding = login.named_on(finding);
    }
    finding
}

fn bulk_finding(event: &Event<'_>, user: &str, volume: &Hourly) -> Finding {
    let summary = format!(
        "{user} downloaded {} files within an hour, against a usual {:.0} per active hour.",
        volume.count, volume.mean
    );
    base(
        event,
        "insider_download.bulk",
        60,
        "Bulk file download",
        summary,
    )
    .attr("downloads", volume.count.to_string())
    .attr("baseline", format!("{:.1}", volume.mean))
}

fn reasons(file: &FileSignals) -> String {
    let mut reasons = Vec::new();
    if file.external {
        reasons.push("external");
    }
    if file.sensitive {
        reasons.push("sensitive");
    }
    reasons.join(",")
}

palisade_sdk::export_detector!(InsiderDownload);
