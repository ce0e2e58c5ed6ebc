//! The JavaScript-level value js-yaml constructs (dates, byte arrays, non-finite numbers),
//! before the JSON round trip turns it into a [`Node`].

use indexmap::IndexMap;
use sls_value::MapHasher;

use crate::node::{MapEntry, Node, NodeKind, Span};
use sls_value::{Map, Value};

/// A constructed value with its span.
#[derive(Debug, Clone)]
pub(crate) struct Raw {
    pub kind: RawKind,
    pub span: Span,
}

#[derive(Debug, Clone)]
pub(crate) enum RawKind {
    Null,
    Bool(bool),
    /// Any JavaScript number, including NaN, infinities and -0.
    Number(f64),
    String(String),
    /// A `Date`, in milliseconds since the epoch.
    Date(f64),
    /// A `Uint8Array` (`!!binary`).
    Binary(Vec<u8>),
    Seq(Vec<Raw>),
    /// Keys already in JavaScript object order. Boxed: the map is the largest variant, and a
    /// large document holds a `RawKind` for every node until it is converted.
    Map(Box<RawMap>),
    /// A sequence or mapping already in its final form (only when loading a plain value: see
    /// `compose`): every node in it was plain ([`Raw::is_plain`]), so the value says all the
    /// raw tree would (but the spans).
    Value(Value),
}

pub(crate) type RawMap = IndexMap<String, RawEntry, MapHasher>;

#[derive(Debug, Clone)]
pub(crate) struct RawEntry {
    pub key_span: Span,
    pub value: Raw,
}

/// Why a value cannot become an object key.
pub(crate) struct NestedArrayKey;

impl Raw {
    pub(crate) fn new(kind: RawKind, span: Span) -> Self {
        Raw { kind, span }
    }

    /// `String(value)` as js-yaml computes a mapping key (a string key is moved, not copied).
    pub(crate) fn into_key_string(self) -> Result<String, NestedArrayKey> {
        match self.kind {
            RawKind::String(s) => Ok(s),
            _ => self.key_string(),
        }
    }

    /// Whether the node converts to a value without losing anything js-yaml's construction can
    /// still observe (a key's text, a merge, a tag's check): not a date, byte array, non-finite
    /// number or `-0`, and not a collection holding one.
    pub(crate) fn is_plain(&self) -> bool {
        match &self.kind {
            RawKind::Null | RawKind::Bool(_) | RawKind::String(_) | RawKind::Value(_) => true,
            RawKind::Number(n) => n.is_finite() && !(*n == 0.0 && n.is_sign_negative()),
            RawKind::Date(_) | RawKind::Binary(_) | RawKind::Seq(_) | RawKind::Map(_) => false,
        }
    }

    /// A plain value as a raw node (no span: only errors use spans, and a plain load that fails
    /// is loaded again with them).
    pub(crate) fn from_value(value: Value) -> Raw {
        let kind = match value {
            Value::Null => RawKind::Null,
            Value::Bool(b) => RawKind::Bool(b),
            Value::Number(n) => RawKind::Number(n),
            Value::String(s) => RawKind::String(s),
            collection @ (Value::Array(_) | Value::Object(_)) => RawKind::Value(collection),
        };
        Raw::new(kind, Span::empty(0))
    }

    /// `String(value)` as js-yaml computes a mapping key.
    pub(crate) fn key_string(&self) -> Result<String, NestedArrayKey> {
        if let RawKind::Value(Value::Array(items)) = &self.kind {
            let mut parts = Vec::with_capacity(items.len());
            for item in items {
                parts.push(match item {
                    Value::Array(_) => return Err(NestedArrayKey),
                    Value::Null => String::new(),
                    Value::Bool(b) => b.to_string(),
                    Value::Number(n) => crate::jsnum::to_js_string(*n),
                    Value::String(s) => s.clone(),
                    Value::Object(_) => "[object Object]".to_owned(),
                });
            }
            return Ok(parts.join(","));
        }
        match &self.kind {
            RawKind::Seq(items) => {
                let mut parts = Vec::with_capacity(items.len());
                for item in items {
                    parts.push(match &item.kind {
                        RawKind::Seq(_) | RawKind::Value(Value::Array(_)) => {
                            return Err(NestedArrayKey);
                        }
                        RawKind::Null => String::new(),
                        _ => item.scalar_string(),
                    });
                }
                Ok(parts.join(","))
            }
            _ => Ok(self.scalar_string()),
        }
    }

    /// `String(value)` for anything but an array.
    fn scalar_string(&self) -> String {
        match &self.kind {
            RawKind::Null => "null".to_owned(),
            RawKind::Bool(b) => b.to_string(),
            RawKind::Number(n) => crate::jsnum::to_js_string(*n),
            RawKind::String(s) => s.clone(),
            RawKind::Date(t) => crate::date::to_date_string(*t),
            RawKind::Binary(bytes) => bytes
                .iter()
                .map(u8::to_string)
                .collect::<Vec<_>>()
                .join(","),
            RawKind::Seq(_) | RawKind::Map(_) | RawKind::Value(_) => "[object Object]".to_owned(),
        }
    }

    /// Number of nodes and height of this tree (a leaf has height 1).
    pub(crate) fn measure(&self) -> (usize, usize) {
        let mut count = 0usize;
        let mut height = 0usize;
        let mut stack: Vec<(&Raw, usize)> = vec![(self, 1)];
        while let Some((raw, level)) = stack.pop() {
            count += 1;
            height = height.max(level);
            match &raw.kind {
                RawKind::Seq(items) => stack.extend(items.iter().map(|i| (i, level + 1))),
                RawKind::Map(entries) => {
                    stack.extend(entries.values().map(|e| (&e.value, level + 1)));
                }
                RawKind::Binary(bytes) => {
                    count += bytes.len();
                    if !bytes.is_empty() {
                        height = height.max(level + 1);
                    }
                }
                RawKind::Value(value) => {
                    // The root of `value` is this node, already counted.
                    let (c, h) = measure_value(value);
                    count += c - 1;
                    height = height.max(level + h - 1);
                }
                _ => {}
            }
        }
        (count, height)
    }

    /// The JSON round trip: non-finite numbers become null, -0 becomes 0, dates become ISO
    /// strings and byte arrays become objects keyed by index.
    pub(crate) fn into_node(self) -> Node {
        let span = self.span;
        let not_json = match &self.kind {
            RawKind::Number(n) if !n.is_finite() => Some(crate::jsnum::to_js_string(*n).into()),
            RawKind::Date(t) => Some(crate::date::to_iso_string(*t).into()),
            RawKind::Binary(bytes) => Some(inspect_bytes(bytes).into()),
            _ => None,
        };
        let kind = match self.kind {
            RawKind::Value(value) => return value_node(value, span),
            RawKind::Null => NodeKind::Null,
            RawKind::Bool(b) => NodeKind::Bool(b),
            RawKind::Number(n) if !n.is_finite() => NodeKind::Null,
            RawKind::Number(n) => NodeKind::Number(if n == 0.0 { 0.0 } else { n }),
            RawKind::String(s) => NodeKind::String(s),
            RawKind::Date(t) => NodeKind::String(crate::date::to_iso_string(t)),
            RawKind::Binary(bytes) => NodeKind::Map(
                bytes
                    .into_iter()
                    .enumerate()
                    .map(|(i, b)| {
                        let value = Node {
                            kind: NodeKind::Number(f64::from(b)),
                            span,
                            not_json: None,
                        };
                        (
                            i.to_string(),
                            MapEntry {
                                key_span: span,
                                value,
                            },
                        )
                    })
                    .collect(),
            ),
            RawKind::Seq(items) => NodeKind::Seq(items.into_iter().map(Raw::into_node).collect()),
            RawKind::Map(entries) => NodeKind::Map(
                (*entries)
                    .into_iter()
                    .map(|(k, e)| {
                        (
                            k,
                            MapEntry {
                                key_span: e.key_span,
                                value: e.value.into_node(),
                            },
                        )
                    })
                    .collect(),
            ),
        };
        Node {
            kind,
            span,
            not_json,
        }
    }
}

/// Number of nodes and height of a value (as [`Raw::measure`] counts the same tree).
fn measure_value(value: &Value) -> (usize, usize) {
    let mut count = 0usize;
    let mut height = 0usize;
    let mut stack: Vec<(&Value, usize)> = vec![(value, 1)];
    while let Some((value, level)) = stack.pop() {
        count += 1;
        height = height.max(level);
        match value {
            Value::Array(items) => stack.extend(items.iter().map(|i| (i, level + 1))),
            Value::Object(map) => stack.extend(map.values().map(|v| (v, level + 1))),
            _ => {}
        }
    }
    (count, height)
}

/// A plain value as a node, every node at `span` (plain values only come from plain loads,
/// which do not build nodes; this keeps the conversion total).
fn value_node(value: Value, span: Span) -> Node {
    let kind = match value {
        Value::Null => NodeKind::Null,
        Value::Bool(b) => NodeKind::Bool(b),
        Value::Number(n) => NodeKind::Number(n),
        Value::String(s) => NodeKind::String(s),
        Value::Array(items) => {
            NodeKind::Seq(items.into_iter().map(|v| value_node(v, span)).collect())
        }
        Value::Object(map) => NodeKind::Map(
            map.into_iter()
                .map(|(k, v)| {
                    let value = value_node(v, span);
                    (
                        k,
                        MapEntry {
                            key_span: span,
                            value,
                        },
                    )
                })
                .collect(),
        ),
    };
    Node {
        kind,
        span,
        not_json: None,
    }
}

/// Node's `util.inspect` of a `Uint8Array`, as v3 quotes it. Exact up to six bytes (one line);
/// longer arrays are shown on one line too, where Node groups them in columns.
fn inspect_bytes(bytes: &[u8]) -> String {
    if bytes.is_empty() {
        return "Uint8Array(0) []".to_owned();
    }
    let items: Vec<String> = bytes.iter().map(u8::to_string).collect();
    format!("Uint8Array({}) [ {} ]", bytes.len(), items.join(", "))
}

impl Raw {
    /// [`Raw::into_node`] followed by [`Node::into_value`], without the node tree.
    pub(crate) fn into_value(self) -> Value {
        match self.kind {
            RawKind::Value(value) => value,
            RawKind::Null => Value::Null,
            RawKind::Bool(b) => Value::Bool(b),
            RawKind::Number(n) if !n.is_finite() => Value::Null,
            RawKind::Number(n) => Value::Number(if n == 0.0 { 0.0 } else { n }),
            RawKind::String(s) => Value::String(s),
            RawKind::Date(t) => Value::String(crate::date::to_iso_string(t)),
            RawKind::Binary(bytes) => Value::Object(
                bytes
                    .into_iter()
                    .enumerate()
                    .map(|(i, b)| (i.to_string(), Value::Number(f64::from(b))))
                    .collect(),
            ),
            RawKind::Seq(items) => {
                let mut values = Vec::with_capacity(items.len());
                values.extend(items.into_iter().map(Raw::into_value));
                Value::Array(values)
            }
            RawKind::Map(entries) => {
                let mut map = Map::with_capacity_and_hasher(entries.len(), MapHasher::default());
                for (key, entry) in *entries {
                    map.insert(key, entry.value.into_value());
                }
                Value::Object(map)
            }
        }
    }
}

/// Whether `key` is an array index (a canonical decimal below 2^32 - 1), which JavaScript
/// objects list first, in ascending order.
fn array_index(key: &str) -> Option<u32> {
    let b = key.as_bytes();
    if b.is_empty() || b.len() > 10 || !b.iter().all(u8::is_ascii_digit) {
        return None;
    }
    if b.len() > 1 && b[0] == b'0' {
        return None;
    }
    key.parse::<u32>().ok().filter(|n| *n != u32::MAX)
}

/// Reorders `map` the way a JavaScript object enumerates its keys: array indices first in
/// ascending order, then the other keys in insertion order.
pub(crate) fn js_object_order<V>(map: &mut IndexMap<String, V, MapHasher>) {
    if !map.keys().any(|k| array_index(k).is_some()) {
        return;
    }
    map.sort_by(|a, _, b, _| match (array_index(a), array_index(b)) {
        (Some(x), Some(y)) => x.cmp(&y),
        (Some(_), None) => std::cmp::Ordering::Less,
        (None, Some(_)) => std::cmp::Ordering::Greater,
        (None, None) => std::cmp::Ordering::Equal,
    });
}
