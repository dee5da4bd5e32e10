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
//! kind of work, rewritten after each build with that build's results only
//! (they never grow with old ones). A file from another dossier binary or
//! config (see [`crate::build::salt`]), or one that does not check out
//! (truncated, altered), is ignored: a cache costs time, never correctness.

use std::fs::File;
use std::hash::{Hash, Hasher};
use std::io::{BufReader, BufWriter, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::Mutex;

use bincode::Options;
use rayon::prelude::*;
use serde::de::DeserializeOwned;
use serde::Serialize;
use xxhash_rust::xxh3::Xxh3;

/// First bytes of a memo file; another version is ignored.
const MAGIC: &[u8; 16] = b"dossier-memo 1\n\0";

/// Where results are kept, and what invalidates all of them.
pub struct Store {
    /// Files are `{prefix}.{kind}.memo`; `None` keeps nothing.
    prefix: Option<PathBuf>,
    salt: u64,
    reused: AtomicUsize,
    computed: AtomicUsize,
}

impl Store {
    /// A store that keeps nothing: every result is computed.
    pub fn off() -> Store {
        Store {
            prefix: None,
            salt: 0,
            reused: AtomicUsize::new(0),
            computed: AtomicUsize::new(0),
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
        let n = items.len();
        let Some(path) = self.path(kind) else {
            return items.par_iter_mut().map(&f).collect();
        };
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
        let old: Vec<(u64, Mutex<Option<V>>)> = read(&path, self.salt)
            .unwrap_or_default()
            .into_iter()
            .map(|(k, v)| (k, Mutex::new(Some(v))))
            .collect();
        let take = |k: u64| {
            let i = old.binary_search_by_key(&k, |e| e.0).ok()?;
            old[i].1.lock().ok()?.take()
        };
        let mut out: Vec<Option<(V, bool)>> = items
            .par_iter_mut()
            .enumerate()
            .map(|(i, item)| {
                if first[i] != i {
                    return None;
                }
                Some(match keys[i].and_then(take) {
                    Some(v) => (v, true),
                    None => (f(item), false),
                })
            })
            .collect();
        for i in 0..n {
            if first[i] != i {
                out[i] = out[first[i]].clone();
            }
        }
        let unique = |hit: bool| {
            (0..n)
                .filter(|&i| first[i] == i && keys[i].is_some())
                .filter(|&i| out[i].as_ref().is_some_and(|o| o.1 == hit))
                .count()
        };
        let (reused, computed) = (unique(true), unique(false));
        self.reused.fetch_add(reused, Ordering::Relaxed);
        self.computed.fetch_add(computed, Ordering::Relaxed);
        // Rewritten unless every result was reused and nothing else was kept.
        let stale = old.iter().any(|e| e.1.lock().map(|v| v.is_some()).unwrap_or(true));
        if computed > 0 || stale {
            let kept: Vec<(u64, &V)> = order
                .iter()
                .filter(|&&i| first[i] == i)
                .filter_map(|&i| Some((keys[i]?, &out[i].as_ref()?.0)))
                .collect();
            // Without the file the next build computes everything again.
            let _ = write(&path, self.salt, &kept);
        }
        out.into_iter().map(|o| o.expect("every item has a result").0).collect()
    }

    fn path(&self, kind: &str) -> Option<PathBuf> {
        let mut p = self.prefix.clone()?.into_os_string();
        p.push(format!(".{kind}.memo"));
        Some(PathBuf::from(p))
    }
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

/// Writes `entries` (sorted by key): the magic, the salt, the entries, and
/// a hash of all that, into a new file renamed over `path`. The entries are
/// encoded in parallel, in runs whose bytes join into those of the whole
/// list. (Not synced: a file cut short by a crash fails its hash.)
fn write<V: Serialize + Sync>(path: &Path, salt: u64, entries: &[(u64, &V)]) -> anyhow::Result<()> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let runs: Vec<Vec<u8>> = entries
        .par_chunks(1024)
        .map(|run| {
            let mut b = Vec::new();
            run.iter()
                .try_for_each(|e| options().serialize_into(&mut b, e))
                .map(|_| b)
        })
        .collect::<Result<_, _>>()?;
    let tmp = path.with_extension(format!("memo.{}", std::process::id()));
    let mut w = Hashing {
        inner: BufWriter::new(File::create(&tmp)?),
        hash: Xxh3::new(),
    };
    w.write_all(MAGIC)?;
    w.write_all(&salt.to_le_bytes())?;
    // A list is its length, then its items.
    options().serialize_into(&mut w, &(entries.len() as u64))?;
    for run in runs {
        w.write_all(&run)?;
    }
    let sum = w.hash.digest();
    let mut inner = w.inner;
    inner.write_all(&sum.to_le_bytes())?;
    inner.flush()?;
    drop(inner);
    std::fs::rename(&tmp, path)?;
    Ok(())
}

/// The entries of a memo file, or `None` when it is missing, from another
/// version or salt, or does not match its hash.
fn read<V: DeserializeOwned>(path: &Path, salt: u64) -> Option<Vec<(u64, V)>> {
    let file = File::open(path).ok()?;
    let len = file.metadata().ok()?.len();
    let mut r = Hashing {
        inner: BufReader::new(file),
        hash: Xxh3::new(),
    };
    let mut head = [0u8; 24];
    r.read_exact(&mut head).ok()?;
    if &head[..16] != MAGIC || head[16..] != salt.to_le_bytes() {
        return None;
    }
    let entries: Vec<(u64, V)> = options().with_limit(len).deserialize_from(&mut r).ok()?;
    let sum = r.hash.digest();
    let mut tail = Vec::new();
    r.inner.read_to_end(&mut tail).ok()?;
    (tail == sum.to_le_bytes() && entries.windows(2).all(|w| w[0].0 < w[1].0)).then_some(entries)
}

/// A reader or writer that hashes the bytes passing through it.
struct Hashing<T> {
    inner: T,
    hash: Xxh3,
}

impl<T: Read> Read for Hashing<T> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        let n = self.inner.read(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }
}

impl<T: Write> Write for Hashing<T> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.hash.update(&buf[..n]);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.inner.flush()
    }
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
    fn runs_of_entries_encode_like_the_whole_list() {
        let tmp = tempfile::tempdir().unwrap();
        let path = tmp.path().join("x.memo");
        let values: Vec<String> = (0..3000).map(|i| "w".repeat(i % 300)).collect();
        let entries: Vec<(u64, &String)> = values.iter().enumerate().map(|(i, v)| (i as u64, v)).collect();
        write(&path, 5, &entries).unwrap();
        let bytes = std::fs::read(&path).unwrap();
        let whole = options().serialize(&entries).unwrap();
        assert_eq!(&bytes[24..bytes.len() - 8], &whole[..]);
        let back: Vec<(u64, String)> = read(&path, 5).unwrap();
        assert!(back
            .iter()
            .map(|(k, v)| (*k, v))
            .eq(entries.iter().map(|(k, v)| (*k, *v))));
    }

    #[test]
    fn a_damaged_file_is_ignored() {
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        let calls = AtomicUsize::new(0);
        square_all(&Store::beside(&out, 1), &[10, 20, 30], &calls);
        let path = Store::beside(&out, 1).path("square").unwrap();
        let mut bytes = std::fs::read(&path).unwrap();
        // Change one result's bytes, keeping the file's length.
        let n = bytes.len();
        bytes[n - 9] ^= 1;
        std::fs::write(&path, &bytes).unwrap();
        let store = Store::beside(&out, 1);
        assert_eq!(square_all(&store, &[10, 20, 30], &calls), [100, 400, 900]);
        assert_eq!(store.counts(), (0, 3));
        std::fs::write(&path, &bytes[..n / 2]).unwrap();
        let store = Store::beside(&out, 1);
        assert_eq!(square_all(&store, &[10, 20, 30], &calls), [100, 400, 900]);
        assert_eq!(store.counts(), (0, 3));
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
