//! An interpreter of the compiled schema with the semantics of the code ajv 8 generates for
//! `new Ajv({allErrors: true, coerceTypes: 'array', verbose: true, strict: true})`:
//!
//! - keywords run in ajv's rule order, not the schema's: the type check (with coercion), then
//!   `const enum not anyOf oneOf allOf`, then the number, string, array and object groups, each
//!   only when the data has that type;
//! - coercion writes into the parent value at once, so it sticks even when the `anyOf`/`oneOf`
//!   branch that made it fails, and later branches see the coerced value;
//! - a one-item array is unwrapped into the data "view" before coercing, and stays unwrapped
//!   for the rest of that schema (and its sibling branches) when coercion fails;
//! - errors are ajv's objects (instance path, schema path, keyword, message as ajv words it),
//!   reset exactly where ajv resets them (a passing `anyOf`/`oneOf`, `not`).

use std::collections::HashMap;

use sls_value::Value;

use crate::formats;
use crate::schema::{Dependency, Items, JsonType, Lit, Node, NodeId, Schema, SubSchema};

/// The parameters of an ajv error that `normalizeAjvErrors` reads.
#[derive(Clone, Debug, PartialEq)]
pub enum Params {
    None,
    /// `additionalProperties`.
    AdditionalProperty(String),
    /// `enum`.
    AllowedValues(Vec<Value>),
    /// `required`, `dependencies`.
    MissingProperty(String),
}

/// One ajv error object (the fields `normalizeAjvErrors` and the messages use).
#[derive(Clone, Debug, PartialEq)]
pub struct AjvError {
    /// JSON pointer of the data (`/functions/hello/events/0`), ajv's `instancePath`.
    pub instance_path: String,
    /// `#/properties/functions/patternProperties/%5E...%24/...`, ajv's `schemaPath`.
    pub schema_path: String,
    pub keyword: &'static str,
    /// ajv's English message (`must be string`).
    pub message: String,
    pub params: Params,
    /// `String(error.data)`, kept for the keywords whose improved message quotes it.
    pub data_text: Option<String>,
    /// The keyword's schema as text, for the same purpose (`regexp`).
    pub schema_text: Option<String>,
    /// `parentSchema.const ? 'const' : parentSchema.type`.
    pub parent_type: Option<String>,
}

/// Where the data of a schema context lives: the slot in its parent (what coercion assigns)
/// and how many one-item arrays the current view has been unwrapped through.
struct Data<'v> {
    slot: &'v mut Value,
    depth: usize,
}

impl Data<'_> {
    fn view(&self) -> &Value {
        let mut v: &Value = self.slot;
        for _ in 0..self.depth {
            match v {
                Value::Array(items) if !items.is_empty() => v = &items[0],
                _ => break,
            }
        }
        v
    }

    fn view_mut(&mut self) -> &mut Value {
        // How deep the unwrapping can go (it always can: items are never removed).
        let mut depth = 0;
        let mut v: &Value = self.slot;
        while depth < self.depth {
            match v {
                Value::Array(items) if !items.is_empty() => v = &items[0],
                _ => break,
            }
            depth += 1;
        }
        let mut v: &mut Value = self.slot;
        for _ in 0..depth {
            if let Value::Array(items) = v {
                v = &mut items[0];
            }
        }
        v
    }
}

/// The key at a position of the data's object.
fn key_at<'d>(data: &'d Data, i: usize) -> Option<&'d str> {
    match data.view() {
        Value::Object(map) => map.get_index(i).map(|(k, _)| k.as_str()),
        _ => None,
    }
}

/// A key into the data: an object property (by its position) or an array index.
#[derive(Clone, Copy)]
enum Key {
    Entry(usize),
    Index(usize),
}

/// The names `obj[name] !== undefined` finds on any plain object (its prototype's).
const OBJECT_PROTOTYPE: &[&str] = &[
    "constructor",
    "hasOwnProperty",
    "isPrototypeOf",
    "propertyIsEnumerable",
    "toLocaleString",
    "toString",
    "valueOf",
    "__proto__",
    "__defineGetter__",
    "__defineSetter__",
    "__lookupGetter__",
    "__lookupSetter__",
];

/// `data[name] !== undefined` for a plain object.
fn js_has(map: &sls_value::Map, name: &str) -> bool {
    map.contains_key(name) || OBJECT_PROTOTYPE.contains(&name)
}

/// `typeof x == "object"` (null, arrays, objects).
fn typeof_object(v: &Value) -> bool {
    matches!(v, Value::Null | Value::Array(_) | Value::Object(_))
}

/// ajv's `checkDataType` (the "correct" form).
fn is_type(t: JsonType, v: &Value) -> bool {
    match t {
        JsonType::Null => matches!(v, Value::Null),
        JsonType::Array => matches!(v, Value::Array(_)),
        JsonType::Object => matches!(v, Value::Object(_)),
        JsonType::Integer => matches!(v, Value::Number(n) if n.is_finite() && n % 1.0 == 0.0),
        JsonType::Number => matches!(v, Value::Number(n) if n.is_finite()),
        JsonType::String => matches!(v, Value::String(_)),
        JsonType::Boolean => matches!(v, Value::Bool(_)),
    }
}

/// The bit of a type in a set of types.
fn type_bit(t: JsonType) -> u8 {
    match t {
        JsonType::String => 1,
        JsonType::Number => 2,
        JsonType::Integer => 4,
        JsonType::Boolean => 8,
        JsonType::Null => 16,
        JsonType::Object => 32,
        JsonType::Array => 64,
    }
}

const ALL_TYPES: [JsonType; 7] = [
    JsonType::String,
    JsonType::Number,
    JsonType::Integer,
    JsonType::Boolean,
    JsonType::Null,
    JsonType::Object,
    JsonType::Array,
];

/// ajv's `checkDataTypes`: with `wrong`, whether the data has none of the types; without, the
/// expression ajv builds for "has one of the types", which for several types is a conjunction
/// (so it never holds) — the generated code has that quirk and so does this.
fn check_types(types: &[JsonType], v: &Value, wrong: bool) -> bool {
    if let [t] = types {
        return is_type(*t, v) != wrong;
    }
    let (null, object, array) = (
        type_bit(JsonType::Null),
        type_bit(JsonType::Object),
        type_bit(JsonType::Array),
    );
    let mut rest = types.iter().fold(0u8, |set, t| set | type_bit(*t));
    let mut cond = true;
    if rest & array != 0 && rest & object != 0 {
        cond = if rest & null != 0 {
            !typeof_object(v)
        } else {
            !v.is_truthy() || !typeof_object(v)
        };
        rest &= !(null | array | object);
    }
    if rest & type_bit(JsonType::Number) != 0 {
        rest &= !type_bit(JsonType::Integer);
    }
    ALL_TYPES
        .iter()
        .filter(|t| rest & type_bit(**t) != 0)
        .all(|t| is_type(*t, v) != wrong)
        && cond
}
/// JavaScript `a === b` for JSON values (objects only equal themselves: never, here).
fn strict_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Null, Value::Null) => true,
        (Value::Bool(x), Value::Bool(y)) => x == y,
        (Value::Number(x), Value::Number(y)) => x == y,
        (Value::String(x), Value::String(y)) => x == y,
        _ => false,
    }
}

/// `fast-deep-equal`.
pub(crate) fn deep_equal(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len()
                && x.keys().all(|k| y.contains_key(k))
                && x.iter().all(|(k, v)| deep_equal(v, &y[k]))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(p, q)| deep_equal(p, q))
        }
        (Value::Number(x), Value::Number(y)) => x == y || (x.is_nan() && y.is_nan()),
        _ => strict_equal(a, b),
    }
}

/// `const`/`enum` comparison: deep for object schemas (`fast-deep-equal`), `===` otherwise.
fn schema_equal(data: &Value, schema: &Lit) -> bool {
    match (data, schema) {
        (Value::Null, Lit::Null) => true,
        (Value::Bool(x), Lit::Bool(y)) => x == y,
        (Value::Number(x), Lit::Num(y)) => x == y,
        (Value::String(x), Lit::Str(y)) => x == y,
        (Value::Array(x), Lit::Arr(y)) => {
            x.len() == y.len() && x.iter().zip(y.iter()).all(|(p, q)| schema_equal(p, q))
        }
        (Value::Object(x), Lit::Obj(y)) => {
            x.len() == y.len()
                && y.iter()
                    .all(|(k, v)| x.get(*k).is_some_and(|d| schema_equal(d, v)))
        }
        _ => false,
    }
}

/// Appends a key as a JSON pointer segment (`~` → `~0`, `/` → `~1`).
fn push_pointer(out: &mut String, key: &str) {
    if !key.bytes().any(|b| b == b'~' || b == b'/') {
        out.push_str(key);
        return;
    }
    for c in key.chars() {
        match c {
            '~' => out.push_str("~0"),
            '/' => out.push_str("~1"),
            c => out.push(c),
        }
    }
}

fn js_number(n: f64) -> String {
    sls_value::js_number_to_string(n)
}

/// Up to how many keys an object's declared properties are found by looking its keys up in the
/// schema (rather than each property in the object).
const SMALL: usize = 16;

/// What an error says: its keyword, and what its message and parameters are made of. The
/// message text is written only for the errors that survive (most errors are made in
/// `anyOf`/`oneOf` branches and dropped when another branch holds).
#[derive(Clone, Copy)]
enum Msg {
    /// ajv's `{}` placeholder in a context that does not create errors (`not`).
    Empty,
    Type,
    Const,
    Enum,
    Not,
    AnyOf,
    OneOf,
    Maximum,
    Minimum,
    MaxLength,
    MinLength,
    Pattern,
    Format(&'static str),
    /// The data's text is the error's extra text.
    Regexp,
    MaxItems,
    MinItems,
    AdditionalItems(usize),
    UniqueItems(usize, usize),
    MaxProperties,
    MinProperties,
    Required(&'static str),
    PropertyNames,
    /// The property is the error's extra text.
    AdditionalProperties,
    Dependencies {
        property: &'static str,
        deps: &'static [&'static str],
        dep: &'static str,
    },
}

impl Msg {
    fn keyword(self) -> &'static str {
        match self {
            Msg::Empty => "",
            Msg::Type => "type",
            Msg::Const => "const",
            Msg::Enum => "enum",
            Msg::Not => "not",
            Msg::AnyOf => "anyOf",
            Msg::OneOf => "oneOf",
            Msg::Maximum => "maximum",
            Msg::Minimum => "minimum",
            Msg::MaxLength => "maxLength",
            Msg::MinLength => "minLength",
            Msg::Pattern => "pattern",
            Msg::Format(_) => "format",
            Msg::Regexp => "regexp",
            Msg::MaxItems => "maxItems",
            Msg::MinItems => "minItems",
            Msg::AdditionalItems(_) => "additionalItems",
            Msg::UniqueItems(..) => "uniqueItems",
            Msg::MaxProperties => "maxProperties",
            Msg::MinProperties => "minProperties",
            Msg::Required(_) => "required",
            Msg::PropertyNames => "propertyNames",
            Msg::AdditionalProperties => "additionalProperties",
            Msg::Dependencies { .. } => "dependencies",
        }
    }
}

/// An error as the walk records it: the schema node, what it says, and its texts (instance
/// path, schema path, extra) as consecutive ranges of the validator's text pool.
struct RawError<'s> {
    node: &'s Node,
    msg: Msg,
    start: usize,
    instance_end: usize,
    schema_end: usize,
    extra_end: usize,
}

/// The ajv run: the errors so far and the current paths.
pub(crate) struct Validator<'s> {
    schema: &'s Schema,
    errors: Vec<RawError<'s>>,
    /// The texts of `errors`, in their order (truncated with them).
    pool: String,
    instance_path: String,
    schema_path: String,
    all_errors: bool,
    create_errors: bool,
    /// Objects with this many entries or more have their pattern properties validated on two
    /// threads ([`PARALLEL_ENTRIES`]; `usize::MAX` in the tests' sequential runs).
    parallel_entries: usize,
}

impl<'s> Validator<'s> {
    /// Validates `config` in place; returns ajv's `validate.errors`.
    pub(crate) fn run(schema: &'s Schema, config: &mut Value) -> Vec<AjvError> {
        Self::run_with(schema, config, PARALLEL_ENTRIES)
    }

    fn run_with(schema: &'s Schema, config: &mut Value, parallel_entries: usize) -> Vec<AjvError> {
        let mut validator = Validator {
            schema,
            errors: Vec::new(),
            pool: String::new(),
            instance_path: String::new(),
            schema_path: "#".into(),
            all_errors: true,
            create_errors: true,
            parallel_entries,
        };
        let mut data = Data {
            slot: config,
            depth: 0,
        };
        validator.subschema(schema.root, &mut data);
        validator
            .errors
            .iter()
            .map(|e| validator.materialize(e))
            .collect()
    }

    fn node(&self, id: NodeId) -> &'s Node {
        &self.schema.nodes[id]
    }

    /// Records an error at the current instance path.
    fn error(&mut self, node: &'s Node, msg: Msg) {
        self.error_text(node, msg, "");
    }

    /// Records an error with an extra text (the property of `additionalProperties`, the data
    /// of `regexp`).
    fn error_text(&mut self, node: &'s Node, msg: Msg, extra: &str) {
        let start = self.pool.len();
        if !self.create_errors {
            // ajv pushes `{}` objects here; only their count matters.
            self.errors.push(RawError {
                node,
                msg: Msg::Empty,
                start,
                instance_end: start,
                schema_end: start,
                extra_end: start,
            });
            return;
        }
        self.pool.push_str(&self.instance_path);
        let instance_end = self.pool.len();
        self.pool.push_str(&self.schema_path);
        self.pool.push('/');
        self.pool.push_str(msg.keyword());
        let schema_end = self.pool.len();
        self.pool.push_str(extra);
        self.errors.push(RawError {
            node,
            msg,
            start,
            instance_end,
            schema_end,
            extra_end: self.pool.len(),
        });
    }

    /// Drops the errors from index `len` on (ajv's `errors.length = len`).
    fn truncate_errors(&mut self, len: usize) {
        if let Some(first) = self.errors.get(len) {
            self.pool.truncate(first.start);
            self.errors.truncate(len);
        }
    }

    /// The ajv error object of a recorded error.
    fn materialize(&self, e: &RawError<'s>) -> AjvError {
        let node = e.node;
        let extra = &self.pool[e.schema_end..e.extra_end];
        let number = |n: Option<f64>| js_number(n.unwrap_or_default());
        let mut params = Params::None;
        let mut data_text = None;
        let mut schema_text = None;
        let message = match e.msg {
            Msg::Empty => {
                return AjvError {
                    instance_path: String::new(),
                    schema_path: String::new(),
                    keyword: "",
                    message: String::new(),
                    params: Params::None,
                    data_text: None,
                    schema_text: None,
                    parent_type: None,
                };
            }
            Msg::Type => format!("must be {}", node.type_text.unwrap_or_default()),
            Msg::Const => "must be equal to constant".into(),
            Msg::Enum => {
                params = Params::AllowedValues(
                    node.enum_values
                        .unwrap_or_default()
                        .iter()
                        .map(Lit::to_value)
                        .collect(),
                );
                "must be equal to one of the allowed values".into()
            }
            Msg::Not => "must NOT be valid".into(),
            Msg::AnyOf => "must match a schema in anyOf".into(),
            Msg::OneOf => "must match exactly one schema in oneOf".into(),
            Msg::Maximum => format!("must be <= {}", number(node.maximum)),
            Msg::Minimum => format!("must be >= {}", number(node.minimum)),
            Msg::MaxLength => format!(
                "must NOT have more than {} characters",
                number(node.max_length)
            ),
            Msg::MinLength => format!(
                "must NOT have fewer than {} characters",
                number(node.min_length)
            ),
            Msg::Pattern => format!(
                "must match pattern \"{}\"",
                node.pattern.map(|p| p.source).unwrap_or_default()
            ),
            Msg::Format(name) => format!("must match format \"{name}\""),
            Msg::Regexp => {
                data_text = Some(extra.to_owned());
                schema_text = node.regexp.map(|(text, _)| text.to_owned());
                "must pass \"regexp\" keyword validation".into()
            }
            Msg::MaxItems => format!("must NOT have more than {} items", number(node.max_items)),
            Msg::MinItems => format!("must NOT have fewer than {} items", number(node.min_items)),
            Msg::AdditionalItems(n) => format!("must NOT have more than {n} items"),
            Msg::UniqueItems(i, j) => {
                format!("must NOT have duplicate items (items ## {j} and {i} are identical)")
            }
            Msg::MaxProperties => format!(
                "must NOT have more than {} properties",
                number(node.max_properties)
            ),
            Msg::MinProperties => format!(
                "must NOT have fewer than {} properties",
                number(node.min_properties)
            ),
            Msg::Required(name) => {
                params = Params::MissingProperty(name.to_owned());
                format!("must have required property '{name}'")
            }
            Msg::PropertyNames => "property name must be valid".into(),
            Msg::AdditionalProperties => {
                params = Params::AdditionalProperty(extra.to_owned());
                "must NOT have additional properties".into()
            }
            Msg::Dependencies {
                property,
                deps,
                dep,
            } => {
                params = Params::MissingProperty(dep.to_owned());
                let word = if deps.len() == 1 {
                    "property"
                } else {
                    "properties"
                };
                format!(
                    "must have {word} {} when property {property} is present",
                    deps.join(", ")
                )
            }
        };
        AjvError {
            instance_path: self.pool[e.start..e.instance_end].to_owned(),
            schema_path: self.pool[e.instance_end..e.schema_end].to_owned(),
            keyword: e.msg.keyword(),
            message,
            params,
            data_text,
            schema_text,
            parent_type: node.common_type().map(str::to_owned),
        }
    }

    /// Whether a non-`allErrors` context stops here (an error since `start`).
    fn halted(&self, start: usize) -> bool {
        !self.all_errors && self.errors.len() != start
    }

    /// A subschema on the same data (`anyOf` branches and the like); returns whether it held.
    fn subschema(&mut self, id: NodeId, data: &mut Data) -> bool {
        let node = self.node(id);
        if node.always_valid {
            return true;
        }
        let start = self.errors.len();
        self.keywords(node, data, start);
        self.errors.len() == start
    }

    /// `subschema` under a schema path segment (`/anyOf/0`).
    fn subschema_at(&mut self, id: NodeId, data: &mut Data, seg: &str) -> bool {
        if self.node(id).always_valid {
            return true;
        }
        let len = self.schema_path.len();
        self.schema_path.push_str(seg);
        let valid = self.subschema(id, data);
        self.schema_path.truncate(len);
        valid
    }

    /// A subschema on a property (by its position in the object) or an item of the data.
    fn child(&mut self, id: NodeId, data: &mut Data, key: Key, seg: &str) -> bool {
        if self.node(id).always_valid {
            return true;
        }
        let instance_len = self.instance_path.len();
        let slot = match (data.view_mut(), key) {
            (Value::Object(map), Key::Entry(i)) => map.get_index_mut(i).map(|(name, slot)| {
                self.instance_path.push('/');
                push_pointer(&mut self.instance_path, name);
                slot
            }),
            (Value::Array(items), Key::Index(i)) => items.get_mut(i).inspect(|_| {
                self.instance_path.push('/');
                sls_value::push_decimal(&mut self.instance_path, i as u64);
            }),
            _ => None,
        };
        let Some(slot) = slot else {
            return true;
        };
        let mut child = Data { slot, depth: 0 };
        let valid = self.subschema_at(id, &mut child, seg);
        self.instance_path.truncate(instance_len);
        valid
    }

    /// ajv's `coerceData` (`coerceTypes: 'array'`).
    fn coerce(&mut self, node: &'s Node, data: &mut Data) {
        let mut coerced = None;
        if matches!(data.view(), Value::Array(items) if items.len() == 1) {
            data.depth += 1;
            if check_types(node.types, data.view(), false) {
                coerced = Some(data.view().clone());
            }
        }
        if coerced.is_none() {
            let v = data.view();
            coerced = node
                .types
                .iter()
                .filter(|t| t.coercible())
                .find_map(|t| coerce_to_type(*t, v));
            if coerced.is_none() {
                self.error(node, Msg::Type);
            }
        }
        if let Some(value) = coerced {
            *data.slot = value;
            data.depth = 0;
        }
    }

    fn keywords(&mut self, node: &'s Node, data: &mut Data, start: usize) {
        // The type check, with coercion, unless an object-only schema leaves it to its group.
        let coercible = node.types.iter().any(|t| t.coercible());
        // ajv's `coerceAndCheckDataType`: an object-only schema with object keywords leaves
        // its type check to the object group.
        let left_to_group =
            !coercible && node.types.len() == 1 && node.has_rules_for(node.types[0]);
        let checked = !node.types.is_empty() && !left_to_group;
        if checked && check_types(node.types, data.view(), true) {
            if coercible {
                self.coerce(node, data);
            } else {
                self.error(node, Msg::Type);
            }
        }
        let type_errors = !checked;
        if self.halted(start) {
            return;
        }
        self.untyped(node, data, start);
        if self.halted(start) {
            return;
        }
        if matches!(data.view(), Value::Number(n) if n.is_finite()) {
            self.number(node, data, start);
        }
        if self.halted(start) {
            return;
        }
        if matches!(data.view(), Value::String(_)) {
            self.string(node, data, start);
        }
        if self.halted(start) {
            return;
        }
        if matches!(data.view(), Value::Array(_)) {
            self.array(node, data, start);
        }
        if self.halted(start) {
            return;
        }
        if matches!(data.view(), Value::Object(_)) {
            self.object(node, data, start);
        } else if type_errors && node.types == [JsonType::Object] {
            self.error(node, Msg::Type);
        }
    }

    fn untyped(&mut self, node: &'s Node, data: &mut Data, start: usize) {
        if let Some(constant) = &node.const_value {
            if !schema_equal(data.view(), constant) {
                self.error(node, Msg::Const);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(values) = &node.enum_values {
            if !values.iter().any(|v| schema_equal(data.view(), v)) {
                self.error(node, Msg::Enum);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(not) = node.not {
            if self.node(not).always_valid {
                self.error(node, Msg::Not);
            } else {
                let before = self.errors.len();
                let (all, create) = (self.all_errors, self.create_errors);
                self.all_errors = false;
                self.create_errors = false;
                let valid = self.subschema_at(not, data, "/not");
                self.all_errors = all;
                self.create_errors = create;
                if valid {
                    self.error(node, Msg::Not);
                } else {
                    self.truncate_errors(before);
                }
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(branches) = &node.any_of {
            if !branches.iter().any(|(b, _)| self.node(*b).always_valid) {
                let before = self.errors.len();
                let mut valid = false;
                for (branch, seg) in branches.iter() {
                    let at = self.errors.len();
                    self.subschema_at(*branch, data, seg);
                    valid = valid || self.errors.len() == at;
                    if valid {
                        break;
                    }
                }
                if valid {
                    self.truncate_errors(before);
                } else {
                    self.error(node, Msg::AnyOf);
                }
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(branches) = &node.one_of {
            let before = self.errors.len();
            let mut valid = false;
            for (i, (branch, seg)) in branches.iter().enumerate() {
                let branch_valid = if self.node(*branch).always_valid {
                    true
                } else {
                    let at = self.errors.len();
                    self.subschema_at(*branch, data, seg);
                    self.errors.len() == at
                };
                if i > 0 && branch_valid && valid {
                    // Two branches hold: the later ones are not even tried (ajv nests them
                    // in the `else` of this check).
                    valid = false;
                    break;
                } else if branch_valid {
                    valid = true;
                }
            }
            if valid {
                self.truncate_errors(before);
            } else {
                self.error(node, Msg::OneOf);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(branches) = &node.all_of {
            for (branch, seg) in branches.iter() {
                let valid = self.subschema_at(*branch, data, seg);
                if !valid && !self.all_errors {
                    return;
                }
            }
        }
    }

    fn number(&mut self, node: &'s Node, data: &Data, start: usize) {
        let Value::Number(n) = *data.view() else {
            return;
        };
        if let Some(max) = node.maximum {
            if n > max {
                self.error(node, Msg::Maximum);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(min) = node.minimum {
            if n < min {
                self.error(node, Msg::Minimum);
            }
        }
    }

    fn string(&mut self, node: &'s Node, data: &Data, start: usize) {
        let Value::String(s) = data.view() else {
            return;
        };
        // ajv's `ucs2length`: code points.
        let len = if node.max_length.is_some() || node.min_length.is_some() {
            s.chars().count() as f64
        } else {
            0.0
        };
        if let Some(max) = node.max_length {
            if len > max {
                self.error(node, Msg::MaxLength);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(min) = node.min_length {
            if len < min {
                self.error(node, Msg::MinLength);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(pattern) = node.pattern {
            if !pattern.test(s) {
                self.error(node, Msg::Pattern);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(format) = node.format {
            let (valid, name) = match format {
                crate::schema::Format::Uri => (formats::uri(s), "uri"),
                crate::schema::Format::DateTime => (formats::date_time(s), "date-time"),
            };
            if !valid {
                self.error(node, Msg::Format(name));
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some((_, pattern)) = node.regexp {
            if !pattern.test(s) {
                self.error_text(node, Msg::Regexp, s);
            }
        }
    }

    fn array(&mut self, node: &'s Node, data: &mut Data, start: usize) {
        let len = match data.view() {
            Value::Array(items) => items.len(),
            _ => return,
        };
        if let Some(max) = node.max_items {
            if len as f64 > max {
                self.error(node, Msg::MaxItems);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(min) = node.min_items {
            if (len as f64) < min {
                self.error(node, Msg::MinItems);
            }
            if self.halted(start) {
                return;
            }
        }
        if let (Some(additional), Some(Items::Tuple(tuple))) = (node.additional_items, &node.items)
        {
            match additional {
                SubSchema::Bool(false) => {
                    if len > tuple.len() {
                        self.error(node, Msg::AdditionalItems(tuple.len()));
                    }
                }
                SubSchema::Bool(true) => {}
                SubSchema::Node(id) => {
                    for i in tuple.len()..len {
                        let valid = self.child(id, data, Key::Index(i), "/additionalItems");
                        if !valid && !self.all_errors {
                            break;
                        }
                    }
                }
            }
            if self.halted(start) {
                return;
            }
        }
        match &node.items {
            Some(Items::All(id)) => {
                for i in 0..len {
                    let valid = self.child(*id, data, Key::Index(i), "/items");
                    if !valid && !self.all_errors {
                        return;
                    }
                }
            }
            Some(Items::Tuple(tuple)) => {
                for (i, (id, seg)) in tuple.iter().enumerate() {
                    if len > i {
                        let valid = self.child(*id, data, Key::Index(i), seg);
                        if !valid && !self.all_errors {
                            return;
                        }
                    }
                }
            }
            None => {}
        }
        if self.halted(start) {
            return;
        }
        if node.unique_items {
            self.unique_items(node, data);
        }
    }

    fn unique_items(&mut self, node: &'s Node, data: &Data) {
        let Value::Array(items) = data.view() else {
            return;
        };
        if items.len() < 2 {
            return;
        }
        let item_types: &[JsonType] = match node.items {
            Some(Items::All(id)) => self.node(id).types,
            _ => &[],
        };
        let mut duplicate = None;
        if !item_types.is_empty()
            && !item_types
                .iter()
                .any(|t| matches!(t, JsonType::Object | JsonType::Array))
        {
            let mut indices: HashMap<String, usize> = HashMap::new();
            for i in (0..items.len()).rev() {
                let item = &items[i];
                if check_types(item_types, item, true) {
                    continue;
                }
                let mut key = match item {
                    Value::String(s) => s.clone(),
                    Value::Number(n) => js_number(*n),
                    Value::Bool(b) => b.to_string(),
                    _ => "null".into(),
                };
                if item_types.len() > 1 && matches!(item, Value::String(_)) {
                    key.push('_');
                }
                if key == "__proto__" {
                    continue;
                }
                if let Some(j) = indices.get(&key) {
                    duplicate = Some((i, *j));
                    break;
                }
                indices.insert(key, i);
            }
        } else {
            'outer: for i in (1..items.len()).rev() {
                for j in (0..i).rev() {
                    if deep_equal(&items[i], &items[j]) {
                        duplicate = Some((i, j));
                        break 'outer;
                    }
                }
            }
        }
        if let Some((i, j)) = duplicate {
            self.error(node, Msg::UniqueItems(i, j));
        }
    }

    fn object(&mut self, node: &'s Node, data: &mut Data, start: usize) {
        // The keys do not change while the object is validated (coercion replaces values), so
        // its properties are visited by position.
        let len = match data.view() {
            Value::Object(map) => map.len(),
            _ => return,
        };
        if let Some(max) = node.max_properties {
            if len as f64 > max {
                self.error(node, Msg::MaxProperties);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(min) = node.min_properties {
            if (len as f64) < min {
                self.error(node, Msg::MinProperties);
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(required) = node.required {
            for name in required {
                let present = matches!(data.view(), Value::Object(map) if js_has(map, name));
                if !present {
                    self.error(node, Msg::Required(name));
                    if !self.all_errors {
                        return;
                    }
                }
            }
        }
        if let Some(names) = node.property_names {
            if !self.node(names).always_valid {
                for i in 0..len {
                    let Some(key) = key_at(data, i) else {
                        continue;
                    };
                    let at = self.errors.len();
                    let mut name = Value::String(key.to_owned());
                    let mut name_data = Data {
                        slot: &mut name,
                        depth: 0,
                    };
                    self.subschema_at(names, &mut name_data, "/propertyNames");
                    if self.errors.len() != at {
                        self.error(node, Msg::PropertyNames);
                        if !self.all_errors {
                            return;
                        }
                    }
                }
            }
        }
        if let Some(additional) = node.additional_properties {
            let schema = match additional {
                SubSchema::Bool(true) => None,
                SubSchema::Node(id) if self.node(id).always_valid => None,
                other => Some(other),
            };
            if let Some(schema) = schema {
                for i in 0..len {
                    let Some(key) = key_at(data, i) else {
                        continue;
                    };
                    let declared = node.property_index(key).is_some();
                    let matched = !declared
                        && node
                            .pattern_properties
                            .is_some_and(|p| p.iter().any(|(pattern, ..)| pattern.test(key)));
                    if declared || matched {
                        continue;
                    }
                    match schema {
                        SubSchema::Node(id) => {
                            let valid =
                                self.child(id, data, Key::Entry(i), "/additionalProperties");
                            if !valid && !self.all_errors {
                                return;
                            }
                        }
                        _ => {
                            self.error_text(node, Msg::AdditionalProperties, key);
                            if !self.all_errors {
                                return;
                            }
                        }
                    }
                }
            }
        }
        if let Some(dependencies) = node.dependencies {
            for (property, dependency, _) in dependencies {
                let Dependency::Properties(deps) = dependency else {
                    continue;
                };
                if deps.is_empty() {
                    continue;
                }
                let has =
                    |name: &str| matches!(data.view(), Value::Object(map) if js_has(map, name));
                if !has(property) {
                    continue;
                }
                for dep in *deps {
                    if !has(dep) {
                        self.error(
                            node,
                            Msg::Dependencies {
                                property,
                                deps,
                                dep,
                            },
                        );
                        if !self.all_errors {
                            return;
                        }
                    }
                }
            }
            for (property, dependency, seg) in dependencies {
                let Dependency::Schema(id) = dependency else {
                    continue;
                };
                if self.node(*id).always_valid {
                    continue;
                }
                let has = matches!(data.view(), Value::Object(map) if js_has(map, property));
                if has {
                    let valid = self.subschema_at(*id, data, seg);
                    if !valid && !self.all_errors {
                        return;
                    }
                }
            }
        }
        if let Some(properties) = node.properties {
            if len < properties.len() && len <= SMALL {
                // Fewer keys than properties: each key is looked up in the schema, and the
                // ones found are visited in the schema's order.
                let mut found = [(0usize, 0usize); SMALL];
                let mut n = 0;
                for i in 0..len {
                    if let Some(p) = key_at(data, i).and_then(|key| node.property_index(key)) {
                        found[n] = (p, i);
                        n += 1;
                    }
                }
                let found = &mut found[..n];
                found.sort_unstable();
                for (p, i) in found.iter() {
                    let (_, id, seg) = properties[*p];
                    let valid = self.child(id, data, Key::Entry(*i), seg);
                    if !valid && !self.all_errors {
                        return;
                    }
                }
            } else {
                for (name, id, seg) in properties {
                    if self.node(*id).always_valid {
                        continue;
                    }
                    let at = match data.view() {
                        Value::Object(map) => map.get_index_of(*name),
                        _ => None,
                    };
                    if let Some(i) = at {
                        let valid = self.child(*id, data, Key::Entry(i), seg);
                        if !valid && !self.all_errors {
                            return;
                        }
                    }
                }
            }
        }
        if let Some(patterns) = node.pattern_properties {
            for (pattern, id, seg) in patterns {
                if self.node(*id).always_valid {
                    continue;
                }
                if self.all_errors && len >= self.parallel_entries {
                    self.entries_in_parallel(*id, data, pattern, seg);
                    continue;
                }
                for i in 0..len {
                    if key_at(data, i).is_some_and(|key| pattern.test(key)) {
                        let valid = self.child(*id, data, Key::Entry(i), seg);
                        if !valid && !self.all_errors {
                            return;
                        }
                    }
                }
            }
        }
    }
}
/// How many entries an object needs before the values its pattern properties match are
/// validated on two threads (`functions` of a large service).
const PARALLEL_ENTRIES: usize = 512;

impl<'s> Validator<'s> {
    /// The loop of one pattern property over the entries of a large object, in two halves on
    /// two threads; the result is the sequential loop's. Each value is a separate subtree (its
    /// coercions stay inside it) and ajv's error resets inside a value only reach back to where
    /// that value began, so the second half's errors, appended after the first half's, are the
    /// errors the sequential loop records. Only with `allErrors` (nothing stops at the first).
    fn entries_in_parallel(
        &mut self,
        id: NodeId,
        data: &mut Data,
        pattern: &'s crate::schema::Pattern,
        seg: &'s str,
    ) {
        let Value::Object(map) = data.view_mut() else {
            return;
        };
        let middle = map.len() / 2;
        let (first, second) = map.as_mut_slice().split_at_mut(middle);
        let worker = |validator: &Validator<'s>| Validator {
            schema: validator.schema,
            errors: Vec::new(),
            pool: String::new(),
            instance_path: validator.instance_path.clone(),
            schema_path: validator.schema_path.clone(),
            all_errors: validator.all_errors,
            create_errors: validator.create_errors,
            // One split: the halves do not split again.
            parallel_entries: usize::MAX,
        };
        let mut early = worker(self);
        let mut late = worker(self);
        let run = |validator: &mut Validator<'s>,
                   entries: &mut indexmap::map::Slice<String, Value>| {
            for (key, value) in entries.iter_mut() {
                if !pattern.test(key) {
                    continue;
                }
                let instance_len = validator.instance_path.len();
                validator.instance_path.push('/');
                push_pointer(&mut validator.instance_path, key);
                let mut child = Data {
                    slot: value,
                    depth: 0,
                };
                validator.subschema_at(id, &mut child, seg);
                validator.instance_path.truncate(instance_len);
            }
        };
        sls_value::parallel::join(|| run(&mut early, first), || run(&mut late, second));
        for part in [early, late] {
            let offset = self.pool.len();
            self.pool.push_str(&part.pool);
            self.errors
                .extend(part.errors.into_iter().map(|error| RawError {
                    start: error.start + offset,
                    instance_end: error.instance_end + offset,
                    schema_end: error.schema_end + offset,
                    extra_end: error.extra_end + offset,
                    ..error
                }));
        }
    }
}

/// One branch of ajv's `coerceSpecificType` chain.
fn coerce_to_type(t: JsonType, v: &Value) -> Option<Value> {
    match t {
        JsonType::String => match v {
            Value::Number(_) | Value::Bool(_) => sls_value::js_to_string(v).map(Value::String),
            Value::Null => Some(Value::String(String::new())),
            _ => None,
        },
        JsonType::Number => match v {
            Value::Bool(b) => Some(Value::Number(if *b { 1.0 } else { 0.0 })),
            Value::Null => Some(Value::Number(0.0)),
            Value::String(s) if !s.is_empty() => sls_syntax::js_number(s).map(Value::Number),
            _ => None,
        },
        JsonType::Integer => match v {
            Value::Bool(b) => Some(Value::Number(if *b { 1.0 } else { 0.0 })),
            Value::Null => Some(Value::Number(0.0)),
            Value::String(s) if !s.is_empty() => sls_syntax::js_number(s)
                .filter(|n| {
                    let r = n % 1.0;
                    r == 0.0 || r.is_nan()
                })
                .map(Value::Number),
            _ => None,
        },
        JsonType::Boolean => match v {
            Value::String(s) if s == "false" => Some(Value::Bool(false)),
            Value::Number(n) if *n == 0.0 => Some(Value::Bool(false)),
            Value::Null => Some(Value::Bool(false)),
            Value::String(s) if s == "true" => Some(Value::Bool(true)),
            Value::Number(n) if *n == 1.0 => Some(Value::Bool(true)),
            _ => None,
        },
        JsonType::Null => match v {
            Value::String(s) if s.is_empty() => Some(Value::Null),
            Value::Number(n) if *n == 0.0 => Some(Value::Null),
            Value::Bool(false) => Some(Value::Null),
            _ => None,
        },
        JsonType::Array => match v {
            Value::String(_) | Value::Number(_) | Value::Bool(_) | Value::Null => {
                Some(Value::Array(vec![v.clone()]))
            }
            _ => None,
        },
        JsonType::Object => None,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn segments_are_uri_encoded_pointers() {
        let segments: Vec<&str> = crate::schema::get(crate::SchemaKind::Aws)
            .nodes
            .iter()
            .flat_map(|n| n.pattern_properties.unwrap_or_default())
            .map(|(_, _, seg)| *seg)
            .collect();
        assert!(segments.contains(&"/patternProperties/%5E%5Ba-zA-Z0-9-_%5D%2B%24"));
        let properties: Vec<&str> = crate::schema::get(crate::SchemaKind::Aws)
            .nodes
            .iter()
            .flat_map(|n| n.properties.unwrap_or_default())
            .map(|(_, _, seg)| *seg)
            .collect();
        assert!(properties.contains(&"/properties/Fn%3A%3AJoin"));
    }

    #[test]
    fn property_lookup_finds_every_property() {
        for node in crate::schema::get(crate::SchemaKind::Aws).nodes {
            for (i, (name, ..)) in node.properties.unwrap_or_default().iter().enumerate() {
                assert_eq!(node.property_index(name), Some(i));
            }
            assert_eq!(node.property_index("\u{0}not a property"), None);
        }
    }

    /// A service whose `functions` take the parallel walk, with coercions, failing `anyOf`
    /// branches, unknown properties and invalid names spread over both halves; with `tags`,
    /// also a large `provider.deploymentBucket.tags` (reached through an `anyOf` branch whose
    /// errors are dropped when it holds, keys with `/`) and a large `provider.environment`.
    fn large_service(functions: usize, tags: usize, valid_tags: bool) -> Value {
        fn object(pairs: Vec<(&str, Value)>) -> Value {
            Value::Object(pairs.into_iter().map(|(k, v)| (k.to_owned(), v)).collect())
        }
        let s = |t: &str| Value::String(t.to_owned());
        let mut map = sls_value::Map::default();
        for i in 0..functions {
            let event = match i % 5 {
                0 => object(vec![(
                    "http",
                    object(vec![("path", s(&format!("/f{i}"))), ("method", s("get"))]),
                )]),
                1 => object(vec![("schedule", Value::Number(i as f64))]),
                2 => object(vec![("notAnEvent", Value::Bool(true))]),
                3 => s("sqs"),
                _ => object(vec![("sqs", s("arn:aws:sqs:eu-west-1:123456789012:queue"))]),
            };
            let mut function = vec![
                ("handler", s(&format!("handlers/f{i}.handler"))),
                ("events", Value::Array(vec![event])),
            ];
            match i % 7 {
                0 => function.push(("memorySize", s("256"))),
                1 => function.push(("timeout", s("soon"))),
                2 => function.push(("unknownProperty", Value::Null)),
                3 => function.push(("environment", object(vec![("A", Value::Number(1.0))]))),
                _ => {}
            }
            let name = if i % 97 == 0 {
                format!("bad name {i}")
            } else {
                format!("f{i}")
            };
            let value = if i % 211 == 0 {
                s("not a function")
            } else {
                object(function)
            };
            map.insert(name, value);
        }
        object(vec![
            ("service", s("large")),
            ("provider", {
                let mut provider = vec![("name", s("aws"))];
                if tags > 0 {
                    let tag = |i: usize| match i % 4 {
                        _ if valid_tags => (format!("team/{i}"), s("x")),
                        0 => (format!("team/{i}"), Value::Number(i as f64)),
                        1 => (format!("aws:{i}"), s("reserved")),
                        2 => (format!("long{i}"), s(&"x".repeat(300))),
                        _ => (format!("k{i}"), s("v")),
                    };
                    let env = |i: usize| match i % 3 {
                        0 => (format!("V{i}"), s("text")),
                        1 => (format!("V{i}"), Value::Number(i as f64)),
                        _ => (format!("{i}bad"), s("")),
                    };
                    provider.push((
                        "deploymentBucket",
                        object(vec![
                            ("name", s("bucket")),
                            ("tags", Value::Object((0..tags).map(tag).collect())),
                        ]),
                    ));
                    provider.push(("environment", Value::Object((0..tags).map(env).collect())));
                }
                object(provider)
            }),
            ("functions", Value::Object(map)),
        ])
    }

    #[test]
    fn the_parallel_walk_of_a_large_object_is_the_sequential_one() {
        let schema = crate::schema::get(crate::SchemaKind::Aws);
        for (functions, tags, valid_tags) in [
            (PARALLEL_ENTRIES - 1, 0, true),
            (PARALLEL_ENTRIES, PARALLEL_ENTRIES + 88, false),
            (PARALLEL_ENTRIES + 1, PARALLEL_ENTRIES, true),
        ] {
            let mut sequential = large_service(functions, tags, valid_tags);
            let mut parallel = sequential.clone();
            let expected = Validator::run_with(schema, &mut sequential, usize::MAX);
            let found = Validator::run_with(schema, &mut parallel, PARALLEL_ENTRIES);
            assert!(expected.len() > functions, "{} errors", expected.len());
            assert!(
                found == expected,
                "{functions} functions, {tags} tags: the errors differ"
            );
            assert!(
                parallel == sequential,
                "{functions} functions: the coercions differ"
            );
            let tag_errors = expected
                .iter()
                .filter(|e| e.instance_path.starts_with("/provider/deploymentBucket"))
                .count();
            assert_eq!(
                tag_errors > 0,
                tags > 0 && !valid_tags,
                "{functions}: {tag_errors}"
            );
        }
        let functions = 2 * PARALLEL_ENTRIES + 37;
        let mut sequential = large_service(functions, 0, true);
        let mut parallel = sequential.clone();
        let expected = Validator::run_with(schema, &mut sequential, usize::MAX);
        let found = Validator::run_with(schema, &mut parallel, PARALLEL_ENTRIES);
        assert!(expected.len() > functions, "{} errors", expected.len());
        assert_eq!(found, expected);
        assert_eq!(parallel, sequential, "the same coercions");
        // `memorySize: '256'` became 256 in both halves.
        for name in ["f7", "f1001"] {
            let function = match &parallel {
                Value::Object(map) => match &map["functions"] {
                    Value::Object(functions) => functions[name].clone(),
                    _ => Value::Null,
                },
                _ => Value::Null,
            };
            assert!(
                matches!(&function, Value::Object(f) if f["memorySize"] == Value::Number(256.0)),
                "{name}: {function:?}"
            );
        }
    }

    #[test]
    fn several_types_never_match_in_the_unwrap_check() {
        let types = [JsonType::String, JsonType::Number];
        assert!(!check_types(&types, &Value::String("x".into()), false));
        assert!(!check_types(&types, &Value::String("x".into()), true));
        assert!(check_types(&types, &Value::Bool(true), true));
    }

    #[test]
    fn coercion_follows_javascript_number() {
        let s = |t: &str| Value::String(t.into());
        assert_eq!(
            coerce_to_type(JsonType::Number, &s(" 0x1F ")),
            Some(Value::Number(31.0))
        );
        assert_eq!(
            coerce_to_type(JsonType::Number, &s("  ")),
            Some(Value::Number(0.0))
        );
        assert_eq!(coerce_to_type(JsonType::Number, &s("")), None);
        assert_eq!(coerce_to_type(JsonType::Integer, &s("1.5")), None);
        assert_eq!(
            coerce_to_type(JsonType::Integer, &s("Infinity")),
            Some(Value::Number(f64::INFINITY))
        );
        assert_eq!(coerce_to_type(JsonType::Boolean, &Value::Number(2.0)), None);
    }
}
