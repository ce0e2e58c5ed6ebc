//! Which files each world reads, from the environment: serverless v3 through aws-sdk v2
//! (`HOME`/`USERPROFILE`/`HOMEDRIVE`+`HOMEPATH`, no `~` expansion, the config file only with
//! `AWS_SDK_LOAD_CONFIG`, role sources on the default credentials path), osls 4 through SDK v3
//! (`os.homedir()`, `~/` expanded, the config file always), and the SDK specification.
//!
//! The crate reads nothing: [`files_needed`] lists the paths, the caller reads them and hands the
//! texts back as [`FileContents`] (`None`, or an absent key, for a missing file).

use crate::env::{Env, Platform};
use crate::js::posix_join;
use serde::Serialize;
use std::collections::BTreeMap;

/// File texts by path; `None` means the file does not exist (so does a path that is absent).
pub type FileContents = BTreeMap<String, Option<String>>;

/// Which engine's rules apply.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Default)]
#[serde(rename_all = "kebab-case")]
pub enum Engine {
    /// serverless v3.40.0 with aws-sdk 2.1693.0 (`AwsProvider.getCredentials()`).
    #[default]
    V3,
    /// osls 4.3.1 (`lib/aws/credentials.js`) with the SDK-specification reader.
    Sdk,
}

/// Why a file is read.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum FileRole {
    /// The credentials file serverless passes to `SharedIniFileCredentials`
    /// (`AWS_SHARED_CREDENTIALS_FILE`, else `<home>/.aws/credentials`).
    V3Credentials,
    /// The credentials file of role source profiles and of the SDK default chain
    /// (`AWS_SHARED_CREDENTIALS_FILE` only with `AWS_SDK_LOAD_CONFIG`, else the default path).
    V3DefaultCredentials,
    /// The config file (`AWS_CONFIG_FILE`, else `<home>/.aws/config`). v3 reads it only with
    /// `AWS_SDK_LOAD_CONFIG`; it is requested anyway, for the findings.
    V3Config,
    /// osls 4: the credentials file.
    SdkCredentials,
    /// osls 4: the config file.
    SdkConfig,
}

/// A file the caller should read (each distinct path once).
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct FileRequest {
    pub role: FileRole,
    pub path: String,
}

/// The paths of the v3 world; `None` when the home directory cannot be determined.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct V3Paths {
    pub credentials: Option<String>,
    pub default_credentials: Option<String>,
    pub config: Option<String>,
    /// `AWS_SDK_LOAD_CONFIG` is a non-empty string (`0` and `false` count).
    pub load_config: bool,
}

/// aws-sdk v2's `getHomeDir()`: `HOME`, `USERPROFILE`, `(HOMEDRIVE || 'C:/') + HOMEPATH`,
/// then `os.homedir()`.
pub fn v2_home_dir(env: &Env) -> Option<String> {
    if let Some(h) = env.truthy_text("HOME") {
        return Some(h.to_string());
    }
    if let Some(h) = env.truthy_text("USERPROFILE") {
        return Some(h.to_string());
    }
    if let Some(p) = env.truthy_text("HOMEPATH") {
        let drive = env.truthy_text("HOMEDRIVE").unwrap_or("C:/");
        return Some(format!("{drive}{p}"));
    }
    env.os_home_dir().map(str::to_string)
}

/// The paths serverless v3 / aws-sdk v2 read.
pub fn v3_paths(env: &Env) -> V3Paths {
    let home = v2_home_dir(env);
    let default_path = |name: &str| home.as_deref().map(|h| posix_join(&[h, ".aws", name]));
    let ascf = env
        .truthy_text("AWS_SHARED_CREDENTIALS_FILE")
        .map(str::to_string);
    let load_config = env.truthy("AWS_SDK_LOAD_CONFIG");
    V3Paths {
        credentials: ascf.clone().or_else(|| default_path("credentials")),
        default_credentials: if load_config { ascf } else { None }
            .or_else(|| default_path("credentials")),
        config: env
            .truthy_text("AWS_CONFIG_FILE")
            .map(str::to_string)
            .or_else(|| default_path("config")),
        load_config,
    }
}

/// The paths of the osls 4 world; `None` when the home directory is unknown.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SdkPaths {
    pub credentials: Option<String>,
    pub config: Option<String>,
}

/// Node's `os.homedir()`: `HOME` when set (even empty), else the operating system's answer.
fn node_homedir(env: &Env) -> Option<String> {
    env.text("HOME")
        .map(str::to_string)
        .or_else(|| env.os_home_dir().map(str::to_string))
}

/// osls 4.3.1's `getSharedCredentialsFilepath` / `getSharedConfigFilepath`.
pub fn sdk_paths(env: &Env) -> SdkPaths {
    let home = node_homedir(env);
    let pick = |var: &str, name: &str| -> Option<String> {
        let raw = match env.truthy_text(var) {
            Some(p) => p.to_string(),
            None => posix_join(&[home.as_deref()?, ".aws", name]),
        };
        match raw.strip_prefix("~/") {
            Some(rest) => Some(posix_join(&[home.as_deref()?, rest])),
            None => Some(raw),
        }
    };
    SdkPaths {
        credentials: pick("AWS_SHARED_CREDENTIALS_FILE", "credentials"),
        config: pick("AWS_CONFIG_FILE", "config"),
    }
}

/// The files an engine needs, in the order they matter.
pub fn files_needed(engine: Engine, env: &Env) -> Vec<FileRequest> {
    let mut out = Vec::new();
    let mut push = |role, path: Option<String>| {
        if let Some(path) = path {
            out.push(FileRequest { role, path });
        }
    };
    match engine {
        Engine::V3 => {
            let p = v3_paths(env);
            push(FileRole::V3Credentials, p.credentials);
            push(FileRole::V3DefaultCredentials, p.default_credentials);
            push(FileRole::V3Config, p.config);
        }
        Engine::Sdk => {
            let p = sdk_paths(env);
            push(FileRole::SdkCredentials, p.credentials);
            push(FileRole::SdkConfig, p.config);
        }
    }
    out
}

/// Where the SDK specification (smithy-rs) looks, and which profile it selects.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct SpecLocations {
    pub config: String,
    pub credentials: String,
    /// `AWS_PROFILE` as it is (even empty), else `default`.
    pub profile: String,
}

fn spec_home_dir(env: &Env) -> Option<String> {
    if let Some(h) = env.text("HOME") {
        return Some(h.to_string());
    }
    if env.platform() == Platform::Windows {
        if let Some(h) = env.text("USERPROFILE") {
            return Some(h.to_string());
        }
        if let (Some(d), Some(p)) = (env.text("HOMEDRIVE"), env.text("HOMEPATH")) {
            return Some(format!("{d}{p}"));
        }
    }
    None
}

/// `~` as the first path component replaced by the home directory, the rest re-joined with the
/// platform's separator; other paths unchanged.
fn spec_expand_home(path: &str, home: Option<&str>, platform: Platform) -> String {
    let (sep, is_sep): (char, fn(char) -> bool) = match platform {
        Platform::Unix => ('/', |c| c == '/'),
        Platform::Windows => ('\\', |c| c == '/' || c == '\\'),
    };
    let mut parts = path.split(is_sep).filter(|p| !p.is_empty() && *p != ".");
    if parts.next() != Some("~") || path.starts_with(is_sep) {
        return path.to_string();
    }
    let mut out = home.unwrap_or("~").to_string();
    for part in parts {
        if !out.ends_with(is_sep) {
            out.push(sep);
        }
        out.push_str(part);
    }
    out
}

/// The SDK specification's file locations (`file-location-tests.json`).
pub fn spec_locations(env: &Env) -> SpecLocations {
    let home = spec_home_dir(env);
    let path = |var: &str, default: &str| {
        let raw = env.text(var).unwrap_or(default);
        spec_expand_home(raw, home.as_deref(), env.platform())
    };
    SpecLocations {
        config: path("AWS_CONFIG_FILE", "~/.aws/config"),
        credentials: path("AWS_SHARED_CREDENTIALS_FILE", "~/.aws/credentials"),
        profile: env.text("AWS_PROFILE").unwrap_or("default").to_string(),
    }
}

/// The SSO token cache of a start URL (legacy `sso_*` profiles) or an `sso-session` name:
/// `<home>/.aws/sso/cache/<sha1 hex>.json`, as both SDKs name it. Returns the file stem.
pub fn sso_cache_key(start_url_or_session: &str) -> String {
    sha1_smol::Sha1::from(start_url_or_session.as_bytes())
        .digest()
        .to_string()
}

/// The folder both SDKs read SSO tokens from, `<home>/.aws/sso/cache`.
pub fn sso_cache_dir(env: &Env) -> Option<String> {
    env.text("HOME").map(|h| posix_join(&[h, ".aws/sso/cache"]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v3_reads_no_tilde_and_config_only_with_load_config() {
        let env = Env::new([("HOME", "/h"), ("AWS_SHARED_CREDENTIALS_FILE", "~/x")]);
        let p = v3_paths(&env);
        assert_eq!(p.credentials.as_deref(), Some("~/x"));
        assert_eq!(
            p.default_credentials.as_deref(),
            Some("/h/.aws/credentials")
        );
        assert_eq!(p.config.as_deref(), Some("/h/.aws/config"));
        assert!(!p.load_config);
        let env = Env::new([
            ("HOME", "/h"),
            ("AWS_SHARED_CREDENTIALS_FILE", "/c"),
            ("AWS_SDK_LOAD_CONFIG", "0"),
        ]);
        let p = v3_paths(&env);
        assert!(p.load_config);
        assert_eq!(p.default_credentials.as_deref(), Some("/c"));
        assert!(!v3_paths(&Env::new([("AWS_SDK_LOAD_CONFIG", "")])).load_config);
    }

    #[test]
    fn v2_home_fallbacks() {
        assert_eq!(
            v2_home_dir(&Env::new([("USERPROFILE", "/u")])).as_deref(),
            Some("/u")
        );
        assert_eq!(
            v2_home_dir(&Env::new([("HOMEPATH", "\\me")])).as_deref(),
            Some("C:/\\me")
        );
        assert_eq!(
            v2_home_dir(&Env::new([("HOMEPATH", "\\me"), ("HOMEDRIVE", "D:")])).as_deref(),
            Some("D:\\me")
        );
        assert_eq!(v2_home_dir(&Env::new([("HOME", "")])), None);
        let env = Env::new([("HOME", "")]).with_os_home_dir(Some("/pw".into()));
        assert_eq!(
            v3_paths(&env).credentials.as_deref(),
            Some("/pw/.aws/credentials")
        );
    }

    #[test]
    fn sdk_expands_tilde_slash() {
        let env = Env::new([
            ("HOME", "/h"),
            ("AWS_SHARED_CREDENTIALS_FILE", "~/c/creds"),
            ("AWS_CONFIG_FILE", "~x/cfg"),
        ]);
        let p = sdk_paths(&env);
        assert_eq!(p.credentials.as_deref(), Some("/h/c/creds"));
        assert_eq!(p.config.as_deref(), Some("~x/cfg"));
        let roles: Vec<FileRole> = files_needed(Engine::Sdk, &env)
            .iter()
            .map(|f| f.role)
            .collect();
        assert_eq!(roles, vec![FileRole::SdkCredentials, FileRole::SdkConfig]);
    }

    #[test]
    fn unknown_home_requests_nothing_for_defaults() {
        let env = Env::new([("AWS_SHARED_CREDENTIALS_FILE", "/c")]);
        let files = files_needed(Engine::V3, &env);
        assert_eq!(
            files,
            vec![FileRequest {
                role: FileRole::V3Credentials,
                path: "/c".into()
            }]
        );
    }

    #[test]
    fn sso_cache_key_is_the_sha1_of_the_start_url() {
        assert_eq!(
            sso_cache_key("https://fixture.awsapps.com/start"),
            "c83e2706c2a608c995b8cb4e1237c2105057afa5"
        );
    }
}
