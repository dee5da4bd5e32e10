//! Typography: what cleaning changes inside a kept line (Unicode NFC,
//! spaces, invisible characters), counted; and the display-only
//! normalisation of quote marks used when pages are rendered.

use std::collections::BTreeMap;

use unicode_normalization::{is_nfc_quick, IsNormalized, UnicodeNormalization};

use crate::model::Edit;

/// Counts of in-line edits by kind.
#[derive(Default)]
pub struct EditLog(BTreeMap<&'static str, usize>);

impl EditLog {
    pub fn add(&mut self, kind: &'static str, n: usize) {
        if n > 0 {
            *self.0.entry(kind).or_default() += n;
        }
    }

    pub fn into_edits(self) -> Vec<Edit> {
        self.0
            .into_iter()
            .map(|(k, count)| Edit {
                kind: k.to_string(),
                count,
            })
            .collect()
    }
}

/// Invisible characters removed from text: zero-width space, word joiner,
/// byte-order mark, soft hyphen. Zero-width (non-)joiners are kept: they
/// change how Persian, Indic and emoji text is written.
fn invisible(c: char) -> bool {
    matches!(c, '\u{200b}' | '\u{2060}' | '\u{feff}' | '\u{ad}')
}

/// Unicode NFC, invisible characters removed, every whitespace character
/// (no-break spaces included) as one space, runs collapsed, ends trimmed.
/// Words and quote marks are kept as written.
pub fn normalise(line: &str, edits: &mut EditLog) -> String {
    let nfc: std::borrow::Cow<str> = match is_nfc_quick(line.chars()) {
        IsNormalized::Yes => line.into(),
        _ => line.nfc().collect::<String>().into(),
    };
    if nfc != line {
        edits.add("unicode NFC", 1);
    }
    let mut out = String::with_capacity(nfc.len());
    let (mut nbsp, mut other, mut zw, mut ws) = (0, 0, 0, 0);
    let mut last_space = true;
    let mut rest: &str = &nfc;
    while let Some(c) = rest.chars().next() {
        // A run of visible ASCII is copied whole.
        let run = rest.bytes().take_while(|b| b.is_ascii_graphic()).count();
        if run > 0 {
            out.push_str(&rest[..run]);
            last_space = false;
            rest = &rest[run..];
            continue;
        }
        rest = &rest[c.len_utf8()..];
        if invisible(c) {
            zw += 1;
        } else if c.is_whitespace() {
            match c {
                ' ' => {}
                '\u{a0}' | '\u{202f}' | '\u{2007}' => nbsp += 1,
                _ => other += 1,
            }
            if last_space {
                ws += 1;
            } else {
                out.push(' ');
            }
            last_space = true;
        } else {
            out.push(c);
            last_space = false;
        }
    }
    if out.ends_with(' ') {
        out.pop();
        ws += 1;
    }
    edits.add("no-break space replaced", nbsp);
    edits.add("tab or other space replaced", other);
    edits.add("invisible character removed", zw);
    edits.add("whitespace collapsed", ws);
    out
}

/// Text for display with consistent typographic quote marks: straight
/// `"` and `'` become “ ” ‘ ’ by context, and an apostrophe inside or at
/// the end of a word is ’. `before` is the character preceding `text` in
/// its paragraph (for text rendered in pieces). Letters are never changed.
pub fn display(text: &str, before: Option<char>) -> String {
    let mut out = String::with_capacity(text.len() + 8);
    display_into(&mut out, text, before);
    out
}

/// [`display`] appended to `out`. The text between straight quote marks
/// and backticks is copied in runs (they are ASCII, so never inside a
/// multi-byte character).
pub fn display_into(out: &mut String, text: &str, before: Option<char>) {
    let bytes = text.as_bytes();
    let mut from = 0;
    let mut i = 0;
    while i < bytes.len() {
        let b = bytes[i];
        if !matches!(b, b'"' | b'\'' | b'`') {
            i += 1;
            continue;
        }
        let prev = if i == 0 { before } else { text[..i].chars().next_back() };
        let next = text[i + 1..].chars().next();
        let opening = prev.is_none_or(|p| {
            p.is_whitespace() || matches!(p, '(' | '[' | '{' | '-' | '–' | '—' | '/' | '“' | '‘' | '"' | '\'')
        });
        let (mapped, width) = match b {
            b'"' if opening => ('“', 1),
            b'"' => ('”', 1),
            b'\'' => {
                let next_alnum = next.is_some_and(char::is_alphanumeric);
                if opening && next_alnum && !next.is_some_and(|n| n.is_ascii_digit()) {
                    ('‘', 1)
                } else {
                    ('’', 1)
                }
            }
            _ if next == Some('`') => ('“', 2),
            _ => {
                i += 1;
                continue;
            }
        };
        out.push_str(&text[from..i]);
        out.push(mapped);
        i += width;
        from = i;
    }
    out.push_str(&text[from..]);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn whitespace_is_normalised_and_counted() {
        let mut log = EditLog::default();
        let out = normalise(" One\u{a0}two\t three\u{200b}.", &mut log);
        assert_eq!(out, "One two three.");
        let edits = log.into_edits();
        let count = |k: &str| edits.iter().find(|e| e.kind == k).map_or(0, |e| e.count);
        assert_eq!(count("no-break space replaced"), 1);
        assert_eq!(count("tab or other space replaced"), 1);
        assert_eq!(count("invisible character removed"), 1);
    }

    #[test]
    fn nfc_composes_and_joiners_stay() {
        let mut log = EditLog::default();
        assert_eq!(normalise("Cafe\u{301}", &mut log), "Café");
        assert_eq!(normalise("a\u{200d}b", &mut log), "a\u{200d}b");
    }

    #[test]
    fn display_quotes_are_typographic_and_words_unchanged() {
        assert_eq!(
            display("He said \"it's over\" and 'we know' it, in the '90s.", None),
            "He said “it’s over” and ‘we know’ it, in the ’90s."
        );
        assert_eq!(display("already “curly” text", None), "already “curly” text");
        // A piece that starts after a letter: the quote closes.
        assert_eq!(display("\" he said", Some('.')), "” he said");
    }

    /// The char-by-char version `display` replaced, as a reference.
    fn display_by_char(text: &str, before: Option<char>) -> String {
        let mut out = String::new();
        let mut prev = before;
        let mut chars = text.chars().peekable();
        while let Some(c) = chars.next() {
            let opening = prev.is_none_or(|p| p.is_whitespace() || "([{-–—/“‘\"'".contains(p));
            let next = chars.peek().copied();
            let mapped = match c {
                '"' if opening => '“',
                '"' => '”',
                '\'' if opening && next.is_some_and(|n| n.is_alphanumeric() && !n.is_ascii_digit()) => '‘',
                '\'' => '’',
                '`' if next == Some('`') => {
                    chars.next();
                    '“'
                }
                c => c,
            };
            out.push(mapped);
            prev = Some(c);
        }
        out
    }

    proptest::proptest! {
        #[test]
        fn display_matches_the_char_by_char_version(
            s in "[\"'`a-z0-9 (\\[{/–“‘é.-]{0,40}",
            before in proptest::option::of("[\"'`a (.é]"),
        ) {
            let before = before.and_then(|b| b.chars().next());
            proptest::prop_assert_eq!(display(&s, before), display_by_char(&s, before));
        }

        #[test]
        fn normalise_keeps_every_visible_character_and_one_space_between_words(
            s in "([a-z.,\"]{1,5}|[ \t\u{a0}\u{200b}\u{ad}]|é|e\u{301}|\\PC){0,20}",
        ) {
            let out = normalise(&s, &mut EditLog::default());
            let nfc: String = s.nfc().collect();
            let visible: String = nfc.chars().filter(|c| !c.is_whitespace() && !invisible(*c)).collect();
            proptest::prop_assert_eq!(out.replace(' ', ""), visible);
            proptest::prop_assert!(!out.starts_with(' ') && !out.ends_with(' ') && !out.contains("  "));
        }
    }
}
