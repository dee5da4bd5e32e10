//! `dossier init DIR`: scaffolds a new archive folder.

use std::path::Path;

use anyhow::{bail, Context, Result};

const CONFIG: &str = r#"# dossier configuration. Every key is optional; unknown keys are errors.
[site]
title = "My news archive"
description = "Articles collected about one story."
# Used only for absolute URLs (feed, sitemap); pages link relatively.
base_url = "https://example.org/"

[build]
input = "articles"
output = "site"

# Give an article its publication date when the text does not:
# [[articles]]
# file = "example.md"
# date = "2016-12-13"
"#;

const EXAMPLE: &str = r#"+++
title = "Example: city council approves new budget"
date = 2024-03-05
source = "Example Wire"
tags = ["example"]
+++
The city council approved the new budget on Tuesday, the mayor's office said.

"This budget puts people first," Mayor Jane Smith told reporters.
"#;

const README: &str = r#"# My news archive

Built with dossier. Put articles (`.txt`: first line is the title; `.md`:
TOML front matter between `+++` lines) in `articles/`, then run

    dossier build      # writes site/
    dossier serve      # preview with live reload

Open `site/index.html` straight from disk, or publish `site/` anywhere.
"#;

/// Creates `dir` with a config, an example article and a README. Refuses to
/// overwrite an existing config.
pub fn run(dir: &Path) -> Result<()> {
    if dir.join("config.toml").exists() {
        bail!("{} already has a config.toml; not overwriting it", dir.display());
    }
    std::fs::create_dir_all(dir.join("articles")).with_context(|| format!("cannot create {}", dir.display()))?;
    std::fs::write(dir.join("config.toml"), CONFIG)?;
    std::fs::write(dir.join("articles/example.md"), EXAMPLE)?;
    if !dir.join("README.md").exists() {
        std::fs::write(dir.join("README.md"), README)?;
    }
    Ok(())
}
