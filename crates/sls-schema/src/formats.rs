//! The two formats the schema uses, as ajv-formats 2.1.1 checks them in `full` mode.

use std::sync::OnceLock;

use crate::schema::Pattern;

/// ajv-formats' `URI` expression (case-insensitive), verbatim.
const URI: &str = r"^(?:[a-z][a-z0-9+\-.]*:)(?:\/?\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:]|%[0-9a-f]{2})*@)?(?:\[(?:(?:(?:(?:[0-9a-f]{1,4}:){6}|::(?:[0-9a-f]{1,4}:){5}|(?:[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){4}|(?:(?:[0-9a-f]{1,4}:){0,1}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){3}|(?:(?:[0-9a-f]{1,4}:){0,2}[0-9a-f]{1,4})?::(?:[0-9a-f]{1,4}:){2}|(?:(?:[0-9a-f]{1,4}:){0,3}[0-9a-f]{1,4})?::[0-9a-f]{1,4}:|(?:(?:[0-9a-f]{1,4}:){0,4}[0-9a-f]{1,4})?::)(?:[0-9a-f]{1,4}:[0-9a-f]{1,4}|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?))|(?:(?:[0-9a-f]{1,4}:){0,5}[0-9a-f]{1,4})?::[0-9a-f]{1,4}|(?:(?:[0-9a-f]{1,4}:){0,6}[0-9a-f]{1,4})?::)|[Vv][0-9a-f]+\.[a-z0-9\-._~!$&'()*+,;=:]+)\]|(?:(?:25[0-5]|2[0-4]\d|[01]?\d\d?)\.){3}(?:25[0-5]|2[0-4]\d|[01]?\d\d?)|(?:[a-z0-9\-._~!$&'()*+,;=]|%[0-9a-f]{2})*)(?::\d*)?(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*|\/(?:(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)?|(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})+(?:\/(?:[a-z0-9\-._~!$&'()*+,;=:@]|%[0-9a-f]{2})*)*)(?:\?(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?(?:#(?:[a-z0-9\-._~!$&'()*+,;=:@/?]|%[0-9a-f]{2})*)?$";

/// `uri`: a `/` or `:` somewhere, and the URI expression.
pub(crate) fn uri(text: &str) -> bool {
    static PATTERN: OnceLock<Pattern> = OnceLock::new();
    (text.contains('/') || text.contains(':'))
        && PATTERN.get_or_init(|| Pattern::new(URI, "i")).test(text)
}

/// Two ASCII digits as a number.
fn two_digits(bytes: &[u8]) -> Option<u32> {
    match bytes {
        [a, b] if a.is_ascii_digit() && b.is_ascii_digit() => {
            Some(u32::from(a - b'0') * 10 + u32::from(b - b'0'))
        }
        _ => None,
    }
}

/// `date`: `^(\d\d\d\d)-(\d\d)-(\d\d)$` with a real day of a real month.
fn date(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() != 10 || b[4] != b'-' || b[7] != b'-' {
        return false;
    }
    let (Some(hi), Some(lo), Some(month), Some(day)) = (
        two_digits(&b[0..2]),
        two_digits(&b[2..4]),
        two_digits(&b[5..7]),
        two_digits(&b[8..10]),
    ) else {
        return false;
    };
    let year = hi * 100 + lo;
    let leap = year % 4 == 0 && (year % 100 != 0 || year % 400 == 0);
    const DAYS: [u32; 13] = [0, 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31];
    (1..=12).contains(&month)
        && day >= 1
        && day
            <= if month == 2 && leap {
                29
            } else {
                DAYS[month as usize]
            }
}

/// `time`: `^(\d\d):(\d\d):(\d\d)(\.\d+)?(z|[+-]\d\d(?::?\d\d)?)?$` (case-insensitive), in range.
/// (ajv-formats' time-zone requirement compares an absent group with `""`, so it never fails.)
fn time(text: &str) -> bool {
    let b = text.as_bytes();
    if b.len() < 8 || b[2] != b':' || b[5] != b':' {
        return false;
    }
    let (Some(hour), Some(minute), Some(second)) = (
        two_digits(&b[0..2]),
        two_digits(&b[3..5]),
        two_digits(&b[6..8]),
    ) else {
        return false;
    };
    let mut rest = &b[8..];
    if let [b'.', tail @ ..] = rest {
        let digits = tail.iter().take_while(|c| c.is_ascii_digit()).count();
        if digits == 0 {
            return false;
        }
        rest = &tail[digits..];
    }
    let zone_ok = match rest {
        [] | [b'z' | b'Z'] => true,
        [b'+' | b'-', zone @ ..] => match zone {
            [h1, h2] => h1.is_ascii_digit() && h2.is_ascii_digit(),
            [h1, h2, m1, m2] | [h1, h2, b':', m1, m2] => {
                [h1, h2, m1, m2].iter().all(|c| c.is_ascii_digit())
            }
            _ => false,
        },
        _ => false,
    };
    zone_ok
        && ((hour <= 23 && minute <= 59 && second <= 59)
            || (hour == 23 && minute == 59 && second == 60))
}

/// `date-time`: split on `t`, `T` or white space into exactly a date and a time.
pub(crate) fn date_time(text: &str) -> bool {
    let parts: Vec<&str> = text
        .split(|c: char| c == 't' || c == 'T' || sls_syntax::is_js_whitespace(c))
        .collect();
    parts.len() == 2 && date(parts[0]) && time(parts[1])
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn date_times() {
        assert!(date_time("2024-02-29T10:00:00Z"));
        assert!(date_time("2024-02-29 10:00:00.5+01:00"));
        assert!(date_time("2024-02-29t23:59:60"));
        assert!(!date_time("2023-02-29T10:00:00Z"));
        assert!(!date_time("2024-02-29"));
        assert!(!date_time("2024-13-01T10:00:00Z"));
        assert!(!date_time("2024-01-01T10:00:00+1"));
    }

    #[test]
    fn uris() {
        assert!(uri("https://example.com/a?b#c"));
        assert!(uri("urn:isbn:123"));
        assert!(!uri("example.com"));
        assert!(!uri("http://exa mple.com"));
    }
}
