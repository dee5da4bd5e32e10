//! Stage 5, link: related articles by shared entities and shared passages.

use std::collections::{BTreeMap, BTreeSet};

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
    let mut related = Vec::with_capacity(articles.len());
    for (i, a) in articles.iter().enumerate() {
        if a.duplicate_of.is_some() {
            related.push(Vec::new());
            continue;
        }
        let mut scored: Vec<(usize, &str)> = articles
            .iter()
            .enumerate()
            .filter(|(j, b)| *j != i && b.duplicate_of.is_none())
            .map(|(j, b)| {
                let common = ents[i].intersection(&ents[j]).count();
                let passages = passage_links.get(&(a.id.as_str(), b.id.as_str())).copied().unwrap_or(0);
                (common + 3 * passages, b.id.as_str())
            })
            .filter(|(s, _)| *s > 0)
            .collect();
        scored.sort_by(|x, y| y.0.cmp(&x.0).then(x.1.cmp(y.1)));
        related.push(
            scored
                .into_iter()
                .take(MAX_RELATED)
                .map(|(_, id)| id.to_string())
                .collect(),
        );
    }
    for (a, r) in articles.iter_mut().zip(related) {
        a.related = r;
    }
}
