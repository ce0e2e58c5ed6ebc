//! A port of v3's `lib/classes/config-schema-handler/normalize-ajv-errors.js`: which of ajv's
//! errors are shown, and in which words.
//!
//! The JavaScript works on a `Set` of error objects, groups with lodash's `groupBy` (whose
//! object keys iterate integer-like keys first, in ascending order) and sorts with
//! `localeCompare`. All three are reproduced: `alive` is the set, [`group_by`] keeps
//! JavaScript's key order, [`crate::collate::locale_compare`] is ICU's order for these paths.

use sls_value::Value;

use crate::ajv::{AjvError, Params};
use crate::collate::locale_compare;

/// A normalized error: v3's message and the instance path it is about.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Normalized {
    pub message: String,
    pub instance_path: String,
    /// For `additionalProperties`: the property that is not allowed.
    pub additional_property: Option<String>,
}

/// `/^\/functions\/[^/]+\/events\/\d+$/`.
fn is_event_type_instance_path(path: &str) -> bool {
    let Some(rest) = path.strip_prefix("/functions/") else {
        return false;
    };
    let Some((name, rest)) = rest.split_once('/') else {
        return false;
    };
    let Some(index) = rest.strip_prefix("events/") else {
        return false;
    };
    !name.is_empty() && !index.is_empty() && index.bytes().all(|b| b.is_ascii_digit())
}

/// `/^\/\d+\/type$/`.
fn is_any_of_path_type_postfix(text: &str) -> bool {
    text.strip_prefix('/')
        .and_then(|r| r.strip_suffix("/type"))
        .is_some_and(|d| !d.is_empty() && d.bytes().all(|b| b.is_ascii_digit()))
}

/// `text.search(/\/(?:anyOf|oneOf)(?:\/\d+\/|$)/)`: the byte index of the match.
fn search_one_of(text: &str) -> Option<usize> {
    let bytes = text.as_bytes();
    let mut from = 0;
    while let Some(at) = text[from..].find('/').map(|i| i + from) {
        let rest = &text[at + 1..];
        if rest.starts_with("anyOf") || rest.starts_with("oneOf") {
            let after = &rest[5..];
            if after.is_empty() {
                return Some(at);
            }
            if let Some(tail) = after.strip_prefix('/') {
                let digits = tail.bytes().take_while(u8::is_ascii_digit).count();
                if digits > 0 && tail.as_bytes().get(digits) == Some(&b'/') {
                    return Some(at);
                }
            }
        }
        from = at + 1;
        if from >= bytes.len() {
            break;
        }
    }
    None
}

/// Whether a key is a canonical array index (JavaScript iterates those first).
fn is_array_index(key: &str) -> bool {
    !key.is_empty()
        && key.bytes().all(|b| b.is_ascii_digit())
        && (key == "0" || !key.starts_with('0'))
        && key.parse::<u64>().is_ok_and(|n| n < u64::from(u32::MAX))
}

/// lodash `groupBy` followed by `Object.entries`: groups in JavaScript key order.
fn group_by<T: Copy>(items: &[T], mut key: impl FnMut(T) -> String) -> Vec<(String, Vec<T>)> {
    let mut groups: Vec<(String, Vec<T>)> = Vec::new();
    for &item in items {
        let k = key(item);
        match groups.iter_mut().find(|(g, _)| *g == k) {
            Some((_, members)) => members.push(item),
            None => groups.push((k, vec![item])),
        }
    }
    let (mut indices, rest): (Vec<_>, Vec<_>) =
        groups.into_iter().partition(|(k, _)| is_array_index(k));
    indices.sort_by_key(|(k, _)| k.parse::<u64>().unwrap_or(0));
    indices.extend(rest);
    indices
}

/// `String.prototype.indexOf(needle, from)` on ASCII text, or -1 as `None`.
fn index_of(text: &str, needle: char, from: usize) -> Option<usize> {
    text.get(from..)
        .and_then(|t| t.find(needle))
        .map(|i| i + from)
}

/// `text.slice(0, end)` with JavaScript's clamping.
fn slice_to(text: &str, end: usize) -> &str {
    &text[..end.min(text.len())]
}

struct Set<'e> {
    errors: &'e [AjvError],
    alive: Vec<bool>,
    common_type: Vec<Option<String>>,
}

impl Set<'_> {
    fn alive(&self) -> impl Iterator<Item = usize> + '_ {
        (0..self.errors.len()).filter(|i| self.alive[*i])
    }
}

/// `normalizeAjvErrors(errors)`: the errors shown, in order, with v3's messages.
pub fn normalize(errors: &[AjvError]) -> Vec<Normalized> {
    let mut set = Set {
        errors,
        alive: vec![true; errors.len()],
        common_type: vec![None; errors.len()],
    };
    filter_irrelevant_event_configuration_errors(&mut set);
    filter_irrelevant_any_of_errors(&mut set);
    let mut out: Vec<Normalized> = Vec::new();
    for i in set.alive().collect::<Vec<_>>() {
        let message = improve_message(&errors[i], set.common_type[i].as_deref());
        // filterDuplicateErrors
        if out.iter().any(|n| n.message == message) {
            continue;
        }
        out.push(Normalized {
            message,
            instance_path: errors[i].instance_path.clone(),
            additional_property: match &errors[i].params {
                Params::AdditionalProperty(p) => Some(p.clone()),
                _ => None,
            },
        });
    }
    out
}

fn filter_irrelevant_event_configuration_errors(set: &mut Set) {
    let errors = set.errors;
    let event_type_errors: Vec<usize> = set
        .alive()
        .filter(|i| is_event_type_instance_path(&errors[*i].instance_path))
        .collect();
    let by_event = group_by(&event_type_errors, |i| errors[i].instance_path.clone());
    for (instance_path, group) in by_event {
        let Some(no_matching) = group
            .iter()
            .copied()
            .find(|i| matches!(errors[*i].keyword, "anyOf" | "oneOf"))
        else {
            // v3 would fail on `undefined.schemaPath` here; ajv never produces this.
            continue;
        };
        let root_path = &errors[no_matching].schema_path;
        let mut by_type = group_by(&group, |i| {
            let schema_path = &errors[i].schema_path;
            if schema_path == root_path {
                return "root".into();
            }
            match index_of(schema_path, '/', root_path.len() + 1) {
                Some(end) => slice_to(schema_path, end + 1).to_owned(),
                None => String::new(),
            }
        });
        by_type.retain(|(k, _)| k != "root");
        let configured = by_type
            .iter()
            .find(|(_, errs)| errs.iter().all(|i| errors[*i].keyword != "required"));
        match configured {
            None => {
                let deeper = set.alive().any(|i| {
                    let p = &errors[i].instance_path;
                    p.starts_with(&instance_path) && *p != instance_path
                });
                for i in &group {
                    if !deeper && *i == no_matching {
                        continue;
                    }
                    set.alive[*i] = false;
                }
            }
            Some((meaningful, _)) => {
                let meaningful = meaningful.clone();
                for i in set.alive().collect::<Vec<_>>() {
                    let e = &errors[i];
                    if !e.instance_path.starts_with(&instance_path) {
                        continue;
                    }
                    if e.instance_path == instance_path && e.schema_path.starts_with(&meaningful) {
                        continue;
                    }
                    set.alive[i] = false;
                }
            }
        }
    }
}

fn filter_irrelevant_any_of_errors(set: &mut Set) {
    let errors = set.errors;
    // 1. Group errors by anyOf/oneOf schema path.
    let mut by_path: Vec<(String, Vec<usize>)> = Vec::new();
    for i in set.alive().collect::<Vec<_>>() {
        let schema_path = &errors[i].schema_path;
        let mut from = 0;
        let mut found = search_one_of(schema_path);
        while let Some(at) = found {
            let one_of_path = slice_to(schema_path, from + at + "anyOf/".len()).to_owned();
            match by_path.iter_mut().find(|(p, _)| *p == one_of_path) {
                Some((_, list)) => list.push(i),
                None => by_path.push((one_of_path, vec![i])),
            }
            from += at + "anyOf/".len();
            found = schema_path.get(from..).and_then(search_one_of);
        }
    }
    // 2. Process the groups.
    for (one_of_path, mut path_errors) in by_path {
        if path_errors.len() == 1 {
            continue;
        }
        path_errors
            .sort_by(|a, b| locale_compare(&errors[*a].instance_path, &errors[*b].instance_path));
        let mut current = errors[path_errors[0]].instance_path.clone();
        let by_instance = group_by(&path_errors, |i| {
            let p = &errors[i].instance_path;
            if *p != current && !p.starts_with(&format!("{current}/")) {
                current = p.clone();
            }
            current.clone()
        });
        for (_, group) in by_instance {
            if group.len() == 1 {
                continue;
            }
            let from = one_of_path.len() + 1;
            let mut by_variant = group_by(&group, |i| {
                let schema_path = &errors[i].schema_path;
                if from > schema_path.len() {
                    return "root".into();
                }
                // `slice(from, indexOf('/', from))`; -1 slices up to the last character.
                let end = index_of(schema_path, '/', from)
                    .unwrap_or_else(|| schema_path.len().saturating_sub(1));
                schema_path
                    .get(from..end.max(from))
                    .unwrap_or("")
                    .to_owned()
            });
            let Some(root_at) = by_variant.iter().position(|(k, _)| k == "root") else {
                continue;
            };
            let no_matching = by_variant.remove(root_at).1[0];
            let mut variants: Vec<Vec<usize>> = by_variant.into_iter().map(|(_, v)| v).collect();
            if variants.is_empty() {
                continue;
            }
            if variants.len() > 1 {
                variants.retain(|v| {
                    if v.len() != 1 || errors[v[0]].keyword != "type" {
                        return true;
                    }
                    let tail = errors[v[0]]
                        .schema_path
                        .get(one_of_path.len()..)
                        .unwrap_or("");
                    if !is_any_of_path_type_postfix(tail) {
                        return true;
                    }
                    for i in v {
                        set.alive[*i] = false;
                    }
                    false
                });
                if variants.len() > 1 {
                    let depth = |v: &Vec<usize>| {
                        v.iter()
                            .map(|i| errors[*i].instance_path.matches('/').count())
                            .max()
                            .unwrap_or(0)
                    };
                    let deepest = variants.iter().map(depth).max().unwrap_or(0);
                    variants.retain(|v| {
                        if depth(v) == deepest {
                            return true;
                        }
                        for i in v {
                            set.alive[*i] = false;
                        }
                        false
                    });
                }
            }
            if variants.is_empty() {
                continue;
            }
            if variants.len() == 1 {
                set.alive[no_matching] = false;
                continue;
            }
            for v in &variants {
                let mut types: Vec<Option<String>> = Vec::new();
                for i in v {
                    let t = errors[*i].parent_type.clone();
                    if !types.contains(&t) {
                        types.push(t);
                    }
                    set.alive[*i] = false;
                }
                if types.len() == 1 {
                    set.common_type[no_matching] = types.remove(0);
                }
            }
        }
    }
}

fn normalize_instance_path(path: &str) -> String {
    if path.is_empty() {
        return "root".into();
    }
    format!("'{}'", path[1..].replace('/', "."))
}

/// `improveMessages` for one error.
fn improve_message(error: &AjvError, common_type: Option<&str>) -> String {
    let union = || match common_type {
        Some("const") => "unsupported value".to_owned(),
        Some(t) if !t.is_empty() => format!("unsupported {t} format"),
        _ => "unsupported configuration format".to_owned(),
    };
    let message = match error.keyword {
        "additionalProperties" => {
            let property = match &error.params {
                Params::AdditionalProperty(p) => p.as_str(),
                _ => "",
            };
            if error.instance_path == "/functions" {
                format!("name '{property}' must be alphanumeric")
            } else {
                format!("unrecognized property '{property}'")
            }
        }
        "regexp" => format!(
            "value '{}' does not satisfy pattern {}",
            error.data_text.as_deref().unwrap_or_default(),
            error.schema_text.as_deref().unwrap_or_default()
        ),
        "anyOf" if is_event_type_instance_path(&error.instance_path) => {
            "unsupported function event".to_owned()
        }
        "anyOf" | "oneOf" => union(),
        "enum" => match &error.params {
            Params::AllowedValues(values)
                if values.iter().all(|v| matches!(v, Value::String(_))) =>
            {
                let names: Vec<&str> = values
                    .iter()
                    .filter_map(|v| match v {
                        Value::String(s) => Some(s.as_str()),
                        _ => None,
                    })
                    .collect();
                format!("{} [{}]", error.message, names.join(", "))
            }
            _ => error.message.clone(),
        },
        _ => error.message.clone(),
    };
    format!(
        "at {}: {message}",
        normalize_instance_path(&error.instance_path)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_of_search() {
        assert_eq!(search_one_of("#/a/anyOf/0/type"), Some(3));
        assert_eq!(search_one_of("#/a/anyOf"), Some(3));
        assert_eq!(search_one_of("#/a/anyOfx/0/"), None);
        assert_eq!(search_one_of("#/a/oneOf/12/b/anyOf/3/c"), Some(3));
        assert_eq!(search_one_of("#/a/anyOf/x/"), None);
    }

    #[test]
    fn group_keys_follow_javascript_order() {
        let items = ["10", "root", "2", "a", "0"];
        let groups = group_by(&items, |s| s.to_owned());
        let keys: Vec<&str> = groups.iter().map(|(k, _)| k.as_str()).collect();
        assert_eq!(keys, ["0", "2", "10", "root", "a"]);
    }

    #[test]
    fn event_paths() {
        assert!(is_event_type_instance_path("/functions/f/events/0"));
        assert!(!is_event_type_instance_path("/functions/f/events/0/http"));
        assert!(!is_event_type_instance_path("/functions/f/events/"));
    }
}
