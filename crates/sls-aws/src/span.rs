//! Places in an AWS file: byte spans with 1-based line and column, and the file they belong to.

use serde::Serialize;

/// A byte range in one file, with the line and column of its start.
///
/// `start..end` are byte offsets into the file text as given to the parser; `line` is 1-based;
/// `column` is 1-based and counts characters (Unicode scalar values) from the line start.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub struct Span {
    pub start: usize,
    pub end: usize,
    pub line: usize,
    pub column: usize,
}

impl Span {
    /// The span as miette wants it (offset and length).
    pub fn source_span(&self) -> miette::SourceSpan {
        (self.start, self.end.saturating_sub(self.start)).into()
    }
}

/// A span together with the path of the file it points into.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Location {
    /// The path exactly as the engine computed it (see [`crate::locate`]).
    pub file: String,
    pub span: Span,
}

/// Line starts of one text, to turn byte offsets into line and column.
#[derive(Debug, Clone)]
pub(crate) struct LineIndex<'a> {
    text: &'a str,
    starts: Vec<usize>,
}

impl<'a> LineIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        let mut starts = vec![0];
        starts.extend(text.match_indices('\n').map(|(i, _)| i + 1));
        LineIndex { text, starts }
    }

    /// The span `start..end`; the line and column are those of `start`.
    pub(crate) fn span(&self, start: usize, end: usize) -> Span {
        let line = match self.starts.binary_search(&start) {
            Ok(i) => i,
            Err(i) => i - 1,
        };
        let line_start = self.starts[line];
        let column = self
            .text
            .get(line_start..start)
            .map_or(1, |s| s.chars().count() + 1);
        Span {
            start,
            end,
            line: line + 1,
            column,
        }
    }
}

/// Byte offset of `child` inside `parent`; `child` must be a subslice of `parent`.
pub(crate) fn offset_in(parent: &str, child: &str) -> usize {
    (child.as_ptr() as usize).saturating_sub(parent.as_ptr() as usize)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_and_column_of_offsets() {
        let text = "ab\nc\u{e9}d\n\nx";
        let idx = LineIndex::new(text);
        assert_eq!(
            idx.span(0, 1),
            Span {
                start: 0,
                end: 1,
                line: 1,
                column: 1
            }
        );
        assert_eq!(idx.span(3, 4).line, 2);
        // `d` follows a two-byte character: column counts characters
        assert_eq!(
            idx.span(6, 7),
            Span {
                start: 6,
                end: 7,
                line: 2,
                column: 3
            }
        );
        assert_eq!(
            idx.span(9, 10),
            Span {
                start: 9,
                end: 10,
                line: 4,
                column: 1
            }
        );
    }

    #[test]
    fn subslice_offsets() {
        let s = "hello world";
        assert_eq!(offset_in(s, &s[6..]), 6);
    }
}
