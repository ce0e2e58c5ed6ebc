//! Loads `serverless.yml` / `serverless.json` into a span-keeping node tree.
//!
//! [`load_yaml`] gives the value Serverless Framework v3 sees after it loads a YAML
//! configuration with js-yaml 4 (`load` with `DEFAULT_SCHEMA` extended by the 17
//! CloudFormation short tags) and round-trips it through `JSON.stringify`/`JSON.parse`.
//! [`load_json`] follows `JSON.parse`. Every node carries the byte [`Span`] of the text
//! it came from, so diagnostics can label the exact source location.
//!
//! The YAML side is a thin adapter over the `saphyr-parser` event stream: events are
//! folded into our own tree while js-yaml's schema rules are applied: implicit scalar
//! types (core schema plus timestamps and `<<`), explicit `!!` tags, `!Ref`/`!GetAtt`/...,
//! anchors and aliases (deep copies), merge keys, duplicate keys, JavaScript key
//! stringification (`1: a` has key `"1"`) and JavaScript object key order (array-index
//! keys first). Where saphyr is stricter than js-yaml on input js-yaml accepts (surrogate
//! escapes, a tab after `:`, stray byte order marks, under-indented continuation lines in
//! quoted scalars and flow collections, content on the `---` line), the text handed to
//! saphyr is patched and parsed again, with positions mapped back to the original text.
//! js-yaml's absorption of a less indented `- ` entry after an empty sequence entry
//! (`list:\n  -\n- x` puts `x` into `list`) is reproduced the same way.
//!
//! Resource bounds, so hostile input fails fast instead of exhausting memory or stack:
//! - nesting deeper than js-yaml's `maxDepth` of 100 fails with [`LoadErrorKind::TooDeep`]
//!   (JSON: more than 1,000 nested arrays/objects);
//! - alias expansion may copy at most 1,000,000 nodes in total ([`LoadErrorKind::AliasLimit`]),
//!   and the expanded tree may be at most 500 levels deep;
//! - merge keys follow js-yaml's `maxTotalMergeKeys` (10,000) and merge sequence size (100)
//!   limits ([`LoadErrorKind::InvalidMerge`]).
//!
//! Known differences from js-yaml (+ the JSON round trip):
//! - a date used as a key is stringified as JavaScript does in the UTC time zone
//!   (`Mon Jan 01 2024 00:00:00 GMT+0000 (Coordinated Universal Time)`), not the local one;
//! - an unpaired UTF-16 surrogate escape (`"\ud800"`) becomes U+FFFD;
//! - js-yaml keeps aliases as shared references, so an alias bomb loads but cannot be
//!   serialized and a recursive alias fails only in `JSON.stringify`; both are load errors
//!   here ([`LoadErrorKind::AliasLimit`], [`LoadErrorKind::RecursiveAlias`]);
//! - js-yaml quirks on malformed YAML are not reproduced: properties followed by a key on
//!   the same line (`a: &x b: c` is `{a: {b: c}}` for js-yaml), `---` followed directly by
//!   content (`---a: 1`), anchor names ending in `:` (`&x: v`), a tab right after `?`;
//! - saphyr enforces YAML's 1024-character limit on implicit keys and accepts an anchored
//!   flow collection as a block mapping key (`&a [x]: v`), which js-yaml rejects;
//! - [`Node::not_json`] quotes a byte array as Node's `util.inspect` does on one line; Node
//!   lays arrays of more than six bytes out in columns, so v3's message differs there;
//! - js-yaml's nesting depth is counted exactly for ordinary layouts (block mappings and
//!   sequences, flow collections, values on the key's line or below); unusual layouts (an
//!   explicit `?` key holding deep nesting) may hit the limit one level earlier or later.

mod compose;
mod date;
mod documents;
mod error;
mod jsnum;
mod json;
mod node;
mod raw;
mod scalar;
mod tags;
mod working;

pub use error::{LoadError, LoadErrorKind};
pub use node::{MapEntry, Node, NodeKind, Span};
pub use sls_value::{Map, Value};

/// Loads one YAML document with js-yaml 4 + CloudFormation-tag semantics, followed by a
/// JSON round trip.
///
/// An empty document (or one holding only comments) gives a [`NodeKind::Null`] node.
/// Alias nodes are deep copies of their anchored node and keep the anchored node's
/// spans (the spans say where the text of a value is written).
///
/// # Errors
/// Returns a [`LoadError`] whose span points at the offending token: YAML syntax errors,
/// duplicate keys, unknown tags, values a tag cannot accept, more than one document,
/// excessive nesting or alias expansion, and unacceptable merge sources.
pub fn load_yaml(text: &str) -> Result<Node, LoadError> {
    compose::load(text)
}

/// [`load_yaml`] without the node tree: the document's plain value, as
/// `load_yaml(text)?.into_value()` gives it, built directly (for callers that need the spans
/// only in the rare case of an error, and can then load the text again).
///
/// # Errors
/// As [`load_yaml`].
pub fn load_yaml_value(text: &str) -> Result<Value, LoadError> {
    compose::load_value(text)
}

/// Whether js-yaml finds no document at all in `text` (its `load` returns `undefined`, not
/// `null`): the text is empty, or after a leading BOM holds only spaces and at most one final
/// line break. Any other text without content (a comment, two line breaks, `---`) is one
/// document whose value is `null`.
pub fn has_no_document(text: &str) -> bool {
    let text = text.strip_prefix('\u{feff}').unwrap_or(text);
    matches!(text.trim_start_matches(' '), "" | "\n" | "\r")
}

/// Parses JSON text with `JSON.parse` semantics (RFC 8259, numbers as `f64`, duplicate keys:
/// last value wins at the first key's position), keeping a span on every node.
///
/// # Errors
/// Returns a [`LoadError`] of kind [`LoadErrorKind::Syntax`] pointing at the offending
/// character, or [`LoadErrorKind::TooDeep`] beyond 1,000 nested arrays/objects.
pub fn load_json(text: &str) -> Result<Node, LoadError> {
    json::parse(text)
}

#[cfg(test)]
mod tests {
    use super::has_no_document;

    #[test]
    fn no_document_only_for_blank_text_with_at_most_one_line_break() {
        for text in ["", "\n", "\r", " ", "   \n", "\u{feff}", "\u{feff}\n"] {
            assert!(has_no_document(text), "{text:?}");
        }
        for text in ["\n\n", "\r\n", "#", "# c\n", "---", "~", " \n\n", "\t"] {
            assert!(!has_no_document(text), "{text:?}");
        }
    }
}
