//! JavaScript-flavoured operations on configuration values: property access, truthiness,
//! assignment along a path and the JSON round trip.

use std::borrow::Cow;

use sls_value::Value;

/// `value[key]` as JavaScript evaluates it for JSON values: object keys, array indices and
/// `length`, string indices and `length`. `None` for `undefined`.
pub fn js_get<'v>(value: &'v Value, key: &str) -> Option<Cow<'v, Value>> {
    match value {
        Value::Object(map) => map.get(key).map(Cow::Borrowed),
        Value::Array(items) => {
            if key == "length" {
                return Some(Cow::Owned(Value::Number(items.len() as f64)));
            }
            items.get(array_index(key)?).map(Cow::Borrowed)
        }
        Value::String(text) => {
            if key == "length" {
                let len: usize = text.chars().map(char::len_utf16).sum();
                return Some(Cow::Owned(Value::Number(len as f64)));
            }
            let index = array_index(key)?;
            let mut units = text.encode_utf16().skip(index);
            let unit = units.next()?;
            let ch = char::decode_utf16([unit])
                .next()
                .and_then(Result::ok)
                .unwrap_or('\u{fffd}');
            Some(Cow::Owned(Value::String(ch.to_string())))
        }
        _ => None,
    }
}

/// A canonical array index (`0`, `12`; not `01`, `-1`, `1.0`).
fn array_index(key: &str) -> Option<usize> {
    if key.is_empty() || (key.len() > 1 && key.starts_with('0')) {
        return None;
    }
    if !key.bytes().all(|b| b.is_ascii_digit()) {
        return None;
    }
    key.parse().ok()
}

/// JavaScript truthiness.
pub(crate) fn js_truthy(value: &Value) -> bool {
    value.is_truthy()
}

/// `JSON.parse(JSON.stringify(value))`: non-finite numbers become `null`.
pub(crate) fn normalize_json(value: &mut Value) {
    match value {
        Value::Number(n) if !n.is_finite() => *value = Value::Null,
        Value::Array(items) => items.iter_mut().for_each(normalize_json),
        Value::Object(map) => map.values_mut().for_each(normalize_json),
        _ => {}
    }
}

/// Assigns `value` at `keys` below `root`; the parents must exist (as in v3).
pub(crate) fn set_path(root: &mut Value, keys: &[String], value: Value) {
    let Some((last, parents)) = keys.split_last() else {
        *root = value;
        return;
    };
    let mut current = root;
    for key in parents {
        current = match current {
            Value::Object(map) => match map.get_mut(key) {
                Some(next) => next,
                None => return,
            },
            Value::Array(items) => match array_index(key).and_then(|i| items.get_mut(i)) {
                Some(next) => next,
                None => return,
            },
            _ => return,
        };
    }
    match current {
        Value::Object(map) => match map.get_mut(last) {
            Some(slot) => *slot = value,
            None => {
                map.insert(last.clone(), value);
            }
        },
        Value::Array(items) => {
            if let Some(slot) = array_index(last).and_then(|i| items.get_mut(i)) {
                *slot = value;
            }
        }
        _ => {}
    }
}

/// The value at `keys`, walking objects and arrays only.
pub fn get_path<'v>(root: &'v Value, keys: &[&str]) -> Option<&'v Value> {
    let mut current = root;
    for key in keys {
        current = match current {
            Value::Object(map) => map.get(*key)?,
            Value::Array(items) => items.get(array_index(key)?)?,
            _ => return None,
        };
    }
    Some(current)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn strings_are_indexable_like_javascript() {
        let s = Value::String("svc".into());
        assert_eq!(js_get(&s, "length").as_deref(), Some(&Value::Number(3.0)));
        assert_eq!(js_get(&s, "0").as_deref(), Some(&Value::String("s".into())));
        assert_eq!(js_get(&s, "01"), None);
        assert_eq!(js_get(&s, "9"), None);
    }
}
