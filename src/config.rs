//! `config.toml`: site settings, folders, per-stage settings and per-article
//! overrides. A missing file means defaults; an unknown key is an error that
//! names it, with the line and column.

use std::path::{Path, PathBuf};

use anyhow::{Context, Result};
use serde::{Deserialize, Serialize};

use crate::{annotate, chronology, clean, dedup, ingest::line_col};

#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct Config {
    pub site: SiteConfig,
    pub build: BuildConfig,
    pub clean: clean::Config,
    pub dedup: dedup::Config,
    pub annotate: annotate::Config,
    pub chronology: chronology::Config,
    /// Per-article overrides, matched by `file` (path inside the input folder).
    pub articles: Vec<ArticleOverride>,
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct SiteConfig {
    pub title: String,
    pub description: String,
    /// Absolute URL of the published site, used only for absolute links
    /// (feed, sitemap, canonical). Pages link relatively whatever it is.
    pub base_url: String,
    /// Beyond this many events, `chronology.html` gives the number of events
    /// of each year, month and day, linked to the period page listing them,
    /// instead of every event (default 2,000: a page of every event is
    /// about 1.4 KB per event, 18 MB for 13,000). So does the page of a year
    /// with more events, listing in full only those dated to the year alone.
    pub chronology_max_events: usize,
    /// Items per page of a long listing (the articles on `index.html`,
    /// shared passages, quotes and sources, an entity's quotes, claims and
    /// articles, the articles and events of a year or month); longer listings continue on numbered pages
    /// (`index.2.html`, `shared.2.html`, ...).
    pub page_size: usize,
}

impl SiteConfig {
    /// Items per page of a long listing: `page_size`, at least one.
    pub fn per_page(&self) -> usize {
        self.page_size.max(1)
    }
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "News archive".to_string(),
            description: "An annotated archive of news articles built with dossier.".to_string(),
            base_url: "https://example.org/".to_string(),
            chronology_max_events: 2_000,
            page_size: 500,
        }
    }
}

#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct BuildConfig {
    /// Input folder, relative to the config file's folder.
    pub input: PathBuf,
    /// Output folder, relative to the config file's folder.
    pub output: PathBuf,
    /// Publish raw HTML blocks of `.md` articles as HTML. Off by default:
    /// raw HTML is shown as text, like any other article text.
    pub allow_raw_html: bool,
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            input: PathBuf::from("seeds"),
            output: PathBuf::from("site"),
            allow_raw_html: false,
        }
    }
}

/// Settings for one article, matched by its path inside the input folder.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct ArticleOverride {
    pub file: String,
    pub title: Option<String>,
    /// Publication date, `YYYY-MM-DD`.
    pub date: Option<String>,
    pub sources: Option<Vec<String>>,
}

impl Config {
    /// Loads `path`; a missing file gives the defaults.
    pub fn load(path: &Path) -> Result<Config> {
        if !path.exists() {
            return Ok(Config::default());
        }
        let text =
            std::fs::read_to_string(path).with_context(|| format!("cannot read config file {}", path.display()))?;
        Self::parse(&path.display().to_string(), &text)
    }

    /// Parses config text; errors name `shown`, the line and the column.
    pub fn parse(shown: &str, text: &str) -> Result<Config> {
        let cfg: Config = toml::from_str(text).map_err(|e| {
            let at = e
                .span()
                .map(|s| {
                    let (line, col) = line_col(text, s.start);
                    format!(":{line}:{col}")
                })
                .unwrap_or_default();
            anyhow::anyhow!("{shown}{at}: {}", e.message().trim().replace('\n', "; "))
        })?;
        for (i, o) in cfg.articles.iter().enumerate() {
            if let Some(d) = &o.date {
                if !crate::ingest::is_iso_date(d) {
                    let at = nth_table_line(text, "[[articles]]", i)
                        .map(|l| format!(":{l}"))
                        .unwrap_or_default();
                    anyhow::bail!(
                        "{shown}{at}: article override for {:?}: date {d:?} is not a date like 2016-12-13",
                        o.file
                    );
                }
            }
        }
        Ok(cfg)
    }
}

/// The 1-based line of the `n`th (0-based) `header` line in `text`.
fn nth_table_line(text: &str, header: &str, n: usize) -> Option<usize> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| l.trim() == header)
        .nth(n)
        .map(|(i, _)| i + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn unknown_key_is_named_with_position() {
        let err = Config::parse("config.toml", "[site]\ntitle = \"x\"\ncolour = \"red\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.contains("colour"), "{err}");
        assert!(err.starts_with("config.toml:3:"), "{err}");
    }

    #[test]
    fn empty_config_is_defaults() {
        let cfg = Config::parse("c", "").unwrap();
        assert_eq!(cfg.build.input, PathBuf::from("seeds"));
        assert_eq!(cfg.site.title, "News archive");
    }

    #[test]
    fn overrides_are_read() {
        let cfg = Config::parse("c", "[[articles]]\nfile = \"a.txt\"\ndate = \"2016-12-01\"\n").unwrap();
        assert_eq!(cfg.articles[0].date.as_deref(), Some("2016-12-01"));
        assert!(Config::parse("c", "[[articles]]\nfile = \"a.txt\"\ndate = \"Dec 1\"\n").is_err());
    }

    #[test]
    fn unknown_keys_are_named_in_every_section() {
        let cases = [
            ("[build]\ninput = \"a\"\noutptu = \"b\"\n", "outptu", 3),
            ("[clean]\nboilerplatez = []\n", "boilerplatez", 2),
            ("[dedup]\nmin_wordz = 3\n", "min_wordz", 2),
            ("[[annotate.entities]]\nname = \"X\"\nkindz = \"person\"\n", "kindz", 3),
            ("[chronology]\nzz_not_a_key = 1\n", "zz_not_a_key", 2),
            ("[[articles]]\nfile = \"a.txt\"\ndated = \"2016-01-01\"\n", "dated", 3),
            ("titel = \"x\"\n", "titel", 1),
        ];
        for (text, key, line) in cases {
            let err = Config::parse("c.toml", text).unwrap_err().to_string();
            assert!(err.contains(key), "{err}");
            assert!(err.starts_with(&format!("c.toml:{line}:")), "{err}");
        }
    }

    #[test]
    fn syntax_and_type_errors_say_where_and_what_was_expected() {
        let err = Config::parse("c.toml", "[site]\ntitle = \"x\"\n[build\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:3:"), "{err}");
        assert!(!err.contains('\n'), "{err}");
        let err = Config::parse("c.toml", "[build]\nallow_raw_html = \"yes\"\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:"), "{err}");
        assert!(err.contains("expected a boolean"), "{err}");
        let err = Config::parse("c.toml", "[site]\ntitle = \"unclosed\n")
            .unwrap_err()
            .to_string();
        assert!(err.starts_with("c.toml:2:"), "{err}");
        let text = "[[articles]]\nfile = \"a.txt\"\n\n[[articles]]\nfile = \"b.txt\"\ndate = \"soon\"\n";
        let err = Config::parse("c.toml", text).unwrap_err().to_string();
        assert!(err.starts_with("c.toml:4:") && err.contains("b.txt"), "{err}");
    }

    #[test]
    fn raw_html_is_off_unless_asked_for() {
        assert!(!Config::parse("c", "").unwrap().build.allow_raw_html);
        assert!(
            Config::parse("c", "[build]\nallow_raw_html = true\n")
                .unwrap()
                .build
                .allow_raw_html
        );
    }
}
