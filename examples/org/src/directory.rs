//! Who and what the organisation is: its people, their devices, offices
//! and homes, and who of them travels when.

use rand::rngs::StdRng;
use rand::seq::SliceRandom;
use rand::{RngExt, SeedableRng};

use crate::names::{self, Place};

/// The organisation's mail domain.
pub const DOMAIN: &str = "contoso.com";

/// One person on the staff.
#[derive(Debug, Clone)]
pub struct Person {
    /// Lower-case user principal name, also the mail address.
    pub upn: String,
    /// "Given Family".
    pub display: String,
    /// Index into [`names::OFFICES`].
    pub office: usize,
    /// The residential address the person works from before and after
    /// office hours.
    pub home_ip: String,
    /// Index of the person's laptop in [`Directory::devices`].
    pub laptop: usize,
    /// Partner domains the person corresponds with.
    pub partners: Vec<&'static str>,
    /// A trip abroad, if the person takes one this month.
    pub trip: Option<Trip>,
}

impl Person {
    /// The office's place.
    pub fn home_place(&self) -> Place {
        names::OFFICES[self.office].0
    }

    /// The office's address.
    pub fn office_ip(&self) -> &'static str {
        names::OFFICES[self.office].1
    }
}

/// Days abroad: from `first_day` (index from the organisation's first
/// day) for `days` days, logging in from `place` through `ip`.
#[derive(Debug, Clone)]
pub struct Trip {
    /// First day abroad.
    pub first_day: u32,
    /// Days abroad.
    pub days: u32,
    /// Where.
    pub place: Place,
    /// The hotel's address.
    pub ip: String,
    /// Least hours between the last login at home and the first abroad.
    pub flight_hours: u32,
}

/// A device on the office network.
#[derive(Debug, Clone)]
pub struct Device {
    /// Host name, as the asset table and Zeek know it.
    pub name: String,
    /// Its fixed address on the office network.
    pub ip: String,
    /// Index of its owner in [`Directory::people`], if a person owns it.
    pub owner: Option<usize>,
}

/// The whole organisation.
#[derive(Debug, Clone)]
pub struct Directory {
    /// Everyone on the staff, including the people of the story.
    pub people: Vec<Person>,
    /// Laptops first (one per person), then servers, printers and rooms.
    pub devices: Vec<Device>,
}

impl Directory {
    /// Makes an organisation of `people` people and `devices` devices (at
    /// least one per person) whose month lasts `days` days; the same seed
    /// makes the same organisation.
    pub fn new(people: usize, devices: usize, days: u32, seed: u64) -> Directory {
        let mut rng = StdRng::seed_from_u64(seed);
        let mut names: Vec<(usize, usize)> = (0..names::FIRST.len())
            .flat_map(|f| (0..names::LAST.len()).map(move |l| (f, l)))
            .collect();
        names.shuffle(&mut rng);
        let mut directory = Directory {
            people: Vec::with_capacity(people),
            devices: Vec::with_capacity(devices.max(people)),
        };
        for (index, &(f, l)) in names.iter().cycle().take(people).enumerate() {
            let (first, last) = (names::FIRST[f], names::LAST[l]);
            let person = directory.person(index, first, last, days, &mut rng);
            directory.people.push(person);
        }
        for index in directory.people.len()..devices.max(people) {
            let name = match index % 3 {
                0 => format!("SRV-APP{:02}", index % 97),
                1 => format!("PRN-{}F-{:02}", 1 + index % 6, index % 89),
                _ => format!("MTR-ROOM{:02}", index % 83),
            };
            let name = format!("{name}-{index}");
            directory.devices.push(Device {
                name,
                ip: internal_ip(index),
                owner: None,
            });
        }
        directory
    }

    fn person(
        &mut self,
        index: usize,
        first: &str,
        last: &str,
        days: u32,
        rng: &mut StdRng,
    ) -> Person {
        let mut upn = format!("{}.{}@{DOMAIN}", first.to_lowercase(), last.to_lowercase());
        if self.people.iter().any(|p| p.upn == upn) {
            upn = format!(
                "{}.{}{index}@{DOMAIN}",
                first.to_lowercase(),
                last.to_lowercase()
            );
        }
        let share = rng.random_range(0..100);
        let office = match share {
            s if s < names::OFFICE_SHARE[0] => 0,
            s if s < names::OFFICE_SHARE[0] + names::OFFICE_SHARE[1] => 1,
            s if s < names::OFFICE_SHARE.iter().sum::<u32>() => 2,
            _ => 3,
        };
        let laptop = self.devices.len();
        let initials: String = first.chars().take(1).chain(last.chars()).collect();
        self.devices.push(Device {
            name: format!("LT-{}-{index}", initials.to_uppercase()),
            ip: internal_ip(index),
            owner: Some(index),
        });
        let mut partners: Vec<&'static str> = names::PARTNERS.to_vec();
        partners.shuffle(rng);
        partners.truncate(rng.random_range(2..6));
        // About one person in thirty travels abroad once, after the first
        // week, for three to five days.
        let trip = (rng.random_range(0..30) == 0 && days > 12).then(|| {
            let (place, flight_hours) =
                names::DESTINATIONS[rng.random_range(0..names::DESTINATIONS.len())];
            Trip {
                first_day: rng.random_range(8..days - 4),
                days: rng.random_range(3..6),
                place,
                ip: format!("203.0.113.{}", 100 + index % 150),
                flight_hours,
            }
        });
        Person {
            upn,
            display: format!("{first} {last}"),
            office,
            home_ip: home_ip(index),
            laptop,
            partners,
            trip,
        }
    }

    /// The person who owns `device`, if any.
    pub fn owner_of(&self, device: usize) -> Option<&Person> {
        self.devices[device].owner.map(|p| &self.people[p])
    }

    /// The index of the person with this address.
    pub fn find(&self, upn: &str) -> Option<usize> {
        self.people.iter().position(|p| p.upn == upn)
    }
}

/// Device `index`'s address on the office network.
fn internal_ip(index: usize) -> String {
    format!("10.20.{}.{}", index / 200, 10 + index % 200)
}

/// Person `index`'s residential address: unique per person, an IPv6
/// address in the range reserved for documentation.
fn home_ip(index: usize) -> String {
    format!("2001:db8:{:x}:{:x}::1a", 0x1000 + index, index % 7)
}
