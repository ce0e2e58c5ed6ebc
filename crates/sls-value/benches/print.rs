//! Criterion bench: the emitters (`JSON.stringify(v, null, 2)` and js-yaml's `dump`) on the
//! resolved form of the generated configurations.

use criterion::{Throughput, criterion_group, criterion_main};
use sls_value::{Map, Value};

#[path = "../../../benches/generated.rs"]
mod generated;

fn object<const N: usize>(entries: [(&str, Value); N]) -> Value {
    Value::Object(
        entries
            .into_iter()
            .map(|(k, v)| (k.to_owned(), v))
            .collect::<Map>(),
    )
}

fn text(s: impl Into<String>) -> Value {
    Value::String(s.into())
}

/// What `sls-resolve print` resolves [`generated::yaml`]`(functions)` to.
fn resolved(functions: usize) -> Value {
    let mut fns = Map::default();
    for i in 0..functions {
        fns.insert(
            format!("fn{i}"),
            object([
                ("name", text(format!("bench-service-dev-fn{i}"))),
                ("handler", text(format!("handlers/fn{i}.handler"))),
                (
                    "environment",
                    object([
                        ("TABLE_NAME", text("bench-service-dev-table")),
                        ("LOG_LEVEL", text("info")),
                    ]),
                ),
                (
                    "events",
                    Value::Array(vec![object([(
                        "http",
                        object([("path", text(format!("/fn{i}"))), ("method", text("get"))]),
                    )])]),
                ),
            ]),
        );
    }
    object([
        ("service", text("bench-service")),
        ("frameworkVersion", text("3")),
        (
            "provider",
            object([
                ("name", text("aws")),
                ("runtime", text("nodejs18.x")),
                ("stage", text("dev")),
                ("region", text("eu-west-1")),
                ("memorySize", Value::Number(512.0)),
                (
                    "environment",
                    object([("SERVICE", text("bench-service")), ("STAGE", text("dev"))]),
                ),
                ("versionFunctions", Value::Bool(true)),
            ]),
        ),
        (
            "custom",
            object([
                ("tableName", text("bench-service-dev-table")),
                ("logLevel", text("info")),
            ]),
        ),
        ("functions", Value::Object(fns)),
    ])
}

fn print(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("print");
    for &(label, functions) in generated::SIZES {
        let value = resolved(functions);
        group.throughput(Throughput::Bytes(
            sls_value::to_json_pretty(&value).len() as u64
        ));
        group.bench_function(format!("{label}/json"), |b| {
            b.iter(|| sls_value::to_json_pretty(&value));
        });
        group.bench_function(format!("{label}/yaml"), |b| {
            b.iter(|| sls_value::to_yaml(&value));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = generated::criterion();
    targets = print
}
criterion_main!(benches);
