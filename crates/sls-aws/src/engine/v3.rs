//! Serverless Framework v3.40.0's `AwsProvider.getCredentials()` with aws-sdk 2.1693.0, step by
//! step (spec 1.2 to 1.5).
//!
//! The steps run from lowest to highest priority; each valid source overwrites the result, and
//! a profile step whose profile cannot be loaded throws (except the first). The profile loader
//! is aws-sdk v2's `SharedIniFileCredentials`, over [`crate::ini_v2`]: a role profile's source
//! is read from the *default* credentials path with static keys preferred, there is no loop
//! detection, and every profile step constructs its credentials (STS calls, MFA prompts) even
//! when a later step wins.

use super::{
    Candidate, Credentials, Decision, FileUse, Input, Outcome, ProfileInfo, SideEffect, Slot,
    Source, Status, Warning, Winner, candidate, env_keys, file_text, shadow_warnings,
};
use crate::chain::{Base, Chain, ChainError, Hop, account_of_arn};
use crate::error::{AwsError, NotConfigured};
use crate::ini_v2::{self, IgnoredKind, V2File};
use crate::locate::{Engine, FileRole, V3Paths, v3_paths};
use crate::profile::Profile;
use crate::secret::Value;
use crate::span::Location;
use indexmap::IndexMap;

/// Which credentials path a profile lookup uses.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum FileSel {
    /// The one serverless passes (`AWS_SHARED_CREDENTIALS_FILE`, else the default path).
    Main,
    /// The one role sources and the default chain use.
    Default,
}

type Profiles = IndexMap<String, Profile>;

/// The files as aws-sdk v2 sees them.
struct World<'a> {
    paths: V3Paths,
    input: &'a Input<'a>,
    main: Result<Profiles, NotConfigured>,
    default: Result<Profiles, NotConfigured>,
    /// Parsed files by path (for warnings and section lookups).
    parsed: Vec<(FileRole, String, Result<V2File, AwsError>)>,
}

fn load_file(input: &Input<'_>, path: &str) -> Option<Result<V2File, AwsError>> {
    file_text(input.files, path).map(|t| ini_v2::parse(t, path))
}

impl<'a> World<'a> {
    fn new(input: &'a Input<'a>) -> Self {
        let paths = v3_paths(input.env);
        let mut parsed = Vec::new();
        for (role, path) in [
            (FileRole::V3Credentials, &paths.credentials),
            (FileRole::V3DefaultCredentials, &paths.default_credentials),
            (FileRole::V3Config, &paths.config),
        ] {
            if let Some(path) = path {
                if parsed
                    .iter()
                    .all(|(_, p, _): &(FileRole, String, _)| p != path)
                {
                    if let Some(file) = load_file(input, path) {
                        parsed.push((role, path.clone(), file));
                    }
                }
            }
        }
        let mut world = World {
            main: Err(NotConfigured::ProfileNotFound),
            default: Err(NotConfigured::ProfileNotFound),
            paths,
            input,
            parsed,
        };
        world.main = world.shared_config(world.paths.credentials.clone());
        world.default = world.shared_config(world.paths.default_credentials.clone());
        world
    }

    fn file(&self, path: &str) -> Option<&Result<V2File, AwsError>> {
        self.parsed
            .iter()
            .find(|(_, p, _)| p == path)
            .map(|(_, _, f)| f)
    }

    /// `AWS.util.getProfilesFromSharedConfig`: the config file's profiles (with
    /// `AWS_SDK_LOAD_CONFIG`), then the credentials file's, merged key by key.
    fn shared_config(&self, creds_path: Option<String>) -> Result<Profiles, NotConfigured> {
        let unreadable = |path: &str| NotConfigured::FileUnreadable {
            path: path.to_string(),
            detail: format!("ENOENT: no such file or directory, open '{path}'"),
        };
        let rejected = |path: &str, e: &AwsError| NotConfigured::FileRejected {
            path: path.to_string(),
            detail: e.to_string(),
        };
        let mut out: Profiles = IndexMap::new();
        if self.paths.load_config {
            let path = self
                .paths
                .config
                .as_deref()
                .ok_or(NotConfigured::FileUnreadable {
                    path: "~/.aws/config".into(),
                    detail: "no home directory".into(),
                })?;
            match self.file(path) {
                None => return Err(unreadable(path)),
                Some(Err(e)) => return Err(rejected(path, e)),
                Some(Ok(file)) => {
                    out = ini_v2::config_profiles(file).map_err(|e| rejected(path, &e))?;
                    out.retain(|name, _| {
                        !crate::js::OBJECT_PROTOTYPE_MEMBERS.contains(&name.as_str())
                    });
                }
            }
        }
        let creds = match creds_path.as_deref() {
            None => Err(NotConfigured::FileUnreadable {
                path: "~/.aws/credentials".into(),
                detail: "no home directory".into(),
            }),
            Some(path) => match self.file(path) {
                None => Err(unreadable(path)),
                Some(Err(e)) => Err(rejected(path, e)),
                Some(Ok(file)) => Ok(&file.sections),
            },
        };
        match creds {
            Ok(sections) => {
                for (name, section) in sections {
                    if crate::js::OBJECT_PROTOTYPE_MEMBERS.contains(&name.as_str()) {
                        // `map[name]` is inherited from Object.prototype: never an own profile
                        continue;
                    }
                    match out.get_mut(name) {
                        Some(existing) => {
                            existing.sections.extend(section.sections.iter().cloned());
                            for prop in section.properties.values() {
                                existing.insert(prop.clone());
                            }
                        }
                        None => {
                            out.insert(name.clone(), section.clone());
                        }
                    }
                }
            }
            Err(e) if !self.paths.load_config => return Err(e),
            Err(_) => {}
        }
        Ok(out)
    }

    fn profiles(&self, sel: FileSel) -> &Result<Profiles, NotConfigured> {
        match sel {
            FileSel::Main => &self.main,
            FileSel::Default => &self.default,
        }
    }
}

/// A role link as aws-sdk v2 sets it up.
#[derive(Debug, Clone)]
struct RoleLoad {
    role_arn: String,
    location: Option<Location>,
    mfa_serial: Option<String>,
    region: String,
    source: SourceLoad,
}

#[derive(Debug, Clone)]
enum SourceLoad {
    Loaded(Box<Load>),
    /// The source names a profile already on the nested path: v2 recurses forever.
    Loop(Vec<String>),
}

/// What `new AWS.SharedIniFileCredentials({profile})` ends up holding.
#[derive(Debug, Clone)]
struct Load {
    profile: String,
    access_key_id: Option<Value>,
    secret_access_key: Option<Value>,
    session_token: Option<Value>,
    role: Option<RoleLoad>,
    /// Why nothing usable was set (when nothing was).
    error: Option<NotConfigured>,
    defined_at: Vec<Location>,
    region: Option<String>,
    /// The profile's own `aws_account_id`, if any.
    account_id: Option<String>,
}

impl Load {
    fn empty(profile: &str, error: NotConfigured) -> Self {
        Load {
            profile: profile.to_string(),
            access_key_id: None,
            secret_access_key: None,
            session_token: None,
            role: None,
            error: Some(error),
            defined_at: Vec::new(),
            region: None,
            account_id: None,
        }
    }

    /// Serverless's "configured" test: any of `accessKeyId`, `sessionToken`, `roleArn`.
    fn configured(&self) -> bool {
        self.access_key_id.as_ref().is_some_and(Value::is_truthy)
            || self.session_token.as_ref().is_some_and(Value::is_truthy)
            || self.role.is_some()
    }

    /// `impl.validCredentials`.
    fn valid(&self) -> bool {
        let ok = |v: &Option<Value>| {
            v.as_ref()
                .is_some_and(|v| v.is_truthy() && !v.is_literal_undefined())
        };
        (ok(&self.access_key_id) && ok(&self.secret_access_key)) || self.role.is_some()
    }

    /// Every role link in the nested loads, outermost first.
    fn roles(&self) -> Vec<(&str, &RoleLoad)> {
        let mut out = Vec::new();
        let mut cur = self;
        while let Some(role) = &cur.role {
            out.push((cur.profile.as_str(), role));
            match &role.source {
                SourceLoad::Loaded(next) => cur = next,
                SourceLoad::Loop(_) => break,
            }
        }
        out
    }

    fn loop_path(&self) -> Option<&[String]> {
        self.roles().last().and_then(|(_, r)| match &r.source {
            SourceLoad::Loop(v) => Some(v.as_slice()),
            SourceLoad::Loaded(_) => None,
        })
    }

    /// The innermost load of the chain (the one whose keys sign the first AssumeRole).
    fn innermost(&self) -> &Load {
        let mut cur = self;
        while let Some(RoleLoad {
            source: SourceLoad::Loaded(next),
            ..
        }) = &cur.role
        {
            cur = next;
        }
        cur
    }

    /// The chain in [`Chain`] form, or why the role's source has no keys.
    fn chain(&self) -> Result<Chain, ChainError> {
        if self.role.is_none() {
            return self.static_base().map(|base| Chain {
                base,
                hops: Vec::new(),
            });
        }
        if let Some(path) = self.loop_path() {
            return Err(ChainError::Loop {
                visited: path.to_vec(),
            });
        }
        let base = self.innermost().static_base()?;
        let mut hops: Vec<Hop> = self
            .roles()
            .into_iter()
            .map(|(profile, r)| Hop {
                profile: profile.to_string(),
                role_arn: r.role_arn.clone(),
                mfa_serial: r.mfa_serial.clone(),
                external_id: None,
                role_session_name: None,
                location: r.location.clone(),
            })
            .collect();
        hops.reverse();
        Ok(Chain { base, hops })
    }

    fn static_base(&self) -> Result<Base, ChainError> {
        match (&self.access_key_id, &self.secret_access_key) {
            (Some(id), Some(secret)) => Ok(Base::StaticKeys {
                profile: self.profile.clone(),
                access_key_id: id.to_secret(),
                secret_access_key: secret.to_secret(),
                session_token: self.session_token.as_ref().map(Value::to_secret),
                account_id: self.account_id.clone(),
                location: self.defined_at.first().cloned(),
            }),
            (Some(_), None) => Err(ChainError::PartialKeys {
                profile: self.profile.clone(),
                missing: "aws_secret_access_key".into(),
            }),
            (None, Some(_)) => Err(ChainError::PartialKeys {
                profile: self.profile.clone(),
                missing: "aws_access_key_id".into(),
            }),
            (None, None) => Err(ChainError::NoCredentials {
                profile: self.profile.clone(),
            }),
        }
    }

    fn info(&self) -> ProfileInfo {
        let mut info = ProfileInfo::from_chain(
            &self.profile,
            self.defined_at.clone(),
            self.region.clone(),
            self.chain(),
        );
        if info.chain.is_none() && self.role.is_some() {
            // v3 counts the role as usable even when its source has no keys
            info.kind = "assume-role".into();
            let arn = self
                .role
                .as_ref()
                .map(|r| r.role_arn.as_str())
                .unwrap_or_default();
            info.account_id = account_of_arn(arn).map(str::to_string);
            info.account_from = info.account_id.as_ref().map(|_| "role_arn".to_string());
        }
        info
    }
}

/// The kind a profile holds that the v2 loader does not support.
fn unsupported_kind(p: &Profile) -> Option<String> {
    let has = |k: &str| p.get(k).is_some();
    if p.properties.keys().any(|k| k.starts_with("sso_")) {
        return Some("sso".into());
    }
    [
        "credential_process",
        "credential_source",
        "web_identity_token_file",
    ]
    .into_iter()
    .find(|k| has(k))
    .map(str::to_string)
}

/// `new AWS.SharedIniFileCredentials({profile, filename?, preferStaticCredentials})`.
fn load(
    world: &World<'_>,
    name: &str,
    sel: FileSel,
    prefer_static: bool,
    nested: &[String],
) -> Load {
    let profiles = match world.profiles(sel) {
        Ok(p) => p,
        Err(e) => return Load::empty(name, e.clone()),
    };
    let Some(p) = profiles.get(name) else {
        return Load::empty(name, NotConfigured::ProfileNotFound);
    };
    let mut out = Load::empty(name, NotConfigured::NoCredentials { kind: None });
    out.defined_at = p.sections.clone();
    out.region = p.truthy_text("region").map(str::to_string);
    out.account_id = p.truthy_text("aws_account_id").map(str::to_string);
    let has_keys = p.truthy("aws_access_key_id") && p.truthy("aws_secret_access_key");
    if let Some(role_arn) = p
        .truthy_text("role_arn")
        .filter(|_| !(prefer_static && has_keys))
    {
        let Some(source) = p.truthy_text("source_profile") else {
            // a `credential_source` or web-identity profile: say what v3 cannot use
            out.error = Some(match unsupported_kind(p) {
                Some(kind) => NotConfigured::NoCredentials { kind: Some(kind) },
                None => NotConfigured::RoleWithoutSourceProfile,
            });
            return out;
        };
        if !profiles.contains_key(source) {
            out.error = Some(NotConfigured::SourceProfileMissing {
                source_profile: source.to_string(),
            });
            return out;
        }
        let source_load = if nested.iter().any(|n| n == source) {
            let mut path: Vec<String> = nested.to_vec();
            path.push(source.to_string());
            SourceLoad::Loop(path)
        } else {
            let mut path = nested.to_vec();
            if path.is_empty() {
                path.push(name.to_string());
            }
            path.push(source.to_string());
            SourceLoad::Loaded(Box::new(load(world, source, FileSel::Default, true, &path)))
        };
        out.role = Some(RoleLoad {
            role_arn: role_arn.to_string(),
            location: p.location_of("role_arn").cloned(),
            mfa_serial: p.truthy_text("mfa_serial").map(str::to_string),
            region: p.truthy_text("region").unwrap_or("us-east-1").to_string(),
            source: source_load,
        });
        out.error = None;
        return out;
    }
    out.access_key_id = p.get("aws_access_key_id").cloned();
    out.secret_access_key = p.get("aws_secret_access_key").cloned();
    out.session_token = p.get("aws_session_token").cloned();
    if out.configured() {
        out.error = None;
    } else {
        out.error = Some(NotConfigured::NoCredentials {
            kind: unsupported_kind(p),
        });
    }
    out
}

fn profile_error(name: &str, load: &Load) -> AwsError {
    let reason = load.error.clone().unwrap_or(NotConfigured::ProfileNotFound);
    AwsError::unrecognized(name, reason, load.defined_at.first().cloned())
}

/// The side effects of constructing `load`'s credentials.
fn load_side_effects(load: &Load, slot: Slot, out: &mut Vec<SideEffect>) {
    for (i, (profile, role)) in load.roles().into_iter().enumerate() {
        if i == 0 {
            if let Some(serial) = &role.mfa_serial {
                out.push(SideEffect::MfaPrompt {
                    profile: profile.to_string(),
                    serial: serial.clone(),
                    slot,
                    shadowed: false,
                });
            }
        }
        out.push(SideEffect::AssumeRole {
            profile: profile.to_string(),
            role_arn: role.role_arn.clone(),
            region: Some(role.region.clone()),
            slot,
            shadowed: false,
        });
    }
}

/// A profile step as it ran.
struct StepRun {
    slot: Slot,
    load: Load,
}

/// Runs serverless v3's algorithm.
pub fn decide(input: &Input<'_>) -> Decision {
    let world = World::new(input);
    let env = input.env;
    let prefix = input.stage_prefix();
    let mut decision = Decision {
        engine: Engine::V3,
        outcome: Outcome::Error,
        winner: None,
        candidates: Vec::new(),
        errors: Vec::new(),
        side_effects: Vec::new(),
        warnings: Vec::new(),
        files: file_uses(&world),
    };
    file_warnings(&world, &requested_profiles(input), &mut decision.warnings);
    if let Some(err) = sdk_load_error(&world) {
        decision.errors.push(err);
        return decision;
    }

    // run order, lowest priority first
    let default_name = env
        .truthy_text("AWS_DEFAULT_PROFILE")
        .unwrap_or("default")
        .to_string();
    let default_selector = if env.truthy("AWS_DEFAULT_PROFILE") {
        "AWS_DEFAULT_PROFILE"
    } else {
        "default"
    };
    let provider_profile = input.provider_profile.filter(|p| !p.is_empty());
    let cli = input.aws_profile.filter(|p| !p.is_empty());
    let stage_profile_var = format!("{prefix}_PROFILE");

    let mut result: Option<(Slot, String, Option<String>, Credentials)> = None;
    let mut runs: Vec<StepRun> = Vec::new();
    let mut candidates: Vec<Candidate> = Vec::new();
    // slots whose profile loops: v3 dies there, even in the first step
    let mut loops: Vec<Slot> = Vec::new();

    let mut profile_step = |slot: Slot,
                            selector: &str,
                            name: Option<&str>,
                            throws: bool,
                            skipped: Option<&str>,
                            result: &mut Option<(Slot, String, Option<String>, Credentials)>,
                            errors: &mut Vec<AwsError>| {
        let mut c = candidate(slot, selector, name);
        let Some(name) = name else {
            candidates.push(c);
            return;
        };
        if let Some(why) = skipped {
            c.status = Status::Skipped;
            c.reason = why.to_string();
            candidates.push(c);
            return;
        }
        let l = load(&world, name, FileSel::Main, false, &[]);
        if !l.configured() {
            c.status = Status::Failed;
            let err = profile_error(name, &l);
            c.reason = match (&l.error, throws) {
                (Some(e), true) => e.describe(),
                (Some(e), false) => format!("{} (v3 swallows this error)", e.describe()),
                (None, _) => "not configured".into(),
            };
            if throws {
                errors.push(err);
            }
        } else if l.valid() {
            c.status = Status::Won;
            c.reason = "valid".into();
            *result = Some((
                slot,
                selector.to_string(),
                Some(name.to_string()),
                Credentials::Profile(l.info()),
            ));
        } else {
            c.status = Status::Ignored;
            c.reason = if l.access_key_id.is_some() {
                "`aws_access_key_id` without `aws_secret_access_key`: silently ignored".into()
            } else {
                "only `aws_session_token`: silently ignored".into()
            };
        }
        if let Some(path) = l.loop_path() {
            // v2 recurses until the process dies: this step ends the run, whatever its slot
            let message = format!(
                "role chain loop {}: aws-sdk v2 has no loop detection and recurses until node aborts",
                path.join(" -> ")
            );
            c.status = Status::Failed;
            c.reason = message.clone();
            loops.push(slot);
            errors.push(AwsError::SdkCredentials {
                profile: name.to_string(),
                message,
                span: l.defined_at.first().map(|loc| loc.span.source_span()),
                location: l.defined_at.first().cloned(),
            });
        }
        candidates.push(c);
        runs.push(StepRun { slot, load: l });
    };

    let env_step = |slot: Slot,
                    prefix: &str,
                    result: &mut Option<(Slot, String, Option<String>, Credentials)>|
     -> Candidate {
        let selector = format!("{prefix}_ACCESS_KEY_ID");
        let mut c = candidate(slot, &selector, Some(prefix));
        match env_keys(env, prefix) {
            Ok(None) => {}
            Err(why) => {
                c.status = Status::Ignored;
                c.reason = format!("{why}: the pair is silently skipped");
            }
            Ok(Some(creds)) => {
                let undefined = [
                    format!("{prefix}_ACCESS_KEY_ID"),
                    format!("{prefix}_SECRET_ACCESS_KEY"),
                ]
                .iter()
                .any(|v| env.get(v).is_some_and(Value::is_literal_undefined));
                if undefined {
                    c.status = Status::Ignored;
                    c.reason =
                        "a value is the literal string `undefined`, which v3 treats as missing"
                            .into();
                } else {
                    c.status = Status::Won;
                    c.reason = "valid".into();
                    *result = Some((slot, selector, None, creds));
                }
            }
        }
        c
    };

    let mut errors: Vec<AwsError> = Vec::new();
    let mut env_candidates: Vec<Candidate> = Vec::new();
    profile_step(
        Slot::DefaultProfile,
        default_selector,
        Some(&default_name),
        false,
        None,
        &mut result,
        &mut errors,
    );
    profile_step(
        Slot::ProviderProfile,
        "provider.profile",
        provider_profile,
        true,
        cli.map(|_| "`--aws-profile` is given, so v3 does not read `provider.profile`"),
        &mut result,
        &mut errors,
    );
    env_candidates.push(env_step(Slot::KeysEnv, "AWS", &mut result));
    profile_step(
        Slot::AwsProfileEnv,
        "AWS_PROFILE",
        env.truthy_text("AWS_PROFILE"),
        true,
        None,
        &mut result,
        &mut errors,
    );
    env_candidates.push(env_step(Slot::StageKeysEnv, &prefix, &mut result));
    profile_step(
        Slot::StageProfileEnv,
        &stage_profile_var,
        env.truthy_text(&stage_profile_var),
        true,
        None,
        &mut result,
        &mut errors,
    );
    profile_step(
        Slot::AwsProfileFlag,
        "--aws-profile",
        cli,
        true,
        None,
        &mut result,
        &mut errors,
    );
    candidates.extend(env_candidates);
    candidates.sort_by_key(|c| c.slot);

    // the first profile step that throws ends `getCredentials()`: the steps after it never
    // run, and nothing is selected
    let first_throw = candidates_in_run_order().into_iter().find(|s| {
        candidates.iter().any(|c| {
            c.slot == *s
                && c.status == Status::Failed
                && (*s != Slot::DefaultProfile || loops.contains(s))
        })
    });
    if let Some(stop) = first_throw {
        result = None;
        let stopper = candidates
            .iter()
            .find(|c| c.slot == stop)
            .map(|c| c.selector.clone())
            .unwrap_or_default();
        for c in &mut candidates {
            if c.slot == stop || c.status == Status::NotSet {
                continue;
            }
            if run_index(c.slot) > run_index(stop) {
                let alone = match c.status {
                    Status::Failed => format!("; on its own it fails too: {}", c.reason),
                    _ => String::new(),
                };
                c.status = Status::Skipped;
                c.reason = format!("not reached: v3 stops at the `{stopper}` error first{alone}");
            } else if c.status == Status::Won {
                c.status = Status::Shadowed;
                c.reason = format!("valid, but v3 then stops at the `{stopper}` error");
            }
        }
    }
    // what the last valid step overwrote is shadowed
    let winner_slot = result.as_ref().map(|r| r.0);
    for c in &mut candidates {
        if c.status == Status::Won && Some(c.slot) != winner_slot {
            c.status = Status::Shadowed;
            c.reason = format!("valid, but {} wins", describe_slot(winner_slot));
        }
    }
    for run in &runs {
        let ran = match first_throw {
            Some(stop) => run_index(run.slot) <= run_index(stop),
            None => true,
        };
        if !ran {
            continue;
        }
        let mut effects = Vec::new();
        load_side_effects(&run.load, run.slot, &mut effects);
        for e in &mut effects {
            let shadowed = Some(run.slot) != winner_slot;
            match e {
                SideEffect::AssumeRole { shadowed: s, .. }
                | SideEffect::MfaPrompt { shadowed: s, .. } => *s = shadowed,
                _ => {}
            }
        }
        decision.side_effects.extend(effects);
    }
    // a broken role in the default slot: v3 skips it silently (other tools fail with it)
    for run in runs.iter().filter(|r| r.slot == Slot::DefaultProfile) {
        if let Some(NotConfigured::SourceProfileMissing { source_profile }) = &run.load.error {
            decision.warnings.push(Warning {
                code: "role-source-profile-missing",
                message: format!(
                    "profile `{}` assumes a role through `source_profile = {source_profile}`, which does not exist: serverless v3 skips the profile silently; the AWS CLI and SDK v3 fail when they use it",
                    run.load.profile
                ),
                location: run.load.defined_at.first().cloned(),
            });
        }
    }
    decision.candidates = candidates;
    decision.errors = errors;

    match result {
        Some((slot, selector, profile, credentials)) => {
            let source = match &credentials {
                Credentials::EnvKeys { .. } => Source::Env,
                _ => Source::Profile,
            };
            let env_prefix = match &credentials {
                Credentials::EnvKeys { prefix, .. } => Some(prefix.clone()),
                _ => None,
            };
            if let Credentials::Profile(info) = &credentials {
                if let (Some(err), true) = (&info.chain_error, info.kind == "assume-role") {
                    decision.errors.push(AwsError::RoleSourceWithoutCredentials {
                        profile: info.name.clone(),
                        detail: err.clone(),
                        help: format!(
                            "aws-sdk v2 signs the AssumeRole call with the source profile's keys from `{}` (not from `AWS_SHARED_CREDENTIALS_FILE` unless `AWS_SDK_LOAD_CONFIG` is set); without them the call fails with `Missing credentials in config`",
                            world
                                .paths
                                .default_credentials
                                .as_deref()
                                .unwrap_or("~/.aws/credentials")
                        ),
                        span: info.defined_at.first().map(|l| l.span.source_span()),
                        location: info.defined_at.first().cloned(),
                    });
                }
            }
            decision.winner = Some(Winner {
                source,
                slot,
                selected_by: selector,
                profile,
                env_prefix,
                credentials,
            });
        }
        // a profile step threw: v3 stops before any request, so the SDK chain never runs
        None if !decision.errors.is_empty() => {}
        None => default_chain(&world, &mut decision),
    }
    decision.outcome = if decision.errors.is_empty() && decision.winner.is_some() {
        Outcome::Credentials
    } else {
        Outcome::Error
    };
    shadow_warnings(input, &mut decision);
    role_source_file_warning(&world, &decision.side_effects, &mut decision.warnings);
    decision
}

fn candidates_in_run_order() -> [Slot; 7] {
    [
        Slot::DefaultProfile,
        Slot::ProviderProfile,
        Slot::KeysEnv,
        Slot::AwsProfileEnv,
        Slot::StageKeysEnv,
        Slot::StageProfileEnv,
        Slot::AwsProfileFlag,
    ]
}

fn run_index(slot: Slot) -> usize {
    candidates_in_run_order()
        .iter()
        .position(|s| *s == slot)
        .unwrap_or(usize::MAX)
}

fn describe_slot(slot: Option<Slot>) -> &'static str {
    match slot {
        Some(Slot::AwsProfileFlag) => "`--aws-profile`",
        Some(Slot::StageProfileEnv) => "the stage profile variable",
        Some(Slot::StageKeysEnv) => "the stage key pair",
        Some(Slot::AwsProfileEnv) => "`AWS_PROFILE`",
        Some(Slot::KeysEnv) => "the `AWS_ACCESS_KEY_ID` pair",
        Some(Slot::ProviderProfile) => "`provider.profile`",
        Some(Slot::DefaultProfile) => "the default profile",
        Some(Slot::DefaultChain) | None => "the SDK default chain",
    }
}

/// aws-sdk v2 throws while loading when it reads the config file for a region (spec 1.4,
/// crashes 1 and 2).
fn sdk_load_error(world: &World<'_>) -> Option<AwsError> {
    let env = world.input.env;
    if !world.paths.load_config || env.truthy("AWS_REGION") || env.truthy("AMAZON_REGION") {
        return None;
    }
    let path = world.paths.config.as_deref()?;
    let help =
        "serverless v3 stops while loading aws-sdk, before any credentials are chosen".to_string();
    match world.file(path) {
        None => Some(AwsError::SdkLoad {
            message: format!("ENOENT: no such file or directory, open '{path}'"),
            help: format!(
                "{help}; create the file, set `AWS_REGION`, or unset `AWS_SDK_LOAD_CONFIG`"
            ),
            location: None,
            span: None,
        }),
        Some(Err(e)) => Some(AwsError::SdkLoad {
            message: e.to_string(),
            help,
            span: e.location().map(|l| l.span.source_span()),
            location: e.location().cloned(),
        }),
        Some(Ok(file)) => ini_v2::config_profiles(file)
            .err()
            .map(|e| AwsError::SdkLoad {
                message: match &e {
                    AwsError::V2RedefineProperty { name, .. } => {
                        format!("TypeError: Cannot redefine property: {name}")
                    }
                    other => other.to_string(),
                },
                help: format!("{help}; remove one of the two sections"),
                span: e.location().map(|l| l.span.source_span()),
                location: e.location().cloned(),
            }),
    }
}

fn file_uses(world: &World<'_>) -> Vec<FileUse> {
    let p = &world.paths;
    let mut out: Vec<FileUse> = Vec::new();
    for (role, path, read) in [
        (FileRole::V3Credentials, &p.credentials, true),
        (FileRole::V3DefaultCredentials, &p.default_credentials, true),
        (FileRole::V3Config, &p.config, p.load_config),
    ] {
        if let Some(path) = path {
            if out.iter().any(|u| &u.path == path) {
                continue;
            }
            out.push(FileUse {
                role,
                path: path.clone(),
                exists: file_text(world.input.files, path).is_some(),
                read,
            });
        }
    }
    out
}

/// The profile names some slot asks for (the candidates of steps 1 to 7, before validity);
/// the default slot only when no explicit slot names one.
fn requested_profiles(input: &Input<'_>) -> Vec<String> {
    let env = input.env;
    let stage_var = format!("{}_PROFILE", input.stage_prefix());
    let mut out: Vec<String> = [
        input.aws_profile,
        env.truthy_text(&stage_var),
        env.truthy_text("AWS_PROFILE"),
        input.provider_profile,
    ]
    .into_iter()
    .flatten()
    .filter(|p| !p.is_empty())
    .map(str::to_string)
    .collect();
    // The default slot matters only when no explicit slot names a profile.
    if out.is_empty() {
        out.push(
            env.truthy_text("AWS_DEFAULT_PROFILE")
                .unwrap_or("default")
                .to_string(),
        );
    }
    out
}

/// Warnings about the files themselves, as v3 reads them; a config-only profile is worth a
/// warning only when a slot asks for it (`requested`).
fn file_warnings(world: &World<'_>, requested: &[String], out: &mut Vec<Warning>) {
    for (role, path, file) in &world.parsed {
        let Ok(file) = file else { continue };
        let is_config = *role == FileRole::V3Config;
        for h in &file.headers {
            if is_config {
                let stripped = ini_v2::strip_profile_prefix(&h.name);
                if stripped == h.name
                    && h.name != "default"
                    && !ini_v2::is_sso_session_section(&h.name)
                {
                    out.push(Warning {
                        code: "config-section-without-profile-prefix",
                        message: format!(
                            "`[{}]` in the config file has no `profile ` prefix: serverless v3 reads it as profile `{}`, the AWS CLI and SDK v3 ignore it",
                            h.name, h.name
                        ),
                        location: Some(h.location.clone()),
                    });
                }
            } else if h.name.starts_with("profile ") {
                out.push(Warning {
                    code: "profile-prefix-in-credentials-file",
                    message: format!(
                        "`[{}]` in the credentials file is the profile `{}` (with the prefix) for serverless v3; the AWS CLI and SDK v3 ignore the section",
                        h.name, h.name
                    ),
                    location: Some(h.location.clone()),
                });
            }
        }
        for ig in &file.ignored {
            let message = match ig.kind {
                IgnoredKind::EmptyValue => "`key =` with an empty value: aws-sdk v2 drops the line",
                IgnoredKind::NoKey => "`= value` without a key: aws-sdk v2 drops the line",
                IgnoredKind::NotAnAssignment => {
                    "neither a section nor `key = value`: aws-sdk v2 ignores the line"
                }
                IgnoredKind::OutsideSection => "a key before any section: aws-sdk v2 ignores it",
                IgnoredKind::ProtoKey => "the key `__proto__` is ignored by aws-sdk v2",
            };
            out.push(Warning {
                code: "ini-line-ignored-by-v3",
                message: message.to_string(),
                location: Some(ig.location.clone()),
            });
        }
        for section in file.sections.values() {
            for prop in section.properties.values() {
                let lower = prop.name.to_ascii_lowercase();
                let known = [
                    "aws_access_key_id",
                    "aws_secret_access_key",
                    "aws_session_token",
                    "role_arn",
                    "source_profile",
                    "region",
                ];
                if prop.name != lower && known.contains(&lower.as_str()) {
                    out.push(Warning {
                        code: "upper-case-key-ignored-by-v3",
                        message: format!(
                            "`{}` is not `{lower}` for aws-sdk v2 (keys are case-sensitive there); serverless v3 ignores it",
                            prop.name
                        ),
                        location: prop.location.clone(),
                    });
                }
            }
        }
        let _ = path;
    }
    // config-only profiles v3 will not see
    if !world.paths.load_config {
        if let Some(config) = world.paths.config.as_deref().and_then(|p| world.file(p)) {
            if let (Ok(config), Ok(main)) = (config, &world.main) {
                if let Ok(profiles) = ini_v2::config_profiles(config) {
                    for (name, p) in profiles {
                        if !main.contains_key(&name) && requested.contains(&name) {
                            out.push(Warning {
                                code: "config-profile-needs-sdk-load-config",
                                message: format!(
                                    "profile `{name}` is defined only in the config file, which serverless v3 reads only when `AWS_SDK_LOAD_CONFIG` is set"
                                ),
                                location: p.sections.first().cloned(),
                            });
                        }
                    }
                }
            }
        }
    }
}

fn role_source_file_warning(world: &World<'_>, effects: &[SideEffect], out: &mut Vec<Warning>) {
    let p = &world.paths;
    if p.credentials != p.default_credentials
        && effects
            .iter()
            .any(|e| matches!(e, SideEffect::AssumeRole { .. }))
    {
        out.push(Warning {
            code: "role-source-ignores-shared-credentials-file",
            message: format!(
                "aws-sdk v2 reads a role's source profile from `{}`, not from `AWS_SHARED_CREDENTIALS_FILE` (`{}`), unless `AWS_SDK_LOAD_CONFIG` is set",
                p.default_credentials.as_deref().unwrap_or("~/.aws/credentials"),
                p.credentials.as_deref().unwrap_or_default()
            ),
            location: None,
        });
    }
}

/// aws-sdk v2's global chain (spec 1.5), when serverless selected nothing.
fn default_chain(world: &World<'_>, decision: &mut Decision) {
    let env = world.input.env;
    let mut win = |provider: &str,
                   profile: Option<String>,
                   env_prefix: Option<String>,
                   credentials: Credentials| {
        decision.winner = Some(Winner {
            source: Source::SdkDefaultChain,
            slot: Slot::DefaultChain,
            selected_by: provider.to_string(),
            profile,
            env_prefix,
            credentials,
        });
    };
    for prefix in ["AWS", "AMAZON"] {
        let id = env
            .get(&format!("{prefix}_ACCESS_KEY_ID"))
            .filter(|v| v.is_truthy());
        let secret = env
            .get(&format!("{prefix}_SECRET_ACCESS_KEY"))
            .filter(|v| v.is_truthy());
        if let (Some(id), Some(secret)) = (id, secret) {
            let creds = Credentials::EnvKeys {
                prefix: prefix.to_string(),
                access_key_id: id.to_secret(),
                secret_access_key: secret.to_secret(),
                session_token: env
                    .get(&format!("{prefix}_SESSION_TOKEN"))
                    .map(Value::to_secret),
            };
            // `env_prefix` names serverless's own prefixes (`AWS`, `AWS_<STAGE>`); the
            // provider name and the credentials carry the SDK's.
            return win(
                &format!("EnvironmentCredentials({prefix})"),
                None,
                None,
                creds,
            );
        }
    }
    let name = env
        .truthy_text("AWS_PROFILE")
        .unwrap_or("default")
        .to_string();
    let profile = world
        .profiles(FileSel::Default)
        .as_ref()
        .ok()
        .and_then(|ps| ps.get(&name));
    if let Some(p) = profile {
        let sso_ok = if p.truthy("sso_session") {
            p.truthy("sso_account_id") && p.truthy("sso_role_name")
        } else {
            [
                "sso_start_url",
                "sso_account_id",
                "sso_region",
                "sso_role_name",
            ]
            .iter()
            .all(|k| p.truthy(k))
        };
        // SsoCredentials fails without a cached token, and the chain moves on.
        let token = if p.truthy("sso_session") {
            world
                .input
                .sso_token_present(p.truthy_text("sso_session"), None)
        } else {
            world
                .input
                .sso_token_present(None, p.truthy_text("sso_start_url"))
        };
        if sso_ok && token {
            decision
                .side_effects
                .push(SideEffect::SsoGetRoleCredentials {
                    profile: name.clone(),
                    slot: Slot::DefaultChain,
                });
            let info = ProfileInfo {
                name: name.clone(),
                defined_at: p.sections.clone(),
                kind: "sso".into(),
                region: p.truthy_text("region").map(str::to_string),
                chain: None,
                chain_error: None,
                account_id: p.truthy_text("sso_account_id").map(str::to_string),
                account_from: p
                    .truthy("sso_account_id")
                    .then(|| "sso_account_id".to_string()),
            };
            return win(
                "SsoCredentials",
                Some(name),
                None,
                Credentials::Profile(info),
            );
        }
        let l = load(world, &name, FileSel::Default, false, &[]);
        if l.role.is_some() || (l.access_key_id.is_some() && l.secret_access_key.is_some()) {
            load_side_effects(&l, Slot::DefaultChain, &mut decision.side_effects);
            return win(
                "SharedIniFileCredentials",
                Some(name),
                None,
                Credentials::Profile(l.info()),
            );
        }
    }
    if env.truthy("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || env.truthy("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    {
        decision.side_effects.push(SideEffect::MetadataEndpoint {
            provider: "ECSCredentials".into(),
        });
        return win(
            "ECSCredentials",
            None,
            None,
            Credentials::External {
                provider: "ECSCredentials".into(),
                detail: "the container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_*`)".into(),
            },
        );
    }
    if let Some(cmd) = profile.and_then(|p| p.truthy_text("credential_process")) {
        decision.side_effects.push(SideEffect::RunsProcess {
            profile: name.clone(),
            command: cmd.to_string(),
            slot: Slot::DefaultChain,
        });
        let info = ProfileInfo {
            name: name.clone(),
            defined_at: profile.map(|p| p.sections.clone()).unwrap_or_default(),
            kind: "credential-process".into(),
            region: profile
                .and_then(|p| p.truthy_text("region"))
                .map(str::to_string),
            chain: None,
            chain_error: None,
            account_id: None,
            account_from: None,
        };
        return win(
            "ProcessCredentials",
            Some(name),
            None,
            Credentials::Profile(info),
        );
    }
    let web = match (
        env.truthy_text("AWS_WEB_IDENTITY_TOKEN_FILE"),
        env.truthy_text("AWS_ROLE_ARN"),
    ) {
        (Some(file), Some(role)) => Some((role.to_string(), file.to_string())),
        _ => profile.and_then(|p| {
            let file = p.truthy_text("web_identity_token_file")?;
            let role = p.truthy_text("role_arn")?;
            Some((role.to_string(), file.to_string()))
        }),
    };
    if let Some((role_arn, token_file)) = web {
        decision
            .side_effects
            .push(SideEffect::AssumeRoleWithWebIdentity {
                role_arn: role_arn.clone(),
                slot: Slot::DefaultChain,
            });
        return win(
            "TokenFileWebIdentityCredentials",
            None,
            None,
            Credentials::WebIdentity {
                provider: "TokenFileWebIdentityCredentials".into(),
                account_id: account_of_arn(&role_arn).map(str::to_string),
                role_arn,
                token_file,
            },
        );
    }
    decision.side_effects.push(SideEffect::MetadataEndpoint {
        provider: "EC2MetadataCredentials".into(),
    });
    decision.errors.push(AwsError::CredentialsNotFound {
        message: "AWS provider credentials not found. Learn how to set up AWS provider credentials in our docs here: <http://slss.io/aws-creds-setup>.".into(),
        help: "nothing selects credentials and the SDK default chain finds none offline; only EC2 instance metadata could still answer".into(),
    });
}
