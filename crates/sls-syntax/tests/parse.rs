//! Parser tests: error kinds and byte offsets, and the shape of what is parsed.

use sls_syntax::{Literal, Source, SyntaxErrorKind, VariableKind, parse};

fn error(input: &str) -> (SyntaxErrorKind, usize) {
    let err = parse(input).expect_err(input);
    (err.kind, err.offset)
}

#[test]
fn error_kinds_and_offsets_match_v3() {
    use SyntaxErrorKind::*;
    let cases: &[(&str, SyntaxErrorKind, usize)] = &[
        (
            "${self:custom.nope, fallbackword}",
            InvalidLiteralSource("fallbackword".into()),
            20,
        ),
        ("${self:custom.nope, 'a', 'b'}", InvalidSource, 20),
        ("${self:custom.b", UnterminatedVariable, 0),
        ("${self:custom.nope, 'it''s'}", InvalidSource, 20),
        ("${self:custom.nope, my.source:foo}", InvalidSource, 20),
        ("${file(x.yml)foo}", InvalidAddress, 13),
        ("${file(${AWS::Region}.yml)}", InvalidType, 9),
        ("${self:custom.nope,\n'fb'}", InvalidSource, 19),
        ("${self:custom.nope,\t'fb'}", InvalidSource, 19),
        ("${self:custom.x, }", InvalidSource, 17),
        ("${self:custom.x,, 'fb'}", InvalidSource, 16),
        ("${self:custom.a$}", UnterminatedVariable, 0),
        ("${type(foo})", InvalidParam, 7),
        ("${type(${foo::Region})}", InvalidAddress, 13),
        ("${self:x, _y}", InvalidSource, 10),
        ("${self:x, +5}", InvalidSource, 10),
        ("${a:x,\"dev\",20}", InvalidSource, 6),
        ("${self:'a'b}", InvalidAddress, 7),
        ("${file('a'b)}", InvalidParam, 7),
        ("${self:${}}", InvalidType, 9),
        ("x ${self:a} ${self:", UnterminatedVariable, 12),
    ];
    for (input, kind, offset) in cases {
        assert_eq!(error(input), (kind.clone(), *offset), "{input}");
    }
    let err = parse("${self:custom.nope, \"\\u\"}").unwrap_err();
    assert_eq!(
        err.kind,
        InvalidStringLiteral("Bad Unicode escape in JSON at position 3".into())
    );
    assert_eq!(err.offset, 20);
}

#[test]
fn v3_messages_use_utf16_indices() {
    let input = "😀 ${self:x, y}";
    let err = parse(input).unwrap_err();
    assert_eq!(err.offset, 15);
    assert_eq!(
        err.v3_message(input),
        format!("Invalid literal source \"y\" at index 13 in \"{input}\"")
    );
}

#[test]
fn foreign_notations_are_not_variables() {
    for input in [
        "${custom.a}",
        "${AWS::Region}",
        "${Foo:bar}",
        "${}",
        "${stageVariables.name}",
        "${ self:x}",
        "${self :x}",
        "${'lit'}",
        "${123}",
        "${true}",
        "${type}",
        "${foo",
        "plain",
    ] {
        assert_eq!(parse(input).unwrap(), vec![], "{input}");
    }
}

fn sources(input: &str) -> Vec<Source> {
    let vars = parse(input).unwrap();
    assert_eq!(vars.len(), 1, "{input}");
    match &vars[0].kind {
        VariableKind::Sources(s) => s.clone(),
        VariableKind::Escape(_) => panic!("escape"),
    }
}

fn typed(source: &Source) -> &sls_syntax::TypedSource {
    match source {
        Source::Typed(t) => t,
        Source::Literal(_) => panic!("literal"),
    }
}

#[test]
fn fallback_literals_take_js_types() {
    let cases: &[(&str, Literal)] = &[
        ("${a:x, 'single'}", Literal::String("single".into())),
        ("${a:x, \"dou\\\"ble\"}", Literal::String("dou\"ble".into())),
        ("${a:x, 0x10}", Literal::Number(16.0)),
        ("${a:x, 1e3}", Literal::Number(1000.0)),
        ("${a:x, -5}", Literal::Number(-5.0)),
        ("${a:x, 1.50}", Literal::Number(1.5)),
        ("${a:x, true}", Literal::Bool(true)),
        ("${a:x, null}", Literal::Null),
        ("${a:x, 0}", Literal::Number(0.0)),
    ];
    for (input, literal) in cases {
        let s = sources(input);
        assert_eq!(s.len(), 2, "{input}");
        assert_eq!(s[1], Source::Literal(literal.clone()), "{input}");
    }
}

#[test]
fn falsy_unquoted_params_become_null() {
    for (input, expected) in [
        ("${strToBool(false)}", Literal::Null),
        ("${strToBool(0)}", Literal::Null),
        ("${strToBool(0x0)}", Literal::Null),
        ("${strToBool('0')}", Literal::String("0".into())),
        ("${strToBool(\"false\")}", Literal::String("false".into())),
        ("${strToBool(true)}", Literal::Bool(true)),
        ("${file(./a.yml)}", Literal::String("./a.yml".into())),
        ("${x(us-east-1)}", Literal::String("us-east-1".into())),
    ] {
        let s = sources(input);
        let params = typed(&s[0]).params.as_ref().unwrap();
        assert_eq!(params[0].value, expected, "{input}");
    }
    let s = sources("${t(,,)}");
    assert_eq!(typed(&s[0]).params.as_ref().unwrap().len(), 2);
    let s = sources("${t(\t)}");
    assert_eq!(typed(&s[0]).params.as_ref().unwrap().len(), 0);
}

#[test]
fn addresses_and_nesting() {
    let s = sources("${self:   custom.a   }");
    assert_eq!(
        typed(&s[0]).address.as_ref().unwrap().value,
        Literal::String("custom.a".into())
    );
    let s = sources("${self:}");
    assert_eq!(typed(&s[0]).address, None);
    let s = sources("${type:address:with:colons}");
    assert_eq!(
        typed(&s[0]).address.as_ref().unwrap().value,
        Literal::String("address:with:colons".into())
    );
    let s = sources("${self:custom.${self:custom.key}}");
    let address = typed(&s[0]).address.as_ref().unwrap();
    assert_eq!(address.offset, 7);
    assert_eq!(address.variables.len(), 1);
    assert_eq!(
        (address.variables[0].start, address.variables[0].end),
        (7, 25)
    );
    assert!(!address.is_whole_variable());
    let s = sources("${file(${self:custom.f}):${opt:stage, 'dev'}}");
    let t = typed(&s[0]);
    assert!(t.params.as_ref().unwrap()[0].is_whole_variable());
    assert!(t.address.as_ref().unwrap().is_whole_variable());
    // a type may contain dots and dashes in first position
    assert_eq!(typed(&sources("${my.source-x:foo}")[0]).ty, "my.source-x");
}

#[test]
fn variables_inside_foreign_notation_are_found() {
    let vars = parse("${AWS::${type:address}}").unwrap();
    assert_eq!(vars.len(), 1);
    assert_eq!((vars[0].start, vars[0].end), (7, 22));
    let vars = parse("arn:${AWS::Partition}:s3:::${self:custom.bucket}-${Foo}").unwrap();
    assert_eq!(vars.len(), 1);
    assert_eq!((vars[0].start, vars[0].end), (27, 48));
}

#[test]
fn escapes_and_dollar_runs() {
    let vars = parse("\\${self:x}").unwrap();
    assert_eq!(vars.len(), 1);
    assert_eq!((vars[0].start, vars[0].end), (0, 2));
    assert_eq!(vars[0].kind, VariableKind::Escape("$".into()));
    let vars = parse("\\\\\\${x:}").unwrap();
    assert_eq!(vars[0].kind, VariableKind::Escape("\\$".into()));
    let vars = parse("\\\\${self:a}").unwrap();
    assert_eq!(vars.len(), 2);
    assert_eq!(vars[0].kind, VariableKind::Escape("\\".into()));
    assert_eq!((vars[0].start, vars[0].end), (0, 2));
    assert_eq!((vars[1].start, vars[1].end), (2, 11));
    assert_eq!(parse("x\\y\\$z").unwrap(), vec![]);
    let vars = parse("$${self:custom.a}").unwrap();
    assert_eq!((vars[0].start, vars[0].end), (0, 17));
    let vars = parse("$x${self:custom.a}").unwrap();
    assert_eq!((vars[0].start, vars[0].end), (2, 18));
}

#[test]
fn double_colon_is_foreign_at_top_level_only() {
    assert_eq!(parse("${foo::bar}").unwrap(), vec![]);
    assert_eq!(error("${foo(x)::bar}").0, SyntaxErrorKind::InvalidAddress);
}

#[test]
fn nesting_is_bounded() {
    let nest = |n: usize| format!("{}k{}", "${self:a.".repeat(n), "}".repeat(n));
    let variables = parse(&nest(sls_syntax::MAX_NESTING)).expect("100 levels parse");
    assert_eq!(variables.len(), 1);
    // The `$` that opens level 101 is where the error is.
    let deeper = nest(sls_syntax::MAX_NESTING + 1);
    let at = "${self:a.".len() * sls_syntax::MAX_NESTING;
    assert_eq!(error(&deeper), (SyntaxErrorKind::TooDeep, at));
    assert_eq!(error(&nest(10_000)), (SyntaxErrorKind::TooDeep, at));
    // Foreign notations count too: they can nest variables.
    let foreign = format!("{}{}", "${AWS::".repeat(10_000), "}".repeat(10_000));
    assert_eq!(error(&foreign).0, SyntaxErrorKind::TooDeep);
}
