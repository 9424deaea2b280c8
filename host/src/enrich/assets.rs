//! The organisation's devices, their addresses and their owners, from a
//! CSV file.
//!
//! The header names the columns, in any case and order, with spaces or
//! dashes for underscores; the first column whose name is in each list
//! below is used:
//!
//! | what | column names |
//! |---|---|
//! | address | `ip`, `ip_address`, `ipaddress`, `address`, `addresses` |
//! | device name | `device`, `device_name`, `hostname`, `host_name`, `host`, `computer`, `name` |
//! | owner | `owner`, `user`, `owner_user`, `email`, `upn`, `assigned_to` |
//!
//! An address cell may list several addresses separated by `;` or spaces.
//! Every row needs an address or a device name, and a device name or an
//! owner. A bad cell stops loading with an error naming the row and column.

use std::collections::HashMap;
use std::net::IpAddr;
use std::path::Path;

use super::EnrichError;
use crate::normalize::Event;
use crate::normalize::values::canonical_ip;

const ADDRESS: [&str; 5] = ["ip", "ip_address", "ipaddress", "address", "addresses"];
const DEVICE: [&str; 7] = [
    "device",
    "device_name",
    "hostname",
    "host_name",
    "host",
    "computer",
    "name",
];
const OWNER: [&str; 6] = ["owner", "user", "owner_user", "email", "upn", "assigned_to"];

/// A header cell as a lookup key: `IP Address` and `ip-address` are both
/// `ip_address`.
fn column_key(name: &str) -> String {
    name.trim().to_lowercase().replace([' ', '-'], "_")
}

/// One device of the organisation.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Asset {
    /// The device's name.
    pub device: Option<String>,
    /// The person who uses it, lower case.
    pub owner: Option<String>,
    /// Its addresses, canonical.
    pub addresses: Vec<String>,
}

/// The asset table, indexed by address and by device name.
#[derive(Debug, Default)]
pub struct AssetTable {
    assets: Vec<Asset>,
    by_address: HashMap<String, usize>,
    by_name: HashMap<String, usize>,
}

impl AssetTable {
    /// Reads the asset table at `path`.
    ///
    /// # Errors
    ///
    /// [`EnrichError::Assets`] when the file cannot be read, lacks the
    /// columns needed, or a row holds an address that is not one.
    pub fn load(path: &Path) -> Result<Self, EnrichError> {
        let fail = |message: String| EnrichError::Assets {
            path: path.to_owned(),
            message,
        };
        let mut reader = csv::ReaderBuilder::new()
            .flexible(true)
            .trim(csv::Trim::All)
            .from_path(path)
            .map_err(|e| fail(e.to_string()))?;
        let header = reader.headers().map_err(|e| fail(e.to_string()))?.clone();
        let keys: Vec<String> = header.iter().map(column_key).collect();
        let column = |names: &[&str]| names.iter().find_map(|n| keys.iter().position(|k| k == n));
        let (address, device, owner) = (column(&ADDRESS), column(&DEVICE), column(&OWNER));
        if address.is_none() && device.is_none() {
            return Err(fail(format!(
                "no address or device column; the header has {:?}",
                header.iter().collect::<Vec<_>>()
            )));
        }

        let mut table = AssetTable::default();
        for (at, row) in reader.records().enumerate() {
            let row_number = at + 2;
            let row = row.map_err(|e| fail(format!("row {row_number}: {e}")))?;
            let cell = |i: Option<usize>| i.and_then(|i| row.get(i)).filter(|v| !v.is_empty());
            let mut addresses = Vec::new();
            for text in cell(address).unwrap_or("").split([';', ' ']) {
                if text.is_empty() {
                    continue;
                }
                let ip = canonical_ip(text).ok_or_else(|| {
                    let name = &header[address.unwrap_or_default()];
                    fail(format!(
                        "`{name}` in row {row_number}: `{text}` is not an address"
                    ))
                })?;
                addresses.push(ip);
            }
            let asset = Asset {
                device: cell(device).map(str::to_owned),
                owner: cell(owner).map(str::to_lowercase),
                addresses,
            };
            if asset.addresses.is_empty() && asset.device.is_none() {
                continue;
            }
            table.insert(asset);
        }
        tracing::info!(path = %path.display(), assets = table.len(), "asset table loaded");
        Ok(table)
    }

    /// The number of assets.
    pub fn len(&self) -> usize {
        self.assets.len()
    }

    /// Whether the table has no asset.
    pub fn is_empty(&self) -> bool {
        self.assets.is_empty()
    }

    /// Adds an asset; a later asset with the same address or name wins.
    pub fn insert(&mut self, asset: Asset) {
        let index = self.assets.len();
        for address in &asset.addresses {
            self.by_address.insert(address.clone(), index);
        }
        if let Some(name) = &asset.device {
            self.by_name.insert(name.to_lowercase(), index);
        }
        self.assets.push(asset);
    }

    /// The asset with this address (canonical text).
    pub fn by_address(&self, ip: &str) -> Option<&Asset> {
        self.by_address.get(ip).map(|&i| &self.assets[i])
    }

    /// The asset with this device name, without regard to case.
    pub fn by_name(&self, name: &str) -> Option<&Asset> {
        self.by_name
            .get(&name.to_lowercase())
            .map(|&i| &self.assets[i])
    }

    /// Names the device of an event and its owner, where the log did not.
    ///
    /// The device is looked up by the event's `device` (a name, or an
    /// address as network sensors log it), else by `src_ip`. A `device`
    /// that is an address becomes the asset's name; `user` is filled only
    /// when empty.
    pub(super) fn enrich(&self, event: &mut Event) {
        let device_ip = event
            .device
            .as_deref()
            .and_then(|d| d.parse::<IpAddr>().ok())
            .map(|ip| ip.to_string());
        let asset = match (&event.device, &device_ip) {
            (Some(_), Some(ip)) => self.by_address(ip),
            (Some(name), None) => self.by_name(name),
            (None, _) => event.src_ip.as_deref().and_then(|ip| self.by_address(ip)),
        };
        let Some(asset) = asset else {
            return;
        };
        if (event.device.is_none() || device_ip.is_some()) && asset.device.is_some() {
            event.device.clone_from(&asset.device);
        }
        if event.user.is_none() {
            event.user.clone_from(&asset.owner);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn table(csv: &str) -> Result<AssetTable, EnrichError> {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("assets.csv");
        std::fs::write(&path, csv).unwrap();
        AssetTable::load(&path)
    }

    fn dns_from(ip: &str) -> Event {
        Event {
            kind: "dns.query".into(),
            device: Some(ip.into()),
            src_ip: Some(ip.into()),
            domain: Some("latovafineart.life".into()),
            ..Event::default()
        }
    }

    #[test]
    fn a_query_from_a_laptop_is_tied_to_its_owner() {
        let assets = table(
            "Hostname,IP Address,Owner\n\
             LT-0042,10.1.4.17,Alice@Corp.example\n\
             SRV-DC1,10.0.0.4;10.0.0.5,\n",
        );
        let assets = assets.unwrap();
        assert_eq!(assets.len(), 2);

        let mut event = dns_from("10.1.4.17");
        assets.enrich(&mut event);
        assert_eq!(event.device.as_deref(), Some("LT-0042"));
        assert_eq!(event.user.as_deref(), Some("alice@corp.example"));
        assert_eq!(event.src_ip.as_deref(), Some("10.1.4.17"));

        let mut server = dns_from("10.0.0.5");
        assets.enrich(&mut server);
        assert_eq!(server.device.as_deref(), Some("SRV-DC1"));
        assert_eq!(server.user, None);

        let mut stranger = dns_from("10.9.9.9");
        assets.enrich(&mut stranger);
        assert_eq!(stranger.device.as_deref(), Some("10.9.9.9"));
        assert_eq!(stranger.user, None);
    }

    #[test]
    fn a_named_device_gets_its_owner_and_a_logged_user_wins() {
        let assets = table("device,user\nlt-0042,alice@corp.example\n").unwrap();
        let mut event = Event {
            device: Some("LT-0042".into()),
            ..Event::default()
        };
        assets.enrich(&mut event);
        assert_eq!(event.device.as_deref(), Some("LT-0042"));
        assert_eq!(event.user.as_deref(), Some("alice@corp.example"));

        let mut logged = Event {
            device: Some("lt-0042".into()),
            user: Some("bob@corp.example".into()),
            ..Event::default()
        };
        assets.enrich(&mut logged);
        assert_eq!(logged.user.as_deref(), Some("bob@corp.example"));
    }

    #[test]
    fn bad_tables_name_the_row_and_column() {
        let err = table("ip,owner\n10.0.0.1,a@b.c\nten.0.0.2,c@d.e\n").unwrap_err();
        assert!(
            err.to_string()
                .ends_with("`ip` in row 3: `ten.0.0.2` is not an address"),
            "{err}"
        );
        let err = table("owner,team\na@b.c,red\n").unwrap_err();
        assert!(
            err.to_string().contains("no address or device column"),
            "{err}"
        );
    }
}
