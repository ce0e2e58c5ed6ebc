//! The `${...}` parser: no panic on any string; every offset it returns lies inside the input
//! and on a character boundary; printing the variables back and parsing again gives the same
//! variables (up to offsets), and printing is then a fixed point; v3's message never panics.
//!
//! The round trip is skipped where v3's machine carries a source over from one variable to the
//! next (`${a:b, c::d} ${e:f}`: the foreign `c::d` leaves `a:b` pending, and it becomes the
//! first source of `${e:f}`): printing that source inside the second variable cannot be undone.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sls_syntax::{Part, Source, Variable, VariableKind, parse, render};

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    match parse(&input) {
        Ok(variables) => {
            check(&input, &variables, 0);
            if !sources_inside(&variables, 0) {
                return;
            }
            let canonical = render(&input, &variables);
            let again = parse(&canonical)
                .unwrap_or_else(|e| panic!("canonical text does not parse: {e}: {canonical:?}"));
            assert_eq!(shape(&variables), shape(&again), "{canonical:?}");
            assert_eq!(render(&canonical, &again), canonical);
        }
        Err(err) => {
            assert!(err.offset <= input.len(), "error offset past the end");
            assert!(
                input.is_char_boundary(err.offset),
                "error offset inside a character"
            );
            let _ = err.v3_message(&input);
            let _ = err.code();
        }
    }
});

fn at(input: &str, offset: usize) {
    assert!(offset <= input.len(), "offset {offset} past the end");
    assert!(
        input.is_char_boundary(offset),
        "offset {offset} inside a character"
    );
}

/// `base` is where the offsets of `variables` count from (a part's start for nested ones).
fn check(input: &str, variables: &[Variable], base: usize) {
    for v in variables {
        assert!(v.start < v.end, "empty variable");
        at(input, base + v.start);
        at(input, base + v.end);
        if let VariableKind::Sources(sources) = &v.kind {
            assert!(!sources.is_empty());
            for source in sources {
                if let Source::Typed(t) = source {
                    at(input, t.ty_offset);
                    assert_eq!(
                        input.get(t.ty_offset..t.ty_offset + t.ty.len()),
                        Some(&*t.ty)
                    );
                    for part in t.params.iter().flatten().chain(&t.address) {
                        check_part(input, part);
                    }
                }
            }
        }
    }
}

/// Whether every source lies inside its own variable (no source carried over).
fn sources_inside(variables: &[Variable], base: usize) -> bool {
    variables.iter().all(|v| match &v.kind {
        VariableKind::Escape(_) => true,
        VariableKind::Sources(sources) => sources.iter().all(|source| match source {
            Source::Literal(_) => true,
            Source::Typed(t) => {
                (base + v.start..base + v.end).contains(&t.ty_offset)
                    && t.params
                        .iter()
                        .flatten()
                        .chain(&t.address)
                        .all(|p| sources_inside(&p.variables, p.offset))
            }
        }),
    })
}

fn check_part(input: &str, part: &Part) {
    at(input, part.offset);
    check(input, &part.variables, part.offset);
}

/// The variables without their offsets (nested ones keep theirs: they are relative to the raw
/// text of their part, which printing keeps as written).
fn shape(variables: &[Variable]) -> Vec<Variable> {
    variables
        .iter()
        .map(|v| {
            let mut v = v.clone();
            v.start = 0;
            v.end = 0;
            strip(&mut v);
            v
        })
        .collect()
}

fn strip(v: &mut Variable) {
    if let VariableKind::Sources(sources) = &mut v.kind {
        for source in sources {
            if let Source::Typed(t) = source {
                t.ty_offset = 0;
                for part in t.params.iter_mut().flatten().chain(&mut t.address) {
                    part.offset = 0;
                    for nested in &mut part.variables {
                        strip(nested);
                    }
                }
            }
        }
    }
}
