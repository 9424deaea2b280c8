//! The `attrs` map of an event: vendor fields with no column of their own.

use std::ops::Index;
use std::sync::Arc;

/// Vendor fields that have no column of their own, by vendor name.
///
/// A map like a `BTreeMap`: one value per name, iterated in name order.
/// It is kept as one sorted vector, because an event carries a dozen or
/// two attributes, built once and then read in order into an Arrow map.
/// Names are shared (`Arc<str>`): a log whose records all have the same
/// fields (a Zeek TSV header) names them once, not once per event.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Attrs {
    /// Sorted by name, names unique.
    entries: Vec<(Arc<str>, String)>,
}

impl Attrs {
    /// An empty map.
    pub fn new() -> Self {
        Self::default()
    }

    /// An empty map with room for `n` attributes.
    pub fn with_capacity(n: usize) -> Self {
        Self {
            entries: Vec::with_capacity(n),
        }
    }

    /// How many attributes there are.
    pub fn len(&self) -> usize {
        self.entries.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.entries.is_empty()
    }

    fn position(&self, name: &str) -> Result<usize, usize> {
        self.entries.binary_search_by(|(key, _)| (**key).cmp(name))
    }

    /// The value of `name`.
    pub fn get(&self, name: &str) -> Option<&String> {
        let at = self.position(name).ok()?;
        Some(&self.entries[at].1)
    }

    /// The value of `name`, to change in place.
    pub fn get_mut(&mut self, name: &str) -> Option<&mut String> {
        let at = self.position(name).ok()?;
        Some(&mut self.entries[at].1)
    }

    /// Whether `name` has a value.
    pub fn contains_key(&self, name: &str) -> bool {
        self.position(name).is_ok()
    }

    /// Sets `name` to `value`; returns the value it replaced.
    pub fn insert(&mut self, name: impl Into<Arc<str>>, value: String) -> Option<String> {
        let name = name.into();
        // Attributes often come in name order: try the end first.
        if self.entries.last().is_none_or(|(last, _)| *last < name) {
            self.entries.push((name, value));
            return None;
        }
        match self.position(&name) {
            Ok(at) => Some(std::mem::replace(&mut self.entries[at].1, value)),
            Err(at) => {
                self.entries.insert(at, (name, value));
                None
            }
        }
    }

    /// Removes `name`; returns its value.
    pub fn remove(&mut self, name: &str) -> Option<String> {
        let at = self.position(name).ok()?;
        Some(self.entries.remove(at).1)
    }

    /// The attributes in name order.
    pub fn iter(&self) -> impl ExactSizeIterator<Item = (&str, &String)> {
        self.entries.iter().map(|(name, value)| (&**name, value))
    }

    /// The names in order.
    pub fn keys(&self) -> impl ExactSizeIterator<Item = &str> {
        self.entries.iter().map(|(name, _)| &**name)
    }
}

impl Attrs {
    /// Sorts entries added at the end in with the others: of equal names,
    /// the one added last keeps its value.
    fn settle(&mut self) {
        if self.entries.is_sorted_by(|a, b| a.0 < b.0) {
            return;
        }
        // Stable: of equal names, the one added last stays last, and its
        // value moves to the one entry kept.
        self.entries.sort_by(|a, b| a.0.cmp(&b.0));
        self.entries.dedup_by(|later, kept| {
            let same = later.0 == kept.0;
            if same {
                std::mem::swap(&mut later.1, &mut kept.1);
            }
            same
        });
    }
}

impl<K: Into<Arc<str>>> FromIterator<(K, String)> for Attrs {
    /// The attributes given; of a name given twice, the last value is kept.
    fn from_iter<I: IntoIterator<Item = (K, String)>>(items: I) -> Self {
        let mut attrs = Attrs::new();
        attrs.extend(items);
        attrs
    }
}

impl<K: Into<Arc<str>>> Extend<(K, String)> for Attrs {
    /// Adds the attributes given; a name already there, or given twice,
    /// has the last value given.
    fn extend<I: IntoIterator<Item = (K, String)>>(&mut self, items: I) {
        self.entries
            .extend(items.into_iter().map(|(name, value)| (name.into(), value)));
        self.settle();
    }
}

impl<K: Into<Arc<str>>, const N: usize> From<[(K, String); N]> for Attrs {
    fn from(items: [(K, String); N]) -> Self {
        items.into_iter().collect()
    }
}

impl Index<&str> for Attrs {
    type Output = String;

    /// The value of `name`.
    ///
    /// # Panics
    ///
    /// When `name` has no value.
    fn index(&self, name: &str) -> &String {
        self.get(name)
            .unwrap_or_else(|| panic!("no attribute `{name}`"))
    }
}

impl IntoIterator for Attrs {
    type Item = (Arc<str>, String);
    type IntoIter = std::vec::IntoIter<(Arc<str>, String)>;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.into_iter()
    }
}

impl<'a> IntoIterator for &'a Attrs {
    type Item = (&'a str, &'a String);
    type IntoIter = std::iter::Map<
        std::slice::Iter<'a, (Arc<str>, String)>,
        fn(&'a (Arc<str>, String)) -> (&'a str, &'a String),
    >;

    fn into_iter(self) -> Self::IntoIter {
        self.entries.iter().map(|(name, value)| (&**name, value))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_stay_sorted_and_unique_whatever_the_order_given() {
        let mut attrs = Attrs::from([
            ("uid", "C1".to_owned()),
            ("answers", "a".to_owned()),
            ("uid", "C2".to_owned()),
        ]);
        assert_eq!(attrs.keys().collect::<Vec<_>>(), ["answers", "uid"]);
        assert_eq!(attrs["uid"], "C2", "the last value given wins");

        assert_eq!(attrs.insert("qtype", "1".into()), None);
        assert_eq!(attrs.insert("zz", "2".into()), None);
        assert_eq!(attrs.insert("answers", "b".into()), Some("a".into()));
        assert_eq!(
            attrs.iter().collect::<Vec<_>>(),
            [
                ("answers", &"b".to_owned()),
                ("qtype", &"1".to_owned()),
                ("uid", &"C2".to_owned()),
                ("zz", &"2".to_owned()),
            ]
        );
        assert_eq!(attrs.remove("qtype"), Some("1".into()));
        assert!(!attrs.contains_key("qtype"));
        attrs.get_mut("zz").unwrap().push('!');
        assert_eq!(attrs.get("zz").map(String::as_str), Some("2!"));
        assert_eq!(attrs.len(), 3);
    }

    #[test]
    fn equal_maps_compare_equal_however_built() {
        let mut one = Attrs::new();
        one.insert("b", "2".into());
        one.insert("a", "1".into());
        let mut two: Attrs = [("a", "1".to_owned())].into_iter().collect();
        two.extend([("b", "2".to_owned())]);
        assert_eq!(one, two);
    }
}
