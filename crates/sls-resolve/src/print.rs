//! `sls-resolve print`: the resolved configuration, as `serverless print` prints it.

use std::borrow::Cow;
use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use clap::{Args, ValueEnum};
use sls_resolver::{Environment, FileSystem, ResolveInput};
use sls_value::{Map, Value};
use sls_yaml::{Node, NodeKind, Span};

use crate::diagnostics::{self, ErrorFormat, Failure, SourceFile};
use crate::discover;

#[derive(Args, Debug)]
pub(crate) struct PrintArgs {
    /// Stage of the service (v3: `--stage`)
    #[arg(short, long)]
    stage: Option<String>,
    /// Region of the service (v3: `--region`)
    #[arg(short, long)]
    region: Option<String>,
    /// AWS profile to use with the command
    #[arg(long = "aws-profile")]
    aws_profile: Option<String>,
    /// Parameter `key=value`, repeatable (v3: `--param`)
    #[arg(long = "param", value_name = "KEY=VALUE")]
    param: Vec<String>,
    /// Path to the service configuration file (a string: v3 treats an empty `--config=` as absent)
    #[arg(short, long)]
    config: Option<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Yaml)]
    format: Format,
    /// Print only the value at this dotted path, e.g. `provider.profile`
    #[arg(long)]
    path: Option<String>,
    /// Transform the printed value: `keys`
    #[arg(long, value_enum)]
    transform: Option<Transform>,
    /// Dashboard app (accepted for compatibility; only changes v3's wording)
    #[arg(long)]
    app: Option<String>,
    /// Dashboard org (accepted for compatibility)
    #[arg(long)]
    org: Option<String>,
    /// Use the local AWS credentials, not the Dashboard's (accepted for compatibility; only
    /// visible through `${opt:use-local-credentials}`)
    #[arg(long)]
    use_local_credentials: bool,
    /// Leave `ssm`, `cf`, `s3` and `aws:accountId` variables as written (each is listed as a
    /// warning) instead of failing
    #[arg(long)]
    allow_unresolved: bool,
    /// Show verbose logs (v3: `--verbose`; only visible through `${opt:verbose}`)
    #[arg(long)]
    verbose: bool,
    /// Namespace of debug logs (v3: `--debug`; only visible through `${opt:debug}`)
    #[arg(long)]
    debug: Option<String>,
    /// How to print errors
    #[arg(long, value_enum, default_value_t = ErrorFormat::Human)]
    pub(crate) error_format: ErrorFormat,
    /// A service configuration file, or a directory holding one
    target: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Format {
    Yaml,
    Json,
    Text,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum Transform {
    Keys,
}

impl PrintArgs {
    /// The options object v3 hands to `${opt:...}`: every option of `print`, `null` when absent,
    /// in the order of v3's command schema (`print`'s own options, then the AWS service options,
    /// then the service and global ones: `filterSupportedOptions`).
    fn options(&self) -> Map {
        // v3's parser stores an empty `--name=` value as null (`value || null`).
        let text = |v: &Option<String>| {
            v.clone()
                .filter(|v| !v.is_empty())
                .map_or(Value::Null, Value::String)
        };
        // a flag given is `true`, one not given is absent (null)
        let flag = |on: bool| if on { Value::Bool(true) } else { Value::Null };
        let mut map = Map::default();
        let format = match self.format {
            Format::Yaml => Value::Null,
            Format::Json => Value::String("json".into()),
            Format::Text => Value::String("text".into()),
        };
        map.insert("format".into(), format);
        map.insert("path".into(), text(&self.path));
        map.insert(
            "transform".into(),
            self.transform
                .map_or(Value::Null, |_| Value::String("keys".into())),
        );
        map.insert("region".into(), text(&self.region));
        map.insert("aws-profile".into(), text(&self.aws_profile));
        map.insert("app".into(), text(&self.app));
        map.insert("org".into(), text(&self.org));
        map.insert(
            "use-local-credentials".into(),
            flag(self.use_local_credentials),
        );
        map.insert("config".into(), text(&self.config));
        map.insert("stage".into(), text(&self.stage));
        let params = if self.param.is_empty() {
            Value::Null
        } else {
            Value::Array(self.param.iter().map(|p| text(&Some(p.clone()))).collect())
        };
        map.insert("param".into(), params);
        map.insert("help".into(), Value::Null);
        map.insert("version".into(), Value::Null);
        map.insert("verbose".into(), flag(self.verbose));
        map.insert("debug".into(), text(&self.debug));
        map
    }
}

pub(crate) fn run(args: &PrintArgs) -> Result<String, u8> {
    execute(args).map_err(|failure| {
        failure.emit(args.error_format);
        failure.exit
    })
}

fn execute(args: &PrintArgs) -> Result<String, Failure> {
    let config = args
        .config
        .as_deref()
        .filter(|c| !c.is_empty())
        .map(Path::new);
    let path = discover::locate(config, args.target.as_deref())?;
    let service_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let service_dir = std::fs::canonicalize(&service_dir).unwrap_or(service_dir);
    // The plain value only: the node tree (spans, for diagnostics) is parsed again from the
    // text in the rare case of an error, rather than doubling the memory of every run.
    let (file, config) = discover::load_value(&path)?;
    let input = Input {
        path,
        service_dir,
        file,
        config,
    };
    let (out, resolved) = execute_with(
        args,
        input,
        std::env::vars().collect(),
        Rc::new(discover::DiskFileSystem),
        instance_id(),
        &mut |warning| eprintln!("{warning}"),
    )?;
    // The process prints and exits right after this: freeing the resolved configuration node
    // by node (about a quarter of a million allocations for 20,000 functions) would only cost
    // time, so the operating system takes it back at exit.
    std::mem::forget(resolved);
    Ok(out)
}

/// A configuration loaded for `print`: its plain value, and the text to find spans in.
pub(crate) struct Input {
    pub path: PathBuf,
    pub service_dir: PathBuf,
    pub file: SourceFile,
    pub config: Value,
}

/// `print` of a loaded configuration, without I/O: the environment, the files and the instance
/// id are given; warnings go to `warn`. Returns the output and the resolved configuration.
pub(crate) fn execute_with(
    args: &PrintArgs,
    input: Input,
    env: HashMap<String, String>,
    fs: Rc<dyn FileSystem>,
    instance_id: String,
    warn: &mut dyn FnMut(String),
) -> Result<(String, sls_resolver::Resolved), Failure> {
    let Input {
        path,
        service_dir,
        file,
        config,
    } = input;
    let reparse = || discover::parse(&path, &file).ok();
    if !matches!(config, Value::Object(_)) {
        let span = reparse().map_or(Span { start: 0, end: 0 }, |root| root.span);
        return Err(Failure::located(
            &file,
            "INVALID_CONFIGURATION",
            format!(
                "Invalid configuration at \"{}\": Plain object expected",
                file.name
            ),
            Some((span.start, span.end.max(span.start + 1))),
            "not a mapping",
            Some(
                "a service configuration is a mapping with `service`, `provider` and the rest"
                    .into(),
            ),
        ));
    }
    // The node tree, for the spans of diagnostics only: the text parsed a moment ago; should
    // it not, the diagnostics point at its start.
    let spans = || {
        reparse().unwrap_or(Node {
            kind: NodeKind::Null,
            span: Span { start: 0, end: 0 },
            not_json: None,
        })
    };
    let env = Environment {
        service_dir,
        options: args.options(),
        env,
        fs,
        instance_id: Some(instance_id),
        allow_unresolved: args.allow_unresolved,
        require_plugins: true,
        missing_env: RefCell::new(BTreeSet::new()),
    };
    let resolved = sls_resolver::resolve(ResolveInput {
        config,
        config_name: file.name.clone(),
        env,
    })
    .map_err(|failure| diagnostics::resolution_failure(&file, &spans(), &failure))?;
    for kept in &resolved.unresolved {
        warn(format!(
            "warning: `{}` uses the `{}` source, which needs AWS: left as written",
            sls_resolver::humanize(&kept.path),
            kept.source
        ));
    }
    if !resolved.schema_violations.is_empty() {
        let text = diagnostics::schema_warnings(&file, &spans(), &resolved, args.error_format);
        warn(text.strip_suffix('\n').unwrap_or(&text).to_owned());
    }
    let out = render(&resolved.config, args)?;
    Ok((out, resolved))
}

/// v3's `sls:instanceId`: the process start time in milliseconds.
fn instance_id() -> String {
    std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map_or(0, |d| d.as_millis())
        .to_string()
}

/// `--path`, `--transform` and `--format`, with v3's messages.
fn render(config: &Value, args: &PrintArgs) -> Result<String, Failure> {
    let mut value = Cow::Borrowed(config);
    if let Some(path) = args.path.as_ref().filter(|p| !p.is_empty()) {
        for step in path.split('.') {
            let next = sls_resolver::js_get(&value, step).map(Cow::into_owned);
            match next {
                Some(next) if next.is_truthy() => value = Cow::Owned(next),
                _ => {
                    return Err(Failure::plain(
                        "INVALID_PATH_ARGUMENT",
                        format!("Path \"{path}\" not found"),
                        path_help(config, path),
                    ));
                }
            }
        }
    }
    if args.transform.is_some() {
        value = Cow::Owned(Value::Array(
            keys_of(&value).into_iter().map(Value::String).collect(),
        ));
    }
    let mut out = match args.format {
        Format::Text => {
            match &*value {
                Value::Array(items) => sls_value::js_array_join(items, "\n"),
                Value::Object(_) => {
                    return Err(Failure::plain(
                    "PRINT_INVALID_OBJECT_AS_TEXT",
                    "Cannot print an object as \"text\"",
                    Some("use `--format yaml` or `--format json`, or `--path` to a scalar or a list".into()),
                ));
                }
                Value::Null => "null".to_owned(),
                scalar => sls_value::js_to_string(scalar).unwrap_or_default(),
            }
        }
        Format::Json => sls_value::to_json_pretty(&value),
        Format::Yaml => {
            // v3 dumps `JSON.parse(JSON.stringify(value))`: `Infinity` and `NaN` become null.
            if has_non_finite(&value) {
                json_round_trip(value.to_mut());
            }
            sls_value::to_yaml(&value)
        }
    };
    out.push('\n');
    Ok(out)
}

/// `JSON.parse(JSON.stringify(value))` on a resolved value: non-finite numbers become null.
fn json_round_trip(value: &mut Value) {
    match value {
        Value::Number(n) if !n.is_finite() => *value = Value::Null,
        Value::Array(items) => items.iter_mut().for_each(json_round_trip),
        Value::Object(map) => map.values_mut().for_each(json_round_trip),
        _ => {}
    }
}

fn has_non_finite(value: &Value) -> bool {
    match value {
        Value::Number(n) => !n.is_finite(),
        Value::Array(items) => items.iter().any(has_non_finite),
        Value::Object(map) => map.values().any(has_non_finite),
        _ => false,
    }
}

/// `Object.keys(value)`.
fn keys_of(value: &Value) -> Vec<String> {
    match value {
        Value::Object(map) => map.keys().cloned().collect(),
        Value::Array(items) => (0..items.len()).map(|i| i.to_string()).collect(),
        Value::String(s) => (0..s.encode_utf16().count())
            .map(|i| i.to_string())
            .collect(),
        _ => Vec::new(),
    }
}

fn path_help(config: &Value, path: &str) -> Option<String> {
    let mut current = config;
    let mut walked = Vec::new();
    for step in path.split('.') {
        match current {
            Value::Object(map) => match map.get(step) {
                Some(next) => {
                    walked.push(step);
                    current = next;
                }
                None => {
                    let names: Vec<&str> = map.keys().map(String::as_str).collect();
                    let at = if walked.is_empty() {
                        "the configuration root".to_owned()
                    } else {
                        format!("`{}`", walked.join("."))
                    };
                    let suggestion = sls_resolver::hints::closest(step, names.iter().copied())
                        .map(|c| format!("; did you mean `{c}`?"))
                        .unwrap_or_default();
                    return Some(format!(
                        "{at} has {}{suggestion}",
                        names
                            .iter()
                            .take(10)
                            .map(|n| format!("`{n}`"))
                            .collect::<Vec<_>>()
                            .join(", ")
                    ));
                }
            },
            _ => {
                return Some(
                    "v3 treats a falsy value (0, false, '', null) at the path as not found".into(),
                );
            }
        }
    }
    Some("v3 treats a falsy value (0, false, '', null) at the path as not found".into())
}
