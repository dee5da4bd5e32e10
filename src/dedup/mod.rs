//! Stage 3, dedup: group duplicate articles and find passages repeated
//! across articles. Duplicates keep their place in the archive with
//! `duplicate_of` set; repeated passages stay in every article's text.
//!
//! Articles: exact duplicates share the hash of their folded body (words
//! only, lower-cased); near-duplicates are found with MinHash over word
//! 5-shingles and LSH banding (no all-pairs comparison), then verified by
//! the exact Jaccard similarity of their shingle sets. Passages: the same,
//! per paragraph, over word 3-shingles, verified by containment (share of
//! the shorter paragraph found in the longer) so a paragraph that gained or
//! lost a clause still matches. A passage's paragraphs all match its first
//! one: paragraphs that each share a sentence with the next are not chained
//! into one passage.

pub mod diff;
pub mod minhash;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::memo::{self, Store};
use crate::model::{Article, DuplicateGroup, Occurrence, SharedPassage};
use minhash::{
    band_key, candidate_pairs, jaccard, lsh_params, mix, word_hashes, word_shingle_set, MinHasher, SetTable, UnionFind,
};

/// How the canonical article of a duplicate group is chosen: criteria
/// applied in order until one decides.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Canonical {
    /// Most words in the cleaned body.
    Longest,
    /// Fewest words in the cleaned body.
    Shortest,
    /// Earliest given publication date (undated last).
    Earliest,
    /// Latest given publication date (undated last).
    Latest,
    /// Input file path, in byte order.
    Path,
    /// Article id, in byte order.
    Id,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Jaccard similarity of word 5-shingles from which two articles are
    /// near-duplicates. 0.5 was chosen by measurement on the BBC corpus:
    /// every pair from 0.55 up was the same story in another version, the
    /// pairs from 0.27 to 0.47 were follow-up or related stories.
    pub threshold: f64,
    /// Words per shingle for article similarity.
    pub shingle_words: usize,
    /// Canonical rule: criteria in order, the last resort always `path`.
    pub canonical: Vec<Canonical>,
    /// Shortest paragraph, in words, that counts as a shared passage.
    pub min_passage_words: usize,
    /// Share of the shorter paragraph's word 3-shingles found in the longer
    /// one from which two paragraphs are the same passage.
    pub passage_threshold: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            threshold: 0.5,
            shingle_words: 5,
            canonical: vec![Canonical::Longest, Canonical::Earliest, Canonical::Path],
            min_passage_words: 8,
            passage_threshold: 0.7,
        }
    }
}

/// MinHash permutations per article signature.
const ARTICLE_PERMS: usize = 128;
/// Permutations per paragraph signature: 16 bands of 2 rows.
const PASSAGE_BANDS: usize = 16;
const PASSAGE_ROWS: usize = 2;
/// Words per shingle for paragraph similarity.
const PASSAGE_SHINGLE: usize = 3;
/// Paragraph pairs below this Jaccard never match, whatever the
/// containment (a sentence inside a long paragraph is not the passage).
const PASSAGE_MIN_JACCARD: f64 = 0.3;
/// LSH buckets larger than this are linked as stars.
const BUCKET_CAP: usize = 64;

/// What dedup found.
#[derive(Debug, Clone, Default)]
pub struct Dedup {
    pub duplicates: Vec<DuplicateGroup>,
    pub shared_passages: Vec<SharedPassage>,
}

/// Finds duplicate articles and shared paragraphs. `articles` must already
/// have their ids; sets `duplicate_of` on every non-canonical member.
pub fn run(articles: &mut [Article], cfg: &Config, memo: &Store) -> Dedup {
    let groups = duplicate_groups(articles, cfg, memo);
    let mut duplicates = Vec::with_capacity(groups.len());
    for (g, members) in groups {
        for m in members {
            if articles[m].id != g.canonical {
                articles[m].duplicate_of = Some(g.canonical.clone());
            }
        }
        duplicates.push(g);
    }
    let shared_passages = shared_passages(articles, cfg);
    Dedup {
        duplicates,
        shared_passages,
    }
}

/// Word hashes of the text compared for an article: its paragraphs, or its
/// title when it has no body.
fn body_words(a: &Article) -> Vec<u64> {
    let mut words = Vec::with_capacity(a.paragraphs.iter().map(|p| p.text.len() / 4).sum());
    if a.paragraphs.iter().all(|p| p.text.trim().is_empty()) {
        word_hashes(&a.title, &mut words);
    } else {
        for p in &a.paragraphs {
            word_hashes(&p.text, &mut words);
        }
    }
    words
}

/// Hash of a folded word sequence (exact match after normalisation), with
/// its length.
fn exact_key(words: &[u64]) -> (u64, usize) {
    let h = words.iter().fold(0x0123_4567_89ab_cdefu64, |h, &w| mix(h ^ w));
    (h, words.len())
}

/// Groups of exact and near-duplicate articles, sorted by canonical id.
/// Each with its member indices.
fn duplicate_groups(articles: &[Article], cfg: &Config, memo: &Store) -> Vec<(DuplicateGroup, Vec<usize>)> {
    let n = articles.len();
    let k = cfg.shingle_words.max(1);
    let threshold = cfg.threshold.clamp(0.0, 1.0);
    let (bands, rows) = lsh_params(threshold, ARTICLE_PERMS);
    let hasher = MinHasher::new(bands * rows);
    // One pass over the bodies: each one's exact key and LSH band keys
    // (article `i`'s at `i * bands..`).
    // Kept in `memo` by the text compared (see [`body_words`]).
    let per_article: Vec<((u64, usize), Vec<u64>)> = memo.map(
        "signatures",
        n,
        |i| {
            let a = &articles[i];
            let texts: Vec<&str> = a.paragraphs.iter().map(|p| p.text.as_str()).collect();
            Some(memo::key(&(&a.title, texts, k, bands, rows)))
        },
        |i| {
            let words = body_words(&articles[i]);
            let mut sig = vec![0u32; hasher.len()];
            hasher.signature(&word_shingle_set(&words, k), &mut sig);
            let slots = (0..bands).map(|b| band_key(&sig, b, rows)).collect();
            (exact_key(&words), slots)
        },
    );
    let mut band_keys = Vec::with_capacity(n * bands);
    let mut keys: Vec<(u64, usize)> = Vec::with_capacity(n);
    for (key, slots) in per_article {
        keys.push(key);
        band_keys.extend(slots);
    }
    let mut uf = UnionFind::new(n);
    // Exact classes: the smallest index of each key is its representative.
    let mut order: Vec<u32> = (0..n as u32).collect();
    order.sort_by_key(|&i| (keys[i as usize], i));
    let mut reps: Vec<u32> = Vec::new();
    for w in 0..order.len() {
        let i = order[w];
        if keys[i as usize].1 == 0 {
            continue; // no words at all: nothing to compare
        }
        if w > 0 && keys[order[w - 1] as usize] == keys[i as usize] {
            uf.union(order[w - 1], i);
        } else {
            reps.push(i);
        }
    }
    reps.sort_unstable();
    // Near duplicates among representatives.
    let shingle_set = |i: u32| word_shingle_set(&body_words(&articles[i as usize]), k);
    let pairs = candidate_pairs(reps.len(), bands, BUCKET_CAP, |r, b| {
        band_keys[reps[r] as usize * bands + b]
    });
    drop(band_keys);
    // Shingle sets of the representatives in some pair, computed once.
    let mut paired: Vec<u32> = pairs.iter().flat_map(|&(x, y)| [x, y]).collect();
    paired.sort_unstable();
    paired.dedup();
    let (sets, _) = SetTable::build(paired.len(), |p| (shingle_set(reps[paired[p] as usize]), ()));
    let set = |x: u32| sets.get(paired.binary_search(&x).expect("paired"));
    let verified: Vec<(u32, u32)> = pairs
        .par_iter()
        .filter(|&&(x, y)| jaccard(set(x), set(y)) >= threshold)
        .map(|&(x, y)| (reps[x as usize], reps[y as usize]))
        .collect();
    drop(sets);
    for (a, b) in verified {
        uf.union(a, b);
    }
    let mut groups: Vec<(DuplicateGroup, Vec<usize>)> = uf
        .groups()
        .into_par_iter()
        .map(|members| {
            let members: Vec<usize> = members.into_iter().map(|m| m as usize).collect();
            let canonical = choose_canonical(articles, &members, &cfg.canonical);
            // Least similar pair among the distinct texts of the group.
            let mut distinct: Vec<usize> = members.clone();
            distinct.sort_by_key(|&i| (keys[i], i));
            distinct.dedup_by_key(|&mut i| keys[i]);
            let sets: Vec<Vec<u64>> = distinct.iter().map(|&i| shingle_set(i as u32)).collect();
            let mut similarity: f64 = 1.0;
            for x in 0..sets.len() {
                for y in x + 1..sets.len() {
                    similarity = similarity.min(jaccard(&sets[x], &sets[y]));
                }
            }
            let mut ids: Vec<String> = members.iter().map(|&i| articles[i].id.clone()).collect();
            ids.sort();
            let group = DuplicateGroup {
                canonical: articles[canonical].id.clone(),
                members: ids,
                similarity: (similarity * 1000.0).round() / 1000.0,
            };
            (group, members)
        })
        .collect();
    groups.sort_by(|a, b| a.0.canonical.cmp(&b.0.canonical));
    groups
}

/// The canonical member by the configured criteria, then `path`, then `id`.
pub fn choose_canonical(articles: &[Article], members: &[usize], rule: &[Canonical]) -> usize {
    let words = |i: usize| -> usize {
        articles[i]
            .paragraphs
            .iter()
            .map(|p| p.text.split_whitespace().count())
            .sum()
    };
    let date = |i: usize| articles[i].date.value.clone();
    let cmp = |&x: &usize, &y: &usize| -> std::cmp::Ordering {
        use std::cmp::Ordering::Equal;
        for c in rule.iter().chain([Canonical::Path, Canonical::Id].iter()) {
            let o = match c {
                Canonical::Longest => words(y).cmp(&words(x)),
                Canonical::Shortest => words(x).cmp(&words(y)),
                Canonical::Earliest => (date(x).is_none(), date(x)).cmp(&(date(y).is_none(), date(y))),
                Canonical::Latest => match (date(x), date(y)) {
                    (Some(a), Some(b)) => b.cmp(&a),
                    (a, b) => a.is_none().cmp(&b.is_none()),
                },
                Canonical::Path => articles[x].source_file.cmp(&articles[y].source_file),
                Canonical::Id => articles[x].id.cmp(&articles[y].id),
            };
            if o != Equal {
                return o;
            }
        }
        Equal
    };
    *members.iter().min_by(|a, b| cmp(a, b)).expect("a group has members")
}

/// One paragraph considered for passages: (article index, paragraph index).
type Item = (u32, u32);

/// Paragraphs occurring, exactly or nearly, in two or more non-duplicate
/// articles; sorted by first occurrence (article id, paragraph number).
fn shared_passages(articles: &[Article], cfg: &Config) -> Vec<SharedPassage> {
    let items: Vec<Item> = articles
        .iter()
        .enumerate()
        .filter(|(_, a)| a.duplicate_of.is_none())
        .flat_map(|(i, a)| {
            a.paragraphs
                .iter()
                .enumerate()
                .filter(|(_, p)| p.role.as_deref() != Some("heading"))
                .map(move |(j, _)| (i as u32, j as u32))
        })
        .collect();
    let text = |it: &Item| articles[it.0 as usize].paragraphs[it.1 as usize].text.as_str();
    // Each paragraph's words are hashed once, for its exact key and, when
    // it is long enough to count, its shingle set and signature.
    let min_words = cfg.min_passage_words.max(1);
    let hasher = MinHasher::new(PASSAGE_BANDS * PASSAGE_ROWS);
    /// A paragraph's exact key, and its signature when it counts.
    type Prints = ((u64, usize), Option<[u32; PASSAGE_BANDS * PASSAGE_ROWS]>);
    let (sets, per_item): (SetTable, Vec<Prints>) = SetTable::build(items.len(), |i| {
        let mut words = Vec::new();
        word_hashes(text(&items[i]), &mut words);
        let key = exact_key(&words);
        if key.1 < min_words {
            return (Vec::new(), (key, None));
        }
        let sh = word_shingle_set(&words, PASSAGE_SHINGLE);
        let mut sig = [0u32; PASSAGE_BANDS * PASSAGE_ROWS];
        hasher.signature(&sh, &mut sig);
        (sh, (key, Some(sig)))
    });
    let keys: Vec<(u64, usize)> = per_item.iter().map(|v| v.0).collect();
    let n = items.len();
    let mut uf = UnionFind::new(n);
    let mut order: Vec<u32> = (0..n as u32).filter(|&i| keys[i as usize].1 >= min_words).collect();
    order.sort_by_key(|&i| (keys[i as usize], i));
    let mut reps: Vec<u32> = Vec::new();
    for w in 0..order.len() {
        if w > 0 && keys[order[w - 1] as usize] == keys[order[w] as usize] {
            uf.union(order[w - 1], order[w]);
        } else {
            reps.push(order[w]);
        }
    }
    reps.sort_unstable();
    // Representative `r`'s signature, and where its shingle set is in `sets`.
    let sig = |r: usize| {
        per_item[reps[r] as usize]
            .1
            .as_ref()
            .expect("a representative is long enough")
    };
    let set = |r: u32| reps[r as usize] as usize;
    let same_passage = |x: u32, y: u32| -> bool {
        let (a, b) = (&items[reps[x as usize] as usize], &items[reps[y as usize] as usize]);
        if a.0 == b.0 || minhash::estimate(sig(x as usize), sig(y as usize)) < PASSAGE_MIN_JACCARD / 2.0 {
            return false;
        }
        let (sa, sb) = (sets.get(set(x)), sets.get(set(y)));
        // Both measures grow with the intersection: an upper bound that
        // fails spares the exact count.
        let passes = |inter: usize| {
            let jaccard = inter as f64 / (sa.len() + sb.len() - inter) as f64;
            jaccard >= PASSAGE_MIN_JACCARD
                && inter as f64 / sa.len().min(sb.len()).max(1) as f64 >= cfg.passage_threshold
        };
        passes(sets.intersection_bound(set(x), set(y))) && passes(minhash::intersection(sa, sb))
    };
    // Candidate pairs from every band, as adjacency lists.
    let pairs = candidate_pairs(reps.len(), PASSAGE_BANDS, BUCKET_CAP, |r, b| {
        band_key(sig(r), b, PASSAGE_ROWS)
    });
    let mut starts = vec![0usize; reps.len() + 1];
    for &(x, _) in &pairs {
        starts[x as usize + 1] += 1;
    }
    for r in 0..reps.len() {
        starts[r + 1] += starts[r];
    }
    // Groups are stars, not chains: in reading order, a paragraph not yet
    // in a group founds one, and every later candidate verified against it
    // joins. Every member is then the same passage as its founder, however
    // long a chain of paragraphs each sharing a sentence with the next.
    // The checks of a block of founders run in parallel against what was
    // grouped before the block; joining then goes in order, skipping what
    // an earlier founder of the block took: the same groups as one by one.
    const BLOCK: usize = 2048;
    let mut grouped = vec![false; reps.len()];
    for block in (0..reps.len()).step_by(BLOCK) {
        let verified: Vec<Vec<u32>> = (block..(block + BLOCK).min(reps.len()))
            .into_par_iter()
            .map(|x| {
                if grouped[x] {
                    return Vec::new();
                }
                let later = pairs[starts[x]..starts[x + 1]]
                    .iter()
                    .map(|&(_, y)| y)
                    .filter(|&y| !grouped[y as usize]);
                later.filter(|&y| same_passage(x as u32, y)).collect()
            })
            .collect();
        for (x, joined) in (block..).zip(verified) {
            if grouped[x] {
                continue;
            }
            for y in joined {
                if !std::mem::replace(&mut grouped[y as usize], true) {
                    uf.union(reps[x], reps[y as usize]);
                }
            }
        }
    }
    let mut passages: Vec<SharedPassage> = uf
        .groups()
        .into_iter()
        .filter_map(|g| {
            let mut occ: Vec<(&str, u32, u32)> = g
                .iter()
                .map(|&m| {
                    let it = items[m as usize];
                    (articles[it.0 as usize].id.as_str(), it.1, it.0)
                })
                .collect();
            occ.sort();
            let distinct = {
                let mut ids: Vec<&str> = occ.iter().map(|o| o.0).collect();
                ids.dedup();
                ids.len()
            };
            (distinct > 1).then(|| {
                // Shown text: the most frequent exact variant, then the
                // shortest, then the first.
                let mut votes: std::collections::BTreeMap<(u64, usize), (usize, usize)> = Default::default();
                for (rank, &m) in g.iter().enumerate() {
                    let e = votes.entry(keys[m as usize]).or_insert((0, rank));
                    e.0 += 1;
                }
                let best = g
                    .iter()
                    .enumerate()
                    .min_by_key(|&(rank, &m)| {
                        let (count, first) = votes[&keys[m as usize]];
                        (std::cmp::Reverse(count), keys[m as usize].1, first, rank)
                    })
                    .map(|(_, &m)| items[m as usize])
                    .expect("a group has members");
                SharedPassage {
                    text: articles[best.0 as usize].paragraphs[best.1 as usize].text.clone(),
                    occurrences: occ
                        .iter()
                        .map(|o| Occurrence {
                            article: o.0.to_string(),
                            paragraph: articles[o.2 as usize].paragraphs[o.1 as usize].id.clone(),
                        })
                        .collect(),
                }
            })
        })
        .collect();
    passages.sort_by(|a, b| {
        let key = |s: &SharedPassage| (s.occurrences[0].article.clone(), para_num(&s.occurrences[0].paragraph));
        key(a).cmp(&key(b))
    });
    passages
}

/// `p12` → 12, for ordering paragraph ids numerically.
pub fn para_num(id: &str) -> usize {
    id.trim_start_matches('p').parse().unwrap_or(usize::MAX)
}
#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Paragraph;

    fn art(id: &str, paras: &[&str]) -> Article {
        Article {
            id: id.into(),
            source_file: format!("in/{id}.txt"),
            paragraphs: Paragraph::numbered(paras),
            ..Article::default()
        }
    }

    const SHARED: &str = "The same background paragraph appears in both of these different articles today.";

    /// A made-up story of `n` distinct sentences about `topic`.
    fn story(topic: &str, n: usize) -> Vec<String> {
        const VOCAB: &[&str] = &[
            "river", "council", "budget", "storm", "school", "minister", "harvest", "court", "bridge", "market",
            "doctor", "festival", "election", "railway", "factory", "museum", "village", "treaty", "winter", "airport",
            "protest", "library", "harbour", "clinic", "garden", "strike", "mayor", "forest",
        ];
        let seed = topic.bytes().fold(7u64, |h, b| minhash::mix(h ^ b as u64));
        (0..n)
            .map(|i| {
                let words: Vec<&str> = (0..12)
                    .map(|j| VOCAB[(minhash::mix(seed ^ (i * 100 + j) as u64) % VOCAB.len() as u64) as usize])
                    .collect();
                format!("The {topic} {}.", words.join(" "))
            })
            .collect()
    }

    fn refs(v: &[String]) -> Vec<&str> {
        v.iter().map(String::as_str).collect()
    }

    #[test]
    fn exact_duplicates_are_grouped_with_a_stable_canonical() {
        let mut arts = vec![
            art("b", &["Alpha beta gamma delta."]),
            art("a", &["Alpha  beta gamma, delta!"]),
            art("c", &["Other words entirely here."]),
        ];
        let d = run(&mut arts, &Config::default(), &Store::off());
        assert_eq!(d.duplicates.len(), 1);
        // Same length, no dates: the first input path wins.
        assert_eq!(d.duplicates[0].canonical, "a");
        assert_eq!(d.duplicates[0].members, ["a", "b"]);
        assert_eq!(d.duplicates[0].similarity, 1.0);
        assert_eq!(arts[0].duplicate_of.as_deref(), Some("a"));
        assert_eq!(arts[1].duplicate_of, None);
        assert_eq!(arts[2].duplicate_of, None);
    }

    #[test]
    fn near_duplicate_with_a_changed_sentence_is_grouped() {
        let base = story("harbour", 20);
        let mut changed = base.clone();
        changed[7] = "A wholly different sentence was written here by another editor later on.".into();
        let other = story("mountain", 20);
        let mut arts = vec![
            art("x", &refs(&base)),
            art("y", &refs(&changed)),
            art("z", &refs(&other)),
        ];
        let d = run(&mut arts, &Config::default(), &Store::off());
        assert_eq!(d.duplicates.len(), 1, "{:?}", d.duplicates);
        let g = &d.duplicates[0];
        assert_eq!(g.members, ["x", "y"]);
        assert!(g.similarity > 0.7 && g.similarity < 1.0, "{}", g.similarity);
        assert_eq!(arts[2].duplicate_of, None);
    }

    #[test]
    fn a_strict_threshold_keeps_near_duplicates_apart() {
        let base = story("harbour", 10);
        let mut changed = base.clone();
        for s in changed.iter_mut().take(4) {
            s.push_str(" Extra words were added here by an editor.");
        }
        let mut arts = vec![art("x", &refs(&base)), art("y", &refs(&changed))];
        let cfg = Config {
            threshold: 0.95,
            ..Config::default()
        };
        assert!(run(&mut arts, &cfg, &Store::off()).duplicates.is_empty());
    }

    #[test]
    fn different_articles_sharing_one_paragraph_are_not_merged() {
        let mut a: Vec<String> = story("harbour", 6);
        a.push(SHARED.into());
        let mut b: Vec<String> = vec![SHARED.into()];
        b.extend(story("mountain", 6));
        let mut arts = vec![art("a", &refs(&a)), art("b", &refs(&b))];
        let d = run(&mut arts, &Config::default(), &Store::off());
        assert!(d.duplicates.is_empty());
        assert_eq!(d.shared_passages.len(), 1);
        let occ: Vec<_> = d.shared_passages[0]
            .occurrences
            .iter()
            .map(|o| (o.article.as_str(), o.paragraph.as_str()))
            .collect();
        assert_eq!(occ, [("a", "p7"), ("b", "p1")]);
    }

    #[test]
    fn near_identical_paragraphs_are_one_passage_and_unrelated_are_not() {
        let p1 = "Government troops advanced into the northern districts of the city on Monday after a long night of heavy shelling.";
        let p2 = "Government troops advanced into the northern districts of the city on Tuesday after a long night of heavy shelling.";
        let p3 = "Government troops advanced into the northern districts of the city on Monday after a long night of heavy shelling, residents said by telephone.";
        let unrelated = "Officials in the capital said the northern districts would receive food aid within a week.";
        let with = |topic: &str, p: &str| {
            let mut v = story(topic, 5);
            v.insert(2, p.to_string());
            v
        };
        let mut arts = vec![
            art("a", &refs(&with("alpha", p1))),
            art("b", &refs(&with("beta", p2))),
            art("c", &refs(&with("gamma", p3))),
            art("d", &refs(&with("delta", unrelated))),
        ];
        let d = run(&mut arts, &Config::default(), &Store::off());
        assert_eq!(d.shared_passages.len(), 1, "{:?}", d.shared_passages);
        let arts_in: Vec<_> = d.shared_passages[0]
            .occurrences
            .iter()
            .map(|o| o.article.as_str())
            .collect();
        assert_eq!(arts_in, ["a", "b", "c"]);
    }

    #[test]
    fn paragraphs_sharing_sentences_one_by_one_are_not_chained_into_one_passage() {
        // Paragraph k holds sentences k..k+4 of one pool: each shares three of
        // its four sentences with the next (the same passage), two with the
        // one after (not the same passage).
        let pool = story("pool", 8);
        let window = |k: usize| pool[k..k + 4].join(" ");
        let mut arts: Vec<Article> = (0..5)
            .map(|k| {
                let mut v = story(&format!("own{k}"), 4);
                v.insert(1, window(k));
                art(&format!("a{k}"), &refs(&v))
            })
            .collect();
        let groups = passage_groups(&mut arts);
        assert!(groups.contains(&vec!["a0".to_string(), "a1".to_string()]), "{groups:?}");
        for g in &groups {
            let k: Vec<usize> = g.iter().map(|id| id[1..].parse().unwrap()).collect();
            assert!(
                k.iter().max().unwrap() - k.iter().min().unwrap() <= 1,
                "chained: {groups:?}"
            );
        }
    }

    #[test]
    fn passages_are_grouped_the_same_across_blocks_of_founders() {
        // As above, but each window article sits among thousands of unrelated
        // paragraphs, so founders and members fall in different blocks.
        let pool = story("pool", 8);
        let window = |k: usize| pool[k..k + 4].join(" ");
        let mut arts: Vec<Article> = Vec::new();
        for i in 0..3000 {
            if i % 700 == 0 {
                let k = i / 700;
                let mut v = story(&format!("own{k}"), 1);
                v.push(window(k));
                arts.push(art(&format!("a{k}"), &refs(&v)));
            }
            let filler: Vec<String> = (0..12).map(|j| format!("w{i}x{j}")).collect();
            arts.push(art(&format!("f{i:04}"), &[&filler.join(" ")]));
        }
        let groups = passage_groups(&mut arts);
        assert_eq!(groups, [["a0", "a1"], ["a2", "a3"]], "{groups:?}");
    }

    /// The articles of each shared passage found in `arts`.
    fn passage_groups(arts: &mut [Article]) -> Vec<Vec<String>> {
        run(arts, &Config::default(), &Store::off())
            .shared_passages
            .iter()
            .map(|s| s.occurrences.iter().map(|o| o.article.clone()).collect())
            .collect()
    }

    #[test]
    fn canonical_choice_is_deterministic_and_configurable() {
        let long = story("harbour", 12);
        let mut short = long.clone();
        short.pop();
        let build = || {
            let mut v = vec![art("m", &refs(&short)), art("k", &refs(&long)), art("z", &refs(&short))];
            v[0].date.value = Some("2016-12-01".into());
            v[2].date.value = Some("2016-11-30".into());
            v
        };
        // Default: the longest text wins.
        let mut arts = build();
        let d = run(&mut arts, &Config::default(), &Store::off());
        assert_eq!(d.duplicates[0].canonical, "k");
        // Reversed input order gives the same choice.
        let mut rev = build();
        rev.reverse();
        assert_eq!(
            run(&mut rev, &Config::default(), &Store::off()).duplicates,
            d.duplicates
        );
        // Earliest first: the undated longest loses to the dated ones.
        let cfg = Config {
            canonical: vec![Canonical::Earliest],
            ..Config::default()
        };
        let mut arts = build();
        assert_eq!(run(&mut arts, &cfg, &Store::off()).duplicates[0].canonical, "z");
        assert_eq!(arts[1].duplicate_of.as_deref(), Some("z"));
    }

    #[test]
    fn canonical_rule_parses_from_toml() {
        let cfg: Config = toml::from_str("canonical = [\"earliest\", \"id\"]\nthreshold = 0.8").unwrap();
        assert_eq!(cfg.canonical, [Canonical::Earliest, Canonical::Id]);
        assert!(toml::from_str::<Config>("canonical = [\"newest\"]").is_err());
    }

    #[test]
    fn empty_articles_are_not_duplicates_of_each_other() {
        let mut a = art("a", &[]);
        a.title = "First".into();
        let mut b = art("b", &[]);
        b.title = "Second".into();
        let mut arts = vec![a, b];
        assert!(run(&mut arts, &Config::default(), &Store::off()).duplicates.is_empty());
    }
}
