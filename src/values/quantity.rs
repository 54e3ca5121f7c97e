//! Kubernetes resource quantities (`resource.Quantity`), compared exactly:
//! `1Gi` = `1024Mi`, `500m` = `0.5`, `1e3` = `1k`.

use std::cmp::Ordering;
use std::fmt;

/// A quantity as an exact decimal: `units / 10^scale`.
#[derive(Debug, Clone, Copy)]
pub struct Quantity {
    units: i128,
    scale: u32,
}

/// Why a text is not a quantity.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error(
    "'{0}' is not a quantity (a number with an optional suffix: Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent like e3)"
)]
pub struct NotAQuantity(pub String);

/// Largest decimal scale kept (nano is 9; exponents may ask for more).
const MAX_SCALE: u32 = 30;

impl Quantity {
    /// Parses the API's quantity grammar: sign, digits with an optional
    /// decimal point, then a binary suffix, a decimal SI suffix or a
    /// decimal exponent.
    pub fn parse(text: &str) -> Result<Quantity, NotAQuantity> {
        let bad = || NotAQuantity(text.to_string());
        let s = text.trim();
        let (negative, s) = match s.as_bytes().first() {
            Some(b'-') => (true, &s[1..]),
            Some(b'+') => (false, &s[1..]),
            _ => (false, s),
        };
        let end = s
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(s.len());
        let (number, suffix) = s.split_at(end);
        let (whole, fraction) = number.split_once('.').unwrap_or((number, ""));
        if whole.is_empty() && fraction.is_empty() || fraction.contains('.') {
            return Err(bad());
        }
        let digits = format!("{whole}{fraction}");
        let mut units: i128 = digits.parse().map_err(|_| bad())?;
        let mut scale = u32::try_from(fraction.len()).map_err(|_| bad())?;
        // Multiply by 2^bits or 10^exp10 (negative: a larger scale).
        let (bits, exp10): (u32, i32) = match suffix {
            "" => (0, 0),
            "Ki" => (10, 0),
            "Mi" => (20, 0),
            "Gi" => (30, 0),
            "Ti" => (40, 0),
            "Pi" => (50, 0),
            "Ei" => (60, 0),
            "n" => (0, -9),
            "u" => (0, -6),
            "m" => (0, -3),
            "k" => (0, 3),
            "M" => (0, 6),
            "G" => (0, 9),
            "T" => (0, 12),
            "P" => (0, 15),
            "E" => (0, 18),
            e if e.starts_with(['e', 'E']) => {
                let exp = &e[1..];
                let digits = exp.strip_prefix(['+', '-']).unwrap_or(exp);
                if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                    return Err(bad());
                }
                (0, exp.parse().map_err(|_| bad())?)
            }
            _ => return Err(bad()),
        };
        units = units.checked_mul(1i128 << bits).ok_or_else(bad)?;
        if exp10 >= 0 {
            let up = exp10.unsigned_abs();
            // Use up the fraction's scale first, then multiply.
            let from_scale = up.min(scale);
            scale -= from_scale;
            units = units
                .checked_mul(10i128.checked_pow(up - from_scale).ok_or_else(bad)?)
                .ok_or_else(bad)?;
        } else {
            scale += exp10.unsigned_abs();
        }
        if scale > MAX_SCALE {
            return Err(bad());
        }
        if negative {
            units = -units;
        }
        Ok(Quantity { units, scale }.normalized())
    }

    /// Parses a quantity from JSON: a string (`"1Gi"`) or a number (`2`).
    pub fn from_json(v: &serde_json::Value) -> Result<Quantity, NotAQuantity> {
        match v {
            serde_json::Value::String(s) => Quantity::parse(s),
            serde_json::Value::Number(n) => Quantity::parse(&n.to_string()),
            other => Err(NotAQuantity(other.to_string())),
        }
    }

    fn normalized(mut self) -> Quantity {
        while self.scale > 0 && self.units % 10 == 0 {
            self.units /= 10;
            self.scale -= 1;
        }
        self
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Quantity) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Quantity) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Quantity) -> Ordering {
        // Bring both to the larger scale; on overflow the one with more
        // integral digits is the larger in magnitude.
        let scale = self.scale.max(other.scale);
        let lift = |q: &Quantity| {
            10i128
                .checked_pow(scale - q.scale)
                .and_then(|f| q.units.checked_mul(f))
        };
        if let (Some(a), Some(b)) = (lift(self), lift(other)) {
            a.cmp(&b)
        } else {
            let approx = |q: &Quantity| q.units as f64 / 10f64.powi(q.scale.cast_signed());
            approx(self).total_cmp(&approx(other))
        }
    }
}

impl fmt::Display for Quantity {
    /// Plain decimal: `1073741824`, `0.5`.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        if self.scale == 0 {
            return write!(f, "{}", self.units);
        }
        let sign = if self.units < 0 { "-" } else { "" };
        let digits = self.units.unsigned_abs().to_string();
        let scale = self.scale as usize;
        let padded = format!("{digits:0>width$}", width = scale + 1);
        let (whole, fraction) = padded.split_at(padded.len() - scale);
        write!(f, "{sign}{whole}.{fraction}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        Quantity::parse(s).unwrap()
    }

    #[test]
    fn equal_by_meaning() {
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("500m"), q("0.5"));
        assert_eq!(q("1e3"), q("1k"));
        assert_eq!(q("1E3"), q("1000"));
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert_eq!(q("0.1"), q("100m"));
        assert_eq!(q("+2"), q("2000m"));
        assert_eq!(q("1Ki"), q("1024"));
        assert_eq!(q("1M"), q("1000k"));
        assert_eq!(q("12e-3"), q("12m"));
        assert_eq!(q("100n"), q("0.1u"));
        assert_ne!(q("1G"), q("1Gi"));
        assert_ne!(q("1Mi"), q("1M"));
    }

    #[test]
    fn exact_where_floats_round() {
        // 0.1 + 0.2 style trouble does not arise: 300m is exactly 0.3.
        assert_eq!(q("0.3"), q("300m"));
        assert!(q("0.30000000000000001") > q("300m"));
        assert!(q("1Ei") > q("1E"));
        assert_eq!(q("1Ei").to_string(), "1152921504606846976");
    }

    #[test]
    fn ordered() {
        assert!(q("100m") < q("1"));
        assert!(q("2Gi") > q("2G"));
        assert!(q("-1") < q("0"));
        assert!(q("256Mi") <= q("0.25Gi"));
        assert_eq!(q("250m").to_string(), "0.25");
    }

    #[test]
    fn json_numbers_and_strings() {
        assert_eq!(
            Quantity::from_json(&serde_json::json!(2)).unwrap(),
            q("2000m")
        );
        assert_eq!(
            Quantity::from_json(&serde_json::json!("1Gi")).unwrap(),
            q("1073741824")
        );
        assert!(Quantity::from_json(&serde_json::json!(true)).is_err());
    }

    #[test]
    fn rejects_what_the_api_rejects() {
        for bad in [
            "", "Gi", "1.2.3", "1GB", "1 Gi", "abc", "1e", "1e+", "--1", "1.5x",
        ] {
            assert!(Quantity::parse(bad).is_err(), "{bad} parsed");
        }
        assert_eq!(
            Quantity::parse("1GB").unwrap_err().to_string(),
            "'1GB' is not a quantity (a number with an optional suffix: Ki Mi Gi Ti Pi Ei, n u m k M G T P E, or an exponent like e3)"
        );
    }
}
