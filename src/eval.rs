//! `dossier eval GOLD.json`: scores a build's `data/archive.json` against a
//! hand-made gold file (keyed by input file name) and prints the figures.
//!
//! Texts are compared after folding whitespace (no-break spaces included)
//! and quote characters, as the gold file's conventions ask.

use std::collections::BTreeMap;
use std::path::Path;

use anyhow::{Context, Result};
use serde_json::Value;

use crate::model::{Archive, Article};

/// Precision, recall and F1 from counts.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Prf {
    pub found: usize,
    pub gold: usize,
    pub correct: usize,
}

impl Prf {
    pub fn precision(&self) -> f64 {
        ratio(self.correct, self.found)
    }
    pub fn recall(&self) -> f64 {
        ratio(self.correct, self.gold)
    }
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

/// One named figure of the evaluation.
#[derive(Debug, Clone, PartialEq)]
pub struct Score {
    pub name: String,
    pub value: f64,
    pub detail: String,
}

/// Folds text for comparison: whitespace runs to one space, curly quotes
/// and apostrophes to straight ones, trimmed.
pub fn norm(s: &str) -> String {
    let mapped: String = s
        .chars()
        .map(|c| match c {
            '\u{2018}' | '\u{2019}' | '\u{201a}' | '\u{2032}' => '\'',
            '\u{201c}' | '\u{201d}' | '\u{201e}' | '\u{2033}' => '"',
            c if c.is_whitespace() => ' ',
            c => c,
        })
        .collect();
    mapped.split_whitespace().collect::<Vec<_>>().join(" ")
}

/// Scores `archive` against `gold`.
pub fn score(gold: &Value, archive: &Archive) -> Vec<Score> {
    let by_file: BTreeMap<String, &Article> = archive
        .articles
        .iter()
        .map(|a| {
            (
                a.source_file.rsplit('/').next().unwrap_or(&a.source_file).to_string(),
                a,
            )
        })
        .collect();
    let empty = serde_json::Map::new();
    let gold_articles = gold.get("articles").and_then(Value::as_object).unwrap_or(&empty);
    let mut quotes = Prf::default();
    let mut windows = (0usize, 0usize);
    let mut window_detail = Vec::new();
    for (file, g) in gold_articles {
        let Some(a) = by_file.get(file) else { continue };
        let gold_quotes: Vec<String> = g
            .get("quotes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|q| q.get("text")?.as_str().map(norm))
            .collect();
        let found: Vec<String> = a.quotes.iter().map(|q| norm(&q.text)).collect();
        quotes.gold += gold_quotes.len();
        quotes.found += found.len();
        let mut pool = found.clone();
        for gq in &gold_quotes {
            if let Some(i) = pool.iter().position(|f| f == gq) {
                pool.remove(i);
                quotes.correct += 1;
            }
        }
        if let Some(w) = g.get("publication_date") {
            let (lo, hi) = (
                w.get("earliest").and_then(Value::as_str),
                w.get("latest").and_then(Value::as_str),
            );
            windows.1 += 1;
            let ok = matches!((a.date.value.as_deref(), lo, hi), (Some(v), Some(lo), Some(hi)) if v >= lo && v <= hi);
            if ok {
                windows.0 += 1;
            }
            window_detail.push(format!(
                "{file}: {} in [{}, {}]",
                a.date.value.as_deref().unwrap_or("none"),
                lo.unwrap_or("?"),
                hi.unwrap_or("?")
            ));
        }
    }
    let mut scores = vec![
        Score {
            name: "quote span precision".into(),
            value: quotes.precision(),
            detail: format!("{}/{}", quotes.correct, quotes.found),
        },
        Score {
            name: "quote span recall".into(),
            value: quotes.recall(),
            detail: format!("{}/{}", quotes.correct, quotes.gold),
        },
        Score {
            name: "quote span F1".into(),
            value: quotes.f1(),
            detail: String::new(),
        },
        Score {
            name: "publication dates in gold window".into(),
            value: ratio(windows.0, windows.1),
            detail: window_detail.join("; "),
        },
    ];
    scores.extend(score_cleaning(gold, archive));
    scores
}

/// Scores cleaning and passage detection: dropped lines (repeated titles,
/// furniture) against the gold `dropped_lines`, metadata lines (kept with a
/// role, or lifted into a field) against `metadata_lines`, and shared
/// passages against `shared_paragraphs` (a passage counts when it is found
/// with exactly the gold set of files).
pub fn score_cleaning(gold: &Value, archive: &Archive) -> Vec<Score> {
    let file_of = |a: &Article| a.source_file.rsplit('/').next().unwrap_or(&a.source_file).to_string();
    let by_file: BTreeMap<String, &Article> = archive.articles.iter().map(|a| (file_of(a), a)).collect();
    let by_id: BTreeMap<&str, &Article> = archive.articles.iter().map(|a| (a.id.as_str(), a)).collect();
    let empty = serde_json::Map::new();
    let gold_articles = gold.get("articles").and_then(Value::as_object).unwrap_or(&empty);
    let (mut dropped, mut meta) = (Prf::default(), (0usize, 0usize));
    let mut missed = Vec::new();
    for (file, g) in gold_articles {
        let Some(a) = by_file.get(file) else { continue };
        let want: Vec<String> = g
            .get("dropped_lines")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(norm))
            .collect();
        let mut got: Vec<String> = a
            .removed
            .iter()
            .filter(|r| !r.reason.starts_with("metadata"))
            .map(|r| norm(&r.text))
            .collect();
        dropped.gold += want.len();
        dropped.found += got.len();
        for w in &want {
            if let Some(i) = got.iter().position(|x| x == w) {
                got.remove(i);
                dropped.correct += 1;
            } else {
                missed.push(format!("{file}: {w}"));
            }
        }
        for (line, what) in g.get("metadata_lines").and_then(Value::as_object).into_iter().flatten() {
            let line = norm(line);
            meta.1 += 1;
            let lifted = a
                .removed
                .iter()
                .any(|r| r.reason.starts_with("metadata") && norm(&r.text) == line);
            let with_role = a.paragraphs.iter().any(|p| p.role.is_some() && norm(&p.text) == line);
            let is_field = what
                .as_str()
                .is_some_and(|w| w.starts_with("sources") || w.starts_with("byline"));
            if (is_field && lifted) || (!is_field && with_role) {
                meta.0 += 1;
            } else {
                missed.push(format!("{file}: metadata {line}"));
            }
        }
    }
    // Shared passages: each found passage as its set of files.
    let para_text = |o: &crate::model::Occurrence| -> Option<String> {
        let a = by_id.get(o.article.as_str())?;
        a.paragraphs.iter().find(|p| p.id == o.paragraph).map(|p| norm(&p.text))
    };
    // (files, [(file, folded paragraph text)]) per found passage.
    type Found = (std::collections::BTreeSet<String>, Vec<(String, String)>);
    let found: Vec<Found> = archive
        .shared_passages
        .iter()
        .map(|s| {
            let occ: Vec<(String, String)> = s
                .occurrences
                .iter()
                .filter_map(|o| Some((file_of(by_id.get(o.article.as_str())?), para_text(o)?)))
                .collect();
            (occ.iter().map(|o| o.0.clone()).collect(), occ)
        })
        .collect();
    let gold_passages = gold
        .get("shared_paragraphs")
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let mut passages = Prf {
        found: found.len(),
        gold: gold_passages.len(),
        correct: 0,
    };
    let mut used = vec![false; found.len()];
    for g in &gold_passages {
        let files: std::collections::BTreeSet<String> = g
            .get("in")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .filter_map(|v| v.as_str().map(str::to_string))
            .collect();
        let start = norm(g.get("text_start").and_then(Value::as_str).unwrap_or(""));
        let first = g.pointer("/in/0").and_then(Value::as_str).unwrap_or("");
        let hit = found.iter().enumerate().position(|(i, (fs, occ))| {
            !used[i] && *fs == files && occ.iter().any(|(f, t)| f == first && t.starts_with(&start))
        });
        match hit {
            Some(i) => {
                used[i] = true;
                passages.correct += 1;
            }
            None => missed.push(format!("passage: {start}")),
        }
    }
    vec![
        Score {
            name: "dropped lines precision".into(),
            value: dropped.precision(),
            detail: format!("{}/{}", dropped.correct, dropped.found),
        },
        Score {
            name: "dropped lines recall".into(),
            value: dropped.recall(),
            detail: format!("{}/{}", dropped.correct, dropped.gold),
        },
        Score {
            name: "metadata lines kept with a role or lifted".into(),
            value: ratio(meta.0, meta.1),
            detail: format!("{}/{}", meta.0, meta.1),
        },
        Score {
            name: "shared passages precision".into(),
            value: passages.precision(),
            detail: format!("{}/{}", passages.correct, passages.found),
        },
        Score {
            name: "shared passages recall".into(),
            value: passages.recall(),
            detail: format!("{}/{}; missed: {}", passages.correct, passages.gold, missed.join(" | ")),
        },
    ]
}

/// Loads the gold file and the site's archive, scores, and returns a report.
pub fn run(gold_path: &Path, site: &Path) -> Result<Vec<Score>> {
    let gold: Value = serde_json::from_str(
        &std::fs::read_to_string(gold_path)
            .with_context(|| format!("cannot read gold file {}", gold_path.display()))?,
    )
    .with_context(|| format!("{} is not valid JSON", gold_path.display()))?;
    let json_path = site.join("data/archive.json");
    let archive: Archive = serde_json::from_str(
        &std::fs::read_to_string(&json_path)
            .with_context(|| format!("cannot read {} (build the site first)", json_path.display()))?,
    )
    .with_context(|| format!("{} does not follow the archive model", json_path.display()))?;
    Ok(score(&gold, &archive))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn prf_figures() {
        let p = Prf {
            found: 4,
            gold: 5,
            correct: 3,
        };
        assert!((p.precision() - 0.75).abs() < 1e-9);
        assert!((p.recall() - 0.6).abs() < 1e-9);
        assert!((p.f1() - 2.0 * 0.75 * 0.6 / 1.35).abs() < 1e-9);
    }

    #[test]
    fn cleaning_scores_count_dropped_lines_and_passages() {
        use crate::model::{Occurrence, Paragraph, Removed, SharedPassage};
        let para = |id: &str, text: &str| Paragraph {
            id: id.into(),
            text: text.into(),
            role: None,
        };
        let art = |id: &str, paras: Vec<Paragraph>, removed: Vec<Removed>| Article {
            id: id.into(),
            source_file: format!("in/{id}.txt"),
            paragraphs: paras,
            removed,
            ..Article::default()
        };
        let dropped = |t: &str| Removed {
            text: t.into(),
            reason: "site boilerplate".into(),
            line: Some(3),
        };
        let occ = |a: &str, p: &str| Occurrence {
            article: a.into(),
            paragraph: p.into(),
        };
        let archive = Archive {
            articles: vec![
                art(
                    "a",
                    vec![para("p1", "Shared words here today."), para("p2", "Own text.")],
                    vec![dropped("Share this")],
                ),
                art(
                    "b",
                    vec![para("p1", "Shared words here today!"), para("p2", "Own text.")],
                    vec![dropped("Tweet")],
                ),
            ],
            shared_passages: vec![
                SharedPassage {
                    text: "Shared words here today.".into(),
                    occurrences: vec![occ("a", "p1"), occ("b", "p1")],
                },
                SharedPassage {
                    text: "Own text.".into(),
                    occurrences: vec![occ("a", "p2"), occ("b", "p2")],
                },
            ],
            ..Archive::default()
        };
        let gold = serde_json::json!({
            "articles": {"a.txt": {"dropped_lines": ["Share this"]}, "b.txt": {"dropped_lines": []}},
            "shared_paragraphs": [{"text_start": "Shared words", "in": ["a.txt", "b.txt"]}]
        });
        let s = score_cleaning(&gold, &archive);
        let v = |n: &str| s.iter().find(|x| x.name == n).unwrap().value;
        assert_eq!(v("dropped lines precision"), 0.5);
        assert_eq!(v("dropped lines recall"), 1.0);
        assert_eq!(v("shared passages precision"), 0.5);
        assert_eq!(v("shared passages recall"), 1.0);
    }

    #[test]
    fn norm_folds_spaces_and_quote_marks() {
        assert_eq!(norm(" a\u{a0} ‘b’  “c” "), "a 'b' \"c\"");
    }
}
