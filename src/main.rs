//! The `dossier` command line.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Result;
use clap::{Args, Parser, Subcommand};

use dossier::build::{self, Paths};
use dossier::config::Config;

/// mimalloc instead of the system allocator: a build allocates millions of
/// small strings from several threads, and glibc's malloc took about a fifth
/// of a 10k build's CPU time (see BENCHMARKS.md).
#[global_allocator]
static GLOBAL: mimalloc::MiMalloc = mimalloc::MiMalloc;

/// mimalloc's `mi_option_purge_delay` (its number in `mimalloc.h`, which the
/// Rust bindings do not name).
const MI_OPTION_PURGE_DELAY: libmimalloc_sys::mi_option_t = 15;

/// Memory freed in one stage is kept for the next instead of being handed
/// back to the system: by default mimalloc returns it after a delay, and a
/// later stage then takes fresh pages that the kernel must zero again.
/// Keeping it made a 100k build about 8% faster (see BENCHMARKS.md); the
/// process then stays near its peak memory, which grew about 4%.
fn keep_freed_memory() {
    // SAFETY: sets an option by its number; mimalloc reads it on each purge.
    unsafe { libmimalloc_sys::mi_option_set(MI_OPTION_PURGE_DELAY, -1) };
}

#[derive(Parser)]
#[command(
    name = "dossier",
    version,
    about = "Turns a folder of news articles into a browsable, annotated static archive."
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Build the archive site from the input folder (default: seeds/ → site/).
    Build {
        #[command(flatten)]
        paths: PathArgs,
        /// Print how long each stage took (wall and CPU seconds) and the peak memory.
        #[arg(long)]
        timings: bool,
        /// Print nothing but errors.
        #[arg(long, short)]
        quiet: bool,
        /// Fail (exit code 1) when the build has warnings.
        #[arg(long)]
        strict: bool,
    },
    /// Build, then serve the site on 127.0.0.1 for local preview: watches the
    /// input folder, templates and config, rebuilds on change and reloads
    /// open pages; a build error shows in the terminal and on the page.
    Serve {
        #[command(flatten)]
        paths: PathArgs,
        /// Port to listen on (0 picks a free one).
        #[arg(long, default_value_t = 8000)]
        port: u16,
    },
    /// Check a built site: broken internal links and anchors, missing files,
    /// invalid data/archive.json. Exits non-zero when it finds problems.
    Check {
        /// The built site folder.
        #[arg(default_value = "site")]
        site: PathBuf,
    },
    /// Score a build against a gold annotation file (quotes, speakers,
    /// attributions, entities, dates).
    Eval {
        /// Gold annotations (JSON keyed by input file name).
        gold: PathBuf,
        /// The built site folder whose data/archive.json is scored.
        #[arg(long, default_value = "site")]
        site: PathBuf,
    },
    /// Create a new archive folder with a config, an example article and a README.
    Init {
        /// Folder to create.
        dir: PathBuf,
    },
    /// Generate a benchmark corpus: N distinct articles recombined from the
    /// sentences of a folder of real .txt articles (deterministic per seed).
    GenCorpus(GenCorpusArgs),
}

#[derive(Args)]
struct GenCorpusArgs {
    /// Folder of source .txt articles (title on the first line), one sub-folder per topic.
    #[arg(long)]
    from: PathBuf,
    /// How many articles to write.
    #[arg(long, default_value_t = 1000)]
    count: usize,
    /// Folder to write the .txt articles into.
    #[arg(long)]
    out: PathBuf,
    /// Also write the same articles as Markdown pages (TOML front matter) here.
    #[arg(long)]
    markdown: Option<PathBuf>,
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// Share of exact duplicates of an earlier article.
    #[arg(long, default_value_t = 0.03)]
    dup_share: f64,
    /// Share of near duplicates (a sentence dropped, a word changed, quotes curled).
    #[arg(long, default_value_t = 0.03)]
    near_share: f64,
    /// Share of articles ending with a paragraph shared with other articles.
    #[arg(long, default_value_t = 0.05)]
    shared_share: f64,
}

#[derive(Args)]
struct PathArgs {
    /// Folder of articles (.txt and .md), read recursively.
    #[arg(long)]
    input: Option<PathBuf>,
    /// Folder to write the site into (replaced atomically).
    #[arg(long)]
    output: Option<PathBuf>,
    /// Config file; a missing file means defaults.
    #[arg(long, default_value = "config.toml")]
    config: PathBuf,
    /// Absolute URL the site is published at (overrides the config's
    /// base_url; used only for the feed, sitemap and canonical links).
    #[arg(long)]
    base_url: Option<String>,
}

impl PathArgs {
    fn load(self) -> Result<(Paths, Config)> {
        let mut cfg = Config::load(&self.config)?;
        if let Some(b) = self.base_url {
            cfg.site.base_url = b;
        }
        let paths = Paths::resolve(&self.config, &cfg, self.input, self.output);
        Ok((paths, cfg))
    }
}

/// The build's progress bar: stage names on stderr, shown only when the
/// build takes more than a moment, stdout and stderr are terminals, and
/// `--quiet` is off.
struct Progress {
    bar: Option<indicatif::ProgressBar>,
}

impl Progress {
    fn new(quiet: bool) -> Progress {
        use std::io::IsTerminal;
        let show = !quiet && std::io::stdout().is_terminal() && std::io::stderr().is_terminal();
        let bar = show.then(|| {
            let bar = indicatif::ProgressBar::with_draw_target(
                Some(build::STAGES.len() as u64),
                indicatif::ProgressDrawTarget::hidden(),
            );
            bar.set_style(
                indicatif::ProgressStyle::with_template("{spinner} [{pos}/{len}] {msg:<10} {elapsed}")
                    .expect("valid template"),
            );
            let shown = bar.clone();
            std::thread::spawn(move || {
                std::thread::sleep(std::time::Duration::from_millis(300));
                if !shown.is_finished() {
                    shown.set_draw_target(indicatif::ProgressDrawTarget::stderr());
                    shown.enable_steady_tick(std::time::Duration::from_millis(120));
                }
            });
            bar
        });
        Progress { bar }
    }

    fn stage(&self, stage: &str) {
        let Some(bar) = &self.bar else { return };
        let i = build::STAGES.iter().position(|s| *s == stage).unwrap_or(0);
        bar.set_position(i as u64);
        bar.set_message(stage.to_string());
    }

    fn done(&self) {
        if let Some(bar) = &self.bar {
            bar.finish_and_clear();
        }
    }
}

fn main() -> ExitCode {
    keep_freed_memory();
    match run(Cli::parse()) {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::FAILURE
        }
    }
}

fn run(cli: Cli) -> Result<ExitCode> {
    match cli.command {
        Command::Build {
            paths,
            timings,
            quiet,
            strict,
        } => {
            let (paths, cfg) = paths.load()?;
            let bar = Progress::new(quiet);
            let report = build::run_with(&paths, &cfg, &|stage| bar.stage(stage));
            bar.done();
            let report = report?;
            let a = &report.summary;
            if !quiet {
                for w in &a.warnings {
                    let line = w.line.map(|l| format!(":{l}")).unwrap_or_default();
                    eprintln!("warning: {}{line}: {}", w.file, w.message);
                }
                println!(
                    "{} {} articles ({} duplicates), {} entities, {} events {} {} ({} files, {} written)",
                    if report.up_to_date {
                        "Nothing changed since the last build of"
                    } else {
                        "Built"
                    },
                    a.articles,
                    a.duplicates,
                    a.entities,
                    a.events,
                    if report.up_to_date { "in" } else { "into" },
                    paths.output.display(),
                    report.files,
                    report.files_written
                );
            }
            if timings {
                let total: f64 = report.timings.iter().map(|t| t.time.as_secs_f64()).sum();
                let cpu: f64 = report.timings.iter().map(|t| t.cpu.as_secs_f64()).sum();
                let mb = |rss: Option<u64>| rss.map_or("-".into(), |b| format!("{}", b >> 20));
                println!(
                    "{:<12} {:>10} {:>12} {:>12} {:>12}",
                    "stage", "seconds", "CPU seconds", "peak RSS MB", "RSS at end"
                );
                for lap in &report.timings {
                    println!(
                        "{:<12} {:>10.3} {:>12.3} {:>12} {:>12}",
                        lap.stage,
                        lap.time.as_secs_f64(),
                        lap.cpu.as_secs_f64(),
                        mb(lap.peak_rss),
                        mb(lap.rss)
                    );
                }
                let last = report.timings.last();
                println!(
                    "{:<12} {total:>10.3} {cpu:>12.3} {:>12} {:>12}",
                    "total",
                    mb(last.and_then(|l| l.peak_rss)),
                    mb(last.and_then(|l| l.rss))
                );
                let (reused, computed) = report.memo;
                if reused + computed > 0 {
                    println!("per-article results: {reused} reused from the last build, {computed} computed");
                }
            }
            let failed = strict && !a.warnings.is_empty();
            if failed {
                eprintln!("error: {} warnings and --strict", a.warnings.len());
            }
            // The process ends here: freeing the model string by string
            // would take seconds on a large archive.
            std::mem::forget(report);
            Ok(if failed { ExitCode::FAILURE } else { ExitCode::SUCCESS })
        }
        Command::Serve { paths: args, port } => {
            let (config, base_url) = (args.config.clone(), args.base_url.clone());
            let (paths, _) = args.load()?;
            dossier::serve::run(dossier::serve::Options {
                paths,
                config,
                base_url,
                port,
            })?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Check { site } => {
            let problems = dossier::check::run(&site)?;
            for p in &problems {
                println!("{p}");
            }
            if problems.is_empty() {
                println!("{}: no problems found", site.display());
                Ok(ExitCode::SUCCESS)
            } else {
                println!("{} problems", problems.len());
                Ok(ExitCode::FAILURE)
            }
        }
        Command::Eval { gold, site } => {
            for s in dossier::eval::run(&gold, &site)? {
                println!("{:<40} {:>6.3}  {}", s.name, s.value, s.detail);
            }
            Ok(ExitCode::SUCCESS)
        }
        Command::GenCorpus(g) => {
            let opts = dossier::corpus::Options {
                count: g.count,
                seed: g.seed,
                dup_share: g.dup_share,
                near_share: g.near_share,
                shared_share: g.shared_share,
            };
            let n = dossier::corpus::generate(&g.from, &g.out, g.markdown.as_deref(), &opts)?;
            println!("Wrote {n} articles into {}", g.out.display());
            Ok(ExitCode::SUCCESS)
        }
        Command::Init { dir } => {
            dossier::scaffold::run(&dir)?;
            println!(
                "Created {}: add articles to {}/articles, then run `dossier build` there.",
                dir.display(),
                dir.display()
            );
            Ok(ExitCode::SUCCESS)
        }
    }
}
