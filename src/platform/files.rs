//! Files, by operating system: private files and directories (0600/0700 on Unix), who owns
//! a file or a directory and who else may write to it, and opening without blocking on a
//! FIFO. Where a platform has none of these notions (no uid), the checks pass.

use std::fs;
use std::io;
use std::path::Path;

/// Creates `dir` and its missing parents, readable by the user only (0700).
pub(crate) fn create_private_dir(dir: &Path) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::DirBuilderExt;
        fs::DirBuilder::new().recursive(true).mode(0o700).create(dir)
    }
    #[cfg(not(unix))]
    fs::create_dir_all(dir)
}

/// A fresh temporary directory readable by the user only (0700), removed when dropped.
pub(crate) fn private_temp_dir(prefix: &str) -> io::Result<tempfile::TempDir> {
    let mut builder = tempfile::Builder::new();
    builder.prefix(prefix);
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        builder.permissions(fs::Permissions::from_mode(0o700));
    }
    builder.tempdir()
}

/// Options that create a new file (never an existing one) readable by the user only
/// (0600), for writing.
pub(crate) fn private_new_file() -> fs::OpenOptions {
    let mut options = fs::OpenOptions::new();
    options.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        options.mode(0o600);
    }
    options
}

/// Writes `bytes` to `path` as a file only the user can read (0600), atomically: a fresh
/// temporary file in the same directory (created 0700 when missing), synced, then renamed
/// over `path`. A reader sees the old file or the new one, never part of one.
pub(crate) fn write_private_atomically(path: &Path, bytes: &[u8]) -> io::Result<()> {
    use std::io::Write;
    let dir = match path.parent() {
        Some(dir) if !dir.as_os_str().is_empty() => dir,
        _ => Path::new("."),
    };
    create_private_dir(dir)?;
    let mut tmp = tempfile::Builder::new()
        .prefix(".rswitch-")
        .suffix(".tmp")
        .tempfile_in(dir)?;
    make_private(tmp.as_file())?;
    tmp.write_all(bytes)?;
    tmp.as_file().sync_all()?;
    tmp.persist(path).map_err(|e| e.error)?;
    Ok(())
}

/// Makes an open file readable by the user only (0600).
pub(crate) fn make_private(file: &fs::File) -> io::Result<()> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::PermissionsExt;
        file.set_permissions(fs::Permissions::from_mode(0o600))
    }
    #[cfg(not(unix))]
    {
        let _ = file;
        Ok(())
    }
}

/// Why a directory is no safe place for secrets.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum DirRisk {
    /// Owned by another user (not root): the uid.
    Foreign(u32),
    /// Others can write to it: its mode.
    Writable(u32),
}

/// Whether others could plant or replace files in `dir`: owned by another user than this
/// one or root (as ssh accepts), writable by others (even sticky, like /tmp), or writable
/// by a group that is not the user's own private group (umask 002 on distributions with
/// user private groups is fine, as Debian's ssh allows). A missing directory is no risk.
pub(crate) fn dir_risk(dir: &Path) -> Option<DirRisk> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let meta = fs::metadata(dir).ok()?;
        let mode = meta.mode() & 0o7777;
        let me = nix::unistd::geteuid();
        if meta.uid() != me.as_raw() && meta.uid() != 0 {
            return Some(DirRisk::Foreign(meta.uid()));
        }
        let group_risk = mode & 0o020 != 0 && !private_group(me, meta.gid());
        if mode & 0o002 != 0 || group_risk {
            return Some(DirRisk::Writable(mode));
        }
        None
    }
    #[cfg(not(unix))]
    {
        let _ = dir;
        None
    }
}

/// Whether `gid` is `user`'s primary group with no other member.
#[cfg(unix)]
fn private_group(user: nix::unistd::Uid, gid: u32) -> bool {
    use nix::unistd::{Group, User};
    let (Ok(Some(user)), Ok(Some(group))) = (
        User::from_uid(user),
        Group::from_gid(nix::unistd::Gid::from_raw(gid)),
    ) else {
        return false;
    };
    user.gid.as_raw() == gid && group.mem.iter().all(|m| *m == user.name)
}

/// The owner of a file when it is neither this user nor root.
pub(crate) fn foreign_owner(meta: &fs::Metadata) -> Option<u32> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let me = nix::unistd::geteuid().as_raw();
        (meta.uid() != me && meta.uid() != 0).then_some(meta.uid())
    }
    #[cfg(not(unix))]
    {
        let _ = meta;
        None
    }
}

/// Opens for reading without blocking on a FIFO (there is no writer to wait for).
pub(crate) fn open_nonblocking(path: &Path) -> io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits());
    }
    opts.open(path)
}

/// The bytes of a regular file of at most `max` bytes: opened without blocking, so a FIFO
/// (or a device, a directory) is an error at once rather than a wait, and a larger file is
/// an error rather than a read without end.
pub(crate) fn read_capped(path: &Path, max: u64) -> io::Result<Vec<u8>> {
    use std::io::Read;
    let file = open_nonblocking(path)?;
    let meta = file.metadata()?;
    if !meta.is_file() {
        return Err(io::Error::other(format!(
            "it is {}, not a regular file",
            kind_of(&meta)
        )));
    }
    let mut bytes = Vec::new();
    file.take(max + 1).read_to_end(&mut bytes)?;
    if bytes.len() as u64 > max {
        return Err(io::Error::new(
            io::ErrorKind::FileTooLarge,
            format!("it is larger than {} KiB", max / 1024),
        ));
    }
    Ok(bytes)
}

/// What a path that is not a regular file is, in words: "a FIFO", "a device", ….
pub(crate) fn kind_of(meta: &fs::Metadata) -> &'static str {
    #[cfg(unix)]
    {
        use std::os::unix::fs::FileTypeExt;
        let t = meta.file_type();
        if t.is_fifo() {
            return "a FIFO";
        }
        if t.is_char_device() || t.is_block_device() {
            return "a device";
        }
        if t.is_socket() {
            return "a socket";
        }
    }
    if meta.is_dir() {
        "a directory"
    } else {
        "not a file"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_private_write_is_0600_in_a_0700_dir_and_leaves_no_temporary_file() {
        use std::os::unix::fs::PermissionsExt;
        let root = tempfile::tempdir().unwrap();
        let dir = root.path().join("new/cache");
        let path = dir.join("entry.json");
        write_private_atomically(&path, b"first").unwrap();
        write_private_atomically(&path, b"second").unwrap();
        assert_eq!(fs::read(&path).unwrap(), b"second");
        let mode = |p: &Path| fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&path), 0o600);
        assert_eq!(mode(&dir), 0o700);
        let names: Vec<_> = fs::read_dir(&dir)
            .unwrap()
            .map(|e| e.unwrap().file_name())
            .collect();
        assert_eq!(names, vec![std::ffi::OsString::from("entry.json")]);
    }
}
