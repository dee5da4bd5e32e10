//! Site furniture: lines a scraped page carries that are not reporting
//! ("Leave a Reply", "Share this", "Follow us on Twitter"). Three sources:
//! a default list (whole lines and short-line starts), the config's own
//! lists, and corpus detection of short lines recurring at the start or
//! end of many articles. A line on the `keep` list is never furniture.

use std::collections::{BTreeMap, BTreeSet};

use super::typography::{normalise, EditLog};
use super::{Config, EDGE_LINES};
use crate::ingest::{is_blank, RawArticle};
use crate::memo::{self, Store};
use crate::text::fold;

/// Whole furniture lines (compared folded: case and punctuation ignored).
pub const DEFAULT_LINES: &[&str] = &[
    "leave a reply",
    "leave a comment",
    "post a comment",
    "send this to a friend",
    "email this to a friend",
    "share this",
    "share this article",
    "share this story",
    "share this page",
    "share on facebook",
    "share on twitter",
    "share on whatsapp",
    "tweet",
    "print",
    "print this page",
    "print this article",
    "click here to subscribe",
    "subscribe to our newsletter",
    "sign up for our newsletter",
    "advertisement",
    "advertisements",
    "sponsored content",
    "related articles",
    "related stories",
    "related content",
    "related",
    "read more",
    "read more here",
    "continue reading",
    "you may also like",
    "you might also like",
    "recommended for you",
    "most popular",
    "most read",
    "comments",
    "show comments",
    "skip to content",
    "back to top",
    "all rights reserved",
    "cancel reply",
    "your email address will not be published",
    "image copyright",
    "image caption",
    "media playback is unsupported on your device",
];

/// Starts of short furniture lines (folded), e.g. `Follow us on Twitter`.
/// Only phrases no subheading starts with ("Related", "Copyright" and
/// "Tags" can open a subheading, so they are whole-line entries only).
pub const DEFAULT_PREFIXES: &[&str] = &[
    "follow us on",
    "like us on",
    "share on",
    "share this",
    "click here",
    "sign up for",
    "subscribe to",
    "read more",
    "all rights reserved",
    "you may also like",
    "filed under",
    "posted in",
];

/// Longest line, in words, that a prefix or corpus rule may remove.
pub const MAX_WORDS: usize = 10;

/// The furniture rules for one build.
#[derive(Debug, Default, Hash)]
pub struct Furniture {
    lines: BTreeSet<String>,
    prefixes: Vec<String>,
    keep: BTreeSet<String>,
    /// Folded edge lines found recurring across the corpus.
    corpus: BTreeSet<String>,
}

impl Furniture {
    /// Rules from `cfg`, with corpus detection over `raw` when enabled.
    pub fn new(cfg: &Config, raw: &[RawArticle]) -> Self {
        let keys: Vec<u64> = raw.iter().map(body_key).collect();
        Self::with_memo(cfg, raw, &keys, &Store::off())
    }

    /// [`Furniture::new`], each article's edge lines taken from `memo` by
    /// `keys` (its [`body_key`]) when it has them.
    pub fn with_memo(cfg: &Config, raw: &[RawArticle], keys: &[u64], memo: &Store) -> Self {
        let defaults = cfg.default_boilerplate;
        let mut f = Furniture {
            lines: cfg
                .boilerplate
                .iter()
                .map(|s| fold(s))
                .chain(
                    defaults
                        .then_some(DEFAULT_LINES)
                        .into_iter()
                        .flatten()
                        .map(|s| s.to_string()),
                )
                .filter(|s| !s.is_empty())
                .collect(),
            prefixes: cfg
                .boilerplate_prefixes
                .iter()
                .map(|s| fold(s))
                .chain(
                    defaults
                        .then_some(DEFAULT_PREFIXES)
                        .into_iter()
                        .flatten()
                        .map(|s| s.to_string()),
                )
                .filter(|s| !s.is_empty())
                .collect(),
            keep: cfg.keep.iter().map(|s| fold(s)).collect(),
            corpus: BTreeSet::new(),
        };
        if cfg.corpus_furniture {
            f.corpus = recurring_edge_lines(raw, keys, cfg, memo)
                .into_iter()
                .filter(|l| !f.keep.contains(l))
                .collect();
        }
        f
    }

    /// Why a line is furniture, if it is. `text` is the normalised line,
    /// `folded` its folded form; `at_edge` says it is among the first or
    /// last lines of its body (corpus rules apply only there).
    pub fn reason(&self, text: &str, folded: &str, at_edge: bool) -> Option<&'static str> {
        if folded.is_empty() || self.keep.contains(folded) {
            return None;
        }
        if self.lines.contains(folded) {
            return Some("site boilerplate");
        }
        if may_be_furniture(text) && self.prefixes.iter().any(|p| starts_with_words(folded, p)) {
            return Some("site boilerplate");
        }
        if at_edge && self.corpus.contains(folded) {
            return Some("furniture recurring across articles");
        }
        None
    }

    /// The corpus-detected lines, for reports and tests.
    pub fn corpus_lines(&self) -> impl Iterator<Item = &str> {
        self.corpus.iter().map(String::as_str)
    }
}

/// `folded` starts with the words of `prefix`.
fn starts_with_words(folded: &str, prefix: &str) -> bool {
    folded == prefix || folded.strip_prefix(prefix).is_some_and(|r| r.starts_with(' '))
}

/// Short and not a sentence of reporting: at most [`MAX_WORDS`] words, and
/// not a sentence of five words or more ending in `.`, `!` or `?`.
fn may_be_furniture(text: &str) -> bool {
    let words = text.split_whitespace().count();
    words <= MAX_WORDS && !(words >= 5 && text.trim_end().ends_with(['.', '!', '?']))
}

/// Folded short lines among the first or last [`EDGE_LINES`] body lines of
/// at least `corpus_min_articles` articles with different bodies and at
/// least `corpus_min_share` of all articles. Lines with digits (times,
/// scores) are never counted.
fn recurring_edge_lines(raw: &[RawArticle], keys: &[u64], cfg: &Config, memo: &Store) -> BTreeSet<String> {
    // Per article (in parallel): the body's key and its furniture-like edge lines.
    let edges: Vec<(u64, Vec<String>)> = memo.map("edges", raw.len(), |i| Some(keys[i]), |i| edge_lines(&raw[i]));
    let mut seen: BTreeMap<String, BTreeSet<u64>> = BTreeMap::new();
    for (body_key, edge) in edges {
        for f in edge {
            seen.entry(f).or_default().insert(body_key);
        }
    }
    let min = cfg
        .corpus_min_articles
        .max(2)
        .max((cfg.corpus_min_share * raw.len() as f64).ceil() as usize);
    seen.into_iter()
        .filter(|(_, v)| v.len() >= min)
        .map(|(k, _)| k)
        .collect()
}

/// A hash of an article's body lines as read: the key of what is kept of
/// it between builds.
pub fn body_key(r: &RawArticle) -> u64 {
    memo::key(&r.body)
}

/// A key of the body's folded lines (copies of one article have the same)
/// and its folded furniture-like edge lines.
fn edge_lines(r: &RawArticle) -> (u64, Vec<String>) {
    let mut log = EditLog::default();
    let lines: Vec<&str> = r
        .body
        .iter()
        .map(|(_, l)| l.as_str())
        .filter(|l| !is_blank(l))
        .collect();
    let n = lines.len();
    let (mut body_key, mut edge) = (0u64, Vec::new());
    for (i, line) in lines.into_iter().enumerate() {
        let at_edge = i < EDGE_LINES || i + EDGE_LINES >= n;
        // Normalising changes only spaces in ASCII, which folding
        // drops anyway: a line is normalised only to be tested as
        // an edge line or to fold other characters.
        let normalised = (at_edge || !line.is_ascii()).then(|| normalise(line, &mut log));
        let line = normalised.as_deref().unwrap_or(line);
        let f = fold(line);
        body_key = crate::dedup::minhash::mix(
            body_key ^ f.bytes().fold(0u64, |x, b| x.wrapping_mul(131).wrapping_add(b as u64)),
        );
        if at_edge && wordy(&f) && may_be_furniture(line) {
            edge.push(f);
        }
    }
    (body_key, edge)
}

/// Has a word of three letters or more and no digits (times, scores and
/// dates are data, not furniture).
fn wordy(folded: &str) -> bool {
    !folded.chars().any(char::is_numeric) && folded.split(' ').any(|w| w.chars().count() >= 3)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn raw(body: &str) -> RawArticle {
        RawArticle {
            title: "T".into(),
            body: body.lines().enumerate().map(|(i, l)| (i + 2, l.to_string())).collect(),
            ..RawArticle::default()
        }
    }

    #[test]
    fn recurring_end_lines_are_found_but_sentences_and_numbers_are_not() {
        let arts: Vec<RawArticle> = (0..5)
            .map(|i| {
                raw(&format!(
                    "Story {i} opens with its own words.\n\nKick-off 2000 GMT\n\nThe minister said the plan was sound and fair.\n\nJoin the conversation"
                ))
            })
            .collect();
        let f = Furniture::new(&Config::default(), &arts);
        let found: Vec<&str> = f.corpus_lines().collect();
        assert_eq!(found, ["join the conversation"]);
    }

    #[test]
    fn corpus_detection_needs_different_articles() {
        let arts: Vec<RawArticle> = (0..5).map(|_| raw("Same text.\n\nJoin the conversation")).collect();
        let f = Furniture::new(&Config::default(), &arts);
        assert_eq!(f.corpus_lines().count(), 0);
    }

    #[test]
    fn prefixes_only_match_short_lines() {
        let f = Furniture::new(&Config::default(), &[]);
        assert_eq!(
            f.reason("Follow us on Twitter", "follow us on twitter", false),
            Some("site boilerplate")
        );
        let long = "Follow us on the long road the soldiers took north of the city, he said.";
        assert_eq!(f.reason(long, &fold(long), false), None);
        // Prefixes are whole words; "Related" is a whole-line entry only.
        assert_eq!(f.reason("Sharepoint rollout", "sharepoint rollout", false), None);
        assert_eq!(f.reason("Related costs rise", "related costs rise", false), None);
        assert_eq!(f.reason("Related", "related", false), Some("site boilerplate"));
    }

    #[test]
    fn keep_list_wins() {
        let cfg = Config {
            keep: vec!["Comments".into()],
            ..Config::default()
        };
        let f = Furniture::new(&cfg, &[]);
        assert_eq!(f.reason("Comments", "comments", true), None);
        assert_eq!(
            f.reason("Leave a Reply", "leave a reply", true),
            Some("site boilerplate")
        );
    }
}
