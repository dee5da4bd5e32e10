//! Stage 2, clean: turn raw body lines into paragraphs, dropping repeated
//! titles and site furniture, lifting metadata lines (`Source: ...`,
//! `By ...`) into fields, and normalising typography. Nothing is lost:
//! every dropped or lifted line is listed in `removed` with a reason, and
//! in-line edits are counted in `edits`.

use serde::{Deserialize, Serialize};
use unicode_normalization::UnicodeNormalization;

use crate::ingest::{is_blank, RawArticle};
use crate::model::{Article, Edit, Paragraph, Removed};
use crate::text::fold;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Use the built-in list of furniture lines ("Leave a Reply", ...).
    pub default_boilerplate: bool,
    /// Extra furniture lines (matched whole, ignoring case and punctuation).
    pub boilerplate: Vec<String>,
}

impl Default for Config {
    fn default() -> Self {
        Config {
            default_boilerplate: true,
            boilerplate: Vec::new(),
        }
    }
}

/// Furniture lines scraped pages carry; matched against a whole line.
pub const DEFAULT_BOILERPLATE: &[&str] = &[
    "leave a reply",
    "leave a comment",
    "send this to a friend",
    "share this",
    "share this article",
    "share this story",
    "share on facebook",
    "share on twitter",
    "click here to subscribe",
    "subscribe to our newsletter",
    "advertisement",
    "related articles",
    "related stories",
    "read more",
    "continue reading",
    "print this page",
    "you may also like",
    "comments",
];

/// Cleans every raw article into an [`Article`] (id, url and annotations are
/// filled in by later stages).
pub fn run(raw: &[RawArticle], cfg: &Config) -> Vec<Article> {
    use rayon::prelude::*;
    raw.par_iter().map(|r| clean_one(r, cfg)).collect()
}

fn clean_one(raw: &RawArticle, cfg: &Config) -> Article {
    let mut edits = EditLog::default();
    let title = normalise(&raw.title, &mut edits);
    let title_fold = fold(&title);
    let furniture: Vec<String> = cfg
        .boilerplate
        .iter()
        .map(|s| fold(s))
        .chain(
            cfg.default_boilerplate
                .then(|| DEFAULT_BOILERPLATE.iter().map(|s| s.to_string()))
                .into_iter()
                .flatten(),
        )
        .collect();
    let mut removed = Vec::new();
    let mut sources = raw.front.source_list();
    let mut byline = raw.front.byline.clone();
    // Blocks of consecutive non-blank lines.
    let mut blocks: Vec<Vec<(usize, String)>> = vec![Vec::new()];
    for (line_no, line) in &raw.body {
        if is_blank(line) {
            blocks.push(Vec::new());
            continue;
        }
        let text = normalise(line, &mut edits);
        let folded = fold(&text);
        if !title_fold.is_empty() && is_near_title(&folded, &title_fold) {
            removed.push(Removed {
                text: line.trim().to_string(),
                reason: "repeated title".into(),
                line: Some(*line_no),
            });
            continue;
        }
        if furniture.contains(&folded) {
            removed.push(Removed {
                text: line.trim().to_string(),
                reason: "site boilerplate".into(),
                line: Some(*line_no),
            });
            continue;
        }
        if let Some(list) = source_line(&text) {
            sources.extend(list);
            removed.push(Removed {
                text: line.trim().to_string(),
                reason: "metadata: sources".into(),
                line: Some(*line_no),
            });
            continue;
        }
        if byline.is_none() {
            if let Some(name) = byline_line(&text) {
                byline = Some(name);
                removed.push(Removed {
                    text: line.trim().to_string(),
                    reason: "metadata: byline".into(),
                    line: Some(*line_no),
                });
                continue;
            }
        }
        blocks.last_mut().expect("one block").push((*line_no, text));
    }
    let mut paragraphs = Vec::new();
    for block in blocks.into_iter().filter(|b| !b.is_empty()) {
        let mut current = String::new();
        for (_, line) in block {
            if current.is_empty() {
                current = line;
            } else if ends_sentence(&current) {
                paragraphs.push(std::mem::take(&mut current));
                current = line;
            } else {
                current.push(' ');
                current.push_str(&line);
            }
        }
        if !current.is_empty() {
            paragraphs.push(current);
        }
    }
    let paragraphs = paragraphs
        .into_iter()
        .enumerate()
        .map(|(i, text)| Paragraph {
            id: format!("p{}", i + 1),
            role: is_heading(&text).then(|| "heading".to_string()),
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

/// Counts of in-line edits by kind.
#[derive(Default)]
struct EditLog(std::collections::BTreeMap<&'static str, usize>);

impl EditLog {
    fn add(&mut self, kind: &'static str, n: usize) {
        if n > 0 {
            *self.0.entry(kind).or_default() += n;
        }
    }
    fn into_edits(self) -> Vec<Edit> {
        self.0
            .into_iter()
            .map(|(k, count)| Edit {
                kind: k.to_string(),
                count,
            })
            .collect()
    }
}

/// Unicode NFC, no-break and zero-width characters, collapsed whitespace.
/// Words and quote marks are kept as written.
fn normalise(line: &str, edits: &mut EditLog) -> String {
    let nfc: String = line.nfc().collect();
    if nfc != line {
        edits.add("unicode NFC", 1);
    }
    let mut out = String::with_capacity(nfc.len());
    let (mut nbsp, mut zw, mut ws) = (0, 0, 0);
    let mut last_space = true;
    for c in nfc.chars() {
        match c {
            '\u{200b}' | '\u{200c}' | '\u{200d}' | '\u{feff}' | '\u{ad}' => zw += 1,
            c if c.is_whitespace() => {
                if c != ' ' {
                    nbsp += 1;
                }
                if last_space {
                    ws += 1;
                } else {
                    out.push(' ');
                }
                last_space = true;
            }
            c => {
                out.push(c);
                last_space = false;
            }
        }
    }
    if out.ends_with(' ') {
        out.pop();
        ws += 1;
    }
    edits.add("no-break or unusual space replaced", nbsp);
    edits.add("zero-width character removed", zw);
    edits.add("whitespace collapsed", ws);
    out
}

/// A line that repeats the title exactly or nearly (a word or two changed).
fn is_near_title(line: &str, title: &str) -> bool {
    if line == title {
        return true;
    }
    let a: Vec<&str> = line.split(' ').collect();
    let b: Vec<&str> = title.split(' ').collect();
    if a.len() < 3 || a.len().abs_diff(b.len()) > 1 {
        return false;
    }
    let same = a
        .iter()
        .zip(&b)
        .filter(|(x, y)| x == y || x.starts_with(**y) || y.starts_with(**x))
        .count();
    same * 10 >= a.len().max(b.len()) * 8
}

/// `Source: BBC, Reuters` / `Sources: AFP and AP` → the source names.
fn source_line(line: &str) -> Option<Vec<String>> {
    let lower = line.to_lowercase();
    let rest = ["source:", "sources:"]
        .iter()
        .find_map(|p| lower.strip_prefix(p).map(|_| &line[p.len()..]))?;
    if rest.split_whitespace().count() > 12 {
        return None;
    }
    let names: Vec<String> = rest
        .split([',', ';', '/'])
        .flat_map(|s| s.split(" and "))
        .map(|s| s.trim().trim_end_matches('.').to_string())
        .filter(|s| !s.is_empty())
        .collect();
    (!names.is_empty()).then_some(names)
}

/// `By Jane Doe` (a short line of capitalised words) → `Jane Doe`.
fn byline_line(line: &str) -> Option<String> {
    let rest = line.strip_prefix("By ").or_else(|| line.strip_prefix("BY "))?;
    let words: Vec<&str> = rest.split_whitespace().collect();
    let ok = (1..=6).contains(&words.len())
        && words.iter().all(|w| {
            w.chars().next().is_some_and(|c| c.is_uppercase()) || matches!(*w, "and" | "de" | "al" | "van" | "von")
        });
    ok.then(|| rest.trim().to_string())
}

fn ends_sentence(text: &str) -> bool {
    text.trim_end().ends_with(['.', '!', '?', '"', '”', '’', ':', ')', ';'])
}

/// A section subheading: short, no final punctuation, starts upper-case.
fn is_heading(text: &str) -> bool {
    let words = text.split_whitespace().count();
    (1..=12).contains(&words)
        && !text.ends_with(['.', ',', ';', ':', '!'])
        && text
            .chars()
            .next()
            .is_some_and(|c| c.is_uppercase() || c.is_ascii_digit())
}

#[cfg(test)]
mod tests {
    use super::*;

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
        let a = clean_one(
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
        let a = clean_one(
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
        let a = clean_one(&raw("T", "One\u{a0}two  three\u{200b}."), &Config::default());
        assert_eq!(a.paragraphs[0].text, "One two three.");
        assert!(a.edits.iter().any(|e| e.kind.contains("no-break") && e.count == 1));
    }

    #[test]
    fn single_newline_paragraphs_split_after_a_sentence() {
        let a = clean_one(
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
        };
        let a = clean_one(&raw("T", "Leave a Reply\n\nSUBSCRIBE NOW"), &cfg);
        assert_eq!(a.paragraphs.len(), 1);
        assert_eq!(a.removed.len(), 1);
    }
}
