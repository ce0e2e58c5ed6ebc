//! The profile report, `sls-resolve [--stage S] [CONFIG]`, on the README's example
//! (fixtures/example) and on small services written by the tests: snapshots of the text and
//! JSON outputs, the JSON fields of docs/report.md, every credential source and selector, the
//! options and where the stage and region come from, the warnings that save deploys, the exit
//! codes (0 credentials, 1 v3 fails, 2 usage), a missing `HOME`, and `credential_process`
//! never run. (The JSON schema itself is pinned against docs/report.md over every fixture in
//! tests/profile_fixtures.rs.)

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
    assert_eq!(c["account_from"], "role_arn");
    // where the profile is defined, its region (not the deploy region)
    assert_eq!(
        c["defined_at"],
        serde_json::json!([{"file": "aws/credentials", "line": 12, "column": 1}])
    );
    assert_eq!(c["region"], "eu-central-1");
    // the role hop and the base keys that sign it, masked
    assert_eq!(c["keys"]["profile"], "ci-base");
    assert_eq!(c["keys"]["secret_access_key"], "****************EKEY");
    assert_eq!(c["base"]["kind"], "static-keys");
    assert_eq!(c["role_chain"][0]["profile"], "prodProfile");
    assert_eq!(
        c["role_chain"][0]["role_arn"],
        "arn:aws:iam::123456789012:role/deploy"
    );
    assert_eq!(c["role_chain"][0]["line"], 13);
    assert_eq!(j["side_effects"][0]["kind"], "assume-role");
    assert_eq!(j["side_effects"][0]["shadowed"], false);
    assert_eq!(j["side_effects"][0]["region"], "eu-central-1");
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
fn a_shadowed_provider_profile_makes_the_verdict_warn() {
    let shadowed = report(&["--stage", "prod"], &[("AWS_PROFILE", "devProfile")]);
    assert_eq!(shadowed.code, 0, "a deploy still gets credentials");
    let first = shadowed.stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("WARN  new-service / prod:"), "{first}");
    assert!(first.ends_with("; 1 warning below"), "{first}");
    let plain = report(&["--stage", "prod"], &[]);
    let first = plain.stdout.lines().next().unwrap_or_default();
    assert!(first.starts_with("OK    new-service / prod:"), "{first}");
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
        // v3 has no `--profile` for service commands ("Detected unrecognized CLI options")
        &["--profile", "devProfile"],
        &["--engine"],
    ] {
        let run = report(args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.all());
        assert!(run.stdout.is_empty(), "{args:?}: {}", run.stdout);
    }
}

/// A small service with three stages' worth of options, for the option tests.
fn options_service() -> TempDir {
    let dir = TempDir::new("report-options");
    dir.write(
        "sls.yml",
        "service: opts\nparams:\n  default:\n    prof: fromDefault\n  qa-eu:\n    prof: qaProfile\nprovider:\n  name: aws\n  region: ${param:region, 'eu-west-1'}\n  profile: ${param:prof}\n",
    );
    dir.write(
        "home/.aws/credentials",
        "[qaProfile]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x1234\n[cliParam]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = y1234\n",
    );
    dir
}

#[test]
fn short_options_param_and_the_sources_of_stage_and_region() {
    let dir = options_service();
    let home = dir.path().join("home");
    let run = |args: &[&str], env: &[(&str, &str)]| {
        let mut all = vec!["--format", "json"];
        all.extend_from_slice(args);
        sls_resolve(dir.path(), Some(&home), &all, env)
    };
    // -s, -c; the profile comes from `params.<stage>`, located in the file
    let r = run(
        &["-s", "qa-eu", "-c", "sls.yml"],
        &[("AWS_REGION", "ap-east-1")],
    );
    assert_eq!(r.code, 0, "{}", r.all());
    let j = r.json();
    assert_eq!(j["config"], "sls.yml");
    assert_eq!(
        (&j["stage"], &j["stage_source"]),
        (&"qa-eu".into(), &"--stage".into())
    );
    // v3 does not take the deploy region from AWS_REGION
    assert_eq!(
        (&j["region"], &j["region_source"]),
        (&"eu-west-1".into(), &"provider.region".into())
    );
    assert_eq!(j["provider_profile"], "qaProfile");
    let step = &j["provider_profile_chain"][0];
    assert_eq!(step["variable"], "param:prof");
    assert_eq!(step["from"]["kind"], "config");
    assert_eq!(
        (&step["from"]["line"], &step["from"]["column"]),
        (&6.into(), &11.into())
    );
    // -r and --param win, and say so
    let j = run(
        &[
            "-s",
            "qa-eu",
            "-r",
            "ap-south-1",
            "-c",
            "sls.yml",
            "--param",
            "prof=cliParam",
        ],
        &[],
    )
    .json();
    assert_eq!(
        (&j["region"], &j["region_source"]),
        (&"ap-south-1".into(), &"--region".into())
    );
    assert_eq!(j["credentials"]["profile"], "cliParam");
    assert_eq!(j["provider_profile_chain"][0]["from"]["name"], "--param");
    // no --stage and no provider.stage: `dev`, v3's default, with `params.default`
    dir.write("serverless.yml", "service: opts\nprovider:\n  name: aws\n");
    let j = run(
        &[],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAENVKEYEXAMPLE123"),
            ("AWS_SECRET_ACCESS_KEY", "s"),
        ],
    )
    .json();
    assert_eq!(
        (&j["stage"], &j["stage_source"]),
        (&"dev".into(), &"default".into())
    );
    assert_eq!(
        (&j["region"], &j["region_source"]),
        (&"us-east-1".into(), &"default".into())
    );
}

#[test]
fn text_report_reads_in_five_seconds() {
    // the verdict first, then a short report: one screen, no line wider than a terminal
    for (args, verdict) in [
        (
            &["--stage", "prod"][..],
            "OK    new-service / prod: deploys with profile `prodProfile`, selected by provider.profile (account 123456789012)",
        ),
        (
            &["--stage", "dev"],
            "OK    new-service / dev: deploys with profile `devProfile`, selected by provider.profile (account unknown offline)",
        ),
    ] {
        let run = report(args, &[]);
        let first = run.stdout.lines().next().unwrap_or_default();
        assert_eq!(first, verdict);
        assert!(run.stdout.lines().count() <= 25, "{}", run.stdout);
    }
    let run = report(&["--stage", "prod"], &[("AWS_PROFILE", "nope")]);
    assert_eq!(
        run.stdout.lines().next(),
        Some("FAIL  new-service / prod: AWS profile \"nope\" doesn't seem to be configured")
    );
    // the failing run names no winner
    assert!(run.stdout.contains("winner     none"), "{}", run.stdout);
    assert_eq!(
        report(
            &["--stage", "prod", "--format", "json"],
            &[("AWS_PROFILE", "nope")]
        )
        .json()["credentials"]["source"],
        serde_json::Value::Null
    );
}

#[test]
fn without_home_the_files_come_from_the_password_database() {
    // Node's os.homedir() (aws-sdk v2's last fallback) answers from the password database when
    // HOME is unset; so does sls-resolve, and it neither panics nor invents a path.
    let run = sls_resolve(
        &example(),
        None,
        &["--stage", "prod", "--format", "json"],
        &[],
    );
    assert_ne!(run.code, 2, "{}", run.all());
    #[allow(deprecated)] // unix: getpwuid_r, as libuv's uv_os_homedir
    let home = std::env::home_dir().map(|p| p.display().to_string());
    let j = run.json();
    let first = j["files"][0]["path"]
        .as_str()
        .unwrap_or_default()
        .to_string();
    match home {
        Some(home) => assert_eq!(
            first,
            format!("{}/.aws/credentials", home.trim_end_matches('/'))
        ),
        None => assert!(j["files"].as_array().is_some_and(Vec::is_empty), "{j}"),
    }
}

#[test]
fn credential_process_is_never_run() {
    let dir = TempDir::new("report-process");
    let marker = dir.path().join("process-ran");
    let command = format!("/bin/sh -c 'touch {}'", marker.display());
    dir.write(
        "serverless.yml",
        "service: s\nprovider:\n  name: aws\n  profile: proc\n",
    );
    dir.write(
        "home/.aws/credentials",
        &format!(
            "[default]\ncredential_process = {command}\n[proc]\ncredential_process = {command}\n"
        ),
    );
    dir.write(
        "home/.aws/config",
        &format!("[profile proc]\ncredential_process = {command}\n"),
    );
    let home = dir.path().join("home");
    let mut reported = false;
    for engine in ["v3", "sdk"] {
        for format in ["text", "json"] {
            for extra in [&[][..], &["--aws-profile", "default"]] {
                let mut args = vec!["--engine", engine, "--format", format];
                args.extend_from_slice(extra);
                let run = sls_resolve(
                    dir.path(),
                    Some(&home),
                    &args,
                    &[("AWS_SDK_LOAD_CONFIG", "1"), ("AWS_REGION", "eu-west-1")],
                );
                assert_ne!(run.code, 2, "{}", run.all());
                reported |= run.stdout.contains("credential_process");
            }
        }
        // the implicit default reaches the process through the SDK default chain
        dir.write("serverless.yml", "service: s\nprovider:\n  name: aws\n");
        let j = sls_resolve(
            dir.path(),
            Some(&home),
            &["--engine", engine, "--format", "json"],
            &[],
        )
        .json();
        assert_eq!(j["credentials"]["kind"], "credential-process", "{engine}");
        let effects = j["side_effects"].as_array().expect("side effects").clone();
        assert!(
            effects.iter().any(|e| e["kind"] == "runs-process"
                && e["command"] == "/bin/sh -c 'touch <dir>/process-ran'"),
            "{effects:?}"
        );
        dir.write(
            "serverless.yml",
            "service: s\nprovider:\n  name: aws\n  profile: proc\n",
        );
    }
    assert!(reported, "the command is named");
    assert!(!marker.exists(), "credential_process ran");
}

#[test]
fn a_profile_from_a_dotenv_file_names_the_file_and_never_overrides_the_environment() {
    let dir = TempDir::new("report-dotenv-chain");
    dir.write(
        "serverless.yml",
        "service: s\nuseDotenv: true\nprovider:\n  name: aws\n  profile: ${env:DEPLOY_PROFILE}\n",
    );
    dir.write(".env.prod", "DEPLOY_PROFILE=fromDotenv\n");
    dir.write(".env", "DEPLOY_PROFILE=fromPlainDotenv\n");
    dir.write(
        "home/.aws/credentials",
        "[fromDotenv]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x1234\n[fromShell]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = y1234\n",
    );
    let home = dir.path().join("home");
    let args = ["--stage", "prod", "--format", "json"];
    let j = sls_resolve(dir.path(), Some(&home), &args, &[]).json();
    // `.env.<stage>` wins over `.env`, and the chain says which file set the variable
    assert_eq!(j["dotenv"]["file"], ".env.prod");
    assert_eq!(j["provider_profile"], "fromDotenv");
    let step = &j["provider_profile_chain"][0];
    assert_eq!(step["variable"], "env:DEPLOY_PROFILE");
    assert_eq!(step["from"]["kind"], "env");
    assert_eq!(step["from"]["dotenv"], ".env.prod");
    // a variable already set is not overridden by the file
    let j = sls_resolve(
        dir.path(),
        Some(&home),
        &args,
        &[("DEPLOY_PROFILE", "fromShell")],
    )
    .json();
    assert_eq!(j["provider_profile"], "fromShell");
    assert_eq!(
        j["provider_profile_chain"][0]["from"]["dotenv"],
        serde_json::Value::Null
    );
}

/// Offline by construction: the report's code (the engines and the command) has no way to
/// open a socket or start a process.
#[test]
fn the_report_code_cannot_reach_the_network_or_run_a_process() {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("..");
    let mut files = Vec::new();
    for dir in ["sls-aws/src", "sls-resolve/src"] {
        for entry in walk(&root.join(dir)) {
            files.push(entry);
        }
    }
    assert!(files.len() > 10, "{files:?}");
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source");
        for banned in [
            "std::net",
            "TcpStream",
            "UdpSocket",
            "process::Command",
            "Command::new",
        ] {
            assert!(!text.contains(banned), "{} uses `{banned}`", file.display());
        }
    }
}

fn walk(dir: &std::path::Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    for entry in std::fs::read_dir(dir).expect("source dir").flatten() {
        let path = entry.path();
        if path.is_dir() {
            out.extend(walk(&path));
        } else if path.extension().is_some_and(|e| e == "rs") {
            out.push(path);
        }
    }
    out
}

#[test]
fn v3_stops_at_its_first_error_and_never_reaches_the_slots_after_it() {
    // run order: default, provider.profile (not read: --aws-profile), AWS_ACCESS_KEY_ID,
    // AWS_PROFILE (throws), AWS_PROD_*, AWS_PROD_PROFILE, --aws-profile
    let args = [
        "--stage",
        "prod",
        "--aws-profile",
        "devProfile",
        "--format",
        "json",
    ];
    let env = [("AWS_PROFILE", "nope"), ("AWS_PROD_PROFILE", "prodProfile")];
    let j = report(&args, &env).json();
    let status = |selector: &str| {
        j["candidates"]
            .as_array()
            .expect("candidates")
            .iter()
            .find(|c| c["selector"] == selector)
            .map(|c| c["status"].as_str().unwrap_or_default().to_owned())
            .unwrap_or_default()
    };
    assert_eq!(status("AWS_PROFILE"), "failed");
    assert_eq!(status("AWS_PROD_PROFILE"), "skipped");
    assert_eq!(status("--aws-profile"), "skipped");
    assert_eq!(status("provider.profile"), "skipped");
    assert_eq!(codes(&j["errors"]), ["UNRECOGNIZED_AWS_PROFILE"]);
    assert_eq!(j["credentials"]["profile"], serde_json::Value::Null);
    // prodProfile is a role, but its step is never reached: no AssumeRole call
    assert_eq!(j["side_effects"], serde_json::json!([]));
    // osls 4 takes the first source that is set and never looks at AWS_PROFILE
    let mut sdk = args.to_vec();
    sdk.extend(["--engine", "sdk"]);
    let j = report(&sdk, &env).json();
    assert_eq!(j["verdict"], "ok");
    assert_eq!(j["credentials"]["profile"], "devProfile");
}

#[test]
fn a_plugin_that_is_not_installed_is_a_warning_at_its_entry() {
    let dir = TempDir::new("report-plugins");
    dir.write(
        "serverless.yml",
        "service: plug\nprovider:\n  name: aws\n  profile: dev\nplugins:\n  - serverless-offline\n  - ./local-plugin\n  - serverless-absent\n",
    );
    dir.write("node_modules/serverless-offline/package.json", "{}\n");
    dir.write("local-plugin.js", "module.exports = class {};\n");
    dir.write(
        "home/.aws/credentials",
        "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x1234\n",
    );
    let home = dir.path().join("home");
    let run = sls_resolve(dir.path(), Some(&home), &["--format", "json"], &[]);
    assert_eq!(run.code, 0, "a report, not a failure: {}", run.all());
    let j = run.json();
    let plugins: Vec<&serde_json::Value> = j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|w| w["code"] == "plugin-not-installed")
        .collect();
    assert_eq!(plugins.len(), 1, "{j}");
    assert!(
        plugins[0]["message"]
            .as_str()
            .unwrap()
            .contains("\"serverless-absent\"")
    );
    assert_eq!(
        (plugins[0]["line"].as_i64(), plugins[0]["column"].as_i64()),
        (Some(8), Some(5))
    );
    // `print` stops there, as v3 does.
    let print = sls_resolve(dir.path(), Some(&home), &["print"], &[]);
    assert_eq!(print.code, 1);
    assert!(
        print.stderr.contains("PLUGIN_NOT_FOUND"),
        "{}",
        print.stderr
    );
}

#[test]
fn a_missing_profile_named_by_the_configuration_points_at_provider_profile() {
    let dir = TempDir::new("report-ghost-profile");
    dir.write(
        "serverless.yml",
        "service: ghost\nprovider:\n  name: aws\n  profile: ghost\n",
    );
    dir.write(
        "home/.aws/credentials",
        "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x1234\n",
    );
    let home = dir.path().join("home");
    let run = sls_resolve(dir.path(), Some(&home), &["--format", "json"], &[]);
    assert_eq!(run.code, 1);
    let j = run.json();
    assert_eq!(codes(&j["errors"]), ["UNRECOGNIZED_AWS_PROFILE"]);
    let e = &j["errors"][0];
    assert_eq!(
        (e["file"].as_str(), e["line"].as_i64(), e["column"].as_i64()),
        (Some("serverless.yml"), Some(4), Some(12))
    );
    assert_eq!(e["help"], "no section with that name and at least one key");
    // Named by `AWS_PROFILE` instead, it has no place in any file.
    dir.write(
        "serverless.yml",
        "service: ghost\nprovider:\n  name: aws\n  profile: dev\n",
    );
    let run = sls_resolve(
        dir.path(),
        Some(&home),
        &["--format", "json"],
        &[("AWS_PROFILE", "ghost")],
    );
    let j = run.json();
    assert_eq!(codes(&j["errors"]), ["UNRECOGNIZED_AWS_PROFILE"]);
    assert_eq!(j["errors"][0]["line"], serde_json::Value::Null);
}

#[test]
fn a_chosen_profile_whose_deploy_fails_is_not_said_to_win() {
    let dir = TempDir::new("report-chosen-fails");
    dir.write(
        "serverless.yml",
        "service: wf\nprovider:\n  name: aws\n  profile: deploy\n",
    );
    // a role whose source profile has no keys: aws-sdk v2's AssumeRole call cannot be signed
    dir.write(
        "home/.aws/credentials",
        "[deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\n[base]\nregion = eu-west-1\n",
    );
    let home = dir.path().join("home");
    let run = sls_resolve(dir.path(), Some(&home), &[], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("  winner     none: the deploy fails (see the errors below)\n"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains(
            "    provider.profile = deploy: chosen, but the deploy fails (see the errors below)\n"
        ),
        "{}",
        run.stdout
    );
    assert!(!run.stdout.contains("won"), "{}", run.stdout);
    let j = sls_resolve(dir.path(), Some(&home), &["--format", "json"], &[]).json();
    assert_eq!(codes(&j["errors"]), ["AWS_ROLE_SOURCE_WITHOUT_CREDENTIALS"]);
    assert_eq!(j["credentials"]["source"], serde_json::Value::Null);
}

#[test]
fn shadowing_warnings_carry_their_help_in_the_report() {
    let j = report(
        &["--stage", "prod", "--format", "json"],
        &[("AWS_PROFILE", "devProfile")],
    )
    .json();
    let w = j["warnings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|w| w["code"] == "env-profile-shadows-provider-profile")
        .expect("the shadowing warning");
    assert!(
        w["help"]
            .as_str()
            .unwrap()
            .starts_with("unset the variable"),
        "{w}"
    );
}

#[test]
fn an_unrecognized_property_points_at_its_key_as_print_does() {
    let dir = TempDir::new("report-unrecognized");
    dir.write(
        "serverless.yml",
        "service: wf\nconfigValidationMode: error\nprovider:\n  name: aws\n  profile: dev\n  extra: 1\n",
    );
    dir.write(
        "home/.aws/credentials",
        "[dev]\naws_access_key_id = AKIAIOSFODNN7EXAMPLE\naws_secret_access_key = x1234\n",
    );
    let home = dir.path().join("home");
    let j = sls_resolve(dir.path(), Some(&home), &["--format", "json"], &[]).json();
    assert_eq!(
        codes(&j["errors"]),
        ["INVALID_NON_SCHEMA_COMPLIANT_CONFIGURATION"]
    );
    let e = &j["errors"][0];
    assert_eq!(
        (e["line"].as_i64(), e["column"].as_i64()),
        (Some(6), Some(3))
    );
    let print = sls_resolve(dir.path(), Some(&home), &["print"], &[]);
    assert_eq!(print.code, 1);
    assert!(
        print.stderr.contains("[serverless.yml:6:3]"),
        "{}",
        print.stderr
    );
}
