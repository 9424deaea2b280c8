//! Opening files (plain or gzip) and listing the files under folders.

use std::fs::{self, File};
use std::io::{self, Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use flate2::read::MultiGzDecoder;

use super::{FileIdentity, IngestError};

/// The first two bytes of every gzip stream.
const GZIP_MAGIC: [u8; 2] = [0x1f, 0x8b];

/// The path that stands for standard input.
pub const STDIN: &str = "-";

/// Whether `path` stands for standard input ([`STDIN`]).
pub fn is_stdin(path: &Path) -> bool {
    path.as_os_str() == STDIN
}

/// The bytes of one input file, decompressed when it is gzip.
pub(crate) enum Source {
    /// Standard input or another stream (a named pipe), decompressed when
    /// it is gzip: read once, in order, never resumed.
    Stream(Box<Stream>),
    /// A plain file: seekable, and it can grow while followed.
    Plain(File),
    /// A gzip file, all members in turn.
    Gzip(Box<Gzip>),
    /// Records held in memory, such as the log records of a test case.
    Memory(io::Cursor<Vec<u8>>),
}

impl Source {
    /// Opens `path` (standard input for [`STDIN`]), telling gzip from its
    /// magic bytes.
    pub(crate) fn open(path: &Path) -> Result<Self, IngestError> {
        let fail = |source| IngestError::Open {
            path: path.to_owned(),
            source,
        };
        let stream = |reader| Stream::open(reader).map(|s| Source::Stream(Box::new(s)));
        if is_stdin(path) {
            return stream(Box::new(io::stdin())).map_err(fail);
        }
        let mut file = File::open(path).map_err(fail)?;
        if !file.metadata().map_err(fail)?.is_file() {
            return stream(Box::new(file)).map_err(fail);
        }
        let mut magic = [0u8; 2];
        let read = read_full(&mut file, &mut magic).map_err(fail)?;
        file.seek(SeekFrom::Start(0)).map_err(fail)?;
        if read == magic.len() && magic == GZIP_MAGIC {
            Ok(Source::Gzip(Box::new(Gzip {
                decoder: MultiGzDecoder::new(file),
                damage: None,
            })))
        } else {
            Ok(Source::Plain(file))
        }
    }

    /// The identity of the file read; `None` for records in memory.
    pub(crate) fn identity(&self) -> Option<FileIdentity> {
        match self {
            Source::Plain(file) => FileIdentity::of_file(file),
            Source::Gzip(gz) => FileIdentity::of_file(gz.decoder.get_ref()),
            Source::Stream(_) | Source::Memory(_) => None,
        }
    }

    /// Whether a plain file is now shorter than `offset`: it was
    /// truncated after that much was read.
    pub(crate) fn shorter_than(&self, offset: u64) -> bool {
        match self {
            Source::Plain(file) => file.metadata().is_ok_and(|m| m.len() < offset),
            Source::Gzip(_) | Source::Stream(_) | Source::Memory(_) => false,
        }
    }

    /// The first `len` bytes of a plain file as it is now, read without
    /// moving the reading position; `None` for other sources, on
    /// platforms without positioned reads, or when they cannot be read.
    pub(crate) fn head(&self, len: usize) -> Option<Vec<u8>> {
        #[cfg(unix)]
        if let Source::Plain(file) = self {
            use std::os::unix::fs::FileExt;
            let mut head = vec![0; len];
            let mut filled = 0;
            while filled < len {
                match file.read_at(&mut head[filled..], filled as u64) {
                    Ok(0) => break,
                    Ok(n) => filled += n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(_) => return None,
                }
            }
            head.truncate(filled);
            return Some(head);
        }
        let _ = len;
        None
    }

    /// Moves on to decompressed byte `offset`, `done` bytes having been
    /// read so far.
    pub(crate) fn skip_to(&mut self, offset: u64, done: u64) -> io::Result<()> {
        match self {
            Source::Plain(file) => {
                let len = file.metadata()?.len();
                if len < offset {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "cannot resume at byte {offset}: the file is only {len} bytes long"
                        ),
                    ));
                }
                file.seek(SeekFrom::Start(offset)).map(drop)
            }
            Source::Memory(bytes) => {
                let len = bytes.get_ref().len() as u64;
                if len < offset {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!(
                            "cannot resume at byte {offset}: the input is only {len} bytes long"
                        ),
                    ));
                }
                bytes.set_position(offset);
                Ok(())
            }
            Source::Gzip(_) | Source::Stream(_) => {
                let wanted = offset.saturating_sub(done);
                let skipped = io::copy(&mut self.by_ref().take(wanted), &mut io::sink())?;
                if skipped < wanted {
                    return Err(io::Error::new(
                        io::ErrorKind::UnexpectedEof,
                        format!("the file ends before byte {offset}"),
                    ));
                }
                Ok(())
            }
        }
    }
}

/// A gzip file being decompressed. Compressed data that ends early or is
/// corrupt ends the input where the good data ends, so the records before
/// it are read; `damage` says why it ended.
pub(crate) struct Gzip {
    decoder: MultiGzDecoder<File>,
    damage: Option<String>,
}

/// A stream, read through a gzip decoder when it starts with the gzip
/// magic bytes. As for a gzip file, compressed data that ends early or is
/// corrupt ends the input, and `damage` says why.
pub(crate) struct Stream {
    reader: Box<dyn Read + Send>,
    gzip: bool,
    damage: Option<String>,
}

impl Stream {
    fn open(mut input: Box<dyn Read + Send>) -> io::Result<Self> {
        let mut magic = [0u8; 2];
        let read = read_full(&mut input, &mut magic)?;
        let start = io::Cursor::new(magic).take(read as u64);
        let gzip = read == magic.len() && magic == GZIP_MAGIC;
        let reader: Box<dyn Read + Send> = if gzip {
            Box::new(MultiGzDecoder::new(start.chain(input)))
        } else {
            Box::new(start.chain(input))
        };
        Ok(Stream {
            reader,
            gzip,
            damage: None,
        })
    }
}

impl Source {
    /// Whether this is a stream: read once, with no position to resume at.
    pub(crate) fn is_stream(&self) -> bool {
        matches!(self, Source::Stream(_))
    }

    /// Why the compressed data ended before its proper end, if it did.
    pub(crate) fn damage(&self) -> Option<&str> {
        match self {
            Source::Gzip(gz) => gz.damage.as_deref(),
            Source::Stream(stream) => stream.damage.as_deref(),
            Source::Plain(_) | Source::Memory(_) => None,
        }
    }
}

impl Read for Source {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        match self {
            Source::Plain(file) => file.read(buf),
            Source::Gzip(gz) if gz.damage.is_some() => Ok(0),
            Source::Gzip(gz) => match gz.decoder.read(buf) {
                Err(e) if e.kind() != io::ErrorKind::Interrupted => {
                    gz.damage = Some(e.to_string());
                    Ok(0)
                }
                other => other,
            },
            Source::Stream(stream) if stream.damage.is_some() => Ok(0),
            Source::Stream(stream) => match stream.reader.read(buf) {
                Err(e) if stream.gzip && e.kind() != io::ErrorKind::Interrupted => {
                    stream.damage = Some(e.to_string());
                    Ok(0)
                }
                other => other,
            },
            Source::Memory(bytes) => bytes.read(buf),
        }
    }
}

/// Reads until `buf` is full or the end; returns the bytes read.
fn read_full(reader: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match reader.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Opens a file for reading, decompressing it when it is gzip (told by its
/// magic bytes, whatever its name).
///
/// # Errors
///
/// When the file cannot be opened or read.
pub fn open(path: &Path) -> Result<Box<dyn Read + Send>, IngestError> {
    Ok(Box::new(Source::open(path)?))
}

/// Every file under `dir`, recursively, sorted by path.
///
/// Hidden files and folders (names starting with `.`) are skipped, and so
/// are symbolic links to folders, which could make cycles; links to files
/// are listed. A `dir` that is a file, or [`STDIN`], gives itself.
///
/// # Errors
///
/// When `dir` or a folder under it cannot be listed.
pub fn walk(dir: &Path) -> Result<Vec<PathBuf>, IngestError> {
    if is_stdin(dir) {
        return Ok(vec![dir.to_owned()]);
    }
    let meta = fs::metadata(dir).map_err(|source| IngestError::Open {
        path: dir.to_owned(),
        source,
    })?;
    let mut files = Vec::new();
    if meta.is_dir() {
        walk_into(dir, &mut files)?;
    } else {
        files.push(dir.to_owned());
    }
    Ok(files)
}

fn walk_into(dir: &Path, files: &mut Vec<PathBuf>) -> Result<(), IngestError> {
    let fail = |source| IngestError::Walk {
        path: dir.to_owned(),
        source,
    };
    let mut entries = fs::read_dir(dir)
        .map_err(fail)?
        .collect::<Result<Vec<_>, _>>()
        .map_err(fail)?;
    entries.sort_by_key(|entry| entry.file_name());
    for entry in entries {
        if entry.file_name().to_string_lossy().starts_with('.') {
            continue;
        }
        let path = entry.path();
        let kind = entry.file_type().map_err(fail)?;
        if kind.is_dir() {
            walk_into(&path, files)?;
        } else if kind.is_file() || (kind.is_symlink() && path.is_file()) {
            files.push(path);
        }
    }
    Ok(())
}

/// The files named by `paths`: each file as given, each folder walked as by
/// [`walk`], in the order given.
///
/// # Errors
///
/// When a path does not exist or a folder cannot be listed.
pub fn expand_paths(paths: &[PathBuf]) -> Result<Vec<PathBuf>, IngestError> {
    let mut files = Vec::new();
    for path in paths {
        files.extend(walk(path)?);
    }
    Ok(files)
}

#[cfg(test)]
mod tests {
    use std::io::Write;

    use flate2::Compression;
    use flate2::write::GzEncoder;

    use super::*;

    fn read_all(path: &Path) -> String {
        let mut text = String::new();
        open(path).unwrap().read_to_string(&mut text).unwrap();
        text
    }

    #[test]
    fn gzip_is_told_by_magic_bytes_not_name() {
        let dir = tempfile::tempdir().unwrap();
        let gz = dir.path().join("audit.json");
        let mut encoder = GzEncoder::new(File::create(&gz).unwrap(), Compression::fast());
        encoder.write_all(b"{\"a\":1}\n").unwrap();
        encoder.finish().unwrap();
        let plain = dir.path().join("plain.gz");
        fs::write(&plain, "not gzip\n").unwrap();
        let tiny = dir.path().join("tiny");
        fs::write(&tiny, "x").unwrap();

        assert_eq!(read_all(&gz), "{\"a\":1}\n");
        assert_eq!(read_all(&plain), "not gzip\n");
        assert_eq!(read_all(&tiny), "x");
    }

    #[test]
    fn missing_files_name_the_path() {
        let err = open(Path::new("/no/such/file.json")).err().unwrap();
        assert!(
            err.to_string().starts_with("opening /no/such/file.json: "),
            "{err}"
        );
    }

    #[test]
    fn walking_is_recursive_sorted_and_skips_hidden() {
        let dir = tempfile::tempdir().unwrap();
        let root = dir.path();
        for name in [
            "b.json",
            "a/z.csv",
            "a/c/y.json",
            ".hidden",
            ".git/x.json",
            "a/.h.json",
        ] {
            let path = root.join(name);
            fs::create_dir_all(path.parent().unwrap()).unwrap();
            fs::write(path, "").unwrap();
        }
        let files: Vec<_> = walk(root)
            .unwrap()
            .into_iter()
            .map(|p| p.strip_prefix(root).unwrap().to_string_lossy().into_owned())
            .collect();
        assert_eq!(files, ["a/c/y.json", "a/z.csv", "b.json"]);

        let file = root.join("b.json");
        let both = expand_paths(&[file.clone(), root.join("a")]).unwrap();
        assert_eq!(both.len(), 3);
        assert_eq!(both[0], file);
        assert!(expand_paths(&[root.join("missing")]).is_err());
    }
}
