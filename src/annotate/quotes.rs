//! Quotation spans: paired double quotes (curly or straight), single curly
//! quotes used as quote marks, quotes continuing over paragraph breaks, and
//! block quotes (unmarked paragraphs of quoted speech).
//!
//! Offsets are byte offsets into the paragraph text; a span excludes its
//! marks. Apostrophes inside words (`Aleppo’s`, `don’t`) are never marks.

/// A quotation found in one paragraph.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    /// Marked with single quotes.
    pub single: bool,
    /// Opened in this paragraph and not closed before its end.
    pub open_ended: bool,
}

fn is_word(c: Option<char>) -> bool {
    c.is_some_and(|c| c.is_alphanumeric())
}

/// Double-quote spans of `text`. A straight `"` opens when it follows a
/// space, start or bracket and closes otherwise; an opening mark met while a
/// quote is open closes that quote just before it (a lost paragraph break).
/// A quote still open at the end runs to the end of the paragraph.
pub fn double_spans(text: &str) -> Vec<Span> {
    let mut out = Vec::new();
    let mut open: Option<usize> = None;
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    for (k, &(i, c)) in chars.iter().enumerate() {
        let prev = if k > 0 { Some(chars[k - 1].1) } else { None };
        let next = chars.get(k + 1).map(|x| x.1);
        let opening = match c {
            '“' | '„' => Some(true),
            '”' => Some(false),
            '"' => {
                let before_ok = prev.is_none_or(|p| p.is_whitespace() || "([{—–-/".contains(p));
                let after_space = next.is_none_or(|n| n.is_whitespace());
                if before_ok && !after_space {
                    Some(true)
                } else if !before_ok {
                    Some(false)
                } else {
                    // A lone mark between spaces: close if open, else ignore.
                    if open.is_some() {
                        Some(false)
                    } else {
                        None
                    }
                }
            }
            _ => None,
        };
        match (opening, open) {
            (Some(true), None) => open = Some(i + c.len_utf8()),
            (Some(true), Some(s)) => {
                let end = text[..i].trim_end().len();
                if end > s {
                    out.push(Span {
                        start: s,
                        end,
                        single: false,
                        open_ended: true,
                    });
                }
                open = Some(i + c.len_utf8());
            }
            (Some(false), Some(s)) => {
                if i > s {
                    out.push(Span {
                        start: s,
                        end: i,
                        single: false,
                        open_ended: false,
                    });
                }
                open = None;
            }
            _ => {}
        }
    }
    if let Some(s) = open {
        let end = text.trim_end().len();
        if end > s && text[s..end].split_whitespace().count() >= 3 {
            out.push(Span {
                start: s,
                end,
                single: false,
                open_ended: true,
            });
        }
    }
    out
}

/// Single-quote spans outside `taken` (the double-quote spans): `‘` (or a
/// straight `'`) after a space or start and before a letter opens; `’` (or
/// `'`) after a non-space and not before a letter closes. Spans longer than
/// 12 words are dropped (an apostrophe was taken for a mark).
pub fn single_spans(text: &str, taken: &[Span]) -> Vec<Span> {
    let mut out = Vec::new();
    let chars: Vec<(usize, char)> = text.char_indices().collect();
    let inside = |i: usize| taken.iter().any(|s| i + 3 >= s.start && i < s.end + 3);
    let mut open: Option<(usize, char)> = None;
    for (k, &(i, c)) in chars.iter().enumerate() {
        if c != '‘' && c != '’' && c != '\'' {
            continue;
        }
        let prev = if k > 0 { Some(chars[k - 1].1) } else { None };
        let next = chars.get(k + 1).map(|x| x.1);
        if inside(i) {
            continue;
        }
        let can_open = (c == '‘' || c == '\'')
            && prev.is_none_or(|p| p.is_whitespace() || "([—–".contains(p))
            && (is_word(next) || next == Some('['));
        let can_close = (c == '’' || c == '\'')
            && prev.is_some_and(|p| !p.is_whitespace())
            && !is_word(next)
            && open.is_some_and(|(_, m)| (m == '‘') == (c == '’'));
        if can_close {
            let (s, _) = open.take().unwrap_or((0, c));
            let words = text[s..i].split_whitespace().count();
            // "rebels’ losses": a plural possessive, not a closing mark.
            let possessive = prev == Some('s')
                && next.is_some_and(|n| n == ' ')
                && {
                    let after = &text[i + c.len_utf8()..];
                    after.trim_start().chars().next().is_some_and(|n| n.is_lowercase())
                }
                && words > 3;
            if possessive {
                open = Some((s, if c == '’' { '‘' } else { '\'' }));
                continue;
            }
            if words <= 12 && i > s {
                out.push(Span {
                    start: s,
                    end: i,
                    single: true,
                    open_ended: false,
                });
            }
        } else if can_open {
            open = Some((i + c.len_utf8(), c));
        }
    }
    out
}

/// All marked quote spans of a paragraph, in order.
pub fn spans(text: &str) -> Vec<Span> {
    let mut all = double_spans(text);
    let singles = single_spans(text, &all);
    all.extend(singles);
    all.sort_by_key(|s| s.start);
    all
}

/// Does `text` end by introducing a block quote ("..., said that", "...:")?
pub fn introduces_block(text: &str) -> bool {
    let t = text.trim_end();
    let lower = t.to_lowercase();
    let ends_colon = t.ends_with(':');
    let ends_that = lower.ends_with(" that") || lower.ends_with(" that,");
    let has_speech = lower
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| crate::annotate::gazetteer::SPEECH_VERB_SET.contains(w) || w == "according");
    (ends_colon || ends_that) && has_speech || (lower.ends_with(',') && lower.contains("according to "))
}

/// Does `text` look like a line that attributes the paragraph before it
/// ("Said X, a spokesman.", "X said.")?
pub fn attributes_previous(text: &str) -> bool {
    let t = text.trim();
    let words: Vec<&str> = t.split_whitespace().collect();
    if words.is_empty() || words.len() > 16 || t.contains(['“', '”', '"']) {
        return false;
    }
    let first = words[0].to_lowercase();
    let last = words[words.len() - 1].trim_end_matches(['.', ',']).to_lowercase();
    matches!(first.as_str(), "said" | "says" | "added" | "—" | "–")
        || matches!(last.as_str(), "said" | "says" | "added") && words.len() <= 8
}

/// Does a paragraph read like quoted first-person speech: first or second
/// person pronouns, no quote marks, not the author's narration?
pub fn reads_as_speech(text: &str) -> bool {
    if text.contains(['“', '”', '"']) {
        return false;
    }
    let words: Vec<&str> = text
        .split(|c: char| !c.is_alphanumeric() && c != '’' && c != '\'')
        .filter(|w| !w.is_empty())
        .collect();
    words.len() >= 6
        && words.iter().any(|w| {
            matches!(
                *w,
                "we" | "We" | "I" | "us" | "our" | "Our" | "my" | "My" | "you" | "You"
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn texts(t: &str) -> Vec<&str> {
        spans(t).into_iter().map(|s| &t[s.start..s.end]).collect()
    }

    #[test]
    fn curly_and_straight_double_quotes() {
        assert_eq!(
            texts("“We will win,” she said. He replied: \"Not soon.\""),
            ["We will win,", "Not soon."]
        );
    }

    #[test]
    fn nested_single_quotes_stay_inside() {
        let t = "“They told us ‘go home’ and left,” a farmer said.";
        assert_eq!(texts(t), ["They told us ‘go home’ and left,"]);
    }

    #[test]
    fn single_curly_quotes_mark_partial_quotes_but_apostrophes_do_not() {
        let t = "The mayor called the plan ‘a total disaster’ on Tuesday. Oslo’s port and the farmers’ union agreed.";
        assert_eq!(texts(t), ["a total disaster"]);
        assert!(texts("The city’s mayor and the workers’ leaders met in Bergen’s hall.").is_empty());
        assert!(texts("Don’t say it’s over, it isn’t.").is_empty());
    }

    #[test]
    fn open_quote_runs_to_paragraph_end() {
        let t = "“The council will meet again next week and decide on the budget.";
        let s = spans(t);
        assert_eq!(s.len(), 1);
        assert!(s[0].open_ended);
        assert_eq!(
            &t[s[0].start..s[0].end],
            "The council will meet again next week and decide on the budget."
        );
    }

    #[test]
    fn straight_reopening_closes_the_previous_quote() {
        let t = "She said: \"We doubled it. \"Now we go further.\" Then she left.";
        assert_eq!(texts(t), ["We doubled it.", "Now we go further."]);
    }

    #[test]
    fn glued_closing_mark_is_still_a_close() {
        let t = "“We will keep talking,”the minister said.";
        assert_eq!(texts(t), ["We will keep talking,"]);
    }

    #[test]
    fn block_quote_cues() {
        assert!(introduces_block("The mayor of the town, Jane Roe, said that"));
        assert!(introduces_block("A police spokesman told reporters:"));
        assert!(!introduces_block("The river flooded the valley that"));
        assert!(!introduces_block("The council met on Monday."));
        assert!(attributes_previous("Said Ann Smith, head of the farmers’ union."));
        assert!(!attributes_previous(
            "The farmers said the price was too low and they would protest again soon."
        ));
        assert!(reads_as_speech(
            "We are ready to talk and we will not give up our land."
        ));
        assert!(!reads_as_speech(
            "The river rose by two metres overnight in the valley."
        ));
        assert!(!reads_as_speech(
            "While the US backs the plan, the EU and the UK are still unsure."
        ));
    }
}
