//! The `${...}` parser: no panic on any string; every offset it returns lies inside the input
//! and on a character boundary; printing the variables back and parsing again gives the same
//! variables (up to offsets), and printing is then a fixed point; v3's message never panics.
//!
//! The round trip is skipped where v3's machine carries a source over from one variable to the
//! next (`${a:b, c::d} ${e:f}`: the foreign `c::d` leaves `a:b` pending, and it becomes the
//! first source of `${e:f}`): printing that source inside the second variable cannot be undone.

#![no_main]

use libfuzzer_sys::fuzz_target;
use sls_syntax::invariants::{assert_offsets, at, shape, sources_inside};
use sls_syntax::{parse, render};

fuzz_target!(|data: &[u8]| {
    let input = String::from_utf8_lossy(data);
    match parse(&input) {
        Ok(variables) => {
            assert_offsets(&input, &variables);
            if !sources_inside(&variables) {
                return;
            }
            let canonical = render(&input, &variables);
            let again = parse(&canonical)
                .unwrap_or_else(|e| panic!("canonical text does not parse: {e}: {canonical:?}"));
            assert_eq!(shape(&variables), shape(&again), "{canonical:?}");
            assert_eq!(render(&canonical, &again), canonical);
        }
        Err(err) => {
            at(&input, err.offset);
            let _ = err.v3_message(&input);
            let _ = err.code();
        }
    }
});
