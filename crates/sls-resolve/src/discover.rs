//! Finding and loading the configuration file, as v3 does.

use std::io::{self, Read};
use std::path::{Path, PathBuf};

use crate::diagnostics::{Failure, SourceFile};

/// The largest configuration, included file (`file(...)`) or `.env` sls-resolve reads. v3 has no
/// limit; a CloudFormation template is at most 1 MB and the 20,000-function benchmark is 5.4 MB,
/// so a bigger file is a mistake (or an attack), and loading one would take seconds and
/// hundreds of MiB.
pub(crate) const MAX_FILE_BYTES: u64 = 32 << 20;

/// Reads the disk for `file(...)` and `.env`.
pub(crate) struct DiskFileSystem;

impl sls_resolver::FileSystem for DiskFileSystem {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        read_regular_file(path)
    }

    fn kind(&self, path: &Path) -> Option<sls_resolver::FileKind> {
        let meta = std::fs::metadata(path).ok()?;
        Some(if meta.is_dir() {
            sls_resolver::FileKind::Dir
        } else {
            sls_resolver::FileKind::File
        })
    }
}

/// Reads a regular file of at most [`MAX_FILE_BYTES`]. Anything else is an error before the
/// file is opened: a directory (`EISDIR`, as Node says), a FIFO, socket or device (reading one
/// could block forever), a symlink loop (`ELOOP`, from the operating system).
pub(crate) fn read_regular_file(path: &Path) -> io::Result<Vec<u8>> {
    let meta = std::fs::metadata(path)?;
    if meta.is_dir() {
        return Err(io::Error::new(
            io::ErrorKind::IsADirectory,
            "is a directory",
        ));
    }
    if !meta.is_file() {
        return Err(io::Error::new(
            io::ErrorKind::InvalidInput,
            "not a regular file (a FIFO, socket or device is never read)",
        ));
    }
    if meta.len() > MAX_FILE_BYTES {
        return Err(too_large());
    }
    let mut bytes = Vec::with_capacity(usize::try_from(meta.len()).unwrap_or(0));
    // The file may grow between the check and the read.
    std::fs::File::open(path)?
        .take(MAX_FILE_BYTES + 1)
        .read_to_end(&mut bytes)?;
    if bytes.len() as u64 > MAX_FILE_BYTES {
        return Err(too_large());
    }
    Ok(bytes)
}

fn too_large() -> io::Error {
    io::Error::new(
        io::ErrorKind::FileTooLarge,
        format!(
            "larger than {} MiB, sls-resolve's limit",
            MAX_FILE_BYTES >> 20
        ),
    )
}

/// The names v3 looks for, in order (`lib/cli/resolve-configuration-path.js`). JavaScript and
/// TypeScript configs, which v3 tries after them, cannot be read offline.
pub(crate) const SUPPORTED: &[&str] = &["serverless.yml", "serverless.yaml", "serverless.json"];
pub(crate) const SCRIPTED: &[&str] = &[
    "serverless.js",
    "serverless.mjs",
    "serverless.cjs",
    "serverless.ts",
];

/// The configuration file: `-c FILE`, a FILE or DIR argument, or the first of
/// `serverless.{yml,yaml,json}` in the working directory.
pub(crate) fn locate(config: Option<&Path>, target: Option<&Path>) -> Result<PathBuf, Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::usage(format!("cannot read the working directory: {e}")))?;
    let (dir, explicit) = match (config, target) {
        (Some(file), _) => (cwd.clone(), Some(cwd.join(file))),
        (None, Some(path)) if path.is_dir() => (cwd.join(path), None),
        (None, Some(path)) => (cwd.clone(), Some(cwd.join(path))),
        (None, None) => (cwd.clone(), None),
    };
    if let Some(file) = explicit {
        check_supported(&file)?;
        if file.is_dir() {
            return Err(Failure::usage(format!(
                "`{}` is a directory, not a configuration file",
                file.display()
            )));
        }
        if !file.is_file() {
            return Err(Failure::usage(format!(
                "cannot read `{}`: no such file",
                file.display()
            )));
        }
        if config.is_some() && normalize(&file).parent() != Some(normalize(&cwd).as_path()) {
            return Err(Failure::plain(
                "NESTED_CUSTOM_CONFIGURATION_PATH",
                "Service configuration is expected to be placed in a root of a service (working directory). All paths, function handlers in a configuration are resolved against service directory.\n",
                Some("run sls-resolve from the folder that holds the configuration, or pass that folder as the argument".into()),
            ));
        }
        return Ok(file);
    }
    for name in SUPPORTED {
        let candidate = dir.join(name);
        if candidate.is_file() {
            return Ok(candidate);
        }
    }
    for name in SCRIPTED {
        let candidate = dir.join(name);
        if candidate.is_file() {
            check_supported(&candidate)?;
        }
    }
    Err(Failure::usage(format!(
        "no service configuration found in `{}`: expected serverless.yml, serverless.yaml or serverless.json",
        dir.display()
    )))
}

/// `path.resolve` without touching the disk: `.` dropped, `..` pops.
pub(crate) fn normalize(path: &Path) -> PathBuf {
    let mut out = PathBuf::new();
    for component in path.components() {
        match component {
            std::path::Component::CurDir => {}
            std::path::Component::ParentDir => {
                out.pop();
            }
            other => out.push(other),
        }
    }
    out
}

/// The extensions v3 accepts for `--config` (`resolve-configuration-path.js`), in its order.
const EXTENSIONS: &[&str] = &["yml", "yaml", "json", "js", "mjs", "cjs", "ts"];

/// v3 refuses a `--config` whose extension it cannot load (before looking at the disk); we
/// also refuse the scripted ones, which would need running code.
fn check_supported(file: &Path) -> Result<(), Failure> {
    let ext = file
        .extension()
        .and_then(|e| e.to_str())
        .unwrap_or_default();
    if !EXTENSIONS.contains(&ext) {
        return Err(Failure::usage(format!(
            "`{}` is not a configuration file: the extension must be one of yml, yaml, json (v3 also loads js, mjs, cjs, ts)",
            file.display()
        )));
    }
    if matches!(ext, "js" | "mjs" | "cjs" | "ts") {
        return Err(Failure::usage(format!(
            "`{}` is a JavaScript/TypeScript configuration; sls-resolve reads YAML and JSON configurations only (running code is not offline-safe)",
            file.display()
        )));
    }
    Ok(())
}

/// Reads and parses the configuration into a node tree with spans.
pub(crate) fn load(path: &Path) -> Result<(SourceFile, sls_yaml::Node), Failure> {
    let file = read(path)?;
    let node = parse(path, &file)?;
    Ok((file, node))
}

/// Reads the configuration (a regular file of at most [`MAX_FILE_BYTES`]) as UTF-8 text.
fn read(path: &Path) -> Result<SourceFile, Failure> {
    let bytes = read_regular_file(path).map_err(|e| {
        if e.kind() == io::ErrorKind::FileTooLarge {
            Failure::plain(
                "CONFIG_TOO_LARGE",
                format!("`{}` is {e}", path.display()),
                Some("a service configuration is a few KB to a few MB; check the path".into()),
            )
        } else {
            Failure::usage(format!("cannot read `{}`: {e}", path.display()))
        }
    })?;
    text(path, bytes)
}

/// Parses the bytes of the configuration at `path` (YAML, or JSON for a `.json` name), for
/// callers that hold the bytes already ([`crate::memory`]).
pub(crate) fn parse_bytes(
    path: &Path,
    bytes: Vec<u8>,
) -> Result<(SourceFile, sls_yaml::Node), Failure> {
    let file = text(path, bytes)?;
    let node = parse(path, &file)?;
    Ok((file, node))
}

/// The configuration's bytes as text: UTF-8, or an error at the first invalid byte.
fn text(path: &Path, bytes: Vec<u8>) -> Result<SourceFile, Failure> {
    let text = match String::from_utf8(bytes) {
        Ok(text) => text,
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            let file = SourceFile::new(path, text);
            return Err(Failure::located(
                &file,
                "INVALID_UTF8",
                format!("`{}` is not valid UTF-8", file.name),
                // The invalid bytes became one U+FFFD in the text shown: label all of it
                // (a span ending inside a character is not a place in the text).
                Some((offset, offset + '\u{fffd}'.len_utf8())),
                "invalid byte here",
                Some("serverless reads configurations as UTF-8; re-encode the file".to_owned()),
            ));
        }
    };
    Ok(SourceFile::new(path, text))
}

/// Reads and parses the configuration into its plain value, without the node tree (which
/// [`parse`] gives from the same file when spans are needed).
pub(crate) fn load_value(path: &Path) -> Result<(SourceFile, sls_yaml::Value), Failure> {
    let file = read(path)?;
    let loaded = if is_json(path) {
        sls_yaml::load_json(&file.text).map(sls_yaml::Node::into_value)
    } else {
        sls_yaml::load_yaml_value(&file.text)
    };
    match loaded {
        Ok(value) => Ok((file, value)),
        Err(err) => Err(parse_failure(&file, &err)),
    }
}

fn is_json(path: &Path) -> bool {
    path.extension().is_some_and(|e| e == "json")
}

/// Parses a configuration read by [`load`] into its node tree (again: `print` drops the tree
/// while it resolves, and parses the text again only for the diagnostics of a failure).
pub(crate) fn parse(path: &Path, file: &SourceFile) -> Result<sls_yaml::Node, Failure> {
    let loaded = if is_json(path) {
        sls_yaml::load_json(&file.text)
    } else {
        sls_yaml::load_yaml(&file.text)
    };
    loaded.map_err(|err| parse_failure(file, &err))
}

fn parse_failure(file: &SourceFile, err: &sls_yaml::LoadError) -> Failure {
    let message = format!("Cannot parse \"{}\": {}", file.name, err.message);
    let span = (err.span.start, err.span.end.max(err.span.start + 1));
    Failure::located(
        file,
        "CONFIG_PARSE_ERROR",
        message,
        Some(span),
        "here",
        None,
    )
}
