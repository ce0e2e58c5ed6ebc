//! Variables meta: what is left to resolve in each string of the configuration.
//!
//! v3 keeps, for every property path whose string value holds variables, the parsed variables
//! and their progress. This module builds that map from a value tree and from parser output.

use std::collections::BTreeSet;
use std::ops::Bound;
use std::rc::Rc;

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

/// v3's variables meta: a JavaScript `Map` from property path to [`ValueMeta`], with its
/// semantics (setting a present key keeps its place, a new key goes last, deleting keeps the
/// order of the rest), in constant time per operation.
///
/// Deleted entries leave a hole in the ordered slots, compacted once holes are the majority
/// (amortised constant time). The keys are also kept sorted, so that the keys below a path,
/// which share the path and a NUL as prefix, form one range: the prefix queries of v3
/// (`isPropertyResolved`, nested properties of a referenced object) cost the size of their
/// answer, not the size of the map.
///
/// The configuration's strings are parsed up front (v3 reports every syntax error before it
/// resolves anything), but only their text is kept: a property's variables are parsed again
/// when it is first resolved, so the parsed form of a large configuration is never all in
/// memory at once.
#[derive(Debug)]
struct Slot {
    key: Rc<str>,
    /// The string, until its meta is built from it.
    text: String,
    /// `None` until the string is parsed again.
    meta: Option<Box<ValueMeta>>,
    /// The last resolution batch that visited this property (v3 memoises a property's
    /// resolution per batch).
    visited: u64,
}

impl Slot {
    fn meta_mut(&mut self) -> &mut ValueMeta {
        let key = &self.key;
        let text = &mut self.text;
        self.meta.get_or_insert_with(|| {
            Box::new(owned_string_meta(key, std::mem::take(text)).unwrap_or_default())
        })
    }

    /// The error of an entry; an entry not parsed yet has none (syntax errors are kept).
    fn error(&self) -> Option<&SharedError> {
        self.meta.as_ref().and_then(|meta| meta.error.as_ref())
    }
}

#[derive(Debug, Default)]
pub(crate) struct MetaMap {
    slots: Vec<Option<Slot>>,
    /// Live key -> its slot.
    index: foldhash::HashMap<Rc<str>, usize>,
    /// Live keys, sorted.
    sorted: BTreeSet<Rc<str>>,
    holes: usize,
}

impl MetaMap {
    /// The meta of every string with variables in `config` (v3's `parseEntries` of the
    /// whole configuration), inserted as they are found.
    ///
    /// The strings that may hold variables are parsed first, in two halves on two threads when
    /// there are many of them; the entries are then inserted in the order of the walk.
    pub fn of_config(config: &Value) -> Self {
        // The candidates: their paths, one after another in one buffer, and their texts.
        let mut keys = String::new();
        let mut candidates: Vec<(usize, &str)> = Vec::new();
        let mut path = Path {
            key: String::new(),
            depth: 0,
        };
        walk(config, &mut path, &mut |key, text| {
            if text.contains("${") {
                keys.push_str(key);
                candidates.push((keys.len(), text));
            }
        });
        let outcomes = parse_outcomes(&candidates);
        let mut map = Self::default();
        let mut key_start = 0;
        for (&(key_end, text), outcome) in candidates.iter().zip(outcomes) {
            let key = &keys[key_start..key_end];
            key_start = key_end;
            match outcome {
                Outcome::Plain => {}
                Outcome::Variables => map.insert_slot(key, text.to_owned(), None),
                Outcome::Error => {
                    if let Some(meta) = string_meta(key, text) {
                        map.insert(key, meta);
                    }
                }
            }
        }
        map
    }

    pub fn is_empty(&self) -> bool {
        self.index.is_empty()
    }

    pub fn contains_key(&self, key: &str) -> bool {
        self.index.contains_key(key)
    }

    /// Whether the entry at `key` exists, and its error.
    pub fn error_of(&self, key: &str) -> Option<Option<&SharedError>> {
        let &slot = self.index.get(key)?;
        self.slots[slot].as_ref().map(Slot::error)
    }

    pub fn get_mut(&mut self, key: &str) -> Option<&mut ValueMeta> {
        let &slot = self.index.get(key)?;
        self.slots[slot].as_mut().map(Slot::meta_mut)
    }

    /// `map.set(key, meta)`: in place when present, last otherwise.
    pub fn insert(&mut self, key: &str, meta: ValueMeta) {
        if let Some(&slot) = self.index.get(key) {
            if let Some(slot) = &mut self.slots[slot] {
                match &mut slot.meta {
                    Some(current) => **current = meta,
                    None => {
                        slot.text = String::new();
                        slot.meta = Some(Box::new(meta));
                    }
                }
                return;
            }
        }
        self.insert_slot(key, String::new(), Some(Box::new(meta)));
    }

    fn insert_slot(&mut self, key: &str, text: String, meta: Option<Box<ValueMeta>>) {
        let key: Rc<str> = Rc::from(key);
        self.index.insert(key.clone(), self.slots.len());
        self.sorted.insert(key.clone());
        self.slots.push(Some(Slot {
            key,
            text,
            meta,
            visited: 0,
        }));
    }

    /// Marks the property as visited by `batch`; `false` when it already was, or is absent.
    pub fn visit(&mut self, key: &str, batch: u64) -> bool {
        let Some(&slot) = self.index.get(key) else {
            return false;
        };
        match &mut self.slots[slot] {
            Some(slot) if slot.visited != batch => {
                slot.visited = batch;
                true
            }
            _ => false,
        }
    }

    /// `map.delete(key)`.
    pub fn remove(&mut self, key: &str) {
        let Some(slot) = self.index.remove(key) else {
            return;
        };
        self.sorted.remove(key);
        self.slots[slot] = None;
        self.holes += 1;
        if self.holes > 16 && self.holes * 2 > self.slots.len() {
            self.slots.retain(Option::is_some);
            self.holes = 0;
            for (at, slot) in self.slots.iter().enumerate() {
                if let Some(slot) = slot {
                    if let Some(index) = self.index.get_mut(&slot.key) {
                        *index = at;
                    }
                }
            }
        }
    }

    /// Parses the entries not parsed yet (before [`MetaMap::iter`]).
    pub fn parse_all(&mut self) {
        for slot in self.slots.iter_mut().flatten() {
            slot.meta_mut();
        }
    }

    /// The parsed entries in map order: every entry after [`MetaMap::parse_all`].
    pub fn iter(&self) -> impl Iterator<Item = (&str, &ValueMeta)> {
        self.slots
            .iter()
            .flatten()
            .filter_map(|slot| Some((&*slot.key, slot.meta.as_deref()?)))
    }

    pub fn keys(&self) -> impl Iterator<Item = &str> {
        self.slots.iter().flatten().map(|slot| &*slot.key)
    }

    /// The error of each entry, in map order.
    pub fn errors(&self) -> impl Iterator<Item = &SharedError> {
        self.slots.iter().flatten().filter_map(Slot::error)
    }

    /// The keys strictly below the path `keys` (every key when `keys` is empty), in map order.
    pub fn keys_below(&self, keys: &[String]) -> Vec<Rc<str>> {
        if keys.is_empty() {
            return self
                .slots
                .iter()
                .flatten()
                .map(|slot| slot.key.clone())
                .collect();
        }
        let mut prefix = path_key(keys);
        prefix.push('\0');
        self.in_map_order(self.range_below(&prefix).cloned().collect())
    }

    /// The keys equal to `target`, above it or below it (v3's test of a property's
    /// resolution), in map order.
    pub fn keys_related(&self, target: &str) -> Vec<Rc<str>> {
        let mut found: Vec<Rc<str>> = Vec::new();
        let ancestors = target
            .match_indices('\0')
            .map(|(at, _)| &target[..at])
            .chain(std::iter::once(target));
        for key in ancestors {
            if let Some((key, _)) = self.index.get_key_value(key) {
                found.push(key.clone());
            }
        }
        let prefix = format!("{target}\0");
        found.extend(self.range_below(&prefix).cloned());
        self.in_map_order(found)
    }

    /// Whether a key equals `target`, lies above it or below it.
    pub fn any_related(&self, target: &str) -> bool {
        let mut ancestors = target
            .match_indices('\0')
            .map(|(at, _)| &target[..at])
            .chain(std::iter::once(target));
        ancestors.any(|key| self.index.contains_key(key))
            || self.range_below(&format!("{target}\0")).next().is_some()
    }

    fn range_below<'a>(&'a self, prefix: &'a str) -> impl Iterator<Item = &'a Rc<str>> + 'a {
        self.sorted
            .range::<str, _>((Bound::Included(prefix), Bound::Unbounded))
            .take_while(move |key| key.starts_with(prefix))
    }

    fn in_map_order(&self, mut keys: Vec<Rc<str>>) -> Vec<Rc<str>> {
        keys.sort_by_key(|key| self.index.get(&**key).copied().unwrap_or(usize::MAX));
        keys
    }
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

    /// Whether a param or the address still holds variables (resolving the source changes it).
    pub fn has_variables(&self) -> bool {
        match self {
            Self::Typed {
                params, address, ..
            } => params
                .iter()
                .flatten()
                .chain(address)
                .any(|part| part.variables.is_some()),
            Self::Literal(_) => false,
        }
    }
}

pub(crate) fn literal_value(literal: Literal) -> Value {
    match literal {
        Literal::Null => Value::Null,
        Literal::Bool(b) => Value::Bool(b),
        Literal::Number(n) => Value::Number(n),
        Literal::String(s) => Value::String(s),
    }
}

/// The meta of the parser's variables, which it consumes (the strings move).
pub(crate) fn var_metas(variables: Vec<Variable>, len: usize) -> Vec<VarMeta> {
    let whole = sls_syntax::is_whole(&variables, len);
    variables
        .into_iter()
        .map(|variable| match variable.kind {
            VariableKind::Escape(text) => VarMeta {
                start: variable.start,
                end: variable.end,
                whole,
                sources: None,
                value: Some(Value::String(text)),
                error: None,
                origin: None,
            },
            VariableKind::Sources(sources) => VarMeta {
                start: variable.start,
                end: variable.end,
                whole,
                sources: Some(sources.into_iter().map(source_meta).collect()),
                value: None,
                error: None,
                origin: None,
            },
        })
        .collect()
}

fn source_meta(source: SyntaxSource) -> SourceMeta {
    match source {
        SyntaxSource::Literal(literal) => SourceMeta::Literal(literal_value(literal)),
        SyntaxSource::Typed(typed) => SourceMeta::Typed {
            ty: typed.ty,
            params: typed
                .params
                .map(|params| params.into_iter().map(part_meta).collect()),
            address: typed.address.map(part_meta),
        },
    }
}

fn part_meta(part: Part) -> ValueMeta {
    let variables = if part.variables.is_empty() {
        None
    } else {
        let len = match &part.value {
            Literal::String(s) => s.len(),
            _ => 0,
        };
        Some(var_metas(part.variables, len))
    };
    ValueMeta {
        value: Some(literal_value(part.value)),
        variables,
        source_values: None,
        error: None,
        origin: None,
    }
}

/// What the up-front parse of a string found.
#[derive(Clone, Copy)]
enum Outcome {
    /// No variable (only escapes).
    Plain,
    Variables,
    Error,
}

/// Strings to parse before the parse runs on two threads.
const PARALLEL_STRINGS: usize = 1024;

/// The up-front parse of each candidate string (only its outcome: the variables are parsed
/// again when the property is first resolved).
fn parse_outcomes(candidates: &[(usize, &str)]) -> Vec<Outcome> {
    fn outcomes(candidates: &[(usize, &str)]) -> Vec<Outcome> {
        candidates
            .iter()
            .map(|(_, text)| match sls_syntax::parse(text) {
                Ok(variables) if variables.is_empty() => Outcome::Plain,
                Ok(_) => Outcome::Variables,
                Err(_) => Outcome::Error,
            })
            .collect()
    }
    if candidates.len() < PARALLEL_STRINGS {
        return outcomes(candidates);
    }
    let (early, late) = candidates.split_at(candidates.len() / 2);
    let (mut found, rest) = sls_value::parallel::join(|| outcomes(early), || outcomes(late));
    found.extend(rest);
    found
}

/// Parses one string into a meta entry, or `None` when it holds no variable. `key` is the
/// string's property path (NUL-joined), only taken apart for an error.
pub(crate) fn string_meta(key: &str, text: &str) -> Option<ValueMeta> {
    // Without `${` there is nothing to parse (and nothing to copy).
    if !text.contains("${") {
        return None;
    }
    owned_string_meta(key, text.to_owned())
}

/// [`string_meta`] of a string the caller gives away.
fn owned_string_meta(key: &str, text: String) -> Option<ValueMeta> {
    match sls_syntax::parse(&text) {
        Ok(variables) if variables.is_empty() => None,
        Ok(variables) => Some(ValueMeta {
            variables: Some(var_metas(variables, text.len())),
            value: Some(Value::String(text)),
            source_values: None,
            error: None,
            origin: None,
        }),
        Err(err) => {
            let path = path_keys(key);
            let message = format!(
                "Variable syntax error at \"{}\": {}",
                humanize(&path),
                err.v3_message(&text)
            );
            let help = syntax_help(&text, &err);
            let error = ResolveError::new(ErrorCode::Syntax, message)
                .with_help(help)
                .at(Some(VariableSite {
                    path,
                    range: Some(enclosing_variable(&text, err.offset)),
                }));
            Some(ValueMeta {
                value: Some(Value::String(text)),
                variables: None,
                source_values: None,
                error: Some(error.shared()),
                origin: None,
            })
        }
    }
}

/// Every string with variables under `value`, depth first in key order (v3's `parseEntries`).
/// The paths are distinct (they are paths of distinct leaves).
pub(crate) fn parse_entries(value: &Value, prefix: &[String], out: &mut Vec<(PathKey, ValueMeta)>) {
    let mut path = Path {
        key: path_key(prefix),
        depth: prefix.len(),
    };
    walk(value, &mut path, &mut |key, text| {
        if let Some(meta) = string_meta(key, text) {
            out.push((key.to_owned(), meta));
        }
    });
}

/// The path of the value being walked, kept NUL-joined (one buffer for the whole walk).
struct Path {
    key: String,
    depth: usize,
}

impl Path {
    /// Descends into `key`; returns the length to truncate back to.
    fn push(&mut self, key: &str) -> usize {
        let len = self.key.len();
        if self.depth > 0 {
            self.key.push('\0');
        }
        self.key.push_str(key);
        self.depth += 1;
        len
    }

    fn pop(&mut self, len: usize) {
        self.key.truncate(len);
        self.depth -= 1;
    }
}

/// Calls `out` with the path and text of every string below the root of `value`.
fn walk<'v>(value: &'v Value, path: &mut Path, out: &mut impl FnMut(&str, &'v str)) {
    match value {
        Value::Object(map) => {
            for (key, child) in map {
                let len = path.push(key);
                walk(child, path, out);
                path.pop(len);
            }
        }
        Value::Array(items) => {
            let mut index = String::new();
            for (i, child) in items.iter().enumerate() {
                index.clear();
                sls_value::push_decimal(&mut index, i as u64);
                let len = path.push(&index);
                walk(child, path, out);
                path.pop(len);
            }
        }
        Value::String(text) if path.depth > 0 => out(&path.key, text),
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
    use super::*;

    fn meta(text: &str) -> ValueMeta {
        ValueMeta {
            value: Some(Value::String(text.into())),
            ..ValueMeta::default()
        }
    }

    fn keys(map: &MetaMap) -> Vec<&str> {
        map.keys().collect()
    }

    fn names(keys: Vec<Rc<str>>) -> Vec<String> {
        keys.iter().map(|k| k.replace('\0', ".")).collect()
    }

    #[test]
    fn keeps_the_order_of_a_javascript_map() {
        let mut map = MetaMap::default();
        for key in ["a", "b", "c"] {
            map.insert(key, meta(key));
        }
        map.insert("a", meta("again"));
        map.remove("b");
        map.insert("b", meta("back"));
        assert_eq!(keys(&map), ["a", "c", "b"]);
        let values: Vec<_> = map.iter().map(|(_, m)| m.value.clone()).collect();
        assert_eq!(values[0], Some(Value::String("again".into())));
    }

    #[test]
    fn compaction_keeps_the_order_and_the_lookups() {
        let mut map = MetaMap::default();
        for i in 0..100 {
            map.insert(&format!("k{i}"), meta("x"));
        }
        for i in (0..100).filter(|i| i % 3 != 0) {
            map.remove(&format!("k{i}"));
        }
        let expected: Vec<String> = (0..100)
            .filter(|i| i % 3 == 0)
            .map(|i| format!("k{i}"))
            .collect();
        assert_eq!(keys(&map), expected);
        assert!(expected.iter().all(|k| map.get_mut(k).is_some()));
        assert!(map.get_mut("k1").is_none());
        map.insert("k1", meta("new"));
        assert_eq!(map.keys().last(), Some("k1"));
    }

    #[test]
    fn finds_the_keys_at_above_and_below_a_path_in_map_order() {
        let mut map = MetaMap::default();
        for key in [
            "provider\0stage\0a",
            "provider",
            "provider\0stageName",
            "custom\0x",
            "provider\0stage",
            "functions",
        ] {
            map.insert(key, meta(key));
        }
        assert_eq!(
            names(map.keys_related("provider\0stage")),
            ["provider.stage.a", "provider", "provider.stage"]
        );
        assert_eq!(
            names(map.keys_below(&["provider".to_owned()])),
            ["provider.stage.a", "provider.stageName", "provider.stage"]
        );
        assert!(map.any_related("custom"));
        assert!(map.any_related("functions\0f\0name"));
        assert!(!map.any_related("cust"));
        assert!(!map.any_related("service"));
        assert_eq!(map.keys_below(&[]).len(), 6);
    }

    #[test]
    fn marks_each_property_once_per_batch() {
        let mut map = MetaMap::default();
        map.insert("a", meta("a"));
        assert!(map.visit("a", 1));
        assert!(!map.visit("a", 1));
        assert!(map.visit("a", 2));
        assert!(!map.visit("absent", 1));
    }

    #[test]
    fn parses_a_property_when_first_needed_but_reports_syntax_errors_at_once() {
        let mut object = sls_value::Map::default();
        object.insert("good".into(), Value::String("${self:x}-y".into()));
        object.insert("bad".into(), Value::String("${self:x".into()));
        object.insert("plain".into(), Value::String("text".into()));
        let mut map = MetaMap::of_config(&Value::Object(object));
        assert_eq!(keys(&map), ["good", "bad"]);
        let errors: Vec<_> = map.errors().map(|e| e.code).collect();
        assert_eq!(errors, [ErrorCode::Syntax]);
        assert_eq!(map.iter().count(), 1, "only the error entry is parsed yet");
        let good = map.get_mut("good").and_then(|m| m.variables.clone());
        assert_eq!(
            good.map(|v| (v.len(), v[0].start, v[0].end)),
            Some((1, 0, 9))
        );
        map.parse_all();
        assert_eq!(map.iter().count(), 2);
    }

    #[test]
    fn many_strings_parsed_on_two_threads_keep_the_walk_order() {
        let mut object = sls_value::Map::default();
        let (mut expected_keys, mut expected_errors) = (Vec::new(), Vec::new());
        for i in 0..3 * PARALLEL_STRINGS {
            let text = match i % 5 {
                0 => format!("${{self:custom.v{i}}}-x"),
                1 => format!("${{self:custom.v{i}"),
                2 => format!("plain {i}"),
                3 => format!("\\${{escaped{i}}}"),
                _ => format!("${{opt:o{i}, 'd'}}"),
            };
            // The sequential reference: what each string's own parse says.
            let key = format!("k{i}");
            match sls_syntax::parse(&text) {
                Ok(found) if found.is_empty() => {}
                Ok(_) => expected_keys.push(key.clone()),
                Err(_) => {
                    expected_keys.push(key.clone());
                    expected_errors.push(key.clone());
                }
            }
            object.insert(key, Value::String(text));
        }
        assert!(expected_errors.len() > PARALLEL_STRINGS / 2);
        let map = MetaMap::of_config(&Value::Object(object));
        assert!(keys(&map) == expected_keys, "the keys differ");
        let errors: Vec<String> = map
            .slots
            .iter()
            .flatten()
            .filter(|slot| slot.error().is_some())
            .map(|slot| slot.key.to_string())
            .collect();
        assert!(errors == expected_errors, "the errors differ");
    }

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
