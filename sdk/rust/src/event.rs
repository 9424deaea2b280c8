//! One event of a batch, read in place: typed accessors for every event
//! column, generated from the column names of `palisade_schemas`.
//!
//! An accessor returns `None` when the column was not sent (the detector did
//! not ask for it in [`Description::columns`](crate::Description::columns))
//! or the value is null. `event_id`, `time` and `kind` are always sent and
//! never null, so their accessors return plain values.

use arrow_array::{Array, StringArray};

use crate::columns::{EventBatch, TypedColumn, column_index};

/// A row of an event batch. Cheap to copy; borrows the batch.
#[derive(Clone, Copy)]
pub struct Event<'a> {
    batch: &'a EventBatch,
    row: usize,
}

/// Declares the accessors of optional scalar columns. The method name is
/// the column name; `column_index` in a `const` block makes a name that is
/// not in the table a build error.
macro_rules! scalar_accessors {
    ($($name:ident: $variant:ident -> $ret:ty;)*) => {
        impl<'a> Event<'a> {
            $(
                #[doc = concat!("The `", stringify!($name), "` column; see `schemas/COLUMNS.md`.")]
                pub fn $name(&self) -> Option<$ret> {
                    match self.batch.column(const { column_index(stringify!($name)) })? {
                        TypedColumn::$variant(a) if a.is_valid(self.row) => Some(a.value(self.row)),
                        _ => None,
                    }
                }
            )*
        }

        /// The generated accessors with their column types, for the test
        /// that keeps them in step with the column table.
        #[cfg(test)]
        const SCALAR_ACCESSORS: &[(&str, palisade_schemas::ColumnType)] = &[
            $((stringify!($name), scalar_accessors!(@type $variant)),)*
        ];
    };
    (@type Text) => { palisade_schemas::ColumnType::Text };
    (@type Float) => { palisade_schemas::ColumnType::Float };
    (@type UInt16) => { palisade_schemas::ColumnType::UInt16 };
    (@type Int64) => { palisade_schemas::ColumnType::Int64 };
}

scalar_accessors! {
    source: Text -> &'a str;
    action: Text -> &'a str;
    outcome: Text -> &'a str;
    user: Text -> &'a str;
    src_ip: Text -> &'a str;
    src_country: Text -> &'a str;
    src_city: Text -> &'a str;
    src_lat: Float -> f64;
    src_lon: Float -> f64;
    device: Text -> &'a str;
    dst_ip: Text -> &'a str;
    dst_port: UInt16 -> u16;
    user_agent: Text -> &'a str;
    domain: Text -> &'a str;
    url: Text -> &'a str;
    email_from: Text -> &'a str;
    email_subject: Text -> &'a str;
    message_id: Text -> &'a str;
    rule_name: Text -> &'a str;
    file_name: Text -> &'a str;
    file_visibility: Text -> &'a str;
    bytes: Int64 -> i64;
    raw: Text -> &'a str;
}

impl<'a> Event<'a> {
    pub(crate) fn new(batch: &'a EventBatch, row: usize) -> Self {
        Event { batch, row }
    }

    /// The stable id of the event.
    pub fn event_id(&self) -> &'a str {
        self.text(const { column_index("event_id") })
            .unwrap_or_default()
    }

    /// The event time in microseconds since the Unix epoch, UTC.
    pub fn time(&self) -> i64 {
        match self.batch.column(const { column_index("time") }) {
            Some(TypedColumn::Time(a)) if a.is_valid(self.row) => a.value(self.row),
            _ => 0,
        }
    }

    /// The normalized activity (`mailbox.rule_change`).
    pub fn kind(&self) -> &'a str {
        self.text(const { column_index("kind") })
            .unwrap_or_default()
    }

    /// The recipients (`email_to`).
    pub fn email_to(&self) -> Option<TextList<'a>> {
        match self.batch.column(const { column_index("email_to") })? {
            TypedColumn::TextList(list, values) if list.is_valid(self.row) => {
                let offsets = list.value_offsets();
                let range = to_range(offsets[self.row], offsets[self.row + 1]);
                Some(TextList { values, range })
            }
            _ => None,
        }
    }

    /// The vendor fields with no column of their own (`attrs`).
    pub fn attrs(&self) -> Option<Attrs<'a>> {
        match self.batch.column(const { column_index("attrs") })? {
            TypedColumn::TextMap(m) if m.0.is_valid(self.row) => {
                let (map, keys, values) = &**m;
                let offsets = map.value_offsets();
                let range = to_range(offsets[self.row], offsets[self.row + 1]);
                Some(Attrs {
                    keys,
                    values,
                    range,
                })
            }
            _ => None,
        }
    }

    /// One vendor field of `attrs`, its name matched ignoring ASCII case
    /// (vendors such as Exchange PowerShell accept names in any case).
    pub fn attr(&self, name: &str) -> Option<&'a str> {
        self.attrs()?.get_ignore_case(name)
    }

    fn text(&self, index: usize) -> Option<&'a str> {
        match self.batch.column(index)? {
            TypedColumn::Text(a) if a.is_valid(self.row) => Some(a.value(self.row)),
            _ => None,
        }
    }
}

impl std::fmt::Debug for Event<'_> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Event")
            .field("event_id", &self.event_id())
            .field("time", &self.time())
            .field("kind", &self.kind())
            .finish_non_exhaustive()
    }
}

fn to_range(start: i32, end: i32) -> std::ops::Range<usize> {
    // Offsets were validated by the IPC reader: non-negative, increasing.
    usize::try_from(start).unwrap_or(0)..usize::try_from(end).unwrap_or(0)
}

/// A list of text values in one row, such as `email_to`. Null items are
/// skipped.
#[derive(Clone)]
pub struct TextList<'a> {
    values: &'a StringArray,
    range: std::ops::Range<usize>,
}

impl<'a> TextList<'a> {
    /// The items, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a str> + use<'a> {
        let values = self.values;
        self.range
            .clone()
            .filter(move |&i| values.is_valid(i))
            .map(move |i| values.value(i))
    }

    /// The number of items, nulls included.
    pub fn len(&self) -> usize {
        self.range.len()
    }

    /// Whether the list has no items.
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }

    /// Whether an item equals `value`.
    pub fn contains(&self, value: &str) -> bool {
        self.iter().any(|v| v == value)
    }
}

/// The text map of one row (`attrs`). Entries with a null value are
/// skipped.
#[derive(Clone)]
pub struct Attrs<'a> {
    keys: &'a StringArray,
    values: &'a StringArray,
    range: std::ops::Range<usize>,
}

impl<'a> Attrs<'a> {
    /// The (key, value) entries, in order.
    pub fn iter(&self) -> impl Iterator<Item = (&'a str, &'a str)> + use<'a> {
        let (keys, values) = (self.keys, self.values);
        self.range
            .clone()
            .filter(move |&i| values.is_valid(i))
            .map(move |i| (keys.value(i), values.value(i)))
    }

    /// The value under exactly `key`.
    pub fn get(&self, key: &str) -> Option<&'a str> {
        self.iter().find(|(k, _)| *k == key).map(|(_, v)| v)
    }

    /// The value under `key` ignoring ASCII case; an exact match wins.
    pub fn get_ignore_case(&self, key: &str) -> Option<&'a str> {
        self.get(key).or_else(|| {
            self.iter()
                .find(|(k, _)| k.eq_ignore_ascii_case(key))
                .map(|(_, v)| v)
        })
    }

    /// The number of entries, null values included.
    pub fn len(&self) -> usize {
        self.range.len()
    }

    /// Whether the map has no entries.
    pub fn is_empty(&self) -> bool {
        self.range.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use palisade_schemas::{ColumnType, EVENT_COLUMNS};

    use super::SCALAR_ACCESSORS;

    /// Accessors written by hand, outside the macro.
    const HAND_WRITTEN: &[(&str, ColumnType)] = &[
        ("event_id", ColumnType::Text),
        ("time", ColumnType::Timestamp),
        ("kind", ColumnType::Text),
        ("email_to", ColumnType::TextList),
        ("attrs", ColumnType::TextMap),
    ];

    #[test]
    fn every_event_column_has_an_accessor_of_its_type() {
        for column in EVENT_COLUMNS {
            let accessor = SCALAR_ACCESSORS
                .iter()
                .chain(HAND_WRITTEN)
                .find(|(name, _)| *name == column.name);
            assert_eq!(
                accessor.map(|(_, ty)| *ty),
                Some(column.ty),
                "Event has no accessor of the right type for `{}`",
                column.name
            );
        }
    }
}
