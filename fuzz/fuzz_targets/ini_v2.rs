//! The aws-sdk-js v2 INI reader and its config-file rules: no panic on any text; every location
//! lies inside the text, on character boundaries, with the right line and column.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sls_aws::ini_v2;
use sls_aws::{Location, Profile};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    let file = match ini_v2::parse(&text, "config") {
        Ok(file) => file,
        Err(err) => {
            if let Some(l) = err.location() {
                location(&text, l);
            }
            return;
        }
    };
    for header in &file.headers {
        location(&text, &header.location);
    }
    for ignored in &file.ignored {
        location(&text, &ignored.location);
    }
    for profile in file.sections.values() {
        profile_locations(&text, profile);
    }
    match ini_v2::config_profiles(&file) {
        Ok(profiles) => profiles.values().for_each(|p| profile_locations(&text, p)),
        Err(err) => {
            if let Some(l) = err.location() {
                location(&text, l);
            }
        }
    }
    ini_v2::config_sso_sessions(&file)
        .values()
        .for_each(|p| profile_locations(&text, p));
});

fn profile_locations(text: &str, profile: &Profile) {
    for l in &profile.sections {
        location(text, l);
    }
    for property in profile.properties.values() {
        if let Some(l) = &property.location {
            location(text, l);
        }
    }
}

fn location(text: &str, l: &Location) {
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
