//! The resolution engine: v3's `VariablesResolver`, made synchronous.
//!
//! v3 resolves every property concurrently with memoised promises; here a property is resolved
//! depth first when it is first needed, memoised per resolution batch, with the same dependency
//! edges, cycle checks, nest-depth limits, re-parsing of resolved values and error identities.
//! One [`Engine::run`] is one v3 resolver invocation (one phase step): the source registry, the
//! dependency map and the caches are per run; the configuration and its meta persist.

use std::borrow::Cow;
use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use foldhash::{HashMap as FastMap, HashSet as FastSet};
use indexmap::{IndexMap, IndexSet};
use sls_value::{Value, js_to_string};

use crate::error::{ErrorCode, ResolveError, SharedError, VariableSite, humanize};
use crate::meta::{
    MetaMap, PathKey, SourceMeta, ValueMeta, VarMeta, parse_entries, path_key, path_keys, var_metas,
};
use crate::source::{
    Environment, Origin, Source, SourceContext, SourceError, SourceOutput, SourceRequest,
};
use crate::trace::{Lookup, LookupOutcome};
use crate::value::{js_get, normalize_json, set_path};

/// v3 gives up on a property re-resolved more often than this.
const PROPERTY_NEST_LIMIT: u32 = 10;
/// v3 gives up on a param or address re-resolved more often than this.
const VARIABLE_NEST_LIMIT: u32 = 10;
/// The most variables being resolved one inside another: a reference chain
/// (`a: ${self:b}`, `b: ${self:c}`, ...) or variables nested in addresses. Resolution recurses
/// once per level; v3 runs out of stack near 400 chained references (`RangeError: Maximum call
/// stack size exceeded`). At this depth resolution needs about 4 MiB of stack in a debug build
/// (the `sls-resolve` binary resolves on threads of 32 MiB; a test thread has 2 MiB).
pub const MAX_RESOLUTION_DEPTH: usize = 256;
/// How much value data variables may copy into the configuration in one resolution: this
/// much, plus twice the size of the configuration itself. Sizes are estimates of memory: 64
/// bytes a value, plus the bytes of its strings and keys (so this is about 250,000 small
/// values, or 16 MiB of text). References to references multiply (`l1: [${self:l0}, ...]`,
/// `l2: [${self:l1}, ...]`: a "billion laughs" through variables, on which v3 never finishes);
/// real configurations copy far less than their own size (the 20,000-function benchmark, with
/// 80,000 variables, copies a third of its size).
pub const MAX_SUBSTITUTED_BYTES: usize = 16 << 20;

pub(crate) struct Engine {
    pub config: Value,
    pub meta: MetaMap,
    pub env: Environment,
    /// Properties whose value came from a file, with where in that file.
    pub origins: IndexMap<PathKey, Rc<Origin>>,
    /// Every source lookup, when tracing is on.
    pub trace: Option<Vec<Lookup>>,
    batch: u64,
    run: RunState,
    /// Variables being resolved right now, one inside another.
    depth: usize,
    /// Bytes of value data variables have copied so far, the most they may copy, and the one
    /// error reported once that is passed (shared, so it is reported once).
    substituted: usize,
    substitution_limit: usize,
    too_much: Option<SharedError>,
    /// What is left of the "did you mean" comparisons (`hints::HINT_BUDGET`).
    hint_budget: usize,
}

#[derive(Default)]
struct RunState {
    sources: HashMap<String, Rc<dyn Source>>,
    fulfilled: HashSet<String>,
    dependencies: FastMap<PathKey, IndexSet<PathKey>>,
    nest_depth: FastMap<PathKey, u32>,
    cache: FastMap<String, Result<SourceOutput, SourceError>>,
    /// Where cache keys are written (one buffer for the run).
    key_buffer: String,
}

type Flow<T> = Result<T, SharedError>;

fn missing_dependency() -> SharedError {
    ResolveError::new(
        ErrorCode::MissingVariableDependency,
        "Cannot resolve variable",
    )
    .shared()
}

impl Engine {
    pub fn new(config: Value, env: Environment) -> Self {
        let substitution_limit = MAX_SUBSTITUTED_BYTES.saturating_add(2 * value_size(&config));
        Self {
            meta: MetaMap::of_config(&config),
            config,
            env,
            origins: IndexMap::new(),
            trace: None,
            batch: 0,
            run: RunState::default(),
            depth: 0,
            substituted: 0,
            substitution_limit,
            too_much: None,
            hint_budget: crate::hints::HINT_BUDGET,
        }
    }

    /// One resolver invocation with the given registered and fulfilled sources, over every
    /// property or only those on the given paths (with their ancestors and descendants).
    pub fn run(
        &mut self,
        sources: HashMap<String, Rc<dyn Source>>,
        fulfilled: HashSet<String>,
        only: Option<&[&[&str]]>,
    ) {
        self.run = RunState {
            sources,
            fulfilled,
            ..RunState::default()
        };
        self.batch += 1;
        let batch = self.batch;
        // The keys are taken before anything resolves: properties added meanwhile wait.
        let keys: Vec<Vec<Rc<str>>> = match only {
            None => vec![self.meta.keys_below(&[])],
            Some(paths) => paths
                .iter()
                .map(|target| self.meta.keys_related(&target.join("\0")))
                .collect(),
        };
        for key in keys.iter().flatten() {
            self.resolve_property(batch, key);
        }
        self.run.cache.clear();
    }

    fn next_batch(&mut self) -> u64 {
        self.batch += 1;
        self.batch
    }

    /// Resolves a property once per batch. (A property no longer in the meta is resolved:
    /// its meta entries are never added again, so there is nothing to remember for it.)
    fn resolve_property(&mut self, batch: u64, key: &str) {
        if self.meta.visit(key, batch) {
            self.resolve_property_unmemoised(batch, key);
        }
    }

    fn resolve_property_unmemoised(&mut self, batch: u64, key: &str) {
        let Some(slot) = self.meta.get_mut(key) else {
            return;
        };
        if slot.variables.is_none() {
            return;
        }
        let mut meta = std::mem::take(slot);
        let keys = path_keys(key);
        self.resolve_variables(batch, &keys, &mut meta);
        if meta.variables.is_some() || meta.error.is_some() {
            self.meta.insert(key, meta);
            return;
        }
        let value = meta.value.take().unwrap_or(Value::Null);
        if let Some(origin) = meta.origin.take() {
            self.origins.insert(key.to_owned(), origin);
        }
        let mut new_meta: Vec<(PathKey, ValueMeta)> = Vec::new();
        // Whether the property itself is in `new_meta` (its value is a string with variables).
        let mut again = false;
        match &value {
            Value::String(text) => match reparse(text, meta.source_values.as_deref()) {
                Ok(Some(variables)) => {
                    again = true;
                    new_meta.push((
                        key.to_owned(),
                        ValueMeta {
                            value: Some(value.clone()),
                            variables: Some(variables),
                            source_values: None,
                            error: None,
                            origin: None,
                        },
                    ));
                }
                Ok(None) => {}
                Err(message) => {
                    let error = ResolveError::new(
                        ErrorCode::Syntax,
                        format!(
                            "Cannot resolve variable at \"{}\": Approached variable syntax error in resolved value \"{text}\": {message}",
                            humanize(&keys)
                        ),
                    )
                    .at(Some(site(&keys, None)));
                    meta.value = None;
                    meta.error = Some(error.shared());
                    self.meta.insert(key, meta);
                    return;
                }
            },
            Value::Object(_) | Value::Array(_) => parse_entries(&value, &keys, &mut new_meta),
            _ => {}
        }
        let sub_keys: Vec<PathKey> = new_meta.iter().map(|(k, _)| k.clone()).collect();
        if !new_meta.is_empty() {
            let depth = self.run.nest_depth.get(key).copied().unwrap_or(0) + 1;
            if depth > PROPERTY_NEST_LIMIT {
                meta.value = None;
                meta.error = Some(
                    ResolveError::new(
                        ErrorCode::ExcessivePropertiesNestDepth,
                        format!(
                            "Cannot resolve variable at \"{}\": Excessive property variables nest depth",
                            humanize(&keys)
                        ),
                    )
                    .at(Some(site(&keys, None)))
                    .shared(),
                );
                self.meta.insert(key, meta);
                return;
            }
            for (sub_key, sub_meta) in new_meta {
                self.meta.insert(&sub_key, sub_meta);
                self.run.nest_depth.insert(sub_key, depth);
            }
        }
        if !again {
            self.meta.remove(key);
        }
        set_path(&mut self.config, &keys, value);
        if sub_keys.is_empty() {
            return;
        }
        if again {
            self.resolve_property_unmemoised(batch, key);
            return;
        }
        let batch = self.next_batch();
        for sub_key in &sub_keys {
            self.resolve_property(batch, sub_key);
        }
    }

    /// Resolves the variables of one string; rebuilds the value once all are resolved.
    fn resolve_variables(&mut self, batch: u64, path: &[String], meta: &mut ValueMeta) {
        let Some(mut variables) = meta.variables.take() else {
            return;
        };
        // v3 resolves the variables of a string at once and keeps the error that settles first
        // (`Promise.all` in `resolveVariables`): a variable's own not-found or source error,
        // when it needs no I/O, settles before an error passed on from another property
        // (which waits for that property) and before a file read. Otherwise text order.
        let mut first: Option<SharedError> = None;
        let mut fast: Option<SharedError> = None;
        for variable in &mut variables {
            let Some(sources) = &variable.sources else {
                continue;
            };
            let io = involves_io(sources);
            self.resolve_variable(batch, path, variable);
            if let Some(error) = &variable.error {
                let own = matches!(
                    error.code,
                    ErrorCode::MissingVariableResult | ErrorCode::VariableResolution
                ) && error.site.as_ref().is_some_and(|s| s.path == path);
                if own && !io && fast.is_none() {
                    fast = Some(error.clone());
                }
                first.get_or_insert_with(|| error.clone());
            }
        }
        if let Some(error) = fast.or(first) {
            meta.error.get_or_insert(error);
            return;
        }
        if variables.iter().any(|v| v.sources.is_some()) {
            meta.variables = Some(variables);
            return;
        }
        if variables.len() == 1 && variables[0].whole {
            if let Some(variable) = variables.pop() {
                meta.value = variable.value;
                meta.origin = variable.origin;
            }
            return;
        }
        let raw = match &meta.value {
            Some(Value::String(s)) => s.as_str(),
            _ => "",
        };
        // The resolved string, and the pieces it is made of (the text between the variables and
        // each variable's value), which v3 parses again one by one.
        let mut joined = String::with_capacity(raw.len());
        let mut last = 0;
        for variable in &variables {
            let Some(text) = text_of(variable) else {
                meta.error = Some(
                    ResolveError::new(
                        ErrorCode::NonStringVariableResult,
                        format!(
                            "Cannot resolve variable at \"{}\": String value consist of variable which resolve with non-string value",
                            humanize(path)
                        ),
                    )
                    .at(Some(site(path, Some((variable.start, variable.end)))))
                    .shared(),
                );
                return;
            };
            joined.push_str(raw.get(last..variable.start).unwrap_or_default());
            joined.push_str(&text);
            last = variable.end;
        }
        joined.push_str(raw.get(last..).unwrap_or_default());
        // Without `${` in the whole there is none in a piece either: parsing the pieces or the
        // whole then finds nothing alike, and the pieces need not be kept.
        meta.source_values = joined.contains("${").then(|| {
            let mut pieces = Vec::with_capacity(variables.len() * 2 + 1);
            let mut last = 0;
            for variable in &variables {
                pieces.push(raw.get(last..variable.start).unwrap_or_default().to_owned());
                pieces.push(text_of(variable).unwrap_or_default().into_owned());
                last = variable.end;
            }
            pieces.push(raw.get(last..).unwrap_or_default().to_owned());
            pieces
        });
        meta.value = Some(Value::String(joined));
    }

    /// Tries the sources of one variable in order (v3's fallback rules).
    fn resolve_variable(&mut self, batch: u64, path: &[String], variable: &mut VarMeta) {
        if variable.sources.is_none() {
            return;
        }
        if self.depth >= MAX_RESOLUTION_DEPTH {
            variable.sources = None;
            variable.error = Some(
                ResolveError::new(
                    ErrorCode::ExcessiveResolutionDepth,
                    format!(
                        "Cannot resolve variable at \"{}\": Excessive variable resolution depth: more than {MAX_RESOLUTION_DEPTH} variables resolved one inside another",
                        humanize(path)
                    ),
                )
                .at(Some(site(path, Some((variable.start, variable.end)))))
                .with_help(Some(
                    "a chain of references (or of nested variables) this long is a mistake, or a cycle too long to trace: v3 fails too (`Maximum call stack size exceeded`)".into(),
                ))
                .shared(),
            );
            return;
        }
        self.depth += 1;
        self.resolve_variable_sources(batch, path, variable);
        self.depth -= 1;
    }

    fn resolve_variable_sources(&mut self, batch: u64, path: &[String], variable: &mut VarMeta) {
        let Some(mut sources) = variable.sources.take() else {
            return;
        };
        // The sources tried and dropped, each as it was before its params and address were
        // resolved: a later source that is not registered yet puts the whole list back.
        let mut dropped: Vec<SourceMeta> = Vec::new();
        // The source being tried: those before it are in `dropped` (taken out, not shifted, so
        // a fallback chain of n sources costs n steps, not n^2 moves).
        let mut next = 0;
        let var_site = |path: &[String]| site(path, Some((variable.start, variable.end)));
        while let Some(ty) = sources[next].ty().map(str::to_owned) {
            if !self.run.sources.contains_key(&ty) {
                dropped.extend(sources.drain(next..));
                variable.sources = Some(dropped);
                return;
            }
            let pristine = sources[next].has_variables().then(|| sources[next].clone());
            let output = match self.resolve_variable_source(batch, path, &mut sources[next]) {
                Ok(output) => output,
                Err(error) if error.code == ErrorCode::MissingVariableDependency => {
                    variable.sources = Some(sources.split_off(next));
                    return;
                }
                Err(error) => {
                    variable.error = Some(with_site(error, &var_site(path)));
                    return;
                }
            };
            if output.value != Value::Null {
                variable.value = Some(output.value);
                variable.origin = output.origin;
                return;
            }
            if output.is_pending {
                variable.sources = Some(sources.split_off(next));
                return;
            }
            let tried = std::mem::replace(&mut sources[next], SourceMeta::Literal(Value::Null));
            next += 1;
            if next == sources.len() {
                let detail = output
                    .eventual_error_message
                    .unwrap_or_else(|| format!("Value not found at \"{ty}\" source"));
                let help = self.not_found_help(&ty, &tried);
                variable.error = Some(
                    ResolveError::new(
                        ErrorCode::MissingVariableResult,
                        format!(
                            "Cannot resolve variable at \"{}\": {detail}",
                            humanize(path)
                        ),
                    )
                    .at(Some(var_site(path)))
                    .with_help(help)
                    .shared(),
                );
                return;
            }
            dropped.push(pristine.unwrap_or(tried));
        }
        if let Some(SourceMeta::Literal(value)) = sources.get(next) {
            variable.value = Some(value.clone());
        }
    }

    fn resolve_variable_source(
        &mut self,
        batch: u64,
        path: &[String],
        source: &mut SourceMeta,
    ) -> Flow<SourceOutput> {
        let SourceMeta::Typed {
            ty,
            params,
            address,
        } = source
        else {
            return Err(missing_dependency());
        };
        if let Some(params) = params {
            for param in params.iter_mut() {
                if param.variables.is_none() {
                    continue;
                }
                self.resolve_variables(batch, path, param);
                self.resolve_internal_result(batch, path, param, VARIABLE_NEST_LIMIT)?;
            }
        }
        if let Some(address) = address {
            if address.variables.is_some() {
                self.resolve_variables(batch, path, address);
                self.resolve_internal_result(batch, path, address, VARIABLE_NEST_LIMIT)?;
            }
        }
        let params = params.as_deref();
        let address = address.as_ref();
        let mut result = self.resolve_source(batch, path, ty, params, address);
        if let Ok(output) = &result {
            // Counted before the trace keeps a copy.
            if let Err(error) = self.count_substituted(path, &output.value) {
                result = Err(SourceError::Propagated(error));
            }
        }
        if self.trace.is_some() {
            let request = self.request(ty, params, address);
            self.record(path, request, &result);
        }
        match result {
            Ok(mut output) => {
                // v3 rejects a scalar the JSON round trip changes (`Infinity`, `NaN`).
                if let Value::Number(n) = output.value {
                    if !n.is_finite() {
                        let shown = sls_value::js_number_to_string(n);
                        let message =
                            format!("Source \"{ty}\" returned not supported result: \"{shown}\"");
                        return Err(wrap(path, &message, ErrorCode::UnsupportedResult));
                    }
                }
                normalize_json(&mut output.value);
                Ok(output)
            }
            Err(SourceError::Propagated(error)) => {
                if error.code == ErrorCode::MissingVariableDependency
                    || error.message.starts_with("Cannot resolve variable at ")
                {
                    return Err(error);
                }
                Err(wrap(path, &error.message, error.code))
            }
            Err(SourceError::Failed { code, message }) => Err(wrap(path, &message, code)),
        }
    }

    /// Adds a source's answer to the data copied so far; past the limit (see
    /// [`MAX_SUBSTITUTED_BYTES`]), every further answer fails with one shared error.
    fn count_substituted(&mut self, path: &[String], value: &Value) -> Flow<()> {
        if let Some(error) = &self.too_much {
            return Err(error.clone());
        }
        self.substituted = self.substituted.saturating_add(value_size(value));
        if self.substituted <= self.substitution_limit {
            return Ok(());
        }
        let error = ResolveError::new(
            ErrorCode::ExcessiveSubstitution,
            format!(
                "Cannot resolve variable at \"{}\": Excessive variable expansion: variables copy more than {} MiB of values into the configuration",
                humanize(path),
                self.substitution_limit >> 20
            ),
        )
        .with_help(Some(
            "references that copy values holding references multiply (like a YAML alias bomb); v3 never finishes on such a configuration".into(),
        ))
        .at(Some(site(path, None)))
        .shared();
        self.too_much = Some(error.clone());
        Err(error)
    }

    /// Re-parses a resolved param or address until no variable is left (v3's nest limit: 10).
    fn resolve_internal_result(
        &mut self,
        batch: u64,
        path: &[String],
        meta: &mut ValueMeta,
        nest: u32,
    ) -> Flow<()> {
        if let Some(error) = &meta.error {
            return Err(error.clone());
        }
        if meta.variables.is_some() {
            return Err(missing_dependency());
        }
        if nest == 0 {
            return Err(ResolveError::new(
                ErrorCode::ExcessiveVariablesNestDepth,
                format!(
                    "Cannot resolve variable at \"{}\": Excessive variables nest depth",
                    humanize(path)
                ),
            )
            .shared());
        }
        match meta.value.clone() {
            Some(Value::String(text)) => {
                let variables = match reparse(&text, meta.source_values.as_deref()) {
                    Ok(Some(variables)) => variables,
                    Ok(None) => return Ok(()),
                    Err(message) => {
                        let error = ResolveError::new(
                            ErrorCode::Syntax,
                            format!(
                                "Cannot resolve variable at \"{}\": Approached variable syntax error in resolved value \"{text}\": {message}",
                                humanize(path)
                            ),
                        )
                        .shared();
                        meta.value = None;
                        meta.error = Some(error.clone());
                        return Err(error);
                    }
                };
                meta.variables = Some(variables);
                meta.source_values = None;
                self.resolve_variables(batch, path, meta);
                self.resolve_internal_result(batch, path, meta, nest - 1)
            }
            Some(value @ (Value::Object(_) | Value::Array(_))) => {
                let mut entries = Vec::new();
                parse_entries(&value, &[], &mut entries);
                let mut value = value;
                for (sub_key, mut sub_meta) in entries {
                    self.resolve_variables(batch, path, &mut sub_meta);
                    self.resolve_internal_result(batch, path, &mut sub_meta, nest - 1)?;
                    let keys = path_keys(&sub_key);
                    set_path(&mut value, &keys, sub_meta.value.unwrap_or(Value::Null));
                }
                meta.value = Some(value);
                Ok(())
            }
            _ => Ok(()),
        }
    }

    /// The request a source sees: the resolved params and address.
    fn request(
        &self,
        ty: &str,
        params: Option<&[ValueMeta]>,
        address: Option<&ValueMeta>,
    ) -> SourceRequest {
        SourceRequest {
            ty: ty.to_owned(),
            params: params.map(|params| {
                params
                    .iter()
                    .map(|p| p.value.clone().unwrap_or(Value::Null))
                    .collect()
            }),
            address: address.and_then(|a| a.value.clone()),
            is_fulfilled: self.run.fulfilled.contains(ty),
        }
    }

    /// One source lookup, memoised per batch by type, params and address (the request is
    /// only built when the source is asked).
    fn resolve_source(
        &mut self,
        batch: u64,
        path: &[String],
        ty: &str,
        params: Option<&[ValueMeta]>,
        address: Option<&ValueMeta>,
    ) -> Result<SourceOutput, SourceError> {
        let mut key = std::mem::take(&mut self.run.key_buffer);
        key.clear();
        sls_value::push_decimal(&mut key, batch);
        key.push('\n');
        key.push_str(ty);
        key.push('\n');
        for (i, param) in params.into_iter().flatten().enumerate() {
            if i > 0 {
                key.push(',');
            }
            sls_value::write_json_compact(&mut key, param.value.as_ref().unwrap_or(&Value::Null));
        }
        key.push('\n');
        if let Some(value) = address.and_then(|a| a.value.as_ref()) {
            sls_value::write_json_compact(&mut key, value);
        }
        let cached = self.run.cache.get(key.as_str()).cloned();
        let result = match cached {
            Some(cached) => cached,
            None => self.ask_source(batch, path, ty, params, address, &key),
        };
        self.run.key_buffer = key;
        result
    }

    fn ask_source(
        &mut self,
        batch: u64,
        path: &[String],
        ty: &str,
        params: Option<&[ValueMeta]>,
        address: Option<&ValueMeta>,
        key: &str,
    ) -> Result<SourceOutput, SourceError> {
        let Some(source) = self.run.sources.get(ty).cloned() else {
            return Err(SourceError::Propagated(missing_dependency()));
        };
        let request = self.request(ty, params, address);
        let mut cx = Context {
            engine: self,
            batch,
            path,
        };
        let result = source.resolve(&request, &mut cx);
        self.run.cache.insert(key.to_owned(), result.clone());
        result
    }

    /// Keeps a lookup for the trace; lookups still waiting on a dependency are not answers.
    fn record(
        &mut self,
        path: &[String],
        request: SourceRequest,
        result: &Result<SourceOutput, SourceError>,
    ) {
        let (outcome, origin) = match result {
            Ok(output) if output.value != Value::Null => (
                LookupOutcome::Found(output.value.clone()),
                output.origin.clone(),
            ),
            Ok(output) if output.is_pending => return,
            Ok(_) => (LookupOutcome::NotFound, None),
            Err(SourceError::Propagated(error))
                if error.code == ErrorCode::MissingVariableDependency =>
            {
                return;
            }
            Err(SourceError::Propagated(error)) => {
                (LookupOutcome::Failed(error.message.clone()), None)
            }
            Err(SourceError::Failed { message, .. }) => {
                (LookupOutcome::Failed(message.clone()), None)
            }
        };
        if let Some(trace) = &mut self.trace {
            trace.push(Lookup {
                property: path.to_vec(),
                source: request.ty,
                params: request.params,
                address: request.address,
                outcome,
                origin,
            });
        }
    }

    /// v3's cycle check before `dependent` may wait on `dependency`: a walk of the dependency
    /// edges from `dependency` (with a stack of its own: chains may be long).
    fn validate_dependency(&self, dependent: &str, dependency: &str) -> Flow<()> {
        if dependent == dependency {
            return Err(ResolveError::new(
                ErrorCode::CircularPropertyDependency,
                format!(
                    "Circular reference. \"{}\" refers to itself",
                    humanize(&path_keys(dependent))
                ),
            )
            .shared());
        }
        // The recursive walk of v3, with an explicit stack: (node, next edge to follow).
        let mut seen: FastSet<&str> = FastSet::default();
        let mut stack: Vec<(&str, usize)> = vec![(dependency, 0)];
        let cycle = |at: &str| {
            ResolveError::new(
                ErrorCode::CircularPropertyDependency,
                format!(
                    "Circular reference among \"{}\" and \"{}\" properties",
                    humanize(&path_keys(dependent)),
                    humanize(&path_keys(at))
                ),
            )
            .shared()
        };
        if self
            .run
            .dependencies
            .get(dependency)
            .is_some_and(|deps| deps.contains(dependent))
        {
            return Err(cycle(dependency));
        }
        while let Some((at, index)) = stack.pop() {
            let Some(next) = self
                .run
                .dependencies
                .get(at)
                .and_then(|deps| deps.get_index(index))
            else {
                continue;
            };
            stack.push((at, index + 1));
            if !seen.insert(next) {
                continue;
            }
            if self
                .run
                .dependencies
                .get(next.as_str())
                .is_some_and(|deps| deps.contains(dependent))
            {
                return Err(cycle(next));
            }
            stack.push((next, 0));
        }
        Ok(())
    }

    fn register_dependency(&mut self, dependent: &str, dependency: &str) -> Flow<()> {
        self.validate_dependency(dependent, dependency)?;
        self.run
            .dependencies
            .entry(dependent.to_owned())
            .or_default()
            .insert(dependency.to_owned());
        Ok(())
    }

    /// `resolveConfigurationProperty`: the fully resolved value at `keys`, resolving what it
    /// depends on first and recording the dependency edges.
    pub(crate) fn resolve_dependent_property(
        &mut self,
        batch: u64,
        dependent: &[String],
        keys: &[String],
    ) -> Flow<Value> {
        let dependent = path_key(dependent);
        for index in 0..keys.len() {
            if js_lookup(&self.config, &keys[..index]).is_none() {
                return Ok(Value::Null);
            }
            let dep_key = path_key(&keys[..=index]);
            if self.meta.contains_key(&dep_key) {
                self.register_dependency(&dependent, &dep_key)?;
                self.resolve_property(batch, &dep_key);
            }
            if let Some(error) = self.meta.error_of(&dep_key) {
                return Err(error.cloned().unwrap_or_else(missing_dependency));
            }
        }
        let Some(value) = js_lookup(&self.config, keys) else {
            return Ok(Value::Null);
        };
        if !matches!(&*value, Value::Object(_) | Value::Array(_)) {
            return Ok(value.into_owned());
        }
        let nested = self.meta.keys_below(keys);
        // v3 records every edge before any nested property finishes resolving: its
        // `Promise.all` starts each registration, and one that throws does not stop the
        // others (the first error is the one reported).
        let mut first_error = None;
        for nested_key in &nested {
            if let Err(error) = self.register_dependency(&dependent, nested_key) {
                first_error.get_or_insert(error);
            }
        }
        if let Some(error) = first_error {
            return Err(error);
        }
        for nested_key in &nested {
            self.resolve_property(batch, nested_key);
            if let Some(error) = self.meta.error_of(nested_key) {
                return Err(error.cloned().unwrap_or_else(missing_dependency));
            }
        }
        Ok(js_lookup(&self.config, keys).map_or(Value::Null, Cow::into_owned))
    }

    fn not_found_help(&mut self, ty: &str, source: &SourceMeta) -> Option<String> {
        if ty != "self" {
            return None;
        }
        let SourceMeta::Typed {
            address: Some(address),
            ..
        } = source
        else {
            return None;
        };
        let Some(Value::String(address)) = &address.value else {
            return None;
        };
        crate::hints::missing_self_key(&self.config, address, &mut self.hint_budget)
    }
}

/// `String(value)` of a variable's value (`None` for those v3 refuses in a string).
fn text_of(variable: &VarMeta) -> Option<Cow<'_, str>> {
    match &variable.value {
        Some(Value::String(s)) => Some(Cow::Borrowed(s.as_str())),
        other => other.as_ref().and_then(js_to_string).map(Cow::Owned),
    }
}

/// What copying `value` costs, near enough: 64 bytes a value (an enum and its allocation), plus
/// its strings and keys.
fn value_size(value: &Value) -> usize {
    let mut size = 0usize;
    let mut stack = vec![value];
    while let Some(value) = stack.pop() {
        size += 64;
        match value {
            Value::String(s) => size += s.len(),
            Value::Array(items) => stack.extend(items),
            Value::Object(map) => {
                stack.extend(map.values());
                size += map.keys().map(String::len).sum::<usize>();
            }
            Value::Null | Value::Bool(_) | Value::Number(_) => {}
        }
    }
    size
}

/// Parses a resolved string again, piece by piece when it was assembled from pieces.
fn reparse(text: &str, pieces: Option<&[String]>) -> Result<Option<Vec<VarMeta>>, String> {
    let Some(pieces) = pieces else {
        return match sls_syntax::parse(text) {
            Ok(variables) if variables.is_empty() => Ok(None),
            Ok(variables) => Ok(Some(var_metas(variables, text.len()))),
            Err(err) => Err(err.v3_message(text)),
        };
    };
    let mut base = 0;
    let mut all = Vec::new();
    for piece in pieces {
        let variables = sls_syntax::parse(piece).map_err(|err| err.v3_message(piece))?;
        for mut variable in var_metas(variables, piece.len()) {
            variable.start += base;
            variable.end += base;
            variable.whole = false;
            all.push(variable);
        }
        base += piece.len();
    }
    Ok((!all.is_empty()).then_some(all))
}

fn site(path: &[String], range: Option<(usize, usize)>) -> VariableSite {
    VariableSite {
        path: path.to_vec(),
        range,
    }
}

fn with_site(error: SharedError, fallback: &VariableSite) -> SharedError {
    if error.site.is_some() {
        return error;
    }
    let mut owned = (*error).clone();
    owned.site = Some(fallback.clone());
    // Keep one identity per error: the same error reached twice is reported once.
    Rc::new(owned)
}

/// v3 prefixes a source's error with the property path (the code stays the cause's).
fn wrap(path: &[String], message: &str, code: ErrorCode) -> SharedError {
    ResolveError::new(
        code,
        format!(
            "Cannot resolve variable at \"{}\": {message}",
            humanize(path)
        ),
    )
    .shared()
}

/// JavaScript property access along `keys`; `None` where v3 would meet `undefined`/`null`.
pub(crate) fn js_lookup<'v>(root: &'v Value, keys: &[String]) -> Option<Cow<'v, Value>> {
    let mut current = Cow::Borrowed(root);
    for key in keys {
        let next = match current {
            Cow::Borrowed(value) => js_get(value, key)?,
            Cow::Owned(value) => Cow::Owned(js_get(&value, key)?.into_owned()),
        };
        if *next == Value::Null {
            return None;
        }
        current = next;
    }
    Some(current)
}

/// What a source sees of the engine while it resolves.
struct Context<'e> {
    engine: &'e mut Engine,
    batch: u64,
    path: &'e [String],
}

impl SourceContext for Context<'_> {
    fn environment(&self) -> &Environment {
        &self.engine.env
    }

    fn configuration(&self) -> &Value {
        &self.engine.config
    }

    fn resolve_configuration_property(&mut self, keys: &[String]) -> Flow<Value> {
        self.engine
            .resolve_dependent_property(self.batch, self.path, keys)
    }

    fn resolve_variables_in_string(&mut self, text: &str) -> Flow<Value> {
        let variables = match sls_syntax::parse(text) {
            Ok(variables) if variables.is_empty() => return Ok(Value::String(text.to_owned())),
            Ok(variables) => variables,
            Err(err) => {
                return Err(ResolveError::new(ErrorCode::Syntax, err.v3_message(text)).shared());
            }
        };
        let mut meta = ValueMeta {
            value: Some(Value::String(text.to_owned())),
            variables: Some(var_metas(variables, text.len())),
            source_values: None,
            error: None,
            origin: None,
        };
        self.engine
            .resolve_variables(self.batch, self.path, &mut meta);
        self.engine.resolve_internal_result(
            self.batch,
            self.path,
            &mut meta,
            VARIABLE_NEST_LIMIT,
        )?;
        Ok(meta.value.unwrap_or(Value::Null))
    }
}

/// Whether resolving these sources reads a file or would call AWS (in v3: real I/O, which
/// settles after everything that only waits for other promises).
fn involves_io(sources: &[SourceMeta]) -> bool {
    sources.iter().any(|source| match source {
        SourceMeta::Literal(_) => false,
        SourceMeta::Typed {
            ty,
            params,
            address,
        } => {
            ty == "file"
                || ty == "aws"
                || crate::REMOTE_SOURCES.contains(&ty.as_str())
                || params
                    .iter()
                    .flatten()
                    .chain(address.iter())
                    .flat_map(|meta| meta.variables.iter().flatten())
                    .any(|v| v.sources.as_deref().is_some_and(involves_io))
        }
    })
}
