//! Normal life: what everyone does on an ordinary day, and the devices'
//! traffic that goes with it.
//!
//! People sign in from home in the morning and from their office during
//! the day (a few from a hotel abroad, on a trip planned so the flight
//! takes longer than the distance needs), read and send mail with known
//! partners, colleagues and newsletters, click some of its links, work on
//! Drive documents, and now and then create an ordinary inbox rule. Their
//! laptops resolve popular sites, their partners' sites and a personal
//! long tail of small sites, a few of them new every day. A handful of
//! companies write for the first time, with a link to their own site.

use rand::RngExt;
use rand::rngs::StdRng;
use rand::seq::IndexedRandom;

use crate::directory::{DOMAIN, Directory, Person};
use crate::logs::{DayLogs, HOUR, LogFile, MINUTE, Micros, SECOND};
use crate::names::{self, Place};
use crate::vendor::workspace::Document;
use crate::vendor::{defender, entra, guid, m365, workspace, zeek};

/// A day's generation context: the organisation, the randomness, and the
/// sequence that numbers records.
pub struct Day<'a> {
    /// The organisation.
    pub directory: &'a Directory,
    /// Index of the day from the first.
    pub index: u32,
    /// The day's records.
    pub logs: DayLogs,
    /// The generator's randomness.
    pub rng: &'a mut StdRng,
    /// People who do nothing today (they left, or are part of the story).
    pub idle: &'a [usize],
    /// Everyone's Drive documents.
    pub documents: &'a [SharedDocument],
}

/// A Drive document somebody owns.
#[derive(Debug, Clone)]
pub struct SharedDocument {
    /// Drive id.
    pub id: String,
    /// Title with extension.
    pub title: String,
    /// Owner index.
    pub owner: usize,
    /// Drive visibility.
    pub visibility: &'static str,
}

impl SharedDocument {
    /// The document as Drive events name it.
    pub fn as_document<'a>(&'a self, directory: &'a Directory) -> Document<'a> {
        Document {
            id: &self.id,
            title: &self.title,
            owner: &directory.people[self.owner].upn,
            visibility: self.visibility,
        }
    }
}

/// Hours from UTC to the local time of each office (standard time).
const OFFICE_UTC_OFFSET: [i64; 4] = [-6, -5, -6, 0];

/// Makes everyone's documents: a few each, some shared outside.
pub fn documents(directory: &Directory, rng: &mut StdRng) -> Vec<SharedDocument> {
    let mut documents = Vec::new();
    for (owner, _) in directory.people.iter().enumerate() {
        for n in 0..rng.random_range(2..5) {
            let (stem, ext) = names::DOCUMENTS[rng.random_range(0..names::DOCUMENTS.len())];
            let visibility = match rng.random_range(0..10) {
                0 => "shared_externally",
                1..4 => "private",
                _ => "shared_internally",
            };
            documents.push(SharedDocument {
                id: format!("1{:x}{owner:04x}{n:x}", rng.random::<u64>()),
                title: format!("{stem} {}.{ext}", 2023 + n % 2),
                owner,
                visibility,
            });
        }
    }
    documents
}

/// The answer a public DNS name resolves to: fixed per name.
pub fn address_of(name: &str) -> String {
    let h = name.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x100_0000_01b3)
    });
    let [a, b, c, d, ..] = h.to_le_bytes();
    format!(
        "{}.{b}.{c}.{}",
        [13, 23, 52, 104, 142, 151, 172][usize::from(a) % 7],
        1 + d % 250
    )
}

/// A Zeek connection id.
pub fn zeek_uid(rng: &mut StdRng) -> String {
    const ALPHABET: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789";
    let mut uid = String::from("C");
    for _ in 0..17 {
        uid.push(char::from(ALPHABET[rng.random_range(0..ALPHABET.len())]));
    }
    uid
}

impl Day<'_> {
    /// Whether the day is a Saturday or Sunday.
    pub fn weekend(&self) -> bool {
        use chrono::Datelike;
        let date = chrono::DateTime::from_timestamp_micros(self.logs.start).unwrap_or_default();
        matches!(date.weekday(), chrono::Weekday::Sat | chrono::Weekday::Sun)
    }

    /// Generates the day's normal activity.
    pub fn live(&mut self) {
        let weekend = self.weekend();
        for p in 0..self.directory.people.len() {
            if self.idle.contains(&p) || (weekend && self.rng.random_range(0..10) > 0) {
                continue;
            }
            self.person(p);
        }
        for device in self.directory.people.len()..self.directory.devices.len() {
            self.server(device);
        }
        // Companies writing for the first time: one every three days for
        // 250 people, fewer for a smaller organisation.
        let people = self.directory.people.len();
        if self.index >= 8 && self.rng.random_range(0..750) < people {
            self.new_company();
        }
    }

    /// A UTC time on the day, `local_hour` in office `office`'s time.
    fn local(&mut self, office: usize, from_hour: i64, to_hour: i64) -> Micros {
        let hour = from_hour - OFFICE_UTC_OFFSET[office];
        self.logs.start + hour * HOUR + self.rng.random_range(0..(to_hour - from_hour) * HOUR)
    }

    fn id(&mut self) -> String {
        guid(self.rng)
    }

    fn person(&mut self, p: usize) {
        let directory = self.directory;
        let person = &directory.people[p];
        let abroad = person
            .trip
            .as_ref()
            .filter(|t| self.index >= t.first_day && self.index < t.first_day + t.days);
        let travelling_home = person
            .trip
            .as_ref()
            .is_some_and(|t| self.index == t.first_day + t.days);
        if let Some(trip) = abroad {
            // Logins from the hotel, in the afternoon and evening UTC: on
            // the first day only from 18:00, hours after the last login at
            // home the day before, so the flight is plausible.
            let earliest = if self.index == trip.first_day { 18 } else { 12 };
            for _ in 0..3 {
                let t = self.logs.start
                    + earliest * HOUR
                    + self.rng.random_range(0..(23 - earliest) * HOUR);
                self.sign_in(person, t, &trip.ip.clone(), trip.place);
            }
            return;
        }
        if travelling_home {
            return;
        }
        let office = person.office;
        let home_place = person.home_place();
        // Morning at home, then the office.
        let morning = self.local(office, 7, 8);
        self.sign_in(person, morning, &person.home_ip.clone(), home_place);
        let arrival = self.local(office, 8, 10);
        self.sign_in(person, arrival, person.office_ip(), home_place);
        let later = self.local(office, 12, 17);
        self.sign_in(person, later, person.office_ip(), home_place);
        self.workspace(p, arrival);
        self.mail(p);
        self.browse(person.laptop, office, 300);
        if self.rng.random_range(0..400) == 0 {
            self.ordinary_rule(p);
        }
        if self.rng.random_range(0..1500) == 0 {
            self.new_phone(p);
        }
    }

    fn sign_in(&mut self, person: &Person, t: Micros, ip: &str, place: Place) {
        let failed_first = self.rng.random_range(0..40) == 0;
        if failed_first {
            let id = self.id();
            let line = entra::sign_in(&entra::SignIn {
                time: t - 20 * SECOND,
                id: &id,
                upn: &person.upn,
                display: &person.display,
                ip,
                place,
                app: "OfficeHome",
                success: false,
            });
            self.logs.push(LogFile::EntraSignIn, t - 20 * SECOND, line);
        }
        let id = self.id();
        let app = *[
            "OfficeHome",
            "Microsoft Teams",
            "Office 365 Exchange Online",
        ]
        .choose(self.rng)
        .unwrap_or(&"OfficeHome");
        let line = entra::sign_in(&entra::SignIn {
            time: t,
            id: &id,
            upn: &person.upn,
            display: &person.display,
            ip,
            place,
            app,
            success: true,
        });
        self.logs.push(LogFile::EntraSignIn, t, line);
    }

    fn workspace(&mut self, p: usize, arrival: Micros) {
        let directory = self.directory;
        let person = &directory.people[p];
        let ip = person.office_ip();
        let id = self.rng.random::<i64>() >> 1;
        let t = arrival + 3 * MINUTE;
        self.logs.push(
            LogFile::Workspace,
            t,
            workspace::login(t, id, &person.upn, ip),
        );
        for _ in 0..self.rng.random_range(2..7) {
            let doc = &self.documents[self.rng.random_range(0..self.documents.len())];
            if doc.visibility == "private" && doc.owner != p {
                continue;
            }
            let name = *["view", "view", "edit", "download"]
                .choose(self.rng)
                .unwrap_or(&"view");
            let t = t + self.rng.random_range(0..8 * HOUR);
            let id = self.rng.random::<i64>() >> 1;
            let line = workspace::drive_access(
                t,
                id,
                &person.upn,
                ip,
                name,
                &doc.as_document(self.directory),
            );
            self.logs.push(LogFile::Workspace, t, line);
        }
    }

    fn mail(&mut self, p: usize) {
        let directory = self.directory;
        let person = &directory.people[p];
        let office = person.office;
        // From partners.
        for partner in person.partners.clone() {
            if self.rng.random_range(0..3) == 0 {
                continue;
            }
            let contact = partner_contact(partner, self.rng.random_range(0..3));
            let link = (self.rng.random_range(0..3) == 0).then(|| {
                format!(
                    "https://www.{partner}/portal/orders/{}",
                    self.rng.random_range(1000..9999)
                )
            });
            let t = self.local(office, 8, 18);
            self.inbound(p, t, &contact, link.as_deref(), "View order");
        }
        // Newsletters.
        for _ in 0..self.rng.random_range(0..3) {
            let (from, site) =
                names::NEWSLETTERS[self.rng.random_range(0..names::NEWSLETTERS.len())];
            let link = format!("https://{site}/news/{}", self.rng.random_range(100..999));
            let t = self.local(office, 6, 20);
            self.inbound(p, t, from, Some(&link), "Read more");
        }
        // To colleagues and partners.
        for _ in 0..self.rng.random_range(2..7) {
            let t = self.local(office, 8, 18);
            if self.rng.random_range(0..3) == 0 && !person.partners.is_empty() {
                let partner = person.partners[self.rng.random_range(0..person.partners.len())];
                let to = partner_contact(partner, self.rng.random_range(0..3));
                self.outbound(p, t, &[to], "Outbound", None);
            } else {
                let colleague = self.rng.random_range(0..self.directory.people.len());
                if colleague == p || self.idle.contains(&colleague) {
                    continue;
                }
                let to = self.directory.people[colleague].upn.clone();
                let link = (self.rng.random_range(0..4) == 0).then(|| {
                    format!(
                        "https://contoso.sharepoint.com/sites/team/Shared%20Documents/{}",
                        self.rng.random_range(10..99)
                    )
                });
                self.outbound(p, t, &[to], "Intra-org", link.as_deref());
            }
        }
        let t = self.local(office, 9, 17);
        let id = self.id();
        let line = m365::mail_accessed(t, &id, &person.upn, person.office_ip());
        self.logs.push(LogFile::UnifiedAudit, t, line);
    }

    /// A message to `p` from outside; `p` clicks one link in five, and the
    /// laptop reaches the site through Safe Links.
    pub fn inbound(&mut self, p: usize, t: Micros, from: &str, link: Option<&str>, text: &str) {
        let directory = self.directory;
        let person = &directory.people[p];
        let network_id = self.id();
        let internet_id = format!(
            "<{}@{}>",
            &network_id[..13],
            from.split('@').nth(1).unwrap_or("mail")
        );
        let subject = *names::SUBJECTS.choose(self.rng).unwrap_or(&"Hello");
        let sender_ip = address_of(from.split('@').nth(1).unwrap_or_default());
        let line = defender::message(&defender::Message {
            time: t,
            network_id: &network_id,
            internet_id: &internet_id,
            from,
            to: &person.upn,
            subject,
            direction: "Inbound",
            sender_ip: &sender_ip,
            urls: usize::from(link.is_some()),
            threats: "",
        });
        self.logs.push(LogFile::DefenderEmail, t, line);
        let Some(link) = link else { return };
        self.logs.push(
            LogFile::DefenderEmail,
            t,
            defender::url(t, &network_id, link, text),
        );
        if self.rng.random_range(0..5) == 0 {
            let click = t + self.rng.random_range(MINUTE..3 * HOUR);
            self.click(p, click, &network_id, link);
        }
    }

    /// `p` clicks `link` of message `network_id` at `t` from the office;
    /// the laptop resolves Safe Links, then the site, and opens a TLS
    /// session to it.
    pub fn click(&mut self, p: usize, t: Micros, network_id: &str, link: &str) {
        let directory = self.directory;
        let person = &directory.people[p];
        let line = defender::click(t, network_id, link, &person.upn, person.office_ip());
        self.logs.push(LogFile::DefenderEmail, t, line);
        let host = link.split('/').nth(2).unwrap_or_default().to_owned();
        let laptop = person.laptop;
        self.lookup(
            laptop,
            t - 2 * SECOND,
            "nam12.safelinks.protection.outlook.com",
            true,
        );
        self.lookup(laptop, t + SECOND, &host, true);
    }

    /// `from` sends a message to each of `to` at `t` (one `EmailEvents`
    /// row per recipient), with `link` if any, and the unified audit log
    /// records the `Send`.
    pub fn outbound(
        &mut self,
        from: usize,
        t: Micros,
        to: &[String],
        direction: &str,
        link: Option<&str>,
    ) {
        let directory = self.directory;
        let person = &directory.people[from];
        let network_id = self.id();
        let internet_id = format!("<{}@{DOMAIN}>", &network_id[..13]);
        let subject = *names::SUBJECTS.choose(self.rng).unwrap_or(&"Hello");
        for recipient in to {
            let line = defender::message(&defender::Message {
                time: t,
                network_id: &network_id,
                internet_id: &internet_id,
                from: &person.upn,
                to: recipient,
                subject,
                direction,
                sender_ip: "40.107.22.51",
                urls: usize::from(link.is_some()),
                threats: "",
            });
            self.logs.push(LogFile::DefenderEmail, t, line);
        }
        if let Some(link) = link {
            self.logs.push(
                LogFile::DefenderEmail,
                t,
                defender::url(t, &network_id, link, "Open"),
            );
        }
        let id = self.id();
        let line = m365::send(
            t,
            &id,
            &person.upn,
            person.office_ip(),
            &internet_id,
            subject,
        );
        self.logs.push(LogFile::UnifiedAudit, t, line);
    }

    /// A DNS lookup of `name` by `device` at `t`, and with `tls` a TLS
    /// session to the answer right after.
    pub fn lookup(&mut self, device: usize, t: Micros, name: &str, tls: bool) {
        let ip = self.directory.devices[device].ip.clone();
        let answer = address_of(name);
        let uid = zeek_uid(self.rng);
        let port = self.rng.random_range(49152..65535);
        let line = zeek::dns(t, &uid, &ip, port, name, std::slice::from_ref(&answer));
        self.logs.push(LogFile::ZeekDns, t, line);
        if tls {
            let uid = zeek_uid(self.rng);
            let t = t + 80_000;
            let line = zeek::ssl(t, &uid, &ip, port.wrapping_add(1), &answer, name);
            self.logs.push(LogFile::ZeekSsl, t, line);
        }
    }

    /// A laptop's day of browsing: about `lookups` names, mostly popular
    /// ones, some partners', some of its own long tail, now and then a
    /// small site it never reached before.
    fn browse(&mut self, device: usize, office: usize, lookups: u32) {
        let owner = self.directory.devices[device].owner;
        let partners: Vec<&str> = owner
            .map(|p| self.directory.people[p].partners.clone())
            .unwrap_or_default();
        for _ in 0..self.rng.random_range(lookups / 2..lookups * 3 / 2) {
            let t = self.local(office, 8, 18);
            let roll = self.rng.random_range(0..100);
            let name = if roll < 85 || partners.is_empty() {
                // Popular names, the first ones most.
                let a = self.rng.random_range(0..names::POPULAR.len());
                let b = self.rng.random_range(0..names::POPULAR.len());
                names::POPULAR[a.min(b)].to_owned()
            } else if roll < 93 {
                format!("www.{}", partners[self.rng.random_range(0..partners.len())])
            } else if roll < 99 {
                // The device's own long tail: fixed per device.
                tail_site(device * 31 + self.rng.random_range(0..25))
            } else {
                // Somewhere new.
                tail_site(20_000 + self.rng.random_range(0..600_000))
            };
            let tls = self.rng.random_range(0..5) < 2;
            self.lookup(device, t, &name, tls);
        }
    }

    fn server(&mut self, device: usize) {
        for _ in 0..self.rng.random_range(20..60) {
            let t = self.logs.start + self.rng.random_range(0..24 * HOUR);
            let name = *[
                "ctldl.windowsupdate.com",
                "settings-win.data.microsoft.com",
                "time.windows.com",
                "login.microsoftonline.com",
            ]
            .choose(self.rng)
            .unwrap_or(&"time.windows.com");
            self.lookup(device, t, name, false);
        }
    }

    /// An ordinary rule: newsletters into a folder.
    fn ordinary_rule(&mut self, p: usize) {
        let directory = self.directory;
        let person = &directory.people[p];
        let t = self.local(person.office, 9, 17);
        let (from, _) = names::NEWSLETTERS[self.rng.random_range(0..names::NEWSLETTERS.len())];
        let id = self.id();
        let line = m365::new_inbox_rule(
            t,
            &id,
            &person.upn,
            person.office_ip(),
            &[
                ("Name", "Newsletters"),
                ("From", from),
                ("MoveToFolder", "Newsletters"),
                ("StopProcessingRules", "False"),
            ],
        );
        self.logs.push(LogFile::UnifiedAudit, t, line);
    }

    /// A new phone: the authenticator app registered again, from the office.
    fn new_phone(&mut self, p: usize) {
        let directory = self.directory;
        let person = &directory.people[p];
        let t = self.local(person.office, 9, 17);
        let id = self.id();
        let line = entra::security_info_registered(t, &id, &person.upn, person.office_ip());
        self.logs.push(LogFile::EntraAudit, t, line);
    }

    /// A company writes for the first time, with a link to its site, to
    /// one person.
    fn new_company(&mut self) {
        let company = names::NEW_COMPANIES[self.index as usize % names::NEW_COMPANIES.len()];
        let p = self.rng.random_range(0..self.directory.people.len());
        let directory = self.directory;
        let person = &directory.people[p];
        if self.idle.contains(&p) || person.trip.is_some() {
            return;
        }
        let t = self.local(person.office, 9, 16);
        let link = format!("https://www.{company}/services");
        self.inbound(
            p,
            t,
            &format!("hello@{company}"),
            Some(&link),
            "our services",
        );
    }
}

/// A contact's address at a partner.
pub fn partner_contact(partner: &str, n: usize) -> String {
    let (first, last) = (
        names::FIRST[(partner.len() * 7 + n * 13) % names::FIRST.len()],
        names::LAST[(partner.len() * 3 + n * 11) % names::LAST.len()],
    );
    format!("{}.{}@{partner}", first.to_lowercase(), last.to_lowercase())
}

/// Long-tail site number `n`: two or three words and a suffix.
pub fn tail_site(n: usize) -> String {
    let words = names::TAIL_WORDS.len();
    let a = names::TAIL_WORDS[n % words];
    let b = names::TAIL_WORDS[(n / words) % words];
    let suffix = names::TAIL_SUFFIXES[(n / (words * words)) % names::TAIL_SUFFIXES.len()];
    match n / (words * words * names::TAIL_SUFFIXES.len()) {
        0 => format!("www.{a}{b}.{suffix}"),
        c => format!("www.{a}{b}{}.{suffix}", names::TAIL_WORDS[(c - 1) % words]),
    }
}
