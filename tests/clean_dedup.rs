//! Cleaning and dedup on real inputs: the seeds against the hand-made gold
//! (skipped without `../shared`), and made-up corpora through the whole
//! model pipeline.

use std::path::PathBuf;

use dossier::build::{model, Paths};
use dossier::config::Config;

fn model_of(input: PathBuf, cfg: &Config) -> dossier::model::Archive {
    let paths = Paths {
        input,
        output: PathBuf::from("/nonexistent"),
        templates: None,
    };
    model(&paths, cfg, &mut Vec::new()).expect("model builds").0
}

#[test]
fn seeds_match_the_gold_cleaning_and_shared_paragraphs() {
    let gold_path = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/gold/seeds.json");
    let Ok(text) = std::fs::read_to_string(gold_path) else {
        eprintln!("skipped: {gold_path} is absent");
        return;
    };
    let gold: serde_json::Value = serde_json::from_str(&text).unwrap();
    let archive = model_of(
        PathBuf::from(concat!(env!("CARGO_MANIFEST_DIR"), "/seeds")),
        &Config::default(),
    );
    let scores = dossier::eval::score_cleaning(&gold, &archive);
    for s in &scores {
        assert_eq!(s.value, 1.0, "{}: {} ({})", s.name, s.value, s.detail);
    }
    assert_eq!(archive.shared_passages.len(), 10);
    assert!(archive.duplicates.is_empty());
}

#[test]
fn made_up_corpus_duplicates_and_furniture_end_to_end() {
    let dir = tempfile::tempdir().unwrap();
    const WORDS: &[&str] = &[
        "river", "council", "budget", "storm", "school", "minister", "harvest", "court", "bridge", "market", "doctor",
        "festival", "election", "railway", "factory", "museum", "village", "treaty", "winter", "airport", "protest",
        "library", "harbour", "clinic", "garden", "strike", "mayor", "forest", "road", "farm",
    ];
    let story = |topic: &str, n: usize| -> String {
        let mut x = topic
            .bytes()
            .fold(1u64, |h, b| h.wrapping_mul(31).wrapping_add(b as u64));
        (0..n)
            .map(|_| {
                let words: Vec<&str> = (0..12)
                    .map(|_| {
                        x = x.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                        WORDS[(x >> 33) as usize % WORDS.len()]
                    })
                    .collect();
                format!("In {topic} the {}.", words.join(" "))
            })
            .collect::<Vec<_>>()
            .join("\n\n")
    };
    let furniture = "\n\nShare this story\n\nJoin the debate";
    let files = [
        (
            "a.txt",
            format!("Floods hit the valley\n\n{}{furniture}", story("Avon", 12)),
        ),
        (
            "b.txt",
            format!("Floods hit the valley\n\n{}{furniture}", story("Avon", 12)),
        ),
        (
            "c.txt",
            format!(
                "Valley floods\n\n{}\n\nOne added closing line about later events in the region.{furniture}",
                story("Avon", 12)
            ),
        ),
        (
            "d.txt",
            format!("Harvest festival opens\n\n{}{furniture}", story("Brent", 12)),
        ),
        (
            "e.txt",
            format!("School term starts\n\n{}\n\nJoin the debate", story("Calder", 12)),
        ),
    ];
    for (name, text) in &files {
        std::fs::write(dir.path().join(name), text).unwrap();
    }
    let archive = model_of(dir.path().to_path_buf(), &Config::default());
    assert_eq!(archive.duplicates.len(), 1, "{:?}", archive.duplicates);
    let g = &archive.duplicates[0];
    assert_eq!(g.members.len(), 3);
    // The longest version (c.txt, one extra line) is canonical.
    let canon = archive.articles.iter().find(|a| a.id == g.canonical).unwrap();
    assert!(canon.source_file.ends_with("c.txt"));
    assert!(g.similarity < 1.0 && g.similarity > 0.8);
    for a in &archive.articles {
        let reasons: Vec<&str> = a.removed.iter().map(|r| r.reason.as_str()).collect();
        let has_share_line = !a.source_file.ends_with("e.txt");
        assert_eq!(
            reasons.contains(&"site boilerplate"),
            has_share_line,
            "{}: {reasons:?}",
            a.source_file
        );
        // "Join the debate" closes all five articles: corpus furniture.
        assert!(
            reasons.contains(&"furniture recurring across articles"),
            "{}: {reasons:?}",
            a.source_file
        );
        assert!(a.paragraphs.iter().all(|p| !p.text.contains("Join the debate")));
    }
}
