//! What the integration tests share: running the built `sls-resolve` in a clean environment,
//! snapshotting a run, and a self-cleaning temporary directory.

#![allow(dead_code)] // each test binary uses a different part

use std::path::{Path, PathBuf};
use std::process::Command;

/// One finished run of the binary.
pub struct Run {
    pub code: i32,
    pub stdout: String,
    pub stderr: String,
}

impl Run {
    pub fn json(&self) -> serde_json::Value {
        serde_json::from_str(&self.stdout).unwrap_or_else(|e| {
            panic!(
                "stdout is not JSON ({e}):\n{}\n{}",
                self.stdout, self.stderr
            )
        })
    }

    /// Both streams, for "appears nowhere" assertions.
    pub fn all(&self) -> String {
        format!("{}{}", self.stdout, self.stderr)
    }
}

/// Runs `sls-resolve ARGS` in `cwd` with nothing but `NO_COLOR` and `env` set; `home`, when
/// given, becomes `HOME`. Occurrences of `cwd` in the output become `<dir>`.
pub fn sls_resolve(cwd: &Path, home: Option<&Path>, args: &[&str], env: &[(&str, &str)]) -> Run {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_sls-resolve"));
    cmd.args(args)
        .current_dir(cwd)
        .env_clear()
        .env("NO_COLOR", "1")
        .envs(env.iter().copied());
    if let Some(home) = home {
        cmd.env("HOME", home);
    }
    let out = cmd.output().expect("binary runs");
    let dir = cwd.display().to_string();
    let clean = |s: &[u8]| String::from_utf8_lossy(s).replace(&dir, "<dir>");
    Run {
        code: out.status.code().unwrap_or(-1),
        stdout: clean(&out.stdout),
        stderr: clean(&out.stderr),
    }
}

/// The repository's `fixtures/` folder, canonical.
pub fn fixtures() -> PathBuf {
    std::fs::canonicalize(Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures"))
        .expect("fixtures exist")
}

/// Snapshots exit code, stdout and stderr under `tests/snapshots/<dir>/<name>.snap`.
pub fn snapshot(dir: &str, name: &str, run: &Run) {
    let mut settings = insta::Settings::clone_current();
    settings.set_snapshot_path(format!("../snapshots/{dir}"));
    settings.set_prepend_module_to_snapshot(false);
    settings.bind(|| {
        insta::assert_snapshot!(
            name,
            format!(
                "exit: {}\n--- stdout\n{}--- stderr\n{}",
                run.code, run.stdout, run.stderr
            )
        );
    });
}

/// A small self-cleaning temporary directory (no extra dependency).
pub struct TempDir(PathBuf);

impl TempDir {
    pub fn new(tag: &str) -> Self {
        let nanos = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .map_or(0, |d| d.as_nanos());
        let p =
            std::env::temp_dir().join(format!("sls-resolve-{tag}-{}-{nanos}", std::process::id()));
        std::fs::create_dir_all(&p).expect("temp dir");
        TempDir(p)
    }

    pub fn path(&self) -> &Path {
        &self.0
    }

    /// Writes `text` to `rel`, creating parent folders.
    pub fn write(&self, rel: &str, text: &str) -> PathBuf {
        let path = self.0.join(rel);
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("mkdir");
        }
        std::fs::write(&path, text).expect("write");
        path
    }
}

impl Drop for TempDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_dir_all(&self.0);
    }
}
