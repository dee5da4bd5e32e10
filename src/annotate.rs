//! Stage 4, annotate: quotes and their speakers, source attributions, and
//! mentions of people, organisations, groups and places.

use std::collections::BTreeMap;

use serde::{Deserialize, Serialize};

use crate::model::{Article, Attribution, Entity, Mention, Quote};
use crate::text::slugify;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    /// Entities to add to (or correct in) the gazetteer.
    pub entities: Vec<EntityConfig>,
}

/// A user-declared entity and the other names it goes by.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct EntityConfig {
    pub name: String,
    /// `person`, `organisation`, `place` or `group`.
    pub kind: String,
    pub aliases: Vec<String>,
}

/// Annotates every non-duplicate article; returns the entities mentioned,
/// sorted by id.
pub fn run(articles: &mut [Article], cfg: &Config) -> Vec<Entity> {
    let mut entities: BTreeMap<String, Entity> = BTreeMap::new();
    for a in articles.iter_mut().filter(|a| a.duplicate_of.is_none()) {
        for p in &a.paragraphs {
            for (start, end) in quote_spans(&p.text) {
                a.quotes.push(Quote {
                    paragraph: p.id.clone(),
                    start,
                    end,
                    text: p.text[start..end].to_string(),
                    kind: "direct".into(),
                    speaker: None,
                    speaker_mention: None,
                });
            }
            for e in &cfg.entities {
                let id = slugify(&e.name, 60);
                for form in std::iter::once(&e.name).chain(&e.aliases) {
                    for (start, _) in p.text.match_indices(form.as_str()) {
                        a.mentions.push(Mention {
                            paragraph: p.id.clone(),
                            start,
                            end: start + form.len(),
                            entity: id.clone(),
                        });
                        entities.entry(id.clone()).or_insert_with(|| Entity {
                            id: id.clone(),
                            name: e.name.clone(),
                            kind: e.kind.clone(),
                            aliases: e.aliases.clone(),
                            url: format!("entities/{id}.html"),
                        });
                    }
                }
            }
            if let Some(pos) = p.text.find("according to ") {
                let rest = &p.text[pos + 13..];
                let name: String = rest.split([',', '.', ';']).next().unwrap_or("").to_string();
                if !name.is_empty() {
                    a.attributions.push(Attribution {
                        paragraph: p.id.clone(),
                        start: pos,
                        end: pos + 13 + name.len(),
                        cue: p.text[pos..pos + 13 + name.len()].to_string(),
                        source: slugify(&name, 60),
                    });
                }
            }
        }
    }
    entities.into_values().collect()
}

/// Byte spans of text between double quote marks (curly or straight).
fn quote_spans(text: &str) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    for (i, c) in text.char_indices() {
        match (c, open) {
            ('“', _) => open = Some(i + c.len_utf8()),
            ('”', Some(s)) => {
                out.push((s, i));
                open = None;
            }
            ('"', None) => open = Some(i + 1),
            ('"', Some(s)) => {
                out.push((s, i));
                open = None;
            }
            _ => {}
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn quotes_are_found_between_marks() {
        let t = "He said “we will win” and \"soon\".";
        let spans: Vec<_> = quote_spans(t).into_iter().map(|(s, e)| &t[s..e]).collect();
        assert_eq!(spans, ["we will win", "soon"]);
    }
}
