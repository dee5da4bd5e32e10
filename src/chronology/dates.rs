//! Date expressions: finding them in a paragraph and resolving them against
//! a publication date.
//!
//! Finding is purely textual ([`find`]); resolution ([`resolve`]) needs the
//! publication date and, for anaphoric forms like "later in the day", the
//! last day-level date resolved before the expression.

use std::sync::OnceLock;

use compact_str::format_compact;
use regex::{Regex, RegexSet, SetMatches};
use serde::{Deserialize, Serialize};

use crate::model::Short;

/// A calendar day as (year, month, day), compared chronologically.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize)]
pub struct Day {
    pub y: i32,
    pub m: u32,
    pub d: u32,
}

impl Day {
    /// A valid calendar day, or None.
    pub fn new(y: i32, m: u32, d: u32) -> Option<Day> {
        ((1..=12).contains(&m) && d >= 1 && d <= days_in_month(y, m)).then_some(Day { y, m, d })
    }
    /// Parses `YYYY-MM-DD`.
    pub fn parse(s: &str) -> Option<Day> {
        let mut it = s.get(..10)?.split('-');
        let y = it.next()?.parse().ok()?;
        let m = it.next()?.parse().ok()?;
        let d = it.next()?.parse().ok()?;
        Day::new(y, m, d)
    }
    /// Days since 1970-01-01.
    pub fn num(self) -> i64 {
        let y = if self.m <= 2 { self.y - 1 } else { self.y } as i64;
        let era = y.div_euclid(400);
        let yoe = y - era * 400;
        let m = self.m as i64;
        let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + self.d as i64 - 1;
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
        era * 146097 + doe - 719468
    }
    /// The day `n` days since 1970-01-01.
    pub fn from_num(n: i64) -> Day {
        let z = n + 719468;
        let era = z.div_euclid(146097);
        let doe = z - era * 146097;
        let yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
        let mp = (5 * doy + 2) / 153;
        let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
        let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
        let y = (yoe + era * 400 + if m <= 2 { 1 } else { 0 }) as i32;
        Day { y, m, d }
    }
    pub fn plus_days(self, days: i64) -> Day {
        Day::from_num(self.num() + days)
    }
    /// 0 = Monday ... 6 = Sunday.
    pub fn weekday(self) -> u32 {
        (self.num() + 3).rem_euclid(7) as u32
    }
    /// First day of the month `k` months from this day's month.
    pub fn add_months(self, k: i32) -> (i32, u32) {
        let idx = self.y * 12 + self.m as i32 - 1 + k;
        (idx.div_euclid(12), idx.rem_euclid(12) as u32 + 1)
    }
    pub fn iso(self) -> Short {
        format_compact!("{:04}-{:02}-{:02}", self.y, self.m, self.d)
    }
}

impl std::fmt::Display for Day {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&self.iso())
    }
}

pub fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if (y % 4 == 0 && y % 100 != 0) || y % 400 == 0 => 29,
        2 => 28,
        _ => 0,
    }
}

/// Calendar unit of a relative expression.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
pub enum Unit {
    Day,
    Week,
    Month,
    Year,
}

/// What a date expression says, before resolution.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub enum Expr {
    /// A day of a month, with the year and weekday when written.
    Date {
        year: Option<i32>,
        month: u32,
        day: u32,
        weekday: Option<u32>,
    },
    /// A month, with the year when written ("in September", "December 2016").
    Month { year: Option<i32>, month: u32 },
    /// A year ("in 2011", "since 2012").
    Year(i32),
    /// A bare weekday; `shift` is -1 for "last", +1 for "next", 0 otherwise.
    Weekday { weekday: u32, shift: i32 },
    /// Offset from the publication date in a unit ("yesterday", "last month").
    Relative { unit: Unit, offset: i32 },
    /// The day of the previous day-level date, plus an offset
    /// ("later in the day", "the next day").
    SameDay { offset: i32 },
}

impl Expr {
    /// Whether resolving needs the publication date.
    pub fn needs_reference(&self) -> bool {
        !matches!(
            self,
            Expr::Date { year: Some(_), .. } | Expr::Month { year: Some(_), .. } | Expr::Year(_)
        )
    }
}

/// A date expression found in a paragraph.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Found {
    /// Byte span in the paragraph text.
    pub start: usize,
    pub end: usize,
    pub expr: Expr,
    /// The clause before the expression speaks of the future ("would begin").
    pub future: bool,
    /// Inside quotation marks (reported speech: "today" is the day it was said).
    pub in_quote: bool,
    /// A clock time written with the date ("5am local time [03:00 GMT]").
    pub time: Option<String>,
}

/// A resolved expression: the first day it covers, its ISO value and granularity.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Resolved {
    pub first: Day,
    pub value: Short,
    pub granularity: &'static str,
}

/// A resolved expression without its ISO value (see [`resolve_period`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Period {
    pub first: Day,
    pub granularity: &'static str,
}

impl Period {
    fn day(d: Day) -> Period {
        Period {
            first: d,
            granularity: "day",
        }
    }
    fn month(y: i32, m: u32) -> Period {
        Period {
            first: Day { y, m, d: 1 },
            granularity: "month",
        }
    }
    fn year(y: i32) -> Period {
        Period {
            first: Day { y, m: 1, d: 1 },
            granularity: "year",
        }
    }
}

const MONTHS: [&str; 12] = [
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
];
const WEEKDAYS: [&str; 7] = [
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Month number of a full or abbreviated month name (case-insensitive).
pub fn month_number(s: &str) -> Option<u32> {
    let s = s.trim_end_matches('.').to_ascii_lowercase();
    if s.len() < 3 {
        return None;
    }
    if s == "sept" {
        return Some(9);
    }
    MONTHS
        .iter()
        .position(|m| *m == s || (s.len() == 3 && m.starts_with(&s)))
        .map(|i| i as u32 + 1)
}

/// Weekday number (0 = Monday) of a weekday name (case-insensitive).
pub fn weekday_number(s: &str) -> Option<u32> {
    let s = s.to_ascii_lowercase();
    WEEKDAYS.iter().position(|w| *w == s).map(|i| i as u32)
}

const MON: &str = r"(?:January|February|March|April|May|June|July|August|September|October|November|December|(?:Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sept|Sep|Oct|Nov|Dec)\.?)";
const MON_FULL: &str = r"(?:January|February|March|April|May|June|July|August|September|October|November|December)";
const WD: &str = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday)";
/// Words that may open a date expression and belong to its span.
const LEAD: &str = r"(?:(?:[Ll]ate|[Ee]arly|[Ee]arlier|[Ll]ater|[Ee]nd|[Ss]tart|[Mm]id(?:dle)?) (?:on |in |of )?|(?:[Oo]n|[Ii]n|[Ss]ince|[Bb]y|[Uu]ntil|[Tt]ill|[Ff]rom|[Bb]efore|[Aa]fter|[Dd]uring|[Tt]hrough) )";

/// The kinds of date pattern, in the order of [`Patterns::regexes`].
#[derive(Clone, Copy)]
enum Kind {
    Iso,
    Dmy,
    DayMonth,
    MonthDay,
    Glued,
    MonthYear,
    Month,
    Year,
    Weekday,
    Relative,
    Deictic,
    SameDay,
    Ago,
    Another,
    Time,
}

struct Patterns {
    /// One regex per [`Kind`].
    regexes: [Regex; 15],
    /// All of them, to learn in one pass which have a match in a text.
    set: RegexSet,
}

/// The patterns that find the same dates in `text` as written (see [`WordRegex`]).
fn patterns(text: &str) -> &'static Patterns {
    static UNICODE: OnceLock<Patterns> = OnceLock::new();
    static ASCII: OnceLock<Patterns> = OnceLock::new();
    if unicode_words(text) {
        UNICODE.get_or_init(|| Patterns::new(false))
    } else {
        ASCII.get_or_init(|| Patterns::new(true))
    }
}

impl Patterns {
    fn new(ascii_boundaries: bool) -> Patterns {
        let re = |s: String| compile(&s, ascii_boundaries);
        let regexes = [
            // Kind::Iso
            re(r"\b(\d{4})-(\d{2})-(\d{2})\b".into()),
            // Kind::Dmy
            re(r"\b(\d{2})([-.])(\d{2})[-.](\d{4})".into()),
            // Kind::DayMonth
            re(format!(
                r"\b{LEAD}?(?:(?:the )?({WD}),? )?(?:the )?(\d{{1,2}})(?:st|nd|rd|th)? (?:of )?({MON})(?:,? (\d{{4}}))?(?:\b|$)"
            )),
            // Kind::MonthDay
            re(format!(
                r"\b{LEAD}?(?:({WD}),? )?({MON}) (\d{{1,2}})(?:st|nd|rd|th)?(?:,? (\d{{4}}))?\b"
            )),
            // "Jul 012016": a "Mon DD, YYYY" date whose comma and space were lost.
            // Kind::Glued
            re(format!(r"\b({MON}) (\d{{2}})((?:19|20)\d\d)\b")),
            // Kind::MonthYear
            re(format!(r"\b{LEAD}?({MON_FULL}|{MON}) (?:of )?(\d{{4}})\b")),
            // Kind::Month
            re(format!(
                r"\b(?:(?:[Ii]n|[Ss]ince|[Bb]y|[Uu]ntil|[Tt]ill|[Ff]rom|[Bb]efore|[Aa]fter|[Dd]uring|[Tt]hrough|[Ll]ast|[Nn]ext|[Tt]his|[Ee]arly|[Ll]ate|[Mm]id-|[Ee]nd of|[Ss]tart of|[Bb]eginning of|[Mm]iddle of) )(?:(?:early|late|mid-) )?({MON_FULL})\b"
            )),
            // Kind::Year
            re(
                r"\b(?:[Ii]n|[Ss]ince|[Bb]y|[Uu]ntil|[Tt]ill|[Ff]rom|[Bb]efore|[Aa]fter|[Dd]uring|[Tt]hrough|[Ee]arly|[Ll]ate|[Mm]id-|[Ee]nd of|[Ss]tart of|[Bb]eginning of|[Mm]iddle of|[Ss]ummer of|[Ss]pring of|[Aa]utumn of|[Ww]inter of) (?:(?:early|late|mid-) ?)?((?:19|20)\d\d)\b"
                    .into(),
            ),
            // Kind::Weekday
            re(format!(
                r"\b(?:(?:[Ll]ate|[Ee]arly|[Ee]arlier|[Ll]ater) )?(?:(?:[Oo]n|[Bb]y|[Uu]ntil|[Tt]ill|[Ss]ince|[Ff]rom|[Bb]efore|[Aa]fter|[Ll]ast|[Nn]ext|[Tt]his|[Tt]hat) )?({WD})(?:['’]s)?(?: (?:morning|afternoon|evening|night))?\b"
            )),
            // Kind::Relative
            re(
                r"\b(?:(?:[Ss]ince|[Uu]ntil|[Bb]y|[Ff]rom) )?(?:the (?:start|beginning|end|middle) of )?(?:(?:[Ee]arlier|[Ll]ater|[Ee]arly|[Ll]ate) )?([Tt]his|[Ll]ast|[Nn]ext) (week|month|year)\b"
                    .into(),
            ),
            // Kind::Deictic
            re(
                r"\b(?:(?:[Ee]arlier|[Ll]ater|[Ee]arly|[Ll]ate) )?([Yy]esterday|[Tt]oday|[Tt]onight|[Tt]omorrow|[Tt]his (?:morning|afternoon|evening)|[Ll]ast night)\b"
                    .into(),
            ),
            // Kind::SameDay
            re(
                r"\b(?:(?:[Ll]ater|[Ee]arlier) (?:in|on) the (?:same )?day|(?:[Ll]ater|[Ee]arlier) that day|[Tt]he (?:same|next|following|previous) day|[Tt]he day before)\b"
                    .into(),
            ),
            // Kind::Ago
            re(
                r"\b(a|an|one|two|three|four|five|six|seven|eight|nine|ten|\d{1,2}) (day|week|month|year)s? ago\b".into(),
            ),
            // Kind::Another
            re(r"\b([Aa]nother (week|month|year)) (?:until|before|to go)\b".into()),
            // Kind::Time
            re(
                r"\b(?:at |[Ff]rom |[Bb]y |[Uu]ntil )?(?:around |about )?(\d{1,2})(?::(\d{2}))? ?(am|pm|a\.m\.|p\.m\.)(?: local time)?(?: \[[^\]\n]{1,24}\]| \([^)\n]{1,24}\))?|\b(?:at |[Ff]rom |[Bb]y |[Uu]ntil )(\d{2}):(\d{2})(?: (?:GMT|UTC|local time))?(?: \[[^\]\n]{1,24}\]| \([^)\n]{1,24}\))?"
                    .into(),
            ),
        ];
        let set = RegexSet::new(regexes.iter().map(Regex::as_str)).expect("valid date regexes");
        Patterns { regexes, set }
    }

    /// Captures of the `kind` regex in `text`, none when `hits` (the set's
    /// matches in `text`) says it has none.
    fn captures<'t>(
        &'static self,
        kind: Kind,
        text: &'t str,
        hits: &SetMatches,
    ) -> impl Iterator<Item = regex::Captures<'t>> + use<'t> {
        let k = kind as usize;
        hits.matched(k)
            .then(|| self.regexes[k].captures_iter(text))
            .into_iter()
            .flatten()
    }
}

/// Compiles `pattern`, with its `\b` as ASCII word boundaries if asked.
fn compile(pattern: &str, ascii_boundaries: bool) -> Regex {
    let pattern = if ascii_boundaries {
        pattern.replace(r"\b", r"(?-u:\b)")
    } else {
        pattern.to_string()
    };
    Regex::new(&pattern).expect("valid regex")
}

/// Whether `text` has a non-ASCII word character (a letter, digit or mark).
/// Only then can a Unicode word boundary (`\b`) differ from an ASCII one.
pub fn unicode_words(text: &str) -> bool {
    static RE: OnceLock<Regex> = OnceLock::new();
    !text.is_ascii() && RE.get_or_init(|| compile(r"[\w&&[^\x00-\x7F]]", false)).is_match(text)
}

/// A regex with word boundaries (`\b`), compiled twice: as written, and with
/// ASCII boundaries. Both find the same matches in text without non-ASCII
/// word characters (curly quotes and dashes are not), nearly all news text,
/// where the ASCII one is several times faster: the regex crate's DFAs give
/// up on Unicode boundaries as soon as they meet a non-ASCII byte.
pub struct WordRegex {
    unicode: Regex,
    ascii: Regex,
}

impl WordRegex {
    /// Panics on an invalid pattern.
    pub fn new(pattern: &str) -> WordRegex {
        WordRegex {
            unicode: compile(pattern, false),
            ascii: compile(pattern, true),
        }
    }

    /// The regex to search `text` with.
    pub fn for_text(&self, text: &str) -> &Regex {
        if unicode_words(text) {
            &self.unicode
        } else {
            &self.ascii
        }
    }
}

/// Words after a weekday that make it a name ("Sunday Times").
const WEEKDAY_NAMES_AFTER: &[&str] = &[
    "Times",
    "Telegraph",
    "Mirror",
    "Express",
    "Herald",
    "Post",
    "Mail",
    "Independent",
    "Observer",
    "Tribune",
    "Night Football",
    "Sport",
    "Service",
    "Club",
    "School",
    "Prayers",
    "Sermon",
];
/// Words before a weekday that make it a name ("Bloody Sunday").
const WEEKDAY_NAMES_BEFORE: &[&str] = &[
    "Bloody", "Black", "Good", "Super", "Ash", "Cyber", "Holy", "Palm", "Easter", "Maundy", "Shrove", "Blue",
];

fn word_number(s: &str) -> Option<i32> {
    Some(match s.to_ascii_lowercase().as_str() {
        "a" | "an" | "one" => 1,
        "two" => 2,
        "three" => 3,
        "four" => 4,
        "five" => 5,
        "six" => 6,
        "seven" => 7,
        "eight" => 8,
        "nine" => 9,
        "ten" => 10,
        n => n.parse().ok()?,
    })
}

fn unit(s: &str) -> Unit {
    match s {
        "day" => Unit::Day,
        "week" => Unit::Week,
        "month" => Unit::Month,
        _ => Unit::Year,
    }
}

/// Finds the date expressions of a paragraph, in text order, without overlaps.
pub fn find(text: &str) -> Vec<Found> {
    let p = patterns(text);
    let hits = p.set.matches(text);
    let mut cands: Vec<(usize, usize, Expr)> = Vec::new();
    let year_of = |m: Option<regex::Match>| m.and_then(|y| y.as_str().parse::<i32>().ok());
    // A numeric date from capture groups (year, month, day), if it exists.
    let mut numeric = |c: regex::Captures, (yi, mi, di): (usize, usize, usize)| {
        let (y, m, d) = (c[yi].parse().ok(), c[mi].parse().ok(), c[di].parse().ok());
        if let (Some(y), Some(m), Some(d)) = (y, m, d) {
            if Day::new(y, m, d).is_some() {
                let w = c.get(0).expect("match");
                cands.push((
                    w.start(),
                    w.end(),
                    Expr::Date {
                        year: Some(y),
                        month: m,
                        day: d,
                        weekday: None,
                    },
                ));
            }
        }
    };
    for c in p.captures(Kind::Iso, text, &hits) {
        numeric(c, (1, 2, 3));
    }
    // "29-07-2016", "24.07.2016": day first, as in most of the world's press.
    for c in p.captures(Kind::Dmy, text, &hits) {
        numeric(c, (4, 3, 1));
    }
    for c in p.captures(Kind::DayMonth, text, &hits) {
        let w = c.get(0).expect("match");
        let (Some(month), Ok(day)) = (month_number(&c[3]), c[2].parse::<u32>()) else {
            continue;
        };
        if !(1..=31).contains(&day)
            || followed_by_number(text, w.end())
            || (c.get(4).is_none() && followed_by_name(text, w.end()))
        {
            continue;
        }
        let weekday = c.get(1).and_then(|x| weekday_number(x.as_str()));
        cands.push((
            w.start(),
            trim_dot(text, w.start(), w.end()),
            Expr::Date {
                year: year_of(c.get(4)),
                month,
                day,
                weekday,
            },
        ));
    }
    for c in p.captures(Kind::MonthDay, text, &hits) {
        let w = c.get(0).expect("match");
        let (Some(month), Ok(day)) = (month_number(&c[2]), c[3].parse::<u32>()) else {
            continue;
        };
        if !(1..=31).contains(&day)
            || followed_by_number(text, w.end())
            || followed_by_unit(text, w.end())
            || (c.get(4).is_none() && followed_by_name(text, w.end()))
        {
            continue;
        }
        let weekday = c.get(1).and_then(|x| weekday_number(x.as_str()));
        cands.push((
            w.start(),
            w.end(),
            Expr::Date {
                year: year_of(c.get(4)),
                month,
                day,
                weekday,
            },
        ));
    }
    for c in p.captures(Kind::Glued, text, &hits) {
        let w = c.get(0).expect("match");
        let (Some(month), Ok(day), Ok(year)) = (month_number(&c[1]), c[2].parse::<u32>(), c[3].parse::<i32>()) else {
            continue;
        };
        if Day::new(year, month, day).is_some() {
            cands.push((
                w.start(),
                w.end(),
                Expr::Date {
                    year: Some(year),
                    month,
                    day,
                    weekday: None,
                },
            ));
        }
    }
    for c in p.captures(Kind::MonthYear, text, &hits) {
        let w = c.get(0).expect("match");
        if let Some(month) = month_number(&c[1]) {
            cands.push((
                w.start(),
                w.end(),
                Expr::Month {
                    year: year_of(c.get(2)),
                    month,
                },
            ));
        }
    }
    for c in p.captures(Kind::Month, text, &hits) {
        let w = c.get(0).expect("match");
        let rest = &text[w.end()..];
        // "May's government", "in May said": a name, not a month.
        if rest.starts_with("'s") || rest.starts_with("’s") || rest.starts_with(" said") {
            continue;
        }
        if let Some(month) = month_number(&c[1]) {
            cands.push((w.start(), w.end(), Expr::Month { year: None, month }));
        }
    }
    for c in p.captures(Kind::Year, text, &hits) {
        let w = c.get(0).expect("match");
        if followed_by_unit(text, w.end()) || text[w.end()..].starts_with(['%', ',', '.']) && digit_after(text, w.end())
        {
            continue;
        }
        if let Some(y) = year_of(c.get(1)) {
            cands.push((w.start(), w.end(), Expr::Year(y)));
        }
    }
    for c in p.captures(Kind::Weekday, text, &hits) {
        let w = c.get(0).expect("match");
        let name = c.get(1).expect("weekday");
        let after = text[name.end()..].trim_start_matches(['\'', '’', 's']).trim_start();
        if WEEKDAY_NAMES_AFTER.iter().any(|n| after.starts_with(n)) {
            continue;
        }
        let before = text[..w.start()].trim_end();
        if WEEKDAY_NAMES_BEFORE.iter().any(|n| before.ends_with(n)) {
            continue;
        }
        let lead = text[w.start()..name.start()].to_ascii_lowercase();
        let shift = if lead.contains("last") {
            -1
        } else if lead.contains("next") {
            1
        } else {
            0
        };
        cands.push((
            w.start(),
            w.end(),
            Expr::Weekday {
                weekday: weekday_number(name.as_str()).expect("weekday name"),
                shift,
            },
        ));
    }
    for c in p.captures(Kind::Relative, text, &hits) {
        let w = c.get(0).expect("match");
        // "in the last year", "over the past month": spans, not calendar units.
        let before = text[..w.start()].trim_end().to_ascii_lowercase();
        if before.ends_with(" the") || before == "the" || before.ends_with("for") {
            continue;
        }
        let offset = match c[1].to_ascii_lowercase().as_str() {
            "last" => -1,
            "next" => 1,
            _ => 0,
        };
        cands.push((
            w.start(),
            w.end(),
            Expr::Relative {
                unit: unit(&c[2]),
                offset,
            },
        ));
    }
    for c in p.captures(Kind::Deictic, text, &hits) {
        let w = c.get(0).expect("match");
        let word = c[1].to_ascii_lowercase();
        let offset = match word.as_str() {
            "yesterday" | "last night" => -1,
            "tomorrow" => 1,
            _ => 0,
        };
        cands.push((
            w.start(),
            w.end(),
            Expr::Relative {
                unit: Unit::Day,
                offset,
            },
        ));
    }
    for c in p.captures(Kind::SameDay, text, &hits) {
        let w = c.get(0).expect("match");
        let s = w.as_str().to_ascii_lowercase();
        let offset = if s.contains("next") || s.contains("following") {
            1
        } else if s.contains("previous") || s.contains("before") {
            -1
        } else {
            0
        };
        cands.push((w.start(), w.end(), Expr::SameDay { offset }));
    }
    for c in p.captures(Kind::Ago, text, &hits) {
        let w = c.get(0).expect("match");
        if let Some(n) = word_number(&c[1]) {
            cands.push((
                w.start(),
                w.end(),
                Expr::Relative {
                    unit: unit(&c[2]),
                    offset: -n,
                },
            ));
        }
    }
    for c in p.captures(Kind::Another, text, &hits) {
        let w = c.get(1).expect("match");
        cands.push((
            w.start(),
            w.end(),
            Expr::Relative {
                unit: unit(&c[2]),
                offset: 1,
            },
        ));
    }
    // Longest first at each start, then drop anything overlapping a kept span.
    cands.sort_by(|a, b| (b.1 - b.0).cmp(&(a.1 - a.0)).then(a.0.cmp(&b.0)));
    let mut kept: Vec<(usize, usize, Expr)> = Vec::new();
    for c in cands {
        if kept.iter().all(|k| c.1 <= k.0 || c.0 >= k.1) {
            kept.push(c);
        }
    }
    kept.sort_by_key(|k| k.0);
    let times: Vec<(usize, usize, String)> = p
        .captures(Kind::Time, text, &hits)
        .map(|c| {
            let w = c.get(0).expect("match");
            (w.start(), w.end(), w.as_str().to_string())
        })
        .collect();
    kept.into_iter()
        .map(|(start, end, expr)| {
            let (mut start, mut end, mut time) = (start, end, None);
            // A clock time right before or after the date joins its span.
            for (ts, te, t) in &times {
                let gap_before = text.get(*te..start).map(str::trim);
                let gap_after = text.get(end..*ts).map(str::trim);
                if *te <= start && gap_before == Some("") {
                    start = *ts;
                    time = Some(t.trim().to_string());
                } else if *ts >= end && (gap_after == Some("") || gap_after == Some(",")) {
                    end = *te;
                    time = Some(t.trim().to_string());
                }
            }
            Found {
                start,
                end,
                future: is_future(text, start),
                in_quote: in_quote(text, start),
                expr,
                time,
            }
        })
        .collect()
}

fn trim_dot(text: &str, start: usize, end: usize) -> usize {
    // "13 Dec." keeps its dot; a sentence-final full stop does not belong to the date.
    if text[start..end].ends_with('.') && text[end..].trim_start().is_empty() {
        end - 1
    } else {
        end
    }
}

fn followed_by_number(text: &str, end: usize) -> bool {
    let rest = &text[end..];
    rest.starts_with(|c: char| c.is_ascii_digit()) || rest.starts_with(['%', ',']) && digit_after(text, end)
}

fn digit_after(text: &str, end: usize) -> bool {
    text[end..].chars().nth(1).is_some_and(|c| c.is_ascii_digit())
}

/// "April 7th Street", "March 14 Alliance": a name that contains a date.
fn followed_by_name(text: &str, end: usize) -> bool {
    let next = text[end..]
        .trim_start()
        .split(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    matches!(
        next,
        "Street"
            | "St"
            | "Square"
            | "Avenue"
            | "Road"
            | "Bridge"
            | "Stadium"
            | "Brigade"
            | "Brigades"
            | "Movement"
            | "Alliance"
            | "Coalition"
            | "Revolution"
            | "Hospital"
            | "University"
            | "School"
            | "Park"
            | "Airport"
            | "District"
            | "Neighbourhood"
            | "Neighborhood"
            | "Forces"
            | "Group"
            | "Party"
    )
}

/// "2000 people", "15 km": a quantity, not a date.
fn followed_by_unit(text: &str, end: usize) -> bool {
    let next = text[end..]
        .trim_start()
        .split(|c: char| !c.is_alphabetic())
        .next()
        .unwrap_or("");
    matches!(
        next,
        "people"
            | "civilians"
            | "troops"
            | "soldiers"
            | "fighters"
            | "killed"
            | "dead"
            | "km"
            | "kilometres"
            | "kilometers"
            | "miles"
            | "metres"
            | "meters"
            | "percent"
            | "per"
            | "children"
            | "families"
            | "refugees"
            | "times"
    )
}

/// Future tense in the clause before `pos` ("said evacuations would begin ... on").
pub fn is_future(text: &str, pos: usize) -> bool {
    let before = &text[..pos];
    let clause_start = before
        .rfind(['.', ';', '!', '?', '“', '"'])
        .map(|i| i + before[i..].chars().next().map_or(1, char::len_utf8))
        .unwrap_or(0);
    let words: Vec<String> = before[clause_start..]
        .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect();
    let window = &words[words.len().saturating_sub(9)..];
    let future = |w: &str| {
        matches!(
            w,
            "will" | "would" | "shall" | "due" | "scheduled" | "planned" | "plans" | "plan" | "expected" | "going"
        ) || w.ends_with("'ll")
            || w.ends_with("’ll")
    };
    // A past verb after the future cue closes it ("would ... said on").
    let mut fut = false;
    for w in window {
        if future(w) {
            fut = true;
        } else if matches!(w.as_str(), "said" | "told" | "announced" | "reported" | "added") {
            fut = false;
        }
    }
    if fut {
        return true;
    }
    // Sentence-initial "On Wednesday, the council will vote".
    if window.len() <= 1 {
        let after: Vec<String> = text[pos..]
            .split(|c: char| !c.is_alphanumeric() && c != '\'' && c != '’')
            .filter(|w| !w.is_empty())
            .take(7)
            .map(|w| w.to_lowercase())
            .collect();
        return after.iter().any(|w| matches!(w.as_str(), "will" | "shall"));
    }
    false
}

/// Inside quotation marks at `pos` (curly pairs, or an odd count of straight ones).
pub fn in_quote(text: &str, pos: usize) -> bool {
    let before = &text[..pos];
    let open = before.rfind('“');
    let close = before.rfind('”');
    match (open, close) {
        (Some(o), Some(c)) if o > c => return true,
        (Some(_), None) => return true,
        _ => {}
    }
    before.matches('"').count() % 2 == 1
}

/// The day in [`Day`] for weekday `wd` nearest to `reference` in the given
/// direction: the latest on or before it (`after == false`), or the first
/// strictly after it.
pub fn weekday_near(reference: Day, wd: u32, after: bool) -> Day {
    let cur = reference.weekday() as i64;
    let wd = wd as i64;
    if after {
        let delta = (wd - cur).rem_euclid(7);
        reference.plus_days(if delta == 0 { 7 } else { delta })
    } else {
        reference.plus_days(-((cur - wd).rem_euclid(7)))
    }
}

/// Resolves `f` against the publication date `pubdate` (None: only
/// expressions that carry their year resolve). `prev_day` is the last
/// day-level date resolved before this expression in the same article.
pub fn resolve(f: &Found, pubdate: Option<Day>, prev_day: Option<Day>) -> Option<Resolved> {
    let Period { first, granularity } = resolve_period(f, pubdate, prev_day)?;
    let value = match granularity {
        "day" => first.iso(),
        "month" => format_compact!("{:04}-{:02}", first.y, first.m),
        _ => format_compact!("{:04}", first.y),
    };
    Some(Resolved {
        first,
        value,
        granularity,
    })
}

/// [`resolve`] without formatting the value.
pub fn resolve_period(f: &Found, pubdate: Option<Day>, prev_day: Option<Day>) -> Option<Period> {
    match &f.expr {
        Expr::Date {
            year,
            month,
            day,
            weekday,
        } => {
            if let Some(y) = year {
                return Day::new(*y, *month, *day).map(Period::day);
            }
            let p = pubdate?;
            // The latest such date up to a week after publication (the
            // earliest from a week before it in the future tense); a weekday
            // picks among neighbouring years ("Monday 2 January" written in
            // late December).
            let mut found = [p; 3];
            let mut n = 0;
            for d in (p.y - 1..=p.y + 1).filter_map(|y| Day::new(y, *month, *day)) {
                if weekday.is_none_or(|w| w == d.weekday()) {
                    found[n] = d;
                    n += 1;
                }
            }
            let cands = &found[..n];
            let pick = if f.future {
                cands.iter().find(|d| d.num() >= p.num() - 7)
            } else {
                cands.iter().rev().find(|d| d.num() <= p.num() + 7)
            };
            let nearest = || cands.iter().min_by_key(|d| (d.num() - p.num()).abs());
            match pick.or_else(nearest) {
                Some(d) => Some(Period::day(*d)),
                None => Day::new(p.y, *month, *day).map(Period::day),
            }
        }
        Expr::Month { year, month } => {
            if let Some(y) = year {
                return Some(Period::month(*y, *month));
            }
            let p = pubdate?;
            let y = if f.future {
                if *month < p.m {
                    p.y + 1
                } else {
                    p.y
                }
            } else if *month > p.m {
                p.y - 1
            } else {
                p.y
            };
            Some(Period::month(y, *month))
        }
        Expr::Year(y) => Some(Period::year(*y)),
        Expr::Weekday { weekday, shift } => {
            let p = pubdate?;
            let d = match shift {
                -1 => weekday_near(p.plus_days(-1), *weekday, false),
                1 => weekday_near(p, *weekday, true),
                _ if f.future => weekday_near(p, *weekday, true),
                _ if f.in_quote => weekday_near(prev_day.filter(|d| *d <= p).unwrap_or(p), *weekday, false),
                _ => weekday_near(p, *weekday, false),
            };
            Some(Period::day(d))
        }
        Expr::Relative { unit, offset } => {
            let p = pubdate?;
            Some(match unit {
                Unit::Day => {
                    // "Today" inside a quote is the day the words were said.
                    let base = if f.in_quote {
                        prev_day.filter(|d| *d <= p && p.num() - d.num() <= 7).unwrap_or(p)
                    } else {
                        p
                    };
                    Period::day(base.plus_days(*offset as i64))
                }
                Unit::Week => {
                    let d = p.plus_days(7 * *offset as i64);
                    let (y, m) = d.add_months(0);
                    Period::month(y, m)
                }
                Unit::Month => {
                    let (y, m) = p.add_months(*offset);
                    Period::month(y, m)
                }
                Unit::Year => Period::year(p.y + offset),
            })
        }
        Expr::SameDay { offset } => {
            let base = prev_day.or(pubdate)?;
            Some(Period::day(base.plus_days(*offset as i64)))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(s: &str) -> Vec<&str> {
        find(s).into_iter().map(|f| &s[f.start..f.end]).collect()
    }

    fn one(s: &str, pubdate: &str) -> String {
        let f = find(s);
        assert_eq!(f.len(), 1, "{s}: {f:?}");
        resolve(&f[0], Day::parse(pubdate), None).unwrap().value.to_string()
    }

    #[test]
    fn day_arithmetic_round_trips() {
        for n in [-800_000, -1, 0, 1, 17_000, 20_000, 60_000] {
            assert_eq!(Day::from_num(n).num(), n);
        }
        assert_eq!(Day::parse("2016-12-13").unwrap().weekday(), 1); // a Tuesday
        assert_eq!(Day::parse("2016-02-28").unwrap().plus_days(1).iso(), "2016-02-29");
        assert_eq!(Day::parse("2016-12-31").unwrap().plus_days(1).iso(), "2017-01-01");
        assert!(Day::parse("2015-02-29").is_none());
    }

    #[test]
    fn full_dates_in_several_styles() {
        assert_eq!(
            one("The talks opened on 3 March 2015 in Vienna.", "2016-01-01"),
            "2015-03-03"
        );
        assert_eq!(
            one("It was signed Dec. 13, 2016, in Ankara.", "2017-05-01"),
            "2016-12-13"
        );
        assert_eq!(one("The file is dated 2016-12-13.", "2017-05-01"), "2016-12-13");
        assert_eq!(
            one("AFP Friday 1 Jul 2016 Air raids hit the town.", "2016-07-01"),
            "2016-07-01"
        );
        assert_eq!(texts("The vote on 3 March 2015 failed."), ["on 3 March 2015"]);
        assert_eq!(
            one("Last updated at Jul 012016 BEIRUT Rebels advanced.", "2016-07-02"),
            "2016-07-01"
        );
    }

    #[test]
    fn day_and_month_take_the_nearest_year() {
        assert_eq!(one("The siege began on 15 October.", "2016-12-10"), "2016-10-15");
        assert_eq!(one("Fighting resumed on November 2.", "2017-01-05"), "2016-11-02");
        assert_eq!(one("Talks will resume on 10 January.", "2016-12-20"), "2017-01-10");
        // Past tense looks back, even more than half a year.
        assert_eq!(one("The town fell on 7 April.", "2016-11-07"), "2016-04-07");
        assert_eq!(
            texts("They met on 29.07.2016 and on 24-07-2016."),
            ["29.07.2016", "24-07-2016"]
        );
        assert_eq!(
            one("Wednesday 30 November 2016 Coalition Letter to UN", "2016-12-01"),
            "2016-11-30"
        );
        assert_eq!(one("24.07.2016Get short URL", "2016-08-01"), "2016-07-24");
    }

    #[test]
    fn weekday_with_date_crosses_the_year_boundary() {
        // 2 January 2017 was a Monday; the article is from late December 2016.
        assert_eq!(one("The talks open on Monday 2 January.", "2016-12-28"), "2017-01-02");
        // 28 December 2016 was a Wednesday: the weekday keeps the same year.
        assert_eq!(
            one("On Wednesday 28 December, the town fell.", "2017-01-03"),
            "2016-12-28"
        );
        assert_eq!(
            texts("On Monday 28 November, troops advanced."),
            ["On Monday 28 November"]
        );
    }

    #[test]
    fn bare_weekdays_follow_the_tense() {
        // Publication: Thursday 8 December 2016.
        assert_eq!(
            one("The council met on Monday to discuss it.", "2016-12-08"),
            "2016-12-05"
        );
        assert_eq!(one("Rebels retreated late on Tuesday.", "2016-12-08"), "2016-12-06");
        assert_eq!(one("The envoy spoke on Thursday.", "2016-12-08"), "2016-12-08");
        assert_eq!(
            one("Officials said the vote would take place on Tuesday.", "2016-12-08"),
            "2016-12-13"
        );
        assert_eq!(one("The ministers met last Thursday.", "2016-12-08"), "2016-12-01");
        assert_eq!(one("They will meet next Monday.", "2016-12-08"), "2016-12-12");
        assert_eq!(texts("Fighting resumed late on Tuesday."), ["late on Tuesday"]);
    }

    #[test]
    fn relative_expressions() {
        let p = "2016-12-13";
        assert_eq!(one("Aid convoys arrived yesterday.", p), "2016-12-12");
        assert_eq!(one("The offensive began last month.", p), "2016-11");
        assert_eq!(one("Prices rose earlier this month.", p), "2016-12");
        assert_eq!(one("Casualties doubled this year.", p), "2016");
        assert_eq!(one("The truce collapsed last week.", p), "2016-12");
        assert_eq!(one("The first buses may leave tonight.", p), "2016-12-13");
        assert_eq!(one("Rebels have held it since the start of this year.", p), "2016");
        assert_eq!(one("It fell two weeks ago.", p), "2016-11");
        assert_eq!(one("With another month until the vote, time is short.", p), "2017-01");
        assert_eq!(
            texts("Rebels have held it since the start of this year."),
            ["since the start of this year"]
        );
    }

    #[test]
    fn later_in_the_day_follows_the_previous_date() {
        let text = "Troops took the citadel on Wednesday. They advanced again later in the day.";
        let f = find(text);
        assert_eq!(f.len(), 2);
        let p = Day::parse("2016-12-08");
        let first = resolve(&f[0], p, None).unwrap();
        let second = resolve(&f[1], p, Some(first.first)).unwrap();
        assert_eq!(second.value, "2016-12-07");
    }

    #[test]
    fn months_and_years() {
        assert_eq!(one("A major assault came in September.", "2016-12-01"), "2016-09");
        assert_eq!(one("Talks stalled in November.", "2017-02-01"), "2016-11");
        assert_eq!(one("They have held it since 2012.", "2016-12-01"), "2012");
        assert_eq!(one("The city was divided in July 2012.", "2016-12-01"), "2012-07");
        assert_eq!(texts("The war began in 2011."), ["in 2011"]);
    }

    #[test]
    fn clock_times_join_the_date() {
        let s = "Buses would leave at 5am local time [03:00 GMT] on Wednesday.";
        let f = find(s);
        assert_eq!(f.len(), 1);
        assert_eq!(&s[f[0].start..f[0].end], "at 5am local time [03:00 GMT] on Wednesday");
        assert_eq!(f[0].time.as_deref(), Some("at 5am local time [03:00 GMT]"));
        assert!(f[0].future);
        assert_eq!(
            resolve(&f[0], Day::parse("2016-12-13"), None).unwrap().value,
            "2016-12-14"
        );
    }

    #[test]
    fn durations_and_vague_spans_are_not_dates() {
        for s in [
            "The three-week-old assault continued.",
            "Fighting raged for a week and for years before that.",
            "450 people died in the past five years.",
            "Over the last hour the guns fell silent.",
            "Thousands fled over the past week, in recent months and in the last days.",
            "It ended after years of fighting and months of siege, decades later.",
            "Some 2000 people fled, 1500 of them on foot.",
        ] {
            assert!(find(s).is_empty(), "{s}: {:?}", texts(s));
        }
    }

    #[test]
    fn names_and_verbs_are_not_dates() {
        for s in [
            "Theresa May said the talks would go on.",
            "In May's view the deal was weak.",
            "Protesters March through the capital, and they march again.",
            "The Sunday Times reported the claim first.",
            "Marchers remembered Bloody Sunday in Derry.",
            "Jan Egeland spoke to reporters.",
            "Shells landed near April 7th Street and the March 14 Alliance office.",
            "The may be the last chance.",
        ] {
            assert!(find(s).is_empty(), "{s}: {:?}", texts(s));
        }
    }

    #[test]
    fn word_boundaries_stay_unicode_next_to_non_ascii_letters() {
        // Curly quotes and dashes are not word characters.
        assert!(!unicode_words("“In 2011,” he said – again."));
        assert_eq!(texts("“In 2011,” he said."), ["In 2011"]);
        // "é" is one: an "in" glued to it is not a word of its own.
        assert!(unicode_words("Le caféin 2011."));
        assert!(texts("Le caféin 2011.").is_empty());
        assert_eq!(texts("Le café in 2011."), ["in 2011"]);
    }

    #[test]
    fn quoted_today_is_the_day_of_speaking() {
        let s = "“Today the city is lost,” he said.";
        let f = find(s);
        assert!(f[0].in_quote);
        let spoke = Day::parse("2016-12-08");
        let r = resolve(&f[0], Day::parse("2016-12-09"), spoke).unwrap();
        assert_eq!(r.value, "2016-12-08");
    }
}
