//! Differential tests: every fixture under `fixtures/print/` against what the real
//! `serverless print` (v3.40.0) printed for it, recorded in the fixture's `oracle.json`.
//!
//! A fixture is a folder with `serverless.yml` (or `.json`), any files it includes, optional
//! `args` (one CLI argument per line) and `env` (`KEY=VALUE` per line). The binary runs in that
//! folder with only that environment. On success the JSON output must be byte-identical; on
//! failure the exit code must be 1 and the message (`--error-format v3`) identical. Deliberate
//! differences are listed in [`DIFFERENCES`], each with its reason; nowhere else.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;

/// Fixtures where sls-resolve deliberately differs from v3, and why.
const DIFFERENCES: &[(&str, Difference, &str)] = &[
    (
        "file-invalid-yaml",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "file-json-parse-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "json-config-parse-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "yaml-duplicate-key-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "yaml-syntax-error-code-frame",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "yaml-tab-indentation-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "yaml-unknown-tag-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "yaml-explicit-null-tag-on-quoted-empty-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "fallback-not-taken-on-invalid-yaml-file",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "yaml-merge-of-sequence-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "yaml-duplicate-key-after-merge-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "yaml-language-extension-tag-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "yaml-two-tags-on-one-node-error",
        Difference::Message,
        "the YAML/JSON parser's message differs from js-yaml's (ours points at the span; theirs quotes absolute paths)",
    ),
    (
        "opt-short-flags-grouped-error",
        Difference::Usage,
        "`-sprod` is refused as a usage error (exit 2) naming the grouped letters, where v3 exits 1 with \"Detected unrecognized CLI options\"",
    ),
    (
        "print-config-flag-unsupported-extension",
        Difference::Usage,
        "a `--config` extension v3 cannot load is a usage error (exit 2)",
    ),
    (
        "print-config-flag-without-extension",
        Difference::Usage,
        "a `--config` extension v3 cannot load is a usage error (exit 2)",
    ),
    (
        "print-config-flag-directory",
        Difference::Usage,
        "a `--config` naming a directory is a usage error (exit 2)",
    ),
    (
        "config-serverless-js-refused",
        Difference::Usage,
        "JavaScript configurations are refused (exit 2): running them is not offline-safe",
    ),
    (
        "config-flag-js-refused",
        Difference::Usage,
        "JavaScript configurations are refused (exit 2): running them is not offline-safe",
    ),
    (
        "config-serverless-ts-refused",
        Difference::Usage,
        "TypeScript configurations are refused (exit 2): running them is not offline-safe",
    ),
    (
        "param-cli-empty-equals-value",
        Difference::Message,
        "v3 crashes on the null `--param=` item with a TypeError and its stack trace; we name the invalid value",
    ),
    (
        "circular-two-properties-reference-root",
        Difference::Message,
        "v3 fails here with memoizee's \"Circular invocation\" (a stack trace) and then an uncaught exception; we report each cycle",
    ),
    (
        "circular-two-siblings-reference-parent",
        Difference::Message,
        "v3 fails here with memoizee's \"Circular invocation\" (a stack trace) and then an uncaught exception; we report each cycle",
    ),
    (
        "circular-reference-through-self-referencing-property",
        Difference::Message,
        "v3 fails here with memoizee's \"Circular invocation\" (a stack trace) and then an uncaught exception; we report each cycle",
    ),
    (
        "opt-unknown-cli-flag-rejected",
        Difference::Usage,
        "unknown options are a usage error (exit 2) with clap's message, as the issue asks",
    ),
    (
        "print-invalid-format",
        Difference::Usage,
        "`--format` values are checked by clap: a usage error (exit 2)",
    ),
    (
        "print-invalid-transform",
        Difference::Usage,
        "`--transform` values are checked by clap: a usage error (exit 2)",
    ),
    (
        "print-config-flag-missing-file",
        Difference::Usage,
        "a missing config file is an I/O error (exit 2), without v3's stray quote",
    ),
    (
        "print-no-config-file",
        Difference::Usage,
        "no configuration found is an I/O error (exit 2)",
    ),
    (
        "js-file-function-and-object-exports",
        Difference::Offline,
        "JavaScript variable files are not run: not offline-safe",
    ),
    (
        "remote-aws-account-id",
        Difference::Offline,
        "`aws:accountId` needs STS: an offline error instead of a network call",
    ),
    (
        "remote-cf-in-custom",
        Difference::Offline,
        "`cf` needs CloudFormation: an offline error instead of a network call",
    ),
    (
        "remote-s3-in-custom",
        Difference::Offline,
        "`s3` needs S3: an offline error instead of a network call",
    ),
    (
        "remote-ssm-error-not-rescued-by-fallback",
        Difference::Offline,
        "`ssm` needs SSM: an offline error instead of a network call",
    ),
    (
        "remote-ssm-without-credentials",
        Difference::Offline,
        "`ssm` needs SSM: an offline error instead of a network call",
    ),
    (
        "yaml-lone-surrogate-escape",
        Difference::LoneSurrogate,
        "a JavaScript string may hold an unpaired UTF-16 surrogate (`\"\\uD800\"`), a Rust string cannot: sls-resolve reads it as U+FFFD",
    ),
    (
        "sls-instance-id",
        Difference::Volatile,
        "`sls:instanceId` is the start time in milliseconds",
    ),
    (
        "phase-provider-region-from-sls-instance-id",
        Difference::Volatile,
        "`sls:instanceId` is the start time in milliseconds",
    ),
    (
        "sls-instance-id-same-everywhere",
        Difference::Volatile,
        "`sls:instanceId` is the start time in milliseconds",
    ),
];

/// Not deliberate: v3 behaviour not implemented yet. The test fails when one of these starts to
/// agree, so the list stays exact.
const KNOWN_GAPS: &[&str] = &[];

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[allow(dead_code)] // each kind is used as fixtures need it
enum Difference {
    /// Output with an unpaired surrogate, which becomes U+FFFD here: compared with v3's
    /// `\udXXX` escapes of lone surrogates replaced by U+FFFD.
    LoneSurrogate,
    /// Same exit code, different message text (e.g. a YAML parser message, which quotes the
    /// parser's own wording and absolute paths).
    Message,
    /// Output that varies per run (`sls:instanceId`): compared with digits masked.
    Volatile,
    /// We report an error where v3 would need the network or run JavaScript.
    Offline,
    /// A usage or I/O error (exit 2) where v3 exits 1 (or, for scripted configurations, runs
    /// them).
    Usage,
}

pub fn fixtures_root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/print")
}

pub fn fixture_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(fixtures_root())
        .expect("fixtures/print exists")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("oracle.json").is_file())
        .collect();
    dirs.sort();
    dirs
}

pub fn lines(path: &Path) -> Vec<String> {
    std::fs::read_to_string(path)
        .map(|t| t.lines().map(str::to_owned).collect())
        .unwrap_or_default()
}

pub fn fixture_env(dir: &Path) -> BTreeMap<String, String> {
    lines(&dir.join("env"))
        .into_iter()
        .filter(|l| !l.is_empty())
        .filter_map(|l| l.split_once('=').map(|(k, v)| (k.to_owned(), v.to_owned())))
        .collect()
}

pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

pub fn run(dir: &Path, extra: &[&str]) -> Run {
    let mut args = vec!["print".to_owned()];
    args.extend(
        lines(&dir.join("args"))
            .into_iter()
            .filter(|l| !l.is_empty()),
    );
    args.extend(extra.iter().map(|s| (*s).to_owned()));
    let output = Command::new(env!("CARGO_BIN_EXE_sls-resolve"))
        .args(&args)
        .current_dir(dir)
        .env_clear()
        .envs(fixture_env(dir))
        .env("NO_COLOR", "1")
        .output()
        .expect("binary runs");
    Run {
        code: output.status.code().unwrap_or(-1),
        stdout: String::from_utf8_lossy(&output.stdout).into_owned(),
        stderr: String::from_utf8_lossy(&output.stderr).into_owned(),
    }
}

fn mask_digits(s: &str) -> String {
    s.chars()
        .map(|c| if c.is_ascii_digit() { '#' } else { c })
        .collect()
}

#[test]
fn print_json_agrees_with_serverless() {
    let mut failures = Vec::new();
    let mut agreed = 0;
    let dirs = fixture_dirs();
    assert!(
        dirs.len() >= 120,
        "expected at least 120 fixtures, found {}",
        dirs.len()
    );
    for dir in &dirs {
        let name = dir.file_name().unwrap().to_string_lossy().into_owned();
        let oracle: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("oracle.json")).unwrap())
                .unwrap();
        let expected_code = oracle["exit_code"].as_i64().unwrap() as i32;
        let difference = DIFFERENCES
            .iter()
            .find(|(n, _, _)| *n == name)
            .map(|(_, d, _)| *d);
        let extra: &[&str] = if dir.join("recorder-no-json").exists() {
            &["--error-format", "v3"]
        } else {
            &["--format", "json", "--error-format", "v3"]
        };
        let ours = run(dir, extra);
        let ok = if expected_code == 0 {
            let expected = oracle["stdout"].as_str().unwrap();
            match difference {
                Some(Difference::Volatile) => {
                    ours.code == 0 && mask_digits(&ours.stdout) == mask_digits(expected)
                }
                Some(Difference::LoneSurrogate) => {
                    ours.code == 0 && ours.stdout == replace_lone_surrogates(expected)
                }
                Some(Difference::Offline) => ours.code == 1,
                Some(Difference::Usage) => ours.code == 2,
                _ => ours.code == 0 && ours.stdout == expected,
            }
        } else {
            let expected = oracle["error"].as_str().unwrap_or_default();
            match difference {
                Some(Difference::Message | Difference::Offline) => ours.code == 1,
                Some(Difference::Usage) => ours.code == 2,
                _ => ours.code == 1 && ours.stderr.trim_end() == expected.trim_end(),
            }
        };
        let gap = KNOWN_GAPS.contains(&name.as_str());
        if gap {
            if ok {
                failures.push(format!("--- {name} now agrees: remove it from KNOWN_GAPS"));
            }
            continue;
        }
        if ok {
            agreed += 1;
        } else {
            failures.push(format!(
                "--- {name} (oracle exit {expected_code}, ours {})\nexpected stdout: {}\nexpected error: {}\nour stdout: {}\nour stderr: {}",
                ours.code,
                oracle["stdout"].as_str().unwrap_or_default(),
                oracle["error"].as_str().unwrap_or_default(),
                ours.stdout,
                ours.stderr
            ));
        }
    }
    eprintln!(
        "{agreed} of {} fixtures agree with serverless print ({} deliberate differences, {} known gaps)",
        dirs.len(),
        DIFFERENCES.len(),
        KNOWN_GAPS.len()
    );
    assert!(
        failures.is_empty(),
        "{} disagree:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn known_gaps_name_existing_fixtures() {
    for name in KNOWN_GAPS {
        assert!(
            fixtures_root().join(name).is_dir(),
            "{name} is not a fixture"
        );
    }
}

#[test]
fn differences_name_existing_fixtures() {
    for (name, _, reason) in DIFFERENCES {
        assert!(
            fixtures_root().join(name).is_dir(),
            "{name} is not a fixture"
        );
        assert!(!reason.is_empty());
    }
}

/// `JSON.stringify`'s escapes of unpaired surrogates (`\ud800`), as U+FFFD.
fn replace_lone_surrogates(json: &str) -> String {
    let mut out = String::with_capacity(json.len());
    let mut rest = json;
    while let Some(at) = rest.find("\\ud") {
        out.push_str(&rest[..at]);
        let escape = rest.get(at..at + 6).unwrap_or_default();
        let surrogate = escape.len() == 6
            && u16::from_str_radix(&escape[2..], 16).is_ok_and(|u| (0xd800..0xe000).contains(&u));
        if surrogate {
            out.push('\u{fffd}');
            rest = &rest[at + 6..];
        } else {
            out.push_str(&rest[at..at + 2]);
            rest = &rest[at + 2..];
        }
    }
    out.push_str(rest);
    out
}
