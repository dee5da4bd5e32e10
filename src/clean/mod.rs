//! Stage 2, clean: turn raw body lines into paragraphs, dropping repeated
//! titles and site furniture, lifting metadata lines (`Source: ...`,
//! `By ...`) into fields, and normalising whitespace. Nothing is lost:
//! every dropped or lifted line is listed in `removed` with a reason and
//! its line, and in-line edits are counted in `edits`.
//!
//! The stored text keeps its words and quote marks as written (annotation
//! offsets point into it); consistent typographic quotes are a display
//! concern, see [`typography::display`].

pub mod furniture;
pub mod typography;

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::ingest::{is_blank, RawArticle};
use crate::memo::{self, Store};
use crate::model::{Article, Paragraph, Removed};
use crate::text::fold;
use furniture::Furniture;
use typography::{normalise, EditLog};

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Use the built-in furniture lines and line starts ("Leave a Reply",
    /// "Share this", "Follow us on ...").
    pub default_boilerplate: bool,
    /// Extra furniture lines, matched whole, ignoring case and punctuation.
    pub boilerplate: Vec<String>,
    /// Extra furniture line starts, matched on short lines only.
    pub boilerplate_prefixes: Vec<String>,
    /// Lines never treated as furniture (exempt from every list and from
    /// corpus detection), matched like `boilerplate`.
    pub keep: Vec<String>,
    /// Detect furniture across the corpus: a short line recurring at the
    /// start or end of many articles.
    pub corpus_furniture: bool,
    /// A recurring edge line is furniture when it occurs in at least this
    /// many different articles ...
    pub corpus_min_articles: usize,
    /// ... and in at least this share of all articles.
    pub corpus_min_share: f64,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_boilerplate: true,
            boilerplate: Vec::new(),
            boilerplate_prefixes: Vec::new(),
            keep: Vec::new(),
            corpus_furniture: true,
            corpus_min_articles: 3,
            corpus_min_share: 0.02,
        }
    }
}

/// Non-blank lines at each end of a body that may be furniture or metadata.
pub const EDGE_LINES: usize = 3;

/// Cleans every raw article into an [`Article`] (id, url and annotations are
/// filled in by later stages). A corpus pass first finds recurring edge
/// lines; articles are then cleaned in parallel, output in input order, or
/// taken from `memo` when their text and the furniture found are unchanged.
/// Each article's body lines are released once it is cleaned (the rest of
/// `raw` stays for the caller), so the corpus is never held twice.
pub fn run(raw: &mut [RawArticle], cfg: &Config, memo: &Store) -> Vec<Article> {
    let keys: Vec<u64> = raw.par_iter().map(furniture::body_key).collect();
    let furniture = Furniture::with_memo(cfg, raw, &keys, memo);
    let rules = memo::key(&furniture);
    let mut items: Vec<(u64, &mut RawArticle)> = keys.into_iter().zip(raw.iter_mut()).collect();
    let articles = memo.map_mut(
        "clean",
        &mut items,
        |(body, r)| {
            let front = (r.front.source_list(), &r.front.byline, &r.front.url, &r.front.tags);
            Some(memo::key(&(rules, &r.source_file, &r.title, body, front)))
        },
        |(_, r)| {
            let a = clean_one(r, &furniture);
            r.body = Vec::new();
            a
        },
    );
    for r in raw.iter_mut() {
        r.body = Vec::new();
    }
    articles
}

fn clean_one(raw: &RawArticle, furniture: &Furniture) -> Article {
    let mut edits = EditLog::default();
    let title = normalise(&raw.title, &mut edits);
    let title_fold = fold(&title);
    let mut removed = Vec::new();
    let mut sources = raw.front.source_list();
    let mut byline = raw.front.byline.clone();
    let content: Vec<usize> = (0..raw.body.len()).filter(|&i| !is_blank(&raw.body[i].1)).collect();
    let rank = |i: usize| content.iter().position(|&c| c == i);
    let at_edge = |i: usize| rank(i).is_some_and(|r| r < EDGE_LINES || r + EDGE_LINES >= content.len());
    let mut drop = |line_no: usize, original: &str, reason: &str| {
        removed.push(Removed {
            text: original.trim().to_string(),
            reason: reason.to_string(),
            line: Some(line_no),
        });
    };
    // Blocks of consecutive non-blank lines.
    let mut blocks: Vec<Vec<String>> = vec![Vec::new()];
    for (i, (line_no, line)) in raw.body.iter().enumerate() {
        if is_blank(line) {
            blocks.push(Vec::new());
            continue;
        }
        let text = normalise(line, &mut edits);
        let folded = fold(&text);
        let r = rank(i).unwrap_or(usize::MAX);
        if r < EDGE_LINES && is_near_title(&folded, &title_fold) {
            drop(*line_no, line, "repeated title");
            continue;
        }
        if let Some(reason) = furniture.reason(&text, &folded, at_edge(i)) {
            drop(*line_no, line, reason);
            continue;
        }
        if let Some(list) = source_line(&text) {
            sources.extend(list);
            drop(*line_no, line, "metadata: sources");
            continue;
        }
        if byline.is_none() && at_edge(i) {
            if let Some(name) = byline_line(&text) {
                byline = Some(name);
                drop(*line_no, line, "metadata: byline");
                continue;
            }
        }
        blocks.last_mut().expect("one block").push(text);
    }
    let mut texts = Vec::new();
    for block in blocks.into_iter().filter(|b| !b.is_empty()) {
        let mut current = String::new();
        for line in block {
            let starts_upper = line
                .chars()
                .next()
                .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit());
            if current.is_empty() {
                current = line;
            } else if ends_sentence(&current) || (is_heading(&current) && starts_upper) {
                texts.push(std::mem::take(&mut current));
                current = line;
            } else {
                current.push(' ');
                current.push_str(&line);
            }
        }
        if !current.is_empty() {
            texts.push(current);
        }
    }
    let paragraphs = roles(&texts)
        .into_iter()
        .zip(texts)
        .enumerate()
        .map(|(i, (role, text))| Paragraph {
            id: compact_str::format_compact!("p{}", i + 1),
            role,
            text,
        })
        .collect();
    let mut seen = std::collections::BTreeSet::new();
    sources.retain(|s| seen.insert(s.to_lowercase()));
    Article {
        source_file: raw.source_file.clone(),
        title,
        sources,
        byline,
        paragraphs,
        removed,
        original_url: raw.front.url.clone(),
        tags: raw.front.tags.clone(),
        edits: edits.into_edits(),
        ..Article::default()
    }
}

/// A line that repeats the title exactly or nearly: at most one edit in
/// eight characters of the folded text (a truncated word, a changed
/// apostrophe), and at least three words.
fn is_near_title(line: &str, title: &str) -> bool {
    if title.is_empty() || line.is_empty() {
        return false;
    }
    if line == title {
        return true;
    }
    let (a, b): (Vec<char>, Vec<char>) = (line.chars().collect(), title.chars().collect());
    if line.split(' ').count() < 3 || a.len().abs_diff(b.len()) * 8 > b.len() {
        return false;
    }
    edit_distance(&a, &b) * 8 <= b.len()
}

/// Levenshtein distance of two character sequences.
fn edit_distance(a: &[char], b: &[char]) -> usize {
    let mut prev: Vec<usize> = (0..=b.len()).collect();
    let mut cur = vec![0; b.len() + 1];
    for (i, ca) in a.iter().enumerate() {
        cur[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            cur[j + 1] = (prev[j] + usize::from(ca != cb)).min(prev[j + 1] + 1).min(cur[j] + 1);
        }
        std::mem::swap(&mut prev, &mut cur);
    }
    prev[b.len()]
}

/// `Source: BBC, Reuters` / `Sources: AFP and AP` → the source names.
fn source_line(line: &str) -> Option<Vec<String>> {
    let lower = line.to_lowercase();
    let rest = ["sources:", "source:"]
        .iter()
        .find_map(|p| lower.strip_prefix(p).map(|_| &line[p.len()..]))?;
    if rest.split_whitespace().count() > 12 || rest.trim_end().ends_with(['!', '?']) {
        return None;
    }
    let names: Vec<String> = rest
        .split([',', ';', '/', '&'])
        .flat_map(|s| s.split(" and "))
        .map(|s| s.trim().trim_end_matches('.').trim().to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!names.is_empty()).then_some(names)
}

/// Words that start a capitalised phrase but never a person's name.
const NOT_NAMES: &[&str] = &[
    "The",
    "Then",
    "Now",
    "This",
    "That",
    "Christmas",
    "Easter",
    "Noon",
    "Midnight",
];

/// `By Jane Doe`, `By Jane Doe and John Roe`, `By Jane Doe, Political
/// reporter`, `Reporting by Jane Doe` → the byline after `By`.
fn byline_line(line: &str) -> Option<String> {
    let rest = ["By ", "BY ", "Written by ", "Reporting by ", "Words by "]
        .iter()
        .find_map(|p| line.strip_prefix(p))?;
    let (names, role) = match rest.split_once(',') {
        Some((n, r)) => (n, Some(r)),
        None => (rest, None),
    };
    let words: Vec<&str> = names.split_whitespace().collect();
    let name_ok = (1..=6).contains(&words.len())
        && words.iter().all(|w| {
            let first_upper = w.chars().next().is_some_and(char::is_uppercase);
            (first_upper
                && !{
                    let w = w.trim_end_matches(['.', ',']);
                    NOT_NAMES.contains(&w) || crate::text::is_calendar_word(w)
                })
                || matches!(*w, "and" | "de" | "al" | "van" | "von" | "bin")
        })
        && words
            .first()
            .is_some_and(|w| w.chars().next().is_some_and(char::is_uppercase));
    let role_ok = role.is_none_or(|r| {
        let n = r.split_whitespace().count();
        (1..=6).contains(&n) && !r.trim_end().ends_with(['.', '!', '?'])
    });
    (name_ok && role_ok && !line.trim_end().ends_with(['.', '!', '?'])).then(|| rest.trim().to_string())
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end()
        .ends_with(['.', '!', '?', '"', '”', '’', ':', ')', ';', ']'])
}

/// Words a subheading does not end with (a line ending so is a broken
/// sentence, e.g. `... said that`).
const OPEN_ENDINGS: &[&str] = &[
    "a", "an", "the", "and", "or", "but", "of", "to", "that", "said", "says", "is", "are", "was", "were", "be", "than",
    "which", "who", "whose", "if", "his", "her", "their", "its", "my", "our", "your", "for", "with", "by", "from",
];

/// A section subheading: 1 to 12 words, no final punctuation, starts with
/// an upper-case letter or digit, does not end on a function word.
fn is_heading(text: &str) -> bool {
    let words: Vec<&str> = text.split_whitespace().collect();
    (1..=12).contains(&words.len())
        && !text.ends_with(['.', ',', ';', ':', '!', '?', '-', '–'])
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
        && !words
            .last()
            .is_some_and(|w| OPEN_ENDINGS.contains(&w.to_lowercase().as_str()))
}

/// Roles of the paragraphs: `standfirst` for an unpunctuated deck of 5
/// to 40 words opening the body, `heading` for a lone subheading between
/// body paragraphs (a run of heading-like lines is a list, not headings).
fn roles(texts: &[String]) -> Vec<Option<String>> {
    let like: Vec<bool> = texts.iter().map(|t| is_heading(t)).collect();
    texts
        .iter()
        .enumerate()
        .map(|(i, text)| {
            let words = text.split_whitespace().count();
            let unpunctuated = !text.ends_with(['.', ',', ';', ':', '!', '?', '"', '”', '-', '–']);
            let last_word_open = text
                .split_whitespace()
                .last()
                .is_some_and(|w| OPEN_ENDINGS.contains(&w.to_lowercase().as_str()));
            if i == 0
                && texts.len() > 1
                && unpunctuated
                && !last_word_open
                && (5..=40).contains(&words)
                && text.chars().next().is_some_and(char::is_uppercase)
            {
                return Some("standfirst".into());
            }
            let prev_like = i > 0 && like[i - 1];
            let next_like = like.get(i + 1).copied().unwrap_or(true);
            let lone = !prev_like && !next_like;
            (like[i] && lone && text.chars().filter(|c| c.is_alphabetic()).count() >= 3).then(|| "heading".to_string())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn clean(r: &RawArticle, cfg: &Config) -> Article {
        clean_one(r, &Furniture::new(cfg, std::slice::from_ref(r)))
    }

    fn raw(title: &str, body: &str) -> RawArticle {
        RawArticle {
            source_file: "t/a.txt".into(),
            title: title.into(),
            title_line: 1,
            body: body
                .split('\n')
                .enumerate()
                .map(|(i, l)| (i + 2, l.to_string()))
                .collect(),
            ..RawArticle::default()
        }
    }

    #[test]
    fn repeated_title_and_furniture_are_removed_and_logged() {
        let a = clean(
            &raw(
                "Can peace save the city’s future?",
                "\nCan peace save the cit's future?\n\nReal text here.\n\nLeave a Reply\n\nSource: BBC, Reuters",
            ),
            &Config::default(),
        );
        assert_eq!(a.paragraphs.len(), 1);
        assert_eq!(a.paragraphs[0].text, "Real text here.");
        let reasons: Vec<_> = a.removed.iter().map(|r| r.reason.as_str()).collect();
        assert_eq!(reasons, ["repeated title", "site boilerplate", "metadata: sources"]);
        assert_eq!(a.sources, ["BBC", "Reuters"]);
        assert_eq!(a.removed[0].line, Some(3));
    }

    #[test]
    fn a_different_sentence_is_not_a_title() {
        let a = clean(
            &raw(
                "Rebels seek a truce in Aleppo",
                "\nRebels seek a truce in Homs after losing the city\n",
            ),
            &Config::default(),
        );
        assert_eq!(a.paragraphs.len(), 1);
        assert!(a.removed.is_empty());
    }

    #[test]
    fn whitespace_is_normalised_and_counted() {
        let a = clean(&raw("T", "One\u{a0}two  three\u{200b}."), &Config::default());
        assert_eq!(a.paragraphs[0].text, "One two three.");
        assert!(a.edits.iter().any(|e| e.kind.contains("no-break") && e.count == 1));
    }

    #[test]
    fn a_no_break_space_line_is_a_paragraph_break() {
        let a = clean(
            &raw("T", "First part ends here.\n\u{a0}\nSecond part follows."),
            &Config::default(),
        );
        assert_eq!(a.paragraphs.len(), 2);
        assert!(a.removed.is_empty());
    }

    #[test]
    fn bylines_are_lifted_only_when_they_look_like_names() {
        let a = clean(
            &raw(
                "T",
                "By Jane Doe, Political correspondent\n\nThe vote was held.\n\nBy Christmas Eve the city had fallen",
            ),
            &Config::default(),
        );
        assert_eq!(a.byline.as_deref(), Some("Jane Doe, Political correspondent"));
        assert_eq!(a.paragraphs.len(), 2, "{:?}", a.paragraphs);
        assert_eq!(a.removed[0].reason, "metadata: byline");
        assert!(byline_line("By the end of the day they had left.").is_none());
        assert!(byline_line("By Tuesday Morning").is_none());
        assert_eq!(
            byline_line("Reporting by Ann Lee and Bob Roe").as_deref(),
            Some("Ann Lee and Bob Roe")
        );
    }

    #[test]
    fn standfirst_and_subheadings_stay_as_paragraphs_with_roles() {
        let a = clean(
            &raw(
                "Troops enter the old city",
                "Residents describe a night of fear as the army moves in\n\nThe army entered the old city on Monday.\n\nAid stalls\n\nConvoys waited at the border.\n\nThe commander of the northern front said that\n\nWe will finish soon.",
            ),
            &Config::default(),
        );
        let roles: Vec<_> = a.paragraphs.iter().map(|p| p.role.as_deref()).collect();
        assert_eq!(roles, [Some("standfirst"), None, Some("heading"), None, None, None]);
        assert!(a.removed.is_empty());
    }

    #[test]
    fn a_repeated_title_deep_in_the_body_is_kept() {
        let body = "One.\n\nTwo.\n\nThree.\n\nFour.\n\nRebels seek a truce in Aleppo";
        let a = clean(&raw("Rebels seek a truce in Aleppo", body), &Config::default());
        assert!(a.removed.is_empty());
        assert_eq!(a.paragraphs.len(), 5);
    }

    #[test]
    fn corpus_furniture_is_removed_at_the_edges_only() {
        let arts: Vec<RawArticle> = (0..4)
            .map(|i| raw(&format!("Title {i}"), &format!("Story {i} has words.\n\nJoin the conversation\n\nMore of story {i}.\n\nA.\n\nB.\n\nC.\n\nJoin the conversation")))
            .collect();
        let out = run(&mut arts.clone(), &Config::default(), &Store::off());
        for a in &out {
            assert_eq!(a.removed.len(), 2, "{:?}", a.removed);
            assert!(a
                .removed
                .iter()
                .all(|r| r.reason == "furniture recurring across articles"));
        }
        let off = Config {
            corpus_furniture: false,
            ..Config::default()
        };
        assert!(run(&mut arts.clone(), &off, &Store::off())[0].removed.is_empty());
    }

    #[test]
    fn single_newline_paragraphs_split_after_a_sentence() {
        let a = clean(
            &raw("T", "First sentence ends.\nSecond one\ncontinues here."),
            &Config::default(),
        );
        let texts: Vec<_> = a.paragraphs.iter().map(|p| p.text.as_str()).collect();
        assert_eq!(texts, ["First sentence ends.", "Second one continues here."]);
    }

    #[test]
    fn custom_boilerplate_and_disabling_defaults() {
        let cfg = Config {
            default_boilerplate: false,
            boilerplate: vec!["Subscribe now!".into()],
            ..Config::default()
        };
        let a = clean(&raw("T", "Leave a Reply\n\nSUBSCRIBE NOW"), &cfg);
        assert_eq!(a.paragraphs.len(), 1);
        assert_eq!(a.removed.len(), 1);
    }
}
