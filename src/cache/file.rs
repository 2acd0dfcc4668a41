//! Reading files that other programs write (the CLI cache, the SSO token cache) without
//! trusting them: a FIFO, a device or a symlink out of its directory is skipped (opening
//! never blocks, reading never outgrows [`MAX_ENTRY_BYTES`]), and a directory others can
//! write to, or that another user (not root) owns, is neither read nor written — as ssh
//! refuses a key in a directory anyone can replace it in.
//!
//! Each problem is reported once per path and process on stderr as a warning (a skipped
//! entry only means a new `AssumeRole` or login), never as an error.

use crate::platform::{self, DirRisk};
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
    let Ok(mut file) = platform::open_nonblocking(path) else {
        return Ok(None);
    };
    let meta = file.metadata().map_err(|_| Unsafe::NotAFile("unreadable"))?;
    if !meta.file_type().is_file() {
        return Err(Unsafe::NotAFile(platform::kind_of(&meta)));
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
    match platform::dir_risk(dir) {
        None => Ok(()),
        Some(DirRisk::Foreign(uid)) => Err(Unsafe::DirForeign(uid)),
        Some(DirRisk::Writable(mode)) => Err(Unsafe::DirWritable(mode, dir.display().to_string())),
    }
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

fn check_owner(meta: &fs::Metadata) -> Result<(), Unsafe> {
    match platform::foreign_owner(meta) {
        Some(uid) => Err(Unsafe::FileForeign(uid)),
        None => Ok(()),
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
