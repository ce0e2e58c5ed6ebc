//! The aws-sdk-js v2 INI reader (`AWS.util.ini.parse` and the shared-ini loader), quirks and
//! all (spec 1.4): lines split on `\r?\n`; everything from a `#`/`;` at the line start or after
//! JavaScript whitespace cut off, then `trim()`; a section is a line that starts with `[` and
//! ends with `]` after that cut, its name the raw inner text; `key =` (empty value) and `= v`
//! dropped; no continuations; case-sensitive keys; duplicate sections merge, the last duplicate
//! key wins; lines before the first section ignored; `[__proto__]` rejects the whole file.
//!
//! [`config_profiles`] applies the config-file rules: `profile` + one whitespace stripped,
//! `[sso-session x]` excluded, two sections normalising to one name rejected
//! (`Cannot redefine property`).

use crate::error::AwsError;
use crate::js::{is_js_whitespace, js_trim};
use crate::profile::{Profile, Property};
use crate::secret::Value;
use crate::span::{LineIndex, Location, offset_in};
use indexmap::IndexMap;
use serde::Serialize;

/// A line the reader skips although it looks meaningful.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum IgnoredKind {
    /// `key =`: an `=` as the last character drops the line (v3 never sees the key).
    EmptyValue,
    /// `= value`: an `=` as the first character.
    NoKey,
    /// A line with neither a section nor an `=` (`[a];c` is one: the `;` is not a comment).
    NotAnAssignment,
    /// A key line before the first section (or after `[]`).
    OutsideSection,
    /// The key `__proto__`, which a JavaScript object silently refuses.
    ProtoKey,
}

/// A skipped line and where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IgnoredLine {
    pub kind: IgnoredKind,
    pub location: Location,
}

/// A section header as written.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Header {
    /// The raw text between the brackets.
    pub name: String,
    pub location: Location,
}

/// One file as the v2 reader sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct V2File {
    pub path: String,
    /// The object `ini.parse` returns: only sections that received at least one key, keyed by
    /// the raw header text. Each [`Profile`]'s `sections` lists every header of that name.
    pub sections: IndexMap<String, Profile>,
    /// Every header line, including those of sections that stayed empty.
    pub headers: Vec<Header>,
    pub ignored: Vec<IgnoredLine>,
}

impl V2File {
    /// The header locations of every section named `name` (empty ones included).
    pub fn headers_named<'a>(&'a self, name: &'a str) -> impl Iterator<Item = &'a Header> + 'a {
        self.headers.iter().filter(move |h| h.name == name)
    }
}

/// Reads one file like `AWS.util.ini.parse`. The only error is a `[__proto__]` section
/// (or `[x __proto__]`), which makes the SDK reject the file.
pub fn parse(text: &str, path: &str) -> Result<V2File, AwsError> {
    let index = LineIndex::new(text);
    let loc = |start: usize, end: usize| Location {
        file: path.to_string(),
        span: index.span(start, end),
    };
    let mut file = V2File {
        path: path.to_string(),
        sections: IndexMap::new(),
        headers: Vec::new(),
        ignored: Vec::new(),
    };
    let mut raw: IndexMap<String, IndexMap<String, (String, Location)>> = IndexMap::new();
    let mut current: Option<String> = None;
    let mut line_start = 0;
    for piece in text.split_inclusive('\n') {
        let this_start = line_start;
        line_start += piece.len();
        let line = piece.strip_suffix('\n').unwrap_or(piece);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let cut = cut_comment(line);
        let trimmed = js_trim(cut);
        if trimmed.is_empty() {
            continue;
        }
        let start = this_start + offset_in(line, trimmed);
        let here = loc(start, start + trimmed.len());
        if trimmed.len() >= 2 && trimmed.starts_with('[') && trimmed.ends_with(']') {
            let name = &trimmed[1..trimmed.len() - 1];
            if name == "__proto__" || name.split(is_js_whitespace).nth(1) == Some("__proto__") {
                return Err(AwsError::V2ProtoSection {
                    name: name.to_string(),
                    span: here.span.source_span(),
                    location: here,
                });
            }
            file.headers.push(Header {
                name: name.to_string(),
                location: here,
            });
            current = (!name.is_empty()).then(|| name.to_string());
            continue;
        }
        let Some(section) = &current else {
            if trimmed.contains('=') {
                file.ignored.push(IgnoredLine {
                    kind: IgnoredKind::OutsideSection,
                    location: here,
                });
            }
            continue;
        };
        let Some(eq) = trimmed.find('=') else {
            file.ignored.push(IgnoredLine {
                kind: IgnoredKind::NotAnAssignment,
                location: here,
            });
            continue;
        };
        if eq == 0 || eq == trimmed.len() - 1 {
            let kind = if eq == 0 {
                IgnoredKind::NoKey
            } else {
                IgnoredKind::EmptyValue
            };
            file.ignored.push(IgnoredLine {
                kind,
                location: here,
            });
            continue;
        }
        let name = js_trim(&trimmed[..eq]);
        let value = js_trim(&trimmed[eq + 1..]);
        if name == "__proto__" {
            file.ignored.push(IgnoredLine {
                kind: IgnoredKind::ProtoKey,
                location: here,
            });
            continue;
        }
        raw.entry(section.clone())
            .or_default()
            .insert(name.to_string(), (value.to_string(), here));
    }
    // Every header of each name, in one pass (files with thousands of sections exist).
    let mut headers: IndexMap<&str, Vec<Location>> = IndexMap::new();
    for header in &file.headers {
        headers
            .entry(header.name.as_str())
            .or_default()
            .push(header.location.clone());
    }
    for (name, props) in raw {
        let mut profile = Profile::new(name.as_str());
        profile.sections = headers.swap_remove(name.as_str()).unwrap_or_default();
        for (key, (value, location)) in props {
            profile.insert(Property {
                value: Value::for_property(&key, &value),
                name: key,
                location: Some(location),
            });
        }
        file.sections.insert(name, profile);
    }
    Ok(file)
}

/// `line.split(/(^|\s)[;#]/)[0]`: the text before the first `#`/`;` that starts the line or
/// follows a JavaScript whitespace character.
fn cut_comment(line: &str) -> &str {
    let mut prev_ws = true;
    for (i, c) in line.char_indices() {
        if (c == '#' || c == ';') && prev_ws {
            return &line[..i];
        }
        prev_ws = is_js_whitespace(c);
    }
    line
}

/// `profile` followed by exactly one JavaScript whitespace character, stripped
/// (`sectionName.replace(/^profile\s/, '')`).
pub fn strip_profile_prefix(name: &str) -> &str {
    if let Some(rest) = name.strip_prefix("profile") {
        if let Some(c) = rest.chars().next() {
            if is_js_whitespace(c) {
                return &rest[c.len_utf8()..];
            }
        }
    }
    name
}

/// Whether a config section is an `[sso-session ...]` (`/^sso-session\s/`).
pub fn is_sso_session_section(name: &str) -> bool {
    name.strip_prefix("sso-session")
        .and_then(|r| r.chars().next())
        .is_some_and(is_js_whitespace)
}

/// The config file's profiles as the v2 loader builds them (`getProfiles`): the prefix
/// stripped, sso-sessions excluded; a second section with the same resulting name is the
/// `Cannot redefine property` error.
pub fn config_profiles(file: &V2File) -> Result<IndexMap<String, Profile>, AwsError> {
    let mut out: IndexMap<String, Profile> = IndexMap::new();
    for (raw_name, section) in &file.sections {
        if is_sso_session_section(raw_name) {
            continue;
        }
        let name = strip_profile_prefix(raw_name);
        if out.contains_key(name) {
            let location = section
                .sections
                .first()
                .cloned()
                .unwrap_or_else(|| Location {
                    file: file.path.clone(),
                    span: crate::span::Span {
                        start: 0,
                        end: 0,
                        line: 1,
                        column: 1,
                    },
                });
            return Err(AwsError::V2RedefineProperty {
                name: name.to_string(),
                span: location.span.source_span(),
                location,
            });
        }
        let mut p = section.clone();
        p.name = name.to_string();
        out.insert(name.to_string(), p);
    }
    Ok(out)
}

/// The `[sso-session x]` sections of a config file, by session name.
pub fn config_sso_sessions(file: &V2File) -> IndexMap<String, Profile> {
    file.sections
        .iter()
        .filter(|(n, _)| is_sso_session_section(n))
        .map(|(n, s)| {
            let name = &n["sso-session".len()..];
            let c = name.chars().next().map_or(0, char::len_utf8);
            (name[c..].to_string(), s.clone())
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn p(text: &str) -> V2File {
        parse(text, "f").expect("parses")
    }

    fn val<'a>(f: &'a V2File, section: &str, key: &str) -> Option<&'a str> {
        f.sections.get(section)?.text(key)
    }

    #[test]
    fn comments_need_line_start_or_whitespace() {
        let f = p("[a]\nk = v #c\nk2 = v#c\n;x = 1\n  #y = 2\nk3 = v\t;c\n");
        assert_eq!(val(&f, "a", "k"), Some("v"));
        assert_eq!(val(&f, "a", "k2"), Some("v#c"));
        assert_eq!(val(&f, "a", "k3"), Some("v"));
        assert_eq!(f.sections["a"].properties.len(), 3);
    }

    #[test]
    fn section_with_adjacent_comment_is_not_a_section() {
        let f = p("[a]\nx = 1\n[b];c\ny = 2\n");
        assert!(!f.sections.contains_key("b"));
        assert_eq!(val(&f, "a", "y"), Some("2"));
        assert_eq!(f.ignored[0].kind, IgnoredKind::NotAnAssignment);
        assert_eq!(f.ignored[0].location.span.line, 3);
    }

    #[test]
    fn section_names_are_not_trimmed() {
        let f = p("[ spaced ]\nk=v\n");
        assert_eq!(val(&f, " spaced ", "k"), Some("v"));
    }

    #[test]
    fn empty_values_and_missing_keys_are_dropped() {
        let f = p("[a]\nkey =\n= v\nok=1\n");
        assert_eq!(f.sections["a"].properties.len(), 1);
        let kinds: Vec<IgnoredKind> = f.ignored.iter().map(|i| i.kind).collect();
        assert_eq!(kinds, vec![IgnoredKind::EmptyValue, IgnoredKind::NoKey]);
    }

    #[test]
    fn no_continuations_and_case_sensitive_keys() {
        let f = p("[a]\ns3 =\n  max = 10\nAWS_ACCESS_KEY_ID = X\n");
        assert_eq!(val(&f, "a", "max"), Some("10"));
        assert!(f.sections["a"].get("aws_access_key_id").is_none());
        assert!(
            f.sections["a"]
                .get("AWS_ACCESS_KEY_ID")
                .is_some_and(|v| v.text().is_none())
        );
    }

    #[test]
    fn duplicates_merge_and_last_key_wins() {
        let f = p("[a]\nk=1\nj=1\n[b]\nx=1\n[a]\nk=2\n");
        assert_eq!(val(&f, "a", "k"), Some("2"));
        assert_eq!(val(&f, "a", "j"), Some("1"));
        assert_eq!(f.sections["a"].sections.len(), 2);
        let keys: Vec<&String> = f.sections["a"].properties.keys().collect();
        assert_eq!(keys, vec!["k", "j"]);
    }

    #[test]
    fn lines_before_sections_and_after_empty_name_are_ignored() {
        let f = p("k=v\n[]\nj=1\n[a]\n");
        assert!(f.sections.is_empty());
        assert_eq!(f.headers.len(), 2);
        assert_eq!(f.ignored.len(), 2);
    }

    #[test]
    fn empty_sections_exist_only_as_headers() {
        let f = p("[empty]\n[a]\nk=v\n");
        assert!(!f.sections.contains_key("empty"));
        assert_eq!(f.headers_named("empty").count(), 1);
    }

    #[test]
    fn proto_section_rejects_the_file() {
        let e = parse("[a]\nk=v\n[__proto__]\n", "f").expect_err("rejected");
        assert_eq!(e.code(), "aws-v2-proto-section");
        assert_eq!(
            e.location().map(|l| l.span),
            Some(Span {
                start: 8,
                end: 19,
                line: 3,
                column: 1
            })
        );
        assert!(parse("[profile __proto__]\n", "f").is_err());
        assert!(parse("[profile  __proto__]\n", "f").is_ok());
    }

    #[test]
    fn bom_and_crlf() {
        let f = p("\u{FEFF}[default]\r\nregion = us-east-1\r\n");
        assert_eq!(val(&f, "default", "region"), Some("us-east-1"));
    }

    #[test]
    fn config_prefix_rules() {
        let f = p(
            "[profile a]\nk=1\n[b]\nk=2\n[Profile c]\nk=3\n[sso-session s]\nk=4\n[profile\td]\nk=5\n",
        );
        let c = config_profiles(&f).expect("no clash");
        let names: Vec<&String> = c.keys().collect();
        assert_eq!(names, vec!["a", "b", "Profile c", "d"]);
        assert_eq!(
            config_sso_sessions(&f).keys().collect::<Vec<_>>(),
            vec!["s"]
        );
    }

    #[test]
    fn config_redefine_is_an_error() {
        let f = p("[default]\nk=1\n[profile default]\nk=2\n");
        let e = config_profiles(&f).expect_err("clash");
        assert_eq!(e.to_string(), "cannot redefine property: `default`");
        assert_eq!(e.location().map(|l| l.span.line), Some(3));
    }

    #[test]
    fn secrets_masked_and_spans_kept() {
        let f = p("[a]\n  aws_secret_access_key = SECRETSECRET9876  \n");
        let prop = &f.sections["a"].properties["aws_secret_access_key"];
        assert_eq!(prop.value.display(), "****************9876");
        assert_eq!(
            prop.location.as_ref().map(|l| l.span),
            Some(Span {
                start: 6,
                end: 46,
                line: 2,
                column: 3
            })
        );
    }
}
