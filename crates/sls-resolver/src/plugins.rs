//! v3's check that every plugin in `plugins` is installed (`PluginManager.resolveServicePlugins`):
//! a name is looked up as Node's `require.resolve` would from the service directory, after
//! the legacy local plugins folder. sls-resolve never loads a plugin; it only asks the
//! [`FileSystem`] whether the module is there.

use std::path::{Path, PathBuf};

use sls_value::Value;

use crate::error::{ErrorCode, ResolveError, VariableSite};
use crate::source::{FileKind, FileSystem};

/// Every plugin of the configuration that v3 would not find, in order (v3 stops at the
/// first), each at its entry in `plugins`.
pub fn missing_plugins(
    config: &Value,
    fs: &dyn FileSystem,
    service_dir: &Path,
) -> Vec<ResolveError> {
    let Value::Object(root) = config else {
        return Vec::new();
    };
    // `parsePluginsObject`: a list, or `{ localPath, modules }`.
    let (modules, path, local_path) = match root.get("plugins") {
        Some(Value::Array(modules)) => (modules, vec!["plugins".to_owned()], None),
        Some(Value::Object(object)) => match object.get("modules") {
            Some(Value::Array(modules)) => (
                modules,
                vec!["plugins".to_owned(), "modules".to_owned()],
                match object.get("localPath") {
                    Some(Value::String(p)) if !p.is_empty() => Some(p.as_str()),
                    _ => None,
                },
            ),
            _ => return Vec::new(),
        },
        _ => return Vec::new(),
    };
    let legacy = match local_path {
        Some(p) => service_dir.join(p),
        None => service_dir.join(".serverless_plugins"),
    };
    modules
        .iter()
        .enumerate()
        .filter_map(|(index, name)| {
            let Value::String(name) = name else {
                return None;
            };
            // The Dashboard plugin once was external; v3 never loads it from the list.
            if name == "@serverless/enterprise-plugin" {
                return None;
            }
            let found = (!name.starts_with("./") && resolves(fs, &legacy.join(name)))
                || require_resolve(fs, service_dir, name);
            (!found).then(|| not_found(name, [path.clone(), vec![index.to_string()]].concat()))
        })
        .collect()
}

fn not_found(name: &str, path: Vec<String>) -> ResolveError {
    let install = if name.starts_with("./") {
        String::new()
    } else {
        format!(" Run \"serverless plugin install -n {name}\" to install it.")
    };
    ResolveError::new(
        ErrorCode::PluginNotFound,
        format!(
            "Serverless plugin \"{name}\" not found. Make sure it's installed and listed in the \"plugins\" section of your serverless config file.{install}"
        ),
    )
    .at(Some(VariableSite { path, range: None }))
    .with_help(Some(if name.starts_with("./") || name.starts_with("../") {
        format!("no module at `{name}` relative to the service directory")
    } else {
        format!(
            "no `node_modules/{name}` in the service directory or above it: run `npm install` first"
        )
    }))
}

/// `require.resolve(name)` with the service directory as the requiring module's folder.
fn require_resolve(fs: &dyn FileSystem, service_dir: &Path, name: &str) -> bool {
    if name.starts_with("./") || name.starts_with("../") || name.starts_with('/') {
        return resolves(fs, &service_dir.join(name));
    }
    let mut dir = Some(service_dir);
    while let Some(d) = dir {
        // Node skips `node_modules/node_modules`.
        if d.file_name().is_none_or(|n| n != "node_modules")
            && resolves(fs, &d.join("node_modules").join(name))
        {
            return true;
        }
        dir = d.parent();
    }
    false
}

/// Node's `LOAD_AS_FILE(X)` or `LOAD_AS_DIRECTORY(X)`, loosely: a package directory counts as
/// found when it has a `package.json` or an index file.
fn resolves(fs: &dyn FileSystem, path: &Path) -> bool {
    let with = |suffix: &str| {
        let mut p: PathBuf = path.to_path_buf().into_os_string().into();
        p.as_mut_os_string().push(suffix);
        p
    };
    let is_file = |p: &Path| fs.kind(p) == Some(FileKind::File);
    if ["", ".js", ".json", ".node"]
        .iter()
        .any(|suffix| is_file(&with(suffix)))
    {
        return true;
    }
    fs.kind(path) == Some(FileKind::Dir)
        && ["package.json", "index.js", "index.json", "index.node"]
            .iter()
            .any(|f| is_file(&path.join(f)))
}

#[cfg(test)]
mod tests {
    use std::collections::HashMap;
    use std::io;

    use super::*;

    /// Files by path; directories are the ancestors of files.
    struct Files(HashMap<PathBuf, ()>);

    impl FileSystem for Files {
        fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
            self.0
                .get(path)
                .map(|()| Vec::new())
                .ok_or_else(|| io::ErrorKind::NotFound.into())
        }

        fn kind(&self, path: &Path) -> Option<FileKind> {
            if self.0.contains_key(path) {
                Some(FileKind::File)
            } else if self.0.keys().any(|f| f.starts_with(path)) {
                Some(FileKind::Dir)
            } else {
                None
            }
        }
    }

    fn files(paths: &[&str]) -> Files {
        Files(paths.iter().map(|p| (PathBuf::from(p), ())).collect())
    }

    fn missing(plugins: Value, fs: &Files) -> Vec<(String, Vec<String>)> {
        let mut root = sls_value::Map::default();
        root.insert("plugins".into(), plugins);
        missing_plugins(&Value::Object(root), fs, Path::new("/repo/svc"))
            .into_iter()
            .map(|e| (e.message, e.site.unwrap().path))
            .collect()
    }

    fn list(names: &[&str]) -> Value {
        Value::Array(names.iter().map(|n| Value::String((*n).into())).collect())
    }

    #[test]
    fn packages_are_found_in_node_modules_of_the_service_or_above() {
        let fs = files(&[
            "/repo/svc/node_modules/serverless-offline/package.json",
            "/repo/node_modules/serverless-iam-roles-per-function/index.js",
            "/repo/node_modules/@scope/plugin/package.json",
        ]);
        let names = list(&[
            "serverless-offline",
            "serverless-iam-roles-per-function",
            "@scope/plugin",
            "@serverless/enterprise-plugin",
        ]);
        assert!(missing(names, &fs).is_empty());
    }

    #[test]
    fn a_missing_package_is_named_with_v3s_message_at_its_entry() {
        let fs = files(&["/repo/svc/node_modules/other/package.json"]);
        let found = missing(list(&["other", "serverless-offline"]), &fs);
        assert_eq!(found.len(), 1);
        assert_eq!(
            found[0].0,
            "Serverless plugin \"serverless-offline\" not found. Make sure it's installed and listed in the \"plugins\" section of your serverless config file. Run \"serverless plugin install -n serverless-offline\" to install it."
        );
        assert_eq!(found[0].1, ["plugins", "1"]);
    }

    #[test]
    fn local_plugins_resolve_as_files_or_folders_relative_to_the_service() {
        let fs = files(&[
            "/repo/svc/plugins/one.js",
            "/repo/svc/plugins/two/index.js",
            "/repo/svc/.serverless_plugins/legacy.js",
        ]);
        let found = missing(
            list(&[
                "./plugins/one",
                "./plugins/two",
                "legacy",
                "./plugins/three",
            ]),
            &fs,
        );
        assert_eq!(found.len(), 1);
        assert!(
            found[0]
                .0
                .starts_with("Serverless plugin \"./plugins/three\" not found.")
        );
        assert!(
            found[0].0.ends_with("config file."),
            "no install hint for a local plugin"
        );
    }

    #[test]
    fn the_object_form_has_its_own_local_path() {
        let fs = files(&["/repo/svc/custom-plugins/mine.js"]);
        let mut object = sls_value::Map::default();
        object.insert("localPath".into(), Value::String("custom-plugins".into()));
        object.insert("modules".into(), list(&["mine", "absent"]));
        let found = missing(Value::Object(object), &fs);
        assert_eq!(found.len(), 1);
        assert_eq!(found[0].1, ["plugins", "modules", "1"]);
    }
}
