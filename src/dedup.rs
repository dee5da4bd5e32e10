//! Stage 3, dedup: group duplicate articles and find passages repeated
//! across articles. Duplicates keep their place in the archive with
//! `duplicate_of` set; repeated passages stay in every article's text.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Article, DuplicateGroup, Occurrence, SharedPassage};
use crate::text::fold;

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Shortest paragraph, in words, that counts as a shared passage.
    pub min_passage_words: usize,
}

impl Default for Config {
    fn default() -> Self {
        Config { min_passage_words: 8 }
    }
}

/// What dedup found.
#[derive(Debug, Clone, Default)]
pub struct Dedup {
    pub duplicates: Vec<DuplicateGroup>,
    pub shared_passages: Vec<SharedPassage>,
}

/// Finds duplicate articles (same folded title and body) and shared
/// paragraphs. `articles` must already have their ids; sets `duplicate_of`.
pub fn run(articles: &mut [Article], cfg: &Config) -> Dedup {
    use rayon::prelude::*;
    // Folded paragraphs, computed once and in parallel.
    let folded: Vec<Vec<String>> = articles
        .par_iter()
        .map(|a| a.paragraphs.iter().map(|p| fold(&p.text)).collect())
        .collect();
    let mut by_text: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, body) in folded.iter().enumerate() {
        by_text.entry(body.join("\n")).or_default().push(i);
    }
    let mut duplicates = Vec::new();
    for members in by_text.values().filter(|m| m.len() > 1) {
        let canonical = *members.iter().min_by_key(|&&i| &articles[i].id).expect("non-empty");
        let canonical_id = articles[canonical].id.clone();
        for &i in members {
            if i != canonical {
                articles[i].duplicate_of = Some(canonical_id.clone());
            }
        }
        let mut ids: Vec<String> = members.iter().map(|&i| articles[i].id.clone()).collect();
        ids.sort();
        duplicates.push(DuplicateGroup {
            canonical: canonical_id,
            members: ids,
            similarity: 1.0,
        });
    }
    duplicates.sort_by(|a, b| a.canonical.cmp(&b.canonical));

    let mut by_para: BTreeMap<String, Vec<(usize, usize)>> = BTreeMap::new();
    for (i, a) in articles.iter().enumerate().filter(|(_, a)| a.duplicate_of.is_none()) {
        for (j, f) in folded[i].iter().enumerate().take(a.paragraphs.len()) {
            if f.split(' ').count() >= cfg.min_passage_words {
                by_para.entry(f.clone()).or_default().push((i, j));
            }
        }
    }
    let mut shared_passages: Vec<SharedPassage> = by_para
        .into_values()
        .filter(|occ| {
            let mut arts: Vec<usize> = occ.iter().map(|o| o.0).collect();
            arts.dedup();
            arts.len() > 1
        })
        .map(|occ| {
            let mut occurrences: Vec<Occurrence> = occ
                .iter()
                .map(|&(i, j)| Occurrence {
                    article: articles[i].id.clone(),
                    paragraph: articles[i].paragraphs[j].id.clone(),
                })
                .collect();
            occurrences.sort_by(|a, b| (&a.article, para_num(&a.paragraph)).cmp(&(&b.article, para_num(&b.paragraph))));
            let &(i, j) = occ
                .iter()
                .min_by(|&&(i, j), &&(k, l)| {
                    (&articles[i].id, para_num(&articles[i].paragraphs[j].id))
                        .cmp(&(&articles[k].id, para_num(&articles[k].paragraphs[l].id)))
                })
                .expect("non-empty");
            let text = articles[i].paragraphs[j].text.clone();
            SharedPassage { text, occurrences }
        })
        .collect();
    shared_passages.sort_by(|a, b| {
        a.occurrences[0]
            .article
            .cmp(&b.occurrences[0].article)
            .then(para_num(&a.occurrences[0].paragraph).cmp(&para_num(&b.occurrences[0].paragraph)))
    });
    Dedup {
        duplicates,
        shared_passages,
    }
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
            paragraphs: paras
                .iter()
                .enumerate()
                .map(|(i, t)| Paragraph {
                    id: format!("p{}", i + 1),
                    text: t.to_string(),
                    role: None,
                })
                .collect(),
            ..Article::default()
        }
    }

    const SHARED: &str = "The same background paragraph appears in both of these different articles today.";

    #[test]
    fn exact_duplicates_are_grouped_with_a_stable_canonical() {
        let mut arts = vec![
            art("b", &["Alpha beta gamma."]),
            art("a", &["Alpha  beta gamma!"]),
            art("c", &["Other."]),
        ];
        let d = run(&mut arts, &Config::default());
        assert_eq!(d.duplicates.len(), 1);
        assert_eq!(d.duplicates[0].canonical, "a");
        assert_eq!(arts[0].duplicate_of.as_deref(), Some("a"));
        assert_eq!(arts[1].duplicate_of, None);
    }

    #[test]
    fn shared_paragraph_links_articles_without_merging_them() {
        let mut arts = vec![
            art("a", &["Intro one is here.", SHARED]),
            art("b", &[SHARED, "Different ending."]),
        ];
        let d = run(&mut arts, &Config::default());
        assert!(d.duplicates.is_empty());
        assert_eq!(d.shared_passages.len(), 1);
        let occ: Vec<_> = d.shared_passages[0]
            .occurrences
            .iter()
            .map(|o| (o.article.as_str(), o.paragraph.as_str()))
            .collect();
        assert_eq!(occ, [("a", "p2"), ("b", "p1")]);
    }
}
