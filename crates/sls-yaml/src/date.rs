//! YAML timestamps as js-yaml constructs them (`Date.UTC` arithmetic), and the two string
//! forms JavaScript gives a `Date`: `toISOString()` (JSON) and `toString()` (keys, in UTC).

const MS_PER_DAY: f64 = 86_400_000.0;

/// Parses a js-yaml timestamp (`YYYY-MM-DD`, or a date-time with optional fraction and time
/// zone) into milliseconds since the epoch; `None` when `text` is not a timestamp.
pub(crate) fn parse_timestamp(text: &str) -> Option<f64> {
    let b = text.as_bytes();
    // Date only: exactly `dddd-dd-dd`.
    if b.len() == 10 && b[4] == b'-' && b[7] == b'-' && all_digits(&b[0..4]) {
        if all_digits(&b[5..7]) && all_digits(&b[8..10]) {
            let (y, m, d) = (num(&b[0..4]), num(&b[5..7]), num(&b[8..10]));
            return Some(utc(y, m - 1.0, d, 0.0, 0.0, 0.0, 0.0));
        }
        return None;
    }
    let mut cur = Cursor { b, at: 0 };
    let year = cur.digits(4, 4)?;
    cur.byte(b'-')?;
    let month = cur.digits(1, 2)?;
    cur.byte(b'-')?;
    let day = cur.digits(1, 2)?;
    match cur.peek() {
        Some(b'T' | b't') => cur.at += 1,
        Some(b' ' | b'\t') => {
            while matches!(cur.peek(), Some(b' ' | b'\t')) {
                cur.at += 1;
            }
        }
        _ => return None,
    }
    let hour = cur.digits(1, 2)?;
    cur.byte(b':')?;
    let minute = cur.digits(2, 2)?;
    cur.byte(b':')?;
    let second = cur.digits(2, 2)?;
    let mut fraction = 0.0;
    if cur.peek() == Some(b'.') {
        cur.at += 1;
        let start = cur.at;
        while cur.peek().is_some_and(|c| c.is_ascii_digit()) {
            cur.at += 1;
        }
        let digits = &b[start..cur.at];
        if !digits.is_empty() {
            let mut millis = [b'0'; 3];
            for (slot, digit) in millis.iter_mut().zip(digits) {
                *slot = *digit;
            }
            fraction = num(&millis);
        }
    }
    let mut delta = 0.0;
    if cur.at < b.len() {
        while matches!(cur.peek(), Some(b' ' | b'\t')) {
            cur.at += 1;
        }
        match cur.peek() {
            Some(b'Z') => cur.at += 1,
            Some(sign @ (b'-' | b'+')) => {
                cur.at += 1;
                let tz_hour = cur.digits(1, 2)?;
                let mut tz_minute = 0.0;
                if cur.peek() == Some(b':') {
                    cur.at += 1;
                    tz_minute = cur.digits(2, 2)?;
                }
                delta = (tz_hour * 60.0 + tz_minute) * 60_000.0;
                if sign == b'-' {
                    delta = -delta;
                }
            }
            _ => return None,
        }
    }
    if cur.at != b.len() {
        return None;
    }
    let time = utc(year, month - 1.0, day, hour, minute, second, fraction);
    Some(time - delta)
}

struct Cursor<'a> {
    b: &'a [u8],
    at: usize,
}

impl Cursor<'_> {
    fn peek(&self) -> Option<u8> {
        self.b.get(self.at).copied()
    }

    fn byte(&mut self, expected: u8) -> Option<()> {
        (self.peek() == Some(expected)).then(|| self.at += 1)
    }

    /// Greedily reads between `min` and `max` ASCII digits.
    fn digits(&mut self, min: usize, max: usize) -> Option<f64> {
        let start = self.at;
        while self.at - start < max && self.peek().is_some_and(|c| c.is_ascii_digit()) {
            self.at += 1;
        }
        (self.at - start >= min).then(|| num(&self.b[start..self.at]))
    }
}

fn all_digits(b: &[u8]) -> bool {
    b.iter().all(u8::is_ascii_digit)
}

fn num(b: &[u8]) -> f64 {
    b.iter()
        .fold(0.0, |acc, d| acc * 10.0 + f64::from(d.wrapping_sub(b'0')))
}

/// `Date.UTC(year, month, day, hour, minute, second, ms)`, months zero-based and
/// overflowing into the following units; years 0..=99 mean 1900..=1999.
fn utc(year: f64, month: f64, day: f64, hour: f64, minute: f64, second: f64, ms: f64) -> f64 {
    let year = if (0.0..=99.0).contains(&year) {
        1900.0 + year
    } else {
        year
    };
    let year = year + (month / 12.0).floor();
    let month = month.rem_euclid(12.0);
    let days = days_from_civil(year, month + 1.0) + day - 1.0;
    days * MS_PER_DAY + hour * 3_600_000.0 + minute * 60_000.0 + second * 1000.0 + ms
}

/// Days from 1970-01-01 to the first day of `month` (1-based) of `year`.
fn days_from_civil(year: f64, month: f64) -> f64 {
    let y = if month <= 2.0 { year - 1.0 } else { year };
    let era = (y / 400.0).floor();
    let yoe = y - era * 400.0;
    let mp = (month + 9.0).rem_euclid(12.0);
    let doy = ((153.0 * mp + 2.0) / 5.0).floor();
    let doe = yoe * 365.0 + (yoe / 4.0).floor() - (yoe / 100.0).floor() + doy;
    era * 146_097.0 + doe - 719_468.0
}

/// Broken-down UTC fields of an epoch time in milliseconds.
struct Fields {
    year: i64,
    month: i64,
    day: i64,
    weekday: i64,
    hour: i64,
    minute: i64,
    second: i64,
    millis: i64,
}

#[allow(clippy::cast_possible_truncation)]
fn fields(time: f64) -> Fields {
    let days = (time / MS_PER_DAY).floor();
    let in_day = (time - days * MS_PER_DAY) as i64;
    let days = days as i64;
    let z = days + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z.rem_euclid(146_097);
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let day = doy - (153 * mp + 2) / 5 + 1;
    let month = if mp < 10 { mp + 3 } else { mp - 9 };
    let year = yoe + era * 400 + i64::from(month <= 2);
    Fields {
        year,
        month,
        day,
        weekday: (days + 4).rem_euclid(7),
        hour: in_day / 3_600_000,
        minute: in_day / 60_000 % 60,
        second: in_day / 1000 % 60,
        millis: in_day % 1000,
    }
}

/// `Date.prototype.toISOString()`.
pub(crate) fn to_iso_string(time: f64) -> String {
    let f = fields(time);
    let year = if (0..=9999).contains(&f.year) {
        format!("{:04}", f.year)
    } else if f.year < 0 {
        format!("-{:06}", -f.year)
    } else {
        format!("+{:06}", f.year)
    };
    format!(
        "{year}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        f.month, f.day, f.hour, f.minute, f.second, f.millis
    )
}

/// `Date.prototype.toString()` as printed with the UTC time zone.
pub(crate) fn to_date_string(time: f64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let f = fields(time);
    let weekday = usize::try_from(f.weekday).map_or("", |i| DAYS.get(i).copied().unwrap_or(""));
    let month = usize::try_from(f.month - 1).map_or("", |i| MONTHS.get(i).copied().unwrap_or(""));
    let year = if f.year < 0 {
        format!("-{:06}", -f.year)
    } else {
        format!("{:04}", f.year)
    };
    format!(
        "{weekday} {month} {:02} {year} {:02}:{:02}:{:02} GMT+0000 (Coordinated Universal Time)",
        f.day, f.hour, f.minute, f.second
    )
}

#[cfg(test)]
mod tests {
    use super::{parse_timestamp, to_date_string, to_iso_string};

    fn iso(text: &str) -> Option<String> {
        parse_timestamp(text).map(to_iso_string)
    }

    #[test]
    fn timestamps() {
        assert_eq!(
            iso("2024-01-01").as_deref(),
            Some("2024-01-01T00:00:00.000Z")
        );
        assert_eq!(
            iso("2001-12-14t21:59:43.10-05:00").as_deref(),
            Some("2001-12-15T02:59:43.100Z")
        );
        assert_eq!(
            iso("2001-12-14 21:59:43.10 -5").as_deref(),
            Some("2001-12-15T02:59:43.100Z")
        );
        assert_eq!(
            iso("2024-02-30").as_deref(),
            Some("2024-03-01T00:00:00.000Z")
        );
        assert_eq!(
            iso("0050-01-01").as_deref(),
            Some("1950-01-01T00:00:00.000Z")
        );
        assert_eq!(
            iso("9999-12-32").as_deref(),
            Some("+010000-01-01T00:00:00.000Z")
        );
        assert_eq!(
            iso("2001-1-1 1:02:03").as_deref(),
            Some("2001-01-01T01:02:03.000Z")
        );
        assert_eq!(iso("2001-01-01 01:02:03 +0530"), None);
        assert_eq!(iso("2001-1-1"), None);
        assert_eq!(
            parse_timestamp("2024-01-01").map(to_date_string).as_deref(),
            Some("Mon Jan 01 2024 00:00:00 GMT+0000 (Coordinated Universal Time)")
        );
    }
}
