//! Which stages a service declares, and how each was found: `--stage`, the keys of `params`
//! and of v4 `stages`, the keys of maps the configuration indexes by the stage (such as
//! `custom.profiles` in `${self:custom.profiles.${sls:stage}}`), and the default stage.

use serde::Serialize;
use sls_syntax::{Literal, Part, Source, Variable, VariableKind};
use sls_yaml::{Node, NodeKind};

use crate::diagnostics::SourceFile;
use crate::service::{Location, location};

/// One stage to check, with every reason it is on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub(crate) struct StageToCheck {
    pub name: String,
    pub found_by: Vec<FoundBy>,
}

/// How a stage was found.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
#[serde(tag = "kind", rename_all = "kebab-case")]
pub(crate) enum FoundBy {
    /// Named with `--stage`.
    Flag,
    /// A key of `params`.
    Params { at: Location },
    /// A key of `stages` (Serverless v4's per-stage settings).
    Stages { at: Location },
    /// A key of a map that a variable indexes by the stage.
    IndexedMap { map: String, at: Location },
    /// The stage a deploy without `--stage` uses: `provider.stage`...
    ProviderStage { at: Location },
    /// ... or else v3's default, `dev`.
    Default,
}

impl FoundBy {
    /// A short human description, e.g. `key of custom.profiles`.
    pub fn describe(&self) -> String {
        match self {
            Self::Flag => "--stage".to_owned(),
            Self::Params { .. } => "params".to_owned(),
            Self::Stages { .. } => "stages".to_owned(),
            Self::IndexedMap { map, .. } => format!("key of {map}"),
            Self::ProviderStage { .. } => "provider.stage".to_owned(),
            Self::Default => "default stage `dev`".to_owned(),
        }
    }

    /// The matrix's short form: `params`, `custom.profiles`, `default`.
    pub fn short(&self) -> String {
        match self {
            Self::IndexedMap { map, .. } => map.clone(),
            Self::Default => "default".to_owned(),
            other => other.describe(),
        }
    }

    /// The JSON form: the kind, the map for `indexed-map`, and where the key is written.
    pub fn json(&self) -> serde_json::Value {
        let at = |at: &Location| serde_json::json!({"line": at.line, "column": at.column});
        let (kind, map, place) = match self {
            Self::Flag => ("flag", None, None),
            Self::Params { at: a } => ("params", None, Some(at(a))),
            Self::Stages { at: a } => ("stages", None, Some(at(a))),
            Self::IndexedMap { map, at: a } => ("indexed-map", Some(map.clone()), Some(at(a))),
            Self::ProviderStage { at: a } => ("provider-stage", None, Some(at(a))),
            Self::Default => ("default", None, None),
        };
        let mut out = serde_json::json!({ "kind": kind, "description": self.describe() });
        if let Some(map) = map {
            out["map"] = serde_json::json!(map);
        }
        if let Some(place) = place {
            out["line"] = place["line"].clone();
            out["column"] = place["column"].clone();
        }
        out
    }
}

/// Keys that name a fallback entry rather than a stage.
const NOT_STAGES: &[&str] = &["default"];

/// The stage a deploy without `--stage` resolves to.
#[derive(Debug, Clone, Copy)]
pub(crate) struct DefaultStage<'a> {
    pub name: &'a str,
    /// From `provider.stage` (else it is v3's `dev`).
    pub from_provider: bool,
}

/// The stages to check: those named with `--stage` if any, otherwise every declared stage
/// plus the default stage, in a stable order.
pub(crate) fn stages_to_check(
    file: &SourceFile,
    root: &Node,
    flags: &[String],
    default_stage: DefaultStage<'_>,
) -> Vec<StageToCheck> {
    let mut out: Vec<StageToCheck> = Vec::new();
    let mut add = |name: &str, how: FoundBy| match out.iter_mut().find(|s| s.name == name) {
        Some(stage) => {
            if !stage.found_by.contains(&how) {
                stage.found_by.push(how);
            }
        }
        None => out.push(StageToCheck {
            name: name.to_owned(),
            found_by: vec![how],
        }),
    };
    if !flags.is_empty() {
        for stage in flags {
            add(stage, FoundBy::Flag);
        }
        return out;
    }
    for (key, make) in [
        (
            "params",
            (|at| FoundBy::Params { at }) as fn(Location) -> FoundBy,
        ),
        ("stages", |at| FoundBy::Stages { at }),
    ] {
        if let Some(NodeKind::Map(entries)) = root.get_path(&[key]).map(|n| &n.kind) {
            for (name, entry) in entries {
                if !NOT_STAGES.contains(&name.as_str()) {
                    add(name, make(location(file, entry.key_span)));
                }
            }
        }
    }
    let mut uses: Vec<IndexedUse> = Vec::new();
    collect_indexed_maps(root, &mut uses);
    let mut maps: Vec<&str> = Vec::new();
    for u in &uses {
        if !maps.contains(&u.map.as_str()) {
            maps.push(&u.map);
        }
    }
    for map in maps {
        let keys: Vec<&str> = map.split('.').collect();
        let Some(NodeKind::Map(entries)) = root.get_path(&keys).map(|n| &n.kind) else {
            continue;
        };
        for (name, entry) in entries {
            if NOT_STAGES.contains(&name.as_str()) {
                continue;
            }
            // `custom.${sls:stage}.profile` indexes `custom` by the stage only through keys that
            // hold a `profile`: `custom.webpack` is not a stage.
            let indexed = uses
                .iter()
                .filter(|u| u.map == map)
                .any(|u| match &u.suffix {
                    None => true,
                    Some(suffix) => {
                        let mut path = keys.clone();
                        path.push(name);
                        path.extend(suffix.split('.'));
                        root.get_path(&path).is_some()
                    }
                });
            if indexed {
                add(
                    name,
                    FoundBy::IndexedMap {
                        map: map.to_owned(),
                        at: location(file, entry.key_span),
                    },
                );
            }
        }
    }
    // what a deploy without `--stage` uses: `provider.stage` when it is written, else `dev`
    let written = root
        .get_path(&["provider", "stage"])
        .filter(|_| default_stage.from_provider);
    match written {
        Some(node) => add(
            default_stage.name,
            FoundBy::ProviderStage {
                at: location(file, node.span),
            },
        ),
        None => add(default_stage.name, FoundBy::Default),
    }
    out
}

/// A `self` address of the form `<map>.<stage variable>[.<suffix>]`.
#[derive(Debug, Clone, PartialEq, Eq)]
struct IndexedUse {
    map: String,
    /// The literal path after the stage segment, if any (and if it holds no variable).
    suffix: Option<String>,
}

/// Every `self` address in the configuration that indexes a map by the stage.
fn collect_indexed_maps(node: &Node, out: &mut Vec<IndexedUse>) {
    match &node.kind {
        NodeKind::String(text) => {
            if let Ok(variables) = sls_syntax::parse(text) {
                for variable in &variables {
                    indexed_maps_in(variable, out);
                }
            }
        }
        NodeKind::Seq(items) => items.iter().for_each(|n| collect_indexed_maps(n, out)),
        NodeKind::Map(entries) => entries
            .values()
            .for_each(|e| collect_indexed_maps(&e.value, out)),
        _ => {}
    }
}

fn indexed_maps_in(variable: &Variable, out: &mut Vec<IndexedUse>) {
    let VariableKind::Sources(sources) = &variable.kind else {
        return;
    };
    for source in sources {
        let Source::Typed(typed) = source else {
            continue;
        };
        let parts = typed.params.iter().flatten().chain(typed.address.iter());
        for part in parts {
            for nested in &part.variables {
                indexed_maps_in(nested, out);
            }
        }
        if typed.ty != "self" {
            continue;
        }
        if let Some(found) = typed.address.as_ref().and_then(stage_indexed_prefix) {
            if !out.contains(&found) {
                out.push(found);
            }
        }
    }
}

/// `custom.profiles.${sls:stage}` → `custom.profiles`; `custom.${sls:stage}.profile` →
/// `custom` with the suffix `profile`. The stage variable must be a whole path segment.
fn stage_indexed_prefix(address: &Part) -> Option<IndexedUse> {
    let Literal::String(text) = &address.value else {
        return None;
    };
    address.variables.iter().find_map(|variable| {
        if !is_stage_variable(variable) {
            return None;
        }
        let before = text.get(..variable.start)?;
        let after = text.get(variable.end..)?;
        let prefix = before.strip_suffix('.')?;
        let suffix = match after {
            "" => None,
            rest => {
                let rest = rest.strip_prefix('.')?;
                (!rest.contains("${") && !rest.is_empty()).then(|| rest.to_owned())
            }
        };
        (!prefix.is_empty() && !prefix.contains("${")).then(|| IndexedUse {
            map: prefix.to_owned(),
            suffix,
        })
    })
}

/// `${sls:stage}`, `${opt:stage}` (with any fallbacks) or `${self:provider.stage}`.
pub(super) fn is_stage_variable(variable: &Variable) -> bool {
    let VariableKind::Sources(sources) = &variable.kind else {
        return false;
    };
    let Some(Source::Typed(first)) = sources.first() else {
        return false;
    };
    let address = match first.address.as_ref().map(|a| &a.value) {
        Some(Literal::String(s)) => s.as_str(),
        _ => return false,
    };
    matches!(
        (first.ty.as_str(), address),
        ("sls" | "opt", "stage") | ("self", "provider.stage")
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    const DEV: DefaultStage<'static> = DefaultStage {
        name: "dev",
        from_provider: false,
    };

    fn stages(yaml: &str, flags: &[&str]) -> Vec<(String, Vec<String>)> {
        let file = SourceFile::named("serverless.yml", yaml);
        let root = sls_yaml::load_yaml(yaml).expect("valid yaml");
        let flags: Vec<String> = flags.iter().map(|s| (*s).to_owned()).collect();
        stages_to_check(&file, &root, &flags, DEV)
            .into_iter()
            .map(|s| {
                let how = s.found_by.iter().map(FoundBy::describe).collect();
                (s.name, how)
            })
            .collect()
    }

    #[test]
    fn maps_indexed_by_the_stage_give_their_keys() {
        let found = stages(
            "provider:\n  profile: ${self:custom.profiles.${sls:stage}}\ncustom:\n  profiles:\n    dev: d\n    prod: p\n    default: x\n",
            &[],
        );
        assert_eq!(
            found,
            [
                (
                    "dev".to_owned(),
                    vec![
                        "key of custom.profiles".to_owned(),
                        "default stage `dev`".to_owned()
                    ]
                ),
                ("prod".to_owned(), vec!["key of custom.profiles".to_owned()]),
            ]
        );
    }

    #[test]
    fn opt_stage_with_fallback_and_self_provider_stage_index_maps() {
        let found = stages(
            "a: ${self:custom.x.${opt:stage, 'dev'}.name}\nb: ${self:custom.y.${self:provider.stage}}\ncustom:\n  x:\n    qa: {name: q}\n  y:\n    uat: u\n",
            &[],
        );
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["qa", "uat", "dev"]);
    }

    #[test]
    fn params_and_v4_stages_keys_are_stages_but_default_is_not() {
        let found = stages(
            "params:\n  default:\n    a: 1\n  staging:\n    a: 2\nstages:\n  prod:\n    params: {}\n",
            &[],
        );
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["staging", "prod", "dev"]);
    }

    #[test]
    fn flags_limit_the_stages() {
        let found = stages("params:\n  prod: {}\n", &["qa"]);
        assert_eq!(found, [("qa".to_owned(), vec!["--stage".to_owned()])]);
    }

    #[test]
    fn a_suffix_keeps_only_the_keys_that_have_it() {
        let found = stages(
            "provider:\n  profile: ${self:custom.${sls:stage}.profile}\ncustom:\n  webpack:\n    x: 1\n  prod:\n    profile: p\n  qa:\n    profile: q\n",
            &[],
        );
        let names: Vec<&str> = found.iter().map(|(n, _)| n.as_str()).collect();
        assert_eq!(names, ["prod", "qa", "dev"]);
    }

    #[test]
    fn a_stage_variable_inside_a_segment_is_not_an_index() {
        let found = stages(
            "a: ${self:custom.p-${sls:stage}}\ncustom:\n  p-dev: 1\n",
            &[],
        );
        assert_eq!(
            found,
            [("dev".to_owned(), vec!["default stage `dev`".to_owned()])]
        );
    }

    #[test]
    fn found_keys_carry_their_location() {
        let yaml = "params:\n  prod:\n    a: 1\n";
        let file = SourceFile::named("serverless.yml", yaml);
        let root = sls_yaml::load_yaml(yaml).unwrap();
        let found = stages_to_check(&file, &root, &[], DEV);
        let FoundBy::Params { at } = &found[0].found_by[0] else {
            panic!("found by params")
        };
        assert_eq!((at.line, at.column), (2, 3));
    }
}
