//! No secret ever leaves sls-resolve: unique secret keys and session tokens are planted in the
//! AWS files, in the environment and in a `.env` file, then every command runs in every format
//! (both engines, both error formats, success and failure paths) and no planted value may appear
//! in stdout or stderr, while the masked form (`****************` + last 4) does. A leak is any
//! 10 consecutive characters of a secret other than its last four (so a secret cut, wrapped or
//! shown in part is caught too). Broken AWS files, whose code frames show the lines around a
//! syntax error, are a scenario of their own.

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

/// Panics when `output` shows any 10 consecutive characters of `secret` before its last four.
fn assert_no_leak(output: &str, secret: &str, what: &str) {
    let chars: Vec<char> = secret.chars().collect();
    let shown = chars.len().saturating_sub(4);
    for start in 0..shown.saturating_sub(9) {
        let window: String = chars[start..start + 10].iter().collect();
        assert!(
            !output.contains(&window),
            "`{window}` of `{secret}` printed by {what}:\n{output}"
        );
    }
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
            for errors in ["human", "v3"] {
                commands.push(vec![
                    "print",
                    "--stage",
                    stage,
                    "--format",
                    format,
                    "--error-format",
                    errors,
                ]);
            }
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
                assert_no_leak(&output, secret, &format!("{args:?} with {env:?}"));
            }
            masked_seen |= output.contains("****************");
        }
    }
    assert!(masked_seen, "the masked form is shown somewhere");
}

/// Secrets in AWS files broken around them: a header without `]` right above a secret, a
/// nameless `= value`, a commented-out key, a misspelt key, a pasted key on a line of its own,
/// a continuation line, `[__proto__]` (the v2 reader rejects the whole file), two sections that
/// normalise to one name (v2: `Cannot redefine property`). `check` shows code frames of these
/// lines; the report and `print` show messages. Nothing of a secret may appear.
const BROKEN: &[&str] = &[
    "Qz8Wx7Ec6Rv5Tb4Yn3Um2Ik1Ol0PaSdFgHjKlZx01",
    "Br0kenHeaderSecretQ1W2E3R4T5Y6U7I8O9P0As01",
    "ContinuationTokenZ9X8C7V6B5N4M3L2K1J0HgFd01",
    "NoKeySecretP0O9I8U7Y6T5R4E3W2Q1ZaXsCdVfBg01",
    "CommentedOutSecretM1N2B3V4C5X6Z7L8K9J0Hg01",
    "MisspeltTokenL0K9J8H7G6F5D4S3A2Q1WeRtYuIo01",
    "PastedAloneSecretA1S2D3F4G5H6J7K8L9Z0XcVb01",
    "ProtoSectionSecretQ9W8E7R6T5Y4U3I2O1PzXcVb01",
    "RedefinedSecretZ1X2C3V4B5N6M7A8S9D0FgHjKl01",
    "IQoJb3JpZ2luX2VjEKr//////////wEaCXVzLWVhc3QtMSJHMEUCIQD6+longSessionTokenWithSlashesAndPluses+/=Mq7r5vX0yT2uE4wP9sL1kJ3hG6fD8aN0cB5zQ2xR7tY1uI4oP6aS9dF3gH5jK8lZ0xC2vB4nM7qW1eR3tY5uI8oP0aS2dF4gH6jK9lZ1xC3vB5nM8qW2eR4tY6uI9oP1aS3dF5gH7jK0lZ2xC4vB6nM9qW3eR5tY7uI0oP2aS4dF6gH8jK1lZ3xC5vB7nM0qW4eR6tY8uI1oP3aS5dF7gH9jK2lZ4xC6vB8nM1qW5eR7tY9uI2oP4aS6dF8gH0jK3l01",
];

#[test]
fn broken_aws_files_show_no_secret_anywhere() {
    let dir = TempDir::new("secrets-broken");
    let root = dir.path();
    write(
        &root.join("home/.aws/credentials"),
        &format!(
            "[default]\naws_access_key_id = AKIAQWERTYUIOPASDF01\naws_secret_access_key = {}\naws_session_token = {}\n\
             [broken\naws_secret_access_key = {}\n  aws_session_token = {}\n\
             [profile bad]\n= {}\n# aws_secret_access_key = {}\naws_sesion_token = {}\n{}\n",
            BROKEN[0], BROKEN[9], BROKEN[1], BROKEN[2], BROKEN[3], BROKEN[4], BROKEN[5], BROKEN[6]
        ),
    );
    write(
        &root.join("home/.aws/config"),
        &format!(
            "[profile deploy]\nregion = eu-west-1\n[profile  deploy]\naws_secret_access_key = {}\n\
             [__proto__]\naws_secret_access_key = {}\n",
            BROKEN[8], BROKEN[7]
        ),
    );
    write(
        &root.join("svc/serverless.yml"),
        "service: broken\nprovider:\n  name: aws\n  profile: ${opt:stage}\n",
    );
    let mut commands: Vec<Vec<&str>> = Vec::new();
    for stage in ["default", "deploy", "broken", "bad", "nope"] {
        for format in ["text", "json"] {
            for engine in ["v3", "sdk"] {
                commands.push(vec![
                    "--stage", stage, "--format", format, "--engine", engine,
                ]);
            }
        }
        for errors in ["human", "v3"] {
            commands.push(vec!["print", "--stage", stage, "--error-format", errors]);
        }
    }
    for format in ["text", "json", "github"] {
        for engine in ["v3", "sdk"] {
            commands.push(vec!["check", "--format", format, "--engine", engine, "."]);
        }
    }
    let mut frames_seen = false;
    for env in [&[][..], &[("AWS_SDK_LOAD_CONFIG", "1")][..]] {
        for args in &commands {
            let output = run(root, args, env);
            for secret in BROKEN {
                assert_no_leak(&output, secret, &format!("{args:?} with {env:?}"));
            }
            frames_seen |= output.contains("[broken") && output.contains("╭─[");
        }
    }
    assert!(
        frames_seen,
        "a code frame of the broken credentials file is shown"
    );
}

/// A `.env` error is framed in the `.env` file, and a `.env` file is where secrets live: the
/// lines around the broken value hold a secret key, a token under `export`, a key written with
/// `:`, a quoted value spanning lines, a key in a comment. None may be shown.
#[test]
fn a_dotenv_code_frame_shows_no_secret() {
    const DOTENV: &[&str] = &[
        "DotenvFrameSecretA1S2D3F4G5H6J7K8L9Z0Xc01",
        "DotenvFrameTokenQ1W2E3R4T5Y6U7I8O9P0Zx01",
        "DotenvColonKeyZ9X8C7V6B5N4M3L2K1J0Hg01",
        "DotenvMultiLineP0O9I8U7Y6T5R4E3W2Q1Za01",
        "DotenvCommentedM1N2B3V4C5X6Z7L8K9J0Hg01",
    ];
    let dir = TempDir::new("secrets-dotenv-frame");
    let root = dir.path();
    write(
        &root.join("svc/serverless.yml"),
        "service: dotenv\nuseDotenv: true\nprovider:\n  name: aws\n  stage: ${env:STAGE, 'dev'}\ncustom:\n  e: ${env:E, 'unset'}\n",
    );
    let dotenv = |broken: &str| {
        format!(
            "AWS_SECRET_ACCESS_KEY={}\nexport AWS_SESSION_TOKEN={}\n{broken}\nAPI_KEY: {}\nPRIVATE_KEY=\"-----\n{}\n-----\"\n# DB_PASSWORD={}\n",
            DOTENV[0], DOTENV[1], DOTENV[2], DOTENV[3], DOTENV[4]
        )
    };
    let mut frames_seen = 0;
    // a value that names itself, then a key read before the file is loaded
    for broken in ["E=x${E}", "STAGE=prod"] {
        write(&root.join("svc/.env"), &dotenv(broken));
        for args in [
            &["print"][..],
            &["print", "--error-format", "v3"],
            &["print", "--format", "json"],
            &[],
            &["--format", "json"],
            &["check", "."],
            &["check", "--format", "json", "."],
            &["check", "--format", "github", "."],
        ] {
            let output = run(root, args, &[]);
            for secret in DOTENV {
                assert_no_leak(&output, secret, &format!("{args:?} over `{broken}`"));
            }
            frames_seen += usize::from(output.contains(&format!("3 │ {broken}")));
        }
    }
    // human-format `print` (YAML and JSON), the report and `check` frame each error
    assert_eq!(frames_seen, 8);
}
