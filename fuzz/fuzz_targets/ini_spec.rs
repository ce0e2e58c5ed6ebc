//! The SDK-specification INI reader and the merge of both files: no panic on any pair of texts
//! (the input is split at its first NUL byte: config, then credentials); every location lies
//! inside its own file, on character boundaries, with the right line and column.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sls_aws::ini_spec::{self, FileKind};
use sls_aws::{Location, Profile};

fuzz_target!(|data: &[u8]| {
    let (config, credentials) = match data.iter().position(|&b| b == 0) {
        Some(i) => (&data[..i], &data[i + 1..]),
        None => (data, &[][..]),
    };
    let config = String::from_utf8_lossy(config);
    let credentials = String::from_utf8_lossy(credentials);
    let texts = [("config", &*config), ("credentials", &*credentials)];
    let a = ini_spec::parse(&config, "config", FileKind::Config);
    let b = ini_spec::parse(&credentials, "credentials", FileKind::Credentials);
    for file in [&a, &b] {
        for section in &file.sections {
            location(&texts, &section.location);
            for property in &section.properties {
                location(&texts, &property.location);
            }
        }
        for err in &file.errors {
            if let Some(l) = err.location() {
                location(&texts, l);
            }
        }
    }
    let merged = ini_spec::merge(&[&a, &b]);
    for profile in merged
        .set
        .profiles
        .values()
        .chain(merged.set.sso_sessions.values())
    {
        profile_locations(&texts, profile);
    }
    for warning in &merged.warnings {
        location(&texts, &warning.location);
    }
});

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

fn location(texts: &[(&str, &str)], l: &Location) {
    let (_, text) = texts
        .iter()
        .find(|(name, _)| *name == l.file)
        .unwrap_or_else(|| panic!("location in an unknown file {:?}", l.file));
    let s = l.span;
    assert!(
        s.start <= s.end && s.end <= text.len(),
        "{s:?} outside 0..{}",
        text.len()
    );
    assert!(
        text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
        "{s:?}"
    );
    let before = &text[..s.start];
    assert_eq!(s.line, before.matches('\n').count() + 1, "{s:?}");
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    assert_eq!(s.column, before[line_start..].chars().count() + 1, "{s:?}");
}
