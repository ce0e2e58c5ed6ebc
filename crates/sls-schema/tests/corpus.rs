//! The differential test: every case of `corpus.json`, recorded from Serverless v3.40.0's own
//! `validateConfig` (ajv 8 as v3 compiles it) by `scripts/schema-corpus.js`, against this
//! crate. For each configuration the coerced result (values and key order), ajv's raw errors
//! (in full for the hand-written cases, else their count and digest) and v3's messages must be
//! the same.

use serde_json::Value as Json;
use sls_schema::{SchemaKind, validate_detailed};
use sls_value::Value;

/// JSON to a value; `{"$number": "Infinity"}` and friends stand for what JSON cannot write.
fn to_value(json: &Json) -> Value {
    match json {
        Json::Null => Value::Null,
        Json::Bool(b) => Value::Bool(*b),
        Json::Number(n) => Value::Number(n.as_f64().unwrap_or(f64::NAN)),
        Json::String(s) => Value::String(s.clone()),
        Json::Array(items) => Value::Array(items.iter().map(to_value).collect()),
        Json::Object(map) => {
            if let (1, Some(Json::String(n))) = (map.len(), map.get("$number")) {
                return Value::Number(match n.as_str() {
                    "Infinity" => f64::INFINITY,
                    "-Infinity" => f64::NEG_INFINITY,
                    "-0" => -0.0,
                    _ => f64::NAN,
                });
            }
            Value::Object(map.iter().map(|(k, v)| (k.clone(), to_value(v))).collect())
        }
    }
}

/// `Object.is`-exact equality, key order included.
fn same(a: &Value, b: &Value) -> bool {
    match (a, b) {
        (Value::Number(x), Value::Number(y)) => {
            (x.is_nan() && y.is_nan()) || (x == y && x.is_sign_negative() == y.is_sign_negative())
        }
        (Value::Object(x), Value::Object(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|((k, v), (l, w))| k == l && same(v, w))
        }
        (Value::Array(x), Value::Array(y)) => {
            x.len() == y.len() && x.iter().zip(y).all(|(v, w)| same(v, w))
        }
        _ => a == b,
    }
}

#[test]
fn corpus_agrees_with_serverless() {
    let text = include_str!("corpus.json");
    let corpus: Json = serde_json::from_str(text).expect("corpus.json is JSON");
    assert_eq!(corpus["version"], sls_schema::schema_version());
    let cases = corpus["cases"].as_array().expect("cases");
    assert!(cases.len() > 5000, "the corpus has {} cases", cases.len());
    let mut failures = Vec::new();
    for case in cases {
        let name = case["name"].as_str().unwrap_or_default();
        let kind = match case["kind"].as_str() {
            Some("aws") => SchemaKind::Aws,
            _ => SchemaKind::Other,
        };
        let mut config = to_value(&case["config"]);
        let expected = to_value(case.get("coerced").unwrap_or(&case["config"]));
        let result = validate_detailed(&mut config, kind);
        let lines: Vec<String> = result
            .errors
            .iter()
            .map(|e| {
                format!(
                    "{}\t{}\t{}\t{}",
                    e.instance_path, e.schema_path, e.keyword, e.message
                )
            })
            .collect();
        let digest = sha1_smol::Sha1::from(lines.join("\n")).digest().to_string();
        let messages: Vec<&str> = result
            .violations
            .iter()
            .map(|v| v.message.as_str())
            .collect();
        let expected_messages: Vec<&str> = case["messages"]
            .as_array()
            .unwrap()
            .iter()
            .filter_map(Json::as_str)
            .collect();
        let mut problems = Vec::new();
        if !same(&config, &expected) {
            problems.push(format!(
                "coerced:\n  ours     {}\n  expected {}",
                sls_value::to_json_compact(&config),
                sls_value::to_json_compact(&expected)
            ));
        }
        if let Some(raw) = case.get("errors").and_then(Json::as_array) {
            let expected_lines: Vec<String> = raw
                .iter()
                .map(|e| {
                    e.as_array()
                        .unwrap()
                        .iter()
                        .map(|f| f.as_str().unwrap_or_default().to_owned())
                        .collect::<Vec<_>>()
                        .join("\t")
                })
                .collect();
            if lines != expected_lines {
                problems.push(format!(
                    "errors:\n  ours\n    {}\n  expected\n    {}",
                    lines.join("\n    "),
                    expected_lines.join("\n    ")
                ));
            }
        }
        if case["errorCount"].as_u64() != Some(lines.len() as u64)
            || case["errorDigest"].as_str() != Some(digest.as_str())
        {
            problems.push(format!(
                "raw errors differ ({} ours, {} expected):\n    {}",
                lines.len(),
                case["errorCount"],
                lines.join("\n    ")
            ));
        }
        if messages != expected_messages {
            problems.push(format!(
                "messages:\n  ours     {messages:?}\n  expected {expected_messages:?}"
            ));
        }
        if !problems.is_empty() {
            failures.push(format!(
                "--- {name}\nconfig {}\n{}",
                case["config"],
                problems.join("\n")
            ));
        }
    }
    eprintln!(
        "{} of {} corpus cases agree with serverless",
        cases.len() - failures.len(),
        cases.len()
    );
    assert!(
        failures.is_empty(),
        "{} cases disagree; the first ones:\n{}",
        failures.len(),
        failures
            .iter()
            .take(15)
            .cloned()
            .collect::<Vec<_>>()
            .join("\n")
    );
}
