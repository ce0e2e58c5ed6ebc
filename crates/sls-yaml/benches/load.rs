//! Criterion bench: loading generated `serverless.yml` files (the node tree, and the node tree
//! plus its conversion to a value, as the CLI does).

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
            b.iter(|| sls_yaml::load_yaml(&text).map(|node| node.to_value()));
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
