//! Entities: the registry (gazetteer, config, names discovered by rules),
//! alias merging, and mention finding in paragraph text.
//!
//! Names are discovered by general rules: capitalised sequences after titles
//! and roles ("Foreign Minister X", "UN envoy X"), beside speech verbs ("X
//! said", "said X"), in appositions ("X, a spokesman"); organisations by head
//! words ("X Committee", "Union of X"); places by cues ("in X", "the town of
//! X", "the X and Y districts"). Country-relative groups ("the regime",
//! "government forces", "state media", "rebels") resolve to the country the
//! article is about.

use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::sync::OnceLock;

use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};
use regex::Regex;
use serde::{Deserialize, Serialize};

use super::gazetteer::{self, Country, COUNTRIES, GROUP, KNOWN, ORG, PERSON, PLACE};
use super::EntityConfig;
use crate::text::slugify;

/// A token: a word (letters, digits, inner hyphens and apostrophes,
/// dotted abbreviations like `U.N.`), a possessive `’s`, or one punctuation
/// character. Byte offsets into the text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tok {
    pub start: usize,
    pub end: usize,
}

/// Is `c` a letter or a number (`[\p{L}\p{N}]`)?
fn is_word_char(c: char) -> bool {
    if c.is_ascii() {
        return c.is_ascii_alphanumeric();
    }
    if c.is_numeric() {
        return true;
    }
    if !c.is_alphabetic() {
        return false;
    }
    // Alphabetic also holds marks and symbols that are not letters.
    static LETTER: OnceLock<Regex> = OnceLock::new();
    let letter = LETTER.get_or_init(|| Regex::new(r"^\p{L}$").expect("letter regex"));
    letter.is_match(c.encode_utf8(&mut [0; 4]))
}

/// The end of the run of letters and numbers starting at byte `i`.
fn word_end(text: &str, i: usize) -> usize {
    crate::text::word_run(text, i, is_word_char).0
}

/// Spans of the raw tokens of `text`, as the leftmost-first matches of
/// `(?:[A-Z]\.){2,}|[\p{L}\p{N}]+(?:[-'’.,][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]`.
fn token_spans(text: &str) -> Vec<(usize, usize)> {
    let b = text.as_bytes();
    let mut out = Vec::with_capacity(text.len() / 4);
    let mut i = 0;
    while let Some(c) = text[i..].chars().next() {
        if c.is_whitespace() {
            i += c.len_utf8();
            continue;
        }
        // Dotted abbreviations: "U.N.".
        let mut j = i;
        while j + 1 < b.len() && b[j].is_ascii_uppercase() && b[j + 1] == b'.' {
            j += 2;
        }
        if j - i < 4 {
            j = if is_word_char(c) {
                // Words, joined by single inner marks: "al-Assad", "30,000".
                let mut j = word_end(text, i);
                while let Some(sep) = text[j..]
                    .chars()
                    .next()
                    .filter(|c| matches!(c, '-' | '\'' | '’' | '.' | ','))
                {
                    let k = j + sep.len_utf8();
                    if !text[k..].chars().next().is_some_and(is_word_char) {
                        break;
                    }
                    j = word_end(text, k);
                }
                j
            } else {
                i + c.len_utf8()
            };
        }
        out.push((i, j));
        i = j;
    }
    out
}

/// Tokens of `text`; `Aleppo’s` gives `Aleppo` and `’s`; `30,000` stays whole.
pub fn tokens(text: &str) -> Vec<Tok> {
    let mut out = Vec::with_capacity(text.len() / 4);
    for (start, end) in token_spans(text) {
        let s = &text[start..end];
        // Commas and full stops join digits only ("30,000", "1.5").
        if s.bytes().any(|b| b == b',' || b == b'.')
            && !s.starts_with(|c: char| c.is_ascii_uppercase() && s.len() <= 8 && s.ends_with('.'))
        {
            let mut pos = start;
            for (k, part) in split_keep_digits(s) {
                if k {
                    out.push(Tok {
                        start: pos,
                        end: pos + part.len(),
                    });
                }
                pos += part.len();
            }
            continue;
        }
        match possessive_at(s) {
            Some(cut) => out.extend([
                Tok {
                    start,
                    end: start + cut,
                },
                Tok {
                    start: start + cut,
                    end,
                },
            ]),
            None => out.push(Tok { start, end }),
        }
    }
    out
}

/// Splits a token at `,`/`.` not between digits; yields (is_token, piece).
fn split_keep_digits(s: &str) -> Vec<(bool, &str)> {
    let b = s.as_bytes();
    let mut out = Vec::new();
    let mut last = 0;
    for i in 0..b.len() {
        if (b[i] == b',' || b[i] == b'.')
            && !(i > 0 && b[i - 1].is_ascii_digit() && i + 1 < b.len() && b[i + 1].is_ascii_digit())
        {
            if i > last {
                out.push((true, &s[last..i]));
            }
            out.push((true, &s[i..i + 1]));
            last = i + 1;
        }
    }
    if last < s.len() {
        out.push((true, &s[last..]));
    }
    out
}

/// Where a possessive `’s`/`'s` ending a word starts, if it does.
fn possessive_at(s: &str) -> Option<usize> {
    ["’s", "'s"]
        .iter()
        .find(|suffix| s.len() > suffix.len() + 1 && s.ends_with(*suffix))
        .map(|suffix| s.len() - suffix.len())
}

/// Starts with an upper-case letter.
pub fn is_cap(w: &str) -> bool {
    w.chars().next().is_some_and(|c| c.is_uppercase())
}

fn is_particle(w: &str) -> bool {
    matches!(
        w,
        "al" | "bin" | "ibn" | "de" | "van" | "von" | "da" | "du" | "der" | "del" | "la" | "le"
    ) || ["al-", "el-", "ul-", "ad-", "as-", "ash-", "an-", "ar-"]
        .iter()
        .any(|p| w.starts_with(p) && w.len() > p.len() + 1)
}

/// A capitalised word or a name particle (`al-Assad`, `de`).
pub fn is_name_word(w: &str) -> bool {
    (is_cap(w) && w.chars().any(|c| c.is_alphabetic())) || is_particle(w)
}

fn not_name(w: &str) -> bool {
    gazetteer::is_not_name(w)
}

fn is_title(w: &str) -> bool {
    gazetteer::TITLE_SET.contains(w)
}

fn is_role(w: &str) -> bool {
    gazetteer::ROLE_SET.contains(w)
}

fn is_org_head(w: &str) -> bool {
    gazetteer::ORG_HEAD_SET.contains(w)
}

/// The country a word names: its name, an alias or a demonym.
pub fn country_by_word(w: &str) -> Option<&'static Country> {
    static BY_WORD: OnceLock<HashMap<&str, &Country>> = OnceLock::new();
    let by_word = BY_WORD.get_or_init(|| {
        let mut m = HashMap::new();
        for c in COUNTRIES {
            for x in std::iter::once(&c.name).chain(c.aliases).chain(c.demonyms) {
                m.entry(*x).or_insert(c);
            }
        }
        m
    });
    by_word.get(w).copied()
}

/// The country whose capital is `w`.
pub fn country_by_capital(w: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.capital == w)
}

fn country_named(name: &str) -> Option<&'static Country> {
    COUNTRIES.iter().find(|c| c.name == name)
}

fn demonym(c: &Country) -> &'static str {
    c.demonyms.first().copied().unwrap_or(c.name)
}

/// One entity in the registry.
#[derive(Debug, Clone, Default, Hash)]
pub struct Ent {
    pub name: String,
    pub kind: String,
    pub aliases: BTreeSet<String>,
    /// Country it belongs to (leaders, institutions, cities, country groups).
    pub country: String,
    /// A news agency or media outlet.
    pub media: bool,
}

/// Kind of name a rule discovered.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord, Serialize, Deserialize)]
pub struct Found {
    pub name: String,
    #[serde(with = "kind")]
    pub kind: Kind,
}

/// An entity kind: one of the gazetteer's constants ([`PERSON`]...). (Named
/// so that serde does not take the field for text borrowed from its input.)
pub type Kind = &'static str;

/// Serde for a [`Kind`].
mod kind {
    use super::{GROUP, ORG, PERSON, PLACE};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(kind: &&'static str, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(kind)
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<&'static str, D::Error> {
        let s = String::deserialize(d)?;
        [PERSON, ORG, PLACE, GROUP]
            .into_iter()
            .find(|k| *k == s)
            .ok_or_else(|| D::Error::custom(format!("unknown entity kind {s:?}")))
    }
}

/// All entities the build knows, and the matcher for their surface forms.
#[derive(Clone)]
pub struct Registry {
    pub ents: BTreeMap<String, Ent>,
    /// Surface form -> entity id.
    forms: BTreeMap<String, String>,
    /// Normalised person name -> id.
    person_keys: BTreeMap<String, String>,
    /// Forms that are a surname only (not matched before another name word).
    surname_forms: BTreeSet<String>,
    /// The matcher, and for each of its forms the id and whether it is a
    /// surname form.
    matcher: Option<(AhoCorasick, Vec<(String, bool)>)>,
}

/// Folds a person's name for comparison: ASCII, lower case, no titles,
/// common transliteration variants unified (Sergey/Sergei, Al-/al-).
pub fn person_key(name: &str) -> String {
    let untitled: Vec<&str> = name.split_whitespace().skip_while(|w| is_title(w)).collect();
    let name = if untitled.is_empty() {
        name.to_string()
    } else {
        untitled.join(" ")
    };
    let words: Vec<String> = slugify(&name, 200)
        .split('-')
        .filter(|w| !w.is_empty())
        .map(|w| {
            let mut w = w.to_string();
            if w.ends_with("ey") && w.len() > 3 {
                w.truncate(w.len() - 2);
                w.push_str("ei");
            }
            w = w.replace("kh", "h").replace("ou", "u").replace('y', "i");
            let mut out = String::new();
            for c in w.chars() {
                if !out.ends_with(c) {
                    out.push(c);
                }
            }
            out
        })
        .collect();
    words.join(" ")
}

/// The surname forms of a full name: its last word, and without `al-`.
fn surnames(name: &str) -> Vec<String> {
    let words: Vec<&str> = name.split_whitespace().collect();
    if words.len() < 2 {
        return Vec::new();
    }
    let last = words[words.len() - 1];
    let mut out = vec![last.to_string()];
    for p in ["al-", "Al-", "el-", "El-"] {
        if let Some(rest) = last.strip_prefix(p) {
            out.push(rest.to_string());
        }
    }
    out
}

impl Registry {
    /// The gazetteer, then the user's entities (which add to or correct it).
    pub fn new(user: &[EntityConfig]) -> Registry {
        let mut r = Registry {
            ents: BTreeMap::new(),
            forms: BTreeMap::new(),
            person_keys: BTreeMap::new(),
            surname_forms: BTreeSet::new(),
            matcher: None,
        };
        for c in COUNTRIES {
            let id = r.add(c.name, PLACE, c.aliases.iter().chain(c.demonyms));
            r.ents.get_mut(&id).expect("added").country = c.name.into();
            if !c.capital.is_empty() {
                let cid = r.add(c.capital, PLACE, [].iter());
                r.ents.get_mut(&cid).expect("added").country = c.name.into();
            }
        }
        for (city, country) in gazetteer::CITIES {
            let id = r.add(city, PLACE, [].iter());
            r.ents.get_mut(&id).expect("added").country = (*country).into();
        }
        for k in KNOWN {
            let short: Vec<&&str> = if k.kind == PERSON {
                k.short.iter().collect()
            } else {
                Vec::new()
            };
            let id = r.add(k.name, k.kind, k.aliases.iter().chain(short));
            let e = r.ents.get_mut(&id).expect("added");
            e.country = k.country.into();
            e.media = k.media;
        }
        for u in user {
            let kind = match u.kind.as_str() {
                "person" => PERSON,
                "place" => PLACE,
                "group" => GROUP,
                _ => ORG,
            };
            // A user entry naming a known form corrects that entity.
            let existing = std::iter::once(&u.name)
                .chain(&u.aliases)
                .find_map(|f| r.forms.get(f.as_str()).cloned());
            match existing {
                Some(id) => {
                    let e = r.ents.get_mut(&id).expect("known");
                    if !u.kind.is_empty() {
                        e.kind = kind.into();
                    }
                    let old = std::mem::replace(&mut e.name, u.name.clone());
                    e.aliases.insert(old);
                    e.aliases.remove(&u.name);
                    for a in &u.aliases {
                        e.aliases.insert(a.clone());
                        r.forms.insert(a.clone(), id.clone());
                    }
                    r.forms.insert(u.name.clone(), id.clone());
                }
                None => {
                    r.add(
                        &u.name,
                        kind,
                        u.aliases.iter().map(String::as_str).collect::<Vec<_>>().iter(),
                    );
                }
            }
        }
        r
    }

    /// Adds an entity (or merges into the one with the same id); returns its id.
    pub fn add<'a>(&mut self, name: &str, kind: &str, aliases: impl Iterator<Item = &'a &'a str>) -> String {
        let id = slugify(name, 60);
        let e = self.ents.entry(id.clone()).or_insert_with(|| Ent {
            name: name.to_string(),
            kind: kind.to_string(),
            ..Ent::default()
        });
        for a in aliases {
            if *a != e.name {
                e.aliases.insert(a.to_string());
            }
            self.forms.entry(a.to_string()).or_insert_with(|| id.clone());
        }
        self.forms.entry(name.to_string()).or_insert_with(|| id.clone());
        if kind == PERSON {
            self.person_keys.entry(person_key(name)).or_insert_with(|| id.clone());
        }
        id
    }

    /// The id a surface form maps to.
    pub fn lookup(&self, form: &str) -> Option<&str> {
        self.forms.get(form).map(String::as_str)
    }

    /// Kind of entity `id` ("" when unknown).
    pub fn kind(&self, id: &str) -> &str {
        self.ents.get(id).map(|e| e.kind.as_str()).unwrap_or("")
    }

    /// A hash of everything [`crate::annotate::annotate_article`] can read
    /// here (the matcher is made from the forms).
    pub fn fingerprint(&self) -> u64 {
        crate::memo::key(&(&self.ents, &self.forms, &self.person_keys, &self.surname_forms))
    }

    /// Adds the names found in the archive: people merged by normalised
    /// name, then surname-only forms linked to the one full name bearing
    /// them; organisations and places as found. `found` is (name, kind, count).
    pub fn absorb(&mut self, found: &BTreeMap<Found, usize>) {
        // Full names first, most frequent form first, so it names the entity.
        let mut people: Vec<(&Found, usize)> = found
            .iter()
            .filter(|(f, _)| f.kind == PERSON && f.name.split_whitespace().count() >= 2)
            .map(|(f, n)| (f, *n))
            .collect();
        let titled = |f: &Found| f.name.split_whitespace().next().is_some_and(is_title);
        people.sort_by(|a, b| titled(a.0).cmp(&titled(b.0)).then(b.1.cmp(&a.1)).then(a.0.cmp(b.0)));
        for (f, _) in &people {
            if self.forms.contains_key(&f.name) {
                continue;
            }
            match self.person_keys.get(&person_key(&f.name)).cloned() {
                Some(id) => {
                    self.forms.insert(f.name.clone(), id.clone());
                    let e = self.ents.get_mut(&id).expect("known");
                    if e.name != f.name {
                        e.aliases.insert(f.name.clone());
                    }
                }
                None => {
                    self.add(&f.name, PERSON, [].iter());
                }
            }
        }
        // Surnames of every person with a full name, kept when unambiguous.
        let mut by_surname: BTreeMap<String, BTreeSet<String>> = BTreeMap::new();
        for (id, e) in &self.ents {
            if e.kind != PERSON {
                continue;
            }
            for n in std::iter::once(&e.name).chain(e.aliases.iter()) {
                for s in surnames(n) {
                    if is_cap(&s) && !not_name(&s) && !is_title(&s) {
                        by_surname.entry(s).or_default().insert(id.clone());
                    }
                }
            }
        }
        for (s, ids) in by_surname {
            if ids.len() == 1 && !self.forms.contains_key(&s) {
                let id = ids.into_iter().next().expect("one");
                self.surname_forms.insert(s.clone());
                self.forms.insert(s, id);
            }
        }
        for (f, _) in found
            .iter()
            .filter(|(f, _)| f.kind != PERSON || f.name.split_whitespace().count() == 1)
        {
            if self.forms.contains_key(&f.name) {
                continue;
            }
            if f.kind == PERSON {
                // A lone surname ("Ms Hewitt") with no full name anywhere.
                self.add(&f.name, PERSON, [].iter());
            } else {
                self.add(&f.name, f.kind, [].iter());
            }
        }
        // Short forms of organisations count only when the archive names them in full.
        for k in KNOWN.iter().filter(|k| k.kind != PERSON && !k.short.is_empty()) {
            let seen = found
                .keys()
                .any(|f| f.name == k.name || k.aliases.contains(&f.name.as_str()));
            if seen {
                let id = slugify(k.name, 60);
                for s in k.short {
                    self.forms.entry(s.to_string()).or_insert_with(|| id.clone());
                    if let Some(e) = self.ents.get_mut(&id) {
                        e.aliases.insert(s.to_string());
                    }
                }
            }
        }
        self.build_matcher();
    }

    fn build_matcher(&mut self) {
        let pats: Vec<&String> = self.forms.keys().collect();
        let ac = AhoCorasickBuilder::new()
            .match_kind(MatchKind::LeftmostLongest)
            .build(&pats)
            .expect("gazetteer matcher");
        // Forms known now keep their ids: later additions never replace them.
        let ids = self
            .forms
            .iter()
            .map(|(form, id)| (id.clone(), self.surname_forms.contains(form)))
            .collect();
        self.matcher = Some((ac, ids));
    }

    /// Gazetteer and discovered forms in `text`: (start, end, id).
    pub fn find(&self, text: &str) -> Vec<(usize, usize, String)> {
        let Some((ac, ids)) = &self.matcher else {
            return Vec::new();
        };
        ac.find_overlapping_iter_safe(text)
            .into_iter()
            .filter_map(|m| {
                let (id, surname) = &ids[m.pattern().as_usize()];
                // "Andrew Smith" is not the surname "Andrew" of someone else.
                if *surname {
                    let next = text[m.end()..].strip_prefix(' ').and_then(|t| t.split(' ').next());
                    if next.is_some_and(|w| is_cap(w) && !not_name(w.trim_end_matches([',', '.', '’', '\'']))) {
                        return None;
                    }
                }
                Some((m.start(), m.end(), id.clone()))
            })
            .collect()
    }
}

/// The fields of an entity that annotating an article reads.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Seen {
    name: String,
    kind: String,
    country: String,
    media: bool,
}

impl Seen {
    fn of(e: Option<&Ent>) -> Option<Seen> {
        e.map(|e| Seen {
            name: e.name.clone(),
            kind: e.kind.clone(),
            country: e.country.clone(),
            media: e.media,
        })
    }
}

/// A registry change or read made while annotating one article, replayed
/// in article order by [`Registry::replay`].
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub enum Op {
    /// [`Registry::add`] with no aliases.
    Add {
        name: String,
        #[serde(with = "kind")]
        kind: Kind,
    },
    /// Sets the entity's country unless it has one.
    Country { id: String, country: String },
    /// Marks the entity as media.
    Media { id: String },
    /// The entity was read as `seen` after this article changed it.
    Read { id: String, seen: Option<Seen> },
}

/// One article's view of the registry: the corpus-wide registry, read-only,
/// plus the entities the article adds or changes. Articles are annotated in
/// parallel, each in its own scope; [`Registry::replay`] then applies their
/// changes in article order and tells whether each article read what it
/// would have read had the articles been annotated one after another.
pub struct Scope<'a> {
    base: &'a Registry,
    /// Entities this article added or changed, as it left them.
    local: BTreeMap<String, Ent>,
    /// Changes, and reads of changed entities, in order.
    log: std::cell::RefCell<Vec<Op>>,
    /// Ids read from `base` while unchanged by this article.
    base_reads: std::cell::RefCell<Vec<&'a str>>,
    /// Ids read from `base` that it does not hold (rare).
    base_misses: std::cell::RefCell<Vec<String>>,
}

/// What an article changed and read in the registry, for
/// [`Registry::replay`].
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Trace {
    pub ops: Vec<Op>,
    /// Ids read from the corpus-wide registry before any change, sorted.
    pub reads: Vec<String>,
}

impl<'a> Scope<'a> {
    pub fn new(base: &'a Registry) -> Scope<'a> {
        Scope {
            base,
            local: BTreeMap::new(),
            log: Default::default(),
            base_reads: Default::default(),
            base_misses: Default::default(),
        }
    }

    /// Entity `id` as this article sees it.
    pub fn get(&self, id: &str) -> Option<&Ent> {
        if let Some(e) = self.local.get(id) {
            self.log.borrow_mut().push(Op::Read {
                id: id.to_string(),
                seen: Seen::of(Some(e)),
            });
            return Some(e);
        }
        match self.base.ents.get_key_value(id) {
            Some((k, e)) => {
                self.base_reads.borrow_mut().push(k);
                Some(e)
            }
            None => {
                self.base_misses.borrow_mut().push(id.to_string());
                None
            }
        }
    }

    /// Kind of entity `id` ("" when unknown).
    pub fn kind(&self, id: &str) -> &str {
        self.get(id).map(|e| e.kind.as_str()).unwrap_or("")
    }

    /// [`Registry::add`] with no aliases, seen by this article only.
    pub fn add(&mut self, name: &str, kind: &'static str) -> String {
        let id = slugify(name, 60);
        self.log.get_mut().push(Op::Add {
            name: name.to_string(),
            kind,
        });
        self.local.entry(id.clone()).or_insert_with(|| {
            self.base.ents.get(&id).cloned().unwrap_or_else(|| Ent {
                name: name.to_string(),
                kind: kind.to_string(),
                ..Ent::default()
            })
        });
        id
    }

    /// Gives an entity this article added its country (unless it has one)
    /// and marks it as media when `media`.
    pub fn describe(&mut self, id: &str, country: String, media: bool) {
        let Some(e) = self.local.get_mut(id) else { return };
        if e.country.is_empty() {
            e.country = country.clone();
            self.log.get_mut().push(Op::Country {
                id: id.to_string(),
                country,
            });
        }
        if media && !e.media {
            e.media = true;
            self.log.get_mut().push(Op::Media { id: id.to_string() });
        }
    }

    /// Gazetteer and discovered forms in `text`: (start, end, id).
    pub fn find(&self, text: &str) -> Vec<(usize, usize, String)> {
        self.base.find(text)
    }

    /// The changes and reads to replay.
    pub fn into_trace(self) -> Trace {
        let mut reads = self.base_reads.into_inner();
        reads.sort_unstable();
        reads.dedup();
        let mut reads: Vec<String> = reads.into_iter().map(str::to_string).collect();
        reads.extend(self.base_misses.into_inner());
        reads.sort_unstable();
        reads.dedup();
        Trace {
            ops: self.log.into_inner(),
            reads,
        }
    }
}

impl Registry {
    /// Applies one article's changes in article order, if its reads agree
    /// with this registry; `changed` holds the ids that earlier replays
    /// changed. Returns false, changing nothing, when they disagree.
    pub fn replay(&mut self, trace: &Trace, changed: &mut BTreeSet<String>) -> bool {
        if trace.reads.iter().any(|id| changed.contains(id)) {
            return false;
        }
        // Dry run on copies of the entities the article changes.
        let mut draft: BTreeMap<String, Option<Ent>> = BTreeMap::new();
        for op in &trace.ops {
            match op {
                Op::Add { name, kind } => {
                    let id = slugify(name, 60);
                    let e = draft.entry(id).or_insert_with_key(|id| self.ents.get(id).cloned());
                    if e.is_none() {
                        *e = Some(Ent {
                            name: name.to_string(),
                            kind: kind.to_string(),
                            ..Ent::default()
                        });
                    }
                }
                Op::Country { id, country } => {
                    if let Some(Some(e)) = draft.get_mut(id) {
                        if e.country.is_empty() {
                            e.country = country.clone();
                        }
                    }
                }
                Op::Media { id } => {
                    if let Some(Some(e)) = draft.get_mut(id) {
                        e.media = true;
                    }
                }
                Op::Read { id, seen } => {
                    let now = match draft.get(id) {
                        Some(e) => Seen::of(e.as_ref()),
                        None => Seen::of(self.ents.get(id)),
                    };
                    if now != *seen {
                        return false;
                    }
                }
            }
        }
        self.apply(&trace.ops, changed);
        true
    }

    /// Applies an article's changes; adds the ids they change to `changed`.
    pub fn apply(&mut self, ops: &[Op], changed: &mut BTreeSet<String>) {
        for op in ops {
            match op {
                Op::Add { name, kind } => {
                    let id = slugify(name, 60);
                    if !self.ents.contains_key(&id) {
                        changed.insert(id);
                    }
                    self.add(name, kind, [].iter());
                }
                Op::Country { id, country } => {
                    if let Some(e) = self.ents.get_mut(id) {
                        if e.country.is_empty() && !country.is_empty() {
                            e.country = country.clone();
                            changed.insert(id.clone());
                        }
                    }
                }
                Op::Media { id } => {
                    if let Some(e) = self.ents.get_mut(id) {
                        if !e.media {
                            e.media = true;
                            changed.insert(id.clone());
                        }
                    }
                }
                Op::Read { .. } => {}
            }
        }
    }
}

/// Leftmost-longest matching that still finds a short form when the longer
/// one starting at the same place fails the word-boundary check.
trait SafeFind {
    fn find_overlapping_iter_safe(&self, text: &str) -> Vec<aho_corasick::Match>;
}

impl SafeFind for AhoCorasick {
    fn find_overlapping_iter_safe(&self, text: &str) -> Vec<aho_corasick::Match> {
        // Restart after each accepted match; at a rejected match, retry one
        // byte later so shorter forms inside it are still seen.
        let mut out = Vec::new();
        let mut pos = 0;
        while pos < text.len() {
            let input = aho_corasick::Input::new(text).span(pos..text.len());
            let Some(m) = self.find(input) else { break };
            let before = text[..m.start()].chars().next_back();
            let after = text[m.end()..].chars().next();
            let ok = !before.is_some_and(|c| c.is_alphanumeric() || c == '-')
                && !after.is_some_and(|c| c.is_alphanumeric() || c == '-');
            if ok {
                out.push(m);
                pos = m.end();
            } else {
                pos = m.start() + text[m.start()..].chars().next().map_or(1, char::len_utf8);
            }
        }
        out
    }
}

/// Name runs: maximal sequences of capitalised words and particles
/// (token index ranges), leading function words dropped.
pub fn name_runs(text: &str, toks: &[Tok]) -> Vec<(usize, usize)> {
    let w = |i: usize| &text[toks[i].start..toks[i].end];
    let mut out = Vec::new();
    let mut i = 0;
    while i < toks.len() {
        if !is_name_word(w(i)) || is_particle(w(i)) && !w(i).contains('-') {
            i += 1;
            continue;
        }
        let s = i;
        while i < toks.len() && is_name_word(w(i)) {
            // A run does not cross a word that starts a new sentence-like unit.
            i += 1;
        }
        let mut a = s;
        while a < i
            && (not_name(w(a))
                || w(a).chars().all(|c| c.is_uppercase()) && w(a).len() == 1
                || gazetteer::NAME_PREFIXES.contains(&w(a)) && a + 2 < i)
        {
            a += 1;
        }
        if a < i {
            out.push((a, i));
        }
    }
    out
}

/// Names found by rules in one paragraph.
pub fn discover(text: &str, out: &mut BTreeMap<Found, usize>) {
    let toks = tokens(text);
    let w = |i: usize| &text[toks[i].start..toks[i].end];
    let span = |a: usize, b: usize| text[toks[a].start..toks[b - 1].end].to_string();
    let mut add = |name: String, kind: &'static str| {
        if !name.is_empty() {
            *out.entry(Found { name, kind }).or_default() += 1;
        }
    };
    let runs = name_runs(text, &toks);
    let has_country = |a: usize, b: usize| (a..b).any(|k| country_by_word(w(k)).is_some());
    let has_head = |a: usize, b: usize| (a..b).any(|k| is_org_head(w(k)));
    for (ri, &(a, b)) in runs.iter().enumerate() {
        // Title inside the run: the name follows the last title word.
        if let Some(t) = (a..b).rev().find(|&k| is_title(w(k))) {
            let mut s = t + 1;
            // "Secretary of State John Kerry": the run starts after "of".
            if s < b && has_country(s, b) {
                s = b;
            }
            if s < b && !has_head(s, b) && !has_country(s, b) {
                add(span(s, b), PERSON);
                // "Lieutenant General X": the titled form is an alias.
                if (a..s).all(|k| is_title(w(k))) && s - a >= 2 {
                    add(span(a, b), PERSON);
                }
                continue;
            }
            // "Deputy Foreign Minister, Sergei Ryabkov"
            if t + 1 == b && b + 1 < toks.len() && w(b) == "," {
                if let Some(&(na, nb)) = runs.get(ri + 1) {
                    if na == b + 1 && nb - na >= 2 && !has_head(na, nb) && !has_country(na, nb) {
                        add(span(na, nb), PERSON);
                    }
                }
            }
            continue;
        }
        if a >= 2 && w(a - 1) == "of" && is_title(w(a - 2)) && b - a >= 3 {
            add(span(a + 1, b), PERSON);
            continue;
        }
        let n = b - a;
        let plain = !has_head(a, b) && !has_country(a, b);
        // Role noun before: "UN envoy X", "Observatory director X".
        if a >= 1 && is_role(w(a - 1)) && n >= 2 && plain {
            add(span(a, b), PERSON);
            continue;
        }
        // Apposition: "X, a spokesman for ..."
        if n >= 2 && plain && b + 1 < toks.len() && w(b) == "," {
            let next: Vec<&str> = (b + 1..(b + 7).min(toks.len())).map(w).collect();
            let det = matches!(next.first(), Some(&"a" | &"an" | &"the"));
            let role = next
                .iter()
                .take_while(|x| **x != "," && **x != ".")
                .any(|x| is_role(x) || is_title(x) && *x != "Mr");
            if role && (det || next.first().is_some_and(|x| is_role(x) || !is_cap(x))) {
                add(span(a, b), PERSON);
                continue;
            }
        }
        // Speech: "X said", "said X", "X, <apposition>, told".
        let before_verb = b < toks.len() && gazetteer::SPEECH_VERB_SET.contains(w(b))
            || b < toks.len() && w(b) == "," && {
                let close = (b + 1..(b + 14).min(toks.len())).find(|&k| matches!(w(k), "," | "." | ";"));
                close
                    .is_some_and(|k| w(k) == "," && k + 1 < toks.len() && gazetteer::SPEECH_VERB_SET.contains(w(k + 1)))
            };
        let after_verb = (1..=4).any(|d| {
            a >= d
                && matches!(w(a - d), "said" | "Said" | "says" | "added" | "warned" | "according")
                && (a - d + 1..a).all(|k| {
                    w(k).chars().all(|c| c.is_lowercase() || c == '-' || c == '.') || is_cap(w(k)) && !not_name(w(k))
                })
        });
        if n >= 2 && plain && (before_verb || after_verb) {
            add(span(a, b), PERSON);
            continue;
        }
        // Organisations: a head word in a run, possibly "Union of X Y".
        let head_of = n == 1 && b + 1 < toks.len() && matches!(w(b), "of" | "for") && is_name_word(w(b + 1));
        if has_head(a, b) && (n >= 2 || head_of) {
            let mut e = b;
            while e + 1 < toks.len() && matches!(w(e), "of" | "for" | "on") && is_name_word(w(e + 1)) {
                let next_end = runs.iter().find(|r| r.0 == e + 1).map(|r| r.1);
                match next_end {
                    Some(ne) => e = ne,
                    None => break,
                }
            }
            add(span(a, e), ORG);
            continue;
        }
        if n >= 1 && a >= 2 && matches!(w(a - 1), "of" | "for") && has_head(a - 2, a - 1) {
            continue; // tail of "Union of ..." handled above
        }
        // Places: "in X", "near X", "the town of X".
        let cue = a >= 1 && matches!(w(a - 1), "in" | "near" | "outside" | "around" | "across");
        let of_place = a >= 2
            && w(a - 1) == "of"
            && matches!(
                w(a - 2),
                "town"
                    | "city"
                    | "village"
                    | "district"
                    | "province"
                    | "region"
                    | "neighbourhood"
                    | "neighborhood"
                    | "suburb"
                    | "port"
                    | "capital"
            );
        if (cue || of_place) && n <= 3 && plain && !(a..b).any(|k| is_title(w(k))) {
            add(span(a, b), PLACE);
            continue;
        }
    }
    // Lists before a place noun: "the A, B and C districts".
    for (i, t) in toks.iter().enumerate() {
        let word = &text[t.start..t.end];
        if !matches!(
            word,
            "districts"
                | "district"
                | "neighborhoods"
                | "neighbourhoods"
                | "neighborhood"
                | "neighbourhood"
                | "province"
                | "villages"
                | "towns"
        ) {
            continue;
        }
        let mut k = i;
        while let Some(&(a, b)) = runs.iter().find(|r| r.1 == k) {
            if b - a <= 3 && !has_head(a, b) && !has_country(a, b) {
                add(span(a, b), PLACE);
            }
            if a >= 1 && w(a - 1) == "," {
                k = a - 1;
            } else if a >= 2 && w(a - 1) == "and" && w(a - 2) == "," {
                k = a - 2;
            } else if a >= 1 && w(a - 1) == "and" {
                k = a - 1;
            } else {
                break;
            }
        }
    }
}

/// A country-relative mention found by the rules: (start, end, entity name,
/// kind, country, media).
pub type Generated = (usize, usize, String, &'static str, String, bool);

struct Rules {
    sources: Regex,
    state_media: Regex,
    ministry: Regex,
    army: Regex,
    army_bare: Regex,
    government: Regex,
    rebels: Regex,
    opposition: Regex,
    compass: Regex,
    old_city: Regex,
    use_mention: Regex,
}

fn alternation(mut words: Vec<&str>) -> String {
    words.sort_by(|a, b| b.len().cmp(&a.len()).then(a.cmp(b)));
    words.dedup();
    words.iter().map(|w| regex::escape(w)).collect::<Vec<_>>().join("|")
}

fn rules() -> &'static Rules {
    static R: OnceLock<Rules> = OnceLock::new();
    R.get_or_init(|| {
        let dem = alternation(
            COUNTRIES
                .iter()
                .flat_map(|c| std::iter::once(&c.name).chain(c.aliases).chain(c.demonyms))
                .copied()
                .collect(),
        );
        let leaders = alternation(
            KNOWN
                .iter()
                .filter(|k| k.kind == PERSON && !k.country.is_empty())
                .flat_map(|k| std::iter::once(&k.name).chain(k.short))
                .copied()
                .collect(),
        );
        let cities = alternation(
            gazetteer::CITIES
                .iter()
                .map(|c| c.0)
                .chain(COUNTRIES.iter().map(|c| c.capital))
                .collect(),
        );
        let re = |s: String| Regex::new(&s).expect("entity rule");
        Rules {
            sources: re(format!(
                r"\b(?:(?P<c>{dem}) )?(?:government )?(?:army|military|security) sources?\b"
            )),
            state_media: re(format!(
                r"\b(?:(?P<c>{dem})(?:’s|'s)? )?[Ss]tate[- ](?:media|television|TV|news agency|broadcaster|radio)\b"
            )),
            ministry: re(format!(
                r"\b(?:(?P<c>{dem})(?:’s|'s)? )?(?P<m>[Ff]oreign|[Dd]efen[cs]e|[Ii]nterior) [Mm]inistry\b"
            )),
            army: re(format!(
                r"\b(?:(?:(?P<l>{leaders}) )?(?:[Rr]egime|[Gg]overnment|[Pp]ro-government)(?:’s|'s)? (?:forces|troops|soldiers)|(?:Arab )?(?P<c>{dem}) (?:Arab )?(?:[Aa]rmy|armed forces|troops|soldiers))\b"
            )),
            army_bare: re(r"\b[Tt]he army\b".into()),
            government: re(format!(
                r"\b(?:(?P<l>{leaders})(?:’s|'s)? regime|(?P<c>{dem})(?:’s|'s)? (?:government|regime|authorities)|(?:[Tt]he )?[Rr]egime)\b"
            )),
            rebels: re(format!(
                r"\b(?:(?P<c>{dem}) )?(?:[Rr]ebel (?:forces|factions|groups|fighters)|[Rr]ebels|[Oo]pposition fighters|[Aa]rmed opposition)\b"
            )),
            opposition: re(format!(r"\b(?:(?P<c>{dem}) )?(?:[Oo]pposition groups|[Oo]pposition)\b")),
            compass: re(format!(
                r"\b(?P<d>[Ee]ast|[Ee]astern|[Ww]est|[Ww]estern|[Nn]orth|[Nn]orthern|[Ss]outh|[Ss]outhern) (?P<city>{cities})\b"
            )),
            old_city: re(format!(r"\b(?:[Tt]he )?[Oo]ld [Cc]ity(?: of (?P<city>{cities}))?\b")),
            use_mention: re(r"(?:the (?:term|word|phrase|label|slogan)|so-called|dubbed)\s*$".into()),
        }
    })
}

/// Is a quote at `start` preceded by "the term", "so-called" and the like?
pub fn use_mention_before(text: &str, start: usize) -> bool {
    let before = text[..start].trim_end_matches(['“', '‘', '"', '\'']);
    rules().use_mention.is_match(before)
}

fn country_of_match(
    c: Option<regex::Match>,
    l: Option<regex::Match>,
    fallback: Option<&'static Country>,
) -> Option<&'static Country> {
    if let Some(c) = c {
        return country_by_word(c.as_str());
    }
    if let Some(l) = l {
        let k = KNOWN
            .iter()
            .find(|k| k.name == l.as_str() || k.short.contains(&l.as_str()))?;
        return country_named(k.country);
    }
    fallback
}

/// Country-relative and compass mentions in `text`. `main` is the country
/// the article is about (for "the regime", "rebels"); `last_city` gives
/// the city most recently named before a byte offset.
pub fn generated(
    text: &str,
    main: Option<&'static Country>,
    last_city: &dyn Fn(usize) -> Option<String>,
) -> Vec<Generated> {
    let r = rules();
    let mut out: Vec<Generated> = Vec::new();
    let mut push = |m: regex::Match, name: String, kind: &'static str, country: &str, media: bool| {
        out.push((m.start(), m.end(), name, kind, country.to_string(), media));
    };
    // Each rule runs only when the words every match contains are there.
    let has = |needles: &[&str]| needles.iter().any(|n| text.contains(n));
    for cap in caps(&r.sources, text, has(&["source"])) {
        if let Some(c) = country_of_match(cap.name("c"), None, main) {
            push(
                cap.get(0).expect("m"),
                format!("{} military sources", demonym(c)),
                GROUP,
                c.name,
                false,
            );
        }
    }
    let state_media = has(&["tate"]) && has(&["media", "television", "TV", "news agency", "broadcaster", "radio"]);
    for cap in caps(&r.state_media, text, state_media) {
        if let Some(c) = country_of_match(cap.name("c"), None, main) {
            push(
                cap.get(0).expect("m"),
                format!("{} state media", demonym(c)),
                ORG,
                c.name,
                true,
            );
        }
    }
    for cap in caps(&r.ministry, text, has(&["inistry"])) {
        if let Some(c) = country_of_match(cap.name("c"), None, main) {
            let m = cap.name("m").map(|m| m.as_str().to_lowercase()).unwrap_or_default();
            push(
                cap.get(0).expect("m"),
                format!("{} {m} ministry", demonym(c)),
                ORG,
                c.name,
                false,
            );
        }
    }
    for cap in caps(&r.army, text, has(&["forces", "troops", "soldiers", "rmy"])) {
        if let Some(c) = country_of_match(cap.name("c"), cap.name("l"), main) {
            push(cap.get(0).expect("m"), army_name(c), ORG, c.name, false);
        }
    }
    if let Some(c) = main.filter(|_| has(&["he army"])) {
        for m in r.army_bare.find_iter(text) {
            push(m, army_name(c), ORG, c.name, false);
        }
    }
    for cap in caps(&r.government, text, has(&["egime", "government", "authorities"])) {
        let m = cap.get(0).expect("m");
        // "regime" before "forces" belongs to the army rule.
        if let Some(c) = country_of_match(cap.name("c"), cap.name("l"), main) {
            push(m, format!("{} government", demonym(c)), ORG, c.name, false);
        }
    }
    for cap in caps(&r.rebels, text, has(&["ebel", "pposition"])) {
        if let Some(c) = country_of_match(cap.name("c"), None, main) {
            push(
                cap.get(0).expect("m"),
                format!("{} rebels", demonym(c)),
                GROUP,
                c.name,
                false,
            );
        }
    }
    for cap in caps(&r.opposition, text, has(&["pposition"])) {
        if let Some(c) = country_of_match(cap.name("c"), None, main) {
            push(
                cap.get(0).expect("m"),
                format!("{} opposition", demonym(c)),
                GROUP,
                c.name,
                false,
            );
        }
    }
    for cap in r.compass.captures_iter(text) {
        let d = cap.name("d").expect("d").as_str().to_lowercase();
        let dir = match &d[..2] {
            "ea" => "East",
            "we" => "West",
            "no" => "North",
            _ => "South",
        };
        let city = cap.name("city").expect("city").as_str();
        let country = country_of_city(city);
        push(cap.get(0).expect("m"), format!("{dir} {city}"), PLACE, &country, false);
    }
    for cap in caps(&r.old_city, text, has(&["ld City", "ld city"])) {
        let m = cap.get(0).expect("m");
        let city = cap
            .name("city")
            .map(|c| c.as_str().to_string())
            .or_else(|| last_city(m.start()));
        if let Some(city) = city {
            let country = country_of_city(&city);
            push(m, format!("Old City of {city}"), PLACE, &country, false);
        }
    }
    out
}

/// The captures of `re` in `text`, none without searching unless `on`.
fn caps<'t>(re: &'static Regex, text: &'t str, on: bool) -> impl Iterator<Item = regex::Captures<'t>> {
    on.then(|| re.captures_iter(text)).into_iter().flatten()
}

fn army_name(c: &Country) -> String {
    if c.army.is_empty() {
        format!("{} army", demonym(c))
    } else {
        c.army.to_string()
    }
}

/// Country of a city in the gazetteer ("" when unknown).
pub fn country_of_city(city: &str) -> String {
    gazetteer::CITIES
        .iter()
        .find(|c| c.0 == city)
        .map(|c| c.1.to_string())
        .or_else(|| country_by_capital(city).map(|c| c.name.to_string()))
        .unwrap_or_default()
}

/// Keeps the longest of overlapping spans (earliest on ties), in text order.
pub fn resolve_overlaps<T: Clone>(mut spans: Vec<(usize, usize, T)>) -> Vec<(usize, usize, T)> {
    spans.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
    let mut kept: Vec<(usize, usize, T)> = Vec::new();
    for s in spans {
        if kept.iter().all(|k| s.1 <= k.0 || s.0 >= k.1) {
            kept.push(s);
        }
    }
    kept.sort_by_key(|k| k.0);
    kept
}

#[cfg(test)]
mod tests {
    use super::*;

    fn found(text: &str) -> Vec<(String, &'static str)> {
        let mut m = BTreeMap::new();
        discover(text, &mut m);
        m.into_keys().map(|f| (f.name, f.kind)).collect()
    }

    #[test]
    fn tokens_split_possessives_and_keep_abbreviations() {
        let t = "The U.N. envoy’s plan, worth 30,000 euros.";
        let words: Vec<&str> = tokens(t).iter().map(|k| &t[k.start..k.end]).collect();
        assert_eq!(
            words,
            ["The", "U.N.", "envoy", "’s", "plan", ",", "worth", "30,000", "euros", "."]
        );
    }

    /// The token pattern `token_spans` implements.
    fn token_spans_by_regex(text: &str) -> Vec<(usize, usize)> {
        let re = Regex::new(r"(?:[A-Z]\.){2,}|[\p{L}\p{N}]+(?:[-'’.,][\p{L}\p{N}]+)*|[^\s\p{L}\p{N}]").unwrap();
        re.find_iter(text).map(|m| (m.start(), m.end())).collect()
    }

    #[test]
    fn token_spans_match_the_token_pattern() {
        for t in [
            "The U.N. envoy’s plan, worth 30,000 euros.",
            "A.B.C.D. and U.S and E.U.x, J. Smith; al-Assad's 1.5-2.0 ‘x’ — Ⓐb Ⅻ½ café\u{301} e\u{345}x 'n', ,a",
            "",
            "  \t\u{a0}x",
            "A.B. A.b. AB.C.D. Z.Z.Z",
        ] {
            assert_eq!(token_spans(t), token_spans_by_regex(t), "{t:?}");
        }
    }

    proptest::proptest! {
        #[test]
        fn token_spans_match_the_token_pattern_on_any_text(t in "[A-Za-z0-9 .,'’\\-“”éÅ\u{301}\u{345}Ⓐ½Ⅻ\t\u{a0}]{0,40}") {
            proptest::prop_assert_eq!(token_spans(&t), token_spans_by_regex(&t));
        }
    }

    #[test]
    fn people_after_titles_roles_and_speech_verbs() {
        let f = found("Norwegian Trade Minister Ola Nordmann met farm expert Kari Berg, said Nils Hansen in Tromso.");
        assert!(f.contains(&("Ola Nordmann".into(), PERSON)), "{f:?}");
        assert!(f.contains(&("Kari Berg".into(), PERSON)), "{f:?}");
        assert!(f.contains(&("Nils Hansen".into(), PERSON)), "{f:?}");
        assert!(f.contains(&("Tromso".into(), PLACE)), "{f:?}");
        let f = found("Lars Holm, a spokesman for the port, spoke. Secretary of State Anna Lind left.");
        assert!(f.contains(&("Lars Holm".into(), PERSON)), "{f:?}");
        assert!(f.contains(&("Anna Lind".into(), PERSON)), "{f:?}");
        let f = found("The deputy minister, Omar al-Rashid, said so. Deputy Health Minister, Ali Haddad, said so.");
        assert!(f.contains(&("Ali Haddad".into(), PERSON)), "{f:?}");
    }

    #[test]
    fn organisations_and_places_by_rules() {
        let f = found("said Mia Lund of the Union of Nordic Fishing Cooperatives and the High Fisheries Council in the town of Vardo.");
        assert!(
            f.contains(&("Union of Nordic Fishing Cooperatives".into(), ORG)),
            "{f:?}"
        );
        assert!(f.contains(&("High Fisheries Council".into(), ORG)), "{f:?}");
        assert!(f.contains(&("Vardo".into(), PLACE)), "{f:?}");
        let f = found("Troops took the Alfa, Beta Hills, and Gamma districts.");
        for p in ["Alfa", "Beta Hills", "Gamma"] {
            assert!(f.contains(&(p.into(), PLACE)), "{p} {f:?}");
        }
    }

    #[test]
    fn plain_capitalised_words_are_not_names() {
        let f = found("Helicopters dropped leaflets. On Monday the Council met in December. The Big Storm came.");
        assert!(f.iter().all(|(_, k)| *k != PERSON), "{f:?}");
        assert!(!f.iter().any(|(n, _)| n == "December"), "{f:?}");
    }

    #[test]
    fn person_keys_fold_transliterations() {
        assert_eq!(person_key("Sergey Petrov"), person_key("Sergei Petrov"));
        assert_eq!(person_key("Omar Al-Rashid"), person_key("Omar al-Rashid"));
        assert_ne!(person_key("Omar Rashid"), person_key("Omar Hamid"));
    }

    #[test]
    fn surname_only_mentions_merge_into_the_full_name() {
        let mut r = Registry::new(&[]);
        let mut f = BTreeMap::new();
        discover("Energy Minister Olga Petrova said prices would fall.", &mut f);
        r.absorb(&f);
        let hits = r.find("Petrova said later that Olga Petrova was right.");
        let ids: Vec<&str> = hits.iter().map(|h| h.2.as_str()).collect();
        assert_eq!(ids, ["olga-petrova", "olga-petrova"]);
    }

    #[test]
    fn a_surname_is_not_matched_as_someone_elses_first_name() {
        let mut r = Registry::new(&[]);
        let mut f = BTreeMap::new();
        discover("Rugby coach Tom Andrew said so.", &mut f);
        r.absorb(&f);
        let ids: Vec<String> = r.find("Andrew Nash met Andrew.").into_iter().map(|h| h.2).collect();
        assert_eq!(ids, ["tom-andrew"]);
    }

    #[test]
    fn gazetteer_aliases_merge_and_respect_word_boundaries() {
        let mut r = Registry::new(&[]);
        r.absorb(&BTreeMap::new());
        let t = "The UN and the U.N. and the United Nations met UNICEF in Paris.";
        let ids: Vec<String> = r.find(t).into_iter().map(|h| h.2).collect();
        assert_eq!(
            ids,
            ["united-nations", "united-nations", "united-nations", "unicef", "paris"]
        );
    }

    #[test]
    fn replay_accepts_independent_articles_and_refuses_stale_reads() {
        let mut base = Registry::new(&[]);
        base.absorb(&BTreeMap::new());
        // Two articles annotated side by side add the same entity under
        // different kinds; the second reads its own version.
        let mut first = Scope::new(&base);
        let id = first.add("Harbour Watch", ORG);
        first.describe(&id, "Norway".into(), true);
        let mut second = Scope::new(&base);
        let id2 = second.add("Harbour watch", GROUP);
        assert_eq!(second.kind(&id2), GROUP);
        // A third only reads an entity no article changes.
        let third = Scope::new(&base);
        assert_eq!(third.kind("paris"), PLACE);
        let (first, second, third) = (first.into_trace(), second.into_trace(), third.into_trace());

        let mut reg = base.clone();
        let mut changed = BTreeSet::new();
        assert!(reg.replay(&first, &mut changed));
        assert!(changed.contains("harbour-watch"));
        // In article order the second would have read the first's entity.
        assert!(!reg.replay(&second, &mut changed));
        let e = &reg.ents["harbour-watch"];
        assert_eq!(
            (e.name.as_str(), e.kind.as_str(), e.country.as_str(), e.media),
            ("Harbour Watch", ORG, "Norway", true)
        );
        assert!(reg.replay(&third, &mut changed));
        // Reading an entity an earlier article created is stale too.
        let late = Scope::new(&base);
        assert_eq!(late.kind("harbour-watch"), "");
        assert!(!reg.replay(&late.into_trace(), &mut changed));
    }

    #[test]
    fn country_relative_groups_follow_the_main_country() {
        let main = country_by_word("Iraq");
        let t =
            "The regime said government forces and rebels clashed, Iraqi state television reported, near east Mosul.";
        let g = generated(t, main, &|_| None);
        let names: Vec<&str> = resolve_overlaps(g.iter().map(|x| (x.0, x.1, x.2.clone())).collect())
            .into_iter()
            .map(|x| {
                let s: &str = &g.iter().find(|y| y.0 == x.0 && y.1 == x.1).expect("kept").2;
                s
            })
            .collect();
        assert_eq!(
            names,
            [
                "Iraqi government",
                "Iraqi army",
                "Iraqi rebels",
                "Iraqi state media",
                "East Mosul"
            ]
        );
        assert!(generated("Rain fell on the hills.", main, &|_| None).is_empty());
    }

    #[test]
    fn every_country_relative_rule_fires_past_its_word_check() {
        let main = country_by_word("Iraq");
        let t = "The security sources said the army and the Iraqi Interior Ministry met opposition groups and rebels in the old city of Mosul.";
        let mut names: Vec<String> = generated(t, main, &|_| None).into_iter().map(|g| g.2).collect();
        names.sort();
        assert_eq!(
            names,
            [
                "Iraqi army",
                "Iraqi interior ministry",
                "Iraqi military sources",
                "Iraqi opposition",
                "Iraqi rebels",
                "Old City of Mosul"
            ]
        );
    }

    #[test]
    fn use_mention_cues() {
        let t = "They used the term ‘freedom’ often.";
        assert!(use_mention_before(t, t.find("‘").unwrap() + 3));
        let t = "She called it ‘freedom’ often.";
        assert!(!use_mention_before(t, t.find("‘").unwrap() + 3));
    }
}
