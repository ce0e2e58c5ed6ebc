//! The assembled v3 schema (`schema/v3.40.0.json`, dumped by `scripts/extract-schema.js`), as
//! statics that `build.rs` generates from it: per kind, an arena of [`Node`]s, each schema
//! object with exactly the keywords the validator implements, `$ref`s resolved to the node of
//! their target (v3 inlines them before compiling, so error schema paths run through the
//! referring place, which is what walking the arena gives). Nothing is parsed at run time;
//! regular expressions are compiled on first use.

use std::sync::OnceLock;

use sls_value::{Map, Value};

use crate::SchemaKind;
use crate::ascii_regex::AsciiRegex;

/// Index of a node in [`Schema::nodes`].
pub(crate) type NodeId = usize;

/// The JSON types of the `type` keyword.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum JsonType {
    String,
    Number,
    Integer,
    Boolean,
    Null,
    Object,
    Array,
}

impl JsonType {
    /// The types ajv can coerce to with `coerceTypes: 'array'`.
    pub(crate) fn coercible(self) -> bool {
        !matches!(self, Self::Object)
    }
}

/// A JSON value written in the schema (`const`, `enum`). (The v3.40.0 schema has no list or
/// object constant; `build.rs` would generate them all the same.)
#[derive(Debug)]
#[allow(dead_code)]
pub(crate) enum Lit {
    Null,
    Bool(bool),
    Num(f64),
    Str(&'static str),
    Arr(&'static [Lit]),
    Obj(&'static [(&'static str, Lit)]),
}

impl Lit {
    pub(crate) fn to_value(&self) -> Value {
        match self {
            Lit::Null => Value::Null,
            Lit::Bool(b) => Value::Bool(*b),
            Lit::Num(n) => Value::Number(*n),
            Lit::Str(s) => Value::String((*s).to_owned()),
            Lit::Arr(items) => Value::Array(items.iter().map(Lit::to_value).collect()),
            Lit::Obj(pairs) => Value::Object(
                pairs
                    .iter()
                    .map(|(k, v)| ((*k).to_owned(), v.to_value()))
                    .collect::<Map>(),
            ),
        }
    }

    /// JavaScript truthiness.
    fn is_truthy(&self) -> bool {
        match self {
            Lit::Null => false,
            Lit::Bool(b) => *b,
            Lit::Num(n) => *n != 0.0 && !n.is_nan(),
            Lit::Str(s) => !s.is_empty(),
            Lit::Arr(_) | Lit::Obj(_) => true,
        }
    }
}

/// A keyword whose value is a schema or a boolean (`additionalProperties`, `additionalItems`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum SubSchema {
    Bool(bool),
    Node(NodeId),
}

/// A subschema with its schema path segment (`/anyOf/2`, `/properties/Fn%3A%3AJoin`),
/// written by `build.rs` so that the walk only copies it.
pub(crate) type Segmented = (NodeId, &'static str);

/// `items`: one schema for every item, or a tuple.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Items {
    All(NodeId),
    Tuple(&'static [Segmented]),
}

/// A regular expression with its source, compiled on first use (`None`: it does not compile).
#[derive(Debug)]
pub(crate) struct Pattern {
    pub(crate) source: &'static str,
    pub(crate) flags: &'static str,
    compiled: OnceLock<Option<regress::Regex>>,
    /// The automaton for ASCII text, when the pattern is simple enough.
    fast: OnceLock<Option<AsciiRegex>>,
}

impl Pattern {
    pub(crate) const fn new(source: &'static str, flags: &'static str) -> Self {
        Self {
            source,
            flags,
            compiled: OnceLock::new(),
            fast: OnceLock::new(),
        }
    }

    /// `RegExp.prototype.test`: a match anywhere in `text`. A pattern that does not compile
    /// never matches (v3 would have failed to compile the schema; none of its patterns do).
    pub(crate) fn test(&self, text: &str) -> bool {
        let fast = self
            .fast
            .get_or_init(|| AsciiRegex::compile(self.source, self.flags));
        if let Some(answer) = fast.as_ref().and_then(|f| f.test(text)) {
            return answer;
        }
        self.compiled
            .get_or_init(|| regress::Regex::with_flags(self.source, self.flags).ok())
            .as_ref()
            .is_some_and(|re| re.find(text).is_some())
    }
}

/// The formats the schema uses (ajv-formats' `full` mode).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Format {
    Uri,
    DateTime,
}

/// `dependencies`: a list of required properties, or a schema (none in the v3.40.0 schema).
#[derive(Debug)]
#[allow(dead_code)]
pub(crate) enum Dependency {
    Properties(&'static [&'static str]),
    Schema(NodeId),
}

/// One schema object, with the keywords the validator knows.
#[derive(Debug)]
pub(crate) struct Node {
    /// No rule keyword at all (`{}`): ajv generates no code for it.
    pub(crate) always_valid: bool,
    pub(crate) types: &'static [JsonType],
    /// `type` as written, for the message (`must be string`) and `parentSchema.type`.
    pub(crate) type_text: Option<&'static str>,
    pub(crate) const_value: Option<Lit>,
    pub(crate) enum_values: Option<&'static [Lit]>,
    pub(crate) not: Option<NodeId>,
    pub(crate) any_of: Option<&'static [Segmented]>,
    pub(crate) one_of: Option<&'static [Segmented]>,
    pub(crate) all_of: Option<&'static [Segmented]>,
    pub(crate) maximum: Option<f64>,
    pub(crate) minimum: Option<f64>,
    pub(crate) max_length: Option<f64>,
    pub(crate) min_length: Option<f64>,
    pub(crate) max_items: Option<f64>,
    pub(crate) min_items: Option<f64>,
    pub(crate) max_properties: Option<f64>,
    pub(crate) min_properties: Option<f64>,
    pub(crate) pattern: Option<&'static Pattern>,
    pub(crate) format: Option<Format>,
    /// The custom `regexp` keyword: its schema text (`/^token$/i`) and the expression.
    pub(crate) regexp: Option<(&'static str, &'static Pattern)>,
    pub(crate) additional_items: Option<SubSchema>,
    pub(crate) items: Option<Items>,
    pub(crate) unique_items: bool,
    pub(crate) required: Option<&'static [&'static str]>,
    pub(crate) property_names: Option<NodeId>,
    pub(crate) additional_properties: Option<SubSchema>,
    pub(crate) dependencies: Option<&'static [(&'static str, Dependency, &'static str)]>,
    /// Every property named in `properties`, in order (always-valid ones included: they count
    /// for `additionalProperties`).
    pub(crate) properties: Option<&'static [(&'static str, NodeId, &'static str)]>,
    /// The names of `properties` in byte order, each with its index there.
    pub(crate) sorted_properties: &'static [(&'static str, usize)],
    pub(crate) pattern_properties: Option<&'static [(&'static Pattern, NodeId, &'static str)]>,
}

impl Node {
    /// ajv's `schemaHasRulesForType(it, 'object')` and friends: whether a keyword of the
    /// type's group is present.
    pub(crate) fn has_rules_for(&self, t: JsonType) -> bool {
        match t {
            JsonType::Number => self.maximum.is_some() || self.minimum.is_some(),
            JsonType::String => {
                self.max_length.is_some()
                    || self.min_length.is_some()
                    || self.pattern.is_some()
                    || self.format.is_some()
                    || self.regexp.is_some()
            }
            JsonType::Array => {
                self.max_items.is_some()
                    || self.min_items.is_some()
                    || self.additional_items.is_some()
                    || self.items.is_some()
                    || self.unique_items
            }
            JsonType::Object => {
                self.max_properties.is_some()
                    || self.min_properties.is_some()
                    || self.required.is_some()
                    || self.property_names.is_some()
                    || self.additional_properties.is_some()
                    || self.dependencies.is_some()
                    || self.properties.is_some()
                    || self.pattern_properties.is_some()
            }
            // ajv's `RULES.types`: `integer`, `boolean` and `null` have no group of their own.
            JsonType::Integer | JsonType::Boolean | JsonType::Null => false,
        }
    }

    /// The index in `properties` of a property name.
    pub(crate) fn property_index(&self, name: &str) -> Option<usize> {
        self.sorted_properties
            .binary_search_by(|(k, _)| (*k).cmp(name))
            .ok()
            .map(|at| self.sorted_properties[at].1)
    }

    /// `parentSchema.const ? 'const' : parentSchema.type`, as `normalizeAjvErrors` reads it.
    pub(crate) fn common_type(&self) -> Option<&'static str> {
        match &self.const_value {
            Some(c) if c.is_truthy() => Some("const"),
            _ => self.type_text,
        }
    }
}

/// A compiled schema.
#[derive(Debug)]
pub(crate) struct Schema {
    pub(crate) nodes: &'static [Node],
    pub(crate) root: NodeId,
}

include!(concat!(env!("OUT_DIR"), "/schema.rs"));

/// The schema of a kind.
pub(crate) fn get(kind: SchemaKind) -> &'static Schema {
    match kind {
        SchemaKind::Aws => &AWS,
        SchemaKind::Other => &OTHER,
    }
}

/// The version of Serverless the bundled schema was dumped from.
pub(crate) fn bundled_version() -> &'static str {
    VERSION
}
