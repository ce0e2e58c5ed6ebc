//! One service configuration seen for one stage: resolved the way `serverless deploy` would,
//! with where the stage, the region and `provider.profile` came from.
//!
//! Both the profile report and `check` start here. Resolution is traced, so a value can be
//! explained as the chain of substitutions that produced it, each with its file location.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};
use std::rc::Rc;

use serde::Serialize;
use sls_resolver::{
    Dotenv, Environment, ErrorCode, FileSystem, Lookup, LookupOutcome, ResolveInput, Trace,
    VariableSite,
};
use sls_value::{Map, Value};
use sls_yaml::Node;

use crate::diagnostics::{self, Failure, SourceFile};
use crate::discover;

/// The command-line options that change resolution, as `serverless deploy` takes them.
#[derive(Debug, Clone, Default)]
pub(crate) struct Options {
    pub stage: Option<String>,
    pub region: Option<String>,
    pub aws_profile: Option<String>,
    pub params: Vec<String>,
    /// `--use-local-credentials`: the Dashboard provider does not replace local credentials.
    pub use_local_credentials: bool,
}

impl Options {
    /// The options object v3 hands to `${opt:...}` for a deploy.
    fn to_map(&self) -> Map {
        let text = |v: &Option<String>| v.clone().map_or(Value::Null, Value::String);
        let mut map = Map::default();
        map.insert("stage".into(), text(&self.stage));
        map.insert("region".into(), text(&self.region));
        map.insert("aws-profile".into(), text(&self.aws_profile));
        let params = if self.params.is_empty() {
            Value::Null
        } else {
            Value::Array(self.params.iter().cloned().map(Value::String).collect())
        };
        map.insert("param".into(), params);
        if self.use_local_credentials {
            map.insert("use-local-credentials".into(), Value::Bool(true));
        }
        map
    }
}

/// Where the stage came from, in v3's order.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum StageSource {
    #[serde(rename = "--stage")]
    Cli,
    #[serde(rename = "provider.stage")]
    Provider,
    #[serde(rename = "default")]
    Default,
}

/// Where the region came from, in v3's order (v3 ignores `AWS_REGION` and the profile's).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
pub(crate) enum RegionSource {
    #[serde(rename = "--region")]
    Cli,
    #[serde(rename = "provider.region")]
    Provider,
    #[serde(rename = "default")]
    Default,
}

/// A place in a file, 1-based, for people and for CI annotations.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct Location {
    pub file: String,
    pub line: usize,
    pub column: usize,
    #[serde(skip)]
    pub span: (usize, usize),
}

impl std::fmt::Display for Location {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}:{}:{}", self.file, self.line, self.column)
    }
}

/// Where one substituted value came from.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum StepOrigin {
    /// A command-line option, e.g. `--stage`.
    Option { name: String },
    /// A property of a configuration file.
    Config {
        #[serde(flatten)]
        at: Location,
    },
    /// An environment variable, possibly set by a `.env` file.
    Env {
        name: String,
        dotenv: Option<String>,
    },
    /// v3's built-in default (the `dev` stage, the `us-east-1` region).
    Default,
    /// Another source (`file`, `param`, `strToBool`, ...): its own answer.
    Source,
}

/// One substitution behind a value.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub(crate) struct Step {
    /// How deep in the chain: 0 for the lookups of the property itself.
    pub depth: usize,
    /// The lookup as written in v3's notation, e.g. `self:custom.profiles.prod`.
    pub variable: String,
    /// What it answered: the value, or `null` when not found (the next fallback is tried).
    pub value: Option<serde_json::Value>,
    /// The source's error, when it failed.
    pub error: Option<String>,
    pub from: StepOrigin,
}

/// `provider.profile` after resolution.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum ProfileValue {
    /// Not set (or `null`, or an empty string: v3 skips a falsy profile).
    Absent,
    Set(String),
    /// Resolution could not produce it; the reason, in words.
    Unresolved(String),
}

/// Everything known about one service for one stage.
pub(crate) struct ServiceView {
    pub path: PathBuf,
    pub file: SourceFile,
    pub service: Option<String>,
    pub stage: String,
    pub stage_source: StageSource,
    pub region: String,
    pub region_source: RegionSource,
    /// The raw `provider.profile` as written, and where.
    pub profile_written: Option<(String, Location)>,
    /// Where `service:` is written.
    pub service_written: Option<Location>,
    pub profile: ProfileValue,
    pub profile_chain: Vec<Step>,
    /// `org` and `app`: the Dashboard may override the credentials of such a service.
    pub dashboard: Option<(String, String)>,
    /// Plugins in `plugins` that are not installed: `serverless deploy` would stop there.
    pub missing_plugins: Vec<LocatedError>,
    /// The environment after `.env` loading.
    pub env: HashMap<String, String>,
    pub dotenv: Option<Dotenv>,
    /// A resolution failure, as v3 would report it, rendered with code frames.
    pub failure: Option<Failure>,
    /// The failure's individual errors (and those v3 would meet next), located.
    pub errors: Vec<LocatedError>,
    /// Files other than the configuration that an error points into (included with `file(...)`,
    /// or a `.env` file, its secrets masked), for code frames.
    pub included: Vec<SourceFile>,
    /// Variables left as written because their source needs AWS or a plugin.
    pub unresolved: Vec<(String, String)>,
    /// The profile depends on `${self:provider.stage}` while `--stage` names another stage.
    pub stage_mismatch: Option<StageMismatch>,
}

/// A resolution error with its place in the configuration.
#[derive(Debug, Clone, Serialize)]
pub(crate) struct LocatedError {
    pub code: String,
    pub message: String,
    /// The resolver's suggestion ("did you mean", the keys that exist), not v3's text.
    pub help: Option<String>,
    #[serde(flatten)]
    pub at: Option<Location>,
    /// The property the error is about (`custom.a.1`), when known: copies of one variable
    /// differ only in it.
    #[serde(skip)]
    pub property: Option<String>,
}

/// `provider.profile` read `provider.stage`, which does not follow `--stage`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct StageMismatch {
    pub provider_stage: String,
    pub cli_stage: String,
    pub at: Option<Location>,
}

/// Loads and resolves one configuration for the given options, with `env` as the process
/// environment. Only I/O errors (no file, unreadable) are `Err`; a configuration that does not
/// resolve is a view with a failure, so the profile can still be explained where it can.
pub(crate) fn view(
    config: Option<&Path>,
    target: Option<&Path>,
    options: &Options,
    env: HashMap<String, String>,
) -> Result<ServiceView, Failure> {
    let path = discover::locate(config, target)?;
    let (file, root) = discover::load(&path)?;
    Ok(view_loaded(path, file, root, options, env))
}

/// [`view`] of a configuration already loaded from `path`; `file(...)` and `.env` are read
/// from the disk.
pub(crate) fn view_loaded(
    path: PathBuf,
    file: SourceFile,
    root: Node,
    options: &Options,
    env: HashMap<String, String>,
) -> ServiceView {
    let service_dir = path.parent().map(Path::to_path_buf).unwrap_or_default();
    let service_dir = std::fs::canonicalize(&service_dir).unwrap_or(service_dir);
    let loaded = Loaded {
        path,
        service_dir,
        file,
        root,
    };
    view_with(loaded, options, env, Rc::new(discover::DiskFileSystem))
}

/// A configuration read and parsed, and the directory its `file(...)` paths start from.
pub(crate) struct Loaded {
    pub path: PathBuf,
    pub service_dir: PathBuf,
    pub file: SourceFile,
    pub root: Node,
}

/// [`view`] without I/O: files come through `fs`.
pub(crate) fn view_with(
    loaded: Loaded,
    options: &Options,
    env: HashMap<String, String>,
    fs: Rc<dyn FileSystem>,
) -> ServiceView {
    let Loaded {
        path,
        service_dir,
        file,
        root,
    } = loaded;
    let input = ResolveInput {
        config: root.to_value(),
        config_name: file.name.clone(),
        env: Environment {
            service_dir: service_dir.clone(),
            options: options.to_map(),
            env,
            fs,
            instance_id: Some("0".into()),
            allow_unresolved: true,
            require_plugins: false,
            missing_env: RefCell::new(BTreeSet::new()),
        },
    };
    let (result, trace) = sls_resolver::resolve_traced(input);
    let mut included = Vec::new();
    let (failure, errors, unresolved) = match &result {
        Ok(resolved) => (
            None,
            Vec::new(),
            resolved
                .unresolved
                .iter()
                .map(|u| (sls_resolver::humanize(&u.path), u.source.clone()))
                .collect(),
        ),
        Err(failure) => (
            Some(diagnostics::resolution_failure(&file, &root, failure)),
            // v3's errors, then those it would stop at once they are fixed.
            failure
                .errors
                .iter()
                .chain(&failure.later)
                .map(|e| LocatedError {
                    code: e.code.as_str().to_owned(),
                    message: e.message.clone(),
                    help: e.help.clone(),
                    at: match (&e.file_site, &e.site) {
                        (Some(s), _) => Some(locate_file_site(s, &mut included)),
                        (None, Some(s)) => {
                            locate_error(&file, &root, failure, e.code, s, &mut included)
                        }
                        (None, None) => None,
                    },
                    property: e.site.as_ref().map(|s| sls_resolver::humanize(&s.path)),
                })
                .collect(),
            Vec::new(),
        ),
    };
    let config = &trace.config;
    let text_at = |keys: &[&str]| {
        sls_resolver::get_path(config, keys)
            .filter(|v| v.is_truthy())
            .and_then(sls_value::js_to_string)
    };
    let written = |keys: &[&str]| root.get_path(keys).is_some();
    let text_at_written = |keys: &[&str]| text_at(keys).filter(|_| written(keys));
    let (stage, stage_source) = match (&options.stage, text_at_written(&["provider", "stage"])) {
        (Some(stage), _) if !stage.is_empty() => (stage.clone(), StageSource::Cli),
        (_, Some(stage)) => (stage, StageSource::Provider),
        _ => ("dev".to_owned(), StageSource::Default),
    };
    let (region, region_source) = match (&options.region, text_at_written(&["provider", "region"]))
    {
        (Some(region), _) if !region.is_empty() => (region.clone(), RegionSource::Cli),
        (_, Some(region)) => (region, RegionSource::Provider),
        _ => ("us-east-1".to_owned(), RegionSource::Default),
    };
    let profile_written =
        root.get_path(&["provider", "profile"])
            .and_then(|node| match &node.kind {
                sls_yaml::NodeKind::String(s) => Some((s.clone(), location(&file, node.span))),
                _ => None,
            });
    let service_written = root
        .get_path(&["service"])
        .map(|node| location(&file, node.span));
    let chain_builder = Chain {
        trace: &trace,
        file: &file,
        root: &root,
        options,
    };
    let profile_path = ["provider".to_owned(), "profile".to_owned()];
    let mut profile_chain = Vec::new();
    chain_builder.steps(&profile_path, 0, &mut profile_chain, &mut Vec::new());
    let profile = profile_value(&trace, &unresolved, &errors, result.is_err());
    let stage_mismatch = stage_mismatch(&trace, options, &profile_path, &file, &root);
    let missing_plugins =
        sls_resolver::missing_plugins(&trace.config, &discover::DiskFileSystem, &service_dir)
            .into_iter()
            .map(|e| LocatedError {
                code: e.code.as_str().to_owned(),
                at: e
                    .site
                    .as_ref()
                    .and_then(|s| locate_site(&file, &root, e.code, s)),
                property: e.site.as_ref().map(|s| sls_resolver::humanize(&s.path)),
                message: e.message,
                help: e.help,
            })
            .collect();
    let dashboard = match (text_at(&["org"]), text_at(&["app"])) {
        (Some(org), Some(app)) => Some((org, app)),
        _ => None,
    };
    ServiceView {
        service: text_at(&["service"]),
        path,
        stage,
        stage_source,
        region,
        region_source,
        profile_written,
        service_written,
        profile,
        profile_chain,
        dashboard,
        missing_plugins,
        env: trace.env.clone(),
        dotenv: trace.dotenv.clone(),
        failure,
        errors,
        included,
        unresolved,
        stage_mismatch,
        file,
    }
}

fn profile_value(
    trace: &Trace,
    unresolved: &[(String, String)],
    errors: &[LocatedError],
    failed: bool,
) -> ProfileValue {
    if let Some((_, source)) = unresolved.iter().find(|(p, _)| p == "provider.profile") {
        return ProfileValue::Unresolved(format!(
            "it depends on the `{source}` source, which cannot be resolved offline"
        ));
    }
    if trace.is_unresolved(&["provider", "profile"]) {
        let own = errors
            .iter()
            .find(|e| e.message.contains("\"provider.profile\""));
        return ProfileValue::Unresolved(match own {
            Some(error) => error.message.clone(),
            None if failed => {
                "resolution stopped at an earlier error before it was resolved".to_owned()
            }
            None => "it holds variables that cannot be resolved".to_owned(),
        });
    }
    match sls_resolver::get_path(&trace.config, &["provider", "profile"]) {
        Some(value) if value.is_truthy() => match sls_value::js_to_string(value) {
            Some(text) => ProfileValue::Set(text),
            None => ProfileValue::Unresolved(format!(
                "it resolved to {}, not a profile name",
                sls_value::to_json_compact(value)
            )),
        },
        _ => ProfileValue::Absent,
    }
}

/// Builds the substitution chain of a property from the trace.
struct Chain<'a> {
    trace: &'a Trace,
    file: &'a SourceFile,
    root: &'a Node,
    options: &'a Options,
}

impl Chain<'_> {
    fn steps(
        &self,
        property: &[String],
        depth: usize,
        out: &mut Vec<Step>,
        visiting: &mut Vec<Vec<String>>,
    ) {
        if depth > 16 || visiting.iter().any(|p| p == property) {
            return;
        }
        visiting.push(property.to_vec());
        for lookup in self.trace.lookups_for(property) {
            out.push(self.step(lookup, depth));
            if lookup.source == "self" {
                if let Some(address) = lookup.address_text() {
                    let keys: Vec<String> = address.split('.').map(str::to_owned).collect();
                    for nested in self.related_properties(&keys) {
                        self.steps(&nested, depth + 1, out, visiting);
                    }
                }
            }
            if lookup.source == "sls" && lookup.address_text() == Some("stage") {
                self.stage_steps(depth + 1, out, visiting);
            }
        }
        visiting.pop();
    }

    /// `sls:stage` reads `--stage`, else `provider.stage`, whose own variables count too.
    fn stage_steps(&self, depth: usize, out: &mut Vec<Step>, visiting: &mut Vec<Vec<String>>) {
        if self.options.stage.as_deref().is_some_and(|s| !s.is_empty()) {
            return;
        }
        self.steps(
            &["provider".to_owned(), "stage".to_owned()],
            depth,
            out,
            visiting,
        );
    }

    /// The properties, at `keys` or below it, whose lookups produced the value at `keys`.
    fn related_properties(&self, keys: &[String]) -> Vec<Vec<String>> {
        let mut seen: Vec<Vec<String>> = Vec::new();
        for lookup in &self.trace.lookups {
            let p = &lookup.property;
            let related = p.starts_with(keys) || keys.starts_with(p);
            if related && !seen.contains(p) {
                seen.push(p.clone());
            }
        }
        seen
    }

    fn step(&self, lookup: &Lookup, depth: usize) -> Step {
        let (value, error) = match &lookup.outcome {
            LookupOutcome::Found(v) => (Some(json_value(v)), None),
            LookupOutcome::NotFound => (None, None),
            LookupOutcome::Failed(message) => (None, Some(message.clone())),
        };
        Step {
            depth,
            variable: notation(lookup),
            value,
            error,
            from: self.origin(lookup),
        }
    }

    fn origin(&self, lookup: &Lookup) -> StepOrigin {
        let address = lookup.address_text().unwrap_or_default();
        match lookup.source.as_str() {
            "self" => {
                let keys: Vec<&str> = address.split('.').filter(|k| !k.is_empty()).collect();
                match self.root.get_path(&keys) {
                    Some(node) => StepOrigin::Config {
                        at: location(self.file, node.span),
                    },
                    None => StepOrigin::Source,
                }
            }
            "opt" => StepOrigin::Option {
                name: format!("--{address}"),
            },
            "env" => StepOrigin::Env {
                name: address.to_owned(),
                dotenv: self
                    .trace
                    .dotenv
                    .as_ref()
                    .filter(|d| d.set.iter().any(|k| k == address))
                    .map(|d| d.file.clone()),
            },
            "sls" if address == "stage" => self.stage_origin(),
            "param" => self.param_origin(address),
            "file" => match (&lookup.origin, lookup.param_text()) {
                (Some(origin), _) => {
                    let text = SourceFile::included(origin);
                    StepOrigin::Config {
                        at: location(&text, origin.node.span),
                    }
                }
                _ => StepOrigin::Source,
            },
            _ => StepOrigin::Source,
        }
    }

    /// `param:name` reads `--param name=...`, then `params.<stage>.name`, then
    /// `params.default.name` (the resolver's order).
    fn param_origin(&self, name: &str) -> StepOrigin {
        let from_cli = self.options.params.iter().any(|p| {
            p.trim_start_matches('=')
                .split_once('=')
                .is_some_and(|(k, v)| k == name && !v.is_empty())
        });
        if from_cli {
            return StepOrigin::Option {
                name: "--param".into(),
            };
        }
        let stage = match self.options.stage.as_deref().filter(|s| !s.is_empty()) {
            Some(stage) => stage.to_owned(),
            None => sls_resolver::get_path(&self.trace.config, &["provider", "stage"])
                .filter(|v| v.is_truthy())
                .and_then(sls_value::js_to_string)
                .unwrap_or_else(|| "dev".to_owned()),
        };
        for scope in [stage.as_str(), "default"] {
            let keys = ["params", scope, name];
            let set = sls_resolver::get_path(&self.trace.config, &keys)
                .is_some_and(|v| *v != Value::Null);
            if let (true, Some(node)) = (set, self.root.get_path(&keys)) {
                return StepOrigin::Config {
                    at: location(self.file, node.span),
                };
            }
        }
        StepOrigin::Source
    }

    fn stage_origin(&self) -> StepOrigin {
        if self.options.stage.as_deref().is_some_and(|s| !s.is_empty()) {
            return StepOrigin::Option {
                name: "--stage".into(),
            };
        }
        let written = sls_resolver::get_path(&self.trace.config, &["provider", "stage"])
            .is_some_and(Value::is_truthy);
        match self.root.get_path(&["provider", "stage"]) {
            Some(node) if written => StepOrigin::Config {
                at: location(self.file, node.span),
            },
            _ => StepOrigin::Default,
        }
    }
}

/// A lookup in v3's notation: `self:custom.a`, `file(./x.yml):a`, `env:NAME`.
fn notation(lookup: &Lookup) -> String {
    let mut text = lookup.source.clone();
    if let Some(params) = &lookup.params {
        let inner: Vec<String> = params
            .iter()
            .map(|p| sls_value::js_to_string(p).unwrap_or_else(|| sls_value::to_json_compact(p)))
            .collect();
        text.push_str(&format!("({})", inner.join(", ")));
    }
    if let Some(address) = &lookup.address {
        let address =
            sls_value::js_to_string(address).unwrap_or_else(|| sls_value::to_json_compact(address));
        text.push(':');
        text.push_str(&address);
    }
    text
}

fn stage_mismatch(
    trace: &Trace,
    options: &Options,
    property: &[String],
    file: &SourceFile,
    root: &Node,
) -> Option<StageMismatch> {
    let cli_stage = options.stage.clone().filter(|s| !s.is_empty())?;
    let provider_stage = sls_resolver::get_path(&trace.config, &["provider", "stage"])
        .and_then(sls_value::js_to_string)
        .unwrap_or_else(|| "dev".to_owned());
    if provider_stage == cli_stage {
        return None;
    }
    // Follow the chain's `self` lookups and look for one of `provider.stage`.
    let mut pending = vec![property.to_vec()];
    let mut seen: Vec<Vec<String>> = Vec::new();
    while let Some(p) = pending.pop() {
        if seen.contains(&p) || seen.len() > 64 {
            continue;
        }
        seen.push(p.clone());
        for lookup in trace.lookups_for(&p) {
            if lookup.source != "self" {
                continue;
            }
            let address = lookup.address_text().unwrap_or_default();
            if address == "provider.stage" {
                let at = root
                    .get_path(&["provider", "profile"])
                    .map(|node| location(file, node.span));
                return Some(StageMismatch {
                    provider_stage,
                    cli_stage,
                    at,
                });
            }
            let keys: Vec<String> = address.split('.').map(str::to_owned).collect();
            pending.extend(
                trace
                    .lookups
                    .iter()
                    .map(|l| l.property.clone())
                    .filter(|q| q.starts_with(&keys) || keys.starts_with(q)),
            );
        }
    }
    None
}

/// The location of a span in a file.
pub(crate) fn location(file: &SourceFile, span: sls_yaml::Span) -> Location {
    let (line, column) = file.line_column(span.start);
    Location {
        file: file.name.clone(),
        line,
        column,
        span: (span.start, span.end),
    }
}

/// Where an error's variable was written: in the configuration, or in the file a `file(...)`
/// variable included (named relative to the service directory, and kept in `included` so code
/// frames can show it).
fn locate_error(
    file: &SourceFile,
    root: &Node,
    failure: &sls_resolver::Failure,
    code: ErrorCode,
    site: &VariableSite,
    included: &mut Vec<SourceFile>,
) -> Option<Location> {
    let Some((origin, rest)) = failure.origin_of(&site.path) else {
        return locate_site(file, root, code, site);
    };
    let inner = SourceFile::included(origin);
    let inner_site = VariableSite {
        path: rest.to_vec(),
        range: site.range,
    };
    let at = locate_site(&inner, &origin.node, code, &inner_site);
    if !included.iter().any(|f: &SourceFile| f.name == inner.name) {
        included.push(inner);
    }
    at
}

/// Where an error about a file other than the configuration (`.env`) points, the file kept in
/// `included` (its secrets masked) so code frames can show it.
fn locate_file_site(site: &sls_resolver::FileSite, included: &mut Vec<SourceFile>) -> Location {
    let inner = SourceFile::of_site(site);
    let (line, column) = inner.line_column(site.range.0);
    let at = Location {
        file: inner.name.clone(),
        line,
        column,
        span: site.range,
    };
    if !included.iter().any(|f| f.name == inner.name) {
        included.push(inner);
    }
    at
}

fn locate_site(
    file: &SourceFile,
    root: &Node,
    code: ErrorCode,
    site: &VariableSite,
) -> Option<Location> {
    let (start, end) = diagnostics::locate_error(root, &file.text, code, site)?.0;
    let (line, column) = file.line_column(start);
    Some(Location {
        file: file.name.clone(),
        line,
        column,
        span: (start, end),
    })
}

/// A configuration value as `serde_json` sees it (for the JSON report).
pub(crate) fn json_value(value: &Value) -> serde_json::Value {
    match value {
        Value::Null => serde_json::Value::Null,
        Value::Bool(b) => serde_json::Value::Bool(*b),
        Value::Number(n) => serde_json::Number::from_f64(*n)
            .map_or(serde_json::Value::Null, serde_json::Value::Number),
        Value::String(s) => serde_json::Value::String(s.clone()),
        Value::Array(items) => serde_json::Value::Array(items.iter().map(json_value).collect()),
        Value::Object(map) => serde_json::Value::Object(
            map.iter()
                .map(|(k, v)| (k.clone(), json_value(v)))
                .collect(),
        ),
    }
}
