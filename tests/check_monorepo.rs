//! `sls-resolve check` on the fixture monorepo (fixtures/check/monorepo): snapshots of the text,
//! JSON and GitHub outputs, exit codes, the shadowing environment, policy flags and usage errors.

mod support;

use std::path::{Path, PathBuf};
use std::process::Command;

use support::Run;

fn monorepo() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/check/monorepo")
}

/// Runs `check` in the monorepo with a clean environment: `HOME` is the fixture's `home/`, plus
/// the fixture's `env` file and `extra_env`.
fn check(args: &[&str], extra_env: &[(&str, &str)]) -> Run {
    let dir = std::fs::canonicalize(monorepo()).expect("fixture exists");
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sls-resolve"));
    cmd.arg("check")
        .args(args)
        .current_dir(&dir)
        .env_clear()
        .env("HOME", dir.join("home"))
        .env("NO_COLOR", "1");
    let env = std::fs::read_to_string(dir.join("env")).unwrap_or_default();
    for line in env.lines() {
        if let Some((k, v)) = line.split_once('=') {
            cmd.env(k, v);
        }
    }
    cmd.envs(extra_env.iter().copied());
    let out = cmd.output().expect("binary runs");
    let unpath =
        |s: &[u8]| String::from_utf8_lossy(s).replace(&dir.display().to_string(), "<monorepo>");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: unpath(&out.stdout),
        stderr: unpath(&out.stderr),
    }
}

fn snapshot(name: &str, run: &Run) {
    support::snapshot("check", name, run);
}

fn result<'a>(doc: &'a serde_json::Value, service: &str, stage: &str) -> &'a serde_json::Value {
    doc["results"]
        .as_array()
        .and_then(|rs| {
            rs.iter()
                .find(|r| r["service"] == service && r["stage"] == stage)
        })
        .unwrap_or_else(|| panic!("no result for {service}/{stage}"))
}

fn codes(r: &serde_json::Value) -> Vec<String> {
    r["findings"]
        .as_array()
        .map(|f| {
            f.iter()
                .map(|x| x["code"].as_str().unwrap_or_default().to_owned())
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn text_matrix_and_diagnostics() {
    let run = check(&[], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    snapshot("monorepo-text", &run);
}

#[test]
fn json_has_every_service_and_stage_with_findings() {
    let run = check(&["--format", "json"], &[]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    let pairs: Vec<(String, String)> = doc["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["service"].as_str().unwrap().to_owned(),
                r["stage"].as_str().unwrap().to_owned(),
            )
        })
        .collect();
    let expected = [
        ("api", "dev"),
        ("api", "prod"),
        ("billing", "dev"),
        ("billing", "staging"),
        ("billing", "prod"),
        ("web", "dev"),
        ("web", "prod"),
    ];
    assert_eq!(
        pairs,
        expected.map(|(a, b)| (a.to_owned(), b.to_owned())),
        "node_modules is skipped, order is stable"
    );
    let api_prod = result(&doc, "api", "prod");
    assert_eq!(api_prod["verdict"], "ok");
    assert_eq!(api_prod["account"], "123456789012");
    assert_eq!(api_prod["credentials"]["source"], "profile");
    assert_eq!(api_prod["credentials"]["kind"], "assume-role");
    let staging = result(&doc, "billing", "staging");
    assert_eq!(
        codes(staging),
        ["MISSING_VARIABLE_RESULT", "credentials-not-evaluated"]
    );
    assert_eq!(
        staging["findings"][0]["file"],
        "services/billing/serverless.yml"
    );
    assert_eq!(staging["findings"][0]["line"], 7);
    assert_eq!(staging["findings"][0]["column"], 12);
    assert_eq!(
        codes(result(&doc, "billing", "prod")),
        ["policy-account-mismatch"]
    );
    let web_prod = result(&doc, "web", "prod");
    assert!(codes(web_prod).contains(&"provider-stage-mismatch".to_owned()));
    assert!(codes(web_prod).contains(&"policy-profiles-not-distinct".to_owned()));
    assert_eq!(
        result(&doc, "web", "prod")["found_by"][0],
        "key of custom.profiles"
    );
    assert_eq!(doc["summary"]["errors"], 5);
    assert_eq!(doc["summary"]["warnings"], 1);
    snapshot("monorepo-json", &run);
}

#[test]
fn github_annotations_use_relative_paths() {
    let run = check(&["--format", "github"], &[]);
    assert_eq!(run.code, 1);
    let first = run.stdout.lines().next().expect("annotations");
    assert!(
        first.starts_with("::error file=services/billing/serverless.yml,line=7,col=12,title=MISSING_VARIABLE_RESULT"),
        "{first}"
    );
    snapshot("monorepo-github", &run);
}

#[test]
fn a_shadowing_environment_is_reported() {
    let run = check(
        &["--format", "json", "--stage", "prod", "services/api"],
        &[("AWS_PROFILE", "api-dev")],
    );
    let doc = run.json();
    let api = result(&doc, "api", "prod");
    assert_eq!(api["credentials"]["profile"], "api-dev");
    assert_eq!(api["credentials"]["selected_by"], "AWS_PROFILE");
    assert!(
        codes(api).contains(&"env-profile-shadows-provider-profile".to_owned()),
        "{api}"
    );
    // the policy expects prod in 123456789012: the shadowing profile's account is unknown
    assert!(codes(api).contains(&"policy-account-unverifiable".to_owned()));
    assert_eq!(run.code, 1);
}

#[test]
fn stage_filter_flags_and_deny_warnings() {
    let run = check(&["--stage", "dev", "services/api"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = check(
        &[
            "--stage",
            "dev",
            "--expect-profile",
            "dev=other",
            "services/api",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    assert!(
        run.stdout.contains("policy-profile-mismatch"),
        "{}",
        run.stdout
    );
    let run = check(
        &["--stage", "dev", "--deny-warnings", "services/api"],
        &[("AWS_PROFILE", "api-dev")],
    );
    assert_eq!(
        run.code, 0,
        "the same profile shadows nothing: {}",
        run.stdout
    );
    let run = check(
        &["--stage", "dev", "--deny-warnings", "services/api"],
        &[("AWS_PROFILE", "base")],
    );
    assert_eq!(run.code, 1, "{}", run.stdout);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let run = check(&["no/such/dir"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no/such/dir"), "{}", run.stderr);
    let run = check(&["--expect-account", "prod=12"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = check(&["--format", "xml"], &[]);
    assert_eq!(run.code, 2);
}
