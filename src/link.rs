//! Stage 5, link: related articles by shared entities, shared passages and
//! text similarity.
//!
//! Scales with an inverted index: each article is compared only with the
//! articles that share one of its rarer entities (or a passage), never with
//! the whole archive. Entities named by a large share of the archive (the
//! story's main country, say) say little about relatedness and are weighted
//! down by inverse document frequency.

use std::collections::{BTreeMap, BTreeSet};

use crate::model::{Article, SharedPassage};

/// How many related articles each article lists at most.
pub const MAX_RELATED: usize = 5;

/// An entity in more than this many articles (and more than a tenth of the
/// archive, up to [`COMMON_MAX`]) does not by itself make two articles
/// candidates.
const COMMON: usize = 50;

/// The bound on the common-entity threshold, so that the work per article
/// stays bounded however large the archive grows.
const COMMON_MAX: usize = 200;

/// How many entity-ranked candidates are compared by text.
const CANDIDATES: usize = 30;

/// Fills `related` for each non-duplicate article: the best-scoring
/// candidates, best first, ties by id.
pub fn run(articles: &mut [Article], shared: &[SharedPassage]) {
    let live: Vec<usize> = (0..articles.len())
        .filter(|&i| articles[i].duplicate_of.is_none())
        .collect();
    let n = live.len().max(1) as f64;
    let ents: Vec<BTreeSet<&str>> = articles
        .iter()
        .map(|a| a.mentions.iter().map(|m| m.entity.as_str()).collect())
        .collect();
    let mut index: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for &i in &live {
        for e in &ents[i] {
            index.entry(e).or_default().push(i);
        }
    }
    let common = COMMON.max(live.len() / 10).min(COMMON_MAX);
    let idf = |e: &str| -> f64 { (n / index.get(e).map_or(1, Vec::len) as f64).ln() + 0.1 };
    let pos: BTreeMap<&str, usize> = articles.iter().enumerate().map(|(i, a)| (a.id.as_str(), i)).collect();
    let mut passage_links: BTreeMap<(usize, usize), usize> = BTreeMap::new();
    for sp in shared {
        let occ: BTreeSet<usize> = sp
            .occurrences
            .iter()
            .filter_map(|o| pos.get(o.article.as_str()).copied())
            .collect();
        for &x in &occ {
            for &y in &occ {
                if x != y {
                    *passage_links.entry((x, y)).or_default() += 1;
                }
            }
        }
    }
    let words: Vec<BTreeSet<String>> = articles.iter().map(content_words).collect();
    let mut related = vec![Vec::new(); articles.len()];
    for &i in &live {
        // Accumulate shared-entity weight over the index: only articles
        // sharing a rarer entity are touched.
        let mut score: BTreeMap<usize, f64> = BTreeMap::new();
        for e in &ents[i] {
            let list = &index[e];
            if list.len() <= common {
                let w = idf(e);
                for &j in list {
                    *score.entry(j).or_default() += w;
                }
            }
        }
        for ((_, j), count) in passage_links.range((i, 0)..(i + 1, 0)) {
            *score.entry(*j).or_default() += 3.0 * *count as f64;
        }
        score.remove(&i);
        let mut scored: Vec<(f64, usize)> = score
            .into_iter()
            .filter(|&(j, _)| articles[j].duplicate_of.is_none())
            .map(|(j, s)| (s, j))
            .collect();
        // Text similarity refines the best candidates only.
        scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(articles[x.1].id.cmp(&articles[y.1].id)));
        scored.truncate(CANDIDATES);
        let mut scored: Vec<(f64, &str)> = scored
            .into_iter()
            .map(|(s, j)| (s + 10.0 * jaccard(&words[i], &words[j]), articles[j].id.as_str()))
            .filter(|(s, _)| *s > 0.0)
            .collect();
        scored.sort_by(|x, y| y.0.total_cmp(&x.0).then(x.1.cmp(y.1)));
        related[i] = scored
            .into_iter()
            .take(MAX_RELATED)
            .map(|(_, id)| id.to_string())
            .collect();
    }
    for (a, r) in articles.iter_mut().zip(related) {
        a.related = r;
    }
}

/// Lower-cased words of five letters or more in an article's body.
fn content_words(a: &Article) -> BTreeSet<String> {
    a.paragraphs
        .iter()
        .flat_map(|p| crate::text::words(&p.text))
        .filter(|w| w.chars().count() >= 5)
        .collect()
}

fn jaccard(a: &BTreeSet<String>, b: &BTreeSet<String>) -> f64 {
    let inter = a.intersection(b).count();
    let union = a.len() + b.len() - inter;
    if union == 0 {
        0.0
    } else {
        inter as f64 / union as f64
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Mention, Paragraph};

    fn art(id: &str, ents: &[&str], text: &str) -> Article {
        Article {
            id: id.into(),
            paragraphs: vec![Paragraph {
                id: "p1".into(),
                text: text.into(),
                role: None,
            }],
            mentions: ents
                .iter()
                .map(|e| Mention {
                    paragraph: "p1".into(),
                    start: 0,
                    end: 1,
                    entity: e.to_string(),
                })
                .collect(),
            ..Article::default()
        }
    }

    #[test]
    fn shared_rare_entities_make_articles_related() {
        let mut a = vec![
            art("a", &["harbour", "mayor-lind"], "harbour dredging plans approved"),
            art("b", &["harbour", "mayor-lind"], "harbour dredging plans delayed"),
            art("c", &["weather"], "storms expected tomorrow evening"),
        ];
        run(&mut a, &[]);
        assert_eq!(a[0].related, ["b"]);
        assert_eq!(a[1].related, ["a"]);
        assert!(a[2].related.is_empty());
    }

    #[test]
    fn duplicates_get_no_related_and_are_not_listed() {
        let mut a = vec![
            art("a", &["x"], "alpha"),
            art("b", &["x"], "alpha"),
            art("c", &["x"], "alpha"),
        ];
        a[2].duplicate_of = Some("b".into());
        run(&mut a, &[]);
        assert_eq!(a[0].related, ["b"]);
        assert!(a[2].related.is_empty());
    }
}
