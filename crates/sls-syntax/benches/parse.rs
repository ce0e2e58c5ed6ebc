//! Criterion bench: `sls_syntax::parse` over every string of generated configurations.

use criterion::{Throughput, criterion_group, criterion_main};

#[path = "../../../benches/generated.rs"]
mod generated;

fn parse(c: &mut criterion::Criterion) {
    let mut group = c.benchmark_group("parse_templates");
    for &(label, functions) in generated::SIZES {
        let strings = generated::strings(functions);
        let bytes: usize = strings.iter().map(String::len).sum();
        group.throughput(Throughput::Bytes(bytes as u64));
        group.bench_function(label, |b| {
            b.iter(|| {
                let mut variables = 0;
                for text in &strings {
                    variables += sls_syntax::parse(text).map_or(0, |v| v.len());
                }
                variables
            });
        });
    }
    group.finish();
}

criterion_group! {
    name = benches;
    config = generated::criterion();
    targets = parse
}
criterion_main!(benches);
