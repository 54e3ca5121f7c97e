//! Durations as Go writes them (`90s`, `1m30s`, `1.5h`, `300ms`), compared
//! exactly in nanoseconds. A bare number is seconds, as in the API's
//! `…Seconds` fields.

use std::fmt;

/// A duration in nanoseconds.
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub struct Duration(i128);

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a duration (e.g. 90s, 1m30s, 1.5h, 300ms; units ns us ms s m h; a bare number is seconds)"
)]
pub struct NotADuration(pub String);

const SECOND: i128 = 1_000_000_000;

impl Duration {
    pub fn parse(text: &str) -> Result<Duration, NotADuration> {
        let bad = || NotADuration(text.to_string());
        let s = text.trim();
        let (negative, mut rest) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        if rest.is_empty() {
            return Err(bad());
        }
        if let Ok(seconds) = rest.parse::<i128>() {
            let ns = seconds.checked_mul(SECOND).ok_or_else(bad)?;
            return Ok(Duration(if negative { -ns } else { ns }));
        }
        let mut total: i128 = 0;
        while !rest.is_empty() {
            let end = rest
                .find(|c: char| !(c.is_ascii_digit() || c == '.'))
                .ok_or_else(bad)?;
            let (number, after) = rest.split_at(end);
            let unit_end = after
                .find(|c: char| c.is_ascii_digit() || c == '.')
                .unwrap_or(after.len());
            let (unit, next) = after.split_at(unit_end);
            let per: i128 = match unit {
                "ns" => 1,
                "us" | "µs" | "μs" => 1_000,
                "ms" => 1_000_000,
                "s" => SECOND,
                "m" => 60 * SECOND,
                "h" => 3600 * SECOND,
                _ => return Err(bad()),
            };
            let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
            if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
                return Err(bad());
            }
            let whole: i128 = if whole.is_empty() {
                0
            } else {
                whole.parse().map_err(|_| bad())?
            };
            let mut part = whole.checked_mul(per).ok_or_else(bad)?;
            // Fractions count down to the nanosecond, as Go's ParseDuration.
            let mut scale = per;
            for digit in fraction.bytes() {
                scale /= 10;
                part += i128::from(digit - b'0') * scale;
            }
            total = total.checked_add(part).ok_or_else(bad)?;
            rest = next;
        }
        Ok(Duration(if negative { -total } else { total }))
    }

    /// From JSON: a string (`"90s"`) or a number of seconds.
    pub fn from_json(v: &serde_json::Value) -> Result<Duration, NotADuration> {
        match v {
            serde_json::Value::String(s) => Duration::parse(s),
            serde_json::Value::Number(n) => Duration::parse(&n.to_string()),
            other => Err(NotADuration(other.to_string())),
        }
    }
}

impl fmt::Display for Duration {
    /// Go's form: `1h30m0s`, `1.5s`, `300ms`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let ns = self.0.unsigned_abs();
        let sign = if self.0 < 0 { "-" } else { "" };
        if ns == 0 {
            return f.write_str("0s");
        }
        let second = SECOND.unsigned_abs();
        if ns < second {
            return if ns.is_multiple_of(1_000_000) {
                write!(f, "{sign}{}ms", ns / 1_000_000)
            } else if ns.is_multiple_of(1_000) {
                write!(f, "{sign}{}µs", ns / 1_000)
            } else {
                write!(f, "{sign}{ns}ns")
            };
        }
        let (h, rem) = (ns / (3600 * second), ns % (3600 * second));
        let (m, rem) = (rem / (60 * second), rem % (60 * second));
        let (s, frac) = (rem / second, rem % second);
        let seconds = if frac == 0 {
            format!("{s}s")
        } else {
            let digits = format!("{frac:09}");
            format!("{s}.{}s", digits.trim_end_matches('0'))
        };
        match (h, m) {
            (0, 0) => write!(f, "{sign}{seconds}"),
            (0, m) => write!(f, "{sign}{m}m{seconds}"),
            (h, m) => write!(f, "{sign}{h}h{m}m{seconds}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> Duration {
        Duration::parse(s).unwrap()
    }

    #[test]
    fn equal_by_meaning() {
        assert_eq!(d("90s"), d("1m30s"));
        assert_eq!(d("1.5h"), d("90m"));
        assert_eq!(d("300ms"), d("0.3s"));
        assert_eq!(d("60"), d("1m"));
        assert_eq!(d("1h0m0s"), d("3600s"));
        assert_eq!(d("1000us"), d("1ms"));
        assert!(d("59s") < d("1m"));
        assert!(d("-1s") < d("0s"));
    }

    #[test]
    fn printed_as_go_prints_them() {
        assert_eq!(d("90s").to_string(), "1m30s");
        assert_eq!(d("1.5h").to_string(), "1h30m0s");
        assert_eq!(d("300ms").to_string(), "300ms");
        assert_eq!(d("1.25s").to_string(), "1.25s");
    }

    #[test]
    fn rejects_what_go_rejects() {
        for bad in ["", "s", "1x", "1.2.3s", "1 s", "abc", "-", "1d"] {
            assert!(Duration::parse(bad).is_err(), "{bad} parsed");
        }
    }
}
