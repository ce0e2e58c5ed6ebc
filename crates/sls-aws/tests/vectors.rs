//! The AWS SDK conformance vectors (smithy-rs, Apache-2.0, see `vectors/LICENSE` and
//! `vectors/NOTICE`): every case of the profile parser, file location and assume-role files.

use serde_json::Value as Json;
use sls_aws::ini_spec::{self, FileKind};
use sls_aws::{AwsError, Profile};

fn load(name: &str) -> Json {
    let path = format!("{}/tests/vectors/{name}", env!("CARGO_MANIFEST_DIR"));
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("read {path}: {e}"));
    serde_json::from_str(&text).unwrap_or_else(|e| panic!("parse {path}: {e}"))
}

fn str_of(j: &Json) -> &str {
    j.as_str().unwrap_or_default()
}

fn assert_section(case: &str, what: &str, actual: Option<&Profile>, expected: &Json) {
    let expected = expected
        .as_object()
        .unwrap_or_else(|| panic!("{case}: {what} is no object"));
    let actual = actual.unwrap_or_else(|| panic!("{case}: missing {what}"));
    assert_eq!(
        actual.properties.len(),
        expected.len(),
        "{case}: {what} has keys {:?}",
        actual.properties.keys().collect::<Vec<_>>()
    );
    for (k, v) in expected {
        let got = actual
            .get(k)
            .unwrap_or_else(|| panic!("{case}: {what} lacks `{k}`"));
        assert!(
            got.matches(str_of(v)),
            "{case}: {what}.{k} = {got:?}, expected {v}"
        );
    }
}

#[test]
fn profile_parser_vectors() {
    let doc = load("profile-parser-tests.json");
    let tests = doc["tests"].as_array().expect("tests array");
    assert_eq!(tests.len(), 65, "the vector file has 65 cases");
    let mut passed = 0;
    for case in tests {
        let name = str_of(&case["name"]);
        let input = &case["input"];
        let config = input["configFile"]
            .as_str()
            .map(|t| ini_spec::parse(t, "config", FileKind::Config));
        let creds = input["credentialsFile"]
            .as_str()
            .map(|t| ini_spec::parse(t, "credentials", FileKind::Credentials));
        let files: Vec<&ini_spec::SpecFile> = config.iter().chain(creds.iter()).collect();
        let errors: Vec<&AwsError> = files.iter().flat_map(|f| f.errors.iter()).collect();
        let output = &case["output"];
        if let Some(expected) = output["errorContaining"].as_str() {
            assert!(
                !errors.is_empty(),
                "{name}: expected an error containing {expected:?}"
            );
            let first = errors[0].to_string();
            assert!(
                first.to_lowercase().contains(&expected.to_lowercase()),
                "{name}: error {first:?} does not contain {expected:?}"
            );
            assert!(
                errors[0].location().is_some(),
                "{name}: error without a location"
            );
        } else {
            assert!(errors.is_empty(), "{name}: unexpected errors {errors:?}");
            let merged = ini_spec::merge(&files);
            let expected = output["config"]["profiles"].as_object().expect("profiles");
            assert_eq!(
                merged.set.profiles.len(),
                expected.len(),
                "{name}: profiles {:?}",
                merged.set.profiles.keys().collect::<Vec<_>>()
            );
            for (pname, props) in expected {
                assert_section(name, pname, merged.set.profiles.get(pname.as_str()), props);
            }
            if let Some(sessions) = output["config"]["sso_sessions"].as_object() {
                assert_eq!(
                    merged.set.sso_sessions.len(),
                    sessions.len(),
                    "{name}: sso sessions"
                );
                for (sname, props) in sessions {
                    assert_section(
                        name,
                        sname,
                        merged.set.sso_sessions.get(sname.as_str()),
                        props,
                    );
                }
            }
        }
        passed += 1;
    }
    assert_eq!(passed, 65);
}

#[test]
fn file_location_vectors() {
    use sls_aws::locate::spec_locations;
    use sls_aws::{Env, Platform};
    let doc = load("file-location-tests.json");
    let tests = doc["tests"].as_array().expect("tests array");
    assert_eq!(tests.len(), 9, "the vector file has 9 cases");
    let mut passed = 0;
    for case in tests {
        let name = str_of(&case["name"]);
        let vars = case["environment"].as_object().expect("environment");
        let platform = match str_of(&case["platform"]) {
            "windows" => Platform::Windows,
            _ => Platform::Unix,
        };
        let env = Env::new(vars.iter().map(|(k, v)| (k.clone(), str_of(v).to_string())))
            .with_platform(platform);
        let got = spec_locations(&env);
        assert_eq!(got.config, str_of(&case["configLocation"]), "{name}");
        assert_eq!(
            got.credentials,
            str_of(&case["credentialsLocation"]),
            "{name}"
        );
        if let Some(p) = case["profile"].as_str() {
            assert_eq!(got.profile, p, "{name}");
        }
        passed += 1;
    }
    assert_eq!(passed, 9);
}

/// The expected first link of a chain, as the vector writes it.
fn assert_base(case: &str, base: &sls_aws::chain::Base, expected: &Json) {
    use sls_aws::chain::Base;
    let (kind, fields) = match expected {
        Json::String(source) => ("NamedSource", Json::String(source.clone())),
        Json::Object(o) => {
            let (k, v) = o.iter().next().expect("one key");
            (k.as_str(), v.clone())
        }
        other => panic!("{case}: unexpected base {other}"),
    };
    match (kind, base) {
        (
            "AccessKey",
            Base::StaticKeys {
                access_key_id,
                secret_access_key,
                account_id,
                ..
            },
        ) => {
            assert!(
                access_key_id.matches(str_of(&fields["access_key_id"])),
                "{case}: key id"
            );
            assert!(
                secret_access_key.matches(str_of(&fields["secret_access_key"])),
                "{case}: secret"
            );
            assert_eq!(
                account_id.as_deref(),
                fields["account_id"].as_str(),
                "{case}: account"
            );
        }
        ("NamedSource", Base::CredentialSource { source, .. }) => {
            assert_eq!(Some(source.as_str()), fields.as_str(), "{case}")
        }
        (
            "WebIdentityToken",
            Base::WebIdentity {
                role_arn,
                token_file,
                ..
            },
        ) => {
            assert_eq!(
                Some(role_arn.as_str()),
                fields["role_arn"].as_str(),
                "{case}"
            );
            assert_eq!(
                Some(token_file.as_str()),
                fields["web_identity_token_file"].as_str(),
                "{case}"
            );
        }
        (
            "Sso",
            Base::Sso {
                account_id,
                role_name,
                session,
                start_url,
                region,
                ..
            },
        ) => {
            assert_eq!(
                account_id.as_deref(),
                fields["sso_account_id"].as_str(),
                "{case}"
            );
            assert_eq!(
                role_name.as_deref(),
                fields["sso_role_name"].as_str(),
                "{case}"
            );
            assert_eq!(session.as_deref(), fields["sso_session"].as_str(), "{case}");
            assert_eq!(
                start_url.as_deref(),
                fields["sso_start_url"].as_str(),
                "{case}"
            );
            assert_eq!(region.as_deref(), fields["sso_region"].as_str(), "{case}");
        }
        (kind, base) => panic!("{case}: expected {kind}, got {base:?}"),
    }
}

fn section_maps(j: &Json) -> Vec<(&str, Vec<(&str, &str)>)> {
    j.as_object()
        .map(|o| {
            o.iter()
                .map(|(name, props)| {
                    let props = props
                        .as_object()
                        .map(|p| p.iter().map(|(k, v)| (k.as_str(), str_of(v))).collect())
                        .unwrap_or_default();
                    (name.as_str(), props)
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn assume_role_vectors() {
    let doc = load("assume-role-tests.json");
    let cases = doc.as_array().expect("array");
    assert_eq!(cases.len(), 28, "the vector file has 28 cases");
    for case in cases {
        let name = str_of(&case["docs"]);
        let input = &case["input"];
        let set = sls_aws::ProfileSet::from_maps(
            section_maps(&input["profiles"]),
            section_maps(&input["sso_sessions"]),
        );
        let result = sls_aws::chain::resolve(&set, str_of(&input["selected_profile"]));
        let output = &case["output"];
        if let Some(expected) = output["Error"].as_str() {
            let err = result.expect_err(name);
            assert!(
                err.to_string()
                    .to_lowercase()
                    .contains(&expected.to_lowercase()),
                "{name}: `{err}` does not contain `{expected}`"
            );
            continue;
        }
        let chain = result.unwrap_or_else(|e| panic!("{name}: {e}"));
        let links = output["ProfileChain"].as_array().expect("chain");
        assert_base(name, &chain.base, &links[0]);
        assert_eq!(chain.hops.len(), links.len() - 1, "{name}: hops");
        for (hop, link) in chain.hops.iter().zip(&links[1..]) {
            let role = &link["AssumeRole"];
            assert_eq!(
                Some(hop.role_arn.as_str()),
                role["role_arn"].as_str(),
                "{name}"
            );
            assert_eq!(
                hop.role_session_name.as_deref(),
                role["role_session_name"].as_str(),
                "{name}"
            );
            assert_eq!(
                hop.external_id.as_deref(),
                role["external_id"].as_str(),
                "{name}"
            );
        }
    }
}
