//! The two credential engines and the decision they produce.
//!
//! [`decide`] runs serverless v3's algorithm ([`v3`], spec 1.2 to 1.5: last valid source wins,
//! profile steps throw, the aws-sdk v2 default chain when nothing was selected) or osls 4's
//! ([`sdk`], spec 1.8b: first match, the SDK-specification reader). Both return a
//! [`Decision`]: the winner, every candidate with what happened to it, the errors the tool
//! would raise, the side effects it would cause, and warnings.

pub mod sdk;
pub mod v3;

use crate::chain::{self, Chain, ChainError};
use crate::env::Env;
use crate::error::AwsError;
use crate::js::js_to_upper;
use crate::locate::{Engine, FileContents};
use crate::secret::Secret;
use crate::span::Location;
use serde::Serialize;
use std::collections::BTreeSet;

/// What the engines need to know.
#[derive(Debug, Clone, Copy)]
pub struct Input<'a> {
    /// The environment after `.env` loading.
    pub env: &'a Env,
    /// The stage as serverless resolved it.
    pub stage: &'a str,
    /// `provider.profile` after variable resolution (`None` when unset or not a string).
    pub provider_profile: Option<&'a str>,
    /// `--aws-profile`.
    pub aws_profile: Option<&'a str>,
    /// The texts of the files [`crate::locate::files_needed`] asked for.
    pub files: &'a FileContents,
    /// The file stems in `<home>/.aws/sso/cache` (see [`crate::locate::sso_cache_key`]);
    /// `None` when nobody looked, and then every SSO token counts as present. Only names: a
    /// token file holds an access token and is never read.
    pub sso_cache: Option<&'a BTreeSet<String>>,
}

impl Input<'_> {
    /// `AWS_<STAGE>`, with JavaScript's `toUpperCase()`.
    pub fn stage_prefix(&self) -> String {
        format!("AWS_{}", js_to_upper(self.stage))
    }

    /// Whether the SDKs would find an SSO token for this session name (`sso_session`) or, for
    /// a legacy profile, start URL.
    pub fn sso_token_present(&self, session: Option<&str>, start_url: Option<&str>) -> bool {
        let Some(cache) = self.sso_cache else {
            return true;
        };
        session
            .or(start_url)
            .is_some_and(|k| cache.contains(&crate::locate::sso_cache_key(k)))
    }
}

/// The places credentials can be selected from, highest priority first.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Slot {
    AwsProfileFlag,
    StageProfileEnv,
    StageKeysEnv,
    AwsProfileEnv,
    KeysEnv,
    ProviderProfile,
    DefaultProfile,
    DefaultChain,
}

/// Where the winning credentials come from.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Source {
    Profile,
    Env,
    SdkDefaultChain,
}

/// What happened to one candidate.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Status {
    /// It provides the credentials.
    Won,
    /// Usable, but a higher-priority candidate won.
    Shadowed,
    /// The variable, option or property is not set.
    NotSet,
    /// Not looked at (`provider.profile` with `--aws-profile`; slots below an osls winner).
    Skipped,
    /// Looked at and silently ignored (a key id without a secret, a profile with only a token).
    Ignored,
    /// Its profile cannot be used: the tool raises an error (or, for the default slot of v3,
    /// swallows it).
    Failed,
}

/// One place credentials could come from, as the engine saw it.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Candidate {
    pub slot: Slot,
    /// What names it: `--aws-profile`, `AWS_PROD_PROFILE`, `AWS_ACCESS_KEY_ID`, `provider.profile`...
    pub selector: String,
    /// The profile name, or the variable prefix for key pairs.
    pub value: Option<String>,
    pub status: Status,
    /// Why, in a few lower-case words.
    pub reason: String,
}

/// Credentials as shown: masked keys, or the chain of a profile.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Credentials {
    /// A key pair from environment variables `<prefix>_ACCESS_KEY_ID`, ...
    EnvKeys {
        prefix: String,
        access_key_id: Secret,
        secret_access_key: Secret,
        session_token: Option<Secret>,
    },
    /// A profile of the AWS files.
    Profile(ProfileInfo),
    /// The SDK default chain's web identity provider: `AWS_WEB_IDENTITY_TOKEN_FILE` +
    /// `AWS_ROLE_ARN` (or a default profile's `web_identity_token_file` + `role_arn`), traded
    /// for credentials by an STS `AssumeRoleWithWebIdentity` call.
    WebIdentity {
        provider: String,
        role_arn: String,
        token_file: String,
        /// The account of `role_arn`.
        account_id: Option<String>,
    },
    /// A provider of the SDK default chain that needs the network or a process to answer
    /// (`ECSCredentials`, `EC2MetadataCredentials`, ...).
    External { provider: String, detail: String },
}

impl Credentials {
    /// `static-keys`, `assume-role`, `sso`, `credential-process`, `env`, ...
    pub fn kind(&self) -> &str {
        match self {
            Credentials::EnvKeys { .. } => "env",
            Credentials::Profile(p) => &p.kind,
            Credentials::WebIdentity { .. } => "web-identity",
            Credentials::External { .. } => "external",
        }
    }

    pub fn account_id(&self) -> Option<&str> {
        match self {
            Credentials::Profile(p) => p.account_id.as_deref(),
            Credentials::WebIdentity { account_id, .. } => account_id.as_deref(),
            _ => None,
        }
    }
}

/// The profile behind the credentials.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct ProfileInfo {
    pub name: String,
    /// Every `[section]` header that defines it, in the files this world reads.
    pub defined_at: Vec<Location>,
    /// `static-keys`, `assume-role`, `sso`, `credential-process`, `credential-source`,
    /// `web-identity`, `login`, or `unusable`.
    pub kind: String,
    pub region: Option<String>,
    /// The chain as this world follows it, when it can be built.
    pub chain: Option<Chain>,
    /// Why the chain cannot be built.
    pub chain_error: Option<String>,
    /// The account the credentials belong to, when the files say.
    pub account_id: Option<String>,
    /// Which key gave the account (`role_arn`, `sso_account_id`, `aws_account_id`).
    pub account_from: Option<String>,
}

impl ProfileInfo {
    pub(crate) fn from_chain(
        name: &str,
        defined_at: Vec<Location>,
        region: Option<String>,
        chain: Result<Chain, ChainError>,
    ) -> Self {
        match chain {
            Ok(chain) => {
                let kind = if chain.hops.is_empty() {
                    chain.base.kind().to_string()
                } else {
                    "assume-role".to_string()
                };
                let account_from = chain.account_id().map(|_| {
                    match (&chain.base, chain.hops.is_empty()) {
                        (_, false) | (chain::Base::WebIdentity { .. }, true) => "role_arn",
                        (chain::Base::Sso { .. }, true) => "sso_account_id",
                        _ => "aws_account_id",
                    }
                    .to_string()
                });
                ProfileInfo {
                    name: name.to_string(),
                    defined_at,
                    kind,
                    region,
                    account_id: chain.account_id().map(str::to_string),
                    account_from,
                    chain: Some(chain),
                    chain_error: None,
                }
            }
            Err(e) => ProfileInfo {
                name: name.to_string(),
                defined_at,
                kind: "unusable".into(),
                region,
                chain: None,
                chain_error: Some(e.to_string()),
                account_id: None,
                account_from: None,
            },
        }
    }
}

/// The winner.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Winner {
    pub source: Source,
    pub slot: Slot,
    /// The candidate's selector (`--aws-profile`, `AWS_PROFILE`, ...), or the default-chain
    /// provider's name.
    pub selected_by: String,
    pub profile: Option<String>,
    /// `AWS` or `AWS_<STAGE>` (or `AMAZON` in the default chain) for key pairs.
    pub env_prefix: Option<String>,
    pub credentials: Credentials,
}

/// Something the tool does while choosing credentials, before any deploy step.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum SideEffect {
    /// An STS `AssumeRole` call.
    AssumeRole {
        profile: String,
        role_arn: String,
        region: Option<String>,
        /// The candidate whose evaluation causes it.
        slot: Slot,
        /// The candidate does not win: the call is made anyway.
        shadowed: bool,
    },
    /// `Enter MFA code for <serial>: ` on the terminal; the run blocks until answered.
    MfaPrompt {
        profile: String,
        serial: String,
        slot: Slot,
        shadowed: bool,
    },
    /// A call to IAM Identity Center with the cached login token.
    SsoGetRoleCredentials { profile: String, slot: Slot },
    /// Runs `credential_process` (sls-resolve never does).
    RunsProcess {
        profile: String,
        command: String,
        slot: Slot,
    },
    /// An STS `AssumeRoleWithWebIdentity` call.
    AssumeRoleWithWebIdentity { role_arn: String, slot: Slot },
    /// An HTTP call to the container or instance metadata endpoint.
    MetadataEndpoint { provider: String },
}

/// A warning the engine raises.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Warning {
    /// Stable kebab-case code (listed in docs/report.md).
    pub code: &'static str,
    pub message: String,
    pub location: Option<Location>,
}

/// How the run ends.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Outcome {
    /// Credentials are chosen (they may still need an STS or SSO call to materialise).
    Credentials,
    /// The tool raises an error before a deploy can start.
    Error,
}

/// Everything an engine found.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Decision {
    pub engine: Engine,
    pub outcome: Outcome,
    pub winner: Option<Winner>,
    /// Highest priority first.
    pub candidates: Vec<Candidate>,
    /// In the order the tool meets them; the first is the one it prints.
    pub errors: Vec<AwsError>,
    pub side_effects: Vec<SideEffect>,
    pub warnings: Vec<Warning>,
    /// The files this world reads and whether they exist.
    pub files: Vec<FileUse>,
}

/// A file an engine reads.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileUse {
    pub role: crate::locate::FileRole,
    pub path: String,
    pub exists: bool,
    /// Whether this world reads it at all (v3 skips the config file without
    /// `AWS_SDK_LOAD_CONFIG`).
    pub read: bool,
}

/// Runs `engine` on `input`.
pub fn decide(engine: Engine, input: &Input<'_>) -> Decision {
    match engine {
        Engine::V3 => v3::decide(input),
        Engine::Sdk => sdk::decide(input),
    }
}

/// The text of a file, when it exists.
pub(crate) fn file_text<'a>(files: &'a FileContents, path: &str) -> Option<&'a str> {
    files.get(path).and_then(|t| t.as_deref())
}

/// Key pair from `<prefix>_ACCESS_KEY_ID` and `<prefix>_SECRET_ACCESS_KEY`; `Err` names what
/// is missing when one of them is set.
pub(crate) fn env_keys(env: &Env, prefix: &str) -> Result<Option<Credentials>, String> {
    let id = env
        .get(&format!("{prefix}_ACCESS_KEY_ID"))
        .filter(|v| v.is_truthy());
    let secret = env
        .get(&format!("{prefix}_SECRET_ACCESS_KEY"))
        .filter(|v| v.is_truthy());
    match (id, secret) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(format!("`{prefix}_SECRET_ACCESS_KEY` is not set")),
        (None, Some(_)) => Err(format!("`{prefix}_ACCESS_KEY_ID` is not set")),
        (Some(id), Some(secret)) => Ok(Some(Credentials::EnvKeys {
            prefix: prefix.to_string(),
            access_key_id: id.to_secret(),
            secret_access_key: secret.to_secret(),
            session_token: env
                .get(&format!("{prefix}_SESSION_TOKEN"))
                .filter(|v| v.is_truthy())
                .map(|v| v.to_secret()),
        })),
    }
}

/// Candidate builder shared by both engines.
pub(crate) fn candidate(slot: Slot, selector: impl Into<String>, value: Option<&str>) -> Candidate {
    Candidate {
        slot,
        selector: selector.into(),
        value: value.map(str::to_string),
        status: Status::NotSet,
        reason: "not set".into(),
    }
}

/// The warnings every engine raises on the winner and the candidates.
pub(crate) fn shadow_warnings(input: &Input<'_>, decision: &mut Decision) {
    let Some(winner) = &decision.winner else {
        return;
    };
    let Some(profile) = input.provider_profile.filter(|p| !p.is_empty()) else {
        return;
    };
    if winner.slot < Slot::ProviderProfile && winner.profile.as_deref() != Some(profile) {
        let code = match winner.slot {
            Slot::AwsProfileFlag => "aws-profile-flag-overrides-provider-profile",
            Slot::KeysEnv | Slot::StageKeysEnv => "env-keys-shadow-provider-profile",
            _ => "env-profile-shadows-provider-profile",
        };
        let what = match &winner.profile {
            Some(p) => format!("profile `{p}`"),
            None => format!(
                "the `{}_*` key pair",
                winner.env_prefix.as_deref().unwrap_or("AWS")
            ),
        };
        decision.warnings.push(Warning {
            code,
            message: format!(
                "`{}` selects {what}, shadowing `provider.profile` = `{profile}`",
                winner.selected_by
            ),
            location: None,
        });
    }
}
