//! Chronology pages: `chronology.html` (events by year, month and day),
//! `archive/YYYY.html` and `archive/YYYY-MM.html` (articles and events of a
//! period), and `data/timeline.json` in TimelineJS's format.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use anyhow::{anyhow, Context as _, Result};
use serde::Serialize;
use serde_json::{json, Value};
use tera::{Context, Tera};

use super::dates::Day;
use crate::config::SiteConfig;
use crate::model::{Archive, Article, Event};
use crate::render::{error_chain, escape, Output};

/// A human label for an ISO date at any granularity.
pub fn label(date: &str) -> String {
    if let Some(d) = Day::parse(date) {
        return format!(
            "{} {} {} {}",
            crate::text::WEEKDAYS[d.weekday() as usize],
            d.d,
            crate::text::MONTHS[d.m as usize - 1],
            d.y
        );
    }
    if let (Some(y), Some(m)) = (date.get(..4), date.get(5..7).and_then(|m| m.parse::<usize>().ok())) {
        if (1..=12).contains(&m) {
            return format!("{} {y}", crate::text::MONTHS[m - 1]);
        }
    }
    date.to_string()
}

/// URL of the archive page of a year (`2016`) or month (`2016-12`).
pub fn period_url(period: &str) -> String {
    format!("archive/{period}.html")
}

#[derive(Serialize)]
struct CitationView {
    url: String,
    title: String,
    paragraph: String,
}

#[derive(Serialize)]
struct ConflictView {
    id: String,
    url: String,
    date: String,
    summary: String,
}

#[derive(Serialize)]
struct EventView {
    id: String,
    date: String,
    label: String,
    granularity: String,
    summary: String,
    citations: Vec<CitationView>,
    conflicts: Vec<ConflictView>,
}

#[derive(Serialize)]
struct DayView {
    date: String,
    label: String,
    events: Vec<EventView>,
}

#[derive(Serialize)]
struct MonthView {
    month: String,
    label: String,
    url: String,
    /// Events dated only to the month.
    events: Vec<EventView>,
    days: Vec<DayView>,
}

#[derive(Serialize)]
struct YearView {
    year: String,
    url: String,
    /// Events dated only to the year.
    events: Vec<EventView>,
    months: Vec<MonthView>,
}

#[derive(Serialize)]
struct ArticleLink {
    url: String,
    title: String,
    date: String,
    inferred: bool,
}

#[derive(Serialize)]
struct PeriodLink {
    label: String,
    url: String,
    articles: usize,
    events: usize,
}

fn event_view(e: &Event, archive: &Archive, by_id: &BTreeMap<&str, &Event>) -> EventView {
    let title = |id: &str| {
        archive
            .articles
            .iter()
            .find(|a| a.id == id)
            .map(|a| (a.url.clone(), a.title.clone()))
            .unwrap_or_default()
    };
    EventView {
        id: e.id.clone(),
        date: e.date.clone(),
        label: label(&e.date),
        granularity: e.granularity.clone(),
        summary: e.summary.clone(),
        citations: e
            .citations
            .iter()
            .map(|c| {
                let (url, title) = title(&c.article);
                CitationView {
                    url: format!("{url}#{}", c.paragraph),
                    title,
                    paragraph: c.paragraph.clone(),
                }
            })
            .collect(),
        conflicts: e
            .conflicts
            .iter()
            .filter_map(|id| by_id.get(id.as_str()))
            .map(|o| ConflictView {
                id: o.id.clone(),
                url: format!("chronology.html#{}", o.id),
                date: label(&o.date),
                summary: o.summary.clone(),
            })
            .collect(),
    }
}

/// Events (in the given order) grouped by year, month and day.
fn group(events: &[&Event], archive: &Archive, by_id: &BTreeMap<&str, &Event>) -> Vec<YearView> {
    let mut years: Vec<YearView> = Vec::new();
    for e in events {
        let year = e.date.get(..4).unwrap_or(&e.date).to_string();
        if years.last().is_none_or(|y| y.year != year) {
            years.push(YearView {
                url: period_url(&year),
                year: year.clone(),
                events: Vec::new(),
                months: Vec::new(),
            });
        }
        let y = years.last_mut().expect("pushed");
        let view = event_view(e, archive, by_id);
        if e.granularity == "year" || e.date.len() < 7 {
            y.events.push(view);
            continue;
        }
        let month = e.date[..7].to_string();
        if y.months.last().is_none_or(|m| m.month != month) {
            y.months.push(MonthView {
                label: label(&month),
                url: period_url(&month),
                month: month.clone(),
                events: Vec::new(),
                days: Vec::new(),
            });
        }
        let m = y.months.last_mut().expect("pushed");
        if e.granularity == "month" || e.date.len() < 10 {
            m.events.push(view);
            continue;
        }
        if m.days.last().is_none_or(|d| d.date != e.date) {
            m.days.push(DayView {
                date: e.date.clone(),
                label: label(&e.date),
                events: Vec::new(),
            });
        }
        m.days.last_mut().expect("pushed").events.push(view);
    }
    years
}

fn articles_in(archive: &Archive, period: &str) -> Vec<ArticleLink> {
    archive
        .articles
        .iter()
        .filter(|a| a.duplicate_of.is_none())
        .filter_map(|a| {
            let d = a.date.value.as_deref()?;
            d.starts_with(period).then(|| ArticleLink {
                url: a.url.clone(),
                title: a.title.clone(),
                date: d.to_string(),
                inferred: a.date.inferred,
            })
        })
        .collect()
}

/// Renders the chronology, the year and month pages and `data/timeline.json`.
pub fn render(archive: &Archive, tera: &Tera, base: &Context, site: &SiteConfig) -> Result<Vec<Output>> {
    let page = |name: &str, root: &str, path: &str, ctx: &mut Context| -> Result<Output> {
        ctx.extend(base.clone());
        ctx.insert("root", root);
        ctx.insert("path", path);
        let html = tera
            .render(name, ctx)
            .map_err(|e| anyhow!("rendering {path} with {name}: {}", error_chain(&e)))?;
        Ok((PathBuf::from(path), html.into_bytes()))
    };
    let by_id: BTreeMap<&str, &Event> = archive.events.iter().map(|e| (e.id.as_str(), e)).collect();
    let all: Vec<&Event> = archive.events.iter().collect();

    // Periods: every year and month with an article or an event.
    let mut periods: BTreeSet<String> = BTreeSet::new();
    for d in archive
        .articles
        .iter()
        .filter(|a| a.duplicate_of.is_none())
        .filter_map(|a| a.date.value.as_deref())
        .chain(archive.events.iter().map(|e| e.date.as_str()))
    {
        if let Some(y) = d.get(..4) {
            periods.insert(y.to_string());
        }
        if let Some(m) = d.get(..7) {
            periods.insert(m.to_string());
        }
    }
    let link = |p: &str| PeriodLink {
        label: label(p),
        url: period_url(p),
        articles: articles_in(archive, p).len(),
        events: archive.events.iter().filter(|e| e.date.starts_with(p)).count(),
    };
    let year_links: Vec<(PeriodLink, Vec<PeriodLink>)> = periods
        .iter()
        .filter(|p| p.len() == 4)
        .map(|y| {
            (
                link(y),
                periods
                    .iter()
                    .filter(|m| m.len() == 7 && m.starts_with(y.as_str()))
                    .map(|m| link(m))
                    .collect(),
            )
        })
        .collect();

    let mut out = Vec::new();
    let mut ctx = Context::new();
    ctx.insert("years", &group(&all, archive, &by_id));
    ctx.insert("periods", &year_links);
    ctx.insert("events_count", &archive.events.len());
    ctx.insert(
        "conflicts_count",
        &archive.events.iter().filter(|e| !e.conflicts.is_empty()).count(),
    );
    out.push(page("chronology.html", "", "chronology.html", &mut ctx)?);

    for p in &periods {
        let events: Vec<&Event> = archive
            .events
            .iter()
            .filter(|e| e.date.starts_with(p.as_str()))
            .collect();
        let mut ctx = Context::new();
        ctx.insert("period", p);
        ctx.insert("label", &label(p));
        ctx.insert("kind", if p.len() == 4 { "year" } else { "month" });
        ctx.insert("articles", &articles_in(archive, p));
        ctx.insert("years", &group(&events, archive, &by_id));
        let (prev, next) = neighbours(&periods, p);
        ctx.insert("prev", &prev.map(|x| link(&x)));
        ctx.insert("next", &next.map(|x| link(&x)));
        if p.len() == 7 {
            ctx.insert("up", &link(&p[..4]));
        }
        out.push(page("period.html", "../", &period_url(p), &mut ctx)?);
    }

    let json = serde_json::to_vec_pretty(&timeline_json(archive, site)).context("serialising timeline.json")?;
    out.push((PathBuf::from("data/timeline.json"), json));
    Ok(out)
}

/// The previous and next period of the same kind.
fn neighbours(periods: &BTreeSet<String>, p: &str) -> (Option<String>, Option<String>) {
    let same: Vec<&String> = periods.iter().filter(|x| x.len() == p.len()).collect();
    let i = same.iter().position(|x| x.as_str() == p);
    match i {
        Some(i) => (
            i.checked_sub(1).map(|j| same[j].clone()),
            same.get(i + 1).map(|x| x.to_string()),
        ),
        None => (None, None),
    }
}

/// The chronology as a TimelineJS document (`title` and `events` with
/// `start_date`, `text` and `unique_id`); links are relative to the site root.
pub fn timeline_json(archive: &Archive, site: &SiteConfig) -> Value {
    let by_id: std::collections::BTreeMap<&str, &Article> =
        archive.articles.iter().map(|a| (a.id.as_str(), a)).collect();
    let title_of = |id: &str| -> Option<&Article> { by_id.get(id).copied() };
    let events: Vec<Value> = archive
        .events
        .iter()
        .map(|e| {
            let mut date = serde_json::Map::new();
            let parts: Vec<&str> = e.date.split('-').collect();
            for (k, v) in ["year", "month", "day"].iter().zip(&parts) {
                date.insert(k.to_string(), json!(v.parse::<i64>().unwrap_or(0)));
            }
            date.insert("display_date".into(), json!(label(&e.date)));
            let cites: Vec<String> = e
                .citations
                .iter()
                .filter_map(|c| {
                    let a = title_of(&c.article)?;
                    Some(format!(
                        "<a href=\"{}#{}\">{}</a>",
                        escape(&a.url),
                        escape(&c.paragraph),
                        escape(&a.title)
                    ))
                })
                .collect();
            let mut text = format!("<p>Reported in: {}</p>", cites.join("; "));
            if !e.conflicts.is_empty() {
                text.push_str(&format!(
                    "<p>Disputed by: {}</p>",
                    e.conflicts.iter().map(|c| escape(c)).collect::<Vec<_>>().join(", ")
                ));
            }
            json!({
                "start_date": Value::Object(date),
                "text": {"headline": escape(&e.summary), "text": text},
                "unique_id": e.id,
                "group": e.granularity,
            })
        })
        .collect();
    json!({
        "title": {"text": {"headline": escape(&site.title), "text": escape(&site.description)}},
        "events": events,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_name_the_weekday_and_month() {
        assert_eq!(label("2016-12-13"), "Tuesday 13 December 2016");
        assert_eq!(label("2016-12"), "December 2016");
        assert_eq!(label("2016"), "2016");
    }

    #[test]
    fn timeline_json_has_the_timelinejs_shape() {
        let archive = Archive {
            articles: vec![Article {
                id: "a".into(),
                url: "articles/a.html".into(),
                title: "A <b>".into(),
                ..Default::default()
            }],
            events: vec![Event {
                id: "2016-12-13-x".into(),
                date: "2016-12-13".into(),
                granularity: "day".into(),
                summary: "X happened".into(),
                citations: vec![crate::model::Occurrence {
                    article: "a".into(),
                    paragraph: "p2".into(),
                }],
                conflicts: vec![],
            }],
            ..Default::default()
        };
        let v = timeline_json(&archive, &SiteConfig::default());
        let e = &v["events"][0];
        assert_eq!(e["start_date"]["year"], 2016);
        assert_eq!(e["start_date"]["month"], 12);
        assert_eq!(e["start_date"]["day"], 13);
        assert_eq!(e["unique_id"], "2016-12-13-x");
        let text = e["text"]["text"].as_str().unwrap();
        assert!(text.contains("href=\"articles/a.html#p2\"") && text.contains("A &lt;b&gt;"));
    }
}
