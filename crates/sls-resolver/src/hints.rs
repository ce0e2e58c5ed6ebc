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
    let mut unlimited = usize::MAX;
    closest_within(name, candidates, &mut unlimited)
}

/// Names longer than this get no suggestion: typos are looked for in short names only (and a
/// comparison costs the product of the lengths).
const MAX_HINT_CHARS: usize = 64;

/// Character pairs "did you mean" may compare in one resolution. A configuration with
/// thousands of missing keys among thousands of siblings would otherwise cost their product
/// (5,000 such keys: 6 s). Past it, an error still lists the keys, without a suggestion.
pub(crate) const HINT_BUDGET: usize = 50_000_000;

/// [`closest`], comparing at most `budget` character pairs (what is compared is taken from it);
/// `None` when the budget runs out. Candidates whose length alone puts them too far are not
/// compared.
pub(crate) fn closest_within<'c>(
    name: &str,
    candidates: impl IntoIterator<Item = &'c str>,
    budget: &mut usize,
) -> Option<&'c str> {
    let length = name.chars().count();
    if length > MAX_HINT_CHARS {
        return None;
    }
    let limit = (length / 3).max(1);
    let mut best: Option<(usize, &str)> = None;
    for candidate in candidates {
        let other = candidate.chars().count();
        if other.abs_diff(length) > limit {
            continue;
        }
        let cost = (length + 1) * (other + 1);
        if cost > *budget {
            return None;
        }
        *budget -= cost;
        let distance = edit_distance(name, candidate);
        if distance <= limit && best.is_none_or(|(d, _)| distance < d) {
            best = Some((distance, candidate));
        }
    }
    best.map(|(_, c)| c)
}

/// For a `${self:a.b.c}` that found nothing: which part is missing and which keys do exist.
///
/// Suggestions take their comparisons from `budget` (see [`HINT_BUDGET`]).
pub(crate) fn missing_self_key(
    config: &Value,
    address: &str,
    budget: &mut usize,
) -> Option<String> {
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
                if map.is_empty() {
                    return Some(format!("{parent} is empty"));
                }
                let listed = map
                    .keys()
                    .take(10)
                    .map(|n| format!("`{n}`"))
                    .collect::<Vec<_>>()
                    .join(", ");
                let more = if map.len() > 10 { ", ..." } else { "" };
                let suggestion = closest_within(key, map.keys().map(String::as_str), budget)
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
        // the first of equally close candidates, as before
        assert_eq!(closest("ab", ["ax", "ay"]), Some("ax"));
    }

    #[test]
    fn suggestions_stop_when_the_budget_runs_out() {
        let mut budget = 25 + 25;
        // `slef` against `self` and `selfx`: 5 x 5 and 5 x 6 pairs; the second is past it
        assert_eq!(closest_within("slef", ["self"], &mut budget), Some("self"));
        assert_eq!(budget, 25);
        assert_eq!(closest_within("slef", ["selfx"], &mut budget), None);
        assert_eq!(budget, 25);
        // too long to compare at all, or too different in length
        let long = "k".repeat(65);
        assert_eq!(closest_within(&long, [long.as_str()], &mut budget), None);
        assert_eq!(closest_within("a", ["abcdef"], &mut budget), None);
        assert_eq!(budget, 25);
    }

    #[test]
    fn missing_keys_list_siblings_and_stop_suggesting_past_the_budget() {
        let config = sls_value::Value::Object(
            [(
                "custom".to_owned(),
                sls_value::Value::Object(
                    [("region".to_owned(), sls_value::Value::Null)]
                        .into_iter()
                        .collect(),
                ),
            )]
            .into_iter()
            .collect(),
        );
        let mut budget = HINT_BUDGET;
        assert_eq!(
            missing_self_key(&config, "custom.regoin", &mut budget).as_deref(),
            Some("`custom` has no key `regoin`; it has `region`; did you mean `custom.region`?")
        );
        let mut none = 0;
        assert_eq!(
            missing_self_key(&config, "custom.regoin", &mut none).as_deref(),
            Some("`custom` has no key `regoin`; it has `region`")
        );
    }
}
