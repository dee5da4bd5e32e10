//! Stage 4, annotate: quotes and their speakers, source attributions, and
//! mentions of people, organisations, groups and places.
//!
//! Two passes over the archive: the first discovers names by rules
//! ([`entities::discover`]) so that surname-only mentions and spelling
//! variants merge into one entity across articles ([`lexicon`]); the second
//! finds mentions, attribution cues and quotations in each article
//! ([`annotate_article`]). Both run in parallel.

pub mod attributions;
pub mod entities;
pub mod gazetteer;
pub mod quotes;
pub mod speakers;

use std::collections::{BTreeMap, BTreeSet};

use rayon::prelude::*;
use serde::{Deserialize, Serialize};

use crate::memo::{self, Store};
use crate::model::{Article, Attribution, Entity, Mention, Quote, Short};
use crate::text::slugify;
use attributions::{Context, Cue, Para};
use entities::{Found, Op, Registry, Scope, Trace};
use gazetteer::{ORG, PLACE};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Entities to add to (or correct in) the gazetteer.
    pub entities: Vec<EntityConfig>,
}

/// A user-declared entity and the other names it goes by. A declaration
/// whose name or alias is already known corrects that entity.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EntityConfig {
    pub name: String,
    /// `person`, `organisation`, `place` or `group`.
    pub kind: String,
    pub aliases: Vec<String>,
}

/// Annotates every non-duplicate article; returns the entities mentioned,
/// quoted or cited, sorted by id.
///
/// Articles are annotated in parallel against the corpus-wide registry
/// ([`lexicon`]); their registry changes are then replayed in article
/// order, and the rare article that read an entity an earlier article
/// changed is annotated again, so the result is the same as annotating
/// the articles one after another.
///
/// Both passes are per article and kept in `memo`: names found by an
/// article's text, and its notes by its text and the registry.
pub fn run(articles: &mut [Article], cfg: &Config, memo: &Store) -> Vec<Entity> {
    let live: Vec<usize> = (0..articles.len())
        .filter(|&i| articles[i].duplicate_of.is_none())
        .collect();
    // What each live article is annotated from, hashed once for both passes.
    let texts: Vec<u64> = live.par_iter().map(|&i| memo::text_key(&articles[i])).collect();
    let lexicon = lexicon(
        &live.iter().map(|&i| &articles[i]).collect::<Vec<_>>(),
        &texts,
        cfg,
        memo,
    );
    let reg_key = lexicon.fingerprint();
    let notes: Vec<Notes> = memo.map(
        "notes",
        live.len(),
        |i| Some(memo::key(&(reg_key, texts[i]))),
        |i| annotate_article(&articles[live[i]], &lexicon),
    );

    let mut reg = lexicon;
    let mut changed: BTreeSet<String> = BTreeSet::new();
    let mut used: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
    for (&i, mut n) in live.iter().zip(notes) {
        let a = &mut articles[i];
        if !reg.replay(&n.trace, &mut changed) {
            n = annotate_article(a, &reg);
            reg.apply(&n.trace.ops, &mut changed);
        }
        credit_line(a, &mut reg, &mut n, &mut changed);
        for (id, form) in n.used {
            let forms = used.entry(id).or_default();
            forms.extend(form);
        }
        a.mentions = n.mentions;
        a.attributions = n.attributions;
        a.quotes = n.quotes;
    }
    used.into_iter()
        .filter_map(|(id, forms)| {
            let e = reg.ents.get(&id)?;
            let mut aliases: BTreeSet<String> = e.aliases.clone();
            aliases.extend(forms);
            aliases.remove(&e.name);
            Some(Entity {
                url: format!("entities/{id}.html"),
                id,
                name: e.name.clone(),
                kind: e.kind.clone(),
                aliases: aliases.into_iter().collect(),
            })
        })
        .collect()
}

/// The corpus-wide registry: the gazetteer, the user's entities, and the
/// names that rules discover across the `live` (non-duplicate) articles, so
/// that surname-only mentions and spelling variants merge into one entity.
/// `texts` holds each article's [`memo::text_key`].
fn lexicon(live: &[&Article], texts: &[u64], cfg: &Config, memo: &Store) -> Registry {
    let mut reg = Registry::new(&cfg.entities);
    let per_article: Vec<BTreeMap<Found, usize>> = memo.map(
        "names",
        live.len(),
        |i| Some(texts[i]),
        |i| {
            let a = live[i];
            let mut found: BTreeMap<Found, usize> = BTreeMap::new();
            for p in &a.paragraphs {
                entities::discover(&p.text, &mut found);
                for k in gazetteer::KNOWN.iter().filter(|k| !k.short.is_empty()) {
                    if std::iter::once(&k.name).chain(k.aliases).any(|n| p.text.contains(n)) {
                        *found
                            .entry(Found {
                                name: k.name.to_string(),
                                kind: k.kind,
                            })
                            .or_default() += 1;
                    }
                }
            }
            found
        },
    );
    let found = per_article.into_par_iter().reduce(BTreeMap::new, |mut x, mut y| {
        if x.len() < y.len() {
            std::mem::swap(&mut x, &mut y);
        }
        for (f, n) in y {
            *x.entry(f).or_default() += n;
        }
        x
    });
    reg.absorb(&found);
    reg
}

/// One article's annotations, and what producing them changed and read in
/// the registry.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Notes {
    pub mentions: Vec<Mention>,
    pub attributions: Vec<Attribution>,
    pub quotes: Vec<Quote>,
    /// Entities used, each with the text that names it (`None` for a
    /// source or speaker, which is named by a mention).
    pub used: Vec<(String, Option<String>)>,
    /// Registry changes and reads, to replay in article order.
    pub trace: Trace,
}

/// The country an article is mostly about: names of countries, their
/// cities, leaders and institutions, counted.
fn main_country(paras: &[Para], reg: &Scope) -> Option<&'static gazetteer::Country> {
    let mut count: BTreeMap<&str, (usize, usize)> = BTreeMap::new(); // country -> (count, -first)
    let mut order = 0;
    for p in paras {
        for (_, _, id) in &p.mentions {
            if let Some(e) = reg.get(id) {
                if !e.country.is_empty() {
                    order += 1;
                    let c = count.entry(e.country.as_str()).or_insert((0, usize::MAX - order));
                    c.0 += 1;
                }
            }
        }
    }
    let best = count.into_iter().max_by_key(|(_, v)| *v)?.0;
    gazetteer::COUNTRIES.iter().find(|c| c.name == best)
}

/// Annotates one article (its body; the credit line is [`credit_line`]'s):
/// a pure function of the article's paragraphs and the registry `lexicon`.
pub fn annotate_article(a: &Article, lexicon: &Registry) -> Notes {
    let mut reg = Scope::new(lexicon);
    let mut paras: Vec<Para> = a
        .paragraphs
        .iter()
        .map(|p| Para {
            id: &p.id,
            text: &p.text,
            toks: entities::tokens(&p.text),
            quotes: quotes::spans(&p.text),
            mentions: reg.find(&p.text),
        })
        .collect();
    let main = main_country(&paras, &reg);
    // Cities named, for "the old city": (paragraph, offset, name).
    let cities: Vec<(usize, usize, String)> = paras
        .iter()
        .enumerate()
        .flat_map(|(pi, p)| {
            p.mentions
                .iter()
                .filter_map(|(s, _, id)| {
                    let e = reg.get(id)?;
                    (e.kind == PLACE && !e.country.is_empty() && e.country != e.name).then(|| (pi, *s, e.name.clone()))
                })
                .collect::<Vec<_>>()
        })
        .collect();
    for (pi, p) in paras.iter_mut().enumerate() {
        let near_city = |pos: usize| -> Option<String> {
            let same: Vec<&(usize, usize, String)> = cities.iter().filter(|c| c.0 == pi).collect();
            same.iter()
                .min_by_key(|c| c.1.abs_diff(pos))
                .map(|c| c.2.clone())
                .or_else(|| cities.iter().rev().find(|c| c.0 < pi).map(|c| c.2.clone()))
        };
        let generated = entities::generated(p.text, main, &near_city);
        let mut all: Vec<(usize, usize, String)> = std::mem::take(&mut p.mentions);
        for (s, e, name, kind, country, media) in generated {
            let id = reg.add(&name, kind);
            reg.describe(&id, country, media);
            all.push((s, e, id));
        }
        p.mentions = entities::resolve_overlaps(all);
    }

    let mut ctx = Context::default();
    let cues: Vec<Vec<Cue>> = paras
        .iter()
        .map(|p| attributions::cues(p, &mut reg, &mut ctx))
        .collect();
    let found = speakers::assign(&paras, &cues);

    let mut n = Notes::default();
    for p in &paras {
        for (s, e, id) in &p.mentions {
            n.used.push((id.clone(), Some(p.text[*s..*e].to_string())));
            n.mentions.push(Mention {
                paragraph: p.id.into(),
                start: *s,
                end: *e,
                entity: id.into(),
            });
        }
    }
    let blocks: BTreeSet<usize> = found.iter().filter(|f| f.kind == "block").map(|f| f.para).collect();
    for (pi, (p, pc)) in paras.iter().zip(&cues).enumerate() {
        if blocks.contains(&pi) {
            continue; // speech reported inside a block quote
        }
        for c in pc {
            for src in &c.sources {
                n.used.push((src.clone(), None));
                n.attributions.push(Attribution {
                    paragraph: p.id.into(),
                    start: c.start,
                    end: c.end,
                    cue: p.text[c.start..c.end].into(),
                    source: src.into(),
                });
            }
            for (s, e, id) in &c.relays {
                n.used.push((id.clone(), None));
                n.attributions.push(Attribution {
                    paragraph: p.id.into(),
                    start: *s,
                    end: *e,
                    cue: p.text[*s..*e].into(),
                    source: id.into(),
                });
            }
        }
    }
    for f in found {
        let p = &paras[f.para];
        if let Some(s) = &f.speaker {
            n.used.push((s.clone(), None));
        }
        n.quotes.push(Quote {
            paragraph: p.id.into(),
            start: f.start,
            end: f.end,
            text: p.text[f.start..f.end].to_string(),
            kind: f.kind.into(),
            speaker: f.speaker.map(Into::into),
            speaker_mention: f.mention.map(Into::into),
        });
    }
    drop(paras);
    n.trace = reg.into_trace();
    n
}

/// Adds the article's credit line ("Source: BBC, Reuters") to its
/// attributions, registering sources the registry does not know as media
/// organisations.
fn credit_line(a: &Article, reg: &mut Registry, n: &mut Notes, changed: &mut BTreeSet<String>) {
    if a.sources.is_empty() {
        return;
    }
    let cue = format!("Source: {}", a.sources.join(", "));
    for s in &a.sources {
        let id = match reg.lookup(s) {
            Some(id) => id.to_string(),
            None => {
                let id = slugify(s, 60);
                let ops = [
                    Op::Add {
                        name: s.clone(),
                        kind: ORG,
                    },
                    Op::Media { id: id.clone() },
                ];
                reg.apply(&ops, changed);
                id
            }
        };
        n.used.push((id.clone(), None));
        n.attributions.push(Attribution {
            paragraph: Short::default(),
            start: 0,
            end: 0,
            cue: cue.as_str().into(),
            source: id.into(),
        });
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Paragraph;

    fn article(paras: &[&str]) -> Article {
        Article {
            id: "a".into(),
            paragraphs: Paragraph::numbered(paras),
            ..Article::default()
        }
    }

    #[test]
    fn whole_stage_on_a_made_up_article() {
        let mut arts = vec![
            article(&[
                "Chilean Foreign Minister Pablo Rojas met his counterpart in Santiago on Monday.",
                "“We agreed on a plan for the border,” Rojas told Reuters.",
                "The talks, according to state media, went well.",
            ]),
            article(&["Pablo Rojas flew home. The UN welcomed the plan."]),
        ];
        arts[1].id = "b".into();
        arts[1].sources = vec!["AFP".into()];
        let ents = run(&mut arts, &Config::default(), &Store::off());
        let ids: Vec<&str> = ents.iter().map(|e| e.id.as_str()).collect();
        assert!(ids.windows(2).all(|w| w[0] < w[1]), "sorted: {ids:?}");
        assert!(
            ids.contains(&"pablo-rojas") && ids.contains(&"reuters") && ids.contains(&"afp"),
            "{ids:?}"
        );
        let q = &arts[0].quotes[0];
        assert_eq!(q.text, "We agreed on a plan for the border,");
        assert_eq!(q.speaker.as_deref(), Some("pablo-rojas"));
        assert_eq!(q.speaker_mention.as_deref(), Some("Rojas"));
        let srcs: Vec<&str> = arts[0].attributions.iter().map(|t| t.source.as_str()).collect();
        assert!(srcs.contains(&"pablo-rojas") && srcs.contains(&"reuters"), "{srcs:?}");
        assert!(arts[1]
            .attributions
            .iter()
            .any(|t| t.source == "afp" && t.cue == "Source: AFP"));
        let rojas = ents.iter().find(|e| e.id == "pablo-rojas").unwrap();
        assert!(rojas.aliases.contains(&"Rojas".to_string()));
        // Offsets are byte offsets into the paragraph text.
        for a in &arts {
            for m in &a.mentions {
                let p = a.paragraphs.iter().find(|p| p.id == m.paragraph).unwrap();
                assert!(p.text.is_char_boundary(m.start) && p.text.is_char_boundary(m.end));
            }
        }
    }

    #[test]
    fn user_entities_extend_and_correct_the_gazetteer() {
        let cfg = Config {
            entities: vec![
                EntityConfig {
                    name: "Harbour Watch".into(),
                    kind: "organisation".into(),
                    aliases: vec!["HW".into()],
                },
                EntityConfig {
                    name: "UN".into(),
                    kind: "organisation".into(),
                    aliases: vec!["Uno".into()],
                },
            ],
        };
        let mut arts = vec![article(&["HW and Harbour Watch met the UN and Uno."])];
        let ents = run(&mut arts, &cfg, &Store::off());
        let hw = ents.iter().find(|e| e.name == "Harbour Watch").unwrap();
        assert_eq!(arts[0].mentions.iter().filter(|m| m.entity == hw.id).count(), 2);
        let un = ents.iter().find(|e| e.name == "UN").unwrap();
        assert_eq!(arts[0].mentions.iter().filter(|m| m.entity == un.id).count(), 2);
        assert!(un.aliases.contains(&"United Nations".to_string()));
    }
}
