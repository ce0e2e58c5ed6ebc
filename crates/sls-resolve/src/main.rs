//! `sls-resolve`: see the library crate, which holds the whole command line.

/// mimalloc: fewer instructions per allocation than glibc's malloc for the many small
/// strings and maps of a configuration (docs/benchmarks.md has the figures).
#[global_allocator]
static ALLOCATOR: mimalloc::MiMalloc = mimalloc::MiMalloc;

fn main() -> std::process::ExitCode {
    sls_resolve::main()
}
