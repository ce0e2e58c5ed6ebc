//! `sls-resolve print` behaviour that `serverless print` has no counterpart for, so no
//! `oracle.json` can record it: the FILE/DIR argument, refusing scripted configurations from
//! every entry point, `--allow-unresolved`, where diagnostics point (an included file, a `.env`
//! line), and copies of an aliased variable reported once.

mod support;

use support::{TempDir, sls_resolve};

const BASE: &str = "service: svc\nprovider:\n  name: aws\n";

/// A service folder `svc/` holding a config that includes a file relative to itself.
fn service(root: &TempDir) {
    root.write(
        "svc/serverless.yml",
        &format!("{BASE}custom:\n  inc: ${{file(./inc.yml):k}}\n"),
    );
    root.write("svc/inc.yml", "k: from-svc\n");
    root.write(
        "svc/serverless.yaml",
        &format!("{BASE}custom:\n  inc: yaml\n"),
    );
}

#[test]
fn directory_argument_finds_the_config_and_resolves_files_against_it() {
    let root = TempDir::new("print-cli-dir");
    service(&root);
    let run = sls_resolve(
        root.path(),
        None,
        &["print", "svc", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["custom"]["inc"], "from-svc");
}

#[test]
fn file_argument_selects_that_file() {
    let root = TempDir::new("print-cli-file");
    service(&root);
    let run = sls_resolve(
        root.path(),
        None,
        &["print", "svc/serverless.yaml", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    assert_eq!(run.json()["custom"]["inc"], "yaml");
}

#[test]
fn missing_file_argument_is_an_io_error() {
    let root = TempDir::new("print-cli-missing");
    let run = sls_resolve(root.path(), None, &["print", "nope.yml"], &[]);
    assert_eq!(run.code, 2, "{}", run.stderr);
    assert!(run.stdout.is_empty());
}

#[test]
fn scripted_configurations_are_refused_from_every_entry_point() {
    let root = TempDir::new("print-cli-scripted");
    for ext in ["js", "mjs", "cjs", "ts"] {
        let dir = format!("only-{ext}");
        root.write(
            &format!("{dir}/serverless.{ext}"),
            "module.exports = { service: 'svc', provider: { name: 'aws' } };\n",
        );
        let config = format!("{dir}/serverless.{ext}");
        for args in [
            vec!["print", dir.as_str()],
            vec!["print", config.as_str()],
            vec!["print", "-c", config.as_str()],
        ] {
            let run = sls_resolve(root.path(), None, &args, &[]);
            assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
            assert!(run.stdout.is_empty(), "{args:?}");
            assert!(
                run.stderr.contains(&format!("serverless.{ext}")),
                "{args:?}"
            );
        }
    }
}

#[test]
fn unsupported_config_extensions_are_a_usage_error() {
    let root = TempDir::new("print-cli-ext");
    root.write("svc.txt", BASE);
    for args in [["print", "-c", "svc.txt"], ["print", "--config", "svc.txt"]] {
        let run = sls_resolve(root.path(), None, &args, &[]);
        assert_eq!(run.code, 2, "{}", run.stderr);
        assert!(run.stdout.is_empty());
    }
}

#[test]
fn unknown_options_are_a_usage_error() {
    let root = TempDir::new("print-cli-unknown");
    root.write("serverless.yml", BASE);
    for args in [
        vec!["print", "--foo", "bar"],
        vec!["print", "--format", "xml"],
        vec!["print", "--transform", "values"],
    ] {
        let run = sls_resolve(root.path(), None, &args, &[]);
        assert_eq!(run.code, 2, "{args:?}: {}", run.stderr);
        assert!(run.stdout.is_empty(), "{args:?}");
    }
}

const REMOTE: &str = "custom:
  ssm: ${ssm:/app/key}
  cf: prefix-${cf:stack.Output}
  s3: ${s3:bucket/key}
  account: ${aws:accountId}
  local: ${self:service}
";

#[test]
fn remote_sources_fail_offline_naming_each_variable() {
    let root = TempDir::new("print-cli-remote");
    root.write("serverless.yml", &format!("{BASE}{REMOTE}"));
    let run = sls_resolve(root.path(), None, &["print"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stdout.is_empty());
    for (path, variable) in [
        ("custom.ssm", "${ssm:/app/key}"),
        ("custom.cf", "${cf:stack.Output}"),
        ("custom.s3", "${s3:bucket/key}"),
        ("custom.account", "${aws:accountId}"),
    ] {
        assert!(
            run.stderr.contains(&format!("\"{path}\"")),
            "{path} not named:\n{}",
            run.stderr
        );
        assert!(
            run.stderr.contains(variable),
            "{variable} not shown:\n{}",
            run.stderr
        );
    }
}

#[test]
fn allow_unresolved_keeps_remote_variables_as_written_and_warns_for_each() {
    let root = TempDir::new("print-cli-allow");
    root.write("serverless.yml", &format!("{BASE}{REMOTE}"));
    let run = sls_resolve(
        root.path(),
        None,
        &["print", "--allow-unresolved", "--format", "json"],
        &[],
    );
    assert_eq!(run.code, 0, "{}", run.stderr);
    let custom = &run.json()["custom"];
    assert_eq!(custom["ssm"], "${ssm:/app/key}");
    assert_eq!(custom["cf"], "prefix-${cf:stack.Output}");
    assert_eq!(custom["s3"], "${s3:bucket/key}");
    assert_eq!(custom["account"], "${aws:accountId}");
    assert_eq!(custom["local"], "svc");
    let warnings: Vec<&str> = run
        .stderr
        .lines()
        .filter(|l| l.starts_with("warning:"))
        .collect();
    assert_eq!(warnings.len(), 4, "{}", run.stderr);
    for path in ["custom.ssm", "custom.cf", "custom.s3", "custom.account"] {
        assert!(
            warnings.iter().any(|w| w.contains(&format!("`{path}`"))),
            "{path} not listed:\n{}",
            run.stderr
        );
    }
}

#[test]
fn allow_unresolved_does_not_rescue_unknown_sources() {
    let root = TempDir::new("print-cli-unknown-source");
    root.write(
        "serverless.yml",
        &format!("{BASE}custom:\n  a: ${{vault:secret, 'fallback'}}\n  b: ${{ssm:/x}}\n"),
    );
    let run = sls_resolve(root.path(), None, &["print", "--allow-unresolved"], &[]);
    assert_eq!(run.code, 1, "{}", run.stderr);
    assert!(run.stderr.contains("vault"), "{}", run.stderr);
}

#[test]
fn path_not_found_exits_1_and_ok_exits_0() {
    let root = TempDir::new("print-cli-exit");
    root.write("serverless.yml", &format!("{BASE}custom:\n  a: 1\n"));
    let ok = sls_resolve(
        root.path(),
        None,
        &["print", "--path", "custom.a", "--format", "text"],
        &[],
    );
    assert_eq!((ok.code, ok.stdout.as_str()), (0, "1\n"));
    let missing = sls_resolve(root.path(), None, &["print", "--path", "custom.b"], &[]);
    assert_eq!(missing.code, 1);
    assert!(missing.stdout.is_empty());
}

#[test]
fn an_error_in_an_included_file_names_it_as_every_command_does() {
    let root = TempDir::new("print-cli-included-name");
    root.write(
        "svc/serverless.yml",
        &format!("{BASE}  profile: dev\ncustom:\n  inc: ${{file(./conf/vars.yml)}}\n"),
    );
    root.write("svc/conf/vars.yml", "a: 1\nb: ${self:custom.nope}\n");
    let print = sls_resolve(root.path(), None, &["print", "svc"], &[]);
    assert_eq!(print.code, 1);
    assert!(
        print.stderr.contains("[conf/vars.yml:2:4]"),
        "{}",
        print.stderr
    );
    // the report names it the same way, relative to the service
    let report = sls_resolve(root.path(), None, &["svc", "--format", "json"], &[]);
    let e = &report.json()["errors"][0];
    assert_eq!(
        (e["file"].as_str(), e["line"].as_i64(), e["column"].as_i64()),
        (Some("conf/vars.yml"), Some(2), Some(4))
    );
}

#[test]
fn a_dotenv_error_points_at_its_line_in_every_command() {
    let root = TempDir::new("print-cli-dotenv-site");
    root.write(
        "svc/serverless.yml",
        &format!("{BASE}  profile: dev\nuseDotenv: true\ncustom:\n  e: ${{env:E, 'unset'}}\n"),
    );
    // CRLF line ends: dotenv reads them as `\n`, the lines and columns are the file's.
    root.write("svc/.env", "# values\r\nA=1\r\nE=x${E}-$A\r\n");
    let print = sls_resolve(root.path(), None, &["print", "svc"], &[]);
    assert_eq!(print.code, 1);
    assert!(
        print.stderr.contains("EXCESSIVE_DOTENV_EXPANSION")
            && print.stderr.contains("[.env:3:3]")
            && print.stderr.contains("3 │ E=x${E}-$A")
            && print.stderr.contains("still expanding after 4200 steps"),
        "{}",
        print.stderr
    );
    let report = sls_resolve(root.path(), None, &["svc", "--format", "json"], &[]);
    let e = &report.json()["errors"][0];
    assert_eq!(
        (
            e["code"].as_str(),
            e["file"].as_str(),
            e["line"].as_i64(),
            e["column"].as_i64()
        ),
        (
            Some("EXCESSIVE_DOTENV_EXPANSION"),
            Some(".env"),
            Some(3),
            Some(3)
        )
    );
    // `check` names the file from where it runs, like the configuration.
    let check = sls_resolve(root.path(), None, &["check", "svc"], &[]);
    assert_eq!(check.code, 1);
    assert!(
        check.stdout.contains("[svc/.env:3:3]") && check.stdout.contains("E=x${E}-$A"),
        "{}",
        check.stdout
    );
}

#[test]
fn a_dotenv_conflict_points_at_the_key_and_says_how_to_fix_it() {
    let root = TempDir::new("print-cli-dotenv-conflict");
    root.write(
        "svc/serverless.yml",
        "service: svc\nuseDotenv: true\nprovider:\n  name: aws\n  stage: ${env:STAGE, 'dev'}\n",
    );
    root.write("svc/.env.dev", "REGION=eu-west-1\n  STAGE = prod\n");
    let print = sls_resolve(root.path(), None, &["print", "svc"], &[]);
    assert_eq!(print.code, 1);
    assert!(
        print.stderr.contains("DOTENV_ENV_VAR_RESOLUTION_CONFLICT")
            && print.stderr.contains("[.env.dev:2:3]")
            && print
                .stderr
                .contains("STAGE is read before this file is loaded")
            && print.stderr.contains("set STAGE in the environment"),
        "{}",
        print.stderr
    );
    // v3's text is unchanged
    let v3 = sls_resolve(
        root.path(),
        None,
        &["print", "svc", "--error-format", "v3"],
        &[],
    );
    assert_eq!(
        v3.stderr,
        "Cannot reliably resolve \"env\" variables due to resolution conflict.\nEnvironment variable \"STAGE\" which influences resolution of \".env.dev\" file were found to be defined in resolved \".env.dev\" file.DOTENV_ENV_VAR_RESOLUTION_CONFLICT\n"
    );
}

#[test]
fn copies_of_an_aliased_variable_are_one_error_in_every_command() {
    let root = TempDir::new("print-cli-alias-copies");
    // `bucket` fails under `base` and in its four copies (two merge keys, two aliases); `other`
    // fails the same way at another place.
    let config = std::fs::read_to_string(
        support::fixtures().join("print/errors-alias-copies-framed-once/serverless.yml"),
    )
    .expect("fixture");
    root.write("svc/serverless.yml", &config);
    let copies = "the same variable fails for 4 more properties: `custom.dev.bucket`, \
                  `custom.prod.bucket`, `custom.list.0.bucket` and `custom.list.1.bucket`";
    // v3's message lists every copy
    let v3 = sls_resolve(
        root.path(),
        None,
        &["print", "svc", "--error-format", "v3"],
        &[],
    );
    assert_eq!(v3.code, 1);
    assert_eq!(
        v3.stderr
            .matches("Value not found at \"self\" source")
            .count(),
        6
    );
    // the report: one error for the copies, its help names them; `other` stays its own
    let report = sls_resolve(root.path(), None, &["svc", "--format", "json"], &[]);
    let errors = report.json()["errors"].as_array().expect("errors").clone();
    let missing: Vec<_> = errors
        .iter()
        .filter(|e| e["code"] == "MISSING_VARIABLE_RESULT")
        .collect();
    assert_eq!(missing.len(), 2, "{errors:#?}");
    assert_eq!(
        (missing[0]["line"].as_i64(), missing[1]["line"].as_i64()),
        (Some(6), Some(12))
    );
    assert!(
        missing[0]["help"]
            .as_str()
            .is_some_and(|h| h.ends_with(copies)),
        "{errors:#?}"
    );
    assert!(
        !missing[1]["help"]
            .as_str()
            .unwrap_or("")
            .contains("the same variable")
    );
    let text = sls_resolve(root.path(), None, &["svc"], &[]);
    assert!(
        text.stdout.contains(&format!("\n            {copies}\n")),
        "{}",
        text.stdout
    );
    // `check`: one annotation and one frame for the copies
    let github = sls_resolve(
        root.path(),
        None,
        &["check", "svc", "--format", "github"],
        &[],
    );
    assert_eq!(github.code, 1);
    assert_eq!(
        github
            .stdout
            .matches("::error file=svc/serverless.yml,line=6,")
            .count(),
        1
    );
    assert_eq!(
        github
            .stdout
            .matches("::error file=svc/serverless.yml,line=12,")
            .count(),
        1
    );
    let check = sls_resolve(root.path(), None, &["check", "svc"], &[]);
    assert_eq!(
        check.stdout.matches("[svc/serverless.yml:6:13]").count(),
        1,
        "{}",
        check.stdout
    );
}
