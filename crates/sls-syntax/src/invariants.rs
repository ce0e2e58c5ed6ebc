//! What `parse` and `render` promise about their output, as checks: the property tests and the
//! `syntax` fuzz target call these, so both hold the parser to the same contract. Not a stable
//! API.

use crate::{Part, Source, Variable, VariableKind};

/// Panics unless every offset of `variables` (parsed from `input`) lies inside `input` on a
/// character boundary, no variable is empty, no variable has an empty source list, and every
/// source type is written where its offset says.
pub fn assert_offsets(input: &str, variables: &[Variable]) {
    offsets(input, variables, 0);
}

/// Offsets of `variables` count from `base` (a part's start for nested ones).
fn offsets(input: &str, variables: &[Variable], base: usize) {
    for v in variables {
        assert!(v.start < v.end, "empty variable in {input:?}");
        at(input, base + v.start);
        at(input, base + v.end);
        let VariableKind::Sources(sources) = &v.kind else {
            continue;
        };
        assert!(
            !sources.is_empty(),
            "a variable without sources in {input:?}"
        );
        for source in sources {
            if let Source::Typed(t) = source {
                at(input, t.ty_offset);
                assert_eq!(
                    input.get(t.ty_offset..t.ty_offset + t.ty.len()),
                    Some(t.ty.as_str()),
                    "source type not at its offset in {input:?}"
                );
                for part in t.params.iter().flatten().chain(&t.address) {
                    at(input, part.offset);
                    offsets(input, &part.variables, part.offset);
                }
            }
        }
    }
}

/// Panics unless `offset` lies inside `input` on a character boundary.
pub fn at(input: &str, offset: usize) {
    assert!(
        offset <= input.len(),
        "offset {offset} past the end of {input:?}"
    );
    assert!(
        input.is_char_boundary(offset),
        "offset {offset} inside a character of {input:?}"
    );
}

/// Whether every source lies inside its own variable. v3's machine carries a pending source
/// over to the next variable after a foreign `::` (`${a:b, c::d} ${e:f}` makes `a:b` the first
/// source of `${e:f}`); printing that source inside the second variable cannot be undone, so
/// the round trip holds only where this is true.
pub fn sources_inside(variables: &[Variable]) -> bool {
    inside(variables, 0)
}

fn inside(variables: &[Variable], base: usize) -> bool {
    variables.iter().all(|v| match &v.kind {
        VariableKind::Escape(_) => true,
        VariableKind::Sources(sources) => sources.iter().all(|s| match s {
            Source::Literal(_) => true,
            Source::Typed(t) => {
                (base + v.start..base + v.end).contains(&t.ty_offset)
                    && t.params
                        .iter()
                        .flatten()
                        .chain(&t.address)
                        .all(|p: &Part| inside(&p.variables, p.offset))
            }
        }),
    })
}

/// The variables without their absolute offsets (nested ones keep theirs, relative to the raw
/// text of their part, which printing keeps): what a round trip must preserve.
pub fn shape(variables: &[Variable]) -> Vec<Variable> {
    fn strip(v: &mut Variable) {
        if let VariableKind::Sources(sources) = &mut v.kind {
            for source in sources {
                if let Source::Typed(t) = source {
                    t.ty_offset = 0;
                    for part in t.params.iter_mut().flatten().chain(&mut t.address) {
                        part.offset = 0;
                        part.variables.iter_mut().for_each(strip);
                    }
                }
            }
        }
    }
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
