//! Snapshots of what a user sees: `sls-resolve print` (YAML, the default) on every fixture, with
//! the rendered diagnostics (no colour, fixed width) when it fails.

#[path = "print_fixtures.rs"]
#[allow(dead_code)]
mod fixtures;

/// `sls:instanceId` is a millisecond timestamp: mask 13-digit runs so snapshots are stable.
fn mask_instance_ids(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut digits = String::new();
    for c in text.chars().chain(std::iter::once('\0')) {
        if c.is_ascii_digit() {
            digits.push(c);
            continue;
        }
        if digits.len() == 13 {
            out.push_str("[instance-id]");
        } else {
            out.push_str(&digits);
        }
        digits.clear();
        if c != '\0' {
            out.push(c);
        }
    }
    out
}

#[test]
fn print_yaml_and_diagnostics() {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path("snapshots/print");
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        for dir in fixtures::fixture_dirs() {
            let name = dir.file_name().unwrap().to_string_lossy().into_owned();
            let run = fixtures::run(&dir, &[]);
            let canonical = std::fs::canonicalize(&dir).unwrap_or_else(|_| dir.clone());
            let unpath = |text: &str| {
                text.replace(&canonical.display().to_string(), "<fixture>")
                    .replace(&dir.display().to_string(), "<fixture>")
            };
            let shown = format!(
                "exit: {}\n--- stdout\n{}--- stderr\n{}",
                run.code,
                mask_instance_ids(&unpath(&run.stdout)),
                mask_instance_ids(&unpath(&run.stderr))
            );
            insta::assert_snapshot!(name, shown);
        }
    });
}
