//! The character state machine of v3's `parse.js`, ported state for state.
//!
//! Many quirks of the syntax come from which character a state consumes, so this is a faithful
//! port rather than a grammar: the states, the context stack used for nesting, and the order of
//! checks are v3's. Offsets are byte offsets; every decision is made on ASCII characters, so they
//! agree with v3's UTF-16 indices up to the conversion in [`crate::utf16_index`].

use crate::lexical::{decode_json_string, is_js_whitespace, js_number};
use crate::{
    Literal, MAX_NESTING, Part, Source, SyntaxError, SyntaxErrorKind, TypedSource, Variable,
    VariableKind,
};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum State {
    Out,
    EscapeVar,
    EscapeVarDollar,
    MaybeVariableOpen,
    MaybeTypeStart,
    MaybeNextSourceStart,
    MaybeType,
    TypeOrSourceLiteral,
    ParamStart,
    Param,
    AfterParamString,
    MaybeAddressOpen,
    MaybeAddressStart,
    Address,
    AfterAddressString,
    AfterSourceLiteralString,
    Foreign,
    EscapeString,
    DoubleQuotedString,
    SingleQuotedString,
}

/// What a nested `${` interrupted, restored when the nested variable ends.
struct Context {
    state: State,
    variable_start: usize,
    context_start: usize,
    /// The interrupted level's variables when the nested level got a list of its own.
    variables: Option<Option<Vec<Variable>>>,
    context_variables: Option<Vec<Variable>>,
    current_source: Option<Source>,
    sources: Option<Vec<Source>>,
}

struct Machine<'a> {
    value: &'a str,
    index: usize,
    state: State,
    string_context: State,
    variables: Option<Vec<Variable>>,
    sources: Option<Vec<Source>>,
    contexts: Vec<Context>,
    current_source: Option<Source>,
    context_start: usize,
    context_variables: Option<Vec<Variable>>,
    escape_var_start: Option<usize>,
    variable_start: usize,
    source_start: usize,
    param_start: usize,
    address_start: usize,
}

/// Parses the variables in one string value.
///
/// Returns the variables and escapes found, in order (empty when there are none), or the first
/// syntax error, as v3 does.
pub fn parse(value: &str) -> Result<Vec<Variable>, SyntaxError> {
    // Every variable and every escape starts with `${` (`${`, `$${`, `\${`); without one the
    // machine never leaves its outer states, finds nothing and fails on nothing.
    if !value.contains("${") {
        return Ok(Vec::new());
    }
    let mut machine = Machine {
        value,
        index: 0,
        state: State::Out,
        string_context: State::Out,
        variables: None,
        sources: None,
        contexts: Vec::new(),
        current_source: None,
        context_start: 0,
        context_variables: None,
        escape_var_start: None,
        variable_start: 0,
        source_start: 0,
        param_start: 0,
        address_start: 0,
    };
    machine.run()
}

fn is_alpha(c: char) -> bool {
    c.is_ascii_lowercase()
}

fn is_alphanumeric(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '.' || c == '-'
}

/// `^[a-z][a-zA-Z0-9]*$`: the only type names a fallback source may have.
fn is_fallback_type(s: &str) -> bool {
    let mut chars = s.chars();
    chars.next().is_some_and(is_alpha) && chars.all(|c| c.is_ascii_alphanumeric())
}

fn js_trim(s: &str) -> &str {
    s.trim_matches(is_js_whitespace)
}

impl Machine<'_> {
    fn error(&self, kind: SyntaxErrorKind, offset: usize) -> SyntaxError {
        SyntaxError { kind, offset }
    }

    fn in_real_variable(&self) -> bool {
        self.contexts.iter().any(|c| c.state != State::Foreign)
    }

    fn run(&mut self) -> Result<Vec<Variable>, SyntaxError> {
        let value = self.value;
        for (index, c) in value.char_indices() {
            self.index = index;
            self.step(c)?;
        }
        self.index = value.len();
        if self.current_source.is_some() || self.sources.is_some() {
            let start = self
                .contexts
                .first()
                .map_or(self.variable_start, |c| c.variable_start);
            return Err(self.error(SyntaxErrorKind::UnterminatedVariable, start));
        }
        Ok(self.variables.take().unwrap_or_default())
    }

    #[allow(clippy::too_many_lines)] // one arm per state, as in the original machine
    fn step(&mut self, c: char) -> Result<(), SyntaxError> {
        let index = self.index;
        match self.state {
            State::Out => {
                if c == '\\' {
                    self.escape_var_start.get_or_insert(index);
                    self.state = State::EscapeVar;
                } else if c == '$' {
                    self.variable_start = index;
                    self.state = State::MaybeVariableOpen;
                } else {
                    self.escape_var_start = None;
                }
            }
            State::EscapeVar => {
                if c == '$' {
                    self.state = State::EscapeVarDollar;
                } else {
                    if c != '\\' {
                        self.escape_var_start = None;
                    }
                    self.state = State::Out;
                }
            }
            State::EscapeVarDollar => {
                if c == '{' {
                    self.register_var_escape();
                    self.state = State::Out;
                } else {
                    self.escape_var_start = None;
                    if c == '\\' {
                        self.escape_var_start = Some(index);
                        self.state = State::EscapeVar;
                    } else if c == '$' {
                        self.variable_start = index;
                        self.state = State::MaybeVariableOpen;
                    } else {
                        self.state = State::Out;
                    }
                }
            }
            State::MaybeVariableOpen => {
                if c == '{' {
                    if self.escape_var_start.is_some() {
                        self.register_slash_escape();
                    }
                    self.state = State::MaybeTypeStart;
                } else {
                    self.escape_var_start = None;
                    if c != '$' {
                        self.release_context();
                    }
                }
            }
            State::MaybeTypeStart => {
                if is_alpha(c) {
                    self.source_start = index;
                    self.state = State::MaybeType;
                } else if self.in_real_variable() {
                    return Err(self.error(SyntaxErrorKind::InvalidType, index));
                } else if c == '}' {
                    self.release_context();
                } else {
                    self.state = State::Foreign;
                    if c == '$' {
                        self.register_context(None)?;
                    }
                }
            }
            State::MaybeNextSourceStart => {
                if c == ' ' {
                    return Ok(());
                }
                self.source_start = index;
                if is_alphanumeric(c) {
                    self.state = State::TypeOrSourceLiteral;
                } else if c == '"' {
                    self.string_context = State::AfterSourceLiteralString;
                    self.state = State::DoubleQuotedString;
                } else if c == '\'' {
                    self.string_context = State::AfterSourceLiteralString;
                    self.state = State::SingleQuotedString;
                } else {
                    return Err(self.error(SyntaxErrorKind::InvalidSource, index));
                }
            }
            State::MaybeType => {
                if c == ':' || c == '(' {
                    self.current_source = Some(Source::Typed(TypedSource {
                        ty: self.value[self.source_start..index].to_owned(),
                        ty_offset: self.source_start,
                        params: (c == '(').then(Vec::new),
                        address: None,
                    }));
                    self.state = if c == ':' {
                        State::MaybeAddressStart
                    } else {
                        State::ParamStart
                    };
                } else if !is_alphanumeric(c) {
                    if self.in_real_variable() {
                        return Err(self.error(SyntaxErrorKind::InvalidType, self.source_start));
                    }
                    if c == '}' {
                        self.release_context();
                    } else {
                        self.state = State::Foreign;
                        if c == '$' {
                            self.register_context(None)?;
                        }
                    }
                }
            }
            State::TypeOrSourceLiteral => {
                if c == ' ' {
                    return Ok(());
                }
                if c == ':' || c == '(' {
                    let ty = &self.value[self.source_start..index];
                    if !is_fallback_type(ty) {
                        return Err(self.error(SyntaxErrorKind::InvalidSource, self.source_start));
                    }
                    self.current_source = Some(Source::Typed(TypedSource {
                        ty: ty.to_owned(),
                        ty_offset: self.source_start,
                        params: (c == '(').then(Vec::new),
                        address: None,
                    }));
                    self.state = if c == ':' {
                        State::MaybeAddressStart
                    } else {
                        State::ParamStart
                    };
                } else if c == '}' {
                    let literal = js_trim(&self.value[self.source_start..index]);
                    let literal = self.parse_literal_source(literal, false)?;
                    self.current_source = Some(Source::Literal(literal));
                    self.finalize_variable();
                } else if !is_alphanumeric(c) {
                    return Err(self.error(SyntaxErrorKind::InvalidSource, self.source_start));
                }
            }
            State::ParamStart => {
                if c == ' ' {
                    return Ok(());
                }
                if c == ')' {
                    self.state = State::MaybeAddressOpen;
                } else if c == ',' {
                    self.push_param(Part {
                        value: Literal::Null,
                        variables: Vec::new(),
                        offset: index,
                    });
                } else if c == '}' {
                    return Err(self.error(SyntaxErrorKind::InvalidParam, index));
                } else {
                    self.param_start = index;
                    if c == '"' {
                        self.string_context = State::AfterParamString;
                        self.state = State::DoubleQuotedString;
                    } else if c == '\'' {
                        self.string_context = State::AfterParamString;
                        self.state = State::SingleQuotedString;
                    } else {
                        self.state = State::Param;
                        self.context_variables = None;
                        if c == '$' {
                            self.register_context(Some(self.param_start))?;
                        }
                    }
                }
            }
            State::Param => {
                if c == ')' || c == ',' {
                    let text = js_trim(&self.value[self.param_start..index]);
                    if c == ',' || !text.is_empty() {
                        let part = self.unquoted_part(text, self.param_start);
                        self.push_param(part);
                    }
                    self.state = if c == ')' {
                        State::MaybeAddressOpen
                    } else {
                        State::ParamStart
                    };
                } else if c == '}' {
                    return Err(self.error(SyntaxErrorKind::InvalidParam, self.param_start));
                } else if c == '$' {
                    self.register_context(Some(self.param_start))?;
                }
            }
            State::AfterParamString => {
                if c == ' ' {
                    return Ok(());
                }
                if c == ')' || c == ',' {
                    let text = self.parse_string(self.param_start)?;
                    self.push_param(Part {
                        value: Literal::String(text),
                        variables: Vec::new(),
                        offset: self.param_start,
                    });
                    self.state = if c == ')' {
                        State::MaybeAddressOpen
                    } else {
                        State::ParamStart
                    };
                } else {
                    return Err(self.error(SyntaxErrorKind::InvalidParam, self.param_start));
                }
            }
            State::MaybeAddressOpen => {
                if c == ' ' {
                    return Ok(());
                }
                if c == ':' {
                    self.state = State::MaybeAddressStart;
                } else if c == '}' {
                    self.finalize_variable();
                } else if c == ',' {
                    self.finalize_source();
                } else {
                    return Err(self.error(SyntaxErrorKind::InvalidAddress, index));
                }
            }
            State::MaybeAddressStart => {
                if c == ' ' {
                    return Ok(());
                }
                if c == '}' {
                    self.finalize_variable();
                } else if c == ',' {
                    self.finalize_source();
                } else {
                    self.address_start = index;
                    if c == ':' {
                        let has_params = matches!(
                            &self.current_source,
                            Some(Source::Typed(TypedSource {
                                params: Some(_),
                                ..
                            }))
                        );
                        if !has_params && !self.in_real_variable() {
                            self.current_source = None;
                            self.state = State::Foreign;
                        } else {
                            return Err(self.error(SyntaxErrorKind::InvalidAddress, index));
                        }
                    } else if c == '"' {
                        self.string_context = State::AfterAddressString;
                        self.state = State::DoubleQuotedString;
                    } else if c == '\'' {
                        self.string_context = State::AfterAddressString;
                        self.state = State::SingleQuotedString;
                    } else {
                        self.state = State::Address;
                        self.context_variables = None;
                        if c == '$' {
                            self.register_context(Some(self.address_start))?;
                        }
                    }
                }
            }
            State::Address => {
                if c == '}' || c == ',' {
                    let text = js_trim(&self.value[self.address_start..index]);
                    let part = self.address_part(text, self.address_start);
                    self.set_address(part);
                    if c == '}' {
                        self.finalize_variable();
                    } else {
                        self.finalize_source();
                    }
                } else if c == '$' {
                    self.register_context(Some(self.address_start))?;
                }
            }
            State::AfterAddressString => {
                if c == ' ' {
                    return Ok(());
                }
                if c == '}' || c == ',' {
                    let text = self.parse_string(self.address_start)?;
                    self.set_address(Part {
                        value: Literal::String(text),
                        variables: Vec::new(),
                        offset: self.address_start,
                    });
                    if c == '}' {
                        self.finalize_variable();
                    } else {
                        self.finalize_source();
                    }
                } else {
                    return Err(self.error(SyntaxErrorKind::InvalidAddress, self.address_start));
                }
            }
            State::AfterSourceLiteralString => {
                if c == ' ' {
                    return Ok(());
                }
                if c == '}' {
                    let text = self.parse_string(self.source_start)?;
                    self.current_source = Some(Source::Literal(Literal::String(text)));
                    self.finalize_variable();
                } else {
                    return Err(self.error(SyntaxErrorKind::InvalidSource, self.source_start));
                }
            }
            State::Foreign => {
                if c == '}' {
                    self.release_context();
                } else if c == '$' {
                    self.register_context(None)?;
                }
            }
            State::EscapeString => self.state = State::DoubleQuotedString,
            State::DoubleQuotedString => {
                if c == '"' {
                    self.state = self.string_context;
                } else if c == '\\' {
                    self.state = State::EscapeString;
                }
            }
            State::SingleQuotedString => {
                if c == '\'' {
                    self.state = self.string_context;
                }
            }
        }
        Ok(())
    }

    /// `\\\${`: an odd run of backslashes before `${` makes a literal `${`.
    fn register_var_escape(&mut self) {
        let Some(start) = self.escape_var_start.take() else {
            return;
        };
        let index = self.index;
        // n backslashes before `${` (n odd) leave (n - 1) / 2 of them before a literal `$`.
        let count = (index - 1 - start).saturating_sub(1).div_ceil(2);
        let mut text = "\\".repeat(count);
        text.push('$');
        self.push_variable(Variable {
            start: start - self.context_start,
            end: index - self.context_start,
            kind: VariableKind::Escape(text),
        });
    }

    /// `\\${`: an even run of backslashes before a real variable is halved.
    fn register_slash_escape(&mut self) {
        let Some(start) = self.escape_var_start.take() else {
            return;
        };
        let index = self.index;
        let count = (index - 1 - start).saturating_sub(1).div_ceil(2);
        self.push_variable(Variable {
            start: start - self.context_start,
            end: index - 1 - self.context_start,
            kind: VariableKind::Escape("\\".repeat(count)),
        });
    }

    fn push_variable(&mut self, variable: Variable) {
        self.variables.get_or_insert_with(Vec::new).push(variable);
    }

    /// Enters a nested `${`. With `new_start`, the nested variables belong to a param or an
    /// address starting there (they get a list of their own, relative to that start).
    fn register_context(&mut self, new_start: Option<usize>) -> Result<(), SyntaxError> {
        // The variable being read is one level, each context an enclosing one.
        if self.contexts.len() + 1 >= MAX_NESTING {
            return Err(self.error(SyntaxErrorKind::TooDeep, self.index));
        }
        self.variables.get_or_insert_with(Vec::new);
        let new_start = new_start.filter(|&s| s != 0);
        let swapped = new_start.is_some();
        if swapped && self.context_variables.is_none() {
            self.context_variables = Some(Vec::new());
        }
        let context = Context {
            state: self.state,
            variable_start: self.variable_start,
            context_start: self.context_start,
            variables: swapped.then(|| self.variables.take()),
            context_variables: if swapped {
                None
            } else {
                self.context_variables.take()
            },
            current_source: self.current_source.clone(),
            sources: self.sources.take(),
        };
        self.contexts.push(context);
        self.state = State::MaybeVariableOpen;
        self.variable_start = self.index;
        if let Some(start) = new_start {
            self.context_start = start;
            self.variables = self.context_variables.take();
        }
        Ok(())
    }

    fn release_context(&mut self) {
        let Some(context) = self.contexts.pop() else {
            self.state = State::Out;
            return;
        };
        self.state = context.state;
        self.variable_start = context.variable_start;
        match context.variables {
            Some(outer) => {
                self.context_variables = self.variables.take();
                self.variables = outer;
            }
            None => self.context_variables = context.context_variables,
        }
        self.current_source = context.current_source;
        self.sources = context.sources;
        if self.state == State::Param {
            self.param_start = self.context_start;
        }
        if self.state == State::Address {
            self.address_start = self.context_start;
        }
        self.context_start = context.context_start;
    }

    fn finalize_source(&mut self) {
        if let Some(source) = self.current_source.take() {
            self.sources.get_or_insert_with(Vec::new).push(source);
        }
        self.state = State::MaybeNextSourceStart;
    }

    fn finalize_variable(&mut self) {
        self.finalize_source();
        let sources = self.sources.take().unwrap_or_default();
        let variable = Variable {
            start: self.variable_start - self.context_start,
            end: self.index + 1 - self.context_start,
            kind: VariableKind::Sources(sources),
        };
        self.push_variable(variable);
        self.release_context();
    }

    fn push_param(&mut self, part: Part) {
        if let Some(Source::Typed(TypedSource {
            params: Some(params),
            ..
        })) = &mut self.current_source
        {
            params.push(part);
        }
    }

    fn set_address(&mut self, part: Part) {
        if let Some(Source::Typed(source)) = &mut self.current_source {
            source.address = Some(part);
        }
    }

    /// An unquoted param: a literal unless it holds variables; falsy values become `null`.
    fn unquoted_part(&mut self, text: &str, offset: usize) -> Part {
        match self.context_variables.take() {
            Some(variables) => meta_part(text, variables, offset),
            None => Part {
                value: falsy_to_null(literal_or_string(text)),
                variables: Vec::new(),
                offset,
            },
        }
    }

    /// An unquoted address: the trimmed text, with its nested variables if any.
    fn address_part(&mut self, text: &str, offset: usize) -> Part {
        let variables = self.context_variables.take().unwrap_or_default();
        meta_part(text, variables, offset)
    }

    /// A quoted string starting at `start` and ending at the current index.
    fn parse_string(&self, start: usize) -> Result<String, SyntaxError> {
        let raw = &self.value[start..self.index];
        if raw.starts_with('\'') {
            let trimmed = js_trim(raw);
            return Ok(trimmed
                .get(1..trimmed.len().saturating_sub(1))
                .unwrap_or_default()
                .to_owned());
        }
        decode_json_string(raw)
            .map_err(|message| self.error(SyntaxErrorKind::InvalidStringLiteral(message), start))
    }

    fn parse_literal_source(&self, literal: &str, fallback: bool) -> Result<Literal, SyntaxError> {
        match literal {
            "true" => Ok(Literal::Bool(true)),
            "false" => Ok(Literal::Bool(false)),
            "null" => Ok(Literal::Null),
            _ => match js_number(literal) {
                Some(n) => Ok(Literal::Number(n)),
                None if fallback => Ok(Literal::String(literal.to_owned())),
                None => Err(self.error(
                    SyntaxErrorKind::InvalidLiteralSource(literal.to_owned()),
                    self.source_start,
                )),
            },
        }
    }
}

fn literal_or_string(text: &str) -> Literal {
    match text {
        "true" => Literal::Bool(true),
        "false" => Literal::Bool(false),
        "null" => Literal::Null,
        _ => js_number(text).map_or_else(|| Literal::String(text.to_owned()), Literal::Number),
    }
}

/// v3 stores `value || null`: every falsy literal becomes `null`.
fn falsy_to_null(literal: Literal) -> Literal {
    match literal {
        Literal::Bool(false) => Literal::Null,
        Literal::Number(n) if n == 0.0 || n.is_nan() => Literal::Null,
        Literal::String(s) if s.is_empty() => Literal::Null,
        other => other,
    }
}

fn meta_part(text: &str, variables: Vec<Variable>, offset: usize) -> Part {
    let value = if text.is_empty() {
        Literal::Null
    } else {
        Literal::String(text.to_owned())
    };
    Part {
        value,
        variables,
        offset,
    }
}
