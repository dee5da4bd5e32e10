//! Small text helpers shared by several stages.

/// A URL-safe slug: lower-case ASCII letters and digits joined by `-`,
/// at most `max_len` bytes, cut at a word boundary. Non-ASCII letters are
/// folded to ASCII where a simple mapping exists, else dropped.
pub fn slugify(text: &str, max_len: usize) -> String {
    let mut out = String::new();
    let mut pending_dash = false;
    for ch in text.chars() {
        if ch == '\u{2019}' {
            continue; // apostrophes join: "Aleppo’s" -> "aleppos"
        }
        let mut one = [0u8; 4];
        let folded = if ch.is_ascii() {
            &*ch.encode_utf8(&mut one)
        } else {
            fold_ascii(ch)
        };
        for c in folded.chars() {
            if c.is_ascii_alphanumeric() {
                if pending_dash && !out.is_empty() {
                    out.push('-');
                }
                pending_dash = false;
                out.push(c.to_ascii_lowercase());
            } else if c == '\'' {
                // apostrophes join: "Aleppo's" -> "aleppos"
            } else {
                pending_dash = true;
            }
        }
    }
    if out.len() > max_len {
        let cut = out[..max_len].rfind('-').unwrap_or(max_len);
        out.truncate(cut);
    }
    out
}

/// The ASCII letters a non-ASCII letter is written with in a slug, or a space.
fn fold_ascii(ch: char) -> &'static str {
    match ch {
        'à' | 'á' | 'â' | 'ã' | 'ä' | 'å' | 'ā' => "a",
        'ç' | 'ć' | 'č' => "c",
        'è' | 'é' | 'ê' | 'ë' | 'ē' => "e",
        'ì' | 'í' | 'î' | 'ï' | 'ī' | 'ı' => "i",
        'ñ' | 'ń' => "n",
        'ò' | 'ó' | 'ô' | 'õ' | 'ö' | 'ø' | 'ō' => "o",
        'ù' | 'ú' | 'û' | 'ü' | 'ū' => "u",
        'ý' | 'ÿ' => "y",
        'ß' => "ss",
        'ş' | 'š' | 'ś' => "s",
        'ž' | 'ź' | 'ż' => "z",
        'ğ' => "g",
        'À' | 'Á' | 'Â' | 'Ã' | 'Ä' | 'Å' => "a",
        'Ç' | 'Č' => "c",
        'È' | 'É' | 'Ê' | 'Ë' => "e",
        'Ì' | 'Í' | 'Î' | 'Ï' | 'İ' => "i",
        'Ñ' => "n",
        'Ò' | 'Ó' | 'Ô' | 'Õ' | 'Ö' | 'Ø' => "o",
        'Ù' | 'Ú' | 'Û' | 'Ü' => "u",
        'Ş' | 'Š' => "s",
        'Ž' => "z",
        _ => " ",
    }
}

/// Month names, January first.
pub const MONTHS: [&str; 12] = [
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
];

/// Weekday names, Monday first.
pub const WEEKDAYS: [&str; 7] = [
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
];

/// A capitalised month or weekday name (`May`, `Sunday`).
pub fn is_calendar_word(w: &str) -> bool {
    MONTHS.contains(&w) || WEEKDAYS.contains(&w)
}

/// Lower-cased words (letters and digits) of `text`, for comparisons that
/// ignore punctuation, quote style and spacing.
pub fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(|w| w.to_lowercase())
        .collect()
}

/// Text folded for comparison: words joined by single spaces (the same as
/// `words(text).join(" ")`, without the intermediate strings).
pub fn fold(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut i = 0;
    while i < text.len() {
        let (end, ascii) = word_run(text, i, char::is_alphanumeric);
        if end > i {
            if !out.is_empty() {
                out.push(' ');
            }
            let w = &text[i..end];
            if ascii {
                out.push_str(w);
                // Only the bytes just added, all ASCII.
                let len = out.len();
                out[len - w.len()..].make_ascii_lowercase();
            } else {
                out.push_str(&w.to_lowercase());
            }
            i = end;
        } else {
            // A separator: skip one character.
            i += text[i..].chars().next().map_or(1, char::len_utf8);
        }
    }
    out
}

/// The end of the run of word characters starting at byte `i`, and whether
/// the run is all ASCII. ASCII letters and digits are word characters (read
/// a byte at a time); another character is one when `is_word` says so.
pub fn word_run(text: &str, mut i: usize, is_word: impl Fn(char) -> bool) -> (usize, bool) {
    let b = text.as_bytes();
    let mut ascii = true;
    while i < b.len() {
        if b[i].is_ascii() {
            if !b[i].is_ascii_alphanumeric() {
                break;
            }
            i += 1;
        } else {
            match text[i..].chars().next() {
                Some(c) if is_word(c) => {
                    ascii = false;
                    i += c.len_utf8();
                }
                _ => break,
            }
        }
    }
    (i, ascii)
}

/// A hash map with [`Fnv`] hashing, for short keys (words, ids) where
/// nothing depends on the map's order.
pub type FnvMap<K, V> = std::collections::HashMap<K, V, std::hash::BuildHasherDefault<Fnv>>;

/// A hash set with [`Fnv`] hashing, as [`FnvMap`].
pub type FnvSet<K> = std::collections::HashSet<K, std::hash::BuildHasherDefault<Fnv>>;

/// FNV-1a: a fast hash for short words.
pub struct Fnv(u64);

impl Default for Fnv {
    fn default() -> Fnv {
        Fnv(0xcbf2_9ce4_8422_2325)
    }
}

impl std::hash::Hasher for Fnv {
    fn finish(&self) -> u64 {
        self.0
    }

    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0 ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slugs_are_ascii_and_bounded() {
        assert_eq!(
            slugify("Aleppo’s Future: Çavuşoğlu & Lavrov!", 80),
            "aleppos-future-cavusoglu-lavrov"
        );
        assert_eq!(slugify("one two three four", 9), "one-two");
        assert_eq!(slugify("!!!", 10), "");
    }

    #[test]
    fn fold_ignores_punctuation_and_case() {
        assert_eq!(fold("Aleppo’s  FUTURE?"), fold("aleppo's future"));
        for t in ["ΣΊΣΥΦΟΣ, Äpfel & İstanbul!", "  ", "a--b  C", "ÀB 12x"] {
            assert_eq!(fold(t), words(t).join(" "), "{t}");
        }
    }

    proptest::proptest! {
        #[test]
        fn fold_is_the_words_joined(t in "(\\PC|[ .,'’-]|[a-zA-Z0-9]{1,4}){0,24}") {
            proptest::prop_assert_eq!(fold(&t), words(&t).join(" "));
        }
    }
}
