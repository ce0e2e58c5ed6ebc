//! The per-stage profile report, `sls-resolve [OPTIONS] [CONFIG]`: which profile, credentials
//! and account `serverless deploy` would use for one stage, why, and what could go wrong.
//!
//! [`build`] joins a [`ServiceView`] (stage, region, `provider.profile` and its substitution
//! chain) with the credential engine's [`Decision`]; [`Report::to_json`] is the documented
//! schema (docs/report.md) and [`Report::render_text`] the five-second read. `check` builds the
//! same report for every service and stage.

use std::collections::{BTreeSet, HashMap};
use std::path::{Path, PathBuf};

use clap::{Args, ValueEnum};
use serde_json::{Value as Json, json};
use sls_aws::engine::{
    Candidate, Credentials, Decision, Outcome, SideEffect, Slot, Status, Warning, Winner,
};
use sls_aws::{AwsError, Engine as AwsEngine, Env, FileContents};

use crate::EXIT_CONFIG;
use crate::diagnostics::Failure;
use crate::service::{self, Options, ProfileValue, ServiceView, StepOrigin};

/// The largest AWS file sls-resolve reads (the SDKs have no limit; a bigger file is a mistake).
const MAX_AWS_FILE_BYTES: u64 = 32 * 1024 * 1024;

#[derive(Args, Debug, Default)]
pub(crate) struct ReportArgs {
    /// Stage of the service (v3: `--stage`)
    #[arg(short, long)]
    pub stage: Option<String>,
    /// Region of the service (v3: `--region`)
    #[arg(short, long)]
    pub region: Option<String>,
    /// AWS profile to use with the command (v3: `--aws-profile`)
    #[arg(long = "aws-profile")]
    pub aws_profile: Option<String>,
    /// Ignore Serverless Dashboard provider credentials, as `serverless deploy
    /// --use-local-credentials` does
    #[arg(long)]
    pub use_local_credentials: bool,
    /// Parameter `key=value`, repeatable (v3: `--param`)
    #[arg(long = "param", value_name = "KEY=VALUE")]
    pub param: Vec<String>,
    /// Path to the service configuration file
    #[arg(short, long)]
    pub config: Option<PathBuf>,
    /// Output format
    #[arg(long, value_enum, default_value_t = Format::Text)]
    pub format: Format,
    /// Whose credential rules: serverless v3.40.0, or osls 4 / serverless v4 (`sdk`)
    #[arg(long, value_enum, default_value_t = EngineArg::V3)]
    pub engine: EngineArg,
    /// Read the AWS files from DIR instead of `$HOME/.aws` (the variables
    /// `AWS_SHARED_CREDENTIALS_FILE` and `AWS_CONFIG_FILE` still win)
    #[arg(long, value_name = "DIR")]
    pub aws_dir: Option<PathBuf>,
    /// A service configuration file, or a directory holding one
    pub target: Option<PathBuf>,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum Format {
    #[default]
    Text,
    Json,
}

#[derive(Clone, Copy, Debug, PartialEq, Eq, ValueEnum, Default)]
pub(crate) enum EngineArg {
    #[default]
    V3,
    Sdk,
}

impl From<EngineArg> for AwsEngine {
    fn from(e: EngineArg) -> Self {
        match e {
            EngineArg::V3 => AwsEngine::V3,
            EngineArg::Sdk => AwsEngine::Sdk,
        }
    }
}

/// A finding of the report (a warning or an error), with a place when there is one.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct Finding {
    pub code: String,
    pub message: String,
    pub help: Option<String>,
    /// `file:line:col` parts: a path as the engine or the config names it.
    pub at: Option<(String, usize, usize)>,
    /// The byte span in that file, for code frames.
    pub span: Option<(usize, usize)>,
}

impl Finding {
    fn json(&self) -> Json {
        let (file, line, column) = match &self.at {
            Some((f, l, c)) => (json!(f), json!(l), json!(c)),
            None => (Json::Null, Json::Null, Json::Null),
        };
        json!({
            "code": self.code,
            "message": self.message,
            "help": self.help,
            "file": file,
            "line": line,
            "column": column,
        })
    }

    fn from_aws(e: &AwsError) -> Self {
        let help = match e {
            AwsError::UnrecognizedProfile { help, .. }
            | AwsError::CredentialsNotFound { help, .. }
            | AwsError::RoleSourceWithoutCredentials { help, .. }
            | AwsError::SsoLoginUnavailable { help, .. }
            | AwsError::SdkLoad { help, .. } => Some(help.clone()),
            _ => None,
        };
        Finding {
            code: e.code().to_string(),
            message: e.to_string(),
            help,
            at: e
                .location()
                .map(|l| (l.file.clone(), l.span.line, l.span.column)),
            span: e.location().map(|l| (l.span.start, l.span.end)),
        }
    }

    fn from_warning(w: &Warning) -> Self {
        let help = match w.code {
            "env-profile-shadows-provider-profile" => Some(
                "unset the variable where `serverless deploy` runs, or set it to the profile the configuration names",
            ),
            "env-keys-shadow-provider-profile" => Some(
                "unset the key pair where `serverless deploy` runs, or drop `provider.profile` if the environment is meant to choose the account",
            ),
            _ => None,
        };
        Finding {
            code: w.code.to_string(),
            message: w.message.clone(),
            help: help.map(str::to_owned),
            at: w
                .location
                .as_ref()
                .map(|l| (l.file.clone(), l.span.line, l.span.column)),
            span: w.location.as_ref().map(|l| (l.span.start, l.span.end)),
        }
    }

    fn at_text(&self) -> String {
        match &self.at {
            Some((f, l, c)) => format!(" ({f}:{l}:{c})"),
            None => String::new(),
        }
    }
}

/// The report for one service and stage.
pub(crate) struct Report {
    pub view: ServiceView,
    pub decision: Decision,
    /// What the other engine would choose, when it differs.
    pub other: Option<Decision>,
    pub warnings: Vec<Finding>,
    pub errors: Vec<Finding>,
    /// False when v3 would stop at resolution errors before it looks at credentials; then
    /// `decision` describes nothing a deploy would do and is not shown.
    pub evaluated: bool,
}

impl Report {
    /// Exit 0 when a deploy would get credentials, 1 otherwise.
    pub fn ok(&self) -> bool {
        self.errors.is_empty()
    }

    pub fn exit_code(&self) -> u8 {
        if self.ok() { 0 } else { EXIT_CONFIG }
    }

    /// The credentials a deploy would use: none when anything makes it fail first.
    pub fn used(&self) -> Option<&Winner> {
        self.decision.winner.as_ref().filter(|_| {
            self.evaluated && self.ok() && self.decision.outcome == Outcome::Credentials
        })
    }
}

/// The AWS-relevant environment after `.env` loading, as the engines see it.
pub(crate) fn aws_env(view: &ServiceView) -> Env {
    Env::new(view.env.iter().map(|(k, v)| (k.clone(), v.as_str())))
        .with_os_home_dir(os_home_dir(&view.env))
}

/// Node's `os.homedir()`, the last fallback of both SDKs: `HOME` when set, else the user's
/// home from the password database (so a run without `HOME` reads the files v3 would read).
fn os_home_dir(env: &HashMap<String, String>) -> Option<String> {
    match env.get("HOME") {
        Some(home) => Some(home.clone()),
        // deprecated before Rust 1.86 for its Windows answer; on unix it is `getpwuid_r`,
        // exactly what Node's `os.homedir()` falls back to
        #[allow(deprecated)]
        None => std::env::home_dir().map(|p| p.display().to_string()),
    }
}

/// Reads the files an engine asks for; `aws_dir` replaces `<home>/.aws`.
pub(crate) fn read_aws_files(
    engines: &[AwsEngine],
    env: &Env,
    aws_dir: Option<&Path>,
) -> Result<FileContents, Failure> {
    let mut out = FileContents::new();
    let homes = homes(env);
    for engine in engines {
        for req in sls_aws::locate::files_needed(*engine, env) {
            if out.contains_key(&req.path) {
                continue;
            }
            let mut disk = PathBuf::from(&req.path);
            if let Some(dir) = aws_dir {
                for home in &homes {
                    let prefix = sls_aws::posix_join(&[home, ".aws"]);
                    if let Some(rest) = req.path.strip_prefix(&prefix) {
                        disk = dir.join(rest.trim_start_matches('/'));
                    }
                }
            }
            out.insert(req.path.clone(), read_one(&disk)?);
        }
    }
    Ok(out)
}

/// The names of the cached SSO tokens (`<home>/.aws/sso/cache/*.json`, or `DIR/sso/cache`
/// with `--aws-dir`), without their extension. The tokens themselves are never read.
pub(crate) fn read_sso_cache(env: &Env, aws_dir: Option<&Path>) -> BTreeSet<String> {
    let dir = match aws_dir {
        Some(dir) => dir.join("sso/cache"),
        None => match env.text("HOME").or(env.os_home_dir()) {
            Some(home) => Path::new(home).join(".aws/sso/cache"),
            None => return BTreeSet::new(),
        },
    };
    let Ok(entries) = std::fs::read_dir(dir) else {
        return BTreeSet::new();
    };
    entries
        .filter_map(Result::ok)
        .filter_map(|e| {
            let name = e.file_name().into_string().ok()?;
            name.strip_suffix(".json").map(str::to_string)
        })
        .collect()
}

/// The home directories the engines may compute `~/.aws` from.
fn homes(env: &Env) -> Vec<String> {
    [
        sls_aws::locate::v2_home_dir(env),
        env.text("HOME").map(str::to_string),
    ]
    .into_iter()
    .flatten()
    .collect()
}

/// With `--aws-dir DIR`, the engines still name files by the path v3 would compute
/// (`<home>/.aws/config`); this maps those names to DIR in what the user reads.
#[derive(Debug, Clone, Default)]
pub(crate) struct AwsDirAlias(Vec<(String, String)>);

impl AwsDirAlias {
    pub(crate) fn new(env: &Env, aws_dir: Option<&Path>) -> Self {
        let Some(dir) = aws_dir else {
            return AwsDirAlias::default();
        };
        let to = dir.display().to_string().trim_end_matches('/').to_string();
        let pairs = homes(env)
            .iter()
            .map(|home| (sls_aws::posix_join(&[home, ".aws"]), to.clone()))
            .filter(|(from, to)| from != to && !needs_json_escape(from) && !needs_json_escape(to))
            .collect();
        AwsDirAlias(pairs)
    }

    /// `text` (plain or JSON) with `<home>/.aws/` replaced by `DIR/`.
    pub(crate) fn apply(&self, mut text: String) -> String {
        for (from, to) in &self.0 {
            text = text.replace(&format!("{from}/"), &format!("{to}/"));
        }
        text
    }
}

fn needs_json_escape(s: &str) -> bool {
    s.chars().any(|c| c == '"' || c == '\\' || c.is_control())
}

fn read_one(path: &Path) -> Result<Option<String>, Failure> {
    let meta = match std::fs::metadata(path) {
        Ok(m) => m,
        Err(_) => return Ok(None),
    };
    if !meta.is_file() {
        return Ok(None);
    }
    if meta.len() > MAX_AWS_FILE_BYTES {
        return Err(Failure::plain(
            "aws_file_too_large",
            format!(
                "`{}` is larger than {} MiB",
                path.display(),
                MAX_AWS_FILE_BYTES >> 20
            ),
            Some("an AWS credentials or config file is a few KB; check the path".into()),
        ));
    }
    match std::fs::read(path) {
        Ok(bytes) => Ok(Some(String::from_utf8_lossy(&bytes).into_owned())),
        Err(_) => Ok(None),
    }
}

/// Builds the report from a resolved view.
pub(crate) fn build(
    view: ServiceView,
    engine: AwsEngine,
    options: &Options,
    files: &FileContents,
    sso_cache: &BTreeSet<String>,
) -> Report {
    let env = aws_env(&view);
    let provider_profile = match &view.profile {
        ProfileValue::Set(p) => Some(p.clone()),
        _ => None,
    };
    let input = sls_aws::Input {
        env: &env,
        stage: &view.stage,
        provider_profile: provider_profile.as_deref(),
        aws_profile: options.aws_profile.as_deref(),
        files,
        sso_cache: Some(sso_cache),
    };
    let decision = sls_aws::decide(engine, &input);
    let other_engine = match engine {
        AwsEngine::V3 => AwsEngine::Sdk,
        AwsEngine::Sdk => AwsEngine::V3,
    };
    let other = sls_aws::decide(other_engine, &input);
    // v3 stops at resolution errors before it looks at credentials: nothing the engines say
    // applies then.
    let blocked = view.failure.is_some() && matches!(view.profile, ProfileValue::Unresolved(_));
    let mut warnings: Vec<Finding> = if blocked {
        Vec::new()
    } else {
        decision
            .warnings
            .iter()
            .map(Finding::from_warning)
            .collect()
    };
    let mut errors = resolution_errors(&view.errors);
    if view.failure.is_some() && view.errors.is_empty() {
        errors.push(Finding {
            code: "resolution-failed".into(),
            message: "the configuration does not resolve".into(),
            help: None,
            at: None,
            span: None,
        });
    }
    if blocked {
        warnings.push(Finding {
            code: "credentials-not-evaluated".into(),
            message: "v3 stops at the resolution errors before `provider.profile` is resolved, so the credentials are not evaluated".into(),
            help: None,
            at: None,
            span: None,
        });
    } else if let ProfileValue::Unresolved(why) = &view.profile {
        let finding = Finding {
            code: "provider-profile-unresolved".into(),
            message: format!("`provider.profile` cannot be known offline: {why}"),
            help: Some(if why.contains("not a profile name") {
                "`provider.profile` names a profile: make it a string".into()
            } else {
                "the account a deploy uses should not depend on a remote source".into()
            }),
            at: view
                .profile_written
                .as_ref()
                .map(|(_, l)| (l.file.clone(), l.line, l.column)),
            span: view.profile_written.as_ref().map(|(_, l)| l.span),
        };
        if options.aws_profile.is_some() {
            warnings.push(finding);
        } else {
            errors.push(finding);
        }
    }
    for (path, source) in &view.unresolved {
        if path != "provider.profile" {
            warnings.push(Finding {
                code: "unresolved-offline".into(),
                message: format!("`{path}` uses the `{source}` source, left unresolved offline"),
                help: None,
                at: None,
                span: None,
            });
        }
    }
    if let Some(m) = &view.stage_mismatch {
        warnings.push(Finding {
            code: "provider-stage-mismatch".into(),
            message: format!(
                "`provider.profile` is chosen through `${{self:provider.stage}}` = `{}`, which does not follow `--stage {}`",
                m.provider_stage, m.cli_stage
            ),
            help: Some("use `${sls:stage}` to follow `--stage`".into()),
            at: m.at.as_ref().map(|l| (l.file.clone(), l.line, l.column)),
            span: m.at.as_ref().map(|l| l.span),
        });
    }
    for plugin in &view.missing_plugins {
        warnings.push(Finding {
            code: "plugin-not-installed".into(),
            message: plugin.message.clone(),
            help: Some(
                "`serverless deploy` stops here until the plugins are installed (`npm install`); sls-resolve never runs plugins".into(),
            ),
            at: plugin.at.as_ref().map(|l| (l.file.clone(), l.line, l.column)),
            span: plugin.at.as_ref().map(|l| l.span),
        });
    }
    if let Some((org, app)) = &view.dashboard {
        if engine == AwsEngine::V3 && !options.use_local_credentials {
            warnings.push(Finding {
                code: "dashboard-may-override".into(),
                message: format!(
                    "`org: {org}` and `app: {app}`: when logged in to the Serverless Dashboard, a Dashboard provider may replace all of these credentials"
                ),
                help: Some("run with `--use-local-credentials` or remove `org`/`app` to be sure".into()),
                at: None,
                span: None,
            });
        }
    }
    if stage_has_unsettable_chars(&view.stage) {
        warnings.push(Finding {
            code: "stage-env-name-unsettable".into(),
            message: format!(
                "stage `{}` makes variable names like `{}_PROFILE` that most shells cannot set",
                view.stage,
                input.stage_prefix()
            ),
            help: None,
            at: None,
            span: None,
        });
    }
    if !blocked {
        explicit_unsupported(&decision, &mut warnings);
    }
    if let Some(msg) = engines_disagree(&decision, &other).filter(|_| !blocked) {
        warnings.push(Finding {
            code: "engines-disagree".into(),
            message: msg,
            help: None,
            at: None,
            span: None,
        });
    }
    if !blocked {
        errors.extend(decision.errors.iter().map(|e| {
            let mut finding = Finding::from_aws(e);
            // A profile no AWS file defines has no place there; when `provider.profile` names
            // it, the place to fix is where the configuration does.
            if let (AwsError::UnrecognizedProfile { profile, .. }, None, Some((_, at))) =
                (e, &finding.at, &view.profile_written)
            {
                let named_by_config = decision.candidates.iter().any(|c| {
                    c.slot == Slot::ProviderProfile && c.value.as_deref() == Some(profile)
                });
                if named_by_config {
                    finding.at = Some((at.file.clone(), at.line, at.column));
                    finding.span = Some(at.span);
                }
            }
            finding
        }));
    }
    Report {
        view,
        decision,
        other: (!blocked).then_some(other),
        warnings,
        errors,
        evaluated: !blocked,
    }
}

fn stage_has_unsettable_chars(stage: &str) -> bool {
    !stage.chars().all(|c| c.is_ascii_alphanumeric() || c == '_')
}

/// SSO, `credential_process`, `credential_source` and web-identity profiles named by a slot
/// that throws: v3's profile loader cannot use them (only the SDK default chain can, for the
/// implicit `default` profile, which is therefore not warned about).
fn explicit_unsupported(d: &Decision, out: &mut Vec<Finding>) {
    for e in &d.errors {
        let AwsError::UnrecognizedProfile {
            profile,
            reason: sls_aws::NotConfigured::NoCredentials { kind: Some(kind) },
            location,
            ..
        } = e
        else {
            continue;
        };
        let selectors: Vec<&str> = d
            .candidates
            .iter()
            .filter(|c| c.slot != Slot::DefaultProfile && c.value.as_deref() == Some(profile))
            .map(|c| c.selector.as_str())
            .collect();
        if selectors.is_empty() {
            continue;
        }
        out.push(Finding {
            code: "unsupported-profile-kind".into(),
            message: format!(
                "`{}` selects profile `{profile}`, which uses `{kind}`: serverless v3 cannot use such a profile by name",
                selectors.join("`, `")
            ),
            help: Some("serverless v3 reaches SSO and credential_process profiles only through the SDK default chain (the implicit `default` profile); `--engine sdk` shows what osls 4 / serverless v4 would do".into()),
            at: location.as_ref().map(|l| (l.file.clone(), l.span.line, l.span.column)),
            span: location.as_ref().map(|l| (l.span.start, l.span.end)),
        });
    }
}

fn winner_summary(d: &Decision) -> String {
    match &d.winner {
        None => "no credentials".into(),
        Some(w) => match (&w.profile, &w.env_prefix, w.slot) {
            (Some(p), _, Slot::DefaultChain) => {
                format!("profile `{p}` through the SDK default chain")
            }
            (Some(p), _, _) => format!("profile `{p}`"),
            (None, Some(prefix), _) => format!("the `{prefix}_*` key pair"),
            (None, None, _) => "the SDK default chain".to_string(),
        },
    }
}

/// What a decision comes to, in terms both engines share: the kind of credentials, the
/// profile, and the prefix of an environment key pair (provider names differ between SDKs).
fn gist(d: &Decision) -> Option<(String, Option<String>, Option<String>)> {
    d.winner.as_ref().map(|w| {
        let prefix = match &w.credentials {
            Credentials::EnvKeys { prefix, .. } => Some(prefix.clone()),
            _ => None,
        };
        (w.credentials.kind().to_string(), w.profile.clone(), prefix)
    })
}

fn engines_disagree(d: &Decision, other: &Decision) -> Option<String> {
    let a = winner_summary(d);
    let b = winner_summary(other);
    let name = |e: AwsEngine| match e {
        AwsEngine::V3 => "serverless v3",
        AwsEngine::Sdk => "osls 4 / serverless v4",
    };
    let differ = match (d.outcome, other.outcome) {
        // Both abort: they agree when they abort for the same reason, whoever would have won.
        (Outcome::Error, Outcome::Error) => {
            d.errors.first().map(ToString::to_string)
                != other.errors.first().map(ToString::to_string)
        }
        (x, y) => x != y || gist(d) != gist(other),
    };
    differ.then(|| {
        let outcome = |x: &Decision, s: &str| match (x.outcome, x.errors.first()) {
            (Outcome::Error, Some(e)) => format!("fails ({e})"),
            _ => format!("would use {s}"),
        };
        format!(
            "{} {}; {} {}",
            name(d.engine),
            outcome(d, &a),
            name(other.engine),
            outcome(other, &b)
        )
    })
}

// ---- JSON -------------------------------------------------------------------------------

impl Report {
    pub fn to_json(&self) -> Json {
        let v = &self.view;
        let d = &self.decision;
        let w = self.used();
        let shown = |c: &Candidate| self.evaluated && !matches!(c.status, Status::NotSet);
        let credentials = credentials_json(self.evaluated, w);
        let shadowed: Vec<Json> = d
            .candidates
            .iter()
            .filter(|c| shown(c) && c.status != Status::Won)
            .map(candidate_json)
            .collect();
        let candidates: Vec<Json> = if self.evaluated {
            d.candidates.iter().map(candidate_json).collect()
        } else {
            Vec::new()
        };
        let side_effects: Vec<Json> = if self.evaluated {
            d.side_effects.iter().map(side_effect_json).collect()
        } else {
            Vec::new()
        };
        json!({
            "schema_version": 1,
            "engine": d.engine,
            "verdict": if self.ok() { "ok" } else { "fail" },
            "service": v.service,
            "config": v.file.name,
            "stage": v.stage,
            "stage_source": v.stage_source,
            "region": v.region,
            "region_source": v.region_source,
            "provider_profile": match &v.profile { ProfileValue::Set(p) => json!(p), _ => Json::Null },
            "provider_profile_written": v.profile_written.as_ref().map(|(raw, at)| json!({
                "value": raw, "file": at.file, "line": at.line, "column": at.column,
            })),
            "provider_profile_chain": v.profile_chain,
            "dotenv": v.dotenv.as_ref().map(|d| json!({"file": d.file, "set": d.set})),
            "credentials": credentials,
            "candidates": candidates,
            "other_engine": self.other.as_ref().map(|o| json!({
                "engine": o.engine,
                "outcome": o.outcome,
                "source": o.winner.as_ref().map(|w| serde_json::to_value(w.source).unwrap_or(Json::Null)),
                "profile": o.winner.as_ref().and_then(|w| w.profile.clone()),
                "env_prefix": o.winner.as_ref().and_then(|w| w.env_prefix.clone()),
                "errors": o.errors.iter().map(|e| e.to_string()).collect::<Vec<_>>(),
            })),
            "shadowed": shadowed,
            "side_effects": side_effects,
            "files": d.files,
            "warnings": self.warnings.iter().map(Finding::json).collect::<Vec<_>>(),
            "errors": self.errors.iter().map(Finding::json).collect::<Vec<_>>(),
        })
    }
}

/// `file`, `line`, `column` of a place in an AWS file.
fn location_json(l: &sls_aws::Location) -> Json {
    json!({"file": l.file, "line": l.span.line, "column": l.span.column})
}

/// The documented `credentials` object (docs/report.md): every key always present.
fn credentials_json(evaluated: bool, w: Option<&Winner>) -> Json {
    let c = w.map(|w| &w.credentials);
    let info = match c {
        Some(Credentials::Profile(p)) => Some(p),
        _ => None,
    };
    let chain = info.and_then(|p| p.chain.as_ref());
    let keys = match c {
        Some(Credentials::EnvKeys {
            access_key_id,
            secret_access_key,
            session_token,
            ..
        }) => Some(json!({
            "profile": Json::Null,
            "access_key_id": access_key_id.masked(),
            "secret_access_key": secret_access_key.masked(),
            "session_token": session_token.as_ref().map(|t| t.masked()),
        })),
        _ => match chain.map(|ch| &ch.base) {
            Some(sls_aws::chain::Base::StaticKeys {
                profile,
                access_key_id,
                secret_access_key,
                session_token,
                ..
            }) => Some(json!({
                "profile": profile,
                "access_key_id": access_key_id.masked(),
                "secret_access_key": secret_access_key.masked(),
                "session_token": session_token.as_ref().map(|t| t.masked()),
            })),
            _ => None,
        },
    };
    let role_chain: Vec<Json> = chain
        .map(|ch| {
            ch.hops
                .iter()
                .map(|h| {
                    json!({
                        "profile": h.profile,
                        "role_arn": h.role_arn,
                        "mfa_serial": h.mfa_serial,
                        "file": h.location.as_ref().map(|l| l.file.clone()),
                        "line": h.location.as_ref().map(|l| l.span.line),
                    })
                })
                .collect()
        })
        .unwrap_or_default();
    let base = chain.map(|ch| {
        json!({
            "kind": ch.base.kind(),
            "profile": base_profile(&ch.base),
            "description": base_text(&ch.base),
        })
    });
    let description = c.map(|c| match c {
        Credentials::EnvKeys { prefix, .. } => {
            format!("the key pair `{prefix}_ACCESS_KEY_ID` / `{prefix}_SECRET_ACCESS_KEY`")
        }
        Credentials::Profile(p) => match (&p.chain, &p.chain_error) {
            (Some(ch), _) if ch.hops.is_empty() => base_text(&ch.base),
            (Some(ch), _) => format!(
                "{} AssumeRole call(s), the first signed by {}",
                ch.hops.len(),
                base_text(&ch.base)
            ),
            (None, Some(e)) => format!("profile `{}`: {e}", p.name),
            (None, None) => format!("profile `{}` ({})", p.name, p.kind),
        },
        Credentials::WebIdentity {
            role_arn,
            token_file,
            ..
        } => format!("web identity token file {token_file}, role {role_arn}"),
        Credentials::External { detail, .. } => detail.clone(),
    });
    json!({
        "evaluated": evaluated,
        "source": w.map(|w| serde_json::to_value(w.source).unwrap_or(Json::Null)),
        "profile": w.and_then(|w| w.profile.clone()),
        "env_prefix": w.and_then(|w| w.env_prefix.clone()),
        "selected_by": w.map(|w| w.selected_by.clone()),
        "kind": c.map(|c| c.kind().to_string()),
        "account_id": c.and_then(|c| c.account_id().map(str::to_string)),
        "account_from": match c {
            Some(Credentials::Profile(p)) => p.account_from.clone(),
            Some(Credentials::WebIdentity { account_id: Some(_), .. }) => Some("role_arn".to_string()),
            _ => None,
        },
        "region": info.and_then(|p| p.region.clone()),
        "defined_at": info.map(|p| p.defined_at.iter().map(location_json).collect::<Vec<_>>()).unwrap_or_default(),
        "description": description,
        "keys": keys,
        "role_chain": role_chain,
        "base": base,
        "problem": info.and_then(|p| p.chain_error.clone()),
    })
}

fn base_profile(b: &sls_aws::chain::Base) -> &str {
    use sls_aws::chain::Base;
    match b {
        Base::StaticKeys { profile, .. }
        | Base::CredentialSource { profile, .. }
        | Base::WebIdentity { profile, .. }
        | Base::Sso { profile, .. }
        | Base::Process { profile, .. }
        | Base::Login { profile } => profile,
    }
}

/// One side effect, with every key present (null where it does not apply).
fn side_effect_json(e: &SideEffect) -> Json {
    let slot = |s: &Slot| serde_json::to_value(s).unwrap_or(Json::Null);
    let (kind, profile, slot, shadowed, role_arn, region, serial, command, provider) = match e {
        SideEffect::AssumeRole {
            profile,
            role_arn,
            region,
            slot: s,
            shadowed,
        } => (
            "assume-role",
            Some(profile),
            slot(s),
            *shadowed,
            Some(role_arn),
            region.as_ref(),
            None,
            None,
            None,
        ),
        SideEffect::MfaPrompt {
            profile,
            serial,
            slot: s,
            shadowed,
        } => (
            "mfa-prompt",
            Some(profile),
            slot(s),
            *shadowed,
            None,
            None,
            Some(serial),
            None,
            None,
        ),
        SideEffect::SsoGetRoleCredentials { profile, slot: s } => (
            "sso-get-role-credentials",
            Some(profile),
            slot(s),
            false,
            None,
            None,
            None,
            None,
            None,
        ),
        SideEffect::RunsProcess {
            profile,
            command,
            slot: s,
        } => (
            "runs-process",
            Some(profile),
            slot(s),
            false,
            None,
            None,
            None,
            Some(command),
            None,
        ),
        SideEffect::AssumeRoleWithWebIdentity { role_arn, slot: s } => (
            "assume-role-with-web-identity",
            None,
            slot(s),
            false,
            Some(role_arn),
            None,
            None,
            None,
            None,
        ),
        SideEffect::MetadataEndpoint { provider } => (
            "metadata-endpoint",
            None,
            slot(&Slot::DefaultChain),
            false,
            None,
            None,
            None,
            None,
            Some(provider),
        ),
    };
    json!({
        "kind": kind,
        "profile": profile,
        "slot": slot,
        "shadowed": shadowed,
        "role_arn": role_arn,
        "region": region,
        "mfa_serial": serial,
        "command": command,
        "provider": provider,
    })
}

fn candidate_json(c: &Candidate) -> Json {
    json!({
        "slot": c.slot,
        "selector": c.selector,
        "value": c.value,
        "status": c.status,
        "reason": c.reason,
    })
}

// ---- text -------------------------------------------------------------------------------

impl Report {
    pub fn render_text(&self) -> String {
        let v = &self.view;
        let d = &self.decision;
        let mut out = String::new();
        let service = v.service.as_deref().unwrap_or("(no service name)");
        // verdict first
        match self.used() {
            Some(w) => {
                let account = match w.credentials.account_id() {
                    Some(a) => format!("account {a}"),
                    None => "account unknown offline".into(),
                };
                // A deploy that works but may go where nobody meant it to (an environment
                // variable shadowing `provider.profile`, ...) is not plainly OK.
                let (tag, note) = match self.warnings.len() {
                    0 => ("OK  ", String::new()),
                    1 => ("WARN", "; 1 warning below".to_owned()),
                    n => ("WARN", format!("; {n} warnings below")),
                };
                out.push_str(&format!(
                    "{tag}  {service} / {}: deploys with {}, {} ({account}){note}\n",
                    v.stage,
                    winner_summary(d),
                    selected_text(w)
                ));
            }
            None => {
                let first = self
                    .errors
                    .first()
                    .map(|e| e.message.as_str())
                    .unwrap_or("no credentials");
                out.push_str(&format!("FAIL  {service} / {}: {first}\n", v.stage));
            }
        }
        out.push('\n');
        let stage_from = serde_json::to_value(v.stage_source)
            .ok()
            .and_then(|j| j.as_str().map(str::to_string))
            .unwrap_or_default();
        let region_from = serde_json::to_value(v.region_source)
            .ok()
            .and_then(|j| j.as_str().map(str::to_string))
            .unwrap_or_default();
        out.push_str(&format!("config       {}\n", v.file.name));
        out.push_str(&format!("stage        {} (from {stage_from})\n", v.stage));
        out.push_str(&format!("region       {} (from {region_from})\n", v.region));
        match (&v.profile, &v.profile_written) {
            (ProfileValue::Set(p), Some((raw, at))) if raw != p => {
                out.push_str(&format!("profile      provider.profile = {p}\n"));
                out.push_str(&format!("               {raw} ({at})\n"));
                for step in &v.profile_chain {
                    let indent = "  ".repeat(step.depth + 1);
                    let value = match (&step.value, &step.error) {
                        (Some(val), _) => match val.as_str() {
                            Some(s) => s.to_string(),
                            None => val.to_string(),
                        },
                        (None, Some(e)) => format!("error: {e}"),
                        (None, None) => "not found".into(),
                    };
                    out.push_str(&format!(
                        "             {indent}-> {} = {value}{}\n",
                        step.variable,
                        origin_text(&step.from)
                    ));
                }
            }
            (ProfileValue::Set(p), at) => {
                let at = at
                    .as_ref()
                    .map(|(_, l)| format!(" ({l})"))
                    .unwrap_or_default();
                out.push_str(&format!("profile      provider.profile = {p}{at}\n"));
            }
            (ProfileValue::Absent, _) => out.push_str("profile      provider.profile is not set\n"),
            (ProfileValue::Unresolved(why), _) => out.push_str(&format!(
                "profile      provider.profile is unknown: {why}\n"
            )),
        }
        out.push('\n');
        out.push_str(&format!("credentials  ({})\n", engine_name(d.engine)));
        if !self.evaluated {
            out.push_str("  not evaluated: v3 stops at the resolution errors first\n");
        } else if let Some(w) = self.used() {
            out.push_str(&format!(
                "  winner     {}, {}\n",
                winner_summary(d),
                selected_text(w)
            ));
            credentials_text(&w.credentials, &mut out);
        } else {
            out.push_str("  winner     none: the deploy fails (see the errors below)\n");
        }
        let listed: Vec<&Candidate> = d
            .candidates
            .iter()
            .filter(|c| self.evaluated && c.status != Status::NotSet)
            .filter(|c| c.status != Status::Won || self.used().is_none())
            .collect();
        if !listed.is_empty() {
            out.push_str(if self.used().is_some() {
                "  shadowed\n"
            } else {
                "  candidates\n"
            });
            for c in listed {
                let value = c
                    .value
                    .as_deref()
                    .filter(|v| *v != c.selector)
                    // a key pair's value is its prefix, already in the selector
                    .filter(|_| !matches!(c.slot, Slot::KeysEnv | Slot::StageKeysEnv))
                    .map(|v| format!(" = {v}"))
                    .unwrap_or_default();
                if c.status == Status::Won {
                    // listed only when the deploy fails: nothing is used
                    out.push_str(&format!(
                        "    {}{value}: chosen, but the deploy fails (see the errors below)\n",
                        c.selector
                    ));
                    continue;
                }
                let status = serde_json::to_value(c.status)
                    .ok()
                    .and_then(|j| j.as_str().map(str::to_string))
                    .unwrap_or_default();
                out.push_str(&format!(
                    "    {}{value}: {status}, {}\n",
                    c.selector, c.reason
                ));
            }
        }
        if self.evaluated && !d.side_effects.is_empty() {
            out.push_str("  side effects\n");
            for e in &d.side_effects {
                out.push_str(&format!("    {}\n", side_effect_text(e)));
            }
        }
        if !self.warnings.is_empty() {
            out.push_str("\nwarnings\n");
            for w in &self.warnings {
                out.push_str(&format!("  [{}] {}{}\n", w.code, w.message, w.at_text()));
            }
        }
        if !self.errors.is_empty() {
            out.push_str("\nerrors\n");
            for e in &self.errors {
                out.push_str(&format!("  [{}] {}{}\n", e.code, e.message, e.at_text()));
                if let Some(h) = &e.help {
                    // a help of several lines keeps them under its first
                    let h = h.replace('\n', "\n            ");
                    out.push_str(&format!("      help: {h}\n"));
                }
            }
        }
        out
    }
}

/// The resolution errors as findings: copies of one variable (a YAML alias repeats it) that
/// fail with the same error at the same place are one finding, whose help names the other
/// properties, as in `print`'s code frames.
fn resolution_errors(located: &[service::LocatedError]) -> Vec<Finding> {
    let groups = crate::diagnostics::group_copies(located, |e| {
        let at = e.at.as_ref()?;
        let property = e.property.as_deref()?;
        Some((
            e.code.as_str(),
            at.file.as_str(),
            at.span,
            crate::diagnostics::without_property(&e.message, property),
            e.help.as_deref(),
        ))
    });
    groups
        .into_iter()
        .map(|group| {
            let e = group[0];
            let help = crate::diagnostics::with_copies(
                e.help.clone(),
                group.len() - 1,
                group[1..].iter().filter_map(|c| c.property.clone()),
            );
            Finding {
                code: e.code.clone(),
                message: e.message.clone(),
                help,
                at: e.at.as_ref().map(|l| (l.file.clone(), l.line, l.column)),
                span: e.at.as_ref().map(|l| l.span),
            }
        })
        .collect()
}

/// "selected by X", or which provider of the SDK default chain answers.
fn selected_text(w: &Winner) -> String {
    if w.slot == Slot::DefaultChain {
        format!("answered by its `{}`", w.selected_by)
    } else {
        format!("selected by {}", w.selected_by)
    }
}

fn engine_name(e: AwsEngine) -> &'static str {
    match e {
        AwsEngine::V3 => "serverless v3.40.0 rules",
        AwsEngine::Sdk => "osls 4 / serverless v4 rules",
    }
}

fn origin_text(o: &StepOrigin) -> String {
    match o {
        StepOrigin::Option { name } => format!(" (from {name})"),
        StepOrigin::Config { at } => format!(" ({at})"),
        StepOrigin::Env {
            name,
            dotenv: Some(f),
        } => format!(" (env {name}, from {f})"),
        StepOrigin::Env { name, dotenv: None } => format!(" (env {name})"),
        StepOrigin::Default => " (default)".into(),
        StepOrigin::Source => String::new(),
    }
}

fn credentials_text(c: &Credentials, out: &mut String) {
    match c {
        Credentials::EnvKeys {
            prefix,
            access_key_id,
            secret_access_key,
            session_token,
        } => {
            out.push_str(&format!(
                "  kind       environment keys {prefix}_ACCESS_KEY_ID\n"
            ));
            out.push_str(&format!("  access key {}\n", access_key_id.masked()));
            out.push_str(&format!("  secret key {}\n", secret_access_key.masked()));
            if let Some(t) = session_token {
                out.push_str(&format!("  token      {}\n", t.masked()));
            }
            out.push_str("  account    unknown offline\n");
        }
        Credentials::Profile(p) => {
            out.push_str(&format!("  kind       {}\n", p.kind));
            for at in &p.defined_at {
                out.push_str(&format!(
                    "  defined at {}:{}:{}\n",
                    at.file, at.span.line, at.span.column
                ));
            }
            if let Some(chain) = &p.chain {
                for hop in chain.hops.iter().rev() {
                    let at = hop
                        .location
                        .as_ref()
                        .map(|l| format!(" ({}:{})", l.file, l.span.line))
                        .unwrap_or_default();
                    let mfa = hop
                        .mfa_serial
                        .as_deref()
                        .map(|s| format!(", MFA {s}"))
                        .unwrap_or_default();
                    out.push_str(&format!(
                        "  role       [{}] assumes {}{mfa}{at}\n",
                        hop.profile, hop.role_arn
                    ));
                }
                out.push_str(&format!("  base       {}\n", base_text(&chain.base)));
            }
            if let Some(e) = &p.chain_error {
                out.push_str(&format!("  problem    {e}\n"));
            }
            if let Some(r) = &p.region {
                out.push_str(&format!(
                    "  region     {r} (the profile's; v3 deploys to the stage region above)\n"
                ));
            }
            match (&p.account_id, &p.account_from) {
                (Some(a), Some(from)) => out.push_str(&format!("  account    {a} (from {from})\n")),
                (Some(a), None) => out.push_str(&format!("  account    {a}\n")),
                _ => out.push_str("  account    unknown offline\n"),
            }
        }
        Credentials::WebIdentity {
            provider,
            role_arn,
            token_file,
            account_id,
        } => {
            out.push_str(&format!(
                "  kind       web identity ({provider}): token file {token_file}, role {role_arn}\n"
            ));
            match account_id {
                Some(a) => out.push_str(&format!("  account    {a} (from the role ARN)\n")),
                None => out.push_str("  account    unknown offline\n"),
            }
        }
        Credentials::External { provider, detail } => {
            out.push_str(&format!("  kind       {provider}: {detail}\n"));
            out.push_str("  account    unknown offline\n");
        }
    }
}

fn base_text(b: &sls_aws::chain::Base) -> String {
    use sls_aws::chain::Base;
    match b {
        Base::StaticKeys {
            profile,
            access_key_id,
            secret_access_key,
            ..
        } => format!(
            "static keys of [{profile}]: access key {}, secret key {}",
            access_key_id.masked(),
            secret_access_key.masked()
        ),
        Base::CredentialSource { profile, source } => {
            format!("credential_source = {source} ([{profile}])")
        }
        Base::WebIdentity {
            profile,
            token_file,
            ..
        } => format!("web identity token file {token_file} ([{profile}])"),
        Base::Sso {
            profile,
            account_id,
            role_name,
            session,
            ..
        } => format!(
            "SSO ([{profile}]) account {}, role {}{}",
            account_id.as_deref().unwrap_or("?"),
            role_name.as_deref().unwrap_or("?"),
            session
                .as_deref()
                .map(|s| format!(", session {s}"))
                .unwrap_or_default()
        ),
        Base::Process { profile, command } => {
            format!("credential_process `{command}` ([{profile}]), never run by sls-resolve")
        }
        Base::Login { profile } => format!("login session ([{profile}])"),
    }
}

fn side_effect_text(e: &SideEffect) -> String {
    let sh = |s: bool| {
        if s {
            " (for a candidate that does not win)"
        } else {
            ""
        }
    };
    match e {
        SideEffect::AssumeRole {
            profile,
            role_arn,
            region,
            shadowed,
            ..
        } => format!(
            "STS AssumeRole {role_arn} for [{profile}]{}{}",
            region
                .as_deref()
                .map(|r| format!(" in {r}"))
                .unwrap_or_default(),
            sh(*shadowed)
        ),
        SideEffect::MfaPrompt {
            serial, shadowed, ..
        } => format!(
            "prompts `Enter MFA code for {serial}: ` and waits{}",
            sh(*shadowed)
        ),
        SideEffect::SsoGetRoleCredentials { profile, .. } => {
            format!("SSO GetRoleCredentials for [{profile}] (needs a cached `aws sso login`)")
        }
        SideEffect::RunsProcess {
            profile, command, ..
        } => {
            format!("runs credential_process `{command}` of [{profile}]")
        }
        SideEffect::AssumeRoleWithWebIdentity { role_arn, .. } => {
            format!("STS AssumeRoleWithWebIdentity {role_arn}")
        }
        SideEffect::MetadataEndpoint { provider } => {
            format!("queries the metadata endpoint ({provider})")
        }
    }
}

// ---- the command ------------------------------------------------------------------------

/// Runs the report; `Ok((output, exit))`.
pub(crate) fn run(args: &ReportArgs) -> Result<(String, u8), Failure> {
    let options = args.options();
    let env: HashMap<String, String> = std::env::vars().collect();
    let view = service::view(
        args.config.as_deref(),
        args.target.as_deref(),
        &options,
        env,
    )?;
    let files = read_aws_files(
        &[AwsEngine::V3, AwsEngine::Sdk],
        &aws_env(&view),
        args.aws_dir.as_deref(),
    )
    .map_err(Failure::into_usage)?;
    let sso_cache = read_sso_cache(&aws_env(&view), args.aws_dir.as_deref());
    Ok(output(args, &options, view, &files, &sso_cache))
}

impl ReportArgs {
    pub(crate) fn options(&self) -> Options {
        Options {
            stage: self.stage.clone(),
            region: self.region.clone(),
            aws_profile: self.aws_profile.clone(),
            params: self.param.clone(),
            use_local_credentials: self.use_local_credentials,
        }
    }
}

/// The report of `view` with the AWS files already read, as printed, and the exit code.
pub(crate) fn output(
    args: &ReportArgs,
    options: &Options,
    view: ServiceView,
    files: &FileContents,
    sso_cache: &BTreeSet<String>,
) -> (String, u8) {
    let engine: AwsEngine = args.engine.into();
    let report = build(view, engine, options, files, sso_cache);
    let text = match args.format {
        Format::Json => {
            let mut s = serde_json::to_string_pretty(&report.to_json()).unwrap_or_default();
            s.push('\n');
            s
        }
        Format::Text => {
            let mut s = report.render_text();
            if let Some(f) = &report.view.failure {
                s.push('\n');
                s.push_str(&f.rendered);
            }
            s
        }
    };
    let alias = AwsDirAlias::new(&aws_env(&report.view), args.aws_dir.as_deref());
    (alias.apply(text), report.exit_code())
}
