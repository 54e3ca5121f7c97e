//! Kubernetes resource quantities (`1Gi`, `500m`, `1.5e3`) compared by meaning, exactly:
//! `1Gi` = `1024Mi`, `0.5` = `500m`. The grammar is `resource.Quantity`'s: a signed decimal number
//! followed by a binary suffix (`Ki` … `Ei`), a decimal suffix (`n`, `u`, `m`, `k`, `M` … `E`)
//! or a decimal exponent (`e3`, `E-2`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

/// A quantity as written, with its exact value `mantissa × 10^exp10 × 2^exp2`.
#[derive(Debug, Clone)]
pub struct Quantity {
    text: String,
    mantissa: i128,
    exp10: i32,
    exp2: u32,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("'{0}' is not a quantity (like 1Gi, 500Mi, 250m or 2)")]
pub struct QuantityError(pub String);

impl FromStr for Quantity {
    type Err = QuantityError;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        let err = || QuantityError(text.to_owned());
        let (negative, rest) = match text.as_bytes().first() {
            Some(b'-') => (true, &text[1..]),
            Some(b'+') => (false, &text[1..]),
            _ => (false, text),
        };
        let number_len = rest
            .find(|c: char| !(c.is_ascii_digit() || c == '.'))
            .unwrap_or(rest.len());
        let (number, suffix) = rest.split_at(number_len);
        let (int_part, frac_part) = number.split_once('.').unwrap_or((number, ""));
        if int_part.is_empty() && frac_part.is_empty() || frac_part.contains('.') {
            return Err(err());
        }
        let mut mantissa: i128 = 0;
        for d in int_part.bytes().chain(frac_part.bytes()) {
            mantissa = mantissa
                .checked_mul(10)
                .and_then(|m| m.checked_add(i128::from(d - b'0')))
                .ok_or_else(err)?;
        }
        if negative {
            mantissa = -mantissa;
        }
        let frac_digits = i32::try_from(frac_part.len()).map_err(|_| err())?;
        let (exp10, exp2) = match suffix {
            "Ki" => (0, 10),
            "Mi" => (0, 20),
            "Gi" => (0, 30),
            "Ti" => (0, 40),
            "Pi" => (0, 50),
            "Ei" => (0, 60),
            "n" => (-9, 0),
            "u" => (-6, 0),
            "m" => (-3, 0),
            "" => (0, 0),
            "k" => (3, 0),
            "M" => (6, 0),
            "G" => (9, 0),
            "T" => (12, 0),
            "P" => (15, 0),
            "E" => (18, 0),
            s if s.starts_with(['e', 'E']) => {
                let e: i32 = s[1..].parse().map_err(|_| err())?;
                if s[1..].starts_with('+') || !(-40..=40).contains(&e) {
                    return Err(err());
                }
                (e, 0)
            }
            _ => return Err(err()),
        };
        Ok(Self {
            text: text.to_owned(),
            mantissa,
            exp10: exp10 - frac_digits,
            exp2,
        })
    }
}

impl Quantity {
    /// The quantity as written.
    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `(numerator, denominator)` of the exact value, when it fits in 128 bits.
    fn fraction(&self) -> Option<(i128, i128)> {
        let pow10 = |e: i32| 10i128.checked_pow(e.unsigned_abs());
        let scaled = self.mantissa.checked_mul(1i128.checked_shl(self.exp2)?)?;
        if self.exp10 >= 0 {
            Some((scaled.checked_mul(pow10(self.exp10)?)?, 1))
        } else {
            Some((scaled, pow10(self.exp10)?))
        }
    }

    fn approximate(&self) -> f64 {
        self.mantissa as f64
            * 10f64.powi(self.exp10)
            * 2f64.powi(i32::try_from(self.exp2).unwrap_or(i32::MAX))
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        let exact = self
            .fraction()
            .zip(other.fraction())
            .and_then(|(a, b)| Some(a.0.checked_mul(b.1)?.cmp(&b.0.checked_mul(a.1)?)));
        // Beyond 128 bits (exabytes at nano precision) a float comparison is as exact as needed.
        exact.unwrap_or_else(|| self.approximate().total_cmp(&other.approximate()))
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.cmp(other) == Ordering::Equal
    }
}

impl Eq for Quantity {}

impl fmt::Display for Quantity {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

/// How a found quantity must compare with the expected one.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Bound {
    Equals(Quantity),
    AtLeast(Quantity),
    AtMost(Quantity),
}

impl Bound {
    pub fn holds(&self, found: &Quantity) -> bool {
        match self {
            Self::Equals(q) => found == q,
            Self::AtLeast(q) => found >= q,
            Self::AtMost(q) => found <= q,
        }
    }
}

impl fmt::Display for Bound {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Self::Equals(q) => write!(f, "{q}"),
            Self::AtLeast(q) => write!(f, "at least {q}"),
            Self::AtMost(q) => write!(f, "at most {q}"),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> Quantity {
        s.parse().unwrap()
    }

    #[test]
    fn equal_by_meaning_across_suffixes() {
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("1Mi"), q("1048576"));
        assert_eq!(q("0.5"), q("500m"));
        assert_eq!(q("1.5Gi"), q("1536Mi"));
        assert_eq!(q("1k"), q("1e3"));
        assert_eq!(q("1E-3"), q("1m"));
        assert_eq!(q("100u"), q("100000n"));
        assert_eq!(q(".5Ki"), q("512"));
        assert_eq!(q("2."), q("2"));
    }

    #[test]
    fn decimal_and_binary_suffixes_differ() {
        assert!(q("1G") < q("1Gi"));
        assert!(q("1000Mi") < q("1Gi"));
        assert!(q("1025Mi") > q("1Gi"));
        assert!(q("-1") < q("0"));
        assert!(q("8Ei") > q("9E"));
    }

    #[test]
    fn bounds_compare_by_value() {
        assert!(Bound::AtLeast(q("1Gi")).holds(&q("2Gi")));
        assert!(!Bound::AtLeast(q("1Gi")).holds(&q("1000Mi")));
        assert!(Bound::AtMost(q("500m")).holds(&q("0.25")));
        assert!(Bound::Equals(q("1Gi")).holds(&q("1024Mi")));
        assert_eq!(Bound::AtLeast(q("1Gi")).to_string(), "at least 1Gi");
    }

    #[test]
    fn rejects_what_the_api_server_rejects() {
        for bad in [
            "", "Gi", "1GB", "1.2.3", "one", "1gi", "1 Gi", "1e", "--1", ".",
        ] {
            assert!(bad.parse::<Quantity>().is_err(), "{bad} parsed");
        }
        assert_eq!(
            "1GB".parse::<Quantity>().unwrap_err().to_string(),
            "'1GB' is not a quantity (like 1Gi, 500Mi, 250m or 2)"
        );
    }
}
