//! The archive model: plain serde data passed between stages and exported
//! as `site/data/archive.json` (see the data-export contract in README.md).
//!
//! Field order here is the key order in the JSON export, so keep it stable.

use serde::ser::SerializeStruct;
use serde::{Deserialize, Serialize, Serializer};

/// A string that is usually short (paragraph and entity ids, kinds, ISO
/// dates): up to 24 bytes are held inline, without a heap allocation of
/// their own. At 100k articles the model holds about nine million of them.
pub type Short = compact_str::CompactString;

/// The whole annotated archive, as exported to `data/archive.json`.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Archive {
    pub generator: String,
    /// Sorted by `date.value` (undated last) then `id`.
    pub articles: Vec<Article>,
    /// Sorted by `id`.
    pub entities: Vec<Entity>,
    pub duplicates: Vec<DuplicateGroup>,
    pub shared_passages: Vec<SharedPassage>,
    /// Sorted by `date` then `id`.
    pub events: Vec<Event>,
    /// Everything the build noticed and did not stop for, sorted by file.
    #[serde(default)]
    pub warnings: Vec<Warning>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Article {
    pub id: String,
    /// Path of the input file relative to the input folder's parent, `/`-separated
    /// (e.g. `seeds/000_x.txt`).
    pub source_file: String,
    pub url: String,
    pub title: String,
    pub date: ArticleDate,
    pub sources: Vec<String>,
    pub paragraphs: Vec<Paragraph>,
    pub removed: Vec<Removed>,
    pub duplicate_of: Option<String>,
    pub quotes: Vec<Quote>,
    pub attributions: Vec<Attribution>,
    pub mentions: Vec<Mention>,
    pub dates: Vec<DateMention>,
    pub related: Vec<String>,
    /// `By ...` line lifted by cleaning, or front matter `byline`.
    #[serde(default)]
    pub byline: Option<String>,
    /// Front matter `url`: where the article was originally published.
    #[serde(default)]
    pub original_url: Option<String>,
    #[serde(default)]
    pub tags: Vec<String>,
    /// Site-relative URL of the article's text exactly as ingested.
    #[serde(default)]
    pub original_text_url: String,
    /// Edits cleaning made inside kept lines (typography, whitespace), counted.
    #[serde(default)]
    pub edits: Vec<Edit>,
}

/// Publication date: given (front matter, config) or inferred from the text.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct ArticleDate {
    /// ISO date, or null when neither given nor inferable.
    pub value: Option<Short>,
    pub inferred: bool,
    pub earliest: Option<Short>,
    pub latest: Option<Short>,
    pub evidence: Vec<String>,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct Paragraph {
    /// `p1`, `p2`, ... in reading order; also the HTML anchor.
    pub id: Short,
    pub text: String,
    /// `heading` (a section subheading) or `standfirst` (a deck under the
    /// title); absent for body text.
    #[serde(default)]
    pub role: Option<String>,
}

impl Serialize for Paragraph {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let skip = s.is_human_readable() && self.role.is_none();
        let mut st = s.serialize_struct("Paragraph", 3)?;
        st.serialize_field("id", &self.id)?;
        st.serialize_field("text", &self.text)?;
        optional_field(&mut st, "role", &self.role, skip)?;
        st.end()
    }
}

impl Paragraph {
    /// Body paragraphs `p1`, `p2`, ... with the given texts, in order.
    pub fn numbered<S: AsRef<str>>(texts: impl IntoIterator<Item = S>) -> Vec<Paragraph> {
        texts
            .into_iter()
            .enumerate()
            .map(|(i, t)| Paragraph {
                id: compact_str::format_compact!("p{}", i + 1),
                text: t.as_ref().to_string(),
                role: None,
            })
            .collect()
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Removed {
    pub text: String,
    pub reason: String,
    /// 1-based line in the source file, when known.
    #[serde(default)]
    pub line: Option<usize>,
}

/// A kind of in-line edit and how often cleaning made it in one article.
#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Edit {
    pub kind: String,
    pub count: usize,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Quote {
    pub paragraph: Short,
    pub start: usize,
    pub end: usize,
    pub text: String,
    /// `direct`, `block` or `scare`.
    pub kind: Short,
    pub speaker: Option<Short>,
    pub speaker_mention: Option<Short>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Attribution {
    pub paragraph: Short,
    pub start: usize,
    pub end: usize,
    pub cue: Short,
    pub source: Short,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Mention {
    pub paragraph: Short,
    pub start: usize,
    pub end: usize,
    pub entity: Short,
}

#[derive(Debug, Clone, Default, Deserialize, PartialEq)]
pub struct DateMention {
    pub paragraph: Short,
    pub start: usize,
    pub end: usize,
    pub text: Short,
    /// ISO value at `granularity`: `2016-12-13`, `2016-12` or `2016`.
    pub value: Short,
    /// `day`, `month` or `year`.
    pub granularity: Short,
    /// Clock time written with the date (`at 9am local time [06:00 GMT]`).
    #[serde(default)]
    pub time: Option<Short>,
}

impl Serialize for DateMention {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let skip = s.is_human_readable() && self.time.is_none();
        let mut st = s.serialize_struct("DateMention", 7)?;
        st.serialize_field("paragraph", &self.paragraph)?;
        st.serialize_field("start", &self.start)?;
        st.serialize_field("end", &self.end)?;
        st.serialize_field("text", &self.text)?;
        st.serialize_field("value", &self.value)?;
        st.serialize_field("granularity", &self.granularity)?;
        optional_field(&mut st, "time", &self.time, skip)?;
        st.end()
    }
}

/// An optional field: left out of the JSON export when absent (`skip`), but
/// always written in binary formats (the build's cache, [`crate::memo`]),
/// which read fields by position.
fn optional_field<S: SerializeStruct, T: Serialize>(
    st: &mut S,
    name: &'static str,
    value: &Option<T>,
    skip: bool,
) -> Result<(), S::Error> {
    if skip {
        st.skip_field(name)
    } else {
        st.serialize_field(name, value)
    }
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Entity {
    pub id: String,
    pub name: String,
    /// `person`, `organisation`, `place` or `group`.
    pub kind: String,
    pub aliases: Vec<String>,
    pub url: String,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct DuplicateGroup {
    pub canonical: String,
    pub members: Vec<String>,
    pub similarity: f64,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct SharedPassage {
    pub text: String,
    /// Sorted by article id, then paragraph number.
    pub occurrences: Vec<Occurrence>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Occurrence {
    pub article: String,
    pub paragraph: Short,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq)]
pub struct Event {
    pub id: String,
    pub date: Short,
    pub granularity: Short,
    pub summary: String,
    pub citations: Vec<Occurrence>,
    pub conflicts: Vec<String>,
}

#[derive(Debug, Clone, Default, Serialize, Deserialize, PartialEq, Eq, PartialOrd, Ord)]
pub struct Warning {
    /// Input file the warning is about, relative like `source_file`; empty for the build.
    pub file: String,
    pub line: Option<usize>,
    pub message: String,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn absent_optional_fields_are_left_out_of_json_and_kept_in_binary() {
        let paras = vec![
            Paragraph {
                id: "p1".into(),
                text: "Body".into(),
                role: None,
            },
            Paragraph {
                id: "p2".into(),
                text: "Heading".into(),
                role: Some("heading".into()),
            },
        ];
        let json = serde_json::to_string(&paras).unwrap();
        assert_eq!(
            json,
            r#"[{"id":"p1","text":"Body"},{"id":"p2","text":"Heading","role":"heading"}]"#
        );
        assert_eq!(serde_json::from_str::<Vec<Paragraph>>(&json).unwrap(), paras);
        let bin = bincode::serialize(&paras).unwrap();
        assert_eq!(bincode::deserialize::<Vec<Paragraph>>(&bin).unwrap(), paras);

        let dates = vec![
            DateMention {
                value: "2016-12-13".into(),
                ..Default::default()
            },
            DateMention {
                time: Some("06:00".into()),
                ..Default::default()
            },
        ];
        let json = serde_json::to_string(&dates).unwrap();
        assert_eq!(json.matches("\"time\"").count(), 1, "{json}");
        assert_eq!(serde_json::from_str::<Vec<DateMention>>(&json).unwrap(), dates);
        let bin = bincode::serialize(&dates).unwrap();
        assert_eq!(bincode::deserialize::<Vec<DateMention>>(&bin).unwrap(), dates);
    }
}
