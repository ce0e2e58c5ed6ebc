//! JavaScript's text forms of values: `Number#toString`, `String(x)`, `JSON.stringify` and
//! js-yaml 4's `dump` (default options, `noRefs`).

use std::borrow::Cow;
use std::fmt::Write;

use crate::Value;

/// JavaScript `Number.prototype.toString()`.
pub fn js_number_to_string(n: f64) -> String {
    if n.is_nan() {
        return "NaN".into();
    }
    if n.is_infinite() {
        return if n > 0.0 {
            "Infinity".into()
        } else {
            "-Infinity".into()
        };
    }
    if n == 0.0 {
        return "0".into();
    }
    let sci = format!("{:e}", n.abs());
    let (mantissa, exp) = sci.split_once('e').unwrap_or((&sci, "0"));
    let exp: i32 = exp.parse().unwrap_or(0);
    let digits: String = mantissa.chars().filter(char::is_ascii_digit).collect();
    let k = digits.len() as i32;
    let point = exp + 1;
    let sign = if n < 0.0 { "-" } else { "" };
    let body = if k <= point && point <= 21 {
        format!("{digits}{}", "0".repeat((point - k) as usize))
    } else if 0 < point && point <= 21 {
        format!(
            "{}.{}",
            &digits[..point as usize],
            &digits[point as usize..]
        )
    } else if -6 < point && point <= 0 {
        format!("0.{}{digits}", "0".repeat((-point) as usize))
    } else {
        let e = point - 1;
        let e = if e >= 0 {
            format!("+{e}")
        } else {
            e.to_string()
        };
        if k == 1 {
            format!("{digits}e{e}")
        } else {
            format!("{}.{}e{e}", &digits[..1], &digits[1..])
        }
    };
    format!("{sign}{body}")
}

/// JavaScript `String(value)` for a variable spliced into a string; `None` for `null` and
/// plain objects (v3 rejects those).
pub fn js_to_string(value: &Value) -> Option<String> {
    match value {
        Value::Null | Value::Object(_) => None,
        Value::Bool(b) => Some(b.to_string()),
        Value::Number(n) => Some(js_number_to_string(*n)),
        Value::String(s) => Some(s.clone()),
        Value::Array(items) => Some(js_array_join(items, ",")),
    }
}

/// JavaScript `Array.prototype.join`.
pub fn js_array_join(items: &[Value], separator: &str) -> String {
    let mut out = String::new();
    for (i, item) in items.iter().enumerate() {
        if i > 0 {
            out.push_str(separator);
        }
        match item {
            Value::Null => {}
            Value::Object(_) => out.push_str("[object Object]"),
            other => out.push_str(&js_to_string(other).unwrap_or_default()),
        }
    }
    out
}

fn json_string(out: &mut String, s: &str) {
    out.push('"');
    // Runs of characters that need no escape are copied whole (the escaped ones are ASCII).
    let bytes = s.as_bytes();
    let mut run = 0;
    while let Some(offset) = bytes[run..]
        .iter()
        .position(|&b| b < 0x20 || b == b'"' || b == b'\\')
    {
        let at = run + offset;
        let byte = bytes[at];
        let escape = match byte {
            b'"' => "\\\"",
            b'\\' => "\\\\",
            0x08 => "\\b",
            0x0c => "\\f",
            b'\n' => "\\n",
            b'\r' => "\\r",
            b'\t' => "\\t",
            _ => "",
        };
        out.push_str(&s[run..at]);
        if escape.is_empty() {
            let _ = write!(out, "\\u{:04x}", byte);
        } else {
            out.push_str(escape);
        }
        run = at + 1;
    }
    out.push_str(&s[run..]);
    out.push('"');
}

fn json_number(n: f64) -> String {
    if n.is_finite() {
        js_number_to_string(n)
    } else {
        "null".into()
    }
}

/// `JSON.stringify(value)`.
pub fn to_json_compact(value: &Value) -> String {
    let mut out = String::new();
    json(&mut out, value, None, 0);
    out
}

/// [`to_json_compact`], appended to `out`.
pub fn write_json_compact(out: &mut String, value: &Value) {
    json(out, value, None, 0);
}

/// `JSON.stringify(value, null, 2)`.
pub fn to_json_pretty(value: &Value) -> String {
    let mut out = String::new();
    json(&mut out, value, Some(2), 0);
    out
}

/// Collections with this many entries or more are written in two halves on two threads
/// (the `functions` of a large service); the text is the same.
const PARALLEL_ENTRIES: usize = 512;

fn json(out: &mut String, value: &Value, indent: Option<usize>, depth: usize) {
    // Only the pretty text (`print`'s output) is split: the compact one also writes the
    // resolver's cache keys, many times and mostly small.
    json_value(out, value, indent, depth, indent.is_some());
}

/// `split`: whether a large collection may be written in two halves (once: not inside a half).
fn json_value(out: &mut String, value: &Value, indent: Option<usize>, depth: usize, split: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&json_number(*n)),
        Value::String(s) => json_string(out, s),
        Value::Array(items) if items.is_empty() => out.push_str("[]"),
        Value::Object(map) if map.is_empty() => out.push_str("{}"),
        Value::Array(items) => {
            out.push('[');
            write_in_halves(out, items.len(), split, &|out, range, split| {
                for (i, item) in range.clone().zip(&items[range]) {
                    if i > 0 {
                        out.push(',');
                    }
                    json_newline(out, indent, depth + 1);
                    json_value(out, item, indent, depth + 1, split);
                }
            });
            json_newline(out, indent, depth);
            out.push(']');
        }
        Value::Object(map) => {
            out.push('{');
            write_in_halves(out, map.len(), split, &|out, range, split| {
                for (i, (key, item)) in range.clone().zip(&map.as_slice()[range]) {
                    if i > 0 {
                        out.push(',');
                    }
                    json_newline(out, indent, depth + 1);
                    json_string(out, key);
                    out.push(':');
                    if indent.is_some() {
                        out.push(' ');
                    }
                    json_value(out, item, indent, depth + 1, split);
                }
            });
            json_newline(out, indent, depth);
            out.push('}');
        }
    }
}

/// `write(out, entries, split)` over the entries `0..len` of a collection: in two halves on two
/// threads when it is large and `split` allows (the second half into its own buffer, appended),
/// else at once.
fn write_in_halves(
    out: &mut String,
    len: usize,
    split: bool,
    write: &(dyn Fn(&mut String, std::ops::Range<usize>, bool) + Sync),
) {
    if split && len >= PARALLEL_ENTRIES {
        let middle = len / 2;
        let ((), tail) = crate::parallel::join(
            || write(out, 0..middle, false),
            || {
                let mut tail = String::new();
                write(&mut tail, middle..len, false);
                tail
            },
        );
        out.push_str(&tail);
    } else {
        write(out, 0..len, split);
    }
}

/// A line break and the indentation of `depth` (pretty output only).
fn json_newline(out: &mut String, indent: Option<usize>, depth: usize) {
    if let Some(step) = indent {
        out.push('\n');
        pad(out, step * depth);
    }
}

/// js-yaml 4 `dump(value, { noRefs: true })`.
pub fn to_yaml(value: &Value) -> String {
    let mut out = String::new();
    match value {
        Value::Object(map) if !map.is_empty() => yaml_map(&mut out, map, 0),
        Value::Array(items) if !items.is_empty() => yaml_seq(&mut out, items, 0),
        scalar => {
            yaml_scalar(&mut out, scalar, 2, false);
            out.push('\n');
        }
    }
    out
}

fn pad(out: &mut String, mut n: usize) {
    const SPACES: &str = "                                                                ";
    while n > 0 {
        let step = n.min(SPACES.len());
        out.push_str(&SPACES[..step]);
        n -= step;
    }
}

fn yaml_map(out: &mut String, map: &crate::Map, indent: usize) {
    let mut first = true;
    for (key, value) in map {
        if !first {
            pad(out, indent);
        }
        first = false;
        let mut dumped = String::new();
        yaml_string(&mut dumped, key, indent, true);
        // js-yaml writes a key longer than 1024 UTF-16 units as an explicit pair (`? key`, then
        // `: value` on the next line, collections starting on that line).
        if dumped.encode_utf16().count() > 1024 {
            out.push_str("? ");
            out.push_str(&dumped);
            out.push('\n');
            pad(out, indent);
            out.push(':');
            match value {
                Value::Object(map) if !map.is_empty() => {
                    out.push(' ');
                    yaml_map(out, map, indent + 2);
                }
                Value::Array(items) if !items.is_empty() => {
                    out.push(' ');
                    yaml_seq(out, items, indent + 2);
                }
                scalar => yaml_child(out, scalar, indent),
            }
            continue;
        }
        out.push_str(&dumped);
        out.push(':');
        yaml_child(out, value, indent);
    }
}

/// The value after `key:`: inline for scalars and empty collections, else on the next lines.
fn yaml_child(out: &mut String, value: &Value, indent: usize) {
    match value {
        Value::Object(map) if !map.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            yaml_map(out, map, indent + 2);
        }
        Value::Array(items) if !items.is_empty() => {
            out.push('\n');
            pad(out, indent + 2);
            yaml_seq(out, items, indent + 2);
        }
        scalar => {
            out.push(' ');
            yaml_scalar(out, scalar, indent + 2, false);
            out.push('\n');
        }
    }
}

fn yaml_seq(out: &mut String, items: &[Value], indent: usize) {
    let mut first = true;
    for item in items {
        if !first {
            pad(out, indent);
        }
        first = false;
        out.push('-');
        match item {
            Value::Object(map) if !map.is_empty() => {
                out.push(' ');
                yaml_map(out, map, indent + 2);
            }
            Value::Array(inner) if !inner.is_empty() => {
                out.push(' ');
                yaml_seq(out, inner, indent + 2);
            }
            scalar => {
                out.push(' ');
                yaml_scalar(out, scalar, indent + 2, false);
                out.push('\n');
            }
        }
    }
}

fn yaml_scalar(out: &mut String, value: &Value, indent: usize, key: bool) {
    match value {
        Value::Null => out.push_str("null"),
        Value::Bool(b) => out.push_str(if *b { "true" } else { "false" }),
        Value::Number(n) => out.push_str(&yaml_number(*n)),
        Value::String(s) => yaml_string(out, s, indent, key),
        Value::Array(_) => out.push_str("[]"),
        Value::Object(_) => out.push_str("{}"),
    }
}

fn yaml_number(n: f64) -> String {
    if n.is_nan() {
        return ".nan".into();
    }
    if n.is_infinite() {
        return if n > 0.0 {
            ".inf".into()
        } else {
            "-.inf".into()
        };
    }
    if n == 0.0 && n.is_sign_negative() {
        return "-0.0".into();
    }
    let text = js_number_to_string(n);
    // js-yaml's `int` type claims every integral number first (`1e21 % 1 === 0`) and writes
    // `toString(10)`; only the `float` type adds a dot before the exponent.
    if n.fract() == 0.0 {
        return text;
    }
    match text.find('e') {
        Some(i) if !text[..i].contains('.') => format!("{}.{}", &text[..i], &text[i..]),
        _ => text,
    }
}

fn is_printable(c: char) -> bool {
    let c = c as u32;
    (0x20..=0x7e).contains(&c)
        || ((0xa1..=0xd7ff).contains(&c) && c != 0x2028 && c != 0x2029)
        || ((0xe000..=0xfffd).contains(&c) && c != 0xfeff)
        || (0x10000..=0x10ffff).contains(&c)
}

fn is_ns_char_or_space(c: char) -> bool {
    is_printable(c) && c != '\u{feff}' && c != '\r' && c != '\n'
}

fn is_white(c: char) -> bool {
    c == ' ' || c == '\t'
}

fn plain_safe(c: char, prev: Option<char>, in_block: bool) -> bool {
    let ns_or_space = is_ns_char_or_space(c);
    let ns = ns_or_space && !is_white(c);
    ((if in_block {
        ns_or_space
    } else {
        ns_or_space && !matches!(c, ',' | '[' | ']' | '{' | '}')
    }) && c != '#'
        && (prev != Some(':') || ns))
        || (prev.is_some_and(|p| is_ns_char_or_space(p) && !is_white(p)) && c == '#')
        || (prev == Some(':') && ns)
}

fn plain_safe_first(c: char) -> bool {
    is_printable(c) && c != '\u{feff}' && !is_white(c) && !"-?:,[]{}#&*!|=>'\"%@`".contains(c)
}

/// Strings a YAML reader (core schema, plus YAML 1.1 booleans js-yaml guards) takes for
/// something other than a string.
fn ambiguous(s: &str) -> bool {
    const WORDS: &[&str] = &[
        "~", "null", "Null", "NULL", "true", "True", "TRUE", "false", "False", "FALSE", "y", "Y",
        "yes", "Yes", "YES", "on", "On", "ON", "n", "N", "no", "No", "NO", "off", "Off", "OFF",
        "<<", ".inf", ".Inf", ".INF", "+.inf", "+.Inf", "+.INF", "-.inf", "-.Inf", "-.INF", ".nan",
        ".NaN", ".NAN",
    ];
    WORDS.contains(&s) || looks_numeric(s) || looks_timestamp(s)
}

/// js-yaml's `DEPRECATED_BASE60_SYNTAX`: `/^[-+]?[0-9_]+(?::[0-9_]+)+(?:\.[0-9_]*)?$/`.
fn deprecated_base60(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    let (head, fraction) = match body.find('.') {
        Some(i) => (&body[..i], Some(&body[i + 1..])),
        None => (body, None),
    };
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit() || b == b'_');
    let mut groups = head.split(':');
    let first = groups.next().is_some_and(digits);
    let mut rest = 0;
    let rest_ok = groups.all(|g| {
        rest += 1;
        digits(g)
    });
    first
        && rest > 0
        && rest_ok
        && fraction.is_none_or(|f| f.bytes().all(|b| b.is_ascii_digit() || b == b'_'))
}

/// js-yaml's implicit `int` or `float` resolver accepts `s` (`resolveYamlInteger`,
/// `resolveYamlFloat`): what the dumper must quote so the string reads back as a string.
fn looks_numeric(s: &str) -> bool {
    yaml_int(s) || yaml_float(s)
}

/// `resolveYamlInteger`: an optional sign, then `0`, `0b…`, `0x…`, `0o…` or decimal digits, and
/// the value finite (`parseInt` of a very long digit run is `Infinity`, which does not count).
fn yaml_int(s: &str) -> bool {
    let body = s.strip_prefix(['-', '+']).unwrap_or(s);
    if body.is_empty() {
        return false;
    }
    if body == "0" {
        return true;
    }
    let (digits, radix) = match body.as_bytes() {
        [b'0', b'b', rest @ ..] => (rest, 2),
        [b'0', b'x', rest @ ..] => (rest, 16),
        [b'0', b'o', rest @ ..] => (rest, 8),
        _ => (body.as_bytes(), 10),
    };
    if digits.is_empty() {
        return false;
    }
    let mut value = 0.0_f64;
    for &b in digits {
        let Some(d) = char::from(b).to_digit(radix) else {
            return false;
        };
        value = value * f64::from(radix) + f64::from(d);
    }
    value.is_finite()
}

/// `resolveYamlFloat`: `YAML_FLOAT_PATTERN`
/// (`[-+]?[0-9]+(\.[0-9]*)?([eE][-+]?[0-9]+)?`, `\.[0-9]+([eE][-+]?[0-9]+)?`,
/// `[-+]?\.(inf|Inf|INF)`, `\.(nan|NaN|NAN)`), and a finite value unless it is one of the
/// special forms.
fn yaml_float(s: &str) -> bool {
    let special = {
        let unsigned = s.strip_prefix(['-', '+']).unwrap_or(s);
        matches!(unsigned, ".inf" | ".Inf" | ".INF") || matches!(s, ".nan" | ".NaN" | ".NAN")
    };
    if special {
        return true;
    }
    let digits = |t: &str| !t.is_empty() && t.bytes().all(|b| b.is_ascii_digit());
    let (mantissa, exponent) = match s.find(['e', 'E']) {
        Some(i) => (&s[..i], Some(&s[i + 1..])),
        None => (s, None),
    };
    let exponent_ok = exponent.is_none_or(|e| digits(e.strip_prefix(['-', '+']).unwrap_or(e)));
    let mantissa_ok = if let Some(fraction) = mantissa.strip_prefix('.') {
        digits(fraction)
    } else {
        let unsigned = mantissa.strip_prefix(['-', '+']).unwrap_or(mantissa);
        match unsigned.split_once('.') {
            Some((int, fraction)) => digits(int) && (fraction.is_empty() || digits(fraction)),
            None => digits(unsigned),
        }
    };
    mantissa_ok && exponent_ok && s.parse::<f64>().is_ok_and(f64::is_finite)
}

/// js-yaml's `resolveYamlTimestamp`: `YAML_DATE_REGEXP` (`YYYY-MM-DD`) or
/// `YAML_TIMESTAMP_REGEXP` (`YYYY-M-D`, `T`/`t`/blanks, `H:MM:SS`, `.fraction`, blanks and
/// `Z` or `±H[:MM]`), both anchored at the end.
fn looks_timestamp(s: &str) -> bool {
    fn take_digits(s: &str, min: usize, max: usize) -> Option<&str> {
        let n = s.bytes().take(max).take_while(u8::is_ascii_digit).count();
        (n >= min).then(|| &s[n..])
    }
    fn date(s: &str, min: usize) -> Option<&str> {
        let s = take_digits(s, 4, 4)?;
        let s = take_digits(s.strip_prefix('-')?, min, 2)?;
        take_digits(s.strip_prefix('-')?, min, 2)
    }
    if date(s, 2).is_some_and(str::is_empty) {
        return true;
    }
    let timestamp = || -> Option<()> {
        let s = date(s, 1)?;
        let s = match s.strip_prefix(['T', 't']) {
            Some(rest) => rest,
            None => {
                let rest = s.trim_start_matches([' ', '\t']);
                (rest.len() < s.len()).then_some(rest)?
            }
        };
        let s = take_digits(s, 1, 2)?;
        let s = take_digits(s.strip_prefix(':')?, 2, 2)?;
        let mut s = take_digits(s.strip_prefix(':')?, 2, 2)?;
        if let Some(rest) = s.strip_prefix('.') {
            s = rest.trim_start_matches(|c: char| c.is_ascii_digit());
        }
        if s.is_empty() {
            return Some(());
        }
        let s = s.trim_start_matches([' ', '\t']);
        if s == "Z" {
            return Some(());
        }
        let s = take_digits(s.strip_prefix(['-', '+'])?, 1, 2)?;
        let s = match s.strip_prefix(':') {
            Some(rest) => take_digits(rest, 2, 2)?,
            None => s,
        };
        s.is_empty().then_some(())
    };
    timestamp().is_some()
}

/// js-yaml's `foldLine`: break at spaces so lines stay within `width`. Greedy: the longest
/// piece within the width, else the shortest over it; never before a space (a more-indented
/// line would mean a line break). Lengths count UTF-16 units, as JavaScript strings do.
fn fold_line(line: &str, width: usize) -> String {
    if line.is_empty() || line.starts_with(' ') {
        return line.to_owned();
    }
    // (UTF-16 index, byte offset) of a space that is followed by something else
    let mut breaks = Vec::new();
    let mut units = 0;
    let mut chars = line.char_indices().peekable();
    while let Some((at, c)) = chars.next() {
        if c == ' ' && chars.peek().is_some_and(|&(_, n)| n != ' ') {
            breaks.push((units, at));
        }
        units += c.len_utf16();
    }
    let (mut start, mut curr) = ((0usize, 0usize), (0usize, 0usize));
    let mut result = String::new();
    for next in breaks {
        if next.0 - start.0 > width {
            let end = if curr.0 > start.0 { curr } else { next };
            result.push('\n');
            result.push_str(&line[start.1..end.1]);
            // the space becomes the line break
            start = (end.0 + 1, end.1 + 1);
        }
        curr = next;
    }
    result.push('\n');
    if units - start.0 > width && curr.0 > start.0 {
        result.push_str(&line[start.1..curr.1]);
        result.push('\n');
        result.push_str(&line[curr.1 + 1..]);
    } else {
        result.push_str(&line[start.1..]);
    }
    result[1..].to_owned()
}

/// js-yaml's `foldString`: every line folded; in folded style a single line break between two
/// lines that are not more-indented must be written twice.
fn fold_string(s: &str, width: usize) -> String {
    let mut lines = s.split('\n');
    let mut result = fold_line(lines.next().unwrap_or_default(), width);
    let mut prev_more_indented = s.starts_with(['\n', ' ']);
    let mut breaks = 0;
    for line in lines {
        breaks += 1;
        if line.is_empty() {
            // one more line break of the run (at the end: the string's trailing breaks)
            continue;
        }
        let more_indented = line.starts_with(' ');
        result.push_str(&"\n".repeat(breaks));
        if !prev_more_indented && !more_indented {
            result.push('\n');
        }
        result.push_str(&fold_line(line, width));
        prev_more_indented = more_indented;
        breaks = 0;
    }
    // trailing line breaks: `(\n+)` then an empty line
    result.push_str(&"\n".repeat(breaks));
    result
}

fn block_header(s: &str) -> String {
    let mut header = String::new();
    // js-yaml's `needIndentIndicator`: `/^\n* /`.
    if s.trim_start_matches('\n').starts_with(' ') {
        header.push('2');
    }
    let clip = s.ends_with('\n');
    let keep = clip && (s.len() == 1 || s[..s.len() - 1].ends_with('\n'));
    header.push(if keep {
        '+'
    } else if clip {
        '\0'
    } else {
        '-'
    });
    header.retain(|c| c != '\0');
    header
}

fn indent_lines(out: &mut String, text: &str, indent: usize) {
    for line in text.split('\n') {
        out.push('\n');
        if !line.is_empty() {
            pad(out, indent);
            out.push_str(line);
        }
    }
}

fn yaml_string(out: &mut String, s: &str, indent: usize, key: bool) {
    if s.is_empty() {
        out.push_str("''");
        return;
    }
    // js-yaml's compat mode quotes YAML 1.1 booleans and base-60 numbers before anything else.
    if deprecated_base60(s) {
        out.push('\'');
        out.push_str(s);
        out.push('\'');
        return;
    }
    let width = 80usize.saturating_sub(indent).max(40);
    let chars: Vec<char> = s.chars().collect();
    let mut plain = plain_safe_first(chars[0]) && !is_white(chars[chars.len() - 1]);
    let mut printable = true;
    let mut prev = None;
    // js-yaml's `chooseScalarStyle`: positions count UTF-16 units; a line is foldable when it
    // is longer than the width and not more-indented (keys are never written as blocks)
    let mut line_break = false;
    let mut foldable = false;
    let mut line_start = 0usize;
    let mut line_first = chars[0];
    let mut units = 0usize;
    for (i, &c) in chars.iter().enumerate() {
        if c == '\n' {
            if key {
                printable = false;
            }
            line_break = true;
            foldable |= units - line_start > width && line_first != ' ';
            line_start = units + 1;
            line_first = chars.get(i + 1).copied().unwrap_or('\n');
        } else if !is_printable(c) {
            printable = false;
        }
        // js-yaml's `inblock` is true for block mapping keys too: only flow style clears it.
        if i > 0 && !plain_safe(c, prev, true) {
            plain = false;
        }
        prev = Some(c);
        units += c.len_utf16();
    }
    foldable |= units - line_start > width && line_first != ' ';
    let foldable = foldable && !key;
    if let Some(&last) = chars.last() {
        if is_white(last) || last == ':' {
            plain = false;
        }
    }
    if !printable {
        double_quoted(out, s);
        return;
    }
    if !line_break && !foldable {
        if plain && !ambiguous(s) {
            out.push_str(s);
        } else {
            out.push('\'');
            out.push_str(&s.replace('\'', "''"));
            out.push('\'');
        }
        return;
    }
    let text = if foldable {
        out.push('>');
        Cow::Owned(fold_string(s, width))
    } else {
        out.push('|');
        Cow::Borrowed(s)
    };
    out.push_str(&block_header(s));
    let body = text.strip_suffix('\n').unwrap_or(&text);
    indent_lines(out, body, indent);
}

fn double_quoted(out: &mut String, s: &str) {
    out.push('"');
    for c in s.chars() {
        match c {
            '\0' => out.push_str("\\0"),
            '\u{7}' => out.push_str("\\a"),
            '\u{8}' => out.push_str("\\b"),
            '\t' => out.push_str("\\t"),
            '\n' => out.push_str("\\n"),
            '\u{b}' => out.push_str("\\v"),
            '\u{c}' => out.push_str("\\f"),
            '\r' => out.push_str("\\r"),
            '\u{1b}' => out.push_str("\\e"),
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\u{85}' => out.push_str("\\N"),
            '\u{a0}' => out.push_str("\\_"),
            '\u{2028}' => out.push_str("\\L"),
            '\u{2029}' => out.push_str("\\P"),
            c if is_printable(c) => out.push(c),
            c if (c as u32) <= 0xff => {
                let _ = write!(out, "\\x{:02X}", c as u32);
            }
            c => {
                let _ = write!(out, "\\u{:04X}", c as u32);
            }
        }
    }
    out.push('"');
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn large_collections_written_in_halves_give_the_same_text() {
        let entry = |i: usize| {
            let mut inner = crate::Map::default();
            inner.insert("name".into(), Value::String(format!("fn-{i}\n\"quoted\"")));
            inner.insert("size".into(), Value::Number(i as f64 / 4.0));
            inner.insert(
                "events".into(),
                Value::Array(vec![Value::Null, Value::Bool(i % 2 == 0)]),
            );
            inner.insert("empty".into(), Value::Object(crate::Map::default()));
            Value::Object(inner)
        };
        // Around the threshold, and a large array of large collections (not split again).
        for n in [
            PARALLEL_ENTRIES - 1,
            PARALLEL_ENTRIES,
            2 * PARALLEL_ENTRIES + 3,
        ] {
            let map: crate::Map = (0..n).map(|i| (format!("f{i}"), entry(i))).collect();
            let items: Vec<Value> = (0..n).map(entry).collect();
            let nested: Vec<Value> = (0..n)
                .map(|i| {
                    if i % 100 == 0 {
                        Value::Array(items.clone())
                    } else {
                        entry(i)
                    }
                })
                .collect();
            let mut root = crate::Map::default();
            root.insert("functions".into(), Value::Object(map));
            root.insert("list".into(), Value::Array(items));
            root.insert("nested".into(), Value::Array(nested));
            root.insert("empty".into(), Value::Array(Vec::new()));
            let root = Value::Object(root);
            for indent in [None, Some(2)] {
                let mut whole = String::new();
                json_value(&mut whole, &root, indent, 0, false);
                let mut halves = String::new();
                json_value(&mut halves, &root, indent, 0, true);
                assert!(whole.contains(&format!("\"f{}\"", n - 1)), "{n} {indent:?}");
                assert!(halves == whole, "{n} entries, {indent:?}: the texts differ");
            }
        }
    }

    #[test]
    fn numbers_print_like_javascript() {
        for (n, s) in [
            (1.5, "1.5"),
            (1e21, "1e+21"),
            (1.5e-7, "1.5e-7"),
            (123456789012345680000.0, "123456789012345680000"),
            (0.1 + 0.2, "0.30000000000000004"),
            (-5.0, "-5"),
            (1e-6, "0.000001"),
        ] {
            assert_eq!(js_number_to_string(n), s);
        }
        assert_eq!(yaml_number(1e21), "1e+21");
        assert_eq!(yaml_number(1.5e21), "1.5e+21");
        assert_eq!(yaml_number(1e-7), "1.e-7");
    }

    /// Regression: strings that merely start like a date or a number were quoted; js-yaml quotes
    /// only what its anchored `timestamp`, `int` and `float` resolvers accept (outputs recorded
    /// from js-yaml's `dump`).
    #[test]
    fn yaml_quotes_only_what_js_yaml_resolves_as_timestamp_or_number() {
        let s = |t: &str| to_yaml(&Value::String(t.into()));
        for (text, dumped) in [
            ("2024-01-01", "'2024-01-01'\n"),
            ("2024-01-01x", "2024-01-01x\n"),
            ("2024-1-1", "2024-1-1\n"),
            ("2024-1-1 1:00:00", "'2024-1-1 1:00:00'\n"),
            ("2024-01-01T10:00", "2024-01-01T10:00\n"),
            ("2024-01-01T10:00:00Zx", "2024-01-01T10:00:00Zx\n"),
            ("2024-01-01T10:00:00 Z", "'2024-01-01T10:00:00 Z'\n"),
            (
                "2024-01-01t10:00:00.5+01:00",
                "'2024-01-01t10:00:00.5+01:00'\n",
            ),
            ("+.5", "+.5\n"),
            (".5", "'.5'\n"),
            ("1e400", "1e400\n"),
            ("0x", "0x\n"),
            ("0b2", "0b2\n"),
            ("1.", "'1.'\n"),
            ("+1.e3", "'+1.e3'\n"),
            ("1_000", "1_000\n"),
        ] {
            assert_eq!(s(text), dumped, "{text:?}");
        }
    }

    /// Regression: js-yaml writes a key longer than 1024 characters as an explicit pair.
    #[test]
    fn yaml_long_keys_are_explicit_pairs() {
        let key = "k".repeat(1030);
        let mut inner = crate::Map::default();
        inner.insert("x".into(), Value::Number(1.0));
        let mut map = crate::Map::default();
        map.insert(key.clone(), Value::Object(inner));
        map.insert("k".repeat(1024), Value::Number(2.0));
        let mut root = crate::Map::default();
        root.insert("a".into(), Value::Object(map));
        assert_eq!(
            to_yaml(&Value::Object(root)),
            format!("a:\n  ? {key}\n  : x: 1\n  {}: 2\n", "k".repeat(1024))
        );
    }

    #[test]
    fn yaml_quotes_ambiguous_strings() {
        let s = |t: &str| to_yaml(&Value::String(t.into()));
        assert_eq!(s("123"), "'123'\n");
        assert_eq!(s("yes"), "'yes'\n");
        assert_eq!(s("AWS::S3::Bucket"), "AWS::S3::Bucket\n");
        assert_eq!(
            s("2020-01-01T00:00:00.000Z"),
            "'2020-01-01T00:00:00.000Z'\n"
        );
        assert_eq!(s("it's: x"), "'it''s: x'\n");
        assert_eq!(s("a\nb"), "|-\n  a\n  b\n");
    }
}
