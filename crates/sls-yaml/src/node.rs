//! The span-keeping node tree produced by the loaders.

use indexmap::IndexMap;
use sls_value::{Map, MapHasher, Value};

/// A byte range in the loaded text; `end` is exclusive.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Span {
    pub start: usize,
    pub end: usize,
}

impl Span {
    pub(crate) fn new(start: usize, end: usize) -> Self {
        Span {
            start,
            end: end.max(start),
        }
    }

    pub(crate) fn empty(at: usize) -> Self {
        Span { start: at, end: at }
    }
}

/// A loaded value with the span of the text it came from.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    pub kind: NodeKind,
    pub span: Span,
    /// Set where js-yaml's value is not JSON (a `Date`, `NaN`, `±Infinity`, a byte array):
    /// how Node's `util.inspect` shows it. `kind` holds the JSON round-tripped form; v3
    /// rejects the original when a `file(...)` address lands on it.
    pub not_json: Option<Box<str>>,
}

/// The value of a [`Node`], already in its JSON round-tripped form.
#[derive(Debug, Clone, PartialEq)]
pub enum NodeKind {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Seq(Vec<Node>),
    /// Keys in JavaScript object order (array-index keys first, ascending; then the others
    /// in insertion order).
    Map(IndexMap<String, MapEntry, MapHasher>),
}

/// One mapping entry: where its key is written, and its value.
#[derive(Debug, Clone, PartialEq)]
pub struct MapEntry {
    pub key_span: Span,
    pub value: Node,
}

impl Node {
    /// Every span of this tree: each node's and each mapping key's, parents first. Iterative,
    /// so a tree as deep as the loader allows cannot overflow the stack.
    #[must_use]
    pub fn spans(&self) -> Vec<Span> {
        let mut out = Vec::new();
        let mut stack = vec![self];
        while let Some(node) = stack.pop() {
            out.push(node.span);
            match &node.kind {
                NodeKind::Seq(items) => stack.extend(items),
                NodeKind::Map(entries) => {
                    for entry in entries.values() {
                        out.push(entry.key_span);
                        stack.push(&entry.value);
                    }
                }
                _ => {}
            }
        }
        out
    }

    /// The plain [`Value`] of this node, spans dropped.
    #[must_use]
    pub fn to_value(&self) -> Value {
        match &self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(*b),
            NodeKind::Number(n) => Value::Number(*n),
            NodeKind::String(s) => Value::String(s.clone()),
            NodeKind::Seq(items) => Value::Array(items.iter().map(Node::to_value).collect()),
            NodeKind::Map(entries) => {
                let mut map = Map::with_capacity_and_hasher(entries.len(), MapHasher::default());
                for (key, entry) in entries {
                    map.insert(key.clone(), entry.value.to_value());
                }
                Value::Object(map)
            }
        }
    }

    /// The plain [`Value`] of this node, spans dropped, consuming the tree (no string is copied,
    /// and each part of the tree is freed as soon as it is converted).
    #[must_use]
    pub fn into_value(self) -> Value {
        match self.kind {
            NodeKind::Null => Value::Null,
            NodeKind::Bool(b) => Value::Bool(b),
            NodeKind::Number(n) => Value::Number(n),
            NodeKind::String(s) => Value::String(s),
            NodeKind::Seq(items) => Value::Array(items.into_iter().map(Node::into_value).collect()),
            NodeKind::Map(entries) => {
                let mut map = Map::with_capacity_and_hasher(entries.len(), MapHasher::default());
                for (key, entry) in entries {
                    map.insert(key, entry.value.into_value());
                }
                Value::Object(map)
            }
        }
    }

    /// Walks mappings by key and sequences by canonical decimal index (`"0"`, `"12"`).
    #[must_use]
    pub fn get_path(&self, keys: &[&str]) -> Option<&Node> {
        let mut at = self;
        for key in keys {
            at = match &at.kind {
                NodeKind::Map(entries) => &entries.get(*key)?.value,
                NodeKind::Seq(items) => items.get(parse_index(key)?)?,
                _ => return None,
            };
        }
        Some(at)
    }
}

/// A canonical decimal array index: `0` or digits without a leading zero.
fn parse_index(key: &str) -> Option<usize> {
    let canonical = !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'));
    if canonical { key.parse().ok() } else { None }
}
