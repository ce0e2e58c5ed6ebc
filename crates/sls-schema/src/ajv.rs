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

/// A key into the data: an object property or an array index.
enum Key<'k> {
    Prop(&'k str),
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

/// ajv's `checkDataTypes`: with `wrong`, whether the data has none of the types; without, the
/// expression ajv builds for "has one of the types", which for several types is a conjunction
/// (so it never holds) — the generated code has that quirk and so does this.
fn check_types(types: &[JsonType], v: &Value, wrong: bool) -> bool {
    if let [t] = types {
        return is_type(*t, v) != wrong;
    }
    let mut rest: Vec<JsonType> = Vec::new();
    for t in types {
        if !rest.contains(t) {
            rest.push(*t);
        }
    }
    let mut cond = true;
    if rest.contains(&JsonType::Array) && rest.contains(&JsonType::Object) {
        cond = if rest.contains(&JsonType::Null) {
            !typeof_object(v)
        } else {
            !v.is_truthy() || !typeof_object(v)
        };
        rest.retain(|t| !matches!(t, JsonType::Null | JsonType::Array | JsonType::Object));
    }
    if rest.contains(&JsonType::Number) {
        rest.retain(|t| *t != JsonType::Integer);
    }
    rest.into_iter().all(|t| is_type(t, v) != wrong) && cond
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

/// JSON pointer escaping of one key (`~` → `~0`, `/` → `~1`).
pub(crate) fn escape_pointer(key: &str) -> String {
    key.replace('~', "~0").replace('/', "~1")
}

/// ajv's `escapeFragment`: `encodeURIComponent` of the escaped pointer segment.
fn escape_fragment(key: &str) -> String {
    let mut out = String::new();
    for b in escape_pointer(key).bytes() {
        if b.is_ascii_alphanumeric() || b"-_.!~*'()".contains(&b) {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

fn js_number(n: f64) -> String {
    sls_value::js_number_to_string(n)
}

/// The ajv run: the errors so far and the current paths.
pub(crate) struct Validator<'s> {
    schema: &'s Schema,
    pub(crate) errors: Vec<AjvError>,
    instance_path: String,
    schema_path: String,
    all_errors: bool,
    create_errors: bool,
}

impl<'s> Validator<'s> {
    /// Validates `config` in place; returns ajv's `validate.errors`.
    pub(crate) fn run(schema: &'s Schema, config: &mut Value) -> Vec<AjvError> {
        let mut validator = Validator {
            schema,
            errors: Vec::new(),
            instance_path: String::new(),
            schema_path: "#".into(),
            all_errors: true,
            create_errors: true,
        };
        let mut data = Data {
            slot: config,
            depth: 0,
        };
        validator.subschema(schema.root, &mut data);
        validator.errors
    }

    fn node(&self, id: NodeId) -> &'s Node {
        &self.schema.nodes[id]
    }

    /// Records an error at the current instance path; `suffix` is appended to the schema path.
    fn error(&mut self, node: &Node, keyword: &'static str, message: String, params: Params) {
        self.error_with(node, keyword, message, params, None, None);
    }

    fn error_with(
        &mut self,
        node: &Node,
        keyword: &'static str,
        message: String,
        params: Params,
        data_text: Option<String>,
        schema_text: Option<String>,
    ) {
        if !self.create_errors {
            // ajv pushes `{}` objects here; only their count matters.
            self.errors.push(AjvError {
                instance_path: String::new(),
                schema_path: String::new(),
                keyword: "",
                message: String::new(),
                params: Params::None,
                data_text: None,
                schema_text: None,
                parent_type: None,
            });
            return;
        }
        self.errors.push(AjvError {
            instance_path: self.instance_path.clone(),
            schema_path: format!("{}/{keyword}", self.schema_path),
            keyword,
            message,
            params,
            data_text,
            schema_text,
            parent_type: node.common_type().map(str::to_owned),
        });
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
    fn subschema_at(&mut self, id: NodeId, data: &mut Data, segment: &str) -> bool {
        let len = self.schema_path.len();
        self.schema_path.push_str(segment);
        let valid = self.subschema(id, data);
        self.schema_path.truncate(len);
        valid
    }

    /// A subschema on a property or item of the data.
    fn child(&mut self, id: NodeId, data: &mut Data, key: Key, segment: &str) -> bool {
        if self.node(id).always_valid {
            return true;
        }
        let slot = match (data.view_mut(), &key) {
            (Value::Object(map), Key::Prop(name)) => map.get_mut(*name),
            (Value::Array(items), Key::Index(i)) => items.get_mut(*i),
            _ => None,
        };
        let Some(slot) = slot else {
            return true;
        };
        let instance_len = self.instance_path.len();
        self.instance_path.push('/');
        match key {
            Key::Prop(name) => self.instance_path.push_str(&escape_pointer(name)),
            Key::Index(i) => self.instance_path.push_str(&i.to_string()),
        }
        let mut child = Data { slot, depth: 0 };
        let valid = self.subschema_at(id, &mut child, segment);
        self.instance_path.truncate(instance_len);
        valid
    }

    fn type_error(&mut self, node: &Node, _data: &Data) {
        let text = node.type_text.unwrap_or_default();
        self.error(node, "type", format!("must be {text}"), Params::None);
    }

    /// ajv's `coerceData` (`coerceTypes: 'array'`).
    fn coerce(&mut self, node: &Node, data: &mut Data, coerce_to: &[JsonType]) {
        let mut coerced = None;
        if matches!(data.view(), Value::Array(items) if items.len() == 1) {
            data.depth += 1;
            if check_types(node.types, data.view(), false) {
                coerced = Some(data.view().clone());
            }
        }
        if coerced.is_none() {
            let v = data.view();
            for t in coerce_to {
                coerced = coerce_to_type(*t, v);
                if coerced.is_some() {
                    break;
                }
            }
            if coerced.is_none() {
                self.type_error(node, data);
            }
        }
        if let Some(value) = coerced {
            *data.slot = value;
            data.depth = 0;
        }
    }

    fn keywords(&mut self, node: &'s Node, data: &mut Data, start: usize) {
        // The type check, with coercion, unless an object-only schema leaves it to its group.
        let coerce_to: Vec<JsonType> = node
            .types
            .iter()
            .copied()
            .filter(|t| t.coercible())
            .collect();
        // ajv's `coerceAndCheckDataType`: an object-only schema with object keywords leaves
        // its type check to the object group.
        let left_to_group =
            coerce_to.is_empty() && node.types.len() == 1 && node.has_rules_for(node.types[0]);
        let checked = !node.types.is_empty() && !left_to_group;
        if checked && check_types(node.types, data.view(), true) {
            if coerce_to.is_empty() {
                self.type_error(node, data);
            } else {
                self.coerce(node, data, &coerce_to);
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
            self.type_error(node, data);
        }
    }

    fn untyped(&mut self, node: &'s Node, data: &mut Data, start: usize) {
        if let Some(constant) = &node.const_value {
            if !schema_equal(data.view(), constant) {
                self.error(
                    node,
                    "const",
                    "must be equal to constant".into(),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(values) = &node.enum_values {
            if !values.iter().any(|v| schema_equal(data.view(), v)) {
                self.error(
                    node,
                    "enum",
                    "must be equal to one of the allowed values".into(),
                    Params::AllowedValues(values.iter().map(Lit::to_value).collect()),
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(not) = node.not {
            if self.node(not).always_valid {
                self.error(node, "not", "must NOT be valid".into(), Params::None);
            } else {
                let before = self.errors.len();
                let (all, create) = (self.all_errors, self.create_errors);
                self.all_errors = false;
                self.create_errors = false;
                let valid = self.subschema_at(not, data, "/not");
                self.all_errors = all;
                self.create_errors = create;
                if valid {
                    self.error(node, "not", "must NOT be valid".into(), Params::None);
                } else {
                    self.errors.truncate(before);
                }
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(branches) = &node.any_of {
            if !branches.iter().any(|b| self.node(*b).always_valid) {
                let before = self.errors.len();
                let mut valid = false;
                for (i, branch) in branches.iter().enumerate() {
                    let at = self.errors.len();
                    self.subschema_at(*branch, data, &format!("/anyOf/{i}"));
                    valid = valid || self.errors.len() == at;
                    if valid {
                        break;
                    }
                }
                if valid {
                    self.errors.truncate(before);
                } else {
                    self.error(
                        node,
                        "anyOf",
                        "must match a schema in anyOf".into(),
                        Params::None,
                    );
                }
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(branches) = &node.one_of {
            let before = self.errors.len();
            let mut valid = false;
            for (i, branch) in branches.iter().enumerate() {
                let branch_valid = if self.node(*branch).always_valid {
                    true
                } else {
                    let at = self.errors.len();
                    self.subschema_at(*branch, data, &format!("/oneOf/{i}"));
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
                self.errors.truncate(before);
            } else {
                self.error(
                    node,
                    "oneOf",
                    "must match exactly one schema in oneOf".into(),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(branches) = &node.all_of {
            for (i, branch) in branches.iter().enumerate() {
                let valid = self.subschema_at(*branch, data, &format!("/allOf/{i}"));
                if !valid && !self.all_errors {
                    return;
                }
            }
        }
    }

    fn number(&mut self, node: &Node, data: &Data, start: usize) {
        let Value::Number(n) = *data.view() else {
            return;
        };
        if let Some(max) = node.maximum {
            if n > max {
                self.error(
                    node,
                    "maximum",
                    format!("must be <= {}", js_number(max)),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(min) = node.minimum {
            if n < min {
                self.error(
                    node,
                    "minimum",
                    format!("must be >= {}", js_number(min)),
                    Params::None,
                );
            }
        }
    }

    fn string(&mut self, node: &Node, data: &Data, start: usize) {
        let Value::String(s) = data.view() else {
            return;
        };
        let s = s.clone();
        // ajv's `ucs2length`: code points.
        let len = s.chars().count() as f64;
        if let Some(max) = node.max_length {
            if len > max {
                self.error(
                    node,
                    "maxLength",
                    format!("must NOT have more than {} characters", js_number(max)),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(min) = node.min_length {
            if len < min {
                self.error(
                    node,
                    "minLength",
                    format!("must NOT have fewer than {} characters", js_number(min)),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(pattern) = node.pattern {
            if !pattern.test(&s) {
                self.error(
                    node,
                    "pattern",
                    format!("must match pattern \"{}\"", pattern.source),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(format) = node.format {
            let (valid, name) = match format {
                crate::schema::Format::Uri => (formats::uri(&s), "uri"),
                crate::schema::Format::DateTime => (formats::date_time(&s), "date-time"),
            };
            if !valid {
                self.error(
                    node,
                    "format",
                    format!("must match format \"{name}\""),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some((text, pattern)) = node.regexp {
            if !pattern.test(&s) {
                self.error_with(
                    node,
                    "regexp",
                    "must pass \"regexp\" keyword validation".into(),
                    Params::None,
                    Some(s.clone()),
                    Some(text.to_owned()),
                );
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
                self.error(
                    node,
                    "maxItems",
                    format!("must NOT have more than {} items", js_number(max)),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(min) = node.min_items {
            if (len as f64) < min {
                self.error(
                    node,
                    "minItems",
                    format!("must NOT have fewer than {} items", js_number(min)),
                    Params::None,
                );
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
                        self.error(
                            node,
                            "additionalItems",
                            format!("must NOT have more than {} items", tuple.len()),
                            Params::None,
                        );
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
                for (i, id) in tuple.iter().enumerate() {
                    if len > i {
                        let valid = self.child(*id, data, Key::Index(i), &format!("/items/{i}"));
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

    fn unique_items(&mut self, node: &Node, data: &Data) {
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
            self.error(
                node,
                "uniqueItems",
                format!("must NOT have duplicate items (items ## {j} and {i} are identical)"),
                Params::None,
            );
        }
    }

    fn object(&mut self, node: &'s Node, data: &mut Data, start: usize) {
        let keys: Vec<String> = match data.view() {
            Value::Object(map) => map.keys().cloned().collect(),
            _ => return,
        };
        if let Some(max) = node.max_properties {
            if keys.len() as f64 > max {
                self.error(
                    node,
                    "maxProperties",
                    format!("must NOT have more than {} properties", js_number(max)),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(min) = node.min_properties {
            if (keys.len() as f64) < min {
                self.error(
                    node,
                    "minProperties",
                    format!("must NOT have fewer than {} properties", js_number(min)),
                    Params::None,
                );
            }
            if self.halted(start) {
                return;
            }
        }
        if let Some(required) = node.required {
            for name in required {
                let present = matches!(data.view(), Value::Object(map) if js_has(map, name));
                if !present {
                    self.error(
                        node,
                        "required",
                        format!("must have required property '{name}'"),
                        Params::MissingProperty((*name).to_owned()),
                    );
                    if !self.all_errors {
                        return;
                    }
                }
            }
        }
        if let Some(names) = node.property_names {
            if !self.node(names).always_valid {
                for key in &keys {
                    let at = self.errors.len();
                    let mut name = Value::String(key.clone());
                    let mut name_data = Data {
                        slot: &mut name,
                        depth: 0,
                    };
                    self.subschema_at(names, &mut name_data, "/propertyNames");
                    if self.errors.len() != at {
                        self.error(
                            node,
                            "propertyNames",
                            "property name must be valid".into(),
                            Params::None,
                        );
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
                for key in &keys {
                    let declared = node
                        .properties
                        .as_ref()
                        .is_some_and(|p| p.iter().any(|(name, _)| name == key));
                    let matched = node
                        .pattern_properties
                        .as_ref()
                        .is_some_and(|p| p.iter().any(|(pattern, _)| pattern.test(key)));
                    if declared || matched {
                        continue;
                    }
                    match schema {
                        SubSchema::Node(id) => {
                            let valid =
                                self.child(id, data, Key::Prop(key), "/additionalProperties");
                            if !valid && !self.all_errors {
                                return;
                            }
                        }
                        _ => {
                            self.error(
                                node,
                                "additionalProperties",
                                "must NOT have additional properties".into(),
                                Params::AdditionalProperty(key.clone()),
                            );
                            if !self.all_errors {
                                return;
                            }
                        }
                    }
                }
            }
        }
        if let Some(dependencies) = node.dependencies {
            for (property, dependency) in dependencies {
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
                let word = if deps.len() == 1 {
                    "property"
                } else {
                    "properties"
                };
                for dep in *deps {
                    if !has(dep) {
                        self.error(
                            node,
                            "dependencies",
                            format!(
                                "must have {word} {} when property {property} is present",
                                deps.join(", ")
                            ),
                            Params::MissingProperty((*dep).to_owned()),
                        );
                        if !self.all_errors {
                            return;
                        }
                    }
                }
            }
            for (property, dependency) in dependencies {
                let Dependency::Schema(id) = dependency else {
                    continue;
                };
                if self.node(*id).always_valid {
                    continue;
                }
                let has = matches!(data.view(), Value::Object(map) if js_has(map, property));
                if has {
                    let segment = format!("/dependencies/{}", escape_fragment(property));
                    let valid = self.subschema_at(*id, data, &segment);
                    if !valid && !self.all_errors {
                        return;
                    }
                }
            }
        }
        if let Some(properties) = node.properties {
            for (name, id) in properties {
                if self.node(*id).always_valid {
                    continue;
                }
                let present = matches!(data.view(), Value::Object(map) if map.contains_key(*name));
                if present {
                    let segment = format!("/properties/{}", escape_fragment(name));
                    let valid = self.child(*id, data, Key::Prop(name), &segment);
                    if !valid && !self.all_errors {
                        return;
                    }
                }
            }
        }
        if let Some(patterns) = node.pattern_properties {
            for (pattern, id) in patterns {
                if self.node(*id).always_valid {
                    continue;
                }
                let segment = format!("/patternProperties/{}", escape_fragment(pattern.source));
                for key in &keys {
                    if pattern.test(key) {
                        let valid = self.child(*id, data, Key::Prop(key), &segment);
                        if !valid && !self.all_errors {
                            return;
                        }
                    }
                }
            }
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
    fn fragments_are_uri_encoded_pointers() {
        assert_eq!(
            escape_fragment("^[a-zA-Z0-9-_]+$"),
            "%5E%5Ba-zA-Z0-9-_%5D%2B%24"
        );
        assert_eq!(escape_fragment("Fn::Join"), "Fn%3A%3AJoin");
        assert_eq!(escape_fragment("a/b~c"), "a~1b~0c");
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
