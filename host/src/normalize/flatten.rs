//! Nested vendor fields as flat `attrs` entries.
//!
//! `attrs` is a string map, so a nested value is stored under the dotted
//! path of each of its leaves: `{"client": {"zone": "x"}}` gives
//! `client.zone` → `x`. Lists of scalars are joined with `", "`; the
//! objects of a list are flattened under the list's own path and their
//! values joined per key, in list order: `{"target": [{"id": "a"}, {"id":
//! "b"}]}` gives `target.id` → `a, b`. Nulls, blank strings and empty
//! lists and objects are left out.

use crate::normalize::Attrs;

use super::json::Json;

/// Separator of the values joined under one key.
pub(crate) const JOIN: &str = ", ";

/// Adds `value` to `attrs` under `key`, after the value already there.
pub(crate) fn join_insert(attrs: &mut Attrs, key: &str, value: &str) {
    match attrs.get_mut(key) {
        Some(old) => {
            old.push_str(JOIN);
            old.push_str(value);
        }
        None => {
            attrs.insert(key.to_owned(), value.to_owned());
        }
    }
}

/// Adds the leaves of `value` to `attrs` under dotted paths below `path`
/// (the empty path puts an object's members at the top). Leaves whose
/// path `skip` accepts are left out.
pub(crate) fn flatten_into(
    path: &mut String,
    value: &Json<'_>,
    attrs: &mut Attrs,
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
                    flatten_into(path, member, attrs, skip);
                }
                path.truncate(len);
            }
        }
        Json::Array(items) => {
            for item in items {
                flatten_into(path, item, attrs, skip);
            }
        }
        scalar => {
            if let Some(text) = scalar.text()
                && !path.is_empty()
            {
                join_insert(attrs, path, &text);
            }
        }
    }
}

/// The leaves of `value` as a new map; see [`flatten_into`].
pub(crate) fn flatten(value: &Json<'_>, skip: &dyn Fn(&str) -> bool) -> Attrs {
    let mut attrs = Attrs::new();
    flatten_into(&mut String::new(), value, &mut attrs, skip);
    attrs
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
