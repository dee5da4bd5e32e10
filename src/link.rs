//! Stage 5, link: related articles by shared entities and shared passages.

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;

use crate::model::{Article, SharedPassage};

/// How many related articles each article lists at most.
pub const MAX_RELATED: usize = 5;

/// Fills `related` for each non-duplicate article: the articles sharing the
/// most entities and passages, best first, ties by id.
pub fn run(articles: &mut [Article], shared: &[SharedPassage]) {
    let ents: Vec<BTreeSet<&str>> = articles
        .iter()
        .map(|a| a.mentions.iter().map(|m| m.entity.as_str()).collect())
        .collect();
    let mut passage_links: BTreeMap<(&str, &str), usize> = BTreeMap::new();
    for sp in shared {
        for x in &sp.occurrences {
            for y in &sp.occurrences {
                if x.article != y.article {
                    *passage_links
                        .entry((x.article.as_str(), y.article.as_str()))
                        .or_default() += 1;
                }
            }
        }
    }
    // Candidates come from an inverted index (entity → articles), so the
    // work grows with the pairs that share something, not with n².
    let mut by_entity: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (i, es) in ents.iter().enumerate() {
        if articles[i].duplicate_of.is_none() {
            for e in es {
                by_entity.entry(e).or_default().push(i);
            }
        }
    }
    let index: BTreeMap<&str, usize> = articles.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let mut by_passage: Vec<Vec<(usize, usize)>> = vec![Vec::new(); articles.len()];
    for ((x, y), n) in &passage_links {
        if let (Some(&i), Some(&j)) = (index.get(x), index.get(y)) {
            by_passage[i].push((j, *n));
        }
    }
    let related: Vec<Vec<String>> = (0..articles.len())
        .into_par_iter()
        .map(|i| {
            if articles[i].duplicate_of.is_some() {
                return Vec::new();
            }
            let mut score: BTreeMap<usize, usize> = BTreeMap::new();
            for e in &ents[i] {
                for &j in &by_entity[e] {
                    *score.entry(j).or_default() += 1;
                }
            }
            for &(j, n) in &by_passage[i] {
                *score.entry(j).or_default() += 3 * n;
            }
            let mut scored: Vec<(usize, &str)> = score
                .into_iter()
                .filter(|&(j, s)| j != i && s > 0 && articles[j].duplicate_of.is_none())
                .map(|(j, s)| (s, articles[j].id.as_str()))
                .collect();
            scored.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)));
            scored
                .into_iter()
                .take(MAX_RELATED)
                .map(|(_, id)| id.to_string())
                .collect()
        })
        .collect();
    for (a, r) in articles.iter_mut().zip(related) {
        a.related = r;
    }
}
