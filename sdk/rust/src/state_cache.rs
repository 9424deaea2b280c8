//! State entries read once per call and written back at its end.
//!
//! A batch holds many events of one user; reading and writing their JSON
//! entry for each event would cost more than the detection. The cache
//! lives for one `detect` call only: nothing is kept across calls that the
//! host's state does not hold, so a run split in two finds what one run
//! finds.

use std::collections::BTreeMap;
use std::collections::btree_map::Entry;

use crate::{Context, Error};
use serde::Serialize;
use serde::de::DeserializeOwned;

/// JSON state entries of one call, by key.
#[derive(Debug)]
pub struct StateCache<T> {
    entries: BTreeMap<String, (T, bool)>,
}

impl<T> Default for StateCache<T> {
    fn default() -> Self {
        StateCache {
            entries: BTreeMap::new(),
        }
    }
}

impl<T: Serialize + DeserializeOwned + Default> StateCache<T> {
    /// The entry under `key`, read from state the first time (a default
    /// value when absent), for reading.
    ///
    /// # Errors
    ///
    /// When the stored value is not JSON of type `T`.
    pub fn get(&mut self, ctx: &mut Context, key: String) -> Result<&T, Error> {
        Ok(&self.slot(ctx, key)?.0)
    }

    /// The entry under `key`, for changing; it is written back by
    /// [`StateCache::flush`].
    ///
    /// # Errors
    ///
    /// When the stored value is not JSON of type `T`.
    pub fn get_mut(&mut self, ctx: &mut Context, key: String) -> Result<&mut T, Error> {
        let slot = self.slot(ctx, key)?;
        slot.1 = true;
        Ok(&mut slot.0)
    }

    /// Writes back every entry taken for changing.
    ///
    /// # Errors
    ///
    /// When an entry cannot be serialized.
    pub fn flush(&self, ctx: &mut Context) -> Result<(), Error> {
        for (key, (value, changed)) in &self.entries {
            if *changed {
                ctx.put_json(key, value)?;
            }
        }
        Ok(())
    }

    fn slot(&mut self, ctx: &mut Context, key: String) -> Result<&mut (T, bool), Error> {
        match self.entries.entry(key) {
            Entry::Occupied(slot) => Ok(slot.into_mut()),
            Entry::Vacant(slot) => {
                let value = ctx.get_json(slot.key())?.unwrap_or_default();
                Ok(slot.insert((value, false)))
            }
        }
    }
}
