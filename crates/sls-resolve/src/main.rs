//! `sls-resolve`: see the library crate, which holds the whole command line.

fn main() -> std::process::ExitCode {
    sls_resolve::main()
}
