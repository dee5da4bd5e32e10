//! Stage 5, link: related articles by shared entities, shared passages and
//! text similarity.
//!
//! Scales with an inverted index: each article is compared only with the
//! articles that share one of its rarer entities (or a passage), never with
//! the whole archive. Entities named by a large share of the archive (the
//! story's main country, say) say little about relatedness and are weighted
//! down by inverse document frequency. Entities and words are interned to
//! integer ids once; articles are scored in parallel.

use std::collections::BTreeSet;

use rayon::prelude::*;

use xxhash_rust::xxh3::xxh3_64;

use crate::memo::{self, Store};
use crate::model::{Article, SharedPassage};
use crate::text::FnvMap;

/// How many related articles each article lists at most.
pub const MAX_RELATED: usize = 5;

/// An entity in more than this many articles (and more than a tenth of the
/// archive, up to [`COMMON_MAX`]) does not by itself make two articles
/// candidates.
const COMMON: usize = 50;

/// The bound on the common-entity threshold, so that the work per article
/// stays bounded however large the archive grows.
const COMMON_MAX: usize = 200;

/// How many entity-ranked candidates are compared by text.
const CANDIDATES: usize = 30;

/// Fills `related` for each non-duplicate article: the best-scoring
/// candidates, best first, ties by id.
pub fn run(articles: &mut [Article], shared: &[SharedPassage], memo: &Store) {
    let live: Vec<usize> = (0..articles.len())
        .filter(|&i| articles[i].duplicate_of.is_none())
        .collect();
    let n = live.len().max(1) as f64;
    // Entity ids are ranks in name order, so each article's sorted ids
    // follow the order of its names.
    let mut names: Vec<&str> = articles
        .par_iter()
        .flat_map_iter(|a| a.mentions.iter().map(|m| m.entity.as_str()))
        .collect();
    names.par_sort_unstable();
    names.dedup();
    let ent_id: FnvMap<&str, u32> = names.iter().copied().zip(0..).collect();
    let ents: Vec<Vec<u32>> = articles
        .par_iter()
        .map(|a| sorted_ids(a.mentions.iter().map(|m| ent_id[m.entity.as_str()])))
        .collect();
    let mut index: Vec<Vec<usize>> = vec![Vec::new(); ent_id.len()];
    for &i in &live {
        for &e in &ents[i] {
            index[e as usize].push(i);
        }
    }
    let common = COMMON.max(live.len() / 10).min(COMMON_MAX);
    let idf: Vec<f64> = index
        .iter()
        .map(|list| (n / list.len().max(1) as f64).ln() + 0.1)
        .collect();
    let pos: FnvMap<&str, usize> = articles.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    // (article, other article) for each passage they share, sorted.
    let mut pairs: Vec<(usize, usize)> = shared
        .par_iter()
        .flat_map_iter(|sp| {
            let occ: BTreeSet<usize> = sp
                .occurrences
                .iter()
                .filter_map(|o| pos.get(o.article.as_str()).copied())
                .collect();
            // Like a common entity, a passage in very many articles is
            // boilerplate, and linking all of them is quadratic.
            let occ: Vec<usize> = if occ.len() > common {
                Vec::new()
            } else {
                occ.into_iter().collect()
            };
            let mut out = Vec::with_capacity(occ.len() * occ.len().saturating_sub(1));
            for &x in &occ {
                for &y in &occ {
                    if x != y {
                        out.push((x, y));
                    }
                }
            }
            out
        })
        .collect();
    pairs.par_sort_unstable();
    // Each pair once, with how many passages it shares.
    let mut passage_links: Vec<((usize, usize), usize)> = Vec::new();
    for p in pairs {
        match passage_links.last_mut() {
            Some((last, n)) if *last == p => *n += 1,
            _ => passage_links.push((p, 1)),
        }
    }
    // Rank of each article id, to break score ties without comparing strings.
    let mut by_id: Vec<usize> = (0..articles.len()).collect();
    by_id.sort_by(|&x, &y| articles[x].id.cmp(&articles[y].id));
    let mut rank = vec![0usize; articles.len()];
    for (r, &i) in by_id.iter().enumerate() {
        rank[i] = r;
    }
    let (words, terms) = content_words(articles, &live, memo);
    let related: Vec<Vec<String>> = live
        .par_iter()
        .map_init(
            || (Scores::new(articles.len()), TermSet(vec![0; terms.div_ceil(64)])),
            |(acc, mine), &i| {
                // Accumulate shared-entity weight over the index: only
                // articles sharing a rarer entity are touched.
                for &e in &ents[i] {
                    let list = &index[e as usize];
                    if list.len() <= common {
                        let w = idf[e as usize];
                        for &j in list {
                            acc.add(j, w);
                        }
                    }
                }
                let from = passage_links.partition_point(|(p, _)| p.0 < i);
                for ((_, j), count) in passage_links[from..].iter().take_while(|(p, _)| p.0 == i) {
                    acc.add(*j, 3.0 * *count as f64);
                }
                let mut scored: Vec<(f64, usize)> = acc
                    .drain()
                    .filter(|&(j, _)| j != i && articles[j].duplicate_of.is_none())
                    .map(|(j, s)| (s, j))
                    .collect();
                // Text similarity refines the best candidates only.
                let by_score = |x: &(f64, usize), y: &(f64, usize)| y.0.total_cmp(&x.0).then(rank[x.1].cmp(&rank[y.1]));
                if scored.len() > CANDIDATES {
                    scored.select_nth_unstable_by(CANDIDATES, by_score);
                    scored.truncate(CANDIDATES);
                }
                scored.sort_by(by_score);
                mine.set(&words[i], true);
                let mut scored: Vec<(f64, usize)> = scored
                    .into_iter()
                    .map(|(s, j)| (s + 10.0 * mine.jaccard(words[i].len(), &words[j]), j))
                    .filter(|(s, _)| *s > 0.0)
                    .collect();
                mine.set(&words[i], false);
                scored.sort_by(by_score);
                scored
                    .into_iter()
                    .take(MAX_RELATED)
                    .map(|(_, j)| articles[j].id.clone())
                    .collect()
            },
        )
        .collect();
    for a in articles.iter_mut() {
        a.related.clear();
    }
    for (&i, r) in live.iter().zip(related) {
        articles[i].related = r;
    }
}

/// Per-article score accumulator over all articles: a dense array (NaN where
/// untouched) and the list of entries touched, so clearing costs only what
/// was used.
struct Scores {
    score: Vec<f64>,
    touched: Vec<usize>,
}

impl Scores {
    fn new(n: usize) -> Scores {
        Scores {
            score: vec![f64::NAN; n],
            touched: Vec::new(),
        }
    }

    fn add(&mut self, j: usize, w: f64) {
        if self.score[j].is_nan() {
            self.score[j] = 0.0;
            self.touched.push(j);
        }
        self.score[j] += w;
    }

    /// The (article, score) pairs accumulated, resetting the accumulator.
    fn drain(&mut self) -> impl Iterator<Item = (usize, f64)> + '_ {
        self.touched
            .drain(..)
            .map(|j| (j, std::mem::replace(&mut self.score[j], f64::NAN)))
    }
}

/// Sorted, deduplicated ids.
fn sorted_ids(ids: impl Iterator<Item = u32>) -> Vec<u32> {
    let mut v: Vec<u32> = ids.collect();
    v.sort_unstable();
    v.dedup();
    v
}

/// The interned set of lower-cased words of five letters or more in the
/// body of each live article (empty for the others), and the number of
/// distinct words. Words are taken as 64-bit hashes, kept in `memo` by the
/// article's text; articles are read in parallel a chunk at a time, so only
/// one chunk's words are held at once.
fn content_words(articles: &[Article], live: &[usize], memo: &Store) -> (Vec<Vec<u32>>, usize) {
    let mut term: FnvMap<u64, u32> = FnvMap::default();
    let mut out = vec![Vec::new(); articles.len()];
    let mut kept = memo.open::<Vec<u64>>("words");
    let key = |&i: &usize| Some(memo::text_key(&articles[i]));
    for chunk in live.chunks(4096) {
        let words = kept.map_mut(&mut chunk.to_vec(), key, |&mut i| words_of(&articles[i]));
        for (&i, list) in chunk.iter().zip(words) {
            out[i] = list
                .into_iter()
                .map(|w| {
                    let next = term.len() as u32;
                    *term.entry(w).or_insert(next)
                })
                .collect();
        }
    }
    kept.finish();
    (out, term.len())
}

/// Hashes of an article's distinct lower-cased words of five letters or
/// more, sorted.
fn words_of(a: &Article) -> Vec<u64> {
    // Lower-casing never gives more characters than the word has bytes, so
    // shorter words are skipped before it.
    let mut w: Vec<u64> = a
        .paragraphs
        .iter()
        .flat_map(|p| p.text.split(|c: char| !c.is_alphanumeric()))
        .filter(|w| w.len() >= 5)
        .filter_map(|w| {
            if w.bytes().all(|b| b.is_ascii_lowercase() || b.is_ascii_digit()) {
                return Some(xxh3_64(w.as_bytes()));
            }
            let w = w.to_lowercase();
            (w.chars().count() >= 5).then(|| xxh3_64(w.as_bytes()))
        })
        .collect();
    w.sort_unstable();
    w.dedup();
    w
}

/// A set of term ids as a bitmap, for counting how many of another
/// article's terms it holds.
struct TermSet(Vec<u64>);

impl TermSet {
    fn set(&mut self, terms: &[u32], on: bool) {
        for &t in terms {
            let (word, bit) = (t as usize / 64, 1u64 << (t % 64));
            if on {
                self.0[word] |= bit;
            } else {
                self.0[word] &= !bit;
            }
        }
    }

    /// Jaccard similarity of this set (holding `len` terms) and `other`.
    fn jaccard(&self, len: usize, other: &[u32]) -> f64 {
        let inter = other
            .iter()
            .filter(|&&t| self.0[t as usize / 64] & (1u64 << (t % 64)) != 0)
            .count();
        let union = len + other.len() - inter;
        if union == 0 {
            0.0
        } else {
            inter as f64 / union as f64
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Mention, Paragraph};

    fn art(id: &str, ents: &[&str], text: &str) -> Article {
        Article {
            id: id.into(),
            paragraphs: vec![Paragraph {
                id: "p1".into(),
                text: text.into(),
                role: None,
            }],
            mentions: ents
                .iter()
                .map(|e| Mention {
                    paragraph: "p1".into(),
                    start: 0,
                    end: 1,
                    entity: (*e).into(),
                })
                .collect(),
            ..Article::default()
        }
    }

    #[test]
    fn shared_rare_entities_make_articles_related() {
        let mut a = vec![
            art("a", &["harbour", "mayor-lind"], "harbour dredging plans approved"),
            art("b", &["harbour", "mayor-lind"], "harbour dredging plans delayed"),
            art("c", &["weather"], "storms expected tomorrow evening"),
        ];
        run(&mut a, &[], &Store::off());
        assert_eq!(a[0].related, ["b"]);
        assert_eq!(a[1].related, ["a"]);
        assert!(a[2].related.is_empty());
    }

    #[test]
    fn duplicates_get_no_related_and_are_not_listed() {
        let mut a = vec![
            art("a", &["x"], "alpha"),
            art("b", &["x"], "alpha"),
            art("c", &["x"], "alpha"),
        ];
        a[2].duplicate_of = Some("b".into());
        run(&mut a, &[], &Store::off());
        assert_eq!(a[0].related, ["b"]);
        assert!(a[2].related.is_empty());
    }

    #[test]
    fn a_passage_in_a_few_articles_links_them_but_boilerplate_in_very_many_does_not() {
        let passage = |ids: &[String]| SharedPassage {
            text: "shared".into(),
            occurrences: ids
                .iter()
                .map(|id| crate::model::Occurrence {
                    article: id.clone(),
                    paragraph: "p1".into(),
                })
                .collect(),
        };
        let ids: Vec<String> = (0..COMMON_MAX + 10).map(|i| format!("a{i:04}")).collect();
        let mut a: Vec<Article> = ids.iter().map(|id| art(id, &[], "")).collect();
        run(&mut a, &[passage(&ids[..2])], &Store::off());
        assert_eq!(a[0].related, [ids[1].clone()]);
        assert!(a[5].related.is_empty());
        // In more articles than the common-entity bound: no links at all.
        run(&mut a, &[passage(&ids)], &Store::off());
        assert!(a.iter().all(|x| x.related.is_empty()));
    }
}
