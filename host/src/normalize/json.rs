//! A JSON value that borrows its strings from the text it was parsed from.
//!
//! Normalizers read each record once and keep little of it, so parsing into
//! `serde_json::Value` (a `String` for every key and string, a `BTreeMap`
//! for every object) costs more than the mapping itself. [`Json`] borrows
//! every string that has no escape sequence and keeps object members in a
//! `Vec`, in document order.

use std::borrow::Cow;
use std::fmt;

use serde::de::{self, Deserialize, Deserializer, MapAccess, SeqAccess, Visitor};
use serde::ser::{Serialize, SerializeMap, SerializeSeq, Serializer};

/// One JSON value; strings borrowed from the parsed text where possible.
#[derive(Debug, Clone, PartialEq)]
pub enum Json<'a> {
    /// `null`.
    Null,
    /// `true` or `false`.
    Bool(bool),
    /// A negative integer.
    Int(i64),
    /// A non-negative integer.
    UInt(u64),
    /// Any other number.
    Float(f64),
    /// A string.
    Str(Cow<'a, str>),
    /// An array.
    Array(Vec<Json<'a>>),
    /// An object's members, in document order.
    Object(Vec<(Cow<'a, str>, Json<'a>)>),
}

impl<'a> Json<'a> {
    /// Parses one JSON text.
    ///
    /// # Errors
    ///
    /// When `text` is not exactly one JSON value.
    pub fn parse(text: &'a str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    /// The string, when this is one.
    pub fn as_str(&self) -> Option<&str> {
        match self {
            Json::Str(s) => Some(s),
            _ => None,
        }
    }

    /// The items, when this is an array.
    pub fn as_array(&self) -> Option<&[Json<'a>]> {
        match self {
            Json::Array(items) => Some(items),
            _ => None,
        }
    }

    /// The members, when this is an object.
    pub fn as_object(&self) -> Option<&[(Cow<'a, str>, Json<'a>)]> {
        match self {
            Json::Object(members) => Some(members),
            _ => None,
        }
    }

    /// The first member named `key` without regard to ASCII case, when
    /// this is an object.
    pub fn get_ignore_case(&self, key: &str) -> Option<&Json<'a>> {
        self.as_object()?
            .iter()
            .find(|(k, _)| k.eq_ignore_ascii_case(key))
            .map(|(_, v)| v)
    }

    /// The value as text: strings as they are, other scalars as JSON, and
    /// arrays and objects as compact JSON. `None` for null, blank strings
    /// and empty arrays or objects.
    pub fn text(&self) -> Option<Cow<'_, str>> {
        match self {
            Json::Null => None,
            Json::Str(s) if s.trim().is_empty() => None,
            Json::Str(s) => Some(Cow::Borrowed(s)),
            Json::Bool(b) => Some(Cow::Borrowed(if *b { "true" } else { "false" })),
            Json::Int(n) => Some(Cow::Owned(n.to_string())),
            Json::UInt(n) => Some(Cow::Owned(n.to_string())),
            Json::Float(n) => Some(Cow::Owned(n.to_string())),
            Json::Array(items) if items.is_empty() => None,
            Json::Object(members) if members.is_empty() => None,
            Json::Array(_) | Json::Object(_) => serde_json::to_string(self).ok().map(Cow::Owned),
        }
    }

    /// What kind of value this is, for messages.
    pub fn kind(&self) -> &'static str {
        match self {
            Json::Null => "null",
            Json::Bool(_) => "a boolean",
            Json::Int(_) | Json::UInt(_) | Json::Float(_) => "a number",
            Json::Str(_) => "a string",
            Json::Array(_) => "an array",
            Json::Object(_) => "an object",
        }
    }
}

impl<'de> Deserialize<'de> for Json<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_any(JsonVisitor)
    }
}

struct JsonVisitor;

impl<'de> Visitor<'de> for JsonVisitor {
    type Value = Json<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a JSON value")
    }

    fn visit_unit<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }

    fn visit_none<E: de::Error>(self) -> Result<Self::Value, E> {
        Ok(Json::Null)
    }

    fn visit_bool<E: de::Error>(self, v: bool) -> Result<Self::Value, E> {
        Ok(Json::Bool(v))
    }

    fn visit_i64<E: de::Error>(self, v: i64) -> Result<Self::Value, E> {
        Ok(Json::Int(v))
    }

    fn visit_u64<E: de::Error>(self, v: u64) -> Result<Self::Value, E> {
        Ok(Json::UInt(v))
    }

    fn visit_f64<E: de::Error>(self, v: f64) -> Result<Self::Value, E> {
        Ok(Json::Float(v))
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Json::Str(Cow::Owned(v)))
    }

    fn visit_seq<A: SeqAccess<'de>>(self, mut seq: A) -> Result<Self::Value, A::Error> {
        let mut items = Vec::with_capacity(seq.size_hint().unwrap_or(0));
        while let Some(item) = seq.next_element()? {
            items.push(item);
        }
        Ok(Json::Array(items))
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut members = Vec::with_capacity(map.size_hint().unwrap_or(8));
        while let Some(Key(key)) = map.next_key()? {
            members.push((key, map.next_value()?));
        }
        Ok(Json::Object(members))
    }
}

/// An object key, borrowed when it has no escapes.
struct Key<'a>(Cow<'a, str>);

impl<'de> Deserialize<'de> for Key<'de> {
    fn deserialize<D: Deserializer<'de>>(deserializer: D) -> Result<Self, D::Error> {
        deserializer.deserialize_str(KeyVisitor)
    }
}

struct KeyVisitor;

impl<'de> Visitor<'de> for KeyVisitor {
    type Value = Key<'de>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("an object key")
    }

    fn visit_borrowed_str<E: de::Error>(self, v: &'de str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Borrowed(v)))
    }

    fn visit_str<E: de::Error>(self, v: &str) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(v.to_owned())))
    }

    fn visit_string<E: de::Error>(self, v: String) -> Result<Self::Value, E> {
        Ok(Key(Cow::Owned(v)))
    }
}

impl Serialize for Json<'_> {
    fn serialize<S: Serializer>(&self, serializer: S) -> Result<S::Ok, S::Error> {
        match self {
            Json::Null => serializer.serialize_unit(),
            Json::Bool(b) => serializer.serialize_bool(*b),
            Json::Int(n) => serializer.serialize_i64(*n),
            Json::UInt(n) => serializer.serialize_u64(*n),
            Json::Float(n) => serializer.serialize_f64(*n),
            Json::Str(s) => serializer.serialize_str(s),
            Json::Array(items) => {
                let mut seq = serializer.serialize_seq(Some(items.len()))?;
                for item in items {
                    seq.serialize_element(item)?;
                }
                seq.end()
            }
            Json::Object(members) => {
                let mut map = serializer.serialize_map(Some(members.len()))?;
                for (key, value) in members {
                    map.serialize_entry(key.as_ref(), value)?;
                }
                map.end()
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_without_escapes_are_borrowed() {
        let text = r#"{"Name":"rule2","Quoted":"a\"b","N":[1,-2,2.5,true,null]}"#;
        let json = Json::parse(text).unwrap();
        let members = json.as_object().unwrap();
        assert!(matches!(&members[0].0, Cow::Borrowed("Name")));
        assert!(matches!(&members[0].1, Json::Str(Cow::Borrowed("rule2"))));
        assert_eq!(members[1].1.as_str(), Some("a\"b"));
        assert_eq!(
            json.get_ignore_case("n")
                .and_then(Json::as_array)
                .map(<[_]>::len),
            Some(5)
        );
    }

    #[test]
    fn text_renders_scalars_and_compact_json() {
        let json =
            Json::parse(r#"{"a":[{"ID":"x","Type":5}],"b":" ","c":{},"d":12,"e":false}"#).unwrap();
        let text = |k| {
            json.get_ignore_case(k)
                .and_then(Json::text)
                .map(Cow::into_owned)
        };
        assert_eq!(text("a").as_deref(), Some(r#"[{"ID":"x","Type":5}]"#));
        assert_eq!(text("b"), None);
        assert_eq!(text("c"), None);
        assert_eq!(text("d").as_deref(), Some("12"));
        assert_eq!(text("e").as_deref(), Some("false"));
    }

    #[test]
    fn bad_text_is_an_error() {
        assert!(Json::parse("{\"a\":").is_err());
        assert!(Json::parse("{} {}").is_err());
        assert_eq!(Json::parse("[]").unwrap().kind(), "an array");
    }
}
