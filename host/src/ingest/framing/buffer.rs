//! The window of input bytes framers scan.

use std::io::{self, Read};

/// How many bytes one read asks for (256 KiB).
const READ_BYTES: usize = 256 << 10;

/// Bytes read from the input and not consumed yet, with their offset in
/// the (decompressed) input.
#[derive(Debug, Default)]
pub(crate) struct InputBuffer {
    data: Vec<u8>,
    /// Bytes of `data` before this are consumed.
    start: usize,
    /// Input offset of `data[0]`.
    base: u64,
    /// Whether the last read found the end of the input (for now).
    eof: bool,
}

impl InputBuffer {
    /// An empty buffer at the start of the input.
    pub(crate) fn new() -> Self {
        Self::default()
    }

    /// The bytes not consumed yet.
    pub(crate) fn bytes(&self) -> &[u8] {
        &self.data[self.start..]
    }

    /// Input offset of the first byte not consumed.
    pub(crate) fn offset(&self) -> u64 {
        self.base + self.start as u64
    }

    /// Input offset just past the buffered bytes.
    pub(crate) fn end_offset(&self) -> u64 {
        self.base + self.data.len() as u64
    }

    /// Whether the last read found the end of the input.
    pub(crate) fn at_eof(&self) -> bool {
        self.eof
    }

    /// Marks the first `n` unconsumed bytes as consumed.
    pub(crate) fn consume(&mut self, n: usize) {
        self.start = (self.start + n).min(self.data.len());
    }

    /// Drops everything buffered: the next read is at input `offset`.
    pub(crate) fn restart_at(&mut self, offset: u64) {
        self.data.clear();
        self.start = 0;
        self.base = offset;
        self.eof = false;
    }

    /// Reads more bytes from `input`; returns how many (0 at its end).
    pub(crate) fn fill(&mut self, input: &mut impl Read) -> io::Result<usize> {
        if self.start > 0 {
            self.data.drain(..self.start);
            self.base += self.start as u64;
            self.start = 0;
        }
        let len = self.data.len();
        self.data.resize(len + READ_BYTES, 0);
        let read = loop {
            match input.read(&mut self.data[len..]) {
                Ok(n) => break Ok(n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => break Err(e),
            }
        };
        let n = *read.as_ref().unwrap_or(&0);
        self.data.truncate(len + n);
        self.eof = n == 0;
        read
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_follow_consumption_across_fills() {
        let mut input: &[u8] = b"hello world";
        let mut buf = InputBuffer::new();
        assert_eq!(buf.fill(&mut input).unwrap(), 11);
        buf.consume(6);
        assert_eq!(buf.bytes(), b"world");
        assert_eq!(buf.offset(), 6);
        assert_eq!(buf.fill(&mut input).unwrap(), 0);
        assert!(buf.at_eof());
        assert_eq!(buf.bytes(), b"world");
        assert_eq!(buf.offset(), 6);
        assert_eq!(buf.end_offset(), 11);
        buf.restart_at(100);
        assert_eq!(buf.offset(), 100);
        assert!(buf.bytes().is_empty());
    }
}
