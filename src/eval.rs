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

/// Folds a gold or archive name for matching: `norm`, lower case, no
/// leading "the ", no "unnamed " and no parenthetical note.
fn name_key(s: &str) -> String {
    let mut k = norm(s).to_lowercase();
    if let Some(i) = k.find(" (") {
        k.truncate(i);
    }
    for p in ["the ", "unnamed "] {
        if let Some(rest) = k.strip_prefix(p) {
            k = rest.to_string();
        }
    }
    k.trim().to_string()
}

/// Names an archive entity answers to: its name, aliases and id.
fn entity_keys(archive: &Archive) -> BTreeMap<&str, Vec<String>> {
    archive
        .entities
        .iter()
        .map(|e| {
            let mut keys: Vec<String> = std::iter::once(&e.name)
                .chain(&e.aliases)
                .map(|n| name_key(n))
                .collect();
            keys.push(e.id.clone());
            (e.id.as_str(), keys)
        })
        .collect()
}

/// Does archive entity `id` stand for the gold name `gold` (directly, by
/// slug, or through one of the gold file's alias groups)?
fn same_entity(gold: &str, id: &str, keys: &BTreeMap<&str, Vec<String>>, groups: &[Vec<String>]) -> bool {
    let mut wanted: Vec<String> = vec![name_key(gold)];
    for g in groups {
        if g.iter().any(|f| name_key(f) == name_key(gold)) {
            wanted.extend(g.iter().map(|f| name_key(f)));
        }
    }
    if wanted.iter().any(|w| crate::text::slugify(w, 60) == id) {
        return true;
    }
    let Some(ks) = keys.get(id) else { return false };
    wanted.iter().any(|w| ks.contains(w))
}

fn is_unnamed(gold: &str) -> bool {
    gold.contains("unnamed") || gold.contains('(')
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
    let groups: Vec<Vec<String>> = gold
        .get("aliases")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(|g| {
            g.as_array()
                .map(|g| g.iter().filter_map(|f| f.as_str().map(String::from)).collect())
        })
        .collect();
    let keys = entity_keys(archive);
    let mut quotes = Prf::default();
    let mut speakers = (0usize, 0usize);
    let mut speaker_misses = Vec::new();
    let mut attrs = Prf::default();
    let mut attr_misses = Vec::new();
    let mut windows = (0usize, 0usize);
    let mut window_detail = Vec::new();
    for (file, g) in gold_articles {
        let Some(a) = by_file.get(file) else { continue };
        let gold_quotes: Vec<&Value> = g
            .get("quotes")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        quotes.gold += gold_quotes.len();
        quotes.found += a.quotes.len();
        let mut pool: Vec<usize> = (0..a.quotes.len()).collect();
        for gq in &gold_quotes {
            let text = gq.get("text").and_then(Value::as_str).map(norm).unwrap_or_default();
            let Some(k) = pool.iter().position(|&i| norm(&a.quotes[i].text) == text) else {
                continue;
            };
            let q = &a.quotes[pool.remove(k)];
            quotes.correct += 1;
            speakers.1 += 1;
            let gs = gq.get("speaker").and_then(Value::as_str);
            let gm = gq.get("speaker_mention").and_then(Value::as_str);
            let ok = match (gs, &q.speaker) {
                (None, None) => true,
                (Some(name), Some(id)) => same_entity(name, id, &keys, &groups),
                (Some(name), None) => {
                    is_unnamed(name) && q.speaker_mention.as_deref().map(name_key) == gm.map(name_key) && gm.is_some()
                }
                (None, Some(_)) => false,
            };
            if ok {
                speakers.0 += 1;
            } else {
                speaker_misses.push(format!(
                    "{file}: “{}” gold {} got {}",
                    text.chars().take(30).collect::<String>(),
                    gs.unwrap_or("none"),
                    q.speaker.as_deref().or(q.speaker_mention.as_deref()).unwrap_or("none")
                ));
            }
        }
        // Attributions: same sentence's paragraph (or the credit line) and same source.
        let gold_attrs: Vec<&Value> = g
            .get("attributions")
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
            .collect();
        attrs.gold += gold_attrs.len();
        attrs.found += a.attributions.len();
        let mut pool: Vec<usize> = (0..a.attributions.len()).collect();
        // Exact source matches first, then described (unnamed) ones.
        let mut missed: Vec<(bool, &Value)> = gold_attrs.iter().map(|g| (false, *g)).collect();
        for loose in [false, true] {
            for (done, ga) in missed.iter_mut().filter(|m| !m.0) {
                let src = ga.get("source").and_then(Value::as_str).unwrap_or("");
                let start = ga
                    .get("sentence_start")
                    .and_then(Value::as_str)
                    .map(norm)
                    .unwrap_or_default();
                let paras: Vec<&str> = a
                    .paragraphs
                    .iter()
                    .filter(|p| norm(&p.text).contains(&start))
                    .map(|p| p.id.as_str())
                    .collect();
                let hit = pool.iter().position(|&i| {
                    let f = &a.attributions[i];
                    let place_ok = if paras.is_empty() {
                        f.paragraph.is_empty()
                    } else {
                        paras.contains(&f.paragraph.as_str())
                    };
                    let same = if loose {
                        is_unnamed(src) && f.source.starts_with("unnamed-")
                    } else {
                        same_entity(src, &f.source, &keys, &groups)
                    };
                    place_ok && same
                });
                if let Some(k) = hit {
                    pool.remove(k);
                    attrs.correct += 1;
                    *done = true;
                }
            }
        }
        for (_, ga) in missed.iter().filter(|m| !m.0) {
            attr_misses.push(format!(
                "{file}: {} ({})",
                ga.get("source").and_then(Value::as_str).unwrap_or(""),
                ga.get("cue").and_then(Value::as_str).unwrap_or("")
            ));
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
    // Alias groups: every form of a group among one entity's names.
    let mut merged = 0;
    let mut alias_misses = Vec::new();
    for g in &groups {
        let ok = keys.values().any(|ks| {
            g.iter().all(|f| {
                let k = name_key(f);
                ks.contains(&k) || k.is_empty()
            })
        });
        if ok {
            merged += 1;
        } else {
            let missing: Vec<&str> = g
                .iter()
                .filter(|f| !keys.values().any(|ks| ks.contains(&name_key(f))))
                .map(String::as_str)
                .collect();
            alias_misses.push(format!("[{}] unseen: {}", g.join(" / "), missing.join(", ")));
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
            name: "speaker accuracy (matched gold quotes)".into(),
            value: ratio(speakers.0, speakers.1),
            detail: format!("{}/{}; wrong: {}", speakers.0, speakers.1, speaker_misses.join("; ")),
        },
        Score {
            name: "attribution recall".into(),
            value: attrs.recall(),
            detail: format!("{}/{}; missed: {}", attrs.correct, attrs.gold, attr_misses.join("; ")),
        },
        Score {
            name: "attribution precision (vs gold list)".into(),
            value: attrs.precision(),
            detail: format!("{}/{}", attrs.correct, attrs.found),
        },
        Score {
            name: "alias groups merged".into(),
            value: ratio(merged, groups.len()),
            detail: format!("{merged}/{}; not merged: {}", groups.len(), alias_misses.join("; ")),
        },
        Score {
            name: "publication dates in gold window".into(),
            value: ratio(windows.0, windows.1),
            detail: window_detail.join("; "),
        },
    ];
    scores.extend(score_dates(gold, archive));
    scores.extend(score_cleaning(gold, archive));
    scores
}

/// Scores date mentions: the share of gold `dates` entries found (matched by
/// mention text within the article, preferring the paragraph that holds the
/// gold `sentence_start`; a found mention may be longer, e.g. with a clock
/// time), the share resolved to the gold value, and the share of found
/// mentions that match a gold entry.
pub fn score_dates(gold: &Value, archive: &Archive) -> Vec<Score> {
    let empty = serde_json::Map::new();
    let gold_articles = gold.get("articles").and_then(Value::as_object).unwrap_or(&empty);
    let (mut total, mut found, mut resolved, mut extracted) = (0usize, 0usize, 0usize, 0usize);
    let mut misses = Vec::new();
    for (file, g) in gold_articles {
        let Some(a) = archive
            .articles
            .iter()
            .find(|a| a.source_file.rsplit('/').next() == Some(file.as_str()))
        else {
            continue;
        };
        let lower = |s: &str| norm(s).to_lowercase();
        let para_text: BTreeMap<&str, String> = a.paragraphs.iter().map(|p| (p.id.as_str(), lower(&p.text))).collect();
        let mut used = vec![false; a.dates.len()];
        extracted += a.dates.len();
        for d in g.get("dates").and_then(Value::as_array).into_iter().flatten() {
            let (Some(mention), Some(value)) = (
                d.get("mention").and_then(Value::as_str),
                d.get("value").and_then(Value::as_str),
            ) else {
                continue;
            };
            total += 1;
            let m = lower(mention);
            let start = d
                .get("sentence_start")
                .and_then(Value::as_str)
                .map(lower)
                .unwrap_or_default();
            let text_ok = |t: &str| {
                let t = lower(t);
                t == m || t.ends_with(&format!(" {m}")) || t.starts_with(&format!("{m} "))
            };
            let in_sentence = |pid: &str| para_text.get(pid).is_some_and(|p| p.contains(&start));
            let hit = (0..a.dates.len())
                .filter(|&i| !used[i] && text_ok(&a.dates[i].text))
                .min_by_key(|&i| (!in_sentence(&a.dates[i].paragraph), a.dates[i].value != value));
            match hit {
                Some(i) => {
                    used[i] = true;
                    found += 1;
                    if a.dates[i].value == value {
                        resolved += 1;
                    } else {
                        misses.push(format!("{file}: {mention:?} -> {} (gold {value})", a.dates[i].value));
                    }
                }
                None => misses.push(format!("{file}: {mention:?} not found")),
            }
        }
    }
    vec![
        Score {
            name: "date mentions found".into(),
            value: ratio(found, total),
            detail: format!("{found}/{total}"),
        },
        Score {
            name: "date mentions resolved to the gold value".into(),
            value: ratio(resolved, total),
            detail: format!(
                "{resolved}/{total}{}{}",
                if misses.is_empty() { "" } else { "; " },
                misses.join("; ")
            ),
        },
        Score {
            name: "date mention precision".into(),
            value: ratio(found, extracted),
            detail: format!("{found}/{extracted}"),
        },
    ]
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
    fn seeds_meet_the_annotation_targets() {
        let gold_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/gold/seeds.json");
        let Ok(text) = std::fs::read_to_string(gold_path) else {
            eprintln!("skipped: {gold_path} is absent");
            return;
        };
        let gold: Value = serde_json::from_str(&text).unwrap();
        let root = Path::new(env!("CARGO_MANIFEST_DIR"));
        let cfg = crate::config::Config::default();
        let paths = crate::build::Paths {
            input: root.join("seeds"),
            output: root.join("target/eval-site"),
            templates: None,
        };
        let (archive, _) = crate::build::model(&paths, &cfg, &mut Vec::new()).unwrap();
        let scores = score(&gold, &archive);
        let get = |n: &str| scores.iter().find(|s| s.name.starts_with(n)).unwrap().value;
        assert!(get("quote span F1") >= 0.95, "{scores:?}");
        assert!(get("speaker accuracy") >= 0.90, "{scores:?}");
        assert!(get("attribution recall") >= 0.90, "{scores:?}");
        assert!(get("alias groups merged") >= 1.0, "{scores:?}");
    }

    #[test]
    fn names_match_through_gold_alias_groups() {
        let archive = Archive {
            entities: vec![crate::model::Entity {
                id: "harbour-board".into(),
                name: "Harbour Board".into(),
                kind: "organisation".into(),
                aliases: vec!["HB".into()],
                url: String::new(),
            }],
            ..Archive::default()
        };
        let keys = entity_keys(&archive);
        let groups = vec![vec!["The Harbour Authority".to_string(), "HB".to_string()]];
        assert!(same_entity("Harbour Board", "harbour-board", &keys, &[]));
        assert!(same_entity("The Harbour Authority", "harbour-board", &keys, &groups));
        assert!(!same_entity("Port Police", "harbour-board", &keys, &groups));
        assert_eq!(name_key("unnamed diplomatic source (2)"), "diplomatic source");
    }

    #[test]
    fn norm_folds_spaces_and_quote_marks() {
        assert_eq!(norm(" a\u{a0} ‘b’  “c” "), "a 'b' \"c\"");
    }
}
