//! Per-article results kept from one build to the next, by content hash.
//!
//! Much of a stage's work is a pure function of one article's text and of a
//! corpus-wide input (annotating an article against the entity registry,
//! finding its date expressions). A [`Store`] keeps each such result under
//! a key that hashes everything it depends on; a rebuild takes the results
//! whose key it finds and computes only the others, so after an edit most
//! articles are not analysed again.
//!
//! The results are files in `.dossier-cache/` beside the output, one per
//! kind of work, indexed by key. A build appends the results it computed
//! and a new index of the results it used, so a rebuild after a small edit
//! writes little; when the results no build uses anymore take more than
//! half of a file, the build writes a new file with its own results only.
//! A file is read lazily, one result at a time, so a large one is never
//! held whole in memory. A file from another
//! dossier binary or config (see [`crate::build::model_salt`]), or a result
//! that does not match its hash (a file cut short or altered), is ignored:
//! a cache costs time, never correctness.

use std::collections::HashSet;
use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufWriter, Write};
use std::marker::PhantomData;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
use std::sync::Mutex;

use bincode::Options;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use xxhash_rust::xxh3::{xxh3_64, Xxh3};

/// First bytes of a memo file; another version is ignored.
const MAGIC: &[u8; 16] = b"dossier-memo 2\n\0";

/// Where results are kept, and what invalidates all of them.
pub struct Store {
    /// Files are `{prefix}.{kind}.memo`; `None` keeps nothing.
    prefix: Option<PathBuf>,
    salt: u64,
    reused: AtomicUsize,
    computed: AtomicUsize,
    /// Kinds opened by this build (see [`Store::prune`]).
    opened: Mutex<HashSet<String>>,
}

impl Store {
    /// A store that keeps nothing: every result is computed.
    pub fn off() -> Store {
        Store {
            prefix: None,
            salt: 0,
            reused: AtomicUsize::new(0),
            computed: AtomicUsize::new(0),
            opened: Default::default(),
        }
    }

    /// Results kept in the cache folder of `output` (see
    /// [`crate::output::cache_file`]); `salt` changes when every result may
    /// (another binary or config).
    pub fn beside(output: &Path, salt: u64) -> Store {
        Store {
            prefix: Some(crate::output::cache_file(output, "")),
            salt,
            ..Store::off()
        }
    }

    /// How many results this build took from the last one, and how many it
    /// computed (of those with a key).
    pub fn counts(&self) -> (usize, usize) {
        (
            self.reused.load(Ordering::Relaxed),
            self.computed.load(Ordering::Relaxed),
        )
    }

    /// `f(i)` for every `i` in `0..n`, in parallel, in order. Where `key(i)`
    /// is `Some`, it must hash everything `f(i)` depends on: a result kept
    /// under that key by the last build is taken instead of calling `f`,
    /// and items with the same key share one result. Where it is `None`,
    /// `f(i)` is computed and not kept.
    pub fn map<V, K, F>(&self, kind: &str, n: usize, key: K, f: F) -> Vec<V>
    where
        V: Serialize + DeserializeOwned + Send + Sync + Clone,
        K: Fn(usize) -> Option<u64> + Sync,
        F: Fn(usize) -> V + Sync,
    {
        let mut items: Vec<usize> = (0..n).collect();
        self.map_mut(kind, &mut items, |&i| key(i), |&mut i| f(i))
    }

    /// [`Store::map`] over `items`, which `f` may change (to release what
    /// it no longer needs, say); `key` sees them before any change.
    pub fn map_mut<T, V, K, F>(&self, kind: &str, items: &mut [T], key: K, f: F) -> Vec<V>
    where
        T: Send + Sync,
        V: Serialize + DeserializeOwned + Send + Sync + Clone,
        K: Fn(&T) -> Option<u64> + Sync,
        F: Fn(&mut T) -> V + Sync,
    {
        let mut memo = self.open(kind);
        let out = memo.map_mut(items, key, f);
        memo.finish();
        out
    }

    /// Whether results are kept (a store made by [`Store::off`] keeps none).
    pub fn keeps(&self) -> bool {
        self.prefix.is_some()
    }

    /// The cache file `{output's name}.{name}` for what is not kept by key
    /// (see [`Store::save_side`]); `None` when nothing is kept.
    fn side_file(&self, name: &str) -> Option<PathBuf> {
        self.prefix.as_ref().map(|p| {
            let mut p = p.clone().into_os_string();
            p.push(format!(".{name}"));
            PathBuf::from(p)
        })
    }

    /// Keeps `body` in the side file `name`, the last build's state of a
    /// pass that is not kept by key, with [`Store::salt`] and a checksum. The
    /// file is replaced whole (through a temporary file), so a reader never
    /// sees half of it; a store that keeps nothing keeps nothing here either.
    pub fn save_side(&self, name: &str, body: &[u8]) -> std::io::Result<()> {
        let Some(path) = self.side_file(name) else {
            return Ok(());
        };
        let mut bytes = Vec::with_capacity(body.len() + 16);
        bytes.extend_from_slice(&self.salt.to_le_bytes());
        bytes.extend_from_slice(body);
        bytes.extend_from_slice(&xxh3_64(&bytes).to_le_bytes());
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let mut tmp = path.clone().into_os_string();
        tmp.push(format!(".tmp-{}", std::process::id()));
        std::fs::write(&tmp, bytes)
            .and_then(|()| std::fs::rename(&tmp, &path))
            .inspect_err(|_| {
                let _ = std::fs::remove_file(&tmp);
            })
    }

    /// What [`Store::save_side`] kept as `name`, when it was kept with this
    /// store's salt and is whole.
    pub fn load_side(&self, name: &str) -> Option<Vec<u8>> {
        let bytes = std::fs::read(self.side_file(name)?).ok()?;
        let (body, sum) = bytes.split_at_checked(bytes.len().checked_sub(8)?)?;
        if xxh3_64(body).to_le_bytes() != sum {
            return None;
        }
        let (salt, body) = body.split_at_checked(8)?;
        (salt == self.salt.to_le_bytes()).then(|| body.to_vec())
    }

    /// Removes this output's result files of kinds this build did not open:
    /// those of work a newer dossier no longer keeps, which would otherwise
    /// stay in the cache folder for good. Call it after a complete build.
    pub fn prune(&self) {
        let Some(prefix) = &self.prefix else { return };
        let (Some(dir), Some(name)) = (prefix.parent(), prefix.file_name()) else {
            return;
        };
        let Ok(entries) = std::fs::read_dir(dir) else { return };
        let opened = self.opened.lock().expect("no panic while holding the lock");
        let name = name.to_string_lossy();
        for entry in entries.flatten() {
            let file = entry.file_name();
            let file = file.to_string_lossy();
            // `{name}.{kind}.memo`; kinds have no dot, so another output's
            // files (`{name}.x.{kind}.memo`) are never taken for ours.
            let kind = file
                .strip_prefix(&*name)
                .and_then(|f| f.strip_prefix('.'))
                .and_then(|f| f.strip_suffix(".memo"));
            if kind.is_some_and(|k| !k.is_empty() && !k.contains('.') && !opened.contains(k)) {
                let _ = std::fs::remove_file(entry.path());
            }
        }
    }

    /// What every result depends on besides its key (binary, config).
    pub fn salt(&self) -> u64 {
        self.salt
    }

    /// The results of one kind, for work done in several calls (a chunk of
    /// articles at a time, say); [`Memo::finish`] keeps this build's. A
    /// kind is opened once per build: two at once would append to one file.
    pub fn open<V>(&self, kind: &str) -> Memo<'_, V> {
        self.opened
            .lock()
            .expect("no panic while holding the lock")
            .insert(kind.to_string());
        let path = self.prefix.as_ref().map(|p| {
            let mut p = p.clone().into_os_string();
            p.push(format!(".{kind}.memo"));
            PathBuf::from(p)
        });
        let old = path.as_deref().and_then(|p| Old::open(p, self.salt));
        let new = path.and_then(|p| match &old {
            Some(old) if old.live * 2 >= old.len => New::append(p, old.len).ok(),
            _ => New::create(p, self.salt).ok(),
        });
        Memo {
            store: self,
            old,
            new,
            written: HashSet::new(),
            _v: PhantomData,
        }
    }
}

/// The results of one kind: those of the last build, read as needed, and
/// those of this build, written as they come.
pub struct Memo<'s, V> {
    store: &'s Store,
    old: Option<Old>,
    /// `None` when nothing is kept (or the file cannot be made).
    new: Option<New>,
    /// Keys already written to the new file.
    written: HashSet<u64>,
    _v: PhantomData<V>,
}

/// Where a result sits in a file: (key, offset, length, XXH3 of its bytes).
type Entry = (u64, u64, u32, u64);

/// A file of the last build.
struct Old {
    file: File,
    /// Sorted by key.
    index: Vec<Entry>,
    /// The file's length.
    len: u64,
    /// Bytes of its results, index and header (the rest is left by older builds).
    live: u64,
}

/// The file of this build: either the last build's file, results appended
/// to it, or a new file written beside it and renamed over it.
struct New {
    path: PathBuf,
    /// `None` when appending to the file at `path`.
    tmp: Option<PathBuf>,
    out: BufWriter<File>,
    /// Where the next result goes.
    offset: u64,
    /// When appending: the file's length before, which a build that does
    /// not finish puts back (its results would be unreachable).
    start: u64,
    finished: bool,
    index: Vec<Entry>,
}

impl<V> Memo<'_, V>
where
    V: Serialize + DeserializeOwned + Send + Sync + Clone,
{
    /// [`Store::map_mut`] within this kind.
    pub fn map_mut<T, K, F>(&mut self, items: &mut [T], key: K, f: F) -> Vec<V>
    where
        T: Send + Sync,
        K: Fn(&T) -> Option<u64> + Sync,
        F: Fn(&mut T) -> V + Sync,
    {
        let n = items.len();
        if self.new.is_none() && self.old.is_none() {
            return items.par_iter_mut().map(&f).collect();
        }
        let keys: Vec<Option<u64>> = items.par_iter().map(&key).collect();
        // The first item with each key: the others copy its result.
        let mut first: Vec<usize> = (0..n).collect();
        let mut order: Vec<usize> = (0..n).filter(|&i| keys[i].is_some()).collect();
        order.sort_unstable_by_key(|&i| (keys[i], i));
        for w in order.windows(2) {
            if keys[w[0]] == keys[w[1]] {
                first[w[1]] = first[w[0]];
            }
        }
        let old = self.old.as_ref();
        // This build's file, shared by the workers: a result's bytes (read
        // from the last build's file, or encoded) go in as soon as they are
        // known, so the bytes of all results are never held at once. Keys
        // already written (by an earlier call) are not written again.
        let sink = self.new.as_mut().map(|new| Mutex::new((new, &mut self.written)));
        let failed = AtomicBool::new(false);
        let (reused, computed) = (AtomicUsize::new(0), AtomicUsize::new(0));
        let mut out: Vec<Option<V>> = items
            .par_iter_mut()
            .enumerate()
            .map(|(i, item)| {
                if first[i] != i {
                    return None;
                }
                let Some(k) = keys[i] else {
                    return Some(f(item));
                };
                let (v, kept) = match old.and_then(|old| old.get::<V>(k)) {
                    Some((v, bytes, entry)) => {
                        reused.fetch_add(1, Ordering::Relaxed);
                        (v, Some((bytes, entry)))
                    }
                    None => {
                        computed.fetch_add(1, Ordering::Relaxed);
                        (f(item), None)
                    }
                };
                let Some(sink) = &sink else { return Some(v) };
                // Encoded and hashed before taking the lock. A result that
                // cannot be encoded is not kept (it is computed again next time).
                let made = match kept {
                    Some(_) => None,
                    None => options().serialize(&v).ok().map(|b| (xxh3_64(&b), b)),
                };
                let mut sink = sink.lock().expect("no panic while held");
                if !sink.1.insert(k) {
                    return Some(v);
                }
                let done = match (kept, made) {
                    // Appending: a result already in the file is only listed again.
                    (Some((_, entry)), _) if sink.0.tmp.is_none() => {
                        sink.0.index.push(entry);
                        Ok(())
                    }
                    (Some((bytes, entry)), _) => sink.0.push(k, &bytes, entry.3),
                    (None, Some((sum, bytes))) => sink.0.push(k, &bytes, sum),
                    (None, None) => Ok(()),
                };
                if done.is_err() {
                    failed.store(true, Ordering::Relaxed);
                }
                Some(v)
            })
            .collect();
        if failed.into_inner() {
            self.new = None; // without the file the next build computes everything again
        }
        self.store.reused.fetch_add(reused.into_inner(), Ordering::Relaxed);
        self.store.computed.fetch_add(computed.into_inner(), Ordering::Relaxed);
        for i in 0..n {
            if first[i] != i {
                out[i] = out[first[i]].clone();
            }
        }
        out.into_iter().map(|o| o.expect("every item has a result")).collect()
    }

    /// Keeps this build's results for the next one.
    pub fn finish(self) {
        if let Some(new) = self.new {
            // Without the file the next build computes everything again.
            let _ = new.finish();
        }
    }
}

impl Old {
    /// The file at `path` when it is of this version and salt and its index
    /// matches its hash.
    fn open(path: &Path, salt: u64) -> Option<Old> {
        let file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let mut head = [0u8; 24];
        file.read_exact_at(&mut head, 0).ok()?;
        if &head[..16] != MAGIC || head[16..] != salt.to_le_bytes() || len < 40 {
            return None;
        }
        // Trailer: the index's offset and the XXH3 of the index.
        let mut tail = [0u8; 16];
        file.read_exact_at(&mut tail, len - 16).ok()?;
        let at = u64::from_le_bytes(tail[..8].try_into().ok()?);
        let sum = u64::from_le_bytes(tail[8..].try_into().ok()?);
        if at < 24 || at > len - 16 {
            return None;
        }
        let mut bytes = vec![0u8; (len - 16 - at) as usize];
        file.read_exact_at(&mut bytes, at).ok()?;
        if xxh3_64(&bytes) != sum {
            return None;
        }
        let index: Vec<Entry> = options().with_limit(bytes.len() as u64).deserialize(&bytes).ok()?;
        let sound =
            index.windows(2).all(|w| w[0].0 < w[1].0) && index.iter().all(|e| e.1 >= 24 && e.1 + u64::from(e.2) <= at);
        let live = 24 + (len - at) + index.iter().map(|e| u64::from(e.2)).sum::<u64>();
        sound.then_some(Old { file, index, len, live })
    }

    /// The result kept under `k`, its bytes and its entry, when they match
    /// their hash and decode.
    fn get<V: DeserializeOwned>(&self, k: u64) -> Option<(V, Vec<u8>, Entry)> {
        let i = self.index.binary_search_by_key(&k, |e| e.0).ok()?;
        let (_, at, len, sum) = self.index[i];
        let mut bytes = vec![0u8; len as usize];
        self.file.read_exact_at(&mut bytes, at).ok()?;
        if xxh3_64(&bytes) != sum {
            return None;
        }
        let v = options().with_limit(u64::from(len)).deserialize(&bytes).ok()?;
        Some((v, bytes, self.index[i]))
    }
}

impl New {
    /// A new file, written beside the one at `path` and renamed over it.
    fn create(path: PathBuf, salt: u64) -> std::io::Result<New> {
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir)?;
        }
        let tmp = path.with_extension(format!("memo.{}", std::process::id()));
        let mut out = BufWriter::new(File::create(&tmp)?);
        out.write_all(MAGIC)?;
        out.write_all(&salt.to_le_bytes())?;
        Ok(New {
            path,
            tmp: Some(tmp),
            out,
            offset: 24,
            start: 0,
            finished: false,
            index: Vec::new(),
        })
    }

    /// The file at `path`, of `len` bytes, to append to.
    fn append(path: PathBuf, len: u64) -> std::io::Result<New> {
        let file = std::fs::OpenOptions::new().write(true).open(&path)?;
        if file.metadata()?.len() != len {
            return Err(std::io::Error::other("the file changed since it was read"));
        }
        let mut out = BufWriter::new(file);
        std::io::Seek::seek(&mut out, std::io::SeekFrom::Start(len))?;
        Ok(New {
            path,
            tmp: None,
            out,
            offset: len,
            start: len,
            finished: false,
            index: Vec::new(),
        })
    }

    /// Appends `bytes`, of XXH3 `sum`, under `key`.
    fn push(&mut self, key: u64, bytes: &[u8], sum: u64) -> std::io::Result<()> {
        self.out.write_all(bytes)?;
        self.index.push((key, self.offset, bytes.len() as u32, sum));
        self.offset += bytes.len() as u64;
        Ok(())
    }

    /// Writes the index and the trailer (and renames a new file into
    /// place). Not synced: a file cut short by a crash fails its hashes.
    fn finish(mut self) -> anyhow::Result<()> {
        self.index.sort_unstable_by_key(|e| e.0);
        let index = options().serialize(&self.index)?;
        self.out.write_all(&index)?;
        self.out.write_all(&self.offset.to_le_bytes())?;
        self.out.write_all(&xxh3_64(&index).to_le_bytes())?;
        self.out.flush()?;
        if let Some(tmp) = &self.tmp {
            std::fs::rename(tmp, &self.path)?;
        }
        self.finished = true;
        Ok(())
    }
}

impl Drop for New {
    fn drop(&mut self) {
        if self.finished {
            return;
        }
        match &self.tmp {
            Some(tmp) => {
                let _ = std::fs::remove_file(tmp);
            }
            // The last build's index stays the file's last bytes.
            None => {
                let _ = self.out.flush();
                let _ = self.out.get_ref().set_len(self.start);
            }
        }
    }
}

/// The key of results made from an article's paragraphs alone (their ids
/// and texts), for the stages after dedup, where the paragraphs no longer
/// change.
pub fn text_key(a: &crate::model::Article) -> u64 {
    key(&a.paragraphs.iter().map(|p| (&p.id, &p.text)).collect::<Vec<_>>())
}

/// A key from anything hashable: XXH3 over the value's `Hash` form.
pub fn key<T: Hash + ?Sized>(parts: &T) -> u64 {
    let mut h = Xxh3::new();
    parts.hash(&mut h);
    h.finish()
}

fn options() -> impl bincode::Options {
    bincode::DefaultOptions::new()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn square_all(store: &Store, xs: &[u64], calls: &AtomicUsize) -> Vec<u64> {
        store.map(
            "square",
            xs.len(),
            |i| Some(key(&xs[i])),
            |i| {
                calls.fetch_add(1, Ordering::Relaxed);
                xs[i] * xs[i]
            },
        )
    }

    fn memo_file(out: &Path) -> PathBuf {
        crate::output::cache_file(out, ".square.memo")
    }

    #[test]
    fn a_second_run_computes_only_what_changed() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let calls = AtomicUsize::new(0);
        let first = square_all(&Store::beside(&out, 7), &[1, 2, 3, 4], &calls);
        assert_eq!(first, [1, 4, 9, 16]);
        assert_eq!(calls.load(Ordering::Relaxed), 4);

        let store = Store::beside(&out, 7);
        let again = square_all(&store, &[1, 2, 5, 4], &calls);
        assert_eq!(again, [1, 4, 25, 16]);
        assert_eq!(calls.load(Ordering::Relaxed), 5, "only 5 is new");
        assert_eq!(store.counts(), (3, 1));

        // Another salt (binary, config) computes everything again.
        let other = Store::beside(&out, 8);
        assert_eq!(square_all(&other, &[1, 2, 5, 4], &calls), [1, 4, 25, 16]);
        assert_eq!(other.counts(), (0, 4));
    }

    #[test]
    fn a_side_file_is_read_back_only_whole_and_with_its_salt() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        Store::beside(&out, 7)
            .save_side("state", b"what the pass found")
            .unwrap();
        assert_eq!(
            Store::beside(&out, 7).load_side("state").unwrap(),
            b"what the pass found"
        );
        // Another binary or config, another name, no cache.
        assert_eq!(Store::beside(&out, 8).load_side("state"), None);
        assert_eq!(Store::beside(&out, 7).load_side("other"), None);
        assert_eq!(Store::off().load_side("state"), None);
        Store::off().save_side("state", b"nothing").unwrap();
        // A file cut short or altered is not read.
        let path = Store::beside(&out, 7).side_file("state").unwrap();
        let whole = std::fs::read(&path).unwrap();
        std::fs::write(&path, &whole[..whole.len() - 3]).unwrap();
        assert_eq!(Store::beside(&out, 7).load_side("state"), None);
        let mut altered = whole.clone();
        altered[10] ^= 1;
        std::fs::write(&path, &altered).unwrap();
        assert_eq!(Store::beside(&out, 7).load_side("state"), None);
        // Nothing is left beside it.
        let names: Vec<_> = std::fs::read_dir(path.parent().unwrap())
            .unwrap()
            .flatten()
            .map(|e| e.file_name())
            .collect();
        assert_eq!(names, [path.file_name().unwrap()]);
    }

    #[test]
    fn pruning_removes_only_this_outputs_kinds_not_used() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let calls = AtomicUsize::new(0);
        let store = Store::beside(&out, 7);
        square_all(&store, &[1, 2], &calls);
        store.map("cubes", 1, |_| Some(1), |_| 1u64);
        // Another output's results, one named like ours.
        square_all(&Store::beside(&tmp.path().join("other"), 7), &[3], &calls);
        square_all(&Store::beside(&tmp.path().join("site.x"), 7), &[3], &calls);
        let cubes = crate::output::cache_file(&out, ".cubes.memo");
        assert!(cubes.exists() && memo_file(&out).exists());

        // A build that no longer makes cubes.
        let store = Store::beside(&out, 7);
        square_all(&store, &[1, 2], &calls);
        store.prune();
        assert!(!cubes.exists());
        assert!(memo_file(&out).exists());
        assert!(memo_file(&tmp.path().join("other")).exists());
        assert!(memo_file(&tmp.path().join("site.x")).exists());
        assert_eq!(square_all(&Store::beside(&out, 7), &[1, 2], &calls), [1, 4]);
    }

    #[test]
    fn work_done_in_several_calls_is_kept_whole() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let run = |chunks: &[&[u64]]| {
            let store = Store::beside(&out, 1);
            let mut memo = store.open::<u64>("square");
            let got: Vec<Vec<u64>> = chunks
                .iter()
                .map(|c| memo.map_mut(&mut c.to_vec(), |x| Some(key(x)), |x| *x * *x))
                .collect();
            memo.finish();
            (got, store.counts())
        };
        let (got, counts) = run(&[&[1, 2], &[3, 2], &[4]]);
        assert_eq!(got, [vec![1, 4], vec![9, 4], vec![16]]);
        assert_eq!(counts, (0, 5), "2 is computed in each call that has it");
        let (got, counts) = run(&[&[4, 3, 2, 1]]);
        assert_eq!(got, [vec![16, 9, 4, 1]]);
        assert_eq!(counts, (4, 0));
    }

    /// Results of some size (64 numbers each), as a stage's are.
    fn blocks(store: &Store, xs: &[u64]) -> Vec<Vec<u64>> {
        store.map("blocks", xs.len(), |i| Some(key(&xs[i])), |i| vec![xs[i] << 40; 64])
    }

    #[test]
    fn a_rebuild_appends_what_it_computed_until_half_the_file_is_stale() {
        use std::os::unix::fs::MetadataExt;
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let path = crate::output::cache_file(&out, ".blocks.memo");
        let stat = || std::fs::metadata(&path).map(|m| (m.ino(), m.len())).unwrap();
        let mut xs: Vec<u64> = (0..100).collect();
        blocks(&Store::beside(&out, 1), &xs);
        let (ino, len) = stat();

        // One edit: its result and a new index go at the end of the same file.
        xs[0] = 1000;
        let store = Store::beside(&out, 1);
        assert_eq!(blocks(&store, &xs)[0], vec![1000 << 40; 64]);
        assert_eq!(store.counts(), (99, 1));
        let (ino2, len2) = stat();
        assert_eq!(ino2, ino, "appended, not written again");
        assert!(len2 > len && len2 - len < len / 10, "{len} -> {len2}");
        let store = Store::beside(&out, 1);
        blocks(&store, &xs);
        assert_eq!(store.counts(), (100, 0));

        // Many edits: once most of the file is stale, it is written anew.
        let mut rewritten = false;
        for round in 1..=4u64 {
            xs.iter_mut().take(60).for_each(|x| *x += 10_000 * round);
            let store = Store::beside(&out, 1);
            let got = blocks(&store, &xs);
            assert_eq!(got, xs.iter().map(|&x| vec![x << 40; 64]).collect::<Vec<_>>());
            assert_eq!(store.counts(), (40, 60));
            rewritten |= stat().0 != ino;
        }
        assert!(rewritten);
        assert!(
            stat().1 < len * 3,
            "the file never holds much more than twice its results"
        );
    }

    #[test]
    fn a_build_that_does_not_finish_leaves_the_last_results() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let path = crate::output::cache_file(&out, ".blocks.memo");
        let xs: Vec<u64> = (0..20).collect();
        blocks(&Store::beside(&out, 1), &xs);
        let len = std::fs::metadata(&path).unwrap().len();
        {
            let store = Store::beside(&out, 1);
            let mut memo = store.open::<Vec<u64>>("blocks");
            memo.map_mut(&mut [777u64], |x| Some(key(x)), |x| vec![*x; 64]);
            // Dropped without `finish`, as when a later stage fails.
        }
        assert_eq!(std::fs::metadata(&path).unwrap().len(), len);
        let store = Store::beside(&out, 1);
        blocks(&store, &xs);
        assert_eq!(store.counts(), (20, 0));
    }

    #[test]
    fn items_with_one_key_share_one_result() {
        let tmp = tempfile::tempdir().unwrap();
        let store = Store::beside(&tmp.path().join("site"), 1);
        let calls = AtomicUsize::new(0);
        assert_eq!(square_all(&store, &[3, 3, 3, 2], &calls), [9, 9, 9, 4]);
        assert_eq!(calls.load(Ordering::Relaxed), 2);
    }

    #[test]
    fn a_damaged_file_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let calls = AtomicUsize::new(0);
        let xs: Vec<u64> = (100..200).collect();
        let squares: Vec<u64> = xs.iter().map(|x| x * x).collect();
        square_all(&Store::beside(&out, 1), &xs, &calls);
        let path = memo_file(&out);
        let bytes = std::fs::read(&path).unwrap();
        // One result's bytes changed: that result alone is computed again.
        let mut b = bytes.clone();
        b[30] ^= 1;
        std::fs::write(&path, &b).unwrap();
        let store = Store::beside(&out, 1);
        assert_eq!(square_all(&store, &xs, &calls), squares);
        assert_eq!(store.counts(), (99, 1));
        // Cut short, or its index changed: nothing is taken from it.
        for damage in [bytes[..bytes.len() / 2].to_vec(), {
            let mut b = bytes.clone();
            let n = b.len();
            b[n - 20] ^= 1;
            b
        }] {
            std::fs::write(&path, &damage).unwrap();
            let store = Store::beside(&out, 1);
            assert_eq!(square_all(&store, &xs, &calls), squares);
            assert_eq!(store.counts(), (0, 100));
        }
    }

    #[test]
    fn items_without_a_key_are_computed_and_not_kept() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        for _ in 0..2 {
            let store = Store::beside(&out, 1);
            let v: Vec<usize> = store.map("k", 3, |i| (i != 1).then_some(i as u64), |i| i * 2);
            assert_eq!(v, [0, 2, 4]);
        }
        let store = Store::beside(&out, 1);
        let _: Vec<usize> = store.map("k", 3, |i| (i != 1).then_some(i as u64), |i| i * 2);
        assert_eq!(store.counts(), (2, 0));
    }
}
