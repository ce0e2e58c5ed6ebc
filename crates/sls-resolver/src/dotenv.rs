//! `useDotenv: true`: loads `.env.<stage>` or `.env` like v3 (dotenv 16 plus dotenv-expand),
//! without overriding variables already set, and detects v3's resolution conflict.

use std::collections::HashMap;

use indexmap::IndexMap;

use crate::engine::Engine;
use crate::error::{ErrorCode, FileSite, ResolveError};
use crate::source::resolve_path;
use crate::trace::Dotenv;
use crate::value::{get_path, js_truthy};

/// Loads the file into the engine's environment; returns which file and what it set.
pub(crate) fn load(engine: &mut Engine) -> Result<Option<Dotenv>, ResolveError> {
    let env = &engine.env;
    let stage = env
        .options
        .get("stage")
        .filter(|v| js_truthy(v))
        .or_else(|| get_path(&engine.config, &["provider", "stage"]).filter(|v| js_truthy(v)))
        .and_then(sls_value::js_to_string)
        .unwrap_or_else(|| "dev".to_owned());
    let mut text = None;
    let mut file_name = String::new();
    for name in [format!(".env.{stage}"), ".env".to_owned()] {
        if let Ok(bytes) = env.fs.read(&resolve_path(&env.service_dir, &name)) {
            text = Some(String::from_utf8_lossy(&bytes).into_owned());
            file_name = name;
            break;
        }
    }
    let Some(text) = text else {
        return Ok(None);
    };
    let parsed = parse(&text);
    let site = |range: (usize, usize), label: String| FileSite {
        name: file_name.clone(),
        text: parsed.text.clone(),
        range,
        label,
    };
    let missing = env.missing_env.borrow().clone();
    if let Some(entry) = parsed.entries.iter().find(|e| missing.contains(&e.key)) {
        let name = &entry.key;
        return Err(ResolveError::new(
            ErrorCode::DotenvConflict,
            format!(
                "Cannot reliably resolve \"env\" variables due to resolution conflict.\nEnvironment variable \"{name}\" which influences resolution of \"{file_name}\" file were found to be defined in resolved \"{file_name}\" file.DOTENV_ENV_VAR_RESOLUTION_CONFLICT"
            ),
        )
        .with_help(Some(format!(
            "`${{env:{name}}}` is read to resolve `provider.stage` or `useDotenv`, before \"{file_name}\" is loaded: set {name} in the environment, or leave it out of \"{file_name}\""
        )))
        .in_file(site(
            entry.key_at,
            format!("{name} is read before this file is loaded"),
        )));
    }
    let pairs = parsed
        .entries
        .iter()
        .map(|e| (e.key.clone(), e.value.clone()))
        .collect();
    let set = populate_and_expand(pairs, &mut engine.env.env, LIMITS).map_err(|(i, limit)| {
        let entry = &parsed.entries[i];
        let key = &entry.key;
        let (message, label, help) = match limit {
            Limit::Steps => (
                format!(
                    "Cannot expand \"{key}\" of \"{file_name}\": its variables did not all expand within {MAX_EXPANSION_STEPS} steps (serverless v3: \"RangeError: Maximum call stack size exceeded\")"
                ),
                format!("still expanding after {MAX_EXPANSION_STEPS} steps"),
                format!(
                    "a value that names itself (`{key}=x${{{key}}}`), or values that name each other, expand without end; escape the `$` (`\\$`) or rename the variable. v3 expands at most about {MAX_EXPANSION_STEPS} variables in a value"
                ),
            ),
            Limit::Bytes => (
                format!(
                    "Cannot expand \"{key}\" of \"{file_name}\": it grew past {} KiB while its variables were expanded",
                    MAX_EXPANDED_BYTES >> 10
                ),
                format!("grows past {} KiB", MAX_EXPANDED_BYTES >> 10),
                "a value that names itself (`E=${E}${E}`) doubles at each step; escape the `$` (`\\$`) or rename the variable".to_owned(),
            ),
            Limit::Work => (
                format!(
                    "Cannot expand \"{key}\" of \"{file_name}\": expanding the file's values took more than {} GiB of copying (serverless v3 takes minutes to hours on such a file)",
                    MAX_EXPANSION_WORK >> 30
                ),
                "the expansion was given up here".to_owned(),
                "values that each name a long value with many variables multiply the work; name the expanded value once, or escape the `$` (`\\$`)".to_owned(),
            ),
        };
        ResolveError::new(ErrorCode::ExcessiveDotenvExpansion, message)
            .with_help(Some(help))
            .in_file(site(entry.value_at, label))
    })?;
    Ok(Some(Dotenv {
        file: file_name,
        set,
    }))
}

/// A parsed `.env` file: its text with line breaks normalized to `\n` (what the ranges point
/// into; a CRLF file keeps its line numbers), and its keys.
pub(crate) struct DotenvFile {
    pub text: String,
    /// One entry a key, in JavaScript object order (array-index keys first).
    pub entries: Vec<Entry>,
}

/// A key of a `.env` file, at its last definition (the one whose value counts).
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Entry {
    pub key: String,
    /// The value, unquoted, `\n` and `\r` expanded in double quotes.
    pub value: String,
    /// Byte range of the key in the normalized text.
    pub key_at: (usize, usize),
    /// Byte range of the value as written (quotes included); empty, at the end of the key, when
    /// there is none.
    pub value_at: (usize, usize),
}

/// dotenv 16's `parse`: its `LINE` expression applied over the whole text (so a quoted value
/// may span lines), surrounding quotes removed, `\n` and `\r` expanded in double quotes. Keys
/// are in JavaScript object order (array-index keys first), the last value of a key wins.
pub(crate) fn parse(text: &str) -> DotenvFile {
    static LINE: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(
            r#"(?m)^[\s]*(?:export\s+)?([A-Za-z0-9_.-]+)(?:\s*=\s*?|:\s+?)(\s*'(?:\\'|[^'])*'|\s*"(?:\\"|[^"])*"|\s*`(?:\\`|[^`])*`|[^#\r\n]+)?\s*(?:#.*)?$"#,
        )
        .expect("dotenv's LINE expression compiles")
    });
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    // The last definition of a key wins and keeps the key's first place (JavaScript objects).
    let mut entries: IndexMap<String, Entry> = IndexMap::new();
    for found in LINE.captures_iter(&text) {
        let key = found.get(1).expect("the key group always takes part");
        let (raw, raw_start) = found
            .get(2)
            .map_or(("", key.end()), |m| (m.as_str(), m.start()));
        let value = raw.trim_start_matches(sls_syntax::is_js_whitespace);
        let value_start = raw_start + (raw.len() - value.len());
        let value = value.trim_end_matches(sls_syntax::is_js_whitespace);
        let value_at = (value_start, value_start + value.len());
        let quote = value.chars().next();
        let value = match quote {
            Some(q @ ('\'' | '"' | '`')) if value.len() >= 2 && value.ends_with(q) => {
                &value[1..value.len() - 1]
            }
            _ => value,
        };
        let value = if quote == Some('"') {
            value.replace("\\n", "\n").replace("\\r", "\r")
        } else {
            value.to_owned()
        };
        let entry = Entry {
            key: key.as_str().to_owned(),
            value,
            key_at: (key.start(), key.end()),
            value_at,
        };
        entries.insert(entry.key.clone(), entry);
    }
    let mut entries: Vec<Entry> = entries.into_values().collect();
    // `Object.keys` lists array-index keys first, in numeric order.
    entries.sort_by_key(|e| array_index(&e.key).map_or((1, 0), |i| (0, i)));
    DotenvFile { text, entries }
}

/// The key as a JavaScript array index (`"0"`, `"17"`; not `"01"`).
fn array_index(key: &str) -> Option<u32> {
    let n: u32 = key.parse().ok()?;
    (n != u32::MAX && n.to_string() == key).then_some(n)
}

/// dotenv-expand's recursion, one step per group replaced: v3 (Node 20) overflows its stack
/// between 4,218 and 4,265 steps (measured with `B=$A$A...`), so a value that names itself never
/// finishes there. Past this many steps the expansion is an error, as in v3.
const MAX_EXPANSION_STEPS: usize = 4_200;

/// Ours: a value may not grow past this while it is expanded (each step copies it, so the
/// steps' cost is bounded too). v3 has no such limit.
const MAX_EXPANDED_BYTES: usize = 256 << 10;

/// Ours: what the steps of the whole file may cost together, a step counted as the length of
/// the value it scans and moves plus [`STEP_COST`]. Values may each stay within the limits above
/// and still cost much together: 4,000 keys `Cn=$B`, with `B` holding 4,199 references, cost
/// 35 MB a key (about 40 s for us before this limit, and 1.5 s a key for v3, which expands such
/// a file of 33 KB in hours). 1 GiB is a quarter of a second here; real files cost kilobytes.
const MAX_EXPANSION_WORK: usize = 1 << 30;

/// What a step costs besides its value's length (finding the group, looking up the name).
const STEP_COST: usize = 256;

/// The limits an expansion runs within (tests make them small).
#[derive(Debug, Clone, Copy)]
struct Limits {
    steps: usize,
    bytes: usize,
    work: usize,
}

const LIMITS: Limits = Limits {
    steps: MAX_EXPANSION_STEPS,
    bytes: MAX_EXPANDED_BYTES,
    work: MAX_EXPANSION_WORK,
};

/// Why an expansion was given up.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Limit {
    Steps,
    Bytes,
    Work,
}

/// dotenv's `populate` (keys already in the environment are not overridden), then
/// dotenv-expand 10's `expand`, which interpolates every file key's *current* environment value
/// and writes the results back, also over variables that were set before. Returns the keys that
/// were not set before, or the index of the key whose expansion hit a limit.
fn populate_and_expand(
    mut parsed: Vec<(String, String)>,
    env: &mut HashMap<String, String>,
    limits: Limits,
) -> Result<Vec<String>, (usize, Limit)> {
    let mut set = Vec::new();
    for (key, value) in &parsed {
        if !env.contains_key(key) {
            env.insert(key.clone(), value.clone());
            set.push(key.clone());
        }
    }
    let index: HashMap<String, usize> = parsed
        .iter()
        .enumerate()
        .map(|(i, (key, _))| (key.clone(), i))
        .collect();
    let mut work = 0;
    for i in 0..parsed.len() {
        let value = env
            .get(&parsed[i].0)
            .cloned()
            .unwrap_or_else(|| parsed[i].1.clone());
        let file_value = |name: &str| index.get(name).map(|&k| &parsed[k].1);
        let expanded = interpolate(value, env, file_value, limits, &mut work)
            .map_err(|limit| (i, limit))?
            .replace("\\$", "$");
        parsed[i].1 = expanded;
    }
    for (key, value) in parsed {
        env.insert(key, value);
    }
    Ok(set)
}

/// dotenv-expand's `_interpolate`: the right-most unescaped `$` group (`$NAME`, `${NAME}`,
/// `${NAME:-default}`) is replaced (its *first* occurrence in the value, as `String.replace`
/// does) by the environment's value, the default, the file's value (`file_value`) or nothing,
/// and again until no unescaped `$` starts a group, within `limits` ([`MAX_EXPANSION_STEPS`],
/// [`MAX_EXPANDED_BYTES`]); each step adds its cost to `work`, which may not pass
/// `limits.work` ([`MAX_EXPANSION_WORK`]).
fn interpolate<'a>(
    mut value: String,
    env: &HashMap<String, String>,
    file_value: impl Fn(&str) -> Option<&'a String>,
    limits: Limits,
    work: &mut usize,
) -> Result<String, Limit> {
    // Anchored: the group must start at the `$` it is tried at.
    static GROUP: std::sync::LazyLock<regex::Regex> = std::sync::LazyLock::new(|| {
        regex::Regex::new(r"^\$\{?([A-Za-z0-9_]+)(?::-([^}\\]*))?\}?")
            .expect("dotenv-expand's group expression compiles")
    });
    let mut steps = 0;
    loop {
        let Some(last) = last_unescaped_dollar(&value) else {
            return Ok(value);
        };
        // The right-most group starts at `last`: nothing after it is an unescaped `$`.
        let Some(found) = GROUP.captures(&value[last..]) else {
            return Ok(value);
        };
        if steps == limits.steps {
            return Err(Limit::Steps);
        }
        steps += 1;
        *work = work.saturating_add(value.len() + STEP_COST);
        if *work > limits.work {
            return Err(Limit::Work);
        }
        let group = found[0].to_owned();
        let name = &found[1];
        let truthy = |v: Option<&String>| v.filter(|v| !v.is_empty()).cloned();
        let replacement = truthy(env.get(name))
            .or_else(|| {
                found
                    .get(2)
                    .map(|m| m.as_str().to_owned())
                    .filter(|d| !d.is_empty())
            })
            .or_else(|| truthy(file_value(name)))
            .unwrap_or_default();
        js_replace_first(&mut value, &group, &replacement);
        if value.len() > limits.bytes {
            return Err(Limit::Bytes);
        }
    }
}

/// The byte offset of the last `$` not preceded by a backslash.
fn last_unescaped_dollar(value: &str) -> Option<usize> {
    let mut end = value.len();
    while let Some(at) = value[..end].rfind('$') {
        if at == 0 || value.as_bytes()[at - 1] != b'\\' {
            return Some(at);
        }
        end = at;
    }
    None
}

/// `String.prototype.replace(pattern, replacement)` with a string pattern, in place: the first
/// occurrence, and the replacement's `$$`, `$&`, `` $` `` and `$'` patterns.
fn js_replace_first(value: &mut String, pattern: &str, replacement: &str) {
    let Some(at) = value.find(pattern) else {
        return;
    };
    let (before, after) = (&value[..at], &value[at + pattern.len()..]);
    let mut out = String::new();
    let mut chars = replacement.chars().peekable();
    while let Some(c) = chars.next() {
        if c != '$' {
            out.push(c);
            continue;
        }
        match chars.peek() {
            Some('$') => out.push('$'),
            Some('&') => out.push_str(pattern),
            Some('`') => out.push_str(before),
            Some('\'') => out.push_str(after),
            _ => {
                out.push('$');
                continue;
            }
        }
        chars.next();
    }
    value.replace_range(at..at + pattern.len(), &out);
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The keys and values `parse` finds, in order.
    fn pairs(text: &str) -> Vec<(String, String)> {
        parse(text)
            .entries
            .into_iter()
            .map(|e| (e.key, e.value))
            .collect()
    }

    #[test]
    fn parses_dotenv_lines() {
        let parsed = pairs("# c\nA=1\nexport B = two # comment\nC=\"x\\ny\"\nD='$A'\nE: e\n");
        assert_eq!(
            parsed,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "two".into()),
                ("C".into(), "x\ny".into()),
                ("D".into(), "$A".into()),
                ("E".into(), "e".into()),
            ]
        );
    }

    fn expanded(text: &str, env: &[(&str, &str)]) -> Vec<(String, String)> {
        let mut env: HashMap<String, String> = env
            .iter()
            .map(|(k, v)| ((*k).to_owned(), (*v).to_owned()))
            .collect();
        let parsed = pairs(text);
        populate_and_expand(parsed.clone(), &mut env, LIMITS).expect("within the limits");
        parsed
            .into_iter()
            .map(|(k, _)| {
                let v = env[&k].clone();
                (k, v)
            })
            .collect()
    }

    #[test]
    fn dotenv_expand_stops_a_group_at_the_first_non_word_character() {
        // `${self:custom.c}`: the group is `${self`, replaced by nothing.
        assert_eq!(
            expanded("V=x-${self:custom.c}\n", &[]),
            vec![("V".into(), "x-:custom.c}".into())]
        );
    }

    #[test]
    fn dotenv_expand_defaults_escapes_and_file_values() {
        let got = expanded(
            "A=1\nB=${A}-$A-${MISSING:-dflt}-\\$A\nC=$PRESET\nPRESET=p${A}\n",
            &[("PRESET", "from-env-$A")],
        );
        assert_eq!(
            got,
            vec![
                ("A".into(), "1".into()),
                ("B".into(), "1-1-dflt-$A".into()),
                // The environment wins over the file, and what it gives is expanded again.
                ("C".into(), "from-env-1".into()),
                ("PRESET".into(), "from-env-1".into()),
            ]
        );
    }

    /// The key whose expansion hit a limit, and the limit.
    fn expand_error(text: &str) -> (String, Limit) {
        expand_error_within(text, LIMITS)
    }

    fn expand_error_within(text: &str, limits: Limits) -> (String, Limit) {
        let mut env = HashMap::new();
        let parsed = pairs(text);
        let (i, limit) =
            populate_and_expand(parsed.clone(), &mut env, limits).expect_err("a limit");
        (parsed[i].0.clone(), limit)
    }

    #[test]
    fn the_work_of_the_whole_file_is_bounded() {
        // `B` costs its 10 steps (values of 20 bytes down to 11, plus 256 a step: 2,715), each
        // `Cn` one more step of 2 bytes first (258 more: 2,973).
        let text = format!("A=1\nB={}\nC0=$B\nC1=$B\nC2=$B\n", "$A".repeat(10));
        let limits = |work| Limits { work, ..LIMITS };
        let got = expanded(&text, &[]);
        assert_eq!(got[2], ("C0".into(), "1".repeat(10)));
        assert_eq!(
            expand_error_within(&text, limits(2_715 + 2 * 2_973)),
            ("C2".into(), Limit::Work)
        );
        assert_eq!(
            expand_error_within(&text, limits(2_715 + 2 * 2_973 - 1)),
            ("C1".into(), Limit::Work)
        );
        assert_eq!(expand_error_within(&text, limits(2_715 - 1)).1, Limit::Work);
    }

    #[test]
    fn names_each_other_is_a_step_limit_and_file_values_are_found_by_name() {
        assert_eq!(expand_error("A=$B\nB=$A\n"), ("A".into(), Limit::Steps));
        // the file's value of an earlier key is the expanded one
        let got = expanded("A=1\nB=${A}2\nC=${B}3\n", &[]);
        assert_eq!(got[2], ("C".into(), "123".into()));
    }

    #[test]
    fn a_value_that_names_itself_is_an_error_as_v3_overflows_its_stack() {
        // Each step puts `x${E}` in place of `${E}`: one byte more, never done.
        assert_eq!(expand_error("A=1\nE=x${E}\n"), ("E".into(), Limit::Steps));
    }

    #[test]
    fn a_value_that_grows_fast_stops_at_the_byte_limit() {
        let text = format!("E=${{E}}{}\n", "x".repeat(100));
        assert_eq!(expand_error(&text), ("E".into(), Limit::Bytes));
    }

    #[test]
    fn an_expansion_of_exactly_the_step_limit_finishes() {
        let at_limit = format!("A=1\nB={}\n", "$A".repeat(MAX_EXPANSION_STEPS));
        let got = expanded(&at_limit, &[]);
        assert_eq!(got[1], ("B".into(), "1".repeat(MAX_EXPANSION_STEPS)));
        let past = format!("A=1\nB={}\n", "$A".repeat(MAX_EXPANSION_STEPS + 1));
        assert_eq!(expand_error(&past), ("B".into(), Limit::Steps));
    }

    #[test]
    fn the_last_dollar_skips_escaped_ones() {
        assert_eq!(last_unescaped_dollar("a$b\\$c"), Some(1));
        assert_eq!(last_unescaped_dollar("$"), Some(0));
        assert_eq!(last_unescaped_dollar("\\$"), None);
        assert_eq!(last_unescaped_dollar("é$"), Some(2));
    }

    #[test]
    fn js_replace_first_keeps_the_replacement_patterns() {
        let mut value = "a-X-b-X".to_owned();
        js_replace_first(&mut value, "X", "[$$|$&|$`|$']");
        assert_eq!(value, "a-[$|X|a-|-b-X]-b-X");
        let mut unchanged = "abc".to_owned();
        js_replace_first(&mut unchanged, "X", "y");
        assert_eq!(unchanged, "abc");
    }

    #[test]
    fn dotenv_quotes_span_lines_and_index_keys_come_first() {
        assert_eq!(
            pairs("B='multi\nline' # c\n2=two\nA=\"q\\nq\"\n"),
            vec![
                ("2".into(), "two".into()),
                ("B".into(), "multi\nline".into()),
                ("A".into(), "q\nq".into()),
            ]
        );
    }

    #[test]
    fn entries_keep_where_the_last_definition_was_written() {
        let text = "A=first\r\nexport  KEY = 'quoted value'  # c\r\nA=  second\r\nE=\r\n";
        let file = parse(text);
        // CRLF becomes LF: one byte less a line, the same lines and columns.
        assert_eq!(file.text, text.replace("\r\n", "\n"));
        let at = |range: (usize, usize)| &file.text[range.0..range.1];
        let got: Vec<_> = file
            .entries
            .iter()
            .map(|e| {
                (
                    e.key.as_str(),
                    e.value.as_str(),
                    at(e.key_at),
                    at(e.value_at),
                )
            })
            .collect();
        assert_eq!(
            got,
            vec![
                ("A", "second", "A", "second"),
                ("KEY", "quoted value", "KEY", "'quoted value'"),
                ("E", "", "E", ""),
            ]
        );
        // The winning `A` is the one on the third line.
        assert_eq!(file.entries[0].key_at.0, file.text.rfind("A=").unwrap());
    }

    #[test]
    fn a_value_spanning_lines_is_one_range() {
        let file = parse("M=\"one\ntwo\"\nN=3\n");
        let m = &file.entries[0];
        assert_eq!(m.value, "one\ntwo");
        assert_eq!(&file.text[m.value_at.0..m.value_at.1], "\"one\ntwo\"");
    }
}
