//! The whole pipeline, bytes to what `sls-resolve print` and the profile report print: no panic,
//! no stack overflow, no hang, no unbounded memory on any input; exit codes are 0, 1 or 2; a
//! successful `print` in YAML reads back (js-yaml semantics) as the same value as its JSON
//! (unless the configuration reads the options, which differ in `format`);
//! a secret planted in the AWS credentials never appears in any output.
//!
//! The input is split at NUL bytes: the configuration (`serverless.json` when it starts with
//! `{`, else `serverless.yml`), a file the configuration may include (as `inc.yml`, `inc.json`,
//! `inc.txt` and `.env`), `~/.aws/config`, `~/.aws/credentials`.

#![no_main]

use std::path::{Path, PathBuf};

use libfuzzer_sys::fuzz_target;
use sls_resolve::memory::{Memory, Output};

const SECRET: &str = "FuzzPlantedSecretValue0123456789";
const TOKEN: &str = "FuzzPlantedSessionToken0123456789";

fuzz_target!(|data: &[u8]| {
    let mut parts = data.splitn(4, |&b| b == 0);
    let config = parts.next().unwrap_or_default();
    let included = parts.next().unwrap_or_default();
    let aws_config = parts.next().unwrap_or_default();
    let credentials = parts.next().unwrap_or_default();

    let mut memory = Memory::default();
    let name = if config.starts_with(b"{") {
        "serverless.json"
    } else {
        "serverless.yml"
    };
    let config_path = PathBuf::from("/svc").join(name);
    memory.files.insert(config_path.clone(), config.to_vec());
    for inc in ["inc.yml", "inc.json", "inc.txt", ".env"] {
        memory
            .files
            .insert(Path::new("/svc").join(inc), included.to_vec());
    }
    memory
        .files
        .insert("/home/.aws/config".into(), aws_config.to_vec());
    let mut creds = credentials.to_vec();
    creds.extend_from_slice(
        format!("\n[planted]\naws_access_key_id = AKIAFUZZPLANTED00001\naws_secret_access_key = {SECRET}\naws_session_token = {TOKEN}\n").as_bytes(),
    );
    memory.files.insert("/home/.aws/credentials".into(), creds);
    memory.env.insert("HOME".into(), "/home".into());

    // The configuration may print the AWS files itself (`${file(/home/.aws/credentials)}`).
    let reads_aws_files = [config, included]
        .iter()
        .any(|t| t.windows(4).any(|w| w == b".aws"));
    let check = |out: &Output| {
        assert!(out.exit <= 2, "exit {}", out.exit);
        for stream in [&out.stdout, &out.stderr] {
            assert!(!stream.contains("panicked"), "{stream}");
            if !reads_aws_files {
                assert!(
                    !stream.contains(SECRET) && !stream.contains(TOKEN),
                    "{stream}"
                );
            }
        }
    };

    let json = memory.run(&config_path, &["print", "--format", "json"]);
    check(&json);
    let yaml = memory.run(&config_path, &["print"]);
    check(&yaml);
    assert_eq!(json.exit, yaml.exit, "{json:?} {yaml:?}");
    // `${opt:format}` (or all options, `${opt:}`) differs between the two runs.
    let reads_options = [config, included]
        .iter()
        .any(|t| t.windows(3).any(|w| w == b"opt"));
    if json.exit == 0 && !reads_options {
        let from_json = sls_yaml::load_json(&json.stdout)
            .unwrap_or_else(|e| panic!("print JSON does not load: {e}\n{}", json.stdout))
            .to_value();
        // `print` ends its output with a line break of its own (`console.log`), which a `|+`
        // block at the end would keep.
        let printed = yaml.stdout.strip_suffix('\n').unwrap_or(&yaml.stdout);
        let from_yaml = sls_yaml::load_yaml(printed)
            .unwrap_or_else(|e| panic!("print YAML does not load: {e}\n{}", yaml.stdout))
            .to_value();
        assert_eq!(
            from_json, from_yaml,
            "YAML:\n{}\nJSON:\n{}",
            yaml.stdout, json.stdout
        );
    }
    let v3 = memory.run(&config_path, &["print", "--error-format", "v3"]);
    check(&v3);
    check(&memory.run(&config_path, &["--format", "json"]));
    check(&memory.run(&config_path, &["--engine", "sdk", "--stage", "prod"]));
});
