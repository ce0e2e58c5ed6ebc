//! Resource bounds and API behaviour: alias bombs, deep nesting, recursion, paths.

use std::time::{Duration, Instant};

use sls_yaml::{LoadErrorKind, NodeKind, Span, Value, load_json, load_yaml};

fn kind_of(text: &str) -> Option<LoadErrorKind> {
    load_yaml(text).err().map(|e| e.kind)
}

#[test]
fn billion_laughs_fails_fast() {
    let mut text = String::from(
        "a: &a [\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\",\"lol\"]\n",
    );
    let names = ["a", "b", "c", "d", "e", "f", "g", "h", "i"];
    for pair in names.windows(2) {
        let refs = vec![format!("*{}", pair[0]); 9].join(",");
        text.push_str(&format!("{0}: &{0} [{refs}]\n", pair[1]));
    }
    let started = Instant::now();
    assert_eq!(kind_of(&text), Some(LoadErrorKind::AliasLimit));
    assert!(started.elapsed() < Duration::from_secs(5));
}

#[test]
fn moderate_aliases_are_fine() {
    let text = "base: &b {x: 1, y: [1, 2, 3]}\nl: [*b, *b, *b, *b]\n";
    let node = load_yaml(text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        node.get_path(&["l", "3", "y", "2"]).map(|n| &n.kind),
        Some(&NodeKind::Number(3.0))
    );
}

#[test]
fn deep_flow_nesting_is_an_error_not_a_crash() {
    for depth in [150, 10_000, 200_000] {
        let text = format!("{}{}", "[".repeat(depth), "]".repeat(depth));
        assert_eq!(
            kind_of(&text),
            Some(LoadErrorKind::TooDeep),
            "depth {depth}"
        );
        let text = "{a: ".repeat(depth);
        assert_eq!(
            kind_of(&text),
            Some(LoadErrorKind::TooDeep),
            "depth {depth}"
        );
    }
    let mut block = String::new();
    for i in 0..5000 {
        block.push_str(&" ".repeat(i));
        block.push_str("k:\n");
    }
    assert_eq!(kind_of(&block), Some(LoadErrorKind::TooDeep));
}

#[test]
fn alias_chains_cannot_build_unbounded_depth() {
    // Every anchor nests the previous one one level deeper; the expanded depth is capped.
    let mut text = String::from("a0: &a0 [x]\n");
    for i in 1..1500 {
        text.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
    }
    assert_eq!(kind_of(&text), Some(LoadErrorKind::TooDeep));
}

#[test]
fn deepest_accepted_tree_can_be_walked_and_dropped() {
    // Close to the expanded-depth cap: converting, cloning, comparing and dropping must
    // not overflow a test thread's stack.
    let mut text = String::from("a0: &a0 [x]\n");
    for i in 1..490 {
        text.push_str(&format!("a{i}: &a{i} [*a{}]\n", i - 1));
    }
    let node = load_yaml(&text).unwrap_or_else(|e| panic!("{e}"));
    let value = node.to_value();
    let copy = node.clone();
    assert_eq!(copy, node);
    drop(value);
}

#[test]
fn recursive_alias_is_an_error() {
    assert_eq!(kind_of("a: &x [*x]"), Some(LoadErrorKind::RecursiveAlias));
    assert_eq!(
        kind_of("a: &x {b: *x}"),
        Some(LoadErrorKind::RecursiveAlias)
    );
}

#[test]
fn merge_limits() {
    let items = vec!["{}"; 101].join(", ");
    assert_eq!(
        kind_of(&format!("a: {{<<: [{items}]}}")),
        Some(LoadErrorKind::InvalidMerge)
    );
    // 10,001 merged entries exceed js-yaml's maxTotalMergeKeys.
    let mut text = String::from("b: &b {");
    for i in 0..5001 {
        text.push_str(&format!("k{i}: 1, "));
    }
    text.push_str("}\nc: {<<: *b}\nd: {<<: *b}\n");
    assert_eq!(kind_of(&text), Some(LoadErrorKind::InvalidMerge));
}

#[test]
fn empty_documents_are_null() {
    for text in ["", "# comment\n", "---\n", "...\n", "  \n\n"] {
        let node = load_yaml(text).unwrap_or_else(|e| panic!("{text:?}: {e}"));
        assert_eq!(node.kind, NodeKind::Null, "{text:?}");
        assert_eq!(node.to_value(), Value::Null);
    }
    assert_eq!(
        load_yaml("").map(|n| n.span).ok(),
        Some(Span { start: 0, end: 0 })
    );
}

#[test]
fn get_path_walks_maps_and_sequences() {
    let node = load_yaml("a:\n  - b: {c: [x, y]}\n").unwrap_or_else(|e| panic!("{e}"));
    let found = node.get_path(&["a", "0", "b", "c", "1"]).map(|n| &n.kind);
    assert_eq!(found, Some(&NodeKind::String("y".to_owned())));
    assert!(node.get_path(&["a", "01"]).is_none());
    assert!(node.get_path(&["a", "+0"]).is_none());
    assert!(node.get_path(&["a", "5"]).is_none());
    assert!(node.get_path(&["missing"]).is_none());
    assert_eq!(node.get_path(&[]), Some(&node));
}

#[test]
fn values_follow_the_json_round_trip() {
    let node = load_yaml("a: .nan\nb: -.inf\nc: -0\nd: 2024-01-01\ne: !!binary SGk=\n2: two\n")
        .unwrap_or_else(|e| panic!("{e}"));
    let expected = load_json(
        r#"{"2": "two", "a": null, "b": null, "c": 0, "d": "2024-01-01T00:00:00.000Z",
            "e": {"0": 72, "1": 105}}"#,
    )
    .unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(node.to_value(), expected.to_value());
    let NodeKind::Map(map) = &node.kind else {
        panic!("not a map");
    };
    let keys: Vec<&str> = map.keys().map(String::as_str).collect();
    assert_eq!(keys, ["2", "a", "b", "c", "d", "e"]);
}

#[test]
fn hostile_inputs_do_not_panic() {
    let samples = [
        "\0",
        "\u{feff}",
        "\u{feff}\u{feff}",
        "\"\\ud800",
        "'",
        "\"",
        "[",
        "{",
        "? ",
        ": ",
        "- ",
        "!",
        "!!",
        "!<",
        "&",
        "*",
        "|",
        ">",
        "|0",
        "|-+",
        "%",
        "%YAML",
        "%TAG ! !",
        "---\n...",
        "a: \"\\ud83d\\ude00",
        "a: [\n\"x\ny",
        "a:\t\t\t",
        "\u{fffc}\u{feff}",
        "é: [\u{feff}",
        "a: !Ref\n  !Sub\n    !GetAtt",
        "<<: *x",
        "<<: [*x]",
        "? - [\n",
        "\r\r\r",
        "a: 'x\n\n",
    ];
    for text in samples {
        let _ = load_yaml(text);
        let _ = load_json(text);
    }
}

#[test]
fn a_tab_after_a_colon_is_patched_at_every_spot_of_a_small_file() {
    // js-yaml accepts a tab after `:`; saphyr does not, so the text is patched and parsed again,
    // once per spot (and, for large files, only as far as the work bound goes: see compose.rs).
    let mut text = String::new();
    for i in 0..40 {
        text.push_str(&format!("k{i}:\tv{i}\n"));
    }
    let node = load_yaml(&text).unwrap_or_else(|e| panic!("{e}"));
    assert_eq!(
        node.get_path(&["k39"]).map(|n| &n.kind),
        Some(&NodeKind::String("v39".into()))
    );
}
