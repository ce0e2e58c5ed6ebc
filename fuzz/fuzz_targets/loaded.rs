//! What the `yaml` and `json` targets check of a load: every span inside the input and on
//! character boundaries, and a loaded value that converts and prints. Included by both with
//! `#[path]`; not a target of its own.

use sls_yaml::{LoadError, Node, Span};

pub fn check(text: &str, loaded: Result<Node, LoadError>) {
    match loaded {
        Ok(node) => {
            node.spans().into_iter().for_each(|s| span(text, s));
            let value = node.to_value();
            let _ = sls_value::to_json_pretty(&value);
            let _ = sls_value::to_yaml(&value);
        }
        Err(err) => span(text, err.span),
    }
}

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
