//! `sls-resolve check`: the pre-deploy gate, over every service and every stage.
//!
//! Services are found under the given paths ([`services`]), each service's stages are listed
//! ([`stages`]), and every service and stage gets the profile report of [`crate::report`],
//! judged against the policy ([`policy`]). Services run on worker threads; results are put
//! back in path order, so the output does not depend on scheduling.

mod policy;
mod remote;
mod services;
mod stages;

use std::collections::{BTreeMap, HashMap};
use std::path::{Path, PathBuf};
use std::sync::Mutex;
use std::sync::atomic::{AtomicUsize, Ordering};

use clap::{Args, ValueEnum};
use serde_json::{Value as Json, json};
use sls_aws::Engine as AwsEngine;
use sls_aws::engine::Outcome;

use crate::diagnostics::{self, Failure, SourceFile};
use crate::report::{self, EngineArg, Finding};
use crate::service::{self, Location, Options, ProfileValue};
use crate::{EXIT_CONFIG, discover};

#[derive(Args, Debug)]
pub(crate) struct CheckArgs {
    /// Configuration files, or directories searched for them (default: the working directory)
    paths: Vec<PathBuf>,
    /// Check only this stage (repeatable); default: every stage each service declares
    #[arg(short, long)]
    stage: Vec<String>,
    /// Region of the services (v3: `--region`)
    #[arg(short, long)]
    region: Option<String>,
    /// AWS profile the deploy will pass (v3: `--aws-profile`)
    #[arg(long = "aws-profile")]
    aws_profile: Option<String>,
    /// The deploy passes `--use-local-credentials` (no Dashboard provider credentials)
    #[arg(long)]
    use_local_credentials: bool,
    /// Parameter `key=value`, repeatable (v3: `--param`)
    #[arg(long = "param", value_name = "KEY=VALUE")]
    param: Vec<String>,
    /// Output format
    #[arg(long, value_enum, default_value_t = CheckFormat::Text)]
    format: CheckFormat,
    /// Whose credential rules: serverless v3.40.0, or osls 4 / serverless v4 (`sdk`)
    #[arg(long, value_enum, default_value_t = EngineArg::V3)]
    engine: EngineArg,
    /// Read the AWS files from DIR instead of `$HOME/.aws`
    #[arg(long, value_name = "DIR")]
    aws_dir: Option<PathBuf>,
    /// Policy file (default: `.sls-resolve.yml` in the working directory or a parent folder up to
    /// the repository root, when there is one)
    #[arg(long, value_name = "FILE")]
    policy: Option<PathBuf>,
    /// Expected account of a stage, `STAGE=ACCOUNT_ID` (repeatable)
    #[arg(long = "expect-account", value_name = "STAGE=ID")]
    expect_account: Vec<String>,
    /// Expected profile of a stage, `STAGE=PROFILE` (repeatable)
    #[arg(long = "expect-profile", value_name = "STAGE=NAME")]
    expect_profile: Vec<String>,
    /// No two stages of a service may use the same `provider.profile`
    #[arg(long)]
    distinct_profiles: bool,
    /// Warnings fail the check too
    #[arg(long)]
    deny_warnings: bool,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum)]
enum CheckFormat {
    Text,
    Json,
    Github,
}

/// How bad a finding is.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Severity {
    Warning,
    Error,
}

impl Severity {
    fn name(self) -> &'static str {
        match self {
            Severity::Warning => "warning",
            Severity::Error => "error",
        }
    }

    fn miette(self) -> miette::Severity {
        match self {
            Severity::Warning => miette::Severity::Warning,
            Severity::Error => miette::Severity::Error,
        }
    }
}

/// One finding of the check, with its code frame already rendered.
#[derive(Debug, Clone)]
struct CheckFinding {
    severity: Severity,
    finding: Finding,
    /// The file relative to the working directory (for annotations).
    file: Option<String>,
    frame: String,
}

/// The result for one service and stage.
#[derive(Clone)]
struct Row {
    /// The `service` name; `None` when the configuration was not read.
    service: Option<String>,
    config: String,
    stage: String,
    found_by: Vec<stages::FoundBy>,
    region: Option<String>,
    /// The CloudFormation stack a deploy writes (`<service>-<stage>`), when the configuration
    /// does not name its own with `provider.stackName`.
    stack: Option<String>,
    /// A JavaScript or TypeScript configuration: listed, not checked.
    skipped: bool,
    /// Where `provider.profile` is written (the configuration named as in the output), for
    /// findings about the profile that have no place of their own.
    profile_at: Option<(SourceFile, Location)>,
    /// Where `service:` is written, for `duplicate-service-name`.
    service_at: Option<(SourceFile, Location)>,
    provider_profile: Option<String>,
    credentials: String,
    credentials_json: Json,
    account: Option<String>,
    findings: Vec<CheckFinding>,
}

impl Row {
    /// The row of a configuration that was not read: no service, stage or credentials, one
    /// finding about the file.
    fn unread(
        config: &str,
        credentials: &str,
        severity: Severity,
        finding: Finding,
        frame: String,
    ) -> Row {
        Row {
            service: None,
            config: config.to_owned(),
            stage: "-".into(),
            found_by: Vec::new(),
            region: None,
            stack: None,
            skipped: false,
            profile_at: None,
            service_at: None,
            provider_profile: None,
            credentials: credentials.into(),
            credentials_json: Json::Null,
            account: None,
            findings: vec![CheckFinding {
                severity,
                finding,
                file: Some(config.to_owned()),
                frame,
            }],
        }
    }

    fn name(&self) -> &str {
        self.service.as_deref().unwrap_or("?")
    }

    fn verdict(&self, deny_warnings: bool) -> &'static str {
        let errors = self.findings.iter().any(|f| f.severity == Severity::Error);
        if errors || (deny_warnings && !self.findings.is_empty()) {
            "fail"
        } else if self.skipped {
            "skipped"
        } else if self.findings.is_empty() {
            "ok"
        } else {
            "warn"
        }
    }
}

/// Everything needed to check one service.
struct Job<'a> {
    cwd: &'a Path,
    options: Options,
    engine: AwsEngine,
    aws_dir: Option<&'a Path>,
    env: &'a HashMap<String, String>,
    stages: &'a [String],
    policy: &'a policy::Policy,
}

pub(crate) fn run(args: &CheckArgs) -> Result<(String, u8), Failure> {
    let cwd = std::env::current_dir()
        .map_err(|e| Failure::usage(format!("no working directory: {e}")))?;
    let paths = if args.paths.is_empty() {
        vec![cwd.clone()]
    } else {
        args.paths.clone()
    };
    if let Some(dir) = &args.aws_dir {
        if !dir.is_dir() {
            return Err(Failure::usage(format!(
                "`--aws-dir {}`: no such directory",
                dir.display()
            )));
        }
    }
    let configs = services::find(&paths, &cwd)?;
    if configs.is_empty() {
        // A gate that checked nothing must not pass: the PATH or the working directory is wrong.
        return Err(Failure::usage(format!(
            "no service configuration (`serverless.yml`, `serverless.yaml`, `serverless.json`) under {}",
            paths
                .iter()
                .map(|p| format!("`{}`", p.display()))
                .collect::<Vec<_>>()
                .join(", ")
        )));
    }
    let policy_path = args.policy.clone().or_else(|| policy::find(&cwd));
    let mut policy = match &policy_path {
        Some(p) => {
            let display = if args.policy.is_some() {
                p.display().to_string()
            } else {
                pathdiff(p, &cwd)
            };
            policy::load(p, &display)?
        }
        None => policy::Policy::default(),
    };
    policy.add_flags(&args.expect_account, &args.expect_profile)?;
    policy.distinct_profiles |= args.distinct_profiles;
    let deny_warnings = args.deny_warnings || policy.deny_warnings;
    let env: HashMap<String, String> = std::env::vars().collect();
    let job = Job {
        cwd: &cwd,
        options: Options {
            stage: None,
            region: args.region.clone(),
            aws_profile: args.aws_profile.clone(),
            params: args.param.clone(),
            use_local_credentials: args.use_local_credentials,
        },
        engine: args.engine.into(),
        aws_dir: args.aws_dir.as_deref(),
        env: &env,
        stages: &args.stage,
        policy: &policy,
    };
    let results = run_parallel(&configs, &job)?;
    let mut rows: Vec<Row> = results.into_iter().flatten().collect();
    if policy.distinct_profiles {
        distinct_profiles(&mut rows);
    }
    duplicate_stacks(&mut rows);
    let failed = rows.iter().any(|r| r.verdict(deny_warnings) == "fail");
    let out = match args.format {
        CheckFormat::Text => text(&rows, deny_warnings),
        CheckFormat::Json => {
            let mut s = serde_json::to_string_pretty(&json_out(
                &rows,
                deny_warnings,
                policy.file.as_deref(),
            ))
            .unwrap_or_default();
            s.push('\n');
            s
        }
        CheckFormat::Github => github(&rows),
    };
    let alias = report::AwsDirAlias::new(
        &sls_aws::Env::new(env.iter().map(|(k, v)| (k.clone(), v.as_str()))),
        args.aws_dir.as_deref(),
    );
    Ok((alias.apply(out), if failed { EXIT_CONFIG } else { 0 }))
}

/// `path` for messages: relative to `cwd` (with `../` when it is in a parent folder).
fn pathdiff(path: &Path, cwd: &Path) -> String {
    for (ups, dir) in cwd.ancestors().enumerate() {
        if let Ok(rest) = path.strip_prefix(dir) {
            let mut out = "../".repeat(ups);
            out.push_str(&rest.to_string_lossy().replace('\\', "/"));
            return out;
        }
    }
    path.display().to_string()
}

/// Checks every service on worker threads; the results keep the order of `configs`.
/// One slot per service, filled by whichever worker checked it.
type Slots = Mutex<Vec<Option<Result<Vec<Row>, Failure>>>>;

fn run_parallel(configs: &[services::Found], job: &Job<'_>) -> Result<Vec<Vec<Row>>, Failure> {
    let workers = std::thread::available_parallelism()
        .map_or(1, |n| n.get())
        .min(configs.len())
        .max(1);
    let next = AtomicUsize::new(0);
    let slots: Slots = Mutex::new((0..configs.len()).map(|_| None).collect());
    std::thread::scope(|scope| {
        for _ in 0..workers {
            // A worker that cannot start leaves its services to the others (or, if none
            // started, to the "stopped early" error below).
            let worker = std::thread::Builder::new().stack_size(crate::STACK_BYTES);
            let _ = worker.spawn_scoped(scope, || {
                loop {
                    let i = next.fetch_add(1, Ordering::Relaxed);
                    let Some(found) = configs.get(i) else { break };
                    let result = check_service(found, job);
                    if let Ok(mut slots) = slots.lock() {
                        slots[i] = Some(result);
                    }
                }
            });
        }
    });
    let slots = slots
        .into_inner()
        .map_err(|_| Failure::usage("a worker thread panicked"))?;
    slots
        .into_iter()
        .map(|s| s.unwrap_or_else(|| Err(Failure::usage("a worker thread stopped early"))))
        .collect()
}

fn check_service(found: &services::Found, job: &Job<'_>) -> Result<Vec<Row>, Failure> {
    let path = found.path.as_path();
    let config = services::relative(path, job.cwd);
    if found.scripted {
        return Ok(vec![not_checked(&config)]);
    }
    let (file, root) = match discover::load(path) {
        Ok(loaded) => loaded,
        // a file that does not parse is a finding, not the end of the run
        Err(f) if f.exit == EXIT_CONFIG => return Ok(vec![parse_failure(path, &config, f)]),
        Err(f) => return Err(f),
    };
    // the stage a deploy without `--stage` uses
    let base = service::view_loaded(
        path.to_path_buf(),
        file.clone(),
        root.clone(),
        &job.options,
        job.env.clone(),
    );
    let default_stage = stages::DefaultStage {
        name: &base.stage,
        from_provider: base.stage_source == service::StageSource::Provider,
    };
    let stages = stages::stages_to_check(&file, &root, job.stages, default_stage);
    let stack_named = root.get_path(&["provider", "stackName"]).is_some();
    let mut rows = Vec::new();
    for stage in stages {
        let options = Options {
            stage: Some(stage.name.clone()),
            ..job.options.clone()
        };
        let view = service::view_loaded(
            path.to_path_buf(),
            file.clone(),
            root.clone(),
            &options,
            job.env.clone(),
        );
        let env = report::aws_env(&view);
        // an AWS file that cannot be read is an I/O error of the run (exit 2)
        let files = report::read_aws_files(&[job.engine], &env, job.aws_dir)
            .map_err(Failure::into_usage)?;
        let sso_cache = report::read_sso_cache(&env, job.aws_dir);
        let report = report::build(view, job.engine, &options, &files, &sso_cache);
        let remote = remote::profile_dependencies(&file, &root, &stage.name);
        let mut row = row(&report, &stage, &config, job, &files, &remote);
        if stack_named {
            row.stack = None;
        }
        rows.push(row);
    }
    Ok(rows)
}

/// The row of a JavaScript or TypeScript configuration, which cannot be read offline.
fn not_checked(config: &str) -> Row {
    let finding = Finding {
        code: "config-not-supported".into(),
        message: format!(
            "`{config}` is a JavaScript/TypeScript configuration: sls-resolve does not run code, so this service is not checked"
        ),
        help: Some(
            "convert it to serverless.yml, or leave its folder out of the PATHs; with `--deny-warnings` this fails the check"
                .into(),
        ),
        at: None,
        span: None,
    };
    let frame = diagnostics::render_finding(
        None,
        &finding.code,
        format!("warning: {}", finding.message),
        None,
        "",
        finding.help.clone(),
        miette::Severity::Warning,
    );
    let mut row = Row::unread(config, "not checked", Severity::Warning, finding, frame);
    row.skipped = true;
    row
}

/// The row of a configuration that is not valid YAML, JSON or UTF-8, with the place of the
/// error (as `discover::load` finds it; read again here to know where).
fn parse_failure(path: &Path, config: &str, failure: Failure) -> Row {
    let bytes = std::fs::read(path).unwrap_or_default();
    let (code, text, span) = match String::from_utf8(bytes) {
        Err(err) => {
            let offset = err.utf8_error().valid_up_to();
            let text = String::from_utf8_lossy(err.as_bytes()).into_owned();
            ("INVALID_UTF8", text, Some((offset, offset + 1)))
        }
        Ok(text) => {
            let is_json = path.extension().is_some_and(|e| e == "json");
            let loaded = if is_json {
                sls_yaml::load_json(&text)
            } else {
                sls_yaml::load_yaml(&text)
            };
            let span = loaded
                .err()
                .map(|e| (e.span.start, e.span.end.max(e.span.start + 1)));
            ("CONFIG_PARSE_ERROR", text, span)
        }
    };
    let source = SourceFile::named(config, text);
    let at = span.map(|(start, _)| {
        let (line, column) = source.line_column(start);
        (config.to_owned(), line, column)
    });
    let frame = diagnostics::render_one(
        &source,
        code,
        format!("error: {}", failure.v3),
        span,
        "here",
        None,
    );
    let finding = Finding {
        code: code.into(),
        message: failure.v3,
        help: None,
        at,
        span,
    };
    Row::unread(config, "-", Severity::Error, finding, frame)
}

/// Codes that are errors in `check` although the report calls them warnings: each means the
/// deploy would not go where the configuration says.
const ERRORS_IN_CHECK: &[&str] = &[
    "provider-stage-mismatch",
    "env-profile-shadows-provider-profile",
    "env-keys-shadow-provider-profile",
];

/// Findings about what `provider.profile` selects, shown at `provider.profile` when they have
/// no place of their own.
const AT_PROFILE: &[&str] = &[
    "env-profile-shadows-provider-profile",
    "env-keys-shadow-provider-profile",
    "aws-profile-flag-overrides-provider-profile",
    "policy-account-mismatch",
    "policy-account-unverifiable",
    "policy-profile-mismatch",
];

fn row(
    r: &report::Report,
    stage: &stages::StageToCheck,
    config: &str,
    job: &Job<'_>,
    files: &sls_aws::FileContents,
    remote: &[remote::RemoteUse],
) -> Row {
    let d = &r.decision;
    // When v3 stops at resolution errors the decision describes nothing a deploy would do:
    // no credentials to show, none to hold against the policy.
    let w = d.winner.as_ref().filter(|_| r.evaluated);
    let no_aws_files = job.aws_dir.is_none() && d.files.iter().all(|f| !f.exists);
    let mut findings = Vec::new();
    // The name of each file as the output shows it, found once: every copy of an aliased error
    // points into the same file, and finding its name asks the file system.
    let mut names: HashMap<String, String> = HashMap::new();
    let mut push = |severity: Severity, mut finding: Finding| {
        if finding.at.is_none() && AT_PROFILE.contains(&finding.code.as_str()) {
            if let Some((_, at)) = &r.view.profile_written {
                finding.at = Some((at.file.clone(), at.line, at.column));
                finding.span = Some(at.span);
            }
        }
        let frame = frame(r, config, &finding, files, severity);
        let file = finding.at.as_ref().map(|(f, _, _)| {
            names
                .entry(f.clone())
                .or_insert_with(|| relative_file(f, &r.view.path, job.cwd))
                .clone()
        });
        findings.push(CheckFinding {
            severity,
            finding,
            file,
            frame,
        });
    };
    for e in &r.errors {
        let unverifiable = no_aws_files
            && matches!(
                e.code.as_str(),
                "UNRECOGNIZED_AWS_PROFILE" | "AWS_CREDENTIALS_NOT_FOUND"
            );
        if unverifiable {
            push(
                Severity::Warning,
                Finding {
                    code: "aws-files-absent".into(),
                    message: format!(
                        "cannot verify the credentials: no AWS files here ({})",
                        e.message
                    ),
                    help: Some(
                        "pass `--aws-dir DIR` to check against a copy of the AWS files; if `serverless deploy` runs here, it fails with this error"
                            .into(),
                    ),
                    at: None,
                    span: None,
                },
            );
        } else {
            push(Severity::Error, e.clone());
        }
    }
    for wf in &r.warnings {
        let severity = if ERRORS_IN_CHECK.contains(&wf.code.as_str()) {
            Severity::Error
        } else {
            Severity::Warning
        };
        push(severity, wf.clone());
    }
    for dependency in remote {
        push(
            Severity::Error,
            Finding {
                code: "profile-depends-on-remote-source".into(),
                message: format!(
                    "`provider.profile` depends on `${{{}}}` (at `{}`): the account of stage `{}` would be chosen by a remote value",
                    dependency.source, dependency.property, r.view.stage
                ),
                help: Some(
                    "choose the profile from the stage, options or environment only, e.g. `${self:custom.profiles.${sls:stage}}`"
                        .into(),
                ),
                at: dependency
                    .at
                    .as_ref()
                    .map(|l| (l.file.clone(), l.line, l.column)),
                span: dependency.at.as_ref().map(|l| l.span),
            },
        );
    }
    let account = w.and_then(|w| w.credentials.account_id().map(str::to_string));
    let profile = w.and_then(|w| w.profile.clone());
    if let Some(rule) = job.policy.rule(r.view.service.as_deref(), &r.view.stage) {
        let source = job
            .policy
            .file
            .clone()
            .unwrap_or_else(|| "the command line".into());
        if let Some(expected) = &rule.account {
            match &account {
                Some(a) if a == expected => {}
                Some(a) => push(
                    Severity::Error,
                    Finding {
                        code: "policy-account-mismatch".into(),
                        message: format!("stage `{}` deploys to account {a}, but {source} expects {expected}", r.view.stage),
                        help: None,
                        at: None,
                        span: None,
                    },
                ),
                None if r.evaluated && d.outcome == Outcome::Credentials => push(
                    Severity::Error,
                    Finding {
                        code: "policy-account-unverifiable".into(),
                        message: format!(
                            "stage `{}` must deploy to account {expected} ({source}), but the account of {} cannot be known offline",
                            r.view.stage,
                            match w {
                                Some(w) => match (&w.profile, &w.env_prefix) {
                                    (Some(p), _) => format!("profile `{p}` (selected by {})", w.selected_by),
                                    (None, Some(prefix)) => format!("the `{prefix}_*` key pair"),
                                    (None, None) => format!("the credentials of {}", w.selected_by),
                                },
                                None => "the credentials".to_owned(),
                            }
                        ),
                        help: Some("use a role profile (`role_arn`), an SSO profile (`sso_account_id`) or set `aws_account_id` in the profile, so that the AWS files say which account it is".into()),
                        at: None,
                        span: None,
                    },
                ),
                None => {}
            }
        }
        if let Some(expected) = &rule.profile {
            let actual = profile.clone().or_else(|| match &r.view.profile {
                ProfileValue::Set(p) if w.is_none() => Some(p.clone()),
                _ => None,
            });
            if actual.as_deref() != Some(expected.as_str())
                && r.evaluated
                && d.outcome == Outcome::Credentials
            {
                push(
                    Severity::Error,
                    Finding {
                        code: "policy-profile-mismatch".into(),
                        message: format!(
                            "stage `{}` uses {}, but {source} expects profile `{expected}`",
                            r.view.stage,
                            actual
                                .map(|a| format!("profile `{a}`"))
                                .unwrap_or_else(|| "no profile".into())
                        ),
                        help: None,
                        at: r
                            .view
                            .profile_written
                            .as_ref()
                            .map(|(_, l)| (l.file.clone(), l.line, l.column)),
                        span: r.view.profile_written.as_ref().map(|(_, l)| l.span),
                    },
                );
            }
        }
    }
    let credentials = match w {
        _ if !r.evaluated => "not evaluated".into(),
        None => "none".into(),
        Some(w) => match (&w.profile, &w.env_prefix) {
            (Some(p), _) => format!("profile {p} ({})", w.selected_by),
            (None, Some(prefix)) => format!("env {prefix}_*"),
            (None, None) => w.selected_by.clone(),
        },
    };
    let credentials_json = json!({
        "source": w.map(|w| serde_json::to_value(w.source).unwrap_or(Json::Null)),
        "profile": w.and_then(|w| w.profile.clone()),
        "env_prefix": w.and_then(|w| w.env_prefix.clone()),
        "selected_by": w.map(|w| w.selected_by.clone()),
        "kind": w.map(|w| w.credentials.kind().to_string()),
    });
    Row {
        service: r.view.service.clone(),
        config: config.to_string(),
        stage: r.view.stage.clone(),
        found_by: stage.found_by.clone(),
        region: Some(r.view.region.clone()),
        stack: r
            .view
            .service
            .as_ref()
            .map(|s| format!("{s}-{}", r.view.stage)),
        skipped: false,
        profile_at: r.view.profile_written.as_ref().map(|(_, at)| {
            let file = r.view.file.renamed(config);
            (file, at.clone())
        }),
        service_at: r.view.service_written.as_ref().map(|at| {
            let file = r.view.file.renamed(config);
            (file, at.clone())
        }),
        provider_profile: match &r.view.profile {
            ProfileValue::Set(p) => Some(p.clone()),
            _ => None,
        },
        credentials,
        credentials_json,
        account,
        findings,
    }
}

/// A path for annotations: relative to the working directory when below it.
fn relative_file(file: &str, config: &Path, cwd: &Path) -> String {
    let p = Path::new(file);
    let abs = if p.is_absolute() {
        p.to_path_buf()
    } else {
        config.parent().unwrap_or(Path::new("")).join(p)
    };
    let abs = std::fs::canonicalize(&abs).unwrap_or(abs);
    let cwd = std::fs::canonicalize(cwd).unwrap_or_else(|_| cwd.to_path_buf());
    services::relative(&abs, &cwd)
}

/// The finding rendered by miette, with a code frame when it points into a file we have.
fn frame(
    r: &report::Report,
    config: &str,
    f: &Finding,
    files: &sls_aws::FileContents,
    severity: Severity,
) -> String {
    let label = match severity {
        Severity::Error => "here",
        Severity::Warning => "this",
    };
    let source = match &f.at {
        // named as in the matrix, so that services of a monorepo tell apart
        Some((file, _, _)) if *file == r.view.file.name => Some(r.view.file.renamed(config)),
        // an included file, named from the working directory like its configuration; else an
        // AWS file, its secrets masked
        Some((file, _, _)) => match r.view.included.iter().find(|i| i.name == *file) {
            Some(included) => Some(
                included.renamed(
                    Path::new(config)
                        .parent()
                        .unwrap_or(Path::new(""))
                        .join(&included.name)
                        .display()
                        .to_string(),
                ),
            ),
            None => files
                .get(file)
                .and_then(|t| t.clone())
                .map(|text| SourceFile::named(file, sls_aws::secret::redact_ini(&text))),
        },
        None => None,
    };
    let message = format!("{}: {}", severity.name(), f.message);
    diagnostics::render_finding(
        source.as_ref(),
        &f.code,
        message,
        f.span,
        label,
        f.help.clone(),
        severity.miette(),
    )
}

fn distinct_profiles(rows: &mut [Row]) {
    let mut seen: HashMap<(String, String), String> = HashMap::new();
    for row in rows.iter_mut() {
        let Some(profile) = row.provider_profile.clone() else {
            continue;
        };
        let key = (row.config.clone(), profile.clone());
        match seen.get(&key) {
            Some(first) if *first != row.stage => {
                let finding = Finding {
                    code: "policy-profiles-not-distinct".into(),
                    message: format!(
                        "stages `{first}` and `{}` both use profile `{profile}`",
                        row.stage
                    ),
                    help: Some("the policy asks for a distinct profile per stage".into()),
                    at: row
                        .profile_at
                        .as_ref()
                        .map(|(_, at)| (row.config.clone(), at.line, at.column)),
                    span: row.profile_at.as_ref().map(|(_, at)| at.span),
                };
                let frame = match &row.profile_at {
                    Some((file, at)) => diagnostics::render_one(
                        file,
                        &finding.code,
                        format!("error: {}", finding.message),
                        Some(at.span),
                        "here",
                        finding.help.clone(),
                    ),
                    None => {
                        Failure::plain(
                            &finding.code,
                            format!("error: {}", finding.message),
                            finding.help.clone(),
                        )
                        .rendered
                    }
                };
                row.findings.push(CheckFinding {
                    severity: Severity::Error,
                    finding,
                    file: Some(row.config.clone()),
                    frame,
                });
            }
            Some(_) => {}
            None => {
                seen.insert(key, row.stage.clone());
            }
        }
    }
}

/// Two configurations that deploy the same stack (`service` and stage alike, no
/// `provider.stackName`): one deploy replaces the other when they share an account and region.
/// An error when both accounts are known and equal and the regions too, a warning otherwise.
fn duplicate_stacks(rows: &mut [Row]) {
    let mut by_stack: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, row) in rows.iter().enumerate() {
        if let Some(stack) = &row.stack {
            by_stack.entry(stack.clone()).or_default().push(i);
        }
    }
    for (stack, members) in by_stack {
        if members.len() < 2 {
            continue;
        }
        for &i in &members {
            let others: Vec<usize> = members.iter().copied().filter(|&j| j != i).collect();
            let same_place = others.iter().any(|&j| {
                rows[i].account.is_some()
                    && rows[i].account == rows[j].account
                    && rows[i].region == rows[j].region
            });
            let names = others
                .iter()
                .map(|&j| format!("`{}`", rows[j].config))
                .collect::<Vec<_>>()
                .join(", ");
            let (severity, message) = if same_place {
                (
                    Severity::Error,
                    format!(
                        "service `{}` is also declared by {names}, in the same account and region: both deploy the stack `{stack}` and each deploy replaces the other",
                        rows[i].name()
                    ),
                )
            } else {
                (
                    Severity::Warning,
                    format!(
                        "service `{}` is also declared by {names}: both deploy the stack `{stack}`, and one replaces the other if they share an account and region",
                        rows[i].name()
                    ),
                )
            };
            let at = rows[i].service_at.as_ref();
            let finding = Finding {
                code: "duplicate-service-name".into(),
                message,
                help: Some("rename one `service`, or set `provider.stackName`".into()),
                at: at.map(|(_, l)| (l.file.clone(), l.line, l.column)),
                span: at.map(|(_, l)| l.span),
            };
            let frame = diagnostics::render_finding(
                at.map(|(file, _)| file),
                &finding.code,
                format!("{}: {}", severity.name(), finding.message),
                finding.span,
                "this name",
                finding.help.clone(),
                severity.miette(),
            );
            let row = &mut rows[i];
            row.findings.push(CheckFinding {
                severity,
                finding,
                file: Some(row.config.clone()),
                frame,
            });
        }
    }
}

// ---- output ----------------------------------------------------------------------------

fn text(rows: &[Row], deny_warnings: bool) -> String {
    let header = [
        "SERVICE",
        "STAGE",
        "FOUND BY",
        "PROFILE",
        "CREDENTIALS",
        "ACCOUNT",
        "VERDICT",
    ];
    let cells: Vec<[String; 7]> = rows
        .iter()
        .map(|r| {
            [
                format!("{} ({})", r.name(), r.config),
                r.stage.clone(),
                if r.found_by.is_empty() {
                    "-".into()
                } else {
                    r.found_by
                        .iter()
                        .map(stages::FoundBy::short)
                        .collect::<Vec<_>>()
                        .join(", ")
                },
                r.provider_profile.clone().unwrap_or_else(|| "-".into()),
                r.credentials.clone(),
                match (&r.account, &r.credentials_json["source"]) {
                    (Some(a), _) => a.clone(),
                    // no credentials (not read, not evaluated, none found): no account to know
                    (None, Json::Null) => "-".into(),
                    (None, _) => "unknown".into(),
                },
                r.verdict(deny_warnings).to_uppercase(),
            ]
        })
        .collect();
    let mut widths = header.map(str::len);
    for row in &cells {
        for (w, c) in widths.iter_mut().zip(row) {
            *w = (*w).max(c.chars().count());
        }
    }
    let line = |cols: &[String]| {
        let mut s = String::new();
        for (i, c) in cols.iter().enumerate() {
            if i + 1 == cols.len() {
                s.push_str(c);
            } else {
                s.push_str(&format!("{c:<width$}  ", width = widths[i]));
            }
        }
        s.push('\n');
        s
    };
    let mut out = line(&header.map(str::to_string));
    for row in &cells {
        out.push_str(&line(row));
    }
    let (errors, warnings) = counts(rows);
    for r in rows {
        if r.findings.is_empty() {
            continue;
        }
        if r.stage == "-" {
            out.push_str(&format!("\n{}:\n", r.config));
        } else {
            out.push_str(&format!(
                "\n{} / {} (found by {}):\n",
                r.config,
                r.stage,
                r.found_by
                    .iter()
                    .map(stages::FoundBy::describe)
                    .collect::<Vec<_>>()
                    .join(", ")
            ));
        }
        for f in &r.findings {
            out.push_str(&f.frame);
        }
    }
    let services = rows
        .iter()
        .map(|r| &r.config)
        .collect::<std::collections::BTreeSet<_>>()
        .len();
    let skipped = rows.iter().filter(|r| r.skipped).count();
    let checked = rows.iter().filter(|r| r.stage != "-").count();
    out.push_str(&format!(
        "\n{}, {} checked{}: {}, {}\n",
        plural(services - skipped, "service"),
        plural(checked, "stage"),
        if skipped > 0 {
            format!(" ({} not supported)", plural(skipped, "service"))
        } else {
            String::new()
        },
        plural(errors, "error"),
        plural(warnings, "warning"),
    ));
    out
}

fn plural(n: usize, word: &str) -> String {
    if n == 1 {
        format!("1 {word}")
    } else {
        format!("{n} {word}s")
    }
}

fn counts(rows: &[Row]) -> (usize, usize) {
    let all = rows.iter().flat_map(|r| &r.findings);
    let errors = all
        .clone()
        .filter(|f| f.severity == Severity::Error)
        .count();
    (errors, all.count() - errors)
}

fn json_out(rows: &[Row], deny_warnings: bool, policy: Option<&str>) -> Json {
    let (errors, warnings) = counts(rows);
    json!({
        "schema_version": 1,
        "policy": policy,
        "results": rows.iter().map(|r| json!({
            "service": r.service,
            "config": r.config,
            "stage": (r.stage != "-").then_some(&r.stage),
            "found_by": r.found_by.iter().map(stages::FoundBy::json).collect::<Vec<_>>(),
            "region": r.region,
            "provider_profile": r.provider_profile,
            "credentials": r.credentials_json,
            "account": r.account,
            "verdict": r.verdict(deny_warnings),
            "findings": r.findings.iter().map(|f| {
                let (line, column) = match &f.finding.at { Some((_, l, c)) => (json!(l), json!(c)), None => (Json::Null, Json::Null) };
                json!({
                    "severity": f.severity.name(),
                    "code": f.finding.code,
                    "message": f.finding.message,
                    "help": f.finding.help,
                    "file": f.file.clone().or_else(|| Some(r.config.clone())),
                    "line": line,
                    "column": column,
                })
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "summary": {
            "errors": errors,
            "warnings": warnings,
            "stages": rows.iter().filter(|r| r.stage != "-").count(),
            "failed": rows.iter().any(|r| r.verdict(deny_warnings) == "fail"),
        },
    })
}

/// GitHub workflow-command escaping of a message.
fn gh_data(s: &str) -> String {
    s.replace('%', "%25")
        .replace('\r', "%0D")
        .replace('\n', "%0A")
}

/// GitHub workflow-command escaping of a property value.
fn gh_prop(s: &str) -> String {
    gh_data(s).replace(':', "%3A").replace(',', "%2C")
}

fn github(rows: &[Row]) -> String {
    let mut out = String::new();
    for r in rows {
        for f in &r.findings {
            let mut props = vec![format!(
                "file={}",
                gh_prop(f.file.as_deref().unwrap_or(&r.config))
            )];
            if let Some((_, line, col)) = &f.finding.at {
                props.push(format!("line={line}"));
                props.push(format!("col={col}"));
            }
            props.push(format!(
                "title={}",
                gh_prop(&format!("{} ({} / {})", f.finding.code, r.name(), r.stage))
            ));
            let mut message = f.finding.message.clone();
            if let Some(h) = &f.finding.help {
                message.push_str(&format!("\nhelp: {h}"));
            }
            out.push_str(&format!(
                "::{} {}::{}\n",
                f.severity.name(),
                props.join(","),
                gh_data(&message)
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn github_escapes_properties_and_data() {
        assert_eq!(gh_prop("a:b,c%"), "a%3Ab%2Cc%25");
        assert_eq!(gh_data("x\ny: z"), "x%0Ay: z");
    }
}
