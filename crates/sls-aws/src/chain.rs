//! The SDK-specification credential chain of one selected profile (smithy-rs `repr.rs`, the
//! `assume-role-tests.json` vectors): a base provider followed by zero or more `AssumeRole` hops.
//!
//! Pure data: nothing is resolved, no role is assumed. The account a chain lands in is read
//! from the last role's ARN (or the SSO account id, or `aws_account_id`) where that is possible
//! offline.

use crate::profile::{Profile, ProfileSet};
use crate::secret::Secret;
use crate::span::Location;
use serde::Serialize;

/// Where the first credentials of a chain come from.
#[derive(Debug, Clone, PartialEq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub enum Base {
    /// `aws_access_key_id` and `aws_secret_access_key` (masked) in `profile`.
    StaticKeys {
        profile: String,
        access_key_id: Secret,
        secret_access_key: Secret,
        session_token: Option<Secret>,
        account_id: Option<String>,
        location: Option<Location>,
    },
    /// `credential_source = Environment | Ec2InstanceMetadata | EcsContainer`.
    CredentialSource { profile: String, source: String },
    /// `web_identity_token_file` with `role_arn` (a base provider, not a hop).
    WebIdentity {
        profile: String,
        role_arn: String,
        token_file: String,
    },
    /// IAM Identity Center: an account and role, or only a session (a token, no credentials).
    Sso {
        profile: String,
        account_id: Option<String>,
        role_name: Option<String>,
        session: Option<String>,
        start_url: Option<String>,
        region: Option<String>,
    },
    /// `credential_process`: a command sls-resolve never runs.
    Process { profile: String, command: String },
    /// `login_session` (the `aws login` provider).
    Login { profile: String },
}

impl Base {
    /// The short kind name used in reports (`static-keys`, `sso`, ...).
    pub fn kind(&self) -> &'static str {
        match self {
            Base::StaticKeys { .. } => "static-keys",
            Base::CredentialSource { .. } => "credential-source",
            Base::WebIdentity { .. } => "web-identity",
            Base::Sso { .. } => "sso",
            Base::Process { .. } => "credential-process",
            Base::Login { .. } => "login",
        }
    }

    /// The account the base credentials belong to, when the files say.
    pub fn account_id(&self) -> Option<&str> {
        match self {
            Base::StaticKeys { account_id, .. } => account_id.as_deref(),
            Base::WebIdentity { role_arn, .. } => account_of_arn(role_arn),
            Base::Sso { account_id, .. } => account_id.as_deref(),
            _ => None,
        }
    }
}

/// One `AssumeRole` call of a chain.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Hop {
    /// The profile holding the `role_arn`.
    pub profile: String,
    pub role_arn: String,
    pub mfa_serial: Option<String>,
    pub external_id: Option<String>,
    pub role_session_name: Option<String>,
    pub location: Option<Location>,
}

/// A resolved chain: the base first, then the hops in the order they are assumed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Chain {
    pub base: Base,
    /// Applied from first to last; the last hop's role is the identity used.
    pub hops: Vec<Hop>,
}

impl Chain {
    /// The account the final credentials belong to, when it can be known offline.
    pub fn account_id(&self) -> Option<&str> {
        match self.hops.last() {
            Some(hop) => account_of_arn(&hop.role_arn),
            None => self.base.account_id(),
        }
    }
}

/// Why a chain cannot be built (the smithy-rs errors, lower-case).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, thiserror::Error)]
#[serde(tag = "reason", rename_all = "kebab-case")]
pub enum ChainError {
    #[error("no profiles were defined")]
    NoProfiles,
    #[error("could not find source profile {name} referenced from {from}")]
    MissingSourceProfile { name: String, from: String },
    #[error("profile `{name}` is not defined")]
    MissingProfile { name: String },
    #[error("profile formed an infinite loop: {}", visited.join(" -> "))]
    Loop { visited: Vec<String> },
    #[error(
        "profile must contain `source_profile` or `credential_source` but neither were defined (profile `{profile}`)"
    )]
    RoleWithoutSource { profile: String },
    #[error("profile contained both source_profile and credential_source (profile `{profile}`)")]
    BothSources { profile: String },
    #[error("profile missing {missing} (profile `{profile}`)")]
    PartialKeys { profile: String, missing: String },
    #[error("profile `{profile}` did not contain credential information")]
    NoCredentials { profile: String },
    #[error(
        "profile `{profile}`: `web_identity_token_file` was specified but `role_arn` was missing"
    )]
    WebIdentityWithoutRole { profile: String },
    #[error("profile `{profile}`: if `{set}` is set, then `{missing}` must also be set")]
    SsoPartial {
        profile: String,
        set: String,
        missing: String,
    },
    #[error(
        "profile `{profile}`: `{key}` can only be specified in the [sso-session] config when a session name is given"
    )]
    SsoKeyWithSession { profile: String, key: String },
    #[error("sso-session named `{session}` (referenced by profile `{profile}`) was not found")]
    SsoSessionMissing { profile: String, session: String },
}

/// The account id in an ARN (`arn:aws:iam::123456789012:role/x`), if it has one.
pub fn account_of_arn(arn: &str) -> Option<&str> {
    let mut parts = arn.splitn(6, ':');
    if parts.next()? != "arn" {
        return None;
    }
    let account = parts.nth(3)?;
    (!account.is_empty()).then_some(account)
}

fn text<'a>(p: &'a Profile, key: &str) -> Option<&'a str> {
    p.text(key)
}

/// Static keys of a profile: `Ok(None)` when it has neither, an error when it has one.
fn static_keys(p: &Profile) -> Result<Option<Base>, ChainError> {
    let id = p.get("aws_access_key_id");
    let secret = p.get("aws_secret_access_key");
    match (id, secret) {
        (None, None) => Ok(None),
        (Some(_), None) => Err(ChainError::PartialKeys {
            profile: p.name.clone(),
            missing: "aws_secret_access_key".into(),
        }),
        (None, Some(_)) => Err(ChainError::PartialKeys {
            profile: p.name.clone(),
            missing: "aws_access_key_id".into(),
        }),
        (Some(id), Some(secret)) => Ok(Some(Base::StaticKeys {
            profile: p.name.clone(),
            access_key_id: id.to_secret(),
            secret_access_key: secret.to_secret(),
            session_token: p.get("aws_session_token").map(|v| v.to_secret()),
            account_id: text(p, "aws_account_id").map(str::to_string),
            location: p.location_of("aws_access_key_id").cloned(),
        })),
    }
}

fn sso_base(p: &Profile, set: &ProfileSet) -> Result<Option<Base>, ChainError> {
    let session = text(p, "sso_session");
    let account = text(p, "sso_account_id");
    let role = text(p, "sso_role_name");
    let has_any = session.is_some()
        || account.is_some()
        || role.is_some()
        || text(p, "sso_start_url").is_some()
        || text(p, "sso_region").is_some();
    if !has_any {
        return Ok(None);
    }
    let (start_url, region) = match session {
        Some(s) => {
            for key in ["sso_region", "sso_start_url"] {
                if text(p, key).is_some() {
                    return Err(ChainError::SsoKeyWithSession {
                        profile: p.name.clone(),
                        key: key.into(),
                    });
                }
            }
            let sess = set
                .sso_sessions
                .get(s)
                .ok_or_else(|| ChainError::SsoSessionMissing {
                    profile: p.name.clone(),
                    session: s.to_string(),
                })?;
            (text(sess, "sso_start_url"), text(sess, "sso_region"))
        }
        None => (text(p, "sso_start_url"), text(p, "sso_region")),
    };
    match (account, role) {
        (Some(_), None) => {
            return Err(ChainError::SsoPartial {
                profile: p.name.clone(),
                set: "sso_account_id".into(),
                missing: "sso_role_name".into(),
            });
        }
        (None, Some(_)) => {
            return Err(ChainError::SsoPartial {
                profile: p.name.clone(),
                set: "sso_role_name".into(),
                missing: "sso_account_id".into(),
            });
        }
        _ => {}
    }
    Ok(Some(Base::Sso {
        profile: p.name.clone(),
        account_id: account.map(str::to_string),
        role_name: role.map(str::to_string),
        session: session.map(str::to_string),
        start_url: start_url.map(str::to_string),
        region: region.map(str::to_string),
    }))
}

/// The base provider of a profile that is not a role link.
fn base_of(p: &Profile, set: &ProfileSet) -> Result<Base, ChainError> {
    if let Some(source) = text(p, "credential_source") {
        return Ok(Base::CredentialSource {
            profile: p.name.clone(),
            source: source.to_string(),
        });
    }
    if let Some(file) = text(p, "web_identity_token_file") {
        return match text(p, "role_arn") {
            Some(role) => Ok(Base::WebIdentity {
                profile: p.name.clone(),
                role_arn: role.to_string(),
                token_file: file.to_string(),
            }),
            None => Err(ChainError::WebIdentityWithoutRole {
                profile: p.name.clone(),
            }),
        };
    }
    if let Some(sso) = sso_base(p, set)? {
        return Ok(sso);
    }
    if text(p, "login_session").is_some() {
        return Ok(Base::Login {
            profile: p.name.clone(),
        });
    }
    if let Some(cmd) = text(p, "credential_process") {
        return Ok(Base::Process {
            profile: p.name.clone(),
            command: cmd.to_string(),
        });
    }
    static_keys(p)?.ok_or_else(|| ChainError::NoCredentials {
        profile: p.name.clone(),
    })
}

/// The chain of `selected` in `set`, as the SDK specification builds it.
pub fn resolve(set: &ProfileSet, selected: &str) -> Result<Chain, ChainError> {
    if set.profiles.is_empty() {
        return Err(ChainError::NoProfiles);
    }
    let mut visited: Vec<String> = Vec::new();
    let mut hops: Vec<Hop> = Vec::new();
    let mut name = selected.to_string();
    let base = loop {
        let profile = match set.get(&name) {
            Some(p) => p,
            None => {
                return Err(match visited.last() {
                    Some(from) => ChainError::MissingSourceProfile {
                        name,
                        from: from.clone(),
                    },
                    None => ChainError::MissingProfile { name },
                });
            }
        };
        if visited.contains(&name) {
            visited.push(name);
            return Err(ChainError::Loop { visited });
        }
        visited.push(name.clone());
        if visited.len() > 1 {
            if let Some(keys) = static_keys(profile)? {
                break keys;
            }
        }
        let role = match text(profile, "role_arn") {
            Some(r) if text(profile, "web_identity_token_file").is_none() => r,
            _ => break base_of(profile, set)?,
        };
        hops.push(Hop {
            profile: name.clone(),
            role_arn: role.to_string(),
            mfa_serial: text(profile, "mfa_serial").map(str::to_string),
            external_id: text(profile, "external_id").map(str::to_string),
            role_session_name: text(profile, "role_session_name").map(str::to_string),
            location: profile.location_of("role_arn").cloned(),
        });
        match (
            text(profile, "source_profile"),
            text(profile, "credential_source"),
        ) {
            (Some(_), Some(_)) => return Err(ChainError::BothSources { profile: name }),
            (None, None) => return Err(ChainError::RoleWithoutSource { profile: name }),
            (None, Some(source)) => {
                break Base::CredentialSource {
                    profile: name,
                    source: source.to_string(),
                };
            }
            (Some(next), None) if next == name => {
                break static_keys(profile)?.ok_or(ChainError::Loop {
                    visited: vec![name.clone(), name],
                })?;
            }
            (Some(next), None) => name = next.to_string(),
        }
    };
    hops.reverse();
    Ok(Chain { base, hops })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn account_from_arn() {
        assert_eq!(
            account_of_arn("arn:aws:iam::123456789012:role/Deploy"),
            Some("123456789012")
        );
        assert_eq!(
            account_of_arn("arn:aws-cn:iam::210987654321:role/x"),
            Some("210987654321")
        );
        assert_eq!(account_of_arn("arn:aws:s3:::bucket"), None);
        assert_eq!(account_of_arn("not-an-arn"), None);
    }

    #[test]
    fn chain_hops_run_from_base_to_selected() {
        let set = ProfileSet::from_maps(
            [
                (
                    "a",
                    vec![
                        ("role_arn", "arn:aws:iam::111111111111:role/A"),
                        ("source_profile", "b"),
                    ],
                ),
                (
                    "b",
                    vec![
                        ("role_arn", "arn:aws:iam::222222222222:role/B"),
                        ("source_profile", "c"),
                    ],
                ),
                (
                    "c",
                    vec![
                        ("aws_access_key_id", "AKIAFIXTURE0000C"),
                        ("aws_secret_access_key", "secretC1234"),
                    ],
                ),
            ],
            [],
        );
        let chain = resolve(&set, "a").expect("resolves");
        assert_eq!(chain.base.kind(), "static-keys");
        let roles: Vec<&str> = chain.hops.iter().map(|h| h.profile.as_str()).collect();
        assert_eq!(roles, ["b", "a"]);
        assert_eq!(chain.account_id(), Some("111111111111"));
    }

    #[test]
    fn loops_name_every_visited_profile() {
        let set = ProfileSet::from_maps(
            [
                (
                    "a",
                    vec![
                        ("role_arn", "arn:aws:iam::1:role/A"),
                        ("source_profile", "b"),
                    ],
                ),
                (
                    "b",
                    vec![
                        ("role_arn", "arn:aws:iam::1:role/B"),
                        ("source_profile", "a"),
                    ],
                ),
            ],
            [],
        );
        assert_eq!(
            resolve(&set, "a"),
            Err(ChainError::Loop {
                visited: vec!["a".into(), "b".into(), "a".into()]
            })
        );
    }
}
