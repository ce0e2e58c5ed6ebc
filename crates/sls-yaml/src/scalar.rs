//! js-yaml's scalar types of `DEFAULT_SCHEMA`: null, bool, int, float, timestamp, merge
//! and binary, with js-yaml's own resolve/construct rules (not the YAML 1.2 regexes).

/// What a plain scalar resolves to, in js-yaml's implicit type order.
#[derive(Debug, Clone, PartialEq)]
pub(crate) enum Implicit {
    Null,
    Bool(bool),
    Number(f64),
    /// Milliseconds since the epoch.
    Date(f64),
    /// The merge key `<<`.
    Merge,
    Str,
}

/// Resolves an untagged plain scalar (null, bool, int, float, timestamp, merge, else string).
pub(crate) fn resolve_plain(text: &str) -> Implicit {
    if is_null(text) {
        Implicit::Null
    } else if let Some(b) = bool_value(text) {
        Implicit::Bool(b)
    } else if let Some(n) = int_value(text) {
        Implicit::Number(n)
    } else if let Some(n) = float_value(text) {
        Implicit::Number(n)
    } else if let Some(t) = crate::date::parse_timestamp(text) {
        Implicit::Date(t)
    } else if text == "<<" {
        Implicit::Merge
    } else {
        Implicit::Str
    }
}

pub(crate) fn is_null(text: &str) -> bool {
    matches!(text, "~" | "null" | "Null" | "NULL")
}

pub(crate) fn bool_value(text: &str) -> Option<bool> {
    match text {
        "true" | "True" | "TRUE" => Some(true),
        "false" | "False" | "FALSE" => Some(false),
        _ => None,
    }
}

/// js-yaml's int type: optional sign, then `0b`/`0x`/`0o` digits or decimal digits; the
/// value must be finite.
pub(crate) fn int_value(text: &str) -> Option<f64> {
    let (negative, body) = match text.as_bytes().first() {
        Some(b'-') => (true, &text[1..]),
        Some(b'+') => (false, &text[1..]),
        _ => (false, text),
    };
    let value = if body == "0" {
        0.0
    } else if let Some(digits) = body.strip_prefix("0b") {
        radix_value(digits, 1)?
    } else if let Some(digits) = body.strip_prefix("0x") {
        radix_value(digits, 4)?
    } else if let Some(digits) = body.strip_prefix("0o") {
        radix_value(digits, 3)?
    } else {
        if body.is_empty() || !body.bytes().all(|b| b.is_ascii_digit()) {
            return None;
        }
        body.parse::<f64>().ok()?
    };
    if !value.is_finite() {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// The value of non-empty `digits` in radix `1 << bits`, correctly rounded like V8's
/// `parseInt` for power-of-two radixes.
fn radix_value(digits: &str, bits: u32) -> Option<f64> {
    if digits.is_empty() {
        return None;
    }
    let radix = 1u32 << bits;
    let mut mantissa: u128 = 0;
    let mut exponent: i32 = 0;
    let mut sticky = false;
    for c in digits.chars() {
        let d = c.to_digit(radix)?;
        if mantissa >> (127 - bits) == 0 {
            mantissa = (mantissa << bits) | u128::from(d);
        } else {
            // Keep the top 128 bits; remember whether anything non-zero was dropped.
            exponent = exponent.saturating_add(i32::try_from(bits).unwrap_or(0));
            sticky |= d != 0;
        }
    }
    if sticky {
        mantissa |= 1;
    }
    #[allow(clippy::cast_precision_loss)]
    let value = mantissa as f64;
    Some(value * 2f64.powi(exponent))
}

/// js-yaml's float type: `[-+]?digits[.digits][e[-+]digits]`, `.digits[e...]`,
/// `[-+]?.inf`, `.nan` (three spellings each); finite values or the specials only.
pub(crate) fn float_value(text: &str) -> Option<f64> {
    let (negative, signed, body) = match text.as_bytes().first() {
        Some(b'-') => (true, true, &text[1..]),
        Some(b'+') => (false, true, &text[1..]),
        _ => (false, false, text),
    };
    match body {
        ".inf" | ".Inf" | ".INF" => {
            return Some(if negative {
                f64::NEG_INFINITY
            } else {
                f64::INFINITY
            });
        }
        ".nan" | ".NaN" | ".NAN" => return (!signed).then_some(f64::NAN),
        _ => {}
    }
    let normalized = float_literal(body, signed)?;
    let value: f64 = normalized.parse().ok()?;
    if !value.is_finite() {
        return None;
    }
    Some(if negative { -value } else { value })
}

/// Checks an unsigned numeric float body against js-yaml's pattern and
/// rewrites it into a form Rust's parser accepts.
fn float_literal(body: &str, signed: bool) -> Option<String> {
    let b = body.as_bytes();
    let mut at = 0;
    let int_start = at;
    while b.get(at).is_some_and(u8::is_ascii_digit) {
        at += 1;
    }
    let int_part = &body[int_start..at];
    let mut frac_part = "";
    if b.get(at) == Some(&b'.') {
        at += 1;
        let start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        frac_part = &body[start..at];
        // `.5` needs digits after the dot and no sign.
        if int_part.is_empty() && (frac_part.is_empty() || signed) {
            return None;
        }
    } else if int_part.is_empty() {
        return None;
    }
    let mut exp_part = String::new();
    if matches!(b.get(at), Some(b'e' | b'E')) {
        at += 1;
        let start = at;
        if matches!(b.get(at), Some(b'-' | b'+')) {
            at += 1;
        }
        let digits_start = at;
        while b.get(at).is_some_and(u8::is_ascii_digit) {
            at += 1;
        }
        if at == digits_start {
            return None;
        }
        exp_part = format!("e{}", &body[start..at]);
    }
    if at != b.len() {
        return None;
    }
    let int_part = if int_part.is_empty() { "0" } else { int_part };
    let frac_part = if frac_part.is_empty() { "0" } else { frac_part };
    Some(format!("{int_part}.{frac_part}{exp_part}"))
}

/// js-yaml's `!!binary`: base64 with CR/LF ignored; `None` when the text is not valid.
pub(crate) fn binary_value(text: &str) -> Option<Vec<u8>> {
    const MAP: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/=\n\r";
    let code = |c: char| -> Option<u32> {
        let byte = u8::try_from(c).ok()?;
        MAP.iter()
            .position(|m| *m == byte)
            .and_then(|p| u32::try_from(p).ok())
    };
    let mut bitlen = 0usize;
    for c in text.chars() {
        match code(c) {
            None => return None,
            Some(c) if c > 64 => {}
            Some(_) => bitlen += 6,
        }
    }
    if bitlen % 8 != 0 {
        return None;
    }
    let input: Vec<u32> = text
        .chars()
        .filter(|c| !matches!(c, '\r' | '\n' | '='))
        .filter_map(code)
        .collect();
    let mut result = Vec::with_capacity(input.len() * 3 / 4 + 3);
    let mut bits: u32 = 0;
    for (idx, value) in input.iter().enumerate() {
        if idx % 4 == 0 && idx > 0 {
            result.extend(bits_to_bytes(bits, &[16, 8, 0]));
        }
        bits = (bits << 6) | value;
    }
    match (input.len() % 4) * 6 {
        0 => result.extend(bits_to_bytes(bits, &[16, 8, 0])),
        18 => result.extend(bits_to_bytes(bits, &[10, 2])),
        12 => result.extend(bits_to_bytes(bits, &[4])),
        _ => {}
    }
    Some(result)
}

fn bits_to_bytes(bits: u32, shifts: &[u32]) -> Vec<u8> {
    shifts
        .iter()
        .map(|shift| u8::try_from((bits >> shift) & 0xFF).unwrap_or(0))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::{Implicit, binary_value, float_value, int_value, resolve_plain};

    #[test]
    fn ints() {
        assert_eq!(int_value("0x1F"), Some(31.0));
        assert_eq!(int_value("-0x1F"), Some(-31.0));
        assert_eq!(int_value("0o17"), Some(15.0));
        assert_eq!(int_value("0b101"), Some(5.0));
        assert_eq!(int_value("012"), Some(12.0));
        assert_eq!(int_value("+12"), Some(12.0));
        assert_eq!(int_value("1_000"), None);
        assert_eq!(int_value("0x"), None);
        assert_eq!(int_value("-"), None);
        assert_eq!(int_value("0X1F"), None);
        assert_eq!(
            int_value("0xFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFFF"),
            Some(2f64.powi(144))
        );
        assert_eq!(int_value(&"9".repeat(400)), None);
    }

    #[test]
    fn floats() {
        assert_eq!(float_value("1."), Some(1.0));
        assert_eq!(float_value(".5"), Some(0.5));
        assert_eq!(float_value("-.5"), None);
        assert_eq!(float_value("1.e2"), Some(100.0));
        assert_eq!(float_value("1E3"), Some(1000.0));
        assert_eq!(float_value("-.Inf"), Some(f64::NEG_INFINITY));
        assert!(float_value(".NaN").is_some_and(f64::is_nan));
        assert_eq!(float_value("-.nan"), None);
        assert_eq!(float_value("1e400"), None);
        assert_eq!(float_value("inf"), None);
        assert_eq!(float_value("e3"), None);
    }

    #[test]
    fn plain() {
        assert_eq!(resolve_plain("yes"), Implicit::Str);
        assert_eq!(resolve_plain("~"), Implicit::Null);
        assert_eq!(resolve_plain("<<"), Implicit::Merge);
        assert_eq!(binary_value("SGk="), Some(vec![72, 105]));
        assert_eq!(binary_value("SGk"), None);
    }
}
