//! The credential-precedence fixtures (fixtures/profiles/*): for each folder, what
//! `sls-resolve --format json --engine v3` and `--engine sdk` choose is compared with what
//! serverless 3.40.0 (`oracle.json`) and osls 4.3.1 (`oracle-sdk.json`) really chose, as
//! recorded by `scripts/record-credentials`. Compared: the outcome (credentials, the error code,
//! v3's variable-resolution messages, or a chosen role whose AssumeRole call aws-sdk v2 could
//! not even sign), `credentials.source`, `.profile` and `.env_prefix`;
//! what selected them (`credentials.selected_by`), their kind and the account id where the
//! recording shows one (the ARN of the role assumed, the account of the SSO call); the STS
//! AssumeRole calls and the MFA prompts the tool made (v3 makes them even for profiles that
//! lose). Deliberate differences are listed in [`KNOWN_DIFFERENCES`] with the reason, and
//! [`WARNINGS`] pins the warnings each fixture exists to provoke.

mod support;

use std::collections::{BTreeMap, BTreeSet};
use std::path::Path;
use std::sync::OnceLock;

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

/// `(fixture, engine, warning codes)`: the warnings a fixture exists to provoke, each from the
/// spec (aws-profiles-spec.md) or the list of "warnings that save deploys". Every other
/// fixture must raise none (`engines-disagree` is checked against the recordings instead).
const WARNINGS: &[(&str, &str, &[&str])] = &[
    // `AWS_PROFILE`, the stage variables, env keys or `--aws-profile` shadow provider.profile
    (
        "assume-role-shadowed-provider-profile",
        "v3",
        &["env-profile-shadows-provider-profile"],
    ),
    (
        "assume-role-shadowed-provider-profile",
        "sdk",
        &["env-profile-shadows-provider-profile"],
    ),
    (
        "aws-profile-beats-env-keys",
        "v3",
        &["env-profile-shadows-provider-profile"],
    ),
    (
        "aws-profile-beats-env-keys",
        "sdk",
        &["env-profile-shadows-provider-profile"],
    ),
    (
        "dotenv-aws-profile",
        "v3",
        &["env-profile-shadows-provider-profile"],
    ),
    (
        "dotenv-aws-profile",
        "sdk",
        &["env-profile-shadows-provider-profile"],
    ),
    (
        "stage-profile-beats-stage-keys",
        "v3",
        &["env-profile-shadows-provider-profile"],
    ),
    (
        "stage-profile-beats-stage-keys",
        "sdk",
        &["env-profile-shadows-provider-profile"],
    ),
    (
        "dotenv-env-keys",
        "v3",
        &["env-keys-shadow-provider-profile"],
    ),
    (
        "dotenv-env-keys",
        "sdk",
        &["env-keys-shadow-provider-profile"],
    ),
    (
        "env-keys-beat-provider-profile",
        "v3",
        &["env-keys-shadow-provider-profile"],
    ),
    (
        "env-keys-beat-provider-profile",
        "sdk",
        &["env-keys-shadow-provider-profile"],
    ),
    (
        "stage-env-keys-beat-aws-profile",
        "v3",
        &["env-keys-shadow-provider-profile"],
    ),
    (
        "stage-env-keys-beat-aws-profile",
        "sdk",
        &["env-keys-shadow-provider-profile"],
    ),
    // osls takes the env keys first; v3 aborts on the missing provider.profile before
    (
        "provider-profile-missing-env-keys",
        "sdk",
        &["env-keys-shadow-provider-profile"],
    ),
    (
        "cli-profile-beats-all",
        "v3",
        &["aws-profile-flag-overrides-provider-profile"],
    ),
    (
        "cli-profile-beats-all",
        "sdk",
        &["aws-profile-flag-overrides-provider-profile"],
    ),
    (
        "provider-profile-missing-with-cli",
        "v3",
        &["aws-profile-flag-overrides-provider-profile"],
    ),
    (
        "provider-profile-missing-with-cli",
        "sdk",
        &["aws-profile-flag-overrides-provider-profile"],
    ),
    // spec 1.1: `${self:provider.stage}` does not follow `--stage`
    (
        "provider-stage-in-profile-map",
        "v3",
        &["provider-stage-mismatch"],
    ),
    (
        "provider-stage-in-profile-map",
        "sdk",
        &["provider-stage-mismatch"],
    ),
    // spec 1.1: the stage is used verbatim in variable names
    ("stage-with-hyphen", "v3", &["stage-env-name-unsettable"]),
    ("stage-with-hyphen", "sdk", &["stage-env-name-unsettable"]),
    (
        "stage-with-hyphen-env-keys",
        "v3",
        &["stage-env-name-unsettable"],
    ),
    (
        "stage-with-hyphen-env-keys",
        "sdk",
        &["stage-env-name-unsettable"],
    ),
    // spec 1.4: v3 reads the config file only with AWS_SDK_LOAD_CONFIG (empty does not count)
    (
        "config-only-profile-no-load-config",
        "v3",
        &["config-profile-needs-sdk-load-config"],
    ),
    (
        "load-config-empty-string",
        "v3",
        &["config-profile-needs-sdk-load-config"],
    ),
    // spec 1.4 / 2.3 / 2.7: `[x]` in the config file, `[profile x]` in the credentials file
    (
        "ini-config-no-prefix",
        "v3",
        &["config-section-without-profile-prefix"],
    ),
    (
        "ini-config-no-prefix",
        "sdk",
        &["ini-section-ignored-by-sdk"],
    ),
    (
        "ini-profile-prefix-in-credentials",
        "v3",
        &["profile-prefix-in-credentials-file"],
    ),
    (
        "ini-profile-prefix-in-credentials",
        "sdk",
        &["ini-section-ignored-by-sdk"],
    ),
    (
        "ini-profile-prefix-name-in-credentials",
        "v3",
        &["profile-prefix-in-credentials-file"],
    ),
    (
        "ini-profile-prefix-name-in-credentials",
        "sdk",
        &["ini-section-ignored-by-sdk"],
    ),
    // spec 2.5: `[default]` is dropped when `[profile default]` exists
    (
        "ini-default-and-profile-default-crash",
        "sdk",
        &["ini-section-ignored-by-sdk"],
    ),
    (
        "ini-default-and-profile-default-region",
        "sdk",
        &["ini-section-ignored-by-sdk"],
    ),
    // spec 2.3: names with whitespace are not profiles
    (
        "profile-name-with-spaces",
        "sdk",
        &["ini-section-ignored-by-sdk"],
    ),
    (
        "config-profile-name-with-spaces",
        "sdk",
        &["ini-section-ignored-by-sdk"],
    ),
    // spec 1.4: lines the v2 reader drops, keys it does not recognise
    ("ini-empty-value-dropped", "v3", &["ini-line-ignored-by-v3"]),
    (
        "ini-indented-continuation",
        "v3",
        &["ini-line-ignored-by-v3"],
    ),
    (
        "ini-section-trailing-comment",
        "v3",
        &["ini-line-ignored-by-v3"],
    ),
    (
        "ini-uppercase-keys",
        "v3",
        &["upper-case-key-ignored-by-v3"],
    ),
    // spec 1.3: SSO, credential_process, credential_source, web identity chosen by name
    (
        "credential-process-profile",
        "v3",
        &["unsupported-profile-kind"],
    ),
    (
        "credential-source-profile",
        "v3",
        &["unsupported-profile-kind"],
    ),
    (
        "default-chain-aws-profile-sso",
        "v3",
        &["unsupported-profile-kind"],
    ),
    ("sso-profile-cli", "v3", &["unsupported-profile-kind"]),
    ("sso-session-profile", "v3", &["unsupported-profile-kind"]),
    ("web-identity-profile", "v3", &["unsupported-profile-kind"]),
    // spec 1.3: a missing source profile (swallowed in the default slot)
    (
        "default-role-missing-source-shadowed",
        "v3",
        &["role-source-profile-missing"],
    ),
    // spec 1.4: a role's source profile is read from the default credentials path
    (
        "role-source-ignores-shared-credentials-file",
        "v3",
        &["role-source-ignores-shared-credentials-file"],
    ),
    // spec 1.8b: osls's own warnings
    (
        "aws-default-profile-nope",
        "sdk",
        &["default-profile-not-found"],
    ),
    (
        "credentials-keys-config-role",
        "sdk",
        &["static-keys-sign-role"],
    ),
    // spec 1.2 step 0: the Dashboard may override everything (v3 only; osls dropped it)
    ("org-app-dashboard", "v3", &["dashboard-may-override"]),
    // v3 stops at variable resolution before it reads provider.profile
    ("provider-profile-ssm", "v3", &["credentials-not-evaluated"]),
    (
        "provider-profile-ssm",
        "sdk",
        &["credentials-not-evaluated"],
    ),
    (
        "unknown-stage-profile-map",
        "v3",
        &["credentials-not-evaluated"],
    ),
    (
        "unknown-stage-profile-map",
        "sdk",
        &["credentials-not-evaluated"],
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
    /// v3 stops at variable resolution (`VARIABLES_RESOLUTION_ERROR`): its messages, one per
    /// variable that failed.
    Resolution(Vec<String>),
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

/// Whether the chosen role's AssumeRole call failed before reaching the network: aws-sdk v2
/// found no keys to sign it with (`CredentialsError`), so the deploy stops at its first request.
/// (In a chain whose inner call the oracle blocked, the outer call fails the same way, for
/// want of the inner call's answer: that is the oracle's doing, not a missing key.)
fn role_call_unsigned(o: &Value) -> bool {
    let Some(role) = o["credentials"]["role_arn"].as_str() else {
        return false;
    };
    let calls: Vec<&Value> = o["aws_calls"].as_array().into_iter().flatten().collect();
    let blocked = calls
        .iter()
        .any(|c| c["result"]["code"] == "NetworkingError");
    !blocked
        && calls
            .iter()
            .any(|c| c["params"]["RoleArn"] == role && c["result"]["code"] == "CredentialsError")
}

fn oracle_outcome(o: &Value) -> Outcome {
    if o["outcome"] == "credentials" && role_call_unsigned(o) {
        return Outcome::Error("AWS_ROLE_SOURCE_WITHOUT_CREDENTIALS".into());
    }
    match o["outcome"].as_str() {
        Some("credentials") => Outcome::Credentials {
            source: text(&o["credentials"]["source"]).unwrap_or_default(),
            profile: text(&o["credentials"]["profile"]),
            env_prefix: text(&o["credentials"]["env_prefix"]),
        },
        Some("none") => Outcome::Error("AWS_CREDENTIALS_NOT_FOUND".into()),
        _ if o["error"]["code"] == "VARIABLES_RESOLUTION_ERROR" => Outcome::Resolution(
            o["error"]["message"]
                .as_str()
                .unwrap_or_default()
                .lines()
                .filter_map(|l| l.strip_prefix("  - "))
                .map(str::to_string)
                .collect(),
        ),
        _ if o["error"]["code"] == "ORACLE_EXEC_DISABLED" => {
            Outcome::RunsProcess(text(&o["processes"][0]["command"]).unwrap_or_default())
        }
        _ => Outcome::Error(same_error(o["error"]["code"].as_str().unwrap_or("?")).into()),
    }
}

fn our_outcome(j: &Value, v3: bool) -> Outcome {
    let resolution: Vec<String> = j["errors"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|e| e["message"].as_str())
        .filter(|m| m.starts_with("Cannot resolve variable at "))
        .map(str::to_string)
        .collect();
    if !resolution.is_empty() {
        return Outcome::Resolution(resolution);
    }
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

/// The MFA devices the tool asked a code for.
fn oracle_mfa(o: &Value) -> BTreeSet<String> {
    o["mfa_prompts"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|p| p.as_str())
        .filter_map(|p| p.strip_prefix("Enter MFA code for "))
        .map(|p| p.trim_end().trim_end_matches(':').to_string())
        .collect()
}

fn our_mfa(j: &Value) -> BTreeSet<String> {
    j["side_effects"]
        .as_array()
        .into_iter()
        .flatten()
        .filter(|e| e["kind"] == "mfa-prompt")
        .filter_map(|e| text(&e["mfa_serial"]))
        .collect()
}

/// osls 4's slot names (`selected_by` of oracle-sdk.json) as sls-resolve's selectors.
fn sdk_selector(o: &Value) -> Option<String> {
    let stage = o["stage"].as_str().unwrap_or("dev").to_uppercase();
    let c = &o["credentials"];
    if c["source"] == "sdk-default-chain" {
        // the node provider chain answered (also after a missing AWS_DEFAULT_PROFILE): the
        // provider that did
        return Some(match c["default_chain_provider"].as_str()? {
            "remoteProvider" => "fromContainerMetadata".into(),
            p => p.into(),
        });
    }
    Some(match o["selected_by"].as_str()? {
        "cli-profile" => "--aws-profile".into(),
        "stage-profile" => format!("AWS_{stage}_PROFILE"),
        "stage-env" => format!("AWS_{stage}_ACCESS_KEY_ID"),
        "aws-profile" => "AWS_PROFILE".into(),
        "env" => "AWS_ACCESS_KEY_ID".into(),
        "provider-profile" => "provider.profile".into(),
        "default-profile-env" => "AWS_DEFAULT_PROFILE".into(),
        "implicit-default" => "default".into(),
        _ => return None,
    })
}

/// What selected the credentials, as the recordings show it: v3's default-chain provider, or
/// osls's slot, which is v3's too whenever both tools chose the same credentials (they rank
/// the sources alike; only validity and errors differ).
fn expected_selector(oracle: &Value, sdk_oracle: &Value, v3: bool) -> Option<String> {
    if !v3 {
        return sdk_selector(sdk_oracle);
    }
    if let Some(p) = oracle["credentials"]["default_chain_provider"].as_str() {
        return Some(p.into());
    }
    let same = oracle_outcome(oracle) == oracle_outcome(sdk_oracle)
        && sdk_oracle["credentials"]["source"] != "sdk-default-chain";
    same.then(|| sdk_selector(sdk_oracle)).flatten()
}

/// The kind of the chosen credentials, in the report's words.
fn expected_kind(o: &Value, v3: bool) -> Option<String> {
    let c = &o["credentials"];
    if c["source"] == "env" {
        return Some("env".into());
    }
    let kind = if v3 {
        match c["default_chain_provider"].as_str() {
            Some(p) if p.starts_with("EnvironmentCredentials") => "env",
            Some("SsoCredentials") => "sso",
            Some("TokenFileWebIdentityCredentials") => "web-identity",
            Some("ECSCredentials") => "external",
            Some("ProcessCredentials") => "credential-process",
            _ if c["role_arn"].is_string() => "assume-role",
            _ if c["access_key_id"].is_string() => "static-keys",
            _ => return None,
        }
    } else {
        match c["kind"].as_str()? {
            "static" => "static-keys",
            "assume-role" => "assume-role",
            "sso" => "sso",
            "process" => "credential-process",
            "web-identity" => "web-identity",
            "container-or-imds" => "external",
            _ => return None,
        }
    };
    Some(kind.into())
}

/// The account the recording shows: the chosen role's ARN, the role of the web-identity
/// call, or the account of the SSO call.
fn expected_account(o: &Value) -> Option<String> {
    let account = |arn: &str| arn.split(':').nth(4).map(str::to_string);
    if let Some(arn) = o["credentials"]["role_arn"].as_str() {
        return account(arn);
    }
    o["aws_calls"]
        .as_array()
        .into_iter()
        .flatten()
        .find_map(|c| match (c["service"].as_str(), c["operation"].as_str()) {
            (Some("sso"), _) => {
                text(&c["params"]["accountId"]).or_else(|| text(&c["params"]["account_id"]))
            }
            (Some("sts"), Some(op)) if op.eq_ignore_ascii_case("assumeRoleWithWebIdentity") => {
                c["params"]["RoleArn"].as_str().and_then(account)
            }
            _ => None,
        })
}

/// How many details were compared, so the comparison cannot silently become vacuous.
#[derive(Debug, Default)]
struct Tally {
    selectors: usize,
    kinds: usize,
    accounts: usize,
    mfa: usize,
}

/// Where the chosen credentials' details differ from the recording (only for a run whose
/// outcome agrees and selected credentials).
fn detail_differences(
    oracle: &Value,
    sdk_oracle: &Value,
    j: &Value,
    v3: bool,
    tally: &mut Tally,
) -> Vec<String> {
    let own = if v3 { oracle } else { sdk_oracle };
    let mut out = Vec::new();
    let c = &j["credentials"];
    if let Some(want) = expected_selector(oracle, sdk_oracle, v3) {
        tally.selectors += 1;
        if c["selected_by"] != want.as_str() {
            out.push(format!(
                "selected_by: recorded {want}, ours {}",
                c["selected_by"]
            ));
        }
    }
    if let Some(want) = expected_kind(own, v3) {
        tally.kinds += 1;
        if c["kind"] != want.as_str() {
            out.push(format!("kind: recorded {want}, ours {}", c["kind"]));
        }
    }
    let want = expected_account(own);
    tally.accounts += usize::from(want.is_some());
    let ours = text(&c["account_id"]);
    if want != ours {
        out.push(format!("account_id: recorded {want:?}, ours {ours:?}"));
    }
    out
}

/// One fixture: its recordings and our JSON report with each engine.
struct FixtureRun {
    name: String,
    /// `oracle.json`, `oracle-sdk.json`.
    recorded: [Value; 2],
    /// `--engine v3`, `--engine sdk`.
    ours: [Value; 2],
}

/// Every fixture, run once with each engine and shared by the tests.
fn all_runs() -> &'static [FixtureRun] {
    static RUNS: OnceLock<Vec<FixtureRun>> = OnceLock::new();
    RUNS.get_or_init(|| {
        let root = fixtures().join("profiles");
        let mut dirs: Vec<_> = std::fs::read_dir(&root)
            .expect("fixtures/profiles")
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| p.join("serverless.yml").exists())
            .collect();
        dirs.sort();
        dirs.into_iter()
            .map(|dir| {
                let name = dir
                    .file_name()
                    .and_then(|n| n.to_str())
                    .unwrap_or_default()
                    .to_string();
                let recorded = ["oracle.json", "oracle-sdk.json"].map(|file| {
                    let text = std::fs::read_to_string(dir.join(file))
                        .unwrap_or_else(|_| panic!("{name}: {file} not recorded"));
                    serde_json::from_str(&text).expect("oracle JSON")
                });
                let ours = ["v3", "sdk"].map(|engine| ours(&dir, engine));
                FixtureRun {
                    name,
                    recorded,
                    ours,
                }
            })
            .collect()
    })
}

#[test]
fn every_fixture_matches_the_recorded_tools() {
    let runs = all_runs();
    assert!(runs.len() >= 100, "only {} fixtures", runs.len());

    let mut mismatches = Vec::new();
    let mut known_seen = BTreeSet::new();
    let mut compared = 0;
    let mut tally = Tally::default();
    for run in runs {
        let name = run.name.as_str();
        for (i, engine) in ["v3", "sdk"].into_iter().enumerate() {
            let oracle = &run.recorded[i];
            let j = &run.ours[i];
            let v3 = engine == "v3";
            let (want, got) = (oracle_outcome(oracle), our_outcome(j, v3));
            // STS calls made while choosing credentials; osls makes them only for the winner,
            // lazily, and only when the choice succeeded
            let calls_differ = v3
                && matches!(want, Outcome::Credentials { .. })
                && oracle_assumed(oracle) != our_assumed(j);
            // MFA prompts: v3 asks while it constructs each candidate, up to its first error;
            // osls only for the winner, once the choice succeeded
            let mfa_differ = (v3 || matches!(want, Outcome::Credentials { .. }))
                && oracle_mfa(oracle) != our_mfa(j);
            let mut details = Vec::new();
            if want == got && matches!(want, Outcome::Credentials { .. }) {
                let [v3_oracle, sdk_oracle] = &run.recorded;
                details = detail_differences(v3_oracle, sdk_oracle, j, v3, &mut tally);
            }
            tally.mfa += oracle_mfa(oracle).len();
            if mfa_differ {
                details.push(format!(
                    "MFA prompts: recorded {:?}, ours {:?}",
                    oracle_mfa(oracle),
                    our_mfa(j)
                ));
            }
            compared += 1;
            let known = KNOWN_DIFFERENCES
                .iter()
                .any(|(f, e, _)| *f == name && *e == engine);
            if want == got && !calls_differ && details.is_empty() {
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
                "{name} ({engine}): recorded {want:?}, ours {got:?}{}{}",
                details.iter().map(|d| format!("; {d}")).collect::<String>(),
                if calls_differ {
                    format!(
                        "; AssumeRole recorded {:?}, ours {:?}",
                        oracle_assumed(oracle),
                        our_assumed(j)
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
    eprintln!("compared in detail: {tally:?}");
    assert!(
        tally.selectors >= 100 && tally.kinds >= 120 && tally.accounts >= 20 && tally.mfa >= 3,
        "too few details compared: {tally:?}"
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

fn warning_codes(j: &Value) -> BTreeSet<String> {
    j["warnings"]
        .as_array()
        .into_iter()
        .flatten()
        .filter_map(|w| text(&w["code"]))
        .collect()
}

#[test]
fn every_fixture_raises_exactly_its_warnings() {
    let runs = all_runs();
    let mut problems = Vec::new();
    for (f, e, _) in WARNINGS {
        assert!(
            runs.iter().any(|r| r.name == *f) && ["v3", "sdk"].contains(e),
            "WARNINGS names {f} ({e}), which is not a fixture run"
        );
    }
    for run in runs {
        for (i, engine) in ["v3", "sdk"].into_iter().enumerate() {
            let want: BTreeSet<String> = WARNINGS
                .iter()
                .filter(|(f, e, _)| *f == run.name && *e == engine)
                .flat_map(|(_, _, codes)| codes.iter().map(|c| c.to_string()))
                .collect();
            let mut got = warning_codes(&run.ours[i]);
            got.remove("engines-disagree");
            if want != got {
                problems.push(format!(
                    "{} ({engine}): expected {want:?}, got {got:?}",
                    run.name
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// `engines-disagree` appears exactly when the two recorded tools ended differently (another
/// error, or other credentials), except where `--engine sdk` deliberately departs from osls.
#[test]
fn engines_disagree_exactly_when_the_recorded_tools_do() {
    let mut problems = Vec::new();
    for run in all_runs() {
        if KNOWN_DIFFERENCES.iter().any(|(f, _, _)| *f == run.name) {
            continue;
        }
        let [v3, sdk] = &run.recorded;
        let recorded_differ = !same_result(v3, sdk);
        for (i, engine) in ["v3", "sdk"].into_iter().enumerate() {
            let warned = warning_codes(&run.ours[i]).contains("engines-disagree");
            if warned != recorded_differ {
                problems.push(format!(
                    "{} ({engine}): the recorded tools {}, but engines-disagree is {}",
                    run.name,
                    if recorded_differ { "differ" } else { "agree" },
                    if warned { "raised" } else { "absent" }
                ));
            }
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// Whether serverless v3 and osls 4 ended alike: the same error (message included: a missing
/// `source_profile` is reported under another profile name by each), or credentials of the
/// same profile, key-pair prefix and kind where both recordings show it (which provider class
/// answered does not matter).
fn same_result(v3: &Value, sdk: &Value) -> bool {
    match (oracle_outcome(v3), oracle_outcome(sdk)) {
        (Outcome::Credentials { profile: a, .. }, Outcome::Credentials { profile: b, .. }) => {
            let prefix = |o: &Value| {
                text(&o["credentials"]["env_prefix"]).or_else(|| {
                    o["credentials"]["default_chain_provider"]
                        .as_str()
                        .and_then(|p| p.strip_prefix("EnvironmentCredentials("))
                        .map(|r| r.trim_end_matches(')').to_string())
                })
            };
            let kinds = match (expected_kind(v3, true), expected_kind(sdk, false)) {
                (Some(x), Some(y)) => x == y,
                _ => true,
            };
            a == b && prefix(v3) == prefix(sdk) && kinds
        }
        (Outcome::Error(a), Outcome::Error(b))
            if a == b && a != "crash" && a != "AWS_CREDENTIALS_NOT_FOUND" =>
        {
            v3["error"]["message"] == sdk["error"]["message"]
        }
        (x, y) => x == y,
    }
}

/// The JSON types of docs/report.md.
fn json_type(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "boolean",
        Value::Number(n) if n.is_i64() || n.is_u64() => "integer",
        Value::Number(_) => "number",
        Value::String(_) => "string",
        Value::Array(_) => "array",
        Value::Object(_) => "object",
    }
}

/// Every path of `v` (`a.b`, `a[].c`) with the types seen there.
fn collect_paths(v: &Value, path: &str, out: &mut BTreeMap<String, BTreeSet<&'static str>>) {
    if !path.is_empty() {
        out.entry(path.to_string())
            .or_default()
            .insert(json_type(v));
    }
    match v {
        Value::Object(map) => {
            for (k, x) in map {
                let p = if path.is_empty() {
                    k.clone()
                } else {
                    format!("{path}.{k}")
                };
                collect_paths(x, &p, out);
            }
        }
        Value::Array(items) => {
            for x in items {
                collect_paths(x, &format!("{path}[]"), out);
            }
        }
        _ => {}
    }
}

/// The field tables of docs/report.md's JSON section: path -> allowed types.
fn documented_schema() -> BTreeMap<String, BTreeSet<String>> {
    let doc =
        std::fs::read_to_string(fixtures().join("../docs/report.md")).expect("docs/report.md");
    let start = doc.find("## JSON output").expect("a JSON section");
    let end = doc[start..]
        .find("## Warning codes")
        .map_or(doc.len(), |e| start + e);
    let mut out = BTreeMap::new();
    for line in doc[start..end].lines() {
        let cells: Vec<&str> = line.split(" | ").collect();
        let Some(path) = cells
            .first()
            .and_then(|c| c.strip_prefix("| `"))
            .and_then(|c| c.strip_suffix('`'))
        else {
            continue;
        };
        let types = cells
            .get(1)
            .expect("a type column")
            .split(" or ")
            .map(|t| t.trim().to_string())
            .collect();
        assert!(
            out.insert(path.to_string(), types).is_none(),
            "docs/report.md lists `{path}` twice"
        );
    }
    out
}

/// The report's JSON is what docs/report.md says: every field of every run (all fixtures, both
/// engines) is documented with its type, and every documented field appears somewhere.
#[test]
fn json_schema_is_documented() {
    let documented = documented_schema();
    assert!(
        documented.len() > 100,
        "only {} documented fields",
        documented.len()
    );
    let mut seen: BTreeMap<String, BTreeSet<&'static str>> = BTreeMap::new();
    for run in all_runs() {
        for j in &run.ours {
            collect_paths(j, "", &mut seen);
        }
    }
    let mut problems = Vec::new();
    for (path, types) in &seen {
        match documented.get(path) {
            None => problems.push(format!("`{path}` ({types:?}) is not documented")),
            Some(allowed) if allowed.contains("any") => {}
            Some(allowed) => {
                for t in types {
                    if !allowed.contains(*t) {
                        problems.push(format!("`{path}` is {t}, documented as {allowed:?}"));
                    }
                }
            }
        }
    }
    for path in documented.keys() {
        if !seen.contains_key(path) {
            problems.push(format!(
                "`{path}` is documented but appears in no fixture's report"
            ));
        }
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
}

/// The precedence table of docs/credentials.md cites, for each rank, fixtures recorded from the
/// real tools: they must exist (the main test checks sls-resolve against each of them).
#[test]
fn the_precedence_table_cites_real_fixtures() {
    let doc = std::fs::read_to_string(fixtures().join("../docs/credentials.md"))
        .expect("docs/credentials.md");
    let mut cited = 0;
    for line in doc
        .lines()
        .filter(|l| l.starts_with("| ") && l.ends_with(" |"))
    {
        let cells: Vec<&str> = line.trim_matches('|').split(" | ").collect();
        if cells.len() != 5 || !cells[0].trim().chars().all(|c| c.is_ascii_digit()) {
            continue;
        }
        for name in cells[4].split(", ").map(|c| c.trim().trim_matches('`')) {
            assert!(
                fixtures()
                    .join("profiles")
                    .join(name)
                    .join("oracle.json")
                    .exists(),
                "docs/credentials.md cites `{name}`, which is not a recorded fixture"
            );
            cited += 1;
        }
    }
    assert!(cited >= 18, "only {cited} fixtures cited");
}
