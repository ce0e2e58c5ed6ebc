//! Properties of both loaders over generated text: every span (of every node, every key, every
//! error) lies inside the input and on character boundaries, on well-formed and malformed text
//! alike; and what the emitters print (`JSON.stringify`, js-yaml's `dump`) loads back as the
//! same value.

use proptest::prelude::*;
use sls_yaml::{Map, Node, Span, Value, load_json, load_yaml};

/// Text made of YAML's significant tokens, multi-byte characters and line breaks.
fn yamlish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "a",
        "é",
        "😀",
        "1",
        "-1.5e3",
        "true",
        "~",
        "2024-01-01",
        ": ",
        ":",
        "- ",
        "? ",
        "[",
        "]",
        "{",
        "}",
        ", ",
        "&x ",
        "*x",
        "<<: ",
        "!!str ",
        "!!binary ",
        "!Ref ",
        "!GetAtt ",
        "'",
        "\"",
        "\\",
        "\\u00e9",
        "\\ud83d",
        "# c",
        "|",
        ">-",
        "---",
        "\n",
        "\r\n",
        "\n  ",
        "\n    ",
        "\t",
        " ",
        "\u{feff}",
        "\u{85}",
    ]);
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

/// Text made of JSON's tokens.
fn jsonish() -> impl Strategy<Value = String> {
    let token = prop::sample::select(vec![
        "{",
        "}",
        "[",
        "]",
        ",",
        ":",
        "\"a\"",
        "\"é😀\"",
        "\"\\u00e9\"",
        "\"\\ud83d\\ude00\"",
        "\"\\ud83d\"",
        "\"\\x\"",
        "\"",
        "1",
        "-0",
        "1e400",
        "0.5",
        "true",
        "null",
        " ",
        "\n",
        "é",
    ]);
    prop::collection::vec(token, 0..40).prop_map(|t| t.concat())
}

fn span(text: &str, span: Span) {
    assert!(span.start <= span.end, "{span:?} reversed in {text:?}");
    assert!(span.end <= text.len(), "{span:?} past the end of {text:?}");
    assert!(
        text.is_char_boundary(span.start) && text.is_char_boundary(span.end),
        "{span:?} inside a character of {text:?}"
    );
}

fn spans(text: &str, result: Result<Node, sls_yaml::LoadError>) {
    match result {
        Ok(node) => node.spans().into_iter().for_each(|s| span(text, s)),
        Err(err) => span(text, err.span),
    }
}

/// Values as a configuration holds them after v3's JSON round trip: finite numbers, any keys
/// (array-index keys move first in JavaScript objects; maps compare regardless of order).
fn value() -> impl Strategy<Value = Value> {
    let key = prop_oneof![
        4 => "[a-zA-Z_é😀 .:#-][a-zA-Z0-9_é😀 .:#'\"-]{0,6}",
        1 => prop::sample::select(vec!["<<", "0", "1", "01", "-1", "", "~", "null", "true", "? x"])
            .prop_map(str::to_owned),
    ];
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        prop::num::f64::NORMAL.prop_map(Value::Number),
        (-1000i32..1000).prop_map(|n| Value::Number(f64::from(n))),
        any::<String>().prop_map(Value::String),
        prop_oneof![
            Just("true"),
            Just("null"),
            Just("1"),
            Just("0x1f"),
            Just("2024-01-01"),
            Just("~"),
            Just("- a"),
            Just("a: b"),
            Just("#"),
            Just(""),
            Just(" lead"),
            Just("trail "),
            Just("multi\nline\n"),
            Just("${self:custom.x}"),
            Just("!Ref x"),
            Just("<<"),
        ]
        .prop_map(|s| Value::String(s.to_owned())),
    ];
    leaf.prop_recursive(4, 48, 6, move |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..5).prop_map(Value::Array),
            prop::collection::btree_map(key.clone(), inner, 0..5)
                .prop_map(|m| Value::Object(m.into_iter().collect::<Map>())),
        ]
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn yaml_spans_lie_inside_the_input(text in yamlish()) {
        spans(&text, load_yaml(&text));
    }

    #[test]
    fn json_spans_lie_inside_the_input(text in jsonish()) {
        spans(&text, load_json(&text));
    }

    #[test]
    fn any_text_loads_or_fails_with_a_span(text in ".{0,64}") {
        spans(&text, load_yaml(&text));
        spans(&text, load_json(&text));
    }

    #[test]
    fn printed_json_loads_back(value in value()) {
        let text = sls_value::to_json_pretty(&value);
        let loaded = load_json(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(loaded.to_value(), value, "{}", text);
    }

    #[test]
    fn printed_yaml_loads_back(value in value()) {
        let text = sls_value::to_yaml(&value);
        let loaded = load_yaml(&text)
            .map_err(|e| TestCaseError::fail(format!("{e}: {text}")))?;
        prop_assert_eq!(loaded.to_value(), value, "{}", text);
    }
}
