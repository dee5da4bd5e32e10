//! Stage 6, chronology: find date expressions in the text, infer missing
//! publication dates, resolve every expression, and lay out dated events.
//!
//! - [`dates`]: finding and resolving date expressions.
//! - [`pubdate`]: publication dates inferred from the text (and the corpus).
//! - [`events`]: mentions grouped into events, with conflicts.
//! - [`pages`]: the chronology, month and year pages and `data/timeline.json`.

pub mod dates;
pub mod events;
pub mod pages;
pub mod pubdate;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::memo::{self, Store};
use crate::model::{Article, DateMention, Event};
use dates::{Day, Found};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {}

/// A date expression located in an article.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Located {
    /// Index into the article's paragraphs.
    pub para: usize,
    /// Byte range of the enclosing sentence in the paragraph.
    pub sentence: (usize, usize),
    pub found: Found,
}

/// A resolved date expression with what the event builder needs.
#[derive(Debug, Clone)]
pub struct Dated {
    /// Index into the articles slice.
    pub article: usize,
    pub para: usize,
    pub sentence: String,
    /// The expression's text.
    pub text: String,
    /// Byte offsets of the expression inside `sentence`.
    pub span: (usize, usize),
    pub resolved: dates::Resolved,
    pub future: bool,
    pub in_quote: bool,
}

/// Finds dates in every non-duplicate article, infers missing publication
/// dates, fills `dates`, and builds the events list. The expressions found
/// in an article, and the publication windows its text allows, are kept in
/// `memo` by its paragraphs' text (and the facts the windows depend on).
pub fn run(articles: &mut [Article], _cfg: &Config, memo: &Store) -> Vec<Event> {
    // What is kept of an article is keyed by its paragraphs' text.
    let text_keys: Vec<Option<u64>> = articles
        .par_iter()
        .map(|a| a.duplicate_of.is_none().then(|| memo::text_key(a)))
        .collect();
    let located: Vec<Vec<Located>> = memo.map(
        "dates",
        articles.len(),
        |i| text_keys[i],
        |i| {
            if articles[i].duplicate_of.is_some() {
                Vec::new()
            } else {
                locate(&articles[i])
            }
        },
    );
    pubdate::infer(articles, &located, &text_keys, memo);
    let dated: Vec<Dated> = articles
        .par_iter_mut()
        .zip(&located)
        .enumerate()
        .flat_map_iter(|(i, (a, located))| resolve_all(i, a, located))
        .collect();
    drop(located);
    events::build(articles, &text_keys, &dated, memo)
}

/// Resolves the located expressions of article `i` (its index in the
/// articles slice), fills its `dates` and returns them for the events.
fn resolve_all(i: usize, a: &mut Article, located: &[Located]) -> Vec<Dated> {
    let mut dated = Vec::new();
    let pubdate = a.date.value.as_deref().and_then(Day::parse);
    let mut prev_day: Option<Day> = None;
    for l in located {
        let Some(r) = dates::resolve(&l.found, pubdate, prev_day) else {
            continue;
        };
        let p = &a.paragraphs[l.para];
        if r.granularity == "day" && !l.found.in_quote {
            prev_day = Some(r.first);
        }
        a.dates.push(DateMention {
            paragraph: p.id.clone(),
            start: l.found.start,
            end: l.found.end,
            text: p.text[l.found.start..l.found.end].into(),
            value: r.value.clone(),
            granularity: r.granularity.into(),
            time: l.found.time.as_deref().map(Into::into),
        });
        let (s, e) = l.sentence;
        dated.push(Dated {
            article: i,
            para: l.para,
            sentence: p.text[s..e].to_string(),
            text: p.text[l.found.start..l.found.end].to_string(),
            span: (l.found.start - s, l.found.end - s),
            resolved: r,
            future: l.found.future,
            in_quote: l.found.in_quote,
        });
    }
    dated
}

/// Every date expression of an article, in reading order.
pub fn locate(a: &Article) -> Vec<Located> {
    let mut out = Vec::new();
    for (i, p) in a.paragraphs.iter().enumerate() {
        let found = dates::find(&p.text);
        if found.is_empty() {
            continue;
        }
        let sents = sentences(&p.text);
        for f in found {
            // The sentence it starts in, stretched when the expression runs
            // past a stop the splitter took for a sentence end ("Dec. 13").
            let (s, e) = sents
                .iter()
                .copied()
                .find(|(s, e)| f.start >= *s && f.start < *e)
                .unwrap_or((0, p.text.len()));
            let sentence = (s, e.max(f.end));
            out.push(Located {
                para: i,
                sentence,
                found: f,
            });
        }
    }
    out
}

/// Abbreviations that do not end a sentence.
const ABBREVIATIONS: &[&str] = &[
    "Mr", "Mrs", "Ms", "Dr", "Gen", "Lt", "Col", "Capt", "Sgt", "St", "No", "Jan", "Feb", "Mar", "Apr", "Jun", "Jul",
    "Aug", "Sep", "Sept", "Oct", "Nov", "Dec", "Prof", "Rev", "Gov", "Sen", "Rep", "vs", "Maj", "Brig",
];

/// Sentence byte ranges of a paragraph: a sentence ends at `.`, `!` or `?`
/// (with any closing quote) before a space and a capital, digit or quote;
/// initials like "U.N." and common abbreviations do not end one.
pub fn sentences(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut start = 0;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let (pos, c) = chars[i];
        if matches!(c, '.' | '!' | '?') {
            let mut j = i + 1;
            while j < chars.len() && matches!(chars[j].1, '”' | '"' | '’' | '\'' | ')') {
                j += 1;
            }
            let end = chars.get(j).map(|x| x.0).unwrap_or(text.len());
            let next_ok = j < chars.len()
                && chars[j].1.is_whitespace()
                && chars[j..]
                    .iter()
                    .find(|x| !x.1.is_whitespace())
                    .is_some_and(|x| x.1.is_uppercase() || x.1.is_ascii_digit() || matches!(x.1, '“' | '"' | '‘'));
            let word: String = text[..pos]
                .chars()
                .rev()
                .take_while(|ch| ch.is_alphabetic() || *ch == '.')
                .collect::<Vec<_>>()
                .into_iter()
                .rev()
                .collect();
            let abbreviation = c == '.'
                && (ABBREVIATIONS.contains(&word.as_str())
                    || (word.chars().filter(|ch| ch.is_alphabetic()).count() == 1
                        && word.chars().all(|ch| ch.is_uppercase() || ch == '.'))
                    || (word.contains('.') && word.chars().all(|ch| ch.is_uppercase() || ch == '.')));
            if next_ok && !abbreviation {
                out.push((start, end));
                start = chars[j..]
                    .iter()
                    .find(|x| !x.1.is_whitespace())
                    .map(|x| x.0)
                    .unwrap_or(text.len());
                i = j;
                continue;
            }
        }
        i += 1;
    }
    if start < text.len() {
        out.push((start, text.len()));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sentences_split_on_stops_but_not_initials() {
        let t = "The U.N. envoy spoke. “It is over.” Lt. Gen. Smith left at 5 p.m. on Monday. 3 died.";
        let s: Vec<&str> = sentences(t).into_iter().map(|(a, b)| &t[a..b]).collect();
        assert_eq!(
            s,
            [
                "The U.N. envoy spoke.",
                "“It is over.”",
                "Lt. Gen. Smith left at 5 p.m. on Monday.",
                "3 died."
            ]
        );
    }

    #[test]
    fn a_date_right_after_an_abbreviated_month_stays_inside_its_sentence() {
        let text = "the the thethe the ...Dec. 13/12/2016";
        let a = crate::model::Article {
            paragraphs: crate::model::Paragraph::numbered([text]),
            ..Default::default()
        };
        let located = locate(&a);
        assert!(!located.is_empty());
        for l in located {
            assert!(l.sentence.0 <= l.found.start && l.found.end <= l.sentence.1, "{l:?}");
            assert!(text.get(l.sentence.0..l.sentence.1).is_some());
        }
    }
}
