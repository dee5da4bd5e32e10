//! Events: resolved date mentions grouped into happenings, with conflicts.
//!
//! Mentions with the same date and granularity whose sentences share enough
//! content words (or both report the start of the same kind of happening)
//! are one event with several citations. Two events conflict when they look
//! like the same happening on different dates, or report different
//! percentages of the same thing, and no article reports both; both sides
//! list each other.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::dates::WordRegex;
use super::Dated;
use crate::dedup::minhash::intersection;
use crate::memo::{self, Store};
use crate::model::{Article, Event, Occurrence};
use crate::text::{slugify, FnvMap, FnvSet};
use xxhash_rust::xxh3::xxh3_64;

/// Summaries longer than this many bytes are cut at a word.
const SUMMARY_MAX: usize = 150;

const STOPWORDS: &[&str] = &[
    "the",
    "and",
    "for",
    "that",
    "this",
    "with",
    "from",
    "have",
    "has",
    "had",
    "was",
    "were",
    "are",
    "been",
    "its",
    "their",
    "they",
    "them",
    "his",
    "her",
    "him",
    "she",
    "who",
    "which",
    "what",
    "when",
    "where",
    "while",
    "will",
    "would",
    "could",
    "should",
    "said",
    "says",
    "also",
    "but",
    "not",
    "all",
    "any",
    "out",
    "into",
    "over",
    "after",
    "before",
    "than",
    "then",
    "there",
    "these",
    "those",
    "about",
    "more",
    "most",
    "some",
    "such",
    "only",
    "other",
    "our",
    "your",
    "one",
    "two",
    "can",
    "may",
    "did",
    "does",
    "being",
    "because",
    "since",
    "until",
    "again",
    "very",
    "just",
    "even",
    "still",
    "late",
    "later",
    "early",
    "earlier",
    "last",
    "next",
    "today",
    "tonight",
    "yesterday",
    "year",
    "years",
    "month",
    "months",
    "week",
    "weeks",
    "day",
    "days",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
    "january",
    "february",
    "march",
    "april",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "start",
    "time",
];

fn is_stopword(w: &str) -> bool {
    static SET: OnceLock<FnvSet<&str>> = OnceLock::new();
    SET.get_or_init(|| STOPWORDS.iter().copied().collect()).contains(w)
}

/// Content words of a sentence, cut to five letters (a crude stemmer that
/// folds "forces"/"force" and "controlled"/"control").
pub fn content_words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric())
        .filter(|w| w.len() >= 3 && w.chars().all(|c| c.is_alphabetic()))
        .map(|w| w.to_lowercase())
        .filter(|w| !is_stopword(w))
        .map(|w| {
            let w = super::pubdate::class_of(&w).map(str::to_string).unwrap_or(w);
            w.chars().take(5).collect()
        })
        .collect()
}

fn percent_re() -> &'static WordRegex {
    static RE: OnceLock<WordRegex> = OnceLock::new();
    RE.get_or_init(|| WordRegex::new(r"(?i)\b(\d{1,3}(?:\.\d+)?) ?(?:%|percent\b|per cent\b)"))
}

/// Percentages named in a sentence, as written ("80", "95").
pub fn percentages(s: &str) -> BTreeSet<String> {
    percent_re()
        .for_text(s)
        .captures_iter(s)
        .map(|c| c[1].to_string())
        .collect()
}

/// Words interned to ids, so that word sets are sorted `Vec<u32>`s.
#[derive(Default)]
struct Vocab(FnvMap<String, u32>);

impl Vocab {
    /// The sorted ids of `words`.
    fn ids(&mut self, words: Vec<String>) -> Vec<u32> {
        let mut ids: Vec<u32> = words
            .into_iter()
            .map(|w| {
                let next = self.0.len() as u32;
                *self.0.entry(w).or_insert(next)
            })
            .collect();
        ids.sort_unstable();
        ids
    }
}

/// Whether two sorted id lists share at least `k` ids.
fn shared(a: &[u32], b: &[u32], k: usize) -> bool {
    let (mut i, mut j, mut n) = (0, 0, 0);
    while n < k {
        // Stop as soon as too few ids are left to reach `k`.
        if n + (a.len() - i).min(b.len() - j) < k {
            return false;
        }
        match a[i].cmp(&b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => {
                n += 1;
                i += 1;
                j += 1;
            }
        }
    }
    true
}

/// The same happening: at least `min_shared` shared words, and at least
/// `ratio` of the smaller set's.
fn same_happening(a: &[u32], b: &[u32], min_shared: usize, ratio: f64) -> bool {
    let small = a.len().min(b.len()).max(1);
    let enough = |n: usize| n as f64 / small as f64 >= ratio;
    // The fewest shared words that are enough (`enough` grows with n).
    let mut k = (ratio * small as f64).ceil().max(0.0) as usize;
    while k > 0 && enough(k - 1) {
        k -= 1;
    }
    while !enough(k) {
        k += 1;
    }
    shared(a, b, k.max(min_shared))
}

/// [`same_happening`] for sets of `a` and `b` ids that share `shared` ids.
fn same_happening_counted(shared: usize, a: usize, b: usize, min_shared: usize, ratio: f64) -> bool {
    let small = a.min(b).max(1);
    shared >= min_shared && shared as f64 / small as f64 >= ratio
}

/// A sentence as the event builder sees it.
struct Item<'a> {
    article: usize,
    para: usize,
    sentence: &'a str,
    value: &'a str,
    granularity: &'a str,
    /// Content words, interned.
    words: &'a [u32],
    start_class: Option<&'static str>,
    figures: &'a BTreeSet<String>,
}

/// What the clustering compares of an item, interned to numbers so that a
/// pair is compared without touching its strings.
#[derive(Clone, Copy)]
struct Traits {
    granularity: u32,
    /// Equal for items of the same sentence (article, paragraph and text).
    sentence: u32,
    /// 0 for none.
    start_class: u32,
    /// The set of figures; 0 for none.
    figures: u32,
    /// How many content words.
    words: usize,
}

impl Traits {
    fn of(items: &[Item]) -> Vec<Traits> {
        fn intern<K: std::hash::Hash + Eq>(map: &mut FnvMap<K, u32>, k: K) -> u32 {
            let next = map.len() as u32;
            *map.entry(k).or_insert(next)
        }
        let mut granularities = FnvMap::default();
        let mut sentences = FnvMap::default();
        // Id 0 stands for none.
        let mut classes: FnvMap<Option<&str>, u32> = [(None, 0)].into_iter().collect();
        let none = BTreeSet::new();
        let mut figures: FnvMap<&BTreeSet<String>, u32> = [(&none, 0)].into_iter().collect();
        items
            .iter()
            .map(|it| Traits {
                granularity: intern(&mut granularities, it.granularity),
                sentence: intern(&mut sentences, (it.article, it.para, it.sentence)),
                start_class: intern(&mut classes, it.start_class),
                figures: intern(&mut figures, it.figures),
                words: it.words.len(),
            })
            .collect()
    }
}

/// Shortens a sentence to a summary: trimmed, cut at a word near [`SUMMARY_MAX`].
pub fn summary(sentence: &str) -> String {
    let s = sentence.trim();
    if s.len() <= SUMMARY_MAX {
        return s.to_string();
    }
    let mut cut = SUMMARY_MAX;
    while !s.is_char_boundary(cut) {
        cut -= 1;
    }
    let cut = s[..cut].rfind(' ').unwrap_or(cut);
    format!("{}…", s[..cut].trim_end_matches([',', ';', ':', ' ']))
}

/// What the event builder reads of a sentence: its content words (for a
/// dated sentence, without the date expression), the kind of happening
/// whose start it reports, and the percentages it gives.
#[derive(Clone, Default, Serialize, Deserialize)]
struct Reading<W> {
    words: W,
    start_class: Option<String>,
    figures: BTreeSet<String>,
}

/// An article's sentences as the builder reads them: its dated sentences,
/// in the order given, and every sentence giving a percentage, by
/// paragraph and byte range (an event on the article's day when no date
/// expression is in it).
#[derive(Clone, Default, Serialize, Deserialize)]
struct Readings<W> {
    dated: Vec<Reading<W>>,
    percent: Vec<(u32, u32, u32, Reading<W>)>,
}

/// The [`Readings`] of article `a`, whose dated sentences are `dated`.
fn readings(a: &Article, dated: &[&Dated]) -> Readings<Vec<String>> {
    let dated = dated
        .iter()
        .map(|d| {
            let stripped = format!("{}{}", &d.sentence[..d.span.0], &d.sentence[d.span.1..]);
            Reading {
                words: content_words(&stripped).into_iter().collect(),
                start_class: super::pubdate::start_class(&d.sentence).map(Into::into),
                figures: percentages(&d.sentence),
            }
        })
        .collect();
    let mut percent = Vec::new();
    for (pi, para) in a.paragraphs.iter().enumerate() {
        // A sentence's percentage is one of its paragraph's too (a sentence
        // starts after a space and ends at its paragraph's end or at a stop).
        let re = percent_re().for_text(&para.text);
        if !re.is_match(&para.text) {
            continue;
        }
        for (s, e) in super::sentences(&para.text) {
            let sentence = &para.text[s..e];
            let figures = percentages(sentence);
            if !figures.is_empty() {
                let words = content_words(sentence).into_iter().collect();
                let reading = Reading {
                    words,
                    start_class: None,
                    figures,
                };
                percent.push((pi as u32, s as u32, e as u32, reading));
            }
        }
    }
    Readings { dated, percent }
}

/// Groups dated mentions into events; adds undated sentences that give a
/// percentage as events on the article's publication day (they report the
/// state of things when it was written). What the builder reads of each
/// article's sentences is kept in `memo` by its text key (`text_keys`, see
/// [`memo::text_key`]; `None` for a duplicate) and its dated sentences; the
/// events are kept under a hash of every sentence they are grouped from (an
/// edit that changes no dated or percentage sentence finds them there);
/// when they are made again, [`group`] takes what it can from `memo` too.
pub fn build(articles: &[Article], text_keys: &[Option<u64>], dated: &[Dated], memo: &Store) -> Vec<Event> {
    // Each article's dated sentences, and each one's place among them.
    let mut of_article: Vec<Vec<&Dated>> = vec![Vec::new(); articles.len()];
    let mut slot: Vec<usize> = Vec::with_capacity(dated.len());
    for d in dated {
        slot.push(of_article[d.article].len());
        of_article[d.article].push(d);
    }
    // Read a chunk of articles at a time (from the cache or afresh) and
    // intern their words in order, so only one chunk's strings are held.
    const CHUNK: usize = 4096;
    let mut vocab = Vocab::default();
    let mut read: Vec<Readings<Vec<u32>>> = Vec::with_capacity(articles.len());
    let mut kept = memo.open::<Readings<Vec<String>>>("readings");
    let key = |&i: &usize| {
        let sentences: Vec<(usize, &str, (usize, usize))> = of_article[i]
            .iter()
            .map(|d| (d.para, d.sentence.as_str(), d.span))
            .collect();
        text_keys[i].map(|text| memo::key(&(text, sentences)))
    };
    for start in (0..articles.len()).step_by(CHUNK) {
        let mut chunk: Vec<usize> = (start..(start + CHUNK).min(articles.len())).collect();
        let found = kept.map_mut(&mut chunk, key, |&mut i| {
            if articles[i].duplicate_of.is_some() && of_article[i].is_empty() {
                Readings::default()
            } else {
                readings(&articles[i], &of_article[i])
            }
        });
        let mut intern = |r: Reading<Vec<String>>| Reading {
            words: vocab.ids(r.words),
            start_class: r.start_class,
            figures: r.figures,
        };
        read.extend(found.into_iter().map(|r| Readings {
            dated: r.dated.into_iter().map(&mut intern).collect(),
            percent: r.percent.into_iter().map(|(p, s, e, r)| (p, s, e, intern(r))).collect(),
        }));
    }
    kept.finish();
    // A class of happening is named by a noun of its own (see `class_of`).
    let class = |r: &Reading<Vec<u32>>| r.start_class.as_deref().and_then(super::pubdate::class_of);
    let mut items: Vec<Item> = dated
        .iter()
        .zip(&slot)
        .map(|(d, &k)| {
            let r = &read[d.article].dated[k];
            Item {
                article: d.article,
                para: d.para,
                sentence: &d.sentence,
                value: &d.resolved.value,
                granularity: d.resolved.granularity,
                words: &r.words,
                start_class: class(r),
                figures: &r.figures,
            }
        })
        .collect();
    // Undated sentences with a percentage, dated by their article.
    let dated_sentences: BTreeSet<(usize, usize, &str)> =
        dated.iter().map(|d| (d.article, d.para, d.sentence.as_str())).collect();
    for (i, a) in articles.iter().enumerate() {
        let Some(p) = a.date.value.as_deref().filter(|_| a.duplicate_of.is_none()) else {
            continue;
        };
        for (pi, s, e, r) in &read[i].percent {
            let (pi, s, e) = (*pi as usize, *s as usize, *e as usize);
            let sentence = &a.paragraphs[pi].text[s..e];
            if dated_sentences.contains(&(i, pi, sentence)) {
                continue;
            }
            items.push(Item {
                article: i,
                para: pi,
                sentence,
                value: p,
                granularity: "day",
                words: &r.words,
                start_class: None,
                figures: &r.figures,
            });
        }
    }
    // Deterministic order: date, then article id, paragraph, sentence.
    items.par_sort_by(|a, b| {
        (a.value, &articles[a.article].id, a.para, a.sentence).cmp(&(
            b.value,
            &articles[b.article].id,
            b.para,
            b.sentence,
        ))
    });
    // The words the word ids stand for.
    let mut words: Vec<(&str, u32)> = vocab.0.iter().map(|(w, &id)| (w.as_str(), id)).collect();
    words.sort_unstable_by_key(|w| w.1);
    let words: Vec<&str> = words.into_iter().map(|w| w.0).collect();
    // Each item's hash covers everything the grouping reads of it (with its
    // article's and paragraph's ids, and its words by their own hashes: ids
    // depend on the order words were met in): the events are kept under
    // the hash of them all, a run's groups under its items'.
    let word_hashes: Vec<u64> = words.par_iter().map(|w| xxh3_64(w.as_bytes())).collect();
    let hashes: Vec<u64> = items
        .par_iter()
        .map(|it| {
            let a = &articles[it.article];
            let para = a.paragraphs[it.para].id.as_str();
            let spelt: Vec<u64> = it.words.iter().map(|&w| word_hashes[w as usize]).collect();
            let what = (it.sentence, it.value, it.granularity, it.start_class);
            memo::key(&(a.id.as_str(), para, what, spelt, it.figures))
        })
        .collect();
    let key = memo::key(&hashes);
    let mut events = memo.map(
        "events",
        1,
        |_| Some(key),
        |_| group(articles, &items, &words, &hashes, memo),
    );
    events.pop().expect("one result")
}

/// Events from `items` (sorted by date, then article id, paragraph and
/// sentence; `words` spells their word ids, `hashes` are theirs, see
/// [`build`]): items of one date that report the same happening are one
/// event; events are then checked pairwise for conflicts. The groups of a
/// date's items are kept in `memo` by the items' hashes, and the conflicts
/// found by [`conflicts`].
fn group(articles: &[Article], items: &[Item], words: &[&str], hashes: &[u64], memo: &Store) -> Vec<Event> {
    // Only items of one date and granularity that share content words are
    // compared (items are sorted by date, so a date's items are one run).
    let mut runs: Vec<(usize, usize)> = Vec::new();
    let mut start = 0;
    while start < items.len() {
        let mut end = start + 1;
        while end < items.len() && items[end].value == items[start].value {
            end += 1;
        }
        runs.push((start, end));
        start = end;
    }
    // Each run's items grouped: the group of an item, named by its first
    // item's place in the run.
    let group_of: Vec<Vec<u32>> = memo.map(
        "event-runs",
        runs.len(),
        |r| Some(memo::key(&hashes[runs[r].0..runs[r].1])),
        |r| group_run(&items[runs[r].0..runs[r].1]),
    );
    // Each run's events in order of their first item, each with its id's
    // base and its members (indices into `items`); runs in parallel.
    let made: Vec<Vec<(String, Event, Vec<usize>)>> = runs
        .par_iter()
        .zip(&group_of)
        .map(|(&(start, _), roots)| {
            let mut groups: BTreeMap<u32, Vec<usize>> = BTreeMap::new();
            for (i, &r) in roots.iter().enumerate() {
                groups.entry(r).or_default().push(start + i);
            }
            groups
                .into_values()
                .map(|members| event(articles, items, members))
                .collect()
        })
        .collect();
    // Stable ids: the first free `base`, `base-2`, `base-3`, ... in order of
    // the events' first items; the next suffix to try is kept per base, so
    // many events with one base stay linear.
    let mut used: BTreeSet<String> = BTreeSet::new();
    let mut next_suffix: BTreeMap<String, usize> = BTreeMap::new();
    let mut events: Vec<(Event, Vec<usize>)> = Vec::new();
    for (base, mut e, members) in made.into_iter().flatten() {
        let mut id = base.clone();
        let n = next_suffix.entry(base.clone()).or_insert(2);
        while !used.insert(id.clone()) {
            id = format!("{base}-{n}");
            *n += 1;
        }
        e.id = id;
        events.push((e, members));
    }
    let hits = conflicts(items, &events, words, hashes, memo);
    let mut conflicts: BTreeMap<usize, BTreeSet<usize>> = BTreeMap::new();
    for (i, j) in hits {
        conflicts.entry(i).or_default().insert(j);
        conflicts.entry(j).or_default().insert(i);
    }
    let ids: Vec<String> = events.iter().map(|e| e.0.id.clone()).collect();
    let mut out: Vec<Event> = events
        .into_iter()
        .enumerate()
        .map(|(i, (mut e, _))| {
            let mut c: Vec<String> = conflicts
                .get(&i)
                .map(|s| s.iter().map(|&j| ids[j].clone()).collect())
                .unwrap_or_default();
            c.sort();
            e.conflicts = c;
            e
        })
        .collect();
    out.sort_by(|a, b| (&a.date, &a.id).cmp(&(&b.date, &b.id)));
    out
}

/// The groups of one run of items (one date): for each item, the place in
/// the run of its group's first item. Items are one group when they come
/// from one sentence, or have the same granularity, no different figures,
/// and report the start of the same kind of happening or share enough
/// content words.
fn group_run(items: &[Item]) -> Vec<u32> {
    /// The root of `i` in a union-find forest, halving the path.
    fn root(parent: &mut [usize], mut i: usize) -> usize {
        while parent[i] != i {
            parent[i] = parent[parent[i]];
            i = parent[i];
        }
        i
    }
    let traits = Traits::of(items);
    let words: Vec<&[u32]> = items.iter().map(|it| it.words).collect();
    let pairs = candidate_pairs(&words, 1, None, |i, j, shared| {
        let (a, b) = (&traits[i], &traits[j]);
        if a.granularity != b.granularity {
            return false;
        }
        let same_sentence = a.sentence == b.sentence;
        let same_start = a.start_class != 0 && a.start_class == b.start_class && shared >= 2;
        let figures_differ = a.figures != 0 && b.figures != 0 && a.figures != b.figures;
        same_sentence || (!figures_differ && (same_start || same_happening_counted(shared, a.words, b.words, 3, 0.5)))
    });
    let mut parent: Vec<usize> = (0..items.len()).collect();
    for (i, j) in pairs {
        let (ra, rb) = (root(&mut parent, i), root(&mut parent, j));
        if ra != rb {
            // A root is always its group's first item.
            parent[ra.max(rb)] = ra.min(rb);
        }
    }
    (0..items.len()).map(|i| root(&mut parent, i) as u32).collect()
}

/// The event of `members` (ascending indices into `items`), without its id
/// and conflicts, with the base of its id: the date and the first
/// member's summary.
fn event(articles: &[Article], items: &[Item], members: Vec<usize>) -> (String, Event, Vec<usize>) {
    let first = &items[members[0]];
    let base = format!("{}-{}", first.value, slugify(&summary(first.sentence), 40));
    let base = base.trim_end_matches('-').to_string();
    let citations: BTreeSet<(&str, &str)> = members
        .iter()
        .map(|&m| {
            let it = &items[m];
            let a = &articles[it.article];
            (a.id.as_str(), a.paragraphs[it.para].id.as_str())
        })
        .collect();
    let mut citations: Vec<Occurrence> = citations
        .into_iter()
        .map(|(article, paragraph)| Occurrence {
            article: article.into(),
            paragraph: paragraph.into(),
        })
        .collect();
    citations.sort_by(|a, b| (&a.article, para_num(&a.paragraph)).cmp(&(&b.article, para_num(&b.paragraph))));
    let e = Event {
        id: String::new(),
        date: first.value.into(),
        granularity: first.granularity.into(),
        summary: summary(first.sentence),
        citations,
        conflicts: Vec::new(),
    };
    (base, e, members)
}

/// What the last build's conflict check found: the hash of each event it
/// checked (see [`conflicts`]) and the conflicting pairs, by place in that
/// list; valid for the words that were too common to pair events by.
#[derive(Serialize, Deserialize)]
struct Checked {
    common: u64,
    events: Vec<u64>,
    pairs: Vec<(u32, u32)>,
}

/// Where [`Checked`] is kept (see [`Store::save_side`]).
const CHECKED: &str = "conflicts";

/// The pairs `(i, j)`, `i < j`, of `events` (with their members, indices
/// into `items`) that conflict: on different dates of one granularity or
/// both with figures, no article citing both, and a pair of their members
/// that reads like the same happening on another date or another figure
/// for the same thing.
///
/// Whether two events conflict depends on what the two say, and on which
/// words are in so many events that they do not pair them (see
/// [`candidate_pairs`]). So while those words stay the same, the pairs of
/// two events the last build checked still hold: only the pairs with an
/// event it did not check (by a hash of its members, `hashes` being the
/// items') are looked for. The last build's pairs are kept in a side file
/// of `memo`.
fn conflicts(
    items: &[Item],
    events: &[(Event, Vec<usize>)],
    words: &[&str],
    hashes: &[u64],
    memo: &Store,
) -> Vec<(usize, usize)> {
    // Conflicting events share at least two content words: only such pairs
    // are compared.
    let event_words: Vec<Vec<u32>> = events
        .par_iter()
        .map(|(_, members)| {
            let mut w: Vec<u32> = members.iter().flat_map(|&m| items[m].words.iter().copied()).collect();
            w.sort_unstable();
            w.dedup();
            w
        })
        .collect();
    // The articles citing each event, sorted.
    let event_articles: Vec<Vec<&str>> = events
        .par_iter()
        .map(|(e, _)| {
            let mut a: Vec<&str> = e.citations.iter().map(|c| c.article.as_str()).collect();
            a.sort_unstable();
            a.dedup();
            a
        })
        .collect();
    let has_figures: Vec<bool> = events
        .iter()
        .map(|(_, members)| members.iter().any(|&m| !items[m].figures.is_empty()))
        .collect();
    // Only what a member says matters below (articles citing both events
    // are ruled out first): one member of each event per distinct sentence
    // content, so an event many articles report costs what a few do.
    let distinct: Vec<Vec<usize>> = events
        .par_iter()
        .map(|(_, members)| {
            let mut seen = FnvSet::default();
            members
                .iter()
                .copied()
                .filter(|&m| seen.insert((items[m].words, items[m].start_class, items[m].figures)))
                .collect()
        })
        .collect();
    let event_sets: Vec<&[u32]> = event_words.iter().map(|w| &w[..]).collect();
    let keep = |i: usize, j: usize, _| {
        // The items of an event share its date and granularity.
        let (x, y) = (&items[events[i].1[0]], &items[events[j].1[0]]);
        let dates_differ = x.granularity == y.granularity && x.value != y.value;
        if !(dates_differ || has_figures[i] && has_figures[j]) {
            return false;
        }
        // An article that reports both tells them apart itself.
        if !disjoint(&event_articles[i], &event_articles[j]) {
            return false;
        }
        distinct[i].iter().any(|&a| {
            distinct[j].iter().any(|&b| {
                let (x, y) = (&items[a], &items[b]);
                let other_date = dates_differ
                    && ((x.start_class.is_some() && x.start_class == y.start_class && shared(x.words, y.words, 2))
                        || same_happening(x.words, y.words, 4, 0.6));
                let other_figure = !x.figures.is_empty()
                    && !y.figures.is_empty()
                    && x.figures != y.figures
                    && shared(x.words, y.words, 3);
                other_date || other_figure
            })
        })
    };
    if !memo.keeps() {
        return candidate_pairs(&event_sets, 2, None, keep);
    }
    // What decides a pair: the words too common to pair events by, spelt
    // out, and each event's members.
    let mut counts = vec![0usize; words.len()];
    for w in event_words.iter().flatten() {
        counts[*w as usize] += 1;
    }
    let mut common: Vec<&str> = (0..words.len())
        .filter(|&w| counts[w] > COMMON)
        .map(|w| words[w])
        .collect();
    common.sort_unstable();
    let common = memo::key(&common);
    let event_hashes: Vec<u64> = events
        .par_iter()
        .map(|(_, members)| memo::key(&members.iter().map(|&m| hashes[m]).collect::<Vec<_>>()))
        .collect();
    // The events by hash; a hash two of them share is checked afresh.
    let mut place: FnvMap<u64, Option<usize>> = FnvMap::default();
    for (i, &h) in event_hashes.iter().enumerate() {
        place.entry(h).and_modify(|p| *p = None).or_insert(Some(i));
    }
    let last = memo
        .load_side(CHECKED)
        .and_then(|bytes| bincode::deserialize::<Checked>(&bytes).ok())
        .filter(|c| c.common == common);
    let pairs = match last {
        None => candidate_pairs(&event_sets, 2, None, keep),
        Some(last) => {
            let mut seen: FnvMap<u64, usize> = FnvMap::default();
            for &h in &last.events {
                *seen.entry(h).or_default() += 1;
            }
            // Where each event the last build checked is now.
            let now: Vec<Option<usize>> = last
                .events
                .iter()
                .map(|h| place.get(h).copied().flatten().filter(|_| seen[h] == 1))
                .collect();
            let mut fresh = vec![true; events.len()];
            for &i in now.iter().flatten() {
                fresh[i] = false;
            }
            let mut pairs = candidate_pairs(&event_sets, 2, Some(&fresh), keep);
            for &(a, b) in &last.pairs {
                if let (Some(Some(i)), Some(Some(j))) = (now.get(a as usize), now.get(b as usize)) {
                    pairs.push((*i.min(j), *i.max(j)));
                }
            }
            pairs.sort_unstable();
            pairs.dedup();
            pairs
        }
    };
    let checked = Checked {
        common,
        events: event_hashes,
        pairs: pairs.iter().map(|&(i, j)| (i as u32, j as u32)).collect(),
    };
    // Without it the next build checks every pair.
    if let Ok(bytes) = bincode::serialize(&checked) {
        let _ = memo.save_side(CHECKED, &bytes);
    }
    pairs
}

/// Whether two sorted lists have no element in common.
fn disjoint(a: &[&str], b: &[&str]) -> bool {
    let (mut i, mut j) = (0, 0);
    while i < a.len() && j < b.len() {
        match a[i].cmp(b[j]) {
            std::cmp::Ordering::Less => i += 1,
            std::cmp::Ordering::Greater => j += 1,
            std::cmp::Ordering::Equal => return false,
        }
    }
    true
}

/// Pairs `(i, j)`, `i < j`, of sorted id sets sharing at least `min_shared`
/// ids that are not too common, for which `keep(i, j, shared)` holds, in
/// order; `shared` counts every id the two sets share, common ones
/// included. With `fresh`, only the pairs with at least one fresh set.
/// Found through an inverted index instead of comparing all pairs, in
/// parallel. Ids in more than [`COMMON`] sets are too common to pair sets
/// by.
fn candidate_pairs(
    sets: &[&[u32]],
    min_shared: usize,
    fresh: Option<&[bool]>,
    keep: impl Fn(usize, usize, usize) -> bool + Sync,
) -> Vec<(usize, usize)> {
    let mut index: FnvMap<u32, Vec<u32>> = FnvMap::default();
    for (i, set) in sets.iter().enumerate() {
        for &w in set.iter() {
            index.entry(w).or_default().push(i as u32);
        }
    }
    // The common ids of each set, in order: the ids of set `i` are
    // `common[common_at[i]..common_at[i + 1]]`.
    let mut common: Vec<u32> = Vec::new();
    let mut common_at: Vec<usize> = vec![0];
    for set in sets {
        common.extend(set.iter().copied().filter(|w| index[w].len() > COMMON));
        common_at.push(common.len());
    }
    let common_of = |i: usize| &common[common_at[i]..common_at[i + 1]];
    // Each pair is found from its first set, or with `fresh` from its
    // first fresh one.
    let is_fresh = |i: usize| fresh.is_some_and(|f| f[i]);
    let from: Vec<usize> = (0..sets.len()).filter(|&i| fresh.is_none() || is_fresh(i)).collect();
    let mut pairs: Vec<(usize, usize)> = from
        .into_par_iter()
        .map_init(
            // Shared ids with each other set, and the sets counted.
            || (vec![0u32; sets.len()], Vec::new()),
            |(counts, seen), i| {
                for w in sets[i] {
                    let list = &index[w];
                    if list.len() > COMMON {
                        continue;
                    }
                    // Each list is ascending: the later sets follow `i`.
                    let later = list.partition_point(|&j| j as usize <= i);
                    // With `fresh`, the earlier sets too, but for fresh
                    // ones (`i` among them): their pairs are found from them.
                    let earlier = if fresh.is_some() { &list[..later] } else { &[] };
                    let earlier = earlier.iter().filter(|&&j| !is_fresh(j as usize));
                    for &j in earlier.chain(&list[later..]) {
                        let j = j as usize;
                        if counts[j] == 0 {
                            seen.push(j);
                        }
                        counts[j] += 1;
                    }
                }
                let mut out = Vec::new();
                for &j in seen.iter() {
                    let rare = counts[j] as usize;
                    counts[j] = 0;
                    let (a, b) = (i.min(j), i.max(j));
                    if rare >= min_shared && keep(a, b, rare + intersection(common_of(a), common_of(b))) {
                        out.push((a, b));
                    }
                }
                seen.clear();
                out
            },
        )
        .flatten_iter()
        .collect();
    pairs.par_sort_unstable();
    pairs
}

/// See [`candidate_pairs`].
const COMMON: usize = 400;

fn para_num(id: &str) -> usize {
    id.trim_start_matches('p').parse().unwrap_or(usize::MAX)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chronology::dates::{Day, Resolved};
    use crate::model::Paragraph;

    fn article(id: &str, date: &str, text: &str) -> Article {
        let mut a = Article {
            id: id.into(),
            paragraphs: vec![Paragraph {
                id: "p1".into(),
                text: text.into(),
                role: None,
            }],
            ..Default::default()
        };
        a.date.value = Some(date.into());
        a
    }

    /// The text keys `build` takes (see `chronology::run`).
    fn keys(arts: &[Article]) -> Vec<Option<u64>> {
        arts.iter()
            .map(|a| a.duplicate_of.is_none().then(|| memo::text_key(a)))
            .collect()
    }

    fn dated(article: usize, sentence: &str, mention: &str, value: &str) -> Dated {
        let start = sentence.find(mention).unwrap();
        let day = Day::parse(value).unwrap();
        Dated {
            article,
            para: 0,
            sentence: sentence.into(),
            text: mention.into(),
            span: (start, start + mention.len()),
            resolved: Resolved {
                first: day,
                value: value.into(),
                granularity: "day",
            },
            future: false,
            in_quote: false,
        }
    }

    #[test]
    fn same_happening_in_two_articles_is_one_event() {
        let s1 = "Army units captured the northern bridge over the river on Monday after heavy shelling.";
        let s2 = "On Monday army units captured the northern bridge over the river, residents said.";
        let s3 = "The health minister opened a clinic in the capital on Monday.";
        let arts = [
            article("a", "2017-03-08", s1),
            article("b", "2017-03-08", s2),
            article("c", "2017-03-08", s3),
        ];
        let d = [
            dated(0, s1, "on Monday", "2017-03-06"),
            dated(1, s2, "On Monday", "2017-03-06"),
            dated(2, s3, "on Monday", "2017-03-06"),
        ];
        let ev = build(&arts, &keys(&arts), &d, &Store::off());
        assert_eq!(ev.len(), 2, "{ev:#?}");
        let bridge = ev.iter().find(|e| e.summary.contains("bridge")).unwrap();
        assert_eq!(bridge.citations.len(), 2);
        assert!(ev.iter().all(|e| e.conflicts.is_empty()));
    }

    /// Events taken from the cache are those the sentences give: the same
    /// sentences find them there, and a changed dated or percentage
    /// sentence, or another article's text around them, gives what a build
    /// without a cache gives.
    #[test]
    fn cached_events_follow_their_sentences() {
        let s1 = "Army units captured the northern bridge over the river on Monday after heavy shelling.";
        let s2 = "On Monday army units captured the northern bridge over the river, residents said.";
        let s3 = "Rebels lost 40% of the old city by Tuesday.";
        let tmp = tempfile::tempdir().unwrap();
        let store = || Store::beside(&tmp.path().join("site"), 1);
        let case = |s2: &str, mention: &str, value: &str, extra: &str| {
            let arts = vec![
                article("a", "2017-03-08", &format!("{s1} {extra}")),
                article("b", "2017-03-08", &format!("{s2} {s3}")),
            ];
            let d = vec![dated(0, s1, "on Monday", "2017-03-06"), dated(1, s2, mention, value)];
            (arts, d)
        };
        let run = |(arts, d): &(Vec<Article>, Vec<Dated>)| {
            let cached = store();
            let ev = build(arts, &keys(arts), d, &cached);
            assert_eq!(ev, build(arts, &keys(arts), d, &Store::off()));
            (ev, cached.counts())
        };
        let base = case(s2, "On Monday", "2017-03-06", "");
        let (first, _) = run(&base);
        let (again, counts) = run(&base);
        // Counts: each article's readings of its sentences, then the events.
        assert_eq!((again, counts), (first.clone(), (3, 0)));
        // A sentence with no date or figure added elsewhere: that article is
        // read again, the events come from the cache.
        let (_, counts) = run(&case(s2, "On Monday", "2017-03-06", "Residents left the area."));
        assert_eq!(counts, (2, 1));
        // Another date for the same sentence, or another percentage: the
        // events made again, and the groups of the two dates whose
        // sentences changed; the groups of the day of the percentage come
        // from the cache, as do the second article's readings. (The first
        // article is read again: its text is back to the one before the
        // last build, which kept only what it used.)
        let (moved, counts) = run(&case(s2, "On Monday", "2017-03-13", ""));
        assert_eq!(counts, (2, 4));
        assert_ne!(moved, first);
        let (figure, _) = run(&case(
            s2,
            "On Monday",
            "2017-03-06",
            "Rebels lost 60% of the old city by Tuesday.",
        ));
        assert_ne!(figure, first);
    }

    #[test]
    fn different_dates_and_figures_conflict_both_ways() {
        let s1 = "Government troops started a major offensive on the besieged eastern half of the city on 15 May.";
        let s2 = "Government troops started a major offensive on the besieged eastern half of the city on 15 June.";
        let s3 = "The militia has lost 70% of the territory it held in the northern valley.";
        let s4 = "By Friday the militia had lost 85% of the territory it held in the valley.";
        let arts = [
            article("a", "2017-07-01", &format!("{s1} {s3}")),
            article("b", "2017-07-02", &format!("{s2} {s4}")),
        ];
        let d = [
            dated(0, s1, "on 15 May", "2017-05-15"),
            dated(1, s2, "on 15 June", "2017-06-15"),
            dated(1, s4, "By Friday", "2017-06-30"),
        ];
        let ev = build(&arts, &keys(&arts), &d, &Store::off());
        let may = ev.iter().find(|e| e.date == "2017-05-15").unwrap();
        let june = ev.iter().find(|e| e.date == "2017-06-15").unwrap();
        assert_eq!(may.conflicts, vec![june.id.clone()]);
        assert_eq!(june.conflicts, vec![may.id.clone()]);
        // The undated 70% sentence is an event on its article's day, in conflict with 85%.
        let seventy = ev.iter().find(|e| e.summary.contains("70%")).unwrap();
        assert_eq!(seventy.date, "2017-07-01");
        let eighty_five = ev.iter().find(|e| e.summary.contains("85%")).unwrap();
        assert!(seventy.conflicts.contains(&eighty_five.id));
        assert!(eighty_five.conflicts.contains(&seventy.id));
        // Sorted by date then id.
        assert!(ev.windows(2).all(|w| (&w[0].date, &w[0].id) <= (&w[1].date, &w[1].id)));
    }

    /// The conflicts of a build with the last build's check at hand are
    /// those a build without it finds: pairs of unchanged events kept
    /// (though others came and went before them), pairs with a changed or
    /// new event found, pairs with a removed one gone.
    #[test]
    fn conflicts_checked_again_are_those_found_afresh() {
        let offensive = |day: &str| {
            format!("Government troops started a major offensive on the besieged eastern half of the city on {day}.")
        };
        let harvest = |n: u32| format!("Officials said {n}% of the wheat harvest in the south was lost to drought.");
        // (id, publication day, text, the date mention in it and its day)
        type Spec = (&'static str, &'static str, String, Option<(&'static str, &'static str)>);
        let build_all = |specs: &[Spec], memo: &Store| {
            let arts: Vec<Article> = specs.iter().map(|(id, day, text, _)| article(id, day, text)).collect();
            let d: Vec<Dated> = specs
                .iter()
                .enumerate()
                .filter_map(|(i, (_, _, text, m))| m.map(|(mention, value)| dated(i, text, mention, value)))
                .collect();
            let ev = build(&arts, &keys(&arts), &d, memo);
            assert_eq!(ev, build(&arts, &keys(&arts), &d, &Store::off()));
            ev
        };
        let pairs = |ev: &[Event]| -> usize { ev.iter().map(|e| e.conflicts.len()).sum::<usize>() / 2 };
        let tmp = tempfile::tempdir().unwrap();
        let memo = || Store::beside(&tmp.path().join("site"), 1);
        let first: Vec<Spec> = vec![
            (
                "a",
                "2017-07-01",
                offensive("15 May"),
                Some(("on 15 May", "2017-05-15")),
            ),
            (
                "b",
                "2017-07-02",
                offensive("15 June"),
                Some(("on 15 June", "2017-06-15")),
            ),
            ("c", "2017-07-03", harvest(30), None),
            ("d", "2017-07-04", harvest(45), None),
            ("e", "2017-07-05", harvest(60), None),
        ];
        let ev = build_all(&first, &memo());
        // May against June; 30%, 45% and 60% each against the other two.
        assert_eq!(pairs(&ev), 4, "{ev:#?}");
        // The June article now says July, a new article says 20 May, the
        // 30% one is gone: the harvest pair left is one the last build
        // found, between events that moved.
        let second: Vec<Spec> = vec![
            (
                "a",
                "2017-07-01",
                offensive("15 May"),
                Some(("on 15 May", "2017-05-15")),
            ),
            (
                "aa",
                "2017-07-01",
                offensive("20 May"),
                Some(("on 20 May", "2017-05-20")),
            ),
            (
                "b",
                "2017-07-02",
                offensive("15 July"),
                Some(("on 15 July", "2017-07-15")),
            ),
            ("d", "2017-07-04", harvest(45), None),
            ("e", "2017-07-05", harvest(60), None),
        ];
        let ev = build_all(&second, &memo());
        assert_eq!(pairs(&ev), 4, "{ev:#?}");
        // Back to the first: the removed event's pairs found again.
        assert_eq!(pairs(&build_all(&first, &memo())), 4);
    }

    #[test]
    fn shared_words_count_against_thresholds() {
        let (a, b) = ([1, 2, 3, 4, 5], [1, 2, 3, 4, 9, 10, 11]);
        assert!(shared(&a, &b, 4) && !shared(&a, &b, 5) && shared(&[], &[], 0));
        // 4 shared of the smaller set's 5: 0.8.
        assert!(same_happening(&a, &b, 4, 0.6));
        assert!(!same_happening(&a, &b, 4, 0.9));
        assert!(!same_happening(&a, &b, 5, 0.5));
        assert!(!same_happening(&[], &b, 0, 0.5));
        assert_eq!(
            candidate_pairs(&[&a[..], &b[..], &[9, 10]], 2, None, |_, _, _| true),
            [(0, 1), (1, 2)]
        );
        assert_eq!(
            candidate_pairs(&[&a[..], &b[..], &[9, 10]], 2, None, |i, _, _| i > 0),
            [(1, 2)]
        );
        assert_eq!(
            candidate_pairs(&[&a[..], &b[..], &[9, 10]], 2, None, |_, _, n| n == 4),
            [(0, 1)]
        );
        assert_eq!(intersection(&a, &b), 4);
    }

    #[test]
    fn common_ids_count_as_shared_but_do_not_pair_sets() {
        // Id 0 is in more than COMMON sets; sets 0 and 1 also share id 7.
        let sets: Vec<Vec<u32>> = (0..=COMMON as u32)
            .map(|i| if i < 2 { vec![0, 7] } else { vec![0, 100 + i] })
            .collect();
        let sets: Vec<&[u32]> = sets.iter().map(|s| &s[..]).collect();
        let seen = std::sync::Mutex::new(Vec::new());
        let pairs = candidate_pairs(&sets, 1, None, |i, j, n| {
            seen.lock().unwrap().push((i, j, n));
            true
        });
        assert_eq!(pairs, [(0, 1)]);
        assert_eq!(seen.into_inner().unwrap(), [(0, 1, 2)]);
    }

    proptest::proptest! {
        #[test]
        fn counted_same_happening_agrees_with_the_sets(
            a in proptest::collection::btree_set(0u32..30, 0..12),
            b in proptest::collection::btree_set(0u32..30, 0..12),
            min_shared in 0usize..5,
            ratio in proptest::sample::select(vec![0.0, 0.3, 0.5, 0.6, 1.0]),
        ) {
            let (a, b): (Vec<u32>, Vec<u32>) = (a.into_iter().collect(), b.into_iter().collect());
            proptest::prop_assert_eq!(
                same_happening_counted(intersection(&a, &b), a.len(), b.len(), min_shared, ratio),
                same_happening(&a, &b, min_shared, ratio)
            );
        }
    }

    #[test]
    fn summaries_are_cut_at_a_word() {
        let long = "word ".repeat(60);
        let s = summary(&long);
        assert!(s.len() <= SUMMARY_MAX + 3 && s.ends_with('…'));
        assert_eq!(summary("  Short one.  "), "Short one.");
    }
}
