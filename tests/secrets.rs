//! No secret ever leaves sls-resolve: unique secret keys and session tokens are planted in the
//! AWS files, in the environment and in a `.env` file, then every command runs in every format
//! (both engines, success and failure paths) and no planted value may appear in stdout or
//! stderr, while the masked form (`****************` + last 4) does.

mod support;

use std::path::Path;
use std::process::Command;

use support::TempDir;

/// Values that must never be printed. Access key ids are masked too, as `aws configure list`
/// does.
const PLANTED: &[&str] = &[
    "AKIAPLANTEDFILEKEY01",
    "plantedFileSecretKeyValue0001",
    "plantedFileSessionToken0001",
    "AKIAPLANTEDROLESRC01",
    "plantedRoleSourceSecret0001",
    "plantedConfigSecretValue0001",
    "AKIAPLANTEDENVKEY001",
    "plantedEnvSecretKeyValue0001",
    "plantedEnvSessionToken0001",
    "AKIAPLANTEDSTAGEKEY1",
    "plantedStageSecretValue0001",
    "plantedStageSessionToken001",
    "plantedDotenvSecretValue001",
    "plantedAmazonSecretValue001",
];

fn write(path: &Path, text: &str) {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir).expect("mkdir");
    }
    std::fs::write(path, text).expect("write");
}

fn setup() -> TempDir {
    let root = TempDir::new("secrets");
    let home = root.path().join("home");
    write(
        &home.join(".aws/credentials"),
        "[default]\naws_access_key_id = AKIAPLANTEDFILEKEY01\naws_secret_access_key = plantedFileSecretKeyValue0001\naws_session_token = plantedFileSessionToken0001\n\
         [base]\naws_access_key_id = AKIAPLANTEDROLESRC01\naws_secret_access_key = plantedRoleSourceSecret0001\n\
         [partial]\naws_access_key_id = AKIAPLANTEDFILEKEY01\n",
    );
    write(
        &home.join(".aws/config"),
        "[profile deploy]\nrole_arn = arn:aws:iam::123456789012:role/deploy\nsource_profile = base\nmfa_serial = arn:aws:iam::123456789012:mfa/me\n\
         [profile cfg]\naws_access_key_id = AKIAPLANTEDFILEKEY01\naws_secret_access_key = plantedConfigSecretValue0001\n",
    );
    let svc = root.path().join("svc");
    write(
        &svc.join("serverless.yml"),
        "service: secrets\nuseDotenv: true\nprovider:\n  name: aws\n  profile: ${self:custom.profiles.${sls:stage}}\ncustom:\n  profiles:\n    prod: deploy\n    dev: cfg\n    broken: ${self:custom.nope}\n",
    );
    write(
        &svc.join(".env"),
        "AWS_DEV_SECRET_ACCESS_KEY=plantedDotenvSecretValue001\nAWS_DEV_ACCESS_KEY_ID=AKIAPLANTEDSTAGEKEY1\n",
    );
    root
}

fn run(root: &Path, args: &[&str], env: &[(&str, &str)]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_sls-resolve"))
        .args(args)
        .current_dir(root.join("svc"))
        .env_clear()
        .env("HOME", root.join("home"))
        .env("NO_COLOR", "1")
        .envs(env.iter().copied())
        .output()
        .expect("binary runs");
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn no_planted_secret_appears_in_any_output() {
    let dir = setup();
    let root = dir.path();
    let envs: [&[(&str, &str)]; 4] = [
        &[],
        &[
            ("AWS_ACCESS_KEY_ID", "AKIAPLANTEDENVKEY001"),
            ("AWS_SECRET_ACCESS_KEY", "plantedEnvSecretKeyValue0001"),
            ("AWS_SESSION_TOKEN", "plantedEnvSessionToken0001"),
            ("AWS_SDK_LOAD_CONFIG", "1"),
            ("AWS_REGION", "eu-west-1"),
        ],
        &[
            ("AWS_PROD_ACCESS_KEY_ID", "AKIAPLANTEDSTAGEKEY1"),
            ("AWS_PROD_SECRET_ACCESS_KEY", "plantedStageSecretValue0001"),
            ("AWS_PROD_SESSION_TOKEN", "plantedStageSessionToken001"),
            ("AMAZON_SECRET_ACCESS_KEY", "plantedAmazonSecretValue001"),
        ],
        &[
            ("AWS_PROFILE", "partial"),
            ("AMAZON_ACCESS_KEY_ID", "AKIAPLANTEDENVKEY001"),
            ("AMAZON_SECRET_ACCESS_KEY", "plantedAmazonSecretValue001"),
        ],
    ];
    let mut commands: Vec<Vec<&str>> = Vec::new();
    for stage in ["prod", "dev", "broken", "staging"] {
        for format in ["text", "json"] {
            for engine in ["v3", "sdk"] {
                commands.push(vec![
                    "--stage", stage, "--format", format, "--engine", engine,
                ]);
            }
        }
        for profile in ["default", "cfg", "base", "partial"] {
            commands.push(vec![
                "--stage",
                stage,
                "--aws-profile",
                profile,
                "--format",
                "json",
            ]);
        }
        for format in ["yaml", "json", "text"] {
            commands.push(vec!["print", "--stage", stage, "--format", format]);
        }
    }
    for format in ["text", "json", "github"] {
        for engine in ["v3", "sdk"] {
            commands.push(vec!["check", "--format", format, "--engine", engine, "."]);
        }
    }
    let mut masked_seen = false;
    for env in envs {
        for args in &commands {
            let output = run(root, args, env);
            for secret in PLANTED {
                assert!(
                    !output.contains(secret),
                    "`{secret}` printed by {args:?} with {env:?}:\n{output}"
                );
            }
            masked_seen |= output.contains("****************");
        }
    }
    assert!(masked_seen, "the masked form is shown somewhere");
}
