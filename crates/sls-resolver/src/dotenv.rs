//! `useDotenv: true`: loads `.env.<stage>` or `.env` like v3 (dotenv 16 plus dotenv-expand),
//! without overriding variables already set, and detects v3's resolution conflict.

use crate::engine::Engine;
use crate::error::{ErrorCode, ResolveError};
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
    let missing = env.missing_env.borrow().clone();
    for (name, _) in &parsed {
        if missing.contains(name) {
            return Err(ResolveError::new(
                ErrorCode::DotenvConflict,
                format!(
                    "Cannot reliably resolve \"env\" variables due to resolution conflict.\nEnvironment variable \"{name}\" which influences resolution of \"{file_name}\" file were found to be defined in resolved \"{file_name}\" file.DOTENV_ENV_VAR_RESOLUTION_CONFLICT"
                ),
            ));
        }
    }
    let expanded = expand(&parsed, &engine.env.env);
    let mut set = Vec::new();
    for (name, value) in expanded {
        if let std::collections::hash_map::Entry::Vacant(slot) = engine.env.env.entry(name) {
            set.push(slot.key().clone());
            slot.insert(value);
        }
    }
    Ok(Some(Dotenv {
        file: file_name,
        set,
    }))
}

/// dotenv 16's line format: `[export ]KEY=value`, `KEY: value`, quoted values (double quotes
/// expand `\n` and `\r`), `#` comments after unquoted values.
pub(crate) fn parse(text: &str) -> Vec<(String, String)> {
    let text = text.replace("\r\n", "\n").replace('\r', "\n");
    let mut out: Vec<(String, String)> = Vec::new();
    let mut rest = text.as_str();
    while !rest.is_empty() {
        let (line, after) = rest.split_once('\n').unwrap_or((rest, ""));
        rest = after;
        let trimmed = line.trim_start();
        let trimmed = trimmed
            .strip_prefix("export ")
            .map_or(trimmed, str::trim_start);
        let Some(sep) = trimmed.find(['=', ':']) else {
            continue;
        };
        let key = trimmed[..sep].trim_end();
        if key.is_empty()
            || !key
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || "_.-".contains(c))
        {
            continue;
        }
        let raw = trimmed[sep + 1..].trim_start();
        let value =
            if let Some(quote) = raw.chars().next().filter(|c| matches!(c, '"' | '\'' | '`')) {
                // A quoted value may span lines.
                let mut body = raw[1..].to_owned();
                let mut closed = body.find(quote);
                while closed.is_none() && !rest.is_empty() {
                    let (next, after) = rest.split_once('\n').unwrap_or((rest, ""));
                    rest = after;
                    body.push('\n');
                    body.push_str(next);
                    closed = body.find(quote);
                }
                let inner = closed.map_or(body.as_str(), |end| &body[..end]).to_owned();
                if quote == '"' {
                    inner.replace("\\n", "\n").replace("\\r", "\r")
                } else {
                    inner
                }
            } else {
                raw.split(" #")
                    .next()
                    .unwrap_or_default()
                    .split('#')
                    .next()
                    .unwrap_or_default()
                    .trim()
                    .to_owned()
            };
        if let Some(existing) = out.iter_mut().find(|(k, _)| k == key) {
            existing.1 = value;
        } else {
            out.push((key.to_owned(), value));
        }
    }
    out
}

/// dotenv-expand: `${NAME}`, `${NAME:-default}` and `$NAME`, from the process environment
/// first, then from the file itself; `\$` stays a literal `$`.
fn expand(
    parsed: &[(String, String)],
    process: &std::collections::HashMap<String, String>,
) -> Vec<(String, String)> {
    let mut done: Vec<(String, String)> = Vec::new();
    for (key, value) in parsed {
        let lookup = |name: &str| -> Option<String> {
            process
                .get(name)
                .cloned()
                .or_else(|| done.iter().find(|(k, _)| k == name).map(|(_, v)| v.clone()))
                .or_else(|| {
                    parsed
                        .iter()
                        .find(|(k, _)| k == name)
                        .map(|(_, v)| v.clone())
                })
        };
        let mut out = String::new();
        let chars: Vec<char> = value.chars().collect();
        let mut i = 0;
        while i < chars.len() {
            let c = chars[i];
            if c == '\\' && chars.get(i + 1) == Some(&'$') {
                out.push('$');
                i += 2;
            } else if c == '$' && chars.get(i + 1) == Some(&'{') {
                let end = chars[i..].iter().position(|&c| c == '}').map(|p| p + i);
                let Some(end) = end else {
                    out.extend(&chars[i..]);
                    break;
                };
                let inner: String = chars[i + 2..end].iter().collect();
                let (name, default) = inner
                    .split_once(":-")
                    .map_or((inner.as_str(), ""), |(n, d)| (n, d));
                out.push_str(&lookup(name).unwrap_or_else(|| default.to_owned()));
                i = end + 1;
            } else if c == '$'
                && chars
                    .get(i + 1)
                    .is_some_and(|c| c.is_ascii_alphanumeric() || *c == '_')
            {
                let start = i + 1;
                let mut end = start;
                while end < chars.len() && (chars[end].is_ascii_alphanumeric() || chars[end] == '_')
                {
                    end += 1;
                }
                let name: String = chars[start..end].iter().collect();
                out.push_str(&lookup(&name).unwrap_or_default());
                i = end;
            } else {
                out.push(c);
                i += 1;
            }
        }
        done.push((key.clone(), out));
    }
    done
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_dotenv_lines() {
        let parsed = parse("# c\nA=1\nexport B = two # comment\nC=\"x\\ny\"\nD='$A'\nE: e\n");
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
}
