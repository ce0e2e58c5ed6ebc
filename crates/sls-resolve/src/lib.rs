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
/// so the command runs on a thread of its own.
pub(crate) const STACK_BYTES: usize = 32 << 20;

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
    let cli = match Cli::try_parse() {
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
