//! Document counting as js-yaml does it, so a second document is reported even where
//! saphyr sees one (`...` followed by another `...`, a leading `...`).

use crate::compose::char_span;
use crate::node::Span;

/// Where a second document starts as js-yaml counts documents: every `---` starts one,
/// every `...` ends one (an empty one if none is open), and content after a `...` starts
/// one.
pub(crate) fn second_document(text: &str) -> Option<Span> {
    let mut documents = 0;
    let mut open = false;
    let mut offset = 0;
    for raw_line in text.split_inclusive('\n') {
        let line_start = offset;
        offset += raw_line.len();
        // Inside a document only a line starting with a marker counts.
        if open && line_start > 0 && !raw_line.starts_with("---") && !raw_line.starts_with("...") {
            continue;
        }
        let mut line = raw_line.trim_end_matches(['\n', '\r']);
        let mut start = line_start;
        if line_start == 0 {
            if let Some(rest) = line.strip_prefix('\u{feff}') {
                line = rest;
                start += '\u{feff}'.len_utf8();
            }
        }
        let marker = |m: &str| {
            line.strip_prefix(m)
                .filter(|rest| rest.is_empty() || rest.starts_with([' ', '\t', '\r']))
        };
        let content = |rest: &str| {
            let trimmed = rest.trim_start_matches([' ', '\t', '\r']);
            !trimmed.is_empty() && !trimmed.starts_with('#')
        };
        let begin = |documents: &mut usize, at: usize, len: usize| {
            *documents += 1;
            (*documents > 1).then(|| {
                let first = char_span(text, at);
                Span::new(at, at + len.max(first.end - first.start))
            })
        };
        if marker("---").is_some() {
            if let Some(span) = begin(&mut documents, start, 3) {
                return Some(span);
            }
            open = true;
        } else if let Some(rest) = marker("...") {
            if !open {
                if let Some(span) = begin(&mut documents, start, 3) {
                    return Some(span);
                }
            }
            open = false;
            if content(rest) {
                let at = start + 3 + (rest.len() - rest.trim_start_matches([' ', '\t']).len());
                if let Some(span) = begin(&mut documents, at, 0) {
                    return Some(span);
                }
                open = true;
            }
        } else if !open && content(line) && !line.starts_with('%') {
            let at = start + (line.len() - line.trim_start_matches([' ', '\t', '\r']).len());
            if let Some(span) = begin(&mut documents, at, 0) {
                return Some(span);
            }
            open = true;
        }
    }
    None
}
