//! Properties of the parser over generated strings: every offset lies inside the input and on a
//! character boundary; printing what was parsed ([`render`]) and parsing again gives the same
//! variables, and printing is then a fixed point; a variable spelled canonically on its own
//! ([`render_variable`]) parses back to itself.

use proptest::prelude::*;
use sls_syntax::invariants::{assert_offsets, at, shape, sources_inside};
use sls_syntax::{parse, render, render_variable};

/// Text without `$`: plain words, spaces, punctuation, multi-byte characters.
fn text() -> impl Strategy<Value = String> {
    "[a-zA-Z0-9 ._/é😀-]{0,6}"
}

fn ty() -> impl Strategy<Value = String> {
    "[a-z][a-zA-Z0-9]{0,4}"
}

/// A literal as written: quoted strings (with escapes), numbers, words.
fn literal() -> impl Strategy<Value = String> {
    prop_oneof![
        "[a-z0-9 é]{0,5}".prop_map(|s| format!("'{s}'")),
        "[a-z0-9 é\"\\\\]{0,5}"
            .prop_map(|s| { format!("\"{}\"", s.replace('\\', "\\\\").replace('"', "\\\"")) }),
        prop_oneof![Just("5"), Just("-1.5e3"), Just("0x1f"), Just("Infinity")]
            .prop_map(str::to_owned),
        prop_oneof![Just("true"), Just("null")].prop_map(str::to_owned),
    ]
}

/// A well-formed variable, nesting up to `depth` levels in addresses and params.
fn variable(depth: u32) -> BoxedStrategy<String> {
    let leaf = (ty(), text()).prop_map(|(t, a)| format!("${{{t}:{}}}", a.trim()));
    leaf.prop_recursive(depth, 24, 4, |inner| {
        let address = prop::collection::vec(prop_oneof![text(), inner.clone()], 1..3)
            .prop_map(|pieces| pieces.concat());
        let param = prop_oneof![
            literal(),
            "[a-z./]{1,5}".prop_map(|s| s),
            (text(), inner.clone()).prop_map(|(t, v)| format!("{}{v}", t.trim())),
        ];
        let params = prop::collection::vec(param, 0..3).prop_map(|p| p.join(", "));
        let source = prop_oneof![
            (ty(), address.clone()).prop_map(|(t, a)| format!("{t}:{a}")),
            (ty(), params, prop::option::of(address)).prop_map(|(t, p, a)| match a {
                Some(a) => format!("{t}({p}):{a}"),
                None => format!("{t}({p})"),
            }),
        ];
        // Typed fallbacks, then at most one literal: a literal may only come last.
        let fallback = (ty(), text()).prop_map(|(t, a)| format!("{t}:{}", a.trim()));
        (
            source,
            prop::collection::vec(fallback, 0..3),
            prop::option::of(literal()),
        )
            .prop_map(|(s, f, l)| {
                let mut all = vec![s];
                all.extend(f);
                all.extend(l);
                format!("${{{}}}", all.join(", "))
            })
    })
    .boxed()
}

/// A string of text and variables.
fn template() -> impl Strategy<Value = String> {
    prop::collection::vec(
        prop_oneof![text(), variable(3), Just("\\${".to_owned())],
        0..5,
    )
    .prop_map(|pieces| pieces.concat())
}

/// A template with characters that steer the state machine inserted at random places.
fn noisy() -> impl Strategy<Value = String> {
    let noise = prop_oneof![
        Just("$"),
        Just("${"),
        Just("}"),
        Just("{"),
        Just("\\"),
        Just("'"),
        Just("\""),
        Just(","),
        Just("("),
        Just(")"),
        Just(":"),
        Just(" "),
        Just("\t"),
        Just("\u{a0}"),
        Just("::"),
    ];
    (
        template(),
        prop::collection::vec((any::<prop::sample::Index>(), noise), 1..4),
    )
        .prop_map(|(mut s, inserts)| {
            for (at, piece) in inserts {
                let mut i = at.index(s.len() + 1);
                while !s.is_char_boundary(i) {
                    i -= 1;
                }
                s.insert_str(i, piece);
            }
            s
        })
}

fn any_template() -> impl Strategy<Value = String> {
    prop_oneof![template(), noisy(), ".{0,24}"]
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    #[test]
    fn offsets_lie_inside_the_input_on_character_boundaries(input in any_template()) {
        match parse(&input) {
            Ok(variables) => assert_offsets(&input, &variables),
            Err(err) => {
                at(&input, err.offset);
                let _ = err.v3_message(&input);
            }
        }
    }

    #[test]
    fn parse_render_parse_gives_the_same_variables(input in any_template()) {
        let Ok(variables) = parse(&input) else { return Ok(()) };
        prop_assume!(sources_inside(&variables));
        let printed = render(&input, &variables);
        let again = parse(&printed)
            .map_err(|e| TestCaseError::fail(format!("{printed:?} does not parse: {e}")))?;
        prop_assert_eq!(shape(&variables), shape(&again), "{:?}", printed);
        prop_assert_eq!(render(&printed, &again), printed);
    }

    #[test]
    fn a_canonical_variable_parses_back_to_itself(input in variable(3)) {
        let variables = parse(&input)
            .map_err(|e| TestCaseError::fail(format!("{input:?} does not parse: {e}")))?;
        prop_assert_eq!(variables.len(), 1, "{:?}", input);
        let printed = render_variable(&variables[0]).expect("a variable, not an escape");
        let again = parse(&printed)
            .map_err(|e| TestCaseError::fail(format!("{printed:?} does not parse: {e}")))?;
        prop_assert_eq!(shape(&variables), shape(&again), "{:?}", printed);
        prop_assert_eq!(again[0].end, printed.len());
    }
}
