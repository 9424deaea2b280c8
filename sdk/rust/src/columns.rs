//! Binds the Arrow columns of a received batch to the event column table.
//!
//! The host projects each batch to the columns a detector asked for, in any
//! order, so a batch is bound by name: each known column lands in the slot
//! of its position in [`EVENT_COLUMNS`], typed as the table says. Columns
//! the table does not know are ignored, so an older SDK keeps working with
//! a newer host. A known column with another type is an error.

use arrow_array::cast::AsArray;
use arrow_array::types::ArrowPrimitiveType;
use arrow_array::types::{Float64Type, Int64Type, TimestampMicrosecondType, UInt8Type, UInt16Type};
use arrow_array::{
    Array, ArrayRef, Float64Array, Int64Array, ListArray, MapArray, PrimitiveArray, RecordBatch,
    StringArray, TimestampMicrosecondArray, UInt8Array, UInt16Array,
};
use palisade_schemas::{ALWAYS_SENT_EVENT_COLUMNS, ColumnType, EVENT_COLUMNS};

/// The position of an event column in [`EVENT_COLUMNS`]. Evaluated in a
/// `const` block, an unknown name fails the build.
pub(crate) const fn column_index(name: &str) -> usize {
    let mut i = 0;
    while i < EVENT_COLUMNS.len() {
        if str_eq(EVENT_COLUMNS[i].name, name) {
            return i;
        }
        i += 1;
    }
    panic!("not a column of EVENT_COLUMNS");
}

const fn str_eq(a: &str, b: &str) -> bool {
    let (a, b) = (a.as_bytes(), b.as_bytes());
    if a.len() != b.len() {
        return false;
    }
    let mut i = 0;
    while i < a.len() {
        if a[i] != b[i] {
            return false;
        }
        i += 1;
    }
    true
}

/// One received column, downcast to the array type its [`ColumnType`] maps
/// to. Lists and maps keep their text children downcast too.
pub(crate) enum TypedColumn {
    Text(StringArray),
    Time(TimestampMicrosecondArray),
    Float(Float64Array),
    UInt8(UInt8Array),
    UInt16(UInt16Array),
    Int64(Int64Array),
    TextList(ListArray, StringArray),
    /// Boxed: a map column is several arrays, the other variants one.
    TextMap(Box<(MapArray, StringArray, StringArray)>),
}

impl TypedColumn {
    /// Downcasts `array` to the type of `ty`; `None` when it has another
    /// type. Timestamps are accepted in any time zone (the values are UTC
    /// microseconds either way), and nested field names are not checked.
    fn from_array(ty: ColumnType, array: &ArrayRef) -> Option<Self> {
        Some(match ty {
            ColumnType::Text => TypedColumn::Text(array.as_string_opt::<i32>()?.clone()),
            ColumnType::Timestamp => {
                TypedColumn::Time(primitive::<TimestampMicrosecondType>(array)?)
            }
            ColumnType::Float => TypedColumn::Float(primitive::<Float64Type>(array)?),
            ColumnType::UInt8 => TypedColumn::UInt8(primitive::<UInt8Type>(array)?),
            ColumnType::UInt16 => TypedColumn::UInt16(primitive::<UInt16Type>(array)?),
            ColumnType::Int64 => TypedColumn::Int64(primitive::<Int64Type>(array)?),
            ColumnType::TextList => {
                let list = array.as_list_opt::<i32>()?;
                let values = list.values().as_string_opt::<i32>()?.clone();
                TypedColumn::TextList(list.clone(), values)
            }
            ColumnType::TextMap => {
                let map = array.as_map_opt()?;
                let keys = map.keys().as_string_opt::<i32>()?.clone();
                let values = map.values().as_string_opt::<i32>()?.clone();
                TypedColumn::TextMap(Box::new((map.clone(), keys, values)))
            }
        })
    }

    fn array(&self) -> &dyn Array {
        match self {
            TypedColumn::Text(a) => a,
            TypedColumn::Time(a) => a,
            TypedColumn::Float(a) => a,
            TypedColumn::UInt8(a) => a,
            TypedColumn::UInt16(a) => a,
            TypedColumn::Int64(a) => a,
            TypedColumn::TextList(a, _) => a,
            TypedColumn::TextMap(m) => &m.0,
        }
    }
}

fn primitive<T: ArrowPrimitiveType>(array: &ArrayRef) -> Option<PrimitiveArray<T>> {
    array.as_primitive_opt::<T>().cloned()
}

/// One record batch, its columns in [`EVENT_COLUMNS`] order; `None` for a
/// column the host did not send.
pub(crate) struct EventBatch {
    rows: usize,
    columns: Vec<Option<TypedColumn>>,
}

impl EventBatch {
    /// Binds `batch` to the event columns.
    ///
    /// Errors (as a reason without context) when a known column has another
    /// type, or when `event_id`, `time` or `kind` is missing or has nulls.
    pub(crate) fn bind(batch: &RecordBatch) -> Result<Self, String> {
        let mut columns: Vec<Option<TypedColumn>> = EVENT_COLUMNS.iter().map(|_| None).collect();
        let schema = batch.schema();
        for (field, array) in schema.fields().iter().zip(batch.columns()) {
            let Some(index) = EVENT_COLUMNS.iter().position(|c| c.name == field.name()) else {
                continue;
            };
            let column = &EVENT_COLUMNS[index];
            let typed = TypedColumn::from_array(column.ty, array).ok_or_else(|| {
                format!(
                    "column `{}` has type {} where the event schema has {}",
                    column.name,
                    array.data_type(),
                    column.ty.arrow_name()
                )
            })?;
            columns[index] = Some(typed);
        }

        let bound = EventBatch {
            rows: batch.num_rows(),
            columns,
        };
        for name in ALWAYS_SENT_EVENT_COLUMNS {
            let Some(column) = bound
                .columns
                .iter()
                .zip(EVENT_COLUMNS)
                .find(|(_, c)| c.name == *name)
            else {
                continue;
            };
            match column.0 {
                None => return Err(format!("required column `{name}` is missing")),
                Some(c) if c.array().null_count() > 0 => {
                    return Err(format!("required column `{name}` has nulls"));
                }
                Some(_) => {}
            }
        }
        Ok(bound)
    }

    /// The number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.rows
    }

    /// The column at `index` of [`EVENT_COLUMNS`], if it was sent.
    pub(crate) fn column(&self, index: usize) -> Option<&TypedColumn> {
        self.columns.get(index)?.as_ref()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn column_index_finds_columns_in_table_order() {
        assert_eq!(column_index("event_id"), 0);
        assert_eq!(EVENT_COLUMNS[column_index("attrs")].name, "attrs");
    }
}
