//! The credential-precedence fixtures (fixtures/profiles/*): for each folder, what
//! `sls-resolve --format json --engine v3` and `--engine sdk` choose is compared with what
//! serverless 3.40.0 (`oracle.json`) and osls 4.3.1 (`oracle-sdk.json`) really chose, as
//! recorded by `scripts/record-credentials`. Compared: the outcome (credentials or the error
//! code), `credentials.source`, `.profile` and `.env_prefix`, and the STS AssumeRole calls the
//! tool made (v3 makes them even for profiles that lose). Deliberate differences are listed in
//! [`KNOWN_DIFFERENCES`] with the reason.

mod support;

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;
use support::{fixtures, sls_resolve};

/// `(fixture, engine, reason)`: where sls-resolve deliberately answers differently.
const KNOWN_DIFFERENCES: &[(&str, &str, &str)] = &[
    // osls 4.3.1 reads the AWS files with @aws-sdk/shared-ini-file-loader, which departs from
    // the SDK specification (and the AWS CLI, boto3, the Rust and Go SDKs) in these corners;
    // `--engine sdk` follows the specification, whose vectors it passes.
    (
        "ini-empty-value-dropped",
        "sdk",
        "JS SDK v3 drops `key =` with an empty value; the specification keeps an empty value",
    ),
    (
        "ini-proto-section",
        "sdk",
        "JS SDK v3 skips a `[__proto__]` section; the specification reads it like any other",
    ),
    (
        "ini-section-trailing-comment",
        "sdk",
        "JS SDK v3 does not see `[a];c` as a section; the specification allows a comment after `]`",
    ),
    (
        "ini-spaced-section",
        "sdk",
        "JS SDK v3 keeps the spaces in `[ spaced ]`; the specification trims them",
    ),
    (
        "ini-spaced-section-exact",
        "sdk",
        "the same section, asked for with its spaces: JS SDK v3 finds it, the specification does not",
    ),
    (
        "ini-uppercase-keys",
        "sdk",
        "JS SDK v3 keys are case-sensitive (`AWS_ACCESS_KEY_ID` is unknown); the specification lower-cases them",
    ),
    // osls 4 dropped the Serverless Dashboard; serverless v4 (the other `sdk` world) keeps it.
    (
        "org-app-dashboard",
        "sdk",
        "osls 4 rejects `org`/`app` in its schema; serverless v4 accepts them, so sls-resolve does not fail",
    ),
    (
        "org-app-use-local-credentials",
        "sdk",
        "osls 4 rejects `--use-local-credentials`; serverless v4 accepts it",
    ),
];

/// One fixture run the way the recorder ran the real tools.
fn ours(dir: &Path, engine: &str) -> Value {
    let read = |name: &str| std::fs::read_to_string(dir.join(name)).unwrap_or_default();
    let args = read("args");
    let mut argv: Vec<&str> = vec!["--format", "json", "--engine", engine];
    argv.extend(args.lines().filter(|l| !l.is_empty()));
    let fixture = dir.display().to_string();
    let env_text = read("env");
    let env: Vec<(String, String)> = env_text
        .lines()
        .filter_map(|l| l.split_once('='))
        .map(|(k, v)| (k.to_string(), v.replace("${FIXTURE}", &fixture)))
        .collect();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    let run = sls_resolve(dir, Some(&dir.join("home")), &argv, &env);
    assert_ne!(run.code, 2, "{}: usage error\n{}", dir.display(), run.all());
    run.json()
}

/// What a run comes to, in terms both sides can state.
#[derive(Debug, PartialEq, Eq)]
enum Outcome {
    Credentials {
        source: String,
        profile: Option<String>,
        env_prefix: Option<String>,
    },
    Error(String),
    /// The tool would run `credential_process` (the oracle blocked it; sls-resolve never runs
    /// it): the credentials are whatever the command prints.
    RunsProcess(String),
}

fn text(v: &Value) -> Option<String> {
    v.as_str().map(str::to_string)
}

/// Error codes that name the same failure on both sides.
fn same_error(code: &str) -> &str {
    match code {
        // v3 dies on these inputs (a TypeError, ENOENT, or out of memory on a role loop); our
        // codes say why.
        "PROCESS_CRASHED" => "crash",
        "AWS_SDK_LOAD_ERROR" => "crash",
        // the SDK v3 error class osls passes through unchanged
        "CredentialsProviderError" => "AWS_SDK_CREDENTIALS_ERROR",
        other => other,
    }
}

fn oracle_outcome(o: &Value) -> Outcome {
    match o["outcome"].as_str() {
        Some("credentials") => Outcome::Credentials {
            source: text(&o["credentials"]["source"]).unwrap_or_default(),
            profile: text(&o["credentials"]["profile"]),
            env_prefix: text(&o["credentials"]["env_prefix"]),
        },
        Some("none") => Outcome::Error("AWS_CREDENTIALS_NOT_FOUND".into()),
        _ if o["error"]["code"] == "ORACLE_EXEC_DISABLED" => {
            Outcome::RunsProcess(text(&o["processes"][0]["command"]).unwrap_or_default())
        }
        _ => Outcome::Error(same_error(o["error"]["code"].as_str().unwrap_or("?")).into()),
    }
}

fn our_outcome(j: &Value, v3: bool) -> Outcome {
    if let Some(code) = j["errors"][0]["code"].as_str() {
        // v3 runs out of memory on a role loop where we report the loop
        let code = match code {
            "AWS_SDK_CREDENTIALS_ERROR" if v3 => "crash",
            c => same_error(c),
        };
        return Outcome::Error(code.into());
    }
    let winner = j["credentials"]["selected_by"].as_str().unwrap_or_default();
    let process = j["side_effects"].as_array().and_then(|effects| {
        effects
            .iter()
            .find(|e| e["kind"] == "runs-process" && !e["shadowed"].as_bool().unwrap_or(false))
    });
    if let Some(p) = process.filter(|_| !winner.is_empty()) {
        return Outcome::RunsProcess(text(&p["command"]).unwrap_or_default());
    }
    Outcome::Credentials {
        source: text(&j["credentials"]["source"]).unwrap_or_default(),
        profile: text(&j["credentials"]["profile"]),
        env_prefix: text(&j["credentials"]["env_prefix"]),
    }
}

/// The roles the tool asked STS for.
fn oracle_assumed(o: &Value) -> BTreeSet<String> {
    o["aws_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|c| {
            c["operation"]
                .as_str()
                .is_some_and(|op| op.eq_ignore_ascii_case("assumeRole"))
        })
        .filter_map(|c| text(&c["params"]["RoleArn"]))
        .collect()
}

fn our_assumed(j: &Value) -> BTreeSet<String> {
    j["side_effects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "assume-role")
        .filter_map(|e| text(&e["role_arn"]))
        .collect()
}

#[test]
fn every_fixture_matches_the_recorded_tools() {
    let root = fixtures().join("profiles");
    let mut dirs: Vec<_> = std::fs::read_dir(&root)
        .expect("fixtures/profiles")
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.join("serverless.yml").exists())
        .collect();
    dirs.sort();
    assert!(dirs.len() >= 100, "only {} fixtures", dirs.len());

    let mut mismatches = Vec::new();
    let mut known_seen = BTreeSet::new();
    let mut compared = 0;
    for dir in &dirs {
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        for (engine, file) in [("v3", "oracle.json"), ("sdk", "oracle-sdk.json")] {
            let recorded = std::fs::read_to_string(dir.join(file))
                .unwrap_or_else(|_| panic!("{name}: {file} not recorded"));
            let oracle: Value = serde_json::from_str(&recorded).expect("oracle JSON");
            let j = ours(dir, engine);
            let (want, got) = (oracle_outcome(&oracle), our_outcome(&j, engine == "v3"));
            // STS calls made while choosing credentials; osls makes them only for the winner,
            // lazily, and only when the choice succeeded
            let calls_differ = engine == "v3"
                && matches!(want, Outcome::Credentials { .. })
                && oracle_assumed(&oracle) != our_assumed(&j);
            compared += 1;
            let known = KNOWN_DIFFERENCES
                .iter()
                .any(|(f, e, _)| *f == name && *e == engine);
            if want == got && !calls_differ {
                assert!(
                    !known,
                    "{name} ({engine}) now agrees: remove it from KNOWN_DIFFERENCES"
                );
                continue;
            }
            if known {
                known_seen.insert((name.to_string(), engine));
                continue;
            }
            mismatches.push(format!(
                "{name} ({engine}): recorded {want:?}, ours {got:?}{}",
                if calls_differ {
                    format!(
                        "; AssumeRole recorded {:?}, ours {:?}",
                        oracle_assumed(&oracle),
                        our_assumed(&j)
                    )
                } else {
                    String::new()
                }
            ));
        }
    }
    assert!(
        mismatches.is_empty(),
        "{} of {compared} runs disagree with the recording:\n{}",
        mismatches.len(),
        mismatches.join("\n")
    );
    for (f, e, _) in KNOWN_DIFFERENCES {
        assert!(
            known_seen.contains(&(f.to_string(), *e)),
            "KNOWN_DIFFERENCES names {f} ({e}), which is not a fixture"
        );
    }
}

#[test]
fn every_fixture_is_documented() {
    let root = fixtures().join("profiles");
    for entry in std::fs::read_dir(&root)
        .expect("fixtures/profiles")
        .flatten()
    {
        let dir = entry.path();
        if !dir.is_dir() {
            continue;
        }
        let note = std::fs::read_to_string(dir.join("NOTE")).unwrap_or_default();
        assert!(!note.trim().is_empty(), "{}: NOTE missing", dir.display());
        let name = dir.file_name().and_then(|n| n.to_str()).unwrap_or_default();
        assert!(
            name.chars()
                .all(|c| c.is_ascii_lowercase() || c.is_ascii_digit() || c == '-'),
            "{name}: not kebab-case"
        );
    }
}
