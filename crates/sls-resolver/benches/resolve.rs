//! Criterion bench: `sls_resolver::resolve` on generated configurations, as `print` calls it.

use std::cell::RefCell;
use std::collections::{BTreeSet, HashMap};
use std::io;
use std::path::{Path, PathBuf};
use std::rc::Rc;

use criterion::{BatchSize, Throughput, criterion_group, criterion_main};
use sls_resolver::{Environment, FileSystem, ResolveInput};
use sls_value::{Map, Value};

#[path = "../../../benches/generated.rs"]
mod generated;

/// The generated configurations read no file.
struct NoFiles;

impl FileSystem for NoFiles {
    fn read(&self, _: &Path) -> io::Result<Vec<u8>> {
        Err(io::ErrorKind::NotFound.into())
    }
}

fn input(config: &Value) -> ResolveInput {
    let mut options = Map::default();
    for key in ["region", "stage", "format", "path", "aws-profile", "config"] {
        options.insert(key.into(), Value::Null);
    }
    ResolveInput {
        config: config.clone(),
        config_name: "serverless.yml".into(),
        env: Environment {
            service_dir: PathBuf::from("/bench"),
            options,
            env: HashMap::default(),
            fs: Rc::new(NoFiles),
            instance_id: Some("1700000000000".into()),
            allow_unresolved: false,
            require_plugins: false,
            missing_env: RefCell::new(BTreeSet::new()),
        },
    }
}

fn resolve(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("resolve");
    for &(label, functions) in generated::SIZES {
        let text = generated::yaml(functions);
        let Ok(node) = sls_yaml::load_yaml(&text) else {
            panic!("the generated configuration loads");
        };
        let config = node.to_value();
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(label, |b| {
            b.iter_batched(
                || input(&config),
                |input| sls_resolver::resolve(input).map(|r| r.unresolved.len()),
                BatchSize::LargeInput,
            );
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = generated::criterion();
    targets = resolve
}
criterion_main!(benches);
