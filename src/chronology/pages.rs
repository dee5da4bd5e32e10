//! Chronology pages: `chronology.html` (events by year, month and day),
//! `archive/YYYY.html` and `archive/YYYY-MM.html` (articles and events of a
//! period, continued on `archive/YYYY-MM.2.html`, ... past `site.page_size`
//! of either), and `data/timeline.json` in TimelineJS's format.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::path::PathBuf;

use anyhow::{anyhow, Context as _, Result};
use rayon::prelude::*;
use serde::Serialize;
use serde_json::value::RawValue;
use tera::{Context, Tera};

use super::dates::Day;
use crate::config::SiteConfig;
use crate::model::{Archive, Article, Event, Short};
use crate::render::{error_chain, escape, keyed, nth_page, Pager, Sink};

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
    Pager::url_of(&period_stem(period), 1)
}

/// Stem of a period's page names: a long period continues on numbered
/// pages (`archive/2016-12.2.html`, see [`Pager`]).
fn period_stem(period: &str) -> String {
    format!("archive/{period}")
}

/// A period's events (indices into `archive.events`, in date order) cut into
/// pages of at most `per` (at least 1) events, where the date changes: a day, and the
/// events dated only to the month or year (which come first), stay on one
/// page unless they alone are more than `per`.
fn split_at_dates<'e>(events: &'e [usize], archive: &Archive, per: usize) -> Vec<&'e [usize]> {
    let mut pages = Vec::new();
    let mut start = 0;
    let mut i = 0;
    while i < events.len() {
        let date = &archive.events[events[i]].date;
        let end = i + events[i..]
            .iter()
            .take_while(|&&e| archive.events[e].date == date)
            .count();
        if i > start && end - start > per {
            pages.push(&events[start..i]);
            start = i;
        }
        while end - start > per {
            pages.push(&events[start..start + per]);
            start += per;
        }
        i = end;
    }
    if start < events.len() || pages.is_empty() {
        pages.push(&events[start..]);
    }
    pages
}

/// Where events are listed on the month pages: the page (1-based) of its
/// month's listing that holds each event, and the first that holds each day.
#[derive(Default)]
struct Placement<'a> {
    events: HashMap<&'a str, usize>,
    days: HashMap<&'a str, usize>,
}

impl<'a> Placement<'a> {
    fn new(archive: &'a Archive, within: &Periods, months: &[&String], per: usize) -> Self {
        let mut at = Placement::default();
        for m in months {
            for (k, chunk) in split_at_dates(within.events(m), archive, per).into_iter().enumerate() {
                for &e in chunk {
                    let e = &archive.events[e];
                    at.events.insert(e.id.as_str(), k + 1);
                    at.days.entry(e.date.as_str()).or_insert(k + 1);
                }
            }
        }
        at
    }
}

#[derive(Serialize)]
struct CitationView {
    url: String,
    title: String,
    paragraph: Short,
}

#[derive(Serialize)]
struct ConflictView {
    id: String,
    url: String,
    date: Short,
    summary: String,
}

#[derive(Serialize)]
struct EventView {
    id: String,
    date: Short,
    label: String,
    granularity: Short,
    summary: String,
    citations: Vec<CitationView>,
    conflicts: Vec<ConflictView>,
}

#[derive(Serialize)]
struct DayView<'v> {
    date: Short,
    label: String,
    /// The page of the month's listing that holds the day.
    url: String,
    /// How many events the day has (listed in `events` or not).
    count: usize,
    events: Vec<&'v RawValue>,
}

#[derive(Serialize)]
struct MonthView<'v> {
    month: String,
    label: String,
    url: String,
    /// Events dated only to the month, and how many (listed or not).
    events: Vec<&'v RawValue>,
    count: usize,
    days: Vec<DayView<'v>>,
}

#[derive(Serialize)]
struct YearView<'v> {
    year: String,
    url: String,
    /// Events dated only to the year, and how many (listed or not).
    events: Vec<&'v RawValue>,
    count: usize,
    months: Vec<MonthView<'v>>,
}

#[derive(Serialize)]
struct ArticleLink {
    url: String,
    title: String,
    date: Short,
    inferred: bool,
}

#[derive(Serialize)]
struct PeriodLink {
    label: String,
    url: String,
    articles: usize,
    events: usize,
}

/// The page holding an event in full: `chronology.html`, or, when that
/// page lists only days (`compact`), the month's or year's page.
fn event_page(e: &Event, compact: bool, at: &Placement) -> String {
    match e.date.get(..7) {
        _ if !compact => "chronology.html".to_string(),
        Some(month) if e.granularity != "year" => {
            Pager::url_of(&period_stem(month), at.events.get(e.id.as_str()).copied().unwrap_or(1))
        }
        _ => period_url(e.date.get(..4).unwrap_or(&e.date)),
    }
}

/// The first page of `month`'s listing that holds `date`.
fn day_url(month: &str, date: &str, at: &Placement) -> String {
    Pager::url_of(&period_stem(month), at.days.get(date).copied().unwrap_or(1))
}

/// `articles` maps ids to articles, `events` ids to events; `compact` and
/// `at` as for [`event_page`].
fn event_view(
    e: &Event,
    articles: &HashMap<&str, &Article>,
    events: &BTreeMap<&str, &Event>,
    compact: bool,
    at: &Placement,
) -> EventView {
    let title = |id: &str| {
        articles
            .get(id)
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
            .filter_map(|id| events.get(id.as_str()))
            .map(|o| ConflictView {
                id: o.id.clone(),
                url: format!("{}#{}", event_page(o, compact, at), o.id),
                date: label(&o.date).into(),
                summary: o.summary.clone(),
            })
            .collect(),
    }
}

/// Which events [`group`] lists in full; the others are only counted.
#[derive(Clone, Copy, PartialEq, Eq)]
enum Listed {
    None,
    /// Events dated only to the year (their only page is the year's).
    YearOnly,
    All,
}

/// Events (indices into `archive.events`, in the given order) grouped by
/// year, month and day; `views` holds the view of each event, as JSON.
/// Years, months and days count all their events and list those `list`
/// says. `at`: where days are on the month pages.
fn group<'v>(
    events: &[usize],
    archive: &Archive,
    views: &'v [Box<RawValue>],
    list: Listed,
    at: &Placement,
) -> Vec<YearView<'v>> {
    let mut years: Vec<YearView> = Vec::new();
    for &i in events {
        let e = &archive.events[i];
        let year = e.date.get(..4).unwrap_or(&e.date).to_string();
        if years.last().is_none_or(|y| y.year != year) {
            years.push(YearView {
                url: period_url(&year),
                year: year.clone(),
                events: Vec::new(),
                count: 0,
                months: Vec::new(),
            });
        }
        let y = years.last_mut().expect("pushed");
        let view = &*views[i];
        if e.granularity == "year" || e.date.len() < 7 {
            y.count += 1;
            if list != Listed::None {
                y.events.push(view);
            }
            continue;
        }
        let month = e.date[..7].to_string();
        if y.months.last().is_none_or(|m| m.month != month) {
            y.months.push(MonthView {
                label: label(&month),
                url: period_url(&month),
                month: month.clone(),
                events: Vec::new(),
                count: 0,
                days: Vec::new(),
            });
        }
        let m = y.months.last_mut().expect("pushed");
        if e.granularity == "month" || e.date.len() < 10 {
            m.count += 1;
            if list == Listed::All {
                m.events.push(view);
            }
            continue;
        }
        if m.days.last().is_none_or(|d| d.date != e.date) {
            m.days.push(DayView {
                date: e.date.clone(),
                label: label(&e.date),
                url: day_url(&month, &e.date, at),
                count: 0,
                events: Vec::new(),
            });
        }
        let d = m.days.last_mut().expect("pushed");
        d.count += 1;
        if list == Listed::All {
            d.events.push(view);
        }
    }
    years
}

fn article_link(a: &Article) -> ArticleLink {
    ArticleLink {
        url: a.url.clone(),
        title: a.title.clone(),
        date: a.date.value.clone().unwrap_or_default(),
        inferred: a.date.inferred,
    }
}

/// What falls in each year (`2016`) and month (`2016-12`): the dated
/// non-duplicate articles and the events (indices), in archive order.
#[derive(Default)]
struct Periods<'a> {
    articles: HashMap<&'a str, Vec<&'a Article>>,
    events: HashMap<&'a str, Vec<usize>>,
}

impl<'a> Periods<'a> {
    fn new(archive: &'a Archive) -> Periods<'a> {
        // A date starts with a period exactly when its first 4 or 7 bytes are that period.
        let keys = |d: &'a str| [d.get(..4), d.get(..7)].into_iter().flatten();
        let mut p = Periods::default();
        for a in archive.articles.iter().filter(|a| a.duplicate_of.is_none()) {
            for k in a.date.value.as_deref().into_iter().flat_map(keys) {
                p.articles.entry(k).or_default().push(a);
            }
        }
        for (i, e) in archive.events.iter().enumerate() {
            for k in keys(&e.date) {
                p.events.entry(k).or_default().push(i);
            }
        }
        p
    }
    fn articles(&self, period: &str) -> &[&'a Article] {
        self.articles.get(period).map_or(&[], |v| &v[..])
    }
    fn events(&self, period: &str) -> &[usize] {
        self.events.get(period).map_or(&[], |v| &v[..])
    }
}

/// Renders the chronology, the year and month pages and `data/timeline.json`,
/// handing each file to `sink` as soon as it is made (they are not all held
/// in memory at once). The chronology and each year or month page are
/// keyed by what they show, so one the sink already holds is not rendered
/// again.
pub fn render(archive: &Archive, tera: &Tera, base: &Context, site: &SiteConfig, sink: &dyn Sink) -> Result<()> {
    // Renders `name` into `path` unless the sink holds the page made from
    // `key`, which `keyed!` makes from what `fill` puts in the context.
    let keyed = |name: &str, root: &str, path: &str, key: u64, fill: &dyn Fn(&mut Context)| -> Result<()> {
        if sink.fresh(path, key) {
            return Ok(());
        }
        let mut ctx = Context::new();
        fill(&mut ctx);
        ctx.extend(base.clone());
        ctx.insert("root", root);
        ctx.insert("path", path);
        let html = tera
            .render(name, &ctx)
            .map_err(|e| anyhow!("rendering {path} with {name}: {}", error_chain(&e)))?;
        sink.put(PathBuf::from(path), key, html.into_bytes())
    };
    let by_id: BTreeMap<&str, &Event> = archive.events.iter().map(|e| (e.id.as_str(), e)).collect();
    // The first article of each id.
    let mut articles: HashMap<&str, &Article> = HashMap::new();
    for a in &archive.articles {
        articles.entry(a.id.as_str()).or_insert(a);
    }
    let compact = archive.events.len() > site.chronology_max_events;
    let all: Vec<usize> = (0..archive.events.len()).collect();

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
    let within = Periods::new(archive);
    let per = site.per_page();
    let months: Vec<&String> = periods.iter().filter(|p| p.len() == 7).collect();
    let at = Placement::new(archive, &within, &months, per);
    // Each event's view is serialised once: a year's page, its month's and
    // the chronology list the same view, and each page's key and context
    // take its JSON as it is.
    let views: Vec<Box<RawValue>> = archive
        .events
        .par_iter()
        .map(|e| serde_json::value::to_raw_value(&event_view(e, &articles, &by_id, compact, &at)))
        .collect::<Result<_, _>>()
        .context("serialising the events' views")?;
    let link = |p: &str| PeriodLink {
        label: label(p),
        url: period_url(p),
        articles: within.articles(p).len(),
        events: within.events(p).len(),
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

    // Keyed by what it shows, like the period pages.
    let chronology = || -> Result<()> {
        let list = if compact { Listed::None } else { Listed::All };
        let years = group(&all, archive, &views, list, &at);
        let events = archive.events.len();
        let conflicts = archive.events.iter().filter(|e| !e.conflicts.is_empty()).count();
        keyed!(keyed, "chronology.html", "", "chronology.html", {
            "years" => &years,
            "compact" => &compact,
            "periods" => &year_links,
            "events_count" => &events,
            "conflicts_count" => &conflicts,
        })
    };
    // A period's page, continued on numbered pages when it has more than
    // `per` articles or events: page k lists the k-th `per` of each.
    //
    // A year with more events than the chronology shows in full lists only
    // those dated to the year alone, and counts the others by month and
    // day, linked to the month pages, which list them (as the compact
    // chronology does): its page would otherwise repeat all its months'.
    let period_page = |p: &String| -> Result<()> {
        let events = within.events(p);
        let compact_year = p.len() == 4 && events.len() > site.chronology_max_events;
        // Events dated only to the year sort first among the year's.
        let year_only = events.partition_point(|&e| archive.events[e].date.len() < 7);
        let listed = if compact_year { &events[..year_only] } else { events };
        let chunks = split_at_dates(listed, archive, per);
        let all_links: Vec<ArticleLink> = within.articles(p).iter().map(|a| article_link(a)).collect();

        let (prev, next) = neighbours(&periods, p);
        let (prev, next) = (prev.map(|x| link(&x)), next.map(|x| link(&x)));
        let up = (p.len() == 7).then(|| link(&p[..4]));
        let count = chunks.len().max(all_links.len().div_ceil(per));
        for pager in Pager::all(&period_stem(p), count) {
            let path = pager.url();
            let links = nth_page(&all_links, per, pager.number - 1);
            let chunk: &[usize] = chunks.get(pager.number - 1).copied().unwrap_or_default();
            let years = if compact_year {
                // The first page also counts the months' and days' events.
                let counted = if pager.number == 1 { &events[year_only..] } else { &[] };
                let shown: Vec<usize> = chunk.iter().chain(counted).copied().collect();
                group(&shown, archive, &views, Listed::YearOnly, &at)
            } else {
                group(chunk, archive, &views, Listed::All, &at)
            };
            keyed!(keyed, "period.html", "../", &path, {
                "period" => p,
                "label" => &label(p),
                "kind" => if p.len() == 4 { "year" } else { "month" },
                "articles" => links,
                "years" => &years,
                "compact" => &compact_year,
                "prev" => &prev,
                "next" => &next,
                "pager" => &pager,
                "up" => &up,
            })?;
        }
        Ok(())
    };
    let list: Vec<&String> = periods.iter().collect();
    // Streamed to the sink, like archive.json: it is tens of MB at 100k.
    let timeline = || {
        sink.put_with(PathBuf::from("data/timeline.json"), 0, &|w| {
            serde_json::to_writer(w, &timeline_json(archive, site)).context("serialising timeline.json")
        })
    };
    let (main, (pages, json)) = rayon::join(chronology, || {
        rayon::join(|| list.par_iter().try_for_each(|p| period_page(p)), timeline)
    });
    main.and(pages).and(json)
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
/// Events are made one by one as it is serialised, so a large chronology is
/// never held as a JSON tree. Fields are in alphabetical order.
pub fn timeline_json<'a>(archive: &'a Archive, site: &SiteConfig) -> impl Serialize + 'a {
    #[derive(Serialize)]
    struct Timeline<'a> {
        events: Events<'a>,
        title: Title,
    }
    #[derive(Serialize)]
    struct Title {
        text: Text,
    }
    #[derive(Serialize)]
    struct Text {
        headline: String,
        text: String,
    }
    #[derive(Serialize)]
    struct Date {
        #[serde(skip_serializing_if = "Option::is_none")]
        day: Option<i64>,
        display_date: String,
        #[serde(skip_serializing_if = "Option::is_none")]
        month: Option<i64>,
        year: i64,
    }
    #[derive(Serialize)]
    struct TimelineEvent<'a> {
        group: &'a str,
        start_date: Date,
        text: Text,
        unique_id: &'a str,
    }
    struct Events<'a>(&'a Archive, BTreeMap<&'a str, &'a Article>);
    impl Serialize for Events<'_> {
        fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
            let Events(archive, by_id) = self;
            s.collect_seq(archive.events.iter().map(|e| {
                let part = |i: usize| e.date.split('-').nth(i).map(|v| v.parse::<i64>().unwrap_or(0));
                let cites: Vec<String> = e
                    .citations
                    .iter()
                    .filter_map(|c| {
                        let a = by_id.get(c.article.as_str())?;
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
                TimelineEvent {
                    group: &e.granularity,
                    start_date: Date {
                        day: part(2),
                        display_date: label(&e.date),
                        month: part(1),
                        year: part(0).unwrap_or(0),
                    },
                    text: Text {
                        headline: escape(&e.summary),
                        text,
                    },
                    unique_id: &e.id,
                }
            }))
        }
    }
    Timeline {
        events: Events(archive, archive.articles.iter().map(|a| (a.id.as_str(), a)).collect()),
        title: Title {
            text: Text {
                headline: escape(&site.title),
                text: escape(&site.description),
            },
        },
    }
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
    fn periods_hold_their_articles_and_events_in_order() {
        let article = |id: &str, date: Option<&str>, dup: bool| {
            let mut a = Article {
                id: id.into(),
                duplicate_of: dup.then(|| "x".to_string()),
                ..Default::default()
            };
            a.date.value = date.map(Into::into);
            a
        };
        let event = |date: &str| Event {
            date: date.into(),
            ..Default::default()
        };
        let archive = Archive {
            articles: vec![
                article("a", Some("2016-12-13"), false),
                article("b", Some("2016-11-02"), false),
                article("c", Some("2016-12-01"), true),
                article("d", None, false),
            ],
            events: vec![
                event("2016"),
                event("2016-12"),
                event("2016-12-13"),
                event("2017-01-02"),
            ],
            ..Default::default()
        };
        let p = Periods::new(&archive);
        let ids = |period: &str| p.articles(period).iter().map(|a| a.id.as_str()).collect::<Vec<_>>();
        assert_eq!(ids("2016"), ["a", "b"]);
        assert_eq!(ids("2016-12"), ["a"]);
        assert!(ids("2017").is_empty());
        assert_eq!(p.events("2016"), [0, 1, 2]);
        assert_eq!(p.events("2016-12"), [1, 2]);
        assert_eq!(p.events("2017-01"), [3]);
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
        let v = serde_json::to_value(timeline_json(&archive, &SiteConfig::default())).unwrap();
        assert_eq!(v["title"]["text"]["headline"], escape(&SiteConfig::default().title));
        let e = &v["events"][0];
        assert_eq!(e["group"], "day");
        assert_eq!(e["start_date"]["year"], 2016);
        assert_eq!(e["start_date"]["month"], 12);
        assert_eq!(e["start_date"]["day"], 13);
        assert_eq!(e["unique_id"], "2016-12-13-x");
        let text = e["text"]["text"].as_str().unwrap();
        assert!(text.contains("href=\"articles/a.html#p2\"") && text.contains("A &lt;b&gt;"));
    }
}
