//! An opt-in record of what resolution did, for reports that explain a value: every source
//! lookup with its answer, the environment after `.env` loading, and how far resolution got.
//!
//! Tracing never changes a result; when it is off (the default for `print`) nothing is kept.

use std::collections::HashMap;
use std::rc::Rc;

use sls_value::Value;

use crate::source::Origin;

/// One source lookup, `type(params):address`, with its params and address already resolved.
#[derive(Debug, Clone)]
pub struct Lookup {
    /// The property being resolved when the lookup was made.
    pub property: Vec<String>,
    /// The source type: `self`, `opt`, `env`, `file`, ...
    pub source: String,
    pub params: Option<Vec<Value>>,
    pub address: Option<Value>,
    pub outcome: LookupOutcome,
    /// Where the value was written, when it came from another file.
    pub origin: Option<Rc<Origin>>,
}

/// What a lookup answered.
#[derive(Debug, Clone, PartialEq)]
pub enum LookupOutcome {
    Found(Value),
    /// Not found: the next fallback, if any, is tried.
    NotFound,
    /// The source failed with this message.
    Failed(String),
}

impl Lookup {
    /// The address as text (`custom.profiles.prod`), when it is a string.
    pub fn address_text(&self) -> Option<&str> {
        match &self.address {
            Some(Value::String(s)) => Some(s),
            _ => None,
        }
    }

    /// The first param as text (the path of `file(./x.yml)`), when it is a string.
    pub fn param_text(&self) -> Option<&str> {
        match self.params.as_deref() {
            Some([Value::String(s), ..]) => Some(s),
            _ => None,
        }
    }
}

/// The `.env` file v3 would load, and the variables it set (those not already set).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Dotenv {
    pub file: String,
    pub set: Vec<String>,
}

/// Everything recorded by [`crate::resolve_traced`].
#[derive(Debug)]
pub struct Trace {
    /// Every lookup, in the order resolution made them.
    pub lookups: Vec<Lookup>,
    /// The environment variables after `.env` loading.
    pub env: HashMap<String, String>,
    pub dotenv: Option<Dotenv>,
    /// The configuration as far as resolution got: strings it could not resolve as written.
    pub config: Value,
    /// Properties still holding variables or errors when resolution stopped.
    pub unresolved: Vec<Vec<String>>,
}

impl Default for Trace {
    fn default() -> Self {
        Self {
            lookups: Vec::new(),
            env: HashMap::new(),
            dotenv: None,
            config: Value::Null,
            unresolved: Vec::new(),
        }
    }
}

impl Trace {
    /// Whether the property at `path` (or anything it contains or sits in) was left unresolved.
    pub fn is_unresolved(&self, path: &[&str]) -> bool {
        self.unresolved.iter().any(|p| {
            let n = p.len().min(path.len());
            p.iter().zip(path).take(n).all(|(a, b)| a == b)
        })
    }

    /// The lookups made while resolving `property` itself, in order.
    pub fn lookups_for<'t>(&'t self, property: &'t [String]) -> impl Iterator<Item = &'t Lookup> {
        self.lookups.iter().filter(move |l| l.property == property)
    }
}
