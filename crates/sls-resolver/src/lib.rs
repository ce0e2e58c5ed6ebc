//! Resolves Serverless Framework v3 variables in a loaded configuration, offline.
//!
//! [`resolve`] runs v3's phases (`scripts/serverless.js`): the core properties first with the
//! sources available then, `.env` loading, everything else, the framework's defaults
//! (`provider.stage`, `provider.region`, `versionFunctions`, function names), the final phases
//! with `param`, `sls:instanceId` and `aws:region`, and the check for unknown sources. Errors
//! surface phase by phase exactly where v3 would stop.
//!
//! Architecture invariant: this crate does no I/O. Files are read through the caller's
//! [`FileSystem`]; the environment and the CLI options are a snapshot in [`Environment`].

mod dotenv;
mod engine;
mod error;
pub mod hints;
mod meta;
mod plugins;
mod service;
mod source;
mod trace;
mod value;

pub use plugins::missing_plugins;
pub use service::FRAMEWORK_VERSION;
pub use trace::{Dotenv, Lookup, LookupOutcome, Trace};
pub use value::{get_path, js_get};

use std::collections::{HashMap, HashSet};
use std::rc::Rc;

use sls_value::Value;

pub use error::{ErrorCode, FileSite, ResolveError, SharedError, VariableSite, humanize};
pub use sls_schema::Violation;
pub use source::{
    AwsSource, EnvSource, Environment, FileKind, FileSource, FileSystem, OptSource, Origin,
    ParamSource, RemoteSource, SelfSource, SlsSource, Source, SourceContext, SourceError,
    SourceOutput, SourceRequest, StrToBoolSource,
};

use engine::Engine;
pub use engine::{MAX_RESOLUTION_DEPTH, MAX_SUBSTITUTED_BYTES};
use meta::{SourceMeta, ValueMeta, VarMeta, path_keys};

/// The inputs of one resolution.
pub struct ResolveInput {
    /// The configuration as loaded (after the JSON round trip).
    pub config: Value,
    /// File name used in v3's messages, e.g. `serverless.yml`.
    pub config_name: String,
    pub env: Environment,
}

/// A resolved configuration, as `serverless print` shows it.
#[derive(Debug)]
pub struct Resolved {
    pub config: Value,
    /// Variables left as written (`--allow-unresolved`), with their property paths.
    pub unresolved: Vec<Unresolved>,
    /// What v3 writes on stderr without failing: `log.warning` texts, in order (without the
    /// `Warning: ` prefix).
    pub warnings: Vec<String>,
    /// Codes of the deprecations v3 buffers for its summary line (`N deprecation(s) found`).
    pub deprecations: Vec<String>,
    /// The schema violations v3 warns about (`configValidationMode: warn`, the default), each
    /// at its property; their text is also in `warnings`.
    pub schema_violations: Vec<Violation>,
    /// Properties whose value came from another file, and where in it.
    pub origins: Origins,
}

impl Resolved {
    /// The file a property's value came from (see [`Failure::origin_of`]).
    pub fn origin_of<'p>(&self, path: &'p [String]) -> Option<(&Rc<Origin>, &'p [String])> {
        self.origins.of(path)
    }
}

/// The properties whose value came from another file (`file(...)`), by property path.
#[derive(Debug, Default)]
pub struct Origins {
    by_path: HashMap<Vec<String>, Rc<Origin>>,
}

impl Origins {
    /// The longest recorded prefix of `path` that came from another file, and the keys below
    /// it: one lookup per prefix, so that an error costs the length of its path, not the number
    /// of inclusions (a file that includes itself three times makes 60,000 of them).
    pub fn of<'p>(&self, path: &'p [String]) -> Option<(&Rc<Origin>, &'p [String])> {
        (0..=path.len()).rev().find_map(|n| {
            self.by_path
                .get(&path[..n])
                .map(|origin| (origin, &path[n..]))
        })
    }
}

/// A variable left as written because its source needs the network.
#[derive(Debug, Clone, PartialEq)]
pub struct Unresolved {
    pub path: Vec<String>,
    pub source: String,
    pub range: (usize, usize),
}

/// Why a configuration could not be resolved: v3's message, and each error as data.
#[derive(Debug)]
pub struct Failure {
    /// The text v3 prints after `Error:`.
    pub message: String,
    /// The individual errors, de-duplicated, in configuration order.
    pub errors: Vec<SharedError>,
    /// Properties whose value came from another file, and where in it.
    pub origins: Origins,
    /// Problems v3 would report only once `errors` are fixed, because it stops at the first
    /// failing phase, but that are certain already: variables whose first source is unknown,
    /// or needs AWS while offline. Not part of v3's `message`.
    pub later: Vec<SharedError>,
}

impl Failure {
    fn single(error: ResolveError) -> Self {
        Self {
            message: error.message.clone(),
            errors: vec![error.shared()],
            origins: Origins::default(),
            later: Vec::new(),
        }
    }

    /// The file a property's value came from, when it was included with `file(...)`: the
    /// longest recorded prefix of `path`, and the keys left below it.
    pub fn origin_of<'p>(&self, path: &'p [String]) -> Option<(&Rc<Origin>, &'p [String])> {
        self.origins.of(path)
    }
}

fn registry(names: &[&str]) -> HashMap<String, Rc<dyn Source>> {
    names
        .iter()
        .map(|name| {
            let source: Rc<dyn Source> = match *name {
                "self" => Rc::new(SelfSource),
                "env" => Rc::new(EnvSource),
                "opt" => Rc::new(OptSource),
                "sls" => Rc::new(SlsSource),
                "file" => Rc::new(FileSource::default()),
                "strToBool" => Rc::new(StrToBoolSource),
                "param" => Rc::new(ParamSource),
                "aws" => Rc::new(AwsSource),
                "cf" => Rc::new(RemoteSource { name: "cf" }),
                "s3" => Rc::new(RemoteSource { name: "s3" }),
                _ => Rc::new(RemoteSource { name: "ssm" }),
            };
            ((*name).to_owned(), source)
        })
        .collect()
}

fn set(names: &[&str]) -> HashSet<String> {
    names.iter().map(|n| (*n).to_owned()).collect()
}

const EARLY: &[&str] = &["env", "file", "opt", "self", "strToBool", "sls"];
/// The sources that need AWS, besides `aws:accountId`: never resolved offline.
pub const REMOTE_SOURCES: &[&str] = &["cf", "s3", "ssm"];

/// Resolves every variable in the configuration the way `serverless print` does.
pub fn resolve(input: ResolveInput) -> Result<Resolved, Failure> {
    resolve_inner(input, false).0
}

/// [`resolve`], keeping a [`Trace`] of what it did: every source lookup, the environment after
/// `.env` loading, and the configuration as far as it got (also when resolution fails).
pub fn resolve_traced(input: ResolveInput) -> (Result<Resolved, Failure>, Trace) {
    let (result, trace) = resolve_inner(input, true);
    (result, trace.unwrap_or_default())
}

fn resolve_inner(input: ResolveInput, tracing: bool) -> (Result<Resolved, Failure>, Option<Trace>) {
    let ResolveInput {
        config,
        config_name,
        mut env,
    } = input;
    let instance_id = env.instance_id.take();
    let mut engine = Engine::new(config, env);
    if tracing {
        engine.trace = Some(Vec::new());
    }
    let mut dotenv = None;
    let mut log = service::Log::default();
    let result = run_phases(
        &mut engine,
        &config_name,
        instance_id,
        &mut dotenv,
        &mut log,
    );
    let result = result.map_err(|mut failure| {
        // What is left unresolved where v3 stopped: what it would meet next.
        engine.meta.parse_all();
        failure.later = foreseeable(&engine)
            .into_iter()
            .filter(|later| {
                !failure.errors.iter().any(|e| {
                    e.code == later.code
                        || e.site.as_ref().map(|s| &s.path) == later.site.as_ref().map(|s| &s.path)
                })
            })
            .map(ResolveError::shared)
            .collect();
        failure
    });
    let mut trace = tracing.then(|| Trace {
        lookups: engine.trace.take().unwrap_or_default(),
        env: engine.env.env.clone(),
        dotenv,
        config: Value::Null,
        unresolved: engine.meta.keys().map(path_keys).collect(),
    });
    let result = result.and_then(|unresolved| {
        engine.meta.parse_all();
        restore_unresolved(&mut engine.config, &engine.meta);
        // 11. `serverless.run()`: merged arrays, function names, schema validation, `initialize`.
        service::run(
            &mut engine.config,
            &engine.env.options,
            &engine.env.env,
            &mut log,
        )
        .map_err(|error| match error {
            service::RunError::One(error) => Failure::single(error),
            service::RunError::Schema(failure) => Failure {
                message: failure.message,
                errors: failure
                    .errors
                    .into_iter()
                    .map(ResolveError::shared)
                    .collect(),
                origins: origins(&engine),
                later: Vec::new(),
            },
        })?;
        Ok(Resolved {
            config: std::mem::replace(&mut engine.config, Value::Null),
            unresolved,
            warnings: std::mem::take(&mut log.warnings),
            deprecations: std::mem::take(&mut log.deprecations),
            schema_violations: std::mem::take(&mut log.schema_violations),
            origins: origins(&engine),
        })
    });
    if let Some(trace) = &mut trace {
        trace.config = match &result {
            Ok(resolved) => resolved.config.clone(),
            Err(_) => std::mem::replace(&mut engine.config, Value::Null),
        };
    }
    (result, trace)
}

/// Properties whose value came from another file, and where in it.
fn origins(engine: &Engine) -> Origins {
    Origins {
        by_path: engine
            .origins
            .iter()
            .map(|(k, o)| (path_keys(k), o.clone()))
            .collect(),
    }
}

/// v3's phases, in order; stops where v3 would stop.
fn run_phases(
    engine: &mut Engine,
    config_name: &str,
    instance_id: Option<String>,
    dotenv: &mut Option<Dotenv>,
    log: &mut service::Log,
) -> Result<Vec<Unresolved>, Failure> {
    let phase = Phase { config_name };

    // 1. Syntax errors are reported before anything is resolved.
    phase.report(engine)?;
    phase.ensure(engine, &["disabledDeprecations"])?;
    phase.ensure(engine, &["deprecationNotificationMode"])?;
    let mut provider_checked = is_resolved(engine, &["provider", "name"]);
    if provider_checked {
        service::provider_name(&engine.config).map_err(Failure::single)?;
    }

    // 2-3. The properties that decide which command schema and which .env apply.
    let core: &[&[&str]] = &[
        &["provider", "name"],
        &["provider", "stage"],
        &["useDotenv"],
    ];
    if !engine.meta.is_empty() {
        engine.run(
            registry(EARLY),
            set(&["file", "self", "strToBool"]),
            Some(core),
        );
        phase.report(engine)?;
        if !provider_checked && is_resolved(engine, &["provider", "name"]) {
            service::provider_name(&engine.config).map_err(Failure::single)?;
            provider_checked = true;
        }
    }
    let fulfilled_early = set(&["env", "file", "self", "strToBool"]);
    let stage_and_dotenv: &[&[&str]] = &[&["provider", "stage"], &["useDotenv"]];
    engine.env.missing_env.borrow_mut().clear();
    if !is_resolved(engine, &["provider", "stage"]) || !is_resolved(engine, &["useDotenv"]) {
        engine.run(
            registry(EARLY),
            fulfilled_early.clone(),
            Some(stage_and_dotenv),
        );
        phase.report(engine)?;
    }
    phase.ensure(engine, &["provider", "stage"])?;
    phase.ensure(engine, &["useDotenv"])?;

    // 4. dotenv.
    if get_path(&engine.config, &["useDotenv"]).is_some_and(|v| *v == Value::Bool(true)) {
        *dotenv = dotenv::load(engine).map_err(Failure::single)?;
        if !is_resolved(engine, &["provider", "name"]) {
            engine.run(
                registry(EARLY),
                fulfilled_early.clone(),
                Some(&[&["provider", "name"]]),
            );
            phase.report(engine)?;
        }
    }

    // 5. Everything, with the sources known before plugins load.
    phase.ensure(engine, &["provider", "name"])?;
    if !provider_checked {
        service::provider_name(&engine.config).map_err(Failure::single)?;
    }
    engine.run(registry(EARLY), fulfilled_early, None);
    phase.report(engine)?;
    for path in [
        &["plugins"][..],
        &["package", "path"],
        &["frameworkVersion"],
        &["app"],
        &["org"],
        &["dashboard"],
        &["service"],
    ] {
        phase.ensure(engine, path)?;
    }

    // 6. `serverless.init()`: the service is loaded and checked, the plugins write defaults.
    let options = engine.env.options.clone();
    service::init(&mut engine.config, config_name, &options, log).map_err(Failure::single)?;
    if engine.env.require_plugins {
        let missing = missing_plugins(&engine.config, &*engine.env.fs, &engine.env.service_dir);
        if let Some(first) = missing.into_iter().next() {
            return Err(Failure::single(first));
        }
    }

    // 7-8. Plugins are loaded: `opt` is final, `sls:instanceId` and `param` exist.
    engine.env.instance_id = instance_id;
    let fulfilled_final = set(&["env", "file", "opt", "self", "strToBool", "sls", "param"]);
    let mut sources: Vec<&str> = EARLY.to_vec();
    sources.push("param");
    engine.run(registry(&sources), fulfilled_final.clone(), None);
    phase.report(engine)?;
    for path in [
        &["provider", "credentials"][..],
        &["provider", "deploymentBucket", "serverSideEncryption"],
        &["provider", "profile"],
        &["provider", "region"],
    ] {
        phase.ensure(engine, path)?;
    }

    // 9. The AWS sources.
    sources.push("aws");
    sources.extend_from_slice(REMOTE_SOURCES);
    let mut fulfilled_all = fulfilled_final;
    fulfilled_all.extend(["aws", "cf", "s3", "ssm"].map(str::to_owned));
    engine.run(registry(&sources), fulfilled_all, None);
    phase.report(engine)?;

    // 10. Whatever is left uses a source nobody provides.
    engine.meta.parse_all();
    leftovers(engine, &sources)
}

struct Phase<'a> {
    config_name: &'a str,
}

impl Phase<'_> {
    /// v3's `eventuallyReportVariableResolutionErrors`: every error in the meta, once each.
    fn report(&self, engine: &Engine) -> Result<(), Failure> {
        // Once each by identity (v3 keeps them in a `Set`): a YAML alias copies one error object
        // to every place it reaches, tens of thousands in an alias bomb.
        let mut seen: HashSet<*const ResolveError> = HashSet::new();
        let errors: Vec<SharedError> = engine
            .meta
            .errors()
            .filter(|error| seen.insert(Rc::as_ptr(error)))
            .cloned()
            .collect();
        if errors.is_empty() {
            return Ok(());
        }
        let list: Vec<String> = errors
            .iter()
            .map(|e| format!("\n  - {}", e.message))
            .collect();
        Err(Failure {
            message: format!(
                "Cannot resolve {}: Variables resolution errored with:{}",
                self.config_name,
                list.join(",")
            ),
            errors,
            origins: origins(engine),
            later: Vec::new(),
        })
    }

    /// v3's `ensure`: the property must not depend on anything still unresolved.
    fn ensure(&self, engine: &Engine, path: &[&str]) -> Result<(), Failure> {
        if is_resolved(engine, path) {
            return Ok(());
        }
        let site = engine
            .meta
            .keys_related(&path.join("\0"))
            .first()
            .map(|k| VariableSite {
                path: path_keys(k),
                range: None,
            });
        let error = ResolveError::new(
            ErrorCode::InaccessibleConfigurationProperty,
            format!(
                "Cannot resolve {}: \"{}\" property is not accessible (configured behind variables which cannot be resolved at this stage)",
                self.config_name,
                path.join(".")
            ),
        )
        .at(site)
        .with_help(Some(inaccessible_help(path)));
        Err(Failure::single(error))
    }
}

fn inaccessible_help(path: &[&str]) -> String {
    let property = path.join(".");
    match property.as_str() {
        "provider.stage" | "useDotenv" | "provider.name" => format!(
            "`{property}` is resolved first, when only `self`, `file`, `env`, `opt`, `strToBool` and `sls:stage` exist; `param`, `ssm` and other sources cannot be used here"
        ),
        "provider.profile" | "provider.region" | "provider.credentials" => format!(
            "`{property}` is needed before `ssm`, `cf`, `s3` and `aws` can be used; use `self`, `env`, `opt`, `file` or `param` here"
        ),
        _ => format!(
            "`{property}` is read before plugins load: `param`, `ssm`, `cf`, `s3` and plugin sources cannot be used here"
        ),
    }
}

/// v3's `isPropertyResolved`: no variable left at the path, above it or below it.
fn is_resolved(engine: &Engine, path: &[&str]) -> bool {
    !engine.meta.any_related(&path.join("\0"))
}

/// Step 10: variables left unresolved. Remote ones are kept (with `--allow-unresolved`);
/// anything else is v3's "Unrecognized configuration variable sources".
fn leftovers(engine: &Engine, registered: &[&str]) -> Result<Vec<Unresolved>, Failure> {
    let mut first_types: Vec<String> = Vec::new();
    let mut kept = Vec::new();
    for (key, meta) in engine.meta.iter() {
        let mut remote = None;
        find_remote(meta, &mut remote);
        if let (Some(source), Some(variables)) = (remote, &meta.variables) {
            for variable in variables.iter().filter(|v| v.sources.is_some()) {
                kept.push(Unresolved {
                    path: path_keys(key),
                    source: source.clone(),
                    range: (variable.start, variable.end),
                });
            }
            continue;
        }
        collect_first_types(meta, &mut first_types);
    }
    if first_types.is_empty() {
        return Ok(kept);
    }
    let unknown: Vec<&String> = first_types
        .iter()
        .filter(|t| !registered.contains(&t.as_str()))
        .collect();
    if unknown.iter().any(|t| *t == "output") {
        return Err(Failure::single(ResolveError::new(
            ErrorCode::DashboardVariableSourcesMisuse,
            "\"Cannot resolve configuration: \"output\" variable can only be used in services deployed with Serverless Dashboard (with \"org\" setting configured)",
        )));
    }
    let names: Vec<&str> = unknown.iter().map(|s| s.as_str()).collect();
    let message = format!(
        "Unrecognized configuration variable sources: \"{}\"",
        names.join("\", \"")
    );
    // v3 names the sources once; each variable using one is an error of its own here, so
    // every one of them gets a label.
    let sites = first_source_sites(engine);
    let mut errors: Vec<SharedError> = sites
        .iter()
        .filter(|(ty, _)| names.contains(&ty.as_str()))
        .map(|(ty, site)| {
            let own = format!("Unrecognized configuration variable sources: \"{ty}\"");
            unknown_source_error(ty, site.clone(), &own).shared()
        })
        .collect();
    if errors.is_empty() {
        // v3's empty-name quirk: the first sources are known, an unknown one sits in a
        // fallback (`${self:nope, foo:bar}`); name it in the hint.
        let fallback = any_source_sites(engine)
            .into_iter()
            .find(|(ty, _)| !KNOWN_SOURCES.contains(&ty.as_str()));
        let (name, site) = match fallback {
            Some((ty, site)) => (ty, site),
            None => (
                String::new(),
                engine.meta.keys().next().map(|k| VariableSite {
                    path: path_keys(k),
                    range: None,
                }),
            ),
        };
        errors.push(unknown_source_error(&name, site, &message).shared());
    }
    Err(Failure {
        message,
        errors,
        origins: Origins::default(),
        later: Vec::new(),
    })
}

const KNOWN_SOURCES: [&str; 11] = [
    "self",
    "env",
    "opt",
    "sls",
    "file",
    "param",
    "strToBool",
    "aws",
    "ssm",
    "cf",
    "s3",
];

fn unknown_source_error(name: &str, site: Option<VariableSite>, message: &str) -> ResolveError {
    const WHY: &str = "v3 resolves only built-in sources and those of installed plugins; a fallback does not help for an unknown source";
    let help = match hints::closest(name, KNOWN_SOURCES) {
        _ if name.is_empty() => WHY.to_owned(),
        Some(known) => format!("`{name}` is not a variable source; did you mean `{known}`?"),
        None => format!("`{name}` is not a variable source: {WHY}"),
    };
    ResolveError::new(ErrorCode::UnrecognizedVariableSources, message)
        .at(site)
        .with_help(Some(help))
}

/// The first source of every variable (and of those nested in its params and address), with
/// the variable's site: the sources v3 must resolve whatever the fallbacks say.
fn first_source_sites(engine: &Engine) -> Vec<(String, Option<VariableSite>)> {
    source_sites(engine, false)
}

/// Every source of every variable, fallbacks included, with the variable's site.
fn any_source_sites(engine: &Engine) -> Vec<(String, Option<VariableSite>)> {
    source_sites(engine, true)
}

fn source_sites(engine: &Engine, fallbacks: bool) -> Vec<(String, Option<VariableSite>)> {
    struct Walk<'a> {
        fallbacks: bool,
        path: Vec<String>,
        /// The property's string, to place nested variables in it.
        text: &'a str,
        out: Vec<(String, Option<VariableSite>)>,
    }
    impl Walk<'_> {
        /// `outer`: the range of the top-level variable a nested string sits in.
        fn meta(&mut self, meta: &ValueMeta, outer: Option<(usize, usize)>) {
            let nested = outer.is_some();
            let own = match &meta.value {
                Some(Value::String(own)) => own.as_str(),
                _ => "",
            };
            for variable in meta.variables.iter().flatten() {
                let range = match outer {
                    None => (variable.start, variable.end),
                    // A nested variable: find its text inside the outer variable.
                    Some((from, to)) => own
                        .get(variable.start..variable.end)
                        .and_then(|written| {
                            let at = self.text.get(from..to)?.find(written)?;
                            Some((from + at, from + at + written.len()))
                        })
                        .unwrap_or((from, to)),
                };
                let sources = variable.sources.iter().flatten();
                let take = if self.fallbacks { usize::MAX } else { 1 };
                for source in sources.take(take) {
                    let SourceMeta::Typed {
                        ty,
                        params,
                        address,
                    } = source
                    else {
                        continue;
                    };
                    let inner_outer = if nested { outer } else { Some(range) };
                    for part in params.iter().flatten().chain(address.iter()) {
                        self.meta(part, inner_outer);
                    }
                    let account = ty == "aws"
                        && matches!(address, Some(ValueMeta { value: Some(Value::String(a)), .. }) if a == "accountId");
                    let ty = if account {
                        "aws:accountId".to_owned()
                    } else {
                        ty.clone()
                    };
                    let site = VariableSite {
                        path: self.path.clone(),
                        range: Some(range),
                    };
                    self.out.push((ty, Some(site)));
                }
            }
        }
    }
    let mut out = Vec::new();
    for (key, meta) in engine.meta.iter() {
        let text = match &meta.value {
            Some(Value::String(text)) => text.as_str(),
            _ => "",
        };
        let mut walk = Walk {
            fallbacks,
            path: path_keys(key),
            text,
            out: Vec::new(),
        };
        walk.meta(meta, None);
        out.append(&mut walk.out);
    }
    out
}

/// What v3 is certain to fail on later, known before anything is resolved: unknown sources,
/// and (unless `--allow-unresolved`) sources that need AWS. See [`Failure::later`].
fn foreseeable(engine: &Engine) -> Vec<ResolveError> {
    let offline_fails = !engine.env.allow_unresolved;
    first_source_sites(engine)
        .into_iter()
        .filter_map(|(ty, site)| {
            if !KNOWN_SOURCES.contains(&ty.as_str()) && ty != "aws:accountId" {
                // `output` has v3's own Dashboard error, reported when it is reached.
                let message = format!("Unrecognized configuration variable sources: \"{ty}\"");
                return (ty != "output").then(|| unknown_source_error(&ty, site, &message));
            }
            let remote = REMOTE_SOURCES.contains(&ty.as_str()) || ty == "aws:accountId";
            let path = site.as_ref().map(|s| humanize(&s.path)).unwrap_or_default();
            (remote && offline_fails).then(|| {
                ResolveError::new(
                    ErrorCode::RemoteSourceOffline,
                    format!(
                        "Cannot resolve variable at \"{path}\": \"{ty}\" variables need AWS and cannot be resolved offline"
                    ),
                )
                .at(site)
                .with_help(Some(
                    "pass `--allow-unresolved` to leave such variables as written".to_owned(),
                ))
            })
        })
        .collect()
}

/// With `--allow-unresolved`, strings whose remote variables were left keep their other
/// variables resolved: `${self:service}-${ssm:/x}` prints as `svc-${ssm:/x}`.
fn restore_unresolved(config: &mut Value, meta: &meta::MetaMap) {
    for (key, meta) in meta.iter() {
        let (Some(Value::String(raw)), Some(variables)) = (&meta.value, &meta.variables) else {
            continue;
        };
        let mut text = String::with_capacity(raw.len());
        let mut last = 0;
        for variable in variables {
            text.push_str(raw.get(last..variable.start).unwrap_or_default());
            match (&variable.sources, &variable.value) {
                (None, Some(value)) => {
                    text.push_str(&sls_value::js_to_string(value).unwrap_or_default());
                }
                _ => text.push_str(raw.get(variable.start..variable.end).unwrap_or_default()),
            }
            last = variable.end;
        }
        text.push_str(raw.get(last..).unwrap_or_default());
        value::set_path(config, &path_keys(key), Value::String(text));
    }
}

fn find_remote(meta: &ValueMeta, found: &mut Option<String>) {
    let Some(variables) = &meta.variables else {
        return;
    };
    for variable in variables {
        let Some(sources) = &variable.sources else {
            continue;
        };
        for source in sources {
            if let SourceMeta::Typed {
                ty,
                params,
                address,
            } = source
            {
                let remote = REMOTE_SOURCES.contains(&ty.as_str())
                    || (ty == "aws"
                        && matches!(address, Some(ValueMeta { value: Some(Value::String(a)), .. }) if a == "accountId"));
                if remote && found.is_none() {
                    *found = Some(ty.clone());
                }
                for part in params.iter().flatten().chain(address.iter()) {
                    find_remote(part, found);
                }
            }
        }
    }
}

/// v3's `resolveUnresolvedSourceTypes`: the first source of each variable left, and those
/// nested in its params and address.
fn collect_first_types(meta: &ValueMeta, out: &mut Vec<String>) {
    let Some(variables) = &meta.variables else {
        return;
    };
    for VarMeta { sources, .. } in variables {
        let Some(SourceMeta::Typed {
            ty,
            params,
            address,
        }) = sources.as_ref().and_then(|s| s.first())
        else {
            continue;
        };
        for part in params.iter().flatten().chain(address.iter()) {
            collect_first_types(part, out);
        }
        if !out.contains(ty) {
            out.push(ty.clone());
        }
    }
}
