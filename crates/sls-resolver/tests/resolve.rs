//! Resolver behaviour on small configurations with an in-memory file system.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use sls_resolver::{
    Environment, ErrorCode, FileSystem, LookupOutcome, ResolveInput, Trace, resolve, resolve_traced,
};
use sls_value::{Map, Value};

#[derive(Default)]
struct MemFs(HashMap<PathBuf, Vec<u8>>);

impl FileSystem for MemFs {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.0
            .get(path)
            .cloned()
            .ok_or_else(|| io::Error::from(io::ErrorKind::NotFound))
    }
}

struct Case {
    yaml: String,
    files: Vec<(&'static str, &'static str)>,
    env: Vec<(&'static str, &'static str)>,
    stage: Option<&'static str>,
    allow_unresolved: bool,
}

fn case(yaml: &str) -> Case {
    Case {
        yaml: format!("service: svc\nprovider:\n  name: aws\n{yaml}"),
        files: Vec::new(),
        env: Vec::new(),
        stage: None,
        allow_unresolved: false,
    }
}

impl Case {
    fn run(self) -> Result<Value, sls_resolver::Failure> {
        let input = self.input();
        resolve(input).map(|r| r.config)
    }

    fn traced(self) -> (Result<Value, sls_resolver::Failure>, Trace) {
        let (result, trace) = resolve_traced(self.input());
        (result.map(|r| r.config), trace)
    }

    fn input(self) -> ResolveInput {
        let config = sls_yaml::load_yaml(&self.yaml)
            .expect("valid yaml")
            .to_value();
        let mut options = Map::default();
        for key in ["region", "stage"] {
            options.insert(key.into(), Value::Null);
        }
        if let Some(stage) = self.stage {
            options.insert("stage".into(), Value::String(stage.into()));
        }
        let fs = MemFs(
            self.files
                .iter()
                .map(|(p, c)| (Path::new("/svc").join(p), c.as_bytes().to_vec()))
                .collect(),
        );
        let env = Environment {
            service_dir: PathBuf::from("/svc"),
            options,
            env: self
                .env
                .iter()
                .map(|(k, v)| ((*k).into(), (*v).into()))
                .collect(),
            fs: Rc::new(fs),
            instance_id: Some("1700000000000".into()),
            allow_unresolved: self.allow_unresolved,
            require_plugins: false,
            missing_env: RefCell::new(BTreeSet::new()),
        };
        ResolveInput {
            config,
            config_name: "serverless.yml".into(),
            env,
        }
    }
}

fn custom(value: &Value) -> &Map {
    match value {
        Value::Object(root) => match root.get("custom") {
            Some(Value::Object(custom)) => custom,
            _ => panic!("no custom"),
        },
        _ => panic!("not an object"),
    }
}

fn s(text: &str) -> Value {
    Value::String(text.into())
}

#[test]
fn whole_values_keep_their_type_and_partial_values_become_text() {
    let out = case("custom:\n  n: 5\n  l: [a, b]\n  w: ${self:custom.n}\n  p: x${self:custom.l}\n")
        .run()
        .unwrap();
    assert_eq!(custom(&out)["w"], Value::Number(5.0));
    assert_eq!(custom(&out)["p"], s("xa,b"));
}

#[test]
fn fallbacks_apply_only_when_nothing_is_found() {
    let out = case("custom:\n  e: ''\n  a: ${self:custom.e, 'fb'}\n  b: ${self:custom.nope, 'fb'}\n  c: ${self:custom.nope, null}\n")
        .run()
        .unwrap();
    assert_eq!(custom(&out)["a"], s(""));
    assert_eq!(custom(&out)["b"], s("fb"));
    assert_eq!(custom(&out)["c"], Value::Null);
}

#[test]
fn circular_references_are_reported_once() {
    let err = case("custom:\n  a: ${self:custom.b}\n  b: ${self:custom.a}\n")
        .run()
        .unwrap_err();
    assert_eq!(err.errors.len(), 1);
    assert_eq!(err.errors[0].code, ErrorCode::CircularPropertyDependency);
    assert_eq!(
        err.errors[0].message,
        "Circular reference among \"custom.b\" and \"custom.a\" properties".replace(
            "Circular",
            "Cannot resolve variable at \"custom.b\": Circular"
        )
    );
}

#[test]
fn missing_self_key_names_the_existing_keys() {
    let err =
        case("custom:\n  profiles:\n    dev: d\n    prod: p\n  x: ${self:custom.profiles.test}\n")
            .run()
            .unwrap_err();
    let help = err.errors[0].help.clone().unwrap_or_default();
    assert!(help.contains("`dev`") && help.contains("`prod`"), "{help}");
    assert_eq!(err.errors[0].site.as_ref().unwrap().path, ["custom", "x"]);
    assert_eq!(err.errors[0].site.as_ref().unwrap().range, Some((0, 28)));
}

#[test]
fn stage_profile_map_follows_the_cli_stage() {
    let mut c = case(
        "  profile: ${self:custom.profiles.${sls:stage}}\ncustom:\n  profiles:\n    dev: devP\n    prod: prodP\n",
    );
    c.stage = Some("prod");
    let out = c.run().unwrap();
    let Value::Object(root) = &out else { panic!() };
    let Value::Object(provider) = &root["provider"] else {
        panic!()
    };
    assert_eq!(provider["profile"], s("prodP"));
    assert_eq!(provider["stage"], s("dev"));
}

#[test]
fn files_resolve_relative_to_the_service_directory() {
    let mut c = case("custom:\n  a: ${file(./sub/inner.yml)}\n");
    c.files = vec![
        ("sub/inner.yml", "k: ${file(./other.yml):v}\n"),
        ("other.yml", "v: root\n"),
    ];
    let out = c.run().unwrap();
    let Value::Object(a) = &custom(&out)["a"] else {
        panic!()
    };
    assert_eq!(a["k"], s("root"));
}

#[test]
fn remote_sources_fail_offline_or_stay_with_allow_unresolved() {
    let err = case("custom:\n  a: ${ssm:/x}\n").run().unwrap_err();
    assert_eq!(err.errors[0].code, ErrorCode::RemoteSourceOffline);
    let mut c = case("custom:\n  a: ${self:service}-${ssm:/x}\n");
    c.allow_unresolved = true;
    let out = c.run().unwrap();
    assert_eq!(custom(&out)["a"], s("svc-${ssm:/x}"));
}

#[test]
fn env_values_are_reparsed_with_a_depth_limit() {
    let mut c = case("custom:\n  a: ${env:LOOP}\n");
    c.env = vec![("LOOP", "${env:LOOP}")];
    let err = c.run().unwrap_err();
    assert_eq!(err.errors[0].code, ErrorCode::ExcessivePropertiesNestDepth);
}

fn strings(path: &[&str]) -> Vec<String> {
    path.iter().map(|k| (*k).to_owned()).collect()
}

#[test]
fn trace_records_each_lookup_of_a_property_in_order() {
    let mut c = case(
        "  profile: ${self:custom.profiles.${sls:stage}}\ncustom:\n  profiles:\n    dev: devP\n    prod: prodP\n",
    );
    c.stage = Some("prod");
    let (result, trace) = c.traced();
    assert!(result.is_ok());
    let property = strings(&["provider", "profile"]);
    let lookups: Vec<_> = trace.lookups_for(&property).collect();
    assert_eq!(lookups.len(), 2, "{lookups:?}");
    assert_eq!(lookups[0].source, "sls");
    assert_eq!(lookups[0].address_text(), Some("stage"));
    assert_eq!(lookups[0].outcome, LookupOutcome::Found(s("prod")));
    assert_eq!(lookups[1].source, "self");
    assert_eq!(lookups[1].address_text(), Some("custom.profiles.prod"));
    assert_eq!(lookups[1].outcome, LookupOutcome::Found(s("prodP")));
    assert!(!trace.is_unresolved(&["provider", "profile"]));
}

#[test]
fn trace_records_fallbacks_not_found_before_the_one_that_answered() {
    let (_, trace) = case("custom:\n  d: D\n  a: ${opt:nope, self:custom.d}\n").traced();
    let property = strings(&["custom", "a"]);
    let outcomes: Vec<_> = trace
        .lookups_for(&property)
        .map(|l| (l.source.as_str(), l.outcome.clone()))
        .collect();
    assert_eq!(
        outcomes,
        [
            ("opt", LookupOutcome::NotFound),
            ("self", LookupOutcome::Found(s("D")))
        ]
    );
}

#[test]
fn trace_keeps_the_partial_configuration_when_resolution_fails() {
    let (result, trace) =
        case("  profile: ${self:custom.p}\ncustom:\n  p: prodP\n  broken: ${self:custom.nope}\n")
            .traced();
    assert!(result.is_err());
    assert!(trace.is_unresolved(&["custom", "broken"]));
    assert!(!trace.is_unresolved(&["provider", "profile"]));
    let Value::Object(root) = &trace.config else {
        panic!("partial config is an object")
    };
    let Value::Object(provider) = &root["provider"] else {
        panic!()
    };
    assert_eq!(provider["profile"], s("prodP"));
}

#[test]
fn trace_records_the_dotenv_file_and_what_it_set() {
    let mut c = case("useDotenv: true\ncustom:\n  a: ${env:FROM_FILE}\n");
    c.files = vec![(".env", "FROM_FILE=f\nALREADY=file\n")];
    c.env = vec![("ALREADY", "process")];
    let (result, trace) = c.traced();
    assert_eq!(custom(&result.unwrap())["a"], s("f"));
    let dotenv = trace.dotenv.expect("a .env file was loaded");
    assert_eq!(dotenv.file, ".env");
    assert_eq!(dotenv.set, ["FROM_FILE"]);
    assert_eq!(trace.env["ALREADY"], "process");
}

/// An error's code, property path and variable range.
type Located = (ErrorCode, String, Option<(usize, usize)>);

#[test]
fn failure_lists_what_v3_would_fail_on_after_the_first_phase() {
    let yaml = "custom:\n  a: ${env:NOPE}\n  b: ${slef:service}\n  c: x-${ssm:/y}\n  d: ${self:custom.${opts:stage}}\n";
    let err = case(yaml).run().unwrap_err();
    // v3 stops at the phase that resolves `env`.
    assert_eq!(err.errors.len(), 1);
    assert_eq!(err.errors[0].code, ErrorCode::MissingVariableResult);
    let later: Vec<Located> = err
        .later
        .iter()
        .map(|e| {
            let site = e.site.as_ref().unwrap();
            (e.code, site.path.join("."), site.range)
        })
        .collect();
    assert_eq!(
        later,
        vec![
            (
                ErrorCode::UnrecognizedVariableSources,
                "custom.b".into(),
                Some((0, 15))
            ),
            (
                ErrorCode::RemoteSourceOffline,
                "custom.c".into(),
                Some((2, 11))
            ),
            // The nested variable itself, inside `${self:custom.${opts:stage}}`.
            (
                ErrorCode::UnrecognizedVariableSources,
                "custom.d".into(),
                Some((14, 27))
            ),
        ]
    );
    assert!(
        err.later[0]
            .help
            .as_deref()
            .unwrap()
            .contains("did you mean `self`")
    );
    assert!(!err.message.contains("slef"), "not part of v3's message");
}

#[test]
fn later_problems_skip_remote_sources_with_allow_unresolved() {
    let mut c = case("custom:\n  a: ${env:NOPE}\n  c: ${ssm:/y}\n");
    c.allow_unresolved = true;
    let err = c.run().unwrap_err();
    assert!(err.later.is_empty());
}

#[test]
fn each_unknown_source_is_an_error_at_its_variable() {
    let err = case("custom:\n  a: ${slef:service}\n  b: ok-${envv:HOME}\n")
        .run()
        .unwrap_err();
    assert_eq!(
        err.message,
        "Unrecognized configuration variable sources: \"slef\", \"envv\""
    );
    let sites: Vec<(String, Option<(usize, usize)>)> = err
        .errors
        .iter()
        .map(|e| {
            let site = e.site.as_ref().unwrap();
            (site.path.join("."), site.range)
        })
        .collect();
    assert_eq!(
        sites,
        vec![
            ("custom.a".into(), Some((0, 15))),
            ("custom.b".into(), Some((3, 15)))
        ]
    );
}

fn provider(value: &Value) -> &Map {
    match value {
        Value::Object(root) => match root.get("provider") {
            Some(Value::Object(provider)) => provider,
            _ => panic!("no provider"),
        },
        _ => panic!("not an object"),
    }
}

#[test]
fn schema_coerces_in_every_validation_mode() {
    for mode in [
        "",
        "configValidationMode: warn\n",
        "configValidationMode: off\n",
    ] {
        let out = case(&format!("{mode}custom:\n  mem: '512'\n"))
            .run()
            .unwrap();
        assert_eq!(custom(&out)["mem"], s("512"), "custom is not typed");
    }
    let yaml = "service: svc\nconfigValidationMode: off\nprovider:\n  name: aws\n  memorySize: ${self:custom.mem}\n  nope: 1\ncustom:\n  mem: '512'\n";
    let mut c = case("");
    c.yaml = yaml.into();
    let out = c.run().unwrap();
    assert_eq!(provider(&out)["memorySize"], Value::Number(512.0));
}

#[test]
fn schema_warnings_are_data_with_their_property() {
    let mut c = case("");
    c.yaml = "service: svc\nprovider:\n  name: aws\n  timeout: ten\n  nope: 1\n".into();
    let resolved = resolve(c.input()).unwrap();
    let found: Vec<(Vec<String>, bool)> = resolved
        .schema_violations
        .iter()
        .map(|v| (v.path.clone(), v.unrecognized))
        .collect();
    assert_eq!(
        found,
        [
            (strings(&["provider", "nope"]), true),
            (strings(&["provider", "timeout"]), false)
        ]
    );
}

#[test]
fn schema_errors_in_error_mode_are_one_per_violation() {
    let mut c = case("");
    c.yaml = "service: svc\nconfigValidationMode: error\nprovider:\n  name: aws\n  timeout: ten\nextra: 1\n".into();
    let err = c.run().unwrap_err();
    let found: Vec<(ErrorCode, Vec<String>)> = err
        .errors
        .iter()
        .map(|e| (e.code, e.site.as_ref().unwrap().path.clone()))
        .collect();
    assert_eq!(
        found,
        [
            (
                ErrorCode::UnrecognizedConfigurationProperty,
                strings(&["extra"])
            ),
            (
                ErrorCode::InvalidNonSchemaCompliantConfiguration,
                strings(&["provider", "timeout"])
            ),
        ]
    );
}

/// `k0: ${self:custom.k1}`, ..., closing into a cycle or ending in a value.
fn references(n: usize, cyclic: bool) -> String {
    let mut yaml = String::from("custom:\n");
    for i in 0..n {
        let next = if cyclic { (i + 1) % n } else { i + 1 };
        yaml.push_str(&format!("  k{i}: ${{self:custom.k{next}}}\n"));
    }
    if !cyclic {
        yaml.push_str(&format!("  k{n}: end\n"));
    }
    yaml
}

#[test]
fn cycles_of_every_length_are_circular_references() {
    with_big_stack(cycles_of_every_length);
}

fn cycles_of_every_length() {
    for n in [1, 2, 10, 100, 200] {
        let err = case(&references(n, true)).run().unwrap_err();
        assert_eq!(err.errors.len(), 1, "{n}");
        assert_eq!(
            err.errors[0].code,
            ErrorCode::CircularPropertyDependency,
            "{n}"
        );
    }
}

/// Runs `f` on a thread with the stack the binary gives resolution (a test thread has 2 MiB;
/// resolving at the depth limit needs about 4 MiB in a debug build).
fn with_big_stack(f: impl FnOnce() + Send + 'static) {
    std::thread::Builder::new()
        .stack_size(32 << 20)
        .spawn(f)
        .expect("thread")
        .join()
        .unwrap_or_else(|e| std::panic::resume_unwind(e));
}

#[test]
fn chains_resolve_up_to_the_depth_limit() {
    with_big_stack(chains_up_to_the_depth_limit);
}

fn chains_up_to_the_depth_limit() {
    let depth = sls_resolver::MAX_RESOLUTION_DEPTH;
    let out = case(&references(depth - 1, false)).run().unwrap();
    assert_eq!(custom(&out)["k0"], s("end"));
    // One reference more, or a cycle too long to trace, is a clear error (v3: a stack overflow).
    for yaml in [references(depth + 1, false), references(1000, true)] {
        let err = case(&yaml).run().unwrap_err();
        assert!(
            err.errors
                .iter()
                .all(|e| e.code == ErrorCode::ExcessiveResolutionDepth),
            "{:?}",
            err.errors
        );
        assert!(err.errors[0].site.is_some());
    }
}

#[test]
fn nested_variables_stop_at_the_parser_limit() {
    let nest = |n: usize| {
        format!(
            "custom:\n  k: k\n  x: \"{}k{}\"\n",
            "${self:custom.".repeat(n),
            "}".repeat(n)
        )
    };
    let out = case(&nest(sls_syntax::MAX_NESTING)).run().unwrap();
    assert_eq!(custom(&out)["x"], s("k"));
    let err = case(&nest(10_000)).run().unwrap_err();
    assert_eq!(err.errors.len(), 1);
    assert_eq!(err.errors[0].code, ErrorCode::Syntax);
}

#[test]
fn variable_expansion_bombs_stop_with_one_error() {
    // Nine levels of nine references: 9^9 strings once resolved.
    let mut yaml = String::from("custom:\n  l0: [lol, lol, lol, lol, lol, lol, lol, lol, lol]\n");
    for i in 1..10 {
        let refs = vec![format!("\"${{self:custom.l{}}}\"", i - 1); 9].join(", ");
        yaml.push_str(&format!("  l{i}: [{refs}]\n"));
    }
    let err = case(&yaml).run().unwrap_err();
    assert_eq!(err.errors.len(), 1, "{:?}", err.errors);
    assert_eq!(err.errors[0].code, ErrorCode::ExcessiveSubstitution);
    // Four levels (6,561 strings) copy far less than the limit and resolve.
    let four: String = yaml.lines().take(6).map(|l| format!("{l}\n")).collect();
    let out = case(&four).run().unwrap();
    let Value::Array(l4) = &custom(&out)["l4"] else {
        panic!("l4 is a list");
    };
    assert_eq!(l4.len(), 9);
}

/// A file system that records every read.
struct Counting {
    inner: Rc<dyn FileSystem>,
    reads: Rc<RefCell<Vec<PathBuf>>>,
}

impl FileSystem for Counting {
    fn read(&self, path: &Path) -> io::Result<Vec<u8>> {
        self.reads.borrow_mut().push(path.to_owned());
        self.inner.read(path)
    }
}

#[test]
fn a_file_named_by_many_variables_is_read_once() {
    let mut c = case(
        "custom:\n  a: ${file(./vars.yml):k0}\n  b: ${file(./vars.yml):k1.x}\n  c: ${file(./vars.yml)}\n  d: ${file(./nope.yml), 'none'}\n  e: ${file(./nope.yml):k, 'none'}\n",
    );
    c.files.push(("vars.yml", "k0: zero\nk1:\n  x: one\n"));
    let mut input = c.input();
    let reads = Rc::new(RefCell::new(Vec::new()));
    input.env.fs = Rc::new(Counting {
        inner: input.env.fs.clone(),
        reads: reads.clone(),
    });
    let config = resolve(input).expect("resolves").config;
    let custom = custom(&config);
    assert_eq!(custom["a"], s("zero"));
    assert_eq!(custom["b"], s("one"));
    assert_eq!(
        sls_value::to_json_compact(&custom["c"]),
        r#"{"k0":"zero","k1":{"x":"one"}}"#
    );
    assert_eq!((&custom["d"], &custom["e"]), (&s("none"), &s("none")));
    let reads = reads.borrow();
    let count = |name: &str| reads.iter().filter(|p| p.ends_with(name)).count();
    assert_eq!((count("vars.yml"), count("nope.yml")), (1, 1), "{reads:?}");
}

#[test]
fn an_error_in_a_nested_inclusion_names_the_innermost_file() {
    // `outer.yml` includes `inner.yml`, whose variable fails: the error's property comes from
    // `inner.yml` (the longest included prefix), with the keys below it.
    let mut c = case("custom:\n  o: ${file(./outer.yml)}\n  p: ${self:custom.o.i.k}\n");
    c.files
        .push(("outer.yml", "i: ${file(./inner.yml)}\nplain: 1\n"));
    c.files.push(("inner.yml", "k: ${self:nope}\n"));
    let failure = c.run().unwrap_err();
    let error = &failure.errors[0];
    let path = &error.site.as_ref().expect("a site").path;
    assert_eq!(path.join("."), "custom.o.i.k");
    let (origin, rest) = failure.origin_of(path).expect("included");
    assert!(origin.file.ends_with("inner.yml"), "{:?}", origin.file);
    assert_eq!(rest, ["k".to_owned()]);
    let keys = |p: &str| p.split('.').map(str::to_owned).collect::<Vec<_>>();
    let plain = keys("custom.o.plain");
    let (origin, rest) = failure.origin_of(&plain).expect("included");
    assert!(origin.file.ends_with("outer.yml"), "{:?}", origin.file);
    assert_eq!(rest, ["plain".to_owned()]);
    assert!(failure.origin_of(&keys("custom.p")).is_none());
    assert!(failure.origin_of(&keys("custom")).is_none());
}
