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
}

impl Default for SiteConfig {
    fn default() -> Self {
        SiteConfig {
            title: "News archive".to_string(),
            description: "An annotated archive of news articles built with dossier.".to_string(),
            base_url: "https://example.org/".to_string(),
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
}

impl Default for BuildConfig {
    fn default() -> Self {
        BuildConfig {
            input: PathBuf::from("seeds"),
            output: PathBuf::from("site"),
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
            let (line, col) = e.span().map(|s| line_col(text, s.start)).unwrap_or((0, 0));
            anyhow::anyhow!("{shown}:{line}:{col}: {}", e.message())
        })?;
        for o in &cfg.articles {
            if let Some(d) = &o.date {
                if !crate::ingest::is_iso_date(d) {
                    anyhow::bail!(
                        "{shown}: article override for {:?}: date {d:?} is not like 2016-12-13",
                        o.file
                    );
                }
            }
        }
        Ok(cfg)
    }
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
}
