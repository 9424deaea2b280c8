//! Which file a path names, so a follower can tell a file that was
//! rotated (renamed away, with a new one created in its place) or
//! truncated from one that merely grew.

use std::fs::{File, Metadata};
use std::path::Path;

/// The identity of a file on its file system: the device and inode
/// numbers, which stay with the file when it is renamed.
///
/// Known on Unix; elsewhere there is none, and a rotated file is only
/// noticed when the new one is shorter than what was read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct FileIdentity {
    /// The device the file is on.
    pub device: u64,
    /// The file's inode number on that device.
    pub inode: u64,
}

impl FileIdentity {
    /// The identity of the file `path` names now; `None` when there is no
    /// such file or the platform has no identities.
    pub fn of_path(path: &Path) -> Option<Self> {
        std::fs::metadata(path).ok().and_then(|m| Self::of(&m))
    }

    /// The identity of an open file.
    pub(crate) fn of_file(file: &File) -> Option<Self> {
        file.metadata().ok().and_then(|m| Self::of(&m))
    }

    #[cfg(unix)]
    fn of(metadata: &Metadata) -> Option<Self> {
        use std::os::unix::fs::MetadataExt;
        Some(Self {
            device: metadata.dev(),
            inode: metadata.ino(),
        })
    }

    #[cfg(not(unix))]
    fn of(_metadata: &Metadata) -> Option<Self> {
        None
    }
}

#[cfg(all(test, unix))]
mod tests {
    use super::*;

    #[test]
    fn a_renamed_file_keeps_its_identity_and_a_new_one_differs() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("audit.jsonl");
        std::fs::write(&path, "{}\n").unwrap();
        let first = FileIdentity::of_path(&path).unwrap();
        let file = File::open(&path).unwrap();
        assert_eq!(FileIdentity::of_file(&file), Some(first));

        let moved = dir.path().join("audit.jsonl.1");
        std::fs::rename(&path, &moved).unwrap();
        assert_eq!(FileIdentity::of_path(&moved), Some(first));
        assert_eq!(FileIdentity::of_path(&path), None);

        std::fs::write(&path, "{}\n").unwrap();
        assert_ne!(FileIdentity::of_path(&path), Some(first));
    }
}
