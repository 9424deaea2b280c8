//! The attacks hidden in the month, with their published details, and the
//! ground truth of which records belong to each step.
//!
//! The account takeover (March 2024): mail from an unknown sender with a
//! link behind "Click Here"; the user clicks through Safe Links and the
//! laptop reaches `rz8js7sjbef.latovafineart.life`, a domain registered
//! four days before; a minute later the account signs in from
//! 193.222.96.91 in the Netherlands; the next day an authenticator app is
//! registered from there; the day after, from a VPN address, an inbox
//! rule named "..." moves mail to RSS Feeds, marks it read and stops
//! other rules; then thousands of phishing mails leave the account with a
//! document link behind "Click Here", bounce-backs pile up, and
//! colleagues click: their laptops reach `thecalebgroup.top`, registered
//! that day and hosted on 193.222.96.91.
//!
//! The insider: an employee who left logs into Google Workspace from an
//! IPv6 address never seen before and downloads an externally shared
//! InDesign file.

use rand::RngExt;
use rand::rngs::StdRng;
use serde::Serialize;

use crate::directory::{DOMAIN, Directory};
use crate::logs::{DAY, HOUR, LogFile, MINUTE, Micros, SECOND, format_time};
use crate::names::{self, Place};
use crate::normal::{SharedDocument, address_of, partner_contact, zeek_uid};
use crate::vendor::{defender, entra, guid, m365, workspace, zeek};

/// Where the hijacked account signs in from.
pub const ATTACKER_IP: &str = "193.222.96.91";
/// Entra's location of [`ATTACKER_IP`].
pub const ATTACKER_PLACE: Place = ("Amsterdam", "North Holland", "NL", 52.374, 4.8897);
/// The VPN address the inbox rule is created from.
pub const VPN_IP: &str = "192.0.2.77";
/// Entra's location of [`VPN_IP`].
pub const VPN_PLACE: Place = ("Rotterdam", "South Holland", "NL", 51.9244, 4.4777);
/// The first phishing site.
pub const FIRST_SITE: &str = "rz8js7sjbef.latovafineart.life";
/// The second phishing site, hosted on [`ATTACKER_IP`].
pub const SECOND_SITE: &str = "thecalebgroup.top";
/// The unknown sender of the first mail.
pub const PHISHER: &str = "accounts@meridian-artsupply.com";
/// The address the departed employee signs in from.
pub const INSIDER_IP: &str = "2001:db8:9f2c:41::35";
/// Phishing messages sent from the hijacked account.
pub const PHISHING_MESSAGES: usize = 2_400;
/// Bounce-backs of those.
pub const BOUNCES: usize = 180;

/// A record of an attack, for the day it falls on.
#[derive(Debug, Clone)]
pub struct Planted {
    /// Which file of the day.
    pub file: LogFile,
    /// When.
    pub time: Micros,
    /// The record.
    pub line: String,
}

/// One step of an attack as the ground truth tells it.
#[derive(Debug, Clone, Serialize)]
pub struct Step {
    /// Short name.
    pub step: String,
    /// When it starts, RFC 3339.
    pub time: String,
    /// What happens.
    pub description: String,
    /// The records of the step: the file under the output folder and a
    /// text that identifies the record in it (the vendor's record id).
    pub records: Vec<RecordRef>,
}

/// One record of a step.
#[derive(Debug, Clone, Serialize)]
pub struct RecordRef {
    /// Path under the output folder.
    pub file: String,
    /// The vendor's id of the record, found in its text.
    pub id: String,
}

/// An attack: who, with what, and its steps.
#[derive(Debug, Clone, Serialize)]
pub struct Attack {
    /// `account_takeover` or `insider_data_theft`.
    pub name: String,
    /// The account the attack is about.
    pub user: String,
    /// Other people the attack reached.
    pub other_victims: Vec<String>,
    /// The attacker's addresses.
    pub ips: Vec<String>,
    /// The attacker's domains.
    pub domains: Vec<AttackDomain>,
    /// The steps, in time order.
    pub steps: Vec<Step>,
}

/// A domain of the attacker's.
#[derive(Debug, Clone, Serialize)]
pub struct AttackDomain {
    /// The host name used.
    pub name: String,
    /// The day it was registered, `YYYY-MM-DD`.
    pub registered: String,
}

/// Who the story happens to.
#[derive(Debug, Clone)]
pub struct Cast {
    /// The hijacked account's owner.
    pub victim: usize,
    /// Colleagues who click the second wave.
    pub clickers: Vec<usize>,
    /// The employee who left.
    pub departed: usize,
    /// The day (index) the departed employee left.
    pub departure_day: u32,
    /// The externally shared file the departed employee takes.
    pub document: SharedDocument,
}

/// Builds the records of both attacks.
pub struct Plot<'a> {
    directory: &'a Directory,
    rng: &'a mut StdRng,
    /// The organisation's first midnight.
    start: Micros,
    /// Records by day index.
    pub planted: Vec<(u32, Planted)>,
}

impl<'a> Plot<'a> {
    /// A plot for the month starting at `start`.
    pub fn new(directory: &'a Directory, rng: &'a mut StdRng, start: Micros) -> Plot<'a> {
        Plot {
            directory,
            rng,
            start,
            planted: Vec::new(),
        }
    }

    fn plant(&mut self, file: LogFile, time: Micros, line: String) -> RecordRef {
        let day = u32::try_from((time - self.start).div_euclid(DAY)).unwrap_or(0);
        let path = format!(
            "logs/{}/{}",
            format_time(time, "%Y-%m-%d"),
            file.file_name()
        );
        let id = record_id(file, &line);
        self.planted.push((day, Planted { file, time, line }));
        RecordRef { file: path, id }
    }

    fn id(&mut self) -> String {
        guid(self.rng)
    }

    /// `t` with a random fraction of a second, as real log times have.
    fn at(&mut self, t: Micros) -> Micros {
        t + self.rng.random_range(0..SECOND)
    }

    fn lookup(&mut self, device: usize, t: Micros, name: &str, answer: &str) -> Vec<RecordRef> {
        let ip = self.directory.devices[device].ip.clone();
        let port = self.rng.random_range(49152..65535);
        let uid = zeek_uid(self.rng);
        let dns = zeek::dns(t, &uid, &ip, port, name, &[answer.to_owned()]);
        let uid = zeek_uid(self.rng);
        let ssl = zeek::ssl(t + 90_000, &uid, &ip, port + 1, answer, name);
        vec![
            self.plant(LogFile::ZeekDns, t, dns),
            self.plant(LogFile::ZeekSsl, t + 90_000, ssl),
        ]
    }

    fn sign_in(&mut self, user: usize, t: Micros, ip: &str, place: Place) -> RecordRef {
        let person = &self.directory.people[user];
        let id = self.id();
        let line = entra::sign_in(&entra::SignIn {
            time: t,
            id: &id,
            upn: &person.upn,
            display: &person.display,
            ip,
            place,
            app: "OfficeHome",
            success: true,
        });
        self.plant(LogFile::EntraSignIn, t, line)
    }

    /// The account takeover, its first mail at `d0` + 14:02 UTC.
    pub fn account_takeover(&mut self, cast: &Cast, d0: Micros) -> Attack {
        let directory = self.directory;
        let victim = &directory.people[cast.victim];
        let mut steps = Vec::new();

        // Day 0: the mail, the click, the foreign sign-in.
        let t = self.at(d0 + 14 * HOUR + 2 * MINUTE + 11 * SECOND);
        let network_id = self.id();
        let link = format!("https://{FIRST_SITE}/invoice/4471?ref=ap");
        let mail = defender::message(&defender::Message {
            time: t,
            network_id: &network_id,
            internet_id: "<20240311140211.4471@meridian-artsupply.com>",
            from: PHISHER,
            to: &victim.upn,
            subject: "Outstanding invoice 4471",
            direction: "Inbound",
            sender_ip: "192.0.2.150",
            urls: 1,
            threats: "",
        });
        let records = vec![
            self.plant(LogFile::DefenderEmail, t, mail),
            self.plant(
                LogFile::DefenderEmail,
                t,
                defender::url(t, &network_id, &link, "Click Here"),
            ),
        ];
        steps.push(step("phishing_mail", t, format!(
            "{} receives \"Outstanding invoice 4471\" from {PHISHER}, a sender the organisation never heard from, with a link to {FIRST_SITE} behind \"Click Here\"",
            victim.upn
        ), records));

        let t = self.at(d0 + 14 * HOUR + 5 * MINUTE + 37 * SECOND);
        let click = defender::click(t, &network_id, &link, &victim.upn, victim.office_ip());
        let mut records = vec![self.plant(LogFile::DefenderEmail, t, click)];
        let safelinks = "nam12.safelinks.protection.outlook.com";
        records.extend(self.lookup(
            victim.laptop,
            t - 2 * SECOND,
            safelinks,
            &address_of(safelinks),
        ));
        records.extend(self.lookup(victim.laptop, t + SECOND, FIRST_SITE, "172.67.181.42"));
        steps.push(step("click", t, format!(
            "{} clicks the link; the laptop {} goes through Safe Links and reaches {FIRST_SITE}",
            victim.upn, directory.devices[victim.laptop].name
        ), records));

        let t = self.at(d0 + 14 * HOUR + 6 * MINUTE + 40 * SECOND);
        let mut records = vec![self.sign_in(cast.victim, t, ATTACKER_IP, ATTACKER_PLACE)];
        let id = self.id();
        let access = m365::mail_accessed(t + 3 * MINUTE, &id, &victim.upn, ATTACKER_IP);
        records.push(self.plant(LogFile::UnifiedAudit, t + 3 * MINUTE, access));
        steps.push(step("foreign_sign_in", t, format!(
            "{} signs in from {ATTACKER_IP} in Amsterdam, NL, a minute after the click, and reads the mailbox; the account had only ever signed in from the US",
            victim.upn
        ), records));

        // Day 1: a new MFA method from the same place.
        let t = self.at(d0 + DAY + 9 * HOUR + 28 * MINUTE);
        let mut records = vec![self.sign_in(cast.victim, t, ATTACKER_IP, ATTACKER_PLACE)];
        let id = self.id();
        let line = entra::security_info_registered(t + 3 * MINUTE, &id, &victim.upn, ATTACKER_IP);
        records.push(self.plant(LogFile::EntraAudit, t + 3 * MINUTE, line));
        steps.push(step(
            "mfa_registered",
            t,
            format!(
                "An authenticator app is registered as a new MFA method for {} from {ATTACKER_IP}",
                victim.upn
            ),
            records,
        ));

        // Day 2: the hiding rule from a VPN address.
        let t = self.at(d0 + 2 * DAY + 8 * HOUR + 12 * MINUTE);
        let mut records = vec![self.sign_in(cast.victim, t, VPN_IP, VPN_PLACE)];
        let id = self.id();
        let rule = m365::new_inbox_rule(
            t + 3 * MINUTE,
            &id,
            &victim.upn,
            VPN_IP,
            &[
                ("AlwaysDeleteOutlookRulesBlob", "False"),
                ("Force", "False"),
                ("MoveToFolder", "RSS Feeds"),
                ("Name", "..."),
                ("MarkAsRead", "True"),
                ("StopProcessingRules", "True"),
            ],
        );
        records.push(self.plant(LogFile::UnifiedAudit, t + 3 * MINUTE, rule));
        steps.push(step("inbox_rule", t, format!(
            "From the VPN address {VPN_IP}, an inbox rule named \"...\" is created for {}: move to RSS Feeds, mark as read, stop processing other rules",
            victim.upn
        ), records));

        // Day 2: the phishing wave, the bounces, the colleagues' clicks.
        let start = self.at(d0 + 2 * DAY + 8 * HOUR + 40 * MINUTE);
        let (records, internal) = self.phishing_wave(cast, start);
        steps.push(step("phishing_sent", start, format!(
            "{PHISHING_MESSAGES} phishing mails leave {}'s account in an hour, each with a link to {SECOND_SITE} behind \"Click Here\"",
            victim.upn
        ), records));
        let records = self.bounces(cast, start + 5 * MINUTE);
        steps.push(step(
            "bounces",
            start + 5 * MINUTE,
            format!("{BOUNCES} bounce-backs reach {}'s mailbox", victim.upn),
            records,
        ));
        let t = start + 22 * MINUTE;
        let mut records = Vec::new();
        for (n, &clicker) in cast.clickers.iter().enumerate() {
            let person = &directory.people[clicker];
            let at = self.at(t + i64::try_from(n).unwrap_or(0) * 17 * MINUTE);
            let (network_id, url) = internal
                .iter()
                .find(|(to, _, _)| *to == clicker)
                .map(|(_, id, url)| (id.clone(), url.clone()))
                .unwrap_or_default();
            let click = defender::click(at, &network_id, &url, &person.upn, person.office_ip());
            records.push(self.plant(LogFile::DefenderEmail, at, click));
            records.extend(self.lookup(person.laptop, at + SECOND, SECOND_SITE, ATTACKER_IP));
        }
        let names: Vec<&str> = cast
            .clickers
            .iter()
            .map(|&c| directory.people[c].upn.as_str())
            .collect();
        steps.push(step(
            "colleagues_click",
            t,
            format!(
                "{} click the link; their laptops reach {SECOND_SITE}, hosted on {ATTACKER_IP}",
                names.join(", ")
            ),
            records,
        ));

        Attack {
            name: "account_takeover".into(),
            user: victim.upn.clone(),
            other_victims: names.iter().map(|n| (*n).to_owned()).collect(),
            ips: vec![ATTACKER_IP.into(), VPN_IP.into()],
            domains: vec![
                AttackDomain {
                    name: FIRST_SITE.into(),
                    registered: format_time(d0 - 4 * DAY, "%Y-%m-%d"),
                },
                AttackDomain {
                    name: SECOND_SITE.into(),
                    registered: format_time(d0 + 2 * DAY, "%Y-%m-%d"),
                },
            ],
            steps,
        }
    }

    /// The phishing mails: most to the victim's outside contacts, some to
    /// colleagues (the clickers among them). Returns the records and, per
    /// colleague, the message id and link they got.
    fn phishing_wave(
        &mut self,
        cast: &Cast,
        start: Micros,
    ) -> (Vec<RecordRef>, Vec<(usize, String, String)>) {
        let directory = self.directory;
        let victim = &directory.people[cast.victim];
        let subject = format!("{} shared \"Q1 Statement.pdf\" with you", victim.display);
        let mut colleagues: Vec<usize> = cast.clickers.clone();
        colleagues.extend(
            (0..directory.people.len())
                .filter(|&p| p != cast.victim && p % 7 == 3)
                .take(36),
        );
        let mut records = Vec::new();
        let mut internal = Vec::new();
        for n in 0..PHISHING_MESSAGES {
            let step = HOUR / i64::try_from(PHISHING_MESSAGES).unwrap_or(1);
            let t = self.at(start + i64::try_from(n).unwrap_or(0) * step);
            let (to, direction, colleague) = match colleagues.get(n / 60) {
                Some(&c) if n % 60 == 0 => (directory.people[c].upn.clone(), "Intra-org", Some(c)),
                _ => {
                    let partner = names::PARTNERS[n % names::PARTNERS.len()];
                    let contact = partner_contact(partner, n / names::PARTNERS.len() % 3);
                    let to = if n % 4 == 0 {
                        contact
                    } else {
                        format!("contact{n}@{partner}")
                    };
                    (to, "Outbound", None)
                }
            };
            let network_id = self.id();
            let internet_id = format!("<{}@{DOMAIN}>", &network_id[..13]);
            let url = format!("https://{SECOND_SITE}/s/{:x}", self.rng.random::<u32>());
            let message = defender::message(&defender::Message {
                time: t,
                network_id: &network_id,
                internet_id: &internet_id,
                from: &victim.upn,
                to: &to,
                subject: &subject,
                direction,
                sender_ip: "40.107.22.51",
                urls: 1,
                threats: "",
            });
            records.push(self.plant(LogFile::DefenderEmail, t, message));
            records.push(self.plant(
                LogFile::DefenderEmail,
                t,
                defender::url(t, &network_id, &url, "Click Here"),
            ));
            let id = self.id();
            let send = m365::send(t, &id, &victim.upn, VPN_IP, &internet_id, &subject);
            records.push(self.plant(LogFile::UnifiedAudit, t, send));
            if let Some(c) = colleague {
                internal.push((c, network_id, url));
            }
        }
        (records, internal)
    }

    fn bounces(&mut self, cast: &Cast, start: Micros) -> Vec<RecordRef> {
        let victim = &self.directory.people[cast.victim];
        let mut records = Vec::new();
        for n in 0..BOUNCES {
            let t = self.at(start + i64::try_from(n).unwrap_or(0) * 20 * SECOND);
            let partner = names::PARTNERS[n % names::PARTNERS.len()];
            let network_id = self.id();
            let line = defender::message(&defender::Message {
                time: t,
                network_id: &network_id,
                internet_id: &format!("<{}@{partner}>", &network_id[..13]),
                from: &format!("postmaster@{partner}"),
                to: &victim.upn,
                subject: &format!(
                    "Undeliverable: {} shared \"Q1 Statement.pdf\" with you",
                    victim.display
                ),
                direction: "Inbound",
                sender_ip: &address_of(partner),
                urls: 0,
                threats: "",
            });
            records.push(self.plant(LogFile::DefenderEmail, t, line));
        }
        records
    }

    /// The insider: the departed employee's sign-in and download on day
    /// `day` (midnight).
    pub fn insider(&mut self, cast: &Cast, day: Micros) -> Attack {
        let directory = self.directory;
        let person = &directory.people[cast.departed];
        let t = self.at(day + 2 * HOUR + 13 * MINUTE);
        let id = self.rng.random::<i64>() >> 1;
        let login = workspace::login(t, id, &person.upn, INSIDER_IP);
        let login_step = step(
            "sign_in_after_leaving",
            t,
            format!(
                "{}, who left on {}, signs in to Google Workspace from {INSIDER_IP}, an address never seen for the account",
                person.upn,
                format_time(self.start + i64::from(cast.departure_day) * DAY, "%Y-%m-%d")
            ),
            vec![self.plant(LogFile::Workspace, t, login)],
        );
        let t = t + 6 * MINUTE;
        let id = self.rng.random::<i64>() >> 1;
        let download = workspace::drive_access(
            t,
            id,
            &person.upn,
            INSIDER_IP,
            "download",
            &cast.document.as_document(directory),
        );
        let download_step = step(
            "download",
            t,
            format!(
                "{} downloads \"{}\", shared outside the organisation",
                person.upn, cast.document.title
            ),
            vec![self.plant(LogFile::Workspace, t, download)],
        );
        Attack {
            name: "insider_data_theft".into(),
            user: person.upn.clone(),
            other_victims: Vec::new(),
            ips: vec![INSIDER_IP.into()],
            domains: Vec::new(),
            steps: vec![login_step, download_step],
        }
    }
}

fn step(name: &str, t: Micros, description: String, records: Vec<RecordRef>) -> Step {
    Step {
        step: name.into(),
        time: format_time(t, "%Y-%m-%dT%H:%M:%SZ"),
        description,
        records,
    }
}

/// The vendor's id of a record built by this crate, the text that
/// identifies it in its file.
fn record_id(file: LogFile, line: &str) -> String {
    let key = match file {
        LogFile::DefenderEmail => "\"ReportId\":\"",
        LogFile::EntraAudit | LogFile::EntraSignIn => "\"id\":\"",
        LogFile::UnifiedAudit => "\"Id\":\"",
        LogFile::Workspace => "\"uniqueQualifier\":\"",
        LogFile::ZeekDns | LogFile::ZeekSsl => {
            return line.split('\t').nth(1).unwrap_or_default().to_owned();
        }
    };
    line.split(key)
        .nth(1)
        .and_then(|rest| rest.split('"').next())
        .unwrap_or_default()
        .to_owned()
}
