//! Variables meta: what is left to resolve in each string of the configuration.
//!
//! v3 keeps, for every property path whose string value holds variables, the parsed variables
//! and their progress. This module builds that map from a value tree and from parser output.

use std::rc::Rc;

use indexmap::IndexMap;
use sls_syntax::{Literal, Part, Source as SyntaxSource, Variable, VariableKind};
use sls_value::Value;

use crate::error::{ErrorCode, ResolveError, SharedError, VariableSite, humanize};
use crate::source::Origin;

/// Property paths are joined with NUL, as in v3 (keys may contain dots).
pub(crate) type PathKey = String;

pub(crate) fn path_key(keys: &[String]) -> PathKey {
    keys.join("\0")
}

pub(crate) fn path_keys(key: &str) -> Vec<String> {
    key.split('\0').map(str::to_owned).collect()
}

/// A string (a property value, a param or an address) and the state of its variables.
#[derive(Debug, Clone, Default)]
pub(crate) struct ValueMeta {
    /// `None` once an error replaced the value.
    pub value: Option<Value>,
    /// `None` once every variable was resolved (or on error).
    pub variables: Option<Vec<VarMeta>>,
    /// For a string built from several pieces: the pieces, re-parsed one by one.
    pub source_values: Option<Vec<String>>,
    pub error: Option<SharedError>,
    /// Set when the whole value came from a file.
    pub origin: Option<Rc<Origin>>,
}

#[derive(Debug, Clone)]
pub(crate) struct VarMeta {
    pub start: usize,
    pub end: usize,
    /// The variable is the whole string (it then keeps its type).
    pub whole: bool,
    /// `None` once resolved (or on error); escapes never have sources.
    pub sources: Option<Vec<SourceMeta>>,
    pub value: Option<Value>,
    pub error: Option<SharedError>,
    pub origin: Option<Rc<Origin>>,
}

#[derive(Debug, Clone)]
pub(crate) enum SourceMeta {
    Typed {
        ty: String,
        params: Option<Vec<ValueMeta>>,
        address: Option<ValueMeta>,
    },
    Literal(Value),
}

impl SourceMeta {
    pub fn ty(&self) -> Option<&str> {
        match self {
            Self::Typed { ty, .. } => Some(ty),
            Self::Literal(_) => None,
        }
    }
}

pub(crate) fn literal_value(literal: &Literal) -> Value {
    match literal {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(*b),
        Literal::Number(n) => Value::Number(*n),
        Literal::String(s) => Value::String(s.clone()),
    }
}

pub(crate) fn var_metas(variables: &[Variable], len: usize) -> Vec<VarMeta> {
    let whole = sls_syntax::is_whole(variables, len);
    variables
        .iter()
        .map(|variable| match &variable.kind {
            VariableKind::Escape(text) => VarMeta {
                start: variable.start,
                end: variable.end,
                whole,
                sources: None,
                value: Some(Value::String(text.clone())),
                error: None,
                origin: None,
            },
            VariableKind::Sources(sources) => VarMeta {
                start: variable.start,
                end: variable.end,
                whole,
                sources: Some(sources.iter().map(source_meta).collect()),
                value: None,
                error: None,
                origin: None,
            },
        })
        .collect()
}

fn source_meta(source: &SyntaxSource) -> SourceMeta {
    match source {
        SyntaxSource::Literal(literal) => SourceMeta::Literal(literal_value(literal)),
        SyntaxSource::Typed(typed) => SourceMeta::Typed {
            ty: typed.ty.clone(),
            params: typed
                .params
                .as_ref()
                .map(|params| params.iter().map(part_meta).collect()),
            address: typed.address.as_ref().map(part_meta),
        },
    }
}

fn part_meta(part: &Part) -> ValueMeta {
    let value = literal_value(&part.value);
    let variables = if part.variables.is_empty() {
        None
    } else {
        let len = match &part.value {
            Literal::String(s) => s.len(),
            _ => 0,
        };
        Some(var_metas(&part.variables, len))
    };
    ValueMeta {
        value: Some(value),
        variables,
        source_values: None,
        error: None,
        origin: None,
    }
}

/// Parses one string into a meta entry, or `None` when it holds no variable.
pub(crate) fn string_meta(path: &[String], text: &str) -> Option<ValueMeta> {
    match sls_syntax::parse(text) {
        Ok(variables) if variables.is_empty() => None,
        Ok(variables) => Some(ValueMeta {
            value: Some(Value::String(text.to_owned())),
            variables: Some(var_metas(&variables, text.len())),
            source_values: None,
            error: None,
            origin: None,
        }),
        Err(err) => {
            let message = format!(
                "Variable syntax error at \"{}\": {}",
                humanize(path),
                err.v3_message(text)
            );
            let help = syntax_help(text, &err);
            let error = ResolveError::new(ErrorCode::Syntax, message)
                .with_help(help)
                .at(Some(VariableSite {
                    path: path.to_vec(),
                    range: Some(enclosing_variable(text, err.offset)),
                }));
            Some(ValueMeta {
                value: Some(Value::String(text.to_owned())),
                variables: None,
                source_values: None,
                error: Some(error.shared()),
                origin: None,
            })
        }
    }
}

/// Every string with variables under `value`, depth first in key order (v3's `parseEntries`).
pub(crate) fn parse_entries(
    value: &Value,
    prefix: &[String],
    out: &mut IndexMap<PathKey, ValueMeta>,
) {
    let mut path = prefix.to_vec();
    walk(value, &mut path, out);
}

fn walk(value: &Value, path: &mut Vec<String>, out: &mut IndexMap<PathKey, ValueMeta>) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                path.push(key.clone());
                walk(child, path, out);
                path.pop();
            }
        }
        Value::Array(items) => {
            for (index, child) in items.iter().enumerate() {
                path.push(index.to_string());
                walk(child, path, out);
                path.pop();
            }
        }
        Value::String(text) if !path.is_empty() => {
            if let Some(meta) = string_meta(path, text) {
                out.insert(path_key(path), meta);
            }
        }
        _ => {}
    }
}

/// The byte range of the innermost `${...}` that is still open at `offset` (to its matching `}`,
/// or to the end of the string when it is never closed), so a syntax error's label covers the
/// whole variable rather than one character. Outside any variable: the character at `offset`.
fn enclosing_variable(text: &str, offset: usize) -> (usize, usize) {
    let bytes = text.as_bytes();
    let offset = offset.min(text.len());
    let mut open: Vec<usize> = Vec::new();
    let mut i = 0;
    while i < offset {
        match bytes[i] {
            b'\\' => i += 1,
            b'$' if bytes.get(i + 1) == Some(&b'{') => {
                open.push(i);
                i += 1;
            }
            b'}' => {
                open.pop();
            }
            _ => {}
        }
        i += 1;
    }
    let start = match open.pop() {
        Some(start) => start,
        None if text
            .get(offset..)
            .is_some_and(|rest| rest.starts_with("${")) =>
        {
            offset
        }
        None => {
            let width = text
                .get(offset..)
                .and_then(|rest| rest.chars().next())
                .map_or(0, char::len_utf8);
            return (offset, offset + width);
        }
    };
    let mut depth = 0usize;
    let mut j = start;
    while j < bytes.len() {
        match bytes[j] {
            b'$' if bytes.get(j + 1) == Some(&b'{') => {
                depth += 1;
                j += 1;
            }
            b'}' => {
                depth -= 1;
                if depth == 0 {
                    return (start, j + 1);
                }
            }
            _ => {}
        }
        j += 1;
    }
    (start, text.len())
}

/// A hint for the commonest syntax slip: `${self.custom.x}` written for `${self:custom.x}`.
fn syntax_help(text: &str, err: &sls_syntax::SyntaxError) -> Option<String> {
    const SOURCES: &[&str] = &[
        "self", "env", "opt", "sls", "param", "aws", "ssm", "cf", "s3",
    ];
    let rest = text.get(err.offset..)?;
    let name = SOURCES
        .iter()
        .find(|s| rest.starts_with(&format!("{s}.")))?;
    let end = rest.find('}').unwrap_or(rest.len());
    let written = &rest[..end];
    let fixed = written.replacen('.', ":", 1);
    Some(format!(
        "`{written}` is not a variable: a source is followed by `:`; did you mean `{fixed}`? (`{name}` then the address)"
    ))
}

#[cfg(test)]
mod tests {
    use super::enclosing_variable;

    #[test]
    fn syntax_error_label_covers_the_inner_variable() {
        let text = "${self:custom.myProfile.${self.custom.myStage}}";
        // v3 reports `Invalid variable type at index 26`: inside the inner `${...}`.
        assert_eq!(enclosing_variable(text, 26), (24, 46));
    }

    #[test]
    fn unterminated_variable_runs_to_the_end() {
        assert_eq!(enclosing_variable("a ${self:x", 2), (2, 10));
        assert_eq!(enclosing_variable("${a:${b:c}", 4), (0, 10));
    }

    #[test]
    fn closed_variables_before_the_error_are_skipped() {
        let text = "${a:b} ${c:${d:e} f g}";
        assert_eq!(enclosing_variable(text, 18), (7, 22));
    }

    #[test]
    fn outside_any_variable_is_one_character() {
        assert_eq!(enclosing_variable("abc", 1), (1, 2));
        assert_eq!(enclosing_variable("é", 0), (0, 2));
        assert_eq!(enclosing_variable("abc", 3), (3, 3));
    }
}
