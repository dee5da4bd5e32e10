//! What differs between a canonical article and one of its variants: a
//! word-level diff (longest common subsequence of folded words) summarised
//! as counts and the first few changed stretches.

use serde::Serialize;

use crate::model::Article;

/// A summary of how a variant differs from its canonical article.
#[derive(Debug, Clone, Default, Serialize, PartialEq)]
pub struct VariantDiff {
    /// The bodies have the same words (spacing, case or punctuation may differ).
    pub same_words: bool,
    /// The variant's title, when it differs from the canonical one.
    pub title: Option<String>,
    pub words_added: usize,
    pub words_removed: usize,
    /// The first changed stretches: (words only in the canonical, words only
    /// in the variant), each cut to a few words.
    pub changes: Vec<(String, String)>,
    /// Changed stretches not shown.
    pub more_changes: usize,
}

/// Changed stretches shown per variant.
const SHOWN: usize = 5;
/// Words shown per side of a change.
const SNIPPET: usize = 12;
/// Above this many DP cells the diff falls back to paragraph granularity.
const MAX_CELLS: usize = 4_000_000;

/// Diffs `variant` against `canonical`.
pub fn summarise(canonical: &Article, variant: &Article) -> VariantDiff {
    let words = |a: &Article| -> Vec<String> {
        a.paragraphs
            .iter()
            .flat_map(|p| p.text.split_whitespace().map(str::to_string))
            .collect()
    };
    let (a, b) = (words(canonical), words(variant));
    let key = |w: &String| crate::text::fold(w);
    let (ka, kb): (Vec<String>, Vec<String>) = (a.iter().map(key).collect(), b.iter().map(key).collect());
    let title =
        (crate::text::fold(&canonical.title) != crate::text::fold(&variant.title)).then(|| variant.title.clone());
    let ops = if ka.len().saturating_mul(kb.len()) <= MAX_CELLS {
        lcs_ops(&ka, &kb)
    } else {
        // Long texts: compare paragraph by paragraph instead.
        let pa: Vec<String> = canonical
            .paragraphs
            .iter()
            .map(|p| crate::text::fold(&p.text))
            .collect();
        let pb: Vec<String> = variant.paragraphs.iter().map(|p| crate::text::fold(&p.text)).collect();
        return paragraph_summary(canonical, variant, &pa, &pb, title);
    };
    let mut d = VariantDiff {
        title,
        ..VariantDiff::default()
    };
    let mut i = 0;
    while i < ops.len() {
        if ops[i] == Op::Same {
            i += 1;
            continue;
        }
        let mut removed = Vec::new();
        let mut added = Vec::new();
        while i < ops.len() && ops[i] != Op::Same {
            match ops[i] {
                Op::Del(x) => removed.push(a[x].as_str()),
                Op::Ins(y) => added.push(b[y].as_str()),
                Op::Same => {}
            }
            i += 1;
        }
        d.words_removed += removed.len();
        d.words_added += added.len();
        if d.changes.len() < SHOWN {
            d.changes.push((snippet(&removed), snippet(&added)));
        } else {
            d.more_changes += 1;
        }
    }
    d.same_words = d.words_added == 0 && d.words_removed == 0;
    d
}

fn snippet(words: &[&str]) -> String {
    if words.len() <= SNIPPET {
        words.join(" ")
    } else {
        format!("{} …", words[..SNIPPET].join(" "))
    }
}

#[derive(Debug, Clone, Copy, PartialEq)]
enum Op {
    Same,
    Del(usize),
    Ins(usize),
}

/// Edit script from a longest-common-subsequence table. The common prefix
/// and suffix are matched outright (variants mostly differ in a few places).
fn lcs_ops<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Op> {
    let head = a.iter().zip(b).take_while(|(x, y)| x == y).count();
    let tail = a[head..]
        .iter()
        .rev()
        .zip(b[head..].iter().rev())
        .take_while(|(x, y)| x == y)
        .count();
    let mut ops = Vec::with_capacity(a.len().max(b.len()));
    ops.resize(head, Op::Same);
    let (a_mid, b_mid) = (&a[head..a.len() - tail], &b[head..b.len() - tail]);
    ops.extend(lcs_table_ops(a_mid, b_mid).into_iter().map(|op| match op {
        Op::Same => Op::Same,
        Op::Del(x) => Op::Del(x + head),
        Op::Ins(y) => Op::Ins(y + head),
    }));
    ops.resize(ops.len() + tail, Op::Same);
    ops
}

/// Edit script from the full dynamic-programming table.
fn lcs_table_ops<T: PartialEq>(a: &[T], b: &[T]) -> Vec<Op> {
    let (n, m) = (a.len(), b.len());
    let mut t = vec![0u32; (n + 1) * (m + 1)];
    for i in (0..n).rev() {
        for j in (0..m).rev() {
            t[i * (m + 1) + j] = if a[i] == b[j] {
                t[(i + 1) * (m + 1) + j + 1] + 1
            } else {
                t[(i + 1) * (m + 1) + j].max(t[i * (m + 1) + j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut ops = Vec::with_capacity(n.max(m));
    while i < n || j < m {
        if i < n && j < m && a[i] == b[j] {
            ops.push(Op::Same);
            i += 1;
            j += 1;
        } else if j < m && (i == n || t[i * (m + 1) + j + 1] >= t[(i + 1) * (m + 1) + j]) {
            ops.push(Op::Ins(j));
            j += 1;
        } else {
            ops.push(Op::Del(i));
            i += 1;
        }
    }
    ops
}

fn paragraph_summary(
    canonical: &Article,
    variant: &Article,
    pa: &[String],
    pb: &[String],
    title: Option<String>,
) -> VariantDiff {
    let ops = lcs_ops(pa, pb);
    let mut d = VariantDiff {
        title,
        ..VariantDiff::default()
    };
    for op in ops {
        let (removed, added) = match op {
            Op::Same => continue,
            Op::Del(x) => (canonical.paragraphs[x].text.as_str(), ""),
            Op::Ins(y) => ("", variant.paragraphs[y].text.as_str()),
        };
        d.words_removed += removed.split_whitespace().count();
        d.words_added += added.split_whitespace().count();
        let cut = |s: &str| snippet(&s.split_whitespace().collect::<Vec<_>>());
        if d.changes.len() < SHOWN {
            d.changes.push((cut(removed), cut(added)));
        } else {
            d.more_changes += 1;
        }
    }
    d.same_words = d.words_added == 0 && d.words_removed == 0;
    d
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Paragraph;

    fn art(title: &str, paras: &[&str]) -> Article {
        Article {
            title: title.into(),
            paragraphs: Paragraph::numbered(paras),
            ..Article::default()
        }
    }

    #[test]
    fn a_changed_word_is_one_change() {
        let a = art("T", &["The talks began on Monday in the capital.", "Nothing else."]);
        let b = art("T", &["The talks began on Tuesday in the capital.", "Nothing else."]);
        let d = summarise(&a, &b);
        assert!(!d.same_words);
        assert_eq!((d.words_removed, d.words_added), (1, 1));
        assert_eq!(d.changes, [("Monday".to_string(), "Tuesday".to_string())]);
        assert_eq!(d.title, None);
    }

    #[test]
    fn spacing_and_case_are_not_changes() {
        let a = art("Title one", &["Same  words here."]);
        let b = art("Title two", &["same words HERE."]);
        let d = summarise(&a, &b);
        assert!(d.same_words);
        assert_eq!(d.title.as_deref(), Some("Title two"));
    }

    /// Rebuilds both sides from an edit script.
    fn apply(ops: &[Op], a: &[u8], b: &[u8]) -> (Vec<u8>, Vec<u8>, usize) {
        let (mut x, mut y, mut same) = (Vec::new(), Vec::new(), 0);
        let (mut i, mut j) = (0, 0);
        for op in ops {
            match *op {
                Op::Same => {
                    assert_eq!(a[i], b[j], "a kept word is the same on both sides");
                    x.push(a[i]);
                    y.push(b[j]);
                    (i, j, same) = (i + 1, j + 1, same + 1);
                }
                Op::Del(k) => {
                    assert_eq!(k, i);
                    x.push(a[i]);
                    i += 1;
                }
                Op::Ins(k) => {
                    assert_eq!(k, j);
                    y.push(b[j]);
                    j += 1;
                }
            }
        }
        (x, y, same)
    }

    proptest::proptest! {
        /// Matching the common ends outright keeps a longest common
        /// subsequence: the script is valid and as short as the full table's.
        #[test]
        fn trimmed_script_is_a_longest_common_subsequence(
            a in proptest::collection::vec(0u8..4, 0..30),
            b in proptest::collection::vec(0u8..4, 0..30),
        ) {
            let (x, y, same) = apply(&lcs_ops(&a, &b), &a, &b);
            proptest::prop_assert_eq!((&x, &y), (&a, &b));
            let (_, _, full) = apply(&lcs_table_ops(&a, &b), &a, &b);
            proptest::prop_assert_eq!(same, full);
        }
    }
}
