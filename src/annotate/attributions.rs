//! Attribution cues: who says, reports or claims something. A cue is a
//! speech or report verb with its subject ("X said", "said X", "X told
//! Reuters", "state television reported"), "according to X", or a passive
//! "as demanded by X"; each resolves to source entities (pronouns to the
//! most recent compatible one, unnamed sources to a described source).

use super::entities::{country_by_capital, is_cap, Scope, Tok};
use super::gazetteer::{GROUP, ORG, PERSON, PLACE, SPEECH_VERB_SET};
use super::quotes::Span;
use crate::text::slugify;

/// A paragraph being annotated.
pub struct Para<'a> {
    pub id: &'a str,
    pub text: &'a str,
    pub toks: Vec<Tok>,
    pub quotes: Vec<Span>,
    /// (start, end, entity id), in text order.
    pub mentions: Vec<(usize, usize, String)>,
}

impl Para<'_> {
    fn w(&self, i: usize) -> &str {
        &self.text[self.toks[i].start..self.toks[i].end]
    }

    /// Is byte `pos` inside a quotation?
    pub fn in_quote(&self, pos: usize) -> bool {
        self.quotes.iter().any(|q| pos >= q.start && pos < q.end)
    }
}

/// One attribution cue.
#[derive(Debug, Clone, PartialEq)]
pub struct Cue {
    pub start: usize,
    pub end: usize,
    pub verb_start: usize,
    pub verb_end: usize,
    /// Source entity ids, in text order.
    pub sources: Vec<String>,
    /// The words naming the source ("he", "UN envoy X").
    pub mention: String,
    /// Agencies relaying the statement ("told AFP"): (start, end, id).
    pub relays: Vec<(usize, usize, String)>,
}

/// The running context of an article: the last person and the last
/// non-person source named, for pronouns.
#[derive(Debug, Default, Clone)]
pub struct Context {
    pub last_person: Option<String>,
    pub last_actor: Option<String>,
}

/// Words between a source and its speech verb (with `text::WEEKDAYS`).
const AUX: &[&str] = &[
    "has",
    "have",
    "had",
    "was",
    "were",
    "is",
    "are",
    "been",
    "be",
    "also",
    "later",
    "earlier",
    "then",
    "openly",
    "already",
    "repeatedly",
    "again",
    "previously",
    "still",
    "reportedly",
    "subsequently",
    "kept",
    "would",
    "will",
    "could",
    "may",
    "might",
    "must",
    "can",
    "did",
    "does",
    "do",
    "not",
    "never",
    "just",
    "recently",
    "separately",
    "publicly",
    "consistently",
    "immediately",
    "late",
    "on",
    "last",
    "night",
    "yesterday",
    "today",
    "once",
    "morning",
    "evening",
    "afternoon",
    "week",
    "month",
    "year",
    "this",
    "had",
    "initially",
    "first",
    "finally",
    "recently",
    "widely",
    "strongly",
    "deep",
    "deeply",
    "allegedly",
    "apparently",
    "privately",
    "quickly",
    "angrily",
];

const BOUNDARY_WORDS: &[&str] = &[
    "that",
    "but",
    "But",
    "while",
    "While",
    "as",
    "As",
    "because",
    "although",
    "when",
    "When",
    "after",
    "After",
    "before",
    "since",
    "if",
    "If",
    "who",
    "which",
    "where",
    "whereas",
    "so",
    "yet",
    "However",
    "however",
    "Meanwhile",
    "meanwhile",
    "and",
    "And",
    "than",
];

/// Nouns that describe an unnamed source ("a journalist said").
const SOURCE_NOUNS: &[&str] = &[
    "source",
    "sources",
    "official",
    "officials",
    "resident",
    "residents",
    "witness",
    "witnesses",
    "activist",
    "activists",
    "diplomat",
    "diplomats",
    "analyst",
    "analysts",
    "expert",
    "experts",
    "reporter",
    "reporters",
    "journalist",
    "journalists",
    "correspondent",
    "observers",
    "monitor",
    "monitors",
    "medic",
    "medics",
    "doctor",
    "doctors",
    "police",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "powers",
    "critics",
    "aides",
    "insiders",
    "campaigners",
    "researchers",
    "scientists",
    "economists",
    "investors",
    "traders",
    "workers",
    "people",
];

/// Common nouns that may end a subject ("a reporter in the city said").
const HEADS: &[&str] = &[
    "city",
    "town",
    "area",
    "region",
    "country",
    "group",
    "statement",
    "resolution",
    "report",
    "council",
    "committee",
    "forces",
    "countries",
    "people",
    "team",
    "party",
    "union",
    "company",
    "firm",
    "club",
    "board",
    "court",
    "police",
    "army",
    "office",
    "department",
    "spokesman",
    "spokeswoman",
];

/// Verbs that are often nouns ("reports of", "calls for"): a cue only after a name or pronoun.
const NOUNISH: &[&str] = &[
    "reports",
    "claims",
    "calls",
    "notes",
    "states",
    "demands",
    "estimates",
    "claim",
    "say",
    "tell",
    "promised",
    "suggested",
    "continued",
    "called",
    "quoted",
    "cited",
];

fn is_pronoun(w: &str) -> Option<&'static str> {
    match w {
        "he" | "He" | "she" | "She" => Some(PERSON),
        "it" | "It" | "they" | "They" => Some(ORG),
        _ => None,
    }
}

/// Sentence spans of a paragraph; no break inside a quotation, after an
/// abbreviation ("U.N.") or an initial.
pub fn sentences(p: &Para) -> Vec<(usize, usize)> {
    let t = p.text;
    let mut out = Vec::new();
    let mut start = 0;
    for (i, stop) in t.match_indices(['.', '!', '?']) {
        // Skip closing marks after the stop.
        let after_marks = t[i + 1..].trim_start_matches(['”', '’', '"', '\'', ')']);
        if !after_marks.starts_with(char::is_whitespace) {
            continue;
        }
        let marks_end = t.len() - after_marks.len();
        let last_mark = t[..marks_end].char_indices().next_back().map_or(i, |(x, _)| x);
        let next = after_marks.trim_start_matches(char::is_whitespace);
        let ni = t.len() - next.len();
        let Some(nc) = next.chars().next() else { continue };
        if !(nc.is_uppercase() || nc.is_ascii_digit() || matches!(nc, '“' | '‘' | '"' | '\'')) {
            continue;
        }
        let inside = p
            .quotes
            .iter()
            .any(|q| i >= q.start && i < q.end && q.end > last_mark + 1);
        if inside {
            continue;
        }
        let word_start = t[..i]
            .char_indices()
            .rev()
            .find(|(_, c)| c.is_whitespace())
            .map_or(0, |(x, c)| x + c.len_utf8());
        let word = &t[word_start..i];
        let abbrev = word.len() <= 3 && word.chars().next().is_some_and(char::is_uppercase) && stop == "."
            || word.contains('.')
            || matches!(
                word,
                "Mr" | "Mrs" | "Ms" | "Dr" | "Gen" | "Lt" | "Col" | "St" | "No" | "Sgt" | "Capt" | "Prof"
            );
        if abbrev && !word.chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        out.push((start, ni));
        start = ni;
    }
    if start < t.len() {
        out.push((start, t.len()));
    }
    out
}

/// Finds the cues of a paragraph, in text order, updating `ctx` as it reads.
pub fn cues(p: &Para, reg: &mut Scope, ctx: &mut Context) -> Vec<Cue> {
    let mut out = Vec::new();
    let sents = sentences(p);
    let mut seen_mentions = 0;
    let n = p.toks.len();
    let mut i = 0;
    while i < n {
        let t = p.toks[i];
        // Update the context with the names read so far (outside quotes).
        while seen_mentions < p.mentions.len() && p.mentions[seen_mentions].0 < t.start {
            let (s, _, id) = &p.mentions[seen_mentions];
            if !p.in_quote(*s) {
                note(reg, ctx, id, false);
            }
            seen_mentions += 1;
        }
        if p.in_quote(t.start) {
            i += 1;
            continue;
        }
        let w = p.w(i);
        let cue = if (w == "according" || w == "According") && i + 1 < n && p.w(i + 1) == "to" {
            forward(p, reg, i + 2).map(|(end, srcs, m)| (t.start, end, srcs, m))
        } else if is_speech_verb(p, i) {
            let passive = i + 1 < n
                && p.w(i + 1) == "by"
                && i >= 1
                && matches!(p.w(i - 1), "as" | "was" | "were" | "been" | "be" | "is");
            if passive {
                forward(p, reg, i + 2).map(|(end, srcs, m)| (p.toks[i - 1].start, end, srcs, m))
            } else if inverted(p, i) {
                forward(p, reg, i + 1)
                    .map(|(end, srcs, m)| (t.start, end, srcs, m))
                    .or_else(|| backward(p, reg, ctx, i).map(|(s, srcs, m)| (s, t.end, srcs, m)))
            } else {
                backward(p, reg, ctx, i).map(|(s, srcs, m)| (s, t.end, srcs, m))
            }
        } else {
            None
        };
        if let Some((start, end, sources, mention)) = cue {
            let sent_start = sents.iter().rev().find(|x| x.0 <= t.start).map_or(0, |x| x.0);
            let repeat = out
                .last()
                .is_some_and(|c: &Cue| c.sources == sources && c.start >= sent_start && c.verb_start != t.start);
            if !sources.is_empty() && !repeat {
                for s in &sources {
                    note(reg, ctx, s, true);
                }
                let relays = if w.eq_ignore_ascii_case("according") {
                    Vec::new()
                } else {
                    relays(p, reg, i)
                };
                out.push(Cue {
                    start,
                    end,
                    verb_start: t.start,
                    verb_end: t.end,
                    sources,
                    mention,
                    relays,
                });
            }
        }
        i += 1;
    }
    while seen_mentions < p.mentions.len() {
        let (s, _, id) = &p.mentions[seen_mentions];
        if !p.in_quote(*s) {
            note(reg, ctx, id, false);
        }
        seen_mentions += 1;
    }
    out
}

fn note(reg: &Scope, ctx: &mut Context, id: &str, as_source: bool) {
    match reg.kind(id) {
        PERSON => ctx.last_person = Some(id.to_string()),
        ORG | GROUP if as_source => ctx.last_actor = Some(id.to_string()),
        _ => {}
    }
}

fn is_speech_verb(p: &Para, i: usize) -> bool {
    let w = p.w(i);
    let lower: std::borrow::Cow<str> = if w.bytes().all(|b| b.is_ascii_lowercase()) {
        w.into()
    } else {
        w.to_lowercase().into()
    };
    if !SPEECH_VERB_SET.contains(&lower) {
        return false;
    }
    if is_cap(w) {
        // Only "Said X" opening a sentence.
        return lower == "said" && (i == 0 || matches!(p.w(i - 1), "." | "”" | "\""));
    }
    if NOUNISH.contains(&w) {
        let prev = if i > 0 { p.w(i - 1) } else { "" };
        let next = if i + 1 < p.toks.len() { p.w(i + 1) } else { "." };
        if matches!(next, "." | "," | ";" | ":" | "of") {
            return false;
        }
        let after_name = i > 0 && p.mentions.iter().any(|m| m.1 == p.toks[i - 1].end);
        let _ = after_name;
        return is_cap(prev) && !matches!(prev, "The" | "A")
            || SOURCE_NOUNS.contains(&prev)
            || is_pronoun(prev).is_some()
            || matches!(
                prev,
                "media" | "television" | "TV" | "agency" | "officials" | "sources" | "ministry"
            );
    }
    // "the so-called", "a said", "to say" are not cues.
    !(i > 0 && matches!(p.w(i - 1), "to" | "the" | "a" | "an"))
}

/// Is the verb at `i` in a tag that follows its quotation ("...,” said X")
/// or opens a sentence ("Said X, ...")?
fn inverted(p: &Para, i: usize) -> bool {
    if i == 0 {
        return true;
    }
    let prev = p.w(i - 1);
    if matches!(prev, "”" | "\"" | "’" | ".") {
        return true;
    }
    if prev == "," && i >= 2 && matches!(p.w(i - 2), "”" | "\"" | "’") {
        return true;
    }
    // "..., said the ministry." after a clause: verb then a name.
    prev == ","
        && matches!(p.w(i), "said" | "says" | "added" | "adds")
        && i + 1 < p.toks.len()
        && (is_cap(p.w(i + 1)) || matches!(p.w(i + 1), "the" | "a" | "an"))
        && !(i + 2 < p.toks.len() && p.w(i + 1) == "the" && p.w(i + 2) == "deal")
}

const NP_LOWER: &[&str] = &[
    "the",
    "a",
    "an",
    "of",
    "for",
    "and",
    "state",
    "media",
    "television",
    "news",
    "agency",
    "foreign",
    "defence",
    "defense",
    "interior",
    "ministry",
    "statement",
    "army",
    "military",
    "government",
    "security",
    "humanitarian",
    "estimates",
    "reports",
    "figures",
    "data",
    "group",
    "rebel",
    "opposition",
    "diplomatic",
    "local",
    "senior",
    "top",
    "former",
    "general",
    "as",
    "well",
    "its",
    "his",
    "her",
    "their",
    "both",
    "several",
    "co-ordinator",
];

/// Source after a cue word ("said X", "according to X", "by X"): (end, sources, mention).
fn forward(p: &Para, reg: &mut Scope, from: usize) -> Option<(usize, Vec<String>, String)> {
    let n = p.toks.len();
    let mut j = from;
    let mut last = None;
    let mut last_good = None;
    while j < n && j < from + 14 {
        let w = p.w(j);
        let stop = matches!(
            w,
            "that"
                | "on"
                | "late"
                | "earlier"
                | "at"
                | "when"
                | "after"
                | "before"
                | "while"
                | "who"
                | "which"
                | "because"
                | "in"
                | "to"
                | "from"
                | "with"
                | "referring"
                | "speaking"
                | "adding"
                | "last"
                | "this"
                | "during"
                | "about"
                | "it"
                | "he"
                | "she"
                | "they"
                | "was"
                | "is"
                | "were"
                | "had"
                | "has"
        ) || w == "as" && !(j + 1 < n && p.w(j + 1) == "well");
        // "Deputy Foreign Minister, Sergei Ryabkov": a title then the name.
        let title_comma = w == ","
            && last.is_some()
            && j + 1 < n
            && is_cap(p.w(j + 1))
            && super::gazetteer::TITLE_SET.contains(p.w(j - 1));
        let wordy = w.chars().next().is_some_and(|c| c.is_alphanumeric()) || w == "’s" || w == "'s";
        if stop || !(wordy || title_comma) || p.in_quote(p.toks[j].start) {
            break;
        }
        if super::entities::is_name_word(w)
            || super::gazetteer::ROLE_SET.contains(w)
            || NP_LOWER.contains(&w) && w.len() > 3
        {
            last_good = Some(j);
        }
        last = Some(j);
        j += 1;
    }
    let _ = last;
    // Drop trailing function words.
    let mut e = last_good?;
    while e > from
        && matches!(
            p.w(e),
            "the" | "a" | "an" | "of" | "for" | "and" | "as" | "well" | "’s" | "'s"
        )
    {
        e -= 1;
    }
    let (s, end) = (p.toks[from].start, p.toks[e].end);
    let np = &p.text[s..end];
    let coord = np.contains(" and ") || np.contains(" as well as ");
    let srcs = pick(p, reg, s, end, coord, false);
    let srcs = if srcs.is_empty() {
        unnamed(p, reg, from, e + 1)
    } else {
        srcs
    };
    if srcs.is_empty() {
        return None;
    }
    Some((end, srcs, np.to_string()))
}

/// Subject before the verb at `i`: (start, sources, mention).
fn backward(p: &Para, reg: &mut Scope, ctx: &Context, i: usize) -> Option<(usize, Vec<String>, String)> {
    let mut e = i; // exclusive end of the subject
    while e > 0 && (AUX.contains(&p.w(e - 1)) || crate::text::WEEKDAYS.contains(&p.w(e - 1))) {
        e -= 1;
    }
    let clause_start = |to: usize| -> usize {
        let mut k = to;
        while k > 0 {
            let w = p.w(k - 1);
            if matches!(w, "as") && k >= 3 && p.w(k - 2) == "well" && p.w(k - 3) == "as" {
                k -= 3;
                continue;
            }
            if matches!(
                w,
                "," | ";" | ":" | "”" | "“" | "\"" | "(" | ")" | "—" | "–" | "." | "’" | "‘"
            ) || BOUNDARY_WORDS.contains(&w) && !(matches!(w, "and" | "And") && coordinated(p, k - 1))
                || p.in_quote(p.toks[k - 1].start)
                || SPEECH_VERB_SET.contains(w)
            {
                break;
            }
            k -= 1;
        }
        k
    };
    if e > 0 && e == i {
        let last = p.w(e - 1);
        let in_mention = p.mentions.iter().any(|m| m.1 == p.toks[e - 1].end);
        let ok = in_mention
            || super::entities::is_name_word(last)
            || is_pronoun(last).is_some()
            || SOURCE_NOUNS.contains(&last)
            || super::gazetteer::ROLE_SET.contains(last)
            || NP_LOWER.contains(&last)
            || HEADS.contains(&last)
            || matches!(last, "," | "”" | "’");
        if !ok {
            return None;
        }
    }
    let mut s = clause_start(e);
    let mut mention_start = s;
    if s == e && e > 0 && p.w(e - 1) == "," {
        // "X, head of Y, said": the subject is before the apposition.
        let mut app = e - 1;
        while app > 0 && e - app < 16 && !matches!(p.w(app - 1), "," | "." | ";" | "”" | "“" | ":") {
            app -= 1;
        }
        if app >= 2 && p.w(app - 1) == "," && super::entities::is_name_word(p.w(app - 2)) {
            let subj = clause_start(app - 1);
            mention_start = subj;
            s = subj;
            e = app - 1;
        } else {
            return None;
        }
    }
    // "The UN, as well as X have said": both.
    let mut coord = false;
    if s >= 2 && p.w(s - 1) == "," && (s + 2 < e && p.w(s) == "as" && p.w(s + 1) == "well") {
        let prev = clause_start(s - 1);
        mention_start = prev;
        s = prev;
        coord = true;
    }
    if s >= e {
        return None;
    }
    let end_byte = if mention_start < s || e < i {
        p.toks[e.max(s + 1) - 1].end
    } else {
        p.toks[e - 1].end
    };
    let start_byte = p.toks[mention_start].start;
    let words: Vec<&str> = (s..e).map(|k| p.w(k)).collect();
    // A pronoun subject.
    let content: Vec<&str> = words
        .iter()
        .copied()
        .filter(|w| !matches!(*w, "However" | "But" | "And" | "So" | "Then"))
        .collect();
    if content.len() == 1 {
        if let Some(kind) = is_pronoun(content[0]) {
            let id = if kind == PERSON {
                ctx.last_person.clone()
            } else {
                ctx.last_actor.clone()
            }?;
            let k = (s..e).find(|&k| p.w(k) == content[0]).unwrap_or(s);
            return Some((p.toks[k].start, vec![id], content[0].to_string()));
        }
    }
    if words.len() > 14 {
        return None;
    }
    let np = &p.text[start_byte..end_byte.max(start_byte)];
    let coord = coord || words.contains(&"and") || np.contains(" as well as ");
    let mut srcs = pick(p, reg, start_byte, p.toks[i].start, coord, true);
    if srcs.is_empty() {
        srcs = unnamed(p, reg, s, e);
    }
    if srcs.is_empty() {
        return None;
    }
    Some((start_byte, srcs, np.trim().to_string()))
}

/// Is the `and` at token `k` joining two names ("Turkey and Russia")?
fn coordinated(p: &Para, k: usize) -> bool {
    k >= 1 && k + 1 < p.toks.len() && is_cap(p.w(k - 1)) && (is_cap(p.w(k + 1)) || p.w(k + 1) == "the")
}

/// The source entities named between bytes `s` and `e`: every actor when
/// coordinated, else the best one (a person, the last one before a verb,
/// then an organisation or group, then a country; capitals stand for their
/// country).
fn pick(p: &Para, reg: &Scope, s: usize, e: usize, coord: bool, last: bool) -> Vec<String> {
    let mut cands: Vec<(u8, String)> = Vec::new();
    for (ms, me, id) in &p.mentions {
        if *ms < s || *me > e {
            continue;
        }
        let Some(ent) = reg.get(id) else { continue };
        let rank = match ent.kind.as_str() {
            PERSON => 0,
            ORG | GROUP => 1,
            PLACE if ent.country == ent.name => 2,
            PLACE => match country_by_capital(&ent.name) {
                Some(c) => {
                    let cid = slugify(c.name, 60);
                    cands.push((2, cid));
                    continue;
                }
                None => continue,
            },
            _ => 3,
        };
        cands.push((rank, id.clone()));
    }
    let mut out: Vec<String> = Vec::new();
    if coord {
        for (_, id) in &cands {
            if !out.contains(id) {
                out.push(id.clone());
            }
        }
        // Coordinated names beside a person are the person's affiliation.
        if cands.iter().filter(|c| c.0 == 0).count() == 1 && cands.len() > 1 && !p.text[s..e].contains(" and ") {
            out.retain(|id| reg.kind(id) == PERSON);
        }
        return out;
    }
    if let Some(best) = cands.iter().map(|c| c.0).min() {
        let mut best_ones = cands.iter().filter(|c| c.0 == best);
        let chosen = if last && best == 0 {
            best_ones.next_back()
        } else {
            best_ones.next()
        };
        if let Some((_, id)) = chosen {
            out.push(id.clone());
        }
    }
    out
}

/// A described source with no name ("a journalist", "sources"): registers
/// "unnamed <description>" and returns its id.
fn unnamed(p: &Para, reg: &mut Scope, s: usize, e: usize) -> Vec<String> {
    let words: Vec<&str> = (s..e).map(|k| p.w(k)).collect();
    let Some(h) = words
        .iter()
        .position(|w| SOURCE_NOUNS.contains(&w.to_lowercase().as_str()))
    else {
        // "an SFA statement": an organisation the gazetteer does not know.
        let st = words
            .iter()
            .position(|w| matches!(*w, "statement" | "spokesman" | "spokeswoman" | "spokesperson"));
        if let Some(st) = st {
            let mut a = st;
            while a > 0 && super::entities::is_name_word(words[a - 1]) {
                a -= 1;
            }
            if a < st && !words[a..st].iter().any(|w| super::gazetteer::is_not_name(w)) {
                return vec![reg.add(&words[a..st].join(" "), ORG)];
            }
        }
        return Vec::new();
    };
    let mut a = h;
    while a > 0
        && h - a < 2
        && words[a - 1].chars().all(|c| c.is_lowercase() || c == '-')
        && !matches!(
            words[a - 1],
            "a" | "an"
                | "the"
                | "some"
                | "many"
                | "two"
                | "several"
                | "other"
                | "another"
                | "of"
                | "what"
                | "and"
                | "or"
                | "to"
                | "in"
                | "that"
                | "which"
                | "who"
                | "any"
                | "its"
                | "their"
                | "his"
                | "her"
                | "on"
        )
    {
        a -= 1;
    }
    let desc: Vec<String> = words[a..=h].iter().map(|w| w.to_lowercase()).collect();
    // "Residents in Homs": described by the place.
    let (hs, he) = (p.toks[s + h].end, p.toks[e - 1].end);
    let place = p.mentions.iter().find(|m| {
        m.0 >= hs && m.1 <= he && reg.kind(&m.2) == PLACE && matches!(words.get(h + 1), Some(&"in" | &"from" | &"of"))
    });
    let name = match place {
        Some(m) => format!("{} {}", reg.get(&m.2).expect("a place").name, desc.join(" ")),
        None => format!("unnamed {}", desc.join(" ")),
    };
    vec![reg.add(&name, GROUP)]
}

/// Agencies relaying a statement: "told AFP", "confirmed ... to Reuters".
fn relays(p: &Para, reg: &Scope, verb: usize) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let vend = p.toks[verb].end;
    let limit = p.toks.get(verb + 8).map_or(p.text.len(), |t| t.end);
    for (ms, me, id) in &p.mentions {
        if *ms < vend || *ms > limit || !reg.get(id).is_some_and(|e| e.media) {
            continue;
        }
        let between = p.text[vend..*ms].trim();
        let told = p.w(verb) == "told" && matches!(between, "" | "the");
        let to = between.ends_with(" to") || between == "to" || between.ends_with(" to the");
        if (told || to) && !between.contains(['.', ',', '“', '”']) {
            let end = if p.text[*me..].starts_with(" news agency") {
                me + 12
            } else {
                *me
            };
            out.push((p.toks[verb].start, end, id.clone()));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::annotate::entities::tokens;
    use crate::annotate::entities::Registry;
    use crate::annotate::quotes;
    use std::collections::BTreeMap;

    fn para<'a>(text: &'a str, reg: &Registry) -> Para<'a> {
        Para {
            id: "p1",
            text,
            toks: tokens(text),
            quotes: quotes::spans(text),
            mentions: reg.find(text),
        }
    }

    fn registry(texts: &[&str]) -> Registry {
        let mut r = Registry::new(&[]);
        let mut f = BTreeMap::new();
        for t in texts {
            super::super::entities::discover(t, &mut f);
        }
        r.absorb(&f);
        r
    }

    fn srcs(text: &str) -> Vec<(String, Vec<String>)> {
        let reg = registry(&[text]);
        let p = para(text, &reg);
        let mut ctx = Context::default();
        cues(&p, &mut Scope::new(&reg), &mut ctx)
            .into_iter()
            .map(|c| (text[c.start..c.end].to_string(), c.sources))
            .collect()
    }

    #[test]
    fn x_said_and_said_x() {
        assert_eq!(
            srcs("Water Minister Ivo Brandt said the dam was safe."),
            [(
                "Water Minister Ivo Brandt said".to_string(),
                vec!["ivo-brandt".to_string()]
            )]
        );
        let s = srcs("“The dam is safe,” said harbour master Lena Kovac.");
        assert_eq!(s[0].1, ["lena-kovac"]);
        assert_eq!(s[0].0, "said harbour master Lena Kovac");
    }

    #[test]
    fn according_to_and_coordinated_sources() {
        let s = srcs("Prices rose, according to Reuters.");
        assert_eq!(s[0].1, ["reuters"]);
        let s = srcs("Norway and Sweden said on Friday they agreed.");
        assert_eq!(s[0].1, ["norway", "sweden"]);
    }

    #[test]
    fn apposition_and_relaying_agency() {
        let text = "“We left,” Omar Haddad, a member of the Farmers Council, told AFP news agency.";
        let reg = registry(&[text]);
        let p = para(text, &reg);
        let c = cues(&p, &mut Scope::new(&reg), &mut Context::default());
        assert_eq!(c[0].sources, ["omar-haddad"]);
        assert_eq!(c[0].relays.len(), 1);
        assert_eq!(c[0].relays[0].2, "afp");
    }

    #[test]
    fn pronouns_resolve_to_the_last_compatible_name() {
        let text = "Health Minister Rosa Diaz visited Lima. She said the clinic would open. The Red Cross was there and it added that aid was ready.";
        let reg = registry(&[text, "The International Committee of the Red Cross works here."]);
        let p = para(text, &reg);
        let mut ctx = Context::default();
        let c = cues(&p, &mut Scope::new(&reg), &mut ctx);
        assert_eq!(c[0].sources, ["rosa-diaz"]);
        assert_eq!(c[0].mention, "She");
        // "it" needs an earlier non-person source; none was a source here.
        assert_eq!(c.len(), 1, "{c:?}");
    }

    #[test]
    fn unnamed_sources_are_described_not_guessed() {
        let s = srcs("A local journalist said the road was closed.");
        assert_eq!(s[0].1, ["unnamed-local-journalist"]);
        let s = srcs("On Monday sources said that the talks failed.");
        assert_eq!(s[0].1, ["unnamed-sources"]);
    }

    #[test]
    fn nouns_and_infinitives_are_not_cues() {
        assert!(srcs("There were reports of shelling and calls for calm.").is_empty());
        assert!(srcs("The mayor refused to say more about the plan.").is_empty());
        assert!(srcs("The river said nothing.").is_empty());
    }

    #[test]
    fn state_media_and_monitors() {
        let text = "Troops advanced in Homs, state television reported. Nine died, the Syrian Observatory for Human Rights monitor said.";
        let reg = registry(&[text]);
        let mut scope = Scope::new(&reg);
        let mut p = para(text, &reg);
        let main = super::super::entities::country_by_word("Syria");
        for g in super::super::entities::generated(text, main, &|_| None) {
            let id = scope.add(&g.2, g.3);
            scope.describe(&id, g.4, g.5);
            p.mentions.push((g.0, g.1, id));
        }
        p.mentions.sort();
        let c = cues(&p, &mut scope, &mut Context::default());
        let ids: Vec<&str> = c.iter().map(|c| c.sources[0].as_str()).collect();
        assert_eq!(ids, ["syrian-state-media", "syrian-observatory-for-human-rights"]);
    }

    #[test]
    fn sentences_respect_quotes_and_abbreviations() {
        let reg = registry(&[]);
        let text = "The U.N. envoy spoke. “We will stay. We must,” he said. Then he left.";
        let p = para(text, &reg);
        let s: Vec<&str> = sentences(&p).into_iter().map(|(a, b)| text[a..b].trim()).collect();
        assert_eq!(
            s,
            [
                "The U.N. envoy spoke.",
                "“We will stay. We must,” he said.",
                "Then he left."
            ]
        );
    }
}
