//! The assembled v3 schema (`schema/v3.40.0.json`, dumped by `scripts/extract-schema.js`),
//! compiled once per kind into an arena of [`Node`]s: each JSON schema object becomes one node
//! holding exactly the keywords the validator implements, `$ref`s resolved to the node of their
//! target (v3 inlines them before compiling, so error schema paths run through the referring
//! place, which is what walking the arena gives).
//!
//! Regular expressions are compiled on first use: most configurations touch a small part of the
//! schema.

use std::collections::HashMap;
use std::sync::OnceLock;

use serde_json::Value as Json;
use sls_value::Value;

use crate::SchemaKind;

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
    fn parse(name: &str) -> Option<Self> {
        Some(match name {
            "string" => Self::String,
            "number" => Self::Number,
            "integer" => Self::Integer,
            "boolean" => Self::Boolean,
            "null" => Self::Null,
            "object" => Self::Object,
            "array" => Self::Array,
            _ => return None,
        })
    }

    /// The types ajv can coerce to with `coerceTypes: 'array'`.
    pub(crate) fn coercible(self) -> bool {
        !matches!(self, Self::Object)
    }
}

/// A keyword whose value is a schema or a boolean (`additionalProperties`, `additionalItems`).
#[derive(Clone, Copy, Debug)]
pub(crate) enum SubSchema {
    Bool(bool),
    Node(NodeId),
}

/// `items`: one schema for every item, or a tuple.
#[derive(Clone, Debug)]
pub(crate) enum Items {
    All(NodeId),
    Tuple(Vec<NodeId>),
}

/// A regular expression with its source, compiled on first use (`None`: it does not compile).
#[derive(Debug)]
pub(crate) struct Pattern {
    pub(crate) source: String,
    flags: &'static str,
    compiled: OnceLock<Option<regress::Regex>>,
}

impl Pattern {
    pub(crate) fn new(source: String, flags: &'static str) -> Self {
        Self {
            source,
            flags,
            compiled: OnceLock::new(),
        }
    }

    /// `RegExp.prototype.test`: a match anywhere in `text`. A pattern that does not compile
    /// never matches (v3 would have failed to compile the schema; none of its patterns do).
    pub(crate) fn test(&self, text: &str) -> bool {
        self.compiled
            .get_or_init(|| regress::Regex::with_flags(&self.source, self.flags).ok())
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

/// `dependencies`: a list of required properties, or a schema.
#[derive(Debug)]
pub(crate) enum Dependency {
    Properties(Vec<String>),
    Schema(NodeId),
}

/// One schema object, with the keywords the validator knows.
#[derive(Debug, Default)]
pub(crate) struct Node {
    /// No rule keyword at all (`{}`): ajv generates no code for it.
    pub(crate) always_valid: bool,
    pub(crate) types: Vec<JsonType>,
    /// `type` as written, for the message (`must be string`) and `parentSchema.type`.
    pub(crate) type_text: Option<String>,
    pub(crate) const_value: Option<Value>,
    pub(crate) enum_values: Option<Vec<Value>>,
    pub(crate) not: Option<NodeId>,
    pub(crate) any_of: Option<Vec<NodeId>>,
    pub(crate) one_of: Option<Vec<NodeId>>,
    pub(crate) all_of: Option<Vec<NodeId>>,
    pub(crate) maximum: Option<f64>,
    pub(crate) minimum: Option<f64>,
    pub(crate) max_length: Option<f64>,
    pub(crate) min_length: Option<f64>,
    pub(crate) pattern: Option<Pattern>,
    pub(crate) format: Option<Format>,
    /// The custom `regexp` keyword: its schema text (`/^token$/i`) and the expression.
    pub(crate) regexp: Option<(String, Pattern)>,
    pub(crate) max_items: Option<f64>,
    pub(crate) min_items: Option<f64>,
    pub(crate) additional_items: Option<SubSchema>,
    pub(crate) items: Option<Items>,
    pub(crate) unique_items: bool,
    pub(crate) max_properties: Option<f64>,
    pub(crate) min_properties: Option<f64>,
    pub(crate) required: Option<Vec<String>>,
    pub(crate) property_names: Option<NodeId>,
    pub(crate) additional_properties: Option<SubSchema>,
    pub(crate) dependencies: Option<Vec<(String, Dependency)>>,
    /// Every property named in `properties`, in order (always-valid ones included: they count
    /// for `additionalProperties`).
    pub(crate) properties: Option<Vec<(String, NodeId)>>,
    pub(crate) pattern_properties: Option<Vec<(Pattern, NodeId)>>,
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

    /// `parentSchema.const ? 'const' : parentSchema.type`, as `normalizeAjvErrors` reads it.
    pub(crate) fn common_type(&self) -> Option<String> {
        match &self.const_value {
            Some(c) if c.is_truthy() => Some("const".into()),
            _ => self.type_text.clone(),
        }
    }
}

/// A compiled schema.
#[derive(Debug)]
pub(crate) struct Schema {
    pub(crate) nodes: Vec<Node>,
    pub(crate) root: NodeId,
}

/// The keywords that have code in ajv (`RULES.all`); a schema object with none of them is
/// always valid.
const RULE_KEYWORDS: &[&str] = &[
    "$ref",
    "$comment",
    "type",
    "nullable",
    "const",
    "enum",
    "not",
    "anyOf",
    "oneOf",
    "allOf",
    "if",
    "then",
    "else",
    "maximum",
    "minimum",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "multipleOf",
    "format",
    "maxLength",
    "minLength",
    "pattern",
    "regexp",
    "maxItems",
    "minItems",
    "additionalItems",
    "items",
    "contains",
    "uniqueItems",
    "maxProperties",
    "minProperties",
    "required",
    "propertyNames",
    "additionalProperties",
    "dependencies",
    "properties",
    "patternProperties",
];

/// The keywords this validator does not implement; the schema must not use them.
const UNSUPPORTED: &[&str] = &[
    "nullable",
    "if",
    "then",
    "else",
    "exclusiveMaximum",
    "exclusiveMinimum",
    "multipleOf",
    "contains",
];

static SOURCE: &str = include_str!("../schema/v3.40.0.json");

/// The compiled schema of a kind, built on first use.
pub(crate) fn get(kind: SchemaKind) -> &'static Schema {
    static AWS: OnceLock<Schema> = OnceLock::new();
    static OTHER: OnceLock<Schema> = OnceLock::new();
    let (cell, key) = match kind {
        SchemaKind::Aws => (&AWS, "aws"),
        SchemaKind::Other => (&OTHER, "other"),
    };
    cell.get_or_init(|| {
        let mut document: Json = serde_json::from_str(SOURCE).expect("the bundled schema is JSON");
        let root = document
            .get_mut(key)
            .map(Json::take)
            .expect("the bundled schema has both kinds");
        compile(&root).expect("the bundled schema compiles")
    })
}

/// The version of Serverless the bundled schema was dumped from.
pub(crate) fn bundled_version() -> String {
    let document: Json = serde_json::from_str(SOURCE).expect("the bundled schema is JSON");
    document["version"].as_str().unwrap_or_default().to_owned()
}

/// Compiles a JSON schema (with `definitions` for its `$ref`s) into an arena.
pub(crate) fn compile(root: &Json) -> Result<Schema, String> {
    let mut compiler = Compiler {
        root,
        nodes: Vec::new(),
        refs: HashMap::new(),
    };
    let root = compiler.node(root)?;
    Ok(Schema {
        nodes: compiler.nodes,
        root,
    })
}

struct Compiler<'j> {
    root: &'j Json,
    nodes: Vec<Node>,
    refs: HashMap<String, NodeId>,
}

fn to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Json::Object(map) => {
            Value::Object(map.iter().map(|(k, v)| (k.clone(), to_value(v))).collect())
        }
    }
}

impl Compiler<'_> {
    fn node(&mut self, json: &Json) -> Result<NodeId, String> {
        let Json::Object(map) = json else {
            return Err(format!("schema is not an object: {json}"));
        };
        // v3's `normalizeSchemaObject` replaces an object that has a `$ref` by its target.
        if let Some(reference) = map.get("$ref") {
            let reference = reference.as_str().ok_or("$ref is not a string")?;
            if let Some(id) = self.refs.get(reference) {
                return Ok(*id);
            }
            let target = reference
                .strip_prefix("#/")
                .ok_or_else(|| format!("unsupported reference {reference}"))?
                .split('/')
                .try_fold(self.root, |at, key| at.get(key))
                .ok_or_else(|| format!("unresolved reference {reference}"))?;
            let id = self.node(target)?;
            self.refs.insert(reference.to_owned(), id);
            return Ok(id);
        }
        for key in map.keys() {
            if UNSUPPORTED.contains(&key.as_str()) {
                return Err(format!("unsupported keyword {key}"));
            }
        }
        let id = self.nodes.len();
        self.nodes.push(Node::default());
        let mut node = Node {
            always_valid: !map.keys().any(|k| RULE_KEYWORDS.contains(&k.as_str())),
            ..Node::default()
        };
        let number = |key: &str| map.get(key).and_then(Json::as_f64);
        if let Some(t) = map.get("type") {
            let names: Vec<&str> = match t {
                Json::String(s) => vec![s.as_str()],
                Json::Array(items) => items.iter().filter_map(Json::as_str).collect(),
                _ => return Err("bad type".into()),
            };
            node.types = names
                .iter()
                .map(|n| JsonType::parse(n).ok_or_else(|| format!("unknown type {n}")))
                .collect::<Result<_, _>>()?;
            node.type_text = Some(names.join(","));
        }
        node.const_value = map.get("const").map(to_value);
        node.enum_values = match map.get("enum") {
            Some(Json::Array(items)) => Some(items.iter().map(to_value).collect()),
            Some(_) => return Err("enum is not an array".into()),
            None => None,
        };
        if let Some(not) = map.get("not") {
            node.not = Some(self.node(not)?);
        }
        node.any_of = self.list(map.get("anyOf"))?;
        node.one_of = self.list(map.get("oneOf"))?;
        node.all_of = self.list(map.get("allOf"))?;
        node.maximum = number("maximum");
        node.minimum = number("minimum");
        node.max_length = number("maxLength");
        node.min_length = number("minLength");
        node.max_items = number("maxItems");
        node.min_items = number("minItems");
        node.max_properties = number("maxProperties");
        node.min_properties = number("minProperties");
        node.pattern = map
            .get("pattern")
            .and_then(Json::as_str)
            .map(|p| Pattern::new(p.to_owned(), "u"));
        node.format = match map.get("format").and_then(Json::as_str) {
            None => None,
            Some("uri") => Some(Format::Uri),
            Some("date-time") => Some(Format::DateTime),
            Some(other) => return Err(format!("unsupported format {other}")),
        };
        if let Some(regexp) = map.get("regexp") {
            let text = regexp.as_str().ok_or("regexp schema is not a string")?;
            // `regexp-keyword.js`: `/pattern/flags`, with the flags as written (no `u`).
            let (pattern, flags) = text
                .strip_prefix('/')
                .and_then(|rest| rest.rsplit_once('/'))
                .filter(|(_, flags)| flags.chars().all(|c| "gimuy".contains(c)))
                .ok_or_else(|| format!("cannot parse {text} into RegExp"))?;
            let flags: &'static str = match flags {
                "" => "",
                "i" => "i",
                _ => return Err(format!("unsupported regexp flags {flags}")),
            };
            node.regexp = Some((text.to_owned(), Pattern::new(pattern.to_owned(), flags)));
        }
        node.additional_items = self.sub(map.get("additionalItems"))?;
        node.items = match map.get("items") {
            None => None,
            Some(Json::Array(items)) => Some(Items::Tuple(
                items
                    .iter()
                    .map(|i| self.node(i))
                    .collect::<Result<_, _>>()?,
            )),
            Some(item) => Some(Items::All(self.node(item)?)),
        };
        node.unique_items = map.get("uniqueItems") == Some(&Json::Bool(true));
        node.required = match map.get("required") {
            Some(Json::Array(items)) => Some(
                items
                    .iter()
                    .filter_map(Json::as_str)
                    .map(str::to_owned)
                    .collect(),
            ),
            Some(_) => return Err("required is not an array".into()),
            None => None,
        };
        if let Some(names) = map.get("propertyNames") {
            node.property_names = Some(self.node(names)?);
        }
        node.additional_properties = self.sub(map.get("additionalProperties"))?;
        if let Some(Json::Object(deps)) = map.get("dependencies") {
            let mut list = Vec::new();
            for (key, dep) in deps {
                let dep = match dep {
                    Json::Array(names) => Dependency::Properties(
                        names
                            .iter()
                            .filter_map(Json::as_str)
                            .map(str::to_owned)
                            .collect(),
                    ),
                    schema => Dependency::Schema(self.node(schema)?),
                };
                list.push((key.clone(), dep));
            }
            node.dependencies = Some(list);
        }
        if let Some(Json::Object(properties)) = map.get("properties") {
            let mut list = Vec::new();
            for (key, schema) in properties {
                list.push((key.clone(), self.node(schema)?));
            }
            node.properties = Some(list);
        }
        if let Some(Json::Object(patterns)) = map.get("patternProperties") {
            let mut list = Vec::new();
            for (key, schema) in patterns {
                list.push((Pattern::new(key.clone(), "u"), self.node(schema)?));
            }
            node.pattern_properties = Some(list);
        }
        self.nodes[id] = node;
        Ok(id)
    }

    fn list(&mut self, json: Option<&Json>) -> Result<Option<Vec<NodeId>>, String> {
        match json {
            None => Ok(None),
            Some(Json::Array(items)) => Ok(Some(
                items
                    .iter()
                    .map(|i| self.node(i))
                    .collect::<Result<_, _>>()?,
            )),
            Some(_) => Err("expected an array of schemas".into()),
        }
    }

    fn sub(&mut self, json: Option<&Json>) -> Result<Option<SubSchema>, String> {
        Ok(match json {
            None => None,
            Some(Json::Bool(b)) => Some(SubSchema::Bool(*b)),
            Some(schema) => Some(SubSchema::Node(self.node(schema)?)),
        })
    }
}
