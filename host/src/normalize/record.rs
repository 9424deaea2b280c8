//! The shapes a raw record comes in: JSON text, a CSV row or a Zeek TSV
//! row.

use serde_json::{Map, Value};

use super::zeek::ZeekRow;

/// One raw record as framed by the reader.
#[derive(Debug, Clone, Copy)]
pub enum Record<'a> {
    /// The text of one JSON value: a line of a JSON-lines file or an item
    /// of a JSON array.
    Json(&'a str),
    /// One CSV row, with as many values as the header has columns.
    Csv(CsvRow<'a>),
    /// One Zeek TSV row, with as many fields as its `#fields` line names.
    ZeekTsv(ZeekRow<'a>),
}

/// The header row of a CSV file, with a lookup key for each column.
///
/// A column's key is its name without a bracketed suffix such as ` [UTC]`
/// (which Log Analytics exports add), in ASCII lower case:
/// `TimeGenerated [UTC]` has the key `timegenerated`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CsvHeader {
    names: Vec<String>,
    keys: Vec<String>,
}

impl CsvHeader {
    /// A header with these column names.
    pub fn new(names: Vec<String>) -> Self {
        let keys = names.iter().map(|name| column_key(name)).collect();
        Self { names, keys }
    }

    /// The column names as written in the file.
    pub fn names(&self) -> &[String] {
        &self.names
    }

    /// The lookup keys, one per column.
    pub fn keys(&self) -> &[String] {
        &self.keys
    }

    /// The number of columns.
    pub fn len(&self) -> usize {
        self.names.len()
    }

    /// Whether the header has no column.
    pub fn is_empty(&self) -> bool {
        self.names.is_empty()
    }

    /// Whether some column has `key` (lower case, no suffix).
    pub fn has(&self, key: &str) -> bool {
        self.keys.iter().any(|k| k == key)
    }
}

/// The lookup key of a column name: no bracketed suffix, lower case.
fn column_key(name: &str) -> String {
    let name = name.trim();
    let name = match name.rfind(" [") {
        Some(at) if name.ends_with(']') => &name[..at],
        _ => name,
    };
    name.trim().to_ascii_lowercase()
}

/// One CSV row and the header that names its values.
#[derive(Debug, Clone, Copy)]
pub struct CsvRow<'a> {
    /// The file's header.
    pub header: &'a CsvHeader,
    /// The row's values, one per header column.
    pub values: &'a [String],
}

impl<'a> CsvRow<'a> {
    /// The first non-empty value of a column with this key, and the
    /// column's name.
    pub fn get(&self, key: &str) -> Option<(&'a str, &'a str)> {
        self.columns()
            .find(|(_, k, _)| *k == key)
            .map(|(n, _, v)| (n, v))
    }

    /// The value of the first column with this key, even if empty.
    pub fn value(&self, key: &str) -> Option<&'a str> {
        let at = self.header.keys.iter().position(|k| k == key)?;
        self.values.get(at).map(String::as_str)
    }

    /// The non-empty columns as (name, key, value).
    pub fn columns(&self) -> impl Iterator<Item = (&'a str, &'a str, &'a str)> + use<'a> {
        let header = self.header;
        header
            .names
            .iter()
            .zip(&header.keys)
            .zip(self.values)
            .filter(|(_, value)| !value.is_empty())
            .map(|((name, key), value)| (name.as_str(), key.as_str(), value.as_str()))
    }

    /// The row as a JSON object of its non-empty columns, keyed by column
    /// name: the `raw` text of an event made from a CSV row.
    pub fn to_json(&self) -> String {
        let object: Map<String, Value> = self
            .columns()
            .map(|(name, _, value)| (name.to_owned(), Value::String(value.to_owned())))
            .collect();
        Value::Object(object).to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn header() -> CsvHeader {
        CsvHeader::new(vec![
            "TimeGenerated [UTC]".into(),
            "Operation".into(),
            "UserId".into(),
            "UserId_".into(),
        ])
    }

    #[test]
    fn keys_drop_bracketed_suffixes_and_case() {
        assert_eq!(
            header().keys(),
            ["timegenerated", "operation", "userid", "userid_"]
        );
        assert!(header().has("timegenerated"));
        assert!(!header().has("TimeGenerated"));
    }

    #[test]
    fn rows_skip_empty_values() {
        let header = header();
        let values = ["4/28/2021, 2:33:14.000 PM", "New-InboxRule", "", "a@b.c"].map(String::from);
        let row = CsvRow {
            header: &header,
            values: &values,
        };
        assert_eq!(row.get("operation"), Some(("Operation", "New-InboxRule")));
        assert_eq!(row.get("userid"), None);
        assert_eq!(row.value("userid"), Some(""));
        assert_eq!(row.columns().count(), 3);
        let json: Value = serde_json::from_str(&row.to_json()).unwrap();
        assert_eq!(json["TimeGenerated [UTC]"], "4/28/2021, 2:33:14.000 PM");
        assert!(json.get("UserId").is_none());
    }
}
