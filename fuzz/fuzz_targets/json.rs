//! The JSON loader (`JSON.parse` semantics): no panic, no stack overflow, no unbounded memory on
//! any text; every span lies inside the input and on character boundaries; the value converts
//! and prints.

#![no_main]

use libfuzzer_sys::fuzz_target;

#[path = "loaded.rs"]
mod loaded;

fuzz_target!(|data: &[u8]| {
    let text = String::from_utf8_lossy(data);
    loaded::check(&text, sls_yaml::load_json(&text));
});
