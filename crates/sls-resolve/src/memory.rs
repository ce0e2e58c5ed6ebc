//! The pipeline on files held in memory, for the fuzz targets: bytes in, what `print` or the
//! profile report would print and their exit code out. No disk, no process environment: the
//! configuration, the files `file(...)` and `.env` read and the AWS files all come from
//! [`Memory::files`], the environment from [`Memory::env`]. Not a stable API.

use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use clap::Parser;
use sls_aws::{Engine as AwsEngine, FileContents};

use crate::diagnostics::{ErrorFormat, Failure};
use crate::service::Loaded;
use crate::{Cli, Command, discover, print, report, service};

/// A file system and an environment.
#[derive(Debug, Clone, Default)]
pub struct Memory {
    /// Every file by absolute path, e.g. `/svc/serverless.yml`, `/home/.aws/config`.
    pub files: HashMap<PathBuf, Vec<u8>>,
    /// The environment (`HOME` decides where the AWS files are looked for).
    pub env: HashMap<String, String>,
}

/// What a run printed, and its exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Output {
    pub exit: u8,
    pub stdout: String,
    pub stderr: String,
}

struct Files(HashMap<PathBuf, Vec<u8>>);

impl sls_resolver::FileSystem for Files {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
}

impl Memory {
    /// Runs `sls-resolve ARGS` on the configuration at `config` (an absolute path in
    /// [`Memory::files`]; its folder is the service folder). `print` and the profile report
    /// are supported; `check` (a walk of folders) is not.
    pub fn run(&self, config: &Path, args: &[&str]) -> Output {
        let argv = std::iter::once("sls-resolve").chain(args.iter().copied());
        let cli = match Cli::try_parse_from(argv) {
            Ok(cli) => cli,
            Err(err) => return usage(err.to_string()),
        };
        let Some(bytes) = self.files.get(config) else {
            return usage(format!("cannot read `{}`: no such file", config.display()));
        };
        let loaded = match discover::parse_bytes(config, bytes.clone()) {
            Ok((file, root)) => Loaded {
                path: config.to_path_buf(),
                service_dir: config.parent().map(Path::to_path_buf).unwrap_or_default(),
                file,
                root,
            },
            Err(failure) => return failed(&failure, ErrorFormat::Human),
        };
        let fs = Rc::new(Files(self.files.clone()));
        match cli.command {
            Some(Command::Print(args)) => {
                let mut stderr = String::new();
                let input = print::Input {
                    config: loaded.root.to_value(),
                    path: loaded.path,
                    service_dir: loaded.service_dir,
                    file: loaded.file,
                };
                let result = print::execute_with(
                    &args,
                    input,
                    self.env.clone(),
                    fs,
                    "0".into(),
                    &mut |warning| {
                        stderr.push_str(&warning);
                        stderr.push('\n');
                    },
                );
                match result {
                    Ok((stdout, _)) => Output {
                        exit: 0,
                        stdout,
                        stderr,
                    },
                    Err(failure) => {
                        let mut out = failed(&failure, args.error_format);
                        out.stderr.insert_str(0, &stderr);
                        out
                    }
                }
            }
            Some(Command::Check(_)) => usage("`check` does not run in memory".into()),
            None => {
                let options = cli.report.options();
                let view = service::view_with(loaded, &options, self.env.clone(), fs);
                let env = report::aws_env(&view);
                let mut files = FileContents::new();
                for engine in [AwsEngine::V3, AwsEngine::Sdk] {
                    for request in sls_aws::locate::files_needed(engine, &env) {
                        let text = self
                            .files
                            .get(Path::new(&request.path))
                            .map(|bytes| String::from_utf8_lossy(bytes).into_owned());
                        files.insert(request.path, text);
                    }
                }
                let (stdout, exit) =
                    report::output(&cli.report, &options, view, &files, &BTreeSet::new());
                Output {
                    exit,
                    stdout,
                    stderr: String::new(),
                }
            }
        }
    }
}

fn usage(message: String) -> Output {
    failed(&Failure::usage(message), ErrorFormat::Human)
}

fn failed(failure: &Failure, format: ErrorFormat) -> Output {
    Output {
        exit: failure.exit,
        stdout: String::new(),
        stderr: match format {
            ErrorFormat::Human => failure.rendered.clone(),
            ErrorFormat::V3 => format!("{}\n", failure.v3),
        },
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::EXIT_USAGE;

    #[test]
    fn print_and_report_run_in_memory() {
        let mut memory = Memory::default();
        memory.files.insert(
            "/svc/serverless.yml".into(),
            b"service: s\nprovider:\n  name: aws\n  profile: ${file(./p.yml):name}\n".to_vec(),
        );
        memory
            .files
            .insert("/svc/p.yml".into(), b"name: dev-profile\n".to_vec());
        memory.files.insert(
            "/home/.aws/credentials".into(),
            b"[dev-profile]\naws_access_key_id = AKIAEXAMPLEKEY000001\naws_secret_access_key = secretsecretsecretsecret0001\n".to_vec(),
        );
        memory.env.insert("HOME".into(), "/home".into());
        let config = Path::new("/svc/serverless.yml");
        let printed = memory.run(
            config,
            &["print", "--path", "provider.profile", "--format", "text"],
        );
        assert_eq!(printed.stdout, "dev-profile\n", "{printed:?}");
        assert_eq!(printed.exit, 0);
        let report = memory.run(config, &["--format", "json"]);
        assert_eq!(report.exit, 0, "{report:?}");
        assert!(
            report.stdout.contains("\"profile\": \"dev-profile\""),
            "{report:?}"
        );
        assert!(!report.stdout.contains("secretsecretsecretsecret0001"));
        let missing = memory.run(Path::new("/svc/nope.yml"), &["print"]);
        assert_eq!(missing.exit, EXIT_USAGE);
    }
}
