//! Criterion bench: `sls-resolve check` over a generated monorepo of [`generated::SERVICES`]
//! services (three stages each), run as a process the way CI runs it: finding the services,
//! resolving every service and stage on worker threads, and the profile report of each.

use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};

use criterion::{criterion_group, criterion_main};

#[path = "../../../benches/generated.rs"]
mod generated;

/// Writes the monorepo under a fresh temporary folder: `services/svcNNN/serverless.yml`, the
/// AWS files in `aws/` and an empty `home/`.
fn monorepo() -> PathBuf {
    let root = std::env::temp_dir().join(format!("sls-resolve-bench-check-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&root);
    for index in 0..generated::SERVICES {
        let dir = root.join(format!("services/svc{index:03}"));
        std::fs::create_dir_all(&dir).expect("temporary folder");
        std::fs::write(dir.join("serverless.yml"), generated::service(index))
            .expect("temporary file");
    }
    std::fs::create_dir_all(root.join("aws")).expect("temporary folder");
    std::fs::create_dir_all(root.join("home")).expect("temporary folder");
    for (name, text) in generated::AWS_FILES {
        std::fs::write(root.join("aws").join(name), text).expect("temporary file");
    }
    root
}

fn run_check(root: &Path) -> bool {
    Command::new(env!("CARGO_BIN_EXE_sls-resolve"))
        .args(["check", "--aws-dir", "aws", "services"])
        .current_dir(root)
        .env_clear()
        .env("HOME", root.join("home"))
        .env("AWS_SDK_LOAD_CONFIG", "1")
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .status()
        .is_ok_and(|status| status.success())
}

fn check(c: &mut criterion::Criterion) {
    let root = monorepo();
    assert!(run_check(&root), "check passes on the generated monorepo");
    let mut group = c.benchmark_group("check");
    group.bench_function(format!("{}_services", generated::SERVICES), |b| {
        b.iter(|| run_check(&root));
    });
    group.finish();
    let _ = std::fs::remove_dir_all(&root);
}

criterion_group! {
    name = benches;
    config = generated::criterion();
    targets = check
}
criterion_main!(benches);
