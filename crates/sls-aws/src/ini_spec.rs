//! The SDK-specification reader of `~/.aws/config` and `~/.aws/credentials` (spec section 2), as
//! smithy-rs implements it: comments, continuations, sub-properties, `profile ` prefixes,
//! `[sso-session]`, case-insensitive keys, and the merge rules of both files.
//!
//! Errors are data ([`AwsError::IniSyntax`], a kind plus a span); the reader keeps going after
//! one (the SDK stops at the first), so every bad line is reported. Ignored sections and keys
//! become [`SpecWarning`]s.

use crate::error::{AwsError, SyntaxKind};
use crate::profile::{Profile, ProfileSet, Property};
use crate::secret::Value;
use crate::span::{LineIndex, Location, offset_in};
use serde::Serialize;

/// Space and tab: the only whitespace of the specification.
const WHITESPACE: &[char] = &[' ', '\t'];
const COMMENT: &[char] = &['#', ';'];

/// Which of the two files a text is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileKind {
    Config,
    Credentials,
}

/// A property as read, before validation of its name.
#[derive(Debug, Clone, PartialEq)]
pub struct RawProperty {
    /// The key, ASCII-lower-cased.
    pub key: String,
    pub value: Value,
    /// From the key's first character to the end of the value (continuations included).
    pub location: Location,
    /// The value was empty on the key's line, so indented lines are sub-properties.
    pub has_sub_properties: bool,
}

/// A `[...]` header and the properties under it, as read.
#[derive(Debug, Clone, PartialEq)]
pub struct RawSection {
    /// The text between the brackets, untrimmed.
    pub header: String,
    /// The header from `[` to `]`.
    pub location: Location,
    pub properties: Vec<RawProperty>,
}

/// One file as read by [`parse`].
#[derive(Debug, Clone, PartialEq)]
pub struct SpecFile {
    pub path: String,
    pub kind: FileKind,
    pub sections: Vec<RawSection>,
    /// Every rejected line, in order (empty when the SDK would load the file).
    pub errors: Vec<AwsError>,
}

enum State {
    Starting,
    /// After a header that could not be read: lines are skipped until the next header.
    Skipping,
    Reading {
        section: usize,
        property: Option<usize>,
        sub_properties: bool,
    },
}

/// Reads one file. `path` is used for locations only.
pub fn parse(text: &str, path: &str, kind: FileKind) -> SpecFile {
    let index = LineIndex::new(text);
    let mut file = SpecFile {
        path: path.to_string(),
        kind,
        sections: Vec::new(),
        errors: Vec::new(),
    };
    // Raw values are accumulated in clear and turned into `Value`s (secrets masked) at the end.
    let mut raw_values: Vec<Vec<String>> = Vec::new();
    let mut state = State::Starting;
    let loc = |start: usize, end: usize| Location {
        file: path.to_string(),
        span: index.span(start, end),
    };
    // A leading byte order mark (Windows editors write one) is not part of the first line: the
    // JS SDK v3 reader, whose `\s` includes U+FEFF, reads such files (recorded with osls 4).
    let body = text.strip_prefix('\u{FEFF}').unwrap_or(text);
    let mut line_start = text.len() - body.len();
    for raw_line in body.split_inclusive('\n') {
        let this_start = line_start;
        line_start += raw_line.len();
        let line = raw_line.strip_suffix('\n').unwrap_or(raw_line);
        let line = line.strip_suffix('\r').unwrap_or(line);
        let at = |sub: &str| this_start + offset_in(line, sub);
        if line.trim_matches(WHITESPACE).is_empty() || line.starts_with(COMMENT) {
            continue;
        }
        let whole = loc(this_start, this_start + line.len());
        let error = |kind: SyntaxKind, location: Location| AwsError::IniSyntax {
            kind,
            span: location.span.source_span(),
            location,
        };
        if line.starts_with('[') {
            let prepared = prepare_line(line, false);
            let start = at(prepared);
            match prepared.strip_prefix('[').and_then(|l| l.strip_suffix(']')) {
                Some(name) => {
                    file.sections.push(RawSection {
                        header: name.to_string(),
                        location: loc(start, start + prepared.len()),
                        properties: Vec::new(),
                    });
                    raw_values.push(Vec::new());
                    state = State::Reading {
                        section: file.sections.len() - 1,
                        property: None,
                        sub_properties: false,
                    };
                }
                None => {
                    file.errors.push(error(
                        SyntaxKind::ProfileMustEndWithBracket,
                        loc(start, start + prepared.len()),
                    ));
                    state = State::Skipping;
                }
            }
        } else if line.starts_with(WHITESPACE) {
            match &state {
                State::Starting => file
                    .errors
                    .push(error(SyntaxKind::ExpectedProfileDefinition, whole)),
                State::Skipping => {}
                State::Reading { property: None, .. } => {
                    file.errors
                        .push(error(SyntaxKind::ContinuationWithoutProperty, whole));
                }
                State::Reading {
                    section,
                    property: Some(property),
                    sub_properties,
                } => {
                    if *sub_properties && !line.trim_matches(WHITESPACE).is_empty() {
                        if let Err(e) = parse_property_line(line) {
                            let kind = match e {
                                PropertyError::NoEquals => SyntaxKind::SubPropertyWithoutEquals,
                                PropertyError::NoName => SyntaxKind::SubPropertyWithoutName,
                            };
                            file.errors.push(error(kind, whole));
                            continue;
                        }
                    }
                    let trimmed = line.trim_matches(WHITESPACE);
                    let value = &mut raw_values[*section][*property];
                    value.push('\n');
                    value.push_str(trimmed);
                    let end = at(trimmed) + trimmed.len();
                    let prop = &mut file.sections[*section].properties[*property];
                    prop.location.span.end = end;
                }
            }
        } else {
            match &state {
                State::Starting => file
                    .errors
                    .push(error(SyntaxKind::ExpectedProfileDefinition, whole)),
                State::Skipping => {}
                State::Reading { section, .. } => {
                    let section = *section;
                    match parse_property_line(line) {
                        Err(e) => {
                            let kind = match e {
                                PropertyError::NoEquals => SyntaxKind::PropertyWithoutEquals,
                                PropertyError::NoName => SyntaxKind::PropertyWithoutName,
                            };
                            file.errors.push(error(kind, whole));
                        }
                        Ok((k, v)) => {
                            let start = at(k);
                            let end = at(v) + v.len();
                            let end = end.max(start + k.len());
                            let props = &mut file.sections[section].properties;
                            props.push(RawProperty {
                                key: k.to_ascii_lowercase(),
                                value: Value::Text(String::new()),
                                location: loc(start, end),
                                has_sub_properties: v.is_empty(),
                            });
                            raw_values[section].push(v.to_string());
                            state = State::Reading {
                                section,
                                property: Some(props.len() - 1),
                                sub_properties: v.is_empty(),
                            };
                        }
                    }
                }
            }
        }
    }
    for (section, values) in file.sections.iter_mut().zip(raw_values) {
        for (prop, value) in section.properties.iter_mut().zip(values) {
            prop.value = Value::for_property(&prop.key, &value);
        }
    }
    file
}

#[derive(Debug, PartialEq, Eq)]
enum PropertyError {
    NoEquals,
    NoName,
}

/// `key = value` split at the first `=`, both trimmed (subslices of `line`).
fn parse_property_line(line: &str) -> Result<(&str, &str), PropertyError> {
    let line = prepare_line(line, true);
    let (k, v) = line.split_once('=').ok_or(PropertyError::NoEquals)?;
    let k = k.trim_matches(WHITESPACE);
    let v = v.trim_matches(WHITESPACE);
    if k.is_empty() {
        return Err(PropertyError::NoName);
    }
    Ok((k, v))
}

/// Trims, then cuts the comment: any `#`/`;` on header lines, one preceded by whitespace on
/// property lines.
fn prepare_line(line: &str, comments_need_whitespace: bool) -> &str {
    let line = line.trim_matches(WHITESPACE);
    let mut prev_whitespace = false;
    let mut cut = None;
    for (idx, chr) in line.char_indices() {
        if COMMENT.contains(&chr) && (prev_whitespace || !comments_need_whitespace) {
            cut = Some(idx);
            break;
        }
        prev_whitespace = chr.is_whitespace();
    }
    cut.map_or(line, |idx| &line[..idx])
        .trim_matches(WHITESPACE)
}

/// Why a section or key was ignored.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum WarningKind {
    /// Config file `[name]` without the `profile ` prefix (other than `[default]`).
    UnprefixedConfigSection,
    /// Credentials file `[profile name]`.
    ProfilePrefixInCredentials,
    /// Credentials file `[prefix name]` with another prefix.
    PrefixedSectionInCredentials,
    /// A section name with characters outside `A-Za-z0-9_-/.%@:+`.
    InvalidSectionName,
    /// A key with characters outside `A-Za-z0-9_-/.%@:+`.
    InvalidPropertyName,
    /// Config file `[default]` ignored because `[profile default]` exists.
    DefaultShadowedByProfileDefault,
}

/// A section or key the specification ignores, with where it is.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct SpecWarning {
    pub kind: WarningKind,
    /// Lower-case, user text in backticks.
    pub message: String,
    pub location: Location,
}

/// A section kept in neither profiles nor sso-sessions (`[services x]` and other prefixes).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct OtherSection {
    pub prefix: String,
    pub name: String,
    pub section: Profile,
}

/// The merged view of both files.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct SpecProfiles {
    pub set: ProfileSet,
    pub other_sections: Vec<OtherSection>,
    pub warnings: Vec<SpecWarning>,
}

struct SectionPair<'a> {
    prefix: Option<&'a str>,
    suffix: &'a str,
}

impl<'a> SectionPair<'a> {
    fn parse(input: &'a str) -> Self {
        let input = input.trim_matches(WHITESPACE);
        match input.split_once(WHITESPACE) {
            Some((prefix, suffix)) => SectionPair {
                prefix: Some(prefix.trim()),
                suffix: suffix.trim(),
            },
            None => SectionPair {
                prefix: None,
                suffix: input.trim(),
            },
        }
    }
}

fn valid_identifier(s: &str) -> bool {
    s.chars()
        .all(|c| c.is_ascii_alphanumeric() || "_-/.%@:+".contains(c))
}

/// Merges the files in order (config first, then credentials: later files win key by key).
pub fn merge(files: &[&SpecFile]) -> SpecProfiles {
    let mut out = SpecProfiles::default();
    for file in files {
        merge_file(&mut out, file);
    }
    out
}

fn merge_file(out: &mut SpecProfiles, file: &SpecFile) {
    let kind = file.kind;
    let mut valid: Vec<(SectionPair<'_>, &RawSection)> = Vec::new();
    for section in &file.sections {
        let pair = SectionPair::parse(&section.header);
        let warn = |kind: WarningKind, message: String| SpecWarning {
            kind,
            message,
            location: section.location.clone(),
        };
        let problem = match (kind, pair.prefix) {
            (FileKind::Config, Some(prefix)) if !valid_identifier(pair.suffix) => Some(warn(
                WarningKind::InvalidSectionName,
                format!(
                    "section `[{prefix} {}]` ignored: `{}` is not a valid name",
                    pair.suffix, pair.suffix
                ),
            )),
            (FileKind::Config, None) if pair.suffix != "default" => Some(warn(
                WarningKind::UnprefixedConfigSection,
                format!(
                    "section `[{}]` ignored: config-file profiles other than `[default]` need the prefix, `[profile {}]`",
                    pair.suffix, pair.suffix
                ),
            )),
            (FileKind::Credentials, Some("profile")) => Some(warn(
                WarningKind::ProfilePrefixInCredentials,
                format!(
                    "section `[profile {}]` ignored: credentials-file profiles must not start with `profile`, write `[{}]`",
                    pair.suffix, pair.suffix
                ),
            )),
            (FileKind::Credentials, Some(prefix @ ("sso-session" | "services"))) => Some(warn(
                WarningKind::PrefixedSectionInCredentials,
                format!(
                    "section `[{prefix} {}]` ignored: it belongs in the config file",
                    pair.suffix
                ),
            )),
            (FileKind::Credentials, Some(prefix)) => Some(warn(
                WarningKind::PrefixedSectionInCredentials,
                format!(
                    "section `[{prefix} {}]` ignored: a profile name cannot contain whitespace",
                    pair.suffix
                ),
            )),
            (FileKind::Credentials, None) if !valid_identifier(pair.suffix) => Some(warn(
                WarningKind::InvalidSectionName,
                format!(
                    "section `[{}]` ignored: `{}` is not a valid name",
                    pair.suffix, pair.suffix
                ),
            )),
            _ => None,
        };
        match problem {
            Some(w) => out.warnings.push(w),
            None => valid.push((pair, section)),
        }
    }
    let has_prefixed_default = valid
        .iter()
        .any(|(p, _)| p.prefix == Some("profile") && p.suffix == "default");
    for (pair, section) in valid {
        if has_prefixed_default && pair.prefix.is_none() && pair.suffix == "default" {
            out.warnings.push(SpecWarning {
                kind: WarningKind::DefaultShadowedByProfileDefault,
                message: "section `[default]` ignored: `[profile default]` takes priority".into(),
                location: section.location.clone(),
            });
            continue;
        }
        let target: &mut Profile = match pair.prefix {
            None | Some("profile") => out
                .set
                .profiles
                .entry(pair.suffix.to_string())
                .or_insert_with(|| Profile::new(pair.suffix)),
            Some("sso-session") => out
                .set
                .sso_sessions
                .entry(pair.suffix.to_string())
                .or_insert_with(|| Profile::new(pair.suffix)),
            Some(prefix) => {
                let pos = out
                    .other_sections
                    .iter()
                    .position(|o| o.prefix == prefix && o.name == pair.suffix);
                let pos = pos.unwrap_or_else(|| {
                    out.other_sections.push(OtherSection {
                        prefix: prefix.to_string(),
                        name: pair.suffix.to_string(),
                        section: Profile::new(pair.suffix),
                    });
                    out.other_sections.len() - 1
                });
                &mut out.other_sections[pos].section
            }
        };
        target.sections.push(section.location.clone());
        for prop in &section.properties {
            if valid_identifier(&prop.key) {
                target.insert(Property {
                    name: prop.key.clone(),
                    value: prop.value.clone(),
                    location: Some(prop.location.clone()),
                });
            } else {
                out.warnings.push(SpecWarning {
                    kind: WarningKind::InvalidPropertyName,
                    message: format!("key `{}` ignored: not a valid name", prop.key),
                    location: prop.location.clone(),
                });
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::span::Span;

    fn cfg(text: &str) -> SpecFile {
        parse(text, "config", FileKind::Config)
    }

    fn kinds(f: &SpecFile) -> Vec<SyntaxKind> {
        f.errors
            .iter()
            .filter_map(|e| match e {
                AwsError::IniSyntax { kind, .. } => Some(*kind),
                _ => None,
            })
            .collect()
    }

    #[test]
    fn property_spans_cover_key_to_value() {
        let f = cfg("[profile a]\n  \nregion = eu-west-1 # c\n");
        let p = &f.sections[0].properties[0];
        assert_eq!(p.key, "region");
        assert_eq!(p.value.text(), Some("eu-west-1"));
        assert_eq!(
            p.location.span,
            Span {
                start: 15,
                end: 33,
                line: 3,
                column: 1
            }
        );
        assert_eq!(
            f.sections[0].location.span,
            Span {
                start: 0,
                end: 11,
                line: 1,
                column: 1
            }
        );
    }

    #[test]
    fn continuation_extends_span_and_value() {
        let f = cfg("[profile a]\nk = v\n  more\n");
        let p = &f.sections[0].properties[0];
        assert_eq!(p.value.text(), Some("v\nmore"));
        assert_eq!(p.location.span.start, 12);
        assert_eq!(p.location.span.end, 24);
    }

    #[test]
    fn errors_are_collected_with_spans() {
        let f = cfg("k = v\n[profile a\n[profile b]\n  x\nnoequals\n");
        assert_eq!(
            kinds(&f),
            vec![
                SyntaxKind::ExpectedProfileDefinition,
                SyntaxKind::ProfileMustEndWithBracket,
                SyntaxKind::ContinuationWithoutProperty,
                SyntaxKind::PropertyWithoutEquals,
            ]
        );
        assert_eq!(f.errors[1].location().map(|l| l.span.line), Some(2));
        assert_eq!(
            f.errors[3].location().map(|l| l.span),
            Some(Span {
                start: 33,
                end: 41,
                line: 5,
                column: 1
            })
        );
    }

    #[test]
    fn secrets_are_masked_after_continuations() {
        let f = parse(
            "[a]\naws_secret_access_key = abcdefgh\n  ijkl\n",
            "c",
            FileKind::Credentials,
        );
        let v = &f.sections[0].properties[0].value;
        assert_eq!(v.text(), None);
        assert!(v.matches("abcdefgh\nijkl"));
        assert_eq!(v.display(), "****************ijkl");
    }

    #[test]
    fn a_leading_byte_order_mark_is_skipped_and_spans_keep_their_offsets() {
        let f = parse(
            "\u{FEFF}[bom]\r\naws_access_key_id = AKIAEXAMPLEKEY12\r\n",
            "credentials",
            FileKind::Credentials,
        );
        assert!(f.errors.is_empty(), "{:?}", f.errors);
        assert_eq!(f.sections.len(), 1);
        assert_eq!(f.sections[0].header, "bom");
        // the header starts after the 3 bytes of the mark, on line 1
        assert_eq!(f.sections[0].location.span.start, 3);
        assert_eq!(f.sections[0].location.span.line, 1);
    }

    #[test]
    fn warnings_for_ignored_sections() {
        let c = cfg("[foo]\na=1\n[default]\nb=2\n[profile default]\nc=3\n");
        let k = parse("[profile x]\nd=4\n", "credentials", FileKind::Credentials);
        let m = merge(&[&c, &k]);
        let w: Vec<WarningKind> = m.warnings.iter().map(|w| w.kind).collect();
        assert_eq!(
            w,
            vec![
                WarningKind::UnprefixedConfigSection,
                WarningKind::DefaultShadowedByProfileDefault,
                WarningKind::ProfilePrefixInCredentials,
            ]
        );
        assert_eq!(m.warnings[2].location.span.line, 1);
        assert_eq!(m.set.profiles.keys().collect::<Vec<_>>(), vec!["default"]);
        assert_eq!(m.set.profiles["default"].text("c"), Some("3"));
        assert_eq!(m.set.profiles["default"].get("b"), None);
    }

    #[test]
    fn credentials_win_key_by_key() {
        let c = cfg("[profile a]\nregion = x\nk = 1\n");
        let k = parse("[a]\nk = 2\n", "credentials", FileKind::Credentials);
        let m = merge(&[&c, &k]);
        let a = &m.set.profiles["a"];
        assert_eq!(a.text("region"), Some("x"));
        assert_eq!(a.text("k"), Some("2"));
        assert_eq!(
            a.location_of("k").map(|l| l.file.as_str()),
            Some("credentials")
        );
        assert_eq!(a.sections.len(), 2);
    }
}
