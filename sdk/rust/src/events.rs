//! A batch of events as a detector receives it: decoded from an Arrow IPC
//! stream, which may hold any number of record batches.

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;

use crate::columns::{EventBatch, TypedColumn, column_index};
use crate::ipc::read_stream;
use crate::{Error, Event, TimeRange};

/// The events of one `detect` call, read through [`Event`] views.
#[derive(Default)]
pub struct Events {
    batches: Vec<EventBatch>,
    len: usize,
}

impl Events {
    /// Decodes an Arrow IPC stream of events. The stream's columns may be
    /// any subset of the event columns, in any order, and it may hold any
    /// number of record batches. An empty byte string is an empty batch.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] when the bytes are not an IPC stream, a known
    /// column has the wrong type, or `event_id`, `time` or `kind` is
    /// missing or null.
    pub fn decode(ipc: &[u8]) -> Result<Self, Error> {
        Events::decode_buffer(Buffer::from(ipc))
    }

    /// As [`Events::decode`], without copying the input.
    ///
    /// # Errors
    ///
    /// As [`Events::decode`].
    pub fn decode_owned(ipc: Vec<u8>) -> Result<Self, Error> {
        Events::decode_buffer(Buffer::from_vec(ipc))
    }

    fn decode_buffer(ipc: Buffer) -> Result<Self, Error> {
        let stream = read_stream(ipc).map_err(Error::Decode)?;
        Events::from_record_batches(&stream.batches)
    }

    /// Events from record batches already in memory, checked as
    /// [`Events::decode`] checks them.
    ///
    /// # Errors
    ///
    /// [`Error::Decode`] as for [`Events::decode`].
    pub fn from_record_batches<'b>(
        batches: impl IntoIterator<Item = &'b RecordBatch>,
    ) -> Result<Self, Error> {
        let bound = batches
            .into_iter()
            .enumerate()
            .map(|(i, b)| {
                EventBatch::bind(b)
                    .map_err(|reason| Error::Decode(format!("record batch {i}: {reason}")))
            })
            .collect::<Result<Vec<_>, _>>()?;
        Ok(Events::from_bound(bound))
    }

    fn from_bound(batches: Vec<EventBatch>) -> Self {
        let len = batches.iter().map(EventBatch::rows).sum();
        Events { batches, len }
    }

    /// The number of events.
    pub fn len(&self) -> usize {
        self.len
    }

    /// Whether there are no events.
    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    /// The events in the order the host sent them.
    pub fn iter(&self) -> EventIter<'_> {
        EventIter {
            batches: self.batches.iter(),
            current: None,
            row: 0,
        }
    }

    /// The event at `index`, counting across record batches.
    pub fn get(&self, mut index: usize) -> Option<Event<'_>> {
        for batch in &self.batches {
            if index < batch.rows() {
                return Some(Event::new(batch, index));
            }
            index -= batch.rows();
        }
        None
    }

    /// The earliest and latest event time; `None` when there are no events.
    pub fn time_range(&self) -> Option<TimeRange> {
        let mut range: Option<TimeRange> = None;
        for batch in &self.batches {
            let Some(TypedColumn::Time(times)) = batch.column(const { column_index("time") })
            else {
                continue;
            };
            for t in times.iter().flatten() {
                let r = range.get_or_insert(TimeRange { start: t, end: t });
                r.start = r.start.min(t);
                r.end = r.end.max(t);
            }
        }
        range
    }
}

impl<'a> IntoIterator for &'a Events {
    type Item = Event<'a>;
    type IntoIter = EventIter<'a>;

    fn into_iter(self) -> EventIter<'a> {
        self.iter()
    }
}

/// Iterator over the [`Event`]s of [`Events`].
pub struct EventIter<'a> {
    batches: std::slice::Iter<'a, EventBatch>,
    current: Option<&'a EventBatch>,
    row: usize,
}

impl<'a> Iterator for EventIter<'a> {
    type Item = Event<'a>;

    fn next(&mut self) -> Option<Event<'a>> {
        loop {
            if let Some(batch) = self.current
                && self.row < batch.rows()
            {
                self.row += 1;
                return Some(Event::new(batch, self.row - 1));
            }
            self.current = Some(self.batches.next()?);
            self.row = 0;
        }
    }
}
