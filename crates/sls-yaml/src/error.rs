//! The error type of both loaders.

use crate::node::Span;

/// What went wrong while loading a document.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum LoadErrorKind {
    /// Malformed YAML or JSON text (bad indentation, tabs, unclosed collections or
    /// quotes, stray characters, non-printable characters, ...).
    Syntax,
    /// The same key appears twice in one mapping (keys that came from a merge `<<` may be
    /// overridden once).
    DuplicateKey,
    /// A tag the schema does not know, or a known tag on a node kind it does not accept
    /// (`!!str [a]`).
    UnknownTag,
    /// A known tag cannot construct a value from its node (`!!int abc`, `!!set {a: 1}`).
    InvalidValue,
    /// A key that cannot be turned into a string (a sequence key holding a sequence).
    InvalidKey,
    /// A merge key `<<` whose value is not a mapping or a sequence of mappings, or merges
    /// beyond js-yaml's limits.
    InvalidMerge,
    /// Alias expansion would copy more than the allowed number of nodes.
    AliasLimit,
    /// An alias refers to a node that contains it.
    RecursiveAlias,
    /// Nesting deeper than the supported limit.
    TooDeep,
    /// The stream holds more than one YAML document.
    MultipleDocuments,
}

/// A loading error with a human-readable message and the byte span of the offending token.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{message}")]
pub struct LoadError {
    pub kind: LoadErrorKind,
    /// Lowercase, no trailing period; user text in backticks.
    pub message: String,
    pub span: Span,
}

impl LoadError {
    pub(crate) fn new(kind: LoadErrorKind, message: impl Into<String>, span: Span) -> Self {
        LoadError {
            kind,
            message: message.into(),
            span,
        }
    }
}
