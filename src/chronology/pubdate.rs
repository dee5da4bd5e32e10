//! Publication dates inferred from the text, for articles that were given none.
//!
//! Every date expression is a constraint on the publication day P once it
//! is resolved against P: what the text reports in the past tense lies on or
//! before P, a weekday written with a day of the month must fall on that
//! weekday, the latest past weekday ("said on Thursday") lies at most
//! [`RECENT`] days before P and the oldest at most [`WEEK_SPAN`], a future one ("would begin on Wednesday")
//! at most [`RECENT`] + 1 days after it. Two clues tie P to the start of a
//! happening dated elsewhere: an age ("the three-week-old assault") and a
//! relative start ("the offensive began last month"). The candidate days
//! that satisfy everything form runs; the first run is the window.
//!
//! A corpus on one story shares a time frame, so what one article dates can
//! serve another: the year of yearless dates, the start of an offensive.
//! A full date opening the article is a dateline and wins outright.
//! Other articles are inferred in three passes: those whose own text fixes the
//! year; those that need the corpus (when several runs remain, the one
//! nearest the corpus's latest dated article wins); and those without any
//! dated evidence, which get the corpus's time frame as their window.

use std::collections::{BTreeMap, BTreeSet};
use std::sync::OnceLock;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use super::dates::{self, Day, Expr, Unit, WordRegex};
use super::events::content_words;
use super::Located;
use crate::memo::{self, Store};
use crate::model::Article;

/// Most days between the latest past weekday named and publication.
pub const RECENT: i64 = 2;
/// Most days between the oldest past weekday named and publication: the
/// weekdays of a news story fall in the days just before it, so a "Tuesday"
/// six days back from a Monday is less likely than a Monday after a Tuesday.
pub const WEEK_SPAN: i64 = 5;

/// Kinds of happening whose start is a useful fact, by the nouns naming them.
pub fn class_of(word: &str) -> Option<&'static str> {
    // Lowercased on the stack: no class noun is longer than the buffer.
    let mut buf = [0u8; 16];
    let lower = buf.get_mut(..word.len())?;
    lower.copy_from_slice(word.as_bytes());
    lower.make_ascii_lowercase();
    Some(match std::str::from_utf8(lower).ok()? {
        "offensive" | "assault" | "operation" | "campaign" | "attack" | "push" | "battle" | "bombardment" => {
            "offensive"
        }
        "war" | "conflict" | "revolution" | "uprising" | "crisis" => "war",
        "siege" | "blockade" => "siege",
        "talks" | "negotiations" => "talks",
        "truce" | "ceasefire" => "ceasefire",
        _ => return None,
    })
}

const START_VERBS: &[&str] = &[
    "started",
    "start",
    "began",
    "begun",
    "begin",
    "launched",
    "launching",
    "launch",
    "beginning",
    "opened",
    "started,",
];

fn words(s: &str) -> Vec<&str> {
    s.split(|c: char| !c.is_alphanumeric() && c != '-')
        .filter(|w| !w.is_empty())
        .collect()
}

/// Class of a sentence that reports the start of a happening, if it does.
/// The noun must stand near the verb: "the offensive began", "started a
/// wide military operation", "the start of the revolution".
pub fn start_class(sentence: &str) -> Option<&'static str> {
    // Most sentences hold no start verb: a search for any of them (a verb
    // word is also a substring) spares splitting them into words.
    static VERBS: OnceLock<aho_corasick::AhoCorasick> = OnceLock::new();
    let verbs = VERBS.get_or_init(|| {
        aho_corasick::AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .build(START_VERBS)
            .expect("the start verbs make an automaton")
    });
    if !verbs.is_match(sentence) {
        return None;
    }
    let w = words(sentence);
    w.iter().enumerate().find_map(|(v, x)| {
        if !START_VERBS.iter().any(|v| v.eq_ignore_ascii_case(x)) {
            return None;
        }
        let lo = v.saturating_sub(3);
        let hi = (v + 5).min(w.len());
        w[lo..hi].iter().find_map(|n| class_of(n))
    })
}

fn duration_re() -> &'static WordRegex {
    static RE: OnceLock<WordRegex> = OnceLock::new();
    RE.get_or_init(|| {
        WordRegex::new(r"(?i)\b(one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2})[- ](day|week|month|year)s?(?:[- ]old)?,?((?: [\w’'-]+){1,4})")
    })
}

/// The start of a happening of some class, as one article dates it.
#[derive(Debug, Clone)]
struct Fact {
    class: &'static str,
    first: Day,
    granularity: &'static str,
    article: usize,
    words: BTreeSet<String>,
}

/// A clue tying the publication day to a fact.
#[derive(Debug, Clone, Serialize, Deserialize)]
enum Clue {
    /// P minus the start lies in `lo..=hi` days.
    Age {
        class: String,
        lo: i64,
        hi: i64,
        words: BTreeSet<String>,
    },
    /// The expression `located[idx]`, resolved at P, covers the start.
    Start {
        class: String,
        idx: usize,
        words: BTreeSet<String>,
    },
}

/// What each article offers for inference: a function of its text alone.
#[derive(Clone, Serialize, Deserialize)]
struct Evidence {
    clues: Vec<(Clue, String)>,
    /// A written year or a weekday with a date fixes the year from the text alone.
    firm: bool,
    /// Anything datable at all (days, months, ages, relative starts).
    datable: bool,
    /// Latest year written anywhere: the earliest year P can have.
    min_year: Option<i32>,
    /// Latest year written as past: days and months without a year come after it.
    past_year: Option<i32>,
}

fn evidence(a: &Article, located: &[Located]) -> Evidence {
    let mut clues = Vec::new();
    let mut firm = false;
    let mut datable = false;
    let mut min_year = None;
    let mut past_year = None;
    let sentence = |l: &Located| a.paragraphs[l.para].text[l.sentence.0..l.sentence.1].to_string();
    for (idx, l) in located.iter().enumerate() {
        // Any year written, even in a quote or a conditional clause, is rarely after publication.
        if let Expr::Year(y) = l.found.expr {
            min_year = min_year.max(Some(y));
            if !l.found.future {
                past_year = past_year.max(Some(y));
            }
        }
        if l.found.in_quote {
            continue;
        }
        match &l.found.expr {
            Expr::Date { year: Some(_), .. } | Expr::Month { year: Some(_), .. } => {
                firm = true;
                datable = true;
            }
            Expr::Date { weekday: Some(_), .. } => {
                firm = true;
                datable = true;
            }
            Expr::Date { .. } => datable = true,
            Expr::Relative { unit, offset } if *offset < 0 && *unit != Unit::Day => {
                let s = sentence(l);
                if let Some(class) = start_class(&s) {
                    let words = content_words(&s);
                    clues.push((
                        Clue::Start {
                            class: class.into(),
                            idx,
                            words,
                        },
                        s,
                    ));
                    datable = true;
                }
            }
            _ => {}
        }
    }
    for p in &a.paragraphs {
        for c in duration_re().for_text(&p.text).captures_iter(&p.text) {
            // The happening named in the next few words: "three-week-old assault by ...".
            let Some(class) = c[3].split_whitespace().find_map(class_of) else {
                continue;
            };
            let Some(n) = c[1].parse::<i64>().ok().or_else(|| {
                [
                    "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten",
                ]
                .iter()
                .position(|w| c[1].eq_ignore_ascii_case(w))
                .map(|i| i as i64 + 1)
            }) else {
                continue;
            };
            // Ages in months and years ("the six-year conflict") are too loose to date by.
            let u = match c[2].to_ascii_lowercase().as_str() {
                "day" => 1,
                "week" => 7,
                _ => continue,
            };
            let pos = c.get(0).expect("match").start();
            let s = super::sentences(&p.text)
                .into_iter()
                .find(|(s, e)| pos >= *s && pos < *e)
                .map(|(s, e)| p.text[s..e].to_string())
                .unwrap_or_else(|| p.text.clone());
            clues.push((
                Clue::Age {
                    class: class.into(),
                    lo: n * u,
                    hi: (n + 1) * u - 1,
                    words: content_words(&s),
                },
                s,
            ));
            datable = true;
        }
    }
    Evidence {
        clues,
        firm,
        datable,
        min_year,
        past_year,
    }
}

/// Facts: sentences reporting the start of a happening with a date.
fn facts(articles: &[Article], located: &[Vec<Located>], known: &BTreeMap<usize, Day>, year: Option<i32>) -> Vec<Fact> {
    let per_article: Vec<Vec<Fact>> = articles
        .par_iter()
        .enumerate()
        .map(|(i, a)| article_facts(a, i, &located[i], known.get(&i).copied(), year))
        .collect();
    per_article.into_iter().flatten().collect()
}

/// The facts of article `i`, published on `known` if known.
fn article_facts(a: &Article, i: usize, located: &[Located], known: Option<Day>, year: Option<i32>) -> Vec<Fact> {
    let mut out = Vec::new();
    for l in located {
        if l.found.future || l.found.in_quote {
            continue;
        }
        let s = &a.paragraphs[l.para].text[l.sentence.0..l.sentence.1];
        let Some(class) = start_class(s) else { continue };
        let resolved = match (&l.found.expr, known) {
            (Expr::Date { .. } | Expr::Month { .. } | Expr::Year(_), Some(p)) => {
                dates::resolve_period(&l.found, Some(p), None)
            }
            (
                Expr::Date {
                    year: None, month, day, ..
                },
                None,
            ) => year
                .and_then(|y| Day::new(y, *month, *day))
                .map(|d| dates::resolve_period(&l.found, Some(d), None))
                .unwrap_or(None),
            (Expr::Month { year: None, month }, None) => {
                year.and_then(|y| dates::resolve_period(&l.found, Day::new(y, *month, 1), None))
            }
            (Expr::Date { .. } | Expr::Month { .. } | Expr::Year(_), None) => {
                dates::resolve_period(&l.found, None, None)
            }
            _ => None,
        };
        if let Some(r) = resolved {
            out.push(Fact {
                class,
                first: r.first,
                granularity: r.granularity,
                article: i,
                words: content_words(s),
            });
        }
    }
    out
}

/// The start of `class` as article `i` should take it: its own finest
/// dated fact, else the finest date most articles agree on (later on a
/// tie) among facts whose sentence shares two content words with the
/// clue's (the class noun counts: "the offensive" and "Assad regime").
fn fact_for<'f>(facts: &'f [Fact], class: &str, i: usize, words: &BTreeSet<String>) -> Option<&'f Fact> {
    let rank = |g: &str| match g {
        "day" => 0,
        "month" => 1,
        _ => 2,
    };
    let of_class: Vec<&Fact> = facts
        .iter()
        .filter(|f| f.class == class && (f.article == i || f.words.intersection(words).count() >= 2))
        .collect();
    let own: Vec<&&Fact> = of_class.iter().filter(|f| f.article == i).collect();
    if let Some(best) = own
        .iter()
        .min_by_key(|f| (rank(f.granularity), std::cmp::Reverse(f.first)))
    {
        return Some(**best);
    }
    let finest = of_class.iter().map(|f| rank(f.granularity)).min()?;
    let mut votes: BTreeMap<Day, std::collections::BTreeSet<usize>> = BTreeMap::new();
    for f in of_class.iter().filter(|f| rank(f.granularity) == finest) {
        votes.entry(f.first).or_default().insert(f.article);
    }
    let (day, _) = votes.iter().max_by_key(|(d, arts)| (arts.len(), **d))?;
    of_class
        .iter()
        .find(|f| f.first == *day && rank(f.granularity) == finest)
        .copied()
}

/// The fact each clue of article `i` refers to (see [`fact_for`]).
fn clue_facts<'f>(facts: &'f [Fact], ev: &Evidence, i: usize) -> Vec<Option<&'f Fact>> {
    ev.clues
        .iter()
        .map(|(clue, _)| match clue {
            Clue::Age { class, words, .. } | Clue::Start { class, words, .. } => fact_for(facts, class, i, words),
        })
        .collect()
}

/// Whether P satisfies every constraint of the article; `facts` holds the
/// fact of each clue (see [`clue_facts`]).
fn feasible(p: Day, located: &[Located], ev: &Evidence, facts: &[Option<&Fact>]) -> bool {
    if ev.min_year.is_some_and(|y| p.y < y) {
        return false;
    }
    let mut past_gap: Option<i64> = None;
    let mut oldest_gap = 0;
    let mut future_gap: Option<i64> = None;
    for l in located.iter().filter(|l| !l.found.in_quote) {
        // Only these kinds are checked below: the others are not resolved.
        let checked = match &l.found.expr {
            Expr::Date { .. } | Expr::Weekday { shift: 0, .. } => true,
            Expr::Month { .. } | Expr::Year(_) => !l.found.future,
            _ => false,
        };
        if !checked {
            continue;
        }
        let Some(r) = dates::resolve_period(&l.found, Some(p), None) else {
            continue;
        };
        match &l.found.expr {
            Expr::Date { weekday, year, .. } => {
                if weekday.is_some_and(|w| w != r.first.weekday()) {
                    return false;
                }
                if year.is_none() && ev.past_year.is_some_and(|y| r.first.y < y) {
                    return false;
                }
                if !l.found.future && r.first > p {
                    return false;
                }
            }
            Expr::Month { .. } | Expr::Year(_) if !l.found.future && r.first > p => return false,
            Expr::Weekday { shift: 0, .. } => {
                let gap = (r.first.num() - p.num()).abs();
                if r.first > p {
                    future_gap = Some(future_gap.map_or(gap, |g| g.min(gap)));
                } else {
                    past_gap = Some(past_gap.map_or(gap, |g| g.min(gap)));
                    oldest_gap = oldest_gap.max(gap);
                }
            }
            _ => {}
        }
    }
    if past_gap.is_some_and(|g| g > RECENT) || oldest_gap > WEEK_SPAN || future_gap.is_some_and(|g| g > RECENT + 1) {
        return false;
    }
    for ((clue, _), fact) in ev.clues.iter().zip(facts) {
        match clue {
            Clue::Age { lo, hi, .. } => {
                if let Some(f) = fact.filter(|f| f.granularity == "day") {
                    let age = p.num() - f.first.num();
                    if age < *lo || age > *hi {
                        return false;
                    }
                }
            }
            Clue::Start { idx, .. } => {
                if let (Some(f), Some(r)) = (fact, dates::resolve_period(&located[*idx].found, Some(p), None)) {
                    let covers = match r.granularity {
                        "year" => f.first.y == r.first.y,
                        "month" => (f.first.y, f.first.m) == (r.first.y, r.first.m),
                        _ => f.first == r.first,
                    };
                    if !covers {
                        return false;
                    }
                }
            }
        }
    }
    true
}

/// Runs of consecutive feasible days in `lo..=hi`, the first `most` of them.
fn runs(lo: Day, hi: Day, most: usize, ok: impl Fn(Day) -> bool) -> Vec<(Day, Day)> {
    let mut out: Vec<(Day, Day)> = Vec::new();
    for n in lo.num()..=hi.num() {
        let d = Day::from_num(n);
        if ok(d) {
            let len = out.len();
            match out.last_mut() {
                Some(r) if r.1.num() + 1 == n => r.1 = d,
                // A new run after the last wanted one ended.
                Some(_) if len == most => break,
                _ => out.push((d, d)),
            }
        }
    }
    out
}

/// Sentences that bound the chosen date, in reading order, at most five.
fn evidence_sentences(a: &Article, located: &[Located], ev: &Evidence, p: Day) -> Vec<String> {
    let mut out: Vec<String> = Vec::new();
    let mut push = |s: String| {
        let s = s.trim().to_string();
        if !s.is_empty() && !out.contains(&s) && out.len() < 5 {
            out.push(s);
        }
    };
    let mut prev = None;
    for l in located.iter().filter(|l| !l.found.in_quote) {
        let Some(r) = dates::resolve_period(&l.found, Some(p), prev) else {
            continue;
        };
        if r.granularity == "day" {
            prev = Some(r.first);
        }
        let binding = match &l.found.expr {
            Expr::Date { weekday: Some(_), .. } => true,
            Expr::Date { .. } | Expr::Weekday { .. } => (r.first.num() - p.num()).abs() <= RECENT + 1,
            _ => false,
        };
        if binding {
            push(a.paragraphs[l.para].text[l.sentence.0..l.sentence.1].to_string());
        }
    }
    for (_, s) in &ev.clues {
        push(s.clone());
    }
    out
}

/// Fills `date` (value, window, evidence, `inferred: true`) for every
/// non-duplicate article that was given no publication date.
///
/// `text_keys` hashes each article's text (`None` for duplicates): the
/// windows an article's text allows are kept in `memo` under it, with the
/// days searched and the facts its clues refer to.
pub fn infer(articles: &mut [Article], located: &[Vec<Located>], text_keys: &[Option<u64>], memo: &Store) {
    let mut known: BTreeMap<usize, Day> = BTreeMap::new();
    for (i, a) in articles.iter().enumerate() {
        if let Some(d) = a.date.value.as_deref().and_then(Day::parse) {
            known.insert(i, d);
        }
    }
    let todo: Vec<usize> = (0..articles.len())
        .filter(|i| !known.contains_key(i) && articles[*i].duplicate_of.is_none())
        .collect();
    // Kept in `memo` by the text (duplicates have no key, and are not to do).
    let evs: Vec<Evidence> = memo.map(
        "evidence",
        todo.len(),
        |k| text_keys[todo[k]],
        |k| evidence(&articles[todo[k]], &located[todo[k]]),
    );
    let evs: BTreeMap<usize, Evidence> = todo.iter().copied().zip(evs).collect();

    // Pass 0: a dateline, a full date opening the article ("Tuesday 20 Sep 2016 ...").
    for &i in &todo {
        let Some((d, sentence)) = dateline(&articles[i], &located[i]) else {
            continue;
        };
        set(&mut articles[i], d, d, vec![format!("Dateline: {sentence}")]);
        known.insert(i, d);
    }

    // Pass 1: the text fixes the year; the first feasible run wins.
    let no_facts = facts(articles, located, &known, None);
    // The feasible runs of days of article `i` in `lo..=hi`, given the fact
    // of each of its clues, kept by what they are made from.
    let mut kept = memo.open::<Vec<(Day, Day)>>("windows");
    let key = |i: usize, lo: Day, hi: Day, facts: &[Option<&Fact>]| {
        let facts: Vec<Option<(Day, &str)>> = facts.iter().map(|f| f.map(|f| (f.first, f.granularity))).collect();
        text_keys[i].map(|text| memo::key(&(text, lo, hi, facts)))
    };
    // The days searched for article `i`: from the first year its dates write
    // to the year after the last, else the twelve years after the latest
    // year it names (1990 when it names none).
    let bounds = |i: usize| {
        let ev = &evs[&i];
        let years: Vec<i32> = located[i]
            .iter()
            .filter_map(|l| match l.found.expr {
                Expr::Date { year: Some(y), .. } | Expr::Month { year: Some(y), .. } => Some(y),
                _ => None,
            })
            .collect();
        let (lo, hi) = match (years.iter().min(), years.iter().max()) {
            (Some(a), Some(b)) => (*a, b + 1),
            _ => {
                let start = ev.min_year.unwrap_or(1990);
                (start, start + 12)
            }
        };
        (i, Day { y: lo, m: 1, d: 1 }, Day { y: hi, m: 12, d: 31 })
    };
    let mut firm: Vec<(usize, Day, Day)> = todo
        .iter()
        .filter(|i| evs[i].firm && !known.contains_key(i))
        .map(|&i| bounds(i))
        .collect();
    let windows: Vec<Vec<(Day, Day)>> = kept.map_mut(
        &mut firm,
        |&(i, lo, hi)| key(i, lo, hi, &clue_facts(&no_facts, &evs[&i], i)),
        |&mut (i, lo, hi)| {
            let facts = clue_facts(&no_facts, &evs[&i], i);
            runs(lo, hi, 1, |p| feasible(p, &located[i], &evs[&i], &facts))
        },
    );
    for (&(i, _, _), window) in firm.iter().zip(windows) {
        if let Some(&(first, last)) = window.first() {
            let evidence = evidence_sentences(&articles[i], &located[i], &evs[&i], first);
            set(&mut articles[i], first, last, evidence);
            known.insert(i, first);
        }
    }

    // The corpus's year: the most common year of known dates (later on a tie).
    let mut counts: BTreeMap<i32, usize> = BTreeMap::new();
    for d in known.values() {
        *counts.entry(d.y).or_default() += 1;
    }
    let corpus_year = counts.iter().max_by_key(|(y, n)| (**n, **y)).map(|(y, _)| *y);

    // Pass 2: with the corpus's year and facts.
    if let Some(y) = corpus_year {
        let all_facts = facts(articles, located, &known, Some(y));
        let (lo, hi) = (Day { y: y - 1, m: 1, d: 1 }, Day { y: y + 1, m: 12, d: 31 });
        let mut datable: Vec<usize> = todo
            .iter()
            .copied()
            .filter(|i| !known.contains_key(i) && evs[i].datable)
            .collect();
        let windows = kept.map_mut(
            &mut datable,
            |&i| key(i, lo, hi, &clue_facts(&all_facts, &evs[&i], i)),
            |&mut i| {
                let facts = clue_facts(&all_facts, &evs[&i], i);
                runs(lo, hi, usize::MAX, |p| feasible(p, &located[i], &evs[&i], &facts))
            },
        );
        let mut pending: Vec<(usize, Vec<(Day, Day)>)> = datable
            .into_iter()
            .zip(windows)
            .filter(|(_, r)| {
                // Unbounded on both sides: the text alone cannot place it.
                let unbounded = r.first().is_some_and(|x| x.0 == lo) && r.last().is_some_and(|x| x.1 == hi);
                !r.is_empty() && !unbounded
            })
            .collect();
        pending.sort_by_key(|(i, r)| (r.len(), *i));
        // The latest known date, kept as dates are added (known only grows).
        let mut latest = known.values().max().copied();
        for (i, r) in pending {
            let reference = latest;
            let dist = |run: &(Day, Day)| match reference {
                Some(x) if x < run.0 => run.0.num() - x.num(),
                Some(x) if x > run.1 => x.num() - run.1.num(),
                Some(_) => 0,
                None => 0,
            };
            let best = r
                .iter()
                .min_by_key(|run| (dist(run), std::cmp::Reverse(run.0)))
                .copied()
                .expect("non-empty runs");
            let mut evidence = evidence_sentences(&articles[i], &located[i], &evs[&i], best.0);
            if r.len() > 1 {
                evidence.push(format!(
                    "The text allows {} windows; chose the one nearest the corpus's latest dated article{}.",
                    r.len(),
                    reference.map(|d| format!(" ({d})")).unwrap_or_default()
                ));
            }
            if evs[&i]
                .clues
                .iter()
                .any(|(c, _)| matches!(c, Clue::Age { .. } | Clue::Start { .. }))
            {
                evidence.push(format!(
                    "Year and start dates taken from the corpus's other articles ({y})."
                ));
            }
            set(&mut articles[i], best.0, best.1, evidence);
            known.insert(i, best.0);
            latest = latest.max(Some(best.0));
        }
    }
    kept.finish();

    // Pass 3: no datable evidence: the corpus's time frame.
    let (Some(first), Some(last)) = (known.values().min().copied(), known.values().max().copied()) else {
        return;
    };
    for &i in &todo {
        if known.contains_key(&i) {
            continue;
        }
        let a = &mut articles[i];
        a.date.value = Some(last.iso());
        a.date.inferred = true;
        a.date.earliest = Some(first.iso());
        a.date.latest = Some(last.iso());
        a.date.evidence = vec![format!(
            "No dated evidence in the text; placed at the end of the corpus's time frame ({first} to {last})."
        )];
    }
}

/// Bytes from the start of the first paragraph within which a full date is a dateline.
const DATELINE_SPAN: usize = 60;

/// A full date (with its year) near the start of the first paragraph, not quoted.
fn dateline(a: &Article, located: &[Located]) -> Option<(Day, String)> {
    let l = located
        .first()
        .filter(|l| l.para == 0 && l.found.start < DATELINE_SPAN && !l.found.in_quote)?;
    let Expr::Date { year: Some(_), .. } = l.found.expr else {
        return None;
    };
    let r = dates::resolve_period(&l.found, None, None)?;
    let p = &a.paragraphs[0].text;
    Some((r.first, p[l.sentence.0..l.sentence.1].trim().to_string()))
}

fn set(a: &mut Article, first: Day, last: Day, evidence: Vec<String>) {
    a.date.value = Some(first.iso());
    a.date.inferred = true;
    a.date.earliest = Some(first.iso());
    a.date.latest = Some(last.iso());
    a.date.evidence = evidence;
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Paragraph;

    #[test]
    fn runs_are_found_in_order_and_the_search_stops_after_the_last_wanted() {
        let lo = Day { y: 2016, m: 12, d: 1 };
        let hi = Day { y: 2016, m: 12, d: 31 };
        let calls = std::cell::Cell::new(0);
        let ok = |p: Day| {
            calls.set(calls.get() + 1);
            matches!(p.d, 3..=4 | 10 | 20..=22)
        };
        let day = |d| Day { y: 2016, m: 12, d };
        assert_eq!(
            runs(lo, hi, usize::MAX, ok),
            [(day(3), day(4)), (day(10), day(10)), (day(20), day(22))]
        );
        assert_eq!(calls.replace(0), 31);
        assert_eq!(runs(lo, hi, 1, ok), [(day(3), day(4))]);
        assert_eq!(calls.get(), 10, "stops at the next run's first day");
    }

    fn article(paras: &[&str]) -> Article {
        Article {
            id: "a".into(),
            paragraphs: Paragraph::numbered(paras),
            ..Default::default()
        }
    }

    fn infer_all(arts: &mut [Article]) {
        let located: Vec<Vec<Located>> = arts.iter().map(super::super::locate).collect();
        infer(arts, &located, &vec![None; arts.len()], &Store::off());
    }

    #[test]
    fn weekday_with_date_fixes_the_year_and_latest_weekday_bounds() {
        // 21 March 2017 was a Tuesday; the latest past weekday is Thursday 23 March.
        let mut a = [article(&[
            "The ministers met in 2014 for the first time.",
            "On Tuesday 21 March, troops entered the town.",
            "The envoy said on Thursday that talks would resume.",
        ])];
        infer_all(&mut a);
        assert_eq!(a[0].date.value.as_deref(), Some("2017-03-23"));
        assert_eq!(a[0].date.latest.as_deref(), Some("2017-03-25"));
        assert!(a[0].date.inferred);
        assert!(a[0].date.evidence.iter().any(|e| e.starts_with("On Tuesday 21 March")));
    }

    #[test]
    fn age_of_an_offensive_dated_elsewhere_places_an_article() {
        let mut a = [
            article(&["On Monday 6 March, the army launched an offensive on the valley."]),
            article(&["Rebels retreated on Saturday as the two-week-old army offensive on the valley went on."]),
        ];
        a[0].date.value = Some("2017-03-07".into());
        infer_all(&mut a);
        // Two weeks after 6 March is Monday 20 March, two days after Saturday 18 March.
        assert_eq!(a[1].date.value.as_deref(), Some("2017-03-20"));
        assert!(a[1].date.inferred);
        assert!(a[1].date.evidence.iter().any(|e| e.contains("two-week-old")));
    }

    #[test]
    fn a_dateline_is_the_publication_date() {
        let mut a = [article(&[
            "AFP Tuesday 20 Sep 2016 The convoy was hit on Monday, officials said on Wednesday.",
        ])];
        infer_all(&mut a);
        assert_eq!(a[0].date.value.as_deref(), Some("2016-09-20"));
        assert!(a[0].date.evidence[0].starts_with("Dateline: "));
        // A date later in the text is not a dateline.
        let mut b = [article(&[
            "The convoy that left on 12 September 2016 was hit the next day.",
        ])];
        b[0].paragraphs[0]
            .text
            .insert_str(0, &"Officials in the capital said on Monday that ".repeat(2));
        infer_all(&mut b);
        assert_ne!(
            b[0].date.evidence.first().map(|e| e.starts_with("Dateline")),
            Some(true)
        );
    }

    #[test]
    fn articles_without_dates_get_the_corpus_frame() {
        let mut a = [article(&["Nothing here is dated."]), article(&["Nor here."])];
        a[1].date.value = Some("2017-03-07".into());
        infer_all(&mut a);
        assert_eq!(a[0].date.value.as_deref(), Some("2017-03-07"));
        assert!(a[0].date.inferred);
        let mut b = [article(&["Nothing here is dated."])];
        infer_all(&mut b);
        assert_eq!(b[0].date.value, None);
    }
}
