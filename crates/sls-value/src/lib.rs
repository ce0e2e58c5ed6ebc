//! JSON-like values as Serverless sees them after its `JSON.parse(JSON.stringify(..))` round trip.
//!
//! Numbers are `f64` like JavaScript's; objects keep insertion order.

use indexmap::IndexMap;

/// The hasher of [`Map`] (and of the loaders' maps): foldhash, several times faster than the
/// standard SipHash on the short keys of configurations, with a random seed per process so
/// that colliding keys cannot be prepared in advance.
pub type MapHasher = foldhash::fast::RandomState;

/// An object: string keys in insertion order.
pub type Map = IndexMap<String, Value, MapHasher>;

/// A JSON value with JavaScript number semantics.
#[derive(Debug, Clone, PartialEq)]
pub enum Value {
    Null,
    Bool(bool),
    Number(f64),
    String(String),
    Array(Vec<Value>),
    Object(Map),
}

mod emit;
pub mod parallel;

pub use emit::{
    js_array_join, js_number_to_string, js_to_string, to_json_compact, to_json_pretty, to_yaml,
    write_json_compact,
};

/// Appends the decimal digits of `n` (what `write!(out, "{n}")` writes, without the formatting
/// machinery: paths and cache keys write many of them).
pub fn push_decimal(out: &mut String, mut n: u64) {
    let mut digits = [0u8; 20];
    let mut at = digits.len();
    loop {
        at -= 1;
        // A digit: `n % 10` fits in a byte.
        digits[at] = b'0' + (n % 10) as u8;
        n /= 10;
        if n == 0 {
            break;
        }
    }
    for d in &digits[at..] {
        out.push(char::from(*d));
    }
}

impl Value {
    /// JavaScript truthiness: `null`, `false`, `0`, `NaN` and `''` are falsy.
    pub fn is_truthy(&self) -> bool {
        match self {
            Value::Null => false,
            Value::Bool(b) => *b,
            Value::Number(n) => *n != 0.0 && !n.is_nan(),
            Value::String(s) => !s.is_empty(),
            Value::Array(_) | Value::Object(_) => true,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn decimals_are_what_format_writes() {
        for n in [0, 7, 10, 99, 100, 4096, 20_000, u64::MAX] {
            let mut out = String::from("x");
            push_decimal(&mut out, n);
            assert_eq!(out, format!("x{n}"));
        }
    }
}
