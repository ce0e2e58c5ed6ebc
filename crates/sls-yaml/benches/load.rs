//! Criterion bench: loading generated `serverless.yml` files: the node tree (spans, as `check`
//! and the profile report load it), the plain value (as `print` loads it), and the node tree
//! converted into the value.

use criterion::{Throughput, criterion_group, criterion_main};

#[path = "../../../benches/generated.rs"]
mod generated;

fn load(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("load_yaml");
    for &(label, functions) in generated::SIZES {
        let text = generated::yaml(functions);
        group.throughput(Throughput::Bytes(text.len() as u64));
        group.bench_function(format!("{label}/nodes"), |b| {
            b.iter(|| sls_yaml::load_yaml(&text).map(|node| node.span));
        });
        group.bench_function(format!("{label}/value"), |b| {
            b.iter(|| sls_yaml::load_yaml_value(&text));
        });
        group.bench_function(format!("{label}/nodes_then_value"), |b| {
            b.iter(|| sls_yaml::load_yaml(&text).map(sls_yaml::Node::into_value));
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = generated::criterion();
    targets = load
}
criterion_main!(benches);
