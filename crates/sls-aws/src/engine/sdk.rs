//! osls 4.3.1's `getAwsSdkV3CredentialsProvider` (spec 1.8b), the order serverless v4 also
//! uses: the first source that is set wins, nothing below it is looked at, and profiles are
//! read by AWS SDK v3's `fromIni` — modelled with the SDK-specification reader
//! ([`crate::ini_spec`]) and chain ([`crate::chain`]).

use super::{
    Candidate, Credentials, Decision, FileUse, Input, Outcome, ProfileInfo, SideEffect, Slot,
    Source, Status, Warning, Winner, candidate, env_keys, file_text, shadow_warnings,
};
use crate::chain::{self, Base, Chain, ChainError};
use crate::error::{AwsError, NotConfigured};
use crate::ini_spec::{self, FileKind, SpecFile, SpecProfiles};
use crate::locate::{Engine, FileRole, SdkPaths, sdk_paths};

struct World<'a> {
    input: &'a Input<'a>,
    paths: SdkPaths,
    creds: Option<SpecFile>,
    config: Option<SpecFile>,
    merged: SpecProfiles,
}

impl<'a> World<'a> {
    fn new(input: &'a Input<'a>) -> Self {
        let paths = sdk_paths(input.env);
        let read = |path: &Option<String>, kind| {
            path.as_deref()
                .and_then(|p| file_text(input.files, p).map(|t| ini_spec::parse(t, p, kind)))
        };
        let creds = read(&paths.credentials, FileKind::Credentials);
        let config = read(&paths.config, FileKind::Config);
        let files: Vec<&SpecFile> = config.iter().chain(creds.iter()).collect();
        let merged = ini_spec::merge(&files);
        World {
            input,
            paths,
            creds,
            config,
            merged,
        }
    }

    fn headers<'s>(file: &'s Option<SpecFile>) -> impl Iterator<Item = &'s str> + 's {
        file.iter()
            .flat_map(|f| f.sections.iter().map(|s| s.header.trim()))
    }

    /// osls's `doesProfileExist`: a credentials section of that name, or a config
    /// `[name]` / `[profile name]` (quotes allowed).
    fn section_exists(&self, name: &str) -> bool {
        Self::headers(&self.creds).any(|h| h == name)
            || Self::headers(&self.config).any(|h| is_config_profile_section(h, name))
    }
}

fn is_config_profile_section(section: &str, profile: &str) -> bool {
    if section == profile {
        return true;
    }
    let Some(rest) = section.strip_prefix("profile") else {
        return false;
    };
    if !rest.starts_with(char::is_whitespace) {
        return false;
    }
    let name = rest.trim();
    name == profile || name == format!("\"{profile}\"") || name == format!("'{profile}'")
}

/// What `fromProfile(name)` gives: the profile's chain, or the error osls raises.
fn from_profile(world: &World<'_>, name: &str) -> (ProfileInfo, Option<AwsError>) {
    let set = &world.merged.set;
    let p = set.get(name);
    let defined_at = p.map(|p| p.sections.clone()).unwrap_or_default();
    let region = p.and_then(|p| p.truthy_text("region")).map(str::to_string);
    let location = defined_at.first().cloned();
    let resolved = chain::resolve(set, name);
    let error = match &resolved {
        Ok(chain) => chain_error(world.input, name, chain, location.clone()),
        Err(e) => Some(map_error(name, e, location.clone())),
    };
    (
        ProfileInfo::from_chain(name, defined_at, region, resolved),
        error,
    )
}

fn chain_error(
    input: &Input<'_>,
    name: &str,
    chain: &Chain,
    location: Option<crate::span::Location>,
) -> Option<AwsError> {
    if let Base::Sso {
        profile,
        session,
        start_url,
        ..
    } = &chain.base
    {
        if !input.sso_token_present(session.as_deref(), start_url.as_deref()) {
            let key = session
                .as_deref()
                .or(start_url.as_deref())
                .unwrap_or_default();
            return Some(AwsError::SsoLoginUnavailable {
                profile: profile.clone(),
                help: format!(
                    "no cached SSO token (~/.aws/sso/cache/{}.json): run `aws sso login --profile {profile}` first",
                    crate::locate::sso_cache_key(key)
                ),
                span: location.as_ref().map(|l| l.span.source_span()),
                location,
            });
        }
    }
    if let Base::CredentialSource { source, profile } = &chain.base {
        if !["EcsContainer", "Ec2InstanceMetadata", "Environment"].contains(&source.as_str()) {
            return Some(AwsError::SdkCredentials {
                profile: name.to_string(),
                message: format!(
                    "Unsupported credential source in profile {profile}. Got {source}, expected EcsContainer or Ec2InstanceMetadata or Environment."
                ),
                span: location.as_ref().map(|l| l.span.source_span()),
                location,
            });
        }
    }
    None
}

/// How osls reports a chain that cannot be built.
fn map_error(name: &str, e: &ChainError, location: Option<crate::span::Location>) -> AwsError {
    let unrecognized = |profile: &str, reason: NotConfigured| {
        AwsError::unrecognized(profile, reason, location.clone())
    };
    match e {
        ChainError::NoProfiles | ChainError::MissingProfile { .. } => {
            unrecognized(name, NotConfigured::ProfileNotFound)
        }
        ChainError::MissingSourceProfile { name: source, .. } => {
            unrecognized(source, NotConfigured::ProfileNotFound)
        }
        ChainError::RoleWithoutSource { profile } | ChainError::BothSources { profile } => {
            unrecognized(profile, NotConfigured::RoleWithoutSourceProfile)
        }
        ChainError::NoCredentials { profile }
        | ChainError::PartialKeys { profile, .. }
        | ChainError::WebIdentityWithoutRole { profile } => {
            unrecognized(profile, NotConfigured::NoCredentials { kind: None })
        }
        ChainError::Loop { visited } => AwsError::SdkCredentials {
            profile: name.to_string(),
            message: format!(
                "Detected a cycle attempting to resolve credentials for profile {name}. Profiles visited: {}",
                visited
                    .iter()
                    .skip(1)
                    .cloned()
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            span: location.as_ref().map(|l| l.span.source_span()),
            location,
        },
        other => AwsError::SdkCredentials {
            profile: name.to_string(),
            message: other.to_string(),
            span: location.as_ref().map(|l| l.span.source_span()),
            location,
        },
    }
}

fn chain_side_effects(chain: &Chain, slot: Slot, out: &mut Vec<SideEffect>) {
    match &chain.base {
        Base::Sso { profile, .. } => out.push(SideEffect::SsoGetRoleCredentials {
            profile: profile.clone(),
            slot,
        }),
        Base::Process { profile, command } => out.push(SideEffect::RunsProcess {
            profile: profile.clone(),
            command: command.clone(),
            slot,
        }),
        Base::WebIdentity { role_arn, .. } => out.push(SideEffect::AssumeRoleWithWebIdentity {
            role_arn: role_arn.clone(),
            slot,
        }),
        Base::CredentialSource { source, .. } if source != "Environment" => {
            out.push(SideEffect::MetadataEndpoint {
                provider: source.clone(),
            })
        }
        _ => {}
    }
    for hop in &chain.hops {
        if let Some(serial) = &hop.mfa_serial {
            out.push(SideEffect::MfaPrompt {
                profile: hop.profile.clone(),
                serial: serial.clone(),
                slot,
                shadowed: false,
            });
        }
        out.push(SideEffect::AssumeRole {
            profile: hop.profile.clone(),
            role_arn: hop.role_arn.clone(),
            region: None,
            slot,
            shadowed: false,
        });
    }
}

/// Runs osls 4's first-match order.
pub fn decide(input: &Input<'_>) -> Decision {
    let world = World::new(input);
    let env = input.env;
    let prefix = input.stage_prefix();
    let stage_profile_var = format!("{prefix}_PROFILE");
    let mut decision = Decision {
        engine: Engine::Sdk,
        outcome: Outcome::Error,
        winner: None,
        candidates: Vec::new(),
        errors: Vec::new(),
        side_effects: Vec::new(),
        warnings: Vec::new(),
        files: file_uses(&world),
    };
    for file in world.config.iter().chain(world.creds.iter()) {
        for e in &file.errors {
            decision.errors.push(e.clone());
        }
    }
    for w in &world.merged.warnings {
        decision.warnings.push(Warning {
            code: "ini-section-ignored-by-sdk",
            message: w.message.clone(),
            location: Some(w.location.clone()),
        });
    }

    enum Pick {
        Profile(String),
        Env(String),
    }
    let mut slots: Vec<(Slot, String, Option<Pick>)> = Vec::new();
    let cli = input.aws_profile.filter(|p| !p.is_empty());
    slots.push((
        Slot::AwsProfileFlag,
        "--aws-profile".into(),
        cli.map(|p| Pick::Profile(p.into())),
    ));
    slots.push((
        Slot::StageProfileEnv,
        stage_profile_var.clone(),
        env.truthy_text(&stage_profile_var)
            .map(|p| Pick::Profile(p.into())),
    ));
    let stage_keys = env_keys(env, &prefix);
    slots.push((
        Slot::StageKeysEnv,
        format!("{prefix}_ACCESS_KEY_ID"),
        matches!(stage_keys, Ok(Some(_))).then(|| Pick::Env(prefix.clone())),
    ));
    slots.push((
        Slot::AwsProfileEnv,
        "AWS_PROFILE".into(),
        env.truthy_text("AWS_PROFILE")
            .map(|p| Pick::Profile(p.into())),
    ));
    let keys = env_keys(env, "AWS");
    slots.push((
        Slot::KeysEnv,
        "AWS_ACCESS_KEY_ID".into(),
        matches!(keys, Ok(Some(_))).then(|| Pick::Env("AWS".into())),
    ));
    slots.push((
        Slot::ProviderProfile,
        "provider.profile".into(),
        input
            .provider_profile
            .filter(|p| !p.is_empty())
            .map(|p| Pick::Profile(p.into())),
    ));
    let default_var = env.truthy_text("AWS_DEFAULT_PROFILE");
    slots.push((
        Slot::DefaultProfile,
        if default_var.is_some() {
            "AWS_DEFAULT_PROFILE"
        } else {
            "default"
        }
        .into(),
        Some(Pick::Profile(default_var.unwrap_or("default").into())),
    ));

    let mut candidates: Vec<Candidate> = Vec::new();
    let mut decided = false;
    for (slot, selector, pick) in slots {
        let value = match &pick {
            Some(Pick::Profile(p)) | Some(Pick::Env(p)) => Some(p.as_str()),
            None => None,
        };
        let mut c = candidate(slot, &selector, value);
        let Some(pick) = pick else {
            if let (Slot::StageKeysEnv, Err(why)) | (Slot::KeysEnv, Err(why)) = (
                slot,
                if slot == Slot::StageKeysEnv {
                    &stage_keys
                } else {
                    &keys
                },
            ) {
                c.status = Status::Ignored;
                c.reason = format!("{why}: the pair is skipped");
            }
            candidates.push(c);
            continue;
        };
        if decided {
            c.status = Status::Skipped;
            c.reason = "osls stops at the first source that is set".into();
            candidates.push(c);
            continue;
        }
        decided = true;
        match pick {
            Pick::Env(prefix) => {
                let creds = env_keys(env, &prefix).ok().flatten();
                if let Some(credentials) = creds {
                    c.status = Status::Won;
                    c.reason = "set".into();
                    decision.winner = Some(Winner {
                        source: Source::Env,
                        slot,
                        selected_by: selector.clone(),
                        profile: None,
                        env_prefix: Some(prefix),
                        credentials,
                    });
                }
            }
            Pick::Profile(name) => {
                let implicit = slot == Slot::DefaultProfile;
                if implicit && default_var.is_some() && !world.section_exists(&name) {
                    c.status = Status::Failed;
                    c.reason =
                        "no section of that name: osls falls back to the default chain".into();
                    decision.warnings.push(Warning {
                        code: "default-profile-not-found",
                        message: format!(
                            "Profile \"{name}\" (from AWS_DEFAULT_PROFILE) was not found in the AWS credentials or config files; falling back to the default provider chain."
                        ),
                        location: None,
                    });
                    candidates.push(c);
                    node_chain(&world, &mut decision);
                    continue;
                }
                let (info, error) = from_profile(&world, &name);
                match error {
                    Some(_)
                        if implicit
                            && default_var.is_none()
                            && !world.section_exists("default") =>
                    {
                        c.status = Status::NotSet;
                        c.reason = "no `default` section: osls uses the SDK default chain".into();
                        candidates.push(c);
                        node_chain(&world, &mut decision);
                        continue;
                    }
                    Some(err) => {
                        c.status = Status::Failed;
                        c.reason = err.to_string();
                        decision.errors.push(err);
                    }
                    None => {
                        c.status = Status::Won;
                        c.reason = "first source that is set".into();
                        if let Some(chain) = &info.chain {
                            chain_side_effects(chain, slot, &mut decision.side_effects);
                        }
                        divergence_warning(&world, &name, &mut decision.warnings);
                        decision.winner = Some(Winner {
                            source: Source::Profile,
                            slot,
                            selected_by: selector.clone(),
                            profile: Some(name),
                            env_prefix: None,
                            credentials: Credentials::Profile(info),
                        });
                    }
                }
            }
        }
        candidates.push(c);
    }
    decision.candidates = candidates;
    decision.outcome = if decision.winner.is_some() && decision.errors.is_empty() {
        Outcome::Credentials
    } else {
        Outcome::Error
    };
    shadow_warnings(input, &mut decision);
    decision
}

/// `fromNodeProviderChain` when osls selected nothing: env keys, the `default` profile, the
/// container endpoint, web identity from the environment, then instance metadata.
fn node_chain(world: &World<'_>, decision: &mut Decision) {
    let env = world.input.env;
    let mut win = |provider: &str, profile: Option<String>, credentials: Credentials| {
        decision.winner = Some(Winner {
            source: Source::SdkDefaultChain,
            slot: Slot::DefaultChain,
            selected_by: provider.to_string(),
            profile,
            env_prefix: None,
            credentials,
        });
    };
    if world.merged.set.get("default").is_some() {
        let (info, error) = from_profile(world, "default");
        if error.is_none() {
            if let Some(chain) = &info.chain {
                chain_side_effects(chain, Slot::DefaultChain, &mut decision.side_effects);
            }
            return win(
                "fromIni",
                Some("default".into()),
                Credentials::Profile(info),
            );
        }
    }
    if env.truthy("AWS_CONTAINER_CREDENTIALS_RELATIVE_URI")
        || env.truthy("AWS_CONTAINER_CREDENTIALS_FULL_URI")
    {
        decision.side_effects.push(SideEffect::MetadataEndpoint {
            provider: "fromContainerMetadata".into(),
        });
        return win(
            "fromContainerMetadata",
            None,
            Credentials::External {
                provider: "fromContainerMetadata".into(),
                detail: "the container credentials endpoint (`AWS_CONTAINER_CREDENTIALS_*`)".into(),
            },
        );
    }
    if let (Some(token_file), Some(role)) = (
        env.truthy_text("AWS_WEB_IDENTITY_TOKEN_FILE"),
        env.truthy_text("AWS_ROLE_ARN"),
    ) {
        decision
            .side_effects
            .push(SideEffect::AssumeRoleWithWebIdentity {
                role_arn: role.to_string(),
                slot: Slot::DefaultChain,
            });
        return win(
            "fromTokenFile",
            None,
            Credentials::WebIdentity {
                provider: "fromTokenFile".into(),
                role_arn: role.to_string(),
                token_file: token_file.to_string(),
                account_id: crate::chain::account_of_arn(role).map(str::to_string),
            },
        );
    }
    decision.side_effects.push(SideEffect::MetadataEndpoint {
        provider: "fromInstanceMetadata".into(),
    });
    decision.errors.push(AwsError::CredentialsNotFound {
        message: "AWS provider credentials not found. Learn how to set up AWS provider credentials in our docs here: <http://slss.io/aws-creds-setup>.".into(),
        help: "nothing selects credentials and the SDK default chain finds none offline; only EC2 instance metadata could still answer".into(),
    });
}

/// osls warns when a profile has static keys in the credentials file and a `role_arn` in the
/// config file (the keys only sign the AssumeRole call).
fn divergence_warning(world: &World<'_>, name: &str, out: &mut Vec<Warning>) {
    let has = |file: &Option<SpecFile>, config: bool, key: &str| {
        file.iter().flat_map(|f| f.sections.iter()).any(|s| {
            let h = s.header.trim();
            let matches = if config {
                is_config_profile_section(h, name)
            } else {
                h == name
            };
            matches && s.properties.iter().any(|p| p.key == key)
        })
    };
    if has(&world.creds, false, "aws_access_key_id") && has(&world.config, true, "role_arn") {
        out.push(Warning {
            code: "static-keys-sign-role",
            message: format!(
                "Profile \"{name}\" resolves via the role_arn configured in the AWS config file; the static keys in the credentials file are used only as source credentials for the AssumeRole call, so commands run under the assumed role identity."
            ),
            location: None,
        });
    }
}

fn file_uses(world: &World<'_>) -> Vec<FileUse> {
    let mut out = Vec::new();
    for (role, path) in [
        (FileRole::SdkCredentials, &world.paths.credentials),
        (FileRole::SdkConfig, &world.paths.config),
    ] {
        if let Some(path) = path {
            out.push(FileUse {
                role,
                path: path.clone(),
                exists: file_text(world.input.files, path).is_some(),
                read: true,
            });
        }
    }
    out
}
