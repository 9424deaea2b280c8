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
        let hash = fnv1a(id);
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
        file_id(event).is_some_and(|id| self.hashes.contains(&fnv1a(id)))
    }
}

/// The id a file is known by: Drive `doc_id`, else the URL, else
/// `ObjectId`, else the name.
fn file_id<'a>(event: &Event<'a>) -> Option<&'a str> {
    event
        .attr("doc_id")
        .or(event.url())
        .or(event.attr("ObjectId"))
        .or(event.file_name())
        .filter(|id| !id.is_empty())
}

fn fnv1a(text: &str) -> u64 {
    text.bytes().fold(0xcbf2_9ce4_8422_2325, |hash, byte| {
        (hash ^ u64::from(byte)).wrapping_mul(0x0100_0000_01b3)
    })
}
