//! `String.prototype.localeCompare` as Node (ICU, `en-US`, default options) orders the instance
//! paths `normalizeAjvErrors` sorts: the CLDR root collation, compared on primary weights
//! first (letters case-blind, punctuation before digits before letters, in CLDR's order), then
//! on case (lower before upper). Control characters other than white space are ignorable. Characters outside ASCII
//! sort after it by code point: an approximation, enough for the relative order that matters
//! there (a path before the paths below it).

use std::cmp::Ordering;

/// Printable ASCII in CLDR root order (from Node: `[...].sort((a, b) => a.localeCompare(b))`);
/// a letter pair shares its primary weight.
const ORDER: &str = "\t\n\u{b}\u{c}\r _-,;:!?.'\"()[]{}@*/\\&#%`^+<=>|~$0123456789aAbBcCdDeEfFgGhHiIjJkKlLmMnNoOpPqQrRsStTuUvVwWxXyYzZ";

/// Primary weight (0: ignorable) and tertiary weight (1: upper case) of a character.
fn weights(c: char) -> (u32, u32) {
    if c.is_ascii_control() && !matches!(c, '\t' | '\n' | '\u{b}' | '\u{c}' | '\r') {
        return (0, 0);
    }
    if c.is_ascii() {
        let lower = c.to_ascii_lowercase();
        let at = ORDER.find(lower).unwrap_or(0) as u32 + 1;
        return (at, u32::from(c.is_ascii_uppercase()));
    }
    (1000 + c as u32, 0)
}

/// `a.localeCompare(b)`.
pub(crate) fn locale_compare(a: &str, b: &str) -> Ordering {
    let key = |s: &str| -> (Vec<u32>, Vec<u32>) {
        s.chars().map(weights).filter(|(p, _)| *p != 0).unzip()
    };
    let (pa, ta) = key(a);
    let (pb, tb) = key(b);
    pa.cmp(&pb).then_with(|| ta.cmp(&tb))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn like_node() {
        // Each pair as Node orders it (`x.localeCompare(y) < 0`).
        for (x, y) in [
            ("a", "A"),
            ("a/b", "A/c"),
            ("a/b", "ab"),
            ("a", "a/"),
            ("/x/A", "/x/a/b"),
            ("a b", "ab"),
            ("a\tb", "ab"),
            ("a-b", "ab"),
            ("", "a"),
            ("/a@x", "/a/b"),
            ("/9", "/a"),
        ] {
            assert_eq!(locale_compare(x, y), Ordering::Less, "{x} < {y}");
            assert_eq!(locale_compare(y, x), Ordering::Greater, "{y} > {x}");
        }
        assert_eq!(locale_compare("a\u{0}b", "ab"), Ordering::Equal);
    }
}
