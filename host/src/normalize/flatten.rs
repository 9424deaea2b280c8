//! Nested vendor fields as flat `attrs` entries.
//!
//! `attrs` is a string map, so a nested value is stored under the dotted
//! path of each of its leaves: `{"client": {"zone": "x"}}` gives
//! `client.zone` → `x`. Lists of scalars are joined with `", "`; the
//! objects of a list are flattened under the list's own path and their
//! values joined per key, in list order: `{"target": [{"id": "a"}, {"id":
//! "b"}]}` gives `target.id` → `a, b`. Nulls, blank strings and empty
//! lists and objects are left out.

use std::sync::Arc;

use crate::normalize::Attrs;

use super::json::Json;

/// Separator of the values joined under one key.
pub(crate) const JOIN: &str = ", ";

/// The leaves of nested values in document order: dotted path and text.
pub(crate) type Leaves = Vec<(Arc<str>, String)>;

/// The leaves as attributes; the values of a path met more than once are
/// joined with [`JOIN`], in document order.
pub(crate) fn joined(mut leaves: Leaves) -> Attrs {
    // Stable, so a path's values stay in document order.
    leaves.sort_by(|a, b| a.0.cmp(&b.0));
    leaves.dedup_by(|later, kept| {
        let same = later.0 == kept.0;
        if same {
            kept.1.push_str(JOIN);
            kept.1.push_str(&later.1);
        }
        same
    });
    leaves.into_iter().collect()
}

/// Adds the leaves of `value` to `leaves` under dotted paths below `path`
/// (the empty path puts an object's members at the top). Leaves whose
/// path `skip` accepts are left out.
pub(crate) fn flatten_into(
    path: &mut String,
    value: &Json<'_>,
    leaves: &mut Leaves,
    skip: &dyn Fn(&str) -> bool,
) {
    match value {
        Json::Object(members) => {
            for (name, member) in members {
                let len = path.len();
                if !path.is_empty() {
                    path.push('.');
                }
                path.push_str(name);
                if !skip(path) {
                    flatten_into(path, member, leaves, skip);
                }
                path.truncate(len);
            }
        }
        Json::Array(items) => {
            for item in items {
                flatten_into(path, item, leaves, skip);
            }
        }
        scalar => {
            if let Some(text) = scalar.text()
                && !path.is_empty()
            {
                leaves.push((Arc::from(path.as_str()), text.into_owned()));
            }
        }
    }
}

/// The leaves of `value` as a new map; see [`flatten_into`] and
/// [`joined`].
pub(crate) fn flatten(value: &Json<'_>, skip: &dyn Fn(&str) -> bool) -> Attrs {
    let mut leaves = Leaves::new();
    flatten_into(&mut String::new(), value, &mut leaves, skip);
    joined(leaves)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nested_values_get_dotted_paths_and_lists_are_joined() {
        let json = Json::parse(
            r#"{"a":{"b":1,"c":{"d":"x"}},"n":null,"e":"","l":["p","q"],
                "t":[{"id":"u1","type":"User"},{"id":"a2","type":"App","x":{"y":true}}],
                "skip":{"me":1},"empty":{}}"#,
        )
        .unwrap();
        let attrs = flatten(&json, &|path| path == "skip");
        let want: Attrs = [
            ("a.b", "1"),
            ("a.c.d", "x"),
            ("l", "p, q"),
            ("t.id", "u1, a2"),
            ("t.type", "User, App"),
            ("t.x.y", "true"),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_owned(), v.to_owned()))
        .collect();
        assert_eq!(attrs, want);
    }

    #[test]
    fn scalars_at_the_top_have_no_key() {
        assert!(flatten(&Json::parse("\"x\"").unwrap(), &|_| false).is_empty());
    }
}
