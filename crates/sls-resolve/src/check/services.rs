//! Finding the services to check: each PATH is a configuration file, or a directory searched
//! for `serverless.yml`, `serverless.yaml` and `serverless.json`, skipping `node_modules`,
//! `.serverless` and `.git`. Symbolic links to directories are not followed below a PATH (no
//! loops); a PATH that is itself a link is followed. The same file reached twice (through two
//! PATHs, `./a` and `a`, or a link) is checked once.
//!
//! A directory whose only configuration is JavaScript or TypeScript (`serverless.js`, `.mjs`,
//! `.cjs`, `.ts`, which v3 would load after the YAML and JSON names) is listed too, as
//! [`Found::scripted`]: `check` cannot run it and says so rather than skipping it silently.

use std::collections::HashSet;
use std::path::{Path, PathBuf};

use crate::diagnostics::Failure;
use crate::discover::{SCRIPTED, SUPPORTED, normalize};

const SKIPPED: &[&str] = &["node_modules", ".serverless", ".git"];

/// One configuration to check.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct Found {
    /// Absolute and without `.` or `..` components.
    pub path: PathBuf,
    /// A JavaScript or TypeScript configuration: reported, not checked.
    pub scripted: bool,
}

/// The configuration files under `paths` (relative ones taken from `cwd`), sorted, each file
/// once. A directory holding several configuration files counts once, with the file v3 would
/// pick (`.yml` first).
pub(crate) fn find(paths: &[PathBuf], cwd: &Path) -> Result<Vec<Found>, Failure> {
    let mut found = Vec::new();
    for given in paths {
        let path = normalize(&cwd.join(given));
        let meta = std::fs::metadata(&path)
            .map_err(|e| Failure::usage(format!("cannot read `{}`: {e}", given.display())))?;
        if meta.is_file() {
            found.push(file_kind(&path, given)?);
            continue;
        }
        let walker = walkdir::WalkDir::new(&path)
            .follow_links(false)
            .sort_by_file_name()
            .into_iter()
            .filter_entry(|e| {
                !(e.file_type().is_dir()
                    && e.depth() > 0
                    && SKIPPED.iter().any(|s| e.file_name() == *s))
            });
        for entry in walker {
            let entry = entry
                .map_err(|e| Failure::usage(format!("cannot walk `{}`: {e}", given.display())))?;
            if !entry.file_type().is_dir() && entry.depth() > 0 {
                continue;
            }
            let first = |names: &[&str]| {
                names
                    .iter()
                    .map(|name| entry.path().join(name))
                    .find(|p| p.is_file())
            };
            if let Some(path) = first(SUPPORTED) {
                found.push(Found {
                    path,
                    scripted: false,
                });
            } else if let Some(path) = first(SCRIPTED) {
                found.push(Found {
                    path,
                    scripted: true,
                });
            }
        }
    }
    Ok(dedup(found))
}

/// A configuration named directly: YAML or JSON is checked, JavaScript or TypeScript is
/// reported as not supported, anything else is not a configuration v3 would accept.
fn file_kind(path: &Path, given: &Path) -> Result<Found, Failure> {
    let ext = path
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    match ext {
        "yml" | "yaml" | "json" => Ok(Found {
            path: path.to_path_buf(),
            scripted: false,
        }),
        "js" | "mjs" | "cjs" | "ts" => Ok(Found {
            path: path.to_path_buf(),
            scripted: true,
        }),
        _ => Err(Failure::usage(format!(
            "`{}` is not a service configuration: expected a .yml, .yaml or .json file, or a directory",
            given.display()
        ))),
    }
}

/// Sorted by path; a file reached under several names (links) is kept once, under the name
/// that is not a link when there is one.
fn dedup(mut found: Vec<Found>) -> Vec<Found> {
    let canonical = |f: &Found| std::fs::canonicalize(&f.path).unwrap_or_else(|_| f.path.clone());
    found.sort_by_cached_key(|f| {
        let c = canonical(f);
        let aliased = c != f.path;
        (c, aliased, f.path.clone())
    });
    let mut seen = HashSet::new();
    found.retain(|f| seen.insert(canonical(f)));
    found.sort_by(|a, b| a.path.cmp(&b.path));
    found
}

/// `path` relative to `base` when it lies below it (for messages and CI annotations).
pub(crate) fn relative(path: &Path, base: &Path) -> String {
    path.strip_prefix(base)
        .unwrap_or(path)
        .to_string_lossy()
        .replace('\\', "/")
}

#[cfg(test)]
mod tests {
    use super::*;

    struct Tmp(PathBuf);
    impl Tmp {
        fn new(tag: &str) -> Self {
            let root =
                std::env::temp_dir().join(format!("sls-resolve-find-{tag}-{}", std::process::id()));
            let _ = std::fs::remove_dir_all(&root);
            std::fs::create_dir_all(&root).unwrap();
            Tmp(root)
        }
        fn write(&self, rel: &str) {
            let p = self.0.join(rel);
            std::fs::create_dir_all(p.parent().unwrap()).unwrap();
            std::fs::write(p, "service: x\n").unwrap();
        }
        fn find(&self, paths: &[&str]) -> Vec<(String, bool)> {
            let paths: Vec<PathBuf> = paths.iter().map(PathBuf::from).collect();
            find(&paths, &self.0)
                .unwrap()
                .iter()
                .map(|f| (relative(&f.path, &self.0), f.scripted))
                .collect()
        }
    }
    impl Drop for Tmp {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    #[test]
    fn finds_configs_and_skips_dependency_folders() {
        let t = Tmp::new("skip");
        for file in [
            "a/serverless.yml",
            "a/serverless.json",
            "b/c/serverless.yaml",
            "node_modules/x/serverless.yml",
            ".serverless/serverless.yml",
            ".git/serverless.yml",
            "d/other.yml",
            "e/serverless.ts",
            "f/serverless.yml",
            "f/serverless.js",
        ] {
            t.write(file);
        }
        assert_eq!(
            t.find(&["."]),
            [
                ("a/serverless.yml".to_owned(), false),
                ("b/c/serverless.yaml".to_owned(), false),
                ("e/serverless.ts".to_owned(), true),
                ("f/serverless.yml".to_owned(), false),
            ]
        );
    }

    #[test]
    fn the_same_file_is_checked_once() {
        let t = Tmp::new("dedup");
        t.write("a/serverless.yml");
        t.write("b/serverless.yml");
        let expected = [
            ("a/serverless.yml".to_owned(), false),
            ("b/serverless.yml".to_owned(), false),
        ];
        assert_eq!(t.find(&[".", "a", "./b", "a/serverless.yml"]), expected);
        #[cfg(unix)]
        {
            // a link back up: not followed below a PATH, and no loop
            std::os::unix::fs::symlink("..", t.0.join("a/loop")).unwrap();
            assert_eq!(t.find(&["."]), expected);
            // a PATH through a link names the same files: once, under their own names
            assert_eq!(t.find(&["a/loop", "."]), expected);
        }
    }

    #[test]
    fn a_directory_is_searched_from_itself() {
        let t = Tmp::new("self");
        t.write("serverless.yml");
        assert_eq!(t.find(&["."]), [("serverless.yml".to_owned(), false)]);
    }

    #[test]
    fn a_missing_path_or_a_foreign_file_is_a_usage_error() {
        let t = Tmp::new("missing");
        t.write("notes.txt");
        for path in ["/nonexistent/sls-resolve", "notes.txt"] {
            let err = find(&[PathBuf::from(path)], &t.0).unwrap_err();
            assert_eq!(err.exit, crate::EXIT_USAGE);
            assert!(err.rendered.contains(path), "{}", err.rendered);
        }
    }
}
