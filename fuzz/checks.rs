//! Invariants shared by the fuzz targets (`fuzz/fuzz_targets/`) and the
//! property tests (`tests/properties.rs`): each function takes arbitrary
//! input, runs one stage through its public entry point and panics when
//! the stage panics or breaks its contract. No lost text: every word of the
//! input is found again in the title, a paragraph, or a `removed` entry
//! (or the byline and sources lifted from it). Offsets are char boundaries
//! inside their paragraph and the recorded text is the slice they cover.

#![allow(dead_code)]

use std::path::Path;

use dossier::model::{Article, Paragraph, Warning};
use unicode_normalization::UnicodeNormalization;

/// Lower-cased, NFKC-normalised words (runs of letters and digits).
fn words(text: &str) -> Vec<String> {
    let norm: String = text.nfkc().collect::<String>().to_lowercase();
    norm.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

/// Everything an article kept, normalised like [`words`], for substring search.
fn kept_text(a: &Article) -> String {
    let mut all = vec![a.title.clone()];
    all.extend(a.paragraphs.iter().map(|p| p.text.clone()));
    all.extend(a.removed.iter().map(|r| r.text.clone()));
    all.extend(a.byline.clone());
    all.extend(a.sources.clone());
    all.join("\n").nfkc().collect::<String>().to_lowercase()
}

/// The words of `input` not found in anything `a` kept.
pub fn lost_words(input: &str, a: &Article) -> Vec<String> {
    let kept = kept_text(a);
    words(input)
        .into_iter()
        .filter(|w| !kept.contains(w.as_str()))
        .collect()
}

/// Ingest never panics on any bytes; on text it keeps every word.
pub fn ingest(data: &[u8]) {
    for md in [false, true] {
        let mut w: Vec<Warning> = Vec::new();
        let name = if md { "f.md" } else { "f.txt" };
        let got = dossier::ingest::read_article(name, Path::new(name), data, md, &mut w);
        let Ok(Some(a)) = got else { continue };
        let mut last = 0;
        for (line, _) in &a.body {
            assert!(*line >= last, "body line numbers go back: {} after {last}", line);
            last = *line;
        }
        if md {
            continue; // Markdown drops link targets and markup by design.
        }
        let Ok(text) = std::str::from_utf8(data) else { continue };
        let mut kept = a.title.clone();
        for (_, l) in &a.body {
            kept.push('\n');
            kept.push_str(l);
        }
        let kept = kept.nfkc().collect::<String>().to_lowercase();
        for word in words(text) {
            assert!(kept.contains(&word), "ingest lost {word:?}");
        }
    }
}

/// Clean never panics and loses no word of the ingested title and body.
pub fn clean(data: &[u8]) {
    let mut w: Vec<Warning> = Vec::new();
    let Ok(Some(raw)) = dossier::ingest::read_article("f.txt", Path::new("f.txt"), data, false, &mut w) else {
        return;
    };
    let mut input = raw.title.clone();
    for (_, l) in &raw.body {
        input.push('\n');
        input.push_str(l);
    }
    let out = dossier::clean::run(
        std::slice::from_mut(&mut raw.clone()),
        &dossier::clean::Config::default(),
        &dossier::memo::Store::off(),
    );
    assert_eq!(out.len(), 1, "clean returned {} articles for 1", out.len());
    let a = &out[0];
    let lost = lost_words(&input, a);
    assert!(lost.is_empty(), "clean lost {lost:?}");
    let mut ids = std::collections::BTreeSet::new();
    for p in &a.paragraphs {
        assert!(ids.insert(p.id.clone()), "paragraph id {} twice", p.id);
        assert!(!p.text.trim().is_empty(), "empty paragraph {}", p.id);
    }
}

/// An article whose paragraphs are `text` split on blank lines.
pub fn article(text: &str) -> Article {
    let paragraphs = text
        .split("\n\n")
        .filter(|p| !p.trim().is_empty())
        .enumerate()
        .map(|(i, t)| Paragraph {
            id: format!("p{}", i + 1).into(),
            text: t.to_string(),
            role: None,
        })
        .collect();
    let mut a = Article {
        id: "a".into(),
        source_file: "in/a.txt".into(),
        url: "articles/a.html".into(),
        title: "A title".into(),
        paragraphs,
        ..Article::default()
    };
    a.date.value = Some("2016-12-13".into());
    a
}

fn span_ok(a: &Article, what: &str, pid: &str, start: usize, end: usize) -> String {
    let p = a
        .paragraphs
        .iter()
        .find(|p| p.id == pid)
        .unwrap_or_else(|| panic!("{what} names paragraph {pid}, which does not exist"));
    assert!(
        start <= end && end <= p.text.len(),
        "{what} {start}..{end} outside {pid} ({} bytes)",
        p.text.len()
    );
    assert!(
        p.text.is_char_boundary(start) && p.text.is_char_boundary(end),
        "{what} {start}..{end} not on char boundaries of {pid}"
    );
    p.text[start..end].to_string()
}

/// Annotation (quotes, attributions, mentions) never panics and its spans
/// are valid slices of their paragraphs.
pub fn quotes(text: &str) {
    let mut arts = vec![article(text)];
    let entities = dossier::annotate::run(
        &mut arts,
        &dossier::annotate::Config::default(),
        &dossier::memo::Store::off(),
    );
    let a = &arts[0];
    for q in &a.quotes {
        let s = span_ok(a, "quote", &q.paragraph, q.start, q.end);
        assert_eq!(s, q.text, "quote text is not its span");
    }
    for t in &a.attributions {
        span_ok(a, "attribution", &t.paragraph, t.start, t.end);
    }
    let ids: std::collections::BTreeSet<&str> = entities.iter().map(|e| e.id.as_str()).collect();
    for m in &a.mentions {
        span_ok(a, "mention", &m.paragraph, m.start, m.end);
        assert!(
            ids.contains(m.entity.as_str()),
            "mention of unknown entity {}",
            m.entity
        );
    }
}

/// Date extraction never panics; spans are valid slices and values are ISO
/// dates at their granularity.
pub fn dates(text: &str) {
    let mut arts = vec![article(text)];
    let events = dossier::chronology::run(
        &mut arts,
        &dossier::chronology::Config::default(),
        &dossier::memo::Store::off(),
    );
    let a = &arts[0];
    for d in &a.dates {
        let s = span_ok(a, "date", &d.paragraph, d.start, d.end);
        assert_eq!(s, d.text, "date text is not its span");
        let b = d.value.as_bytes();
        assert!(
            b.len() >= 4 && b[..4].iter().all(u8::is_ascii_digit),
            "date value {:?} is not ISO",
            d.value
        );
    }
    for e in &events {
        for c in &e.citations {
            assert!(
                a.paragraphs.iter().any(|p| p.id == c.paragraph),
                "event cites a missing paragraph"
            );
        }
    }
}
