//! Rebuilds: a build with no change writes nothing; an edit rewrites only
//! the files whose bytes changed, and the result equals a fresh build.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::SystemTime;

fn build(input: &Path, output: &Path) -> String {
    build_with(input, output, "/nonexistent/config.toml", &[])
}

/// `dossier build` with a config and more flags; its standard output.
fn build_with(input: &Path, output: &Path, config: impl AsRef<std::ffi::OsStr>, flags: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_dossier"))
        .arg("build")
        .args(flags)
        .arg("--config")
        .arg(config)
        .arg("--input")
        .arg(input)
        .arg("--output")
        .arg(output)
        .output()
        .expect("run dossier");
    assert!(out.status.success(), "{}", String::from_utf8_lossy(&out.stderr));
    String::from_utf8_lossy(&out.stdout).into_owned()
}

/// Every file under `dir` with its bytes and modification time.
fn tree(dir: &Path) -> BTreeMap<PathBuf, (Vec<u8>, SystemTime)> {
    walkdir::WalkDir::new(dir)
        .into_iter()
        .filter_map(|e| e.ok())
        .filter(|e| e.file_type().is_file())
        .map(|e| {
            let rel = e.path().strip_prefix(dir).unwrap().to_path_buf();
            let m = e.metadata().unwrap().modified().unwrap();
            (rel, (std::fs::read(e.path()).unwrap(), m))
        })
        .collect()
}

/// The bytes of every file of a [`tree`].
fn bytes(t: &BTreeMap<PathBuf, (Vec<u8>, SystemTime)>) -> BTreeMap<PathBuf, Vec<u8>> {
    t.iter().map(|(p, (b, _))| (p.clone(), b.clone())).collect()
}

/// A scratch folder with the seeds copied into `articles/`, and where the site goes.
fn seeds_and_site() -> (tempfile::TempDir, PathBuf, PathBuf) {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("articles");
    copy_seeds(&input);
    let site = tmp.path().join("site");
    (tmp, input, site)
}

/// The first `.txt` article of `dir`, by name.
fn first_article(dir: &Path) -> PathBuf {
    std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .min()
        .unwrap()
}

fn copy_seeds(to: &Path) {
    std::fs::create_dir_all(to).unwrap();
    for e in std::fs::read_dir(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")).unwrap() {
        let e = e.unwrap();
        std::fs::copy(e.path(), to.join(e.file_name())).unwrap();
    }
}

#[test]
fn rebuild_without_change_writes_nothing_and_an_edit_rewrites_only_what_changed() {
    let (tmp, input, site) = seeds_and_site();
    build(&input, &site);
    let first = tree(&site);
    std::thread::sleep(std::time::Duration::from_millis(30));

    let stdout = build(&input, &site);
    assert!(stdout.contains(", 0 written)"), "{stdout}");
    assert_eq!(tree(&site), first, "a rebuild with no change touched the site");

    // Edit one article: append a paragraph with a date, so that chronology
    // pages change too.
    let victim = first_article(&input);
    let mut text = std::fs::read_to_string(&victim).unwrap();
    text.push_str("\n\nA new closing paragraph was added by an editor on 3 May 2016.\n");
    std::fs::write(&victim, text).unwrap();
    build(&input, &site);
    let second = tree(&site);

    let fresh = tmp.path().join("fresh");
    build(&input, &fresh);
    assert_eq!(
        bytes(&second),
        bytes(&tree(&fresh)),
        "incremental result differs from a fresh build"
    );

    let mut kept = 0;
    for (path, (bytes, mtime)) in &second {
        match first.get(path) {
            Some((old, old_mtime)) if old == bytes => {
                assert_eq!(mtime, old_mtime, "{} did not change but was rewritten", path.display());
                kept += 1;
            }
            Some((_, old_mtime)) => assert_ne!(mtime, old_mtime, "{}", path.display()),
            None => {}
        }
    }
    assert!(kept > 0);
    assert!(second.len() > kept, "the edit changed no file");
}

#[test]
fn a_build_with_nothing_changed_stops_early_and_any_change_rebuilds() {
    let (tmp, input, site) = seeds_and_site();
    // Inputs changed in the last second are never trusted to be unchanged.
    let settle = || std::thread::sleep(std::time::Duration::from_millis(1100));
    settle();
    assert!(build(&input, &site).starts_with("Built"));
    let first = tree(&site);
    let stdout = build(&input, &site);
    assert!(stdout.starts_with("Nothing changed since the last build"), "{stdout}");
    assert_eq!(tree(&site), first);

    // An edit that keeps the file's size and modification time (as `cp -p`
    // or `touch -r` would) is still seen.
    let victim = first_article(&input);
    let text = std::fs::read_to_string(&victim).unwrap();
    let at = text.rfind(" the ").expect("a ' the ' in the article");
    let edited = format!("{} THE {}", &text[..at], &text[at + 5..]);
    assert_eq!(edited.len(), text.len());
    let mtime = std::fs::metadata(&victim).unwrap().modified().unwrap();
    std::fs::write(&victim, edited).unwrap();
    std::fs::File::options()
        .write(true)
        .open(&victim)
        .unwrap()
        .set_modified(mtime)
        .unwrap();
    settle();
    let stdout = build(&input, &site);
    assert!(stdout.starts_with("Built"), "{stdout}");
    let fresh = tmp.path().join("fresh");
    build(&input, &fresh);
    assert_eq!(bytes(&tree(&site)), bytes(&tree(&fresh)));

    // A file removed from the site is put back.
    settle();
    build(&input, &site);
    std::fs::remove_file(site.join("about.html")).unwrap();
    let stdout = build(&input, &site);
    assert!(
        stdout.starts_with("Built") && stdout.contains(", 1 written)"),
        "{stdout}"
    );
    assert!(site.join("about.html").is_file());

    // Another writer of the site (the preview server, say) leaves it as
    // something the last build did not make: the next build makes it again.
    let about = std::fs::read(site.join("about.html")).unwrap();
    let mut files: Vec<dossier::render::Output> = tree(&site)
        .into_iter()
        .map(|(path, (bytes, _))| (path, bytes))
        .collect();
    for f in files.iter_mut().filter(|f| f.0 == Path::new("about.html")) {
        f.1 = b"<p>another page</p>".to_vec();
    }
    assert!(build(&input, &site).starts_with("Nothing changed"));
    {
        use dossier::render::Sink;
        let writer = dossier::output::Writer::new(&site, 0).unwrap();
        for (path, bytes) in files {
            writer.put(path, dossier::render::hash_bytes(&bytes), bytes).unwrap();
        }
        writer.finish().unwrap();
    }
    let stdout = build(&input, &site);
    assert!(stdout.starts_with("Built"), "{stdout}");
    assert_eq!(std::fs::read(site.join("about.html")).unwrap(), about);
}

/// The counts `--timings` prints: (reused from the last build, computed).
fn memo_counts(stdout: &str) -> (usize, usize) {
    let line = stdout
        .lines()
        .find(|l| l.starts_with("per-article results:"))
        .unwrap_or_else(|| panic!("no per-article line in {stdout}"));
    let nums: Vec<usize> = line.split(' ').filter_map(|w| w.parse().ok()).collect();
    (nums[0], nums[1])
}

fn build_timed(input: &Path, output: &Path) -> String {
    build_with(input, output, "/nonexistent/config.toml", &["--timings"])
}

#[test]
fn a_rebuild_analyses_again_only_what_an_edit_touched() {
    let (tmp, input, site) = seeds_and_site();
    let (reused, computed) = memo_counts(&build_timed(&input, &site));
    assert_eq!(reused, 0);
    assert!(computed > 0);

    // A sentence naming nobody: only the edited article is analysed again.
    let victim = first_article(&input);
    let mut text = std::fs::read_to_string(&victim).unwrap();
    text.push_str("\n\nThe article was updated later in the day.\n");
    std::fs::write(&victim, &text).unwrap();
    let (reused, again) = memo_counts(&build_timed(&input, &site));
    assert!(
        again >= 1 && again * 4 <= computed,
        "{again} of {computed} computed again"
    );
    assert_eq!(reused + again, computed);
    let fresh = tmp.path().join("fresh");
    build(&input, &fresh);
    assert_eq!(bytes(&tree(&site)), bytes(&tree(&fresh)));

    // A new person named in full and then by surname changes the entity
    // registry every article is annotated against: the rebuild still
    // equals a fresh build.
    text.push_str(
        "\n\nMarisol Quenby, a hospital director, said the wards were full. Quenby said more doctors had left.\n",
    );
    std::fs::write(&victim, &text).unwrap();
    let out = build_timed(&input, &site);
    memo_counts(&out);
    std::fs::remove_dir_all(&fresh).unwrap();
    build(&input, &fresh);
    assert_eq!(bytes(&tree(&site)), bytes(&tree(&fresh)));
    let entities = std::fs::read_to_string(site.join("data/archive.json")).unwrap();
    assert!(entities.contains("Marisol Quenby"));

    // Results kept from a build with another config are not used.
    let cfg = tmp.path().join("other.toml");
    std::fs::write(&cfg, "[site]\ntitle = \"Another title\"\n").unwrap();
    let out = build_with(&input, &site, &cfg, &["--timings"]);
    assert_eq!(memo_counts(&out).0, 0);
}

#[test]
fn damaged_or_missing_cache_files_cost_time_not_correctness() {
    let (tmp, input, site) = seeds_and_site();
    build(&input, &site);
    let cache = tmp.path().join(".dossier-cache");
    let memos: Vec<PathBuf> = std::fs::read_dir(&cache)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "memo"))
        .collect();
    assert!(memos.len() >= 4, "{memos:?}");
    // One file cut short, one with a byte changed, one gone.
    let b = std::fs::read(&memos[0]).unwrap();
    std::fs::write(&memos[0], &b[..b.len() / 2]).unwrap();
    let mut b = std::fs::read(&memos[1]).unwrap();
    let mid = b.len() / 2;
    b[mid] ^= 0x20;
    std::fs::write(&memos[1], &b).unwrap();
    std::fs::remove_file(&memos[2]).unwrap();

    let victim = first_article(&input);
    let mut text = std::fs::read_to_string(&victim).unwrap();
    text.push_str("\n\nOfficials said on Tuesday that talks would resume.\n");
    std::fs::write(&victim, &text).unwrap();
    let (reused, computed) = memo_counts(&build_timed(&input, &site));
    assert!(reused > 0 && computed > 1, "{reused} reused, {computed} computed");
    let fresh = tmp.path().join("fresh");
    build(&input, &fresh);
    assert_eq!(bytes(&tree(&site)), bytes(&tree(&fresh)));
}

/// The articles of `dir`, sorted by name.
fn articles_in(dir: &Path) -> Vec<PathBuf> {
    let mut v: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|x| x == "txt"))
        .collect();
    v.sort();
    v
}

#[test]
fn every_kind_of_edit_rebuilds_to_what_a_fresh_build_makes() {
    let (tmp, input, site) = seeds_and_site();
    build(&input, &site);
    let read = |p: &Path| std::fs::read_to_string(p).unwrap();
    type Edit = Box<dyn Fn(&Path)>;
    let edits: Vec<(&str, Edit)> = vec![
        (
            "an exact copy of an article",
            Box::new(|dir| {
                let a = &articles_in(dir)[0];
                std::fs::copy(a, dir.join("zz-copy.txt")).unwrap();
            }),
        ),
        (
            "a new article made of paragraphs of two others",
            Box::new(move |dir| {
                let all = articles_in(dir);
                let para = |p: &Path, k: usize| read(p).split("\n\n").nth(k).unwrap_or("").to_string();
                let text = format!(
                    "A compilation of reports\n\n{}\n\n{}\n\nMore news will follow on Friday.\n",
                    para(&all[1], 3),
                    para(&all[2], 4)
                );
                std::fs::write(dir.join("zz-compiled.txt"), text).unwrap();
            }),
        ),
        (
            "a surname nobody else names",
            Box::new(move |dir| {
                let a = &articles_in(dir)[4];
                let text = read(a) + "\n\nHalvorsen, who runs the clinic, said supplies were short.\n";
                std::fs::write(a, text).unwrap();
            }),
        ),
        (
            // Changes what the other article's "Halvorsen" is: only the
            // entity registry tells it.
            "the person's full name in another article",
            Box::new(move |dir| {
                let a = &articles_in(dir)[3];
                let text = read(a)
                    + "\n\nDr Ingrid Halvorsen, a surgeon, said: \"We have no more beds.\" Halvorsen left on Monday.\n";
                std::fs::write(a, text).unwrap();
            }),
        ),
        (
            "the same closing line added to three articles",
            Box::new(move |dir| {
                for a in &articles_in(dir)[..3] {
                    std::fs::write(a, read(a) + "\n\nFollow our live coverage on the website\n").unwrap();
                }
            }),
        ),
        (
            "a weekday changed inside a paragraph",
            Box::new(move |dir| {
                let a = &articles_in(dir)[0];
                let text = read(a);
                let day = ["Monday", "Tuesday", "Wednesday", "Thursday", "Friday"]
                    .into_iter()
                    .find(|d| text.contains(&format!("on {d}")))
                    .expect("a weekday in the article");
                let other = if day == "Monday" { "Friday" } else { "Monday" };
                std::fs::write(a, text.replacen(&format!("on {day}"), &format!("on {other}"), 1)).unwrap();
            }),
        ),
        (
            "a title changed",
            Box::new(move |dir| {
                let a = &articles_in(dir)[2];
                let text = read(a);
                let (_, rest) = text.split_once('\n').unwrap();
                std::fs::write(a, format!("A new title for this report\n{rest}")).unwrap();
            }),
        ),
        (
            // Neither is dated: the second is placed by the age of the
            // offensive whose start the first reports.
            "an undated article dating an offensive's start, another giving its age",
            Box::new(|dir| {
                std::fs::write(
                    dir.join("zz-start.txt"),
                    "The Aleppo offensive\n\nThe Aleppo offensive began on 15 November 2016, army officers said.\n",
                )
                .unwrap();
                std::fs::write(
                    dir.join("zz-age.txt"),
                    "Three weeks on\n\nThe three-week-old Aleppo offensive has emptied whole districts, army officers say.\n",
                )
                .unwrap();
            }),
        ),
        (
            // Moves the second article's window: only the facts tell it.
            "the offensive's start moved a week",
            Box::new(move |dir| {
                let a = dir.join("zz-start.txt");
                std::fs::write(&a, read(&a).replace("15 November", "22 November")).unwrap();
            }),
        ),
        (
            "an article deleted",
            Box::new(|dir| std::fs::remove_file(&articles_in(dir)[1]).unwrap()),
        ),
    ];
    for (i, (what, edit)) in edits.iter().enumerate() {
        edit(&input);
        build(&input, &site);
        let fresh = tmp.path().join(format!("fresh-{i}"));
        build(&input, &fresh);
        assert!(
            bytes(&tree(&site)) == bytes(&tree(&fresh)),
            "after {what}, the rebuild differs from a fresh build"
        );
    }
}
