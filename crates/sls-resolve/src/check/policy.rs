//! The check policy: what each stage must deploy to, from `.sls-resolve.yml` and from flags.
//!
//! ```yaml
//! stages:
//!   prod: { account: "123456789012", profile: prod-deployer }
//!   dev: { profile: dev }
//! distinct-profiles: true
//! deny-warnings: false
//! services:
//!   billing:
//!     stages:
//!       prod: { account: "210987654321" }
//! ```
//!
//! Unknown keys and values of the wrong type are errors pointing at them: a typo in a policy
//! must not silently turn a check off.

use std::collections::BTreeMap;
use std::path::Path;

use sls_yaml::{MapEntry, Node, NodeKind};

use crate::diagnostics::{Failure, SourceFile};

/// What a stage must resolve to.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct StageRule {
    pub account: Option<String>,
    pub profile: Option<String>,
}

#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub(crate) struct Policy {
    /// Rules for every service, by stage.
    pub stages: BTreeMap<String, StageRule>,
    /// Rules for one service (by its `service` name), by stage; they win over `stages`.
    pub services: BTreeMap<String, BTreeMap<String, StageRule>>,
    /// No two stages of a service may use the same profile.
    pub distinct_profiles: bool,
    /// Warnings fail the check too.
    pub deny_warnings: bool,
    /// Where the policy was read from, for messages.
    pub file: Option<String>,
}

impl Policy {
    /// The rule for a stage of a service: the service's own, else the global one.
    pub fn rule(&self, service: Option<&str>, stage: &str) -> Option<&StageRule> {
        service
            .and_then(|s| self.services.get(s))
            .and_then(|stages| stages.get(stage))
            .or_else(|| self.stages.get(stage))
    }

    /// `STAGE=VALUE` flags (`--expect-account prod=123456789012`), added over the file's rules.
    pub fn add_flags(&mut self, accounts: &[String], profiles: &[String]) -> Result<(), Failure> {
        for (flag, values, is_account) in [
            ("--expect-account", accounts, true),
            ("--expect-profile", profiles, false),
        ] {
            for value in values {
                let Some((stage, expected)) = value
                    .split_once('=')
                    .filter(|(s, v)| !s.is_empty() && !v.is_empty())
                else {
                    return Err(Failure::usage(format!(
                        "`{flag} {value}`: expected STAGE=VALUE, e.g. `{flag} prod={}`",
                        if is_account {
                            "123456789012"
                        } else {
                            "prod-deployer"
                        }
                    )));
                };
                let rule = self.stages.entry(stage.to_owned()).or_default();
                if is_account {
                    check_account(expected).map_err(Failure::usage)?;
                    rule.account = Some(expected.to_owned());
                } else {
                    rule.profile = Some(expected.to_owned());
                }
            }
        }
        Ok(())
    }
}

/// The policy file name looked for in the working directory.
pub(crate) const POLICY_FILE: &str = ".sls-resolve.yml";

/// Reads the policy at `path`, named `display` in messages; every error in it is reported at
/// once.
pub(crate) fn load(path: &Path, display: &str) -> Result<Policy, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::usage(format!("cannot read `{display}`: {e}")))?;
    let file = SourceFile::named(display, text);
    parse(&file)
}

/// The policy file that applies in `cwd`: `.sls-resolve.yml` there or in a parent folder, up to
/// the root of the repository (the folder holding `.git`).
pub(crate) fn find(cwd: &Path) -> Option<std::path::PathBuf> {
    for dir in cwd.ancestors() {
        let candidate = dir.join(POLICY_FILE);
        if candidate.is_file() {
            return Some(candidate);
        }
        if dir.join(".git").exists() {
            break;
        }
    }
    None
}

pub(crate) fn parse(file: &SourceFile) -> Result<Policy, Failure> {
    let root = sls_yaml::load_yaml(&file.text).map_err(|err| {
        Failure::located(
            file,
            "POLICY_PARSE_ERROR",
            format!("cannot parse `{}`: {}", file.name, err.message),
            Some((err.span.start, err.span.end.max(err.span.start + 1))),
            "here",
            None,
        )
        .into_usage()
    })?;
    let mut reader = Reader {
        file,
        errors: Vec::new(),
    };
    let mut policy = Policy {
        file: Some(file.name.clone()),
        ..Policy::default()
    };
    if !matches!(root.kind, NodeKind::Null) {
        for (key, entry) in reader.map(&root, "the policy") {
            match key.as_str() {
                "stages" => policy.stages = reader.stages(&entry.value),
                "services" => {
                    for (service, entry) in reader.map(&entry.value, "`services`") {
                        for (key, inner) in reader.map(&entry.value, "a service") {
                            if key == "stages" {
                                let stages = reader.stages(&inner.value);
                                policy.services.insert(service.clone(), stages);
                            } else {
                                reader.unknown(&key, inner, &["stages"]);
                            }
                        }
                    }
                }
                "distinct-profiles" => policy.distinct_profiles = reader.boolean(&entry.value),
                "deny-warnings" => policy.deny_warnings = reader.boolean(&entry.value),
                _ => reader.unknown(
                    &key,
                    entry,
                    &["stages", "services", "distinct-profiles", "deny-warnings"],
                ),
            }
        }
    }
    if reader.errors.is_empty() {
        return Ok(policy);
    }
    let mut rendered = String::new();
    for error in &reader.errors {
        rendered.push_str(&error.rendered);
    }
    Err(Failure {
        rendered,
        ..reader.errors.remove(0)
    }
    .into_usage())
}

/// Walks the policy tree, collecting every error.
struct Reader<'f> {
    file: &'f SourceFile,
    errors: Vec<Failure>,
}

impl Reader<'_> {
    fn error(&mut self, node_span: sls_yaml::Span, message: String, help: Option<String>) {
        self.errors.push(Failure::located(
            self.file,
            "INVALID_POLICY",
            message,
            Some((node_span.start, node_span.end.max(node_span.start + 1))),
            "here",
            help,
        ));
    }

    fn map<'n>(&mut self, node: &'n Node, what: &str) -> Vec<(String, &'n MapEntry)> {
        match &node.kind {
            NodeKind::Map(entries) => entries.iter().map(|(k, e)| (k.clone(), e)).collect(),
            NodeKind::Null => Vec::new(),
            _ => {
                self.error(node.span, format!("{what} must be a mapping"), None);
                Vec::new()
            }
        }
    }

    fn unknown(&mut self, key: &str, entry: &MapEntry, known: &[&str]) {
        let help = sls_resolver::hints::closest(key, known.iter().copied())
            .map(|k| format!("did you mean `{k}`?"))
            .or_else(|| {
                Some(format!(
                    "known keys: {}",
                    known
                        .iter()
                        .map(|k| format!("`{k}`"))
                        .collect::<Vec<_>>()
                        .join(", ")
                ))
            });
        self.error(entry.key_span, format!("unknown policy key `{key}`"), help);
    }

    fn boolean(&mut self, node: &Node) -> bool {
        match node.kind {
            NodeKind::Bool(b) => b,
            _ => {
                self.error(node.span, "expected `true` or `false`".to_owned(), None);
                false
            }
        }
    }

    fn text(&mut self, node: &Node, what: &str) -> Option<String> {
        match &node.kind {
            NodeKind::String(s) if !s.is_empty() => Some(s.clone()),
            _ => {
                self.error(
                    node.span,
                    format!("{what} must be a non-empty string"),
                    None,
                );
                None
            }
        }
    }

    fn stages(&mut self, node: &Node) -> BTreeMap<String, StageRule> {
        let mut stages = BTreeMap::new();
        for (stage, entry) in self.map(node, "`stages`") {
            let mut rule = StageRule::default();
            for (key, inner) in self.map(&entry.value, "a stage rule") {
                match key.as_str() {
                    "account" => rule.account = self.account(&inner.value),
                    "profile" => rule.profile = self.text(&inner.value, "`profile`"),
                    _ => self.unknown(&key, inner, &["account", "profile"]),
                }
            }
            stages.insert(stage, rule);
        }
        stages
    }

    fn account(&mut self, node: &Node) -> Option<String> {
        let text = match &node.kind {
            NodeKind::String(s) => s.clone(),
            NodeKind::Number(n) => {
                // YAML reads an unquoted 12-digit id as a number; a leading zero would be lost.
                self.error(
                    node.span,
                    format!("account `{n}` must be quoted"),
                    Some("write the account id as a string, e.g. `account: \"012345678901\"`, so leading zeros survive".into()),
                );
                return None;
            }
            _ => {
                self.error(node.span, "`account` must be a string".to_owned(), None);
                return None;
            }
        };
        match check_account(&text) {
            Ok(()) => Some(text),
            Err(message) => {
                self.error(node.span, message, None);
                None
            }
        }
    }
}

fn check_account(text: &str) -> Result<(), String> {
    if text.len() == 12 && text.bytes().all(|b| b.is_ascii_digit()) {
        Ok(())
    } else {
        Err(format!("`{text}` is not an AWS account id (12 digits)"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn policy(text: &str) -> Result<Policy, Failure> {
        parse(&SourceFile::named(POLICY_FILE, text))
    }

    #[test]
    fn reads_stage_and_service_rules() {
        let p = policy(
            "stages:\n  prod:\n    account: '123456789012'\n    profile: prod\ndistinct-profiles: true\nservices:\n  billing:\n    stages:\n      prod:\n        account: '210987654321'\n",
        )
        .unwrap();
        assert!(p.distinct_profiles && !p.deny_warnings);
        assert_eq!(
            p.rule(None, "prod").and_then(|r| r.account.as_deref()),
            Some("123456789012")
        );
        assert_eq!(
            p.rule(Some("billing"), "prod")
                .and_then(|r| r.account.as_deref()),
            Some("210987654321")
        );
        assert_eq!(p.rule(Some("billing"), "dev"), None);
    }

    #[test]
    fn every_error_is_reported_with_its_place() {
        let err =
            policy("stage:\n  prod: {}\nstages:\n  prod:\n    acount: '1'\n    account: 123\n")
                .unwrap_err();
        assert_eq!(err.exit, crate::EXIT_USAGE);
        assert!(
            err.rendered.contains("unknown policy key `stage`"),
            "{}",
            err.rendered
        );
        assert!(
            err.rendered.contains("did you mean `stages`?"),
            "{}",
            err.rendered
        );
        assert!(
            err.rendered.contains("unknown policy key `acount`"),
            "{}",
            err.rendered
        );
        assert!(
            err.rendered.contains("account `123` must be quoted"),
            "{}",
            err.rendered
        );
        assert!(
            err.rendered.contains(".sls-resolve.yml:5:5"),
            "{}",
            err.rendered
        );
    }

    #[test]
    fn flags_add_rules_and_reject_bad_values() {
        let mut p = Policy::default();
        p.add_flags(&["prod=123456789012".into()], &["dev=devp".into()])
            .unwrap();
        assert_eq!(
            p.rule(None, "dev").unwrap().profile.as_deref(),
            Some("devp")
        );
        assert!(p.add_flags(&["prod=12".into()], &[]).is_err());
        assert!(p.add_flags(&[], &["prod".into()]).is_err());
    }
}
