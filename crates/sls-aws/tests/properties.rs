//! Properties of both INI readers: every location they return (headers, properties, ignored
//! lines, errors, warnings) lies inside its own file, on character boundaries, with the line and
//! column of its start; and the specification reader's answer on the AWS SDK's own vectors does
//! not change when comment lines, blank lines or CRLF line ends are added around sections.

use indexmap::IndexMap;
use proptest::prelude::*;
use serde_json::Value as Json;
use sls_aws::ini_spec::{self, FileKind, SpecFile};
use sls_aws::ini_v2;
use sls_aws::{Location, Profile, SyntaxKind, Value};

/// Text made of the tokens both readers give meaning to.
fn iniish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "[",
        "]",
        "[default]",
        "[profile a]",
        "[profile  b ]",
        "[sso-session s]",
        "[__proto__]",
        "[services x]",
        "profile ",
        "a",
        "é",
        "😀",
        "aws_access_key_id",
        "aws_secret_access_key",
        "region",
        "s3",
        "=",
        " = ",
        "value",
        " ",
        "\t",
        "#",
        ";",
        " # c",
        "\n",
        "\r\n",
        "\n  ",
        "\n\t",
        "\u{a0}",
        "\u{feff}",
    ]);
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

fn location(texts: &[(&str, &str)], l: &Location) {
    let (_, text) = texts
        .iter()
        .find(|(name, _)| *name == l.file)
        .unwrap_or_else(|| panic!("a location in an unknown file {:?}", l.file));
    let s = l.span;
    assert!(s.start <= s.end && s.end <= text.len(), "{s:?} in {text:?}");
    assert!(
        text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
        "{s:?} inside a character of {text:?}"
    );
    let before = &text[..s.start];
    assert_eq!(
        s.line,
        before.matches('\n').count() + 1,
        "{s:?} in {text:?}"
    );
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    assert_eq!(
        s.column,
        before[line_start..].chars().count() + 1,
        "{s:?} in {text:?}"
    );
}

fn profile_locations(texts: &[(&str, &str)], profile: &Profile) {
    for l in &profile.sections {
        location(texts, l);
    }
    for property in profile.properties.values() {
        if let Some(l) = &property.location {
            location(texts, l);
        }
    }
}

fn spec_locations(texts: &[(&str, &str)], file: &SpecFile) {
    for section in &file.sections {
        location(texts, &section.location);
        for property in &section.properties {
            location(texts, &property.location);
        }
    }
    for err in &file.errors {
        location(texts, err.location().expect("syntax errors have a place"));
    }
}

/// What a reader found, without places: profile -> property -> value.
type Found = IndexMap<String, IndexMap<String, Value>>;

fn found<'a>(profiles: impl IntoIterator<Item = (&'a String, &'a Profile)>) -> Found {
    profiles
        .into_iter()
        .map(|(name, p)| {
            let props = p
                .properties
                .iter()
                .map(|(k, prop)| (k.clone(), prop.value.clone()))
                .collect();
            (name.clone(), props)
        })
        .collect()
}

/// The specification reader's answer for a config and a credentials text: the merged profiles
/// and sso-sessions, or the kinds of the syntax errors.
fn spec_answer(
    config: Option<&str>,
    credentials: Option<&str>,
) -> Result<(Found, Found), Vec<SyntaxKind>> {
    let config = config.map(|t| ini_spec::parse(t, "config", FileKind::Config));
    let credentials = credentials.map(|t| ini_spec::parse(t, "credentials", FileKind::Credentials));
    let files: Vec<&SpecFile> = config.iter().chain(credentials.iter()).collect();
    let errors: Vec<SyntaxKind> = files
        .iter()
        .flat_map(|f| &f.errors)
        .filter_map(|e| match e {
            sls_aws::AwsError::IniSyntax { kind, .. } => Some(*kind),
            _ => None,
        })
        .collect();
    if !errors.is_empty() {
        return Err(errors);
    }
    let merged = ini_spec::merge(&files);
    Ok((found(&merged.set.profiles), found(&merged.set.sso_sessions)))
}

/// The inputs of the SDK's profile-parser vectors.
fn vectors() -> Vec<(Option<String>, Option<String>)> {
    let path = format!(
        "{}/tests/vectors/profile-parser-tests.json",
        env!("CARGO_MANIFEST_DIR")
    );
    let doc: Json = serde_json::from_str(&std::fs::read_to_string(path).expect("vectors"))
        .expect("vectors are JSON");
    doc["tests"]
        .as_array()
        .expect("tests")
        .iter()
        .map(|case| {
            let text = |key: &str| case["input"][key].as_str().map(str::to_owned);
            (text("configFile"), text("credentialsFile"))
        })
        .collect()
}

/// How a file is perturbed: lines inserted before section headers and at the ends (each a
/// full-line comment or a blank line), and line ends.
#[derive(Debug, Clone)]
struct Perturbation {
    before_headers: Vec<&'static str>,
    at_start: &'static str,
    at_end: &'static str,
    crlf: bool,
}

fn perturbation() -> impl Strategy<Value = Perturbation> {
    let line = prop::sample::select(vec![
        "",
        "# comment",
        "; comment",
        "#[profile x]",
        ";a = b",
        "   ",
    ]);
    (
        prop::collection::vec(line.clone(), 0..6),
        line.clone(),
        line,
        any::<bool>(),
    )
        .prop_map(|(before_headers, at_start, at_end, crlf)| Perturbation {
            before_headers,
            at_start,
            at_end,
            crlf,
        })
}

impl Perturbation {
    fn apply(&self, text: &str) -> String {
        let mut out = format!("{}\n", self.at_start);
        let mut extra = self.before_headers.iter().cycle();
        for line in text.split_inclusive('\n') {
            if line.starts_with('[') && !self.before_headers.is_empty() {
                if let Some(inserted) = extra.next() {
                    out.push_str(inserted);
                    out.push('\n');
                }
            }
            out.push_str(line);
        }
        if !out.ends_with('\n') {
            out.push('\n');
        }
        out.push_str(self.at_end);
        if self.crlf {
            out = out.replace("\r\n", "\n").replace('\n', "\r\n");
        }
        out
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn v2_locations_lie_inside_the_text(text in iniish()) {
        let texts = [("config", text.as_str())];
        match ini_v2::parse(&text, "config") {
            Err(err) => location(&texts, err.location().expect("a place")),
            Ok(file) => {
                for h in &file.headers {
                    location(&texts, &h.location);
                }
                for ignored in &file.ignored {
                    location(&texts, &ignored.location);
                }
                for p in file.sections.values() {
                    profile_locations(&texts, p);
                }
                match ini_v2::config_profiles(&file) {
                    Ok(profiles) => profiles.values().for_each(|p| profile_locations(&texts, p)),
                    Err(err) => location(&texts, err.location().expect("a place")),
                }
            }
        }
    }

    #[test]
    fn spec_locations_lie_inside_their_files(config in iniish(), credentials in iniish()) {
        let texts = [("config", config.as_str()), ("credentials", credentials.as_str())];
        let a = ini_spec::parse(&config, "config", FileKind::Config);
        let b = ini_spec::parse(&credentials, "credentials", FileKind::Credentials);
        spec_locations(&texts, &a);
        spec_locations(&texts, &b);
        let merged = ini_spec::merge(&[&a, &b]);
        for p in merged.set.profiles.values().chain(merged.set.sso_sessions.values()) {
            profile_locations(&texts, p);
        }
        for w in &merged.warnings {
            location(&texts, &w.location);
        }
    }

    #[test]
    fn comments_blank_lines_and_crlf_do_not_change_the_vectors(
        case in 0..65usize,
        on_config in perturbation(),
        on_credentials in perturbation(),
    ) {
        let vectors = vectors();
        let (config, credentials) = &vectors[case];
        let expected = spec_answer(config.as_deref(), credentials.as_deref());
        let config = config.as_deref().map(|t| on_config.apply(t));
        let credentials = credentials.as_deref().map(|t| on_credentials.apply(t));
        let got = spec_answer(config.as_deref(), credentials.as_deref());
        prop_assert_eq!(got, expected, "config {:?} credentials {:?}", config, credentials);
    }
}
