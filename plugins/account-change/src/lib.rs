//! Palisade detector `account-change`: MFA, password and recovery changes,
//! weighed by where the user had logged in from.
//!
//! An attacker who has a user's password registers their own MFA method,
//! removes the user's, or switches MFA off, so the account stays theirs
//! (MITRE ATT&CK T1098.005, Device Registration; T1556.006, Multi-Factor
//! Authentication). The detector reads:
//!
//! - `auth.login` (successful): learns, per user, the addresses and
//!   countries they log in from ([`logins`]), and remembers the latest
//!   login from a place never seen before;
//! - `account.mfa_change` and `account.change`: judges each change
//!   ([`change`] says what counts as what).
//!
//! A new MFA method, a removed method and MFA disabled are always
//! reported. Everyday changes (a password or recovery change, a new
//! default method) are reported only when they look like someone else:
//! made from an address or country never seen for the user, or within
//! `window_hours` of a login from such a place.
//!
//! Severity: 50 for a new method, 60 for a removed one, 70 for MFA
//! disabled, 40 for the others; +20 when the change comes from a
//! never-seen address, +10 more for a never-seen country, +20 when it
//! follows a login from a new place within the window; capped at 100.
//! A user with no login history has nothing new: the first days of a
//! deployment do not raise severity.
//!
//! The finding's `user` is the account changed (the target of an admin's
//! change when the record names one), `ip` the address the change came
//! from; `attrs` say `change`, `actor`, `reasons` and the new login's
//! address, country and event id. Failed changes are ignored.
//!
//! State: one entry per user, bounded by `max_places`.

pub mod change;
mod config;

use palisade_sdk::logins::{LoginHistory, NovelLogin, Novelty};
use palisade_sdk::{
    Context, Description, Detector, Error, Event, Events, Finding, Findings, Settings, StateCache,
};

use crate::change::{ACCOUNT_KIND, Change, MFA_KIND};
use crate::config::Config;

/// The login event kind.
pub const LOGIN_KIND: &str = "auth.login";

/// MITRE ATT&CK: Account Manipulation: Device Registration.
const T_DEVICE_REGISTRATION: &str = "T1098.005";
/// MITRE ATT&CK: Modify Authentication Process: Multi-Factor Authentication.
const T_MFA: &str = "T1556.006";
/// MITRE ATT&CK: Account Manipulation.
const T_ACCOUNT_MANIPULATION: &str = "T1098";

/// The detector.
#[derive(Debug)]
pub struct AccountChange {
    config: Config,
}

impl Detector for AccountChange {
    fn describe() -> Description {
        let description = Description::new(
            "account-change",
            env!("CARGO_PKG_VERSION"),
            "Finds MFA methods registered or removed, MFA disabled, and password or \
             recovery changes made from a new place.",
        )
        .kinds([LOGIN_KIND, MFA_KIND, ACCOUNT_KIND])
        .columns([
            "action",
            "outcome",
            "user",
            "src_ip",
            "src_country",
            "attrs",
            "raw",
        ]);
        config::declare(description)
    }

    fn configure(settings: &Settings) -> Result<Self, Error> {
        Ok(AccountChange {
            config: Config::from_settings(settings)?,
        })
    }

    fn detect(
        &mut self,
        events: &Events,
        ctx: &mut Context,
        out: &mut Findings,
    ) -> Result<(), Error> {
        let mut logins = StateCache::<LoginHistory>::default();
        for event in events {
            if event.outcome() == Some("failure") {
                continue;
            }
            let Some(user) = event.user().filter(|u| !u.is_empty()) else {
                continue;
            };
            if event.kind() == LOGIN_KIND {
                logins.get_mut(ctx, LoginHistory::key(user))?.learn(
                    &event,
                    self.config.max_places,
                    self.config.learning,
                );
            } else if let Some(change) = change::classify(&event)
                && let Some(finding) = self.judge(&event, user, change, &mut logins, ctx)?
            {
                out.push(finding);
            }
        }
        logins.flush(ctx)
    }
}

/// Why a change looks like someone else's.
struct Signals<'a> {
    novelty: Novelty,
    after: Option<&'a NovelLogin>,
}

impl AccountChange {
    /// The finding for one change, if it is reported.
    fn judge(
        &self,
        event: &Event<'_>,
        actor: &str,
        change: Change,
        logins: &mut StateCache<LoginHistory>,
        ctx: &mut Context,
    ) -> Result<Option<Finding>, Error> {
        let target = target_account(event);
        let subject = target.as_deref().unwrap_or(actor);
        let actor_history = logins.get(ctx, LoginHistory::key(actor))?.clone();
        let subject_history = logins.get(ctx, LoginHistory::key(subject))?.clone();
        let signals = Signals {
            novelty: actor_history.novelty_at(
                event.src_ip(),
                event.src_country(),
                event.time(),
                self.config.learning,
            ),
            after: subject_history
                .novel_within(event.time(), self.config.window)
                .or_else(|| actor_history.novel_within(event.time(), self.config.window)),
        };
        let suspicious = signals.novelty.any() || signals.after.is_some();
        if !change.always_reported() && !suspicious {
            return Ok(None);
        }
        let severity = severity(change, &signals);
        if severity < self.config.min_severity {
            return Ok(None);
        }
        Ok(Some(finding(
            event, actor, subject, change, &signals, severity,
        )))
    }
}

fn severity(change: Change, signals: &Signals<'_>) -> u8 {
    let base: u8 = match change {
        Change::MfaRegistered => 50,
        Change::MfaRemoved => 60,
        Change::MfaDisabled => 70,
        Change::MfaOther | Change::Password | Change::Recovery => 40,
    };
    let mut bonus = 0;
    if signals.novelty.new_ip {
        bonus += 20;
    }
    if signals.novelty.new_country {
        bonus += 10;
    }
    if signals.after.is_some() {
        bonus += 20;
    }
    base.saturating_add(bonus).min(100)
}

fn finding(
    event: &Event<'_>,
    actor: &str,
    subject: &str,
    change: Change,
    signals: &Signals<'_>,
    severity: u8,
) -> Finding {
    let (summary, reasons) = summary(event, actor, subject, change, signals);
    let mut finding = Finding::new(
        change.finding_kind(),
        severity,
        format!("Account {}", change.describe()),
        summary,
    )
    .for_event(event)
    .user(subject)
    .ip(event.src_ip())
    .attr(
        "change",
        change.finding_kind().trim_start_matches("account_change."),
    )
    .attr("actor", actor)
    .attr("reasons", reasons.join(","));
    if let Some(login) = signals.after {
        finding = login.named_on(finding);
    }
    match change {
        Change::MfaRegistered => finding.mitre(T_DEVICE_REGISTRATION).mitre(T_MFA),
        Change::MfaRemoved | Change::MfaDisabled | Change::MfaOther => finding.mitre(T_MFA),
        Change::Password | Change::Recovery => finding.mitre(T_ACCOUNT_MANIPULATION),
    }
}

/// One sentence saying who changed what, from where, and the reasons.
fn summary(
    event: &Event<'_>,
    actor: &str,
    subject: &str,
    change: Change,
    signals: &Signals<'_>,
) -> (String, Vec<&'static str>) {
    let mut summary = if subject == actor {
        format!("{subject} {}", change.describe())
    } else {
        format!("{actor} {} for {subject}", change.describe())
    };
    let mut reasons = Vec::new();
    if signals.novelty.new_ip {
        reasons.push("new_address");
        let ip = event.src_ip().unwrap_or_default();
        summary.push_str(&format!(" from {ip}, an address never seen for them"));
    }
    if signals.novelty.new_country {
        reasons.push("new_country");
        let country = event.src_country().unwrap_or_default();
        summary.push_str(&format!(" in {country}, a country never seen for them"));
    }
    if let Some(login) = signals.after {
        reasons.push("after_new_login");
        summary.push_str(&format!(", {}", login.described_before(event.time())));
    }
    summary.push('.');
    (summary, reasons)
}

/// The account an administrator's or a service's change is about, when
/// the record names one: Entra's target user, the unified audit log's
/// `ObjectId`, Okta's and Google's target.
fn target_account(event: &Event<'_>) -> Option<String> {
    [
        "targetResources.userPrincipalName",
        "ObjectId",
        "target_user",
    ]
    .iter()
    .filter_map(|name| event.attr(name))
    .map(|v| v.split(',').next().unwrap_or(v).trim())
    .find(|v| v.contains('@') && !v.contains(['/', ' ']))
    .map(str::to_lowercase)
}

palisade_sdk::export_detector!(AccountChange);
