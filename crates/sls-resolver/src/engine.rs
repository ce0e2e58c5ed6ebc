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

use indexmap::{IndexMap, IndexSet};
use sls_value::{Value, js_to_string};

use crate::error::{ErrorCode, ResolveError, SharedError, VariableSite, humanize};
use crate::meta::{
    PathKey, SourceMeta, ValueMeta, VarMeta, parse_entries, path_key, path_keys, var_metas,
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
    pub meta: IndexMap<PathKey, ValueMeta>,
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
}

#[derive(Default)]
struct RunState {
    sources: HashMap<String, Rc<dyn Source>>,
    fulfilled: HashSet<String>,
    dependencies: HashMap<PathKey, IndexSet<PathKey>>,
    nest_depth: HashMap<PathKey, u32>,
    visited: HashSet<(u64, PathKey)>,
    cache: HashMap<String, Result<SourceOutput, SourceError>>,
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
        let mut meta = IndexMap::new();
        parse_entries(&config, &[], &mut meta);
        let substitution_limit = MAX_SUBSTITUTED_BYTES.saturating_add(2 * value_size(&config));
        Self {
            config,
            meta,
            env,
            origins: IndexMap::new(),
            trace: None,
            batch: 0,
            run: RunState::default(),
            depth: 0,
            substituted: 0,
            substitution_limit,
            too_much: None,
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
        let keys: Vec<PathKey> = self.meta.keys().cloned().collect();
        match only {
            None => {
                for key in keys {
                    self.resolve_property(batch, &key);
                }
            }
            Some(paths) => {
                for target in paths {
                    let target = target.join("\0");
                    for key in &keys {
                        let related = key == &target
                            || target.starts_with(&format!("{key}\0"))
                            || key.starts_with(&format!("{target}\0"));
                        if related {
                            self.resolve_property(batch, key);
                        }
                    }
                }
            }
        }
        self.run.cache.clear();
    }

    fn next_batch(&mut self) -> u64 {
        self.batch += 1;
        self.batch
    }

    fn resolve_property(&mut self, batch: u64, key: &str) {
        if !self.run.visited.insert((batch, key.to_owned())) {
            return;
        }
        self.resolve_property_unmemoised(batch, key);
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
            self.meta.insert(key.to_owned(), meta);
            return;
        }
        let value = meta.value.clone().unwrap_or(Value::Null);
        if let Some(origin) = meta.origin.take() {
            self.origins.insert(key.to_owned(), origin);
        }
        let mut new_meta: IndexMap<PathKey, ValueMeta> = IndexMap::new();
        match &value {
            Value::String(text) => match reparse(text, meta.source_values.as_deref()) {
                Ok(Some(variables)) => {
                    new_meta.insert(
                        key.to_owned(),
                        ValueMeta {
                            value: Some(value.clone()),
                            variables: Some(variables),
                            source_values: None,
                            error: None,
                            origin: None,
                        },
                    );
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
                    self.meta.insert(key.to_owned(), meta);
                    return;
                }
            },
            Value::Object(_) | Value::Array(_) => parse_entries(&value, &keys, &mut new_meta),
            _ => {}
        }
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
                self.meta.insert(key.to_owned(), meta);
                return;
            }
            for (sub_key, sub_meta) in &new_meta {
                self.run.nest_depth.insert(sub_key.clone(), depth);
                self.meta.insert(sub_key.clone(), sub_meta.clone());
            }
        }
        if !new_meta.contains_key(key) {
            self.meta.shift_remove(key);
        }
        set_path(&mut self.config, &keys, value);
        if new_meta.is_empty() {
            return;
        }
        if new_meta.contains_key(key) {
            self.resolve_property_unmemoised(batch, key);
            return;
        }
        let batch = self.next_batch();
        for sub_key in new_meta.keys() {
            self.resolve_property(batch, sub_key);
        }
    }

    /// Resolves the variables of one string; rebuilds the value once all are resolved.
    fn resolve_variables(&mut self, batch: u64, path: &[String], meta: &mut ValueMeta) {
        let Some(mut variables) = meta.variables.take() else {
            return;
        };
        let mut failed = false;
        for variable in &mut variables {
            if variable.sources.is_none() {
                continue;
            }
            self.resolve_variable(batch, path, variable);
            if let Some(error) = &variable.error {
                if meta.error.is_none() {
                    meta.error = Some(error.clone());
                    failed = true;
                }
            }
        }
        if failed {
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
            Some(Value::String(s)) => s.clone(),
            _ => String::new(),
        };
        let mut pieces = Vec::with_capacity(variables.len() * 2 + 1);
        let mut last = 0;
        for variable in &variables {
            let text = variable.value.as_ref().and_then(js_to_string);
            let Some(text) = text else {
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
            pieces.push(raw.get(last..variable.start).unwrap_or_default().to_owned());
            pieces.push(text);
            last = variable.end;
        }
        pieces.push(raw.get(last..).unwrap_or_default().to_owned());
        meta.value = Some(Value::String(pieces.concat()));
        meta.source_values = Some(pieces);
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
        // v3 puts every source back when it meets one not registered yet, after earlier ones
        // were tried (and their params and addresses resolved); only then is a copy needed.
        let registered = |s: &SourceMeta| s.ty().is_none_or(|ty| self.run.sources.contains_key(ty));
        let original = (!sources.iter().skip(1).all(registered)).then(|| sources.clone());
        let var_site = site(path, Some((variable.start, variable.end)));
        while let Some(ty) = sources[0].ty().map(str::to_owned) {
            if !self.run.sources.contains_key(&ty) {
                variable.sources = Some(original.unwrap_or(sources));
                return;
            }
            let output = match self.resolve_variable_source(batch, path, &mut sources[0]) {
                Ok(output) => output,
                Err(error) if error.code == ErrorCode::MissingVariableDependency => {
                    variable.sources = Some(sources);
                    return;
                }
                Err(error) => {
                    variable.error = Some(with_site(error, &var_site));
                    return;
                }
            };
            if output.value != Value::Null {
                variable.value = Some(output.value);
                variable.origin = output.origin;
                return;
            }
            if output.is_pending {
                variable.sources = Some(sources);
                return;
            }
            let tried = sources.remove(0);
            if sources.is_empty() {
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
                    .at(Some(var_site))
                    .with_help(help)
                    .shared(),
                );
                return;
            }
        }
        if let Some(SourceMeta::Literal(value)) = sources.first() {
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
        let request = SourceRequest {
            ty: ty.clone(),
            params: params.as_ref().map(|params| {
                params
                    .iter()
                    .map(|p| p.value.clone().unwrap_or(Value::Null))
                    .collect()
            }),
            address: address.as_ref().and_then(|a| a.value.clone()),
            is_fulfilled: self.run.fulfilled.contains(ty.as_str()),
        };
        let mut result = self.resolve_source(batch, path, &request);
        if let Ok(output) = &result {
            // Counted before the trace keeps a copy.
            if let Err(error) = self.count_substituted(path, &output.value) {
                result = Err(SourceError::Propagated(error));
            }
        }
        if self.trace.is_some() {
            self.record(path, request, &result);
        }
        match result {
            Ok(mut output) => {
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
                let mut entries = IndexMap::new();
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

    fn resolve_source(
        &mut self,
        batch: u64,
        path: &[String],
        request: &SourceRequest,
    ) -> Result<SourceOutput, SourceError> {
        let cache_key = format!(
            "{batch}\n{}\n{}\n{}",
            request.ty,
            request
                .params
                .as_ref()
                .map_or(String::new(), |params| params
                    .iter()
                    .map(sls_value::to_json_compact)
                    .collect::<Vec<_>>()
                    .join(",")),
            request
                .address
                .as_ref()
                .map_or(String::new(), sls_value::to_json_compact)
        );
        if let Some(cached) = self.run.cache.get(&cache_key) {
            return cached.clone();
        }
        let Some(source) = self.run.sources.get(&request.ty).cloned() else {
            return Err(SourceError::Propagated(missing_dependency()));
        };
        let mut cx = Context {
            engine: self,
            batch,
            path,
        };
        let result = source.resolve(request, &mut cx);
        self.run.cache.insert(cache_key, result.clone());
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
        let mut seen: HashSet<&str> = HashSet::new();
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
            if let Some(meta) = self.meta.get(&dep_key) {
                return Err(meta.error.clone().unwrap_or_else(missing_dependency));
            }
        }
        let Some(value) = js_lookup(&self.config, keys) else {
            return Ok(Value::Null);
        };
        if !matches!(&*value, Value::Object(_) | Value::Array(_)) {
            return Ok(value.into_owned());
        }
        let prefix = if keys.is_empty() {
            String::new()
        } else {
            format!("{}\0", path_key(keys))
        };
        let nested: Vec<PathKey> = self
            .meta
            .keys()
            .filter(|k| k.starts_with(&prefix))
            .cloned()
            .collect();
        // v3 records every edge before any nested property finishes resolving.
        for nested_key in &nested {
            self.register_dependency(&dependent, nested_key)?;
        }
        for nested_key in &nested {
            self.resolve_property(batch, nested_key);
            if let Some(meta) = self.meta.get(nested_key) {
                return Err(meta.error.clone().unwrap_or_else(missing_dependency));
            }
        }
        Ok(js_lookup(&self.config, keys).map_or(Value::Null, Cow::into_owned))
    }

    fn not_found_help(&self, ty: &str, source: &SourceMeta) -> Option<String> {
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
        crate::hints::missing_self_key(&self.config, address)
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
            Ok(variables) => Ok(Some(var_metas(&variables, text.len()))),
            Err(err) => Err(err.v3_message(text)),
        };
    };
    let mut base = 0;
    let mut all = Vec::new();
    for piece in pieces {
        let variables = sls_syntax::parse(piece).map_err(|err| err.v3_message(piece))?;
        for mut variable in var_metas(&variables, piece.len()) {
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
            variables: Some(var_metas(&variables, text.len())),
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
