//! "Did you mean" hints: edit distance over the names a user could have meant.

use sls_value::Value;

/// Levenshtein distance, for short names only.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut previous = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let current = row[j + 1];
            row[j + 1] = if ca == *cb {
                previous
            } else {
                1 + previous.min(row[j]).min(row[j + 1])
            };
            previous = current;
        }
    }
    row[b.len()]
}

/// The closest of `candidates` to `name`, if it is close enough to be a likely typo.
pub fn closest<'c>(name: &str, candidates: impl IntoIterator<Item = &'c str>) -> Option<&'c str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (edit_distance(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, _)| *d)
        .map(|(_, c)| c)
}

/// For a `${self:a.b.c}` that found nothing: which part is missing and which keys do exist.
pub(crate) fn missing_self_key(config: &Value, address: &str) -> Option<String> {
    let keys: Vec<&str> = address.split('.').collect();
    let mut current = config;
    for (depth, key) in keys.iter().enumerate() {
        let next = match current {
            Value::Object(map) => map.get(*key),
            Value::Array(items) => key.parse::<usize>().ok().and_then(|i| items.get(i)),
            _ => return None,
        };
        match next {
            Some(value) => current = value,
            None => {
                let Value::Object(map) = current else {
                    return None;
                };
                let parent = if depth == 0 {
                    "the configuration root".to_owned()
                } else {
                    format!("`{}`", keys[..depth].join("."))
                };
                let names: Vec<&str> = map.keys().map(String::as_str).collect();
                if names.is_empty() {
                    return Some(format!("{parent} is empty"));
                }
                let listed = names
                    .iter()
                    .take(10)
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = if names.len() > 10 { ", ..." } else { "" };
                let suggestion = closest(key, names.iter().copied())
                    .map(|c| {
                        format!(
                            "; did you mean `{}`?",
                            [&keys[..depth], &[c]].concat().join(".")
                        )
                    })
                    .unwrap_or_default();
                return Some(format!(
                    "{parent} has no key `{key}`; it has {listed}{more}{suggestion}"
                ));
            }
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_and_closest() {
        assert_eq!(edit_distance("self", "slef"), 2);
        assert_eq!(closest("slef", ["self", "env", "opt"]), None);
        assert_eq!(closest("sef", ["self", "env", "opt"]), Some("self"));
        assert_eq!(closest("custon", ["custom", "provider"]), Some("custom"));
    }
}
