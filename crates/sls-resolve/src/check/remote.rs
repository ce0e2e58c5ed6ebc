//! Whether the account a stage deploys to could depend on a remote source: every `ssm`, `cf`,
//! `s3` or `aws:accountId` variable that `provider.profile` reaches, read from the configuration
//! as written, fallbacks included (a fallback that is not taken today is taken the day its
//! variable is unset).
//!
//! The walk follows `self` addresses (with the stage variables replaced by the stage checked)
//! and `param` keys (`params.<stage>`, `params.default` and v4 `stages`); it does not open the
//! files of `file(...)`.

use std::collections::HashSet;

use sls_resolver::VariableSite;
use sls_syntax::{Literal, Part, Source, Variable, VariableKind};
use sls_yaml::{Node, NodeKind};

use super::stages::is_stage_variable;
use crate::diagnostics::{self, SourceFile};
use crate::service::Location;

/// A remote variable that `provider.profile` depends on.
#[derive(Debug, Clone, PartialEq, Eq)]
pub(crate) struct RemoteUse {
    /// The variable's source and address, e.g. `ssm:/deploy/profile`.
    pub source: String,
    /// The property that holds it, e.g. `custom.profiles.prod`.
    pub property: String,
    pub at: Option<Location>,
}

/// The remote variables `provider.profile` reaches for `stage`, in the order they are met.
pub(crate) fn profile_dependencies(file: &SourceFile, root: &Node, stage: &str) -> Vec<RemoteUse> {
    let mut walk = Walk {
        file,
        root,
        stage,
        pending: vec![vec!["provider".to_owned(), "profile".to_owned()]],
        found: Vec::new(),
    };
    let mut seen: HashSet<Vec<String>> = HashSet::new();
    while let Some(path) = walk.pending.pop() {
        if seen.len() > 1024 || !seen.insert(path.clone()) {
            continue;
        }
        let keys: Vec<&str> = path.iter().map(String::as_str).collect();
        if let Some(node) = root.get_path(&keys) {
            walk.node(node, &path);
        }
    }
    walk.found
}

struct Walk<'a> {
    file: &'a SourceFile,
    root: &'a Node,
    stage: &'a str,
    pending: Vec<Vec<String>>,
    found: Vec<RemoteUse>,
}

impl Walk<'_> {
    fn node(&mut self, node: &Node, path: &[String]) {
        match &node.kind {
            NodeKind::String(text) => {
                let Ok(variables) = sls_syntax::parse(text) else {
                    return;
                };
                for variable in &variables {
                    self.variable(variable, path, (variable.start, variable.end));
                }
            }
            NodeKind::Seq(items) => {
                for (i, item) in items.iter().enumerate() {
                    let mut p = path.to_vec();
                    p.push(i.to_string());
                    self.node(item, &p);
                }
            }
            NodeKind::Map(entries) => {
                for (key, entry) in entries {
                    let mut p = path.to_vec();
                    p.push(key.clone());
                    self.node(&entry.value, &p);
                }
            }
            _ => {}
        }
    }

    /// `range`: the top-level variable in the property's string, for the code frame.
    fn variable(&mut self, variable: &Variable, path: &[String], range: (usize, usize)) {
        let VariableKind::Sources(sources) = &variable.kind else {
            return;
        };
        for source in sources {
            let Source::Typed(typed) = source else {
                continue;
            };
            for part in typed.params.iter().flatten().chain(typed.address.iter()) {
                for nested in &part.variables {
                    self.variable(nested, path, range);
                }
            }
            let address = typed.address.as_ref().and_then(|a| self.address(a));
            let remote = sls_resolver::REMOTE_SOURCES.contains(&typed.ty.as_str())
                || (typed.ty == "aws" && address.as_deref() == Some("accountId"));
            if remote {
                let site = VariableSite {
                    path: path.to_vec(),
                    range: Some(range),
                };
                let at = diagnostics::locate(self.root, &self.file.text, &site)
                    .map(|span| location(self.file, span));
                let shown = match (&typed.address, &address) {
                    (_, Some(a)) => format!("{}:{a}", typed.ty),
                    (
                        Some(Part {
                            value: Literal::String(raw),
                            ..
                        }),
                        None,
                    ) => {
                        format!("{}:{raw}", typed.ty)
                    }
                    _ => typed.ty.clone(),
                };
                let found = RemoteUse {
                    source: shown,
                    property: path.join("."),
                    at,
                };
                if !self.found.contains(&found) {
                    self.found.push(found);
                }
                continue;
            }
            match (typed.ty.as_str(), address) {
                ("self", Some(address)) => {
                    let keys: Vec<String> = address
                        .split('.')
                        .filter(|k| !k.is_empty())
                        .map(str::to_owned)
                        .collect();
                    if !keys.is_empty() {
                        self.pending.push(keys);
                    }
                }
                ("param", Some(key)) if !key.contains('.') => {
                    for prefix in [
                        ["params", self.stage].as_slice(),
                        &["params", "default"],
                        &["stages", self.stage, "params"],
                        &["stages", "default", "params"],
                    ] {
                        let mut keys: Vec<String> =
                            prefix.iter().map(|k| (*k).to_owned()).collect();
                        keys.push(key.clone());
                        self.pending.push(keys);
                    }
                }
                _ => {}
            }
        }
    }

    /// An address with the stage variables replaced by the stage; cut before any other
    /// variable (then the whole map there is followed).
    fn address(&self, part: &Part) -> Option<String> {
        let text = match &part.value {
            Literal::String(s) => s.clone(),
            Literal::Number(n) => sls_value::js_number_to_string(*n),
            _ => return None,
        };
        let mut out = String::new();
        let mut last = 0;
        for variable in &part.variables {
            out.push_str(text.get(last..variable.start)?);
            if is_stage_variable(variable) {
                out.push_str(self.stage);
                last = variable.end;
            } else {
                // keep the complete segments before the unknown one
                let cut = out.rfind('.').map_or(0, |i| i);
                out.truncate(cut);
                return Some(out);
            }
        }
        out.push_str(text.get(last..)?);
        Some(out)
    }
}

fn location(file: &SourceFile, (start, end): (usize, usize)) -> Location {
    let (line, column) = file.line_column(start);
    Location {
        file: file.name.clone(),
        line,
        column,
        span: (start, end),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn deps(yaml: &str, stage: &str) -> Vec<(String, String, usize)> {
        let file = SourceFile::named("serverless.yml", yaml);
        let root = sls_yaml::load_yaml(yaml).expect("valid yaml");
        profile_dependencies(&file, &root, stage)
            .into_iter()
            .map(|r| (r.source, r.property, r.at.map_or(0, |a| a.line)))
            .collect()
    }

    #[test]
    fn follows_self_addresses_indexed_by_the_stage() {
        let yaml = "provider:\n  profile: ${self:custom.profiles.${sls:stage}}\ncustom:\n  profiles:\n    dev: d\n    prod: ${ssm:/deploy/profile}\n";
        assert_eq!(
            deps(yaml, "prod"),
            [(
                "ssm:/deploy/profile".to_owned(),
                "custom.profiles.prod".to_owned(),
                6
            )]
        );
        assert_eq!(deps(yaml, "dev"), []);
    }

    #[test]
    fn fallbacks_params_and_account_id_count() {
        let yaml = "provider:\n  profile: ${env:PROFILE, param:profile}\nparams:\n  default:\n    profile: ${cf:infra.Profile}\n  qa:\n    profile: x-${aws:accountId}\n";
        let found: Vec<String> = deps(yaml, "qa").into_iter().map(|d| d.0).collect();
        assert_eq!(found, ["cf:infra.Profile", "aws:accountId"]);
    }

    #[test]
    fn an_unknown_index_follows_the_whole_map() {
        let yaml = "provider:\n  profile: ${self:custom.p.${env:WHO}}\ncustom:\n  p:\n    a: x\n    b: ${s3:bucket/key}\n";
        assert_eq!(deps(yaml, "dev")[0].1, "custom.p.b");
    }

    #[test]
    fn cycles_end() {
        let yaml = "provider:\n  profile: ${self:custom.a}\ncustom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n";
        assert_eq!(deps(yaml, "dev"), []);
    }
}
