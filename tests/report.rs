//! The profile report, `sls-resolve [--stage S] [CONFIG]`, on the README's example
//! (fixtures/example) and on small services written by the tests: snapshots of the text and
//! JSON outputs, the JSON fields of docs/report.md, every credential source and selector, the
//! warnings that save deploys, and the exit codes (0 credentials, 1 v3 fails, 2 usage).

mod support;

use std::path::PathBuf;

use support::{Run, TempDir, fixtures, sls_resolve, snapshot};

fn example() -> PathBuf {
    fixtures().join("example")
}

/// The report on the example, with its `aws/` folder as the AWS files and a `HOME` that does
/// not exist, so the machine's own `~/.aws` can never leak in.
fn report(args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["--aws-dir", "aws"];
    all.extend_from_slice(args);
    sls_resolve(
        &example(),
        Some(std::path::Path::new("/nonexistent-home")),
        &all,
        env,
    )
}

fn codes(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|f| f["code"].as_str().unwrap_or_default().to_owned())
        .collect()
}

fn selectors(list: &serde_json::Value) -> Vec<String> {
    list.as_array()
        .expect("a list")
        .iter()
        .map(|c| c["selector"].as_str().unwrap_or_default().to_owned())
        .collect()
}

#[test]
fn example_prod_text() {
    let run = report(&["--stage", "prod"], &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    assert!(run.stdout.starts_with("OK    new-service / prod"));
    snapshot("report", "example-prod-text", &run);
}

#[test]
fn example_prod_json() {
    let run = report(&["--stage", "prod", "--format", "json"], &[]);
    assert_eq!(run.code, 0, "{}", run.all());
    let j = run.json();
    assert_eq!(j["schema_version"], 1);
    assert_eq!(j["service"], "new-service");
    assert_eq!(j["stage"], "prod");
    assert_eq!(j["stage_source"], "--stage");
    assert_eq!(j["region"], "us-east-1");
    assert_eq!(j["provider_profile"], "prodProfile");
    let c = &j["credentials"];
    assert_eq!(c["source"], "profile");
    assert_eq!(c["profile"], "prodProfile");
    assert_eq!(c["env_prefix"], serde_json::Value::Null);
    assert_eq!(c["selected_by"], "provider.profile");
    assert_eq!(c["kind"], "assume-role");
    assert_eq!(c["account_id"], "123456789012");
    // the chain of substitutions, each with where it came from
    let chain = j["provider_profile_chain"].as_array().expect("chain");
    assert_eq!(chain[0]["variable"], "sls:stage");
    assert_eq!(chain[0]["from"]["name"], "--stage");
    assert_eq!(chain[1]["variable"], "self:custom.profiles.prod");
    assert_eq!(chain[1]["value"], "prodProfile");
    assert_eq!(
        (&chain[1]["from"]["line"], &chain[1]["from"]["column"]),
        (&serde_json::json!(11), &serde_json::json!(11))
    );
    // the role hop and its base, masked
    let detail = &c["detail"]["chain"];
    assert_eq!(detail["base"]["profile"], "ci-base");
    assert_eq!(detail["base"]["secret_access_key"], "****************EKEY");
    assert_eq!(
        detail["hops"][0]["role_arn"],
        "arn:aws:iam::123456789012:role/deploy"
    );
    assert_eq!(j["side_effects"][0]["kind"], "assume-role");
    assert_eq!(j["side_effects"][0]["shadowed"], false);
    // `[default]` lives only in the config file, which v3 ignores; it is not asked for, so
    // there is nothing to warn about
    assert_eq!(codes(&j["warnings"]), Vec::<String>::new());
    assert_eq!(j["errors"], serde_json::json!([]));
    assert!(!run.stdout.contains("wJalrXUtnFEMI"), "secret printed");
    snapshot("report", "example-prod-json", &run);
}

#[test]
fn stage_from_provider_stage_and_its_fallback_chain() {
    let j = report(&["--format", "json"], &[]).json();
    assert_eq!(j["stage"], "dev");
    assert_eq!(j["stage_source"], "provider.stage");
    assert_eq!(j["credentials"]["profile"], "devProfile");
    assert_eq!(j["credentials"]["kind"], "static-keys");
    assert_eq!(j["credentials"]["account_id"], serde_json::Value::Null);
    let vars: Vec<&str> = j["provider_profile_chain"]
        .as_array()
        .expect("chain")
        .iter()
        .map(|s| s["variable"].as_str().unwrap_or_default())
        .collect();
    assert_eq!(
        vars,
        [
            "sls:stage",
            "opt:stage",
            "self:custom.defaultStage",
            "self:custom.profiles.dev"
        ]
    );
}

#[test]
fn a_missing_profile_in_a_losing_slot_fails_the_deploy() {
    let run = report(
        &["--stage", "prod", "--format", "json"],
        &[("AWS_PROFILE", "nope")],
    );
    assert_eq!(run.code, 1);
    let j = run.json();
    assert_eq!(j["verdict"], "fail");
    assert_eq!(codes(&j["errors"]), ["UNRECOGNIZED_AWS_PROFILE"]);
    // both engines fail for the same reason: they agree
    assert!(!codes(&j["warnings"]).contains(&"engines-disagree".to_owned()));
    let text = report(&["--stage", "prod"], &[("AWS_PROFILE", "nope")]);
    assert_eq!(text.code, 1);
    assert!(text.stdout.starts_with("FAIL  new-service / prod"));
}

#[test]
fn environment_keys_shadow_provider_profile() {
    let j = report(
        &["--stage", "prod", "--format", "json"],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAENVKEYEXAMPLE123"),
            ("AWS_SECRET_ACCESS_KEY", "envSecretThatMustNotPrint"),
        ],
    )
    .json();
    let c = &j["credentials"];
    assert_eq!(c["source"], "env");
    assert_eq!(c["env_prefix"], "AWS");
    assert_eq!(c["selected_by"], "AWS_ACCESS_KEY_ID");
    assert!(selectors(&j["shadowed"]).contains(&"provider.profile".to_owned()));
    assert!(codes(&j["warnings"]).contains(&"env-keys-shadow-provider-profile".to_owned()));
    // shadowed, but v3 still builds the role's credentials: the AssumeRole call happens
    assert_eq!(j["side_effects"][0]["shadowed"], true);
    assert!(!j.to_string().contains("envSecretThatMustNotPrint"));
}

#[test]
fn stage_keys_win_with_their_prefix() {
    let j = report(
        &["--stage", "prod", "--format", "json"],
        &[
            ("AWS_PROD_ACCESS_KEY_ID", "AKIASTAGEKEYEXAMPLE1"),
            ("AWS_PROD_SECRET_ACCESS_KEY", "stageSecretThatMustNotPrint"),
        ],
    )
    .json();
    assert_eq!(j["credentials"]["source"], "env");
    assert_eq!(j["credentials"]["env_prefix"], "AWS_PROD");
    assert_eq!(j["credentials"]["selected_by"], "AWS_PROD_ACCESS_KEY_ID");
}

#[test]
fn aws_profile_flag_beats_everything() {
    let j = report(
        &[
            "--stage",
            "prod",
            "--aws-profile",
            "devProfile",
            "--format",
            "json",
        ],
        &[
            ("AWS_PROFILE", "prodProfile"),
            ("AWS_PROD_PROFILE", "prodProfile"),
        ],
    )
    .json();
    assert_eq!(j["credentials"]["profile"], "devProfile");
    assert_eq!(j["credentials"]["selected_by"], "--aws-profile");
    let shadowed = selectors(&j["shadowed"]);
    for s in ["AWS_PROD_PROFILE", "AWS_PROFILE", "provider.profile"] {
        assert!(shadowed.contains(&s.to_owned()), "{s} in {shadowed:?}");
    }
}

#[test]
fn resolution_error_stops_before_credentials() {
    let run = report(&["--stage", "staging"], &[]);
    assert_eq!(run.code, 1);
    // the text report carries the diagnostic, with its code frame and hint
    assert!(run.stdout.contains("has `dev`, `prod`"), "{}", run.stdout);
    snapshot("report", "example-staging-text", &run);
    let j = report(&["--stage", "staging", "--format", "json"], &[]).json();
    assert_eq!(j["provider_profile"], serde_json::Value::Null);
    assert_eq!(j["credentials"]["evaluated"], false);
    assert_eq!(j["credentials"]["source"], serde_json::Value::Null);
    let e = &j["errors"][0];
    assert_eq!(e["code"], "MISSING_VARIABLE_RESULT");
    assert_eq!((&e["line"], &e["column"]), (&6.into(), &12.into()));
    assert_eq!(codes(&j["warnings"]), ["credentials-not-evaluated"]);
}

#[test]
fn sdk_engine_reads_the_config_file() {
    let j = report(
        &["--stage", "prod", "--engine", "sdk", "--format", "json"],
        &[],
    )
    .json();
    assert_eq!(j["engine"], "sdk");
    assert_eq!(j["credentials"]["profile"], "prodProfile");
    assert_eq!(j["other_engine"]["engine"], "v3");
    let files: Vec<&str> = j["files"]
        .as_array()
        .expect("files")
        .iter()
        .filter(|f| f["read"] == true)
        .map(|f| f["path"].as_str().unwrap_or_default())
        .collect();
    assert!(files.contains(&"aws/config"), "{files:?}");
}

#[test]
fn aws_dir_replaces_home_in_every_path() {
    for args in [
        &["--stage", "prod"][..],
        &["--stage", "prod", "--format", "json"],
        &["--stage", "prod", "--engine", "sdk"],
    ] {
        let run = report(args, &[]);
        assert!(!run.all().contains("nonexistent-home"), "{}", run.all());
    }
}

#[test]
fn profile_through_provider_stage_does_not_follow_the_flag() {
    let dir = TempDir::new("report-stage-mismatch");
    dir.write(
        "serverless.yml",
        "service: s\nprovider:\n  name: aws\n  stage: dev\n  profile: ${self:custom.profiles.${self:provider.stage}}\ncustom:\n  profiles:\n    dev: devProfile\n    prod: prodProfile\n",
    );
    dir.write(
        "home/.aws/credentials",
        "[devProfile]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x1234\n[prodProfile]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = y1234\n",
    );
    let run = sls_resolve(
        dir.path(),
        Some(&dir.path().join("home")),
        &["--stage", "prod", "--format", "json"],
        &[],
    );
    let j = run.json();
    assert_eq!(j["stage"], "prod");
    assert_eq!(j["provider_profile"], "devProfile");
    assert!(codes(&j["warnings"]).contains(&"provider-stage-mismatch".to_owned()));
}

#[test]
fn dotenv_and_dashboard_are_reported() {
    let dir = TempDir::new("report-dotenv");
    dir.write(
        "serverless.yml",
        "service: s\norg: acme\napp: shop\nuseDotenv: true\nprovider:\n  name: aws\n  profile: devProfile\n",
    );
    dir.write(".env.dev", "AWS_PROFILE=other\n");
    dir.write(
        "home/.aws/credentials",
        "[devProfile]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x1234\n[other]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = y1234\n",
    );
    let j = sls_resolve(
        dir.path(),
        Some(&dir.path().join("home")),
        &["--format", "json"],
        &[],
    )
    .json();
    assert_eq!(j["dotenv"]["file"], ".env.dev");
    assert_eq!(j["credentials"]["profile"], "other");
    assert_eq!(j["credentials"]["selected_by"], "AWS_PROFILE");
    let warnings = codes(&j["warnings"]);
    assert!(
        warnings.contains(&"dashboard-may-override".to_owned()),
        "{warnings:?}"
    );
}

#[test]
fn no_aws_files_at_all() {
    let dir = TempDir::new("report-no-files");
    dir.write(
        "serverless.yml",
        "service: s\nprovider:\n  name: aws\n  profile: prodProfile\n",
    );
    let j = sls_resolve(
        dir.path(),
        Some(&dir.path().join("home")),
        &["--format", "json"],
        &[],
    )
    .json();
    assert_eq!(codes(&j["errors"]), ["UNRECOGNIZED_AWS_PROFILE"]);
    // without provider.profile and without files only instance metadata could answer: v3
    // aborts with its "credentials not found" error
    dir.write("serverless.yml", "service: s\nprovider:\n  name: aws\n");
    let home = dir.path().join("home");
    let run = sls_resolve(dir.path(), Some(&home), &["--format", "json"], &[]);
    assert_eq!(run.code, 1);
    assert_eq!(codes(&run.json()["errors"]), ["AWS_CREDENTIALS_NOT_FOUND"]);
    // environment keys are enough
    let run = sls_resolve(
        dir.path(),
        Some(&home),
        &["--format", "json"],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAENVKEYEXAMPLE123"),
            ("AWS_SECRET_ACCESS_KEY", "envSecretThatMustNotPrint"),
        ],
    );
    assert_eq!(run.code, 0, "{}", run.all());
    assert_eq!(run.json()["credentials"]["source"], "env");
}

#[test]
fn usage_errors_exit_2() {
    for args in [
        &["--format", "yaml"][..],
        &["--engine", "v4"],
        &["--bogus"],
        &["missing-dir"],
        &["--stage"],
    ] {
        let run = report(args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}
