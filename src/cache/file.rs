//! Reading files that other programs write (the CLI cache, the SSO token cache) without
//! trusting them: a FIFO, a device or a symlink out of its directory is skipped (opening
//! never blocks, reading never outgrows [`MAX_ENTRY_BYTES`]), and a directory others can
//! write to, or that another user (not root) owns, is neither read nor written — as ssh
//! refuses a key in a directory anyone can replace it in.
//!
//! Each problem is reported once per path and process on stderr as a warning (a skipped
//! entry only means a new `AssumeRole` or login), never as an error.

use std::collections::HashSet;
use std::fs;
use std::io::{self, Read};
use std::path::{Path, PathBuf};
use std::sync::Mutex;

/// The largest cache entry read. botocore's entries are about 1.5 KB and SSO token
/// entries a few KB; anything larger is not one.
pub const MAX_ENTRY_BYTES: u64 = 64 * 1024;

/// Why a file or directory is not used.
#[derive(Debug, thiserror::Error, PartialEq, Eq)]
pub enum Unsafe {
    #[error("it is {0}, not a regular file")]
    NotAFile(&'static str),
    #[error("it is a symbolic link out of {0}")]
    LinkOut(String),
    #[error("it is larger than {MAX_ENTRY_BYTES} bytes")]
    TooLarge,
    #[error("the directory is writable by other users (mode {0:o}); run `chmod 700 {1}`")]
    DirWritable(u32, String),
    #[error("the directory is owned by another user (uid {0})")]
    DirForeign(u32),
    #[error("it is owned by another user (uid {0})")]
    FileForeign(u32),
}

/// The contents of `path`, a file in `dir`, if it is safe to use: `Ok(None)` when it does
/// not exist, `Err` (already reported as a warning) when it is not safe.
pub fn read_entry(dir: &Path, path: &Path) -> Result<Option<Vec<u8>>, Unsafe> {
    match read_checked(dir, path) {
        Ok(bytes) => Ok(bytes),
        Err(why) => {
            warn_once(path, &why);
            Err(why)
        }
    }
}

/// [`read_entry`], `None` for a missing, unreadable or unsafe file.
pub(crate) fn read_foreign(dir: &Path, path: &Path) -> Option<Vec<u8>> {
    read_entry(dir, path).ok().flatten()
}

fn read_checked(dir: &Path, path: &Path) -> Result<Option<Vec<u8>>, Unsafe> {
    let Ok(link) = fs::symlink_metadata(path) else {
        return Ok(None);
    };
    if link.file_type().is_symlink() {
        let inside = match (fs::canonicalize(dir), fs::canonicalize(path)) {
            (Ok(d), Ok(p)) => p.starts_with(d),
            (_, Err(_)) => return Ok(None),
            _ => false,
        };
        if !inside {
            return Err(Unsafe::LinkOut(dir.display().to_string()));
        }
    }
    check_dir(dir)?;
    let Ok(mut file) = open_nonblocking(path) else {
        return Ok(None);
    };
    let meta = file.metadata().map_err(|_| Unsafe::NotAFile("unreadable"))?;
    if !meta.file_type().is_file() {
        return Err(Unsafe::NotAFile(kind_of(&meta)));
    }
    check_owner(&meta)?;
    if meta.len() > MAX_ENTRY_BYTES {
        return Err(Unsafe::TooLarge);
    }
    let mut bytes = Vec::new();
    match (&mut file).take(MAX_ENTRY_BYTES + 1).read_to_end(&mut bytes) {
        Ok(_) if bytes.len() as u64 > MAX_ENTRY_BYTES => Err(Unsafe::TooLarge),
        Ok(_) => Ok(Some(bytes)),
        Err(_) => Ok(None),
    }
}

/// Refuses a directory that other users can write to or own (only where a uid exists).
pub(crate) fn check_dir(dir: &Path) -> Result<(), Unsafe> {
    #[cfg(unix)]
    {
        use std::os::unix::fs::MetadataExt;
        let Ok(meta) = fs::metadata(dir) else {
            return Ok(());
        };
        let mode = meta.mode() & 0o7777;
        let me = nix::unistd::geteuid();
        // Yours or root's, as ssh accepts.
        if meta.uid() != me.as_raw() && meta.uid() != 0 {
            return Err(Unsafe::DirForeign(meta.uid()));
        }
        // A sticky world-writable directory (like /tmp) still lets others plant files.
        // Group-writable is fine for the user's own private group (umask 002 on
        // distributions with user private groups), as Debian's ssh allows.
        let group_risk = mode & 0o020 != 0 && !private_group(me, meta.gid());
        if mode & 0o002 != 0 || group_risk {
            return Err(Unsafe::DirWritable(mode, dir.display().to_string()));
        }
    }
    #[cfg(not(unix))]
    let _ = dir;
    Ok(())
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

/// Checks `dir` before a write: an unsafe directory is an error (it is reported by the
/// caller), so no secret is written where others can read or replace it.
pub(crate) fn check_dir_for_write(dir: &Path) -> io::Result<()> {
    check_dir(dir).map_err(|why| {
        io::Error::new(
            io::ErrorKind::PermissionDenied,
            format!("not writing credentials to {}: {why}", dir.display()),
        )
    })
}

#[cfg(unix)]
fn check_owner(meta: &fs::Metadata) -> Result<(), Unsafe> {
    use std::os::unix::fs::MetadataExt;
    let me = nix::unistd::geteuid().as_raw();
    if meta.uid() != me && meta.uid() != 0 {
        return Err(Unsafe::FileForeign(meta.uid()));
    }
    Ok(())
}

#[cfg(not(unix))]
fn check_owner(_: &fs::Metadata) -> Result<(), Unsafe> {
    Ok(())
}

/// Opens for reading without blocking on a FIFO (there is no writer to wait for).
fn open_nonblocking(path: &Path) -> io::Result<fs::File> {
    let mut opts = fs::OpenOptions::new();
    opts.read(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.custom_flags(nix::fcntl::OFlag::O_NONBLOCK.bits());
    }
    opts.open(path)
}

fn kind_of(meta: &fs::Metadata) -> &'static str {
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

fn warn_once(path: &Path, why: &Unsafe) {
    static SEEN: Mutex<Option<HashSet<PathBuf>>> = Mutex::new(None);
    let first = SEEN
        .lock()
        .map(|mut seen| seen.get_or_insert_with(HashSet::new).insert(path.to_path_buf()))
        .unwrap_or(true);
    if first {
        crate::text::eprintln(format_args!(
            "rswitch: warning: skipping cache file {}: {why}",
            path.display()
        ));
    }
}
