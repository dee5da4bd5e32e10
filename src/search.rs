//! The client-side search index: sharded classic scripts that work from
//! file:// (no fetch), loaded on demand by `static/search.js`.
//!
//! Layout under `search/`:
//! - `index.js`: the manifest (stop words, document count, bucket size and the
//!   first term of every term shard).
//! - `t/N.js`: term shards, contiguous ranges of the sorted vocabulary, each
//!   about [`SHARD_BYTES`]. A term maps to `[document frequency, [doc, para,
//!   weight, ...]]`, postings sorted by weight (best first) and capped at
//!   [`MAX_POSTINGS`] so one common term never loads megabytes.
//! - `d/N.js`: document buckets of [`BUCKET`] documents (articles, then
//!   entities): url, title, date, kind and paragraphs (`[id, text]`), used to
//!   show results with a snippet.
//!
//! Every file calls `__dossierSearch(kind, n, data)`. `para` 0 means the title
//! (or an entity's name); paragraph `k` is the article's `k`-th paragraph.
//! Weights: title 10, entity name or alias mentioned in the paragraph 6,
//! word inside a quote +2, plain text 1 per occurrence up to 3. A weight of 6
//! or more is a "strong" (title or entity) match, ranked first.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::path::PathBuf;

use anyhow::Result;
use rayon::prelude::*;
use serde::{Deserialize, Serialize};
use unicode_normalization::char::is_combining_mark;
use unicode_normalization::UnicodeNormalization;

use crate::memo::{self, Store};
use crate::model::{Archive, Article};
use crate::render::{hash_bytes, Output, Sink};
use crate::text::FnvMap as Map;

/// Target size of a term shard in bytes.
pub const SHARD_BYTES: usize = 48 * 1024;
/// Most postings kept per term (the best-weighted ones).
pub const MAX_POSTINGS: usize = 1500;
/// Documents per document bucket.
pub const BUCKET: usize = 8;
/// Longest term indexed, in characters.
const MAX_TERM_CHARS: usize = 40;

const W_TITLE: u32 = 10;
const W_ENTITY: u32 = 6;
const W_QUOTE: u32 = 2;
const W_TEXT_MAX: u32 = 3;
/// Articles whose blocks are built at once before joining the postings.
const ARTICLE_CHUNK: usize = 4096;
/// Articles per block of the index, on average (see [`blocks`]).
const BLOCK: u64 = 256;
/// Tables the postings are gathered in, in parallel (see [`part_of`]).
const PARTS: usize = 8;

/// A term's hash: it finds the term in its part's table, and bits the
/// table does not use (32 and up) choose the part.
fn term_hash(term: &str) -> u64 {
    xxhash_rust::xxh3::xxh3_64(term.as_bytes())
}

/// Which of the [`PARTS`] tables gathers the postings of a term of hash `h`.
fn part_of(h: u64) -> usize {
    ((h >> 32) % PARTS as u64) as usize
}

/// One part's terms with their postings, found by [`term_hash`] (computed
/// once per term and document).
type Part = hashbrown::HashTable<(u64, String, Gathered)>;

/// (document, paragraph, weight).
type Posting = (u32, u32, u32);

/// One document's terms, each with its (paragraph, weight) pairs, held flat:
/// a document has hundreds of terms, and an allocation for each was a
/// tenth of the index's time.
struct Terms {
    text: String,
    /// A term's (start, end) in `text`, and where its pairs end in
    /// `weights` (they start where the previous term's end).
    terms: Vec<(u32, u32, u32)>,
    weights: Vec<(u32, u32)>,
}

impl Terms {
    /// From (term, paragraph, weight) triples sorted by term.
    fn from_sorted(triples: &[(&str, u32, u32)]) -> Terms {
        let mut out = Terms {
            text: String::new(),
            terms: Vec::new(),
            weights: Vec::with_capacity(triples.len()),
        };
        for (i, &(term, k, wt)) in triples.iter().enumerate() {
            if i == 0 || triples[i - 1].0 != term {
                let start = out.text.len() as u32;
                out.text.push_str(term);
                out.terms.push((start, out.text.len() as u32, 0));
            }
            out.weights.push((k, wt));
            if let Some(last) = out.terms.last_mut() {
                last.2 = out.weights.len() as u32;
            }
        }
        out
    }

    fn iter(&self) -> impl Iterator<Item = (&str, &[(u32, u32)])> {
        let mut from = 0;
        self.terms.iter().map(move |&(s, e, end)| {
            let pairs = &self.weights[from..end as usize];
            from = end as usize;
            (&self.text[s as usize..e as usize], pairs)
        })
    }
}

/// The postings of a run of consecutive articles, documents numbered from
/// 0 at the block's first article. A block is kept in the cache by what its
/// articles' terms are made from, so a rebuild gathers an unchanged block
/// without reading its articles again, wherever the block now starts.
#[derive(Clone, Serialize, Deserialize)]
struct Block {
    /// Documents in the block.
    docs: u32,
    /// The terms, sorted, one after another.
    text: String,
    /// Per term: where it ends in `text`, how many documents have it, and
    /// where its postings end in `postings`.
    #[serde(with = "triples")]
    terms: Vec<(u32, u32, u32)>,
    /// Each term's best [`MAX_POSTINGS`] postings, unordered: the best of
    /// the whole index are among the best of each block.
    #[serde(with = "triples")]
    postings: Vec<Posting>,
}

/// Keeps triples of numbers as little-endian bytes: a cached block is read
/// back with a copy, not one varint at a time (a fifth of a rebuild's index).
mod triples {
    use serde::{de::Error, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(list: &[(u32, u32, u32)], s: S) -> Result<S::Ok, S::Error> {
        let bytes: Vec<u8> = list
            .iter()
            .flat_map(|&(a, b, c)| [a, b, c])
            .flat_map(u32::to_le_bytes)
            .collect();
        serde_bytes::serialize(&bytes, s)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<Vec<(u32, u32, u32)>, D::Error> {
        let bytes: serde_bytes::ByteBuf = serde_bytes::deserialize(d)?;
        if !bytes.len().is_multiple_of(12) {
            return Err(D::Error::custom("triples of 4-byte numbers"));
        }
        let num = |b: &[u8]| u32::from_le_bytes(b.try_into().expect("4 bytes"));
        Ok(bytes
            .chunks_exact(12)
            .map(|c| (num(&c[..4]), num(&c[4..8]), num(&c[8..])))
            .collect())
    }
}

impl Block {
    /// The block of `docs`, in order.
    fn new(docs: &[Terms]) -> Block {
        // Terms are numbered as first seen, then laid out in sorted order.
        let mut ids: Map<&str, usize> = Map::default();
        let mut seen: Vec<(&str, u32, usize)> = Vec::new(); // (term, documents, postings)
        let mut pairs: Vec<(usize, Posting)> = Vec::with_capacity(docs.iter().map(|t| t.weights.len()).sum());
        for (d, terms) in docs.iter().enumerate() {
            for (term, list) in terms.iter() {
                let id = *ids.entry(term).or_insert_with(|| {
                    seen.push((term, 0, 0));
                    seen.len() - 1
                });
                seen[id].1 += 1;
                seen[id].2 += list.len();
                pairs.extend(list.iter().map(|&(k, wt)| (id, (d as u32, k, wt))));
            }
        }
        let mut order: Vec<usize> = (0..seen.len()).collect();
        order.sort_unstable_by_key(|&i| seen[i].0);
        let mut start = vec![0; seen.len()];
        let mut at = 0;
        for &i in &order {
            start[i] = at;
            at += seen[i].2;
        }
        let mut flat = vec![(0, 0, 0); at];
        let mut next = start.clone();
        for (id, posting) in pairs {
            flat[next[id]] = posting;
            next[id] += 1;
        }
        let mut block = Block {
            docs: docs.len() as u32,
            text: String::new(),
            terms: Vec::with_capacity(seen.len()),
            postings: Vec::with_capacity(at),
        };
        for i in order {
            let (term, n, len) = seen[i];
            let list = &mut flat[start[i]..start[i] + len];
            if list.len() > MAX_POSTINGS {
                list.select_nth_unstable_by(MAX_POSTINGS, rank);
            }
            block.postings.extend_from_slice(&list[..len.min(MAX_POSTINGS)]);
            block.text.push_str(term);
            block
                .terms
                .push((block.text.len() as u32, n, block.postings.len() as u32));
        }
        block
    }

    /// Each term with the number of documents that have it and its postings.
    fn iter(&self) -> impl Iterator<Item = (&str, u32, &[Posting])> {
        let (mut text_from, mut from) = (0, 0);
        self.terms.iter().map(move |&(end, n, list_end)| {
            let term = &self.text[text_from..end as usize];
            let list = &self.postings[from..list_end as usize];
            (text_from, from) = (end as usize, list_end as usize);
            (term, n, list)
        })
    }
}

/// Cuts articles of the given term keys into blocks: one ends after an
/// article whose key is a multiple of `target`, so an edit, an article
/// added or removed, changes only the block it falls in (merged with the
/// next, or split, when the article's key decides an end), and the blocks
/// of a rebuild are mostly those of the last build; or after `4 * target`
/// articles (rare: then the ends up to the next multiple move too).
fn blocks(keys: &[u64], target: u64) -> Vec<std::ops::Range<usize>> {
    let mut out = Vec::new();
    let mut start = 0;
    for (i, k) in keys.iter().enumerate() {
        if k.is_multiple_of(target) || i + 1 - start >= 4 * target as usize {
            out.push(start..i + 1);
            start = i + 1;
        }
    }
    if start < keys.len() {
        out.push(start..keys.len());
    }
    out
}

/// A term's postings while the index is gathered.
#[derive(Default)]
struct Gathered {
    /// Documents that have the term (each document adds a term once).
    docs: u32,
    /// Its postings, the best [`MAX_POSTINGS`] of them once [`cut_to_best`] ran.
    list: Vec<Posting>,
}

/// Best first: weight, then document and paragraph order (a total order,
/// as a document holds a (term, paragraph) posting once).
fn rank(a: &Posting, b: &Posting) -> std::cmp::Ordering {
    b.2.cmp(&a.2).then(a.0.cmp(&b.0)).then(a.1.cmp(&b.1))
}

/// Keeps the best [`MAX_POSTINGS`] postings, unordered, in linear time
/// (run whenever a list doubles while the index is gathered).
fn cut_to_best(list: &mut Vec<Posting>) {
    if list.len() > MAX_POSTINGS {
        list.select_nth_unstable_by(MAX_POSTINGS, rank);
        list.truncate(MAX_POSTINGS);
    }
}

/// Ranks postings best first and keeps the first [`MAX_POSTINGS`].
fn keep_best(list: &mut Vec<Posting>) {
    cut_to_best(list);
    list.sort_unstable_by(rank);
}

/// Words too common to index; shipped in the manifest so the browser drops
/// the same ones. Sorted (looked up by binary search).
pub const STOP_WORDS: &[&str] = &[
    "a", "about", "after", "all", "also", "an", "and", "any", "are", "as", "at", "be", "been", "but", "by", "can",
    "could", "did", "do", "for", "from", "had", "has", "have", "he", "her", "his", "if", "in", "into", "is", "it",
    "its", "more", "not", "of", "on", "one", "or", "our", "said", "she", "so", "than", "that", "the", "their", "them",
    "there", "they", "this", "to", "was", "we", "were", "what", "when", "which", "who", "will", "with", "would", "you",
];

/// Splits text into search terms: NFKD, combining marks dropped, lower
/// case, runs of letters and digits; single letters, stop words and very
/// long runs dropped. `static/search.js` does exactly the same.
pub fn terms(text: &str) -> Vec<String> {
    split_terms(&fold_terms(text)).map(str::to_string).collect()
}

/// The text as [`split_terms`] reads it: NFKD, combining marks dropped, lower case.
fn fold_terms(text: &str) -> String {
    if text.is_ascii() {
        text.to_ascii_lowercase()
    } else {
        text.nfkd()
            .filter(|c| !is_combining_mark(*c))
            .collect::<String>()
            .to_lowercase()
    }
}

/// The terms of text already folded by [`fold_terms`], borrowed from it.
fn split_terms(folded: &str) -> impl Iterator<Item = &str> {
    folded.split(|c: char| !c.is_alphanumeric()).filter(|t| {
        let n = t.chars().count();
        (2..=MAX_TERM_CHARS).contains(&n) && !is_stop_word(t)
    })
}

/// Whether `t` is in [`STOP_WORDS`]. Most words of a text are short, so
/// this runs for most of them: the words are compared as numbers.
fn is_stop_word(t: &str) -> bool {
    t.len() <= 8 && STOP_WORDS_PACKED.binary_search(&pack(t)).is_ok()
}

/// Up to 8 bytes as a big-endian number, zero-padded: packed words sort as
/// the words do.
const fn pack(w: &str) -> u64 {
    let b = w.as_bytes();
    let mut v = 0u64;
    let mut i = 0;
    while i < 8 {
        v = (v << 8) | if i < b.len() { b[i] as u64 } else { 0 };
        i += 1;
    }
    v
}

/// [`STOP_WORDS`] packed, in the same (sorted) order.
const STOP_WORDS_PACKED: [u64; STOP_WORDS.len()] = {
    let mut packed = [0; STOP_WORDS.len()];
    let mut i = 0;
    while i < STOP_WORDS.len() {
        assert!(STOP_WORDS[i].len() <= 8, "stop words are packed into 8 bytes");
        packed[i] = pack(STOP_WORDS[i]);
        i += 1;
    }
    packed
};

/// One searchable document: an article or an entity.
#[derive(Serialize)]
struct Doc<'a> {
    url: &'a str,
    title: &'a str,
    date: &'a str,
    /// `article` or the entity kind.
    kind: &'a str,
    /// `[id, text]` per paragraph.
    paragraphs: Vec<(&'a str, &'a str)>,
}

/// Sizes of a built index, for reports.
#[derive(Debug, Default, Clone, Copy)]
pub struct Stats {
    pub docs: usize,
    pub terms: usize,
    pub term_shards: usize,
    pub doc_buckets: usize,
    /// Bytes of the files made (not of those the output already held).
    pub bytes: usize,
}

/// Builds the index files (paths under `search/`), all in memory, and their
/// statistics.
pub fn build(archive: &Archive) -> (Vec<Output>, Stats) {
    collect(|files| build_into(archive, &Store::off(), files))
}

/// The files `make` hands to a sink, and what it returns.
fn collect<T>(make: impl FnOnce(&dyn Sink) -> Result<T>) -> (Vec<Output>, T) {
    /// Holds every file it is given.
    struct Collect(std::sync::Mutex<Vec<Output>>);
    impl Sink for Collect {
        fn put(&self, path: PathBuf, _key: u64, bytes: Vec<u8>) -> Result<()> {
            self.0
                .lock()
                .expect("no panic while holding the lock")
                .push((path, bytes));
            Ok(())
        }
    }
    let files = Collect(Default::default());
    let made = make(&files).expect("collecting never fails");
    (files.0.into_inner().expect("no panic while holding the lock"), made)
}

/// Builds the index files, handing each to `sink` as soon as it is made. A
/// document bucket is keyed by the documents it holds, and not made when
/// the sink already holds it; other files are keyed by their bytes. The
/// postings of each block of articles are kept in `memo` (see [`Block`]).
pub fn build_into(archive: &Archive, memo: &Store, sink: &dyn Sink) -> Result<Stats> {
    index_into(archive, memo, sink, BLOCK)
}

/// [`build_into`] with blocks of `block` articles on average.
fn index_into(archive: &Archive, memo: &Store, sink: &dyn Sink, block: u64) -> Result<Stats> {
    let articles: Vec<_> = archive.articles.iter().filter(|a| a.duplicate_of.is_none()).collect();
    let entity_terms: HashMap<&str, Vec<String>> = archive
        .entities
        .iter()
        .map(|e| {
            let mut t = terms(&e.name);
            for a in &e.aliases {
                t.extend(terms(a));
            }
            t.sort();
            t.dedup();
            (e.id.as_str(), t)
        })
        .collect();

    // Per document, in parallel: each term with its (para, weight) pairs.
    let article_terms = |a: &Article| -> Terms {
        // Terms are borrowed from the folded texts, then copied into one buffer.
        let title = fold_terms(&a.title);
        let paras: Vec<String> = a.paragraphs.iter().map(|p| fold_terms(&p.text)).collect();
        let para_no: Map<&str, u32> = a
            .paragraphs
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i as u32 + 1))
            .collect();
        let quotes: Vec<(u32, String)> = a
            .quotes
            .iter()
            .filter_map(|q| Some((*para_no.get(q.paragraph.as_str())?, fold_terms(&q.text))))
            .collect();
        // Sized up front: growing these maps was a tenth of the index's time.
        let words = paras.iter().map(|p| p.len() / 6).sum::<usize>() + 16;
        let mut w: Map<(&str, u32), u32> = Map::with_capacity_and_hasher(words, Default::default());
        for t in split_terms(&title) {
            w.insert((t, 0), W_TITLE);
        }
        let mut tf: Map<&str, u32> = Map::default();
        for (i, text) in paras.iter().enumerate() {
            let k = i as u32 + 1;
            for t in split_terms(text) {
                *tf.entry(t).or_default() += 1;
            }
            for (t, n) in tf.drain() {
                *w.entry((t, k)).or_default() += n.min(W_TEXT_MAX);
            }
        }
        let mut quoted: Vec<(&str, u32)> = quotes
            .iter()
            .flat_map(|(k, text)| split_terms(text).map(move |t| (t, *k)))
            .collect();
        quoted.sort();
        quoted.dedup();
        for key in quoted {
            *w.entry(key).or_default() += W_QUOTE;
        }
        let mut named: Vec<(&str, u32)> = Vec::new();
        for m in &a.mentions {
            if let (Some(&k), Some(ts)) = (para_no.get(m.paragraph.as_str()), entity_terms.get(m.entity.as_str())) {
                named.extend(ts.iter().map(|t| (t.as_str(), k)));
            }
        }
        named.sort();
        named.dedup();
        for key in named {
            let e = w.entry(key).or_default();
            *e = (*e).max(W_ENTITY);
        }
        let mut triples: Vec<(&str, u32, u32)> = w.into_iter().map(|((t, k), wt)| (t, k, wt)).collect();
        triples.sort_unstable();
        Terms::from_sorted(&triples)
    };
    // Postings are ranked below, so the order they are gathered in does not
    // matter. Blocks go in batches: only one batch is held. A term's list is
    // cut back to its best MAX_POSTINGS whenever it doubles (the best of the
    // best so far is the best overall), so common words do not hold every
    // posting until the end. Terms are split between [`PARTS`] tables by a
    // hash, each table filled by one thread, blocks in order; which table
    // holds a term changes nothing in the index.
    let mut parts: Vec<Part> = (0..PARTS).map(|_| Part::new()).collect();
    let add = |parts: &mut [Part], first: u32, blocks: &[Block]| {
        let bases: Vec<u32> = blocks
            .iter()
            .scan(first, |next, b| {
                *next += b.docs;
                Some(*next - b.docs)
            })
            .collect();
        let hashes: Vec<Vec<u64>> = blocks
            .par_iter()
            .map(|b| b.iter().map(|(t, _, _)| term_hash(t)).collect())
            .collect();
        parts.par_iter_mut().enumerate().for_each(|(p, postings)| {
            for ((b, hashes), &base) in blocks.iter().zip(&hashes).zip(&bases) {
                for ((t, docs, list), &h) in b.iter().zip(hashes).filter(|(_, &h)| part_of(h) == p) {
                    // A term is allocated once, when first seen.
                    let g = match postings.entry(h, |e| e.1 == t, |e| e.0) {
                        hashbrown::hash_table::Entry::Occupied(e) => &mut e.into_mut().2,
                        hashbrown::hash_table::Entry::Vacant(e) => {
                            &mut e.insert((h, t.to_string(), Gathered::default())).into_mut().2
                        }
                    };
                    g.docs += docs;
                    g.list.extend(list.iter().map(|&(d, k, wt)| (base + d, k, wt)));
                    if g.list.len() >= 2 * MAX_POSTINGS {
                        cut_to_best(&mut g.list);
                    }
                }
            }
        });
    };
    // An article's terms are made from its title, paragraphs, quotes, and
    // the terms of the entities it mentions.
    let terms_key = |a: &Article| {
        let paras: Vec<(&str, &str)> = a.paragraphs.iter().map(|p| (p.id.as_str(), p.text.as_str())).collect();
        let quotes: Vec<(&str, &str)> = a
            .quotes
            .iter()
            .map(|q| (q.paragraph.as_str(), q.text.as_str()))
            .collect();
        let named: Vec<(&str, Option<&Vec<String>>)> = a
            .mentions
            .iter()
            .map(|m| (m.paragraph.as_str(), entity_terms.get(m.entity.as_str())))
            .collect();
        memo::key(&(&a.title, paras, quotes, named))
    };
    let keys: Vec<u64> = articles.par_iter().map(|a| terms_key(a)).collect();
    let ranges = blocks(&keys, block);
    let mut kept = memo.open::<Block>("search-blocks");
    let mut first = 0;
    for batch in ranges.chunks((ARTICLE_CHUNK / block as usize).max(1)) {
        let made: Vec<Block> = kept.map_mut(
            &mut batch.to_vec(),
            |r| Some(memo::key(&keys[r.clone()])),
            |r| Block::new(&articles[r.clone()].iter().map(|a| article_terms(a)).collect::<Vec<_>>()),
        );
        add(&mut parts, first, &made);
        first += made.iter().map(|b| b.docs).sum::<u32>();
    }
    kept.finish();

    let base = articles.len() as u32;
    let per_entity: Vec<Terms> = archive
        .entities
        .iter()
        .map(|e| {
            let ts = entity_terms.get(e.id.as_str()).map_or(&[][..], |t| &t[..]);
            // `ts` is sorted and without repeats.
            Terms::from_sorted(&ts.iter().map(|t| (t.as_str(), 0, W_TITLE)).collect::<Vec<_>>())
        })
        .collect();
    add(&mut parts, base, &[Block::new(&per_entity)]);
    let mut vocab: Vec<(String, Gathered)> = parts.into_iter().flatten().map(|(_, t, g)| (t, g)).collect();
    vocab.par_sort_unstable_by(|a, b| a.0.cmp(&b.0));

    // Encode every term entry, then cut the sorted vocabulary into shards.
    let encoded: Vec<(String, String)> = vocab
        .into_par_iter()
        .map(|(term, Gathered { docs, mut list })| {
            keep_best(&mut list);
            let mut s = String::with_capacity(list.len() * 10 + term.len() + 16);
            s.push_str(&serde_json::to_string(&term).expect("string serialises"));
            write!(s, ":[{docs},[").expect("writing to a String");
            // itoa, not `write!`: 5% fewer instructions in a 10k rebuild.
            let mut num = itoa::Buffer::new();
            for (i, (d, k, wt)) in list.iter().enumerate() {
                if i > 0 {
                    s.push(',');
                }
                s.push_str(num.format(*d));
                s.push(',');
                s.push_str(num.format(*k));
                s.push(',');
                s.push_str(num.format(*wt));
            }
            s.push_str("]]");
            (term, s)
        })
        .collect();

    let mut firsts: Vec<String> = Vec::new();
    let mut body = String::new();
    let (mut term_shards, mut bytes) = (0, 0);
    let put = |path: String, text: String, key: Option<u64>, bytes: &mut usize| {
        *bytes += text.len();
        let key = key.unwrap_or_else(|| hash_bytes(text.as_bytes()));
        sink.put(PathBuf::from(path), key, text.into_bytes())
    };
    let n_terms = encoded.len();
    for (term, entry) in encoded {
        if !body.is_empty() && body.len() + entry.len() > SHARD_BYTES {
            let text = format!("__dossierSearch(\"terms\",{term_shards},{{{body}}});\n");
            put(format!("search/t/{term_shards}.js"), text, None, &mut bytes)?;
            term_shards += 1;
            body.clear();
        }
        if body.is_empty() {
            firsts.push(term);
        } else {
            body.push(',');
        }
        body.push_str(&entry);
    }
    if !body.is_empty() || term_shards == 0 {
        if body.is_empty() {
            firsts.push(String::new());
        }
        let text = format!("__dossierSearch(\"terms\",{term_shards},{{{body}}});\n");
        put(format!("search/t/{term_shards}.js"), text, None, &mut bytes)?;
        term_shards += 1;
    }

    let mut docs: Vec<Doc> = articles
        .iter()
        .map(|a| Doc {
            url: &a.url,
            title: &a.title,
            date: a.date.value.as_deref().unwrap_or(""),
            kind: "article",
            paragraphs: a.paragraphs.iter().map(|p| (p.id.as_str(), p.text.as_str())).collect(),
        })
        .collect();
    docs.extend(archive.entities.iter().map(|e| Doc {
        url: &e.url,
        title: &e.name,
        date: "",
        kind: &e.kind,
        paragraphs: Vec::new(),
    }));
    let n_docs = docs.len();
    // Buckets are serialised in parallel, a batch at a time; one the output
    // holds already, by the hash of its documents' binary form (much
    // cheaper than their JSON), is not serialised.
    let mut doc_buckets = 0;
    for batch in docs.chunks(BUCKET * 256) {
        let texts: Vec<(u64, Option<String>)> = batch
            .par_chunks(BUCKET)
            .enumerate()
            .map(|(j, chunk)| {
                let n = doc_buckets + j;
                let key = hash_bytes(&bincode::serialize(chunk).expect("docs serialise"));
                let json = (!sink.fresh(&format!("search/d/{n}.js"), key))
                    .then(|| serde_json::to_string(chunk).expect("docs serialise"));
                (key, json)
            })
            .collect();
        for (key, json) in texts {
            if let Some(json) = json {
                let text = format!("__dossierSearch(\"docs\",{doc_buckets},{json});\n");
                put(format!("search/d/{doc_buckets}.js"), text, Some(key), &mut bytes)?;
            }
            doc_buckets += 1;
        }
    }

    let manifest = Manifest {
        docs: n_docs,
        bucket: BUCKET,
        stop: STOP_WORDS,
        shards: &firsts,
    };
    let json = serde_json::to_string(&manifest).expect("manifest serialises");
    put(
        "search/index.js".to_string(),
        format!("__dossierSearch(\"manifest\",0,{json});\n"),
        None,
        &mut bytes,
    )?;
    Ok(Stats {
        docs: n_docs,
        terms: n_terms,
        term_shards,
        doc_buckets,
        bytes,
    })
}

#[derive(Serialize)]
struct Manifest<'a> {
    docs: usize,
    bucket: usize,
    stop: &'a [&'a str],
    /// First term of each shard, in shard order.
    shards: &'a [String],
}

/// Which term shard holds `term`, given the manifest's first terms.
pub fn shard_of(firsts: &[String], term: &str) -> usize {
    firsts.partition_point(|f| f.as_str() <= term).saturating_sub(1)
}

/// Parses one index file back into its kind, number and JSON data (for
/// `dossier check` and tests).
pub fn parse_file(text: &str) -> Option<(String, usize, serde_json::Value)> {
    let inner = text.trim().strip_prefix("__dossierSearch(")?.strip_suffix(");")?;
    let (kind, rest) = inner.split_once(',')?;
    let (n, data) = rest.split_once(',')?;
    let kind: String = serde_json::from_str(kind).ok()?;
    Some((kind, n.parse().ok()?, serde_json::from_str(data).ok()?))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Article, Entity, Mention, Paragraph, Quote};
    use std::path::Path;

    #[test]
    fn terms_fold_case_and_accents_and_drop_stop_words() {
        assert_eq!(
            terms("The Café in São Paulo, 2016!"),
            vec!["cafe", "sao", "paulo", "2016"]
        );
        assert_eq!(terms("a I x"), Vec::<String>::new());
        assert_eq!(terms("Ministry's spokesman"), vec!["ministry", "spokesman"]);
    }

    fn para(id: &str, text: &str) -> Paragraph {
        Paragraph {
            id: id.into(),
            text: text.into(),
            role: None,
        }
    }

    fn sample() -> Archive {
        let a = Article {
            id: "harbour".into(),
            url: "articles/harbour.html".into(),
            title: "Harbour reopens after storm".into(),
            paragraphs: vec![
                para("p1", "Boats returned to the harbour on Monday."),
                para("p2", "Mayor Lena Okafor said \"the quay is safe\" to fishermen."),
            ],
            quotes: vec![Quote {
                paragraph: "p2".into(),
                start: 0,
                end: 1,
                text: "the quay is safe".into(),
                kind: "direct".into(),
                speaker: Some("lena-okafor".into()),
                speaker_mention: None,
            }],
            mentions: vec![Mention {
                paragraph: "p2".into(),
                start: 6,
                end: 17,
                entity: "lena-okafor".into(),
            }],
            ..Article::default()
        };
        let dup = Article {
            id: "harbour-2".into(),
            url: "articles/harbour-2.html".into(),
            title: "Harbour reopens after storm".into(),
            duplicate_of: Some("harbour".into()),
            ..Article::default()
        };
        Archive {
            articles: vec![a, dup],
            entities: vec![Entity {
                id: "lena-okafor".into(),
                name: "Lena Okafor".into(),
                kind: "person".into(),
                aliases: vec!["Mayor Okafor".into()],
                url: "entities/lena-okafor.html".into(),
            }],
            ..Archive::default()
        }
    }

    fn lookup(files: &[Output], term: &str) -> Option<serde_json::Value> {
        let manifest = files.iter().find(|f| f.0 == Path::new("search/index.js")).unwrap();
        let (_, _, m) = parse_file(std::str::from_utf8(&manifest.1).unwrap()).unwrap();
        let firsts: Vec<String> = serde_json::from_value(m["shards"].clone()).unwrap();
        let n = shard_of(&firsts, term);
        let shard = files
            .iter()
            .find(|f| f.0 == Path::new(&format!("search/t/{n}.js")))
            .unwrap();
        let (kind, k, data) = parse_file(std::str::from_utf8(&shard.1).unwrap()).unwrap();
        assert_eq!((kind.as_str(), k), ("terms", n));
        data.get(term).cloned()
    }

    #[test]
    fn stop_words_are_sorted_and_dropped() {
        assert!(STOP_WORDS.windows(2).all(|w| w[0] < w[1]));
        assert!(STOP_WORDS.iter().all(|w| is_stop_word(w)));
        assert!(!["abo", "aboutx", "th", "theirs", "wil", "\u{0}a"]
            .iter()
            .any(|w| is_stop_word(w)));
        assert_eq!(terms("The mayor said it would open"), vec!["mayor", "open"]);
    }

    #[test]
    fn postings_weight_titles_entities_and_quotes() {
        let (files, stats) = build(&sample());
        // One article (the duplicate is skipped) and one entity.
        assert_eq!(stats.docs, 2);
        // Title word: the article's title (para 0, weight 10).
        assert_eq!(
            lookup(&files, "harbour").unwrap(),
            serde_json::json!([1, [0, 0, 10, 0, 1, 1]])
        );
        // Entity alias word in p2 (strong), and the entity document itself.
        assert_eq!(
            lookup(&files, "okafor").unwrap(),
            serde_json::json!([2, [1, 0, 10, 0, 2, 6]])
        );
        // Quoted word: text 1 + quote 2.
        assert_eq!(lookup(&files, "quay").unwrap(), serde_json::json!([1, [0, 2, 3]]));
        assert!(lookup(&files, "the").is_none());
        assert!(lookup(&files, "nonexistent").is_none());
    }

    #[test]
    fn shards_split_by_size_and_stay_sorted() {
        let words: Vec<String> = (0..4000).map(|i| format!("w{i:05}x")).collect();
        let a = Article {
            id: "big".into(),
            url: "articles/big.html".into(),
            title: "Big".into(),
            paragraphs: words
                .chunks(50)
                .enumerate()
                .map(|(i, c)| para(&format!("p{}", i + 1), &c.join(" ")))
                .collect(),
            ..Article::default()
        };
        let archive = Archive {
            articles: vec![a],
            ..Archive::default()
        };
        let (files, stats) = build(&archive);
        assert!(stats.term_shards > 1, "{stats:?}");
        for f in files.iter().filter(|f| f.0.starts_with("search/t")) {
            assert!(
                f.1.len() <= SHARD_BYTES + 1024,
                "{} is {} bytes",
                f.0.display(),
                f.1.len()
            );
        }
        for w in ["w00000x", "w01234x", "w03999x", "big"] {
            assert!(lookup(&files, w).is_some(), "{w} not found in its shard");
        }
    }

    #[test]
    fn common_terms_are_capped_to_their_best_postings() {
        // More articles than the list may grow to before it is cut back; the
        // last ones carry the word in their title too, so the best postings
        // come after the first cut.
        let n = 2 * MAX_POSTINGS + 500;
        let articles: Vec<Article> = (0..n)
            .map(|i| Article {
                id: format!("a{i}"),
                url: format!("articles/a{i}.html"),
                title: if i >= 2 * MAX_POSTINGS {
                    format!("Rain story {i}")
                } else {
                    format!("Story {i}")
                },
                paragraphs: vec![para("p1", "Rain again.")],
                ..Article::default()
            })
            .collect();
        let (files, _) = build(&Archive {
            articles,
            ..Archive::default()
        });
        let rain = lookup(&files, "rain").unwrap();
        assert_eq!(rain[0], n as u64, "document frequency counts every article");
        let flat: Vec<u64> = rain[1]
            .as_array()
            .unwrap()
            .iter()
            .map(|v| v.as_u64().unwrap())
            .collect();
        let got: Vec<&[u64]> = flat.chunks(3).collect();
        assert_eq!(got.len(), MAX_POSTINGS);
        // Title matches first (document order), then the earliest plain matches.
        let titles = (2 * MAX_POSTINGS..n).map(|d| vec![d as u64, 0, W_TITLE as u64]);
        let plain = (0..MAX_POSTINGS - 500).map(|d| vec![d as u64, 1, 1]);
        let want: Vec<Vec<u64>> = titles.chain(plain).collect();
        assert_eq!(got, want.iter().map(Vec::as_slice).collect::<Vec<_>>());
    }

    #[test]
    fn an_index_made_from_kept_blocks_equals_one_made_afresh() {
        let story = |i: usize| Article {
            id: format!("a{i}"),
            url: format!("articles/a{i}.html"),
            title: format!("Story {i} about rain"),
            paragraphs: vec![
                para("p1", &format!("Rain fell on town {i} and river {}.", i % 7)),
                para("p2", &format!("Officials counted {} homes flooded.", i * 3)),
            ],
            ..Article::default()
        };
        let mut archive = sample();
        archive.articles.extend((0..80).map(story));
        let tmp = tempfile::tempdir().unwrap();
        let out = tmp.path().join("site");
        // Blocks of 4 articles on average: many blocks.
        let index = |archive: &Archive, store: &Store| {
            let (mut files, stats) = collect(|sink| index_into(archive, store, sink, 4));
            files.sort();
            (files, stats.docs)
        };
        let store = Store::beside(&out, 1);
        let first = index(&archive, &store);
        assert_eq!(first, index(&archive, &Store::off()));
        assert!(store.counts().1 > 10, "{:?} blocks made", store.counts());

        // An edit, a new duplicate and a removal move the documents after
        // them; an article added in front moves every one.
        archive.articles[10].paragraphs[0].text.push_str(" The dam held.");
        archive.articles[20].duplicate_of = Some("a3".into());
        archive.articles.remove(40);
        archive.articles.insert(0, story(500));
        let store = Store::beside(&out, 1);
        let again = index(&archive, &store);
        assert_eq!(again, index(&archive, &Store::off()));
        assert_ne!(again, first);
        let (reused, computed) = store.counts();
        assert!(
            reused > 0 && computed < reused,
            "{reused} blocks reused, {computed} made"
        );
    }

    #[test]
    fn untrusted_text_stays_inside_json_strings() {
        let mut archive = sample();
        archive.articles[0].paragraphs[0].text = "</script><script>alert(1)</script> \u{2028} \"x\"".into();
        let (files, _) = build(&archive);
        let bucket = files.iter().find(|f| f.0 == Path::new("search/d/0.js")).unwrap();
        let (kind, _, data) = parse_file(std::str::from_utf8(&bucket.1).unwrap()).unwrap();
        assert_eq!(kind, "docs");
        assert_eq!(
            data[0]["paragraphs"][0][1],
            serde_json::json!("</script><script>alert(1)</script> \u{2028} \"x\"")
        );
    }
}
