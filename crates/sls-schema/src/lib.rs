//! v3's configuration validation (`ConfigSchemaHandler.validateConfig`): `null`s taken out of
//! objects, the assembled schema applied with ajv's semantics (`allErrors`, `coerceTypes:
//! 'array'`), which coerces the configuration in place, the `null`s put back (at the end of
//! their object), and the errors normalized into v3's messages (`normalizeAjvErrors`).
//!
//! - `schema`: the bundled schema (dumped from v3 by `scripts/extract-schema.js`), compiled
//!   by `build.rs` into static arenas;
//! - `ajv`: the interpreter, with ajv's keyword order, coercion and error objects;
//! - `normalize`: the port of `normalize-ajv-errors.js`;
//! - `formats`, `collate`: ajv-formats' `uri` and `date-time`, ICU's `localeCompare`;
//! - `ascii_regex`: the schema's simple patterns as automata, for ASCII text (else `regress`).
//!
//! Architecture invariant: no I/O and no JavaScript; the schema is static data (nothing is
//! parsed at run time), and validation is a pure function of the configuration and the kind.

mod ajv;
mod ascii_regex;
mod collate;
mod formats;
mod normalize;
mod schema;

pub use ajv::{AjvError, Params};
pub use normalize::{Normalized, normalize};

use sls_value::{Map, Value};

/// Which assembled schema applies: the AWS provider's, or the relaxed one of any other provider.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum SchemaKind {
    /// `provider.name: aws`: core, the AWS provider and the internal plugins.
    Aws,
    /// Any other provider: core only, provider and functions relaxed.
    Other,
}

/// One schema violation, as v3's `normalizeAjvErrors` words it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Violation {
    /// The property path of the offending value (for an unrecognized property, that property).
    pub path: Vec<String>,
    /// v3's message (`at 'provider.memorySize': must be number`).
    pub message: String,
    /// The property named last in `path` is not allowed there (`additionalProperties`): the
    /// problem is its key, not its value.
    pub unrecognized: bool,
}

/// The Serverless version the bundled schema comes from.
pub fn schema_version() -> &'static str {
    schema::bundled_version()
}

/// What one validation found: ajv's raw errors and the violations v3 reports from them.
#[derive(Clone, Debug)]
pub struct Validation {
    /// ajv's `validate.errors`, in its order.
    pub errors: Vec<AjvError>,
    /// v3's messages (`normalizeAjvErrors`), in its order.
    pub violations: Vec<Violation>,
}

/// Validates (and coerces, in place) a resolved configuration, as `validateConfig` does:
/// returns the violations v3 reports, in its order.
pub fn validate(config: &mut Value, kind: SchemaKind) -> Vec<Violation> {
    validate_detailed(config, kind).violations
}

/// [`validate`], keeping ajv's raw errors too.
pub fn validate_detailed(config: &mut Value, kind: SchemaKind) -> Validation {
    let removed = remove_nulls(config);
    let errors = ajv_errors(config, kind);
    restore_nulls(config, &removed);
    let violations = normalize(&errors)
        .into_iter()
        .map(|n| {
            let mut path: Vec<String> = n
                .instance_path
                .split('/')
                .skip(1)
                .map(|k| k.replace("~1", "/").replace("~0", "~"))
                .collect();
            let unrecognized = n.additional_property.is_some();
            path.extend(n.additional_property);
            Violation {
                path,
                message: n.message,
                unrecognized,
            }
        })
        .collect();
    Validation { errors, violations }
}

/// ajv's `validate(config)` alone (no `null` handling): the raw error objects, coercing the
/// configuration in place.
pub fn ajv_errors(config: &mut Value, kind: SchemaKind) -> Vec<AjvError> {
    ajv::Validator::run(schema::get(kind), config)
}

/// A step of a path into a value.
#[derive(Clone, Debug)]
enum Step {
    Key(String),
    Index(usize),
}

/// A step of a path into a value, borrowed from it while it is walked.
#[derive(Clone, Copy)]
enum StepRef<'v> {
    Key(&'v str),
    Index(usize),
}

/// `normalizeUserConfig`: deletes `null` (and `undefined`) values of objects, at every depth,
/// and returns their paths (each object's in its key order). Array items stay.
fn remove_nulls(config: &mut Value) -> Vec<Vec<Step>> {
    fn walk<'v>(value: &'v mut Value, path: &mut Vec<StepRef<'v>>, removed: &mut Vec<Vec<Step>>) {
        match value {
            Value::Object(map) => {
                // The `null`s of this object first, then its children: paths into different
                // objects are independent, so only the order within one object matters.
                if map.values().any(|v| matches!(v, Value::Null)) {
                    for (key, _) in map.iter().filter(|(_, v)| matches!(v, Value::Null)) {
                        let mut at: Vec<Step> = path
                            .iter()
                            .map(|step| match step {
                                StepRef::Key(k) => Step::Key((*k).to_owned()),
                                StepRef::Index(i) => Step::Index(*i),
                            })
                            .collect();
                        at.push(Step::Key(key.clone()));
                        removed.push(at);
                    }
                    map.retain(|_, v| !matches!(v, Value::Null));
                }
                for (key, child) in map.iter_mut() {
                    if matches!(child, Value::Object(_) | Value::Array(_)) {
                        path.push(StepRef::Key(key));
                        walk(child, path, removed);
                        path.pop();
                    }
                }
            }
            Value::Array(items) => {
                for (i, item) in items.iter_mut().enumerate() {
                    if matches!(item, Value::Object(_) | Value::Array(_)) {
                        path.push(StepRef::Index(i));
                        walk(item, path, removed);
                        path.pop();
                    }
                }
            }
            _ => {}
        }
    }
    let mut removed = Vec::new();
    walk(config, &mut Vec::new(), &mut removed);
    removed
}

/// `denormalizeUserConfig`: `_.set(config, path, null)` for each removed value, so each comes
/// back at the end of its object (after any integer-like keys, which JavaScript keeps first).
fn restore_nulls(config: &mut Value, removed: &[Vec<Step>]) {
    for path in removed {
        let Some((last, parents)) = path.split_last() else {
            continue;
        };
        if let (Some(Value::Object(map)), Step::Key(key)) = (step_into(config, parents), last) {
            js_set(map, key, Value::Null);
        }
    }
}

fn step_into<'v>(value: &'v mut Value, path: &[Step]) -> Option<&'v mut Value> {
    let Some((first, rest)) = path.split_first() else {
        return Some(value);
    };
    let next = match (value, first) {
        (Value::Object(map), Step::Key(k)) => map.get_mut(k)?,
        (Value::Array(items), Step::Index(i)) => items.get_mut(*i)?,
        _ => return None,
    };
    step_into(next, rest)
}

/// Whether a key is a canonical array index (JavaScript orders those first, ascending).
fn array_index(key: &str) -> Option<u32> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    key.parse::<u32>().ok().filter(|n| *n < u32::MAX)
}

/// `object[key] = value` with JavaScript's property order.
fn js_set(map: &mut Map, key: &str, value: Value) {
    if let Some(slot) = map.get_mut(key) {
        *slot = value;
        return;
    }
    match array_index(key) {
        Some(n) => {
            let at = map
                .keys()
                .position(|k| array_index(k).is_none_or(|m| m > n))
                .unwrap_or(map.len());
            map.shift_insert(at, key.to_owned(), value);
        }
        None => {
            map.insert(key.to_owned(), value);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn object(pairs: &[(&str, Value)]) -> Value {
        Value::Object(
            pairs
                .iter()
                .map(|(k, v)| ((*k).to_owned(), v.clone()))
                .collect(),
        )
    }

    #[test]
    fn nulls_come_back_last_but_integer_keys_stay_first() {
        let mut value = object(&[
            ("1", Value::Null),
            ("a", Value::Null),
            ("b", Value::Number(1.0)),
            ("list", Value::Array(vec![Value::Null])),
        ]);
        let removed = remove_nulls(&mut value);
        assert_eq!(removed.len(), 2);
        restore_nulls(&mut value, &removed);
        let Value::Object(map) = &value else {
            unreachable!()
        };
        let keys: Vec<&str> = map.keys().map(String::as_str).collect();
        assert_eq!(keys, ["1", "b", "list", "a"]);
    }
}
