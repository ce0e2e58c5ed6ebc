//! Lexical helpers with JavaScript semantics: `Number(text)` and `JSON.parse` of a string literal.

use nom::{
    IResult, Parser,
    branch::alt,
    bytes::complete::{tag, take_while1},
    character::complete::{char, digit0, digit1, one_of},
    combinator::{all_consuming, opt, recognize},
    sequence::pair,
};

/// JavaScript's `Number(text)`, or `None` where it gives `NaN`.
///
/// Accepts what ECMAScript's StringNumericLiteral accepts: surrounding white space, an empty
/// string (0), `Infinity` with an optional sign, decimal literals with optional sign, fraction and
/// exponent, and unsigned `0x`/`0o`/`0b` integers. No `_` separators, no trailing garbage.
pub fn js_number(text: &str) -> Option<f64> {
    let trimmed = text.trim_matches(is_js_whitespace);
    if trimmed.is_empty() {
        return Some(0.0);
    }
    let (_, value) = all_consuming(alt((radix_integer, infinity, decimal)))
        .parse(trimmed)
        .ok()?;
    Some(value)
}

/// White space and line terminators as JavaScript's `String.prototype.trim` sees them.
pub fn is_js_whitespace(c: char) -> bool {
    matches!(
        c,
        '\u{9}' | '\u{a}' | '\u{b}' | '\u{c}' | '\u{d}' | ' ' | '\u{a0}' | '\u{1680}' | '\u{2000}'
            ..='\u{200a}'
                | '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{3000}'
                | '\u{feff}'
    )
}

fn radix_integer(input: &str) -> IResult<&str, f64> {
    let (rest, (prefix, digits)) = pair(
        recognize(pair(char('0'), one_of("xXoObB"))),
        take_while1(|c: char| c.is_ascii_hexdigit()),
    )
    .parse(input)?;
    let radix = match prefix.as_bytes()[1].to_ascii_lowercase() {
        b'x' => 16,
        b'o' => 8,
        _ => 2,
    };
    let mut value = 0.0_f64;
    for c in digits.chars() {
        let Some(digit) = c.to_digit(radix) else {
            return Err(nom::Err::Error(nom::error::Error::new(
                input,
                nom::error::ErrorKind::Digit,
            )));
        };
        value = value * f64::from(radix) + f64::from(digit);
    }
    Ok((rest, value))
}

fn infinity(input: &str) -> IResult<&str, f64> {
    let (rest, sign) = opt(one_of("+-")).parse(input)?;
    let (rest, _) = tag("Infinity").parse(rest)?;
    let value = if sign == Some('-') {
        f64::NEG_INFINITY
    } else {
        f64::INFINITY
    };
    Ok((rest, value))
}

fn decimal(input: &str) -> IResult<&str, f64> {
    let mantissa = alt((
        (digit1, opt((char('.'), digit0))).map(|_| ()),
        (char('.'), digit1).map(|_| ()),
    ));
    let exponent = (one_of("eE"), opt(one_of("+-")), digit1);
    let (rest, _) = (opt(one_of("+-")), mantissa, opt(exponent)).parse(input)?;
    let text = &input[..input.len() - rest.len()];
    // The grammar above is a subset of what Rust's float parser accepts; it never fails here.
    let value = text.trim_start_matches('+').parse::<f64>().map_err(|_| {
        nom::Err::Error(nom::error::Error::new(input, nom::error::ErrorKind::Float))
    })?;
    Ok((rest, value))
}

/// `JSON.parse` of a double-quoted string literal (optionally followed by white space), with
/// V8's error messages (`Bad Unicode escape in JSON at position 3`). Positions are in UTF-16
/// code units of `text`.
pub fn decode_json_string(text: &str) -> Result<String, String> {
    let at = |byte: usize| crate::utf16_index(text, byte);
    let mut chars = text.char_indices().peekable();
    match chars.next() {
        Some((_, '"')) => {}
        _ => return Err("Unexpected token in JSON at position 0".to_owned()),
    }
    let mut out = String::new();
    loop {
        let Some((i, c)) = chars.next() else {
            return Err(format!(
                "Unterminated string in JSON at position {}",
                at(text.len())
            ));
        };
        match c {
            '"' => break,
            '\\' => {
                let Some((j, e)) = chars.next() else {
                    return Err(format!(
                        "Unterminated string in JSON at position {}",
                        at(text.len())
                    ));
                };
                match e {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let unit = hex4(&mut chars).map_err(|bad| {
                            format!("Bad Unicode escape in JSON at position {}", at(bad))
                        })?;
                        push_utf16_unit(&mut out, unit, &mut chars);
                    }
                    _ => {
                        return Err(format!(
                            "Bad escaped character in JSON at position {}",
                            at(j)
                        ));
                    }
                }
            }
            c if u32::from(c) < 0x20 => {
                return Err(format!(
                    "Bad control character in string literal in JSON at position {}",
                    at(i)
                ));
            }
            c => out.push(c),
        }
    }
    for (i, c) in chars {
        if !matches!(c, ' ' | '\t' | '\n' | '\r') {
            return Err(format!(
                "Unexpected non-whitespace character after JSON at position {}",
                at(i)
            ));
        }
    }
    Ok(out)
}

type CharIter<'a> = std::iter::Peekable<std::str::CharIndices<'a>>;

/// Reads four hex digits; on failure returns the byte offset of the offending character.
fn hex4(chars: &mut CharIter<'_>) -> Result<u16, usize> {
    let mut unit = 0u16;
    for _ in 0..4 {
        match chars.peek().copied() {
            Some((_, c)) if c.is_ascii_hexdigit() => {
                chars.next();
                unit = unit * 16 + c.to_digit(16).map_or(0, |d| d as u16);
            }
            Some((i, _)) => return Err(i),
            None => return Err(usize::MAX),
        }
    }
    Ok(unit)
}

/// Appends a UTF-16 code unit, pairing a high surrogate with a following `\uDC00`-style escape.
/// A lone surrogate (which JS would keep) becomes U+FFFD, since Rust strings are UTF-8.
fn push_utf16_unit(out: &mut String, unit: u16, chars: &mut CharIter<'_>) {
    if (0xD800..0xDC00).contains(&unit) {
        let mut lookahead = chars.clone();
        if let (Some((_, '\\')), Some((_, 'u'))) = (lookahead.next(), lookahead.next()) {
            if let Ok(low) = hex4(&mut lookahead) {
                if (0xDC00..0xE000).contains(&low) {
                    *chars = lookahead;
                    let code =
                        0x10000 + ((u32::from(unit) - 0xD800) << 10) + (u32::from(low) - 0xDC00);
                    out.push(char::from_u32(code).unwrap_or('\u{fffd}'));
                    return;
                }
            }
        }
        out.push('\u{fffd}');
    } else {
        out.push(char::from_u32(u32::from(unit)).unwrap_or('\u{fffd}'));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn js_whitespace_is_javascripts_not_unicodes() {
        for c in [
            '\t', '\n', '\u{b}', ' ', '\u{a0}', '\u{2028}', '\u{3000}', '\u{feff}',
        ] {
            assert!(is_js_whitespace(c), "{c:?}");
        }
        // NEXT LINE is Unicode white space (`char::is_whitespace`) but not JavaScript's
        for c in ['\u{85}', 'a', '\u{200b}'] {
            assert!(!is_js_whitespace(c), "{c:?}");
        }
    }

    #[test]
    fn js_number_matches_javascript() {
        let cases: &[(&str, Option<f64>)] = &[
            ("0x10", Some(16.0)),
            ("1e3", Some(1000.0)),
            (".5", Some(0.5)),
            ("5.", Some(5.0)),
            ("+5", Some(5.0)),
            ("-5", Some(-5.0)),
            ("-0x10", None),
            ("0b11", Some(3.0)),
            ("0o7", Some(7.0)),
            ("0o8", None),
            ("1_000", None),
            (" 12 ", Some(12.0)),
            ("Infinity", Some(f64::INFINITY)),
            ("-Infinity", Some(f64::NEG_INFINITY)),
            ("infinity", None),
            ("1e", None),
            ("0x", None),
            ("00012", Some(12.0)),
            ("1.5e+3", Some(1500.0)),
            ("0X1F", Some(31.0)),
            ("", Some(0.0)),
            ("us-east-1", None),
            ("./file.yml", None),
            ("\u{a0}12", Some(12.0)),
        ];
        for (text, expected) in cases {
            assert_eq!(js_number(text), *expected, "Number({text:?})");
        }
    }

    #[test]
    fn json_string_errors_match_v8() {
        assert_eq!(
            decode_json_string(r#""a\nb\u0041""#).as_deref(),
            Ok("a\nbA")
        );
        assert_eq!(
            decode_json_string(r#""\ud83d\ude00"  "#).as_deref(),
            Ok("😀")
        );
        assert_eq!(
            decode_json_string(r#""\u""#),
            Err("Bad Unicode escape in JSON at position 3".to_owned())
        );
        assert_eq!(
            decode_json_string(r#""\u12G4""#),
            Err("Bad Unicode escape in JSON at position 5".to_owned())
        );
        assert_eq!(
            decode_json_string(r#""\x""#),
            Err("Bad escaped character in JSON at position 2".to_owned())
        );
        assert_eq!(
            decode_json_string("\"a\tb\""),
            Err("Bad control character in string literal in JSON at position 2".to_owned())
        );
    }
}
