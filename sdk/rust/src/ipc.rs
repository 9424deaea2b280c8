//! Reads Arrow IPC streams from memory.
//!
//! `arrow_ipc`'s `StreamDecoder` is used rather than its `StreamReader`:
//! it slices record batches out of the input without copying, and a
//! corrupt length prefix makes it fail at the end of the input instead of
//! allocating the length it read (which in a Wasm instance with a memory
//! cap would be a trap rather than an error).

use arrow_array::RecordBatch;
use arrow_buffer::Buffer;
use arrow_ipc::reader::StreamDecoder;
use arrow_schema::SchemaRef;

/// A decoded stream: its schema (none when the input is empty) and batches.
pub(crate) struct Stream {
    pub schema: Option<SchemaRef>,
    pub batches: Vec<RecordBatch>,
}

/// Decodes a whole IPC stream; the error names the batch it stopped at.
pub(crate) fn read_stream(mut input: Buffer) -> Result<Stream, String> {
    let mut decoder = StreamDecoder::new();
    let mut batches = Vec::new();
    while !input.is_empty() {
        let decoded = decoder
            .decode(&mut input)
            .map_err(|e| format!("reading record batch {}: {e}", batches.len()))?;
        batches.extend(decoded);
    }
    decoder.finish().map_err(|e| {
        format!(
            "the stream is cut short after {} batches: {e}",
            batches.len()
        )
    })?;
    Ok(Stream {
        schema: decoder.schema(),
        batches,
    })
}
