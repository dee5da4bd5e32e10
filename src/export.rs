//! `data/archive.json`: the model as JSON, as `serde_json` writes an
//! [`Archive`].
//!
//! An article's JSON depends on the article alone, so a rebuild copies the
//! JSON of each unchanged article from the last build's file instead of
//! serialising it again. A small index in the cache says where each
//! article's JSON sits in that file (by a hash of the article), and which
//! file it describes (by the file's hash, checked against the output's
//! manifest), so a stale index is never used.

use std::collections::HashMap;
use std::fs::File;
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::PathBuf;

use anyhow::Result;

use crate::model::Archive;
use crate::output::Hashing;

/// Where `data/archive.json` lies in the output.
pub const PATH: &str = "data/archive.json";

/// Where each article's JSON sits in a written file: the article's hash
/// (see [`write`]), then the offset and length of its bytes.
type Span = (u64, u64, u64);

/// The last build's file and where its articles are in it.
pub struct Last {
    file: File,
    spans: HashMap<u64, (u64, u64)>,
}

/// What [`write`] wrote: the file's hash and its articles' spans.
pub struct Written {
    hash: u64,
    spans: Vec<Span>,
    /// Articles copied from the last build's file.
    pub copied: usize,
}

impl Last {
    /// The file at `current` (the output's file, as the manifest knows it,
    /// with its hash) when `index` (see [`Written::index`]) describes it.
    pub fn open(index: &[u8], current: Option<(PathBuf, u64)>) -> Option<Last> {
        let (path, hash) = current?;
        let mut words = index
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")));
        if words.next()? != hash {
            return None;
        }
        let file = File::open(path).ok()?;
        let len = file.metadata().ok()?.len();
        let rest: Vec<u64> = words.collect();
        // A span outside the file is dropped (its article is serialised).
        let spans = rest
            .chunks_exact(3)
            .filter(|s| s[1].checked_add(s[2]).is_some_and(|end| end <= len))
            .map(|s| (s[0], (s[1], s[2])))
            .collect();
        Some(Last { file, spans })
    }
}

impl Written {
    /// The index the next build opens [`Last`] with (the caller keeps it,
    /// see [`crate::memo::Store::save_side`]); without it the next build
    /// serialises every article.
    pub fn index(&self) -> Vec<u8> {
        let mut bytes = Vec::with_capacity(8 + self.spans.len() * 24);
        for w in std::iter::once(self.hash).chain(self.spans.iter().flat_map(|s| [s.0, s.1, s.2])) {
            bytes.extend_from_slice(&w.to_le_bytes());
        }
        bytes
    }
}

/// Writes `archive` as JSON into `out`: the same bytes as
/// `serde_json::to_writer(out, archive)`. `hashes[i]` must change whenever
/// article `i` does; an article whose hash `last` knows is copied from
/// the last build's file.
pub fn write(out: &mut dyn Write, archive: &Archive, hashes: &[u64], last: Option<&Last>) -> Result<Written> {
    let mut w = Hashing::new(out);
    let mut spans = Vec::with_capacity(archive.articles.len());
    let mut buf = Vec::new();
    let mut copied = 0;
    // Field by field, in the order of `Archive` (a test compares with serde's own output).
    w.write_all(b"{\"generator\":")?;
    serde_json::to_writer(&mut w, &archive.generator)?;
    w.write_all(b",\"articles\":[")?;
    for (i, (a, &key)) in archive.articles.iter().zip(hashes).enumerate() {
        if i > 0 {
            w.write_all(b",")?;
        }
        let start = w.len;
        let found = last.and_then(|l| {
            let &(at, len) = l.spans.get(&key)?;
            buf.resize(len as usize, 0);
            l.file.read_exact_at(&mut buf, at).ok()
        });
        match found {
            Some(()) => {
                w.write_all(&buf)?;
                copied += 1;
            }
            None => serde_json::to_writer(&mut w, a)?,
        }
        spans.push((key, start, w.len - start));
    }
    w.write_all(b"],\"entities\":")?;
    serde_json::to_writer(&mut w, &archive.entities)?;
    w.write_all(b",\"duplicates\":")?;
    serde_json::to_writer(&mut w, &archive.duplicates)?;
    w.write_all(b",\"shared_passages\":")?;
    serde_json::to_writer(&mut w, &archive.shared_passages)?;
    w.write_all(b",\"events\":")?;
    serde_json::to_writer(&mut w, &archive.events)?;
    w.write_all(b",\"warnings\":")?;
    serde_json::to_writer(&mut w, &archive.warnings)?;
    w.write_all(b"}")?;
    Ok(Written {
        hash: w.digest(),
        spans,
        copied,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::path::Path;
    use xxhash_rust::xxh3::xxh3_64;

    fn seeds() -> Archive {
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let paths = crate::build::Paths {
            input: root.join("seeds"),
            output: root.join("target/export-test-site"),
            templates: None,
        };
        crate::build::model(&paths, &crate::config::Config::default(), &mut Vec::new())
            .unwrap()
            .0
    }

    fn hashes(a: &Archive) -> Vec<u64> {
        a.articles
            .iter()
            .map(|x| xxh3_64(&serde_json::to_vec(x).unwrap()))
            .collect()
    }

    #[test]
    fn a_rebuild_copies_unchanged_articles_and_writes_what_serde_writes() {
        let tmp = tempfile::tempdir().unwrap();
        let mut archive = seeds();
        assert!(archive.articles.len() >= 3 && !archive.entities.is_empty() && !archive.events.is_empty());
        let mut first = Vec::new();
        let made = write(&mut first, &archive, &hashes(&archive), None).unwrap();
        assert_eq!(first, serde_json::to_vec(&archive).unwrap());
        assert_eq!((made.copied, made.hash), (0, xxh3_64(&first)));
        let file = tmp.path().join("archive.json");
        std::fs::write(&file, &first).unwrap();
        let index = made.index();

        archive.articles[1].title.push_str(" (updated)");
        archive.events.pop();
        let last = Last::open(&index, Some((file.clone(), made.hash))).unwrap();
        let mut second = Vec::new();
        let made = write(&mut second, &archive, &hashes(&archive), Some(&last)).unwrap();
        assert_eq!(second, serde_json::to_vec(&archive).unwrap());
        assert_eq!(made.copied, archive.articles.len() - 1);

        // An index of another file is not used.
        assert!(Last::open(&index, Some((file.clone(), xxh3_64(&first) ^ 1))).is_none());
        assert!(Last::open(&index, None).is_none());
        // A span beyond the file's end is dropped: its article is serialised.
        std::fs::write(&file, &first[..first.len() / 2]).unwrap();
        let last = Last::open(&index, Some((file, xxh3_64(&first)))).unwrap();
        let mut third = Vec::new();
        let made = write(&mut third, &archive, &hashes(&archive), Some(&last)).unwrap();
        assert_eq!(third, serde_json::to_vec(&archive).unwrap());
        assert!(made.copied < archive.articles.len() - 1);
    }
}
