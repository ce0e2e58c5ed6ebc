//! `sls-resolve check`, the pre-deploy gate, against issue 4 requirement by requirement:
//! the fixture monorepo (fixtures/check/monorepo: several services and stages, a broken stage, a
//! shadowing CI environment, a policy violation) in the three output formats with exit codes,
//! then one scenario per requirement or edge case in a temporary folder, and the finding codes
//! against the list in docs/ci.md.

mod support;

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::Command;

use support::{Run, TempDir, sls_resolve};

fn monorepo() -> PathBuf {
    std::fs::canonicalize(
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/check/monorepo"),
    )
    .expect("fixture exists")
}

/// Runs `check ARGS` in `cwd` (the monorepo or a folder below it) with a clean environment:
/// `HOME` is the fixture's `home/`, plus the fixture's `env` file (the CI environment) and
/// `extra_env`.
fn check_in(cwd: &Path, args: &[&str], extra_env: &[(&str, &str)]) -> Run {
    let dir = monorepo();
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sls-resolve"));
    cmd.arg("check")
        .args(args)
        .current_dir(cwd)
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

fn check(args: &[&str], extra_env: &[(&str, &str)]) -> Run {
    check_in(&monorepo(), args, extra_env)
}

/// `check ARGS` in a scenario folder: nothing in the environment but `env`.
fn check_dir(dir: &TempDir, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut all = vec!["check"];
    all.extend_from_slice(args);
    let run = sls_resolve(dir.path(), None, &all, env);
    if args.windows(2).any(|w| w == ["--format", "json"]) && run.code != 2 {
        assert_documented(&run.json());
    }
    run
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
        .unwrap_or_else(|| panic!("no result for {service}/{stage}: {doc}"))
}

fn by_config<'a>(doc: &'a serde_json::Value, config: &str) -> &'a serde_json::Value {
    doc["results"]
        .as_array()
        .and_then(|rs| rs.iter().find(|r| r["config"] == config))
        .unwrap_or_else(|| panic!("no result for {config}: {doc}"))
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

fn finding<'a>(r: &'a serde_json::Value, code: &str) -> &'a serde_json::Value {
    r["findings"]
        .as_array()
        .and_then(|f| f.iter().find(|x| x["code"] == code))
        .unwrap_or_else(|| panic!("no {code} in {r}"))
}

// ---- the fixture monorepo ---------------------------------------------------------------

#[test]
fn text_matrix_and_diagnostics() {
    let run = check(&[], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let header = run.stdout.lines().next().expect("matrix");
    for column in [
        "SERVICE",
        "STAGE",
        "FOUND BY",
        "PROFILE",
        "CREDENTIALS",
        "ACCOUNT",
        "VERDICT",
    ] {
        assert!(header.contains(column), "{header}");
    }
    // code frames name the file as the matrix does, relative to the working directory
    assert!(
        run.stdout
            .contains("╭─[services/billing/serverless.yml:7:12]"),
        "{}",
        run.stdout
    );
    snapshot("monorepo-text", &run);
}

#[test]
fn json_has_every_service_and_stage_with_findings() {
    let run = check(&["--format", "json"], &[]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    assert_documented(&doc);
    assert_eq!(doc["schema_version"], 1);
    assert_eq!(doc["policy"], ".sls-resolve.yml");
    let pairs: Vec<(String, String)> = doc["results"]
        .as_array()
        .expect("results")
        .iter()
        .map(|r| {
            (
                r["config"].as_str().unwrap().to_owned(),
                r["stage"].as_str().unwrap_or("-").to_owned(),
            )
        })
        .collect();
    let expected = [
        ("services/api/serverless.yml", "dev"),
        ("services/api/serverless.yml", "prod"),
        ("services/api/serverless.yml", "qa"),
        ("services/billing/serverless.yml", "dev"),
        ("services/billing/serverless.yml", "staging"),
        ("services/billing/serverless.yml", "prod"),
        ("services/legacy/serverless.ts", "-"),
        ("services/web/serverless.yml", "dev"),
        ("services/web/serverless.yml", "prod"),
    ];
    assert_eq!(
        pairs,
        expected.map(|(a, b)| (a.to_owned(), b.to_owned())),
        "node_modules is skipped, order is stable"
    );

    // a stage that passes: every field of the schema
    let api_prod = result(&doc, "api", "prod");
    assert_eq!(api_prod["verdict"], "ok");
    assert_eq!(api_prod["config"], "services/api/serverless.yml");
    assert_eq!(api_prod["provider_profile"], "api-prod");
    assert_eq!(api_prod["account"], "123456789012");
    assert_eq!(api_prod["region"], "us-east-1");
    assert_eq!(api_prod["credentials"]["source"], "profile");
    assert_eq!(api_prod["credentials"]["profile"], "api-prod");
    assert_eq!(api_prod["credentials"]["selected_by"], "provider.profile");
    assert_eq!(api_prod["credentials"]["kind"], "assume-role");
    assert_eq!(api_prod["found_by"][0]["kind"], "indexed-map");
    assert_eq!(api_prod["found_by"][0]["map"], "custom.profiles");
    assert_eq!(api_prod["found_by"][0]["line"], 9);

    // how each stage was found
    let kinds = |r: &serde_json::Value| -> Vec<String> {
        r["found_by"]
            .as_array()
            .unwrap()
            .iter()
            .map(|f| f["kind"].as_str().unwrap().to_owned())
            .collect()
    };
    assert_eq!(
        kinds(result(&doc, "api", "dev")),
        ["indexed-map", "default"]
    );
    assert_eq!(
        kinds(result(&doc, "billing", "dev")),
        ["params", "indexed-map", "default"]
    );
    assert_eq!(kinds(result(&doc, "billing", "staging")), ["params"]);
    assert_eq!(
        kinds(result(&doc, "web", "dev")),
        ["indexed-map", "provider-stage"]
    );

    // the broken stage: the resolution error with its place
    let staging = result(&doc, "billing", "staging");
    assert_eq!(staging["verdict"], "fail");
    assert_eq!(
        codes(staging),
        ["MISSING_VARIABLE_RESULT", "credentials-not-evaluated"]
    );
    let missing = finding(staging, "MISSING_VARIABLE_RESULT");
    assert_eq!(missing["severity"], "error");
    assert_eq!(missing["file"], "services/billing/serverless.yml");
    assert_eq!(
        (&missing["line"], &missing["column"]),
        (&7.into(), &12.into())
    );

    // the shadowing CI environment (fixture `env`: AWS_QA_ACCESS_KEY_ID and its secret)
    let qa = result(&doc, "api", "qa");
    assert_eq!(qa["credentials"]["source"], "env");
    assert_eq!(qa["credentials"]["env_prefix"], "AWS_QA");
    assert_eq!(codes(qa), ["env-keys-shadow-provider-profile"]);
    let shadow = finding(qa, "env-keys-shadow-provider-profile");
    assert_eq!(shadow["severity"], "error");
    // shown at the `provider.profile` it shadows
    assert_eq!(
        (&shadow["line"], &shadow["column"]),
        (&5.into(), &12.into())
    );

    // the policy violation
    let billing_prod = result(&doc, "billing", "prod");
    assert_eq!(codes(billing_prod), ["policy-account-mismatch"]);
    assert_eq!(billing_prod["account"], "210987654321");

    // `${self:provider.stage}` does not follow `--stage`
    let web_prod = result(&doc, "web", "prod");
    assert_eq!(
        codes(web_prod),
        [
            "provider-stage-mismatch",
            "policy-account-unverifiable",
            "policy-profiles-not-distinct"
        ]
    );
    assert_eq!(finding(web_prod, "provider-stage-mismatch")["line"], 6);

    // the TypeScript service is listed, not silently skipped
    let legacy = by_config(&doc, "services/legacy/serverless.ts");
    assert_eq!(legacy["verdict"], "skipped");
    assert_eq!(legacy["service"], serde_json::Value::Null);
    assert_eq!(codes(legacy), ["config-not-supported"]);

    assert_eq!(doc["summary"]["errors"], 6);
    assert_eq!(doc["summary"]["warnings"], 2);
    assert_eq!(doc["summary"]["stages"], 8);
    assert_eq!(doc["summary"]["failed"], true);
    snapshot("monorepo-json", &run);
}

#[test]
fn github_annotations_use_relative_paths() {
    let run = check(&["--format", "github"], &[]);
    assert_eq!(run.code, 1);
    let lines: Vec<&str> = run.stdout.lines().collect();
    assert!(
        lines.contains(&"::error file=services/billing/serverless.yml,line=7,col=12,title=MISSING_VARIABLE_RESULT (billing / staging)::Cannot resolve variable at \"provider.environment.TABLE\": Value not found at \"self\" source%0Ahelp: `custom.tables` has no key `staging`; it has `dev`, `prod`"),
        "{}",
        run.stdout
    );
    assert!(
        lines.iter().any(|l| l.starts_with(
            "::warning file=services/legacy/serverless.ts,title=config-not-supported"
        )),
        "{}",
        run.stdout
    );
    // one line per finding, each a workflow command
    assert!(
        lines
            .iter()
            .all(|l| l.starts_with("::error ") || l.starts_with("::warning ")),
        "{}",
        run.stdout
    );
    assert_eq!(lines.len(), 8);
    snapshot("monorepo-github", &run);

    // from a subfolder: paths relative to that working directory, the policy still applies
    let run = check_in(&monorepo().join("services"), &["--format", "github"], &[]);
    assert_eq!(run.code, 1);
    assert!(
        run.stdout
            .contains("::error file=billing/serverless.yml,line=7,col=12,"),
        "{}",
        run.stdout
    );
    assert!(
        run.stdout.contains("but ../.sls-resolve.yml expects"),
        "{}",
        run.stdout
    );
}

#[test]
fn a_shadowing_environment_is_an_error() {
    // AWS_PROFILE shadows provider.profile in every stage
    let run = check(
        &["--format", "json", "--stage", "prod", "services/api"],
        &[("AWS_PROFILE", "api-dev")],
    );
    assert_eq!(run.code, 1);
    let doc = run.json();
    assert_documented(&doc);
    let api = result(&doc, "api", "prod");
    assert_eq!(api["credentials"]["profile"], "api-dev");
    assert_eq!(api["credentials"]["selected_by"], "AWS_PROFILE");
    let shadow = finding(api, "env-profile-shadows-provider-profile");
    assert_eq!(shadow["severity"], "error");
    // the policy expects prod in 123456789012: the shadowing profile's account is unknown
    assert!(codes(api).contains(&"policy-account-unverifiable".to_owned()));

    // AWS_<STAGE>_PROFILE only in its stage
    let run = check(
        &[
            "--format",
            "json",
            "--stage",
            "dev",
            "--stage",
            "prod",
            "services/api",
        ],
        &[("AWS_PROD_PROFILE", "api-dev")],
    );
    let doc = run.json();
    assert_eq!(codes(result(&doc, "api", "dev")), Vec::<String>::new());
    assert_eq!(
        result(&doc, "api", "prod")["credentials"]["selected_by"],
        "AWS_PROD_PROFILE"
    );
    assert_eq!(run.code, 1);

    // the same profile as provider.profile shadows nothing
    let run = check(
        &["--stage", "dev", "services/api"],
        &[("AWS_PROFILE", "api-dev")],
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
}

#[test]
fn stage_flags_limit_and_add_stages() {
    let run = check(&["--format", "json", "--stage", "dev", "services/api"], &[]);
    assert_eq!(run.code, 0, "{}", run.stdout);
    let doc = run.json();
    assert_eq!(doc["results"].as_array().unwrap().len(), 1);
    assert_eq!(result(&doc, "api", "dev")["found_by"][0]["kind"], "flag");

    // repeatable, in the order given; a stage the service does not declare is checked too
    let run = check(
        &[
            "--format",
            "json",
            "-s",
            "prod",
            "--stage",
            "uat",
            "services/api",
            "services/billing",
        ],
        &[],
    );
    let doc = run.json();
    let stages: Vec<(&str, &str)> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| (r["service"].as_str().unwrap(), r["stage"].as_str().unwrap()))
        .collect();
    assert_eq!(
        stages,
        [
            ("api", "prod"),
            ("api", "uat"),
            ("billing", "prod"),
            ("billing", "uat")
        ]
    );
    // api/uat: `custom.profiles.uat` does not exist
    assert!(codes(result(&doc, "api", "uat")).contains(&"MISSING_VARIABLE_RESULT".to_owned()));
    assert_eq!(run.code, 1);
}

#[test]
fn policy_flags_and_deny_warnings() {
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
        &[
            "--format",
            "json",
            "--stage",
            "prod",
            "--expect-account",
            "prod=123456789012",
            "--policy",
            "/dev/null",
            "services/billing",
        ],
        &[],
    );
    assert_eq!(run.code, 1);
    assert_eq!(
        codes(result(&run.json(), "billing", "prod")),
        ["policy-account-mismatch"]
    );
    // --distinct-profiles from the command line, with an empty policy file
    let run = check(
        &[
            "--format",
            "json",
            "--policy",
            "/dev/null",
            "--distinct-profiles",
            "services/web",
        ],
        &[],
    );
    assert_eq!(
        codes(result(&run.json(), "web", "prod")),
        ["provider-stage-mismatch", "policy-profiles-not-distinct"]
    );
    // a warning passes, unless warnings are denied
    let legacy = ["--policy", "/dev/null", "services/legacy"];
    assert_eq!(check(&legacy, &[]).code, 0);
    let mut denied = legacy.to_vec();
    denied.push("--deny-warnings");
    let run = check(&denied, &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("FAIL"), "{}", run.stdout);
}

#[test]
fn usage_and_io_errors_exit_2() {
    let run = check(&["no/such/dir"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no/such/dir"), "{}", run.stderr);
    assert_eq!(run.stdout, "");
    let run = check(&["--expect-account", "prod=12"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = check(&["--expect-profile", "prod"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    let run = check(&["--format", "xml"], &[]);
    assert_eq!(run.code, 2);
    let run = check(&["NOTE"], &[]);
    assert_eq!(run.code, 2, "a file that is not a configuration");
    assert!(run.stderr.contains("not a service configuration"));
    let run = check(&["--aws-dir", "no-such-dir"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-dir"), "{}", run.stderr);
    let run = check(&["--policy", "no-such-policy.yml"], &[]);
    assert_eq!(run.code, 2);
    assert!(run.stderr.contains("no-such-policy.yml"), "{}", run.stderr);
}

// ---- scenarios --------------------------------------------------------------------------

const OK_SERVICE: &str = "service: ok\nprovider:\n  name: aws\n";

#[test]
fn an_empty_directory_is_a_usage_error() {
    // A gate that found nothing to check must not pass: the PATH or the working directory is
    // wrong (docs/ci.md).
    let dir = TempDir::new("check-empty");
    dir.write("node_modules/dep/serverless.yml", OK_SERVICE);
    for args in [&[][..], &["."][..]] {
        let run = check_dir(&dir, args, &[]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(
            run.stderr.contains("no service configuration"),
            "{}",
            run.stderr
        );
        assert_eq!(run.stdout, "");
    }
}

#[test]
fn a_config_that_does_not_parse_is_a_located_finding() {
    let dir = TempDir::new("check-parse");
    dir.write(
        "a/serverless.yml",
        "service: a\nprovider:\n  name: aws\n  profile: [x\n",
    );
    dir.write(
        "b/serverless.json",
        "{\"service\": \"b\",\n  \"provider\": }\n",
    );
    std::fs::create_dir_all(dir.path().join("c")).unwrap();
    std::fs::write(dir.path().join("c/serverless.yml"), b"service: c\n# \xff\n").unwrap();
    dir.write("d/serverless.yml", OK_SERVICE);
    let run = check_dir(&dir, &["--format", "json"], &[]);
    assert_eq!(run.code, 1, "{}", run.stdout);
    let doc = run.json();
    for (config, code, line) in [
        ("a/serverless.yml", "CONFIG_PARSE_ERROR", 5),
        ("b/serverless.json", "CONFIG_PARSE_ERROR", 2),
        ("c/serverless.yml", "INVALID_UTF8", 2),
    ] {
        let r = by_config(&doc, config);
        assert_eq!(r["verdict"], "fail");
        assert_eq!(r["service"], serde_json::Value::Null);
        assert_eq!(r["stage"], serde_json::Value::Null);
        let f = finding(r, code);
        assert_eq!(f["severity"], "error");
        assert_eq!(f["file"], config);
        assert_eq!(f["line"], line, "{config}: {f}");
    }
    // the run goes on with the other services
    assert_eq!(by_config(&doc, "d/serverless.yml")["service"], "ok");
    let run = check_dir(&dir, &["--format", "github", "a"], &[]);
    assert!(
        run.stdout
            .starts_with("::error file=a/serverless.yml,line=5,col=1,title=CONFIG_PARSE_ERROR"),
        "{}",
        run.stdout
    );
    let run = check_dir(&dir, &["a"], &[]);
    assert!(
        run.stdout.contains("╭─[a/serverless.yml:5:1]"),
        "{}",
        run.stdout
    );
}

#[test]
fn javascript_configs_are_listed_as_not_supported() {
    let dir = TempDir::new("check-js");
    dir.write("js/serverless.js", "module.exports = { service: 'js' };\n");
    dir.write("ts/serverless.ts", "export default { service: 'ts' };\n");
    // v3 loads serverless.yml before serverless.js: the YAML one is checked
    dir.write("both/serverless.yml", OK_SERVICE);
    dir.write("both/serverless.js", "module.exports = {};\n");
    let run = check_dir(&dir, &["--format", "json"], &[]);
    let doc = run.json();
    let configs: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["config"].as_str().unwrap())
        .collect();
    assert_eq!(
        configs,
        [
            "both/serverless.yml",
            "js/serverless.js",
            "ts/serverless.ts"
        ]
    );
    for config in ["js/serverless.js", "ts/serverless.ts"] {
        let r = by_config(&doc, config);
        assert_eq!(r["verdict"], "skipped");
        assert_eq!(finding(r, "config-not-supported")["severity"], "warning");
    }
    // not an error: the rest of the repository can still be gated
    assert_eq!(run.code, 0, "{}", run.stdout);
    // named explicitly: the same
    let run = check_dir(&dir, &["--format", "json", "ts/serverless.ts"], &[]);
    assert_eq!(run.code, 0);
    assert_eq!(codes(&run.json()["results"][0]), ["config-not-supported"]);
    let run = check_dir(&dir, &["ts/serverless.ts", "js"], &[]);
    assert_eq!(run.code, 0);
    assert!(run.stdout.contains("SKIPPED"), "{}", run.stdout);
    assert!(
        run.stdout
            .contains("0 services, 0 stages checked (2 services not supported)"),
        "{}",
        run.stdout
    );
    // warnings denied: a service that cannot be checked fails the gate
    let run = check_dir(&dir, &["--deny-warnings", "ts/serverless.ts"], &[]);
    assert_eq!(run.code, 1);
    assert!(run.stdout.contains("FAIL"), "{}", run.stdout);
}

#[test]
fn two_services_with_the_same_name_collide() {
    let dir = TempDir::new("check-dup");
    let svc =
        |profile: &str| format!("service: shop\nprovider:\n  name: aws\n  profile: {profile}\n");
    dir.write("a/serverless.yml", &svc("one"));
    dir.write("b/serverless.yml", &svc("two"));
    dir.write(
        "c/serverless.yml",
        "service: shop\nprovider:\n  name: aws\n  stackName: shop-c\n  profile: one\n",
    );
    dir.write(
        "aws/config",
        "[profile one]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = base\n[profile two]\nrole_arn = arn:aws:iam::222222222222:role/b\nsource_profile = base\n",
    );
    dir.write(
        "aws/credentials",
        "[base]\naws_access_key_id = AKIAFIXTUREDUPBASE01\naws_secret_access_key = fixtureDupSecret0001\n",
    );
    let home = dir.path().join("home").display().to_string();
    let env = [("AWS_SDK_LOAD_CONFIG", "1"), ("HOME", home.as_str())];
    // different accounts: a warning on both
    let run = check_dir(&dir, &["--format", "json", "--aws-dir", "aws"], &env);
    let doc = run.json();
    for config in ["a/serverless.yml", "b/serverless.yml"] {
        let f = finding(by_config(&doc, config), "duplicate-service-name");
        assert_eq!(f["severity"], "warning");
        // at the `service:` value of its own configuration
        assert_eq!(
            (f["file"].as_str(), f["line"].as_i64(), f["column"].as_i64()),
            (Some(config), Some(1), Some(10))
        );
    }
    let text = check_dir(&dir, &["--aws-dir", "aws"], &env);
    assert!(
        text.stdout
            .contains("⚠ warning: service `shop` is also declared by"),
        "{}",
        text.stdout
    );
    assert!(
        text.stdout.contains(" 1 │ service: shop"),
        "{}",
        text.stdout
    );
    // `provider.stackName` makes its own stack
    assert_eq!(
        codes(by_config(&doc, "c/serverless.yml")),
        Vec::<String>::new()
    );
    assert_eq!(run.code, 0, "{}", run.stdout);
    // the same account and region: each deploy replaces the other
    dir.write("b/serverless.yml", &svc("one"));
    let run = check_dir(&dir, &["--format", "json", "--aws-dir", "aws"], &env);
    let doc = run.json();
    let f = finding(
        by_config(&doc, "b/serverless.yml"),
        "duplicate-service-name",
    );
    assert_eq!(f["severity"], "error");
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("`a/serverless.yml`")
    );
    assert_eq!(run.code, 1);
}

#[cfg(unix)]
#[test]
fn symlinked_directory_loops_end_and_count_once() {
    let dir = TempDir::new("check-loop");
    dir.write("a/serverless.yml", OK_SERVICE);
    dir.write("b/c/serverless.yml", &OK_SERVICE.replace("ok", "c"));
    std::os::unix::fs::symlink("..", dir.path().join("a/up")).unwrap();
    std::os::unix::fs::symlink("../..", dir.path().join("b/c/up")).unwrap();
    std::os::unix::fs::symlink("b/c", dir.path().join("alias")).unwrap();
    let run = check_dir(&dir, &["--format", "json", ".", "alias", "a/up/a"], &[]);
    let doc = run.json();
    let configs: Vec<&str> = doc["results"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["config"].as_str().unwrap())
        .collect();
    assert_eq!(configs, ["a/serverless.yml", "b/c/serverless.yml"]);
}

#[test]
fn a_bad_policy_file_is_a_usage_error_with_its_place() {
    let dir = TempDir::new("check-policy");
    dir.write("svc/serverless.yml", OK_SERVICE);
    dir.write(
        ".sls-resolve.yml",
        "stages:\n  prod:\n    acount: '123456789012'\n  dev:\n    account: 12345\n    profile: ''\ndeny-warning: true\ndistinct-profiles: yes\n",
    );
    let run = check_dir(&dir, &[], &[]);
    assert_eq!(run.code, 2);
    assert_eq!(run.stdout, "");
    for expected in [
        ".sls-resolve.yml:3:5",
        "unknown policy key `acount`",
        "did you mean `account`?",
        ".sls-resolve.yml:5:14",
        "account `12345` must be quoted",
        ".sls-resolve.yml:6:14",
        ".sls-resolve.yml:7:1",
        "did you mean `deny-warnings`?",
        ".sls-resolve.yml:8:20",
    ] {
        assert!(run.stderr.contains(expected), "{expected}:\n{}", run.stderr);
    }
    snapshot("policy-errors", &run);
    dir.write(".sls-resolve.yml", "stages: [\n");
    let run = check_dir(&dir, &[], &[]);
    assert_eq!(run.code, 2);
    assert!(
        run.stderr.contains("POLICY_PARSE_ERROR") && run.stderr.contains(".sls-resolve.yml:2:1"),
        "{}",
        run.stderr
    );
}

#[test]
fn the_policy_file_is_found_up_to_the_repository_root() {
    let dir = TempDir::new("check-policy-root");
    dir.write(
        "repo/.sls-resolve.yml",
        "stages:\n  dev:\n    profile: expected\n",
    );
    dir.write("repo/.git/HEAD", "ref: refs/heads/main\n");
    dir.write("repo/services/svc/serverless.yml", OK_SERVICE);
    let cwd = dir.path().join("repo/services/svc");
    let run = sls_resolve(&cwd, None, &["check", "--format", "json"], &[]);
    let doc = run.json();
    assert_eq!(doc["policy"], "../../.sls-resolve.yml");
    // nothing selects a profile at all; the policy wants one (checked once credentials exist)
    assert_eq!(
        doc["results"][0]["credentials"]["source"],
        serde_json::Value::Null
    );
    // above the repository root: not looked for
    dir.write(".sls-resolve.yml", "stages: {}\n");
    std::fs::remove_file(dir.path().join("repo/.sls-resolve.yml")).unwrap();
    let run = sls_resolve(&cwd, None, &["check", "--format", "json"], &[]);
    assert_eq!(run.json()["policy"], serde_json::Value::Null);
}

#[test]
fn credentials_are_checked_in_the_aws_files_or_aws_dir() {
    let dir = TempDir::new("check-aws-files");
    dir.write(
        "svc/serverless.yml",
        "service: s\nprovider:\n  name: aws\n  profile: ${self:custom.profiles.${sls:stage}}\ncustom:\n  profiles:\n    dev: here\n    prod: missing\n",
    );
    dir.write(
        "copy/credentials",
        "[here]\naws_access_key_id = AKIAFIXTUREHERE00001\naws_secret_access_key = fixtureHereSecret001\n",
    );
    // no AWS files at all (a CI runner): nothing to verify against, a warning
    let run = check_dir(&dir, &["--format", "json", "svc"], &[]);
    let doc = run.json();
    assert_eq!(run.code, 0, "{}", run.stdout);
    for stage in ["dev", "prod"] {
        let f = finding(result(&doc, "s", stage), "aws-files-absent");
        assert_eq!(f["severity"], "warning");
    }
    // against a copy of the AWS files: prod's profile does not exist there (`--aws-dir`
    // replaces `$HOME/.aws`, so a HOME is needed, as on every CI runner)
    let nohome = dir.path().join("nohome").display().to_string();
    let run = check_dir(
        &dir,
        &["--format", "json", "--aws-dir", "copy", "svc"],
        &[("HOME", nohome.as_str())],
    );
    let doc = run.json();
    assert_eq!(codes(result(&doc, "s", "dev")), Vec::<String>::new());
    assert_eq!(
        codes(result(&doc, "s", "prod")),
        ["UNRECOGNIZED_AWS_PROFILE"]
    );
    assert_eq!(run.code, 1);
    // the same files under HOME
    let home = dir.path().join("home");
    std::fs::create_dir_all(home.join(".aws")).unwrap();
    std::fs::copy(
        dir.path().join("copy/credentials"),
        home.join(".aws/credentials"),
    )
    .unwrap();
    let run = sls_resolve(
        dir.path(),
        Some(&home),
        &["check", "--format", "json", "svc"],
        &[],
    );
    assert_eq!(
        codes(result(&run.json(), "s", "prod")),
        ["UNRECOGNIZED_AWS_PROFILE"]
    );
}

#[test]
fn a_profile_that_depends_on_a_remote_source_fails() {
    let dir = TempDir::new("check-remote");
    dir.write(
        "svc/serverless.yml",
        "service: r\nprovider:\n  name: aws\n  profile: ${self:custom.profiles.${sls:stage}}\ncustom:\n  profiles:\n    dev: ${env:DEV_PROFILE, ssm:/deploy/dev-profile}\n    prod: ${ssm:/deploy/prod-profile}\n    qa: plain\n",
    );
    let run = check_dir(&dir, &["--format", "json"], &[("DEV_PROFILE", "devp")]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    // a fallback counts: the day DEV_PROFILE is unset, SSM chooses the account
    let dev = result(&doc, "r", "dev");
    assert_eq!(dev["provider_profile"], "devp");
    let f = finding(dev, "profile-depends-on-remote-source");
    assert_eq!(f["severity"], "error");
    assert_eq!((&f["line"], &f["column"]), (&7.into(), &10.into()));
    assert!(
        f["message"]
            .as_str()
            .unwrap()
            .contains("ssm:/deploy/dev-profile")
    );
    // directly: v3 itself cannot resolve provider.profile, and the check says why
    let prod = codes(result(&doc, "r", "prod"));
    assert!(
        prod.contains(&"INACCESSIBLE_CONFIGURATION_PROPERTY".to_owned()),
        "{prod:?}"
    );
    assert!(prod.contains(&"profile-depends-on-remote-source".to_owned()));
    assert!(
        !codes(result(&doc, "r", "qa")).contains(&"profile-depends-on-remote-source".to_owned())
    );
}

#[test]
fn services_run_in_parallel_in_a_stable_order() {
    let dir = TempDir::new("check-parallel");
    let mut expected = Vec::new();
    for i in 0..24 {
        let name = format!("s{:02}", (i * 7) % 24);
        dir.write(
            &format!("{name}/serverless.yml"),
            &format!(
                "service: {name}\nprovider:\n  name: aws\nparams:\n  prod: {{}}\n  dev: {{}}\n"
            ),
        );
        expected.push(name);
    }
    expected.sort();
    let first = check_dir(&dir, &["--format", "json"], &[]);
    let services: Vec<String> = first.json()["results"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|r| r["stage"] == "prod")
        .map(|r| r["service"].as_str().unwrap().to_owned())
        .collect();
    assert_eq!(services, expected);
    for _ in 0..3 {
        let again = check_dir(&dir, &["--format", "json"], &[]);
        assert_eq!(again.stdout, first.stdout);
    }
}

// ---- finding codes and docs/ci.md -------------------------------------------------------

fn workspace() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The codes listed in docs/ci.md: the first cell of each table row, "| `code` | ...", in the
/// section "Finding codes".
fn documented_codes() -> BTreeSet<String> {
    let doc = std::fs::read_to_string(workspace().join("docs/ci.md")).expect("docs/ci.md exists");
    let (_, codes) = doc
        .split_once("\n## Finding codes\n")
        .expect("docs/ci.md has a section `## Finding codes`");
    codes
        .lines()
        .filter_map(|l| l.strip_prefix("| `"))
        .filter_map(|l| l.split_once("` |").map(|(code, _)| code.to_owned()))
        .collect()
}

fn assert_documented(doc: &serde_json::Value) {
    let documented = documented_codes();
    for r in doc["results"].as_array().into_iter().flatten() {
        for code in codes(r) {
            assert!(
                documented.contains(&code),
                "`{code}` is emitted but docs/ci.md does not list it"
            );
        }
    }
}

/// Strings that look like codes in the files that make findings but are something else.
const NOT_CODES: &[&str] = &[
    // option and policy key names, kinds, example values, environment variables
    "kebab-case",
    "aws-profile",
    "expect-account",
    "expect-profile",
    "distinct-profiles",
    "deny-warnings",
    "prod-deployer",
    "assume-role",
    "credential-process",
    // kinds of credentials and of side effects in the report's JSON, not finding codes
    "web-identity",
    "assume-role-with-web-identity",
    "mfa-prompt",
    "sso-get-role-credentials",
    "runs-process",
    "metadata-endpoint",
    "indexed-map",
    "provider-stage",
    "us-east-1",
    "AWS_PROFILE",
    "AWS_DEFAULT_PROFILE",
    "AWS_ACCESS_KEY_ID",
    "AWS_REGION",
    "AMAZON_REGION",
    "AWS_ROLE_ARN",
    "AWS_WEB_IDENTITY_TOKEN_FILE",
    "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI",
    "AWS_CONTAINER_CREDENTIALS_FULL_URI",
    "NO_COLOR",
    // raised by `print` and the report's configuration lookup, never by `check`
    "NESTED_CUSTOM_CONFIGURATION_PATH",
    // `print` fails with it; the report and `check` say `plugin-not-installed` instead
    "PLUGIN_NOT_FOUND",
];

/// Every code the check can emit, extracted from the code that makes findings: v3's resolution
/// error codes, the AWS engines' errors and warnings, the report's and the check's own.
fn codes_in_source() -> BTreeSet<String> {
    let root = workspace().join("crates");
    let mut files: Vec<PathBuf> = [
        "sls-resolver/src/error.rs",
        "sls-aws/src/error.rs",
        "sls-resolve/src/report.rs",
        "sls-resolve/src/check.rs",
        "sls-resolve/src/discover.rs",
    ]
    .iter()
    .map(|f| root.join(f))
    .collect();
    for dir in ["sls-aws/src/engine", "sls-resolve/src/check"] {
        for entry in std::fs::read_dir(root.join(dir)).expect("source folder") {
            files.push(entry.expect("entry").path());
        }
    }
    let mut out = BTreeSet::new();
    for file in files {
        let text = std::fs::read_to_string(&file).expect("source file");
        // the unit tests of a file are not findings
        let text = text.split("#[cfg(test)]").next().unwrap_or_default();
        for literal in string_literals(text) {
            let literal = literal.as_str();
            let kebab = literal.contains('-')
                && literal.split('-').all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit())
                });
            let snake = literal.contains('_')
                && literal.as_bytes()[0].is_ascii_uppercase()
                && literal.split('_').all(|w| {
                    !w.is_empty()
                        && w.bytes()
                            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit())
                });
            if (kebab || snake) && !NOT_CODES.contains(&literal) {
                out.insert(literal.to_owned());
            }
        }
    }
    out
}

/// The string literals of Rust source (comments, char literals and raw strings handled).
fn string_literals(text: &str) -> Vec<String> {
    let b = text.as_bytes();
    let mut out = Vec::new();
    let mut i = 0;
    while i < b.len() {
        match b[i] {
            b'/' if b.get(i + 1) == Some(&b'/') => {
                while i < b.len() && b[i] != b'\n' {
                    i += 1;
                }
            }
            b'\'' => {
                // a char literal ('"', '\'', 'x') or a lifetime ('a)
                if b.get(i + 1) == Some(&b'\\') {
                    i += 2;
                    while i < b.len() && b[i] != b'\'' {
                        i += 1;
                    }
                } else if b.get(i + 2) == Some(&b'\'') {
                    i += 2;
                }
                i += 1;
            }
            b'r' if matches!(b.get(i + 1), Some(b'#' | b'"'))
                && (i == 0 || !(b[i - 1].is_ascii_alphanumeric() || b[i - 1] == b'_')) =>
            {
                let hashes = b[i + 1..].iter().take_while(|&&c| c == b'#').count();
                let start = i + 1 + hashes + 1;
                let close: Vec<u8> = std::iter::once(b'"')
                    .chain(std::iter::repeat_n(b'#', hashes))
                    .collect();
                let end = (start..b.len())
                    .find(|&j| b[j..].starts_with(&close))
                    .unwrap_or(b.len());
                out.push(String::from_utf8_lossy(&b[start.min(end)..end]).into_owned());
                i = end + close.len();
            }
            b'"' => {
                let mut literal = Vec::new();
                i += 1;
                while i < b.len() && b[i] != b'"' {
                    if b[i] == b'\\' {
                        i += 1;
                    }
                    if let Some(&c) = b.get(i) {
                        literal.push(c);
                    }
                    i += 1;
                }
                out.push(String::from_utf8_lossy(&literal).into_owned());
                i += 1;
            }
            _ => i += 1,
        }
    }
    out
}

#[test]
fn every_finding_code_is_documented_in_ci_md() {
    let documented = documented_codes();
    let in_source = codes_in_source();
    assert!(in_source.len() > 50, "extraction found {in_source:?}");
    let undocumented: Vec<&String> = in_source.difference(&documented).collect();
    assert!(
        undocumented.is_empty(),
        "codes the check can emit that docs/ci.md does not list (add a row, or add the string to NOT_CODES if it is not a code): {undocumented:?}"
    );
    let stale: Vec<&String> = documented.difference(&in_source).collect();
    assert!(
        stale.is_empty(),
        "docs/ci.md lists codes that no code emits: {stale:?}"
    );
}

/// The error findings of the first result: code, file, line, column.
fn error_places(doc: &serde_json::Value) -> Vec<(String, String, i64, i64)> {
    doc["results"][0]["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["severity"] == "error")
        .map(|f| {
            (
                f["code"].as_str().unwrap().to_owned(),
                f["file"].as_str().unwrap_or_default().to_owned(),
                f["line"].as_i64().unwrap(),
                f["column"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn every_resolution_error_of_a_stage_is_a_finding() {
    let dir = TempDir::new("check-errors");
    dir.write(
        "svc/serverless.yml",
        "service: e\nprovider:\n  name: aws\ncustom:\n  a: ${self:custom.nope}\n  b: ${env:NOT_SET_ANYWHERE}\n  c: ${file(./missing.yml):x}\n",
    );
    let run = check_dir(&dir, &["--format", "json"], &[]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    let places: Vec<(String, i64, i64)> = error_places(&doc)
        .into_iter()
        .map(|(code, _, line, column)| (code, line, column))
        .collect();
    assert_eq!(
        places,
        [
            ("MISSING_VARIABLE_RESULT".to_owned(), 5, 6),
            ("MISSING_VARIABLE_RESULT".to_owned(), 6, 6),
            ("MISSING_VARIABLE_RESULT".to_owned(), 7, 6),
        ]
    );
}

#[test]
fn a_service_rule_of_the_policy_replaces_the_stage_rule() {
    let policy = TempDir::new("check-service-rule");
    let file = policy.write(
        "policy.yml",
        "stages:\n  prod:\n    account: '123456789012'\nservices:\n  billing:\n    stages:\n      prod:\n        account: '210987654321'\n",
    );
    let file = file.display().to_string();
    let run = check(
        &[
            "--format",
            "json",
            "--stage",
            "prod",
            "--policy",
            &file,
            "services/api",
            "services/billing",
        ],
        &[],
    );
    let doc = run.json();
    assert_eq!(codes(result(&doc, "billing", "prod")), Vec::<String>::new());
    assert_eq!(result(&doc, "api", "prod")["verdict"], "ok");
    assert_eq!(run.code, 0, "{}", run.stdout);
    let run = check(
        &[
            "--format",
            "json",
            "--stage",
            "prod",
            "--policy",
            &file,
            "--expect-account",
            "prod=999999999999",
            "services/api",
        ],
        &[],
    );
    // a flag adds to the file's global rules
    assert_eq!(
        codes(result(&run.json(), "api", "prod")),
        ["policy-account-mismatch"]
    );
}

#[test]
fn errors_inside_included_files_and_the_next_phase_are_findings_at_their_place() {
    let dir = TempDir::new("check-included");
    dir.write(
        "svc/serverless.yml",
        "service: inc\nprovider:\n  name: aws\ncustom:\n  settings: ${file(./conf/settings.yml)}\n  later: ${slef:service}\n",
    );
    dir.write(
        "svc/conf/settings.yml",
        "table: t\nbucket: ${self:custom.nothere}\n",
    );
    let run = check_dir(&dir, &["--format", "json", "--stage", "dev"], &[]);
    assert_eq!(run.code, 1);
    let doc = run.json();
    assert_eq!(
        error_places(&doc),
        [
            // v3's error, in the included file
            (
                "MISSING_VARIABLE_RESULT".to_owned(),
                "svc/conf/settings.yml".to_owned(),
                2,
                9
            ),
            // what v3 would stop at next
            (
                "UNRECOGNIZED_VARIABLE_SOURCES".to_owned(),
                "svc/serverless.yml".to_owned(),
                6,
                10
            ),
        ]
    );
    let text = check_dir(&dir, &["--stage", "dev"], &[]);
    assert!(
        text.stdout.contains("╭─[svc/conf/settings.yml:2:9]"),
        "{}",
        text.stdout
    );
}

#[test]
fn a_profile_that_does_not_resolve_is_not_held_against_the_policy() {
    let dir = TempDir::new("check-not-evaluated");
    dir.write(
        "svc/serverless.yml",
        "service: nr\nprovider:\n  name: aws\n  profile: ${self:custom.profiles.${sls:stage}}\ncustom:\n  profiles:\n    dev: one\n",
    );
    dir.write(
        "aws/config",
        "[profile one]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = base\n",
    );
    dir.write(
        "aws/credentials",
        "[base]\naws_access_key_id = AKIAFIXTURENREVAL001\naws_secret_access_key = fixtureNrSecret00001\n[default]\naws_access_key_id = AKIAFIXTURENREVAL002\naws_secret_access_key = fixtureNrSecret00002\n",
    );
    let args = [
        "--format",
        "json",
        "--aws-dir",
        "aws",
        "--stage",
        "prod",
        "--expect-account",
        "prod=222222222222",
        "--expect-profile",
        "prod=two",
    ];
    let env = [("AWS_SDK_LOAD_CONFIG", "1")];
    let doc = check_dir(&dir, &args, &env).json();
    let r = by_config(&doc, "svc/serverless.yml");
    // v3 stops at the resolution error before it looks at credentials: whatever the default
    // slot would give is never used, so nothing is held against the policy
    assert_eq!(
        codes(r),
        ["MISSING_VARIABLE_RESULT", "credentials-not-evaluated"]
    );
    assert_eq!(r["account"], serde_json::Value::Null);
    assert_eq!(r["credentials"]["source"], serde_json::Value::Null);
    let text = check_dir(&dir, &args[2..], &env);
    assert!(text.stdout.contains("not evaluated"), "{}", text.stdout);
    // a resolution error elsewhere does not hide the account the profile would deploy to
    dir.write(
        "svc/serverless.yml",
        "service: nr\nprovider:\n  name: aws\n  profile: one\ncustom:\n  broken: ${self:custom.nope}\n",
    );
    let doc = check_dir(&dir, &args, &env).json();
    assert_eq!(
        codes(by_config(&doc, "svc/serverless.yml")),
        [
            "MISSING_VARIABLE_RESULT",
            "policy-account-mismatch",
            "policy-profile-mismatch"
        ]
    );
}
