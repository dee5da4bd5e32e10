//! Stage 7, render: the model to a static site through tera templates.
//!
//! Templates and static files are embedded in the binary; a `templates/`
//! folder beside the config overrides them file by file. Every internal
//! link is relative (`{{ root }}` is the way back to the site root) and
//! names a file, so the site works on GitHub Pages under a sub-path, from a
//! local server and from disk over file://.

use std::collections::{BTreeMap, BTreeSet};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context as _, Result};
use compact_str::format_compact;
use rayon::prelude::*;
use serde::Serialize;
use tera::{Context, Tera};

use crate::config::SiteConfig;
use crate::export;
use crate::ingest::Originals;
use crate::model::{Archive, Article, Entity, Short};
// Id lookups (nothing iterates these maps).
use crate::text::FnvMap as Lookup;

/// Templates shipped in the binary: (name, text).
pub const TEMPLATES: &[(&str, &str)] = &[
    ("base.html", include_str!("../templates/base.html")),
    ("index.html", include_str!("../templates/index.html")),
    ("article.html", include_str!("../templates/article.html")),
    ("redirect.html", include_str!("../templates/redirect.html")),
    ("chronology.html", include_str!("../templates/chronology.html")),
    (
        "chronology_macros.html",
        include_str!("../templates/chronology_macros.html"),
    ),
    ("period.html", include_str!("../templates/period.html")),
    ("entities.html", include_str!("../templates/entities.html")),
    ("entity.html", include_str!("../templates/entity.html")),
    ("sources.html", include_str!("../templates/sources.html")),
    ("quotes.html", include_str!("../templates/quotes.html")),
    ("shared.html", include_str!("../templates/shared.html")),
    ("report.html", include_str!("../templates/report.html")),
    ("page.html", include_str!("../templates/page.html")),
    ("404.html", include_str!("../templates/404.html")),
    ("search.html", include_str!("../templates/search.html")),
    ("pager.html", include_str!("../templates/pager.html")),
];

/// Static files shipped in the binary: (path in the site, bytes).
pub const STATIC: &[(&str, &str)] = &[
    ("static/style.css", include_str!("../templates/static/style.css")),
    ("static/search.js", include_str!("../templates/static/search.js")),
];

/// The about page, Markdown rendered with pulldown-cmark.
pub const ABOUT_MD: &str = include_str!("../templates/about.md");

/// Loads the embedded templates, then any overrides from `dir`. A broken
/// template is an error naming its file, line, column and what was expected.
pub fn load_templates(dir: Option<&Path>) -> Result<Tera> {
    let mut tera = Tera::default();
    tera.autoescape_on(vec![".html", ".xml"]);
    tera.set_escape_fn(escape);
    tera.register_filter("typographic", typographic_filter);
    let mut all: BTreeMap<String, String> = TEMPLATES.iter().map(|(n, t)| (n.to_string(), t.to_string())).collect();
    let mut overrides: Vec<(String, PathBuf)> = Vec::new();
    if let Some(dir) = dir.filter(|d| d.is_dir()) {
        for (name, _) in TEMPLATES {
            let p = dir.join(name);
            if p.is_file() {
                let text =
                    std::fs::read_to_string(&p).with_context(|| format!("cannot read template {}", p.display()))?;
                all.insert(name.to_string(), text);
                overrides.push((name.to_string(), p));
            }
        }
    }
    let list: Vec<(String, String)> = all.into_iter().collect();
    tera.add_raw_templates(list).map_err(|e| {
        let chain = error_chain(&e);
        let from = overrides
            .iter()
            .find(|(n, _)| chain.contains(&format!("'{n}'")))
            .map(|(_, p)| format!(" in {}", p.display()))
            .unwrap_or_default();
        anyhow!("template error{from}: {chain}")
    })?;
    Ok(tera)
}

/// Adds to a render error the template lines that use the missing
/// variable, filter, function or test it names (tera gives no line for
/// these), looking in the overrides in `dir` first, then the built-ins.
pub fn locate_render_error(message: &str, dir: Option<&Path>) -> String {
    let name_in = |open: &str, close: char| -> Option<String> {
        let start = message.find(open)? + open.len();
        let len = message[start..].find(close)?;
        Some(message[start..start + len].to_string())
    };
    let what = name_in("Variable `", '`')
        .or_else(|| name_in("Filter '", '\''))
        .or_else(|| name_in("Function '", '\''))
        .or_else(|| name_in("Test '", '\''));
    let Some(what) = what.filter(|w| !w.is_empty()) else {
        return message.to_string();
    };
    let mut found = Vec::new();
    for (name, builtin) in TEMPLATES {
        let path = dir.map(|d| d.join(name)).filter(|p| p.is_file());
        let text = match &path {
            Some(p) => std::fs::read_to_string(p).unwrap_or_default(),
            None => builtin.to_string(),
        };
        let shown = path
            .map(|p| p.display().to_string())
            .unwrap_or_else(|| format!("built-in {name}"));
        for (i, line) in text.lines().enumerate() {
            if line.contains(what.as_str()) {
                found.push(format!("{shown}:{}: {}", i + 1, line.trim()));
            }
        }
    }
    if found.is_empty() {
        return message.to_string();
    }
    format!("{message}\n  `{what}` is used at:\n    {}", found.join("\n    "))
}

/// A tera error with its causes, one per line.
pub fn error_chain(e: &dyn std::error::Error) -> String {
    let mut out = e.to_string();
    let mut cur = e.source();
    while let Some(c) = cur {
        out.push_str(": ");
        out.push_str(&c.to_string());
        cur = c.source();
    }
    out
}

/// A rendered file: path inside the site and its bytes.
pub type Output = (PathBuf, Vec<u8>);

/// Where rendered files go, as they are made (from several threads).
pub trait Sink: Sync {
    /// True when the sink already holds the file at `path` made from
    /// `key` (a hash of everything the page is made from): the page is
    /// then not rendered again.
    fn fresh(&self, _path: &str, _key: u64) -> bool {
        false
    }
    /// Takes one file; `key` as for [`Sink::fresh`].
    fn put(&self, path: PathBuf, key: u64, bytes: Vec<u8>) -> Result<()>;
    /// Where the file the sink holds now at `path` can be read, and the
    /// hash of its bytes, when it is as the sink last wrote it.
    fn current(&self, _path: &str) -> Option<(PathBuf, u64)> {
        None
    }
    /// Takes one file written by `write`, for files too big to hold in
    /// memory. The default collects the bytes and calls [`Sink::put`].
    fn put_with(&self, path: PathBuf, key: u64, write: &dyn Fn(&mut dyn std::io::Write) -> Result<()>) -> Result<()> {
        let mut buf = Vec::new();
        write(&mut buf)?;
        self.put(path, key, buf)
    }
}

/// A 64-bit hash of a value's JSON form, for [`Sink`] keys: the JSON is
/// written into a buffer kept per thread and hashed in one call (the same
/// hash as streaming it, without a hasher call per JSON token).
pub fn key_of<T: Serialize + ?Sized>(parts: &T) -> u64 {
    thread_local! {
        static JSON: std::cell::RefCell<Vec<u8>> = const { std::cell::RefCell::new(Vec::new()) };
    }
    JSON.with_borrow_mut(|buf| {
        buf.clear();
        let _ = serde_json::to_writer(&mut *buf, parts);
        let key = hash_bytes(buf);
        if buf.capacity() > 1 << 24 {
            *buf = Vec::new();
        }
        key
    })
}

/// A 64-bit hash of bytes, for [`Sink`] keys and output files: XXH3, which
/// gives the same hash however the bytes are split between `update` calls
/// (so a streamed file hashes like its bytes).
pub fn hash_bytes(b: &[u8]) -> u64 {
    xxhash_rust::xxh3::xxh3_64(b)
}

/// Renders a page through `$keyed` (a closure like the one of that name in
/// [`run_into`]: template, root, path, key, and what fills the context)
/// with the template variables listed: the key hashes each `(name, value)`
/// pair and the context is filled from the same list, so a variable the
/// page shows is always in its key.
macro_rules! keyed {
    ($keyed:expr, $template:expr, $root:expr, $path:expr, { $($var:expr => $value:expr),* $(,)? }) => {{
        let key = $crate::render::key_of(&($template, $(($var, $value)),*));
        $keyed($template, $root, $path, key, &|ctx: &mut ::tera::Context| {
            $(ctx.insert($var, $value);)*
        })
    }};
}
pub(crate) use keyed;

/// Renders every page of the archive into `sink`, article and entity pages
/// in parallel, so pages need not all be held in memory at once. `memo`
/// keeps the search index's postings, per block of articles, between builds.
pub fn run_into(
    archive: &Archive,
    site: &SiteConfig,
    tera: &Tera,
    about_md: &str,
    originals: &Originals,
    sink: &dyn Sink,
    memo: &crate::memo::Store,
) -> Result<()> {
    let recorder = Recording {
        inner: sink,
        paths: Default::default(),
    };
    let sink: &dyn Sink = &recorder;
    let idx = Index::new(archive, site.per_page());
    let mut base = Context::new();
    base.insert("site", site);
    base.insert("generator", &archive.generator);
    // Renders `name` into `path`. `key` hashes what the page is made from
    // (the caller has checked that the sink needs it); without one, the
    // page is keyed by its bytes (site-wide pages change with most edits).
    let page = |name: &str, root: &str, path: &str, ctx: &mut Context, key: Option<u64>| -> Result<()> {
        ctx.extend(base.clone());
        ctx.insert("root", root);
        ctx.insert("path", path);
        let html = tera
            .render(name, ctx)
            .map_err(|e| anyhow!("rendering {path} with {name}: {}", error_chain(&e)))?;
        let key = key.unwrap_or_else(|| hash_bytes(html.as_bytes()));
        sink.put(PathBuf::from(path), key, html.into_bytes())
    };

    let put = |path: &str, bytes: Vec<u8>| sink.put(PathBuf::from(path), hash_bytes(&bytes), bytes);
    // Renders `name` into `path` unless the sink holds the page made from
    // `key`, a hash of everything `fill` puts in the context (the site
    // config and templates are in every key already, see `crate::build::salt`);
    // `keyed!` makes both from one list.
    let keyed = |name: &str, root: &str, path: &str, key: u64, fill: &dyn Fn(&mut Context)| -> Result<()> {
        if sink.fresh(path, key) {
            return Ok(());
        }
        let mut ctx = Context::new();
        fill(&mut ctx);
        page(name, root, path, &mut ctx, Some(key))
    };
    // `sources.html` or `quotes.html` (template and stem `name`, the groups
    // given to it as `var`), on numbered pages of about `site.page_size`
    // listed items, whole groups only.
    let group_listing = |name: &str, var: &str, groups: &[Group]| -> Result<()> {
        let pages = group_pages(groups, site.per_page());
        Pager::all(name, pages.len())
            .into_par_iter()
            .zip(pages)
            .try_for_each(|(pager, chunk)| {
                let template = format!("{name}.html");
                keyed!(keyed, &template, "", &pager.url(), { var => chunk, "pager" => &pager })
            })
    };
    // Every page or group of pages is a job; jobs run in parallel (the
    // sink sorts what it receives, so the output does not depend on order).
    type Job<'j> = Box<dyn Fn() -> Result<()> + Send + Sync + 'j>;
    let jobs: Vec<Job> = vec![
        // Long jobs first (with the search index, below): none is left
        // running alone at the end.
        Box::new(|| {
            // Compared by its bytes only: a key would cost a second
            // serialisation whenever the model changed, and a build in
            // which nothing changed stops before rendering. Unchanged
            // articles are copied from the last build's file.
            let last = memo
                .load_side("archive-index")
                .and_then(|index| export::Last::open(&index, sink.current(export::PATH)));
            let written = std::cell::RefCell::new(None);
            sink.put_with(PathBuf::from(export::PATH), 0, &|w| {
                let made = export::write(w, archive, &idx.own, last.as_ref()).context("writing archive.json")?;
                *written.borrow_mut() = Some(made);
                Ok(())
            })?;
            if let Some(written) = written.into_inner() {
                // Without the index the next build serialises every article.
                let _ = memo.save_side("archive-index", &written.index());
            }
            Ok(())
        }),
        Box::new(|| {
            archive.articles.par_iter().try_for_each(|a| -> Result<()> {
                let mut ctx = Context::new();
                let path = &a.url;
                if let Some(canon) = &a.duplicate_of {
                    let card = ArticleCard::new(a);
                    let target = idx.article_url(canon);
                    let key = key_of(&("redirect.html", &card, &target));
                    if !sink.fresh(path, key) {
                        ctx.insert("article", &card);
                        ctx.insert("target", &target);
                        page("redirect.html", "../", path, &mut ctx, Some(key))?;
                    }
                } else {
                    // Keyed by what the page is made from: an unchanged
                    // page is not built.
                    let deps = ArticleDeps::new(a, &idx, originals);
                    let key = deps.key();
                    if !sink.fresh(path, key) {
                        ctx.insert("article", &ArticleView::new(a, deps, originals)?);
                        page("article.html", "../", path, &mut ctx, Some(key))?;
                    }
                }
                Ok(())
            })
        }),
        Box::new(|| {
            let per = site.per_page();
            let by_entity = hits_by_entity(archive);
            archive.entities.par_iter().zip(&by_entity).try_for_each(|(e, hits)| {
                // Keyed by what the pages are made from: when no page's
                // key changed, the entity's lists are not built.
                let pages: Vec<(Pager, u64)> = entity_pages(e, hits, &idx, per)
                    .into_iter()
                    .filter(|(pager, key)| !sink.fresh(&pager.url(), *key))
                    .collect();
                if pages.is_empty() {
                    return Ok(());
                }
                let view = EntityView::new(e, hits, &archive.articles);
                let counts = (view.quotes.len(), view.claims.len(), view.articles.len());
                pages.into_iter().try_for_each(|(pager, key)| {
                    // Page k shows the k-th `site.page_size` of the quotes,
                    // claims and articles.
                    let k = pager.number - 1;
                    let shown = EntityPage {
                        entity: &view.entity,
                        quotes: nth_page(&view.quotes, per, k),
                        claims: nth_page(&view.claims, per, k),
                        articles: nth_page(&view.articles, per, k),
                        counts,
                    };
                    let mut ctx = Context::new();
                    ctx.insert("entity", &shown);
                    ctx.insert("pager", &pager);
                    page("entity.html", "../", &pager.url(), &mut ctx, Some(key))
                })
            })
        }),
        Box::new(|| {
            let cards: Vec<ArticleCard> = archive
                .articles
                .iter()
                .filter(|a| a.duplicate_of.is_none())
                .map(ArticleCard::new)
                .collect();
            // The list continues on numbered pages of `site.page_size` articles.
            let counts = Counts::new(archive);
            let per = site.per_page();
            Pager::split("index", &cards, per)
                .into_par_iter()
                .try_for_each(|(pager, chunk)| {
                    let first = (pager.number - 1) * per + 1;
                    keyed!(keyed, "index.html", "", &pager.url(), {
                        "articles" => chunk,
                        "first" => &first,
                        "counts" => &counts,
                        "pager" => &pager,
                    })
                })
        }),
        Box::new(|| crate::chronology::pages::render(archive, tera, &base, site, sink)),
        Box::new(|| keyed!(keyed, "entities.html", "", "entities.html", { "entities" => &archive.entities })),
        Box::new(|| group_listing("sources", "sources", &sources_view(archive, &idx))),
        Box::new(|| {
            let mut speakers = quotes_view(archive, &idx);
            let lists = list_long_groups(&mut speakers, "quotes");
            group_listing("quotes", "speakers", &speakers)?;
            // A long group without a page of its own (unattributed quotes,
            // scare quotes) is listed whole on numbered pages.
            lists.par_iter().try_for_each(|group| {
                Pager::split(&group.stem, &group.items, site.per_page())
                    .into_par_iter()
                    .try_for_each(|(pager, chunk)| {
                        let whole = [GroupPage {
                            name: &group.name,
                            url: None,
                            items: chunk,
                            total: group.total,
                            more: 0,
                            listed: false,
                        }];
                        let heading = format!("Quotes: {}", group.name);
                        keyed!(keyed, "quotes.html", "", &pager.url(), {
                            "speakers" => &whole,
                            "heading" => &heading,
                            "pager" => &pager,
                        })
                    })
            })
        }),
        Box::new(|| {
            // Numbered pages of `site.page_size` passages; a passage's
            // anchor is its number in the whole list.
            let per = site.per_page();
            let all = &archive.shared_passages;
            Pager::split("shared", all, per)
                .into_par_iter()
                .try_for_each(|(pager, chunk)| {
                    let k = pager.number - 1;
                    let passages: Vec<_> = chunk
                        .iter()
                        .enumerate()
                        .map(|(i, s)| {
                            (
                                k * per + i + 1,
                                s.text.clone(),
                                s.occurrences
                                    .iter()
                                    .map(|o| {
                                        let (url, title) = idx.page_and_title(&o.article);
                                        Link {
                                            url: format!("{url}#{}", o.paragraph),
                                            title: title.to_string(),
                                        }
                                    })
                                    .collect::<Vec<_>>(),
                            )
                        })
                        .collect();
                    keyed!(keyed, "shared.html", "", &pager.url(), {
                        "passages" => &passages,
                        "total" => &all.len(),
                        "pager" => &pager,
                    })
                })
        }),
        Box::new(|| {
            // Only the articles the page has something to say about.
            let rows: Vec<ReportRow> = archive
                .articles
                .iter()
                .filter(|a| !a.removed.is_empty() || !a.edits.is_empty() || a.duplicate_of.is_some())
                .map(|a| ReportRow::new(a, &idx))
                .collect();
            let duplicates: Vec<(Link, Vec<Link>, f64)> = archive
                .duplicates
                .iter()
                .map(|d| {
                    (
                        idx.link(&d.canonical),
                        d.members
                            .iter()
                            .filter(|m| **m != d.canonical)
                            .map(|m| idx.link(m))
                            .collect::<Vec<_>>(),
                        d.similarity,
                    )
                })
                .collect();
            keyed!(keyed, "report.html", "", "report.html", {
                "articles" => &rows,
                "duplicates" => &duplicates,
                "warnings" => &archive.warnings,
            })
        }),
        Box::new(|| {
            // Keyed by its Markdown: highlighting its code is a
            // noticeable share of a rebuild.
            let title = "About this archive";
            keyed(
                "page.html",
                "",
                "about.html",
                key_of(&("page.html", title, about_md)),
                &|ctx| {
                    ctx.insert("title", title);
                    ctx.insert("body", &markdown_to_html(about_md));
                },
            )
        }),
        Box::new(|| {
            let mut ctx = Context::new();
            // Served for missing paths at any depth: links from the site's root path.
            page(
                "404.html",
                &crate::feeds::base_path(&site.base_url),
                "404.html",
                &mut ctx,
                None,
            )?;
            page("search.html", "", "search.html", &mut Context::new(), None)
        }),
        Box::new(|| {
            for (path, text) in STATIC {
                put(path, text.as_bytes().to_vec())?;
            }
            put("static/syntax.css", syntax_css().into_bytes())?;
            put(".nojekyll", Vec::new())?;
            Ok(())
        }),
    ];
    let search = || crate::search::build_into(archive, memo, sink);
    let (searched, rest) = rayon::join(search, || jobs.par_iter().try_for_each(|job| job()));
    searched?;
    rest?;
    let mut pages = recorder.paths.lock().expect("no panic while holding the lock").clone();
    pages.sort();
    for (path, bytes) in crate::feeds::run(archive, site, &pages) {
        recorder.put(path, hash_bytes(&bytes), bytes)?;
    }
    Ok(())
}

/// Passes files on to another sink and remembers every path made or kept,
/// for the sitemap.
struct Recording<'s> {
    inner: &'s dyn Sink,
    paths: std::sync::Mutex<Vec<PathBuf>>,
}

impl Sink for Recording<'_> {
    fn current(&self, path: &str) -> Option<(PathBuf, u64)> {
        self.inner.current(path)
    }
    fn fresh(&self, path: &str, key: u64) -> bool {
        let fresh = self.inner.fresh(path, key);
        if fresh {
            self.paths
                .lock()
                .expect("no panic while holding the lock")
                .push(PathBuf::from(path));
        }
        fresh
    }
    fn put(&self, path: PathBuf, key: u64, bytes: Vec<u8>) -> Result<()> {
        self.paths
            .lock()
            .expect("no panic while holding the lock")
            .push(path.clone());
        self.inner.put(path, key, bytes)
    }
    fn put_with(&self, path: PathBuf, key: u64, write: &dyn Fn(&mut dyn std::io::Write) -> Result<()>) -> Result<()> {
        self.paths
            .lock()
            .expect("no panic while holding the lock")
            .push(path.clone());
        // Passed on as a stream: the default would hold the whole file in memory.
        self.inner.put_with(path, key, write)
    }
}

/// Lookups shared by page views.
pub struct Index<'a> {
    /// The archive's articles, and each id's position among them.
    articles: &'a [Article],
    position: Lookup<&'a str, usize>,
    entities: Lookup<&'a str, &'a Entity>,
    /// (article, paragraph) → index of its shared passage.
    also_in: Lookup<(&'a str, &'a str), usize>,
    passages: &'a [crate::model::SharedPassage],
    /// A hash of what the "also in" links of each shared passage are made
    /// from (each occurrence's article, paragraph, page and title), for the
    /// keys of the pages that show them.
    passage_keys: Vec<u64>,
    /// Canonical id → its duplicates, in id order.
    variants: Lookup<&'a str, Vec<&'a Article>>,
    /// A hash of each article (its binary form), by position: for page
    /// keys and to find the JSON of unchanged articles (see [`export`]).
    own: Vec<u64>,
    /// Items per page of long listings ([`SiteConfig::per_page`]).
    per_page: usize,
}

impl<'a> Index<'a> {
    pub fn new(archive: &'a Archive, per_page: usize) -> Self {
        let mut variants: Lookup<&str, Vec<&Article>> = Lookup::default();
        for b in &archive.articles {
            if let Some(c) = &b.duplicate_of {
                variants.entry(c.as_str()).or_default().push(b);
            }
        }
        for v in variants.values_mut() {
            v.sort_by(|x, y| x.id.cmp(&y.id));
        }
        let position: Lookup<&str, usize> = archive
            .articles
            .iter()
            .enumerate()
            .map(|(i, a)| (a.id.as_str(), i))
            .collect();
        let passage_keys = archive
            .shared_passages
            .par_iter()
            .map(|s| {
                let shown: Vec<_> = s
                    .occurrences
                    .iter()
                    .map(|o| {
                        let a = position.get(o.article.as_str()).map(|&i| &archive.articles[i]);
                        let page = a.map(|a| (a.url.as_str(), a.title.as_str()));
                        (o.article.as_str(), o.paragraph.as_str(), page)
                    })
                    .collect();
                crate::memo::key(&shown)
            })
            .collect();
        Index {
            own: archive
                .articles
                .par_iter()
                .map(|a| hash_bytes(&bincode::serialize(a).expect("the model serialises")))
                .collect(),
            articles: &archive.articles,
            position,
            entities: archive.entities.iter().map(|e| (e.id.as_str(), e)).collect(),
            also_in: archive
                .shared_passages
                .iter()
                .enumerate()
                .flat_map(|(i, s)| {
                    s.occurrences
                        .iter()
                        .map(move |o| ((o.article.as_str(), o.paragraph.as_str()), i))
                })
                .collect(),
            passages: &archive.shared_passages,
            passage_keys,
            variants,
            per_page,
        }
    }
    fn article(&self, id: &str) -> Option<&'a Article> {
        self.position.get(id).map(|&i| &self.articles[i])
    }
    /// The hash of article `id` (0 for an unknown id).
    fn own(&self, id: &str) -> u64 {
        self.position.get(id).map_or(0, |&i| self.own[i])
    }
    fn article_url(&self, id: &str) -> String {
        self.page_and_title(id).0.to_string()
    }
    /// The page and title of article `id`, looked up once (no page, and
    /// the id for a title, when there is no such article).
    fn page_and_title<'b>(&'b self, id: &'b str) -> (&'b str, &'b str) {
        self.article(id)
            .map_or(("", id), |a| (a.url.as_str(), a.title.as_str()))
    }
    /// A link to article `id` with its title.
    fn link(&self, id: &str) -> Link {
        let (url, title) = self.page_and_title(id);
        Link {
            url: url.to_string(),
            title: title.to_string(),
        }
    }
    /// The name and page of entity `id` (the id, and no page, when there
    /// is no such entity).
    fn name_and_page<'b>(&self, id: &'b str) -> (&'b str, Option<&'b str>)
    where
        'a: 'b,
    {
        self.entities
            .get(id)
            .map_or((id, None), |e| (e.name.as_str(), Some(e.url.as_str())))
    }
    fn entity_name(&self, id: &str) -> String {
        self.name_and_page(id).0.to_string()
    }
    fn entity_url(&self, id: &str) -> Option<String> {
        self.name_and_page(id).1.map(str::to_string)
    }
}

#[derive(Serialize, Clone)]
struct Link {
    url: String,
    title: String,
}

#[derive(Serialize)]
struct ArticleCard {
    id: String,
    url: String,
    title: String,
    date: Option<Short>,
    inferred: bool,
    sources: Vec<String>,
    paragraphs: usize,
}

impl ArticleCard {
    fn new(a: &Article) -> Self {
        ArticleCard {
            id: a.id.clone(),
            url: a.url.clone(),
            title: a.title.clone(),
            date: a.date.value.clone(),
            inferred: a.date.inferred,
            sources: a.sources.clone(),
            paragraphs: a.paragraphs.len(),
        }
    }
}

#[derive(Serialize)]
struct Counts {
    articles: usize,
    duplicates: usize,
    entities: usize,
    events: usize,
    quotes: usize,
    shared_passages: usize,
}

impl Counts {
    fn new(a: &Archive) -> Self {
        Counts {
            articles: a.articles.iter().filter(|x| x.duplicate_of.is_none()).count(),
            duplicates: a.articles.iter().filter(|x| x.duplicate_of.is_some()).count(),
            entities: a.entities.len(),
            events: a.events.len(),
            quotes: a.articles.iter().map(|x| x.quotes.len()).sum(),
            shared_passages: a.shared_passages.len(),
        }
    }
}

#[derive(Serialize)]
struct ParagraphView {
    id: Short,
    role: Option<String>,
    /// Escaped text with annotation markup; safe to emit unescaped.
    html: String,
    also_in: Option<AlsoIn>,
}

/// Where else a shared paragraph occurs: the first few other places, and
/// how many more are listed on the shared passages page.
#[derive(Serialize)]
struct AlsoIn {
    links: Vec<Link>,
    more: usize,
    /// The shared passages page listing the passage (`shared.html`,
    /// `shared.2.html`, ...) and its fragment there.
    page: String,
    anchor: String,
}

/// Other places shown under a shared paragraph; the rest are on `shared.html`.
const ALSO_IN_SHOWN: usize = 8;

impl AlsoIn {
    /// The other occurrences of shared passage `i` than in article `id`.
    fn new(i: usize, id: &str, idx: &Index) -> Self {
        let all = &idx.passages[i].occurrences;
        // Occurrences are sorted by article id: this article's are one run.
        let own = all.partition_point(|o| o.article.as_str() < id)..all.partition_point(|o| o.article.as_str() <= id);
        let others = all[..own.start].iter().chain(&all[own.end..]);
        AlsoIn {
            links: others
                .take(ALSO_IN_SHOWN)
                .map(|o| {
                    let (url, title) = idx.page_and_title(&o.article);
                    Link {
                        url: format!("../{url}#{}", o.paragraph),
                        title: format!("{title} ({})", o.paragraph),
                    }
                })
                .collect(),
            more: (all.len() - own.len()).saturating_sub(ALSO_IN_SHOWN),
            page: Pager::url_of("shared", i / idx.per_page + 1),
            anchor: format!("s{}", i + 1),
        }
    }
}

/// A duplicate merged into a canonical article, and how it differs.
#[derive(Serialize)]
struct VariantView {
    /// Fragment of the variant's original text on the canonical page.
    anchor: String,
    title: String,
    source_file: String,
    original: String,
    diff: crate::dedup::diff::VariantDiff,
}

#[derive(Serialize)]
struct ArticleView {
    #[serde(flatten)]
    card: ArticleCard,
    date_window: Option<(Option<Short>, Option<Short>)>,
    evidence: Vec<String>,
    byline: Option<String>,
    original_url: Option<String>,
    source_file: String,
    /// The file's text as ingested (decoded, otherwise untouched).
    original: String,
    paragraphs: Vec<ParagraphView>,
    related: Vec<Link>,
    variants: Vec<VariantView>,
    removed: usize,
    timeline: Vec<(Short, Short, Short)>,
}

/// What an article's page is made from besides the article itself, looked
/// up once. The page's key hashes it with the article, and [`ArticleView`]
/// is built from the two alone (and the texts `originals` holds, by their
/// hashes here), so a page whose key is unchanged need not be built.
#[derive(Serialize)]
struct ArticleDeps<'a> {
    /// The article's hash ([`Index::own`]).
    own: u64,
    names: Names<'a>,
    related: Vec<Link>,
    /// The shared passage of each shared paragraph, by paragraph id, with
    /// its key ([`Index::passage_keys`]): where else it occurs is looked up
    /// only when the page is made.
    also_in: BTreeMap<&'a str, (usize, u64)>,
    #[serde(skip)]
    idx: &'a Index<'a>,
    /// The article's duplicates, in id order (in the key by their hashes).
    #[serde(skip)]
    variants: Vec<&'a Article>,
    variant_hashes: Vec<u64>,
    /// Hashes of the texts as ingested: the article's, then its variants'.
    originals: Vec<Option<u64>>,
}

impl<'a> ArticleDeps<'a> {
    fn new(a: &'a Article, idx: &'a Index, originals: &Originals) -> Self {
        let variants: Vec<&Article> = idx.variants.get(a.id.as_str()).cloned().unwrap_or_default();
        ArticleDeps {
            own: idx.own(&a.id),
            names: Names::of(a, idx),
            related: a.related.iter().map(|r| idx.link(r)).collect(),
            also_in: a
                .paragraphs
                .iter()
                .filter_map(|p| {
                    let &i = idx.also_in.get(&(a.id.as_str(), p.id.as_str()))?;
                    Some((p.id.as_str(), (i, idx.passage_keys[i])))
                })
                .collect(),
            idx,
            originals: std::iter::once(a)
                .chain(variants.iter().copied())
                .map(|x| originals.hash(&x.id))
                .collect(),
            variant_hashes: variants.iter().map(|v| idx.own(&v.id)).collect(),
            variants,
        }
    }

    /// The page's key: a hash of these inputs, the article's among them (in
    /// a binary form: JSON would escape every paragraph for nothing).
    fn key(&self) -> u64 {
        hash_bytes(&bincode::serialize(&("article.html", self)).expect("the model serialises"))
    }
}

/// The name and page of each entity an article names, quotes or cites,
/// borrowed from the index and looked up once per entity (an article names
/// the same entities many times).
#[derive(Serialize)]
struct Names<'a>(BTreeMap<&'a str, (&'a str, Option<&'a str>)>);

impl<'a> Names<'a> {
    fn of(a: &'a Article, idx: &Index<'a>) -> Self {
        let ids = a.mentions.iter().map(|m| m.entity.as_str());
        let ids = ids.chain(a.quotes.iter().filter_map(|q| q.speaker.as_deref()));
        let ids = ids.chain(a.attributions.iter().map(|t| t.source.as_str()));
        let mut names = BTreeMap::new();
        for id in ids {
            names.entry(id).or_insert_with(|| idx.name_and_page(id));
        }
        Names(names)
    }
    /// Like [`Index::entity_name`].
    fn name<'b>(&'b self, id: &'b str) -> &'b str {
        self.0.get(id).map_or(id, |e| e.0)
    }
    /// Like [`Index::entity_url`].
    fn url(&self, id: &str) -> Option<&str> {
        self.0.get(id).and_then(|e| e.1)
    }
}

impl ArticleView {
    /// `originals`: the text of every article file as ingested, by id.
    fn new(a: &Article, deps: ArticleDeps, originals: &Originals) -> Result<Self> {
        let original = |id: &str| originals.text(id).map(Option::unwrap_or_default);
        let marks = marks_by_paragraph(a);
        let no_marks = Marks::default();
        let ArticleDeps {
            names,
            related,
            also_in,
            variants,
            idx,
            ..
        } = deps;
        let paragraphs = a
            .paragraphs
            .iter()
            .map(|p| ParagraphView {
                id: p.id.clone(),
                role: p.role.clone(),
                // Raw HTML blocks are let through only when the config allows it (build.rs marks them).
                html: match p.role.as_deref() {
                    Some("html") => p.text.clone(),
                    _ => paragraph_html(marks.get(p.id.as_str()).unwrap_or(&no_marks), &p.text, &names),
                },
                also_in: also_in.get(p.id.as_str()).map(|&(i, _)| AlsoIn::new(i, &a.id, idx)),
            })
            .collect();
        let variants = variants
            .into_iter()
            .map(|b| {
                Ok(VariantView {
                    anchor: format!("original-{}", b.id),
                    title: b.title.clone(),
                    source_file: b.source_file.clone(),
                    original: original(&b.id)?,
                    diff: crate::dedup::diff::summarise(a, b),
                })
            })
            .collect::<Result<_>>()?;
        let mut timeline: Vec<(Short, Short, Short)> = a
            .dates
            .iter()
            .map(|d| (d.value.clone(), d.text.clone(), d.paragraph.clone()))
            .collect();
        timeline.sort();
        timeline.dedup();
        Ok(ArticleView {
            card: ArticleCard::new(a),
            date_window: a
                .date
                .inferred
                .then(|| (a.date.earliest.clone(), a.date.latest.clone())),
            evidence: a.date.evidence.clone(),
            byline: a.byline.clone(),
            original_url: a.original_url.clone(),
            source_file: a.source_file.clone(),
            original: original(&a.id)?,
            paragraphs,
            related,
            variants,
            removed: a.removed.len(),
            timeline,
        })
    }
}

/// Escapes `s` for HTML text and attribute values. The text between special
/// characters is copied in runs (they are ASCII, so never inside a
/// multi-byte character).
pub fn escape(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + s.len() / 16);
    escape_into(&mut out, s);
    out
}

/// [`escape`] appended to `out`.
pub fn escape_into(out: &mut String, s: &str) {
    let mut from = 0;
    for (i, b) in s.bytes().enumerate() {
        let entity = match b {
            b'&' => "&amp;",
            b'<' => "&lt;",
            b'>' => "&gt;",
            b'"' => "&quot;",
            b'\'' => "&#39;",
            _ => continue,
        };
        out.push_str(&s[from..i]);
        out.push_str(entity);
        from = i + 1;
    }
    out.push_str(&s[from..]);
}

/// One paragraph's annotations.
#[derive(Default)]
struct Marks<'a> {
    quotes: Vec<&'a crate::model::Quote>,
    attributions: Vec<&'a crate::model::Attribution>,
    mentions: Vec<&'a crate::model::Mention>,
    dates: Vec<&'a crate::model::DateMention>,
}

/// An article's annotations grouped by paragraph id, in one pass, so a page
/// costs time linear in its annotations however many paragraphs it has.
fn marks_by_paragraph(a: &Article) -> BTreeMap<&str, Marks<'_>> {
    let mut by: BTreeMap<&str, Marks> = BTreeMap::new();
    for q in &a.quotes {
        by.entry(q.paragraph.as_str()).or_default().quotes.push(q);
    }
    for t in &a.attributions {
        by.entry(t.paragraph.as_str()).or_default().attributions.push(t);
    }
    for m in &a.mentions {
        by.entry(m.paragraph.as_str()).or_default().mentions.push(m);
    }
    for d in &a.dates {
        by.entry(d.paragraph.as_str()).or_default().dates.push(d);
    }
    by
}

/// One paragraph as HTML: the escaped text with quotes, attributions and
/// entity mentions marked up. Spans are nested properly; a span that would
/// cross its parent's end is clipped to it.
fn paragraph_html(marks: &Marks, text: &str, names: &Names) -> String {
    // (start, end, open tag, close tag)
    let mut spans: Vec<(usize, usize, String, String)> = Vec::new();
    for q in &marks.quotes {
        let who = match (&q.speaker, &q.speaker_mention) {
            (Some(s), _) => format!("quote from {}", names.name(s)),
            (None, Some(m)) => format!("quote from {m}"),
            (None, None) => format!("{} quote", q.kind),
        };
        // The speaker follows the quote as text, linked to their page.
        let tag = match (&q.speaker, &q.speaker_mention) {
            (Some(s), _) => match names.url(s) {
                Some(u) => format!(
                    "<span class=\"who\"> (<a class=\"speaker\" href=\"../{}\">{}</a>)</span>",
                    escape(u),
                    escape(names.name(s))
                ),
                None => format!("<span class=\"who\"> ({})</span>", escape(names.name(s))),
            },
            (None, Some(m)) => format!("<span class=\"who\"> ({})</span>", escape(m)),
            (None, None) if q.kind == "scare" => "<span class=\"who\"> (scare quote)</span>".to_string(),
            (None, None) => String::new(),
        };
        // The marks go inside the element, so the speaker follows the closing mark.
        let mut start = q.start.min(text.len());
        let mut end = q.end.clamp(start, text.len());
        if let Some(c) = text.get(..start).and_then(|t| t.chars().next_back()) {
            if matches!(c, '“' | '‘' | '"' | '\'' | '„') {
                start -= c.len_utf8();
            }
        }
        if let Some(c) = text.get(end..).and_then(|t| t.chars().next()) {
            if matches!(c, '”' | '’' | '"' | '\'') {
                end += c.len_utf8();
            }
        }
        spans.push((
            start,
            end,
            format!("<q class=\"quote {}\" title=\"{}\">", escape(&q.kind), escape(&who)),
            format!("</q>{tag}"),
        ));
    }
    for t in &marks.attributions {
        let open = match names.url(&t.source) {
            Some(u) => format!(
                "<a class=\"attribution\" href=\"../{}\" title=\"source: {}\">",
                escape(u),
                escape(names.name(&t.source))
            ),
            None => format!("<span class=\"attribution\" title=\"source: {}\">", escape(&t.source)),
        };
        let close = if open.starts_with("<a") { "</a>" } else { "</span>" };
        spans.push((t.start, t.end, open, close.to_string()));
    }
    for m in &marks.mentions {
        if let Some(u) = names.url(&m.entity) {
            spans.push((
                m.start,
                m.end,
                format!("<a class=\"entity\" href=\"../{}\">", escape(u)),
                "</a>".to_string(),
            ));
        }
    }
    for d in &marks.dates {
        spans.push((
            d.start,
            d.end,
            format!("<time datetime=\"{}\">", escape(&d.value)),
            "</time>".to_string(),
        ));
    }
    spans.retain(|s| s.0 < s.1 && s.1 <= text.len() && text.is_char_boundary(s.0) && text.is_char_boundary(s.1));
    spans.sort_by(|x, y| x.0.cmp(&y.0).then(y.1.cmp(&x.1)));
    let mut out = String::with_capacity(text.len() * 2);
    let mut stack: Vec<(usize, String, bool)> = Vec::new(); // (end, close, is_link)
    let mut pos = 0;
    let piece = &mut String::new();
    let close_until =
        |out: &mut String, piece: &mut String, stack: &mut Vec<(usize, String, bool)>, pos: &mut usize, upto: usize| {
            while stack.last().is_some_and(|s| s.0 <= upto) {
                let (end, close, _) = stack.pop().expect("non-empty");
                push_shown(out, piece, text, *pos, end);
                *pos = end;
                out.push_str(&close);
            }
        };
    for (start, end, open, close) in spans {
        close_until(&mut out, piece, &mut stack, &mut pos, start);
        let is_link = open.starts_with("<a");
        let inside_link = stack.iter().any(|s| s.2);
        let parent_end = stack.last().map(|s| s.0).unwrap_or(text.len());
        let end = end.min(parent_end);
        if start < pos || end <= start || (is_link && inside_link) {
            continue;
        }
        push_shown(&mut out, piece, text, pos, start);
        pos = start;
        out.push_str(&open);
        // No link inside a link: a quote inside one drops its speaker link.
        let close = if inside_link && close.contains("<a") {
            "</q>".to_string()
        } else {
            close
        };
        stack.push((end, close, is_link));
    }
    close_until(&mut out, piece, &mut stack, &mut pos, usize::MAX);
    push_shown(&mut out, piece, text, pos, text.len());
    out
}

/// Appends `text[from..to]` as displayed (typographic quote marks; the
/// model keeps them as written, so annotation offsets stay valid), escaped.
/// `piece` is scratch space.
fn push_shown(out: &mut String, piece: &mut String, text: &str, from: usize, to: usize) {
    piece.clear();
    crate::clean::typography::display_into(piece, &text[from..to], text[..from].chars().next_back());
    escape_into(out, piece);
}

/// Tera filter `typographic`: a string with typographic quote marks.
fn typographic_filter(
    value: &tera::Value,
    _: &std::collections::HashMap<String, tera::Value>,
) -> tera::Result<tera::Value> {
    match value.as_str() {
        Some(s) => Ok(tera::Value::String(crate::clean::typography::display(s, None))),
        None => Ok(value.clone()),
    }
}

#[derive(Serialize)]
struct EntityView {
    entity: Entity,
    /// Every article naming the entity, in archive order.
    articles: Vec<EntityArticle>,
    /// (paragraph link, quote text, how the speaker was named).
    quotes: Vec<(Link, String, Short)>,
    /// Claims attributed to the entity as a source.
    claims: Vec<Claim>,
}

/// One page of an entity's lists; `counts`: how many quotes, claims and
/// articles there are in all.
#[derive(Serialize)]
struct EntityPage<'a> {
    entity: &'a Entity,
    quotes: &'a [(Link, String, Short)],
    claims: &'a [Claim],
    articles: &'a [EntityArticle],
    counts: (usize, usize, usize),
}

/// An article on an entity's page: linked at its first mention of the
/// entity (or the article itself when it only quotes or cites it).
#[derive(Serialize)]
struct EntityArticle {
    link: Link,
    /// The sentence of the first mention, if any.
    sentence: Option<String>,
    /// Mentions after the first.
    more: usize,
}

/// What one article says of one entity: how often it mentions it (and
/// where first), and how many quotes and claims it credits to it.
struct Hit {
    /// Index of the article in the archive.
    article: u32,
    /// Index of the first mention in the article's mentions, if any.
    first: Option<u32>,
    mentions: u32,
    quotes: u32,
    cites: u32,
}

impl Hit {
    /// Every entity of the archive (by index, see `entity_no`) that article
    /// `i`, `a`, mentions, quotes or cites, with its hit, in one pass over
    /// the article's annotations.
    fn all(i: usize, a: &Article, entity_no: &Lookup<&str, u32>) -> Vec<(u32, Hit)> {
        let mut hits: Vec<(u32, Hit)> = Vec::new();
        let mut at: Lookup<u32, usize> = Lookup::default();
        // Where `id`'s hit is in `hits`, added when first seen.
        let mut slot = |hits: &mut Vec<(u32, Hit)>, id: &str| -> Option<usize> {
            let e = *entity_no.get(id)?;
            Some(*at.entry(e).or_insert_with(|| {
                let empty = Hit {
                    article: i as u32,
                    first: None,
                    mentions: 0,
                    quotes: 0,
                    cites: 0,
                };
                hits.push((e, empty));
                hits.len() - 1
            }))
        };
        for (k, m) in a.mentions.iter().enumerate() {
            if let Some(s) = slot(&mut hits, &m.entity) {
                let h = &mut hits[s].1;
                h.first.get_or_insert(k as u32);
                h.mentions += 1;
            }
        }
        for q in &a.quotes {
            if let Some(s) = q.speaker.as_deref().and_then(|id| slot(&mut hits, id)) {
                hits[s].1.quotes += 1;
            }
        }
        for t in &a.attributions {
            if let Some(s) = slot(&mut hits, &t.source) {
                hits[s].1.cites += 1;
            }
        }
        hits
    }
}

/// Each entity's hits (by position in the archive): what each
/// non-duplicate article naming it says of it, in archive order. Each
/// article's are found in parallel.
fn hits_by_entity(archive: &Archive) -> Vec<Vec<Hit>> {
    let entity_no: Lookup<&str, u32> = archive
        .entities
        .iter()
        .enumerate()
        .map(|(i, e)| (e.id.as_str(), i as u32))
        .collect();
    let per_article: Vec<Vec<(u32, Hit)>> = archive
        .articles
        .par_iter()
        .enumerate()
        .filter(|(_, a)| a.duplicate_of.is_none())
        .map(|(i, a)| Hit::all(i, a, &entity_no))
        .collect();
    let mut by_entity: Vec<Vec<Hit>> = (0..archive.entities.len()).map(|_| Vec::new()).collect();
    for (e, hit) in per_article.into_iter().flatten() {
        by_entity[e as usize].push(hit);
    }
    by_entity
}

/// An entity's pages and their keys, from `hits` alone. Long lists
/// continue on numbered pages of `per` quotes, claims and articles. A key
/// hashes the entity, the page, and each hit with its article's hash (all
/// the page shows of an article: link, title, sentences, quotes, claims).
fn entity_pages(e: &Entity, hits: &[Hit], idx: &Index, per: usize) -> Vec<(Pager, u64)> {
    let quotes: usize = hits.iter().map(|h| h.quotes as usize).sum();
    let claims: usize = hits.iter().map(|h| h.cites as usize).sum();
    let inputs: Vec<(u64, Option<u32>, u32, u32, u32)> = hits
        .iter()
        .map(|h| (idx.own[h.article as usize], h.first, h.mentions, h.quotes, h.cites))
        .collect();
    let key = hash_bytes(&bincode::serialize(&("entity.html", e, per, inputs)).expect("the model serialises"));
    let stem = e.url.strip_suffix(".html").unwrap_or(&e.url);
    Pager::all(stem, quotes.max(claims).max(hits.len()).div_ceil(per))
        .into_iter()
        .map(|pager| {
            let k = key_of(&(key, &pager));
            (pager, k)
        })
        .collect()
}

impl EntityView {
    /// `hits`: what each non-duplicate article naming `e` says of it, in
    /// archive order; `articles`: the archive's articles.
    fn new(e: &Entity, hits: &[Hit], articles: &[Article]) -> Self {
        let mut listed = Vec::new();
        let mut quotes = Vec::new();
        let mut claims = Vec::new();
        let up = |a: &Article, pid: &str| {
            let l = claim_link(a, pid);
            Link {
                url: format!("../{}", l.url),
                title: l.title,
            }
        };
        for h in hits {
            let a = &articles[h.article as usize];
            if let Some(m) = h.first.map(|k| &a.mentions[k as usize]) {
                listed.push(EntityArticle {
                    link: up(a, &m.paragraph),
                    sentence: Some(sentence_at(paragraph_text(a, &m.paragraph), m.start, m.end)),
                    more: h.mentions as usize - 1,
                });
            } else {
                listed.push(EntityArticle {
                    link: up(a, ""),
                    sentence: None,
                    more: 0,
                });
            }
            if h.quotes > 0 {
                for q in a.quotes.iter().filter(|q| q.speaker.as_deref() == Some(e.id.as_str())) {
                    quotes.push((
                        up(a, &q.paragraph),
                        q.text.clone(),
                        q.speaker_mention.clone().unwrap_or_default(),
                    ));
                }
            }
            if h.cites > 0 {
                for t in a.attributions.iter().filter(|t| t.source == e.id) {
                    claims.push(Claim {
                        link: up(a, &t.paragraph),
                        cue: t.cue.clone(),
                        text: claim_text(a, t),
                    });
                }
            }
        }
        EntityView {
            entity: e.clone(),
            articles: listed,
            quotes,
            claims,
        }
    }
}

#[derive(Serialize, Clone)]
struct Claim {
    link: Link,
    cue: Short,
    text: String,
}

/// The sentence of `text` around bytes `start..end` (the whole text when
/// no sentence stop is near).
fn sentence_at(text: &str, start: usize, end: usize) -> String {
    const STOPS: [&str; 5] = [". ", "? ", "! ", ".” ", "?” "];
    let start = start.min(text.len());
    let end = end.clamp(start, text.len());
    let is_stop = |c: char| matches!(c, '.' | '?' | '!');
    // The length of the sentence stop at byte `i`, if one ends before `limit`.
    let stop_at = |i: usize, limit: usize| STOPS.iter().find(|s| text[i..limit].starts_with(**s)).map(|s| s.len());
    // Stops cannot overlap, so the nearest stop on each side is the one
    // that ends nearest.
    let from = text[..start]
        .char_indices()
        .rev()
        .filter(|&(_, c)| is_stop(c))
        .find_map(|(i, _)| stop_at(i, start).map(|n| i + n))
        .unwrap_or(0);
    let to = text[end..]
        .char_indices()
        .filter(|&(_, c)| is_stop(c))
        .find_map(|(i, _)| stop_at(end + i, text.len()).map(|n| end + i + n - 1))
        .unwrap_or(text.len());
    text[from..to].trim().to_string()
}

/// The sentence of `a` an attribution was made in, or a note when it
/// credits the whole article.
fn claim_text(a: &Article, t: &crate::model::Attribution) -> String {
    if t.paragraph.is_empty() {
        "Credited as a source of the whole article.".to_string()
    } else {
        sentence_at(paragraph_text(a, &t.paragraph), t.start, t.end)
    }
}

fn paragraph_text<'a>(a: &'a Article, pid: &str) -> &'a str {
    a.paragraphs
        .iter()
        .find(|p| p.id == pid)
        .map_or("", |p| p.text.as_str())
}

fn claim_link(a: &Article, pid: &str) -> Link {
    Link {
        url: if pid.is_empty() {
            a.url.clone()
        } else {
            format!("{}#{}", a.url, pid)
        },
        title: a.title.clone(),
    }
}

/// Every source with each claim attributed to it (the cue and its
/// sentence, linked to the paragraph), sources by name.
fn sources_view(archive: &Archive, idx: &Index) -> Vec<Group> {
    let mut by: BTreeMap<&str, Group> = BTreeMap::new();
    for a in archive.articles.iter().filter(|a| a.duplicate_of.is_none()) {
        for t in &a.attributions {
            let g = by
                .entry(t.source.as_str())
                .or_insert_with(|| Group::new(idx.entity_name(&t.source), idx.entity_url(&t.source)));
            g.push(|| Claim {
                link: claim_link(a, &t.paragraph),
                cue: t.cue.clone(),
                text: claim_text(a, t),
            });
        }
    }
    let mut out: Vec<Group> = by.into_values().collect();
    out.sort_by(|x, y| {
        x.name
            .to_lowercase()
            .cmp(&y.name.to_lowercase())
            .then(x.name.cmp(&y.name))
    });
    out
}

/// Where a page stands in a listing split into numbered pages: page 1 is
/// `{stem}.html`, page k is `{stem}.{k}.html` (all at the site root; slugs
/// have no dots, so a page never takes another listing's name).
#[derive(Serialize)]
pub(crate) struct Pager {
    /// 1-based.
    pub(crate) number: usize,
    /// Every page's URL, in order.
    pages: Vec<String>,
    prev: Option<String>,
    next: Option<String>,
}

impl Pager {
    /// The pagers of a listing of `count` pages (at least one).
    pub(crate) fn all(stem: &str, count: usize) -> Vec<Pager> {
        let pages: Vec<String> = (1..=count.max(1)).map(|k| Pager::url_of(stem, k)).collect();
        (1..=pages.len())
            .map(|number| Pager {
                number,
                prev: (number > 1).then(|| pages[number - 2].clone()),
                next: pages.get(number).cloned(),
                pages: pages.clone(),
            })
            .collect()
    }

    pub(crate) fn url_of(stem: &str, k: usize) -> String {
        if k <= 1 {
            format!("{stem}.html")
        } else {
            format!("{stem}.{k}.html")
        }
    }

    pub(crate) fn url(&self) -> String {
        self.pages[self.number - 1].clone()
    }

    /// `items` cut into pages of `per`: each page's pager and items (one
    /// empty page when there are none).
    fn split<'a, T>(stem: &str, items: &'a [T], per: usize) -> Vec<(Pager, &'a [T])> {
        Pager::all(stem, items.len().div_ceil(per))
            .into_iter()
            .map(|p| {
                let page = nth_page(items, per, p.number - 1);
                (p, page)
            })
            .collect()
    }
}

/// The `k`-th (from 0) run of `per` items; empty past the end.
pub(crate) fn nth_page<T>(items: &[T], per: usize, k: usize) -> &[T] {
    let start = (k * per).min(items.len());
    &items[start..(start + per).min(items.len())]
}

/// Groups cut into pages of about `per` (at least 1) listed items, whole groups only
/// (a page holds at least one group, and there is at least one page).
fn group_pages(groups: &[Group], per: usize) -> Vec<&[Group]> {
    let mut pages = Vec::new();
    let (mut start, mut items) = (0, 0);
    for (i, g) in groups.iter().enumerate() {
        if i > start && items + g.items.len() > per {
            pages.push(&groups[start..i]);
            (start, items) = (i, 0);
        }
        items += g.items.len();
    }
    pages.push(&groups[start..]);
    pages
}

/// A long group's items, listed whole on numbered pages of their own.
struct GroupList {
    name: String,
    total: usize,
    /// Stem of the listing's page names (see [`Pager`]).
    stem: String,
    items: Vec<Claim>,
}

/// Moves the items of every group without a page of its own that has more
/// than [`GROUP_SHOWN`] of them into a listing of its own, `{stem}-{slug}`,
/// leaving the first ones in the group and a link to the listing.
fn list_long_groups(groups: &mut [Group], stem: &str) -> Vec<GroupList> {
    let mut used = BTreeSet::new();
    let mut lists = Vec::new();
    for g in groups
        .iter_mut()
        .filter(|g| g.url.is_none() && g.items.len() > GROUP_SHOWN)
    {
        let slug = crate::text::slugify(&g.name, 40);
        let slug = if slug.is_empty() { "list".to_string() } else { slug };
        let mut list = format!("{stem}-{slug}");
        let mut n = 2;
        while !used.insert(list.clone()) {
            list = format!("{stem}-{slug}-{n}");
            n += 1;
        }
        let items = std::mem::take(&mut g.items);
        g.items = items[..GROUP_SHOWN].to_vec();
        g.more = g.total - GROUP_SHOWN;
        g.url = Some(Pager::url_of(&list, 1));
        g.listed = true;
        lists.push(GroupList {
            name: g.name.clone(),
            total: g.total,
            stem: list,
            items,
        });
    }
    lists
}

/// A speaker's quotes or a source's claims on the site-wide pages. When
/// the speaker or source has its own page, only the first
/// [`GROUP_SHOWN`] are listed here and the page has them all.
#[derive(Serialize)]
struct Group {
    name: String,
    url: Option<String>,
    items: Vec<Claim>,
    total: usize,
    /// Items not listed here.
    more: usize,
    /// `url` is the group's own listing, not an entity page.
    listed: bool,
}

/// A [`Group`] listed on one page of its own listing (serialised the same way).
#[derive(Serialize)]
struct GroupPage<'a> {
    name: &'a str,
    url: Option<&'a str>,
    items: &'a [Claim],
    total: usize,
    more: usize,
    listed: bool,
}

/// Items listed per speaker or source that has its own page.
const GROUP_SHOWN: usize = 20;

impl Group {
    fn new(name: String, url: Option<String>) -> Self {
        Group {
            name,
            url,
            items: Vec::new(),
            total: 0,
            more: 0,
            listed: false,
        }
    }
    /// Adds an item; past those listed, it is only counted (and not made).
    fn push(&mut self, item: impl FnOnce() -> Claim) {
        self.total += 1;
        if self.url.is_some() && self.items.len() >= GROUP_SHOWN {
            self.more += 1;
        } else {
            self.items.push(item());
        }
    }
}

/// Quotes grouped by speaker (named speakers by name, then described
/// speakers, then scare quotes); `cue` holds the words naming the speaker.
fn quotes_view(archive: &Archive, idx: &Index) -> Vec<Group> {
    let mut by: BTreeMap<(u8, String, Option<String>), Group> = BTreeMap::new();
    for a in archive.articles.iter().filter(|a| a.duplicate_of.is_none()) {
        for q in &a.quotes {
            let key = match (&q.speaker, &q.speaker_mention) {
                (Some(s), _) => (0, idx.entity_name(s), idx.entity_url(s)),
                (None, Some(m)) => (1, m.to_string(), None),
                (None, None) if q.kind == "scare" => (3, "Scare quotes (nobody quoted)".to_string(), None),
                (None, None) => (2, "Unattributed".to_string(), None),
            };
            let g = by
                .entry(key)
                .or_insert_with_key(|(_, name, url)| Group::new(name.clone(), url.clone()));
            g.push(|| Claim {
                link: claim_link(a, &q.paragraph),
                cue: match (&q.speaker_mention, q.kind.as_str()) {
                    (Some(m), "block") => format_compact!("block quote; named as “{m}”"),
                    (Some(m), _) => format_compact!("named as “{m}”"),
                    (None, k) => format_compact!("{k} quote"),
                },
                text: q.text.clone(),
            });
        }
    }
    by.into_values().collect()
}

#[derive(Serialize)]
struct ReportRow {
    title: String,
    url: String,
    source_file: String,
    duplicate_of: Option<Link>,
    removed: Vec<crate::model::Removed>,
    edits: Vec<crate::model::Edit>,
}

impl ReportRow {
    fn new(a: &Article, idx: &Index) -> Self {
        ReportRow {
            title: a.title.clone(),
            url: a.url.clone(),
            source_file: a.source_file.clone(),
            duplicate_of: a.duplicate_of.as_ref().map(|d| idx.link(d)),
            removed: a.removed.clone(),
            edits: a.edits.clone(),
        }
    }
}

/// Markdown to HTML; fenced code is highlighted by syntect with CSS classes.
pub fn markdown_to_html(md: &str) -> String {
    use pulldown_cmark::{CodeBlockKind, Event, Options, Parser, Tag, TagEnd};
    use syntect::html::{ClassStyle, ClassedHTMLGenerator};
    use syntect::parsing::SyntaxSet;
    use syntect::util::LinesWithEndings;
    let ss = SyntaxSet::load_defaults_newlines();
    let mut events = Vec::new();
    let mut code: Option<(String, String)> = None;
    for ev in Parser::new_ext(md, Options::ENABLE_TABLES) {
        match ev {
            Event::Start(Tag::CodeBlock(kind)) => {
                let lang = match kind {
                    CodeBlockKind::Fenced(l) => l.to_string(),
                    CodeBlockKind::Indented => String::new(),
                };
                code = Some((lang, String::new()));
            }
            Event::Text(t) if code.is_some() => code.as_mut().expect("in code").1.push_str(&t),
            Event::End(TagEnd::CodeBlock) => {
                let (lang, src) = code.take().unwrap_or_default();
                let syntax = ss
                    .find_syntax_by_token(&lang)
                    .unwrap_or_else(|| ss.find_syntax_plain_text());
                let mut gen = ClassedHTMLGenerator::new_with_class_style(
                    syntax,
                    &ss,
                    ClassStyle::SpacedPrefixed { prefix: "hl-" },
                );
                for line in LinesWithEndings::from(&src) {
                    let _ = gen.parse_html_for_line_which_includes_newline(line);
                }
                events.push(Event::Html(
                    format!("<pre class=\"code\"><code>{}</code></pre>\n", gen.finalize()).into(),
                ));
            }
            // Raw HTML in Markdown is shown as text, never passed through.
            Event::Html(h) | Event::InlineHtml(h) => events.push(Event::Text(h)),
            other => events.push(other),
        }
    }
    let mut html = String::new();
    pulldown_cmark::html::push_html(&mut html, events.into_iter());
    html
}

/// CSS for highlighted code, light and dark, by class (no inline colours).
fn syntax_css() -> String {
    use syntect::highlighting::ThemeSet;
    use syntect::html::{css_for_theme_with_class_style, ClassStyle};
    let ts = ThemeSet::load_defaults();
    let style = ClassStyle::SpacedPrefixed { prefix: "hl-" };
    let light = css_for_theme_with_class_style(&ts.themes["InspiredGitHub"], style).unwrap_or_default();
    let dark = css_for_theme_with_class_style(&ts.themes["base16-ocean.dark"], style).unwrap_or_default();
    // Text colours readable on the page backgrounds of style.css (WCAG AA).
    let light = readable(&light, (0xff, 0xff, 0xff));
    let dark = readable(&dark, (0x15, 0x16, 0x1a));
    // Each theme only in its own scheme: a rule only the light theme has
    // must not colour dark-mode code.
    format!(
        "@media not all and (prefers-color-scheme: dark) {{\n{light}\n}}\n@media (prefers-color-scheme: dark) {{\n{dark}\n}}\n"
    )
}

/// Moves every text `color: #rrggbb` in `css` towards black or white (away
/// from `bg`) until its contrast ratio with `bg` is at least 4.5.
fn readable(css: &str, bg: (u8, u8, u8)) -> String {
    fn lum((r, g, b): (u8, u8, u8)) -> f64 {
        let c = |v: u8| {
            let v = v as f64 / 255.0;
            if v <= 0.03928 {
                v / 12.92
            } else {
                ((v + 0.055) / 1.055).powf(2.4)
            }
        };
        0.2126 * c(r) + 0.7152 * c(g) + 0.0722 * c(b)
    }
    let ratio = |a: f64, b: f64| (a.max(b) + 0.05) / (a.min(b) + 0.05);
    let lb = lum(bg);
    let target: f64 = if lb > 0.5 { 0.0 } else { 255.0 };
    let re = regex::Regex::new(r"(^|[\s;{])color:\s*#([0-9a-fA-F]{6})").expect("valid regex");
    re.replace_all(css, |c: &regex::Captures| {
        let hex = &c[2];
        let ch = |i: usize| u8::from_str_radix(&hex[i..i + 2], 16).unwrap_or(0);
        let mut rgb = (ch(0), ch(2), ch(4));
        let orig = rgb;
        let mut t = 0.0;
        while ratio(lum(rgb), lb) < 4.5 && t < 1.0 {
            t += 0.05;
            let mix = |v: u8| (v as f64 + (target - v as f64) * t).round() as u8;
            rgb = (mix(orig.0), mix(orig.1), mix(orig.2));
        }
        format!("{}color: #{:02x}{:02x}{:02x}", &c[1], rgb.0, rgb.1, rgb.2)
    })
    .into_owned()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::{Paragraph, Quote};

    proptest::proptest! {
        #[test]
        fn escape_replaces_each_special_character_and_keeps_the_rest(s in "[<>&\"' a-zé“”\\PC]{0,60}") {
            let mut want = String::new();
            for c in s.chars() {
                match c {
                    '&' => want.push_str("&amp;"),
                    '<' => want.push_str("&lt;"),
                    '>' => want.push_str("&gt;"),
                    '"' => want.push_str("&quot;"),
                    '\'' => want.push_str("&#39;"),
                    c => want.push(c),
                }
            }
            proptest::prop_assert_eq!(escape(&s), want);
        }
    }

    #[test]
    fn sentence_at_finds_the_sentence_around_a_span() {
        let t = "First one. He said “it is over.” Then Smith left! Last?";
        let at = |w: &str| {
            let i = t.find(w).unwrap();
            sentence_at(t, i, i + w.len())
        };
        assert_eq!(at("First"), "First one.");
        assert_eq!(at("said"), "He said “it is over.”");
        assert_eq!(at("Smith"), "Then Smith left!");
        assert_eq!(at("Last"), "Last?");
        // Out-of-range spans are clamped, not a panic.
        assert_eq!(sentence_at("No stop here", 50, 60), "No stop here");
        assert_eq!(sentence_at("No stop here", 0, 60), "No stop here");
    }

    /// The person both page-key tests are about.
    fn halvorsen() -> Entity {
        Entity {
            id: "halvorsen".into(),
            name: "Ingrid Halvorsen".into(),
            kind: "person".into(),
            aliases: Vec::new(),
            url: "entities/halvorsen.html".into(),
        }
    }

    /// "Ms Halvorsen" at the start of paragraph p1.
    fn halvorsen_named() -> crate::model::Mention {
        crate::model::Mention {
            paragraph: "p1".into(),
            start: 3,
            end: 12,
            entity: "halvorsen".into(),
        }
    }

    /// A direct quote credited to Halvorsen, who is named "she" at it.
    fn quote_by_halvorsen(paragraph: &str, text: &str) -> Quote {
        Quote {
            paragraph: paragraph.into(),
            start: 0,
            end: text.len(),
            text: text.into(),
            kind: "direct".into(),
            speaker: Some("halvorsen".into()),
            speaker_mention: Some("she".into()),
        }
    }

    /// Whatever an article page shows, changed anywhere in the archive,
    /// changes the page's key: a page is built again only when its key
    /// changes, so a missed input would leave a stale page.
    #[test]
    fn an_article_page_key_changes_with_everything_the_page_shows() {
        let para = |id: &str, text: &str| Paragraph {
            id: id.into(),
            text: text.into(),
            role: None,
        };
        let article = |id: &str, title: &str| Article {
            id: id.into(),
            url: format!("articles/{id}.html"),
            title: title.into(),
            paragraphs: vec![
                para("p1", "Ms Halvorsen said the clinic was full."),
                para("p2", "Aid was short."),
            ],
            ..Article::default()
        };
        let mut a = article("a", "First");
        a.mentions = vec![halvorsen_named()];
        // A quote credited to the entity shows its name.
        a.quotes = vec![quote_by_halvorsen("p2", "Aid was short.")];
        a.related = vec!["b".into()];
        let mut c = article("c", "Copy");
        c.duplicate_of = Some("a".into());
        let base = Archive {
            articles: vec![a, article("b", "Second"), c, article("d", "Fourth")],
            entities: vec![halvorsen()],
            shared_passages: vec![crate::model::SharedPassage {
                text: "Aid was short.".into(),
                occurrences: ["a", "b", "d"]
                    .map(|x| crate::model::Occurrence {
                        article: x.into(),
                        paragraph: "p2".into(),
                    })
                    .to_vec(),
            }],
            ..Archive::default()
        };
        let originals = |texts: [&str; 3]| {
            let mut o = Originals::default();
            for (id, t) in ["a", "b", "c"].into_iter().zip(texts) {
                o.insert(id.into(), crate::ingest::Original::new(t));
            }
            o
        };
        let texts = ["First\n\ntext a", "Second\n\ntext b", "Copy\n\ntext c"];
        // The page of article `a`: its key and its view as JSON.
        let page = |archive: &Archive, originals: &Originals| {
            let idx = Index::new(archive, 500);
            let a = &archive.articles[0];
            let deps = ArticleDeps::new(a, &idx, originals);
            let key = deps.key();
            let view = serde_json::to_string(&ArticleView::new(a, deps, originals).unwrap()).unwrap();
            (key, view)
        };
        let (key, view) = page(&base, &originals(texts));
        type Change = Box<dyn Fn(&mut Archive)>;
        let changes: Vec<(&str, Change, [&str; 3])> = vec![
            (
                "the entity's name",
                Box::new(|x| x.entities[0].name = "Ingrid Halvorsen-Berg".into()),
                texts,
            ),
            (
                "the entity's page",
                Box::new(|x| x.entities[0].url = "entities/ih.html".into()),
                texts,
            ),
            (
                "the related article's title",
                Box::new(|x| x.articles[1].title = "Later".into()),
                texts,
            ),
            (
                "the related article's page",
                Box::new(|x| x.articles[1].url = "articles/b2.html".into()),
                texts,
            ),
            (
                "where else the shared paragraph occurs",
                Box::new(|x| x.shared_passages[0].occurrences[1].paragraph = "p1".into()),
                texts,
            ),
            (
                "the title of another article the shared paragraph is in",
                Box::new(|x| x.articles[3].title = "Fourth, retitled".into()),
                texts,
            ),
            (
                "the page of another article the shared paragraph is in",
                Box::new(|x| x.articles[3].url = "articles/d2.html".into()),
                texts,
            ),
            (
                "the duplicate's text",
                Box::new(|x| x.articles[2].paragraphs[1].text = "Aid ran out.".into()),
                texts,
            ),
            (
                "the article's own text",
                Box::new(|x| x.articles[0].title = "First, again".into()),
                texts,
            ),
            (
                "the text as ingested",
                Box::new(|_| ()),
                ["First\n\ntext a.", texts[1], texts[2]],
            ),
            (
                "the duplicate's text as ingested",
                Box::new(|_| ()),
                [texts[0], texts[1], "Copy\n\ntext c."],
            ),
        ];
        for (what, change, texts) in changes {
            let mut archive = base.clone();
            change(&mut archive);
            let (k, v) = page(&archive, &originals(texts));
            assert_ne!(v, view, "changing {what} changes the page");
            assert_ne!(k, key, "changing {what} changes the page's key");
        }
        // And nothing else does: another article's own text.
        let mut archive = base.clone();
        archive.articles[1].paragraphs[0].text = "Something else entirely.".into();
        assert_eq!(page(&archive, &originals(texts)).0, key);
    }

    /// The same for an entity's pages: whatever they show of the entity or
    /// of an article naming, quoting or citing it changes their keys.
    #[test]
    fn an_entity_page_key_changes_with_everything_the_page_shows() {
        let article = |id: &str, text: &str| Article {
            id: id.into(),
            url: format!("articles/{id}.html"),
            title: format!("Title {id}"),
            paragraphs: vec![Paragraph {
                id: "p1".into(),
                text: text.into(),
                role: None,
            }],
            ..Article::default()
        };
        let mut a = article("a", "Ms Halvorsen said the clinic was full. Aid was short.");
        a.mentions = vec![halvorsen_named()];
        let mut b = article("b", "“Aid was short,” she said.");
        b.quotes = vec![quote_by_halvorsen("p1", "Aid was short,")];
        let mut c = article("c", "The clinic was full, according to Halvorsen.");
        c.attributions = vec![crate::model::Attribution {
            paragraph: "p1".into(),
            start: 21,
            end: 44,
            cue: "according to Halvorsen".into(),
            source: "halvorsen".into(),
        }];
        let base = Archive {
            articles: vec![a, b, c, article("d", "Nothing about her.")],
            entities: vec![halvorsen()],
            ..Archive::default()
        };
        // The entity's page keys and its view as JSON.
        let pages = |archive: &Archive| {
            let idx = Index::new(archive, 500);
            let hits = hits_by_entity(archive);
            let e = &archive.entities[0];
            let keys: Vec<u64> = entity_pages(e, &hits[0], &idx, 500).into_iter().map(|p| p.1).collect();
            let view = serde_json::to_string(&EntityView::new(e, &hits[0], &archive.articles)).unwrap();
            (keys, view)
        };
        let (keys, view) = pages(&base);
        assert_eq!(keys.len(), 1);
        type Change = Box<dyn Fn(&mut Archive)>;
        let changes: Vec<(&str, Change)> = vec![
            (
                "the entity's name",
                Box::new(|x| x.entities[0].name = "Ingrid Halvorsen-Berg".into()),
            ),
            (
                "a naming article's title",
                Box::new(|x| x.articles[0].title = "Later".into()),
            ),
            (
                "a naming article's page",
                Box::new(|x| x.articles[0].url = "articles/a2.html".into()),
            ),
            (
                "the sentence of the first mention",
                Box::new(|x| {
                    x.articles[0].paragraphs[0].text = "Ms Halvorsen said the ward was full. Aid was short.".into()
                }),
            ),
            (
                "the quote",
                Box::new(|x| x.articles[1].quotes[0].text = "Aid was short".into()),
            ),
            (
                "the claim's cue",
                Box::new(|x| x.articles[2].attributions[0].cue = "Halvorsen said".into()),
            ),
        ];
        for (what, change) in changes {
            let mut archive = base.clone();
            change(&mut archive);
            let (k, v) = pages(&archive);
            assert_ne!(v, view, "changing {what} changes the page");
            assert_ne!(k, keys, "changing {what} changes the page's key");
        }
        // And nothing else does: an article that does not name the entity.
        let mut archive = base.clone();
        archive.articles[3].paragraphs[0].text = "Something else entirely.".into();
        assert_eq!(pages(&archive).0, keys);
    }

    #[test]
    fn paragraph_markup_escapes_and_nests() {
        let text = "<b>He</b> said “we & they”.";
        let start = text.find("we").unwrap();
        let a = Article {
            id: "a".into(),
            paragraphs: vec![Paragraph {
                id: "p1".into(),
                text: text.into(),
                role: None,
            }],
            quotes: vec![Quote {
                paragraph: "p1".into(),
                start,
                end: start + 9,
                text: "we & they".into(),
                kind: "direct".into(),
                speaker: None,
                speaker_mention: Some("he".into()),
            }],
            ..Article::default()
        };
        let archive = Archive {
            articles: vec![a.clone()],
            ..Archive::default()
        };
        let idx = Index::new(&archive, 500);
        let html = paragraph_html(&marks_by_paragraph(&a)["p1"], text, &Names::of(&a, &idx));
        assert_eq!(
            html,
            "&lt;b&gt;He&lt;/b&gt; said <q class=\"quote direct\" title=\"quote from he\">“we &amp; they”</q><span class=\"who\"> (he)</span>."
        );
    }

    #[test]
    fn long_groups_without_a_page_get_a_listing_of_their_own() {
        let claim = |n: usize| Claim {
            link: Link {
                url: format!("articles/a{n}.html#p1"),
                title: format!("A{n}"),
            },
            cue: "direct quote".into(),
            text: format!("quote {n}"),
        };
        let group = |name: &str, url: Option<&str>, n: usize| {
            let mut g = Group::new(name.to_string(), url.map(str::to_string));
            for i in 0..n {
                g.push(|| claim(i));
            }
            g
        };
        let mut groups = vec![
            group("Tony Blair", Some("entities/tony-blair.html"), 30),
            group("a spokesman", None, GROUP_SHOWN),
            group("Unattributed", None, GROUP_SHOWN + 5),
            group("unattributed!", None, GROUP_SHOWN + 1),
        ];
        let lists = list_long_groups(&mut groups, "quotes");
        // A speaker with a page keeps its link; a short group stays whole.
        assert_eq!(
            (groups[0].items.len(), groups[0].more, groups[0].listed),
            (GROUP_SHOWN, 10, false)
        );
        assert_eq!((groups[1].items.len(), groups[1].url.as_deref()), (GROUP_SHOWN, None));
        // Long groups keep their first items and link a listing of all of them,
        // under names that do not clash.
        let stems: Vec<&str> = lists.iter().map(|l| l.stem.as_str()).collect();
        assert_eq!(stems, ["quotes-unattributed", "quotes-unattributed-2"]);
        assert_eq!(groups[2].url.as_deref(), Some("quotes-unattributed.html"));
        assert_eq!(
            (groups[2].items.len(), groups[2].more, groups[2].listed),
            (GROUP_SHOWN, 5, true)
        );
        assert_eq!(
            (lists[0].items.len(), lists[0].total),
            (GROUP_SHOWN + 5, GROUP_SHOWN + 5)
        );
        assert_eq!(
            lists[0].items[GROUP_SHOWN + 4].text,
            format!("quote {}", GROUP_SHOWN + 4)
        );
    }

    #[test]
    fn groups_are_paged_whole_by_their_listed_items() {
        let groups: Vec<Group> = [3, 1, 1, 5, 2]
            .iter()
            .map(|&n| {
                let mut g = Group::new(format!("g{n}"), None);
                for i in 0..n {
                    g.push(|| Claim {
                        link: Link {
                            url: String::new(),
                            title: String::new(),
                        },
                        cue: Short::default(),
                        text: i.to_string(),
                    });
                }
                g
            })
            .collect();
        let sizes: Vec<Vec<usize>> = group_pages(&groups, 4)
            .iter()
            .map(|p| p.iter().map(|g| g.items.len()).collect())
            .collect();
        assert_eq!(sizes, [vec![3, 1], vec![1], vec![5], vec![2]]);
        assert_eq!(group_pages(&[], 4).len(), 1, "an empty listing still has its page");
    }

    #[test]
    fn pagers_name_and_link_every_page() {
        let p = Pager::all("shared", 3);
        let urls: Vec<String> = p.iter().map(Pager::url).collect();
        assert_eq!(urls, ["shared.html", "shared.2.html", "shared.3.html"]);
        assert_eq!(
            (p[0].prev.as_deref(), p[0].next.as_deref()),
            (None, Some("shared.2.html"))
        );
        assert_eq!(
            (p[2].prev.as_deref(), p[2].next.as_deref()),
            (Some("shared.2.html"), None)
        );
        assert_eq!(
            Pager::all("shared", 0).len(),
            1,
            "an empty listing still has its first page"
        );
    }

    #[test]
    fn syntax_colours_are_made_readable() {
        let css = readable(
            ".a {\n color: #969896;\n background-color: #ffffff;\n}\n.b { color: #111111; }",
            (255, 255, 255),
        );
        assert!(css.contains("background-color: #ffffff"), "{css}");
        assert!(css.contains(".b { color: #111111; }"), "{css}");
        assert!(!css.contains("#969896"), "{css}");
    }

    #[test]
    fn markdown_code_is_highlighted_by_class_and_html_is_escaped() {
        let html = markdown_to_html("Hi <script>x</script>\n\n```python\nimport json\n```\n");
        assert!(html.contains("&lt;script&gt;"), "{html}");
        assert!(html.contains("class=\"hl-"), "{html}");
        assert!(!html.contains("style="), "{html}");
    }
}
