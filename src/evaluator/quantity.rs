//! Quantities as a rubric or an object writes them (`1Gi`, `500Mi`), kept as written for the
//! words of a report and compared by meaning (`crate::values::Quantity`: `1Gi` = `1024Mi`).

use std::cmp::Ordering;
use std::fmt;
use std::str::FromStr;

use crate::values::quantity::{NotAQuantity, Quantity as Exact};

/// A quantity as written, with its exact value.
#[derive(Debug, Clone)]
pub struct Quantity {
    text: String,
    value: Exact,
}

impl FromStr for Quantity {
    type Err = NotAQuantity;

    fn from_str(text: &str) -> Result<Self, Self::Err> {
        Ok(Self {
            text: text.to_owned(),
            value: Exact::parse(text)?,
        })
    }
}

impl Ord for Quantity {
    fn cmp(&self, other: &Self) -> Ordering {
        self.value.cmp(&other.value)
    }
}

impl PartialOrd for Quantity {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl PartialEq for Quantity {
    fn eq(&self, other: &Self) -> bool {
        self.value == other.value
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
    fn kept_as_written_and_compared_by_value() {
        assert_eq!(q("1Gi"), q("1024Mi"));
        assert_eq!(q("1Gi").to_string(), "1Gi");
        assert!(q("1G") < q("1Gi"));
    }

    #[test]
    fn bounds_compare_by_value() {
        assert!(Bound::AtLeast(q("1Gi")).holds(&q("2Gi")));
        assert!(!Bound::AtLeast(q("1Gi")).holds(&q("1000Mi")));
        assert!(Bound::AtMost(q("500m")).holds(&q("0.25")));
        assert!(Bound::Equals(q("1Gi")).holds(&q("1024Mi")));
        assert_eq!(Bound::AtLeast(q("1Gi")).to_string(), "at least 1Gi");
    }
}
