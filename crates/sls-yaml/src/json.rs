//! A strict RFC 8259 JSON parser with `JSON.parse` semantics and a span on every node.
//!
//! Iterative (an explicit stack), so deep input cannot overflow the call stack; more than
//! [`MAX_DEPTH`] nested arrays/objects is an error.

use indexmap::IndexMap;
use sls_value::MapHasher;

use crate::error::{LoadError, LoadErrorKind};
use crate::node::{MapEntry, Node, NodeKind, Span};
use crate::raw::js_object_order;

/// Maximum number of nested arrays/objects.
const MAX_DEPTH: usize = 1000;

enum Open {
    Array {
        start: usize,
        items: Vec<Node>,
    },
    Object {
        start: usize,
        entries: IndexMap<String, MapEntry, MapHasher>,
        /// The key whose value is being read.
        key: Option<(String, Span)>,
    },
}

struct JsonParser<'a> {
    text: &'a str,
    b: &'a [u8],
    at: usize,
}

/// Parses `text` as one JSON value.
pub(crate) fn parse(text: &str) -> Result<Node, LoadError> {
    let mut p = JsonParser {
        text,
        b: text.as_bytes(),
        at: 0,
    };
    let mut stack: Vec<Open> = Vec::new();
    loop {
        // Read a value (or open a container).
        p.skip_ws();
        let mut done = match p.peek() {
            Some(b'[') => {
                p.open_check(stack.len())?;
                let start = p.at;
                p.at += 1;
                p.skip_ws();
                if p.peek() == Some(b']') {
                    p.at += 1;
                    Some(Node {
                        kind: NodeKind::Seq(Vec::new()),
                        span: Span::new(start, p.at),
                        not_json: None,
                    })
                } else {
                    stack.push(Open::Array {
                        start,
                        items: Vec::new(),
                    });
                    None
                }
            }
            Some(b'{') => {
                p.open_check(stack.len())?;
                let start = p.at;
                p.at += 1;
                p.skip_ws();
                if p.peek() == Some(b'}') {
                    p.at += 1;
                    Some(Node {
                        kind: NodeKind::Map(IndexMap::default()),
                        span: Span::new(start, p.at),
                        not_json: None,
                    })
                } else {
                    let key = p.key()?;
                    stack.push(Open::Object {
                        start,
                        entries: IndexMap::default(),
                        key: Some(key),
                    });
                    None
                }
            }
            _ => Some(p.scalar()?),
        };
        // Attach finished values, closing containers as far as possible.
        while let Some(node) = done.take() {
            let Some(top) = stack.last_mut() else {
                p.skip_ws();
                if p.at < p.b.len() {
                    return Err(p.unexpected());
                }
                return Ok(node);
            };
            p.skip_ws();
            match top {
                Open::Array { start, items } => {
                    items.push(node);
                    match p.peek() {
                        Some(b',') => p.at += 1,
                        Some(b']') => {
                            p.at += 1;
                            let span = Span::new(*start, p.at);
                            let items = std::mem::take(items);
                            stack.pop();
                            done = Some(Node {
                                kind: NodeKind::Seq(items),
                                span,
                                not_json: None,
                            });
                        }
                        _ => return Err(p.unexpected()),
                    }
                }
                Open::Object {
                    start,
                    entries,
                    key,
                } => {
                    if let Some((name, key_span)) = key.take() {
                        // Last value wins; the key keeps its first position.
                        entries.insert(
                            name,
                            MapEntry {
                                key_span,
                                value: node,
                            },
                        );
                    }
                    match p.peek() {
                        Some(b',') => {
                            p.at += 1;
                            p.skip_ws();
                            *key = Some(p.key()?);
                        }
                        Some(b'}') => {
                            p.at += 1;
                            let span = Span::new(*start, p.at);
                            let mut entries = std::mem::take(entries);
                            js_object_order(&mut entries);
                            stack.pop();
                            done = Some(Node {
                                kind: NodeKind::Map(entries),
                                span,
                                not_json: None,
                            });
                        }
                        _ => return Err(p.unexpected()),
                    }
                }
            }
        }
    }
}

impl JsonParser<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn skip_ws(&mut self) {
        while matches!(self.peek(), Some(b' ' | b'\t' | b'\n' | b'\r')) {
            self.at += 1;
        }
    }

    fn error(&self, message: String, span: Span) -> LoadError {
        LoadError::new(LoadErrorKind::Syntax, message, span)
    }

    /// An error at the current character (or at the end of the input).
    fn unexpected(&self) -> LoadError {
        match self
            .text
            .get(self.at..)
            .and_then(|rest| rest.chars().next())
        {
            None => self.error(
                "unexpected end of json input".to_owned(),
                Span::empty(self.at),
            ),
            Some(c) => self.error(
                format!("unexpected character `{}` in json", c.escape_debug()),
                Span::new(self.at, self.at + c.len_utf8()),
            ),
        }
    }

    fn open_check(&self, depth: usize) -> Result<(), LoadError> {
        if depth >= MAX_DEPTH {
            return Err(LoadError::new(
                LoadErrorKind::TooDeep,
                format!("json nests deeper than {MAX_DEPTH} levels"),
                Span::new(self.at, self.at + 1),
            ));
        }
        Ok(())
    }

    /// Reads `"key"` `:` (white space allowed around the colon).
    fn key(&mut self) -> Result<(String, Span), LoadError> {
        if self.peek() != Some(b'"') {
            return Err(self.unexpected());
        }
        let start = self.at;
        let key = self.string()?;
        let span = Span::new(start, self.at);
        self.skip_ws();
        if self.peek() != Some(b':') {
            return Err(self.unexpected());
        }
        self.at += 1;
        Ok((key, span))
    }

    fn scalar(&mut self) -> Result<Node, LoadError> {
        let start = self.at;
        let kind = match self.peek() {
            Some(b'"') => NodeKind::String(self.string()?),
            Some(b'-' | b'0'..=b'9') => NodeKind::Number(self.number()?),
            Some(b't') => self.literal("true", NodeKind::Bool(true))?,
            Some(b'f') => self.literal("false", NodeKind::Bool(false))?,
            Some(b'n') => self.literal("null", NodeKind::Null)?,
            _ => return Err(self.unexpected()),
        };
        Ok(Node {
            kind,
            span: Span::new(start, self.at),
            not_json: None,
        })
    }

    fn literal(&mut self, word: &str, kind: NodeKind) -> Result<NodeKind, LoadError> {
        for expected in word.bytes() {
            if self.peek() != Some(expected) {
                return Err(self.unexpected());
            }
            self.at += 1;
        }
        Ok(kind)
    }

    fn digits(&mut self) -> usize {
        let start = self.at;
        while self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        self.at - start
    }

    fn number(&mut self) -> Result<f64, LoadError> {
        let start = self.at;
        if self.peek() == Some(b'-') {
            self.at += 1;
        }
        match self.peek() {
            Some(b'0') => self.at += 1,
            Some(b'1'..=b'9') => {
                self.digits();
            }
            _ => return Err(self.unexpected()),
        }
        if self.peek() == Some(b'.') {
            self.at += 1;
            if self.digits() == 0 {
                return Err(self.unexpected());
            }
        }
        if matches!(self.peek(), Some(b'e' | b'E')) {
            self.at += 1;
            if matches!(self.peek(), Some(b'+' | b'-')) {
                self.at += 1;
            }
            if self.digits() == 0 {
                return Err(self.unexpected());
            }
        }
        let literal = &self.text[start..self.at];
        literal.parse::<f64>().map_err(|_| {
            self.error(
                format!("invalid number `{literal}` in json"),
                Span::new(start, self.at),
            )
        })
    }

    fn hex4(&mut self) -> Result<u32, LoadError> {
        let mut value = 0u32;
        for _ in 0..4 {
            let digit = self
                .peek()
                .and_then(|c| char::from(c).to_digit(16))
                .ok_or_else(|| self.unexpected())?;
            value = value * 16 + digit;
            self.at += 1;
        }
        Ok(value)
    }

    /// Reads a string starting at its opening quote.
    fn string(&mut self) -> Result<String, LoadError> {
        let open = self.at;
        self.at += 1;
        let mut out = String::new();
        loop {
            let run_start = self.at;
            while self
                .peek()
                .is_some_and(|c| c != b'"' && c != b'\\' && c >= 0x20)
            {
                self.at += 1;
            }
            out.push_str(&self.text[run_start..self.at]);
            match self.peek() {
                Some(b'"') => {
                    self.at += 1;
                    return Ok(out);
                }
                Some(b'\\') => {
                    let escape_start = self.at;
                    self.at += 1;
                    let c = self.peek();
                    self.at += 1;
                    match c {
                        Some(b'"') => out.push('"'),
                        Some(b'\\') => out.push('\\'),
                        Some(b'/') => out.push('/'),
                        Some(b'b') => out.push('\u{8}'),
                        Some(b'f') => out.push('\u{c}'),
                        Some(b'n') => out.push('\n'),
                        Some(b'r') => out.push('\r'),
                        Some(b't') => out.push('\t'),
                        Some(b'u') => {
                            let unit = self.hex4()?;
                            out.push(self.surrogates(unit));
                        }
                        _ => {
                            self.at = escape_start;
                            let end = (escape_start + 2).min(self.b.len());
                            let end = (end..=self.b.len())
                                .find(|e| self.text.is_char_boundary(*e))
                                .unwrap_or(self.b.len());
                            return Err(self.error(
                                "bad escape sequence in json string".to_owned(),
                                Span::new(escape_start, end),
                            ));
                        }
                    }
                }
                None => {
                    return Err(self.error(
                        "unterminated string in json".to_owned(),
                        Span::new(open, self.at),
                    ));
                }
                Some(_) => {
                    return Err(self.error(
                        "bad control character in json string".to_owned(),
                        Span::new(self.at, self.at + 1),
                    ));
                }
            }
        }
    }

    /// Combines a `\uXXXX` unit with a following low surrogate escape; lone surrogates
    /// become U+FFFD.
    fn surrogates(&mut self, unit: u32) -> char {
        if (0xD800..0xDC00).contains(&unit)
            && self.b.get(self.at) == Some(&b'\\')
            && self.b.get(self.at + 1) == Some(&b'u')
        {
            let save = self.at;
            self.at += 2;
            match self.hex4() {
                Ok(low) if (0xDC00..0xE000).contains(&low) => {
                    let code = 0x10000 + ((unit - 0xD800) << 10) + (low - 0xDC00);
                    return char::from_u32(code).unwrap_or('\u{FFFD}');
                }
                _ => self.at = save,
            }
        }
        char::from_u32(unit).unwrap_or('\u{FFFD}')
    }
}

#[cfg(test)]
mod tests {
    use super::parse;
    use crate::error::LoadErrorKind;
    use crate::node::{NodeKind, Span};

    #[test]
    fn parses_values_with_spans() {
        let node = parse(r#" {"a": [1, -2.5e3, true, null], "b": "x\u00e9\ud83d\ude00"} "#)
            .unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(node.span, Span { start: 1, end: 59 });
        let a = node.get_path(&["a", "1"]).map(|n| (&n.kind, n.span));
        assert_eq!(
            a,
            Some((&NodeKind::Number(-2500.0), Span { start: 11, end: 17 }))
        );
        let b = node.get_path(&["b"]).map(|n| n.kind.clone());
        assert_eq!(b, Some(NodeKind::String("xé😀".to_owned())));
    }

    #[test]
    fn duplicate_keys_keep_first_position() {
        let node =
            parse(r#"{"a": 1, "b": 2, "a": 3, "2": 0, "1": 0}"#).unwrap_or_else(|e| panic!("{e}"));
        let NodeKind::Map(map) = &node.kind else {
            panic!("not a map");
        };
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(keys, ["1", "2", "a", "b"]);
        assert_eq!(map["a"].value.kind, NodeKind::Number(3.0));
    }

    #[test]
    fn rejects_non_json() {
        for text in [
            "",
            "{",
            "[1,]",
            "{\"a\":1,}",
            "// c\n1",
            "01",
            "1.",
            ".5",
            "+1",
            "'a'",
            "[1 2]",
            "\"a\tb\"",
            "\"\\x\"",
            "\u{feff}{}",
            "NaN",
            "{a: 1}",
            "[] []",
            "\"abc",
        ] {
            let err = parse(text).err();
            assert_eq!(
                err.map(|e| e.kind),
                Some(LoadErrorKind::Syntax),
                "{text:?} should fail"
            );
        }
    }

    #[test]
    fn deep_nesting_fails_cleanly() {
        let deep = "[".repeat(100_000);
        assert_eq!(
            parse(&deep).err().map(|e| e.kind),
            Some(LoadErrorKind::TooDeep)
        );
        let ok = format!("{}{}", "[".repeat(1000), "]".repeat(1000));
        assert!(parse(&ok).is_ok());
    }

    #[test]
    fn lone_surrogate_becomes_replacement() {
        let node = parse(r#""\ud800x""#).unwrap_or_else(|e| panic!("{e}"));
        assert_eq!(node.kind, NodeKind::String("\u{FFFD}x".to_owned()));
    }
}
