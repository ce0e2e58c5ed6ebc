//! The JSON loader (`JSON.parse` semantics): no panic, no stack overflow, no unbounded memory on any text; every span
//! lies inside the input and on character boundaries; the value converts and prints.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sls_yaml::{Node, NodeKind, Span};

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    match sls_yaml::load_json(&text) {
        Ok(node) => {
            check(&text, &node);
            let value = node.to_value();
            let _ = sls_value::to_json_pretty(&value);
            let _ = sls_value::to_yaml(&value);
        }
        Err(err) => span(&text, err.span),
    }
});

fn span(text: &str, span: Span) {
    assert!(span.start <= span.end, "{span:?} reversed");
    assert!(
        span.end <= text.len(),
        "{span:?} past the end ({})",
        text.len()
    );
    assert!(
        text.is_char_boundary(span.start),
        "{span:?} starts inside a character"
    );
    assert!(
        text.is_char_boundary(span.end),
        "{span:?} ends inside a character"
    );
}

fn check(text: &str, node: &Node) {
    let mut stack = vec![node];
    while let Some(node) = stack.pop() {
        span(text, node.span);
        match &node.kind {
            NodeKind::Seq(items) => stack.extend(items),
            NodeKind::Map(entries) => {
                for entry in entries.values() {
                    span(text, entry.key_span);
                    stack.push(&entry.value);
                }
            }
            _ => {}
        }
    }
}
