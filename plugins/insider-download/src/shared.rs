//! Files a sharing event made external or public, remembered by a 64-bit
//! hash of their id so that a download that carries no visibility
//! (Microsoft 365) can be judged. One state entry, `shared`, holding at
//! most `max_shared_files` hashes; the oldest is forgotten first. A
//! sharing event that makes a file private or internal forgets it.

use palisade_sdk::{Context, Error, Event};

const KEY: &str = "shared";

/// The remembered files, oldest first.
#[derive(Debug, Default)]
pub(crate) struct SharedFiles {
    hashes: Vec<u64>,
    changed: bool,
}

impl SharedFiles {
    pub(crate) fn load(ctx: &mut Context) -> Result<Self, Error> {
        Ok(SharedFiles {
            hashes: ctx.get_json(KEY)?.unwrap_or_default(),
            changed: false,
        })
    }

    pub(crate) fn save(&self, ctx: &mut Context) -> Result<(), Error> {
        if self.changed {
            ctx.put_json(KEY, &self.hashes)?;
        }
        Ok(())
    }

    /// Learns what a sharing event did to its file.
    pub(crate) fn learn(&mut self, event: &Event<'_>, max: usize) {
        let Some(id) = file_id(event) else {
            return;
        };
        let hash = fnv1a(&id);
        let known = self.hashes.contains(&hash);
        match event.file_visibility() {
            Some("external" | "public") if !known => {
                if self.hashes.len() >= max {
                    self.hashes.remove(0);
                }
                self.hashes.push(hash);
                self.changed = true;
            }
            Some("private" | "internal") if known => {
                self.hashes.retain(|h| *h != hash);
                self.changed = true;
            }
            // Already known, or a share that does not say the visibility.
            _ => {}
        }
    }

    /// Whether the downloaded file was shared outside.
    pub(crate) fn contains(&self, event: &Event<'_>) -> bool {
        file_id(event).is_some_and(|id| self.hashes.contains(&fnv1a(&id)))
    }
}

/// The id a file is known by: Drive `doc_id`; else its URL, joined with
/// the file name when the URL is the folder's (SharePoint sharing events
/// name the folder in `ObjectId` and the file in `SourceFileName`); else
/// the name.
fn file_id(event: &Event<'_>) -> Option<String> {
    if let Some(doc) = event.attr("doc_id").filter(|d| !d.is_empty()) {
        return Some(doc.to_owned());
    }
    let url = event
        .url()
        .or(event.attr("ObjectId"))
        .filter(|u| !u.is_empty());
    let name = event.file_name().filter(|n| !n.is_empty());
    match (url, name) {
        (Some(url), Some(name)) if !url.ends_with(name) => {
            Some(format!("{}/{name}", url.trim_end_matches('/')))
        }
        (Some(url), _) => Some(url.to_owned()),
        (None, name) => name.map(str::to_owned),
    }
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
