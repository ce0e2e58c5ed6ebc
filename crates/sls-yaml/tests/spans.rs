//! Exact byte spans of nodes, keys and errors.

use sls_yaml::{LoadErrorKind, Node, NodeKind, Span, Value, load_json, load_yaml};

/// The span of the `nth` (0-based) occurrence of `needle` in `text`.
fn find(text: &str, needle: &str, nth: usize) -> Span {
    let start = text
        .match_indices(needle)
        .nth(nth)
        .map(|(at, _)| at)
        .unwrap_or_else(|| panic!("{needle:?} #{nth} not in text"));
    Span {
        start,
        end: start + needle.len(),
    }
}

fn load(text: &str) -> Node {
    load_yaml(text).unwrap_or_else(|e| panic!("load failed: {e}"))
}

fn at<'n>(node: &'n Node, path: &[&str]) -> &'n Node {
    node.get_path(path)
        .unwrap_or_else(|| panic!("no node at {path:?}"))
}

fn key_span(node: &Node, path: &[&str], key: &str) -> Span {
    match &at(node, path).kind {
        NodeKind::Map(map) => {
            map.get(key)
                .unwrap_or_else(|| panic!("no key {key:?}"))
                .key_span
        }
        other => panic!("not a map: {other:?}"),
    }
}

const DOC: &str = "# ünïcödé ✓ — multi-byte text before every node
name: \"café\"   # trailing comment
plain: hello wörld
single: 'it''s'
block: |
  line 1
  line 2

folded: >-
  a
  b
flow: [1, \"two\", {k: v}]
map:
  nested: true
list:
  - x
  - &anc y
  -
alias: *anc
empty:
ref: !Ref Bucket
? complex
: value
";

#[test]
fn scalar_spans() {
    let root = load(DOC);
    assert_eq!(at(&root, &["name"]).span, find(DOC, "\"café\"", 0));
    assert_eq!(at(&root, &["plain"]).span, find(DOC, "hello wörld", 0));
    assert_eq!(at(&root, &["single"]).span, find(DOC, "'it''s'", 0));
    assert_eq!(
        at(&root, &["block"]).span,
        find(DOC, "|\n  line 1\n  line 2", 0)
    );
    assert_eq!(at(&root, &["folded"]).span, find(DOC, ">-\n  a\n  b", 0));
    assert_eq!(at(&root, &["map", "nested"]).span, find(DOC, "true", 0));
    assert_eq!(at(&root, &["list", "0"]).span, find(DOC, "x", 1));
    assert_eq!(at(&root, &["list", "1"]).span, find(DOC, "&anc y", 0));
    let empty_entry = find(DOC, "  -\n", 0).start + 3;
    assert_eq!(
        at(&root, &["list", "2"]).span,
        Span {
            start: empty_entry,
            end: empty_entry
        }
    );
    let after_colon = find(DOC, "empty:", 0).end;
    assert_eq!(
        at(&root, &["empty"]).span,
        Span {
            start: after_colon,
            end: after_colon
        }
    );
    assert_eq!(at(&root, &["complex"]).span, find(DOC, "value", 0));
    // An alias copy keeps the spans of the anchored node.
    assert_eq!(at(&root, &["alias"]).span, find(DOC, "&anc y", 0));
}

#[test]
fn collection_and_key_spans() {
    let root = load(DOC);
    assert_eq!(root.span.start, find(DOC, "name:", 0).start);
    assert_eq!(root.span.end, find(DOC, "value", 0).end);
    assert_eq!(
        at(&root, &["flow"]).span,
        find(DOC, "[1, \"two\", {k: v}]", 0)
    );
    assert_eq!(at(&root, &["flow", "1"]).span, find(DOC, "\"two\"", 0));
    assert_eq!(at(&root, &["flow", "2"]).span, find(DOC, "{k: v}", 0));
    assert_eq!(key_span(&root, &["flow", "2"], "k"), find(DOC, "k", 1));
    assert_eq!(at(&root, &["map"]).span, find(DOC, "nested: true", 0));
    assert_eq!(
        at(&root, &["list"]).span,
        find(DOC, "- x\n  - &anc y\n  -", 0)
    );
    assert_eq!(key_span(&root, &[], "name"), find(DOC, "name", 0));
    assert_eq!(key_span(&root, &[], "plain"), find(DOC, "plain", 0));
    assert_eq!(key_span(&root, &[], "complex"), find(DOC, "complex", 0));
    assert_eq!(key_span(&root, &["map"], "nested"), find(DOC, "nested", 0));
}

#[test]
fn literal_byte_offsets() {
    // "é" is two bytes: everything after it shifts by one byte relative to characters.
    let text = "é: [a, 'b']\nk: v\n";
    let root = load(text);
    assert_eq!(key_span(&root, &[], "é"), Span { start: 0, end: 2 });
    assert_eq!(at(&root, &[]).span, Span { start: 0, end: 17 });
    assert_eq!(at(&root, &["é"]).span, Span { start: 4, end: 12 });
    assert_eq!(at(&root, &["é", "0"]).span, Span { start: 5, end: 6 });
    assert_eq!(at(&root, &["é", "1"]).span, Span { start: 8, end: 11 });
    assert_eq!(key_span(&root, &[], "k"), Span { start: 13, end: 14 });
    assert_eq!(at(&root, &["k"]).span, Span { start: 16, end: 17 });
}

#[test]
fn cloudformation_tags() {
    let text = "resources:
  Outputs:
    O2: {Value: !GetAtt B.Arn}
    O4: {Value: !Join ['-', [a, !Ref B]]}
    O12:
      Value: !Sub
        - '${A}-b'
        - A: !Ref B
";
    let root = load(text);
    let outputs = at(&root, &["resources", "Outputs"]).to_value();
    let expected = load_json(
        r#"{
          "O2": {"Value": {"Fn::GetAtt": ["B", "Arn"]}},
          "O4": {"Value": {"Fn::Join": ["-", ["a", {"Ref": "B"}]]}},
          "O12": {"Value": {"Fn::Sub": ["${A}-b", {"A": {"Ref": "B"}}]}}
        }"#,
    )
    .unwrap_or_else(|e| panic!("{e}"))
    .to_value();
    assert_eq!(outputs, expected);

    let o2 = ["resources", "Outputs", "O2", "Value"];
    assert_eq!(at(&root, &o2).span, find(text, "!GetAtt B.Arn", 0));
    assert_eq!(key_span(&root, &o2, "Fn::GetAtt"), find(text, "!GetAtt", 0));
    let getatt = ["resources", "Outputs", "O2", "Value", "Fn::GetAtt"];
    assert_eq!(at(&root, &getatt).span, find(text, "B.Arn", 0));
    let first = ["resources", "Outputs", "O2", "Value", "Fn::GetAtt", "0"];
    let b_arn = find(text, "B.Arn", 0).start;
    assert_eq!(
        at(&root, &first).span,
        Span {
            start: b_arn,
            end: b_arn + 1
        }
    );
    let second = ["resources", "Outputs", "O2", "Value", "Fn::GetAtt", "1"];
    assert_eq!(at(&root, &second).span, find(text, "Arn", 0));

    let o4 = ["resources", "Outputs", "O4", "Value"];
    assert_eq!(
        at(&root, &o4).span,
        find(text, "!Join ['-', [a, !Ref B]]", 0)
    );
    let reference = ["resources", "Outputs", "O4", "Value", "Fn::Join", "1", "1"];
    assert_eq!(at(&root, &reference).span, find(text, "!Ref B", 0));

    let o12 = ["resources", "Outputs", "O12", "Value"];
    assert_eq!(
        at(&root, &o12).span,
        find(text, "!Sub\n        - '${A}-b'\n        - A: !Ref B", 0)
    );
    let sub_a = [
        "resources",
        "Outputs",
        "O12",
        "Value",
        "Fn::Sub",
        "1",
        "A",
        "Ref",
    ];
    let ref_b = find(text, "A: !Ref B", 0).start + "A: !Ref ".len();
    assert_eq!(
        at(&root, &sub_a).span,
        Span {
            start: ref_b,
            end: ref_b + 1
        }
    );
}

#[test]
fn duplicate_key_error_span() {
    let text = "ü: 1\nb:\n  c: 1\n  d: 2\n  c: 3\n";
    let err = load_yaml(text)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.kind, LoadErrorKind::DuplicateKey);
    assert_eq!(err.message, "duplicated mapping key `c`");
    assert_eq!(err.span, find(text, "c", 1));

    let flow = "x: {é: 1, \"é\": 2}";
    let err = load_yaml(flow)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.kind, LoadErrorKind::DuplicateKey);
    assert_eq!(err.span, find(flow, "\"é\"", 0));
}

#[test]
fn unknown_tag_error_span() {
    let text = "é: ü\nTransform: !Transform {Name: x}\n";
    let err = load_yaml(text)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.kind, LoadErrorKind::UnknownTag);
    assert_eq!(err.message, "unknown tag `!Transform`");
    assert_eq!(err.span, find(text, "!Transform", 0));

    let text = "a: &x !Foo bar";
    let err = load_yaml(text)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.span, find(text, "!Foo", 0));
    let text = "a: [!!python/object x]";
    let err = load_yaml(text)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.span, find(text, "!!python/object", 0));
}

#[test]
fn syntax_error_spans() {
    let text = "é: 1\nb:\n\tc: 1\n";
    let err = load_yaml(text)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.kind, LoadErrorKind::Syntax);
    assert_eq!(err.span, find(text, "\t", 0));

    let text = "é: \"unterminated\n";
    let err = load_yaml(text)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.kind, LoadErrorKind::Syntax);
    assert!(err.span.start >= find(text, "\"", 0).start, "{err:?}");

    let text = "ü: 1\n---\nb: 2\n";
    let err = load_yaml(text)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.kind, LoadErrorKind::MultipleDocuments);
    assert_eq!(err.span, find(text, "---", 0));

    let text = "a: {<<: 1}";
    let err = load_yaml(text)
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.kind, LoadErrorKind::InvalidMerge);
    assert_eq!(err.span, find(text, "1", 0));
}

#[test]
fn json_spans() {
    let text = "{\"é\": [1, {\"k\": \"ü\"}], \"n\": null}";
    let root = load_json(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        root.span,
        Span {
            start: 0,
            end: text.len()
        }
    );
    assert_eq!(key_span(&root, &[], "é"), find(text, "\"é\"", 0));
    assert_eq!(at(&root, &["é"]).span, find(text, "[1, {\"k\": \"ü\"}]", 0));
    assert_eq!(at(&root, &["é", "1", "k"]).span, find(text, "\"ü\"", 0));
    assert_eq!(at(&root, &["n"]).span, find(text, "null", 0));

    let err = load_json("{\"é\": 1,}")
        .err()
        .unwrap_or_else(|| panic!("should fail"));
    assert_eq!(err.span, find("{\"é\": 1,}", "}", 0));
}

/// js-yaml takes implicit keys of any length; saphyr stops at YAML 1.2's 1024 characters, so
/// longer block keys are made explicit before saphyr sees them. Values, nesting and spans are
/// as if nothing had been done.
#[test]
fn implicit_keys_longer_than_1024_characters() {
    let long = "k".repeat(1100);
    let wide = "é".repeat(1030);
    let text = format!(
        "a:\n  {long}: 1\n  next: 2\nlist:\n  - {long}: x\n    sibling: y\n  - \"{wide}\": q\nblock:\n  {long}:\n    inner: [1, 2]\nafter: end\n"
    );
    let root = load(&text);
    let value = |path: &[&str]| at(&root, path).to_value();
    assert_eq!(value(&["a", &long]), Value::Number(1.0));
    assert_eq!(value(&["a", "next"]), Value::Number(2.0));
    assert_eq!(value(&["list", "0", &long]), Value::String("x".into()));
    assert_eq!(value(&["list", "0", "sibling"]), Value::String("y".into()));
    assert_eq!(value(&["list", "1", &wide]), Value::String("q".into()));
    assert_eq!(value(&["block", &long, "inner", "1"]), Value::Number(2.0));
    assert_eq!(value(&["after"]), Value::String("end".into()));
    // spans point into the text as written
    assert_eq!(key_span(&root, &["a"], &long), find(&text, &long, 0));
    assert_eq!(at(&root, &["a", "next"]).span, find(&text, "2", 0));
    assert_eq!(at(&root, &["after"]).span, find(&text, "end", 0));
    assert_eq!(
        key_span(&root, &["list", "0"], "sibling"),
        find(&text, "sibling", 0)
    );
}
