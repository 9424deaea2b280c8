//! One Azure Monitor diagnostic record, whatever shape it came in.
//!
//! A diagnostic record has two levels: the envelope (`time`, `category`,
//! `operationName`, `callerIpAddress`, ...) and `properties`, the fields
//! of the table the record belongs to. A Sentinel CSV row has one level:
//! its columns are the table's fields with the envelope's beside them.
//! [`DiagnosticRecord`] reads both alike: a field is looked up in
//! `properties` first, then in the envelope, by name without regard to
//! ASCII case.
//!
//! A CSV row is first turned into members ([`csv_members`]): a column's
//! name loses its bracketed suffix (` [UTC]`) and Sentinel's `_dynamic` or
//! `_string` suffix (`LocationDetails_dynamic` is `LocationDetails`), and
//! a value that holds JSON (`{...}` or `[...]`) is parsed, so nested
//! fields are reached the same way as in a JSON record.

use std::borrow::Cow;
use std::sync::Arc;

use crate::normalize::Attrs;

use crate::normalize::json::Json;
use crate::normalize::values::{canonical_ip, parse_time};
use crate::normalize::{CsvHeader, CsvRow, NormalizeError};

/// The members of a JSON object, in document order.
pub(crate) type Members<'a> = [(Cow<'a, str>, Json<'a>)];

/// Sentinel's export bookkeeping, not part of any record: the workspace's
/// tenant, the collecting system, the table name (read for dispatch) and
/// the resource id.
const BOOKKEEPING: [&str; 4] = ["tenantid", "sourcesystem", "type", "_resourceid"];

/// One record: its envelope and its `properties`.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DiagnosticRecord<'r, 'a> {
    /// The envelope's members; empty for a CSV row.
    pub envelope: &'r Members<'a>,
    /// The table's fields; for a CSV row, all its non-empty columns.
    pub properties: &'r Members<'a>,
    /// The CSV header, for a CSV row.
    pub header: Option<&'r CsvHeader>,
}

impl<'r, 'a> DiagnosticRecord<'r, 'a> {
    /// The first non-null field named `key`, in `properties` first.
    pub(crate) fn get(&self, key: &str) -> Option<&'r Json<'a>> {
        find(self.properties, key).or_else(|| find(self.envelope, key))
    }

    /// The text of a field (see [`Json::text`]), trimmed; `None` when
    /// absent, null or blank.
    pub(crate) fn text(&self, key: &str) -> Option<Cow<'r, str>> {
        self.get(key).and_then(Json::text).map(trim)
    }

    /// The first of `keys` with text.
    pub(crate) fn text_of(&self, keys: &[&str]) -> Option<Cow<'r, str>> {
        keys.iter().find_map(|key| self.text(key))
    }

    /// Whether this record came as a CSV row.
    pub(crate) fn is_csv(&self) -> bool {
        self.header.is_some()
    }

    /// Every member, the envelope's (but `properties`) first.
    pub(crate) fn members(&self) -> impl Iterator<Item = &'r (Cow<'a, str>, Json<'a>)> {
        let envelope = self.envelope.iter();
        let envelope = envelope.filter(|(name, _)| !name.eq_ignore_ascii_case("properties"));
        envelope.chain(self.properties.iter())
    }

    /// The record's time from the first of `keys` present, in
    /// microseconds since the Unix epoch.
    ///
    /// `Ok(None)` only for a CSV export that has none of these columns at
    /// all (a hunting query that projected the time away): the rows are
    /// still events, and the caller marks their time as missing.
    ///
    /// # Errors
    ///
    /// When the time is absent from a record that should have it, or does
    /// not parse.
    pub(crate) fn time(&self, keys: &[&str]) -> Result<Option<i64>, NormalizeError> {
        let found = keys.iter().find_map(|key| Some((*key, self.text(key)?)));
        if let Some((key, text)) = found {
            return parse_time(&text)
                .map(Some)
                .ok_or_else(|| NormalizeError::invalid(key, "invalid date", &text));
        }
        let has_column = |header: &CsvHeader| {
            let keys_in = |k: &String| keys.iter().any(|key| key.eq_ignore_ascii_case(k));
            header.keys().iter().any(keys_in)
        };
        match self.header {
            Some(header) if !has_column(header) => Ok(None),
            _ => Err(NormalizeError::missing(keys.join("` or `"))),
        }
    }
}

/// How the names of CSV columns become attribute names.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Naming {
    /// As written (Defender's tables are PascalCase in JSON and CSV).
    AsIs,
    /// In the diagnostic JSON's camelCase ([`camel_case`]), so an
    /// attribute has one name whether the record came as JSON or CSV.
    Camel,
}

impl DiagnosticRecord<'_, '_> {
    /// The vendor fields as attributes: every member with text, by name,
    /// except those named in `skip` (lower case). The objects named in
    /// `flatten` (lower-case name, attribute prefix) give one attribute
    /// per field, `prefix.field`. Lists and other objects are compact
    /// JSON. A `properties` field wins over an envelope field of the same
    /// name.
    pub(crate) fn attrs(&self, skip: &[&str], flatten: &[(&str, &str)], naming: Naming) -> Attrs {
        // Gathered, then sorted once: a record has dozens.
        let mut attrs: Vec<(Arc<str>, String)> = Vec::new();
        let mut prefixed = String::new();
        for (name, value) in self.members() {
            if skip.iter().any(|s| name.eq_ignore_ascii_case(s)) {
                continue;
            }
            let prefix = flatten.iter().find(|(k, _)| name.eq_ignore_ascii_case(k));
            if let (Some((_, prefix)), Some(fields)) = (prefix, value.as_object()) {
                for (field, value) in fields {
                    if let Some(text) = value.text() {
                        prefixed.clear();
                        prefixed.extend([prefix, ".", field]);
                        attrs.push((Arc::from(prefixed.as_str()), text.into_owned()));
                    }
                }
                continue;
            }
            let Some(text) = value.text() else { continue };
            let name: Arc<str> = match naming {
                Naming::Camel if self.is_csv() => Arc::from(&*camel_case(name)),
                _ => Arc::from(&**name),
            };
            attrs.push((name, text.into_owned()));
        }
        attrs.into_iter().collect()
    }
}

/// The first of the candidate client addresses that parses, in canonical
/// form. A candidate that does not parse (a host name) is kept in `attrs`
/// under its field name, and so is a later one that differs from the
/// address chosen.
pub(crate) fn pick_ip<'v>(
    candidates: impl IntoIterator<Item = (&'static str, Option<Cow<'v, str>>)>,
    attrs: &mut Attrs,
) -> Option<String> {
    let mut chosen: Option<String> = None;
    for (name, value) in candidates {
        let Some(value) = value else { continue };
        match (canonical_ip(&value), &chosen) {
            (Some(ip), None) => chosen = Some(ip),
            (Some(ip), Some(first)) if ip == *first => {}
            _ => {
                attrs.insert(name.to_owned(), value.into_owned());
            }
        }
    }
    chosen
}

/// The first non-null member named `key` (ASCII case ignored).
pub(crate) fn find<'r, 'a>(members: &'r Members<'a>, key: &str) -> Option<&'r Json<'a>> {
    members
        .iter()
        .find(|(name, value)| name.eq_ignore_ascii_case(key) && !matches!(value, Json::Null))
        .map(|(_, value)| value)
}

/// The text of `key` in an object value, trimmed, when it has some.
pub(crate) fn field_text<'v>(value: &'v Json<'_>, key: &str) -> Option<Cow<'v, str>> {
    value.get_ignore_case(key).and_then(Json::text).map(trim)
}

fn trim(text: Cow<'_, str>) -> Cow<'_, str> {
    match text {
        Cow::Borrowed(s) => Cow::Borrowed(s.trim()),
        Cow::Owned(s) if s.trim().len() == s.len() => Cow::Owned(s),
        Cow::Owned(s) => Cow::Owned(s.trim().to_owned()),
    }
}

/// The non-empty columns of a Sentinel CSV row as members: names without
/// suffixes, JSON values parsed; export bookkeeping left out.
pub(crate) fn csv_members<'a>(row: &CsvRow<'a>) -> Vec<(Cow<'a, str>, Json<'a>)> {
    row.columns()
        .filter(|(_, key, _)| !BOOKKEEPING.contains(key))
        .map(|(name, _, value)| (Cow::Borrowed(column_name(name)), cell(value)))
        .collect()
}

/// A column's name without ` [UTC]`, `_dynamic` or `_string`.
fn column_name(name: &str) -> &str {
    let name = name.trim();
    let name = match name.rfind(" [") {
        Some(at) if name.ends_with(']') => name[..at].trim_end(),
        _ => name,
    };
    ["_dynamic", "_string"]
        .iter()
        .find_map(|suffix| name.strip_suffix(suffix))
        .unwrap_or(name)
}

/// A cell's value: parsed when it holds a JSON object or array.
fn cell(value: &str) -> Json<'_> {
    let trimmed = value.trim_start();
    if (trimmed.starts_with('{') || trimmed.starts_with('['))
        && let Ok(json) = Json::parse(value)
    {
        return json;
    }
    Json::Str(Cow::Borrowed(value))
}

/// A Sentinel PascalCase column name in the diagnostic JSON's camelCase:
/// `AppDisplayName` is `appDisplayName`, `IPAddress` is `ipAddress`,
/// `AADTenantId` is `aadTenantId`. Names that start in lower case are
/// kept.
pub(crate) fn camel_case(name: &str) -> Cow<'_, str> {
    let upper = name.bytes().take_while(u8::is_ascii_uppercase).count();
    if upper == 0 {
        return Cow::Borrowed(name);
    }
    // In `IPAddress` the last capital of the run starts the next word.
    let next_is_lower = name
        .as_bytes()
        .get(upper)
        .is_some_and(u8::is_ascii_lowercase);
    let lower = if upper > 1 && next_is_lower {
        upper - 1
    } else {
        upper
    };
    let mut out = name[..lower].to_ascii_lowercase();
    out.push_str(&name[lower..]);
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fields_are_found_in_properties_then_the_envelope() {
        let text = r#"{"time":"2024-03-14T09:14:02Z","callerIpAddress":"1.2.3.4","category":"X","properties":{"Category":"Y","ipAddress":null}}"#;
        let json = Json::parse(text).unwrap();
        let envelope = json.as_object().unwrap();
        let properties = find(envelope, "properties").unwrap().as_object().unwrap();
        let record = DiagnosticRecord {
            envelope,
            properties,
            header: None,
        };
        assert_eq!(record.text("category").as_deref(), Some("Y"));
        assert_eq!(
            record.text_of(&["ipAddress", "callerIpAddress"]).as_deref(),
            Some("1.2.3.4"),
            "null is absent"
        );
        assert_eq!(
            record.time(&["activityDateTime", "time"]),
            Ok(Some(1_710_407_642_000_000))
        );
        assert_eq!(
            record.time(&["createdDateTime"]),
            Err(NormalizeError::missing("createdDateTime"))
        );
        assert_eq!(
            record
                .time(&["createdDateTime", "TimeGenerated"])
                .unwrap_err()
                .to_string(),
            "missing `createdDateTime` or `TimeGenerated`"
        );
        let names: Vec<&str> = record.members().map(|(n, _)| n.as_ref()).collect();
        assert_eq!(
            names,
            [
                "time",
                "callerIpAddress",
                "category",
                "Category",
                "ipAddress"
            ]
        );
    }

    #[test]
    fn csv_rows_lose_suffixes_and_bookkeeping_and_parse_json_cells() {
        let header = CsvHeader::new(
            [
                "TenantId",
                "CreatedDateTime [UTC]",
                "LocationDetails_dynamic",
                "LocationDetails_string",
                "Location",
                "Type",
                "Note",
            ]
            .map(String::from)
            .to_vec(),
        );
        let values = [
            "t",
            "4/28/2021, 2:08:45.221 PM",
            r#"{"countryOrRegion":"IL","city":"Azor"}"#,
            "",
            "IL",
            "SigninLogs",
            "[not json",
        ]
        .map(String::from);
        let row = CsvRow {
            header: &header,
            values: &values,
        };
        let members = csv_members(&row);
        let names: Vec<&str> = members.iter().map(|(n, _)| n.as_ref()).collect();
        assert_eq!(
            names,
            ["CreatedDateTime", "LocationDetails", "Location", "Note"]
        );
        let record = DiagnosticRecord {
            envelope: &[],
            properties: &members,
            header: Some(&header),
        };
        let location = record.get("locationDetails").unwrap();
        assert_eq!(field_text(location, "city").as_deref(), Some("Azor"));
        assert_eq!(record.text("note").as_deref(), Some("[not json"));
        assert!(record.time(&["createdDateTime"]).unwrap().is_some());
        assert_eq!(record.time(&["TimeGenerated"]), Ok(None), "no such column");
    }

    #[test]
    fn pascal_case_columns_become_camel_case() {
        for (name, want) in [
            ("AppDisplayName", "appDisplayName"),
            ("IPAddress", "ipAddress"),
            ("AADTenantId", "aadTenantId"),
            ("Id", "id"),
            ("ID", "id"),
            ("riskState", "riskState"),
            ("RiskEventTypes_V2", "riskEventTypes_V2"),
        ] {
            assert_eq!(camel_case(name), want, "{name}");
        }
    }
}
