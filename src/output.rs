//! The output folder, written incrementally and atomically.
//!
//! A build hands every rendered file to a [`Writer`]. A file whose bytes did
//! not change is not written, and when nothing changed the output folder is
//! not touched at all (no modification time changes). Changed files are
//! written into a staging folder beside the output, so a build that fails
//! before its end leaves the previous output as it was. Then:
//! - when few files changed, they are moved into the output one by one, and
//!   files that are gone are deleted. A journal in the cache lists these
//!   moves first: a build killed halfway is finished by the next one;
//! - otherwise (or when the output does not exist, or a file takes the place
//!   of a folder), unchanged files are hard-linked into the staging folder
//!   (so they keep their modification times), which replaces the output with
//!   two renames.
//!
//! A manifest in `.dossier-cache/` beside the output remembers, per file, its
//! content hash, the key it was made from (see [`crate::render::Sink`]), and
//! its size, modification time and inode. A file whose metadata still
//! matches is trusted without being read; any other file is compared byte
//! for byte, so a missing or stale manifest costs time, never correctness.

use std::collections::{BTreeSet, HashMap, HashSet};
use std::fs;
use std::os::unix::fs::MetadataExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::{sync_channel, Receiver, SyncSender};
use std::sync::Mutex;
use std::thread::JoinHandle;

use anyhow::{bail, Context, Result};
use rayon::prelude::*;
use xxhash_rust::xxh3::Xxh3;

use crate::render::{hash_bytes, Sink};

/// Version of the manifest format; another version is ignored.
const MANIFEST_HEADER: &str = "dossier-manifest 2";

/// A file as recorded in the manifest.
#[derive(Debug, Clone, PartialEq)]
struct Entry {
    hash: u64,
    key: u64,
    size: u64,
    mtime_ns: i128,
    ino: u64,
}

impl Entry {
    fn stat_matches(&self, m: &fs::Metadata) -> bool {
        m.is_file() && m.len() == self.size && mtime_ns(m) == self.mtime_ns && m.ino() == self.ino
    }
}

/// A file's modification time in nanoseconds since the epoch.
pub(crate) fn mtime_ns(m: &fs::Metadata) -> i128 {
    m.mtime() as i128 * 1_000_000_000 + m.mtime_nsec() as i128
}

/// A file's status change time in nanoseconds since the epoch.
pub(crate) fn ctime_ns(m: &fs::Metadata) -> i128 {
    m.ctime() as i128 * 1_000_000_000 + m.ctime_nsec() as i128
}

/// What happened to one output file.
struct Made {
    path: String,
    hash: u64,
    key: u64,
    /// Written into the staging folder (else identical to the current file).
    written: bool,
    /// Unchanged, and the current file still matched its manifest entry.
    trusted: bool,
}

/// What [`Writer::finish`] did.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    /// Files in the new output.
    pub files: usize,
    /// Files whose bytes were written (new or changed).
    pub written: usize,
    /// Files of the previous output that are gone.
    pub removed: usize,
    /// Whether the output folder was replaced as a whole.
    pub swapped: bool,
    /// Whether changed files were moved into the output folder (and gone ones deleted) in place.
    pub patched: bool,
}

/// Most changed and removed files, as a share of the output's files, that
/// are moved into the output in place rather than the folder replaced.
const PATCH_SHARE: usize = 4;

/// A file to write: path inside the staging folder, bytes.
type Staged = (PathBuf, Vec<u8>);

/// Receives rendered files and puts them into the output folder.
pub struct Writer {
    output: PathBuf,
    staging: PathBuf,
    manifest_path: PathBuf,
    /// Mixed into every key: what all pages depend on (binary, templates, config).
    salt: u64,
    old: HashMap<String, Entry>,
    made: Mutex<Vec<Made>>,
    written: AtomicUsize,
    /// Files to write into the staging folder, taken by one writer thread:
    /// the filesystem creates files in one folder faster one at a time.
    queue: Mutex<Option<SyncSender<Staged>>>,
    writer: Mutex<Option<JoinHandle<Result<()>>>>,
}

/// A file of the cache kept for `output`: `.dossier-cache/{output's name}{suffix}` beside it.
pub fn cache_file(output: &Path, suffix: &str) -> PathBuf {
    let parent = match output.parent() {
        Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
        _ => PathBuf::from("."),
    };
    let name = output.file_name().map(|n| n.to_string_lossy()).unwrap_or("site".into());
    parent.join(".dossier-cache").join(format!("{name}{suffix}"))
}

impl Writer {
    /// Prepares to write `output`. `salt` must change whenever every page
    /// may change (templates, site config, the dossier binary).
    pub fn new(output: &Path, salt: u64) -> Result<Writer> {
        if output.exists() && !output.is_dir() {
            bail!("output {} exists and is not a folder", output.display());
        }
        let parent = match output.parent() {
            Some(p) if !p.as_os_str().is_empty() => p.to_path_buf(),
            _ => PathBuf::from("."),
        };
        fs::create_dir_all(&parent).with_context(|| format!("cannot create {}", parent.display()))?;
        let name = output
            .file_name()
            .map(|n| n.to_string_lossy().into_owned())
            .unwrap_or_else(|| "site".into());
        recover(&parent, &name, output);
        let manifest_path = cache_file(output, ".manifest");
        let old = if output.is_dir() {
            read_manifest(&manifest_path)
        } else {
            HashMap::new()
        };
        let staging = parent.join(format!(".{name}.building-{}", std::process::id()));
        let (queue, files) = sync_channel(256);
        let writer = {
            let staging = staging.clone();
            std::thread::Builder::new()
                .name("writer".into())
                .spawn(move || write_files(&staging, files))
                .context("cannot start the writer thread")?
        };
        Ok(Writer {
            output: output.to_path_buf(),
            staging,
            manifest_path,
            salt,
            old,
            made: Mutex::new(Vec::new()),
            written: AtomicUsize::new(0),
            queue: Mutex::new(Some(queue)),
            writer: Mutex::new(Some(writer)),
        })
    }

    /// Where a build leaves its input stamp, beside the manifest (see
    /// `build`). Saving a manifest removes it: the stamp describes only the
    /// output its build made.
    pub fn stamp_file(&self) -> PathBuf {
        self.manifest_path.with_extension("inputs")
    }

    /// The number of files in the output when it holds exactly the files
    /// the manifest lists, each with its recorded size, modification time
    /// and inode (as the last build left it); else `None`.
    pub fn intact(&self) -> Option<usize> {
        if self.old.is_empty() || !self.output.is_dir() {
            return None;
        }
        let files = list_files(&self.output);
        (files.len() == self.old.len() && files.iter().all(|p| self.trusted(p).is_some())).then_some(files.len())
    }

    /// Where [`Writer::patch`] lists its moves, beside the manifest.
    fn journal_file(&self) -> PathBuf {
        cache_file(&self.output, ".journal")
    }

    fn mix(&self, key: u64) -> u64 {
        hash_bytes(&[key.to_le_bytes(), self.salt.to_le_bytes()].concat())
    }

    /// The manifest entry for `path` if the current file still matches it.
    fn trusted(&self, path: &str) -> Option<&Entry> {
        let e = self.old.get(path)?;
        let m = fs::symlink_metadata(self.output.join(path)).ok()?;
        e.stat_matches(&m).then_some(e)
    }

    fn record(&self, made: Made) {
        self.made.lock().expect("no panic while holding the lock").push(made);
    }

    /// Queues `bytes` to be written to `rel` inside the staging folder.
    fn stage(&self, rel: &Path, bytes: Vec<u8>) -> Result<()> {
        let queue = self.queue.lock().expect("no panic while holding the lock").clone();
        match queue.map(|q| q.send((rel.to_path_buf(), bytes))) {
            Some(Ok(())) => Ok(()),
            // The writer thread stopped at an error: report it.
            _ => self.drain().and_then(|()| bail!("the writer thread stopped")),
        }
    }

    /// Waits until every queued file is written; the first write error.
    fn drain(&self) -> Result<()> {
        self.queue.lock().expect("no panic while holding the lock").take();
        let writer = self.writer.lock().expect("no panic while holding the lock").take();
        match writer.map(|w| w.join()) {
            None => Ok(()),
            Some(Ok(result)) => result,
            Some(Err(_)) => bail!("the writer thread panicked"),
        }
    }

    /// Makes the new output current: moves the changed files in and deletes
    /// the gone ones when they are few ([`PATCH_SHARE`]), else replaces the
    /// folder. When no file changed and none is gone, the output folder is
    /// left untouched.
    pub fn finish(self) -> Result<Stats> {
        self.drain()?;
        self.swap()
    }

    fn swap(&self) -> Result<Stats> {
        let mut made = std::mem::take(&mut *self.made.lock().expect("no panic while holding the lock"));
        made.sort_by(|a, b| a.path.cmp(&b.path));
        if let Some(w) = made.windows(2).find(|w| w[0].path == w[1].path) {
            bail!("two pages were rendered to the same file {}", w[0].path);
        }
        let new_paths: BTreeSet<&str> = made.iter().map(|m| m.path.as_str()).collect();
        let old_paths = list_files(&self.output);
        let removed: Vec<&str> = old_paths
            .iter()
            .map(String::as_str)
            .filter(|p| !new_paths.contains(p))
            .collect();
        let written = self.written.load(Ordering::Relaxed);
        let mut stats = Stats {
            files: made.len(),
            written,
            removed: removed.len(),
            swapped: false,
            patched: false,
        };
        if written == 0 && removed.is_empty() && self.output.is_dir() {
            self.save_manifest(&made)?;
            return Ok(stats);
        }
        let few = (written + removed.len()) * PATCH_SHARE <= made.len();
        if few && self.output.is_dir() && fits(&made, &old_paths) {
            self.patch(&made, &removed)?;
            stats.patched = true;
            return Ok(stats);
        }
        self.replace(&made)?;
        stats.swapped = true;
        Ok(stats)
    }

    /// Moves the written files from the staging folder into the output and
    /// deletes the removed ones, after listing both in a journal that
    /// [`recover`] replays should the build die halfway.
    fn patch(&self, made: &[Made], removed: &[&str]) -> Result<()> {
        // The output is about to change: the stamp no longer describes it.
        let _ = fs::remove_file(self.stamp_file());
        let journal = self.journal_file();
        // Absolute: the next build may run from another folder.
        let mut text = format!("{}\n", std::path::absolute(&self.staging)?.display());
        for m in made.iter().filter(|m| m.written) {
            text.push_str(&format!("W {}\n", m.path));
        }
        for p in removed {
            text.push_str(&format!("R {p}\n"));
        }
        let tmp = journal.with_extension(format!("tmp-{}", std::process::id()));
        fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        fs::rename(&tmp, &journal).with_context(|| format!("cannot write {}", journal.display()))?;
        replay(&journal, &self.output)?;
        self.save_manifest(made)
    }

    /// Hard-links the unchanged files into the staging folder, which then
    /// replaces the output with two renames.
    fn replace(&self, made: &[Made]) -> Result<()> {
        fs::create_dir_all(&self.staging).with_context(|| format!("cannot create {}", self.staging.display()))?;
        let mut dirs: BTreeSet<&Path> = BTreeSet::new();
        for m in made.iter().filter(|m| !m.written) {
            if let Some(d) = Path::new(&m.path).parent() {
                dirs.insert(d);
            }
        }
        for d in dirs {
            let full = self.staging.join(d);
            fs::create_dir_all(&full).with_context(|| format!("cannot create {}", full.display()))?;
        }
        made.par_iter().filter(|m| !m.written).try_for_each(|m| -> Result<()> {
            let (from, to) = (self.output.join(&m.path), self.staging.join(&m.path));
            if fs::hard_link(&from, &to).is_err() {
                fs::copy(&from, &to).with_context(|| format!("cannot copy {} to {}", from.display(), to.display()))?;
            }
            Ok(())
        })?;
        let parent = self.staging.parent().expect("staging has a parent");
        let name = self.output.file_name().expect("output has a name").to_string_lossy();
        let old = parent.join(format!(".{name}.old-{}", std::process::id()));
        let had_output = self.output.is_dir();
        if had_output {
            fs::rename(&self.output, &old)
                .with_context(|| format!("cannot move old {} aside", self.output.display()))?;
        }
        if let Err(e) = fs::rename(&self.staging, &self.output) {
            if had_output {
                let _ = fs::rename(&old, &self.output);
            }
            return Err(e).with_context(|| format!("cannot move the new site into {}", self.output.display()));
        }
        self.save_manifest(made)?;
        if had_output {
            remove_tree(&old);
        }
        Ok(())
    }

    /// Writes the manifest of the (new) current output, atomically.
    fn save_manifest(&self, made: &[Made]) -> Result<()> {
        // The old stamp does not describe this output: whoever writes it stamps it again.
        let _ = fs::remove_file(self.stamp_file());
        let mut text = String::with_capacity(made.len() * 80);
        text.push_str(MANIFEST_HEADER);
        text.push('\n');
        for m in made {
            // A trusted file was not touched (hard links share its inode and times).
            let (size, mtime, ino) = match self.old.get(&m.path).filter(|_| m.trusted) {
                Some(e) => (e.size, e.mtime_ns, e.ino),
                None => match fs::symlink_metadata(self.output.join(&m.path)) {
                    Ok(meta) => (meta.len(), mtime_ns(&meta), meta.ino()),
                    Err(_) => continue,
                },
            };
            text.push_str(&format!(
                "{:016x} {:016x} {size} {mtime} {ino} {}\n",
                m.hash, m.key, m.path
            ));
        }
        let dir = self.manifest_path.parent().expect("manifest has a folder");
        fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        let tmp = self.manifest_path.with_extension(format!("tmp-{}", std::process::id()));
        fs::write(&tmp, text).with_context(|| format!("cannot write {}", tmp.display()))?;
        fs::rename(&tmp, &self.manifest_path).with_context(|| format!("cannot write {}", self.manifest_path.display()))
    }
}

/// A build that failed or never finished leaves no staging folder behind.
impl Drop for Writer {
    fn drop(&mut self) {
        let _ = self.drain();
        // Files a journal still lists are moved in by the next build (see `recover`).
        if !self.journal_file().exists() {
            let _ = fs::remove_dir_all(&self.staging);
        }
    }
}

/// Passes bytes on to a writer while hashing and counting them. Kept
/// under a buffer, so both see large blocks (XXH3 hashes the same however
/// the bytes are split).
pub(crate) struct Hashing<W> {
    inner: W,
    hasher: Xxh3,
    /// Bytes passed on so far.
    pub len: u64,
}

impl<W: std::io::Write> Hashing<W> {
    pub fn new(inner: W) -> Self {
        Hashing {
            inner,
            hasher: Xxh3::new(),
            len: 0,
        }
    }

    /// The hash of the bytes passed on so far (as [`hash_bytes`] of them).
    pub fn digest(&self) -> u64 {
        self.hasher.digest()
    }
}

impl<W: std::io::Write> std::io::Write for Hashing<W> {
    fn write(&mut self, b: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(b)?;
        self.hasher.update(&b[..n]);
        self.len += n as u64;
        Ok(n)
    }
    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
}

/// Hash of a file's bytes, read in blocks (the same as [`hash_bytes`] of them).
fn hash_file(path: &Path) -> Option<u64> {
    use std::io::Read;
    let mut f = fs::File::open(path).ok()?;
    let mut h = Xxh3::new();
    let mut buf = vec![0u8; 1 << 16];
    loop {
        let n = f.read(&mut buf).ok()?;
        if n == 0 {
            return Some(h.digest());
        }
        h.update(&buf[..n]);
    }
}

impl Sink for Writer {
    fn put_with(&self, path: PathBuf, key: u64, write: &dyn Fn(&mut dyn std::io::Write) -> Result<()>) -> Result<()> {
        let key = self.mix(key);
        let rel = path.to_string_lossy().replace('\\', "/");
        let full = self.staging.join(&path);
        if let Some(dir) = full.parent() {
            fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
        }
        let file = fs::File::create(&full).with_context(|| format!("cannot write {}", full.display()))?;
        let mut out = std::io::BufWriter::with_capacity(1 << 20, Hashing::new(file));
        write(&mut out)?;
        let out = out
            .into_inner()
            .map_err(|e| e.into_error())
            .with_context(|| format!("cannot write {}", full.display()))?;
        let (hash, len) = (out.digest(), out.len);
        drop(out);
        let entry = self.trusted(&rel);
        let trusted = entry.is_some_and(|e| e.hash == hash && e.size == len);
        let same = trusted
            || entry.is_none() && {
                let current = self.output.join(&path);
                fs::symlink_metadata(&current).is_ok_and(|m| m.is_file() && m.len() == len)
                    && hash_file(&current) == Some(hash)
            };
        if same {
            fs::remove_file(&full).with_context(|| format!("cannot remove {}", full.display()))?;
        } else {
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        self.record(Made {
            path: rel,
            hash,
            key,
            written: !same,
            trusted,
        });
        Ok(())
    }

    fn current(&self, path: &str) -> Option<(PathBuf, u64)> {
        self.trusted(path).map(|e| (self.output.join(path), e.hash))
    }

    fn fresh(&self, path: &str, key: u64) -> bool {
        let key = self.mix(key);
        match self.trusted(path) {
            Some(e) if e.key == key => {
                self.record(Made {
                    path: path.to_string(),
                    hash: e.hash,
                    key,
                    written: false,
                    trusted: true,
                });
                true
            }
            _ => false,
        }
    }

    fn put(&self, path: PathBuf, key: u64, bytes: Vec<u8>) -> Result<()> {
        let key = self.mix(key);
        let rel = path.to_string_lossy().replace('\\', "/");
        let hash = hash_bytes(&bytes);
        let entry = self.trusted(&rel);
        let trusted = entry.is_some_and(|e| e.hash == hash && e.size == bytes.len() as u64);
        let same = trusted
            || entry.is_none() && {
                let current = self.output.join(&path);
                fs::symlink_metadata(&current).is_ok_and(|m| m.is_file() && m.len() == bytes.len() as u64)
                    && fs::read(&current).is_ok_and(|b| b == bytes)
            };
        if !same {
            self.stage(&path, bytes)?;
            self.written.fetch_add(1, Ordering::Relaxed);
        }
        self.record(Made {
            path: rel,
            hash,
            key,
            written: !same,
            trusted,
        });
        Ok(())
    }
}

/// The writer thread: writes each queued file into `staging`, creating
/// folders as needed. Stops at the first error.
fn write_files(staging: &Path, files: Receiver<Staged>) -> Result<()> {
    let mut dirs: HashSet<PathBuf> = HashSet::new();
    for (rel, bytes) in files {
        let full = staging.join(&rel);
        if let Some(dir) = full.parent() {
            if !dirs.contains(dir) {
                fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
                dirs.insert(dir.to_path_buf());
            }
        }
        fs::write(&full, bytes).with_context(|| format!("cannot write {}", full.display()))?;
    }
    Ok(())
}

/// Every file under `dir`, `/`-separated and relative to it.
fn list_files(dir: &Path) -> Vec<String> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| !e.file_type().is_dir())
        .filter_map(|e| {
            let rel = e.path().strip_prefix(dir).ok()?;
            Some(rel.to_string_lossy().replace('\\', "/"))
        })
        .collect()
}

/// Removes a folder tree, its top-level entries in parallel.
fn remove_tree(dir: &Path) {
    if let Ok(rd) = fs::read_dir(dir) {
        let entries: Vec<PathBuf> = rd.filter_map(|e| e.ok().map(|e| e.path())).collect();
        entries.par_iter().for_each(|p| {
            if p.is_dir() && !p.is_symlink() {
                let _ = fs::remove_dir_all(p);
            } else {
                let _ = fs::remove_file(p);
            }
        });
    }
    let _ = fs::remove_dir_all(dir);
}

/// Carries out a journal written by [`Writer::patch`]: moves each listed
/// file still in the staging folder into `output`, deletes the files that
/// are gone (and folders they leave empty), then the staging folder and
/// the journal. Replaying a journal again does nothing more.
fn replay(journal: &Path, output: &Path) -> Result<()> {
    let text = fs::read_to_string(journal).with_context(|| format!("cannot read {}", journal.display()))?;
    let mut lines = text.lines();
    let staging = PathBuf::from(lines.next().unwrap_or_default());
    for line in lines {
        if let Some(p) = line.strip_prefix("W ") {
            let (from, to) = (staging.join(p), output.join(p));
            if !from.exists() {
                continue; // moved before the build died
            }
            if let Some(dir) = to.parent() {
                fs::create_dir_all(dir).with_context(|| format!("cannot create {}", dir.display()))?;
            }
            fs::rename(&from, &to).with_context(|| format!("cannot move {} to {}", from.display(), to.display()))?;
        } else if let Some(p) = line.strip_prefix("R ") {
            let gone = output.join(p);
            match fs::remove_file(&gone) {
                Err(e) if e.kind() != std::io::ErrorKind::NotFound => {
                    return Err(e).with_context(|| format!("cannot remove {}", gone.display()))
                }
                _ => {}
            }
            // Folders left empty go too (removing a folder that is not empty fails).
            for dir in gone.ancestors().skip(1).take_while(|d| *d != output) {
                if fs::remove_dir(dir).is_err() {
                    break;
                }
            }
        }
    }
    remove_tree(&staging);
    fs::remove_file(journal).with_context(|| format!("cannot remove {}", journal.display()))
}

/// Whether every written file can be moved into the output folder as it
/// stands: none takes the place of a folder, and no folder it goes into is
/// a file there (`old_paths`: the output's files).
fn fits(made: &[Made], old_paths: &[String]) -> bool {
    let folders = |p: &str| {
        p.match_indices('/')
            .map(|(i, _)| p[..i].to_string())
            .collect::<Vec<_>>()
    };
    let files: HashSet<&str> = old_paths.iter().map(String::as_str).collect();
    let dirs: HashSet<String> = old_paths.iter().flat_map(|p| folders(p)).collect();
    made.iter()
        .filter(|m| m.written)
        .all(|m| !dirs.contains(&m.path) && folders(&m.path).iter().all(|d| !files.contains(d.as_str())))
}

/// Cleans up after builds that were killed: finishes the moves of one
/// killed while patching the output (see [`replay`]), removes staging and
/// old folders, and when one was killed between its two renames (output
/// moved aside, new one not yet in place) puts the old output back first.
fn recover(parent: &Path, name: &str, output: &Path) {
    let journal = cache_file(output, ".journal");
    // A staging folder whose moves could not be finished is kept for the next try.
    let pending = match journal.exists() && replay(&journal, output).is_err() {
        true => fs::read_to_string(&journal)
            .ok()
            .and_then(|t| t.lines().next().map(PathBuf::from)),
        false => None,
    };
    let Ok(rd) = fs::read_dir(parent) else { return };
    let building = format!(".{name}.building-");
    let old = format!(".{name}.old-");
    for e in rd.filter_map(|e| e.ok()) {
        let file = e.file_name().to_string_lossy().into_owned();
        let pid = file.strip_prefix(&building).or_else(|| file.strip_prefix(&old));
        let Some(pid) = pid.and_then(|p| p.parse::<u32>().ok()) else {
            continue;
        };
        let alive = pid == std::process::id() || Path::new(&format!("/proc/{pid}")).exists();
        if alive && Path::new("/proc/self").exists()
            || pending.is_some() && pending == std::path::absolute(e.path()).ok()
        {
            continue;
        }
        if file.starts_with(&old) && !output.exists() {
            let _ = fs::rename(e.path(), output);
        } else {
            remove_tree(&e.path());
        }
    }
}

fn read_manifest(path: &Path) -> HashMap<String, Entry> {
    let Ok(text) = fs::read_to_string(path) else {
        return HashMap::new();
    };
    let mut lines = text.lines();
    if lines.next() != Some(MANIFEST_HEADER) {
        return HashMap::new();
    }
    let mut out = HashMap::new();
    for line in lines {
        let mut f = line.splitn(6, ' ');
        let mut next = || f.next().unwrap_or("");
        let (hash, key, size, mtime, ino, p) = (next(), next(), next(), next(), next(), next());
        let parsed = (|| {
            Some(Entry {
                hash: u64::from_str_radix(hash, 16).ok()?,
                key: u64::from_str_radix(key, 16).ok()?,
                size: size.parse().ok()?,
                mtime_ns: mtime.parse().ok()?,
                ino: ino.parse().ok()?,
            })
        })();
        match parsed {
            Some(e) if !p.is_empty() => {
                out.insert(p.to_string(), e);
            }
            _ => return HashMap::new(),
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::SystemTime;

    fn write_all(out: &Path, files: &[(&str, &str)]) -> Stats {
        let w = Writer::new(out, 1).unwrap();
        files
            .par_iter()
            .try_for_each(|(p, t)| {
                let key = hash_bytes(t.as_bytes());
                if w.fresh(p, key) {
                    return Ok(());
                }
                w.put(PathBuf::from(p), key, t.as_bytes().to_vec())
            })
            .unwrap();
        w.finish().unwrap()
    }

    fn mtimes(dir: &Path) -> Vec<(String, SystemTime)> {
        let mut v: Vec<_> = list_files(dir)
            .into_iter()
            .map(|p| {
                let t = fs::metadata(dir.join(&p)).unwrap().modified().unwrap();
                (p, t)
            })
            .collect();
        v.sort();
        v
    }

    #[test]
    fn unchanged_build_touches_nothing_and_a_change_rewrites_only_its_file() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let s = write_all(&out, &[("a.html", "A"), ("d/b.html", "B"), ("d/c.txt", "C")]);
        assert_eq!((s.files, s.written, s.swapped), (3, 3, true));
        let before = mtimes(&out);
        std::thread::sleep(std::time::Duration::from_millis(20));
        let s = write_all(&out, &[("a.html", "A"), ("d/b.html", "B"), ("d/c.txt", "C")]);
        assert_eq!((s.written, s.removed, s.swapped), (0, 0, false));
        assert_eq!(mtimes(&out), before);
        // Without the manifest the files are compared byte for byte.
        fs::remove_dir_all(tmp.path().join(".dossier-cache")).unwrap();
        let s = write_all(&out, &[("a.html", "A"), ("d/b.html", "B"), ("d/c.txt", "C")]);
        assert_eq!((s.written, s.swapped), (0, false));
        assert_eq!(mtimes(&out), before);

        let s = write_all(&out, &[("a.html", "A"), ("d/b.html", "B2")]);
        assert_eq!((s.written, s.removed, s.swapped), (1, 1, true));
        let after = mtimes(&out);
        assert_eq!(after.len(), 2);
        assert_eq!(after[0], before[0], "a.html kept its mtime");
        assert_ne!(after[1].1, before[1].1, "d/b.html was rewritten");
        assert_eq!(fs::read_to_string(out.join("d/b.html")).unwrap(), "B2");
        let names: Vec<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert!(names.iter().all(|n| n == "site" || n == ".dossier-cache"), "{names:?}");
    }

    fn inodes(dir: &Path) -> Vec<(String, u64)> {
        let mut v: Vec<_> = list_files(dir)
            .into_iter()
            .map(|p| {
                let ino = fs::metadata(dir.join(&p)).unwrap().ino();
                (p, ino)
            })
            .collect();
        v.sort();
        v
    }

    fn as_refs(files: &[(String, String)]) -> Vec<(&str, &str)> {
        files.iter().map(|(p, t)| (p.as_str(), t.as_str())).collect()
    }

    fn names(dir: &Path) -> BTreeSet<String> {
        fs::read_dir(dir)
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect()
    }

    #[test]
    fn a_few_changes_are_moved_into_the_output_in_place() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let mut files: Vec<(String, String)> = (0..20).map(|i| (format!("p{i}.html"), format!("P{i}"))).collect();
        files.push(("old/gone.html".into(), "G".into()));
        write_all(&out, &as_refs(&files));
        let before = inodes(&out);
        files[3].1 = "P3 changed".into();
        files.pop();
        files.push(("new/made.html".into(), "M".into()));
        let s = write_all(&out, &as_refs(&files));
        assert_eq!((s.written, s.removed, s.patched, s.swapped), (2, 1, true, false));
        let after = inodes(&out);
        for (path, ino) in &before {
            if path != "p3.html" && path != "old/gone.html" {
                assert!(after.contains(&(path.clone(), *ino)), "{path} was left as it was");
            }
        }
        assert_eq!(fs::read_to_string(out.join("p3.html")).unwrap(), "P3 changed");
        assert_eq!(fs::read_to_string(out.join("new/made.html")).unwrap(), "M");
        assert!(!out.join("old").exists(), "a folder left empty goes");
        assert_eq!(
            names(tmp.path()),
            BTreeSet::from(["site".into(), ".dossier-cache".into()])
        );
        assert!(!names(&tmp.path().join(".dossier-cache"))
            .iter()
            .any(|n| n.contains("journal")));
        // The manifest describes the patched output: building again writes nothing.
        let s = write_all(&out, &as_refs(&files));
        assert_eq!((s.written, s.removed, s.patched, s.swapped), (0, 0, false, false));
        assert_eq!(Writer::new(&out, 1).unwrap().intact(), Some(21));
    }

    #[test]
    fn a_file_in_place_of_a_folder_replaces_the_output() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let mut files: Vec<(String, String)> = (0..10).map(|i| (format!("p{i}.html"), format!("P{i}"))).collect();
        files.push(("d/x.html".into(), "X".into()));
        write_all(&out, &as_refs(&files));
        files.pop();
        files.push(("d".into(), "now a file".into()));
        let s = write_all(&out, &as_refs(&files));
        assert_eq!((s.written, s.removed, s.patched, s.swapped), (1, 1, false, true));
        assert_eq!(fs::read_to_string(out.join("d")).unwrap(), "now a file");
    }

    #[test]
    fn moves_left_by_a_build_killed_while_patching_are_finished() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_all(&out, &[("a.html", "A"), ("b.html", "B"), ("c/c.html", "C")]);
        // A build with a pid that cannot be running had moved a.html in,
        // not yet b.html, and not yet removed c/c.html.
        let staging = tmp.path().join(".site.building-4000000000");
        fs::create_dir_all(&staging).unwrap();
        fs::write(out.join("a.html"), "A2").unwrap();
        fs::write(staging.join("b.html"), "B2").unwrap();
        let journal = format!("{}\nW a.html\nW b.html\nR c/c.html\n", staging.display());
        fs::write(tmp.path().join(".dossier-cache/site.journal"), journal).unwrap();
        let s = write_all(&out, &[("a.html", "A2"), ("b.html", "B2")]);
        assert_eq!(
            (s.written, s.removed),
            (0, 0),
            "the moves were finished before the build"
        );
        assert_eq!(fs::read_to_string(out.join("b.html")).unwrap(), "B2");
        assert!(!out.join("c").exists());
        assert_eq!(
            names(tmp.path()),
            BTreeSet::from(["site".into(), ".dossier-cache".into()])
        );
        assert!(!tmp.path().join(".dossier-cache/site.journal").exists());
    }

    #[test]
    fn streamed_files_hash_like_bytes_and_unchanged_ones_are_not_written() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let big: Vec<u8> = (0..200_000u32).map(|i| (i % 251) as u8).collect();
        let f = tmp.path().join("big");
        fs::write(&f, &big).unwrap();
        assert_eq!(hash_file(&f), Some(hash_bytes(&big)));
        let stream = |w: &Writer| {
            w.put_with(PathBuf::from("data/big.bin"), 7, &|o| {
                for c in big.chunks(999) {
                    o.write_all(c)?;
                }
                Ok(())
            })
            .unwrap()
        };
        let w = Writer::new(&out, 1).unwrap();
        stream(&w);
        assert_eq!(w.finish().unwrap().written, 1);
        assert_eq!(fs::read(out.join("data/big.bin")).unwrap(), big);
        let w = Writer::new(&out, 1).unwrap();
        stream(&w);
        let s = w.finish().unwrap();
        assert_eq!((s.written, s.swapped), (0, false));
    }

    #[test]
    fn a_file_edited_by_hand_is_noticed_despite_the_manifest() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_all(&out, &[("a.html", "A")]);
        fs::write(out.join("a.html"), "X").unwrap();
        let s = write_all(&out, &[("a.html", "A")]);
        assert_eq!(s.written, 1);
        assert_eq!(fs::read_to_string(out.join("a.html")).unwrap(), "A");
    }

    #[test]
    fn manifest_round_trips_and_rejects_garbage() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_all(&out, &[("a b.html", "A")]);
        let m = read_manifest(&tmp.path().join(".dossier-cache/site.manifest"));
        assert_eq!(m.len(), 1);
        assert_eq!(m["a b.html"].hash, hash_bytes(b"A"));
        fs::write(tmp.path().join("bad"), "dossier-manifest 1\nzz 1 2 3 4 x\n").unwrap();
        assert!(read_manifest(&tmp.path().join("bad")).is_empty());
    }

    #[test]
    fn an_output_left_aside_by_a_killed_build_is_put_back() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        write_all(&out, &[("a.html", "A")]);
        // A build with a pid that cannot be running died between its renames.
        fs::rename(&out, tmp.path().join(".site.old-4000000000")).unwrap();
        fs::create_dir_all(tmp.path().join(".site.building-4000000000")).unwrap();
        let s = write_all(&out, &[("a.html", "A")]);
        assert_eq!((s.written, s.swapped), (0, false));
        let names: BTreeSet<_> = fs::read_dir(tmp.path())
            .unwrap()
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect();
        assert_eq!(
            names,
            BTreeSet::from(["site".to_string(), ".dossier-cache".to_string()])
        );
    }
}
