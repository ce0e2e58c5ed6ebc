//! Finding the services to check: each PATH is a configuration file, or a directory searched
//! for `serverless.yml`, `serverless.yaml` and `serverless.json`, skipping `node_modules`,
//! `.serverless` and `.git`. Symbolic links to directories are not followed (no loops).

use std::path::{Path, PathBuf};

use crate::diagnostics::Failure;

const CONFIG_NAMES: &[&str] = &["serverless.yml", "serverless.yaml", "serverless.json"];
const SKIPPED: &[&str] = &["node_modules", ".serverless", ".git"];

/// The configuration files under `paths`, sorted and without duplicates. A directory holding
/// several configuration files counts once, with the file v3 would pick (`.yml` first).
pub(crate) fn find(paths: &[PathBuf]) -> Result<Vec<PathBuf>, Failure> {
    let mut found = Vec::new();
    for path in paths {
        let meta = std::fs::metadata(path)
            .map_err(|e| Failure::usage(format!("cannot read `{}`: {e}", path.display())))?;
        if meta.is_file() {
            found.push(path.clone());
            continue;
        }
        let walker = walkdir::WalkDir::new(path)
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
                .map_err(|e| Failure::usage(format!("cannot walk `{}`: {e}", path.display())))?;
            if !entry.file_type().is_dir() {
                continue;
            }
            if let Some(config) = CONFIG_NAMES
                .iter()
                .map(|name| entry.path().join(name))
                .find(|p| p.is_file())
            {
                found.push(config);
            }
        }
    }
    found.sort();
    found.dedup();
    Ok(found)
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

    #[test]
    fn finds_configs_and_skips_dependency_folders() {
        let root = std::env::temp_dir().join(format!("sls-resolve-find-{}", std::process::id()));
        let _ = std::fs::remove_dir_all(&root);
        for dir in ["a", "b/c", "node_modules/x", ".serverless", "d"] {
            std::fs::create_dir_all(root.join(dir)).unwrap();
        }
        for file in [
            "a/serverless.yml",
            "a/serverless.json",
            "b/c/serverless.yaml",
            "node_modules/x/serverless.yml",
            ".serverless/serverless.yml",
            "d/other.yml",
        ] {
            std::fs::write(root.join(file), "service: x\n").unwrap();
        }
        let found: Vec<String> = find(std::slice::from_ref(&root))
            .unwrap()
            .iter()
            .map(|p| relative(p, &root))
            .collect();
        std::fs::remove_dir_all(&root).unwrap();
        assert_eq!(found, ["a/serverless.yml", "b/c/serverless.yaml"]);
    }

    #[test]
    fn a_missing_path_is_an_io_error() {
        let err = find(&[PathBuf::from("/nonexistent/sls-resolve")]).unwrap_err();
        assert_eq!(err.exit, crate::EXIT_USAGE);
    }
}
