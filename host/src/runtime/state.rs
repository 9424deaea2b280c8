//! Where detectors keep what they learn.
//!
//! Every key lives in the scope of one detector's name, so a new version of
//! a detector finds the state of the old one and two detectors never see
//! each other's keys. A call's writes reach the store only through
//! [`StateStore::commit`], after the call succeeded.

use std::collections::{BTreeMap, HashMap};
use std::sync::{Arc, Mutex, PoisonError};

/// The writes of one successful call: `None` deletes the key.
pub type StateWrites = BTreeMap<String, Option<Vec<u8>>>;

/// A key-value store scoped by detector name.
pub trait StateStore: Send + Sync {
    /// The value of `key` in `scope`.
    fn get(&self, scope: &str, key: &str) -> Option<Vec<u8>>;
    /// Applies the writes of one successful call to `scope` at once.
    fn commit(&self, scope: &str, writes: StateWrites);
}

/// A [`StateStore`] held in memory for the life of the process, for tests
/// and benchmarks. A run keeps state in the durable
/// [`Checkpoint`](crate::store::Checkpoint) instead.
#[derive(Debug, Default, Clone)]
pub struct MemoryStateStore {
    scopes: Arc<Mutex<HashMap<String, Scope>>>,
}

/// The keys and values of one detector.
type Scope = HashMap<String, Vec<u8>>;

impl MemoryStateStore {
    /// An empty store.
    pub fn new() -> Self {
        Self::default()
    }

    /// The number of keys in `scope`.
    pub fn len(&self, scope: &str) -> usize {
        let scopes = self.scopes.lock().unwrap_or_else(PoisonError::into_inner);
        scopes.get(scope).map_or(0, HashMap::len)
    }

    /// Whether `scope` holds no key.
    pub fn is_empty(&self, scope: &str) -> bool {
        self.len(scope) == 0
    }
}

impl StateStore for MemoryStateStore {
    fn get(&self, scope: &str, key: &str) -> Option<Vec<u8>> {
        let scopes = self.scopes.lock().unwrap_or_else(PoisonError::into_inner);
        scopes.get(scope)?.get(key).cloned()
    }

    fn commit(&self, scope: &str, writes: StateWrites) {
        let mut scopes = self.scopes.lock().unwrap_or_else(PoisonError::into_inner);
        let entries = scopes.entry(scope.to_owned()).or_default();
        for (key, value) in writes {
            match value {
                Some(value) => entries.insert(key, value),
                None => entries.remove(&key),
            };
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commit_applies_puts_and_deletes_in_scope() {
        let store = MemoryStateStore::new();
        store.commit(
            "a",
            BTreeMap::from([("k".into(), Some(b"1".to_vec())), ("x".into(), None)]),
        );
        assert_eq!(store.get("a", "k"), Some(b"1".to_vec()));
        assert_eq!(store.get("b", "k"), None);
        store.commit("a", BTreeMap::from([("k".into(), None)]));
        assert_eq!(store.get("a", "k"), None);
        assert!(store.is_empty("a"));
    }
}
