//! The two credential engines on in-memory AWS files: every step of serverless v3's precedence
//! (spec 1.2, the 1.7 table), its validity rules (1.3), the v2 file quirks that decide a winner
//! (1.4), the default chain (1.5), and osls 4's first-match order (1.8b).

use sls_aws::engine::{Decision, Outcome, SideEffect, Slot, Source, Status};
use sls_aws::{Engine, Env, FileContents, Input, decide};

const CREDS: &str = "/h/.aws/credentials";
const CONFIG: &str = "/h/.aws/config";

struct Case {
    env: Vec<(&'static str, &'static str)>,
    files: FileContents,
    stage: &'static str,
    provider_profile: Option<&'static str>,
    aws_profile: Option<&'static str>,
}

fn case(creds: &str) -> Case {
    let mut files = FileContents::new();
    files.insert(CREDS.into(), Some(creds.into()));
    Case {
        env: vec![("HOME", "/h")],
        files,
        stage: "dev",
        provider_profile: None,
        aws_profile: None,
    }
}

impl Case {
    fn env(mut self, k: &'static str, v: &'static str) -> Self {
        self.env.push((k, v));
        self
    }
    fn config(mut self, text: &str) -> Self {
        self.files.insert(CONFIG.into(), Some(text.into()));
        self
    }
    fn stage(mut self, s: &'static str) -> Self {
        self.stage = s;
        self
    }
    fn provider(mut self, p: &'static str) -> Self {
        self.provider_profile = Some(p);
        self
    }
    fn cli(mut self, p: &'static str) -> Self {
        self.aws_profile = Some(p);
        self
    }
    fn run(&self, engine: Engine) -> Decision {
        let env = Env::new(self.env.iter().copied());
        let input = Input {
            env: &env,
            stage: self.stage,
            provider_profile: self.provider_profile,
            aws_profile: self.aws_profile,
            files: &self.files,
            sso_cache: None,
        };
        decide(engine, &input)
    }
    fn v3(&self) -> Decision {
        self.run(Engine::V3)
    }
    fn sdk(&self) -> Decision {
        self.run(Engine::Sdk)
    }
}

fn winner_profile(d: &Decision) -> Option<&str> {
    d.winner.as_ref().and_then(|w| w.profile.as_deref())
}

fn winner_slot(d: &Decision) -> Option<Slot> {
    d.winner.as_ref().map(|w| w.slot)
}

fn error_codes(d: &Decision) -> Vec<&'static str> {
    d.errors.iter().map(|e| e.code()).collect()
}

const PROFILES: &str = "[default]\naws_access_key_id = AKIADEFAULT000000001\naws_secret_access_key = secretDefault0001\n\
[dev]\naws_access_key_id = AKIADEV0000000000001\naws_secret_access_key = secretDev00001\n\
[envprof]\naws_access_key_id = AKIAENVPROF000000001\naws_secret_access_key = secretEnvprof001\n\
[prod]\naws_access_key_id = AKIAPROD000000000001\naws_secret_access_key = secretProd00001\n\
[cli]\naws_access_key_id = AKIACLI0000000000001\naws_secret_access_key = secretCli000001\n\
[alt]\naws_access_key_id = AKIAALT0000000000001\naws_secret_access_key = secretAlt000001\n";

#[test]
fn the_precedence_ladder_of_spec_1_7() {
    let base = || case(PROFILES).provider("dev");
    let d = base().v3();
    assert_eq!(
        (winner_slot(&d), winner_profile(&d)),
        (Some(Slot::ProviderProfile), Some("dev"))
    );

    let d = base()
        .env("AWS_ACCESS_KEY_ID", "AKIAENVKEYS000000001")
        .env("AWS_SECRET_ACCESS_KEY", "envSecret0001")
        .v3();
    let w = d.winner.as_ref().expect("winner");
    assert_eq!(
        (w.source, w.env_prefix.as_deref()),
        (Source::Env, Some("AWS"))
    );

    let with_keys = || {
        base()
            .env("AWS_ACCESS_KEY_ID", "AKIAENVKEYS000000001")
            .env("AWS_SECRET_ACCESS_KEY", "envSecret0001")
            .env("AWS_PROFILE", "envprof")
    };
    assert_eq!(
        winner_profile(&with_keys().v3()),
        Some("envprof"),
        "AWS_PROFILE beats the AWS_ keys"
    );

    let staged = || {
        with_keys()
            .stage("prod")
            .env("AWS_PROD_ACCESS_KEY_ID", "AKIAPRODKEYS00000001")
            .env("AWS_PROD_SECRET_ACCESS_KEY", "prodSecret0001")
    };
    let d = staged().v3();
    assert_eq!(
        d.winner.as_ref().and_then(|w| w.env_prefix.as_deref()),
        Some("AWS_PROD")
    );
    assert_eq!(winner_slot(&d), Some(Slot::StageKeysEnv));

    let d = staged().env("AWS_PROD_PROFILE", "prod").v3();
    assert_eq!(
        (winner_slot(&d), winner_profile(&d)),
        (Some(Slot::StageProfileEnv), Some("prod"))
    );

    let d = staged().env("AWS_PROD_PROFILE", "prod").cli("cli").v3();
    assert_eq!(
        (winner_slot(&d), winner_profile(&d)),
        (Some(Slot::AwsProfileFlag), Some("cli"))
    );
    assert_eq!(d.outcome, Outcome::Credentials);
    // everything below the flag is shadowed, and says by whom
    let shadowed: Vec<Slot> = d
        .candidates
        .iter()
        .filter(|c| c.status == Status::Shadowed)
        .map(|c| c.slot)
        .collect();
    assert_eq!(
        shadowed,
        [
            Slot::StageProfileEnv,
            Slot::StageKeysEnv,
            Slot::AwsProfileEnv,
            Slot::KeysEnv,
            Slot::DefaultProfile
        ]
    );
    let provider = d
        .candidates
        .iter()
        .find(|c| c.slot == Slot::ProviderProfile)
        .expect("listed");
    assert_eq!(
        provider.status,
        Status::Skipped,
        "v3 does not read provider.profile with --aws-profile"
    );

    let d = case(PROFILES).env("AWS_DEFAULT_PROFILE", "alt").v3();
    assert_eq!(
        (winner_slot(&d), winner_profile(&d)),
        (Some(Slot::DefaultProfile), Some("alt"))
    );
}

#[test]
fn a_missing_profile_in_a_lower_slot_aborts_v3_but_not_osls() {
    let c = case(PROFILES).env("AWS_PROFILE", "nope").cli("cli");
    let d = c.v3();
    assert_eq!(d.outcome, Outcome::Error);
    assert_eq!(error_codes(&d), ["UNRECOGNIZED_AWS_PROFILE"]);
    assert_eq!(
        d.errors[0].to_string(),
        "AWS profile \"nope\" doesn't seem to be configured"
    );
    // getCredentials() throws there: nothing is selected, and `--aws-profile` (run last) is
    // never reached, while `[default]` (run first) was valid before the throw
    assert_eq!(d.winner, None);
    let status = |slot: Slot| {
        d.candidates
            .iter()
            .find(|c| c.slot == slot)
            .map(|c| c.status)
    };
    assert_eq!(status(Slot::AwsProfileFlag), Some(Status::Skipped));
    assert_eq!(status(Slot::AwsProfileEnv), Some(Status::Failed));
    assert_eq!(status(Slot::DefaultProfile), Some(Status::Shadowed));
    let sdk = c.sdk();
    assert_eq!(
        (sdk.outcome, winner_profile(&sdk)),
        (Outcome::Credentials, Some("cli"))
    );
    let lower = sdk
        .candidates
        .iter()
        .find(|c| c.slot == Slot::AwsProfileEnv)
        .expect("listed");
    assert_eq!(lower.status, Status::Skipped);
}

#[test]
fn a_missing_provider_profile_is_skipped_with_the_flag() {
    let d = case(PROFILES).provider("ghost").cli("cli").v3();
    assert_eq!(
        (d.outcome, winner_profile(&d)),
        (Outcome::Credentials, Some("cli"))
    );
    let d = case(PROFILES).provider("ghost").v3();
    assert_eq!(error_codes(&d), ["UNRECOGNIZED_AWS_PROFILE"]);
}

#[test]
fn default_profile_errors_are_swallowed_and_the_sdk_chain_decides() {
    let d = case(PROFILES).env("AWS_DEFAULT_PROFILE", "nope").v3();
    assert!(d.errors.is_empty());
    let w = d.winner.as_ref().expect("default chain");
    assert_eq!(
        (w.source, w.selected_by.as_str(), w.profile.as_deref()),
        (
            Source::SdkDefaultChain,
            "SharedIniFileCredentials",
            Some("default")
        )
    );
    let default = d
        .candidates
        .iter()
        .find(|c| c.slot == Slot::DefaultProfile)
        .expect("listed");
    assert_eq!(default.status, Status::Failed);
}

#[test]
fn validity_rules_of_spec_1_3() {
    // a key id without a secret passes the "configured" test and is silently ignored
    let d = case("[default]\naws_access_key_id = AKIAONLYID0000000001\n[dev]\naws_access_key_id = AKIAONLYID0000000002\n")
        .provider("dev")
        .v3();
    let dev = d
        .candidates
        .iter()
        .find(|c| c.slot == Slot::ProviderProfile)
        .expect("listed");
    assert_eq!(dev.status, Status::Ignored);
    assert_eq!(
        winner_slot(&d),
        None,
        "nothing valid: the default chain finds nothing either"
    );
    assert_eq!(error_codes(&d), ["AWS_CREDENTIALS_NOT_FOUND"]);
    assert_eq!(d.outcome, Outcome::Error);

    // the literal `undefined` in an env pair is missing
    let d = case(PROFILES)
        .provider("dev")
        .env("AWS_ACCESS_KEY_ID", "undefined")
        .env("AWS_SECRET_ACCESS_KEY", "secretUndef001")
        .v3();
    assert_eq!(winner_profile(&d), Some("dev"));

    // SSO and credential_process profiles chosen explicitly are "not configured"
    for section in [
        "sso_start_url = https://x\nsso_account_id = 111111111111\nsso_region = eu-west-1\nsso_role_name = r\n",
        "credential_process = /bin/creds\n",
    ] {
        let d = case(&format!("[x]\n{section}")).provider("x").v3();
        assert_eq!(error_codes(&d), ["UNRECOGNIZED_AWS_PROFILE"], "{section}");
    }
}

#[test]
fn role_profiles_count_as_configured_and_cause_sts_calls_even_when_shadowed() {
    let creds = "[default]\nrole_arn = arn:aws:iam::111111111111:role/default\nsource_profile = base\nmfa_serial = arn:aws:iam::111111111111:mfa/me\n\
[base]\naws_access_key_id = AKIABASE000000000001\naws_secret_access_key = secretBase0001\n\
[cli]\naws_access_key_id = AKIACLI0000000000001\naws_secret_access_key = secretCli0001\n";
    let d = case(creds).cli("cli").v3();
    assert_eq!(winner_profile(&d), Some("cli"));
    let prompts: Vec<&SideEffect> = d
        .side_effects
        .iter()
        .filter(|e| matches!(e, SideEffect::MfaPrompt { shadowed: true, .. }))
        .collect();
    assert_eq!(prompts.len(), 1, "the shadowed default role still prompts");
    assert!(d.side_effects.iter().any(|e| matches!(e, SideEffect::AssumeRole { role_arn, shadowed: true, .. } if role_arn.ends_with("role/default"))));
    let d = case(creds).v3();
    let w = d.winner.as_ref().expect("winner");
    assert_eq!(w.credentials.kind(), "assume-role");
    assert_eq!(w.credentials.account_id(), Some("111111111111"));
}

#[test]
fn config_file_profiles_need_sdk_load_config_in_v3_only() {
    let c = || {
        case("").config("[profile x]\naws_access_key_id = AKIACONFIG0000000001\naws_secret_access_key = secretConfig001\n").cli("x")
    };
    assert_eq!(error_codes(&c().v3()), ["UNRECOGNIZED_AWS_PROFILE"]);
    assert!(
        c().v3()
            .warnings
            .iter()
            .any(|w| w.code == "config-profile-needs-sdk-load-config")
    );
    assert_eq!(
        winner_profile(&c().env("AWS_SDK_LOAD_CONFIG", "1").v3()),
        Some("x")
    );
    assert_eq!(winner_profile(&c().sdk()), Some("x"));
}

#[test]
fn unprefixed_config_sections_are_profiles_only_for_v3() {
    let c = || {
        case("")
            .config("[noprefix]\naws_access_key_id = AKIANOPREFIX00000001\naws_secret_access_key = secretNoprefix1\n")
            .env("AWS_SDK_LOAD_CONFIG", "1")
            .cli("noprefix")
    };
    let v3 = c().v3();
    assert_eq!(winner_profile(&v3), Some("noprefix"));
    assert!(
        v3.warnings
            .iter()
            .any(|w| w.code == "config-section-without-profile-prefix")
    );
    assert_eq!(error_codes(&c().sdk()), ["UNRECOGNIZED_AWS_PROFILE"]);
}

#[test]
fn sdk_load_crashes_of_spec_1_4() {
    let d = case(PROFILES).env("AWS_SDK_LOAD_CONFIG", "1").v3();
    assert_eq!(
        error_codes(&d),
        ["AWS_SDK_LOAD_ERROR"],
        "no config file and no AWS_REGION"
    );
    let d = case(PROFILES)
        .env("AWS_SDK_LOAD_CONFIG", "1")
        .env("AWS_REGION", "eu-west-1")
        .v3();
    // with a region the SDK loads, but every profile lookup fails on the missing config file
    assert_eq!(error_codes(&d), ["AWS_CREDENTIALS_NOT_FOUND"]);
    let d = case(PROFILES)
        .config("[default]\nregion = eu-west-1\n[profile default]\nregion = eu-west-2\n")
        .env("AWS_SDK_LOAD_CONFIG", "1")
        .v3();
    assert_eq!(error_codes(&d), ["AWS_SDK_LOAD_ERROR"]);
    assert!(
        d.errors[0].to_string().contains("Cannot redefine property"),
        "{}",
        d.errors[0]
    );
}

#[test]
fn v2_reader_quirks_decide_winners() {
    // `[profile x]` in the credentials file is the profile "profile x" for v3
    let d = case("[profile x]\naws_access_key_id = AKIAPREFIXED00000001\naws_secret_access_key = secretPrefixed1\n").cli("x").v3();
    assert_eq!(error_codes(&d), ["UNRECOGNIZED_AWS_PROFILE"]);
    assert!(
        d.warnings
            .iter()
            .any(|w| w.code == "profile-prefix-in-credentials-file")
    );
    // an upper-case key is not a key for v3
    let d = case(
        "[x]\nAWS_ACCESS_KEY_ID = AKIAUPPER00000000001\nAWS_SECRET_ACCESS_KEY = secretUpper0001\n",
    )
    .cli("x")
    .v3();
    assert_eq!(error_codes(&d), ["UNRECOGNIZED_AWS_PROFILE"]);
    // prototype members are never own profiles
    let d = case("[constructor]\naws_access_key_id = AKIAPROTO00000000001\naws_secret_access_key = secretProto0001\n").cli("constructor").v3();
    assert_eq!(error_codes(&d), ["UNRECOGNIZED_AWS_PROFILE"]);
}

#[test]
fn role_loops_are_errors_in_both_worlds() {
    let creds = "[a]\nrole_arn = arn:aws:iam::111111111111:role/a\nsource_profile = b\n[b]\nrole_arn = arn:aws:iam::111111111111:role/b\nsource_profile = a\n";
    let v3 = case(creds).cli("a").v3();
    assert_eq!(error_codes(&v3), ["AWS_SDK_CREDENTIALS_ERROR"]);
    assert!(
        v3.errors[0].to_string().contains("a -> b -> a"),
        "{}",
        v3.errors[0]
    );
    let sdk = case(creds).cli("a").sdk();
    assert_eq!(
        sdk.errors[0].to_string(),
        "Detected a cycle attempting to resolve credentials for profile a. Profiles visited: b, a"
    );
}

#[test]
fn stage_names_are_upper_cased_verbatim() {
    let d = case(PROFILES)
        .stage("my-stage")
        .env("AWS_MY-STAGE_PROFILE", "prod")
        .v3();
    assert_eq!(
        (winner_slot(&d), winner_profile(&d)),
        (Some(Slot::StageProfileEnv), Some("prod"))
    );
    let d = case(PROFILES)
        .stage("Prod")
        .env("AWS_PROD_PROFILE", "prod")
        .v3();
    assert_eq!(winner_profile(&d), Some("prod"));
}

#[test]
fn no_files_and_no_env_means_no_credentials() {
    let mut c = case("");
    c.files.clear();
    let d = c.v3();
    assert_eq!(error_codes(&d), ["AWS_CREDENTIALS_NOT_FOUND"]);
    let d = c
        .env("AMAZON_ACCESS_KEY_ID", "AKIAAMAZON0000000001")
        .env("AMAZON_SECRET_ACCESS_KEY", "secretAmazon001")
        .v3();
    let w = d.winner.as_ref().expect("default chain");
    assert_eq!(
        (w.selected_by.as_str(), w.env_prefix.as_deref()),
        ("EnvironmentCredentials(AMAZON)", None),
        "env_prefix names serverless's prefixes only (fixture amazon-env-keys-default-chain)"
    );
}

#[test]
fn osls_uses_the_first_match_and_warns_on_a_missing_default_profile() {
    let d = case(PROFILES)
        .provider("dev")
        .env("AWS_ACCESS_KEY_ID", "AKIAENVKEYS000000001")
        .env("AWS_SECRET_ACCESS_KEY", "envSecret0001")
        .env("AWS_PROFILE", "envprof")
        .sdk();
    assert_eq!(winner_profile(&d), Some("envprof"));
    let d = case(PROFILES).env("AWS_DEFAULT_PROFILE", "nope").sdk();
    assert!(
        d.warnings
            .iter()
            .any(|w| w.code == "default-profile-not-found")
    );
    assert_eq!(
        d.winner.as_ref().map(|w| w.source),
        Some(Source::SdkDefaultChain)
    );
}

#[test]
fn secrets_never_reach_the_decision() {
    let creds = "[default]\naws_access_key_id = AKIAPLANTEDKEYID0001\naws_secret_access_key = PLANTEDSECRETKEYVALUE0001\naws_session_token = PLANTEDSESSIONTOKEN0001\n";
    let d = case(creds)
        .env("AWS_STAGE_SECRET", "x")
        .env("AWS_DEV_ACCESS_KEY_ID", "AKIAPLANTEDENVID0002")
        .env("AWS_DEV_SECRET_ACCESS_KEY", "PLANTEDENVSECRET0002")
        .v3();
    let text = format!("{d:?}\n{}", serde_json::to_string(&d).expect("serializes"));
    for planted in [
        "AKIAPLANTEDKEYID0001",
        "PLANTEDSECRETKEYVALUE0001",
        "PLANTEDSESSIONTOKEN0001",
        "AKIAPLANTEDENVID0002",
        "PLANTEDENVSECRET0002",
    ] {
        assert!(!text.contains(planted), "{planted} leaked");
    }
    assert!(
        text.contains("****************0002"),
        "masked like aws configure list"
    );
}

#[test]
fn sso_profiles_need_a_cached_token() {
    let config = "[profile sso]\nsso_start_url = https://x.awsapps.com/start\nsso_region = us-east-1\nsso_account_id = 111111111111\nsso_role_name = R\n";
    let key = sls_aws::locate::sso_cache_key("https://x.awsapps.com/start");
    let empty = std::collections::BTreeSet::new();
    let cached: std::collections::BTreeSet<String> = [key].into_iter().collect();
    let env = Env::new([
        ("HOME".to_string(), "/h"),
        ("AWS_PROFILE".to_string(), "sso"),
    ]);
    let files: sls_aws::FileContents = [
        ("/h/.aws/config".to_string(), Some(config.to_string())),
        ("/h/.aws/credentials".to_string(), None),
    ]
    .into_iter()
    .collect();
    let decide_with = |cache| {
        let input = Input {
            env: &env,
            stage: "dev",
            provider_profile: None,
            aws_profile: None,
            files: &files,
            sso_cache: Some(cache),
        };
        decide(Engine::Sdk, &input)
    };
    let d = decide_with(&empty);
    assert_eq!(error_codes(&d), ["AWS_SSO_LOGIN_UNAVAILABLE"]);
    let d = decide_with(&cached);
    assert_eq!(error_codes(&d), Vec::<&str>::new());
    assert_eq!(winner_profile(&d), Some("sso"));
}
