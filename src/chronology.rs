//! Stage 6, chronology: find date expressions in the text, resolve them
//! against each article's publication date, and lay out dated events.

use std::collections::BTreeMap;

use regex::Regex;
use serde::{Deserialize, Serialize};

use crate::model::{Article, DateMention, Event, Occurrence};
use crate::text::slugify;

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];

/// Finds dates in every non-duplicate article and builds the events list.
pub fn run(articles: &mut [Article], _cfg: &Config) -> Vec<Event> {
    let re = Regex::new(r"(?i)\b(\d{1,2}) (January|February|March|April|May|June|July|August|September|October|November|December)(?: (\d{4}))?\b").expect("valid regex");
    let mut events: BTreeMap<String, Event> = BTreeMap::new();
    for a in articles.iter_mut().filter(|a| a.duplicate_of.is_none()) {
        let year: Option<i32> = a.date.value.as_deref().and_then(|d| d.get(..4)?.parse().ok());
        for p in &a.paragraphs {
            for c in re.captures_iter(&p.text) {
                let m = c.get(0).expect("whole match");
                let day: u32 = c[1].parse().unwrap_or(0);
                let month = MONTHS.iter().position(|x| x.eq_ignore_ascii_case(&c[2])).unwrap_or(0) + 1;
                let Some(y) = c.get(3).and_then(|y| y.as_str().parse().ok()).or(year) else {
                    continue;
                };
                if !(1..=31).contains(&day) {
                    continue;
                }
                let value = format!("{y:04}-{month:02}-{day:02}");
                a.dates.push(DateMention {
                    paragraph: p.id.clone(),
                    start: m.start(),
                    end: m.end(),
                    text: m.as_str().to_string(),
                    value: value.clone(),
                    granularity: "day".into(),
                });
                let summary: String = p
                    .text
                    .split_inclusive(". ")
                    .find(|s| s.contains(m.as_str()))
                    .unwrap_or(&p.text)
                    .trim()
                    .to_string();
                let id = format!("{value}-{}", slugify(&summary, 40));
                events
                    .entry(id.clone())
                    .or_insert_with(|| Event {
                        id,
                        date: value,
                        granularity: "day".into(),
                        summary,
                        citations: Vec::new(),
                        conflicts: Vec::new(),
                    })
                    .citations
                    .push(Occurrence {
                        article: a.id.clone(),
                        paragraph: p.id.clone(),
                    });
            }
        }
    }
    events.into_values().collect()
}
