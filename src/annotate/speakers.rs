//! Who said each quotation, and which quotations are scare quotes or block
//! quotes.
//!
//! A marked quotation takes its speaker from, in order: a tag right after it
//! ("…,” X said), a cue before it in the same sentence (X said: “…”, "what
//! he described as “…”"), the quotation before it in the paragraph, a cue
//! later in the sentence, and, for a paragraph opening with a quotation, the
//! paragraph before (a continued quote). A short quotation with no speaker,
//! or one introduced by "the term", is a scare quote. An unmarked paragraph
//! of speech is a block quote when the paragraph before introduces it ("X
//! said that", "X said:"), the one after attributes it ("Said X, ..."), or
//! it reads as first-person speech right after a paragraph with a cue.

use super::attributions::{sentences, Cue, Para};
use super::entities::use_mention_before;
use super::quotes;

/// A quotation with its speaker, before it becomes a model `Quote`.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    pub para: usize,
    pub start: usize,
    pub end: usize,
    pub kind: &'static str,
    pub speaker: Option<String>,
    pub mention: Option<String>,
}

fn only_marks(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_whitespace() || matches!(c, '”' | '’' | '"' | '\'' | ',' | '.' | '!' | '?' | '—' | '–'))
}

fn from_cue(c: &Cue) -> (Option<String>, Option<String>) {
    (c.sources.first().cloned(), Some(c.mention.clone()))
}

/// The speakers and kinds of every quotation in an article.
pub fn assign(paras: &[Para], cues: &[Vec<Cue>]) -> Vec<Found> {
    let mut out: Vec<Found> = Vec::new();
    for (pi, p) in paras.iter().enumerate() {
        let sents = sentences(p);
        let pc = &cues[pi];
        let mut prev: Option<(Option<String>, Option<String>)> = None;
        for q in &p.quotes {
            let (ss, se) = sents
                .iter()
                .copied()
                .find(|&(a, b)| q.start >= a && q.start < b)
                .unwrap_or((0, p.text.len()));
            let words = p.text[q.start..q.end].split_whitespace().count();
            let scare_cue = use_mention_before(p.text, q.start);
            let trailing = pc
                .iter()
                .find(|c| c.start >= q.end && only_marks(&p.text[q.end..c.start]));
            let leading = pc.iter().rev().find(|c| c.end <= q.start && c.start >= ss);
            let later = pc.iter().find(|c| c.start >= q.end && c.start < se);
            let mut who: Option<(Option<String>, Option<String>)> = None;
            if scare_cue {
            } else if let Some(c) = trailing {
                who = Some(from_cue(c));
            } else if let Some(c) = leading {
                who = Some(from_cue(c));
            } else if let Some(pr) = prev.clone().filter(|pr| pr.0.is_some()) {
                who = Some(pr);
            } else if let Some(c) = later {
                who = Some(from_cue(c));
            } else if q.start <= 4 && pi > 0 && words >= 4 {
                who = continued(pi, &out, paras, cues);
            }
            let (speaker, mention) = who.unwrap_or((None, None));
            let kind = if scare_cue || (speaker.is_none() && words <= 4) {
                "scare"
            } else {
                "direct"
            };
            let (speaker, mention) = if kind == "scare" {
                (None, None)
            } else {
                (speaker, mention)
            };
            if kind == "direct" {
                prev = Some((speaker.clone(), mention.clone()));
            }
            out.push(Found {
                para: pi,
                start: q.start,
                end: q.end,
                kind,
                speaker,
                mention,
            });
        }
        // A quote cut short by a re-opened mark continues into the next one.
        let here: Vec<usize> = (0..out.len())
            .filter(|&k| out[k].para == pi && out[k].kind != "block")
            .collect();
        for w in here.windows(2).rev() {
            let open_ended = p.quotes.iter().any(|q| q.start == out[w[0]].start && q.open_ended);
            if open_ended && out[w[0]].speaker.is_none() && out[w[1]].speaker.is_some() {
                out[w[0]].speaker = out[w[1]].speaker.clone();
                out[w[0]].mention = out[w[1]].mention.clone();
                out[w[0]].kind = "direct";
            }
        }
        // Block quotes: unmarked paragraphs of speech.
        if p.quotes.is_empty() && p.text.split_whitespace().count() >= 6 && pi > 0 {
            let before = &paras[pi - 1];
            let after = paras.get(pi + 1);
            let mut who = None;
            if quotes::introduces_block(before.text) && !cues[pi - 1].is_empty() {
                who = cues[pi - 1].last().map(from_cue);
            } else if after.is_some_and(|a| quotes::attributes_previous(a.text)) && !cues[pi + 1].is_empty() {
                who = cues[pi + 1].first().map(from_cue);
            } else if quotes::reads_as_speech(p.text) && pc.is_empty() {
                let prev_block = out
                    .iter()
                    .rev()
                    .find(|f| f.para == pi - 1 && f.kind == "block")
                    .map(|f| (f.speaker.clone(), f.mention.clone()));
                who = prev_block.or_else(|| {
                    let c = cues[pi - 1].last()?;
                    // Only when the paragraph before ends on its cue's sentence.
                    let last_sentence = sentences(before).last().copied().unwrap_or((0, 0));
                    (c.start >= last_sentence.0).then(|| from_cue(c))
                });
            }
            if let Some((speaker, mention)) = who {
                let lead = p.text.len() - p.text.trim_start().len();
                out.push(Found {
                    para: pi,
                    start: lead,
                    end: p.text.trim_end().len(),
                    kind: "block",
                    speaker,
                    mention,
                });
            }
        }
    }
    out
}

/// Speaker of a quotation opening paragraph `pi` with no tag of its own:
/// the last quotation of the paragraph before, else its last cue.
fn continued(pi: usize, out: &[Found], paras: &[Para], cues: &[Vec<Cue>]) -> Option<(Option<String>, Option<String>)> {
    let _ = paras;
    if let Some(f) = out.iter().rev().find(|f| f.para == pi - 1 && f.kind != "scare") {
        if f.speaker.is_some() {
            return Some((f.speaker.clone(), f.mention.clone()));
        }
    }
    cues[pi - 1].last().map(from_cue)
}

#[cfg(test)]
mod tests {
    use super::super::attributions::{cues, Context};
    use super::super::entities::{discover, tokens, Registry, Scope};
    use super::*;
    use std::collections::BTreeMap;

    fn run(ps: &[&str]) -> Vec<(String, &'static str, Option<String>)> {
        let mut reg = Registry::new(&[]);
        let mut f = BTreeMap::new();
        for t in ps {
            discover(t, &mut f);
        }
        reg.absorb(&f);
        let paras: Vec<Para> = ps
            .iter()
            .map(|t| Para {
                id: "p",
                text: t,
                toks: tokens(t),
                quotes: quotes::spans(t),
                mentions: reg.find(t),
            })
            .collect();
        let mut ctx = Context::default();
        let mut scope = Scope::new(&reg);
        let cs: Vec<Vec<Cue>> = paras.iter().map(|p| cues(p, &mut scope, &mut ctx)).collect();
        assign(&paras, &cs)
            .into_iter()
            .map(|f| (ps[f.para][f.start..f.end].to_string(), f.kind, f.speaker))
            .collect()
    }

    fn s(x: &str) -> Option<String> {
        Some(x.to_string())
    }

    #[test]
    fn trailing_tag_and_second_quote_in_paragraph() {
        let r = run(&["“The bridge is closed,” said Transport Minister Ana Silva. “It will reopen soon.”"]);
        assert_eq!(r[0], ("The bridge is closed,".into(), "direct", s("ana-silva")));
        assert_eq!(r[1], ("It will reopen soon.".into(), "direct", s("ana-silva")));
    }

    #[test]
    fn leading_cue_partial_quote_and_pronoun() {
        let r = run(&[
            "Fire chief Tom Reyes visited the site.",
            "He said the blaze was “under control” by noon.",
        ]);
        assert_eq!(r, [("under control".into(), "direct", s("tom-reyes"))]);
    }

    #[test]
    fn scare_quotes_have_no_speaker() {
        let r = run(&[
            "Officials call it a “reform” but critics disagree.",
            "They used the term ‘green growth’ in every speech.",
        ]);
        assert_eq!(r[0], ("reform".into(), "scare", None));
        assert_eq!(r[1], ("green growth".into(), "scare", None));
    }

    #[test]
    fn quote_cut_by_a_reopened_mark_takes_the_next_speaker() {
        let r = run(&["He left. \"We lost the match today. \"We will train harder,\" said an FA statement."]);
        assert_eq!(r.len(), 2, "{r:?}");
        assert_eq!(r[0].2, s("fa"));
        assert_eq!(r[1].2, s("fa"));
    }

    #[test]
    fn continuation_paragraph_takes_the_previous_speaker() {
        let r = run(&[
            "“We will rebuild the school,” Mayor Jon Berg told reporters.",
            "“It will take a year and cost more than we hoped.”",
        ]);
        assert_eq!(r[1].2, s("jon-berg"));
    }

    #[test]
    fn block_quotes_introduced_before_or_attributed_after() {
        let r = run(&[
            "Harbour director Eva Lind said that",
            "The port will stay open all winter. We have enough crews for that.",
            "The storm passed on Monday without much damage to the town.",
        ]);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].1, "block");
        assert_eq!(r[0].2, s("eva-lind"));
        let r = run(&[
            "Talks resumed.",
            "If they think we will give up our land, they are wrong and we will say so.",
            "Said Karl Moe, head of the farmers’ union.",
        ]);
        assert_eq!(r.len(), 1, "{r:?}");
        assert_eq!(r[0].2, s("karl-moe"));
        // Narration after a plain paragraph is not a block quote.
        let r = run(&[
            "The river rose overnight.",
            "Our reporter saw the water reach the main square.",
        ]);
        assert!(r.is_empty(), "{r:?}");
    }
}
