//! The text handed to saphyr, with small, position-tracked edits where saphyr is stricter
//! than js-yaml:
//! - a byte order mark after the first character is content for js-yaml; saphyr rejects it,
//!   so it is swapped for a placeholder and restored in scalar values;
//! - UTF-16 surrogate escapes in double-quoted scalars (`"\ud83d\ude00"`) are combined (or
//!   turned into U+FFFD when unpaired) where saphyr reports them;
//! - a tab right after a mapping's `:` is separation space for js-yaml; saphyr rejects it
//!   where it reports it, so it becomes a space;
//! - js-yaml reads a block collection on the `---` line (`--- a: 1`); where saphyr reports
//!   such a line, the content moves to the next line at the same column;
//! - after an empty block sequence entry (`-` and a line break), js-yaml takes the next
//!   `- ` line as an entry of the same sequence even when it is less indented (a js-yaml
//!   bug Serverless inherits); that entry's lines are indented to the sequence's column;
//! - js-yaml does not check the indentation of continuation lines inside quoted scalars and
//!   flow collections (where indentation carries no meaning); where saphyr reports such a
//!   line, spaces are inserted before it;
//! - YAML 1.2 limits an implicit key (`key: value`) to 1024 characters and saphyr enforces it,
//!   js-yaml does not: a longer block mapping key that starts its line becomes an explicit one
//!   (`? key`, then `:` on the next line at the key's column).
//!
//! Character indices of the edited text map back to byte offsets of the original text.

use std::borrow::Cow;

use saphyr_parser::ScanError;

/// Stands in for U+FEFF inside the document.
pub(crate) const BOM_PLACEHOLDER: char = '\u{FFFC}';
const BOM: char = '\u{FEFF}';

/// One replacement of an original byte range.
#[derive(Debug, Clone, PartialEq, Eq)]
struct Edit {
    start: usize,
    end: usize,
    with: String,
}

pub(crate) struct Working<'a> {
    original: &'a str,
    edits: Vec<Edit>,
    /// The edited text (the original itself while nothing is edited).
    pub text: Cow<'a, str>,
    /// `table[i]`: original byte offset of edited character `i`; `None` when the edited text
    /// is the original and ASCII.
    table: Option<Vec<usize>>,
}

impl<'a> Working<'a> {
    pub(crate) fn new(original: &'a str) -> Self {
        let edits = original
            .char_indices()
            .skip(1)
            .filter(|(_, c)| *c == BOM)
            .map(|(at, c)| Edit {
                start: at,
                end: at + c.len_utf8(),
                with: BOM_PLACEHOLDER.to_string(),
            })
            .collect();
        let mut working = Working {
            original,
            edits,
            text: Cow::Borrowed(""),
            table: None,
        };
        working.rebuild();
        working
    }

    fn rebuild(&mut self) {
        self.edits.sort_by_key(|e| (e.start, e.end));
        if self.edits.is_empty() && self.original.is_ascii() {
            self.text = Cow::Borrowed(self.original);
            self.table = None;
            return;
        }
        let mut text = String::with_capacity(self.original.len());
        let mut table = Vec::with_capacity(self.original.len() + 1);
        let mut at = 0;
        for edit in &self.edits {
            if edit.start < at || edit.end > self.original.len() {
                continue;
            }
            let unchanged = &self.original[at..edit.start];
            table.extend(unchanged.char_indices().map(|(i, _)| at + i));
            text.push_str(unchanged);
            table.extend(edit.with.chars().map(|_| edit.start));
            text.push_str(&edit.with);
            at = edit.end;
        }
        let rest = &self.original[at..];
        table.extend(rest.char_indices().map(|(i, _)| at + i));
        text.push_str(rest);
        table.push(self.original.len());
        self.text = Cow::Owned(text);
        self.table = Some(table);
    }

    /// The original byte offset of edited character `index`.
    pub(crate) fn byte(&self, index: usize) -> usize {
        match &self.table {
            None => index.min(self.original.len()),
            Some(table) => table.get(index).copied().unwrap_or(self.original.len()),
        }
    }

    /// Tries to work around a saphyr error js-yaml would not raise; returns whether the
    /// text changed (parse again). `flow_start` is where the outermost flow collection open
    /// at the error starts, if any.
    pub(crate) fn fix(&mut self, error: &ScanError, flow_start: Option<usize>) -> bool {
        let at = self.byte(error.marker().index());
        let edits = match error.info() {
            "while parsing a quoted scalar, found invalid Unicode character escape code" => {
                surrogate_edits(self.original, at)
            }
            "':' must be followed by a valid YAML whitespace" => tab_after_colon(self.original, at),
            "mapping values are not allowed in this context" => {
                let edits = content_after_document_start(self.original, at);
                if edits.is_empty() {
                    long_implicit_key(self.original, at)
                } else {
                    edits
                }
            }
            "block sequence entries are not allowed in this context" => {
                content_after_document_start(self.original, at)
            }
            "invalid indentation in quoted scalar" => quoted_indentation(self.original, at),
            "invalid indentation" | "invalid indentation in flow construct" => flow_start
                .filter(|opener| inside_flow(self.original, *opener, at))
                .map(|opener| flow_indentation(self.original, opener, at))
                .unwrap_or_default(),
            _ => Vec::new(),
        };
        let before = self.edits.len();
        for edit in edits {
            let overlaps = self.edits.iter().any(|e| {
                (e.start < edit.end && edit.start < e.end)
                    || (e.start == edit.start && e.end == edit.end)
            });
            if !overlaps {
                self.edits.push(edit);
            }
        }
        if self.edits.len() == before {
            return false;
        }
        self.rebuild();
        true
    }
}

impl Working<'_> {
    /// Spaces inserted (by earlier absorptions) at the start of the line at `line`.
    fn inserted_at(&self, line: usize) -> usize {
        self.edits
            .iter()
            .filter(|e| e.start == line && e.end == line)
            .map(|e| e.with.len())
            .sum()
    }

    /// For the empty block sequence entry whose `-` is at `dash` (an original byte offset):
    /// the line of the next entry, which js-yaml absorbs into the same sequence because it
    /// is a less indented `- ` line (after blank and comment lines); with the sequence's
    /// column and that line's indentation, both as currently edited.
    pub(crate) fn absorbed_entry(&self, dash: usize) -> Option<(usize, usize, usize)> {
        let text = self.original;
        let b = text.as_bytes();
        if b.get(dash) != Some(&b'-') {
            return None;
        }
        // The entry may follow other compact entries on its line (`- - -`).
        let (line, _) = line_indent(text, dash);
        if !b[line..dash].iter().all(|c| matches!(c, b' ' | b'-')) {
            return None;
        }
        let column = dash - line + self.inserted_at(line);
        let mut at = dash + 1;
        // The rest of the entry's line: white space and an optional comment.
        while at < b.len() && matches!(b[at], b' ' | b'\t') {
            at += 1;
        }
        if b.get(at) == Some(&b'#') {
            while at < b.len() && !matches!(b[at], b'\n' | b'\r') {
                at += 1;
            }
        }
        if !matches!(b.get(at), Some(b'\n' | b'\r')) {
            return None;
        }
        loop {
            while at < b.len() && matches!(b[at], b'\n' | b'\r') {
                at += 1;
            }
            let start = at;
            while at < b.len() && b[at] == b' ' {
                at += 1;
            }
            match b.get(at) {
                None => return None,
                Some(b'\n' | b'\r') => {}
                Some(b'#') => {
                    while at < b.len() && !matches!(b[at], b'\n' | b'\r') {
                        at += 1;
                    }
                }
                Some(b'-') => {
                    let separated =
                        matches!(b.get(at + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r'));
                    let indent = at - start + self.inserted_at(start);
                    return (separated && indent < column).then_some((start, column, indent));
                }
                Some(_) => return None,
            }
        }
    }

    /// Applies js-yaml's absorption of the entry following the empty entry whose `-` is at
    /// `dash`: the entry's `- ` line and the following lines indented deeper than it move
    /// to the sequence's column. Returns whether the text changed.
    pub(crate) fn absorb(&mut self, dash: usize) -> bool {
        let Some((first, column, indent)) = self.absorbed_entry(dash) else {
            return false;
        };
        let shift = column - indent;
        let mut lines = vec![first];
        // An empty absorbed entry ends at its line (js-yaml reads the lines after it against
        // the sequence's column again).
        let empty = {
            let line = self.original[first..]
                .split_inclusive('\n')
                .next()
                .unwrap_or("");
            let rest = line
                .trim_start_matches(' ')
                .get(1..)
                .unwrap_or("")
                .trim_start_matches([' ', '\t']);
            rest.is_empty() || rest.starts_with(['#', '\n', '\r'])
        };
        let mut offset = first;
        let text = self.original;
        let first_len = text[first..]
            .split_inclusive('\n')
            .next()
            .map_or(0, str::len);
        offset += first_len;
        let following = if empty { "" } else { &text[offset..] };
        for line in following.split_inclusive('\n') {
            let start = offset;
            offset += line.len();
            let spaces = line.bytes().take_while(|c| *c == b' ').count() + self.inserted_at(start);
            let rest = line.trim_start_matches(' ').trim_end_matches(['\n', '\r']);
            if rest.is_empty() {
                continue;
            }
            if spaces <= indent && !rest.starts_with('#') {
                break;
            }
            lines.push(start);
        }
        for line in lines {
            match self
                .edits
                .iter_mut()
                .find(|e| e.start == line && e.end == line)
            {
                Some(edit) => edit.with.push_str(&" ".repeat(shift)),
                None => self.edits.push(Edit {
                    start: line,
                    end: line,
                    with: " ".repeat(shift),
                }),
            }
        }
        self.rebuild();
        true
    }
}

/// Puts back the byte order marks a scalar's source held in its value.
pub(crate) fn restore_boms(value: String, source: &str) -> String {
    if !source.contains(BOM) {
        return value;
    }
    let origins: Vec<char> = source
        .chars()
        .filter(|c| *c == BOM || *c == BOM_PLACEHOLDER)
        .collect();
    let placeholders = value.chars().filter(|c| *c == BOM_PLACEHOLDER).count();
    if placeholders != origins.len() {
        return value.replace(BOM_PLACEHOLDER, "\u{FEFF}");
    }
    let mut origins = origins.into_iter();
    value
        .chars()
        .map(|c| {
            if c == BOM_PLACEHOLDER {
                origins.next().unwrap_or(BOM)
            } else {
                c
            }
        })
        .collect()
}

/// Surrogate escapes of the double-quoted scalar opening at `quote`: pairs become one
/// `\UXXXXXXXX` escape, lone surrogates U+FFFD (as `JSON.parse(JSON.stringify(..))` of a
/// lone surrogate cannot be represented otherwise).
fn surrogate_edits(text: &str, quote: usize) -> Vec<Edit> {
    let b = text.as_bytes();
    if b.get(quote) != Some(&b'"') {
        return Vec::new();
    }
    // (start, end, code unit) of each surrogate escape.
    let mut found: Vec<(usize, usize, u32)> = Vec::new();
    let mut i = quote + 1;
    while i < b.len() {
        match b[i] {
            b'"' => break,
            b'\\' => {
                let width = match b.get(i + 1) {
                    Some(b'u') => 4,
                    Some(b'U') => 8,
                    _ => 0,
                };
                if width > 0 {
                    let digits = text.get(i + 2..i + 2 + width).unwrap_or("");
                    if let Ok(code) = u32::from_str_radix(digits, 16) {
                        if digits.len() == width && (0xD800..0xE000).contains(&code) {
                            found.push((i, i + 2 + width, code));
                        }
                    }
                    i += 2 + width;
                } else {
                    i += 2;
                }
            }
            _ => i += 1,
        }
    }
    let mut edits = Vec::new();
    let mut k = 0;
    while k < found.len() {
        let (start, end, code) = found[k];
        if let Some(&(next_start, next_end, low)) = found.get(k + 1) {
            if (0xD800..0xDC00).contains(&code)
                && (0xDC00..0xE000).contains(&low)
                && next_start == end
            {
                let combined = 0x10000 + ((code - 0xD800) << 10) + (low - 0xDC00);
                edits.push(Edit {
                    start,
                    end: next_end,
                    with: format!("\\U{combined:08X}"),
                });
                k += 2;
                continue;
            }
        }
        let with = if end - start == 6 {
            "\\uFFFD"
        } else {
            "\\U0000FFFD"
        };
        edits.push(Edit {
            start,
            end,
            with: with.to_owned(),
        });
        k += 1;
    }
    edits
}

/// The tab after the `:` before `at`.
fn tab_after_colon(text: &str, at: usize) -> Vec<Edit> {
    let b = text.as_bytes();
    let mut i = at.min(b.len());
    while i > 0 && matches!(b[i - 1], b' ' | b'\t') {
        i -= 1;
    }
    if i > 0 && b[i - 1] == b':' && b.get(i) == Some(&b'\t') {
        return vec![Edit {
            start: i,
            end: i + 1,
            with: " ".to_owned(),
        }];
    }
    Vec::new()
}

/// Byte offset of the start of the line holding `at`, and that line's indentation.
fn line_indent(text: &str, at: usize) -> (usize, usize) {
    let b = text.as_bytes();
    let start = b[..at.min(b.len())]
        .iter()
        .rposition(|c| matches!(c, b'\n' | b'\r'))
        .map_or(0, |i| i + 1);
    let indent = b[start..].iter().take_while(|c| **c == b' ').count();
    (start, indent)
}

/// Spaces that bring the line starting at `line` to at least `target` columns.
fn indent_edit(text: &str, line: usize, target: usize) -> Option<Edit> {
    let indent = text.as_bytes()[line..]
        .iter()
        .take_while(|c| **c == b' ')
        .count();
    (indent < target).then(|| Edit {
        start: line,
        end: line,
        with: " ".repeat(target - indent),
    })
}

/// Indents the continuation lines of the quoted scalar opening at `quote` one column more
/// than the line it starts on.
fn quoted_indentation(text: &str, quote: usize) -> Vec<Edit> {
    let b = text.as_bytes();
    let double = match b.get(quote) {
        Some(b'"') => true,
        Some(b'\'') => false,
        _ => return Vec::new(),
    };
    let target = line_indent(text, quote).1 + 1;
    let mut edits = Vec::new();
    let mut i = quote + 1;
    while i < b.len() {
        match b[i] {
            b'\\' if double => i += if b.get(i + 1) == Some(&b'\n') { 1 } else { 2 },
            b'"' if double => break,
            b'\'' if !double => {
                if b.get(i + 1) == Some(&b'\'') {
                    i += 2;
                } else {
                    break;
                }
            }
            b'\n' => {
                i += 1;
                edits.extend(indent_edit(text, i, target));
            }
            _ => i += 1,
        }
    }
    edits
}

/// Whether `at` lies inside the flow collection opening at `opener`.
fn inside_flow(text: &str, opener: usize, at: usize) -> bool {
    unclosed_opener(text, opener, at) == Some(opener)
}

/// The outermost flow collection opened between `from` and `at` and still open at `at`
/// (brackets counted outside quotes and comments).
pub(crate) fn unclosed_opener(text: &str, from: usize, at: usize) -> Option<usize> {
    let b = text.as_bytes();
    let mut open: Vec<usize> = Vec::new();
    let mut i = from;
    while i < at.min(b.len()) {
        match b[i] {
            b'[' | b'{' => open.push(i),
            b']' | b'}' => {
                open.pop();
            }
            b'"' => {
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    i += if b[i] == b'\\' { 2 } else { 1 };
                }
            }
            b'\'' => {
                i += 1;
                while i < b.len() && !(b[i] == b'\'' && b.get(i + 1) != Some(&b'\'')) {
                    i += if b[i] == b'\'' { 2 } else { 1 };
                }
            }
            b'#' if i > 0 && matches!(b[i - 1], b' ' | b'\t' | b'\n' | b'\r') => {
                while i < b.len() && !matches!(b[i], b'\n' | b'\r') {
                    i += 1;
                }
            }
            _ => {}
        }
        i += 1;
    }
    open.first().copied()
}

/// Indents the line holding `at` (inside a flow collection) one column more than the line
/// the collection opens on.
fn flow_indentation(text: &str, opener: usize, at: usize) -> Vec<Edit> {
    let target = line_indent(text, opener).1 + 1;
    let (line, _) = line_indent(text, at);
    let only_spaces = text.as_bytes()[line..at.min(text.len())]
        .iter()
        .all(|c| *c == b' ');
    if !only_spaces {
        return Vec::new();
    }
    indent_edit(text, line, target).into_iter().collect()
}

/// Moves the content after the first document start marker (`--- a: 1`) to its own line,
/// at the same column, when the error at `at` is on the marker's line.
/// A block mapping key longer than saphyr's 1024 characters, whose `:` is at `at`: `? ` before
/// the key and a line break before the `:`, which then stands at the key's column. Only a key
/// that starts its line (after indentation and `- ` entries) and fits on it.
fn long_implicit_key(text: &str, at: usize) -> Vec<Edit> {
    let b = text.as_bytes();
    if b.get(at) != Some(&b':')
        || !matches!(b.get(at + 1), None | Some(b' ' | b'\t' | b'\n' | b'\r'))
    {
        return Vec::new();
    }
    let (line, _) = line_indent(text, at);
    let mut key = line;
    loop {
        match b[key..at] {
            [b' ', ..] => key += 1,
            [b'-', b' ' | b'\t', ..] => key += 2,
            _ => break,
        }
    }
    let written = &text[key..at];
    let column = text[line..key].chars().count();
    if written.chars().count() <= 1024
        || written.starts_with(['?', '{', '[', '#', '\t'])
        || written.contains(['\n', '\r'])
    {
        return Vec::new();
    }
    vec![
        Edit {
            start: key,
            end: key,
            with: "? ".to_owned(),
        },
        Edit {
            start: at,
            end: at,
            with: format!("\n{}", " ".repeat(column)),
        },
    ]
}

fn content_after_document_start(text: &str, at: usize) -> Vec<Edit> {
    let mut offset = 0;
    for line in text.split_inclusive('\n') {
        let start = offset;
        offset += line.len();
        let body = line.strip_prefix('\u{feff}').unwrap_or(line);
        let trimmed = body.trim_start_matches([' ', '\t', '\r', '\n']);
        if trimmed.is_empty() || trimmed.starts_with('#') || trimmed.starts_with('%') {
            continue;
        }
        let Some(rest) = body.strip_prefix("---") else {
            return Vec::new();
        };
        let content = rest.trim_start_matches([' ', '\t']);
        if at < start || at >= offset || content.len() == rest.len() {
            return Vec::new();
        }
        let marker_end = start + (line.len() - body.len()) + 3;
        let content_start = marker_end + (rest.len() - content.len());
        return vec![Edit {
            start: marker_end,
            end: content_start,
            with: format!("\n{}", " ".repeat(content_start - start)),
        }];
    }
    Vec::new()
}
