//! `sls-resolve`: the command line. The only crate that reads argv, the environment and files,
//! and that prints.
//!
//! The binary (`main.rs`) calls [`main`]. [`memory`] runs the same pipeline on files held in
//! memory, for the fuzz targets (`fuzz/`); it is not a stable API.

mod check;
mod diagnostics;
mod discover;
#[doc(hidden)]
pub mod memory;
mod print;
mod report;
mod service;

use std::io::Write;
use std::process::ExitCode;

use clap::{Parser, Subcommand};

/// Exit codes: 0 ok, 1 configuration or resolution error, 2 usage or I/O error.
pub(crate) const EXIT_CONFIG: u8 = 1;
pub(crate) const EXIT_USAGE: u8 = 2;

#[derive(Parser, Debug)]
#[command(
    name = "sls-resolve",
    version,
    about = "Resolve serverless.yml offline, exactly as Serverless Framework v3.40.0 does"
)]
#[command(args_conflicts_with_subcommands = true)]
struct Cli {
    #[command(subcommand)]
    command: Option<Command>,
    /// Without a subcommand: the per-stage profile and credential report.
    #[command(flatten)]
    report: report::ReportArgs,
}

#[derive(Subcommand, Debug)]
enum Command {
    /// Print the resolved configuration: a drop-in for `serverless print`.
    Print(print::PrintArgs),
    /// The pre-deploy gate: every service and stage under PATH, judged for CI.
    Check(check::CheckArgs),
}

/// The stack of every thread that resolves a configuration: resolution recurses once per
/// nested variable or chained reference, at most `sls_resolver::MAX_RESOLUTION_DEPTH` deep,
/// which needs about 4 MiB in a debug build (far less optimised); the margin covers deep values
/// being walked at the innermost level. The main thread's stack is whatever `ulimit -s` says,
/// so the command runs on a thread of its own. The helpers of large walks get the same
/// (`sls_value::parallel`).
pub(crate) const STACK_BYTES: usize = sls_value::parallel::STACK_BYTES;

/// The command line: parses argv, runs the command, prints, and returns the exit code.
pub fn main() -> ExitCode {
    let worker = std::thread::Builder::new()
        .name("sls-resolve".into())
        .stack_size(STACK_BYTES);
    match worker.spawn(run) {
        Ok(handle) => handle.join().unwrap_or(ExitCode::from(101)),
        Err(_) => run(),
    }
}

fn run() -> ExitCode {
    let args: Vec<std::ffi::OsString> = std::env::args_os().collect();
    if let Some(token) = grouped_short_options(&args) {
        let mut failure = diagnostics::Failure::plain(
            "GROUPED_SHORT_OPTIONS",
            format!(
                "`{token}`: serverless v3 reads grouped short options one letter at a time (`-{}`) and rejects the letters that are not options",
                token[1..]
                    .chars()
                    .map(String::from)
                    .collect::<Vec<_>>()
                    .join(" -")
            ),
            Some(format!(
                "write the value apart: `{} {}`",
                &token[..2],
                &token[2..]
            )),
        );
        failure.exit = EXIT_USAGE;
        failure.emit(diagnostics::ErrorFormat::Human);
        return ExitCode::from(EXIT_USAGE);
    }
    let cli = match Cli::try_parse_from(&args) {
        Ok(cli) => cli,
        Err(err) => {
            let code = if err.use_stderr() { EXIT_USAGE } else { 0 };
            let _ = err.print();
            return ExitCode::from(code);
        }
    };
    let result = match cli.command {
        Some(Command::Print(args)) => print::run(&args).map(|out| (out, 0)),
        Some(Command::Check(args)) => check::run(&args).map_err(|f| {
            f.emit(crate::diagnostics::ErrorFormat::Human);
            f.exit
        }),
        None => report::run(&cli.report).map_err(|f| {
            f.emit(crate::diagnostics::ErrorFormat::Human);
            f.exit
        }),
    };
    match result {
        Ok((out, code)) => {
            let mut stdout = std::io::stdout().lock();
            // A closed pipe (`| head`) is not an error worth reporting.
            let _ = stdout
                .write_all(out.as_bytes())
                .and_then(|()| stdout.flush());
            ExitCode::from(code)
        }
        Err(code) => ExitCode::from(code),
    }
}

/// The first argument like `-sprod`: several letters after one dash. clap reads it as
/// `-s prod`; serverless v3 (minimist) as `-s -p -r -o -d`, and fails on the letters that are
/// no option, so a command that works here would not work with `serverless`. Values of
/// options (`--stage -x`, `-c -dir.yml`) and everything after `--` are not options.
fn grouped_short_options(args: &[std::ffi::OsString]) -> Option<String> {
    use clap::CommandFactory;
    let cli = Cli::command();
    let commands = std::iter::once(&cli).chain(cli.get_subcommands());
    let mut takes_value_long = Vec::new();
    let mut takes_value_short = Vec::new();
    for command in commands {
        for arg in command.get_arguments() {
            if !arg.get_action().takes_values() || arg.is_positional() {
                continue;
            }
            takes_value_long.extend(arg.get_long().map(str::to_owned));
            takes_value_short.extend(arg.get_short());
        }
    }
    let mut value_next = false;
    for arg in args.iter().skip(1) {
        let arg = arg.to_string_lossy();
        if std::mem::take(&mut value_next) {
            continue;
        }
        if arg == "--" {
            return None;
        }
        if let Some(long) = arg.strip_prefix("--") {
            value_next = !long.contains('=') && takes_value_long.iter().any(|l| l == long);
            continue;
        }
        let mut letters = arg.strip_prefix('-').unwrap_or_default().chars();
        match (letters.next(), letters.next()) {
            (Some(first), Some(second))
                if first.is_ascii_alphabetic() && second.is_ascii_alphabetic() =>
            {
                return Some(arg.into_owned());
            }
            (Some(first), None) => value_next = takes_value_short.contains(&first),
            _ => {}
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::grouped_short_options;

    fn grouped(args: &[&str]) -> Option<String> {
        let args: Vec<std::ffi::OsString> = std::iter::once("sls-resolve")
            .chain(args.iter().copied())
            .map(Into::into)
            .collect();
        grouped_short_options(&args)
    }

    #[test]
    fn grouped_short_options_are_found_where_they_are_options() {
        assert_eq!(grouped(&["print", "-sprod"]).as_deref(), Some("-sprod"));
        assert_eq!(grouped(&["-rx", "--stage", "a"]).as_deref(), Some("-rx"));
        assert_eq!(grouped(&["print", "-s", "prod", "-r", "eu-west-1"]), None);
        // values of options, `-s=prod`, numbers and anything after `--` are not
        assert_eq!(grouped(&["print", "--stage", "-dev"]), None);
        assert_eq!(grouped(&["print", "-s", "-dev"]), None);
        assert_eq!(grouped(&["print", "-c", "-odd.yml"]), None);
        assert_eq!(grouped(&["print", "-s=prod"]), None);
        assert_eq!(grouped(&["print", "--param", "-10"]), None);
        assert_eq!(grouped(&["print", "--", "-sprod"]), None);
        assert_eq!(
            grouped(&["check", "--expect-account", "-ab", "-sx"]).as_deref(),
            Some("-sx")
        );
    }
}
