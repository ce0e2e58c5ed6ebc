//! "Did you mean" hints: edit distance over the names a user could have meant.

use sls_value::Value;

/// Edit distance with adjacent transpositions (optimal string alignment), for short names
/// only: `slef` is one edit from `self`.
pub(crate) fn edit_distance(a: &str, b: &str) -> usize {
    let a: Vec<char> = a.chars().collect();
    let b: Vec<char> = b.chars().collect();
    // Three rows: two back (for transpositions), one back, and the current one.
    let mut before: Vec<usize> = vec![0; b.len() + 1];
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current: Vec<usize> = vec![0; b.len() + 1];
    for i in 1..=a.len() {
        current[0] = i;
        for j in 1..=b.len() {
            let cost = usize::from(a[i - 1] != b[j - 1]);
            let mut d = (previous[j] + 1)
                .min(current[j - 1] + 1)
                .min(previous[j - 1] + cost);
            if i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] {
                d = d.min(before[j - 2] + 1);
            }
            current[j] = d;
        }
        std::mem::swap(&mut before, &mut previous);
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
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
        assert_eq!(edit_distance("self", "slef"), 1);
        assert_eq!(edit_distance("self", "sefl"), 1);
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("ab", ""), 2);
        assert_eq!(closest("slef", ["self", "env", "opt"]), Some("self"));
        assert_eq!(closest("xyz", ["self", "env", "opt"]), None);
        assert_eq!(closest("sef", ["self", "env", "opt"]), Some("self"));
        assert_eq!(closest("custon", ["custom", "provider"]), Some("custom"));
    }
}
