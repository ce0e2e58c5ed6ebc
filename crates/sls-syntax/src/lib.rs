//! The `${...}` variable syntax of Serverless Framework v3.
//!
//! [`parse`] turns one string value into the variables it holds, each with byte offsets, exactly
//! as v3's `parse.js` state machine does (quirks included: foreign notations such as
//! `${AWS::Region}` are left alone, `$${` swallows the first `$`, a `$` inside an address eats the
//! next character, literals may only come last, falsy unquoted params become `null`).
//!
//! Offsets are byte offsets. Variables nested in a param or an address are relative to that
//! [`Part`]'s start, as in v3, so a resolved value can be spliced into the part's text; a part also
//! records its absolute [`Part::offset`] in the parsed string, for diagnostics.
//!
//! nom is used for the small lexical pieces (JavaScript `Number()` literals, JSON string
//! literals); no nom type appears in the API.
//!
//! [`render`] prints a parsed string back, each variable in a canonical spelling; parsing the
//! result gives the same variables (the round trip is a property test).
//!
//! Nesting is bounded: more than [`MAX_NESTING`] `${` open at once is a
//! [`SyntaxErrorKind::TooDeep`] error, so the parse output (each nested param or address keeps
//! its raw text) stays proportional to the input and the resolver's recursion stays shallow.

#[doc(hidden)]
pub mod invariants;
mod lexical;
mod machine;
mod render;

pub use lexical::{decode_json_string, is_js_whitespace, js_number};
pub use machine::parse;
pub use render::{render, render_variable};

/// The most `${` that may be open at once (v3 has no limit of its own but runs out of stack
/// near 1,000 levels; real configurations nest two or three).
pub const MAX_NESTING: usize = 100;

/// A scalar written in the variable syntax: a fallback literal or an unquoted/quoted param.
#[derive(Debug, Clone, PartialEq)]
pub enum Literal {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
}

/// One `${...}` found in a string, or one escape sequence (`\${`) to rewrite.
#[derive(Debug, Clone, PartialEq)]
pub struct Variable {
    /// Byte offset of the first character (the first `$`, or the first `\` of an escape),
    /// relative to the string or part it was found in.
    pub start: usize,
    /// Byte offset just past the closing `}` (for an escape: just past the `$`).
    pub end: usize,
    pub kind: VariableKind,
}

#[derive(Debug, Clone, PartialEq)]
pub enum VariableKind {
    /// Backslash escape: the text `start..end` is replaced by this text.
    Escape(String),
    /// A real variable: the first source, then its fallbacks, in order.
    Sources(Vec<Source>),
}

#[derive(Debug, Clone, PartialEq)]
pub enum Source {
    /// `type:address`, `type(params)` or `type(params):address`.
    Typed(TypedSource),
    /// A fallback literal (`'x'`, `"x"`, `5`, `true`, `null`), always the last entry.
    Literal(Literal),
}

#[derive(Debug, Clone, PartialEq)]
pub struct TypedSource {
    /// The source type, e.g. `self`, `file`, `strToBool`.
    pub ty: String,
    /// Absolute byte offset of the type name in the parsed string.
    pub ty_offset: usize,
    /// `None` when the source was written without parentheses.
    pub params: Option<Vec<Part>>,
    /// `None` when there is no address (`${self:}` and `${file(x)}` both have none).
    pub address: Option<Part>,
}

/// A param or an address: a literal value, or raw text holding nested variables.
#[derive(Debug, Clone, PartialEq)]
pub struct Part {
    /// With `variables` empty, the literal value. Otherwise `Literal::String` with the raw
    /// (trimmed) text, whose variables are at the offsets in `variables`.
    pub value: Literal,
    /// Nested variables, offsets relative to `offset`.
    pub variables: Vec<Variable>,
    /// Absolute byte offset where this part starts in the parsed string.
    pub offset: usize,
}

impl Part {
    /// Whether the part is exactly one variable, with no text around it (it then keeps the
    /// variable's type rather than becoming a string).
    pub fn is_whole_variable(&self) -> bool {
        is_whole(&self.variables, text_len(&self.value))
    }
}

fn text_len(value: &Literal) -> usize {
    match value {
        Literal::String(s) => s.len(),
        _ => 0,
    }
}

/// Whether `variables` is one variable spanning the whole string of length `len`.
pub fn is_whole(variables: &[Variable], len: usize) -> bool {
    matches!(variables, [only] if only.start == 0 && only.end == len)
}

/// A syntax error, with the byte offset v3 reports it at.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
#[error("{kind}")]
pub struct SyntaxError {
    pub kind: SyntaxErrorKind,
    /// Byte offset in the parsed string (for an unterminated variable: where it starts).
    pub offset: usize,
}

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum SyntaxErrorKind {
    #[error("missing closing bracket `}}`")]
    UnterminatedVariable,
    #[error("invalid variable type")]
    InvalidType,
    #[error("invalid variable source")]
    InvalidSource,
    #[error("invalid literal source `{0}`")]
    InvalidLiteralSource(String),
    #[error("invalid variable param")]
    InvalidParam,
    #[error("invalid variable address")]
    InvalidAddress,
    #[error("invalid string literal: {0}")]
    InvalidStringLiteral(String),
    /// More than [`MAX_NESTING`] variables nested in one another (ours; v3 overflows its stack).
    #[error("variables nested more than {MAX_NESTING} levels deep")]
    TooDeep,
}

impl SyntaxError {
    /// v3's error code, e.g. `INVALID_VARIABLE_TYPE`.
    pub fn code(&self) -> &'static str {
        match self.kind {
            SyntaxErrorKind::UnterminatedVariable => "UNTERMINATED_VARIABLE",
            SyntaxErrorKind::InvalidType => "INVALID_VARIABLE_TYPE",
            SyntaxErrorKind::InvalidSource => "INVALID_VARIABLE_SOURCE",
            SyntaxErrorKind::InvalidLiteralSource(_) => "INVALID_VARIABLE_LITERAL_SOURCE",
            SyntaxErrorKind::InvalidParam => "INVALID_VARIABLE_PARAM",
            SyntaxErrorKind::InvalidAddress => "INVALID_VARIABLE_ADDRESS",
            SyntaxErrorKind::InvalidStringLiteral(_) => "INVALID_VARIABLE_STRING_LITERAL",
            SyntaxErrorKind::TooDeep => "VARIABLE_NESTING_TOO_DEEP",
        }
    }

    /// The message v3 prints for this error in `input` (indices in UTF-16 code units, as in JS).
    pub fn v3_message(&self, input: &str) -> String {
        let index = utf16_index(input, self.offset);
        match &self.kind {
            SyntaxErrorKind::UnterminatedVariable => {
                format!("Missing variable closing bracket in {input}")
            }
            SyntaxErrorKind::InvalidType => {
                format!("Invalid variable type at index {index} in \"{input}\"")
            }
            SyntaxErrorKind::InvalidSource => {
                format!("Invalid variable source at index {index} in \"{input}\"")
            }
            SyntaxErrorKind::InvalidLiteralSource(token) => {
                format!("Invalid literal source \"{token}\" at index {index} in \"{input}\"")
            }
            SyntaxErrorKind::InvalidParam => {
                format!("Invalid variable param at index {index} in \"{input}\"")
            }
            SyntaxErrorKind::InvalidAddress => {
                format!("Invalid variable address at index {index} in \"{input}\"")
            }
            SyntaxErrorKind::InvalidStringLiteral(json) => {
                format!("Invalid string literal at index {index} in \"{input}\": {json}")
            }
            // Not a v3 message (v3 fails with `RangeError: Maximum call stack size exceeded`);
            // the input is left out, as it is long by construction.
            SyntaxErrorKind::TooDeep => {
                format!("Variables nested more than {MAX_NESTING} levels deep at index {index}")
            }
        }
    }
}

/// The JavaScript string index (UTF-16 code units) of byte offset `byte` in `s`.
pub fn utf16_index(s: &str, byte: usize) -> usize {
    let byte = byte.min(s.len());
    s.get(..byte)
        .map_or(byte, |prefix| prefix.chars().map(char::len_utf16).sum())
}
