//! `sls-resolve print`: the resolved configuration, as `serverless print` prints it.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use clap::{Args, ValueEnum};
use sls_resolver::{Environment, FileSystem, ResolveInput};
use sls_value::{Map, Value};

use crate::diagnostics::{self, ErrorFormat, Failure};
use crate::discover;
use crate::service::Loaded;

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
    /// Path to the service configuration file
    #[arg(short, long)]
    config: Option<PathBuf>,
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
        let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        let mut map = Map::new();
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
        map.insert("use-local-credentials".into(), Value::Null);
        map.insert(
            "config".into(),
            self.config
                .as_ref()
                .map_or(Value::Null, |c| Value::String(c.display().to_string())),
        );
        map.insert("stage".into(), text(&self.stage));
        let params = if self.param.is_empty() {
            Value::Null
        } else {
            Value::Array(self.param.iter().cloned().map(Value::String).collect())
        };
        map.insert("param".into(), params);
        map.insert("help".into(), Value::Null);
        map.insert("version".into(), Value::Null);
        map.insert(
            "verbose".into(),
            if self.verbose {
                Value::Bool(true)
            } else {
                Value::Null
            },
        );
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
    let path = discover::locate(args.config.as_deref(), args.target.as_deref())?;
    let service_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let service_dir = std::fs::canonicalize(&service_dir).unwrap_or(service_dir);
    let (file, root) = discover::load(&path)?;
    let loaded = Loaded {
        path,
        service_dir,
        file,
        root,
    };
    execute_with(
        args,
        loaded,
        std::env::vars().collect(),
        Rc::new(discover::DiskFileSystem),
        instance_id(),
        &mut |warning| eprintln!("{warning}"),
    )
}

/// `print` of a loaded configuration, without I/O: the environment, the files and the instance
/// id are given; warnings go to `warn`.
pub(crate) fn execute_with(
    args: &PrintArgs,
    loaded: Loaded,
    env: HashMap<String, String>,
    fs: Rc<dyn FileSystem>,
    instance_id: String,
    warn: &mut dyn FnMut(String),
) -> Result<String, Failure> {
    let Loaded {
        service_dir,
        file,
        root,
        ..
    } = loaded;
    let config = root.to_value();
    if !matches!(config, Value::Object(_)) {
        return Err(Failure::located(
            &file,
            "INVALID_CONFIGURATION",
            format!(
                "Invalid configuration at \"{}\": Plain object expected",
                file.name
            ),
            Some((root.span.start, root.span.end.max(root.span.start + 1))),
            "not a mapping",
            Some(
                "a service configuration is a mapping with `service`, `provider` and the rest"
                    .into(),
            ),
        ));
    }
    let env = Environment {
        service_dir,
        options: args.options(),
        env,
        fs,
        instance_id: Some(instance_id),
        allow_unresolved: args.allow_unresolved,
        missing_env: RefCell::new(BTreeSet::new()),
    };
    let resolved = sls_resolver::resolve(ResolveInput {
        config,
        config_name: file.name.clone(),
        env,
    })
    .map_err(|failure| diagnostics::resolution_failure(&file, &root, &failure))?;
    for kept in &resolved.unresolved {
        warn(format!(
            "warning: `{}` uses the `{}` source, which needs AWS: left as written",
            sls_resolver::humanize(&kept.path),
            kept.source
        ));
    }
    render(&resolved.config, args)
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
    let mut value = config.clone();
    if let Some(path) = &args.path {
        for step in path.split('.') {
            let next = sls_resolver::js_get(&value, step).map(std::borrow::Cow::into_owned);
            match next {
                Some(next) if next.is_truthy() => value = next,
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
        value = Value::Array(keys_of(&value).into_iter().map(Value::String).collect());
    }
    Ok(match args.format {
        Format::Text => {
            match &value {
                Value::Array(items) => format!("{}\n", sls_value::js_array_join(items, "\n")),
                Value::Object(_) => {
                    return Err(Failure::plain(
                    "PRINT_INVALID_OBJECT_AS_TEXT",
                    "Cannot print an object as \"text\"",
                    Some("use `--format yaml` or `--format json`, or `--path` to a scalar or a list".into()),
                ));
                }
                Value::Null => "null\n".to_owned(),
                scalar => format!("{}\n", sls_value::js_to_string(scalar).unwrap_or_default()),
            }
        }
        Format::Json => format!("{}\n", sls_value::to_json_pretty(&value)),
        Format::Yaml => format!("{}\n", sls_value::to_yaml(&value)),
    })
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
